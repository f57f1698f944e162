#!/bin/sh
# The fake-server base (t/fake/fakelib.py) and start_fake: fault rules from a file and from /_faults
# (count, skip, method), the request log, the control endpoints, and the fake exiting by itself when
# idle or orphaned.

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

cat >faults.json <<\EOF2
[{"path": "^/echo/first", "kind": 500, "count": 2}]
EOF2
start_fake echo --faults "$TRASH/faults.json"
U=$FAKE_URL

# Wait up to 20 s for process $1 to end.
gone() {
	n=0
	while kill -0 "$1" 2>/dev/null; do
		[ $n -lt 200 ] || return 1
		sleep 0.1
		n=$((n + 1))
	done
}

test_expect_success 'start_fake exports the port, the URL, the log and the pid' '
	test -n "$FAKE_PORT" && test "$U" = "http://127.0.0.1:$FAKE_PORT" &&
	test -f "$FAKE_LOG" && kill -0 "$FAKE_PID"
'

test_expect_success 'rules from --faults: the first two requests get 500, the third passes' '
	$HTTP -v "$U/echo/first" >out 2>err &&
	test "$(grep -c "HTTP 500 Internal Server Error (injected fault)" err)" = 2 &&
	jq -r "[.fault // \"-\", .status] | map(tostring) | join(\" \")" "$FAKE_LOG" >actual &&
	printf "500 500\n500 500\n- 200\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'skip lets matching requests through first; method narrows the rule' '
	fake_faults "[{\"path\": \"^/echo/s\", \"kind\": 503, \"skip\": 1, \"method\": \"POST\"}]" &&
	: >"$FAKE_LOG" &&
	$HTTP "$U/echo/s1" >/dev/null &&
	$HTTP -X POST -d x "$U/echo/s2" >/dev/null &&
	$HTTP -X POST -d x "$U/echo/s3" >/dev/null &&
	jq -r "[.method, .path, .fault // \"-\", .status] | map(tostring) | join(\" \")" "$FAKE_LOG" >actual &&
	cat >expect <<-\EOT &&
	GET /echo/s1 - 200
	POST /echo/s2 - 200
	POST /echo/s3 503 503
	POST /echo/s3 - 200
	EOT
	test_cmp expect actual
'

test_expect_success 'GET /_faults shows what is left; control requests are not logged' '
	fake_faults "[{\"path\": \"x\", \"kind\": \"reset\", \"count\": 3}]" &&
	: >"$FAKE_LOG" &&
	$HTTP "$U/_faults" >out &&
	echo "[{\"count\": 3, \"kind\": \"reset\", \"path\": \"x\", \"skip\": 0}]" >expect &&
	test_cmp expect out &&
	test_cmp /dev/null "$FAKE_LOG"
'

test_expect_success 'a bad rule list is refused with 400' '
	! $HTTP -X POST -d "{\"kind\": 500}" "$U/_faults" 2>err &&
	grep -q "HTTP 400" err
'

test_expect_success 'GET /_log: the log so far' '
	fake_faults "[]" &&
	$HTTP "$U/echo/logged" >/dev/null &&
	$HTTP "$U/_log" >out &&
	jq -r ".[-1].path" out >actual &&
	echo /echo/logged >expect &&
	test_cmp expect actual
'

test_expect_success 'a fake exits by itself when idle' '
	python3 "$TOP/t/fake/echo.py" --port-file idle.port --idle 1 &
	pid=$! &&
	gone $pid
'

test_expect_success 'a fake exits by itself when its parent dies' '
	sh -c "python3 \"$TOP/t/fake/echo.py\" --port-file orphan.port --idle 300 --parent \$\$ & echo \$! >orphan.pid" &&
	gone "$(cat orphan.pid)"
'

test_expect_success 'POST /_quit ends it' '
	start_fake_sub() { python3 "$TOP/t/fake/echo.py" --port-file q.port --idle 300 & echo $! >q.pid; } &&
	start_fake_sub &&
	n=0 && while [ ! -s q.port ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done &&
	$HTTP -X POST "http://127.0.0.1:$(cat q.port)/_quit" >/dev/null &&
	gone "$(cat q.pid)"
'

test_done
