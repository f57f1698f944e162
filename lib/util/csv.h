/* csv: CSV as Python's csv module writes and reads it (excel dialect, QUOTE_MINIMAL, "\n" line ends). */
#ifndef TD_CSV_H
#define TD_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

/*
 * Writer: byte for byte csv.writer(f, lineterminator="\n") of CPython 3.7 (the reference's interpreter).
 * A field is quoted iff it holds ',', '"', '\n' or a NUL byte (3.7 compares with the unset escapechar, '\0';
 * 3.11 no longer quotes NUL, and no golden file holds one); '\r' alone does not quote. Embedded quotes are doubled. A row of exactly one empty field is written as "".
 * None is an empty, unquoted field. Bytes pass through unchanged (UTF-8 in, UTF-8 out, no BOM).
 *
 *	struct csvw w;
 *	csvw_init(&w, stdout);
 *	csvw_fieldz(&w, "Sender"); csvw_null(&w); csvw_end_row(&w);
 *
 * Each call returns 0, or -1 when writing failed (errno is set; the failure also sticks in w->failed,
 * so a caller may check only once, at the end, with csvw_error()). stdio buffers, so a full disk may
 * only show at fflush or fclose, which the caller checks as for any output.
 */
struct csvw {
	FILE *out;
	size_t nfields;		/* fields written in the current row */
	size_t row_bytes;	/* bytes written in the current row */
	int failed;		/* a write failed (sticky) */
};

void csvw_init(struct csvw *w, FILE *out);
int csvw_field(struct csvw *w, const char *s, size_t len);
int csvw_fieldz(struct csvw *w, const char *s);		/* a C string; NULL is None */
int csvw_null(struct csvw *w);				/* Python None: an empty field */
int csvw_int(struct csvw *w, long long v);		/* Python str(int) */
int csvw_end_row(struct csvw *w);
/* A whole row of C strings (NULL entries are None), then the line end. */
int csvw_row(struct csvw *w, const char *const *fields, size_t n);
/* 1 when any write failed since csvw_init. */
int csvw_error(const struct csvw *w);

/*
 * Reader: csv.reader over a file opened with newline="" (the excel dialect, strict=False):
 * quoted fields may span lines and hold "" for a quote; a record ends at "\n", "\r\n" or "\r" outside
 * quotes; line ends inside quotes are kept as they are; a last line without a line end is a record.
 * Like Python's non-strict reader, a quote inside an unquoted field is literal, and text after a closing
 * quote is appended ("ab"cd reads as abcd). A blank line is a record with no fields (csv.DictReader
 * skips those). Deliberately stricter than Python: end of input inside a quoted field is an error
 * (Python silently keeps the partial field), and so is a NUL byte (as Python).
 *
 *	struct csvr r;
 *	csvr_init(&r, fp);
 *	while ((rc = csvr_read(&r, &e)) > 0)
 *		for (i = 0; i < r.nfields; i++) use(csvr_field(&r, i, &len), len);
 *	csvr_free(&r);
 *
 * Errors name the line: "line 3: unterminated quoted field" (the line the field opens on); the tool puts
 * the file name in front (err_prefix).
 */
#define CSVR_DEFAULT_MAX_FIELD (128 * 1024)	/* Python's csv.field_size_limit() */

struct csvr {
	FILE *in;
	size_t max_field;	/* longest field in bytes (CSVR_DEFAULT_MAX_FIELD unless changed) */
	unsigned long line;	/* physical lines read so far */
	unsigned long row_line;	/* the line the current record starts on */
	size_t nfields;		/* fields of the current record */
	/* private */
	char *buf;		/* the record's fields, each followed by '\0' */
	size_t len, cap;
	size_t *start;		/* offset of each field in buf */
	size_t scap;
	int eof;
};

void csvr_init(struct csvr *r, FILE *in);
/* Read the next record: 1, 0 at the end of input, or -1 (EX_DATAERR for bad CSV, EX_IOERR). */
int csvr_read(struct csvr *r, struct err *e);
/* Field i of the current record (NUL-terminated; its length in *len when len is not NULL). */
const char *csvr_field(const struct csvr *r, size_t i, size_t *len);
void csvr_free(struct csvr *r);

#endif
