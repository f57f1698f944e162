/*
 * The pipeline configuration: the reference's PipelineConfiguration.from_configuration_dict + validate
 * (src/lib/pipeline_configuration.py), rule for rule, with a file and a JSON path in every message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "util/buf.h"

/* ---- JSON paths and typed getters ---- */

void
cj_path_init(struct cj_path *jp, const char *file)
{
	jp->file = file;
	jp->len = 0;
	jp->buf[0] = '\0';
}

static size_t
cj_append(struct cj_path *jp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t
cj_append(struct cj_path *jp, const char *fmt, ...)
{
	size_t mark = jp->len;
	va_list ap;
	int n;

	if (jp->len < sizeof jp->buf - 1) {
		va_start(ap, fmt);
		n = vsnprintf(jp->buf + jp->len, sizeof jp->buf - jp->len, fmt, ap);
		va_end(ap);
		if (n > 0)
			jp->len += (size_t)n;
		if (jp->len > sizeof jp->buf - 1)
			jp->len = sizeof jp->buf - 1;
	}
	return mark;
}

size_t
cj_push_key(struct cj_path *jp, const char *key)
{
	return cj_append(jp, ".%s", key);
}

size_t
cj_push_index(struct cj_path *jp, size_t i)
{
	return cj_append(jp, "[%zu]", i);
}

void
cj_pop(struct cj_path *jp, size_t mark)
{
	jp->len = mark;
	jp->buf[mark] = '\0';
}

const char *
cj_path_str(const struct cj_path *jp)
{
	return jp->len ? jp->buf : ".";
}

int
cj_fail(struct err *e, const struct cj_path *jp, const char *fmt, ...)
{
	char msg[sizeof e->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(e, EX_CONFIG, "%s: %s: %s", jp->file, cj_path_str(jp), msg);
}

const char *
cj_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return json_string_length(v) ? "a string" : "an empty string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
	default:
		return "null";
	}
}

json_t *
cj_load_file(const char *path, struct err *e)
{
	json_error_t je;
	struct stat st;
	json_t *root;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		err_set(e, EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		err_set(e, EX_NOINPUT, "%s: cannot open: Is a directory", path);
		fclose(f);
		return NULL;
	}
	root = json_loadf(f, 0, &je);
	if (root == NULL) {
		if (ferror(f))
			err_set(e, EX_IOERR, "%s: read error: %s", path, strerror(errno));
		else
			err_set(e, EX_CONFIG, "%s:%d:%d: invalid JSON: %s", path, je.line, je.column, je.text);
	}
	fclose(f);
	return root;
}

int
cj_expect_object(const json_t *v, struct cj_path *jp, struct err *e)
{
	if (!json_is_object(v))
		return cj_fail(e, jp, "expected an object, found %s", cj_kind(v));
	return 0;
}

int
cj_expect_array(const json_t *v, struct cj_path *jp, struct err *e)
{
	if (!json_is_array(v))
		return cj_fail(e, jp, "expected an array, found %s", cj_kind(v));
	return 0;
}

static int
string_value(const json_t *v, const char **out, struct cj_path *jp, struct err *e)
{
	if (!json_is_string(v))
		return cj_fail(e, jp, "expected a string, found %s", cj_kind(v));
	if (json_string_length(v) == 0)
		return cj_fail(e, jp, "expected a non-empty string, found an empty string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return cj_fail(e, jp, "expected a string without NUL characters");
	*out = json_string_value(v);
	return 0;
}

static int
get_string(const json_t *obj, const char *key, int required, const char **out, struct cj_path *jp,
    struct err *e)
{
	json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc;

	if (v == NULL || (json_is_null(v) && !required)) {
		if (!required)
			return 0;
		mark = cj_push_key(jp, key);
		rc = cj_fail(e, jp, "missing (expected a non-empty string)");
		cj_pop(jp, mark);
		return rc;
	}
	mark = cj_push_key(jp, key);
	rc = string_value(v, out, jp, e);
	cj_pop(jp, mark);
	return rc;
}

int
cj_string(const json_t *obj, const char *key, const char **out, struct cj_path *jp, struct err *e)
{
	return get_string(obj, key, 1, out, jp, e);
}

int
cj_opt_string(const json_t *obj, const char *key, const char **out, struct cj_path *jp, struct err *e)
{
	return get_string(obj, key, 0, out, jp, e);
}

static int
get_bool(const json_t *obj, const char *key, int required, int *out, struct cj_path *jp, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc = 0;

	if (v == NULL || (json_is_null(v) && !required)) {
		if (!required)
			return 0;
		mark = cj_push_key(jp, key);
		rc = cj_fail(e, jp, "missing (expected true or false)");
		cj_pop(jp, mark);
		return rc;
	}
	mark = cj_push_key(jp, key);
	if (!json_is_boolean(v))
		rc = cj_fail(e, jp, "expected true or false, found %s", cj_kind(v));
	else
		*out = json_is_true(v);
	cj_pop(jp, mark);
	return rc;
}

int
cj_bool(const json_t *obj, const char *key, int *out, struct cj_path *jp, struct err *e)
{
	return get_bool(obj, key, 1, out, jp, e);
}

int
cj_opt_bool(const json_t *obj, const char *key, int *out, struct cj_path *jp, struct err *e)
{
	return get_bool(obj, key, 0, out, jp, e);
}

#define DATETIME_EXPECTED "an ISO-8601 date-time with a UTC offset"

static int
get_datetime(const json_t *obj, const char *key, int required, const char **text, struct isotime *t,
    struct cj_path *jp, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	struct err ignored;
	const char *s;
	size_t mark;
	int rc = 0;

	if (v == NULL || (json_is_null(v) && !required)) {
		if (!required)
			return 0;
		mark = cj_push_key(jp, key);
		rc = cj_fail(e, jp, "missing (expected " DATETIME_EXPECTED ")");
		cj_pop(jp, mark);
		return rc;
	}
	mark = cj_push_key(jp, key);
	if (!json_is_string(v)) {
		rc = cj_fail(e, jp, "expected " DATETIME_EXPECTED ", found %s", cj_kind(v));
	} else {
		s = json_string_value(v);
		if (iso_parse(s, json_string_length(v), t, &ignored) == -1)
			rc = cj_fail(e, jp, "expected " DATETIME_EXPECTED ", found '%s'", s);
		else if (!t->has_offset)
			rc = cj_fail(e, jp, "expected " DATETIME_EXPECTED ", found '%s' (no offset)", s);
		else if (text != NULL)
			*text = s;
	}
	cj_pop(jp, mark);
	return rc;
}

int
cj_datetime(const json_t *obj, const char *key, const char **text, struct isotime *t, struct cj_path *jp,
    struct err *e)
{
	return get_datetime(obj, key, 1, text, t, jp, e);
}

int
cj_opt_datetime(const json_t *obj, const char *key, const char **text, struct isotime *t,
    struct cj_path *jp, struct err *e)
{
	return get_datetime(obj, key, 0, text, t, jp, e);
}

char *
cj_path_join(const char *dir, const char *path)
{
	size_t d, p;
	char *s;

	if (path[0] == '/' || dir[0] == '\0')
		return xstrdup(path);
	d = strlen(dir);
	p = strlen(path);
	s = xmalloc(d + 1 + p + 1);
	memcpy(s, dir, d);
	s[d] = '/';
	memcpy(s + d + 1, path, p + 1);
	return s;
}

char *
cj_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *s;

	if (slash == NULL)
		return xstrdup("");
	if (slash == path)
		return xstrdup("/");
	s = xmalloc((size_t)(slash - path) + 1);
	memcpy(s, path, (size_t)(slash - path));
	s[slash - path] = '\0';
	return s;
}

/* ---- the configuration ---- */

const char *
config_source_type_name(enum source_type t)
{
	switch (t) {
	case SOURCE_RAPIDPRO:
		return "RapidPro";
	case SOURCE_GCLOUD_BUCKET:
		return "GCloudBucket";
	case SOURCE_RECOVERY_CSV:
		return "RecoveryCSV";
	case SOURCE_FACEBOOK:
		return "Facebook";
	}
	return "?";
}

/*
 * The reference's validate_url(..., "gs"). DESIGN.md §5 also allows file:// URLs and local paths wherever a gs://
 * URL is accepted; any other URL scheme is an error. s is the value at the current path.
 */
static int
url_check(const char *s, struct cj_path *jp, struct err *e)
{
	const char *p;

	for (p = s; (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (p > s && ((*p >= '0' && *p <= '9')
	    || *p == '+' || *p == '-' || *p == '.')); p++)
		;
	if (p > s && strncmp(p, "://", 3) == 0 && !(p - s == 2 && strncmp(s, "gs", 2) == 0)
	    && !(p - s == 4 && strncmp(s, "file", 4) == 0))
		return cj_fail(e, jp, "expected a gs:// URL, a file:// URL or a local path, found a '%.*s' URL",
		    (int)(p - s), s);
	return 0;
}

static int
url_value(const json_t *obj, const char *key, int required, const char **out, struct cj_path *jp,
    struct err *e)
{
	const char *s = NULL;
	size_t mark;
	int rc;

	if (get_string(obj, key, required, &s, jp, e) == -1)
		return -1;
	if (s == NULL)
		return 0;
	mark = cj_push_key(jp, key);
	rc = url_check(s, jp, e);
	cj_pop(jp, mark);
	if (rc == 0)
		*out = s;
	return rc;
}

/* A list of non-empty strings. Absent: an empty list when optional (Python's .get(key, [])); null is an error. */
static int
string_list(const json_t *obj, const char *key, int required, int urls, struct str_list *out,
    struct cj_path *jp, struct err *e)
{
	json_t *arr = json_object_get(obj, key), *v;
	size_t mark, i, m;

	out->v = NULL;
	out->n = 0;
	mark = cj_push_key(jp, key);
	if (arr == NULL) {
		cj_pop(jp, mark);
		if (!required)
			return 0;
		cj_push_key(jp, key);
		cj_fail(e, jp, "missing (expected an array of strings)");
		cj_pop(jp, mark);
		return -1;
	}
	if (!json_is_array(arr)) {
		cj_fail(e, jp, "expected an array of strings, found %s", cj_kind(arr));
		cj_pop(jp, mark);
		return -1;
	}
	out->v = xcalloc(json_array_size(arr) + 1, sizeof *out->v);
	json_array_foreach(arr, i, v) {
		m = cj_push_index(jp, i);
		if (string_value(v, &out->v[i], jp, e) == -1) {
			cj_pop(jp, mark);
			return -1;
		}
		if (urls && url_check(out->v[i], jp, e) == -1) {
			cj_pop(jp, mark);
			return -1;
		}
		cj_pop(jp, m);
	}
	out->n = json_array_size(arr);
	cj_pop(jp, mark);
	return 0;
}

static void
str_list_free(struct str_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
owned_list_add(struct str_list *l, char *s)
{
	l->v = xrealloc(l->v, (l->n + 2) * sizeof *l->v);
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

static void
owned_list_free(struct str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free((char *)l->v[i]);
	str_list_free(l);
}

/* url.split('/')[-1].split('.')[0] */
static char *
flow_name_from_url(const char *url)
{
	const char *base = strrchr(url, '/'), *dot;
	char *s;

	base = base ? base + 1 : url;
	dot = strchr(base, '.');
	if (dot == NULL)
		return xstrdup(base);
	s = xmalloc((size_t)(dot - base) + 1);
	memcpy(s, base, (size_t)(dot - base));
	s[dot - base] = '\0';
	return s;
}

static int
load_fb_dataset(struct fb_dataset *d, const json_t *obj, struct cj_path *jp, struct err *e)
{
	json_t *search;
	struct isotime t;
	size_t mark;

	if (cj_expect_object(obj, jp, e) == -1 || cj_string(obj, "Name", &d->name, jp, e) == -1)
		return -1;
	if (json_object_get(obj, "PostIDs") != NULL && !json_is_null(json_object_get(obj, "PostIDs"))) {
		if (string_list(obj, "PostIDs", 1, 0, &d->post_ids, jp, e) == -1)
			return -1;
		d->has_post_ids = 1;
	}
	search = json_object_get(obj, "Search");
	if (search != NULL && !json_is_null(search)) {
		mark = cj_push_key(jp, "Search");
		if (cj_expect_object(search, jp, e) == -1
		    || cj_string(search, "Match", &d->search.match, jp, e) == -1
		    || cj_datetime(search, "StartDate", &d->search.start_date, &t, jp, e) == -1)
			goto fail;
		d->search.start_usec = t.usec;
		if (cj_datetime(search, "EndDate", &d->search.end_date, &t, jp, e) == -1)
			goto fail;
		d->search.end_usec = t.usec;
		cj_pop(jp, mark);
		d->has_search = 1;
		goto done;
fail:
		cj_pop(jp, mark);
		return -1;
	}
done:
	if (!d->has_post_ids && !d->has_search)
		return cj_fail(e, jp, "expected PostIDs or Search (or both), found neither");
	return 0;
}

static int
load_source(struct pipeline_config *c, struct raw_source *src, const json_t *obj, struct cj_path *jp,
    struct err *e)
{
	const char *type;
	json_t *datasets, *v;
	size_t mark, i;

	if (cj_expect_object(obj, jp, e) == -1 || cj_string(obj, "SourceType", &type, jp, e) == -1)
		return -1;
	if (strcmp(type, "RapidPro") == 0) {
		src->type = SOURCE_RAPIDPRO;
		if (cj_string(obj, "Domain", &src->domain, jp, e) == -1
		    || cj_string(obj, "TokenFileURL", &src->token_file_url, jp, e) == -1
		    || string_list(obj, "ActivationFlowNames", 0, 0, &src->activation_flow_names, jp, e) == -1
		    || string_list(obj, "SurveyFlowNames", 0, 0, &src->survey_flow_names, jp, e) == -1
		    || string_list(obj, "TestContactUUIDs", 0, 0, &src->test_contact_uuids, jp, e) == -1)
			return -1;
		for (i = 0; i < src->activation_flow_names.n; i++)
			owned_list_add(&c->activation_flows, xstrdup(src->activation_flow_names.v[i]));
		for (i = 0; i < src->survey_flow_names.n; i++)
			owned_list_add(&c->survey_flows, xstrdup(src->survey_flow_names.v[i]));
	} else if (strcmp(type, "GCloudBucket") == 0 || strcmp(type, "RecoveryCSV") == 0) {
		src->type = type[0] == 'G' ? SOURCE_GCLOUD_BUCKET : SOURCE_RECOVERY_CSV;
		if (string_list(obj, "ActivationFlowURLs", 0, 1, &src->activation_flow_urls, jp, e) == -1
		    || string_list(obj, "SurveyFlowURLs", 0, 1, &src->survey_flow_urls, jp, e) == -1)
			return -1;
		for (i = 0; i < src->activation_flow_urls.n; i++)
			owned_list_add(&c->activation_flows, flow_name_from_url(src->activation_flow_urls.v[i]));
		for (i = 0; i < src->survey_flow_urls.n; i++)
			owned_list_add(&c->survey_flows, flow_name_from_url(src->survey_flow_urls.v[i]));
	} else if (strcmp(type, "Facebook") == 0) {
		src->type = SOURCE_FACEBOOK;
		src->graph_api_base_url = FB_GRAPH_API_DEFAULT;
		if (cj_string(obj, "PageID", &src->page_id, jp, e) == -1
		    || url_value(obj, "TokenFileURL", 1, &src->token_file_url, jp, e) == -1
		    || cj_opt_string(obj, "GraphAPIBaseURL", &src->graph_api_base_url, jp, e) == -1)
			return -1;
		datasets = json_object_get(obj, "Datasets");
		mark = cj_push_key(jp, "Datasets");
		if (datasets == NULL) {
			cj_fail(e, jp, "missing (expected an array of datasets)");
			cj_pop(jp, mark);
			return -1;
		}
		if (cj_expect_array(datasets, jp, e) == -1) {
			cj_pop(jp, mark);
			return -1;
		}
		src->datasets = xcalloc(json_array_size(datasets) + 1, sizeof *src->datasets);
		json_array_foreach(datasets, i, v) {
			size_t m = cj_push_index(jp, i);

			src->n_datasets = i + 1;
			if (load_fb_dataset(&src->datasets[i], v, jp, e) == -1) {
				cj_pop(jp, mark);
				return -1;
			}
			cj_pop(jp, m);
		}
		cj_pop(jp, mark);
		for (i = 0; i < src->n_datasets; i++) {
			size_t a = strlen(src->datasets[i].name), b = strlen(src->page_id);
			char *name = xmalloc(a + 1 + b + 1);

			memcpy(name, src->datasets[i].name, a);
			name[a] = '_';
			memcpy(name + a + 1, src->page_id, b + 1);
			owned_list_add(&c->activation_flows, name);
		}
	} else {
		mark = cj_push_key(jp, "SourceType");
		cj_fail(e, jp, "expected RapidPro, GCloudBucket, RecoveryCSV or Facebook, found '%s'", type);
		cj_pop(jp, mark);
		return -1;
	}
	return 0;
}

static int
load_sources(struct pipeline_config *c, struct cj_path *jp, struct err *e)
{
	json_t *arr = json_object_get(c->root, "RawDataSources"), *v;
	size_t mark = cj_push_key(jp, "RawDataSources"), i;

	if (arr == NULL) {
		cj_fail(e, jp, "missing (expected an array of raw data sources)");
		goto fail;
	}
	if (cj_expect_array(arr, jp, e) == -1)
		goto fail;
	c->sources = xcalloc(json_array_size(arr) + 1, sizeof *c->sources);
	json_array_foreach(arr, i, v) {
		size_t m = cj_push_index(jp, i);

		c->n_sources = i + 1;
		if (load_source(c, &c->sources[i], v, jp, e) == -1)
			goto fail;
		cj_pop(jp, m);
	}
	cj_pop(jp, mark);
	return 0;
fail:
	cj_pop(jp, mark);
	return -1;
}

/* A required member that must be an object; *out is set to it. */
static int
member_object(const json_t *obj, const char *key, json_t **out, struct cj_path *jp, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	size_t mark = cj_push_key(jp, key);
	int rc = 0;

	if (v == NULL)
		rc = cj_fail(e, jp, "missing (expected an object)");
	else if (!json_is_object(v))
		rc = cj_fail(e, jp, "expected an object, found %s", cj_kind(v));
	else
		*out = v;
	if (rc == -1)
		cj_pop(jp, mark);
	return rc;
}

static int
load_uuid_table(struct pipeline_config *c, struct cj_path *jp, struct err *e)
{
	json_t *obj;
	size_t mark = jp->len;
	const char *file_path;

	if (member_object(c->root, "UuidTable", &obj, jp, e) == -1)
		return -1;
	if (cj_opt_string(obj, "FileURL", &c->uuid_table.file_url, jp, e) == -1)
		goto fail;
	/* With a local table (DESIGN.md §7) the Firestore settings are not needed. */
	if (url_value(obj, "FirebaseCredentialsFileURL", c->uuid_table.file_url == NULL,
	    &c->uuid_table.firebase_credentials_file_url, jp, e) == -1
	    || get_string(obj, "TableName", c->uuid_table.file_url == NULL, &c->uuid_table.table_name, jp, e) == -1
	    || cj_string(obj, "UuidPrefix", &c->uuid_table.uuid_prefix, jp, e) == -1)
		goto fail;
	if (c->uuid_table.file_url != NULL) {
		file_path = c->uuid_table.file_url;
		if (strncmp(file_path, "file://", 7) == 0)
			file_path += 7;
		c->uuid_table.file_path = cj_path_join(c->dir, file_path);
	}
	cj_pop(jp, mark);
	return 0;
fail:
	cj_pop(jp, mark);
	return -1;
}

static int
load_timestamp_remappings(struct pipeline_config *c, struct cj_path *jp, struct err *e)
{
	json_t *arr = json_object_get(c->root, "TimestampRemappings"), *v;
	size_t mark, i;
	struct isotime t;

	if (arr == NULL)
		return 0;
	mark = cj_push_key(jp, "TimestampRemappings");
	if (cj_expect_array(arr, jp, e) == -1)
		goto fail;
	c->timestamp_remappings = xcalloc(json_array_size(arr) + 1, sizeof *c->timestamp_remappings);
	json_array_foreach(arr, i, v) {
		struct timestamp_remapping *r = &c->timestamp_remappings[i];
		size_t m = cj_push_index(jp, i);

		c->n_timestamp_remappings = i + 1;
		r->range_start_usec = INT64_MIN;
		r->range_end_usec = INT64_MAX;
		if (cj_expect_object(v, jp, e) == -1
		    || cj_string(v, "TimeKey", &r->time_key, jp, e) == -1
		    || cj_string(v, "ShowPipelineKeyToRemapTo", &r->show_pipeline_key, jp, e) == -1)
			goto fail;
		t.usec = INT64_MIN;
		if (cj_opt_datetime(v, "RangeStartInclusive", NULL, &t, jp, e) == -1)
			goto fail;
		r->range_start_usec = t.usec;
		t.usec = INT64_MAX;
		if (cj_opt_datetime(v, "RangeEndExclusive", NULL, &t, jp, e) == -1)
			goto fail;
		r->range_end_usec = t.usec;
		if (cj_opt_datetime(v, "TimeToAdjustTo", &r->time_to_adjust_to, &r->adjust_to, jp, e) == -1)
			goto fail;
		cj_pop(jp, m);
	}
	cj_pop(jp, mark);
	return 0;
fail:
	cj_pop(jp, mark);
	return -1;
}

static int
load_source_key_remappings(struct pipeline_config *c, struct cj_path *jp, struct err *e)
{
	json_t *arr = json_object_get(c->root, "SourceKeyRemappings"), *v;
	size_t mark = cj_push_key(jp, "SourceKeyRemappings"), i;

	if (arr == NULL) {
		cj_fail(e, jp, "missing (expected an array of {SourceKey, PipelineKey} objects)");
		goto fail;
	}
	if (cj_expect_array(arr, jp, e) == -1)
		goto fail;
	c->source_key_remappings = xcalloc(json_array_size(arr) + 1, sizeof *c->source_key_remappings);
	json_array_foreach(arr, i, v) {
		struct source_key_remapping *r = &c->source_key_remappings[i];
		size_t m = cj_push_index(jp, i);

		c->n_source_key_remappings = i + 1;
		if (cj_expect_object(v, jp, e) == -1
		    || cj_string(v, "SourceKey", &r->source_key, jp, e) == -1
		    || cj_string(v, "PipelineKey", &r->pipeline_key, jp, e) == -1)
			goto fail;
		/* .get("IsActivationMessage", False): a null is then not a bool, as validate_bool says */
		if (json_object_get(v, "IsActivationMessage") != NULL
		    && cj_bool(v, "IsActivationMessage", &r->is_activation_message, jp, e) == -1)
			goto fail;
		cj_pop(jp, m);
	}
	cj_pop(jp, mark);
	return 0;
fail:
	cj_pop(jp, mark);
	return -1;
}

static int
load_automated_analysis(struct pipeline_config *c, struct cj_path *jp, struct err *e)
{
	json_t *obj, *arr, *v;
	size_t mark = jp->len, i;
	const char *geo_dir = NULL;
	struct isotime t;

	if (member_object(c->root, "AutomatedAnalysis", &obj, jp, e) == -1)
		return -1;
	if (cj_bool(obj, "GenerateRegionThemeDistributionMaps", &c->automated_analysis.region_maps, jp, e) == -1
	    || cj_bool(obj, "GenerateDistrictThemeDistributionMaps", &c->automated_analysis.district_maps, jp,
	    e) == -1
	    || cj_bool(obj, "GenerateMogadishuThemeDistributionMaps", &c->automated_analysis.mogadishu_maps, jp,
	    e) == -1
	    || cj_opt_string(obj, "GeoDir", &geo_dir, jp, e) == -1)
		goto fail;
	if (geo_dir != NULL)
		c->automated_analysis.geo_dir = cj_path_join(c->dir, geo_dir);
	arr = json_object_get(obj, "TrafficLabels");
	if (arr != NULL && !json_is_null(arr)) {
		cj_push_key(jp, "TrafficLabels");
		if (cj_expect_array(arr, jp, e) == -1)
			goto fail;
		c->automated_analysis.has_traffic_labels = 1;
		c->automated_analysis.traffic_labels = xcalloc(json_array_size(arr) + 1,
		    sizeof *c->automated_analysis.traffic_labels);
		json_array_foreach(arr, i, v) {
			struct traffic_label *tl = &c->automated_analysis.traffic_labels[i];
			size_t mi = cj_push_index(jp, i);

			c->automated_analysis.n_traffic_labels = i + 1;
			if (cj_expect_object(v, jp, e) == -1 || cj_string(v, "Label", &tl->label, jp, e) == -1
			    || cj_datetime(v, "StartDate", &tl->start_date, &t, jp, e) == -1)
				goto fail;
			tl->start_usec = t.usec;
			if (cj_datetime(v, "EndDate", &tl->end_date, &t, jp, e) == -1)
				goto fail;
			tl->end_usec = t.usec;
			cj_pop(jp, mi);
		}
	}
	cj_pop(jp, mark);
	return 0;
fail:
	cj_pop(jp, mark);
	return -1;
}

static int
load_drive_upload(struct pipeline_config *c, struct cj_path *jp, struct err *e)
{
	json_t *obj;
	size_t mark = jp->len;

	if (json_object_get(c->root, "DriveUpload") == NULL)
		return 0;
	if (member_object(c->root, "DriveUpload", &obj, jp, e) == -1)
		return -1;
	if (url_value(obj, "DriveCredentialsFileURL", 1, &c->drive_upload.credentials_file_url, jp, e) == -1
	    || cj_string(obj, "ProductionUploadPath", &c->drive_upload.production_upload_path, jp, e) == -1
	    || cj_string(obj, "MessagesUploadPath", &c->drive_upload.messages_upload_path, jp, e) == -1
	    || cj_string(obj, "IndividualsUploadPath", &c->drive_upload.individuals_upload_path, jp, e) == -1
	    || cj_string(obj, "AutomatedAnalysisDir", &c->drive_upload.automated_analysis_dir, jp, e) == -1) {
		cj_pop(jp, mark);
		return -1;
	}
	c->has_drive_upload = 1;
	cj_pop(jp, mark);
	return 0;
}

static int
load_all(struct pipeline_config *c, struct cj_path *jp, struct err *e)
{
	json_t *obj;
	size_t mark;
	const char *s = NULL;

	if (cj_expect_object(c->root, jp, e) == -1
	    || cj_string(c->root, "PipelineName", &c->pipeline_name, jp, e) == -1
	    || load_sources(c, jp, e) == -1
	    || load_uuid_table(c, jp, e) == -1)
		return -1;
	mark = jp->len;
	if (member_object(c->root, "OperationsDashboard", &obj, jp, e) == -1)
		return -1;
	if (url_value(obj, "FirebaseCredentialsFileURL", 1, &c->operations_dashboard_credentials_url, jp, e) == -1)
		return -1;
	cj_pop(jp, mark);
	if (load_timestamp_remappings(c, jp, e) == -1
	    || load_source_key_remappings(c, jp, e) == -1
	    || cj_datetime(c->root, "ProjectStartDate", &c->project_start_text, &c->project_start, jp, e) == -1
	    || cj_datetime(c->root, "ProjectEndDate", &c->project_end_text, &c->project_end, jp, e) == -1
	    || cj_bool(c->root, "FilterTestMessages", &c->filter_test_messages, jp, e) == -1
	    || cj_bool(c->root, "MoveWSMessages", &c->move_ws_messages, jp, e) == -1
	    || load_automated_analysis(c, jp, e) == -1
	    || load_drive_upload(c, jp, e) == -1
	    || url_value(c->root, "MemoryProfileUploadBucket", 1, &c->memory_profile_upload_bucket, jp, e) == -1
	    || url_value(c->root, "DataArchiveUploadBucket", 1, &c->data_archive_upload_bucket, jp, e) == -1
	    || cj_string(c->root, "BucketDirPath", &c->bucket_dir_path, jp, e) == -1)
		return -1;
	if (cj_opt_string(c->root, "CodingPlans", &s, jp, e) == -1)
		return -1;
	if (s != NULL)
		c->coding_plans = cj_path_join(c->dir, s);
	s = NULL;
	if (cj_opt_string(c->root, "CodeSchemesDir", &s, jp, e) == -1)
		return -1;
	if (s != NULL)
		c->code_schemes_dir = cj_path_join(c->dir, s);
	return 0;
}

int
config_load(struct pipeline_config *c, const char *path, struct err *e)
{
	struct cj_path jp;

	memset(c, 0, sizeof *c);
	if ((c->root = cj_load_file(path, e)) == NULL)
		return -1;
	c->path = xstrdup(path);
	c->dir = cj_dirname(path);
	cj_path_init(&jp, c->path);
	if (load_all(c, &jp, e) == -1) {
		config_free(c);
		return -1;
	}
	return 0;
}

void
config_free(struct pipeline_config *c)
{
	size_t i, j;

	for (i = 0; i < c->n_sources; i++) {
		struct raw_source *src = &c->sources[i];

		str_list_free(&src->activation_flow_names);
		str_list_free(&src->survey_flow_names);
		str_list_free(&src->test_contact_uuids);
		str_list_free(&src->activation_flow_urls);
		str_list_free(&src->survey_flow_urls);
		for (j = 0; j < src->n_datasets; j++)
			str_list_free(&src->datasets[j].post_ids);
		free(src->datasets);
	}
	free(c->sources);
	free(c->uuid_table.file_path);
	free(c->timestamp_remappings);
	free(c->source_key_remappings);
	free(c->automated_analysis.traffic_labels);
	free(c->automated_analysis.geo_dir);
	free(c->coding_plans);
	free(c->code_schemes_dir);
	owned_list_free(&c->activation_flows);
	owned_list_free(&c->survey_flows);
	free(c->path);
	free(c->dir);
	json_decref(c->root);
	memset(c, 0, sizeof *c);
}

const struct str_list *
config_activation_flows(const struct pipeline_config *c)
{
	return &c->activation_flows;
}

const struct str_list *
config_survey_flows(const struct pipeline_config *c)
{
	return &c->survey_flows;
}
