#!/bin/sh
# coda-add killed half-way and run again, and two coda-add at once on one dataset: every message exactly once,
# SequenceNumbers consecutive, metrics right.
. "$(dirname "$0")/test-lib.sh"
require_prog jq

gen() {
	jq -n --argjson n "$1" --arg p "${2:-m}" '[range($n) | {MessageID: "\($p)\(.)", Text: "text \(.)",
		CreationDateTimeUTC: "2020-11-01T00:00:00+00:00", Labels: []}]'
}
# check STORE DATASET N: N messages, each MessageID once, SequenceNumbers 0..N-1, metrics counting N
check() {
	coda-get "dir:$1" "$2" >got.json &&
	jq -r --argjson n "$3" '[length == $n, (map(.MessageID) | unique | length) == $n,
		(map(.SequenceNumber) | sort) == [range($n)]] | map(tostring) | join(" ")' got.json >actual &&
	echo "true true true" >expect &&
	test_cmp expect actual &&
	segs=$( [ -f "$1/segment_counts/$2.json" ] && jq .segment_count "$1/segment_counts/$2.json" || echo 1) &&
	total=0 && i=1 &&
	while [ "$i" -le "$segs" ]; do
		seg=$2; [ "$i" = 1 ] || seg=${2}_$i
		total=$((total + $(jq .messages_count "$1/datasets/$seg/metrics/messages.json"))) &&
		i=$((i + 1))
	done &&
	test "$total" = "$3"
}

test_expect_success 'killed after two batches of 250: 500 messages there, whole; a re-run adds the rest' '
	gen 700 >in.json &&
	{ TDTOOLS_TEST_KILL_AFTER_BATCHES=2 coda-add dir:st DS in.json; test $? = 137; } &&
	ls st/datasets/DS/messages | wc -l >n && echo 500 >expect && test_cmp expect n &&
	! test -e st/datasets/DS/metrics/messages.json &&
	coda-get dir:st DS | jq -c "map(.SequenceNumber) == [range(500)]" >actual &&
	echo true >expect && test_cmp expect actual &&
	coda-add -v dir:st DS in.json 2>err &&
	echo "coda-add: DS: added 200 messages (SequenceNumber 500 to 699), skipped 500 already there; 1 segment (0 new)" >expect &&
	test_cmp expect err &&
	check st DS 700
'

test_expect_large 'killed across a segment boundary, then re-run' '
	gen 3000 >big.json &&
	{ TDTOOLS_TEST_KILL_AFTER_BATCHES=11 coda-add dir:st2 BIG big.json; test $? = 137; } &&
	ls st2/datasets/BIG/messages | wc -l >n && ls st2/datasets/BIG_2/messages | wc -l >>n &&
	printf "2500\n250\n" >expect && test_cmp expect n &&
	coda-add dir:st2 BIG big.json &&
	check st2 BIG 3000
'

test_expect_success 'killed at any moment (SIGKILL from outside), then re-run' '
	gen 1500 k >k.json &&
	{ coda-add dir:st3 K k.json & pid=$!; } &&
	sleep 0.2 && kill -9 $pid 2>/dev/null; wait $pid;
	coda-add dir:st3 K k.json &&
	check st3 K 1500 &&
	coda-add dir:st3 K k.json &&
	check st3 K 1500
'

test_expect_success 'two runs at once with the same file: each message once (the dataset lock)' '
	gen 1200 c >c.json &&
	{ coda-add dir:st4 C c.json & p1=$!; } &&
	{ coda-add dir:st4 C c.json & p2=$!; } &&
	wait $p1 && wait $p2 &&
	check st4 C 1200
'

test_expect_success 'two runs at once with different files: all of both, SequenceNumbers unique and consecutive' '
	gen 600 x >x.json &&
	gen 600 y >y.json &&
	{ coda-add dir:st5 XY x.json & p1=$!; } &&
	{ coda-add dir:st5 XY y.json & p2=$!; } &&
	wait $p1 && wait $p2 &&
	check st5 XY 1200
'

test_done
