#!/bin/sh
# fb-fetch against a fake Graph API serving what the reference's Facebook goldens were made from: the TracedData
# match the reference's conversion key by key (commenter ids de-identified), and stage 3 on them reproduces the
# golden stage-3 outputs (golden/README.md comparison rules).
. "$(dirname "$0")/test-lib.sh"
require_shared
require_prog jq
require_prog python3

# graph_config IN OUT: IN with every Facebook source's GraphAPIBaseURL on the fake
graph_config() {
	jq --arg u "$FAKE_URL/v8.0" '.RawDataSources |= map(if .SourceType == "Facebook" then
		. + {GraphAPIBaseURL: $u} else . end)' "$1" >"$2"
}

golden="$SHARED/golden/facebook"

# The IBTCI Facebook config, local token files, a local UUID table pre-seeded with the golden's uids.
ibtci_config facebook ibtci.json
jq '.UuidTable.FileURL = "uuids.table" | .RawDataSources |= map(.TokenFileURL = "token-\(.PageID).txt")' \
	ibtci.json >base.json
for p in $(jq -r '.RawDataSources[].PageID' base.json); do
	echo "page-token-$p-s3cr3t" >"token-$p.txt" && chmod 600 "token-$p.txt"
done
printf '{"data": "u1", "uuid": "avf-facebook-uuid-u1"}\n{"data": "u2", "uuid": "avf-facebook-uuid-u2"}\n' >uuids.table
chmod 600 uuids.table

python3 "$T_DIR/fake/graph_golden.py" base.json "$golden/Raw Data" data.json fetch0.json
start_fake graph --data data.json

test_expect_success 'the fake serves the comments the reference converted' '
	graph_config fetch0.json fetch.json &&
	jq -r "[.pages[].posts[].comments[].id] | join(\" \")" data.json >actual &&
	echo "C1 C2 C3" >expect &&
	test_cmp expect actual
'

test_expect_success 'fb-fetch writes the 47 TracedData files of the reference' '
	fb-fetch -c fetch.json -r "root/Raw Data" -d "root/Engagement Metrics" 2>err &&
	test_cmp /dev/null err &&
	(cd "$golden/Raw Data" && ls) >expect &&
	(cd "root/Raw Data" && ls | grep -v "_raw.json$" | grep -v "_comments_log.jsonl$") >actual &&
	test_cmp expect actual
'

# The golden with its raw ids replaced by their uids, as fb-fetch de-identifies .from and .parent.from.
deidentified() {
	td-cat --flat "$1" | jq -cS 'with_entries(
		if (.key | endswith(".from")) then .value.id = "avf-facebook-uuid-" + .value.id
		elif (.key | endswith(".parent")) and (.value.from != null) then
			.value.from.id = "avf-facebook-uuid-" + .value.from.id
		else . end)'
}

test_expect_success 'every record matches the reference'"'"'s conversion key by key' '
	for f in "$golden/Raw Data"/*.jsonl; do
		deidentified "$f" >expect &&
		td-cat --flat "root/Raw Data/${f##*/}" | jq -cS . >actual &&
		test_cmp expect actual || exit 1
	done &&
	test "$(cat "root/Raw Data"/*.jsonl | grep -c avf_facebook_id)" = 3
'

test_expect_success 'the records are CoreDataModules TracedData with verified SHAs' '
	td-cat --verify -q "root/Raw Data"/facebook_s08e0[12]_*.jsonl
'

test_expect_success 'stage 3 on the fetched data reproduces the golden CSVs, ICR samples and Coda files' '
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
	done &&
	(cd "$golden/Outputs/ICR" && ls) >expect && (cd root/Outputs/ICR && ls) >actual && test_cmp expect actual &&
	(cd "$golden/Outputs/Coda Files" && ls) >expect && (cd "root/Outputs/Coda Files" && ls) >actual &&
	test_cmp expect actual
'

test_expect_success 'no raw Facebook user id anywhere under the data root' '
	! grep -rlE "\"u[12]\"" root &&
	grep -l "avf-facebook-uuid-u2" "root/Raw Data/facebook_s08e01_1584334095169246_raw.json" \
		"root/Raw Data/P1_comments_log.jsonl" &&
	! grep -rl "s3cr3t" root
'

test_expect_success 'the metrics CSV has the reference'"'"'s header and one row per post' '
	head -1 "$golden/Outputs/Automated Analysis/facebook_metrics.csv" >expect &&
	head -1 "root/Engagement Metrics/facebook_metrics.csv" >actual &&
	test_cmp expect actual &&
	jq "[.pages[].posts[]] | length" data.json >expect &&
	sed 1d "root/Engagement Metrics/facebook_metrics.csv" | wc -l | tr -d " " >actual &&
	test_cmp expect actual &&
	grep "^1584334095169246,facebook_s08e01,facebook.com/P1,2020-10-02T09:00:00+0000,Post 1 #Hage,photo,100,50,10,2,2,2$" \
		"root/Engagement Metrics/facebook_metrics.csv"
'

test_done
