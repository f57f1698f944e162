#!/usr/bin/env bash
# Stage 4: upload the messages stage 3 wrote to <data-root>/Outputs/Coda Files for labelling
# (pipeline.md §1.6): for each dataset of the coding plans whose Coda file is there, its code schemes, then
# the messages the dataset does not hold yet. Messages already in Coda, labelled or not, are never touched.
set -euo pipefail

prog=4_coda_add.sh
usage="usage: $prog [-qv] [--dry-run] <coda-store> <config> <data-root>"

die() { code=$1; shift; printf '%s: %s\n' "$prog" "$*" >&2; exit "$code"; }

quiet=
verbose=
dry_run=
while [ $# -gt 0 ]; do
	case $1 in
	--dry-run) dry_run=--dry-run; shift ;;
	-q) quiet=-q; shift ;;
	-v) verbose=-v; shift ;;
	-h|--help) echo "$usage"; exit 0 ;;
	--) shift; break ;;
	-*) die 64 "$usage" ;;
	*) break ;;
	esac
done
[ $# -eq 3 ] || die 64 "$usage"
store=$1 config=$2 root=$3

here=$(cd "$(dirname "$0")" && pwd)
# Our tools: an installed tdtools, or this checkout's bin/ (TD_BIN overrides).
PATH=${TD_BIN:-$here/../bin}:$PATH

[ -r "$config" ] || die 66 "$config: cannot read the configuration"
[ -d "$root/Outputs/Coda Files" ] || die 66 "$root/Outputs/Coda Files: no Coda files (run stage 3 first)"

coda-add $dry_run $quiet $verbose -c "$config" -d "$root/Outputs/Coda Files" "$store"
[ -n "$quiet" ] || [ -n "$dry_run" ] || echo "$prog: Coda files added to $store" >&2
