#!/bin/sh
# make demo: run what tdtools can do so far on the synthetic demo project, offline, in seconds.
# Outputs go to build/demo/ (the example itself is never written to).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PATH=${TD_BIN:-$top/bin}:$PATH
out=$top/build/demo
rm -rf "$out"
mkdir -p "$out/Outputs"
export TD_USER=${TD_USER:-demo@tdtools}
cfg=$here/config.json

echo "== td-check: configuration, coding plans and code schemes"
td-check -c "$cfg"

echo "== stage 3, front half: load -> translate keys -> filter -> sort"
td-join -v -c "$cfg" -r "$here/Raw Data" |
	td-remap -v -c "$cfg" |
	td-filter -v -c "$cfg" |
	td-sort -k sent_on >"$out/sorted.jsonl"
td-cat --verify -q "$out/sorted.jsonl"
echo "   $(wc -l <"$out/sorted.jsonl") messages, every SHA verified"

cols=uid,sent_on,rqa_e01_raw,rqa_e02_raw,gender_raw
td-cat --csv "$cols" "$out/sorted.jsonl" >"$out/Outputs/production.csv"
echo "== $out/Outputs/production.csv"
cat "$out/Outputs/production.csv"
