#!/bin/sh
# The demo workspace (examples/demo/rapidpro/, made by examples/demo/make-rapidpro.py): fetched with rp-fetch
# through a file:// Domain, it gives back examples/demo/Raw Data (every key of every record, same order), and the
# stage 2 script runs it.

. "$(dirname "$0")/test-lib.sh"

require_prog jq
require_prog python3

DEMO=$EXAMPLES/demo
mkdir secret && cp "$DEMO/rapidpro/uuid-table.jsonl" secret/uuid-table.jsonl && chmod 600 secret/uuid-table.jsonl
echo demo-token >token.txt
jq --arg d "file://$DEMO/rapidpro" --arg t "$TRASH/secret/uuid-table.jsonl" --arg tok "$TRASH/token.txt" \
	--slurpfile test "$DEMO/rapidpro/test-contacts.json" \
	'.RawDataSources[0].Domain = $d | .RawDataSources[0].TokenFileURL = $tok
	 | .RawDataSources[0].TestContactUUIDs = $test[0] | .UuidTable.FileURL = $t
	 | .CodingPlans = "'"$DEMO"'/plans.json" | .CodeSchemesDir = "'"$DEMO"'/schemes"' \
	"$DEMO/config.json" >config.json

cat >subset.py <<'EOT'
import json, sys
def latest(line):
    d = {}
    for entry in reversed(json.loads(line)):
        d.update(entry["Data"])
    return d
bad = 0
for flow in sys.argv[3:]:
    ours = [latest(l) for l in open("%s/%s.jsonl" % (sys.argv[1], flow), encoding="utf-8")]
    demo = [latest(l) for l in open("%s/%s.jsonl" % (sys.argv[2], flow), encoding="utf-8")]
    if len(ours) != len(demo):
        print(flow, len(ours), "records, expected", len(demo)); bad = 1; continue
    for i, (a, b) in enumerate(zip(ours, demo)):
        for k, v in b.items():
            if a.get(k, "MISSING") != v:
                print(flow, "line", i + 1, k, a.get(k, "MISSING"), "expected", v); bad = 1
sys.exit(bad)
EOT

test_expect_success 'the pages are what make-rapidpro.py makes from the demo Raw Data' '
	cp -R "$DEMO" demo-copy && python3 demo-copy/make-rapidpro.py &&
	diff -r "$DEMO/rapidpro" demo-copy/rapidpro
'

test_expect_success 'rp-fetch on the demo workspace gives back the demo Raw Data' '
	rp-fetch -c config.json -r "root/Raw Data" &&
	python3 subset.py "root/Raw Data" "$DEMO/Raw Data" demo_e01_activation demo_e02_activation demo_demog
'

test_expect_success 'no made-up phone number in the data root, the table unchanged' '
	! grep -r 25261000 root &&
	test_cmp "$DEMO/rapidpro/uuid-table.jsonl" secret/uuid-table.jsonl
'

test_expect_success 'scripts/2_fetch_raw_data.sh runs the RapidPro source (credentials -)' '
	"$TOP/scripts/2_fetch_raw_data.sh" -q demo - config.json root2 &&
	(cd "root2/Raw Data" && ls) >actual &&
	cat >expect <<-\EOT &&
	demo_demog.jsonl
	demo_demog_log.jsonl
	demo_demog_raw.json
	demo_e01_activation.jsonl
	demo_e01_activation_log.jsonl
	demo_e01_activation_raw.json
	demo_e02_activation.jsonl
	demo_e02_activation_log.jsonl
	demo_e02_activation_raw.json
	tdtools demo workspace_contacts_log.jsonl
	tdtools demo workspace_contacts_raw.json
	EOT
	test_cmp expect actual &&
	python3 subset.py "root2/Raw Data" "$DEMO/Raw Data" demo_e01_activation demo_e02_activation demo_demog
'

test_expect_success 'and stage 3 runs on what it fetched' '
	"$TOP/scripts/3_generate_outputs.sh" -q demo - config.json root2 &&
	test -s root2/Outputs/production.csv
'

test_done
