#!/bin/sh
# td-check: the real IBTCI configurations with their coding plans pass; bad configurations, plans and schemes
# are rejected with the file, the JSON path and what was expected.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq

SQ="'"
SCHEMES=$SHARED/ibtci/code_schemes
SMS_PLANS=$EXAMPLES/ibtci/sms_coding_plans.json
FB_PLANS=$EXAMPLES/ibtci/facebook_coding_plans.json

# expect_failure CODE MESSAGE COMMAND...: exit code CODE, MESSAGE on stderr, nothing on stdout.
expect_failure() {
	code=$1 msg=$2
	shift 2
	"$@" >out 2>err
	rc=$?
	printf '%s\n' "$msg" >expect.err
	if [ "$rc" != "$code" ]; then
		echo "exit code $rc, expected $code" >&2
		cat err >&2
		return 1
	fi
	test_cmp expect.err err && test_cmp /dev/null out
}

test_expect_success 'the SMS configuration with its plans and schemes is valid' '
	ibtci_config sms sms.json &&
	td-check -c sms.json >actual &&
	cat >expect <<-EOF &&
	config: sms.json: USAID-IBTCI-SMS, 3 raw data sources, 7 activation flows, 11 survey flows, 134 source key remappings
	plans: $SMS_PLANS: 7 RQA, 7 demographic, 2 follow-up, 7 engagement plans; 28 coding configurations; 23 code schemes
	EOF
	test_cmp expect actual
'

test_expect_success 'the Facebook configuration with its plans and schemes is valid' '
	ibtci_config facebook facebook.json &&
	td-check --config facebook.json >actual &&
	cat >expect <<-EOF &&
	config: facebook.json: USAID-IBTCI-Facebook, 3 raw data sources, 47 activation flows, 0 survey flows, 96 source key remappings
	plans: $FB_PLANS: 19 RQA, 0 demographic, 0 follow-up, 0 engagement plans; 57 coding configurations; 21 code schemes
	EOF
	test_cmp expect actual
'

test_expect_success 'the real configurations load unchanged, plans given with -p and -s' '
	cp "$SHARED/ibtci/configuration/sms_pipeline_config.json" plain.json &&
	td-check -c plain.json -p "$SMS_PLANS" -s "$SCHEMES" >actual &&
	grep "^plans: $SMS_PLANS: 7 RQA" actual &&
	td-check -c "$SHARED/ibtci/configuration/facebook_pipeline_config.json" \
		--plans "$FB_PLANS" --schemes "$SCHEMES" >actual &&
	grep "^plans: $FB_PLANS: 19 RQA" actual
'

test_expect_success 'without plans or schemes only the configuration is checked, and td-check says so' '
	td-check -c "$SHARED/ibtci/configuration/sms_pipeline_config.json" >actual &&
	cat >expect <<-EOF &&
	config: $SHARED/ibtci/configuration/sms_pipeline_config.json: USAID-IBTCI-SMS, 3 raw data sources, 7 activation flows, 11 survey flows, 134 source key remappings
	plans: none (no -p, -s, CodingPlans or CodeSchemesDir): only the configuration was checked
	EOF
	test_cmp expect actual
'

test_expect_success 'with -s and no plans every scheme in the directory is checked' '
	td-check -c "$SHARED/ibtci/configuration/sms_pipeline_config.json" -s "$SCHEMES" >actual &&
	tail -n 1 actual >last &&
	echo "schemes: $SCHEMES: 44 code schemes" >expect &&
	test_cmp expect last
'

test_expect_success '-q prints nothing' '
	td-check -q -c sms.json >actual 2>err &&
	test_cmp /dev/null actual && test_cmp /dev/null err
'

test_expect_success '-v lists flows, plans and the resolved schemes and WS codes' '
	td-check -v -c sms.json >actual &&
	grep "^  survey flow: csap_s10_demog$" actual &&
	grep "^  RQACodingPlans\[3\] rqa_s08e03_break: .*WS s08e03_break (code-236eaee0)$" actual &&
	grep "^    age_category_coded: SINGLE age_category.json (Scheme-eea1ce89), cleaner none, fold assert_label_ids_equal$" actual &&
	td-check -v -c facebook.json >actual &&
	grep "^    facebook_s08e06_break_w02_coded: MULTIPLE facebook_s08e06_break_w03.json (Scheme-746e9f49)" actual
'

# ---- configuration errors ----

test_expect_success 'a wrong type: FilterTestMessages a string' '
	jq ".FilterTestMessages = \"yes\"" sms.json >bad.json &&
	expect_failure 78 "td-check: bad.json: .FilterTestMessages: expected true or false, found a string" \
		td-check -c bad.json
'

test_expect_success 'a wrong type inside a list names the element' '
	jq ".RawDataSources[1].ActivationFlowNames[2] = 7" sms.json >bad.json &&
	expect_failure 78 "td-check: bad.json: .RawDataSources[1].ActivationFlowNames[2]: expected a string, found a number" \
		td-check -c bad.json
'

test_expect_success 'a missing required key' '
	jq "del(.ProjectStartDate)" sms.json >bad.json &&
	expect_failure 78 "td-check: bad.json: .ProjectStartDate: missing (expected an ISO-8601 date-time with a UTC offset)" \
		td-check -c bad.json
'

test_expect_success 'a naive ProjectStartDate' '
	jq ".ProjectStartDate = \"2020-11-01T00:00:00\"" sms.json >bad.json &&
	expect_failure 78 "td-check: bad.json: .ProjectStartDate: expected an ISO-8601 date-time with a UTC offset, found ${SQ}2020-11-01T00:00:00${SQ} (no offset)" \
		td-check -c bad.json
'

test_expect_success 'an unknown SourceType' '
	jq ".RawDataSources[2].SourceType = \"Dropbox\"" sms.json >bad.json &&
	expect_failure 78 "td-check: bad.json: .RawDataSources[2].SourceType: expected RapidPro, GCloudBucket, RecoveryCSV or Facebook, found ${SQ}Dropbox${SQ}" \
		td-check -c bad.json
'

test_expect_success 'a Facebook dataset with neither PostIDs nor Search' '
	jq ".RawDataSources[2].Datasets[4] |= del(.Search)" facebook.json >bad.json &&
	expect_failure 78 "td-check: bad.json: .RawDataSources[2].Datasets[4]: expected PostIDs or Search (or both), found neither" \
		td-check -c bad.json
'

test_expect_success 'invalid JSON gives the line and column' '
	printf "{\n  \"PipelineName\": \"X\",,\n}\n" >bad.json &&
	expect_failure 78 "td-check: bad.json:2:23: invalid JSON: string or ${SQ}}${SQ} expected near ${SQ},${SQ}" \
		td-check -c bad.json
'

# ---- coding plans errors ----

test_expect_success 'a plan with an unknown cleaner' '
	jq ".DemogCodingPlans[0].CodingConfigurations[0].Cleaner = \"somali_gendr\"" "$SMS_PLANS" >plans.json &&
	expect_failure 78 "td-check: plans.json: .DemogCodingPlans[0].CodingConfigurations[0].Cleaner: unknown cleaner ${SQ}somali_gendr${SQ} (expected one of somali_gender, somali_yes_no, somali_mogadishu_sub_district, district_if_no_mogadishu_sub_district, age_with_range_filter, engagement_type, facebook_comment_reply_to, facebook_post_type)" \
		td-check -c sms.json -p plans.json
'

test_expect_success 'a plan naming a missing scheme file' '
	jq ".DemogCodingPlans[2].CodingConfigurations[3].CodeScheme = \"somalia_states.json\"" "$SMS_PLANS" >plans.json &&
	expect_failure 78 "td-check: plans.json: .DemogCodingPlans[2].CodingConfigurations[3].CodeScheme: code scheme $SCHEMES/somalia_states.json: cannot open: No such file or directory" \
		td-check -c sms.json -p plans.json
'

test_expect_success 'a WS code with no matching code in the WS-correct-dataset scheme' '
	jq ".RQACodingPlans[4].WSCode = \"s08e44\"" "$SMS_PLANS" >plans.json &&
	expect_failure 78 "td-check: plans.json: .RQACodingPlans[4].WSCode: no code in ws_correct_dataset.json has match value ${SQ}s08e44${SQ}" \
		td-check -c sms.json -p plans.json
'

test_expect_success 'an engagement window whose code is not in the engagement-type scheme' '
	jq ".EngagementTypeWindows[2].Code = \"radio\"" "$SMS_PLANS" >plans.json &&
	expect_failure 78 "td-check: plans.json: .EngagementTypeWindows[2].Code: ${SQ}radio${SQ} is not a match value of engagement_type.json (the scheme of the engagement_type cleaner at .EngagementCodingPlans[0].CodingConfigurations[0].Cleaner)" \
		td-check -c sms.json -p plans.json
'

test_expect_success 'a cleaner whose outputs the scheme cannot hold' '
	jq ".FollowUpCodingPlans[0].CodingConfigurations[0].Cleaner = \"somali_gender\"" "$SMS_PLANS" >plans.json &&
	expect_failure 78 "td-check: plans.json: .FollowUpCodingPlans[0].CodingConfigurations[0].Cleaner: cleaner ${SQ}somali_gender${SQ} gives ${SQ}male${SQ}, which is not a match value of s08_have_voice.json" \
		td-check -c sms.json -p plans.json
'

test_expect_success 'a fold strategy that does not suit the coding mode' '
	jq ".RQACodingPlans[0].CodingConfigurations[0].FoldStrategy = \"assert_label_ids_equal\"" "$SMS_PLANS" >plans.json &&
	expect_failure 78 "td-check: plans.json: .RQACodingPlans[0].CodingConfigurations[0].FoldStrategy: fold strategy ${SQ}assert_label_ids_equal${SQ} needs CodingMode SINGLE" \
		td-check -c sms.json -p plans.json
'

test_expect_success 'two coding configurations writing one coded field' '
	jq ".EngagementCodingPlans[1].CodingConfigurations[0].CodedField = \"rqa_s08e01_engagement_type_coded\"" "$SMS_PLANS" >plans.json &&
	expect_failure 78 "td-check: plans.json: .EngagementCodingPlans[1].CodingConfigurations[0].CodedField: duplicate coded field ${SQ}rqa_s08e01_engagement_type_coded${SQ} (also .EngagementCodingPlans[0].CodingConfigurations[0].CodedField)" \
		td-check -c sms.json -p plans.json
'

test_expect_success 'a misspelt key in a coding configuration' '
	jq ".RQACodingPlans[0].CodingConfigurations[0] += {AnalysisKey: \"x\"}" "$SMS_PLANS" >plans.json &&
	expect_failure 78 "td-check: plans.json: .RQACodingPlans[0].CodingConfigurations[0].AnalysisKey: unknown key (expected CodedField, CodingMode, CodeScheme, RawField, Cleaner, RequiresManualVerification, AnalysisFileKey, FoldStrategy, IncludeInThemeDistribution, IncludeInIndividualsFile, or a comment key starting with ${SQ}_${SQ})" \
		td-check -c sms.json -p plans.json
'

# ---- code scheme errors (a scratch copy of the schemes) ----

test_expect_success 'a scheme whose code ids are not unique' '
	mkdir schemes && cp "$SCHEMES"/*.json schemes/ &&
	jq ".Codes[3].CodeID = \"code-NA-f93d3eb7\"" "$SCHEMES/gender.json" >schemes/gender.json &&
	expect_failure 78 "td-check: schemes/gender.json: .Codes[3].CodeID: duplicate code id ${SQ}code-NA-f93d3eb7${SQ} (also .Codes[2].CodeID)" \
		td-check -c sms.json -s schemes
'

test_expect_success 'a scheme whose match values are not unique' '
	cp "$SCHEMES/gender.json" schemes/gender.json &&
	jq ".Codes[1].MatchValues = [\"male\"]" "$SCHEMES/gender.json" >schemes/gender.json &&
	expect_failure 78 "td-check: schemes/gender.json: .Codes[1].MatchValues[0]: duplicate match value ${SQ}male${SQ} (also .Codes[0].MatchValues[0])" \
		td-check -c sms.json -s schemes
'

test_expect_success 'a Control code without a ControlCode' '
	jq "del(.Codes[2].ControlCode)" "$SCHEMES/gender.json" >schemes/gender.json &&
	expect_failure 78 "td-check: schemes/gender.json: .Codes[2].ControlCode: missing (expected a non-empty string)" \
		td-check -c sms.json -s schemes
'

test_expect_success 'two different scheme files with one SchemeID' '
	cp "$SCHEMES/gender.json" schemes/gender.json &&
	jq ".SchemeID = \"Scheme-12cb6f95\"" "$SCHEMES/age.json" >schemes/age.json &&
	expect_failure 78 "td-check: $SMS_PLANS: .DemogCodingPlans[1].CodingConfigurations[0].CodeScheme: age.json has SchemeID ${SQ}Scheme-12cb6f95${SQ}, as gender.json (used at .DemogCodingPlans[0].CodingConfigurations[0].CodeScheme) does, but the two differ: labels could not tell them apart" \
		td-check -c sms.json -s schemes
'

# ---- files and usage ----

test_expect_code 66 'a missing configuration file is exit 66' '
	td-check -c no-such-config.json
'

test_expect_success 'the missing file is named' '
	expect_failure 66 "td-check: no-such-config.json: cannot open: No such file or directory" \
		td-check -c no-such-config.json
'

test_expect_code 66 'a missing plans file is exit 66' '
	td-check -c sms.json -p no-such-plans.json
'

test_expect_code 64 'no -c is a usage error' '
	td-check -p "$SMS_PLANS"
'

test_expect_code 64 'an operand is a usage error' '
	td-check -c sms.json sms.json
'

test_expect_code 64 'an unknown option is a usage error' '
	td-check -c sms.json --no-such-option
'

test_expect_success '--help and --version' '
	td-check --help >help &&
	grep "^usage: td-check \[-qv\] -c config \[-p plans\] \[-s dir\]$" help &&
	td-check --version >version &&
	grep "^td-check (tdtools) " version
'

test_done
