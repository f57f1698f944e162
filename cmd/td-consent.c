/* td-consent: mark the records of participants who sent STOP (pipeline.md §5.8 step 2), and redact them (step 5). */
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
#include "pipeline.h"
#include "records.h"
#include "util/strmap.h"

static const char usage[] =
    "td-consent [-qv] [--redact] -c CONFIG [-p PLANS] [-s DIR] [-u USER] [--max-record SIZE] [--skip-bad] "
    "[file ...]";

static const char help[] =
    "usage: td-consent [-qv] [--redact] -c CONFIG [-p PLANS] [-s DIR] [-u USER] [--max-record SIZE]\n"
    "                  [--skip-bad] [file ...]\n"
    "Set consent_withdrawn to \"true\" on every record of a participant (uid) who has a STOP label in any coded\n"
    "field of the coding plans, and to \"false\" on all others, as the reference's determine_consent_withdrawn.\n"
    "The input is read twice (standard input and pipes are spooled to an unlinked file in $TMPDIR).\n"
    "\n"
    "  -c, --config FILE    pipeline configuration (locates the coding plans)\n"
    "  -p, --plans FILE     coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR    code schemes directory (default: the config's CodeSchemesDir)\n"
    "      --redact         also set every other value of a withdrawn participant's records to \"STOP\",\n"
    "                       uid included (the reference's set_stopped)\n"
    "  -u, --user USER      Metadata.User of the entries made (default $TD_USER, $USER@host)\n"
    "      --max-record N   refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad       skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet          print nothing but errors\n"
    "  -v, --verbose        print counts on standard error\n"
    "  -h, --help           this help\n"
    "      --version        print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record, 66 input missing, 73 cannot create the spool file,\n"
    "74 I/O error, 78 bad configuration.\n";

enum { OPT_REDACT = 2000, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "redact", no_argument, NULL, OPT_REDACT },
	{ "user", required_argument, NULL, 'u' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

#define KEY(s) (s), strlen(s)

#define CONSENT_KEY "consent_withdrawn"
/* td-fold's provenance key stands for the reference's nested folded_with, which set_stopped does not touch. */
#define FOLDED_SHAS_KEY "_FoldedTracedDataSHAs"

/* One input, kept open (a regular file, or the spool of a pipe) for the second pass. */
struct input {
	char *name;
	int fd;
	uint64_t base;		/* where the records start: standard input may be a file read in part */
};

struct consent {
	const struct coding_plan *plans;
	size_t n_plans;
	int redact, skip_bad, quiet, verbose;
	size_t max_record;
	struct input *inputs;
	size_t n_inputs;
	struct strmap withdrawn;	/* uids (as canonical JSON) with a STOP label */
	struct strmap participants;	/* every uid, for -v */
	int coded_seen;			/* some record had a coded field of the plans */
	struct buf uid;			/* the current record's uid as canonical JSON */
	struct td td;
	unsigned long records, skipped;
};

/* First pass: open arg, spooling it when it cannot be read twice, and keep a descriptor for the second. */
static void
open_input(struct consent *c, const char *arg, struct ndjson_reader *r)
{
	struct input *in;
	struct err e;
	uint64_t base = 0;

	if (ndjson_open_rereadable(r, arg, c->max_record, &base, &e) == -1)
		cli_fail(&e);
	c->inputs = xrealloc(c->inputs, (c->n_inputs + 1) * sizeof *c->inputs);
	in = &c->inputs[c->n_inputs++];
	in->name = xstrdup(r->name);
	in->base = base;
	if ((in->fd = dup(r->fd)) == -1) {
		err_set(&e, EX_IOERR, "%s: %s", r->name, strerror(errno));
		ndjson_close(r);
		cli_fail(&e);
	}
}

/* Second pass: a reader on the kept descriptor, from where the first pass started. */
static void
reopen_input(struct consent *c, struct input *in, struct ndjson_reader *r)
{
	struct err e;
	int fd;

	if (lseek(in->fd, (off_t)in->base, SEEK_SET) == -1)
		cli_die(EX_IOERR, "%s: cannot read it again: %s", in->name, strerror(errno));
	if ((fd = dup(in->fd)) == -1)
		cli_die(EX_IOERR, "%s: %s", in->name, strerror(errno));
	if (ndjson_open_fd(r, fd, in->name, c->max_record, &e) == -1)
		cli_fail(&e);
}

/* 1 if the label at d[i] names a code whose control code is STOP (get_code_with_code_id(...).control_code). */
static int
label_is_stop(const struct coding_config *cc, struct json_doc *d, uint32_t i, struct err *e)
{
	struct label_view l;
	const struct code *code;

	if (d->nodes[i].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "\"%s\": expected a label (a JSON object with a CodeID)", cc->coded_field);
	label_read(d, i, &l);
	if (l.code_id == NULL)
		return err_set(e, EX_DATAERR, "\"%s\": a label without a CodeID", cc->coded_field);
	if ((code = label_code(cc->code_scheme, &l)) == NULL)
		return err_set(e, EX_DATAERR, "\"%s\": code id '%.*s' is not in code scheme %s (%s)", cc->coded_field,
		    (int)l.code_id_len, l.code_id, cc->code_scheme->scheme_id, cc->code_scheme->path);
	return code->control_code != NULL && strcmp(code->control_code, "STOP") == 0;
}

/*
 * The reference's td_has_stop_code over every plan and coding configuration. A coded field the record does not
 * hold (or holds as null) has nothing to withdraw; td-fold's output lacks the fields it does not fold.
 */
static int
has_stop_code(struct consent *c, struct td *t, struct err *e)
{
	for (size_t p = 0; p < c->n_plans; p++) {
		const struct coding_plan *plan = &c->plans[p];
		for (size_t k = 0; k < plan->n_ccs; k++) {
			const struct coding_config *cc = &plan->ccs[k];
			const struct td_val *v = td_get(t, KEY(cc->coded_field));
			struct json_doc *d;
			int rc;

			if (v == NULL || v->doc->nodes[v->idx].type == JV_NULL)
				continue;
			c->coded_seen = 1;
			d = v->doc;
			if (cc->coding_mode == CODING_SINGLE) {
				if ((rc = label_is_stop(cc, d, v->idx, e)) != 0)
					return rc;
				continue;
			}
			if (d->nodes[v->idx].type != JV_ARRAY)
				return err_set(e, EX_DATAERR, "\"%s\": expected a list of labels (CodingMode MULTIPLE)",
				    cc->coded_field);
			for (uint32_t i = v->idx + 1; i < d->nodes[v->idx].next; i = d->nodes[i].next)
				if ((rc = label_is_stop(cc, d, i, e)) != 0)
					return rc;
		}
	}
	return 0;
}

/*
 * Whether the record stops its participant: it is already marked withdrawn (so that re-running on the tool's own
 * output, or on td-fold's, never takes consent back), or a coded field holds STOP. c->uid receives the uid.
 */
static int
record_stops(struct consent *c, struct td *t, struct err *e)
{
	const struct td_val *uid = td_get(t, KEY("uid"));
	size_t len;
	const char *cw;

	if (uid == NULL)
		return err_set(e, EX_DATAERR, "no \"uid\" (expected the participant's id)");
	c->uid.len = 0;
	json_encode(&c->uid, uid->doc, uid->idx, 0);
	if ((cw = td_get_str(t, KEY(CONSENT_KEY), &len)) != NULL && len == 4 && memcmp(cw, "true", 4) == 0)
		return 1;
	return has_stop_code(c, t, e);
}

static void
skip_record(struct consent *c, const char *where, struct err *e)
{
	if (!c->skip_bad) {
		err_prefix(e, "%s", where);
		cli_fail(e);
	}
	c->skipped++;
	if (!c->quiet)
		cli_warn("%s: %s (skipped)", where, e->msg);
}

/* Pass 1: the set of withdrawn uids. Bad records are only reported by pass 2. */
static void
find_withdrawn(struct consent *c, int nargs, char **args)
{
	for (int a = 0; a < (nargs ? nargs : 1); a++) {
		struct ndjson_reader r;
		const char *line;
		size_t len;
		struct err e;
		int rc;

		open_input(c, nargs ? args[a] : "-", &r);
		while ((rc = ndjson_next(&r, &line, &len, &e)) != 0) {
			if (rc == -1) {
				if (c->skip_bad && strstr(e.msg, "blank line") != NULL)
					continue;
				ndjson_close(&r);
				cli_fail(&e);
			}
			if (td_parse(&c->td, line, len, &e) == -1 || (rc = record_stops(c, &c->td, &e)) == -1) {
				if (c->skip_bad)
					continue;
				err_prefix(&e, "%s", ndjson_where(&r));
				ndjson_close(&r);
				cli_fail(&e);
			}
			if (rc == 1)
				strmap_put(&c->withdrawn, c->uid.p, c->uid.len, 0, NULL);
			if (c->verbose)
				strmap_put(&c->participants, c->uid.p, c->uid.len, 0, NULL);
		}
		ndjson_close(&r);
	}
}

static int
has_str(struct td *t, const char *key, const char *value)
{
	size_t len;
	const char *s = td_get_str(t, KEY(key), &len);

	return s != NULL && len == strlen(value) && memcmp(s, value, len) == 0;
}

/* set_stopped: every visible key but consent_withdrawn becomes "STOP" (keys that already are stay as they are). */
static void
redact(struct td *t)
{
	const struct td_item *it;
	const struct td_val *stop = NULL;
	struct td_val stop_val;
	size_t n = 0, cap = 64, cur = 0;
	struct { const char *key; size_t klen; } *keys = xmalloc(cap * sizeof *keys);

	/* Collect first: setting values while walking the view would move under the cursor. */
	while (td_next_item(t, &cur, &it)) {
		if ((it->klen == strlen(CONSENT_KEY) && memcmp(it->key, CONSENT_KEY, it->klen) == 0) ||
		    (it->klen == strlen(FOLDED_SHAS_KEY) && memcmp(it->key, FOLDED_SHAS_KEY, it->klen) == 0))
			continue;
		if (it->val.doc->nodes[it->val.idx].type == JV_STRING &&
		    json_str_eq(it->val.doc, it->val.idx, "STOP", 4))
			continue;
		if (n == cap)
			keys = xrealloc(keys, (cap *= 2) * sizeof *keys);
		keys[n].key = it->key;
		keys[n].klen = it->klen;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		if (stop == NULL) {
			td_set_str(t, keys[i].key, keys[i].klen, KEY("STOP"));
			stop_val = *td_get(t, keys[i].key, keys[i].klen);
			stop = &stop_val;
		} else {
			td_set(t, keys[i].key, keys[i].klen, *stop);
		}
	}
	free(keys);
}

/* Pass 2: mark (and redact) every record, one history entry each. */
static void
write_marked(struct consent *c, const struct td_meta *meta, unsigned long *n_withdrawn)
{
	struct buf out = { 0 };

	for (size_t a = 0; a < c->n_inputs; a++) {
		struct ndjson_reader r;
		const char *line;
		size_t len;
		struct err e;
		int rc;

		reopen_input(c, &c->inputs[a], &r);
		while ((rc = ndjson_next(&r, &line, &len, &e)) != 0) {
			int withdrawn;

			if (rc == -1) {
				if (c->skip_bad && strstr(e.msg, "blank line") != NULL) {
					c->skipped++;
					if (!c->quiet)
						cli_warn("%s (skipped)", e.msg);
					continue;
				}
				ndjson_close(&r);
				cli_fail(&e);
			}
			if (td_parse(&c->td, line, len, &e) == -1 || record_stops(c, &c->td, &e) == -1) {
				skip_record(c, ndjson_where(&r), &e);
				continue;
			}
			c->records++;
			withdrawn = strmap_get(&c->withdrawn, c->uid.p, c->uid.len) != NULL;
			*n_withdrawn += withdrawn;
			/* Only changes are written: a record already marked (and redacted) passes through as it is. */
			if (!has_str(&c->td, CONSENT_KEY, withdrawn ? "true" : "false"))
				td_set_str(&c->td, KEY(CONSENT_KEY), withdrawn ? "true" : "false", withdrawn ? 4 : 5);
			if (withdrawn && c->redact)
				redact(&c->td);
			out.len = 0;
			td_write(&c->td, &out, c->td.form, meta);
			cli_out(&out);
		}
		ndjson_close(&r);
	}
	buf_free(&out);
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *user = NULL;
	struct cli_pipeline pl;
	struct consent c;
	struct td_meta meta;
	unsigned long n_withdrawn = 0;
	int opt;

	memset(&c, 0, sizeof c);
	cli_init("td-consent");
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
		case OPT_REDACT:
			c.redact = 1;
			break;
		case 'q':
			c.quiet = 1;
			break;
		case 'v':
			c.verbose = 1;
			break;
		case CLI_OPT_MAX_RECORD:
			c.max_record = cli_max_record_arg(optarg);
			break;
		case CLI_OPT_SKIP_BAD:
			c.skip_bad = 1;
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
	/* RQA + survey plans: every plan. */
	c.plans = plans_all(&pl.plans, &c.n_plans);
	meta.user = cli_user(user);
	meta.source = cli_source();
	meta.timestamp = cli_now();

	find_withdrawn(&c, argc - optind, argv + optind);
	write_marked(&c, &meta, &n_withdrawn);
	if (c.records > 0 && !c.coded_seen && !c.quiet)
		cli_warn("no record holds a coded field of the plans: every record was marked \"false\" "
		    "(expected labels from coda-merge)");
	if (c.verbose && !c.quiet)
		cli_warn("%lu records, %zu participants, %zu withdrawn (%lu records%s)", c.records,
		    c.participants.n, c.withdrawn.n, n_withdrawn, c.redact ? " redacted" : "");
	if (c.skipped && !c.quiet)
		cli_warn("skipped %lu bad record%s", c.skipped, c.skipped == 1 ? "" : "s");
	for (size_t i = 0; i < c.n_inputs; i++) {
		close(c.inputs[i].fd);
		free(c.inputs[i].name);
	}
	free(c.inputs);
	strmap_free(&c.withdrawn);
	strmap_free(&c.participants);
	buf_free(&c.uid);
	td_free(&c.td);
	cli_pipeline_free(&pl);
	cli_exit(0);
}
