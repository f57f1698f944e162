#!/bin/sh
# td-filter: the pipeline's message filters (pipeline.md §5.4.1, §5.3 pre-filter) and ad-hoc predicates;
# kept records are written byte for byte.

. "$(dirname "$0")/test-lib.sh"

require_shared

SQ="'"
TOMB='#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0'

# n of each kept record, on one line.
ns() {
	jq -r .n "$@" | tr '\n' ' ' | sed 's/ $//'
	echo
}

cat >tr.jsonl <<'EOF'
{"n": 1, "test_run": true}
{"n": 2, "test_run": "yes"}
{"n": 3, "test_run": 1}
{"n": 4, "test_run": false}
{"n": 5, "test_run": 0}
{"n": 6, "test_run": ""}
{"n": 7, "test_run": null}
{"n": 8}
{"n": 9, "test_run": 0.0}
{"n": 10, "test_run": "false"}
{"n": 11, "test_run": []}
{"n": 12, "test_run": [0]}
{"n": 13, "test_run": {}}
{"n": 14, "test_run": 0.5}
{"n": 15, "test_run": -0.0}
EOF

test_expect_success '--test-runs drops a truthy test_run, as Python truthiness' '
	td-filter --test-runs tr.jsonl >actual &&
	ns actual >kept &&
	echo "4 5 6 7 8 9 11 13 15" >expect &&
	test_cmp expect kept
'

test_expect_success '--invert writes exactly the dropped records' '
	td-filter --test-runs --invert tr.jsonl >actual &&
	ns actual >dropped &&
	echo "1 2 3 10 12 14" >expect &&
	test_cmp expect dropped
'

test_expect_success 'kept records are written byte for byte (flat spacing kept, traced untouched)' '
	printf "%s\n" "{\"n\":1,  \"test_run\":false,\"x\":[1,2.50]}" "{\"n\":2,\"test_run\":true}" >odd.jsonl &&
	td-filter --test-runs odd.jsonl >actual &&
	head -1 odd.jsonl >expect &&
	test_cmp expect actual &&
	td-cat -t tr.jsonl >tr.t &&
	td-filter --test-runs tr.t >actual &&
	sed -n "4p;5p;6p;7p;8p;9p;11p;13p;15p" tr.t >expect &&
	test_cmp expect actual
'

cat >e.jsonl <<'EOF'
{"n": 1, "k": "abc"}
{"n": 2, "k": ""}
{"n": 3, "k": null}
{"n": 4}
{"n": 5, "k": 20}
{"n": 6, "k": "20"}
{"n": 7, "k": true}
{"n": 8, "k": [1, "a"]}
{"n": 9, "k": {"b": 1, "a": 2}}
{"n": 10, "j": "x"}
{"n": 11, "k": 20.0}
{"n": 12, "k": "ABC"}
{"n": 13, "k": "x\nabc"}
EOF

test_expect_success '--non-empty keeps records holding any of the keys ("" and null count, as filter_empty_messages)' '
	td-filter --non-empty k e.jsonl | ns >actual &&
	echo "1 2 3 5 6 7 8 9 11 12 13" >expect &&
	test_cmp expect actual &&
	td-filter --non-empty k --non-empty j e.jsonl | ns >actual &&
	echo "1 2 3 5 6 7 8 9 10 11 12 13" >expect &&
	test_cmp expect actual
'

test_expect_success '--has keeps records with the key; several --has must all hold' '
	td-filter --has k e.jsonl | ns >actual &&
	echo "1 2 3 5 6 7 8 9 11 12 13" >expect &&
	test_cmp expect actual &&
	td-filter --has k --has j e.jsonl >actual &&
	test ! -s actual
'

test_expect_success '--eq: a string value, or any other value equal to VALUE read as JSON' '
	td-filter --eq k=20 e.jsonl | ns >actual &&
	echo "5 6 11" >expect &&
	test_cmp expect actual &&
	td-filter --eq k=abc e.jsonl | ns >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	td-filter --eq k= e.jsonl | ns >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	td-filter --eq k=null e.jsonl | ns >actual &&
	echo 3 >expect &&
	test_cmp expect actual &&
	td-filter --eq k=true e.jsonl | ns >actual &&
	echo 7 >expect &&
	test_cmp expect actual &&
	td-filter --eq k=20.0 e.jsonl | ns >actual &&
	echo "5 11" >expect &&
	test_cmp expect actual
'

test_expect_success '--eq on lists and objects compares as Python does (any spacing, keys in any order)' '
	td-filter --eq "k=[1,\"a\"]" e.jsonl | ns >actual &&
	echo 8 >expect &&
	test_cmp expect actual &&
	td-filter --eq "k=[1, \"a\"]" e.jsonl | ns >actual &&
	echo 8 >expect &&
	test_cmp expect actual &&
	td-filter --eq "k={\"a\": 2, \"b\": 1}" e.jsonl | ns >actual &&
	echo 9 >expect &&
	test_cmp expect actual
'

test_expect_success '--match: POSIX extended regex on string values only' '
	td-filter --match "k=^a" e.jsonl | ns >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	td-filter --match "k=b" e.jsonl | ns >actual &&
	echo "1 13" >expect &&
	test_cmp expect actual &&
	td-filter --match "k=^[0-9]+$" e.jsonl | ns >actual &&
	echo 6 >expect &&
	test_cmp expect actual &&
	td-filter --match "k=^$" e.jsonl | ns >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	td-filter --match "k=^(abc|ABC)$" e.jsonl | ns >actual &&
	echo "1 12" >expect &&
	test_cmp expect actual
'

test_expect_success '--invert inverts the conjunction of all tests' '
	td-filter --invert --has k --eq k=abc e.jsonl | ns >actual &&
	echo "2 3 4 5 6 7 8 9 10 11 12 13" >expect &&
	test_cmp expect actual
'

test_expect_success 'no test keeps every record' '
	td-filter e.jsonl >actual &&
	test_cmp e.jsonl actual &&
	td-filter <e.jsonl >actual &&
	test_cmp e.jsonl actual &&
	td-filter - <e.jsonl >actual &&
	test_cmp e.jsonl actual
'

cat >w.jsonl <<'EOF'
{"n": 1, "t": "2020-11-01T00:00:00+03:00"}
{"n": 2, "t": "2020-10-31T20:59:59.999999+00:00"}
{"n": 3, "t": "2020-10-31T21:00:00Z"}
{"n": 4, "t": "2020-12-01T00:00:00+03:00"}
{"n": 5, "t": "2020-11-30T23:59:59+03:00"}
{"n": 6, "t": "2020-11-30T24:00+03:00"}
EOF

test_expect_success '--window: start inclusive, end exclusive, compared as instants across offsets' '
	td-filter --window "t=2020-11-01T00:00+03:00/2020-12-01T00:00+03:00" w.jsonl | ns >actual &&
	echo "1 3 5" >expect &&
	test_cmp expect actual
'

test_expect_success '--window: an empty start or end is open' '
	td-filter --window "t=/2020-11-01T00:00+03:00" w.jsonl | ns >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	td-filter --window "t=2020-11-30T24:00+03:00/" w.jsonl | ns >actual &&
	echo "4 6" >expect &&
	test_cmp expect actual &&
	td-filter --window "t=/" w.jsonl >actual &&
	test_cmp w.jsonl actual
'

printf '%s\n' '{"n": 1, "t": "2020-11-01T00:00:00+03:00"}' '{"n": 2}' '{"n": 3, "t": "2020-11-02T00:00:00+03:00"}' >w2.jsonl

test_expect_code 65 '--window: a record without the key is an error (filter_time_range asserts)' '
	td-filter --window "t=2020-11-01T00:00+03:00/" w2.jsonl >out 2>err
'

test_expect_success '... with the exact message, after the records before it' '
	echo "td-filter: w2.jsonl:2: no \"t\" to test against the time window" >expect &&
	test_cmp expect err &&
	head -1 w2.jsonl >expect &&
	test_cmp expect out
'

test_expect_success '--skip-bad skips bad records, names and counts them' '
	printf "%s\n" "{\"n\": 0, \"t\": \"2020-11-03T00:00:00Z\"}" "{\"t\": 5}" "{\"t\": \"2020-11-01T00:00:00\"}" "{\"t\": \"bad\"}" "{\"n\": 1}" >bad.jsonl &&
	td-filter --skip-bad --window "t=2020-11-01T00:00+03:00/" bad.jsonl >out 2>err &&
	cat >expect <<-EOF &&
	td-filter: bad.jsonl:2: "t" is not a string (expected an ISO-8601 date-time) (skipped)
	td-filter: bad.jsonl:3: "t": ${SQ}2020-11-01T00:00:00${SQ} has no UTC offset (skipped)
	td-filter: bad.jsonl:4: "t": not an ISO-8601 date-time: ${SQ}bad${SQ} (expected a date YYYY-MM-DD) (skipped)
	td-filter: bad.jsonl:5: no "t" to test against the time window (skipped)
	td-filter: skipped 4 bad records
	EOF
	test_cmp expect err &&
	head -1 bad.jsonl >expect &&
	test_cmp expect out
'

test_expect_code 65 'a record that is not JSON stops the filter' '
	printf "%s\n" "{\"n\": 1}" "{\"n\": " >broken.jsonl &&
	td-filter --has n broken.jsonl >out 2>err
'

test_expect_success '... naming the line, after the good records before it' '
	echo "td-filter: broken.jsonl:2: invalid JSON at column 7: unexpected end of input" >expect &&
	test_cmp expect err &&
	head -1 broken.jsonl >expect &&
	test_cmp expect out
'

test_expect_success 'keys hidden by CoreDataModules (the tombstone) are absent' '
	e1="{\"data\": {\"k\": \"v\", \"n\": 1}, \"prev_sha\": \"\"}" &&
	s1=$(printf "%s" "$e1" | sha256sum | cut -c1-64) &&
	e2="{\"data\": {\"k\": \"$TOMB\"}, \"prev_sha\": \"$s1\"}" &&
	s2=$(printf "%s" "$e2" | sha256sum | cut -c1-64) &&
	md="\"Metadata\": {\"Source\": \"cdm\", \"Timestamp\": 1.5, \"User\": \"u\"}, \"NestedTracedData\": {}" &&
	echo "[{\"Data\": {\"k\": \"$TOMB\"}, $md, \"SHA\": \"$s2\"}, {\"Data\": {\"k\": \"v\", \"n\": 1}, $md, \"SHA\": \"$s1\"}]" >cdm.t &&
	td-cat -q --verify cdm.t &&
	td-filter --has k cdm.t >actual &&
	test ! -s actual &&
	td-filter --invert --has k cdm.t >actual &&
	test_cmp cdm.t actual
'

# -c: the real SMS config with its coding plans (FilterTestMessages true, window
# 2020-11-01T00:00:00+03:00 to 2100-01-01T00:00+03:00 on sent_on, RQA raw fields rqa_s08e0x_raw).
ibtci_config sms sms.json

cat >f.jsonl <<'EOF'
{"n": 1, "rqa_s08e01_raw": "hi", "sent_on": "2020-11-01T00:00:00+03:00"}
{"n": 2, "rqa_s08e01_raw": "hi", "sent_on": "2020-10-31T23:59:59+03:00"}
{"n": 3, "rqa_s08e02_raw": "", "sent_on": "2020-11-05T10:00:00+00:00"}
{"n": 4, "gender_raw": "naag", "sent_on": "2020-11-05T10:00:00+00:00"}
{"n": 5, "rqa_s08e06_raw": "x", "sent_on": "2020-11-05T10:00:00+00:00", "test_run": true}
{"n": 6, "rqa_s08e06_raw": null, "sent_on": "2099-12-31T20:59:59.999999Z"}
{"n": 7, "rqa_s08e03_break_raw": "x", "sent_on": "2099-12-31T21:00:00Z"}
{"n": 8, "test_run": true}
{"n": 9, "rqa_s08e04_raw": "x", "sent_on": "2021-02-18T09:00:00+00:00", "test_run": "false"}
{"n": 10, "rqa_s08e05_raw": "x", "sent_on": "2021-02-18T09:00:00+00:00", "test_run": 0}
EOF

test_expect_success '-c: test runs, records without an RQA raw field, and the project window' '
	td-filter -c sms.json f.jsonl | ns >actual &&
	echo "1 3 6 10" >expect &&
	test_cmp expect actual &&
	td-filter -c sms.json --invert f.jsonl | ns >actual &&
	echo "2 4 5 7 8 9" >expect &&
	test_cmp expect actual
'

test_expect_success '-c: records are written byte for byte' '
	td-filter -c sms.json f.jsonl >actual &&
	sed -n "1p;3p;6p;10p" f.jsonl >expect &&
	test_cmp expect actual
'

test_expect_success '-c with FilterTestMessages false keeps test runs' '
	jq ".FilterTestMessages = false" sms.json >nf.json &&
	td-filter -c nf.json f.jsonl | ns >actual &&
	echo "1 3 5 6 9 10" >expect &&
	test_cmp expect actual
'

test_expect_success '-c combines with ad-hoc tests' '
	td-filter -c sms.json --has rqa_s08e01_raw f.jsonl | ns >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	td-filter -c sms.json --window "sent_on=2020-11-02T00:00Z/" f.jsonl | ns >actual &&
	echo "3 6 10" >expect &&
	test_cmp expect actual
'

test_expect_success '--rqa-raw: only the empty-message filter (the pre-filter before WS correction, pipeline.md 5.3)' '
	td-filter --rqa-raw -c sms.json f.jsonl | ns >actual &&
	echo "1 2 3 5 6 7 9 10" >expect &&
	test_cmp expect actual &&
	td-filter --rqa-raw -p "$EXAMPLES/ibtci/sms_coding_plans.json" -s "$SHARED/ibtci/code_schemes" f.jsonl >actual &&
	sed -n "1p;2p;3p;5p;6p;7p;9p;10p" f.jsonl >expect &&
	test_cmp expect actual &&
	echo "{\"rqa_s08e01_raw\": \"no time needed\"}" | td-filter --rqa-raw -c sms.json >actual &&
	echo "{\"rqa_s08e01_raw\": \"no time needed\"}" >expect &&
	test_cmp expect actual
'

test_expect_success '--rqa-raw: a record with several RQA raw fields is written once (the reference writes it twice)' '
	echo "{\"rqa_s08e01_raw\": \"a\", \"rqa_s08e02_raw\": \"b\"}" >two.jsonl &&
	td-filter --rqa-raw -c sms.json two.jsonl >actual &&
	test_cmp two.jsonl actual
'

test_expect_code 64 '--rqa-raw without plans is a usage error' '
	td-filter --rqa-raw </dev/null 2>err
'

test_expect_success '... with a message' '
	echo "td-filter: --rqa-raw needs the coding plans: give -p PLANS or -c CONFIG" >expect &&
	test_cmp expect err
'

test_expect_code 65 '-c: a record with an RQA raw field but no sent_on is an error' '
	echo "{\"rqa_s08e01_raw\": \"x\"}" | td-filter -c sms.json 2>err
'

test_expect_success '... with the exact message' '
	echo "td-filter: <stdin>:1: no \"sent_on\" to test against the time window" >expect &&
	test_cmp expect err
'

test_expect_success '-c: a record without an RQA raw field needs no sent_on (it is dropped first)' '
	echo "{\"gender_raw\": \"x\"}" | td-filter -c sms.json >actual &&
	test ! -s actual
'

test_expect_success '-c on the golden SMS data after td-join | td-remap: the test run and nothing else goes' '
	td-join -c sms.json -r "$SHARED/golden/sms/Raw Data" | td-remap -c sms.json >remapped &&
	td-filter -c sms.json remapped >kept &&
	td-cat --csv uid,sent_on kept >actual &&
	cat >expect <<-\EOF &&
	uid,sent_on
	avf-phone-uuid-A,2020-11-05T09:00:00+00:00
	avf-phone-uuid-B,2020-11-05T10:00:00+00:00
	avf-phone-uuid-A,2020-11-01T14:00:00+00:00
	avf-phone-uuid-C,2020-11-12T09:00:00+00:00
	avf-phone-uuid-A,2021-02-18T09:00:00+00:00
	EOF
	test_cmp expect actual &&
	grep -v "avf-phone-uuid-T" remapped >expect &&
	test_cmp expect kept
'

test_expect_success '-v counts records and kept records' '
	td-filter -v -c sms.json f.jsonl >/dev/null 2>err &&
	echo "td-filter: 10 records, 4 kept" >expect &&
	test_cmp expect err
'

test_expect_code 64 '--window without a slash is a usage error' '
	td-filter --window "t=2020-11-01T00:00+03:00" </dev/null 2>err
'

test_expect_success '... with a message' '
	echo "td-filter: --window: expected KEY=START/END, got ${SQ}t=2020-11-01T00:00+03:00${SQ}" >expect &&
	test_cmp expect err
'

test_expect_code 64 '--window with an instant without an offset is a usage error' '
	td-filter --window "t=2020-11-01T00:00/" </dev/null 2>err
'

test_expect_success '... with a message' '
	echo "td-filter: --window: ${SQ}2020-11-01T00:00${SQ} has no UTC offset (instants need one, e.g. +03:00 or Z)" >expect &&
	test_cmp expect err
'

test_expect_code 64 '--match with a bad regex is a usage error' '
	td-filter --match "k=(" </dev/null 2>err
'

test_expect_code 64 '--eq without = is a usage error' '
	td-filter --eq k </dev/null 2>err
'

test_expect_success '... with a message' '
	echo "td-filter: --eq: expected KEY=VALUE, got ${SQ}k${SQ}" >expect &&
	test_cmp expect err
'

test_expect_code 64 '--plans without --config is a usage error' '
	td-filter -p plans.json </dev/null 2>err
'

test_expect_code 66 'a missing input file' '
	td-filter --has k nope.jsonl 2>err
'

test_expect_success '... is named' '
	echo "td-filter: nope.jsonl: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_code 78 '-c with a configuration without coding plans' '
	jq "del(.CodingPlans)" sms.json >np.json &&
	td-filter -c np.json </dev/null 2>err
'

test_done
