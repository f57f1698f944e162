# rp-setup.sh: shared setup of the rp-fetch tests (sourced after test-lib.sh and require_shared).
#   rp_golden_fake [FAKE-ARGS...]   start t/fake/rapidpro.py on the golden workspace
#   rp_config OUT DOMAIN [TABLE]    the golden config with Domain, TokenFileURL and UuidTable.FileURL filled in
#   rp_compare [--utc] DIR [EXPECTED-DIR]   compare DIR's TracedData files with the golden's expected files
#   rp_seed TABLE                   a UUID table pre-seeded with the golden's 13 mappings
#   rp_phones FILE                  the golden contacts' normalised phone numbers, one a line
RP=$SHARED/golden/rapidpro
RP_FLOWS="csap_s08e03_activation csap_s08e04_activation csap_s07_demog"

rp_golden_fake() {
	start_fake rapidpro --workspace "$RP/api" --token-file "$RP/token.txt" "$@"
}

rp_config() {
	cp "$RP/token.txt" "$TRASH/token.txt"
	jq --arg d "$2" --arg t "${3:-$TRASH/secret/uuid-table.jsonl}" --arg tok "$TRASH/token.txt" \
		'.RawDataSources[0].Domain = $d | .RawDataSources[0].TokenFileURL = $tok | .UuidTable.FileURL = $t' \
		"$RP/pipeline_config.json" >"$1"
	mkdir -p "$TRASH/secret"
}

rp_compare() {
	if [ "$1" = --utc ]; then
		python3 "$TOP/t/lib/rp-compare.py" --utc "$2" "${3:-$RP/expected}" $RP_FLOWS
	else
		python3 "$TOP/t/lib/rp-compare.py" "$1" "${2:-$RP/expected}" $RP_FLOWS
	fi
}

rp_seed() {
	jq -c '.mappings[] | {data: .[0], uuid: .[1]}' "$RP/reference/full/uuid_table.json" >"$1"
	chmod 600 "$1"
}

rp_phones() {
	jq -r '.[].urns[]' "$RP/api/contacts.json" | sed -e 's/[^0-9]//g' -e 's/^0*//' | sort -u >"$1"
}

# expect_code CODE COMMAND...: run COMMAND; succeed only if it exits with CODE (for use inside a test's chain).
expect_code() {
	ec_want=$1
	shift
	"$@"
	ec_got=$?
	[ "$ec_got" = "$ec_want" ] && return 0
	echo "exit code $ec_got, expected $ec_want: $*" >&2
	return 1
}
