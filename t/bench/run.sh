#!/bin/sh
# make bench: throughput and peak memory of the record tools on a 200+ MB file of pipeline-like messages,
# side by side with `jq -c .` (DESIGN.md §8; the jq anchor in reference/ecosystem.md §5 is 21-23 MB/s).
#
# The data (t/bench/data/, git-ignored) is made once and reused while the generator is unchanged: a hundred
# distinct messages from gen-records.sh (20 history entries, a nested survey TracedData, labels, real SHAs),
# replicated to at least 200 MiB, which keeps every SHA valid.
#
# Peak RSS comes from GNU time (`/usr/bin/time -f '%e %M'`, Debian package "time"). Without it, the tool
# runs in the background and its VmHWM is read from /proc/PID/status every 20 ms (the high-water mark only
# grows, so the last reading before exit is the peak, give or take the last 20 ms).
#
# Timings are printed, never checked: this script fails only if the data cannot be made.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
TD_BIN=${TD_BIN:-$TOP/bin}
BENCH=$TOP/t/bench
DATA=$BENCH/data
FILE=$DATA/messages.jsonl
PART=$DATA/messages-10pct.jsonl
TARGET=$((200 * 1024 * 1024))
DISTINCT=100
export LC_ALL=C TD_USER=bench@tdtools

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
size_of() { wc -c <"$1" | tr -d ' '; }

[ -x "$TD_BIN/td-cat" ] || die "$TD_BIN/td-cat is missing (run make first)"
mkdir -p "$DATA" || die "cannot create $DATA"

# ---- the data ----
stamp="gen $(cksum <"$BENCH/gen-records.sh" | tr ' ' '-') distinct $DISTINCT target $TARGET"
if [ ! -s "$FILE" ] || [ ! -s "$PART" ] || [ "$(cat "$DATA/stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "bench: generating $DISTINCT distinct messages ..."
	t0=$(date +%s)
	rm -f "$FILE" "$PART" "$DATA/stamp"
	sh "$BENCH/gen-records.sh" "$DISTINCT" >"$DATA/base.jsonl" || die "gen-records.sh failed"
	"$TD_BIN/td-cat" --verify -q "$DATA/base.jsonl" || die "generated records do not verify (td-cat --verify)"
	# Replicate: 16 copies make a chunk, chunks are appended until the file holds TARGET bytes.
	i=0
	while [ $i -lt 16 ]; do cat "$DATA/base.jsonl"; i=$((i + 1)); done >"$DATA/chunk.jsonl"
	: >"$FILE.tmp"
	while [ "$(size_of "$FILE.tmp")" -lt $TARGET ]; do
		cat "$DATA/chunk.jsonl" >>"$FILE.tmp" || die "cannot write $FILE"
	done
	mv "$FILE.tmp" "$FILE"
	lines=$(wc -l <"$FILE" | tr -d ' ')
	head -n $((lines / 10)) "$FILE" >"$PART" || die "cannot write $PART"
	rm -f "$DATA/chunk.jsonl"
	echo "$stamp" >"$DATA/stamp"
	echo "bench: generated in $(($(date +%s) - t0)) s"
fi
BYTES=$(size_of "$FILE")
LINES=$(wc -l <"$FILE" | tr -d ' ')
PART_BYTES=$(size_of "$PART")
PART_LINES=$(wc -l <"$PART" | tr -d ' ')

# ---- measuring ----
if /usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null; then
	METHOD="GNU time (/usr/bin/time -f '%e %M')"
else
	METHOD="VmHWM from /proc/PID/status, polled every 20 ms"
fi
if [ "$(date +%N 2>/dev/null)" != "%N" ] && [ -n "$(date +%N 2>/dev/null)" ]; then
	now() { date +%s.%N; }
else
	now() { date +%s; }
fi

# measure FILE CMD...: run CMD FILE >/dev/null; sets WALL (s), RSS (KiB) and RC.
measure() {
	input=$1
	shift
	start=$(now)
	if [ "${METHOD#GNU}" != "$METHOD" ]; then
		/usr/bin/time -f '%e %M' -o "$DATA/time.out" "$@" "$input" >/dev/null 2>"$DATA/err.out"
		RC=$?
		RSS=$(tail -n 1 "$DATA/time.out" | awk '{ print $2 }')
	else
		"$@" "$input" >/dev/null 2>"$DATA/err.out" &
		pid=$!
		RSS=0
		while kill -0 "$pid" 2>/dev/null; do
			v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
			[ -n "$v" ] && RSS=$v
			sleep 0.02 2>/dev/null || sleep 1
		done
		wait "$pid"
		RC=$?
	fi
	WALL=$(awk -v a="$start" -v b="$(now)" 'BEGIN { w = b - a; if (w < 0.001) w = 0.001; printf "%.3f", w }')
}

# best NAME RUNS CMD...: the fastest of RUNS runs (and the largest RSS) on the whole file, into the table.
ROWS=
best() {
	name=$1 runs=$2
	shift 2
	bw= br=0 k=0
	while [ $k -lt "$runs" ]; do
		measure "$FILE" "$@"
		if [ "$RC" != 0 ]; then
			printf 'bench: %s failed (exit %s): %s\n' "$name" "$RC" "$(head -n 1 "$DATA/err.out")" >&2
			ROWS="$ROWS$name|failed|exit $RC
"
			return
		fi
		if [ -z "$bw" ] || awk -v a="$WALL" -v b="$bw" 'BEGIN { exit !(a < b) }'; then bw=$WALL; fi
		[ "${RSS:-0}" -gt "$br" ] && br=$RSS
		k=$((k + 1))
	done
	ROWS="$ROWS$name|$bw|$br
"
	printf '  %-28s %8.3f s\n' "$name" "$bw"
}

have() { [ -x "$TD_BIN/$1" ]; }
skip() { ROWS="$ROWS$1|skipped|$2
"; printf '  %-28s skipped: %s\n' "$1" "$2"; }

echo "bench: $FILE: $BYTES bytes, $LINES records ($(awk -v b="$BYTES" -v n="$LINES" 'BEGIN { printf "%.1f", b / n / 1024 }') KiB each)"
echo "bench: peak RSS by $METHOD; MB = 10^6 bytes; output to /dev/null; best of 2 runs (jq: 1)"
cat "$FILE" >/dev/null	# into the page cache: the tools are timed, not the disk

best "td-cat" 2 "$TD_BIN/td-cat"
best "td-cat --flat" 2 "$TD_BIN/td-cat" --flat
best "td-cat --verify" 2 "$TD_BIN/td-cat" --verify
if have td-filter; then best "td-filter --has uid" 2 "$TD_BIN/td-filter" --has uid; else skip "td-filter --has uid" "bin/td-filter not built yet"; fi
if have td-remap; then best "td-remap -m uid=participant" 2 "$TD_BIN/td-remap" -m uid=participant; else skip "td-remap -m uid=participant" "bin/td-remap not built yet"; fi
if have td-sort; then best "td-sort -k sent_on" 2 "$TD_BIN/td-sort" -k sent_on; else skip "td-sort -k sent_on" "bin/td-sort not built yet"; fi
if command -v jq >/dev/null 2>&1; then best "jq -c ." 1 jq -c .; else skip "jq -c ." "jq not installed"; fi

# ---- the table ----
echo
printf '%s' "$ROWS" | awk -F'|' -v bytes="$BYTES" '
	{ name[NR] = $1; wall[NR] = $2; rss[NR] = $3; if ($1 == "jq -c .") jq = $2 }
	END {
		printf "%-28s %10s %14s %14s\n", "tool", "MB/s", "peak RSS MiB", "vs jq -c ."
		printf "%-28s %10s %14s %14s\n", "----", "----", "------------", "----------"
		for (i = 1; i <= NR; i++) {
			if (wall[i] !~ /^[0-9.]+$/) { printf "%-28s %10s   %s\n", name[i], wall[i], rss[i]; continue }
			up = (jq ~ /^[0-9.]+$/) ? sprintf("%.1fx", jq / wall[i]) : "n/a"
			printf "%-28s %10.1f %14.1f %14s\n", name[i], bytes / 1e6 / wall[i], rss[i] / 1024, up
		}
	}'

# ---- memory does not grow with the number of records ----
echo
measure "$PART" "$TD_BIN/td-cat"
part_rss=$RSS part_rc=$RC
measure "$FILE" "$TD_BIN/td-cat"
full_rss=$RSS full_rc=$RC
if [ "$part_rc" = 0 ] && [ "$full_rc" = 0 ]; then
	awk -v pl="$PART_LINES" -v pb="$PART_BYTES" -v pr="$part_rss" -v fl="$LINES" -v fb="$BYTES" -v fr="$full_rss" 'BEGIN {
		printf "td-cat peak RSS: %.1f MiB on %d records (%.0f MB), %.1f MiB on %d records (%.0f MB): x%.2f for x%.1f records\n",
		    pr / 1024, pl, pb / 1e6, fr / 1024, fl, fb / 1e6, fr / pr, fl / pl
	}'
else
	echo "td-cat failed on the RSS check (exit $part_rc / $full_rc)"
fi

# ---- stage 3 at scale ----
# Synthetic SMS data roots for the real USAID-IBTCI configuration and plans (gen-sms.sh), made once per size
# and reused while the generator is unchanged; stage 3 whole (wall time and the peak of its --profile-memory
# summed-RSS profile), then each stage-3 tool alone on the intermediate files, and td-autocode, coda-export
# and coda-merge on the largest root, extrapolated to 1,000,000 messages. TD_BENCH_SCALE overrides the
# participant counts (4 messages each), TD_BENCH_SCALE=0 skips the section.
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
SCALE=${TD_BENCH_SCALE:-5000 50000}
echo
echo "== stage 3 at scale"
if [ "$SCALE" = 0 ]; then
	echo "stage 3 at scale: skipped (TD_BENCH_SCALE=0)"
	rm -f "$DATA/time.out" "$DATA/err.out"
	exit 0
fi
if [ ! -r "$SHARED/ibtci/configuration/sms_pipeline_config.json" ] || [ ! -d "$SHARED/ibtci/code_schemes" ]; then
	echo "stage 3 at scale: skipped ($SHARED/ibtci is missing: the real IBTCI configuration is needed)"
	rm -f "$DATA/time.out" "$DATA/err.out"
	exit 0
fi
for t in td-join td-remap td-filter ws-correct td-autocode coda-export icr-sample td-sort csv-export coda-merge td-consent td-fold td-check; do
	if ! have $t; then echo "stage 3 at scale: skipped (bin/$t not built yet)"; rm -f "$DATA/time.out" "$DATA/err.out"; exit 0; fi
done
command -v jq >/dev/null 2>&1 || { echo "stage 3 at scale: skipped (jq is needed by gen-sms.sh and stage 3)"; exit 0; }

# measure_io IN OUT CMD...: run CMD <IN >OUT (IN may be /dev/null); sets WALL (s), RSS (KiB) and RC.
measure_io() {
	mi_in=$1 mi_out=$2
	shift 2
	start=$(now)
	if [ "${METHOD#GNU}" != "$METHOD" ]; then
		/usr/bin/time -f '%e %M' -o "$DATA/time.out" "$@" <"$mi_in" >"$mi_out" 2>"$DATA/err.out"
		RC=$?
		RSS=$(tail -n 1 "$DATA/time.out" | awk '{ print $2 }')
	else
		"$@" <"$mi_in" >"$mi_out" 2>"$DATA/err.out" &
		pid=$!
		RSS=0
		while kill -0 "$pid" 2>/dev/null; do
			v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
			[ -n "$v" ] && RSS=$v
			sleep 0.02 2>/dev/null || sleep 1
		done
		wait "$pid"
		RC=$?
	fi
	WALL=$(awk -v a="$start" -v b="$(now)" 'BEGIN { w = b - a; if (w < 0.001) w = 0.001; printf "%.3f", w }')
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
bytes_of() { cat "$@" 2>/dev/null | wc -c | tr -d ' '; }

# step NAME INPUT-FILES OUT CMD...: one stage-3 tool alone (stdin: the first input file, or none), a row of TROWS.
TROWS=
step() {
	st_name=$1 st_in=$2 st_out=$3
	shift 3
	st_bytes=$(bytes_of $st_in)
	st_stdin=${st_in%% *}
	[ -n "$st_stdin" ] || st_stdin=/dev/null
	measure_io "$st_stdin" "$st_out" "$@"
	if [ "$RC" != 0 ]; then
		printf 'bench: %s failed (exit %s): %s\n' "$st_name" "$RC" "$(head -n 1 "$DATA/err.out")" >&2
		TROWS="$TROWS$st_name|failed|exit $RC||
"
		return 1
	fi
	st_outb=0
	[ -f "$st_out" ] && st_outb=$(size_of "$st_out")
	TROWS="$TROWS$st_name|$WALL|$RSS|$st_bytes|$st_outb
"
	printf '  %-44s %8.3f s\n' "$st_name" "$WALL" >&2
}
print_steps() {
	printf '%s' "$TROWS" | awk -F'|' '
		BEGIN {
			printf "%-44s %9s %9s %9s %9s %12s\n", "tool", "wall s", "in MB", "out MB", "MB/s", "peak RSS MiB"
			printf "%-44s %9s %9s %9s %9s %12s\n", "----", "------", "-----", "------", "----", "------------"
		}
		$2 !~ /^[0-9.]+$/ { printf "%-44s %9s   %s\n", $1, $2, $3; next }
		{ printf "%-44s %9.2f %9.1f %9.1f %9.1f %12.1f\n", $1, $2, $4 / 1e6, $5 / 1e6, $4 / 1e6 / $2, $3 / 1024 }'
}

# The stage-3 tools one at a time on ROOT's data, in the order of scripts/3_generate_outputs.sh, their
# intermediates in WORK; MODE "all" or "1m" (only what the 1,000,000-message section needs).
tools_alone() {
	root=$1 work=$2 mode=$3
	cfg=$root/config.json
	coded="$root/Coded Coda Files"
	o="-c $cfg -u $TD_USER -q"
	rm -rf "$work"
	mkdir -p "$work/coda" "$work/icr"
	TROWS=
	step "td-join" "" "$work/joined.jsonl" "$TD_BIN/td-join" $o -r "$root/Raw Data" || return 1
	TROWS=$(printf '%s' "$TROWS" | awk -F'|' -v b="$(bytes_of "$root/Raw Data"/*.jsonl)" 'BEGIN { OFS = "|" } { $4 = b; print }')
	TROWS="$TROWS
"
	step "td-remap" "$work/joined.jsonl" "$work/remapped.jsonl" "$TD_BIN/td-remap" $o || return 1
	rm -f "$work/joined.jsonl"
	step "td-filter --rqa-raw, piped to ws-correct" "$work/remapped.jsonl" "$work/ws.jsonl" \
		sh -c '"$1/td-filter" -c "$2" --rqa-raw -q | "$1/ws-correct" -c "$2" -u "$3" -q --coded-dir "$4"' \
		sh "$TD_BIN" "$cfg" "$TD_USER" "$coded" || return 1
	rm -f "$work/remapped.jsonl"
	step "td-filter" "$work/ws.jsonl" "$work/filtered.jsonl" "$TD_BIN/td-filter" -c "$cfg" -q || return 1
	rm -f "$work/ws.jsonl"
	step "td-autocode" "$work/filtered.jsonl" "$work/auto_coded.jsonl" "$TD_BIN/td-autocode" $o || return 1
	rm -f "$work/filtered.jsonl"
	step "coda-export" "$work/auto_coded.jsonl" /dev/null "$TD_BIN/coda-export" -c "$cfg" -q -d "$work/coda" "$work/auto_coded.jsonl" || return 1
	[ "$mode" = 1m ] || step "icr-sample" "$work/auto_coded.jsonl" /dev/null "$TD_BIN/icr-sample" -c "$cfg" -q -d "$work/icr" "$work/auto_coded.jsonl" || return 1
	step "td-sort -k sent_on" "$work/auto_coded.jsonl" "$work/sorted.jsonl" "$TD_BIN/td-sort" -k sent_on -q "$work/auto_coded.jsonl" || return 1
	rm -f "$work/auto_coded.jsonl"
	[ "$mode" = 1m ] || step "csv-export --production" "$work/sorted.jsonl" /dev/null "$TD_BIN/csv-export" -c "$cfg" -q --production -o "$work/production.csv" "$work/sorted.jsonl" || return 1
	step "coda-merge" "$work/sorted.jsonl" "$work/merged.jsonl" "$TD_BIN/coda-merge" $o --coded-dir "$coded" || return 1
	rm -f "$work/sorted.jsonl"
	if [ "$mode" = 1m ]; then rm -rf "$work"; return 0; fi
	step "td-consent --redact (messages)" "$work/merged.jsonl" "$work/messages_td.jsonl" "$TD_BIN/td-consent" $o --redact || return 1
	rm -f "$work/merged.jsonl"
	step "td-fold" "$work/messages_td.jsonl" "$work/folded.jsonl" "$TD_BIN/td-fold" $o "$work/messages_td.jsonl" || return 1
	step "td-consent --redact (individuals)" "$work/folded.jsonl" "$work/individuals_td.jsonl" "$TD_BIN/td-consent" $o --redact || return 1
	rm -f "$work/folded.jsonl"
	step "csv-export --messages" "$work/messages_td.jsonl" /dev/null "$TD_BIN/csv-export" -c "$cfg" -q --messages -o "$work/messages.csv" "$work/messages_td.jsonl" || return 1
	step "csv-export --individuals" "$work/individuals_td.jsonl" /dev/null "$TD_BIN/csv-export" -c "$cfg" -q --individuals -o "$work/individuals.csv" "$work/individuals_td.jsonl" || return 1
	rm -rf "$work"
}

echo "bench: data roots by t/bench/gen-sms.sh (real IBTCI SMS configuration, plans and schemes from $SHARED); free: $(df -h "$DATA" | awk 'NR == 2 { print $4 }')"
SROWS= small= big=
for np in $SCALE; do
	root=$DATA/sms-$np
	gstamp="gen-sms $(cksum <"$BENCH/gen-sms.sh" | tr ' ' '-') n $np shared $SHARED"
	if [ "$(cat "$root/stamp" 2>/dev/null)" != "$gstamp" ] || [ ! -s "$root/config.json" ]; then
		echo "bench: generating $np participants ($((4 * np)) messages) in $root ..."
		rm -rf "$root"
		t0=$(now)
		TD_BIN=$TD_BIN SHARED=$SHARED sh "$BENCH/gen-sms.sh" "$np" "$root" 2>"$DATA/err.out" || { cat "$DATA/err.out" >&2; die "gen-sms.sh $np failed"; }
		echo "$gstamp" >"$root/stamp"
		echo "bench: generated in $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s: $(bytes_of "$root/Raw Data"/*.jsonl | awk '{ printf "%.1f MB", $1 / 1e6 }') of raw data"
	fi
	rm -rf "$root/Outputs" "$root"/.Outputs.*
	cat "$root/Raw Data"/*.jsonl >/dev/null
	echo "bench: stage 3 on $np participants ($((4 * np)) messages) ..."
	t0=$(now)
	if TD_BIN=$TD_BIN "$TOP/scripts/3_generate_outputs.sh" -q --profile-memory "$DATA/mprof-$np.dat" bench - "$root/config.json" "$root" 2>"$DATA/err.out"; then
		w=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
		peak=$(awk '$1 == "MEM" && $2 > m { m = $2 } END { printf "%.1f", m }' "$DATA/mprof-$np.dat")
		msgs=$(($(wc -l <"$root/Outputs/messages.csv") - 1))
		inds=$(($(wc -l <"$root/Outputs/individuals.csv") - 1))
		mtd=$(size_of "$root/Outputs/messages_traced_data.jsonl")
		itd=$(size_of "$root/Outputs/individuals_traced_data.jsonl")
		SROWS="$SROWS$np|$((4 * np))|$(bytes_of "$root/Raw Data"/*.jsonl)|$w|$peak|$msgs|$inds|$mtd|$itd
"
	else
		printf 'bench: stage 3 on %s failed: %s\n' "$np" "$(tail -n 1 "$DATA/err.out")" >&2
		SROWS="$SROWS$np|$((4 * np))|failed||||||
"
	fi
	rm -rf "$root/Outputs" "$root"/.Outputs.*
	[ -n "$small" ] || small=$np
	big=$np
done
echo
printf '%s' "$SROWS" | awk -F'|' '
	BEGIN {
		printf "%12s %10s %9s %9s %13s %9s %12s %13s %12s\n", "participants", "messages", "raw MB", "wall s", "peak RSS MiB", "msgs/s", "messages TD MB", "KB/message TD", "indiv. TD MB"
		printf "%12s %10s %9s %9s %13s %9s %12s %13s %12s\n", "------------", "--------", "------", "------", "------------", "------", "--------------", "-------------", "------------"
	}
	$4 !~ /^[0-9.]+$/ { printf "%12d %10d %9s\n", $1, $2, $4; next }
	{ printf "%12d %10d %9.1f %9.1f %13.1f %9.0f %14.1f %13.1f %12.1f\n", $1, $2, $3 / 1e6, $4, $5, $6 / $4, $8 / 1e6, $8 / $6 / 1e3, $9 / 1e6 }'
echo "(wall: scripts/3_generate_outputs.sh --profile-memory, whole; peak RSS: the largest sample of its summed-RSS profile)"

echo
echo "== stage 3 tool by tool, $small participants ($((4 * small)) messages): each tool alone on the previous tool's output file"
if tools_alone "$DATA/sms-$small" "$DATA/sms-work" all; then print_steps; else print_steps; fi

echo
echo "== 1,000,000 messages: td-autocode, coda-export, coda-merge"
echo "bench: measured on $((4 * big)) messages (the $big-participant root), extrapolated LINEARLY to 1,000,000 messages (an extrapolation, not a run)"
if tools_alone "$DATA/sms-$big" "$DATA/sms-work" 1m; then
	printf '%s' "$TROWS" | awk -F'|' -v msgs="$((4 * big))" '
		BEGIN {
			printf "%-14s %11s %9s %9s %10s %13s %17s %16s\n", "tool", "measured s", "in MB", "MB/s", "msgs/s", "peak RSS MiB", "1M msgs: s (est.)", "1M msgs: in GB"
			printf "%-14s %11s %9s %9s %10s %13s %17s %16s\n", "----", "----------", "-----", "----", "------", "------------", "-----------------", "--------------"
		}
		$1 == "td-autocode" || $1 == "coda-export" || $1 == "coda-merge" {
			f = 1e6 / msgs
			printf "%-14s %11.2f %9.1f %9.1f %10.0f %13.1f %17.0f %16.2f\n", $1, $2, $4 / 1e6, $4 / 1e6 / $2, msgs / $2, $3 / 1024, $2 * f, $4 * f / 1e9
		}'
else
	print_steps
fi
rm -f "$DATA/time.out" "$DATA/err.out"

echo
echo "== rp-fetch: converting Rapid Pro runs (t/bench/rp-convert.sh; TD_BENCH_RP_RUNS, default 1,000,000)"
sh "$TOP/t/bench/rp-convert.sh" "${TD_BENCH_RP_RUNS:-1000000}" || echo "bench: rp-convert failed"
exit 0
