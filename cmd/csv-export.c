/* csv-export: production.csv, messages.csv and individuals.csv as the reference writes them (pipeline.md §5.6, §5.8). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "coding/label.h"
#include "config/config.h"
#include "config/plan.h"
#include "pipeline.h"
#include "records.h"
#include "util/atomic.h"
#include "util/csv.h"
#include "util/strmap.h"

static const char usage[] =
    "csv-export [-q] -c CONFIG [-p PLANS] [-s DIR] (--production | --messages | --individuals) [-o FILE] "
    "[--max-record SIZE] [--skip-bad] [file ...]";

static const char help[] =
    "usage: csv-export [-q] -c CONFIG [-p PLANS] [-s DIR] (--production | --messages | --individuals)\n"
    "                  [-o FILE] [--max-record SIZE] [--skip-bad] [file ...]\n"
    "Write one of the pipeline's CSV files from TracedData records, byte for byte as the reference does\n"
    "(Python csv, QUOTE_MINIMAL, \\n line ends; columns from the coding plans).\n"
    "\n"
    "  -c, --config FILE    pipeline configuration (locates the coding plans)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "      --production     uid, sent_on and the raw fields of the RQA then the survey plans, one row per record\n"
    "      --messages       the analysis columns, one row per message: uid, sent_on, consent_withdrawn, code\n"
    "                       string values (single-coded), 0/1 per code (multi-coded), raw fields\n"
    "      --individuals    the same for td-fold's records, without the coding configurations that are not\n"
    "                       in the individuals file, and sent_on only where a plan has it as its raw field\n"
    "  -o, --output FILE    write FILE atomically instead of standard output\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Records with consent_withdrawn \"true\" become rows of STOP (run td-consent --redact first: the\n"
    "reference's uid is then STOP too).\n"
    "Exit status: 0 ok, 64 usage, 65 bad record, 66 input missing, 73 cannot create FILE, 74 I/O error,\n"
    "78 bad configuration.\n";

enum { OPT_PRODUCTION = 2000, OPT_MESSAGES, OPT_INDIVIDUALS, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "production", no_argument, NULL, OPT_PRODUCTION },
	{ "messages", no_argument, NULL, OPT_MESSAGES },
	{ "individuals", no_argument, NULL, OPT_INDIVIDUALS },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

#define KEY(s) (s), strlen(s)
#define CONSENT_KEY "consent_withdrawn"

enum file_kind { PRODUCTION, MESSAGES, INDIVIDUALS };

/* A coding configuration's analysis columns: the key (single-coded), or one column per scheme code (multi-coded). */
struct cc_columns {
	const struct coding_config *cc;
	size_t column;			/* SINGLE */
	size_t *code_column;		/* MULTIPLE: by the code's index in the scheme */
};

struct exporter {
	enum file_kind kind;
	const char **columns;		/* deduplicated, in order */
	size_t n_columns;
	struct strmap index;		/* column name -> position */
	struct cc_columns *ccs;		/* the ccs whose analysis columns this file fills */
	size_t n_ccs;
	size_t uid_col, consent_col;
	/* one row */
	const char **cell;		/* NULL: not set (written empty) */
	size_t *cell_len;
	struct buf text;		/* Python str() of values, NUL-separated */
	size_t *cell_off;		/* offsets into text for cells taken from the record (SIZE_MAX: a literal) */
};

static void
add_column(struct exporter *x, const char *name)
{
	int created;

	/* export_to_csv de-duplicates its keys, keeping the first occurrence. */
	strmap_put(&x->index, name, strlen(name), x->n_columns, &created);
	if (!created)
		return;
	x->columns = xrealloc(x->columns, (x->n_columns + 1) * sizeof *x->columns);
	x->columns[x->n_columns++] = name;
}

static size_t
column_of(const struct exporter *x, const char *name)
{
	return strmap_get(&x->index, name, strlen(name))->value;
}

/* Multi-coded column names, "<analysis key>_<code string value>", owned by the exporter. */
static char **owned_names;
static size_t n_owned_names;

static const char *
matrix_name(const char *key, const char *string_value)
{
	size_t n = strlen(key) + strlen(string_value) + 2;
	char *s = xmalloc(n);

	snprintf(s, n, "%s_%s", key, string_value);
	owned_names = xrealloc(owned_names, (n_owned_names + 1) * sizeof *owned_names);
	owned_names[n_owned_names++] = s;
	return s;
}

/* ProductionFile.generate: uid, sent_on, the RQA raw fields, then the survey plans' (each once). */
static void
production_columns(struct exporter *x, const struct coding_plans *plans)
{
	size_t n;
	const struct coding_plan *p;

	add_column(x, "uid");
	add_column(x, "sent_on");
	p = plans_rqa(plans, &n);
	for (size_t i = 0; i < n; i++)
		add_column(x, p[i].raw_field);
	p = plans_survey(plans, &n);
	for (size_t i = 0; i < n; i++)
		add_column(x, p[i].raw_field);
}

/* AnalysisFile.generate's export_keys (src/analysis_file.py:91-114), sent_on second in the messages file. */
static void
analysis_columns(struct exporter *x, const struct coding_plans *plans)
{
	size_t n;
	const struct coding_plan *all = plans_all(plans, &n);

	add_column(x, "uid");
	if (x->kind == MESSAGES)
		add_column(x, "sent_on");
	add_column(x, CONSENT_KEY);
	for (size_t p = 0; p < n; p++) {
		for (size_t k = 0; k < all[p].n_ccs; k++) {
			const struct coding_config *cc = &all[p].ccs[k];
			const struct code_scheme *s = cc->code_scheme;
			if (cc->analysis_file_key == NULL)
				continue;
			if (cc->coding_mode == CODING_SINGLE) {
				add_column(x, cc->analysis_file_key);
			} else {
				for (size_t c = 0; c < s->n_codes; c++)
					add_column(x, matrix_name(cc->analysis_file_key, s->codes[c].string_value));
			}
		}
		add_column(x, all[p].raw_field);
	}
	/* The ccs whose codes are converted, in plan order; the individuals file leaves some out. */
	for (size_t p = 0; p < n; p++) {
		for (size_t k = 0; k < all[p].n_ccs; k++) {
			const struct coding_config *cc = &all[p].ccs[k];
			struct cc_columns *col;
			if (cc->analysis_file_key == NULL || (x->kind == INDIVIDUALS && !cc->include_in_individuals_file))
				continue;
			x->ccs = xrealloc(x->ccs, (x->n_ccs + 1) * sizeof *x->ccs);
			col = &x->ccs[x->n_ccs++];
			memset(col, 0, sizeof *col);
			col->cc = cc;
			if (cc->coding_mode == CODING_SINGLE) {
				col->column = column_of(x, cc->analysis_file_key);
			} else {
				const struct code_scheme *s = cc->code_scheme;
				col->code_column = xcalloc(s->n_codes ? s->n_codes : 1, sizeof *col->code_column);
				for (size_t c = 0; c < s->n_codes; c++) {
					char name[4096];
					snprintf(name, sizeof name, "%s_%s", cc->analysis_file_key, s->codes[c].string_value);
					col->code_column[c] = column_of(x, name);
				}
			}
		}
	}
	x->uid_col = column_of(x, "uid");
	x->consent_col = column_of(x, CONSENT_KEY);
}

/* ---- rows ---- */

static void
set_literal(struct exporter *x, size_t col, const char *s)
{
	x->cell[col] = s;
	x->cell_len[col] = strlen(s);
	x->cell_off[col] = SIZE_MAX;
}

/* Python str() of a value (DictWriter's cell), kept in x->text. */
static void
set_value(struct exporter *x, size_t col, const struct td_val *v)
{
	size_t start = x->text.len;

	json_python_str(&x->text, v->doc, v->idx);
	x->cell[col] = "";
	x->cell_off[col] = start;
	x->cell_len[col] = x->text.len - start;
}

/* get_code_with_code_id(label["CodeID"]) for a coded field's label. */
static int
code_of(const struct coding_config *cc, struct json_doc *d, uint32_t i, const struct code **code, struct err *e)
{
	struct label_view l;

	if (d->nodes[i].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "\"%s\": expected a label (a JSON object with a CodeID)", cc->coded_field);
	label_read(d, i, &l);
	if (l.code_id == NULL)
		return err_set(e, EX_DATAERR, "\"%s\": a label without a CodeID", cc->coded_field);
	if ((*code = label_code(cc->code_scheme, &l)) == NULL)
		return err_set(e, EX_DATAERR, "\"%s\": code id '%.*s' is not in code scheme %s (%s)", cc->coded_field,
		    (int)l.code_id_len, l.code_id, cc->code_scheme->scheme_id, cc->code_scheme->path);
	return 0;
}

/* export_to_csv's row (src/analysis_file.py:33-76), or TracedDataCSVIO's for the production file. */
static int
build_row(struct exporter *x, struct td *t, struct err *e)
{
	const struct td_val *v;

	x->text.len = 0;
	for (size_t i = 0; i < x->n_columns; i++)
		x->cell[i] = NULL;
	if (x->kind == PRODUCTION) {
		/* td.get(key): absent and hidden keys are None, an empty cell. */
		for (size_t i = 0; i < x->n_columns; i++)
			if ((v = td_get(t, KEY(x->columns[i]))) != NULL)
				set_value(x, i, v);
		return 0;
	}
	if ((v = td_get(t, KEY(CONSENT_KEY))) == NULL)
		return err_set(e, EX_DATAERR, "no \"%s\" (run td-consent first)", CONSENT_KEY);
	if (v->doc->nodes[v->idx].type == JV_STRING && json_str_eq(v->doc, v->idx, "true", 4)) {
		/* Consent withdrawn: STOP everywhere, with the record's uid and consent_withdrawn. */
		const struct td_val *uid = td_get(t, KEY("uid"));
		if (uid == NULL)
			return err_set(e, EX_DATAERR, "no \"uid\" (expected the participant's id)");
		for (size_t i = 0; i < x->n_columns; i++)
			set_literal(x, i, "STOP");
		set_value(x, x->uid_col, uid);
		set_value(x, x->consent_col, v);
		return 0;
	}
	for (size_t k = 0; k < x->n_ccs; k++) {
		const struct cc_columns *col = &x->ccs[k];
		const struct coding_config *cc = col->cc;
		const struct code *code;
		struct json_doc *d;

		if ((v = td_get(t, KEY(cc->coded_field))) == NULL)
			return err_set(e, EX_DATAERR, "no \"%s\" (expected the coded field of every coding configuration "
			    "with an analysis key)", cc->coded_field);
		d = v->doc;
		if (cc->coding_mode == CODING_SINGLE) {
			if (code_of(cc, d, v->idx, &code, e) == -1)
				return -1;
			set_literal(x, col->column, code->string_value);
			continue;
		}
		if (d->nodes[v->idx].type != JV_ARRAY)
			return err_set(e, EX_DATAERR, "\"%s\": expected a list of labels (CodingMode MULTIPLE)",
			    cc->coded_field);
		for (uint32_t i = v->idx + 1; i < d->nodes[v->idx].next; i = d->nodes[i].next) {
			if (code_of(cc, d, i, &code, e) == -1)
				return -1;
			set_literal(x, col->code_column[code->index], "1");
		}
		for (size_t c = 0; c < cc->code_scheme->n_codes; c++)
			if (x->cell[col->code_column[c]] == NULL)
				set_literal(x, col->code_column[c], "0");
	}
	/* Every other export key the record holds, as it is. */
	for (size_t i = 0; i < x->n_columns; i++)
		if (x->cell[i] == NULL && (v = td_get(t, KEY(x->columns[i]))) != NULL)
			set_value(x, i, v);
	return 0;
}

static void
write_row(struct exporter *x, struct csvw *w)
{
	for (size_t i = 0; i < x->n_columns; i++) {
		if (x->cell[i] == NULL)
			csvw_null(w);
		else if (x->cell_off[i] != SIZE_MAX)
			csvw_field(w, x->text.p + x->cell_off[i], x->cell_len[i]);
		else
			csvw_field(w, x->cell[i], x->cell_len[i]);
	}
	csvw_end_row(w);
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *output = NULL;
	struct cli_pipeline pl;
	struct exporter x;
	struct atomic_file af;
	struct cli_in in;
	struct csvw w;
	struct err e;
	size_t max_record = 0;
	int quiet = 0, skip_bad = 0, kinds = 0, opt;
	FILE *fp = stdout;

	memset(&x, 0, sizeof x);
	cli_init("csv-export");
	while ((opt = getopt_long(argc, argv, "c:p:s:o:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			plans_path = optarg;
			break;
		case 's':
			schemes = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_PRODUCTION:
			x.kind = PRODUCTION;
			kinds++;
			break;
		case OPT_MESSAGES:
			x.kind = MESSAGES;
			kinds++;
			break;
		case OPT_INDIVIDUALS:
			x.kind = INDIVIDUALS;
			kinds++;
			break;
		case 'q':
			quiet = 1;
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
	if (kinds != 1)
		cli_die(EX_USAGE, "give exactly one of --production, --messages and --individuals");
	cli_pipeline_load(&pl, config_path, plans_path, schemes, 1);
	if (x.kind == PRODUCTION)
		production_columns(&x, &pl.plans);
	else
		analysis_columns(&x, &pl.plans);
	x.cell = xcalloc(x.n_columns, sizeof *x.cell);
	x.cell_len = xcalloc(x.n_columns, sizeof *x.cell_len);
	x.cell_off = xcalloc(x.n_columns, sizeof *x.cell_off);

	if (output != NULL) {
		if (atomic_open(&af, output, &e) == -1)
			cli_fail(&e);
		fp = af.fp;
	}
	csvw_init(&w, fp);
	csvw_row(&w, x.columns, x.n_columns);
	cli_in_init(&in, argc - optind, argv + optind, max_record, skip_bad);
	while (cli_in_next(&in)) {
		if (build_row(&x, &in.td, &e) == -1) {
			if (!skip_bad)
				cli_in_fail(&in, &e);
			in.skipped++;
			if (!quiet)
				cli_warn("%s: %s (skipped)", cli_in_where(&in), e.msg);
			continue;
		}
		write_row(&x, &w);
	}
	cli_in_done(&in);
	if (output != NULL) {
		if (csvw_error(&w))
			cli_die(EX_IOERR, "%s: write error", output);
		if (atomic_commit(&af, &e) == -1)
			cli_fail(&e);
	}
	for (size_t k = 0; k < x.n_ccs; k++)
		free(x.ccs[k].code_column);
	for (size_t i = 0; i < n_owned_names; i++)
		free(owned_names[i]);
	free(owned_names);
	free(x.ccs);
	free(x.columns);
	free(x.cell);
	free(x.cell_len);
	free(x.cell_off);
	buf_free(&x.text);
	strmap_free(&x.index);
	cli_pipeline_free(&pl);
	cli_exit(0);
}
