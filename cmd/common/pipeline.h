/* pipeline: the -c CONFIG, -p PLANS, -s DIR options every coding tool shares, loaded the same way. */
#ifndef TD_PIPELINE_H
#define TD_PIPELINE_H

#include "config/config.h"
#include "config/plan.h"

struct cli_pipeline {
	struct pipeline_config cfg;	/* empty when no -c was given */
	struct coding_plans plans;
	int have_config;
};

/*
 * Load the configuration (when config is not NULL) and the coding plans: -p, else the config's CodingPlans;
 * schemes from -s, else the config's CodeSchemesDir, else the plans file's directory. Dies with the loader's
 * message and exit code (66 missing file, 78 bad configuration); a tool that needs plans and has none
 * says so (78), and a missing -c where need_config is set is a usage error (64).
 */
void cli_pipeline_load(struct cli_pipeline *p, const char *config, const char *plans, const char *schemes,
    int need_config);
void cli_pipeline_free(struct cli_pipeline *p);

#endif
