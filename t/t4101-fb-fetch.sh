#!/bin/sh
# fb-fetch on a small page served by the fake Graph API: the TracedData bytes, paging, post search, the UUID
# table, de-identification, the metrics CSV, and configuration and usage errors.
. "$(dirname "$0")/test-lib.sh"
require_shared
require_prog jq
require_prog python3

# graph_config IN OUT: IN with every Facebook source's GraphAPIBaseURL on the fake
graph_config() {
	jq --arg u "$FAKE_URL/v8.0" '.RawDataSources |= map(if .SourceType == "Facebook" then
		. + {GraphAPIBaseURL: $u} else . end)' "$1" >"$2"
}

ibtci_config facebook ibtci.json
jq '.UuidTable.FileURL = "uuids.table" | .RawDataSources = [{SourceType: "Facebook", PageID: "111",
	TokenFileURL: "token.txt", Datasets: [
	{Name: "fb_a", PostIDs: ["111_1", "111_2", "111_6"]},
	{Name: "fb_b", PostIDs: ["111_1"], Search: {Match: "#Hage", StartDate: "2020-12-21T00:00+03:00",
		EndDate: "2020-12-27T24:00+03:00"}}]}]' ibtci.json >base.json
echo "  EAAB-page-token-s3cr3t  " >token.txt && chmod 600 token.txt
cat >uuids.table <<'TABLE'
{"data": "10158000000000001", "uuid": "avf-facebook-uuid-0000000a-0000-4000-8000-000000000001"}
{"data": "10158000000000002", "uuid": "avf-facebook-uuid-0000000b-0000-4000-8000-000000000002"}
TABLE
chmod 600 uuids.table

python3 - <<'PY'
import json
alice = {"id": "10158000000000001", "name": "Alice Realname"}
bob = {"id": "10158000000000002"}
posts = [
    {"id": "111_1", "message": "Episode 1, \"quoted\"\nwith #Hage", "created_time": "2020-12-22T10:00:00+0000",
     "attachments": {"data": [{"type": "photo", "media": {"image": {"src": "https://x/y.jpg"}}}]},
     "total_count": 5,
     "insights": {"post_impressions": 1200, "post_impressions_unique": 800, "post_engaged_users": 75,
                  "post_reactions_by_type_total": {"like": 30, "love": 4, "haha": 1}},
     "comments": [
        {"created_time": "2020-12-22T11:00:00+0000", "from": alice, "message": "Haa, waan ku raacsanahay \u2713 \U0001F600",
         "id": "111_1_c1"},
        {"created_time": "2020-12-22T12:30:05+0000", "from": bob,
         "parent": {"created_time": "2020-12-22T11:00:00+0000", "from": alice, "message": "Haa", "id": "111_1_c1"},
         "attachments": {"data": [{"type": "sticker"}]}, "id": "111_1_c2"},
        {"created_time": "2020-12-22T13:00:00+0000", "message": "author hidden", "id": "111_1_c3"}]},
    {"id": "111_2", "message": "Video episode", "created_time": "2020-12-20T10:00:00+0000",
     "attachments": {"data": [{"type": "video_inline"}]},
     "insights": {"post_impressions": 10, "post_impressions_unique": 9, "post_engaged_users": 8,
                  "post_reactions_by_type_total": {}},
     "comments": [{"created_time": "2020-12-20T11:%02d:%02d+0000" % (i // 60, i % 60), "from": {"id": str(20000000000000 + i)},
                   "message": "comment %d" % i, "id": "111_2_c%d" % i} for i in range(250)]},
    {"id": "111_3", "message": "#Hage week 2", "created_time": "2020-12-23T09:00:00+0000",
     "attachments": {"data": [{"type": "video_direct_response"}]},
     "insights": {"post_impressions": 5, "post_impressions_unique": 4, "post_engaged_users": 3,
                  "post_reactions_by_type_total": {"like": 2}},
     "comments": [{"created_time": "2020-12-23T10:00:00+0000", "from": alice, "message": "again", "id": "111_3_c1"}]},
    {"id": "111_4", "message": "no tag", "created_time": "2020-12-24T09:00:00+0000", "comments": []},
    {"id": "111_5", "message": "#Hage too late", "created_time": "2020-12-27T21:00:01+0000", "comments": []},
    {"id": "111_6", "created_time": "2020-12-19T09:00:00+0000", "comments": [],
     "insights": {"post_impressions": 1, "post_impressions_unique": 1, "post_engaged_users": 0,
                  "post_reactions_by_type_total": {"like": 0}}},
]
json.dump({"pages": {"111": {"token": "EAAB-page-token-s3cr3t", "posts": posts}}}, open("data.json", "w"))
PY
start_fake graph --data data.json
graph_config base.json fetch.json

test_expect_success 'fetch: every dataset, with metrics' '
	fb-fetch -c fetch.json -r "root/Raw Data" -d "root/Engagement Metrics" 2>err &&
	cat >expect <<-\EOF &&
	fb-fetch: post 111_1: comment 111_1_c3 has no author id ("from"): skipped
	fb-fetch: post 111_1: comment 111_1_c3 has no author id ("from"): skipped
	fb-fetch: post 111_6: no text: Post Text left empty
	fb-fetch: post 111_6: the post has no attachments (every post must have a photo or video attachment): Post Type left empty
	EOF
	test_cmp expect err &&
	(cd "root/Raw Data" && ls) >actual &&
	cat >expect <<-\EOF &&
	111_1_comments_log.jsonl
	111_2_comments_log.jsonl
	111_3_comments_log.jsonl
	111_6_comments_log.jsonl
	fb_a_111.jsonl
	fb_a_111_raw.json
	fb_b_111.jsonl
	fb_b_111_raw.json
	EOF
	test_cmp expect actual
'

test_expect_success 'the TracedData: one entry per comment, ids de-identified, times in isoformat' '
	cat >expect <<-\EOF &&
	[{"Data": {"avf_facebook_id": "avf-facebook-uuid-0000000a-0000-4000-8000-000000000001", "fb_b.created_time": "2020-12-22T11:00:00+00:00", "fb_b.from": {"id": "avf-facebook-uuid-0000000a-0000-4000-8000-000000000001"}, "fb_b.id": "111_1_c1", "fb_b.message": "Haa, waan ku raacsanahay \u2713 \ud83d\ude00", "fb_b.parent": {}, "fb_b.post": {"attachments": {"data": [{"media": {"image": {"src": "https://x/y.jpg"}}, "type": "photo"}]}, "id": "111_1"}}, "Metadata": {"Source": "fb-fetch 0.1.0", "Timestamp": "2020-09-13T12:26:40.000000+00:00", "User": "test@tdtools"}, "NestedTracedData": {}, "SHA": "SHA1"}]
	[{"Data": {"avf_facebook_id": "avf-facebook-uuid-0000000b-0000-4000-8000-000000000002", "fb_b.attachments": {"data": [{"type": "sticker"}]}, "fb_b.created_time": "2020-12-22T12:30:05+00:00", "fb_b.from": {"id": "avf-facebook-uuid-0000000b-0000-4000-8000-000000000002"}, "fb_b.id": "111_1_c2", "fb_b.parent": {"created_time": "2020-12-22T11:00:00+0000", "from": {"id": "avf-facebook-uuid-0000000a-0000-4000-8000-000000000001"}, "id": "111_1_c1", "message": "Haa"}, "fb_b.post": {"attachments": {"data": [{"media": {"image": {"src": "https://x/y.jpg"}}, "type": "photo"}]}, "id": "111_1"}}, "Metadata": {"Source": "fb-fetch 0.1.0", "Timestamp": "2020-09-13T12:26:40.000000+00:00", "User": "test@tdtools"}, "NestedTracedData": {}, "SHA": "SHA2"}]
	[{"Data": {"avf_facebook_id": "avf-facebook-uuid-0000000a-0000-4000-8000-000000000001", "fb_b.created_time": "2020-12-23T10:00:00+00:00", "fb_b.from": {"id": "avf-facebook-uuid-0000000a-0000-4000-8000-000000000001"}, "fb_b.id": "111_3_c1", "fb_b.message": "again", "fb_b.parent": {}, "fb_b.post": {"attachments": {"data": [{"type": "video_direct_response"}]}, "id": "111_3"}}, "Metadata": {"Source": "fb-fetch 0.1.0", "Timestamp": "2020-09-13T12:26:40.000000+00:00", "User": "test@tdtools"}, "NestedTracedData": {}, "SHA": "SHA3"}]
	EOF
	sed -E "s/\"SHA\": \"[0-9a-f]{64}\"/\"SHA\": \"SHA\"/" "root/Raw Data/fb_b_111.jsonl" >actual &&
	sed -E "s/\"SHA\": \"SHA[0-9]\"/\"SHA\": \"SHA\"/" expect >expect.masked &&
	test_cmp expect.masked actual &&
	td-cat --verify -q "root/Raw Data/fb_b_111.jsonl" "root/Raw Data/fb_a_111.jsonl"
'

test_expect_success 'PostIDs then Search: the matching posts of the window, each once, in API order' '
	jq -r "select(.path | contains(\"/published_posts\")) | .path" "$FAKE_LOG" >actual &&
	echo "/v8.0/111/published_posts?fields=message%2Ccreated_time&limit=100&since=2020-12-20T21%3A00%3A00Z&until=2020-12-27T21%3A00%3A00Z" >expect &&
	test_cmp expect actual &&
	td-cat --flat "root/Raw Data/fb_b_111.jsonl" | jq -r "[.\"fb_b.post\".id, .\"fb_b.id\"] | join(\" \")" >actual &&
	printf "111_1 111_1_c1\n111_1 111_1_c2\n111_3 111_3_c1\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'every page of comments, in order (250 comments at 100 a page)' '
	jq -r .path "$FAKE_LOG" >paths &&
	grep -c "/111_2/comments" paths >actual && echo 3 >expect && test_cmp expect actual &&
	grep "/111_2/comments.*after=200" paths &&
	td-cat --flat "root/Raw Data/fb_a_111.jsonl" | jq -r ".\"fb_a.id\"" >actual &&
	{ echo 111_1_c1 && echo 111_1_c2 && seq 0 249 | sed "s/^/111_2_c/"; } >expect &&
	test_cmp expect actual &&
	jq -r .auth "$FAKE_LOG" | sort -u >actual && echo Bearer >expect && test_cmp expect actual
'

test_expect_success 'the UUID table: new commenters get new uids, known ones keep theirs' '
	test "$(wc -l <uuids.table)" = 252 &&
	sed 1,2d uuids.table | jq -r .uuid | grep -cE "^avf-facebook-uuid-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" >actual &&
	echo 250 >expect && test_cmp expect actual &&
	td-cat --flat "root/Raw Data/fb_a_111.jsonl" | jq -r .avf_facebook_id | sort -u | wc -l | tr -d " " >actual &&
	echo 252 >expect && test_cmp expect actual
'

test_expect_success 'no raw id, author name or token under the data root' '
	! grep -rlE "10158000000000001|10158000000000002|200000000000[0-9]{2}|Realname|s3cr3t" root &&
	grep -c "avf-facebook-uuid-" "root/Raw Data/111_1_comments_log.jsonl" &&
	jq -r ".[].from.id" "root/Raw Data/fb_b_111_raw.json" >actual &&
	printf "%s\n" avf-facebook-uuid-0000000a-0000-4000-8000-000000000001 \
		avf-facebook-uuid-0000000b-0000-4000-8000-000000000002 \
		avf-facebook-uuid-0000000a-0000-4000-8000-000000000001 >expect &&
	test_cmp expect actual
'

test_expect_success 'the metrics CSV: one row per dataset and post, sorted, Python csv quoting' '
	cat >expect <<-\EOF &&
	Page ID,Dataset,Post URL,Post Created Time,Post Text,Post Type,Post Impressions,Unique Post Impressions,Post Engaged Users,Total Comments,Visible (analysed) Comments,Reactions
	111,fb_a,facebook.com/111_6,2020-12-19T09:00:00+0000,,,1,1,0,0,0,0
	111,fb_a,facebook.com/111_2,2020-12-20T10:00:00+0000,Video episode,video,10,9,8,250,250,0
	111,fb_a,facebook.com/111_1,2020-12-22T10:00:00+0000,"Episode 1, ""quoted""
	with #Hage",photo,1200,800,75,5,3,35
	111,fb_b,facebook.com/111_1,2020-12-22T10:00:00+0000,"Episode 1, ""quoted""
	with #Hage",photo,1200,800,75,5,3,35
	111,fb_b,facebook.com/111_3,2020-12-23T09:00:00+0000,#Hage week 2,video,5,4,3,1,1,2
	EOF
	test_cmp expect "root/Engagement Metrics/facebook_metrics.csv"
'

test_expect_success 'a second run: the same records, one more log line per post' '
	cp "root/Raw Data/fb_a_111.jsonl" fb_a.before &&
	fb-fetch -q -c fetch.json -r "root/Raw Data" &&
	test_cmp fb_a.before "root/Raw Data/fb_a_111.jsonl" &&
	test "$(wc -l <uuids.table)" = 252 &&
	test "$(wc -l <"root/Raw Data/111_2_comments_log.jsonl")" = 2
'

test_expect_success 'without -d no metrics are fetched; no posts at all, no metrics file' '
	: >"$FAKE_LOG" &&
	fb-fetch -q -c fetch.json -r "root/Raw Data" &&
	! grep -E "insights|summary" "$FAKE_LOG" &&
	jq ".RawDataSources[0].Datasets = [{Name: \"fb_c\", PostIDs: []}]" fetch.json >none.json &&
	fb-fetch -v -c none.json -r "root/Raw Data" -d "root/Engagement Metrics" 2>err &&
	! test -e "root/Engagement Metrics/facebook_metrics.csv" &&
	test_cmp /dev/null "root/Raw Data/fb_c_111.jsonl" &&
	printf "[]" >expect && test_cmp expect "root/Raw Data/fb_c_111_raw.json" &&
	echo "fb-fetch: 1 Facebook sources, 0 posts, 0 comments, 2 files, 0 metrics rows" >expect &&
	test_cmp expect err
'

test_expect_success 'a configuration without Facebook sources does nothing' '
	jq ".RawDataSources = []" fetch.json >nofb.json &&
	fb-fetch -c nofb.json -r empty 2>err &&
	test_cmp /dev/null err &&
	test -d empty && test -z "$(ls empty)"
'

test_expect_code 64 'usage: -c and -r are required' 'fb-fetch -c fetch.json 2>err'
test_expect_success 'usage message' '
	echo "usage: fb-fetch [-qv] -c CONFIG -r RAW-DIR [-d METRICS-DIR] [-u USER] [--credentials FILE]" >expect &&
	test_cmp expect err
'
test_expect_code 66 'a missing configuration' 'fb-fetch -c nowhere.json -r r 2>err'

test_expect_success 'a missing token file: 66, naming the file' '
	jq ".RawDataSources[0].TokenFileURL = \"file://missing.txt\"" fetch.json >c.json &&
	{ fb-fetch -c c.json -r r 2>err; test $? = 66; } &&
	echo "fb-fetch: the TokenFileURL of page 111: file://missing.txt: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_success 'an empty token file: 77' '
	printf "\n \n" >empty.txt && chmod 600 empty.txt &&
	jq ".RawDataSources[0].TokenFileURL = \"empty.txt\"" fetch.json >c.json &&
	{ fb-fetch -c c.json -r r 2>err; test $? = 77; } &&
	echo "fb-fetch: the TokenFileURL of page 111: empty.txt: empty (expected the page access token on one line)" >expect &&
	test_cmp expect err
'

test_expect_success 'plain http to another host is refused: 78' '
	jq ".RawDataSources[0].GraphAPIBaseURL = \"http://graph.example.invalid/v8.0\"" fetch.json >c.json &&
	{ fb-fetch -c c.json -r r 2>err; test $? = 78; } &&
	echo "fb-fetch: c.json: GraphAPIBaseURL '"'"'http://graph.example.invalid/v8.0'"'"': expected an https:// URL (plain http only to 127.0.0.1)" >expect &&
	test_cmp expect err
'

test_expect_success 'no local UUID table: 78' '
	jq "del(.UuidTable.FileURL)" fetch.json >c.json &&
	{ fb-fetch -c c.json -r r 2>err; test $? = 78; } &&
	echo "fb-fetch: c.json: .UuidTable: no FileURL (the Firestore UUID table is not supported yet; expected a local table file)" >expect &&
	test_cmp expect err
'

test_expect_success 'a UUID table inside the data root: 78' '
	mkdir -p inside/raw &&
	jq ".UuidTable.FileURL = \"inside/uuids.table\"" fetch.json >c.json &&
	{ fb-fetch -c c.json -r inside/raw 2>err; test $? = 78; } &&
	echo "fb-fetch: c.json: UuidTable.FileURL inside/uuids.table lies inside the data root (expected a file outside it, so that backups hold no raw Facebook ids)" >expect &&
	test_cmp expect err &&
	! test -e inside/uuids.table
'

test_expect_success 'a wrong token: 77 at once, the token never printed' '
	echo "EAAB-wrong-s3cr3t" >wrong.txt && chmod 600 wrong.txt &&
	jq ".RawDataSources[0].TokenFileURL = \"wrong.txt\"" fetch.json >c.json &&
	: >"$FAKE_LOG" &&
	{ fb-fetch -v -c c.json -r r 2>err; test $? = 77; } &&
	echo "fb-fetch: GET /111_1/comments: the Graph API refused the token (HTTP 400, error 190: Invalid OAuth access token - Cannot parse access token)" >expect &&
	test_cmp expect err &&
	test "$(wc -l <"$FAKE_LOG")" = 1
'

# A gs:// token file, through the Cloud Storage fake with a service account (the OAuth fake).
GRAPH_URL=$FAKE_URL GRAPH_LOG=$FAKE_LOG
start_oauth_fake
mkdir -p store/avf-credentials
start_fake gcs --dir "$TRASH/store" --tokens-file "$FAKE_TOKENS"
GCS_URL=$FAKE_URL GCS_LOG=$FAKE_LOG
FAKE_URL=$GRAPH_URL FAKE_LOG=$GRAPH_LOG

test_expect_success 'a gs:// TokenFileURL is downloaded with the --credentials service account' '
	echo "EAAB-page-token-s3cr3t" >"store/avf-credentials/facebook%2Fpage-111.txt" &&
	jq ".RawDataSources[0].TokenFileURL = \"gs://avf-credentials/facebook/page-111.txt\"" fetch.json >gs.json &&
	STORAGE_EMULATOR_HOST=$GCS_URL fb-fetch -c gs.json -r gs-raw --credentials "$GOOGLE_KEY" &&
	test_cmp fb_a.before gs-raw/fb_a_111.jsonl &&
	jq -r .auth "$GCS_LOG" >actual && echo Bearer >expect && test_cmp expect actual
'

test_expect_success 'a missing gs:// token: 66' '
	jq ".RawDataSources[0].TokenFileURL = \"gs://avf-credentials/nope.txt\"" fetch.json >gs.json &&
	{ STORAGE_EMULATOR_HOST=$GCS_URL fb-fetch -c gs.json -r gs-raw --credentials "$GOOGLE_KEY" 2>err; test $? = 66; } &&
	echo "fb-fetch: the TokenFileURL of page 111: gs://avf-credentials/nope.txt: no such object" >expect &&
	test_cmp expect err
'

test_done
