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
rm -f "$DATA/time.out" "$DATA/err.out"
exit 0
