#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/drive.h"
#include "util/buf.h"

int
drive_init(struct drive *d, struct http_client *http, struct gauth *auth, const char *base, struct err *e)
{
	const char *env = getenv("TDTOOLS_DRIVE_BASE");
	size_t n;

	memset(d, 0, sizeof *d);
	if (base == NULL)
		base = env != NULL && *env != '\0' ? env : DRIVE_DEFAULT_BASE;
	if (http_url_allowed(base, e) == -1)
		return -1;
	d->http = http;
	d->auth = auth;
	d->base = xstrdup(base);
	n = strlen(d->base);
	while (n > 0 && d->base[n - 1] == '/')
		d->base[--n] = '\0';
	return 0;
}

void
drive_free(struct drive *d)
{
	for (size_t i = 0; i < d->ncache; i++)
		free(d->cache[i]);
	free(d->cache);
	free(d->base);
	memset(d, 0, sizeof *d);
}

const char *
drive_mime_type(const char *name)
{
	static const char *const table[][2] = {
		{ ".csv", "text/csv" }, { ".png", "image/png" }, { ".svg", "image/svg+xml" },
		{ ".pdf", "application/pdf" }, { ".json", "application/json" }, { ".jsonl", "application/x-ndjson" },
		{ ".txt", "text/plain" }, { ".gz", "application/gzip" }, { ".gzip", "application/gzip" },
		{ ".html", "text/html" },
	};
	const char *dot = strrchr(name, '.');

	if (dot != NULL && strchr(dot, '/') == NULL)
		for (size_t i = 0; i < sizeof table / sizeof *table; i++)
			if (strcasecmp(dot, table[i][0]) == 0)
				return table[i][1];
	return "application/octet-stream";
}

/* ---- requests ---- */

static int
call_json(struct drive *d, const char *method, const char *url, json_t *body, json_t **reply, long *status,
    struct err *e)
{
	const char *hdr = gauth_header(d->auth, e);
	const char *headers[2] = { hdr, NULL };
	json_t *r = NULL;
	long st = 0;
	int rc;

	if (hdr == NULL)
		return -1;
	rc = http_json(d->http, method, url, headers, body, &r, &st, e);
	if (status != NULL)
		*status = st;
	if (reply != NULL)
		*reply = r;
	else
		json_decref(r);
	return rc;
}

static void
api_url(struct drive *d, struct buf *u, const char *upload, const char *path, const char *id)
{
	u->len = 0;
	buf_adds(u, d->base);
	buf_adds(u, upload);
	buf_adds(u, "/drive/v3/");
	buf_adds(u, path);
	if (id != NULL) {
		buf_addc(u, '/');
		http_urlencode(u, id, strlen(id), 0);
	}
	buf_addc(u, '\0');
	u->len--;
}

/* A name inside a q string: '...' with \ and ' escaped (the reference interpolates it raw). */
static void
q_quote(struct buf *q, const char *s)
{
	buf_addc(q, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			buf_addc(q, '\\');
		buf_addc(q, *s);
	}
	buf_addc(q, '\'');
}

/*
 * files.list with query q, every page; collects the ids of the matches (at most max kept, all counted).
 */
static int
list_ids(struct drive *d, const char *q, int all_drives, char ***ids, size_t *n, struct err *e)
{
	struct buf u = { 0 };
	char *page = NULL;
	int rc = 0;

	*ids = NULL;
	*n = 0;
	for (;;) {
		json_t *reply = NULL, *files;
		size_t i;
		json_t *f;

		api_url(d, &u, "", "files", NULL);
		http_query_add(&u, "q", q, 0);
		http_query_add(&u, "spaces", "drive", 0);
		http_query_add(&u, "fields", "nextPageToken,files(id,name,mimeType)", 0);
		http_query_add(&u, "supportsAllDrives", "true", 0);
		http_query_add(&u, "includeItemsFromAllDrives", "true", 0);
		if (all_drives)
			http_query_add(&u, "corpora", "allDrives", 0);
		if (page != NULL)
			http_query_add(&u, "pageToken", page, 0);
		if (call_json(d, "GET", u.p, NULL, &reply, NULL, e) == -1) {
			json_decref(reply);
			rc = -1;
			break;
		}
		files = json_object_get(reply, "files");
		json_array_foreach(files, i, f) {
			const char *id = json_string_value(json_object_get(f, "id"));
			if (id == NULL)
				continue;
			*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
			(*ids)[(*n)++] = xstrdup(id);
		}
		free(page);
		page = NULL;
		{
			const char *next = json_string_value(json_object_get(reply, "nextPageToken"));
			if (next != NULL && *next != '\0')
				page = xstrdup(next);
		}
		json_decref(reply);
		if (page == NULL)
			break;
	}
	free(page);
	buf_free(&u);
	if (rc == -1) {
		for (size_t i = 0; i < *n; i++)
			free((*ids)[i]);
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

static void
free_ids(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static int
shared_drive(struct drive *d, const char *name, char **id, struct err *e)
{
	struct buf u = { 0 }, q = { 0 };
	json_t *reply = NULL, *drives, *dr;
	size_t i, found = 0;
	int rc;

	*id = NULL;
	buf_adds(&q, "name = ");
	q_quote(&q, name);
	buf_addc(&q, '\0');
	api_url(d, &u, "", "drives", NULL);
	http_query_add(&u, "q", q.p, 0);
	http_query_add(&u, "fields", "drives(id,name)", 0);
	rc = call_json(d, "GET", u.p, NULL, &reply, NULL, e);
	if (rc == 0) {
		drives = json_object_get(reply, "drives");
		json_array_foreach(drives, i, dr) {
			const char *s = json_string_value(json_object_get(dr, "id"));
			if (s != NULL && found++ == 0)
				*id = xstrdup(s);
		}
		if (found > 1) {
			free(*id);
			*id = NULL;
			rc = err_set(e, EX_DATAERR, "drive path %s: %zu shared drives have that name (expected one)",
			    name, found);
		}
	}
	json_decref(reply);
	buf_free(&u);
	buf_free(&q);
	return rc;
}

static int
create_folder(struct drive *d, const char *parent, const char *name, char **id, struct err *e)
{
	struct buf u = { 0 };
	json_t *body, *reply = NULL;
	const char *s;
	int rc;

	api_url(d, &u, "", "files", NULL);
	http_query_add(&u, "fields", "id", 0);
	http_query_add(&u, "supportsAllDrives", "true", 0);
	body = json_pack("{s:s, s:s, s:[s]}", "name", name, "mimeType", DRIVE_FOLDER_MIME, "parents", parent);
	rc = call_json(d, "POST", u.p, body, &reply, NULL, e);
	json_decref(body);
	if (rc == 0) {
		if ((s = json_string_value(json_object_get(reply, "id"))) == NULL)
			rc = err_set(e, EX_UNAVAILABLE, "POST %s: the reply has no file id", u.p);
		else
			*id = xstrdup(s);
	}
	json_decref(reply);
	buf_free(&u);
	return rc;
}

static const char *
cache_get(struct drive *d, const char *path, size_t n)
{
	for (size_t i = 0; i < d->ncache; i++)
		if (strncmp(d->cache[i], path, n) == 0 && d->cache[i][n] == '\t')
			return d->cache[i] + n + 1;
	return NULL;
}

static void
cache_put(struct drive *d, const char *path, size_t n, const char *id)
{
	char *s = xmalloc(n + strlen(id) + 2);

	memcpy(s, path, n);
	s[n] = '\t';
	strcpy(s + n + 1, id);
	d->cache = xrealloc(d->cache, (d->ncache + 1) * sizeof *d->cache);
	d->cache[d->ncache++] = s;
}

int
drive_folder(struct drive *d, const char *path, int create, char **id, struct err *e)
{
	struct buf q = { 0 }, elem = { 0 };
	char *parent = NULL;
	const char *p = path, *cached;
	int rc = 0;

	*id = NULL;
	if (*path == '\0' || *path == '/' || path[strlen(path) - 1] == '/' || strstr(path, "//") != NULL)
		return err_set(e, EX_USAGE, "drive path '%s': expected folder names separated by '/'", path);
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		size_t upto = (size_t)(p - path) + n;
		char **ids = NULL;
		size_t nids = 0;
		char *found = NULL;

		elem.len = 0;
		buf_add(&elem, p, n);
		buf_addc(&elem, '\0');
		if ((cached = cache_get(d, path, upto)) != NULL) {
			free(parent);
			parent = xstrdup(cached);
			p += n + (slash != NULL);
			continue;
		}
		q.len = 0;
		buf_adds(&q, "name = ");
		q_quote(&q, elem.p);
		if (parent == NULL) {
			buf_adds(&q, " and sharedWithMe = true");
		} else {
			buf_adds(&q, " and ");
			q_quote(&q, parent);
			buf_adds(&q, " in parents");
		}
		buf_adds(&q, " and mimeType = '" DRIVE_FOLDER_MIME "' and trashed = false");
		buf_addc(&q, '\0');
		if (list_ids(d, q.p, parent != NULL, &ids, &nids, e) == -1) {
			rc = -1;
			break;
		}
		if (nids > 1 && parent == NULL) {
			rc = err_set(e, EX_DATAERR, "drive path %s: %zu folders shared with the service account have "
			    "that name (expected one)", elem.p, nids);
			free_ids(ids, nids);
			break;
		}
		if (nids >= 1)
			found = xstrdup(ids[0]);	/* several same-name subfolders: the first, as the reference */
		free_ids(ids, nids);
		if (found == NULL && parent == NULL && shared_drive(d, elem.p, &found, e) == -1) {
			rc = -1;
			break;
		}
		if (found == NULL) {
			if (parent == NULL || !create) {
				rc = err_set(e, EX_NOINPUT, "drive path %.*s: no such folder%s", (int)upto, path,
				    parent == NULL ? " shared with the service account" : "");
				break;
			}
			if (create_folder(d, parent, elem.p, &found, e) == -1) {
				rc = -1;
				break;
			}
		}
		cache_put(d, path, upto, found);
		free(parent);
		parent = found;
		p += n + (slash != NULL);
	}
	buf_free(&q);
	buf_free(&elem);
	if (rc == -1) {
		free(parent);
		return -1;
	}
	*id = parent;
	return 0;
}

/* ---- uploads ---- */

static int
read_file(const char *path, struct buf *out, struct err *e)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, errno == ENOENT ? EX_NOINPUT : errno == EACCES ? EX_NOPERM : EX_IOERR,
		    "%s: cannot read: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, EX_NOINPUT, "%s: not a regular file", path);
	}
	for (;;) {
		ssize_t r;
		buf_reserve(out, 1 << 16);
		r = read(fd, out->p + out->len, out->cap - out->len);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			err_set(e, EX_IOERR, "%s: read error: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		out->len += (size_t)r;
	}
	close(fd);
	return 0;
}

static int
reply_id(const struct http_response *r, const char *method, const char *url, char **id, struct err *e)
{
	json_t *j = json_loadb(r->body.p ? r->body.p : "", r->body.len, 0, NULL);
	const char *s = json_string_value(json_object_get(j, "id"));

	if (s == NULL) {
		json_decref(j);
		return err_set(e, EX_UNAVAILABLE, "%s %s: the reply has no file id", method, url);
	}
	if (id != NULL)
		*id = xstrdup(s);
	json_decref(j);
	return 0;
}

/* One multipart/related request: the metadata JSON, then the content. */
static int
upload_multipart(struct drive *d, const char *method, const char *url, json_t *meta, const struct buf *content,
    const char *mime, struct err *e)
{
	struct buf body = { 0 };
	char boundary[64], ctype[128];
	const char *hdr;
	struct http_response r = { 0 };
	char *metatext;
	int rc, n = 0;

	/* A boundary that the content does not hold. */
	do
		snprintf(boundary, sizeof boundary, "tdtools-part-boundary-%d", n++);
	while (content->len >= strlen(boundary) && memmem(content->p, content->len, boundary, strlen(boundary)));
	metatext = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
	buf_adds(&body, "--");
	buf_adds(&body, boundary);
	buf_adds(&body, "\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n");
	buf_adds(&body, metatext);
	buf_adds(&body, "\r\n--");
	buf_adds(&body, boundary);
	buf_adds(&body, "\r\nContent-Type: ");
	buf_adds(&body, mime);
	buf_adds(&body, "\r\n\r\n");
	buf_add(&body, content->p, content->len);
	buf_adds(&body, "\r\n--");
	buf_adds(&body, boundary);
	buf_adds(&body, "--\r\n");
	free(metatext);
	snprintf(ctype, sizeof ctype, "Content-Type: multipart/related; boundary=%s", boundary);
	if ((hdr = gauth_header(d->auth, e)) == NULL) {
		buf_free(&body);
		return -1;
	}
	const char *headers[] = { hdr, ctype, NULL };
	rc = http_request(d->http, method, url, headers, body.p, body.len, &r, e);
	if (rc == 0)
		rc = reply_id(&r, method, url, NULL, e);
	http_response_free(&r);
	buf_free(&body);
	return rc;
}

/* A resumable session (for files above DRIVE_MULTIPART_MAX): metadata first, then every byte in one PUT. */
static int
upload_resumable(struct drive *d, const char *method, const char *url, json_t *meta, const struct buf *content,
    const char *mime, struct err *e)
{
	struct http_response r = { 0 };
	char xtype[160], xlen[64], location[4096], *metatext;
	const char *hdr;
	int rc;

	snprintf(xtype, sizeof xtype, "X-Upload-Content-Type: %s", mime);
	snprintf(xlen, sizeof xlen, "X-Upload-Content-Length: %zu", content->len);
	if ((hdr = gauth_header(d->auth, e)) == NULL)
		return -1;
	const char *headers[] = { hdr, "Content-Type: application/json; charset=UTF-8", xtype, xlen, NULL };
	metatext = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
	rc = http_request(d->http, method, url, headers, metatext, strlen(metatext), &r, e);
	free(metatext);
	if (rc == 0 && http_response_header(&r, "Location", location, sizeof location) == NULL)
		rc = err_set(e, EX_UNAVAILABLE, "%s %s: no Location for the upload session", method, url);
	http_response_free(&r);
	if (rc == -1)
		return -1;
	if (http_url_allowed(location, e) == -1)
		return -1;
	if ((hdr = gauth_header(d->auth, e)) == NULL)
		return -1;
	char ctype[160];
	snprintf(ctype, sizeof ctype, "Content-Type: %s", mime);
	const char *put_headers[] = { hdr, ctype, NULL };
	memset(&r, 0, sizeof r);
	rc = http_request(d->http, "PUT", location, put_headers, content->p, content->len, &r, e);
	if (rc == 0)
		rc = reply_id(&r, "PUT", "the upload session", NULL, e);
	http_response_free(&r);
	return rc;
}

static int
upload(struct drive *d, const char *method, const char *id, json_t *meta, const struct buf *content,
    const char *mime, struct err *e)
{
	struct buf u = { 0 };
	int resumable = content->len > DRIVE_MULTIPART_MAX, rc;

	api_url(d, &u, "/upload", "files", id);
	http_query_add(&u, "uploadType", resumable ? "resumable" : "multipart", 0);
	http_query_add(&u, "fields", "id", 0);
	http_query_add(&u, "supportsAllDrives", "true", 0);
	rc = resumable ? upload_resumable(d, method, u.p, meta, content, mime, e) :
	    upload_multipart(d, method, u.p, meta, content, mime, e);
	buf_free(&u);
	return rc;
}

static int
delete_file(struct drive *d, const char *id, struct err *e)
{
	struct buf u = { 0 };
	int rc;

	api_url(d, &u, "", "files", id);
	http_query_add(&u, "supportsAllDrives", "true", 0);
	rc = call_json(d, "DELETE", u.p, NULL, NULL, NULL, e);
	buf_free(&u);
	return rc;
}

int
drive_put(struct drive *d, const char *folder_id, const char *name, const char *src, const char *mime,
    enum drive_action *action, struct err *e)
{
	struct buf content = { 0 }, q = { 0 };
	char **ids = NULL;
	size_t nids = 0;
	json_t *meta;
	int rc;

	if (*name == '\0' || strchr(name, '/') != NULL)
		return err_set(e, EX_USAGE, "drive file name '%s': expected a name without '/'", name);
	if (mime == NULL)
		mime = drive_mime_type(name);
	if (read_file(src, &content, e) == -1) {
		buf_free(&content);
		return -1;
	}
	buf_adds(&q, "name = ");
	q_quote(&q, name);
	buf_adds(&q, " and ");
	q_quote(&q, folder_id);
	buf_adds(&q, " in parents and mimeType != '" DRIVE_FOLDER_MIME "' and trashed = false");
	buf_addc(&q, '\0');
	rc = list_ids(d, q.p, 1, &ids, &nids, e);
	if (rc == 0 && nids == 1) {
		meta = json_object();
		rc = upload(d, "PATCH", ids[0], meta, &content, mime, e);
		json_decref(meta);
		if (action != NULL)
			*action = DRIVE_UPDATED;
	} else if (rc == 0) {
		for (size_t i = 0; rc == 0 && i < nids; i++)
			rc = delete_file(d, ids[i], e);
		if (rc == 0) {
			meta = json_pack("{s:s, s:[s]}", "name", name, "parents", folder_id);
			rc = upload(d, "POST", NULL, meta, &content, mime, e);
			json_decref(meta);
		}
		if (action != NULL)
			*action = nids > 1 ? DRIVE_REPLACED : DRIVE_CREATED;
	}
	free_ids(ids, nids);
	buf_free(&content);
	buf_free(&q);
	return rc;
}
