#!/bin/sh
# coda-add and coda-get on a dir: store: the layout, get.py's format, never adding a message twice, never
# touching a labelled one, SequenceNumbers, metrics, schemes and users, dry runs, bad files and bad stores.
. "$(dirname "$0")/test-lib.sh"
require_prog jq
require_prog python3

label="python3 $T_DIR/coda-label.py"
# LastUpdated is the commit time: masked wherever bytes are compared.
mask() { sed -E 's/("LastUpdated": )"[^"]*"/\1"X"/' "$@"; }
# every file of a store with its checksum, to see that nothing changed
snapshot() { (cd "$1" && find . -type f -print | LC_ALL=C sort | xargs cksum); }

# test_expect_code_ CODE CMD...: run CMD with stderr in ./err; its exit code must be CODE
test_expect_code_() {
	want=$1
	shift
	"$@" 2>err
	got=$?
	[ "$got" = "$want" ] || { echo "exit $got, expected $want: $*" >&2; cat err >&2; return 1; }
}

cat >in.json <<'EOF'
[
  {"MessageID": "m1", "Text": "caf\u00e9 one", "CreationDateTimeUTC": "2020-11-01T10:00:00+00:00", "Labels": []},
  {"MessageID": "m2", "Text": "two", "CreationDateTimeUTC": "2020-11-01T11:00:00.500000+00:00", "Labels": [{"SchemeID": "Scheme-a", "CodeID": "code-x", "DateTimeUTC": "2020-11-02T00:00:00Z", "Checked": true, "Confidence": 0.5, "Origin": {"OriginID": "o", "Name": "n", "OriginType": "Manual"}}]}
]
EOF

test_expect_success 'a fresh dir: store gets the messages, with SequenceNumbers from 0' '
	coda-add dir:st DS in.json 2>err &&
	test_cmp /dev/null err &&
	(cd st && find . -type f | LC_ALL=C sort) >actual &&
	cat >expect <<-\EOF &&
	./datasets/DS.json
	./datasets/DS/messages/m1.json
	./datasets/DS/messages/m2.json
	./datasets/DS/metrics/messages.json
	./locks/DS.lock
	EOF
	test_cmp expect actual &&
	printf "{\"users\": []}" >expect &&
	test_cmp expect st/datasets/DS.json &&
	printf "%s" "{\"messages_count\": 2, \"messages_with_label\": 1, \"not_coded_messages\": 0, \"wrong_scheme_messages\": 0}" >expect &&
	test_cmp expect st/datasets/DS/metrics/messages.json &&
	mask st/datasets/DS/messages/m1.json >actual &&
	printf "%s" "{\"CreationDateTimeUTC\": \"2020-11-01T10:00:00+00:00\", \"Labels\": [], \"LastUpdated\": \"X\", \"MessageID\": \"m1\", \"SequenceNumber\": 0, \"Text\": \"caf\\u00e9 one\"}" >expect &&
	test_cmp expect actual &&
	grep -E "\"LastUpdated\": \"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\+00:00\"" st/datasets/DS/messages/m2.json
'

test_expect_success 'coda-get prints what get.py prints: indent 2, keys sorted, ordered by SequenceNumber' '
	coda-get dir:st DS >out &&
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
	coda-get dir:st DS messages >out2 &&
	test_cmp out out2 &&
	coda-get -o out3 dir:st DS &&
	test_cmp out out3
'

test_expect_success 'adding the same file again adds nothing and changes nothing' '
	snapshot st >before &&
	coda-add -v dir:st DS in.json 2>err &&
	echo "coda-add: DS: added 0 messages, skipped 2 already there" >expect &&
	test_cmp expect err &&
	snapshot st >after &&
	test_cmp before after
'

test_expect_success 'labelled messages are never touched; new ones continue the SequenceNumbers' '
	jq ".[0] | .Labels = [{SchemeID: \"Scheme-a\", CodeID: \"code-y\", DateTimeUTC: \"2021-01-01T00:00:00Z\", Checked: true, Origin: {OriginID: \"c\", Name: \"c\", OriginType: \"Manual\"}}] | [.]" in.json >coded.json &&
	$label st DS coded.json --time 2030-01-01T00:00:00.000000+00:00 >out &&
	echo "1 labelled, 0 not in the store" >expect &&
	test_cmp expect out &&
	cp st/datasets/DS/messages/m1.json m1.before &&
	cat >more.json <<-\EOF &&
	[{"MessageID": "m1", "Text": "caf\u00e9 one", "CreationDateTimeUTC": "2020-11-01T10:00:00+00:00", "Labels": []},
	 {"MessageID": "m3", "Text": "three", "CreationDateTimeUTC": "2020-11-01T12:00:00+00:00", "Labels": []},
	 {"MessageID": "m4", "Text": "four", "CreationDateTimeUTC": "2020-11-01T13:00:00+00:00", "Labels": []}]
	EOF
	coda-add -v dir:st DS more.json 2>err &&
	echo "coda-add: DS: added 2 messages (SequenceNumber 2 to 3), skipped 1 already there; 1 segment (0 new)" >expect &&
	test_cmp expect err &&
	test_cmp m1.before st/datasets/DS/messages/m1.json &&
	coda-get dir:st DS | jq -r ".[] | \"\(.SequenceNumber) \(.MessageID) \(.Labels | map(.CodeID) | join(\",\"))\"" >actual &&
	cat >expect <<-\EOF &&
	0 m1 code-y
	1 m2 code-x
	2 m3 
	3 m4 
	EOF
	test_cmp expect actual &&
	printf "%s" "{\"messages_count\": 4, \"messages_with_label\": 2, \"not_coded_messages\": 0, \"wrong_scheme_messages\": 0}" >expect &&
	test_cmp expect st/datasets/DS/metrics/messages.json
'

test_expect_success 'a SequenceNumber in the file is kept; the next ones follow the highest' '
	cat >seq.json <<-\EOF &&
	[{"MessageID": "m10", "Text": "ten", "CreationDateTimeUTC": "2020-11-01T12:00:00+00:00", "Labels": [], "SequenceNumber": 10},
	 {"MessageID": "m11", "Text": "eleven", "CreationDateTimeUTC": "2020-11-01T12:00:00+00:00", "Labels": []}]
	EOF
	coda-add dir:st SEQ seq.json &&
	coda-get dir:st SEQ | jq -r ".[] | \"\(.SequenceNumber) \(.MessageID)\"" >actual &&
	printf "10 m10\n11 m11\n" >expect &&
	test_cmp expect actual
'

test_expect_success '--dry-run says what would be added and writes nothing' '
	snapshot st >before &&
	jq ". + [{MessageID: \"m5\", Text: \"five\", CreationDateTimeUTC: \"2020-11-01T12:00:00+00:00\", Labels: []}]" more.json >dry.json &&
	coda-add --dry-run dir:st DS dry.json >out 2>err &&
	echo "DS: would add 1 message, skip 3 already there" >expect &&
	test_cmp expect out &&
	test_cmp /dev/null err &&
	snapshot st >after &&
	test_cmp before after
'

test_expect_success 'metrics count checked labels by their newest label per scheme: WS and NC too' '
	cat >scheme.json <<-\EOF &&
	{"SchemeID": "Scheme-s", "Name": "s", "Version": "0.0.1", "Codes": [
	  {"CodeID": "code-a", "CodeType": "Normal", "DisplayText": "a", "NumericValue": 1, "StringValue": "a", "VisibleInCoda": true},
	  {"CodeID": "code-NC", "CodeType": "Control", "ControlCode": "NC", "DisplayText": "NC", "NumericValue": -30, "StringValue": "NC", "VisibleInCoda": true},
	  {"CodeID": "code-WS", "CodeType": "Control", "ControlCode": "WS", "DisplayText": "WS", "NumericValue": -100, "StringValue": "WS", "VisibleInCoda": true}]}
	EOF
	coda-add -v dir:st MET schemes scheme.json 2>err &&
	echo "coda-add: MET: added 1 code scheme, skipped 0 already there" >expect &&
	test_cmp expect err &&
	lab() { printf "{\"SchemeID\": \"Scheme-s\", \"CodeID\": \"%s\", \"DateTimeUTC\": \"2021-01-01T00:00:00Z\", \"Checked\": %s, \"Origin\": {\"OriginID\": \"c\", \"Name\": \"c\", \"OriginType\": \"Manual\"}}" "$1" "$2"; } &&
	msg() { id=$1; shift; printf "{\"MessageID\": \"%s\", \"Text\": \"t\", \"CreationDateTimeUTC\": \"2020-11-01T00:00:00+00:00\", \"Labels\": [%s]}" "$id" "$*"; } &&
	{
		echo "[" &&
		msg a "$(lab code-a true)" && echo "," &&
		msg ws "$(lab code-WS true), $(lab code-a true)" && echo "," &&
		msg nc "$(lab code-NC true)" && echo "," &&
		msg unchecked "$(lab code-WS false)" && echo "," &&
		msg cleared "$(lab SPECIAL-MANUALLY_UNCODED true), $(lab code-a true)" && echo "," &&
		msg none "" &&
		echo "]"
	} >met.json &&
	coda-add dir:st MET met.json &&
	printf "%s" "{\"messages_count\": 6, \"messages_with_label\": 3, \"not_coded_messages\": 1, \"wrong_scheme_messages\": 1}" >expect &&
	test_cmp expect st/datasets/MET/metrics/messages.json
'

test_expect_success 'schemes and users: added once, printed as get.py prints them' '
	coda-add -v dir:st MET schemes scheme.json 2>err &&
	echo "coda-add: MET: added 0 code schemes, skipped 1 already there" >expect &&
	test_cmp expect err &&
	coda-get dir:st MET schemes >out &&
	jq -S "[.]" scheme.json | sed -e "s/, *$/,/" >expect &&
	test_cmp expect out &&
	echo "[\"a@example.org\", \"b@example.org\"]" >users.json &&
	coda-add dir:st MET users users.json &&
	echo "[\"b@example.org\", \"c@example.org\"]" >users2.json &&
	coda-add -v dir:st MET users users2.json 2>err &&
	echo "coda-add: MET: added 1 user, skipped 1 already there" >expect &&
	test_cmp expect err &&
	coda-get dir:st MET users >out &&
	printf "[\n  \"a@example.org\",\n  \"b@example.org\",\n  \"c@example.org\"\n]\n" >expect &&
	test_cmp expect out
'

test_expect_success 'a dataset the store does not have: no messages, no schemes; its users are an error' '
	coda-get dir:st NOPE >out &&
	echo "[]" >expect &&
	test_cmp expect out &&
	coda-get dir:st NOPE schemes >out &&
	test_cmp expect out &&
	test_expect_code_ 66 coda-get dir:st NOPE users &&
	echo "coda-get: dir:st: no dataset '"'"'NOPE'"'"'" >expect &&
	test_cmp expect err
'

test_expect_success 'a malformed messages file: 65, the store unchanged' '
	snapshot st >before &&
	printf "[{\"MessageID\": \"x\"" >bad1.json &&
	test_expect_code_ 65 coda-add dir:st DS bad1.json &&
	echo "coda-add: bad1.json:1:19: invalid JSON: unexpected end of input" >expect &&
	test_cmp expect err &&
	echo "[{\"MessageID\": \"x\", \"CreationDateTimeUTC\": \"2020-11-01T00:00:00Z\", \"Labels\": []}]" >bad2.json &&
	test_expect_code_ 65 coda-add dir:st DS bad2.json &&
	echo "coda-add: bad2.json: [0].Text: missing (expected a non-empty string)" >expect &&
	test_cmp expect err &&
	jq ". + [.[0]]" more.json >bad3.json &&
	test_expect_code_ 65 coda-add dir:st DS bad3.json &&
	echo "coda-add: bad3.json: [3].MessageID: duplicate MessageID '"'"'m1'"'"' (first at [0])" >expect &&
	test_cmp expect err &&
	jq ".[1].MessageID = \"a/b\"" more.json >bad4.json &&
	test_expect_code_ 65 coda-add dir:st NEW bad4.json &&
	echo "coda-add: bad4.json: [1].MessageID: '"'"'a/b'"'"' holds a '"'"'/'"'"' (expected an id Coda'"'"'s Firestore can store)" >expect &&
	test_cmp expect err &&
	echo "{\"SchemeID\": \"s\"}" >bad5.json &&
	test_expect_code_ 65 coda-add dir:st DS schemes bad5.json &&
	echo "[1]" >bad6.json &&
	test_expect_code_ 65 coda-add dir:st DS users bad6.json &&
	echo "coda-add: bad6.json: [0]: expected a non-empty string (an e-mail address)" >expect &&
	test_cmp expect err &&
	snapshot st >after &&
	test_cmp before after
'

test_expect_success 'a previous export that is not one: 65' '
	echo "[{\"MessageID\": \"m1\"}]" >prev.json &&
	test_expect_code_ 65 coda-get --previous-export prev.json dir:st DS &&
	echo "coda-get: prev.json: [0].SequenceNumber: missing (expected an integer)" >expect &&
	test_cmp expect err
'

test_expect_success 'bad credentials: 77, and nothing of the file is printed' '
	printf "{\"type\": \"authorized_user\", \"private_key\": \"-----BEGIN PRIVATE KEY-----SECRETSECRET\"}" >key.json &&
	test_expect_code_ 77 coda-get key.json DS &&
	echo "coda-get: key.json: not a service-account key (expected \"type\": \"service_account\")" >expect &&
	test_cmp expect err &&
	test_expect_code_ 77 coda-add key.json DS in.json &&
	! grep SECRET err &&
	printf "SECRETSECRET not json" >key2.json &&
	test_expect_code_ 77 coda-add key2.json DS in.json &&
	echo "coda-add: key2.json: not a service-account key (expected a JSON object)" >expect &&
	test_cmp expect err &&
	chmod 000 key.json &&
	if [ "$(id -u)" != 0 ]; then test_expect_code_ 77 coda-get key.json DS && ! grep SECRET err; fi &&
	test_expect_code_ 66 coda-get nowhere.json DS &&
	echo "coda-get: nowhere.json: no such credentials file (a store is dir:PATH or a service-account key file)" >expect &&
	test_cmp expect err
'

test_expect_success 'missing files 66, usage errors 64' '
	test_expect_code_ 66 coda-add dir:st DS missing.json &&
	echo "coda-add: missing.json: no such file" >expect &&
	test_cmp expect err &&
	test_expect_code_ 66 coda-get --previous-export missing.json dir:st DS &&
	test_expect_code_ 64 coda-add dir:st DS &&
	test_expect_code_ 64 coda-add dir:st DS things in.json &&
	echo "coda-add: '"'"'things'"'"': unknown content type (expected messages, users or schemes)" >expect &&
	test_cmp expect err &&
	test_expect_code_ 64 coda-get dir:st &&
	test_expect_code_ 64 coda-get --previous-export in.json dir:st DS users &&
	test_expect_code_ 64 coda-get dir: DS &&
	test_expect_code_ 64 coda-get "" DS
'

test_done
