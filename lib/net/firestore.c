#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "net/firestore.h"

int
firestore_init(struct firestore *fs, struct http_client *http, struct gauth *auth, const char *project,
    struct err *e)
{
	const char *emu = getenv("FIRESTORE_EMULATOR_HOST");
	struct buf b = { 0 };

	memset(fs, 0, sizeof *fs);
	if (project == NULL || *project == '\0') {
		if (auth == NULL || auth->key.project_id[0] == '\0')
			return err_set(e, EX_CONFIG, "no Firestore project (the key file has no project_id)");
		project = auth->key.project_id;
	}
	if (emu != NULL && *emu != '\0') {
		if (strstr(emu, "://") == NULL)
			buf_adds(&b, "http://");
		buf_adds(&b, emu);
		while (b.len > 0 && b.p[b.len - 1] == '/')
			b.len--;
		buf_adds(&b, "/v1");
	} else {
		if (auth == NULL)
			return err_set(e, EX_NOPERM,
			    "no credentials for Firestore (give a service-account key file, or set FIRESTORE_EMULATOR_HOST)");
		buf_adds(&b, FIRESTORE_DEFAULT_BASE);
	}
	buf_addc(&b, '\0');
	if (http_url_allowed(b.p, e) == -1) {
		buf_free(&b);
		return -1;
	}
	fs->base = b.p;
	fs->http = http;
	fs->auth = auth;
	fs->project = xstrdup(project);
	fs->db = xmalloc(strlen(project) + 32);
	sprintf(fs->db, "projects/%s/databases/(default)", project);
	return 0;
}

void
firestore_free(struct firestore *fs)
{
	free(fs->base);
	free(fs->project);
	free(fs->db);
	memset(fs, 0, sizeof *fs);
}

char *
firestore_name(const struct firestore *fs, const char *path)
{
	size_t n = strlen(fs->db) + strlen(path) + 16;
	char *s = xmalloc(n);

	snprintf(s, n, "%s/documents%s%s", fs->db, *path ? "/" : "", path);
	return s;
}

const char *
firestore_doc_path(const json_t *doc)
{
	const char *name = json_string_value(json_object_get(doc, "name"));
	const char *p;

	if (name == NULL)
		return NULL;
	p = strstr(name, "/documents/");
	return p ? p + 11 : name;
}

const char *
firestore_doc_id(const json_t *doc)
{
	const char *name = json_string_value(json_object_get(doc, "name"));
	const char *slash;

	if (name == NULL)
		return NULL;
	slash = strrchr(name, '/');
	return slash ? slash + 1 : name;
}

/* ---- values ---- */

json_t *
firestore_value(const json_t *v)
{
	char num[32];

	switch (json_typeof(v)) {
	case JSON_NULL:
		return json_pack("{s:n}", "nullValue");
	case JSON_TRUE:
	case JSON_FALSE:
		return json_pack("{s:b}", "booleanValue", json_is_true(v));
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return json_pack("{s:s}", "integerValue", num);
	case JSON_REAL:
		return json_pack("{s:f}", "doubleValue", json_real_value(v));
	case JSON_STRING:
		return json_pack("{s:s%}", "stringValue", json_string_value(v), json_string_length(v));
	case JSON_ARRAY: {
		json_t *arr = json_object(), *values = json_array(), *it;
		size_t i;
		json_array_foreach(v, i, it)
			json_array_append_new(values, firestore_value(it));
		if (json_array_size(values) > 0)
			json_object_set_new(arr, "values", values);
		else
			json_decref(values);
		return json_pack("{s:o}", "arrayValue", arr);
	}
	case JSON_OBJECT: {
		json_t *map = json_object(), *fields = firestore_fields(v);
		if (json_object_size(fields) > 0)
			json_object_set_new(map, "fields", fields);
		else
			json_decref(fields);
		return json_pack("{s:o}", "mapValue", map);
	}
	}
	return json_pack("{s:n}", "nullValue");
}

json_t *
firestore_fields(const json_t *obj)
{
	json_t *fields = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)obj, k, v)
		json_object_set_new(fields, k, firestore_value(v));
	return fields;
}

json_t *
firestore_timestamp_value(const char *rfc3339)
{
	return json_pack("{s:s}", "timestampValue", rfc3339);
}

json_t *
firestore_bytes_value(const void *p, size_t n)
{
	size_t cap = 4 * ((n + 2) / 3) + 1;
	unsigned char *s = xmalloc(cap);
	json_t *v;

	EVP_EncodeBlock(s, p, (int)n);
	v = json_pack("{s:s}", "bytesValue", (char *)s);
	free(s);
	return v;
}

json_t *
firestore_reference_value(const struct firestore *fs, const char *path)
{
	char *name = firestore_name(fs, path);
	json_t *v = json_pack("{s:s}", "referenceValue", name);

	free(name);
	return v;
}

json_t *
firestore_value_to_json(const json_t *value, struct err *e)
{
	const char *k;
	json_t *v;

	if (!json_is_object(value) || json_object_size(value) != 1) {
		err_set(e, EX_DATAERR, "a Firestore value must be an object with exactly one key");
		return NULL;
	}
	json_object_foreach((json_t *)value, k, v) {
		if (strcmp(k, "nullValue") == 0)
			return json_null();
		if (strcmp(k, "booleanValue") == 0 && json_is_boolean(v))
			return json_boolean(json_is_true(v));
		if (strcmp(k, "integerValue") == 0) {
			if (json_is_integer(v))
				return json_integer(json_integer_value(v));
			const char *s = json_string_value(v);
			char *end;
			errno = 0;
			long long n = s ? strtoll(s, &end, 10) : 0;
			if (s == NULL || *s == '\0' || *end != '\0' || errno != 0)
				break;
			return json_integer((json_int_t)n);
		}
		if (strcmp(k, "doubleValue") == 0) {
			if (json_is_number(v))
				return json_real(json_number_value(v));
			if (json_is_string(v))
				return json_string(json_string_value(v));	/* NaN, Infinity, -Infinity */
			break;
		}
		if ((strcmp(k, "timestampValue") == 0 || strcmp(k, "stringValue") == 0 || strcmp(k, "bytesValue") == 0 ||
			strcmp(k, "referenceValue") == 0) && json_is_string(v))
			return json_stringn(json_string_value(v), json_string_length(v));
		if (strcmp(k, "geoPointValue") == 0 && json_is_object(v)) {
			json_t *lat = json_object_get(v, "latitude"), *lng = json_object_get(v, "longitude");
			return json_pack("{s:f, s:f}", "latitude", json_is_number(lat) ? json_number_value(lat) : 0.0,
			    "longitude", json_is_number(lng) ? json_number_value(lng) : 0.0);
		}
		if (strcmp(k, "arrayValue") == 0 && json_is_object(v)) {
			json_t *out = json_array(), *it;
			size_t i;
			json_array_foreach(json_object_get(v, "values"), i, it) {
				json_t *j = firestore_value_to_json(it, e);
				if (j == NULL) {
					json_decref(out);
					return NULL;
				}
				json_array_append_new(out, j);
			}
			return out;
		}
		if (strcmp(k, "mapValue") == 0 && json_is_object(v))
			return firestore_fields_to_json(json_object_get(v, "fields"), e);
		break;
	}
	err_set(e, EX_DATAERR, "an unknown or malformed Firestore value (%s)", k);
	return NULL;
}

json_t *
firestore_fields_to_json(const json_t *fields, struct err *e)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)fields, k, v) {
		json_t *j = firestore_value_to_json(v, e);
		if (j == NULL) {
			err_prefix(e, "field %s", k);
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, k, j);
	}
	return out;
}

void
firestore_field_path(struct buf *out, const char *field)
{
	int simple = (isalpha((unsigned char)*field) || *field == '_');

	for (const char *p = field; simple && *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			simple = 0;
	if (simple) {
		buf_adds(out, field);
	} else {
		buf_addc(out, '`');
		for (const char *p = field; *p; p++) {
			if (*p == '`' || *p == '\\')
				buf_addc(out, '\\');
			buf_addc(out, *p);
		}
		buf_addc(out, '`');
	}
	buf_reserve(out, 1);
	out->p[out->len] = '\0';
}

/* ---- requests ---- */

/* base/db/documents[/encoded path][suffix] */
static char *
url_for(const struct firestore *fs, const char *path, const char *suffix)
{
	struct buf u = { 0 };

	buf_adds(&u, fs->base);
	buf_addc(&u, '/');
	buf_adds(&u, fs->db);
	buf_adds(&u, "/documents");
	while (path != NULL && *path) {
		const char *slash = strchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);
		buf_addc(&u, '/');
		http_urlencode(&u, path, n, 0);
		path += n + (slash ? 1 : 0);
	}
	if (suffix != NULL)
		buf_adds(&u, suffix);
	buf_addc(&u, '\0');
	return u.p;
}

static int
call(struct firestore *fs, const char *method, const char *url, json_t *body, json_t **reply, int write,
    struct err *e)
{
	const char *hv[2] = { "Authorization: Bearer owner", NULL };
	json_t *r = NULL;
	long status = 0;
	int rc;

	fs->last_status = 0;
	fs->last_error[0] = '\0';
	if (fs->auth != NULL && (hv[0] = gauth_header(fs->auth, e)) == NULL)
		return -1;
	rc = http_json(fs->http, method, url, hv, body, &r, &status, e);
	fs->last_status = status;
	if (rc == -1) {
		json_t *st = json_object_get(json_object_get(r, "error"), "status");
		if (json_is_string(st))
			snprintf(fs->last_error, sizeof fs->last_error, "%s", json_string_value(st));
		if (e != NULL && (status == 409 || strcmp(fs->last_error, "FAILED_PRECONDITION") == 0 ||
		    strcmp(fs->last_error, "ALREADY_EXISTS") == 0 || (write && status == 404)))
			e->code = EX_DATAERR;
		json_decref(r);
		return -1;
	}
	if (reply != NULL)
		*reply = r;
	else
		json_decref(r);
	return 0;
}

int
firestore_get(struct firestore *fs, const char *path, json_t **doc, struct err *e)
{
	char *url = url_for(fs, path, NULL);
	int rc = call(fs, "GET", url, NULL, doc, 0, e);

	free(url);
	if (rc == -1 && fs->last_status == 404) {
		*doc = NULL;
		return 1;
	}
	if (rc == 0 && !json_is_object(*doc)) {
		json_decref(*doc);
		*doc = NULL;
		return err_set(e, EX_DATAERR, "%s: Firestore sent no document", path);
	}
	return rc;
}

int
firestore_list_page(struct firestore *fs, const char *collection, int page_size, const char *page_token,
    json_t **docs, char **next_token, struct err *e)
{
	char *url = url_for(fs, collection, NULL);
	struct buf u = { 0 };
	json_t *reply = NULL;
	char num[24];
	int rc;

	*docs = NULL;
	*next_token = NULL;
	buf_adds(&u, url);
	free(url);
	if (page_size > 0) {
		snprintf(num, sizeof num, "%d", page_size);
		http_query_add(&u, "pageSize", num, 0);
	}
	if (page_token != NULL)
		http_query_add(&u, "pageToken", page_token, 0);
	buf_addc(&u, '\0');
	rc = call(fs, "GET", u.p, NULL, &reply, 0, e);
	buf_free(&u);
	if (rc == -1)
		return -1;
	json_t *d = json_object_get(reply, "documents");
	*docs = json_is_array(d) ? json_incref(d) : json_array();
	json_t *next = json_object_get(reply, "nextPageToken");
	if (json_is_string(next) && json_string_length(next) > 0)
		*next_token = xstrdup(json_string_value(next));
	json_decref(reply);
	return 0;
}

int
firestore_list(struct firestore *fs, const char *collection, int page_size,
    int (*each)(void *ctx, json_t *doc), void *ctx, struct err *e)
{
	char *token = NULL;
	int rc = 0;

	do {
		json_t *docs, *doc;
		char *next;
		size_t i;

		if (firestore_list_page(fs, collection, page_size, token, &docs, &next, e) == -1) {
			rc = -1;
			break;
		}
		free(token);
		token = next;
		json_array_foreach(docs, i, doc)
			if ((rc = each(ctx, doc)) != 0)
				break;
		json_decref(docs);
	} while (rc == 0 && token != NULL);
	free(token);
	return rc;
}

int
firestore_batch_get(struct firestore *fs, const char *const *paths, size_t n,
    int (*each)(void *ctx, const char *path, json_t *doc), void *ctx, struct err *e)
{
	json_t *names = json_array(), *reply = NULL, *it;
	char *url = url_for(fs, NULL, ":batchGet");
	char *root = firestore_name(fs, "");
	size_t rootlen = strlen(root), i;
	int rc;

	for (i = 0; i < n; i++) {
		char *name = firestore_name(fs, paths[i]);
		json_array_append_new(names, json_string(name));
		free(name);
	}
	json_t *body = json_pack("{s:o}", "documents", names);
	rc = call(fs, "POST", url, body, &reply, 0, e);
	json_decref(body);
	free(url);
	if (rc == 0 && !json_is_array(reply))
		rc = err_set(e, EX_DATAERR, "batchGet: Firestore's reply is not a list");
	if (rc == 0) {
		json_array_foreach(reply, i, it) {
			json_t *found = json_object_get(it, "found");
			const char *name = found ? json_string_value(json_object_get(found, "name")) :
			    json_string_value(json_object_get(it, "missing"));
			if (name == NULL)
				continue;
			const char *path = strncmp(name, root, rootlen) == 0 && name[rootlen] == '/' ? name + rootlen + 1 : name;
			if ((rc = each(ctx, path, found)) != 0)
				break;
		}
	}
	json_decref(reply);
	free(root);
	return rc;
}

json_t *
firestore_query_new(const char *collection_id)
{
	return json_pack("{s:[{s:s}]}", "from", "collectionId", collection_id);
}

void
firestore_query_where(json_t *q, const char *field, const char *op, json_t *value)
{
	struct buf fp = { 0 };
	json_t *filter, *where = json_object_get(q, "where");

	firestore_field_path(&fp, field);
	filter = json_pack("{s:{s:{s:s}, s:s, s:o}}", "fieldFilter", "field", "fieldPath", fp.p, "op", op, "value", value);
	buf_free(&fp);
	if (where == NULL) {
		json_object_set_new(q, "where", filter);
	} else if (json_object_get(where, "compositeFilter") != NULL) {
		json_array_append_new(json_object_get(json_object_get(where, "compositeFilter"), "filters"), filter);
	} else {
		json_t *comp = json_pack("{s:{s:s, s:[O, o]}}", "compositeFilter", "op", "AND", "filters", where, filter);
		json_object_set_new(q, "where", comp);
	}
}

void
firestore_query_order(json_t *q, const char *field, int descending)
{
	struct buf fp = { 0 };
	json_t *order = json_object_get(q, "orderBy");

	if (order == NULL) {
		order = json_array();
		json_object_set_new(q, "orderBy", order);
	}
	if (strcmp(field, "__name__") == 0)
		buf_adds(&fp, "__name__"), buf_addc(&fp, '\0');
	else
		firestore_field_path(&fp, field);
	json_array_append_new(order, json_pack("{s:{s:s}, s:s}", "field", "fieldPath", fp.p, "direction",
	    descending ? "DESCENDING" : "ASCENDING"));
	buf_free(&fp);
}

void
firestore_query_limit(json_t *q, int limit)
{
	json_object_set_new(q, "limit", json_integer(limit));
}

void
firestore_query_start_after_doc(json_t *q, const char *doc_name)
{
	json_object_set_new(q, "startAt", json_pack("{s:[{s:s}], s:b}", "values", "referenceValue", doc_name, "before", 0));
}

int
firestore_run_query(struct firestore *fs, const char *parent, const json_t *query,
    int (*each)(void *ctx, json_t *doc), void *ctx, struct err *e)
{
	char *url = url_for(fs, parent, ":runQuery");
	json_t *body = json_pack("{s:O}", "structuredQuery", (json_t *)query), *reply = NULL, *it;
	size_t i;
	int rc;

	rc = call(fs, "POST", url, body, &reply, 0, e);
	json_decref(body);
	free(url);
	if (rc == 0 && !json_is_array(reply))
		rc = err_set(e, EX_DATAERR, "runQuery: Firestore's reply is not a list");
	if (rc == 0) {
		json_array_foreach(reply, i, it) {
			json_t *doc = json_object_get(it, "document");
			if (doc != NULL && (rc = each(ctx, doc)) != 0)
				break;
		}
	}
	json_decref(reply);
	return rc;
}

/* ---- writes ---- */

void
firestore_batch_init(struct firestore_batch *b)
{
	b->writes = json_array();
}

void
firestore_batch_free(struct firestore_batch *b)
{
	json_decref(b->writes);
	b->writes = NULL;
}

size_t
firestore_batch_len(const struct firestore_batch *b)
{
	return json_array_size(b->writes);
}

static void
precondition(json_t *w, enum firestore_pre pre, const char *update_time)
{
	switch (pre) {
	case FIRESTORE_PRE_NONE:
		break;
	case FIRESTORE_PRE_MISSING:
	case FIRESTORE_PRE_EXISTS:
		json_object_set_new(w, "currentDocument", json_pack("{s:b}", "exists", pre == FIRESTORE_PRE_EXISTS));
		break;
	case FIRESTORE_PRE_UPDATE_TIME:
		json_object_set_new(w, "currentDocument", json_pack("{s:s}", "updateTime", update_time ? update_time : ""));
		break;
	}
}

void
firestore_batch_update(struct firestore_batch *b, const struct firestore *fs, const char *path, json_t *fields,
    const char *const *mask, enum firestore_pre pre, const char *update_time)
{
	char *name = firestore_name(fs, path);
	json_t *w = json_pack("{s:{s:s, s:o}}", "update", "name", name, "fields", fields ? fields : json_object());

	free(name);
	if (mask != NULL) {
		json_t *paths = json_array();
		for (size_t i = 0; mask[i] != NULL; i++) {
			struct buf fp = { 0 };
			firestore_field_path(&fp, mask[i]);
			json_array_append_new(paths, json_string(fp.p));
			buf_free(&fp);
		}
		json_object_set_new(w, "updateMask", json_pack("{s:o}", "fieldPaths", paths));
	}
	precondition(w, pre, update_time);
	json_array_append_new(b->writes, w);
}

void
firestore_batch_server_time(struct firestore_batch *b, const char *field)
{
	size_t n = json_array_size(b->writes);
	struct buf fp = { 0 };

	if (n == 0)
		return;
	json_t *w = json_array_get(b->writes, n - 1);
	json_t *tr = json_object_get(w, "updateTransforms");
	if (tr == NULL) {
		tr = json_array();
		json_object_set_new(w, "updateTransforms", tr);
	}
	firestore_field_path(&fp, field);
	json_array_append_new(tr, json_pack("{s:s, s:s}", "fieldPath", fp.p, "setToServerValue", "REQUEST_TIME"));
	buf_free(&fp);
}

void
firestore_batch_delete(struct firestore_batch *b, const struct firestore *fs, const char *path,
    enum firestore_pre pre, const char *update_time)
{
	char *name = firestore_name(fs, path);
	json_t *w = json_pack("{s:s}", "delete", name);

	free(name);
	precondition(w, pre, update_time);
	json_array_append_new(b->writes, w);
}

int
firestore_commit(struct firestore *fs, const struct firestore_batch *b, json_t **reply, struct err *e)
{
	char *url = url_for(fs, NULL, ":commit");
	json_t *body = json_pack("{s:O}", "writes", b->writes), *r = NULL;
	int rc;

	if (reply != NULL)
		*reply = NULL;
	rc = call(fs, "POST", url, body, &r, 1, e);
	json_decref(body);
	free(url);
	if (rc == 0 && reply != NULL)
		*reply = r;
	else
		json_decref(r);
	return rc;
}
