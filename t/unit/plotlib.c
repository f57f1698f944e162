/*
 * plotlib unit test: Fisher-Jenks classes against an exhaustive search, class lookup, point in polygon, GeoJSON
 * loading errors, and the quoting of text for gnuplot scripts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/geojson.h"
#include "plot/classes.h"
#include "plot/gnuplot.h"

static int ntest, nfail;

static void
ok(int cond, const char *title)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ntest, title);
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Sum of squared deviations from the class means when sorted v[0..n) is cut after the given upper edges. */
static double
sdcm(const long *v, size_t n, const long *edges, int k)
{
	double total = 0;
	size_t i = 0;

	for (int c = 0; c < k; c++) {
		double s = 0, s2 = 0;
		size_t m = 0;

		for (; i < n && v[i] <= edges[c]; i++, m++) {
			s += v[i];
			s2 += (double)v[i] * v[i];
		}
		if (m)
			total += s2 - s * s / m;
	}
	return total;
}

/* The least SDCM over every way of cutting the sorted values into k classes (cuts between distinct values). */
static double
best_sdcm(const long *v, size_t n, int k, long *edges, int c, size_t from)
{
	double best = INFINITY;

	if (c == k - 1) {
		edges[c] = v[n - 1];
		return sdcm(v, n, edges, k);
	}
	for (size_t i = from; i + 1 < n; i++) {
		double x;

		if (v[i] == v[i + 1])
			continue;
		edges[c] = v[i];
		x = best_sdcm(v, n, k, edges, c + 1, i + 1);
		if (x < best)
			best = x;
	}
	return best;
}

static void
test_jenks(void)
{
	long edges[CLASSES_MAX], scratch[CLASSES_MAX];
	long zeros[4] = { 0, 0, 0, 0 };
	long one[5] = { 0, 7, 0, 7, 7 };
	long three[6] = { 0, 5, 1, 5, 9, 0 };
	long clear[9] = { 22, 1, 2, 3, 10, 11, 12, 20, 21 };
	int k, all_optimal = 1;
	unsigned seed = 12345;

	ok(classes_fisher_jenks(zeros, 4, edges) == 0, "every value zero: no classes");
	k = classes_fisher_jenks(one, 5, edges);
	ok(k == 1 && edges[0] == 7, "one distinct non-zero value: one class up to it");
	k = classes_fisher_jenks(three, 6, edges);
	ok(k == 3 && edges[0] == 1 && edges[1] == 5 && edges[2] == 9, "three distinct values: a class each");
	k = classes_fisher_jenks(clear, 9, edges);
	ok(k == 5, "nine distinct values: five classes");
	{
		long sorted[9];

		memcpy(sorted, clear, sizeof sorted);
		qsort(sorted, 9, sizeof *sorted, cmp_long);
		ok(fabs(sdcm(sorted, 9, edges, k) - best_sdcm(sorted, 9, k, scratch, 0, 0)) < 1e-6,
		    "five classes of 1..22 are an optimal split");
	}
	for (int trial = 0; trial < 300; trial++) {
		long v[12], sorted[12];
		size_t n = 2 + trial % 11, m = 0;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			v[i] = (long)((seed >> 16) % 60);
		}
		k = classes_fisher_jenks(v, n, edges);
		for (size_t i = 0; i < n; i++)
			if (v[i] != 0)
				sorted[m++] = v[i];
		qsort(sorted, m, sizeof *sorted, cmp_long);
		if (k >= 2 && fabs(sdcm(sorted, m, edges, k) - best_sdcm(sorted, m, k, scratch, 0, 0)) > 1e-3)
			all_optimal = 0;
		for (int c = 1; c < k; c++)
			if (edges[c] <= edges[c - 1])
				all_optimal = 0;
		if (k > 0 && edges[k - 1] != sorted[m - 1])
			all_optimal = 0;
	}
	ok(all_optimal, "300 random sets: ascending edges, the last the maximum, least squared deviations");
	edges[0] = 4, edges[1] = 38, edges[2] = 69;
	ok(classes_of(0, edges, 3) == 0 && classes_of(1, edges, 3) == 1 && classes_of(4, edges, 3) == 1 &&
	    classes_of(5, edges, 3) == 2 && classes_of(69, edges, 3) == 3, "class of a value: 0, then by upper edge");
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

static void
test_geo(void)
{
	char dir[] = "/tmp/plotlib.XXXXXX", path[100];
	struct geo_props props = { "id", "lx", "ly", NULL, NULL };
	struct geo_layer l;
	struct err e;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/a.geojson", dir);
	write_file(path, "{\"type\": \"FeatureCollection\", \"features\": ["
	    "{\"type\": \"Feature\", \"properties\": {\"id\": \"sq\", \"lx\": 1.5, \"ly\": 0.5},"
	    " \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[0,0],[4,0],[4,4],[0,4],[0,0]],"
	    " [[1,1],[3,1],[3,3],[1,3],[1,1]]]}},"
	    "{\"type\": \"Feature\", \"properties\": {\"id\": \"tri\"},"
	    " \"geometry\": {\"type\": \"MultiPolygon\", \"coordinates\": [[[[10,0],[13,0],[10,3],[10,0]]]]}}]}");
	ok(geo_load(&l, path, &props, &e) == 0 && l.n == 2, "a Polygon with a hole and a MultiPolygon load");
	ok(fabs(l.f[0].area - 12) < 1e-9 && fabs(l.f[1].area - 4.5) < 1e-9, "areas: the hole subtracted");
	ok(l.f[0].has_label_prop && l.f[0].label_lon == 1.5 && !l.f[1].has_label_prop &&
	    fabs(l.f[1].label_lon - 11) < 1e-9 && fabs(l.f[1].label_lat - 1) < 1e-9,
	    "label from the properties, else the centroid");
	ok(geo_contains(&l.f[0], 0.5, 0.5) && !geo_contains(&l.f[0], 2, 2) && !geo_contains(&l.f[0], 5, 2),
	    "point in polygon: inside, in the hole, outside");
	ok(geo_find(&l, "tri") == &l.f[1] && geo_find(&l, "x") == NULL, "find by id");
	ok(l.minx == 0 && l.maxx == 13 && l.miny == 0 && l.maxy == 4 && fabs(l.coslat - cos(2 * M_PI / 180)) < 1e-12,
	    "bounding box and the projection's cos(latitude)");
	geo_free(&l);

	write_file(path, "{\"type\": \"FeatureCollection\", \"features\": ["
	    "{\"type\": \"Feature\", \"properties\": {\"id\": \"a\"}, \"geometry\": {\"type\": \"Point\","
	    " \"coordinates\": [1, 2]}}]}");
	ok(geo_load(&l, path, &props, &e) == -1 && e.code == 65 &&
	    strstr(e.msg, "feature 0 (a): geometry must be a Polygon or MultiPolygon") != NULL, "a Point is refused");
	write_file(path, "{\"type\": \"FeatureCollection\", \"features\": ["
	    "{\"type\": \"Feature\", \"properties\": {\"id\": \"a\"}, \"geometry\": {\"type\": \"Polygon\","
	    " \"coordinates\": [[[0,0],[1,0],[0,0]]]}}]}");
	ok(geo_load(&l, path, &props, &e) == -1 && e.code == 65 &&
	    strstr(e.msg, "at least 4 positions") != NULL, "a ring of 3 positions is refused");
	write_file(path, "{\"features\": [{\"properties\": {}, \"geometry\": null}]}");
	ok(geo_load(&l, path, &props, &e) == -1 && e.code == 65 &&
	    strstr(e.msg, "feature 0: property id must be a non-empty string") != NULL, "a feature without its id");
	write_file(path, "{\"features\": [");
	ok(geo_load(&l, path, &props, &e) == -1 && e.code == 65 && strstr(e.msg, "invalid JSON") != NULL,
	    "broken JSON");
	unlink(path);
	ok(geo_load(&l, path, &props, &e) == -1 && e.code == 66, "a missing file is 66");
	rmdir(dir);
}

static void
test_quote(void)
{
	struct buf b = { 0 };
	struct err e;
	int mask;

	gp_quote(&b, "it's\tok");
	buf_addc(&b, '\0');
	ok(strcmp(b.p, "'it''s ok'") == 0, "single quotes doubled, control characters become spaces");
	b.len = 0;
	gp_quote_wrapped(&b, "a \"b\" c\\d eeeee", 7);
	buf_addc(&b, '\0');
	ok(strcmp(b.p, "\"a \\\"b\\\"\\nc\\\\d\\neeeee\"") == 0, "double-quoted, escaped and wrapped at spaces");
	buf_free(&b);
	ok(gp_parse_formats("svg,png", &mask, &e) == 0 && mask == (GP_PNG | GP_SVG) &&
	    gp_parse_formats("png", &mask, &e) == 0 && mask == GP_PNG, "formats");
	ok(gp_parse_formats("pdf", &mask, &e) == -1 && e.code == 64 &&
	    strcmp(e.msg, "--format pdf: expected png, svg or png,svg") == 0, "an unknown format is a usage error");
}

int
main(void)
{
	printf("1..22\n");
	test_jenks();
	test_geo();
	test_quote();
	return nfail == 0 && ntest == 22 ? 0 : 1;
}
