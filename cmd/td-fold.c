/* td-fold: one record per participant, folding their messages with the plans' fold strategies (pipeline.md §5.8). */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"
#include "coding/label.h"
#include "config/config.h"
#include "config/plan.h"
#include "record/sha.h"
#include "pipeline.h"
#include "records.h"
#include "util/spool.h"
#include "util/strmap.h"

static const char usage[] =
    "td-fold [-qv] -c CONFIG [-p PLANS] [-s DIR] [-u USER] [--max-record SIZE] [--skip-bad] [file ...]";

static const char help[] =
    "usage: td-fold [-qv] -c CONFIG [-p PLANS] [-s DIR] [-u USER] [--max-record SIZE] [--skip-bad] [file ...]\n"
    "Fold the messages of each participant (uid) into one record, as the reference's analysis file does: uid\n"
    "(assert_equal), consent_withdrawn (boolean_or), the coded fields of the coding configurations that have an\n"
    "analysis key and go into the individuals file, and every plan's raw field, each with its fold strategy.\n"
    "A participant with one message keeps every key. Participants come out in order of first appearance, each\n"
    "as one history entry holding the folded values and _FoldedTracedDataSHAs (the members' newest SHAs).\n"
    "Standard input and pipes are spooled to an unlinked file in $TMPDIR.\n"
    "\n"
    "  -c, --config FILE    pipeline configuration (locates the coding plans)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "  -u, --user USER      Metadata.User of the entries made (default $TD_USER, $USER@host)\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records and records that cannot be folded (counted on stderr)\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print counts on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record or values that do not fold, 66 input missing,\n"
    "73 cannot create the spool file, 74 I/O error, 78 bad configuration.\n";

enum { OPT_VERSION = 2000 };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "user", required_argument, NULL, 'u' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

#define KEY(s) (s), strlen(s)
#define FOLDED_SHAS_KEY "_FoldedTracedDataSHAs"

/* One entry of the reference's fold_strategies OrderedDict. */
struct strategy {
	const char *key;
	size_t klen;
	enum fold_strategy fold;
	const struct code_scheme *scheme;	/* list_of_labels and engagement_type fold with a scheme */
};

/* A folded value: bytes [off, off+len) of the group's text, canonical JSON; len 0 is None (absent). */
struct value {
	uint32_t off, len;
};

/*
 * A participant: the folded values so far (never a whole record). While it has one member, where that record is,
 * since a group of one keeps every key (CoreDataModules' fold returns it unchanged).
 */
struct group {
	char *text;
	size_t text_len;
	struct value *vals;		/* one per strategy */
	struct buf shas;		/* the members' SHAs as JSON strings, ", "-separated, in fold order */
	/*
	 * Spilled (text, vals and shas NULL): the three are in f->spill at spill_off, as vals, the length of shas
	 * (a uint64_t), shas, then text. Memory stays bounded by FOLD_MEMORY however many participants there are.
	 */
	uint64_t spill_off;
	int spilled;
	size_t n_members;
	int traced;			/* some member was a traced record */
	uint32_t input;			/* the first member's input, offset and length */
	uint64_t offset;
	size_t len;
};

/* The participants' folded values held in memory before they are all spilled to a temporary file. */
#define FOLD_MEMORY ((size_t)64 << 20)

struct input {
	char *name;
	int fd;				/* a regular file, or the spool of a pipe */
};

struct folder {
	struct strategy *strats;
	size_t n_strats;
	struct strmap uids;		/* uid as canonical JSON -> group index */
	struct group *groups;
	size_t n_groups, cap_groups;
	struct input *inputs;
	size_t n_inputs;
	size_t max_record;
	int skip_bad, quiet, verbose;
	unsigned long records, skipped;
	/* scratch */
	struct td td;
	struct json_doc acc;		/* the group's folded values, parsed */
	struct buf text;		/* the new folded values */
	struct value *next;
	struct buf uid, tmp, tmp2;
	struct label_origin origin;
	const char *now;
	/* spilling */
	size_t in_memory;		/* bytes of text, vals and shas held by the groups */
	int spill;			/* the spill file, or -1 before the first spill */
	uint64_t spill_end;
	struct buf blob;
};

/* ---- the fold strategy table ---- */

static void
add_strategy(struct folder *f, const char *key, enum fold_strategy fold, const struct code_scheme *scheme)
{
	/* OrderedDict: assigning a key again keeps its place and replaces its strategy. */
	for (size_t i = 0; i < f->n_strats; i++) {
		if (strcmp(f->strats[i].key, key) == 0) {
			f->strats[i].fold = fold;
			f->strats[i].scheme = scheme;
			return;
		}
	}
	f->strats = xrealloc(f->strats, (f->n_strats + 1) * sizeof *f->strats);
	f->strats[f->n_strats].key = key;
	f->strats[f->n_strats].klen = strlen(key);
	f->strats[f->n_strats].fold = fold;
	f->strats[f->n_strats].scheme = scheme;
	f->n_strats++;
}

/* AnalysisFile.generate's fold_strategies (src/analysis_file.py:88-114). */
static void
build_strategies(struct folder *f, const struct coding_plans *plans)
{
	size_t n;
	const struct coding_plan *all = plans_all(plans, &n);

	add_strategy(f, "uid", FOLD_ASSERT_EQUAL, NULL);
	add_strategy(f, "consent_withdrawn", FOLD_BOOLEAN_OR, NULL);
	for (size_t p = 0; p < n; p++) {
		for (size_t k = 0; k < all[p].n_ccs; k++) {
			const struct coding_config *cc = &all[p].ccs[k];
			if (cc->analysis_file_key == NULL)
				continue;
			if (cc->include_in_individuals_file)
				add_strategy(f, cc->coded_field, cc->fold_strategy, cc->code_scheme);
		}
		add_strategy(f, all[p].raw_field, all[p].raw_field_fold_strategy, NULL);
	}
}

/* ---- fold strategies (CoreDataModules FoldStrategies, IBTCI fold_engagement_type) ---- */

/* A value given to a strategy: td.get(key), so an absent key and a null are both None (d == NULL). */
struct val {
	struct json_doc *d;
	uint32_t i;
};

static int
is_str(struct val v, const char *s)
{
	return v.d != NULL && v.d->nodes[v.i].type == JV_STRING && json_str_eq(v.d, v.i, s, strlen(s));
}

static int
is_one_of(struct val v, const char *const *set)
{
	for (; *set != NULL; set++)
		if (is_str(v, *set))
			return 1;
	return 0;
}

/* Codes.CONTROL_CODES, in control_code_by_precedence's order (highest first). */
static const char *const control_precedence[] = {
	"STOP", "CE", "NR", "NIC", "NC", "DELETED", "NA", "NS", "WS", "NOC", NULL
};

static int
precedence(struct val v)
{
	for (int k = 0; control_precedence[k] != NULL; k++)
		if (is_str(v, control_precedence[k]))
			return k;
	return -1;
}

static void
emit(struct buf *out, struct val v)
{
	json_encode(out, v.d, v.i, 0);
}

static void
emit_str(struct buf *out, const char *s)
{
	json_encode_str(out, s, strlen(s));
}

/* The code a label names: label["CodeID"] looked up with get_code_with_code_id. */
static int
label_code_of(const struct strategy *s, struct json_doc *d, uint32_t i, const struct code **code, struct err *e)
{
	struct label_view l;

	if (d->nodes[i].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "expected a label (a JSON object)");
	label_read(d, i, &l);
	if (l.code_id == NULL)
		return err_set(e, EX_DATAERR, "a label without a CodeID");
	if ((*code = label_code(s->scheme, &l)) == NULL)
		return err_set(e, EX_DATAERR, "code id '%.*s' is not in code scheme %s (%s)", (int)l.code_id_len,
		    l.code_id, s->scheme->scheme_id, s->scheme->path);
	return 0;
}

static int
control_is(const struct code *c, const char *control)
{
	return c->control_code != NULL && strcmp(c->control_code, control) == 0;
}

/* list_of_labels: both lists non-empty, of the scheme; NA alone; union by CodeID without NC unless only NC. */
static int
fold_list_of_labels(const struct strategy *s, struct val x, struct val y, struct buf *out, struct err *e)
{
	struct val side[2] = { x, y };
	const struct code *code;
	int only_na[2];
	uint32_t nc_node = 0;
	struct json_doc *nc_doc = NULL;
	size_t n_union = 0, cap = 16;
	struct { struct json_doc *d; uint32_t i; const char *code_id; } *u;

	for (int k = 0; k < 2; k++) {
		struct val v = side[k];
		if (v.d == NULL || v.d->nodes[v.i].type != JV_ARRAY)
			return err_set(e, EX_DATAERR, "expected a list of labels on both sides, found %s",
			    v.d == NULL ? "none" : "another value");
		if (v.d->nodes[v.i].count == 0)
			return err_set(e, EX_DATAERR, "an empty list of labels (expected at least one)");
	}
	for (int k = 0; k < 2; k++) {
		struct json_doc *d = side[k].d;
		for (uint32_t c = side[k].i + 1; c < d->nodes[side[k].i].next; c = d->nodes[c].next) {
			uint32_t sid = d->nodes[c].type == JV_OBJECT ? json_get(d, c, "SchemeID", 8) : 0;
			if (d->nodes[c].type != JV_OBJECT)
				return err_set(e, EX_DATAERR, "expected a list of labels (JSON objects)");
			if (!sid || d->nodes[sid].type != JV_STRING ||
			    !json_str_eq(d, sid, s->scheme->scheme_id, strlen(s->scheme->scheme_id)))
				return err_set(e, EX_DATAERR, "a label whose SchemeID is not %s", s->scheme->scheme_id);
		}
	}
	for (int k = 0; k < 2; k++) {
		struct json_doc *d = side[k].d;
		only_na[k] = 0;
		for (uint32_t c = side[k].i + 1; c < d->nodes[side[k].i].next; c = d->nodes[c].next) {
			if (label_code_of(s, d, c, &code, e) == -1)
				return -1;
			if (control_is(code, "NA")) {
				if (d->nodes[side[k].i].count != 1)
					return err_set(e, EX_DATAERR, "a list of labels holds NA and other labels "
					    "(expected NA alone)");
				only_na[k] = 1;
			}
		}
	}
	if (only_na[0] && only_na[1]) {
		emit(out, x);
		return 1;
	}
	u = xmalloc(cap * sizeof *u);
	for (int k = 0; k < 2; k++) {
		struct json_doc *d = side[k].d;
		for (uint32_t c = side[k].i + 1; c < d->nodes[side[k].i].next; c = d->nodes[c].next) {
			size_t i;
			label_code_of(s, d, c, &code, e);
			if (control_is(code, "NA"))
				continue;
			if (control_is(code, "NC")) {
				if (nc_doc == NULL) {
					nc_doc = d;
					nc_node = c;
				}
				continue;
			}
			for (i = 0; i < n_union; i++)
				if (strcmp(u[i].code_id, code->code_id) == 0)
					break;
			if (i < n_union)
				continue;
			if (n_union == cap)
				u = xrealloc(u, (cap *= 2) * sizeof *u);
			u[n_union].d = d;
			u[n_union].i = c;
			u[n_union].code_id = code->code_id;
			n_union++;
		}
	}
	if (n_union == 0 && nc_doc == NULL) {
		free(u);
		return err_set(e, EX_DATAERR, "the folded list of labels is empty");
	}
	buf_addc(out, '[');
	if (n_union == 0) {
		json_encode(out, nc_doc, nc_node, 0);
	} else {
		for (size_t i = 0; i < n_union; i++) {
			if (i)
				buf_add(out, ", ", 2);
			json_encode(out, u[i].d, u[i].i, 0);
		}
	}
	buf_addc(out, ']');
	free(u);
	return 1;
}

/* fold_engagement_type (configuration/coding_plans.py:377-388): NA gives way; two Normal codes become "multiple". */
static int
fold_engagement(struct folder *f, const struct strategy *s, struct val x, struct val y, struct buf *out,
    struct err *e)
{
	const struct code *cx = NULL, *cy = NULL, *multiple;

	if (x.d != NULL && label_code_of(s, x.d, x.i, &cx, e) == -1)
		return -1;
	if (x.d == NULL || control_is(cx, "NA")) {
		if (y.d == NULL)
			return 0;
		emit(out, y);
		return 1;
	}
	if (y.d != NULL && label_code_of(s, y.d, y.i, &cy, e) == -1)
		return -1;
	if (y.d == NULL || control_is(cy, "NA") || cx == cy) {
		emit(out, x);
		return 1;
	}
	if (cx->code_type != CODE_NORMAL || cy->code_type != CODE_NORMAL)
		return err_set(e, EX_DATAERR, "codes '%s' and '%s' differ and are not both Normal codes",
		    cx->code_id, cy->code_id);
	if ((multiple = scheme_code_by_match_value(s->scheme, "multiple")) == NULL)
		return err_set(e, EX_CONFIG, "code scheme %s has no code with match value 'multiple'", s->scheme->path);
	label_encode(out, s->scheme, multiple, &f->origin, f->now, 0);
	return 1;
}

/*
 * strategy(x, y) into out: 1 when a value was written, 0 for None (the key is left out, as the reference's
 * `if folded_value is not None`), -1 when the values cannot be folded (the reference's failed assertion).
 */
static int
apply_strategy(struct folder *f, const struct strategy *s, struct val x, struct val y, struct buf *out,
    struct err *e)
{
	static const char *const true_false[] = { "true", "false", NULL };
	static const char *const matrix[] = { "0", "1", NULL };
	static const char *const yes_no_amb[] = { "yes", "no", "ambivalent", NULL };

	switch (s->fold) {
	case FOLD_NONE:
		return err_set(e, EX_CONFIG, "no fold strategy (FoldStrategy is null, but the coded field goes into "
		    "the individuals file)");
	case FOLD_ASSERT_EQUAL:
		if (x.d == NULL && y.d == NULL)
			return 0;
		if (x.d == NULL || y.d == NULL || !json_value_equal(x.d, x.i, y.d, y.i))
			return err_set(e, EX_DATAERR, "the value differs from the participant's earlier messages");
		emit(out, x);
		return 1;
	case FOLD_CONCATENATE:
		if (x.d == NULL && y.d == NULL)
			return 0;
		if (x.d == NULL || y.d == NULL) {
			emit(out, x.d == NULL ? y : x);
			return 1;
		}
		f->tmp.len = 0;
		json_python_str(&f->tmp, x.d, x.i);
		buf_addc(&f->tmp, ';');
		json_python_str(&f->tmp, y.d, y.i);
		json_encode_str(out, f->tmp.p, f->tmp.len);
		return 1;
	case FOLD_BOOLEAN_OR:
		if (!is_one_of(x, true_false) || !is_one_of(y, true_false))
			return err_set(e, EX_DATAERR, "expected \"true\" or \"false\" in every message");
		emit_str(out, is_str(x, "true") || is_str(y, "true") ? "true" : "false");
		return 1;
	case FOLD_MATRIX:
		if (!is_one_of(x, matrix) || !is_one_of(y, matrix))
			return err_set(e, EX_DATAERR, "expected \"0\" or \"1\" in every message");
		emit_str(out, is_str(x, "1") || is_str(y, "1") ? "1" : "0");
		return 1;
	case FOLD_YES_NO_AMB: {
		int px = precedence(x), py = precedence(y);
		if ((px < 0 && !is_one_of(x, yes_no_amb)) || (py < 0 && !is_one_of(y, yes_no_amb)))
			return err_set(e, EX_DATAERR, "expected yes, no, ambivalent or a control code in every message");
		if (px >= 0 && py >= 0)
			emit(out, px <= py ? x : y);
		else if (px >= 0)
			emit(out, y);
		else if (py >= 0)
			emit(out, x);
		else if (is_str(x, "ambivalent") || is_str(y, "ambivalent"))
			emit_str(out, "ambivalent");
		else if (json_value_equal(x.d, x.i, y.d, y.i))
			emit(out, x);
		else
			emit_str(out, "ambivalent");
		return 1;
	}
	case FOLD_ASSERT_LABEL_IDS_EQUAL: {
		uint32_t xs, xc, ys, yc;
		if (x.d == NULL || y.d == NULL || x.d->nodes[x.i].type != JV_OBJECT || y.d->nodes[y.i].type != JV_OBJECT)
			return err_set(e, EX_DATAERR, "expected a label in every message");
		xs = json_get(x.d, x.i, "SchemeID", 8);
		xc = json_get(x.d, x.i, "CodeID", 6);
		ys = json_get(y.d, y.i, "SchemeID", 8);
		yc = json_get(y.d, y.i, "CodeID", 6);
		if (!xs || !xc || !ys || !yc)
			return err_set(e, EX_DATAERR, "a label without a SchemeID or a CodeID");
		if (!json_value_equal(x.d, xs, y.d, ys) || !json_value_equal(x.d, xc, y.d, yc))
			return err_set(e, EX_DATAERR, "the label's SchemeID or CodeID differs from the participant's "
			    "earlier messages");
		emit(out, x);
		return 1;
	}
	case FOLD_LIST_OF_LABELS:
		return fold_list_of_labels(s, x, y, out, e);
	case FOLD_ENGAGEMENT_TYPE:
		return fold_engagement(f, s, x, y, out, e);
	}
	return err_set(e, EX_SOFTWARE, "unknown fold strategy %d", (int)s->fold);
}

/* ---- groups ---- */

static struct val
record_value(struct td *t, const struct strategy *s)
{
	const struct td_val *v = td_get(t, s->key, s->klen);

	if (v == NULL || v->doc->nodes[v->idx].type == JV_NULL)
		return (struct val){ NULL, 0 };
	return (struct val){ v->doc, v->idx };
}

/* The newest SHA of a member; a flat record's is the SHA it gets as a one-entry TracedData (tracedata(5)). */
static void
member_sha(struct folder *f, struct td *t, struct buf *out)
{
	char sha[SHA_HEX_LEN + 1];
	size_t len;
	const char *s;

	if (t->form == TD_TRACED) {
		s = td_sha(t, &len);
		json_encode_str(out, s, len);
		return;
	}
	f->tmp.len = 0;
	buf_adds(&f->tmp, "{\"data\": ");
	json_encode(&f->tmp, &t->doc, t->root, 0);
	buf_adds(&f->tmp, ", \"prev_sha\": \"\"}");
	sha256_hex(f->tmp.p, f->tmp.len, sha);
	json_encode_str(out, sha, SHA_HEX_LEN);
}

static size_t
group_bytes(const struct folder *f, const struct group *g)
{
	return g->text_len + f->n_strats * sizeof *g->vals + g->shas.cap;
}

/* Every group's values to the end of the spill file; the memory they held is freed. */
static void
spill_groups(struct folder *f)
{
	struct err e;

	if (f->spill == -1 && (f->spill = spool_create(&e)) == -1)
		cli_fail(&e);
	for (size_t k = 0; k < f->n_groups; k++) {
		struct group *g = &f->groups[k];
		uint64_t shas_len = g->shas.len;
		ssize_t w;
		if (g->spilled)
			continue;
		f->blob.len = 0;
		buf_add(&f->blob, g->vals, f->n_strats * sizeof *g->vals);
		buf_add(&f->blob, &shas_len, sizeof shas_len);
		buf_add(&f->blob, g->shas.p, g->shas.len);
		buf_add(&f->blob, g->text, g->text_len);
		for (size_t done = 0; done < f->blob.len; done += (size_t)w) {
			w = pwrite(f->spill, f->blob.p + done, f->blob.len - done, (off_t)(f->spill_end + done));
			if (w == -1 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				cli_die(EX_IOERR, "cannot write the spill file: %s", w == -1 ? strerror(errno) : "no space");
		}
		g->spill_off = f->spill_end;
		f->spill_end += f->blob.len;
		free(g->text);
		free(g->vals);
		buf_free(&g->shas);
		g->text = NULL;
		g->vals = NULL;
		g->spilled = 1;
	}
	f->in_memory = 0;
}

/* A spilled group's values back in memory. */
static void
unspill_group(struct folder *f, struct group *g)
{
	size_t vlen = f->n_strats * sizeof *g->vals, head = vlen + sizeof(uint64_t);
	uint64_t shas_len;

	if (!g->spilled)
		return;
	f->blob.len = 0;
	buf_reserve(&f->blob, head);
	if (spool_read_at(f->spill, f->blob.p, head, g->spill_off) == -1)
		cli_die(EX_IOERR, "cannot read the spill file back: %s", errno ? strerror(errno) : "short read");
	g->vals = xcalloc(f->n_strats ? f->n_strats : 1, sizeof *g->vals);
	memcpy(g->vals, f->blob.p, vlen);
	memcpy(&shas_len, f->blob.p + vlen, sizeof shas_len);
	buf_reserve(&g->shas, (size_t)shas_len + 1);
	g->text = xmalloc(g->text_len ? g->text_len : 1);
	if ((shas_len && spool_read_at(f->spill, g->shas.p, (size_t)shas_len, g->spill_off + head) == -1) ||
	    (g->text_len && spool_read_at(f->spill, g->text, g->text_len, g->spill_off + head + shas_len) == -1))
		cli_die(EX_IOERR, "cannot read the spill file back: %s", errno ? strerror(errno) : "short read");
	g->shas.len = (size_t)shas_len;
	g->spilled = 0;
	f->in_memory += group_bytes(f, g);
}

/* Replace the group's values with the ones just built in f->text / f->next. */
static void
take_values(struct folder *f, struct group *g)
{
	free(g->text);
	g->text = xmalloc(f->text.len ? f->text.len : 1);
	memcpy(g->text, f->text.p, f->text.len);
	g->text_len = f->text.len;
	memcpy(g->vals, f->next, f->n_strats * sizeof *f->next);
}

static int
fold_record(struct folder *f, struct td *t, uint32_t input, uint64_t offset, size_t len, struct err *e)
{
	const struct td_val *uid = td_get(t, KEY("uid"));
	struct strmap_entry *ent;
	struct group *g;
	int created;

	if (uid == NULL)
		return err_set(e, EX_DATAERR, "no \"uid\" (expected the participant's id)");
	f->uid.len = 0;
	json_encode(&f->uid, uid->doc, uid->idx, 0);
	f->text.len = 0;
	ent = strmap_get(&f->uids, f->uid.p, f->uid.len);
	if (ent == NULL) {
		/* The first member is the accumulator as it is. */
		for (size_t i = 0; i < f->n_strats; i++) {
			struct val v = record_value(t, &f->strats[i]);
			size_t start = f->text.len;
			if (v.d != NULL)
				emit(&f->text, v);
			f->next[i].off = (uint32_t)start;
			f->next[i].len = (uint32_t)(f->text.len - start);
		}
		if (f->n_groups == f->cap_groups) {
			f->cap_groups = f->cap_groups ? f->cap_groups * 2 : 256;
			f->groups = xrealloc(f->groups, f->cap_groups * sizeof *f->groups);
		}
		g = &f->groups[f->n_groups];
		memset(g, 0, sizeof *g);
		g->vals = xcalloc(f->n_strats ? f->n_strats : 1, sizeof *g->vals);
		f->in_memory += group_bytes(f, g);
		g->input = input;
		g->offset = offset;
		g->len = len;
		strmap_put(&f->uids, f->uid.p, f->uid.len, f->n_groups, &created);
		f->n_groups++;
	} else {
		g = &f->groups[ent->value];
		unspill_group(f, g);
		json_reset(&f->acc);
		for (size_t i = 0; i < f->n_strats; i++) {
			const struct strategy *s = &f->strats[i];
			struct val x = { NULL, 0 }, y = record_value(t, s);
			size_t start = f->text.len;
			int rc;

			if (g->vals[i].len) {
				uint32_t root;
				if (json_parse(&f->acc, g->text + g->vals[i].off, g->vals[i].len, &root, e) == -1)
					return err_prefix(e, "\"%s\": folded value", s->key);
				x = (struct val){ &f->acc, root };
			}
			if ((rc = apply_strategy(f, s, x, y, &f->text, e)) == -1)
				return err_prefix(e, "uid %.*s: \"%s\" (%s)", (int)(f->uid.len > 200 ? 200 : f->uid.len),
				    f->uid.p, s->key, plans_fold_name(s->fold));
			f->next[i].off = (uint32_t)start;
			f->next[i].len = rc == 1 ? (uint32_t)(f->text.len - start) : 0;
		}
	}
	f->in_memory -= group_bytes(f, g);
	take_values(f, g);
	if (g->n_members)
		buf_add(&g->shas, ", ", 2);
	member_sha(f, t, &g->shas);
	g->n_members++;
	g->traced |= t->form == TD_TRACED;
	f->in_memory += group_bytes(f, g);
	if (f->in_memory > FOLD_MEMORY)
		spill_groups(f);
	return 0;
}

/* ---- input ---- */

static void
skip_record(struct folder *f, const char *where, struct err *e)
{
	if (!f->skip_bad) {
		err_prefix(e, "%s", where);
		cli_fail(e);
	}
	f->skipped++;
	if (!f->quiet)
		cli_warn("%s: %s (skipped)", where, e->msg);
}

static void
read_input(struct folder *f, const char *arg)
{
	struct ndjson_reader r;
	struct input *in;
	const char *line;
	size_t len;
	uint64_t base = 0;
	struct err e;
	int rc;

	if (ndjson_open_rereadable(&r, arg, f->max_record, &base, &e) == -1)
		cli_fail(&e);
	f->inputs = xrealloc(f->inputs, (f->n_inputs + 1) * sizeof *f->inputs);
	in = &f->inputs[f->n_inputs];
	in->name = xstrdup(r.name);
	if ((in->fd = dup(r.fd)) == -1) {
		err_set(&e, EX_IOERR, "%s: %s", r.name, strerror(errno));
		ndjson_close(&r);
		cli_fail(&e);
	}
	f->n_inputs++;

	while ((rc = ndjson_next(&r, &line, &len, &e)) != 0) {
		if (rc == -1) {
			if (f->skip_bad && strstr(e.msg, "blank line") != NULL) {
				f->skipped++;
				if (!f->quiet)
					cli_warn("%s (skipped)", e.msg);
				continue;
			}
			ndjson_close(&r);
			cli_fail(&e);
		}
		if (td_parse(&f->td, line, len, &e) == -1 ||
		    fold_record(f, &f->td, (uint32_t)(f->n_inputs - 1), base + r.offset, len, &e) == -1) {
			skip_record(f, ndjson_where(&r), &e);
			continue;
		}
		f->records++;
	}
	ndjson_close(&r);
}

/* ---- output ---- */

static void
add_member(struct buf *obj, int *first, const char *key, size_t klen, const char *json, size_t jlen)
{
	if (!*first)
		buf_add(obj, ", ", 2);
	*first = 0;
	json_encode_str(obj, key, klen);
	buf_add(obj, ": ", 2);
	buf_add(obj, json, jlen);
}

/* The participant's values as a flat JSON object (Python dict order), ending with _FoldedTracedDataSHAs. */
static void
group_object(struct folder *f, size_t k, struct buf *obj, struct buf *line_buf)
{
	struct group *g = &f->groups[k];
	const struct strmap_entry *key = &f->uids.entries[k];	/* groups and uids share the insertion order */

	unspill_group(f, g);
	const struct td_val *uid;
	int first = 1;
	struct err e;

	buf_addc(obj, '{');
	if (g->n_members == 1) {
		/* A group of one is returned unchanged: every key, not only the folded ones. */
		const struct input *in = &f->inputs[g->input];
		const struct td_item *it;
		size_t cur = 0;

		line_buf->len = 0;
		buf_reserve(line_buf, g->len + 1);
		if (spool_read_at(in->fd, line_buf->p, g->len, g->offset) == -1) {
			int saved = errno;
			cli_die(EX_IOERR, "%s: %s", in->name, saved ? strerror(saved) : "file shrank while it was read");
		}
		line_buf->len = g->len;
		if (td_parse(&f->td, line_buf->p, line_buf->len, &e) == -1)
			cli_die(EX_IOERR, "%s: a record changed while it was read: %s", in->name, e.msg);
		if ((uid = td_get(&f->td, KEY("uid"))) != NULL) {
			f->uid.len = 0;
			json_encode(&f->uid, uid->doc, uid->idx, 0);
		}
		if (uid == NULL || f->uid.len != key->klen || memcmp(f->uid.p, key->key, key->klen) != 0)
			cli_die(EX_IOERR, "%s: a record changed while it was read (another participant)", in->name);
		while (td_next_item(&f->td, &cur, &it)) {
			if (it->klen == strlen(FOLDED_SHAS_KEY) && memcmp(it->key, FOLDED_SHAS_KEY, it->klen) == 0)
				continue;
			f->tmp2.len = 0;
			json_encode(&f->tmp2, it->val.doc, it->val.idx, 0);
			add_member(obj, &first, it->key, it->klen, f->tmp2.p, f->tmp2.len);
		}
	} else {
		for (size_t i = 0; i < f->n_strats; i++)
			if (g->vals[i].len)
				add_member(obj, &first, f->strats[i].key, f->strats[i].klen, g->text + g->vals[i].off,
				    g->vals[i].len);
	}
	f->tmp2.len = 0;
	buf_addc(&f->tmp2, '[');
	buf_add(&f->tmp2, g->shas.p, g->shas.len);
	buf_addc(&f->tmp2, ']');
	add_member(obj, &first, KEY(FOLDED_SHAS_KEY), f->tmp2.p, f->tmp2.len);
	buf_addc(obj, '}');
}

static void
write_groups(struct folder *f, const struct td_meta *meta)
{
	struct buf obj = { 0 }, line_buf = { 0 }, out = { 0 };
	struct td rec;
	struct err e;

	memset(&rec, 0, sizeof rec);
	for (size_t k = 0; k < f->n_groups; k++) {
		struct group *g = &f->groups[k];

		obj.len = 0;
		group_object(f, k, &obj, &line_buf);
		/* Written: its values are not needed any more. */
		free(g->text);
		free(g->vals);
		buf_free(&g->shas);
		g->text = NULL;
		g->vals = NULL;
		out.len = 0;
		if (g->traced) {
			/* One history entry holding the values: a flat record written in the traced form. */
			if (td_parse(&rec, obj.p, obj.len, &e) == -1)
				cli_die(EX_SOFTWARE, "internal error: folded record: %s", e.msg);
			td_write(&rec, &out, TD_TRACED, meta);
		} else {
			buf_add(&out, obj.p, obj.len);
			buf_addc(&out, '\n');
		}
		cli_out(&out);
	}
	td_free(&rec);
	buf_free(&obj);
	buf_free(&line_buf);
	buf_free(&out);
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *user = NULL;
	struct cli_pipeline pl;
	struct folder f;
	struct td_meta meta;
	size_t folded = 0;
	int opt, nargs;

	memset(&f, 0, sizeof f);
	f.spill = -1;
	cli_init("td-fold");
	while ((opt = getopt_long(argc, argv, "c:p:s:u:qvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'p':
			plans_path = optarg;
			break;
		case 's':
			schemes = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'q':
			f.quiet = 1;
			break;
		case 'v':
			f.verbose = 1;
			break;
		case CLI_OPT_MAX_RECORD:
			f.max_record = cli_max_record_arg(optarg);
			break;
		case CLI_OPT_SKIP_BAD:
			f.skip_bad = 1;
			break;
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	cli_pipeline_load(&pl, config_path, plans_path, schemes, 1);
	build_strategies(&f, &pl.plans);
	f.next = xcalloc(f.n_strats ? f.n_strats : 1, sizeof *f.next);
	meta.user = cli_user(user);
	meta.source = cli_source();
	meta.timestamp = cli_now();
	f.now = cli_now();
	f.origin.id = "tdtools:td-fold:fold_engagement_type";
	f.origin.name = LABEL_AUTO_CODER_NAME;
	f.origin.type = LABEL_ORIGIN_EXTERNAL;

	nargs = argc - optind;
	for (int a = 0; a < (nargs ? nargs : 1); a++)
		read_input(&f, nargs ? argv[optind + a] : "-");
	write_groups(&f, &meta);

	for (size_t k = 0; k < f.n_groups; k++) {
		folded += f.groups[k].n_members > 1;
		free(f.groups[k].text);
		free(f.groups[k].vals);
		buf_free(&f.groups[k].shas);
	}
	if (f.verbose && !f.quiet)
		cli_warn("%lu records, %zu participants (%zu folded from several messages)", f.records, f.n_groups,
		    folded);
	if (f.skipped && !f.quiet)
		cli_warn("skipped %lu bad record%s", f.skipped, f.skipped == 1 ? "" : "s");
	for (size_t i = 0; i < f.n_inputs; i++) {
		close(f.inputs[i].fd);
		free(f.inputs[i].name);
	}
	free(f.inputs);
	free(f.groups);
	free(f.strats);
	free(f.next);
	strmap_free(&f.uids);
	json_free(&f.acc);
	td_free(&f.td);
	buf_free(&f.blob);
	if (f.spill != -1)
		close(f.spill);
	buf_free(&f.text);
	buf_free(&f.uid);
	buf_free(&f.tmp);
	buf_free(&f.tmp2);
	cli_pipeline_free(&pl);
	cli_exit(0);
}
