/* strmap: a hash map from byte strings to indexes, for lookups by participant id, key or file name. */
#ifndef TD_STRMAP_H
#define TD_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_entry {
	char *key;		/* owned copy */
	size_t klen;
	uint64_t hash;
	size_t value;
};

struct strmap {
	struct strmap_entry *entries;	/* in insertion order */
	size_t n, cap;
	size_t *slots;			/* entry index + 1, 0 = empty */
	size_t nslots;
};

/* The entry for key, or NULL. */
struct strmap_entry *strmap_get(const struct strmap *m, const char *key, size_t klen);
/* The entry for key, created with value v if absent (*created tells which). */
struct strmap_entry *strmap_put(struct strmap *m, const char *key, size_t klen, size_t v, int *created);
void strmap_free(struct strmap *m);

#endif
