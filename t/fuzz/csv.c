/*
 * csv: the CSV reader (csvr over fmemopen); every record read is written back with csvw to a memory stream and
 * re-read: it must give exactly one record with the same fields (abort if not). A field holding '\r' is skipped
 * by the check: csv.writer (and so csvw) leaves a lone '\r' unquoted, which a reader takes as a line end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/err.h"

static void
check_round_trip(const struct csvr *r)
{
	struct csvw w;
	struct csvr r2;
	struct err e;
	char *text = NULL;
	size_t tlen = 0, i, la, lb;
	FILE *out, *in;
	const char *a, *b;

	for (i = 0; i < r->nfields; i++) {
		a = csvr_field(r, i, &la);
		if (memchr(a, '\r', la) != NULL)
			return;
	}
	if ((out = open_memstream(&text, &tlen)) == NULL)
		abort();
	csvw_init(&w, out);
	for (i = 0; i < r->nfields; i++) {
		a = csvr_field(r, i, &la);
		csvw_field(&w, a, la);
	}
	csvw_end_row(&w);
	if (csvw_error(&w) || fclose(out) != 0)
		abort();
	if (tlen == 0)
		abort();	/* even an empty record is a line end */
	if ((in = fmemopen(text, tlen, "r")) == NULL)
		abort();
	csvr_init(&r2, in);
	if (csvr_read(&r2, &e) != 1)
		abort();	/* csvw wrote something csvr cannot read back */
	if (r2.nfields != r->nfields)
		abort();
	for (i = 0; i < r->nfields; i++) {
		a = csvr_field(r, i, &la);
		b = csvr_field(&r2, i, &lb);
		if (la != lb || memcmp(a, b, la) != 0)
			abort();
	}
	if (csvr_read(&r2, &e) != 0)
		abort();	/* one row written, more than one read */
	csvr_free(&r2);
	fclose(in);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvr r;
	struct err e;
	FILE *in;
	int rc;

	if (size == 0)
		return 0;	/* fmemopen refuses an empty buffer */
	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	csvr_init(&r, in);
	r.max_field = 4096;	/* small, so the limit is reached too */
	while ((rc = csvr_read(&r, &e)) > 0)
		check_round_trip(&r);
	csvr_free(&r);
	fclose(in);
	return 0;
}
