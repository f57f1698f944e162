#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "record/json.h"
#include "store/uuidtable.h"
#include "util/buf.h"
#include "util/strmap.h"

struct uuid_table {
	char *path;
	char *prefix;
	int fd;
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
	for (;;) {
		struct stat now;
		while (flock(t->fd, LOCK_EX) == -1) {
			if (errno != EINTR) {
				err_set(e, EX_IOERR, "%s: cannot lock the UUID table: %s", path, strerror(errno));
				uuidtable_close(t);
				return -1;
			}
		}
		/* uuidtable_remove replaces the file while holding the lock: lock the file that is there now. */
		if (fstat(t->fd, &st) == 0 && stat(path, &now) == 0 && (st.st_ino != now.st_ino || st.st_dev != now.st_dev)) {
			close(t->fd);
			t->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
			if (t->fd == -1) {
				int saved = errno;
				err_set(e, saved == EACCES || saved == EPERM ? EX_NOPERM : EX_CANTCREAT,
				    "%s: cannot open the UUID table: %s", path, strerror(saved));
				uuidtable_close(t);
				return -1;
			}
			continue;
		}
		break;
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

long
uuidtable_data_to_uuid_batch(struct uuid_table *t, size_t n, const char *const *data, const size_t *lens,
    const char **uids, struct err *e)
{
	struct buf lines = {0};
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

/* The uuid (and data) of one table line, or -1 when it is not a mapping (load has checked every line). */
static int
line_names(struct json_doc *doc, const char *line, size_t len, const char **ds, size_t *dl, const char **us,
    size_t *ul)
{
	uint32_t root, dv, uv;
	struct err pe;

	json_reset(doc);
	if (json_parse(doc, line, len, &root, &pe) == -1 || doc->nodes[root].type != JV_OBJECT
	    || (dv = json_get(doc, root, "data", 4)) == 0 || doc->nodes[dv].type != JV_STRING
	    || (uv = json_get(doc, root, "uuid", 4)) == 0 || doc->nodes[uv].type != JV_STRING)
		return -1;
	*ds = json_str(doc, dv, dl);
	*us = json_str(doc, uv, ul);
	return 0;
}

int
uuidtable_remove(struct uuid_table *t, const char *uid, size_t uidlen, struct err *e)
{
	struct buf text = {0}, out = {0}, tmp = {0};
	struct json_doc doc = {0};
	char chunk[65536], *data = NULL, *slash;
	size_t dlen = 0, pos = 0;
	ssize_t r;
	int fd = -1, rc = -1, dfd;
	const char *d0;

	if ((d0 = uuidtable_uuid_to_data(t, uid, uidlen, &dlen)) == NULL)
		return 0;
	data = xmalloc(dlen + 1);
	memcpy(data, d0, dlen);
	data[dlen] = '\0';
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
		size_t len = nl ? (size_t)(nl - (text.p + pos)) + 1 : text.len - pos;
		const char *line = text.p + pos, *ds, *us;
		size_t dl, ul;
		pos += len;
		if (line_names(&doc, line, len, &ds, &dl, &us, &ul) == 0
		    && ((ul == uidlen && memcmp(us, uid, ul) == 0) || (dl == dlen && memcmp(ds, data, dl) == 0)))
			continue;
		buf_add(&out, line, len);
	}
	buf_adds(&tmp, t->path);
	buf_adds(&tmp, ".tmp-remove");
	buf_addc(&tmp, '\0');
	fd = open(tmp.p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || fchmod(fd, 0600) == -1 || flock(fd, LOCK_EX) == -1 || write_all(fd, out.p, out.len) == -1
	    || fsync(fd) == -1) {
		err_set(e, EX_IOERR, "%s: cannot write the UUID table: %s", tmp.p, strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(tmp.p);
		goto out;
	}
	if (rename(tmp.p, t->path) == -1) {
		err_set(e, EX_IOERR, "%s: cannot replace the UUID table: %s", t->path, strerror(errno));
		close(fd);
		unlink(tmp.p);
		goto out;
	}
	/* The directory entry, synced. */
	slash = strrchr(tmp.p, '/');
	if (slash != NULL)
		*slash = '\0';
	dfd = open(slash != NULL ? (*tmp.p ? tmp.p : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	(void)fcntl(fd, F_SETFL, O_APPEND);
	close(t->fd);
	t->fd = fd;
	strmap_free(&t->by_data);
	strmap_free(&t->by_uuid);
	if (load(t, e) == -1)
		goto out;
	rc = 1;
	goto out;
io:
	err_set(e, EX_IOERR, "%s: %s", t->path, strerror(errno));
out:
	json_free(&doc);
	buf_free(&text);
	buf_free(&out);
	buf_free(&tmp);
	free(data);
	return rc;
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
	strmap_free(&t->by_data);
	strmap_free(&t->by_uuid);
	free(t->path);
	free(t->prefix);
	free(t);
}
