/* td-remap: translate source keys into pipeline keys (pipeline.md §5.2), or rename keys ad hoc. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pipeline.h"
#include "records.h"
#include "util/isotime.h"

static const char usage[] =
    "td-remap [-qv] [-c CONFIG [-p PLANS] [-s DIR]] [-m OLD=NEW ...] [-u USER] [--max-record SIZE] "
    "[--skip-bad] [file ...]";

static const char help[] =
    "usage: td-remap [-qv] [-c CONFIG [-p PLANS] [-s DIR]] [-m OLD=NEW ...] [-u USER] [--max-record SIZE]\n"
    "                [--skip-bad] [file ...]\n"
    "Translate the source keys of raw records into pipeline keys, as the reference's translate_source_keys:\n"
    "show ids from the activation keys, radio-show time remappings, key renames (the last non-null source in\n"
    "config order wins), the RQA raw key, and null answers hidden. Each changed record gets one history entry.\n"
    "\n"
    "  -c, --config FILE    SourceKeyRemappings and TimestampRemappings of this pipeline configuration\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans): raw fields whose null is hidden\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "  -m, --map OLD=NEW    rename key OLD to NEW (repeatable; after the config's steps)\n"
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
	{ "map", required_argument, NULL, 'm' },
	{ "user", required_argument, NULL, 'u' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

struct rename {
	char *old_key, *new_key;
};

/* What the five sub-steps need, taken from the config and plans once. */
struct remap {
	const struct pipeline_config *cfg;
	const char **hide_raw, **hide_time;	/* plans' raw fields and their time fields (or NULL) */
	size_t n_hide;
	struct rename *renames;
	size_t n_renames;
};

static int
is_null(const struct td_val *v)
{
	return v == NULL || v->doc->nodes[v->idx].type == JV_NULL;
}

#define KEY(s) (s), strlen(s)

/* A pending rename of step 3, applied after every source key was read. */
struct pending {
	const char *key;
	struct td_val val;
	int is_null;
};

static int
remap_record(struct remap *rm, struct td *t, struct err *e)
{
	const struct pipeline_config *cfg = rm->cfg;

	if (cfg != NULL) {
		/* 1. set_show_ids: the activation key that holds the message. */
		const char *show_key = NULL;
		for (size_t i = 0; i < cfg->n_source_key_remappings; i++) {
			const struct source_key_remapping *r = &cfg->source_key_remappings[i];
			const struct td_val *v;
			if (!r->is_activation_message || is_null(v = td_get(t, KEY(r->source_key))))
				continue;
			if (show_key != NULL)
				return err_set(e, EX_DATAERR,
				    "more than one activation message (\"%s\" and \"%s\"); expected one per record",
				    show_key, r->source_key);
			show_key = r->source_key;
			td_set(t, KEY("rqa_message"), *v);
			td_set_str(t, KEY("show_pipeline_key"), KEY(r->pipeline_key));
		}
		/* 2. remap_radio_shows: messages in a time range belong to another show. */
		for (size_t i = 0; i < cfg->n_timestamp_remappings; i++) {
			const struct timestamp_remapping *r = &cfg->timestamp_remappings[i];
			size_t len;
			const char *s = td_get_str(t, KEY(r->time_key), &len);
			struct isotime when;
			if (s == NULL)
				continue;
			if (iso_parse(s, len, &when, e) == -1)
				return err_prefix(e, "\"%s\"", r->time_key);
			if (when.usec < r->range_start_usec || when.usec >= r->range_end_usec)
				continue;
			td_set_str(t, KEY("show_pipeline_key"), KEY(r->show_pipeline_key));
			if (r->time_to_adjust_to != NULL) {
				char iso[48];
				size_t n = iso_format(&r->adjust_to, iso, sizeof iso);
				td_set_str(t, KEY(r->time_key), iso, n);
			}
		}
		/* 3. remap_key_names: in config order, the last non-null source of a pipeline key wins. */
		struct pending *pend = xcalloc(cfg->n_source_key_remappings + 1, sizeof *pend);
		const char **old_keys = xcalloc(cfg->n_source_key_remappings + 1, sizeof *old_keys);
		size_t np = 0, no = 0;
		for (size_t i = 0; i < cfg->n_source_key_remappings; i++) {
			const struct source_key_remapping *r = &cfg->source_key_remappings[i];
			const struct td_val *v;
			if (r->is_activation_message)
				continue;
			if ((v = td_get(t, KEY(r->source_key))) == NULL || td_get(t, KEY(r->pipeline_key)) != NULL)
				continue;
			old_keys[no++] = r->source_key;
			struct pending *p = NULL;
			for (size_t j = 0; j < np; j++)
				if (strcmp(pend[j].key, r->pipeline_key) == 0)
					p = &pend[j];
			if (is_null(v) && p != NULL && !p->is_null)
				continue;
			if (p == NULL)
				p = &pend[np++];
			p->key = r->pipeline_key;
			p->val = *v;
			p->is_null = is_null(v);
		}
		for (size_t i = 0; i < no; i++)
			td_hide(t, KEY(old_keys[i]));
		for (size_t i = 0; i < np; i++)
			td_set(t, KEY(pend[i].key), pend[i].val);
		free(pend);
		free(old_keys);
		/* 4. set_rqa_raw_keys_from_show_ids. */
		size_t sklen;
		const char *sk = td_get_str(t, KEY("show_pipeline_key"), &sklen);
		const struct td_val *msg = td_get(t, KEY("rqa_message"));
		if (sk != NULL) {
			if (msg == NULL)
				return err_set(e, EX_DATAERR, "\"show_pipeline_key\" is set but \"rqa_message\" is missing");
			td_set(t, sk, sklen, *msg);
		}
		/* 5. hide_null_messages: a null answer is no answer. */
		for (size_t i = 0; i < rm->n_hide; i++) {
			const struct td_val *v = td_get(t, KEY(rm->hide_raw[i]));
			if (v == NULL || !is_null(v))
				continue;
			td_hide(t, KEY(rm->hide_raw[i]));
			if (rm->hide_time[i] != NULL)
				td_hide(t, KEY(rm->hide_time[i]));
		}
	}
	for (size_t i = 0; i < rm->n_renames; i++) {
		const struct td_val *v = td_get(t, KEY(rm->renames[i].old_key));
		if (v == NULL)
			continue;
		struct td_val keep = *v;
		td_hide(t, KEY(rm->renames[i].old_key));
		td_set(t, KEY(rm->renames[i].new_key), keep);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *user = NULL;
	struct cli_pipeline pl = { 0 };
	struct remap rm = { 0 };
	size_t max_record = 0;
	int quiet = 0, verbose = 0, skip_bad = 0, c;
	unsigned long changed = 0;
	struct cli_in in;
	struct td_meta meta;
	struct buf out = { 0 };
	struct err e;

	cli_init("td-remap");
	while ((c = getopt_long(argc, argv, "c:p:s:m:u:qvh", longopts, NULL)) != -1) {
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
		case 'm': {
			char *eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg || eq[1] == '\0')
				cli_die(EX_USAGE, "--map: expected OLD=NEW, got '%s'", optarg);
			rm.renames = xrealloc(rm.renames, (rm.n_renames + 1) * sizeof *rm.renames);
			rm.renames[rm.n_renames].old_key = xstrdup(optarg);
			rm.renames[rm.n_renames].old_key[eq - optarg] = '\0';
			rm.renames[rm.n_renames].new_key = xstrdup(eq + 1);
			rm.n_renames++;
			break;
		}
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
	if (config_path == NULL && (plans_path != NULL || schemes != NULL))
		cli_die(EX_USAGE, "--plans and --schemes need --config");
	if (config_path == NULL && rm.n_renames == 0)
		cli_die(EX_USAGE, "nothing to do: give -c CONFIG or -m OLD=NEW");
	if (config_path != NULL) {
		cli_pipeline_load(&pl, config_path, plans_path, schemes, 1);
		rm.cfg = &pl.cfg;
		/* Step 5 walks the RQA and survey plans: every plan. */
		size_t n;
		const struct coding_plan *all = plans_all(&pl.plans, &n);
		rm.hide_raw = xcalloc(n + 1, sizeof *rm.hide_raw);
		rm.hide_time = xcalloc(n + 1, sizeof *rm.hide_time);
		for (size_t i = 0; i < n; i++) {
			rm.hide_raw[i] = all[i].raw_field;
			rm.hide_time[i] = all[i].time_field;
		}
		rm.n_hide = n;
	}
	meta.user = cli_user(user);
	meta.source = cli_source();
	meta.timestamp = cli_now();

	cli_in_init(&in, argc - optind, argv + optind, max_record, skip_bad);
	while (cli_in_next(&in)) {
		if (remap_record(&rm, &in.td, &e) == -1) {
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
		cli_warn("%lu records, %lu changed", in.records, changed);
	cli_in_done(&in);
	for (size_t i = 0; i < rm.n_renames; i++) {
		free(rm.renames[i].old_key);
		free(rm.renames[i].new_key);
	}
	free(rm.renames);
	free(rm.hide_raw);
	free(rm.hide_time);
	buf_free(&out);
	if (config_path != NULL)
		cli_pipeline_free(&pl);
	cli_exit(0);
}
