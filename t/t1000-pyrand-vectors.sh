#!/bin/sh
# pyrand against CPython itself: every vector of ../shared/icr-vectors.json,
# random.Random(0).sample(range(n), min(200, n)), index for index.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq

if [ "${TD_SANITIZE:-}" = 1 ]; then
	UNIT=$TOP/build/san/unit
else
	UNIT=$TOP/build/normal/unit
fi

test_expect_success 'the unit binary is built' '
	test -x "$UNIT/pyrand"
'

test_expect_success 'icr-vectors.json has vectors' '
	jq -r ".vectors | keys[]" "$SHARED/icr-vectors.json" >sizes &&
	test -s sizes
'

for n in $(jq -r '.vectors | keys[]' "$SHARED/icr-vectors.json" | sort -n); do
	k=$n
	[ "$k" -gt 200 ] && k=200
	test_expect_success "sample(range($n), $k) equals CPython" '
		jq -r --arg n '"$n"' ".vectors[\$n][]" "$SHARED/icr-vectors.json" >expect &&
		"$UNIT/pyrand" '"$n $k"' >actual &&
		test_cmp expect actual
	'
done

test_done
