/*
 * json unit test: the scanner and the canonical encoder against Python's json module, byte for byte.
 * Every expected string below is what CPython 3 prints for json.dumps(json.loads(input), sort_keys=True)
 * (or indent=2, separators=(", ", ": ")), computed once and embedded (coredata.md §1).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/json.h"
#include "record/td.h"

static int ntest, nfail;

static void
ok(int cond, const char *title)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ntest, title);
}

/* Print bytes as a C-ish literal so a diagnostic shows control and non-ASCII bytes. */
static void
show(const char *label, const char *s, size_t n)
{
	printf("# %s: \"", label);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '"')
			printf("\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\"\n");
}

/* A TAP title must stay on one line: control and non-ASCII bytes become '?'. */
static void
clean_title(char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t < 0x20 || (unsigned char)*t >= 0x7f)
			*t = '?';
}

static int
same(const char *got, size_t glen, const char *want, size_t wlen, const char *title)
{
	int good = glen == wlen && memcmp(got, want, glen) == 0;

	ok(good, title);
	if (!good) {
		show("got", got, glen);
		show("expected", want, wlen);
	}
	return good;
}

/* Parse text[0..len) and encode it with the given indent; compare with want. */
static void
enc_n(const char *text, size_t len, int indent, const char *want, const char *title)
{
	struct json_doc d = { 0 };
	struct buf b = { 0 };
	struct err e;
	uint32_t root;

	if (json_parse(&d, text, len, &root, &e) == -1) {
		ok(0, title);
		printf("# parse failed: %s\n", e.msg);
		show("input", text, len);
	} else {
		json_encode(&b, &d, root, indent);
		same(b.p, b.len, want, strlen(want), title);
	}
	buf_free(&b);
	json_free(&d);
}

static void
enc(const char *text, const char *want)
{
	char title[256];

	snprintf(title, sizeof title, "encode %.200s", text);
	clean_title(title);
	enc_n(text, strlen(text), 0, want, title);
}

static void
enc_indent(const char *text, const char *want, const char *title)
{
	enc_n(text, strlen(text), 2, want, title);
}

/* The parse of text[0..len) must fail with exactly want and EX_DATAERR. */
static void
rej_n(const char *text, size_t len, const char *want, const char *title)
{
	struct json_doc d = { 0 };
	struct err e = { 0 };
	uint32_t root;
	int rc = json_parse(&d, text, len, &root, &e);
	int good = rc == -1 && e.code == EX_DATAERR && strcmp(e.msg, want) == 0;

	ok(good, title);
	if (!good) {
		printf("# got rc %d code %d: %s\n", rc, e.code, rc == -1 ? e.msg : "(accepted)");
		printf("# expected rc -1 code %d: %s\n", EX_DATAERR, want);
	}
	json_free(&d);
}

static void
rej(const char *text, const char *want)
{
	char title[256];

	snprintf(title, sizeof title, "reject %.150s", text);
	clean_title(title);
	rej_n(text, strlen(text), want, title);
}

/*
 * Invalid UTF-8: json.h promises every parse error as "invalid JSON at column N: what". Only the prefix is
 * pinned here (the wording after it is the library's choice), plus the mention of UTF-8.
 */
static void
rej_utf8(const char *text, size_t len, int column, const char *title)
{
	struct json_doc d = { 0 };
	struct err e = { 0 };
	uint32_t root;
	char prefix[64];
	int rc = json_parse(&d, text, len, &root, &e);
	int good;

	snprintf(prefix, sizeof prefix, "invalid JSON at column %d: ", column);
	good = rc == -1 && e.code == EX_DATAERR && strncmp(e.msg, prefix, strlen(prefix)) == 0 &&
	    strstr(e.msg, "UTF-8") != NULL;
	ok(good, title);
	if (!good) {
		printf("# got rc %d code %d: %s\n", rc, e.code, rc == -1 ? e.msg : "(accepted)");
		printf("# expected rc -1 code %d: %s... UTF-8 ...\n", EX_DATAERR, prefix);
	}
	json_free(&d);
}

static void
frepr(double v, const char *want)
{
	char out[40], title[128];
	size_t n = json_float_repr(v, out);

	snprintf(title, sizeof title, "float repr %s", want);
	same(out, n, want, strlen(want), title);
	if (strlen(out) != n) {
		ok(0, "json_float_repr returns the length of its NUL-terminated output");
	}
}

static void
estr(const char *s, size_t n, const char *want, const char *title)
{
	struct buf b = { 0 };

	json_encode_str(&b, s, n);
	same(b.p, b.len, want, strlen(want), title);
	buf_free(&b);
}

static void
number_text(const char *text, const char *want)
{
	struct json_doc d = { 0 };
	struct buf b = { 0 };
	struct err e;
	uint32_t root;
	char title[256];

	snprintf(title, sizeof title, "json_number_text %.150s", text);
	if (json_parse(&d, text, strlen(text), &root, &e) == -1) {
		ok(0, title);
		printf("# parse failed: %s\n", e.msg);
	} else {
		json_number_text(&b, &d, root);
		same(b.p, b.len, want, strlen(want), title);
	}
	buf_free(&b);
	json_free(&d);
}

/* json_str of the root string of text must be want[0..wlen). */
static void
decode(const char *text, const char *want, size_t wlen, const char *title)
{
	struct json_doc d = { 0 };
	struct err e;
	uint32_t root;
	size_t len;
	const char *s;

	if (json_parse(&d, text, strlen(text), &root, &e) == -1) {
		ok(0, title);
		printf("# parse failed: %s\n", e.msg);
	} else {
		s = json_str(&d, root, &len);
		same(s, len, want, wlen, title);
	}
	json_free(&d);
}

static int
equal(const char *a, const char *b)
{
	struct json_doc x = { 0 }, y = { 0 };
	struct err e;
	uint32_t i, j;
	int r;

	if (json_parse(&x, a, strlen(a), &i, &e) == -1 || json_parse(&y, b, strlen(b), &j, &e) == -1) {
		printf("# parse failed: %s\n", e.msg);
		r = -1;
	} else {
		r = json_value_equal(&x, i, &y, j);
	}
	json_free(&x);
	json_free(&y);
	return r;
}

static void
eq(const char *a, const char *b, int want)
{
	char title[256];
	int r = equal(a, b), r2 = equal(b, a);

	snprintf(title, sizeof title, "json_value_equal(%.80s, %.80s) is %s (and symmetric)", a, b, want ? "true" : "false");
	clean_title(title);
	ok(r == want && r2 == want, title);
	if (r != want || r2 != want)
		printf("# got %d one way and %d the other, expected %d\n", r, r2, want);
}

static char *
repeat(const char *open, size_t times, const char *middle, const char *close)
{
	size_t lo = strlen(open), lm = strlen(middle), lc = strlen(close);
	char *s = malloc(times * (lo + lc) + lm + 1), *p = s;

	for (size_t i = 0; i < times; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, middle, lm);
	p += lm;
	for (size_t i = 0; i < times; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

static void
test_strings(void)
{
	/* Every escape class, in values. */
	enc("\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\"", "\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\"");
	enc("\"\\u0000\\u0001\\u001f\\u007f\\u0080\\u00e9\\uffff\"",
	    "\"\\u0000\\u0001\\u001f\\u007f\\u0080\\u00e9\\uffff\"");
	/* Short escapes written as \u: Python decodes, then re-escapes the short way. */
	enc("\"\\u0008\\u000c\\u000a\\u000d\\u0009\\u0022\\u005c\\u002f\\u0041\"", "\"\\b\\f\\n\\r\\t\\\"\\\\/A\"");
	/* Upper-case hex in the input becomes lower-case. */
	enc("\"\\u00E9\\u00C9\\uABCD\"", "\"\\u00e9\\u00c9\\uabcd\"");
	/* Raw UTF-8: 2, 3 and 4 byte sequences; astral as a surrogate pair. */
	enc("\"\xc2\x80\xc3\xa9\xe2\x82\xac\xef\xbf\xbf\xf0\x9f\x98\x80\"",
	    "\"\\u0080\\u00e9\\u20ac\\uffff\\ud83d\\ude00\"");
	enc("\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\"");
	enc("\"\\uD83D\\uDE00\"", "\"\\ud83d\\ude00\"");
	enc("\"\xf4\x8f\xbf\xbf\"", "\"\\udbff\\udfff\"");
	/* Lone surrogate escapes are kept (Python keeps them). */
	enc("\"\\ud83d\"", "\"\\ud83d\"");
	enc("\"\\ude00\"", "\"\\ude00\"");
	enc("\"\\ude00\\ud83d\"", "\"\\ude00\\ud83d\"");
	enc("\"\\ud83d\\u0041\"", "\"\\ud83dA\"");
	enc("\"\\ud83dx\"", "\"\\ud83dx\"");
	/* / is never escaped; \/ decodes to it. */
	enc("\"a/b\\/c\"", "\"a/b/c\"");
	enc("\"\\u2028\\u2029\"", "\"\\u2028\\u2029\"");
	/* Mixed escapes and raw non-ASCII in one string. */
	enc("\"\\n\xc3\xa9\\u00e9x\"", "\"\\n\\u00e9\\u00e9x\"");
	/* U+007F (DEL) is escaped by Python's ensure_ascii, whether it came raw or as \u007f. */
	enc("\"\\u007f\"", "\"\\u007f\"");
	enc("\"a\x7f" "b\xc3\xa9\"", "\"a\\u007fb\\u00e9\"");
	enc("\"ok\x7f\"", "\"ok\\u007f\"");
	enc("[\"\x7f\"]", "[\"\\u007f\"]");
	enc("{\"k\x7f\": \"v\x7f\"}", "{\"k\\u007f\": \"v\\u007f\"}");
	enc("\"\"", "\"\"");

	/* json_encode_str: generalized UTF-8 in, Python ensure_ascii out. */
	estr("a\"\\/\n\r\t\b\f\x01\x1f\x7f", 12, "\"a\\\"\\\\/\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f\"",
	    "json_encode_str: every escape class");
	estr("x\0y", 3, "\"x\\u0000y\"", "json_encode_str: an embedded NUL");
	estr("\xc3\xa9\xef\xbf\xbf\xf0\x9f\x98\x80", 9, "\"\\u00e9\\uffff\\ud83d\\ude00\"",
	    "json_encode_str: BMP and astral");
	estr("\xed\xa0\xbd", 3, "\"\\ud83d\"", "json_encode_str: a lone surrogate in generalized UTF-8");
	estr("", 0, "\"\"", "json_encode_str: the empty string");

	/* json_str: decoding. */
	decode("\"a\\u00e9\\ud83d\\ude00\\/\\n\\\"\"", "a\xc3\xa9\xf0\x9f\x98\x80/\n\"", 10,
	    "json_str decodes escapes and joins surrogate pairs");
	decode("\"\\ud800\"", "\xed\xa0\x80", 3, "json_str: a lone surrogate becomes generalized UTF-8");
	decode("\"\\u0000z\"", "\0z", 2, "json_str: \\u0000 is a NUL byte inside the length");
	decode("\"\xc3\xa9t\xc3\xa9\"", "\xc3\xa9t\xc3\xa9", 5, "json_str: raw UTF-8 comes back as is");
	{
		struct json_doc d = { 0 };
		struct err e;
		uint32_t root;
		size_t len;
		const char *text = "\"plain\"";
		int good = json_parse(&d, text, strlen(text), &root, &e) == 0 &&
		    json_str(&d, root, &len) == text + 1 && len == 5;
		ok(good, "json_str returns an unescaped string in place (zero-copy)");
		good = json_str_eq(&d, root, "plain", 5) && !json_str_eq(&d, root, "plai", 4) &&
		    !json_str_eq(&d, root, "plainx", 6);
		ok(good, "json_str_eq");
		json_free(&d);
	}
	{
		struct json_doc d = { 0 };
		struct err e;
		uint32_t root;
		const char *text = "[\"\\u00e9\", 1]";
		int good = json_parse(&d, text, strlen(text), &root, &e) == 0 &&
		    json_str_eq(&d, root + 1, "\xc3\xa9", 2) && !json_str_eq(&d, root + 2, "1", 1);
		ok(good, "json_str_eq decodes escapes; a number is never equal to a string");
		json_free(&d);
	}
}

static void
test_numbers(void)
{
	/* Floats at every repr boundary: fixed iff -4 < decpt <= 16. */
	enc("1e16", "1e+16");
	enc("1e15", "1000000000000000.0");
	enc("9999999999999998.0", "9999999999999998.0");
	enc("9007199254740992.0", "9007199254740992.0");
	enc("1.1e16", "1.1e+16");
	enc("0.0001", "0.0001");
	enc("1e-4", "0.0001");
	enc("0.00001", "1e-05");
	enc("1.5e-05", "1.5e-05");
	enc("1.0e-7", "1e-07");
	enc("1.2345678901234568e+16", "1.2345678901234568e+16");
	enc("12345678901234567890.0", "1.2345678901234567e+19");
	enc("5e-324", "5e-324");
	enc("1e-323", "1e-323");
	enc("2.2250738585072014e-308", "2.2250738585072014e-308");
	enc("1.7976931348623157e+308", "1.7976931348623157e+308");
	enc("0.1", "0.1");
	enc("0.3", "0.3");
	enc("25.01", "25.01");
	enc("1620912331.1234567", "1620912331.1234567");
	enc("100.0", "100.0");
	enc("1e21", "1e+21");
	enc("1e22", "1e+22");
	enc("1e23", "1e+23");
	enc("0.5", "0.5");
	enc("-0.0", "-0.0");
	enc("-0e-0", "-0.0");
	enc("0e0", "0.0");
	enc("1E5", "100000.0");
	enc("1E+5", "100000.0");
	enc("1e400", "Infinity");
	enc("-1e400", "-Infinity");
	enc("1e-400", "0.0");
	enc("NaN", "NaN");
	enc("Infinity", "Infinity");
	enc("-Infinity", "-Infinity");
	enc("[NaN, Infinity, -Infinity]", "[NaN, Infinity, -Infinity]");
	enc("0.1000000000000000000000000000000000000000000001", "0.1");
	/* Ints of any size, kept exactly; -0 is 0; int and float stay apart. */
	enc("18446744073709551616", "18446744073709551616");
	enc("-18446744073709551617", "-18446744073709551617");
	enc("123456789012345678901234567890123456789012345678901234567890",
	    "123456789012345678901234567890123456789012345678901234567890");
	enc("-0", "0");
	enc("0", "0");
	enc("20", "20");
	enc("20.0", "20.0");
	enc("[20, 20.0, -0, -0.0]", "[20, 20.0, 0, -0.0]");

	/* json_float_repr directly, including the shortest-digits choice at powers of two. */
	frepr(1.0, "1.0");
	frepr(-0.0, "-0.0");
	frepr(1e16, "1e+16");
	frepr(1e15, "1000000000000000.0");
	frepr(0.0001, "0.0001");
	frepr(0.00001, "1e-05");
	frepr(2.0 / 3.0, "0.6666666666666666");
	frepr(NAN, "NaN");
	frepr(INFINITY, "Infinity");
	frepr(-INFINITY, "-Infinity");
	frepr(5e-324, "5e-324");
	frepr(123456789.0, "123456789.0");
	/*
	 * An exact power of two has a narrower rounding interval below than above, so the shortest digits that
	 * round-trip may lie above the correctly rounded 17-digit value: repr(2.0**-24) is 5.960464477539063e-08.
	 */
	frepr(ldexp(1, -24), "5.960464477539063e-08");
	frepr(ldexp(1, -44), "5.684341886080802e-14");
	frepr(ldexp(1, 89), "6.189700196426902e+26");
	frepr(-ldexp(1, 122), "-5.316911983139664e+36");
	enc("5.9604644775390625e-08", "5.960464477539063e-08");

	number_text("-0", "0");
	number_text("18446744073709551616", "18446744073709551616");
	number_text("1E5", "100000.0");
	number_text("1e400", "Infinity");
	number_text("NaN", "NaN");
	number_text("-Infinity", "-Infinity");
	number_text("25.010", "25.01");
	number_text("1.000000000000000000000000000000000000000000000000000000000000000000000001e2", "100.0");
}

static void
test_containers(void)
{
	/* Keys sorted by code point: ASCII, Latin-1, BMP, astral; the empty key first. */
	enc("{\"b\":1,\"a\":2,\"\xc3\xa9\":3,\"z\":4,\"\xf0\x9f\x98\x80\":5,\"\":6,\"A\":7,\"\\uffff\":8}",
	    "{\"\": 6, \"A\": 7, \"a\": 2, \"b\": 1, \"z\": 4, \"\\u00e9\": 3, \"\\uffff\": 8, \"\\ud83d\\ude00\": 5}");
	/* A lone surrogate (U+D83D) sorts below U+E000, which sorts below an astral character. */
	enc("{\"\\ud83d\\ude00\":3,\"\\ue000\":2,\"\\ud83d\":1}", "{\"\\ud83d\": 1, \"\\ue000\": 2, \"\\ud83d\\ude00\": 3}");
	/* An escaped key sorts by what it decodes to. */
	enc("{\"b\":1,\"\\u0061\":2}", "{\"a\": 2, \"b\": 1}");
	enc("{\"ab\":1,\"a\":2,\"a\\u0000\":3}", "{\"a\": 2, \"a\\u0000\": 3, \"ab\": 1}");
	/* Duplicate keys: the last one wins, whatever the spelling. */
	enc("{\"a\":1,\"a\":2}", "{\"a\": 2}");
	enc("{\"a\":1,\"b\":2,\"a\":3}", "{\"a\": 3, \"b\": 2}");
	enc("{\"a\":1,\"\\u0061\":[2]}", "{\"a\": [2]}");
	/* Nested objects, also inside arrays, are sorted. */
	enc("[{\"b\":1,\"a\":[{\"d\":1,\"c\":2}]},{}]", "[{\"a\": [{\"c\": 2, \"d\": 1}], \"b\": 1}, {}]");
	/* More than 16 members (the encoder's on-stack limit). */
	enc("{\"q\":17,\"p\":16,\"o\":15,\"n\":14,\"m\":13,\"l\":12,\"k\":11,\"j\":10,\"i\":9,\"h\":8,\"g\":7,"
	    "\"f\":6,\"e\":5,\"d\":4,\"c\":3,\"b\":2,\"a\":1,\"a\":0}",
	    "{\"a\": 0, \"b\": 2, \"c\": 3, \"d\": 4, \"e\": 5, \"f\": 6, \"g\": 7, \"h\": 8, \"i\": 9, \"j\": 10, "
	    "\"k\": 11, \"l\": 12, \"m\": 13, \"n\": 14, \"o\": 15, \"p\": 16, \"q\": 17}");
	enc("[]", "[]");
	enc("{}", "{}");
	enc("[[],{},[{}]]", "[[], {}, [{}]]");
	enc(" \t\r\n[ 1 ,\n2 ] \n", "[1, 2]");
	enc("{ \"a\" : [ true , false , null ] }", "{\"a\": [true, false, null]}");
	enc("true", "true");
	enc("false", "false");
	enc("null", "null");

	/* indent=2, separators=(", ", ": "): lines end in ", ", closers on their own line, no final newline. */
	enc_indent("{\"b\":[1,2,{\"y\":[],\"x\":{}}],\"a\":\"\xc3\xa9\",\"c\":{\"k\":null}}",
	    "{\n"
	    "  \"a\": \"\\u00e9\", \n"
	    "  \"b\": [\n"
	    "    1, \n"
	    "    2, \n"
	    "    {\n"
	    "      \"x\": {}, \n"
	    "      \"y\": []\n"
	    "    }\n"
	    "  ], \n"
	    "  \"c\": {\n"
	    "    \"k\": null\n"
	    "  }\n"
	    "}", "indent=2: nested object");
	enc_indent("[]", "[]", "indent=2: an empty array stays inline");
	enc_indent("{}", "{}", "indent=2: an empty object stays inline");
	enc_indent("[1]", "[\n  1\n]", "indent=2: one element");
	enc_indent("\"x\"", "\"x\"", "indent=2: a scalar");
	enc_indent("{\"a\":1,\"a\":2,\"b\":3}", "{\n  \"a\": 2, \n  \"b\": 3\n}", "indent=2: duplicate keys");
	enc_indent("[[1,[2]],{\"k\":[]}]",
	    "[\n  [\n    1, \n    [\n      2\n    ]\n  ], \n  {\n    \"k\": []\n  }\n]",
	    "indent=2: arrays in arrays");

	/* Several values appended to one doc; a subtree encodes on its own. */
	{
		struct json_doc d = { 0 };
		struct buf b = { 0 };
		struct err e;
		uint32_t r1, r2;
		int good = json_parse(&d, "{\"z\":1}", 7, &r1, &e) == 0 && json_parse(&d, "[{\"y\":2,\"x\":1}]", 15, &r2, &e) == 0;
		if (good) {
			json_encode(&b, &d, r2 + 1, 0);
			buf_add(&b, "|", 1);
			json_encode(&b, &d, r1, 0);
		}
		ok(good && r1 == 0 && r2 == 3, "json_parse appends to a doc and returns each root");
		same(b.p, b.len, "{\"x\": 1, \"y\": 2}|{\"z\": 1}", 25, "encode a subtree and an earlier root");
		buf_free(&b);
		json_free(&d);
	}
	/* json_parse_copy: the text may go away. */
	{
		struct json_doc d = { 0 };
		struct buf b = { 0 };
		struct err e;
		uint32_t r;
		char text[] = "{\"k\":\"v\\n\"}";
		int good = json_parse_copy(&d, text, strlen(text), &r, &e) == 0;
		memset(text, 'x', strlen(text));
		if (good)
			json_encode(&b, &d, r, 0);
		same(b.p, b.len, "{\"k\": \"v\\n\"}", 12, "json_parse_copy does not keep pointers into the caller's text");
		buf_free(&b);
		json_free(&d);
	}
	/* json_reset keeps working after reuse. */
	{
		struct json_doc d = { 0 };
		struct buf b = { 0 };
		struct err e;
		uint32_t r = 99;
		int good = json_parse(&d, "[1,2,3]", 7, &r, &e) == 0;
		json_reset(&d);
		good = good && json_parse(&d, "{\"\\u0062\":1}", 12, &r, &e) == 0 && r == 0 && d.n == 3;
		if (good)
			json_encode(&b, &d, r, 0);
		same(b.p, b.len, "{\"b\": 1}", 8, "json_reset: the next parse starts at node 0");
		ok(good, "json_reset: root and node count");
		buf_free(&b);
		json_free(&d);
	}
}

static void
test_lookup(void)
{
	struct json_doc d = { 0 };
	struct err e;
	uint32_t r, v;
	const char *text = "{\"a\":1,\"b\":2,\"a\":3,\"\\u00e9\\u0074\":4,\"x\\u0000y\":5}";

	if (json_parse(&d, text, strlen(text), &r, &e) == -1) {
		ok(0, "json_get document parses");
		printf("# %s\n", e.msg);
		json_free(&d);
		return;
	}
	v = json_get(&d, r, "a", 1);
	ok(v != 0 && d.nodes[v].type == JV_INT && d.nodes[v].len == 1 && d.nodes[v].p[0] == '3',
	    "json_get: the last duplicate wins");
	v = json_get(&d, r, "\xc3\xa9t", 3);
	ok(v != 0 && d.nodes[v].p[0] == '4', "json_get: an escaped key matches its decoded UTF-8");
	v = json_get(&d, r, "x\0y", 3);
	ok(v != 0 && d.nodes[v].p[0] == '5', "json_get: a key with \\u0000");
	ok(json_get(&d, r, "c", 1) == 0 && json_get(&d, r, "", 0) == 0 && json_get(&d, r, "ab", 2) == 0,
	    "json_get: absent keys give 0");
	ok(json_get(&d, r + 2, "a", 1) == 0, "json_get on a non-object gives 0");
	ok(d.nodes[r].type == JV_OBJECT && d.nodes[r].count == 5 && d.nodes[r].next == d.n,
	    "object node: count of members (duplicates counted) and next");
	json_free(&d);

	text = "[[1,2],{\"k\":[]},\"s\"]";
	if (json_parse(&d, text, strlen(text), &r, &e) == 0) {
		const struct json_node *n = d.nodes;
		ok(n[0].type == JV_ARRAY && n[0].count == 3 && n[0].len == strlen(text) && n[1].count == 2 &&
		    n[1].next == 4 && n[4].type == JV_OBJECT && n[4].count == 1 && n[4].next == 7 &&
		    n[7].type == JV_STRING && n[7].len == 1, "array nodes: count, len and next");
	} else {
		ok(0, "array nodes parse");
	}
	json_free(&d);

	ok(json_keycmp("a", 1, "b", 1) < 0 && json_keycmp("b", 1, "a", 1) > 0, "json_keycmp: ASCII");
	ok(json_keycmp("a", 1, "ab", 2) < 0 && json_keycmp("ab", 2, "a", 1) > 0, "json_keycmp: a prefix sorts first");
	ok(json_keycmp("\xc3\xa9", 2, "z", 1) > 0, "json_keycmp: U+00E9 after z");
	ok(json_keycmp("\xef\xbf\xbf", 3, "\xf0\x9f\x98\x80", 4) < 0, "json_keycmp: U+FFFF before U+1F600");
	ok(json_keycmp("\xed\xa0\xbd", 3, "\xee\x80\x80", 3) < 0, "json_keycmp: lone U+D83D before U+E000");
	ok(json_keycmp("k", 1, "k", 1) == 0 && json_keycmp("", 0, "", 0) == 0, "json_keycmp: equal keys");
}

static void
test_rejects(void)
{
	/* Truncated input. */
	rej("[1, 2", "invalid JSON at column 6: unexpected end of input");
	rej("{\"a\": 1", "invalid JSON at column 8: unexpected end of input");
	rej("{\"a\":", "invalid JSON at column 6: unexpected end of input");
	rej("{\"a\"", "invalid JSON at column 5: expected ':'");
	rej("[", "invalid JSON at column 2: unexpected end of input");
	rej("", "invalid JSON at column 1: no value");
	rej("   ", "invalid JSON at column 4: no value");
	/* Trailing commas. */
	rej("[1,]", "invalid JSON at column 4: expected a value");
	rej("{\"a\":1,}", "invalid JSON at column 8: expected a string key");
	/* Bad literals. */
	rej("tru", "invalid JSON at column 1: invalid literal");
	rej("[nul]", "invalid JSON at column 2: invalid literal");
	rej("falsy", "invalid JSON at column 1: invalid literal");
	rej("truex", "invalid JSON at column 5: unexpected text after the value");
	rej("nan", "invalid JSON at column 1: invalid literal");
	rej("-NaN", "invalid JSON at column 2: invalid number");
	rej("infinity", "invalid JSON at column 1: expected a JSON value");
	rej("undefined", "invalid JSON at column 1: expected a JSON value");
	/* Bad numbers. */
	rej("01", "invalid JSON at column 2: unexpected text after the value");
	rej("-", "invalid JSON at column 2: invalid number");
	rej("1.", "invalid JSON at column 3: invalid number");
	rej("1e", "invalid JSON at column 3: invalid number");
	rej("1e+", "invalid JSON at column 4: invalid number");
	rej(".5", "invalid JSON at column 1: expected a JSON value");
	rej("+1", "invalid JSON at column 1: expected a JSON value");
	rej("[0x10]", "invalid JSON at column 3: expected ',' or ']'");
	/* Structure. */
	rej("[1 2]", "invalid JSON at column 4: expected ',' or ']'");
	rej("{\"a\":1 \"b\":2}", "invalid JSON at column 8: expected ',' or '}'");
	rej("{\"a\" 1}", "invalid JSON at column 6: expected ':'");
	rej("{1:2}", "invalid JSON at column 2: expected a string key");
	rej("{'a':1}", "invalid JSON at column 2: expected a string key");
	rej("]", "invalid JSON at column 1: expected a JSON value");
	rej("[}", "invalid JSON at column 2: expected a value");
	rej("{]", "invalid JSON at column 2: expected a string key");
	rej("[1] x", "invalid JSON at column 5: unexpected text after the value");
	rej("[1][2]", "invalid JSON at column 4: unexpected text after the value");
	/* Strings. */
	rej("\"abc", "invalid JSON at column 5: unterminated string");
	rej("[\"abc\\\"]", "invalid JSON at column 9: unterminated string");
	rej("\"abc\\", "invalid JSON at column 5: unterminated string");
	rej("\"a\tb\"", "invalid JSON at column 3: control character in string");
	rej("\"a\nb\"", "invalid JSON at column 3: control character in string");
	rej("\"\x01\"", "invalid JSON at column 2: control character in string");
	rej("{\"k\x1f\":1}", "invalid JSON at column 4: control character in string");
	rej("\"ab\\qc\"", "invalid JSON at column 4: invalid escape in string");
	rej("\"\\x41\"", "invalid JSON at column 2: invalid escape in string");
	rej("\"\\'\"", "invalid JSON at column 2: invalid escape in string");
	rej("\"\\u12\"", "invalid JSON at column 2: invalid \\u escape");
	rej("\"\\uZZZZ\"", "invalid JSON at column 2: invalid \\u escape");
	rej("\"\\u00e", "invalid JSON at column 2: invalid \\u escape");
	/* A raw NUL inside a string is a control character too. */
	rej_n("\"a\0b\"", 5, "invalid JSON at column 3: control character in string", "reject a raw NUL in a string");
	/* A NUL after the value is extra text, not the end. */
	rej_n("[1]\0", 4, "invalid JSON at column 4: unexpected text after the value", "reject a NUL after the value");

	/* Invalid UTF-8 inside strings (values and keys). */
	rej_utf8("\"\xc0\x80\"", 4, 2, "reject overlong UTF-8 (C0 80)");
	rej_utf8("\"\xe0\x80\x80\"", 5, 2, "reject overlong UTF-8 (E0 80 80)");
	rej_utf8("\"\xf0\x80\x80\x80\"", 6, 2, "reject overlong UTF-8 (F0 80 80 80)");
	rej_utf8("\"\xed\xa0\x80\"", 5, 2, "reject a surrogate encoded in UTF-8 (ED A0 80)");
	rej_utf8("\"\xe2\x82\"", 4, 2, "reject a truncated UTF-8 sequence before the quote");
	rej_utf8("\"\xe2\x82", 3, 2, "reject a truncated UTF-8 sequence at the end of input");
	rej_utf8("\"\xff\"", 3, 2, "reject byte FF");
	rej_utf8("\"\x80\"", 3, 2, "reject a lone continuation byte");
	rej_utf8("\"\xf4\x90\x80\x80\"", 6, 2, "reject a code point above U+10FFFF");
	rej_utf8("{\"ab\xc3\":1}", 9, 5, "reject invalid UTF-8 in a key");
	rej_utf8("[\"ok\", \"x\xc3\xa9\xc3\"]", 14, 12, "reject invalid UTF-8 after valid UTF-8");
	/* Outside a string a non-ASCII byte is just not JSON. */
	rej("\xff", "invalid JSON at column 1: expected a JSON value");

	/* Nesting: 10000 levels are fine, 10001 are not. */
	{
		char *deep = repeat("[", 10000, "", "]");
		enc_n(deep, strlen(deep), 0, deep, "10000 nested arrays parse and encode");
		free(deep);
		deep = repeat("[", 10001, "", "]");
		rej_n(deep, strlen(deep), "invalid JSON at column 10001: nesting deeper than 10000 levels",
		    "reject 10001 nested arrays");
		free(deep);
		deep = repeat("{\"a\":", 10001, "1", "}");
		rej_n(deep, strlen(deep), "invalid JSON at column 50001: nesting deeper than 10000 levels",
		    "reject 10001 nested objects");
		free(deep);
		char *in = repeat("{\"a\":", 10000, "1", "}"), *want = repeat("{\"a\": ", 10000, "1", "}");
		enc_n(in, strlen(in), 0, want, "10000 nested objects parse and encode");
		ok(equal(in, want) == 1, "json_value_equal on 10000 nested objects");
		free(in);
		free(want);
	}
}

static void
test_equal(void)
{
	eq("1", "1.0", 1);
	eq("1", "1", 1);
	eq("-0", "0", 1);
	eq("0.0", "-0.0", 1);
	eq("1E2", "100", 1);
	eq("18446744073709551616", "18446744073709551616", 1);
	eq("18446744073709551616", "18446744073709551617", 0);
	eq("1", "\"1\"", 0);
	eq("1", "2", 0);
	eq("\"\xc3\xa9\"", "\"\\u00e9\"", 1);
	eq("\"a\"", "\"b\"", 0);
	eq("null", "null", 1);
	eq("null", "false", 0);
	eq("true", "true", 1);
	eq("true", "false", 0);
	eq("[1,2]", "[1,2]", 1);
	eq("[1,2]", "[2,1]", 0);
	eq("[1,2]", "[1,2,3]", 0);
	eq("[]", "{}", 0);
	eq("{\"a\":1,\"b\":[2,{\"c\":3}]}", "{\"b\":[2.0,{\"c\":3}],\"a\":1}", 1);
	eq("{\"a\":1}", "{\"a\":1,\"b\":2}", 0);
	eq("{\"a\":1,\"a\":2}", "{\"a\":2}", 1);
	eq("{\"a\":1,\"a\":2}", "{\"a\":1}", 0);
	eq("{\"\\u0061\":1}", "{\"a\":1}", 1);
	eq("Infinity", "1e400", 1);
	eq("NaN", "NaN", 0);
	/* Python: True == 1 and False == 0.0 (bool is an int subclass), so {"a": true} == {"a": 1}. */
	eq("true", "1", 1);
	eq("false", "0.0", 1);
	eq("{\"a\":true}", "{\"a\":1}", 1);
	/* Python compares int and float exactly: 2**64 + 1 != float(2**64). */
	eq("18446744073709551617", "18446744073709551616.0", 0);
	/* Long number texts are compared by value, not by their first 63 characters. */
	eq("10000000000000000000000000000000000000000000000000000000000000000000000.0", "1e62", 0);
	eq("10000000000000000000000000000000000000000000000000000000000000000000000.0", "1e70", 1);
}

static void
pystr(const char *text, const char *want)
{
	struct json_doc d = { 0 };
	struct buf b = { 0 };
	struct err e;
	uint32_t root;
	char title[256];

	snprintf(title, sizeof title, "json_python_str %.150s", text);
	clean_title(title);
	if (json_parse(&d, text, strlen(text), &root, &e) == -1) {
		ok(0, title);
		printf("# parse failed: %s\n", e.msg);
	} else {
		json_python_str(&b, &d, root);
		same(b.p ? b.p : "", b.len, want, strlen(want), title);
	}
	buf_free(&b);
	json_free(&d);
}

/* Python str(json.loads(text)), as csv.writer writes a cell. */
static void
test_python_str(void)
{
	pystr("\"a\u00e9\"", "a\xc3\xa9");
	pystr("1.0", "1.0");
	pystr("-0", "0");
	pystr("1E5", "100000.0");
	pystr("true", "True");
	pystr("false", "False");
	pystr("null", "");
	pystr("[1, \"a\", null, true, 2.5, {\"k\": \"v\"}]", "[1, 'a', None, True, 2.5, {'k': 'v'}]");
	/* Dicts keep insertion order; a duplicate key keeps its first place and its last value. */
	pystr("{\"b\": 1, \"a\": [\"x\"], \"b\": 2}", "{'b': 2, 'a': ['x']}");
	pystr("[\"it's\"]", "[\"it's\"]");
	pystr("[\"it's \\\"q\\\"\"]", "['it\\'s \"q\"']");
	pystr("[\"\\u007f\\u0085\\u00e9\\n\\t\\\\\"]", "['\\x7f\\x85\xc3\xa9\\n\\t\\\\']");
	pystr("[\"\\u0000\"]", "['\\x00']");
	pystr("[\"\\ud83d\\ude00\"]", "['\xf0\x9f\x98\x80']");
	pystr("[\"\\ud800\"]", "['\\ud800']");
	/* repr escapes every non-printable code point (str.isprintable), not only C0/C1 controls. */
	pystr("[\"a\\u00a0b\"]", "['a\\xa0b']");
	pystr("[\"\\u00ad\"]", "['\\xad']");
	pystr("[\"\\u2028\"]", "['\\u2028']");
	pystr("[\"\\u200b\"]", "['\\u200b']");
}

int
main(void)
{
	test_strings();
	test_numbers();
	test_containers();
	test_lookup();
	test_rejects();
	test_equal();
	test_python_str();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
