#!/bin/sh
# td-consent: consent_withdrawn for every record of a participant with a STOP label (the reference's
# determine_consent_withdrawn), and --redact (set_stopped: every value but consent_withdrawn becomes STOP, uid too).

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq

SQ="'"
SCHEMES=$SHARED/ibtci/code_schemes
GOLDEN=$SHARED/golden/sms/Outputs

ibtci_config sms sms.json

# The golden messages TD is written after set_stopped (pipeline.md §5.9). Peeling the newest entries written by
# consent_utils.py (determine_consent_withdrawn's "false" and "true", set_stopped) gives the messages as
# td-consent sees them in the pipeline.
jq -c 'until((.[0].Metadata.Source | test("consent_utils")) | not; .[1:])' \
	"$GOLDEN/messages_traced_data.jsonl" >pre-consent.jsonl

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
       "FoldStrategy": "assert_label_ids_equal"}]}
  ]
}
EOF
CONSENT="td-consent -c sms.json -p plans.json -s $SCHEMES"

lab() {
	jq -c --arg sv "$2" '{Checked: true, CodeID: (.Codes[] | select(.StringValue == $sv) | .CodeID),
		DateTimeUTC: "2021-01-01T00:00:00+00:00", Origin: {Name: "coder", OriginID: "c", OriginType: "Manual"},
		SchemeID: .SchemeID}' "$SCHEMES/$1"
}
STOP_S=$(lab s08_suggestions.json STOP)
AWARE=$(lab s08_suggestions.json community_awareness)
NA_S=$(lab s08_suggestions.json NA)
STOP_G=$(lab gender.json STOP)
FEMALE=$(lab gender.json female)

# a: STOP in a multi-coded list of its second message; b: STOP in a single-coded field (a coded field without an
# analysis key counts too); c: no STOP; d: no coded fields at all. Participants' messages are not adjacent.
jq -nc --argjson stop_s "$STOP_S" --argjson aware "$AWARE" --argjson na "$NA_S" --argjson stop_g "$STOP_G" \
	--argjson female "$FEMALE" '
	{uid: "a", rqa_raw: "hi", rqa_coded: [$aware], gender_coded: $female},
	{uid: "b", rqa_raw: "x", rqa_coded: [$na], gender_coded: $stop_g},
	{uid: "c", rqa_raw: "y", rqa_coded: [$aware], gender_coded: $female, n: 1},
	{uid: "a", rqa_raw: "stop", rqa_coded: [$aware, $stop_s], gender_coded: $female},
	{uid: "d", rqa_raw: "z"},
	{uid: "a", rqa_raw: "again", rqa_coded: [$na], gender_coded: $female}' >in.jsonl

test_expect_success 'every record of a participant with a STOP label is marked, the others "false"' '
	$CONSENT in.jsonl >out.jsonl &&
	jq -r "[.uid, .consent_withdrawn] | @tsv" out.jsonl >actual &&
	printf "a\ttrue\nb\ttrue\nc\tfalse\na\ttrue\nd\tfalse\na\ttrue\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'without --redact only consent_withdrawn is added, at the end of a flat record' '
	jq -c ". + {consent_withdrawn: (if .uid == \"a\" or .uid == \"b\" then \"true\" else \"false\" end)}" in.jsonl >expect &&
	jq -c . out.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success '--redact sets every other value to STOP, the uid included (the reference'"'"'s set_stopped)' '
	$CONSENT --redact in.jsonl >redacted.jsonl &&
	sed -n 4p redacted.jsonl | jq -c . >actual &&
	echo "{\"uid\":\"STOP\",\"rqa_raw\":\"STOP\",\"rqa_coded\":\"STOP\",\"gender_coded\":\"STOP\",\"consent_withdrawn\":\"true\"}" >expect &&
	test_cmp expect actual &&
	sed -n 3p redacted.jsonl | jq -c . >actual &&
	sed -n 3p out.jsonl | jq -c . >expect &&
	test_cmp expect actual
'

test_expect_success 'traced records get exactly one history entry holding every change' '
	td-cat --traced in.jsonl >traced.jsonl &&
	$CONSENT --redact traced.jsonl >traced-out.jsonl &&
	td-cat --verify -q traced-out.jsonl &&
	jq -c length traced-out.jsonl | sort -u >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	sed -n 2p traced-out.jsonl | jq -c ".[0].Data" >actual &&
	echo "{\"consent_withdrawn\":\"true\",\"gender_coded\":\"STOP\",\"rqa_coded\":\"STOP\",\"rqa_raw\":\"STOP\",\"uid\":\"STOP\"}" >expect &&
	test_cmp expect actual &&
	td-cat --flat traced-out.jsonl | jq -S -c . >actual &&
	jq -S -c . redacted.jsonl >expect &&
	test_cmp expect actual
'

test_expect_success 'running again changes nothing: no new entries, consent is never taken back' '
	$CONSENT --redact traced-out.jsonl >again.jsonl &&
	test_cmp traced-out.jsonl again.jsonl &&
	$CONSENT --redact redacted.jsonl >again.jsonl &&
	test_cmp redacted.jsonl again.jsonl &&
	$CONSENT out.jsonl >again.jsonl &&
	test_cmp out.jsonl again.jsonl
'

test_expect_success 'a record already marked withdrawn keeps its participant withdrawn' '
	echo "{\"uid\": \"e\", \"consent_withdrawn\": \"true\"}" >pre.jsonl &&
	echo "{\"uid\": \"e\", \"rqa_coded\": [$AWARE]}" >>pre.jsonl &&
	$CONSENT pre.jsonl | jq -r .consent_withdrawn >actual &&
	printf "true\ntrue\n" >expect &&
	test_cmp expect actual
'

test_expect_success '--redact leaves hidden keys hidden and keeps td-fold'"'"'s _FoldedTracedDataSHAs' '
	echo "{\"uid\": \"f\", \"gender_coded\": $STOP_G, \"tmp\": 1, \"_FoldedTracedDataSHAs\": [\"ab\"]}" |
		td-cat --traced | td-remap -m tmp=tmp2 | td-remap -m tmp2=tmp3 >hidden.jsonl &&
	grep -q "\"tmp2\": \"#HIDDEN-VALUE-" hidden.jsonl &&
	$CONSENT --redact hidden.jsonl >redacted-hidden.jsonl &&
	td-cat --verify -q redacted-hidden.jsonl &&
	td-cat --flat redacted-hidden.jsonl >actual &&
	echo "{\"_FoldedTracedDataSHAs\": [\"ab\"], \"gender_coded\": \"STOP\", \"uid\": \"STOP\", \"tmp3\": \"STOP\", \"consent_withdrawn\": \"true\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'standard input: a pipe, a file, and a file already read in part' '
	$CONSENT in.jsonl >expect &&
	cat in.jsonl | $CONSENT >actual &&
	test_cmp expect actual &&
	$CONSENT <in.jsonl >actual &&
	test_cmp expect actual &&
	cat in.jsonl | $CONSENT - >actual &&
	test_cmp expect actual &&
	tail -n +2 in.jsonl | $CONSENT >expect &&
	{ head -n 1 >/dev/null; $CONSENT >actual; } <in.jsonl &&
	test_cmp expect actual
'

test_expect_success 'a STOP in one file withdraws the participant'"'"'s records in the others' '
	head -n 3 in.jsonl >part1 &&
	tail -n +4 in.jsonl >part2 &&
	cat part2 | $CONSENT part1 - >actual &&
	test_cmp out.jsonl actual
'

test_expect_success '-v counts records, participants and withdrawn participants' '
	$CONSENT -v in.jsonl 2>err >/dev/null &&
	echo "td-consent: 6 records, 4 participants, 2 withdrawn (4 records)" >expect &&
	test_cmp expect err
'

test_expect_success 'no coded field anywhere is worth a warning (td-consent runs after coda-merge)' '
	echo "{\"uid\": \"x\", \"rqa_raw\": \"stop\"}" | $CONSENT >out 2>err &&
	echo "td-consent: no record holds a coded field of the plans: every record was marked \"false\" (expected labels from coda-merge)" >expect &&
	test_cmp expect err &&
	$CONSENT -q in.jsonl 2>err >/dev/null && test_cmp /dev/null err
'

test_expect_code 65 'an unknown code id is bad data' '
	echo "{\"uid\": \"x\", \"gender_coded\": {\"CodeID\": \"code-nope\", \"SchemeID\": \"x\"}}" >bad.jsonl &&
	$CONSENT bad.jsonl >out 2>err; rc=$?
	grep -q "^td-consent: bad.jsonl:1: \"gender_coded\": code id ${SQ}code-nope${SQ} is not in code scheme Scheme-12cb6f95 (.*gender.json)$" err &&
	test_cmp /dev/null out && exit $rc
'

test_expect_code 65 'a coded field that is not a label is bad data' '
	echo "{\"uid\": \"x\", \"rqa_coded\": \"STOP\"}" | $CONSENT 2>err; rc=$?
	echo "td-consent: <stdin>:1: \"rqa_coded\": expected a list of labels (CodingMode MULTIPLE)" >expect &&
	test_cmp expect err && exit $rc
'

test_expect_code 65 'a record without uid is bad data' '
	echo "{\"rqa_raw\": \"x\"}" >nouid.jsonl &&
	$CONSENT in.jsonl nouid.jsonl 2>err >/dev/null; rc=$?
	echo "td-consent: nouid.jsonl:1: no \"uid\" (expected the participant${SQ}s id)" >expect &&
	test_cmp expect err && exit $rc
'

test_expect_success '--skip-bad reports bad records once and marks the others' '
	{ head -n 2 in.jsonl && echo "{\"rqa_raw\": \"x\"}" && echo "not json" && tail -n +3 in.jsonl; } >mixed.jsonl &&
	$CONSENT --skip-bad mixed.jsonl >actual 2>err &&
	test_cmp out.jsonl actual &&
	test $(grep -c "(skipped)" err) = 2 &&
	grep -q "^td-consent: mixed.jsonl:3: no \"uid\"" err &&
	grep -q "^td-consent: mixed.jsonl:4: invalid JSON" err &&
	grep -q "skipped 2 bad records" err
'

test_expect_code 64 'the configuration is required' '
	td-consent in.jsonl
'

test_expect_code 66 'a missing input file' '
	$CONSENT nonexistent.jsonl
'

test_expect_success 'golden SMS: --redact gives the reference'"'"'s messages_traced_data.jsonl latest values' '
	td-consent --redact -c sms.json pre-consent.jsonl >messages.jsonl &&
	td-cat --verify -q messages.jsonl &&
	td-cat --flat messages.jsonl | jq -S -c . >actual &&
	td-cat --flat "$GOLDEN/messages_traced_data.jsonl" | jq -S -c . >expect &&
	test_cmp expect actual &&
	jq -c length pre-consent.jsonl | awk "{ print \$1 + 1 }" >expect &&
	jq -c length messages.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'golden SMS: without --redact, the withdrawn participant keeps their uid' '
	td-consent -c sms.json pre-consent.jsonl | td-cat --flat | jq -r "[.uid, .consent_withdrawn] | @tsv" >actual &&
	printf "avf-phone-uuid-A\tfalse\navf-phone-uuid-A\tfalse\navf-phone-uuid-B\ttrue\navf-phone-uuid-C\tfalse\navf-phone-uuid-A\tfalse\n" >expect &&
	test_cmp expect actual
'

test_done
