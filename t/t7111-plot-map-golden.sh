#!/bin/sh
# plot-map on the reference's golden SMS individuals with the IBTCI config and the Somalia boundaries: the 177 map
# names of the reference, and every map's counts equal to the breakdown columns of the reference's
# theme_distributions.csv.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog gnuplot
require_prog python3

GOLDEN=$SHARED/golden/sms/Outputs
AA="$GOLDEN/Automated Analysis"
ibtci_config sms sms.json

test_expect_success 'the reference config and its individuals: the 177 maps of the reference, by name' '
	plot-map -c sms.json --geo "$SHARED/geo/somalia" -d maps --keep-data --format svg \
	    "$GOLDEN/individuals_traced_data.jsonl" &&
	(cd maps && ls */*.svg) | sed "s|^|maps/|; s|\\.svg\$|.png|" | sort >actual &&
	sort "$AA/MAP_FILE_LIST.txt" >expect &&
	test_cmp expect actual
'

test_expect_success 'each theme map holds the breakdown counts of the reference theme_distributions.csv' '
	python3 - "$AA/theme_distributions.csv" maps >report <<-\PY &&
	import csv, os, re, sys
	rows = list(csv.DictReader(open(sys.argv[1], newline="")))
	fams = {"regions": "region", "districts": "district", "mogadishu": "mogadishu_sub_district"}
	checked = bad = 0
	files = set()
	ac = None
	for row in rows:
	    ac = row["Dataset"] or ac
	    theme = row["Theme"]
	    for prefix, key in fams.items():
	        d = os.path.join(sys.argv[2], prefix)
	        if theme == "Total Relevant Participants":
	            name = "%s_%s_1_total_relevant.dat" % (prefix, ac)
	        else:
	            pat = re.compile(r"^%s_%s_\d+_%s\.dat$" % (re.escape(prefix), re.escape(ac), re.escape(theme)))
	            names = [n for n in os.listdir(d) if pat.match(n)]
	            if not names:
	                continue
	            name = names[0]
	        files.add(name)
	        for line in open(os.path.join(d, name)).read().splitlines()[1:]:
	            code, count, _ = line.split("\t")
	            want = row["%s:%s" % (key, code)]
	            checked += 1
	            if want != count:
	                bad += 1
	                print("%s %s: %s, reference %s" % (name, code, count, want))
	print("%d maps, %d counts checked, %d different" % (len(files), checked, bad))
	PY
	tail -1 report >actual && echo "174 maps, 6322 counts checked, 0 different" >expect && test_cmp expect actual
'

test_expect_success 'the total maps count the RQA opt-ins with a location code' '
	for f in regions/regions districts/districts mogadishu/mogadishu; do
		awk -F "\t" "NR > 1 && \$2 > 0 { printf \"%s=%s \", \$1, \$2 }" "maps/${f}_total_participants.dat"
	done >actual &&
	printf "banadir=1 mogadishu=1 hodan=1 " >expect &&
	test_cmp expect actual
'

test_done
