/*
 * plans: plans_load on the input (written to a temporary file), with schemes_dir a directory of valid scheme
 * files the target writes once at start-up (plans_schemes.h: the demo's schemes and a few small ones named as
 * the example plans name them), so the fuzzer gets past the scheme look-ups into the plans grammar. When it
 * loads: walk every plan, coding configuration, scheme and engagement window through the accessors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/plan.h"
#include "util/err.h"

#include "fuzz.h"
#include "plans_schemes.h"

static char schemes_dir[64];

static void
remove_schemes(void)
{
	char path[256];
	size_t i;

	for (i = 0; i < sizeof fuzz_schemes / sizeof fuzz_schemes[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", schemes_dir, fuzz_schemes[i].name);
		unlink(path);
	}
	rmdir(schemes_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[256];
	size_t i;
	FILE *f;

	strcpy(schemes_dir, "/tmp/tdfuzz-schemes-XXXXXX");
	if (mkdtemp(schemes_dir) == NULL)
		abort();
	for (i = 0; i < sizeof fuzz_schemes / sizeof fuzz_schemes[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", schemes_dir, fuzz_schemes[i].name);
		if ((f = fopen(path, "w")) == NULL || fputs(fuzz_schemes[i].text, f) == EOF || fclose(f) != 0)
			abort();
	}
	atexit(remove_schemes);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coding_plans p;
	struct err e;
	char path[64];
	size_t i, j, n;

	fuzz_write_tmp(data, size, path, ".json");
	memset(&p, 0, sizeof p);
	if (plans_load(&p, path, schemes_dir, &e) == 0) {
		const struct coding_plan *all = plans_all(&p, &n);
		const struct engagement_window *w;

		if (n != p.n_plans)
			abort();
		for (i = 0; i < n; i++) {
			if (all[i].raw_field == NULL || all[i].id_field == NULL)
				abort();
			(void)plans_group_key(all[i].group);
			(void)plans_fold_name(all[i].raw_field_fold_strategy);
			(void)plans_imputation_name(all[i].code_imputation);
			for (j = 0; j < all[i].n_ccs; j++) {
				const struct coding_config *cc = &all[i].ccs[j];

				if (cc->code_scheme == NULL || cc->plan != &all[i])
					abort();
				(void)plans_cleaner_name(cc->cleaner.kind);
				(void)plans_coding_mode_name(cc->coding_mode);
				(void)plans_fold_name(cc->fold_strategy);
			}
		}
		(void)plans_rqa(&p, &n);
		(void)plans_survey(&p, &n);
		(void)plans_ws_scheme(&p);
		w = plans_engagement_windows(&p, &n);
		for (i = 0; i < n; i++)
			if (w[i].dataset == NULL || w[i].code == NULL)
				abort();
	}
	plans_free(&p);
	unlink(path);
	return 0;
}
