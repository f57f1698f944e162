/* config: the pipeline configuration JSON (pipeline.md §4.1 plus the DESIGN.md §5 extensions), loaded and validated. */
#ifndef TD_CONFIG_H
#define TD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"
#include "util/isotime.h"

/*
 * Every string below is borrowed from the jansson document (c->root) unless marked "owned"; it lives as long
 * as the configuration. Optional strings are NULL when absent. Lists keep the order of the file.
 */

enum source_type {
	SOURCE_RAPIDPRO,
	SOURCE_GCLOUD_BUCKET,
	SOURCE_RECOVERY_CSV,
	SOURCE_FACEBOOK
};

struct str_list {
	const char **v;
	size_t n;
};

struct fb_search {
	const char *match;
	const char *start_date, *end_date;	/* as written */
	int64_t start_usec, end_usec;		/* UTC epoch microseconds */
};

struct fb_dataset {
	const char *name;
	int has_post_ids;
	struct str_list post_ids;
	int has_search;
	struct fb_search search;
};

#define FB_GRAPH_API_DEFAULT "https://graph.facebook.com/v8.0"

struct raw_source {
	enum source_type type;
	/* RapidPro */
	const char *domain;			/* a host name, or a full URL (http://…, file:///dir) */
	const char *token_file_url;		/* RapidPro and Facebook */
	struct str_list activation_flow_names;
	struct str_list survey_flow_names;
	struct str_list test_contact_uuids;
	/* GCloudBucket, RecoveryCSV */
	struct str_list activation_flow_urls;
	struct str_list survey_flow_urls;
	/* Facebook */
	const char *page_id;
	const char *graph_api_base_url;		/* GraphAPIBaseURL, else FB_GRAPH_API_DEFAULT */
	struct fb_dataset *datasets;
	size_t n_datasets;
};

struct source_key_remapping {
	const char *source_key;
	const char *pipeline_key;
	int is_activation_message;
};

struct timestamp_remapping {
	const char *time_key;
	const char *show_pipeline_key;		/* ShowPipelineKeyToRemapTo */
	int64_t range_start_usec;		/* RangeStartInclusive, else INT64_MIN */
	int64_t range_end_usec;			/* RangeEndExclusive, else INT64_MAX */
	const char *time_to_adjust_to;		/* as written, or NULL */
	struct isotime adjust_to;		/* parsed, when time_to_adjust_to is set */
};

struct traffic_label {
	const char *label;
	const char *start_date, *end_date;
	int64_t start_usec, end_usec;
};

struct pipeline_config {
	char *path;				/* owned: the file as given */
	char *dir;				/* owned: its directory ("" for the current one) */
	json_t *root;				/* the whole document, for tools that need more */

	const char *pipeline_name;
	struct raw_source *sources;
	size_t n_sources;

	struct {
		const char *firebase_credentials_file_url;	/* required unless file_url is set */
		const char *table_name;				/* required unless file_url is set */
		const char *uuid_prefix;
		const char *file_url;				/* extension: the local UUID table, as written */
		char *file_path;				/* owned: file_url as a local path (relative to dir) */
	} uuid_table;
	const char *operations_dashboard_credentials_url;

	struct timestamp_remapping *timestamp_remappings;
	size_t n_timestamp_remappings;
	struct source_key_remapping *source_key_remappings;
	size_t n_source_key_remappings;

	const char *project_start_text, *project_end_text;
	struct isotime project_start, project_end;	/* always with an offset */
	int filter_test_messages;
	int move_ws_messages;

	struct {
		int region_maps, district_maps, mogadishu_maps;
		struct traffic_label *traffic_labels;
		size_t n_traffic_labels;
		int has_traffic_labels;
		char *geo_dir;			/* owned: GeoDir resolved against dir, or NULL */
	} automated_analysis;

	int has_drive_upload;
	struct {
		const char *credentials_file_url;
		const char *production_upload_path;
		const char *messages_upload_path;
		const char *individuals_upload_path;
		const char *automated_analysis_dir;
	} drive_upload;

	const char *memory_profile_upload_bucket;
	const char *data_archive_upload_bucket;
	const char *bucket_dir_path;

	char *coding_plans;			/* owned: CodingPlans resolved against dir, or NULL */
	char *code_schemes_dir;			/* owned: CodeSchemesDir resolved against dir, or NULL */

	struct str_list activation_flows;	/* owned arrays and strings: pipeline.md §5.1 */
	struct str_list survey_flows;
};

/*
 * Load and validate. On failure c is left empty (config_free is still safe), e names the file, the JSON path and
 * what was expected; e->code is EX_NOINPUT for a missing or unreadable file, EX_CONFIG for anything else.
 */
int config_load(struct pipeline_config *c, const char *path, struct err *e);
void config_free(struct pipeline_config *c);

/* Flow names the loader reads, concatenated over the sources in config order (pipeline.md §4.1, §5.1):
 * RapidPro as given; GCloudBucket/RecoveryCSV url.split('/')[-1].split('.')[0]; Facebook "{dataset}_{page_id}". */
const struct str_list *config_activation_flows(const struct pipeline_config *c);
const struct str_list *config_survey_flows(const struct pipeline_config *c);

const char *config_source_type_name(enum source_type t);

/* ---- helpers shared by the config, scheme and plan loaders: JSON with a path for every message ---- */

struct cj_path {
	const char *file;
	size_t len;
	char buf[1000];
};

void cj_path_init(struct cj_path *jp, const char *file);
/* Append ".key" or "[i]"; return the mark to pop back to. */
size_t cj_push_key(struct cj_path *jp, const char *key);
size_t cj_push_index(struct cj_path *jp, size_t i);
void cj_pop(struct cj_path *jp, size_t mark);
/* The path so far, "." at the root. */
const char *cj_path_str(const struct cj_path *jp);
/* EX_CONFIG "file: .path: message"; returns -1. */
int cj_fail(struct err *e, const struct cj_path *jp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "a string", "an array", "null", ... */
const char *cj_kind(const json_t *v);

/* Read a JSON file: EX_NOINPUT if it cannot be opened, EX_CONFIG "file:line:column: invalid JSON: …". */
json_t *cj_load_file(const char *path, struct err *e);

/*
 * Typed members of an object. "Optional" getters leave *out alone when the key is absent or null.
 * Strings must be non-empty.
 */
int cj_string(const json_t *obj, const char *key, const char **out, struct cj_path *jp, struct err *e);
int cj_opt_string(const json_t *obj, const char *key, const char **out, struct cj_path *jp, struct err *e);
int cj_bool(const json_t *obj, const char *key, int *out, struct cj_path *jp, struct err *e);
int cj_opt_bool(const json_t *obj, const char *key, int *out, struct cj_path *jp, struct err *e);
/* An ISO-8601 date-time that must carry a UTC offset (dateutil isoparse syntax). */
int cj_datetime(const json_t *obj, const char *key, const char **text, struct isotime *t,
    struct cj_path *jp, struct err *e);
int cj_opt_datetime(const json_t *obj, const char *key, const char **text, struct isotime *t,
    struct cj_path *jp, struct err *e);
/* Check that v (at the current path) is an object / array. */
int cj_expect_object(const json_t *v, struct cj_path *jp, struct err *e);
int cj_expect_array(const json_t *v, struct cj_path *jp, struct err *e);

/* dir + "/" + path, or a copy of path when it is absolute or dir is "" (owned). */
char *cj_path_join(const char *dir, const char *path);
/* The directory part of a file path ("" when there is none; owned). */
char *cj_dirname(const char *path);

#endif
