#!/bin/sh
# td-sort: a stable sort by the instant in a key, as the pipeline's data.sort(key=isoparse(td["sent_on"])).

. "$(dirname "$0")/test-lib.sh"

# Records whose instants tie in different spellings: 1, 2, 5 and 7 are all 2020-11-05T09:00:00Z,
# 4 (hour 24) and 9 are both 2020-11-04T21:00:00Z.
cat >in.jsonl <<'EOF'
{"id": 1, "sent_on": "2020-11-05T12:00:00+03:00"}
{"id": 2, "sent_on": "2020-11-05T09:00:00Z"}
{"id": 3, "sent_on": "2020-11-05T08:59:59.999999+00:00"}
{"id": 4, "sent_on": "2020-11-04T24:00+03:00"}
{"id": 5, "sent_on": 1604566800}
{"id": 6, "sent_on": 1604566800.5}
{"id": 7, "sent_on": "2020-11-05T09:00:00+0000"}
{"id": 8, "sent_on": "2020-11-05 06:00:00-03:30"}
{"id": 9, "sent_on": "2020-11-04T21:00:00Z"}
EOF

test_expect_success 'sorts by instant, ties keep their input order' '
	cat >expect <<-\EOF &&
	{"id": 4, "sent_on": "2020-11-04T24:00+03:00"}
	{"id": 9, "sent_on": "2020-11-04T21:00:00Z"}
	{"id": 3, "sent_on": "2020-11-05T08:59:59.999999+00:00"}
	{"id": 1, "sent_on": "2020-11-05T12:00:00+03:00"}
	{"id": 2, "sent_on": "2020-11-05T09:00:00Z"}
	{"id": 5, "sent_on": 1604566800}
	{"id": 7, "sent_on": "2020-11-05T09:00:00+0000"}
	{"id": 6, "sent_on": 1604566800.5}
	{"id": 8, "sent_on": "2020-11-05 06:00:00-03:30"}
	EOF
	td-sort -k sent_on in.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success '--reverse puts the newest first and still keeps ties in input order' '
	cat >expect <<-\EOF &&
	{"id": 8, "sent_on": "2020-11-05 06:00:00-03:30"}
	{"id": 6, "sent_on": 1604566800.5}
	{"id": 1, "sent_on": "2020-11-05T12:00:00+03:00"}
	{"id": 2, "sent_on": "2020-11-05T09:00:00Z"}
	{"id": 5, "sent_on": 1604566800}
	{"id": 7, "sent_on": "2020-11-05T09:00:00+0000"}
	{"id": 3, "sent_on": "2020-11-05T08:59:59.999999+00:00"}
	{"id": 4, "sent_on": "2020-11-04T24:00+03:00"}
	{"id": 9, "sent_on": "2020-11-04T21:00:00Z"}
	EOF
	td-sort --reverse -k sent_on in.jsonl >actual &&
	test_cmp expect actual &&
	td-sort --reverse --key=sent_on in.jsonl >actual2 &&
	test_cmp expect actual2
'

test_expect_success 'sorted input comes out unchanged' '
	td-sort -k sent_on in.jsonl >once &&
	td-sort -k sent_on once >twice &&
	test_cmp once twice
'

test_expect_success 'several files are sorted together, ties in argument order' '
	printf "%s\n" "{\"f\": \"a\", \"t\": \"2021-01-01T10:00:00Z\"}" "{\"f\": \"a\", \"t\": \"2021-01-01T08:00:00Z\"}" >a.jsonl &&
	printf "%s\n" "{\"f\": \"b\", \"t\": \"2021-01-01T13:00:00+03:00\"}" "{\"f\": \"b\", \"t\": \"2021-01-01T07:00:00Z\"}" >b.jsonl &&
	cat >expect <<-\EOF &&
	{"f": "b", "t": "2021-01-01T07:00:00Z"}
	{"f": "a", "t": "2021-01-01T08:00:00Z"}
	{"f": "a", "t": "2021-01-01T10:00:00Z"}
	{"f": "b", "t": "2021-01-01T13:00:00+03:00"}
	EOF
	td-sort -k t a.jsonl b.jsonl >actual &&
	test_cmp expect actual &&
	cat >expect <<-\EOF &&
	{"f": "b", "t": "2021-01-01T07:00:00Z"}
	{"f": "a", "t": "2021-01-01T08:00:00Z"}
	{"f": "b", "t": "2021-01-01T13:00:00+03:00"}
	{"f": "a", "t": "2021-01-01T10:00:00Z"}
	EOF
	td-sort -k t b.jsonl a.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'standard input from a pipe is spooled and sorted' '
	td-sort -k sent_on in.jsonl >expect &&
	cat in.jsonl | td-sort -k sent_on >actual &&
	test_cmp expect actual &&
	cat in.jsonl | td-sort -k sent_on - >actual &&
	test_cmp expect actual
'

test_expect_success 'the spool goes to $TMPDIR' '
	mkdir spool &&
	cat in.jsonl | TMPDIR=$PWD/spool td-sort -k sent_on >actual &&
	td-sort -k sent_on in.jsonl >expect &&
	test_cmp expect actual &&
	test -z "$(ls spool)"
'

# valgrind itself needs a usable $TMPDIR, so these two run without it.
if [ "${TD_VALGRIND:-}" = 1 ]; then
	test_count=$((test_count + 2))
	say "ok $((test_count - 1)) # skip an unusable \$TMPDIR (valgrind needs one itself)"
	say "ok $test_count # skip ... and names the directory"
else
test_expect_code 73 'an unusable $TMPDIR is an error for a pipe' '
	cat in.jsonl | TMPDIR=$PWD/no-such-dir td-sort -k sent_on >actual 2>err
'

test_expect_success '... and names the directory' '
	grep "^td-sort: cannot create a spool file in $PWD/no-such-dir: " err &&
	test ! -s actual
'
fi

test_expect_success 'standard input that is a file is read in place, from its current position' '
	td-sort -k t <b.jsonl >actual &&
	cat >expect <<-\EOF &&
	{"f": "b", "t": "2021-01-01T07:00:00Z"}
	{"f": "b", "t": "2021-01-01T13:00:00+03:00"}
	EOF
	test_cmp expect actual &&
	cat a.jsonl b.jsonl >ab.jsonl &&
	{ read -r first && td-sort -k t; } <ab.jsonl >actual &&
	cat >expect <<-\EOF &&
	{"f": "b", "t": "2021-01-01T07:00:00Z"}
	{"f": "a", "t": "2021-01-01T08:00:00Z"}
	{"f": "b", "t": "2021-01-01T13:00:00+03:00"}
	EOF
	test_cmp expect actual
'

test_expect_success 'files and standard input mix, in argument order' '
	cat b.jsonl | td-sort -k t a.jsonl - >actual &&
	td-sort -k t a.jsonl b.jsonl >expect &&
	test_cmp expect actual
'

test_expect_success 'CRLF becomes LF and a last line without a newline gets one' '
	printf "{\"t\": \"2021-01-02T00:00:00Z\"}\r\n{\"t\": \"2021-01-01T00:00:00Z\"}\r\n{\"t\": \"2020-01-01T00:00:00Z\"}" >crlf.jsonl &&
	printf "%s\n" "{\"t\": \"2020-01-01T00:00:00Z\"}" "{\"t\": \"2021-01-01T00:00:00Z\"}" "{\"t\": \"2021-01-02T00:00:00Z\"}" >expect &&
	td-sort -k t crlf.jsonl >actual &&
	test_cmp expect actual &&
	cat crlf.jsonl | td-sort -k t >actual &&
	test_cmp expect actual
'

test_expect_success 'an empty input gives an empty output' '
	: >empty.jsonl &&
	td-sort -k t empty.jsonl >actual &&
	test ! -s actual &&
	td-sort -k t </dev/null >actual &&
	test ! -s actual
'

test_expect_success 'naive date-times sort among themselves' '
	printf "%s\n" "{\"t\": \"2021-01-02T00:00\"}" "{\"t\": \"2021-01-01\"}" >naive.jsonl &&
	printf "%s\n" "{\"t\": \"2021-01-01\"}" "{\"t\": \"2021-01-02T00:00\"}" >expect &&
	td-sort -k t naive.jsonl >actual &&
	test_cmp expect actual
'

# Traced records: the key is read from the latest view (a later entry overrides, a nested record counts,
# a hidden key is absent), and the bytes are copied untouched.
cat >traced.jsonl <<'EOF'
[{"Data": {"sent_on": "2020-12-01T00:00:00+00:00"}, "Metadata": {"Source": "t", "Timestamp": "2021-01-01T00:00:00.000000+00:00", "User": "u"}, "NestedTracedData": {}, "SHA": "0f2fd5f7e3d1b3cef1b4e9c0b1c8e3d9f3b4b1d3e3c9a7b1d2e3f4a5b6c7d8e9"}, {"Data": {"sent_on": "2020-11-01T00:00:00+00:00", "x": "\u00e9"}, "Metadata": {"Source": "t", "Timestamp": "2021-01-01T00:00:00.000000+00:00", "User": "u"}, "NestedTracedData": {}, "SHA": "1f2fd5f7e3d1b3cef1b4e9c0b1c8e3d9f3b4b1d3e3c9a7b1d2e3f4a5b6c7d8e9"}]
[{"Data": {"x": 2}, "Metadata": {"Source": "t", "Timestamp": 1.5, "User": "u"}, "NestedTracedData": {"survey": [{"Data": {"sent_on": "2020-11-15T00:00:00+00:00"}, "Metadata": {"Source": "t", "Timestamp": 1.0, "User": "u"}, "NestedTracedData": {}, "SHA": "2f2fd5f7e3d1b3cef1b4e9c0b1c8e3d9f3b4b1d3e3c9a7b1d2e3f4a5b6c7d8e9"}]}, "SHA": "3f2fd5f7e3d1b3cef1b4e9c0b1c8e3d9f3b4b1d3e3c9a7b1d2e3f4a5b6c7d8e9"}]
EOF

test_expect_success 'traced records: the latest value counts, nested records included' '
	sed -n 2p traced.jsonl >expect &&
	sed -n 1p traced.jsonl >>expect &&
	td-sort -k sent_on traced.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'traced records written by td-cat keep their bytes and SHAs' '
	td-cat --traced in.jsonl >in-traced.jsonl &&
	td-sort -k sent_on in-traced.jsonl >actual &&
	td-cat --verify -q actual &&
	td-cat --flat actual >actual-flat &&
	td-sort -k sent_on in.jsonl | td-cat --flat >expect &&
	test_cmp expect actual-flat &&
	sort in-traced.jsonl >a && sort actual >b &&
	test_cmp a b
'

cat >hidden.jsonl <<'EOF'
[{"Data": {"sent_on": "#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0"}, "Metadata": {"Source": "t", "Timestamp": 2.0, "User": "u"}, "NestedTracedData": {}, "SHA": "0f2fd5f7e3d1b3cef1b4e9c0b1c8e3d9f3b4b1d3e3c9a7b1d2e3f4a5b6c7d8e9"}, {"Data": {"sent_on": "2020-12-01T00:00:00+00:00"}, "Metadata": {"Source": "t", "Timestamp": 1.0, "User": "u"}, "NestedTracedData": {}, "SHA": "1f2fd5f7e3d1b3cef1b4e9c0b1c8e3d9f3b4b1d3e3c9a7b1d2e3f4a5b6c7d8e9"}]
EOF

test_expect_code 65 'a hidden key is a missing key' '
	td-sort -k sent_on hidden.jsonl >actual 2>err
'

test_expect_success '... and the message says so' '
	echo "td-sort: hidden.jsonl:1: no key '\''sent_on'\'' (expected an ISO-8601 date-time or a number)" >expect &&
	test_cmp expect err &&
	test ! -s actual
'

# Errors: the reference would crash on all of these; we name the record and the problem.
printf '%s\n' '{"t": "2021-01-01T00:00:00Z"}' '{"u": 1}' >missing.jsonl
printf '%s\n' '{"t": "2021-01-01T00:00:00Z"}' '{"t": "2021-02-30T00:00:00Z"}' >baddate.jsonl
printf '%s\n' '{"t": "2021-01-01T00:00:00Z"}' '{"t": "yesterday"}' >badtext.jsonl
printf '%s\n' '{"t": "2021-01-01T00:00:00Z"}' '{"t": null}' >null.jsonl
printf '%s\n' '{"t": "2021-01-01T00:00:00Z"}' '{"t": [1]}' >array.jsonl
printf '%s\n' '{"t": "2021-01-01T00:00:00Z"}' '{"t": 1e300}' >huge.jsonl
printf '%s\n' '{"t": "2021-01-01T00:00:00Z"}' '{"t": "2021-01-01T00:00:00"}' >mixed.jsonl
printf '%s\n' '{"t": "2021-01-01T00:00:00"}' '{"t": 5}' >mixed2.jsonl
printf '%s\n' '{"t": "2021-01-01T00:00:00Z"}' '' '{"t": "2020-01-01T00:00:00Z"}' >blank.jsonl
printf '%s\n' '{"t": "2021-01-01T00:00:00Z"}' '{"t": ' >badjson.jsonl

check_error() {
	# check_error FILE MESSAGE
	expected_message=$2
	test_expect_code 65 "error: $1" "td-sort -k t $1 >actual 2>err"
	test_expect_success "error message: $1" '
		printf "%s\n" "$expected_message" >expect &&
		test_cmp expect err &&
		test ! -s actual
	'
}

check_error missing.jsonl "td-sort: missing.jsonl:2: no key 't' (expected an ISO-8601 date-time or a number)"
check_error baddate.jsonl "td-sort: baddate.jsonl:2: t: not an ISO-8601 date-time: '2021-02-30T00:00:00Z' (day out of range for the month)"
check_error badtext.jsonl "td-sort: badtext.jsonl:2: t: not an ISO-8601 date-time: 'yesterday' (expected a date YYYY-MM-DD)"
check_error null.jsonl "td-sort: null.jsonl:2: t: expected an ISO-8601 date-time or a number, got null"
check_error array.jsonl "td-sort: array.jsonl:2: t: expected an ISO-8601 date-time or a number, got an array"
check_error huge.jsonl "td-sort: huge.jsonl:2: t: number 1e300 is out of range for epoch seconds"
check_error mixed.jsonl "td-sort: mixed.jsonl:2: t: a naive date-time cannot be compared with the timezone-aware one at mixed.jsonl:1"
check_error mixed2.jsonl "td-sort: mixed2.jsonl:2: t: a timezone-aware date-time cannot be compared with the naive one at mixed2.jsonl:1"
check_error blank.jsonl "td-sort: blank.jsonl:2: blank line (expected a record)"

test_expect_code 65 'invalid JSON is an error' '
	td-sort -k t badjson.jsonl >actual 2>err
'

test_expect_success '... naming the record' '
	grep "^td-sort: badjson.jsonl:2: invalid JSON" err
'

test_expect_code 65 'a record longer than --max-record is an error' '
	td-sort --max-record 20 -k t in.jsonl >actual 2>err
'

test_expect_success '... naming the record' '
	grep "^td-sort: in.jsonl:1: record longer than the limit of 20 bytes (--max-record)" err
'

test_expect_success 'an error in standard input names <stdin>' '
	{ cat badtext.jsonl | td-sort -k t >actual 2>err; test $? = 65; } &&
	echo "td-sort: <stdin>:2: t: not an ISO-8601 date-time: '\''yesterday'\'' (expected a date YYYY-MM-DD)" >expect &&
	test_cmp expect err
'

test_expect_success '--skip-bad skips and counts bad records and bad keys' '
	cat missing.jsonl baddate.jsonl null.jsonl mixed.jsonl blank.jsonl badjson.jsonl >bad.jsonl &&
	td-sort --skip-bad -k t bad.jsonl >actual 2>err &&
	cat >expect <<-\EOF &&
	{"t": "2020-01-01T00:00:00Z"}
	{"t": "2021-01-01T00:00:00Z"}
	{"t": "2021-01-01T00:00:00Z"}
	{"t": "2021-01-01T00:00:00Z"}
	{"t": "2021-01-01T00:00:00Z"}
	{"t": "2021-01-01T00:00:00Z"}
	{"t": "2021-01-01T00:00:00Z"}
	EOF
	test_cmp expect actual &&
	grep -c "(skipped)$" err >count &&
	echo 6 >expect && test_cmp expect count &&
	tail -n 1 err >last &&
	echo "td-sort: skipped 6 bad records" >expect &&
	test_cmp expect last
'

test_expect_success '--skip-bad -q skips silently' '
	td-sort --skip-bad -q -k t bad.jsonl >actual2 2>err &&
	test_cmp actual actual2 &&
	test ! -s err
'

test_expect_code 66 'a missing input file is exit 66' '
	td-sort -k t a.jsonl no-such.jsonl >actual 2>err
'

test_expect_success '... with a message and no output' '
	grep "^td-sort: no-such.jsonl: No such file or directory" err &&
	test ! -s actual
'

test_expect_code 66 'a directory is exit 66' '
	td-sort -k t . >actual 2>err
'

test_expect_code 64 'no key is a usage error' '
	td-sort in.jsonl >actual 2>err
'

test_expect_success '... that shows the usage' '
	cat >expect <<-\EOF &&
	td-sort: -k KEY is required
	usage: td-sort -k KEY [-q] [--reverse] [--max-record SIZE] [--skip-bad] [file ...]
	EOF
	test_cmp expect err
'

test_expect_code 64 'an unknown option is a usage error' '
	td-sort -k t --bogus in.jsonl >actual 2>err
'

test_expect_code 64 'a bad --max-record is a usage error' '
	td-sort -k t --max-record 12Q in.jsonl >actual 2>err
'

test_expect_success '--help and --version' '
	td-sort --help >help &&
	grep "^usage: td-sort -k KEY" help &&
	td-sort --version >version &&
	grep "^td-sort (tdtools) " version
'

test_expect_success 'a closed output pipe ends td-sort quietly' '
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do cat in.jsonl; done >big.jsonl &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do cat big.jsonl; done >bigger.jsonl &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do cat bigger.jsonl; done >biggest.jsonl &&
	td-sort -k sent_on biggest.jsonl 2>err | head -n 1 >actual &&
	test ! -s err &&
	echo "{\"id\": 4, \"sent_on\": \"2020-11-04T24:00+03:00\"}" >expect &&
	test_cmp expect actual
'

# The reference's own data: every activation file of the golden sets, sorted by its "(Time)" key, against an
# order computed independently with jq (latest value of the key) and a stable sort(1) on the time text. The
# times are all UTC (+00:00), checked first, so their text order is their instant order once a missing
# fraction is spelled .000000.
golden_sort() {
	# golden_sort FILE: the records of FILE in the order jq + sort -s give
	key=$(head -n 1 "$1" | jq -r '.[-1].Data | keys[] | select(test(" \\(Time\\) - "))') &&
	jq -r --arg k "$key" '[.[] | .Data[$k] | select(. != null)][0]
		| if test("^[0-9-]{10}T[0-9:]{8}(\\.[0-9]{6})?\\+00:00$") then . else error("not UTC: \(.)") end
		| if test("\\.") then . else .[0:19] + ".000000" + .[19:] end' "$1" >times &&
	awk '{ print $0 "\t" NR }' times | LC_ALL=C sort -s -t "	" -k 1,1 | cut -f 2 >order &&
	awk 'NR == FNR { want[++n] = $1; next } { line[FNR] = $0 } END { for (i = 1; i <= n; i++) print line[want[i]] }' \
		order "$1"
}

if [ -d "$SHARED/golden" ] && command -v jq >/dev/null 2>&1; then
	for set in sms sms-5k; do
		for f in "$SHARED/golden/$set/Raw Data/"*_activation.jsonl; do
			[ -s "$f" ] || continue
			name=$set/${f##*/}
			test_expect_success "golden: $name sorted by its (Time) key" '
				golden_sort "$f" >expect &&
				key=$(head -n 1 "$f" | jq -r ".[-1].Data | keys[] | select(test(\" \\\\(Time\\\\) - \"))") &&
				td-sort -k "$key" "$f" >actual &&
				test_cmp expect actual &&
				test $(wc -l <actual) = $(wc -l <"$f")
			'
		done
	done
	test_expect_success 'golden: the s08e01 file is not in time order, so the sort is exercised' '
		f="$SHARED/golden/sms/Raw Data/csap_s08e01_activation.jsonl" &&
		golden_sort "$f" >sorted &&
		! cmp -s sorted "$f"
	'
elif [ "${CI:-}" = true ]; then
	test_expect_success "golden tests need ../shared and jq ($SHARED)" 'false'
else
	say "# SKIP golden tests: ../shared or jq not found at $SHARED"
fi

test_done
