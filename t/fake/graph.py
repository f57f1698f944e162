#!/usr/bin/env python3
"""A fake Facebook Graph API on 127.0.0.1, for fb-fetch's tests (standard library only).

    graph.py --data DATA.json --port-file FILE [--log FILE] [--idle SECONDS] [--fault SPEC ...]

DATA.json: {"pages": {PAGE_ID: {"token": TOKEN, "posts": [POST, ...]}}}, where a POST is
{"id", "message"?, "created_time" (Graph form, 2020-11-05T10:00:00+0000), "attachments"?, "comments": [COMMENT...],
 "total_count"?, "insights"?: {metric: value}}. A COMMENT is what the Graph API returns for it (from, parent,
attachments, created_time, message, id). A request is answered from the page its token belongs to (the
Authorization: Bearer header, or the access_token parameter): another token gets error 190.

Endpoints (under any /vN.N prefix): /{page}/published_posts (since/until, limit, the requested fields),
/{post}/comments (limit, fields), /{post} (fields, including comments.filter(stream).limit(0).summary(true)),
/{post}/insights (metric). Lists are paged by `limit`; paging.next is a full URL that carries the token, as
Facebook's does.

Faults (--fault REGEX=KIND[*COUNT], COUNT default 1): the first COUNT requests whose path and query match REGEX
get KIND instead of the answer: graph-error (HTTP 200, a transient error object), rate-limit (HTTP 400,
code 4), http500, http429 (Retry-After: 0), reset (connection closed without a reply), truncate (a body
shorter than its Content-Length), notjson, auth (HTTP 400, code 190), badnext (paging.next on another host),
loopnext (paging.next is the same URL), slow (a 0.5 s delay, then the answer).

The port goes to --port-file once listening. The server exits after --idle seconds without a request
(default 30) or when its parent process goes away. The request log has one line per request:
"GET <path>?<query without access_token> auth=<bearer|param|none>".
"""
import argparse
import json
import os
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


class State:
    def __init__(self, args):
        with open(args.data) as f:
            self.data = json.load(f)
        self.faults = []
        for spec in args.fault or []:
            m = re.fullmatch(r"(.*)=([a-z0-9-]+)(?:\*(\d+))?", spec)
            if not m:
                sys.exit(f"graph.py: bad --fault {spec!r}")
            self.faults.append([re.compile(m.group(1)), m.group(2), int(m.group(3) or 1)])
        self.lock = threading.Lock()
        self.last = time.monotonic()
        self.log = open(args.log, "a") if args.log else None

    def fault_for(self, target):
        with self.lock:
            for f in self.faults:
                if f[2] > 0 and f[0].search(target):
                    f[2] -= 1
                    return f[1]
        return None

    def page_of_token(self, token):
        for page_id, page in self.data["pages"].items():
            if token is not None and page.get("token") == token:
                return page_id, page
        return None, None


def graph_time(s):
    """2020-11-05T10:00:00+0000 (or any ISO form) as a UTC epoch second."""
    from datetime import datetime, timezone
    s = s.replace("Z", "+00:00")
    m = re.fullmatch(r"(.*[+-]\d\d)(\d\d)", s)
    if m:
        s = m.group(1) + ":" + m.group(2)
    d = datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d.timestamp()


def pick(obj, fields):
    """The requested top-level fields of obj (from{id} → from), plus id."""
    out = {}
    for f in fields:
        name = f.split("{")[0].split(".")[0]
        if name in obj:
            out[name] = obj[name]
    if "id" in obj:
        out["id"] = obj["id"]
    return out


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


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reply(self, status, obj, headers=(), raw=None, declared=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(declared if declared is not None else len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def error(self, status, code, message, typ="GraphMethodException", transient=False):
        self.reply(status, {"error": {"message": message, "type": typ, "code": code, "is_transient": transient,
                                      "fbtrace_id": "fake"}})

    def do_GET(self):
        st = self.server.state
        st.last = time.monotonic()
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        auth = self.headers.get("Authorization", "")
        token, how = None, "none"
        if auth.startswith("Bearer "):
            token, how = auth[7:], "bearer"
        if "access_token" in q:
            token, how = q.pop("access_token"), ("param" if how == "none" else how)
        shown = url.path + ("?" + urlencode(sorted(q.items())) if q else "")
        if st.log:
            with st.lock:
                st.log.write(f"GET {shown} auth={how}\n")
                st.log.flush()
        fault = st.fault_for(shown)
        if fault == "reset":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if fault == "slow":
            time.sleep(0.5)
        elif fault == "http500":
            return self.reply(500, {"error": "fake 500"}, raw=b"<html>500</html>")
        elif fault == "http429":
            return self.reply(429, None, headers=[("Retry-After", "0")], raw=b"slow down")
        elif fault == "graph-error":
            return self.error(200, 2, "An unexpected error has occurred. Please retry your request later.",
                              "OAuthException", True)
        elif fault == "rate-limit":
            return self.error(400, 4, "Application request limit reached", "OAuthException", True)
        elif fault == "auth":
            return self.error(400, 190, f"Invalid OAuth access token - Cannot parse access token: {token}",
                              "OAuthException")
        elif fault == "notjson":
            return self.reply(200, None, raw=b"<html>not json</html>")
        elif fault == "truncate":
            self.reply(200, None, raw=b'{"data": [', declared=400)
            self.close_connection = True
            return
        page_id, page = st.page_of_token(token)
        if page is None:
            return self.error(400, 190, "Invalid OAuth access token - Cannot parse access token", "OAuthException")
        parts = [p for p in url.path.split("/") if p]
        if parts and re.fullmatch(r"v\d+\.\d+", parts[0]):
            parts = parts[1:]
        base = f"http://{self.headers.get('Host')}" + ("/" + url.path.split("/")[1]
                                                        if re.fullmatch(r"/v\d+\.\d+/.*", url.path) else "")
        posts = {p["id"]: p for p in page["posts"]}
        fields = split_fields(q.get("fields", ""))
        if len(parts) == 2 and parts[1] == "published_posts":
            if parts[0] != page_id:
                return self.error(400, 100, f"Unsupported get request. Object with ID '{parts[0]}' does not exist")
            since = graph_time(q["since"]) if "since" in q else float("-inf")
            until = graph_time(q["until"]) if "until" in q else float("inf")
            items = [pick(p, fields) for p in page["posts"] if since <= graph_time(p["created_time"]) <= until]
            return self.paged(items, q, token, base, parts, fault)
        if not parts or parts[0] not in posts:
            return self.error(400, 100, "Unsupported get request. Object with ID '%s' does not exist"
                              % (parts[0] if parts else ""))
        post = posts[parts[0]]
        if len(parts) == 2 and parts[1] == "comments":
            items = [pick(c, fields) for c in post.get("comments", [])]
            return self.paged(items, q, token, base, parts, fault)
        if len(parts) == 2 and parts[1] == "insights":
            data = []
            for name in q.get("metric", "").split(","):
                if name in post.get("insights", {}):
                    data.append({"name": name, "period": "lifetime", "values": [{"value": post["insights"][name]}],
                                 "title": name, "id": f"{post['id']}/insights/{name}/lifetime"})
            return self.reply(200, {"data": data, "paging": {"previous": "x", "next": "y"}})
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
            return self.reply(200, out)
        return self.error(400, 100, "Unsupported get request")

    def paged(self, items, q, token, base, parts, fault):
        limit = int(q.get("limit", "25"))
        start = int(q.get("after", "0"))
        chunk = items[start:start + limit]
        body = {"data": chunk}
        if start + limit < len(items) or fault in ("badnext", "loopnext"):
            nq = dict(q)
            nq["after"] = str(start + limit)
            nq["access_token"] = token
            nxt = base + "/" + "/".join(parts) + "?" + urlencode(nq)
            if fault == "badnext":
                nxt = "http://graph.example.invalid/v8.0/" + "/".join(parts) + "?" + urlencode(nq)
            elif fault == "loopnext":
                q2 = dict(q)
                q2["access_token"] = token
                nxt = base + "/" + "/".join(parts) + "?" + urlencode(q2)
            body["paging"] = {"cursors": {"before": str(start), "after": str(start + limit)}, "next": nxt}
        self.reply(200, body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--idle", type=float, default=30)
    ap.add_argument("--fault", action="append")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = State(args)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{srv.server_address[1]}\n")
    os.rename(tmp, args.port_file)
    parent = os.getppid()

    def watchdog():
        while True:
            time.sleep(0.2)
            if time.monotonic() - srv.state.last > args.idle or os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
