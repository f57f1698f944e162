/* td-analyse: the automated-analysis CSVs of stage 5 (pipeline.md §6; CoreDataModules v0.15.2 analysis/),
 * from the messages and individuals TracedData of stage 3. A sink: it writes CSV files into --outdir. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
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
#include "util/csv.h"
#include "util/isotime.h"
#include "util/pyrand.h"
#include "util/spool.h"

static const char usage[] =
    "td-analyse [-q] -c CONFIG [-p PLANS] [-s DIR] -d DIR [--metrics-dir DIR] [--seed N] [--max-record SIZE] "
    "[--skip-bad] MESSAGES INDIVIDUALS";

static const char help[] =
    "usage: td-analyse [-q] -c CONFIG [-p PLANS] [-s DIR] -d DIR [--metrics-dir DIR] [--seed N]\n"
    "                  [--max-record SIZE] [--skip-bad] MESSAGES INDIVIDUALS\n"
    "Write the automated-analysis CSVs of the messages and individuals TracedData (stage 3's\n"
    "messages_traced_data.jsonl and individuals_traced_data.jsonl) into DIR: engagement_counts.csv,\n"
    "repeat_participations.csv, theme_distributions.csv, demographic_distributions.csv,\n"
    "sample_messages.csv, traffic_analysis.csv (when the config has TrafficLabels),\n"
    "estimated_engagement_types.csv and loyalty.csv. Each file appears whole, and none is written unless\n"
    "both inputs could be read.\n"
    "\n"
    "  -c, --config FILE      the pipeline configuration (PipelineName, TrafficLabels, coding plans)\n"
    "  -p, --plans FILE       coding plans (default: the config's CodingPlans)\n"
    "  -s, --schemes DIR      code schemes directory (default: the config's CodeSchemesDir)\n"
    "  -d, --outdir DIR       where the CSVs go (created if missing)\n"
    "      --metrics-dir DIR  copy every file of DIR (stage 2's Engagement Metrics) into the outdir;\n"
    "                         a missing DIR copies nothing\n"
    "      --seed N           seed of the sample of up to 100 messages per code (default 0)\n"
    "      --max-record N     refuse records longer than N bytes (default 256M)\n"
    "      --skip-bad         skip bad records (counted on stderr) instead of stopping\n"
    "  -q, --quiet            print nothing but errors\n"
    "  -h, --help             this help\n"
    "      --version          print the version\n"
    "\n"
    "MESSAGES or INDIVIDUALS may be - for standard input (not both).\n"
    "Exit status: 0 ok, 64 usage, 65 bad record, 66 input missing, 73 cannot create an output file,\n"
    "74 I/O error, 78 bad configuration.\n";

enum { OPT_VERSION = 2000, OPT_METRICS_DIR, OPT_SEED };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "plans", required_argument, NULL, 'p' },
	{ "schemes", required_argument, NULL, 's' },
	{ "outdir", required_argument, NULL, 'd' },
	{ "metrics-dir", required_argument, NULL, OPT_METRICS_DIR },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	CLI_RECORD_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

#define KEY(s) (s), strlen(s)
#define CONSENT_KEY "consent_withdrawn"
#define TIME_KEY "sent_on"			/* automated_analysis.py passes "sent_on" to the traffic analysis */
#define FACEBOOK_PIPELINE "USAID-IBTCI-Facebook"
#define SAMPLE_LIMIT 100			/* limit_per_code of the reference's sample_messages call */
#define MAX_LOYALTY_DATASETS 24			/* loyalty.csv has 2^N - 1 rows */

/* An analysis configuration (analysis_utils.AnalysisConfiguration): one coded field read through its scheme. */
struct ac {
	const char *name;			/* dataset_name = the cc's analysis_file_key ("" when it has none) */
	const char *raw_field;
	const char *coded_field;
	const struct code_scheme *scheme;
	int *nonstop;				/* by code index: position among the non-STOP codes, or -1 for STOP */
	size_t n_nonstop;
};

/* A record's codes under one AC, and the predicates of analysis_utils. */
struct ac_codes {
	const struct code **codes;
	size_t n, cap;
	int responded, labelled, relevant;
};

/* A sample candidate: where the message is in the (re-readable) messages input. */
struct cand {
	uint64_t off;
	size_t len;
};

struct cand_list {
	struct cand *v;
	size_t n, cap;
};

/* One theme distribution table: rows (Total Relevant Participants, then each non-STOP theme code) by columns
 * (Total Participants, then each non-STOP code of each breakdown AC). */
struct theme_table {
	unsigned long *cells;			/* rows × cols */
	size_t rows, cols;
};

struct analysis {
	struct cli_pipeline pl;
	int quiet, skip_bad;
	size_t max_record;
	unsigned long skipped;

	struct ac *rqa;				/* theme ACs: the RQA plans' (engagement counts, themes, samples) */
	size_t n_rqa;
	struct ac *pac;				/* one per RQA plan: its first coding configuration (loyalty, engagement types) */
	size_t n_pac;
	struct ac *survey;			/* breakdown ACs: the survey plans' */
	size_t n_survey;
	struct ac *demog;			/* demographic ACs */
	size_t n_demog;
	struct ac_codes *rqa_c, *pac_c, *survey_c, *demog_c;

	/* engagement_counts */
	unsigned long n_messages, n_individuals;
	unsigned long *m_opt, *m_lab, *m_rel, *i_opt, *i_rel;
	unsigned long m_any_opt, m_any_lab, m_any_rel, i_any_opt, i_any_rel;
	/* repeat_participations: by number of RQA ACs opted in to */
	unsigned long *repeat;
	/* theme and demographic distributions */
	struct theme_table *themes, *demogs;
	size_t *breakdown_col;			/* by survey AC: its first column in the theme tables */
	size_t n_breakdown_cols;
	size_t *cols_tmp;			/* one individual's breakdown columns */
	size_t n_cols_tmp, cap_cols_tmp;
	/* traffic */
	struct isotime *tl_start, *tl_end;
	unsigned long *t_opt, *t_rel;
	/* estimated engagement types: pairs of (engagement plan i, RQA plan i) */
	size_t n_pairs;
	unsigned long **e_opt, **e_rel;		/* [pair][cc * n_codes + code index] */
	long **eng_idx;				/* [pair][cc]: the message's engagement code index */
	/* samples: [rqa ac][code index] */
	struct cand_list **cands;
	/* loyalty: by bit mask over the RQA plans */
	unsigned long *loyalty;
	size_t n_loyalty;
};

static int
is_control(const struct code *c, const char *cc)
{
	return c->control_code != NULL && strcmp(c->control_code, cc) == 0;
}

static void
ac_init(struct ac *a, const struct coding_plan *p, const struct coding_config *cc)
{
	const struct code_scheme *s = cc->code_scheme;

	a->name = cc->analysis_file_key != NULL ? cc->analysis_file_key : "";
	a->raw_field = p->raw_field;
	a->coded_field = cc->coded_field;
	a->scheme = s;
	a->nonstop = xcalloc(s->n_codes ? s->n_codes : 1, sizeof *a->nonstop);
	a->n_nonstop = 0;
	for (size_t i = 0; i < s->n_codes; i++)
		a->nonstop[i] = is_control(&s->codes[i], "STOP") ? -1 : (int)a->n_nonstop++;
}

/* coding_plans_to_analysis_configurations: every cc in the theme distribution; for the Facebook pipeline only
 * each plan's first cc (automated_analysis.py). */
static struct ac *
plans_acs(const struct coding_plan *p, size_t n, int first_only, size_t *n_out)
{
	struct ac *v = NULL;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < p[i].n_ccs && (!first_only || j < 1); j++) {
			if (!p[i].ccs[j].include_in_theme_distribution)
				continue;
			v = xrealloc(v, (k + 1) * sizeof *v);
			ac_init(&v[k++], &p[i], &p[i].ccs[j]);
		}
	}
	*n_out = k;
	return v;
}

static void
acs_free(struct ac *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].nonstop);
	free(v);
}

/* get_codes_from_td: the codes of the label or labels in the coded field (none when absent), then responded,
 * labelled and relevant (analysis_utils, v0.15.2). required: a record without the field is an error, as
 * the reference's `assert len(codes) >= 1` in responded. */
static int
ac_eval(struct td *t, const struct ac *a, struct ac_codes *c, int required, struct err *e)
{
	const struct td_val *v = td_get(t, KEY(a->coded_field));
	struct json_doc *d;
	uint32_t first, end;
	struct label_view l;

	c->n = 0;
	c->responded = c->labelled = c->relevant = 0;
	if (v == NULL) {
		if (required)
			return err_set(e, EX_DATAERR, "no \"%s\" (expected the labels of every analysed coded field)",
			    a->coded_field);
		return 0;
	}
	d = v->doc;
	if (d->nodes[v->idx].type == JV_ARRAY) {
		first = v->idx + 1;
		end = d->nodes[v->idx].next;
	} else {
		first = v->idx;
		end = d->nodes[v->idx].next;
	}
	for (uint32_t i = first; i < end; i = d->nodes[i].next) {
		const struct code *code;
		if (d->nodes[i].type != JV_OBJECT)
			return err_set(e, EX_DATAERR, "\"%s\": expected a label or a list of labels", a->coded_field);
		label_read(d, i, &l);
		if (l.code_id == NULL)
			return err_set(e, EX_DATAERR, "\"%s\": a label without a CodeID", a->coded_field);
		if ((code = label_code(a->scheme, &l)) == NULL)
			return err_set(e, EX_DATAERR, "\"%s\": code id '%.*s' is not in code scheme %s (%s)",
			    a->coded_field, (int)l.code_id_len, l.code_id, a->scheme->scheme_id, a->scheme->path);
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 8;
			c->codes = xrealloc(c->codes, c->cap * sizeof *c->codes);
		}
		c->codes[c->n++] = code;
	}
	if (!required)
		return 0;
	if (c->n == 0)
		return err_set(e, EX_DATAERR, "\"%s\": no labels (expected at least one)", a->coded_field);
	if (c->n > 1) {
		for (size_t i = 0; i < c->n; i++)
			if (is_control(c->codes[i], "NA") || is_control(c->codes[i], "NS"))
				return err_set(e, EX_DATAERR, "\"%s\": code %s with other codes (expected it alone)",
				    a->coded_field, c->codes[i]->control_code);
		c->responded = 1;
	} else {
		c->responded = !is_control(c->codes[0], "NA") && !is_control(c->codes[0], "NS");
	}
	if (!c->responded)
		return 0;
	c->labelled = 1;
	for (size_t i = 0; i < c->n; i++)
		if (is_control(c->codes[i], "NR"))
			c->labelled = 0;
	if (!c->labelled)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->codes[i]->code_type == CODE_NORMAL)
			c->relevant = 1;
	return 0;
}

static int
eval_all(struct td *t, const struct ac *acs, size_t n, struct ac_codes *c, int required, struct err *e)
{
	for (size_t i = 0; i < n; i++)
		if (ac_eval(t, &acs[i], &c[i], required, e) == -1)
			return -1;
	return 0;
}

/* withdrew_consent: td["consent_withdrawn"] == "true" (a missing key is an error, as the reference's KeyError). */
static int
withdrew(struct td *t, int *out, struct err *e)
{
	const struct td_val *v = td_get(t, KEY(CONSENT_KEY));

	if (v == NULL)
		return err_set(e, EX_DATAERR, "no \"%s\" (run td-consent first)", CONSENT_KEY);
	*out = v->doc->nodes[v->idx].type == JV_STRING && json_str_eq(v->doc, v->idx, "true", 4);
	return 0;
}

/* ---- setup ---- */

static void
table_init(struct theme_table *tt, const struct ac *theme, size_t cols)
{
	tt->rows = 1 + theme->n_nonstop;
	tt->cols = cols;
	tt->cells = xcalloc(tt->rows * tt->cols, sizeof *tt->cells);
}

static void
setup(struct analysis *an)
{
	const struct coding_plans *plans = &an->pl.plans;
	const struct coding_plan *rqa, *survey, *demog, *eng;
	size_t n_rqa, n_survey, n_demog, n_eng;
	int facebook = an->pl.cfg.pipeline_name != NULL && strcmp(an->pl.cfg.pipeline_name, FACEBOOK_PIPELINE) == 0;

	rqa = plans_rqa(plans, &n_rqa);
	survey = plans_survey(plans, &n_survey);
	demog = plans_group(plans, PLAN_DEMOG, &n_demog);
	eng = plans_group(plans, PLAN_ENGAGEMENT, &n_eng);

	an->rqa = plans_acs(rqa, n_rqa, facebook, &an->n_rqa);
	an->survey = plans_acs(survey, n_survey, facebook, &an->n_survey);
	an->demog = plans_acs(demog, n_demog, facebook, &an->n_demog);
	an->pac = xcalloc(n_rqa ? n_rqa : 1, sizeof *an->pac);
	an->n_pac = n_rqa;
	for (size_t i = 0; i < n_rqa; i++) {
		if (rqa[i].n_ccs == 0)
			cli_die(EX_CONFIG, "%s: RQA plan %s has no coding configuration", plans->path, rqa[i].dataset_name);
		ac_init(&an->pac[i], &rqa[i], &rqa[i].ccs[0]);
	}
	if (n_rqa > MAX_LOYALTY_DATASETS)
		cli_die(EX_CONFIG, "%s: %zu RQA plans: loyalty.csv would have 2^%zu - 1 rows (at most %d plans)",
		    plans->path, n_rqa, n_rqa, MAX_LOYALTY_DATASETS);

	an->rqa_c = xcalloc(an->n_rqa + 1, sizeof *an->rqa_c);
	an->pac_c = xcalloc(an->n_pac + 1, sizeof *an->pac_c);
	an->survey_c = xcalloc(an->n_survey + 1, sizeof *an->survey_c);
	an->demog_c = xcalloc(an->n_demog + 1, sizeof *an->demog_c);

	an->m_opt = xcalloc(an->n_rqa + 1, sizeof *an->m_opt);
	an->m_lab = xcalloc(an->n_rqa + 1, sizeof *an->m_lab);
	an->m_rel = xcalloc(an->n_rqa + 1, sizeof *an->m_rel);
	an->i_opt = xcalloc(an->n_rqa + 1, sizeof *an->i_opt);
	an->i_rel = xcalloc(an->n_rqa + 1, sizeof *an->i_rel);
	an->repeat = xcalloc(an->n_rqa + 1, sizeof *an->repeat);

	an->breakdown_col = xcalloc(an->n_survey + 1, sizeof *an->breakdown_col);
	an->n_breakdown_cols = 1;
	for (size_t b = 0; b < an->n_survey; b++) {
		an->breakdown_col[b] = an->n_breakdown_cols;
		an->n_breakdown_cols += an->survey[b].n_nonstop;
	}
	an->themes = xcalloc(an->n_rqa + 1, sizeof *an->themes);
	for (size_t a = 0; a < an->n_rqa; a++)
		table_init(&an->themes[a], &an->rqa[a], an->n_breakdown_cols);
	an->demogs = xcalloc(an->n_demog + 1, sizeof *an->demogs);
	for (size_t a = 0; a < an->n_demog; a++)
		table_init(&an->demogs[a], &an->demog[a], 1);

	if (an->pl.cfg.automated_analysis.has_traffic_labels) {
		size_t n = an->pl.cfg.automated_analysis.n_traffic_labels;
		struct err e;
		an->tl_start = xcalloc(n + 1, sizeof *an->tl_start);
		an->tl_end = xcalloc(n + 1, sizeof *an->tl_end);
		an->t_opt = xcalloc(n + 1, sizeof *an->t_opt);
		an->t_rel = xcalloc(n + 1, sizeof *an->t_rel);
		for (size_t i = 0; i < n; i++) {
			const struct traffic_label *tl = &an->pl.cfg.automated_analysis.traffic_labels[i];
			if (iso_parse(KEY(tl->start_date), &an->tl_start[i], &e) == -1 ||
			    iso_parse(KEY(tl->end_date), &an->tl_end[i], &e) == -1)
				cli_die(EX_CONFIG, "%s: .AutomatedAnalysis.TrafficLabels[%zu]: %s", an->pl.cfg.path, i, e.msg);
		}
	}

	an->n_pairs = n_eng < n_rqa ? n_eng : n_rqa;
	an->e_opt = xcalloc(an->n_pairs + 1, sizeof *an->e_opt);
	an->e_rel = xcalloc(an->n_pairs + 1, sizeof *an->e_rel);
	an->eng_idx = xcalloc(an->n_pairs + 1, sizeof *an->eng_idx);
	for (size_t i = 0; i < an->n_pairs; i++) {
		size_t cells = 0;
		for (size_t k = 0; k < eng[i].n_ccs; k++) {
			if (eng[i].ccs[k].coding_mode != CODING_SINGLE)
				cli_die(EX_CONFIG, "%s: engagement plan %s: coded field %s must be SINGLE (estimated engagement "
				    "types read one label)", plans->path, eng[i].dataset_name, eng[i].ccs[k].coded_field);
			cells += eng[i].ccs[k].code_scheme->n_codes;
		}
		an->e_opt[i] = xcalloc(cells + 1, sizeof **an->e_opt);
		an->e_rel[i] = xcalloc(cells + 1, sizeof **an->e_rel);
		an->eng_idx[i] = xcalloc(eng[i].n_ccs + 1, sizeof **an->eng_idx);
	}

	an->cands = xcalloc(an->n_rqa + 1, sizeof *an->cands);
	for (size_t a = 0; a < an->n_rqa; a++)
		an->cands[a] = xcalloc(an->rqa[a].scheme->n_codes + 1, sizeof **an->cands);

	an->n_loyalty = (size_t)1 << an->n_pac;
	an->loyalty = xcalloc(an->n_loyalty, sizeof *an->loyalty);
}

/* ---- the messages ---- */

static void
cand_add(struct cand_list *l, uint64_t off, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n].off = off;
	l->v[l->n++].len = len;
}

/* A label's CodeID, for the estimated engagement types (msg[cc.coded_field]["CodeID"]). */
static int
label_code_id(struct td *t, const struct coding_config *cc, const char **id, size_t *len, struct err *e)
{
	const struct td_val *v = td_get(t, KEY(cc->coded_field));
	struct label_view l;

	if (v == NULL)
		return err_set(e, EX_DATAERR, "no \"%s\" (expected the engagement type label of an opt-in message)",
		    cc->coded_field);
	if (v->doc->nodes[v->idx].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "\"%s\": expected a label (a JSON object with a CodeID)", cc->coded_field);
	label_read(v->doc, v->idx, &l);
	if (l.code_id == NULL)
		return err_set(e, EX_DATAERR, "\"%s\": a label without a CodeID", cc->coded_field);
	*id = l.code_id;
	*len = l.code_id_len;
	return 0;
}

/* The engagement type code of each of the plan's coding configurations (its index in the scheme, or -1 when the
 * scheme has no such code id), into idx[0..n_ccs). */
static int
engagement_codes(const struct coding_plan *p, struct td *t, long *idx, struct err *e)
{
	for (size_t k = 0; k < p->n_ccs; k++) {
		const struct code_scheme *s = p->ccs[k].code_scheme;
		const char *id = NULL;
		size_t len = 0;
		if (label_code_id(t, &p->ccs[k], &id, &len, e) == -1)
			return -1;
		idx[k] = -1;
		for (size_t c = 0; c < s->n_codes; c++)
			if (strlen(s->codes[c].code_id) == len && memcmp(s->codes[c].code_id, id, len) == 0) {
				idx[k] = (long)c;
				break;
			}
	}
	return 0;
}

static void
count_engagement_type(unsigned long *cells, const struct coding_plan *p, const long *idx)
{
	size_t base = 0;

	for (size_t k = 0; k < p->n_ccs; k++) {
		if (idx[k] >= 0)
			cells[base + (size_t)idx[k]]++;
		base += p->ccs[k].code_scheme->n_codes;
	}
}

/* One message: everything that can fail is read first, so that a skipped record counts nowhere. */
static int
message(struct analysis *an, struct td *t, uint64_t off, size_t len, struct err *e)
{
	const struct coding_plan *eng;
	size_t n_eng;
	int w, any_opt = 0, any_lab = 0, any_rel = 0, timed = 0;
	struct isotime when = { 0 };

	if (withdrew(t, &w, e) == -1)
		return -1;
	if (w) {
		an->n_messages++;
		return 0;
	}
	if (eval_all(t, an->rqa, an->n_rqa, an->rqa_c, 1, e) == -1 ||
	    eval_all(t, an->pac, an->n_pairs, an->pac_c, 1, e) == -1)
		return -1;
	for (size_t a = 0; a < an->n_rqa; a++) {
		any_opt |= an->rqa_c[a].responded;
		any_lab |= an->rqa_c[a].labelled;
		any_rel |= an->rqa_c[a].relevant;
	}
	if (any_opt && an->tl_start != NULL) {
		const char *s;
		size_t slen;
		if ((s = td_get_str(t, KEY(TIME_KEY), &slen)) == NULL)
			return err_set(e, EX_DATAERR, "no \"%s\" string (expected the time the message was sent)", TIME_KEY);
		if (iso_parse(s, slen, &when, e) == -1)
			return err_prefix(e, "\"%s\"", TIME_KEY);
		if (!when.has_offset)
			return err_set(e, EX_DATAERR, "\"%s\": '%.*s' has no UTC offset (expected one, to compare with "
			    "the traffic labels)", TIME_KEY, (int)slen, s);
		timed = 1;
	}
	eng = plans_group(&an->pl.plans, PLAN_ENGAGEMENT, &n_eng);
	for (size_t i = 0; i < an->n_pairs; i++)
		if (an->pac_c[i].responded && engagement_codes(&eng[i], t, an->eng_idx[i], e) == -1)
			return -1;

	/* count */
	an->n_messages++;
	for (size_t a = 0; a < an->n_rqa; a++) {
		const struct ac_codes *c = &an->rqa_c[a];
		an->m_opt[a] += c->responded;
		an->m_lab[a] += c->labelled;
		an->m_rel[a] += c->relevant;
		if (c->labelled)
			for (size_t k = 0; k < c->n; k++)
				cand_add(&an->cands[a][c->codes[k]->index], off, len);
	}
	an->m_any_opt += any_opt;
	an->m_any_lab += any_lab;
	an->m_any_rel += any_rel;
	if (timed) {
		for (size_t i = 0; i < an->pl.cfg.automated_analysis.n_traffic_labels; i++) {
			if (an->tl_start[i].usec <= when.usec && when.usec < an->tl_end[i].usec) {
				an->t_opt[i]++;
				an->t_rel[i] += any_rel;
			}
		}
	}
	for (size_t i = 0; i < an->n_pairs; i++) {
		if (an->pac_c[i].responded)
			count_engagement_type(an->e_opt[i], &eng[i], an->eng_idx[i]);
		if (an->pac_c[i].relevant)
			count_engagement_type(an->e_rel[i], &eng[i], an->eng_idx[i]);
	}
	return 0;
}

/* ---- the individuals ---- */

static void
theme_increment(struct analysis *an, struct theme_table *tt, size_t row, int breakdowns)
{
	unsigned long *r = &tt->cells[row * tt->cols];

	r[0]++;
	if (breakdowns)
		for (size_t i = 0; i < an->n_cols_tmp; i++)
			r[an->cols_tmp[i]]++;
}

/* The breakdown columns the individual's survey codes increment (non-STOP codes; absent fields count nothing). */
static int
breakdown_columns(struct analysis *an, struct td *t, struct err *e)
{
	an->n_cols_tmp = 0;
	if (eval_all(t, an->survey, an->n_survey, an->survey_c, 0, e) == -1)
		return -1;
	for (size_t b = 0; b < an->n_survey; b++) {
		const struct ac_codes *c = &an->survey_c[b];
		for (size_t k = 0; k < c->n; k++) {
			int ns = an->survey[b].nonstop[c->codes[k]->index];
			if (ns < 0)
				continue;
			if (an->n_cols_tmp == an->cap_cols_tmp) {
				an->cap_cols_tmp = an->cap_cols_tmp ? 2 * an->cap_cols_tmp : 32;
				an->cols_tmp = xrealloc(an->cols_tmp, an->cap_cols_tmp * sizeof *an->cols_tmp);
			}
			an->cols_tmp[an->n_cols_tmp++] = an->breakdown_col[b] + (size_t)ns;
		}
	}
	return 0;
}

/* _compute_theme_distributions_for_theme_configuration for one individual of the opt-in population (STOP codes
 * were refused before). */
static void
theme_count(struct analysis *an, struct theme_table *tt, const struct ac *a, const struct ac_codes *c, int breakdowns)
{
	if (c->relevant)
		theme_increment(an, tt, 0, breakdowns);
	for (size_t k = 0; k < c->n; k++)
		theme_increment(an, tt, 1 + (size_t)a->nonstop[c->codes[k]->index], breakdowns);
}

/* A STOP code among the theme codes of a consenting individual (the reference's KeyError). */
static int
check_no_stop(const struct ac *acs, const struct ac_codes *c, size_t n, struct err *e)
{
	for (size_t a = 0; a < n; a++)
		for (size_t k = 0; k < c[a].n; k++)
			if (acs[a].nonstop[c[a].codes[k]->index] < 0)
				return err_set(e, EX_DATAERR, "\"%s\": code STOP on a participant who did not withdraw consent",
				    acs[a].coded_field);
	return 0;
}

/* One individual: everything that can fail is read first, so that a skipped record counts nowhere. */
static int
individual(struct analysis *an, struct td *t, struct err *e)
{
	int w, any_opt = 0, any_rel = 0, any_demog = 0;
	size_t n_opt = 0, mask = 0;

	if (withdrew(t, &w, e) == -1)
		return -1;
	if (w) {
		an->n_individuals++;
		return 0;
	}
	if (eval_all(t, an->rqa, an->n_rqa, an->rqa_c, 1, e) == -1 ||
	    eval_all(t, an->pac, an->n_pac, an->pac_c, 1, e) == -1 ||
	    eval_all(t, an->demog, an->n_demog, an->demog_c, 1, e) == -1)
		return -1;
	for (size_t a = 0; a < an->n_rqa; a++) {
		any_opt |= an->rqa_c[a].responded;
		any_rel |= an->rqa_c[a].relevant;
		n_opt += an->rqa_c[a].responded;
	}
	for (size_t a = 0; a < an->n_demog; a++)
		any_demog |= an->demog_c[a].responded;
	if (any_opt && (breakdown_columns(an, t, e) == -1 || check_no_stop(an->rqa, an->rqa_c, an->n_rqa, e) == -1))
		return -1;
	if (any_demog && check_no_stop(an->demog, an->demog_c, an->n_demog, e) == -1)
		return -1;

	/* count */
	an->n_individuals++;
	for (size_t a = 0; a < an->n_rqa; a++) {
		an->i_opt[a] += an->rqa_c[a].responded;
		an->i_rel[a] += an->rqa_c[a].relevant;
	}
	an->i_any_opt += any_opt;
	an->i_any_rel += any_rel;
	if (n_opt > 0)
		an->repeat[n_opt - 1]++;
	/* loyalty: the RQA plans responded to; the reference has no row for none (KeyError): not counted */
	for (size_t p = 0; p < an->n_pac; p++)
		if (an->pac_c[p].responded)
			mask |= (size_t)1 << p;
	if (mask != 0)
		an->loyalty[mask]++;
	if (any_opt)
		for (size_t a = 0; a < an->n_rqa; a++)
			theme_count(an, &an->themes[a], &an->rqa[a], &an->rqa_c[a], 1);
	if (any_demog)
		for (size_t a = 0; a < an->n_demog; a++)
			theme_count(an, &an->demogs[a], &an->demog[a], &an->demog_c[a], 0);
	return 0;
}

/* ---- reading ---- */

static void
bad_record(struct analysis *an, const char *where, struct err *e)
{
	err_prefix(e, "%s", where);
	if (!an->skip_bad)
		cli_fail(e);
	an->skipped++;
	if (!an->quiet)
		cli_warn("%s (skipped)", e->msg);
}

/* Read one input; the messages input stays open (its fd in *keep_fd) for the sample's second look. */
static void
read_input(struct analysis *an, const char *path, int is_messages, struct td *t, int *keep_fd, char **keep_name)
{
	struct ndjson_reader r;
	const char *line;
	size_t len;
	uint64_t base = 0;
	struct err e;
	int rc;

	if (is_messages) {
		if (ndjson_open_rereadable(&r, path, an->max_record, &base, &e) == -1)
			cli_fail(&e);
		if ((*keep_fd = dup(r.fd)) == -1) {
			err_set(&e, EX_IOERR, "%s: %s", r.name, strerror(errno));
			ndjson_close(&r);
			cli_fail(&e);
		}
		*keep_name = xstrdup(r.name);
	} else if (ndjson_open(&r, path, an->max_record, &e) == -1) {
		cli_fail(&e);
	}
	while ((rc = ndjson_next(&r, &line, &len, &e)) != 0) {
		if (rc == -1) {
			if (an->skip_bad && strstr(e.msg, "blank line") != NULL) {
				an->skipped++;
				if (!an->quiet)
					cli_warn("%s (skipped)", e.msg);
				continue;
			}
			ndjson_close(&r);
			cli_fail(&e);
		}
		if (td_parse(t, line, len, &e) == -1 ||
		    (is_messages ? message(an, t, base + r.offset, len, &e) : individual(an, t, &e)) == -1)
			bad_record(an, ndjson_where(&r), &e);
	}
	ndjson_close(&r);
}

/* ---- writing ---- */

/* Every output is written to a temporary file first; all are renamed into place together at the end, so a failed
 * run leaves every previous file as it was. */
struct out {
	struct atomic_file af;
	struct csvw w;
	char *name;
};

static struct out **outs;
static size_t n_outs;

static struct out *
out_open(const char *outdir, const char *name)
{
	struct out *o = xcalloc(1, sizeof *o);
	struct err e;
	char *path = cj_path_join(outdir, name);

	o->name = xstrdup(name);
	if (atomic_open(&o->af, path, &e) == -1) {
		free(path);
		cli_fail(&e);
	}
	free(path);
	csvw_init(&o->w, o->af.fp);
	outs = xrealloc(outs, (n_outs + 1) * sizeof *outs);
	outs[n_outs++] = o;
	return o;
}

static void
outs_commit(void)
{
	struct err e;

	for (size_t i = 0; i < n_outs; i++)
		if (csvw_error(&outs[i]->w) || fflush(outs[i]->af.fp) == EOF || ferror(outs[i]->af.fp))
			cli_die(EX_IOERR, "%s: write error: %s", outs[i]->name, strerror(errno));
	/* a directory in the way would fail only its own rename: refuse before replacing anything */
	for (size_t i = 0; i < n_outs; i++) {
		struct stat st;
		if (stat(outs[i]->af.path, &st) == 0 && S_ISDIR(st.st_mode))
			cli_die(EX_CANTCREAT, "%s: cannot replace: Is a directory", outs[i]->af.path);
	}
	for (size_t i = 0; i < n_outs; i++) {
		if (atomic_commit(&outs[i]->af, &e) == -1)
			cli_fail(&e);
		free(outs[i]->name);
		free(outs[i]);
	}
	free(outs);
	outs = NULL;
	n_outs = 0;
}

static void
header(struct out *o, const char *const *cols, size_t n)
{
	csvw_row(&o->w, cols, n);
}

/* compute_percentage_str: "-" when y is 0, else str(round(x / y * 100, 1)). */
static void
pct(struct csvw *w, unsigned long x, unsigned long y)
{
	char s[64];

	if (y == 0) {
		csvw_fieldz(w, "-");
		return;
	}
	snprintf(s, sizeof s, "%.1f", (double)x / (double)y * 100);
	csvw_fieldz(w, s);
}

static void
write_engagement_counts(struct analysis *an, const char *outdir)
{
	static const char *const cols[] = {
		"Dataset", "Total Messages", "Total Messages with Opt-Ins", "Total Labelled Messages",
		"Total Relevant Messages", "Total Participants", "Total Participants with Opt-Ins",
		"Total Relevant Participants"
	};
	struct out *o;

	o = out_open(outdir, "engagement_counts.csv");
	header(o, cols, 8);
	for (size_t a = 0; a < an->n_rqa; a++) {
		csvw_fieldz(&o->w, an->rqa[a].name);
		csvw_fieldz(&o->w, "-");
		csvw_int(&o->w, (long long)an->m_opt[a]);
		csvw_int(&o->w, (long long)an->m_lab[a]);
		csvw_int(&o->w, (long long)an->m_rel[a]);
		csvw_fieldz(&o->w, "-");
		csvw_int(&o->w, (long long)an->i_opt[a]);
		csvw_int(&o->w, (long long)an->i_rel[a]);
		csvw_end_row(&o->w);
	}
	csvw_fieldz(&o->w, "Total");
	csvw_int(&o->w, (long long)an->n_messages);
	csvw_int(&o->w, (long long)an->m_any_opt);
	csvw_int(&o->w, (long long)an->m_any_lab);
	csvw_int(&o->w, (long long)an->m_any_rel);
	csvw_int(&o->w, (long long)an->n_individuals);
	csvw_int(&o->w, (long long)an->i_any_opt);
	csvw_int(&o->w, (long long)an->i_any_rel);
	csvw_end_row(&o->w);
}

static void
write_repeat_participations(struct analysis *an, const char *outdir)
{
	static const char *const cols[] = {
		"Number of Episodes Participated In", "Number of Participants with Opt-Ins",
		"% of Participants with Opt-Ins"
	};
	struct out *o;

	o = out_open(outdir, "repeat_participations.csv");
	header(o, cols, 3);
	for (size_t i = 0; i < an->n_rqa; i++) {
		csvw_int(&o->w, (long long)i + 1);
		csvw_int(&o->w, (long long)an->repeat[i]);
		pct(&o->w, an->repeat[i], an->i_any_opt);
		csvw_end_row(&o->w);
	}
}

static void
write_themes(struct analysis *an, const char *outdir, const char *name, const struct ac *themes,
    const struct theme_table *tables, size_t n_themes, int breakdowns)
{
	const size_t n_b = breakdowns ? an->n_survey : 0;
	struct buf colname = { 0 };
	const char *last = NULL;
	struct out *o;

	o = out_open(outdir, name);
	csvw_fieldz(&o->w, "Dataset");
	csvw_fieldz(&o->w, "Theme");
	csvw_fieldz(&o->w, "Total Participants");
	csvw_fieldz(&o->w, "Total Participants %");
	for (size_t b = 0; b < n_b; b++) {
		const struct ac *bk = &an->survey[b];
		for (size_t c = 0; c < bk->scheme->n_codes; c++) {
			if (bk->nonstop[c] < 0)
				continue;
			colname.len = 0;
			buf_adds(&colname, bk->name);
			buf_addc(&colname, ':');
			buf_adds(&colname, bk->scheme->codes[c].string_value);
			csvw_field(&o->w, colname.p, colname.len);
			buf_add(&colname, " %", 2);
			csvw_field(&o->w, colname.p, colname.len);
		}
	}
	csvw_end_row(&o->w);

	for (size_t a = 0; a < n_themes; a++) {
		const struct ac *th = &themes[a];
		const struct theme_table *tt = &tables[a];
		const unsigned long *total = tt->cells;

		for (size_t row = 0; row < tt->rows; row++) {
			const unsigned long *r = &tt->cells[row * tt->cols];
			const struct code *code = NULL;
			int with_pct;

			if (row > 0) {
				for (size_t c = 0; c < th->scheme->n_codes; c++)
					if (th->nonstop[c] == (int)row - 1)
						code = &th->scheme->codes[c];
			}
			with_pct = row == 0 || code->code_type == CODE_NORMAL;
			csvw_fieldz(&o->w, last != NULL && strcmp(last, th->name) == 0 ? "" : th->name);
			last = th->name;
			csvw_fieldz(&o->w, row == 0 ? "Total Relevant Participants" : code->string_value);
			csvw_int(&o->w, (long long)r[0]);
			if (with_pct)
				pct(&o->w, r[0], total[0]);
			else
				csvw_null(&o->w);
			for (size_t col = 1; col < (breakdowns ? tt->cols : 1); col++) {
				csvw_int(&o->w, (long long)r[col]);
				if (with_pct)
					pct(&o->w, r[col], total[col]);
				else
					csvw_null(&o->w);
			}
			csvw_end_row(&o->w);
		}
	}
	buf_free(&colname);
}

/* The raw text of a sampled message: read back at its offset, msg[raw_field] as Python's str(). */
static void
sample_text(int fd, const char *name, const struct cand *c, const char *raw_field, struct td *t,
    struct buf *line, struct buf *text)
{
	const struct td_val *v;
	struct err e;

	line->len = 0;
	buf_reserve(line, c->len + 1);
	if (spool_read_at(fd, line->p, c->len, c->off) == -1) {
		int saved = errno;
		cli_die(EX_IOERR, "%s: %s", name, saved ? strerror(saved) : "file shrank while it was read");
	}
	line->len = c->len;
	if (td_parse(t, line->p, line->len, &e) == -1)
		cli_die(EX_IOERR, "%s: a record changed while it was read: %s", name, e.msg);
	text->len = 0;
	if ((v = td_get(t, KEY(raw_field))) == NULL)
		cli_die(EX_DATAERR, "%s: a labelled message has no \"%s\" (expected its raw text)", name, raw_field);
	json_python_str(text, v->doc, v->idx);
}

static void
write_sample_messages(struct analysis *an, const char *outdir, uint64_t seed, int fd, const char *name, struct td *t)
{
	static const char *const cols[] = { "Episode", "Code Scheme", "Code", "Message" };
	struct buf line = { 0 }, text = { 0 };
	struct pyrand rnd;
	size_t *pick = NULL, cap = 0;
	struct out *o;
	struct err e;

	pyrand_seed(&rnd, seed);
	o = out_open(outdir, "sample_messages.csv");
	header(o, cols, 4);
	for (size_t a = 0; a < an->n_rqa; a++) {
		const struct ac *ac = &an->rqa[a];
		for (size_t c = 0; c < ac->scheme->n_codes; c++) {
			const struct cand_list *l = &an->cands[a][c];
			size_t k = l->n < SAMPLE_LIMIT ? l->n : SAMPLE_LIMIT;
			if (k > cap) {
				cap = k;
				pick = xrealloc(pick, cap * sizeof *pick);
			}
			if (pyrand_sample(&rnd, l->n, k, pick, &e) == -1)
				cli_fail(&e);
			for (size_t i = 0; i < k; i++) {
				sample_text(fd, name, &l->v[pick[i]], ac->raw_field, t, &line, &text);
				csvw_fieldz(&o->w, ac->name);
				csvw_fieldz(&o->w, ac->scheme->name);
				csvw_fieldz(&o->w, ac->scheme->codes[c].string_value);
				csvw_field(&o->w, text.p, text.len);
				csvw_end_row(&o->w);
			}
		}
	}
	free(pick);
	buf_free(&line);
	buf_free(&text);
}

static void
write_traffic(struct analysis *an, const char *outdir)
{
	static const char *const cols[] = {
		"Start Date", "End Date", "Label", "Messages with Opt-Ins", "Relevant Messages"
	};
	const struct pipeline_config *cfg = &an->pl.cfg;
	char s[64];
	struct out *o;

	if (!cfg->automated_analysis.has_traffic_labels)
		return;
	o = out_open(outdir, "traffic_analysis.csv");
	header(o, cols, 5);
	for (size_t i = 0; i < cfg->automated_analysis.n_traffic_labels; i++) {
		iso_format(&an->tl_start[i], s, sizeof s);
		csvw_fieldz(&o->w, s);
		iso_format(&an->tl_end[i], s, sizeof s);
		csvw_fieldz(&o->w, s);
		csvw_fieldz(&o->w, cfg->automated_analysis.traffic_labels[i].label);
		csvw_int(&o->w, (long long)an->t_opt[i]);
		csvw_int(&o->w, (long long)an->t_rel[i]);
		csvw_end_row(&o->w);
	}
}

static void
write_engagement_types(struct analysis *an, const char *outdir)
{
	static const char *const cols[] = {
		"Episode", "Estimated Engagement Type", "Messages with Opt-Ins", "Relevant Messages"
	};
	const struct coding_plan *eng;
	size_t n_eng;
	struct out *o;

	eng = plans_group(&an->pl.plans, PLAN_ENGAGEMENT, &n_eng);
	o = out_open(outdir, "estimated_engagement_types.csv");
	header(o, cols, 4);
	for (size_t i = 0; i < an->n_pairs; i++) {
		size_t base = 0;
		for (size_t k = 0; k < eng[i].n_ccs; k++) {
			const struct code_scheme *s = eng[i].ccs[k].code_scheme;
			for (size_t c = 0; c < s->n_codes; c++) {
				if (is_control(&s->codes[c], "STOP"))
					continue;
				csvw_fieldz(&o->w, eng[i].dataset_name);
				csvw_fieldz(&o->w, s->codes[c].string_value);
				csvw_int(&o->w, (long long)an->e_opt[i][base + c]);
				csvw_int(&o->w, (long long)an->e_rel[i][base + c]);
				csvw_end_row(&o->w);
			}
			base += s->n_codes;
		}
	}
}

static const struct coding_plan *loyalty_plans;

static int
by_dataset_name(const void *a, const void *b)
{
	return strcmp(loyalty_plans[*(const size_t *)a].dataset_name, loyalty_plans[*(const size_t *)b].dataset_name);
}

/* Every non-empty combination of the RQA datasets, in itertools.combinations order by size, each written with
 * its names sorted and joined by ", ". */
static void
write_loyalty(struct analysis *an, const char *outdir)
{
	static const char *const cols[] = { "Episode Combination", "Participants" };
	const size_t n = an->n_pac;
	size_t *sorted = xcalloc(n + 1, sizeof *sorted), *idx = xcalloc(n + 1, sizeof *idx);
	struct buf s = { 0 };
	struct out *o;
	size_t n_plans;

	loyalty_plans = plans_rqa(&an->pl.plans, &n_plans);
	for (size_t i = 0; i < n; i++)
		sorted[i] = i;
	qsort(sorted, n, sizeof *sorted, by_dataset_name);
	o = out_open(outdir, "loyalty.csv");
	header(o, cols, 2);
	for (size_t r = 1; r <= n; r++) {
		for (size_t i = 0; i < r; i++)
			idx[i] = i;
		for (;;) {
			size_t mask = 0, i;
			for (i = 0; i < r; i++)
				mask |= (size_t)1 << idx[i];
			s.len = 0;
			for (i = 0; i < n; i++) {
				if (!(mask & ((size_t)1 << sorted[i])))
					continue;
				if (s.len)
					buf_add(&s, ", ", 2);
				buf_adds(&s, loyalty_plans[sorted[i]].dataset_name);
			}
			csvw_field(&o->w, s.p, s.len);
			csvw_int(&o->w, (long long)an->loyalty[mask]);
			csvw_end_row(&o->w);
			/* the next combination */
			for (i = r; i-- > 0;)
				if (idx[i] != i + n - r)
					break;
			if (i == (size_t)-1)
				break;
			idx[i]++;
			for (size_t j = i + 1; j < r; j++)
				idx[j] = idx[j - 1] + 1;
		}
	}
	buf_free(&s);
	free(sorted);
	free(idx);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The reference copies every file of the engagement metrics directory through (shutil.copy of a glob). */
static void
copy_metrics(const char *dir, const char *outdir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (d == NULL) {
		if (errno == ENOENT)
			return;
		cli_die(errno == EACCES ? EX_NOPERM : EX_NOINPUT, "%s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;		/* glob("*") skips dot files */
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		char *src = cj_path_join(dir, names[i]), *dst = cj_path_join(outdir, names[i]);
		struct out *o;
		struct stat st;
		char buf[65536];
		size_t got;
		FILE *in;

		if (stat(src, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(src);
			free(dst);
			free(names[i]);
			continue;
		}
		if ((in = fopen(src, "rb")) == NULL)
			cli_die(errno == EACCES ? EX_NOPERM : EX_NOINPUT, "%s: %s", src, strerror(errno));
		o = out_open(outdir, names[i]);
		while ((got = fread(buf, 1, sizeof buf, in)) > 0)
			if (fwrite(buf, 1, got, o->af.fp) != got)
				cli_die(EX_IOERR, "%s: write error: %s", dst, strerror(errno));
		if (ferror(in))
			cli_die(EX_IOERR, "%s: %s", src, strerror(errno));
		fclose(in);
		free(src);
		free(dst);
		free(names[i]);
	}
	free(names);
}

static void
codes_free(struct ac_codes *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].codes);
	free(c);
}

static void
analysis_free(struct analysis *an)
{
	for (size_t a = 0; a < an->n_rqa; a++) {
		for (size_t c = 0; c < an->rqa[a].scheme->n_codes; c++)
			free(an->cands[a][c].v);
		free(an->cands[a]);
		free(an->themes[a].cells);
	}
	for (size_t a = 0; a < an->n_demog; a++)
		free(an->demogs[a].cells);
	for (size_t i = 0; i < an->n_pairs; i++) {
		free(an->e_opt[i]);
		free(an->e_rel[i]);
		free(an->eng_idx[i]);
	}
	codes_free(an->rqa_c, an->n_rqa);
	codes_free(an->pac_c, an->n_pac);
	codes_free(an->survey_c, an->n_survey);
	codes_free(an->demog_c, an->n_demog);
	free(an->cands);
	free(an->themes);
	free(an->demogs);
	free(an->e_opt);
	free(an->e_rel);
	free(an->eng_idx);
	free(an->m_opt);
	free(an->m_lab);
	free(an->m_rel);
	free(an->i_opt);
	free(an->i_rel);
	free(an->repeat);
	free(an->breakdown_col);
	free(an->cols_tmp);
	free(an->tl_start);
	free(an->tl_end);
	free(an->t_opt);
	free(an->t_rel);
	free(an->loyalty);
	acs_free(an->rqa, an->n_rqa);
	acs_free(an->pac, an->n_pac);
	acs_free(an->survey, an->n_survey);
	acs_free(an->demog, an->n_demog);
	cli_pipeline_free(&an->pl);
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *plans_path = NULL, *schemes = NULL, *outdir = NULL, *metrics = NULL;
	struct analysis an;
	struct td t;
	struct err e;
	uint64_t seed = 0;
	char *msg_name = NULL, *end;
	int opt, msg_fd = -1;

	memset(&an, 0, sizeof an);
	memset(&t, 0, sizeof t);
	cli_init("td-analyse");
	while ((opt = getopt_long(argc, argv, "c:p:s:d:qh", longopts, NULL)) != -1) {
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
		case 'd':
			outdir = optarg;
			break;
		case OPT_METRICS_DIR:
			metrics = optarg;
			break;
		case OPT_SEED:
			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || *optarg == '-')
				cli_die(EX_USAGE, "--seed: expected a non-negative integer, got '%s'", optarg);
			break;
		case 'q':
			an.quiet = 1;
			break;
		case CLI_OPT_MAX_RECORD:
			an.max_record = cli_max_record_arg(optarg);
			break;
		case CLI_OPT_SKIP_BAD:
			an.skip_bad = 1;
			break;
		case 'h':
			cli_help(help);
		case OPT_VERSION:
			cli_version();
		default:
			cli_usage(usage);
		}
	}
	if (argc - optind != 2)
		cli_usage(usage);
	if (outdir == NULL || *outdir == '\0')
		cli_die(EX_USAGE, "no output directory (give -d DIR)");
	if (strcmp(argv[optind], "-") == 0 && strcmp(argv[optind + 1], "-") == 0)
		cli_die(EX_USAGE, "MESSAGES and INDIVIDUALS cannot both be standard input");
	cli_pipeline_load(&an.pl, config_path, plans_path, schemes, 1);
	setup(&an);

	read_input(&an, argv[optind], 1, &t, &msg_fd, &msg_name);
	read_input(&an, argv[optind + 1], 0, &t, NULL, NULL);
	if (an.skipped)
		cli_warn("skipped %lu bad record%s", an.skipped, an.skipped == 1 ? "" : "s");

	if (atomic_mkdirs(outdir, &e) == -1)
		cli_fail(&e);
	if (metrics != NULL)
		copy_metrics(metrics, outdir);
	write_engagement_counts(&an, outdir);
	write_repeat_participations(&an, outdir);
	write_themes(&an, outdir, "theme_distributions.csv", an.rqa, an.themes, an.n_rqa, 1);
	write_themes(&an, outdir, "demographic_distributions.csv", an.demog, an.demogs, an.n_demog, 0);
	write_sample_messages(&an, outdir, seed, msg_fd, msg_name, &t);
	write_traffic(&an, outdir);
	write_engagement_types(&an, outdir);
	write_loyalty(&an, outdir);
	outs_commit();

	close(msg_fd);
	free(msg_name);
	td_free(&t);
	analysis_free(&an);
	cli_exit(0);
}
