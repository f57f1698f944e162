"""fakelib: the base of every loopback fake server in t/fake/ (Python 3 standard library only).

A fake is one file, t/fake/NAME.py, that subclasses FakeHandler, lists its routes and calls main():

    import fakelib

    class Handler(fakelib.FakeHandler):
        routes = [("GET", r"/hello/(?P<who>[^/]+)", "hello")]

        def hello(self, m):
            self.reply_json(200, {"hello": m.group("who")})

    if __name__ == "__main__":
        fakelib.main(Handler, "a fake that says hello", add_args=None, setup=None)

Common command line (every fake):
    --port-file FILE   write the port here (atomically: FILE.tmp then rename) once listening
    --log FILE         append one JSON object per request: {"method", "path" (path+query), "headers"
                       (selected), "auth" (null, or the scheme: "Bearer", "Token", ...), "body" (parsed JSON,
                       a form as an object, text, or {"bytes": N}), "status" (what was answered, or
                       "reset"/"truncate"), "fault" (the fault kind applied, if any)}
    --faults FILE      a JSON list of fault rules (below), loaded at start
    --idle SECONDS     exit after this long without a request (default 30); also exits when its parent dies
    --parent PID       also exit when this process ends (start_fake passes the test script's pid, so a
                       slow start cannot miss its death)
    --token TOKEN      (repeatable) a bearer token the fake accepts
    --tokens-file FILE a file of accepted bearer tokens, one a line (the OAuth fake appends what it issues);
                       re-read on every check
    With neither --token nor --tokens-file, requests need no Authorization (like the emulators).

Control endpoints (never logged, never faulted):
    POST /_faults      body: a JSON list of rules; replaces the current rules
    GET  /_faults      the current rules with their remaining counts
    GET  /_log         the request log so far, as a JSON list
    POST /_quit        exit now

Fault rules: {"path": REGEX (re.search on path+query, default ".*"), "method": "GET" (default any),
"kind": 429 | 500 | 503 | any HTTP status | "reset" | "truncate" | "slow", "count": N (how many matching
requests get the fault, default 1), "skip": N (matching requests let through first, default 0),
"retry_after": "2" (for a status: a Retry-After header), "seconds": S (for slow: sleep before answering,
default 5), "body": JSON (for a status: the reply body; default a Google-style error object)}.
  reset     close the socket with no answer (RST)
  truncate  answer the real reply, but with a Content-Length larger than its body, then close
  slow      sleep, then answer normally
"""

import argparse
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOGGED_HEADERS = ("content-type", "accept", "user-agent", "x-goog-api-client", "content-range", "range")


class Fault(Exception):
    pass


class State:
    """What every request handler shares: options, fault rules, log, activity clock."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.rules = []
        self.log = []
        self.last_activity = time.monotonic()
        self.tokens = set(args.token or [])
        if args.faults:
            with open(args.faults) as f:
                self.set_rules(json.load(f))

    def set_rules(self, rules):
        if not isinstance(rules, list):
            raise ValueError("faults: expected a JSON list of rules")
        out = []
        for r in rules:
            if not isinstance(r, dict) or "kind" not in r:
                raise ValueError("faults: each rule is an object with a kind")
            r = dict(r)
            r.setdefault("path", ".*")
            r.setdefault("count", 1)
            r.setdefault("skip", 0)
            r["_re"] = re.compile(r["path"])
            out.append(r)
        with self.lock:
            self.rules = out

    def public_rules(self):
        with self.lock:
            return [{k: v for k, v in r.items() if not k.startswith("_")} for r in self.rules]

    def match_fault(self, method, path):
        with self.lock:
            for r in self.rules:
                if r.get("method") and r["method"].upper() != method:
                    continue
                if not r["_re"].search(path):
                    continue
                if r["skip"] > 0:
                    r["skip"] -= 1
                    continue
                if r["count"] <= 0:
                    continue
                r["count"] -= 1
                return r
        return None

    def accepted_tokens(self):
        toks = set(self.tokens)
        if self.args.tokens_file:
            try:
                with open(self.args.tokens_file) as f:
                    toks.update(line.strip() for line in f if line.strip())
            except FileNotFoundError:
                pass
        return toks

    def auth_required(self):
        return bool(self.args.token or self.args.tokens_file)

    def write_log(self, entry):
        with self.lock:
            self.log.append(entry)
            if self.args.log:
                with open(self.args.log, "a") as f:
                    f.write(json.dumps(entry, sort_keys=True) + "\n")


def parse_body(headers, raw):
    if not raw:
        return None
    ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"bytes": len(raw)}
    if ctype == "application/json" or (ctype == "" and text[:1] in "[{"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    if ctype == "application/x-www-form-urlencoded":
        return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
    if len(raw) > 65536:
        return {"bytes": len(raw)}
    return text


class FakeHandler(BaseHTTPRequestHandler):
    """Subclasses set routes = [(METHOD, REGEX on the path without query, "method_name"), ...].

    A route method gets the re.Match; self.query is the parsed query (dict of lists), self.body the raw
    bytes, self.json_body the parsed JSON (or None). It answers with reply / reply_json / error_json.
    """

    protocol_version = "HTTP/1.1"
    server_version = "tdtools-fake/1"
    routes = []
    state = None  # set by main()

    def log_message(self, fmt, *args):  # quiet: the JSON log is the record
        pass

    # ---- helpers for routes ----
    def reply(self, status, body=b"", content_type="application/octet-stream", headers=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        fault = self._fault
        length = len(body)
        if fault is not None and fault["kind"] == "truncate":
            length = len(body) + 100 + len(body) // 2
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if fault is not None and fault["kind"] == "truncate":
            self.send_header("Connection", "close")
        # The request is logged before the client can see any byte of the answer, so a test that reads the
        # log right after a request returns always finds it there.
        self._status = "truncate" if fault is not None and fault["kind"] == "truncate" else status
        self._log_entry()
        self.end_headers()
        if self.command != "HEAD":
            if fault is not None and fault["kind"] == "truncate":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self._status = "truncate"
                self.close_connection = True
                return
            self.wfile.write(body)
        self._status = status

    def reply_json(self, status, obj, headers=None):
        self.reply(status, json.dumps(obj, sort_keys=True) + "\n", "application/json", headers)

    def error_json(self, status, message, status_name=None, headers=None):
        names = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                 409: "ALREADY_EXISTS", 412: "FAILED_PRECONDITION", 429: "RESOURCE_EXHAUSTED",
                 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
        self.reply_json(status, {"error": {"code": status, "message": message,
                                           "status": status_name or names.get(status, "UNKNOWN")}}, headers)

    def check_auth(self):
        """True if the request may proceed; otherwise a 401 was answered."""
        if not self.state.auth_required():
            return True
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Bearer ") and auth[7:].strip() in self.state.accepted_tokens():
            return True
        if not auth:
            self.error_json(401, "Request is missing required authentication credential.")
        else:
            self.error_json(401, "Request had invalid authentication credentials.")
        return False

    # ---- dispatch ----
    def _handle(self):
        st = self.state
        st.last_activity = time.monotonic()
        self._fault = None
        self._status = None
        self._entry = None
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length > 0 else b""
        parsed = urllib.parse.urlsplit(self.path)
        self.path_only = parsed.path
        self.query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        self.json_body = None
        if self.body and (ctype == "application/json" or self.body[:1] in (b"{", b"[")):
            try:
                self.json_body = json.loads(self.body.decode("utf-8"))
            except ValueError:
                self.json_body = None

        if self.path_only.startswith("/_"):
            return self._control()

        fault = st.match_fault(self.command, self.path)
        auth = self.headers.get("Authorization")
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": {k: self.headers[k] for k in self.headers.keys() if k.lower() in LOGGED_HEADERS},
            "auth": (auth.split(" ", 1)[0] if auth else None),
            "body": parse_body(self.headers, self.body),
        }
        self._entry = entry
        try:
            if fault is not None:
                entry["fault"] = fault["kind"]
                kind = fault["kind"]
                if kind == "reset":
                    self._reset()
                    entry["status"] = "reset"
                    return
                if kind == "slow":
                    time.sleep(float(fault.get("seconds", 5)))
                elif kind != "truncate":
                    status = int(kind)
                    hdrs = {}
                    if fault.get("retry_after") is not None:
                        hdrs["Retry-After"] = str(fault["retry_after"])
                    if "body" in fault:
                        self.reply_json(status, fault["body"], hdrs)
                    else:
                        self.error_json(status, "injected fault", headers=hdrs)
                    return
                self._fault = fault
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            self._status = "client went away"
        finally:
            self._log_entry()
            st.last_activity = time.monotonic()

    def _log_entry(self):
        """Write this request's log line once, with the status known so far."""
        entry = self._entry
        if entry is None:
            return
        self._entry = None
        entry["status"] = entry.get("status") or self._status
        self.state.write_log(entry)

    def _route(self):
        for method, rx, name in self.routes:
            if method != self.command and not (method == "*"):
                continue
            m = re.fullmatch(rx, self.path_only)
            if m:
                return getattr(self, name)(m)
        for method, rx, name in self.routes:
            if re.fullmatch(rx, self.path_only):
                return self.error_json(405, "method not allowed")
        return self.error_json(404, "no route for %s %s" % (self.command, self.path_only))

    def _reset(self):
        # SO_LINGER with a zero timeout: close() sends an RST, as a crashed server or a middlebox would.
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        self.connection.close()

    def _control(self):
        st = self.state
        if self.path_only == "/_faults" and self.command == "POST":
            try:
                st.set_rules(self.json_body)
            except (ValueError, TypeError, re.error) as e:
                return self.reply_json(400, {"error": str(e)})
            return self.reply_json(200, st.public_rules())
        if self.path_only == "/_faults" and self.command == "GET":
            return self.reply_json(200, st.public_rules())
        if self.path_only == "/_log" and self.command == "GET":
            with st.lock:
                return self.reply_json(200, list(st.log))
        if self.path_only == "/_quit" and self.command == "POST":
            self.reply_json(200, {})
            os._exit(0)
        return self.control(self.path_only)

    def control(self, path):
        """Subclasses may add their own /_NAME endpoints here."""
        self._fault = None
        return self.reply_json(404, {"error": "no control endpoint " + path})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watchdog(state, idle, parent, watched):
    while True:
        time.sleep(0.2)
        if os.getppid() != parent or not _alive(watched):
            os._exit(0)
        if idle > 0 and time.monotonic() - state.last_activity > idle:
            os._exit(0)


def arg_parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    p.add_argument("--faults")
    p.add_argument("--idle", type=float, default=30.0)
    p.add_argument("--token", action="append")
    p.add_argument("--tokens-file")
    p.add_argument("--parent", type=int, help="exit when this process ends (default: the parent process)")
    return p


def main(handler_class, description, add_args=None, setup=None):
    """Parse the common options (and the fake's own, via add_args(parser)), call setup(args, state),
    serve on 127.0.0.1 on an ephemeral port until idle or orphaned."""
    parent = os.getppid()
    p = arg_parser(description)
    if add_args is not None:
        add_args(p)
    args = p.parse_args()
    state = State(args)
    handler_class.state = state
    if setup is not None:
        setup(args, state)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server(("127.0.0.1", 0), handler_class)
    port = server.server_address[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    watched = args.parent or parent
    threading.Thread(target=_watchdog, args=(state, args.idle, parent, watched), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0
