#!/bin/sh
# td-backup: a reproducible .tar.gz of the data root (pipeline.md §1.8), --list, --verify; atomic, signal-safe.

. "$(dirname "$0")/test-lib.sh"

# Every entry's mtime fixed, so listings are exact.
settime() { find "$1" -exec touch -h -d @1600000000 {} + ; }

# A data root with the names that test the order ("a-c" sorts before "a/", bytes not locale), a space, UTF-8, a
# name longer than the 100 bytes of a tar header, modes, a symlink, an empty file and an empty directory.
LONG=$(printf 'l%.0s' $(seq 1 120))
mkroot() {
	mkdir -p "$1/Raw Data" "$1/Outputs/Coda Files" "$1/a" "$1/empty" &&
	printf '{"uid": "u1"}\n' >"$1/Raw Data/flow.jsonl" &&
	printf 'x' >"$1/a-c" &&
	printf 'in a\n' >"$1/a/b" &&
	printf 'caf\303\251\n' >"$1/Outputs/caf$(printf '\303\251').csv" &&
	printf 'long\n' >"$1/Outputs/Coda Files/$LONG.json" &&
	: >"$1/Outputs/empty.csv" &&
	printf '#!/bin/sh\n' >"$1/Outputs/run.sh" &&
	chmod 0755 "$1/Outputs/run.sh" &&
	chmod 0600 "$1/Raw Data/flow.jsonl" &&
	chmod 0700 "$1/a" &&
	ln -s "Raw Data/flow.jsonl" "$1/latest" &&
	printf 'junk' >"$1/Outputs/.DS_Store" &&
	settime "$1"
}

# Run a command as an unprivileged user when we are root (root reads files whatever their mode).
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

mkroot root

test_expect_success 'two backups of the same tree are the same bytes; gzip has no name and no timestamp' '
	td-backup root one.tar.gz &&
	touch -a root/a-c &&
	td-backup root two.tar.gz &&
	cmp one.tar.gz two.tar.gz &&
	od -An -tx1 -N10 one.tar.gz >head &&
	echo " 1f 8b 08 00 00 00 00 00 00 03" >expect &&
	test_cmp expect head
'

test_expect_success 'the archive is mode 0600 and nothing else is left beside it' '
	stat -c %a one.tar.gz >mode &&
	echo 600 >expect &&
	test_cmp expect mode &&
	ls >files &&
	printf "%s\n" expect files head mode one.tar.gz root two.tar.gz >expect &&
	test_cmp expect files
'

test_expect_success '--list prints the entries: ./ names, depth first, each directory sorted by bytes' '
	td-backup --list one.tar.gz >actual &&
	cat >expect <<-EOF &&
	./
	./Outputs/
	./Outputs/Coda Files/
	./Outputs/Coda Files/$LONG.json
	./Outputs/caf$(printf "\303\251").csv
	./Outputs/empty.csv
	./Outputs/run.sh
	./Raw Data/
	./Raw Data/flow.jsonl
	./a/
	./a/b
	./a-c
	./empty/
	./latest
	EOF
	test_cmp expect actual
'

test_expect_success '--list -v: mode, size, mtime (UTC), link target' '
	td-backup -v --list one.tar.gz >actual &&
	cat >expect <<-EOF &&
	drwxr-xr-x            0 2020-09-13T12:26:40Z ./
	drwxr-xr-x            0 2020-09-13T12:26:40Z ./Outputs/
	drwxr-xr-x            0 2020-09-13T12:26:40Z ./Outputs/Coda Files/
	-rw-r--r--            5 2020-09-13T12:26:40Z ./Outputs/Coda Files/$LONG.json
	-rw-r--r--            6 2020-09-13T12:26:40Z ./Outputs/caf$(printf "\303\251").csv
	-rw-r--r--            0 2020-09-13T12:26:40Z ./Outputs/empty.csv
	-rwxr-xr-x           10 2020-09-13T12:26:40Z ./Outputs/run.sh
	drwxr-xr-x            0 2020-09-13T12:26:40Z ./Raw Data/
	-rw-------           14 2020-09-13T12:26:40Z ./Raw Data/flow.jsonl
	drwx------            0 2020-09-13T12:26:40Z ./a/
	-rw-r--r--            5 2020-09-13T12:26:40Z ./a/b
	-rw-r--r--            1 2020-09-13T12:26:40Z ./a-c
	drwxr-xr-x            0 2020-09-13T12:26:40Z ./empty/
	lrwxrwxrwx            0 2020-09-13T12:26:40Z ./latest -> Raw Data/flow.jsonl
	EOF
	test_cmp expect actual
'

test_expect_success 'tar -tvzf reads it: owner 0/0, no user or group names' '
	tar -tvzf one.tar.gz >tv &&
	grep -c " 0/0 " tv >n &&
	echo 14 >expect &&
	test_cmp expect n
'

test_expect_success 'tar -xzf restores the tree bit for bit: contents, types, modes, mtimes, link targets' '
	mkdir restored &&
	tar -xzf one.tar.gz -C restored &&
	rm root/Outputs/.DS_Store && touch -d @1600000000 root/Outputs &&
	diff -r --no-dereference root restored &&
	(cd root && find . -printf "%y %m %T@ %s %p %l\n" | sort) >tree.expect &&
	(cd restored && find . -printf "%y %m %T@ %s %p %l\n" | sort) >tree.actual &&
	printf junk >root/Outputs/.DS_Store && touch -d @1600000000 root/Outputs/.DS_Store root/Outputs &&
	test_cmp tree.expect tree.actual
'

test_expect_success '--verify: the same tree passes, silently, exit 0' '
	td-backup --verify root one.tar.gz >out 2>err &&
	test_cmp /dev/null out &&
	test_cmp /dev/null err
'

test_expect_success '--verify reads the reference'"'"'s archive too (tar -czf FILE . in the data root)' '
	(cd root && tar --exclude=.DS_Store -czf ../ref.tar.gz .) &&
	td-backup --verify root ref.tar.gz
'

test_expect_code 1 '--verify after changes: each difference named, exit 1' '
	cp -a root changed &&
	printf "{\"uid\": \"u2\"}\n" >"changed/Raw Data/flow.jsonl" &&
	printf "y" >changed/a-c &&
	chmod 0644 changed/Outputs/run.sh &&
	rm changed/a/b &&
	printf "new\n" >changed/new.txt &&
	rm changed/latest && ln -s elsewhere changed/latest &&
	rm -r changed/empty && : >changed/empty &&
	td-backup --verify changed one.tar.gz >out 2>err
	rc=$? &&
	cat >expect <<-EOF &&
	./Outputs/run.sh: mode differs (0755 in the archive, 0644 in the data root)
	./Raw Data/flow.jsonl: content differs
	./a/b: not in the data root
	./a-c: content differs
	./empty: type differs (a directory in the archive, a regular file in the data root)
	./latest: link target differs (Raw Data/flow.jsonl in the archive, elsewhere in the data root)
	./new.txt: not in the archive
	EOF
	test_cmp expect out &&
	echo "td-backup: one.tar.gz: 7 differences from changed" >expect &&
	test_cmp expect err &&
	exit $rc
'

test_expect_code 1 '--verify: a file of another size is named with both sizes' '
	printf "longer\n" >changed/a-c &&
	td-backup --verify changed one.tar.gz >out 2>/dev/null
	rc=$? &&
	grep "^./a-c:" out >line &&
	echo "./a-c: content differs (1 bytes in the archive, 7 in the data root)" >expect &&
	test_cmp expect line &&
	exit $rc
'

test_expect_success 'a FIFO is left out with a warning; .DS_Store silently' '
	mkdir fifo && mkfifo fifo/pipe && printf 1 >fifo/.DS_Store && printf 2 >fifo/f &&
	td-backup fifo fifo.tar.gz 2>err &&
	echo "td-backup: fifo/pipe: not a regular file, directory or symbolic link: left out" >expect &&
	test_cmp expect err &&
	td-backup --list fifo.tar.gz >actual &&
	printf "./\n./f\n" >expect &&
	test_cmp expect actual &&
	td-backup -q fifo fifo2.tar.gz 2>err &&
	test_cmp /dev/null err
'

test_expect_success 'an unreadable file: exit 77, no archive, no temporary file, the old archive untouched' '
	mkdir -p locked/sub outdir &&
	printf secret >locked/sub/data.json && chmod 000 locked/sub/data.json &&
	printf old >outdir/backup.tar.gz &&
	chmod 777 outdir &&
	{ as_user td-backup locked outdir/backup.tar.gz 2>err; rc=$?; } &&
	test $rc = 77 &&
	echo "td-backup: locked/sub/data.json: cannot read: Permission denied" >expect &&
	test_cmp expect err &&
	ls -A outdir >files &&
	echo backup.tar.gz >expect &&
	test_cmp expect files &&
	printf old >expect &&
	test_cmp expect outdir/backup.tar.gz
'

test_expect_success 'an unreadable directory: exit 77' '
	mkdir -p locked2/closed out2 && chmod 000 locked2/closed && chmod 777 out2 &&
	{ as_user td-backup locked2 out2/b.tar.gz 2>err; rc=$?; } &&
	test $rc = 77 &&
	echo "td-backup: locked2/closed: cannot read the directory: Permission denied" >expect &&
	test_cmp expect err &&
	test -z "$(ls -A out2)"
'

test_expect_code 64 'the archive inside the data root is refused' '
	td-backup root root/Outputs/x.tar.gz 2>err
	rc=$? &&
	echo "td-backup: root/Outputs/x.tar.gz: the archive cannot be inside the data root root" >expect &&
	test_cmp expect err &&
	test ! -e root/Outputs/x.tar.gz &&
	exit $rc
'

test_expect_code 66 'a missing data root: 66' '
	td-backup nowhere x.tar.gz 2>err
	rc=$? &&
	echo "td-backup: nowhere: no such data root" >expect &&
	test_cmp expect err &&
	test ! -e x.tar.gz &&
	exit $rc
'

test_expect_code 66 '--list of a missing archive: 66' '
	td-backup --list missing.tar.gz
'

test_expect_code 65 '--list of a file that is not an archive: 65' '
	printf "not an archive, just text\n" >bad.tar.gz &&
	td-backup --list bad.tar.gz
'

test_expect_code 65 '--verify of a truncated archive: 65' '
	head -c 200 one.tar.gz >cut.tar.gz &&
	td-backup --verify root cut.tar.gz >/dev/null
'

test_expect_code 73 'an archive that cannot be created: 73' '
	td-backup root no/such/dir/x.tar.gz
'

test_expect_code 64 'usage: --list and --verify together' '
	td-backup --list --verify root one.tar.gz
'

test_expect_code 64 'usage: one argument' '
	td-backup root
'

test_expect_success 'SIGTERM while writing: exit 143 and no file left behind' '
	mkdir -p big out3 &&
	for i in 1 2 3; do head -c 33554432 /dev/urandom >big/blob$i || return 1; done &&
	{ td-backup big out3/big.tar.gz & pid=$!; } &&
	n=0 &&
	until [ -n "$(find out3 -name ".big.tar.gz.tmp.*" -size +0 2>/dev/null)" ]; do
		n=$((n + 1)); [ $n -lt 600 ] || break; sleep 0.05
	done &&
	kill -TERM $pid &&
	{ wait $pid; rc=$?; } &&
	test $rc = 143 &&
	test -z "$(ls -A out3)"
'

test_expect_success '-v: each entry, then the totals' '
	td-backup -v fifo v.tar.gz 2>err &&
	cat >expect <<-EOF &&
	./
	./f
	td-backup: fifo/pipe: not a regular file, directory or symbolic link: left out
	td-backup: v.tar.gz: files 1, directories 1, symbolic links 0, left out 1; 1 bytes read, $(stat -c %s v.tar.gz) bytes written
	EOF
	test_cmp expect err
'

test_done
