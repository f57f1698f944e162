#!/bin/sh
# The round trip on sms-5k through the stage scripts: stage 4 adds the golden Outputs/Coda Files to a fresh
# dir: store, coders label it (the golden Coded Coda Files' labels), stage 1 downloads the coded files, and
# stage 3 on them (coda-merge applying the labels) gives the reference's CSVs byte for byte.
. "$(dirname "$0")/test-lib.sh"
require_shared
require_prog jq
require_prog python3

G=$SHARED/golden/sms-5k
stage1="$TOP/scripts/1_coda_get.sh"
stage3="$TOP/scripts/3_generate_outputs.sh"
stage4="$TOP/scripts/4_coda_add.sh"
ibtci_config sms sms.json

STORE=dir:store
LABEL_STORE=store
store_snapshot() { (cd store && find . -type f -print | LC_ALL=C sort | xargs cksum); }
. "$T_DIR/lib-coda-sms5k.sh"

test_done
