#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record/ndjson.h"
#include "util/buf.h"
#include "util/spool.h"

#define CHUNK ((size_t)1 << 20)

static int
reader_init(struct ndjson_reader *r, struct err *e)
{
	struct stat st;

	if (fstat(r->fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			err_set(e, EX_NOINPUT, "%s: is a directory", r->name);
			ndjson_close(r);
			return -1;
		}
		r->is_regular = S_ISREG(st.st_mode);
	}
	r->cap = CHUNK;
	r->buf = xmalloc(r->cap);
	return 0;
}

int
ndjson_open(struct ndjson_reader *r, const char *path, size_t max_record, struct err *e)
{
	memset(r, 0, sizeof *r);
	r->max_record = max_record ? max_record : NDJSON_MAX_RECORD_DEFAULT;
	if (path == NULL || strcmp(path, "-") == 0) {
		r->fd = STDIN_FILENO;
		r->name = xstrdup("<stdin>");
	} else {
		if ((r->fd = open(path, O_RDONLY)) == -1)
			return err_set(e, errno == EACCES ? EX_NOPERM : EX_NOINPUT, "%s: %s", path, strerror(errno));
		r->name = xstrdup(path);
	}
	return reader_init(r, e);
}

int
ndjson_open_fd(struct ndjson_reader *r, int fd, const char *name, size_t max_record, struct err *e)
{
	memset(r, 0, sizeof *r);
	r->max_record = max_record ? max_record : NDJSON_MAX_RECORD_DEFAULT;
	r->fd = fd;
	r->name = xstrdup(name);
	return reader_init(r, e);
}

/* Read more input after buf[end]; returns bytes read, 0 at EOF, -1 on error. */
static ssize_t
fill(struct ndjson_reader *r, struct err *e)
{
	ssize_t n;

	if (r->start > 0 && (r->end == r->cap || r->start > r->cap / 2)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->consumed += r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		size_t ncap = r->cap * 2;
		if (ncap > r->max_record + 2)
			ncap = r->max_record + 2;
		if (ncap <= r->cap)
			ncap = r->cap + CHUNK;
		r->buf = xrealloc(r->buf, ncap);
		r->cap = ncap;
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return err_set(e, EX_IOERR, "%s: read error: %s", r->name, strerror(errno));
	r->end += (size_t)n;
	return n;
}

int
ndjson_next(struct ndjson_reader *r, const char **line, size_t *len, struct err *e)
{
	size_t scanned = r->start;
	char *nl;

	for (;;) {
		nl = memchr(r->buf + scanned, '\n', r->end - scanned);
		if (nl != NULL)
			break;
		scanned = r->end;
		if (r->end - r->start > r->max_record + 1) {
			r->line++;
			return err_set(e, EX_DATAERR, "%s:%lu: record longer than the limit of %zu bytes (--max-record)",
			    r->name, r->line, r->max_record);
		}
		if (r->eof)
			break;
		size_t before = r->start;
		ssize_t n = fill(r, e);
		if (n == -1)
			return -1;
		scanned -= before - r->start;
		if (n == 0)
			r->eof = 1;
	}
	if (nl == NULL && r->start == r->end)
		return 0;
	size_t end = nl ? (size_t)(nl - r->buf) : r->end;
	size_t n = end - r->start;
	r->line++;
	r->offset = r->consumed + r->start;
	if (n > 0 && r->buf[r->start + n - 1] == '\r')
		n--;
	if (n > r->max_record)
		return err_set(e, EX_DATAERR, "%s:%lu: record longer than the limit of %zu bytes (--max-record)",
		    r->name, r->line, r->max_record);
	*line = r->buf + r->start;
	*len = n;
	r->start = nl ? end + 1 : end;
	if (n == 0 || (*line)[0] == ' ' || (*line)[0] == '\t') {
		/* A blank (or white-space only) line is not a record. */
		size_t i = 0;
		while (i < n && ((*line)[i] == ' ' || (*line)[i] == '\t' || (*line)[i] == '\r'))
			i++;
		if (i == n)
			return err_set(e, EX_DATAERR, "%s:%lu: blank line (expected a record)", r->name, r->line);
	}
	return 1;
}

int
ndjson_open_rereadable(struct ndjson_reader *r, const char *path, size_t max_record, uint64_t *base,
    struct err *e)
{
	char *name;
	int fd;

	*base = 0;
	if (ndjson_open(r, path, max_record, e) == -1)
		return -1;
	if (r->is_regular) {
		off_t pos = lseek(r->fd, 0, SEEK_CUR);
		if (pos > 0)
			*base = (uint64_t)pos;
		return 0;
	}
	/* Nothing has been read yet: reopen on a spooled copy. */
	name = xstrdup(r->name);
	fd = spool_fd(r->fd, name, e);
	ndjson_close(r);
	if (fd == -1 || ndjson_open_fd(r, fd, name, max_record, e) == -1) {
		free(name);
		return -1;
	}
	free(name);
	return 0;
}

const char *
ndjson_where(const struct ndjson_reader *r)
{
	static char where[4096 + 32];

	snprintf(where, sizeof where, "%s:%lu", r->name, r->line);
	return where;
}

void
ndjson_close(struct ndjson_reader *r)
{
	if (r->fd > STDIN_FILENO)
		close(r->fd);
	free(r->buf);
	free(r->name);
	r->buf = r->name = NULL;
	r->fd = -1;
}
