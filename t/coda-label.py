#!/usr/bin/env python3
"""Label messages in a dir: Coda store as a coder would in Coda's web app (a test helper).

    coda-label.py STORE-DIR DATASET CODED-FILE [--time ISO]

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


def enc(elem):
    out = []
    for i, b in enumerate(elem.encode("utf-8")):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_" or (c == "." and i > 0)):
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


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
