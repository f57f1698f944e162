#!/bin/sh
# gcs_list (lib/net/gcs.c) against the Cloud Storage fake: every page followed, the prefix sent, object names
# with doubled slashes (the reference's log uploads), a listing stopped early, a missing bucket.

. "$(dirname "$0")/test-lib.sh"

require_prog python3
require_prog jq
require_prog openssl

if [ "${TD_SANITIZE:-}" = 1 ]; then
	UNIT=$TOP/build/san/unit
else
	UNIT=$TOP/build/normal/unit
fi
export TDTOOLS_RETRY_BASE_MS=1

start_oauth_fake
mkdir -p "$TRASH/store/logs"
for d in 2021-05-01 2021-05-08 2021-05-15 2021-05-22 2021-05-29; do
	printf "profile %s\n" $d >"$TRASH/store/logs/2020%2FUSAID-IBTCI%2FSMS%2F%2Fmemory-$d.profile"
done
echo other >"$TRASH/store/logs/2020%2FUSAID-IBTCI%2FFB%2Fx"
start_fake gcs --dir "$TRASH/store" --tokens-file "$FAKE_TOKENS" --page-size 2
GCS_LOG=$FAKE_LOG
export STORAGE_EMULATOR_HOST=$FAKE_URL
GCS="$UNIT/gcs list -k $GOOGLE_KEY"

test_expect_success 'the unit binary is built' '
	test -x "$UNIT/gcs"
'

test_expect_success 'list a prefix over three pages of two' '
	$GCS gs://logs/2020/USAID-IBTCI/SMS/ >out &&
	cat >expect <<-\EOT &&
	2020/USAID-IBTCI/SMS//memory-2021-05-01.profile 19
	2020/USAID-IBTCI/SMS//memory-2021-05-08.profile 19
	2020/USAID-IBTCI/SMS//memory-2021-05-15.profile 19
	2020/USAID-IBTCI/SMS//memory-2021-05-22.profile 19
	2020/USAID-IBTCI/SMS//memory-2021-05-29.profile 19
	EOT
	test_cmp expect out &&
	jq -r .path "$GCS_LOG" >actual &&
	cat >expect <<-\EOT &&
	/storage/v1/b/logs/o?prefix=2020%2FUSAID-IBTCI%2FSMS%2F
	/storage/v1/b/logs/o?prefix=2020%2FUSAID-IBTCI%2FSMS%2F&pageToken=2020%2FUSAID-IBTCI%2FSMS%2F%2Fmemory-2021-05-08.profile
	/storage/v1/b/logs/o?prefix=2020%2FUSAID-IBTCI%2FSMS%2F&pageToken=2020%2FUSAID-IBTCI%2FSMS%2F%2Fmemory-2021-05-22.profile
	EOT
	test_cmp expect actual
'

test_expect_success 'the whole bucket' '
	$GCS gs://logs >out &&
	test "$(wc -l <out)" = 6 &&
	head -1 out >actual &&
	echo "2020/USAID-IBTCI/FB/x 6" >expect &&
	test_cmp expect actual
'

test_expect_success 'a callback that stops the listing stops the requests too' '
	: >"$GCS_LOG" &&
	$GCS -n 3 gs://logs/2020/USAID-IBTCI/SMS/ >out &&
	tail -1 out >actual &&
	echo "stopped: 2" >expect &&
	test_cmp expect actual &&
	test "$(wc -l <"$GCS_LOG")" = 2
'

test_expect_success 'a page that fails once is asked again' '
	fake_faults "[{\"path\": \"pageToken\", \"kind\": 503}]" &&
	$GCS gs://logs/2020/USAID-IBTCI/SMS/ >out &&
	test "$(wc -l <out)" = 5
'

test_expect_code 66 'a missing bucket: exit 66' '
	$GCS gs://nope/x 2>err &&
	echo "gcs: gs://nope: no such bucket" >expect &&
	test_cmp expect err
'

test_done
