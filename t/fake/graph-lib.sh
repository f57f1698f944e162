# graph-lib.sh: start t/fake/graph.py from a test (sourced after test-lib.sh).
#
#   start_graph DATA.json [graph.py options...]   starts the fake (at the top level of the test, not inside
#                                                  test_expect_*: it exits when its parent does); sets GRAPH_URL
#   graph_config IN OUT                            IN with every Facebook source's GraphAPIBaseURL = GRAPH_URL
#
# Each start gets its own port file and request log (graph.log, truncated on start).

graph_n=0
start_graph() {
	graph_n=$((graph_n + 1))
	data=$1
	shift
	rm -f "graph.port.$graph_n"
	: >graph.log
	python3 "$T_DIR/fake/graph.py" --data "$data" --port-file "graph.port.$graph_n" --log graph.log \
		--idle 60 "$@" </dev/null >/dev/null 2>graph.err &
	GRAPH_PID=$!
	for _ in $(seq 100); do
		[ -s "graph.port.$graph_n" ] && break
		sleep 0.05
	done
	[ -s "graph.port.$graph_n" ] || { cat graph.err >&2; return 1; }
	GRAPH_URL="http://127.0.0.1:$(cat "graph.port.$graph_n")/v8.0"
}

stop_graph() {
	[ -n "${GRAPH_PID:-}" ] && kill "$GRAPH_PID" 2>/dev/null
	wait "$GRAPH_PID" 2>/dev/null
	GRAPH_PID=
	return 0
}

graph_config() {
	jq --arg u "$GRAPH_URL" '.RawDataSources |= map(if .SourceType == "Facebook" then
		. + {GraphAPIBaseURL: $u} else . end)' "$1" >"$2"
}
