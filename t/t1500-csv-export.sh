#!/bin/sh
# csv-export: production.csv (pipeline.md §5.6), messages.csv and individuals.csv (§5.8), byte for byte as the
# reference writes them (Python csv, QUOTE_MINIMAL, "\n").

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq

SQ="'"
SCHEMES=$SHARED/ibtci/code_schemes
GOLDEN=$SHARED/golden/sms/Outputs
FB_GOLDEN=$SHARED/golden/facebook/Outputs

ibtci_config sms sms.json
ibtci_config facebook facebook.json

# messages_traced_data.jsonl is written after set_stopped (pipeline.md §5.9): its withdrawn participant already
# has uid "STOP" and every value STOP. Peeling the newest entries written by consent_utils.py gives the messages
# before consent handling, with their raw texts (production.csv is written before it, §5.6).
jq -c 'until((.[0].Metadata.Source | test("consent_utils")) | not; .[1:])' \
	"$GOLDEN/messages_traced_data.jsonl" >pre-consent.jsonl

test_expect_success 'golden SMS: messages.csv from messages_traced_data.jsonl (after set_stopped)' '
	csv-export -c sms.json --messages "$GOLDEN/messages_traced_data.jsonl" >messages.csv &&
	test_cmp "$GOLDEN/messages.csv" messages.csv
'

test_expect_success 'golden SMS: individuals.csv from individuals_traced_data.jsonl (after set_stopped)' '
	csv-export -c sms.json --individuals "$GOLDEN/individuals_traced_data.jsonl" >individuals.csv &&
	test_cmp "$GOLDEN/individuals.csv" individuals.csv
'

test_expect_success 'golden SMS: production.csv from the messages before consent handling' '
	csv-export -c sms.json --production pre-consent.jsonl >production.csv &&
	test_cmp "$GOLDEN/production.csv" production.csv
'

test_expect_success 'golden SMS: the whole analysis step: td-consent, td-fold, csv-export' '
	td-consent -c sms.json pre-consent.jsonl >marked.jsonl &&
	td-consent --redact -c sms.json marked.jsonl | csv-export -c sms.json --messages >messages.csv &&
	test_cmp "$GOLDEN/messages.csv" messages.csv &&
	td-fold -c sms.json marked.jsonl | td-consent --redact -c sms.json |
		csv-export -c sms.json --individuals >individuals.csv &&
	test_cmp "$GOLDEN/individuals.csv" individuals.csv
'

test_expect_success 'a withdrawn record that was not redacted keeps its uid; every other column is STOP' '
	csv-export -c sms.json --messages marked.jsonl >marked.csv &&
	sed -n 4p marked.csv | tr , "\n" | sort | uniq -c | sed "s/^ *//" >actual &&
	printf "228 STOP\n1 avf-phone-uuid-B\n1 true\n" >expect &&
	test_cmp expect actual &&
	sed -n 4p marked.csv | cut -d, -f1-3 >actual &&
	echo "avf-phone-uuid-B,STOP,true" >expect &&
	test_cmp expect actual
'

test_expect_success 'with no records only the header is written (columns come from the plans)' '
	for kind in messages individuals production; do
		csv-export -c sms.json --$kind </dev/null >$kind.header &&
		head -n 1 "$GOLDEN/$kind.csv" >expect &&
		test_cmp expect $kind.header || return 1
	done &&
	for kind in messages individuals production; do
		csv-export -c facebook.json --$kind </dev/null >$kind.header &&
		head -n 1 "$FB_GOLDEN/$kind.csv" >expect &&
		test_cmp expect $kind.header || return 1
	done
'

# Facebook: the golden outputs have no TD JSONL, so the messages are rebuilt from messages.csv (which has no
# quoted cells): raw texts as written, a label for each code string value, and one for each "1" of a matrix.
for f in "$SCHEMES"/*.json; do jq -c --arg f "${f##*/}" '{($f): .}' "$f"; done | jq -s -c add >schemes.json
fb_messages() {
	jq -n --slurpfile plans "$EXAMPLES/ibtci/facebook_coding_plans.json" --slurpfile schemes schemes.json -R -c '
	def mklabel($s; $code): {Checked: true, CodeID: $code.CodeID, DateTimeUTC: "2021-01-01T00:00:00+00:00",
		Origin: {Name: "coder", OriginID: "c", OriginType: "Manual"}, SchemeID: $s.SchemeID};
	(input | split(",")) as $header |
	inputs | split(",") as $row |
	([$header, $row] | transpose | map({key: .[0], value: .[1]}) | from_entries) as $c |
	{uid: $c.uid, sent_on: $c.sent_on, consent_withdrawn: $c.consent_withdrawn} +
	([$plans[0].RQACodingPlans[] | . as $p |
		(if $c[$p.RawField] != "" then {($p.RawField): $c[$p.RawField]} else {} end),
		($p.CodingConfigurations[] | . as $cc | $schemes[0][$cc.CodeScheme] as $s |
			if $cc.CodingMode == "SINGLE" then
				{($cc.CodedField): mklabel($s; $s.Codes[] | select(.StringValue == $c[$cc.AnalysisFileKey]))}
			else
				{($cc.CodedField): [$s.Codes[] | select($c[$cc.AnalysisFileKey + "_" + .StringValue] == "1") | mklabel($s; .)]}
			end)] | add)' "$FB_GOLDEN/messages.csv"
}

test_expect_success 'golden Facebook: messages, production and individuals CSVs of the rebuilt messages' '
	! grep -q "\"" "$FB_GOLDEN/messages.csv" &&
	fb_messages >fb.jsonl &&
	csv-export -c facebook.json --messages fb.jsonl >fb-messages.csv &&
	test_cmp "$FB_GOLDEN/messages.csv" fb-messages.csv &&
	csv-export -c facebook.json --production fb.jsonl >fb-production.csv &&
	test_cmp "$FB_GOLDEN/production.csv" fb-production.csv &&
	td-fold -c facebook.json fb.jsonl | csv-export -c facebook.json --individuals >fb-individuals.csv &&
	test_cmp "$FB_GOLDEN/individuals.csv" fb-individuals.csv
'

test_expect_success 'golden Facebook: the individuals file leaves the columns of comment_reply_to and post_type empty' '
	fb_messages | csv-export -c facebook.json --individuals >fb-unfolded.csv &&
	head -n 1 fb-unfolded.csv | tr , "\n" | grep -n "^facebook_s08e01_comment_reply_to$" | cut -d: -f1 >col &&
	sed -n 2p fb-unfolded.csv | cut -d, -f$(cat col) >actual &&
	echo >expect &&
	test_cmp expect actual &&
	sed -n 2p fb-messages.csv | cut -d, -f$(($(cat col) + 1)) >actual &&
	echo post >expect &&
	test_cmp expect actual
'

cat >plans.json <<'EOF'
{
  "RQACodingPlans": [
    {"RawField": "rqa_raw", "RawFieldFoldStrategy": "concatenate", "CodingConfigurations": [
      {"CodedField": "rqa_coded", "CodingMode": "MULTIPLE", "CodeScheme": "engagement_type.json",
       "AnalysisFileKey": "rqa", "FoldStrategy": "list_of_labels"}]}
  ],
  "DemogCodingPlans": [
    {"RawField": "gender_raw", "RawFieldFoldStrategy": "assert_equal", "CodingConfigurations": [
      {"CodedField": "gender_coded", "CodingMode": "SINGLE", "CodeScheme": "gender.json",
       "AnalysisFileKey": "gender", "FoldStrategy": "assert_label_ids_equal"},
      {"CodedField": "gender_check_coded", "CodingMode": "SINGLE", "CodeScheme": "recently_displaced.json",
       "FoldStrategy": null}]}
  ],
  "EngagementCodingPlans": [
    {"RawField": "sent_on", "RawFieldFoldStrategy": "concatenate", "CodingConfigurations": [
      {"CodedField": "e_coded", "CodingMode": "SINGLE", "CodeScheme": "engagement_type.json",
       "AnalysisFileKey": "engagement", "FoldStrategy": "engagement_type", "IncludeInIndividualsFile": false}]}
  ]
}
EOF
EXPORT="csv-export -c sms.json -p plans.json -s $SCHEMES"

lab() {
	jq -c --arg sv "$2" '{Checked: true, CodeID: (.Codes[] | select(.StringValue == $sv) | .CodeID),
		DateTimeUTC: "2021-01-01T00:00:00+00:00", Origin: {Name: "coder", OriginID: "c", OriginType: "Manual"},
		SchemeID: .SchemeID}' "$SCHEMES/$1"
}
SHOW=$(lab engagement_type.json radio_show)
OTHER=$(lab engagement_type.json other)
NA_E=$(lab engagement_type.json NA)
FEMALE=$(lab gender.json female)

test_expect_success 'columns: analysis keys, one 0/1 column per code in scheme order, raw fields, sent_on once' '
	$EXPORT --messages </dev/null >actual &&
	echo "uid,sent_on,consent_withdrawn,rqa_sms_ad,rqa_radio_promo,rqa_radio_show,rqa_other,rqa_multiple,rqa_NA,rqa_STOP,rqa_raw,gender,gender_raw,engagement" >expect &&
	test_cmp expect actual &&
	$EXPORT --individuals </dev/null >actual &&
	echo "uid,consent_withdrawn,rqa_sms_ad,rqa_radio_promo,rqa_radio_show,rqa_other,rqa_multiple,rqa_NA,rqa_STOP,rqa_raw,gender,gender_raw,engagement,sent_on" >expect &&
	test_cmp expect actual &&
	$EXPORT --production </dev/null >actual &&
	echo "uid,sent_on,rqa_raw,gender_raw" >expect &&
	test_cmp expect actual
'

test_expect_success 'rows: code string values, matrices, raw values as Python str(), quoting as Python csv' '
	jq -nc --argjson show "$SHOW" --argjson other "$OTHER" --argjson na "$NA_E" --argjson female "$FEMALE" "
		{uid: \"a\", sent_on: \"t1\", consent_withdrawn: \"false\", rqa_raw: \"say \\\"hi\\\", twice\",
		 rqa_coded: [\$other, \$show, \$other], gender_raw: \"cr\\ronly\", gender_coded: \$female, e_coded: \$na},
		{uid: \"b\", sent_on: \"t2\", consent_withdrawn: \"false\", rqa_raw: 12.0, rqa_coded: [\$na],
		 gender_raw: true, gender_coded: \$female, e_coded: \$show},
		{uid: \"c\", sent_on: null, consent_withdrawn: \"false\", rqa_raw: [1, \"x\", null, {\"k\": false}],
		 rqa_coded: [\$na], gender_coded: \$female, e_coded: \$show}" |
		sed "s/\"rqa_raw\":12,/\"rqa_raw\":12.0,/" >rows.jsonl &&
	grep -q "\"rqa_raw\":12.0," rows.jsonl &&
	$EXPORT --messages rows.jsonl >actual &&
	printf "%s\n" "uid,sent_on,consent_withdrawn,rqa_sms_ad,rqa_radio_promo,rqa_radio_show,rqa_other,rqa_multiple,rqa_NA,rqa_STOP,rqa_raw,gender,gender_raw,engagement" \
		"a,t1,false,0,0,1,1,0,0,0,\"say \"\"hi\"\", twice\",female,cr$(printf "\r")only,NA" \
		"b,t2,false,0,0,0,0,0,1,0,12.0,female,True,radio_show" \
		"c,,false,0,0,0,0,0,1,0,\"[1, ${SQ}x${SQ}, None, {${SQ}k${SQ}: False}]\",female,,radio_show" >expect &&
	test_cmp expect actual &&
	$EXPORT --production rows.jsonl >actual &&
	printf "%s\n" "uid,sent_on,rqa_raw,gender_raw" "a,t1,\"say \"\"hi\"\", twice\",cr$(printf "\r")only" \
		"b,t2,12.0,True" "c,,\"[1, ${SQ}x${SQ}, None, {${SQ}k${SQ}: False}]\"," >expect &&
	test_cmp expect actual
'

test_expect_success 'the individuals file leaves out coding configurations not in it (their column stays empty)' '
	$EXPORT --individuals rows.jsonl >actual &&
	printf "%s\n" "uid,consent_withdrawn,rqa_sms_ad,rqa_radio_promo,rqa_radio_show,rqa_other,rqa_multiple,rqa_NA,rqa_STOP,rqa_raw,gender,gender_raw,engagement,sent_on" \
		"a,false,0,0,1,1,0,0,0,\"say \"\"hi\"\", twice\",female,cr$(printf "\r")only,,t1" \
		"b,false,0,0,0,0,0,1,0,12.0,female,True,,t2" \
		"c,false,0,0,0,0,0,1,0,\"[1, ${SQ}x${SQ}, None, {${SQ}k${SQ}: False}]\",female,,," >expect &&
	test_cmp expect actual
'

test_expect_success '-o writes the file atomically and leaves an old one untouched on failure' '
	$EXPORT --messages -o out.csv rows.jsonl &&
	$EXPORT --messages rows.jsonl >expect &&
	test_cmp expect out.csv &&
	echo "{\"uid\": \"z\"}" >bad.jsonl &&
	{ $EXPORT --messages -o out.csv rows.jsonl bad.jsonl 2>err; test $? = 65; } &&
	test_cmp expect out.csv &&
	ls -a | grep -v -e "^\.*$" -e "^\.out$" -e "^\.err$" >files &&
	! grep -q "out\.csv\." files
'

test_expect_code 65 'a record without consent_withdrawn is explained' '
	echo "{\"uid\": \"z\"}" | $EXPORT --messages >/dev/null 2>err; rc=$?
	echo "csv-export: <stdin>:1: no \"consent_withdrawn\" (run td-consent first)" >expect &&
	test_cmp expect err && exit $rc
'

test_expect_code 65 'a missing coded field is explained' '
	echo "{\"uid\": \"z\", \"consent_withdrawn\": \"false\", \"rqa_coded\": [$NA_E]}" | $EXPORT --messages >/dev/null 2>err; rc=$?
	echo "csv-export: <stdin>:1: no \"gender_coded\" (expected the coded field of every coding configuration with an analysis key)" >expect &&
	test_cmp expect err && exit $rc
'

test_expect_code 65 'an unknown code id is bad data' '
	echo "{\"uid\": \"z\", \"consent_withdrawn\": \"false\", \"rqa_coded\": [{\"CodeID\": \"code-nope\"}]}" | $EXPORT --messages >/dev/null 2>err; rc=$?
	grep -q "^csv-export: <stdin>:1: \"rqa_coded\": code id ${SQ}code-nope${SQ} is not in code scheme Scheme-8200076f (.*engagement_type.json)$" err && exit $rc
'

test_expect_success '--skip-bad leaves out bad records and writes the others' '
	cat rows.jsonl bad.jsonl rows.jsonl | $EXPORT --messages --skip-bad >actual 2>err &&
	$EXPORT --messages rows.jsonl >expect &&
	{ cat expect && tail -n +2 expect; } >expect2 &&
	test_cmp expect2 actual &&
	grep -q "^csv-export: <stdin>:4: no \"consent_withdrawn\" (run td-consent first) (skipped)$" err
'

test_expect_code 64 'exactly one of --production, --messages and --individuals' '
	$EXPORT --messages --individuals </dev/null
'

test_expect_code 64 'no file kind is a usage error' '
	$EXPORT </dev/null
'

test_done
