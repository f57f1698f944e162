#!/usr/bin/env python3
"""td-latest.py FILE: the latest values of each TracedData record of FILE (json.dumps sort_keys), one a line,
with operator_coded's DateTimeUTC and Origin.OriginID masked."""
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    v = json.loads(line)
    d = {}
    for entry in reversed(v):
        d.update(entry["Data"])
    if "operator_coded" in d:
        d["operator_coded"]["DateTimeUTC"] = "MASKED"
        d["operator_coded"]["Origin"]["OriginID"] = "MASKED"
    print(json.dumps(d, sort_keys=True))
