#!/bin/sh
# rp-convert.sh [RUNS] [CONTACTS]: rp-fetch's conversion speed and peak memory. A synthetic Rapid Pro workspace of
# RUNS runs (default 1,000,000) of one activation flow by CONTACTS contacts (default 100,000) is written once as a
# file:// directory of API pages (t/bench/data/rp-RUNS-CONTACTS/, 1,000 runs or contacts a page), then a first fetch reads every page,
# de-identifies the contacts (a fresh UUID table), writes the runs cache, the log and one TracedData record per run
# with its operator label. Printed with GNU time: elapsed, user and system seconds, and peak RSS (the machine's load shows in the
# elapsed time; user + system is the work). Timings are printed, never checked.
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
TD_BIN=${TD_BIN:-$TOP/bin}
RUNS=${1:-1000000}
CONTACTS=${2:-100000}
DATA=$TOP/t/bench/data/rp-$RUNS-$CONTACTS
export LC_ALL=C TD_USER=bench@tdtools SOURCE_DATE_EPOCH=1600000000

die() { printf 'rp-convert: %s\n' "$*" >&2; exit 1; }
[ -x "$TD_BIN/rp-fetch" ] || die "$TD_BIN/rp-fetch is missing (run make first)"
command -v python3 >/dev/null || die "python3 is needed to generate the pages"

stamp="$(cksum <"$0" | tr ' ' '-')"
if [ "$(cat "$DATA/stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "rp-convert: generating $RUNS runs of $CONTACTS contacts as API pages in $DATA ..."
	rm -rf "$DATA" && mkdir -p "$DATA/api" || die "cannot create $DATA"
	python3 - "$DATA/api" "$RUNS" "$CONTACTS" <<'PYEOF' || die "generation failed"
import json, random, sys
out, runs, contacts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
flow = "8f1f7a2e-1111-4c3b-9d2e-5a6b7c8d9e0f"
json.dump({"uuid": "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d", "name": "Bench Workspace"}, open(out + "/org.json", "w"))
json.dump([{"uuid": flow, "name": "bench_e01_activation", "created_on": "2021-01-01T00:00:00.000000Z"}],
          open(out + "/flows.json", "w"))
prefixes = ["25261", "25262", "25263", "25265", "25268", "25290"]
cuuid = ["%08x-%04x-4%03x-8%03x-%012x" % (i, i % 65536, i % 4096, i % 4096, i) for i in range(contacts)]
cpages = (contacts + 999) // 1000
for p in range(cpages):
  name = "contacts.json" if p == 0 else "contacts-%d.json" % (p + 1)
  nxt = '"contacts-%d.json"' % (p + 2) if p + 1 < cpages else "null"
  with open(out + "/" + name, "w") as f:
    f.write('{"next": %s, "previous": null, "results": [' % nxt)
    for i in range(p * 1000, min(contacts, p * 1000 + 1000)):
        if i > p * 1000:
            f.write(", ")
        f.write(json.dumps({"uuid": cuuid[i], "name": None, "language": "som",
                            "urns": ["tel:+%s%07d" % (prefixes[i % len(prefixes)], i)], "groups": [],
                            "fields": {"gender": None, "age": None}, "blocked": False, "stopped": False,
                            "created_on": "2020-06-01T00:00:00.000000Z", "modified_on": "2020-06-02T00:00:00.000000Z"}))
    f.write("]}")
texts = ["Waxaan rabnaa in dowladdu dhisto iskuulo", "biyo nadiif ah", "Haa, \"caawimaad\" ayaan rabaa",
         "jidadka iyo isbitaalada", "👋🏽 salaan", "Shaqo u abuura dhalinyarada"]
per_page = 1000
npages = (runs + per_page - 1) // per_page
base = 1610000000
tmpl = ('{"id": %d, "uuid": "%08x-0000-4000-8000-%012x", "flow": {"uuid": "' + flow + '", "name": "bench_e01_activation"}, '
        '"contact": {"uuid": "%s", "urn": "tel:+0", "name": null}, "start": null, "responded": true, '
        '"path": [{"node": "a1f0c2d3-0000-4000-8000-000000000001", "time": "%s"}, '
        '{"node": "a1f0c2d3-0000-4000-8000-000000000002", "time": "%s"}], '
        '"values": {"rqa_e01": {"value": %s, "category": "All Responses", "node": "a1f0c2d3-0000-4000-8000-000000000002", '
        '"time": "%s", "input": %s, "name": "Rqa E01"}}, '
        '"created_on": "%s", "modified_on": "%s", "exited_on": "%s", "exit_type": "completed"}')
import time
def ts(sec, us):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + ".%06dZ" % us
run = runs
for p in range(npages):
    name = "runs.json" if p == 0 else "runs-%d.json" % (p + 1)
    nxt = '"runs-%d.json"' % (p + 2) if p + 1 < npages else "null"
    with open(out + "/" + name, "w") as f:
        f.write('{"next": %s, "previous": null, "results": [' % nxt)
        for i in range(min(per_page, run)):
            # newest first, as the server sends them
            sec = base + run * 3
            t = json.dumps(texts[run % len(texts)])
            c = cuuid[rnd.randrange(contacts)]
            f.write((", " if i else "") + tmpl % (900000000 + run, run, run, c, ts(sec - 2, 120000), ts(sec - 1, 456000),
                                                  t, ts(sec - 1, 456000), t, ts(sec - 2, 98765), ts(sec, 0), ts(sec, 0)))
            run -= 1
        f.write("]}")
PYEOF
	echo "$stamp" >"$DATA/stamp"
fi

work=$DATA/work
rm -rf "$work" && mkdir -p "$work/secret" || die "cannot create $work"
cat >"$work/config.json" <<CFGEOF
{
  "PipelineName": "tdtools-bench",
  "RawDataSources": [{"SourceType": "RapidPro", "Domain": "file://$DATA/api", "TokenFileURL": "token.txt",
    "ActivationFlowNames": ["bench_e01_activation"], "SurveyFlowNames": [], "TestContactUUIDs": []}],
  "UuidTable": {"FileURL": "secret/uuid-table.jsonl", "UuidPrefix": "avf-phone-uuid-"},
  "OperationsDashboard": {"FirebaseCredentialsFileURL": "dashboard.json"},
  "SourceKeyRemappings": [],
  "ProjectStartDate": "2021-01-01T00:00:00+03:00", "ProjectEndDate": "2100-01-01T00:00:00+03:00",
  "FilterTestMessages": true, "MoveWSMessages": false,
  "AutomatedAnalysis": {"GenerateRegionThemeDistributionMaps": false, "GenerateDistrictThemeDistributionMaps": false,
    "GenerateMogadishuThemeDistributionMaps": false},
  "MemoryProfileUploadBucket": "file:///tmp", "DataArchiveUploadBucket": "file:///tmp", "BucketDirPath": "bench/"
}
CFGEOF
echo bench-token >"$work/token.txt"
pages=$(du -sm "$DATA/api" | cut -f1)
printf 'rp-convert: %s runs, %s contacts, %s MB of API pages\n' "$RUNS" "$CONTACTS" "$pages"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f 'rp-fetch (first fetch, file://): %e s elapsed, %U s user, %S s system, %M KiB peak RSS' \
		"$TD_BIN/rp-fetch" -q -c "$work/config.json" -r "$work/root/Raw Data" || die "rp-fetch failed"
else
	t0=$(date +%s)
	"$TD_BIN/rp-fetch" -q -c "$work/config.json" -r "$work/root/Raw Data" || die "rp-fetch failed"
	echo "rp-fetch (first fetch, file://): $(( $(date +%s) - t0 )) s (install GNU time for the peak RSS)"
fi
records=$(wc -l <"$work/root/Raw Data/bench_e01_activation.jsonl")
printf 'rp-convert: %s records, %s MB of TracedData\n' "$records" "$(du -m "$work/root/Raw Data/bench_e01_activation.jsonl" | cut -f1)"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f 'rp-fetch (second fetch, nothing new: the cache re-converted): %e s elapsed, %U s user, %S s system, %M KiB peak RSS' \
		"$TD_BIN/rp-fetch" -q -c "$work/config.json" -r "$work/root/Raw Data" || die "rp-fetch failed"
fi
