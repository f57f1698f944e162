#!/usr/bin/env bash
# The whole pipeline, stages 1 to 7, under one run id (pipeline.md §1.2, DESIGN.md §6):
#
#   1 coda get -> 2 fetch -> 3 outputs -> 4 coda add -> 5 analysis (all-stages only) -> 6 backup -> 7 upload logs
#
# It holds a lock on the data root for the whole run, logs PipelineRunStart and then PipelineRunEnd or
# PipelineRunFailed (pipeline-log), and ends with a summary of counts per stage.
set -euo pipefail

prog=run_pipeline.sh
usage="usage: $prog [-qv] [--run-mode all-stages|auto-code-only] <user> <config> <coda-pull-store> <coda-push-store> <credentials> <data-root> <backup-dir> <perf-logs-dir>"

die() { code=$1; shift; printf '%s: %s\n' "$prog" "$*" >&2; exit "$code"; }

run_mode=all-stages
quiet=
verbose=
while [ $# -gt 0 ]; do
	case $1 in
	--run-mode) [ $# -ge 2 ] || die 64 "$usage"; run_mode=$2; shift 2 ;;
	--run-mode=*) run_mode=${1#*=}; shift ;;
	-q) quiet=-q; shift ;;
	-v) verbose=-v; shift ;;
	-h|--help) echo "$usage"; exit 0 ;;
	--) shift; break ;;
	-*) die 64 "$usage" ;;
	*) break ;;
	esac
done
[ $# -eq 8 ] || die 64 "$usage"
case $run_mode in
all-stages|auto-code-only) ;;
*) die 64 "--run-mode: expected all-stages or auto-code-only, got '$run_mode'" ;;
esac
user=$1 config=$2 pull_store=$3 push_store=$4 credentials=$5 root=$6 backup_dir=$7 perf_dir=$8

here=$(cd "$(dirname "$0")" && pwd)
PATH=${TD_BIN:-$here/../bin}:$PATH
export PATH

[ -r "$config" ] || die 66 "$config: cannot read the configuration"
[ "$credentials" = - ] || [ -r "$credentials" ] || die 66 "$credentials: cannot read the credentials"
mkdir -p "$root" "$backup_dir" "$perf_dir" || die 73 "cannot create the data root, backup or log directories"

# One run at a time per data root: the lock is the data root directory itself (flock on its descriptor),
# so nothing is added to the tree that the backup archives.
exec 9<"$root"
flock -n 9 || die 1 "$root: another pipeline run holds this data root"

version=$(td-cat --version | sed -n 's/.*(tdtools) //p')
RUN_ID="$(date -u +%Y-%m-%dT%H:%M:%SZ)-$version"
memory_profile="$perf_dir/memory-$RUN_ID.profile"
analysis_profile="$perf_dir/automated-analysis-memory-$RUN_ID.profile"
archive="$backup_dir/data-$RUN_ID.tar.gz"

note() { [ -n "$quiet" ] || echo "$prog: $*" >&2; }

# Events: to the configuration's local log (OperationsDashboard.FileURL), else one beside the perf logs; and to
# Firestore when the configuration names dashboard credentials and we have credentials to read them.
log_opts=(-c "$config" $quiet)
if ! jq -e '.OperationsDashboard.FileURL // empty' "$config" >/dev/null; then
	export TD_PIPELINE_LOG="$perf_dir/pipeline_logs.jsonl"	# stage 7 logs there too
	log_opts+=(-o "$TD_PIPELINE_LOG")
fi
if [ "$credentials" != - ] && jq -e '.OperationsDashboard.FirebaseCredentialsFileURL // empty' "$config" >/dev/null; then
	log_opts+=(--credentials "$credentials")
fi
log_event() { pipeline-log "${log_opts[@]}" "$RUN_ID" "$1"; }

stage_names=() stage_secs=() stage_counts=()
stage=
failed() {
	rc=$?
	trap - EXIT
	[ "$rc" != 0 ] || return 0
	echo "$prog: stage ${stage:-setup} failed (exit $rc); run $RUN_ID" >&2
	log_event PipelineRunFailed || true
	exit "$rc"
}
trap failed EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_stage NAME COUNT-FUNCTION COMMAND...: run a stage, time it, then record what it produced.
run_stage() {
	local name=$1 count=$2 t0 t1
	shift 2
	stage=$name
	note "== $name"
	t0=$(date +%s.%N)
	"$@"
	t1=$(date +%s.%N)
	stage_names+=("$name")
	stage_secs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')")
	stage_counts+=("$($count)")
}

lines() { cat -- "$@" 2>/dev/null | wc -l | tr -d ' '; }
count_coded() {
	local n=0 files=0 f
	for f in "$root/Coded Coda Files"/*.json; do
		[ -e "$f" ] || continue
		files=$((files + 1)) n=$((n + $(jq length "$f")))
	done
	echo "$files datasets, $n messages"
}
count_raw() {
	local files=0 f
	for f in "$root/Raw Data"/*.jsonl; do [ -e "$f" ] && files=$((files + 1)); done
	echo "$files files, $(lines "$root/Raw Data"/*.jsonl) records"
}
count_outputs() {
	if [ "$run_mode" = all-stages ]; then
		echo "$(lines "$root/Outputs/messages_traced_data.jsonl") messages," \
			"$(lines "$root/Outputs/individuals_traced_data.jsonl") participants," \
			"$(ls "$root/Outputs/Coda Files" | wc -l | tr -d ' ') Coda files"
	else
		echo "$(lines "$root/Outputs/auto_coding_traced_data.jsonl") messages auto-coded"
	fi
}
count_added() { echo "$(ls "$root/Outputs/Coda Files" | wc -l | tr -d ' ') Coda files offered to $push_store"; }
count_analysis() { echo "$(ls "$root/Outputs/Automated Analysis" | wc -l | tr -d ' ') files"; }
count_archive() { echo "$(wc -c <"$archive" | tr -d ' ') bytes in $(td-backup --list "$archive" | wc -l | tr -d ' ') entries"; }
count_none() { echo "done"; }

note "run $RUN_ID ($run_mode) on $root"
log_event PipelineRunStart
run_stage "1 coda get" count_coded "$here/1_coda_get.sh" $quiet $verbose "$pull_store" "$config" "$root"
run_stage "2 fetch" count_raw "$here/2_fetch_raw_data.sh" $quiet $verbose "$user" "$credentials" "$config" "$root"
run_stage "3 outputs" count_outputs "$here/3_generate_outputs.sh" $quiet $verbose --run-mode "$run_mode" \
	--profile-memory "$memory_profile" "$user" "$credentials" "$config" "$root"
run_stage "4 coda add" count_added "$here/4_coda_add.sh" $quiet $verbose "$push_store" "$config" "$root"
if [ "$run_mode" = all-stages ]; then
	run_stage "5 analysis" count_analysis "$here/5_generate_analysis_graphs.sh" $quiet $verbose \
		--profile-memory "$analysis_profile" "$user" "$credentials" "$config" "$root"
fi
run_stage "6 backup" count_archive "$here/6_backup_data_root.sh" $quiet $verbose "$root" "$archive"
run_stage "7 upload logs" count_none "$here/7_upload_logs.sh" $quiet $verbose \
	"$user" "$credentials" "$config" "$RUN_ID" "$memory_profile" "$archive"
stage=
log_event PipelineRunEnd
trap - EXIT

if [ -z "$quiet" ]; then
	printf '%s: run %s done\n' "$prog" "$RUN_ID"
	for i in "${!stage_names[@]}"; do
		printf '  %-14s %6ss  %s\n' "${stage_names[$i]}" "${stage_secs[$i]}" "${stage_counts[$i]}"
	done
	printf '  archive        %s\n  memory profile %s\n' "$archive" "$memory_profile"
fi
