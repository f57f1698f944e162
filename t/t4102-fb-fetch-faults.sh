#!/bin/sh
# fb-fetch when the Graph API misbehaves: Graph error objects are retried 3 times (as the reference), transport
# faults by the HTTP layer; then a clear error and exit code, the previous files untouched, the token never shown.
. "$(dirname "$0")/test-lib.sh"
require_shared
require_prog jq
require_prog python3

export TDTOOLS_RETRY_BASE_MS=1

ibtci_config facebook ibtci.json
jq '.UuidTable.FileURL = "uuids.table" | .RawDataSources = [{SourceType: "Facebook", PageID: "111",
	TokenFileURL: "token.txt", Datasets: [{Name: "fb_a", PostIDs: ["111_1"]}]}]' ibtci.json >base.json
echo "EAAB-page-token-s3cr3t" >token.txt && chmod 600 token.txt

# data.json: post 111_1 with 150 comments (two pages); KNOBS: extra fields for the post (graph.py test knobs)
make_data() {
	python3 - "$1" <<'PY'
import json, sys
post = {"id": "111_1", "message": "#Hage", "created_time": "2020-12-22T10:00:00+0000",
        "attachments": {"data": [{"type": "photo"}]},
        "insights": {"post_impressions": 1, "post_impressions_unique": 1, "post_engaged_users": 1,
                     "post_reactions_by_type_total": {"like": 1}},
        "comments": [{"created_time": "2020-12-22T11:00:00+0000", "from": {"id": str(30000000000000 + i)},
                      "message": "c%d" % i, "id": "111_1_c%d" % i} for i in range(150)]}
post.update(json.loads(sys.argv[1]))
json.dump({"pages": {"111": {"token": "EAAB-page-token-s3cr3t", "posts": [post]}}}, sys.stdout)
PY
}

make_data '{}' >data.json
start_fake graph --data data.json
URL1=$FAKE_URL LOG1=$FAKE_LOG
jq --arg u "$FAKE_URL/v8.0" '.RawDataSources[0].GraphAPIBaseURL = $u' base.json >fetch.json

# The fake with the knobs (a second instance: knobs live in its data)
make_data '{"_notjson": 2}' >notjson2.json
make_data '{"_notjson": 10}' >notjson10.json
make_data '{"_next": "elsewhere"}' >elsewhere.json
make_data '{"_next": "same"}' >same.json
start_fake graph --data notjson2.json
jq --arg u "$FAKE_URL/v8.0" '.RawDataSources[0].GraphAPIBaseURL = $u' base.json >notjson2.cfg
start_fake graph --data notjson10.json
jq --arg u "$FAKE_URL/v8.0" '.RawDataSources[0].GraphAPIBaseURL = $u' base.json >notjson10.cfg
start_fake graph --data elsewhere.json
ELSEWHERE_PORT=$FAKE_PORT
jq --arg u "$FAKE_URL/v8.0" '.RawDataSources[0].GraphAPIBaseURL = $u' base.json >elsewhere.cfg
start_fake graph --data same.json
jq --arg u "$FAKE_URL/v8.0" '.RawDataSources[0].GraphAPIBaseURL = $u' base.json >same.cfg
FAKE_URL=$URL1 FAKE_LOG=$LOG1

snapshot() {
	(cd root && find . -type f -exec cksum {} + | sort)
}

test_expect_success 'a clean run (the reference for every run below)' '
	fb-fetch -c fetch.json -r "root/Raw Data" -d root/metrics &&
	test "$(wc -l <"root/Raw Data/fb_a_111.jsonl")" = 150 &&
	cp "root/Raw Data/fb_a_111.jsonl" clean.jsonl &&
	cp root/metrics/facebook_metrics.csv clean.csv
'

# faulted_run NAME RULES: with those fault rules, fetch into root-NAME; the records must be the clean run's
faulted_run() {
	fake_faults "$2" &&
	cp uuids.table uuids.before &&
	fb-fetch -c fetch.json -r "root-$1" -d "root-$1" 2>"err-$1" &&
	test_cmp clean.jsonl "root-$1/fb_a_111.jsonl" &&
	test_cmp clean.csv "root-$1/facebook_metrics.csv" &&
	test_cmp uuids.before uuids.table
}

test_expect_success 'Graph error objects (HTTP 200, code 2) are retried' '
	: >"$FAKE_LOG" &&
	faulted_run graph "[{\"path\": \"/111_1/comments\", \"kind\": 200, \"count\": 3,
		\"body\": {\"error\": {\"code\": 2, \"message\": \"temporary\", \"is_transient\": true}}}]" &&
	test "$(grep -c "/111_1/comments?fields" "$FAKE_LOG")" = 5 &&
	test "$(grep -c "\"fault\": 200" "$FAKE_LOG")" = 3
'

test_expect_success 'at -v each retry is told, without the token' '
	fake_faults "[{\"path\": \"after=100\", \"kind\": 200, \"count\": 2,
		\"body\": {\"error\": {\"code\": 2, \"message\": \"temporary\"}}},
		{\"path\": \"fields=attachments$\", \"kind\": 503}]" &&
	fb-fetch -v -c fetch.json -r root-verbose 2>err &&
	test_cmp clean.jsonl root-verbose/fb_a_111.jsonl &&
	grep -v "HTTP 503" err >actual &&
	cat >expect <<-\EOF &&
	fb-fetch: GET /111_1/comments: Graph API error (HTTP 200, error 2: temporary); try 1 failed, again in 0.0 s
	fb-fetch: GET /111_1/comments: Graph API error (HTTP 200, error 2: temporary); try 2 failed, again in 0.0 s
	fb-fetch: 1 Facebook sources, 1 posts, 150 comments, 2 files, 0 metrics rows
	EOF
	test_cmp expect actual &&
	grep -c "HTTP 503.*try 1 failed" err &&
	! grep -E "s3cr3t|access_token" err
'

test_expect_success 'rate limiting (HTTP 400, code 4) on the second page is retried' '
	faulted_run rate "[{\"path\": \"after=100\", \"kind\": 400, \"body\": {\"error\": {\"code\": 4,
		\"message\": \"Application request limit reached\", \"type\": \"OAuthException\"}}}]"
'

test_expect_success 'HTTP 500 and 503, 429 with Retry-After, resets, truncated replies, slow replies' '
	faulted_run transport "[{\"path\": \"/111_1/comments\", \"kind\": 500, \"count\": 2},
		{\"path\": \"after=100\", \"kind\": 429, \"retry_after\": \"0\"},
		{\"path\": \"fields=attachments$\", \"kind\": \"reset\"},
		{\"path\": \"/insights\", \"kind\": \"truncate\"},
		{\"path\": \"summary\", \"kind\": 503},
		{\"path\": \"fields=attachments$\", \"kind\": \"slow\", \"seconds\": 0.2}]"
'

test_expect_success 'a reply that is not JSON is retried' '
	fb-fetch -c notjson2.cfg -r root-notjson &&
	test_cmp clean.jsonl root-notjson/fb_a_111.jsonl
'

snapshot >before

test_expect_success 'Graph errors that do not stop: 69 after 3 retries, nothing written' '
	fake_faults "[{\"path\": \"after=100\", \"kind\": 200, \"count\": 100,
		\"body\": {\"error\": {\"code\": 1, \"message\": \"An unknown error occurred\"}}}]" &&
	: >"$FAKE_LOG" &&
	{ fb-fetch -c fetch.json -r "root/Raw Data" -d root/metrics 2>err; test $? = 69; } &&
	echo "fb-fetch: GET /111_1/comments: Graph API error (HTTP 200, error 1: An unknown error occurred)" >expect &&
	test_cmp expect err &&
	test "$(grep -c "after=100" "$FAKE_LOG")" = 4 &&
	snapshot >after && test_cmp before after
'

test_expect_success 'HTTP 503 for ever: 69 once the retries are spent' '
	fake_faults "[{\"path\": \"fields=attachments$\", \"kind\": 503, \"count\": 1000}]" &&
	{ TDTOOLS_HTTP_TRIES=2 fb-fetch -c fetch.json -r "root/Raw Data" 2>err; test $? = 69; } &&
	echo "fb-fetch: GET /111_1: Graph API error (HTTP 503, error 503: injected fault)" >expect &&
	test_cmp expect err &&
	snapshot >after && test_cmp before after
'

test_expect_success 'a reply that is never JSON: 69' '
	{ fb-fetch -c notjson10.cfg -r "root/Raw Data" 2>err; test $? = 69; } &&
	grep "^fb-fetch: GET /111_1/comments: the reply is not JSON (" err &&
	snapshot >after && test_cmp before after
'

test_expect_success 'a refused token: 77 at once, the token redacted from the server'"'"'s message' '
	fake_faults "[{\"path\": \"/111_1/comments\", \"kind\": 400, \"body\": {\"error\": {\"code\": 190,
		\"type\": \"OAuthException\", \"message\": \"Error validating access token EAAB-page-token-s3cr3t: expired\"}}}]" &&
	: >"$FAKE_LOG" &&
	{ fb-fetch -c fetch.json -r "root/Raw Data" 2>err; test $? = 77; } &&
	echo "fb-fetch: GET /111_1/comments: the Graph API refused the token (HTTP 400, error 190: Error validating access token [token]: expired)" >expect &&
	test_cmp expect err &&
	test "$(wc -l <"$FAKE_LOG")" = 1
'

test_expect_success 'HTTP 403: 77' '
	fake_faults "[{\"path\": \"/111_1/comments\", \"kind\": 403}]" &&
	{ fb-fetch -c fetch.json -r "root/Raw Data" 2>err; test $? = 77; } &&
	echo "fb-fetch: GET /111_1/comments: the Graph API refused the token (HTTP 403, error 403: injected fault)" >expect &&
	test_cmp expect err
'

test_expect_success 'paging.next to another host is not followed (the token would go there): 65' '
	{ fb-fetch -c elsewhere.cfg -r "root/Raw Data" 2>err; test $? = 65; } &&
	echo "fb-fetch: GET /111_1/comments: paging.next leaves http://127.0.0.1:$ELSEWHERE_PORT (refused: the token would go with it)" >expect &&
	test_cmp expect err &&
	snapshot >after && test_cmp before after
'

test_expect_success 'paging.next that does not advance: 65' '
	{ fb-fetch -c same.cfg -r "root/Raw Data" 2>err; test $? = 65; } &&
	echo "fb-fetch: GET /111_1/comments: paging.next does not advance" >expect &&
	test_cmp expect err
'

test_expect_success 'a post the API does not know: 69 after the retries, naming it' '
	fake_faults "[]" &&
	jq ".RawDataSources[0].Datasets[0].PostIDs = [\"111_1\", \"nope\"]" fetch.json >nope.json &&
	{ fb-fetch -c nope.json -r "root/Raw Data" 2>err; test $? = 69; } &&
	echo "fb-fetch: GET /nope/comments: Graph API error (HTTP 400, error 100: Unsupported get request. Object with ID '"'"'nope'"'"' does not exist)" >expect &&
	test_cmp expect err &&
	snapshot >after && test_cmp before after
'

test_expect_success 'nothing listening: 69' '
	jq ".RawDataSources[0].GraphAPIBaseURL = \"http://127.0.0.1:1/v8.0\"" fetch.json >closed.json &&
	{ TDTOOLS_HTTP_TRIES=2 fb-fetch -c closed.json -r "root/Raw Data" 2>err; test $? = 69; } &&
	grep "^fb-fetch: GET /111_1/comments: " err &&
	test "$(wc -l <err)" = 1
'

test_expect_success 'the token is in no message and no file' '
	! grep -l s3cr3t err* root -r
'

test_done
