/* records: the input loop every filter shares — files or stdin, one TracedData record at a time. */
#ifndef TD_RECORDS_H
#define TD_RECORDS_H

#include "record/ndjson.h"
#include "record/td.h"

struct cli_in {
	char **files;
	int nfiles, cur;
	struct ndjson_reader r;
	int open;
	size_t max_record;
	int skip_bad;
	unsigned long skipped;
	unsigned long records;
	struct td td;
};

/* Read files[0..n) in order, or stdin when n == 0 ("-" is stdin too). */
void cli_in_init(struct cli_in *in, int n, char **files, size_t max_record, int skip_bad);
/*
 * Parse the next record into in->td: 1, or 0 after the last input. A bad record ends the tool with
 * "tool: file:line: what" and its exit code, unless --skip-bad was given: then it is counted and skipped.
 */
int cli_in_next(struct cli_in *in);
/* "file:line" of the current record. */
const char *cli_in_where(const struct cli_in *in);
/* Die with "tool: file:line: message" for the current record. */
_Noreturn void cli_in_fail(struct cli_in *in, struct err *e);
/* Report skipped records (if any) on stderr and free everything. */
void cli_in_done(struct cli_in *in);

/* Write bytes to stdout (write errors are caught by cli_exit). */
void cli_out(const struct buf *b);

/* Long options and parsing shared by the filters: --max-record SIZE, --skip-bad. */
#define CLI_OPT_MAX_RECORD 1000
#define CLI_OPT_SKIP_BAD 1001
#define CLI_RECORD_OPTIONS \
	{ "max-record", required_argument, NULL, CLI_OPT_MAX_RECORD }, \
	{ "skip-bad", no_argument, NULL, CLI_OPT_SKIP_BAD }
size_t cli_max_record_arg(const char *arg);

#endif
