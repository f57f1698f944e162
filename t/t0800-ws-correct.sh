#!/bin/sh
# ws-correct: wrong-scheme correction (pipeline.md §5.3, steps A–E), the reference's bugs included: the last
# record copied, string-min of survey times, "; " joiner, NC = drop, participants vanishing.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog sha256sum

S=$SHARED/ibtci/code_schemes
WSS=Scheme-fffffc6e
E01=Scheme-3d61135f
E02=Scheme-099c5710
GENDER=Scheme-12cb6f95
WS=code-WS-adb25603b7af
NC=code-NC-42f1d983
TO_E01=code-4d50ef28
TO_E02=code-3c33d7fb
TO_E03=code-42a7b651
TO_GENDER=code-6774cedd
E01_THEME=code-ec7f3f0e
MASK='walk(if type == "object" then (if has("DateTimeUTC") then .DateTimeUTC = "X" else . end
	| if has("OriginID") then .OriginID = "X" else . end) else . end)'
RQA_FIELDS="s08e01 s08e02 s08e03 s08e03_break s08e04 s08e05 s08e06"

sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
# label SCHEME CODE CHECKED
label() {
	printf '{"SchemeID": "%s", "CodeID": "%s", "DateTimeUTC": "2021-01-01T00:00:00.000Z", "Checked": %s, "Origin": {"OriginID": "coder@example.org", "Name": "coder", "OriginType": "Manual"}}' "$1" "$2" "$3"
}
# message TEXT [LABEL ...]: one Coda message, labels newest first (TEXT holds no quote or backslash)
message() {
	text=$1
	shift
	labels=$(IFS=,; printf '%s' "$*")
	printf '{"MessageID": "%s", "Text": "%s", "CreationDateTimeUTC": "2020-11-01T00:00:00+00:00", "Labels": [%s], "SequenceNumber": 0, "LastUpdated": "2021-01-01T00:00:00+00:00"}\n' \
		"$(sha "$text")" "$text" "$labels"
}

# Two RQA plans and the gender survey plan, with the real schemes.
cat >plans.json <<'EOF'
{"WSCorrectDatasetScheme": "ws_correct_dataset.json",
 "RQACodingPlans": [
  {"RawField": "rqa_s08e01_raw", "TimeField": "sent_on", "CodaFilename": "e01.json", "WSCode": "s08e01",
   "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [{"CodedField": "rqa_s08e01_coded", "CodingMode": "MULTIPLE", "CodeScheme": "rqa_s08e01.json", "FoldStrategy": "list_of_labels"}]},
  {"RawField": "rqa_s08e02_raw", "TimeField": "sent_on", "CodaFilename": "e02.json", "WSCode": "s08e02",
   "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [{"CodedField": "rqa_s08e02_coded", "CodingMode": "MULTIPLE", "CodeScheme": "rqa_s08e02.json", "FoldStrategy": "list_of_labels"}]}],
 "DemogCodingPlans": [
  {"RawField": "gender_raw", "TimeField": "gender_time", "CodaFilename": "gender.json", "WSCode": "gender",
   "RawFieldFoldStrategy": "assert_equal",
   "CodingConfigurations": [{"CodedField": "gender_coded", "CodingMode": "SINGLE", "CodeScheme": "gender.json", "FoldStrategy": "assert_label_ids_equal"}]},
  {"RawField": "operator_raw", "RawFieldFoldStrategy": "assert_equal",
   "CodingConfigurations": [{"CodedField": "operator_coded", "CodingMode": "SINGLE", "CodeScheme": "somalia_operator.json", "FoldStrategy": "assert_label_ids_equal"}]}]}
EOF
jq --arg plans "$PWD/plans.json" --arg schemes "$S" '. + {CodingPlans: $plans, CodeSchemesDir: $schemes}' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >cfg.json

mkdir coded
{
	echo '['
	message "hello e01" "$(label $E01 $E01_THEME true)"; echo ,
	message "wrong to nowhere" "$(label $E01 $WS true)" "$(label $WSS $NC true)"; echo ,
	message "unknown target" "$(label $E01 $WS true)" "$(label $WSS $TO_E03 true)"; echo ,
	message "ce one" "$(label $E01 $WS true)"; echo ,
	message "to gender" "$(label $E01 $WS true)" "$(label $WSS $TO_GENDER true)"; echo ,
	message "unchecked" "$(label $E01 $WS true)" "$(label $WSS $TO_E02 false)"
	echo ']'
} >coded/e01.json
{
	echo '['
	message "move me" "$(label $E02 $WS true)" "$(label $WSS $TO_E01 true)"; echo ,
	message "u2 moving" "$(label $E02 $WS true)" "$(label $WSS $TO_E01 true)"; echo ,
	message "ce two" "$(label $WSS $TO_E02 true)"
	echo ']'
} >coded/e02.json
{
	echo '['
	message "wiil" "$(label $GENDER $WS true)" "$(label $WSS $TO_E01 true)"
	echo ']'
} >coded/gender.json

# Participants u2 and u6 are not adjacent: the reference groups over the whole data set.
cat >in.jsonl <<'EOF'
{"uid": "u2", "sent_on": "2020-11-10T10:00:00+00:00", "rqa_s08e02_raw": "u2 moving", "rqa_s08e02_run_id": 21}
{"uid": "u1", "sent_on": "2020-11-10T09:00:00+00:00", "rqa_s08e02_raw": "move me", "rqa_s08e02_run_id": 11}
{"uid": "u3", "sent_on": "2020-11-10T08:00:00+00:00", "rqa_s08e01_raw": "wrong to nowhere"}
{"uid": "u2", "sent_on": "2020-11-03T10:00:00+00:00", "rqa_s08e01_raw": "hello e01", "rqa_s08e01_run_id": 22}
{"uid": "u5", "sent_on": "2020-11-03T11:00:00+00:00", "rqa_s08e01_raw": "unknown target"}
{"uid": "u6", "sent_on": "2020-11-03T12:00:00+00:00", "rqa_s08e01_raw": "ce one"}
{"uid": "u7", "sent_on": "2020-11-04T23:00:00+00:00", "rqa_s08e01_raw": "to gender", "gender_raw": "naag", "gender_time": "2020-11-05T01:00:00+03:00"}
{"uid": "u6", "sent_on": "2020-11-10T12:00:00+00:00", "rqa_s08e02_raw": "ce two"}
{"uid": "u7", "sent_on": "2020-11-06T10:00:00+00:00", "rqa_s08e01_raw": "stays e01", "gender_raw": "naag", "gender_time": "2020-11-05T01:00:00+03:00"}
{"uid": "u4", "sent_on": "2020-11-10T07:00:00+00:00", "rqa_s08e02_raw": "u4 msg", "gender_raw": "wiil", "gender_time": "2020-11-06T08:00:00+00:00"}
{"uid": "u8", "sent_on": "2020-11-03T13:00:00+00:00", "rqa_s08e01_raw": "unchecked"}
EOF

PROJ='{uid, sent_on, e01: .rqa_s08e01_raw, e02: .rqa_s08e02_raw, s01: .rqa_s08e01_raw_source,
	s02: .rqa_s08e02_raw_source, r01: .rqa_s08e01_run_id, r02: .rqa_s08e02_run_id, g: .gender_raw,
	gt: .gender_time, gs: .gender_raw_source, wsd01: .rqa_s08e01_raw_WS_correct_dataset.CodeID,
	wsd02: .rqa_s08e02_raw_WS_correct_dataset.CodeID}'

test_expect_success 'handmade: moves, drops, coding errors, survey moves, in first-appearance order' '
	ws-correct -c cfg.json --coded-dir coded in.jsonl >out.jsonl 2>err &&
	jq -c "$PROJ" out.jsonl >actual &&
	cat >expect <<-EOF &&
	{"uid":"u2","sent_on":"2020-11-03T10:00:00+00:00","e01":"hello e01","e02":null,"s01":"rqa_s08e01_raw","s02":null,"r01":22,"r02":null,"g":null,"gt":null,"gs":null,"wsd01":"code-NR-5e3eee23","wsd02":null}
	{"uid":"u2","sent_on":"2020-11-10T10:00:00+00:00","e01":"u2 moving","e02":null,"s01":"rqa_s08e02_raw","s02":null,"r01":22,"r02":null,"g":null,"gt":null,"gs":null,"wsd01":"code-NR-5e3eee23","wsd02":null}
	{"uid":"u1","sent_on":"2020-11-10T09:00:00+00:00","e01":"move me","e02":null,"s01":"rqa_s08e02_raw","s02":null,"r01":null,"r02":11,"g":null,"gt":null,"gs":null,"wsd01":null,"wsd02":"$TO_E01"}
	{"uid":"u6","sent_on":"2020-11-03T12:00:00+00:00","e01":"ce one","e02":null,"s01":"rqa_s08e01_raw","s02":null,"r01":null,"r02":null,"g":null,"gt":null,"gs":null,"wsd01":"code-CE-016c1e22","wsd02":null}
	{"uid":"u6","sent_on":"2020-11-10T12:00:00+00:00","e01":null,"e02":"ce two","s01":null,"s02":"rqa_s08e02_raw","r01":null,"r02":null,"g":null,"gt":null,"gs":null,"wsd01":null,"wsd02":"code-CE-016c1e22"}
	{"uid":"u7","sent_on":"2020-11-06T10:00:00+00:00","e01":"stays e01","e02":null,"s01":"rqa_s08e01_raw","s02":null,"r01":null,"r02":null,"g":"naag; to gender","gt":"2020-11-04T23:00:00+00:00","gs":"gender_raw; rqa_s08e01_raw","wsd01":"code-NR-5e3eee23","wsd02":null}
	{"uid":"u4","sent_on":"2020-11-10T07:00:00+00:00","e01":null,"e02":"u4 msg","s01":null,"s02":"rqa_s08e02_raw","r01":null,"r02":null,"g":null,"gt":null,"gs":null,"wsd01":null,"wsd02":"code-NR-5e3eee23"}
	{"uid":"u4","sent_on":"2020-11-06T08:00:00+00:00","e01":"wiil","e02":null,"s01":"gender_raw","s02":null,"r01":null,"r02":null,"g":null,"gt":null,"gs":null,"wsd01":null,"wsd02":"code-NR-5e3eee23"}
	{"uid":"u8","sent_on":"2020-11-03T13:00:00+00:00","e01":"unchecked","e02":null,"s01":"rqa_s08e01_raw","s02":null,"r01":null,"r02":null,"g":null,"gt":null,"gs":null,"wsd01":"code-CE-016c1e22","wsd02":null}
	EOF
	test_cmp expect actual
'

test_expect_success 'RQA to RQA: the copy is of the participant'\''s last record (its run id, not the message'\''s)' '
	jq -c "select(.rqa_s08e01_raw == \"u2 moving\") | [.rqa_s08e01_run_id, has(\"rqa_s08e02_run_id\"), has(\"rqa_s08e02_raw\")]" out.jsonl >actual &&
	echo "[22,false,false]" >expect &&
	test_cmp expect actual
'

test_expect_success 'survey moved away: its keys are hidden on every record of the participant' '
	jq -c "select(.uid == \"u4\") | [has(\"gender_raw\"), has(\"gender_time\"), has(\"gender_raw_source\")]" out.jsonl >actual &&
	printf "%s\n" "[false,false,false]" "[false,false,false]" >expect &&
	test_cmp expect actual
'

test_expect_success 'coding errors and unknown targets (NC included) are reported on stderr' '
	grep -c "coding error" err >actual &&
	echo 3 >expect &&
	test_cmp expect actual &&
	grep -q "$NC" err && grep -q "$TO_E03" err &&
	grep "coding error: rqa_s08e01_raw: \"ce one\"" err
'

test_expect_success 'the _WS keys of step A are carried: message ids and imported codes' '
	jq -r "select(.rqa_s08e01_raw == \"hello e01\") | .rqa_s08e01_raw_id_WS, (.rqa_s08e01_coded_WS | map(.CodeID) | join(\",\"))" out.jsonl >actual &&
	printf "%s\n" "$(sha "hello e01")" "$E01_THEME" >expect &&
	test_cmp expect actual
'

test_expect_success 'every output record has one history entry more than its source' '
	td-cat --traced in.jsonl >in-traced.jsonl &&
	ws-correct -c cfg.json --coded-dir coded in-traced.jsonl >out-traced.jsonl 2>/dev/null &&
	jq -c "length" out-traced.jsonl | sort -u >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	td-cat --verify -q out-traced.jsonl &&
	td-cat --flat out-traced.jsonl | jq -c "$PROJ" >actual &&
	jq -c "$PROJ" out.jsonl >expect &&
	test_cmp expect actual
'

test_expect_success 'a missing Coda file (first run): records pass unchanged, with a notice' '
	mkdir partial && cp coded/e01.json coded/e02.json partial/ &&
	ws-correct -c cfg.json --coded-dir partial in-traced.jsonl >actual 2>err &&
	test_cmp in-traced.jsonl actual &&
	test $(wc -l <err) = 1 && grep -q "gender.json" err
'

test_expect_success 'MoveWSMessages false: records pass unchanged' '
	jq ".MoveWSMessages = false" cfg.json >off.json &&
	ws-correct -q -c off.json --coded-dir coded in.jsonl >actual &&
	test_cmp in.jsonl actual
'

test_expect_code 65 'a record without uid is an error naming it' '
	echo "{\"rqa_s08e01_raw\": \"x\"}" | ws-correct -c cfg.json --coded-dir coded 2>err;
	rc=$?; grep -q "<stdin>:1: no \"uid\"" err && exit $rc
'

test_expect_code 65 'a label whose code is not in its scheme is an error' '
	mkdir bad && cp coded/*.json bad/ &&
	{ echo "["; message "hello e01" "$(label $E01 code-nonesuch true)"; echo "]"; } >bad/e01.json &&
	ws-correct -c cfg.json --coded-dir bad in.jsonl >/dev/null 2>err;
	rc=$?; grep -q "unknown code id .code-nonesuch." err && exit $rc
'

test_expect_code 65 'a malformed Coda file is an error with its JSON path' '
	mkdir bad2 && cp coded/*.json bad2/ &&
	jq ".[0].Labels[0].DateTimeUTC = \"2021-01-01T00:00:00+03:00\"" coded/e01.json >bad2/e01.json &&
	ws-correct -c cfg.json --coded-dir bad2 in.jsonl >/dev/null 2>err;
	rc=$?; grep -q "bad2/e01.json: \[0\].Labels\[0\].DateTimeUTC: " err && exit $rc
'

test_expect_code 64 'usage: --coded-dir is required' '
	ws-correct -c cfg.json in.jsonl
'

# The golden SMS run: join, remap, the pre-filter, then WS correction.
# The tools upstream of the one under test run as "$TD_BIN"/tool: under TD_VALGRIND=1 only the tool
# under test runs in valgrind (the others have their own tests), which keeps the run short.
sms_config() {
	jq --arg plans "$EXAMPLES/ibtci/sms_coding_plans.json" --arg schemes "$S" \
		'. + {CodingPlans: $plans, CodeSchemesDir: $schemes}' \
		"$SHARED/ibtci/configuration/sms_pipeline_config.json" >sms.json
}
prefilter() {
	set --
	for e in $RQA_FIELDS; do set -- "$@" --non-empty "rqa_${e}_raw"; done
	"$TD_BIN"/td-filter "$@"
}
PRODUCTION_COLUMNS=$(head -1 "$SHARED/golden/sms/Outputs/production.csv")

test_expect_success 'golden sms: uid C'\''s message moves from rqa_s08e02_raw to rqa_s08e01_raw' '
	sms_config &&
	G=$SHARED/golden/sms &&
	"$TD_BIN"/td-join -c sms.json -r "$G/Raw Data" | "$TD_BIN"/td-remap -c sms.json | prefilter >sms-in.jsonl &&
	ws-correct -c sms.json --coded-dir "$G/Coded Coda Files" sms-in.jsonl >sms-out.jsonl &&
	"$TD_BIN"/td-cat --flat sms-out.jsonl | jq -c "select(.uid == \"avf-phone-uuid-C\") | [.rqa_s08e01_raw, .rqa_s08e01_raw_source, has(\"rqa_s08e02_raw\")]" >actual &&
	echo "[\"haa, \\\"quoted\\\", comma\",\"rqa_s08e02_raw\",false]" >expect &&
	test_cmp expect actual
'

test_expect_success 'golden sms: every latest value equals the reference'\''s right after WS correction' '
	jq -c "(map(.Metadata.Source | test(\"ws_correction.py\")) | index(true)) as \$i | .[\$i:]" \
		"$SHARED/golden/sms/Outputs/messages_traced_data.jsonl" >gold-ws.jsonl &&
	"$TD_BIN"/td-cat --flat gold-ws.jsonl | jq -S -c "$MASK" | sort >expect &&
	"$TD_BIN"/td-cat --flat sms-out.jsonl | jq -S -c "select(.test_run != true) | $MASK" | sort >actual &&
	test_cmp expect actual
'

test_expect_success 'golden sms: production.csv is byte-identical after the filters and the sort' '
	"$TD_BIN"/td-filter -c sms.json sms-out.jsonl | "$TD_BIN"/td-sort -k sent_on | "$TD_BIN"/td-cat --csv "$PRODUCTION_COLUMNS" >actual &&
	test_cmp "$SHARED/golden/sms/Outputs/production.csv" actual
'

test_expect_large 'golden sms-5k: no moves, production.csv unchanged' '
	G=$SHARED/golden/sms-5k &&
	"$TD_BIN"/td-join -c sms.json -r "$G/Raw Data" | "$TD_BIN"/td-remap -c sms.json | prefilter |
		ws-correct -v -c sms.json --coded-dir "$G/Coded Coda Files" 2>err >5k-out.jsonl &&
	grep -q "5000 written, 0 moved, 0 coding errors" err &&
	"$TD_BIN"/td-filter -c sms.json 5k-out.jsonl | "$TD_BIN"/td-sort -k sent_on | "$TD_BIN"/td-cat --csv "$PRODUCTION_COLUMNS" >actual &&
	test_cmp "$G/Outputs/production.csv" actual
'

test_done
