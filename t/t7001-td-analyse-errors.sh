#!/bin/sh
# td-analyse: usage, missing inputs, bad records, records the analysis cannot read, bad configurations,
# an output directory that cannot be made, --skip-bad and --max-record. Uses the demo project's plans.

. "$(dirname "$0")/test-lib.sh"

require_prog jq

C=$EXAMPLES/demo/config.json
SQ="'"

# @code is a label of the demo schemes' code with that id
labels() {
	sed 's/@\([A-Za-z0-9_-]*\)/{"CodeID": "\1"}/g'
}

labels >m.jsonl <<'EOF'
{"uid": "A", "consent_withdrawn": "false", "sent_on": "2026-01-10T10:00:00+03:00", "rqa_e01_raw": "x", "rqa_e01_coded": [@code-d1-health], "rqa_e02_coded": [@code-NA-f93d3eb7], "gender_coded": @code-demo-male, "mogadishu_sub_district_coded": @code-NC-42f1d983, "district_coded": @code-demo-dist-baidoa, "region_coded": @code-demo-reg-bay, "state_coded": @code-demo-state-south-west-state, "zone_coded": @code-demo-zone-scz}
{"uid": "STOP", "consent_withdrawn": "true", "rqa_e01_raw": "STOP", "rqa_e01_coded": "STOP", "rqa_e02_coded": "STOP", "gender_coded": "STOP"}
EOF
cp m.jsonl i.jsonl

test_expect_success 'the good input works, and a withdrawn record needs no labels' '
	td-analyse -c "$C" -d o m.jsonl i.jsonl &&
	tail -1 o/engagement_counts.csv >actual &&
	echo "Total,2,1,1,1,2,1,1" >expect &&
	test_cmp expect actual
'

test_expect_code 64 'no arguments: usage' 'td-analyse 2>err'
test_expect_success 'the usage line' '
	{ td-analyse 2>err; test $? = 64; } &&
	echo "usage: td-analyse [-q] -c CONFIG [-p PLANS] [-s DIR] -d DIR [--metrics-dir DIR] [--seed N] [--max-record SIZE] [--skip-bad] MESSAGES INDIVIDUALS" >expect &&
	test_cmp expect err
'
test_expect_code 64 'one input only: usage' 'td-analyse -c "$C" -d o m.jsonl 2>err'
test_expect_success 'no -d: usage error 64' '
	{ td-analyse -c "$C" m.jsonl i.jsonl 2>err; test $? = 64; } &&
	echo "td-analyse: no output directory (give -d DIR)" >expect &&
	test_cmp expect err
'
test_expect_success 'no -c: usage error 64' '
	{ td-analyse -d o m.jsonl i.jsonl 2>err; test $? = 64; }
'
test_expect_success 'both inputs on standard input: usage error 64' '
	{ td-analyse -c "$C" -d o - - </dev/null 2>err; test $? = 64; } &&
	echo "td-analyse: MESSAGES and INDIVIDUALS cannot both be standard input" >expect &&
	test_cmp expect err
'
test_expect_success 'a negative --seed: usage error 64' '
	{ td-analyse -c "$C" -d o --seed -1 m.jsonl i.jsonl 2>err; test $? = 64; } &&
	echo "td-analyse: --seed: expected a non-negative integer, got ${SQ}-1${SQ}" >expect &&
	test_cmp expect err
'

test_expect_success 'a missing messages file: 66, and nothing written' '
	{ td-analyse -c "$C" -d o66 nope.jsonl i.jsonl 2>err; test $? = 66; } &&
	echo "td-analyse: nope.jsonl: No such file or directory" >expect &&
	test_cmp expect err &&
	! test -e o66
'
test_expect_success 'a missing individuals file: 66' '
	{ td-analyse -c "$C" -d o66 m.jsonl nope.jsonl 2>err; test $? = 66; } &&
	echo "td-analyse: nope.jsonl: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_success 'a bad record: 65 with file:line' '
	{ cat m.jsonl; echo "{\"a\":"; } >bad.jsonl &&
	{ td-analyse -c "$C" -d o bad.jsonl i.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: bad.jsonl:3: invalid JSON at column 6: unexpected end of input" >expect &&
	test_cmp expect err
'

test_expect_success 'no consent_withdrawn: 65' '
	echo "{\"uid\": \"A\"}" >nc.jsonl &&
	{ td-analyse -c "$C" -d o m.jsonl nc.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: nc.jsonl:1: no \"consent_withdrawn\" (run td-consent first)" >expect &&
	test_cmp expect err
'

test_expect_success 'a consenting message without an RQA coded field: 65' '
	jq -c "del(.rqa_e02_coded)" m.jsonl >nf.jsonl &&
	{ td-analyse -c "$C" -d o nf.jsonl i.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: nf.jsonl:1: no \"rqa_e02_coded\" (expected the labels of every analysed coded field)" >expect &&
	test_cmp expect err
'

test_expect_success 'an individual without the demographic coded field: 65' '
	jq -c "del(.gender_coded)" i.jsonl >ng.jsonl &&
	{ td-analyse -c "$C" -d o m.jsonl ng.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: ng.jsonl:1: no \"gender_coded\" (expected the labels of every analysed coded field)" >expect &&
	test_cmp expect err
'

test_expect_success 'a code id the scheme does not have: 65' '
	sed "s/code-d1-health/code-nope/" m.jsonl >unk.jsonl &&
	{ td-analyse -c "$C" -d o unk.jsonl i.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: unk.jsonl:1: \"rqa_e01_coded\": code id ${SQ}code-nope${SQ} is not in code scheme Scheme-demo0001 ($EXAMPLES/demo/schemes/demo_e01.json)" >expect &&
	test_cmp expect err
'

test_expect_success 'an empty list of labels: 65' '
	jq -c ".rqa_e01_coded = []" m.jsonl >empty.jsonl &&
	{ td-analyse -c "$C" -d o empty.jsonl i.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: empty.jsonl:1: \"rqa_e01_coded\": no labels (expected at least one)" >expect &&
	test_cmp expect err
'

test_expect_success 'NA beside another code: 65, as the reference'"'"'s assertion' '
	head -1 m.jsonl | jq -c ".rqa_e01_coded += [{CodeID: \"code-NA-f93d3eb7\"}]" >na.jsonl &&
	{ td-analyse -c "$C" -d o na.jsonl i.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: na.jsonl:1: \"rqa_e01_coded\": code NA with other codes (expected it alone)" >expect &&
	test_cmp expect err
'

test_expect_success 'a label that is not an object: 65' '
	jq -c ".gender_coded = \"male\"" i.jsonl >str.jsonl &&
	{ td-analyse -c "$C" -d o m.jsonl str.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: str.jsonl:1: \"gender_coded\": expected a label or a list of labels" >expect &&
	test_cmp expect err
'

test_expect_success 'a STOP code on an individual who did not withdraw consent: 65' '
	head -1 i.jsonl | jq -c ".rqa_e01_coded += [{CodeID: \"code-STOP-08b832a8\"}]" >stop.jsonl &&
	{ td-analyse -c "$C" -d o m.jsonl stop.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: stop.jsonl:1: \"rqa_e01_coded\": code STOP on a participant who did not withdraw consent" >expect &&
	test_cmp expect err
'

jq --arg plans "$EXAMPLES/demo/plans.json" --arg schemes "$EXAMPLES/demo/schemes" \
	'. + {CodingPlans: $plans, CodeSchemesDir: $schemes} | .AutomatedAnalysis.TrafficLabels =
	[{StartDate: "2026-01-01T00:00+03:00", EndDate: "2026-02-01T00:00+03:00", Label: "January"}]' "$C" >traffic.json

test_expect_success 'traffic labels: a sent_on without a UTC offset is 65' '
	jq -c ".sent_on = \"2026-01-10T10:00:00\"" m.jsonl >naive.jsonl &&
	{ td-analyse -c traffic.json -d o naive.jsonl i.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: naive.jsonl:1: \"sent_on\": ${SQ}2026-01-10T10:00:00${SQ} has no UTC offset (expected one, to compare with the traffic labels)" >expect &&
	test_cmp expect err
'

test_expect_success 'traffic labels: an opt-in message without sent_on is 65' '
	jq -c "del(.sent_on)" m.jsonl >nosent.jsonl &&
	{ td-analyse -c traffic.json -d o nosent.jsonl i.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: nosent.jsonl:1: no \"sent_on\" string (expected the time the message was sent)" >expect &&
	test_cmp expect err
'

test_expect_success '--skip-bad: bad records are reported, skipped and not counted' '
	{ cat m.jsonl; echo "not json"; head -1 nf.jsonl; } >mixed.jsonl &&
	td-analyse --skip-bad -c "$C" -d sk mixed.jsonl i.jsonl 2>err &&
	cat >expect <<-EOF &&
	td-analyse: mixed.jsonl:3: invalid JSON at column 1: invalid literal (skipped)
	td-analyse: mixed.jsonl:4: no "rqa_e02_coded" (expected the labels of every analysed coded field) (skipped)
	td-analyse: skipped 2 bad records
	EOF
	test_cmp expect err &&
	cmp o/engagement_counts.csv sk/engagement_counts.csv
'

test_expect_success '--skip-bad -q: only the count' '
	td-analyse -q --skip-bad -c "$C" -d sk mixed.jsonl i.jsonl 2>err &&
	echo "td-analyse: skipped 2 bad records" >expect &&
	test_cmp expect err
'

test_expect_success '--max-record: a longer record is 65' '
	{ td-analyse --max-record 100 -c "$C" -d o m.jsonl i.jsonl 2>err; test $? = 65; } &&
	grep "^td-analyse: m.jsonl:1: " err
'

test_expect_success 'a missing configuration: 66' '
	{ td-analyse -c nope.json -d o m.jsonl i.jsonl 2>err; test $? = 66; } &&
	echo "td-analyse: nope.json: cannot open: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_success 'a configuration that is not JSON: 78' '
	echo "{" >bad.json &&
	{ td-analyse -c bad.json -d o m.jsonl i.jsonl 2>err; test $? = 78; } &&
	grep "^td-analyse: bad.json:2:0: invalid JSON" err
'

test_expect_success 'a plan naming a missing scheme: 78' '
	jq ".DemogCodingPlans[0].CodingConfigurations[0].CodeScheme = \"nope.json\"" "$EXAMPLES/demo/plans.json" >p.json &&
	{ td-analyse -c "$C" -p p.json -s "$EXAMPLES/demo/schemes" -d o m.jsonl i.jsonl 2>err; test $? = 78; } &&
	grep "nope.json" err
'

test_expect_success 'an output directory that cannot be made: 73' '
	: >file &&
	{ td-analyse -c "$C" -d file/o m.jsonl i.jsonl 2>err; test $? = 73; } &&
	echo "td-analyse: file/o: cannot create directory: Not a directory" >expect &&
	test_cmp expect err
'

test_expect_success 'an output name taken by a directory: 73, and nothing replaced' '
	mkdir -p d/loyalty.csv && td-analyse -c "$C" -d d2 m.jsonl i.jsonl &&
	cp d2/engagement_counts.csv d/ && echo old >d/engagement_counts.csv &&
	{ td-analyse -c "$C" -d d m.jsonl i.jsonl 2>err; test $? = 73; } &&
	test "$(cat d/engagement_counts.csv)" = old &&
	! ls -A d | grep tmp
'

test_expect_success '--help and --version exit 0' '
	td-analyse --help >out && grep "^usage: td-analyse" out &&
	td-analyse --version >out && grep "^td-analyse (tdtools) " out
'

test_done
