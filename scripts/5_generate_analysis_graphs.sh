#!/usr/bin/env bash
# Stage 5: the automated analysis of a season (pipeline.md §1.7, §6) from stage 3's messages and individuals
# TracedData: the analysis CSVs (td-analyse), weekly graphs (plot-weekly) and maps (plot-map), all under
# <data-root>/Outputs/Automated Analysis. Uploaded to Google Drive when the configuration has DriveUpload.
#
# The directory is built beside the old one and swapped in at the end: a failed or interrupted run leaves
# the previous analysis untouched.
set -euo pipefail

prog=5_generate_analysis_graphs.sh
usage="usage: $prog [-qv] [--profile-memory FILE] <user> <credentials> <config> <data-root>"

die() { code=$1; shift; printf '%s: %s\n' "$prog" "$*" >&2; exit "$code"; }

profile_memory=
quiet=
verbose=
while [ $# -gt 0 ]; do
	case $1 in
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
user=$1 credentials=$2 config=$3 root=$4

here=$(cd "$(dirname "$0")" && pwd)
PATH=${TD_BIN:-$here/../bin}:$PATH
. "$here/lib/memory-profile.sh"

[ -r "$config" ] || die 66 "$config: cannot read the configuration"
msgs="$root/Outputs/messages_traced_data.jsonl"
inds="$root/Outputs/individuals_traced_data.jsonl"
for f in "$msgs" "$inds"; do
	[ -r "$f" ] || die 66 "$f: missing (run stage 3 with --run-mode all-stages first)"
done

say() { [ -z "$verbose" ] || echo "$prog: $*" >&2; }
note() { [ -n "$quiet" ] || echo "$prog: $*" >&2; }

out="$root/Outputs/Automated Analysis"
new=$(mktemp -d "$root/Outputs/.Automated Analysis.new.XXXXXX")
cleanup() {
	memory_profile_kill
	rm -rf "$new"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --profile-memory: summed RSS of this stage's processes every 0.1 s (mprof's format), as stage 3 does.
[ -z "$profile_memory" ] || memory_profile_start "$profile_memory" "$prog $config $root"

say "analysis CSVs"
td-analyse -c "$config" $quiet -d "$new" --metrics-dir "$root/Engagement Metrics" "$msgs" "$inds"

say "weekly graphs"
plot-weekly -c "$config" $quiet $verbose -d "$new/graphs" "$msgs" "$inds"

if jq -e '.AutomatedAnalysis.GeoDir // empty' "$config" >/dev/null; then
	say "maps"
	plot-map -c "$config" $quiet $verbose -d "$new/maps" "$inds"
else
	note "no AutomatedAnalysis.GeoDir in $config: no maps"
fi

old="$root/Outputs/.Automated Analysis.old.$$"
[ ! -d "$out" ] || mv "$out" "$old"
mv "$new" "$out"
new=
rm -rf "$old"
trap - EXIT

[ -z "$profile_memory" ] || memory_profile_stop "$profile_memory"

if jq -e '.DriveUpload' "$config" >/dev/null; then
	if [ "$credentials" = - ]; then
		note "no credentials: the analysis files are not uploaded to Google Drive"
	else
		drive-upload $quiet $verbose --files analysis -c "$config" --credentials "$credentials" "$root"
	fi
fi
note "analysis written to $out"
