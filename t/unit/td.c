/*
 * td unit test: TracedData hashes, the latest view, appending one entry, verification and flush_history,
 * against CoreDataModules v0.15.2. Expected bytes come from running that version's traced_data.py on the same
 * inputs (coredata.md §1-§2); the fixture lines are json_export_expected.json from its tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/json.h"
#include "record/sha.h"
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

static void
show(const char *label, const char *s, size_t n)
{
	printf("# %s: ", label);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\n");
}

static int
same(const char *got, size_t glen, const char *want, const char *title)
{
	size_t wlen = strlen(want);
	int good = got != NULL && glen == wlen && memcmp(got, want, glen) == 0;

	ok(good, title);
	if (!good) {
		show("got", got ? got : "(null)", got ? glen : 6);
		show("expected", want, wlen);
	}
	return good;
}

static int
same_str(const char *got, const char *want, const char *title)
{
	return same(got, got ? strlen(got) : 0, want, title);
}

/* The fixture json_export_expected.json, line by line (sha256 of the whole file: §2.8). */
static const char *const fixture[5] = {
	"[{\"Data\": {\"Gender\": \"female\", \"URN\": \"+0012345000000\"}, "
	"\"Metadata\": {\"Source\": \"data_generator\", \"Timestamp\": 0, \"User\": \"test_user\"}, "
	"\"NestedTracedData\": {}, \"SHA\": \"c28dbf6c83e40b8cbcc4ef3133abe0c634fef85c90505c46ccb1f12dd27"
	"35abe\"}]",
	"[{\"Data\": {\"Gender\": \"f\", \"Gender_Coded\": \"Female\"}, "
	"\"Metadata\": {\"Source\": \"gender_coder\", \"Timestamp\": 10, \"User\": \"test_user\"}, "
	"\"NestedTracedData\": {}, \"SHA\": \"4ab227ee6e4daeb5fcd8a0265326f9e7d06691e3545d2bcc52f338cd3e7"
	"2a89c\"}, {\"Data\": {\"Gender\": \"m\", \"URN\": \"+0012345000001\"}, "
	"\"Metadata\": {\"Source\": \"data_generator\", \"Timestamp\": 1, \"User\": \"test_user\"}, "
	"\"NestedTracedData\": {}, \"SHA\": \"51480dd25b6bfd705ba2e098c2d96232bdc7f97cbb9d5fcbf2c5047ed3f"
	"cdf5b\"}]",
	"[{\"Data\": {}, \"Metadata\": {\"Source\": \"age_merger\", \"Timestamp\": 12, "
	"\"User\": \"test_user\"}, \"NestedTracedData\": {\"Age_Data\": [{\"Data\": {\"age\": 4}, "
	"\"Metadata\": {\"Source\": \"age_generator\", \"Timestamp\": 11, \"User\": \"test_user\"}, "
	"\"NestedTracedData\": {}, \"SHA\": \"d4f349e94538661145f97c4bc699ef9cd91d37c5f312e015907185a2399"
	"c1079\"}]}, \"SHA\": \"5e8a4d1d37685d4261f8842c0a57ae3e519d588e7399472b3e8d320bdcd94fa5\"}, "
	"{\"Data\": {\"Gender\": \"WoMaN\", \"URN\": \"+0012345000002\"}, "
	"\"Metadata\": {\"Source\": \"data_generator\", \"Timestamp\": 2, \"User\": \"test_user\"}, "
	"\"NestedTracedData\": {}, \"SHA\": \"81cb41b0e6b9d35a4338fc773d5528813f6038fdabb71f787b9679a4bca"
	"2a0ea\"}]",
	"[{\"Data\": {\"Gender\": \"27\", \"URN\": \"+0012345000003\"}, "
	"\"Metadata\": {\"Source\": \"data_generator\", \"Timestamp\": 3, \"User\": \"test_user\"}, "
	"\"NestedTracedData\": {}, \"SHA\": \"6d821e4d845f9e24096204e8051fb95c440b3081103ea844507918e9121"
	"1b861\"}]",
	"[{\"Data\": {\"Gender\": \"female\", \"URN\": \"+0012345000004\"}, "
	"\"Metadata\": {\"Source\": \"data_generator\", \"Timestamp\": 4, \"User\": \"test_user\"}, "
	"\"NestedTracedData\": {}, \"SHA\": \"a50ef925e51c50d0fa83fa5004a38dbe7c19b5805879af8d5fe66967586"
	"d1ec1\"}]",
};

static const struct td_meta meta = {
	.user = "test@tdtools",
	.source = "td-test 0.1",
	.timestamp = "2020-09-13T12:26:40.000000+00:00",
};

#define SHA_TEST "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static int
parse(struct td *t, const char *line, const char *what)
{
	struct err e;

	if (td_parse(t, line, strlen(line), &e) == 0)
		return 0;
	ok(0, what);
	printf("# td_parse failed: %s\n", e.msg);
	return -1;
}

/* td_write(form) of a record, without its final newline checked separately. */
static void
check_write(struct td *t, enum td_form form, const char *want, const char *title)
{
	struct buf b = { 0 };

	td_write(t, &b, form, &meta);
	if (b.len > 0 && b.p[b.len - 1] == '\n')
		same(b.p, b.len - 1, want, title);
	else {
		ok(0, title);
		printf("# td_write did not end the record with a newline\n");
	}
	buf_free(&b);
}

/* Visible items as a JSON list of [key, value] pairs, encoded canonically, in view order. */
static void
items_json(struct td *t, struct buf *b)
{
	const struct td_item *it;
	size_t cur = 0;
	int first = 1;

	buf_addc(b, '[');
	while (td_next_item(t, &cur, &it)) {
		if (!first)
			buf_add(b, ", ", 2);
		first = 0;
		buf_addc(b, '[');
		json_encode_str(b, it->key, it->klen);
		buf_add(b, ", ", 2);
		json_encode(b, it->val.doc, it->val.idx, 0);
		buf_addc(b, ']');
	}
	buf_addc(b, ']');
}

static void
check_items(struct td *t, const char *want, const char *title)
{
	struct buf b = { 0 };

	items_json(t, &b);
	same(b.p, b.len, want, title);
	buf_free(&b);
}

/* td_verify must pass (want == NULL) or fail with EX_DATAERR and exactly want. */
static void
check_verify(const char *line, const char *want, const char *title)
{
	struct td t = { 0 };
	struct err e = { 0 };
	int rc;

	if (parse(&t, line, title) == -1) {
		td_free(&t);
		return;
	}
	rc = td_verify(&t, &e);
	if (want == NULL) {
		ok(rc == 0, title);
		if (rc != 0)
			printf("# td_verify: %s\n", e.msg);
	} else {
		int good = rc == -1 && e.code == EX_DATAERR && strcmp(e.msg, want) == 0;
		ok(good, title);
		if (!good) {
			printf("# got rc %d code %d: %s\n", rc, e.code, rc ? e.msg : "(verified)");
			printf("# expected: %s\n", want);
		}
	}
	td_free(&t);
}

/* Replace the first occurrence of from by to in line (a new string). */
static char *
tamper(const char *line, const char *from, const char *to)
{
	const char *at = strstr(line, from);
	size_t n = strlen(line), lf = strlen(from), lt = strlen(to);
	char *s;

	if (at == NULL)
		return NULL;
	s = malloc(n - lf + lt + 1);
	memcpy(s, line, (size_t)(at - line));
	memcpy(s + (at - line), to, lt);
	strcpy(s + (at - line) + lt, at + lf);
	return s;
}

static void
test_sha(void)
{
	char out[SHA_HEX_LEN + 1];
	struct json_doc d = { 0 };
	struct buf b = { 0 };
	struct err e;
	uint32_t root;
	const char *dict = "{\"c\": 4.2, \"b\": false, \"a\": \"abcd\"}";

	sha256_hex("test", 4, out);
	same_str(out, SHA_TEST, "sha_string(\"test\")");
	sha256_hex("", 0, out);
	same_str(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha_string(\"\")");
	{
		struct sha_ctx *c = sha_begin();
		sha_update(c, "te", 2);
		sha_update(c, "", 0);
		sha_update(c, "st", 2);
		sha_end(c, out);
		same_str(out, SHA_TEST, "sha_begin/update/end in pieces");
	}
	if (json_parse(&d, dict, strlen(dict), &root, &e) == 0) {
		json_encode(&b, &d, root, 0);
		same(b.p, b.len, "{\"a\": \"abcd\", \"b\": false, \"c\": 4.2}", "stringify_dict example");
		sha256_hex(b.p, b.len, out);
		same_str(out, "0aa016c7af66da04cbfaf6a2e1a861f99213e094e4ce2e01e04945d85185bad4", "sha_dict example");
	} else {
		ok(0, "stringify_dict example parses");
	}
	json_free(&d);
	buf_free(&b);

	/* The hash of an entry: a flat record written traced gets one entry hashed with prev_sha "". */
	{
		struct td t = { 0 };
		if (parse(&t, "{\"age\": 20, \"phone\": \"+441632000001\"}", "flat age/phone parses") == 0) {
			check_write(&t, TD_TRACED,
	    "[{\"Data\": {\"age\": 20, \"phone\": \"+441632000001\"}, "
	    "\"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\","
	    " \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"5e106f6389b42724efb754067be30d67473ce7f443464c565a8e4d57e62d1fd3\"}]",
			    "{\"age\": 20, \"phone\": \"+441632000001\"} with prev \"\": 5e106f63...");
		}
		td_free(&t);
	}
	/* The same data appended on top of an entry whose SHA is sha("test"): the SHA recorded there is prev_sha. */
	{
		struct td t = { 0 };
		struct err e2;
		const char *base = "[{\"Data\": {}, \"Metadata\": {\"Source\": \"s\", \"Timestamp\": 0, \"User\": \"u\"}, "
		    "\"NestedTracedData\": {}, \"SHA\": \"" SHA_TEST "\"}]";
		if (parse(&t, base, "sha(test) base parses") == 0) {
			int good = td_set_json(&t, "age", 3, "20", 2, &e2) == 0;
			struct td w = { 0 };
			struct buf b2 = { 0 };
			size_t len;
			td_set_str(&t, "phone", 5, "+441632000001", 13);
			ok(good && td_nchanges(&t) == 2, "td_set_json and td_set_str record two changes");
			td_write(&t, &b2, TD_TRACED, &meta);
			if (b2.len && td_parse(&w, b2.p, b2.len - 1, &e2) == 0) {
				const char *s = td_sha(&w, &len);
				same(s, len, "7e7f3e31168dd8587dac8a58858b17d7644c21400b91ae000f3fcb0f6f8017d4",
				    "{\"age\": 20, \"phone\": \"+441632000001\"} with prev sha(\"test\"): 7e7f3e31...");
			} else {
				ok(0, "the written record parses");
			}
			td_free(&w);
			buf_free(&b2);
		}
		td_free(&t);
	}
	/* The nested example of §2.2 (fixture line 3). */
	{
		struct td t = { 0 };
		size_t len;
		if (parse(&t, fixture[2], "fixture line 3 parses") == 0) {
			const char *s = td_sha(&t, &len);
			same(s, len, "5e8a4d1d37685d4261f8842c0a57ae3e519d588e7399472b3e8d320bdcd94fa5", "td_sha of fixture line 3");
		}
		td_free(&t);
		check_verify(fixture[2], NULL, "td_verify: fixture line 3 (nested d4f349e9... under 81cb41b0... -> 5e8a4d1d...)");
	}
	/* A flat {"age": 4} nested under the older entry of line 3 reproduces the same two SHAs. */
	{
		struct td t = { 0 }, other = { 0 };
		struct err e2;
		const char *older = "[{\"Data\": {\"Gender\": \"WoMaN\", \"URN\": \"+0012345000002\"}, "
	    "\"Metadata\": {\"Source\": \"data_generator\", \"Timestamp\": 2, \"User\": \"test_user\"}, "
	    "\"NestedTracedData\": {}, \"SHA\": \"81cb41b0e6b9d35a4338fc773d5528813f6038fdabb71f787b9679a4bca"
	    "2a0ea\"}]";
		if (parse(&t, older, "older entry parses") == 0 && parse(&other, "{\"age\": 4}", "flat age parses") == 0) {
			int rc = td_nest(&t, "Age_Data", 8, &other, &meta, &e2);
			ok(rc == 0, "td_nest of a flat record");
			check_write(&t, TD_TRACED,
	    "[{\"Data\": {}, \"Metadata\": {\"Source\": \"td-test 0.1\", "
	    "\"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\", \"User\": \"test@tdtools\"}, "
	    "\"NestedTracedData\": {\"Age_Data\": [{\"Data\": {\"age\": 4}, "
	    "\"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\","
	    " \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"d4f349e94538661145f97c4bc699ef9cd91d37c5f312e015907185a2399c1079\"}]}, "
	    "\"SHA\": \"5e8a4d1d37685d4261f8842c0a57ae3e519d588e7399472b3e8d320bdcd94fa5\"}, "
	    "{\"Data\": {\"Gender\": \"WoMaN\", \"URN\": \"+0012345000002\"}, "
	    "\"Metadata\": {\"Source\": \"data_generator\", \"Timestamp\": 2, \"User\": \"test_user\"}, "
	    "\"NestedTracedData\": {}, \"SHA\": \"81cb41b0e6b9d35a4338fc773d5528813f6038fdabb71f787b9679a4bca"
	    "2a0ea\"}]",
			    "td_nest(flat {\"age\": 4}) gives d4f349e9... nested and 5e8a4d1d... on top");
		}
		td_free(&t);
		td_free(&other);
	}
	for (int i = 0; i < 5; i++) {
		char title[64];
		snprintf(title, sizeof title, "td_verify: fixture line %d", i + 1);
		check_verify(fixture[i], NULL, title);
	}
	/* Non-canonical text still verifies: the hash is over Python's encoding of the values. */
	check_verify("[ {\"SHA\":\"5883a5e1634574e2f5fb9ff6314200d2adb66e849964707ae026d5688fc75275\",\"NestedTracedData\":{},"
	    "\"Metadata\":{\"User\":\"u\",\"Timestamp\":1.5,\"Source\":\"s\"},\"Data\":{\"n\":1E5}} ]", NULL,
	    "td_verify: keys in any order, no spaces, 1E5 hashed as 100000.0");
}

static void
test_view(void)
{
	struct td t = { 0 };
	const struct td_val *v;
	size_t len;
	const char *s;

	/* Tombstones, a tombstone of an absent key, and a key set again after deletion moving to the end. */
	if (parse(&t, "[{\"Data\": {\"a\": 6, \"b\": 5}, \"Metadata\": {\"Source\": \"s\", \"Timestamp\": 3, "
	    "\"User\": \"u\"}, \"NestedTracedData\": {}, \"SHA\": \"0cb0bbbdd20d26da8fcee609c929fe991d551f33b"
	    "eeb7bfa3643341098f83fd0\"}, {\"Data\": {\"d\": 4}, \"Metadata\": {\"Source\": \"s\", "
	    "\"Timestamp\": 2, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"b9b4bf90f0f4a2fde4e5c053abc4a0b00c29c3ac24fb6c5f6f26db4e942ae143\"}, "
	    "{\"Data\": {\"b\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0\", "
	    "\"zz\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0\"}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 1, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"66343369620a8d7c1b306d66c2c59bcc2331c4f9c96cab4ae4edce2db2a29cd2\"}, "
	    "{\"Data\": {\"a\": 1, \"b\": 2, \"c\": 3}, \"Metadata\": {\"Source\": \"s\", \"Timestamp\": 0, "
	    "\"User\": \"u\"}, \"NestedTracedData\": {}, \"SHA\": \"351e9f406fb9c31fbde2770641af4e95317a29b6e"
	    "9c35f8bd182d32ec7fb7f2a\"}]", "R1 parses") == 0) {
		check_items(&t, "[[\"a\", 6], [\"c\", 3], [\"d\", 4], [\"b\", 5]]", "latest view: deletion, re-insertion at the end, value updated in place");
		ok(td_get(&t, "zz", 2) == NULL, "td_get: a key hidden before it existed stays absent");
		v = td_get(&t, "a", 1);
		ok(v != NULL && v->doc->nodes[v->idx].type == JV_INT && v->doc->nodes[v->idx].p[0] == '6', "td_get: newest value");
		ok(td_get_str(&t, "a", 1, &len) == NULL, "td_get_str of an int is NULL");
		check_write(&t, TD_FLAT, "{\"a\": 6, \"c\": 3, \"d\": 4, \"b\": 5}", "td_write flat: Python dict order");
		check_verify("[{\"Data\": {\"a\": 6, \"b\": 5}, \"Metadata\": {\"Source\": \"s\", \"Timestamp\": 3, "
	    "\"User\": \"u\"}, \"NestedTracedData\": {}, \"SHA\": \"0cb0bbbdd20d26da8fcee609c929fe991d551f33b"
	    "eeb7bfa3643341098f83fd0\"}, {\"Data\": {\"d\": 4}, \"Metadata\": {\"Source\": \"s\", "
	    "\"Timestamp\": 2, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"b9b4bf90f0f4a2fde4e5c053abc4a0b00c29c3ac24fb6c5f6f26db4e942ae143\"}, "
	    "{\"Data\": {\"b\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0\", "
	    "\"zz\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0\"}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 1, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"66343369620a8d7c1b306d66c2c59bcc2331c4f9c96cab4ae4edce2db2a29cd2\"}, "
	    "{\"Data\": {\"a\": 1, \"b\": 2, \"c\": 3}, \"Metadata\": {\"Source\": \"s\", \"Timestamp\": 0, "
	    "\"User\": \"u\"}, \"NestedTracedData\": {}, \"SHA\": \"351e9f406fb9c31fbde2770641af4e95317a29b6e"
	    "9c35f8bd182d32ec7fb7f2a\"}]", NULL, "td_verify: R1");
	}
	td_free(&t);

	/* Nested TracedData (two levels), hidden keys inside and outside the nested record. */
	if (parse(&t, "[{\"Data\": {\"y\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0\"}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 5, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"4524ea1d2ad2b200428babf592b90b9f0def48274eaa8eed61bfb7fafce1e97b\"}, {\"Data\": {}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 4, \"User\": \"u\"}, "
	    "\"NestedTracedData\": {\"child\": [{\"Data\": {}, \"Metadata\": {\"Source\": \"s\", "
	    "\"Timestamp\": 3, \"User\": \"u\"}, \"NestedTracedData\": {\"G\": [{\"Data\": {\"g\": 7}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 0, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"27dcaee3b44765040018667f1079afe237b3547a42fb8b8dd876953283af909e\"}]}, "
	    "\"SHA\": \"87937a64d001e73828517159e6aa5e992f86cf4902ff5441e6ab667c4dd0a32e\"}, "
	    "{\"Data\": {\"w\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0\"}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 2, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"f6c6b0a07b3318e265b1d7667969be60e70a7f8d3d5b1e14d8050a958aa232ab\"}, "
	    "{\"Data\": {\"w\": 9}, \"Metadata\": {\"Source\": \"s\", \"Timestamp\": 1, \"User\": \"u\"}, "
	    "\"NestedTracedData\": {}, \"SHA\": \"bee0cd67664cb0feff2f6ad07503192757f3c73661882be026052326895"
	    "1c896\"}, {\"Data\": {\"x\": 1, \"y\": 2}, \"Metadata\": {\"Source\": \"s\", \"Timestamp\": 0, "
	    "\"User\": \"u\"}, \"NestedTracedData\": {}, \"SHA\": \"9acd349c98195d9487cd25449647659f2fbc856cc"
	    "a85655123515c39c5da3271\"}]}, \"SHA\": \"7f716d24e5ff10308234583b3a8a380f1d4b920fce24aa2e8cc7849"
	    "70fac33cc\"}, {\"Data\": {\"p\": \"q\", \"x\": 1}, \"Metadata\": {\"Source\": \"s\", "
	    "\"Timestamp\": 0, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"2b718152737834a605ccd841222078b7618df73771539cbee953d39397a7be8b\"}]", "R2 parses") == 0) {
		check_items(&t, "[[\"p\", \"q\"], [\"x\", 1], [\"g\", 7]]", "latest view with nested TDs: their items, not their keys");
		ok(td_get(&t, "child", 5) == NULL && td_get(&t, "G", 1) == NULL, "td_get of a nested-TD key is NULL");
		ok(td_get(&t, "y", 1) == NULL && td_get(&t, "w", 1) == NULL, "keys hidden by the parent and by the child are gone");
		s = td_get_str(&t, "p", 1, &len);
		same(s, s ? len : 0, "q", "td_get_str");
		check_write(&t, TD_FLAT, "{\"p\": \"q\", \"x\": 1, \"g\": 7}", "td_write flat of a nested record");
		check_verify("[{\"Data\": {\"y\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0\"}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 5, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"4524ea1d2ad2b200428babf592b90b9f0def48274eaa8eed61bfb7fafce1e97b\"}, {\"Data\": {}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 4, \"User\": \"u\"}, "
	    "\"NestedTracedData\": {\"child\": [{\"Data\": {}, \"Metadata\": {\"Source\": \"s\", "
	    "\"Timestamp\": 3, \"User\": \"u\"}, \"NestedTracedData\": {\"G\": [{\"Data\": {\"g\": 7}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 0, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"27dcaee3b44765040018667f1079afe237b3547a42fb8b8dd876953283af909e\"}]}, "
	    "\"SHA\": \"87937a64d001e73828517159e6aa5e992f86cf4902ff5441e6ab667c4dd0a32e\"}, "
	    "{\"Data\": {\"w\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0\"}, "
	    "\"Metadata\": {\"Source\": \"s\", \"Timestamp\": 2, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"f6c6b0a07b3318e265b1d7667969be60e70a7f8d3d5b1e14d8050a958aa232ab\"}, "
	    "{\"Data\": {\"w\": 9}, \"Metadata\": {\"Source\": \"s\", \"Timestamp\": 1, \"User\": \"u\"}, "
	    "\"NestedTracedData\": {}, \"SHA\": \"bee0cd67664cb0feff2f6ad07503192757f3c73661882be026052326895"
	    "1c896\"}, {\"Data\": {\"x\": 1, \"y\": 2}, \"Metadata\": {\"Source\": \"s\", \"Timestamp\": 0, "
	    "\"User\": \"u\"}, \"NestedTracedData\": {}, \"SHA\": \"9acd349c98195d9487cd25449647659f2fbc856cc"
	    "a85655123515c39c5da3271\"}]}, \"SHA\": \"7f716d24e5ff10308234583b3a8a380f1d4b920fce24aa2e8cc7849"
	    "70fac33cc\"}, {\"Data\": {\"p\": \"q\", \"x\": 1}, \"Metadata\": {\"Source\": \"s\", "
	    "\"Timestamp\": 0, \"User\": \"u\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"2b718152737834a605ccd841222078b7618df73771539cbee953d39397a7be8b\"}]", NULL, "td_verify: R2 (nested two levels)");
	}
	td_free(&t);

	/* A flat record: object order; a duplicate key keeps its first place and takes the last value. */
	if (parse(&t, "{\"b\": 1, \"a\": \"x\", \"b\": 3}", "flat parses") == 0) {
		check_items(&t, "[[\"b\", 3], [\"a\", \"x\"]]", "flat view: duplicates as Python's json.loads");
		ok(t.form == TD_FLAT, "an object is a flat record");
		s = td_sha(&t, &len);
		ok(s != NULL && len == 0, "td_sha of a flat record is empty");
		ok(td_verify(&t, NULL) == 0, "td_verify of a flat record passes");
	}
	td_free(&t);
}

static void
test_append(void)
{
	struct td t = { 0 }, other = { 0 }, w = { 0 };
	struct buf b = { 0 };
	struct err e;
	const char *nested = "[{\"Data\": {\"age\": 4}, \"Metadata\": {\"Source\": \"age_generator\", \"Timestamp\": 11, "
	    "\"User\": \"test_user\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"d4f349e94538661145f97c4bc699ef9cd91d37c5f312e015907185a2399c1079\"}]";

	/* Set, set JSON, hide and nest on a two-entry record: one new entry first, the old bytes after it. */
	if (parse(&t, fixture[1], "fixture line 2 parses") == 0 && parse(&other, nested, "nested parses") == 0) {
		int rc;
		td_set_str(&t, "Gender_Coded", 12, "Male", 4);
		rc = td_set_json(&t, "score", 5, "20.0", 4, &e);
		ok(rc == 0, "td_set_json 20.0");
		ok(td_hide(&t, "URN", 3) == 0, "td_hide of a visible key");
		ok(td_hide(&t, "nope", 4) == -1, "td_hide of an absent key is -1 (KeyError)");
		rc = td_nest(&t, "Age_Data", 8, &other, &meta, &e);
		ok(rc == 0, "td_nest of a traced record");
		ok(td_nchanges(&t) == 4, "four changes");
		ok(td_get(&t, "URN", 3) == NULL, "a hidden key is gone at once");
		ok(td_get(&t, "age", 3) != NULL, "the nested record's values are visible at once");
		td_write(&t, &b, TD_TRACED, &meta);
		same(b.p, b.len, "[{\"Data\": {\"Gender_Coded\": \"Male\", \"URN\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec5913"
	    "7ef0d0\", \"score\": 20.0}, \"Metadata\": {\"Source\": \"td-test 0.1\", "
	    "\"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\", \"User\": \"test@tdtools\"}, "
	    "\"NestedTracedData\": {\"Age_Data\": [{\"Data\": {\"age\": 4}, "
	    "\"Metadata\": {\"Source\": \"age_generator\", \"Timestamp\": 11, \"User\": \"test_user\"}, "
	    "\"NestedTracedData\": {}, \"SHA\": \"d4f349e94538661145f97c4bc699ef9cd91d37c5f312e015907185a2399"
	    "c1079\"}]}, \"SHA\": \"29c00bf49f261e65c4cf422bc8832af39e694f1691524fdaf127dbb2ca559c48\"}, "
	    "{\"Data\": {\"Gender\": \"f\", \"Gender_Coded\": \"Female\"}, "
	    "\"Metadata\": {\"Source\": \"gender_coder\", \"Timestamp\": 10, \"User\": \"test_user\"}, "
	    "\"NestedTracedData\": {}, \"SHA\": \"4ab227ee6e4daeb5fcd8a0265326f9e7d06691e3545d2bcc52f338cd3e7"
	    "2a89c\"}, {\"Data\": {\"Gender\": \"m\", \"URN\": \"+0012345000001\"}, "
	    "\"Metadata\": {\"Source\": \"data_generator\", \"Timestamp\": 1, \"User\": \"test_user\"}, "
	    "\"NestedTracedData\": {}, \"SHA\": \"51480dd25b6bfd705ba2e098c2d96232bdc7f97cbb9d5fcbf2c5047ed3f"
	    "cdf5b\"}]\n", "td_write traced: CoreDataModules' append_data bytes");
		{
			const char *old = strchr(fixture[1], '[') + 1;
			size_t n = strlen(old);
			ok(b.len > n + 1 && memcmp(b.p + b.len - 1 - n, old, n) == 0 &&
			    memcmp(b.p + b.len - 1 - n - 2, ", ", 2) == 0, "the old entries follow untouched");
		}
		if (b.len && td_parse(&w, b.p, b.len - 1, &e) == 0) {
			ok(td_verify(&w, &e) == 0, "the written record passes td_verify");
			check_items(&w, "[[\"Gender\", \"f\"], [\"Gender_Coded\", \"Male\"], [\"age\", 4], [\"score\", 20.0]]", "the written record's latest view (as CoreDataModules reloads it)");
		} else {
			ok(0, "the written record parses");
		}
		b.len = 0;
		td_write(&t, &b, TD_FLAT, &meta);
		buf_addc(&b, '\0');
		ok(b.len > 1 && strstr(b.p, "\"URN\"") == NULL && strstr(b.p, "\"age\": 4") != NULL &&
		    strstr(b.p, "\"score\": 20.0") != NULL && strstr(b.p, "\"Age_Data\"") == NULL,
		    "td_write flat after changes: hidden and nested keys left out");
	}
	td_free(&t);
	td_free(&other);
	td_free(&w);
	buf_free(&b);

	/* No changes: the line as it was (no re-encoding), plus the newline. */
	{
		const char *odd = "[{\"Data\":{\"n\":1E5},\"Metadata\":{},\"NestedTracedData\":{},\"SHA\":\"x\"}]";
		if (parse(&t, odd, "odd record parses") == 0)
			check_write(&t, TD_TRACED, odd, "td_write traced without changes copies the bytes");
		td_free(&t);
	}
	/* The old entries' bytes are kept even when not canonical. */
	{
		const char *odd = "[ {\"Data\":{\"n\":1E5},\"Metadata\":{},\"NestedTracedData\":{},\"SHA\":\"x\"} ]";
		if (parse(&t, odd, "odd record parses") == 0) {
			td_set_str(&t, "k", 1, "v", 1);
			td_write(&t, &b, TD_TRACED, &meta);
			const char *tail = " {\"Data\":{\"n\":1E5},\"Metadata\":{},\"NestedTracedData\":{},\"SHA\":\"x\"} ]\n";
			ok(b.len > strlen(tail) && memcmp(b.p + b.len - strlen(tail), tail, strlen(tail)) == 0 &&
			    strncmp(b.p, "[{\"Data\": {\"k\": \"v\"}, ", 22) == 0, "non-canonical old bytes are not re-encoded");
		}
		td_free(&t);
		buf_free(&b);
	}

	/* Flat -> traced: one entry holding the values; with changes, the change entry on top. */
	{
		const char *flat = "{\"b\": 1, \"a\": \"x\", \"c\": [1, {\"z\": 2, \"y\": 1}]}";
		if (parse(&t, flat, "flat parses") == 0) {
			check_write(&t, TD_TRACED, "[{\"Data\": {\"a\": \"x\", \"b\": 1, \"c\": [1, {\"y\": 1, \"z\": 2}]}, "
	    "\"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\","
	    " \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"20211fe5c9da1ed394ee981861bf986af1491548bda627aca8c46222a94af7a8\"}]", "flat -> traced");
			check_write(&t, TD_FLAT, flat, "flat -> flat without changes: the line as it was");
			td_set_str(&t, "a", 1, "y", 1);
			ok(td_hide(&t, "b", 1) == 0, "td_hide on a flat record");
			check_write(&t, TD_TRACED, "[{\"Data\": {\"a\": \"y\", \"b\": \"#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0\"}, "
	    "\"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\","
	    " \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"a6327f93ac67a523dbb07bf82fc605237e094056ce02db67aef7ffc88ae2cc45\"}, "
	    "{\"Data\": {\"a\": \"x\", \"b\": 1, \"c\": [1, {\"y\": 1, \"z\": 2}]}, "
	    "\"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\","
	    " \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, "
	    "\"SHA\": \"20211fe5c9da1ed394ee981861bf986af1491548bda627aca8c46222a94af7a8\"}]", "flat + changes -> traced: two entries");
			b.len = 0;
			td_write(&t, &b, TD_TRACED, &meta);
			if (td_parse(&w, b.p, b.len - 1, &e) == 0)
				ok(td_verify(&w, &e) == 0, "flat + changes -> traced passes td_verify");
			else
				ok(0, "flat + changes -> traced parses");
			td_free(&w);
			buf_free(&b);
		}
		td_free(&t);
	}
	/* Flat writes after changes: Python dict order (a key hidden and set again moves to the end). */
	if (parse(&t, "{\"b\": 1, \"a\": 2.50}", "flat parses") == 0) {
		ok(td_hide(&t, "b", 1) == 0, "hide b");
		td_set_str(&t, "c", 1, "\xc3\xa9", 2);
		ok(td_set_json(&t, "b", 1, "[true]", 6, &e) == 0, "set b again");
		check_write(&t, TD_FLAT, "{\"a\": 2.5, \"c\": \"\\u00e9\", \"b\": [true]}", "td_write flat after hide + re-set");
	}
	td_free(&t);
	/* td_set_json refuses bad JSON with the scanner's message. */
	if (parse(&t, "{}", "empty flat parses") == 0) {
		int rc = td_set_json(&t, "k", 1, "[1,", 3, &e);
		ok(rc == -1 && e.code == EX_DATAERR && strcmp(e.msg, "invalid JSON at column 4: unexpected end of input") == 0,
		    "td_set_json rejects bad JSON");
		ok(td_nchanges(&t) == 0, "a rejected td_set_json records nothing");
		check_write(&t, TD_FLAT, "{}", "empty flat record");
		check_write(&t, TD_TRACED, "[{\"Data\": {}, \"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\", \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, \"SHA\": \"7ab1788f60c8b3a72d263728ff7a9c5c657cd98cd673b029b74688e2768a38bd\"}]", "empty flat record -> traced");
	}
	td_free(&t);
}

static void
test_nest_conflict(void)
{
	struct td t = { 0 }, other = { 0 };
	struct err e = { 0 };
	/* The key given with a length: the buffer goes on past it. */
	const char key[] = "folded_withXYZ";

	if (parse(&t, fixture[1], "line 2 parses") == 0 && parse(&other, fixture[0], "line 1 parses") == 0) {
		int rc = td_nest(&t, key, 11, &other, &meta, &e);
		const char *want = "cannot nest under \"folded_with\": key \"Gender\" differs between the records";
		ok(rc == -1 && e.code == EX_DATAERR && strcmp(e.msg, want) == 0, "td_nest: differing common key (EX_DATAERR)");
		if (!(rc == -1 && strcmp(e.msg, want) == 0))
			printf("# got rc %d: %s\n# expected: %s\n", rc, rc ? e.msg : "", want);
		ok(td_nchanges(&t) == 0, "a refused td_nest records nothing");
	}
	td_free(&t);
	td_free(&other);
	/* Equal common values (1 == 1.0, as Python's ==) are fine. */
	if (parse(&t, "[{\"Data\": {\"n\": 1}, \"Metadata\": {}, \"NestedTracedData\": {}, \"SHA\": \"s\"}]", "t parses") == 0 &&
	    parse(&other, "{\"n\": 1.0, \"m\": 2}", "other parses") == 0) {
		ok(td_nest(&t, "o", 1, &other, &meta, &e) == 0, "td_nest: common key equal as numbers");
	}
	td_free(&t);
	td_free(&other);
}

static void
test_verify(void)
{
	char *bad;

	bad = tamper(fixture[1], "\"Gender\": \"m\"", "\"Gender\": \"M\"");
	check_verify(bad, "history entry 2 of 2 (1 = newest): SHA mismatch (recorded "
	    "51480dd25b6bfd705ba2e098c2d96232bdc7f97cbb9d5fcbf2c5047ed3fcdf5b, computed 6ed58e0c7dca0e59b690ff0554e63c9ad2c1606e7520f27a40d1c4daaf58327d)",
	    "td_verify: a tampered value in the oldest entry");
	free(bad);
	bad = tamper(fixture[1], "\"Gender\": \"f\"", "\"Gender\": \"F\"");
	check_verify(bad, "history entry 1 of 2 (1 = newest): SHA mismatch (recorded "
	    "4ab227ee6e4daeb5fcd8a0265326f9e7d06691e3545d2bcc52f338cd3e72a89c, computed 097910c0b01691ddf42a9e3e3ed89422646aeed4570d0408125cb4b70aaebac0)",
	    "td_verify: a tampered value in the newest entry");
	free(bad);
	bad = tamper(fixture[2], "\"age\": 4", "\"age\": 5");
	check_verify(bad, "history entry 1: NestedTracedData \"Age_Data\": history entry 1 of 1 (1 = newest): SHA mismatch "
	    "(recorded d4f349e94538661145f97c4bc699ef9cd91d37c5f312e015907185a2399c1079, computed 947fce30a2cbf29df006dc8da25991de69f56bc16b8b6d1a832ed9cc5d28c683)",
	    "td_verify: a tampered value in a nested entry");
	free(bad);
	bad = tamper(fixture[2], "\"age\": 4", "\"age\": 4.0");
	check_verify(bad, "history entry 1: NestedTracedData \"Age_Data\": history entry 1 of 1 (1 = newest): SHA mismatch "
	    "(recorded d4f349e94538661145f97c4bc699ef9cd91d37c5f312e015907185a2399c1079, computed 54c2445310565a345e7c42cc7e0e83fd2c4047db045e90af0e7d524c94dfe575)",
	    "td_verify: 4 and 4.0 hash differently");
	free(bad);
	bad = tamper(fixture[1], "\"5148", "\"5149");
	check_verify(bad, "history entry 2 of 2 (1 = newest): SHA mismatch (recorded "
	    "51490dd25b6bfd705ba2e098c2d96232bdc7f97cbb9d5fcbf2c5047ed3fcdf5b, computed "
	    "51480dd25b6bfd705ba2e098c2d96232bdc7f97cbb9d5fcbf2c5047ed3fcdf5b)", "td_verify: a tampered SHA");
	free(bad);
	bad = tamper(fixture[1], "\"Timestamp\": 10", "\"Timestamp\": 99");
	check_verify(bad, NULL, "td_verify: metadata is not hashed");
	free(bad);
	bad = tamper(fixture[2], "\"User\": \"test_user\"", "\"User\": \"someone\"");
	check_verify(bad, NULL, "td_verify: nested metadata is not hashed");
	free(bad);
}

static void
test_parse_errors(void)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "[]", "empty history (expected at least one entry)" },
		{ "\"x\"", "expected a TracedData array or a flat JSON object" },
		{ "[1]", "history entry 1: expected an object" },
		{ "[{\"Metadata\": {}, \"NestedTracedData\": {}, \"SHA\": \"s\"}]",
		  "history entry 1: \"Data\" is missing or not an object" },
		{ "[{\"Data\": {}, \"Metadata\": {}, \"NestedTracedData\": {}, \"SHA\": 1}]",
		  "history entry 1: \"SHA\" is missing or not a string" },
		{ "[{\"Data\": {}, \"Metadata\": {}, \"NestedTracedData\": {}, \"SHA\": \"s\"}, "
		  "{\"Data\": {}, \"Metadata\": [], \"NestedTracedData\": {}, \"SHA\": \"s\"}]",
		  "history entry 2: \"Metadata\" is missing or not an object" },
		{ "[{\"Data\": {}, \"Metadata\": {}, \"SHA\": \"s\"}]",
		  "history entry 1: \"NestedTracedData\" is missing or not an object" },
		{ "[{\"Data\": {}, \"Metadata\": {}, \"NestedTracedData\": {\"k\": []}, \"SHA\": \"s\"}]",
		  "history entry 1: NestedTracedData \"k\": empty history (expected at least one entry)" },
		{ "[{\"Data\": {}, \"Metadata\": {}, \"NestedTracedData\": {\"k\": [{\"Data\": 1}]}, \"SHA\": \"s\"}]",
		  "history entry 1: NestedTracedData \"k\": history entry 1: \"Data\" is missing or not an object" },
		{ "[{\"Data\": {}", "invalid JSON at column 13: unexpected end of input" },
	};
	struct td t = { 0 };
	struct err e;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char title[160];
		int rc = td_parse(&t, cases[i].line, strlen(cases[i].line), &e);
		int good = rc == -1 && e.code == EX_DATAERR && strcmp(e.msg, cases[i].msg) == 0;
		snprintf(title, sizeof title, "td_parse rejects: %s", cases[i].msg);
		ok(good, title);
		if (!good)
			printf("# got rc %d: %s\n", rc, rc ? e.msg : "(accepted)");
	}
	/* The same struct td parses a good record after bad ones. */
	ok(td_parse(&t, fixture[0], strlen(fixture[0]), &e) == 0 && td_verify(&t, &e) == 0, "td reused after errors");
	td_free(&t);
}

static void
test_flush(void)
{
	static const char *const want[5] = {
		"[{\"Data\": {\"Gender\": \"female\", \"URN\": \"+0012345000000\", "
		"\"_PrevTracedDataFileSHA\": \"59c7573d2f8c9682f99ee6a954150e86d295a778ef64ad0c983bad97ad5e5ca7\""
		", \"_PrevTracedDataSHA\": \"c28dbf6c83e40b8cbcc4ef3133abe0c634fef85c90505c46ccb1f12dd2735abe\"},"
		" \"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\""
		", \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, "
		"\"SHA\": \"cfef5cc972ba591c14d7e94955cd1197e36d04aaf27ae866c7dcde337fca3ab5\"}]",
		"[{\"Data\": {\"Gender\": \"f\", \"Gender_Coded\": \"Female\", \"URN\": \"+0012345000001\", "
		"\"_PrevTracedDataFileSHA\": \"59c7573d2f8c9682f99ee6a954150e86d295a778ef64ad0c983bad97ad5e5ca7\""
		", \"_PrevTracedDataSHA\": \"4ab227ee6e4daeb5fcd8a0265326f9e7d06691e3545d2bcc52f338cd3e72a89c\"},"
		" \"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\""
		", \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, "
		"\"SHA\": \"08a634c345bbf45675c352df69820303b8a756162aa90e60055fb336d4b026ba\"}]",
		"[{\"Data\": {\"Gender\": \"WoMaN\", \"URN\": \"+0012345000002\", "
		"\"_PrevTracedDataFileSHA\": \"59c7573d2f8c9682f99ee6a954150e86d295a778ef64ad0c983bad97ad5e5ca7\""
		", \"_PrevTracedDataSHA\": \"5e8a4d1d37685d4261f8842c0a57ae3e519d588e7399472b3e8d320bdcd94fa5\", "
		"\"age\": 4}, \"Metadata\": {\"Source\": \"td-test 0.1\", "
		"\"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\", \"User\": \"test@tdtools\"}, "
		"\"NestedTracedData\": {}, \"SHA\": \"791274a0a695ca1c7af4c4483bcac59192f9a822a0eb0adc7514259fa2f"
		"7e6a2\"}]",
		"[{\"Data\": {\"Gender\": \"27\", \"URN\": \"+0012345000003\", "
		"\"_PrevTracedDataFileSHA\": \"59c7573d2f8c9682f99ee6a954150e86d295a778ef64ad0c983bad97ad5e5ca7\""
		", \"_PrevTracedDataSHA\": \"6d821e4d845f9e24096204e8051fb95c440b3081103ea844507918e91211b861\"},"
		" \"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\""
		", \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, "
		"\"SHA\": \"0d06a3d5b206ad83368b480c7ccea7bd30eb7deefd8015e3235b64fffd6037c5\"}]",
		"[{\"Data\": {\"Gender\": \"female\", \"URN\": \"+0012345000004\", "
		"\"_PrevTracedDataFileSHA\": \"59c7573d2f8c9682f99ee6a954150e86d295a778ef64ad0c983bad97ad5e5ca7\""
		", \"_PrevTracedDataSHA\": \"a50ef925e51c50d0fa83fa5004a38dbe7c19b5805879af8d5fe66967586d1ec1\"},"
		" \"Metadata\": {\"Source\": \"td-test 0.1\", \"Timestamp\": \"2020-09-13T12:26:40.000000+00:00\""
		", \"User\": \"test@tdtools\"}, \"NestedTracedData\": {}, "
		"\"SHA\": \"77d732ffcf61c91264039db530ed3aeb0df2189f2cdc18621d496dab8b838314\"}]",
	};
	char file_sha[SHA_HEX_LEN + 1];
	struct sha_ctx *c = sha_begin();
	struct td t = { 0 };
	struct buf b = { 0 };

	/* The file the histories were written to: the five lines, each with its newline. */
	for (int i = 0; i < 5; i++) {
		sha_update(c, fixture[i], strlen(fixture[i]));
		sha_update(c, "\n", 1);
	}
	sha_end(c, file_sha);
	same_str(file_sha, "59c7573d2f8c9682f99ee6a954150e86d295a778ef64ad0c983bad97ad5e5ca7",
	    "file_sha of json_export_expected.json");
	for (int i = 0; i < 5; i++) {
		char title[96];
		if (parse(&t, fixture[i], "fixture line parses") == -1)
			continue;
		b.len = 0;
		td_write_flushed(&t, &b, file_sha, &meta);
		snprintf(title, sizeof title, "td_write_flushed: td%d as _clear_history", i);
		if (i == 0)
			snprintf(title, sizeof title, "td_write_flushed: td0 -> cfef5cc9...");
		if (i == 2)
			snprintf(title, sizeof title, "td_write_flushed: td2 (nested age) -> 791274a0...");
		if (b.len && b.p[b.len - 1] == '\n')
			same(b.p, b.len - 1, want[i], title);
		else
			ok(0, title);
	}
	/* A flushed record verifies on its own. */
	if (b.len) {
		struct td w = { 0 };
		struct err e;
		ok(td_parse(&w, b.p, b.len - 1, &e) == 0 && td_verify(&w, &e) == 0, "a flushed record passes td_verify");
		td_free(&w);
	}
	td_free(&t);
	buf_free(&b);
}

int
main(void)
{
	test_sha();
	test_view();
	test_append();
	test_nest_conflict();
	test_verify();
	test_parse_errors();
	test_flush();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
