/*
 * coda unit test: reading Coda V2 messages files (validation, duplicate ids, the scheme-prefix rule), the two
 * imports on values (coredata.md §4.4–4.5: newest label, Checked, NR, columns, SPECIAL-MANUALLY_UNCODED,
 * normalisation, dedup by CodeID), Label.to_dict, and the SomaliaLocations tables and functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coding/coda.h"
#include "coding/somalia.h"
#include "config/scheme.h"

static int ntest, nfail;
static char tmpdir[] = "/tmp/td-coda-unit.XXXXXX";

static void
ok(int cond, const char *title)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ntest, title);
}

static void
is(const char *got, const char *want, const char *title)
{
	int good = got != NULL && strcmp(got, want) == 0;

	ok(good, title);
	if (!good)
		printf("# got:  %s\n# want: %s\n", got ? got : "(null)", want);
}

static char *
put(const char *name, const char *text)
{
	static char paths[8][512];
	static int next;
	char *path = paths[next++ % 8];
	FILE *f;

	snprintf(path, sizeof paths[0], "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF || fclose(f) == EOF) {
		perror(path);
		exit(1);
	}
	return path;
}

/* The load fails with EX_DATAERR and a message ending in want. */
static void
load_fails(const char *text, const char *want, const char *title)
{
	struct coda_file f;
	struct err e = { 0 };
	int rc = coda_load(&f, put("bad.json", text), 0, &e);
	size_t n = strlen(e.msg), w = strlen(want);
	int good = rc == -1 && e.code == EX_DATAERR && n >= w && strcmp(e.msg + n - w, want) == 0;

	ok(good, title);
	if (!good)
		printf("# rc %d code %d: %s\n# wanted ...%s\n", rc, e.code, e.msg, want);
	coda_free(&f);
}

#define L(scheme, code, checked) \
	"{\"SchemeID\": \"" scheme "\", \"CodeID\": \"" code "\", \"DateTimeUTC\": \"2021-01-01T00:00:00.000Z\", " \
	"\"Checked\": " checked ", \"Origin\": {\"OriginID\": \"c@x\", \"Name\": \"c\", \"OriginType\": \"Manual\"}}"
#define M(id, labels) \
	"{\"MessageID\": \"" id "\", \"Text\": \"t\", \"CreationDateTimeUTC\": \"2020-11-01T00:00:00+00:00\", " \
	"\"Labels\": [" labels "]}"

static const char scheme_text[] =
    "{\"SchemeID\": \"Scheme-s\", \"Name\": \"s\", \"Version\": \"1\", \"Codes\": ["
    "{\"CodeID\": \"code-a\", \"CodeType\": \"Normal\", \"DisplayText\": \"a\", \"NumericValue\": 1, \"StringValue\": \"a\", \"VisibleInCoda\": true},"
    "{\"CodeID\": \"code-b\", \"CodeType\": \"Normal\", \"DisplayText\": \"b\", \"NumericValue\": 2, \"StringValue\": \"b\", \"VisibleInCoda\": true},"
    "{\"CodeID\": \"code-NR\", \"CodeType\": \"Control\", \"ControlCode\": \"NR\", \"DisplayText\": \"NR\", \"NumericValue\": -40, \"StringValue\": \"NR\", \"VisibleInCoda\": true}]}";

static const struct label_origin origin = { "tdtools:test:import", LABEL_AUTO_CODER_NAME, LABEL_ORIGIN_EXTERNAL };
#define NOW "2020-09-13T12:26:40.000000+00:00"
#define NR_JSON "{\"Checked\": false, \"CodeID\": \"code-NR\", \"DateTimeUTC\": \"" NOW "\", \"Origin\": {\"Name\": " \
	"\"Pipeline Auto-Coder\", \"OriginID\": \"tdtools:test:import\", \"OriginType\": \"External\"}, \"SchemeID\": \"Scheme-s\"}"
#define OUT(code, sid, checked) "{\"Checked\": " checked ", \"CodeID\": \"" code "\", \"DateTimeUTC\": " \
	"\"2021-01-01T00:00:00.000Z\", \"Origin\": {\"Name\": \"c\", \"OriginID\": \"c@x\", \"OriginType\": \"Manual\"}, " \
	"\"SchemeID\": \"" sid "\"}"

/* Run an import on message id (NULL: none) with the current value cur_json (NULL: absent). */
static const char *
run(int multi, struct coda_file *f, const struct code_scheme *s, const char *id, const char *cur_json, int *rc)
{
	static struct buf out;
	static struct err e;
	struct json_doc d = { 0 };
	struct td_val cur;
	uint32_t root;

	out.len = 0;
	if (cur_json != NULL) {
		json_parse_copy(&d, cur_json, strlen(cur_json), &root, &e);
		cur = (struct td_val){ &d, root };
	}
	*rc = (multi ? coda_multi_value : coda_single_value)(&out, f, id, id ? strlen(id) : 0, s,
	    cur_json ? &cur : NULL, &origin, NOW, &e);
	json_free(&d);
	if (*rc == -1)
		return e.msg;
	buf_addc(&out, '\0');
	out.len--;
	return *rc == 1 ? out.p : "(unchanged)";
}

static void
test_load(void)
{
	struct coda_file f;
	struct err e;
	const struct coda_message *m;
	size_t cur = 0;
	uint32_t l;
	int n = 0;

	ok(coda_load(&f, put("ok.json", "[" M("m1", L("Scheme-s", "code-a", "true")) ", "
	    M("m2", L("Scheme-s-1", "code-b", "true") ", " L("Scheme-t", "code-a", "true") ", " L("Scheme-s", "code-a", "false"))
	    ", " M("m3", "") "]"), 0, &e) == 0, "a valid file loads");
	ok(f.n_messages == 3 && !f.missing, "three messages");
	m = coda_find(&f, "m1", 2);
	ok(m != NULL && coda_next_label(&f, m, "Scheme-s", &cur, &l)
	    && json_str_eq(&f.doc, json_get(&f.doc, l, "CodeID", 6), "code-a", 6), "a MessageID finds its message");
	m = coda_find(&f, "m2", 2);
	cur = 0;
	while (coda_next_label(&f, m, "Scheme-s", &cur, &l))
		n++;
	ok(n == 2, "labels of a primary scheme: its own and its duplicated columns, not other schemes");
	ok(coda_find(&f, "m4", 2) == NULL, "an unknown MessageID");
	coda_free(&f);

	ok(coda_load(&f, put("none.json", "[]"), 0, &e) == 0 && f.n_messages == 0, "an empty file");
	coda_free(&f);
	{
		char path[600];
		snprintf(path, sizeof path, "%s/missing.json", tmpdir);
		ok(coda_load(&f, path, 0, &e) == -1 && e.code == EX_NOINPUT, "a missing file is EX_NOINPUT");
		ok(coda_load(&f, path, 1, &e) == 0 && f.missing && f.n_messages == 0, "... or empty when allowed");
		coda_free(&f);
	}
	ok(coda_load(&f, put("extra.json", "[{\"MessageID\": \"x\", \"Text\": \"t\", \"CreationDateTimeUTC\": "
	    "\"2020-11-01T00:00:00Z\", \"Labels\": [], \"SequenceNumber\": 3, \"LastUpdated\": \"2021-01-01T00:00:00+00:00\"}]"),
	    0, &e) == 0, "SequenceNumber and a string LastUpdated are ignored");
	coda_free(&f);

	load_fails("{}", "expected a JSON array of Coda messages", "not an array");
	load_fails("[\n 1,\n x]", ":3:2: invalid JSON: expected a value", "invalid JSON: line and column");
	load_fails("[1]", ": [0]: expected a message (a JSON object)", "a message that is no object");
	load_fails("[{\"Text\": \"t\", \"CreationDateTimeUTC\": \"2020-11-01T00:00:00Z\", \"Labels\": []}]",
	    ": [0].MessageID: missing (expected a non-empty string)", "no MessageID");
	load_fails("[{\"MessageID\": \"m\", \"Text\": \"\", \"CreationDateTimeUTC\": \"2020-11-01T00:00:00Z\", \"Labels\": []}]",
	    ": [0].Text: expected a non-empty string", "an empty Text");
	load_fails("[{\"MessageID\": \"m\", \"Text\": \"t\", \"CreationDateTimeUTC\": \"2020-11-01T00:00:00+03:00\", \"Labels\": []}]",
	    ": [0].CreationDateTimeUTC: expected an ISO-8601 date-time ending in Z or +00:00", "a non-UTC creation time");
	load_fails("[{\"MessageID\": \"m\", \"Text\": \"t\", \"CreationDateTimeUTC\": \"2020-11-01T00:00:00Z\"}]",
	    ": [0].Labels: missing (expected a list of labels)", "no Labels");
	load_fails("[" M("m", "{\"SchemeID\": \"s\", \"CodeID\": \"c\", \"DateTimeUTC\": \"yesterday\", \"Origin\": {}}") "]",
	    ": [0].Labels[0].DateTimeUTC: expected an ISO-8601 date-time ending in Z or +00:00", "a label time that is no date");
	load_fails("[" M("m", "{\"SchemeID\": \"s\", \"CodeID\": \"c\", \"DateTimeUTC\": \"2020-11-01T00:00:00Z\", "
	    "\"Checked\": 1, \"Origin\": {}}") "]", ": [0].Labels[0].Checked: expected true or false", "Checked not a bool");
	load_fails("[" M("m", "{\"SchemeID\": \"s\", \"CodeID\": \"c\", \"DateTimeUTC\": \"2020-11-01T00:00:00Z\", "
	    "\"Confidence\": 1.5, \"Origin\": {}}") "]", ": [0].Labels[0].Confidence: expected a number from 0 to 1",
	    "Confidence out of range");
	load_fails("[" M("m", "{\"SchemeID\": \"s\", \"CodeID\": \"c\", \"DateTimeUTC\": \"2020-11-01T00:00:00Z\"}") "]",
	    ": [0].Labels[0].Origin: missing (expected an object)", "no Origin");
	load_fails("[" M("m", "{\"SchemeID\": \"s\", \"CodeID\": \"c\", \"DateTimeUTC\": \"2020-11-01T00:00:00Z\", "
	    "\"Origin\": {\"OriginID\": \"o\", \"Name\": \"n\", \"OriginType\": \"t\", \"Metadata\": {\"k\": \"\"}}}") "]",
	    ": [0].Labels[0].Origin.Metadata: expected non-empty string keys and values", "empty Origin.Metadata value");
	/* Label.from_firebase_map reads Checked with .get(), but both imports index label["Checked"]: KeyError. */
	load_fails("[" M("m", "{\"SchemeID\": \"s\", \"CodeID\": \"c\", \"DateTimeUTC\": \"2020-11-01T00:00:00Z\", "
	    "\"Origin\": {\"OriginID\": \"o\", \"Name\": \"n\", \"OriginType\": \"t\"}}") "]",
	    ": [0].Labels[0].Checked: missing (expected true or false)", "a label without Checked");
	load_fails("[" M("m1", "") ", " M("m2", "") ", " M("m1", L("Scheme-s", "code-a", "true")) "]",
	    ": [2].MessageID: duplicate MessageID 'm1' (first at [0])", "a duplicate MessageID, named");
}

/* coda_check_schemes: every label's SchemeID imported from the file, every CodeID in its scheme. */
static void
test_check_schemes(void)
{
	struct code_scheme s;
	struct coda_file f;
	struct err e;
	const struct code_scheme *schemes[2];

	if (scheme_load(&s, put("s.json", scheme_text), &e) == -1) {
		printf("# %s\n", e.msg);
		exit(1);
	}
	schemes[0] = NULL;
	schemes[1] = &s;
	coda_load(&f, put("cs.json", "[" M("m1", L("Scheme-s", "code-a", "true") ", " L("Scheme-s-1", "code-b", "false")
	    ", " L("Scheme-s", "SPECIAL-MANUALLY_UNCODED", "false")) ", " M("m2", "") "]"), 0, &e);
	ok(coda_check_schemes(&f, schemes, 2, &e) == 0, "known schemes, duplicated columns, MANUALLY_UNCODED pass");
	coda_free(&f);
	coda_load(&f, put("cs.json", "[" M("m1", "") ", " M("m2", L("Scheme-s", "code-a", "true") ", "
	    L("Scheme-t", "code-a", "true")) "]"), 0, &e);
	ok(coda_check_schemes(&f, schemes, 2, &e) == -1 && e.code == EX_DATAERR && strstr(e.msg,
	    "cs.json: [1].Labels[1].SchemeID: unknown SchemeID 'Scheme-t' (no scheme imported from this file has it "
	    "or is a prefix of it)") != NULL, "an unknown SchemeID: EX_DATAERR with file and JSON path");
	coda_free(&f);
	coda_load(&f, put("cs.json", "[" M("m1", L("Scheme-s-2", "code-zz", "true")) "]"), 0, &e);
	ok(coda_check_schemes(&f, schemes, 2, &e) == -1 && e.code == EX_DATAERR && strstr(e.msg,
	    "cs.json: [0].Labels[0].CodeID: unknown code id 'code-zz' (not in scheme Scheme-s, ") != NULL,
	    "a code id not in the scheme: EX_DATAERR with file and JSON path");
	coda_free(&f);
	scheme_free(&s);
}

static void
test_imports(void)
{
	struct code_scheme s;
	struct coda_file f;
	struct err e;
	int rc;

	if (scheme_load(&s, put("s.json", scheme_text), &e) == -1) {
		printf("# %s\n", e.msg);
		exit(1);
	}
	coda_load(&f, put("imp.json", "["
	    M("checked", L("Scheme-s", "code-a", "true") ", " L("Scheme-s", "code-b", "true"))
	    ", " M("unchecked", L("Scheme-s", "code-a", "false") ", " L("Scheme-s", "code-b", "true"))
	    ", " M("uncoded", L("Scheme-s", "SPECIAL-MANUALLY_UNCODED", "true"))
	    ", " M("cols", L("Scheme-s-1", "code-b", "true") ", " L("Scheme-s", "code-a", "true") ", "
	          L("Scheme-s-1", "SPECIAL-MANUALLY_UNCODED", "false") ", " L("Scheme-s-2", "code-a", "true"))
	    ", " M("cleared", L("Scheme-s-1", "SPECIAL-MANUALLY_UNCODED", "false") ", " L("Scheme-s-1", "code-b", "true")
	          ", " L("Scheme-s", "code-a", "false"))
	    ", " M("dup", L("Scheme-s", "code-a", "true") ", " L("Scheme-s-1", "code-a", "true"))
	    "]"), 0, &e);

	is(run(0, &f, &s, "checked", NULL, &rc), OUT("code-a", "Scheme-s", "true"), "single: the newest label, checked");
	is(run(0, &f, &s, "unchecked", NULL, &rc), NR_JSON, "single: the newest label unchecked: NR (older ones do not count)");
	is(run(0, &f, &s, "absent", "{\"SchemeID\": \"Scheme-s\", \"CodeID\": \"code-a\", \"DateTimeUTC\": "
	    "\"2021-01-01T00:00:00Z\", \"Origin\": {\"OriginID\": \"c@x\", \"Name\": \"c\", \"OriginType\": \"Manual\"}}",
	    &rc), NR_JSON, "single: a record's current label without Checked counts as unchecked (files refuse it)");
	is(run(0, &f, &s, "uncoded", NULL, &rc), NR_JSON, "single: a checked SPECIAL-MANUALLY_UNCODED is NR");
	is(run(0, &f, &s, "absent", NULL, &rc), NR_JSON, "single: no message: NR");
	is(run(0, &f, &s, NULL, NULL, &rc), NR_JSON, "single: no id: NR");
	is(run(0, &f, &s, "absent", OUT("code-b", "Scheme-s", "true"), &rc), "(unchanged)",
	    "single: no label, the current value is checked: it stays");
	is(run(0, &f, &s, "absent", OUT("code-b", "Scheme-s", "false"), &rc), NR_JSON,
	    "single: no label, the current value unchecked: NR");
	is(run(0, &f, &s, "unchecked", OUT("code-b", "Scheme-s", "true"), &rc), NR_JSON,
	    "single: an unchecked Coda label replaces a checked current value, then NR");

	is(run(1, &f, &s, "checked", NULL, &rc), "[" OUT("code-a", "Scheme-s", "true") "]",
	    "multi: one column, the newest label");
	is(run(1, &f, &s, "cols", NULL, &rc),
	    "[" OUT("code-a", "Scheme-s", "true") ", " OUT("code-b", "Scheme-s", "true") "]",
	    "multi: per column the newest, in order of first appearance (oldest first), SchemeIDs normalised");
	is(run(1, &f, &s, "cleared", NULL, &rc), "[" NR_JSON "]",
	    "multi: a cleared column goes; nothing checked left: [NR]");
	is(run(1, &f, &s, "dup", NULL, &rc), "[" OUT("code-a", "Scheme-s", "true") "]",
	    "multi: the same code in two columns is kept once");
	is(run(1, &f, &s, "unchecked", NULL, &rc), "[" NR_JSON "]", "multi: only unchecked labels: [NR]");
	is(run(1, &f, &s, "absent", NULL, &rc), "[" NR_JSON "]", "multi: no message: [NR]");
	is(run(1, &f, &s, "absent", "[" OUT("code-b", "Scheme-s-1", "true") ", " OUT("code-a", "Scheme-s", "false") "]", &rc),
	    "[" OUT("code-b", "Scheme-s", "true") ", " OUT("code-a", "Scheme-s", "false") "]",
	    "multi: no Coda label: the current list, normalised; one checked keeps the unchecked too");
	is(run(1, &f, &s, "checked", "[" OUT("code-b", "Scheme-s-3", "true") "]", &rc),
	    "[" OUT("code-b", "Scheme-s", "true") ", " OUT("code-a", "Scheme-s", "true") "]",
	    "multi: the current list's columns come first");
	run(1, &f, &s, "checked", "[" OUT("code-b", "Scheme-other", "true") "]", &rc);
	ok(rc == -1, "multi: a current label of another scheme is an error");
	run(1, &f, &s, "checked", "{}", &rc);
	ok(rc == -1, "multi: a current value that is no list is an error");
	is(run(1, &f, &s, "absent", "null", &rc), "[" NR_JSON "]", "multi: a null current value counts as none");

	coda_free(&f);
	scheme_free(&s);
}

static void
test_label_encode(void)
{
	struct json_doc d = { 0 };
	struct buf out = { 0 };
	struct err e;
	uint32_t root;
	const char *in = "{\"Origin\": {\"Name\": \"n\", \"OriginType\": \"Manual\", \"OriginID\": \"o\", \"Metadata\": {\"k\": \"v\"}, "
	    "\"Extra\": 1}, \"LabelSet\": 2, \"Confidence\": 1.0, \"Checked\": null, \"CodeID\": \"c\", \"SchemeID\": \"s-1\", "
	    "\"DateTimeUTC\": \"2021-01-01T00:00:00Z\", \"Other\": [1]}";

	json_parse_copy(&d, in, strlen(in), &root, &e);
	coda_label_encode(&out, &d, root, NULL);
	buf_addc(&out, '\0');
	is(out.p, "{\"CodeID\": \"c\", \"Confidence\": 1.0, \"DateTimeUTC\": \"2021-01-01T00:00:00Z\", \"LabelSet\": 2, "
	    "\"Origin\": {\"Metadata\": {\"k\": \"v\"}, \"Name\": \"n\", \"OriginID\": \"o\", \"OriginType\": \"Manual\"}, "
	    "\"SchemeID\": \"s-1\"}", "Label.to_dict: known keys, sorted, nulls dropped");
	out.len = 0;
	coda_label_encode(&out, &d, root, "s");
	buf_addc(&out, '\0');
	ok(strstr(out.p, "\"SchemeID\": \"s\"}") != NULL, "the SchemeID replaced");
	ok(coda_truthy(&d, json_get(&d, root, "Confidence", 10)) && !coda_truthy(&d, json_get(&d, root, "Checked", 7)),
	    "Python truthiness");
	buf_free(&out);
	json_free(&d);
}

static void
test_somalia(void)
{
	/* The doctests of somalia_locations.py, and the zone bug. */
	is(somalia_mogadishu_sub_district("karaan"), "karaan", "sub-district of karaan");
	is(somalia_mogadishu_sub_district("mogadishu"), "NC", "sub-district of mogadishu: NC");
	is(somalia_mogadishu_sub_district("belet weyne"), "NC", "sub-district of belet weyne: NC");
	is(somalia_district("mogadishu"), "mogadishu", "district of mogadishu");
	is(somalia_district("karaan"), "mogadishu", "district of a sub-district");
	is(somalia_district("matabaan"), "belet weyne", "district of an alternative name");
	is(somalia_district("bay"), "NC", "district of a region: NC");
	is(somalia_region("adan yabaal"), "middle shabelle", "region of adan yabaal");
	is(somalia_region("lower shabelle"), "lower shabelle", "region of a region");
	is(somalia_region("hodan"), "banadir", "region of a sub-district");
	is(somalia_state("adan yabaal"), "hir-shabelle", "state of adan yabaal");
	is(somalia_state("banadir"), "banadir", "state of banadir (region and state)");
	is(somalia_state("puntland"), "puntland", "state of a state");
	is(somalia_state("nez"), "NC", "state of a zone: NC");
	is(somalia_zone("matabaan"), "scz", "zone of matabaan");
	is(somalia_zone("baidoa"), "scz", "zone of baidoa");
	is(somalia_zone("hargeysa"), "nwz", "zone of hargeysa");
	is(somalia_zone("somaliland"), "nwz", "zone of a state");
	is(somalia_zone("scz"), "NC", "zone of a zone: NC (the v0.15.2 bug)");
	is(somalia_zone("NC"), "NC", "zone of NC");
	is(somalia_zone_for_operator("telesom"), "nwz", "zone of telesom");
	is(somalia_zone_for_operator("somtel"), "NC", "zone of somtel: NC");
	is(somalia_state(somalia_zone_for_operator("hormud")), "NC", "the operator-zone bug: state of a zone is NC");
	ok(somalia_is_location("hodan") && somalia_is_location("mogadishu") && somalia_is_location("matabaan")
	    && somalia_is_location("scz") && !somalia_is_location("male"), "is_location_code");
	{
		size_t n = 0;
		while (somalia_district_to_region[n][0] != NULL)
			n++;
		ok(n == 74, "74 districts");
	}
}

int
main(void)
{
	char cmd[600];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_load();
	test_check_schemes();
	test_imports();
	test_label_encode();
	test_somalia();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	printf("1..%d\n", ntest);
	return nfail != 0;
}
