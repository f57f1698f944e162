#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/strmap.h"

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static size_t *
find_slot(const struct strmap *m, const char *key, size_t klen, uint64_t h)
{
	size_t s = (size_t)h & (m->nslots - 1);

	for (;;) {
		size_t j = m->slots[s];
		if (j == 0)
			return &m->slots[s];
		const struct strmap_entry *e = &m->entries[j - 1];
		if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
			return &m->slots[s];
		s = (s + 1) & (m->nslots - 1);
	}
}

static void
grow(struct strmap *m)
{
	size_t ns = m->nslots ? m->nslots * 2 : 64;

	free(m->slots);
	m->slots = xcalloc(ns, sizeof *m->slots);
	m->nslots = ns;
	for (size_t i = 0; i < m->n; i++)
		*find_slot(m, m->entries[i].key, m->entries[i].klen, m->entries[i].hash) = i + 1;
}

struct strmap_entry *
strmap_get(const struct strmap *m, const char *key, size_t klen)
{
	size_t *slot;

	if (m->nslots == 0)
		return NULL;
	slot = find_slot(m, key, klen, hash_bytes(key, klen));
	return *slot ? &m->entries[*slot - 1] : NULL;
}

struct strmap_entry *
strmap_put(struct strmap *m, const char *key, size_t klen, size_t v, int *created)
{
	uint64_t h = hash_bytes(key, klen);
	size_t *slot;
	struct strmap_entry *e;

	if ((m->n + 1) * 2 > m->nslots)
		grow(m);
	slot = find_slot(m, key, klen, h);
	if (*slot) {
		if (created)
			*created = 0;
		return &m->entries[*slot - 1];
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 32;
		m->entries = xrealloc(m->entries, m->cap * sizeof *m->entries);
	}
	e = &m->entries[m->n];
	e->key = xmalloc(klen + 1);
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->klen = klen;
	e->hash = h;
	e->value = v;
	*slot = ++m->n;
	if (created)
		*created = 1;
	return e;
}

void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->entries[i].key);
	free(m->entries);
	free(m->slots);
	memset(m, 0, sizeof *m);
}
