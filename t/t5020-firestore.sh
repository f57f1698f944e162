#!/bin/sh
# lib/net/firestore.c against the Firestore fake (FIRESTORE_EMULATOR_HOST), with a token from the OAuth fake:
# get, list paging, batchGet, runQuery, commit with preconditions and server timestamps, typed values both
# ways, percent-encoded ids, retries and auth errors. Driven through the unit binary's client mode.

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
start_fake firestore --tokens-file "$FAKE_TOKENS" --state "$TRASH/state.json" --start-time 2021-01-01T00:00:00Z
FS_URL=$FAKE_URL
FS_LOG=$FAKE_LOG
export FIRESTORE_EMULATOR_HOST=127.0.0.1:$FAKE_PORT
FS="$UNIT/firestore -k $GOOGLE_KEY"
DB="projects/tdtools-test/databases/(default)/documents"

test_expect_success 'the unit binary is built' '
	test -x "$UNIT/firestore"
'

test_expect_success 'commit: create three messages, LastUpdated set by the server' '
	cat >writes.json <<-\EOT &&
	[{"op": "set", "path": "datasets/D/messages/m1", "pre": "missing", "serverTime": "LastUpdated",
	  "data": {"MessageID": "m1", "SequenceNumber": 1, "Text": "haa", "Labels": []}},
	 {"op": "set", "path": "datasets/D/messages/m2", "pre": "missing", "serverTime": "LastUpdated",
	  "data": {"MessageID": "m2", "SequenceNumber": 2, "Text": "maya", "Labels": []}},
	 {"op": "set", "path": "datasets/D/messages/m3", "pre": "missing", "serverTime": "LastUpdated",
	  "data": {"MessageID": "m3", "SequenceNumber": 3, "Text": "laga yaabee", "Labels": []}}]
	EOT
	$FS commit <writes.json >out &&
	echo "committed 3 writes" >expect &&
	test_cmp expect out &&
	jq -c ".documents[\"datasets/D/messages/m2\"]" state.json >actual &&
	printf "%s\n" "{\"createTime\":\"2021-01-01T00:00:00.001000Z\",\"fields\":{\"Labels\":{\"arrayValue\":{}},\"LastUpdated\":{\"timestampValue\":\"2021-01-01T00:00:00.001000Z\"},\"MessageID\":{\"stringValue\":\"m2\"},\"SequenceNumber\":{\"integerValue\":\"2\"},\"Text\":{\"stringValue\":\"maya\"}},\"updateTime\":\"2021-01-01T00:00:00.001000Z\"}" >expect &&
	test_cmp expect actual
'

test_expect_success '... sent with the bearer token the OAuth fake issued' '
	jq -r "select(.path | endswith(\":commit\")) | .auth" "$FS_LOG" >actual &&
	echo Bearer >expect &&
	test_cmp expect actual &&
	jq -r ".body.assertion | split(\".\")[1] | gsub(\"-\"; \"+\") | gsub(\"_\"; \"/\") | @base64d | fromjson | .scope" "$OAUTH_LOG" >actual &&
	echo https://www.googleapis.com/auth/datastore >expect &&
	test_cmp expect actual
'

test_expect_success 'get a document: typed values back as JSON, and its updateTime' '
	$FS get datasets/D/messages/m1 >out &&
	cat >expect <<-\EOT &&
	datasets/D/messages/m1 {"Labels":[],"LastUpdated":"2021-01-01T00:00:00.001000Z","MessageID":"m1","SequenceNumber":1,"Text":"haa"}
	updateTime 2021-01-01T00:00:00.001000Z
	EOT
	test_cmp expect out
'

test_expect_success 'get a missing document' '
	$FS get datasets/D/messages/nope >out &&
	echo "missing datasets/D/messages/nope" >expect &&
	test_cmp expect out
'

test_expect_code 65 'create-only on an existing document fails (409 ALREADY_EXISTS) ...' '
	cat >writes.json <<-\EOT &&
	[{"op": "set", "path": "datasets/D/messages/m4", "pre": "missing", "data": {"Text": "new"}},
	 {"op": "set", "path": "datasets/D/messages/m1", "pre": "missing", "data": {"Text": "overwritten"}}]
	EOT
	$FS commit <writes.json 2>err
'

test_expect_success '... with the exact message, and the commit changed nothing' '
	printf "%s\n" "firestore: POST $FS_URL/v1/$DB:commit: HTTP 409 Conflict (Document already exists: $DB/datasets/D/messages/m1) [409 ALREADY_EXISTS]" >expect &&
	test_cmp expect err &&
	$FS get datasets/D/messages/m4 >out &&
	echo "missing datasets/D/messages/m4" >expect &&
	test_cmp expect out &&
	$FS get datasets/D/messages/m1 >out &&
	grep -q "\"Text\":\"haa\"" out
'

test_expect_success 'update with the current updateTime succeeds' '
	echo "[{\"op\": \"set\", \"path\": \"datasets/D/messages/m1\", \"pre\": \"updateTime\", \"updateTime\": \"2021-01-01T00:00:00.001000Z\", \"mask\": [\"Text\"], \"data\": {\"Text\": \"haa haa\"}}]" >writes.json &&
	$FS commit <writes.json &&
	$FS get datasets/D/messages/m1 >out &&
	cat >expect <<-\EOT &&
	datasets/D/messages/m1 {"Labels":[],"LastUpdated":"2021-01-01T00:00:00.001000Z","MessageID":"m1","SequenceNumber":1,"Text":"haa haa"}
	updateTime 2021-01-01T00:00:00.002000Z
	EOT
	test_cmp expect out
'

test_expect_code 65 'update with a stale updateTime fails (400 FAILED_PRECONDITION)' '
	$FS commit <writes.json 2>err &&
	printf "%s\n" "firestore: POST $FS_URL/v1/$DB:commit: HTTP 400 Bad Request (the stored version (2021-01-01T00:00:00.002000Z) does not match the required base version (2021-01-01T00:00:00.001000Z)) [400 FAILED_PRECONDITION]" >expect &&
	test_cmp expect err
'

test_expect_code 65 'update-only on a missing document fails (404 NOT_FOUND)' '
	echo "[{\"op\": \"set\", \"path\": \"datasets/D/messages/m9\", \"pre\": \"exists\", \"data\": {\"Text\": \"x\"}}]" >writes.json &&
	$FS commit <writes.json 2>err &&
	printf "%s\n" "firestore: POST $FS_URL/v1/$DB:commit: HTTP 404 Not Found (No document to update: $DB/datasets/D/messages/m9) [404 NOT_FOUND]" >expect &&
	test_cmp expect err
'

test_expect_success 'a masked update merges; a masked field absent from the data is removed; a plain set replaces' '
	echo "[{\"op\": \"set\", \"path\": \"datasets/D/messages/m2\", \"mask\": [\"Text\", \"Labels\", \"New field\"], \"data\": {\"Text\": \"MAYA\", \"New field\": 1.5}},
	       {\"op\": \"set\", \"path\": \"datasets/D/messages/m3\", \"data\": {\"Text\": \"only\"}}]" >writes.json &&
	$FS commit <writes.json &&
	$FS all datasets/D/messages 0 >out &&
	cat >expect <<-\EOT &&
	datasets/D/messages/m1 {"Labels":[],"LastUpdated":"2021-01-01T00:00:00.001000Z","MessageID":"m1","SequenceNumber":1,"Text":"haa haa"}
	datasets/D/messages/m2 {"LastUpdated":"2021-01-01T00:00:00.001000Z","MessageID":"m2","New field":1.5,"SequenceNumber":2,"Text":"MAYA"}
	datasets/D/messages/m3 {"Text":"only"}
	EOT
	test_cmp expect out &&
	jq -c "select(.path | endswith(\":commit\")) | .body.writes[0].updateMask" "$FS_LOG" | tail -1 >actual &&
	echo "{\"fieldPaths\":[\"Text\",\"Labels\",\"\`New field\`\"]}" >expect &&
	test_cmp expect actual
'

test_expect_success 'delete' '
	echo "[{\"op\": \"delete\", \"path\": \"datasets/D/messages/m3\"}]" >writes.json &&
	$FS commit <writes.json &&
	$FS get datasets/D/messages/m3 >out &&
	echo "missing datasets/D/messages/m3" >expect &&
	test_cmp expect out
'

test_expect_success 'list: pages of 3 over 7 mappings, in id order' '
	for n in 252612000007 252612000003 252612000001 252615550123 252612000002 252690000001 252612000005; do
		printf "{\"op\": \"set\", \"path\": \"tables/ADSS/mappings/%s\", \"data\": {\"uuid\": \"avf-phone-uuid-%s\"}}\n" $n $n
	done | jq -s . >writes.json &&
	$FS commit <writes.json &&
	$FS list tables/ADSS/mappings 3 >out &&
	cat >expect <<-\EOT &&
	page 1: 252612000001 252612000002 252612000003
	page 2: 252612000005 252612000007 252615550123
	page 3: 252690000001
	EOT
	test_cmp expect out &&
	$FS all tables/ADSS/mappings 2 >out &&
	test_line_count() { test "$(wc -l <"$2")" -eq "$1"; } &&
	test_line_count 7 out &&
	head -1 out >actual &&
	echo "tables/ADSS/mappings/252612000001 {\"uuid\":\"avf-phone-uuid-252612000001\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'one token serves every request of a process while it is valid' '
	n0=$(wc -l <"$OAUTH_LOG") &&
	$FS list tables/ADSS/mappings 3 >/dev/null &&
	n1=$(wc -l <"$OAUTH_LOG") &&
	test $((n1 - n0)) = 1
'

test_expect_success 'a token that expires within a minute is not reused' '
	fake_post /_expires_in 59 "$OAUTH_URL" &&
	n0=$(wc -l <"$OAUTH_LOG") &&
	$FS list tables/ADSS/mappings 3 >/dev/null &&
	n1=$(wc -l <"$OAUTH_LOG") &&
	fake_post /_expires_in 3599 "$OAUTH_URL" &&
	test $((n1 - n0)) = 3
'

test_expect_success 'list an empty collection' '
	$FS list tables/none/mappings 3 >out &&
	echo "page 1:" >expect &&
	test_cmp expect out
'

test_expect_success 'batchGet: found and missing, in order' '
	$FS batchget tables/ADSS/mappings/252612000002 tables/ADSS/mappings/000 datasets/D/messages/m1 >out &&
	cat >expect <<-\EOT &&
	found tables/ADSS/mappings/252612000002 {"uuid":"avf-phone-uuid-252612000002"}
	missing tables/ADSS/mappings/000
	found datasets/D/messages/m1 {"Labels":[],"LastUpdated":"2021-01-01T00:00:00.001000Z","MessageID":"m1","SequenceNumber":1,"Text":"haa haa"}
	EOT
	test_cmp expect out
'

test_expect_success 'runQuery: uuid == x (the UUID table reverse lookup)' '
	$FS query tables/ADSS mappings where uuid EQUAL "\"avf-phone-uuid-252615550123\"" >out &&
	echo "tables/ADSS/mappings/252615550123 {\"uuid\":\"avf-phone-uuid-252615550123\"}" >expect &&
	test_cmp expect out
'

test_expect_success 'runQuery: LastUpdated > t (Coda incremental get) and SequenceNumber order' '
	$FS query datasets/D messages where LastUpdated GREATER_THAN ts:2021-01-01T00:00:00Z order SequenceNumber desc >out &&
	cat >expect <<-\EOT &&
	datasets/D/messages/m2 {"LastUpdated":"2021-01-01T00:00:00.001000Z","MessageID":"m2","New field":1.5,"SequenceNumber":2,"Text":"MAYA"}
	datasets/D/messages/m1 {"Labels":[],"LastUpdated":"2021-01-01T00:00:00.001000Z","MessageID":"m1","SequenceNumber":1,"Text":"haa haa"}
	EOT
	test_cmp expect out &&
	$FS query datasets/D messages where LastUpdated GREATER_THAN ts:2021-01-01T00:00:00.001Z >out &&
	test_cmp /dev/null out
'

test_expect_success 'runQuery: paging by __name__ with limit and start-after' '
	$FS query tables/ADSS mappings order __name__ asc limit 2 >out &&
	cut -d" " -f1 out >actual &&
	printf "tables/ADSS/mappings/252612000001\ntables/ADSS/mappings/252612000002\n" >expect &&
	test_cmp expect actual &&
	$FS query tables/ADSS mappings order __name__ asc limit 2 after tables/ADSS/mappings/252612000002 >out &&
	cut -d" " -f1 out >actual &&
	printf "tables/ADSS/mappings/252612000003\ntables/ADSS/mappings/252612000005\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'runQuery: two filters ANDed' '
	$FS query datasets/D messages where SequenceNumber GREATER_THAN_OR_EQUAL 1 where Text EQUAL "\"MAYA\"" >out &&
	cut -d" " -f1 out >actual &&
	echo datasets/D/messages/m2 >expect &&
	test_cmp expect actual
'

test_expect_success 'typed values round trip through the store' '
	cat >data.json <<-\EOT &&
	{"null": null, "t": true, "f": false, "int": -9007199254740993, "dbl": 0.25, "str": "Soomaali \u00e9 \ud83d\ude00",
	 "arr": [1, "two", {"three": [3.5]}], "empty_arr": [], "map": {"a": {"b": null}}, "empty_map": {}}
	EOT
	{ printf "[{\"op\": \"set\", \"path\": \"types/one\", \"data\": " && cat data.json && echo "}]"; } >writes.json &&
	$FS commit <writes.json &&
	$FS get types/one >out &&
	head -1 out >actual &&
	printf "types/one {\"arr\":[1,\"two\",{\"three\":[3.5]}],\"dbl\":0.25,\"empty_arr\":[],\"empty_map\":{},\"f\":false,\"int\":-9007199254740993,\"map\":{\"a\":{\"b\":null}},\"null\":null,\"str\":\"Soomaali \303\251 \360\237\230\200\",\"t\":true}\n" >expect &&
	test_cmp expect actual &&
	jq -c ".documents[\"types/one\"].fields | [.int, .dbl, .empty_arr, .empty_map, .arr.arrayValue.values[0]]" state.json >actual &&
	echo "[{\"integerValue\":\"-9007199254740993\"},{\"doubleValue\":0.25},{\"arrayValue\":{}},{\"mapValue\":{}},{\"integerValue\":\"1\"}]" >expect &&
	test_cmp expect actual
'

test_expect_success 'ids with :, + and spaces are percent-encoded in URLs' '
	echo "[{\"op\": \"set\", \"path\": \"metrics/pipelines/pipeline_logs/2021-05-13T17:25:31.123456+00:00 x\", \"data\": {\"event\": \"PipelineRunStart\"}}]" >writes.json &&
	$FS commit <writes.json &&
	: >"$FS_LOG" &&
	$FS get "metrics/pipelines/pipeline_logs/2021-05-13T17:25:31.123456+00:00 x" >out &&
	echo "metrics/pipelines/pipeline_logs/2021-05-13T17:25:31.123456+00:00 x {\"event\":\"PipelineRunStart\"}" >expect &&
	head -1 out >actual &&
	test_cmp expect actual &&
	# The fake logs a request after answering it: wait for the line, and ignore a late commit line.
	i=0 && while ! grep -q pipeline_logs "$FS_LOG" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done &&
	jq -r .path "$FS_LOG" | grep -v ":commit\$" >actual &&
	echo "/v1/$DB/metrics/pipelines/pipeline_logs/2021-05-13T17%3A25%3A31.123456%2B00%3A00%20x" >expect &&
	test_cmp expect actual
'

test_expect_success 'a 503 and a reset on commit are retried' '
	fake_faults "[{\"path\": \":commit\", \"kind\": 503}, {\"path\": \":commit\", \"kind\": \"reset\"}]" "$FS_URL" &&
	echo "[{\"op\": \"set\", \"path\": \"retry/doc\", \"pre\": \"missing\", \"data\": {\"n\": 1}}]" >writes.json &&
	$FS commit <writes.json >out &&
	echo "committed 1 writes" >expect &&
	test_cmp expect out
'

test_expect_code 69 'a persistent 503: exit 69' '
	fake_faults "[{\"path\": \"retry/\", \"kind\": 503, \"count\": 100}]" "$FS_URL" &&
	TDTOOLS_HTTP_TRIES=2 $FS get retry/doc 2>err &&
	printf "%s\n" "firestore: GET $FS_URL/v1/$DB/retry/doc: HTTP 503 Service Unavailable (injected fault) (gave up after 2 tries) [503 UNAVAILABLE]" >expect &&
	test_cmp expect err
'

test_expect_code 77 '403 from Firestore: exit 77' '
	fake_faults "[{\"path\": \"retry/\", \"kind\": 403}]" "$FS_URL" &&
	$FS get retry/doc 2>err &&
	printf "%s\n" "firestore: GET $FS_URL/v1/$DB/retry/doc: HTTP 403 Forbidden (injected fault) [403 PERMISSION_DENIED]" >expect &&
	test_cmp expect err
'

test_expect_code 77 'without a key the emulator token "owner" is sent, which this fake does not accept' '
	$UNIT/firestore -P tdtools-test get retry/doc 2>err &&
	printf "%s\n" "firestore: GET $FS_URL/v1/$DB/retry/doc: HTTP 401 Unauthorized (Request had invalid authentication credentials.) [401 UNAUTHENTICATED]" >expect &&
	test_cmp expect err
'

test_expect_code 77 'no credentials and no emulator: exit 77' '
	env -u FIRESTORE_EMULATOR_HOST $UNIT/firestore -P p get a/b 2>err &&
	echo "firestore: no credentials for Firestore (give a service-account key file, or set FIRESTORE_EMULATOR_HOST)" >expect &&
	test_cmp expect err
'

test_expect_success 'JSON round trip of the value converter alone' '
	echo "{\"a\": [1, 2.5, null], \"b\": {}}" | $UNIT/firestore roundtrip >out &&
	cat >expect <<-\EOT &&
	{"mapValue":{"fields":{"a":{"arrayValue":{"values":[{"integerValue":"1"},{"doubleValue":2.5},{"nullValue":null}]}},"b":{"mapValue":{}}}}}
	{"a":[1,2.5,null],"b":{}}
	EOT
	test_cmp expect out
'

test_done
