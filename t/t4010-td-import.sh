#!/bin/sh
# td-import: recovery CSVs -> TracedData as the reference's fetch_from_recovery_csv (pipeline.md §2.4):
# Mogadishu dates, run_id = SHA-256 of the row, operator labels on activation files, phone senders de-identified.

. "$(dirname "$0")/test-lib.sh"

require_prog jq
require_prog python3

mkdir secret
cat >secret/table.jsonl <<'EOT'
{"data": "252612345678", "uuid": "avf-phone-uuid-11111111-1111-4111-8111-111111111111"}
{"data": "252901112222", "uuid": "avf-phone-uuid-22222222-2222-4222-8222-222222222222"}
{"data": "254700000001", "uuid": "avf-phone-uuid-33333333-3333-4333-8333-333333333333"}
EOT
chmod 600 secret/table.jsonl

cat >config.json <<'EOT'
{
  "PipelineName": "USAID-IBTCI-SMS",
  "RawDataSources": [
    {"SourceType": "RecoveryCSV", "ActivationFlowURLs": ["csv/rec_s08e01.csv"], "SurveyFlowURLs": ["file://CSVDIR/rec_demog.csv"]}
  ],
  "UuidTable": {"FileURL": "secret/table.jsonl", "UuidPrefix": "avf-phone-uuid-"},
  "OperationsDashboard": {"FirebaseCredentialsFileURL": "gs://x/y.json"},
  "SourceKeyRemappings": [],
  "ProjectStartDate": "2020-01-01T00:00:00+03:00", "ProjectEndDate": "2100-01-01T00:00:00+03:00",
  "FilterTestMessages": true, "MoveWSMessages": false,
  "AutomatedAnalysis": {"GenerateRegionThemeDistributionMaps": false, "GenerateDistrictThemeDistributionMaps": false,
    "GenerateMogadishuThemeDistributionMaps": false},
  "MemoryProfileUploadBucket": "gs://a", "DataArchiveUploadBucket": "gs://b", "BucketDirPath": "x/"
}
EOT
sed -i "s|CSVDIR|$TRASH/csv|" config.json
mkdir csv
printf '%s\r\n' 'Sender,Message,ReceivedOn' \
	'avf-phone-uuid-11111111-1111-4111-8111-111111111111,"Haa, ""caawimaad"" ayaan rabaa",05/11/2020 12:00' \
	'avf-phone-uuid-22222222-2222-4222-8222-222222222222,Façade über €,5/1/2021 09:07:03' \
	'avf-phone-uuid-33333333-3333-4333-8333-333333333333,kenyan,31/12/2020 23:59' \
	'avf-phone-uuid-99999999-9999-4999-8999-999999999999,not in the table,01/01/2021 00:00:00' \
	'' \
	'+252 61 234 5678,"a phone
number sender",02/01/2021 10:00' >csv/rec_s08e01.csv
printf '%s\n' 'ReceivedOn,Sender,Message,Extra' \
	'06/11/2020 08:30,avf-phone-uuid-11111111-1111-4111-8111-111111111111,Rag,x' \
	'07/11/2020 08:30:59,00252 63 555 0000,😀 emoji,' >csv/rec_demog.csv

test_expect_success 'import: exit 0, one file per CSV, the activation warnings' '
	td-import -c config.json -r "root/Raw Data" 2>err &&
	(cd "root/Raw Data" && ls) >actual &&
	printf "rec_demog.jsonl\nrec_s08e01.jsonl\n" >expect && test_cmp expect actual &&
	cat >expect <<-\EOT &&
	td-import: csv/rec_s08e01.csv: line 4: operator '"'"'kenyan telephone'"'"' is not in the Somalia operator scheme: labelled NC
	td-import: csv/rec_s08e01.csv: line 5: the sender'"'"'s uid is not in the UUID table: operator NC
	EOT
	test_cmp expect err
'

test_expect_success 'activation records: the reference'"'"'s values, run ids and operator labels' '
	python3 "$TOP/t/lib/recovery-expect.py" csv/rec_s08e01.csv secret/table.jsonl --activation >expect &&
	python3 "$TOP/t/lib/td-latest.py" "root/Raw Data/rec_s08e01.jsonl" >actual &&
	test_cmp expect actual
'

test_expect_success 'survey records: one entry, no operator, columns in any order' '
	python3 "$TOP/t/lib/recovery-expect.py" "$TRASH/csv/rec_demog.csv" secret/table.jsonl >expect &&
	python3 "$TOP/t/lib/td-latest.py" "root/Raw Data/rec_demog.jsonl" >actual &&
	test_cmp expect actual &&
	jq -r length "root/Raw Data/rec_demog.jsonl" | sort -u >actual && echo 1 >expect && test_cmp expect actual
'

test_expect_success 'spot checks: Mogadishu time, the operator of a 25261 number, SHAs verify' '
	jq -r ".[1].Data.received_on, .[0].Data.operator_raw, .[0].Data.operator_coded.CodeID" "root/Raw Data/rec_s08e01.jsonl" | head -3 >actual &&
	printf "2020-11-05T12:00:00+03:00\n25261\ncode-c7b32481\n" >expect && test_cmp expect actual &&
	td-cat --verify -q "root/Raw Data/rec_s08e01.jsonl" "root/Raw Data/rec_demog.jsonl"
'

test_expect_success 'phone-number senders are de-identified: a new uid for a new number, none in the output' '
	test $(wc -l <secret/table.jsonl) = 4 &&
	jq -r .data secret/table.jsonl | tail -1 >actual && echo 252635550000 >expect && test_cmp expect actual &&
	! grep -r -e 252612345678 -e 2526355 -e "252 61" root
'

test_expect_success 'an existing file is not imported again' '
	echo keep >"root/Raw Data/rec_demog.jsonl" &&
	td-import -q -c config.json -r "root/Raw Data" &&
	echo keep >expect && test_cmp expect "root/Raw Data/rec_demog.jsonl"
'

test_expect_success 'a bad date: 65, the line, nothing written' '
	printf "Sender,Message,ReceivedOn\navf-phone-uuid-x,m,2020-11-05 12:00\n" >csv/rec_demog.csv &&
	rm -rf root &&
	{ td-import -c config.json -r "root/Raw Data" 2>err; test $? = 65; } &&
	echo "td-import: $TRASH/csv/rec_demog.csv: line 2: ReceivedOn '"'"'2020-11-05 12:00'"'"' is not a date (expected DD/MM/YYYY HH:MM[:SS])" >expect &&
	tail -1 err | sed "s|file://||" >actual && test_cmp expect actual &&
	test ! -e "root/Raw Data/rec_demog.jsonl"
'

test_expect_success 'a header without Sender: 65' '
	printf "From,Message,ReceivedOn\nx,m,05/11/2020 12:00\n" >csv/rec_demog.csv &&
	rm -rf root &&
	{ td-import -c config.json -r "root/Raw Data" 2>err; test $? = 65; } &&
	grep "line 1: the header lacks Sender (expected Sender, Message, ReceivedOn)" err
'

test_expect_success 'a missing CSV: 66' '
	rm csv/rec_demog.csv && rm -rf root &&
	{ td-import -c config.json -r "root/Raw Data" 2>err; test $? = 66; }
'

test_expect_success 'usage: 64' '
	{ td-import -c config.json 2>err; test $? = 64; } &&
	echo "usage: td-import [-qv] -c CONFIG -r RAW-DATA-DIR [-u USER] [--credentials FILE]" >expect &&
	test_cmp expect err
'

test_done
