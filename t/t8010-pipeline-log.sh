#!/bin/sh
# pipeline-log: pipeline events as the reference's log_pipeline_event (pipeline.md §7.3), to a local JSONL file.

. "$(dirname "$0")/test-lib.sh"

require_shared
require_prog jq

CONFIG=$SHARED/ibtci/configuration/sms_pipeline_config.json
RUN=2021-05-13T17:25:31Z-0.1.0
TS=2020-09-13T12:26:40.000000+00:00

test_expect_success 'an event is one JSON line: event, pipeline_name, run_id, timestamp (keys sorted)' '
	pipeline-log -c "$CONFIG" -o logs/pipeline.jsonl "$RUN" PipelineRunStart >out 2>err &&
	test_cmp /dev/null out &&
	test_cmp /dev/null err &&
	cat >expect <<-EOF &&
	{"event": "PipelineRunStart", "pipeline_name": "USAID-IBTCI-SMS", "run_id": "$RUN", "timestamp": "$TS"}
	EOF
	test_cmp expect logs/pipeline.jsonl
'

test_expect_success 'events are appended; the timestamp is the clock now, as the reference (UTC, microseconds)' '
	SOURCE_DATE_EPOCH=1600000123 pipeline-log -c "$CONFIG" -o logs/pipeline.jsonl "$RUN" GeneratingOutputs &&
	SOURCE_DATE_EPOCH=1600000456 pipeline-log -c "$CONFIG" -o logs/pipeline.jsonl "$RUN" PipelineRunEnd &&
	jq -r "[.event, .timestamp] | join(\" \")" logs/pipeline.jsonl >actual &&
	cat >expect <<-EOF &&
	PipelineRunStart $TS
	GeneratingOutputs 2020-09-13T12:28:43.000000+00:00
	PipelineRunEnd 2020-09-13T12:34:16.000000+00:00
	EOF
	test_cmp expect actual
'

test_expect_success 'the log file is the config'"'"'s OperationsDashboard.FileURL (relative to the config, file:// allowed)' '
	mkdir -p cfg &&
	jq ".OperationsDashboard.FileURL = \"file://logs/ops.jsonl\"" "$CONFIG" >cfg/config.json &&
	pipeline-log -c cfg/config.json "$RUN" PipelineRunFailed &&
	jq -r .event cfg/logs/ops.jsonl >actual &&
	echo PipelineRunFailed >expect &&
	test_cmp expect actual
'

test_expect_success '-o wins over the config'"'"'s FileURL' '
	pipeline-log -c cfg/config.json -o other.jsonl "$RUN" BackingUpData &&
	jq -r .event other.jsonl >actual &&
	echo BackingUpData >expect &&
	test_cmp expect actual &&
	test "$(wc -l <cfg/logs/ops.jsonl)" = 1
'

test_expect_success 'the pipeline name comes from the config' '
	pipeline-log -c "$SHARED/ibtci/configuration/facebook_pipeline_config.json" -o fb.jsonl "$RUN" CodaGet &&
	jq -r .pipeline_name fb.jsonl >actual &&
	echo USAID-IBTCI-Facebook >expect &&
	test_cmp expect actual
'

test_expect_success 'every reference event and PipelineRunFailed is accepted' '
	for ev in PipelineRunStart CodaAdd FetchingRawData GeneratingOutputs CodaGet GeneratingAutomatedAnalysisFiles \
		BackingUpData UploadingAnalysisFiles UploadingLogFiles PipelineRunEnd PipelineRunFailed; do
		pipeline-log -c "$CONFIG" -o all.jsonl "$RUN" $ev || return 1
	done &&
	test "$(jq -r .event all.jsonl | sort -u | wc -l)" = 11
'

test_expect_success '--dry-run prints the line and writes nothing; -v says where it would go' '
	pipeline-log --dry-run -v -c "$CONFIG" -o dry/log.jsonl "$RUN" PipelineRunEnd >out 2>err &&
	cat >expect <<-EOF &&
	{"event": "PipelineRunEnd", "pipeline_name": "USAID-IBTCI-SMS", "run_id": "$RUN", "timestamp": "$TS"}
	EOF
	test_cmp expect out &&
	echo "pipeline-log: dry run: would append to dry/log.jsonl" >expect &&
	test_cmp expect err &&
	test ! -e dry
'

test_expect_success 'a run id with quotes and non-ASCII is JSON-escaped as Python json.dumps does' '
	pipeline-log -c "$CONFIG" -o esc.jsonl "r\"1 \\\\ $(printf "\303\251")" PipelineRunStart &&
	cat >expect <<-EOF &&
	{"event": "PipelineRunStart", "pipeline_name": "USAID-IBTCI-SMS", "run_id": "r\\"1 \\\\\\\\ \\u00e9", "timestamp": "$TS"}
	EOF
	test_cmp expect esc.jsonl
'

test_expect_success 'concurrent loggers never interleave: 20 writers, 20 whole lines' '
	for i in $(seq 1 20); do
		pipeline-log -c "$CONFIG" -o many.jsonl "run-$i" GeneratingOutputs &
	done &&
	wait &&
	jq -r .run_id many.jsonl | sort >actual &&
	seq 1 20 | sed "s/^/run-/" | sort >expect &&
	test_cmp expect actual
'

test_expect_code 64 'an unknown event: 64, nothing written' '
	pipeline-log -c "$CONFIG" -o bad.jsonl "$RUN" PipelineRunStarted 2>err
	rc=$? &&
	echo "pipeline-log: PipelineRunStarted: unknown event (expected PipelineRunStart, PipelineRunEnd, PipelineRunFailed, CodaGet, FetchingRawData, GeneratingOutputs, CodaAdd, GeneratingAutomatedAnalysisFiles, BackingUpData, UploadingAnalysisFiles or UploadingLogFiles)" >expect &&
	test_cmp expect err &&
	test ! -e bad.jsonl &&
	exit $rc
'

test_expect_code 64 'an empty run id: 64' '
	pipeline-log -c "$CONFIG" -o bad.jsonl "" PipelineRunStart
'

test_expect_code 64 'no config: 64' '
	pipeline-log -o bad.jsonl "$RUN" PipelineRunStart
'

test_expect_code 78 'no destination: 78, with what to give' '
	pipeline-log -c "$CONFIG" "$RUN" PipelineRunStart 2>err
	rc=$? &&
	echo "pipeline-log: $CONFIG: nowhere to log: give -o FILE or --credentials FILE, or set OperationsDashboard.FileURL" >expect &&
	test_cmp expect err &&
	exit $rc
'

test_expect_code 78 'credentials "-" count as none' '
	pipeline-log -c "$CONFIG" --credentials - "$RUN" PipelineRunStart
'

test_expect_code 78 'a FileURL that is not a string: 78' '
	jq ".OperationsDashboard.FileURL = 3" "$CONFIG" >badcfg.json &&
	pipeline-log -c badcfg.json "$RUN" PipelineRunStart
'

test_expect_code 66 'a missing config: 66' '
	pipeline-log -c nowhere.json -o x.jsonl "$RUN" PipelineRunStart
'

test_expect_code 73 'a log that cannot be created: 73' '
	: >afile &&
	pipeline-log -c "$CONFIG" -o afile/log.jsonl "$RUN" PipelineRunStart
'

test_done
