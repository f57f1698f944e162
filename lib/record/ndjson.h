/* ndjson: newline-delimited records from a file or stdin, with file:line for every error. */
#ifndef TD_NDJSON_H
#define TD_NDJSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define NDJSON_MAX_RECORD_DEFAULT ((size_t)256 << 20)

struct ndjson_reader {
	int fd;
	char *name;		/* as given; "-" is shown as "<stdin>" */
	unsigned long line;	/* number of the record last returned (1-based) */
	uint64_t offset;	/* byte offset of that record in the input */
	uint64_t consumed;	/* bytes of input before buf[start] */
	char *buf;
	size_t cap, start, end;
	size_t max_record;
	int eof;
	int is_regular;		/* a regular file: offsets can be seeked back to */
};

/* "-" or NULL is stdin. A missing file or a directory is EX_NOINPUT; an unreadable one EX_NOPERM. */
int ndjson_open(struct ndjson_reader *r, const char *path, size_t max_record, struct err *e);
/* A reader on an open descriptor (a spooled temporary file, a pipe); name is for messages. The fd is closed
 * by ndjson_close unless it is stdin. */
int ndjson_open_fd(struct ndjson_reader *r, int fd, const char *name, size_t max_record, struct err *e);
/*
 * Open an input to be read more than once or by offset (a sort, a second pass): a regular file as it is, a pipe
 * or terminal copied first into an unlinked temporary file (spool_fd). *base receives the offset the reading
 * starts at (standard input may be a file already partly read), so record offsets are r->offset + *base
 * within the file behind r->fd.
 */
int ndjson_open_rereadable(struct ndjson_reader *r, const char *path, size_t max_record, uint64_t *base,
    struct err *e);
/*
 * The next record: 1 with line and len set (no line terminator; a CR before the LF is removed), 0 at the end,
 * -1 on error. A blank line, or one longer than max_record, is an error (EX_DATAERR); read errors are EX_IOERR.
 * A final record without a newline is accepted. The bytes stay valid until the next call.
 */
int ndjson_next(struct ndjson_reader *r, const char **line, size_t *len, struct err *e);
/* "<name>:<line>" of the last record, for messages. */
const char *ndjson_where(const struct ndjson_reader *r);
void ndjson_close(struct ndjson_reader *r);

#endif
