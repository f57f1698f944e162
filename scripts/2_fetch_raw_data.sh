#!/usr/bin/env bash
# Stage 2: fetch every raw data source of the configuration into <data-root>/Raw Data (pipeline.md §1.4, §2):
# RapidPro (rp-fetch), RecoveryCSV (td-import), GCloudBucket (blob-cp) and Facebook (fb-fetch), in the order of
# RawDataSources. Each tool writes its files atomically and keeps its incremental caches, so a failed or
# interrupted run can simply be run again.
set -euo pipefail

prog=2_fetch_raw_data.sh
usage="usage: $prog [-qv] <user> <credentials> <config> <data-root>"

die() { code=$1; shift; printf '%s: %s\n' "$prog" "$*" >&2; exit "$code"; }

quiet=
verbose=
while [ $# -gt 0 ]; do
	case $1 in
	-q) quiet=-q; verbose=; shift ;;
	-v) verbose=-v; quiet=; shift ;;
	-h|--help) echo "$usage"; exit 0 ;;
	--) shift; break ;;
	-*) die 64 "$usage" ;;
	*) break ;;
	esac
done
[ $# -eq 4 ] || die 64 "$usage"
user=$1 credentials=$2 config=$3 root=$4

here=$(cd "$(dirname "$0")" && pwd)
# Our tools: an installed tdtools, or this checkout's bin/ (TD_BIN overrides).
PATH=${TD_BIN:-$here/../bin}:$PATH

[ -r "$config" ] || die 66 "$config: cannot read the configuration"
command -v jq >/dev/null 2>&1 || die 69 "jq is not installed (make deps)"
if [ "$credentials" != - ] && [ ! -r "$credentials" ]; then
	die 66 "$credentials: cannot read the credentials file"
fi
cred=()
[ "$credentials" = - ] || cred=(--credentials "$credentials")

# The configuration is checked before anything is written.
td-check -q -c "$config"

raw="$root/Raw Data"
[ ! -d "$root/Engagement Metrics" ] || rm -r "$root/Engagement Metrics"
mkdir -p "$raw"

# A progress line on a terminal only.
progress() {
	[ -z "$quiet" ] && [ -t 2 ] || return 0
	printf '\r\033[K%s: %s' "$prog" "$*" >&2
}
progress_done() {
	[ -z "$quiet" ] && [ -t 2 ] || return 0
	printf '\r\033[K' >&2
}

configdir=$(cd "$(dirname "$config")" && pwd)
types=$(jq -r '.RawDataSources[].SourceType' "$config")
nsources=$(printf '%s\n' "$types" | grep -c . || true)

# rp-fetch and td-import run over every source of their type at once; each runs once, at the place of the first
# source of its type (sources of one type keep their order).
done_rp= done_csv= done_fb=
i=0
for type in $types; do
	i=$((i + 1))
	progress "source $i of $nsources ($type)"
	case $type in
	RapidPro)
		[ -z "$done_rp" ] || continue
		done_rp=1
		rp-fetch $quiet $verbose -u "$user" ${cred[@]+"${cred[@]}"} -c "$config" -r "$raw"
		;;
	RecoveryCSV)
		[ -z "$done_csv" ] || continue
		done_csv=1
		td-import $quiet $verbose -u "$user" ${cred[@]+"${cred[@]}"} -c "$config" -r "$raw"
		;;
	GCloudBucket)
		# The blob's base name, never refreshed once present (pipeline.md §2.3).
		jq -r --argjson i $((i - 1)) '.RawDataSources[$i] | (.ActivationFlowURLs // []) + (.SurveyFlowURLs // []) | .[]' \
			"$config" | while IFS= read -r url; do
			base=${url##*/}
			if [ -e "$raw/$base" ]; then
				[ -z "$verbose" ] || echo "$prog: $raw/$base exists: not downloaded again" >&2
				continue
			fi
			case $url in
			gs://*|/*) src=$url ;;
			file://*) src=$url ;;
			*) src=$configdir/$url ;;
			esac
			if [ "$credentials" = - ] && [ "${src#gs://}" != "$src" ]; then
				die 77 "$url: a gs:// source needs credentials (got -)"
			fi
			blob-cp $quiet $verbose ${cred[@]+"${cred[@]}"} "$src" "$raw/$base"
		done
		;;
	Facebook)
		[ -z "$done_fb" ] || continue
		done_fb=1
		command -v fb-fetch >/dev/null 2>&1 ||
			die 69 "the configuration has a Facebook source, but fb-fetch is not installed"
		fb-fetch $quiet $verbose -u "$user" ${cred[@]+"${cred[@]}"} -c "$config" -r "$raw" \
			-d "$root/Engagement Metrics"
		;;
	*)
		die 78 "$config: unknown SourceType '$type'"
		;;
	esac
done
progress_done
[ -n "$quiet" ] || echo "$prog: $nsources source(s) fetched into $raw" >&2
