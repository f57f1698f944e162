#!/usr/bin/env python3
"""rapidpro: a loopback fake of the Rapid Pro API v2 (v6.2 behaviour), serving a workspace directory.

The workspace is a directory in the layout of golden/rapidpro/api/ (see golden/rapidpro/README.md):
    org.json            one object
    flows.json          every flow (a list)
    runs.json           every run, possibly several versions of one id (different modified_on)
    contacts.json       every contact, possibly several versions of one uuid
    archives.json       optional: [{archive_type, start_date, period, record_count, file}], file = uncompressed
                        JSONL relative to the workspace

Options (besides fakelib's):
    --workspace DIR     the workspace (required)
    --token-file FILE   the API token (stripped); every /api/v2/ request needs "Authorization: Token <token>",
                        else 401 with WWW-Authenticate: Token
    --as-of ISO         cut-off: each id shows its newest version with modified_on <= ISO, ids with none are hidden,
                        archives whose period ends after it do not exist yet
    --page-size N       results per page (default 250)

Behaviour (golden/rapidpro/README.md "The API files"): runs and contacts newest-modified first, ties by -id (runs)
or by reverse file position (contacts); flows by -created_on; runs.json?flow=, after=/before= inclusive on
modified_on; cursor pages with an absolute "next" (the cursor encodes the last item's sort key, so it stays valid
across restarts and new data); archives.json?archive_type= with limit/offset pages and count, each archive with
size, hash (MD5 of the gzip) and a download_url /archives/<name>.gz?X-Amz-... that takes no token (400 if an
Authorization header is sent). Bodies are UTF-8 JSON, not ASCII-escaped except U+2028/U+2029.

Control: POST /_asof {"as_of": ISO or null} changes the cut-off.
"""
import base64
import gzip
import hashlib
import json
import os
import sys
import urllib.parse
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402

W = {}


def usec(s):
    if s is None:
        return None
    s = s.replace("Z", "+00:00")
    d = datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    delta = d - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1000000 + delta.microseconds


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def load(args):
    d = args.workspace
    with open(os.path.join(d, "org.json"), encoding="utf-8") as f:
        W["org"] = json.load(f)
    with open(os.path.join(d, "flows.json"), encoding="utf-8") as f:
        W["flows"] = json.load(f)
    with open(os.path.join(d, "runs.json"), encoding="utf-8") as f:
        W["runs"] = json.load(f)
    with open(os.path.join(d, "contacts.json"), encoding="utf-8") as f:
        W["contacts"] = json.load(f)
    W["archives"] = []
    p = os.path.join(d, "archives.json")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            W["archives"] = json.load(f)
    for a in W["archives"]:
        with open(os.path.join(d, a["file"]), "rb") as f:
            a["_gz"] = gzip.compress(f.read(), mtime=0)
        a["_name"] = os.path.basename(a["file"]) + ".gz"
    W["token"] = None
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            W["token"] = f.read().strip()
    W["as_of"] = usec(args.as_of) if args.as_of else None
    W["page_size"] = args.page_size


def visible(items, key):
    """The newest version (<= cut-off) of each key, with the file position of that version."""
    best = {}
    cut = W["as_of"]
    for pos, it in enumerate(items):
        m = usec(it["modified_on"])
        if cut is not None and m > cut:
            continue
        k = it[key]
        if k not in best or m >= best[k][0]:
            best[k] = (m, pos, it)
    return list(best.values())


def period_end(a):
    y, mo, d = (int(x) for x in a["start_date"].split("-"))
    start = datetime(y, mo, d, tzinfo=timezone.utc)
    if a["period"] == "daily":
        end = start.timestamp() + 86400
    else:
        end = datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=timezone.utc).timestamp()
    return int(end * 1000000)


def enc_cursor(key):
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def dec_cursor(c):
    c += "=" * (-len(c) % 4)
    return json.loads(base64.urlsafe_b64decode(c.encode()).decode())


class Handler(fakelib.FakeHandler):
    routes = [
        ("GET", r"/api/v2/org\.json", "org"),
        ("GET", r"/api/v2/workspace\.json", "org"),
        ("GET", r"/api/v2/flows\.json", "flows"),
        ("GET", r"/api/v2/runs\.json", "runs"),
        ("GET", r"/api/v2/contacts\.json", "contacts"),
        ("GET", r"/api/v2/archives\.json", "archives"),
        ("GET", r"/archives/(?P<name>[^/]+)", "download"),
    ]

    def q(self, name):
        v = self.query.get(name)
        return v[0] if v else None

    def send(self, obj):
        self.reply(200, dumps(obj) + "\n", "application/json")

    def authed(self):
        tok = W["token"]
        if tok is None:
            return True
        auth = self.headers.get("Authorization") or ""
        if auth == "Token " + tok:
            return True
        self.reply(401, dumps({"detail": "Invalid token"}) + "\n", "application/json",
                   {"WWW-Authenticate": "Token"})
        return False

    def page(self, rows, sort_key):
        """rows: [(key, obj)] already sorted by descending key; cursor pages."""
        cur = self.q("cursor")
        if cur:
            last = dec_cursor(cur)
            rows = [r for r in rows if r[0] < last]
        size = W["page_size"]
        chunk = rows[:size]
        nxt = None
        if len(rows) > size:
            params = [(k, v[0]) for k, v in self.query.items() if k != "cursor"]
            params.insert(0, ("cursor", enc_cursor(chunk[-1][0])))
            host = "127.0.0.1:%d" % self.server.server_address[1]
            nxt = "http://%s%s?%s" % (host, self.path_only, urllib.parse.urlencode(params))
        self.send({"next": nxt, "previous": None, "results": [r[1] for r in chunk]})

    def time_filter(self, m):
        after, before = self.q("after"), self.q("before")
        try:
            if after is not None and m < usec(after):
                return False
            if before is not None and m > usec(before):
                return False
        except ValueError:
            return False  # an unparseable value: an empty result (as Rapid Pro)
        return True

    def org(self, m):
        if self.authed():
            self.send(W["org"])

    def flows(self, m):
        if not self.authed():
            return
        rows = sorted(W["flows"], key=lambda f: f["created_on"], reverse=True)
        self.page([([usec(f["created_on"]), i], f) for i, f in enumerate(rows)][::1], None)

    def runs(self, m):
        if not self.authed():
            return
        flow = self.q("flow")
        rows = []
        for mod, pos, r in visible(W["runs"], "id"):
            if flow is not None and r["flow"]["uuid"] != flow:
                continue
            if not self.time_filter(mod):
                continue
            rows.append(([mod, r["id"]], r))
        rows.sort(key=lambda x: x[0], reverse=True)
        self.page(rows, None)

    def contacts(self, m):
        if not self.authed():
            return
        rows = []
        for mod, pos, c in visible(W["contacts"], "uuid"):
            if not self.time_filter(mod):
                continue
            rows.append(([mod, pos], c))
        rows.sort(key=lambda x: x[0], reverse=True)
        self.page(rows, None)

    def archives(self, m):
        if not self.authed():
            return
        kind = self.q("archive_type")
        host = "127.0.0.1:%d" % self.server.server_address[1]
        out = []
        for a in sorted(W["archives"], key=lambda a: a["start_date"], reverse=True):
            if kind is not None and a["archive_type"] != kind:
                continue
            if W["as_of"] is not None and period_end(a) > W["as_of"]:
                continue
            sig = hashlib.sha256(a["_gz"]).hexdigest()
            out.append({"archive_type": a["archive_type"], "start_date": a["start_date"], "period": a["period"],
                        "record_count": a["record_count"], "size": len(a["_gz"]),
                        "hash": hashlib.md5(a["_gz"]).hexdigest(),
                        "download_url": "http://%s/archives/%s?X-Amz-Expires=86400&X-Amz-Signature=%s"
                        % (host, a["_name"], sig)})
        limit = int(self.q("limit") or W["page_size"])
        offset = int(self.q("offset") or 0)
        nxt = None
        if offset + limit < len(out):
            params = [(k, v[0]) for k, v in self.query.items() if k not in ("limit", "offset")]
            params += [("limit", str(limit)), ("offset", str(offset + limit))]
            nxt = "http://%s%s?%s" % (host, self.path_only, urllib.parse.urlencode(params))
        self.send({"count": len(out), "next": nxt, "previous": None, "results": out[offset:offset + limit]})

    def download(self, m):
        if self.headers.get("Authorization"):
            return self.reply(400, "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism "
                              "allowed</Message></Error>", "application/xml")
        for a in W["archives"]:
            if a["_name"] == m.group("name"):
                return self.reply(200, a["_gz"], "application/octet-stream")
        self.reply(404, "not found", "text/plain")

    def control(self, path):
        self._fault = None
        if path == "/_asof" and self.command == "POST":
            v = (self.json_body or {}).get("as_of")
            W["as_of"] = usec(v) if v else None
            return self.reply_json(200, {"as_of": v})
        return self.reply_json(404, {"error": "no control endpoint " + path})


def add_args(p):
    p.add_argument("--workspace", required=True)
    p.add_argument("--token-file")
    p.add_argument("--as-of")
    p.add_argument("--page-size", type=int, default=250)


if __name__ == "__main__":
    fakelib.main(Handler, "Rapid Pro API v2 fake", add_args=add_args, setup=lambda args, state: load(args))
