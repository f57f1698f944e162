/*
 * coda: coda_load on the input as a Coda messages file (written to a temporary file). When it loads: every
 * message must be found again by its MessageID, and each of its labels is re-encoded (coda_label_encode,
 * with and without a replacement SchemeID) and checked (coda_label_check must accept what coda_load did).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coding/coda.h"
#include "util/buf.h"
#include "util/err.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coda_file f;
	struct err e;
	struct buf out = { 0 };
	char path[64];
	size_t i;

	fuzz_write_tmp(data, size, path, ".json");
	memset(&f, 0, sizeof f);
	if (coda_load(&f, path, 0, &e) == 0) {
		for (i = 0; i < f.n_messages; i++) {
			const struct coda_message *m = &f.messages[i];
			const struct json_node *ln = &f.doc.nodes[m->labels];
			uint32_t l, k;

			if (coda_find(&f, m->id, m->id_len) != m)
				abort();	/* a loaded message is not found by its own id */
			if (ln->type != JV_ARRAY)
				abort();
			for (k = 0, l = m->labels + 1; k < ln->count; k++, l = f.doc.nodes[l].next) {
				out.len = 0;
				coda_label_encode(&out, &f.doc, l, NULL);
				coda_label_encode(&out, &f.doc, l, "Scheme-fuzz");
				if (coda_label_check(&f.doc, l, "fuzz", &e) == -1)
					abort();	/* coda_load accepted a label coda_label_check refuses */
			}
		}
		(void)coda_find(&f, "", 0);
	}
	coda_free(&f);
	buf_free(&out);
	unlink(path);
	return 0;
}
