#!/bin/sh
# plot-weekly: messages and participants per ISO week (Monday start, in the zone of ProjectStartDate or --tz),
# the codes of every scheme over the season, the files written, and the error paths.

. "$(dirname "$0")/test-lib.sh"

require_prog jq
require_prog gnuplot

DEMO=$EXAMPLES/demo
SCHEMES=$DEMO/schemes
jq --arg plans "$DEMO/plans.json" --arg schemes "$SCHEMES" '. + {CodingPlans: $plans, CodeSchemesDir: $schemes}' \
	"$DEMO/config.json" >cfg.json

lab() {
	jq -c --arg sv "$2" '{Checked: true, CodeID: (.Codes[] | select(.StringValue == $sv) | .CodeID),
		DateTimeUTC: "2026-01-01T00:00:00+00:00", Origin: {Name: "coder", OriginID: "c", OriginType: "Manual"},
		SchemeID: .SchemeID}' "$SCHEMES/$1"
}
HEALTH=$(lab demo_e01.json health)
WATER=$(lab demo_e01.json water)
NR=$(lab demo_e01.json NR)
MALE=$(lab gender.json male)
FEMALE=$(lab gender.json female)
NC=$(lab gender.json NC)

# The project starts on Monday 2026-01-05 at +03:00 and ends on 2026-03-01. b's first message is on Sunday
# 21:30 UTC, which is already Monday in the project's zone. The withdrawn participant's record holds STOP.
jq -nc --argjson h "$HEALTH" --argjson w "$WATER" --argjson nr "$NR" '
	{uid: "a", sent_on: "2026-01-05T08:00:00+03:00", rqa_e01_raw: "x", rqa_e01_coded: [$h], consent_withdrawn: "false"},
	{uid: "a", sent_on: "2026-01-11T20:00:00+00:00", rqa_e01_raw: "y", rqa_e01_coded: [$h, $w], consent_withdrawn: "false"},
	{uid: "b", sent_on: "2026-01-11T21:30:00+00:00", rqa_e01_raw: "z", rqa_e01_coded: [$nr], consent_withdrawn: "false"},
	{uid: "STOP", sent_on: "STOP", rqa_e01_raw: "STOP", rqa_e01_coded: "STOP", consent_withdrawn: "true"},
	{uid: "b", sent_on: "2026-01-13T09:00:00+03:00", rqa_e02_raw: "q", consent_withdrawn: "false"},
	{uid: "c", sent_on: "2026-01-27T10:00:00+03:00", rqa_e02_raw: "r", consent_withdrawn: "false"}' >messages.jsonl
jq -nc --argjson m "$MALE" --argjson f "$FEMALE" --argjson nc "$NC" '
	{uid: "a", gender_coded: $m, consent_withdrawn: "false"},
	{uid: "b", gender_coded: $f, consent_withdrawn: "false"},
	{uid: "c", gender_coded: $nc, consent_withdrawn: "false"},
	{uid: "STOP", gender_coded: "STOP", consent_withdrawn: "true"}' >individuals.jsonl

tab() { printf '%s\n' "$@" | tr '|' '\t'; }

test_expect_success 'messages per week, Monday start in the zone of ProjectStartDate, to the project end' '
	plot-weekly -c cfg.json -d out --keep-data messages.jsonl individuals.jsonl &&
	tab "# week_start|iso_week|messages|label" \
	    "2026-01-05|2026-W02|2|W02\\n5 Jan" "2026-01-12|2026-W03|2|W03\\n12 Jan" "2026-01-19|2026-W04|0|W04\\n19 Jan" \
	    "2026-01-26|2026-W05|1|W05\\n26 Jan" "2026-02-02|2026-W06|0|W06\\n2 Feb" "2026-02-09|2026-W07|0|W07\\n9 Feb" \
	    "2026-02-16|2026-W08|0|W08\\n16 Feb" "2026-02-23|2026-W09|0|W09\\n23 Feb" >expect &&
	test_cmp expect out/messages_per_week.dat
'

test_expect_success 'participants per week count each participant once a week' '
	cut -f3 out/participants_per_week.dat | tr "\n" " " >actual &&
	printf "participants 1 1 0 1 0 0 0 0 " >expect &&
	test_cmp expect actual
'

test_expect_success 'the codes of an RQA scheme over the season: Normal codes always, others when used' '
	tab "# code|count|label" "health|2|Health" "water|1|Water" "school|0|School" "NR|1|NR" >expect &&
	test_cmp expect out/codes_rqa_e01.dat &&
	tab "# code|count|label" "jobs|0|Jobs" "peace|0|Peace" >expect &&
	test_cmp expect out/codes_rqa_e02.dat
'

test_expect_success 'survey schemes count participants from the individuals; withdrawn ones are left out' '
	tab "# code|count|label" "male|1|Male" "female|1|Female" "NC|1|NC" >expect &&
	test_cmp expect out/codes_gender.dat
'

test_expect_success 'the files written: a PNG per graph, the data with --keep-data, no scratch left' '
	(cd out && ls -A) >actual &&
	printf "%s\n" codes_district.dat codes_district.png codes_gender.dat codes_gender.png \
	    codes_mogadishu_sub_district.dat codes_mogadishu_sub_district.png codes_region.dat codes_region.png \
	    codes_rqa_e01.dat codes_rqa_e01.png codes_rqa_e02.dat codes_rqa_e02.png codes_state.dat codes_state.png \
	    codes_zone.dat codes_zone.png messages_per_week.dat messages_per_week.png participants_per_week.dat \
	    participants_per_week.png >expect &&
	test_cmp expect actual &&
	for f in out/*.png; do
		head -c 8 "$f" | od -An -tx1 | tr -d " \n" >sig && printf 89504e470d0a1a0a >want &&
		test_cmp want sig || return 1
	done
'

test_expect_success 'without the individuals: no survey graphs; SVG only with --format svg' '
	plot-weekly -c cfg.json -d svg --format svg messages.jsonl &&
	(cd svg && ls -A) >actual &&
	printf "%s\n" codes_rqa_e01.svg codes_rqa_e02.svg messages_per_week.svg participants_per_week.svg >expect &&
	test_cmp expect actual
'

test_expect_success 'the SVGs carry the title, the axis labels and the bars; the same input gives the same bytes' '
	grep -q ">Messages per week<" svg/messages_per_week.svg &&
	grep -q ">Week starting on Monday (ISO week number), 2026-01-05 to 2026-02-23, UTC+03:00<" \
	    svg/messages_per_week.svg &&
	grep -q ">Messages<" svg/messages_per_week.svg &&
	grep -q ">Participants who sent messages per week<" svg/participants_per_week.svg &&
	grep -q ">rqa_e01: messages per code over the season<" svg/codes_rqa_e01.svg &&
	grep -q ">Messages (3 labelled; one can have several codes)<" svg/codes_rqa_e01.svg &&
	grep -q ">Code (Demo E01)<" svg/codes_rqa_e01.svg &&
	grep -q ">Health<" svg/codes_rqa_e01.svg &&
	plot-weekly -c cfg.json -d svg2 --format svg messages.jsonl &&
	for f in svg/*.svg; do cmp "$f" "svg2/${f#svg/}" || return 1; done &&
	! grep -q "plot-weekly\\." svg/*.svg
'

test_expect_success '--tz UTC: the Sunday-evening message falls in the week before, and the weeks start earlier' '
	plot-weekly -c cfg.json -d utc --tz UTC --keep-data messages.jsonl &&
	cut -f1,2,3 utc/messages_per_week.dat | sed -n "2,4p" >actual &&
	tab "2025-12-29|2026-W01|0" "2026-01-05|2026-W02|3" "2026-01-12|2026-W03|1" >expect &&
	test_cmp expect actual &&
	cut -f3 utc/participants_per_week.dat | sed -n 3p >actual && echo 2 >expect && test_cmp expect actual
'

test_expect_success '--tz with a zone name or another offset form' '
	plot-weekly -c cfg.json -d mog --tz Africa/Mogadishu --keep-data messages.jsonl &&
	test_cmp out/messages_per_week.dat mog/messages_per_week.dat &&
	plot-weekly -c cfg.json -d off --tz +0300 --keep-data messages.jsonl &&
	test_cmp out/messages_per_week.dat off/messages_per_week.dat
'

test_expect_success 'more than 20 weeks: one-line labels' '
	jq -c ".ProjectEndDate = \"2026-07-01T00:00:00+03:00\"" cfg.json >long.json &&
	jq -nc "{uid: \"a\", sent_on: \"2026-06-20T10:00:00+03:00\"}" >>messages-long.jsonl &&
	cat messages.jsonl >>messages-long.jsonl &&
	plot-weekly -c long.json -d long --keep-data messages-long.jsonl &&
	sed -n "2p;25p" long/messages_per_week.dat >actual &&
	tab "2026-01-05|2026-W02|2|W02 5 Jan" "2026-06-15|2026-W25|1|W25 15 Jun" >expect &&
	test_cmp expect actual
'

test_expect_success 'code labels with quotes and non-ASCII text reach the graph whole' '
	mkdir qs && cp "$SCHEMES"/*.json qs/ &&
	jq ".Codes[0].DisplayText = \"say \\\"hi\\\" it'"'"'s \u2014 ok\"" "$SCHEMES/demo_e01.json" >qs/demo_e01.json &&
	jq ".CodeSchemesDir = \"$PWD/qs\"" cfg.json >q.json &&
	plot-weekly -c q.json -d q --keep-data --format svg messages.jsonl &&
	sed -n 2p q/codes_rqa_e01.dat >actual &&
	printf "health\t2\tsay \"hi\" it'"'"'s \342\200\224 ok\n" >expect && test_cmp expect actual &&
	printf "<text>say \"hi\" it'"'"'s \342\200\224 ok<\n" >expect &&
	grep -o "<text>say [^<]*<" q/codes_rqa_e01.svg >actual && test_cmp expect actual
'

test_expect_code 64 'an unknown zone is a usage error' '
	plot-weekly -c cfg.json -d x --tz Mars/Olympus messages.jsonl 2>err;
	rc=$?; echo "plot-weekly: --tz Mars/Olympus: not a UTC offset (+03:00) or a time zone name (Africa/Mogadishu)" >expect &&
	test_cmp expect err && exit $rc
'

test_expect_code 64 'an unknown format is a usage error' '
	plot-weekly -c cfg.json -d x --format pdf messages.jsonl 2>err;
	rc=$?; echo "plot-weekly: --format pdf: expected png, svg or png,svg" >expect && test_cmp expect err && exit $rc
'

test_expect_code 64 'no -c is a usage error' '
	plot-weekly -d x messages.jsonl 2>err;
	rc=$?; echo "plot-weekly: -c CONFIG is required (it locates the coding plans)" >expect && test_cmp expect err && exit $rc
'

test_expect_code 78 'a bad configuration is 78' '
	echo "{" >bad.json &&
	plot-weekly -c bad.json -d x messages.jsonl 2>err;
	rc=$?; grep -q "^plot-weekly: bad.json:.*invalid JSON" err && exit $rc
'

test_expect_code 66 'a missing input is 66' '
	plot-weekly -c cfg.json -d x nosuch.jsonl 2>err;
	rc=$?; echo "plot-weekly: nosuch.jsonl: No such file or directory" >expect && test_cmp expect err && exit $rc
'

test_expect_code 65 'a message without its time is 65, and the old graphs stay as they were' '
	cp out/messages_per_week.png before.png &&
	{ cat messages.jsonl; echo "{\"uid\": \"d\"}"; } >notime.jsonl &&
	plot-weekly -c cfg.json -d out notime.jsonl 2>err;
	rc=$?; echo "plot-weekly: notime.jsonl:7: no \"sent_on\" (expected the message'"'"'s time as an ISO 8601 string)" >expect &&
	test_cmp expect err && cmp before.png out/messages_per_week.png && exit $rc
'

test_expect_code 65 '-k names another time key; an unparsable time is 65' '
	jq -c "{uid, t: .sent_on}" messages.jsonl | sed -n 1p >k.jsonl &&
	plot-weekly -c cfg.json -d k -k t --keep-data k.jsonl &&
	cut -f3 k/messages_per_week.dat | sed -n 2p >actual && echo 1 >expect && test_cmp expect actual &&
	echo "{\"uid\": \"a\", \"t\": \"yesterday\"}" >k2.jsonl &&
	plot-weekly -c cfg.json -d k -k t k2.jsonl 2>err;
	rc=$?; grep -q "^plot-weekly: k2.jsonl:1: \"t\": " err && exit $rc
'

test_expect_code 69 'gnuplot missing: 69, naming the package, nothing written' '
	tool=$(command -v plot-weekly) && mkdir nognu &&
	if [ "${TD_VALGRIND:-}" = 1 ]; then
		printf "#!/bin/sh\nexec %s \"\$@\"\n" "$(command -v valgrind)" >nognu/valgrind && chmod +x nognu/valgrind
	fi &&
	PATH=$PWD/nognu "$tool" -c cfg.json -d none messages.jsonl 2>err;
	rc=$?; echo "plot-weekly: gnuplot not found (install the Debian package gnuplot-nox)" >expect &&
	test_cmp expect err && test ! -e none && exit $rc
'

test_expect_code 1 'gnuplot failing: exit 1 with its message, the old graphs kept, no scratch left' '
	mkdir fakebin && printf "#!/bin/sh\necho \"graphs.gp line 3: boom\" >&2\nexit 1\n" >fakebin/gnuplot &&
	chmod +x fakebin/gnuplot &&
	PATH=$PWD/fakebin:$PATH plot-weekly -c cfg.json -d out messages.jsonl 2>err;
	rc=$?; echo "plot-weekly: gnuplot failed (exit 1): graphs.gp line 3: boom" >expect && test_cmp expect err &&
	cmp before.png out/messages_per_week.png && test -z "$(cd out && ls -A | grep "^\\.")" && exit $rc; exit 99
'

test_done
