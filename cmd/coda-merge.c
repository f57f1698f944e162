/* coda-merge: apply the manual codes of the coded Coda files to every message (pipeline.md §5.7). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "coding/clean.h"
#include "coding/coda.h"
#include "coding/somalia.h"
#include "config/config.h"
#include "config/plan.h"
#include "pipeline.h"
#include "records.h"
#include "util/strmap.h"

static const char usage[] =
    "coda-merge [-qv] -c CONFIG [-p PLANS] [-s DIR] --coded-dir DIR [-u USER] [--max-record SIZE] [--skip-bad] "
    "[file ...]";

static const char help[] =
    "usage: coda-merge [-qv] -c CONFIG [-p PLANS] [-s DIR] --coded-dir DIR [-u USER] [--max-record SIZE]\n"
    "                  [--skip-bad] [file ...]\n"
    "Apply the coded Coda files to the messages, as the reference's apply_manual_codes: import the labels\n"
    "(checked ones count, others are NR) and the WS - Correct Dataset codes, NA for a missing answer, NC for\n"
    "an empty one, re-run the cleaners that need no verification as checked, impute age categories and\n"
    "Somali locations, and mark coding errors (CE). Each record gets one history entry.\n"
    "\n"
    "  -c, --config FILE    the pipeline configuration\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "      --coded-dir DIR  the downloaded coded Coda files (a missing file counts as empty)\n"
    "  -u, --user USER      Metadata.User of the entries made (default $TD_USER, $USER@host)\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print counts on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record or Coda file, 66 input missing, 78 bad configuration.\n";

enum { OPT_VERSION = 2000, OPT_CODED_DIR };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "coded-dir", required_argument, NULL, OPT_CODED_DIR },
	{ "user", required_argument, NULL, 'u' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

#define KEY(s) (s), strlen(s)

struct merge_plan {
	const struct coding_plan *plan;
	const struct coda_file *coda;	/* NULL: the plan has no Coda file */
	char *correct;			/* "{raw_field}_correct_dataset" */
	char **clean_origin;		/* per cc with a cleaner to re-run: its labels' OriginID */
};

struct merge {
	struct merge_plan *plans;
	size_t n_plans;
	const struct code_scheme *wss;	/* WS - Correct Dataset, or NULL */
	struct coda_file *codas;
	size_t n_codas;
	struct cleaners *cleaners;
	const struct coding_config *operator_cc;	/* "operator_coded", for the zone imputation */
	struct coda_import ci;
	const char *now;
	struct buf label;
	int quiet;
	const char *where;
	unsigned long coding_errors, ce_skipped;
};

static const struct label_origin origin_missing = {
	"tdtools:coda-merge:missing", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
static const struct label_origin origin_empty = {
	"tdtools:coda-merge:empty", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
static const struct label_origin origin_noise = {
	"tdtools:coda-merge:noise", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
static const struct label_origin origin_age = {
	"tdtools:coda-merge:impute-age-category", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
static const struct label_origin origin_location = {
	"tdtools:coda-merge:impute-somalia-location", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
static const struct label_origin origin_ce = {
	"tdtools:coda-merge:coding-error", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };

/* Set key to a new label of code c (a list of one for MULTIPLE). */
static int
set_label(struct merge *m, struct td *t, const char *key, const struct code *c, enum coding_mode mode,
    const struct label_origin *o, int checked, struct err *e)
{
	m->label.len = 0;
	if (mode == CODING_MULTIPLE)
		buf_addc(&m->label, '[');
	label_encode(&m->label, c->scheme, c, o, m->now, checked);
	if (mode == CODING_MULTIPLE)
		buf_addc(&m->label, ']');
	return td_set_json_canonical(t, KEY(key), m->label.p, m->label.len, e);
}

static const struct code *
control_code(const struct code_scheme *s, const char *control, struct err *e)
{
	const struct code *c = scheme_code_by_control(s, control);

	if (c == NULL)
		err_set(e, EX_DATAERR, "code scheme %s (%s) has no %s control code", s->scheme_id, s->path, control);
	return c;
}

static int
set_control(struct merge *m, struct td *t, const struct coding_config *cc, const char *control,
    const struct label_origin *o, struct err *e)
{
	const struct code *c = control_code(cc->code_scheme, control, e);

	if (c == NULL)
		return err_prefix(e, "\"%s\"", cc->coded_field);
	return set_label(m, t, cc->coded_field, c, cc->coding_mode, o, 0, e);
}

/* The code a single-coded key holds; the reference raises KeyError if the key is absent. */
static const struct code *
coded(struct td *t, const struct coding_config *cc, struct err *e)
{
	const struct td_val *v = td_get(t, KEY(cc->coded_field));

	if (v == NULL) {
		err_set(e, EX_DATAERR, "\"%s\" is missing", cc->coded_field);
		return NULL;
	}
	return coda_label_code(v, cc->code_scheme, cc->coded_field, e);
}

static int
is_string_empty(const struct td_val *v)
{
	return v != NULL && v->doc->nodes[v->idx].type == JV_STRING && v->doc->nodes[v->idx].len == 0;
}

/* Step 1: the Coda imports, into every manually verified cc and into "{raw}_correct_dataset". */
static int
import_codes(struct merge *m, struct td *t, struct err *e)
{
	for (size_t i = 0; i < m->n_plans; i++) {
		const struct merge_plan *mp = &m->plans[i];
		const struct coding_plan *plan = mp->plan;
		if (mp->coda == NULL)
			continue;
		for (size_t k = 0; k < plan->n_ccs; k++) {
			const struct coding_config *cc = &plan->ccs[k];
			if (cc->requires_manual_verification && coda_import(&m->ci, t, mp->coda, plan->id_field,
			    cc->coded_field, cc->code_scheme, cc->coding_mode, e) == -1)
				return -1;
		}
		if (m->wss != NULL && coda_import_single(&m->ci, t, mp->coda, plan->id_field, mp->correct, m->wss, e) == -1)
			return -1;
	}
	return 0;
}

/* Steps 2 and 3: NA for a missing answer, NC for an empty one; NC for noise without a code. */
static int
missing_and_empty(struct merge *m, struct td *t, struct err *e)
{
	const struct td_val *noise;

	for (size_t i = 0; i < m->n_plans; i++) {
		const struct coding_plan *plan = m->plans[i].plan;
		for (size_t k = 0; k < plan->n_ccs; k++)
			if (td_get(t, KEY(plan->ccs[k].raw_field)) == NULL
			    && set_control(m, t, &plan->ccs[k], "NA", &origin_missing, e) == -1)
				return -1;
		for (size_t k = 0; k < plan->n_ccs; k++)
			if (is_string_empty(td_get(t, KEY(plan->ccs[k].raw_field)))
			    && set_control(m, t, &plan->ccs[k], "NC", &origin_empty, e) == -1)
				return -1;
	}
	/* AutoCode never sets "noise" (pipeline.md §5.4.1), so this runs only on records that carry one. */
	noise = td_get(t, KEY("noise"));
	if (noise == NULL || !coda_truthy(noise->doc, noise->idx))
		return 0;
	for (size_t i = 0; i < m->n_plans; i++) {
		const struct coding_plan *plan = m->plans[i].plan;
		if (plan->group != PLAN_RQA)
			continue;
		for (size_t k = 0; k < plan->n_ccs; k++)
			if (td_get(t, KEY(plan->ccs[k].coded_field)) == NULL
			    && set_control(m, t, &plan->ccs[k], "NC", &origin_noise, e) == -1)
				return -1;
	}
	return 0;
}

/* Step 4: the cleaners of the ccs that need no verification, again, their labels Checked. */
static int
rerun_cleaners(struct merge *m, struct td *t, struct err *e)
{
	for (size_t i = 0; i < m->n_plans; i++) {
		const struct merge_plan *mp = &m->plans[i];
		for (size_t k = 0; k < mp->plan->n_ccs; k++) {
			const struct coding_config *cc = &mp->plan->ccs[k];
			const struct td_val *raw;
			const struct code *c;
			const char *match;
			struct label_origin o = { mp->clean_origin[k], LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
			if (cc->cleaner.kind == CLEANER_NONE || cc->requires_manual_verification)
				continue;
			if ((raw = td_get(t, KEY(cc->raw_field))) == NULL)
				continue;
			if (clean_apply(m->cleaners, cc, raw, &match, e) == -1)
				return -1;
			if (clean_failed(m->cleaners, e))
				return -1;
			if (strcmp(match, CLEAN_NC) == 0)
				continue;
			if ((c = scheme_code_by_match_value(cc->code_scheme, match)) == NULL)
				return err_set(e, EX_DATAERR, "\"%s\": cleaner %s gave '%s', which is no match value of %s",
				    cc->coded_field, cc->cleaner.name, match, cc->code_scheme->scheme_id);
			if (set_label(m, t, cc->coded_field, c, cc->coding_mode, &o, 1, e) == -1)
				return -1;
		}
	}
	return 0;
}

/* impute_age_category: the age code's category, meta or control code. */
static int
impute_age_category(struct merge *m, struct td *t, const struct coding_plan *plan, struct err *e)
{
	static const struct { long long lo, hi; const char *category; } ranges[] = {
		{ 10, 14, "10 to 14" }, { 15, 17, "15 to 17" }, { 18, 35, "18 to 35" }, { 36, 54, "36 to 54" },
		{ 55, 99, "55 to 99" },
	};
	const struct coding_config *age_cc = &plan->ccs[0], *category_cc = &plan->ccs[1];
	const struct code_scheme *cs = category_cc->code_scheme;
	const struct code *age = coded(t, age_cc, e), *category = NULL;

	if (age == NULL)
		return -1;
	switch (age->code_type) {
	case CODE_NORMAL: {
		const char *name = NULL;
		for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
			if (ranges[i].lo <= age->numeric_value && age->numeric_value <= ranges[i].hi)
				name = ranges[i].category;
		if (name == NULL)
			return err_set(e, EX_DATAERR, "\"%s\": age %lld is in no age category (10 to 99)",
			    age_cc->coded_field, age->numeric_value);
		category = scheme_code_by_match_value(cs, name);
		break;
	}
	case CODE_META:
		category = scheme_code_by_meta(cs, age->meta_code);
		break;
	case CODE_CONTROL:
		category = scheme_code_by_control(cs, age->control_code);
		break;
	}
	if (category == NULL)
		return err_set(e, EX_DATAERR, "\"%s\": %s has no code for age code %s", category_cc->coded_field,
		    cs->scheme_id, age->code_id);
	return set_label(m, t, category_cc->coded_field, category, CODING_SINGLE, &origin_age, 0, e);
}

/* make_location_code: NC is the control code, anything else a match value. */
static const struct code *
location_code(const struct code_scheme *s, const char *value, struct err *e)
{
	const struct code *c = strcmp(value, SOMALIA_NC) == 0 ? scheme_code_by_control(s, "NC")
	    : scheme_code_by_match_value(s, value);

	if (c == NULL)
		err_set(e, EX_DATAERR, "code scheme %s (%s) has no code for location '%s'", s->scheme_id, s->path, value);
	return c;
}

static int
is_control(const struct code *c, const char *control)
{
	return c->control_code != NULL && strcmp(c->control_code, control) == 0;
}

/*
 * impute_somalia_location_codes: the one location code given in Coda (CE if several disagree, NR if none)
 * sets all five levels; then a participant without a location answer gets their zone from their operator,
 * which the reference gets wrong (state_for_location_code of a zone): it is always NC.
 */
static int
impute_somalia_location(struct merge *m, struct td *t, const struct coding_plan *plan, struct err *e)
{
	const struct coding_config *ccs = plan->ccs;
	const struct code *loc = NULL, *c;

	for (size_t k = 0; k < 5; k++) {
		if ((c = coded(t, &ccs[k], e)) == NULL)
			return -1;
		if (loc != NULL) {
			if (!(strcmp(c->code_id, loc->code_id) == 0 || is_control(c, "NR"))
			    && (loc = control_code(ccs[0].code_scheme, "CE", e)) == NULL)
				return -1;
		} else if (!is_control(c, "NR")) {
			loc = c;
		}
	}
	if (loc == NULL && (loc = control_code(ccs[0].code_scheme, "NR", e)) == NULL)
		return -1;
	if (loc->code_type == CODE_CONTROL || loc->code_type == CODE_META) {
		for (size_t k = 0; k < 5; k++) {
			const struct code_scheme *s = ccs[k].code_scheme;
			c = loc->code_type == CODE_CONTROL ? scheme_code_by_control(s, loc->control_code)
			    : scheme_code_by_meta(s, loc->meta_code);
			if (c == NULL)
				return err_set(e, EX_DATAERR, "\"%s\": %s has no %s code '%s'", ccs[k].coded_field,
				    s->scheme_id, scheme_code_type_name(loc->code_type),
				    loc->code_type == CODE_CONTROL ? loc->control_code : loc->meta_code);
			if (set_label(m, t, ccs[k].coded_field, c, CODING_SINGLE, &origin_location, 0, e) == -1)
				return -1;
		}
	} else {
		const char *levels[5];
		if (loc->n_match_values == 0)
			return err_set(e, EX_DATAERR, "location code %s of %s has no match value", loc->code_id,
			    loc->scheme->scheme_id);
		const char *location = loc->match_values[0];
		levels[0] = somalia_mogadishu_sub_district(location);
		levels[1] = somalia_district(location);
		levels[2] = somalia_region(location);
		levels[3] = somalia_state(location);
		levels[4] = somalia_zone(location);
		for (size_t k = 0; k < 5; k++) {
			if ((c = location_code(ccs[k].code_scheme, levels[k], e)) == NULL
			    || set_label(m, t, ccs[k].coded_field, c, CODING_SINGLE, &origin_location, 0, e) == -1)
				return err_prefix(e, "\"%s\"", ccs[k].coded_field);
		}
	}
	if (td_get(t, KEY(plan->raw_field)) == NULL) {
		const char *zone = SOMALIA_NC;
		const struct td_val *v;
		if (m->operator_cc != NULL && (v = td_get(t, KEY(m->operator_cc->coded_field))) != NULL) {
			const struct code *op = coda_label_code(v, m->operator_cc->code_scheme, m->operator_cc->coded_field, e);
			if (op == NULL)
				return -1;
			zone = somalia_zone_for_operator(op->string_value);
		}
		/* The reference's bug, kept: a zone is no state, so this is NC for every operator. */
		if ((c = location_code(ccs[4].code_scheme, somalia_state(zone), e)) == NULL
		    || set_label(m, t, ccs[4].coded_field, c, CODING_SINGLE, &origin_location, 0, e) == -1)
			return err_prefix(e, "\"%s\"", ccs[4].coded_field);
	}
	return 0;
}

static void
print_coding_error(const char *where, const char *raw_field, struct td *t)
{
	const struct td_val *v = td_get(t, KEY(raw_field));
	struct buf text = { 0 };

	if (v != NULL)
		json_encode(&text, v->doc, v->idx, 0);
	else
		buf_adds(&text, "(absent)");
	cli_warn("%s: coding error: %s: %.*s", where, raw_field, (int)text.len, text.p);
	buf_free(&text);
}

/* Step 6, _impute_coding_error_codes: a WS code in the plan's scheme without a move code, or the reverse. */
static int
impute_coding_errors(struct merge *m, struct td *t, struct err *e)
{
	for (size_t i = 0; i < m->n_plans; i++) {
		const struct merge_plan *mp = &m->plans[i];
		const struct coding_plan *plan = mp->plan;
		const struct td_val *v;
		const struct code *c;
		int in_scheme = 0, in_wss = 0;
		for (size_t k = 0; k < plan->n_ccs; k++) {
			const struct coding_config *cc = &plan->ccs[k];
			if ((v = td_get(t, KEY(cc->coded_field))) == NULL)
				continue;
			if (cc->coding_mode == CODING_SINGLE) {
				if ((c = coda_label_code(v, cc->code_scheme, cc->coded_field, e)) == NULL)
					return -1;
				in_scheme |= is_control(c, "WS");
				continue;
			}
			if (v->doc->nodes[v->idx].type != JV_ARRAY)
				return err_set(e, EX_DATAERR, "\"%s\": expected a list of labels", cc->coded_field);
			for (uint32_t l = v->idx + 1; l < v->doc->nodes[v->idx].next; l = v->doc->nodes[l].next) {
				struct td_val lv = { v->doc, l };
				if ((c = coda_label_code(&lv, cc->code_scheme, cc->coded_field, e)) == NULL)
					return -1;
				in_scheme |= is_control(c, "WS");
			}
		}
		if (m->wss != NULL && (v = td_get(t, KEY(mp->correct))) != NULL) {
			if ((c = coda_label_code(v, m->wss, mp->correct, e)) == NULL)
				return -1;
			in_wss = c->code_type == CODE_NORMAL || is_control(c, "NC");
		}
		if (in_scheme == in_wss)
			continue;
		m->coding_errors++;
		if (!m->quiet)
			print_coding_error(m->where, plan->raw_field, t);
		if (m->wss != NULL) {
			if ((c = control_code(m->wss, "CE", e)) == NULL
			    || set_label(m, t, mp->correct, c, CODING_SINGLE, &origin_ce, 0, e) == -1)
				return -1;
		}
		for (size_t k = 0; k < plan->n_ccs; k++) {
			const struct coding_config *cc = &plan->ccs[k];
			/*
			 * Schemes without CE (Facebook's comment_reply_to and post_type) make the reference abort with
			 * KeyError; their labels are left as they are here.
			 */
			if ((c = scheme_code_by_control(cc->code_scheme, "CE")) == NULL) {
				m->ce_skipped++;
				continue;
			}
			if (set_label(m, t, cc->coded_field, c, cc->coding_mode, &origin_ce, 0, e) == -1)
				return -1;
		}
	}
	return 0;
}

static int
merge_record(struct merge *m, struct td *t, struct err *e)
{
	if (import_codes(m, t, e) == -1 || missing_and_empty(m, t, e) == -1 || rerun_cleaners(m, t, e) == -1)
		return -1;
	for (size_t i = 0; i < m->n_plans; i++) {
		const struct coding_plan *plan = m->plans[i].plan;
		int rc = 0;
		if (plan->code_imputation == IMPUTE_AGE_CATEGORY)
			rc = impute_age_category(m, t, plan, e);
		else if (plan->code_imputation == IMPUTE_SOMALIA_LOCATION_CODES)
			rc = impute_somalia_location(m, t, plan, e);
		if (rc == -1)
			return -1;
	}
	return impute_coding_errors(m, t, e);
}

static char *
concat(const char *a, const char *b)
{
	char *s = xmalloc(strlen(a) + strlen(b) + 1);

	strcpy(s, a);
	strcat(s, b);
	return s;
}

/* Every plan's coded Coda file, read once; a missing one reads as empty. */
static void
load_codas(struct merge *m, const char *coded_dir, int verbose)
{
	struct strmap loaded = { 0 };
	struct err e;

	m->codas = xcalloc(m->n_plans + 1, sizeof *m->codas);
	for (size_t i = 0; i < m->n_plans; i++) {
		const char *name = m->plans[i].plan->coda_filename;
		struct strmap_entry *en;
		int created;
		if (name == NULL)
			continue;
		en = strmap_put(&loaded, KEY(name), m->n_codas, &created);
		if (created) {
			char *path = cj_path_join(coded_dir, name);
			if (coda_load(&m->codas[m->n_codas], path, 1, &e) == -1)
				cli_fail(&e);
			if (m->codas[m->n_codas].missing && verbose)
				cli_warn("%s: no such file: read as empty (every message is NR)", path);
			free(path);
			m->n_codas++;
		}
		m->plans[i].coda = &m->codas[en->value];
	}
	strmap_free(&loaded);
	/* Every label of every file against the schemes imported from it, before the first record is written. */
	for (size_t f = 0; f < m->n_codas; f++) {
		const struct code_scheme **schemes = NULL;
		size_t n = 0;
		for (size_t i = 0; i < m->n_plans; i++) {
			const struct coding_plan *plan = m->plans[i].plan;
			if (m->plans[i].coda != &m->codas[f])
				continue;
			schemes = xrealloc(schemes, (n + plan->n_ccs + 2) * sizeof *schemes);
			for (size_t k = 0; k < plan->n_ccs; k++)
				schemes[n++] = plan->ccs[k].code_scheme;
			schemes[n++] = m->wss;
		}
		if (coda_check_schemes(&m->codas[f], schemes, n, &e) == -1)
			cli_fail(&e);
		free(schemes);
	}
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *user = NULL, *coded_dir = NULL;
	struct cli_pipeline pl;
	struct merge m = { 0 };
	size_t max_record = 0, n;
	int quiet = 0, verbose = 0, skip_bad = 0, c;
	const struct coding_plan *all;
	struct cli_in in;
	struct td_meta meta;
	struct buf out = { 0 };
	struct err e;

	cli_init("coda-merge");
	while ((c = getopt_long(argc, argv, "c:p:s:u:qvh", longopts, NULL)) != -1) {
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
		case OPT_CODED_DIR:
			coded_dir = optarg;
			break;
		case 'u':
			user = optarg;
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
	if (config_path == NULL || coded_dir == NULL)
		cli_usage(usage);
	cli_pipeline_load(&pl, config_path, plans_path, schemes, 1);
	if ((m.cleaners = clean_new(&pl.plans, &e)) == NULL)
		cli_fail(&e);
	meta.user = cli_user(user);
	meta.source = cli_source();
	meta.timestamp = m.now = cli_now();
	m.quiet = quiet;
	m.wss = plans_ws_scheme(&pl.plans);
	m.ci.origin = (struct label_origin){ "tdtools:coda-merge:import", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
	m.ci.now = m.now;

	/* RQA + SURVEY plans: every plan, RQA first. */
	all = plans_all(&pl.plans, &n);
	m.plans = xcalloc(n + 1, sizeof *m.plans);
	m.n_plans = n;
	for (size_t i = 0; i < n; i++) {
		struct merge_plan *mp = &m.plans[i];
		mp->plan = &all[i];
		mp->correct = concat(all[i].raw_field, "_correct_dataset");
		mp->clean_origin = xcalloc(all[i].n_ccs + 1, sizeof *mp->clean_origin);
		for (size_t k = 0; k < all[i].n_ccs; k++) {
			const struct coding_config *cc = &all[i].ccs[k];
			if (cc->cleaner.kind != CLEANER_NONE)
				mp->clean_origin[k] = concat("tdtools:coda-merge:", cc->cleaner.name);
			/* code_imputation_functions.py reads td["operator_coded"] by name */
			if (strcmp(cc->coded_field, "operator_coded") == 0 && cc->coding_mode == CODING_SINGLE)
				m.operator_cc = cc;
		}
	}
	/* The imports make NR labels: a scheme without NR is a configuration error, found before any record. */
	for (size_t i = 0; i < n; i++) {
		if (all[i].coda_filename == NULL)
			continue;
		for (size_t k = 0; k < all[i].n_ccs; k++)
			if (all[i].ccs[k].requires_manual_verification
			    && scheme_code_by_control(all[i].ccs[k].code_scheme, "NR") == NULL)
				cli_die(EX_CONFIG, "%s: %s is imported from Coda but its scheme %s has no NR control code",
				    plans_path, all[i].ccs[k].coded_field, all[i].ccs[k].code_scheme->path);
		if (m.wss != NULL && scheme_code_by_control(m.wss, "NR") == NULL)
			cli_die(EX_CONFIG, "%s: the WS - Correct Dataset scheme %s has no NR control code", plans_path,
			    m.wss->path);
	}
	load_codas(&m, coded_dir, verbose && !quiet);

	cli_in_init(&in, argc - optind, argv + optind, max_record, skip_bad);
	while (cli_in_next(&in)) {
		m.where = cli_in_where(&in);
		if (merge_record(&m, &in.td, &e) == -1) {
			if (!skip_bad)
				cli_in_fail(&in, &e);
			in.skipped++;
			cli_warn("%s: %s (skipped)", cli_in_where(&in), e.msg);
			continue;
		}
		out.len = 0;
		td_write(&in.td, &out, in.td.form, &meta);
		cli_out(&out);
	}
	if (verbose && !quiet) {
		cli_warn("%lu records, %lu coding errors", in.records, m.coding_errors);
		if (m.ce_skipped)
			cli_warn("%lu coded fields kept their labels on a coding error: their schemes have no CE code",
			    m.ce_skipped);
	}
	cli_in_done(&in);
	for (size_t i = 0; i < m.n_plans; i++) {
		free(m.plans[i].correct);
		for (size_t k = 0; k < m.plans[i].plan->n_ccs; k++)
			free(m.plans[i].clean_origin[k]);
		free(m.plans[i].clean_origin);
	}
	free(m.plans);
	for (size_t i = 0; i < m.n_codas; i++)
		coda_free(&m.codas[i]);
	free(m.codas);
	coda_import_free(&m.ci);
	buf_free(&m.label);
	clean_free(m.cleaners);
	cli_pipeline_free(&pl);
	cli_exit(0);
}
