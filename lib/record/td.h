/* td: one TracedData record — its latest view, the one history entry a tool appends, and SHA verification. */
#ifndef TD_TD_H
#define TD_TD_H

#include <stddef.h>
#include <stdint.h>

#include "record/json.h"
#include "util/buf.h"
#include "util/err.h"

/* CoreDataModules' tombstone: a key set to this string is deleted from the latest view. */
#define TD_TOMBSTONE "#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0"
#define TD_TOMBSTONE_LEN (sizeof TD_TOMBSTONE - 1)

enum td_form {
	TD_TRACED,		/* a JSON array of history entries, newest first (CoreDataModules JSONL) */
	TD_FLAT			/* a plain JSON object: the latest values */
};

/* A value: a node of some parsed document (the record's own, or one the tool made). */
struct td_val {
	struct json_doc *doc;
	uint32_t idx;
};

struct td_item {
	const char *key;
	uint32_t klen;
	uint32_t hash;
	struct td_val val;
	uint8_t live;		/* 0 once hidden */
	uint8_t nested;		/* the key of a nested TracedData: present but not a value (not in items()) */
};

/* The latest view: keys in Python dict order (a key set again after deletion moves to the end). */
struct td_view {
	struct td_item *items;
	size_t n, cap;
	uint32_t *slots;	/* open addressing: item index + 1, 0 = empty */
	size_t nslots;
};

enum td_change_kind { TD_SET, TD_HIDE, TD_NEST };

struct td_change {
	const char *key;
	size_t klen;
	enum td_change_kind kind;
	struct td_val val;	/* TD_SET */
	const char *nested;	/* TD_NEST: the nested record's traced text */
	size_t nested_len;
	char nested_sha[65];
};

struct td_meta {
	const char *user;	/* Metadata.User */
	const char *source;	/* Metadata.Source, "<tool> <version>" */
	const char *timestamp;	/* Metadata.Timestamp, UTC ISO-8601 with microseconds */
};

struct td {
	struct json_doc doc;	/* the record as read */
	struct json_doc store;	/* values the tool made */
	uint32_t root;
	enum td_form form;
	const char *line;
	size_t len;
	struct td_view view;
	int view_built;
	struct td_change *changes;
	size_t nchanges, capchanges;
	struct arena keys;	/* keys and nested texts the tool added */
	struct buf scratch;
};

/*
 * Parse one record (a line without its newline). Checks the JSON, the UTF-8, and for the traced form the shape
 * of every history entry (Data, Metadata and NestedTracedData objects, a SHA string), nested ones included.
 * Errors are EX_DATAERR with a message the caller prefixes with file:line. Reuses t's memory.
 */
int td_parse(struct td *t, const char *line, size_t len, struct err *e);
void td_free(struct td *t);

/* The latest value of key, or NULL if absent or hidden (nested TracedData keys are not values). */
const struct td_val *td_get(struct td *t, const char *key, size_t klen);
/* The string value of key, or NULL if absent or not a string. */
const char *td_get_str(struct td *t, const char *key, size_t klen, size_t *len);
/* Visible keys in order (hidden and nested keys skipped): size_t cur = 0; while (td_next_item(t, &cur, &it)) ... */
int td_next_item(struct td *t, size_t *cursor, const struct td_item **it);

/* Record a change (applied to the latest view at once; written as one entry by td_write). */
void td_set(struct td *t, const char *key, size_t klen, struct td_val v);
void td_set_str(struct td *t, const char *key, size_t klen, const char *s, size_t n);
int td_set_json(struct td *t, const char *key, size_t klen, const char *json, size_t n, struct err *e);
/*
 * td_set_json for text the caller wrote in canonical form (exactly json_encode's bytes with indent 0, such as
 * label_encode writes): td_write copies it instead of encoding it again.
 */
int td_set_json_canonical(struct td *t, const char *key, size_t klen, const char *json, size_t n, struct err *e);
/* Hide key (the tombstone). Returns -1 if the key is not visible (CoreDataModules raises KeyError). */
int td_hide(struct td *t, const char *key, size_t klen);
/*
 * append_traced_data(key, other): keys visible in both must have equal values (else EX_DATAERR naming the
 * first differing key); then other's history is nested under key and its latest values become visible.
 * other must stay alive until td_write. A flat other is nested as a one-entry TracedData made with meta m.
 */
int td_nest(struct td *t, const char *key, size_t klen, struct td *other, const struct td_meta *m, struct err *e);
size_t td_nchanges(const struct td *t);

/*
 * Append the record to out in the given form, with a final newline. Traced: the tool's changes become one new
 * history entry written before the untouched bytes of the old ones (nothing is re-encoded); no changes, no
 * entry. A flat record written as traced gets a first entry holding its values. Flat: the latest view as a JSON
 * object in key order, values in canonical form.
 */
void td_write(struct td *t, struct buf *out, enum td_form form, const struct td_meta *m);

/*
 * CoreDataModules' flush_history: the record becomes one entry holding its latest values plus
 * "_PrevTracedDataFileSHA" (the SHA-256 of the file the full histories were written to) and
 * "_PrevTracedDataSHA" (its newest SHA), hashed with an empty prev_sha (coredata.md §2.8).
 */
void td_write_flushed(struct td *t, struct buf *out, const char *file_sha, const struct td_meta *m);

/* Recompute every SHA (nested ones too) and compare. EX_DATAERR naming the entry on a mismatch. */
int td_verify(struct td *t, struct err *e);
/* The SHA of the newest entry (traced), or "" for a flat record. */
const char *td_sha(struct td *t, size_t *len);

/* Python == between two JSON values (1 == 1.0, dicts regardless of order). */
int json_value_equal(struct json_doc *a, uint32_t i, struct json_doc *b, uint32_t j);

#endif
