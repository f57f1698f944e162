/*
 * The coding-plans file: what the reference keeps in Python (configuration/coding_plans.py, code_schemes.py,
 * src/lib/configuration_objects.py) as JSON, with every code scheme loaded once and checked against its users.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/plan.h"
#include "util/buf.h"

struct plans_scheme_file {
	char *key;			/* realpath of the file (or the joined path), to load each file once */
	const char *file;		/* as first written in the plans file */
	char *first_use;		/* JSON path of the first use */
	struct code_scheme *scheme;
};

/* Values that must be unique across the file: value -> JSON path of the first use. */
struct unique_sets {
	json_t *coded_fields, *analysis_keys, *coda_files, *icr_files, *ws_codes;
};

struct name_entry {
	const char *name;
	int value;
};

static const struct name_entry cleaner_names[] = {
	{ "somali_gender", CLEANER_SOMALI_GENDER },
	{ "somali_yes_no", CLEANER_SOMALI_YES_NO },
	{ "somali_mogadishu_sub_district", CLEANER_SOMALI_MOGADISHU_SUB_DISTRICT },
	{ "district_if_no_mogadishu_sub_district", CLEANER_DISTRICT_IF_NO_MOGADISHU_SUB_DISTRICT },
	{ "age_with_range_filter", CLEANER_AGE_WITH_RANGE_FILTER },
	{ "engagement_type", CLEANER_ENGAGEMENT_TYPE },
	{ "facebook_comment_reply_to", CLEANER_FACEBOOK_COMMENT_REPLY_TO },
	{ "facebook_post_type", CLEANER_FACEBOOK_POST_TYPE },
	{ NULL, 0 }
};

static const struct name_entry fold_names[] = {
	{ "assert_equal", FOLD_ASSERT_EQUAL },
	{ "concatenate", FOLD_CONCATENATE },
	{ "boolean_or", FOLD_BOOLEAN_OR },
	{ "matrix", FOLD_MATRIX },
	{ "yes_no_amb", FOLD_YES_NO_AMB },
	{ "assert_label_ids_equal", FOLD_ASSERT_LABEL_IDS_EQUAL },
	{ "list_of_labels", FOLD_LIST_OF_LABELS },
	{ "engagement_type", FOLD_ENGAGEMENT_TYPE },
	{ NULL, 0 }
};

static const struct name_entry imputation_names[] = {
	{ "impute_age_category", IMPUTE_AGE_CATEGORY },
	{ "impute_somalia_location_codes", IMPUTE_SOMALIA_LOCATION_CODES },
	{ NULL, 0 }
};

static const char *const group_keys[PLAN_N_GROUPS] = {
	"RQACodingPlans", "DemogCodingPlans", "FollowUpCodingPlans", "EngagementCodingPlans"
};

static const char *
name_of(const struct name_entry *t, int value)
{
	for (; t->name != NULL; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

static int
lookup(const struct name_entry *t, const char *name, int *value)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, name) == 0) {
			*value = t->value;
			return 0;
		}
	return -1;
}

/* "a, b, c" for messages. */
static void
name_list(const struct name_entry *t, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; t->name != NULL && len < n; t++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", t->name);
}

const char *
plans_cleaner_name(enum cleaner_kind k)
{
	return k == CLEANER_NONE ? "none" : name_of(cleaner_names, k);
}

const char *
plans_fold_name(enum fold_strategy f)
{
	return f == FOLD_NONE ? "null" : name_of(fold_names, f);
}

const char *
plans_coding_mode_name(enum coding_mode m)
{
	return m == CODING_MULTIPLE ? "MULTIPLE" : "SINGLE";
}

const char *
plans_imputation_name(enum code_imputation i)
{
	return i == IMPUTE_NONE ? "none" : name_of(imputation_names, i);
}

const char *
plans_group_key(enum plan_group g)
{
	return g < PLAN_N_GROUPS ? group_keys[g] : "?";
}

static const char *
own(struct coding_plans *p, char *s)
{
	p->owned = xrealloc(p->owned, (p->n_owned + 1) * sizeof *p->owned);
	p->owned[p->n_owned++] = s;
	return s;
}

/* Keys other than these (and comments: keys that start with "_") are typing mistakes. */
static int
check_keys(const json_t *obj, const char *const *known, struct cj_path *jp, struct err *e)
{
	const char *key, *const *k;
	json_t *v;
	char list[512];
	size_t len = 0;

	json_object_foreach((json_t *)obj, key, v) {
		if (key[0] == '_')
			continue;
		for (k = known; *k != NULL; k++)
			if (strcmp(*k, key) == 0)
				break;
		if (*k != NULL)
			continue;
		list[0] = '\0';
		for (k = known; *k != NULL && len < sizeof list; k++)
			len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", *k);
		cj_push_key(jp, key);
		return cj_fail(e, jp, "unknown key (expected %s, or a comment key starting with '_')", list);
	}
	return 0;
}

/* Record value at the current path; fail if it was used before. */
static int
unique(json_t *seen, const char *value, const char *what, struct cj_path *jp, struct err *e)
{
	json_t *first = json_object_get(seen, value);

	if (first != NULL)
		return cj_fail(e, jp, "duplicate %s '%s' (also %s)", what, value, json_string_value(first));
	json_object_set_new(seen, value, json_string(cj_path_str(jp)));
	return 0;
}

/* The scheme in file (relative to the schemes dir), loaded once; jp is at the key that names it. */
static const struct code_scheme *
scheme_file(struct coding_plans *p, const char *file, struct cj_path *jp, struct err *e)
{
	struct plans_scheme_file *sf;
	struct code_scheme *s;
	char *path, *key;
	size_t i;

	path = cj_path_join(p->schemes_dir, file);
	if ((key = realpath(path, NULL)) == NULL)
		key = xstrdup(path);
	for (i = 0; i < p->n_schemes; i++)
		if (strcmp(p->scheme_files[i].key, key) == 0) {
			free(path);
			free(key);
			return p->scheme_files[i].scheme;
		}
	s = xcalloc(1, sizeof *s);
	if (scheme_load(s, path, e) == -1) {
		/* A plan naming a missing scheme is a configuration error (DESIGN.md §8). */
		if (e != NULL && e->code == EX_NOINPUT) {
			char msg[sizeof e->msg];

			snprintf(msg, sizeof msg, "%s", e->msg);
			cj_fail(e, jp, "code scheme %s", msg);
		}
		free(s);
		free(path);
		free(key);
		return NULL;
	}
	free(path);
	/* Labels name their scheme by SchemeID only, so two different files must not share one. */
	for (i = 0; i < p->n_schemes; i++) {
		sf = &p->scheme_files[i];
		if (strcmp(sf->scheme->scheme_id, s->scheme_id) == 0 && !json_equal(sf->scheme->root, s->root)) {
			cj_fail(e, jp, "%s has SchemeID '%s', as %s (used at %s) does, but the two differ: "
			    "labels could not tell them apart", file, s->scheme_id, sf->file, sf->first_use);
			scheme_free(s);
			free(s);
			free(key);
			return NULL;
		}
	}
	p->scheme_files = xrealloc(p->scheme_files, (p->n_schemes + 1) * sizeof *p->scheme_files);
	sf = &p->scheme_files[p->n_schemes++];
	sf->key = key;
	sf->file = file;
	sf->first_use = xstrdup(cj_path_str(jp));
	sf->scheme = s;
	return s;
}

static int
load_windows(struct coding_plans *p, struct cj_path *jp, struct err *e)
{
	static const char *const keys[] = { "Dataset", "Code", "Start", "End", NULL };
	json_t *arr = json_object_get(p->root, "EngagementTypeWindows"), *v;
	struct isotime t;
	size_t i;

	if (arr == NULL || json_is_null(arr))
		return 0;
	cj_push_key(jp, "EngagementTypeWindows");
	if (cj_expect_array(arr, jp, e) == -1)
		return -1;
	p->windows = xcalloc(json_array_size(arr) + 1, sizeof *p->windows);
	json_array_foreach(arr, i, v) {
		struct engagement_window *w = &p->windows[i];
		size_t m = cj_push_index(jp, i);

		if (cj_expect_object(v, jp, e) == -1 || check_keys(v, keys, jp, e) == -1
		    || cj_string(v, "Dataset", &w->dataset, jp, e) == -1
		    || cj_string(v, "Code", &w->code, jp, e) == -1
		    || cj_datetime(v, "Start", &w->start, &t, jp, e) == -1)
			return -1;
		w->start_usec = t.usec;
		if (cj_datetime(v, "End", &w->end, &t, jp, e) == -1)
			return -1;
		w->end_usec = t.usec;
		if (w->end_usec <= w->start_usec) {
			cj_push_key(jp, "End");
			return cj_fail(e, jp, "expected a time after Start (%s), found '%s'", w->start, w->end);
		}
		p->n_windows = i + 1;
		cj_pop(jp, m);
	}
	cj_pop(jp, 0);
	return 0;
}

/* A fold strategy member: required key; null allowed when allow_null. */
static int
load_fold(const json_t *obj, const char *key, int allow_null, enum fold_strategy *out, struct cj_path *jp,
    struct err *e)
{
	json_t *v = json_object_get(obj, key);
	size_t mark = cj_push_key(jp, key);
	char names[512];
	int value;

	name_list(fold_names, names, sizeof names);
	if (v == NULL)
		return cj_fail(e, jp, "missing (expected one of %s%s)", names, allow_null ? ", or null" : "");
	if (json_is_null(v) && allow_null) {
		*out = FOLD_NONE;
	} else if (!json_is_string(v)) {
		return cj_fail(e, jp, "expected a fold strategy name%s, found %s", allow_null ? " or null" : "",
		    cj_kind(v));
	} else if (lookup(fold_names, json_string_value(v), &value) == -1) {
		return cj_fail(e, jp, "unknown fold strategy '%s' (expected one of %s%s)", json_string_value(v),
		    names, allow_null ? ", or null" : "");
	} else {
		*out = (enum fold_strategy)value;
	}
	cj_pop(jp, mark);
	return 0;
}

static int
is_label_fold(enum fold_strategy f)
{
	return f == FOLD_ASSERT_LABEL_IDS_EQUAL || f == FOLD_LIST_OF_LABELS || f == FOLD_ENGAGEMENT_TYPE;
}

static int
is_string_fold(enum fold_strategy f)
{
	return f == FOLD_CONCATENATE || f == FOLD_BOOLEAN_OR || f == FOLD_MATRIX || f == FOLD_YES_NO_AMB;
}

static int
load_cleaner(struct coding_plans *p, struct coding_config *cc, const json_t *obj, struct cj_path *jp,
    struct err *e)
{
	json_t *v = json_object_get(obj, "Cleaner"), *pv;
	const char *key;
	char names[512];
	size_t i;
	int kind;

	cc->cleaner.kind = CLEANER_NONE;
	if (v == NULL || json_is_null(v))
		return 0;
	cj_push_key(jp, "Cleaner");
	if (json_is_object(v)) {
		if (cj_string(v, "Name", &cc->cleaner.name, jp, e) == -1)
			return -1;
		cc->cleaner.params = v;
	} else if (json_is_string(v) && json_string_length(v) > 0) {
		cc->cleaner.name = json_string_value(v);
	} else {
		return cj_fail(e, jp, "expected a cleaner name, an object with a Name, or null, found %s", cj_kind(v));
	}
	if (lookup(cleaner_names, cc->cleaner.name, &kind) == -1) {
		if (cc->cleaner.params != NULL)
			cj_push_key(jp, "Name");
		name_list(cleaner_names, names, sizeof names);
		return cj_fail(e, jp, "unknown cleaner '%s' (expected one of %s)", cc->cleaner.name, names);
	}
	cc->cleaner.kind = (enum cleaner_kind)kind;
	if (cc->cleaner.params != NULL) {
		json_object_foreach((json_t *)cc->cleaner.params, key, pv) {
			if (key[0] == '_' || strcmp(key, "Name") == 0
			    || (kind == CLEANER_ENGAGEMENT_TYPE && strcmp(key, "Dataset") == 0))
				continue;
			cj_push_key(jp, key);
			return cj_fail(e, jp, "unknown parameter for cleaner '%s'%s", cc->cleaner.name,
			    kind == CLEANER_ENGAGEMENT_TYPE ? " (it takes Dataset)" : " (it takes none)");
		}
	}
	if (kind == CLEANER_ENGAGEMENT_TYPE) {
		if (cc->cleaner.params == NULL)
			return cj_fail(e, jp, "cleaner 'engagement_type' needs a Dataset: "
			    "{\"Name\": \"engagement_type\", \"Dataset\": \"<dataset>\"}");
		if (cj_string(v, "Dataset", &cc->cleaner.dataset, jp, e) == -1)
			return -1;
		for (i = 0; i < p->n_windows; i++)
			if (strcmp(p->windows[i].dataset, cc->cleaner.dataset) == 0)
				break;
		if (i == p->n_windows) {
			cj_push_key(jp, "Dataset");
			return cj_fail(e, jp, "no EngagementTypeWindows row has Dataset '%s'", cc->cleaner.dataset);
		}
	}
	return 0;
}

static int
need_match_value(const struct coding_config *cc, const char *value, const char *who, struct cj_path *jp,
    struct err *e)
{
	if (scheme_code_by_match_value(cc->code_scheme, value) != NULL)
		return 0;
	return cj_fail(e, jp, "%s gives '%s', which is not a match value of %s", who, value, cc->code_scheme_file);
}

/* Where cheap: the values a cleaner can give must be match values of the scheme (KeyError in the reference). */
static int
check_cleaner_outputs(struct coding_plans *p, const struct coding_config *cc, struct cj_path *jp,
    struct err *e)
{
	static const char *const gender[] = { "male", "female", NULL };
	static const char *const yes_no[] = { "yes", "no", NULL };
	static const char *const reply_to[] = { "post", "comment", NULL };
	static const char *const post_type[] = { "photo", "video", NULL };
	const char *const *values = NULL;
	char who[128], age[8];
	size_t i;

	snprintf(who, sizeof who, "cleaner '%s'", cc->cleaner.name);
	switch (cc->cleaner.kind) {
	case CLEANER_SOMALI_GENDER:
		values = gender;
		break;
	case CLEANER_SOMALI_YES_NO:
		values = yes_no;
		break;
	case CLEANER_FACEBOOK_COMMENT_REPLY_TO:
		values = reply_to;
		break;
	case CLEANER_FACEBOOK_POST_TYPE:
		values = post_type;
		break;
	case CLEANER_AGE_WITH_RANGE_FILTER:
		for (i = 10; i < 100; i++) {
			snprintf(age, sizeof age, "%zu", i);
			if (need_match_value(cc, age, who, jp, e) == -1)
				return -1;
		}
		return 0;
	case CLEANER_ENGAGEMENT_TYPE:
		/* outside every window the cleaner gives NA */
		if (need_match_value(cc, "NA", who, jp, e) == -1)
			return -1;
		for (i = 0; i < p->n_windows; i++) {
			const struct engagement_window *w = &p->windows[i];

			if (strcmp(w->dataset, cc->cleaner.dataset) != 0
			    || scheme_code_by_match_value(cc->code_scheme, w->code) != NULL)
				continue;
			snprintf(who, sizeof who, "%s", cj_path_str(jp));
			cj_pop(jp, 0);
			cj_push_key(jp, "EngagementTypeWindows");
			cj_push_index(jp, i);
			cj_push_key(jp, "Code");
			return cj_fail(e, jp, "'%s' is not a match value of %s (the scheme of the engagement_type "
			    "cleaner at %s)", w->code, cc->code_scheme_file, who);
		}
		return 0;
	default:
		return 0;
	}
	for (; *values != NULL; values++)
		if (need_match_value(cc, *values, who, jp, e) == -1)
			return -1;
	return 0;
}

static int
load_cc(struct coding_plans *p, struct coding_plan *plan, struct coding_config *cc, const json_t *obj,
    struct unique_sets *sets, struct cj_path *jp, struct err *e)
{
	static const char *const keys[] = {
		"CodedField", "CodingMode", "CodeScheme", "RawField", "Cleaner", "RequiresManualVerification",
		"AnalysisFileKey", "FoldStrategy", "IncludeInThemeDistribution", "IncludeInIndividualsFile", NULL
	};
	const char *mode;
	size_t mark;

	cc->plan = plan;
	cc->requires_manual_verification = 1;
	cc->include_in_theme_distribution = 1;
	cc->include_in_individuals_file = 1;
	if (cj_expect_object(obj, jp, e) == -1 || check_keys(obj, keys, jp, e) == -1
	    || cj_string(obj, "CodedField", &cc->coded_field, jp, e) == -1)
		return -1;
	mark = cj_push_key(jp, "CodedField");
	if (unique(sets->coded_fields, cc->coded_field, "coded field", jp, e) == -1)
		return -1;
	cj_pop(jp, mark);
	if (cj_string(obj, "CodingMode", &mode, jp, e) == -1)
		return -1;
	if (strcmp(mode, "SINGLE") == 0) {
		cc->coding_mode = CODING_SINGLE;
	} else if (strcmp(mode, "MULTIPLE") == 0) {
		cc->coding_mode = CODING_MULTIPLE;
	} else {
		cj_push_key(jp, "CodingMode");
		return cj_fail(e, jp, "expected SINGLE or MULTIPLE, found '%s'", mode);
	}
	if (cj_string(obj, "CodeScheme", &cc->code_scheme_file, jp, e) == -1)
		return -1;
	mark = cj_push_key(jp, "CodeScheme");
	if ((cc->code_scheme = scheme_file(p, cc->code_scheme_file, jp, e)) == NULL)
		return -1;
	cj_pop(jp, mark);
	cc->raw_field = plan->raw_field;
	if (cj_opt_string(obj, "RawField", &cc->raw_field, jp, e) == -1)
		return -1;
	cc->own_raw_field = cc->raw_field != plan->raw_field;
	if (load_cleaner(p, cc, obj, jp, e) == -1)
		return -1;
	cj_pop(jp, mark);
	if (cc->cleaner.kind != CLEANER_NONE) {
		cj_push_key(jp, "Cleaner");
		if (check_cleaner_outputs(p, cc, jp, e) == -1)
			return -1;
		cj_pop(jp, mark);
	}
	if (cj_opt_bool(obj, "RequiresManualVerification", &cc->requires_manual_verification, jp, e) == -1
	    || cj_opt_string(obj, "AnalysisFileKey", &cc->analysis_file_key, jp, e) == -1)
		return -1;
	if (cc->analysis_file_key != NULL) {
		cj_push_key(jp, "AnalysisFileKey");
		if (unique(sets->analysis_keys, cc->analysis_file_key, "analysis file key", jp, e) == -1)
			return -1;
		cj_pop(jp, mark);
	}
	if (load_fold(obj, "FoldStrategy", 1, &cc->fold_strategy, jp, e) == -1)
		return -1;
	cj_push_key(jp, "FoldStrategy");
	if (is_string_fold(cc->fold_strategy))
		return cj_fail(e, jp, "fold strategy '%s' folds strings, not labels", plans_fold_name(cc->fold_strategy));
	if (cc->fold_strategy == FOLD_LIST_OF_LABELS && cc->coding_mode != CODING_MULTIPLE)
		return cj_fail(e, jp, "fold strategy 'list_of_labels' needs CodingMode MULTIPLE");
	if ((cc->fold_strategy == FOLD_ASSERT_LABEL_IDS_EQUAL || cc->fold_strategy == FOLD_ENGAGEMENT_TYPE)
	    && cc->coding_mode != CODING_SINGLE)
		return cj_fail(e, jp, "fold strategy '%s' needs CodingMode SINGLE", plans_fold_name(cc->fold_strategy));
	if (cc->fold_strategy == FOLD_ENGAGEMENT_TYPE
	    && need_match_value(cc, "multiple", "fold strategy 'engagement_type'", jp, e) == -1)
		return -1;
	cj_pop(jp, mark);
	if (cj_opt_bool(obj, "IncludeInThemeDistribution", &cc->include_in_theme_distribution, jp, e) == -1
	    || cj_opt_bool(obj, "IncludeInIndividualsFile", &cc->include_in_individuals_file, jp, e) == -1)
		return -1;
	return 0;
}

static int
load_plan(struct coding_plans *p, struct coding_plan *plan, const json_t *obj, struct unique_sets *sets,
    struct cj_path *jp, struct err *e)
{
	static const char *const keys[] = {
		"RawField", "DatasetName", "TimeField", "RunIDField", "CodaFilename", "ICRFilename", "IDField",
		"MessageIDKey", "WSCode", "RawFieldFoldStrategy", "CodeImputation", "CodingConfigurations", NULL
	};
	static const char *const age_categories[] = {
		"10 to 14", "15 to 17", "18 to 35", "36 to 54", "55 to 99", NULL
	};
	const char *imputation = NULL;
	json_t *arr, *v;
	size_t mark = jp->len, i, len;
	char *id, names[256];
	int value;

	if (cj_expect_object(obj, jp, e) == -1 || check_keys(obj, keys, jp, e) == -1
	    || cj_string(obj, "RawField", &plan->raw_field, jp, e) == -1)
		return -1;
	plan->dataset_name = plan->raw_field;
	plan->message_id_key = plan->raw_field;
	if (cj_opt_string(obj, "DatasetName", &plan->dataset_name, jp, e) == -1
	    || cj_opt_string(obj, "TimeField", &plan->time_field, jp, e) == -1
	    || cj_opt_string(obj, "RunIDField", &plan->run_id_field, jp, e) == -1
	    || cj_opt_string(obj, "CodaFilename", &plan->coda_filename, jp, e) == -1
	    || cj_opt_string(obj, "ICRFilename", &plan->icr_filename, jp, e) == -1
	    || cj_opt_string(obj, "IDField", &plan->id_field, jp, e) == -1
	    || cj_opt_string(obj, "MessageIDKey", &plan->message_id_key, jp, e) == -1
	    || cj_opt_string(obj, "WSCode", &plan->ws_match_value, jp, e) == -1)
		return -1;
	if (plan->id_field == NULL) {
		len = strlen(plan->raw_field);
		id = xmalloc(len + sizeof "_id");
		memcpy(id, plan->raw_field, len);
		memcpy(id + len, "_id", sizeof "_id");
		plan->id_field = own(p, id);
	}
	if (plan->coda_filename != NULL) {
		cj_push_key(jp, "CodaFilename");
		if (unique(sets->coda_files, plan->coda_filename, "Coda file name", jp, e) == -1)
			return -1;
		cj_pop(jp, mark);
	}
	if (plan->icr_filename != NULL) {
		cj_push_key(jp, "ICRFilename");
		if (unique(sets->icr_files, plan->icr_filename, "ICR file name", jp, e) == -1)
			return -1;
		cj_pop(jp, mark);
	}
	if (plan->ws_match_value != NULL) {
		const struct code *code;

		cj_push_key(jp, "WSCode");
		if (p->ws_scheme == NULL)
			return cj_fail(e, jp, "a WS code needs WSCorrectDatasetScheme at the top of the file");
		code = scheme_code_by_match_value(p->ws_scheme, plan->ws_match_value);
		if (code == NULL)
			return cj_fail(e, jp, "no code in %s has match value '%s'", p->ws_scheme_file,
			    plan->ws_match_value);
		if (code->code_type != CODE_NORMAL)
			return cj_fail(e, jp, "'%s' is the match value of %s, a %s code in %s (expected a Normal code)",
			    plan->ws_match_value, code->code_id, scheme_code_type_name(code->code_type),
			    p->ws_scheme_file);
		if (unique(sets->ws_codes, code->code_id, "WS code", jp, e) == -1)
			return -1;
		plan->ws_code = code;
		cj_pop(jp, mark);
	}
	if (load_fold(obj, "RawFieldFoldStrategy", 0, &plan->raw_field_fold_strategy, jp, e) == -1)
		return -1;
	if (is_label_fold(plan->raw_field_fold_strategy)) {
		cj_push_key(jp, "RawFieldFoldStrategy");
		return cj_fail(e, jp, "fold strategy '%s' folds labels, not raw values",
		    plans_fold_name(plan->raw_field_fold_strategy));
	}
	if (cj_opt_string(obj, "CodeImputation", &imputation, jp, e) == -1)
		return -1;
	if (imputation != NULL) {
		if (lookup(imputation_names, imputation, &value) == -1) {
			cj_push_key(jp, "CodeImputation");
			name_list(imputation_names, names, sizeof names);
			return cj_fail(e, jp, "unknown code imputation function '%s' (expected one of %s)", imputation,
			    names);
		}
		plan->code_imputation = (enum code_imputation)value;
	}

	arr = json_object_get(obj, "CodingConfigurations");
	cj_push_key(jp, "CodingConfigurations");
	if (arr == NULL)
		return cj_fail(e, jp, "missing (expected an array of coding configurations)");
	if (cj_expect_array(arr, jp, e) == -1)
		return -1;
	if (json_array_size(arr) == 0)
		return cj_fail(e, jp, "expected at least one coding configuration, found none");
	plan->ccs = xcalloc(json_array_size(arr), sizeof *plan->ccs);
	json_array_foreach(arr, i, v) {
		size_t m = cj_push_index(jp, i);

		plan->n_ccs = i + 1;
		if (load_cc(p, plan, &plan->ccs[i], v, sets, jp, e) == -1)
			return -1;
		cj_pop(jp, m);
	}
	p->n_ccs += plan->n_ccs;
	cj_pop(jp, mark);

	/* what the imputation functions index into (code_imputation_functions.py) */
	if (plan->code_imputation != IMPUTE_NONE) {
		size_t want = plan->code_imputation == IMPUTE_AGE_CATEGORY ? 2 : 5;

		cj_push_key(jp, "CodeImputation");
		if (plan->n_ccs != want)
			return cj_fail(e, jp, "%s needs %zu coding configurations, found %zu", imputation, want,
			    plan->n_ccs);
		if (plan->code_imputation == IMPUTE_AGE_CATEGORY)
			for (i = 0; age_categories[i] != NULL; i++)
				if (need_match_value(&plan->ccs[1], age_categories[i], "impute_age_category", jp, e) == -1)
					return -1;
		cj_pop(jp, mark);
	}
	return 0;
}

static int
load_all(struct coding_plans *p, struct cj_path *jp, struct err *e)
{
	static const char *const keys[] = {
		"WSCorrectDatasetScheme", "EngagementTypeWindows", "RQACodingPlans", "DemogCodingPlans",
		"FollowUpCodingPlans", "EngagementCodingPlans", NULL
	};
	struct unique_sets sets;
	json_t *groups[PLAN_N_GROUPS], *v;
	size_t total = 0, n, i;
	int g, rc = -1;

	if (cj_expect_object(p->root, jp, e) == -1 || check_keys(p->root, keys, jp, e) == -1
	    || cj_opt_string(p->root, "WSCorrectDatasetScheme", &p->ws_scheme_file, jp, e) == -1)
		return -1;
	if (p->ws_scheme_file != NULL) {
		cj_push_key(jp, "WSCorrectDatasetScheme");
		if ((p->ws_scheme = scheme_file(p, p->ws_scheme_file, jp, e)) == NULL)
			return -1;
		cj_pop(jp, 0);
	}
	if (load_windows(p, jp, e) == -1)
		return -1;
	for (g = 0; g < PLAN_N_GROUPS; g++) {
		groups[g] = json_object_get(p->root, group_keys[g]);
		if (groups[g] == NULL || json_is_null(groups[g])) {
			groups[g] = NULL;
			continue;
		}
		cj_push_key(jp, group_keys[g]);
		if (cj_expect_array(groups[g], jp, e) == -1)
			return -1;
		cj_pop(jp, 0);
		total += json_array_size(groups[g]);
	}
	p->plans = xcalloc(total + 1, sizeof *p->plans);
	sets.coded_fields = json_object();
	sets.analysis_keys = json_object();
	sets.coda_files = json_object();
	sets.icr_files = json_object();
	sets.ws_codes = json_object();
	for (g = 0; g < PLAN_N_GROUPS; g++) {
		if (groups[g] == NULL)
			continue;
		json_array_foreach(groups[g], i, v) {
			struct coding_plan *plan = &p->plans[p->n_plans];

			cj_push_key(jp, group_keys[g]);
			cj_push_index(jp, i);
			plan->group = (enum plan_group)g;
			plan->index = i;
			p->n_plans++;
			if (load_plan(p, plan, v, &sets, jp, e) == -1)
				goto out;
			cj_pop(jp, 0);
		}
		n = json_array_size(groups[g]);
		p->n_group[g] = n;
	}
	rc = 0;
out:
	json_decref(sets.coded_fields);
	json_decref(sets.analysis_keys);
	json_decref(sets.coda_files);
	json_decref(sets.icr_files);
	json_decref(sets.ws_codes);
	return rc;
}

int
plans_load(struct coding_plans *p, const char *path, const char *schemes_dir, struct err *e)
{
	struct cj_path jp;
	char *dir;

	memset(p, 0, sizeof *p);
	if ((p->root = cj_load_file(path, e)) == NULL)
		return -1;
	p->path = xstrdup(path);
	if (schemes_dir != NULL) {
		p->schemes_dir = xstrdup(schemes_dir);
	} else {
		dir = cj_dirname(path);
		p->schemes_dir = dir;
	}
	cj_path_init(&jp, p->path);
	if (load_all(p, &jp, e) == -1) {
		plans_free(p);
		return -1;
	}
	return 0;
}

void
plans_free(struct coding_plans *p)
{
	size_t i;

	for (i = 0; i < p->n_plans; i++)
		free(p->plans[i].ccs);
	free(p->plans);
	for (i = 0; i < p->n_schemes; i++) {
		scheme_free(p->scheme_files[i].scheme);
		free(p->scheme_files[i].scheme);
		free(p->scheme_files[i].key);
		free(p->scheme_files[i].first_use);
	}
	free(p->scheme_files);
	for (i = 0; i < p->n_owned; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->windows);
	free(p->path);
	free(p->schemes_dir);
	json_decref(p->root);
	memset(p, 0, sizeof *p);
}

const struct coding_plan *
plans_all(const struct coding_plans *p, size_t *n)
{
	*n = p->n_plans;
	return p->plans;
}

const struct coding_plan *
plans_group(const struct coding_plans *p, enum plan_group g, size_t *n)
{
	size_t start = 0;

	for (int i = 0; i < (int)g && i < PLAN_N_GROUPS; i++)
		start += p->n_group[i];
	*n = g < PLAN_N_GROUPS ? p->n_group[g] : 0;
	return p->plans + start;
}

const struct coding_plan *
plans_rqa(const struct coding_plans *p, size_t *n)
{
	return plans_group(p, PLAN_RQA, n);
}

const struct coding_plan *
plans_survey(const struct coding_plans *p, size_t *n)
{
	*n = p->n_plans - p->n_group[PLAN_RQA];
	return p->plans + p->n_group[PLAN_RQA];
}

const struct code_scheme *
plans_ws_scheme(const struct coding_plans *p)
{
	return p->ws_scheme;
}

const struct code_scheme *
plans_scheme_at(const struct coding_plans *p, size_t i)
{
	return i < p->n_schemes ? p->scheme_files[i].scheme : NULL;
}

const struct engagement_window *
plans_engagement_windows(const struct coding_plans *p, size_t *n)
{
	*n = p->n_windows;
	return p->windows;
}
