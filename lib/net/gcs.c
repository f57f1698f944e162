#include <stdlib.h>
#include <string.h>

#include "net/gcs.h"

int
gcs_init(struct gcs *g, struct http_client *http, struct gauth *auth, const char *base, struct err *e)
{
	const char *emu = getenv("STORAGE_EMULATOR_HOST");
	struct buf b = { 0 };

	memset(g, 0, sizeof *g);
	if (base == NULL && emu != NULL && *emu != '\0') {
		if (strstr(emu, "://") == NULL)
			buf_adds(&b, "http://");
		buf_adds(&b, emu);
	} else {
		if (auth == NULL)
			return err_set(e, EX_NOPERM,
			    "no credentials for Cloud Storage (give a service-account key file, or set STORAGE_EMULATOR_HOST)");
		buf_adds(&b, base != NULL ? base : GCS_DEFAULT_BASE);
	}
	while (b.len > 0 && b.p[b.len - 1] == '/')
		b.len--;
	buf_addc(&b, '\0');
	if (http_url_allowed(b.p, e) == -1) {
		buf_free(&b);
		return -1;
	}
	g->base = b.p;
	g->http = http;
	g->auth = auth;
	return 0;
}

void
gcs_free(struct gcs *g)
{
	free(g->base);
	g->base = NULL;
}

int
gcs_is_url(const char *s)
{
	return strncmp(s, "gs://", 5) == 0;
}

int
gcs_parse_url(const char *url, char **bucket, char **object, struct err *e)
{
	const char *p, *slash;

	*bucket = *object = NULL;
	if (!gcs_is_url(url))
		return err_set(e, EX_USAGE, "%s: not a gs:// URL", url);
	p = url + 5;
	slash = strchr(p, '/');
	size_t blen = slash ? (size_t)(slash - p) : strlen(p);
	if (blen == 0)
		return err_set(e, EX_USAGE, "%s: no bucket name (expected gs://bucket/object)", url);
	*bucket = xmalloc(blen + 1);
	memcpy(*bucket, p, blen);
	(*bucket)[blen] = '\0';
	*object = xstrdup(slash ? slash + 1 : "");
	return 0;
}

/* {base}/storage/v1/b/{bucket}/o/{object} */
static void
object_url(const struct gcs *g, struct buf *u, const char *prefix, const char *bucket, const char *object)
{
	buf_adds(u, g->base);
	buf_adds(u, prefix);
	http_urlencode(u, bucket, strlen(bucket), 0);
	buf_adds(u, "/o");
	if (object != NULL) {
		buf_addc(u, '/');
		http_urlencode(u, object, strlen(object), 0);
	}
	buf_addc(u, '\0');
	u->len--;
}

/* The header list: Authorization (if any) and extra (NULL-terminated), in hv[0..]. */
static int
headers(struct gcs *g, const char **hv, const char *extra, struct err *e)
{
	int n = 0;

	if (g->auth != NULL) {
		const char *h = gauth_header(g->auth, e);
		if (h == NULL)
			return -1;
		hv[n++] = h;
	}
	if (extra != NULL)
		hv[n++] = extra;
	hv[n] = NULL;
	return 0;
}

static int
download(struct gcs *g, const char *bucket, const char *object, int fd, struct buf *out, struct err *e)
{
	struct http_response r = { 0 };
	struct buf u = { 0 };
	const char *hv[4];
	int rc;

	if (headers(g, hv, NULL, e) == -1)
		return -1;
	object_url(g, &u, "/storage/v1/b/", bucket, object);
	buf_adds(&u, "?alt=media");
	buf_addc(&u, '\0');
	if (fd >= 0)
		rc = http_request_fd(g->http, "GET", u.p, hv, NULL, 0, fd, &r, e);
	else
		rc = http_request(g->http, "GET", u.p, hv, NULL, 0, &r, e);
	if (rc == -1 && r.status == 404)
		err_set(e, EX_NOINPUT, "gs://%s/%s: no such object", bucket, object);
	if (rc == 0 && out != NULL) {
		buf_add(out, r.body.p, r.body.len);
	}
	http_response_free(&r);
	buf_free(&u);
	return rc;
}

int
gcs_download_fd(struct gcs *g, const char *bucket, const char *object, int fd, struct err *e)
{
	return download(g, bucket, object, fd, NULL, e);
}

int
gcs_download(struct gcs *g, const char *bucket, const char *object, struct buf *out, struct err *e)
{
	return download(g, bucket, object, -1, out, e);
}

int
gcs_upload(struct gcs *g, const char *bucket, const char *object, const void *data, size_t len,
    const char *content_type, struct err *e)
{
	struct http_response r = { 0 };
	struct buf u = { 0 }, ct = { 0 };
	const char *hv[4];
	int rc;

	if (*object == '\0')
		return err_set(e, EX_USAGE, "gs://%s/: no object name", bucket);
	buf_adds(&ct, "Content-Type: ");
	buf_adds(&ct, content_type ? content_type : "application/octet-stream");
	buf_addc(&ct, '\0');
	if (headers(g, hv, ct.p, e) == -1) {
		buf_free(&ct);
		return -1;
	}
	object_url(g, &u, "/upload/storage/v1/b/", bucket, NULL);
	buf_addc(&u, '\0');
	u.len--;
	http_query_add(&u, "uploadType", "media", 0);
	http_query_add(&u, "name", object, 0);
	rc = http_request(g->http, "POST", u.p, hv, data ? data : "", len, &r, e);
	if (rc == -1 && r.status == 404)
		err_set(e, EX_UNAVAILABLE, "gs://%s: no such bucket", bucket);
	http_response_free(&r);
	buf_free(&u);
	buf_free(&ct);
	return rc;
}

int
gcs_list(struct gcs *g, const char *bucket, const char *prefix,
    int (*each)(void *ctx, const char *name, json_t *object), void *ctx, struct err *e)
{
	char *page = NULL;
	int rc = 0;

	for (;;) {
		struct buf u = { 0 };
		const char *hv[4];
		json_t *reply = NULL;
		long status = 0;

		if (headers(g, hv, NULL, e) == -1) {
			rc = -1;
			break;
		}
		object_url(g, &u, "/storage/v1/b/", bucket, NULL);
		if (prefix != NULL && *prefix != '\0')
			http_query_add(&u, "prefix", prefix, 0);
		if (page != NULL)
			http_query_add(&u, "pageToken", page, 0);
		buf_addc(&u, '\0');
		free(page);
		page = NULL;
		rc = http_json(g->http, "GET", u.p, hv, NULL, &reply, &status, e);
		buf_free(&u);
		if (rc == -1) {
			if (status == 404)
				err_set(e, EX_NOINPUT, "gs://%s: no such bucket", bucket);
			json_decref(reply);
			break;
		}
		json_t *items = json_object_get(reply, "items"), *it;
		size_t i;
		json_array_foreach(items, i, it) {
			json_t *name = json_object_get(it, "name");
			if (json_is_string(name) && (rc = each(ctx, json_string_value(name), it)) != 0)
				break;
		}
		json_t *next = json_object_get(reply, "nextPageToken");
		if (rc == 0 && json_is_string(next) && json_string_length(next) > 0)
			page = xstrdup(json_string_value(next));
		json_decref(reply);
		if (rc != 0 || page == NULL)
			break;
	}
	free(page);
	return rc;
}
