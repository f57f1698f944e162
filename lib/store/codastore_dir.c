/*
 * The dir: backend: a Coda store as plain files, one JSON file per Firestore document. Document a/b/c/d is
 * PATH/a/b/c/d.json (each element percent-encoded: bytes other than A-Z a-z 0-9 - _ and a non-leading '.'
 * become %XX), so a collection is a directory and a document's sub-collections sit in the directory beside
 * its file: datasets/D.json, datasets/D/messages/<MessageID>.json, ...
 *
 * Crash safety: every document is written to a temporary file in its directory, synced, and then moved into
 * place (link(2) for a create-only write, which fails if the document exists; rename(2) otherwise); the
 * directories are synced after each commit. A document is there whole or not at all; temporary files
 * (".tmp-*") left by a killed run are never read. An add holds flock(2) on PATH/locks/<dataset>.lock.
 */
#define _GNU_SOURCE	/* syncfs */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record/json.h"
#include "store/codastore.h"
#include "util/atomic.h"
#include "util/isotime.h"

struct dirstore {
	char *root;
	int lock_fd;
	unsigned long tmp_seq;
	struct json_doc doc;
};

#define MAX_ELEM 240

static int
keep_byte(unsigned char c, size_t pos)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
	    || (c == '.' && pos > 0);
}

static int
enc_elem(struct buf *b, const char *s, size_t n, struct err *e)
{
	size_t start = b->len;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (keep_byte(c, i)) {
			buf_addc(b, (char)c);
		} else {
			char hex[4];
			snprintf(hex, sizeof hex, "%%%02X", c);
			buf_add(b, hex, 3);
		}
	}
	if (n == 0 || b->len - start > MAX_ELEM)
		return err_set(e, EX_DATAERR, "document id '%.*s...' %s for a dir: store (at most %d bytes once "
		    "encoded)", (int)(n > 40 ? 40 : n), s, n == 0 ? "is empty: not allowed" : "is too long", MAX_ELEM);
	return 0;
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

static char *
dec_elem(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return out;
}

/* PATH/<encoded elements>[.json] */
static int
fs_path(struct dirstore *ds, const char *path, int doc, struct buf *out, struct err *e)
{
	const char *p = path;

	out->len = 0;
	buf_adds(out, ds->root);
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		buf_addc(out, '/');
		if (enc_elem(out, p, n, e) == -1)
			return -1;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	if (doc)
		buf_adds(out, ".json");
	buf_addc(out, '\0');
	out->len--;
	return 0;
}

static int
io_error(struct err *e, const char *what, const char *path)
{
	int code = errno == EACCES || errno == EPERM || errno == EROFS ? EX_NOPERM : EX_IOERR;

	return err_set(e, code, "%s: %s: %s", path, what, strerror(errno));
}

static int
read_all(int fd, struct buf *out, const char *path, struct err *e)
{
	out->len = 0;
	for (;;) {
		ssize_t r;
		buf_reserve(out, 16384);
		r = read(fd, out->p + out->len, out->cap - out->len - 1);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return io_error(e, "read error", path);
		}
		out->len += (size_t)r;
	}
	out->p[out->len] = '\0';
	return 0;
}

static int
dir_get(struct codastore *s, const char *path, struct buf *out, int *found, struct err *e)
{
	struct dirstore *ds = s->priv;
	struct buf fp = { 0 };
	int fd, rc = 0;

	*found = 0;
	out->len = 0;
	if (fs_path(ds, path, 1, &fp, e) == -1) {
		buf_free(&fp);
		return -1;
	}
	if ((fd = open(fp.p, O_RDONLY)) == -1) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = io_error(e, "cannot open", fp.p);
	} else {
		*found = 1;
		rc = read_all(fd, out, fp.p, e);
		close(fd);
	}
	buf_free(&fp);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* LastUpdated of a document, INT64_MIN when absent or not a date-time. */
static int64_t
last_updated(struct dirstore *ds, const char *text, size_t len)
{
	uint32_t root, v;
	struct err ignored;
	struct isotime t;
	const char *s;
	size_t n;

	json_reset(&ds->doc);
	if (json_parse(&ds->doc, text, len, &root, &ignored) == -1 || ds->doc.nodes[root].type != JV_OBJECT)
		return INT64_MIN;
	v = json_get(&ds->doc, root, "LastUpdated", 11);
	if (v == 0 || ds->doc.nodes[v].type != JV_STRING)
		return INT64_MIN;
	s = json_str(&ds->doc, v, &n);
	if (iso_parse(s, n, &t, &ignored) == -1)
		return INT64_MIN;
	return t.usec;
}

static int
dir_list(struct codastore *s, const char *collection, int64_t after, int64_t upto, codastore_doc_fn fn, void *arg,
    struct err *e)
{
	struct dirstore *ds = s->priv;
	struct buf dp = { 0 }, fp = { 0 }, text = { 0 };
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *dir;
	int rc = -1;

	if (fs_path(ds, collection, 0, &dp, e) == -1)
		goto done;
	if ((dir = opendir(dp.p)) == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			rc = 0;
		else
			io_error(e, "cannot read the directory", dp.p);
		goto done;
	}
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		int fd;
		char *id;
		fp.len = 0;
		buf_add(&fp, dp.p, dp.len);
		buf_addc(&fp, '/');
		buf_adds(&fp, names[i]);
		buf_addc(&fp, '\0');
		if ((fd = open(fp.p, O_RDONLY)) == -1) {
			if (errno == ENOENT)
				continue;
			io_error(e, "cannot open", fp.p);
			goto done;
		}
		if (read_all(fd, &text, fp.p, e) == -1) {
			close(fd);
			goto done;
		}
		close(fd);
		if (after != INT64_MIN || upto != INT64_MAX) {
			int64_t lu = last_updated(ds, text.p, text.len);
			if (lu == INT64_MIN || !(lu > after) || !(lu <= upto))
				continue;
		}
		id = dec_elem(names[i], strlen(names[i]) - 5);
		rc = fn(arg, id, text.p, text.len, e);
		free(id);
		if (rc == -1)
			goto done;
	}
	rc = 0;
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&dp);
	buf_free(&fp);
	buf_free(&text);
	return rc;
}

/* get.py's rendering of a Firestore timestamp: isoformat(timespec="microseconds"). */
static void
format_time(int64_t usec, char *out, size_t n)
{
	time_t secs = (time_t)(usec >= 0 ? usec / 1000000 : (usec - 999999) / 1000000);
	long frac = (long)(usec - (int64_t)secs * 1000000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+00:00", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* The document with "LastUpdated" set, canonical. */
static int
with_time(struct dirstore *ds, const struct codastore_write *w, const char *when, struct buf *out, struct err *e)
{
	struct buf b = { 0 };
	uint32_t root;
	int rc;

	buf_add(&b, w->json, w->len);
	while (b.len > 0 && b.p[b.len - 1] != '}')
		b.len--;
	if (b.len == 0) {
		buf_free(&b);
		return err_set(e, EX_DATAERR, "%s: not a JSON object", w->path);
	}
	b.len--;
	{
		size_t k = b.len;
		while (k > 0 && (b.p[k - 1] == ' ' || b.p[k - 1] == '\n'))
			k--;
		if (k > 0 && b.p[k - 1] != '{')
			buf_adds(&b, ", ");
	}
	buf_adds(&b, "\"LastUpdated\": \"");
	buf_adds(&b, when);
	buf_adds(&b, "\"}");
	json_reset(&ds->doc);
	out->len = 0;
	rc = json_parse(&ds->doc, b.p, b.len, &root, e);
	if (rc == 0)
		json_encode(out, &ds->doc, root, 0);
	buf_free(&b);
	return rc;
}

static int
write_tmp(const char *tmp, const char *body, size_t len, struct err *e)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
	size_t off = 0;

	if (fd == -1)
		return io_error(e, "cannot create", tmp);
	while (off < len) {
		ssize_t r = write(fd, body + off, len - off);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			io_error(e, "write error", tmp);
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)r;
	}
	if (close(fd) == -1) {
		io_error(e, "write error", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
sync_dir(const char *dir, struct err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd == -1)
		return io_error(e, "cannot open", dir);
	if (fsync(fd) == -1 && errno != EINVAL) {
		io_error(e, "cannot sync", dir);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Three passes, so that a batch costs one sync instead of one per document: every document is written to a
 * temporary file; the file system is synced once (syncfs); then each is moved into place, in order; then
 * the directories are synced. A crash leaves each document whole or absent, and the present ones a prefix.
 */
static int
dir_commit(struct codastore *s, const struct codastore_write *w, size_t n, struct err *e)
{
	struct dirstore *ds = s->priv;
	struct buf dir = { 0 }, body = { 0 };
	char **dirs = NULL, **finals = xcalloc(n + 1, sizeof *finals), **tmps = xcalloc(n + 1, sizeof *tmps);
	size_t ndirs = 0, i;
	char when[64];
	int rc = -1, fd;

	format_time(codastore_now(s), when, sizeof when);
	for (i = 0; i < n; i++) {
		struct buf fp = { 0 }, tmp = { 0 };
		const char *text = w[i].json;
		size_t len = w[i].len;
		char *slash, name[64];
		if (fs_path(ds, w[i].path, 1, &fp, e) == -1) {
			buf_free(&fp);
			goto done;
		}
		finals[i] = fp.p;
		slash = strrchr(fp.p, '/');
		if (dir.len != (size_t)(slash - fp.p) || memcmp(dir.p, fp.p, dir.len) != 0) {
			dir.len = 0;
			buf_add(&dir, fp.p, (size_t)(slash - fp.p));
			buf_addc(&dir, '\0');
			dir.len--;
			if (atomic_mkdirs(dir.p, e) == -1)
				goto done;
			dirs = xrealloc(dirs, (ndirs + 1) * sizeof *dirs);
			dirs[ndirs++] = xstrdup(dir.p);
		}
		if (w[i].remove)
			continue;
		if (w[i].server_time) {
			if (with_time(ds, &w[i], when, &body, e) == -1)
				goto done;
			text = body.p;
			len = body.len;
		}
		buf_add(&tmp, dir.p, dir.len);
		snprintf(name, sizeof name, "/.tmp-%ld-%lu", (long)getpid(), ++ds->tmp_seq);
		buf_adds(&tmp, name);
		buf_addc(&tmp, '\0');
		tmps[i] = tmp.p;
		if (write_tmp(tmp.p, text, len, e) == -1) {
			free(tmps[i]);
			tmps[i] = NULL;
			goto done;
		}
	}
	if (n > 0 && ndirs > 0) {
		if ((fd = open(dirs[0], O_RDONLY | O_DIRECTORY)) == -1) {
			io_error(e, "cannot open", dirs[0]);
			goto done;
		}
		if (syncfs(fd) == -1) {
			io_error(e, "cannot sync", dirs[0]);
			close(fd);
			goto done;
		}
		close(fd);
	}
	for (i = 0; i < n; i++) {
		if (w[i].remove) {
			if (unlink(finals[i]) == -1 && errno != ENOENT) {
				io_error(e, "cannot delete", finals[i]);
				goto done;
			}
			continue;
		}
		if (w[i].create_only) {
			if (link(tmps[i], finals[i]) == -1) {
				if (errno == EEXIST) {
					rc = CODASTORE_CONFLICT;
					err_set(e, EX_UNAVAILABLE, "%s: exists already", finals[i]);
				} else {
					io_error(e, "cannot create", finals[i]);
				}
				goto done;
			}
			unlink(tmps[i]);
		} else if (rename(tmps[i], finals[i]) == -1) {
			io_error(e, "cannot replace", finals[i]);
			goto done;
		}
		free(tmps[i]);
		tmps[i] = NULL;
	}
	rc = 0;
done:
	for (i = 0; i < n; i++) {
		if (tmps[i] != NULL)
			unlink(tmps[i]);
		free(tmps[i]);
		free(finals[i]);
	}
	free(tmps);
	free(finals);
	for (i = 0; i < ndirs; i++) {
		if (sync_dir(dirs[i], rc == 0 ? e : NULL) == -1 && rc == 0)
			rc = -1;
		free(dirs[i]);
	}
	free(dirs);
	buf_free(&dir);
	buf_free(&body);
	return rc;
}

static int
dir_lock(struct codastore *s, const char *dataset, struct err *e)
{
	struct dirstore *ds = s->priv;
	struct buf p = { 0 };
	int rc = -1;

	buf_adds(&p, ds->root);
	buf_adds(&p, "/locks");
	buf_addc(&p, '\0');
	if (atomic_mkdirs(p.p, e) == -1)
		goto done;
	p.len--;
	buf_addc(&p, '/');
	if (enc_elem(&p, dataset, strlen(dataset), e) == -1)
		goto done;
	buf_adds(&p, ".lock");
	buf_addc(&p, '\0');
	if ((ds->lock_fd = open(p.p, O_RDWR | O_CREAT, 0644)) == -1) {
		io_error(e, "cannot open the lock file", p.p);
		goto done;
	}
	while (flock(ds->lock_fd, LOCK_EX) == -1) {
		if (errno == EINTR)
			continue;
		io_error(e, "cannot lock", p.p);
		close(ds->lock_fd);
		ds->lock_fd = -1;
		goto done;
	}
	rc = 0;
done:
	buf_free(&p);
	return rc;
}

static void
dir_unlock(struct codastore *s)
{
	struct dirstore *ds = s->priv;

	if (ds->lock_fd != -1) {
		close(ds->lock_fd);	/* releases the flock */
		ds->lock_fd = -1;
	}
}

static void
dir_close(struct codastore *s)
{
	struct dirstore *ds = s->priv;

	if (ds == NULL)
		return;
	dir_unlock(s);
	json_free(&ds->doc);
	free(ds->root);
	free(ds);
	s->priv = NULL;
}

const struct codastore_backend codastore_dir_backend = {
	.name = "dir",
	.get = dir_get,
	.list = dir_list,
	.commit = dir_commit,
	.lock = dir_lock,
	.unlock = dir_unlock,
	.close = dir_close,
};

int
codastore_dir_open(struct codastore *s, const char *path, struct err *e)
{
	struct dirstore *ds;
	struct stat st;
	size_t n = strlen(path);

	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
		return err_set(e, EX_USAGE, "dir:%s: not a directory", path);
	ds = xcalloc(1, sizeof *ds);
	while (n > 1 && path[n - 1] == '/')
		n--;
	ds->root = xmalloc(n + 1);
	memcpy(ds->root, path, n);
	ds->root[n] = '\0';
	ds->lock_fd = -1;
	s->priv = ds;
	s->be = &codastore_dir_backend;
	return 0;
}
