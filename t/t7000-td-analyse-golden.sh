#!/bin/sh
# td-analyse against the reference's Automated Analysis CSVs (golden/README.md rules: byte-identical, except
# sample_messages.csv compared as its header and the set of its rows; Facebook loyalty.csv by its first 40 lines):
# on the reference's own SMS TracedData outputs, and end to end after our stage 3 on the goldens' inputs.
. "$(dirname "$0")/test-lib.sh"
require_shared
require_prog jq

stage3="$TOP/scripts/3_generate_outputs.sh"

ibtci_config sms sms.json
ibtci_config facebook facebook.json

# compare_analysis GOLDEN-DIR OUR-DIR: prints what differs
compare_analysis() {
	for f in "$1"/*.csv; do
		b=${f##*/}
		case $b in
		sample_messages.csv)
			head -1 "$f" >g.head && head -1 "$2/$b" >o.head && cmp -s g.head o.head ||
				echo "differs: header of $b"
			sed 1d "$f" | sort >g.rows && sed 1d "$2/$b" | sort >o.rows && cmp -s g.rows o.rows ||
				echo "differs: rows of $b"
			;;
		loyalty.FIRST40LINES.csv)
			head -40 "$2/loyalty.csv" >o.first40 && cmp -s "$f" o.first40 || echo "differs: $b"
			;;
		facebook_metrics.csv)
			;;
		*)
			cmp -s "$f" "$2/$b" || echo "differs: $b"
			;;
		esac
	done
	# the same files, and no others
	(cd "$1" && ls | sed -e '/^MAP_FILE_LIST.txt$/d' -e '/^facebook_metrics.csv$/d' \
		-e 's/^loyalty.FIRST40LINES.csv$/loyalty.csv/') | sort >g.list
	(cd "$2" && ls | sed '/^facebook_metrics.csv$/d') | sort >o.list
	cmp -s g.list o.list || echo "file lists differ: $(diff g.list o.list | grep '^[<>]' | tr '\n' ' ')"
}

run_stage3() {
	# run_stage3 NAME CONFIG: a data root with the golden's inputs, stage 3 over it
	rm -rf "root-$1" &&
	mkdir "root-$1" &&
	cp -R "$SHARED/golden/$1/Raw Data" "root-$1/" &&
	if [ -d "$SHARED/golden/$1/Coded Coda Files" ]; then
		cp -R "$SHARED/golden/$1/Coded Coda Files" "root-$1/"
	fi &&
	"$stage3" -q tester - "$2" "root-$1" 2>stage3.err
}

GS=$SHARED/golden/sms/Outputs
GF=$SHARED/golden/facebook/Outputs

test_expect_success 'sms: the reference'"'"'s own TracedData outputs give every CSV of the reference' '
	td-analyse -c sms.json -d ref "$GS/messages_traced_data.jsonl" "$GS/individuals_traced_data.jsonl" 2>err &&
	test_cmp /dev/null err &&
	compare_analysis "$GS/Automated Analysis" ref >diffs &&
	test_cmp /dev/null diffs
'

test_expect_success 'sms: sample_messages.csv is even the same bytes (one message per code, so no order to draw)' '
	cmp "$GS/Automated Analysis/sample_messages.csv" ref/sample_messages.csv
'

test_expect_success 'sms end to end: stage 3 on the golden inputs, then td-analyse on our TracedData' '
	run_stage3 sms sms.json &&
	O=root-sms/Outputs &&
	td-analyse -c sms.json -d "$O/Automated Analysis" --metrics-dir "root-sms/Engagement Metrics" \
		"$O/messages_traced_data.jsonl" "$O/individuals_traced_data.jsonl" &&
	compare_analysis "$GS/Automated Analysis" "$O/Automated Analysis" >diffs &&
	test_cmp /dev/null diffs &&
	for f in ref/*; do cmp "$f" "$O/Automated Analysis/${f#ref/}" || return 1; done
'

test_expect_success 'facebook end to end: stage 3 (no Coded Coda Files), then td-analyse (first cc of each plan)' '
	run_stage3 facebook facebook.json &&
	O=root-facebook/Outputs &&
	mkdir "root-facebook/Engagement Metrics" &&
	cp "$GF/Automated Analysis/facebook_metrics.csv" "root-facebook/Engagement Metrics/" &&
	td-analyse -c facebook.json -d "$O/Automated Analysis" --metrics-dir "root-facebook/Engagement Metrics" \
		"$O/messages_traced_data.jsonl" "$O/individuals_traced_data.jsonl" &&
	compare_analysis "$GF/Automated Analysis" "$O/Automated Analysis" >diffs &&
	test_cmp /dev/null diffs
'

test_expect_success 'facebook: loyalty.csv has every one of the 2^19 - 1 combinations, the last of all 19' '
	O="root-facebook/Outputs/Automated Analysis" &&
	test "$(wc -l <"$O/loyalty.csv")" = 524288 &&
	tail -1 "$O/loyalty.csv" | cut -c1-40 >actual &&
	echo "\"facebook_s08e01, facebook_s08e02, faceb" >expect &&
	test_cmp expect actual &&
	tail -1 "$O/loyalty.csv" | sed "s/.*facebook_s08e06_break_w07\",/last:/" >actual &&
	echo "last:0" >expect &&
	test_cmp expect actual &&
	sed 1d "$O/loyalty.csv" | awk -F, "{ s += \$NF } END { print s }" >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_expect_success 'facebook: the engagement metrics are copied through' '
	cmp "$GF/Automated Analysis/facebook_metrics.csv" "root-facebook/Outputs/Automated Analysis/facebook_metrics.csv"
'

test_expect_success 'a failed run leaves the previous analysis untouched' '
	O="root-sms/Outputs/Automated Analysis" &&
	(cd "$O" && cksum *) >before &&
	head -2 "$GS/messages_traced_data.jsonl" >bad.jsonl &&
	printf "[]\n" >>bad.jsonl &&
	{ td-analyse -c sms.json -d "$O" bad.jsonl "$GS/individuals_traced_data.jsonl" 2>err; test $? = 65; } &&
	grep "^td-analyse: bad.jsonl:3: " err &&
	(cd "$O" && cksum *) >after &&
	test_cmp before after &&
	! ls -A "$O" | grep tmp
'

test_done
