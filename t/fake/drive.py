#!/usr/bin/env python3
"""drive: a fake Google Drive v3 API (the subset lib/net/drive.c speaks; apis.md §3.5).

Files live in memory. --seed FILE (JSON) gives the starting state:
    {"files": [{"id", "name", "mimeType"?, "parents"?: [ids], "sharedWithMe"?: bool, "content"?: text}],
     "drives": [{"id", "name"}]}
A shared drive's id is also a folder id (the root of the drive). New ids are "f1", "f2", ... in order.

    GET    /drive/v3/files?q=Q&pageToken=T      {"files": [{"id","name","mimeType"}], "nextPageToken"?}
           Q: clauses joined by " and ": name = '..', mimeType = '..', mimeType != '..', '<id>' in parents,
           sharedWithMe = true, trashed = false ('\\'' and '\\\\' escapes in quoted strings)
    POST   /drive/v3/files                      create a folder (JSON metadata name, mimeType, parents)
    DELETE /drive/v3/files/ID                   204
    GET    /drive/v3/drives?q=name = '..'       {"drives": [...]}
    POST   /upload/drive/v3/files?uploadType=multipart   multipart/related: JSON metadata, then the content
    PATCH  /upload/drive/v3/files/ID?uploadType=multipart the same, updating the content (and name, if given)
    POST|PATCH ...?uploadType=resumable         JSON metadata; answers Location: .../upload/sessions/SID
    PUT    /upload/drive/v3/sessions/SID        the content; answers {"id"}
Checks: the bearer token (fakelib --tokens-file), the multipart framing and parts, that parents exist and
are folders, supportsAllDrives=true for anything inside a shared drive (else 404, as the real API).
Control: GET /_files: every file {"id","name","mimeType","parents","content","updates"} by id.
--page-size N pages listings (default 100).
"""
import json
import os
import re
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402

FOLDER = "application/vnd.google-apps.folder"
LOCK = threading.Lock()
FILES = {}
DRIVES = {}
SESSIONS = {}
COUNTER = [0]


def new_id(prefix="f"):
    COUNTER[0] += 1
    return "%s%d" % (prefix, COUNTER[0])


def parse_q(q):
    """The clauses of a q string, as (field, op, value) tuples; ValueError if it is malformed."""
    clauses = []
    i, n = 0, len(q)
    tokens = []
    while i < n:
        c = q[i]
        if c == " ":
            i += 1
        elif c == "'":
            i += 1
            s = []
            while True:
                if i >= n:
                    raise ValueError("unterminated string in q")
                if q[i] == "\\" and i + 1 < n:
                    s.append(q[i + 1])
                    i += 2
                elif q[i] == "'":
                    i += 1
                    break
                else:
                    s.append(q[i])
                    i += 1
            tokens.append(("str", "".join(s)))
        else:
            m = re.match(r"!=|=|[A-Za-z]+", q[i:])
            if not m:
                raise ValueError("bad q at %r" % q[i:])
            tokens.append(("word", m.group(0)))
            i += len(m.group(0))
    groups, cur = [], []
    for t in tokens:
        if t == ("word", "and"):
            groups.append(cur)
            cur = []
        else:
            cur.append(t)
    groups.append(cur)
    for g in groups:
        if len(g) == 3 and g[0][0] == "str" and g[1] == ("word", "in") and g[2] == ("word", "parents"):
            clauses.append(("parents", "in", g[0][1]))
        elif len(g) == 3 and g[0][0] == "word" and g[1][1] in ("=", "!="):
            clauses.append((g[0][1], g[1][1], g[2][1]))
        else:
            raise ValueError("bad clause in q: %r" % (g,))
    return clauses


def matches(f, clauses):
    for field, op, value in clauses:
        if field == "parents":
            ok = value in f.get("parents", [])
        elif field == "name":
            ok = f["name"] == value
        elif field == "mimeType":
            ok = f["mimeType"] == value
        elif field == "sharedWithMe":
            ok = bool(f.get("sharedWithMe")) == (value == "true")
        elif field == "trashed":
            ok = (value == "false")
        else:
            raise ValueError("unknown field in q: " + field)
        if op == "!=":
            ok = not ok
        if not ok:
            return False
    return True


def drive_of(fid, seen=None):
    """The shared drive a file is in, or None."""
    seen = seen or set()
    if fid in DRIVES:
        return fid
    f = FILES.get(fid)
    if f is None or fid in seen:
        return None
    seen.add(fid)
    for p in f.get("parents", []):
        d = drive_of(p, seen)
        if d:
            return d
    return None


class Handler(fakelib.FakeHandler):
    routes = [
        ("GET", r"/drive/v3/files", "list_files"),
        ("POST", r"/drive/v3/files", "create_folder"),
        ("DELETE", r"/drive/v3/files/([^/]+)", "delete_file"),
        ("GET", r"/drive/v3/drives", "list_drives"),
        ("POST", r"/upload/drive/v3/files", "upload_create"),
        ("PATCH", r"/upload/drive/v3/files/([^/]+)", "upload_update"),
        ("PUT", r"/upload/drive/v3/sessions/([^/]+)", "upload_session"),
    ]

    def all_drives(self):
        return self.query.get("supportsAllDrives", [""])[0] == "true"

    def visible(self, fid):
        return fid in FILES and (drive_of(fid) is None or self.all_drives())

    def is_folder(self, fid):
        return fid in DRIVES or (fid in FILES and FILES[fid]["mimeType"] == FOLDER)

    def check_parents(self, parents):
        if not isinstance(parents, list) or len(parents) != 1:
            self.error_json(400, "expected exactly one parent")
            return False
        p = parents[0]
        if p not in DRIVES and not self.visible(p):
            self.error_json(404, "File not found: %s." % p)
            return False
        if not self.is_folder(p):
            self.error_json(400, "The parent %s is not a folder." % p)
            return False
        if drive_of(p) is not None and not self.all_drives():
            self.error_json(404, "File not found: %s." % p)
            return False
        return True

    def list_files(self, m):
        if not self.check_auth():
            return
        try:
            clauses = parse_q(self.query.get("q", [""])[0])
        except ValueError as e:
            return self.error_json(400, "Invalid Value: " + str(e))
        with LOCK:
            hits = [f for fid, f in sorted(FILES.items(), key=lambda kv: kv[1]["order"])
                    if matches(f, clauses) and (drive_of(fid) is None or
                                               self.query.get("includeItemsFromAllDrives", [""])[0] == "true")]
        start = int(self.query.get("pageToken", ["0"])[0] or 0)
        size = self.state.args.page_size
        page = hits[start:start + size]
        out = {"files": [{"id": f["id"], "name": f["name"], "mimeType": f["mimeType"]} for f in page]}
        if start + size < len(hits):
            out["nextPageToken"] = str(start + size)
        self.reply_json(200, out)

    def create_folder(self, m):
        if not self.check_auth():
            return
        meta = self.json_body
        if not isinstance(meta, dict) or meta.get("mimeType") != FOLDER or not meta.get("name"):
            return self.error_json(400, "expected folder metadata {name, mimeType: folder, parents}")
        with LOCK:
            if not self.check_parents(meta.get("parents")):
                return
            fid = new_id()
            FILES[fid] = {"id": fid, "name": meta["name"], "mimeType": FOLDER, "parents": meta["parents"],
                          "content": None, "updates": 0, "order": COUNTER[0]}
        self.reply_json(200, {"id": fid})

    def delete_file(self, m):
        if not self.check_auth():
            return
        fid = urllib.parse.unquote(m.group(1))
        with LOCK:
            if not self.visible(fid):
                return self.error_json(404, "File not found: %s." % fid)
            del FILES[fid]
        self.reply(204, b"")

    def list_drives(self, m):
        if not self.check_auth():
            return
        try:
            clauses = parse_q(self.query.get("q", [""])[0])
        except ValueError as e:
            return self.error_json(400, "Invalid Value: " + str(e))
        names = [v for f, op, v in clauses if f == "name" and op == "="]
        out = [d for d in DRIVES.values() if not names or d["name"] in names]
        self.reply_json(200, {"drives": out})

    def parse_multipart(self):
        """(metadata dict, content bytes, content type), or None after answering 400."""
        ctype = self.headers.get("Content-Type") or ""
        mm = re.fullmatch(r"multipart/related;\s*boundary=\"?([^\";]+)\"?", ctype.strip())
        if not mm:
            self.error_json(400, "expected Content-Type multipart/related; boundary=...")
            return None
        b = b"--" + mm.group(1).encode()
        body = self.body
        if not body.startswith(b + b"\r\n") or not body.endswith(b"\r\n" + b + b"--\r\n"):
            self.error_json(400, "malformed multipart body (framing)")
            return None
        inner = body[len(b) + 2:-(len(b) + 6)]
        parts = inner.split(b"\r\n" + b + b"\r\n")
        if len(parts) != 2:
            self.error_json(400, "expected 2 parts, got %d" % len(parts))
            return None
        out = []
        for part in parts:
            head, sep, data = part.partition(b"\r\n\r\n")
            if not sep:
                self.error_json(400, "a part without headers")
                return None
            hdrs = {}
            for line in head.split(b"\r\n"):
                k, _, v = line.decode().partition(":")
                hdrs[k.strip().lower()] = v.strip()
            out.append((hdrs.get("content-type", ""), data))
        if not out[0][0].startswith("application/json"):
            self.error_json(400, "the first part must be the JSON metadata")
            return None
        try:
            meta = json.loads(out[0][1].decode())
        except ValueError:
            self.error_json(400, "the metadata part is not JSON")
            return None
        if not out[1][0]:
            self.error_json(400, "the media part has no Content-Type")
            return None
        return meta, out[1][1], out[1][0]

    def store(self, fid, meta, content, ctype):
        """Create (fid None) or update a file; answers {"id"}."""
        with LOCK:
            if fid is None:
                if not meta.get("name"):
                    return self.error_json(400, "a new file needs a name")
                if not self.check_parents(meta.get("parents")):
                    return
                fid = new_id()
                FILES[fid] = {"id": fid, "name": meta["name"], "mimeType": ctype, "parents": meta["parents"],
                              "content": None, "updates": 0, "order": COUNTER[0]}
            else:
                if not self.visible(fid):
                    return self.error_json(404, "File not found: %s." % fid)
                if "parents" in meta:
                    return self.error_json(403, "parents is not directly writable (use addParents)")
                if meta.get("name"):
                    FILES[fid]["name"] = meta["name"]
                FILES[fid]["updates"] += 1
                FILES[fid]["mimeType"] = ctype
            FILES[fid]["content"] = content.decode("utf-8", "replace")
        self.reply_json(200, {"id": fid})

    def upload(self, fid):
        if not self.check_auth():
            return
        kind = self.query.get("uploadType", [""])[0]
        if kind == "multipart":
            got = self.parse_multipart()
            if got is None:
                return
            return self.store(fid, *got)
        if kind == "resumable":
            meta = self.json_body if isinstance(self.json_body, dict) else None
            if meta is None:
                return self.error_json(400, "resumable: expected JSON metadata")
            ctype = self.headers.get("X-Upload-Content-Type") or "application/octet-stream"
            sid = new_id("s")
            SESSIONS[sid] = (fid, meta, ctype, self.all_drives())
            port = self.server.server_address[1]
            return self.reply(200, b"", headers={
                "Location": "http://127.0.0.1:%d/upload/drive/v3/sessions/%s" % (port, sid)})
        return self.error_json(400, "uploadType must be multipart or resumable")

    def upload_create(self, m):
        return self.upload(None)

    def upload_update(self, m):
        return self.upload(urllib.parse.unquote(m.group(1)))

    def upload_session(self, m):
        if not self.check_auth():
            return
        sid = m.group(1)
        if sid not in SESSIONS:
            return self.error_json(404, "no such upload session")
        fid, meta, ctype, all_drives = SESSIONS.pop(sid)
        if all_drives:
            self.query["supportsAllDrives"] = ["true"]
        return self.store(fid, meta, self.body, ctype)

    def control(self, path):
        self._fault = None
        if path == "/_files":
            with LOCK:
                out = {fid: {k: v for k, v in f.items() if k != "order"} for fid, f in FILES.items()}
            return self.reply_json(200, out)
        return self.reply_json(404, {"error": "no control endpoint " + path})


def add_args(p):
    p.add_argument("--seed")
    p.add_argument("--page-size", type=int, default=100)


def setup(args, state):
    if not args.seed:
        return
    with open(args.seed) as f:
        seed = json.load(f)
    for i, f in enumerate(seed.get("files", [])):
        FILES[f["id"]] = {"id": f["id"], "name": f["name"], "mimeType": f.get("mimeType", FOLDER),
                          "parents": f.get("parents", []), "sharedWithMe": f.get("sharedWithMe", False),
                          "content": f.get("content"), "updates": 0, "order": -1000 + i}
    for d in seed.get("drives", []):
        DRIVES[d["id"]] = {"id": d["id"], "name": d["name"]}


if __name__ == "__main__":
    fakelib.main(Handler, "fake Google Drive v3 API", add_args, setup)
