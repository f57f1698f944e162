#!/bin/sh
# td-analyse on a small hand-made season (two RQA episodes, gender, two engagement plans, four traffic labels):
# every CSV, counted by hand from the definitions of pipeline.md §6 and CoreDataModules v0.15.2 analysis/.

. "$(dirname "$0")/test-lib.sh"

require_prog jq
require_prog python3

# mkscheme FILE ID NAME T:VALUE...: T is N (Normal), C (Control) or M (Meta); code ids are "c-VALUE"
mkscheme() {
	f=$1 id=$2 name=$3
	shift 3
	jq -n --arg id "$id" --arg name "$name" '{SchemeID: $id, Name: $name, Version: "0.0.0.1", Codes: [
		$ARGS.positional | to_entries[] | (.value | split(":")) as [$t, $v] |
		{CodeID: ("c-" + $v), CodeType: {N: "Normal", C: "Control", M: "Meta"}[$t], DisplayText: $v,
		 NumericValue: .key, StringValue: $v, VisibleInCoda: true} +
		(if $t == "C" then {ControlCode: $v} elif $t == "M" then {MetaCode: $v} else {} end)]}' \
		--args "$@" >"schemes/$f"
}

mkdir schemes
mkscheme e01.json Scheme-e01 "Topic E01" N:water N:roads M:question C:NA C:NC C:NR C:STOP
mkscheme e02.json Scheme-e02 "Topic E02" N:jobs C:NA C:NR C:STOP
mkscheme gender.json Scheme-gender "Gender" N:male N:female C:NA C:NR C:STOP
mkscheme engagement.json Scheme-engagement "Engagement Type" N:sms_ad N:radio_show C:NA C:STOP

cat >plans.json <<'EOF'
{
  "RQACodingPlans": [
    {"RawField": "rqa_e01_raw", "DatasetName": "rqa_e01", "TimeField": "sent_on",
     "RawFieldFoldStrategy": "concatenate", "CodingConfigurations": [
      {"CodedField": "rqa_e01_coded", "CodingMode": "MULTIPLE", "CodeScheme": "e01.json",
       "AnalysisFileKey": "rqa_e01", "FoldStrategy": "list_of_labels"}]},
    {"RawField": "rqa_e02_raw", "DatasetName": "rqa_e02", "TimeField": "sent_on",
     "RawFieldFoldStrategy": "concatenate", "CodingConfigurations": [
      {"CodedField": "rqa_e02_coded", "CodingMode": "MULTIPLE", "CodeScheme": "e02.json",
       "AnalysisFileKey": "rqa_e02", "FoldStrategy": "list_of_labels"}]}
  ],
  "DemogCodingPlans": [
    {"RawField": "gender_raw", "RawFieldFoldStrategy": "assert_equal", "CodingConfigurations": [
      {"CodedField": "gender_coded", "CodingMode": "SINGLE", "CodeScheme": "gender.json",
       "AnalysisFileKey": "gender", "FoldStrategy": "assert_label_ids_equal"}]}
  ],
  "EngagementCodingPlans": [
    {"RawField": "sent_on", "DatasetName": "rqa_e01", "RawFieldFoldStrategy": "concatenate",
     "CodingConfigurations": [
      {"CodedField": "rqa_e01_engagement_type_coded", "CodingMode": "SINGLE", "CodeScheme": "engagement.json",
       "AnalysisFileKey": "rqa_e01_engagement_type", "FoldStrategy": null, "IncludeInThemeDistribution": false}]},
    {"RawField": "sent_on", "DatasetName": "rqa_e02", "RawFieldFoldStrategy": "concatenate",
     "CodingConfigurations": [
      {"CodedField": "rqa_e02_engagement_type_coded", "CodingMode": "SINGLE", "CodeScheme": "engagement.json",
       "AnalysisFileKey": "rqa_e02_engagement_type", "FoldStrategy": null, "IncludeInThemeDistribution": false}]}
  ]
}
EOF

jq --arg plans "$PWD/plans.json" --arg schemes "$PWD/schemes" '. + {CodingPlans: $plans, CodeSchemesDir: $schemes,
	PipelineName: "analyse-test"} | .AutomatedAnalysis.TrafficLabels = [
	{StartDate: "2026-01-10T09:00+03:00", EndDate: "2026-01-10T12:00+03:00", Label: "Morning of the 10th"},
	{StartDate: "2026-01-20T00:00+03:00", EndDate: "2026-02-01T00:00+03:00", Label: "From the 20th"},
	{StartDate: "2026-01-10T10:15+03:00", EndDate: "2026-01-10T11:30+03:00", Label: "Edges, start in, end out"},
	{StartDate: "2026-01-10T07:00:00Z", EndDate: "2026-01-10T07:30Z", Label: "UTC: A1 at its very start"}]' \
	"$EXAMPLES/demo/config.json" >config.json

# @code is a label of that code
labels() {
	sed 's/@\([A-Za-z_]*\)/{"CodeID": "c-\1", "SchemeID": "x"}/g'
}

labels >messages.jsonl <<'EOF'
{"uid": "A", "consent_withdrawn": "false", "sent_on": "2026-01-10T10:00:00+03:00", "rqa_e01_raw": "water, please", "rqa_e01_coded": [@water, @roads], "rqa_e02_coded": [@NA], "gender_coded": @male, "rqa_e01_engagement_type_coded": @sms_ad, "rqa_e02_engagement_type_coded": @sms_ad}
{"uid": "A", "consent_withdrawn": "false", "sent_on": "2026-01-20T12:00:00+03:00", "rqa_e02_raw": "jobs", "rqa_e01_coded": [@NA], "rqa_e02_coded": [@jobs], "gender_coded": @male, "rqa_e01_engagement_type_coded": @radio_show, "rqa_e02_engagement_type_coded": @radio_show}
{"uid": "B", "consent_withdrawn": "false", "sent_on": "2026-01-10T11:30:00+03:00", "rqa_e01_raw": "hello?", "rqa_e01_coded": [@NR], "rqa_e02_coded": [@NA], "gender_coded": @female, "rqa_e01_engagement_type_coded": @sms_ad, "rqa_e02_engagement_type_coded": @sms_ad}
{"uid": "STOP", "consent_withdrawn": "true", "sent_on": "STOP", "rqa_e01_raw": "STOP", "rqa_e01_coded": "STOP", "rqa_e02_coded": "STOP", "gender_coded": "STOP", "rqa_e01_engagement_type_coded": "STOP", "rqa_e02_engagement_type_coded": "STOP"}
{"uid": "D", "consent_withdrawn": "false", "sent_on": "2026-01-10T07:15:00Z", "rqa_e01_raw": "\"quoted\"\nsecond line", "rqa_e01_coded": [@question, @water], "rqa_e02_coded": [@NA], "gender_coded": @NR, "rqa_e01_engagement_type_coded": @radio_show, "rqa_e02_engagement_type_coded": @NA}
{"uid": "E", "consent_withdrawn": "false", "sent_on": "2026-01-21T09:00:00+03:00", "rqa_e01_raw": "", "rqa_e01_coded": [@NC], "rqa_e02_coded": [@NA], "gender_coded": @NA, "rqa_e01_engagement_type_coded": @NA, "rqa_e02_engagement_type_coded": @NA}
EOF

labels >individuals.jsonl <<'EOF'
{"uid": "A", "consent_withdrawn": "false", "rqa_e01_coded": [@water, @roads], "rqa_e02_coded": [@jobs], "gender_coded": @male}
{"uid": "B", "consent_withdrawn": "false", "rqa_e01_coded": [@NR], "rqa_e02_coded": [@NA], "gender_coded": @female}
{"uid": "STOP", "consent_withdrawn": "true", "rqa_e01_coded": "STOP", "rqa_e02_coded": "STOP", "gender_coded": "STOP"}
{"uid": "D", "consent_withdrawn": "false", "rqa_e01_coded": [@question, @water], "rqa_e02_coded": [@NA], "gender_coded": @NR}
{"uid": "E", "consent_withdrawn": "false", "rqa_e01_coded": [@NC], "rqa_e02_coded": [@NA], "gender_coded": @NA}
{"uid": "F", "consent_withdrawn": "false", "rqa_e01_coded": [@NA], "rqa_e02_coded": [@NA], "gender_coded": @NA}
EOF

test_expect_success 'the small season is analysed; the outdir is created' '
	td-analyse -c config.json -d out messages.jsonl individuals.jsonl 2>err &&
	test_cmp /dev/null err &&
	ls out >actual &&
	printf "%s\n" demographic_distributions.csv engagement_counts.csv estimated_engagement_types.csv loyalty.csv \
		repeat_participations.csv sample_messages.csv theme_distributions.csv traffic_analysis.csv >expect &&
	test_cmp expect actual
'

# e01: opt-in A1 B D E (NA alone is not), labelled A1 D E (NR is not), relevant A1 D (NC, question are not Normal)
test_expect_success 'engagement_counts.csv: per episode and in total (all 6 messages and individuals counted)' '
	cat >expect <<-\EOF &&
	Dataset,Total Messages,Total Messages with Opt-Ins,Total Labelled Messages,Total Relevant Messages,Total Participants,Total Participants with Opt-Ins,Total Relevant Participants
	rqa_e01,-,4,3,2,-,4,2
	rqa_e02,-,1,1,1,-,1,1
	Total,6,5,4,3,6,4,2
	EOF
	test_cmp expect out/engagement_counts.csv
'

test_expect_success 'repeat_participations.csv: F (NA everywhere) and the withdrawn one do not count' '
	cat >expect <<-\EOF &&
	Number of Episodes Participated In,Number of Participants with Opt-Ins,% of Participants with Opt-Ins
	1,3,75.0
	2,1,25.0
	EOF
	test_cmp expect out/repeat_participations.csv
'

test_expect_success 'theme_distributions.csv: codes counted whether relevant or not, % only for relevant and Normal rows' '
	cat >expect <<-\EOF &&
	Dataset,Theme,Total Participants,Total Participants %,gender:male,gender:male %,gender:female,gender:female %,gender:NA,gender:NA %,gender:NR,gender:NR %
	rqa_e01,Total Relevant Participants,2,100.0,1,100.0,0,-,0,-,1,100.0
	,water,2,100.0,1,100.0,0,-,0,-,1,100.0
	,roads,1,50.0,1,100.0,0,-,0,-,0,0.0
	,question,1,,0,,0,,0,,1,
	,NA,0,,0,,0,,0,,0,
	,NC,1,,0,,0,,1,,0,
	,NR,1,,0,,1,,0,,0,
	rqa_e02,Total Relevant Participants,1,100.0,1,100.0,0,-,0,-,0,-
	,jobs,1,100.0,1,100.0,0,-,0,-,0,-
	,NA,3,,0,,1,,1,,1,
	,NR,0,,0,,0,,0,,0,
	EOF
	test_cmp expect out/theme_distributions.csv
'

test_expect_success 'demographic_distributions.csv: over the individuals who answered gender (not NA)' '
	cat >expect <<-\EOF &&
	Dataset,Theme,Total Participants,Total Participants %
	gender,Total Relevant Participants,2,100.0
	,male,1,50.0
	,female,1,50.0
	,NA,0,
	,NR,1,
	EOF
	test_cmp expect out/demographic_distributions.csv
'

test_expect_success 'traffic_analysis.csv: start inclusive, end exclusive, dates in isoformat' '
	cat >expect <<-\EOF &&
	Start Date,End Date,Label,Messages with Opt-Ins,Relevant Messages
	2026-01-10T09:00:00+03:00,2026-01-10T12:00:00+03:00,Morning of the 10th,3,2
	2026-01-20T00:00:00+03:00,2026-02-01T00:00:00+03:00,From the 20th,2,1
	2026-01-10T10:15:00+03:00,2026-01-10T11:30:00+03:00,"Edges, start in, end out",1,1
	2026-01-10T07:00:00+00:00,2026-01-10T07:30:00+00:00,UTC: A1 at its very start,2,2
	EOF
	test_cmp expect out/traffic_analysis.csv
'

test_expect_success 'estimated_engagement_types.csv: engagement plan i with RQA plan i, STOP left out' '
	cat >expect <<-\EOF &&
	Episode,Estimated Engagement Type,Messages with Opt-Ins,Relevant Messages
	rqa_e01,sms_ad,2,1
	rqa_e01,radio_show,1,1
	rqa_e01,NA,1,0
	rqa_e02,sms_ad,0,0
	rqa_e02,radio_show,1,1
	rqa_e02,NA,0,0
	EOF
	test_cmp expect out/estimated_engagement_types.csv
'

test_expect_success 'loyalty.csv: every combination; F, who responded to nothing, is not counted' '
	cat >expect <<-\EOF &&
	Episode Combination,Participants
	rqa_e01,3
	rqa_e02,0
	"rqa_e01, rqa_e02",1
	EOF
	test_cmp expect out/loyalty.csv
'

test_expect_success 'loyalty.csv: combinations in plan order, the names of each sorted' '
	jq ".RQACodingPlans |= reverse" plans.json >reversed.json &&
	td-analyse -c config.json -p reversed.json -d rev messages.jsonl individuals.jsonl &&
	cat >expect <<-\EOF &&
	Episode Combination,Participants
	rqa_e02,0
	rqa_e01,3
	"rqa_e01, rqa_e02",1
	EOF
	test_cmp expect rev/loyalty.csv
'

test_expect_success 'PipelineName USAID-IBTCI-Facebook: only the first coding configuration of each plan counts' '
	jq ".RQACodingPlans[0].CodingConfigurations += [{CodedField: \"rqa_e01_extra_coded\", CodingMode: \"SINGLE\",
		CodeScheme: \"gender.json\", AnalysisFileKey: \"rqa_e01_extra\", FoldStrategy: null}]" plans.json >extra.json &&
	{ td-analyse -c config.json -p extra.json -d x messages.jsonl individuals.jsonl 2>err; test $? = 65; } &&
	echo "td-analyse: messages.jsonl:1: no \"rqa_e01_extra_coded\" (expected the labels of every analysed coded field)" >expect &&
	test_cmp expect err &&
	jq ".PipelineName = \"USAID-IBTCI-Facebook\"" config.json >fb.json &&
	td-analyse -c fb.json -p extra.json -d fb messages.jsonl individuals.jsonl &&
	for f in out/*; do cmp "$f" "fb/${f#out/}" || return 1; done
'

test_expect_success 'sample_messages.csv: every labelled message under each of its codes (CSV-quoted as needed)' '
	cat >expect <<-\EOF &&
	Episode,Code Scheme,Code,Message
	rqa_e01,Topic E01,water,"""quoted""
	second line"
	rqa_e01,Topic E01,water,"water, please"
	rqa_e01,Topic E01,roads,"water, please"
	rqa_e01,Topic E01,question,"""quoted""
	second line"
	rqa_e01,Topic E01,NC,
	rqa_e02,Topic E02,jobs,jobs
	EOF
	test_cmp expect out/sample_messages.csv
'

test_expect_success 'the messages may come from standard input; the outputs are the same' '
	td-analyse -c config.json -d stdin - individuals.jsonl <messages.jsonl &&
	for f in out/*; do cmp "$f" "stdin/${f#out/}" || return 1; done
'

test_expect_success 'a traced input reads as its latest values' '
	td-cat --traced messages.jsonl >traced-m.jsonl &&
	td-cat --traced individuals.jsonl >traced-i.jsonl &&
	head -c 1 traced-m.jsonl | grep -q "\[" &&
	td-analyse -c config.json -d traced traced-m.jsonl traced-i.jsonl &&
	for f in out/*; do cmp "$f" "traced/${f#out/}" || return 1; done
'

test_expect_success 'without TrafficLabels there is no traffic_analysis.csv; other files in the outdir stay' '
	jq "del(.AutomatedAnalysis.TrafficLabels)" config.json >notraffic.json &&
	mkdir -p nt && echo keep >nt/maps.txt &&
	td-analyse -c notraffic.json -d nt messages.jsonl individuals.jsonl &&
	! test -e nt/traffic_analysis.csv &&
	test "$(cat nt/maps.txt)" = keep &&
	cmp out/loyalty.csv nt/loyalty.csv
'

test_expect_success '--metrics-dir: its files are copied through (not dot files or directories); missing is fine' '
	mkdir -p metrics/sub && printf "Page ID,Dataset\n1,a\n" >metrics/facebook_metrics.csv &&
	echo hidden >metrics/.hidden &&
	td-analyse -c config.json -d m --metrics-dir metrics messages.jsonl individuals.jsonl &&
	cmp metrics/facebook_metrics.csv m/facebook_metrics.csv &&
	! test -e m/.hidden && ! test -e m/sub &&
	td-analyse -c config.json -d m2 --metrics-dir nowhere messages.jsonl individuals.jsonl &&
	! test -e m2/facebook_metrics.csv
'

# 150 messages labelled water and 120 labelled roads: 100 of each are drawn, exactly as the reference draws them
# after random.seed(N) (one generator for every code, in turn)
more='"sent_on": "2026-03-01T00:00:00Z", "rqa_e01_engagement_type_coded": @NA'
i=0
while [ $i -lt 150 ]; do
	printf '{"uid": "u%d", "consent_withdrawn": "false", "rqa_e01_raw": "w%d", "rqa_e01_coded": [@water], "rqa_e02_coded": [@NA], %s}\n' $i $i "$more"
	if [ $i -lt 120 ]; then
		printf '{"uid": "v%d", "consent_withdrawn": "false", "rqa_e01_raw": "r%d", "rqa_e01_coded": [@roads], "rqa_e02_coded": [@NA], %s}\n' $i $i "$more"
	fi
	i=$((i + 1))
done | labels >many.jsonl
: >none.jsonl

expected_sample() {
	python3 -c '
import random, sys
random.seed(int(sys.argv[1]))
water = ["w%d" % i for i in range(150)]
roads = ["r%d" % i for i in range(120)]
print("Episode,Code Scheme,Code,Message")
for m in random.sample(water, 100):
    print("rqa_e01,Topic E01,water," + m)
for m in random.sample(roads, 100):
    print("rqa_e01,Topic E01,roads," + m)
' "$1"
}

test_expect_success 'sample_messages.csv: 100 of 150, bit-exact with random.seed(0) then random.sample' '
	td-analyse -c config.json -d many many.jsonl none.jsonl &&
	expected_sample 0 >expect &&
	test_cmp expect many/sample_messages.csv &&
	test "$(wc -l <many/sample_messages.csv)" = 201
'

test_expect_success '--seed 7 draws another sample, the one of random.seed(7)' '
	td-analyse --seed 7 -c config.json -d many7 many.jsonl none.jsonl &&
	expected_sample 7 >expect &&
	test_cmp expect many7/sample_messages.csv &&
	! cmp -s many/sample_messages.csv many7/sample_messages.csv
'

test_expect_success 'no individuals: counts of 0 and percentages of -' '
	cat >expect <<-\EOF &&
	Number of Episodes Participated In,Number of Participants with Opt-Ins,% of Participants with Opt-Ins
	1,0,-
	2,0,-
	EOF
	test_cmp expect many/repeat_participations.csv &&
	tail -1 many/engagement_counts.csv >actual &&
	echo "Total,270,270,270,270,0,0,0" >expect &&
	test_cmp expect actual
'

test_done
