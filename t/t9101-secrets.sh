#!/bin/sh
# No secret leaks: the offline pipeline (stages 2 to 6 and the upload tools) runs at -v against the loopback fakes
# with a known Rapid Pro token, a throw-away service-account key with a known private_key_id and the demo's known
# phone numbers; no output, log, error message, store document, uploaded object or backup member holds any of
# them (the fakes' request logs, which legitimately receive the token, are not searched). A credential file
# readable by group or others draws a warning naming it; at mode 600 none.

. "$(dirname "$0")/test-lib.sh"

require_prog jq
require_prog python3
require_prog openssl

export TDTOOLS_RETRY_BASE_MS=1
unset GOOGLE_APPLICATION_CREDENTIALS
DEMO=$EXAMPLES/demo
TOKEN=tdtools-secret-token-7f3c9a41d2e8
KEYID=tdtools-secret-key-id-5b8e21c0

# The Rapid Pro fake serving the demo workspace (pages made into the fake's layout), with the known token.
mkdir ws && python3 - "$DEMO/rapidpro" ws <<'EOT'
import json, os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
shutil.copy(os.path.join(src, "org.json"), dst)
shutil.copy(os.path.join(src, "flows.json"), dst)
def pages(name):
    out = []
    while name:
        p = json.load(open(os.path.join(src, name), encoding="utf-8"))
        out += p["results"]
        name = p.get("next")
    return out
for what in ("runs", "contacts"):
    json.dump(pages(what + ".json"), open(os.path.join(dst, what + ".json"), "w", encoding="utf-8"),
              ensure_ascii=False)
EOT
printf '%s\n' "$TOKEN" >token.txt
chmod 600 token.txt
start_fake rapidpro --workspace "$TRASH/ws" --token-file "$TRASH/token.txt" --page-size 5
RP_URL=$FAKE_URL

# The Google fakes and the throw-away key, remade with the known private_key_id.
start_oauth_fake
jq --arg id "$KEYID" '.private_key_id = $id' "$GOOGLE_KEY" >key.tmp && mv key.tmp "$GOOGLE_KEY" && chmod 600 "$GOOGLE_KEY"
mkdir -p "$TRASH/gcs/bkt"
start_fake gcs --dir "$TRASH/gcs" --tokens-file "$FAKE_TOKENS"
export STORAGE_EMULATOR_HOST=$FAKE_URL
start_fake firestore --tokens-file "$FAKE_TOKENS" --state "$TRASH/fs-state.json" --start-time 2021-01-01T00:00:00Z
export FIRESTORE_EMULATOR_HOST=127.0.0.1:$FAKE_PORT

mkdir secret && cp "$DEMO/rapidpro/uuid-table.jsonl" secret/uuid-table.jsonl && chmod 600 secret/uuid-table.jsonl
jq --arg d "$RP_URL" --arg t "$TRASH/secret/uuid-table.jsonl" --arg tok "$TRASH/token.txt" --arg k "$GOOGLE_KEY" \
	--slurpfile test "$DEMO/rapidpro/test-contacts.json" \
	'.RawDataSources[0].Domain = $d | .RawDataSources[0].TokenFileURL = $tok
	 | .RawDataSources[0].TestContactUUIDs = $test[0] | .UuidTable.FileURL = $t
	 | .OperationsDashboard.FirebaseCredentialsFileURL = $k | .OperationsDashboard.FileURL = "logs/pipeline.jsonl"
	 | .CodingPlans = "'"$DEMO"'/plans.json" | .CodeSchemesDir = "'"$DEMO"'/schemes"' \
	"$DEMO/config.json" >config.json

# What must never appear: the token, every line of the key's base64 body, its id, and every phone number of
# the demo's contacts as +252..., 252... and the national number alone.
printf '%s\n' "$TOKEN" "$KEYID" >secrets
jq -r .private_key "$GOOGLE_KEY" | grep -v -e '^-----' -e '^$' >>secrets
jq -r '.results[].urns[]' "$DEMO/rapidpro/contacts.json" | sed 's/^tel://' | sort -u >phones
sed 's/^+//' phones >>phones.all && sed 's/^+252//' phones >>phones.all && cat phones >>phones.all
cat phones.all >>secrets

RUN=run-1
log() { mkdir -p logs-out && "$@" >>logs-out/stdout 2>>logs-out/stderr; }

test_expect_success 'setup: the secrets to look for' '
	test "$(wc -l <phones)" -ge 10 && grep -q "^+252610000001$" phones &&
	grep -q "^610000001$" phones.all && test "$(wc -l <secrets)" -ge 40
'

test_expect_success 'the whole offline pipeline at -v' '
	log pipeline-log -v -c config.json $RUN PipelineRunStart &&
	log "$TOP/scripts/2_fetch_raw_data.sh" -v demo - config.json root &&
	cp -R "$DEMO/Coded Coda Files" root/ &&
	log "$TOP/scripts/3_generate_outputs.sh" -v demo - config.json root &&
	log "$TOP/scripts/4_coda_add.sh" -v "dir:$TRASH/store" config.json root &&
	log coda-add -v -c config.json -d "root/Outputs/Coda Files" "$GOOGLE_KEY" &&
	log "$TOP/scripts/1_coda_get.sh" -v "dir:$TRASH/store" config.json root &&
	mkdir -p root/Analysis &&
	log td-analyse -c config.json -d root/Analysis root/Outputs/messages_traced_data.jsonl \
		root/Outputs/individuals_traced_data.jsonl &&
	log td-purge -v -c config.json --coda-store "dir:$TRASH/store" --phone-file phones root &&
	log td-backup -v root backup.tar.gz &&
	log blob-cp -v --credentials "$GOOGLE_KEY" backup.tar.gz gs://bkt/backups/backup.tar.gz &&
	log blob-cp -v --credentials "$GOOGLE_KEY" root/Outputs/production.csv gs://bkt/outputs/ &&
	log blob-cp -v --credentials "$GOOGLE_KEY" gs://bkt/outputs/production.csv production.back.csv &&
	log pipeline-log -v -c config.json $RUN PipelineRunEnd &&
	test -s root/Outputs/production.csv && test -s "root/Raw Data/demo_demog_raw.json" &&
	test -s logs-out/stderr && find gcs -type f | grep -q backup.tar.gz
'

test_expect_success 'the tools really ran against the fakes' '
	grep -q "\"auth\": \"Token\"" .fake/rapidpro.*.log &&
	grep -q -F -f secrets secret/uuid-table.jsonl "$GOOGLE_KEY" token.txt &&
	grep -q ":commit" .fake/firestore.*.log &&
	ls store/datasets | grep -q demo_rqa_e01
'

# Every file the tools wrote (the fakes' request logs aside), with the backup and uploaded archives extracted.
test_expect_success 'no secret in any output, log, store, upload or backup' '
	mkdir backup.x && tar -xzf backup.tar.gz -C backup.x &&
	for f in $(find gcs -type f -name "*.tar.gz"); do
		mkdir -p "up.x/$f" && tar -xzf "$f" -C "up.x/$f" || return 1
	done &&
	: >hits &&
	for d in root store backup.x up.x gcs logs logs-out fs-state.json production.back.csv; do
		test -e "$d" || continue
		grep -r -a -F -f secrets "$d" >>hits
	done
	test_cmp /dev/null hits
'

# A credential readable by group or others: a warning naming it; at 600 none.
test_expect_success 'a world-readable service-account key draws a warning; at 600 none' '
	chmod 644 "$GOOGLE_KEY" &&
	blob-cp --credentials "$GOOGLE_KEY" production.back.csv gs://bkt/w1.csv 2>err1 &&
	coda-add "$GOOGLE_KEY" W "root/Outputs/Coda Files/demo_rqa_e01.json" 2>err2 &&
	coda-get "$GOOGLE_KEY" W >/dev/null 2>err3 &&
	for i in 1 2 3; do
		grep "warning: $GOOGLE_KEY is readable by others (chmod 600)" err$i || { cat err$i; return 1; }
	done &&
	chmod 600 "$GOOGLE_KEY" &&
	blob-cp --credentials "$GOOGLE_KEY" production.back.csv gs://bkt/w2.csv 2>err1 &&
	coda-add "$GOOGLE_KEY" W "root/Outputs/Coda Files/demo_rqa_e01.json" 2>err2 &&
	coda-get "$GOOGLE_KEY" W >/dev/null 2>err3 &&
	test_cmp /dev/null err1 && test_cmp /dev/null err2 && test_cmp /dev/null err3
'

test_expect_success 'a group-readable Rapid Pro token file draws a warning; at 600 none' '
	chmod 640 token.txt &&
	rp-fetch -c config.json -r "root/Raw Data" 2>err &&
	grep "warning: $TRASH/token.txt is readable by others (chmod 600)" err &&
	! grep -F "$TOKEN" err &&
	chmod 600 token.txt &&
	rp-fetch -c config.json -r "root/Raw Data" 2>err &&
	! grep -e "readable by others" -e "$TOKEN" err
'

test_done
