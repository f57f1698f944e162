/*
 * Code schemes: CoreDataModules' CodeScheme.from_firebase_map + validate (data_models/code_scheme.py), with a
 * file and a JSON path in every message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/scheme.h"
#include "util/buf.h"

const char *
scheme_code_type_name(enum code_type t)
{
	switch (t) {
	case CODE_NORMAL:
		return "Normal";
	case CODE_CONTROL:
		return "Control";
	case CODE_META:
		return "Meta";
	}
	return "?";
}

/* Code points in a UTF-8 string (Python's len). */
static size_t
utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/*
 * Uniqueness within a scheme: a JSON object used as a set, value -> path of its first use. Returns -1 with
 * "what 'value' ... (also PATH)" when value was seen before.
 */
static int
unique(json_t *seen, const char *value, const char *what, struct cj_path *jp, struct err *e)
{
	json_t *first = json_object_get(seen, value);

	if (first != NULL)
		return cj_fail(e, jp, "duplicate %s '%s' (also %s)", what, value, json_string_value(first));
	json_object_set_new(seen, value, json_string(cj_path_str(jp)));
	return 0;
}

struct seen_sets {
	json_t *code_ids, *numeric_values, *string_values, *control_codes, *meta_codes, *match_values;
};

static int
load_code(struct code_scheme *s, struct code *c, json_t *obj, struct seen_sets *seen, struct cj_path *jp,
    struct err *e)
{
	const char *type = NULL;
	json_t *v, *mv;
	size_t mark, m, i;
	char num[32];

	c->json = obj;
	c->scheme = s;
	if (cj_expect_object(obj, jp, e) == -1
	    || cj_string(obj, "CodeID", &c->code_id, jp, e) == -1
	    || cj_string(obj, "DisplayText", &c->display_text, jp, e) == -1
	    || cj_string(obj, "CodeType", &type, jp, e) == -1)
		return -1;
	if (strcmp(type, "Normal") == 0) {
		c->code_type = CODE_NORMAL;
	} else if (strcmp(type, "Control") == 0) {
		c->code_type = CODE_CONTROL;
	} else if (strcmp(type, "Meta") == 0) {
		c->code_type = CODE_META;
	} else {
		cj_push_key(jp, "CodeType");
		return cj_fail(e, jp, "expected Normal, Control or Meta, found '%s'", type);
	}
	/* ControlCode is required for Control codes, MetaCode for Meta codes; other codes may carry either */
	if (c->code_type == CODE_CONTROL ? cj_string(obj, "ControlCode", &c->control_code, jp, e) == -1
	    : cj_opt_string(obj, "ControlCode", &c->control_code, jp, e) == -1)
		return -1;
	if (c->code_type == CODE_META ? cj_string(obj, "MetaCode", &c->meta_code, jp, e) == -1
	    : cj_opt_string(obj, "MetaCode", &c->meta_code, jp, e) == -1)
		return -1;
	if (cj_opt_string(obj, "Shortcut", &c->shortcut, jp, e) == -1)
		return -1;
	if (c->shortcut != NULL && utf8_length(c->shortcut) != 1) {
		cj_push_key(jp, "Shortcut");
		return cj_fail(e, jp, "expected one character, found '%s'", c->shortcut);
	}
	v = json_object_get(obj, "NumericValue");
	mark = cj_push_key(jp, "NumericValue");
	if (v == NULL)
		return cj_fail(e, jp, "missing (expected an integer)");
	if (json_is_real(v))
		return cj_fail(e, jp, "expected an integer, found %g", json_real_value(v));
	if (!json_is_integer(v))
		return cj_fail(e, jp, "expected an integer, found %s", cj_kind(v));
	c->numeric_value = json_integer_value(v);
	cj_pop(jp, mark);
	if (cj_string(obj, "StringValue", &c->string_value, jp, e) == -1
	    || cj_bool(obj, "VisibleInCoda", &c->visible_in_coda, jp, e) == -1
	    || cj_opt_string(obj, "Color", &c->color, jp, e) == -1)
		return -1;
	mv = json_object_get(obj, "MatchValues");
	if (mv != NULL && !json_is_null(mv)) {
		mark = cj_push_key(jp, "MatchValues");
		if (cj_expect_array(mv, jp, e) == -1)
			return -1;
		c->has_match_values = 1;
		c->match_values = xcalloc(json_array_size(mv) + 1, sizeof *c->match_values);
		json_array_foreach(mv, i, v) {
			m = cj_push_index(jp, i);
			if (!json_is_string(v))
				return cj_fail(e, jp, "expected a string, found %s", cj_kind(v));
			if (json_string_length(v) == 0)
				return cj_fail(e, jp, "expected a non-empty string, found an empty string");
			if (strlen(json_string_value(v)) != json_string_length(v))
				return cj_fail(e, jp, "expected a string without NUL characters");
			c->match_values[i] = json_string_value(v);
			c->n_match_values = i + 1;
			if (unique(seen->match_values, c->match_values[i], "match value", jp, e) == -1)
				return -1;
			cj_pop(jp, m);
		}
		cj_pop(jp, mark);
	}

	/* uniqueness, in the order of CodeScheme.validate */
	mark = cj_push_key(jp, "CodeID");
	if (unique(seen->code_ids, c->code_id, "code id", jp, e) == -1)
		return -1;
	cj_pop(jp, mark);
	mark = cj_push_key(jp, "NumericValue");
	snprintf(num, sizeof num, "%lld", c->numeric_value);
	if (json_object_get(seen->numeric_values, num) != NULL)
		return cj_fail(e, jp, "duplicate numeric value %s (also %s)", num,
		    json_string_value(json_object_get(seen->numeric_values, num)));
	json_object_set_new(seen->numeric_values, num, json_string(cj_path_str(jp)));
	cj_pop(jp, mark);
	mark = cj_push_key(jp, "StringValue");
	if (unique(seen->string_values, c->string_value, "string value", jp, e) == -1)
		return -1;
	cj_pop(jp, mark);
	if (c->code_type == CODE_CONTROL) {
		mark = cj_push_key(jp, "ControlCode");
		if (unique(seen->control_codes, c->control_code, "control code", jp, e) == -1)
			return -1;
		cj_pop(jp, mark);
	}
	if (c->code_type == CODE_META) {
		mark = cj_push_key(jp, "MetaCode");
		if (unique(seen->meta_codes, c->meta_code, "meta code", jp, e) == -1)
			return -1;
		cj_pop(jp, mark);
	}
	return 0;
}

static int
load_scheme(struct code_scheme *s, struct cj_path *jp, struct err *e)
{
	struct seen_sets seen;
	json_t *codes, *doc, *v;
	size_t mark, i;
	int rc = -1;

	if (cj_expect_object(s->root, jp, e) == -1
	    || cj_string(s->root, "SchemeID", &s->scheme_id, jp, e) == -1
	    || cj_string(s->root, "Name", &s->name, jp, e) == -1
	    || cj_string(s->root, "Version", &s->version, jp, e) == -1)
		return -1;
	doc = json_object_get(s->root, "Documentation");
	if (doc != NULL && !json_is_null(doc)) {
		mark = cj_push_key(jp, "Documentation");
		if (cj_expect_object(doc, jp, e) == -1
		    || cj_string(doc, "URI", &s->documentation_uri, jp, e) == -1)
			return -1;
		cj_pop(jp, mark);
	}
	codes = json_object_get(s->root, "Codes");
	mark = cj_push_key(jp, "Codes");
	if (codes == NULL)
		return cj_fail(e, jp, "missing (expected an array of codes)");
	if (cj_expect_array(codes, jp, e) == -1)
		return -1;
	seen.code_ids = json_object();
	seen.numeric_values = json_object();
	seen.string_values = json_object();
	seen.control_codes = json_object();
	seen.meta_codes = json_object();
	seen.match_values = json_object();
	s->codes = xcalloc(json_array_size(codes) + 1, sizeof *s->codes);
	json_array_foreach(codes, i, v) {
		size_t m = cj_push_index(jp, i);

		s->n_codes = i + 1;
		s->codes[i].index = i;
		if (load_code(s, &s->codes[i], v, &seen, jp, e) == -1)
			goto out;
		cj_pop(jp, m);
	}
	cj_pop(jp, mark);
	rc = 0;
out:
	json_decref(seen.code_ids);
	json_decref(seen.numeric_values);
	json_decref(seen.string_values);
	json_decref(seen.control_codes);
	json_decref(seen.meta_codes);
	json_decref(seen.match_values);
	return rc;
}

int
scheme_from_json(struct code_scheme *s, json_t *root, const char *name, struct err *e)
{
	struct cj_path jp;

	memset(s, 0, sizeof *s);
	s->path = xstrdup(name);
	s->root = json_incref(root);
	cj_path_init(&jp, s->path);
	if (load_scheme(s, &jp, e) == -1) {
		scheme_free(s);
		return -1;
	}
	return 0;
}

int
scheme_load(struct code_scheme *s, const char *path, struct err *e)
{
	json_t *root;
	int rc;

	memset(s, 0, sizeof *s);
	if ((root = cj_load_file(path, e)) == NULL)
		return -1;
	rc = scheme_from_json(s, root, path, e);
	json_decref(root);
	return rc;
}

void
scheme_free(struct code_scheme *s)
{
	for (size_t i = 0; i < s->n_codes; i++)
		free(s->codes[i].match_values);
	free(s->codes);
	free(s->path);
	json_decref(s->root);
	memset(s, 0, sizeof *s);
}

const struct code *
scheme_code_by_id(const struct code_scheme *s, const char *code_id)
{
	for (size_t i = 0; i < s->n_codes; i++)
		if (strcmp(s->codes[i].code_id, code_id) == 0)
			return &s->codes[i];
	return NULL;
}

const struct code *
scheme_code_by_control(const struct code_scheme *s, const char *control_code)
{
	for (size_t i = 0; i < s->n_codes; i++)
		if (s->codes[i].code_type == CODE_CONTROL && strcmp(s->codes[i].control_code, control_code) == 0)
			return &s->codes[i];
	return NULL;
}

const struct code *
scheme_code_by_meta(const struct code_scheme *s, const char *meta_code)
{
	for (size_t i = 0; i < s->n_codes; i++)
		if (s->codes[i].code_type == CODE_META && strcmp(s->codes[i].meta_code, meta_code) == 0)
			return &s->codes[i];
	return NULL;
}

const struct code *
scheme_code_by_match_value(const struct code_scheme *s, const char *value)
{
	for (size_t i = 0; i < s->n_codes; i++)
		for (size_t j = 0; j < s->codes[i].n_match_values; j++)
			if (strcmp(s->codes[i].match_values[j], value) == 0)
				return &s->codes[i];
	return NULL;
}
