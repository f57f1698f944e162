#!/bin/sh
# make demo: the pipeline as far as tdtools goes today, on the synthetic demo project, offline, in seconds.
# The demo's data root is copied to build/demo/ and the stages run there (the example is never written to).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PATH=${TD_BIN:-$top/bin}:$PATH
export PATH
root=$top/build/demo
rm -rf "$root"
mkdir -p "$root"
cp -R "$here/Raw Data" "$here/Coded Coda Files" "$root/"
export TD_USER=${TD_USER:-demo@tdtools}
cfg=$here/config.json

echo "== td-check: configuration, coding plans and code schemes"
td-check -c "$cfg"

echo "== stage 3: generate outputs"
"$top/scripts/3_generate_outputs.sh" -v demo - "$cfg" "$root"
td-cat --verify -q "$root/Outputs/messages_traced_data.jsonl" "$root/Outputs/individuals_traced_data.jsonl"
echo "   every SHA of the messages and individuals verified"

echo "== $root/Outputs"
(cd "$root/Outputs" && ls -R)
echo "== production.csv (first lines)"
head -5 "$root/Outputs/production.csv"
echo "== participants"
echo "   $(wc -l <"$root/Outputs/individuals_traced_data.jsonl") participants," \
	"$(td-filter --eq consent_withdrawn=true "$root/Outputs/individuals_traced_data.jsonl" | wc -l) withdrew consent"
