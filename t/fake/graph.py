#!/usr/bin/env python3
"""graph: a fake Facebook Graph API for fb-fetch's tests (on fakelib: port file, JSON request log, idle exit,
fault rules; see fakelib.py).

    graph.py --data DATA.json [fakelib options]

DATA.json: {"pages": {PAGE_ID: {"token": TOKEN, "posts": [POST, ...]}}}, where a POST is
{"id", "message"?, "created_time" (Graph form, 2020-11-05T10:00:00+0000), "attachments"?, "comments": [COMMENT...],
 "total_count"?, "insights"?: {metric: value}} and a COMMENT is what the Graph API returns for it (from, parent,
attachments, created_time, message, id). A request is answered from the page its token belongs to (an
Authorization: Bearer header, or the access_token parameter); any other token gets error 190, as Facebook
answers. Graph-level test knobs on a POST: "_notjson": N (the first N requests for its comments answer HTTP 200
with an HTML body), "_next": "elsewhere" | "same" (paging.next of its comments points to another host, or
repeats the request's own URL).

Endpoints (under any /vN.N prefix): /{page}/published_posts (since/until, limit, the requested fields),
/{post}/comments (limit, after, fields), /{post} (fields, including comments.…summary(true)), /{post}/insights
(metric). Lists are paged by `limit`; paging.next is a full URL that carries the token, as Facebook's does.
A Graph error object as a fault: {"path": …, "kind": 200, "body": {"error": {"code": 2, …}}} (fakelib rules).
"""
import json
import os
import re
import sys
import threading
from datetime import datetime, timezone
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402

DATA = {}
LOCK = threading.Lock()


def graph_time(s):
    """An ISO or Graph (+0000) time as a UTC epoch second."""
    s = s.replace("Z", "+00:00")
    m = re.fullmatch(r"(.*[+-]\d\d)(\d\d)", s)
    if m:
        s = m.group(1) + ":" + m.group(2)
    d = datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


def split_fields(s):
    """Top-level comma split of a Graph fields list (braces and parentheses nest)."""
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def pick(obj, fields):
    """The requested top-level fields of obj (from{id} is from), plus id."""
    out = {}
    for f in fields:
        name = re.split(r"[{.(]", f)[0]
        if name in obj:
            out[name] = obj[name]
    if "id" in obj:
        out["id"] = obj["id"]
    return out


class Handler(fakelib.FakeHandler):
    routes = [("GET", r"/(?:v\d+\.\d+/)?(?P<rest>[^/]+(?:/[^/]+)?)", "graph")]

    def graph_error(self, status, code, message, typ="GraphMethodException"):
        self.reply_json(status, {"error": {"message": message, "type": typ, "code": code,
                                           "fbtrace_id": "fake"}})

    def graph(self, m):
        q = {k: v[-1] for k, v in self.query.items()}
        auth = self.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else q.get("access_token")
        q.pop("access_token", None)
        page_id, page = None, None
        for pid, p in DATA["pages"].items():
            if token is not None and p.get("token") == token:
                page_id, page = pid, p
        if page is None:
            return self.graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token",
                                    "OAuthException")
        parts = m.group("rest").split("/")
        prefix = re.match(r"/v\d+\.\d+", self.path_only)
        base = "http://%s%s" % (self.headers.get("Host"), prefix.group(0) if prefix else "")
        posts = {p["id"]: p for p in page["posts"]}
        fields = split_fields(q.get("fields", ""))
        if len(parts) == 2 and parts[1] == "published_posts":
            if parts[0] != page_id:
                return self.graph_error(400, 100, "Object with ID '%s' does not exist" % parts[0])
            since = graph_time(q["since"]) if "since" in q else float("-inf")
            until = graph_time(q["until"]) if "until" in q else float("inf")
            items = [pick(p, fields) for p in page["posts"] if since <= graph_time(p["created_time"]) <= until]
            return self.paged(items, q, token, base, parts, None)
        if parts[0] not in posts:
            return self.graph_error(400, 100, "Unsupported get request. Object with ID '%s' does not exist"
                                    % parts[0])
        post = posts[parts[0]]
        if len(parts) == 2 and parts[1] == "comments":
            with LOCK:
                if post.get("_notjson", 0) > 0:
                    post["_notjson"] -= 1
                    return self.reply(200, "<html><body>Sorry, something went wrong.</body></html>", "text/html")
            items = [pick(c, fields) for c in post.get("comments", [])]
            return self.paged(items, q, token, base, parts, post.get("_next"))
        if len(parts) == 2 and parts[1] == "insights":
            data = []
            for name in q.get("metric", "").split(","):
                if name in post.get("insights", {}):
                    data.append({"name": name, "period": "lifetime", "values": [{"value": post["insights"][name]}],
                                 "title": name, "id": "%s/insights/%s/lifetime" % (post["id"], name)})
            return self.reply_json(200, {"data": data})
        if len(parts) == 1:
            out = {}
            for f in fields:
                if f.startswith("comments"):
                    n = post.get("total_count", len(post.get("comments", [])))
                    out["comments"] = {"data": [], "summary": {"order": "ranked", "total_count": n,
                                                               "can_comment": True}}
                elif f in post:
                    out[f] = post[f]
            out["id"] = post["id"]
            return self.reply_json(200, out)
        return self.graph_error(400, 100, "Unsupported get request")

    def paged(self, items, q, token, base, parts, next_fault):
        limit = int(q.get("limit", "25"))
        start = int(q.get("after", "0"))
        body = {"data": items[start:start + limit]}
        if start + limit < len(items) or next_fault:
            nq = dict(q)
            if next_fault != "same":
                nq["after"] = str(start + limit)
            nq["access_token"] = token
            host = "http://graph.example.invalid/v8.0" if next_fault == "elsewhere" else base
            body["paging"] = {"cursors": {"before": str(start), "after": str(start + limit)},
                              "next": host + "/" + "/".join(parts) + "?" + urlencode(nq)}
        self.reply_json(200, body)


def add_args(p):
    p.add_argument("--data", required=True, help="the pages, posts and comments to serve (JSON)")


def setup(args, state):
    with open(args.data) as f:
        DATA.update(json.load(f))


if __name__ == "__main__":
    fakelib.main(Handler, "a fake Facebook Graph API", add_args, setup)
