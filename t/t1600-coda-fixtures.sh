#!/bin/sh
# CoreDataModules v0.15.2's own Coda V2 fixtures (tests/traced_data/test_io.py, TestTracedDataCodaV2IO) through
# the tools: coda-export reproduces coda_2_export_expected_*.json byte for byte from the TracedData the tests
# build, and coda-merge's import of coda_2_import_test_*.json gives the tables of coredata.md §4.4-4.5.
#
# What test_io.py does that the tools express differently:
# - The export tests call export_traced_data_iterable_to_coda_2 with key names (raw, sent_on, coda_id, and a
#   {coded_key: scheme} map); here those keys are a coding plan (RawField, TimeField, IDField,
#   CodingConfigurations), the schemes are the fixtures' own, given with -s.
# - The records' labels are made by the test (english.DemographicCleaner.clean_gender under a mocked clock, and
#   make_location_label with a fixed date); here the same labels are written out literally, so nothing is masked.
# - compute_message_ids is SHA-256 of the raw text (coredata.md §4.1): computed here with sha256sum.
# - The import tests then set NA themselves on every record whose raw text is "" or missing. coda-merge applies
#   the consumer's policy instead (coredata.md §4.6): missing is NA, but an empty string is NC. Those rows are
#   checked as the tool defines them, and every row that comes from the Coda file as in the reference.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog sha256sum

FX=$SHARED/cdm-fixtures

sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

mkdir schemes coded
for s in gender district zone msg; do
	ln -s "$FX/coda_2_${s}_scheme.json" schemes/ || exit 1
done

# One plan per test, each with its own Coda file.
cat >plans.json <<'EOF'
{"RQACodingPlans": [
  {"RawField": "msg_raw", "TimeField": "msg_sent_on", "IDField": "msg_coda_id", "CodaFilename": "multi_coded.json",
   "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [{"CodedField": "msg_coded", "CodingMode": "MULTIPLE", "CodeScheme": "coda_2_msg_scheme.json",
     "FoldStrategy": "list_of_labels"}]}],
 "DemogCodingPlans": [
  {"RawField": "gender_raw", "TimeField": "gender_sent_on", "IDField": "gender_coda_id", "CodaFilename": "one_scheme.json",
   "RawFieldFoldStrategy": "assert_equal",
   "CodingConfigurations": [{"CodedField": "gender_coded", "CodingMode": "SINGLE", "CodeScheme": "coda_2_gender_scheme.json",
     "FoldStrategy": "assert_label_ids_equal"}]},
  {"RawField": "location_raw", "TimeField": "location_sent_on", "IDField": "location_coda_id",
   "CodaFilename": "multiple_schemes.json", "RawFieldFoldStrategy": "assert_equal",
   "CodingConfigurations": [
     {"CodedField": "district", "CodingMode": "SINGLE", "CodeScheme": "coda_2_district_scheme.json",
      "FoldStrategy": "assert_label_ids_equal"},
     {"CodedField": "zone", "CodingMode": "SINGLE", "CodeScheme": "coda_2_zone_scheme.json",
      "FoldStrategy": "assert_label_ids_equal"}]}]}
EOF
jq --arg plans "$PWD/plans.json" --arg schemes "$PWD/schemes" '. + {CodingPlans: $plans, CodeSchemesDir: $schemes}' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >config.json

# ids RAW ID: add ID = SHA-256 of RAW to every JSONL record that has RAW (compute_message_ids)
ids() {
	while IFS= read -r line; do
		if printf '%s' "$line" | jq -e --arg k "$1" 'has($k)' >/dev/null; then
			text=$(printf '%s' "$line" | jq -r --arg k "$1" '.[$k]')
			printf '%s' "$line" | jq -c --arg k "$2" --arg v "$(sha "$text")" '.[$k] = $v'
		else
			printf '%s\n' "$line"
		fi
	done
}

# The CleaningUtils.make_label_from_cleaner_code labels of the tests, by scheme file and match value or control code.
LABELS='
def code($s; $v): $s.Codes | map(select((.MatchValues // []) | index($v))) | .[0]
	// ($s.Codes | map(select(.ControlCode == $v)) | .[0]);
def mklabel($s; $v; $origin; $date): {SchemeID: $s.SchemeID, CodeID: code($s; $v).CodeID, DateTimeUTC: $date,
	Checked: false, Origin: {OriginID: $origin, Name: "Pipeline Auto-Coder", OriginType: "External"}};
def gender($v): mklabel($gender[0]; $v; "english.DemographicCleaner.clean_gender"; "2018-11-02T15:00:07+00:00");
def loc($s; $v): mklabel($s[0]; $v; "make_location_label"; "2018-11-02T13:40:50Z");
'
JQ_SCHEMES="--slurpfile gender $FX/coda_2_gender_scheme.json --slurpfile district $FX/coda_2_district_scheme.json
	--slurpfile zone $FX/coda_2_zone_scheme.json"

# ---- exports ----

# test_export_import_one_single_coded_scheme: the English gender cleaner codes "woman" and "man" only.
jq -n -c $JQ_SCHEMES "$LABELS"'
	{gender_raw: "woman", gender_sent_on: "2018-11-01T07:13:04+03:00", gender_coded: gender("female")},
	{gender_raw: "", gender_sent_on: "2018-11-01T07:17:04+03:00"},
	{gender_raw: "hiya", gender_sent_on: "2018-11-01T07:19:04+05:00"},
	{},
	{gender_raw: "boy", gender_sent_on: "2018-11-02T19:00:29+03:00"},
	{gender_raw: "man", gender_sent_on: "2018-11-02T19:00:29+03:00", gender_coded: gender("male")}' |
	ids gender_raw gender_coda_id >one_scheme.jsonl

# test_export_two_single_coded_schemes
jq -n -c $JQ_SCHEMES "$LABELS"'
	{location_raw: "mog", location_sent_on: "2018-11-01T07:13:04+03:00",
	 district: loc($district; "mogadishu"), zone: loc($zone; "scz")},
	{location_raw: "kismayo", location_sent_on: "2018-11-01T07:17:04+03:00", district: loc($district; "kismayo")},
	{location_raw: "", location_sent_on: "2018-11-01T07:19:04+05:00",
	 district: loc($district; "NA"), zone: loc($zone; "NA")},
	{},
	{location_raw: "kismyo", location_sent_on: "2018-11-01T07:19:30+03:00",
	 district: loc($district; "NC"), zone: loc($zone; "NC")},
	{location_raw: "kismay", location_sent_on: "2018-11-01T07:19:30+03:00",
	 district: loc($district; "kismayo"), zone: loc($zone; "NC")}' |
	ids location_raw location_coda_id >multiple_schemes.jsonl

# test_export_import_one_multi_coded_scheme: no labels (a list-valued coded key cannot be exported).
cat <<'EOF' | ids msg_raw msg_coda_id >multi_coded.jsonl
{"msg_raw": "food", "msg_sent_on": "2018-11-01T07:13:04+03:00"}
{"msg_raw": "", "msg_sent_on": "2018-11-01T07:17:04+03:00"}
{"msg_raw": "food + water", "msg_sent_on": "2018-11-01T07:19:04+05:00"}
{}
{"msg_raw": "water", "msg_sent_on": "2018-11-02T19:00:29+03:00"}
{"msg_raw": "abcd", "msg_sent_on": "2018-11-02T20:30:45+03:00"}
EOF

test_expect_success 'the test records carry the labels the fixtures were made from' '
	jq -c "select(.gender_coded) | [.gender_raw, .gender_coded.CodeID]" one_scheme.jsonl >actual &&
	printf "%s\n" "[\"woman\",\"code-86a4602c\"]" "[\"man\",\"code-63dcde9a\"]" >expect &&
	test_cmp expect actual &&
	jq -c "select(.location_raw == \"mog\") | [.district.CodeID, .zone.CodeID]" multiple_schemes.jsonl >actual &&
	echo "[\"code-2e6192c8\",\"code-dc3483fa\"]" >expect &&
	test_cmp expect actual &&
	jq -r "select(.gender_raw == \"woman\") | .gender_coda_id" one_scheme.jsonl >actual &&
	echo cf2e5bff1ef03dcd20d1a0b18ef7d89fc80a3554434165753672f6f40fde1d25 >expect &&
	test_cmp expect actual
'

for which in one_scheme multiple_schemes multi_coded; do
	test_expect_success "coda-export reproduces coda_2_export_expected_$which.json byte for byte" '
		coda-export -p plans.json -s schemes -d out-'$which' '$which'.jsonl &&
		cmp "$FX/coda_2_export_expected_'$which'.json" out-'$which'/'$which'.json
	'
done

test_expect_success 'all three at once, in one run' '
	cat one_scheme.jsonl multiple_schemes.jsonl multi_coded.jsonl >all.jsonl &&
	coda-export -c config.json -d out-all all.jsonl &&
	for which in one_scheme multiple_schemes multi_coded; do
		cmp "$FX/coda_2_export_expected_$which.json" "out-all/$which.json" || return 1
	done
'

test_expect_success 'a second "woman" coded male: 65, the AssertionError of test_io.py, no file replaced' '
	jq -n -c $JQ_SCHEMES "$LABELS"" {gender_raw: \"woman\", gender_sent_on: \"2018-11-01T07:13:04+03:00\",
		gender_coded: mklabel(\$gender[0]; \"male\"; \"make_location_label\"; \"2018-11-03T13:40:50Z\")}" |
		ids gender_raw gender_coda_id >conflict.jsonl &&
	cat one_scheme.jsonl conflict.jsonl >conflicting.jsonl &&
	cp -R out-all before &&
	{ coda-export -c config.json -d out-all conflicting.jsonl 2>err; test $? = 65; } &&
	grep "messages with the same id (cf2e5bff1ef03dcd20d1a0b18ef7d89fc80a3554434165753672f6f40fde1d25) have different labels for coded key .gender_coded." err &&
	diff -r before out-all
'

# ---- imports (coda-merge) ----

ln -s "$FX/coda_2_import_test_one_scheme.json" coded/one_scheme.json
ln -s "$FX/coda_2_import_test_multi_coded.json" coded/multi_coded.json
echo "[]" >coded/multiple_schemes.json

# The expected code of each record as a StringValue (or control code) of its scheme.
NAMES='def names: (if type == "array" then . else [.] end) | map(.CodeID as $id
	| ($s[0].Codes[] | select(.CodeID == $id) | .StringValue)) | join(",");'

test_expect_success 'single-coded import (coredata.md §4.4): checked woman, NA, unchecked man NR, NA, NC, uncoded NR' '
	coda-merge -c config.json --coded-dir coded one_scheme.jsonl >imported.jsonl &&
	jq -r --slurpfile s "$FX/coda_2_gender_scheme.json" "$NAMES .gender_coded | names" imported.jsonl >actual &&
	# test_io.py: [female, NA, NR, NA, NC, NR]; coda-merge gives the empty answer NC (coredata.md §4.6)
	printf "%s\n" female NC NR NA NC NR >expect &&
	test_cmp expect actual
'

test_expect_success 'single-coded: the checked Coda label is imported as Label.to_dict(), verbatim' '
	jq -cS ".[] | select(.Text == \"woman\") | .Labels[0]
		| {SchemeID, CodeID, DateTimeUTC, Checked, Confidence, LabelSet, Origin: (.Origin | {OriginID, Name, OriginType, Metadata}
		| with_entries(select(.value != null)))} | with_entries(select(.value != null))" \
		"$FX/coda_2_import_test_one_scheme.json" >expect &&
	head -1 imported.jsonl | jq -cS .gender_coded >actual &&
	test_cmp expect actual
'

test_expect_success 'multi-coded import (coredata.md §4.5): [food], [food, water], [water], [NC]' '
	coda-merge -c config.json --coded-dir coded multi_coded.jsonl >imported-multi.jsonl &&
	jq -r --slurpfile s "$FX/coda_2_msg_scheme.json" "$NAMES .msg_coded | names" imported-multi.jsonl >actual &&
	# test_io.py: [food], NA, [food, water], NA, [water], [NC]; the empty answer is NC here (coredata.md §4.6)
	printf "%s\n" food NC food,water NA water NC >expect &&
	test_cmp expect actual &&
	jq -r ".msg_coded | map(.SchemeID) | unique | join(\",\")" imported-multi.jsonl | sort -u >actual &&
	echo Scheme-c4855fcb >expect &&
	test_cmp expect actual
'

test_expect_success 'importing with no Coda file: every answer NR, missing NA, empty NC' '
	coda-merge -c config.json --coded-dir nowhere one_scheme.jsonl | jq -r .gender_coded.CodeID >actual &&
	coda-merge -c config.json --coded-dir nowhere multi_coded.jsonl | jq -r ".msg_coded[].CodeID" >>actual &&
	printf "%s\n" code-NR-5e3eee23 code-NC-42f1d983 code-NR-5e3eee23 code-NA-f93d3eb7 code-NR-5e3eee23 code-NR-5e3eee23 \
		code-NR-5e3eee23 code-NC-42f1d983 code-NR-5e3eee23 code-NA-f93d3eb7 code-NR-5e3eee23 code-NR-5e3eee23 >expect &&
	test_cmp expect actual
'

test_done
