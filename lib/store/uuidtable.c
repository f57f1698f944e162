#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "config/config.h"
#include "net/firestore.h"
#include "net/gauth.h"
#include "net/http.h"
#include "record/json.h"
#include "store/urlread.h"
#include "store/uuidtable.h"
#include "util/buf.h"
#include "util/strmap.h"

struct uuid_table {
	char *path;
	char *prefix;
	int fd;
	/* Firestore backend */
	int firestore;
	char *table;
	struct http_client http;
	struct gauth auth;
	int have_auth, have_fs;
	struct firestore fs;
	int table_doc_written;
	struct strmap by_data;	/* data -> index in by_uuid */
	struct strmap by_uuid;	/* uid -> index in by_data */
};

size_t
uuid_normalise_phone(const char *s, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c < '0' || c > '9')
			continue;
		if (c == '0' && n == 0)
			continue;
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

int
uuid_make(const char *prefix, char *out, size_t outsz, struct err *e)
{
	unsigned char b[16];
	static const char hex[] = "0123456789abcdef";
	size_t pl = strlen(prefix), k;

	if (outsz < pl + 37)
		return err_set(e, TD_EXIT_FAILURE, "uuid buffer too small");
	if (RAND_bytes(b, sizeof b) != 1)
		return err_set(e, TD_EXIT_FAILURE, "the random number generator failed (OpenSSL RAND_bytes)");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	memcpy(out, prefix, pl);
	k = pl;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[b[i] >> 4];
		out[k++] = hex[b[i] & 15];
	}
	out[k] = '\0';
	return 0;
}

/* Remember one mapping (the first one of an identifier wins). 1 if added, 0 if data was known, -1 if the uid is
 * already taken by another identifier. */
static int
add_mapping(struct uuid_table *t, const char *data, size_t dlen, const char *uid, size_t ulen)
{
	int created;

	if (strmap_get(&t->by_data, data, dlen) != NULL)
		return 0;
	strmap_put(&t->by_uuid, uid, ulen, t->by_data.n, &created);
	if (!created)
		return -1;
	strmap_put(&t->by_data, data, dlen, t->by_uuid.n - 1, NULL);
	return 1;
}

static int
load(struct uuid_table *t, struct err *e)
{
	struct buf text = {0};
	struct json_doc doc = {0};
	char chunk[65536];
	ssize_t r;
	size_t lineno = 0, pos = 0;
	int rc = -1;

	if (lseek(t->fd, 0, SEEK_SET) == -1)
		goto io;
	while ((r = read(t->fd, chunk, sizeof chunk)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto io;
		}
		buf_add(&text, chunk, (size_t)r);
	}
	while (pos < text.len) {
		char *nl = memchr(text.p + pos, '\n', text.len - pos);
		uint32_t root, dv, uv;
		const char *ds, *us;
		size_t dl, ul;
		struct err pe;

		lineno++;
		if (nl == NULL) {
			/* A write cut short: its uids were never handed out. Drop it. */
			if (ftruncate(t->fd, (off_t)pos) == -1 || fsync(t->fd) == -1)
				goto io;
			break;
		}
		size_t len = (size_t)(nl - (text.p + pos));
		const char *line = text.p + pos;
		pos += len + 1;
		if (len == 0)
			continue;
		json_reset(&doc);
		if (json_parse(&doc, line, len, &root, &pe) == -1) {
			err_set(e, EX_DATAERR, "%s:%zu: %s (expected {\"data\": ID, \"uuid\": UID})", t->path, lineno,
			    pe.msg);
			goto out;
		}
		if (doc.nodes[root].type != JV_OBJECT
		    || (dv = json_get(&doc, root, "data", 4)) == 0 || doc.nodes[dv].type != JV_STRING
		    || (uv = json_get(&doc, root, "uuid", 4)) == 0 || doc.nodes[uv].type != JV_STRING) {
			err_set(e, EX_DATAERR, "%s:%zu: not a mapping (expected {\"data\": ID, \"uuid\": UID})",
			    t->path, lineno);
			goto out;
		}
		ds = json_str(&doc, dv, &dl);
		us = json_str(&doc, uv, &ul);
		if (dl == 0 || ul == 0 || memchr(ds, '\0', dl) || memchr(us, '\0', ul)) {
			err_set(e, EX_DATAERR, "%s:%zu: an empty identifier or uid (expected non-empty strings)",
			    t->path, lineno);
			goto out;
		}
		if (add_mapping(t, ds, dl, us, ul) == -1) {
			err_set(e, EX_DATAERR, "%s:%zu: uid %.*s is already the uid of another identifier "
			    "(expected each uid once)", t->path, lineno, (int)ul, us);
			goto out;
		}
	}
	rc = 0;
	goto out;
io:
	err_set(e, EX_IOERR, "%s: %s", t->path, strerror(errno));
out:
	json_free(&doc);
	buf_free(&text);
	return rc;
}

int
uuidtable_open_file(struct uuid_table **tp, const char *path, const char *prefix, struct err *e)
{
	struct uuid_table *t = xcalloc(1, sizeof *t);
	struct stat st;

	*tp = NULL;
	t->path = xstrdup(path);
	t->prefix = xstrdup(prefix);
	t->fd = -1;
	t->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (t->fd == -1) {
		int saved = errno;
		err_set(e, saved == EACCES || saved == EPERM ? EX_NOPERM : EX_CANTCREAT,
		    "%s: cannot open the UUID table: %s", path, strerror(saved));
		uuidtable_close(t);
		return -1;
	}
	while (flock(t->fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			err_set(e, EX_IOERR, "%s: cannot lock the UUID table: %s", path, strerror(errno));
			uuidtable_close(t);
			return -1;
		}
	}
	if (fstat(t->fd, &st) == -1) {
		err_set(e, EX_IOERR, "%s: %s", path, strerror(errno));
		uuidtable_close(t);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, EX_CANTCREAT, "%s: the UUID table is not a regular file", path);
		uuidtable_close(t);
		return -1;
	}
	if (st.st_mode & 077) {
		err_set(e, EX_NOPERM, "%s: the UUID table is readable by others (mode %03o; expected 600: chmod 600)",
		    path, (unsigned)(st.st_mode & 0777));
		uuidtable_close(t);
		return -1;
	}
	if (load(t, e) == -1) {
		uuidtable_close(t);
		return -1;
	}
	*tp = t;
	return 0;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static long fs_batch(struct uuid_table *t, size_t n, const char *const *data, const size_t *lens,
    const char **uids, struct err *e);

long
uuidtable_data_to_uuid_batch(struct uuid_table *t, size_t n, const char *const *data, const size_t *lens,
    const char **uids, struct err *e)
{
	struct buf lines = {0};

	if (t->firestore)
		return fs_batch(t, n, data, lens, uids, e);
	size_t first_new = t->by_data.n;
	long added = 0;
	char uid[512];

	if (strlen(t->prefix) + 37 > sizeof uid)
		return err_set(e, EX_CONFIG, "UuidPrefix is too long");
	for (size_t i = 0; i < n; i++) {
		if (lens[i] == 0 || memchr(data[i], '\0', lens[i]) != NULL) {
			buf_free(&lines);
			goto undo_empty;
		}
		if (strmap_get(&t->by_data, data[i], lens[i]) != NULL)
			continue;
		do {
			if (uuid_make(t->prefix, uid, sizeof uid, e) == -1) {
				buf_free(&lines);
				goto undo;
			}
		} while (strmap_get(&t->by_uuid, uid, strlen(uid)) != NULL);
		add_mapping(t, data[i], lens[i], uid, strlen(uid));
		buf_add(&lines, "{\"data\": ", 9);
		json_encode_str(&lines, data[i], lens[i]);
		buf_add(&lines, ", \"uuid\": ", 10);
		json_encode_str(&lines, uid, strlen(uid));
		buf_add(&lines, "}\n", 2);
		added++;
	}
	if (added > 0) {
		if (write_all(t->fd, lines.p, lines.len) == -1 || fsync(t->fd) == -1) {
			err_set(e, EX_IOERR, "%s: cannot write the UUID table: %s", t->path, strerror(errno));
			/* Drop what may be half-written: it was never handed out. */
			struct stat st;
			if (fstat(t->fd, &st) == 0 && (size_t)st.st_size >= lines.len)
				(void)!ftruncate(t->fd, st.st_size - (off_t)lines.len);
			buf_free(&lines);
			goto undo;
		}
	}
	buf_free(&lines);
	for (size_t i = 0; i < n; i++) {
		struct strmap_entry *d = strmap_get(&t->by_data, data[i], lens[i]);
		uids[i] = t->by_uuid.entries[d->value].key;
	}
	return added;

undo_empty:
	err_set(e, EX_DATAERR, "an empty identifier cannot be de-identified (expected a phone number or an id)");
undo:
	/* Forget the mappings made in memory for this batch. */
	{
		struct strmap keep_d = {0}, keep_u = {0};
		for (size_t i = 0; i < first_new; i++) {
			strmap_put(&keep_d, t->by_data.entries[i].key, t->by_data.entries[i].klen,
			    t->by_data.entries[i].value, NULL);
			size_t u = t->by_data.entries[i].value;
			strmap_put(&keep_u, t->by_uuid.entries[u].key, t->by_uuid.entries[u].klen, i, NULL);
		}
		strmap_free(&t->by_data);
		strmap_free(&t->by_uuid);
		t->by_data = keep_d;
		t->by_uuid = keep_u;
	}
	return -1;
}

const char *
uuidtable_lookup(const struct uuid_table *t, const char *data, size_t len)
{
	struct strmap_entry *d = strmap_get(&t->by_data, data, len);

	return d ? t->by_uuid.entries[d->value].key : NULL;
}

const char *
uuidtable_uuid_to_data(const struct uuid_table *t, const char *uid, size_t uidlen, size_t *len)
{
	struct strmap_entry *u = strmap_get(&t->by_uuid, uid, uidlen);

	if (u == NULL)
		return NULL;
	if (len)
		*len = t->by_data.entries[u->value].klen;
	return t->by_data.entries[u->value].key;
}

size_t
uuidtable_count(const struct uuid_table *t)
{
	return t->by_data.n;
}

void
uuidtable_close(struct uuid_table *t)
{
	if (t == NULL)
		return;
	if (t->fd != -1)
		close(t->fd);	/* releases the lock */
	if (t->have_fs)
		firestore_free(&t->fs);
	if (t->have_auth)
		gauth_free(&t->auth);
	if (t->firestore)
		http_client_free(&t->http);
	free(t->table);
	strmap_free(&t->by_data);
	strmap_free(&t->by_uuid);
	free(t->path);
	free(t->prefix);
	free(t);
}

/* ---- Firestore: tables/<name>/mappings/<data> {"uuid": uid} (pipeline.md §2.1a) ---- */

static int
fs_load_each(void *ctx, json_t *doc)
{
	struct uuid_table *t = ctx;
	const char *id = firestore_doc_id(doc);
	json_t *u = json_object_get(json_object_get(json_object_get(doc, "fields"), "uuid"), "stringValue");

	if (id != NULL && json_is_string(u) && *id && json_string_length(u) > 0)
		add_mapping(t, id, strlen(id), json_string_value(u), json_string_length(u));
	return 0;
}

int
uuidtable_open_firestore(struct uuid_table **tp, const char *key_path, const char *project, const char *table,
    const char *prefix, struct err *e)
{
	struct uuid_table *t = xcalloc(1, sizeof *t);
	struct buf coll = { 0 };

	*tp = NULL;
	t->fd = -1;
	t->firestore = 1;
	t->path = xmalloc(strlen(table) + 32);
	sprintf(t->path, "Firestore table %s", table);
	t->prefix = xstrdup(prefix);
	t->table = xstrdup(table);
	http_client_init(&t->http);
	if (key_path != NULL) {
		if (gauth_init(&t->auth, key_path, GAUTH_SCOPE_DATASTORE, &t->http, e) == -1)
			goto fail;
		t->have_auth = 1;
	}
	if (firestore_init(&t->fs, &t->http, t->have_auth ? &t->auth : NULL, project, e) == -1)
		goto fail;
	t->have_fs = 1;
	buf_adds(&coll, "tables/");
	buf_adds(&coll, table);
	buf_adds(&coll, "/mappings");
	buf_addc(&coll, '\0');
	if (firestore_list(&t->fs, coll.p, 300, fs_load_each, t, e) == -1) {
		err_prefix(e, "the UUID table %s", table);
		goto fail;
	}
	buf_free(&coll);
	*tp = t;
	return 0;
fail:
	buf_free(&coll);
	uuidtable_close(t);
	return -1;
}

struct fs_new {
	char **data;
	size_t *lens;
	char **uid;
	int *done;
	size_t n;
	const char *prefix_path;
	size_t plen;
};

static int
fs_adopt(void *ctx, const char *path, json_t *doc)
{
	struct fs_new *nw = ctx;
	json_t *u;
	const char *id = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (doc == NULL)
		return 0;
	u = json_object_get(json_object_get(json_object_get(doc, "fields"), "uuid"), "stringValue");
	if (!json_is_string(u))
		return 0;
	for (size_t i = 0; i < nw->n; i++)
		if (!nw->done[i] && strcmp(nw->data[i], id) == 0) {
			/* Made meanwhile by another process: its uid wins. */
			free(nw->uid[i]);
			nw->uid[i] = xstrdup(json_string_value(u));
			nw->done[i] = 1;
		}
	return 0;
}

static char *
fs_path(const struct uuid_table *t, const char *data)
{
	char *p = xmalloc(strlen(t->table) + strlen(data) + 32);

	sprintf(p, "tables/%s/mappings/%s", t->table, data);
	return p;
}

static long
fs_batch(struct uuid_table *t, size_t n, const char *const *data, const size_t *lens, const char **uids,
    struct err *e)
{
	struct fs_new nw = { 0 };
	struct strmap seen = { 0 };
	char uid[512];
	long rc = -1;

	if (strlen(t->prefix) + 37 > sizeof uid)
		return err_set(e, EX_CONFIG, "UuidPrefix is too long");
	nw.data = xcalloc(n + 1, sizeof *nw.data);
	nw.lens = xcalloc(n + 1, sizeof *nw.lens);
	nw.uid = xcalloc(n + 1, sizeof *nw.uid);
	nw.done = xcalloc(n + 1, sizeof *nw.done);
	for (size_t i = 0; i < n; i++) {
		int created;
		if (lens[i] == 0 || memchr(data[i], '\0', lens[i]) || memchr(data[i], '/', lens[i])) {
			err_set(e, EX_DATAERR, "an empty identifier, or one with '/', cannot be a Firestore document id");
			goto out;
		}
		if (strmap_get(&t->by_data, data[i], lens[i]) != NULL)
			continue;
		strmap_put(&seen, data[i], lens[i], 0, &created);
		if (!created)
			continue;
		do {
			if (uuid_make(t->prefix, uid, sizeof uid, e) == -1)
				goto out;
		} while (strmap_get(&t->by_uuid, uid, strlen(uid)) != NULL);
		nw.data[nw.n] = xmalloc(lens[i] + 1);
		memcpy(nw.data[nw.n], data[i], lens[i]);
		nw.data[nw.n][lens[i]] = '\0';
		nw.lens[nw.n] = lens[i];
		nw.uid[nw.n] = xstrdup(uid);
		nw.n++;
	}
	/* Commit 500 at a time; each write only creates (exists=false), so no mapping is ever overwritten. */
	for (size_t from = 0; from < nw.n; from += 500) {
		size_t to = from + 500 < nw.n ? from + 500 : nw.n;
		for (int attempt = 0; attempt < 3; attempt++) {
			struct firestore_batch b;
			size_t k = 0;
			firestore_batch_init(&b);
			if (!t->table_doc_written) {
				char *tp = xmalloc(strlen(t->table) + 8);
				const char *mask[] = { "table_name", NULL };
				json_t *f = json_object();
				sprintf(tp, "tables/%s", t->table);
				json_object_set_new(f, "table_name", json_pack("{s:s}", "stringValue", t->table));
				firestore_batch_update(&b, &t->fs, tp, f, mask, FIRESTORE_PRE_NONE, NULL);
				free(tp);
			}
			for (size_t i = from; i < to; i++) {
				if (nw.done[i])
					continue;
				char *p = fs_path(t, nw.data[i]);
				json_t *f = json_object();
				json_object_set_new(f, "uuid", json_pack("{s:s}", "stringValue", nw.uid[i]));
				firestore_batch_update(&b, &t->fs, p, f, NULL, FIRESTORE_PRE_MISSING, NULL);
				free(p);
				k++;
			}
			if (k == 0 && t->table_doc_written) {
				firestore_batch_free(&b);
				break;
			}
			int r = firestore_commit(&t->fs, &b, NULL, e);
			firestore_batch_free(&b);
			if (r == 0) {
				t->table_doc_written = 1;
				for (size_t i = from; i < to; i++)
					nw.done[i] = 1;
				break;
			}
			if (strcmp(t->fs.last_error, "ALREADY_EXISTS") != 0 || attempt == 2) {
				err_prefix(e, "the UUID table %s", t->table);
				goto out;
			}
			/* Someone else made some of these: read them back and adopt their uids. */
			const char **paths = xcalloc(to - from + 1, sizeof *paths);
			size_t np = 0;
			for (size_t i = from; i < to; i++)
				if (!nw.done[i])
					paths[np++] = fs_path(t, nw.data[i]);
			r = firestore_batch_get(&t->fs, paths, np, fs_adopt, &nw, e);
			for (size_t i = 0; i < np; i++)
				free((char *)paths[i]);
			free(paths);
			if (r == -1)
				goto out;
		}
	}
	for (size_t i = 0; i < nw.n; i++)
		add_mapping(t, nw.data[i], nw.lens[i], nw.uid[i], strlen(nw.uid[i]));
	for (size_t i = 0; i < n; i++) {
		struct strmap_entry *d = strmap_get(&t->by_data, data[i], lens[i]);
		uids[i] = t->by_uuid.entries[d->value].key;
	}
	rc = (long)nw.n;
out:
	for (size_t i = 0; i < nw.n; i++) {
		free(nw.data[i]);
		free(nw.uid[i]);
	}
	free(nw.data);
	free(nw.lens);
	free(nw.uid);
	free(nw.done);
	strmap_free(&seen);
	return rc;
}

int
uuidtable_open_config(struct uuid_table **t, const struct pipeline_config *c, const char *credentials, struct err *e)
{
	struct buf key = { 0 };
	char tmpl[4096];
	const char *tmpdir = getenv("TMPDIR");
	int fd, rc;

	if (c->uuid_table.file_path != NULL)
		return uuidtable_open_file(t, c->uuid_table.file_path, c->uuid_table.uuid_prefix, e);
	if (getenv("FIRESTORE_EMULATOR_HOST") != NULL && (credentials == NULL || strcmp(credentials, "-") == 0))
		return uuidtable_open_firestore(t, NULL, UUIDTABLE_EMULATOR_PROJECT, c->uuid_table.table_name,
		    c->uuid_table.uuid_prefix, e);
	if (url_read(c->uuid_table.firebase_credentials_file_url, c->dir, credentials, &key, e) == -1)
		return err_prefix(e, "UuidTable.FirebaseCredentialsFileURL");
	snprintf(tmpl, sizeof tmpl, "%s/tdtools-uuid-key.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if ((fd = mkstemp(tmpl)) == -1) {
		memset(key.p, 0, key.len);
		buf_free(&key);
		return err_set(e, EX_CANTCREAT, "%s: %s", tmpl, strerror(errno));
	}
	rc = write_all(fd, key.p, key.len);
	close(fd);
	memset(key.p, 0, key.len);
	buf_free(&key);
	if (rc == -1) {
		unlink(tmpl);
		return err_set(e, EX_IOERR, "%s: %s", tmpl, strerror(errno));
	}
	rc = uuidtable_open_firestore(t, tmpl, NULL, c->uuid_table.table_name, c->uuid_table.uuid_prefix, e);
	unlink(tmpl);
	return rc;
}
