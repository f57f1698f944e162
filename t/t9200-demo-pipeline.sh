#!/bin/sh
# make demo: the whole pipeline end to end (run_pipeline.sh: Coda get, fetch, outputs, Coda add, analysis,
# graphs, backup, logs) on examples/demo, offline.

. "$(dirname "$0")/test-lib.sh"
require_prog jq
require_prog gnuplot

test_expect_success 'examples/demo/run.sh runs every stage' '
	TD_DEMO_OUT=$TRASH/out sh "$EXAMPLES/demo/run.sh" >out.txt 2>err.txt &&
	grep -q "^run_pipeline.sh: run .* done$" out.txt
'

test_expect_success 'the summary counts every stage' '
	sed -n "s/^  \([1-7] [a-z ]*[a-z]\) .*/\1/p" out.txt >stages &&
	printf "%s\n" "1 coda get" "2 fetch" "3 outputs" "4 coda add" "5 analysis" "6 backup" "7 upload logs" >expect &&
	test_cmp expect stages &&
	grep -q "^  3 outputs .* 22 messages, 12 participants, 4 Coda files$" out.txt
'

test_expect_success 'the data root holds every stage'"'"'s outputs' '
	r=out/demo &&
	for f in "Raw Data/demo_e01_activation.jsonl" "Coded Coda Files/demo_rqa_e01.json" Outputs/production.csv \
	    Outputs/messages.csv Outputs/individuals.csv "Outputs/Coda Files/demo_rqa_e01.json" \
	    "Outputs/Automated Analysis/engagement_counts.csv" "Outputs/Automated Analysis/graphs/messages_per_week.png" "Outputs/Automated Analysis/maps/regions/regions_total_participants.png"; do
		test -s "$r/$f" || { echo "missing: $f" >&2; return 1; }
	done
'

test_expect_success 'events: start, stage 7, end of one run, in order, under one run id' '
	jq -r .event out/demo-logs/pipeline_logs.jsonl >events &&
	printf "%s\n" PipelineRunStart UploadingLogFiles PipelineRunEnd >expect && test_cmp expect events &&
	jq -r .run_id out/demo-logs/pipeline_logs.jsonl | sort -u | wc -l >n && echo 1 >expect && test_cmp expect n
'

test_expect_success 'the backup verifies, and holds no phone number or token' '
	a=$(ls out/demo-backups/data-*.tar.gz) && td-backup -q --verify out/demo "$a" &&
	mkdir x && tar -xzf "$a" -C x && ! grep -r -e 25261000 -e demo-token x
'

test_expect_success 'a second run on the same data root: Coda add finds nothing new, outputs are the same' '
	cp out/demo/Outputs/production.csv production.first &&
	cfg=out/demo-private/config.json &&
	"$TOP/scripts/run_pipeline.sh" -q demo "$cfg" dir:out/demo-coda dir:out/demo-coda - out/demo out/demo-backups out/demo-logs &&
	test_cmp production.first out/demo/Outputs/production.csv &&
	test "$(ls out/demo-backups | wc -l)" -ge 1
'

test_expect_code 1 'the data root is locked during a run' '
	exec 9<out/demo && flock -n 9 &&
	"$TOP/scripts/run_pipeline.sh" -q demo out/demo-private/config.json dir:out/demo-coda dir:out/demo-coda - \
	    out/demo out/demo-backups out/demo-logs 2>lock.err
'
test_expect_success '... with a clear message' '
	grep -q "^run_pipeline.sh: .*out/demo: another pipeline run holds this data root$" lock.err
'

test_expect_success 'a failing stage logs PipelineRunFailed and names the stage' '
	cp out/demo-private/config.json bad.json && jq ".RawDataSources[0].Domain = \"file:///nonexistent\"" bad.json >bad2.json &&
	! "$TOP/scripts/run_pipeline.sh" -q demo bad2.json dir:out/demo-coda dir:out/demo-coda - out/demo out/demo-backups out/demo-logs 2>fail.err &&
	grep -q "^run_pipeline.sh: stage 2 fetch failed (exit [0-9]*); run " fail.err &&
	jq -r .event out/demo-logs/pipeline_logs.jsonl | tail -1 >last && echo PipelineRunFailed >expect && test_cmp expect last
'

test_done
