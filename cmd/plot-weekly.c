/* plot-weekly: messages and participants per week, and the distribution of the codes of every code scheme over
 * the season, drawn with gnuplot. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "config/config.h"
#include "config/plan.h"
#include "pipeline.h"
#include "plot/acodes.h"
#include "plot/gnuplot.h"
#include "records.h"
#include "util/atomic.h"
#include "util/isotime.h"
#include "util/strmap.h"

static const char usage[] =
    "plot-weekly [-qv] -c CONFIG [-p PLANS] [-s DIR] -d OUTDIR [-k KEY] [--tz ZONE] [--format png,svg] "
    "[--keep-data] [--max-record SIZE] messages [individuals]";

static const char help[] =
    "usage: plot-weekly [-qv] -c CONFIG [-p PLANS] [-s DIR] -d OUTDIR [-k KEY] [--tz ZONE]\n"
    "                   [--format png,svg] [--keep-data] [--max-record SIZE] messages [individuals]\n"
    "Draw, from the messages TracedData (and the individuals TracedData when given), with gnuplot:\n"
    "messages_per_week and participants_per_week (ISO weeks starting on Monday, from the week of the\n"
    "project's start to the week of its end), and codes_KEY for every coding configuration in the theme\n"
    "distribution: the messages (RQA plans) or participants (survey plans) labelled with each code.\n"
    "\n"
    "  -c, --config FILE    pipeline configuration (project dates, coding plans)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "  -d, --outdir DIR     where the graphs are written\n"
    "  -k, --key KEY        the messages' time (default sent_on)\n"
    "      --tz ZONE        weeks in this time zone: +03:00, -0500, UTC or a name such as Africa/Mogadishu\n"
    "                       (default: the UTC offset of ProjectStartDate)\n"
    "      --format LIST    png (default), svg, or png,svg\n"
    "      --keep-data      also write each graph's numbers as NAME.dat\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print counts on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 1 gnuplot failed, 64 usage, 65 bad record, 66 input missing, 69 gnuplot not installed,\n"
    "73 cannot create output, 74 I/O error, 78 bad configuration.\n";

enum { OPT_TZ = 2000, OPT_FORMAT, OPT_KEEP_DATA, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "outdir", required_argument, NULL, 'd' },
	{ "key", required_argument, NULL, 'k' },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "keep-data", no_argument, NULL, OPT_KEEP_DATA },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "max-record", required_argument, NULL, CLI_OPT_MAX_RECORD },
	{ NULL, 0, NULL, 0 },
};

/* ---- time zones and weeks ---- */

struct zone {
	int fixed;		/* a fixed offset */
	int offset_min;
	const char *name;	/* an IANA name (TZ is set to it) */
	char label[80];		/* for the axis: "UTC+03:00", "Africa/Mogadishu" */
};

static int
parse_offset(const char *s, int *min)
{
	int h, m = 0, n = 0, sign;

	if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0) {
		*min = 0;
		return 0;
	}
	if (s[0] != '+' && s[0] != '-')
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	if (sscanf(s + 1, "%2d:%2d%n", &h, &m, &n) == 2 && s[1 + n] == '\0' && n == 5)
		;
	else if (sscanf(s + 1, "%2d%2d%n", &h, &m, &n) == 2 && s[1 + n] == '\0' && n == 4)
		;
	else if (sscanf(s + 1, "%2d%n", &h, &n) == 1 && s[1 + n] == '\0' && n == 2)
		m = 0;
	else
		return -1;
	if (h > 23 || m > 59)
		return -1;
	*min = sign * (h * 60 + m);
	return 0;
}

static void
offset_label(char *buf, size_t n, int min)
{
	if (min == 0)
		snprintf(buf, n, "UTC");
	else
		snprintf(buf, n, "UTC%c%02d:%02d", min < 0 ? '-' : '+', abs(min) / 60, abs(min) % 60);
}

static void
zone_init(struct zone *z, const char *arg, const struct isotime *start)
{
	struct stat st;
	const char *dir = getenv("TZDIR");
	char path[4096];

	memset(z, 0, sizeof *z);
	if (arg == NULL) {
		z->fixed = 1;
		z->offset_min = start->offset_min;
		offset_label(z->label, sizeof z->label, z->offset_min);
		return;
	}
	if (parse_offset(arg, &z->offset_min) == 0) {
		z->fixed = 1;
		offset_label(z->label, sizeof z->label, z->offset_min);
		return;
	}
	snprintf(path, sizeof path, "%s/%s", dir != NULL && *dir ? dir : "/usr/share/zoneinfo", arg);
	if (arg[0] == '/' || arg[0] == '.' || strstr(arg, "..") != NULL || stat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode))
		cli_die(EX_USAGE, "--tz %s: not a UTC offset (+03:00) or a time zone name (Africa/Mogadishu)", arg);
	if (setenv("TZ", arg, 1) == -1)
		cli_die(EX_OSERR, "setenv: %s", strerror(errno));
	tzset();
	z->name = arg;
	snprintf(z->label, sizeof z->label, "%s", arg);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The local day number (days since 1970-01-01 in the zone) of an instant. */
static int64_t
local_day(const struct zone *z, int64_t usec)
{
	int64_t secs = floor_div(usec, 1000000);
	long off;

	if (z->fixed)
		off = z->offset_min * 60L;
	else {
		time_t t = (time_t)secs;
		struct tm tm;

		localtime_r(&t, &tm);
		off = tm.tm_gmtoff;
	}
	return floor_div(secs + off, 86400);
}

/* The Monday that starts the week of day d. 1970-01-01 was a Thursday. */
static int64_t
week_start(int64_t d)
{
	return d - (((d + 3) % 7) + 7) % 7;
}

static void
civil(int64_t z, int *y, int *m, int *d)
{
	int64_t era, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doy = z - era * 146097;
	yoe = (doy - doy / 1460 + doy / 36524 - doy / 146096) / 365;
	*y = (int)(yoe + era * 400);
	doy = doy - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y += *m <= 2;
}

static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* ISO year and week of the week starting on Monday ws: the year of its Thursday. */
static void
iso_week(int64_t ws, int *year, int *week)
{
	int y, m, d;

	civil(ws + 3, &y, &m, &d);
	*year = y;
	*week = (int)((ws + 3 - days_from_civil(y, 1, 1)) / 7 + 1);
}

static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec" };

/* ---- counting ---- */

struct week {
	long messages;
	long participants;
};

struct dist {
	const struct coding_config *cc;
	int over_individuals;	/* survey plans: participants, else messages */
	long *count;		/* [code index] */
	long records;		/* records counted (not withdrawn, with some code) */
};

struct weekly {
	struct cli_pipeline pl;
	struct zone zone;
	const char *key;
	int64_t first, last;	/* week starts (local day numbers) */
	int64_t start_week, end_week;	/* of ProjectStartDate and of ProjectEndDate (exclusive) */
	struct week *weeks;
	size_t n_weeks;
	struct dist *dists;
	size_t n_dists;
	int formats, keep_data, quiet, verbose;
	unsigned long messages, withdrawn, individuals;
};

static void
add_dists(struct weekly *w, const struct coding_plan *plans, size_t n, int individuals)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < plans[i].n_ccs; j++) {
			const struct coding_config *cc = &plans[i].ccs[j];
			size_t k;

			if (!cc->include_in_theme_distribution || cc->analysis_file_key == NULL)
				continue;
			for (k = 0; k < w->n_dists; k++)
				if (strcmp(w->dists[k].cc->coded_field, cc->coded_field) == 0)
					break;
			if (k < w->n_dists)
				continue;
			w->dists = xrealloc(w->dists, (w->n_dists + 1) * sizeof *w->dists);
			w->dists[w->n_dists].cc = cc;
			w->dists[w->n_dists].over_individuals = individuals;
			w->dists[w->n_dists].count = xcalloc(cc->code_scheme->n_codes + 1, sizeof(long));
			w->dists[w->n_dists].records = 0;
			w->n_dists++;
		}
}

static void
count_codes(struct weekly *w, struct cli_in *in, int individuals, struct acodes *ac)
{
	struct err e;

	for (size_t i = 0; i < w->n_dists; i++) {
		struct dist *d = &w->dists[i];

		if (d->over_individuals != individuals)
			continue;
		if (ac_codes(ac, &in->td, d->cc, &e) == -1)
			cli_in_fail(in, &e);
		if (ac->n > 0)
			d->records++;
		for (size_t k = 0; k < ac->n; k++) {
			size_t j;

			for (j = 0; j < k; j++)	/* a code twice in one record counts once */
				if (ac->v[j] == ac->v[k])
					break;
			if (j == k)
				d->count[ac->v[k]->index]++;
		}
	}
}

/* Messages and distinct participants per week. Memory grows with the (week, participant) pairs, not the
 * messages: a pair is a key of one map ("<week day number>/<uid>"), a week a key of another. */
static void
read_messages(struct weekly *w, const char *file, size_t max_record, struct acodes *ac)
{
	struct cli_in in;
	char *files[1] = { (char *)file };
	struct strmap weeks = { 0 }, pairs = { 0 };
	struct { int64_t day; long messages, participants; } *seen = NULL;
	struct buf key = { 0 };
	size_t i;
	struct err e;

	w->first = INT64_MAX;
	w->last = INT64_MIN;
	cli_in_init(&in, 1, files, max_record, 0);
	while (cli_in_next(&in)) {
		struct td *t = &in.td;
		const char *s, *u;
		size_t len, ulen;
		struct isotime it;
		struct strmap_entry *we;
		int64_t day;
		char num[24];
		int created;

		if (ac_withdrew(t)) {
			w->withdrawn++;
			continue;
		}
		if ((s = td_get_str(t, w->key, strlen(w->key), &len)) == NULL) {
			err_set(&e, EX_DATAERR, "no \"%s\" (expected the message's time as an ISO 8601 string)", w->key);
			cli_in_fail(&in, &e);
		}
		if (iso_parse(s, len, &it, &e) == -1) {
			err_prefix(&e, "\"%s\"", w->key);
			cli_in_fail(&in, &e);
		}
		if (!it.has_offset) {
			err_set(&e, EX_DATAERR, "\"%s\": %.*s has no UTC offset", w->key, (int)len, s);
			cli_in_fail(&in, &e);
		}
		if ((u = td_get_str(t, "uid", 3, &ulen)) == NULL) {
			err_set(&e, EX_DATAERR, "no \"uid\" (expected the participant's id as a string)");
			cli_in_fail(&in, &e);
		}
		day = week_start(local_day(&w->zone, it.usec));
		snprintf(num, sizeof num, "%lld", (long long)day);
		we = strmap_put(&weeks, num, strlen(num), weeks.n, &created);
		if (created) {
			seen = xrealloc(seen, weeks.n * sizeof *seen);
			seen[we->value].day = day;
			seen[we->value].messages = seen[we->value].participants = 0;
		}
		seen[we->value].messages++;
		key.len = 0;
		buf_adds(&key, num);
		buf_addc(&key, '/');
		buf_add(&key, u, ulen);
		strmap_put(&pairs, key.p, key.len, 0, &created);
		if (created)
			seen[we->value].participants++;
		if (day < w->first)
			w->first = day;
		if (day > w->last)
			w->last = day;
		w->messages++;
		count_codes(w, &in, 0, ac);
	}
	cli_in_done(&in);
	/* the weeks: from the project's start (unless it is more than a year before the first message) to the last
	 * message, and on to the project's end when that is at most 8 weeks later */
	if (weeks.n == 0)
		w->first = w->last = w->start_week;
	else {
		if (w->start_week < w->first && w->first - w->start_week <= 52 * 7)
			w->first = w->start_week;
		if (w->end_week > w->last && w->end_week - w->last <= 8 * 7)
			w->last = w->end_week;
	}
	w->n_weeks = (size_t)((w->last - w->first) / 7 + 1);
	w->weeks = xcalloc(w->n_weeks, sizeof *w->weeks);
	for (i = 0; i < weeks.n; i++) {
		struct week *wk = &w->weeks[(seen[i].day - w->first) / 7];

		wk->messages = seen[i].messages;
		wk->participants = seen[i].participants;
	}
	free(seen);
	buf_free(&key);
	strmap_free(&weeks);
	strmap_free(&pairs);
}

static void
read_individuals(struct weekly *w, const char *file, size_t max_record, struct acodes *ac)
{
	struct cli_in in;
	char *files[1] = { (char *)file };

	cli_in_init(&in, 1, files, max_record, 0);
	while (cli_in_next(&in)) {
		w->individuals++;
		if (ac_withdrew(&in.td))
			continue;
		count_codes(w, &in, 1, ac);
	}
	cli_in_done(&in);
}

/* ---- drawing ---- */

#define BAR_COLOUR "#993e46"
#define BAR_COLOUR_2 "#3e6e99"

struct graph {
	char name[300];		/* file name without extension */
	struct buf data;	/* the .dat file */
	struct buf plot;	/* gnuplot commands after "set terminal" */
	int w, h;
};

static void
week_graph(struct weekly *w, struct graph *g, int participants, const char *dat)
{
	char line[300];
	size_t i;
	long max = 0;
	int many = w->n_weeks > 20;
	size_t every = w->n_weeks / 36 + 1;	/* rotated labels: at most 36 */
	int y0, m0, d0, y1, m1, d1;

	snprintf(g->name, sizeof g->name, "%s_per_week", participants ? "participants" : "messages");
	buf_adds(&g->data, participants ? "# week_start\tiso_week\tparticipants\tlabel\n" :
	    "# week_start\tiso_week\tmessages\tlabel\n");
	for (i = 0; i < w->n_weeks; i++) {
		int64_t ws = w->first + 7 * (int64_t)i;
		int y, m, d, iy, iw;
		long v = participants ? w->weeks[i].participants : w->weeks[i].messages;

		civil(ws, &y, &m, &d);
		iso_week(ws, &iy, &iw);
		if (many && i % every != 0)
			snprintf(line, sizeof line, "%04d-%02d-%02d\t%04d-W%02d\t%ld\t\n", y, m, d, iy, iw, v);
		else if (many)
			snprintf(line, sizeof line, "%04d-%02d-%02d\t%04d-W%02d\t%ld\tW%02d %d %s\n", y, m, d, iy, iw, v,
			    iw, d, months[m - 1]);
		else
			snprintf(line, sizeof line, "%04d-%02d-%02d\t%04d-W%02d\t%ld\tW%02d\\n%d %s\n", y, m, d, iy,
			    iw, v, iw, d, months[m - 1]);
		buf_adds(&g->data, line);
		if (v > max)
			max = v;
	}
	civil(w->first, &y0, &m0, &d0);
	civil(w->first + 7 * (int64_t)(w->n_weeks - 1), &y1, &m1, &d1);
	g->w = (int)(w->n_weeks * (many ? 60 : 90) + 260);
	if (g->w < 1000)
		g->w = 1000;
	if (g->w > 2600)
		g->w = 2600;
	g->h = 640;
	buf_adds(&g->plot, "set label 1 ");
	snprintf(line, sizeof line, "%s per week", participants ? "Participants who sent messages" :
	    "Messages");
	gp_quote(&g->plot, line);
	buf_adds(&g->plot, " at screen 0.5, screen 1 offset 0,-1.6 center font ',19'\nset tmargin 5\nset xlabel ");
	snprintf(line, sizeof line, "Week starting on Monday (ISO week number), %04d-%02d-%02d to %04d-%02d-%02d, %s",
	    y0, m0, d0, y1, m1, d1, w->zone.label);
	gp_quote(&g->plot, line);
	buf_adds(&g->plot, "\nset ylabel ");
	gp_quote(&g->plot, participants ? "Participants" : "Messages");
	snprintf(line, sizeof line, "\nset xrange [-0.6:%zu.6]\nset yrange [0:%ld]\n", w->n_weeks - 1,
	    max < 4 ? 5 : max + max / 8 + 1);
	buf_adds(&g->plot, line);
	buf_adds(&g->plot, many ? "set xtics rotate by 45 right\n" : "set xtics norotate\nset bmargin 6.5\nset xlabel offset 0,-1.4\n");
	buf_adds(&g->plot, "set style fill solid 1.0 border lc rgb '#303030'\nset boxwidth 0.7\n"
	    "set grid ytics lc rgb '#c0c0c0' lw 1 dt 1\nset ytics nomirror\nset xtics nomirror scale 0\n"
	    "set border 3 lc rgb '#303030'\nunset key\nset datafile separator '\\t'\n");
	if (max < 10)
		buf_adds(&g->plot, "set ytics 1\n");
	buf_adds(&g->plot, "plot ");
	gp_quote(&g->plot, dat);
	buf_adds(&g->plot, " using 0:3:xticlabels(stringcolumn(4)) notitle with boxes lc rgb '");
	buf_adds(&g->plot, participants ? BAR_COLOUR_2 : BAR_COLOUR);
	buf_adds(&g->plot, "', \\\n     ");
	gp_quote(&g->plot, dat);
	buf_adds(&g->plot, " using 0:3:($3 > 0 ? sprintf('%d', $3) : '') notitle with labels offset 0,0.8 font ',12'\n");
}

/* A data-file field: tabs, newlines and other control characters become spaces. */
static void
add_field(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addc(b, (unsigned char)*s < 0x20 ? ' ' : *s);
}

static void
code_graph(struct weekly *w, struct dist *d, struct graph *g, const char *dat)
{
	const struct code_scheme *s = d->cc->code_scheme;
	size_t i, rows = 0;
	long max = 0;
	char line[700];

	snprintf(g->name, sizeof g->name, "codes_%s", d->cc->analysis_file_key);
	struct buf tics = { 0 };

	/* the data file: code, count, label (gnuplot reads the first two columns only; the tic labels are quoted in
	 * the script, so any text is safe) */
	buf_adds(&g->data, "# code\tcount\tlabel\n");
	buf_adds(&tics, "set ytics (");
	for (i = 0; i < s->n_codes; i++) {
		const struct code *c = &s->codes[i];
		const char *label = c->display_text ? c->display_text : c->string_value;

		if (c->code_type != CODE_NORMAL && d->count[i] == 0)
			continue;
		add_field(&g->data, c->string_value ? c->string_value : c->code_id);
		snprintf(line, sizeof line, "\t%ld\t", d->count[i]);
		buf_adds(&g->data, line);
		add_field(&g->data, label);
		buf_addc(&g->data, '\n');
		if (rows > 0)
			buf_adds(&tics, ", ");
		gp_quote(&tics, label);
		snprintf(line, sizeof line, " -%zu", rows);
		buf_adds(&tics, line);
		if (d->count[i] > max)
			max = d->count[i];
		rows++;
	}
	buf_adds(&tics, ")\n");
	g->w = 1100;
	g->h = (int)(rows * 26 + 200);
	if (g->h < 420)
		g->h = 420;
	buf_adds(&g->plot, "set label 1 ");
	snprintf(line, sizeof line, "%s: %s per code over the season", d->cc->analysis_file_key,
	    d->over_individuals ? "participants" : "messages");
	gp_quote(&g->plot, line);
	buf_adds(&g->plot, " at screen 0.5, screen 1 offset 0,-1.6 center font ',19'\nset tmargin 5\nset xlabel ");
	snprintf(line, sizeof line, "%s (%ld labelled%s)", d->over_individuals ? "Participants" : "Messages",
	    d->records, d->cc->coding_mode == CODING_MULTIPLE ? "; one can have several codes" : "");
	gp_quote(&g->plot, line);
	buf_adds(&g->plot, "\nset ylabel ");
	snprintf(line, sizeof line, "Code (%s)", s->name ? s->name : d->cc->coded_field);
	gp_quote(&g->plot, line);
	snprintf(line, sizeof line, "\nset yrange [-%zu.7:0.7]\nset xrange [0:%ld]\n", rows ? rows - 1 : 0,
	    max < 4 ? 5 : max + max / 6 + 1);
	buf_adds(&g->plot, line);
	buf_adds(&g->plot, "set style fill solid 1.0 border lc rgb '#303030'\nset grid xtics lc rgb '#c0c0c0' "
	    "lw 1 dt 1\nset xtics nomirror\nset ytics nomirror scale 0 font ',12'\nset border 3 lc rgb '#303030'\n"
	    "unset key\nset datafile separator '\\t'\n");
	if (max < 10)
		buf_adds(&g->plot, "set xtics 1\n");
	if (rows > 0)
		buf_add(&g->plot, tics.p, tics.len);
	buf_free(&tics);
	buf_adds(&g->plot, "plot ");
	gp_quote(&g->plot, dat);
	buf_adds(&g->plot, " using (0):(-$0):(0):2:(-$0-0.35):(-$0+0.35) notitle with boxxyerror lc rgb '"
	    BAR_COLOUR "', \\\n     ");
	gp_quote(&g->plot, dat);
	buf_adds(&g->plot, " using 2:(-$0):(sprintf('%d', $2)) notitle with labels left offset 0.6,0 font ',12'\n");
}

static char *
join(const char *a, const char *b, const char *ext)
{
	size_t n = strlen(a) + strlen(b) + (ext ? strlen(ext) : 0) + 3;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s%s%s", a, b, ext ? "." : "", ext ? ext : "");
	return p;
}

static void
render(struct weekly *w, const char *gnuplot, const char *outdir)
{
	size_t ng = 0, i;
	struct graph *g = xcalloc(2 + w->n_dists, sizeof *g);
	struct buf script = { 0 }, fn = { 0 };
	char *tmp, *path, *spath;
	struct err e;
	int fmt;

	if (atomic_mkdirs(outdir, &e) == -1)
		cli_fail(&e);
	if ((tmp = gp_mkdtemp(outdir, "plot-weekly", &e)) == NULL)
		cli_fail(&e);
	for (i = 0; i < 2; i++) {
		week_graph(w, &g[ng++], (int)i, i ? "participants_per_week.dat" : "messages_per_week.dat");
	}
	for (i = 0; i < w->n_dists; i++) {
		if (w->dists[i].over_individuals && w->individuals == 0 && w->dists[i].records == 0)
			continue;
		{
			char name[300];

			snprintf(name, sizeof name, "codes_%s.dat", w->dists[i].cc->analysis_file_key);
			code_graph(w, &w->dists[i], &g[ng++], name);
		}
	}
	buf_adds(&script, "# plot-weekly\nset encoding utf8\n");
	for (i = 0; i < ng; i++) {
		path = join(tmp, g[i].name, "dat");
		if (gp_write_file(path, &g[i].data, &e) == -1) {
			gp_rmdir(tmp);
			cli_fail(&e);
		}
		free(path);
	}
	for (fmt = GP_PNG; fmt <= GP_SVG; fmt <<= 1) {
		if (!(w->formats & fmt))
			continue;
		for (i = 0; i < ng; i++) {
			buf_adds(&script, "reset\n");
			gp_terminal(&script, fmt, g[i].w, g[i].h, 13);
			buf_adds(&script, "set output ");
			fn.len = 0;
			buf_adds(&fn, g[i].name);
			buf_addc(&fn, '.');
			buf_adds(&fn, gp_ext(fmt));
			buf_addc(&fn, '\0');
			gp_quote(&script, fn.p);
			buf_addc(&script, '\n');
			buf_add(&script, g[i].plot.p, g[i].plot.len);
		}
	}
	buf_adds(&script, "unset output\n");
	spath = join(tmp, "graphs", "gp");
	if (gp_write_file(spath, &script, &e) == -1 || gp_run(gnuplot, tmp, "graphs.gp", "gnuplot.err", &e) == -1) {
		gp_rmdir(tmp);
		cli_fail(&e);
	}
	for (i = 0; i < ng; i++) {
		for (fmt = GP_PNG; fmt <= GP_SVG * 2; fmt <<= 1) {
			const char *ext = fmt > GP_SVG ? "dat" : gp_ext(fmt);

			if (fmt > GP_SVG ? !w->keep_data : !(w->formats & fmt))
				continue;
			fn.len = 0;
			buf_adds(&fn, g[i].name);
			buf_addc(&fn, '.');
			buf_adds(&fn, ext);
			buf_addc(&fn, '\0');
			if (gp_publish(tmp, fn.p, outdir, &e) == -1) {
				gp_rmdir(tmp);
				cli_fail(&e);
			}
		}
		if (w->verbose)
			cli_warn("%s/%s", outdir, g[i].name);
		buf_free(&g[i].data);
		buf_free(&g[i].plot);
	}
	gp_rmdir(tmp);
	free(tmp);
	free(spath);
	free(g);
	buf_free(&script);
	buf_free(&fn);
}

int
main(int argc, char **argv)
{
	struct weekly w;
	const char *config = NULL, *plans = NULL, *schemes = NULL, *outdir = NULL, *tz = NULL;
	size_t max_record = 256u << 20, n, i;
	const struct coding_plan *p;
	struct acodes ac = { 0 };
	char *gnuplot;
	struct err e;
	int ch;

	cli_init("plot-weekly");
	memset(&w, 0, sizeof w);
	w.formats = GP_PNG;
	w.key = "sent_on";
	while ((ch = getopt_long(argc, argv, "c:p:s:d:k:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 'p': plans = optarg; break;
		case 's': schemes = optarg; break;
		case 'd': outdir = optarg; break;
		case 'k': w.key = optarg; break;
		case OPT_TZ: tz = optarg; break;
		case OPT_FORMAT:
			if (gp_parse_formats(optarg, &w.formats, &e) == -1)
				cli_fail(&e);
			break;
		case OPT_KEEP_DATA: w.keep_data = 1; break;
		case 'q': w.quiet = 1; break;
		case 'v': w.verbose = 1; break;
		case CLI_OPT_MAX_RECORD: max_record = cli_max_record_arg(optarg); break;
		case 'h': cli_help(help);
		case OPT_VERSION: cli_version();
		default: cli_usage(usage);
		}
	}
	if (outdir == NULL)
		cli_die(EX_USAGE, "-d OUTDIR is required");
	if (argc - optind < 1 || argc - optind > 2)
		cli_usage(usage);
	cli_pipeline_load(&w.pl, config, plans, schemes, 1);
	zone_init(&w.zone, tz, &w.pl.cfg.project_start);
	if ((gnuplot = gp_find(&e)) == NULL)
		cli_fail(&e);
	w.start_week = week_start(local_day(&w.zone, w.pl.cfg.project_start.usec));
	w.end_week = week_start(local_day(&w.zone, w.pl.cfg.project_end.usec - 1));
	p = plans_rqa(&w.pl.plans, &n);
	add_dists(&w, p, n, 0);
	if (argc - optind == 2) {
		p = plans_survey(&w.pl.plans, &n);
		add_dists(&w, p, n, 1);
	}
	read_messages(&w, argv[optind], max_record, &ac);
	if (argc - optind == 2)
		read_individuals(&w, argv[optind + 1], max_record, &ac);
	render(&w, gnuplot, outdir);
	if (w.verbose)
		cli_warn("%lu messages in %zu weeks (%lu of participants who withdrew consent left out); "
		    "%lu individuals", w.messages, w.n_weeks, w.withdrawn, w.individuals);

	free(w.weeks);
	for (i = 0; i < w.n_dists; i++)
		free(w.dists[i].count);
	free(w.dists);
	ac_free(&ac);
	free(gnuplot);
	cli_pipeline_free(&w.pl);
	cli_exit(0);
}
