#!/bin/sh
# td-remap: translate source keys (pipeline.md §5.2) — show ids, radio-show time remappings, key renames
# (the last non-null source in config order wins), the RQA raw key, null answers hidden; and -m renames.

. "$(dirname "$0")/test-lib.sh"

require_shared

TOMB='#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0'
SQ="'"

# A tiny coding plan: one RQA plan (show_a_raw, time sent_on), a demographic with a time field and one
# without (as operator_raw).
cat >scheme.json <<'EOF'
{"SchemeID": "Scheme-t1", "Name": "t", "Version": "0.0.0.1", "Codes": [
 {"CodeID": "code-a", "CodeType": "Normal", "DisplayText": "a", "NumericValue": 1, "StringValue": "a", "VisibleInCoda": true}]}
EOF
cat >plans.json <<'EOF'
{"RQACodingPlans": [
  {"RawField": "show_a_raw", "TimeField": "sent_on", "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [{"CodedField": "show_a_coded", "CodingMode": "SINGLE", "CodeScheme": "scheme.json", "FoldStrategy": null}]}],
 "DemogCodingPlans": [
  {"RawField": "gender_raw", "TimeField": "gender_time", "RawFieldFoldStrategy": "assert_equal",
   "CodingConfigurations": [{"CodedField": "gender_coded", "CodingMode": "SINGLE", "CodeScheme": "scheme.json", "FoldStrategy": null}]},
  {"RawField": "op_raw", "RawFieldFoldStrategy": "assert_equal",
   "CodingConfigurations": [{"CodedField": "op_coded", "CodingMode": "SINGLE", "CodeScheme": "scheme.json", "FoldStrategy": null}]}]}
EOF
# The required keys of the real SMS config, with remappings of our own.
jq '{PipelineName, RawDataSources: [{SourceType: "RapidPro", Domain: "x", TokenFileURL: "t", ActivationFlowNames: ["a"]}],
     UuidTable, OperationsDashboard, ProjectStartDate, ProjectEndDate, FilterTestMessages, MoveWSMessages,
     AutomatedAnalysis: (.AutomatedAnalysis | del(.TrafficLabels)), MemoryProfileUploadBucket,
     DataArchiveUploadBucket, BucketDirPath, CodingPlans: "plans.json",
     SourceKeyRemappings: [
       {SourceKey: "pid", PipelineKey: "uid"},
       {SourceKey: "A (Text)", PipelineKey: "show_a_raw", IsActivationMessage: true},
       {SourceKey: "A (Time)", PipelineKey: "sent_on"},
       {SourceKey: "B (Text)", PipelineKey: "show_b_raw", IsActivationMessage: true},
       {SourceKey: "B (Time)", PipelineKey: "sent_on"},
       {SourceKey: "G (Text) - d1", PipelineKey: "gender_raw"},
       {SourceKey: "G (Time) - d1", PipelineKey: "gender_time"},
       {SourceKey: "G (Text) - d2", PipelineKey: "gender_raw"},
       {SourceKey: "G (Time) - d2", PipelineKey: "gender_time"},
       {SourceKey: "Op", PipelineKey: "op_raw"}]}' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >cfg.json

test_expect_success 'the test configuration is valid' '
	td-check -c cfg.json >/dev/null
'

test_expect_success 'show ids: the non-null activation key gives rqa_message, show_pipeline_key and the RQA raw key' '
	cat >in.jsonl <<-\EOF &&
	{"pid": "p1", "A (Text)": "hello", "A (Time)": "2020-11-05T09:00:00+00:00"}
	{"pid": "p2", "A (Text)": null, "B (Text)": "bee", "B (Time)": "2020-11-06T09:00:00+00:00"}
	{"pid": "p3", "A (Text)": "", "A (Time)": "2020-11-07T09:00:00+00:00"}
	EOF
	cat >expect <<-\EOF &&
	{"A (Text)": "hello", "rqa_message": "hello", "show_pipeline_key": "show_a_raw", "uid": "p1", "sent_on": "2020-11-05T09:00:00+00:00", "show_a_raw": "hello"}
	{"A (Text)": null, "B (Text)": "bee", "rqa_message": "bee", "show_pipeline_key": "show_b_raw", "uid": "p2", "sent_on": "2020-11-06T09:00:00+00:00", "show_b_raw": "bee"}
	{"A (Text)": "", "rqa_message": "", "show_pipeline_key": "show_a_raw", "uid": "p3", "sent_on": "2020-11-07T09:00:00+00:00", "show_a_raw": ""}
	EOF
	td-remap -c cfg.json in.jsonl >actual &&
	test_cmp expect actual
'

cat >two.jsonl <<'EOF'
{"pid": "p0"}
{"pid": "p1", "A (Text)": "x", "B (Text)": "y"}
{"pid": "p2"}
EOF

test_expect_code 65 'two activation keys set in one record is an error (set_show_ids asserts)' '
	td-remap -c cfg.json two.jsonl >out 2>err
'

test_expect_success '... naming both keys; records before it were written' '
	echo "td-remap: two.jsonl:2: more than one activation message (\"A (Text)\" and \"B (Text)\"); expected one per record" >expect &&
	test_cmp expect err &&
	echo "{\"uid\": \"p0\"}" >expect &&
	test_cmp expect out
'

test_expect_success '--skip-bad skips it, says so and counts' '
	td-remap --skip-bad -c cfg.json two.jsonl >out 2>err &&
	cat >expect <<-\EOF &&
	td-remap: two.jsonl:2: more than one activation message ("A (Text)" and "B (Text)"); expected one per record (skipped)
	td-remap: skipped 1 bad record
	EOF
	test_cmp expect err &&
	printf "%s\n" "{\"uid\": \"p0\"}" "{\"uid\": \"p2\"}" >expect &&
	test_cmp expect out
'

test_expect_success 'key renames: the last non-null source in config order wins; a later null does not override' '
	cat >in.jsonl <<-\EOF &&
	{"pid": "p4", "G (Text) - d1": "male", "G (Time) - d1": "t1", "G (Text) - d2": "female", "G (Time) - d2": "t2"}
	{"pid": "p5", "G (Text) - d1": "male", "G (Time) - d1": "t1", "G (Text) - d2": null, "G (Time) - d2": "t2"}
	{"pid": "p6", "G (Text) - d1": null, "G (Time) - d1": "t1", "G (Text) - d2": "female", "G (Time) - d2": "t2"}
	{"pid": "p6b", "G (Text) - d2": "female", "G (Time) - d2": "t2", "G (Text) - d1": "male", "G (Time) - d1": "t1"}
	EOF
	cat >expect <<-\EOF &&
	{"uid": "p4", "gender_raw": "female", "gender_time": "t2"}
	{"uid": "p5", "gender_raw": "male", "gender_time": "t2"}
	{"uid": "p6", "gender_raw": "female", "gender_time": "t2"}
	{"uid": "p6b", "gender_raw": "female", "gender_time": "t2"}
	EOF
	td-remap -c cfg.json in.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'a pipeline key already present: its source is neither renamed nor hidden' '
	echo "{\"pid\": \"p8\", \"gender_raw\": \"kept\", \"G (Text) - d1\": \"male\", \"G (Time) - d1\": \"t1\"}" >in.jsonl &&
	echo "{\"gender_raw\": \"kept\", \"G (Text) - d1\": \"male\", \"uid\": \"p8\", \"gender_time\": \"t1\"}" >expect &&
	td-remap -c cfg.json in.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'null answers are hidden with their time field (hide_null_messages); a plan without one hides the raw key' '
	cat >in.jsonl <<-\EOF &&
	{"pid": "p7", "G (Text) - d1": null, "G (Time) - d1": "t1", "G (Text) - d2": null, "G (Time) - d2": "t2", "Op": null}
	{"pid": "p7b", "gender_raw": null, "gender_time": "t0", "Op": "25261"}
	EOF
	cat >expect <<-\EOF &&
	{"uid": "p7"}
	{"uid": "p7b", "op_raw": "25261"}
	EOF
	td-remap -c cfg.json in.jsonl >actual &&
	test_cmp expect actual
'

# Remapping 1: [2020-11-05T12:00+03:00, 2020-11-06T00:00+03:00) → show_b_raw, time set to 2020-11-11T24:00+03:00
# (hour 24: the next day). Remapping 2: from 2021 on, no end → show_c_raw, time with microseconds in Z.
# Remapping 3: before 2020, no start → show_a_raw, time kept.
jq '.TimestampRemappings = [
      {TimeKey: "A (Time)", ShowPipelineKeyToRemapTo: "show_b_raw", RangeStartInclusive: "2020-11-05T12:00:00+03:00",
       RangeEndExclusive: "2020-11-06T00:00+03:00", TimeToAdjustTo: "2020-11-11T24:00+03:00"},
      {TimeKey: "A (Time)", ShowPipelineKeyToRemapTo: "show_c_raw", RangeStartInclusive: "2021-01-01T00:00:00Z",
       TimeToAdjustTo: "2021-01-01T00:00:00.25Z"},
      {TimeKey: "B (Time)", ShowPipelineKeyToRemapTo: "show_a_raw", RangeEndExclusive: "2020-01-01T00:00:00Z"}]' \
	cfg.json >ts.json

test_expect_success 'timestamp remappings: start inclusive, end exclusive, open ends, TimeToAdjustTo in isoformat' '
	cat >in.jsonl <<-\EOF &&
	{"A (Text)": "at start", "A (Time)": "2020-11-05T09:00:00+00:00"}
	{"A (Text)": "before", "A (Time)": "2020-11-05T08:59:59.999999+00:00"}
	{"A (Text)": "at end", "A (Time)": "2020-11-05T21:00:00Z"}
	{"A (Text)": "late", "A (Time)": "2022-03-01T10:00:00+00:00"}
	{"B (Text)": "old", "B (Time)": "2019-06-01T10:00:00+00:00"}
	{"B (Text)": "new", "B (Time)": "2020-06-01T10:00:00+00:00"}
	{"A (Text)": "no time"}
	EOF
	cat >expect <<-\EOF &&
	{"A (Text)": "at start", "rqa_message": "at start", "show_pipeline_key": "show_b_raw", "sent_on": "2020-11-12T00:00:00+03:00", "show_b_raw": "at start"}
	{"A (Text)": "before", "rqa_message": "before", "show_pipeline_key": "show_a_raw", "sent_on": "2020-11-05T08:59:59.999999+00:00", "show_a_raw": "before"}
	{"A (Text)": "at end", "rqa_message": "at end", "show_pipeline_key": "show_a_raw", "sent_on": "2020-11-05T21:00:00Z", "show_a_raw": "at end"}
	{"A (Text)": "late", "rqa_message": "late", "show_pipeline_key": "show_c_raw", "sent_on": "2021-01-01T00:00:00.250000+00:00", "show_c_raw": "late"}
	{"B (Text)": "old", "rqa_message": "old", "show_pipeline_key": "show_a_raw", "sent_on": "2019-06-01T10:00:00+00:00", "show_a_raw": "old"}
	{"B (Text)": "new", "rqa_message": "new", "show_pipeline_key": "show_b_raw", "sent_on": "2020-06-01T10:00:00+00:00", "show_b_raw": "new"}
	{"A (Text)": "no time", "rqa_message": "no time", "show_pipeline_key": "show_a_raw", "show_a_raw": "no time"}
	EOF
	td-remap -c ts.json in.jsonl >actual &&
	test_cmp expect actual
'

test_expect_code 65 'a remapped time without an activation message is an error (the reference crashes)' '
	echo "{\"A (Time)\": \"2020-11-05T10:00:00+00:00\"}" | td-remap -c ts.json 2>err
'

test_expect_success '... with a message' '
	echo "td-remap: <stdin>:1: \"show_pipeline_key\" is set but \"rqa_message\" is missing" >expect &&
	test_cmp expect err
'

test_expect_code 65 'a time key that is not an ISO-8601 date-time is an error' '
	echo "{\"A (Text)\": \"x\", \"A (Time)\": \"yesterday\"}" | td-remap -c ts.json 2>err
'

test_expect_success '... naming the key' '
	echo "td-remap: <stdin>:1: \"A (Time)\": not an ISO-8601 date-time: ${SQ}yesterday${SQ} (expected a date YYYY-MM-DD)" >expect &&
	test_cmp expect err
'

test_expect_success '-m renames after the config steps; renames apply in order' '
	echo "{\"pid\": \"p1\", \"A (Text)\": \"hello\"}" | td-remap -c cfg.json -m uid=participant -m show_a_raw=text >actual &&
	echo "{\"A (Text)\": \"hello\", \"rqa_message\": \"hello\", \"show_pipeline_key\": \"show_a_raw\", \"participant\": \"p1\", \"text\": \"hello\"}" >expect &&
	test_cmp expect actual &&
	printf "%s\n" "{\"a\": 1, \"b\": 2}" "{\"c\": 3}" "{\"a\": null}" | td-remap -m a=x -m b=a >actual &&
	printf "%s\n" "{\"x\": 1, \"a\": 2}" "{\"c\": 3}" "{\"x\": null}" >expect &&
	test_cmp expect actual &&
	echo "{\"a\": 1, \"b\": 2}" | td-remap --map a=b >actual &&
	echo "{\"b\": 1}" >expect &&
	test_cmp expect actual
'

test_expect_success 'traced: one history entry per changed record; unchanged records are byte-identical; all verify' '
	cat >in.jsonl <<-\EOF &&
	{"pid": "p1", "A (Text)": "hello", "A (Time)": "2020-11-05T09:00:00+00:00"}
	{"other": 1}
	{"pid": "p7", "G (Text) - d1": null, "G (Time) - d1": "t1", "G (Text) - d2": null, "G (Time) - d2": "t2", "Op": null}
	{"A (Text)": null}
	EOF
	td-cat -t in.jsonl >in.t &&
	td-remap -c cfg.json -m uid=participant in.t >out.t &&
	td-cat -q --verify out.t &&
	jq -c length out.t >actual &&
	printf "%s\n" 2 1 2 1 >expect &&
	test_cmp expect actual &&
	sed -n "2p;4p" in.t >expect &&
	sed -n "2p;4p" out.t >actual &&
	test_cmp expect actual &&
	td-cat --flat out.t >actual &&
	td-cat --flat in.jsonl | td-remap -c cfg.json -m uid=participant | jq -cS . >expect &&
	jq -cS . actual >actual.sorted &&
	test_cmp expect actual.sorted
'

test_expect_success 'the entry holds every key changed, hidden keys as the CoreDataModules tombstone' '
	v=$(td-remap --version | sed "s/.* //") &&
	jq -c ".[0] | [.Data, .Metadata]" out.t | head -1 >actual &&
	cat >expect <<-EOF &&
	[{"A (Time)":"$TOMB","participant":"p1","pid":"$TOMB","rqa_message":"hello","sent_on":"2020-11-05T09:00:00+00:00","show_a_raw":"hello","show_pipeline_key":"show_a_raw","uid":"$TOMB"},{"Source":"td-remap $v","Timestamp":"2020-09-13T12:26:40.000000+00:00","User":"test@tdtools"}]
	EOF
	test_cmp expect actual
'

# A record as CoreDataModules writes it: "Op" set, then hidden with the tombstone (hide_keys).
test_expect_success 'a key hidden by CoreDataModules is absent: not renamed, not hidden again' '
	e1="{\"data\": {\"Op\": null, \"pid\": \"p9\"}, \"prev_sha\": \"\"}" &&
	s1=$(printf "%s" "$e1" | sha256sum | cut -c1-64) &&
	e2="{\"data\": {\"Op\": \"$TOMB\"}, \"prev_sha\": \"$s1\"}" &&
	s2=$(printf "%s" "$e2" | sha256sum | cut -c1-64) &&
	md="\"Metadata\": {\"Source\": \"cdm\", \"Timestamp\": 1.5, \"User\": \"u\"}, \"NestedTracedData\": {}" &&
	echo "[{\"Data\": {\"Op\": \"$TOMB\"}, $md, \"SHA\": \"$s2\"}, {\"Data\": {\"Op\": null, \"pid\": \"p9\"}, $md, \"SHA\": \"$s1\"}]" >cdm.t &&
	td-cat -q --verify cdm.t &&
	td-remap -c cfg.json cdm.t >out.t &&
	td-cat -q --verify out.t &&
	td-cat --flat out.t >actual &&
	echo "{\"uid\": \"p9\"}" >expect &&
	test_cmp expect actual &&
	jq -c ".[0].Data" out.t >actual &&
	echo "{\"pid\":\"$TOMB\",\"uid\":\"p9\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'the golden SMS data: csap_s08_demog wins over csap_demog, its time too; activation text kept' '
	ibtci_config sms sms.json &&
	td-join -c sms.json -r "$SHARED/golden/sms/Raw Data" | td-remap -c sms.json >remapped &&
	td-cat -q --verify remapped &&
	td-cat --csv "uid,sent_on,gender_raw,gender_time,age_raw,rqa_s08e01_raw,rqa_s08e02_raw,rqa_s08e01_run_id,show_pipeline_key,avf_phone_id,Rqa_S08E01 (Text) - csap_s08e01_activation" remapped >actual &&
	cat >expect <<-\EOF &&
	uid,sent_on,gender_raw,gender_time,age_raw,rqa_s08e01_raw,rqa_s08e02_raw,rqa_s08e01_run_id,show_pipeline_key,avf_phone_id,Rqa_S08E01 (Text) - csap_s08e01_activation
	avf-phone-uuid-A,2020-11-05T09:00:00+00:00,naag,2020-11-05T09:05:00+00:00,25,Odayaasha ayaa khibrad leh,,1,rqa_s08e01_raw,,Odayaasha ayaa khibrad leh
	avf-phone-uuid-B,2020-11-05T10:00:00+00:00,,,,stop,,2,rqa_s08e01_raw,,stop
	avf-phone-uuid-T,2020-11-05T11:00:00+00:00,,,,test msg,,3,rqa_s08e01_raw,,test msg
	avf-phone-uuid-A,2020-11-01T14:00:00+00:00,naag,2020-11-05T09:05:00+00:00,25,,,7,rqa_s08e01_raw,,
	avf-phone-uuid-C,2020-11-12T09:00:00+00:00,wiil,2020-11-12T09:05:00+00:00,I am 2O,,"haa, ""quoted"", comma",,rqa_s08e02_raw,,
	avf-phone-uuid-A,2021-02-18T09:00:00+00:00,naag,2020-11-05T09:05:00+00:00,25,,,,rqa_s08e04_raw,,
	EOF
	test_cmp expect actual
'

test_expect_code 64 '-m without = is a usage error' '
	td-remap -m a </dev/null 2>err
'

test_expect_success '... with a message' '
	echo "td-remap: --map: expected OLD=NEW, got ${SQ}a${SQ}" >expect &&
	test_cmp expect err
'

test_expect_code 64 'nothing to do is a usage error' '
	td-remap </dev/null 2>err
'

test_expect_code 64 '--plans without --config is a usage error' '
	td-remap -p plans.json -m a=b </dev/null 2>err
'

test_expect_code 66 'a missing configuration file' '
	td-remap -c nope.json </dev/null 2>err
'

test_expect_code 78 'a configuration without coding plans (no CodingPlans, no -p)' '
	jq "del(.CodingPlans)" cfg.json >np.json &&
	td-remap -c np.json </dev/null 2>err
'

test_expect_success '... says how to give them' '
	echo "td-remap: np.json: no coding plans: give -p PLANS or set CodingPlans in the config" >expect &&
	test_cmp expect err &&
	echo "{\"Op\": null}" | td-remap -c np.json -p plans.json >actual &&
	echo "{}" >expect &&
	test_cmp expect actual
'

test_expect_success '-v counts records and changed records' '
	printf "%s\n" "{\"pid\": 1}" "{\"x\": 1}" | td-remap -v -c cfg.json >/dev/null 2>err &&
	echo "td-remap: 2 records, 1 changed" >expect &&
	test_cmp expect err
'

test_done
