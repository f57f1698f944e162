#!/usr/bin/env bash
# Stage 6: back up the whole data root to <archive-file> (pipeline.md §1.8), then check the archive against the
# tree. The archive is a reproducible .tar.gz with members ./path, as the reference's `tar -czvf FILE .`,
# written atomically: a failed or interrupted backup leaves no partial archive. Nothing in the data root is
# deleted (the reference deletes .DS_Store files first; td-backup leaves them out instead). The UUID table
# lives outside the data root, so the archive holds no phone numbers.
set -euo pipefail

prog=6_backup_data_root.sh
usage="usage: $prog [-qv] <data-root> <archive-file>"

die() { code=$1; shift; printf '%s: %s\n' "$prog" "$*" >&2; exit "$code"; }

quiet=
verbose=
while [ $# -gt 0 ]; do
	case $1 in
	-q) quiet=-q; shift ;;
	-v) verbose=-v; shift ;;
	-qv|-vq) quiet=-q; verbose=-v; shift ;;
	-h|--help) echo "$usage"; exit 0 ;;
	--) shift; break ;;
	-*) die 64 "$usage" ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || die 64 "$usage"
root=$1 archive=$2

here=$(cd "$(dirname "$0")" && pwd)
# Our tools: an installed tdtools, or this checkout's bin/ (TD_BIN overrides).
PATH=${TD_BIN:-$here/../bin}:$PATH

[ -d "$root" ] || die 66 "$root: no such data root"
mkdir -p "$(dirname "$archive")" || die 73 "$(dirname "$archive"): cannot create the backup directory"

td-backup $quiet $verbose "$root" "$archive"
# The archive is read back and compared with the tree: a backup that cannot be restored is no backup.
if ! td-backup -q --verify "$root" "$archive" >&2; then
	die 1 "$archive: differs from $root (was the data root written during the backup?)"
fi
[ -n "$quiet" ] || echo "$prog: $root backed up to $archive ($(wc -c <"$archive") bytes)" >&2
