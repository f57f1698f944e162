/* ws-correct: move messages coded "wrong scheme" in Coda to the dataset they belong to (pipeline.md §5.3). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "coding/coda.h"
#include "config/config.h"
#include "config/plan.h"
#include "pipeline.h"
#include "records.h"
#include "util/spool.h"
#include "util/strmap.h"

static const char usage[] =
    "ws-correct [-qv] -c CONFIG [-p PLANS] [-s DIR] --coded-dir DIR [-u USER] [--max-record SIZE] [file ...]";

static const char help[] =
    "usage: ws-correct [-qv] -c CONFIG [-p PLANS] [-s DIR] --coded-dir DIR [-u USER] [--max-record SIZE]\n"
    "                  [file ...]\n"
    "Move the messages that coders labelled WS (wrong scheme) to the dataset their WS - Correct Dataset code\n"
    "names, as the reference's WS correction: import the coded Coda files into \"_WS\" keys, mark coding\n"
    "errors, then per participant (uid, in order of first appearance) write one record per RQA message with\n"
    "the survey answers that stay or arrive. Messages coded NC or with a code of no plan are dropped.\n"
    "\n"
    "  -c, --config FILE    the pipeline configuration (MoveWSMessages false: records pass unchanged)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "      --coded-dir DIR  the downloaded coded Coda files; if one is missing, records pass unchanged\n"
    "  -u, --user USER      Metadata.User of the entries made (default $TD_USER, $USER@host)\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print counts on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record or Coda file, 66 input missing, 78 bad configuration.\n";

enum { OPT_VERSION = 2000, OPT_CODED_DIR };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "coded-dir", required_argument, NULL, OPT_CODED_DIR },
	{ "user", required_argument, NULL, 'u' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "max-record", required_argument, NULL, CLI_OPT_MAX_RECORD },
	{ NULL, 0, NULL, 0 },
};

#define KEY(s) (s), strlen(s)

/* A plan of RQA + SURVEY, with the keys WS correction reads and writes for it. */
struct ws_plan {
	const struct coding_plan *plan;
	int rqa;			/* an RQA plan; otherwise a survey plan */
	const struct coda_file *coda;	/* its coded Coda file, or NULL when it has none */
	char *id_ws;			/* "{id_field}_WS" */
	char *correct_ws;		/* "{raw_field}_WS_correct_dataset" */
	char *source;			/* "{raw_field}_source" */
	char **cc_ws;			/* "{coded_field}_WS" per coding configuration */
};

/* A WS - Correct Dataset code that names no plan, and how often it was met. */
struct unknown_target {
	const struct code *code;
	unsigned long count;
};

struct ws {
	struct ws_plan *plans;
	size_t n_plans;
	const struct code_scheme *wss;		/* WS - Correct Dataset */
	const struct code *ce;			/* its CE code */
	struct coda_file *codas;
	size_t n_codas;
	struct coda_import ci;
	struct label_origin ce_origin;
	const char *now;
	struct unknown_target *unknown;
	size_t n_unknown;
	int quiet;
	unsigned long coding_errors;
};

/* ---- steps A and B on one record ---- */

static int
is_move_code(const struct code *c)
{
	return c->code_type == CODE_NORMAL || (c->control_code != NULL && strcmp(c->control_code, "NC") == 0);
}

/* Whether a record's coded values of a plan hold a WS code (single: one label; multiple: every label). */
static int
has_ws_in_code_scheme(struct td *t, const struct ws_plan *wp, int *has, struct err *e)
{
	*has = 0;
	for (size_t k = 0; k < wp->plan->n_ccs; k++) {
		const struct coding_config *cc = &wp->plan->ccs[k];
		const struct td_val *v = td_get(t, KEY(wp->cc_ws[k]));
		const struct code *c;
		if (v == NULL)
			continue;
		if (cc->coding_mode == CODING_SINGLE) {
			if ((c = coda_label_code(v, cc->code_scheme, wp->cc_ws[k], e)) == NULL)
				return -1;
			*has |= c->control_code != NULL && strcmp(c->control_code, "WS") == 0;
			continue;
		}
		if (v->doc->nodes[v->idx].type != JV_ARRAY)
			return err_set(e, EX_DATAERR, "\"%s\": expected a list of labels", wp->cc_ws[k]);
		for (uint32_t l = v->idx + 1; l < v->doc->nodes[v->idx].next; l = v->doc->nodes[l].next) {
			struct td_val lv = { v->doc, l };
			if ((c = coda_label_code(&lv, cc->code_scheme, wp->cc_ws[k], e)) == NULL)
				return -1;
			*has |= c->control_code != NULL && strcmp(c->control_code, "WS") == 0;
		}
	}
	return 0;
}

static void
print_coding_error(const char *where, const char *raw_field, struct td *t)
{
	const struct td_val *v = td_get(t, KEY(raw_field));
	struct buf text = { 0 };

	if (v != NULL)
		json_encode(&text, v->doc, v->idx, 0);
	else
		buf_adds(&text, "(absent)");
	cli_warn("%s: coding error: %s: %.*s", where, raw_field, (int)text.len, text.p);
	buf_free(&text);
}

/*
 * Step A (import the coded Coda files into the "_WS" keys) and step B (a WS code in a plan's scheme without a
 * move in WS - Correct Dataset, or the reverse, is a coding error) on one record.
 */
static int
ws_code_record(struct ws *ws, struct td *t, const char *where, int report, struct err *e)
{
	char id[65];

	for (size_t i = 0; i < ws->n_plans; i++) {
		const struct ws_plan *wp = &ws->plans[i];
		if (wp->coda == NULL || td_get(t, KEY(wp->plan->raw_field)) == NULL)
			continue;
		if (coda_message_id(t, wp->plan, id, e) == -1)
			return -1;
		td_set_str(t, KEY(wp->id_ws), id, 64);
		if (coda_import_single(&ws->ci, t, wp->coda, wp->id_ws, wp->correct_ws, ws->wss, e) == -1)
			return -1;
		for (size_t k = 0; k < wp->plan->n_ccs; k++) {
			const struct coding_config *cc = &wp->plan->ccs[k];
			if (coda_import(&ws->ci, t, wp->coda, wp->id_ws, wp->cc_ws[k], cc->code_scheme, cc->coding_mode,
			    e) == -1)
				return -1;
		}
	}
	for (size_t i = 0; i < ws->n_plans; i++) {
		const struct ws_plan *wp = &ws->plans[i];
		const struct td_val *v;
		int in_scheme, in_wss = 0;
		if (has_ws_in_code_scheme(t, wp, &in_scheme, e) == -1)
			return -1;
		if ((v = td_get(t, KEY(wp->correct_ws))) != NULL) {
			const struct code *c = coda_label_code(v, ws->wss, wp->correct_ws, e);
			if (c == NULL)
				return -1;
			in_wss = is_move_code(c);
		}
		if (in_scheme == in_wss)
			continue;
		if (report) {
			ws->coding_errors++;
			if (!ws->quiet)
				print_coding_error(where, wp->plan->raw_field, t);
		}
		ws->ci.buf.len = 0;
		label_encode(&ws->ci.buf, ws->wss, ws->ce, &ws->ce_origin, ws->now, 0);
		if (td_set_json_canonical(t, KEY(wp->correct_ws), ws->ci.buf.p, ws->ci.buf.len, e) == -1)
			return -1;
	}
	return 0;
}

/* The raw field a WS - Correct Dataset code moves a message to; NULL if no plan has that code. */
static const char *
target_of(const struct ws *ws, const struct code *c)
{
	const char *target = NULL;

	/* The reference's dict: a later plan with the same code wins. */
	for (size_t i = 0; i < ws->n_plans; i++)
		if (ws->plans[i].plan->ws_code != NULL && strcmp(ws->plans[i].plan->ws_code->code_id, c->code_id) == 0)
			target = ws->plans[i].plan->raw_field;
	return target;
}

static void
count_unknown(struct ws *ws, const struct code *c)
{
	for (size_t i = 0; i < ws->n_unknown; i++) {
		if (ws->unknown[i].code == c) {
			ws->unknown[i].count++;
			return;
		}
	}
	ws->unknown = xrealloc(ws->unknown, (ws->n_unknown + 1) * sizeof *ws->unknown);
	ws->unknown[ws->n_unknown++] = (struct unknown_target){ c, 1 };
}

enum move { STAY, MOVE, DROP };

/* Does the message of plan wp in this record move (step E.1–2)? MOVE sets *target; DROP is NC or no plan. */
static int
move_of(struct ws *ws, struct td *t, const struct ws_plan *wp, const char **target, enum move *m, struct err *e)
{
	const struct td_val *v = td_get(t, KEY(wp->correct_ws));
	const struct code *c;

	*m = STAY;
	if (v == NULL)
		return err_set(e, EX_DATAERR, "\"%s\" is missing", wp->correct_ws);
	if ((c = coda_label_code(v, ws->wss, wp->correct_ws, e)) == NULL)
		return -1;
	if (!is_move_code(c))
		return 0;
	if ((*target = target_of(ws, c)) != NULL) {
		*m = MOVE;
	} else {
		*m = DROP;
		count_unknown(ws, c);
	}
	return 0;
}

/* ---- the data set: every record spooled to a temporary file, grouped by uid ---- */

/*
 * The reference groups the whole data set by uid, so every record must be kept until its group is done. Memory
 * holds only where each record is (an offset into an unlinked spool file) and its group; the text is read back
 * when it is used, one record at a time.
 */
struct stored {
	uint64_t off;		/* in the spool */
	size_t len;
	uint32_t input;		/* index into the input names, for messages */
	unsigned long line;
};

struct group {
	size_t *members;	/* indexes into records, in data order */
	size_t n, cap;
};

struct dataset {
	struct stored *records;
	size_t n, cap;
	struct group *groups;	/* in order of first appearance */
	size_t n_groups, cap_groups;
	struct strmap uids;	/* canonical JSON of the uid → group index */
	FILE *spool;
	uint64_t spooled;
	char **inputs;		/* input names */
	size_t n_inputs;
	struct buf text;	/* the record read back last */
	char where[4200];
};

static const char *
stored_where(struct dataset *ds, const struct stored *r)
{
	snprintf(ds->where, sizeof ds->where, "%s:%lu", ds->inputs[r->input], r->line);
	return ds->where;
}

/* The record's text, read back from the spool into b. */
static const char *
stored_text_into(struct dataset *ds, const struct stored *r, struct buf *b)
{
	b->len = 0;
	buf_reserve(b, r->len + 1);
	if (spool_read_at(fileno(ds->spool), b->p, r->len, r->off) == -1)
		cli_die(EX_IOERR, "cannot read back the spooled records: %s", errno ? strerror(errno) : "short read");
	b->p[r->len] = '\0';
	return b->p;
}

/* The record's text, read back from the spool (valid until the next call). */
static const char *
stored_text(struct dataset *ds, const struct stored *r)
{
	return stored_text_into(ds, r, &ds->text);
}

static void
dataset_add(struct dataset *ds, struct cli_in *in)
{
	struct buf key = { 0 };
	const struct td_val *uid = td_get(&in->td, KEY("uid"));
	struct strmap_entry *en;
	struct stored *r;
	struct group *g;
	int created;

	if (uid == NULL) {
		struct err e;
		err_set(&e, EX_DATAERR, "no \"uid\" (WS correction groups the messages by participant)");
		cli_in_fail(in, &e);
	}
	if (ds->spool == NULL) {
		struct err e;
		int fd = spool_create(&e);
		if (fd == -1 || (ds->spool = fdopen(fd, "w+")) == NULL)
			cli_die(EX_CANTCREAT, "cannot create a spool file: %s", fd == -1 ? e.msg : strerror(errno));
	}
	if (ds->n_inputs == 0 || strcmp(ds->inputs[ds->n_inputs - 1], in->r.name) != 0) {
		ds->inputs = xrealloc(ds->inputs, (ds->n_inputs + 1) * sizeof *ds->inputs);
		ds->inputs[ds->n_inputs++] = xstrdup(in->r.name);
	}
	json_encode(&key, uid->doc, uid->idx, 0);
	en = strmap_put(&ds->uids, key.p, key.len, ds->n_groups, &created);
	buf_free(&key);
	if (created) {
		if (ds->n_groups == ds->cap_groups) {
			ds->cap_groups = ds->cap_groups ? ds->cap_groups * 2 : 64;
			ds->groups = xrealloc(ds->groups, ds->cap_groups * sizeof *ds->groups);
		}
		memset(&ds->groups[ds->n_groups++], 0, sizeof *ds->groups);
	}
	if (ds->n == ds->cap) {
		ds->cap = ds->cap ? ds->cap * 2 : 256;
		ds->records = xrealloc(ds->records, ds->cap * sizeof *ds->records);
	}
	r = &ds->records[ds->n];
	r->off = ds->spooled;
	r->len = in->td.len;
	r->input = (uint32_t)(ds->n_inputs - 1);
	r->line = in->r.line;
	if (fwrite(in->td.line, 1, in->td.len, ds->spool) != in->td.len)
		cli_die(EX_IOERR, "cannot spool the records: %s", strerror(errno));
	ds->spooled += in->td.len;
	g = &ds->groups[en->value];
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 4;
		g->members = xrealloc(g->members, g->cap * sizeof *g->members);
	}
	g->members[g->n++] = ds->n++;
}

/* Every record has been read: make the spool readable. */
static void
dataset_seal(struct dataset *ds)
{
	if (ds->spool != NULL && fflush(ds->spool) == EOF)
		cli_die(EX_IOERR, "cannot spool the records: %s", strerror(errno));
}

static void
dataset_free(struct dataset *ds)
{
	free(ds->records);
	for (size_t i = 0; i < ds->n_groups; i++)
		free(ds->groups[i].members);
	free(ds->groups);
	strmap_free(&ds->uids);
	for (size_t i = 0; i < ds->n_inputs; i++)
		free(ds->inputs[i]);
	free(ds->inputs);
	buf_free(&ds->text);
	if (ds->spool != NULL)
		fclose(ds->spool);
}

/* ---- step E: one participant ---- */

/* A message or survey answer on its way into a record (the reference's _WSUpdate). */
struct update {
	const char *message;	/* canonical JSON */
	const char *timestamp;	/* canonical JSON */
	const char *source;	/* the raw field it comes from */
	size_t source_td;	/* the member whose record is copied */
};

struct rqa_update {
	const char *target;
	struct update u;
};

struct survey_updates {
	const char *raw_field;
	struct update *v;
	size_t n, cap;
};

struct flat_entry {
	const char *key;
	const char *value;	/* canonical JSON, or NULL: hide the key */
};

struct participant {
	struct arena mem;
	struct rqa_update *rqa;
	size_t n_rqa, cap_rqa;
	struct survey_updates *survey;
	size_t n_survey, cap_survey;
	struct flat_entry *flat;
	size_t n_flat, cap_flat;
	/* RQA moves in insertion order: member, plan, target (NULL: dropped) */
	struct rqa_move { size_t member; const struct ws_plan *wp; const char *target; } *moves;
	size_t n_moves, cap_moves;
	/* survey moves from the first member: plan, target (NULL: dropped) */
	struct survey_move { const struct ws_plan *wp; const char *target; } *smoves;
	size_t n_smoves, cap_smoves;
	struct buf tmp;
	/*
	 * The first CACHED members parsed and coded once: emit writes a member's record from here when it is the
	 * source of exactly one message, instead of reading, parsing and coding it again.
	 */
	struct cached { struct td t; struct buf text; } cache[16];
	size_t uses[16];
};

#define CACHED (sizeof ((struct participant *)0)->cache / sizeof ((struct participant *)0)->cache[0])

#define PUSH(arr, n, cap) \
	(((n) == (cap) ? ((cap) = (cap) ? (cap) * 2 : 8, (arr) = xrealloc((arr), (cap) * sizeof *(arr))) : (arr)), \
	    &(arr)[(n)++])

static const char *
value_json(struct participant *p, struct td *t, const char *key)
{
	const struct td_val *v = td_get(t, KEY(key));

	if (v == NULL)
		return NULL;
	p->tmp.len = 0;
	json_encode(&p->tmp, v->doc, v->idx, 0);
	return arena_strndup(&p->mem, p->tmp.p, p->tmp.len);
}

/* An update from a record: td[raw_field] and td[time_field] must both be there. */
static int
make_update(struct participant *p, struct td *t, const struct coding_plan *plan, size_t source_td,
    struct update *u, struct err *e)
{
	if (plan->time_field == NULL)
		return err_set(e, EX_CONFIG, "plan %s has a Coda file but no TimeField, which WS correction needs",
		    plan->raw_field);
	u->message = value_json(p, t, plan->raw_field);
	u->timestamp = value_json(p, t, plan->time_field);
	u->source = plan->raw_field;
	u->source_td = source_td;
	if (u->message == NULL)
		return err_set(e, EX_DATAERR, "\"%s\" is missing (expected it on every message of the participant)",
		    plan->raw_field);
	if (u->timestamp == NULL)
		return err_set(e, EX_DATAERR, "\"%s\" is missing (the time of \"%s\")", plan->time_field,
		    plan->raw_field);
	return 0;
}

static struct survey_updates *
survey_list(struct participant *p, const char *raw_field, int create)
{
	struct survey_updates *s;

	for (size_t i = 0; i < p->n_survey; i++)
		if (strcmp(p->survey[i].raw_field, raw_field) == 0)
			return &p->survey[i];
	if (!create)
		return NULL;
	s = PUSH(p->survey, p->n_survey, p->cap_survey);
	memset(s, 0, sizeof *s);
	s->raw_field = raw_field;
	return s;
}

static int
is_rqa_raw(const struct ws *ws, const char *field)
{
	for (size_t i = 0; i < ws->n_plans; i++)
		if (ws->plans[i].rqa && strcmp(ws->plans[i].plan->raw_field, field) == 0)
			return 1;
	return 0;
}

static int
is_survey_raw(const struct ws *ws, const char *field)
{
	for (size_t i = 0; i < ws->n_plans; i++)
		if (!ws->plans[i].rqa && strcmp(ws->plans[i].plan->raw_field, field) == 0)
			return 1;
	return 0;
}

/* Steps E.5–6: an update goes to the survey field or RQA field it targets. */
static int
route(struct ws *ws, struct participant *p, const char *target, struct update *u, struct err *e)
{
	if (is_survey_raw(ws, target)) {
		struct survey_updates *s = survey_list(p, target, 1);
		*PUSH(s->v, s->n, s->cap) = *u;
		return 0;
	}
	if (!is_rqa_raw(ws, target))
		return err_set(e, EX_CONFIG, "raw field '%s' is in no coding plan", target);
	*PUSH(p->rqa, p->n_rqa, p->cap_rqa) = (struct rqa_update){ target, *u };
	return 0;
}

/* "; ".join of JSON strings, as a JSON string. */
static const char *
join_strings(struct participant *p, const struct update *v, size_t n, int sources, struct err *e)
{
	struct buf joined = { 0 };
	struct json_doc d = { 0 };
	const char *out = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *s;
		size_t len;
		uint32_t root;
		if (i)
			buf_adds(&joined, "; ");
		if (sources) {
			buf_adds(&joined, v[i].source);
			continue;
		}
		json_reset(&d);
		if (json_parse(&d, v[i].message, strlen(v[i].message), &root, e) == -1)
			goto done;
		if (d.nodes[root].type != JV_STRING) {
			err_set(e, EX_DATAERR, "\"%s\": %s is not a string (survey answers are joined with \"; \")",
			    v[i].source, v[i].message);
			goto done;
		}
		s = json_str(&d, root, &len);
		buf_add(&joined, s, len);
	}
	p->tmp.len = 0;
	json_encode_str(&p->tmp, joined.p ? joined.p : "", joined.len);
	out = arena_strndup(&p->mem, p->tmp.p, p->tmp.len);
done:
	json_free(&d);
	buf_free(&joined);
	return out;
}

/* sorted(timestamps)[0]: the reference compares the time strings as strings, not as instants. */
static const char *
min_timestamp(const struct update *v, size_t n, struct err *e)
{
	struct json_doc d = { 0 };
	const char *best = v[0].timestamp, *best_s = NULL;
	size_t best_len = 0;
	uint32_t root;

	if (n == 1)
		return best;
	for (size_t i = 0; i < n; i++) {
		const char *s;
		size_t len;
		if (json_parse(&d, v[i].timestamp, strlen(v[i].timestamp), &root, e) == -1)
			goto fail;
		if (d.nodes[root].type != JV_STRING) {
			err_set(e, EX_DATAERR, "time of \"%s\": %s is not a string", v[i].source, v[i].timestamp);
			goto fail;
		}
		s = json_str(&d, root, &len);
		if (best_s == NULL || json_keycmp(s, len, best_s, best_len) < 0) {
			best = v[i].timestamp;
			best_s = s;
			best_len = len;
		}
	}
	json_free(&d);
	return best;
fail:
	json_free(&d);
	return NULL;
}

static void
participant_reset(struct participant *p)
{
	for (size_t i = 0; i < p->n_survey; i++)
		free(p->survey[i].v);
	p->n_rqa = p->n_survey = p->n_flat = p->n_moves = p->n_smoves = 0;
	arena_reset(&p->mem);
}

static void
participant_free(struct participant *p)
{
	participant_reset(p);
	free(p->rqa);
	free(p->survey);
	free(p->flat);
	free(p->moves);
	free(p->smoves);
	buf_free(&p->tmp);
	for (size_t i = 0; i < CACHED; i++) {
		td_free(&p->cache[i].t);
		buf_free(&p->cache[i].text);
	}
	arena_free(&p->mem);
}

struct out {
	struct td t;
	struct buf line;
	struct td_meta meta;
	unsigned long written, moved;
};

static _Noreturn void
fail_at(const char *where, struct err *e)
{
	err_prefix(e, "%s", where);
	cli_fail(e);
}

static void
parse_member_into(struct ws *ws, struct td *t, struct buf *b, struct dataset *ds, const struct stored *r, int report)
{
	struct err e;
	const char *text = stored_text_into(ds, r, b);

	if (td_parse(t, text, r->len, &e) == -1 || ws_code_record(ws, t, stored_where(ds, r), report, &e) == -1)
		fail_at(stored_where(ds, r), &e);
}

static void
parse_member(struct ws *ws, struct td *t, struct dataset *ds, const struct stored *r, int report)
{
	struct err e;
	const char *text = stored_text(ds, r);

	if (td_parse(t, text, r->len, &e) == -1 || ws_code_record(ws, t, stored_where(ds, r), report, &e) == -1)
		fail_at(stored_where(ds, r), &e);
}

/* Step E.8: a copy of the update's source record with the survey updates and the message in its target field. */
static void
emit(struct ws *ws, struct participant *p, struct dataset *ds, const struct group *g,
    const struct rqa_update *ru, struct out *o)
{
	const struct stored *r = &ds->records[g->members[ru->u.source_td]];
	const struct ws_plan *target = NULL;
	struct td *t = &o->t;
	struct err e;

	if (ru->u.source_td < CACHED && p->uses[ru->u.source_td] == 1)
		t = &p->cache[ru->u.source_td].t;	/* parsed and coded already, and used once */
	else
		parse_member(ws, t, ds, r, 0);
	for (size_t i = 0; i < p->n_flat; i++)
		if (p->flat[i].value == NULL && td_get(t, KEY(p->flat[i].key)) != NULL)
			td_hide(t, KEY(p->flat[i].key));
	for (size_t i = 0; i < p->n_flat; i++)
		if (p->flat[i].value != NULL
		    && td_set_json(t, KEY(p->flat[i].key), p->flat[i].value, strlen(p->flat[i].value), &e) == -1)
			fail_at(stored_where(ds, r), &e);
	for (size_t i = 0; i < ws->n_plans; i++) {
		const struct coding_plan *plan = ws->plans[i].plan;
		if (!ws->plans[i].rqa)
			continue;
		if (td_get(t, KEY(plan->raw_field)) != NULL)
			td_hide(t, KEY(plan->raw_field));
		if (plan->time_field != NULL && td_get(t, KEY(plan->time_field)) != NULL)
			td_hide(t, KEY(plan->time_field));
		if (strcmp(plan->raw_field, ru->target) == 0)
			target = &ws->plans[i];
	}
	if (td_set_json(t, KEY(ru->target), ru->u.message, strlen(ru->u.message), &e) == -1)
		fail_at(stored_where(ds, r), &e);
	if (target->plan->time_field != NULL
	    && td_set_json(t, KEY(target->plan->time_field), ru->u.timestamp, strlen(ru->u.timestamp), &e) == -1)
		fail_at(stored_where(ds, r), &e);
	td_set_str(t, KEY(target->source), KEY(ru->u.source));
	o->line.len = 0;
	td_write(t, &o->line, t->form, &o->meta);
	cli_out(&o->line);
	o->written++;
	o->moved += strcmp(ru->target, ru->u.source) != 0;
}

static void
correct_participant(struct ws *ws, struct participant *p, struct dataset *ds, const struct group *g,
    struct out *o)
{
	struct td *t = &o->t;
	struct err e;
	size_t last = g->n - 1;

	participant_reset(p);
	/* E.1–2, and E.4 for the messages that stay; the last member's survey answers for E.3. */
	for (size_t i = 0; i < g->n; i++) {
		const struct stored *r = &ds->records[g->members[i]];
		if (i < CACHED) {
			t = &p->cache[i].t;
			parse_member_into(ws, t, &p->cache[i].text, ds, r, 1);
		} else {
			t = &o->t;
			parse_member(ws, t, ds, r, 1);
		}
		for (size_t k = 0; i == 0 && k < ws->n_plans; k++) {
			const struct ws_plan *wp = &ws->plans[k];
			const char *target = NULL;
			enum move m;
			if (wp->rqa || wp->coda == NULL || td_get(t, KEY(wp->plan->raw_field)) == NULL)
				continue;
			if (move_of(ws, t, wp, &target, &m, &e) == -1)
				fail_at(stored_where(ds, r), &e);
			if (m != STAY)
				*PUSH(p->smoves, p->n_smoves, p->cap_smoves) = (struct survey_move){ wp, target };
		}
		for (size_t k = 0; k < ws->n_plans; k++) {
			const struct ws_plan *wp = &ws->plans[k];
			const char *target = NULL;
			enum move m;
			if (!wp->rqa || wp->coda == NULL || td_get(t, KEY(wp->plan->raw_field)) == NULL)
				continue;
			if (move_of(ws, t, wp, &target, &m, &e) == -1)
				fail_at(stored_where(ds, r), &e);
			if (m != STAY) {
				*PUSH(p->moves, p->n_moves, p->cap_moves) = (struct rqa_move){ i, wp, target };
				continue;
			}
			struct rqa_update *ru = PUSH(p->rqa, p->n_rqa, p->cap_rqa);
			ru->target = wp->plan->raw_field;
			if (make_update(p, t, wp->plan, i, &ru->u, &e) == -1)
				fail_at(stored_where(ds, r), &e);
		}
		if (i != last)
			continue;
		/* E.3: survey answers that stay come from the last member. */
		for (size_t k = 0; k < ws->n_plans; k++) {
			const struct ws_plan *wp = &ws->plans[k];
			struct survey_updates *s;
			int moving = 0;
			if (wp->rqa || wp->coda == NULL)
				continue;
			for (size_t j = 0; j < p->n_smoves; j++)
				moving |= strcmp(p->smoves[j].wp->plan->raw_field, wp->plan->raw_field) == 0;
			if (moving) {
				s = survey_list(p, wp->plan->raw_field, 1);
				s->n = 0;
			} else if (td_get(t, KEY(wp->plan->raw_field)) != NULL) {
				struct update u;
				if (make_update(p, t, wp->plan, last, &u, &e) == -1)
					fail_at(stored_where(ds, r), &e);
				s = survey_list(p, wp->plan->raw_field, 1);
				s->n = 0;
				*PUSH(s->v, s->n, s->cap) = u;
			}
		}
		/* E.5: survey answers moving elsewhere, with the last member's values and record. */
		for (size_t j = 0; j < p->n_smoves; j++) {
			struct update u;
			if (p->smoves[j].target == NULL)
				continue;
			if (make_update(p, t, p->smoves[j].wp->plan, last, &u, &e) == -1
			    || route(ws, p, p->smoves[j].target, &u, &e) == -1)
				fail_at(stored_where(ds, r), &e);
		}
	}
	/* E.6: RQA messages moving elsewhere; the reference copies the last member's record, not their own. */
	for (size_t j = 0; j < p->n_moves; j++) {
		const struct rqa_move *mv = &p->moves[j];
		const struct stored *r = &ds->records[g->members[mv->member]];
		struct update u;
		if (mv->target == NULL)
			continue;
		t = &o->t;
		parse_member(ws, t, ds, r, 0);
		if (make_update(p, t, mv->wp->plan, last, &u, &e) == -1 || route(ws, p, mv->target, &u, &e) == -1)
			fail_at(stored_where(ds, r), &e);
	}
	/* E.7: flatten the survey updates, in survey plan order. */
	for (size_t k = 0; k < ws->n_plans; k++) {
		const struct coding_plan *plan = ws->plans[k].plan;
		const char *msg = NULL, *ts = NULL, *src = NULL;
		struct survey_updates *s;
		if (ws->plans[k].rqa || (s = survey_list(p, plan->raw_field, 0)) == NULL)
			continue;
		if (s->n > 0) {
			const struct stored *r = &ds->records[g->members[last]];
			if ((msg = join_strings(p, s->v, s->n, 0, &e)) == NULL
			    || (ts = min_timestamp(s->v, s->n, &e)) == NULL
			    || (src = join_strings(p, s->v, s->n, 1, &e)) == NULL)
				fail_at(stored_where(ds, r), &e);
		}
		*PUSH(p->flat, p->n_flat, p->cap_flat) = (struct flat_entry){ plan->raw_field, msg };
		if (plan->time_field != NULL)
			*PUSH(p->flat, p->n_flat, p->cap_flat) = (struct flat_entry){ plan->time_field, ts };
		*PUSH(p->flat, p->n_flat, p->cap_flat) = (struct flat_entry){ ws->plans[k].source, src };
	}
	/* E.8 */
	memset(p->uses, 0, sizeof p->uses);
	for (size_t j = 0; j < p->n_rqa; j++)
		if (p->rqa[j].u.source_td < CACHED)
			p->uses[p->rqa[j].u.source_td]++;
	for (size_t j = 0; j < p->n_rqa; j++)
		emit(ws, p, ds, g, &p->rqa[j], o);
}

/* ---- setup ---- */

static char *
concat(const char *a, const char *b)
{
	char *s = xmalloc(strlen(a) + strlen(b) + 1);

	strcpy(s, a);
	strcat(s, b);
	return s;
}

/* Load every plan's coded Coda file once. Returns 0, or 1 when one is missing (the reference crashes). */
static int
load_codas(struct ws *ws, const char *coded_dir, char **missing)
{
	struct strmap loaded = { 0 };
	struct err e;

	ws->codas = xcalloc(ws->n_plans + 1, sizeof *ws->codas);
	for (size_t i = 0; i < ws->n_plans; i++) {
		struct ws_plan *wp = &ws->plans[i];
		const char *name = wp->plan->coda_filename;
		struct strmap_entry *en;
		char *path;
		int created;
		if (name == NULL)
			continue;
		en = strmap_put(&loaded, KEY(name), ws->n_codas, &created);
		if (created) {
			path = cj_path_join(coded_dir, name);
			if (coda_load(&ws->codas[ws->n_codas], path, 0, &e) == -1) {
				if (e.code == EX_NOINPUT && access(path, F_OK) == -1) {
					*missing = path;
					strmap_free(&loaded);
					return 1;
				}
				cli_fail(&e);
			}
			free(path);
			ws->n_codas++;
		}
		wp->coda = &ws->codas[en->value];
	}
	strmap_free(&loaded);
	/* Every label of every file against the schemes imported from it, before the first record is written. */
	for (size_t f = 0; f < ws->n_codas; f++) {
		const struct code_scheme **schemes = NULL;
		size_t n = 0;
		for (size_t i = 0; i < ws->n_plans; i++) {
			const struct coding_plan *plan = ws->plans[i].plan;
			if (ws->plans[i].coda != &ws->codas[f])
				continue;
			schemes = xrealloc(schemes, (n + plan->n_ccs + 2) * sizeof *schemes);
			for (size_t k = 0; k < plan->n_ccs; k++)
				schemes[n++] = plan->ccs[k].code_scheme;
			schemes[n++] = ws->wss;
		}
		if (coda_check_schemes(&ws->codas[f], schemes, n, &e) == -1)
			cli_fail(&e);
		free(schemes);
	}
	return 0;
}

static void
ws_free(struct ws *ws)
{
	for (size_t i = 0; i < ws->n_plans; i++) {
		struct ws_plan *wp = &ws->plans[i];
		free(wp->id_ws);
		free(wp->correct_ws);
		free(wp->source);
		for (size_t k = 0; k < wp->plan->n_ccs; k++)
			free(wp->cc_ws[k]);
		free(wp->cc_ws);
	}
	free(ws->plans);
	for (size_t i = 0; i < ws->n_codas; i++)
		coda_free(&ws->codas[i]);
	free(ws->codas);
	free(ws->unknown);
	coda_import_free(&ws->ci);
}

/* Records pass unchanged (WS correction off, or the reference would crash on a missing Coda file). */
static void
pass_through(int argc, char **argv, size_t max_record, const struct td_meta *meta)
{
	struct cli_in in;
	struct buf out = { 0 };

	cli_in_init(&in, argc, argv, max_record, 0);
	while (cli_in_next(&in)) {
		out.len = 0;
		td_write(&in.td, &out, in.td.form, meta);
		cli_out(&out);
	}
	cli_in_done(&in);
	buf_free(&out);
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *user = NULL, *coded_dir = NULL;
	struct cli_pipeline pl;
	struct ws ws = { 0 };
	struct dataset ds = { 0 };
	struct participant part = { 0 };
	struct out o = { 0 };
	size_t max_record = 0, n;
	int quiet = 0, verbose = 0, c;
	const struct coding_plan *all;
	char *missing = NULL;
	struct cli_in in;

	cli_init("ws-correct");
	while ((c = getopt_long(argc, argv, "c:p:s:u:qvh", longopts, NULL)) != -1) {
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
		case OPT_CODED_DIR:
			coded_dir = optarg;
			break;
		case 'u':
			user = optarg;
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
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if (config_path == NULL || coded_dir == NULL)
		cli_usage(usage);
	cli_pipeline_load(&pl, config_path, plans_path, schemes, 1);
	o.meta.user = cli_user(user);
	o.meta.source = cli_source();
	o.meta.timestamp = cli_now();

	if (!pl.cfg.move_ws_messages) {
		if (!quiet)
			cli_warn("%s: MoveWSMessages is false: records passed through unchanged", config_path);
		pass_through(argc - optind, argv + optind, max_record, &o.meta);
		goto done;
	}
	if ((ws.wss = plans_ws_scheme(&pl.plans)) == NULL)
		cli_die(EX_CONFIG, "%s: no WSCorrectDatasetScheme: WS correction needs one", plans_path);
	if ((ws.ce = scheme_code_by_control(ws.wss, "CE")) == NULL)
		cli_die(EX_CONFIG, "%s: the WS - Correct Dataset scheme has no CE control code", ws.wss->path);
	if (scheme_code_by_control(ws.wss, "NR") == NULL)
		cli_die(EX_CONFIG, "%s: the WS - Correct Dataset scheme has no NR control code", ws.wss->path);
	ws.quiet = quiet;
	ws.now = cli_now();
	ws.ci.origin = (struct label_origin){ "tdtools:ws-correct:import", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
	ws.ci.now = ws.now;
	ws.ce_origin = (struct label_origin){ "tdtools:ws-correct:coding-error", LABEL_AUTO_CODER_NAME,
	    LABEL_ORIGIN_EXTERNAL };
	/* RQA + SURVEY plans: every plan, RQA first. */
	all = plans_all(&pl.plans, &n);
	ws.plans = xcalloc(n + 1, sizeof *ws.plans);
	ws.n_plans = n;
	for (size_t i = 0; i < n; i++) {
		struct ws_plan *wp = &ws.plans[i];
		wp->plan = &all[i];
		wp->rqa = all[i].group == PLAN_RQA;
		wp->id_ws = concat(all[i].id_field, "_WS");
		wp->correct_ws = concat(all[i].raw_field, "_WS_correct_dataset");
		wp->source = concat(all[i].raw_field, "_source");
		wp->cc_ws = xcalloc(all[i].n_ccs + 1, sizeof *wp->cc_ws);
		for (size_t k = 0; k < all[i].n_ccs; k++)
			wp->cc_ws[k] = concat(all[i].ccs[k].coded_field, "_WS");
	}
	if (load_codas(&ws, coded_dir, &missing)) {
		if (!quiet)
			cli_warn("%s: no such file: no WS correction before every coded Coda file exists (first run?); "
			    "records passed through unchanged", missing);
		free(missing);
		pass_through(argc - optind, argv + optind, max_record, &o.meta);
		goto done;
	}

	/* The reference groups the whole data set by uid: read it all, keeping each record as its text. */
	cli_in_init(&in, argc - optind, argv + optind, max_record, 0);
	while (cli_in_next(&in))
		dataset_add(&ds, &in);
	cli_in_done(&in);
	dataset_seal(&ds);
	for (size_t i = 0; i < ds.n_groups; i++)
		correct_participant(&ws, &part, &ds, &ds.groups[i], &o);

	if (ws.n_unknown > 0 && !quiet) {
		cli_warn("WS - Correct Dataset codes with no matching coding plan (their messages were dropped):");
		for (size_t i = 0; i < ws.n_unknown; i++)
			cli_warn("  '%s' (DisplayText '%s') (%lu occurrence%s)", ws.unknown[i].code->code_id,
			    ws.unknown[i].code->display_text, ws.unknown[i].count, ws.unknown[i].count == 1 ? "" : "s");
	}
	if (verbose && !quiet)
		cli_warn("%zu records from %zu participants, %lu written, %lu moved, %lu coding errors", ds.n,
		    ds.n_groups, o.written, o.moved, ws.coding_errors);
done:
	td_free(&o.t);
	buf_free(&o.line);
	participant_free(&part);
	dataset_free(&ds);
	ws_free(&ws);
	cli_pipeline_free(&pl);
	cli_exit(0);
}
