#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic.h"
#include "util/backup.h"
#include "util/buf.h"
#include "util/strmap.h"

#define IO_CHUNK (1 << 20)

/* ---- the tree, depth first, each directory's names sorted ---- */

struct walk {
	struct buf full;		/* root/a/b, NUL-terminated */
	struct buf rel;			/* ./a/b, NUL-terminated */
	int (*visit)(struct walk *w, const struct stat *st, struct err *e);
	void *ctx;
	const struct backup_callbacks *cb;
	uint64_t skipped;
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
read_error(struct err *e, const char *path, int errnum, const char *what)
{
	return err_set(e, errnum == EACCES || errnum == EPERM ? EX_NOPERM : EX_IOERR, "%s: cannot %s: %s", path,
	    what, strerror(errnum));
}

static void
walk_warn(struct walk *w, const char *fmt, const char *path)
{
	char msg[PATH_MAX + 128];

	w->skipped++;
	if (w->cb != NULL && w->cb->warn != NULL) {
		snprintf(msg, sizeof msg, fmt, path);
		w->cb->warn(w->cb->ctx, msg);
	}
}

static int walk_dir(struct walk *w, struct err *e);

static int
walk_dir(struct walk *w, struct err *e)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, full_len = w->full.len, rel_len = w->rel.len;
	int rc = 0;

	if ((d = opendir(w->full.p)) == NULL)
		return read_error(e, w->full.p, errno, "read the directory");
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0) {
				read_error(e, w->full.p, errno, "read the directory");
				rc = -1;
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, ".DS_Store") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (rc == 0 && n > 1)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct stat st;

		w->full.len = full_len;
		w->rel.len = rel_len;
		if (w->full.len == 0 || w->full.p[w->full.len - 1] != '/')
			buf_addc(&w->full, '/');
		buf_adds(&w->full, names[i]);
		buf_addc(&w->full, '\0');
		w->full.len--;
		if (w->rel.p[w->rel.len - 1] != '/')
			buf_addc(&w->rel, '/');
		buf_adds(&w->rel, names[i]);
		buf_addc(&w->rel, '\0');
		w->rel.len--;
		if (lstat(w->full.p, &st) == -1) {
			if (errno == ENOENT)	/* removed while we walk: it is simply not there */
				continue;
			read_error(e, w->full.p, errno, "stat");
			rc = -1;
			break;
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
			walk_warn(w, "%s: not a regular file, directory or symbolic link: left out", w->full.p);
			continue;
		}
		if (w->visit(w, &st, e) == -1) {
			rc = -1;
			break;
		}
		if (S_ISDIR(st.st_mode) && walk_dir(w, e) == -1)
			rc = -1;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	w->full.len = full_len;
	w->rel.len = rel_len;
	w->full.p[full_len] = '\0';
	w->rel.p[rel_len] = '\0';
	return rc;
}

/* Visit the root (followed if a symlink) and everything below it. */
static int
walk(struct walk *w, const char *root, struct err *e)
{
	struct stat st;

	if (stat(root, &st) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return err_set(e, EX_NOINPUT, "%s: no such data root", root);
		return read_error(e, root, errno, "stat");
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(e, EX_NOINPUT, "%s: not a directory (expected the data root)", root);
	w->full.len = w->rel.len = 0;
	buf_adds(&w->full, root);
	while (w->full.len > 1 && w->full.p[w->full.len - 1] == '/')
		w->full.len--;
	buf_addc(&w->full, '\0');
	w->full.len--;
	buf_adds(&w->rel, "./");
	buf_addc(&w->rel, '\0');
	w->rel.len--;
	if (w->visit(w, &st, e) == -1)
		return -1;
	return walk_dir(w, e);
}

static void
walk_free(struct walk *w)
{
	buf_free(&w->full);
	buf_free(&w->rel);
}

/* ---- writing ---- */

struct writer {
	struct archive *a;
	struct archive_entry *ae;
	struct backup_stats *st;
	char *chunk;
	struct buf name;
};

static int
archive_fail(struct err *e, struct archive *a, const char *path)
{
	const char *msg = archive_error_string(a);
	int errnum = archive_errno(a);

	return err_set(e, errnum == ENOSPC || errnum == EIO ? EX_IOERR : EX_CANTCREAT, "%s: %s", path,
	    msg != NULL ? msg : "archive error");
}

/* Read exactly n bytes (fewer only at end of file). */
static ssize_t
read_full(int fd, char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int
write_visit(struct walk *w, const struct stat *lst, struct err *e)
{
	struct writer *wr = w->ctx;
	struct archive_entry *ae = wr->ae;
	struct backup_entry be;
	struct stat st = *lst;
	char target[PATH_MAX + 1];
	int fd = -1;

	memset(&be, 0, sizeof be);
	wr->name.len = 0;
	buf_adds(&wr->name, w->rel.p);
	if (S_ISDIR(st.st_mode) && wr->name.p[wr->name.len - 1] != '/')
		buf_addc(&wr->name, '/');
	buf_addc(&wr->name, '\0');
	if (S_ISREG(st.st_mode)) {
		/* Opened before the header is written, so an unreadable file stops the backup cleanly. */
		if ((fd = open(w->full.p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			return read_error(e, w->full.p, errno, "read");
		if (fstat(fd, &st) == -1) {
			read_error(e, w->full.p, errno, "stat");
			close(fd);
			return -1;
		}
		be.type = BACKUP_FILE;
		be.size = (int64_t)st.st_size;
		wr->st->files++;
	} else if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(w->full.p, target, sizeof target - 1);
		if (n == -1)
			return read_error(e, w->full.p, errno, "read the link");
		target[n] = '\0';
		be.type = BACKUP_SYMLINK;
		be.link = target;
		wr->st->symlinks++;
	} else {
		be.type = BACKUP_DIR;
		wr->st->dirs++;
	}
	be.path = wr->name.p;
	be.perm = st.st_mode & 07777;
	be.mtime = (int64_t)st.st_mtime;

	archive_entry_clear(ae);
	archive_entry_copy_pathname(ae, be.path);
	archive_entry_set_filetype(ae, be.type == BACKUP_FILE ? AE_IFREG : be.type == BACKUP_DIR ? AE_IFDIR : AE_IFLNK);
	archive_entry_set_perm(ae, be.perm);
	archive_entry_set_size(ae, be.size);
	archive_entry_set_mtime(ae, (time_t)be.mtime, 0);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	if (be.link != NULL)
		archive_entry_copy_symlink(ae, be.link);
	if (archive_write_header(wr->a, ae) != ARCHIVE_OK) {
		archive_fail(e, wr->a, be.path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (fd != -1) {
		int64_t left = be.size;
		while (left > 0) {
			size_t want = left < IO_CHUNK ? (size_t)left : IO_CHUNK;
			ssize_t got = read_full(fd, wr->chunk, want);
			if (got == -1) {
				read_error(e, w->full.p, errno, "read");
				close(fd);
				return -1;
			}
			if ((size_t)got < want) {
				err_set(e, EX_IOERR, "%s: the file shrank while it was read (expected %lld bytes)",
				    w->full.p, (long long)be.size);
				close(fd);
				return -1;
			}
			if (archive_write_data(wr->a, wr->chunk, (size_t)got) != got) {
				archive_fail(e, wr->a, be.path);
				close(fd);
				return -1;
			}
			left -= got;
			wr->st->bytes_in += (uint64_t)got;
		}
		close(fd);
	}
	if (w->cb != NULL && w->cb->entry != NULL)
		w->cb->entry(w->cb->ctx, &be);
	return 0;
}

/* The archive must not be inside the tree it holds (it would archive its own temporary file). */
static int
check_outside(const char *root, const char *archive_path, struct err *e)
{
	char *dcopy = xstrdup(archive_path), *rroot, *rdir;
	int rc = 0;

	rroot = realpath(root, NULL);
	rdir = realpath(dirname(dcopy), NULL);
	if (rroot != NULL && rdir != NULL) {
		size_t n = strlen(rroot);
		if (strncmp(rdir, rroot, n) == 0 && (rdir[n] == '\0' || rdir[n] == '/' || n == 1))
			rc = err_set(e, EX_USAGE, "%s: the archive cannot be inside the data root %s", archive_path,
			    root);
	}
	free(rroot);
	free(rdir);
	free(dcopy);
	return rc;
}

int
backup_write(const char *root, const char *archive_path, const struct backup_callbacks *cb,
    struct backup_stats *st, struct err *e)
{
	struct atomic_file af;
	struct writer wr;
	struct walk w;
	struct stat rst;
	int rc = -1;

	memset(st, 0, sizeof *st);
	memset(&w, 0, sizeof w);
	memset(&wr, 0, sizeof wr);
	if (stat(root, &rst) == -1 && (errno == ENOENT || errno == ENOTDIR))
		return err_set(e, EX_NOINPUT, "%s: no such data root", root);
	if (check_outside(root, archive_path, e) == -1)
		return -1;
	if (atomic_open_mode(&af, archive_path, 0600, e) == -1)
		return -1;
	wr.st = st;
	wr.a = archive_write_new();
	wr.ae = archive_entry_new();
	wr.chunk = xmalloc(IO_CHUNK);
	if (wr.a == NULL || wr.ae == NULL) {
		err_set(e, EX_OSERR, "out of memory");
		goto out;
	}
	/* GNU tar format: names are stored as bytes whatever the locale, long ones in a ././@LongLink entry */
	if (archive_write_set_format_gnutar(wr.a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(wr.a) != ARCHIVE_OK ||
	    /* no timestamp in the gzip header: the same tree gives the same bytes */
	    archive_write_set_filter_option(wr.a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(wr.a, 1) != ARCHIVE_OK ||
	    archive_write_open_FILE(wr.a, af.fp) != ARCHIVE_OK) {
		archive_fail(e, wr.a, archive_path);
		goto out;
	}
	w.visit = write_visit;
	w.ctx = &wr;
	w.cb = cb;
	if (walk(&w, root, e) == -1)
		goto out;
	if (archive_write_close(wr.a) != ARCHIVE_OK) {
		archive_fail(e, wr.a, archive_path);
		goto out;
	}
	if (fflush(af.fp) == EOF) {
		err_set(e, EX_IOERR, "%s: write error: %s", archive_path, strerror(errno));
		goto out;
	}
	st->bytes_out = (uint64_t)ftello(af.fp);
	st->skipped = w.skipped;
	archive_write_free(wr.a);
	wr.a = NULL;
	if (atomic_commit(&af, e) == -1)
		goto out_done;
	rc = 0;
	goto out_done;
out:
	/* Freed before its FILE is closed: it may still write its end to the temporary file, which goes. */
	if (wr.a != NULL) {
		archive_write_free(wr.a);
		wr.a = NULL;
	}
	atomic_abort(&af);
out_done:
	if (wr.ae != NULL)
		archive_entry_free(wr.ae);
	free(wr.chunk);
	buf_free(&wr.name);
	walk_free(&w);
	return rc;
}

/* ---- reading ---- */

static struct archive *
open_archive(const char *archive_path, struct err *e)
{
	struct archive *a;

	if (access(archive_path, F_OK) == -1) {
		err_set(e, errno == ENOENT || errno == ENOTDIR ? EX_NOINPUT : EX_NOPERM, "%s: %s", archive_path,
		    strerror(errno));
		return NULL;
	}
	if ((a = archive_read_new()) == NULL) {
		err_set(e, EX_OSERR, "out of memory");
		return NULL;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (archive_read_open_filename(a, archive_path, 1 << 16) != ARCHIVE_OK) {
		int errnum = archive_errno(a);
		err_set(e, errnum == EACCES ? EX_NOPERM : EX_DATAERR, "%s: %s", archive_path,
		    archive_error_string(a) ? archive_error_string(a) : "cannot read the archive");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static void
entry_of(struct archive_entry *ae, struct backup_entry *be)
{
	mode_t t = archive_entry_filetype(ae);

	memset(be, 0, sizeof *be);
	be->path = archive_entry_pathname(ae);
	if (be->path == NULL)
		be->path = "";
	be->type = t == AE_IFREG ? BACKUP_FILE : t == AE_IFDIR ? BACKUP_DIR : t == AE_IFLNK ? BACKUP_SYMLINK :
	    BACKUP_OTHER;
	if (be->type == BACKUP_FILE && archive_entry_hardlink(ae) != NULL)
		be->type = BACKUP_OTHER;
	be->perm = archive_entry_perm(ae) & 07777;
	be->size = archive_entry_size(ae);
	be->mtime = archive_entry_mtime(ae);
	be->link = be->type == BACKUP_SYMLINK ? archive_entry_symlink(ae) : NULL;
}

int
backup_list(const char *archive_path, void (*fn)(void *ctx, const struct backup_entry *be), void *ctx,
    struct err *e)
{
	struct archive *a;
	struct archive_entry *ae;
	struct backup_entry be;
	int r, rc = 0;

	if ((a = open_archive(archive_path, e)) == NULL)
		return -1;
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		entry_of(ae, &be);
		fn(ctx, &be);
		if (archive_read_data_skip(a) != ARCHIVE_OK) {
			r = ARCHIVE_FATAL;
			break;
		}
	}
	if (r != ARCHIVE_EOF)
		rc = err_set(e, EX_DATAERR, "%s: %s", archive_path,
		    archive_error_string(a) ? archive_error_string(a) : "damaged archive");
	archive_read_free(a);
	return rc;
}

/* ---- verifying ---- */

struct tree_entry {
	char *key;			/* "a/b" ("" for the root) */
	enum backup_type type;
	mode_t perm;
	int seen;
};

struct tree {
	struct tree_entry *v;
	size_t n, cap;
	struct strmap index;
};

static const char *
key_of(const char *path)
{
	for (;;) {
		if (path[0] == '.' && path[1] == '/')
			path += 2;
		else if (path[0] == '/')
			path++;
		else if (path[0] == '.' && path[1] == '\0')
			path++;
		else
			return path;
	}
}

static int
tree_visit(struct walk *w, const struct stat *st, struct err *e)
{
	struct tree *t = w->ctx;
	struct tree_entry *te;
	const char *key = key_of(w->rel.p);
	int created;

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->v = xrealloc(t->v, t->cap * sizeof *t->v);
	}
	te = &t->v[t->n];
	te->key = xstrdup(key);
	te->type = S_ISREG(st->st_mode) ? BACKUP_FILE : S_ISDIR(st->st_mode) ? BACKUP_DIR : BACKUP_SYMLINK;
	te->perm = st->st_mode & 07777;
	te->seen = 0;
	strmap_put(&t->index, te->key, strlen(te->key), t->n, &created);
	t->n++;
	return 0;
}

static const char *
type_name(enum backup_type t)
{
	switch (t) {
	case BACKUP_FILE: return "a regular file";
	case BACKUP_DIR: return "a directory";
	case BACKUP_SYMLINK: return "a symbolic link";
	default: return "another kind of entry";
	}
}

struct verifier {
	void (*fn)(void *ctx, const char *path, const char *what);
	void *ctx;
	uint64_t n_diffs;
	struct buf shown;
	char *chunk_a, *chunk_t;
};

static void
differ(struct verifier *v, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
differ(struct verifier *v, const char *key, const char *fmt, ...)
{
	char what[PATH_MAX * 2 + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	v->shown.len = 0;
	buf_adds(&v->shown, *key ? "./" : ".");
	buf_adds(&v->shown, key);
	buf_addc(&v->shown, '\0');
	v->n_diffs++;
	v->fn(v->ctx, v->shown.p, what);
}

/* Compare a regular file's content with the entry's data; -1 on an error that stops the verification. */
static int
compare_content(struct verifier *v, struct archive *a, const char *archive_path, const char *full,
    const char *key, int64_t size, struct err *e)
{
	struct stat st;
	int fd, same = 1;

	if ((fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return read_error(e, full, errno, "read");
	if (fstat(fd, &st) == -1) {
		read_error(e, full, errno, "stat");
		close(fd);
		return -1;
	}
	if ((int64_t)st.st_size != size) {
		differ(v, key, "content differs (%lld bytes in the archive, %lld in the data root)", (long long)size,
		    (long long)st.st_size);
		close(fd);
		return 0;
	}
	for (;;) {
		la_ssize_t n = archive_read_data(a, v->chunk_a, IO_CHUNK);
		ssize_t got;
		if (n < 0) {
			err_set(e, EX_DATAERR, "%s: %s", archive_path,
			    archive_error_string(a) ? archive_error_string(a) : "damaged archive");
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		if (!same)
			continue;
		if ((got = read_full(fd, v->chunk_t, (size_t)n)) == -1) {
			read_error(e, full, errno, "read");
			close(fd);
			return -1;
		}
		if (got != n || memcmp(v->chunk_a, v->chunk_t, (size_t)n) != 0)
			same = 0;
	}
	close(fd);
	if (!same)
		differ(v, key, "content differs");
	return 0;
}

int
backup_verify(const char *root, const char *archive_path,
    void (*fn)(void *ctx, const char *path, const char *what), void *ctx, uint64_t *n_diffs, struct err *e)
{
	struct tree t;
	struct walk w;
	struct verifier v;
	struct archive *a = NULL;
	struct archive_entry *ae;
	struct buf full = { 0 };
	char target[PATH_MAX + 1];
	int r, rc = -1;

	memset(&t, 0, sizeof t);
	memset(&w, 0, sizeof w);
	memset(&v, 0, sizeof v);
	v.fn = fn;
	v.ctx = ctx;
	w.visit = tree_visit;
	w.ctx = &t;
	if (walk(&w, root, e) == -1)
		goto out;
	if ((a = open_archive(archive_path, e)) == NULL)
		goto out;
	v.chunk_a = xmalloc(IO_CHUNK);
	v.chunk_t = xmalloc(IO_CHUNK);
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		struct backup_entry be;
		struct strmap_entry *me;
		struct tree_entry *te;
		const char *key;
		size_t klen;

		entry_of(ae, &be);
		key = key_of(be.path);
		klen = strlen(key);
		while (klen > 0 && key[klen - 1] == '/')
			klen--;
		if ((me = strmap_get(&t.index, key, klen)) == NULL) {
			char *k = xstrdup(key);
			k[klen] = '\0';
			differ(&v, k, "not in the data root");
			free(k);
			goto next;
		}
		te = &t.v[me->value];
		te->seen = 1;
		if (be.type != te->type) {
			differ(&v, te->key, "type differs (%s in the archive, %s in the data root)", type_name(be.type),
			    type_name(te->type));
			goto next;
		}
		if (be.type != BACKUP_SYMLINK && be.perm != te->perm)
			differ(&v, te->key, "mode differs (%04o in the archive, %04o in the data root)",
			    (unsigned)be.perm, (unsigned)te->perm);
		full.len = 0;
		buf_adds(&full, root);
		if (*te->key) {
			buf_addc(&full, '/');
			buf_adds(&full, te->key);
		}
		buf_addc(&full, '\0');
		if (be.type == BACKUP_FILE) {
			if (compare_content(&v, a, archive_path, full.p, te->key, be.size, e) == -1)
				goto out;
		} else if (be.type == BACKUP_SYMLINK) {
			ssize_t n = readlink(full.p, target, sizeof target - 1);
			if (n == -1) {
				read_error(e, full.p, errno, "read the link");
				goto out;
			}
			target[n] = '\0';
			if (be.link == NULL || strcmp(be.link, target) != 0)
				differ(&v, te->key, "link target differs (%s in the archive, %s in the data root)",
				    be.link ? be.link : "", target);
		}
next:
		if (archive_read_data_skip(a) != ARCHIVE_OK) {
			r = ARCHIVE_FATAL;
			break;
		}
	}
	if (r != ARCHIVE_EOF) {
		err_set(e, EX_DATAERR, "%s: %s", archive_path,
		    archive_error_string(a) ? archive_error_string(a) : "damaged archive");
		goto out;
	}
	for (size_t i = 0; i < t.n; i++)
		if (!t.v[i].seen)
			differ(&v, t.v[i].key, "not in the archive");
	*n_diffs = v.n_diffs;
	rc = 0;
out:
	if (a != NULL)
		archive_read_free(a);
	for (size_t i = 0; i < t.n; i++)
		free(t.v[i].key);
	free(t.v);
	strmap_free(&t.index);
	walk_free(&w);
	buf_free(&full);
	buf_free(&v.shown);
	free(v.chunk_a);
	free(v.chunk_t);
	return rc;
}
