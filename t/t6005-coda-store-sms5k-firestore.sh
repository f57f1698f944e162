#!/bin/sh
# The sms-5k round trip of t6003 against the Firestore fake: stage 4 adds the golden Coda files, coders label
# them, stage 1 downloads them, stage 3 on them gives the reference's CSVs.
. "$(dirname "$0")/test-lib.sh"
require_shared
require_prog jq
require_prog python3
require_prog openssl

G=$SHARED/golden/sms-5k
stage1="$TOP/scripts/1_coda_get.sh"
stage3="$TOP/scripts/3_generate_outputs.sh"
stage4="$TOP/scripts/4_coda_add.sh"
ibtci_config sms sms.json

export TDTOOLS_RETRY_BASE_MS=1
start_oauth_fake
start_fake firestore --tokens-file "$FAKE_TOKENS"
export FIRESTORE_EMULATOR_HOST=127.0.0.1:$FAKE_PORT
STORE=$GOOGLE_KEY
LABEL_STORE=$FAKE_URL
# the store's documents with their update times: any write changes it
store_snapshot() {
	python3 -c 'import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/_state"))
for k, v in sorted(s["documents"].items()):
    print(k, v["updateTime"])' "$FAKE_URL"
}
. "$T_DIR/lib-coda-sms5k.sh"

test_done
