#!/usr/bin/env bash
# Stage 1: download the coded messages of every Coda dataset the coding plans name into
# <data-root>/Coded Coda Files/<Coda file> (pipeline.md §1.3): incrementally where the file is already there
# (only messages updated since its newest LastUpdated are fetched), each file replaced whole.
set -euo pipefail

prog=1_coda_get.sh
usage="usage: $prog [-qv] <coda-store> <config> <data-root>"

die() { code=$1; shift; printf '%s: %s\n' "$prog" "$*" >&2; exit "$code"; }

quiet=
verbose=
while [ $# -gt 0 ]; do
	case $1 in
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
[ -d "$root" ] || die 66 "$root: no such data root"

# The datasets are those of the coding plans (their Coda file names); progress shows on a terminal.
coda-get $quiet $verbose -c "$config" -d "$root/Coded Coda Files" "$store"
[ -n "$quiet" ] || echo "$prog: coded Coda files in $root/Coded Coda Files" >&2
