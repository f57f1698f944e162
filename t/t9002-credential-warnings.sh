#!/bin/sh
# Credential files readable by group or others draw a warning naming the file (never its contents), in every
# tool that takes one (blob-cp, coda-add, coda-get and rp-fetch: t9101); -q silences it; at mode 600 there is none.

. "$(dirname "$0")/test-lib.sh"

printf '{"PipelineName": "warn-test", "RawDataSources": []}\n' >config.json
printf '{"type": "service_account", "private_key": "SECRET-KEY-MATERIAL"}\n' >key.json

warns() {
	grep -q "^$1: warning: key.json is readable by others (chmod 600)$" "$2" && ! grep -q SECRET-KEY-MATERIAL "$2"
}

test_expect_success 'pipeline-log --credentials: 644 warns, 600 does not, -q silences' '
	chmod 644 key.json &&
	pipeline-log --dry-run -c config.json -o log.jsonl --credentials key.json run-1 PipelineRunStart 2>err1;
	warns pipeline-log err1 &&
	pipeline-log -q --dry-run -c config.json -o log.jsonl --credentials key.json run-1 PipelineRunStart 2>err2;
	! grep -q warning err2 &&
	chmod 600 key.json &&
	pipeline-log --dry-run -c config.json -o log.jsonl --credentials key.json run-1 PipelineRunStart 2>err3;
	! grep -q warning err3
'

test_expect_success 'drive-upload --credentials: 640 warns' '
	chmod 640 key.json &&
	drive-upload --dry-run -c config.json --credentials key.json . 2>err4;
	warns drive-upload err4
'

test_done
