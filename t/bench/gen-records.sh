#!/bin/sh
# gen-records.sh [N]: N distinct TracedData records shaped like the pipeline's messages, on stdout.
#
# Each record is one activation message after stage 3: the raw Rapid Pro run, the participant's survey
# answers nested under "survey_responses" (a TracedData of its own), the translated keys (uid, sent_on,
# rqa_s08e0N_raw ...), hidden source keys, message ids, auto-coded and manual labels: 20 history entries,
# newest first, about 14 KB. The SHAs are real (CoreDataModules' sha of {"data": ..., "prev_sha": ...}), so
# `td-cat --verify` passes. The JSON is written in Python's canonical form (sorted keys, ", " and ": ",
# ASCII with \uXXXX escapes), which makes each entry's Data text the very bytes the hash covers.
#
# POSIX sh + awk + sha256sum only; deterministic (a Park-Miller generator, not awk's rand).
set -eu
n=${1:-50}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

LC_ALL=C awk -v n="$n" -v tmpdir="$tmp" '
function rnd(m) { seed = (seed * 16807) % 2147483647; return seed % m }
function hex(k,   s, i) { s = ""; for (i = 0; i < k; i++) s = s substr("0123456789abcdef", rnd(16) + 1, 1); return s }
function q(s) { return "\"" s "\"" }
function two(x) { return (x < 10 ? "0" : "") x }
# A JSON object from K[1..m] and V[1..m] (keys are plain ASCII, values JSON text), keys sorted bytewise.
function obj(m,   i, j, t, s) {
	for (i = 2; i <= m; i++)
		for (j = i; j > 1 && K[j - 1] > K[j]; j--) {
			t = K[j]; K[j] = K[j - 1]; K[j - 1] = t
			t = V[j]; V[j] = V[j - 1]; V[j - 1] = t
		}
	s = "{"
	for (i = 1; i <= m; i++)
		s = s (i > 1 ? ", " : "") q(K[i]) ": " V[i]
	return s "}"
}
function kv(k, v) { K[++M] = k; V[M] = v }
function iso_now(   s) {
	clock += 1 + rnd(900000)
	s = sprintf("2021-05-13T17:%s:%s.%06d+00:00", two(int(clock / 60000000) % 60), two(int(clock / 1000000) % 60), clock % 1000000)
	return s
}
# A float Timestamp as time.time() gives and Python repr writes it (15 digits, no trailing zeros).
function float_now(   f) {
	clock += 1 + rnd(900000)
	f = sprintf("%05d", int(clock / 10) % 100000)
	sub(/0+$/, "", f)
	return "1620926731." (f == "" ? "0" : f)
}
function meta(src, as_float) {
	return "{\"Source\": " q(src) ", \"Timestamp\": " (as_float ? float_now() : q(iso_now())) \
	    ", \"User\": \"pipeline@africasvoices.org\"}"
}
# Append an entry to chain c ("s" survey, "m" message) of record r: the Data shown, the data hashed (nested
# TracedData as their SHA), the metadata and the NestedTracedData. The SHAs come later, a round at a time.
function entry(data, hashed, md, nested,   k) {
	k = ++NE[c, r]
	ED[c, r, k] = data; EH[c, r, k] = hashed; EM[c, r, k] = md; EN[c, r, k] = nested
}
# Hash entry k of the chain c of every record with one sha256sum: the chains are sequential, the records are not.
function hash_round(c, k,   i, f, cmd, line, files) {
	files = ""
	for (i = 1; i <= n; i++) {
		f = tmpdir "/" i
		printf "%s", "{\"data\": " EH[c, i, k] ", \"prev_sha\": " q(k > 1 ? SHA[c, i, k - 1] : "") "}" > f
		close(f)
		files = files " " i
	}
	cmd = "cd \"" tmpdir "\" && sha256sum" files
	i = 0
	while ((cmd | getline line) > 0)
		SHA[c, ++i, k] = substr(line, 1, 64)
	close(cmd)
	if (i != n) {
		print "gen-records.sh: sha256sum failed" > "/dev/stderr"
		exit 1
	}
}
function hash_chain(c,   k) {
	for (k = 1; k <= NE[c, 1]; k++)
		hash_round(c, k)
}
function chain(c, i,   s, k) {
	s = "["
	for (k = NE[c, i]; k >= 1; k--)
		s = s (k < NE[c, i] ? ", " : "") "{\"Data\": " ED[c, i, k] ", \"Metadata\": " EM[c, i, k] \
		    ", \"NestedTracedData\": " EN[c, i, k] ", \"SHA\": " q(SHA[c, i, k]) "}"
	return s "]"
}
function label(scheme, code, checked, manual) {
	return "{\"Checked\": " (checked ? "true" : "false") ", \"CodeID\": " q(code) ", \"DateTimeUTC\": " q(iso_now()) \
	    ", \"Origin\": {\"Name\": " q(manual ? "coder@africasvoices.org" : "Pipeline Auto-Coder") \
	    ", \"OriginID\": " q(manual ? "coda-" hex(8) : "https://github.com/AfricasVoices/Project-USAID-IBTCI/pipeline_configuration.py") \
	    ", \"OriginType\": " q(manual ? "Manual" : "External") "}, \"SchemeID\": " q(scheme) "}"
}
function words(k,   s, i) {
	s = ""
	for (i = 0; i < k; i++)
		s = s (i ? " " : "") W[rnd(NW) + 1]
	return s
}
function set1(k, v) { M = 0; kv(k, v); return obj(M) }

BEGIN {
	seed = 20210513
	NW = split("waxaan ku faraxsanahay barnaamijka nabad iyo horumar dadka beesha waxbarashada caruurta " \
	    "dowladda in ay caawiso odayaasha ayaa khibrad leh shaqo la\\u2019aan biyo caafimaad \\\"wanaagsan\\\" " \
	    "haa maya Muqdisho Baydhabo Kismaayo caf\\u00e9 gargaar nolol", W, " ")
	for (r = 1; r <= n; r++) {
		ep = 1 + (r - 1) % 6
		flow = "csap_s08e0" ep "_activation"
		Q = "Rqa_S08E0" ep
		raw = "rqa_s08e0" ep
		uid = "avf-phone-uuid-" hex(8) "-" hex(4) "-" hex(4) "-" hex(4) "-" hex(12)
		text = words(5 + rnd(30))
		run_id = 100000 + rnd(900000)
		sent_on = "2020-11-" two(1 + rnd(28)) "T" two(rnd(24)) ":" two(rnd(60)) ":" two(rnd(60)) \
		    (rnd(3) ? "" : "." sprintf("%06d", rnd(1000000))) (rnd(2) ? "+00:00" : "+03:00")
		gender = rnd(2) ? "naag" : "lab"
		age = 14 + rnd(60)
		district = W[rnd(NW) + 1]

		# The survey TracedData nested under survey_responses: its own chain.
		c = "s"
		M = 0
		kv("Gender (Text) - csap_s08_demog", q(gender)); kv("Gender (Time) - csap_s08_demog", q(sent_on))
		kv("Age (Text) - csap_s08_demog", q(age "")); kv("Age (Time) - csap_s08_demog", q(sent_on))
		kv("Location (Text) - csap_s08_demog", q(district)); kv("Location (Time) - csap_s08_demog", q(sent_on))
		kv("avf_phone_id", q(uid)); kv("urn_type", q("tel")); kv("run_id - csap_s08_demog", run_id + 7)
		d = obj(M); entry(d, d, meta("fetch_raw_data.py:95:fetch_from_rapid_pro", 0), "{}")
		M = 0
		kv("Have_Voice (Text) - csap_s08_evaluation", q(words(3))); kv("Have_Voice (Time) - csap_s08_evaluation", q(sent_on))
		kv("Suggestions (Text) - csap_s08_evaluation", q(words(6 + rnd(10)))); kv("Suggestions (Time) - csap_s08_evaluation", q(sent_on))
		d = obj(M); entry(d, d, meta("load_data.py:33:coalesce_traced_runs_by_key", 0), "{}")
		d = set1("household_language (Text) - csap_s08_demog", q("somali")); entry(d, d, meta("load_data.py:33:coalesce_traced_runs_by_key", 0), "{}")

		# The message record; entry 2 nests the survey, filled in once its SHAs are known.
		c = "m"
		M = 0
		kv(Q " (Category) - " flow, q("All Responses")); kv(Q " (Name) - " flow, q(Q)); kv(Q " (Run ID) - " flow, run_id)
		kv(Q " (Text) - " flow, q(text)); kv(Q " (Time) - " flow, q(sent_on)); kv(Q " (Value) - " flow, q(text))
		kv("avf_phone_id", q(uid)); kv("run_created_on - " flow, q(sent_on)); kv("run_exit_type - " flow, q("completed"))
		kv("run_exited_on - " flow, q(sent_on)); kv("run_id - " flow, run_id); kv("run_modified_on - " flow, q(sent_on))
		kv("urn_type", q("tel"))
		d = obj(M); entry(d, d, meta("fetch_raw_data.py:95:fetch_from_rapid_pro", 0), "{}")
		entry("{}", "", meta("traced_data.py:508:update_iterable", 1), "")
		M = 0; kv("rqa_message", q(text)); kv("show_pipeline_key", q(raw "_raw"))
		d = obj(M); entry(d, d, meta("translate_source_keys.py:40:set_show_ids", 0), "{}")
		M = 0
		kv("uid", q(uid)); kv(raw "_run_id", run_id); kv("sent_on", q(sent_on))
		kv("gender_raw", q(gender)); kv("gender_time", q(sent_on)); kv("age_raw", q(age "")); kv("age_time", q(sent_on))
		kv("location_raw", q(district)); kv("location_time", q(sent_on))
		d = obj(M); entry(d, d, meta("translate_source_keys.py:150:remap_key_names", 0), "{}")
		M = 0
		tomb = q("#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0")
		kv("avf_phone_id", tomb); kv(Q " (Run ID) - " flow, tomb); kv(Q " (Time) - " flow, tomb)
		kv("Gender (Text) - csap_s08_demog", tomb); kv("Age (Text) - csap_s08_demog", tomb); kv("Location (Text) - csap_s08_demog", tomb)
		d = obj(M); entry(d, d, meta("translate_source_keys.py:150:remap_key_names", 0), "{}")
		d = set1(raw "_raw", q(text)); entry(d, d, meta("translate_source_keys.py:170:set_rqa_raw_keys_from_show_ids", 0), "{}")
		d = set1("gender_coded", label("Scheme-12cb6f95", gender == "naag" ? "code-86a4602b" : "code-63dcde9a", 0, 0))
		entry(d, d, meta("cleaning_utils.py:93:apply_cleaner_to_traced_data_iterable", 1), "{}")
		d = set1("age_coded", label("Scheme-5e6b5a2b", "code-NC-2a3ba5e7", 0, 0))
		entry(d, d, meta("cleaning_utils.py:93:apply_cleaner_to_traced_data_iterable", 1), "{}")
		d = set1(raw "_engagement_type_coded", label("Scheme-8f5a3bd0", "code-a3c4f1ff", 0, 0))
		entry(d, d, meta("cleaning_utils.py:93:apply_cleaner_to_traced_data_iterable", 1), "{}")
		d = set1(raw "_raw_id", q(hex(64))); entry(d, d, meta("io.py:41:add_message_ids", 1), "{}")
		d = set1("gender_raw_id", q(hex(64))); entry(d, d, meta("io.py:41:add_message_ids", 1), "{}")
		d = set1("age_raw_id", q(hex(64))); entry(d, d, meta("io.py:41:add_message_ids", 1), "{}")
		d = set1("location_raw_id", q(hex(64))); entry(d, d, meta("io.py:41:add_message_ids", 1), "{}")
		d = set1(raw "_coded", "[" label("Scheme-c4a1f2e3", "code-" hex(8), 1, 1) ", " label("Scheme-c4a1f2e3", "code-" hex(8), 1, 1) "]")
		entry(d, d, meta("io.py:326:import_coda_2_to_traced_data_iterable_multi_coded", 0), "{}")
		d = set1(raw "_raw_correct_dataset", label("Scheme-fffffc6e", "code-NC-" hex(8), 1, 1))
		entry(d, d, meta("io.py:259:import_coda_2_to_traced_data_iterable", 0), "{}")
		d = set1("gender_raw_correct_dataset", label("Scheme-fffffc6e", "code-NC-" hex(8), 1, 1))
		entry(d, d, meta("io.py:259:import_coda_2_to_traced_data_iterable", 0), "{}")
		d = set1("age_category_coded", label("Scheme-7a1d39ec", "code-" hex(8), 1, 0))
		entry(d, d, meta("apply_manual_codes.py:120:impute_age_category", 1), "{}")
		M = 0
		kv("district_coded", label("Scheme-ee12f3a1", "code-" hex(8), 1, 1)); kv("mogadishu_sub_district_coded", label("Scheme-a81ac1e8", "code-NA-" hex(8), 1, 0))
		kv("region_coded", label("Scheme-c0a11e4f", "code-" hex(8), 1, 0)); kv("state_coded", label("Scheme-a3d1f47c", "code-" hex(8), 1, 0))
		kv("zone_coded", label("Scheme-e7d1c1a3", "code-NC-" hex(8), 1, 0))
		d = obj(M); entry(d, d, meta("code_imputation_functions.py:105:impute_somalia_location_codes", 1), "{}")
		d = set1(raw "_coded", "[" label("Scheme-c4a1f2e3", "code-" hex(8), 1, 1) "]")
		entry(d, d, meta("apply_manual_codes.py:160:apply_manual_codes", 1), "{}")
		d = set1("consent_withdrawn", q("false")); entry(d, d, meta("consent_utils.py:52:determine_consent_withdrawn", 1), "{}")
	}
	hash_chain("s")
	for (r = 1; r <= n; r++) {
		EH["m", r, 2] = set1("survey_responses", q(SHA["s", r, NE["s", r]]))
		EN["m", r, 2] = "{\"survey_responses\": " chain("s", r) "}"
	}
	hash_chain("m")
	for (r = 1; r <= n; r++)
		print chain("m", r)
}'
