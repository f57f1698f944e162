#!/bin/sh
# td-fold: one record per participant, folded with the plans' strategies as the reference's analysis file
# (src/analysis_file.py, CoreDataModules v0.15.2 fold_traced_data.py), written as one entry of folded values plus
# _FoldedTracedDataSHAs (DESIGN.md §4).

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq

SQ="'"
SCHEMES=$SHARED/ibtci/code_schemes
GOLDEN=$SHARED/golden/sms/Outputs
VERSION=$(td-fold --version | sed "s/.* //")

ibtci_config sms sms.json
ibtci_config facebook facebook.json

# The golden TD files carry real SHAs but CoreDataModules' own Metadata; the labels the pipeline makes carry the
# run's clock and source (golden/README.md): mask those two fields before comparing latest values.
MASK='walk(if type == "object" then
	(if has("DateTimeUTC") then .DateTimeUTC = "X" else . end) |
	(if has("OriginID") then .OriginID = "X" else . end) else . end)'

# The golden messages TD is written after set_stopped (pipeline.md §5.9): the withdrawn participant's record has
# uid "STOP" and every value STOP. Peeling the newest entries written by consent_utils.py gives the messages as
# the reference's fold saw them, before determine_consent_withdrawn (their SHAs still verify).
jq -c 'until((.[0].Metadata.Source | test("consent_utils")) | not; .[1:])' \
	"$GOLDEN/messages_traced_data.jsonl" >pre-consent.jsonl

# A synthetic plans file: one plan for each fold strategy (tdtools-config(5)).
cat >plans.json <<'EOF'
{
  "RQACodingPlans": [
    {"RawField": "rqa_raw", "RawFieldFoldStrategy": "concatenate", "CodingConfigurations": [
      {"CodedField": "rqa_coded", "CodingMode": "MULTIPLE", "CodeScheme": "s08_suggestions.json",
       "AnalysisFileKey": "rqa", "FoldStrategy": "list_of_labels"}]}
  ],
  "DemogCodingPlans": [
    {"RawField": "gender_raw", "RawFieldFoldStrategy": "assert_equal", "CodingConfigurations": [
      {"CodedField": "gender_coded", "CodingMode": "SINGLE", "CodeScheme": "gender.json",
       "AnalysisFileKey": "gender", "FoldStrategy": "assert_label_ids_equal"}]}
  ],
  "FollowUpCodingPlans": [
    {"RawField": "voice_raw", "RawFieldFoldStrategy": "yes_no_amb", "CodingConfigurations": [
      {"CodedField": "voice_coded", "CodingMode": "SINGLE", "CodeScheme": "s08_have_voice.json",
       "FoldStrategy": null}]},
    {"RawField": "seen_raw", "RawFieldFoldStrategy": "matrix", "CodingConfigurations": [
      {"CodedField": "seen_coded", "CodingMode": "SINGLE", "CodeScheme": "recently_displaced.json",
       "AnalysisFileKey": "seen", "FoldStrategy": null, "IncludeInIndividualsFile": false}]}
  ],
  "EngagementCodingPlans": [
    {"RawField": "sent_on", "RawFieldFoldStrategy": "concatenate", "CodingConfigurations": [
      {"CodedField": "engagement_coded", "CodingMode": "SINGLE", "CodeScheme": "engagement_type.json",
       "AnalysisFileKey": "engagement", "FoldStrategy": "engagement_type"}]}
  ]
}
EOF
FOLD="td-fold -c sms.json -p plans.json -s $SCHEMES"

# lab SCHEME STRING_VALUE: a checked label for the code with that string value.
lab() {
	jq -c --arg sv "$2" '{Checked: true, CodeID: (.Codes[] | select(.StringValue == $sv) | .CodeID),
		DateTimeUTC: "2021-01-01T00:00:00+00:00", Origin: {Name: "coder", OriginID: "c", OriginType: "Manual"},
		SchemeID: .SchemeID}' "$SCHEMES/$1"
}
NC_S=$(lab s08_suggestions.json NC)
NA_S=$(lab s08_suggestions.json NA)
OTHER=$(lab s08_suggestions.json other_theme)
AWARE=$(lab s08_suggestions.json community_awareness)
RADIO=$(lab s08_suggestions.json improve_radio_stations)
FEMALE=$(lab gender.json female)
NA_G=$(lab gender.json NA)
SMS_AD=$(lab engagement_type.json sms_ad)
SHOW=$(lab engagement_type.json radio_show)
NA_E=$(lab engagement_type.json NA)
YES=$(lab recently_displaced.json yes)
MULTIPLE_ID=$(jq -r '.Codes[] | select(.StringValue == "multiple") | .CodeID' "$SCHEMES/engagement_type.json")
# What every message holds after coda-merge; rec JQ_OBJECT adds to it. yes_no_amb and matrix need values too.
BASE=$(jq -nc --argjson na "$NA_S" --argjson na_g "$NA_G" --argjson na_e "$NA_E" \
	'{consent_withdrawn: "false", rqa_coded: [$na], gender_coded: $na_g, voice_raw: "NA", seen_raw: "0",
	  engagement_coded: $na_e}')
rec() {
	jq -nc --argjson base "$BASE" --argjson nc "$NC_S" --argjson na "$NA_S" --argjson aware "$AWARE" "\$base + $1"
}

# u1 has three non-adjacent messages, u2 one, u3 one; every message has every folded field, as after coda-merge.
jq -nc --argjson nc "$NC_S" --argjson na "$NA_S" --argjson other "$OTHER" --argjson aware "$AWARE" \
	--argjson radio "$RADIO" --argjson female "$FEMALE" --argjson na_g "$NA_G" --argjson sms_ad "$SMS_AD" \
	--argjson show "$SHOW" --argjson na_e "$NA_E" --argjson yes "$YES" '
	{uid: "u1", consent_withdrawn: "false", sent_on: "2020-11-01T10:00:00+00:00", rqa_raw: "",
	 rqa_coded: [$nc], gender_raw: "naag", gender_coded: $female, voice_raw: "yes", seen_raw: "0",
	 seen_coded: $yes, engagement_coded: $sms_ad, extra: "x1"},
	{uid: "u2", consent_withdrawn: "false", sent_on: "2020-11-02T10:00:00+00:00", rqa_raw: "hello",
	 rqa_coded: [$other, $aware], gender_coded: $na_g, voice_raw: "NC", seen_raw: "1",
	 engagement_coded: $na_e, extra: "x2"},
	{uid: "u1", consent_withdrawn: "false", sent_on: "2020-11-05T10:00:00+00:00", rqa_raw: "second",
	 rqa_coded: [$radio, $aware, $radio], gender_raw: "naag", gender_coded: $female, voice_raw: "no",
	 seen_raw: "1", seen_coded: $yes, engagement_coded: $show, extra: "x3"},
	{uid: "u3", consent_withdrawn: "false", sent_on: "2020-11-06T10:00:00+00:00", rqa_raw: "only",
	 rqa_coded: [$aware], gender_coded: $na_g, engagement_coded: $na_e, extra: "x4", nothing: null},
	{uid: "u1", consent_withdrawn: "false", sent_on: "2020-11-07T10:00:00+00:00",
	 rqa_coded: [$na], gender_raw: "naag", gender_coded: $female, voice_raw: "NR", seen_raw: "0",
	 seen_coded: $yes, engagement_coded: $na_e, extra: "x5", empty: null}' >in.jsonl

test_expect_success 'participants come out in order of first appearance, one record each' '
	$FOLD in.jsonl >out.jsonl &&
	jq -r .uid out.jsonl >actual &&
	printf "u1\nu2\nu3\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a participant with several messages keeps only the folded keys, in fold-strategy order' '
	$FOLD in.jsonl | head -n 1 | jq -c keys_unsorted >actual &&
	echo "[\"uid\",\"consent_withdrawn\",\"rqa_coded\",\"rqa_raw\",\"gender_coded\",\"gender_raw\",\"voice_raw\",\"seen_raw\",\"engagement_coded\",\"sent_on\",\"_FoldedTracedDataSHAs\"]" >expect &&
	test_cmp expect actual
'

test_expect_success 'each strategy folds as CoreDataModules does' '
	$FOLD in.jsonl | head -n 1 >u1.json &&
	jq -c "[.uid, .consent_withdrawn, .rqa_raw, .gender_raw, .voice_raw, .seen_raw, .sent_on]" u1.json >actual &&
	echo "[\"u1\",\"false\",\";second\",\"naag\",\"ambivalent\",\"1\",\"2020-11-01T10:00:00+00:00;2020-11-05T10:00:00+00:00;2020-11-07T10:00:00+00:00\"]" >expect &&
	test_cmp expect actual &&
	jq -c "[.rqa_coded[].CodeID] == [$RADIO, $AWARE | .CodeID]" u1.json | grep -qx true &&
	jq -c ".gender_coded == $FEMALE" u1.json | grep -qx true
'

test_expect_success 'engagement types: two Normal codes give a new unchecked "multiple" label, NA yields' '
	$FOLD in.jsonl | head -n 1 | jq -c ".engagement_coded" >actual &&
	echo "{\"Checked\":false,\"CodeID\":\"$MULTIPLE_ID\",\"DateTimeUTC\":\"2020-09-13T12:26:40.000000+00:00\",\"Origin\":{\"Name\":\"Pipeline Auto-Coder\",\"OriginID\":\"tdtools:td-fold:fold_engagement_type\",\"OriginType\":\"External\"},\"SchemeID\":\"Scheme-8200076f\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'a participant with one message keeps every key (groups of one are not folded)' '
	$FOLD in.jsonl | sed -n 3p | jq -c "del(._FoldedTracedDataSHAs)" >actual &&
	sed -n 4p in.jsonl | jq -c . >expect &&
	test_cmp expect actual
'

test_expect_success '_FoldedTracedDataSHAs: the members'"'"' newest SHAs in fold order (a flat record'"'"'s is its td-cat --traced SHA)' '
	td-cat --traced in.jsonl | jq -r ".[0].SHA" >shas &&
	{ sed -n "1p;3p;5p" shas; sed -n 2p shas; sed -n 4p shas; } >expect &&
	$FOLD in.jsonl | jq -r "._FoldedTracedDataSHAs[]" >actual &&
	test_cmp expect actual
'

test_expect_success 'traced input gives one history entry per participant with the same values' '
	td-cat --traced in.jsonl >traced.jsonl &&
	$FOLD traced.jsonl >out.traced &&
	jq -c length out.traced >actual &&
	printf "1\n1\n1\n" >expect &&
	test_cmp expect actual &&
	td-cat --verify -q out.traced &&
	td-cat --flat out.traced | jq -S -c . >actual &&
	$FOLD in.jsonl | jq -S -c . >expect &&
	test_cmp expect actual &&
	jq -r ".[0].Metadata | [.Source, .Timestamp, .User] | @tsv" out.traced | sort -u >actual &&
	printf "td-fold %s\t2020-09-13T12:26:40.000000+00:00\ttest@tdtools\n" "$VERSION" >expect &&
	test_cmp expect actual
'

test_expect_success 'the members'"'"' SHAs of traced input are their newest entries'"'"' SHAs' '
	jq -r ".[0].SHA" traced.jsonl | sed -n "1p;3p;5p" >expect &&
	head -n 1 out.traced | jq -r ".[0].Data._FoldedTracedDataSHAs[]" >actual &&
	test_cmp expect actual
'

test_expect_success 'standard input: a pipe, a file, and a file already read in part' '
	$FOLD in.jsonl >expect &&
	cat in.jsonl | $FOLD >actual &&
	test_cmp expect actual &&
	$FOLD <in.jsonl >actual &&
	test_cmp expect actual &&
	$FOLD - <in.jsonl >actual &&
	test_cmp expect actual &&
	tail -n +2 in.jsonl | $FOLD >expect &&
	{ head -n 1 >/dev/null; $FOLD >actual; } <in.jsonl &&
	test_cmp expect actual
'

test_expect_success 'several files are folded together, in argument order' '
	head -n 2 in.jsonl >part1 &&
	tail -n +3 in.jsonl >part2 &&
	$FOLD in.jsonl >expect &&
	cat part2 | $FOLD part1 - >actual &&
	test_cmp expect actual
'

test_expect_success 'null values count as absent, as td.get does' '
	{ rec "{uid: \"n\", rqa_raw: null, sent_on: \"a\"}" && rec "{uid: \"n\", rqa_raw: \"b\", sent_on: null}"; } >nulls.jsonl &&
	$FOLD nulls.jsonl | jq -c "[.rqa_raw, .sent_on, has(\"gender_raw\")]" >actual &&
	echo "[\"b\",\"a\",false]" >expect &&
	test_cmp expect actual
'

test_expect_success 'list_of_labels: [NA] and [NA] stay NA; [NA] and [NC] give NC; NC yields to a code' '
	{ rec "{uid: \"l\"}" && rec "{uid: \"l\"}" &&
	  rec "{uid: \"m\"}" && rec "{uid: \"m\", rqa_coded: [\$nc]}" &&
	  rec "{uid: \"k\", rqa_coded: [\$nc]}" && rec "{uid: \"k\", rqa_coded: [\$aware]}"; } >lists.jsonl &&
	$FOLD lists.jsonl | jq -c "[.rqa_coded[].CodeID]" >actual &&
	{ jq -nc "[$NA_S | .CodeID]" && jq -nc "[$NC_S | .CodeID]" && jq -nc "[$AWARE | .CodeID]"; } >expect &&
	test_cmp expect actual
'

test_expect_success 'consent_withdrawn folds with boolean_or' '
	{ rec "{uid: \"c\"}" && rec "{uid: \"c\", consent_withdrawn: \"true\"}" && rec "{uid: \"c\"}"; } >or.jsonl &&
	$FOLD or.jsonl | jq -r .consent_withdrawn >actual &&
	echo true >expect &&
	test_cmp expect actual
'

test_expect_code 65 'values that do not fold stop the tool, naming the record, the participant and the key' '
	sed "3s/\"gender_raw\":\"naag\"/\"gender_raw\":\"wiil\"/" in.jsonl >bad.jsonl &&
	! cmp -s in.jsonl bad.jsonl &&
	$FOLD bad.jsonl >out 2>err; rc=$?
	echo "td-fold: bad.jsonl:3: uid \"u1\": \"gender_raw\" (assert_equal): the value differs from the participant${SQ}s earlier messages" >expect &&
	test_cmp expect err && test_cmp /dev/null out && exit $rc
'

test_expect_success '--skip-bad leaves out the record that does not fold and goes on' '
	$FOLD --skip-bad bad.jsonl >out 2>err &&
	grep -q "^td-fold: bad.jsonl:3: uid \"u1\": \"gender_raw\" (assert_equal): .* (skipped)$" err &&
	grep -q "skipped 1 bad record" err &&
	head -n 1 out | jq -r .sent_on >actual &&
	echo "2020-11-01T10:00:00+00:00;2020-11-07T10:00:00+00:00" >expect &&
	test_cmp expect actual
'

test_expect_code 65 'a missing consent_withdrawn is explained (boolean_or needs "true" or "false")' '
	jq -c "del(.consent_withdrawn)" in.jsonl >noconsent.jsonl &&
	$FOLD noconsent.jsonl 2>err >/dev/null; rc=$?
	grep -q "^td-fold: noconsent.jsonl:3: uid \"u1\": \"consent_withdrawn\" (boolean_or): expected \"true\" or \"false\" in every message$" err && exit $rc
'

test_expect_code 65 'a record without uid is an error' '
	echo "{\"sent_on\": \"x\"}" | $FOLD 2>err; rc=$?
	grep -q "^td-fold: <stdin>:1: no \"uid\"" err && exit $rc
'

test_expect_code 64 'the configuration is required' '
	td-fold in.jsonl
'

test_expect_success 'many participants with interleaved messages' '
	jq -nc --argjson base "$BASE" "range(400) as \$i | \$base + {uid: \"p\\(\$i % 97)\", sent_on: \"\\(\$i)\"}" >many.jsonl &&
	test $(wc -l <many.jsonl) = 400 &&
	$FOLD many.jsonl >out &&
	test $(wc -l <out) = 97 &&
	jq -r "select(.uid == \"p5\") | .sent_on" out >actual &&
	echo "5;102;199;296;393" >expect &&
	test_cmp expect actual &&
	cat many.jsonl | $FOLD | cmp - out
'

test_expect_success 'golden SMS: td-consent, td-fold, td-consent --redact give the reference'"'"'s individuals (latest values)' '
	td-consent -c sms.json pre-consent.jsonl >marked.jsonl &&
	td-fold -c sms.json marked.jsonl >folded.jsonl &&
	td-cat --verify -q folded.jsonl &&
	jq -c length folded.jsonl >actual &&
	printf "1\n1\n1\n" >expect &&
	test_cmp expect actual &&
	td-consent --redact -c sms.json folded.jsonl >individuals.jsonl &&
	td-cat --flat individuals.jsonl | jq -S -c "del(._FoldedTracedDataSHAs) | $MASK" >actual &&
	td-cat --flat "$GOLDEN/individuals_traced_data.jsonl" | jq -S -c "$MASK" >expect &&
	test_cmp expect actual
'

test_expect_success 'golden SMS: the individuals CSV of the folded records is byte for byte the reference'"'"'s' '
	csv-export -c sms.json --individuals individuals.jsonl >individuals.csv &&
	test_cmp "$GOLDEN/individuals.csv" individuals.csv
'

test_expect_success 'golden SMS: a participant'"'"'s _FoldedTracedDataSHAs are the SHAs of their messages' '
	td-cat --flat marked.jsonl | jq -r .uid >uids &&
	jq -r ".[0].SHA" marked.jsonl >shas &&
	paste uids shas | awk -F "\t" "\$1 == \"avf-phone-uuid-A\" { print \$2 }" >expect &&
	head -n 1 folded.jsonl | jq -r ".[0].Data._FoldedTracedDataSHAs[]" >actual &&
	test_cmp expect actual
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
			end)] | add)' "$SHARED/golden/facebook/Outputs/messages.csv"
}

test_expect_success 'golden Facebook: td-fold of the messages gives the reference'"'"'s individuals.csv' '
	! grep -q "\"" "$SHARED/golden/facebook/Outputs/messages.csv" &&
	fb_messages >fb-messages.jsonl &&
	test $(wc -l <fb-messages.jsonl) = 3 &&
	td-fold -c facebook.json fb-messages.jsonl >fb-folded.jsonl &&
	jq -r ".facebook_s08e01_raw" fb-folded.jsonl | head -n 1 >actual &&
	echo "comment one;reply" >expect &&
	test_cmp expect actual &&
	csv-export -c facebook.json --individuals fb-folded.jsonl >fb-individuals.csv &&
	test_cmp "$SHARED/golden/facebook/Outputs/individuals.csv" fb-individuals.csv
'

test_expect_success 'golden Facebook: the coded fields that are not in the individuals file are not folded' '
	head -n 1 fb-folded.jsonl | jq -c "[has(\"facebook_s08e01_coded\"), has(\"facebook_s08e01_comment_reply_to_coded\"), has(\"facebook_s08e01_post_type_coded\")]" >actual &&
	echo "[true,false,false]" >expect &&
	test_cmp expect actual
'

test_done
