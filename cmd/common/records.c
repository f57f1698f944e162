#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "records.h"

void
cli_in_init(struct cli_in *in, int n, char **files, size_t max_record, int skip_bad)
{
	memset(in, 0, sizeof *in);
	in->files = files;
	in->nfiles = n;
	in->max_record = max_record;
	in->skip_bad = skip_bad;
}

const char *
cli_in_where(const struct cli_in *in)
{
	return ndjson_where(&in->r);
}

void
cli_in_fail(struct cli_in *in, struct err *e)
{
	err_prefix(e, "%s", cli_in_where(in));
	cli_fail(e);
}

int
cli_in_next(struct cli_in *in)
{
	struct err e;
	const char *line;
	size_t len;
	int rc;

	for (;;) {
		if (!in->open) {
			const char *name;
			if (in->cur >= (in->nfiles ? in->nfiles : 1))
				return 0;
			name = in->nfiles ? in->files[in->cur] : "-";
			in->cur++;
			if (ndjson_open(&in->r, name, in->max_record, &e) == -1)
				cli_fail(&e);
			in->open = 1;
		}
		rc = ndjson_next(&in->r, &line, &len, &e);
		if (rc == 0) {
			ndjson_close(&in->r);
			in->open = 0;
			continue;
		}
		if (rc == -1) {
			/* A blank line can be skipped; an over-long record or a read error cannot. */
			if (in->skip_bad && strstr(e.msg, "blank line") != NULL) {
				in->skipped++;
				cli_warn("%s (skipped)", e.msg);
				continue;
			}
			cli_fail(&e);
		}
		if (td_parse(&in->td, line, len, &e) == -1) {
			if (in->skip_bad) {
				in->skipped++;
				cli_warn("%s: %s (skipped)", cli_in_where(in), e.msg);
				continue;
			}
			cli_in_fail(in, &e);
		}
		in->records++;
		return 1;
	}
}

void
cli_in_done(struct cli_in *in)
{
	if (in->skipped)
		cli_warn("skipped %lu bad record%s", in->skipped, in->skipped == 1 ? "" : "s");
	if (in->open)
		ndjson_close(&in->r);
	td_free(&in->td);
}

void
cli_out(const struct buf *b)
{
	fwrite(b->p, 1, b->len, stdout);
}

size_t
cli_max_record_arg(const char *arg)
{
	long long n = cli_parse_size(arg);

	if (n <= 0)
		cli_die(EX_USAGE, "--max-record: expected a size such as 1048576, 64K or 256M, got '%s'", arg);
	return (size_t)n;
}
