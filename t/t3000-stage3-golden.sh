#!/bin/sh
# scripts/3_generate_outputs.sh end to end on the reference's goldens (golden/README.md comparison rules):
# every CSV, ICR sample and Coda file (label DateTimeUTC and OriginID masked), and the latest values of the
# messages and individuals TracedData.
. "$(dirname "$0")/test-lib.sh"
require_shared
require_prog jq

stage3="$TOP/scripts/3_generate_outputs.sh"

mask_labels() {
	sed -E 's/("(DateTimeUTC|OriginID)": )"[^"]*"/\1"X"/g' "$1"
}

# latest values of a TD file, one sorted JSON object per line, labels masked, our provenance key dropped
latest() {
	td-cat --flat "$1" | jq -cS 'walk(if type == "object" then with_entries(if .key == "DateTimeUTC" or
		.key == "OriginID" then .value = "X" else . end) else . end) | del(._FoldedTracedDataSHAs)'
}

# compare_outputs GOLDEN-OUTPUTS OUR-OUTPUTS: prints the files that differ
compare_outputs() {
	for f in production.csv messages.csv individuals.csv; do
		[ -f "$1/$f" ] || continue
		cmp -s "$1/$f" "$2/$f" || echo "differs: $f"
	done
	for f in "$1"/ICR/*; do
		cmp -s "$f" "$2/ICR/${f##*/}" || echo "differs: ICR/${f##*/}"
	done
	for f in "$1"/"Coda Files"/*; do
		mask_labels "$f" >g.masked
		mask_labels "$2/Coda Files/${f##*/}" >o.masked 2>/dev/null || echo "missing: Coda Files/${f##*/}"
		cmp -s g.masked o.masked || echo "differs: Coda Files/${f##*/}"
	done
	# nothing extra either
	(cd "$1" && find . -path './Automated Analysis' -prune -o -type f -print | grep -v '_traced_data.jsonl$' | sort) >g.list
	(cd "$2" && find . -type f -print | grep -v '_traced_data.jsonl$' | sort) >o.list
	cmp -s g.list o.list || echo "file lists differ: $(diff g.list o.list | grep '^[<>]' | tr '\n' ' ')"
}

run_golden() {
	# run_golden NAME: a data root with the golden's inputs, stage 3 over it
	rm -rf "root-$1" &&
	mkdir "root-$1" &&
	cp -R "$SHARED/golden/$1/Raw Data" "root-$1/" &&
	if [ -d "$SHARED/golden/$1/Coded Coda Files" ]; then
		cp -R "$SHARED/golden/$1/Coded Coda Files" "root-$1/"
	fi &&
	"$stage3" -q tester - "$2" "root-$1"
}

ibtci_config sms sms.json
ibtci_config facebook facebook.json

test_expect_success 'sms: stage 3 runs' '
	run_golden sms sms.json
'

test_expect_success 'sms: every CSV, ICR sample and Coda file is the reference'"'"'s' '
	compare_outputs "$SHARED/golden/sms/Outputs" root-sms/Outputs >diffs &&
	test_cmp /dev/null diffs
'

test_expect_success 'sms: messages and individuals TracedData hold the reference'"'"'s latest values' '
	latest "$SHARED/golden/sms/Outputs/messages_traced_data.jsonl" >expect &&
	latest root-sms/Outputs/messages_traced_data.jsonl >actual &&
	test_cmp expect actual &&
	latest "$SHARED/golden/sms/Outputs/individuals_traced_data.jsonl" >expect &&
	latest root-sms/Outputs/individuals_traced_data.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'sms: our TracedData outputs verify' '
	td-cat --verify -q root-sms/Outputs/messages_traced_data.jsonl root-sms/Outputs/individuals_traced_data.jsonl
'

test_expect_success 'facebook: stage 3 runs with no Coded Coda Files (every Coda file counts as empty)' '
	run_golden facebook facebook.json 2>err
'

test_expect_success 'facebook: every CSV, ICR sample and Coda file is the reference'"'"'s' '
	compare_outputs "$SHARED/golden/facebook/Outputs" root-facebook/Outputs >diffs &&
	test_cmp /dev/null diffs
'

test_expect_success 'auto-code-only: production, ICR and Coda files, and the auto-coded TracedData' '
	rm -rf root-ac && mkdir root-ac &&
	cp -R "$SHARED/golden/sms/Raw Data" "$SHARED/golden/sms/Coded Coda Files" root-ac/ &&
	"$stage3" -q --run-mode auto-code-only tester - sms.json root-ac &&
	cmp root-ac/Outputs/production.csv "$SHARED/golden/sms/Outputs/production.csv" &&
	test -s root-ac/Outputs/auto_coding_traced_data.jsonl &&
	! test -e root-ac/Outputs/messages.csv
'

test_expect_success 'a failed run leaves the previous Outputs untouched' '
	(cd root-sms/Outputs && find . -type f -print0 | sort -z | xargs -0 cksum) >before &&
	printf "not json\n" >>"root-sms/Raw Data/csap_s08e01_activation.jsonl" &&
	! "$stage3" -q tester - sms.json root-sms 2>err &&
	grep "csap_s08e01_activation.jsonl:5: invalid JSON at column 1: invalid literal" err &&
	(cd root-sms/Outputs && find . -type f -print0 | sort -z | xargs -0 cksum) >after &&
	test_cmp before after &&
	! ls -d root-sms/.Outputs.* 2>/dev/null
'

test_expect_success '--profile-memory writes MEM lines mprof can plot' '
	"$stage3" -q --profile-memory mem.prof tester - facebook.json root-facebook &&
	head -1 mem.prof | grep "^CMDLINE " &&
	sed 1d mem.prof | grep -c "^MEM [0-9.]* [0-9.]*$" >n &&
	test "$(cat n)" -ge 1 &&
	! sed 1d mem.prof | grep -v "^MEM "
'

test_expect_success 'usage errors exit 64, a missing data root 66' '
	{ "$stage3" 2>err; test $? = 64; } &&
	{ "$stage3" --run-mode sometimes u - sms.json root-sms 2>err; test $? = 64; } &&
	{ "$stage3" u - sms.json nowhere 2>err; test $? = 66; } &&
	grep "nowhere/Raw Data: no raw data" err
'

if [ "${TD_VALGRIND:-}" = 1 ]; then
	say "# skipping sms-5k under valgrind (minutes per run); the normal and sanitizer runs cover it"
else
	test_expect_success 'sms-5k: stage 3 runs' '
		run_golden sms-5k sms.json
	'
	test_expect_success 'sms-5k: every CSV, ICR sample and Coda file is the reference'"'"'s' '
		compare_outputs "$SHARED/golden/sms-5k/Outputs" root-sms-5k/Outputs >diffs &&
		test_cmp /dev/null diffs
	'
fi

test_done
