#!/bin/sh
# pipeline-log --credentials: the event as the reference's FirestorePipelineLogger sets it (apis.md §5):
# metrics/pipelines/pipeline_logs/<timestamp> in the dashboard's project, whose key is read from Cloud Storage.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog python3
require_prog jq
require_prog openssl

export TDTOOLS_RETRY_BASE_MS=1
unset GOOGLE_APPLICATION_CREDENTIALS
RUN=2021-05-13T17:25:31Z-0.1.0
TS=2020-09-13T12:26:40.000000+00:00

start_oauth_fake
mkdir -p "$TRASH/store/creds"
cp "$GOOGLE_KEY" "$TRASH/store/creds/dashboard.json"
start_fake gcs --dir "$TRASH/store" --tokens-file "$FAKE_TOKENS"
export STORAGE_EMULATOR_HOST=$FAKE_URL
GCS_LOG=$FAKE_LOG
start_fake firestore --tokens-file "$FAKE_TOKENS" --state "$TRASH/state.json" --start-time 2021-01-01T00:00:00Z
export FIRESTORE_EMULATOR_HOST=127.0.0.1:$FAKE_PORT
FS=$FAKE_URL
FS_LOG=$FAKE_LOG
K=$GOOGLE_KEY

jq '.OperationsDashboard.FirebaseCredentialsFileURL = "gs://creds/dashboard.json"' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >sms.json

test_expect_success 'the event is the document metrics/pipelines/pipeline_logs/<timestamp>, four strings' '
	pipeline-log -c sms.json --credentials "$K" "$RUN" PipelineRunStart >out 2>err &&
	test_cmp /dev/null out &&
	test_cmp /dev/null err &&
	jq -S ".documents | map_values(.fields)" state.json >actual &&
	jq -S -n --arg run "$RUN" --arg ts "$TS" "{(\"metrics/pipelines/pipeline_logs/\" + \$ts): {
		event: {stringValue: \"PipelineRunStart\"}, pipeline_name: {stringValue: \"USAID-IBTCI-SMS\"},
		run_id: {stringValue: \$run}, timestamp: {stringValue: \$ts}}}" >expect &&
	test_cmp expect actual
'

test_expect_success '... written as one commit with a token, the id percent-encoded; the key read from GCS' '
	jq -r "[.method, .path, .auth] | @tsv" "$FS_LOG" >actual &&
	printf "POST\t/v1/projects/tdtools-test/databases/(default)/documents:commit\tBearer\n" >expect &&
	test_cmp expect actual &&
	jq -r ".body.writes[0].update.name" "$FS_LOG" >actual &&
	echo "projects/tdtools-test/databases/(default)/documents/metrics/pipelines/pipeline_logs/$TS" >expect &&
	test_cmp expect actual &&
	jq -r ".path" "$GCS_LOG" >actual &&
	echo "/storage/v1/b/creds/o/dashboard.json?alt=media" >expect &&
	test_cmp expect actual
'

test_expect_success 'with -o too: the local line and the document' '
	SOURCE_DATE_EPOCH=1600000001 pipeline-log -v -c sms.json -o local.jsonl --credentials "$K" "$RUN" PipelineRunEnd 2>err &&
	cat >expect <<-EOF &&
	pipeline-log: PipelineRunEnd logged to local.jsonl
	pipeline-log: PipelineRunEnd logged to Firestore metrics/pipelines/pipeline_logs/2020-09-13T12:26:41.000000+00:00
	EOF
	test_cmp expect err &&
	jq -r .event local.jsonl >actual &&
	echo PipelineRunEnd >expect &&
	test_cmp expect actual &&
	jq -r ".documents | keys[]" state.json >actual &&
	printf "%s\n" "metrics/pipelines/pipeline_logs/$TS" "metrics/pipelines/pipeline_logs/2020-09-13T12:26:41.000000+00:00" >expect &&
	test_cmp expect actual
'

test_expect_success '--dry-run sends nothing' '
	n=$(wc -l <"$FS_LOG") &&
	pipeline-log --dry-run -c sms.json --credentials "$K" "$RUN" PipelineRunFailed >out &&
	test "$(wc -l <"$FS_LOG")" = "$n"
'

test_expect_success 'a 503 from Firestore is retried (-v says so)' '
	fake_faults "[{\"path\": \":commit\", \"kind\": 503, \"count\": 1}]" "$FS" &&
	SOURCE_DATE_EPOCH=1600000002 pipeline-log -v -c sms.json --credentials "$K" "$RUN" CodaGet 2>err &&
	grep -q "HTTP 503" err &&
	test "$(jq ".documents | length" state.json)" = 3
'

test_expect_code 69 'Firestore down: 69, no secret in the message' '
	fake_faults "[{\"path\": \":commit\", \"kind\": 500, \"count\": 100}]" "$FS" &&
	TDTOOLS_HTTP_TRIES=2 pipeline-log -c sms.json --credentials "$K" "$RUN" CodaAdd 2>err
	rc=$? &&
	fake_faults "[]" "$FS" &&
	grep -q "HTTP 500" err &&
	! grep -F -f "$FAKE_TOKENS" err &&
	! grep -q "PRIVATE KEY" err &&
	exit $rc
'

test_expect_code 66 'the dashboard key missing from the bucket: 66' '
	jq ".OperationsDashboard.FirebaseCredentialsFileURL = \"gs://creds/none.json\"" sms.json >nokey.json &&
	pipeline-log -c nokey.json --credentials "$K" "$RUN" CodaAdd 2>err
'

test_expect_code 77 'a Cloud Storage key that is not a key: 77' '
	echo "{}" >bad.json &&
	pipeline-log -c sms.json --credentials bad.json "$RUN" CodaAdd 2>err
'

test_done
