#!/usr/bin/env bash
# Stage 7: upload this run's memory profile and data archive to Cloud Storage (pipeline.md §7.2) and log the
# UploadingLogFiles event.
#
# Objects are named as the reference names them: <MemoryProfileUploadBucket>/<BucketDirPath>/<file name> and
# <DataArchiveUploadBucket>/<BucketDirPath>/<file name> (with the configs' BucketDirPath ending in '/', the
# name holds '//', as the reference's uploads do, so old and new runs list together). Unlike the reference,
# every run is uploaded (not only the first of each day), and local files are kept unless --prune is given,
# when each is removed only after its upload succeeded.
#
# <credentials> '-': the uploads are skipped with a one-line notice. The event goes to the local pipeline log
# (the config's OperationsDashboard.FileURL, or $TD_PIPELINE_LOG) and, with credentials, to Firestore;
# failing to log an event is a warning, not a failed stage.
set -euo pipefail

prog=7_upload_logs.sh
usage="usage: $prog [--dry-run] [--prune] [-qv] <user> <credentials> <config> <run-id> <memory-profile> <data-archive>"

die() { code=$1; shift; printf '%s: %s\n' "$prog" "$*" >&2; exit "$code"; }

dry_run=
prune=
quiet=
verbose=
while [ $# -gt 0 ]; do
	case $1 in
	--dry-run) dry_run=--dry-run; shift ;;
	--prune) prune=1; shift ;;
	-q) quiet=-q; shift ;;
	-v) verbose=-v; shift ;;
	-qv|-vq) quiet=-q; verbose=-v; shift ;;
	-h|--help) echo "$usage"; exit 0 ;;
	--) shift; break ;;
	-*) die 64 "$usage" ;;
	*) break ;;
	esac
done
[ $# -eq 6 ] || die 64 "$usage"
user=$1 credentials=$2 config=$3 run_id=$4 profile=$5 archive=$6
: "$user"	# kept for the reference's argument order; nothing here is attributed to a user

here=$(cd "$(dirname "$0")" && pwd)
# Our tools: an installed tdtools, or this checkout's bin/ (TD_BIN overrides).
PATH=${TD_BIN:-$here/../bin}:$PATH

[ -r "$config" ] || die 66 "$config: cannot read the configuration"
[ -f "$profile" ] || die 66 "$profile: no such memory profile"
[ -f "$archive" ] || die 66 "$archive: no such data archive"

say() { [ -z "$verbose" ] || echo "$prog: $*" >&2; }

# The event: to the local log when there is one, to Firestore when there are credentials.
log_opts=()
[ -z "${TD_PIPELINE_LOG:-}" ] || log_opts+=(-o "$TD_PIPELINE_LOG")
[ "$credentials" = - ] || log_opts+=(--credentials "$credentials")
if [ ${#log_opts[@]} -gt 0 ] || jq -e '.OperationsDashboard.FileURL // empty' "$config" >/dev/null; then
	pipeline-log $quiet $verbose $dry_run -c "$config" "${log_opts[@]}" "$run_id" UploadingLogFiles ||
		echo "$prog: warning: the UploadingLogFiles event was not logged" >&2
fi

if [ "$credentials" = - ]; then
	[ -n "$quiet" ] || echo "$prog: no credentials: memory profile and data archive not uploaded" >&2
	exit 0
fi

dir=$(jq -r '.BucketDirPath' "$config")
profile_bucket=$(jq -r '.MemoryProfileUploadBucket' "$config")
archive_bucket=$(jq -r '.DataArchiveUploadBucket' "$config")
for v in "$dir" "$profile_bucket" "$archive_bucket"; do
	[ -n "$v" ] && [ "$v" != null ] ||
		die 78 "$config: expected BucketDirPath, MemoryProfileUploadBucket and DataArchiveUploadBucket"
done

upload() {
	local src=$1 bucket=$2
	local dst="$bucket/$dir/$(basename "$src")"
	say "upload $src to $dst"
	blob-cp $quiet $verbose $dry_run --credentials "$credentials" "$src" "$dst"
	if [ -n "$prune" ] && [ -z "$dry_run" ]; then
		rm -f -- "$src"
		say "removed $src (uploaded)"
	fi
}
upload "$profile" "$profile_bucket"
upload "$archive" "$archive_bucket"
[ -n "$quiet" ] || [ -n "$dry_run" ] || echo "$prog: memory profile and data archive uploaded" >&2
