#!/bin/sh
# Limits: huge records, a million keys, deep nesting, a gigabyte of input. No crash, bounded memory, and a
# clear error (with the documented exit code) where a limit is hit.

. "$(dirname "$0")/test-lib.sh"
require_prog python3

# A flat record with 10^6 keys (about 18 MB).
python3 -c '
import json, sys
sys.stdout.write(json.dumps({"k%07d" % i: i for i in range(1000000)}, separators=(",", ":")) + "\n")' >keys.jsonl

test_expect_success '10^6 keys: the flat record round-trips and converts to a verified traced record' '
	td-cat keys.jsonl >flat.out &&
	python3 -c "
import json, sys
d = json.loads(open(\"flat.out\").read())
assert len(d) == 1000000 and d[\"k0999999\"] == 999999, len(d)" &&
	td-cat --traced keys.jsonl >traced.out &&
	td-cat --verify -q traced.out &&
	td-cat --flat traced.out >back.out &&
	python3 -c "
import json
assert json.loads(open(\"back.out\").read()) == json.loads(open(\"flat.out\").read())"
'

test_expect_success '10^6 keys: one key looked up, the rest untouched' '
	td-filter --eq k0500000=500000 keys.jsonl | wc -l >n &&
	echo 1 >expect && test_cmp expect n &&
	td-cat --csv k0000007,k0999999 keys.jsonl >csv &&
	printf "k0000007,k0999999\n7,999999\n" >expect && test_cmp expect csv
'

# Nesting: 10^4 levels are accepted; one more is a clear error, not a stack overflow.
python3 -c 'n = 10000; print("{\"a\":" * n + "1" + "}" * n)' >deep.jsonl
python3 -c 'n = 10001; print("{\"a\":" * n + "1" + "}" * n)' >deeper.jsonl
python3 -c 'n = 1000000; print("[" * n + "]" * n)' >deepest.jsonl

test_expect_success '10^4-deep nesting: read and written back unchanged' '
	td-cat deep.jsonl >out && test_cmp deep.jsonl out
'

test_expect_code 65 'one level deeper: exit 65 with the limit named' '
	td-cat deeper.jsonl >out 2>err
'
test_expect_success '... the message' '
	echo "td-cat: deeper.jsonl:1: invalid JSON at column 50001: nesting deeper than 10000 levels" >expect &&
	test_cmp expect err && test_cmp /dev/null out
'

test_expect_code 65 '10^6-deep arrays: exit 65, no crash' '
	td-cat deepest.jsonl >out 2>err
'
test_expect_success '... the message' '
	echo "td-cat: deepest.jsonl:1: invalid JSON at column 10001: nesting deeper than 10000 levels" >expect &&
	test_cmp expect err
'

# --max-record: a record longer than the limit is refused before it is held whole.
test_expect_code 65 'a record over --max-record: exit 65' '
	td-cat --max-record 1M keys.jsonl >out 2>err
'
test_expect_success '... the message names the limit' '
	echo "td-cat: keys.jsonl:1: record longer than the limit of 1048576 bytes (--max-record)" >expect &&
	test_cmp expect err && test_cmp /dev/null out
'

# A gigabyte of input (4,000,000 records of 270 bytes) through a pipe: memory stays that of one record, whatever the input size.
REC='[{"Data": {"msg": "the same message, again and again", "uid": "avf-phone-uuid-0000"}, "Metadata": {"Source": "s", "Timestamp": 0, "User": "u"}, "NestedTracedData": {}, "SHA": "0000000000000000000000000000000000000000000000000000000000000000"}]'
test_expect_large '1 GB of input: td-cat and td-filter stream it in bounded memory' '
	command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (make deps)" >&2; false; } &&
	yes "$REC" | head -n 4000000 | /usr/bin/time -f "%M" -o rss1 td-cat --flat | wc -l >lines &&
	echo 4000000 >expect && test_cmp expect lines &&
	yes "$REC" | head -n 4000000 | /usr/bin/time -f "%M" -o rss2 td-filter --has msg | wc -l >lines2 &&
	test_cmp expect lines2 &&
	test "$(tail -1 rss1)" -lt 65536 && test "$(tail -1 rss2)" -lt 65536
'

test_done
