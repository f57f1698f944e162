# test-lib.sh: the TAP harness every t/tNNNN-*.sh sources (after git's t/test-lib.sh).
#
#   . "$(dirname "$0")/test-lib.sh"   (prove runs tests from the top directory)
#   test_expect_success 'title' 'commands && chained'
#   test_expect_code 65 'title' 'command'      exit code must be exactly 65
#   test_cmp expect actual                      byte comparison, prints a diff on failure
#   require_shared                              ../shared or skip (fail under CI=true)
#   start_fake NAME [ARGS...]                   start the loopback fake t/fake/NAME.py (see below)
#   fake_faults JSON [URL]                      set a fake's fault rules (POST URL/_faults)
#   fake_post PATH JSON [URL]                   POST to another control endpoint of a fake
#   start_oauth_fake [ARGS...]                  a throw-away service-account key + the OAuth token fake
#   test_done
#
# Each test runs in its own scratch directory, t/trash/<test-name>/, removed on success.

set -u
TEST_NAME=$(basename "$0" .sh)
T_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$T_DIR/.." && pwd)
TD_BIN=${TD_BIN:-$TOP/bin}
PATH=$TD_BIN:$PATH
SHARED=${TD_SHARED:-$(cd "$TOP/.." && pwd)/shared}
EXAMPLES=$TOP/examples
export PATH SHARED TOP EXAMPLES
export TD_USER=test@tdtools SOURCE_DATE_EPOCH=1600000000 LC_ALL=C TZ=UTC
unset NO_COLOR
# Sanitizer runs: fail hard on the first report, and leaks count.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}

# One scratch directory per run, so runs that overlap (two make check at once) never share one.
TRASH=$TOP/t/trash/$TEST_NAME.$$
rm -rf "$TRASH"
mkdir -p "$TRASH" || exit 1
cd "$TRASH" || exit 1

# TD_VALGRIND=1: every tool runs under valgrind; a memory error or leak exits 98.
if [ "${TD_VALGRIND:-}" = 1 ]; then
	mkdir -p "$TRASH/.valgrind"
	for tool in "$TD_BIN"/*; do
		[ -x "$tool" ] || continue
		cat >"$TRASH/.valgrind/${tool##*/}" <<VGEOF
#!/bin/sh
exec valgrind -q --error-exitcode=98 --leak-check=full --errors-for-leak-kinds=definite,indirect \\
	--show-leak-kinds=definite,indirect "$tool" "\$@"
VGEOF
		chmod +x "$TRASH/.valgrind/${tool##*/}"
	done
	PATH=$TRASH/.valgrind:$PATH
fi

test_count=0
test_failures=0
test_skip_all=

say() { printf '%s\n' "$*"; }

test_ok_() {
	test_count=$((test_count + 1))
	say "ok $test_count - $1"
}

test_failure_() {
	test_count=$((test_count + 1))
	test_failures=$((test_failures + 1))
	say "not ok $test_count - $1"
	shift
	printf '%s\n' "$*" | sed -e 's/^/#	/'
}

test_run_() {
	( eval "$1" ) >"$TRASH/.out" 2>"$TRASH/.err"
}

test_show_output_() {
	sed -e 's/^/# out: /' "$TRASH/.out" | head -40
	sed -e 's/^/# err: /' "$TRASH/.err" | head -40
}

test_expect_success() {
	if test_run_ "$2"; then
		test_ok_ "$1"
	else
		test_failure_ "$1" "$2"
		test_show_output_
	fi
}


# test_expect_large TITLE COMMANDS: a test on the large goldens (sms-5k: thousands of records). Under
# valgrind (TD_VALGRIND=1) it is reported as skipped: minutes per run there, and the normal and
# sanitizer runs cover it.
test_expect_large() {
	if [ "${TD_VALGRIND:-}" = 1 ]; then
		test_count=$((test_count + 1))
		say "ok $test_count # skip $1 (large golden, not under valgrind)"
		return 0
	fi
	test_expect_success "$@"
}

# test_expect_code CODE TITLE COMMANDS: the last command must exit with CODE.
test_expect_code() {
	test_run_ "$3"
	rc=$?
	if [ "$rc" = "$1" ]; then
		test_ok_ "$2"
	else
		test_failure_ "$2" "exit code $rc, expected $1:" "$3"
		test_show_output_
	fi
}

# Byte-for-byte comparison; a failure shows the diff.
test_cmp() {
	if cmp -s "$1" "$2"; then
		return 0
	fi
	diff -u "$1" "$2" | head -60 >&2
	echo "test_cmp: $1 and $2 differ" >&2
	return 1
}

# The stderr of the last failing command is in $TRASH/.err only inside test_run_;
# tests that check messages redirect 2>err themselves and test_cmp it.

require_shared() {
	if [ -d "$SHARED/golden" ]; then
		return 0
	fi
	if [ "${CI:-}" = true ]; then
		say "1..1"
		say "not ok 1 - ../shared is missing ($SHARED): CI needs it"
		exit 1
	fi
	say "1..0 # SKIP ../shared not found at $SHARED (set TD_SHARED)"
	exit 0
}

require_prog() {
	command -v "$1" >/dev/null 2>&1 && return 0
	say "1..0 # SKIP $1 not installed (make deps)"
	exit 0
}

# A config that is one of the real IBTCI configs plus CodingPlans/CodeSchemesDir (DESIGN.md §5).
ibtci_config() {
	# ibtci_config sms|facebook OUT
	jq --arg plans "$EXAMPLES/ibtci/${1}_coding_plans.json" \
	   --arg schemes "$SHARED/ibtci/code_schemes" \
	   '. + {CodingPlans: $plans, CodeSchemesDir: $schemes}' \
	   "$SHARED/ibtci/configuration/${1}_pipeline_config.json" >"$2"
}

# ---- loopback fake servers (t/fake/, see t/fake/fakelib.py for their options and fault rules) ----
#
# start_fake NAME [ARGS...] starts `python3 $TOP/t/fake/NAME.py --port-file F --log L --idle 300 --parent $$ ARGS...`
# in the background, waits (up to 60 s) until it listens on 127.0.0.1, and exports
#   FAKE_PORT  its port             FAKE_URL  http://127.0.0.1:$FAKE_PORT
#   FAKE_LOG   its request log (one JSON object per request; read it with jq)
#   FAKE_PID   its process id
# Call it at the top level of the test script, not inside test_expect_success (those commands run in a
# subshell, so the exports would be lost). To run two fakes, copy the variables after each call
# (OAUTH_URL=$FAKE_URL). Every fake started is killed when the test ends, passed or failed (and it exits
# by itself when the test's shell dies). A fake that does not start ends the test with "Bail out!".
FAKE_PIDS=
fake_seq=0
start_fake() {
	fake_name=$1
	shift
	fake_seq=$((fake_seq + 1))
	mkdir -p "$TRASH/.fake" || exit 1
	fake_base=$TRASH/.fake/$fake_name.$fake_seq
	FAKE_LOG=$fake_base.log
	: >"$FAKE_LOG"
	rm -f "$fake_base.port"
	if [ -z "${fake_trap_set:-}" ]; then
		trap 'stop_fakes' EXIT
		trap 'stop_fakes; exit 130' INT
		trap 'stop_fakes; exit 143' TERM
		fake_trap_set=1
	fi
	python3 "$TOP/t/fake/$fake_name.py" --port-file "$fake_base.port" --log "$FAKE_LOG" --idle 300 --parent $$ "$@" \
		2>"$fake_base.err" &
	FAKE_PID=$!
	FAKE_PIDS="$FAKE_PIDS $FAKE_PID"
	fake_wait=0
	while [ ! -s "$fake_base.port" ]; do
		if ! kill -0 "$FAKE_PID" 2>/dev/null || [ "$fake_wait" -ge 600 ]; then
			say "Bail out! fake $fake_name did not start:"
			sed -e 's/^/# /' "$fake_base.err"
			exit 1
		fi
		sleep 0.1
		fake_wait=$((fake_wait + 1))
	done
	FAKE_PORT=$(cat "$fake_base.port")
	FAKE_URL=http://127.0.0.1:$FAKE_PORT
	export FAKE_PORT FAKE_URL FAKE_LOG FAKE_PID
}

stop_fakes() {
	for fake_pid in $FAKE_PIDS; do
		kill "$fake_pid" 2>/dev/null
	done
	FAKE_PIDS=
}

# fake_faults JSON [URL]: replace the fault rules of the fake at URL (default $FAKE_URL), e.g.
#   fake_faults '[{"path": "^/o/", "kind": 503, "count": 2}]'
fake_faults() {
	fake_post /_faults "$1" "${2:-$FAKE_URL}"
}

# fake_post PATH JSON [URL]: POST JSON to a fake's control endpoint (default $FAKE_URL); prints the reply.
fake_post() {
	python3 -c 'import sys, urllib.request
r = urllib.request.Request(sys.argv[1] + sys.argv[2], data=sys.argv[3].encode(), method="POST",
                           headers={"Content-Type": "application/json"})
sys.stdout.write(urllib.request.urlopen(r).read().decode())' "${3:-$FAKE_URL}" "$1" "$2" >/dev/null
}

# google_key NAME: a throw-away RSA key for a fake service account, made now (never commit one):
# NAME.pem (private, PKCS#8) and NAME.pub.pem (public), in the current directory.
google_key() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.pem" 2>/dev/null &&
	openssl pkey -in "$1.pem" -pubout -out "$1.pub.pem" 2>/dev/null
}

# google_sa_json NAME TOKEN_URI [EMAIL] > FILE: a service-account key file holding NAME.pem.
google_sa_json() {
	jq -n --rawfile pk "$1.pem" --arg uri "$2" --arg email "${3:-tdtools-test@tdtools-test.iam.gserviceaccount.com}" \
		'{type: "service_account", project_id: "tdtools-test", private_key_id: "test-key-1",
		  private_key: $pk, client_email: $email, client_id: "1", token_uri: $uri}'
}

# start_oauth_fake [ARGS...]: make a key (google_key sa), start t/fake/oauth.py checking its signature,
# and write the key file $TRASH/sa.json (mode 600) whose token_uri is the fake. Exports
#   GOOGLE_KEY   the key file        OAUTH_URL, OAUTH_LOG   the token fake's URL and request log
#   FAKE_TOKENS  the file of tokens it issued: give it to the API fakes (start_fake gcs --tokens-file "$FAKE_TOKENS")
# and leaves FAKE_* describing the OAuth fake. Call it at the top level of the test, like start_fake.
start_oauth_fake() {
	mkdir -p "$TRASH/.fake" || exit 1
	FAKE_TOKENS=$TRASH/.fake/tokens
	: >"$FAKE_TOKENS"
	(cd "$TRASH" && google_key sa) || { say "Bail out! openssl genpkey failed"; exit 1; }
	start_fake oauth --tokens-file "$FAKE_TOKENS" --public-key "$TRASH/sa.pub.pem" "$@"
	OAUTH_URL=$FAKE_URL
	OAUTH_LOG=$FAKE_LOG
	GOOGLE_KEY=$TRASH/sa.json
	(cd "$TRASH" && umask 077 && google_sa_json sa "$OAUTH_URL/token" >"$GOOGLE_KEY") ||
		{ say "Bail out! cannot write $GOOGLE_KEY"; exit 1; }
	export OAUTH_URL OAUTH_LOG GOOGLE_KEY FAKE_TOKENS
}

test_done() {
	say "1..$test_count"
	stop_fakes
	cd "$TOP" || exit 1
	if [ "$test_failures" = 0 ]; then
		rm -rf "$TRASH"
		exit 0
	fi
	say "# failed $test_failures of $test_count"
	exit 1
}
