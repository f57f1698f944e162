#!/usr/bin/env python3
"""make-rapidpro.py: build examples/demo/rapidpro/, a synthetic Rapid Pro workspace (API pages for rp-fetch's
file:// Domain), from the demo's Raw Data, so that fetching it gives back that Raw Data's flows, records and keys
(rp-fetch adds the keys the demo files leave out: Category, Value, Name, run_* and the operator label).

    python3 examples/demo/make-rapidpro.py     (rewrites examples/demo/rapidpro/; stdlib only, deterministic)

Each uid avf-phone-uuid-demo-NNNN stands for the made-up number 25261000NNNN (tel); rapidpro/uuid-table.jsonl
maps them, so a fetch with a copy of that table (mode 600) gives the same uids. The one test run of
demo_e02_activation belongs to a second contact with the same number, listed in rapidpro/test-contacts.json
(put it in the config's TestContactUUIDs). Runs keep the order of the Raw Data files (modified_on increases
along each file).
"""
import json
import os
import uuid

here = os.path.dirname(os.path.abspath(__file__))
raw = os.path.join(here, "Raw Data")
out = os.path.join(here, "rapidpro")
NS = uuid.UUID("6f1d2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b")

flows = [("demo_e01_activation", "2026-01-01T00:00:00.000000Z"), ("demo_e02_activation", "2026-01-01T00:00:01.000000Z"),
         ("demo_demog", "2026-01-01T00:00:02.000000Z")]


def uid_num(uid):
    return "25261000%04d" % int(uid.rsplit("-", 1)[1])


def zulu(iso):
    # "2026-01-07T18:41:00+00:00" -> "2026-01-07T18:41:00.000000Z" (the demo times are all UTC)
    assert iso.endswith("+00:00"), iso
    base = iso[:-6]
    if "." not in base:
        base += ".000000"
    return base + "Z"


contacts = {}      # uid -> contact
test_contact = None
runs = []
for fi, (flow, created) in enumerate(flows):
    fuuid = str(uuid.uuid5(NS, "flow/" + flow))
    with open(os.path.join(raw, flow + ".jsonl"), encoding="utf-8") as f:
        for li, line in enumerate(f):
            d = {}
            for entry in reversed(json.loads(line)):
                d.update(entry["Data"])
            uid = d["avf_phone_id"]
            if uid not in contacts:
                contacts[uid] = {"uuid": str(uuid.uuid5(NS, "contact/" + uid)), "name": None, "language": "som",
                                 "urns": ["tel:+" + uid_num(uid)], "groups": [], "fields": {},
                                 "blocked": False, "stopped": False, "created_on": "2025-12-01T00:00:00.000000Z",
                                 "modified_on": "2025-12-01T00:00:00.000000Z"}
            contact = contacts[uid]
            if d.get("test_run"):
                test_contact = {**contact, "uuid": str(uuid.uuid5(NS, "test-contact/" + uid)), "name": "Test Phone",
                                "modified_on": "2025-12-01T00:00:01.000000Z"}
                contact = test_contact
            run_id = d["run_id - " + flow]
            values = {}
            times = []
            for k, v in d.items():
                if k.endswith(" (Text) - " + flow):
                    key = k[:-len(" (Text) - " + flow)].lower()
                    t = zulu(d[k.replace("(Text)", "(Time)")])
                    times.append(t)
                    values[key] = {"value": v, "category": "All Responses", "node": str(uuid.uuid5(NS, "node/" + key)),
                                   "time": t, "input": v, "name": key.replace("_", " ").title()}
            start = min(times)
            modified = "2026-02-0%dT00:00:%02d.000000Z" % (fi + 1, li)
            runs.append({"id": run_id, "uuid": str(uuid.uuid5(NS, "run/%s/%d" % (flow, run_id))),
                         "flow": {"uuid": fuuid, "name": flow},
                         "contact": {"uuid": contact["uuid"], "urn": contact["urns"][0], "name": contact["name"]},
                         "start": None, "responded": True,
                         "path": [{"node": str(uuid.uuid5(NS, "node/" + k)), "time": v["time"]} for k, v in values.items()],
                         "values": values, "created_on": start, "modified_on": modified, "exited_on": modified,
                         "exit_type": "completed"})

os.makedirs(out, exist_ok=True)


def dump(name, obj):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


dump("org.json", {"uuid": str(uuid.uuid5(NS, "org")), "name": "tdtools demo workspace", "country": "SO",
                  "languages": ["som"], "primary_language": "som", "timezone": "Africa/Mogadishu",
                  "date_style": "day_first", "anon": False})
dump("flows.json", [{"uuid": str(uuid.uuid5(NS, "flow/" + f)), "name": f, "type": "message", "archived": False,
                     "created_on": c, "modified_on": c} for f, c in flows])
all_contacts = list(contacts.values()) + ([test_contact] if test_contact else [])
# Pages, newest first as the server sends them: runs 10 a page to show the format.
runs.sort(key=lambda r: (r["modified_on"], r["id"]), reverse=True)
pages = [runs[i:i + 10] for i in range(0, len(runs), 10)]
for i, page in enumerate(pages):
    name = "runs.json" if i == 0 else "runs-%d.json" % (i + 1)
    dump(name, {"next": "runs-%d.json" % (i + 2) if i + 1 < len(pages) else None, "previous": None, "results": page})
dump("contacts.json", {"next": None, "previous": None, "results": all_contacts[::-1]})
with open(os.path.join(out, "uuid-table.jsonl"), "w", encoding="utf-8") as f:
    for uid in sorted(contacts):
        f.write(json.dumps({"data": uid_num(uid), "uuid": uid}) + "\n")
dump("test-contacts.json", [test_contact["uuid"]] if test_contact else [])
