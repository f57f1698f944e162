#!/bin/sh
# coda-get with a previous export (only what changed since its newest LastUpdated, merged by MessageID), and
# datasets of several segments (D, D_2, ...: 2,500 messages each): rollover, schemes and users copied to new
# segments, per-segment metrics, and get across segments.
. "$(dirname "$0")/test-lib.sh"
require_prog jq
require_prog python3

label="python3 $T_DIR/coda-label.py"
mask() { sed -E 's/("LastUpdated": )"[^"]*"/\1"X"/' "$@"; }
# gen N [PREFIX]: a Coda messages file of N unlabelled messages PREFIX0, PREFIX1, ...
gen() {
	jq -n --argjson n "$1" --arg p "${2:-m}" '[range($n) | {MessageID: "\($p)\(.)", Text: "text \(.)",
		CreationDateTimeUTC: "2020-11-01T00:00:00+00:00", Labels: []}]'
}
lab() {
	printf '{"SchemeID": "Scheme-s", "CodeID": "%s", "DateTimeUTC": "2021-01-01T00:00:00Z", "Checked": true, "Origin": {"OriginID": "c", "Name": "c", "OriginType": "Manual"}}' "$1"
}

test_expect_success 'setup: a dataset of five messages, exported' '
	gen 5 >five.json &&
	coda-add dir:st DS five.json &&
	coda-get dir:st DS >export.json &&
	jq length export.json >n && echo 5 >expect && test_cmp expect n
'

test_expect_success 'with a previous export, only messages updated since are read, and merged into it' '
	# A change that does not move LastUpdated is not seen by an incremental get (so it really is one) ...
	sed -i "s/text 4/changed quietly/" st/datasets/DS/messages/m4.json &&
	# ... and a coder'"'"'s labels, which do, are.
	jq "[.[1], .[3]] | map(.Labels = [$(lab code-a)])" five.json >coded.json &&
	$label st DS coded.json --time 2031-01-01T00:00:00.000000+00:00 &&
	coda-get -v --previous-export export.json dir:st DS >inc.json 2>err &&
	echo "coda-get: DS: 5 messages (incremental)" >expect &&
	test_cmp expect err &&
	jq -r ".[] | \"\(.SequenceNumber) \(.MessageID) \(.Text) \(.Labels | length) \(.LastUpdated)\"" inc.json >actual &&
	lu=$(jq -r ".[0].LastUpdated" export.json) &&
	cat >expect <<-EOF &&
	0 m0 text 0 0 $lu
	1 m1 text 1 1 2031-01-01T00:00:00.000000+00:00
	2 m2 text 2 0 $lu
	3 m3 text 3 1 2031-01-01T00:00:00.000000+00:00
	4 m4 text 4 0 $lu
	EOF
	test_cmp expect actual &&
	coda-get dir:st DS >full.json &&
	jq -r ".[4].Text" full.json >actual &&
	echo "changed quietly" >expect &&
	test_cmp expect actual
'

test_expect_success 'the merged export is the full one when nothing changed quietly; the order is by SequenceNumber' '
	sed -i "s/changed quietly/text 4/" st/datasets/DS/messages/m4.json &&
	coda-get dir:st DS >full.json &&
	test_cmp full.json inc.json &&
	jq "reverse" export.json >reversed.json &&
	coda-get --previous-export reversed.json dir:st DS >inc2.json &&
	test_cmp full.json inc2.json
'

test_expect_success 'a previous export without LastUpdated: a full download' '
	jq "map(del(.LastUpdated))" export.json >nolu.json &&
	coda-get -v --previous-export nolu.json dir:st DS >out 2>err &&
	echo "coda-get: DS: 5 messages (full download)" >expect &&
	test_cmp expect err &&
	test_cmp full.json out
'

test_expect_success 'a previous export keeps messages the store no longer has (as get.py)' '
	jq ". + [{MessageID: \"gone\", Text: \"t\", CreationDateTimeUTC: \"2020-11-01T00:00:00+00:00\", Labels: [], SequenceNumber: 99, LastUpdated: \"2020-01-01T00:00:00.000000+00:00\"}]" export.json >extra.json &&
	coda-get --previous-export extra.json dir:st DS | jq -r ".[-1].MessageID" >actual &&
	echo gone >expect &&
	test_cmp expect actual
'

test_expect_large 'more than 2,500 messages: a second segment, its schemes and users copied, per-segment metrics' '
	cat >scheme.json <<-\EOF &&
	{"SchemeID": "Scheme-s", "Name": "s", "Version": "0.0.1", "Codes": [
	  {"CodeID": "code-a", "CodeType": "Normal", "DisplayText": "a", "NumericValue": 1, "StringValue": "a", "VisibleInCoda": true}]}
	EOF
	coda-add dir:st BIG schemes scheme.json &&
	echo "[\"coder@example.org\"]" >users.json &&
	coda-add dir:st BIG users users.json &&
	gen 2400 a >a.json &&
	coda-add dir:st BIG a.json &&
	gen 300 b >b.json &&
	coda-add -v dir:st BIG b.json 2>err &&
	echo "coda-add: BIG: added 300 messages (SequenceNumber 2400 to 2699), skipped 0 already there; 2 segments (1 new)" >expect &&
	test_cmp expect err &&
	printf "{\"segment_count\": 2}" >expect &&
	test_cmp expect st/segment_counts/BIG.json &&
	ls st/datasets/BIG/messages | wc -l >actual &&
	ls st/datasets/BIG_2/messages | wc -l >>actual &&
	printf "2500\n200\n" >expect &&
	test_cmp expect actual &&
	test_cmp st/datasets/BIG.json st/datasets/BIG_2.json &&
	test_cmp st/datasets/BIG/code_schemes/Scheme-s.json st/datasets/BIG_2/code_schemes/Scheme-s.json &&
	printf "%s" "{\"messages_count\": 2500, \"messages_with_label\": 0, \"not_coded_messages\": 0, \"wrong_scheme_messages\": 0}" >expect &&
	test_cmp expect st/datasets/BIG/metrics/messages.json &&
	printf "%s" "{\"messages_count\": 200, \"messages_with_label\": 0, \"not_coded_messages\": 0, \"wrong_scheme_messages\": 0}" >expect &&
	test_cmp expect st/datasets/BIG_2/metrics/messages.json &&
	test -f st/datasets/BIG_2/messages/b199.json &&
	test -f st/datasets/BIG/messages/b99.json
'

test_expect_large 'coda-get reads every segment, in SequenceNumber order; incremental across segments' '
	coda-get dir:st BIG >big.json &&
	jq -r "length, (map(.SequenceNumber) == [range(2700)]), .[2699].MessageID" big.json >actual &&
	printf "2700\ntrue\nb299\n" >expect &&
	test_cmp expect actual &&
	jq "[.[10], .[2650]] | map(.Labels = [$(lab code-a)])" big.json >coded.json &&
	$label st BIG coded.json --time 2031-01-01T00:00:00.000000+00:00 >out &&
	echo "2 labelled, 0 not in the store" >expect &&
	test_cmp expect out &&
	coda-get --previous-export big.json dir:st BIG >big2.json &&
	jq -r ".[] | select(.Labels != []) | .MessageID" big2.json >actual &&
	printf "a10\nb250\n" >expect &&
	test_cmp expect actual &&
	coda-get dir:st BIG >big3.json &&
	test_cmp big3.json big2.json &&
	coda-get dir:st BIG users >out &&
	printf "[\n  \"coder@example.org\"\n]\n" >expect &&
	test_cmp expect out
'

test_expect_large 'adding to a segmented dataset: duplicates found in every segment; metrics follow the labels' '
	jq ".[0:3]" a.json >again.json &&
	gen 1 c >c.json &&
	jq -s "add" again.json c.json b.json >mixed.json &&
	coda-add -v dir:st BIG mixed.json 2>err &&
	echo "coda-add: BIG: added 1 message (SequenceNumber 2700), skipped 303 already there; 2 segments (0 new)" >expect &&
	test_cmp expect err &&
	printf "%s" "{\"messages_count\": 201, \"messages_with_label\": 1, \"not_coded_messages\": 0, \"wrong_scheme_messages\": 0}" >expect &&
	test_cmp expect st/datasets/BIG_2/metrics/messages.json
'

test_expect_large 'a MessageID in two segments is bad data' '
	cp st/datasets/BIG/messages/a1.json st/datasets/BIG_2/messages/a1.json &&
	test_must_fail_65() { coda-get dir:st BIG >/dev/null 2>err; test $? = 65; } &&
	test_must_fail_65 &&
	echo "coda-get: dir:st: MessageID '"'"'a1'"'"' is in segments 1 and 2 of the dataset (expected each message once)" >expect &&
	test_cmp expect err
'

test_done
