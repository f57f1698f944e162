/*
 * The Firestore backend of the Coda store: Coda V2's own layout (apis.md §2.1) over the Firestore REST API
 * (lib/net/firestore), with a Google service-account key (FIRESTORE_EMULATOR_HOST points it at an emulator
 * or the test fake). There is no lock: every message write is create-only (currentDocument.exists = false),
 * so a concurrent writer's commit fails as a whole (ALREADY_EXISTS) and the add re-reads the dataset.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "net/firestore.h"
#include "net/gauth.h"
#include "net/http.h"
#include "store/codastore.h"
#include "util/isotime.h"

struct fsstore {
	struct http_client http;
	struct gauth auth;
	struct firestore fs;
};

/* RFC 3339 with microseconds and Z, as Firestore wants timestamps. */
static void
rfc3339(int64_t usec, char *out, size_t n)
{
	time_t secs = (time_t)(usec >= 0 ? usec / 1000000 : (usec - 999999) / 1000000);
	long frac = (long)(usec - (int64_t)secs * 1000000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/*
 * A document as plain JSON: its fields, with a LastUpdated timestamp rendered as get.py renders it
 * (isoformat(timespec="microseconds"): "+00:00", six fraction digits).
 */
static int
doc_json(const json_t *doc, struct buf *out, struct err *e)
{
	json_t *fields = json_object_get(doc, "fields"), *copy = NULL, *obj;
	const char *ts = json_string_value(json_object_get(json_object_get(fields, "LastUpdated"), "timestampValue"));
	char *text;

	if (ts != NULL) {
		struct isotime t;
		char when[64];
		if (iso_parse(ts, strlen(ts), &t, e) == -1)
			return err_prefix(e, "%s: LastUpdated", firestore_doc_path(doc));
		time_t secs = (time_t)(t.usec >= 0 ? t.usec / 1000000 : (t.usec - 999999) / 1000000);
		long frac = (long)(t.usec - (int64_t)secs * 1000000);
		struct tm tm;
		gmtime_r(&secs, &tm);
		snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
		copy = json_copy(fields);
		json_object_set_new(copy, "LastUpdated", json_pack("{s:s}", "stringValue", when));
		fields = copy;
	}
	obj = firestore_fields_to_json(fields, e);
	json_decref(copy);
	if (obj == NULL)
		return err_prefix(e, "%s", firestore_doc_path(doc) ? firestore_doc_path(doc) : "document");
	text = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(17));
	json_decref(obj);
	out->len = 0;
	buf_adds(out, text);
	buf_addc(out, '\0');
	out->len--;
	free(text);
	return 0;
}

static int
fs_get(struct codastore *s, const char *path, struct buf *out, int *found, struct err *e)
{
	struct fsstore *st = s->priv;
	json_t *doc = NULL;
	int rc;

	*found = 0;
	rc = firestore_get(&st->fs, path, &doc, e);
	if (rc == -1)
		return -1;
	if (rc == 1)
		return 0;
	*found = 1;
	rc = doc_json(doc, out, e);
	json_decref(doc);
	return rc;
}

struct each_ctx {
	codastore_doc_fn fn;
	void *arg;
	struct err *e;
	struct buf text;
	int failed;
};

static int
each_doc(void *ctx, json_t *doc)
{
	struct each_ctx *c = ctx;
	const char *id = firestore_doc_id(doc);

	if (id == NULL || doc_json(doc, &c->text, c->e) == -1 || c->fn(c->arg, id, c->text.p, c->text.len, c->e) == -1) {
		if (id == NULL)
			err_set(c->e, EX_DATAERR, "a listed document has no name");
		c->failed = 1;
		return 1;
	}
	return 0;
}

static int
fs_list(struct codastore *s, const char *collection, int64_t after, int64_t upto, codastore_doc_fn fn, void *arg,
    struct err *e)
{
	struct fsstore *st = s->priv;
	struct each_ctx c = { .fn = fn, .arg = arg, .e = e };
	int rc;

	if (after == INT64_MIN && upto == INT64_MAX) {
		rc = firestore_list(&st->fs, collection, 300, each_doc, &c, e);
	} else {
		/* where LastUpdated > after [and <= upto], on the collection's parent document. */
		const char *slash = strrchr(collection, '/');
		char *parent = slash ? strndup(collection, (size_t)(slash - collection)) : strdup("");
		json_t *q = firestore_query_new(slash ? slash + 1 : collection);
		char when[64];
		if (after != INT64_MIN) {
			rfc3339(after, when, sizeof when);
			firestore_query_where(q, "LastUpdated", "GREATER_THAN", firestore_timestamp_value(when));
		}
		if (upto != INT64_MAX) {
			rfc3339(upto, when, sizeof when);
			firestore_query_where(q, "LastUpdated", "LESS_THAN_OR_EQUAL", firestore_timestamp_value(when));
		}
		rc = firestore_run_query(&st->fs, parent, q, each_doc, &c, e);
		json_decref(q);
		free(parent);
	}
	buf_free(&c.text);
	if (c.failed)
		return -1;
	return rc == -1 ? -1 : 0;
}

static int
fs_commit(struct codastore *s, const struct codastore_write *w, size_t n, struct err *e)
{
	struct fsstore *st = s->priv;
	struct firestore_batch b;
	json_error_t je;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (w[i].remove)
			return err_set(e, EX_UNAVAILABLE, "%s: deleting documents is not supported by the Firestore "
			    "store yet (expected a dir: store)", w[i].path);
	firestore_batch_init(&b);
	for (size_t i = 0; i < n; i++) {
		json_t *obj = json_loadb(w[i].json, w[i].len, 0, &je);
		if (obj == NULL || !json_is_object(obj)) {
			json_decref(obj);
			firestore_batch_free(&b);
			return err_set(e, EX_DATAERR, "%s: not a JSON object", w[i].path);
		}
		firestore_batch_update(&b, &st->fs, w[i].path, firestore_fields(obj), NULL,
		    w[i].create_only ? FIRESTORE_PRE_MISSING : FIRESTORE_PRE_NONE, NULL);
		if (w[i].server_time)
			firestore_batch_server_time(&b, "LastUpdated");
		json_decref(obj);
	}
	if (firestore_commit(&st->fs, &b, NULL, e) == -1)
		rc = strcmp(st->fs.last_error, "ALREADY_EXISTS") == 0 ? CODASTORE_CONFLICT : -1;
	firestore_batch_free(&b);
	return rc;
}

static void
fs_close(struct codastore *s)
{
	struct fsstore *st = s->priv;

	if (st == NULL)
		return;
	firestore_free(&st->fs);
	gauth_free(&st->auth);
	http_client_free(&st->http);
	free(st);
	s->priv = NULL;
}

static const struct codastore_backend firestore_backend = {
	.name = "firestore",
	.get = fs_get,
	.list = fs_list,
	.commit = fs_commit,
	.close = fs_close,
};

int
codastore_firestore_open(struct codastore *s, const char *keyfile, struct err *e)
{
	struct fsstore *st = xcalloc(1, sizeof *st);

	http_client_init(&st->http);
	if (gauth_init(&st->auth, keyfile, GAUTH_SCOPE_DATASTORE, &st->http, e) == -1) {
		http_client_free(&st->http);
		free(st);
		return -1;
	}
	if (firestore_init(&st->fs, &st->http, &st->auth, NULL, e) == -1) {
		gauth_free(&st->auth);
		http_client_free(&st->http);
		free(st);
		return -1;
	}
	s->priv = st;
	s->be = &firestore_backend;
	return 0;
}
