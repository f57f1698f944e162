#!/usr/bin/env python3
"""Rebuild the Graph API objects the reference received from the TracedData it wrote, for t/fake/graph.py.

    graph_golden.py CONFIG RAW-DATA-DIR DATA-OUT CONFIG-OUT

CONFIG is a pipeline configuration whose Facebook sources' TokenFileURLs are local files (relative to it).
For every source and dataset, RAW-DATA-DIR/<dataset>_<page>.jsonl (the reference's TracedData) gives the comments:
the latest "<dataset>.<key>" values, with "post" taken out (it becomes the post's attachments), an empty
"parent" dropped (the API sends none) and created_time back in Graph's form (+0000). The configuration's own
PostIDs become posts without comments. Every post gets a message with #Hage, a created_time and insights, so
that the engagement metrics can be fetched. CONFIG-OUT is CONFIG with each dataset that has comments fetching
exactly the posts they were on (PostIDs, in order of appearance; no Search).
"""
import json
import os
import re
import sys

TOMBSTONE = "#HIDDEN-VALUE-44dce0a0-e79c-48cf-8d8e-ec59137ef0d0"


def latest(entries):
    d = {}
    for e in reversed(entries):
        for k, v in e["Data"].items():
            if v == TOMBSTONE:
                d.pop(k, None)
            else:
                d[k] = v
    return d


def graph_time(s):
    m = re.fullmatch(r"(.*)([+-]\d\d):(\d\d)", s)
    return m.group(1) + m.group(2) + m.group(3) if m else s


def main():
    cfg_path, raw_dir, data_out, cfg_out = sys.argv[1:5]
    with open(cfg_path) as f:
        cfg = json.load(f)
    cfg_dir = os.path.dirname(os.path.abspath(cfg_path))
    pages = {}
    n = 0
    for src in cfg["RawDataSources"]:
        if src["SourceType"] != "Facebook":
            continue
        page_id = src["PageID"]
        tok = src["TokenFileURL"].removeprefix("file://")
        with open(os.path.join(cfg_dir, tok)) as f:
            token = f.read().strip()
        page = pages.setdefault(page_id, {"token": token, "posts": []})
        posts = {p["id"]: p for p in page["posts"]}

        def post_of(pid, attachments=None):
            nonlocal n
            if pid not in posts:
                n += 1
                posts[pid] = {"id": pid, "message": f"Post {n} #Hage", "created_time": f"2020-10-{n % 28 + 1:02d}T09:00:00+0000",
                              "attachments": attachments or {"data": [{"type": "photo"}]}, "comments": [],
                              "insights": {"post_impressions": 100 * n, "post_impressions_unique": 50 * n,
                                           "post_engaged_users": 10 * n,
                                           "post_reactions_by_type_total": {"like": n, "love": 1}}}
                page["posts"].append(posts[pid])
            elif attachments is not None:
                posts[pid]["attachments"] = attachments
            return posts[pid]

        for ds in src["Datasets"]:
            name = ds["Name"]
            path = os.path.join(raw_dir, f"{name}_{page_id}.jsonl")
            seen = []
            if os.path.exists(path):
                with open(path) as f:
                    for line in f:
                        d = latest(json.loads(line))
                        c = {k[len(name) + 1:]: v for k, v in d.items() if k.startswith(name + ".")}
                        post = c.pop("post")
                        if c.get("parent") == {}:
                            del c["parent"]
                        c["created_time"] = graph_time(c["created_time"])
                        p = post_of(post["id"], post.get("attachments"))
                        p["comments"].append(c)
                        if post["id"] not in seen:
                            seen.append(post["id"])
            if seen:
                ds["PostIDs"] = seen
                ds.pop("Search", None)
            else:
                for pid in ds.get("PostIDs", []):
                    post_of(pid)
    with open(data_out, "w") as f:
        json.dump({"pages": pages}, f, indent=1)
    with open(cfg_out, "w") as f:
        json.dump(cfg, f, indent=1)


if __name__ == "__main__":
    main()
