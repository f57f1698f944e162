/* isotime: ISO-8601 date-times as Python's dateutil isoparse reads them and datetime.isoformat writes them. */
#ifndef TD_ISOTIME_H
#define TD_ISOTIME_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct isotime {
	int64_t usec;		/* the instant: microseconds since 1970-01-01T00:00:00Z (naive: as if UTC) */
	int offset_min;		/* UTC offset in minutes as written (+03:00 -> 180) */
	int has_offset;		/* 0 for a naive date-time (no Z, no offset) */
};

/*
 * Parse s[0..len) like dateutil.parser.isoparse: YYYY-MM-DD, then optionally [T or space]HH[:MM[:SS[.f{1,6}]]]
 * (also the basic forms without colons), then Z, +HH, +HH:MM or +HHMM (and -). Hour 24 is allowed only as
 * 24:00[:00[.0]] and means the next day's midnight. On error: -1, EX_DATAERR, a message naming the text.
 */
int iso_parse(const char *s, size_t len, struct isotime *t, struct err *e);

/* Python isoformat() in the value's own offset: YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM (no offset if naive).
 * Returns the length written (buf should hold 40 bytes). */
size_t iso_format(const struct isotime *t, char *buf, size_t n);
/* astimezone(utc).isoformat(): the instant with "+00:00". */
size_t iso_format_utc(int64_t usec, char *buf, size_t n);

#endif
