#!/usr/bin/env python3
"""rp-compare.py OUT-DIR EXPECTED-DIR FLOW...: compare rp-fetch's TracedData files with the Rapid Pro golden.

Both sides: latest values (OUT-DIR/<flow>.jsonl is TracedData: entries are merged oldest first), the operator
label's DateTimeUTC and Origin.OriginID masked, avf_phone_id renumbered avf-phone-uuid-<n> by first appearance
over the flows in the order given (golden/rapidpro/README.md "Comparing"); --keep-ids compares them as they are. With --utc, every date-time string is
rewritten in UTC with 6 digits first and each flow is compared as a multiset. Prints a diff of the first
difference and exits 1, or exits 0.
"""
import json
import re
import sys
from datetime import datetime, timezone

ISO = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$')


def latest(line):
    v = json.loads(line)
    if isinstance(v, dict):
        return v
    out = {}
    for entry in reversed(v):
        out.update(entry["Data"])
    return out


def utc(s):
    if isinstance(s, str) and ISO.match(s):
        d = datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(timezone.utc)
        return d.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return s


def load(path, ids, to_utc, keep_ids=False):
    recs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = latest(line)
            if "operator_coded" in d:
                d["operator_coded"]["DateTimeUTC"] = "MASKED"
                d["operator_coded"]["Origin"]["OriginID"] = "MASKED"
            if "avf_phone_id" in d and not keep_ids:
                d["avf_phone_id"] = ids.setdefault(d["avf_phone_id"], "avf-phone-uuid-%d" % (len(ids) + 1))
            if to_utc:
                d = {k: utc(v) for k, v in d.items()}
            recs.append(json.dumps(d, sort_keys=True))
    return recs


def main():
    args = sys.argv[1:]
    to_utc = keep_ids = False
    while args and args[0] in ("--utc", "--keep-ids"):
        if args[0] == "--utc":
            to_utc = True
        else:
            keep_ids = True
        args = args[1:]
    out_dir, exp_dir, flows = args[0], args[1], args[2:]
    ids_a, ids_b = {}, {}
    bad = 0
    for flow in flows:
        a = load("%s/%s.jsonl" % (out_dir, flow), ids_a, to_utc, keep_ids)
        b = load("%s/%s.jsonl" % (exp_dir, flow), ids_b, to_utc, keep_ids)
        if to_utc:
            a, b = sorted(a), sorted(b)
        if a != b:
            bad = 1
            print("%s: %d records, expected %d" % (flow, len(a), len(b)))
            for i, (x, y) in enumerate(zip(a, b)):
                if x != y:
                    print("line %d differs:\n got      %s\n expected %s" % (i + 1, x, y))
                    break
    sys.exit(bad)


main()
