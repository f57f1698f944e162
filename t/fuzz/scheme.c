/*
 * scheme: scheme_load on the input (written to a temporary file). When it loads, every code must be found again
 * by its id, control code, meta code and match values (the loader guarantees they are unique).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/scheme.h"
#include "util/err.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct code_scheme s;
	struct err e;
	char path[64];
	size_t i, j;

	fuzz_write_tmp(data, size, path, ".json");
	memset(&s, 0, sizeof s);
	if (scheme_load(&s, path, &e) == 0) {
		for (i = 0; i < s.n_codes; i++) {
			const struct code *c = &s.codes[i];

			if (scheme_code_by_id(&s, c->code_id) != c)
				abort();
			if (c->code_type == CODE_CONTROL && scheme_code_by_control(&s, c->control_code) != c)
				abort();
			if (c->code_type == CODE_META && scheme_code_by_meta(&s, c->meta_code) != c)
				abort();
			for (j = 0; j < c->n_match_values; j++)
				if (scheme_code_by_match_value(&s, c->match_values[j]) != c)
					abort();
			(void)scheme_code_type_name(c->code_type);
		}
	}
	scheme_free(&s);
	unlink(path);
	return 0;
}
