/*
 * clean: the cleaners, with Python re semantics on PCRE2. CoreDataModules' RegexUtils compiles a pattern with
 * re.IGNORECASE and re.search()es the text; clean_with_patterns returns the first code, in dict order, whose
 * pattern matches, else "NC" (coredata.md §7.3, pipeline.md §4.5).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coding/clean.h"
#include "util/buf.h"
#include "util/isotime.h"

struct compiled_table {
	pcre2_code **codes;
	size_t n;
};

struct cleaners {
	struct compiled_table tables[CLEAN_N_TABLES];
	pcre2_code *digits;		/* clean_digits_pattern, case-sensitive */
	pcre2_code *one_digit;		/* ^\d: is a code point a Unicode decimal digit (Nd)? */
	pcre2_match_data *md;
	pcre2_match_context *mctx;	/* with jit_stack */
	pcre2_jit_stack *jit_stack;
	struct buf text;		/* the text being matched: a padded copy, bad UTF-8 read as U+FFFD */
	struct buf digits_text;		/* the text after replace_digit_like_characters */
	const struct engagement_window *windows;
	size_t n_windows;
	int failed;			/* a PCRE2 run-time failure since the last check */
	char fail_msg[256];
};

/*
 * Python's str.isspace() set, which re's \s matches on str patterns. PCRE2's \s (UCP) lacks U+001C-U+001F and
 * has U+180E, which Unicode no longer counts as a space. Written for use inside a character class.
 */
static const char py_space[] =
    "\\t\\n\\x0b\\f\\r\\x1c-\\x20\\x85\\xa0\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}";
/* Python's IGNORECASE also lets i and I match İ (U+0130) and ı (U+0131); PCRE2's Unicode case folding does not. */
static const char dotted_i[] = "\\x{130}\\x{131}";

/* The code point at s (valid UTF-8), and its length in *len. */
static uint32_t
utf8_decode(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if (s[0] < 0xE0) {
		*len = 2;
		return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
	}
	if (s[0] < 0xF0) {
		*len = 3;
		return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
	}
	*len = 4;
	return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6
	    | (s[3] & 0x3F);
}

static size_t
utf8_encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one (overlong, surrogate, > U+10FFFF). */
static size_t
utf8_valid_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t min;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	uint32_t cp = utf8_decode(s, &i);
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/*
 * PCRE2's JIT reads whole machine words, so it may look at a few bytes past the subject's end (never across a
 * page). Those bytes are initialised here, which keeps valgrind's memcheck quiet and the result independent of
 * whatever follows the text in the record's buffer.
 */
#define SUBJECT_PAD 64

static void
pad(struct buf *b)
{
	buf_reserve(b, SUBJECT_PAD);
	memset(b->p + b->len, 0, SUBJECT_PAD);
}

/*
 * The text as PCRE2 matches it (with PCRE2_NO_UTF_CHECK), copied into c->text and padded: the same bytes when
 * they are valid UTF-8 (the usual case), else every bad sequence (a lone surrogate written by the JSON decoder)
 * read as U+FFFD.
 */
static const char *
matchable(struct cleaners *c, const char *s, size_t n, size_t *out_n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	c->text.len = 0;
	while (i < n && (k = utf8_valid_len(u + i, n - i)) != 0)
		i += k;
	buf_add(&c->text, s, i);
	while (i < n) {
		if ((k = utf8_valid_len(u + i, n - i)) != 0) {
			buf_add(&c->text, s + i, k);
			i += k;
			continue;
		}
		buf_add(&c->text, "\xEF\xBF\xBD", 3);
		/* Skip the lead byte and its continuation bytes: one bad sequence, one replacement. */
		for (i++; i < n && (u[i] & 0xC0) == 0x80; i++)
			;
	}
	pad(&c->text);
	*out_n = c->text.len;
	return c->text.p;
}

/* 1 if code matches somewhere in s (re.search), 0 if not; a run-time failure counts as no match, remembered. */
static int
search(struct cleaners *c, pcre2_code *code, const char *s, size_t n)
{
	int rc = pcre2_match(code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, c->md, c->mctx);

	/* A long text can need more JIT stack than we gave; the interpreter keeps its backtracking on the heap. */
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
		rc = pcre2_match(code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, c->md, c->mctx);
	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH && !c->failed) {
		PCRE2_UCHAR msg[200];
		pcre2_get_error_message(rc, msg, sizeof msg);
		c->failed = 1;
		snprintf(c->fail_msg, sizeof c->fail_msg, "regular expression failure: %s", (const char *)msg);
	}
	return 0;
}

/* RegexUtils.clean_with_patterns: the index of the first row that matches, or -1. */
static int
first_match(struct cleaners *c, enum clean_table_id t, const char *s, size_t n)
{
	const struct compiled_table *ct = &c->tables[t];
	size_t m;

	s = matchable(c, s, n, &m);
	for (size_t i = 0; i < ct->n; i++)
		if (search(c, ct->codes[i], s, m))
			return (int)i;
	return -1;
}

static const char *
clean_with_patterns(struct cleaners *c, enum clean_table_id t, const char *s, size_t n)
{
	int i = first_match(c, t, s, n);

	return i < 0 ? CLEAN_NC : clean_tables[t].rows[i].code;
}

/* The value of a number table's first matching row, or 0 (the reference's "NC → 0"). */
static int
number_row(struct cleaners *c, enum clean_table_id t, const char *s, size_t n)
{
	int i = first_match(c, t, s, n);

	return i < 0 ? 0 : clean_tables[t].rows[i].value;
}

/* --- Python re pattern → PCRE2 pattern ------------------------------------------------------------------ */

/* A literal in a character class, for range checks: its code point, or -1 for a class escape (\w, \s …). */
static long
class_literal(const char *p, size_t *len)
{
	if (p[0] != '\\') {
		uint32_t cp = utf8_decode((const unsigned char *)p, len);
		return cp;
	}
	*len = 2;
	switch (p[1]) {
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	case 'a': return '\a';
	case 'b': return '\b';
	case 'w': case 'W': case 's': case 'S': case 'd': case 'D':
		return -1;
	default:
		return (unsigned char)p[1];
	}
}

static int
covers_i(long lo, long hi)
{
	return (lo <= 'i' && 'i' <= hi) || (lo <= 'I' && 'I' <= hi);
}

/*
 * Rewrite a Python re pattern (str, IGNORECASE when caseless) so PCRE2 with UTF | UCP | CASELESS matches what
 * Python matches: \s becomes Python's space set, and with caseless, i and I (alone, or in a class, or inside a
 * class range) also match İ and ı. Group headers "(?…" and braced escapes (\x{…}, \p{…}) are copied untouched.
 */
static void
python_to_pcre2(const char *p, int caseless, struct buf *out)
{
	size_t n = strlen(p), i = 0, len;
	int in_class = 0, class_has_i = 0;
	long prev_literal = -1;		/* the class's last literal, a possible range start */

	out->len = 0;
	while (i < n) {
		char ch = p[i];

		if (ch == '\\' && i + 1 < n) {
			char nx = p[i + 1];
			if (nx == 's') {
				if (in_class) {
					buf_adds(out, py_space);
				} else {
					buf_addc(out, '[');
					buf_adds(out, py_space);
					buf_addc(out, ']');
				}
				prev_literal = -1;
				i += 2;
				continue;
			}
			if (nx == 'S' && !in_class) {
				buf_adds(out, "[^");
				buf_adds(out, py_space);
				buf_addc(out, ']');
				i += 2;
				continue;
			}
			if (strchr("xpPNgk", nx) != NULL && i + 2 < n && (p[i + 2] == '{' || p[i + 2] == '<')) {
				const char *close = strchr(p + i + 2, p[i + 2] == '{' ? '}' : '>');
				size_t end = close != NULL ? (size_t)(close - p) + 1 : n;
				buf_add(out, p + i, end - i);
				prev_literal = -1;
				i = end;
				continue;
			}
			if (in_class) {
				prev_literal = class_literal(p + i, &len);
				if (prev_literal == 'i' || prev_literal == 'I')
					class_has_i = 1;
			}
			buf_add(out, p + i, 2);
			i += 2;
			continue;
		}
		if (in_class) {
			if (ch == ']') {
				if (class_has_i && caseless)
					buf_adds(out, dotted_i);
				buf_addc(out, ']');
				in_class = 0;
				i++;
				continue;
			}
			if (ch == '-' && prev_literal >= 0 && i + 1 < n && p[i + 1] != ']') {
				long hi = class_literal(p + i + 1, &len);
				if (hi >= 0) {
					if (covers_i(prev_literal, hi))
						class_has_i = 1;
					buf_addc(out, '-');
					buf_add(out, p + i + 1, len);
					prev_literal = -1;
					i += 1 + len;
					continue;
				}
			}
			prev_literal = class_literal(p + i, &len);
			if (prev_literal == 'i' || prev_literal == 'I')
				class_has_i = 1;
			buf_add(out, p + i, len);
			i += len;
			continue;
		}
		if (ch == '[') {
			in_class = 1;
			class_has_i = 0;
			prev_literal = -1;
			buf_addc(out, '[');
			i++;
			if (i < n && p[i] == '^')
				buf_addc(out, p[i++]);
			/* A ']' first in a class is a literal, in Python as in PCRE2. */
			if (i < n && p[i] == ']') {
				buf_addc(out, p[i++]);
				prev_literal = ']';
			}
			continue;
		}
		if (ch == '(' && i + 1 < n && p[i + 1] == '?') {
			size_t j = i + 2;
			while (j < n && strchr(":)>=!", p[j]) == NULL)
				j++;
			if (j < n)
				j++;
			buf_add(out, p + i, j - i);
			i = j;
			continue;
		}
		if ((ch == 'i' || ch == 'I') && caseless) {
			buf_adds(out, "[iI");
			buf_adds(out, dotted_i);
			buf_addc(out, ']');
			i++;
			continue;
		}
		buf_addc(out, ch);
		i++;
	}
}

static pcre2_code *
compile(const char *pattern, int caseless, struct buf *scratch, const char *what, struct err *e)
{
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | (caseless ? PCRE2_CASELESS : 0);
	PCRE2_SIZE off;
	pcre2_code *code;
	int rc;

	python_to_pcre2(pattern, caseless, scratch);
	code = pcre2_compile((PCRE2_SPTR)scratch->p, scratch->len, opts, &rc, &off, NULL);
	if (code == NULL) {
		PCRE2_UCHAR msg[200];
		pcre2_get_error_message(rc, msg, sizeof msg);
		err_set(e, TD_EXIT_FAILURE, "%s: pattern does not compile at offset %zu: %s", what, (size_t)off,
		    (const char *)msg);
		return NULL;
	}
	/* JIT makes matching several times faster; without it (no JIT support, or no memory) PCRE2 interprets. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	return code;
}

struct cleaners *
clean_new(const struct coding_plans *p, struct err *e)
{
	struct cleaners *c = xcalloc(1, sizeof *c);
	struct buf scratch = { 0 };
	char what[128];

	if (p != NULL)
		c->windows = plans_engagement_windows(p, &c->n_windows);
	for (int t = 0; t < CLEAN_N_TABLES; t++) {
		const struct clean_table *tab = &clean_tables[t];
		c->tables[t].codes = xcalloc(tab->n, sizeof *c->tables[t].codes);
		for (size_t i = 0; i < tab->n; i++) {
			snprintf(what, sizeof what, "%s[%zu]", tab->name, i);
			if ((c->tables[t].codes[i] = compile(tab->rows[i].pattern, 1, &scratch, what, e)) == NULL)
				goto fail;
			c->tables[t].n = i + 1;
		}
	}
	if ((c->digits = compile(clean_digits_pattern, 0, &scratch, "digit cleaner", e)) == NULL
	    || (c->one_digit = compile("^\\d", 0, &scratch, "decimal digit", e)) == NULL)
		goto fail;
	c->md = pcre2_match_data_create(4, NULL);
	c->mctx = pcre2_match_context_create(NULL);
	c->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (c->md == NULL || c->mctx == NULL || c->jit_stack == NULL)
		abort();
	pcre2_jit_stack_assign(c->mctx, NULL, c->jit_stack);
	buf_free(&scratch);
	return c;
fail:
	buf_free(&scratch);
	clean_free(c);
	return NULL;
}

void
clean_free(struct cleaners *c)
{
	if (c == NULL)
		return;
	for (int t = 0; t < CLEAN_N_TABLES; t++) {
		for (size_t i = 0; i < c->tables[t].n; i++)
			pcre2_code_free(c->tables[t].codes[i]);
		free(c->tables[t].codes);
	}
	pcre2_code_free(c->digits);
	pcre2_code_free(c->one_digit);
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mctx);
	pcre2_jit_stack_free(c->jit_stack);
	buf_free(&c->text);
	buf_free(&c->digits_text);
	free(c);
}

int
clean_failed(struct cleaners *c, struct err *e)
{
	if (!c->failed)
		return 0;
	c->failed = 0;
	err_set(e, TD_EXIT_FAILURE, "%s", c->fail_msg);
	return 1;
}

/* --- the text cleaners ---------------------------------------------------------------------------------- */

const char *
clean_somali_gender(struct cleaners *c, const char *s, size_t n)
{
	return clean_with_patterns(c, CLEAN_SOMALI_GENDERS, s, n);
}

const char *
clean_somali_yes_no(struct cleaners *c, const char *s, size_t n)
{
	return clean_with_patterns(c, CLEAN_SOMALI_YES_NO, s, n);
}

const char *
clean_mogadishu_sub_district(struct cleaners *c, const char *s, size_t n)
{
	return clean_with_patterns(c, CLEAN_MOGADISHU_SUB_DISTRICTS, s, n);
}

const char *
clean_somalia_district(struct cleaners *c, const char *s, size_t n)
{
	return clean_with_patterns(c, CLEAN_SOMALIA_DISTRICTS, s, n);
}

const char *
clean_district_if_no_mogadishu_sub_district(struct cleaners *c, const char *s, size_t n)
{
	if (strcmp(clean_mogadishu_sub_district(c, s, n), CLEAN_NC) != 0)
		return CLEAN_NC;
	return clean_somalia_district(c, s, n);
}

void
clean_replace_digit_like(const char *s, size_t n, char *out)
{
	/* Python's str.replace works on code points, but every target is ASCII, so bytes will do. */
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case 'o': case 'O': out[i] = '0'; break;
		case 'i': case 'I': case 'j': case 'J': case 'l': case 'L': out[i] = '1'; break;
		case 'z': case 'Z': out[i] = '2'; break;
		case 't': case 'T': out[i] = '7'; break;
		default: out[i] = s[i]; break;
		}
	}
}

static int
is_decimal_digit(struct cleaners *c, uint32_t cp)
{
	unsigned char u[4 + SUBJECT_PAD] = { 0 };
	size_t n = utf8_encode(cp, u);

	return pcre2_match(c->one_digit, u, n, 0, PCRE2_NO_UTF_CHECK, c->md, NULL) >= 0;
}

/*
 * Python's int() value of a decimal digit (category Nd). Unicode puts Nd characters in runs of ten, 0 to 9, and
 * back-to-back runs (the mathematical digits) stay aligned, so the value is the distance from the start of the
 * maximal run, modulo 10. Walking back with PCRE2's own \d keeps this in step with what the pattern matched.
 */
static int
digit_value(struct cleaners *c, uint32_t cp)
{
	uint32_t start = cp;

	if (cp >= '0' && cp <= '9')
		return (int)(cp - '0');
	while (start > 0 && cp - start < 100 && is_decimal_digit(c, start - 1))
		start--;
	return (int)((cp - start) % 10);
}

int
clean_number_digits(struct cleaners *c, const char *s, size_t n)
{
	size_t m, len;
	const char *text = matchable(c, s, n, &m);
	PCRE2_SIZE *ov;

	c->digits_text.len = 0;
	buf_reserve(&c->digits_text, m);
	clean_replace_digit_like(text, m, c->digits_text.p);
	c->digits_text.len = m;
	pad(&c->digits_text);
	if (!search(c, c->digits, c->digits_text.p, m))
		return -1;
	ov = pcre2_get_ovector_pointer(c->md);
	const unsigned char *d = (const unsigned char *)c->digits_text.p + ov[0];
	uint32_t tens = utf8_decode(d, &len);
	uint32_t units = utf8_decode(d + len, &len);
	/* Read both code points before digit_value reuses the match block. */
	int value = digit_value(c, tens) * 10;
	return value + digit_value(c, units);
}

int
clean_number_words(struct cleaners *c, const char *s, size_t n)
{
	/* Every table is searched and the finds added up, so "seventeen" is seven + seventeen = 24 (as the reference). */
	int total = number_row(c, CLEAN_NUMBER_UNITS, s, n) + number_row(c, CLEAN_NUMBER_TEENS, s, n)
	    + number_row(c, CLEAN_NUMBER_TENS, s, n);

	return total == 0 ? -1 : total;
}

int
clean_number(struct cleaners *c, const char *s, size_t n)
{
	int digits = clean_number_digits(c, s, n);

	return digits >= 0 ? digits : clean_number_words(c, s, n);
}

#define TENS(d) #d "0", #d "1", #d "2", #d "3", #d "4", #d "5", #d "6", #d "7", #d "8", #d "9"
static const char *const two_digits[] = {
	TENS(1), TENS(2), TENS(3), TENS(4), TENS(5), TENS(6), TENS(7), TENS(8), TENS(9)
};

const char *
clean_age_with_range_filter(struct cleaners *c, const char *s, size_t n)
{
	int age = clean_number(c, s, n);

	return age >= 10 && age < 100 ? two_digits[age - 10] : CLEAN_NC;
}

/* --- cleaners of other values --------------------------------------------------------------------------- */

const char *
clean_engagement_type(const struct engagement_window *w, size_t n, const char *dataset, int64_t sent_on_usec)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w[i].dataset, dataset) == 0 && w[i].start_usec <= sent_on_usec && sent_on_usec < w[i].end_usec)
			return w[i].code;
	return CLEAN_NA;
}

const char *
clean_facebook_comment_reply_to(struct json_doc *d, uint32_t i)
{
	const struct json_node *v = &d->nodes[i];

	return v->type == JV_OBJECT && v->count == 0 ? "post" : "comment";
}

static const char *
kind_of(const struct json_doc *d, uint32_t i)
{
	switch (d->nodes[i].type) {
	case JV_NULL: return "null";
	case JV_FALSE: case JV_TRUE: return "a boolean";
	case JV_INT: case JV_FLOAT: return "a number";
	case JV_STRING: return "a string";
	case JV_ARRAY: return "a list";
	default: return "an object";
	}
}

static const char post_type_rule[] = "every post must have a photo or video attachment";

int
clean_facebook_post_type(struct json_doc *d, uint32_t i, const char **match, struct err *e)
{
	const char *type = NULL;
	uint32_t att, data, el;

	if (d->nodes[i].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "expected a Facebook post object, found %s", kind_of(d, i));
	if ((att = json_get(d, i, "attachments", 11)) == 0)
		return err_set(e, EX_DATAERR, "the post has no attachments (%s)", post_type_rule);
	if (d->nodes[att].type != JV_OBJECT)
		return err_set(e, EX_DATAERR, "the post's \"attachments\" is %s (expected an object with a \"data\" list)",
		    kind_of(d, att));
	if ((data = json_get(d, att, "data", 4)) == 0 || d->nodes[data].type != JV_ARRAY)
		return err_set(e, EX_DATAERR, "the post's \"attachments\" has %s \"data\" (expected a list)",
		    data == 0 ? "no" : kind_of(d, data));
	el = data + 1;
	for (uint32_t k = 0; k < d->nodes[data].count; k++, el = d->nodes[el].next) {
		uint32_t t = d->nodes[el].type == JV_OBJECT ? json_get(d, el, "type", 4) : 0;
		const char *found;
		size_t len;
		if (t == 0)
			return err_set(e, EX_DATAERR, "the post's attachment %u has no \"type\" (expected photo or video)",
			    k);
		if (d->nodes[t].type != JV_STRING)
			return err_set(e, EX_DATAERR, "the post's attachment %u has a \"type\" that is %s (expected photo, "
			    "video_inline or video_direct_response)", k, kind_of(d, t));
		found = json_str(d, t, &len);
		const char *is;
		if ((len == 5 && memcmp(found, "photo", 5) == 0))
			is = "photo";
		else if ((len == 12 && memcmp(found, "video_inline", 12) == 0)
		    || (len == 21 && memcmp(found, "video_direct_response", 21) == 0))
			is = "video";
		else
			return err_set(e, EX_DATAERR, "the post's attachment %u has type '%.*s' (expected photo, "
			    "video_inline or video_direct_response)", k, (int)(len > 60 ? 60 : len), found);
		if (type != NULL && type != is)
			return err_set(e, EX_DATAERR, "the post mixes photo and video attachments (expected one kind)");
		type = is;
	}
	if (type == NULL)
		return err_set(e, EX_DATAERR, "the post has no attachments (%s)", post_type_rule);
	*match = type;
	return 0;
}

static int
need_text(struct json_doc *d, uint32_t i, const char **s, size_t *n, struct err *e)
{
	if (d->nodes[i].type != JV_STRING)
		return err_set(e, EX_DATAERR, "expected a string, found %s", kind_of(d, i));
	*s = json_str(d, i, n);
	return 0;
}

static int
engagement(struct cleaners *c, const char *dataset, struct json_doc *d, uint32_t i, const char **match,
    struct err *e)
{
	struct isotime t;
	const char *s = NULL;
	size_t n = 0, k;

	if (need_text(d, i, &s, &n, e) == -1 || iso_parse(s, n, &t, e) == -1)
		return -1;
	/* Python compares a naive date-time only with the windows of this dataset, and raises TypeError there. */
	for (k = 0; k < c->n_windows && !t.has_offset; k++)
		if (strcmp(c->windows[k].dataset, dataset) == 0)
			return err_set(e, EX_DATAERR, "'%.*s' has no UTC offset (expected an ISO-8601 date-time with one)",
			    (int)(n > 60 ? 60 : n), s);
	*match = clean_engagement_type(c->windows, c->n_windows, dataset, t.usec);
	return 0;
}

int
clean_value(struct cleaners *c, enum cleaner_kind kind, const char *dataset, struct json_doc *d, uint32_t i,
    const char **match, struct err *e)
{
	const char *s = NULL;
	size_t n = 0;

	*match = CLEAN_NC;
	switch (kind) {
	case CLEANER_NONE:
		return 0;
	case CLEANER_ENGAGEMENT_TYPE:
		return engagement(c, dataset != NULL ? dataset : "", d, i, match, e);
	case CLEANER_FACEBOOK_COMMENT_REPLY_TO:
		*match = clean_facebook_comment_reply_to(d, i);
		return 0;
	case CLEANER_FACEBOOK_POST_TYPE:
		return clean_facebook_post_type(d, i, match, e);
	default:
		break;
	}
	if (need_text(d, i, &s, &n, e) == -1)
		return -1;
	c->failed = 0;
	switch (kind) {
	case CLEANER_SOMALI_GENDER:
		*match = clean_somali_gender(c, s, n);
		break;
	case CLEANER_SOMALI_YES_NO:
		*match = clean_somali_yes_no(c, s, n);
		break;
	case CLEANER_SOMALI_MOGADISHU_SUB_DISTRICT:
		*match = clean_mogadishu_sub_district(c, s, n);
		break;
	case CLEANER_DISTRICT_IF_NO_MOGADISHU_SUB_DISTRICT:
		*match = clean_district_if_no_mogadishu_sub_district(c, s, n);
		break;
	case CLEANER_AGE_WITH_RANGE_FILTER:
		*match = clean_age_with_range_filter(c, s, n);
		break;
	default:
		break;
	}
	return clean_failed(c, e) ? -1 : 0;
}

int
clean_apply(struct cleaners *c, const struct coding_config *cc, const struct td_val *v, const char **match,
    struct err *e)
{
	if (clean_value(c, cc->cleaner.kind, cc->cleaner.dataset, v->doc, v->idx, match, e) == -1)
		return err_prefix(e, "\"%s\" (cleaner '%s')", cc->raw_field, cc->cleaner.name);
	return 0;
}
