#!/bin/sh
# Faults beyond the network: a full disk, a file-size limit, unreadable input, SIGINT/SIGTERM in the middle
# of a write, SIGPIPE from head. Each ends with the documented exit code, no partial output file, the
# previous output kept, and no core (no crash signal).

. "$(dirname "$0")/test-lib.sh"

CFG=$EXAMPLES/demo/config.json
cp -R "$EXAMPLES/demo/Raw Data" "$EXAMPLES/demo/Coded Coda Files" .
"$TOP/scripts/3_generate_outputs.sh" -q demo - "$CFG" . || { say "1..1"; say "not ok 1 - stage 3 failed on the demo"; exit 1; }
MSGS=Outputs/messages_traced_data.jsonl
csv-export -c "$CFG" --messages -o old.csv "$MSGS" || exit 1
# The auto-coded messages (what coda-export reads), and a file big enough for the SIGPIPE test.
td-join -c "$CFG" -r "Raw Data" | td-remap -c "$CFG" | td-filter -c "$CFG" -q | td-autocode -c "$CFG" >coded.jsonl || exit 1

# Only the final file may be left in a directory: no temporary file beside it.
only_final() {
	ls -A "$1" >listing && printf '%s\n' "$2" >expect_listing && test_cmp expect_listing listing
}

test_expect_code 74 'stdout on a full device: exit 74' '
	td-cat "$MSGS" >/dev/full 2>err
'
test_expect_success '... with the reason' '
	echo "td-cat: write error: No space left on device" >expect && test_cmp expect err
'

for tool in "td-filter --has uid" "td-sort -k sent_on" "td-autocode -c $CFG" "td-consent -c $CFG"; do
	name=${tool%% *}
	test_expect_code 74 "$name: stdout on a full device: exit 74" "
		$tool coded.jsonl >/dev/full 2>err
	"
done

test_expect_code 74 'csv-export: stdout on a full device: exit 74' '
	csv-export -c "$CFG" --messages "$MSGS" >/dev/full 2>err
'

test_expect_success 'file-size limit (SIGXFSZ ignored): exit 74, the old file kept, no temporary file' '
	mkdir lim && cp old.csv lim/out.csv &&
	(trap "" XFSZ; ulimit -f 2; csv-export -c "$CFG" --messages -o lim/out.csv "$MSGS") 2>err;
	echo $? >rc && echo 74 >expect && test_cmp expect rc &&
	grep -q "^csv-export: lim/out.csv: write error" err &&
	test_cmp old.csv lim/out.csv && only_final lim out.csv
'

# A really full file system, where mount is allowed (root, not in a container that forbids it).
if mkdir tiny && mount -t tmpfs -o size=16k tmpfs tiny 2>/dev/null; then
	test_expect_success 'full tmpfs: coda-export fails with 74 and replaces none of the previous files' '
		mkdir tiny/coda && printf "[]" >tiny/coda/demo_rqa_e01.json &&
		head -c 8192 /dev/zero >tiny/filler &&
		coda-export -c "$CFG" -d tiny/coda coded.jsonl 2>err; echo $? >rc &&
		echo 74 >expect && test_cmp expect rc &&
		grep -q "No space left on device" err &&
		printf "[]" >expect && test_cmp expect tiny/coda/demo_rqa_e01.json &&
		only_final tiny/coda demo_rqa_e01.json
	'
	umount tiny
else
	test_expect_success 'full tmpfs (skipped: mount not permitted here; the ulimit test covers the path)' 'true'
fi

test_expect_code 66 'missing input: exit 66' '
	td-cat no-such-file.jsonl 2>err
'
test_expect_success '... with the reason' '
	echo "td-cat: no-such-file.jsonl: No such file or directory" >expect && test_cmp expect err
'

test_expect_code 66 'a directory as input: exit 66' '
	td-cat Outputs 2>err
'

# Unreadable input: root reads anything, so drop to nobody where we are root.
cp "$MSGS" secret.jsonl && chmod 000 secret.jsonl
as_user() {
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || return 1
		chmod 755 . && setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}
test_expect_code 77 'unreadable input: exit 77 (permission)' '
	as_user td-cat secret.jsonl 2>err
'
test_expect_success '... with the reason' '
	echo "td-cat: secret.jsonl: Permission denied" >expect && test_cmp expect err
'

# SIGINT/SIGTERM while csv-export writes its output file: the input comes through a FIFO that stays open,
# so the tool is killed with its temporary file open beside the old output.
for sig in INT TERM; do
	case $sig in INT) code=130 ;; TERM) code=143 ;; esac
	test_expect_success "SIG$sig in the middle of an output file: exit $code, old file kept, no temporary" "
		mkdir sig$sig && cp old.csv sig$sig/out.csv && mkfifo sig$sig.fifo || return 1
		(exec csv-export -c \"\$CFG\" --messages -o sig$sig/out.csv <sig$sig.fifo 2>sig$sig.err) &
		pid=\$!
		exec 7>sig$sig.fifo && cat \"\$MSGS\" >&7 &&
		i=0 && while ! ls -A sig$sig | grep -q '^[.]out.csv.tmp' && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done &&
		ls -A sig$sig | grep -q '^[.]out.csv.tmp' &&
		kill -$sig \$pid; wait \$pid; echo \$? >sig$sig.rc; exec 7>&- &&
		echo $code >expect && test_cmp expect sig$sig.rc && test_cmp /dev/null sig$sig.err &&
		test_cmp old.csv sig$sig/out.csv && only_final sig$sig out.csv
	"
done

test_expect_success 'SIGPIPE from head: quiet, the default signal death (141)' '
	for i in 1 2 3 4 5 6 7 8; do cat "$MSGS"; done >big.jsonl &&
	for i in 1 2 3 4 5 6 7 8; do cat big.jsonl; done >bigger.jsonl &&
	sh -c "td-cat --flat bigger.jsonl 2>err; echo \$? >rc" | head -1 >/dev/null &&
	echo 141 >expect && test_cmp expect rc && test_cmp /dev/null err
'

test_done
