#!/bin/sh
# plot-weekly on the reference's golden SMS outputs with the IBTCI config: the weeks of its messages, a graph for
# every coding configuration in the theme distribution.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog gnuplot

GOLDEN=$SHARED/golden/sms/Outputs
ibtci_config sms sms.json

test_expect_success 'the golden messages per week in the project zone (+03:00); the withdrawn one left out' '
	plot-weekly -c sms.json -d graphs --keep-data -v "$GOLDEN/messages_traced_data.jsonl" \
	    "$GOLDEN/individuals_traced_data.jsonl" 2>err &&
	awk -F "\t" "NR > 1 && \$3 > 0 { print \$2, \$3 }" graphs/messages_per_week.dat >actual &&
	printf "%s\n" "2020-W44 1" "2020-W45 1" "2020-W46 1" "2021-W07 1" >expect &&
	test_cmp expect actual &&
	tail -1 err >actual &&
	echo "plot-weekly: 4 messages in 17 weeks (1 of participants who withdrew consent left out); 3 individuals" >expect &&
	test_cmp expect actual
'

test_expect_success 'a code graph for each of the 20 coding configurations in the theme distribution' '
	(cd graphs && ls codes_*.png) >actual &&
	jq -r "[.RQACodingPlans, .DemogCodingPlans, .FollowUpCodingPlans, .EngagementCodingPlans][][] |
	    .CodingConfigurations[] | select(.IncludeInThemeDistribution != false) | \"codes_\" + .AnalysisFileKey + \".png\"" \
	    "$EXAMPLES/ibtci/sms_coding_plans.json" | sort >expect &&
	test_cmp expect actual && test $(wc -l <actual) = 20
'

test_expect_success 'the codes of rqa_s08e01 over the golden messages' '
	cut -f1,2 graphs/codes_rqa_s08e01.dat | awk "NR > 1 && \$2 > 0" >actual &&
	printf "%s\t%s\n" elders_are_experienced 1 decision_making_is_for_youth 1 NA 1 NC 1 NR 1 >expect &&
	test_cmp expect actual
'

test_done
