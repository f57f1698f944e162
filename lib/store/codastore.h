/* codastore: Coda V2's datasets (segments, messages, code schemes, users, metrics) in a store: a local directory or Firestore. */
#ifndef TD_CODASTORE_H
#define TD_CODASTORE_H

#include <stddef.h>
#include <stdint.h>

#include "coding/coda.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/strmap.h"

/*
 * A store holds Coda V2's Firestore layout (apis.md §2.1), document by document:
 *
 *   datasets/<segment>                        {"users": [e-mail, ...]}
 *   datasets/<segment>/messages/<MessageID>   a message, with SequenceNumber and LastUpdated
 *   datasets/<segment>/code_schemes/<SchemeID>
 *   datasets/<segment>/metrics/messages       {"messages_count", "messages_with_label",
 *                                              "wrong_scheme_messages", "not_coded_messages"}
 *   segment_counts/<dataset>                  {"segment_count": n}, only for datasets of several segments
 *
 * A dataset D lives in segments D, D_2, D_3, ... of at most CODASTORE_SEGMENT_SIZE messages each. The code
 * here is the same for every backend; a backend only gets, lists and commits documents.
 */
#define CODASTORE_SEGMENT_SIZE 2500
#define CODASTORE_BATCH 250		/* messages per commit, as CodaV2's add (2 writes each, 500 a commit) */

/* Returned (instead of -1) by a backend commit whose create-only precondition failed: someone else wrote. */
#define CODASTORE_CONFLICT (-2)

struct codastore;

/* One document write of a commit. */
struct codastore_write {
	const char *path;		/* e.g. "datasets/D/messages/<id>" (ids as they are, not encoded) */
	const char *json;		/* the document: a JSON object */
	size_t len;
	int create_only;		/* fail with CODASTORE_CONFLICT if the document exists */
	int server_time;		/* set its LastUpdated to the commit time (Firestore's REQUEST_TIME) */
	int remove;			/* delete the document (json unused; a missing one is no error) */
};

/* A listed document: its id (last path element) and its fields as plain JSON, timestamps as
 * "YYYY-MM-DDThh:mm:ss.ffffff+00:00" strings (as get.py renders LastUpdated). */
typedef int (*codastore_doc_fn)(void *arg, const char *id, const char *json, size_t len, struct err *e);

struct codastore_backend {
	const char *name;		/* "dir", "firestore" */
	/* A document's JSON into out (replacing its content); *found = 0 when it does not exist. */
	int (*get)(struct codastore *s, const char *path, struct buf *out, int *found, struct err *e);
	/* Every document of a collection; when after/upto are not INT64_MIN/INT64_MAX, only those with
	 * after < LastUpdated <= upto (documents without LastUpdated then are left out, as Firestore does). */
	int (*list)(struct codastore *s, const char *collection, int64_t after, int64_t upto, codastore_doc_fn fn,
	    void *arg, struct err *e);
	/* Write documents, all or (as far as the backend can) none; CODASTORE_CONFLICT on a failed precondition. */
	int (*commit)(struct codastore *s, const struct codastore_write *w, size_t n, struct err *e);
	/* Exclusive access to one dataset for an add (a no-op where commits carry preconditions instead). */
	int (*lock)(struct codastore *s, const char *dataset, struct err *e);
	void (*unlock)(struct codastore *s);
	void (*close)(struct codastore *s);
};

struct codastore {
	const struct codastore_backend *be;
	void *priv;			/* the backend's state */
	char *spec;			/* as given */
	/* The commit time of the dir backend (Firestore's server sets its own): microseconds since the epoch.
	 * NULL: the system clock. */
	int64_t (*clock)(void *ctx);
	void *clock_ctx;
	/* Told after each committed batch (or segment created): what happened, for -v and progress bars. */
	void (*on_progress)(void *ctx, const char *dataset, size_t done, size_t total);
	void *progress_ctx;
};

/*
 * Open a store: "dir:PATH" (the directory is created on the first write; PATH's layout is in coda-add(1)),
 * or the path of a Google service-account key file (Firestore). EX_USAGE for an empty spec, EX_NOPERM for
 * a key file that is unreadable or not a service-account key (no part of it is ever quoted).
 */
int codastore_open(struct codastore **s, const char *spec, struct err *e);
void codastore_close(struct codastore *s);

/* A message read from a store or a previous export. */
struct codastore_msg {
	char *id;			/* MessageID (owned, NUL-terminated) */
	size_t id_len;
	int64_t seq;			/* SequenceNumber */
	int64_t last_updated;		/* LastUpdated as an instant, INT64_MIN when absent */
	char *json;			/* the whole message, compact JSON (owned) */
	size_t len;
	size_t segment;			/* 1-based segment it was read from; 0 for a previous export */
};

struct codastore_msgs {
	struct codastore_msg *v;
	size_t n, cap;
};

void codastore_msgs_free(struct codastore_msgs *m);

/*
 * The dataset's messages (every segment) with LastUpdated > after (INT64_MIN: all), appended to out.
 * Segmented datasets get a second pass per segment for after < ... <= the newest LastUpdated seen, which
 * catches messages labelled while the segments were read (CodaV2's pass compares a timestamp with a string
 * and never matches: fixed here). A MessageID in two segments is EX_DATAERR. A dataset that does not exist
 * has no messages. Messages already in out with segment 0 (a previous export) are replaced in place by the
 * store's copy; the others are appended.
 */
int codastore_get_messages(struct codastore *s, const char *dataset, int64_t after, struct codastore_msgs *out,
    struct err *e);

/*
 * get.py's incremental export: the previous export (a JSON array of messages, e.g. "Coded Coda Files/D.json";
 * NULL for none) merged by MessageID with the store's messages updated after its newest LastUpdated, ordered
 * by SequenceNumber (stable: the previous order, new ones after). *full tells whether the whole dataset was
 * read (no previous export, or one without LastUpdated).
 */
int codastore_export(struct codastore *s, const char *dataset, const char *previous, struct codastore_msgs *out,
    int *full, struct err *e);

/*
 * Messages as get.py prints them: json.dumps(messages, indent=2) with keys sorted (ensure_ascii, "," at line
 * ends, "[]" when empty), plus a final newline.
 */
int codastore_print_messages(struct buf *out, const struct codastore_msgs *m, struct err *e);
/* The users array of the dataset's first segment, as json.dumps(users, indent=2) plus a newline.
 * EX_NOINPUT when the dataset does not exist. */
int codastore_print_users(struct codastore *s, const char *dataset, struct buf *out, struct err *e);
/* The dataset's code schemes (ordered by SchemeID), as json.dumps(schemes, indent=2), keys sorted, plus a newline. */
int codastore_print_schemes(struct codastore *s, const char *dataset, struct buf *out, struct err *e);

struct codastore_add_stats {
	size_t added;			/* messages, schemes or users written (or that would be, with dry_run) */
	size_t skipped;			/* already present */
	size_t existing;		/* messages in the dataset before */
	int64_t first_seq, last_seq;	/* SequenceNumbers given to added messages (-1 when none) */
	size_t segments;		/* segments after */
	size_t segments_created;
	size_t metrics_written;		/* metrics documents rewritten */
};

/*
 * add.py for messages: every message of f whose MessageID is not in the dataset yet (any segment), in file
 * order, with SequenceNumber (kept if given, else max + 1, from -1) and LastUpdated (the commit time); in
 * batches of CODASTORE_BATCH create-only writes, a new segment (schemes and users copied) whenever the last
 * one holds CODASTORE_SEGMENT_SIZE; then each segment's metrics recomputed and rewritten where they differ.
 * Existing messages are never written. The dataset is locked (dir) or every write is create-only (both):
 * a conflict re-reads the dataset and goes on. dry_run: count only, write nothing.
 */
int codastore_add_messages(struct codastore *s, const char *dataset, const struct coda_file *f, int dry_run,
    struct codastore_add_stats *st, struct err *e);
/*
 * add.py for schemes: each of paths holds a code scheme or a JSON array of them (each validated as a scheme,
 * EX_DATAERR before anything is written); those whose SchemeID the dataset lacks are written to every
 * segment. Existing schemes are untouched.
 */
int codastore_add_schemes(struct codastore *s, const char *dataset, const char *const *paths, size_t npaths,
    int dry_run, struct codastore_add_stats *st, struct err *e);
/* Users: path holds a JSON array of e-mail addresses; those not yet in the dataset's users are appended to
 * the users of every segment (creating the dataset if needed). */
int codastore_add_users(struct codastore *s, const char *dataset, const char *path, int dry_run,
    struct codastore_add_stats *st, struct err *e);

/*
 * The datasets of the store: each first segment's id ("D", not its "D_2", "D_3", ...), sorted. *names is an
 * array of *n owned strings (free each and the array).
 */
int codastore_list_datasets(struct codastore *s, char ***names, size_t *n, struct err *e);

struct codastore_delete_stats {
	size_t deleted;			/* messages deleted (or that would be, with dry_run) */
	size_t metrics_written;		/* metrics documents rewritten */
};

/*
 * Delete the dataset's messages (any segment) whose MessageID is a key of ids, in batches of CODASTORE_BATCH,
 * under the dataset's lock; then each segment's metrics are recomputed and rewritten where they differ. The
 * other messages, their SequenceNumbers and LastUpdated are not touched. A crash part-way leaves some of the
 * messages deleted: running the delete again finishes it (and the metrics). Backends without deletes (Firestore,
 * for now) fail with EX_UNAVAILABLE before anything is written. dry_run: count only.
 */
int codastore_delete_messages(struct codastore *s, const char *dataset, const struct strmap *ids, int dry_run,
    struct codastore_delete_stats *st, struct err *e);

/* The commit time for backends that keep their own: s->clock, else the system clock. */
int64_t codastore_now(struct codastore *s);

/* The id of segment i (1-based) of a dataset: "D" for 1, "D_i" after. Caller frees. */
char *codastore_segment_id(const char *dataset, size_t i);

/* Backends. */
extern const struct codastore_backend codastore_dir_backend;
int codastore_dir_open(struct codastore *s, const char *path, struct err *e);
int codastore_firestore_open(struct codastore *s, const char *keyfile, struct err *e);

#endif
