#!/bin/sh
# scripts/7_upload_logs.sh: the memory profile and the data archive to Cloud Storage under BucketDirPath
# (pipeline.md §7.2), against the GCS and OAuth fakes; the UploadingLogFiles event in the local pipeline log.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog python3
require_prog jq
require_prog openssl

export TDTOOLS_RETRY_BASE_MS=1
unset GOOGLE_APPLICATION_CREDENTIALS TD_PIPELINE_LOG
STAGE7=$TOP/scripts/7_upload_logs.sh
RUN=2021-05-13T17:25:31Z-0.1.0

start_oauth_fake
mkdir -p "$TRASH/store/avf-pipeline-logs-performance-nearline" "$TRASH/store/pipeline-execution-backup-archive" \
	"$TRASH/store/creds"
cp "$GOOGLE_KEY" "$TRASH/store/creds/dashboard.json"
start_fake gcs --dir "$TRASH/store" --tokens-file "$FAKE_TOKENS"
export STORAGE_EMULATOR_HOST=$FAKE_URL
GCS_LOG=$FAKE_LOG
start_fake firestore --tokens-file "$FAKE_TOKENS" --state "$TRASH/state.json"
export FIRESTORE_EMULATOR_HOST=127.0.0.1:$FAKE_PORT
K=$GOOGLE_KEY

# The real SMS config with a local pipeline log, and the dashboard key in the Cloud Storage fake.
jq '.OperationsDashboard.FileURL = "logs/pipeline.jsonl" |
	.OperationsDashboard.FirebaseCredentialsFileURL = "gs://creds/dashboard.json"' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >sms.json

mkdir -p perf backups
printf 'CMDLINE 3_generate_outputs.sh\nMEM 10.5 1600000000.0\n' >"perf/memory-$RUN.profile"
mkdir -p data && echo x >data/f && td-backup data "backups/data-$RUN.tar.gz"

objects() { (cd "$TRASH/store" && find . -type f | sed "s|^\./||" | grep -v "^creds/" | sort); }

test_expect_success 'both files go to their buckets under BucketDirPath, named as the reference names them' '
	"$STAGE7" user "$K" sms.json "$RUN" "perf/memory-$RUN.profile" "backups/data-$RUN.tar.gz" 2>err &&
	objects >actual &&
	cat >expect <<-EOF &&
	avf-pipeline-logs-performance-nearline/2020%2FUSAID-IBTCI%2FSMS%2F%2Fmemory-2021-05-13T17%3A25%3A31Z-0.1.0.profile
	pipeline-execution-backup-archive/2020%2FUSAID-IBTCI%2FSMS%2F%2Fdata-2021-05-13T17%3A25%3A31Z-0.1.0.tar.gz
	EOF
	test_cmp expect actual &&
	cmp "perf/memory-$RUN.profile" "$TRASH/store/avf-pipeline-logs-performance-nearline/2020%2FUSAID-IBTCI%2FSMS%2F%2Fmemory-2021-05-13T17%3A25%3A31Z-0.1.0.profile" &&
	cmp "backups/data-$RUN.tar.gz" "$TRASH/store/pipeline-execution-backup-archive/2020%2FUSAID-IBTCI%2FSMS%2F%2Fdata-2021-05-13T17%3A25%3A31Z-0.1.0.tar.gz" &&
	echo "7_upload_logs.sh: memory profile and data archive uploaded" >expect &&
	test_cmp expect err
'

test_expect_success '... with a bearer token, and the local files are kept' '
	jq -r ".auth" "$GCS_LOG" | sort -u >actual &&
	echo Bearer >expect &&
	test_cmp expect actual &&
	test -f "perf/memory-$RUN.profile" &&
	test -f "backups/data-$RUN.tar.gz"
'

test_expect_success 'the UploadingLogFiles event is in the local pipeline log and in Firestore' '
	jq -r "[.event, .run_id, .pipeline_name] | @tsv" logs/pipeline.jsonl >actual &&
	printf "UploadingLogFiles\t$RUN\tUSAID-IBTCI-SMS\n" >expect &&
	test_cmp expect actual &&
	jq -r ".documents[] | [.fields.event.stringValue, .fields.run_id.stringValue] | @tsv" state.json >actual &&
	printf "UploadingLogFiles\t$RUN\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'an event that cannot be logged is a warning, not a failed stage' '
	fake_faults "[{\"path\": \":commit\", \"kind\": 500, \"count\": 100}]" "http://$FIRESTORE_EMULATOR_HOST" &&
	cp "perf/memory-$RUN.profile" perf/memory-w.profile &&
	{ TDTOOLS_HTTP_TRIES=1 "$STAGE7" -q user "$K" sms.json "$RUN" perf/memory-w.profile "backups/data-$RUN.tar.gz" 2>err; rc=$?; } &&
	fake_faults "[]" "http://$FIRESTORE_EMULATOR_HOST" &&
	test $rc = 0 &&
	tail -1 err >actual &&
	echo "7_upload_logs.sh: warning: the UploadingLogFiles event was not logged" >expect &&
	test_cmp expect actual &&
	test -f "$TRASH/store/avf-pipeline-logs-performance-nearline/2020%2FUSAID-IBTCI%2FSMS%2F%2Fmemory-w.profile"
'

test_expect_success 'credentials "-": one notice, no upload; the event still logged locally' '
	n=$(wc -l <"$GCS_LOG") &&
	"$STAGE7" user - sms.json "$RUN" "perf/memory-$RUN.profile" "backups/data-$RUN.tar.gz" 2>err &&
	echo "7_upload_logs.sh: no credentials: memory profile and data archive not uploaded" >expect &&
	test_cmp expect err &&
	test "$(wc -l <"$GCS_LOG")" = "$n" &&
	test "$(wc -l <logs/pipeline.jsonl)" = 3
'

test_expect_success '--dry-run: says what it would upload, sends and writes nothing' '
	n=$(wc -l <"$GCS_LOG") &&
	"$STAGE7" --dry-run user "$K" sms.json "$RUN" "perf/memory-$RUN.profile" "backups/data-$RUN.tar.gz" >out 2>err &&
	test "$(wc -l <"$GCS_LOG")" = "$n" &&
	test "$(wc -l <logs/pipeline.jsonl)" = 3 &&
	grep -q "gs://avf-pipeline-logs-performance-nearline/2020/USAID-IBTCI/SMS//memory-$RUN.profile" out err &&
	grep -q "gs://pipeline-execution-backup-archive/2020/USAID-IBTCI/SMS//data-$RUN.tar.gz" out err
'

test_expect_success '--prune removes each local file after its upload' '
	cp "perf/memory-$RUN.profile" perf/memory-other.profile &&
	cp "backups/data-$RUN.tar.gz" backups/data-other.tar.gz &&
	"$STAGE7" -q --prune user "$K" sms.json "$RUN" perf/memory-other.profile backups/data-other.tar.gz 2>err &&
	test ! -e perf/memory-other.profile &&
	test ! -e backups/data-other.tar.gz &&
	test -f "$TRASH/store/pipeline-execution-backup-archive/2020%2FUSAID-IBTCI%2FSMS%2F%2Fdata-other.tar.gz"
'

test_expect_success 'a failed upload: the stage fails with blob-cp'"'"'s code and --prune keeps the file not uploaded' '
	cp "backups/data-$RUN.tar.gz" backups/data-fail.tar.gz &&
	cp "perf/memory-$RUN.profile" perf/memory-fail.profile &&
	fake_faults "[{\"path\": \"pipeline-execution-backup-archive\", \"kind\": 503, \"count\": 100}]" "$STORAGE_EMULATOR_HOST" &&
	{ TDTOOLS_HTTP_TRIES=2 "$STAGE7" -q --prune user "$K" sms.json "$RUN" perf/memory-fail.profile backups/data-fail.tar.gz 2>err; rc=$?; } &&
	fake_faults "[]" "$STORAGE_EMULATOR_HOST" &&
	test $rc = 69 &&
	test -f backups/data-fail.tar.gz &&
	test ! -e perf/memory-fail.profile &&
	grep -q "HTTP 503" err &&
	! grep -F -f "$FAKE_TOKENS" err
'

test_expect_code 66 'a missing archive: 66' '
	"$STAGE7" user "$K" sms.json "$RUN" "perf/memory-$RUN.profile" backups/none.tar.gz 2>err
	rc=$? &&
	echo "7_upload_logs.sh: backups/none.tar.gz: no such data archive" >expect &&
	test_cmp expect err &&
	exit $rc
'

test_expect_code 64 'usage: 64' '
	"$STAGE7" user "$K" sms.json "$RUN"
'

test_done
