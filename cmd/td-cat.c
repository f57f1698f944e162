/* td-cat: print TracedData records, converting between the traced and flat forms, verifying hashes. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "records.h"
#include "util/csv.h"
#include "util/isotime.h"

static const char usage[] =
    "td-cat [-fqt] [--verify] [--history KEY] [--csv COLUMNS] [-u USER] [--max-record SIZE] [--skip-bad] [file ...]";

static const char help[] =
    "usage: td-cat [-fqt] [--verify] [--history KEY] [--csv COLUMNS] [-u USER] [--max-record SIZE] [--skip-bad] [file ...]\n"
    "Print TracedData records (NDJSON) from the files, or standard input.\n"
    "\n"
    "  -f, --flat           print each record's latest values as a flat JSON object\n"
    "  -t, --traced         print each record as a TracedData history (a flat record gets one entry)\n"
    "      --verify         recompute every SHA (nested ones too); exit 65 at the first mismatch\n"
    "      --history KEY    print the history of KEY per record, ordered by time\n"
    "      --csv COLUMNS    print the latest values of the comma-separated COLUMNS as CSV, with a header\n"
    "                       (Python csv rules: QUOTE_MINIMAL, \\n line ends, values as Python str())\n"
    "  -u, --user USER      Metadata.User of entries made by --traced (default $TD_USER, $USER@host)\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet          with --verify: print nothing, only the exit status\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record or SHA mismatch, 66 input missing, 74 I/O error.\n";

enum { OPT_VERIFY = 2000, OPT_HISTORY, OPT_CSV, OPT_VERSION };

static const struct option longopts[] = {
	{ "flat", no_argument, NULL, 'f' },
	{ "traced", no_argument, NULL, 't' },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "user", required_argument, NULL, 'u' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* One item of get_history: (sha, value, timestamp) with the time as an instant for sorting. */
struct hist_item {
	struct json_doc *doc;
	uint32_t value;		/* node of the value; 0 with nested_sha set for a nested TracedData */
	const char *nested_sha;
	size_t nested_sha_len;
	const char *sha;
	size_t sha_len;
	uint32_t timestamp;	/* node of Metadata.Timestamp */
	double when;		/* seconds since the epoch */
	size_t pos;
};

struct hist {
	struct hist_item *items;
	size_t n, cap;
};

static void
hist_add(struct hist *h, struct hist_item it)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->items = xrealloc(h->items, h->cap * sizeof *h->items);
	}
	it.pos = h->n;
	h->items[h->n++] = it;
}

static int
when_of(struct json_doc *d, uint32_t ts, double *when, struct err *e)
{
	const struct json_node *n = &d->nodes[ts];
	struct isotime t;
	size_t len;
	const char *s;

	if (n->type == JV_INT || n->type == JV_FLOAT) {
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%.*s", (int)(n->len < 63 ? n->len : 63), n->p);
		*when = strtod(tmp, NULL);
		return 0;
	}
	if (n->type == JV_STRING) {
		s = json_str(d, ts, &len);
		if (iso_parse(s, len, &t, e) == -1)
			return -1;
		*when = (double)t.usec / 1e6;
		return 0;
	}
	return err_set(e, EX_DATAERR, "Metadata.Timestamp is neither a number nor an ISO-8601 string");
}

/* get_history(key) of coredata.md §2.3: older entries first, nested histories at the entry that nests them. */
static int
collect_history(struct hist *h, struct json_doc *d, uint32_t arr, const char *key, size_t klen, struct err *e)
{
	uint32_t idx[32], *entries = idx;
	size_t n = d->nodes[arr].count, k = n;

	/* Small on the stack: nested histories recurse, one frame per level. */
	if (n > 32)
		entries = xmalloc(n * sizeof *entries);
	for (uint32_t c = arr + 1; c < d->nodes[arr].next; c = d->nodes[c].next)
		entries[--k] = c;
	for (size_t i = 0; i < n; i++) {
		uint32_t ent = entries[i];
		uint32_t data = json_get(d, ent, "Data", 4), nest = json_get(d, ent, "NestedTracedData", 16);
		uint32_t meta = json_get(d, ent, "Metadata", 8), ts = json_get(d, meta, "Timestamp", 9);
		uint32_t sha = json_get(d, ent, "SHA", 3), v;
		struct hist_item it = { .doc = d };

		for (uint32_t c = nest + 1; c < d->nodes[nest].next; c = d->nodes[c + 1].next)
			if (collect_history(h, d, c + 1, key, klen, e) == -1)
				goto fail;
		it.sha = json_str(d, sha, &it.sha_len);
		if ((v = json_get(d, data, key, klen)) != 0) {
			it.value = v;
		} else if ((v = json_get(d, nest, key, klen)) != 0) {
			uint32_t newest = v + 1, s = json_get(d, newest, "SHA", 3);
			it.nested_sha = json_str(d, s, &it.nested_sha_len);
		} else {
			continue;
		}
		if (!ts) {
			err_set(e, EX_DATAERR, "history entry %zu: Metadata.Timestamp is missing", n - i);
			goto fail;
		}
		it.timestamp = ts;
		if (when_of(d, ts, &it.when, e) == -1) {
			err_prefix(e, "history entry %zu", n - i);
			goto fail;
		}
		hist_add(h, it);
	}
	if (entries != idx)
		free(entries);
	return 0;
fail:
	if (entries != idx)
		free(entries);
	return -1;
}

static int
hist_cmp(const void *a, const void *b)
{
	const struct hist_item *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void
print_history(struct cli_in *in, const char *key, struct buf *out)
{
	struct td *t = &in->td;
	struct hist h = { 0 };
	struct err e;

	if (t->form == TD_FLAT) {
		/* A flat record has no history: its value, if any, with no SHA or time. */
		const struct td_val *v = td_get(t, key, strlen(key));
		buf_addc(out, '[');
		if (v != NULL) {
			buf_adds(out, "{\"sha\": null, \"timestamp\": null, \"value\": ");
			json_encode(out, v->doc, v->idx, 0);
			buf_addc(out, '}');
		}
		buf_add(out, "]\n", 2);
		return;
	}
	if (collect_history(&h, &t->doc, t->root, key, strlen(key), &e) == -1) {
		free(h.items);
		cli_in_fail(in, &e);
	}
	if (h.n > 1)
		qsort(h.items, h.n, sizeof *h.items, hist_cmp);
	buf_addc(out, '[');
	for (size_t i = 0; i < h.n; i++) {
		struct hist_item *it = &h.items[i];
		if (i)
			buf_add(out, ", ", 2);
		buf_adds(out, "{\"sha\": ");
		json_encode_str(out, it->sha, it->sha_len);
		buf_adds(out, ", \"timestamp\": ");
		json_encode(out, it->doc, it->timestamp, 0);
		buf_adds(out, ", \"value\": ");
		if (it->nested_sha != NULL)
			json_encode_str(out, it->nested_sha, it->nested_sha_len);
		else
			json_encode(out, it->doc, it->value, 0);
		buf_addc(out, '}');
	}
	buf_add(out, "]\n", 2);
	free(h.items);
}

/* The --csv columns, split at commas. */
struct columns {
	char *text;
	char **names;
	size_t n;
};

static void
split_columns(struct columns *cols, const char *arg)
{
	char *p;

	cols->text = xstrdup(arg);
	for (p = cols->text;;) {
		char *comma = strchr(p, ',');
		cols->names = xrealloc(cols->names, (cols->n + 1) * sizeof *cols->names);
		cols->names[cols->n++] = p;
		if (comma == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	for (size_t i = 0; i < cols->n; i++)
		if (cols->names[i][0] == '\0')
			cli_die(EX_USAGE, "--csv: empty column name in '%s'", arg);
}

static void
print_csv_row(struct csvw *w, struct td *t, const struct columns *cols, struct buf *cell)
{
	for (size_t i = 0; i < cols->n; i++) {
		const struct td_val *v = td_get(t, cols->names[i], strlen(cols->names[i]));
		if (v == NULL || v->doc->nodes[v->idx].type == JV_NULL) {
			csvw_null(w);
			continue;
		}
		cell->len = 0;
		json_python_str(cell, v->doc, v->idx);
		csvw_field(w, cell->p ? cell->p : "", cell->len);
	}
	csvw_end_row(w);
}

int
main(int argc, char **argv)
{
	enum { AS_INPUT, AS_FLAT, AS_TRACED } form = AS_INPUT;
	const char *history = NULL, *user = NULL;
	struct columns cols = { 0 };
	struct csvw csv;
	size_t max_record = 0;
	int verify = 0, quiet = 0, skip_bad = 0, c;
	struct cli_in in;
	struct buf out = { 0 };
	struct td_meta meta;
	struct err e;

	cli_init("td-cat");
	while ((c = getopt_long(argc, argv, "ftu:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			form = AS_FLAT;
			break;
		case 't':
			form = AS_TRACED;
			break;
		case 'u':
			user = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_VERIFY:
			verify = 1;
			break;
		case OPT_HISTORY:
			history = optarg;
			break;
		case OPT_CSV:
			if (cols.n)
				cli_die(EX_USAGE, "--csv given twice");
			split_columns(&cols, optarg);
			break;
		case CLI_OPT_MAX_RECORD:
			max_record = cli_max_record_arg(optarg);
			break;
		case CLI_OPT_SKIP_BAD:
			skip_bad = 1;
			break;
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if ((history != NULL || cols.n) && form != AS_INPUT)
		cli_die(EX_USAGE, "--history and --csv cannot be combined with --flat or --traced");
	if (history != NULL && cols.n)
		cli_die(EX_USAGE, "--history and --csv cannot be combined");
	if (cols.n) {
		csvw_init(&csv, stdout);
		csvw_row(&csv, (const char *const *)cols.names, cols.n);
	}
	meta.user = cli_user(user);
	meta.source = cli_source();
	meta.timestamp = cli_now();
	cli_in_init(&in, argc - optind, argv + optind, max_record, skip_bad);
	while (cli_in_next(&in)) {
		struct td *t = &in.td;
		if (verify && td_verify(t, &e) == -1) {
			if (quiet) {
				cli_in_done(&in);
				buf_free(&out);
				exit(EX_DATAERR);
			}
			cli_in_fail(&in, &e);
		}
		out.len = 0;
		if (cols.n) {
			print_csv_row(&csv, t, &cols, &out);
			continue;
		}
		if (history != NULL)
			print_history(&in, history, &out);
		else if (verify && quiet)
			continue;
		else if (form == AS_INPUT)
			td_write(t, &out, t->form, &meta);
		else
			td_write(t, &out, form == AS_FLAT ? TD_FLAT : TD_TRACED, &meta);
		cli_out(&out);
	}
	cli_in_done(&in);
	buf_free(&out);
	free(cols.names);
	free(cols.text);
	cli_exit(0);
}
