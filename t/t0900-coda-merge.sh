#!/bin/sh
# coda-merge: apply manual codes (pipeline.md §5.7): the Coda imports (single, multi, WS - Correct Dataset),
# NA/NC, noise, non-manual cleaners as checked, age-category and Somali location imputation (with the
# reference's zone bugs), coding errors; one history entry per record; the golden runs.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog sha256sum

S=$SHARED/ibtci/code_schemes
FX=$SHARED/cdm-fixtures
MASK='walk(if type == "object" then (if has("DateTimeUTC") then .DateTimeUTC = "X" else . end
	| if has("OriginID") then .OriginID = "X" else . end) else . end)'

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
# coda_file MESSAGE...: a JSON array
coda_file() { printf '%s\n' "$@" | jq -s '.'; }
# with_ids RAW...: add "<raw>_id" = SHA-256 of the raw text to every JSONL record that has RAW
with_ids() {
	cat >.with-ids
	jq -r --args '. as $r | $ARGS.positional[] | select(. as $k | $r | has($k)) | $r[.]' "$@" <.with-ids |
		sort -u | while IFS= read -r text; do jq -n -c --arg t "$text" --arg s "$(sha "$text")" '{($t): $s}'; done |
		jq -s -c 'add // {}' >.with-ids-map
	jq -c --slurpfile m .with-ids-map --args \
		'. as $r | reduce ($ARGS.positional[] | select(. as $k | $r | has($k))) as $k (.; .[$k + "_id"] = $m[0][$r[$k]])' \
		"$@" <.with-ids
}
# code StringValues by SchemeID and CodeID, to print labels readably
jq -s 'map({(.SchemeID): (.Codes | map({(.CodeID): .StringValue}) | add)}) | add' "$S"/*.json \
	"$FX/coda_2_gender_scheme.json" "$FX/coda_2_msg_scheme.json" >names.json
# use with jq --slurpfile sv names.json
NAMES='def n: if . == null then "-" elif type == "array" then map($sv[0][.SchemeID][.CodeID]) | join(",")
	else $sv[0][.SchemeID][.CodeID] end;'

# ---- the CoreDataModules import fixtures (test_io.py), through the tool ----

mkdir cdm-schemes cdm-coded
ln -s "$FX/coda_2_gender_scheme.json" "$FX/coda_2_msg_scheme.json" cdm-schemes/
ln -s "$FX/coda_2_import_test_one_scheme.json" cdm-coded/gender.json
ln -s "$FX/coda_2_import_test_multi_coded.json" cdm-coded/msg.json
cat >cdm-plans.json <<'EOF'
{"RQACodingPlans": [
  {"RawField": "msg_raw", "TimeField": "sent_on", "CodaFilename": "msg.json", "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [{"CodedField": "msg_coded", "CodingMode": "MULTIPLE", "CodeScheme": "coda_2_msg_scheme.json", "FoldStrategy": "list_of_labels"}]}],
 "DemogCodingPlans": [
  {"RawField": "gender_raw", "TimeField": "gender_time", "CodaFilename": "gender.json", "RawFieldFoldStrategy": "assert_equal",
   "CodingConfigurations": [{"CodedField": "gender_coded", "CodingMode": "SINGLE", "CodeScheme": "coda_2_gender_scheme.json", "FoldStrategy": "assert_label_ids_equal"}]}]}
EOF
jq --arg plans "$PWD/cdm-plans.json" --arg schemes "$PWD/cdm-schemes" '. + {CodingPlans: $plans, CodeSchemesDir: $schemes}' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >cdm.json

test_expect_success 'CoreDataModules fixtures: single-coded and multi-coded imports, NA and NC' '
	with_ids msg_raw gender_raw >cdm-in.jsonl <<-EOF &&
	{"gender_raw": "woman", "msg_raw": "food"}
	{"gender_raw": "", "msg_raw": ""}
	{"gender_raw": "hiya", "msg_raw": "food + water"}
	{}
	{"gender_raw": "boy", "msg_raw": "water"}
	{"gender_raw": "man", "msg_raw": "abcd"}
	EOF
	coda-merge -c cdm.json --coded-dir cdm-coded cdm-in.jsonl >cdm-out.jsonl &&
	jq -r --slurpfile sv names.json "$NAMES [(.gender_coded | n), (.msg_coded | n)] | join(\" \")" \
		cdm-out.jsonl >actual &&
	cat >expect <<-EOF &&
	female food
	NC NC
	NR food,water
	NA NA
	NC water
	NR NC
	EOF
	test_cmp expect actual
'

test_expect_success 'multi-coded: duplicated columns are normalised to the primary SchemeID, deduplicated by CodeID' '
	jq -c "select(.msg_raw == \"food\") | .msg_coded | map([.SchemeID, .CodeID, .Checked])" cdm-out.jsonl >actual &&
	echo "[[\"Scheme-c4855fcb\",\"code-b8e40cba\",true]]" >expect &&
	test_cmp expect actual
'

test_expect_success 'an imported label is Label.to_dict(): unknown keys and nulls dropped' '
	jq ".[3].Labels[0] += {Confidence: \"ONE\", LabelSet: null, Extra: \"x\"}" "$FX/coda_2_import_test_one_scheme.json" |
		sed "s/\"ONE\"/1.0/" >gender2.json &&
	mkdir cdm-coded2 && cp gender2.json cdm-coded2/gender.json && ln -s "$FX/coda_2_import_test_multi_coded.json" cdm-coded2/msg.json &&
	coda-merge -c cdm.json --coded-dir cdm-coded2 cdm-in.jsonl | head -1 | jq -c ".gender_coded | keys" >actual &&
	echo "[\"Checked\",\"CodeID\",\"Confidence\",\"DateTimeUTC\",\"Origin\",\"SchemeID\"]" >expect &&
	test_cmp expect actual &&
	coda-merge -c cdm.json --coded-dir cdm-coded2 cdm-in.jsonl | head -1 | grep -q "\"Confidence\": 1.0"
'

test_expect_success 'a missing Coda file counts as empty: every message is NR' '
	coda-merge -c cdm.json --coded-dir nowhere cdm-in.jsonl >out.jsonl &&
	jq -r --slurpfile sv names.json "$NAMES [(.gender_coded | n), (.msg_coded | n)] | join(\" \")" \
		out.jsonl >actual &&
	printf "%s\n" "NR NR" "NC NC" "NR NR" "NA NA" "NR NR" "NR NR" >expect &&
	test_cmp expect actual
'

test_expect_success 'single-coded: a checked value with no Coda label stays; an unchecked one becomes NR' '
	printf "%s\n" "{\"gender_raw\": \"not in coda\", \"gender_coded\": $(label Scheme-12cb6f95 code-63dcde9a true)}" \
		"{\"gender_raw\": \"not in coda\", \"gender_coded\": $(label Scheme-12cb6f95 code-63dcde9a false)}" |
		with_ids gender_raw | coda-merge -c cdm.json --coded-dir cdm-coded | jq -r ".gender_coded.CodeID" >actual &&
	printf "%s\n" code-63dcde9a code-NR-5e3eee23 >expect &&
	test_cmp expect actual
'

# ---- every rule on the real schemes ----

WSS=Scheme-fffffc6e
E01=Scheme-3d61135f
E03=Scheme-49d4a48e
AGE=Scheme-4189e74c
MOG=Scheme-07dfc611
DISTRICT=Scheme-5292e8fb
REGION=Scheme-644e3296
STATE=Scheme-a390e6ce
ZONE=Scheme-b8ce44fb
OPERATOR=Scheme-f86cff0b
WS=code-WS-adb25603b7af
NC=code-NC-42f1d983
PB=code-PB-a434a800
UNCODED=SPECIAL-MANUALLY_UNCODED
TO_E02=code-3c33d7fb
THEME=code-ec7f3f0e

cat >plans.json <<'EOF'
{"WSCorrectDatasetScheme": "ws_correct_dataset.json",
 "RQACodingPlans": [
  {"RawField": "rqa_s08e01_raw", "TimeField": "sent_on", "CodaFilename": "e01.json", "WSCode": "s08e01", "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [{"CodedField": "rqa_s08e01_coded", "CodingMode": "MULTIPLE", "CodeScheme": "rqa_s08e01.json", "FoldStrategy": "list_of_labels"}]},
  {"RawField": "rqa_s08e02_raw", "TimeField": "sent_on", "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [{"CodedField": "rqa_s08e02_coded", "CodingMode": "MULTIPLE", "CodeScheme": "rqa_s08e02.json", "FoldStrategy": "list_of_labels"}]},
  {"RawField": "fb_raw", "TimeField": "sent_on", "CodaFilename": "fb.json", "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [
    {"CodedField": "fb_coded", "CodingMode": "MULTIPLE", "CodeScheme": "rqa_s08e03.json", "FoldStrategy": "list_of_labels"},
    {"CodedField": "fb_reply_to_coded", "CodingMode": "SINGLE", "CodeScheme": "facebook_comment_reply_to.json", "RawField": "fb_reply_raw",
     "Cleaner": "facebook_comment_reply_to", "RequiresManualVerification": false, "FoldStrategy": null}]}],
 "DemogCodingPlans": [
  {"RawField": "age_raw", "TimeField": "age_time", "CodaFilename": "age.json", "RawFieldFoldStrategy": "assert_equal",
   "CodeImputation": "impute_age_category",
   "CodingConfigurations": [
    {"CodedField": "age_coded", "CodingMode": "SINGLE", "CodeScheme": "age.json", "Cleaner": "age_with_range_filter", "FoldStrategy": "assert_label_ids_equal"},
    {"CodedField": "age_category_coded", "CodingMode": "SINGLE", "CodeScheme": "age_category.json", "FoldStrategy": "assert_label_ids_equal"}]},
  {"RawField": "location_raw", "TimeField": "location_time", "CodaFilename": "location.json", "RawFieldFoldStrategy": "assert_equal",
   "CodeImputation": "impute_somalia_location_codes",
   "CodingConfigurations": [
    {"CodedField": "mogadishu_sub_district_coded", "CodingMode": "SINGLE", "CodeScheme": "mogadishu_sub_district.json", "FoldStrategy": "assert_label_ids_equal"},
    {"CodedField": "district_coded", "CodingMode": "SINGLE", "CodeScheme": "somalia_district.json", "FoldStrategy": "assert_label_ids_equal"},
    {"CodedField": "region_coded", "CodingMode": "SINGLE", "CodeScheme": "somalia_region.json", "FoldStrategy": "assert_label_ids_equal"},
    {"CodedField": "state_coded", "CodingMode": "SINGLE", "CodeScheme": "somalia_state.json", "FoldStrategy": "assert_label_ids_equal"},
    {"CodedField": "zone_coded", "CodingMode": "SINGLE", "CodeScheme": "somalia_zone.json", "FoldStrategy": "assert_label_ids_equal"}]},
  {"RawField": "operator_raw", "RawFieldFoldStrategy": "assert_equal",
   "CodingConfigurations": [{"CodedField": "operator_coded", "CodingMode": "SINGLE", "CodeScheme": "somalia_operator.json", "FoldStrategy": "assert_label_ids_equal"}]}]}
EOF
jq --arg plans "$PWD/plans.json" --arg schemes "$S" '. + {CodingPlans: $plans, CodeSchemesDir: $schemes}' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >cfg.json

mkdir coded
coda_file \
	"$(message "ws no move" "$(label $E01 $WS true)")" \
	"$(message "move no ws" "$(label $WSS $TO_E02 true)" "$(label $E01 $THEME true)")" \
	"$(message "ws and move" "$(label $E01 $WS true)" "$(label $WSS $TO_E02 true)")" \
	"$(message "unchecked" "$(label $E01 $THEME false)")" \
	"$(message "nc ws" "$(label $E01 $WS true)" "$(label $WSS $NC true)")" >coded/e01.json
coda_file "$(message "fb ws" "$(label $E03 $WS true)")" >coded/fb.json
coda_file \
	"$(message "25" "$(label $AGE code-47558a0f true)")" \
	"$(message "pb" "$(label $AGE $PB true)")" \
	"$(message "nc" "$(label $AGE $NC true)")" \
	"$(message "30 unchecked" "$(label $AGE code-47558a0f false)")" \
	"$(message "uncoded" "$(label $AGE $UNCODED true)" "$(label $AGE code-47558a0f true)")" >coded/age.json
coda_file \
	"$(message "hodan" "$(label $MOG code-ae4b5ca2 true)")" \
	"$(message "baidoa" "$(label $DISTRICT code-208448a6 true)")" \
	"$(message "scz" "$(label $ZONE code-dc3483fa true)")" \
	"$(message "conflict" "$(label $MOG code-ae4b5ca2 true)" "$(label $DISTRICT code-208448a6 true)")" \
	"$(message "region nc" "$(label $REGION $NC true)")" \
	"$(message "meta" "$(label $STATE $PB true)")" >coded/location.json

with_ids rqa_s08e01_raw fb_raw age_raw location_raw >in.jsonl <<EOF
{"uid": "a", "rqa_s08e01_raw": "ws no move", "age_raw": "25", "location_raw": "hodan", "operator_raw": "25261", "operator_coded": $(label $OPERATOR code-c7b32481 false)}
{"uid": "b", "rqa_s08e01_raw": "move no ws", "age_raw": "pb", "location_raw": "baidoa"}
{"uid": "c", "rqa_s08e01_raw": "ws and move", "age_raw": "nc", "location_raw": "scz"}
{"uid": "d", "rqa_s08e01_raw": "unchecked", "age_raw": "30 unchecked", "location_raw": "conflict"}
{"uid": "e", "rqa_s08e01_raw": "nc ws", "age_raw": "uncoded", "location_raw": "region nc"}
{"uid": "f", "rqa_s08e01_raw": "", "location_raw": "meta", "rqa_s08e02_raw": "noisy", "noise": true}
{"uid": "g", "rqa_s08e02_raw": "quiet"}
{"uid": "h", "fb_raw": "fb ws", "fb_reply_raw": {}}
{"uid": "i", "fb_raw": "fb plain", "fb_reply_raw": {"id": "c1"}}
{"uid": "j", "rqa_s08e01_raw": "no such message", "location_raw": "", "age_raw": ""}
EOF

PROJ="$NAMES [.uid, (.rqa_s08e01_coded | n), (.rqa_s08e01_raw_correct_dataset | n), (.rqa_s08e02_coded | n),
	(.fb_coded | n), (.fb_raw_correct_dataset | n), (.fb_reply_to_coded | n), (.fb_reply_to_coded.Checked | tostring),
	(.age_coded | n), (.age_category_coded | n), (.mogadishu_sub_district_coded | n), (.district_coded | n),
	(.region_coded | n), (.state_coded | n), (.zone_coded | n), (.operator_coded | n)] | join(\" | \")"

test_expect_success 'every rule: imports, NA, NC, noise, cleaners, CE, age and location imputation' '
	coda-merge -c cfg.json --coded-dir coded in.jsonl >out.jsonl 2>err &&
	jq -r --slurpfile sv names.json "$PROJ" out.jsonl >actual &&
	cat >expect <<-EOF &&
	a | CE | CE | NA | NA | - | NA | false | 25 | 18_to_35 | hodan | mogadishu | banadir | banadir | scz | hormud
	b | CE | CE | NA | NA | - | NA | false | push_back | push_back | NC | baidoa | bay | south west state | scz | NA
	c | WS | s08e02 | NA | NA | - | NA | false | NC | NC | NC | NC | NC | NC | NC | NA
	d | NR | NR | NA | NA | - | NA | false | NR | NR | CE | CE | CE | CE | CE | NA
	e | WS | NC | NA | NA | - | NA | false | NR | NR | NC | NC | NC | NC | NC | NA
	f | NC | NR | NC | NA | - | NA | false | NA | NA | push_back | push_back | push_back | push_back | push_back | NA
	g | NA | - | - | NA | - | NA | false | NA | NA | NA | NA | NA | NA | NC | NA
	h | NA | - | NA | CE | CE | post | true | NA | NA | NA | NA | NA | NA | NC | NA
	i | NA | - | NA | NR | NR | comment | true | NA | NA | NA | NA | NA | NA | NC | NA
	j | NR | NR | NA | NA | - | NA | false | NC | NC | NC | NC | NC | NC | NC | NA
	EOF
	test_cmp expect actual
'

test_expect_success 'coding errors are reported, and a Facebook WS (no CE in the reply-to scheme) keeps its label' '
	grep "coding error" err | sed "s/^coda-merge: [^:]*:[0-9]*: //" >actual &&
	printf "%s\n" "coding error: rqa_s08e01_raw: \"ws no move\"" "coding error: rqa_s08e01_raw: \"move no ws\"" \
		"coding error: fb_raw: \"fb ws\"" >expect &&
	test_cmp expect actual &&
	coda-merge -v -c cfg.json --coded-dir coded in.jsonl 2>&1 >/dev/null | grep -q "1 coded fields kept their labels"
'

test_expect_success 'labels the pipeline makes are unchecked auto-coder labels (cleaners re-run: checked)' '
	jq -c "[.age_category_coded.Origin.Name, .age_category_coded.Checked, .age_category_coded.Origin.OriginType, .zone_coded.Origin.OriginID]" out.jsonl | head -1 >actual &&
	echo "[\"Pipeline Auto-Coder\",false,\"External\",\"tdtools:coda-merge:impute-somalia-location\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'one history entry per record, SHAs verify' '
	td-cat --traced in.jsonl >in-traced.jsonl &&
	coda-merge -q -c cfg.json --coded-dir coded in-traced.jsonl >out-traced.jsonl &&
	jq -c length out-traced.jsonl | sort -u >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	td-cat --verify -q out-traced.jsonl &&
	td-cat --flat out-traced.jsonl | jq -r --slurpfile sv names.json "$PROJ" >actual &&
	jq -r --slurpfile sv names.json "$PROJ" out.jsonl >expect &&
	test_cmp expect actual
'

test_expect_code 65 'a code id unknown to its scheme is an error naming the key' '
	echo "{\"uid\": \"x\", \"operator_raw\": \"1\", \"operator_coded\": $(label $OPERATOR code-nonesuch false)}" |
		coda-merge -c cfg.json --coded-dir coded 2>err;
	rc=$?; grep -q "<stdin>:1: \"operator_coded\": unknown code id .code-nonesuch." err && exit $rc
'

test_expect_success '--skip-bad skips such a record and goes on' '
	{ echo "{\"uid\": \"x\", \"operator_raw\": \"1\", \"operator_coded\": $(label $OPERATOR code-nonesuch false)}";
	  head -1 in.jsonl; } | coda-merge --skip-bad -c cfg.json --coded-dir coded 2>err >out2.jsonl &&
	test $(wc -l <out2.jsonl) = 1 && grep -q "skipped 1 bad record" err
'

test_expect_code 65 'a malformed Coda file is an error with its JSON path' '
	mkdir bad && cp coded/*.json bad/ &&
	jq ".[1].Labels[0].Origin.Name = \"\"" coded/e01.json >bad/e01.json &&
	coda-merge -c cfg.json --coded-dir bad in.jsonl >/dev/null 2>err;
	rc=$?; grep -q "bad/e01.json: \[1\].Labels\[0\].Origin.Name: expected a non-empty string" err && exit $rc
'

test_expect_code 65 'invalid JSON in a Coda file: line and column' '
	mkdir bad2 && cp coded/*.json bad2/ && printf "[\n  {\"MessageID\": }\n]\n" >bad2/fb.json &&
	coda-merge -c cfg.json --coded-dir bad2 in.jsonl >/dev/null 2>err;
	rc=$?; grep -q "bad2/fb.json:2:17: invalid JSON" err && exit $rc
'

# ---- the golden runs ----
# The tools upstream of the one under test run as "$TD_BIN"/tool: under TD_VALGRIND=1 only the tool
# under test runs in valgrind (the others have their own tests), which keeps the run short.

test_expect_success 'golden sms: the coded keys of every participant who did not send STOP equal the reference'\''s' '
	G=$SHARED/golden/sms &&
	jq --arg plans "$EXAMPLES/ibtci/sms_coding_plans.json" --arg schemes "$S" \
		". + {CodingPlans: \$plans, CodeSchemesDir: \$schemes}" \
		"$SHARED/ibtci/configuration/sms_pipeline_config.json" >sms.json &&
	jq -c "(map(.Metadata.Source | test(\"export_coda\")) | index(true)) as \$i | .[\$i:]" \
		"$G/Outputs/messages_traced_data.jsonl" >sms-in.jsonl &&
	coda-merge -c sms.json --coded-dir "$G/Coded Coda Files" sms-in.jsonl >sms-out.jsonl &&
	KEYS="with_entries(select(.key | test(\"_coded\$|_correct_dataset\$\")))" &&
	"$TD_BIN"/td-cat --flat "$G/Outputs/messages_traced_data.jsonl" | jq -S -c "select(.consent_withdrawn == \"false\") | $KEYS | $MASK" >expect &&
	"$TD_BIN"/td-cat --flat sms-out.jsonl | jq -S -c "$KEYS | $MASK" >all &&
	"$TD_BIN"/td-cat --flat "$G/Outputs/messages_traced_data.jsonl" | jq -r .consent_withdrawn | paste - all |
		sed -n "s/^false	//p" >actual &&
	test $(wc -l <actual) = 4 &&
	test_cmp expect actual
'

test_expect_success 'golden sms: the whole record equals the reference'\''s (but consent_withdrawn)' '
	G=$SHARED/golden/sms &&
	"$TD_BIN"/td-cat --flat "$G/Outputs/messages_traced_data.jsonl" | jq -S -c "select(.consent_withdrawn == \"false\") | del(.consent_withdrawn) | $MASK" >expect &&
	"$TD_BIN"/td-cat --flat sms-out.jsonl | jq -S -c "$MASK" >all &&
	"$TD_BIN"/td-cat --flat "$G/Outputs/messages_traced_data.jsonl" | jq -r .consent_withdrawn | paste - all |
		sed -n "s/^false	//p" >actual &&
	test_cmp expect actual &&
	jq -c length sms-in.jsonl >in-lengths && jq -c "length - 1" sms-out.jsonl >out-lengths &&
	test_cmp in-lengths out-lengths
'

# Auto-coding sets the message ids (and the cleaners' unchecked labels, which coda-merge recomputes);
# without td-autocode, ids made up with jq do as well, since there is no Coda file.
fb_autocode() {
	if [ -x "$TD_BIN/td-autocode" ]; then
		"$TD_BIN"/td-autocode -c fb.json
	else
		"$TD_BIN"/td-cat --flat |
		jq -c 'reduce (keys[] | select(test("^facebook_.*_comment_id$"))) as $k (.; .[$k | sub("_comment_id$"; "_raw_id")] = ("id-" + .[$k]))'
	fi
}

test_expect_success 'golden facebook: NR/NA themes, reply-to and post type as in messages.csv' '
	G=$SHARED/golden/facebook &&
	jq --arg plans "$EXAMPLES/ibtci/facebook_coding_plans.json" --arg schemes "$S" \
		". + {CodingPlans: \$plans, CodeSchemesDir: \$schemes}" \
		"$SHARED/ibtci/configuration/facebook_pipeline_config.json" >fb.json &&
	"$TD_BIN"/td-join -k avf_facebook_id -c fb.json -r "$G/Raw Data" | "$TD_BIN"/td-remap -c fb.json | "$TD_BIN"/td-filter -c fb.json |
		"$TD_BIN"/td-sort -k sent_on | fb_autocode |
		coda-merge -c fb.json --coded-dir "$G/Coded Coda Files" | "$TD_BIN"/td-cat --flat >fb-out.jsonl &&
	DATASETS=$(jq -r ".RQACodingPlans[].DatasetName" "$EXAMPLES/ibtci/facebook_coding_plans.json") &&
	COLS="uid,sent_on" && for d in $DATASETS; do COLS="$COLS,${d}_NA,${d}_NR,${d}_comment_reply_to,${d}_post_type"; done &&
	! grep -q "\"" "$G/Outputs/messages.csv" &&
	awk -F, -v cols="$COLS" "NR == 1 { n = split(cols, want, \",\"); for (i = 1; i <= NF; i++) at[\$i] = i }
		{ line = \"\"; for (j = 1; j <= n; j++) line = line (j > 1 ? \",\" : \"\") \$(at[want[j]]); print line }" \
		"$G/Outputs/messages.csv" >expect &&
	echo "$COLS" >actual &&
	jq -r --slurpfile sv names.json --arg ds "$DATASETS" ". as \$r | [.uid, .sent_on] + ([\$ds | splits(\"\n\")] | map(. as \$d |
		(\$r[\$d + \"_coded\"] | map(.CodeID)) as \$codes |
		(if \$codes | index(\"code-NA-f93d3eb7\") then \"1\" else \"0\" end),
		(if \$codes | index(\"code-NR-5e3eee23\") then \"1\" else \"0\" end),
		(\$r[\$d + \"_comment_reply_to_coded\"] | \$sv[0][.SchemeID][.CodeID]),
		(\$r[\$d + \"_post_type_coded\"] | \$sv[0][.SchemeID][.CodeID])) | flatten) | join(\",\")" \
		fb-out.jsonl >>actual &&
	test_cmp expect actual
'

if [ -x "$TD_BIN/td-autocode" ]; then
test_expect_success 'golden sms end to end (join ... ws-correct, td-autocode ... coda-merge): every value as the reference' '
	G=$SHARED/golden/sms &&
	"$TD_BIN"/td-join -c sms.json -r "$G/Raw Data" | "$TD_BIN"/td-remap -c sms.json |
		"$TD_BIN"/td-filter --rqa-raw -c sms.json |
		"$TD_BIN"/ws-correct -c sms.json --coded-dir "$G/Coded Coda Files" | "$TD_BIN"/td-autocode -c sms.json |
		"$TD_BIN"/td-filter -c sms.json | "$TD_BIN"/td-sort -k sent_on |
		coda-merge -c sms.json --coded-dir "$G/Coded Coda Files" >e2e.jsonl &&
	"$TD_BIN"/td-cat --flat "$G/Outputs/messages_traced_data.jsonl" | jq -S -c "select(.consent_withdrawn == \"false\") | del(.consent_withdrawn) | $MASK" >expect &&
	"$TD_BIN"/td-cat --flat e2e.jsonl | jq -S -c "$MASK" >all &&
	"$TD_BIN"/td-cat --flat "$G/Outputs/messages_traced_data.jsonl" | jq -r .consent_withdrawn | paste - all |
		sed -n "s/^false	//p" >actual &&
	test $(wc -l <actual) = 4 &&
	test_cmp expect actual
'
fi

test_done
