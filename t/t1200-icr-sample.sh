#!/bin/sh
# icr-sample: min(200, n) messages per RQA plan, drawn as random.Random(0).sample (pipeline.md §5.4.4, §11.2).

. "$(dirname "$0")/test-lib.sh"
require_shared

ibtci_config sms sms.json
ibtci_config facebook fb.json
PLANS=$EXAMPLES/ibtci/sms_coding_plans.json
SCHEMES=$SHARED/ibtci/code_schemes
RQA_CSVS=$(jq -r '.RQACodingPlans[].ICRFilename' "$PLANS")

# A plans file with one RQA plan (ICR file one.csv) and one survey plan (no ICR file).
jq '{RQACodingPlans: [.RQACodingPlans[0] | .ICRFilename = "one.csv" | .RawField = "msg"
	| .RunIDField = "run" | .IDField = "msg_id" | .MessageIDKey = "msg" | del(.WSCode)],
     DemogCodingPlans: [.DemogCodingPlans[0] | del(.WSCode)]}' "$PLANS" >one.json

# n records whose "msg" is its index and "run" 1000 + index.
population() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "{\"msg\": \"%d\", \"run\": %d}\n", i, 1000 + i }'
}

# The CSV expected for population N: CPython's indices from icr-vectors.json.
expected_sample() {
	{
		echo run,msg
		jq -r --arg n "$1" '.vectors[$n][] | "\(1000 + .),\(.)"' "$SHARED/icr-vectors.json"
	} >"$2"
}

test_expect_success 'empty input: a header-only CSV for every RQA plan' '
	icr-sample -c sms.json -d out </dev/null >stdout &&
	test_cmp /dev/null stdout &&
	for f in $RQA_CSVS; do
		echo "${f%.csv}_run_id,${f%.csv}_raw" >expect &&
		test_cmp expect "out/$f" || return 1
	done &&
	test "$(ls out | wc -l)" = 7
'

test_expect_success 'a population of 4 comes out in the order CPython draws it: [3, 1, 0, 2]' '
	rm -rf out &&
	population 4 >in.jsonl &&
	expected_sample 4 expect &&
	printf "run,msg\n1003,3\n1001,1\n1000,0\n1002,2\n" >expect2 &&
	test_cmp expect expect2 &&
	icr-sample -p one.json -s "$SCHEMES" -d out in.jsonl &&
	test_cmp expect out/one.csv &&
	test "$(ls out)" = one.csv
'

for n in 1 2 10 199 200 201 250 1045 5000; do
	test_expect_success "population of $n: bit-exact with random.Random(0).sample" "
		population $n >in.jsonl &&
		expected_sample $n expect &&
		icr-sample -p one.json -s \"\$SCHEMES\" -d out in.jsonl &&
		test_cmp expect out/one.csv
	"
done

test_expect_success 'population of 100000 (set method): bit-exact' '
	population 100000 >in.jsonl &&
	expected_sample 100000 expect &&
	icr-sample -p one.json -s "$SCHEMES" -d out in.jsonl &&
	test_cmp expect out/one.csv
'

test_expect_success 'the population is every record holding the raw field, empty text included' '
	cat >in.jsonl <<-\EOF &&
	{"msg": "a", "run": 1}
	{"other": "not in the population", "run": 99}
	{"msg": "", "run": 2}
	[{"Data": {"msg": "hidden", "run": 98}, "Metadata": {"Source": "s", "Timestamp": "t", "User": "u"}, "NestedTracedData": {}, "SHA": "x"}]
	{"msg": "c", "run": 3}
	{"msg": "d"}
	EOF
	# The population is [a, "", hidden, c, d] (a traced record counts by its latest values);
	# random.Random(0).sample(range(5), 5) is [3, 4, 0, 1, 2].
	icr-sample -p one.json -s "$SCHEMES" -d out in.jsonl &&
	printf "%s\n" run,msg 3,c ,d 1,a 2, 98,hidden >expect &&
	test_cmp expect out/one.csv
'

test_expect_success 'cells are Python str(): ints in decimal, floats in repr, null and absent empty, CSV quoting' '
	cat >in.jsonl <<-\EOF &&
	{"msg": "a, \"quoted\", comma", "run": 12345678901234567890}
	{"msg": null, "run": 1.0}
	{"msg": "two\nlines", "run": true}
	{"msg": "caf\u00e9 \ud83d\ude4f", "run": null}
	EOF
	icr-sample -p one.json -s "$SCHEMES" -d out in.jsonl &&
	# order [3, 1, 0, 2]: café, null-msg, quoted, multi-line
	printf "%s\n" "run,msg" ",café 🙏" "1.0," "12345678901234567890,\"a, \"\"quoted\"\", comma\"" "True,\"two" "lines\"" >expect &&
	test_cmp expect out/one.csv
'

test_expect_success 'members whose cells are all empty' '
	printf "%s\n" "{\"msg\": \"\"}" "{\"msg\": null, \"run\": null}" >in.jsonl &&
	icr-sample -p one.json -s "$SCHEMES" -d out in.jsonl &&
	printf "run,msg\n,\n,\n" >expect &&
	test_cmp expect out/one.csv
'

test_expect_success 'a warning when the population is under 200, only with -v' '
	population 3 >in.jsonl &&
	icr-sample -p one.json -s "$SCHEMES" -d out in.jsonl 2>err &&
	test_cmp /dev/null err &&
	icr-sample -v -p one.json -s "$SCHEMES" -d out in.jsonl 2>err &&
	grep "warning: out/one.csv: 3 records with \"msg\", fewer than 200: all are sampled" err &&
	grep "out/one.csv: 3 of 3 records sampled" err &&
	icr-sample -q -v -p one.json -s "$SCHEMES" -d out in.jsonl 2>err &&
	test_cmp /dev/null err
'

test_expect_success '--tee copies the records unchanged to standard output' '
	population 5 >in.jsonl &&
	printf "%s\r\n" "{\"msg\": \"crlf\"}" >>in.jsonl &&
	icr-sample --tee -p one.json -s "$SCHEMES" -d out in.jsonl >stdout &&
	{ population 5 && echo "{\"msg\": \"crlf\"}"; } >expect &&
	test_cmp expect stdout &&
	test "$(wc -l <out/one.csv)" = 7
'

test_expect_success 'records from several files and stdin make one population, in order' '
	population 4 >all.jsonl &&
	head -n 2 all.jsonl >a.jsonl &&
	tail -n 2 all.jsonl >b.jsonl &&
	icr-sample -p one.json -s "$SCHEMES" -d out1 all.jsonl &&
	icr-sample -p one.json -s "$SCHEMES" -d out2 a.jsonl - <b.jsonl &&
	test_cmp out1/one.csv out2/one.csv
'

test_expect_success 'the output directory is created' '
	population 2 >in.jsonl &&
	icr-sample -p one.json -s "$SCHEMES" -d deep/er/out in.jsonl &&
	test -f deep/er/out/one.csv
'

test_expect_code 73 'an output directory that cannot be created: 73' '
	population 2 >in.jsonl &&
	echo file >notadir &&
	icr-sample -p one.json -s "$SCHEMES" -d notadir/out in.jsonl
'

test_expect_code 73 'an output directory that is a file: 73' '
	icr-sample -p one.json -s "$SCHEMES" -d notadir in.jsonl
'

test_expect_success 'an unwritable directory: 73, and the previous files are untouched' '
	if test "$(id -u)" = 0; then
		say "# skipped: root can write anywhere"
		exit 0
	fi &&
	mkdir ro &&
	echo previous >ro/one.csv &&
	chmod 555 ro &&
	{ icr-sample -p one.json -s "$SCHEMES" -d ro in.jsonl 2>err; rc=$?; chmod 755 ro; test $rc = 73; } &&
	echo previous >expect &&
	test_cmp expect ro/one.csv &&
	test "$(ls -A ro)" = one.csv
'

test_expect_success 'a failed run leaves every previous file untouched and no temporary file' '
	icr-sample -c sms.json -d prev </dev/null &&
	for f in $RQA_CSVS; do echo "previous $f" >"prev/$f" || return 1; done &&
	rm prev/rqa_s08e04.csv && mkdir prev/rqa_s08e04.csv &&
	population 3 | sed "s/\"msg\"/\"rqa_s08e01_raw\"/" >in.jsonl &&
	{ icr-sample -c sms.json -d prev in.jsonl 2>err; test $? = 73; } &&
	grep "prev/rqa_s08e04.csv: cannot replace: is a directory" err &&
	for f in $RQA_CSVS; do
		test "$f" = rqa_s08e04.csv && continue
		echo "previous $f" >expect && test_cmp expect "prev/$f" || return 1
	done &&
	test "$(ls -A prev | wc -l)" = 7
'

test_expect_code 65 'a bad record stops the run: 65' '
	printf "%s\n" "{\"msg\": \"a\"}" "not json" >in.jsonl &&
	icr-sample -p one.json -s "$SCHEMES" -d bad in.jsonl
'

test_expect_success '... and nothing is written' '
	test ! -e bad/one.csv
'

test_expect_success '--skip-bad leaves it out' '
	printf "%s\n" "{\"msg\": \"a\"}" "not json" "{\"msg\": \"b\"}" >in.jsonl &&
	icr-sample --skip-bad -p one.json -s "$SCHEMES" -d out in.jsonl 2>err &&
	printf "run,msg\n,b\n,a\n" >expect &&
	test_cmp expect out/one.csv &&
	grep "skipped 1 bad record" err
'

test_expect_code 64 'no -d: usage error' 'icr-sample -c sms.json </dev/null'
test_expect_code 64 'no plans: usage error' 'icr-sample -d out </dev/null'
test_expect_code 66 'a missing input file: 66' 'icr-sample -c sms.json -d out missing.jsonl'
test_expect_code 78 'a config without coding plans: 78' '
	jq "del(.CodingPlans)" sms.json >noplans.json &&
	icr-sample -c noplans.json -d out </dev/null
'

# --- Acceptance: the reference's ICR files, byte for byte -------------------------------------------------

# The tools upstream of the one under test run as "$TD_BIN"/tool: under TD_VALGRIND=1 only the tool
# under test runs in valgrind (the others have their own tests), which keeps the run short.

RQA_NON_EMPTY=$(jq -r '.RQACodingPlans[].RawField' "$PLANS" | sed 's/^/--non-empty /')

# The reference's WS correction regroups the messages by participant (uid groups in order of first
# appearance, each in data order: pipeline.md §5.3 step D/E) even when it moves nothing, and the ICR
# population keeps that order. Without bin/ws-correct, this stand-in does the regrouping alone.
group_by_uid() {
	"$TD_BIN"/td-cat --csv uid "$1" | tail -n +2 >"$1.uids" &&
	awk 'NR == FNR { uid[FNR] = $0; next }
	     { u = uid[FNR]; if (!(u in n)) { order[++ng] = u; n[u] = 0 } recs[u, ++n[u]] = $0 }
	     END { for (g = 1; g <= ng; g++) { u = order[g]; for (i = 1; i <= n[u]; i++) print recs[u, i] } }' \
	    "$1.uids" "$1"
}

# The SMS chain of generate_outputs.py up to the ICR sample: load, translate, the WS pre-filter (records
# with an RQA raw field), WS correction, then the auto-code filters.
sms_chain() {	# sms_chain GOLDEN-DIR OUT
	"$TD_BIN"/td-join -c sms.json -r "$1/Raw Data" >joined.jsonl &&
	"$TD_BIN"/td-remap -c sms.json joined.jsonl >remapped.jsonl &&
	"$TD_BIN"/td-filter $RQA_NON_EMPTY remapped.jsonl >prefiltered.jsonl &&
	if test -x "$TD_BIN/ws-correct"; then
		"$TD_BIN"/ws-correct -c sms.json --coded-dir "$1/Coded Coda Files" prefiltered.jsonl >ws.jsonl
	else
		group_by_uid prefiltered.jsonl >ws.jsonl
	fi &&
	"$TD_BIN"/td-filter -c sms.json ws.jsonl >"$2"
}

# Compare every file of the golden ICR folder, except those named after it.
cmp_icr() {	# cmp_icr GOLDEN-ICR-DIR SKIP... ; the output is in out/
	gdir=$1
	shift
	for g in "$gdir"/*.csv; do
		f=${g##*/}
		case " $* " in *" $f "*) continue ;; esac
		test_cmp "$g" "out/$f" || return 1
	done &&
	test "$(ls out | wc -l)" = "$(ls "$gdir" | wc -l)"
}

test_expect_large 'golden sms-5k: every ICR file, byte for byte' '
	G=$SHARED/golden/sms-5k &&
	sms_chain "$G" data.jsonl &&
	rm -rf out &&
	icr-sample -c sms.json -d out data.jsonl &&
	cmp_icr "$G/Outputs/ICR"
'

# On golden/sms the WS correction moves an rqa_s08e02 message into rqa_s08e01, which changes both of those
# populations: they are compared only once bin/ws-correct exists.
test_expect_success 'golden sms: every ICR file the WS move does not touch (all of them with ws-correct)' '
	G=$SHARED/golden/sms &&
	sms_chain "$G" data.jsonl &&
	rm -rf out &&
	icr-sample -c sms.json -d out data.jsonl &&
	if test -x "$TD_BIN/ws-correct"; then
		cmp_icr "$G/Outputs/ICR"
	else
		cmp_icr "$G/Outputs/ICR" rqa_s08e01.csv rqa_s08e02.csv
	fi
'

test_expect_success 'golden facebook: every ICR file, byte for byte (run id columns empty)' '
	G=$SHARED/golden/facebook &&
	"$TD_BIN"/td-join -c fb.json -r "$G/Raw Data" >joined.jsonl &&
	"$TD_BIN"/td-remap -c fb.json joined.jsonl >remapped.jsonl &&
	"$TD_BIN"/td-filter -c fb.json remapped.jsonl >data.jsonl &&
	rm -rf out &&
	icr-sample -c fb.json -d out data.jsonl &&
	cmp_icr "$G/Outputs/ICR"
'

test_expect_success 'as a tee in the middle of the pipeline' '
	G=$SHARED/golden/facebook &&
	"$TD_BIN"/td-join -c fb.json -r "$G/Raw Data" | "$TD_BIN"/td-remap -c fb.json | "$TD_BIN"/td-filter -c fb.json |
		icr-sample --tee -c fb.json -d out2 >tee.jsonl &&
	test_cmp data.jsonl tee.jsonl &&
	for g in "$G/Outputs/ICR"/*.csv; do test_cmp "$g" "out2/${g##*/}" || return 1; done
'

test_done
