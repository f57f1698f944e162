#!/bin/sh
# rp-fetch under faults: 429 + Retry-After, 500/503, resets, truncated bodies and slow replies lose or duplicate
# no run; a fetch killed at any point and run again gives the files of one full fetch; a refused token is 77 and
# the token is printed nowhere.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog python3
. "$T_DIR/lib/rp-setup.sh"

export TDTOOLS_RETRY_BASE_MS=1

rp_golden_fake --page-size 7
rp_config cfg.json "$FAKE_URL"
rp_phones phones.txt

test_expect_success 'every kind of transient fault: the same records as a clean fetch' '
	fake_faults "[
		{\"path\": \"^/api/v2/org.json\", \"kind\": 429, \"retry_after\": \"1\", \"count\": 2},
		{\"path\": \"^/api/v2/contacts.json$\", \"kind\": \"reset\"},
		{\"path\": \"^/api/v2/flows.json\", \"kind\": \"reset\"},
		{\"path\": \"runs.json[?]cursor\", \"kind\": 503, \"count\": 2},
		{\"path\": \"runs.json[?]flow=27e4\", \"kind\": 500},
		{\"path\": \"^/archives/\", \"kind\": \"truncate\", \"count\": 2},
		{\"path\": \"runs.json[?]flow=91d5\", \"kind\": \"truncate\"},
		{\"path\": \"contacts.json[?]cursor\", \"kind\": \"slow\", \"seconds\": 1}
	]" &&
	rp-fetch -q -c cfg.json -r "root/Raw Data" &&
	rp_compare "root/Raw Data" &&
	jq -r "select(.fault != null) | .fault" "$FAKE_LOG" | sort | uniq -c | sed "s/^ *//" >actual &&
	cat >expect <<-\EOT &&
	2 429
	1 500
	2 503
	2 reset
	1 slow
	3 truncate
	EOT
	test_cmp expect actual
'

test_expect_success 'the logs hold each run once' '
	jq -c length "root/Raw Data/csap_s08e03_activation_log.jsonl" "root/Raw Data/csap_s08e04_activation_log.jsonl" \
		"root/Raw Data/csap_s07_demog_log.jsonl" | paste -sd " " >actual &&
	echo "24 12 10" >expect && test_cmp expect actual
'

test_expect_success 'a server that stays down: 69, the message, nothing of that flow written' '
	fake_faults "[{\"path\": \"runs.json[?]flow=21ba\", \"kind\": 503, \"count\": 100}]" &&
	expect_code 69 rp-fetch -q -c cfg.json -r "down/Raw Data" 2>err.raw &&
	sed "s/127.0.0.1:[0-9]*/127.0.0.1:PORT/" err.raw >err &&
	echo "rp-fetch: GET http://127.0.0.1:PORT/api/v2/runs.json?flow=21bade02-6a6a-4768-b2ed-66ffdcc99396: HTTP 503 Service Unavailable (injected fault) (gave up after 5 tries)" >expect &&
	test_cmp expect err &&
	(cd "down/Raw Data" && ls) >actual &&
	echo "AVF Demo Workspace_contacts_log.jsonl" >expect && test_cmp expect actual
'

test_expect_success 'run again once the server is back: the full records' '
	fake_faults "[]" &&
	rp-fetch -q -c cfg.json -r "down/Raw Data" &&
	rp_compare "down/Raw Data"
'

# kill_at NAME RULE WAIT-FOR: start a fetch into NAME/, hold it in a slow reply matched by RULE, wait until the
# file WAIT-FOR exists and the fake has answered the request before, then kill -9 it.
kill_at() {
	fake_faults "[$2]" &&
	{ rp-fetch -q -c cfg.json -r "$1/Raw Data" 2>/dev/null & } &&
	pid=$! &&
	n=0 &&
	while [ ! -e "$3" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done &&
	sleep 1 &&
	kill -9 $pid && { wait $pid; true; } &&
	fake_faults "[]"
}

test_expect_success 'killed while downloading the first archive, then resumed: the full records' '
	kill_at k1 "{\"path\": \"^/archives/\", \"kind\": \"slow\", \"seconds\": 60}" \
		"k1/Raw Data/AVF Demo Workspace_contacts_log.jsonl" &&
	test ! -e "k1/Raw Data/csap_s08e03_activation.jsonl" &&
	rp-fetch -q -c cfg.json -r "k1/Raw Data" &&
	rp_compare "k1/Raw Data"
'

test_expect_success 'killed in the middle of a flow'"'"'s pages, then resumed: the full records' '
	kill_at k2 "{\"path\": \"runs.json[?]cursor=.*flow=21ba\", \"kind\": \"slow\", \"seconds\": 60, \"skip\": 1}" \
		"k2/Raw Data/AVF Demo Workspace_contacts_log.jsonl" &&
	test ! -e "k2/Raw Data/csap_s08e03_activation.jsonl" &&
	rp-fetch -q -c cfg.json -r "k2/Raw Data" &&
	rp_compare "k2/Raw Data"
'

test_expect_success 'killed after the first flow was written, then resumed: the same records (UTC)' '
	kill_at k3 "{\"path\": \"runs.json[?]flow=27e4\", \"kind\": \"slow\", \"seconds\": 60}" \
		"k3/Raw Data/csap_s08e03_activation_raw.json" &&
	test ! -e "k3/Raw Data/csap_s08e04_activation.jsonl" &&
	rp-fetch -q -c cfg.json -r "k3/Raw Data" &&
	rp_compare --utc "k3/Raw Data" &&
	jq -c length "k3/Raw Data/csap_s08e03_activation_log.jsonl" | paste -sd " " >actual &&
	echo "24 0" >expect && test_cmp expect actual
'

test_expect_success 'killed while writing the first flow (a leftover temporary file): resumed, the leftover is gone' '
	mkdir -p "k4/Raw Data" &&
	echo "[partial" >"k4/Raw Data/.csap_s08e03_activation.jsonl.tmp.AbC123" &&
	rp-fetch -q -c cfg.json -r "k4/Raw Data" &&
	rp_compare "k4/Raw Data" &&
	(cd "k4/Raw Data" && ls -A) | grep -c "^\." >actual;
	echo 0 >expect && test_cmp expect actual
'

test_expect_success 'no phone number under any of these data roots' '
	! grep -r -F -f phones.txt root down k1 k2 k3 k4
'

test_expect_success 'a refused token: 77, a clear message, the token nowhere' '
	echo 0000000000000000000000000000000000000bad >token.txt &&
	expect_code 77 rp-fetch -c cfg.json -r "bad/Raw Data" >out 2>err.raw &&
	sed "s/127.0.0.1:[0-9]*/127.0.0.1:PORT/" err.raw >err &&
	echo "rp-fetch: GET http://127.0.0.1:PORT/api/v2/org.json: HTTP 401: the Rapid Pro server refused the token (check TokenFileURL)" >expect &&
	test_cmp expect err &&
	test_cmp /dev/null out &&
	! grep -r -F 0000000000000000000000000000000000000bad out err.raw bad &&
	! grep -r -F -f "$RP/token.txt" out err.raw root bad
'

test_expect_success 'and with -v (every request and retry printed): the token still nowhere' '
	fake_faults "[{\"path\": \"org.json\", \"kind\": 503}]" &&
	cp "$RP/token.txt" token.txt &&
	rp-fetch -v -c cfg.json -r "verbose/Raw Data" >out 2>err &&
	grep -c "^rp-fetch: GET " err >/dev/null &&
	grep "HTTP 503" err >/dev/null &&
	! grep -r -F -f "$RP/token.txt" out err verbose
'

test_done
