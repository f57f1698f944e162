/* td-check: validate a pipeline configuration with its coding plans and code schemes, running nothing. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config/config.h"
#include "config/plan.h"
#include "config/scheme.h"

static const char usage[] = "td-check [-qv] -c config [-p plans] [-s dir]";

static const char help[] =
    "usage: td-check [-qv] -c config [-p plans] [-s dir]\n"
    "\n"
    "Validate a pipeline configuration, its coding plans and their code schemes, and print a summary.\n"
    "\n"
    "  -c, --config FILE    the pipeline configuration JSON\n"
    "  -p, --plans FILE     the coding-plans file (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    where code scheme files are (default: the config's CodeSchemesDir)\n"
    "  -q, --quiet          print nothing; the exit status says it all\n"
    "  -v, --verbose        also list the flows, every plan and every coding configuration\n"
    "  -h, --help           this text\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 valid, 64 usage, 66 a file is missing, 78 the configuration is invalid.\n"
    "See td-check(1) and tdtools-config(5).\n";

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void
print_config(const struct pipeline_config *c, int verbose)
{
	const struct str_list *act = config_activation_flows(c), *surv = config_survey_flows(c);
	size_t i;

	printf("config: %s: %s, %zu raw data %s, %zu activation %s, %zu survey %s, %zu source key %s\n",
	    c->path, c->pipeline_name, c->n_sources, plural(c->n_sources, "source", "sources"),
	    act->n, plural(act->n, "flow", "flows"), surv->n, plural(surv->n, "flow", "flows"),
	    c->n_source_key_remappings, plural(c->n_source_key_remappings, "remapping", "remappings"));
	if (!verbose)
		return;
	for (i = 0; i < c->n_sources; i++)
		printf("  source %zu: %s\n", i, config_source_type_name(c->sources[i].type));
	for (i = 0; i < act->n; i++)
		printf("  activation flow: %s\n", act->v[i]);
	for (i = 0; i < surv->n; i++)
		printf("  survey flow: %s\n", surv->v[i]);
	printf("  project: %s to %s\n", c->project_start_text, c->project_end_text);
	printf("  FilterTestMessages %s, MoveWSMessages %s, %zu timestamp %s\n",
	    c->filter_test_messages ? "true" : "false", c->move_ws_messages ? "true" : "false",
	    c->n_timestamp_remappings, plural(c->n_timestamp_remappings, "remapping", "remappings"));
}

static void
print_plans(const struct coding_plans *p, int verbose)
{
	const struct coding_plan *all;
	size_t n, i, j;

	printf("plans: %s: %zu RQA, %zu demographic, %zu follow-up, %zu engagement %s; "
	    "%zu coding %s; %zu code %s\n", p->path,
	    p->n_group[PLAN_RQA], p->n_group[PLAN_DEMOG], p->n_group[PLAN_FOLLOW_UP], p->n_group[PLAN_ENGAGEMENT],
	    plural(p->n_plans, "plan", "plans"), p->n_ccs, plural(p->n_ccs, "configuration", "configurations"),
	    p->n_schemes, plural(p->n_schemes, "scheme", "schemes"));
	if (!verbose)
		return;
	if (p->ws_scheme != NULL)
		printf("  WS scheme: %s (%s)\n", p->ws_scheme_file, p->ws_scheme->scheme_id);
	all = plans_all(p, &n);
	for (i = 0; i < n; i++) {
		const struct coding_plan *plan = &all[i];

		printf("  %s[%zu] %s: raw %s, time %s, Coda %s, fold %s", plans_group_key(plan->group), plan->index,
		    plan->dataset_name, plan->raw_field, plan->time_field ? plan->time_field : "-",
		    plan->coda_filename ? plan->coda_filename : "-", plans_fold_name(plan->raw_field_fold_strategy));
		if (plan->ws_code != NULL)
			printf(", WS %s (%s)", plan->ws_match_value, plan->ws_code->code_id);
		if (plan->code_imputation != IMPUTE_NONE)
			printf(", %s", plans_imputation_name(plan->code_imputation));
		putchar('\n');
		for (j = 0; j < plan->n_ccs; j++) {
			const struct coding_config *cc = &plan->ccs[j];

			printf("    %s: %s %s (%s), cleaner %s, fold %s\n", cc->coded_field,
			    plans_coding_mode_name(cc->coding_mode), cc->code_scheme_file, cc->code_scheme->scheme_id,
			    plans_cleaner_name(cc->cleaner.kind), plans_fold_name(cc->fold_strategy));
		}
	}
}

static int
is_json_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Schemes without plans: check every *.json in dir. Returns the number checked, or -1 with e set. */
static int
check_scheme_dir(const char *dir, struct err *e)
{
	struct dirent **names;
	struct code_scheme s;
	char *path;
	int n, i, rc;

	if ((n = scandir(dir, &names, is_json_file, alphasort)) == -1)
		return err_set(e, EX_NOINPUT, "%s: cannot read the code schemes directory", dir);
	rc = n;
	for (i = 0; i < n; i++) {
		path = cj_path_join(dir, names[i]->d_name);
		if (rc != -1 && scheme_load(&s, path, e) == 0)
			scheme_free(&s);
		else
			rc = -1;
		free(path);
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "plans", required_argument, NULL, 'p' },
		{ "schemes", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config_path = NULL, *plans_path = NULL, *schemes_dir = NULL;
	struct pipeline_config config;
	struct coding_plans plans;
	int ch, quiet = 0, verbose = 0;
	struct err e;

	cli_init("td-check");
	while ((ch = getopt_long(argc, argv, "c:p:s:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			plans_path = optarg;
			break;
		case 's':
			schemes_dir = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			cli_help(help);
		case 'V':
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if (optind != argc || config_path == NULL)
		cli_usage(usage);

	/* Everything is checked before anything is printed: a summary means all of it is valid. */
	if (config_load(&config, config_path, &e) == -1)
		cli_fail(&e);
	if (plans_path == NULL)
		plans_path = config.coding_plans;
	if (schemes_dir == NULL)
		schemes_dir = config.code_schemes_dir;

	if (plans_path != NULL) {
		if (plans_load(&plans, plans_path, schemes_dir, &e) == -1) {
			config_free(&config);
			cli_fail(&e);
		}
		if (!quiet) {
			print_config(&config, verbose);
			print_plans(&plans, verbose);
		}
		plans_free(&plans);
	} else if (schemes_dir != NULL) {
		int n = check_scheme_dir(schemes_dir, &e);

		if (n == -1) {
			config_free(&config);
			cli_fail(&e);
		}
		if (!quiet) {
			print_config(&config, verbose);
			printf("plans: none (no -p and no CodingPlans in the configuration)\n"
			    "schemes: %s: %d code %s\n", schemes_dir, n, n == 1 ? "scheme" : "schemes");
		}
	} else if (!quiet) {
		print_config(&config, verbose);
		printf("plans: none (no -p, -s, CodingPlans or CodeSchemesDir): only the configuration was checked\n");
	}
	config_free(&config);
	cli_exit(0);
}
