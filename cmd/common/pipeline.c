#include <string.h>

#include "cli.h"
#include "pipeline.h"

void
cli_pipeline_load(struct cli_pipeline *p, const char *config, const char *plans, const char *schemes,
    int need_config)
{
	struct err e;

	memset(p, 0, sizeof *p);
	if (config == NULL && need_config)
		cli_die(EX_USAGE, "-c CONFIG is required (it locates the coding plans)");
	if (config != NULL) {
		if (config_load(&p->cfg, config, &e) == -1)
			cli_fail(&e);
		p->have_config = 1;
		if (plans == NULL)
			plans = p->cfg.coding_plans;
		if (schemes == NULL)
			schemes = p->cfg.code_schemes_dir;
	}
	if (plans == NULL)
		cli_die(EX_CONFIG, "%s: no coding plans: give -p PLANS or set CodingPlans in the config",
		    config != NULL ? config : "(no configuration)");
	if (plans_load(&p->plans, plans, schemes, &e) == -1)
		cli_fail(&e);
}

void
cli_pipeline_free(struct cli_pipeline *p)
{
	plans_free(&p->plans);
	if (p->have_config)
		config_free(&p->cfg);
}
