#!/bin/sh
# plot-map: the counts of each map (the reference's theme-distribution breakdowns), the colour classes, the
# files written, the SVG's titles and legend, and the error paths, on a small synthetic map.

. "$(dirname "$0")/test-lib.sh"

require_prog jq
require_prog gnuplot

DEMO=$EXAMPLES/demo
mkdir schemes geo &&
cp "$DEMO"/schemes/*.json schemes/ &&
# A region scheme whose Normal codes are the four made-up regions of the map (controls as the demo's gender).
jq '.SchemeID = "Scheme-test-region" | .Name = "Test region" |
	.Codes = [{CodeID: "code-r-north", StringValue: "north", DisplayText: "North", NumericValue: 1, Shortcut: "n"},
	          {CodeID: "code-r-east", StringValue: "east", DisplayText: "East", NumericValue: 2, Shortcut: "e"},
	          {CodeID: "code-r-south", StringValue: "south", DisplayText: "South", NumericValue: 3, Shortcut: "s"},
	          {CodeID: "code-r-west", StringValue: "west", DisplayText: "West", NumericValue: 4, Shortcut: "w"}]
	         + [.Codes[] | select(.CodeType != "Normal")] |
	.Codes |= map(if .CodeType then . else . + {CodeType: "Normal", VisibleInCoda: true} end)' \
	"$DEMO/schemes/gender.json" >schemes/region.json
# (the demo's own location plan is replaced by this one)
jq '.DemogCodingPlans |= map(select(.RawField != "location_raw")) | .DemogCodingPlans += [{RawField: "location_raw", RawFieldFoldStrategy: "assert_equal", CodingConfigurations: [
	{CodedField: "region_coded", CodingMode: "SINGLE", CodeScheme: "region.json", AnalysisFileKey: "region",
	 FoldStrategy: "assert_label_ids_equal"}]}]' "$DEMO/plans.json" >plans.json
jq '. + {CodingPlans: "plans.json", CodeSchemesDir: "schemes"} |
	.AutomatedAnalysis.GenerateRegionThemeDistributionMaps = true | .AutomatedAnalysis.GeoDir = "geo"' \
	"$DEMO/config.json" >cfg.json

square() {	# square ID X0 Y0 SIZE [extra properties]
	printf '{"type": "Feature", "properties": {"ADM1_AVF": "%s"%s}, "geometry": {"type": "Polygon", "coordinates": [[[%s, %s], [%s, %s], [%s, %s], [%s, %s], [%s, %s]]]}}' \
		"$1" "${5:-}" "$2" "$3" "$(($2 + $4))" "$3" "$(($2 + $4))" "$(($3 + $4))" "$2" "$(($3 + $4))" "$2" "$3"
}
{
	printf '{"type": "FeatureCollection", "features": [\n'
	square north 0 2 2 ', "ADM1_LX": 1.0, "ADM1_LY": 3.2'; printf ',\n'
	square east 2 0 2; printf ',\n'
	square south 0 -2 2; printf ',\n'
	square west -2 0 2; printf ',\n'
	square island 5 5 1; printf '\n]}\n'
} >geo/regions.geojson

lab() {
	jq -c --arg sv "$2" '{Checked: true, CodeID: (.Codes[] | select(.StringValue == $sv) | .CodeID),
		DateTimeUTC: "2026-01-01T00:00:00+00:00", Origin: {Name: "coder", OriginID: "c", OriginType: "Manual"},
		SchemeID: .SchemeID}' "schemes/$1"
}
ind() {	# ind UID REGION E01-CODES [E02-CODES]
	r=$(lab region.json "$2")
	e1=$(for c in $3; do lab demo_e01.json "$c"; done | jq -sc .)
	e2=$(for c in ${4:-}; do lab demo_e02.json "$c"; done | jq -sc .)
	jq -nc --arg uid "$1" --argjson r "$r" --argjson e1 "$e1" --argjson e2 "$e2" \
		'{uid: $uid, consent_withdrawn: "false", region_coded: $r} + (if $e1 == [] then {} else {rqa_e01_coded: $e1} end)
		 + (if $e2 == [] then {} else {rqa_e02_coded: $e2} end)'
}
{
	for i in 1 2 3; do ind "n$i" north health; done
	ind n4 north water
	ind n5 north "health water"
	ind e1 east NR
	ind e2 east "" jobs
	for i in 1 2 3 4 5 6 7 8 9; do ind "s$i" south school; done
	ind x1 north NA				# no RQA opt-in: not counted
	ind x2 west health | jq -c '.region_coded = (.region_coded | .CodeID = "code-NC-42f1d983")'	# NC region
	echo '{"uid": "STOP", "consent_withdrawn": "true", "region_coded": "STOP", "rqa_e01_coded": "STOP"}'
} >individuals.jsonl

tab() { printf '%s\n' "$@" | tr '|' '\t'; }

test_expect_success 'total participants per region: RQA opt-ins with that region; Fisher-Jenks classes' '
	plot-map -c cfg.json -d maps --keep-data --format png,svg individuals.jsonl &&
	tab "# code|participants|class" "north|5|2" "east|2|1" "south|9|3" "west|0|0" >expect &&
	test_cmp expect maps/regions/regions_total_participants.dat
'

test_expect_success 'per theme: the relevant participants, then each Normal code of the theme from 2' '
	for m in rqa_e01_1_total_relevant:5:0:9 rqa_e01_2_health:4:0:0 rqa_e01_3_water:2:0:0 \
	    rqa_e01_4_school:0:0:9 rqa_e02_1_total_relevant:0:1:0 rqa_e02_2_jobs:0:1:0 rqa_e02_3_peace:0:0:0; do
		name=${m%%:*} && counts=${m#*:} &&
		cut -f2 "maps/regions/regions_$name.dat" | sed 1d | tr "\n" : >actual &&
		printf "%s:0:" "$counts" >expect && test_cmp expect actual || return 1
	done
'

test_expect_success 'the files written, and no other family without its coding configuration' '
	(cd maps && find . | sort) >actual &&
	{ echo . && echo ./regions &&
	  for n in rqa_e01_1_total_relevant rqa_e01_2_health rqa_e01_3_water rqa_e01_4_school \
	      rqa_e02_1_total_relevant rqa_e02_2_jobs rqa_e02_3_peace total_participants; do
		for e in dat png svg; do echo "./regions/regions_$n.$e"; done
	  done; } | sort >expect &&
	test_cmp expect actual
'

test_expect_success 'the SVG: title, legend with classes and "no data", the counts on the features' '
	svg=maps/regions/regions_total_participants.svg &&
	grep -q ">Participants per region<" $svg &&
	grep -q ">Participants<" $svg &&
	for t in 0 "1 - 2" "3 - 5" "6 - 9" "no data"; do grep -q ">$t<" $svg || return 1; done &&
	grep -c ">[0-9]*<" $svg >/dev/null &&
	grep -q ">rqa_e01, Health: participants per region<" maps/regions/regions_rqa_e01_2_health.svg &&
	grep -q ">rqa_e01: relevant participants per region<" maps/regions/regions_rqa_e01_1_total_relevant.svg
'

test_expect_success 'the same input gives the same SVG bytes; the PNGs are PNGs' '
	plot-map -c cfg.json -d maps2 --format svg individuals.jsonl &&
	for f in maps2/regions/*.svg; do cmp "$f" "maps/regions/${f#maps2/regions/}" || return 1; done &&
	for f in maps/regions/*.png; do
		head -c 8 "$f" | od -An -tx1 | tr -d " \n" >sig && printf 89504e470d0a1a0a >want &&
		test_cmp want sig || return 1
	done
'

test_expect_success 'the flag off: only the total map; --geo overrides GeoDir' '
	jq ".AutomatedAnalysis.GenerateRegionThemeDistributionMaps = false | del(.AutomatedAnalysis.GeoDir)" \
	    cfg.json >noflag.json &&
	plot-map -c noflag.json --geo geo -d flagoff individuals.jsonl &&
	(cd flagoff && find . -type f) >actual && echo ./regions/regions_total_participants.png >expect &&
	test_cmp expect actual
'

test_expect_success 'plans without a location coding configuration: a warning, nothing drawn' '
	jq ".DemogCodingPlans |= map(select(.RawField != \"location_raw\"))" "$DEMO/plans.json" >noloc-plans.json &&
	jq ". + {CodingPlans: \"noloc-plans.json\"}" cfg.json >noloc.json &&
	plot-map -c noloc.json -d none individuals.jsonl 2>err &&
	echo "plot-map: the coding plans have no region, district or mogadishu_sub_district coding configuration: nothing to map" >expect &&
	test_cmp expect err && test ! -e none
'

test_expect_code 64 'no --geo and no GeoDir is a usage error' '
	plot-map -c noflag.json -d x individuals.jsonl 2>err;
	rc=$?; echo "plot-map: no --geo DIR, and noflag.json has no AutomatedAnalysis.GeoDir" >expect &&
	test_cmp expect err && exit $rc
'

test_expect_code 66 'a missing geo directory is 66' '
	plot-map -c cfg.json --geo nosuch -d x individuals.jsonl 2>err;
	rc=$?; echo "plot-map: nosuch: No such file or directory" >expect && test_cmp expect err && exit $rc
'

test_expect_code 66 'a missing boundary file is 66' '
	mkdir emptygeo && plot-map -c cfg.json --geo emptygeo -d x individuals.jsonl 2>err;
	rc=$?; echo "plot-map: emptygeo/regions.geojson: No such file or directory" >expect && test_cmp expect err &&
	test ! -e x && exit $rc
'

test_expect_code 65 'a boundary file with a feature without its id is 65' '
	mkdir badgeo && jq ".features[1].properties = {}" geo/regions.geojson >badgeo/regions.geojson &&
	plot-map -c cfg.json --geo badgeo -d x individuals.jsonl 2>err;
	rc=$?; echo "plot-map: badgeo/regions.geojson: feature 1: property ADM1_AVF must be a non-empty string" >expect &&
	test_cmp expect err && exit $rc
'

test_expect_code 65 'a label naming a code the scheme lacks is 65' '
	echo "{\"uid\": \"q\", \"rqa_e01_coded\": [{\"CodeID\": \"nope\", \"SchemeID\": \"x\"}]}" >badlabel.jsonl &&
	plot-map -c cfg.json -d x badlabel.jsonl 2>err;
	rc=$?; grep -q "^plot-map: badlabel.jsonl:1: \"rqa_e01_coded\": code id '"'"'nope'"'"' is not in code scheme Scheme-demo0001" err &&
	exit $rc
'

test_expect_code 78 'a bad configuration is 78' '
	jq ".AutomatedAnalysis.GenerateRegionThemeDistributionMaps = 1" cfg.json >bad.json &&
	plot-map -c bad.json -d x individuals.jsonl 2>/dev/null
'

test_expect_code 69 'gnuplot missing: 69, naming the package' '
	tool=$(command -v plot-map) && mkdir nognu &&
	if [ "${TD_VALGRIND:-}" = 1 ]; then
		printf "#!/bin/sh\nexec %s \"\$@\"\n" "$(command -v valgrind)" >nognu/valgrind && chmod +x nognu/valgrind
	fi &&
	PATH=$PWD/nognu "$tool" -c cfg.json -d x individuals.jsonl 2>err;
	rc=$?; echo "plot-map: gnuplot not found (install the Debian package gnuplot-nox)" >expect &&
	test_cmp expect err && test ! -e x && exit $rc
'

test_expect_code 1 'gnuplot failing: exit 1 with its message, the old maps kept, no scratch left' '
	cp maps/regions/regions_total_participants.png before.png &&
	mkdir fakebin && printf "#!/bin/sh\necho \"maps.gp line 9: boom\" >&2\nexit 1\n" >fakebin/gnuplot &&
	chmod +x fakebin/gnuplot &&
	PATH=$PWD/fakebin:$PATH plot-map -c cfg.json -d maps individuals.jsonl 2>err;
	rc=$?; echo "plot-map: gnuplot failed (exit 1): maps.gp line 9: boom" >expect && test_cmp expect err &&
	cmp before.png maps/regions/regions_total_participants.png &&
	test -z "$(cd maps/regions && ls -A | grep "^\\.")" && exit $rc; exit 99
'

test_expect_success 'the demo project: its location answers, Coda labels, schemes and GeoJSON give the maps its config asks for' '
	dc=$DEMO/config.json && o="-c $dc -q" &&
	td-join $o -r "$DEMO/Raw Data" | td-remap $o | td-filter $o | td-autocode $o | td-sort -q -k sent_on |
		coda-merge $o --coded-dir "$DEMO/Coded Coda Files" | td-consent $o >demo-messages.jsonl &&
	td-fold $o demo-messages.jsonl | td-consent $o --redact >demo-individuals.jsonl &&
	plot-map -c "$dc" -d demo-maps --keep-data demo-individuals.jsonl &&
	(cd demo-maps && find . -type f | sort) >actual &&
	printf "%s\n" ./districts/districts_total_participants.dat ./districts/districts_total_participants.png \
	    ./mogadishu/mogadishu_total_participants.dat ./mogadishu/mogadishu_total_participants.png \
	    ./regions/regions_rqa_e01_1_total_relevant.dat ./regions/regions_rqa_e01_1_total_relevant.png \
	    ./regions/regions_rqa_e01_2_health.dat ./regions/regions_rqa_e01_2_health.png \
	    ./regions/regions_rqa_e01_3_water.dat ./regions/regions_rqa_e01_3_water.png \
	    ./regions/regions_rqa_e01_4_school.dat ./regions/regions_rqa_e01_4_school.png \
	    ./regions/regions_rqa_e02_1_total_relevant.dat ./regions/regions_rqa_e02_1_total_relevant.png \
	    ./regions/regions_rqa_e02_2_jobs.dat ./regions/regions_rqa_e02_2_jobs.png \
	    ./regions/regions_rqa_e02_3_peace.dat ./regions/regions_rqa_e02_3_peace.png \
	    ./regions/regions_total_participants.dat ./regions/regions_total_participants.png >expect &&
	test_cmp expect actual &&
	tab "# code|participants|class" "banadir|3|3" "bay|1|1" "gedo|0|0" "lower juba|1|1" "woqooyi galbeed|2|2" \
	    "nugaal|1|1" >expect &&
	test_cmp expect demo-maps/regions/regions_total_participants.dat &&
	tab "# code|participants|class" "banadir|3|2" "bay|0|0" "gedo|0|0" "lower juba|1|1" "woqooyi galbeed|1|1" \
	    "nugaal|0|0" >expect &&
	test_cmp expect demo-maps/regions/regions_rqa_e01_2_health.dat &&
	tab "# code|participants|class" "mogadishu|3|3" "baidoa|1|1" "buur hakaba|0|0" "kismayo|1|1" "afmadow|0|0" \
	    "hargeysa|2|2" "gebiley|0|0" "garowe|1|1" "eyl|0|0" >expect &&
	test_cmp expect demo-maps/districts/districts_total_participants.dat &&
	tab "# code|participants|class" "hodan|2|2" "wadajir|1|1" "karaan|0|0" "xamar weyne|0|0" >expect &&
	test_cmp expect demo-maps/mogadishu/mogadishu_total_participants.dat
'

test_done
