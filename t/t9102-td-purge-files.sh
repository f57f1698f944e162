#!/bin/sh
# td-purge on small hand-made files: fb-fetch's layout (comments by uid in from.id, a reply quoting the
# participant's comment as its parent), flat records, an array left empty, CSV rows with quoted line breaks,
# exact bytes kept; a uid-only purge without a UUID table; bad input refused before anything is written.

. "$(dirname "$0")/test-lib.sh"

require_prog jq

U=avf-facebook-uuid-aaaa
O=avf-facebook-uuid-bbbb

mkdir -p "root/Raw Data" root/Outputs
jq '.UuidTable.FileURL = "nowhere/table.jsonl"' "$EXAMPLES/demo/config.json" >config.json
printf '[{"id": "1", "from": {"id": "%s"}, "message": "mine"}, {"id": "2", "from": {"id": "%s"}, "message": "yours"},\n {"id": "3", "from": {"id": "%s"}, "parent": {"id": "1", "from": {"id": "%s"}}, "message": "reply"}]\n' \
	$U $O $O $U >"root/Raw Data/ds_page_raw.json"
printf '[{"id": "1", "from": {"id": "%s"}}]\n[]\n[{"id": "2", "from": {"id": "%s"}}, {"id": "9", "from": {"id": "%s"}}]\n' \
	$U $O $U >"root/Raw Data/post_comments_log.jsonl"
printf '{"uid": "%s", "text": "mine"}\n\n{"uid": "%s", "text": "yours"}\n{"uid": "%s", "text": "caf\\u00e9"}' \
	$O $U $O >"root/Raw Data/ds_page.jsonl"
printf 'uid,text\r\n%s,"two\r\nlines, here"\r\n%s,"a ""quoted"" one"\r\n%s,plain\r\n' $O $U $O >root/Outputs/x.csv
printf '[\n  {\n    "id": "%s"\n  }\n]\n' $U >root/Outputs/only.json
cp -R root before

test_expect_success 'a uid without a table: every file rewritten, the rest byte for byte' '
	td-purge -c config.json --uid $U root >out &&
	cat >expect <<-EOT &&
	removed $U
	Outputs/only.json: 1 element
	Outputs/x.csv: 1 row
	Raw Data/ds_page.jsonl: 1 record
	Raw Data/ds_page_raw.json: 2 elements
	Raw Data/post_comments_log.jsonl: 2 elements
	total: 7 from 5 places
	EOT
	test_cmp expect out &&
	printf "[{\"id\": \"2\", \"from\": {\"id\": \"%s\"}, \"message\": \"yours\"}]\n" $O >expect &&
	test_cmp expect "root/Raw Data/ds_page_raw.json" &&
	printf "[]\n[]\n[{\"id\": \"2\", \"from\": {\"id\": \"%s\"}}]\n" $O >expect &&
	test_cmp expect "root/Raw Data/post_comments_log.jsonl" &&
	printf "{\"uid\": \"%s\", \"text\": \"mine\"}\n\n{\"uid\": \"%s\", \"text\": \"caf\\\\u00e9\"}" $O $O >expect &&
	test_cmp expect "root/Raw Data/ds_page.jsonl" &&
	printf "uid,text\r\n%s,\"two\r\nlines, here\"\r\n%s,plain\r\n" $O $O >expect &&
	test_cmp expect root/Outputs/x.csv &&
	printf "[]\n" >expect && test_cmp expect root/Outputs/only.json &&
	! grep -r $U root
'

test_expect_success 'again: nothing found, exit 1; the other participant likewise untouched by a dry run' '
	cp -R root after &&
	expect_code() { w=$1; shift; "$@"; r=$?; [ $r = $w ] || { echo "exit $r, expected $w" >&2; return 1; }; } &&
	expect_code 1 td-purge -c config.json --uid $U root 2>err &&
	echo "td-purge: $U: found nowhere (the data root, the UUID table): nothing removed" >expect &&
	test_cmp expect err &&
	td-purge -n -c config.json --uid $O root >out &&
	tail -1 out >actual &&
	echo "total: 6 from 4 places (dry run: nothing was changed)" >expect && test_cmp expect actual &&
	diff -r after root
'

test_expect_success 'a file that is not JSON: 65, nothing written' '
	printf "{\"uid\": \"%s\"}\nnot json\n" $O >root/Outputs/bad.jsonl &&
	cp -R root bad-before &&
	td-purge -c config.json --uid $O root 2>err; test $? = 65 &&
	grep "^td-purge: root/Outputs/bad.jsonl:2: " err &&
	diff -r bad-before root
'

test_expect_success 'a phone number needs the UUID table' '
	td-purge -c config.json --phone 252610000001 root 2>err; test $? = 66 &&
	echo "td-purge: config.json: no UUID table (UuidTable.FileURL) to look the phone number up in" >expect &&
	test_cmp expect err
'

test_done
