/* csv: CSV as Python's csv module writes and reads it (see csv.h for the exact rules). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

/* ---- writer ---- */

void
csvw_init(struct csvw *w, FILE *out)
{
	w->out = out;
	w->nfields = 0;
	w->row_bytes = 0;
	w->failed = 0;
}

static int
put_bytes(struct csvw *w, const char *s, size_t len)
{
	if (len > 0 && fwrite(s, 1, len, w->out) != len) {
		w->failed = 1;
		return -1;
	}
	w->row_bytes += len;
	return 0;
}

/*
 * CPython 3.7 _csv.c join_append_data: a character equal to the delimiter, the quotechar, the escapechar
 * (unset, so '\0') or one of the line terminator's characters ("\n") makes the field quoted.
 */
static int
needs_quotes(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\0')
			return 1;
	return 0;
}

int
csvw_field(struct csvw *w, const char *s, size_t len)
{
	const char *q, *end;

	if (s == NULL)
		s = "", len = 0;
	end = s + len;

	if (w->nfields++ > 0 && put_bytes(w, ",", 1) < 0)
		return -1;
	if (!needs_quotes(s, len))
		return put_bytes(w, s, len);
	if (put_bytes(w, "\"", 1) < 0)
		return -1;
	/* Write up to and including each quote, then the quote again. */
	while ((q = memchr(s, '"', (size_t)(end - s))) != NULL) {
		if (put_bytes(w, s, (size_t)(q - s) + 1) < 0 || put_bytes(w, "\"", 1) < 0)
			return -1;
		s = q + 1;
	}
	if (put_bytes(w, s, (size_t)(end - s)) < 0)
		return -1;
	return put_bytes(w, "\"", 1);
}

int
csvw_fieldz(struct csvw *w, const char *s)
{
	return s == NULL ? csvw_null(w) : csvw_field(w, s, strlen(s));
}

int
csvw_null(struct csvw *w)
{
	return csvw_field(w, "", 0);
}

int
csvw_int(struct csvw *w, long long v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", v);

	return csvw_field(w, num, (size_t)n);
}

int
csvw_end_row(struct csvw *w)
{
	int rc = 0;

	/* A record of one empty field would read back as a blank line, so Python writes it as "". */
	if (w->nfields > 0 && w->row_bytes == 0)
		rc = put_bytes(w, "\"\"", 2);
	if (rc == 0)
		rc = put_bytes(w, "\n", 1);
	w->nfields = 0;
	w->row_bytes = 0;
	return rc;
}

int
csvw_row(struct csvw *w, const char *const *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (csvw_fieldz(w, fields[i]) < 0)
			return -1;
	return csvw_end_row(w);
}

int
csvw_error(const struct csvw *w)
{
	return w->failed;
}

/* ---- reader ---- */

void
csvr_init(struct csvr *r, FILE *in)
{
	memset(r, 0, sizeof *r);
	r->in = in;
	r->max_field = CSVR_DEFAULT_MAX_FIELD;
}

void
csvr_free(struct csvr *r)
{
	free(r->buf);
	free(r->start);
	r->buf = NULL;
	r->start = NULL;
	r->cap = r->scap = r->len = r->nfields = 0;
}

const char *
csvr_field(const struct csvr *r, size_t i, size_t *len)
{
	const char *f;

	if (i >= r->nfields) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	f = r->buf + r->start[i];
	if (len != NULL)
		*len = (i + 1 < r->nfields ? r->start[i + 1] - 1 : r->len - 1) - r->start[i];
	return f;
}

static int
grow(void **p, size_t *cap, size_t need, size_t size, struct err *e)
{
	size_t ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * size);
	if (np == NULL)
		return err_set(e, TD_EXIT_FAILURE, "out of memory reading CSV");
	*p = np;
	*cap = ncap;
	return 0;
}

static int
add_byte(struct csvr *r, size_t field_start, int c, struct err *e)
{
	if (r->len - field_start >= r->max_field)
		return err_set(e, EX_DATAERR, "line %lu: field longer than %zu bytes", r->line + 1, r->max_field);
	if (r->len + 2 > r->cap && grow((void **)&r->buf, &r->cap, r->len + 2, 1, e) < 0)
		return -1;
	r->buf[r->len++] = (char)c;
	return 0;
}

static int
save_field(struct csvr *r, size_t field_start, struct err *e)
{
	if (r->nfields + 1 > r->scap && grow((void **)&r->start, &r->scap, r->nfields + 1, sizeof *r->start, e) < 0)
		return -1;
	if (r->len + 1 > r->cap && grow((void **)&r->buf, &r->cap, r->len + 1, 1, e) < 0)
		return -1;
	r->buf[r->len++] = '\0';
	r->start[r->nfields++] = field_start;
	return 0;
}

/* A '\r' is a line end by itself or together with a following '\n'. */
static void
eat_lf_after_cr(struct csvr *r)
{
	int c = getc(r->in);

	if (c != '\n' && c != EOF)
		ungetc(c, r->in);
}

enum csvr_state { START_RECORD, START_FIELD, IN_FIELD, IN_QUOTED_FIELD, QUOTE_IN_QUOTED_FIELD };

int
csvr_read(struct csvr *r, struct err *e)
{
	enum csvr_state state = START_RECORD;
	size_t field_start = 0;
	unsigned long quote_line = 0;
	int c;

	r->len = 0;
	r->nfields = 0;
	if (r->eof)
		return 0;
	r->row_line = r->line + 1;
	for (;;) {
		c = getc(r->in);
		if (c == EOF) {
			if (ferror(r->in))
				return err_set(e, EX_IOERR, "line %lu: read error: %s", r->line + 1, strerror(errno));
			r->eof = 1;
		} else if (c == '\0') {
			return err_set(e, EX_DATAERR, "line %lu: NUL byte in CSV text", r->line + 1);
		}
		switch (state) {
		case START_RECORD:
			if (c == EOF)
				return 0;
			if (c == '\n' || c == '\r') {	/* a blank line: a record with no fields */
				if (c == '\r')
					eat_lf_after_cr(r);
				r->line++;
				return 1;
			}
			state = START_FIELD;
			/* FALLTHROUGH */
		case START_FIELD:
			field_start = r->len;
			if (c == EOF || c == '\n' || c == '\r')
				goto end_record;
			if (c == '"') {
				quote_line = r->line + 1;
				state = IN_QUOTED_FIELD;
			} else if (c == ',') {
				if (save_field(r, field_start, e) < 0)
					return -1;
			} else {
				if (add_byte(r, field_start, c, e) < 0)
					return -1;
				state = IN_FIELD;
			}
			break;
		case IN_FIELD:
			if (c == EOF || c == '\n' || c == '\r')
				goto end_record;
			if (c == ',') {
				if (save_field(r, field_start, e) < 0)
					return -1;
				state = START_FIELD;
			} else if (add_byte(r, field_start, c, e) < 0) {
				return -1;
			}
			break;
		case IN_QUOTED_FIELD:
			if (c == EOF)
				return err_set(e, EX_DATAERR, "line %lu: unterminated quoted field", quote_line);
			if (c == '"') {
				state = QUOTE_IN_QUOTED_FIELD;
				break;
			}
			if (add_byte(r, field_start, c, e) < 0)
				return -1;
			if (c == '\r') {	/* kept as written; only the line count needs the lookahead */
				c = getc(r->in);
				if (c != '\n') {
					if (c != EOF)
						ungetc(c, r->in);
					r->line++;
					break;
				}
				if (add_byte(r, field_start, c, e) < 0)
					return -1;
			}
			if (c == '\n')
				r->line++;
			break;
		case QUOTE_IN_QUOTED_FIELD:
			if (c == '"') {
				if (add_byte(r, field_start, c, e) < 0)
					return -1;
				state = IN_QUOTED_FIELD;
			} else if (c == ',') {
				if (save_field(r, field_start, e) < 0)
					return -1;
				state = START_FIELD;
			} else if (c == EOF || c == '\n' || c == '\r') {
				goto end_record;
			} else {
				/* Python's non-strict reader keeps what follows a closing quote. */
				if (add_byte(r, field_start, c, e) < 0)
					return -1;
				state = IN_FIELD;
			}
			break;
		}
	}
end_record:
	if (save_field(r, field_start, e) < 0)
		return -1;
	if (c == '\r')
		eat_lf_after_cr(r);
	if (c != EOF)
		r->line++;
	return 1;
}
