#!/usr/bin/env bash
# Stage 3: from the raw TracedData in <data-root>/Raw Data and the labels in <data-root>/Coded Coda Files to
# everything under <data-root>/Outputs (pipeline.md §1.5, §5): production/messages/individuals CSVs, the
# messages and individuals TracedData, ICR samples and the Coda files to upload.
#
# Outputs are built beside the old ones and swapped in at the end: a failed or interrupted run leaves the
# previous Outputs untouched.
set -euo pipefail

prog=3_generate_outputs.sh
usage="usage: $prog [-qv] [--run-mode all-stages|auto-code-only] [--profile-cpu FILE] [--profile-memory FILE] <user> <credentials> <config> <data-root>"

die() { code=$1; shift; printf '%s: %s\n' "$prog" "$*" >&2; exit "$code"; }

run_mode=all-stages
profile_cpu=
profile_memory=
quiet=
verbose=
while [ $# -gt 0 ]; do
	case $1 in
	--run-mode) [ $# -ge 2 ] || die 64 "$usage"; run_mode=$2; shift 2 ;;
	--run-mode=*) run_mode=${1#*=}; shift ;;
	--profile-cpu) [ $# -ge 2 ] || die 64 "$usage"; profile_cpu=$2; shift 2 ;;
	--profile-memory) [ $# -ge 2 ] || die 64 "$usage"; profile_memory=$2; shift 2 ;;
	-q) quiet=-q; shift ;;
	-v) verbose=-v; shift ;;
	-h|--help) echo "$usage"; exit 0 ;;
	--) shift; break ;;
	-*) die 64 "$usage" ;;
	*) break ;;
	esac
done
[ $# -eq 4 ] || die 64 "$usage"
case $run_mode in
all-stages|auto-code-only) ;;
*) die 64 "--run-mode: expected all-stages or auto-code-only, got '$run_mode'" ;;
esac
user=$1 credentials=$2 config=$3 root=$4

here=$(cd "$(dirname "$0")" && pwd)
# Our tools: an installed tdtools, or this checkout's bin/ (TD_BIN overrides).
PATH=${TD_BIN:-$here/../bin}:$PATH
. "$here/lib/memory-profile.sh"

[ -r "$config" ] || die 66 "$config: cannot read the configuration"
[ -d "$root/Raw Data" ] || die 66 "$root/Raw Data: no raw data (run stage 2 first)"
coded="$root/Coded Coda Files"
if [ ! -d "$coded" ]; then
	[ -n "$quiet" ] || echo "$prog: no '$coded': every Coda file counts as empty" >&2
fi

# --profile-cpu: record the whole stage with perf when it is there.
if [ -n "$profile_cpu" ] && [ -z "${TD_PROFILING_CPU:-}" ]; then
	if command -v perf >/dev/null 2>&1; then
		export TD_PROFILING_CPU=1
		exec perf record -q -g -o "$profile_cpu" -- "$0" ${quiet:+"$quiet"} ${verbose:+"$verbose"} \
			--run-mode "$run_mode" ${profile_memory:+--profile-memory "$profile_memory"} \
			"$user" "$credentials" "$config" "$root"
	fi
	[ -n "$quiet" ] || echo "$prog: perf is not installed (apt-get install linux-perf): no CPU profile" >&2
fi

# The configuration and plans are checked before anything is written.
td-check -q -c "$config"

out="$root/Outputs"
new=$(mktemp -d "$root/.Outputs.new.XXXXXX")
work="$new/.work"
bg=()
cleanup() {
	memory_profile_kill
	for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$new"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work" "$new/ICR" "$new/Coda Files"

# --profile-memory: the summed RSS of this stage's processes every 0.1 s, in the format mprof plot reads.
[ -z "$profile_memory" ] || memory_profile_start "$profile_memory" "$prog $run_mode $config $root"

say() { [ -z "$verbose" ] || echo "$prog: $*" >&2; }
opts=(-c "$config" -u "$user" $quiet $verbose)

move_ws=$(jq -r '.MoveWSMessages // false' "$config")

say "load, translate keys, filter, auto-code"
{
	td-join "${opts[@]}" -r "$root/Raw Data" |
		td-remap "${opts[@]}" |
		if [ "$move_ws" = true ]; then
			td-filter -c "$config" --rqa-raw $quiet | ws-correct "${opts[@]}" --coded-dir "$coded"
		else
			cat
		fi |
		td-filter -c "$config" $quiet $verbose |
		td-autocode "${opts[@]}"
} >"$work/auto_coded.jsonl"

# Steps that only read a finished file run beside the next one (two cores); a failure of one is the stage's.
in_bg() { "$@" & bg+=($!); }
wait_bg() {
	while [ ${#bg[@]} -gt 0 ]; do
		wait "${bg[0]}"
		bg=("${bg[@]:1}")
	done
}

say "Coda files and ICR samples, sort by sent_on"
in_bg coda-export -c "$config" $quiet $verbose -d "$new/Coda Files" "$work/auto_coded.jsonl"
in_bg icr-sample -c "$config" $quiet $verbose -d "$new/ICR" "$work/auto_coded.jsonl"
td-sort -k sent_on $quiet "$work/auto_coded.jsonl" >"$work/sorted.jsonl"
wait_bg
rm -f "$work/auto_coded.jsonl"

say "production file"
in_bg csv-export -c "$config" $quiet --production -o "$new/production.csv" "$work/sorted.jsonl"

if [ "$run_mode" = all-stages ]; then
	say "manual codes, consent, fold, messages and individuals"
	# Consent is marked first; the messages are redacted in one more pass, and the fold reads the marked (not
	# yet redacted) messages, so each withdrawn participant keeps an individuals row of their own, as in the
	# reference, which folds before it redacts.
	coda-merge "${opts[@]}" --coded-dir "$coded" "$work/sorted.jsonl" |
		td-consent "${opts[@]}" >"$work/marked.jsonl"
	wait_bg
	rm -f "$work/sorted.jsonl"
	td-consent "${opts[@]}" --redact "$work/marked.jsonl" >"$new/messages_traced_data.jsonl" &
	bg+=($!)
	td-fold "${opts[@]}" "$work/marked.jsonl" |
		td-consent "${opts[@]}" --redact >"$new/individuals_traced_data.jsonl"
	wait_bg
	rm -f "$work/marked.jsonl"
	in_bg csv-export -c "$config" $quiet --messages -o "$new/messages.csv" "$new/messages_traced_data.jsonl"
	csv-export -c "$config" $quiet --individuals -o "$new/individuals.csv" "$new/individuals_traced_data.jsonl"
	wait_bg
else
	wait_bg
	mv "$work/sorted.jsonl" "$new/auto_coding_traced_data.jsonl"
fi
rm -rf "$work"

# Swap the new Outputs in; keep what stage 5 wrote only if it was there (stage 5 rewrites it anyway).
old="$root/.Outputs.old.$$"
[ ! -d "$out" ] || mv "$out" "$old"
mv "$new" "$out"
new=
rm -rf "$old"
trap - EXIT

[ -z "$profile_memory" ] || memory_profile_stop "$profile_memory"

if jq -e '.DriveUpload' "$config" >/dev/null; then
	if [ "$credentials" = - ]; then
		[ -n "$quiet" ] || echo "$prog: no credentials: the CSVs are not uploaded to Google Drive" >&2
	else
		drive-upload $quiet $verbose --run-mode "$run_mode" --files outputs -c "$config" --credentials "$credentials" "$root"
	fi
fi
[ -n "$quiet" ] || echo "$prog: outputs written to $out" >&2
