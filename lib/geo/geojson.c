/* geojson: boundary polygons from a GeoJSON FeatureCollection (see geojson.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "geo/geojson.h"
#include "util/buf.h"

struct loader {
	struct geo_feature *f;
	size_t cap_pts, cap_rings;
};

static int
add_ring(struct loader *ld, const json_t *ring, int hole, const char *path, size_t fi, struct err *e)
{
	struct geo_feature *f = ld->f;
	struct geo_ring *r;
	size_t i, n;
	double a = 0;

	if (!json_is_array(ring) || (n = json_array_size(ring)) < 4)
		return err_set(e, EX_DATAERR, "%s: feature %zu: a ring must be an array of at least 4 positions", path, fi);
	if (f->npts + n > ld->cap_pts) {
		ld->cap_pts = (f->npts + n) * 2;
		f->xy = xrealloc(f->xy, ld->cap_pts * 2 * sizeof *f->xy);
	}
	if (f->nrings == ld->cap_rings) {
		ld->cap_rings = ld->cap_rings ? ld->cap_rings * 2 : 8;
		f->rings = xrealloc(f->rings, ld->cap_rings * sizeof *f->rings);
	}
	r = &f->rings[f->nrings++];
	r->start = f->npts;
	r->n = n;
	r->hole = hole;
	for (i = 0; i < n; i++) {
		const json_t *pos = json_array_get(ring, i);
		const json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
		double lon, lat;

		if (!json_is_array(pos) || !json_is_number(x) || !json_is_number(y))
			return err_set(e, EX_DATAERR, "%s: feature %zu: a position must be [longitude, latitude]",
			    path, fi);
		lon = json_number_value(x);
		lat = json_number_value(y);
		if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
			return err_set(e, EX_DATAERR, "%s: feature %zu: position [%g, %g] is not a longitude and "
			    "latitude in degrees", path, fi, lon, lat);
		f->xy[2 * (f->npts + i)] = lon;
		f->xy[2 * (f->npts + i) + 1] = lat;
		if (f->npts == 0 && i == 0) {
			f->minx = f->maxx = lon;
			f->miny = f->maxy = lat;
		} else {
			f->minx = fmin(f->minx, lon);
			f->maxx = fmax(f->maxx, lon);
			f->miny = fmin(f->miny, lat);
			f->maxy = fmax(f->maxy, lat);
		}
	}
	for (i = 0; i + 1 < n; i++) {
		const double *p = &f->xy[2 * (f->npts + i)];
		a += p[0] * p[3] - p[2] * p[1];
	}
	r->area = fabs(a) / 2;
	f->area += hole ? -r->area : r->area;
	f->npts += n;
	return 0;
}

static int
add_polygon(struct loader *ld, const json_t *poly, const char *path, size_t fi, struct err *e)
{
	size_t i;

	if (!json_is_array(poly) || json_array_size(poly) == 0)
		return err_set(e, EX_DATAERR, "%s: feature %zu: a polygon must be a non-empty array of rings", path, fi);
	for (i = 0; i < json_array_size(poly); i++)
		if (add_ring(ld, json_array_get(poly, i), i > 0, path, fi, e) == -1)
			return -1;
	return 0;
}

/* The centroid of the feature's largest exterior ring (where a value is written when the file gives no place). */
static void
centroid(struct geo_feature *f)
{
	const struct geo_ring *best = NULL;
	double cx = 0, cy = 0, a = 0;
	size_t i;

	for (i = 0; i < f->nrings; i++)
		if (!f->rings[i].hole && (best == NULL || f->rings[i].area > best->area))
			best = &f->rings[i];
	if (best == NULL)
		return;
	for (i = 0; i + 1 < best->n; i++) {
		const double *p = &f->xy[2 * (best->start + i)];
		/* relative to the first point, for precision */
		double x0 = p[0] - f->xy[2 * best->start], y0 = p[1] - f->xy[2 * best->start + 1];
		double x1 = p[2] - f->xy[2 * best->start], y1 = p[3] - f->xy[2 * best->start + 1];
		double c = x0 * y1 - x1 * y0;

		a += c;
		cx += (x0 + x1) * c;
		cy += (y0 + y1) * c;
	}
	if (a == 0) {
		f->label_lon = (f->minx + f->maxx) / 2;
		f->label_lat = (f->miny + f->maxy) / 2;
		return;
	}
	f->label_lon = f->xy[2 * best->start] + cx / (3 * a);
	f->label_lat = f->xy[2 * best->start + 1] + cy / (3 * a);
}

/* A number property, or 0 when the name is NULL, the property absent or null. */
static int
num_prop(const json_t *props, const char *name, double *out, const char *path, size_t fi, struct err *e)
{
	const json_t *v;

	if (name == NULL || (v = json_object_get(props, name)) == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return err_set(e, EX_DATAERR, "%s: feature %zu: property %s must be a number", path, fi, name);
	*out = json_number_value(v);
	return 1;
}

static int
load_feature(struct geo_layer *l, const json_t *feat, const struct geo_props *props, size_t fi, struct err *e)
{
	struct loader ld = { &l->f[fi], 0, 0 };
	struct geo_feature *f = &l->f[fi];
	const json_t *pr = json_object_get(feat, "properties"), *geom = json_object_get(feat, "geometry");
	const json_t *id = json_object_get(pr, props->id), *coords;
	const char *type;
	int hx, hy;
	size_t i;

	if (!json_is_object(feat) || !json_is_object(pr))
		return err_set(e, EX_DATAERR, "%s: feature %zu: expected an object with properties", l->path, fi);
	if (!json_is_string(id) || json_string_length(id) == 0)
		return err_set(e, EX_DATAERR, "%s: feature %zu: property %s must be a non-empty string", l->path, fi,
		    props->id);
	for (i = 0; i < fi; i++)
		if (strcmp(l->f[i].id, json_string_value(id)) == 0)
			return err_set(e, EX_DATAERR, "%s: feature %zu: %s '%s' repeats feature %zu", l->path, fi,
			    props->id, json_string_value(id), i);
	f->id = xstrdup(json_string_value(id));
	type = json_string_value(json_object_get(geom, "type"));
	coords = json_object_get(geom, "coordinates");
	if (type != NULL && strcmp(type, "Polygon") == 0) {
		if (add_polygon(&ld, coords, l->path, fi, e) == -1)
			return -1;
	} else if (type != NULL && strcmp(type, "MultiPolygon") == 0) {
		if (!json_is_array(coords) || json_array_size(coords) == 0)
			return err_set(e, EX_DATAERR, "%s: feature %zu: a MultiPolygon needs polygons", l->path, fi);
		for (i = 0; i < json_array_size(coords); i++)
			if (add_polygon(&ld, json_array_get(coords, i), l->path, fi, e) == -1)
				return -1;
	} else
		return err_set(e, EX_DATAERR, "%s: feature %zu (%s): geometry must be a Polygon or MultiPolygon",
		    l->path, fi, f->id);
	if ((hx = num_prop(pr, props->label_x, &f->label_lon, l->path, fi, e)) == -1 ||
	    (hy = num_prop(pr, props->label_y, &f->label_lat, l->path, fi, e)) == -1)
		return -1;
	f->has_label_prop = hx && hy;
	if (!f->has_label_prop)
		centroid(f);
	if ((hx = num_prop(pr, props->call_x, &f->call_lon, l->path, fi, e)) == -1 ||
	    (hy = num_prop(pr, props->call_y, &f->call_lat, l->path, fi, e)) == -1)
		return -1;
	f->has_callout = hx && hy;
	return 0;
}

int
geo_load(struct geo_layer *l, const char *path, const struct geo_props *props, struct err *e)
{
	json_error_t je;
	json_t *root, *feats;
	FILE *fp;
	size_t i;

	memset(l, 0, sizeof *l);
	if ((fp = fopen(path, "r")) == NULL)
		return err_set(e, errno == ENOENT || errno == ENOTDIR ? EX_NOINPUT : EX_IOERR, "%s: %s", path,
		    strerror(errno));
	root = json_loadf(fp, 0, &je);
	fclose(fp);
	if (root == NULL)
		return err_set(e, EX_DATAERR, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column, je.text);
	l->path = xstrdup(path);
	feats = json_object_get(root, "features");
	if (!json_is_array(feats) || json_array_size(feats) == 0) {
		err_set(e, EX_DATAERR, "%s: expected a FeatureCollection with features", path);
		goto fail;
	}
	l->n = json_array_size(feats);
	l->f = xcalloc(l->n, sizeof *l->f);
	for (i = 0; i < l->n; i++) {
		if (load_feature(l, json_array_get(feats, i), props, i, e) == -1)
			goto fail;
		if (i == 0) {
			l->minx = l->f[i].minx, l->maxx = l->f[i].maxx;
			l->miny = l->f[i].miny, l->maxy = l->f[i].maxy;
		} else {
			l->minx = fmin(l->minx, l->f[i].minx), l->maxx = fmax(l->maxx, l->f[i].maxx);
			l->miny = fmin(l->miny, l->f[i].miny), l->maxy = fmax(l->maxy, l->f[i].maxy);
		}
	}
	l->coslat = cos((l->miny + l->maxy) / 2 * M_PI / 180);
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	geo_free(l);
	return -1;
}

void
geo_free(struct geo_layer *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->f[i].id);
		free(l->f[i].xy);
		free(l->f[i].rings);
	}
	free(l->f);
	free(l->path);
	memset(l, 0, sizeof *l);
}

const struct geo_feature *
geo_find(const struct geo_layer *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->f[i].id, id) == 0)
			return &l->f[i];
	return NULL;
}

int
geo_contains(const struct geo_feature *f, double lon, double lat)
{
	int in = 0;

	for (size_t r = 0; r < f->nrings; r++) {
		const double *p = &f->xy[2 * f->rings[r].start];
		size_t n = f->rings[r].n;

		for (size_t i = 0, j = n - 1; i < n; j = i++)
			if ((p[2 * i + 1] > lat) != (p[2 * j + 1] > lat) &&
			    lon < (p[2 * j] - p[2 * i]) * (lat - p[2 * i + 1]) / (p[2 * j + 1] - p[2 * i + 1]) + p[2 * i])
				in = !in;
	}
	return in;
}
