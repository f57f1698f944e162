#!/bin/sh
# scripts/6_backup_data_root.sh: the data root to a verified, reproducible archive (pipeline.md §1.8).

. "$(dirname "$0")/test-lib.sh"

STAGE6=$TOP/scripts/6_backup_data_root.sh

mkdir -p "data/Raw Data" "data/Outputs/Coda Files" "data/Coded Coda Files"
printf '{"uid": "avf-phone-uuid-1"}\n' >"data/Raw Data/flow.jsonl"
printf 'uid\n' >data/Outputs/production.csv
printf '[]\n' >"data/Coded Coda Files/s08e01.json"
printf 'junk' >data/.DS_Store
find data -exec touch -h -d @1600000000 {} +

test_expect_success 'the data root is backed up, checked, and the parent directory made' '
	"$STAGE6" data "backups/run 1/data-RUN.tar.gz" 2>err &&
	echo "6_backup_data_root.sh: data backed up to backups/run 1/data-RUN.tar.gz ($(wc -c <"backups/run 1/data-RUN.tar.gz") bytes)" >expect &&
	test_cmp expect err &&
	td-backup --list "backups/run 1/data-RUN.tar.gz" >actual &&
	cat >expect <<-EOF &&
	./
	./Coded Coda Files/
	./Coded Coda Files/s08e01.json
	./Outputs/
	./Outputs/Coda Files/
	./Outputs/production.csv
	./Raw Data/
	./Raw Data/flow.jsonl
	EOF
	test_cmp expect actual
'

test_expect_success 'nothing in the data root is deleted (.DS_Store is left out of the archive, not removed)' '
	test -f data/.DS_Store
'

test_expect_success 'a second backup of the unchanged root is the same bytes' '
	"$STAGE6" -q data backups/again.tar.gz 2>err &&
	test_cmp /dev/null err &&
	cmp "backups/run 1/data-RUN.tar.gz" backups/again.tar.gz
'

test_expect_success '-v lists each entry' '
	"$STAGE6" -v data backups/v.tar.gz 2>err &&
	grep -c "^\./" err >actual &&
	echo 8 >expect &&
	test_cmp expect actual
'

test_expect_code 66 'a missing data root: 66' '
	"$STAGE6" nowhere backups/x.tar.gz 2>err
	rc=$? &&
	echo "6_backup_data_root.sh: nowhere: no such data root" >expect &&
	test_cmp expect err &&
	exit $rc
'

test_expect_code 64 'the archive inside the data root: 64, nothing written' '
	"$STAGE6" data data/Outputs/backup.tar.gz 2>err
	rc=$? &&
	test ! -e data/Outputs/backup.tar.gz &&
	exit $rc
'

test_expect_code 64 'usage: 64' '
	"$STAGE6" data
'

test_done
