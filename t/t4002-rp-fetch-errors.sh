#!/bin/sh
# rp-fetch: usage and configuration errors, a contact with two URNs (first URN + warning), a URN without digits,
# a Kenyan number (operator NC + warning), a UUID table inside the data root, a flow that does not exist.

. "$(dirname "$0")/test-lib.sh"

require_prog jq

mkdir ws secret
cat >ws/org.json <<'EOT'
{"name": "Tiny"}
EOT
cat >ws/flows.json <<'EOT'
[{"uuid": "f0000000-0000-4000-8000-000000000001", "name": "tiny_activation", "created_on": "2021-01-01T00:00:00Z"},
 {"uuid": "f0000000-0000-4000-8000-000000000002", "name": "twice", "created_on": "2021-01-01T00:00:00Z"},
 {"uuid": "f0000000-0000-4000-8000-000000000003", "name": "twice", "created_on": "2021-01-01T00:00:00Z"}]
EOT
cat >ws/contacts.json <<'EOT'
[{"uuid": "c1", "name": null, "urns": ["tel:+252611111111", "whatsapp:252622222222"], "modified_on": "2021-01-01T00:00:00Z"},
 {"uuid": "c2", "name": null, "urns": ["twitter:jack"], "modified_on": "2021-01-01T00:00:01Z"},
 {"uuid": "c3", "name": null, "urns": ["tel:+254700000000"], "modified_on": "2021-01-01T00:00:02Z"}]
EOT
run() {
	printf '{"id": %s, "flow": {"uuid": "f0000000-0000-4000-8000-000000000001", "name": "tiny_activation"}, "contact": {"uuid": "%s"}, "values": {"rqa": {"value": "v", "category": "c", "time": "2021-01-02T00:00:00Z", "input": "%s", "name": "RQA"}}, "created_on": "2021-01-02T00:00:00Z", "modified_on": "%s", "exited_on": null, "exit_type": null}' "$@"
}
{ echo '{"next": "runs-2.json", "results": ['; run 3 c3 three 2021-01-02T00:00:03Z; echo ','; run 2 c2 two 2021-01-02T00:00:02Z; echo ']}'; } >ws/runs.json
{ echo '{"next": null, "results": ['; run 1 c1 one 2021-01-02T00:00:01Z; echo ','; run 4 c1 four 2021-01-02T00:00:04.5Z; echo ']}'; } >ws/runs-2.json
echo t0k3n >token.txt
cat >config.json <<EOT
{
  "PipelineName": "USAID-IBTCI-SMS",
  "RawDataSources": [{"SourceType": "RapidPro", "Domain": "file://$TRASH/ws", "TokenFileURL": "token.txt",
    "ActivationFlowNames": ["tiny_activation"], "SurveyFlowNames": [], "TestContactUUIDs": []}],
  "UuidTable": {"FileURL": "secret/table.jsonl", "UuidPrefix": "avf-phone-uuid-"},
  "OperationsDashboard": {"FirebaseCredentialsFileURL": "gs://x/y.json"},
  "SourceKeyRemappings": [],
  "ProjectStartDate": "2020-01-01T00:00:00+03:00", "ProjectEndDate": "2100-01-01T00:00:00+03:00",
  "FilterTestMessages": true, "MoveWSMessages": false,
  "AutomatedAnalysis": {"GenerateRegionThemeDistributionMaps": false, "GenerateDistrictThemeDistributionMaps": false,
    "GenerateMogadishuThemeDistributionMaps": false},
  "MemoryProfileUploadBucket": "gs://a", "DataArchiveUploadBucket": "gs://b", "BucketDirPath": "x/"
}
EOT

test_expect_success 'usage: 64' '
	{ rp-fetch -c config.json 2>err; test $? = 64; } &&
	echo "usage: rp-fetch [-qv] -c CONFIG -r RAW-DATA-DIR [-u USER] [--credentials FILE]" >expect &&
	test_cmp expect err
'

test_expect_success 'a missing configuration: 66' '
	{ rp-fetch -c nope.json -r raw 2>err; test $? = 66; }
'

test_expect_success 'two URNs: the first one and a warning; no digits: skipped; Kenya: NC' '
	rp-fetch -c config.json -r "root/Raw Data" 2>err &&
	cat >expect <<-\EOT &&
	rp-fetch: tiny_activation: contact c1 has 2 URNs: the first one (tel) is used
	rp-fetch: tiny_activation: run 2: contact c2 has no URN with digits: skipped
	rp-fetch: tiny_activation: run 3: operator '"'"'kenyan telephone'"'"' is not in the Somalia operator scheme: labelled NC
	EOT
	test_cmp expect err
'

test_expect_success 'the records: run ids 1, 3, 4 in modified order, operators, the first URN'"'"'s uid' '
	jq -r "[.[1].Data[\"run_id - tiny_activation\"], .[1].Data.urn_type, .[0].Data.operator_raw, .[0].Data.operator_coded.CodeID, .[1].Data[\"Rqa (Time) - tiny_activation\"]] | @tsv" \
		"root/Raw Data/tiny_activation.jsonl" >actual &&
	printf "1\ttel\t25261\tcode-c7b32481\t2021-01-02T00:00:00+00:00\n3\ttel\t25470\tcode-NC-42f1d983\t2021-01-02T00:00:00+00:00\n4\ttel\t25261\tcode-c7b32481\t2021-01-02T00:00:00+00:00\n" >expect &&
	test_cmp expect actual &&
	uid=$(jq -r "select(.data == \"252611111111\") | .uuid" secret/table.jsonl) &&
	jq -r ".[1].Data.avf_phone_id" "root/Raw Data/tiny_activation.jsonl" | sed -n 1p >actual &&
	echo "$uid" >expect && test_cmp expect actual
'

test_expect_success 'an incremental fetch of the file workspace: only runs after the newest one + 1 µs' '
	rp-fetch -q -c config.json -r "root/Raw Data" &&
	jq -c length "root/Raw Data/tiny_activation_log.jsonl" | paste -sd " " >actual &&
	echo "4 0" >expect && test_cmp expect actual
'

test_expect_success 'no UuidTable.FileURL: the Firestore table, whose key needs credentials: 77' '
	jq "del(.UuidTable.FileURL) | .UuidTable.TableName = \"ADSS\" | .UuidTable.FirebaseCredentialsFileURL = \"gs://a/b.json\"" config.json >nofile.json &&
	{ env -u FIRESTORE_EMULATOR_HOST rp-fetch -c nofile.json -r raw 2>err; test $? = 77; } &&
	echo "rp-fetch: UuidTable.FirebaseCredentialsFileURL: gs://a/b.json: a gs:// URL needs credentials (a Google service-account file)" >expect &&
	test_cmp expect err
'

test_expect_success 'a UUID table inside the data root: 78' '
	jq ".UuidTable.FileURL = \"root/uuid.jsonl\"" config.json >inside.json &&
	{ rp-fetch -c inside.json -r "root/Raw Data" 2>err; test $? = 78; } &&
	echo "rp-fetch: inside.json: UuidTable.FileURL root/uuid.jsonl lies inside the data root (expected a file outside it, so that backups hold no phone numbers)" >expect &&
	test_cmp expect err
'

test_expect_success 'a flow that is not in the workspace, or twice: 78' '
	jq ".RawDataSources[0].SurveyFlowNames = [\"nope\"]" config.json >noflow.json &&
	{ rp-fetch -q -c noflow.json -r "r2/Raw Data" 2>err; test $? = 78; } &&
	echo "rp-fetch: noflow.json: flow nope: no such flow in workspace '"'"'Tiny'"'"' (expected exactly one flow of that name)" >expect &&
	test_cmp expect err &&
	jq ".RawDataSources[0].SurveyFlowNames = [\"twice\"]" config.json >twice.json &&
	{ rp-fetch -q -c twice.json -r "r3/Raw Data" 2>err; test $? = 78; } &&
	grep "flow twice: several flows have that name" err
'

test_expect_success 'a directory of pages needs no token; a server does: empty 78, missing 66' '
	rm token.txt &&
	rp-fetch -q -c config.json -r "r6/Raw Data" &&
	jq ".RawDataSources[0].Domain = \"http://127.0.0.1:9\"" config.json >http.json &&
	: >token.txt &&
	{ rp-fetch -q -c http.json -r "r4/Raw Data" 2>err; test $? = 78; } &&
	rm token.txt &&
	{ rp-fetch -q -c http.json -r "r4/Raw Data" 2>err; test $? = 66; } &&
	echo "rp-fetch: TokenFileURL: token.txt: No such file or directory" >expect && test_cmp expect err
'

test_expect_success 'a UUID table readable by others: 77' '
	echo t0k3n >token.txt && chmod 644 secret/table.jsonl &&
	{ rp-fetch -q -c config.json -r "r5/Raw Data" 2>err; test $? = 77; } &&
	grep "the UUID table is readable by others (mode 644; expected 600: chmod 600)" err
'

test_done
