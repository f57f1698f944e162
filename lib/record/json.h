/* json: a zero-copy JSON scanner for records, and the canonical encoder that writes Python's json.dumps bytes. */
#ifndef TD_JSON_H
#define TD_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

enum json_type {
	JV_NULL, JV_FALSE, JV_TRUE, JV_INT, JV_FLOAT, JV_STRING, JV_ARRAY, JV_OBJECT
};

#define JSON_F_ESCAPED	1	/* string holds backslash escapes */
#define JSON_F_NONASCII	2	/* string holds bytes >= 0x80 */
#define JSON_F_CANONICAL 4	/* container whose text is exactly what json_encode(indent 0) writes: copied as is */

/*
 * One token of a parsed document. The nodes of a value's subtree follow it; `next` is the index just past
 * them. An object's members are key, value, key, value...: the first key is at i+1, its value at i+2, and the
 * next key at nodes[value].next.
 */
struct json_node {
	const char *p;		/* string: first byte after the quote; other types: first byte of the token */
	uint32_t len;		/* string: bytes between the quotes; number/literal: token length; container: whole text */
	uint32_t next;		/* index of the node after this subtree */
	uint32_t count;		/* containers: elements, or members */
	uint8_t type;		/* enum json_type */
	uint8_t flags;		/* JSON_F_* (ESCAPED, NONASCII for strings; CANONICAL for containers) */
};

struct json_doc {
	struct json_node *nodes;
	size_t n, cap;
	uint32_t *stack;	/* parser's open containers */
	size_t stack_cap;
	struct arena strings;	/* decoded keys and strings; texts handed to json_parse_append */
};

#define JSON_MAX_DEPTH 10000

/*
 * Parse text[0..len) as exactly one JSON value (surrounding white space allowed), appending its nodes to d.
 * Python's json.loads grammar: NaN, Infinity and -Infinity are accepted; strings must be valid UTF-8 with no raw
 * control characters; lone \uD800-style escapes are accepted (Python keeps them). On success the root index is
 * stored in *root. On error: -1, EX_DATAERR and "invalid JSON at column N: what".
 * The text must outlive the nodes.
 */
int json_parse(struct json_doc *d, const char *text, size_t len, uint32_t *root, struct err *e);
/* Like json_parse but copies text into the doc's arena first (for values built on the fly). */
int json_parse_copy(struct json_doc *d, const char *text, size_t len, uint32_t *root, struct err *e);
/* Forget every node and arena string (keeps the memory for the next record). */
void json_reset(struct json_doc *d);
void json_free(struct json_doc *d);

/* Member lookup in an object node by a UTF-8 key: value index, or 0 if absent (the last duplicate wins). */
uint32_t json_get(const struct json_doc *d, uint32_t obj, const char *key, size_t klen);
/*
 * The decoded UTF-8 bytes of a string node (escapes resolved; a lone surrogate escape becomes its 3-byte
 * generalized UTF-8 form so that bytewise order stays code-point order). Unescaped strings are returned in place.
 */
const char *json_str(struct json_doc *d, uint32_t i, size_t *len);
/* 1 if the string node equals s[0..n) after decoding. */
int json_str_eq(struct json_doc *d, uint32_t i, const char *s, size_t n);

/*
 * The canonical encoder: Python json.dumps(v, sort_keys=True) with ensure_ascii, separators ", " and ": ",
 * int and float kept apart, floats in repr form. indent > 0 gives json.dump(indent=N, separators=(", ", ": "))
 * (every line that ends in a comma ends in ", "), as the Coda export writes.
 */
void json_encode(struct buf *out, struct json_doc *d, uint32_t i, int indent);
/* A UTF-8 string (generalized: lone surrogates allowed) as a Python ensure_ascii JSON string, with quotes. */
void json_encode_str(struct buf *out, const char *s, size_t n);
/* Python float repr of v ("1.0", "1e+16", "-0.0", "NaN", "Infinity"). out must hold 32 bytes; returns length. */
size_t json_float_repr(double v, char *out);
/* Python's str() of a number node, as the CSV writers need it (ints exactly, floats in repr). */
void json_number_text(struct buf *out, const struct json_doc *d, uint32_t i);

/*
 * Python's str() of a loaded JSON value, as csv.writer writes a cell: a string as it is, ints in decimal, floats
 * in repr, true/false as True/False, null as "" (None), lists and dicts as Python repr ({'k': 'v', 'n': None}).
 */
void json_python_str(struct buf *out, struct json_doc *d, uint32_t i);

/* Compare two decoded keys as Python compares str (code points). */
int json_keycmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
