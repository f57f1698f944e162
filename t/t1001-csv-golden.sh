#!/bin/sh
# The CSV reader and writer against the reference's own files: every CSV the Python pipeline wrote
# (../shared/golden) read and written again must come out byte for byte.

. "$(dirname "$0")/test-lib.sh"

require_shared

if [ "${TD_SANITIZE:-}" = 1 ]; then
	UNIT=$TOP/build/san/unit
else
	UNIT=$TOP/build/normal/unit
fi

test_expect_success 'the unit binary is built' '
	test -x "$UNIT/csv"
'

test_expect_success 'the goldens hold quoted and multi-line fields' '
	grep -q "\"haa, \"\"quoted\"\", comma\"" "$SHARED/golden/sms/Outputs/production.csv" &&
	grep -q "^with newline\"" "$SHARED/golden/sms/Outputs/production.csv"
'

find "$SHARED/golden" "$SHARED/cdm-fixtures" -name '*.csv' | LC_ALL=C sort >files
while IFS= read -r f; do
	name=${f#"$SHARED"/}
	test_expect_success "read and write again: $name" '
		"$UNIT/csv" recode <"$f" >actual &&
		test_cmp "$f" actual
	'
done <files

test_done
