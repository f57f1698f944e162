/* plan: the coding-plans file (tdtools-config(5)): every CodingPlan and CodingConfiguration of pipeline.md §4.2–4.3, with their code schemes. */
#ifndef TD_PLAN_H
#define TD_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config/scheme.h"
#include "util/err.h"

enum coding_mode {
	CODING_SINGLE,		/* the coded field holds one label */
	CODING_MULTIPLE		/* the coded field holds a list of labels */
};

/* Cleaners (pipeline.md §4.5), by the names the plans file uses. */
enum cleaner_kind {
	CLEANER_NONE,
	CLEANER_SOMALI_GENDER,				/* somali_gender */
	CLEANER_SOMALI_YES_NO,				/* somali_yes_no */
	CLEANER_SOMALI_MOGADISHU_SUB_DISTRICT,		/* somali_mogadishu_sub_district */
	CLEANER_DISTRICT_IF_NO_MOGADISHU_SUB_DISTRICT,	/* district_if_no_mogadishu_sub_district */
	CLEANER_AGE_WITH_RANGE_FILTER,			/* age_with_range_filter */
	CLEANER_ENGAGEMENT_TYPE,			/* engagement_type, parameter Dataset */
	CLEANER_FACEBOOK_COMMENT_REPLY_TO,		/* facebook_comment_reply_to */
	CLEANER_FACEBOOK_POST_TYPE			/* facebook_post_type */
};

/* Fold strategies (pipeline.md §4.7). */
enum fold_strategy {
	FOLD_NONE,			/* null: the field is not folded */
	FOLD_ASSERT_EQUAL,
	FOLD_CONCATENATE,
	FOLD_BOOLEAN_OR,
	FOLD_MATRIX,
	FOLD_YES_NO_AMB,
	FOLD_ASSERT_LABEL_IDS_EQUAL,
	FOLD_LIST_OF_LABELS,		/* list_of_labels(the coding configuration's scheme, x, y) */
	FOLD_ENGAGEMENT_TYPE		/* fold_engagement_type(the coding configuration's scheme, x, y) */
};

/* Code imputation functions (pipeline.md §4.6). */
enum code_imputation {
	IMPUTE_NONE,
	IMPUTE_AGE_CATEGORY,		/* impute_age_category: CCs [age, age_category] */
	IMPUTE_SOMALIA_LOCATION_CODES	/* impute_somalia_location_codes: CCs [mog, district, region, state, zone] */
};

enum plan_group {
	PLAN_RQA,
	PLAN_DEMOG,
	PLAN_FOLLOW_UP,
	PLAN_ENGAGEMENT,
	PLAN_N_GROUPS
};

/* One row of the engagement-type time table: Code when Dataset matches and Start <= sent_on < End. */
struct engagement_window {
	const char *dataset;
	const char *code;		/* a match value of the engagement-type scheme */
	const char *start, *end;	/* as written */
	int64_t start_usec, end_usec;	/* UTC epoch microseconds */
};

struct cleaner {
	enum cleaner_kind kind;		/* CLEANER_NONE when there is no cleaner */
	const char *name;		/* NULL when there is none */
	const json_t *params;		/* the {"Name": …, …} object, or NULL for the string form */
	const char *dataset;		/* engagement_type: the Dataset whose windows it scans */
};

struct coding_plan;

struct coding_config {
	const char *coded_field;
	enum coding_mode coding_mode;
	const char *code_scheme_file;			/* as written in the plans file */
	const struct code_scheme *code_scheme;		/* shared with every other user of that file */
	const char *raw_field;				/* RawField, else the plan's raw field */
	int own_raw_field;				/* RawField was given */
	struct cleaner cleaner;
	int requires_manual_verification;		/* default true */
	const char *analysis_file_key;			/* NULL: no analysis column */
	enum fold_strategy fold_strategy;
	int include_in_theme_distribution;		/* default true */
	int include_in_individuals_file;		/* default true */
	const struct coding_plan *plan;
};

/* Strings are borrowed from the plans document; defaults are filled in (pipeline.md §4.2). */
struct coding_plan {
	enum plan_group group;
	size_t index;			/* position within its group */
	const char *raw_field;
	const char *dataset_name;	/* default raw_field */
	const char *time_field;		/* NULL if none */
	const char *run_id_field;	/* NULL if none */
	const char *coda_filename;	/* NULL: not manually coded */
	const char *icr_filename;	/* NULL: no ICR sample */
	const char *id_field;		/* default raw_field + "_id" */
	const char *message_id_key;	/* whose value is SHA-256'd into the Coda MessageID; default raw_field */
	const char *ws_match_value;	/* WSCode as written, or NULL */
	const struct code *ws_code;	/* the WS-correct-dataset code it names, or NULL */
	enum fold_strategy raw_field_fold_strategy;
	enum code_imputation code_imputation;
	struct coding_config *ccs;
	size_t n_ccs;
};

struct plans_scheme_file;

struct coding_plans {
	char *path;			/* owned: the plans file as given */
	char *schemes_dir;		/* owned: where CodeScheme files are looked up */
	json_t *root;
	struct coding_plan *plans;	/* RQA, then Demog, FollowUp, Engagement plans, each in file order */
	size_t n_plans;
	size_t n_group[PLAN_N_GROUPS];
	size_t n_ccs;			/* coding configurations over all plans */
	const struct code_scheme *ws_scheme;	/* WSCorrectDatasetScheme, or NULL */
	const char *ws_scheme_file;
	struct engagement_window *windows;
	size_t n_windows;
	struct plans_scheme_file *scheme_files;	/* private: every scheme file, loaded once */
	size_t n_schemes;		/* distinct code scheme files loaded (the WS scheme included) */
	char **owned;			/* private: strings made for defaults */
	size_t n_owned;
};

/*
 * Load the plans file and every code scheme it names from schemes_dir (NULL: the plans file's directory), and
 * check them together: known cleaner, fold-strategy and imputation names, WS codes, engagement-type windows,
 * fold strategies that suit the coding mode, cleaners whose outputs the scheme can hold, unique coded fields,
 * analysis keys and file names. Errors name the file and the JSON path; a missing scheme file is EX_CONFIG
 * naming the plan's path; a missing plans file is EX_NOINPUT. On failure p is empty.
 */
int plans_load(struct coding_plans *p, const char *path, const char *schemes_dir, struct err *e);
void plans_free(struct coding_plans *p);

/* All plans in RQA + Demog + FollowUp + Engagement order. */
const struct coding_plan *plans_all(const struct coding_plans *p, size_t *n);
const struct coding_plan *plans_rqa(const struct coding_plans *p, size_t *n);
/* The survey plans: Demog + FollowUp + Engagement (the reference's SURVEY_CODING_PLANS). */
const struct coding_plan *plans_survey(const struct coding_plans *p, size_t *n);
const struct coding_plan *plans_group(const struct coding_plans *p, enum plan_group g, size_t *n);
const struct code_scheme *plans_ws_scheme(const struct coding_plans *p);
/* The i-th distinct scheme loaded (0 <= i < n_schemes), in first-use order. */
const struct code_scheme *plans_scheme_at(const struct coding_plans *p, size_t i);
const struct engagement_window *plans_engagement_windows(const struct coding_plans *p, size_t *n);

const char *plans_cleaner_name(enum cleaner_kind k);
const char *plans_fold_name(enum fold_strategy f);
const char *plans_coding_mode_name(enum coding_mode m);
const char *plans_imputation_name(enum code_imputation i);
/* "RQACodingPlans", "DemogCodingPlans", … */
const char *plans_group_key(enum plan_group g);

#endif
