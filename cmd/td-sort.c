/* td-sort: a stable sort of records by the instant in a key, as the pipeline's data.sort(key=isoparse(sent_on)). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "records.h"
#include "util/spool.h"
#include "util/isotime.h"

static const char usage[] =
    "td-sort -k KEY [-q] [--reverse] [--max-record SIZE] [--skip-bad] [file ...]";

static const char help[] =
    "usage: td-sort -k KEY [-q] [--reverse] [--max-record SIZE] [--skip-bad] [file ...]\n"
    "Sort TracedData records (NDJSON) by the instant in KEY, stably; the records are copied untouched.\n"
    "\n"
    "  -k, --key KEY        the time key: an ISO-8601 date-time (compared as a UTC instant) or epoch seconds\n"
    "      --reverse        newest first (records with equal instants keep their input order)\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records and records without a usable KEY (counted on stderr)\n"
    "  -q, --quiet          do not report skipped records\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Standard input and pipes are spooled to an unlinked file in $TMPDIR (default /tmp).\n"
    "Exit status: 0 ok, 64 usage, 65 bad record or KEY, 66 input missing, 73 cannot create the spool file,\n"
    "74 I/O error.\n";

enum { OPT_VERSION = 2000 };

static const struct option longopts[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "reverse", no_argument, NULL, 'R' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* What the sort keeps per record: its instant and where its bytes are. Memory is this array, not the records. */
struct sort_entry {
	int64_t usec;		/* the instant, microseconds since the epoch */
	uint64_t offset;	/* byte offset of the record in its input */
	uint32_t len;		/* bytes of the record, without CR or LF */
	uint32_t input;		/* index of the input, in argument order */
};

struct sort_input {
	char *name;		/* for messages */
	int fd;			/* open until the records are written back */
};

struct sorter {
	const char *key;
	size_t klen;
	size_t max_record;
	int skip_bad, quiet, reverse;
	struct sort_entry *entries;
	size_t n, cap;
	struct sort_input *inputs;
	size_t ninputs;
	unsigned long skipped;
	/* Python cannot order naive and timezone-aware datetimes: the first usable value decides which we have. */
	int kind;		/* 0 none yet, 1 aware (or a number), 2 naive */
	char first_where[512];
	struct td td;
};

static int
skip_or_fail(struct sorter *s, struct err *e)
{
	if (!s->skip_bad)
		cli_fail(e);
	s->skipped++;
	if (!s->quiet)
		cli_warn("%s (skipped)", e->msg);
	return 0;
}

/* Epoch seconds in a JSON number, as microseconds. */
static int
number_instant(const struct json_node *n, int64_t *usec, struct err *e)
{
	char text[64];
	const int64_t limit = INT64_MAX / 1000000;

	if (n->len >= sizeof text)
		return err_set(e, EX_DATAERR, "number %.20s... is out of range for epoch seconds", n->p);
	memcpy(text, n->p, n->len);
	text[n->len] = '\0';
	if (n->type == JV_INT) {
		char *end;
		long long secs;

		errno = 0;
		secs = strtoll(text, &end, 10);
		if (errno != 0 || *end != '\0' || secs > limit || secs < -limit)
			return err_set(e, EX_DATAERR, "number %s is out of range for epoch seconds", text);
		*usec = (int64_t)secs * 1000000;
		return 0;
	}
	double secs = strtod(text, NULL);
	if (!isfinite(secs) || fabs(secs) > (double)limit)
		return err_set(e, EX_DATAERR, "number %s is out of range for epoch seconds", text);
	*usec = (int64_t)llround(secs * 1e6);
	return 0;
}

static const char *
type_name(int type)
{
	switch (type) {
	case JV_NULL:
		return "null";
	case JV_FALSE:
	case JV_TRUE:
		return "a boolean";
	case JV_ARRAY:
		return "an array";
	case JV_OBJECT:
		return "an object";
	default:
		return "a value";
	}
}

/* The instant in the record's KEY; *kind is 1 for an aware date-time or a number, 2 for a naive date-time. */
static int
record_instant(struct sorter *s, int64_t *usec, int *kind, struct err *e)
{
	const struct td_val *v = td_get(&s->td, s->key, s->klen);
	const struct json_node *n;
	struct isotime t;
	const char *text;
	size_t len;

	if (v == NULL)
		return err_set(e, EX_DATAERR, "no key '%s' (expected an ISO-8601 date-time or a number)", s->key);
	n = &v->doc->nodes[v->idx];
	switch (n->type) {
	case JV_INT:
	case JV_FLOAT:
		*kind = 1;
		if (number_instant(n, usec, e) == -1)
			return err_prefix(e, "%s", s->key);
		return 0;
	case JV_STRING:
		text = json_str(v->doc, v->idx, &len);
		if (iso_parse(text, len, &t, e) == -1)
			return err_prefix(e, "%s", s->key);
		*usec = t.usec;
		*kind = t.has_offset ? 1 : 2;
		return 0;
	default:
		return err_set(e, EX_DATAERR, "%s: expected an ISO-8601 date-time or a number, got %s",
		    s->key, type_name(n->type));
	}
}

static void
add_entry(struct sorter *s, struct sort_entry ent)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->entries = xrealloc(s->entries, s->cap * sizeof *s->entries);
	}
	s->entries[s->n++] = ent;
}

/* Read one input, recording (instant, input, offset, length) for each record. */
static void
scan_input(struct sorter *s, const char *arg)
{
	struct ndjson_reader r;
	struct sort_input *in;
	const char *line;
	size_t len;
	uint64_t base = 0;
	struct err e;
	int rc;

	if (ndjson_open_rereadable(&r, arg, s->max_record, &base, &e) == -1)
		cli_fail(&e);
	s->inputs = xrealloc(s->inputs, (s->ninputs + 1) * sizeof *s->inputs);
	in = &s->inputs[s->ninputs];
	in->name = xstrdup(r.name);
	if ((in->fd = dup(r.fd)) == -1) {
		err_set(&e, EX_IOERR, "%s: %s", r.name, strerror(errno));
		ndjson_close(&r);
		cli_fail(&e);
	}
	s->ninputs++;

	while ((rc = ndjson_next(&r, &line, &len, &e)) != 0) {
		struct sort_entry ent = { 0 };
		int kind = 0;

		if (rc == -1) {
			/* A blank line can be skipped; an over-long record or a read error cannot. */
			if (s->skip_bad && strstr(e.msg, "blank line") != NULL) {
				skip_or_fail(s, &e);
				continue;
			}
			ndjson_close(&r);
			cli_fail(&e);
		}
		if (len > UINT32_MAX) {
			err_set(&e, EX_DATAERR, "%s: record longer than 4 GiB", ndjson_where(&r));
			ndjson_close(&r);
			cli_fail(&e);
		}
		if (td_parse(&s->td, line, len, &e) == -1 || record_instant(s, &ent.usec, &kind, &e) == -1) {
			err_prefix(&e, "%s", ndjson_where(&r));
			skip_or_fail(s, &e);
			continue;
		}
		if (s->kind == 0) {
			s->kind = kind;
			snprintf(s->first_where, sizeof s->first_where, "%s", ndjson_where(&r));
		} else if (kind != s->kind) {
			err_set(&e, EX_DATAERR, "%s: %s: a %s date-time cannot be compared with the %s one at %s",
			    ndjson_where(&r), s->key, kind == 2 ? "naive" : "timezone-aware",
			    kind == 2 ? "timezone-aware" : "naive", s->first_where);
			skip_or_fail(s, &e);
			continue;
		}
		ent.offset = base + r.offset;
		ent.len = (uint32_t)len;
		ent.input = (uint32_t)(s->ninputs - 1);
		add_entry(s, ent);
	}
	ndjson_close(&r);
}

static int reverse_order;

/* By instant, then by position in the input (which makes the sort stable, reversed or not). */
static int
entry_cmp(const void *a, const void *b)
{
	const struct sort_entry *x = a, *y = b;

	if (x->usec != y->usec)
		return (x->usec < y->usec) != reverse_order ? -1 : 1;
	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * Write the records in sorted order, reading them back by offset. Records that follow each other in a file are
 * read together (up to RUN_MAX bytes), so input that is already nearly sorted is read sequentially.
 */
#define RUN_MAX ((uint64_t)1 << 20)
#define RUN_GAP 4096

static void
write_sorted(struct sorter *s)
{
	char *buf = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < s->n;) {
		const struct sort_entry *first = &s->entries[i];
		uint64_t start = first->offset, end = first->offset + first->len;
		size_t j = i + 1;

		while (j < s->n) {
			const struct sort_entry *next = &s->entries[j];
			if (next->input != first->input || next->offset < end || next->offset - end > RUN_GAP ||
			    next->offset + next->len - start > RUN_MAX)
				break;
			end = next->offset + next->len;
			j++;
		}
		if (end - start > cap) {
			cap = (size_t)(end - start);
			free(buf);
			buf = xmalloc(cap);
		}
		if (spool_read_at(s->inputs[first->input].fd, buf, (size_t)(end - start), start) == -1) {
			int saved = errno;
			free(buf);
			cli_die(EX_IOERR, "%s: %s", s->inputs[first->input].name,
			    saved ? strerror(saved) : "file shrank while it was being sorted");
		}
		for (; i < j; i++) {
			const struct sort_entry *ent = &s->entries[i];
			fwrite(buf + (ent->offset - start), 1, ent->len, stdout);
			putc('\n', stdout);
		}
	}
	free(buf);
}

int
main(int argc, char **argv)
{
	struct sorter s;
	int c;

	memset(&s, 0, sizeof s);
	cli_init("td-sort");
	while ((c = getopt_long(argc, argv, "k:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			s.key = optarg;
			break;
		case 'R':
			s.reverse = 1;
			break;
		case 'q':
			s.quiet = 1;
			break;
		case CLI_OPT_MAX_RECORD:
			s.max_record = cli_max_record_arg(optarg);
			break;
		case CLI_OPT_SKIP_BAD:
			s.skip_bad = 1;
			break;
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if (s.key == NULL) {
		cli_warn("-k KEY is required");
		cli_usage(usage);
	}
	s.klen = strlen(s.key);
	if (optind == argc)
		scan_input(&s, "-");
	for (int i = optind; i < argc; i++)
		scan_input(&s, argv[i]);
	td_free(&s.td);

	reverse_order = s.reverse;
	if (s.n > 1)
		qsort(s.entries, s.n, sizeof *s.entries, entry_cmp);
	write_sorted(&s);

	if (s.skipped && !s.quiet)
		cli_warn("skipped %lu bad record%s", s.skipped, s.skipped == 1 ? "" : "s");
	for (size_t i = 0; i < s.ninputs; i++) {
		close(s.inputs[i].fd);
		free(s.inputs[i].name);
	}
	free(s.inputs);
	free(s.entries);
	cli_exit(0);
}
