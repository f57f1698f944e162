#!/bin/sh
# td-purge on the demo project fetched with rp-fetch (file://), stage 3 and a dir: Coda store filled by stage 4:
# one participant purged by phone number (read from standard input), another by uid; their uid, phone number,
# contact uuid and the message texts only they sent are gone from every file, the UUID table and the store;
# everyone else's bytes are as they were; the outputs still verify; a dry run and a second run change nothing.

. "$(dirname "$0")/test-lib.sh"

require_prog jq
require_prog python3

DEMO=$EXAMPLES/demo
P1=avf-phone-uuid-demo-0007	# phone 252610000007: "biyo la'aan" only they sent; "shaqo la'aan" shared
P2=avf-phone-uuid-demo-0012	# no message of their own: "nabad" shared with 0013, "Mahadsanid ✓" with 0011

mkdir secret && cp "$DEMO/rapidpro/uuid-table.jsonl" secret/uuid-table.jsonl && chmod 600 secret/uuid-table.jsonl
echo demo-token >token.txt
jq --arg d "file://$DEMO/rapidpro" --arg t "$TRASH/secret/uuid-table.jsonl" --arg tok "$TRASH/token.txt" \
	--slurpfile test "$DEMO/rapidpro/test-contacts.json" \
	'.RawDataSources[0].Domain = $d | .RawDataSources[0].TokenFileURL = $tok
	 | .RawDataSources[0].TestContactUUIDs = $test[0] | .UuidTable.FileURL = $t
	 | .CodingPlans = "'"$DEMO"'/plans.json" | .CodeSchemesDir = "'"$DEMO"'/schemes"' \
	"$DEMO/config.json" >config.json

expect_code() {	# expect_code CODE COMMAND...: COMMAND exits with CODE
	want=$1
	shift
	"$@"
	rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, expected $want: $*" >&2; return 1; }
}
snapshot() {	# snapshot NAME: the data root, the store and the table as they are now
	rm -rf "$1" && mkdir "$1" && cp -R root store "$1/" && cp secret/uuid-table.jsonl "$1/table"
}
same_as() {	# same_as NAME: nothing changed since the snapshot
	diff -r "$1/root" root && diff -r "$1/store" store && cmp "$1/table" secret/uuid-table.jsonl
}

test_expect_success 'setup: stages 2, 3 and 4 (dir: store) on the demo' '
	"$TOP/scripts/2_fetch_raw_data.sh" -q demo - config.json root &&
	cp -R "$DEMO/Coded Coda Files" root/ &&
	"$TOP/scripts/3_generate_outputs.sh" -q demo - config.json root &&
	"$TOP/scripts/4_coda_add.sh" -q "dir:$TRASH/store" config.json root &&
	grep -q 252610000007 secret/uuid-table.jsonl && grep -rq "biyo la" root store &&
	grep -rq $P1 root && grep -rq $P2 root &&
	snapshot before
'

C1=a8b25680-98fc-5c05-8b39-524865e85748	# P1's Rapid Pro contact uuid (in the contacts cache and the runs)

test_expect_success 'usage errors' '
	expect_code 64 td-purge -c config.json root &&
	expect_code 64 td-purge -c config.json --uid $P2 --phone 1 root &&
	expect_code 64 td-purge --uid $P2 root &&
	expect_code 64 td-purge -c config.json --uid $P2 --coda-store store root 2>err &&
	grep "only a dir: store" err &&
	expect_code 66 td-purge -c config.json --uid $P2 nowhere 2>err &&
	test_cmp - err <<-\EOT &&
	td-purge: nowhere: not a directory (expected the data root)
	EOT
	expect_code 64 td-purge -c config.json --phone "+-" root 2>err &&
	test_cmp - err <<-\EOT &&
	td-purge: the phone number has no digits (expected e.g. +252 61 234 5678)
	EOT
	same_as before
'

test_expect_success 'a phone number the table does not know: exit 1, the number never printed' '
	echo "+252 61 999 9999" | expect_code 1 td-purge -c config.json --phone-file - root >out 2>err &&
	test_cmp - err <<-EOT &&
	td-purge: the UUID table $TRASH/secret/uuid-table.jsonl has no uid for that phone number: nothing removed
	EOT
	test ! -s out && same_as before
'

test_expect_success 'dry run: what would go, nothing changed' '
	echo "0252 61 000 0007" | td-purge -n -c config.json --coda-store "dir:$TRASH/store" --phone-file - root \
		>out 2>err &&
	test ! -s err &&
	cat >expect <<-EOT &&
	would remove $P1
	Coded Coda Files/demo_location.json: 1 message
	Coded Coda Files/demo_rqa_e01.json: 1 message
	Outputs/Coda Files/demo_location.json: 1 message
	Outputs/Coda Files/demo_rqa_e01.json: 1 message
	Outputs/ICR/rqa_e01.csv: 1 row
	Outputs/individuals.csv: 1 row
	Outputs/individuals_traced_data.jsonl: 1 record
	Outputs/messages.csv: 2 rows
	Outputs/messages_traced_data.jsonl: 2 records
	Outputs/production.csv: 2 rows
	Raw Data/demo_demog.jsonl: 1 record
	Raw Data/demo_demog_log.jsonl: 1 element
	Raw Data/demo_demog_raw.json: 1 element
	Raw Data/demo_e01_activation.jsonl: 1 record
	Raw Data/demo_e01_activation_log.jsonl: 1 element
	Raw Data/demo_e01_activation_raw.json: 1 element
	Raw Data/demo_e02_activation.jsonl: 1 record
	Raw Data/demo_e02_activation_log.jsonl: 1 element
	Raw Data/demo_e02_activation_raw.json: 1 element
	Raw Data/tdtools demo workspace_contacts_log.jsonl: 1 element
	Raw Data/tdtools demo workspace_contacts_raw.json: 1 element
	UUID table: 1 mapping
	dir:$TRASH/store dataset demo_location: 1 message
	dir:$TRASH/store dataset demo_rqa_e01: 1 message
	total: 27 from 24 places (dry run: nothing was changed)
	EOT
	test_cmp expect out &&
	same_as before
'

test_expect_success 'purge P1 by phone number (standard input): the same list, done' '
	echo "+252 61 000 0007" | td-purge -c config.json --coda-store "dir:$TRASH/store" --phone-file - root \
		>out 2>err &&
	test ! -s err &&
	sed -e "s/^would remove/removed/" -e "s/ (dry run: nothing was changed)//" expect >expect2 &&
	test_cmp expect2 out &&
	! grep -q 610000007 out
'

test_expect_success 'P1 is gone everywhere: uid, phone, contact uuid, their own message' '
	! grep -rl -e $P1 -e 610000007 -e $C1 -e "biyo la" root store secret
'

test_expect_success 'the shared message stays; the store kept the rest, SequenceNumbers unchanged' '
	grep -q "shaqo la" "root/Outputs/Coda Files/demo_rqa_e02.json" &&
	grep -rq "shaqo la" store &&
	diff -r before/store/datasets/demo_rqa_e01 store/datasets/demo_rqa_e01 >d || true &&
	diff -r before/store/datasets/demo_rqa_e02 store/datasets/demo_rqa_e02 &&
	id=$(printf "%s" "biyo la'"'"'aan" | sha256sum | cut -c1-64) &&
	cat >expect <<-EOT &&
	Only in before/store/datasets/demo_rqa_e01/messages: $id.json
	diff -r before/store/datasets/demo_rqa_e01/metrics/messages.json store/datasets/demo_rqa_e01/metrics/messages.json
	1c1
	< {"messages_count": 5, "messages_with_label": 0, "not_coded_messages": 0, "wrong_scheme_messages": 0}
	\\ No newline at end of file
	---
	> {"messages_count": 4, "messages_with_label": 0, "not_coded_messages": 0, "wrong_scheme_messages": 0}
	\\ No newline at end of file
	EOT
	test_cmp expect d
'

test_expect_success 'everyone else untouched, byte for byte' '
	for f in Outputs/messages.csv Outputs/individuals.csv Outputs/production.csv \
		Outputs/messages_traced_data.jsonl Outputs/individuals_traced_data.jsonl \
		"Raw Data/demo_demog.jsonl" "Raw Data/demo_e01_activation.jsonl" "Raw Data/demo_e02_activation.jsonl"
	do
		grep -v -e "$P1[\",]" "before/root/$f" >expect && test_cmp expect "root/$f" || return 1
	done &&
	grep -v "biyo la" before/root/Outputs/ICR/rqa_e01.csv >expect && test_cmp expect root/Outputs/ICR/rqa_e01.csv &&
	grep -v "$P1" before/table >expect &&
	cmp before/root/Outputs/ICR/rqa_e02.csv root/Outputs/ICR/rqa_e02.csv &&
	test_cmp expect secret/uuid-table.jsonl &&
	test "$(stat -c %a secret/uuid-table.jsonl)" = 600
'

test_expect_success 'caches: the contact and its runs went, the rest kept its bytes' '
	c="root/Raw Data/tdtools demo workspace_contacts_raw.json" &&
	jq -c --arg u "tel:$P1" "[.[] | select(.urns | index(\$u) | not)]" "before/$c" >expect &&
	jq -c . "$c" >actual && test_cmp expect actual &&
	for fl in demo_demog demo_e01_activation demo_e02_activation; do
		r="root/Raw Data/${fl}_raw.json" &&
		jq -c --arg c $C1 "[.[] | select(.contact.uuid != \$c)]" "before/$r" >expect &&
		jq -c . "$r" >actual && test_cmp expect actual &&
		jq -c --arg c $C1 "[.[] | select(.contact.uuid != \$c)]" "before/root/Raw Data/${fl}_log.jsonl" >expect &&
		jq -c . "root/Raw Data/${fl}_log.jsonl" >actual && test_cmp expect actual || return 1
	done &&
	python3 - "before/$c" "$c" <<-\EOT
	import sys
	a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read()
	# the kept elements, and the ", " between them, are the old bytes
	assert b.startswith(b"[{") and b.endswith(a[-2:]) and len(b) < len(a), (a[-5:], b[-5:])
	EOT
'

test_expect_success 'Coda files: the message only P1 sent is gone, the file otherwise as written' '
	python3 - "before/root/Outputs/Coda Files/demo_rqa_e01.json" "root/Outputs/Coda Files/demo_rqa_e01.json" \
		"before/root/Coded Coda Files/demo_rqa_e01.json" "root/Coded Coda Files/demo_rqa_e01.json" <<-\EOT
	import json, sys
	def dumps(m):
	    return json.dumps(m, indent=2, sort_keys=True, separators=(", ", ": "))
	old = json.load(open(sys.argv[1])); new = open(sys.argv[2]).read()
	assert dumps(old) == open(sys.argv[1]).read()
	assert dumps([m for m in old if m["Text"] != "biyo la'"'"'aan"]) == new
	old = json.load(open(sys.argv[3])); new = json.load(open(sys.argv[4]))
	assert [m for m in old if m["Text"] != "biyo la'"'"'aan"] == new and len(new) == len(old) - 1
	EOT
'

test_expect_success 'purge P2 by uid' '
	snapshot mid &&
	td-purge -c config.json --coda-store "dir:$TRASH/store" --uid $P2 root >out &&
	head -1 out >actual && echo "removed $P2" >expect && test_cmp expect actual &&
	grep "^UUID table: 1 mapping$" out &&
	grep -q "store dataset demo_location: 1 message$" out && ! grep "store dataset demo_rqa" out &&
	! grep -rl -e $P2 -e 610000012 root store secret &&
	for ds in demo_rqa_e01 demo_rqa_e02 demo_gender; do
		diff -r mid/store/datasets/$ds store/datasets/$ds &&
		cmp "mid/root/Coded Coda Files/$ds.json" "root/Coded Coda Files/$ds.json" &&
		cmp "mid/root/Outputs/Coda Files/$ds.json" "root/Outputs/Coda Files/$ds.json" || return 1
	done &&
	grep -rq "Mahadsanid" "root/Outputs/Coda Files" store && grep -rq nabad "root/Outputs/Coda Files" store &&
	grep -q avf-phone-uuid-demo-0011 root/Outputs/messages.csv
'

test_expect_success 'the outputs still load, every SHA verified' '
	td-cat --verify -q root/Outputs/messages_traced_data.jsonl root/Outputs/individuals_traced_data.jsonl \
		"root/Raw Data/demo_demog.jsonl" "root/Raw Data/demo_e01_activation.jsonl" \
		"root/Raw Data/demo_e02_activation.jsonl" &&
	test "$(wc -l <root/Outputs/individuals_traced_data.jsonl)" = 10 &&
	"$TOP/scripts/3_generate_outputs.sh" -q demo - config.json root &&
	! grep -rl -e $P1 -e $P2 root/Outputs
'

test_expect_success 'a second run removes nothing: exit 1, nothing changed' '
	snapshot after &&
	expect_code 1 td-purge -c config.json --coda-store "dir:$TRASH/store" --uid $P2 root >out 2>err &&
	test ! -s out &&
	test_cmp - err <<-EOT &&
	td-purge: $P2: found nowhere (the data root, the UUID table, the Coda store): nothing removed
	EOT
	expect_code 1 td-purge -q -c config.json --phone 252610000007 root >out 2>err &&
	test ! -s out && test ! -s err &&
	same_as after
'

test_expect_success 'fetching again after the purge takes the new table (no stale lock)' '
	rp-fetch -q -c config.json -r "root/Raw Data" &&
	test "$(stat -c %a secret/uuid-table.jsonl)" = 600
'

test_done
