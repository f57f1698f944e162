/* config: config_load on the input (written to a temporary file); when it loads, the flow-name lists. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/err.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline_config c;
	struct err e;
	char path[64];
	size_t i;

	fuzz_write_tmp(data, size, path, ".json");
	memset(&c, 0, sizeof c);
	if (config_load(&c, path, &e) == 0) {
		const struct str_list *a = config_activation_flows(&c), *s = config_survey_flows(&c);

		for (i = 0; i < a->n; i++)
			if (a->v[i] == NULL)
				abort();
		for (i = 0; i < s->n; i++)
			if (s->v[i] == NULL)
				abort();
		for (i = 0; i < c.n_sources; i++)
			(void)config_source_type_name(c.sources[i].type);
	}
	config_free(&c);
	unlink(path);
	return 0;
}
