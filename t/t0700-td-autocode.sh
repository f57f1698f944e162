#!/bin/sh
# td-autocode: cleaner labels and Coda message ids (pipeline.md §5.4.2, §5.4.3 step 1) against the reference's
# golden outputs: the labels and MessageIDs of its Coda files, its own auto-code history entries, and the
# engagement-type columns of messages.csv. Labels are compared with DateTimeUTC and OriginID masked.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog perl

ibtci_config sms sms.json
ibtci_config facebook fb.json

MASK='walk(if type == "object" and has("DateTimeUTC") then .DateTimeUTC = "X" | .Origin.OriginID = "X" else . end)'

# expect_failure CODE MESSAGE COMMAND...: exit code CODE, MESSAGE on stderr, nothing on stdout.
expect_failure() {
	code=$1 msg=$2
	shift 2
	"$@" >out 2>err
	rc=$?
	printf '%s\n' "$msg" >expect.err
	if [ "$rc" != "$code" ]; then
		echo "exit code $rc, expected $code" >&2
		cat err >&2
		return 1
	fi
	test_cmp expect.err err && test_cmp /dev/null out
}

# coda_view PLANS FLAT: what the Coda export would hold, one line per (file, MessageID): every plan with a Coda
# file, the records whose raw text is not "", and the labels of its coding configurations, in order.
coda_view() {
	jq -c '[.RQACodingPlans[], .DemogCodingPlans[], .FollowUpCodingPlans[], .EngagementCodingPlans[]
		| select(.CodaFilename != null)
		| {raw: .RawField, id: .IDField, file: .CodaFilename, coded: [.CodingConfigurations[].CodedField]}]' \
		"$1" >coda-plans.json &&
	jq -s -c --slurpfile plans coda-plans.json '. as $records | $plans[0][] as $p
		| [$records[] | select((.[$p.raw] // "") != "")
		   | {file: $p.file, MessageID: .[$p.id], Labels: [.[$p.coded[]] | values]}]
		| unique_by(.MessageID)[]' "$2" |
	jq -S -c "$MASK" | LC_ALL=C sort
}

# golden_view DIR: the same lines from the reference's Coda files.
golden_view() {
	for f in "$1"/*.json; do
		jq -c --arg file "${f##*/}" '.[] | {file: $file, MessageID, Labels}' "$f" || return 1
	done | jq -S -c "$MASK" | LC_ALL=C sort
}

# csv_columns COLUMNS: the named comma-separated columns of the CSV on stdin (quoted fields, embedded newlines).
cat >csv_columns.pl <<-\EOF
	local $/; $_ = <STDIN>; my (@f, @rows);
	while (length) {
		if (s/^"((?:[^"]|"")*)"//) { (my $v = $1) =~ s/""/"/g; push @f, $v } else { s/^([^,\n]*)//; push @f, $1 }
		next if s/^,//;
		s/^\n// or die "bad CSV\n"; push @rows, [@f]; @f = ();
	}
	my @h = @{shift @rows}; my %i; @i{@h} = (0 .. $#h);
	my @cols = split /,/, $ARGV[0];
	for my $r (@rows) { print join(",", map { $r->[$i{$_}] } @cols), "\n" }
EOF
csv_columns() {
	perl csv_columns.pl "$1"
}

# The front half of stage 3 on a golden folder's raw data ($1), then td-autocode; traced output in $2.
autocode_golden() {
	td-join -c sms.json -r "$1/Raw Data" |
	td-remap -c sms.json |
	td-filter -c sms.json >filtered.t &&
	td-autocode -c sms.json filtered.t >"$2"
}

test_expect_success 'SMS golden: the pipeline runs; one history entry per record; SHAs verify' '
	autocode_golden "$SHARED/golden/sms" sms.t &&
	test $(wc -l <sms.t) = 5 &&
	td-cat -q --verify sms.t &&
	jq -c "length + 1" filtered.t >expect &&
	jq -c length sms.t >actual &&
	test_cmp expect actual &&
	jq -r ".[0].Metadata.Source" sms.t | sort -u >actual &&
	test $(wc -l <actual) = 1 &&
	grep -x "td-autocode [0-9][0-9.]*" actual
'

# This pipeline has no WS correction (pipeline.md §5.3): the golden's one WS move (participant C's
# "haa, \"quoted\", comma" from rqa_s08e02 to rqa_s08e01) is missing, so the RQA files are compared as one set.
test_expect_success 'SMS golden: demographic and follow-up labels and message ids as the Coda files' '
	td-cat -f sms.t >sms.flat &&
	coda_view "$EXAMPLES/ibtci/sms_coding_plans.json" sms.flat >all &&
	golden_view "$SHARED/golden/sms/Outputs/Coda Files" >gold-all &&
	grep -v "\"file\":\"USAID_IBTCI_rqa_" all >actual &&
	grep -v "\"file\":\"USAID_IBTCI_rqa_" gold-all >expect &&
	test $(wc -l <expect) = 11 &&
	test_cmp expect actual
'

test_expect_success 'SMS golden: the gender labels are the reference'"'"'s CodeIDs (female, male)' '
	jq -c "select(.gender_raw) | [.gender_raw, .gender_coded.CodeID, .gender_coded.Checked,
		.gender_coded.Origin.Name, .gender_coded.Origin.OriginType, .gender_coded.Origin.OriginID]" \
		sms.flat | sort -u >actual &&
	cat >expect <<-\EOF &&
	["naag","code-86a4602c",false,"Pipeline Auto-Coder","External","tdtools:somali_gender"]
	["wiil","code-63dcde9a",false,"Pipeline Auto-Coder","External","tdtools:somali_gender"]
	EOF
	test_cmp expect actual &&
	jq -r ".[].Labels[] | select(.SchemeID == \"Scheme-12cb6f95\") | .CodeID" \
		"$SHARED/golden/sms/Outputs/Coda Files/CSAP_gender.json" | sort >expect &&
	jq -r "select(.gender_raw) | .gender_coded.CodeID" sms.flat | sort -u >actual &&
	test_cmp expect actual
'

test_expect_success 'SMS golden: RQA message ids are the RQA Coda files'"'"' MessageIDs (the empty text has one too)' '
	grep "\"file\":\"USAID_IBTCI_rqa_" all | jq -r .MessageID | sort >actual &&
	grep "\"file\":\"USAID_IBTCI_rqa_" gold-all | jq -r .MessageID | sort >expect &&
	test $(wc -l <expect) = 4 &&
	test_cmp expect actual &&
	jq -r "select(.rqa_s08e01_raw == \"\") | .rqa_s08e01_raw_id" sms.flat >actual &&
	printf "" | sha256sum | cut -d" " -f1 >expect &&
	test_cmp expect actual
'

# The reference's messages_traced_data.jsonl keeps each message's history: cut it just before the first
# auto-code entry, run td-autocode on that, and compare its one new entry with the reference's auto-code entries
# (apply_cleaner_to_traced_data_iterable, then export_coda's message ids), WS move included.
test_expect_success 'SMS golden: the new entry holds exactly the reference'"'"'s auto-code values, message by message' '
	G="$SHARED/golden/sms/Outputs/messages_traced_data.jsonl" &&
	FIRST=". as \$h | ([range(0; length) | select(\$h[.].Metadata.Source | test(\"cleaning_utils\"))] | max)" &&
	jq -c "$FIRST as \$i | \$h[\$i + 1:]" "$G" >before.t &&
	jq -c "$FIRST as \$i | \$h[:\$i + 1]
		| map(select(.Metadata.Source | test(\"cleaning_utils.py|auto_code.py:[0-9]*:export_coda\")))
		| reverse | map(.Data) | add" "$G" | jq -S -c "$MASK" >expect &&
	td-autocode -c sms.json before.t | jq -S -c ".[0].Data | $MASK" >actual &&
	test $(wc -l <expect) = 5 &&
	test_cmp expect actual
'

test_expect_success 'SMS golden: engagement types as the engagement columns of messages.csv' '
	csv_columns "sent_on,rqa_s08e01_engagement_type,rqa_s08e02_engagement_type,rqa_s08e03_engagement_type,rqa_s08e03_break_engagement_type,rqa_s08e04_engagement_type,rqa_s08e05_engagement_type,rqa_s08e06_engagement_type" \
		<"$SHARED/golden/sms/Outputs/messages.csv" | grep -v "^STOP," | sort >expect &&
	jq "[.Codes[] | {key: .CodeID, value: .StringValue}] | from_entries" \
		"$SHARED/ibtci/code_schemes/engagement_type.json" >codes.json &&
	jq -r --slurpfile c codes.json ". as \$r | [\$r.sent_on] + ([\"s08e01\", \"s08e02\", \"s08e03\",
		\"s08e03_break\", \"s08e04\", \"s08e05\", \"s08e06\"]
		| map(\$c[0][\$r[\"rqa_\" + . + \"_engagement_type_coded\"].CodeID])) | join(\",\")" sms.flat |
		grep -F -f expect | sort >actual &&
	test $(wc -l <expect) = 4 &&
	test_cmp expect actual
'

test_expect_large 'sms-5k: every Coda file'"'"'s labels and MessageIDs (no WS moves there)' '
	autocode_golden "$SHARED/golden/sms-5k" 5k.t &&
	td-cat -f 5k.t >5k.flat &&
	coda_view "$EXAMPLES/ibtci/sms_coding_plans.json" 5k.flat >actual &&
	golden_view "$SHARED/golden/sms-5k/Outputs/Coda Files" >expect &&
	test $(wc -l <expect) -gt 4000 &&
	test_cmp expect actual
'

# td-join needs -k avf_facebook_id: with no survey flows it still asks every record for avf_phone_id.
test_expect_success 'Facebook golden: comment_reply_to then post_type labels, and MessageIDs from comment ids' '
	td-join -k avf_facebook_id -c fb.json -r "$SHARED/golden/facebook/Raw Data" |
	td-remap -c fb.json |
	td-filter -c fb.json |
	td-autocode -c fb.json >fb.t &&
	td-cat -q --verify fb.t &&
	td-cat -f fb.t >fb.flat &&
	coda_view "$EXAMPLES/ibtci/facebook_coding_plans.json" fb.flat >actual &&
	golden_view "$SHARED/golden/facebook/Outputs/Coda Files" >expect &&
	test $(wc -l <expect) = 3 &&
	test_cmp expect actual &&
	jq -r "[.facebook_s08e01_comment_reply_to_coded.CodeID, .facebook_s08e01_post_type_coded.CodeID,
		.facebook_s08e01_raw_id] | select(.[0]) | join(\" \")" fb.flat >actual &&
	cat >expect <<-EOF &&
	code-450ec146 code-d5b87090 $(printf C1 | sha256sum | cut -d" " -f1)
	code-59abc42a code-d5b87090 $(printf C2 | sha256sum | cut -d" " -f1)
	EOF
	test_cmp expect actual
'

test_expect_success 'flat records stay flat; a record without raw fields passes unchanged' '
	cat >in.jsonl <<-\EOF &&
	{"uid": "u1", "gender_raw": "naag", "age_raw": "seventeen", "location_raw": "mogadishu", "sent_on": "2020-11-12T09:00:00+00:00"}
	{"uid": "u2", "note": "nothing to clean"}
	{"uid": "u3", "age_raw": "100", "location_raw": "hodan", "recently_displaced_raw": "maya"}
	EOF
	td-autocode -u tester -c sms.json in.jsonl >out.jsonl &&
	sed -n 2p in.jsonl >expect && sed -n 2p out.jsonl >actual && test_cmp expect actual &&
	jq -c "[.age_coded.CodeID, .district_coded.CodeID, .mogadishu_sub_district_coded.CodeID,
		.recently_displaced_coded.CodeID, .rqa_s08e02_engagement_type_coded.CodeID, .gender_raw_id,
		.gender_coded.DateTimeUTC]" out.jsonl >actual &&
	code_of() { jq -r ".Codes[] | select(.MatchValues == [\"$2\"]) | .CodeID" "$SHARED/ibtci/code_schemes/$1"; } &&
	cat >expect <<-EOF &&
	["$(code_of age.json 24)","$(code_of somalia_district.json mogadishu)",null,null,"code-6be5ea3b","$(printf naag | sha256sum | cut -d" " -f1)","2020-09-13T12:26:40.000000+00:00"]
	[null,null,null,null,null,null,null]
	[null,null,"$(code_of mogadishu_sub_district.json hodan)","$(code_of recently_displaced.json no)",null,null,null]
	EOF
	test_cmp expect actual
'

test_expect_success 'traced input: -u is the new entry'"'"'s user; records without changes keep their bytes' '
	td-cat -t -u before in.jsonl >in.t &&
	td-autocode -u tester -c sms.json in.t >out.t &&
	jq -r ".[0].Metadata.User" out.t >actual &&
	printf "tester\nbefore\ntester\n" >expect &&
	test_cmp expect actual &&
	sed -n 2p in.t >expect && sed -n 2p out.t >actual && test_cmp expect actual &&
	td-cat -q --verify out.t
'

test_expect_success 'a post without attachments is an error (the reference raises KeyError)' '
	td-cat -f fb.t | head -1 | jq -c "del(.facebook_s08e01_post_raw.attachments)" >noatt.jsonl &&
	expect_failure 65 "td-autocode: noatt.jsonl:1: \"facebook_s08e01_post_raw\" (cleaner '"'"'facebook_post_type'"'"'): the post has no attachments (every post must have a photo or video attachment)" \
		td-autocode -c fb.json noatt.jsonl
'

test_expect_success 'a post mixing photos and videos is an error (the reference asserts)' '
	td-cat -f fb.t | head -1 |
		jq -c ".facebook_s08e01_post_raw.attachments.data += [{\"type\": \"video_inline\"}]" >mixed.jsonl &&
	expect_failure 65 "td-autocode: mixed.jsonl:1: \"facebook_s08e01_post_raw\" (cleaner '"'"'facebook_post_type'"'"'): the post mixes photo and video attachments (expected one kind)" \
		td-autocode -c fb.json mixed.jsonl
'

test_expect_success 'a match value the scheme lacks names the value, the scheme and the record' '
	mkdir -p schemes &&
	cp "$SHARED"/ibtci/code_schemes/*.json schemes/ &&
	jq "(.Codes[] | select(.MatchValues == [\"baidoa\"]) | .MatchValues) = [\"baydhabo\"]" \
		"$SHARED/ibtci/code_schemes/somalia_district.json" >schemes/somalia_district.json &&
	echo "{\"location_raw\": \"Baidoa\"}" >loc.jsonl &&
	expect_failure 65 "td-autocode: loc.jsonl:1: \"location_raw\" (cleaner '"'"'district_if_no_mogadishu_sub_district'"'"'): '"'"'baidoa'"'"' is not a match value of somalia_district.json (Scheme-5292e8fb), the scheme of \"district_coded\"" \
		td-autocode -c sms.json -s schemes loc.jsonl
'

test_expect_success 'records before a bad one are written; the error names its line' '
	printf "%s\n" "{\"uid\": \"u1\"}" "{\"gender_raw\": 5}" >two.jsonl &&
	td-autocode -c sms.json two.jsonl >out 2>err; test $? = 65 &&
	sed -n 1p two.jsonl >expect && test_cmp expect out &&
	grep "^td-autocode: two.jsonl:2: " err
'

test_expect_success 'a raw text that is not a string is an error' '
	echo "{\"gender_raw\": 5}" >num.jsonl &&
	expect_failure 65 "td-autocode: num.jsonl:1: \"gender_raw\" (cleaner '"'"'somali_gender'"'"'): expected a string, found a number" \
		td-autocode -c sms.json num.jsonl
'

test_expect_success 'a sent_on without a UTC offset is an error (Python cannot compare it)' '
	echo "{\"sent_on\": \"2020-11-05T09:00:00\"}" >naive.jsonl &&
	expect_failure 65 "td-autocode: naive.jsonl:1: \"sent_on\" (cleaner '"'"'engagement_type'"'"'): '"'"'2020-11-05T09:00:00'"'"' has no UTC offset (expected an ISO-8601 date-time with one)" \
		td-autocode -c sms.json naive.jsonl
'

test_expect_success 'a message-id key that is not a string is an error' '
	td-cat -f fb.t | head -1 | jq -c ".facebook_s08e01_comment_id = 12" >cid.jsonl &&
	expect_failure 65 "td-autocode: cid.jsonl:1: \"facebook_s08e01_comment_id\" is a number (expected a string to make the message id of \"facebook_s08e01_raw_id\" from)" \
		td-autocode -c fb.json cid.jsonl
'

test_expect_success '--skip-bad skips the bad record and goes on' '
	cat num.jsonl in.jsonl >mixed-bad.jsonl &&
	td-autocode --skip-bad -c sms.json mixed-bad.jsonl >out 2>err &&
	test $(wc -l <out) = 3 &&
	grep "^td-autocode: mixed-bad.jsonl:1: \"gender_raw\" (cleaner .somali_gender.): expected a string, found a number (skipped)\$" err
'

test_expect_success 'usage errors and missing input' '
	expect_failure 64 "td-autocode: -c CONFIG is required (it locates the coding plans)" td-autocode in.jsonl &&
	expect_failure 66 "td-autocode: nosuch.jsonl: No such file or directory" td-autocode -c sms.json nosuch.jsonl &&
	td-autocode --bogus >out 2>err; test $? = 64 &&
	grep "^usage: td-autocode" err &&
	td-autocode --help >out && grep "^usage: td-autocode" out
'

test_done
