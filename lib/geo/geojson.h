/* geojson: boundary polygons from a GeoJSON FeatureCollection (CRS84 lon/lat), for choropleth maps. */
#ifndef TD_GEOJSON_H
#define TD_GEOJSON_H

#include <stddef.h>

#include "util/err.h"

struct geo_ring {
	size_t start, n;	/* points xy[2*start .. 2*(start+n)) */
	int hole;		/* an interior ring of its polygon */
	double area;		/* |shoelace area| in degrees² */
};

struct geo_feature {
	char *id;		/* owned: the id property's string value */
	double label_lon, label_lat;	/* where the value is written (label properties, else the centroid) */
	int has_label_prop;	/* the label position came from the file */
	double call_lon, call_lat;	/* callout line end, when has_callout */
	int has_callout;
	double *xy;		/* owned: lon, lat pairs */
	size_t npts;
	struct geo_ring *rings;	/* owned */
	size_t nrings;
	double minx, miny, maxx, maxy;	/* bounding box (lon/lat) */
	double area;		/* exterior rings minus holes, degrees² */
};

struct geo_layer {
	char *path;		/* owned */
	struct geo_feature *f;	/* owned, in file order */
	size_t n;
	double minx, miny, maxx, maxy;
	double coslat;		/* cos of the middle latitude: x = lon * coslat (equirectangular) */
};

/* Property names: id (required, a string on every feature); label x/y and callout x/y (optional, NULL: none). */
struct geo_props {
	const char *id;
	const char *label_x, *label_y;
	const char *call_x, *call_y;
};

/*
 * Load a FeatureCollection of Polygon/MultiPolygon features. EX_NOINPUT when the file cannot be opened,
 * EX_DATAERR naming the file and the feature for anything malformed (an id missing or repeated, a ring with
 * fewer than 4 positions, a geometry of another type). On failure l is empty.
 */
int geo_load(struct geo_layer *l, const char *path, const struct geo_props *props, struct err *e);
void geo_free(struct geo_layer *l);

/* The feature whose id is id, or NULL. */
const struct geo_feature *geo_find(const struct geo_layer *l, const char *id);

/* 1 if (lon, lat) lies inside the feature (even-odd over all its rings: holes excluded). */
int geo_contains(const struct geo_feature *f, double lon, double lat);

/* Equirectangular projection with the layer's cos(latitude) correction: plot units with equal x and y scale. */
static inline double geo_x(const struct geo_layer *l, double lon) { return lon * l->coslat; }
static inline double geo_y(const struct geo_layer *l, double lat) { (void)l; return lat; }

#endif
