#!/bin/sh
# scripts/2_fetch_raw_data.sh: every source type in config order (RapidPro, RecoveryCSV, GCloudBucket; Facebook
# needs fb-fetch), usage, credentials "-", Engagement Metrics removed.

. "$(dirname "$0")/test-lib.sh"

require_prog jq
require_prog python3

DEMO=$EXAMPLES/demo
S2=$TOP/scripts/2_fetch_raw_data.sh
mkdir secret bucket csv
cp "$DEMO/rapidpro/uuid-table.jsonl" secret/uuid-table.jsonl && chmod 600 secret/uuid-table.jsonl
echo demo-token >token.txt
printf '%s\n' '[{"Data": {"avf_phone_id": "avf-phone-uuid-demo-0001", "x": 1}, "Metadata": {"Source": "s", "Timestamp": "t", "User": "u"}, "NestedTracedData": {}, "SHA": "0"}]' >bucket/demo_s10_demog.jsonl
printf 'Sender,Message,ReceivedOn\navf-phone-uuid-demo-0002,salaan,05/01/2026 12:00\n' >csv/demo_recovered.csv
jq --arg d "file://$DEMO/rapidpro" --arg t "$TRASH/secret/uuid-table.jsonl" --arg tok "$TRASH/token.txt" \
	--arg bucket "$TRASH/bucket/demo_s10_demog.jsonl" --arg csv "csv/demo_recovered.csv" \
	'.RawDataSources[0].Domain = $d | .RawDataSources[0].TokenFileURL = $tok | .UuidTable.FileURL = $t
	 | .RawDataSources += [{"SourceType": "RecoveryCSV", "ActivationFlowURLs": [$csv]},
	                       {"SourceType": "GCloudBucket", "SurveyFlowURLs": [$bucket]}]
	 | .CodingPlans = "'"$DEMO"'/plans.json" | .CodeSchemesDir = "'"$DEMO"'/schemes"' \
	"$DEMO/config.json" >config.json

test_expect_success 'usage: 64' '
	{ "$S2" a b c 2>err; test $? = 64; } &&
	echo "2_fetch_raw_data.sh: usage: 2_fetch_raw_data.sh [-qv] <user> <credentials> <config> <data-root>" >expect &&
	test_cmp expect err
'

test_expect_success 'a missing config: 66' '
	{ "$S2" u - nope.json root 2>err; test $? = 66; } &&
	echo "2_fetch_raw_data.sh: nope.json: cannot read the configuration" >expect && test_cmp expect err
'

test_expect_success 'all three source types, Engagement Metrics removed' '
	mkdir -p "root/Engagement Metrics" && touch "root/Engagement Metrics/facebook_metrics.csv" &&
	"$S2" u - config.json root 2>err &&
	test ! -e "root/Engagement Metrics" &&
	(cd "root/Raw Data" && ls *.jsonl | grep -v _log) >actual &&
	printf "%s\n" demo_demog.jsonl demo_e01_activation.jsonl demo_e02_activation.jsonl demo_recovered.jsonl \
		demo_s10_demog.jsonl >expect &&
	test_cmp expect actual &&
	test_cmp bucket/demo_s10_demog.jsonl "root/Raw Data/demo_s10_demog.jsonl" &&
	jq -r ".[1].Data.avf_phone_id, .[0].Data.operator_raw" "root/Raw Data/demo_recovered.jsonl" >actual &&
	printf "avf-phone-uuid-demo-0002\n25261\n" >expect && test_cmp expect actual &&
	echo "2_fetch_raw_data.sh: 3 source(s) fetched into root/Raw Data" >expect && test_cmp expect err
'

test_expect_success 'run again: nothing new, the bucket and recovery files are kept' '
	echo changed >"root/Raw Data/demo_s10_demog.jsonl" &&
	"$S2" -q u - config.json root &&
	echo changed >expect && test_cmp expect "root/Raw Data/demo_s10_demog.jsonl"
'

test_expect_success 'a gs:// bucket source without credentials: 77' '
	jq ".RawDataSources[2].SurveyFlowURLs = [\"gs://bucket/demo_s11_demog.jsonl\"]" config.json >gs.json &&
	{ "$S2" -q u - gs.json root 2>err; test $? = 77; } &&
	echo "2_fetch_raw_data.sh: gs://bucket/demo_s11_demog.jsonl: a gs:// source needs credentials (got -)" >expect &&
	test_cmp expect err
'

test_expect_success 'a Facebook source without fb-fetch on PATH: 69, said clearly' '
	jq ".RawDataSources += [{\"SourceType\": \"Facebook\", \"PageID\": \"1\", \"TokenFileURL\": \"token.txt\",
		\"Datasets\": [{\"Name\": \"d\", \"PostIDs\": [\"1_2\"]}]}]" config.json >fb.json &&
	mkdir nofb && for t in "$TD_BIN"/*; do [ "${t##*/}" = fb-fetch ] || ln -s "$t" nofb/; done &&
	{ TD_BIN=$TRASH/nofb PATH=$TRASH/nofb:/usr/bin:/bin "$S2" -q u - fb.json root 2>err; test $? = 69; } &&
	echo "2_fetch_raw_data.sh: the configuration has a Facebook source, but fb-fetch is not installed" >expect &&
	test_cmp expect err
'

test_done
