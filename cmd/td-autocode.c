/* td-autocode: the auto-code step (pipeline.md §5.4.2, §5.4.3 step 1): cleaners → unchecked labels; message ids. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "coding/clean.h"
#include "coding/coda.h"
#include "coding/label.h"
#include "config/plan.h"
#include "pipeline.h"
#include "record/sha.h"
#include "records.h"

static const char usage[] =
    "td-autocode [-qv] -c CONFIG [-p PLANS] [-s DIR] [-u USER] [--max-record SIZE] [--skip-bad] [file ...]";

static const char help[] =
    "usage: td-autocode [-qv] -c CONFIG [-p PLANS] [-s DIR] [-u USER] [--max-record SIZE] [--skip-bad]\n"
    "                   [file ...]\n"
    "Auto-code messages as the reference's auto_code step: every coding configuration with a cleaner, in plan\n"
    "order, labels the record's raw value with the code the cleaner names (Checked false; \"NC\" gives no\n"
    "label); then every plan with a Coda file gets its message id (the SHA-256 of the plan's message-id key).\n"
    "Each changed record gets one history entry.\n"
    "\n"
    "  -c, --config FILE    the pipeline configuration (for its CodingPlans and CodeSchemesDir)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "  -u, --user USER      Metadata.User of the entries made (default $TD_USER, $USER@host)\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print counts on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record, 66 input missing, 78 bad configuration.\n";

enum { OPT_VERSION = 2000 };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "user", required_argument, NULL, 'u' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

#define KEY(s) (s), strlen(s)

/* A coding configuration with a cleaner, and the labels made for it so far (one per code, made once). */
struct autocoded {
	const struct coding_config *cc;
	char *origin_id;		/* "tdtools:<cleaner name>" */
	uint32_t *label_roots;		/* per code index: root node in labels + 1, 0 = not made yet */
};

struct autocoder {
	struct cleaners *cleaners;
	struct autocoded *coded;	/* in RQA + survey plan order, then coding-configuration order */
	size_t n_coded;
	const struct coding_plan **coda_plans;	/* the plans with a Coda file, in the same order */
	size_t n_coda_plans;
	struct json_doc labels;		/* every label made: the same value for every record, parsed once */
	const char *now;		/* the labels' DateTimeUTC */
	struct buf scratch;
	unsigned long n_labels, n_ids;
};

static void
autocoder_init(struct autocoder *a, const struct coding_plans *plans, const char *now)
{
	size_t n;
	const struct coding_plan *all = plans_all(plans, &n);

	memset(a, 0, sizeof *a);
	a->now = now;
	a->coded = xcalloc(plans->n_ccs + 1, sizeof *a->coded);
	a->coda_plans = xcalloc(n + 1, sizeof *a->coda_plans);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < all[i].n_ccs; j++) {
			const struct coding_config *cc = &all[i].ccs[j];
			struct autocoded *ac;
			if (cc->cleaner.kind == CLEANER_NONE)
				continue;
			ac = &a->coded[a->n_coded++];
			ac->cc = cc;
			ac->origin_id = xmalloc(strlen(cc->cleaner.name) + 9);
			sprintf(ac->origin_id, "tdtools:%s", cc->cleaner.name);
			ac->label_roots = xcalloc(cc->code_scheme->n_codes + 1, sizeof *ac->label_roots);
		}
		if (all[i].coda_filename != NULL)
			a->coda_plans[a->n_coda_plans++] = &all[i];
	}
}

static void
autocoder_free(struct autocoder *a)
{
	for (size_t i = 0; i < a->n_coded; i++) {
		free(a->coded[i].origin_id);
		free(a->coded[i].label_roots);
	}
	free(a->coded);
	free(a->coda_plans);
	json_free(&a->labels);
	buf_free(&a->scratch);
	clean_free(a->cleaners);
}

/* CleaningUtils.make_label_from_cleaner_code for code c, made the first time it is needed. */
static struct td_val
label_for(struct autocoder *a, struct autocoded *ac, const struct code *c)
{
	const struct label_origin origin = { ac->origin_id, LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
	uint32_t root;

	if (ac->label_roots[c->index] == 0) {
		a->scratch.len = 0;
		label_encode(&a->scratch, ac->cc->code_scheme, c, &origin, a->now, 0);
		if (json_parse_copy(&a->labels, a->scratch.p, a->scratch.len, &root, NULL) == -1)
			abort();	/* we just encoded it */
		ac->label_roots[c->index] = root + 1;
	}
	return (struct td_val){ &a->labels, ac->label_roots[c->index] - 1 };
}

static int
autocode_record(struct autocoder *a, struct td *t, struct err *e)
{
	/* apply_cleaner_to_traced_data_iterable, for every coding configuration with a cleaner. */
	for (size_t i = 0; i < a->n_coded; i++) {
		struct autocoded *ac = &a->coded[i];
		const struct coding_config *cc = ac->cc;
		const struct td_val *raw = td_get(t, KEY(cc->raw_field));
		const struct code *code;
		const char *match;

		if (raw == NULL)
			continue;
		if (clean_apply(a->cleaners, cc, raw, &match, e) == -1)
			return -1;
		if (strcmp(match, CLEAN_NC) == 0)
			continue;
		/* The reference raises KeyError here (get_code_with_match_value). */
		if ((code = scheme_code_by_match_value(cc->code_scheme, match)) == NULL)
			return err_set(e, EX_DATAERR, "\"%s\" (cleaner '%s'): '%s' is not a match value of %s (%s), "
			    "the scheme of \"%s\"", cc->raw_field, cc->cleaner.name, match, cc->code_scheme_file,
			    cc->code_scheme->scheme_id, cc->coded_field);
		td_set(t, KEY(cc->coded_field), label_for(a, ac, code));
		a->n_labels++;
	}
	/* Message ids: every record holding the plan's raw field, the empty text included. */
	for (size_t i = 0; i < a->n_coda_plans; i++) {
		const struct coding_plan *plan = a->coda_plans[i];
		char id[SHA_HEX_LEN + 1];

		if (td_get(t, KEY(plan->raw_field)) == NULL)
			continue;
		if (coda_message_id(t, plan, id, e) == -1)
			return -1;
		td_set_str(t, KEY(plan->id_field), id, SHA_HEX_LEN);
		a->n_ids++;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *user = NULL;
	struct cli_pipeline pl;
	struct autocoder ac;
	size_t max_record = 0;
	int quiet = 0, verbose = 0, skip_bad = 0, c;
	unsigned long changed = 0;
	struct cli_in in;
	struct td_meta meta;
	struct buf out = { 0 };
	struct err e;

	cli_init("td-autocode");
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
	cli_pipeline_load(&pl, config_path, plans_path, schemes, 1);

	meta.user = cli_user(user);
	meta.source = cli_source();
	meta.timestamp = cli_now();
	autocoder_init(&ac, &pl.plans, meta.timestamp);
	if ((ac.cleaners = clean_new(&pl.plans, &e)) == NULL)
		cli_fail(&e);

	cli_in_init(&in, argc - optind, argv + optind, max_record, skip_bad);
	while (cli_in_next(&in)) {
		if (autocode_record(&ac, &in.td, &e) == -1) {
			if (!skip_bad)
				cli_in_fail(&in, &e);
			in.skipped++;
			cli_warn("%s: %s (skipped)", cli_in_where(&in), e.msg);
			continue;
		}
		changed += td_nchanges(&in.td) > 0;
		out.len = 0;
		td_write(&in.td, &out, in.td.form, &meta);
		cli_out(&out);
	}
	if (verbose && !quiet)
		cli_warn("%lu records, %lu changed, %lu labels, %lu message ids", in.records, changed, ac.n_labels,
		    ac.n_ids);
	cli_in_done(&in);
	autocoder_free(&ac);
	buf_free(&out);
	cli_pipeline_free(&pl);
	cli_exit(0);
}
