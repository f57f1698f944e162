#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/sha.h"
#include "record/td.h"

/* ---- the latest view ---- */

/* Eight bytes at a time (keys run to 40 bytes; a byte-wise hash was a long chain of multiplications). */
static uint32_t
key_hash(const char *k, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;

	while (n >= 8) {
		memcpy(&w, k, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
		k += 8;
		n -= 8;
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, k, n);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 32;
	return (uint32_t)h;
}

static void
view_clear(struct td_view *v)
{
	v->n = 0;
	if (v->slots != NULL)
		memset(v->slots, 0, v->nslots * sizeof *v->slots);
}

static void
view_free(struct td_view *v)
{
	free(v->items);
	free(v->slots);
	memset(v, 0, sizeof *v);
}

static void
view_rehash(struct td_view *v)
{
	size_t ns = v->nslots ? v->nslots * 2 : 64;

	while (ns < v->n * 2 + 2)
		ns *= 2;
	free(v->slots);
	v->slots = xcalloc(ns, sizeof *v->slots);
	v->nslots = ns;
	/* Later items win: a key set again after deletion has a newer item. */
	for (size_t i = 0; i < v->n; i++) {
		size_t s = v->items[i].hash & (ns - 1);
		for (;;) {
			uint32_t j = v->slots[s];
			if (j == 0) {
				v->slots[s] = (uint32_t)i + 1;
				break;
			}
			if (v->items[j - 1].hash == v->items[i].hash && v->items[j - 1].klen == v->items[i].klen &&
			    memcmp(v->items[j - 1].key, v->items[i].key, v->items[i].klen) == 0) {
				v->slots[s] = (uint32_t)i + 1;
				break;
			}
			s = (s + 1) & (ns - 1);
		}
	}
}

/* The slot for key: *slot points at the slot (empty or holding the key's newest item). */
static uint32_t *
view_slot(struct td_view *v, const char *key, size_t klen, uint32_t h)
{
	size_t s = h & (v->nslots - 1);

	for (;;) {
		uint32_t j = v->slots[s];
		if (j == 0)
			return &v->slots[s];
		const struct td_item *it = &v->items[j - 1];
		if (it->hash == h && it->klen == klen && memcmp(it->key, key, klen) == 0)
			return &v->slots[s];
		s = (s + 1) & (v->nslots - 1);
	}
}

static struct td_item *
view_find(struct td_view *v, const char *key, size_t klen)
{
	uint32_t *slot;

	if (v->nslots == 0)
		return NULL;
	slot = view_slot(v, key, klen, key_hash(key, klen));
	return *slot ? &v->items[*slot - 1] : NULL;
}

static void
view_set(struct td_view *v, const char *key, size_t klen, struct td_val val, int nested)
{
	uint32_t h = key_hash(key, klen), *slot;
	struct td_item *it;

	if (v->nslots == 0 || (v->n + 1) * 2 > v->nslots)
		view_rehash(v);
	slot = view_slot(v, key, klen, h);
	if (*slot && v->items[*slot - 1].live) {
		it = &v->items[*slot - 1];
		it->val = val;
		it->nested = (uint8_t)nested;
		return;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 32;
		v->items = xrealloc(v->items, v->cap * sizeof *v->items);
	}
	it = &v->items[v->n];
	it->key = key;
	it->klen = (uint32_t)klen;
	it->hash = h;
	it->val = val;
	it->live = 1;
	it->nested = (uint8_t)nested;
	*slot = (uint32_t)++v->n;
}

static void
view_del(struct td_view *v, const char *key, size_t klen)
{
	struct td_item *it = view_find(v, key, klen);

	if (it != NULL)
		it->live = 0;
}

static int
is_tombstone(struct json_doc *d, uint32_t i)
{
	return d->nodes[i].type == JV_STRING && json_str_eq(d, i, TD_TOMBSTONE, TD_TOMBSTONE_LEN);
}

/* Entries of a history array, oldest first. */
static uint32_t *
entries_oldest_first(struct json_doc *d, uint32_t arr, size_t *n, uint32_t *stackbuf, size_t stackn)
{
	const struct json_node *a = &d->nodes[arr];
	uint32_t *out = a->count <= stackn ? stackbuf : xmalloc(a->count * sizeof *out);
	size_t k = a->count;

	for (uint32_t c = arr + 1; c < a->next; c = d->nodes[c].next)
		out[--k] = c;
	*n = a->count;
	return out;
}

/* _get_latest_items of one TracedData, applied onto v (coredata.md §2.3). */
static void
view_apply_history(struct td_view *v, struct json_doc *d, uint32_t arr)
{
	uint32_t stackbuf[64], *entries;
	size_t n;

	entries = entries_oldest_first(d, arr, &n, stackbuf, 64);
	for (size_t i = 0; i < n; i++) {
		uint32_t ent = entries[i];
		uint32_t data = json_get(d, ent, "Data", 4);
		uint32_t nest = json_get(d, ent, "NestedTracedData", 16);
		uint32_t k;
		size_t klen;
		const char *key;

		/* First the nested TracedData's latest items (their deletions stay theirs). */
		if (nest && d->nodes[nest].count) {
			for (k = nest + 1; k < d->nodes[nest].next; k = d->nodes[k + 1].next) {
				struct td_view sub = { 0 };
				view_apply_history(&sub, d, k + 1);
				for (size_t j = 0; j < sub.n; j++)
					if (sub.items[j].live)
						view_set(v, sub.items[j].key, sub.items[j].klen, sub.items[j].val,
						    sub.items[j].nested);
				view_free(&sub);
			}
		}
		if (data && d->nodes[data].count) {
			for (k = data + 1; k < d->nodes[data].next; k = d->nodes[k + 1].next) {
				key = json_str(d, k, &klen);
				if (is_tombstone(d, k + 1))
					view_del(v, key, klen);
				else
					view_set(v, key, klen, (struct td_val){ d, k + 1 }, 0);
			}
		}
		if (nest && d->nodes[nest].count) {
			for (k = nest + 1; k < d->nodes[nest].next; k = d->nodes[k + 1].next) {
				key = json_str(d, k, &klen);
				view_set(v, key, klen, (struct td_val){ d, k + 1 }, 1);
			}
		}
	}
	if (entries != stackbuf)
		free(entries);
}

static void
view_build(struct td *t)
{
	if (t->view_built)
		return;
	/*
	 * A record has at most one key per two nodes: size the table once for all of them, so that building the
	 * view never rehashes (a tool's own changes add a few more, and may grow it then).
	 */
	if (t->view.nslots < t->doc.n + 64) {
		size_t ns = 64;
		while (ns < t->doc.n + 64)
			ns *= 2;
		free(t->view.slots);
		t->view.slots = xcalloc(ns, sizeof *t->view.slots);
		t->view.nslots = ns;
		t->view.n = 0;
	}
	view_clear(&t->view);
	if (t->form == TD_FLAT) {
		struct json_doc *d = &t->doc;
		for (uint32_t k = t->root + 1; k < d->nodes[t->root].next; k = d->nodes[k + 1].next) {
			size_t klen;
			const char *key = json_str(d, k, &klen);
			view_set(&t->view, key, klen, (struct td_val){ d, k + 1 }, 0);
		}
	} else {
		view_apply_history(&t->view, &t->doc, t->root);
	}
	t->view_built = 1;
}

/* ---- parsing and shape checks ---- */

static int
check_history(struct json_doc *d, uint32_t arr, const char *where, struct err *e)
{
	const struct json_node *a = &d->nodes[arr];
	uint32_t c, n = 0;

	if (a->type != JV_ARRAY || a->count == 0)
		return err_set(e, EX_DATAERR, "%s%s", where,
		    a->type != JV_ARRAY ? "expected an array of history entries" : "empty history (expected at least one entry)");
	for (c = arr + 1; c < a->next; c = d->nodes[c].next) {
		uint32_t v;
		n++;
		if (d->nodes[c].type != JV_OBJECT)
			return err_set(e, EX_DATAERR, "%shistory entry %u: expected an object", where, n);
		if (!(v = json_get(d, c, "Data", 4)) || d->nodes[v].type != JV_OBJECT)
			return err_set(e, EX_DATAERR, "%shistory entry %u: \"Data\" is missing or not an object", where, n);
		if (!(v = json_get(d, c, "SHA", 3)) || d->nodes[v].type != JV_STRING)
			return err_set(e, EX_DATAERR, "%shistory entry %u: \"SHA\" is missing or not a string", where, n);
		if (!(v = json_get(d, c, "Metadata", 8)) || d->nodes[v].type != JV_OBJECT)
			return err_set(e, EX_DATAERR, "%shistory entry %u: \"Metadata\" is missing or not an object", where, n);
		if (!(v = json_get(d, c, "NestedTracedData", 16)) || d->nodes[v].type != JV_OBJECT)
			return err_set(e, EX_DATAERR, "%shistory entry %u: \"NestedTracedData\" is missing or not an object",
			    where, n);
		for (uint32_t k = v + 1; k < d->nodes[v].next; k = d->nodes[k + 1].next) {
			/* The nested entry's place is only spelled out for an error (not formatted for every record). */
			if (check_history(d, k + 1, "", e) == -1) {
				size_t klen;
				const char *key = json_str(d, k, &klen);
				return err_prefix(e, "%shistory entry %u: NestedTracedData \"%.*s\"", where, n,
				    (int)(klen > 100 ? 100 : klen), key);
			}
		}
	}
	return 0;
}

int
td_parse(struct td *t, const char *line, size_t len, struct err *e)
{
	json_reset(&t->doc);
	json_reset(&t->store);
	arena_reset(&t->keys);
	t->nchanges = 0;
	t->view_built = 0;
	t->line = line;
	t->len = len;
	if (json_parse(&t->doc, line, len, &t->root, e) == -1)
		return -1;
	switch (t->doc.nodes[t->root].type) {
	case JV_OBJECT:
		t->form = TD_FLAT;
		return 0;
	case JV_ARRAY:
		t->form = TD_TRACED;
		return check_history(&t->doc, t->root, "", e);
	default:
		return err_set(e, EX_DATAERR, "expected a TracedData array or a flat JSON object");
	}
}

void
td_free(struct td *t)
{
	json_free(&t->doc);
	json_free(&t->store);
	view_free(&t->view);
	free(t->changes);
	arena_free(&t->keys);
	buf_free(&t->scratch);
	memset(t, 0, sizeof *t);
}

/* ---- reading ---- */

const struct td_val *
td_get(struct td *t, const char *key, size_t klen)
{
	struct td_item *it;

	view_build(t);
	it = view_find(&t->view, key, klen);
	if (it == NULL || !it->live || it->nested)
		return NULL;
	return &it->val;
}

const char *
td_get_str(struct td *t, const char *key, size_t klen, size_t *len)
{
	const struct td_val *v = td_get(t, key, klen);

	if (v == NULL || v->doc->nodes[v->idx].type != JV_STRING)
		return NULL;
	return json_str(v->doc, v->idx, len);
}

int
td_next_item(struct td *t, size_t *cursor, const struct td_item **it)
{
	size_t i = *cursor;

	view_build(t);
	while (i < t->view.n && (!t->view.items[i].live || t->view.items[i].nested))
		i++;
	if (i >= t->view.n)
		return 0;
	*it = &t->view.items[i];
	*cursor = i + 1;
	return 1;
}

/* ---- changes ---- */

static struct td_change *
change_for(struct td *t, const char *key, size_t klen)
{
	for (size_t i = 0; i < t->nchanges; i++)
		if (t->changes[i].klen == klen && memcmp(t->changes[i].key, key, klen) == 0)
			return &t->changes[i];
	if (t->nchanges == t->capchanges) {
		t->capchanges = t->capchanges ? t->capchanges * 2 : 16;
		t->changes = xrealloc(t->changes, t->capchanges * sizeof *t->changes);
	}
	struct td_change *c = &t->changes[t->nchanges++];
	memset(c, 0, sizeof *c);
	c->key = arena_strndup(&t->keys, key, klen);
	c->klen = klen;
	return c;
}

void
td_set(struct td *t, const char *key, size_t klen, struct td_val v)
{
	struct td_change *c;

	view_build(t);
	c = change_for(t, key, klen);
	c->kind = TD_SET;
	c->val = v;
	view_set(&t->view, c->key, klen, v, 0);
}

int
td_set_json(struct td *t, const char *key, size_t klen, const char *json, size_t n, struct err *e)
{
	uint32_t root;

	if (json_parse_copy(&t->store, json, n, &root, e) == -1)
		return -1;
	td_set(t, key, klen, (struct td_val){ &t->store, root });
	return 0;
}

int
td_set_json_canonical(struct td *t, const char *key, size_t klen, const char *json, size_t n, struct err *e)
{
	uint32_t root;

	if (json_parse_copy(&t->store, json, n, &root, e) == -1)
		return -1;
	if (t->store.nodes[root].type == JV_OBJECT || t->store.nodes[root].type == JV_ARRAY)
		t->store.nodes[root].flags |= JSON_F_CANONICAL;
	td_set(t, key, klen, (struct td_val){ &t->store, root });
	return 0;
}

void
td_set_str(struct td *t, const char *key, size_t klen, const char *s, size_t n)
{
	struct buf *b = &t->scratch;
	uint32_t root;

	b->len = 0;
	json_encode_str(b, s, n);
	if (json_parse_copy(&t->store, b->p, b->len, &root, NULL) == -1)
		abort();	/* we just encoded it */
	td_set(t, key, klen, (struct td_val){ &t->store, root });
}

int
td_hide(struct td *t, const char *key, size_t klen)
{
	struct td_change *c;

	if (td_get(t, key, klen) == NULL)
		return -1;
	c = change_for(t, key, klen);
	c->kind = TD_HIDE;
	view_del(&t->view, c->key, klen);
	return 0;
}

size_t
td_nchanges(const struct td *t)
{
	return t->nchanges;
}

/* A number node (or a bool, which Python compares as 0/1) as a double; long texts need a copy for strtod. */
static double
number_of(const struct json_node *n)
{
	char tmp[64], *big;
	double v;

	if (n->type == JV_TRUE)
		return 1;
	if (n->type == JV_FALSE)
		return 0;
	if (n->len < sizeof tmp) {
		memcpy(tmp, n->p, n->len);
		tmp[n->len] = '\0';
		return strtod(tmp, NULL);
	}
	big = xmalloc(n->len + 1);
	memcpy(big, n->p, n->len);
	big[n->len] = '\0';
	v = strtod(big, NULL);
	free(big);
	return v;
}

static int
is_numeric(const struct json_node *n)
{
	return n->type == JV_INT || n->type == JV_FLOAT || n->type == JV_TRUE || n->type == JV_FALSE;
}

/* Python compares an int with a float exactly: the float must be integral and equal to the int's digits. */
static int
int_equals_float(struct json_doc *a, uint32_t i, double f)
{
	struct buf p = { 0 };
	char exact[400];
	int eq;

	if (!isfinite(f) || f != floor(f))
		return 0;
	snprintf(exact, sizeof exact, "%.0f", f);
	if (strcmp(exact, "-0") == 0)
		strcpy(exact, "0");
	json_number_text(&p, a, i);
	eq = p.len == strlen(exact) && memcmp(p.p, exact, p.len) == 0;
	buf_free(&p);
	return eq;
}

int
json_value_equal(struct json_doc *a, uint32_t i, struct json_doc *b, uint32_t j)
{
	const struct json_node *x = &a->nodes[i], *y = &b->nodes[j];

	if (is_numeric(x) && is_numeric(y)) {
		int xi = x->type != JV_FLOAT, yi = y->type != JV_FLOAT;
		if (xi && yi) {
			if (x->type == JV_INT && y->type == JV_INT) {
				struct buf p = { 0 }, q = { 0 };
				json_number_text(&p, a, i);
				json_number_text(&q, b, j);
				int eq = p.len == q.len && memcmp(p.p, q.p, p.len) == 0;
				buf_free(&p);
				buf_free(&q);
				return eq;
			}
			return number_of(x) == number_of(y);
		}
		if (x->type == JV_INT)
			return int_equals_float(a, i, number_of(y));
		if (y->type == JV_INT)
			return int_equals_float(b, j, number_of(x));
		return number_of(x) == number_of(y);
	}
	if (x->type != y->type)
		return 0;
	switch (x->type) {
	case JV_NULL: case JV_TRUE: case JV_FALSE:
		return 1;
	case JV_STRING: {
		size_t l1, l2;
		const char *s = json_str(a, i, &l1), *s2 = json_str(b, j, &l2);
		return l1 == l2 && memcmp(s, s2, l1) == 0;
	}
	case JV_ARRAY: {
		uint32_t c, d;
		if (x->count != y->count)
			return 0;
		for (c = i + 1, d = j + 1; c < x->next; c = a->nodes[c].next, d = b->nodes[d].next)
			if (!json_value_equal(a, c, b, d))
				return 0;
		return 1;
	}
	case JV_OBJECT: {
		uint32_t c, n1 = 0, n2 = 0;
		for (c = i + 1; c < x->next; c = a->nodes[c + 1].next) {
			size_t kl;
			const char *k = json_str(a, c, &kl);
			uint32_t v = json_get(b, j, k, kl);
			if (!v || !json_value_equal(a, json_get(a, i, k, kl), b, v))
				return 0;
			n1++;
		}
		/* Same keys both ways (duplicates aside). */
		for (c = j + 1; c < y->next; c = b->nodes[c + 1].next) {
			size_t kl;
			const char *k = json_str(b, c, &kl);
			if (!json_get(a, i, k, kl))
				return 0;
			n2++;
		}
		(void)n1;
		(void)n2;
		return 1;
	}
	}
	return 0;
}

/* ---- writing ---- */

/* A member of an object being encoded canonically. */
struct kv {
	const char *key;
	size_t klen;
	struct json_doc *doc;	/* value node, or */
	uint32_t idx;
	const char *str;	/* a string value (encoded as a JSON string), or */
	size_t slen;
	const char *raw;	/* JSON text inserted as-is */
	size_t rawlen;
	size_t pos;
};

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	int c = json_keycmp(x->key, x->klen, y->key, y->klen);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* {"k": v, ...} with keys sorted; for equal keys the last one given wins. */
static void
encode_kvs(struct buf *out, struct kv *m, size_t n)
{
	int first = 1;

	for (size_t i = 0; i < n; i++)
		m[i].pos = i;
	if (n > 1)
		qsort(m, n, sizeof *m, kv_cmp);
	buf_addc(out, '{');
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && json_keycmp(m[i].key, m[i].klen, m[i + 1].key, m[i + 1].klen) == 0)
			continue;
		if (!first)
			buf_add(out, ", ", 2);
		first = 0;
		json_encode_str(out, m[i].key, m[i].klen);
		buf_add(out, ": ", 2);
		if (m[i].raw != NULL)
			buf_add(out, m[i].raw, m[i].rawlen);
		else if (m[i].str != NULL)
			json_encode_str(out, m[i].str, m[i].slen);
		else
			json_encode(out, m[i].doc, m[i].idx, 0);
	}
	buf_addc(out, '}');
}

static void
encode_meta(struct buf *out, const struct td_meta *m)
{
	buf_adds(out, "{\"Source\": ");
	json_encode_str(out, m->source, strlen(m->source));
	buf_adds(out, ", \"Timestamp\": ");
	json_encode_str(out, m->timestamp, strlen(m->timestamp));
	buf_adds(out, ", \"User\": ");
	json_encode_str(out, m->user, strlen(m->user));
	buf_addc(out, '}');
}

/* SHA of {"data": <data object text>, "prev_sha": prev} — the bytes CoreDataModules hashes. */
static void
entry_sha(const char *data, size_t dlen, const char *prev, size_t plen, char out[65])
{
	struct buf b = { 0 };

	buf_reserve(&b, dlen + plen + 32);
	buf_add(&b, "{\"data\": ", 9);
	buf_add(&b, data, dlen);
	buf_add(&b, ", \"prev_sha\": ", 14);
	json_encode_str(&b, prev, plen);
	buf_addc(&b, '}');
	sha256_hex(b.p, b.len, out);
	buf_free(&b);
}

/*
 * One history entry: Data (the kvs), NestedTracedData (nested kvs, raw texts), SHA over data ∪ nested SHAs.
 * sha_out receives the entry's SHA.
 */
static void
write_entry(struct buf *out, struct kv *data, size_t nd, struct kv *nest, const char (*nest_sha)[65], size_t nn,
    const char *prev, size_t plen, const struct td_meta *m, char sha_out[65])
{
	struct buf d = { 0 };
	struct kv *all = xmalloc((nd + nn + 1) * sizeof *all);

	/* What is hashed: the data with each nested TracedData replaced by its SHA. */
	memcpy(all, data, nd * sizeof *all);
	for (size_t i = 0; i < nn; i++) {
		memset(&all[nd + i], 0, sizeof *all);
		all[nd + i].key = nest[i].key;
		all[nd + i].klen = nest[i].klen;
		all[nd + i].str = nest_sha[i];
		all[nd + i].slen = 64;
	}
	encode_kvs(&d, all, nd + nn);
	entry_sha(d.p, d.len, prev, plen, sha_out);
	free(all);

	buf_adds(out, "{\"Data\": ");
	if (nn > 0) {
		/* Without nested TracedData the Data is what was hashed. */
		d.len = 0;
		encode_kvs(&d, data, nd);
	}
	buf_add(out, d.p, d.len);
	buf_adds(out, ", \"Metadata\": ");
	encode_meta(out, m);
	buf_adds(out, ", \"NestedTracedData\": ");
	encode_kvs(out, nest, nn);
	buf_adds(out, ", \"SHA\": \"");
	buf_add(out, sha_out, 64);
	buf_add(out, "\"}", 2);
	buf_free(&d);
}

const char *
td_sha(struct td *t, size_t *len)
{
	if (t->form != TD_TRACED) {
		*len = 0;
		return "";
	}
	uint32_t newest = t->root + 1;
	uint32_t s = json_get(&t->doc, newest, "SHA", 3);
	return json_str(&t->doc, s, len);
}

/* The flat record's values as one first entry. */
static void
write_flat_as_entry(struct td *t, struct buf *out, const struct td_meta *m, char sha[65])
{
	struct json_doc *d = &t->doc;
	size_t n = d->nodes[t->root].count, k = 0;
	struct kv *m1 = xcalloc(n + 1, sizeof *m1);

	for (uint32_t c = t->root + 1; c < d->nodes[t->root].next; c = d->nodes[c + 1].next, k++) {
		m1[k].key = json_str(d, c, &m1[k].klen);
		m1[k].doc = d;
		m1[k].idx = c + 1;
	}
	write_entry(out, m1, k, NULL, NULL, 0, "", 0, m, sha);
	free(m1);
}

/* The tool's changes as one entry on top of prev. */
static void
write_changes_entry(struct td *t, struct buf *out, const char *prev, size_t plen, const struct td_meta *m,
    char sha[65])
{
	size_t nd = 0, nn = 0;
	struct kv *data = xcalloc(t->nchanges + 1, sizeof *data), *nest = xcalloc(t->nchanges + 1, sizeof *nest);
	char (*nsha)[65] = xcalloc(t->nchanges + 1, sizeof *nsha);

	for (size_t i = 0; i < t->nchanges; i++) {
		struct td_change *c = &t->changes[i];
		struct kv *p;
		switch (c->kind) {
		case TD_SET:
			p = &data[nd++];
			p->key = c->key;
			p->klen = c->klen;
			p->doc = c->val.doc;
			p->idx = c->val.idx;
			break;
		case TD_HIDE:
			p = &data[nd++];
			p->key = c->key;
			p->klen = c->klen;
			p->str = TD_TOMBSTONE;
			p->slen = TD_TOMBSTONE_LEN;
			break;
		case TD_NEST:
			p = &nest[nn];
			p->key = c->key;
			p->klen = c->klen;
			p->raw = c->nested;
			p->rawlen = c->nested_len;
			memcpy(nsha[nn], c->nested_sha, 65);
			nn++;
			break;
		}
	}
	write_entry(out, data, nd, nest, (const char (*)[65])nsha, nn, prev, plen, m, sha);
	free(data);
	free(nest);
	free(nsha);
}

static void
write_flat(struct td *t, struct buf *out)
{
	int first = 1;

	view_build(t);
	buf_addc(out, '{');
	for (size_t i = 0; i < t->view.n; i++) {
		const struct td_item *it = &t->view.items[i];
		if (!it->live || it->nested)
			continue;
		if (!first)
			buf_add(out, ", ", 2);
		first = 0;
		json_encode_str(out, it->key, it->klen);
		buf_add(out, ": ", 2);
		json_encode(out, it->val.doc, it->val.idx, 0);
	}
	buf_addc(out, '}');
}

void
td_write(struct td *t, struct buf *out, enum td_form form, const struct td_meta *m)
{
	char sha[65], sha0[65];

	if (form == TD_FLAT && t->form == TD_FLAT && t->nchanges == 0) {
		buf_add(out, t->line, t->len);
	} else if (form == TD_FLAT) {
		write_flat(t, out);
	} else if (t->form == TD_TRACED) {
		if (t->nchanges == 0) {
			buf_add(out, t->line, t->len);
		} else {
			size_t plen;
			const char *prev = td_sha(t, &plen);
			const char *rest = (const char *)memchr(t->line, '[', t->len) + 1;
			buf_addc(out, '[');
			write_changes_entry(t, out, prev, plen, m, sha);
			buf_add(out, ", ", 2);
			buf_add(out, rest, (size_t)(t->line + t->len - rest));
		}
	} else {
		struct buf first = { 0 };
		write_flat_as_entry(t, &first, m, sha0);
		buf_addc(out, '[');
		if (t->nchanges) {
			write_changes_entry(t, out, sha0, 64, m, sha);
			buf_add(out, ", ", 2);
		}
		buf_add(out, first.p, first.len);
		buf_addc(out, ']');
		buf_free(&first);
	}
	buf_addc(out, '\n');
}

void
td_write_flushed(struct td *t, struct buf *out, const char *file_sha, const struct td_meta *m)
{
	const struct td_item *it;
	size_t n = 0, cap = 16, cur = 0, plen;
	struct kv *kvs = xcalloc(cap, sizeof *kvs);
	const char *prev = td_sha(t, &plen);
	char sha[65];

	while (td_next_item(t, &cur, &it)) {
		if (n + 2 >= cap)
			kvs = xrealloc(kvs, (cap *= 2) * sizeof *kvs);
		memset(&kvs[n], 0, sizeof *kvs);
		kvs[n].key = it->key;
		kvs[n].klen = it->klen;
		kvs[n].doc = it->val.doc;
		kvs[n].idx = it->val.idx;
		n++;
	}
	memset(&kvs[n], 0, 2 * sizeof *kvs);
	kvs[n].key = "_PrevTracedDataFileSHA";
	kvs[n].klen = 22;
	kvs[n].str = file_sha;
	kvs[n].slen = strlen(file_sha);
	n++;
	kvs[n].key = "_PrevTracedDataSHA";
	kvs[n].klen = 18;
	kvs[n].str = prev;
	kvs[n].slen = plen;
	n++;
	buf_addc(out, '[');
	write_entry(out, kvs, n, NULL, NULL, 0, "", 0, m, sha);
	buf_add(out, "]\n", 2);
	free(kvs);
}

int
td_nest(struct td *t, const char *key, size_t klen, struct td *other, const struct td_meta *m, struct err *e)
{
	const struct td_item *it;
	struct td_change *c;

	/* CoreDataModules asserts that keys visible on both sides agree. */
	view_build(t);
	for (size_t cur = 0; td_next_item(other, &cur, &it);) {
		const struct td_val *mine = td_get(t, it->key, it->klen);
		if (mine != NULL && !json_value_equal(mine->doc, mine->idx, it->val.doc, it->val.idx))
			return err_set(e, EX_DATAERR, "cannot nest under \"%.*s\": key \"%.*s\" differs between the records",
			    (int)klen, key, (int)it->klen, it->key);
	}
	if (t->form == TD_FLAT) {
		for (size_t cur = 0; td_next_item(other, &cur, &it);) {
			td_set(t, it->key, it->klen, it->val);
		}
		return 0;
	}
	c = change_for(t, key, klen);
	c->kind = TD_NEST;
	if (other->form == TD_TRACED) {
		size_t sl;
		const char *s = td_sha(other, &sl);
		c->nested = other->line;
		c->nested_len = other->len;
		snprintf(c->nested_sha, sizeof c->nested_sha, "%.*s", (int)(sl < 64 ? sl : 64), s);
	} else {
		struct buf b = { 0 };
		char sha[65];
		write_flat_as_entry(other, &b, m, sha);
		char *text = arena_alloc(&t->keys, b.len + 2);
		text[0] = '[';
		memcpy(text + 1, b.p, b.len);
		text[b.len + 1] = ']';
		c->nested = text;
		c->nested_len = b.len + 2;
		memcpy(c->nested_sha, sha, 65);
		buf_free(&b);
	}
	/* The nested latest items become visible, then the key itself (not a value). */
	for (size_t cur = 0; td_next_item(other, &cur, &it);) {
		view_set(&t->view, it->key, it->klen, it->val, 0);
	}
	view_set(&t->view, c->key, klen, (struct td_val){ NULL, 0 }, 1);
	return 0;
}

/* ---- verification ---- */

static int
verify_history(struct json_doc *d, uint32_t arr, char newest_sha[65], const char *where, struct err *e)
{
	uint32_t stackbuf[64], *entries;
	size_t n;
	char prev[65] = "", computed[65];
	int rc = 0;

	entries = entries_oldest_first(d, arr, &n, stackbuf, 64);
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint32_t ent = entries[i];
		uint32_t data = json_get(d, ent, "Data", 4);
		uint32_t nest = json_get(d, ent, "NestedTracedData", 16);
		uint32_t shan = json_get(d, ent, "SHA", 3);
		size_t nd = d->nodes[data].count, nn = d->nodes[nest].count, k = 0;
		struct kv *all = xcalloc(nd + nn + 1, sizeof *all);
		char (*nsha)[65] = xcalloc(nn + 1, sizeof *nsha);
		size_t j = 0;

		for (uint32_t c = data + 1; c < d->nodes[data].next; c = d->nodes[c + 1].next, k++) {
			all[k].key = json_str(d, c, &all[k].klen);
			all[k].doc = d;
			all[k].idx = c + 1;
		}
		for (uint32_t c = nest + 1; c < d->nodes[nest].next && rc == 0; c = d->nodes[c + 1].next, j++) {
			char sub[600];
			size_t klen;
			const char *key = json_str(d, c, &klen);
			snprintf(sub, sizeof sub, "%shistory entry %zu: NestedTracedData \"%.*s\": ", where, n - i,
			    (int)(klen > 100 ? 100 : klen), key);
			rc = verify_history(d, c + 1, nsha[j], sub, e);
			/* Python: data.update(nested) — the nested SHA replaces a same-named data key. */
			all[k].key = key;
			all[k].klen = klen;
			all[k].str = nsha[j];
			all[k].slen = 64;
			k++;
		}
		if (rc == 0) {
			struct buf b = { 0 };
			size_t slen;
			const char *recorded = json_str(d, shan, &slen);
			encode_kvs(&b, all, k);
			entry_sha(b.p, b.len, prev, strlen(prev), computed);
			buf_free(&b);
			if (slen != 64 || memcmp(recorded, computed, 64) != 0)
				rc = err_set(e, EX_DATAERR,
				    "%shistory entry %zu of %zu (1 = newest): SHA mismatch (recorded %.*s, computed %s)",
				    where, n - i, n, (int)(slen > 64 ? 64 : slen), recorded, computed);
			memcpy(prev, computed, 65);
		}
		free(all);
		free(nsha);
	}
	if (entries != stackbuf)
		free(entries);
	if (rc == 0)
		memcpy(newest_sha, prev, 65);
	return rc;
}

int
td_verify(struct td *t, struct err *e)
{
	char sha[65];

	if (t->form != TD_TRACED)
		return 0;
	return verify_history(&t->doc, t->root, sha, "", e);
}
