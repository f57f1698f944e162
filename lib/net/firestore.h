/* firestore: the Cloud Firestore REST v1 subset the pipeline needs (Coda store, UUID table, pipeline logs). */
#ifndef TD_FIRESTORE_H
#define TD_FIRESTORE_H

#include <stddef.h>

#include <jansson.h>

#include "net/gauth.h"
#include "net/http.h"
#include "util/err.h"

/*
 * Paths. Functions take document and collection paths RELATIVE to the database's documents root, with
 * raw (unencoded) segments: "datasets/D/messages/M" (a document), "datasets/D/messages" (a collection),
 * "" (the root, as a query parent). The library percent-encodes each segment in URLs (ids with ':', '+',
 * ' ' are fine) and builds full resource names ("projects/P/databases/(default)/documents/...") where
 * the API wants them.
 *
 * Documents are returned as the API's JSON object, a new reference the caller json_decref's:
 *   {"name": "projects/P/databases/(default)/documents/datasets/D/messages/M",
 *    "fields": {"Text": {"stringValue": "..."}, ...}, "createTime": "...Z", "updateTime": "...Z"}
 * Use firestore_doc_id / firestore_doc_path and firestore_fields_to_json to read them.
 *
 * Errors (struct err code = the tool's exit code; fs->last_status / fs->last_error keep the HTTP status
 * and Google's error status, e.g. 409 "ALREADY_EXISTS"):
 *   EX_NOPERM 77        401/403, or no credentials without an emulator
 *   EX_DATAERR 65       a precondition failed: ALREADY_EXISTS (409), FAILED_PRECONDITION (400, an
 *                       updateTime mismatch), NOT_FOUND on a write (404); also a reply that is not what
 *                       the API promises
 *   EX_UNAVAILABLE 69   unreachable or failing after the retries (lib/net/http.h rules), other HTTP errors
 * Note: a commit whose reply was lost is retried like any request; with an exists=false precondition the
 * retry then fails with ALREADY_EXISTS although the first try succeeded. Callers that care re-read.
 */

#define FIRESTORE_DEFAULT_BASE "https://firestore.googleapis.com/v1"

struct firestore {
	struct http_client *http;	/* not owned */
	struct gauth *auth;		/* not owned; NULL with an emulator: "Authorization: Bearer owner" */
	char *project;
	char *base;			/* "https://firestore.googleapis.com/v1" or "http://HOST:PORT/v1" */
	char *db;			/* "projects/P/databases/(default)" */
	long last_status;		/* HTTP status of the last request (0: none arrived) */
	char last_error[64];		/* "ALREADY_EXISTS", "FAILED_PRECONDITION", "NOT_FOUND", ... or "" */
};

/*
 * project: NULL means the key's project_id (auth must then be given). With FIRESTORE_EMULATOR_HOST=host:port
 * the base is http://host:port/v1 (loopback only), and requests carry auth's token when auth is given (the
 * fakes check it), else "Bearer owner" as the emulator expects. Without the emulator, auth is required.
 */
int firestore_init(struct firestore *fs, struct http_client *http, struct gauth *auth, const char *project,
    struct err *e);
void firestore_free(struct firestore *fs);

/* "projects/P/databases/(default)/documents/PATH" (PATH "" gives the documents root). malloc'ed. */
char *firestore_name(const struct firestore *fs, const char *path);
/* The last segment of a document's name (its id), and its path relative to the root; NULL if doc has no
 * name. Point into the document. */
const char *firestore_doc_id(const json_t *doc);
const char *firestore_doc_path(const json_t *doc);

/* ---- values ---- */

/*
 * JSON → Firestore Value (new reference): null → nullValue, true/false → booleanValue, integer →
 * integerValue (a decimal string), real → doubleValue, string → stringValue, array → arrayValue,
 * object → mapValue. Empty arrays and maps become {"arrayValue": {}} / {"mapValue": {}} as the API sends them.
 */
json_t *firestore_value(const json_t *v);
/* A JSON object → a "fields" object of Values (new reference). */
json_t *firestore_fields(const json_t *obj);
/* Values JSON has no type for. */
json_t *firestore_timestamp_value(const char *rfc3339);	/* {"timestampValue": "2020-11-06T10:00:00.812345Z"} */
json_t *firestore_bytes_value(const void *p, size_t n);		/* {"bytesValue": base64} */
json_t *firestore_reference_value(const struct firestore *fs, const char *path);

/*
 * Firestore Value → JSON (new reference, or NULL with e set for a malformed Value): integerValue →
 * integer, doubleValue → real ("NaN"/"Infinity"/"-Infinity" stay strings), timestampValue, bytesValue
 * (base64), referenceValue → their strings, geoPointValue → {"latitude", "longitude"}, arrayValue → array,
 * mapValue → object, nullValue → null.
 */
json_t *firestore_value_to_json(const json_t *value, struct err *e);
/* A "fields" object (or NULL: a document without fields) → a JSON object. */
json_t *firestore_fields_to_json(const json_t *fields, struct err *e);

/* Append a field path element to out, back-quoted when it is not [A-Za-z_][A-Za-z0-9_]* (as updateMask
 * and fieldPath want). */
void firestore_field_path(struct buf *out, const char *field);

/* ---- reads ---- */

/* GET one document: 0 found (*doc set), 1 missing (*doc NULL), -1 error. */
int firestore_get(struct firestore *fs, const char *path, json_t **doc, struct err *e);

/*
 * GET one page of a collection: pageSize (0: the server's default), page_token NULL for the first page.
 * *docs: a JSON array of documents (new reference, possibly empty); *next_token: malloc'ed, NULL on the
 * last page.
 */
int firestore_list_page(struct firestore *fs, const char *collection, int page_size, const char *page_token,
    json_t **docs, char **next_token, struct err *e);
/* Every document of a collection, page after page; each() may return non-zero to stop (returned). */
int firestore_list(struct firestore *fs, const char *collection, int page_size,
    int (*each)(void *ctx, json_t *doc), void *ctx, struct err *e);

/* POST documents:batchGet. each() is called once per path, in the order the server answers, with the
 * document or NULL if it does not exist; its path argument is the relative path. */
int firestore_batch_get(struct firestore *fs, const char *const *paths, size_t n,
    int (*each)(void *ctx, const char *path, json_t *doc), void *ctx, struct err *e);

/*
 * Structured queries. firestore_query_new("messages") selects the collection "messages" directly under
 * the parent given to firestore_run_query ("datasets/D"; "" for a top-level collection).
 *   firestore_query_where(q, "LastUpdated", "GREATER_THAN", firestore_timestamp_value(t))
 * ops: EQUAL, NOT_EQUAL, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN, GREATER_THAN_OR_EQUAL,
 * ARRAY_CONTAINS, IN. The value (a Value) is stolen. Two or more wheres are ANDed (compositeFilter).
 * order: "__name__" orders by document name. start_after_doc: the paging cursor after a document
 * (its full name; the query must be ordered by __name__ alone).
 */
json_t *firestore_query_new(const char *collection_id);
void firestore_query_where(json_t *q, const char *field, const char *op, json_t *value);
void firestore_query_order(json_t *q, const char *field, int descending);
void firestore_query_limit(json_t *q, int limit);
void firestore_query_start_after_doc(json_t *q, const char *doc_name);
/* POST {parent}:runQuery; each() gets every document in order (entries without one are skipped). */
int firestore_run_query(struct firestore *fs, const char *parent, const json_t *query,
    int (*each)(void *ctx, json_t *doc), void *ctx, struct err *e);

/* ---- writes ---- */

enum firestore_pre {
	FIRESTORE_PRE_NONE,
	FIRESTORE_PRE_MISSING,		/* currentDocument.exists = false: create only */
	FIRESTORE_PRE_EXISTS,		/* currentDocument.exists = true: update only */
	FIRESTORE_PRE_UPDATE_TIME,	/* currentDocument.updateTime = the given time */
};

/* A list of writes committed atomically by firestore_commit (the API allows up to 500 per commit). */
struct firestore_batch {
	json_t *writes;
};

void firestore_batch_init(struct firestore_batch *b);
void firestore_batch_free(struct firestore_batch *b);
size_t firestore_batch_len(const struct firestore_batch *b);
/*
 * Write fields (a "fields" object of Values, stolen) to path. mask: NULL replaces the whole document
 * (Python's set()); a NULL-terminated list of top-level field names updates only those (set(merge=True),
 * a name in the mask but not in fields is deleted). update_time is used with FIRESTORE_PRE_UPDATE_TIME.
 */
void firestore_batch_update(struct firestore_batch *b, const struct firestore *fs, const char *path, json_t *fields,
    const char *const *mask, enum firestore_pre pre, const char *update_time);
/* Set field to the commit time (SERVER_TIMESTAMP) in the last write added. */
void firestore_batch_server_time(struct firestore_batch *b, const char *field);
void firestore_batch_delete(struct firestore_batch *b, const struct firestore *fs, const char *path,
    enum firestore_pre pre, const char *update_time);
/* POST documents:commit. *reply (may be NULL) gets {"writeResults": [...], "commitTime"}. The batch is
 * left as it was (free or reuse it). */
int firestore_commit(struct firestore *fs, const struct firestore_batch *b, json_t **reply, struct err *e);

#endif
