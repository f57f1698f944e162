#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/json.h"
#include "record/sha.h"
#include "record/tdnew.h"

void
tdobj_reset(struct tdobj *o)
{
	o->n = 0;
	o->keys.len = 0;
	o->vals.len = 0;
}

void
tdobj_free(struct tdobj *o)
{
	free(o->m);
	buf_free(&o->keys);
	buf_free(&o->vals);
	memset(o, 0, sizeof *o);
}

void
tdobj_begin(struct tdobj *o, const char *key, size_t klen)
{
	struct tdobj_member *mm;

	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 32;
		o->m = xrealloc(o->m, o->cap * sizeof *o->m);
	}
	mm = &o->m[o->n++];
	mm->koff = o->keys.len;
	mm->klen = klen;
	buf_add(&o->keys, key, klen);
	mm->voff = o->vals.len;
	mm->vlen = 0;
}

void
tdobj_end(struct tdobj *o)
{
	struct tdobj_member *mm = &o->m[o->n - 1];

	mm->vlen = o->vals.len - mm->voff;
}

void
tdobj_raw(struct tdobj *o, const char *key, size_t klen, const char *json, size_t n)
{
	tdobj_begin(o, key, klen);
	buf_add(&o->vals, json, n);
	tdobj_end(o);
}

void
tdobj_str(struct tdobj *o, const char *key, size_t klen, const char *s, size_t n)
{
	tdobj_begin(o, key, klen);
	json_encode_str(&o->vals, s, n);
	tdobj_end(o);
}

void
tdobj_int(struct tdobj *o, const char *key, size_t klen, int64_t v)
{
	char t[32];
	int n = snprintf(t, sizeof t, "%" PRId64, v);

	tdobj_raw(o, key, klen, t, (size_t)n);
}

void
tdobj_null(struct tdobj *o, const char *key, size_t klen)
{
	tdobj_raw(o, key, klen, "null", 4);
}

void
tdobj_true(struct tdobj *o, const char *key, size_t klen)
{
	tdobj_raw(o, key, klen, "true", 4);
}

static const char *sort_keys_base;

static int
member_cmp(const void *a, const void *b)
{
	const struct tdobj_member *x = a, *y = b;

	return json_keycmp(sort_keys_base + x->koff, x->klen, sort_keys_base + y->koff, y->klen);
}

void
tdobj_encode(struct tdobj *o, struct buf *out)
{
	/* Insertion sort: records have a few dozen keys, often nearly sorted. */
	for (size_t i = 1; i < o->n; i++) {
		struct tdobj_member x = o->m[i];
		size_t j = i;
		sort_keys_base = o->keys.p;
		while (j > 0 && member_cmp(&o->m[j - 1], &x) > 0) {
			o->m[j] = o->m[j - 1];
			j--;
		}
		o->m[j] = x;
	}
	buf_addc(out, '{');
	for (size_t i = 0; i < o->n; i++) {
		if (i)
			buf_add(out, ", ", 2);
		json_encode_str(out, o->keys.p + o->m[i].koff, o->m[i].klen);
		buf_add(out, ": ", 2);
		buf_add(out, o->vals.p + o->m[i].voff, o->m[i].vlen);
	}
	buf_addc(out, '}');
}

void
td_entry_encode(struct buf *out, const char *data, size_t dlen, const char *prev, const struct td_meta *m,
    char sha[65])
{
	size_t plen = strlen(prev);
	size_t mark = out->len;

	/* Hash {"data": D, "prev_sha": P} built in out's spare room, then overwrite it with the entry. */
	buf_reserve(out, dlen + plen + 40);
	buf_add(out, "{\"data\": ", 9);
	buf_add(out, data, dlen);
	buf_add(out, ", \"prev_sha\": ", 14);
	json_encode_str(out, prev, plen);
	buf_addc(out, '}');
	sha256_hex(out->p + mark, out->len - mark, sha);
	out->len = mark;

	buf_add(out, "{\"Data\": ", 9);
	buf_add(out, data, dlen);
	buf_add(out, ", \"Metadata\": {\"Source\": ", 25);
	json_encode_str(out, m->source, strlen(m->source));
	buf_add(out, ", \"Timestamp\": ", 15);
	json_encode_str(out, m->timestamp, strlen(m->timestamp));
	buf_add(out, ", \"User\": ", 10);
	json_encode_str(out, m->user, strlen(m->user));
	buf_add(out, "}, \"NestedTracedData\": {}, \"SHA\": \"", 35);
	buf_add(out, sha, 64);
	buf_add(out, "\"}", 2);
}
