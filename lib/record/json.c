#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "record/json.h"

/* Bytes that end the fast scan inside a string: quote, backslash, control characters, non-ASCII. */
static const unsigned char str_stop[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x7f ... 0xff] = 1,
};

/*
 * The first byte at or after p (before q) that str_stop flags, or q. Sixteen bytes at a time with SSE2 (a byte
 * below 0x20 or above 0x7e is negative or below 0x20 as a signed char, or 0x7f).
 */
static inline const unsigned char *
skip_plain(const unsigned char *p, const unsigned char *q)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20),
	    del = _mm_set1_epi8(0x7f);

	while (q - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
		    _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)));
		unsigned mask = (unsigned)_mm_movemask_epi8(m);
		if (mask)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#endif
	while (p < q && !str_stop[*p])
		p++;
	return p;
}

static const unsigned char is_ws[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 if invalid (overlong, surrogate, > U+10FFFF). */
static size_t
utf8_valid(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c < 0xf0) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;
		if (c == 0xed && s[1] >= 0xa0)
			return 0;	/* UTF-16 surrogates are not valid UTF-8 */
		return 3;
	}
	if (c < 0xf5) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

static inline __attribute__((always_inline)) void
nodes_reserve(struct json_doc *d)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->nodes = xrealloc(d->nodes, d->cap * sizeof *d->nodes);
	}
}

static int
syntax(struct err *e, const char *base, const char *at, const char *what)
{
	return err_set(e, EX_DATAERR, "invalid JSON at column %zu: %s", (size_t)(at - base) + 1, what);
}

/* Scan a string whose opening quote is at *pp; on success *pp is past the closing quote. */
static int
scan_string(struct json_doc *d, const char *base, const char **pp, const char *end, struct err *e)
{
	const unsigned char *p = (const unsigned char *)*pp + 1, *q = (const unsigned char *)end;
	uint8_t flags = 0;
	struct json_node *n;

	for (;;) {
		p = skip_plain(p, q);
		if (p >= q)
			return syntax(e, base, (const char *)p, "unterminated string");
		if (*p == '"')
			break;
		if (*p == '\\') {
			flags |= JSON_F_ESCAPED;
			if (p + 1 >= q)
				return syntax(e, base, (const char *)p, "unterminated string");
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				p += 2;
				break;
			case 'u':
				if (q - p < 6 || hexval(p[2]) < 0 || hexval(p[3]) < 0 || hexval(p[4]) < 0 || hexval(p[5]) < 0)
					return syntax(e, base, (const char *)p, "invalid \\u escape");
				p += 6;
				break;
			default:
				return syntax(e, base, (const char *)p, "invalid escape in string");
			}
		} else if (*p < 0x20) {
			return syntax(e, base, (const char *)p, "control character in string");
		} else {
			size_t k = utf8_valid(p, (size_t)(q - p));
			if (k == 0)
				return syntax(e, base, (const char *)p, "invalid UTF-8");
			flags |= JSON_F_NONASCII;
			p += k;
		}
	}
	nodes_reserve(d);
	n = &d->nodes[d->n];
	n->p = *pp + 1;
	n->len = (uint32_t)((const char *)p - (*pp + 1));
	n->type = JV_STRING;
	n->flags = flags;
	n->count = 0;
	n->next = (uint32_t)++d->n;
	*pp = (const char *)p + 1;
	return 0;
}

static int
scan_number(struct json_doc *d, const char *base, const char **pp, const char *end, struct err *e)
{
	const char *p = *pp, *start = p;
	int is_float = 0;
	struct json_node *n;

	if (*p == '-')
		p++;
	if (p < end && *p == 'I' && end - p >= 8 && memcmp(p, "Infinity", 8) == 0) {
		p += 8;
		is_float = 1;
		goto done;
	}
	if (p >= end || *p < '0' || *p > '9')
		return syntax(e, base, p, "invalid number");
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	if (p < end && *p == '.') {
		is_float = 1;
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return syntax(e, base, p, "invalid number");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		is_float = 1;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return syntax(e, base, p, "invalid number");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
done:
	nodes_reserve(d);
	n = &d->nodes[d->n];
	n->p = start;
	n->len = (uint32_t)(p - start);
	n->type = is_float ? JV_FLOAT : JV_INT;
	n->flags = 0;
	n->count = 0;
	n->next = (uint32_t)++d->n;
	*pp = p;
	return 0;
}

static inline __attribute__((always_inline)) void
push_leaf(struct json_doc *d, const char *p, uint32_t len, enum json_type t)
{
	struct json_node *n;

	nodes_reserve(d);
	n = &d->nodes[d->n];
	n->p = p;
	n->len = len;
	n->type = (uint8_t)t;
	n->flags = 0;
	n->count = 0;
	n->next = (uint32_t)++d->n;
}

int
json_parse(struct json_doc *d, const char *text, size_t len, uint32_t *root, struct err *e)
{
	const char *p = text, *end = text + len;
	size_t depth = 0;
	uint32_t first = (uint32_t)d->n;

	if (len >= UINT32_MAX)
		return err_set(e, EX_DATAERR, "value larger than 4 GiB");
	for (;;) {
		/* A value. */
		while (p < end && is_ws[(unsigned char)*p])
			p++;
		if (p >= end)
			return syntax(e, text, p, depth ? "unexpected end of input" : "no value");
		switch (*p) {
		case '{':
		case '[':
			if (depth >= JSON_MAX_DEPTH)
				return syntax(e, text, p, "nesting deeper than 10000 levels");
			if (depth == d->stack_cap) {
				d->stack_cap = d->stack_cap ? d->stack_cap * 2 : 64;
				d->stack = xrealloc(d->stack, d->stack_cap * sizeof *d->stack);
			}
			d->stack[depth++] = (uint32_t)d->n;
			push_leaf(d, p, 0, *p == '{' ? JV_OBJECT : JV_ARRAY);
			p++;
			while (p < end && is_ws[(unsigned char)*p])
				p++;
			if (p < end && (*p == '}' || *p == ']') && (*p == '}') == (d->nodes[d->n - 1].type == JV_OBJECT))
				goto close;
			if (d->nodes[d->n - 1].type == JV_OBJECT)
				goto key;
			d->nodes[d->n - 1].count = 1;
			continue;
		case '"':
			if (scan_string(d, text, &p, end, e) == -1)
				return -1;
			break;
		case 't':
			if (end - p < 4 || memcmp(p, "true", 4) != 0)
				return syntax(e, text, p, "invalid literal");
			push_leaf(d, p, 4, JV_TRUE);
			p += 4;
			break;
		case 'f':
			if (end - p < 5 || memcmp(p, "false", 5) != 0)
				return syntax(e, text, p, "invalid literal");
			push_leaf(d, p, 5, JV_FALSE);
			p += 5;
			break;
		case 'n':
			if (end - p < 4 || memcmp(p, "null", 4) != 0)
				return syntax(e, text, p, "invalid literal");
			push_leaf(d, p, 4, JV_NULL);
			p += 4;
			break;
		case 'N':
			if (end - p < 3 || memcmp(p, "NaN", 3) != 0)
				return syntax(e, text, p, "invalid literal");
			push_leaf(d, p, 3, JV_FLOAT);
			p += 3;
			break;
		default:
			if (*p == '-' || *p == 'I' || (*p >= '0' && *p <= '9')) {
				if (scan_number(d, text, &p, end, e) == -1)
					return -1;
				break;
			}
			return syntax(e, text, p, depth ? "expected a value" : "expected a JSON value");
		}
		/* After a value: close containers or move to the next member. */
		for (;;) {
			struct json_node *c;

			if (depth == 0)
				goto finish;
			while (p < end && is_ws[(unsigned char)*p])
				p++;
			if (p >= end)
				return syntax(e, text, p, "unexpected end of input");
			c = &d->nodes[d->stack[depth - 1]];
			if (*p == ',') {
				p++;
				c->count++;
				if (c->type == JV_OBJECT)
					goto key;
				break;
			}
			if ((c->type == JV_OBJECT && *p == '}') || (c->type == JV_ARRAY && *p == ']'))
				goto close;
			return syntax(e, text, p, c->type == JV_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
close:
			c = &d->nodes[d->stack[--depth]];
			p++;
			c->len = (uint32_t)(p - c->p);
			c->next = (uint32_t)d->n;
			continue;
key:
			while (p < end && is_ws[(unsigned char)*p])
				p++;
			if (p >= end)
				return syntax(e, text, p, "unexpected end of input");
			if (*p != '"')
				return syntax(e, text, p, "expected a string key");
			if (scan_string(d, text, &p, end, e) == -1)
				return -1;
			if (d->nodes[d->stack[depth - 1]].count == 0)
				d->nodes[d->stack[depth - 1]].count = 1;
			while (p < end && is_ws[(unsigned char)*p])
				p++;
			if (p >= end || *p != ':')
				return syntax(e, text, p, "expected ':'");
			p++;
			break;
		}
	}
finish:
	while (p < end && is_ws[(unsigned char)*p])
		p++;
	if (p != end)
		return syntax(e, text, p, "unexpected text after the value");
	if (root != NULL)
		*root = first;
	return 0;
}

int
json_parse_copy(struct json_doc *d, const char *text, size_t len, uint32_t *root, struct err *e)
{
	char *copy = arena_strndup(&d->strings, text, len);

	return json_parse(d, copy, len, root, e);
}

void
json_reset(struct json_doc *d)
{
	d->n = 0;
	arena_reset(&d->strings);
}

void
json_free(struct json_doc *d)
{
	free(d->nodes);
	free(d->stack);
	arena_free(&d->strings);
	memset(d, 0, sizeof *d);
}

/* Append the generalized UTF-8 form of code point cp. */
static size_t
put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static uint32_t
hex4(const char *s)
{
	return (uint32_t)(hexval(s[0]) << 12 | hexval(s[1]) << 8 | hexval(s[2]) << 4 | hexval(s[3]));
}

const char *
json_str(struct json_doc *d, uint32_t i, size_t *len)
{
	const struct json_node *n = &d->nodes[i];
	const char *s = n->p, *end = n->p + n->len;
	char *out, *o;

	if (!(n->flags & JSON_F_ESCAPED)) {
		*len = n->len;
		return n->p;
	}
	o = out = arena_alloc(&d->strings, n->len + 1);
	while (s < end) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		switch (s[1]) {
		case 'b': *o++ = '\b'; s += 2; break;
		case 'f': *o++ = '\f'; s += 2; break;
		case 'n': *o++ = '\n'; s += 2; break;
		case 'r': *o++ = '\r'; s += 2; break;
		case 't': *o++ = '\t'; s += 2; break;
		case 'u': {
			uint32_t cp = hex4(s + 2);
			s += 6;
			/* A high surrogate followed by a low one is one code point, as Python decodes it. */
			if (cp >= 0xd800 && cp < 0xdc00 && end - s >= 6 && s[0] == '\\' && s[1] == 'u') {
				uint32_t lo = hex4(s + 2);
				if (lo >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					s += 6;
				}
			}
			o += put_utf8(o, cp);
			break;
		}
		default:	/* " \ / */
			*o++ = s[1];
			s += 2;
			break;
		}
	}
	*o = '\0';
	*len = (size_t)(o - out);
	return out;
}

int
json_str_eq(struct json_doc *d, uint32_t i, const char *s, size_t n)
{
	const struct json_node *node = &d->nodes[i];
	const char *v;
	size_t vlen;

	if (node->type != JV_STRING)
		return 0;
	if (!(node->flags & JSON_F_ESCAPED))
		return node->len == n && memcmp(node->p, s, n) == 0;
	v = json_str(d, i, &vlen);
	return vlen == n && memcmp(v, s, n) == 0;
}

uint32_t
json_get(const struct json_doc *d, uint32_t obj, const char *key, size_t klen)
{
	const struct json_node *o = &d->nodes[obj];
	uint32_t k, found = 0;

	if (o->type != JV_OBJECT || o->count == 0)
		return 0;
	for (k = obj + 1; k < o->next; k = d->nodes[k + 1].next) {
		const struct json_node *kn = &d->nodes[k];
		if (kn->flags & JSON_F_ESCAPED) {
			if (json_str_eq((struct json_doc *)d, k, key, klen))
				found = k + 1;
		} else if (kn->len == klen && memcmp(kn->p, key, klen) == 0) {
			found = k + 1;
		}
	}
	return found;
}

int
json_keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* ---- encoder ---- */

static const char hexdig[] = "0123456789abcdef";

static void
put_u16(struct buf *out, uint32_t u)
{
	char t[6] = { '\\', 'u', hexdig[(u >> 12) & 15], hexdig[(u >> 8) & 15], hexdig[(u >> 4) & 15], hexdig[u & 15] };

	buf_add(out, t, 6);
}

static void
put_unit(struct buf *out, uint32_t cp)
{
	switch (cp) {
	case '"': buf_add(out, "\\\"", 2); return;
	case '\\': buf_add(out, "\\\\", 2); return;
	case '\n': buf_add(out, "\\n", 2); return;
	case '\r': buf_add(out, "\\r", 2); return;
	case '\t': buf_add(out, "\\t", 2); return;
	case '\b': buf_add(out, "\\b", 2); return;
	case '\f': buf_add(out, "\\f", 2); return;
	}
	if (cp >= 0x20 && cp < 0x7f) {
		buf_addc(out, (char)cp);
	} else if (cp >= 0x10000) {
		cp -= 0x10000;
		put_u16(out, 0xd800 | (cp >> 10));
		put_u16(out, 0xdc00 | (cp & 0x3ff));
	} else {
		put_u16(out, cp);
	}
}

/* Decode one generalized UTF-8 sequence (the input was validated, or built by us). */
static uint32_t
get_utf8(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	uint32_t cp;

	if (s[0] < 0x80) {
		*sp = s + 1;
		return s[0];
	}
	if (s[0] < 0xe0) {
		cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		*sp = s + 2;
	} else if (s[0] < 0xf0) {
		cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		*sp = s + 3;
	} else {
		cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 | (uint32_t)(s[2] & 0x3f) << 6 |
		    (s[3] & 0x3f);
		*sp = s + 4;
	}
	return cp;
}

void
json_encode_str(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n, *run;

	buf_reserve(out, n + 2);
	buf_addc(out, '"');
	while (s < end) {
		run = s;
		s = skip_plain(s, end);
		buf_add(out, run, (size_t)(s - run));
		if (s < end)
			put_unit(out, get_utf8(&s));
	}
	buf_addc(out, '"');
}

/* A string node straight from its escaped source text to Python's escaping, unit by unit. */
static void
encode_string_node(struct buf *out, const struct json_node *n)
{
	const unsigned char *s = (const unsigned char *)n->p, *end = s + n->len, *run;

	if (!(n->flags & (JSON_F_ESCAPED | JSON_F_NONASCII))) {
		/* No escapes and no raw non-ASCII: printable ASCII copies through. Control bytes cannot occur. */
		buf_reserve(out, n->len + 2);
		buf_addc(out, '"');
		buf_add(out, n->p, n->len);
		buf_addc(out, '"');
		return;
	}
	buf_addc(out, '"');
	while (s < end) {
		run = s;
		s = skip_plain(s, end);
		buf_add(out, run, (size_t)(s - run));
		if (s >= end)
			break;
		if (*s == '\\') {
			switch (s[1]) {
			case 'b': put_unit(out, '\b'); break;
			case 'f': put_unit(out, '\f'); break;
			case 'n': put_unit(out, '\n'); break;
			case 'r': put_unit(out, '\r'); break;
			case 't': put_unit(out, '\t'); break;
			case 'u': put_unit(out, hex4((const char *)s + 2)); s += 4; break;
			default: put_unit(out, s[1]); break;
			}
			s += 2;
		} else {
			put_unit(out, get_utf8(&s));
		}
	}
	buf_addc(out, '"');
}

/*
 * Step the last significant digit of "%.*e" text one unit up (or down), carrying as needed. Returns 0 when the
 * result would need another digit (9.99e5 up), which the caller then skips.
 */
static int
other_neighbour(char *t, int up)
{
	char *e = strchr(t, 'e'), *p;

	if (e == NULL)
		return 0;
	for (p = e - 1; p >= t; p--) {
		if (*p == '.')
			continue;
		if (*p < '0' || *p > '9')
			return 0;
		if (up) {
			if (*p < '9') {
				(*p)++;
				return 1;
			}
			*p = '0';
		} else {
			if (*p > '0') {
				(*p)--;
				/* A leading zero would change the exponent: not a neighbour of the same length. */
				return !(p == t + (t[0] == '-') && *p == '0');
			}
			*p = '9';
		}
	}
	return 0;
}

size_t
json_float_repr(double v, char *out)
{
	char tmp[40], digits[24];
	int prec, exp10, ndig = 0, decpt, neg;
	char *p;
	size_t o = 0;

	if (isnan(v))
		return (size_t)sprintf(out, "NaN");
	if (isinf(v))
		return (size_t)sprintf(out, v < 0 ? "-Infinity" : "Infinity");
	/*
	 * Shortest digits that read back as v: what Python's repr (David Gay's mode 0) prints. At each length try
	 * the correctly rounded digits, then the neighbour on the other side of v: next to a power of two the
	 * rounding interval is lopsided, and the farther neighbour may be the one that reads back.
	 */
	double a = fabs(v);
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, a);
		double c = strtod(tmp, NULL);
		if (c == a)
			break;
		if (other_neighbour(tmp, c < a) && strtod(tmp, NULL) == a)
			break;
	}
	neg = signbit(v) != 0;
	for (p = tmp; *p != 'e'; p++)
		if (*p != '.')
			digits[ndig++] = *p;
	exp10 = atoi(p + 1);
	while (ndig > 1 && digits[ndig - 1] == '0')
		ndig--;
	decpt = exp10 + 1;
	if (neg)
		out[o++] = '-';
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (int i = 0; i < -decpt; i++)
				out[o++] = '0';
			memcpy(out + o, digits, (size_t)ndig);
			o += (size_t)ndig;
		} else if (decpt >= ndig) {
			memcpy(out + o, digits, (size_t)ndig);
			o += (size_t)ndig;
			for (int i = ndig; i < decpt; i++)
				out[o++] = '0';
			out[o++] = '.';
			out[o++] = '0';
		} else {
			memcpy(out + o, digits, (size_t)decpt);
			o += (size_t)decpt;
			out[o++] = '.';
			memcpy(out + o, digits + decpt, (size_t)(ndig - decpt));
			o += (size_t)(ndig - decpt);
		}
	} else {
		out[o++] = digits[0];
		if (ndig > 1) {
			out[o++] = '.';
			memcpy(out + o, digits + 1, (size_t)(ndig - 1));
			o += (size_t)(ndig - 1);
		}
		o += (size_t)sprintf(out + o, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
	}
	out[o] = '\0';
	return o;
}

void
json_number_text(struct buf *out, const struct json_doc *d, uint32_t i)
{
	const struct json_node *n = &d->nodes[i];
	char tmp[40], fl[40];
	size_t len;

	if (n->type == JV_INT) {
		/* Python int(): "-0" is 0; everything else is already in canonical decimal. */
		if (n->len == 2 && n->p[0] == '-' && n->p[1] == '0')
			buf_addc(out, '0');
		else
			buf_add(out, n->p, n->len);
		return;
	}
	if (n->len == 3 && memcmp(n->p, "NaN", 3) == 0) {
		buf_add(out, "NaN", 3);
		return;
	}
	len = n->len < sizeof tmp - 1 ? n->len : 0;
	if (len == 0) {
		/* Very long float text: strtod needs a terminated copy. */
		char *big = xmalloc(n->len + 1);
		memcpy(big, n->p, n->len);
		big[n->len] = '\0';
		len = json_float_repr(strtod(big, NULL), fl);
		free(big);
	} else {
		memcpy(tmp, n->p, len);
		tmp[len] = '\0';
		len = json_float_repr(strtod(tmp, NULL), fl);
	}
	buf_add(out, fl, len);
}

struct member {
	const char *key;
	size_t klen;
	uint32_t value;
	uint32_t pos;
};

static int
member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = json_keycmp(x->key, x->klen, y->key, y->klen);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void
newline(struct buf *out, int indent, int level)
{
	buf_addc(out, '\n');
	for (int i = 0; i < indent * level; i++)
		buf_addc(out, ' ');
}

static void
encode(struct buf *out, struct json_doc *d, uint32_t i, int indent, int level)
{
	const struct json_node *n = &d->nodes[i];

	switch (n->type) {
	case JV_NULL:
		buf_add(out, "null", 4);
		break;
	case JV_TRUE:
		buf_add(out, "true", 4);
		break;
	case JV_FALSE:
		buf_add(out, "false", 5);
		break;
	case JV_INT:
	case JV_FLOAT:
		json_number_text(out, d, i);
		break;
	case JV_STRING:
		encode_string_node(out, n);
		break;
	case JV_ARRAY: {
		uint32_t c, k = 0;
		if (indent == 0 && (n->flags & JSON_F_CANONICAL)) {
			buf_add(out, n->p, n->len);
			break;
		}
		if (n->count == 0) {
			buf_add(out, "[]", 2);
			break;
		}
		buf_addc(out, '[');
		for (c = i + 1; c < n->next; c = d->nodes[c].next, k++) {
			if (k)
				buf_add(out, ", ", 2);
			if (indent)
				newline(out, indent, level + 1);
			encode(out, d, c, indent, level + 1);
		}
		if (indent)
			newline(out, indent, level);
		buf_addc(out, ']');
		break;
	}
	case JV_OBJECT: {
		struct member stackm[16], *m = stackm;
		uint32_t c, k = 0, cnt = n->count;
		if (indent == 0 && (n->flags & JSON_F_CANONICAL)) {
			buf_add(out, n->p, n->len);
			break;
		}
		if (cnt == 0) {
			buf_add(out, "{}", 2);
			break;
		}
		if (cnt > 16)
			m = xmalloc(cnt * sizeof *m);
		for (c = i + 1; c < n->next; c = d->nodes[c + 1].next, k++) {
			m[k].key = json_str(d, c, &m[k].klen);
			m[k].value = c + 1;
			m[k].pos = k;
		}
		cnt = k;
		if (cnt > 1)
			qsort(m, cnt, sizeof *m, member_cmp);
		buf_addc(out, '{');
		int first = 1;
		for (k = 0; k < cnt; k++) {
			/* Duplicate keys: the last one wins, as in Python's json.loads. */
			if (k + 1 < cnt && json_keycmp(m[k].key, m[k].klen, m[k + 1].key, m[k + 1].klen) == 0)
				continue;
			if (!first)
				buf_add(out, ", ", 2);
			first = 0;
			if (indent)
				newline(out, indent, level + 1);
			json_encode_str(out, m[k].key, m[k].klen);
			buf_add(out, ": ", 2);
			encode(out, d, m[k].value, indent, level + 1);
		}
		if (indent)
			newline(out, indent, level);
		buf_addc(out, '}');
		if (m != stackm)
			free(m);
		break;
	}
	}
}

void
json_encode(struct buf *out, struct json_doc *d, uint32_t i, int indent)
{
	encode(out, d, i, indent, 0);
}

/*
 * str.isprintable() for one code point: not printable are the categories Other (Cc, Cf, Cs, Co, Cn) and
 * Separator (Zl, Zp, Zs) except the space. PCRE2 carries the Unicode tables; the pattern is compiled once.
 */
static int
python_printable(const unsigned char *s, size_t n, uint32_t cp)
{
	static pcre2_code *re;
	static pcre2_match_data *md;
	int errcode;
	PCRE2_SIZE erroff;

	if (cp < 0x7f)
		return cp >= 0x20;
	if (re == NULL) {
		re = pcre2_compile((PCRE2_SPTR) "[\\p{C}\\p{Z}]", PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
		    &errcode, &erroff, NULL);
		if (re == NULL)
			return 1;
		md = pcre2_match_data_create_from_pattern(re, NULL);
	}
	return pcre2_match(re, s, n, 0, PCRE2_ANCHORED | PCRE2_NO_UTF_CHECK, md, NULL) < 0;
}

/* Python repr() of a str: single quotes unless the text has ' and no " (then double quotes). */
static void
python_repr_str(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + n;
	char quote = '\'';
	char tmp[16];

	if (memchr(str, '\'', n) != NULL && memchr(str, '"', n) == NULL)
		quote = '"';
	buf_addc(out, quote);
	while (s < end) {
		const unsigned char *start = s;
		uint32_t cp = get_utf8(&s);
		if (cp == (uint32_t)quote || cp == '\\') {
			buf_addc(out, '\\');
			buf_addc(out, (char)cp);
		} else if (cp == '\n') {
			buf_add(out, "\\n", 2);
		} else if (cp == '\r') {
			buf_add(out, "\\r", 2);
		} else if (cp == '\t') {
			buf_add(out, "\\t", 2);
		} else if ((cp >= 0xd800 && cp < 0xe000) || !python_printable(start, (size_t)(s - start), cp)) {
			if (cp < 0x100)
				snprintf(tmp, sizeof tmp, "\\x%02x", cp);
			else if (cp < 0x10000)
				snprintf(tmp, sizeof tmp, "\\u%04x", cp);
			else
				snprintf(tmp, sizeof tmp, "\\U%08x", cp);
			buf_adds(out, tmp);
		} else {
			buf_add(out, start, (size_t)(s - start));
		}
	}
	buf_addc(out, quote);
}

static void
python_repr(struct buf *out, struct json_doc *d, uint32_t i)
{
	const struct json_node *n = &d->nodes[i];
	size_t len;
	const char *s;
	uint32_t c, k = 0;

	switch (n->type) {
	case JV_NULL:
		buf_add(out, "None", 4);
		break;
	case JV_TRUE:
		buf_add(out, "True", 4);
		break;
	case JV_FALSE:
		buf_add(out, "False", 5);
		break;
	case JV_INT:
	case JV_FLOAT:
		json_number_text(out, d, i);
		break;
	case JV_STRING:
		s = json_str(d, i, &len);
		python_repr_str(out, s, len);
		break;
	case JV_ARRAY:
		buf_addc(out, '[');
		for (c = i + 1; c < n->next; c = d->nodes[c].next, k++) {
			if (k)
				buf_add(out, ", ", 2);
			python_repr(out, d, c);
		}
		buf_addc(out, ']');
		break;
	case JV_OBJECT:
		/* Insertion order, as json.loads builds the dict; a duplicate key keeps its first place. */
		buf_addc(out, '{');
		for (c = i + 1; c < n->next; c = d->nodes[c + 1].next) {
			s = json_str(d, c, &len);
			uint32_t v = json_get(d, i, s, len);
			int dup = 0;
			for (uint32_t p = i + 1; p < c; p = d->nodes[p + 1].next)
				if (json_str_eq(d, p, s, len))
					dup = 1;
			if (dup)
				continue;
			if (k++)
				buf_add(out, ", ", 2);
			python_repr_str(out, s, len);
			buf_add(out, ": ", 2);
			python_repr(out, d, v);
		}
		buf_addc(out, '}');
		break;
	}
}

void
json_python_str(struct buf *out, struct json_doc *d, uint32_t i)
{
	const struct json_node *n = &d->nodes[i];
	size_t len;
	const char *s;

	switch (n->type) {
	case JV_NULL:
		break;
	case JV_STRING:
		s = json_str(d, i, &len);
		buf_add(out, s, len);
		break;
	default:
		python_repr(out, d, i);
		break;
	}
}
