/* plot-map: choropleths of participants per Somali region, district and Mogadishu sub-district (pipeline.md §6
 * step 11), drawn with gnuplot from GeoJSON boundaries. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config/config.h"
#include "config/plan.h"
#include "geo/geojson.h"
#include "pipeline.h"
#include "plot/acodes.h"
#include "plot/classes.h"
#include "plot/gnuplot.h"
#include "records.h"
#include "util/atomic.h"

static const char usage[] =
    "plot-map [-qv] -c CONFIG [-p PLANS] [-s DIR] [--geo DIR] -d OUTDIR [--format png,svg] [--keep-data] "
    "[--max-record SIZE] [--skip-bad] [individuals ...]";

static const char help[] =
    "usage: plot-map [-qv] -c CONFIG [-p PLANS] [-s DIR] [--geo DIR] -d OUTDIR [--format png,svg]\n"
    "                [--keep-data] [--max-record SIZE] [--skip-bad] [individuals ...]\n"
    "Draw choropleth maps of participants per region, district and Mogadishu sub-district from the individuals\n"
    "TracedData, as the reference's automated analysis does: OUTDIR/regions/regions_total_participants.png and,\n"
    "where the config's AutomatedAnalysis flags ask, one map per RQA theme and code. Boundaries are read from\n"
    "regions.geojson, districts.geojson and mogadishu_sub_districts.geojson in the geo directory. gnuplot draws.\n"
    "\n"
    "  -c, --config FILE    pipeline configuration (AutomatedAnalysis flags, GeoDir, coding plans)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "      --geo DIR        GeoJSON boundaries (default: the config's AutomatedAnalysis.GeoDir)\n"
    "  -d, --outdir DIR     where regions/, districts/ and mogadishu/ are written\n"
    "      --format LIST    png (default), svg, or png,svg\n"
    "      --keep-data      also write each map's counts as NAME.dat (code, participants, colour class)\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print what was drawn on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 1 gnuplot failed, 64 usage, 65 bad record or GeoJSON, 66 input or boundary file missing,\n"
    "69 gnuplot not installed, 73 cannot create output, 74 I/O error, 78 bad configuration.\n";

enum { OPT_GEO = 2000, OPT_FORMAT, OPT_KEEP_DATA, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "geo", required_argument, NULL, OPT_GEO },
	{ "outdir", required_argument, NULL, 'd' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "keep-data", no_argument, NULL, OPT_KEEP_DATA },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* The reference's three map families (pipeline.md §6 step 11). */
struct family_def {
	const char *prefix;		/* directory and file prefix */
	const char *key;		/* the admin coding configuration's AnalysisFileKey */
	const char *what;		/* "region", for titles */
	const char *file;
	struct geo_props props;
};

static const struct family_def family_defs[] = {
	{ "regions", "region", "region", "regions.geojson",
	  { "ADM1_AVF", "ADM1_LX", "ADM1_LY", "ADM1_CALLX", "ADM1_CALLY" } },
	{ "districts", "district", "district", "districts.geojson",
	  { "ADM2_AVF", NULL, NULL, NULL, NULL } },
	{ "mogadishu", "mogadishu_sub_district", "Mogadishu sub-district", "mogadishu_sub_districts.geojson",
	  { "ADM3_AVF", "ADM3_LX", "ADM3_LY", NULL, NULL } },
};
#define N_FAMILIES (sizeof family_defs / sizeof family_defs[0])

/* One theme AC (an RQA coding configuration in the theme distribution). */
struct theme {
	const struct coding_config *cc;
	const char *name;		/* AnalysisFileKey */
};

struct family {
	const struct family_def *def;
	const struct coding_config *admin;
	int themes_wanted;		/* the config's Generate…ThemeDistributionMaps */
	struct geo_layer geo;
	long *total;			/* [admin code] */
	long *theme;			/* [theme][1 + theme code][admin code]: row 0 = total relevant */
	char *outdir;
	char *tmpdir;
};

struct plotmap {
	struct cli_pipeline pl;
	struct theme *themes;
	size_t n_themes;
	size_t max_theme_codes;
	struct family fam[N_FAMILIES];
	size_t n_fam;
	int formats, keep_data, quiet, verbose;
	unsigned long individuals, opted_in, maps;
};

static size_t
theme_cell(const struct plotmap *m, const struct family *f, size_t t, size_t row, size_t admin_code)
{
	return (t * (m->max_theme_codes + 1) + row) * f->admin->code_scheme->n_codes + admin_code;
}

static const struct coding_config *
find_cc(const struct coding_plans *p, const char *key)
{
	size_t n, i, j;
	const struct coding_plan *all = plans_all(p, &n);

	for (i = 0; i < n; i++)
		for (j = 0; j < all[i].n_ccs; j++)
			if (all[i].ccs[j].analysis_file_key != NULL && strcmp(all[i].ccs[j].analysis_file_key, key) == 0)
				return &all[i].ccs[j];
	return NULL;
}

static char *
path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* The families the plans have a location coding configuration for, their boundaries loaded from geo_dir. */
static void
setup(struct plotmap *m, const char *geo_dir, const char *config)
{
	const struct pipeline_config *cfg = &m->pl.cfg;
	size_t n, i, j;
	const struct coding_plan *rqa = plans_rqa(&m->pl.plans, &n);
	struct stat st;
	struct err e;

	for (i = 0; i < n; i++)
		for (j = 0; j < rqa[i].n_ccs; j++) {
			const struct coding_config *cc = &rqa[i].ccs[j];

			if (!cc->include_in_theme_distribution || cc->analysis_file_key == NULL)
				continue;
			m->themes = xrealloc(m->themes, (m->n_themes + 1) * sizeof *m->themes);
			m->themes[m->n_themes].cc = cc;
			m->themes[m->n_themes++].name = cc->analysis_file_key;
			if (cc->code_scheme->n_codes > m->max_theme_codes)
				m->max_theme_codes = cc->code_scheme->n_codes;
		}
	for (i = 0; i < N_FAMILIES; i++) {
		struct family *f = &m->fam[m->n_fam];
		char *path;

		f->def = &family_defs[i];
		if ((f->admin = find_cc(&m->pl.plans, f->def->key)) == NULL) {
			if (m->verbose)
				cli_warn("no coding configuration with AnalysisFileKey \"%s\": no %s maps",
				    f->def->key, f->def->prefix);
			continue;
		}
		f->themes_wanted = i == 0 ? cfg->automated_analysis.region_maps :
		    i == 1 ? cfg->automated_analysis.district_maps : cfg->automated_analysis.mogadishu_maps;
		if (m->n_fam == 0) {
			if (geo_dir == NULL)
				cli_die(EX_USAGE, "no --geo DIR, and %s has no AutomatedAnalysis.GeoDir", config);
			if (stat(geo_dir, &st) == -1)
				cli_die(EX_NOINPUT, "%s: %s", geo_dir, strerror(errno));
			if (!S_ISDIR(st.st_mode))
				cli_die(EX_NOINPUT, "%s: not a directory (expected the GeoJSON boundaries)", geo_dir);
		}
		path = path_join(geo_dir, f->def->file);
		if (geo_load(&f->geo, path, &f->def->props, &e) == -1) {
			free(path);
			cli_fail(&e);
		}
		free(path);
		f->total = xcalloc(f->admin->code_scheme->n_codes, sizeof *f->total);
		f->theme = xcalloc((m->n_themes ? m->n_themes : 1) * (m->max_theme_codes + 1) *
		    f->admin->code_scheme->n_codes, sizeof *f->theme);
		m->n_fam++;
	}
}

/* One individual: the counts of the reference's theme distribution, broken down by each admin scheme. */
static void
count(struct plotmap *m, struct cli_in *in, struct acodes *tc, struct acodes *ac)
{
	struct td *t = &in->td;
	struct err e;
	size_t i, k, fi;
	int any = 0;

	m->individuals++;
	if (ac_withdrew(t))
		return;
	for (i = 0; i < m->n_themes; i++) {
		if (ac_codes(&tc[i], t, m->themes[i].cc, &e) == -1)
			cli_in_fail(in, &e);
		any |= ac_responded(&tc[i]);
	}
	if (!any)
		return;
	m->opted_in++;
	for (fi = 0; fi < m->n_fam; fi++) {
		struct family *f = &m->fam[fi];

		if (ac_codes(ac, t, f->admin, &e) == -1)
			cli_in_fail(in, &e);
		if (ac_responded(ac))
			for (k = 0; k < ac->n; k++)
				if (ac->v[k]->code_type == CODE_NORMAL)
					f->total[ac->v[k]->index]++;
		for (i = 0; i < m->n_themes; i++) {
			int rel = ac_relevant(&tc[i]);

			for (k = 0; k < ac->n; k++) {
				const struct code *a = ac->v[k];

				if (a->control_code != NULL && strcmp(a->control_code, "STOP") == 0)
					continue;
				if (rel)
					f->theme[theme_cell(m, f, i, 0, a->index)]++;
				for (size_t c = 0; c < tc[i].n; c++)
					f->theme[theme_cell(m, f, i, 1 + tc[i].v[c]->index, a->index)]++;
			}
		}
	}
}

/* ---- drawing ---- */

#define COLOUR_LOW 0xffffff
#define COLOUR_HIGH 0x993e46
#define COLOUR_NO_DATA 0xc8c8c8
#define COLOUR_EDGE "#404040"

/* matplotlib's LinearSegmentedColormap(["#ffffff", "#993e46"]) at t (256 steps). */
static unsigned
ramp(double t)
{
	int step = (int)(t * 256);
	double u;
	unsigned r, g, b;

	if (step > 255)
		step = 255;
	u = step / 255.0;
	r = (unsigned)lround(255 + u * (((COLOUR_HIGH >> 16) & 0xff) - 255.0));
	g = (unsigned)lround(255 + u * (((COLOUR_HIGH >> 8) & 0xff) - 255.0));
	b = (unsigned)lround(255 + u * ((COLOUR_HIGH & 0xff) - 255.0));
	return r << 16 | g << 8 | b;
}

static unsigned
class_colour(int cls, int k)
{
	return cls == 0 ? COLOUR_LOW : ramp((double)cls / k);
}

struct geom {
	int w, h;		/* canvas pixels */
	double scale;		/* pixels per plot unit (approximate) */
};

static struct geom
canvas(const struct geo_layer *g)
{
	double dx = (g->maxx - g->minx) * g->coslat, dy = g->maxy - g->miny;
	struct geom c;
	double map_w, map_h;

	c.w = 1200;
	map_w = c.w - 40;
	map_h = map_w * dy / dx;
	if (map_h > 1500) {
		map_h = 1500;
		map_w = map_h * dx / dy;
	}
	c.h = (int)lround(map_h) + 110;
	if (c.h < 600)
		c.h = 600;
	c.scale = map_w / dx;
	if (map_h / dy < c.scale)
		c.scale = map_h / dy;
	return c;
}

/* The polygon file of a family: exterior rings, largest features first (so enclosed ones are drawn on top), and
 * the feature's 1-based index as the third column; then every ring for the boundaries. */
static void
write_polygons(const struct family *f, const char *path)
{
	const struct geo_layer *g = &f->geo;
	size_t *order = xmalloc(g->n * sizeof *order), i, r, p;
	struct buf b = { 0 };
	struct err e;
	char line[100];

	for (i = 0; i < g->n; i++)
		order[i] = i;
	for (i = 1; i < g->n; i++)	/* insertion sort by area, descending (stable) */
		for (size_t j = i; j > 0 && g->f[order[j]].area > g->f[order[j - 1]].area; j--) {
			size_t tmp = order[j];

			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	buf_adds(&b, "# x y feature (exterior rings, largest features first)\n");
	for (i = 0; i < g->n; i++) {
		const struct geo_feature *ft = &g->f[order[i]];

		for (r = 0; r < ft->nrings; r++) {
			if (ft->rings[r].hole)
				continue;
			for (p = 0; p < ft->rings[r].n; p++) {
				const double *xy = &ft->xy[2 * (ft->rings[r].start + p)];

				snprintf(line, sizeof line, "%.6f %.6f %zu\n", geo_x(g, xy[0]), geo_y(g, xy[1]),
				    order[i] + 1);
				buf_adds(&b, line);
			}
			buf_addc(&b, '\n');
		}
	}
	free(order);
	if (gp_write_file(path, &b, &e) == -1)
		cli_fail(&e);
	buf_free(&b);
}

struct map {
	const char *name;		/* file name without extension */
	char title[600];
	long *freq;			/* [admin code index] */
};

static void
write_data(const struct family *f, const struct map *mp, const long *edges, int k, const char *path)
{
	const struct code_scheme *s = f->admin->code_scheme;
	struct buf b = { 0 };
	struct err e;
	char line[400];
	size_t i;

	buf_adds(&b, "# code\tparticipants\tclass\n");
	for (i = 0; i < s->n_codes; i++) {
		if (s->codes[i].code_type != CODE_NORMAL)
			continue;
		snprintf(line, sizeof line, "%s\t%ld\t%d\n", s->codes[i].string_value, mp->freq[i],
		    classes_of(mp->freq[i], edges, k));
		buf_adds(&b, line);
	}
	if (gp_write_file(path, &b, &e) == -1)
		cli_fail(&e);
	buf_free(&b);
}

/* The admin scheme's Normal code whose string value is the feature's id, or NULL (no data). */
static const struct code *
feature_code(const struct code_scheme *s, const struct geo_feature *ft)
{
	for (size_t j = 0; j < s->n_codes; j++)
		if (s->codes[j].code_type == CODE_NORMAL && s->codes[j].string_value != NULL &&
		    strcmp(s->codes[j].string_value, ft->id) == 0)
			return &s->codes[j];
	return NULL;
}

/* The gnuplot commands for one map (the terminal is already set). */
static void
draw_map(struct buf *b, const struct family *f, const struct map *mp, const struct geom *gm, const char *poly,
    const char *out)
{
	const struct geo_layer *g = &f->geo;
	const struct code_scheme *s = f->admin->code_scheme;
	long vals[2000], edges[CLASSES_MAX];
	size_t nv = 0, i;
	int k, no_data = 0, cls;
	char line[600];
	struct { double x, y, hw, hh; } *placed = xmalloc(2 * g->n * sizeof *placed);
	size_t nplaced = 0;
	int pass;

	for (i = 0; i < s->n_codes && nv < 2000; i++)
		if (s->codes[i].code_type == CODE_NORMAL)
			vals[nv++] = mp->freq[i];
	k = classes_fisher_jenks(vals, nv, edges);

	buf_adds(b, "set output ");
	gp_quote(b, out);
	buf_adds(b, "\nset title ");
	gp_quote_wrapped(b, mp->title, 64);
	buf_adds(b, " font ',19'\nunset label\nunset arrow\n");
	snprintf(line, sizeof line, "array C[%zu]\n", g->n);
	buf_adds(b, line);
	for (i = 0; i < g->n; i++) {
		const struct code *c = feature_code(s, &g->f[i]);
		unsigned colour;

		if (c == NULL) {
			colour = COLOUR_NO_DATA;
			no_data = 1;
		} else
			colour = class_colour(classes_of(mp->freq[c->index], edges, k), k);
		snprintf(line, sizeof line, "C[%zu] = 0x%06x\n", i + 1, colour);
		buf_adds(b, line);
	}
	/* the values: first where the file places them, then at the centroid of features where the value fits
	 * inside and overlaps no other */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < g->n; i++) {
			const struct geo_feature *ft = &g->f[i];
			const struct code *c = feature_code(s, ft);
			double w = (ft->maxx - ft->minx) * g->coslat * gm->scale, h = (ft->maxy - ft->miny) * gm->scale;
			double px = geo_x(g, ft->label_lon) * gm->scale, py = geo_y(g, ft->label_lat) * gm->scale;
			double hw, hh = 10;
			char num[32];
			long v;
			size_t j;

			if (c == NULL || ft->has_label_prop != !pass)
				continue;
			v = mp->freq[c->index];
			cls = classes_of(v, edges, k);
			snprintf(num, sizeof num, "%ld", v);
			hw = (9.0 * strlen(num) + 6) / 2;
			if (pass == 1) {
				if (w < 4 * hw || h < 3.5 * hh || !geo_contains(ft, ft->label_lon, ft->label_lat))
					continue;
				for (j = 0; j < nplaced; j++)
					if (fabs(placed[j].x - px) < placed[j].hw + hw && fabs(placed[j].y - py) < placed[j].hh + hh)
						break;
				if (j < nplaced)
					continue;
			}
			placed[nplaced].x = px, placed[nplaced].y = py, placed[nplaced].hw = hw, placed[nplaced].hh = hh;
			nplaced++;
			snprintf(line, sizeof line, "set label %zu '%s' at %.6f,%.6f center front tc rgb '%s' "
			    "font ',13'\n", i + 1, num, geo_x(g, ft->label_lon), geo_y(g, ft->label_lat),
			    k > 0 && (double)cls / k > 0.6 && geo_contains(ft, ft->label_lon, ft->label_lat) ?
			    "#ffffff" : "#000000");
			buf_adds(b, line);
			if (ft->has_callout) {
				snprintf(line, sizeof line, "set arrow from %.6f,%.6f to %.6f,%.6f nohead lw 0.8 "
				    "lc rgb '#202020' front\n", geo_x(g, ft->label_lon), geo_y(g, ft->label_lat) - 0.12,
				    geo_x(g, ft->call_lon), geo_y(g, ft->call_lat));
				buf_adds(b, line);
			}
		}
	free(placed);
	buf_adds(b, "plot ");
	gp_quote(b, poly);
	buf_adds(b, " using 1:2:(C[int($3)]) with filledcurves closed fc rgb variable notitle, \\\n     ");
	gp_quote(b, poly);
	buf_adds(b, " using 1:2 with lines lc rgb '" COLOUR_EDGE "' lw 0.7 notitle");
	/* the legend: 0, then each class "lo - hi" (or one number), then "no data" */
	for (cls = 0; cls <= k; cls++) {
		long lo = cls <= 1 ? 1 : edges[cls - 2] + 1, hi = cls == 0 ? 0 : edges[cls - 1];

		if (cls == 0)
			snprintf(line, sizeof line, "0");
		else if (lo >= hi)
			snprintf(line, sizeof line, "%ld", hi);
		else
			snprintf(line, sizeof line, "%ld - %ld", lo, hi);
		buf_adds(b, ", \\\n     keyentry with boxes fc rgb ");
		snprintf(line + 100, 100, "'#%06x'", class_colour(cls, k));
		buf_adds(b, line + 100);
		buf_adds(b, " fs solid 1.0 border lc rgb '" COLOUR_EDGE "' title ");
		gp_quote(b, line);
	}
	if (no_data)
		buf_adds(b, ", \\\n     keyentry with boxes fc rgb '#c8c8c8' fs solid 1.0 border lc rgb '"
		    COLOUR_EDGE "' title 'no data'");
	buf_adds(b, "\n");
}

static void
map_title(struct map *mp, const struct family *f, const char *theme, const char *code)
{
	if (theme == NULL)
		snprintf(mp->title, sizeof mp->title, "Participants per %s", f->def->what);
	else if (code == NULL)
		snprintf(mp->title, sizeof mp->title, "%s: relevant participants per %s", theme, f->def->what);
	else
		snprintf(mp->title, sizeof mp->title, "%s, %s: participants per %s", theme, code, f->def->what);
}

static void
render_family(struct plotmap *m, struct family *f, const char *gnuplot, const char *outdir)
{
	struct map *maps = NULL;
	size_t nmaps = 0, i, c;
	struct buf script = { 0 }, name = { 0 };
	char *poly, *spath;
	struct geom gm = canvas(&f->geo);
	size_t ncodes = f->admin->code_scheme->n_codes;
	long *scratch;
	struct err e;
	int fmt;

	f->outdir = path_join(outdir, f->def->prefix);
	if (atomic_mkdirs(f->outdir, &e) == -1)
		cli_fail(&e);
	if ((f->tmpdir = gp_mkdtemp(f->outdir, "plot-map", &e)) == NULL)
		cli_fail(&e);

	/* the maps: total participants, then per theme the relevant total and each Normal theme code */
	scratch = xcalloc((1 + m->n_themes * (m->max_theme_codes + 1)) * ncodes, sizeof *scratch);
	maps = xcalloc(1 + m->n_themes * (m->max_theme_codes + 1), sizeof *maps);
	memcpy(scratch, f->total, ncodes * sizeof *scratch);
	maps[nmaps].freq = scratch;
	map_title(&maps[nmaps], f, NULL, NULL);
	buf_adds(&name, f->def->prefix);
	buf_adds(&name, "_total_participants");
	buf_addc(&name, '\0');
	nmaps++;
	for (i = 0; f->themes_wanted && i < m->n_themes; i++) {
		const struct code_scheme *ts = m->themes[i].cc->code_scheme;
		int idx = 1;

		for (c = 0; c <= ts->n_codes; c++) {
			const struct code *tcode = c == 0 ? NULL : &ts->codes[c - 1];
			char nb[600];

			if (tcode != NULL && tcode->code_type != CODE_NORMAL)
				continue;
			maps[nmaps].freq = scratch + nmaps * ncodes;
			memcpy(maps[nmaps].freq, &f->theme[theme_cell(m, f, i, c, 0)], ncodes * sizeof *scratch);
			if (tcode == NULL)
				snprintf(nb, sizeof nb, "%s_%s_1_total_relevant", f->def->prefix, m->themes[i].name);
			else
				snprintf(nb, sizeof nb, "%s_%s_%d_%s", f->def->prefix, m->themes[i].name, ++idx,
				    tcode->string_value);
			map_title(&maps[nmaps], f, m->themes[i].name,
			    tcode == NULL ? NULL : tcode->display_text ? tcode->display_text : tcode->string_value);
			buf_adds(&name, nb);
			buf_addc(&name, '\0');
			nmaps++;
		}
	}
	/* names live in one buffer: point at them now that it has stopped growing */
	{
		const char *p = name.p;

		for (i = 0; i < nmaps; i++) {
			maps[i].name = p;
			p += strlen(p) + 1;
		}
	}

	poly = path_join(f->tmpdir, "polygons.dat");
	write_polygons(f, poly);
	buf_adds(&script, "# plot-map: ");
	buf_adds(&script, f->def->prefix);
	buf_adds(&script, "\nset encoding utf8\nunset border\nunset tics\nunset xlabel\nunset ylabel\n"
	    "set size ratio -1\nset lmargin 3\nset rmargin 3\nset bmargin 2\nset tmargin 5\n"
	    "set key inside right bottom Left reverse samplen 2.2 spacing 1.3 width 1 "
	    "title 'Participants' noautotitle\nset style fill solid 1.0\n");
	for (fmt = GP_PNG; fmt <= GP_SVG; fmt <<= 1) {
		if (!(m->formats & fmt))
			continue;
		gp_terminal(&script, fmt, gm.w, gm.h, 16);
		for (i = 0; i < nmaps; i++) {
			struct buf out = { 0 };

			buf_adds(&out, maps[i].name);
			buf_addc(&out, '.');
			buf_adds(&out, gp_ext(fmt));
			buf_addc(&out, '\0');
			draw_map(&script, f, &maps[i], &gm, "polygons.dat", out.p);
			buf_free(&out);
		}
	}
	buf_adds(&script, "unset output\n");
	spath = path_join(f->tmpdir, "maps.gp");
	if (gp_write_file(spath, &script, &e) == -1 || gp_run(gnuplot, f->tmpdir, "maps.gp", "gnuplot.err", &e) == -1) {
		gp_rmdir(f->tmpdir);
		cli_fail(&e);
	}
	for (i = 0; i < nmaps; i++) {
		struct buf fn = { 0 };

		if (m->keep_data) {
			long vals[2000], edges[CLASSES_MAX];
			size_t nv = 0;
			int k;
			char *dpath;

			for (c = 0; c < ncodes && nv < 2000; c++)
				if (f->admin->code_scheme->codes[c].code_type == CODE_NORMAL)
					vals[nv++] = maps[i].freq[c];
			k = classes_fisher_jenks(vals, nv, edges);
			buf_adds(&fn, maps[i].name);
			buf_adds(&fn, ".dat");
			buf_addc(&fn, '\0');
			dpath = path_join(f->tmpdir, fn.p);
			write_data(f, &maps[i], edges, k, dpath);
			free(dpath);
			if (gp_publish(f->tmpdir, fn.p, f->outdir, &e) == -1)
				cli_fail(&e);
		}
		for (fmt = GP_PNG; fmt <= GP_SVG; fmt <<= 1) {
			if (!(m->formats & fmt))
				continue;
			fn.len = 0;
			buf_adds(&fn, maps[i].name);
			buf_addc(&fn, '.');
			buf_adds(&fn, gp_ext(fmt));
			buf_addc(&fn, '\0');
			if (gp_publish(f->tmpdir, fn.p, f->outdir, &e) == -1) {
				gp_rmdir(f->tmpdir);
				cli_fail(&e);
			}
		}
		buf_free(&fn);
	}
	gp_rmdir(f->tmpdir);
	m->maps += nmaps;
	if (m->verbose)
		cli_warn("%s: %zu maps in %s", f->def->prefix, nmaps, f->outdir);
	free(poly);
	free(spath);
	free(scratch);
	free(maps);
	buf_free(&name);
	buf_free(&script);
}

int
main(int argc, char **argv)
{
	struct plotmap m;
	const char *config = NULL, *plans = NULL, *schemes = NULL, *geo = NULL, *outdir = NULL;
	size_t max_record = 256u << 20;
	int skip_bad = 0, ch;
	struct cli_in in;
	struct acodes *tc, ac = { 0 };
	char *gnuplot;
	struct err e;
	size_t i;

	cli_init("plot-map");
	memset(&m, 0, sizeof m);
	m.formats = GP_PNG;
	while ((ch = getopt_long(argc, argv, "c:p:s:d:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'p': plans = optarg; break;
		case 's': schemes = optarg; break;
		case 'd': outdir = optarg; break;
		case OPT_GEO: geo = optarg; break;
		case OPT_FORMAT:
			if (gp_parse_formats(optarg, &m.formats, &e) == -1)
				cli_fail(&e);
			break;
		case OPT_KEEP_DATA: m.keep_data = 1; break;
		case 'q': m.quiet = 1; break;
		case 'v': m.verbose = 1; break;
		case CLI_OPT_MAX_RECORD: max_record = cli_max_record_arg(optarg); break;
		case CLI_OPT_SKIP_BAD: skip_bad = 1; break;
		case 'h': cli_help(help);
		case OPT_VERSION: cli_version();
		default: cli_usage(usage);
		}
	}
	if (outdir == NULL)
		cli_die(EX_USAGE, "-d OUTDIR is required");
	cli_pipeline_load(&m.pl, config, plans, schemes, 1);
	if (geo == NULL)
		geo = m.pl.cfg.automated_analysis.geo_dir;
	setup(&m, geo, config);
	if (m.n_fam == 0) {
		if (!m.quiet)
			cli_warn("the coding plans have no region, district or mogadishu_sub_district coding "
			    "configuration: nothing to map");
		free(m.themes);
		cli_pipeline_free(&m.pl);
		cli_exit(0);
	}
	if ((gnuplot = gp_find(&e)) == NULL)
		cli_fail(&e);

	tc = xcalloc(m.n_themes ? m.n_themes : 1, sizeof *tc);
	cli_in_init(&in, argc - optind, argv + optind, max_record, skip_bad);
	while (cli_in_next(&in))
		count(&m, &in, tc, &ac);
	cli_in_done(&in);

	for (i = 0; i < m.n_fam; i++)
		render_family(&m, &m.fam[i], gnuplot, outdir);
	if (m.verbose)
		cli_warn("%lu individuals, %lu opted in to some RQA dataset; %lu maps", m.individuals, m.opted_in,
		    m.maps);

	for (i = 0; i < m.n_themes; i++)
		ac_free(&tc[i]);
	free(tc);
	ac_free(&ac);
	for (i = 0; i < m.n_fam; i++) {
		geo_free(&m.fam[i].geo);
		free(m.fam[i].total);
		free(m.fam[i].theme);
		free(m.fam[i].outdir);
		free(m.fam[i].tmpdir);
	}
	free(m.themes);
	free(gnuplot);
	cli_pipeline_free(&m.pl);
	cli_exit(0);
}
