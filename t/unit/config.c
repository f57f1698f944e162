/*
 * config unit test: the pipeline configuration, code scheme and coding-plans loaders on small documents written
 * to a temporary directory: derived flow names, defaults, lookups, and the file and JSON path in messages.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/plan.h"
#include "config/scheme.h"

static int ntest, nfail;
static char tmpdir[] = "/tmp/td-config-unit.XXXXXX";

static void
ok(int cond, const char *title)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ntest, title);
}

static int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Write text to tmpdir/name; return the path (static buffer per call site is enough here). */
static char *
put(const char *name, const char *text)
{
	static char paths[16][512];
	static int next;
	char *path = paths[next++ % 16];
	FILE *f;

	snprintf(path, sizeof paths[0], "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF || fclose(f) == EOF) {
		perror(path);
		exit(1);
	}
	return path;
}

/* Expect failure with this code and a message that ends with want (after "path: "). */
static void
fails(int rc, const struct err *e, int code, const char *want, const char *title)
{
	size_t n = strlen(e->msg), w = strlen(want);
	int good = rc == -1 && e->code == code && n >= w && strcmp(e->msg + n - w, want) == 0;

	ok(good, title);
	if (!good)
		printf("# rc %d, code %d, message: %s\n# wanted %d, ...%s\n", rc, e->code, e->msg, code, want);
}

#define COMMON \
	"\"UuidTable\": {\"FirebaseCredentialsFileURL\": \"gs://c/f\", \"TableName\": \"T\", \"UuidPrefix\": \"u-\"}," \
	"\"OperationsDashboard\": {\"FirebaseCredentialsFileURL\": \"gs://c/f\"}," \
	"\"ProjectStartDate\": \"2020-11-01T00:00:00+03:00\", \"ProjectEndDate\": \"2020-11-01T24:00+03:00\"," \
	"\"FilterTestMessages\": true, \"MoveWSMessages\": false," \
	"\"AutomatedAnalysis\": {\"GenerateRegionThemeDistributionMaps\": false," \
	" \"GenerateDistrictThemeDistributionMaps\": true, \"GenerateMogadishuThemeDistributionMaps\": false}," \
	"\"MemoryProfileUploadBucket\": \"gs://b\", \"DataArchiveUploadBucket\": \"file:///tmp/archive\"," \
	"\"BucketDirPath\": \"2020/X/\", \"SomeFutureKey\": [1, 2]"

static const char good_config[] = "{\"PipelineName\": \"Demo\","
    "\"RawDataSources\": ["
    " {\"SourceType\": \"RapidPro\", \"Domain\": \"http://127.0.0.1:8000\", \"TokenFileURL\": \"tok\","
    "  \"ActivationFlowNames\": [\"act_1\", \"act_2\"], \"SurveyFlowNames\": [\"demog\"]},"
    " {\"SourceType\": \"GCloudBucket\", \"SurveyFlowURLs\": [\"gs://b/dir/csap_s10_demog.jsonl\", \"local/a.b.c\"]},"
    " {\"SourceType\": \"RecoveryCSV\", \"ActivationFlowURLs\": [\"gs://b/recovered.csv\"]},"
    " {\"SourceType\": \"Facebook\", \"PageID\": \"P1\", \"TokenFileURL\": \"gs://c/t\","
    "  \"GraphAPIBaseURL\": \"http://127.0.0.1:9000/v8.0\","
    "  \"Datasets\": [{\"Name\": \"fb_e01\", \"PostIDs\": [\"1_2\"]},"
    "   {\"Name\": \"fb_e02\", \"Search\": {\"Match\": \"#Hage\", \"StartDate\": \"2020-12-21T00:00+03:00\","
    "   \"EndDate\": \"2020-12-27T24:00+03:00\"}}]}"
    "],"
    "\"TimestampRemappings\": [{\"TimeKey\": \"sent_on\", \"ShowPipelineKeyToRemapTo\": \"rqa_e02_raw\"},"
    " {\"TimeKey\": \"sent_on\", \"ShowPipelineKeyToRemapTo\": \"rqa_e03_raw\","
    "  \"RangeStartInclusive\": \"2020-11-01T00:00:00Z\", \"RangeEndExclusive\": null,"
    "  \"TimeToAdjustTo\": \"2020-11-02T10:00+03:00\"}],"
    "\"SourceKeyRemappings\": [{\"SourceKey\": \"avf_phone_id\", \"PipelineKey\": \"uid\"},"
    " {\"SourceKey\": \"Rqa (Text) - act_1\", \"PipelineKey\": \"rqa_raw\", \"IsActivationMessage\": true}],"
    "\"CodingPlans\": \"plans/demo_plans.json\", \"CodeSchemesDir\": \"/abs/schemes\","
    COMMON "}";

static void
test_config(void)
{
	struct pipeline_config c;
	const struct str_list *act, *surv;
	struct err e;
	char *path;
	int rc;

	path = put("good.json", good_config);
	rc = config_load(&c, path, &e);
	ok(rc == 0, "a valid configuration loads");
	if (rc == -1) {
		printf("# %s\n", e.msg);
		return;
	}
	ok(streq(c.pipeline_name, "Demo") && c.n_sources == 4, "pipeline name and 4 sources");
	act = config_activation_flows(&c);
	surv = config_survey_flows(&c);
	ok(act->n == 5 && streq(act->v[0], "act_1") && streq(act->v[1], "act_2") && streq(act->v[2], "recovered")
	    && streq(act->v[3], "fb_e01_P1") && streq(act->v[4], "fb_e02_P1"),
	    "activation flows: RapidPro names, URL basename before the first dot, {dataset}_{page}");
	ok(surv->n == 3 && streq(surv->v[0], "demog") && streq(surv->v[1], "csap_s10_demog")
	    && streq(surv->v[2], "a"), "survey flows in config order: url.split('/')[-1].split('.')[0]");
	ok(c.sources[0].type == SOURCE_RAPIDPRO && streq(c.sources[0].domain, "http://127.0.0.1:8000")
	    && c.sources[0].test_contact_uuids.n == 0, "RapidPro Domain as a full URL; TestContactUUIDs default []");
	ok(c.sources[3].type == SOURCE_FACEBOOK && streq(c.sources[3].graph_api_base_url, "http://127.0.0.1:9000/v8.0")
	    && c.sources[3].datasets[1].has_search && !c.sources[3].datasets[1].has_post_ids
	    && c.sources[3].datasets[1].search.end_usec == 1609102800LL * 1000000,
	    "Facebook GraphAPIBaseURL, Search window with T24:00");
	ok(c.n_timestamp_remappings == 2 && c.timestamp_remappings[0].range_start_usec == INT64_MIN
	    && c.timestamp_remappings[0].range_end_usec == INT64_MAX
	    && c.timestamp_remappings[0].time_to_adjust_to == NULL,
	    "TimestampRemappings: missing range is datetime.min/max");
	ok(c.timestamp_remappings[1].range_start_usec == 1604188800LL * 1000000
	    && c.timestamp_remappings[1].range_end_usec == INT64_MAX
	    && streq(c.timestamp_remappings[1].time_to_adjust_to, "2020-11-02T10:00+03:00")
	    && c.timestamp_remappings[1].adjust_to.offset_min == 180,
	    "TimestampRemappings: start parsed, null end is the default, TimeToAdjustTo kept");
	ok(c.n_source_key_remappings == 2 && !c.source_key_remappings[0].is_activation_message
	    && c.source_key_remappings[1].is_activation_message
	    && streq(c.source_key_remappings[1].pipeline_key, "rqa_raw"), "SourceKeyRemappings in order");
	ok(c.project_start.usec == 1604178000LL * 1000000 && c.project_end.usec == 1604264400LL * 1000000
	    && streq(c.project_start_text, "2020-11-01T00:00:00+03:00"), "project dates as instants");
	ok(c.filter_test_messages == 1 && c.move_ws_messages == 0 && c.automated_analysis.district_maps == 1
	    && !c.has_drive_upload && !c.automated_analysis.has_traffic_labels, "flags");
	{
		char want[600];

		snprintf(want, sizeof want, "%s/plans/demo_plans.json", tmpdir);
		ok(streq(c.coding_plans, want) && streq(c.code_schemes_dir, "/abs/schemes"),
		    "CodingPlans relative to the config's directory, CodeSchemesDir absolute kept");
	}
	config_free(&c);
	config_free(&c);
	ok(1, "config_free twice is safe");
}

static void
test_config_errors(void)
{
	struct pipeline_config c;
	struct err e;
	char doc[8192];
	int rc;

	snprintf(doc, sizeof doc, "{\"PipelineName\": \"X\", \"RawDataSources\": [{\"SourceType\": \"RapidPro\","
	    " \"Domain\": \"d\", \"TokenFileURL\": \"t\", \"ActivationFlowNames\": [\"a\", \"b\", 3]}], %s}", COMMON);
	rc = config_load(&c, put("e1.json", doc), &e);
	fails(rc, &e, EX_CONFIG, "e1.json: .RawDataSources[0].ActivationFlowNames[2]: expected a string, found a number",
	    "wrong type in a list names the element");
	snprintf(doc, sizeof doc, "{\"PipelineName\": \"X\", \"RawDataSources\": [], %s}", COMMON);
	rc = config_load(&c, put("e2.json", doc), &e);
	fails(rc, &e, EX_CONFIG, "e2.json: .SourceKeyRemappings: missing (expected an array of {SourceKey, PipelineKey} objects)",
	    "missing required key");
	snprintf(doc, sizeof doc, "{\"PipelineName\": \"\", \"RawDataSources\": [], %s}", COMMON);
	rc = config_load(&c, put("e3.json", doc), &e);
	fails(rc, &e, EX_CONFIG, "e3.json: .PipelineName: expected a non-empty string, found an empty string",
	    "empty string");
	rc = config_load(&c, put("e4.json", "{\"PipelineName\": \"X\", \"RawDataSources\": [],"
	    " \"UuidTable\": {\"FileURL\": \"uuids.jsonl\", \"UuidPrefix\": \"u-\"},"
	    " \"OperationsDashboard\": {\"FirebaseCredentialsFileURL\": \"s3://x\"}}"), &e);
	fails(rc, &e, EX_CONFIG, "e4.json: .OperationsDashboard.FirebaseCredentialsFileURL: expected a gs:// URL, "
	    "a file:// URL or a local path, found a 's3' URL", "a URL scheme other than gs or file");
	rc = config_load(&c, put("e5.json", "{\"PipelineName\": \"X\",\n \"RawDataSources\": [,]}"), &e);
	fails(rc, &e, EX_CONFIG, "e5.json:2:21: invalid JSON: unexpected token near ','", "invalid JSON gives line:column");
	rc = config_load(&c, "/nonexistent/td-config.json", &e);
	fails(rc, &e, EX_NOINPUT, "/nonexistent/td-config.json: cannot open: No such file or directory",
	    "a missing file is EX_NOINPUT");
}

static const char scheme_doc[] = "{\"SchemeID\": \"Scheme-1\", \"Name\": \"Test\", \"Version\": \"0.0.1\", \"Codes\": ["
    "{\"CodeID\": \"code-a\", \"CodeType\": \"Normal\", \"DisplayText\": \"a\", \"NumericValue\": 1,"
    " \"StringValue\": \"a\", \"VisibleInCoda\": true, \"Shortcut\": \"\xc3\xa4\", \"MatchValues\": [\"a\", \"alpha\"]},"
    "{\"CodeID\": \"code-b\", \"CodeType\": \"Normal\", \"DisplayText\": \"b\", \"NumericValue\": 2,"
    " \"StringValue\": \"b\", \"VisibleInCoda\": true, \"MatchValues\": [\"b\"], \"Color\": \"#fff\"},"
    "{\"CodeID\": \"code-NA\", \"CodeType\": \"Control\", \"ControlCode\": \"NA\", \"DisplayText\": \"NA\","
    " \"NumericValue\": -10, \"StringValue\": \"NA\", \"VisibleInCoda\": false, \"MatchValues\": [\"NA\"]},"
    "{\"CodeID\": \"code-Q\", \"CodeType\": \"Meta\", \"MetaCode\": \"question\", \"DisplayText\": \"question\","
    " \"NumericValue\": -100010, \"StringValue\": \"question\", \"VisibleInCoda\": true, \"ControlCode\": null}"
    "]}";

static void
test_scheme(void)
{
	struct code_scheme s;
	struct err e;
	char doc[4096];
	int rc;

	rc = scheme_load(&s, put("test.json", scheme_doc), &e);
	ok(rc == 0 && s.n_codes == 4 && streq(s.scheme_id, "Scheme-1") && streq(s.version, "0.0.1"), "a scheme loads");
	if (rc == -1) {
		printf("# %s\n", e.msg);
		return;
	}
	ok(scheme_code_by_id(&s, "code-b") == &s.codes[1] && scheme_code_by_id(&s, "code-x") == NULL, "by code id");
	ok(scheme_code_by_control(&s, "NA") == &s.codes[2] && scheme_code_by_control(&s, "question") == NULL,
	    "by control code: Control codes only");
	ok(scheme_code_by_meta(&s, "question") == &s.codes[3] && scheme_code_by_meta(&s, "NA") == NULL,
	    "by meta code: Meta codes only");
	ok(scheme_code_by_match_value(&s, "alpha") == &s.codes[0] && scheme_code_by_match_value(&s, "NA") == &s.codes[2]
	    && scheme_code_by_match_value(&s, "Alpha") == NULL, "by match value, exact");
	ok(s.codes[0].numeric_value == 1 && s.codes[3].numeric_value == -100010 && streq(s.codes[1].color, "#fff")
	    && s.codes[0].n_match_values == 2 && s.codes[3].n_match_values == 0 && !s.codes[3].has_match_values
	    && streq(s.codes[0].shortcut, "\xc3\xa4") && s.codes[3].control_code == NULL && s.codes[2].scheme == &s,
	    "every field kept (a one-code-point Shortcut of two bytes)");
	ok(json_object_get(s.codes[1].json, "Color") != NULL && json_object_get(s.root, "Codes") != NULL,
	    "the JSON is kept");
	scheme_free(&s);

	snprintf(doc, sizeof doc, "%s", scheme_doc);
	memcpy(strstr(doc, "code-b"), "code-a", 6);
	rc = scheme_load(&s, put("dup.json", doc), &e);
	fails(rc, &e, EX_CONFIG, "dup.json: .Codes[1].CodeID: duplicate code id 'code-a' (also .Codes[0].CodeID)",
	    "duplicate code id");
	snprintf(doc, sizeof doc, "%s", scheme_doc);
	memcpy(strstr(doc, "[\"b\"]"), "[\"a\"]", 5);
	rc = scheme_load(&s, put("dupmv.json", doc), &e);
	fails(rc, &e, EX_CONFIG, "dupmv.json: .Codes[1].MatchValues[0]: duplicate match value 'a' (also .Codes[0].MatchValues[0])",
	    "match values are unique across codes");
	snprintf(doc, sizeof doc, "%s", scheme_doc);
	memcpy(strstr(doc, "\"MetaCode\""), "\"MetaCodx\"", 10);
	rc = scheme_load(&s, put("nometa.json", doc), &e);
	fails(rc, &e, EX_CONFIG, "nometa.json: .Codes[3].MetaCode: missing (expected a non-empty string)",
	    "a Meta code needs MetaCode");
}

static const char plans_doc[] = "{\"_comment\": \"test\", \"WSCorrectDatasetScheme\": \"test.json\","
    "\"EngagementTypeWindows\": [{\"Dataset\": \"e01\", \"Code\": \"a\", \"Start\": \"2020-11-01T16:30+03:00\","
    " \"End\": \"2020-11-01T24:00+03:00\"}],"
    "\"RQACodingPlans\": [{\"RawField\": \"rqa_raw\", \"WSCode\": \"alpha\", \"RawFieldFoldStrategy\": \"concatenate\","
    " \"CodingConfigurations\": [{\"CodedField\": \"rqa_coded\", \"CodingMode\": \"MULTIPLE\", \"CodeScheme\": \"test.json\","
    " \"FoldStrategy\": \"list_of_labels\"}]}],"
    "\"DemogCodingPlans\": [{\"RawField\": \"x_raw\", \"DatasetName\": \"x\", \"IDField\": \"x_id\","
    " \"MessageIDKey\": \"x_comment_id\", \"RawFieldFoldStrategy\": \"assert_equal\", \"CodeImputation\": null,"
    " \"CodingConfigurations\": [{\"CodedField\": \"x_coded\", \"CodingMode\": \"SINGLE\", \"CodeScheme\": \"./test.json\","
    " \"RawField\": \"x_other_raw\", \"Cleaner\": {\"Name\": \"engagement_type\", \"Dataset\": \"e01\"},"
    " \"RequiresManualVerification\": false, \"AnalysisFileKey\": \"x\", \"FoldStrategy\": null,"
    " \"IncludeInThemeDistribution\": false}]}],"
    "\"EngagementCodingPlans\": []}";

static void
test_plans(void)
{
	struct coding_plans p;
	const struct coding_plan *all, *rqa, *survey;
	const struct engagement_window *w;
	size_t n, nr, ns, nw;
	struct err e;
	char doc[8192];
	int rc;

	put("test.json", scheme_doc);
	rc = plans_load(&p, put("plans.json", plans_doc), tmpdir, &e);
	ok(rc == 0, "a plans file loads");
	if (rc == -1) {
		printf("# %s\n", e.msg);
		return;
	}
	all = plans_all(&p, &n);
	rqa = plans_rqa(&p, &nr);
	survey = plans_survey(&p, &ns);
	ok(n == 2 && nr == 1 && ns == 1 && rqa == all && survey == all + 1 && p.n_ccs == 2, "groups and accessors");
	ok(streq(rqa->dataset_name, "rqa_raw") && streq(rqa->id_field, "rqa_raw_id")
	    && streq(rqa->message_id_key, "rqa_raw") && rqa->time_field == NULL && rqa->coda_filename == NULL,
	    "defaults: DatasetName = RawField, IDField = RawField_id, MessageIDKey = RawField");
	ok(rqa->ccs[0].requires_manual_verification && rqa->ccs[0].include_in_theme_distribution
	    && rqa->ccs[0].include_in_individuals_file && rqa->ccs[0].cleaner.kind == CLEANER_NONE
	    && streq(rqa->ccs[0].raw_field, "rqa_raw") && !rqa->ccs[0].own_raw_field
	    && rqa->ccs[0].fold_strategy == FOLD_LIST_OF_LABELS && rqa->ccs[0].plan == rqa,
	    "coding configuration defaults");
	ok(rqa->ws_code != NULL && streq(rqa->ws_code->code_id, "code-a") && survey->ws_code == NULL
	    && plans_ws_scheme(&p) == rqa->ccs[0].code_scheme, "WS code resolved by match value");
	ok(survey->ccs[0].code_scheme == rqa->ccs[0].code_scheme && p.n_schemes == 1 && plans_scheme_at(&p, 0) != NULL,
	    "one scheme file, loaded once, shared (test.json and ./test.json)");
	ok(streq(survey->message_id_key, "x_comment_id") && streq(survey->id_field, "x_id")
	    && streq(survey->ccs[0].raw_field, "x_other_raw") && survey->ccs[0].own_raw_field
	    && survey->ccs[0].cleaner.kind == CLEANER_ENGAGEMENT_TYPE && streq(survey->ccs[0].cleaner.dataset, "e01")
	    && !survey->ccs[0].requires_manual_verification && survey->ccs[0].fold_strategy == FOLD_NONE
	    && !survey->ccs[0].include_in_theme_distribution && survey->ccs[0].include_in_individuals_file,
	    "given fields are kept");
	w = plans_engagement_windows(&p, &nw);
	ok(nw == 1 && streq(w[0].code, "a") && w[0].end_usec == 1604264400LL * 1000000, "engagement windows");
	plans_free(&p);

	snprintf(doc, sizeof doc, "%s", plans_doc);
	memcpy(strstr(doc, "\"alpha\""), "\"omega\"", 7);
	rc = plans_load(&p, put("p1.json", doc), tmpdir, &e);
	fails(rc, &e, EX_CONFIG, "p1.json: .RQACodingPlans[0].WSCode: no code in test.json has match value 'omega'",
	    "a WS code that matches nothing");
	snprintf(doc, sizeof doc, "%s", plans_doc);
	memcpy(strstr(doc, "\"./test.json\""), "\"./gone.json\"", 13);
	rc = plans_load(&p, put("p2.json", doc), tmpdir, &e);
	ok(rc == -1 && e.code == EX_CONFIG && strstr(e.msg, "p2.json: .DemogCodingPlans[0].CodingConfigurations[0]"
	    ".CodeScheme: code scheme ") != NULL && strstr(e.msg, "gone.json: cannot open") != NULL,
	    "a missing scheme file is EX_CONFIG naming the plan path");
	snprintf(doc, sizeof doc, "%s", plans_doc);
	memcpy(strstr(doc, "\"Code\": \"a\""), "\"Code\": \"z\"", 11);
	rc = plans_load(&p, put("p3.json", doc), tmpdir, &e);
	fails(rc, &e, EX_CONFIG, "p3.json: .EngagementTypeWindows[0].Code: 'z' is not a match value of ./test.json "
	    "(the scheme of the engagement_type cleaner at .DemogCodingPlans[0].CodingConfigurations[0].Cleaner)",
	    "engagement window codes are match values of the cleaner's scheme");
	rc = plans_load(&p, put("p4.json", "{\"RQACodingPlans\": [{\"RawField\": \"r\", \"RawFieldFoldStrategy\": \"zip\","
	    " \"CodingConfigurations\": []}]}"), tmpdir, &e);
	fails(rc, &e, EX_CONFIG, "p4.json: .RQACodingPlans[0].RawFieldFoldStrategy: unknown fold strategy 'zip' "
	    "(expected one of assert_equal, concatenate, boolean_or, matrix, yes_no_amb, assert_label_ids_equal, "
	    "list_of_labels, engagement_type)", "unknown fold strategy");
	rc = plans_load(&p, put("p5.json", "{\"RQACodingPlans\": [], \"Extra\": 1}"), tmpdir, &e);
	ok(rc == -1 && e.code == EX_CONFIG && strstr(e.msg, "p5.json: .Extra: unknown key") != NULL,
	    "unknown keys are typing mistakes");
	rc = plans_load(&p, put("p6.json", "{}"), NULL, &e);
	ok(rc == 0 && p.n_plans == 0 && p.n_schemes == 0 && plans_ws_scheme(&p) == NULL, "an empty plans file is valid");
	plans_free(&p);
}

int
main(void)
{
	char cmd[600];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_config();
	test_config_errors();
	test_scheme();
	test_plans();
	printf("1..%d\n", ntest);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return nfail != 0;
}
