/* isotime: iso_parse on the input; when it parses, iso_format then re-parse: the same instant and offset
 * (abort if not), and (for instants within years 1-9999 UTC) iso_format_utc must parse back to the same instant with offset 0. */
#include <stdint.h>
#include <stdlib.h>

#include "util/err.h"
#include "util/isotime.h"

#define ISO_MIN_USEC (-62135596800LL * 1000000)			/* 0001-01-01T00:00:00Z */
#define ISO_MAX_USEC (253402300799LL * 1000000 + 999999)	/* 9999-12-31T23:59:59.999999Z */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isotime t, t2;
	struct err e;
	char buf[64];
	size_t n;

	if (iso_parse((const char *)data, size, &t, &e) == -1)
		return 0;
	n = iso_format(&t, buf, 40);
	if (n == 0 || n >= 40)
		abort();
	if (iso_parse(buf, n, &t2, &e) == -1)
		abort();	/* isoformat wrote something isoparse refuses */
	if (t2.usec != t.usec || t2.has_offset != t.has_offset || (t.has_offset && t2.offset_min != t.offset_min))
		abort();
	/* astimezone(utc) of a time near year 1 or 9999 overflows in Python too: only check in-range instants */
	if (t.usec < ISO_MIN_USEC || t.usec > ISO_MAX_USEC)
		return 0;
	n = iso_format_utc(t.usec, buf, 40);
	if (n == 0 || n >= 40)
		abort();
	if (iso_parse(buf, n, &t2, &e) == -1)
		abort();
	if (t2.usec != t.usec || !t2.has_offset || t2.offset_min != 0)
		abort();
	return 0;
}
