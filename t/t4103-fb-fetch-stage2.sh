#!/bin/sh
# scripts/2_fetch_raw_data.sh with the IBTCI Facebook configuration against the fake Graph API, then stage 3:
# the fetch stage feeds stage 3 the reference's data (its golden outputs), and writes the engagement metrics.
. "$(dirname "$0")/test-lib.sh"
require_shared
require_prog jq
require_prog python3

golden="$SHARED/golden/facebook"

ibtci_config facebook ibtci.json
jq '.UuidTable.FileURL = "uuids.table" | .RawDataSources |= map(.TokenFileURL = "file://token-\(.PageID).txt")' \
	ibtci.json >base.json
for p in $(jq -r '.RawDataSources[].PageID' base.json); do
	echo "page-token-$p-s3cr3t" >"token-$p.txt" && chmod 600 "token-$p.txt"
done
printf '{"data": "u1", "uuid": "avf-facebook-uuid-u1"}\n{"data": "u2", "uuid": "avf-facebook-uuid-u2"}\n' >uuids.table
chmod 600 uuids.table
python3 "$T_DIR/fake/graph_golden.py" base.json "$golden/Raw Data" data.json fetch0.json
start_fake graph --data data.json
jq --arg u "$FAKE_URL/v8.0" '.RawDataSources |= map(. + {GraphAPIBaseURL: $u})' fetch0.json >fetch.json

test_expect_success 'stage 2 fetches every Facebook source and the metrics' '
	mkdir -p "root/Engagement Metrics" && echo stale >"root/Engagement Metrics/old.csv" &&
	"$TOP/scripts/2_fetch_raw_data.sh" -q tester - fetch.json root &&
	ls "root/Engagement Metrics" >actual && echo facebook_metrics.csv >expect && test_cmp expect actual &&
	test "$(ls "root/Raw Data"/facebook_*.jsonl | wc -l)" = 47 &&
	test "$(sed 1d "root/Engagement Metrics/facebook_metrics.csv" | wc -l)" = "$(jq "[.pages[].posts[]] | length" data.json)"
'

test_expect_success 'stage 3 on what stage 2 fetched: the golden CSVs, ICR samples and Coda files' '
	"$TOP/scripts/3_generate_outputs.sh" -q tester - fetch.json root &&
	for f in production.csv messages.csv individuals.csv; do
		test_cmp "$golden/Outputs/$f" "root/Outputs/$f" || exit 1
	done &&
	for f in "$golden/Outputs/ICR"/*; do
		test_cmp "$f" "root/Outputs/ICR/${f##*/}" || exit 1
	done &&
	for f in "$golden/Outputs/Coda Files"/*; do
		sed -E "s/(\"(DateTimeUTC|OriginID)\": )\"[^\"]*\"/\1\"X\"/g" "$f" >expect &&
		sed -E "s/(\"(DateTimeUTC|OriginID)\": )\"[^\"]*\"/\1\"X\"/g" "root/Outputs/Coda Files/${f##*/}" >actual &&
		test_cmp expect actual || exit 1
	done
'

test_expect_success 'no raw Facebook id and no token under the data root; the records name the user' '
	! grep -rlE "\"u[12]\"|s3cr3t" root &&
	td-cat --flat "root/Raw Data/facebook_s08e01_1584334095169246.jsonl" >/dev/null &&
	head -1 "root/Raw Data/facebook_s08e01_1584334095169246.jsonl" | grep "\"User\": \"tester\""
'

test_done
