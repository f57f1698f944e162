#!/bin/sh
# drive-upload: the analysis files to Google Drive as upload_analysis_files.py (pipeline.md §7.1), against the
# Drive fake (t/fake/drive.py), with the Drive key read from the Cloud Storage fake and tokens from the OAuth fake.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog python3
require_prog jq
require_prog openssl

export TDTOOLS_RETRY_BASE_MS=1
unset GOOGLE_APPLICATION_CREDENTIALS

# Drive before the reference's first run: the folder shared with the service account holds sms/ with the
# production CSV (to be updated in place) and two copies of the messages CSV (duplicates, to be replaced).
# A shared drive "Team Drive" too.
cat >seed.json <<'EOF'
{"files": [
  {"id": "root1", "name": "usaid_ibtci_analysis_outputs", "sharedWithMe": true},
  {"id": "other1", "name": "usaid_ibtci_analysis_outputs"},
  {"id": "sms1", "name": "sms", "parents": ["root1"]},
  {"id": "prod1", "name": "usaid_ibtci_sms_production.csv", "mimeType": "text/csv", "parents": ["sms1"], "content": "old production\n"},
  {"id": "dup1", "name": "usaid_ibtci_sms_messages.csv", "mimeType": "text/csv", "parents": ["sms1"], "content": "dup 1\n"},
  {"id": "dup2", "name": "usaid_ibtci_sms_messages.csv", "mimeType": "text/csv", "parents": ["sms1"], "content": "dup 2\n"}
],
 "drives": [{"id": "td1", "name": "Team Drive"}]}
EOF

start_oauth_fake
mkdir -p "$TRASH/store/creds"
cp "$GOOGLE_KEY" "$TRASH/store/creds/drive-sa.json"
start_fake gcs --dir "$TRASH/store" --tokens-file "$FAKE_TOKENS"
export STORAGE_EMULATOR_HOST=$FAKE_URL
GCS_LOG=$FAKE_LOG
start_fake drive --seed "$TRASH/seed.json" --tokens-file "$FAKE_TOKENS" --page-size 2
DRIVE=$FAKE_URL
DRIVE_LOG=$FAKE_LOG
export TDTOOLS_DRIVE_BASE=$DRIVE
K=$GOOGLE_KEY

jq '.DriveUpload.DriveCredentialsFileURL = "gs://creds/drive-sa.json"' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >sms.json

# Every file in Drive as "path<TAB>content<TAB>id<TAB>updates", paths from the shared folder down; content of
# several lines as its SHA-256.
drive_tree() {
	python3 - "$DRIVE" <<-'PYEOF'
	import hashlib, json, sys, urllib.request
	files = json.load(urllib.request.urlopen(sys.argv[1] + "/_files"))
	def path(f):
	    p = f["parents"]
	    return (path(files[p[0]]) + "/" if p and p[0] in files else ("[" + p[0] + "]/" if p else "")) + f["name"]
	for fid, f in files.items():
	    if f["mimeType"] != "application/vnd.google-apps.folder":
	        c = f["content"] or ""
	        if "\n" in c.rstrip("\n"):
	            c = "sha256:" + hashlib.sha256(c.encode()).hexdigest()
	        print("%s\t%s\t%s\t%d" % (path(f), c.strip(), fid, f["updates"]))
	PYEOF
}
requests() { wc -l <"$DRIVE_LOG"; }

mkdir -p "root/Outputs/Automated Analysis/graphs" "root/Outputs/Automated Analysis/maps/regions" \
	"root/Outputs/Automated Analysis/maps/districts"
echo "production" >root/Outputs/production.csv
echo "messages" >root/Outputs/messages.csv
echo "individuals" >root/Outputs/individuals.csv
echo "demog" >"root/Outputs/Automated Analysis/demographic_distributions.csv"
echo "themes" >"root/Outputs/Automated Analysis/theme_distributions.csv"
echo "not a csv" >"root/Outputs/Automated Analysis/notes.txt"
echo "graph" >"root/Outputs/Automated Analysis/graphs/weekly.png"
echo "region map" >"root/Outputs/Automated Analysis/maps/regions/s08e01_regions.png"
echo "district map" >"root/Outputs/Automated Analysis/maps/districts/s08e01_districts.png"
find root -type f | sort >local-files

test_expect_success 'all-stages: the CSVs and the automated analysis go where DriveUpload says' '
	drive-upload -c sms.json --credentials "$K" root 2>err &&
	echo "drive-upload: 8 files uploaded" >expect &&
	test_cmp expect err &&
	drive_tree | sort >tree &&
	cut -f1,2 tree >actual &&
	sed "s/|/	/" >expect <<-EOF &&
	usaid_ibtci_analysis_outputs/sms/automated_analysis/demographic_distributions.csv|demog
	usaid_ibtci_analysis_outputs/sms/automated_analysis/graphs/weekly.png|graph
	usaid_ibtci_analysis_outputs/sms/automated_analysis/maps/districts/s08e01_districts.png|district map
	usaid_ibtci_analysis_outputs/sms/automated_analysis/maps/regions/s08e01_regions.png|region map
	usaid_ibtci_analysis_outputs/sms/automated_analysis/theme_distributions.csv|themes
	usaid_ibtci_analysis_outputs/sms/usaid_ibtci_sms_individuals.csv|individuals
	usaid_ibtci_analysis_outputs/sms/usaid_ibtci_sms_messages.csv|messages
	usaid_ibtci_analysis_outputs/sms/usaid_ibtci_sms_production.csv|production
	EOF
	test_cmp expect actual
'

test_expect_success 'a file of the same name is updated in place (same id); duplicates are all replaced by one' '
	grep "_production.csv	" tree | cut -f3,4 >actual &&
	printf "prod1\t1\n" >expect &&
	test_cmp expect actual &&
	grep -c "_messages.csv	" tree >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	! grep -q "	dup[12]	" tree &&
	jq -r "select(.method == \"DELETE\") | .path" "$DRIVE_LOG" >actual &&
	printf "%s\n" "/drive/v3/files/dup1?supportsAllDrives=true" "/drive/v3/files/dup2?supportsAllDrives=true" >expect &&
	test_cmp expect actual
'

test_expect_success 'uploads are multipart (metadata, then the content with its MIME type), every request authorised' '
	jq -r "select(.path | startswith(\"/upload/\")) | [.method, (.path | sub(\"/files/[^?]*\"; \"/files/ID\")), .headers[\"Content-Type\"][0:26]] | @tsv" \
		"$DRIVE_LOG" | sort | uniq -c | sed "s/^ *//" >actual &&
	cat >expect <<-EOF &&
	1 PATCH	/upload/drive/v3/files/ID?uploadType=multipart&fields=id&supportsAllDrives=true	multipart/related; boundar
	7 POST	/upload/drive/v3/files?uploadType=multipart&fields=id&supportsAllDrives=true	multipart/related; boundar
	EOF
	test_cmp expect actual &&
	jq -r ".auth" "$DRIVE_LOG" | sort -u >actual &&
	echo Bearer >expect &&
	test_cmp expect actual &&
	python3 -c "import json, urllib.request; f = json.load(urllib.request.urlopen(\"$DRIVE/_files\")); print(sorted(set(v[\"mimeType\"] for v in f.values())))" >actual &&
	echo "[SQapplication/vnd.google-apps.folderSQ, SQimage/pngSQ, SQtext/csvSQ]" | sed "s/SQ/'"'"'/g" >expect &&
	test_cmp expect actual
'

test_expect_success 'the Drive key was read from DriveCredentialsFileURL on Cloud Storage' '
	jq -r ".path" "$GCS_LOG" >actual &&
	echo "/storage/v1/b/creds/o/drive-sa.json?alt=media" >expect &&
	test_cmp expect actual
'

test_expect_success 'a second run updates every file in place: no new file, no folder made twice' '
	drive_tree | cut -f1,3 | sort >before &&
	drive-upload -q -c sms.json --credentials "$K" root &&
	drive_tree | cut -f1,3 | sort >after &&
	test_cmp before after &&
	drive_tree | cut -f4 | sort -u >actual &&
	printf "1\n2\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'local files are never deleted' '
	find root -type f | sort >actual &&
	test_cmp local-files actual
'

test_expect_success 'auto-code-only: the production CSV only' '
	n=$(requests) &&
	drive-upload -v --run-mode auto-code-only -c sms.json --credentials "$K" root 2>err &&
	grep -v "^drive-upload: 1 file uploaded$" err >actual &&
	echo "drive-upload: root/Outputs/production.csv: updated usaid_ibtci_analysis_outputs/sms/usaid_ibtci_sms_production.csv" >expect &&
	test_cmp expect actual &&
	sed -n "$((n + 1)),\$p" "$DRIVE_LOG" | jq -r "select(.path | startswith(\"/upload/\")) | .method" >actual &&
	echo PATCH >expect &&
	test_cmp expect actual
'

test_expect_success '--dry-run says what would go where and sends nothing' '
	n=$(requests) && g=$(wc -l <"$GCS_LOG") &&
	drive-upload --dry-run -c sms.json --credentials "$K" root >out &&
	cat >expect <<-EOF &&
	would upload root/Outputs/production.csv to usaid_ibtci_analysis_outputs/sms/usaid_ibtci_sms_production.csv
	would upload root/Outputs/messages.csv to usaid_ibtci_analysis_outputs/sms/usaid_ibtci_sms_messages.csv
	would upload root/Outputs/individuals.csv to usaid_ibtci_analysis_outputs/sms/usaid_ibtci_sms_individuals.csv
	would upload root/Outputs/Automated Analysis/demographic_distributions.csv to usaid_ibtci_analysis_outputs/sms/automated_analysis/demographic_distributions.csv
	would upload root/Outputs/Automated Analysis/theme_distributions.csv to usaid_ibtci_analysis_outputs/sms/automated_analysis/theme_distributions.csv
	would upload root/Outputs/Automated Analysis/graphs/weekly.png to usaid_ibtci_analysis_outputs/sms/automated_analysis/graphs/weekly.png
	would upload root/Outputs/Automated Analysis/maps/regions/s08e01_regions.png to usaid_ibtci_analysis_outputs/sms/automated_analysis/maps/regions/s08e01_regions.png
	would upload root/Outputs/Automated Analysis/maps/districts/s08e01_districts.png to usaid_ibtci_analysis_outputs/sms/automated_analysis/maps/districts/s08e01_districts.png
	EOF
	test_cmp expect out &&
	test "$(requests)" = "$n" &&
	test "$(wc -l <"$GCS_LOG")" = "$g"
'

test_expect_success 'credentials "-": one notice, nothing sent' '
	n=$(requests) &&
	drive-upload -c sms.json --credentials - root 2>err &&
	echo "drive-upload: no credentials: Drive upload skipped" >expect &&
	test_cmp expect err &&
	test "$(requests)" = "$n"
'

test_expect_success 'a config without DriveUpload: a notice, exit 0' '
	jq "del(.DriveUpload)" sms.json >nodrive.json &&
	drive-upload -c nodrive.json --credentials "$K" root 2>err &&
	echo "drive-upload: nodrive.json: no DriveUpload: nothing uploaded" >expect &&
	test_cmp expect err
'

test_expect_code 64 'a gs:// key URL without --credentials: 64' '
	drive-upload -c sms.json root
'

test_expect_success 'SRC... DRIVE-PATH with --drive-key: into a shared drive (supportsAllDrives), folders made' '
	printf "a,b\n" >report.csv && printf "png" >chart.png &&
	drive-upload -q --drive-key "$K" report.csv chart.png "Team Drive/reports/2021" &&
	drive_tree | grep "^\[td1\]" | cut -f1,2 | sort >actual &&
	printf "[td1]/reports/2021/chart.png\tpng\n[td1]/reports/2021/report.csv\ta,b\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'one SRC and folder/name: the name given; a quote in a name is escaped in the query' '
	printf "v1\n" >q.csv &&
	drive-upload -q --drive-key "$K" q.csv "usaid_ibtci_analysis_outputs/it'"'"'s here.csv" &&
	printf "v2\n" >q.csv &&
	drive-upload -q --drive-key "$K" q.csv "usaid_ibtci_analysis_outputs/it'"'"'s here.csv" &&
	drive_tree | grep "it'"'"'s" | cut -f1,2,4 >actual &&
	printf "usaid_ibtci_analysis_outputs/it'"'"'s here.csv\tv2\t1\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a file over 5 MiB goes in a resumable session' '
	head -c 6000000 /dev/urandom | base64 -w 76 >big.csv &&
	n=$(requests) &&
	drive-upload -q --drive-key "$K" big.csv usaid_ibtci_analysis_outputs/big/ &&
	sed -n "$((n + 1)),\$p" "$DRIVE_LOG" | jq -r "select(.path | startswith(\"/upload/\")) | [.method, (.path | sub(\"s[0-9]+$\"; \"SID\"))] | @tsv" >actual &&
	printf "POST\t/upload/drive/v3/files?uploadType=resumable&fields=id&supportsAllDrives=true\nPUT\t/upload/drive/v3/sessions/SID\n" >expect &&
	test_cmp expect actual &&
	drive_tree | grep "/big/big.csv	" | cut -f2 >actual &&
	echo "sha256:$(sha256sum <big.csv | cut -d" " -f1)" >expect &&
	test_cmp expect actual
'

test_expect_success '503 twice on an upload: retried (-v shows it), then done' '
	fake_faults "[{\"path\": \"^/upload/\", \"kind\": 503, \"count\": 2}]" "$DRIVE" &&
	drive-upload -v --drive-key "$K" report.csv "Team Drive/reports/2021/" 2>err &&
	grep -c "HTTP 503" err >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_expect_code 69 'a Drive that keeps failing: 69 after the retries, no secret in the message' '
	fake_faults "[{\"path\": \"^/drive/\", \"kind\": 500, \"count\": 100}]" "$DRIVE" &&
	TDTOOLS_HTTP_TRIES=3 drive-upload --drive-key "$K" report.csv "Team Drive/x/" 2>err
	rc=$? &&
	fake_faults "[]" "$DRIVE" &&
	grep -q "HTTP 500" err &&
	grep -q "gave up after 3 tries" err &&
	! grep -F -f "$FAKE_TOKENS" err &&
	! grep -q "PRIVATE KEY" err &&
	exit $rc
'

test_expect_code 77 'Drive refuses the token: 77, the token not shown' '
	fake_faults "[{\"path\": \"^/drive/\", \"kind\": 401, \"count\": 100}]" "$DRIVE" &&
	drive-upload --drive-key "$K" report.csv "Team Drive/x/" 2>err
	rc=$? &&
	fake_faults "[]" "$DRIVE" &&
	grep -q "HTTP 401" err &&
	! grep -F -f "$FAKE_TOKENS" err &&
	exit $rc
'

test_expect_code 66 'a first folder not shared with the service account: 66' '
	drive-upload --drive-key "$K" report.csv "nope/x/" 2>err
	rc=$? &&
	echo "drive-upload: drive path nope: no such folder shared with the service account" >expect &&
	test_cmp expect err &&
	exit $rc
'

test_expect_code 66 'a missing output: 66 before anything is sent' '
	n=$(requests) &&
	mkdir -p empty/Outputs &&
	drive-upload -c sms.json --credentials "$K" empty 2>err
	rc=$? &&
	echo "drive-upload: empty/Outputs/production.csv: No such file or directory" >expect &&
	test_cmp expect err &&
	test "$(requests)" = "$n" &&
	exit $rc
'

test_expect_code 64 'an unknown run mode: 64' '
	drive-upload --run-mode sometimes -c sms.json --credentials "$K" root
'

test_expect_code 64 'SRC without DRIVE-PATH: 64' '
	drive-upload --drive-key "$K" report.csv
'

test_done
