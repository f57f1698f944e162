#!/bin/sh
# Stage 3 on the demo project's configuration with data chosen to hurt: a participant with 1,000 messages,
# a 1 MB message, Unicode and control characters in every text, an empty data set, and records missing
# uid or sent_on.
. "$(dirname "$0")/test-lib.sh"
require_prog jq

stage3="$TOP/scripts/3_generate_outputs.sh"
cfg="$EXAMPLES/demo/config.json"

# activation RUN PARTICIPANT TEXT TIME: one flat demo_e01 activation record
activation() {
	jq -cn --argjson run "$1" --arg uid "$2" --arg text "$3" --arg time "$4" '{
		"avf_phone_id": $uid, "urn_type": "tel",
		"Rqa_E01 (Text) - demo_e01_activation": $text,
		"Rqa_E01 (Time) - demo_e01_activation": $time,
		"Rqa_E01 (Run ID) - demo_e01_activation": $run,
		"run_id - demo_e01_activation": $run }'
}

# 1,000 messages of one participant, each with an escaped accent, a BEL, an astral character, quotes and a
# newline in its text.
many_messages() {
	awk 'BEGIN {
		for (i = 0; i < 1000; i++)
			printf "{\"avf_phone_id\": \"avf-phone-uuid-many\", \"urn_type\": \"tel\", " \
			    "\"Rqa_E01 (Text) - demo_e01_activation\": \"msg %d \\u00e9\\u0007\\ud83d\\ude00, \\\"q\\\"\\nline\", " \
			    "\"Rqa_E01 (Time) - demo_e01_activation\": \"2026-01-07T%02d:%02d:00+00:00\", " \
			    "\"Rqa_E01 (Run ID) - demo_e01_activation\": %d}\n", i, int(i / 60) % 24, i % 60, i + 1000
	}'
}

# One message of 1 MiB.
big_message() {
	awk 'BEGIN {
		s = "x"; while (length(s) < 1048576) s = s s
		printf "{\"avf_phone_id\": \"avf-phone-uuid-big\", \"urn_type\": \"tel\", " \
		    "\"Rqa_E01 (Text) - demo_e01_activation\": \"%s\", " \
		    "\"Rqa_E01 (Time) - demo_e01_activation\": \"2026-01-08T10:00:00+00:00\", " \
		    "\"Rqa_E01 (Run ID) - demo_e01_activation\": 5000}\n", substr(s, 1, 1048576)
	}'
}

new_root() {
	rm -rf "$1" && mkdir -p "$1/Raw Data" &&
	: >"$1/Raw Data/demo_e01_activation.jsonl" &&
	: >"$1/Raw Data/demo_e02_activation.jsonl" &&
	: >"$1/Raw Data/demo_demog.jsonl"
}

test_expect_success 'an empty data set gives header-only CSVs and empty Coda files' '
	new_root empty &&
	"$stage3" -q t - "$cfg" empty &&
	echo "uid,sent_on,rqa_e01_raw,rqa_e02_raw,gender_raw,location_raw" >expect &&
	test_cmp expect empty/Outputs/production.csv &&
	test $(wc -l <empty/Outputs/production.csv) = 1 &&
	test $(wc -l <empty/Outputs/messages.csv) = 1 &&
	test $(wc -l <empty/Outputs/individuals.csv) = 1 &&
	printf "[]" >expect &&
	test_cmp expect "empty/Outputs/Coda Files/demo_rqa_e01.json" &&
	test ! -s empty/Outputs/messages_traced_data.jsonl
'

test_expect_large 'a participant with 1,000 messages, a 1 MB message, Unicode and control characters' '
	new_root hard &&
	many_messages >"hard/Raw Data/demo_e01_activation.jsonl" &&
	big_message >>"hard/Raw Data/demo_e01_activation.jsonl" &&
	activation 5001 avf-phone-uuid-uni "نعم ١٢ — ✓ 𝄞 tab	end" 2026-01-08T11:00:00+00:00 >>"hard/Raw Data/demo_e01_activation.jsonl" &&
	"$stage3" -q t - "$cfg" hard &&
	td-cat --verify -q hard/Outputs/messages_traced_data.jsonl hard/Outputs/individuals_traced_data.jsonl &&
	test $(wc -l <hard/Outputs/messages_traced_data.jsonl) = 1002 &&
	test $(wc -l <hard/Outputs/individuals_traced_data.jsonl) = 3 &&
	td-cat --flat hard/Outputs/individuals_traced_data.jsonl | jq -r ".uid" | sort >uids &&
	printf "%s\n" avf-phone-uuid-big avf-phone-uuid-many avf-phone-uuid-uni >expect &&
	test_cmp expect uids &&
	td-cat --flat hard/Outputs/individuals_traced_data.jsonl |
		jq -r "select(.uid == \"avf-phone-uuid-many\") | .rqa_e01_raw | split(\";\") | length" >n &&
	echo 1000 >expect && test_cmp expect n &&
	td-cat --flat hard/Outputs/messages_traced_data.jsonl |
		jq -r "select(.uid == \"avf-phone-uuid-big\") | .rqa_e01_raw | length" >n &&
	echo 1048576 >expect && test_cmp expect n &&
	grep -c "avf-phone-uuid-uni" hard/Outputs/production.csv >n &&
	echo 1 >expect && test_cmp expect n &&
	grep "avf-phone-uuid-uni" hard/Outputs/production.csv >row &&
	printf "avf-phone-uuid-uni,2026-01-08T11:00:00+00:00,نعم ١٢ — ✓ 𝄞 tab	end,,,\n" >expect &&
	test_cmp expect row
'

test_expect_success 'a record without uid (avf_phone_id) is a clear error, and nothing is written' '
	new_root nouid &&
	activation 1 avf-phone-uuid-a hello 2026-01-08T10:00:00+00:00 >>"nouid/Raw Data/demo_e01_activation.jsonl" &&
	jq -cn "{\"urn_type\": \"tel\", \"Rqa_E01 (Text) - demo_e01_activation\": \"x\",
		\"Rqa_E01 (Time) - demo_e01_activation\": \"2026-01-08T10:00:00+00:00\"}" \
		>>"nouid/Raw Data/demo_e01_activation.jsonl" &&
	{ "$stage3" -q t - "$cfg" nouid 2>err; test $? = 65; } &&
	grep "demo_e01_activation.jsonl:2: no \"avf_phone_id\" to join on" err &&
	test ! -e nouid/Outputs
'

test_expect_success 'a record without sent_on is a clear error, and nothing is written' '
	new_root nosent &&
	jq -cn "{\"avf_phone_id\": \"avf-phone-uuid-a\", \"urn_type\": \"tel\",
		\"Rqa_E01 (Text) - demo_e01_activation\": \"x\"}" >"nosent/Raw Data/demo_e01_activation.jsonl" &&
	{ "$stage3" -q t - "$cfg" nosent 2>err; test $? = 65; } &&
	grep "no \"sent_on\" to test against the time window" err &&
	test ! -e nosent/Outputs
'

test_done
