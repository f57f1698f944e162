/*
 * record: td_parse on the input as one record. When it parses: build the latest view, td_verify, td_write in
 * both forms, and the canonical round trip: re-parse json_encode's bytes for the root (compact and indented)
 * and check that encoding again gives the same bytes (abort if not: an encoder or parser bug).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/json.h"
#include "record/td.h"
#include "util/buf.h"
#include "util/err.h"

static int
has_nan(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 3 <= n; i++)
		if (memcmp(p + i, "NaN", 3) == 0)
			return 1;
	return 0;
}

static void
round_trip(struct json_doc *d, uint32_t root, int indent)
{
	struct buf a = { 0 }, b = { 0 };
	struct json_doc d2 = { 0 };
	struct err e;
	uint32_t r2;

	json_encode(&a, d, root, indent);
	if (json_parse(&d2, a.p, a.len, &r2, &e) == -1)
		abort();	/* the encoder wrote something its own parser refuses */
	json_encode(&b, &d2, r2, indent);
	if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
		abort();	/* encode(parse(encode(x))) != encode(x) */
	if (!json_value_equal(d, root, &d2, r2)) {
		/* NaN != NaN in Python too: only a NaN-free value must compare equal to itself */
		if (!has_nan(a.p, a.len))
			abort();
	}
	json_free(&d2);
	buf_free(&a);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct td_meta meta = { "fuzz@example.org", "fuzz 0", "2020-01-01T00:00:00.000000+00:00" };
	struct td t;
	struct err e;
	struct buf out = { 0 };
	const struct td_item *it;
	size_t cur = 0, n = 0, len;

	memset(&t, 0, sizeof t);
	if (td_parse(&t, (const char *)data, size, &e) == 0) {
		while (td_next_item(&t, &cur, &it)) {
			if (td_get(&t, it->key, it->klen) == NULL)
				abort();	/* a visible key must be found */
			(void)td_get_str(&t, it->key, it->klen, &len);
			n++;
		}
		(void)n;
		(void)td_verify(&t, &e);
		(void)td_sha(&t, &len);
		td_write(&t, &out, TD_TRACED, &meta);
		td_write(&t, &out, TD_FLAT, &meta);
		round_trip(&t.doc, t.root, 0);
		round_trip(&t.doc, t.root, 2);
	}
	td_free(&t);
	buf_free(&out);
	return 0;
}
