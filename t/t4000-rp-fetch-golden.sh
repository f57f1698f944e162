#!/bin/sh
# rp-fetch against the Rapid Pro fake serving the golden workspace: the reference's latest values key by key
# (golden/rapidpro/README.md), its requests, its incremental behaviour, its caches without phone numbers.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog python3
. "$T_DIR/lib/rp-setup.sh"

export TDTOOLS_RETRY_BASE_MS=1

rp_golden_fake --page-size 7
rp_config cfg.json "$FAKE_URL"
rp_phones phones.txt

test_expect_success 'the golden workspace has 14 phone numbers' '
	test $(wc -l <phones.txt) = 14
'

test_expect_success 'a full fetch gives the reference latest values, record by record' '
	rp-fetch -c cfg.json -r "root/Raw Data" 2>err &&
	rp_compare "root/Raw Data"
'

test_expect_success 'the warnings name the skipped runs' '
	cat >expect <<-\EOT &&
	rp-fetch: csap_s08e03_activation: run 964707466: contact d4ed2d92-7207-41f8-ad45-7981bc951b69 has no URN: skipped
	rp-fetch: csap_s08e04_activation: run 964710558: contact 4f7a192f-6f25-46c0-afd3-fcb4adeb8b92 is not in the workspace'"'"'s contacts (created after the contacts were fetched?): skipped
	rp-fetch: csap_s07_demog: run 964716730: contact d4ed2d92-7207-41f8-ad45-7981bc951b69 has no URN: skipped
	EOT
	test_cmp expect err
'

test_expect_success 'the files of pipeline.md §2.6, and nothing else' '
	(cd "root/Raw Data" && ls) >actual &&
	cat >expect <<-\EOT &&
	AVF Demo Workspace_contacts_log.jsonl
	AVF Demo Workspace_contacts_raw.json
	csap_s07_demog.jsonl
	csap_s07_demog_log.jsonl
	csap_s07_demog_raw.json
	csap_s08e03_activation.jsonl
	csap_s08e03_activation_log.jsonl
	csap_s08e03_activation_raw.json
	csap_s08e04_activation.jsonl
	csap_s08e04_activation_log.jsonl
	csap_s08e04_activation_raw.json
	EOT
	test_cmp expect actual
'

test_expect_success 'every SHA verifies (CoreDataModules can load the files)' '
	td-cat --verify -q "root/Raw Data/csap_s08e03_activation.jsonl" "root/Raw Data/csap_s08e04_activation.jsonl" \
		"root/Raw Data/csap_s07_demog.jsonl"
'

test_expect_success 'activation records have two entries, survey records one' '
	jq -r length "root/Raw Data/csap_s08e03_activation.jsonl" | sort -u >a &&
	jq -r length "root/Raw Data/csap_s07_demog.jsonl" | sort -u >b &&
	echo 2 >expect && test_cmp expect a && echo 1 >expect && test_cmp expect b &&
	jq -r ".[0].Metadata.Source" "root/Raw Data/csap_s08e03_activation.jsonl" | sort -u >actual &&
	echo "rp-fetch 0.1.0" >expect && test_cmp expect actual
'

test_expect_success 'the requests are the reference'"'"'s (paged by 7), with the token only on the API' '
	jq -r "[.method, (.path | sub(\"cursor=[^&]*\"; \"cursor=C\") | sub(\"Signature=[0-9a-f]*\"; \"Signature=S\")), .status, (.auth // \"-\")] | @tsv" \
		"$FAKE_LOG" >actual &&
	cat >expect <<-\EOT &&
	GET	/api/v2/org.json	200	Token
	GET	/api/v2/contacts.json	200	Token
	GET	/api/v2/contacts.json?cursor=C	200	Token
	GET	/api/v2/contacts.json?cursor=C	200	Token
	GET	/api/v2/flows.json	200	Token
	GET	/api/v2/archives.json?archive_type=run	200	Token
	GET	/archives/run_2021-01-01_daily.jsonl.gz?X-Amz-Expires=86400&X-Amz-Signature=S	200	-
	GET	/archives/run_2020-12-01_monthly.jsonl.gz?X-Amz-Expires=86400&X-Amz-Signature=S	200	-
	GET	/api/v2/runs.json?flow=21bade02-6a6a-4768-b2ed-66ffdcc99396	200	Token
	GET	/api/v2/runs.json?cursor=C&flow=21bade02-6a6a-4768-b2ed-66ffdcc99396	200	Token
	GET	/api/v2/runs.json?cursor=C&flow=21bade02-6a6a-4768-b2ed-66ffdcc99396	200	Token
	GET	/api/v2/contacts.json?after=2021-01-15T10%3A20%3A30.405061Z	200	Token
	GET	/api/v2/archives.json?archive_type=run	200	Token
	GET	/archives/run_2021-01-01_daily.jsonl.gz?X-Amz-Expires=86400&X-Amz-Signature=S	200	-
	GET	/archives/run_2020-12-01_monthly.jsonl.gz?X-Amz-Expires=86400&X-Amz-Signature=S	200	-
	GET	/api/v2/runs.json?flow=27e47ffc-284a-4d4f-b81b-9a43d04ce50b	200	Token
	GET	/api/v2/runs.json?cursor=C&flow=27e47ffc-284a-4d4f-b81b-9a43d04ce50b	200	Token
	GET	/api/v2/contacts.json?after=2021-01-15T10%3A20%3A30.405061Z	200	Token
	GET	/api/v2/archives.json?archive_type=run	200	Token
	GET	/archives/run_2021-01-01_daily.jsonl.gz?X-Amz-Expires=86400&X-Amz-Signature=S	200	-
	GET	/archives/run_2020-12-01_monthly.jsonl.gz?X-Amz-Expires=86400&X-Amz-Signature=S	200	-
	GET	/api/v2/runs.json?flow=91d5d9ef-b044-4527-9d17-75a93cdba284	200	Token
	GET	/api/v2/runs.json?cursor=C&flow=91d5d9ef-b044-4527-9d17-75a93cdba284	200	Token
	GET	/api/v2/contacts.json?after=2021-01-15T10%3A20%3A30.405061Z	200	Token
	EOT
	test_cmp expect actual
'

test_expect_success 'no phone number of the workspace appears anywhere under the data root' '
	! grep -r -F -f phones.txt root
'

test_expect_success 'the contacts cache holds uids instead of URNs (tel and whatsapp share one)' '
	jq -r ".[].urns[]" "root/Raw Data/AVF Demo Workspace_contacts_raw.json" | sed "s/-[0-9a-f-]*$//" | sort | uniq -c >actual &&
	cat >expect <<-\EOT &&
	     13 tel:avf-phone-uuid
	      1 telegram:avf-phone-uuid
	      2 whatsapp:avf-phone-uuid
	EOT
	test_cmp expect actual &&
	jq -r ".[] | select(.uuid == \"84b4d75d-4c8e-4403-994c-05c1377700f8\") | .urns | length" \
		"root/Raw Data/AVF Demo Workspace_contacts_raw.json" >actual &&
	echo 2 >expect && test_cmp expect actual
'

test_expect_success 'the UUID table: outside the data root, mode 600, 14 numbers (the blocked contact too)' '
	test $(wc -l <secret/uuid-table.jsonl) = 14 &&
	test "$(stat -c %a secret/uuid-table.jsonl)" = 600 &&
	jq -r .data secret/uuid-table.jsonl | sort >actual && test_cmp phones.txt actual
'

test_expect_success 'the runs cache is temba'"'"'s serialisation: no URN, UTC times, start null for archived runs' '
	jq -r ".[0] | keys_unsorted | join(\" \")" "root/Raw Data/csap_s08e03_activation_raw.json" >actual &&
	echo "id flow contact start responded path values created_on modified_on exited_on exit_type" >expect &&
	test_cmp expect actual &&
	jq -r ".[0].contact | keys_unsorted | join(\" \")" "root/Raw Data/csap_s08e03_activation_raw.json" >actual &&
	echo "uuid name" >expect && test_cmp expect actual &&
	jq -r ".[] | .modified_on" "root/Raw Data/csap_s08e04_activation_raw.json" | grep -v "^....-..-..T..:..:..\.......Z$" >actual;
	test_cmp /dev/null actual &&
	jq -r ".[0].start" "root/Raw Data/csap_s08e03_activation_raw.json" >actual && echo null >expect && test_cmp expect actual
'

test_expect_success 'the logs: one line per fetch, the runs it got' '
	jq -c length "root/Raw Data/csap_s08e03_activation_log.jsonl" "root/Raw Data/csap_s08e04_activation_log.jsonl" \
		"root/Raw Data/csap_s07_demog_log.jsonl" >actual &&
	printf "24\n12\n10\n" >expect && test_cmp expect actual
'

test_expect_success 'a second fetch with nothing new keeps every record (times now read back in UTC)' '
	cp -R root root2 &&
	rp-fetch -q -c cfg.json -r "root2/Raw Data" &&
	rp_compare --utc "root2/Raw Data" &&
	jq -c length "root2/Raw Data/csap_s08e03_activation_log.jsonl" >actual &&
	printf "24\n0\n" >expect && test_cmp expect actual
'

test_expect_success 'a pre-seeded table gives the golden uids as they are' '
	mkdir seeded && rp_seed seeded/table.jsonl &&
	rp_config cfg-seeded.json "$FAKE_URL" "$TRASH/seeded/table.jsonl" &&
	rp-fetch -q -c cfg-seeded.json -r "seeded-root/Raw Data" &&
	python3 "$TOP/t/lib/rp-compare.py" --keep-ids "seeded-root/Raw Data" "$RP/expected" $RP_FLOWS &&
	test $(wc -l <seeded/table.jsonl) = 14
'

test_expect_success 'incremental: a fetch at the cut-off, then one of the final workspace, gives expected/incremental' '
	rp_config cfg-inc.json "$FAKE_URL" "$TRASH/secret/inc-table.jsonl" &&
	python3 -c "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + \"/_asof\", data=b\"{\\\"as_of\\\": \\\"2021-01-12T09:30:00.000000Z\\\"}\", method=\"POST\", headers={\"Content-Type\": \"application/json\"})).read()" "$FAKE_URL" &&
	rp-fetch -q -c cfg-inc.json -r "inc/Raw Data" &&
	wc -l <"inc/Raw Data/csap_s08e03_activation.jsonl" >n1 &&
	python3 -c "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + \"/_asof\", data=b\"{\\\"as_of\\\": null}\", method=\"POST\", headers={\"Content-Type\": \"application/json\"})).read()" "$FAKE_URL" &&
	rp-fetch -q -c cfg-inc.json -r "inc/Raw Data" &&
	echo 22 >expect && test_cmp expect n1 &&
	rp_compare "inc/Raw Data" "$RP/expected/incremental"
'

test_expect_success 'and as multisets in UTC it is the full fetch' '
	rp_compare --utc "inc/Raw Data"
'

test_expect_success 'the incremental logs: 23+2, 2+10 and 5+6 runs' '
	jq -c length "inc/Raw Data/csap_s08e03_activation_log.jsonl" "inc/Raw Data/csap_s08e04_activation_log.jsonl" \
		"inc/Raw Data/csap_s07_demog_log.jsonl" | paste -sd " " >actual &&
	echo "23 2 2 10 5 6" >expect && test_cmp expect actual
'

test_expect_success 'the second fetch asks for runs after the newest cached one + 1 µs, and no archives' '
	jq -r ".path" "$FAKE_LOG" | grep "after=2021-01-08T19%3A58%3A02.000010Z" >actual &&
	test $(wc -l <actual) = 1 &&
	jq -r ".path" "$FAKE_LOG" | grep -c "^/archives/" >actual &&
	echo 18 >expect && test_cmp expect actual
'

test_expect_success 'file:// Domain: the golden API directory read as pages gives the same records' '
	rp_config cfg-file.json "file://$RP/api" "$TRASH/secret/file-table.jsonl" &&
	rp-fetch -q -c cfg-file.json -r "fileroot/Raw Data" &&
	rp_compare "fileroot/Raw Data" &&
	! grep -r -F -f phones.txt fileroot
'

test_done
