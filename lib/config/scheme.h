/* scheme: Coda code schemes (coredata.md §5.1–5.2): load, validate, and find a code by id, control code, meta code or match value. */
#ifndef TD_SCHEME_H
#define TD_SCHEME_H

#include <stddef.h>

#include <jansson.h>

#include "util/err.h"

enum code_type {
	CODE_NORMAL,
	CODE_CONTROL,
	CODE_META
};

struct code_scheme;

/* One code. Strings are borrowed from the scheme's JSON; optional ones are NULL when absent. */
struct code {
	const char *code_id;
	enum code_type code_type;
	const char *control_code;	/* required for Control codes (kept if another type has one) */
	const char *meta_code;		/* required for Meta codes */
	const char *display_text;
	long long numeric_value;
	const char *string_value;
	int visible_in_coda;
	const char *shortcut;		/* one character (code point) */
	const char *color;
	const char **match_values;	/* NULL-terminated; n_match_values may be 0 */
	size_t n_match_values;
	int has_match_values;		/* the key was present (an empty list is kept as such) */
	size_t index;			/* position in Codes */
	json_t *json;			/* this code's object, borrowed from the scheme */
	const struct code_scheme *scheme;
};

struct code_scheme {
	char *path;			/* owned: where it was read from (or the name given to scheme_from_json) */
	json_t *root;			/* the whole scheme document: write it back out with this */
	const char *scheme_id;
	const char *name;
	const char *version;
	const char *documentation_uri;	/* Documentation.URI, or NULL */
	struct code *codes;		/* in file order: the order is the analysis column order */
	size_t n_codes;
};

/*
 * Load and validate a scheme file: required fields and their types, CodeType, ControlCode for Control codes,
 * MetaCode for Meta codes, one-character Shortcut, and uniqueness of code ids, numeric values, string values,
 * control codes, meta codes and match values (pooled across codes). Errors name the file and the JSON path,
 * e.g. "gender.json: .Codes[3].CodeID: duplicate code id 'code-NA-f93d3eb7' (also .Codes[2])".
 * EX_NOINPUT when the file cannot be opened, EX_CONFIG for everything else. On failure s is empty.
 */
int scheme_load(struct code_scheme *s, const char *path, struct err *e);
/* The same from a parsed document (takes its own reference to root); name is used in messages. */
int scheme_from_json(struct code_scheme *s, json_t *root, const char *name, struct err *e);
void scheme_free(struct code_scheme *s);

/* Lookups, linear in file order as CoreDataModules does; NULL when nothing matches. */
const struct code *scheme_code_by_id(const struct code_scheme *s, const char *code_id);
/* Control-type codes only. */
const struct code *scheme_code_by_control(const struct code_scheme *s, const char *control_code);
/* Meta-type codes only. */
const struct code *scheme_code_by_meta(const struct code_scheme *s, const char *meta_code);
/* The first code whose MatchValues contain value exactly (case-sensitive). */
const struct code *scheme_code_by_match_value(const struct code_scheme *s, const char *value);

/* "Normal", "Control", "Meta". */
const char *scheme_code_type_name(enum code_type t);

#endif
