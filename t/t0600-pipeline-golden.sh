#!/bin/sh
# The front half of stage 3 against the reference's production.csv (pipeline.md §5.1–5.6):
#   td-join | td-remap | td-filter | td-sort -k sent_on | td-cat --csv <production columns>
# This pipeline has no WS-correction step (ws-correct, §5.3), so messages stay in the dataset they were sent to.

. "$(dirname "$0")/test-lib.sh"

require_shared

ibtci_config sms sms.json

# $1: the golden folder. Writes the pipeline's CSV to actual.
front_half() {
	header=$(head -1 "$1/Outputs/production.csv") &&
	td-join -c sms.json -r "$1/Raw Data" |
	td-remap -c sms.json |
	td-filter -c sms.json |
	td-sort -k sent_on |
	td-cat --csv "$header" >actual
}

test_expect_success 'the pipeline runs on the golden SMS raw data' '
	front_half "$SHARED/golden/sms"
'

# The golden's one WS move: participant C sent "haa, \"quoted\", comma" to rqa_s08e02; its Coda label (WS, with
# WS-correct-dataset code s08e01) makes the reference move it to rqa_s08e01 (pipeline.md §5.3, §9.2). Without
# ws-correct the message stays in rqa_s08e02, so the expected file is the golden with that one cell moved one
# column right (from rqa_s08e01_raw to rqa_s08e02_raw); every other byte is the golden's.
test_expect_success 'SMS: production.csv byte for byte, except the one WS move (kept in rqa_s08e02_raw)' '
	sed "s/^\(avf-phone-uuid-C,[^,]*\),\(\"haa, \"\"quoted\"\", comma\"\),,/\1,,\2,/" \
		"$SHARED/golden/sms/Outputs/production.csv" >expect &&
	! cmp -s expect "$SHARED/golden/sms/Outputs/production.csv" &&
	test $(wc -l <expect) = 7 &&
	test_cmp expect actual
'

# sms-5k was produced with the same SMS configuration and has no WS moves: production.csv as is.
test_expect_large 'sms-5k: production.csv byte for byte' '
	front_half "$SHARED/golden/sms-5k" &&
	test_cmp "$SHARED/golden/sms-5k/Outputs/production.csv" actual
'

test_expect_large 'sms-5k: the traced output of the same pipeline verifies' '
	td-join -c sms.json -r "$SHARED/golden/sms-5k/Raw Data" |
	td-remap -c sms.json |
	td-filter -c sms.json |
	td-sort -k sent_on >sorted.t &&
	td-cat -q --verify sorted.t &&
	test $(wc -l <sorted.t) = 5000
'

test_done
