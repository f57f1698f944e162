#!/bin/sh
# make demo: the whole pipeline on the synthetic demo project, offline, in seconds.
#
#   a dir: Coda store seeded with the demo's labels -> scripts/run_pipeline.sh: 1 coda get -> 2 fetch (Rapid
#   Pro API pages under examples/demo/rapidpro, read through file://) -> 3 outputs -> 4 coda add -> 5 analysis,
#   graphs and maps -> 6 backup -> 7 logs (no credentials: uploads skipped)
#
# Everything is written under build/demo*/ (the example itself is never written to).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PATH=${TD_BIN:-$top/bin}:$PATH
export PATH
export TD_USER=${TD_USER:-demo@tdtools}

build=${TD_DEMO_OUT:-$top/build}	# tests point this at their scratch directory
root=$build/demo			# the data root
private=$build/demo-private		# outside the data root: the UUID table and the token (never backed up)
store=$build/demo-coda			# the Coda store (dir:)
backups=$build/demo-backups
perf=$build/demo-logs
rm -rf "$root" "$private" "$store" "$backups" "$perf"
mkdir -p "$root" "$private" "$backups" "$perf"

# The configuration with this checkout's absolute paths: the Rapid Pro pages, the token, the UUID table
# (pre-seeded, so participant ids are the same at every run), the plans, schemes and map boundaries.
install -m 600 "$here/rapidpro/uuid-table.jsonl" "$private/uuid-table.jsonl"
printf 'demo-token\n' >"$private/token.txt"
chmod 600 "$private/token.txt"
cfg=$private/config.json
jq --arg d "file://$here/rapidpro" --arg tok "$private/token.txt" --arg t "$private/uuid-table.jsonl" \
	--arg p "$here/plans.json" --arg s "$here/schemes" --arg g "$here/geo" \
	--slurpfile test "$here/rapidpro/test-contacts.json" \
	'.RawDataSources[0].Domain = $d | .RawDataSources[0].TokenFileURL = $tok
	 | .RawDataSources[0].TestContactUUIDs = $test[0] | .UuidTable.FileURL = $t
	 | .CodingPlans = $p | .CodeSchemesDir = $s
	 | if .AutomatedAnalysis.GeoDir then .AutomatedAnalysis.GeoDir = $g else . end' \
	"$here/config.json" >"$cfg"

echo "== td-check: configuration, coding plans and code schemes"
td-check -c "$cfg"

echo "== the Coda store dir:$store, seeded with what the demo's coders labelled"
coda-add -q -c "$cfg" -d "$here/Coded Coda Files" "dir:$store"

echo "== scripts/run_pipeline.sh"
"$top/scripts/run_pipeline.sh" demo "$cfg" "dir:$store" "dir:$store" - "$root" "$backups" "$perf"

archive=$(ls "$backups"/data-*.tar.gz)
td-cat --verify -q "$root/Outputs/messages_traced_data.jsonl" "$root/Outputs/individuals_traced_data.jsonl"
echo "   every SHA of the messages and individuals verified"
td-backup -q --verify "$root" "$archive"
echo "   the archive matches the data root"

echo "== where everything is"
echo "   data root        $root"
echo "   outputs          $root/Outputs (production.csv, messages.csv, individuals.csv, ICR/, Coda Files/)"
echo "   analysis         $root/Outputs/Automated Analysis ($(ls "$root/Outputs/Automated Analysis" | wc -l | tr -d ' ') files)"
echo "     graphs         $root/Outputs/Automated Analysis/graphs ($(ls "$root/Outputs/Automated Analysis/graphs" | wc -l | tr -d ' ') PNGs)"
for d in "$root/Outputs/Automated Analysis/maps"/*/; do
	[ -d "$d" ] || continue
	echo "     maps           $d ($(ls "$d" | wc -l | tr -d ' ') PNGs)"
done
echo "   Coda store       dir:$store"
echo "   backup           $archive"
echo "   pipeline log     $perf/pipeline_logs.jsonl"
echo "   UUID table       $private/uuid-table.jsonl (outside the data root)"
echo "== participants"
echo "   $(wc -l <"$root/Outputs/individuals_traced_data.jsonl") participants," \
	"$(td-filter --eq consent_withdrawn=true "$root/Outputs/individuals_traced_data.jsonl" | wc -l) withdrew consent"
