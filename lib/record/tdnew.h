/* tdnew: build new TracedData records from scratch, fast (the fetch tools make millions of them). */
#ifndef TD_TDNEW_H
#define TD_TDNEW_H

#include <stddef.h>
#include <stdint.h>

#include "record/td.h"
#include "util/buf.h"

/*
 * A JSON object under construction: members are added in any order with their values already in canonical
 * form (Python json.dumps spelling, as json_encode writes), and written with the keys sorted as Python's
 * sort_keys does. Reuse one builder for many records with tdobj_reset.
 */
struct tdobj_member {
	size_t koff, klen;	/* the key's UTF-8 bytes in keys */
	size_t voff, vlen;	/* its canonical value text in vals */
};

struct tdobj {
	struct tdobj_member *m;
	size_t n, cap;
	struct buf keys, vals;
};

void tdobj_reset(struct tdobj *o);
void tdobj_free(struct tdobj *o);
/* Add a member whose value text is json[0..n) (canonical JSON). A key added twice keeps both: do not. */
void tdobj_raw(struct tdobj *o, const char *key, size_t klen, const char *json, size_t n);
/* Begin a member whose canonical value the caller appends to o->vals itself; end it with tdobj_end. */
void tdobj_begin(struct tdobj *o, const char *key, size_t klen);
void tdobj_end(struct tdobj *o);
/* Convenience values. */
void tdobj_str(struct tdobj *o, const char *key, size_t klen, const char *s, size_t n);
void tdobj_int(struct tdobj *o, const char *key, size_t klen, int64_t v);
void tdobj_null(struct tdobj *o, const char *key, size_t klen);
void tdobj_true(struct tdobj *o, const char *key, size_t klen);
/* Append the object, keys sorted, as {"k": v, "k2": v2} (ensure_ascii keys). Sorts o in place. */
void tdobj_encode(struct tdobj *o, struct buf *out);

/*
 * Append one history entry {"Data": data, "Metadata": {...}, "NestedTracedData": {}, "SHA": sha} to out.
 * data[0..dlen) is the canonical text of the Data object (tdobj_encode's output); prev is the SHA of the
 * entry before it ("" for a record's first). sha receives this entry's SHA (CoreDataModules' rule:
 * SHA-256 of {"data": Data, "prev_sha": prev}).
 */
void td_entry_encode(struct buf *out, const char *data, size_t dlen, const char *prev, const struct td_meta *m,
    char sha[65]);

#endif
