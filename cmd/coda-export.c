/* coda-export: one Coda V2 messages file per coding plan, as export_traced_data_iterable_to_coda_2 writes it
 * (pipeline.md §5.4.3, coredata.md §4.2). A sink: it writes files into --outdir, not records to stdout. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "coding/label.h"
#include "config/config.h"
#include "config/plan.h"
#include "pipeline.h"
#include "records.h"
#include "util/atomic.h"
#include "util/isotime.h"
#include "util/strmap.h"

static const char usage[] =
    "coda-export [-qv] (-c CONFIG [-p PLANS] | -p PLANS) [-s DIR] -d DIR [--tee] [--max-record SIZE] "
    "[--skip-bad] [file ...]";

static const char help[] =
    "usage: coda-export [-qv] (-c CONFIG [-p PLANS] | -p PLANS) [-s DIR] -d DIR [--tee] [--max-record SIZE]\n"
    "                   [--skip-bad] [file ...]\n"
    "Write one Coda V2 messages file per coding plan with a Coda file name, into DIR, as the reference's\n"
    "export_traced_data_iterable_to_coda_2: messages whose raw text is not empty, one per message id (the\n"
    "oldest), oldest first, with the labels of the plan's coding configurations that are not NC. Messages\n"
    "sharing an id must carry the same codes. Every file is written, even with no message ([]); each appears\n"
    "whole, and none is replaced unless all of them could be written.\n"
    "\n"
    "  -c, --config FILE    the pipeline configuration (for its CodingPlans and CodeSchemesDir)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "  -d, --outdir DIR     where the Coda files go (created if missing)\n"
    "      --tee            also copy the records, unchanged, to standard output\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print the messages written per file on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record or inconsistent coding, 66 input missing,\n"
    "73 cannot create an output file, 74 I/O error, 78 bad configuration.\n";

enum { OPT_VERSION = 2000, OPT_TEE };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "outdir", required_argument, NULL, 'd' },
	{ "tee", no_argument, NULL, OPT_TEE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

#define KEY(s) (s), strlen(s)

/*
 * One exported message: the record kept for its id (the oldest, ties to the earliest in the input), and the
 * codes of the first record seen with that id, which every later one must repeat. The id is the strmap key.
 */
struct coda_msg {
	char *text;
	size_t text_len;
	int64_t usec;		/* the kept record's time, as an instant */
	uint64_t seq;		/* its position in the input: ties in time keep input order */
	char *labels;		/* the kept record's labels, canonical JSON objects joined by ", " (in label_pool) */
	size_t labels_len;
	char *codes;		/* the first record's code signature (see add_codes) */
	size_t codes_len;
	int first_file;		/* where that first record was, for the message about a mismatch */
	unsigned long first_line;
	size_t id_entry;	/* its id: the strmap entry (entries stay in insertion order) */
};

struct coda_plan {
	const struct coding_plan *plan;
	struct strmap ids;	/* message id -> index in msgs */
	struct strmap label_pool;	/* each distinct labels text once: most messages share theirs */
	struct coda_msg *msgs;
	size_t n, cap;
	unsigned long records;	/* records with a non-empty raw text */
	/* The current record's candidate (filled for every plan before any plan takes it). */
	int has;
	const char *id, *text;
	size_t id_len, text_len;
	int64_t usec;
	struct buf codes, labels;
	struct atomic_file af;
};

/*
 * The code signature of one coded field, as _assert_uniquely_coded compares them: absent, the CodeID of a
 * label, or the set of CodeIDs of a list. Each is a tag byte, a length and the bytes (a set is sorted and
 * deduplicated), so that signatures compare with memcmp and a mismatch can be traced to its coded field.
 */
enum { SIG_ABSENT = 'a', SIG_LABEL = 'l', SIG_SET = 's' };

static void
sig_add(struct buf *b, char tag, const char *s, size_t n)
{
	uint32_t len = (uint32_t)n;

	buf_addc(b, tag);
	buf_add(b, &len, sizeof len);
	buf_add(b, s, n);
}

/* The next field's signature in s[*off..n): its extent. */
static void
sig_next(const char *s, size_t *off, size_t *len)
{
	uint32_t l;

	memcpy(&l, s + *off + 1, sizeof l);
	*len = 1 + sizeof l + l;
	*off += *len;
}

struct code_ref {
	const char *p;
	size_t n;
};

static int
code_ref_cmp(const void *a, const void *b)
{
	const struct code_ref *x = a, *y = b;
	size_t n = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->n > y->n) - (x->n < y->n);
}

static int
is_nonempty_str(struct json_doc *d, uint32_t v)
{
	return v != 0 && d->nodes[v].type == JV_STRING && d->nodes[v].len > 0;
}

/* A string member that Coda requires: present, a string, not empty. */
static int
need_str(struct json_doc *d, uint32_t obj, const char *key, const char *where, struct err *e)
{
	if (!is_nonempty_str(d, json_get(d, obj, KEY(key))))
		return err_set(e, EX_DATAERR, "%s: not a Coda label: %s is missing, empty or not a string", where, key);
	return 0;
}

/*
 * Append a label as Label.from_firebase_map(...).to_firebase_map() makes it: the known keys only, optional
 * ones left out when null, after the checks its validate() makes (coredata.md §5.4–5.5).
 */
static int
add_label(struct buf *out, struct json_doc *d, uint32_t lab, const char *field, struct err *e)
{
	static const char *const strs[] = { "CodeID", "DateTimeUTC", "SchemeID" };
	static const char *const origin_strs[] = { "Name", "OriginID", "OriginType" };
	uint32_t v, origin, meta;
	const char *s;
	size_t n;
	struct isotime t;

	for (size_t i = 0; i < 3; i++)
		if (need_str(d, lab, strs[i], field, e) == -1)
			return -1;
	s = json_str(d, json_get(d, lab, KEY("DateTimeUTC")), &n);
	if (iso_parse(s, n, &t, e) == -1 || !((n >= 1 && s[n - 1] == 'Z') ||
	    (n >= 6 && memcmp(s + n - 6, "+00:00", 6) == 0)))
		return err_set(e, EX_DATAERR, "%s: not a Coda label: DateTimeUTC is not a UTC ISO-8601 date-time "
		    "(expected one ending in Z or +00:00)", field);
	origin = json_get(d, lab, KEY("Origin"));
	if (origin == 0 || d->nodes[origin].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "%s: not a Coda label: Origin is missing or not an object", field);
	for (size_t i = 0; i < 3; i++)
		if (need_str(d, origin, origin_strs[i], field, e) == -1)
			return err_prefix(e, "Origin");
	meta = json_get(d, origin, KEY("Metadata"));
	if (meta != 0 && d->nodes[meta].type != JV_NULL) {
		if (d->nodes[meta].type != JV_OBJECT)
			return err_set(e, EX_DATAERR, "%s: not a Coda label: Origin.Metadata is not an object", field);
		for (uint32_t k = meta + 1; k < d->nodes[meta].next; k = d->nodes[k + 1].next)
			if (d->nodes[k].len == 0 || !is_nonempty_str(d, k + 1))
				return err_set(e, EX_DATAERR, "%s: not a Coda label: Origin.Metadata holds an empty key "
				    "or a value that is not a non-empty string", field);
	}

	buf_addc(out, '{');
	v = json_get(d, lab, KEY("Checked"));
	if (v != 0 && d->nodes[v].type != JV_NULL) {
		if (d->nodes[v].type != JV_TRUE && d->nodes[v].type != JV_FALSE)
			return err_set(e, EX_DATAERR, "%s: not a Coda label: Checked is not a boolean", field);
		buf_adds(out, "\"Checked\": ");
		json_encode(out, d, v, 0);
		buf_adds(out, ", ");
	}
	buf_adds(out, "\"CodeID\": ");
	json_encode(out, d, json_get(d, lab, KEY("CodeID")), 0);
	v = json_get(d, lab, KEY("Confidence"));
	if (v != 0 && d->nodes[v].type != JV_NULL) {
		char num[64];
		double c;
		if (d->nodes[v].type != JV_INT && d->nodes[v].type != JV_FLOAT)
			return err_set(e, EX_DATAERR, "%s: not a Coda label: Confidence is not a number", field);
		n = d->nodes[v].len < sizeof num ? d->nodes[v].len : sizeof num - 1;
		memcpy(num, d->nodes[v].p, n);
		num[n] = '\0';
		c = strtod(num, NULL);
		if (!(c >= 0 && c <= 1))
			return err_set(e, EX_DATAERR, "%s: not a Coda label: Confidence %s is not in [0, 1]", field, num);
		buf_adds(out, ", \"Confidence\": ");
		json_encode(out, d, v, 0);
	}
	buf_adds(out, ", \"DateTimeUTC\": ");
	json_encode(out, d, json_get(d, lab, KEY("DateTimeUTC")), 0);
	v = json_get(d, lab, KEY("LabelSet"));
	if (v != 0 && d->nodes[v].type != JV_NULL) {
		if (d->nodes[v].type != JV_INT)
			return err_set(e, EX_DATAERR, "%s: not a Coda label: LabelSet is not an integer", field);
		buf_adds(out, ", \"LabelSet\": ");
		json_encode(out, d, v, 0);
	}
	buf_adds(out, ", \"Origin\": {");
	if (meta != 0 && d->nodes[meta].type != JV_NULL) {
		buf_adds(out, "\"Metadata\": ");
		json_encode(out, d, meta, 0);
		buf_adds(out, ", ");
	}
	for (size_t i = 0; i < 3; i++) {
		if (i)
			buf_adds(out, ", ");
		json_encode_str(out, origin_strs[i], strlen(origin_strs[i]));
		buf_adds(out, ": ");
		json_encode(out, d, json_get(d, origin, KEY(origin_strs[i])), 0);
	}
	buf_adds(out, "}, \"SchemeID\": ");
	json_encode(out, d, json_get(d, lab, KEY("SchemeID")), 0);
	buf_addc(out, '}');
	return 0;
}

/*
 * The codes and labels of one coded field of the current record: its signature for the consistency check, and
 * its label for the export unless the code is NC. A list (multi-coded: the reference never has one at this
 * point) counts in the check as the set of its CodeIDs and is not exported.
 */
static int
add_codes(struct coda_plan *cp, struct td *t, const struct coding_config *cc, struct err *e)
{
	const struct td_val *v = td_get(t, KEY(cc->coded_field));
	struct json_doc *d;
	struct label_view lv;
	const struct code *code;

	if (v == NULL) {
		sig_add(&cp->codes, SIG_ABSENT, NULL, 0);
		return 0;
	}
	d = v->doc;
	if (d->nodes[v->idx].type == JV_ARRAY) {
		const struct json_node *arr = &d->nodes[v->idx];
		struct code_ref *refs = xcalloc(arr->count + 1, sizeof *refs);
		struct buf set = { 0 };
		size_t n = 0;
		for (uint32_t c = v->idx + 1; c < arr->next; c = d->nodes[c].next) {
			if (label_read(d, c, &lv) == -1) {
				free(refs);
				return err_set(e, EX_DATAERR, "\"%s\": a list holding something other than Coda labels "
				    "(expected objects with SchemeID and CodeID)", cc->coded_field);
			}
			refs[n].p = lv.code_id;
			refs[n++].n = lv.code_id_len;
		}
		qsort(refs, n, sizeof *refs, code_ref_cmp);
		for (size_t i = 0; i < n; i++) {
			if (i > 0 && code_ref_cmp(&refs[i - 1], &refs[i]) == 0)
				continue;
			uint32_t len = (uint32_t)refs[i].n;
			buf_add(&set, &len, sizeof len);
			buf_add(&set, refs[i].p, refs[i].n);
		}
		sig_add(&cp->codes, SIG_SET, set.p, set.len);
		buf_free(&set);
		free(refs);
		return 0;
	}
	if (label_read(d, v->idx, &lv) == -1)
		return err_set(e, EX_DATAERR, "\"%s\": not a Coda label (expected an object with SchemeID and CodeID)",
		    cc->coded_field);
	sig_add(&cp->codes, SIG_LABEL, lv.code_id, lv.code_id_len);
	if ((code = label_code(cc->code_scheme, &lv)) == NULL)
		return err_set(e, EX_DATAERR, "\"%s\": code id '%.*s' is not in scheme %s (%s)", cc->coded_field,
		    (int)lv.code_id_len, lv.code_id, cc->code_scheme->scheme_id, cc->code_scheme->path);
	/* As the reference: NC ("not coded") labels are left for the coders; NR, NA and the rest go out. */
	if (code->control_code != NULL && strcmp(code->control_code, "NC") == 0)
		return 0;
	if (cp->labels.len > 0)
		buf_adds(&cp->labels, ", ");
	return add_label(&cp->labels, d, v->idx, cc->coded_field, e);
}

/* Take what plan cp needs from the current record, without changing any plan's state yet. */
static int
read_candidate(struct coda_plan *cp, struct td *t, struct err *e)
{
	const struct coding_plan *p = cp->plan;
	const struct td_val *raw = td_get(t, KEY(p->raw_field));
	const struct td_val *id;
	struct json_doc *d;
	const char *when;
	size_t when_len;
	struct isotime it;

	cp->has = 0;
	if (raw == NULL)
		return 0;
	/* Every record with the raw field has its message id, even an empty text (pipeline.md §5.4.3 step 1). */
	id = td_get(t, KEY(p->id_field));
	if (id == NULL)
		return err_set(e, EX_DATAERR, "\"%s\" is set but its message id \"%s\" is missing "
		    "(run td-autocode first: it sets the Coda message ids)", p->raw_field, p->id_field);
	d = raw->doc;
	if (d->nodes[raw->idx].type == JV_STRING && d->nodes[raw->idx].len == 0)
		return 0;		/* td.get(raw_field, "") != "": empty texts are never exported */
	if (d->nodes[raw->idx].type != JV_STRING)
		return err_set(e, EX_DATAERR, "\"%s\" is not a string (a Coda message text must be)", p->raw_field);
	if (!is_nonempty_str(id->doc, id->idx))
		return err_set(e, EX_DATAERR, "message id \"%s\" is not a non-empty string", p->id_field);
	cp->text = json_str(d, raw->idx, &cp->text_len);
	cp->id = json_str(id->doc, id->idx, &cp->id_len);
	if ((when = td_get_str(t, KEY(p->time_field), &when_len)) == NULL)
		return err_set(e, EX_DATAERR, "time \"%s\" of \"%s\" is missing or not a string", p->time_field,
		    p->raw_field);
	if (iso_parse(when, when_len, &it, e) == -1)
		return err_prefix(e, "\"%s\"", p->time_field);
	/* A naive time is read as UTC, the zone of the reference's container. */
	cp->usec = it.usec;
	cp->codes.len = 0;
	cp->labels.len = 0;
	for (size_t i = 0; i < p->n_ccs; i++)
		if (add_codes(cp, t, &p->ccs[i], e) == -1)
			return -1;
	cp->has = 1;
	return 0;
}

static char *
dup_bytes(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static const char *
file_name(const struct cli_in *in, int i)
{
	return in->nfiles == 0 || strcmp(in->files[i], "-") == 0 ? "<stdin>" : in->files[i];
}

/* The pool's copy of the current record's labels text. */
static char *
pooled_labels(struct coda_plan *cp)
{
	int created;

	return strmap_put(&cp->label_pool, cp->labels.p ? cp->labels.p : "", cp->labels.len, 0, &created)->key;
}

/* _assert_uniquely_coded and _filter_duplicates, one record at a time. */
static int
take_candidate(struct coda_plan *cp, struct cli_in *in, uint64_t seq, struct err *e)
{
	struct strmap_entry *ent;
	struct coda_msg *m;
	int created;

	cp->records++;
	ent = strmap_put(&cp->ids, cp->id, cp->id_len, cp->n, &created);
	if (created) {
		if (cp->n == cp->cap) {
			cp->cap = cp->cap ? cp->cap * 2 : 256;
			cp->msgs = xrealloc(cp->msgs, cp->cap * sizeof *cp->msgs);
		}
		m = &cp->msgs[cp->n++];
		m->text = dup_bytes(cp->text, cp->text_len);
		m->text_len = cp->text_len;
		m->usec = cp->usec;
		m->seq = seq;
		m->labels = pooled_labels(cp);
		m->labels_len = cp->labels.len;
		m->codes = dup_bytes(cp->codes.p, cp->codes.len);
		m->codes_len = cp->codes.len;
		m->first_file = in->cur - 1;
		m->first_line = in->r.line;
		m->id_entry = (size_t)(ent - cp->ids.entries);
		return 0;
	}
	m = &cp->msgs[ent->value];
	if (m->codes_len != cp->codes.len || (m->codes_len > 0 && memcmp(m->codes, cp->codes.p, m->codes_len) != 0)) {
		/* Name the first coded field that differs; never the text, which may hold personal data. */
		size_t a = 0, b = 0, alen, blen, i;
		for (i = 0; i < cp->plan->n_ccs; i++) {
			size_t a0 = a, b0 = b;
			sig_next(m->codes, &a, &alen);
			sig_next(cp->codes.p, &b, &blen);
			if (alen != blen || memcmp(m->codes + a0, cp->codes.p + b0, alen) != 0)
				break;
		}
		return err_set(e, EX_DATAERR, "messages with the same id (%.*s) have different labels for coded key "
		    "'%s' (this record and %s:%lu; expected the same codes for every message with one id)",
		    (int)cp->id_len, cp->id, cp->plan->ccs[i < cp->plan->n_ccs ? i : 0].coded_field,
		    file_name(in, m->first_file), m->first_line);
	}
	if (cp->usec < m->usec) {
		/* An older record with this id: it is the one exported. */
		free(m->text);
		m->text = dup_bytes(cp->text, cp->text_len);
		m->text_len = cp->text_len;
		m->labels = pooled_labels(cp);
		m->labels_len = cp->labels.len;
		m->usec = cp->usec;
		m->seq = seq;
	}
	return 0;
}

static int
msg_cmp(const void *a, const void *b)
{
	const struct coda_msg *x = a, *y = b;

	if (x->usec != y->usec)
		return x->usec < y->usec ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * The messages of one plan as json.dump(..., sort_keys=True, indent=2, separators=(", ", ": ")) writes them.
 * Each message is encoded on its own at indent 2, then moved one level in: the same bytes as the whole list
 * encoded at once, without holding it. No final newline; no message is "[]".
 */
static int
write_messages(struct coda_plan *cp, FILE *fp, struct err *e)
{
	struct json_doc doc = { 0 };
	struct buf msg = { 0 }, enc = { 0 };
	uint32_t root;
	int rc = 0;

	if (cp->n == 0) {
		fputs("[]", fp);
		return 0;
	}
	qsort(cp->msgs, cp->n, sizeof *cp->msgs, msg_cmp);
	fputc('[', fp);
	for (size_t i = 0; i < cp->n; i++) {
		const struct coda_msg *m = &cp->msgs[i];
		const struct strmap_entry *id = &cp->ids.entries[m->id_entry];
		char iso[48];
		size_t isolen = iso_format_utc(m->usec, iso, sizeof iso);

		msg.len = 0;
		buf_adds(&msg, "{\"CreationDateTimeUTC\": ");
		json_encode_str(&msg, iso, isolen);
		buf_adds(&msg, ", \"Labels\": [");
		buf_add(&msg, m->labels, m->labels_len);
		buf_adds(&msg, "], \"MessageID\": ");
		json_encode_str(&msg, id->key, id->klen);
		buf_adds(&msg, ", \"Text\": ");
		json_encode_str(&msg, m->text, m->text_len);
		buf_addc(&msg, '}');
		json_reset(&doc);
		if (json_parse(&doc, msg.p, msg.len, &root, e) == -1) {
			rc = err_prefix(e, "message %s", id->key);	/* cannot happen: we encoded it */
			break;
		}
		enc.len = 0;
		json_encode(&enc, &doc, root, 2);
		fputs(i ? ", \n  " : "\n  ", fp);
		for (size_t k = 0; k < enc.len; k++) {
			fputc(enc.p[k], fp);
			if (enc.p[k] == '\n')
				fputs("  ", fp);
		}
	}
	fputs("\n]", fp);
	json_free(&doc);
	buf_free(&msg);
	buf_free(&enc);
	return rc;
}

static void
coda_plan_free(struct coda_plan *cp)
{
	for (size_t i = 0; i < cp->n; i++) {
		free(cp->msgs[i].text);
		free(cp->msgs[i].codes);
	}
	free(cp->msgs);
	strmap_free(&cp->ids);
	strmap_free(&cp->label_pool);
	buf_free(&cp->codes);
	buf_free(&cp->labels);
}

static void
abort_all(struct coda_plan *cps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cps[i].af.path != NULL)
			atomic_abort(&cps[i].af);
}

/*
 * Write every file beside its final name, sync them all, and only then rename them into place: a run that
 * fails (bad data, a full disk, a directory in the way) replaces none of the previous files.
 */
static void
write_all(struct coda_plan *cps, size_t n, const char *outdir, int verbose)
{
	struct err e;
	struct stat st;
	size_t i;

	if (atomic_mkdirs(outdir, &e) == -1)
		cli_fail(&e);
	for (i = 0; i < n; i++) {
		char *path = cj_path_join(outdir, cps[i].plan->coda_filename);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			abort_all(cps, i);
			cli_die(EX_CANTCREAT, "%s: cannot replace: is a directory", path);
		}
		if (atomic_open(&cps[i].af, path, &e) == -1) {
			free(path);
			abort_all(cps, i);
			e.code = EX_CANTCREAT;
			cli_fail(&e);
		}
		free(path);
	}
	for (i = 0; i < n; i++) {
		FILE *fp = cps[i].af.fp;
		if (write_messages(&cps[i], fp, &e) == -1) {
			abort_all(cps, n);
			cli_fail(&e);
		}
		if (fflush(fp) == EOF || ferror(fp) || fsync(fileno(fp)) == -1) {
			err_set(&e, EX_IOERR, "%s: write error: %s", cps[i].af.path, strerror(errno));
			abort_all(cps, n);
			cli_fail(&e);
		}
	}
	for (i = 0; i < n; i++) {
		if (verbose)
			cli_warn("%s: %zu message%s (%lu record%s)", cps[i].af.path, cps[i].n, cps[i].n == 1 ? "" : "s",
			    cps[i].records, cps[i].records == 1 ? "" : "s");
		if (atomic_commit(&cps[i].af, &e) == -1) {
			abort_all(cps + i + 1, n - i - 1);
			cli_fail(&e);
		}
	}
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *outdir = NULL;
	struct cli_pipeline pl;
	struct coda_plan *cps;
	size_t max_record = 0, n_all, n_cps = 0;
	const struct coding_plan *all;
	int quiet = 0, verbose = 0, skip_bad = 0, tee = 0, c;
	uint64_t seq = 0;
	struct cli_in in;
	struct err e;

	cli_init("coda-export");
	while ((c = getopt_long(argc, argv, "c:p:s:d:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			plans_path = optarg;
			break;
		case 's':
			schemes = optarg;
			break;
		case 'd':
			outdir = optarg;
			break;
		case OPT_TEE:
			tee = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
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
	if (outdir == NULL || *outdir == '\0')
		cli_die(EX_USAGE, "no output directory: give -d DIR");
	if (config_path == NULL && plans_path == NULL)
		cli_die(EX_USAGE, "no coding plans: give -c CONFIG or -p PLANS");
	cli_pipeline_load(&pl, config_path, plans_path, schemes, 0);

	/* The plans with a Coda file, in RQA + survey order (auto_code.py:85-104). */
	all = plans_all(&pl.plans, &n_all);
	cps = xcalloc(n_all + 1, sizeof *cps);
	for (size_t i = 0; i < n_all; i++) {
		if (all[i].coda_filename == NULL)
			continue;
		if (all[i].time_field == NULL)
			cli_die(EX_CONFIG, "%s: the plan of \"%s\" has a Coda file (%s) but no TimeField "
			    "(expected the key of the message time, which orders and dates the messages)",
			    pl.plans.path, all[i].raw_field, all[i].coda_filename);
		cps[n_cps].plan = &all[i];
		cps[n_cps].af.slot = -1;
		n_cps++;
	}

	cli_in_init(&in, argc - optind, argv + optind, max_record, skip_bad);
	while (cli_in_next(&in)) {
		size_t i;
		for (i = 0; i < n_cps; i++)
			if (read_candidate(&cps[i], &in.td, &e) == -1)
				break;
		if (i < n_cps) {
			if (!skip_bad)
				cli_in_fail(&in, &e);
			in.skipped++;
			cli_warn("%s: %s (skipped)", cli_in_where(&in), e.msg);
			continue;
		}
		for (i = 0; i < n_cps; i++)
			if (cps[i].has && take_candidate(&cps[i], &in, seq, &e) == -1)
				cli_in_fail(&in, &e);
		seq++;
		if (tee) {
			fwrite(in.td.line, 1, in.td.len, stdout);
			putchar('\n');
		}
	}
	write_all(cps, n_cps, outdir, verbose && !quiet);
	if (verbose && !quiet)
		cli_warn("%lu records, %zu Coda file%s", in.records, n_cps, n_cps == 1 ? "" : "s");
	cli_in_done(&in);
	for (size_t i = 0; i < n_cps; i++)
		coda_plan_free(&cps[i]);
	free(cps);
	cli_pipeline_free(&pl);
	cli_exit(0);
}
