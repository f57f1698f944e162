#!/bin/sh
# The HTTP client (lib/net/http.c) against the loopback echo fake: retries on 429 (Retry-After), 5xx,
# resets, truncated bodies and stalls; giving up after the last try with the exact message; auth errors;
# the URL rules; secrets never shown. Driven through the unit binary's "fetch" mode.

. "$(dirname "$0")/test-lib.sh"

require_prog python3
require_prog jq

if [ "${TD_SANITIZE:-}" = 1 ]; then
	UNIT=$TOP/build/san/unit
else
	UNIT=$TOP/build/normal/unit
fi
HTTP="$UNIT/http fetch"
export TDTOOLS_RETRY_BASE_MS=1

start_fake echo --token good-token
U=$FAKE_URL

# The faults and statuses answered, in order, to the requests logged whose path starts with $1.
statuses() {
	jq -r --arg p "$1" 'select(.path | startswith($p)) | [.fault // "-", .status] | map(tostring) | join(" ")' "$FAKE_LOG"
}

test_expect_success 'the unit binary is built' '
	test -x "$UNIT/http"
'

test_expect_success 'a plain GET' '
	$HTTP "$U/echo/a?x=1" >out &&
	printf "%s\n" "{\"auth\": null, \"body\": \"\", \"method\": \"GET\", \"path\": \"/echo/a\", \"query\": {\"x\": \"1\"}}" >expect &&
	test_cmp expect out
'

test_expect_success '429 with Retry-After, then the answer' '
	: >"$FAKE_LOG" &&
	fake_faults "[{\"path\": \"^/echo/b\", \"kind\": 429, \"retry_after\": \"1\"}]" &&
	$HTTP -v "$U/echo/b" >out 2>err &&
	printf "%s\n" "http: retry: GET $U/echo/b: HTTP 429 Too Many Requests (injected fault) (try 1, waiting 1.0 s)" >expect &&
	test_cmp expect err &&
	grep -q "\"path\": \"/echo/b\"" out &&
	printf "429 429\n- 200\n" >expect &&
	statuses /echo/b >actual &&
	test_cmp expect actual
'

test_expect_success '500 then 503 then the answer' '
	: >"$FAKE_LOG" &&
	fake_faults "[{\"path\": \"^/echo/c\", \"kind\": 500}, {\"path\": \"^/echo/c\", \"kind\": 503}]" &&
	$HTTP -v "$U/echo/c" >out 2>err &&
	cat >expect <<-EOT &&
	http: retry: GET $U/echo/c: HTTP 500 Internal Server Error (injected fault) (try 1, waiting 0.0 s)
	http: retry: GET $U/echo/c: HTTP 503 Service Unavailable (injected fault) (try 2, waiting 0.0 s)
	EOT
	test_cmp expect err &&
	printf "500 500\n503 503\n- 200\n" >expect &&
	statuses /echo/c >actual &&
	test_cmp expect actual
'

test_expect_success 'a reset connection, then the answer' '
	: >"$FAKE_LOG" &&
	fake_faults "[{\"path\": \"^/echo/d\", \"kind\": \"reset\"}]" &&
	$HTTP -v "$U/echo/d" >out 2>err &&
	printf "%s\n" "http: retry: GET $U/echo/d: connection lost (try 1, waiting 0.0 s)" >expect &&
	test_cmp expect err &&
	grep -q "\"path\": \"/echo/d\"" out &&
	printf "reset reset\n- 200\n" >expect &&
	statuses /echo/d >actual &&
	test_cmp expect actual
'

test_expect_success 'a truncated body streamed to a file is fetched again whole' '
	: >"$FAKE_LOG" &&
	fake_faults "[{\"path\": \"^/bytes/\", \"kind\": \"truncate\"}]" &&
	$HTTP -v -o got "$U/bytes/1000" 2>err &&
	printf "%s\n" "http: retry: GET $U/bytes/1000: truncated reply (try 1, waiting 0.0 s)" >expect &&
	test_cmp expect err &&
	python3 -c "import sys; u = b\"0123456789abcdef\\n\"; sys.stdout.buffer.write((u * 59)[:1000])" >expect &&
	test_cmp expect got &&
	printf "truncate truncate\n- 200\n" >expect &&
	statuses /bytes/ >actual &&
	test_cmp expect actual
'

test_expect_success 'a reply slower than the stall timeout is abandoned and asked again' '
	: >"$FAKE_LOG" &&
	fake_faults "[{\"path\": \"^/echo/e\", \"kind\": \"slow\", \"seconds\": 4}]" &&
	$HTTP -v -T 1 "$U/echo/e" >out 2>err &&
	printf "%s\n" "http: retry: GET $U/echo/e: timed out (try 1, waiting 0.0 s)" >expect &&
	test_cmp expect err &&
	grep -q "\"path\": \"/echo/e\"" out
'

test_expect_code 69 'a persistent 503: gives up after the last try' '
	fake_faults "[{\"path\": \"^/echo/f\", \"kind\": 503, \"count\": 100}]" &&
	$HTTP -t 3 "$U/echo/f" >out 2>err
'

test_expect_success '... with the exact message, and nothing on stdout' '
	printf "%s\n" "http: GET $U/echo/f: HTTP 503 Service Unavailable (injected fault) (gave up after 3 tries)" >expect &&
	test_cmp expect err &&
	test_cmp /dev/null out
'

test_expect_code 69 'a 404 is not retried' '
	: >"$FAKE_LOG" &&
	fake_faults "[]" &&
	$HTTP "$U/status/404" 2>err
'

test_expect_success '... and says what the server said' '
	printf "%s\n" "http: GET $U/status/404: HTTP 404 Not Found (status 404)" >expect &&
	test_cmp expect err &&
	printf -- "- 404\n" >expect &&
	statuses /status/404 >actual &&
	test_cmp expect actual
'

test_expect_code 77 'a wrong bearer token is an authentication error (77)' '
	$HTTP -H "Authorization: Bearer wrong-token-123" "$U/auth/echo/g" 2>err
'

test_expect_success '... whose message does not show the token' '
	printf "%s\n" "http: GET $U/auth/echo/g: HTTP 401 Unauthorized (Request had invalid authentication credentials.)" >expect &&
	test_cmp expect err
'

test_expect_success 'the right bearer token is accepted' '
	$HTTP -H "Authorization: Bearer good-token" "$U/auth/echo/g" >out &&
	grep -q "\"auth\": \"Bearer good-token\"" out
'

test_expect_code 77 '403 is an authentication error too' '
	$HTTP "$U/status/403" 2>err
'

test_expect_success 'secrets in the URL, in registered strings and in headers never reach stderr' '
	fake_faults "[{\"path\": \"^/echo/h\", \"kind\": 503, \"count\": 100}]" &&
	test_expect_code_69() { "$@"; test $? = 69; } &&
	test_expect_code_69 $HTTP -v -t 2 -s hunter2-secret -H "Authorization: Bearer good-token" \
		"$U/echo/h?access_token=EAAtoken42&q=hunter2-secret" 2>err &&
	cat >expect <<-EOT &&
	http: retry: GET $U/echo/h?access_token=***&q=***: HTTP 503 Service Unavailable (injected fault) (try 1, waiting 0.0 s)
	http: GET $U/echo/h?access_token=***&q=***: HTTP 503 Service Unavailable (injected fault) (gave up after 2 tries)
	EOT
	test_cmp expect err &&
	! grep -e EAAtoken42 -e hunter2 -e good-token err
'

test_expect_code 78 'a redirect to plain http elsewhere is refused' '
	$HTTP "$U/redirect?to=http://example.org/x" 2>err
'

test_expect_success '... before anything is sent there' '
	printf "%s\n" "http: GET $U/redirect?to=http://example.org/x: redirected: http://example.org/x: plain http is allowed only to 127.0.0.1, ::1 or localhost (use https)" >expect &&
	test_cmp expect err
'

test_expect_success 'a redirect to loopback is followed' '
	$HTTP "$U/redirect?to=$U/echo/i" >out &&
	grep -q "\"path\": \"/echo/i\"" out
'

test_expect_code 78 'plain http to another host is refused' '
	$HTTP "http://192.0.2.1/x" 2>err &&
	printf "%s\n" "http: http://192.0.2.1/x: plain http is allowed only to 127.0.0.1, ::1 or localhost (use https)" >expect &&
	test_cmp expect err
'

test_expect_code 69 'a refused connection is retried, then reported' '
	port=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])") &&
	$HTTP -t 2 "http://127.0.0.1:$port/x" 2>err &&
	printf "%s\n" "http: GET http://127.0.0.1:$port/x: could not connect (gave up after 2 tries)" >expect &&
	test_cmp expect err
'

test_expect_success 'JSON in and out' '
	$HTTP -j -X POST -d "{\"b\": [1, 2]}" "$U/echo/j" >out &&
	printf "%s\n" "200 {\"auth\":null,\"body\":\"{\\\"b\\\":[1,2]}\",\"method\":\"POST\",\"path\":\"/echo/j\",\"query\":{}}" >expect &&
	test_cmp expect out
'

test_expect_success 'the log records the JSON body and the auth scheme, never the token' '
	: >"$FAKE_LOG" &&
	$HTTP -j -X POST -d "{\"b\": 1}" -H "Authorization: Bearer good-token" "$U/echo/k" >/dev/null &&
	jq -c "[.method, .path, .auth, .body, .headers[\"Content-Type\"]]" "$FAKE_LOG" >actual &&
	printf "%s\n" "[\"POST\",\"/echo/k\",\"Bearer\",{\"b\":1},\"application/json\"]" >expect &&
	test_cmp expect actual
'

test_done
