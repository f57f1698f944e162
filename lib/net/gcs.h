/* gcs: Google Cloud Storage JSON API subset — download, upload (media), list — for gs:// URLs. */
#ifndef TD_GCS_H
#define TD_GCS_H

#include <stddef.h>

#include <jansson.h>

#include "net/gauth.h"
#include "net/http.h"
#include "util/buf.h"
#include "util/err.h"

#define GCS_DEFAULT_BASE "https://storage.googleapis.com"

struct gcs {
	struct http_client *http;	/* not owned */
	struct gauth *auth;		/* not owned; NULL: no Authorization header (emulator) */
	char *base;			/* "https://storage.googleapis.com" or $STORAGE_EMULATOR_HOST */
};

/*
 * base: the API root; NULL means $STORAGE_EMULATOR_HOST when set (it includes the scheme, e.g.
 * "http://127.0.0.1:4443"; "host:port" alone gets "http://"), else https://storage.googleapis.com.
 * auth may be NULL only with an emulator (the real service needs a token): EX_NOPERM otherwise.
 * When auth is given it is used even with an emulator (the fakes check it).
 */
int gcs_init(struct gcs *g, struct http_client *http, struct gauth *auth, const char *base, struct err *e);
void gcs_free(struct gcs *g);

/* 1 if s starts with "gs://". */
int gcs_is_url(const char *s);
/* Split "gs://bucket/path/to/object" into malloc'ed bucket and object (object may be "" for
 * "gs://bucket" or "gs://bucket/"). EX_USAGE if it is not such a URL. */
int gcs_parse_url(const char *url, char **bucket, char **object, struct err *e);

/*
 * GET {base}/storage/v1/b/{bucket}/o/{object, percent-encoded as one segment}?alt=media.
 * To fd (a regular file: a retried download starts it again) or into out. A missing object or bucket is
 * EX_NOINPUT: "gs://bucket/object: no such object".
 */
int gcs_download_fd(struct gcs *g, const char *bucket, const char *object, int fd, struct err *e);
int gcs_download(struct gcs *g, const char *bucket, const char *object, struct buf *out, struct err *e);

/* POST {base}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={object}. content_type NULL means
 * application/octet-stream. A missing bucket is EX_UNAVAILABLE ("gs://bucket: no such bucket"). */
int gcs_upload(struct gcs *g, const char *bucket, const char *object, const void *data, size_t len,
    const char *content_type, struct err *e);

/*
 * GET {base}/storage/v1/b/{bucket}/o?prefix={prefix}[&pageToken=T], every page. each() gets every
 * object resource ({"name", "size", ...}) in the order served; a non-zero return stops the listing and
 * is returned. 0 when done, -1 with e set on failure.
 */
int gcs_list(struct gcs *g, const char *bucket, const char *prefix,
    int (*each)(void *ctx, const char *name, json_t *object), void *ctx, struct err *e);

#endif
