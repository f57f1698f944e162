#!/bin/sh
# td-cat on the reference's own files: CoreDataModules' JSONL fixtures and the golden pipeline outputs
# (../shared) verify, come out byte for byte, and have the latest values CoreDataModules computes.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq

FIX=$SHARED/cdm-fixtures
GOLD=$SHARED/golden

test_expect_success 'json_export_expected.json: --verify re-emits it byte for byte' '
	td-cat --verify "$FIX/json_export_expected.json" >actual &&
	test_cmp "$FIX/json_export_expected.json" actual
'

test_expect_success 'flush_history_expected_history.jsonl: --verify re-emits it byte for byte' '
	td-cat --verify "$FIX/flush_history_expected_history.jsonl" >actual &&
	test_cmp "$FIX/flush_history_expected_history.jsonl" actual
'

test_expect_success 'json_export_expected.json from standard input, with --traced' '
	td-cat --verify --traced - <"$FIX/json_export_expected.json" >actual &&
	test_cmp "$FIX/json_export_expected.json" actual
'

for f in "$GOLD/sms/Raw Data/"*.jsonl "$GOLD/sms/Outputs/"*.jsonl; do
	test_expect_success "golden sms/${f#$GOLD/sms/} verifies and comes out byte for byte" '
		td-cat --verify "$f" >actual &&
		test_cmp "$f" actual
	'
done

test_expect_large 'golden sms-5k and facebook raw data verify' '
	for f in "$GOLD/sms-5k/Raw Data/"*.jsonl "$GOLD/facebook/Raw Data/"*.jsonl; do
		td-cat --verify -q "$f" || { echo "$f does not verify" >&2; return 1; }
	done
'

test_expect_success 'golden outputs: --flat never prints the tombstone' '
	td-cat --flat "$GOLD/sms/Outputs/"*.jsonl >actual &&
	test -s actual &&
	! grep -q HIDDEN-VALUE actual
'

# For each golden file that has records: the SHA-256 of its records' latest keys in order ("|"-joined, one
# line per record), and of their latest values (jq -cS), as CoreDataModules v0.15.2 computes them:
#   d = dict(TracedData.deserialize(json.loads(line)).items())
#   "|".join(d.keys())    and    json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
while IFS='	' read -r name keys values; do
	test_expect_success "golden sms/$name: --flat keys in CoreDataModules' order" '
		td-cat --flat "$GOLD/sms/$name" </dev/null | jq -r "keys_unsorted | join(\"|\")" | sha256sum >actual &&
		echo "$keys  -" >expect &&
		test_cmp expect actual
	'
	test_expect_success "golden sms/$name: --flat values as CoreDataModules' latest view" '
		td-cat --flat "$GOLD/sms/$name" </dev/null | jq -cS . | sha256sum >actual &&
		echo "$values  -" >expect &&
		test_cmp expect actual
	'
done <<TABLE_END
Raw Data/csap_demog.jsonl	8dd21ab28704977b228effe9fe12bc88acbcd026bebd92ab08820fe7dab557d3	96dd0ef28ac89b3e2272ba5e2ae63be1063730c572fc1255e1b89e59b23a1418
Raw Data/csap_s08_demog.jsonl	a49e4d5e884f4ec50e745c3dbb790b0a546d765ba14f1e422878e95540e54e9a	b8aa9b46a3efa5b3f5520dcb880382586d22ebe7604320aff9556dd51e573eb1
Raw Data/csap_s08_evaluation.jsonl	5703911729dd0cdcaee8bde22a899cc0b253bcf37ce969694039704c450d88fe	ddca96da78b56bbc3bd47bbdd97dbf69fb7ab156538c4f169a565b3404f64d92
Raw Data/csap_s08e01_activation.jsonl	e9ee0bcd2c0d034e8362421b945abfe4c8c8c4339e54109b7df41f9249aa5588	e7815aa118c775213a8e520434ddcab3afb91517a4b0e83d07cf5ca7e9a04979
Raw Data/csap_s08e02_activation.jsonl	9f84acaf0f5b4febbad2b58d64539e7666c59c69aecd26507d5568a181d11daa	716773efda91883132012661a851944da9c6653dbafceb512de80998fe8e8776
Raw Data/csap_s08e04_activation.jsonl	71ae002f06cf6f20cb4c3846c7a3d93414498bd80408cbcac80659ec86a1cb1e	6f1951e5bf8c48c48ce017085aae4b50ac45b8fefaaa072ad48793112ecb3675
Outputs/individuals_traced_data.jsonl	502edba964a8ccf43ff2f867ff6ef86f5dd03a1b0018b1fb1c2f8aecf54cac1b	b93f6fe55f4c2e4f8c1d5034b93b04f9a9c81a06d77b4e5d16615cfa41ffe25d
Outputs/messages_traced_data.jsonl	871fc9f7351d8f576850b6fa4bdc384ea97c5e48df89707f099804e68b1e6a0c	8cb08172e433fa6fc1b3e1bb864f297feb7f412ed250b1f6e018d394965e6525
TABLE_END

# The Rapid Pro golden: expected/ holds json.dumps(dict(td.items()), sort_keys=True) of the reference's TD files.
for flow in csap_s07_demog csap_s08e03_activation csap_s08e04_activation; do
	test_expect_success "rapidpro $flow (full): --verify --flat gives the reference's latest values" '
		gzip -dc "$GOLD/rapidpro/reference/full/Raw Data/$flow.jsonl.gz" | td-cat --verify --flat >flat &&
		jq -cS . flat >actual &&
		jq -cS . "$GOLD/rapidpro/expected/$flow.jsonl" >expect &&
		test_cmp expect actual
	'
	test_expect_success "rapidpro $flow (incremental): --verify --flat gives the reference's latest values" '
		gzip -dc "$GOLD/rapidpro/reference/incremental-2/Raw Data/$flow.jsonl.gz" | td-cat --verify --flat >flat &&
		jq -cS . flat >actual &&
		jq -cS . "$GOLD/rapidpro/expected/incremental/$flow.jsonl" >expect &&
		test_cmp expect actual
	'
done

test_done
