#!/usr/bin/env python3
"""firestore: a fake Cloud Firestore REST v1 (the subset lib/net/firestore.c speaks; apis.md §3.3).

Documents live in memory, keyed by their path relative to the documents root ("datasets/D/messages/M"),
whatever the project in the URL. With --state FILE they are loaded from FILE at start (if it exists) and
written back (atomically) after every change, as {"documents": {PATH: {"fields": {...}, "createTime",
"updateTime"}}} — tests seed and inspect the store through it.

Under /v1/projects/P/databases/(default)/documents:
    GET    /PATH                      a document (even number of segments), or 404 NOT_FOUND
    GET    /PATH?pageSize=N&pageToken=T   a collection (odd number of segments): {"documents", "nextPageToken"?}
                                      ordered by document id; default and maximum page size --page-size (300)
    DELETE /PATH                      delete a document ({})
    POST   :batchGet                  {"documents": [names]} → [{"found": doc | "missing": name, "readTime"}]
    POST   [/DOCPATH]:runQuery        {"structuredQuery": {from: [{collectionId, allDescendants?}], where
                                      (fieldFilter EQUAL, NOT_EQUAL, LESS_THAN[_OR_EQUAL], GREATER_THAN[_OR_EQUAL],
                                      ARRAY_CONTAINS, IN; compositeFilter AND; unaryFilter IS_NULL, IS_NOT_NULL),
                                      orderBy, startAt, endAt, offset, limit}} → [{"document", "readTime"}...],
                                      or [{"readTime"}] when nothing matches
    POST   :commit                    {"writes": [update (+updateMask, +updateTransforms REQUEST_TIME) | delete,
                                      currentDocument {exists | updateTime}]} — atomic: a failed precondition
                                      changes nothing and answers 409 ALREADY_EXISTS ("Document already exists: NAME"),
                                      404 NOT_FOUND ("No document to update: NAME") or 400 FAILED_PRECONDITION
DELETE /emulator/v1/projects/P/databases/(default)/documents   clear everything (as the emulator)
Control: GET /_state (the store, as the --state file), POST /_state (replace it).

Times: real UTC microsecond clock, strictly increasing; with --start-time 2021-01-01T00:00:00Z the clock
starts there and advances 1 ms per change, so tests see fixed updateTimes.
Auth: with --token / --tokens-file (fakelib) a valid bearer token is required (401 otherwise);
--token owner accepts the emulator's "Bearer owner".
"""
import base64
import datetime
import json
import math
import os
import re
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402

PREFIX = r"/v1/projects/(?P<project>[^/]+)/databases/(?:\(default\)|%28default%29)/documents"
LOCK = threading.RLock()
DOCS = {}
CLOCK = {"t": None, "last": None}


def now_ts():
    """The next commit time, as RFC 3339 with microseconds and Z."""
    with LOCK:
        if CLOCK["t"] is not None:
            CLOCK["t"] += datetime.timedelta(milliseconds=1)
            t = CLOCK["t"]
        else:
            t = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
            if CLOCK["last"] is not None and t <= CLOCK["last"]:
                t = CLOCK["last"] + datetime.timedelta(microseconds=1)
        CLOCK["last"] = t
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def save(args):
    if not args.state:
        return
    tmp = args.state + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"documents": DOCS}, f, sort_keys=True, indent=1)
    os.rename(tmp, args.state)


# ---- values: ordering and comparison as Firestore does ----
TYPE_ORDER = ["nullValue", "booleanValue", "number", "timestampValue", "stringValue", "bytesValue",
              "referenceValue", "geoPointValue", "arrayValue", "mapValue"]


def vkind(v):
    k = next(iter(v))
    return "number" if k in ("integerValue", "doubleValue") else k


def vkey(v):
    """A sort key for a Value: (type rank, comparable payload)."""
    k = next(iter(v))
    x = v[k]
    kind = vkind(v)
    rank = TYPE_ORDER.index(kind)
    if kind == "number":
        if k == "integerValue":
            return (rank, float(int(x)), int(x))
        f = float(x)
        return (rank, -math.inf if math.isnan(f) else f, 0)
    if kind == "timestampValue":
        return (rank, norm_ts(x))
    if kind == "stringValue":
        return (rank, x.encode("utf-8"))
    if kind == "booleanValue":
        return (rank, bool(x))
    if kind == "nullValue":
        return (rank, 0)
    if kind == "arrayValue":
        return (rank, [vkey(e) for e in x.get("values", [])])
    if kind == "mapValue":
        return (rank, sorted((kk, vkey(vv)) for kk, vv in x.get("fields", {}).items()))
    if kind == "geoPointValue":
        return (rank, (x.get("latitude", 0), x.get("longitude", 0)))
    return (rank, str(x))


def norm_ts(s):
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", s)
    if not m:
        return s
    base = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    frac = int((m.group(2) or "0").ljust(9, "0")[:6])
    if m.group(3) != "Z":
        sign = 1 if m.group(3)[0] == "+" else -1
        h, mi = int(m.group(3)[1:3]), int(m.group(3)[4:6])
        base -= sign * datetime.timedelta(hours=h, minutes=mi)
    return (base + datetime.timedelta(microseconds=frac)).strftime("%Y-%m-%dT%H:%M:%S.%f")


def split_field_path(fp):
    parts, cur, i, quoted = [], "", 0, False
    while i < len(fp):
        c = fp[i]
        if quoted:
            if c == "\\" and i + 1 < len(fp):
                cur += fp[i + 1]
                i += 2
                continue
            if c == "`":
                quoted = False
            else:
                cur += c
        elif c == "`":
            quoted = True
        elif c == ".":
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


def get_field(doc, name, fp):
    if fp == "__name__":
        return {"referenceValue": name}
    cur = {"mapValue": {"fields": doc.get("fields", {})}}
    for p in split_field_path(fp):
        if "mapValue" not in cur:
            return None
        cur = cur["mapValue"].get("fields", {}).get(p)
        if cur is None:
            return None
    return cur


def match_filter(f, doc, name):
    if "compositeFilter" in f:
        c = f["compositeFilter"]
        if c.get("op", "AND") != "AND":
            raise ValueError("only AND composite filters are supported")
        return all(match_filter(x, doc, name) for x in c.get("filters", []))
    if "unaryFilter" in f:
        u = f["unaryFilter"]
        v = get_field(doc, name, u["field"]["fieldPath"])
        if u["op"] == "IS_NULL":
            return v is not None and "nullValue" in v
        if u["op"] == "IS_NOT_NULL":
            return v is not None and "nullValue" not in v
        if u["op"] == "IS_NAN":
            return v is not None and "doubleValue" in v and math.isnan(float(v["doubleValue"]))
        raise ValueError("unknown unary op " + u["op"])
    ff = f["fieldFilter"]
    v = get_field(doc, name, ff["field"]["fieldPath"])
    op, want = ff["op"], ff["value"]
    if v is None:
        return False
    if op == "ARRAY_CONTAINS":
        return "arrayValue" in v and any(vkey(e) == vkey(want) for e in v["arrayValue"].get("values", []))
    if op == "IN":
        return any(vkey(v) == vkey(e) for e in want.get("arrayValue", {}).get("values", []))
    if op == "NOT_EQUAL":
        return vkey(v) != vkey(want)
    if vkind(v) != vkind(want):
        return False  # range and equality filters only match values of the same type
    a, b = vkey(v), vkey(want)
    return {"EQUAL": a == b, "LESS_THAN": a < b, "LESS_THAN_OR_EQUAL": a <= b, "GREATER_THAN": a > b,
            "GREATER_THAN_OR_EQUAL": a >= b}[op]


def full_name(project, path):
    return "projects/%s/databases/(default)/documents/%s" % (project, path)


def rel_path(name):
    m = re.fullmatch(r"projects/[^/]+/databases/\(default\)/documents/(.+)", name)
    if not m:
        raise ValueError("bad document name: " + name)
    return m.group(1)


def render(project, path):
    d = DOCS[path]
    out = {"name": full_name(project, path), "fields": d.get("fields", {}), "createTime": d["createTime"],
           "updateTime": d["updateTime"]}
    if not out["fields"]:
        del out["fields"]
    return out


class Handler(fakelib.FakeHandler):
    routes = [
        ("POST", PREFIX + r":batchGet", "batch_get"),
        ("POST", PREFIX + r":commit", "commit"),
        ("POST", PREFIX + r"(?P<parent>/.+)?:runQuery", "run_query"),
        ("GET", PREFIX + r"/(?P<path>.+)", "get"),
        ("DELETE", PREFIX + r"/(?P<path>.+)", "delete"),
        ("DELETE", r"/emulator/v1/projects/[^/]+/databases/(?:\(default\)|%28default%29)/documents", "reset"),
    ]

    def decode_path(self, raw):
        return "/".join(urllib.parse.unquote(s) for s in raw.strip("/").split("/"))

    def get(self, m):
        if not self.check_auth():
            return
        path = self.decode_path(m.group("path"))
        segs = path.split("/")
        project = m.group("project")
        with LOCK:
            if len(segs) % 2 == 0:
                if path not in DOCS:
                    return self.error_json(404, 'Document "%s" not found.' % full_name(project, path))
                return self.reply_json(200, render(project, path))
            # a collection
            size = int(self.query.get("pageSize", [self.state.args.page_size])[0] or self.state.args.page_size)
            size = max(1, min(size, self.state.args.page_size))
            token = self.query.get("pageToken", [""])[0]
            after = base64.urlsafe_b64decode(token.encode()).decode() if token else ""
            ids = sorted((p for p in DOCS if p.startswith(path + "/") and "/" not in p[len(path) + 1:]),
                         key=lambda p: p.encode("utf-8"))
            if after:
                ids = [p for p in ids if p.encode("utf-8") > after.encode("utf-8")]
            page = ids[:size]
            out = {"documents": [render(project, p) for p in page]}
            if len(ids) > size:
                out["nextPageToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
            if not page:
                out = {}
            return self.reply_json(200, out)

    def delete(self, m):
        if not self.check_auth():
            return
        path = self.decode_path(m.group("path"))
        with LOCK:
            DOCS.pop(path, None)
            save(self.state.args)
        self.reply_json(200, {})

    def reset(self, m):
        with LOCK:
            DOCS.clear()
            save(self.state.args)
        self.reply_json(200, {})

    def batch_get(self, m):
        if not self.check_auth():
            return
        body = self.json_body or {}
        project = m.group("project")
        read = now_ts()
        out = []
        with LOCK:
            for name in body.get("documents", []):
                try:
                    p = rel_path(name)
                except ValueError as e:
                    return self.error_json(400, str(e))
                if p in DOCS:
                    out.append({"found": render(project, p), "readTime": read})
                else:
                    out.append({"missing": name, "readTime": read})
        self.reply_json(200, out)

    def run_query(self, m):
        if not self.check_auth():
            return
        project = m.group("project")
        parent = self.decode_path(m.group("parent") or "")
        q = (self.json_body or {}).get("structuredQuery")
        if not isinstance(q, dict) or not q.get("from"):
            return self.error_json(400, "structuredQuery with from is required")
        read = now_ts()
        try:
            with LOCK:
                results = self.query_docs(project, parent, q)
        except (ValueError, KeyError) as e:
            return self.error_json(400, "bad query: %s" % e)
        out = [{"document": d, "readTime": read} for d in results] or [{"readTime": read}]
        self.reply_json(200, out)

    def query_docs(self, project, parent, q):
        sel = q["from"][0]
        coll = sel["collectionId"]
        cand = []
        for p in DOCS:
            segs = p.split("/")
            if sel.get("allDescendants"):
                ok = len(segs) >= 2 and segs[-2] == coll and (not parent or p.startswith(parent + "/"))
            else:
                ok = p.startswith((parent + "/" if parent else "") + coll + "/") and \
                    len(segs) == (len(parent.split("/")) if parent else 0) + 2
            if ok:
                cand.append(p)
        docs = [(p, render(project, p)) for p in cand]
        if "where" in q:
            docs = [(p, d) for p, d in docs if match_filter(q["where"], d, d["name"])]
        orders = list(q.get("orderBy", []))
        if not any(o["field"]["fieldPath"] == "__name__" for o in orders):
            orders.append({"field": {"fieldPath": "__name__"},
                           "direction": orders[-1].get("direction", "ASCENDING") if orders else "ASCENDING"})
        for o in orders:  # ordering by a field excludes documents without it
            fp = o["field"]["fieldPath"]
            docs = [(p, d) for p, d in docs if get_field(d, d["name"], fp) is not None]

        def sort_key(pd):
            return [vkey(get_field(pd[1], pd[1]["name"], o["field"]["fieldPath"])) for o in orders]

        for i in reversed(range(len(orders))):
            desc = orders[i].get("direction", "ASCENDING") == "DESCENDING"
            docs.sort(key=lambda pd, i=i: sort_key(pd)[i], reverse=desc)

        def cmp_cursor(pd, cursor):
            vals = cursor.get("values", [])
            for o, v in zip(orders, vals):
                a = vkey(get_field(pd[1], pd[1]["name"], o["field"]["fieldPath"]))
                b = vkey(v)
                if a != b:
                    r = -1 if a < b else 1
                    return -r if o.get("direction", "ASCENDING") == "DESCENDING" else r
            return 0

        if "startAt" in q:
            c = q["startAt"]
            before = c.get("before", False)
            docs = [pd for pd in docs if cmp_cursor(pd, c) > 0 or (before and cmp_cursor(pd, c) == 0)]
        if "endAt" in q:
            c = q["endAt"]
            before = c.get("before", False)
            docs = [pd for pd in docs if cmp_cursor(pd, c) < 0 or (not before and cmp_cursor(pd, c) == 0)]
        off = int(q.get("offset", 0))
        docs = docs[off:]
        if "limit" in q:
            lim = q["limit"]
            lim = int(lim["value"] if isinstance(lim, dict) else lim)
            docs = docs[:lim]
        return [d for _, d in docs]

    def commit(self, m):
        if not self.check_auth():
            return
        project = m.group("project")
        writes = (self.json_body or {}).get("writes", [])
        with LOCK:
            # Check every precondition first: a commit is all or nothing.
            for w in writes:
                name = w.get("update", {}).get("name") if "update" in w else w.get("delete")
                if not name:
                    return self.error_json(400, "a write needs update or delete")
                try:
                    p = rel_path(name)
                except ValueError as e:
                    return self.error_json(400, str(e))
                pre = w.get("currentDocument")
                if pre is None:
                    continue
                if "exists" in pre:
                    if pre["exists"] is False and p in DOCS:
                        return self.error_json(409, "Document already exists: %s" % name)
                    if pre["exists"] is True and p not in DOCS:
                        return self.error_json(404, "No document to update: %s" % name)
                if "updateTime" in pre:
                    if p not in DOCS or norm_ts(DOCS[p]["updateTime"]) != norm_ts(pre["updateTime"]):
                        return self.error_json(400, "the stored version (%s) does not match the required base "
                                               "version (%s)" % (DOCS[p]["updateTime"] if p in DOCS else "none",
                                                                 pre["updateTime"]),
                                               "FAILED_PRECONDITION")
            t = now_ts()
            results = []
            for w in writes:
                if "delete" in w:
                    DOCS.pop(rel_path(w["delete"]), None)
                    results.append({"updateTime": t})
                    continue
                u = w["update"]
                p = rel_path(u["name"])
                fields = dict(u.get("fields", {}))
                old = DOCS.get(p)
                if "updateMask" in w:
                    merged = dict(old["fields"]) if old else {}
                    for fp in w["updateMask"].get("fieldPaths", []):
                        key = split_field_path(fp)[0]
                        if key in fields:
                            merged[key] = fields[key]
                        else:
                            merged.pop(key, None)
                    fields = merged
                tr_results = []
                for tr in w.get("updateTransforms", []):
                    if tr.get("setToServerValue") != "REQUEST_TIME":
                        return self.error_json(400, "only setToServerValue REQUEST_TIME is supported")
                    fields[split_field_path(tr["fieldPath"])[0]] = {"timestampValue": t}
                    tr_results.append({"timestampValue": t})
                DOCS[p] = {"fields": fields, "createTime": old["createTime"] if old else t, "updateTime": t}
                r = {"updateTime": t}
                if tr_results:
                    r["transformResults"] = tr_results
                results.append(r)
            save(self.state.args)
        self.reply_json(200, {"writeResults": results, "commitTime": t})

    def control(self, path):
        if path == "/_state" and self.command == "GET":
            with LOCK:
                return self.reply_json(200, {"documents": DOCS})
        if path == "/_state" and self.command == "POST":
            with LOCK:
                DOCS.clear()
                DOCS.update((self.json_body or {}).get("documents", {}))
                save(self.state.args)
            return self.reply_json(200, {})
        return super().control(path)


def add_args(p):
    p.add_argument("--state")
    p.add_argument("--page-size", type=int, default=300)
    p.add_argument("--start-time")


def setup(args, state):
    if args.state and os.path.exists(args.state):
        with open(args.state) as f:
            DOCS.update(json.load(f).get("documents", {}))
    if args.start_time:
        CLOCK["t"] = datetime.datetime.strptime(args.start_time.rstrip("Z"), "%Y-%m-%dT%H:%M:%S")


if __name__ == "__main__":
    fakelib.main(Handler, "fake Cloud Firestore REST v1", add_args, setup)
