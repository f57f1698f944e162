#!/bin/sh
# gen-sms.sh N-PARTICIPANTS OUT-DIR: a synthetic SMS data root for the real USAID-IBTCI SMS configuration and
# coding plans, for the stage-3 scale benchmarks (t/bench/run.sh).
#
# OUT-DIR gets:
#   config.json          $SHARED/ibtci/configuration/sms_pipeline_config.json with CodingPlans =
#                        examples/ibtci/sms_coding_plans.json and CodeSchemesDir = $SHARED/ibtci/code_schemes
#   Raw Data/            one TracedData file per flow the configuration names, shaped like the golden raw
#                        data (../shared/golden/sms-5k): 4 activation messages per participant over the 7
#                        csap_s08e0x_activation flows (with operator_raw/operator_coded), a 6-answer
#                        csap_s08_demog survey and a 2-answer csap_s08_evaluation survey per participant, and
#                        empty files for the other survey flows
#   Coded Coda Files/    one Coda file per plan with a CodaFilename: about 20% of the distinct texts, each
#                        with 1 (SINGLE) or 1-2 (MULTIPLE) checked manual labels of the plan's first scheme;
#                        MessageID is the SHA-256 of the text, as the pipeline computes it
#
# Message times fall inside their episode's window (2020-11-05 ... 2021-03-06), so the project window and the
# engagement-type windows keep them. Deterministic (a Park-Miller generator, not awk's rand), except for the
# Metadata.Timestamp td-cat --traced writes.
#
# POSIX sh + awk + jq (for the configuration) + sha256sum + our bin/td-cat --traced; no python.
# SHARED (default: ../shared beside the checkout) and TD_BIN (default: the checkout's bin/) can be overridden.
set -eu
[ $# -eq 2 ] || { echo "usage: gen-sms.sh N-PARTICIPANTS OUT-DIR" >&2; exit 64; }
n=$1 out=$2
case $n in '' | *[!0-9]*) echo "gen-sms.sh: N-PARTICIPANTS must be a number" >&2; exit 64 ;; esac
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
TD_BIN=${TD_BIN:-$TOP/bin}
cfg_in=$SHARED/ibtci/configuration/sms_pipeline_config.json
plans=$TOP/examples/ibtci/sms_coding_plans.json
schemes=$SHARED/ibtci/code_schemes
for f in "$cfg_in" "$plans" "$schemes/gender.json" "$TD_BIN/td-cat"; do
	[ -e "$f" ] || { echo "gen-sms.sh: $f is missing" >&2; exit 66; }
done
export LC_ALL=C

mkdir -p "$out"
rm -rf "$out/Raw Data" "$out/Coded Coda Files" "$out/.flat"
mkdir -p "$out/Raw Data" "$out/Coded Coda Files" "$out/.flat/sha"
flat=$out/.flat

jq --arg p "$plans" --arg s "$schemes" '. + {CodingPlans: $p, CodeSchemesDir: $s}' "$cfg_in" >"$out/config.json"

# Every flow the configuration names gets a file (most stay empty).
jq -r '.RawDataSources[] | (.ActivationFlowNames // [])[], (.SurveyFlowNames // [])[],
	((.ActivationFlowURLs // []) + (.SurveyFlowURLs // []) | .[] | sub(".*/"; "") | sub("\\.jsonl$"; ""))' \
	"$out/config.json" | while IFS= read -r flow; do : >"$flat/$flow.jsonl"; done

# The plans with a Coda file: CodaFilename, RawField, coding mode, SchemeID and Normal CodeIDs (Meta when it has none) of the first
# coding configuration's scheme.
jq -r '(.RQACodingPlans + .DemogCodingPlans + .FollowUpCodingPlans)[] | select(.CodaFilename != null) |
	[.CodaFilename, .RawField, .CodingConfigurations[0].CodingMode, .CodingConfigurations[0].CodeScheme] | @tsv' \
	"$plans" | while IFS='	' read -r coda raw mode scheme; do
	printf '%s\t%s\t%s\t%s\n' "$coda" "$raw" "$mode" \
		"$(jq -r '.Codes as $c | [.SchemeID] + ([$c[] | select(.CodeType == "Normal") | .CodeID] |
			if length > 0 then . else [$c[] | select(.CodeType == "Meta") | .CodeID] end) | join(" ")' "$schemes/$scheme")"
done >"$flat/coda-plans.tsv"

awk -v n="$n" -v flat="$flat" -v codadir="$out/Coded Coda Files" -F'\t' '
function rnd(m) { seed = (seed * 16807) % 2147483647; return seed % m }
function pick(a, k) { return a[rnd(k) + 1] }
function two(x) { return (x < 10 ? "0" : "") x }
function q(s) { return "\"" s "\"" }	# the texts hold no quote or backslash
# Days since 2020-11-01 to a date (the range is 2020-11-01 ... 2021-03-31).
function date_of(d,   m, y) {
	if (d < 30) return "2020-11-" two(d + 1); d -= 30
	if (d < 31) return "2020-12-" two(d + 1); d -= 31
	if (d < 31) return "2021-01-" two(d + 1); d -= 31
	if (d < 28) return "2021-02-" two(d + 1); d -= 28
	return "2021-03-" two(d + 1)
}
# A time in days [d0, d1] after 2020-11-01, as Rapid Pro gives it (UTC, microseconds), 03:00-20:59 UTC.
function when(d0, d1,   d) {
	d = d0 + rnd(d1 - d0 + 1)
	return date_of(d) "T" two(3 + rnd(18)) ":" two(rnd(60)) ":" two(rnd(60)) "." sprintf("%06d", rnd(1000000)) "+00:00"
}
function later(t, s,   h, mi, se) {	# t plus s seconds (s < 3600, the hour may carry into the next one)
	mi = substr(t, 15, 2) + int(s / 60); se = substr(t, 18, 2) + s % 60
	if (se >= 60) { se -= 60; mi++ }
	h = substr(t, 12, 2) + 0
	if (mi >= 60) { mi -= 60; h++ }
	return substr(t, 1, 11) two(h) ":" two(mi) ":" two(se) substr(t, 20)
}
function words(k,   s, i) { s = pick(CAP, NCAP); for (i = 1; i < k; i++) s = s " " pick(W, NW); return s }
# A survey/activation answer: the run keys of Rapid Pro for question Q of flow F.
function answer(Q, F, text, t, run) {
	return q(Q " (Category) - " F) ":\"All Responses\"," q(Q " (Name) - " F) ":" q(Q) "," \
	    q(Q " (Run ID) - " F) ":" run "," q(Q " (Text) - " F) ":" q(text) "," q(Q " (Time) - " F) ":" q(t) "," \
	    q(Q " (Value) - " F) ":" q(text) ","
}
function run_keys(F, uid, t0, t1, run) {
	return q("avf_phone_id") ":" q(uid) "," q("run_created_on - " F) ":" q(t0) "," \
	    q("run_exit_type - " F) ":\"completed\"," q("run_exited_on - " F) ":" q(t1) "," \
	    q("run_id - " F) ":" run "," q("run_modified_on - " F) ":" q(t1) "," q("urn_type") ":\"tel\""
}
function seen(raw, text) { if (!((raw, text) in T)) { T[raw, text] = 1; TN[raw]++; TT[raw, TN[raw]] = text; TS[raw, TN[raw]] = last_t } }
function uuid(i) { return sprintf("%08x-%04x-4%03x-%04x-%012x", i * 2654435761 % 4294967296, i % 65536, i % 4096, 32768 + i % 16384, i * 40503) }

NR == FNR { CP[++NCP] = $0; next }
END {
	seed = 20201105
	NW = split("nabad horumar dadka beesha waxbarashada caruurta dowladda caawiso odayaasha khibrad shaqo " \
	    "biyo caafimaad wanaagsan gargaar nolol dhaqaale ganacsi beeraha xoolaha roob abaar cunto isbitaal " \
	    "dugsiyada macalimiinta ammaan maamulka go\047aanka caddaalad dhaqankeenna haweenka dhalinyarada waddooyin " \
	    "korontada suuqa qoysaska barakacayaasha tahriib musuqmaasuq doorashada shacabka wadahadal heshiis " \
	    "xuquuqda xoriyadda warbaahinta raadiyaha fikrad muhiim badan yar aad waa ayaa iyo in ku ka la ma " \
	    "inay inaan waxaan waxay sidoo kale hadda mar walba", W, " ")
	NCAP = split("Waxaan Anigu Waxay Dowladda Odayaasha Dadka Shacabka Waa Haddii Markii Maxaa Sidee", CAP, " ")
	NSHORT = split("haa|maya|waan ku raacsanahay|ma garanayo|mahadsanid|nabad|waxba ma hayo|shaqo la\047aan|" \
	    "waxbarasho|caafimaad|biyo|ammaan|ok|Haa waa run|Maya ma aha", SHORT, "|")
	NG = split("naag|wiil|rag|ragga|haweeney|Dumar|gabar|nin|male|female|Nin baan ahay|I am a woman", G, "|")
	NA = split("17|18|19|20|21|22|23|24|25|26|27|28|29|30|32|35|38|40|45|50|55|60|65|70|seventeen|" \
	    "thirty two|lix iyo labaatan|60 sano|I am 2O|Da\047aydu waa 19|150", AGE, "|")
	NL = split("hodan|baidoa|Baidoa|hargeisa|Garowe|Burao|Wadajir|Heliwaa|Beledweyne|galkacyo|Yaqshid|Jowhar|" \
	    "xamar|kismayo|mogadishu|bossaso|afgooye|marka|daynile|dharkenley|waaberi|karaan|kaxda|berbera|borama|" \
	    "luuq|doolow|xudur|balcad|jilib", LOC, "|")
	ND = split("haa|maya|Haa waan barakacay|Maya|yes|no", DISP, "|")
	NLV = split("xoolo dhaqato|arday|kalkaaliso|farmer|guriga joog|ganacsade|student|macalin|shaqo la\047aan|beeraley", LIV, "|")
	NHL = split("af soomaali|somali|Carabi|English|Somali iyo English|maay maay|Kiswahili", HL, "|")
	NHV = split("yes|Haa, codkayga waa la maqlay|maya|Maya, lama dhageysto|waxaa laga yaabaa|haa", HV, "|")
	NSG = split("Ha sii socdo, wacyigelinna ha la badiyo|Barnaamijyo kala duwan, sida ciyaaraha iyo caafimaadka|" \
	    "Wacyigelin badan ha la sameeyo|Waxba ma hayo|Raadiyaha ha la hagaajiyo, codka ayaa xun", SG, "|")
	NOP = split("25261 code-c7b32481|25262 code-605d77ed|25263 code-3e6ddc70|25264 code-c7b32481|" \
	    "25265 code-605d77ed|25267 code-b83b9be1|25268 code-524167c7|25290 code-450ec146", OP, "|")
	# The episodes: flow, question, window in days after 2020-11-01 (2020-11-05 ... 2021-03-06).
	NE = split("csap_s08e01_activation Rqa_S08E01 rqa_s08e01_raw 4 6|csap_s08e02_activation Rqa_S08E02 rqa_s08e02_raw 7 13|" \
	    "csap_s08e03_activation Rqa_S08E03 rqa_s08e03_raw 14 23|" \
	    "csap_s08e03_break_activation Rqa_S08E03_Break rqa_s08e03_break_raw 24 103|" \
	    "csap_s08e04_activation Rqa_S08E04 rqa_s08e04_raw 105 111|csap_s08e05_activation Rqa_S08E05 rqa_s08e05_raw 112 118|" \
	    "csap_s08e06_activation Rqa_S08E06 rqa_s08e06_raw 119 125", EP, "|")
	for (e = 1; e <= NE; e++) {
		split(EP[e], x, " ")
		EF[e] = x[1]; EQ[e] = x[2]; ER[e] = x[3]; E0[e] = x[4] + 0; E1[e] = x[5] + 0
	}

	run = 40000000
	demog = flat "/csap_s08_demog.jsonl"; evalf = flat "/csap_s08_evaluation.jsonl"
	for (p = 1; p <= n; p++) {
		uid = "avf-phone-uuid-" uuid(p)
		split(pick(OP, NOP), op, " ")
		opk = q("operator_coded") ":{\"Checked\":false,\"CodeID\":" q(op[2]) ",\"DateTimeUTC\":\"2021-03-08T07:12:33.904417+00:00\"," \
		    "\"Origin\":{\"Name\":\"Pipeline Auto-Coder\",\"OriginID\":\"/app/fetch_raw_data.py:48:label_somalia_operator\"," \
		    "\"OriginType\":\"External\"},\"SchemeID\":\"Scheme-f86cff0b\"}," q("operator_raw") ":" q(op[1]) ","
		for (m = 0; m < 4; m++) {
			e = 1 + rnd(NE)
			F = EF[e]
			text = rnd(10) ? words(4 + rnd(12)) : pick(SHORT, NSHORT)
			t0 = when(E0[e], E1[e]); t = later(t0, 20 + rnd(300)); t1 = later(t, 7)
			run++
			last_t = t; seen(ER[e], text)
			print "{" answer(EQ[e], F, text, t, run) opk run_keys(F, uid, t0, t1, run) "}" > (flat "/" F ".jsonl")
		}
		# The demographic survey, early in the season; then the evaluation, late.
		t0 = when(4, 20); run++; s = ""; t = t0
		t = later(t, 30 + rnd(60)); v = pick(LOC, NL); last_t = t; seen("location_raw", v); s = s answer("Location", "csap_s08_demog", v, t, run)
		t = later(t, 30 + rnd(60)); v = pick(G, NG); last_t = t; seen("gender_raw", v); s = s answer("Gender", "csap_s08_demog", v, t, run)
		t = later(t, 30 + rnd(60)); v = pick(AGE, NA); last_t = t; seen("age_raw", v); s = s answer("Age", "csap_s08_demog", v, t, run)
		t = later(t, 30 + rnd(60)); v = pick(DISP, ND); last_t = t; seen("recently_displaced_raw", v); s = s answer("Recently_Displaced", "csap_s08_demog", v, t, run)
		t = later(t, 30 + rnd(60)); v = pick(LIV, NLV); last_t = t; seen("livelihood_raw", v); s = s answer("Livelihood", "csap_s08_demog", v, t, run)
		t = later(t, 30 + rnd(60)); v = pick(HL, NHL); last_t = t; seen("household_language_raw", v); s = s answer("Hh_Language", "csap_s08_demog", v, t, run)
		print "{" s run_keys("csap_s08_demog", uid, t0, later(t, 7), run) "}" > demog
		t0 = when(105, 125); run++; s = ""; t = t0
		t = later(t, 30 + rnd(120)); v = pick(HV, NHV); last_t = t; seen("s08_have_voice_raw", v); s = s answer("Csap_S08_Have_Voice", "csap_s08_evaluation", v, t, run)
		t = later(t, 30 + rnd(120)); v = rnd(3) ? pick(SG, NSG) : words(5 + rnd(8)); last_t = t; seen("s08_suggestions_raw", v)
		s = s answer("Csap_S08_Suggestions", "csap_s08_evaluation", v, t, run)
		print "{" s run_keys("csap_s08_evaluation", uid, t0, later(t, 7), run) "}" > evalf
	}

	# The Coda files: about 20% of the distinct texts of each plan, coded; their SHAs in batches.
	shadir = flat "/sha"
	for (c = 1; c <= NCP; c++) {
		split(CP[c], f, "\t")
		raw = f[2]
		for (i = 1; i <= TN[raw]; i++) {
			if (rnd(5)) continue
			nsel++
			SEL_C[nsel] = c; SEL_I[nsel] = i
			printf "%s", TT[raw, i] > (shadir "/" nsel); close(shadir "/" nsel)
		}
	}
	for (b = 1; b <= nsel; b += 2000) {
		cmd = "cd \"" shadir "\" && sha256sum"
		for (i = b; i < b + 2000 && i <= nsel; i++) cmd = cmd " " i
		k = b
		while ((cmd | getline line) > 0) SHA[k++] = substr(line, 1, 64)
		close(cmd)
		if (k != i) { print "gen-sms.sh: sha256sum failed" > "/dev/stderr"; exit 1 }
	}
	for (c = 1; c <= NCP; c++) { split(CP[c], f, "\t"); FIRST[c] = 1; printf "[" > (codadir "/" f[1]) }
	for (s = 1; s <= nsel; s++) {
		c = SEL_C[s]; i = SEL_I[s]
		split(CP[c], f, "\t"); nc = split(f[4], codes, " ")
		raw = f[2]
		lab = ""
		k = (f[3] == "MULTIPLE" && rnd(3) == 0) ? 2 : 1
		c1 = 2 + rnd(nc - 1); c2 = 2 + (c1 - 1 + rnd(nc - 2 > 0 ? nc - 2 : 1) + 1) % (nc - 1)
		dt = "2021-03-0" (1 + rnd(7)) "T0" rnd(10) ":" two(rnd(60)) ":" two(rnd(60)) "." sprintf("%06d", rnd(1000000)) "+00:00"
		for (j = k; j >= 1; j--)
			lab = lab (j < k ? "," : "") "{\"SchemeID\":" q(codes[1]) ",\"CodeID\":" q(codes[j == 1 ? c1 : c2]) \
			    ",\"DateTimeUTC\":" q(dt) ",\"Checked\":true,\"Origin\":{\"OriginID\":\"coder@example.org\",\"Name\":\"Coder\",\"OriginType\":\"Manual\"}}"
		printf "%s{\"MessageID\":%s,\"Text\":%s,\"CreationDateTimeUTC\":%s,\"Labels\":[%s],\"SequenceNumber\":%d,\"LastUpdated\":%s}", \
		    (FIRST[c] ? "" : ","), q(SHA[s]), q(TT[raw, i]), q(TS[raw, i]), lab, SEQ[c]++, q(dt) > (codadir "/" f[1])
		FIRST[c] = 0
	}
	for (c = 1; c <= NCP; c++) { split(CP[c], f, "\t"); print "]" > (codadir "/" f[1]); close(codadir "/" f[1]) }
	printf "gen-sms.sh: %d participants, %d activation messages, %d coded Coda messages\n", n, 4 * n, nsel > "/dev/stderr"
}' "$flat/coda-plans.tsv" /dev/null

for f in "$flat"/*.jsonl; do
	"$TD_BIN/td-cat" --traced -u pipeline@example.org "$f" >"$out/Raw Data/${f##*/}"
done
rm -rf "$flat"
