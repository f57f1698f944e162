#!/bin/sh
# td-join: the load step (pipeline.md §5.1) — every activation record, in flow order then file order, with
# the same participant's survey answers; each survey flow coalesced by participant first.

. "$(dirname "$0")/test-lib.sh"

require_shared

# p1 answers the survey twice (the second answer overrides age and adds x), p3 answers but never sends an
# activation message, p2 sends one but never answers.
cat >act.jsonl <<'EOF'
{"avf_phone_id": "p1", "msg": "hello", "urn_type": "tel"}
{"avf_phone_id": "p2", "msg": "hi"}
{"avf_phone_id": "p1", "msg": "again", "urn_type": "tel"}
EOF
cat >demog.jsonl <<'EOF'
{"avf_phone_id": "p1", "age": "20", "gender": "m", "urn_type": "tel"}
{"avf_phone_id": "p3", "age": "30"}
{"avf_phone_id": "p1", "age": "21", "x": 1}
EOF
cat >eval.jsonl <<'EOF'
{"avf_phone_id": "p2", "voice": "haa"}
{"avf_phone_id": "p1", "voice": "maya"}
EOF

test_expect_success 'a survey flow is coalesced by participant: first appearance kept, later values override' '
	cat >expect <<-\EOF &&
	{"avf_phone_id": "p1", "msg": "hello", "urn_type": "tel", "age": "21", "gender": "m", "x": 1}
	{"avf_phone_id": "p2", "msg": "hi"}
	{"avf_phone_id": "p1", "msg": "again", "urn_type": "tel", "age": "21", "gender": "m", "x": 1}
	EOF
	td-join --activation act.jsonl --survey demog.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'several survey flows all join, in survey flow order' '
	cat >expect <<-\EOF &&
	{"avf_phone_id": "p1", "msg": "hello", "urn_type": "tel", "age": "21", "gender": "m", "x": 1, "voice": "maya"}
	{"avf_phone_id": "p2", "msg": "hi", "voice": "haa"}
	{"avf_phone_id": "p1", "msg": "again", "urn_type": "tel", "age": "21", "gender": "m", "x": 1, "voice": "maya"}
	EOF
	td-join --activation act.jsonl --survey demog.jsonl --survey eval.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'activation records come in flow order, then file order; survey-only participants are dropped' '
	printf "%s\n" "{\"avf_phone_id\": \"p3\", \"msg\": \"second flow\"}" >act2.jsonl &&
	cat >expect <<-\EOF &&
	{"avf_phone_id": "p3", "msg": "second flow", "age": "30"}
	{"avf_phone_id": "p1", "msg": "hello", "urn_type": "tel", "age": "21", "gender": "m", "x": 1}
	{"avf_phone_id": "p2", "msg": "hi"}
	{"avf_phone_id": "p1", "msg": "again", "urn_type": "tel", "age": "21", "gender": "m", "x": 1}
	EOF
	td-join --activation act2.jsonl --activation act.jsonl --survey demog.jsonl >actual &&
	test_cmp expect actual &&
	td-join --activation act.jsonl --survey demog.jsonl >actual &&
	! grep -q "\"p3\"" actual
'

test_expect_success 'traced inputs: one td-join entry nesting every survey flow; the output verifies' '
	td-cat -t act.jsonl >act.t &&
	td-cat -t demog.jsonl >demog.t &&
	td-cat -t eval.jsonl >eval.t &&
	td-join --activation act.t --survey demog.t --survey eval.t >out.t &&
	td-cat -q --verify out.t &&
	jq -c "length" out.t >counts &&
	printf "%s\n" 2 2 2 >expect &&
	test_cmp expect counts &&
	jq -c ".[0] | [.Data, (.NestedTracedData | keys), .Metadata.Source]" out.t >actual &&
	v=$(td-join --version | sed "s/.* //") &&
	cat >expect <<-EOF &&
	[{},["survey_responses/demog","survey_responses/eval"],"td-join $v"]
	[{},["survey_responses/eval"],"td-join $v"]
	[{},["survey_responses/demog","survey_responses/eval"],"td-join $v"]
	EOF
	test_cmp expect actual &&
	td-cat --flat out.t >flat &&
	td-join --activation act.jsonl --survey demog.jsonl --survey eval.jsonl >expect &&
	test_cmp expect flat
'

test_expect_success 'a coalesced survey record gets one entry per later record, each with all its latest values' '
	jq -c ".[0].NestedTracedData[\"survey_responses/demog\"] | map(.Data)" out.t | head -1 >actual &&
	cat >expect <<-\EOF &&
	[{"age":"21","avf_phone_id":"p1","x":1},{"age":"20","avf_phone_id":"p1","gender":"m","urn_type":"tel"}]
	EOF
	test_cmp expect actual
'

test_expect_success 'a participant with no survey answers is written unchanged, byte for byte' '
	sed -n 2p act.t >expect &&
	td-join --activation act.t --survey demog.t >out.t &&
	sed -n 2p out.t >actual &&
	test_cmp expect actual
'

test_expect_success '-u sets Metadata.User of the entry made' '
	td-join -u analyst@example.org --activation act.t --survey demog.t >out.t &&
	jq -r ".[0].Metadata | .User + \" \" + .Timestamp" out.t | head -1 >actual &&
	echo "analyst@example.org 2020-09-13T12:26:40.000000+00:00" >expect &&
	test_cmp expect actual
'

test_expect_code 65 'a key common to both records with different values stops the join (append_traced_data asserts)' '
	printf "%s\n" "{\"avf_phone_id\": \"p1\", \"urn_type\": \"tel\"}" >a.jsonl &&
	printf "%s\n" "{\"avf_phone_id\": \"p1\", \"urn_type\": \"telegram\"}" >s.jsonl &&
	td-join --activation a.jsonl --survey s.jsonl 2>err >out
'

test_expect_success '... with a message naming the record, the flow and the key' '
	cat >expect <<-\EOF &&
	td-join: a.jsonl:1: survey flow s: cannot nest under "survey_responses/s": key "urn_type" differs between the records
	EOF
	test_cmp expect err &&
	test ! -s out
'

test_expect_success 'values equal under Python == (1 and 1.0, key order of objects) do not stop the join; the survey value wins' '
	printf "%s\n" "{\"avf_phone_id\": \"p1\", \"n\": 1, \"o\": {\"a\": [1, 2], \"b\": null}}" >a.jsonl &&
	printf "%s\n" "{\"avf_phone_id\": \"p1\", \"o\": {\"b\": null, \"a\": [1.0, 2]}, \"n\": 1.0}" >s.jsonl &&
	cat >expect <<-\EOF &&
	{"avf_phone_id": "p1", "n": 1.0, "o": {"a": [1.0, 2], "b": null}}
	EOF
	td-join --activation a.jsonl --survey s.jsonl >actual &&
	test_cmp expect actual
'

# Python: True == 1 and False == 0, so CoreDataModules' assertion passes and the survey value wins.
test_expect_success 'true and 1 are equal under Python == and do not stop the join' '
	printf "%s\n" "{\"avf_phone_id\": \"p1\", \"n\": true}" >a.jsonl &&
	printf "%s\n" "{\"avf_phone_id\": \"p1\", \"n\": 1}" >s.jsonl &&
	echo "{\"avf_phone_id\": \"p1\", \"n\": 1}" >expect &&
	td-join --activation a.jsonl --survey s.jsonl >actual &&
	test_cmp expect actual
'

# Python dict keys: the number 7 and the string "7" are different participants.
test_expect_success 'a number id and a string id with the same digits are different participants' '
	printf "%s\n" "{\"avf_phone_id\": 7, \"m\": 1}" >a.jsonl &&
	printf "%s\n" "{\"avf_phone_id\": 7, \"s\": 1}" "{\"avf_phone_id\": \"7\", \"s\": 2}" >s.jsonl &&
	echo "{\"avf_phone_id\": 7, \"m\": 1, \"s\": 1}" >expect &&
	td-join --activation a.jsonl --survey s.jsonl >actual &&
	test_cmp expect actual
'

test_expect_code 65 'an activation record without avf_phone_id is an error when there are surveys' '
	printf "%s\n" "{\"avf_phone_id\": \"p1\"}" "{\"urn_type\": \"tel\"}" >a.jsonl &&
	: >nosurvey.jsonl &&
	td-join --activation a.jsonl --survey nosurvey.jsonl 2>err
'

test_expect_success '... naming the file and line' '
	echo "td-join: a.jsonl:2: no \"avf_phone_id\" to join on" >expect &&
	test_cmp expect err
'

test_expect_code 65 'a survey record without avf_phone_id is an error too' '
	printf "%s\n" "{\"avf_phone_id\": \"p1\"}" >a.jsonl &&
	printf "%s\n" "{\"avf_phone_id\": \"p1\"}" "{\"avf_phone_id\": \"p2\"}" "{\"age\": 3}" >s.jsonl &&
	td-join --activation a.jsonl --survey s.jsonl 2>err >out
'

test_expect_success '... found before any record is written' '
	echo "td-join: s.jsonl:3: no \"avf_phone_id\" to join on" >expect &&
	test_cmp expect err &&
	test ! -s out
'

test_expect_success '-k joins on another key' '
	printf "%s\n" "{\"uid\": \"u1\", \"m\": 1}" "{\"uid\": \"u2\", \"m\": 2}" >a.jsonl &&
	printf "%s\n" "{\"uid\": \"u2\", \"s\": 1}" >s.jsonl &&
	cat >expect <<-\EOF &&
	{"uid": "u1", "m": 1}
	{"uid": "u2", "m": 2, "s": 1}
	EOF
	td-join -k uid --activation a.jsonl --survey s.jsonl >actual &&
	test_cmp expect actual &&
	td-join --key=uid --activation a.jsonl --survey s.jsonl >actual &&
	test_cmp expect actual
'

test_expect_code 66 'a missing activation file' '
	td-join --activation nope.jsonl 2>err
'

test_expect_success '... is named' '
	echo "td-join: nope.jsonl: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_code 66 'a missing survey file' '
	td-join --activation act.jsonl --survey nope.jsonl 2>err >out
'

test_expect_success '... is named, and nothing is written' '
	echo "td-join: nope.jsonl: No such file or directory" >expect &&
	test_cmp expect err &&
	test ! -s out
'

# The real SMS config: its flows, read from a raw-data directory.
ibtci_config sms sms.json
RAW="$SHARED/golden/sms/Raw Data"

test_expect_code 66 '-c/-r: a flow file missing from the raw-data directory is fatal (load_datasets)' '
	mkdir -p raw &&
	echo "{\"avf_phone_id\": \"p1\"}" >raw/csap_demog.jsonl &&
	td-join -c sms.json -r raw 2>err >out
'

test_expect_success '... naming the path it looked for' '
	echo "td-join: raw/csap_s02_demog.jsonl: No such file or directory" >expect &&
	test_cmp expect err &&
	test ! -s out
'

test_expect_success 'the golden SMS raw data: 6 records, in activation flow order then file order' '
	td-join -c sms.json -r "$RAW" >joined &&
	td-cat --csv "avf_phone_id,Rqa_S08E01 (Run ID) - csap_s08e01_activation,Gender (Text) - csap_demog,Gender (Text) - csap_s08_demog,Csap_S08_Suggestions (Text) - csap_s08_evaluation" joined >actual &&
	cat >expect <<-\EOF &&
	avf_phone_id,Rqa_S08E01 (Run ID) - csap_s08e01_activation,Gender (Text) - csap_demog,Gender (Text) - csap_s08_demog,Csap_S08_Suggestions (Text) - csap_s08_evaluation
	avf-phone-uuid-A,1,male,naag,more shows
	avf-phone-uuid-B,2,,,
	avf-phone-uuid-T,3,,,
	avf-phone-uuid-A,7,male,naag,more shows
	avf-phone-uuid-C,,,wiil,
	avf-phone-uuid-A,,male,naag,more shows
	EOF
	test_cmp expect actual &&
	td-cat -q --verify joined
'

test_expect_success 'the golden SMS raw data: nested survey flows per record' '
	jq -c ".[0].NestedTracedData | keys" joined >actual &&
	cat >expect <<-\EOF &&
	["survey_responses/csap_demog","survey_responses/csap_s08_demog","survey_responses/csap_s08_evaluation"]
	[]
	[]
	["survey_responses/csap_demog","survey_responses/csap_s08_demog","survey_responses/csap_s08_evaluation"]
	["survey_responses/csap_s08_demog"]
	["survey_responses/csap_demog","survey_responses/csap_s08_demog","survey_responses/csap_s08_evaluation"]
	EOF
	test_cmp expect actual
'

test_expect_success 'records without survey answers are the raw lines, byte for byte' '
	sed -n "2p;3p" "$RAW/csap_s08e01_activation.jsonl" >expect &&
	sed -n "2p;3p" joined >actual &&
	test_cmp expect actual
'

test_expect_success '--activation/--survey with the config flows in order give the same bytes as -c/-r' '
	set -- &&
	for f in $(jq -r ".RawDataSources[] | (.ActivationFlowNames // [])[]" sms.json); do
		set -- "$@" --activation "$RAW/$f.jsonl"
	done &&
	for f in $(jq -r ".RawDataSources[] | (.SurveyFlowNames // [])[], ((.SurveyFlowURLs // [])[] | split(\"/\")[-1] | split(\".\")[0])" sms.json); do
		set -- "$@" --survey "$RAW/$f.jsonl"
	done &&
	test $# = 36 &&
	td-join "$@" >actual &&
	test_cmp joined actual
'

test_expect_code 64 '-c without -r is a usage error' '
	td-join -c sms.json 2>err
'

test_expect_code 64 '-c/-r and --activation together are a usage error' '
	td-join -c sms.json -r "$RAW" --activation act.jsonl 2>err
'

test_expect_code 64 'no activation flow at all is a usage error' '
	td-join --survey demog.jsonl 2>err
'

test_expect_code 64 'operands are a usage error (flows are named with options)' '
	td-join --activation act.jsonl act.jsonl 2>err
'

test_expect_success '... and the usage line is printed' '
	cat >expect <<-\EOF &&
	usage: td-join [-qv] [-k KEY] [-u USER] [--max-record SIZE] (-c CONFIG -r RAW-DATA-DIR | --activation FILE ... [--survey FILE ...])
	EOF
	test_cmp expect err
'

test_expect_code 64 '--skip-bad is refused: a join needs every record' '
	td-join --skip-bad --activation act.jsonl 2>err
'

test_expect_code 78 'a bad configuration' '
	jq "del(.SourceKeyRemappings)" sms.json >bad.json &&
	td-join -c bad.json -r "$RAW" 2>err
'

test_expect_success '-v reports counts on stderr' '
	td-join -v --activation act.jsonl --survey demog.jsonl --survey eval.jsonl >/dev/null 2>err &&
	echo "td-join: 3 activation records, 5 survey answers joined" >expect &&
	test_cmp expect err
'

test_done
