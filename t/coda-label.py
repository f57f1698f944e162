#!/usr/bin/env python3
"""Label messages in a Coda store as a coder would in Coda's web app (a test helper).

    coda-label.py STORE-DIR DATASET CODED-FILE [--time ISO]
    coda-label.py http://127.0.0.1:PORT DATASET CODED-FILE [--time ISO]   (the Firestore fake, t/fake/firestore.py)

For every message of CODED-FILE (a Coda messages file, e.g. a downloaded "Coded Coda Files/<dataset>.json")
that the store's dataset holds (any segment, by MessageID), the store's message gets the file's Labels and a
new LastUpdated (--time, default now, rendered as get.py does: +00:00 and 6 fraction digits), as the web app's
server timestamp does. Each document is replaced atomically, as the store writes them. Prints the number of
messages labelled and the number not in the store.
"""
import datetime
import json
import os
import sys
import urllib.request


def enc(elem):
    out = []
    for i, b in enumerate(elem.encode("utf-8")):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_" or (c == "." and i > 0)):
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def to_value(v):
    """JSON -> a Firestore Value, as the web app's client writes it."""
    if v is None:
        return {"nullValue": None}
    if isinstance(v, bool):
        return {"booleanValue": v}
    if isinstance(v, int):
        return {"integerValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, list):
        return {"arrayValue": {"values": [to_value(x) for x in v]} if v else {}}
    return {"mapValue": {"fields": {k: to_value(x) for k, x in v.items()}} if v else {}}


def label_fake(url, dataset, labels, when):
    """The fake's whole state, changed and put back (its /_state control endpoint)."""
    with urllib.request.urlopen(url + "/_state") as r:
        state = json.load(r)
    stamp = datetime.datetime.fromisoformat(when).astimezone(datetime.timezone.utc)
    stamp = stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    labelled = 0
    for path, doc in sorted(state["documents"].items()):
        parts = path.split("/")
        if len(parts) != 4 or parts[0] != "datasets" or parts[2] != "messages":
            continue
        seg = parts[1]
        if seg != dataset and not (seg.startswith(dataset + "_") and seg[len(dataset) + 1:].isdigit()):
            continue
        mid = doc["fields"]["MessageID"]["stringValue"]
        if mid not in labels:
            continue
        doc["fields"]["Labels"] = to_value(labels.pop(mid))
        doc["fields"]["LastUpdated"] = {"timestampValue": stamp}
        doc["updateTime"] = stamp
        labelled += 1
    req = urllib.request.Request(url + "/_state", data=json.dumps(state).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    return labelled


def main():
    args = sys.argv[1:]
    when = None
    if "--time" in args:
        i = args.index("--time")
        when = args[i + 1]
        del args[i:i + 2]
    if len(args) != 3:
        sys.exit("usage: coda-label.py STORE-DIR DATASET CODED-FILE [--time ISO]")
    store, dataset, coded = args
    if when is None:
        when = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")
    with open(coded) as f:
        labels = {m["MessageID"]: m["Labels"] for m in json.load(f)}

    if store.startswith("http://"):
        labelled = label_fake(store, dataset, labels, when)
        print("%d labelled, %d not in the store" % (labelled, len(labels)))
        return

    count_file = os.path.join(store, "segment_counts", enc(dataset) + ".json")
    segments = 1
    if os.path.exists(count_file):
        with open(count_file) as f:
            segments = json.load(f)["segment_count"]
    labelled = 0
    for i in range(1, segments + 1):
        seg = dataset if i == 1 else "%s_%d" % (dataset, i)
        mdir = os.path.join(store, "datasets", enc(seg), "messages")
        if not os.path.isdir(mdir):
            continue
        for name in sorted(os.listdir(mdir)):
            if name.startswith(".") or not name.endswith(".json"):
                continue
            path = os.path.join(mdir, name)
            with open(path) as f:
                msg = json.load(f)
            if msg["MessageID"] not in labels:
                continue
            msg["Labels"] = labels.pop(msg["MessageID"])
            msg["LastUpdated"] = when
            tmp = os.path.join(mdir, ".tmp-label-%d" % os.getpid())
            with open(tmp, "w") as f:
                json.dump(msg, f, sort_keys=True)
            os.rename(tmp, path)
            labelled += 1
    print("%d labelled, %d not in the store" % (labelled, len(labels)))


if __name__ == "__main__":
    main()
