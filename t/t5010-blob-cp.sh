#!/bin/sh
# blob-cp: local <-> gs:// against the Cloud Storage fake, with tokens from the OAuth fake (a service-account
# key made at test time); retries, atomic downloads, auth failures (77) that show no secret, exit codes.

. "$(dirname "$0")/test-lib.sh"

require_prog python3
require_prog jq
require_prog openssl

export TDTOOLS_RETRY_BASE_MS=1
unset GOOGLE_APPLICATION_CREDENTIALS

start_oauth_fake
mkdir -p "$TRASH/store/bkt"
start_fake gcs --dir "$TRASH/store" --tokens-file "$FAKE_TOKENS"
GCS=$FAKE_URL
GCS_LOG=$FAKE_LOG
export STORAGE_EMULATOR_HOST=$GCS
K=$GOOGLE_KEY

test_expect_success 'upload a local file' '
	printf "hello, bucket\n" >a.txt &&
	blob-cp --credentials "$K" a.txt gs://bkt/dir/a.txt &&
	test_cmp a.txt "$TRASH/store/bkt/dir%2Fa.txt"
'

test_expect_success '... as one media upload with a bearer token from the OAuth fake' '
	jq -c "[.method, .path, .auth, .headers[\"Content-Type\"], .status]" "$GCS_LOG" >actual &&
	printf "%s\n" "[\"POST\",\"/upload/storage/v1/b/bkt/o?uploadType=media&name=dir%2Fa.txt\",\"Bearer\",\"text/plain\",200]" >expect &&
	test_cmp expect actual &&
	jq -r ".body.grant_type" "$OAUTH_LOG" >actual &&
	echo urn:ietf:params:oauth:grant-type:jwt-bearer >expect &&
	test_cmp expect actual
'

test_expect_success 'download it again (mode 600), GOOGLE_APPLICATION_CREDENTIALS instead of --credentials' '
	GOOGLE_APPLICATION_CREDENTIALS=$K blob-cp gs://bkt/dir/a.txt out.txt &&
	test_cmp a.txt out.txt &&
	stat -c %a out.txt >actual &&
	echo 600 >expect &&
	test_cmp expect actual
'

test_expect_success 'a directory as DST takes the object base name; file:// URLs' '
	mkdir d &&
	blob-cp --credentials "$K" gs://bkt/dir/a.txt d &&
	test_cmp a.txt d/a.txt &&
	blob-cp --credentials "$K" "file://$TRASH/a.txt" gs://bkt/up/ &&
	test_cmp a.txt "$TRASH/store/bkt/up%2Fa.txt"
'

test_expect_success 'a binary file survives the round trip' '
	head -c 300000 /dev/urandom >bin.dat &&
	blob-cp --credentials "$K" bin.dat gs://bkt/bin.dat &&
	blob-cp --credentials "$K" gs://bkt/bin.dat bin.back &&
	test_cmp bin.dat bin.back
'

test_expect_success '503 twice, then the download (-v shows each retry)' '
	fake_faults "[{\"path\": \"alt=media\", \"kind\": 503, \"count\": 2}]" "$GCS" &&
	rm -f out.txt &&
	blob-cp -v --credentials "$K" gs://bkt/dir/a.txt out.txt 2>err &&
	test_cmp a.txt out.txt &&
	cat >expect <<-EOT &&
	blob-cp: GET $GCS/storage/v1/b/bkt/o/dir%2Fa.txt?alt=media: HTTP 503 Service Unavailable (injected fault); try 1 of 5 failed, next in 0.0 s
	blob-cp: GET $GCS/storage/v1/b/bkt/o/dir%2Fa.txt?alt=media: HTTP 503 Service Unavailable (injected fault); try 2 of 5 failed, next in 0.0 s
	blob-cp: copied gs://bkt/dir/a.txt to out.txt (14 bytes)
	EOT
	test_cmp expect err
'

test_expect_success 'a truncated download and a reset upload are retried' '
	fake_faults "[{\"path\": \"alt=media\", \"kind\": \"truncate\"}, {\"path\": \"^/upload/\", \"kind\": \"reset\"}]" "$GCS" &&
	blob-cp --credentials "$K" gs://bkt/bin.dat bin.again &&
	test_cmp bin.dat bin.again &&
	blob-cp --credentials "$K" a.txt gs://bkt/again.txt &&
	test_cmp a.txt "$TRASH/store/bkt/again.txt"
'

test_expect_success 'a 429 with Retry-After is waited out' '
	fake_faults "[{\"path\": \"alt=media\", \"kind\": 429, \"retry_after\": \"1\"}]" "$GCS" &&
	blob-cp -v --credentials "$K" gs://bkt/dir/a.txt out429.txt 2>err &&
	test_cmp a.txt out429.txt &&
	grep -q "HTTP 429 Too Many Requests (injected fault); try 1 of 5 failed, next in 1.0 s" err
'

test_expect_code 69 'a persistent 503: exit 69 after the last try' '
	echo "old content" >keep.txt &&
	fake_faults "[{\"path\": \"alt=media\", \"kind\": 503, \"count\": 100}]" "$GCS" &&
	TDTOOLS_HTTP_TRIES=3 blob-cp --credentials "$K" gs://bkt/dir/a.txt keep.txt 2>err
'

test_expect_success '... with the exact message; the old file is untouched, no temporary file is left' '
	printf "%s\n" "blob-cp: GET $GCS/storage/v1/b/bkt/o/dir%2Fa.txt?alt=media: HTTP 503 Service Unavailable (injected fault) (gave up after 3 tries)" >expect &&
	test_cmp expect err &&
	echo "old content" >expect &&
	test_cmp expect keep.txt &&
	ls -A | grep -v -e "^keep.txt$" >before &&
	! grep "keep.txt." before &&
	fake_faults "[]" "$GCS"
'

test_expect_code 66 'a missing object: exit 66' '
	blob-cp --credentials "$K" gs://bkt/nope.txt x.txt 2>err &&
	echo "blob-cp: gs://bkt/nope.txt: no such object" >expect &&
	test_cmp expect err
'

test_expect_code 77 'a key the token endpoint refuses: exit 77' '
	google_key other &&
	google_sa_json other "$OAUTH_URL/token" >other.json &&
	chmod 600 other.json &&
	blob-cp --credentials other.json gs://bkt/dir/a.txt x.txt 2>err
'

test_expect_success '... the message names the file and shows no part of the key or the assertion' '
	printf "%s\n" "blob-cp: other.json: the token endpoint refused the key (HTTP 400 Bad Request (invalid_grant: Invalid JWT Signature.))" >expect &&
	test_cmp expect err &&
	! grep -e "PRIVATE" -e "eyJ" err &&
	sed -n 2p other.pem >keyline &&
	! grep -F -f keyline err &&
	test ! -e x.txt
'

test_expect_code 77 'a token the API refuses (401): exit 77, the token not shown' '
	fake_faults "[{\"path\": \"alt=media\", \"kind\": 401}]" "$GCS" &&
	blob-cp --credentials "$K" gs://bkt/dir/a.txt x.txt 2>err &&
	printf "%s\n" "blob-cp: GET $GCS/storage/v1/b/bkt/o/dir%2Fa.txt?alt=media: HTTP 401 Unauthorized (injected fault)" >expect &&
	test_cmp expect err &&
	! grep -F -f "$FAKE_TOKENS" err
'

test_expect_code 77 'no token at all: the fake answers 401' '
	env -u GOOGLE_APPLICATION_CREDENTIALS blob-cp gs://bkt/dir/a.txt x.txt 2>err &&
	printf "%s\n" "blob-cp: GET $GCS/storage/v1/b/bkt/o/dir%2Fa.txt?alt=media: HTTP 401 Unauthorized (Request is missing required authentication credential.)" >expect &&
	test_cmp expect err
'

test_expect_success 'a key file readable by others is used, with a warning (none with -q)' '
	cp "$K" open.json &&
	chmod 644 open.json &&
	blob-cp --credentials open.json gs://bkt/dir/a.txt o1.txt 2>err &&
	echo "blob-cp: warning: open.json is readable by others (chmod 600)" >expect &&
	test_cmp expect err &&
	test_cmp a.txt o1.txt &&
	blob-cp -q --credentials open.json gs://bkt/dir/a.txt o2.txt 2>err &&
	test_cmp /dev/null err
'

test_expect_code 66 'a missing key file: exit 66' '
	blob-cp --credentials nokey.json gs://bkt/dir/a.txt x.txt 2>err &&
	echo "blob-cp: nokey.json: no such credentials file" >expect &&
	test_cmp expect err
'

test_expect_code 77 'a key file that is not a service-account key: exit 77, its content not shown' '
	echo "{\"type\": \"authorized_user\", \"refresh_token\": \"rt-secret-1\"}" >user.json &&
	blob-cp --credentials user.json gs://bkt/dir/a.txt x.txt 2>err &&
	echo "blob-cp: user.json: not a service-account key (expected \"type\": \"service_account\")" >expect &&
	test_cmp expect err
'

test_expect_code 77 'no credentials and no emulator: exit 77' '
	env -u STORAGE_EMULATOR_HOST blob-cp gs://bkt/dir/a.txt x.txt 2>err &&
	echo "blob-cp: no credentials for Cloud Storage (give a service-account key file, or set STORAGE_EMULATOR_HOST)" >expect &&
	test_cmp expect err
'

test_expect_code 69 'the token endpoint unavailable: exit 69' '
	fake_faults "[{\"kind\": 503, \"count\": 100}]" "$OAUTH_URL" &&
	TDTOOLS_HTTP_TRIES=2 blob-cp --credentials "$K" gs://bkt/dir/a.txt x.txt 2>err &&
	fake_faults "[]" "$OAUTH_URL" &&
	printf "%s\n" "blob-cp: $K: cannot get an access token: POST $OAUTH_URL/token: HTTP 503 Service Unavailable (injected fault) (gave up after 2 tries)" >expect &&
	test_cmp expect err
'

test_expect_code 78 'plain http to a non-loopback emulator is refused' '
	STORAGE_EMULATOR_HOST=http://storage.example.org blob-cp --credentials "$K" gs://bkt/dir/a.txt x.txt 2>err &&
	echo "blob-cp: http://storage.example.org: plain http is allowed only to 127.0.0.1, ::1 or localhost (use https)" >expect &&
	test_cmp expect err
'

test_expect_success '--dry-run says what it would copy and sends nothing' '
	: >"$GCS_LOG" &&
	blob-cp --dry-run --credentials "$K" a.txt gs://bkt/dry/ >out &&
	echo "would copy a.txt to gs://bkt/dry/a.txt" >expect &&
	test_cmp expect out &&
	test_cmp /dev/null "$GCS_LOG" &&
	test ! -e "$TRASH/store/bkt/dry%2Fa.txt"
'

test_expect_code 66 'a missing local source: exit 66' '
	blob-cp nope.txt gs://bkt/x 2>err &&
	echo "blob-cp: nope.txt: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_code 73 'an output that cannot be created: exit 73' '
	blob-cp a.txt no/such/dir/x.txt 2>err
'

test_expect_success 'local to local needs no credentials' '
	env -u STORAGE_EMULATOR_HOST blob-cp a.txt copy.txt &&
	test_cmp a.txt copy.txt
'

test_expect_code 64 'one argument is a usage error' '
	blob-cp a.txt
'

test_done
