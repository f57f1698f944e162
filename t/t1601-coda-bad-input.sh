#!/bin/sh
# Bad Coda input for coda-merge and ws-correct (the readers of coded Coda files) and a bad plan for coda-export:
# a label without Checked, an unknown SchemeID, a duplicate MessageID, a code id not in its scheme (all 65,
# naming the file and the JSON path), a string LastUpdated (accepted and ignored), a plan naming a missing
# scheme (78). Every failure comes before the first record is written, and no file is changed.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq
require_prog sha256sum

FX=$SHARED/cdm-fixtures
S=$SHARED/ibtci/code_schemes
GENDER=Scheme-12cb6f95
MSG=Scheme-c4855fcb
WSS=Scheme-fffffc6e
E01=Scheme-3d61135f
E01_THEME=code-ec7f3f0e
FEMALE=code-86a4602c

sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
# label SCHEME CODE [CHECKED]: CHECKED "none" leaves the key out
label() {
	if [ "${3:-true}" = none ]; then
		printf '{"SchemeID": "%s", "CodeID": "%s", "DateTimeUTC": "2021-01-01T00:00:00.000Z", "Origin": {"OriginID": "coder@example.org", "Name": "coder", "OriginType": "Manual"}}' "$1" "$2"
	else
		printf '{"SchemeID": "%s", "CodeID": "%s", "DateTimeUTC": "2021-01-01T00:00:00.000Z", "Checked": %s, "Origin": {"OriginID": "coder@example.org", "Name": "coder", "OriginType": "Manual"}}' "$1" "$2" "${3:-true}"
	fi
}
# message TEXT [LABEL ...]: one Coda message (TEXT holds no quote or backslash)
message() {
	text=$1
	shift
	labels=$(IFS=,; printf '%s' "$*")
	printf '{"MessageID": "%s", "Text": "%s", "CreationDateTimeUTC": "2020-11-01T00:00:00+00:00", "Labels": [%s]}\n' \
		"$(sha "$text")" "$text" "$labels"
}
# coda_file MESSAGE...: a JSON array, as Coda's get.py writes it
coda_file() { printf '%s\n' "$@" | jq -s '.'; }
# snapshot DIR: every file under DIR with its bytes, to compare before and after a run
snapshot() { find "$1" -type f | sort | while IFS= read -r f; do printf '%s ' "$f"; sha256sum <"$f"; done; }

# ---- coda-merge: the fixture schemes, a gender plan and a multi-coded plan ----

mkdir schemes
ln -s "$FX/coda_2_gender_scheme.json" "$FX/coda_2_msg_scheme.json" schemes/
cat >plans.json <<'EOF'
{"RQACodingPlans": [
  {"RawField": "msg_raw", "TimeField": "sent_on", "CodaFilename": "msg.json", "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [{"CodedField": "msg_coded", "CodingMode": "MULTIPLE", "CodeScheme": "coda_2_msg_scheme.json", "FoldStrategy": "list_of_labels"}]}],
 "DemogCodingPlans": [
  {"RawField": "gender_raw", "TimeField": "gender_time", "CodaFilename": "gender.json", "RawFieldFoldStrategy": "assert_equal",
   "CodingConfigurations": [{"CodedField": "gender_coded", "CodingMode": "SINGLE", "CodeScheme": "coda_2_gender_scheme.json", "FoldStrategy": "assert_label_ids_equal"}]}]}
EOF
jq --arg plans "$PWD/plans.json" --arg schemes "$PWD/schemes" '. + {CodingPlans: $plans, CodeSchemesDir: $schemes}' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >cfg.json

# Records with the message ids coda-merge reads ("<raw>_id").
for t in woman man; do
	jq -n -c --arg t "$t" --arg id "$(sha "$t")" '{gender_raw: $t, gender_raw_id: $id, gender_time: "2020-11-01T00:00:00Z"}'
done >in.jsonl
jq -n -c --arg id "$(sha food)" '{msg_raw: "food", msg_raw_id: $id, sent_on: "2020-11-01T00:00:00Z"}' >>in.jsonl

mkdir good
coda_file "$(message woman "$(label $GENDER $FEMALE)")" >good/gender.json
cp "$FX/coda_2_import_test_multi_coded.json" good/msg.json

test_expect_success 'the good files: coda-merge imports them' '
	coda-merge -c cfg.json --coded-dir good in.jsonl >good.jsonl &&
	jq -r "if .msg_raw then .msg_coded | map(.CodeID) | join(\",\") else .gender_coded.CodeID end" good.jsonl >actual &&
	printf "%s\n" $FEMALE code-NR-5e3eee23 code-b8e40cba >expect &&
	test_cmp expect actual
'

# bad NAME GENDER-FILE-TEXT: a coded dir NAME with the good msg.json and this gender.json
bad() {
	mkdir "$1" && cp good/msg.json "$1/" && printf '%s\n' "$2" >"$1/gender.json"
}
# merge_fails DIR MESSAGE: coda-merge exits 65 with exactly "coda-merge: MESSAGE", writes no record and changes
# no file of DIR
merge_fails() {
	snapshot "$1" >before &&
	{ coda-merge -c cfg.json --coded-dir "$1" in.jsonl >out 2>err; test $? = 65; } &&
	printf 'coda-merge: %s\n' "$2" >expect-err &&
	test_cmp expect-err err &&
	test_cmp /dev/null out &&
	snapshot "$1" >after &&
	test_cmp before after
}

test_expect_success 'a label without Checked: 65, file and JSON path, nothing written' '
	bad nocheck "$(coda_file "$(message man)" "$(message woman "$(label $GENDER $FEMALE none)")")" &&
	merge_fails nocheck "nocheck/gender.json: [1].Labels[0].Checked: missing (expected true or false)"
'

test_expect_success 'a null Checked is a label present and unchecked: NR' '
	bad nullcheck "$(coda_file "$(message woman "$(label $GENDER $FEMALE null)")")" &&
	coda-merge -c cfg.json --coded-dir nullcheck in.jsonl | head -1 | jq -r .gender_coded.CodeID >actual &&
	echo code-NR-5e3eee23 >expect &&
	test_cmp expect actual
'

test_expect_success 'an unknown SchemeID: 65, naming it and where it is' '
	bad unknownscheme "$(coda_file "$(message woman "$(label $GENDER $FEMALE)" "$(label Scheme-nonesuch $FEMALE)")")" &&
	merge_fails unknownscheme "unknownscheme/gender.json: [0].Labels[1].SchemeID: unknown SchemeID '"'"'Scheme-nonesuch'"'"' (no scheme imported from this file has it or is a prefix of it)"
'

test_expect_success 'a duplicated column ("<SchemeID>-1") is no unknown scheme' '
	bad dupcolumn "$(coda_file "$(message woman "$(label $GENDER-1 $FEMALE)")")" &&
	coda-merge -c cfg.json --coded-dir dupcolumn in.jsonl | head -1 | jq -r .gender_coded.CodeID >actual &&
	echo $FEMALE >expect &&
	test_cmp expect actual
'

test_expect_success 'a duplicate MessageID: 65, naming the id, never the text' '
	bad dupid "$(coda_file "$(message woman "$(label $GENDER $FEMALE)")" "$(message man)" "$(message woman)")" &&
	merge_fails dupid "dupid/gender.json: [2].MessageID: duplicate MessageID '"'"'$(sha woman)'"'"' (first at [0])" &&
	! grep woman err
'

test_expect_success 'a code id not in the scheme: 65, naming the code, the scheme and where' '
	bad badcode "$(coda_file "$(message man)" "$(message woman "$(label $GENDER code-nonesuch)")")" &&
	merge_fails badcode "badcode/gender.json: [1].Labels[0].CodeID: unknown code id '"'"'code-nonesuch'"'"' (not in scheme $GENDER, $PWD/schemes/coda_2_gender_scheme.json)"
'

test_expect_success 'the multi-coded file is checked as well, whichever file is bad' '
	mkdir badmulti && cp good/gender.json badmulti/ &&
	jq ".[0].Labels[0].CodeID = \"code-nonesuch\"" good/msg.json >badmulti/msg.json &&
	snapshot badmulti >before &&
	{ coda-merge -c cfg.json --coded-dir badmulti in.jsonl >out 2>err; test $? = 65; } &&
	grep "^coda-merge: badmulti/msg.json: \[0\].Labels\[0\].CodeID: unknown code id .code-nonesuch. (not in scheme $MSG, " err &&
	test_cmp /dev/null out &&
	snapshot badmulti >after &&
	test_cmp before after
'

test_expect_success 'a string LastUpdated (Coda get.py) and a SequenceNumber are accepted and ignored' '
	mkdir lastupdated && cp good/msg.json lastupdated/ &&
	jq ".[] += {LastUpdated: \"2021-01-01T00:00:00.123456+00:00\", SequenceNumber: 7}" good/gender.json \
		>lastupdated/gender.json &&
	grep -q "\"LastUpdated\": \"2021" lastupdated/gender.json &&
	coda-merge -c cfg.json --coded-dir lastupdated in.jsonl >lu.jsonl &&
	jq -c "del(.gender_coded.DateTimeUTC, .msg_coded)" good.jsonl >expect &&
	jq -c "del(.gender_coded.DateTimeUTC, .msg_coded)" lu.jsonl >actual &&
	test_cmp expect actual
'

test_expect_success 'a plan naming a missing scheme: coda-merge 78, nothing written' '
	jq ".DemogCodingPlans[0].CodingConfigurations[0].CodeScheme = \"nonesuch.json\"" plans.json >plans-missing.json &&
	jq --arg p "$PWD/plans-missing.json" ".CodingPlans = \$p" cfg.json >cfg-missing.json &&
	{ coda-merge -c cfg-missing.json --coded-dir good in.jsonl >out 2>err; test $? = 78; } &&
	grep "^coda-merge: .*nonesuch.json" err &&
	test_cmp /dev/null out
'

# ---- ws-correct: one RQA plan with the real schemes and the WS - Correct Dataset scheme ----

cat >ws-plans.json <<'EOF'
{"WSCorrectDatasetScheme": "ws_correct_dataset.json",
 "RQACodingPlans": [
  {"RawField": "rqa_s08e01_raw", "TimeField": "sent_on", "CodaFilename": "e01.json", "WSCode": "s08e01",
   "RawFieldFoldStrategy": "concatenate",
   "CodingConfigurations": [{"CodedField": "rqa_s08e01_coded", "CodingMode": "MULTIPLE", "CodeScheme": "rqa_s08e01.json", "FoldStrategy": "list_of_labels"}]}]}
EOF
jq --arg plans "$PWD/ws-plans.json" --arg schemes "$S" '. + {CodingPlans: $plans, CodeSchemesDir: $schemes}' \
	"$SHARED/ibtci/configuration/sms_pipeline_config.json" >ws-cfg.json
printf '%s\n' '{"uid": "u1", "sent_on": "2020-11-03T10:00:00+00:00", "rqa_s08e01_raw": "hello"}' >ws-in.jsonl

# ws_fails FILE-TEXT MESSAGE: ws-correct exits 65 with exactly "ws-correct: MESSAGE", writes no record, changes no file
ws_fails() {
	rm -rf wsbad && mkdir wsbad && printf '%s\n' "$1" >wsbad/e01.json &&
	snapshot wsbad >before &&
	{ ws-correct -c ws-cfg.json --coded-dir wsbad ws-in.jsonl >out 2>err; test $? = 65; } &&
	printf 'ws-correct: %s\n' "$2" >expect-err &&
	test_cmp expect-err err &&
	test_cmp /dev/null out &&
	snapshot wsbad >after &&
	test_cmp before after
}

test_expect_success 'ws-correct: the good file passes the record through' '
	mkdir wsgood &&
	coda_file "$(message hello "$(label $E01 $E01_THEME)" "$(label $WSS code-NC-42f1d983)")" >wsgood/e01.json &&
	ws-correct -c ws-cfg.json --coded-dir wsgood ws-in.jsonl >out &&
	test "$(wc -l <out)" = 1
'

test_expect_success 'ws-correct: a label without Checked: 65, nothing written' '
	ws_fails "$(coda_file "$(message hello "$(label $E01 $E01_THEME none)")")" \
		"wsbad/e01.json: [0].Labels[0].Checked: missing (expected true or false)"
'

test_expect_success 'ws-correct: an unknown SchemeID: 65' '
	ws_fails "$(coda_file "$(message hello "$(label $GENDER code-86a4602c)")")" \
		"wsbad/e01.json: [0].Labels[0].SchemeID: unknown SchemeID '"'"'$GENDER'"'"' (no scheme imported from this file has it or is a prefix of it)"
'

test_expect_success 'ws-correct: a duplicate MessageID: 65' '
	ws_fails "$(coda_file "$(message hello)" "$(message hello)")" \
		"wsbad/e01.json: [1].MessageID: duplicate MessageID '"'"'$(sha hello)'"'"' (first at [0])"
'

test_expect_success 'ws-correct: a code id not in the scheme: 65' '
	ws_fails "$(coda_file "$(message hello "$(label $WSS $E01_THEME)")")" \
		"wsbad/e01.json: [0].Labels[0].CodeID: unknown code id '"'"'$E01_THEME'"'"' (not in scheme $WSS, $S/ws_correct_dataset.json)"
'

test_expect_success 'ws-correct: a plan naming a missing scheme: 78, nothing written' '
	jq ".RQACodingPlans[0].CodingConfigurations[0].CodeScheme = \"nonesuch.json\"" ws-plans.json >ws-plans-missing.json &&
	jq --arg p "$PWD/ws-plans-missing.json" ".CodingPlans = \$p" ws-cfg.json >ws-cfg-missing.json &&
	{ ws-correct -c ws-cfg-missing.json --coded-dir wsgood ws-in.jsonl >out 2>err; test $? = 78; } &&
	grep "^ws-correct: .*nonesuch.json" err &&
	test_cmp /dev/null out
'

# ---- coda-export: a plan naming a missing scheme ----

test_expect_success 'coda-export: a plan naming a missing scheme: 78, no output file changed or added' '
	coda-export -p plans.json -s schemes -d outdir in.jsonl &&
	snapshot outdir >before &&
	ls -A outdir >before-ls &&
	{ coda-export -p plans-missing.json -s schemes -d outdir in.jsonl 2>err; test $? = 78; } &&
	grep "^coda-export: .*nonesuch.json" err &&
	snapshot outdir >after &&
	test_cmp before after &&
	ls -A outdir >after-ls &&
	test_cmp before-ls after-ls
'

test_done
