/* td-join: the load step — one record per activation message, with the participant's survey answers nested. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config/config.h"
#include "records.h"
#include "util/spool.h"
#include "util/strmap.h"

static const char usage[] =
    "td-join [-qv] [-k KEY] [-u USER] [--max-record SIZE] (-c CONFIG -r RAW-DATA-DIR | --activation FILE ... "
    "[--survey FILE ...])";

static const char help[] =
    "usage: td-join [-qv] [-k KEY] [-u USER] [--max-record SIZE]\n"
    "               (-c CONFIG -r RAW-DATA-DIR | --activation FILE ... [--survey FILE ...])\n"
    "Load raw TracedData: every activation record, in flow order then file order, with the answers of the\n"
    "same participant in each survey flow nested under \"survey_responses/<flow>\".\n"
    "\n"
    "  -c, --config FILE      the pipeline configuration: its activation and survey flows\n"
    "  -r, --raw-dir DIR      where the flows' <name>.jsonl files are (with -c)\n"
    "      --activation FILE  an activation flow's records (repeatable; instead of -c/-r)\n"
    "      --survey FILE      a survey flow's records (repeatable)\n"
    "  -k, --key KEY          the participant key joined on (default avf_phone_id)\n"
    "  -u, --user USER        Metadata.User of the entries made (default $TD_USER, $USER@host)\n"
    "      --max-record N     refuse records longer than N bytes (default 256M)\n"
    "  -v, --verbose          print counts on standard error\n"
    "  -q, --quiet            print nothing but errors\n"
    "  -h, --help             this help\n"
    "      --version          print the version\n"
    "\n"
    "Exit status: 0 ok, 64 usage, 65 bad record, 66 input missing, 78 bad configuration.\n";

enum { OPT_ACTIVATION = 2000, OPT_SURVEY, OPT_VERSION };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "raw-dir", required_argument, NULL, 'r' },
	{ "activation", required_argument, NULL, OPT_ACTIVATION },
	{ "survey", required_argument, NULL, OPT_SURVEY },
	{ "key", required_argument, NULL, 'k' },
	{ "user", required_argument, NULL, 'u' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* A participant's survey record, as text in the spool file (memory holds no survey data). */
struct stored {
	uint64_t off;
	size_t len;
};

/* One survey flow, coalesced: the first record of each participant with later ones appended to it. */
struct survey {
	char *flow;		/* the flow name, for the nested key */
	char *nest_key;		/* "survey_responses/<flow>" */
	struct strmap ids;	/* participant id -> index into texts */
	struct stored *texts;	/* each participant's record */
	size_t n, cap;
	struct td td;		/* parsed for nesting, per activation record */
	struct buf text;	/* the record td was parsed from */
};

/* The survey records of every flow, in an unlinked temporary file. */
static int spool = -1;
static uint64_t spooled;

static void
spool_put(struct stored *st, const char *p, size_t n)
{
	struct err e;
	ssize_t w;

	if (spool == -1 && (spool = spool_create(&e)) == -1)
		cli_fail(&e);
	for (size_t done = 0; done < n; done += (size_t)w) {
		w = pwrite(spool, p + done, n - done, (off_t)(spooled + done));
		if (w == -1 && errno == EINTR)
			w = 0;
		else if (w <= 0)
			cli_die(EX_IOERR, "cannot spool the survey records: %s", w == -1 ? strerror(errno) : "no space");
	}
	st->off = spooled;
	st->len = n;
	spooled += n;
}

static void
spool_get(const struct stored *st, struct buf *b)
{
	b->len = 0;
	buf_reserve(b, st->len + 1);
	if (spool_read_at(spool, b->p, st->len, st->off) == -1)
		cli_die(EX_IOERR, "cannot read the spooled survey records: %s", errno ? strerror(errno) : "short read");
	b->len = st->len;
}

struct list {
	char **v;
	size_t n;
};

static void
list_add(struct list *l, char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = s;
}

/*
 * The participant id as a lookup key with Python's dict semantics: "7" and 7 differ, while 1, 1.0 and true are
 * one key. A type letter goes first: s for strings, n for numbers and booleans (an integral value as its
 * integer digits, else its float repr), z for null, j (canonical JSON) for anything else.
 */
static const char *
participant_id(struct td *t, const char *key, struct buf *scratch, size_t *len)
{
	const struct td_val *v = td_get(t, key, strlen(key));
	const struct json_node *n;
	size_t slen;
	const char *s;

	if (v == NULL)
		return NULL;
	n = &v->doc->nodes[v->idx];
	scratch->len = 0;
	switch (n->type) {
	case JV_STRING:
		s = json_str(v->doc, v->idx, &slen);
		buf_addc(scratch, 's');
		buf_add(scratch, s, slen);
		break;
	case JV_TRUE:
	case JV_FALSE:
		buf_add(scratch, n->type == JV_TRUE ? "n1" : "n0", 2);
		break;
	case JV_INT:
		buf_addc(scratch, 'n');
		json_number_text(scratch, v->doc, v->idx);
		break;
	case JV_FLOAT: {
		char text[64], digits[400];
		struct buf f = { 0 };
		json_number_text(&f, v->doc, v->idx);
		buf_addc(&f, '\0');
		double d = strtod(f.p, NULL);
		buf_free(&f);
		buf_addc(scratch, 'n');
		if (isfinite(d) && d == floor(d)) {
			snprintf(digits, sizeof digits, "%.0f", d);
			buf_adds(scratch, strcmp(digits, "-0") == 0 ? "0" : digits);
		} else {
			buf_add(scratch, text, json_float_repr(d, text));
		}
		break;
	}
	case JV_NULL:
		buf_addc(scratch, 'z');
		break;
	default:
		buf_addc(scratch, 'j');
		json_encode(scratch, v->doc, v->idx, 0);
		break;
	}
	*len = scratch->len;
	return scratch->p;
}

static char *
flow_name_of(const char *path)
{
	char *copy = xstrdup(path), *base = basename(copy), *name, *dot;

	name = xstrdup(base);
	if ((dot = strchr(name, '.')) != NULL)
		*dot = '\0';
	free(copy);
	return name;
}

/*
 * Coalesce a survey flow by participant (pipeline.md §5.1): keep the first record of each id, in order of first
 * appearance; a later record of the same id is merged in by appending all of its latest values.
 */
static void
load_survey(struct survey *s, const char *path, const char *key, size_t max_record, const struct td_meta *m)
{
	struct cli_in in;
	char *files[1] = { (char *)path };
	struct td merged = { 0 };
	struct buf scratch = { 0 }, kept_text = { 0 }, out = { 0 };
	struct err e;

	cli_in_init(&in, 1, files, max_record, 0);
	while (cli_in_next(&in)) {
		size_t idlen;
		const char *id = participant_id(&in.td, key, &scratch, &idlen);
		struct strmap_entry *ent;
		int created;

		if (id == NULL) {
			err_set(&e, EX_DATAERR, "no \"%s\" to join on", key);
			cli_in_fail(&in, &e);
		}
		ent = strmap_put(&s->ids, id, idlen, s->n, &created);
		if (created) {
			if (s->n == s->cap) {
				s->cap = s->cap ? s->cap * 2 : 64;
				s->texts = xrealloc(s->texts, s->cap * sizeof *s->texts);
			}
			spool_put(&s->texts[s->n], in.td.line, in.td.len);
			s->n++;
			continue;
		}
		struct stored *kept = &s->texts[ent->value];
		const struct td_item *it;
		spool_get(kept, &kept_text);
		if (td_parse(&merged, kept_text.p, kept_text.len, &e) == -1)
			cli_in_fail(&in, &e);
		for (size_t cur = 0; td_next_item(&in.td, &cur, &it);)
			td_set(&merged, it->key, it->klen, it->val);
		out.len = 0;
		td_write(&merged, &out, merged.form, m);
		out.len--;	/* td_write ends the line */
		spool_put(kept, out.p, out.len);
	}
	cli_in_done(&in);
	td_free(&merged);
	buf_free(&scratch);
	buf_free(&kept_text);
	buf_free(&out);
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *raw_dir = NULL, *key = "avf_phone_id", *user = NULL;
	struct list activation = { 0 }, surveys = { 0 };
	struct pipeline_config cfg = { 0 };
	struct survey *sv;
	size_t max_record = 0, nsv;
	int quiet = 0, verbose = 0, c, from_config;
	struct td_meta meta;
	struct buf out = { 0 }, scratch = { 0 };
	struct err e;
	unsigned long joined = 0;

	cli_init("td-join");
	while ((c = getopt_long(argc, argv, "c:r:k:u:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'r':
			raw_dir = optarg;
			break;
		case OPT_ACTIVATION:
			list_add(&activation, xstrdup(optarg));
			break;
		case OPT_SURVEY:
			list_add(&surveys, xstrdup(optarg));
			break;
		case 'k':
			key = optarg;
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
		case CLI_OPT_SKIP_BAD:
			cli_die(EX_USAGE, "--skip-bad is not supported: a join needs every record");
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if (optind != argc)
		cli_usage(usage);
	from_config = config_path != NULL;
	if (from_config != (raw_dir != NULL) || (from_config && (activation.n || surveys.n)) ||
	    (!from_config && activation.n == 0))
		cli_usage(usage);
	if (from_config) {
		const struct str_list *fl;
		if (config_load(&cfg, config_path, &e) == -1)
			cli_fail(&e);
		fl = config_activation_flows(&cfg);
		for (size_t i = 0; i < fl->n; i++) {
			char *p = xmalloc(strlen(raw_dir) + strlen(fl->v[i]) + 8);
			sprintf(p, "%s/%s.jsonl", raw_dir, fl->v[i]);
			list_add(&activation, p);
		}
		fl = config_survey_flows(&cfg);
		for (size_t i = 0; i < fl->n; i++) {
			char *p = xmalloc(strlen(raw_dir) + strlen(fl->v[i]) + 8);
			sprintf(p, "%s/%s.jsonl", raw_dir, fl->v[i]);
			list_add(&surveys, p);
		}
	}
	meta.user = cli_user(user);
	meta.source = cli_source();
	meta.timestamp = cli_now();

	nsv = surveys.n;
	sv = xcalloc(nsv + 1, sizeof *sv);
	for (size_t i = 0; i < nsv; i++) {
		sv[i].flow = flow_name_of(surveys.v[i]);
		sv[i].nest_key = xmalloc(strlen(sv[i].flow) + 20);
		sprintf(sv[i].nest_key, "survey_responses/%s", sv[i].flow);
		load_survey(&sv[i], surveys.v[i], key, max_record, &meta);
	}

	struct cli_in in;
	cli_in_init(&in, (int)activation.n, activation.v, max_record, 0);
	while (cli_in_next(&in)) {
		size_t idlen = 0;
		const char *id = NULL;
		/* Without survey flows (Facebook) there is nothing to join on, and no key is needed. */
		if (nsv > 0 && (id = participant_id(&in.td, key, &scratch, &idlen)) == NULL) {
			err_set(&e, EX_DATAERR, "no \"%s\" to join on", key);
			cli_in_fail(&in, &e);
		}
		/* The id's bytes may live in scratch, which the lookups below do not touch. */
		for (size_t i = 0; i < nsv; i++) {
			struct strmap_entry *ent = strmap_get(&sv[i].ids, id, idlen);
			if (ent == NULL)
				continue;
			spool_get(&sv[i].texts[ent->value], &sv[i].text);
			if (td_parse(&sv[i].td, sv[i].text.p, sv[i].text.len, &e) == -1)
				cli_in_fail(&in, &e);
			if (td_nest(&in.td, sv[i].nest_key, strlen(sv[i].nest_key), &sv[i].td, &meta, &e) == -1) {
				err_prefix(&e, "survey flow %s", sv[i].flow);
				cli_in_fail(&in, &e);
			}
			joined++;
		}
		out.len = 0;
		td_write(&in.td, &out, in.td.form, &meta);
		cli_out(&out);
	}
	if (verbose && !quiet)
		cli_warn("%lu activation records, %lu survey answers joined", in.records, joined);
	cli_in_done(&in);

	for (size_t i = 0; i < nsv; i++) {
		free(sv[i].texts);
		buf_free(&sv[i].text);
		strmap_free(&sv[i].ids);
		td_free(&sv[i].td);
		free(sv[i].flow);
		free(sv[i].nest_key);
	}
	free(sv);
	for (size_t i = 0; i < activation.n; i++)
		free(activation.v[i]);
	for (size_t i = 0; i < surveys.n; i++)
		free(surveys.v[i]);
	free(activation.v);
	free(surveys.v);
	buf_free(&out);
	buf_free(&scratch);
	config_free(&cfg);
	if (spool != -1)
		close(spool);
	cli_exit(0);
}
