#!/bin/sh
# rp-fetch with the Firestore UUID table (no UuidTable.FileURL): tables/<TableName>/mappings/<number> {"uuid"},
# read at start, new mappings created only (exists=false), an existing mapping kept; against the Firestore fake
# (FIRESTORE_EMULATOR_HOST) and the Rapid Pro fake on the golden workspace.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog python3
. "$T_DIR/lib/rp-setup.sh"

export TDTOOLS_RETRY_BASE_MS=1

cat >state.json <<'EOT'
{"documents": {"tables/ADSS/mappings/252613653268": {"fields": {"uuid": {"stringValue": "avf-phone-uuid-seeded-1"}},
  "createTime": "2020-01-01T00:00:00.000000Z", "updateTime": "2020-01-01T00:00:00.000000Z"}}}
EOT
start_fake firestore --token owner --state "$TRASH/state.json" --start-time 2021-01-01T00:00:00Z
export FIRESTORE_EMULATOR_HOST=127.0.0.1:$FAKE_PORT
FS_LOG=$FAKE_LOG
rp_golden_fake
rp_config cfg0.json "$FAKE_URL"
jq 'del(.UuidTable.FileURL)' cfg0.json >cfg.json
rp_phones phones.txt

test_expect_success 'a fetch with the Firestore table gives the reference records' '
	rp-fetch -q -c cfg.json -r "root/Raw Data" &&
	rp_compare "root/Raw Data"
'

test_expect_success 'the table holds the 14 numbers, the seeded one with its uid, and the table doc' '
	jq -r ".documents | keys[] | select(startswith(\"tables/ADSS/mappings/\")) | sub(\".*/\"; \"\")" state.json | sort >actual &&
	test_cmp phones.txt actual &&
	jq -r ".documents[\"tables/ADSS/mappings/252613653268\"].fields.uuid.stringValue, .documents[\"tables/ADSS\"].fields.table_name.stringValue" state.json >actual &&
	printf "avf-phone-uuid-seeded-1\nADSS\n" >expect && test_cmp expect actual &&
	grep -q "avf-phone-uuid-seeded-1" "root/Raw Data/csap_s08e03_activation.jsonl"
'

test_expect_success 'new mappings are created only (exists=false), in one commit' '
	jq -r "select(.path | test(\":commit\")) | [.body.writes[] | if .currentDocument then (.currentDocument.exists | tostring) else \"none\" end] | group_by(.) | map(\"\(.[0])=\(length)\") | join(\" \")" "$FS_LOG" >actual &&
	echo "false=13 none=1" >expect && test_cmp expect actual
'

test_expect_success 'a second fetch makes no new mapping' '
	rp-fetch -q -c cfg.json -r "root/Raw Data" &&
	jq -r "select(.path | test(\":commit\")) | .path" "$FS_LOG" | wc -l >actual && echo 1 >expect && test_cmp expect actual
'

test_expect_success 'no phone number under the data root' '
	! grep -r -F -f phones.txt root
'

test_done
