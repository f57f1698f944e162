/* td-filter: keep the records that pass every test — the pipeline's message filters and ad-hoc predicates. */
#include <getopt.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pipeline.h"
#include "records.h"
#include "util/isotime.h"

static const char usage[] =
    "td-filter [-qv] [--invert] [-c CONFIG [-p PLANS] [-s DIR]] [--rqa-raw] [--test-runs] [--non-empty KEY ...] "
    "[--window KEY=START/END ...] [--has KEY ...] [--eq KEY=VALUE ...] [--match KEY=REGEX ...] "
    "[--max-record SIZE] [--skip-bad] [file ...]";

static const char help[] =
    "usage: td-filter [-qv] [--invert] [-c CONFIG [-p PLANS] [-s DIR]] [--rqa-raw] [--test-runs]\n"
    "                 [--non-empty KEY ...]\n"
    "                 [--window KEY=START/END ...] [--has KEY ...] [--eq KEY=VALUE ...] [--match KEY=REGEX ...]\n"
    "                 [--max-record SIZE] [--skip-bad] [file ...]\n"
    "Keep the records that pass every test given; records are written unchanged.\n"
    "\n"
    "  -c, --config FILE       the filters the configuration enables (pipeline.md 5.4.1): test runs if\n"
    "                          FilterTestMessages, records without an RQA raw field, and the project window\n"
    "                          ProjectStartDate/ProjectEndDate on the RQA plans' time field\n"
    "  -p, --plans FILE        coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR       code schemes directory (default: the config's CodeSchemesDir)\n"
    "      --rqa-raw           only the plans' empty-message filter: keep records holding an RQA raw\n"
    "                          field (the reference's pre-filter before wrong-scheme correction); with -c\n"
    "                          the configuration only locates the plans\n"
    "      --test-runs         drop records whose test_run is true (Python truthiness: true, 1, \"yes\")\n"
    "      --non-empty KEY     keep records holding at least one of the KEYs (repeatable; \"\" counts)\n"
    "      --window KEY=START/END\n"
    "                          keep records with START <= KEY < END (ISO-8601 instants with offsets;\n"
    "                          an empty START or END is open); a record without KEY is an error\n"
    "      --has KEY           keep records that have KEY (repeatable)\n"
    "      --eq KEY=VALUE      keep records whose KEY is the string VALUE, or equals VALUE read as JSON\n"
    "      --match KEY=REGEX   keep records whose string KEY matches the POSIX extended REGEX\n"
    "      --invert            write the records that would have been dropped instead\n"
    "      --max-record N      refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad          skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet             print nothing but errors\n"
    "  -v, --verbose           print counts on standard error\n"
    "  -h, --help              this help\n"
    "      --version           print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record, 66 input missing, 78 bad configuration.\n";

enum { OPT_RQA_RAW = 1999, OPT_TEST_RUNS = 2000, OPT_NON_EMPTY, OPT_WINDOW, OPT_HAS, OPT_EQ, OPT_MATCH, OPT_INVERT, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "test-runs", no_argument, NULL, OPT_TEST_RUNS },
	{ "rqa-raw", no_argument, NULL, OPT_RQA_RAW },
	{ "non-empty", required_argument, NULL, OPT_NON_EMPTY },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "has", required_argument, NULL, OPT_HAS },
	{ "eq", required_argument, NULL, OPT_EQ },
	{ "match", required_argument, NULL, OPT_MATCH },
	{ "invert", no_argument, NULL, OPT_INVERT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct window {
	const char **keys;	/* the record must hold exactly one of these */
	size_t nkeys;
	int64_t start, end;	/* [start, end) in UTC microseconds */
	const char *text;	/* as given, for messages */
};

struct pred {
	enum { P_HAS, P_EQ, P_MATCH } kind;
	char *key;
	char *value;
	regex_t re;
	struct json_doc *json;		/* --eq VALUE parsed as JSON, when it is JSON (NULL otherwise) */
	uint32_t json_root;
};

struct filter {
	int test_runs;
	const char **rqa_raw;		/* -c: keep records holding at least one RQA raw field */
	size_t n_rqa_raw;
	const char **non_empty;
	size_t n_non_empty;
	struct window *windows;
	size_t n_windows;
	struct pred *preds;
	size_t n_preds;
	int invert;
};

#define KEY(s) (s), strlen(s)

/* Python truthiness of a JSON value. */
static int
truthy(const struct td_val *v)
{
	const struct json_node *n;

	if (v == NULL)
		return 0;
	n = &v->doc->nodes[v->idx];
	switch (n->type) {
	case JV_NULL:
	case JV_FALSE:
		return 0;
	case JV_TRUE:
		return 1;
	case JV_STRING:
		return n->len > 0;
	case JV_ARRAY:
	case JV_OBJECT:
		return n->count > 0;
	default: {
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%.*s", (int)(n->len < 63 ? n->len : 63), n->p);
		return strtod(tmp, NULL) != 0;
	}
	}
}

static void
add_window(struct filter *f, const char **keys, size_t nkeys, int64_t start, int64_t end, const char *text)
{
	f->windows = xrealloc(f->windows, (f->n_windows + 1) * sizeof *f->windows);
	f->windows[f->n_windows++] = (struct window){ keys, nkeys, start, end, text };
}

/* KEY=START/END with ISO-8601 instants; either side may be empty (open). */
static void
parse_window_arg(struct filter *f, char *arg)
{
	char *eq = strchr(arg, '='), *slash;
	struct isotime t;
	struct err e;
	int64_t start = INT64_MIN, end = INT64_MAX;

	if (eq == NULL || eq == arg || (slash = strchr(eq + 1, '/')) == NULL)
		cli_die(EX_USAGE, "--window: expected KEY=START/END, got '%s'", arg);
	*eq = '\0';
	*slash = '\0';
	if (eq[1] != '\0') {
		if (iso_parse(eq + 1, strlen(eq + 1), &t, &e) == -1)
			cli_die(EX_USAGE, "--window: %s", e.msg);
		if (!t.has_offset)
			cli_die(EX_USAGE, "--window: '%s' has no UTC offset (instants need one, e.g. +03:00 or Z)", eq + 1);
		start = t.usec;
	}
	if (slash[1] != '\0') {
		if (iso_parse(slash + 1, strlen(slash + 1), &t, &e) == -1)
			cli_die(EX_USAGE, "--window: %s", e.msg);
		if (!t.has_offset)
			cli_die(EX_USAGE, "--window: '%s' has no UTC offset (instants need one, e.g. +03:00 or Z)",
			    slash + 1);
		end = t.usec;
	}
	const char **keys = xmalloc(sizeof *keys);
	keys[0] = arg;
	add_window(f, keys, 1, start, end, arg);
}

static void
add_pred(struct filter *f, int kind, const char *arg, const char *opt)
{
	struct pred p = { 0 };
	char *eq;

	p.kind = kind;
	p.key = xstrdup(arg);
	if (kind != P_HAS) {
		if ((eq = strchr(p.key, '=')) == NULL || eq == p.key)
			cli_die(EX_USAGE, "--%s: expected KEY=%s, got '%s'", opt, kind == P_EQ ? "VALUE" : "REGEX", arg);
		*eq = '\0';
		p.value = eq + 1;
		if (kind == P_EQ) {
			p.json = xcalloc(1, sizeof *p.json);
			if (json_parse(p.json, p.value, strlen(p.value), &p.json_root, NULL) == -1) {
				json_free(p.json);
				free(p.json);
				p.json = NULL;
			}
		}
		if (kind == P_MATCH) {
			int rc = regcomp(&p.re, p.value, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char msg[256];
				regerror(rc, &p.re, msg, sizeof msg);
				cli_die(EX_USAGE, "--match: '%s': %s", p.value, msg);
			}
		}
	}
	f->preds = xrealloc(f->preds, (f->n_preds + 1) * sizeof *f->preds);
	f->preds[f->n_preds++] = p;
}

static int
check_pred(struct pred *p, struct td *t, struct buf *scratch)
{
	const struct td_val *v = td_get(t, KEY(p->key));
	size_t len;
	const char *s;

	if (v == NULL)
		return 0;
	switch (p->kind) {
	case P_HAS:
		return 1;
	case P_EQ:
		if (v->doc->nodes[v->idx].type == JV_STRING) {
			s = json_str(v->doc, v->idx, &len);
			return len == strlen(p->value) && memcmp(s, p->value, len) == 0;
		}
		/* A non-string value equals VALUE read as JSON, by Python's == (1 == 1.0, dicts in any order). */
		return p->json != NULL && json_value_equal(v->doc, v->idx, p->json, p->json_root);
	case P_MATCH:
		if (v->doc->nodes[v->idx].type != JV_STRING)
			return 0;
		s = json_str(v->doc, v->idx, &len);
		scratch->len = 0;
		buf_add(scratch, s, len);
		buf_addc(scratch, '\0');
		return regexec(&p->re, scratch->p, 0, NULL, 0) == 0;
	}
	return 0;
}

/* 1 keep, 0 drop, -1 error (e filled). */
static int
keep_record(struct filter *f, struct td *t, struct buf *scratch, struct err *e)
{
	if (f->test_runs && truthy(td_get(t, KEY("test_run"))))
		return 0;
	if (f->n_rqa_raw) {
		size_t i;
		for (i = 0; i < f->n_rqa_raw; i++)
			if (td_get(t, KEY(f->rqa_raw[i])) != NULL)
				break;
		if (i == f->n_rqa_raw)
			return 0;
	}
	if (f->n_non_empty) {
		size_t i;
		for (i = 0; i < f->n_non_empty; i++)
			if (td_get(t, KEY(f->non_empty[i])) != NULL)
				break;
		if (i == f->n_non_empty)
			return 0;
	}
	for (size_t w = 0; w < f->n_windows; w++) {
		struct window *win = &f->windows[w];
		const char *key = NULL, *s;
		size_t found = 0, len;
		struct isotime when;
		for (size_t i = 0; i < win->nkeys; i++)
			if (td_get(t, KEY(win->keys[i])) != NULL) {
				key = win->keys[i];
				found++;
			}
		if (found != 1)
			return err_set(e, EX_DATAERR, found == 0 ? "no \"%s\" to test against the time window" :
			    "more than one time key for the time window (\"%s\" and another)", win->keys[0]);
		if ((s = td_get_str(t, KEY(key), &len)) == NULL)
			return err_set(e, EX_DATAERR, "\"%s\" is not a string (expected an ISO-8601 date-time)", key);
		if (iso_parse(s, len, &when, e) == -1)
			return err_prefix(e, "\"%s\"", key);
		if (!when.has_offset)
			return err_set(e, EX_DATAERR, "\"%s\": '%.*s' has no UTC offset", key, (int)len, s);
		if (when.usec < win->start || when.usec >= win->end)
			return 0;
	}
	for (size_t i = 0; i < f->n_preds; i++)
		if (!check_pred(&f->preds[i], t, scratch))
			return 0;
	return 1;
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL;
	struct cli_pipeline pl = { 0 };
	struct filter f = { 0 };
	size_t max_record = 0;
	int quiet = 0, verbose = 0, skip_bad = 0, c;
	unsigned long kept = 0;
	struct cli_in in;
	struct buf scratch = { 0 };
	struct err e;
	const char **config_keys = NULL, **time_keys = NULL;
	int rqa_raw_only = 0;

	cli_init("td-filter");
	while ((c = getopt_long(argc, argv, "c:p:s:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			plans_path = optarg;
			break;
		case 's':
			schemes = optarg;
			break;
		case OPT_RQA_RAW:
			rqa_raw_only = 1;
			break;
		case OPT_TEST_RUNS:
			f.test_runs = 1;
			break;
		case OPT_NON_EMPTY:
			f.non_empty = xrealloc(f.non_empty, (f.n_non_empty + 1) * sizeof *f.non_empty);
			f.non_empty[f.n_non_empty++] = optarg;
			break;
		case OPT_WINDOW:
			parse_window_arg(&f, optarg);
			break;
		case OPT_HAS:
			add_pred(&f, P_HAS, optarg, "has");
			break;
		case OPT_EQ:
			add_pred(&f, P_EQ, optarg, "eq");
			break;
		case OPT_MATCH:
			add_pred(&f, P_MATCH, optarg, "match");
			break;
		case OPT_INVERT:
			f.invert = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case CLI_OPT_MAX_RECORD:
			max_record = cli_max_record_arg(optarg);
			break;
		case CLI_OPT_SKIP_BAD:
			skip_bad = 1;
			break;
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if (rqa_raw_only && config_path == NULL && plans_path == NULL)
		cli_die(EX_USAGE, "--rqa-raw needs the coding plans: give -p PLANS or -c CONFIG");
	if (!rqa_raw_only && config_path == NULL && (plans_path != NULL || schemes != NULL))
		cli_die(EX_USAGE, "--plans and --schemes need --config or --rqa-raw");
	if (config_path != NULL || rqa_raw_only) {
		size_t n, nt = 0;
		const struct coding_plan *rqa;
		cli_pipeline_load(&pl, config_path, plans_path, schemes, 0);
		if (pl.cfg.filter_test_messages && !rqa_raw_only)
			f.test_runs = 1;
		/* The empty-message filter on the RQA raw fields, then the project window on their time fields. */
		rqa = plans_rqa(&pl.plans, &n);
		config_keys = xcalloc(n + 1, sizeof *config_keys);
		time_keys = xcalloc(n + 1, sizeof *time_keys);
		for (size_t i = 0; i < n; i++) {
			config_keys[i] = rqa[i].raw_field;
			if (rqa[i].time_field == NULL)
				continue;
			size_t j;
			for (j = 0; j < nt; j++)
				if (strcmp(time_keys[j], rqa[i].time_field) == 0)
					break;
			if (j == nt)
				time_keys[nt++] = rqa[i].time_field;
		}
		f.rqa_raw = config_keys;
		f.n_rqa_raw = n;
		if (nt > 0 && !rqa_raw_only) {
			/* The config's window goes first, as the reference filters before anything else. */
			struct window w = { time_keys, nt, pl.cfg.project_start.usec, pl.cfg.project_end.usec, "project" };
			f.windows = xrealloc(f.windows, (f.n_windows + 1) * sizeof *f.windows);
			memmove(f.windows + 1, f.windows, f.n_windows * sizeof *f.windows);
			f.windows[0] = w;
			f.n_windows++;
		}
	}
	cli_in_init(&in, argc - optind, argv + optind, max_record, skip_bad);
	while (cli_in_next(&in)) {
		int keep = keep_record(&f, &in.td, &scratch, &e);
		if (keep == -1) {
			if (!skip_bad)
				cli_in_fail(&in, &e);
			in.skipped++;
			cli_warn("%s: %s (skipped)", cli_in_where(&in), e.msg);
			continue;
		}
		if (keep != f.invert) {
			kept++;
			fwrite(in.td.line, 1, in.td.len, stdout);
			putchar('\n');
		}
	}
	if (verbose && !quiet)
		cli_warn("%lu records, %lu kept", in.records, kept);
	cli_in_done(&in);
	for (size_t i = 0; i < f.n_preds; i++) {
		if (f.preds[i].kind == P_MATCH)
			regfree(&f.preds[i].re);
		if (f.preds[i].json != NULL) {
			json_free(f.preds[i].json);
			free(f.preds[i].json);
		}
		free(f.preds[i].key);
	}
	free(f.preds);
	for (size_t i = 0; i < f.n_windows; i++)
		if (f.windows[i].keys != time_keys)
			free(f.windows[i].keys);
	free(f.windows);
	free(f.non_empty);
	free(config_keys);
	free(time_keys);
	buf_free(&scratch);
	if (config_path != NULL || rqa_raw_only)
		cli_pipeline_free(&pl);
	cli_exit(0);
}
