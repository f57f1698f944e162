#!/bin/sh
# coda-add and coda-get against the Firestore fake on 127.0.0.1 (FIRESTORE_EMULATOR_HOST), with a token
# from the OAuth fake: the same behaviour as the dir: store, and the requests themselves (document paths,
# typed values, create-only preconditions, server timestamps, batch sizes, the bearer token).
. "$(dirname "$0")/test-lib.sh"
require_prog python3
require_prog jq
require_prog openssl

export TDTOOLS_RETRY_BASE_MS=1
start_oauth_fake
start_fake firestore --tokens-file "$FAKE_TOKENS" --state "$TRASH/state.json" --start-time 2021-01-01T00:00:00Z
FS_URL=$FAKE_URL
FS_LOG=$FAKE_LOG
export FIRESTORE_EMULATOR_HOST=127.0.0.1:$FAKE_PORT
KEY=$GOOGLE_KEY
DB="projects/tdtools-test/databases/(default)/documents"

label="python3 $T_DIR/coda-label.py"
mask() { sed -E 's/("LastUpdated": )"[^"]*"/\1"X"/' "$@"; }
gen() {
	jq -n --argjson n "$1" --arg p "${2:-m}" '[range($n) | {MessageID: "\($p)\(.)", Text: "text \(.)",
		CreationDateTimeUTC: "2020-11-01T00:00:00+00:00", Labels: []}]'
}
# the commits sent so far: one line per commit, its writes
commits() { jq -c 'select(.method == "POST" and (.path | endswith(":commit"))) | .body.writes' "$FS_LOG"; }

cat >in.json <<'EOF'
[
  {"MessageID": "m1", "Text": "caf\u00e9 one", "CreationDateTimeUTC": "2020-11-01T10:00:00+00:00", "Labels": []},
  {"MessageID": "m2", "Text": "two", "CreationDateTimeUTC": "2020-11-01T11:00:00.500000+00:00", "Labels": [{"SchemeID": "Scheme-a", "CodeID": "code-x", "DateTimeUTC": "2020-11-02T00:00:00Z", "Checked": true, "Confidence": 0.5, "Origin": {"OriginID": "o", "Name": "n", "OriginType": "Manual"}}]}
]
EOF

test_expect_success 'coda-add: create-only writes of typed values, LastUpdated by the server, a bearer token' '
	coda-add "$KEY" DS in.json 2>err &&
	test_cmp /dev/null err &&
	commits >c &&
	jq -c "map(.update.name)" c >actual &&
	cat >expect <<-EOF &&
	["$DB/datasets/DS"]
	["$DB/datasets/DS/messages/m1","$DB/datasets/DS/messages/m2"]
	["$DB/datasets/DS/metrics/messages"]
	EOF
	test_cmp expect actual &&
	sed -n 2p c | jq -c ".[1]" >actual &&
	printf "%s\n" "{\"currentDocument\":{\"exists\":false},\"update\":{\"fields\":{\"CreationDateTimeUTC\":{\"stringValue\":\"2020-11-01T11:00:00.500000+00:00\"},\"Labels\":{\"arrayValue\":{\"values\":[{\"mapValue\":{\"fields\":{\"Checked\":{\"booleanValue\":true},\"CodeID\":{\"stringValue\":\"code-x\"},\"Confidence\":{\"doubleValue\":0.5},\"DateTimeUTC\":{\"stringValue\":\"2020-11-02T00:00:00Z\"},\"Origin\":{\"mapValue\":{\"fields\":{\"Name\":{\"stringValue\":\"n\"},\"OriginID\":{\"stringValue\":\"o\"},\"OriginType\":{\"stringValue\":\"Manual\"}}}},\"SchemeID\":{\"stringValue\":\"Scheme-a\"}}}}]}},\"MessageID\":{\"stringValue\":\"m2\"},\"SequenceNumber\":{\"integerValue\":\"1\"},\"Text\":{\"stringValue\":\"two\"}},\"name\":\"$DB/datasets/DS/messages/m2\"},\"updateTransforms\":[{\"fieldPath\":\"LastUpdated\",\"setToServerValue\":\"REQUEST_TIME\"}]}" >expect &&
	jq -cS . actual >a && jq -cS . expect >b && test_cmp b a &&
	jq -r "select(.path | startswith(\"/v1/\")) | .auth" "$FS_LOG" | sort -u >actual &&
	echo Bearer >expect &&
	test_cmp expect actual
'

test_expect_success 'coda-get: what get.py prints, LastUpdated from the server timestamp' '
	coda-get "$KEY" DS >out &&
	jq -r ".[] | .LastUpdated" out >actual &&
	printf "2021-01-01T00:00:00.002000+00:00\n2021-01-01T00:00:00.002000+00:00\n" >expect &&
	test_cmp expect actual &&
	mask out >actual &&
	cat >expect <<-\EOF &&
	[
	  {
	    "CreationDateTimeUTC": "2020-11-01T10:00:00+00:00",
	    "Labels": [],
	    "LastUpdated": "X",
	    "MessageID": "m1",
	    "SequenceNumber": 0,
	    "Text": "caf\u00e9 one"
	  },
	  {
	    "CreationDateTimeUTC": "2020-11-01T11:00:00.500000+00:00",
	    "Labels": [
	      {
	        "Checked": true,
	        "CodeID": "code-x",
	        "Confidence": 0.5,
	        "DateTimeUTC": "2020-11-02T00:00:00Z",
	        "Origin": {
	          "Name": "n",
	          "OriginID": "o",
	          "OriginType": "Manual"
	        },
	        "SchemeID": "Scheme-a"
	      }
	    ],
	    "LastUpdated": "X",
	    "MessageID": "m2",
	    "SequenceNumber": 1,
	    "Text": "two"
	  }
	]
	EOF
	test_cmp expect actual &&
	printf "%s" "{\"messages_count\": 2, \"messages_with_label\": 1, \"not_coded_messages\": 0, \"wrong_scheme_messages\": 0}" >expect &&
	jq -j ".documents[\"datasets/DS/metrics/messages\"].fields | map_values(.integerValue | tonumber) | \"{\\\"messages_count\\\": \(.messages_count), \\\"messages_with_label\\\": \(.messages_with_label), \\\"not_coded_messages\\\": \(.not_coded_messages), \\\"wrong_scheme_messages\\\": \(.wrong_scheme_messages)}\"" state.json >actual &&
	test_cmp expect actual
'

test_expect_success 'the same file again: nothing written; a labelled message is never touched' '
	commits | wc -l >before &&
	coda-add -v "$KEY" DS in.json 2>err &&
	echo "coda-add: DS: added 0 messages, skipped 2 already there" >expect &&
	test_cmp expect err &&
	commits | wc -l >after &&
	test_cmp before after &&
	jq ".[0] | .Labels = [{SchemeID: \"Scheme-a\", CodeID: \"code-y\", DateTimeUTC: \"2021-01-01T00:00:00Z\", Checked: true, Origin: {OriginID: \"c\", Name: \"c\", OriginType: \"Manual\"}}] | [.]" in.json >coded.json &&
	$label "$FS_URL" DS coded.json --time 2030-01-01T00:00:00.000000+00:00 >out &&
	echo "1 labelled, 0 not in the store" >expect &&
	test_cmp expect out &&
	jq -c ".documents[\"datasets/DS/messages/m1\"]" state.json >m1.before &&
	gen 3 n >more.json &&
	jq -s "add" coded.json more.json >more2.json &&
	coda-add -v "$KEY" DS more2.json 2>err &&
	echo "coda-add: DS: added 3 messages (SequenceNumber 2 to 4), skipped 1 already there; 1 segment (0 new)" >expect &&
	test_cmp expect err &&
	jq -c ".documents[\"datasets/DS/messages/m1\"]" state.json >m1.after &&
	test_cmp m1.before m1.after
'

test_expect_success 'incremental coda-get: a runQuery on LastUpdated (a timestamp), merged into the export' '
	coda-get "$KEY" DS >export.json &&
	jq "[.[2]] | map(.Labels = [{SchemeID: \"Scheme-a\", CodeID: \"code-z\", DateTimeUTC: \"2021-01-01T00:00:00Z\", Checked: true, Origin: {OriginID: \"c\", Name: \"c\", OriginType: \"Manual\"}}])" export.json >coded2.json &&
	$label "$FS_URL" DS coded2.json --time 2031-01-01T00:00:00.000000+00:00 &&
	: >"$FS_LOG" &&
	coda-get -v --previous-export export.json "$KEY" DS >inc.json 2>err &&
	echo "coda-get: DS: 5 messages (incremental)" >expect &&
	test_cmp expect err &&
	jq -c "select(.path | endswith(\":runQuery\")) | .body.structuredQuery.where" "$FS_LOG" >actual &&
	echo "{\"fieldFilter\":{\"field\":{\"fieldPath\":\"LastUpdated\"},\"op\":\"GREATER_THAN\",\"value\":{\"timestampValue\":\"2030-01-01T00:00:00.000000Z\"}}}" >expect &&
	test_cmp expect actual &&
	jq -r ".[] | \"\(.SequenceNumber) \(.MessageID) \(.Labels | map(.CodeID) | join(\",\"))\"" inc.json >actual &&
	cat >expect <<-\EOF &&
	0 m1 code-y
	1 m2 code-x
	2 n0 code-z
	3 n1 
	4 n2 
	EOF
	test_cmp expect actual &&
	coda-get "$KEY" DS >full.json &&
	test_cmp full.json inc.json
'

test_expect_large 'batches of 250, and a second segment after 2,500 messages' '
	: >"$FS_LOG" &&
	gen 2600 b >big.json &&
	coda-add -v "$KEY" BIG big.json 2>err &&
	echo "coda-add: BIG: added 2600 messages (SequenceNumber 0 to 2599), skipped 0 already there; 2 segments (1 new)" >expect &&
	test_cmp expect err &&
	commits | jq -c "[length, (map(.update.name | split(\"/\")[6]) | unique)]" >actual &&
	cat >expect <<-\EOF &&
	[1,["BIG"]]
	[250,["BIG"]]
	[250,["BIG"]]
	[250,["BIG"]]
	[250,["BIG"]]
	[250,["BIG"]]
	[250,["BIG"]]
	[250,["BIG"]]
	[250,["BIG"]]
	[250,["BIG"]]
	[250,["BIG"]]
	[1,["BIG_2"]]
	[1,["BIG"]]
	[100,["BIG_2"]]
	[1,["BIG"]]
	[1,["BIG_2"]]
	EOF
	test_cmp expect actual &&
	jq -c ".documents[\"segment_counts/BIG\"].fields" state.json >actual &&
	echo "{\"segment_count\":{\"integerValue\":\"2\"}}" >expect &&
	test_cmp expect actual &&
	coda-get "$KEY" BIG | jq -c "[length, map(.SequenceNumber) == [range(2600)]]" >actual &&
	echo "[2600,true]" >expect &&
	test_cmp expect actual
'

test_expect_success 'killed after two batches, then re-run: each message once, SequenceNumbers consecutive' '
	gen 700 k >k.json &&
	{ TDTOOLS_TEST_KILL_AFTER_BATCHES=2 coda-add "$KEY" K k.json; test $? = 137; } &&
	coda-get "$KEY" K | jq length >actual && echo 500 >expect && test_cmp expect actual &&
	coda-add "$KEY" K k.json &&
	coda-get "$KEY" K | jq -c "[length, (map(.MessageID) | unique | length), map(.SequenceNumber) == [range(700)]]" >actual &&
	echo "[700,700,true]" >expect &&
	test_cmp expect actual
'

test_expect_success 'two runs at once: create-only writes, each message once' '
	gen 800 c >c.json &&
	{ coda-add "$KEY" C c.json & p1=$!; } &&
	{ coda-add "$KEY" C c.json & p2=$!; } &&
	wait $p1 && wait $p2 &&
	coda-get "$KEY" C | jq -c "[length, (map(.MessageID) | unique | length), (map(.SequenceNumber) | sort) == [range(800)]]" >actual &&
	echo "[800,800,true]" >expect &&
	test_cmp expect actual
'

test_expect_success 'schemes and users' '
	cat >scheme.json <<-\EOF &&
	{"SchemeID": "Scheme-s", "Name": "s", "Version": "0.0.1", "Codes": [
	  {"CodeID": "code-a", "CodeType": "Normal", "DisplayText": "a", "NumericValue": 1, "StringValue": "a", "VisibleInCoda": true}]}
	EOF
	coda-add "$KEY" DS schemes scheme.json &&
	jq -r ".documents | keys[] | select(test(\"code_schemes\"))" state.json >actual &&
	echo datasets/DS/code_schemes/Scheme-s >expect &&
	test_cmp expect actual &&
	coda-get "$KEY" DS schemes >out &&
	jq -S "[.]" scheme.json | sed -e "s/, *$/,/" >expect &&
	test_cmp expect out &&
	echo "[\"a@example.org\"]" >users.json &&
	coda-add "$KEY" DS users users.json &&
	coda-get "$KEY" DS users >out &&
	printf "[\n  \"a@example.org\"\n]\n" >expect &&
	test_cmp expect out
'

test_expect_success 'a malformed file: 65 and no request at all' '
	: >"$FS_LOG" &&
	printf "[{\"MessageID\": \"x\"}]" >bad.json &&
	{ coda-add "$KEY" DS bad.json 2>err; test $? = 65; } &&
	echo "coda-add: bad.json: [0].Text: missing (expected a non-empty string)" >expect &&
	test_cmp expect err &&
	test_cmp /dev/null "$FS_LOG"
'

test_expect_success 'bad credentials: 77, and no secret printed' '
	google_key other &&
	google_sa_json other "$OAUTH_URL/token" >other.json &&
	{ coda-get other.json DS >out 2>err; test $? = 77; } &&
	grep "^coda-get: .*other.json: the token endpoint refused the key" err &&
	! grep -e "PRIVATE KEY" -e "$(sed -n 2p other.pem)" err &&
	{ coda-add other.json DS in.json 2>err; test $? = 77; } &&
	! grep -e "PRIVATE KEY" -e "$(sed -n 2p other.pem)" err &&
	jq ".private_key = \"-----BEGIN PRIVATE KEY-----SECRETSECRET\"" other.json >broken.json &&
	{ coda-get broken.json DS 2>err; test $? = 77; } &&
	! grep SECRET err
'

test_done
