# The sms-5k round trip through stages 4, 1 and 3 (sourced by t6003 and t6005 after they set):
#   STORE           the store argument (dir:PATH or a service-account key file)
#   LABEL_STORE     where t/coda-label.py labels (the directory, or the Firestore fake's URL)
#   store_snapshot  a function printing the store's whole state (to see that nothing changed)
test_expect_success 'setup: a data root with the golden Coda files to add' '
	mkdir -p root/Outputs &&
	cp -R "$G/Outputs/Coda Files" root/Outputs/ &&
	chmod -R u+w root
'

test_expect_large 'stage 4: every dataset of the plans gets its schemes and messages' '
	"$stage4" -v "$STORE" sms.json root 2>err &&
	grep -c "added [0-9]* messages" err >n && echo 15 >expect && test_cmp expect n &&
	grep "^coda-add: USAID_IBTCI_rqa_s08e01: added 652 messages (SequenceNumber 0 to 651), skipped 0 already there; 1 segment (0 new)$" err &&
	grep "^coda-add: CSAP_location: added 6 code schemes, skipped 0 already there$" err &&
	for f in "$G/Outputs/Coda Files"/*.json; do
		d=$(basename "$f" .json) &&
		coda-get "$STORE" "$d" | jq -c "map(del(.LastUpdated, .SequenceNumber)) | sort_by(.MessageID)" >a &&
		jq -c "sort_by(.MessageID)" "$f" >b &&
		test_cmp b a || return 1
	done
'

test_expect_large 'stage 4 again adds nothing; --dry-run says so' '
	store_snapshot >before &&
	"$stage4" -q "$STORE" sms.json root &&
	"$stage4" --dry-run "$STORE" sms.json root >out &&
	grep -c ": would add 0 messages, skip" out >n && echo 15 >expect && test_cmp expect n &&
	store_snapshot >after &&
	test_cmp before after
'

test_expect_large 'coders label; stage 1 brings every coded file down, labels as the coders left them' '
	for f in "$G/Coded Coda Files"/*.json; do
		python3 "$T_DIR/coda-label.py" "$LABEL_STORE" "$(basename "$f" .json)" "$f" || return 1
	done >labelled &&
	! grep -v " 0 not in the store" labelled &&
	"$stage1" -q "$STORE" sms.json root &&
	ls "root/Coded Coda Files" >actual &&
	ls "$G/Outputs/Coda Files" >expect &&
	test_cmp expect actual &&
	for f in "$G/Coded Coda Files"/*.json; do
		b=$(basename "$f") &&
		jq -c "map({(.MessageID): .Labels}) | add" "$f" >want &&
		jq -c --slurpfile w want "map(select(\$w[0][.MessageID] != null) | {(.MessageID): .Labels}) | add" \
			"root/Coded Coda Files/$b" >got &&
		jq -S . want >want.s && jq -S . got >got.s &&
		test_cmp want.s got.s || return 1
	done
'

test_expect_large 'the coded files are what get.py prints (json.dumps indent 2, keys sorted) and ordered by SequenceNumber' '
	f="root/Coded Coda Files/USAID_IBTCI_rqa_s08e01.json" &&
	python3 -c "import json, sys; print(json.dumps(json.load(open(sys.argv[1])), indent=2, sort_keys=True))" \
		"$f" >expect &&
	test_cmp expect "$f" &&
	jq -c "map(.SequenceNumber) == [range(652)]" "$f" >actual &&
	echo true >expect && test_cmp expect actual
'

test_expect_large 'stage 1 again (incremental) gives the same files' '
	cp -R "root/Coded Coda Files" coded-before &&
	"$stage1" -q "$STORE" sms.json root &&
	for f in coded-before/*.json; do test_cmp "$f" "root/Coded Coda Files/${f##*/}" || return 1; done
'

test_expect_large 'stage 3 on the downloaded coded files: coda-merge applies the labels, the reference'"'"'s CSVs' '
	mkdir r3 &&
	cp -R "$G/Raw Data" "root/Coded Coda Files" r3/ &&
	"$stage3" -q tester - sms.json r3 &&
	for f in production.csv messages.csv individuals.csv; do
		test_cmp "$G/Outputs/$f" "r3/Outputs/$f" || return 1
	done
'

test_expect_success 'stage scripts: usage 64, a missing data root or Coda files 66' '
	{ "$stage1" 2>err; test $? = 64; } &&
	{ "$stage4" "$STORE" sms.json 2>err; test $? = 64; } &&
	{ "$stage1" "$STORE" sms.json nowhere 2>err; test $? = 66; } &&
	echo "1_coda_get.sh: nowhere: no such data root" >expect &&
	test_cmp expect err &&
	{ "$stage4" "$STORE" sms.json nowhere 2>err; test $? = 66; } &&
	echo "4_coda_add.sh: nowhere/Outputs/Coda Files: no Coda files (run stage 3 first)" >expect &&
	test_cmp expect err
'

