#!/usr/bin/env python3
"""gcs: a fake Cloud Storage JSON API (the subset lib/net/gcs.c speaks; apis.md §3.4).

Objects live in --dir DIR: DIR/BUCKET/NAME, where NAME is the object name percent-encoded as one file
name (urllib.parse.quote(name, safe="")), so "a/b.txt" is DIR/BUCKET/a%2Fb.txt. A bucket exists when its
directory does. Tests seed objects by writing files there and read uploads back the same way.

    GET  /storage/v1/b/B/o/NAME?alt=media          the object's bytes (404 if missing)
    GET  /download/storage/v1/b/B/o/NAME?alt=media the same
    GET  /storage/v1/b/B/o/NAME                    its metadata {"kind", "bucket", "name", "size"}
    POST /upload/storage/v1/b/B/o?uploadType=media&name=NAME   store the body; answers the metadata
    GET  /storage/v1/b/B/o?prefix=P&pageToken=T&maxResults=N   {"kind", "items": [...], "nextPageToken"?}
                                                   names in byte order, --page-size (default 1000) per page
NAME in a path must be one percent-encoded segment ('/' as %2F), as the real API wants.
With --token/--tokens-file (fakelib) every request needs a valid bearer token (else 401).
"""
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402

SEG = r"[^/]+"


class Handler(fakelib.FakeHandler):
    routes = [
        ("GET", r"/(?:download/)?storage/v1/b/(%s)/o/(%s)" % (SEG, SEG), "get_object"),
        ("GET", r"/storage/v1/b/(%s)/o" % SEG, "list_objects"),
        ("POST", r"/upload/storage/v1/b/(%s)/o" % SEG, "upload"),
    ]

    def bucket_dir(self, bucket):
        return os.path.join(self.state.args.dir, urllib.parse.unquote(bucket))

    def meta(self, bucket, name, path):
        return {"kind": "storage#object", "bucket": bucket, "name": name, "size": str(os.path.getsize(path))}

    def get_object(self, m):
        if not self.check_auth():
            return
        bucket, name = urllib.parse.unquote(m.group(1)), urllib.parse.unquote(m.group(2))
        path = os.path.join(self.bucket_dir(m.group(1)), urllib.parse.quote(name, safe=""))
        if not os.path.isfile(path):
            return self.error_json(404, "No such object: %s/%s" % (bucket, name))
        if self.query.get("alt", [""])[0] == "media":
            with open(path, "rb") as f:
                return self.reply(200, f.read(), "application/octet-stream")
        self.reply_json(200, self.meta(bucket, name, path))

    def list_objects(self, m):
        if not self.check_auth():
            return
        bucket = urllib.parse.unquote(m.group(1))
        d = self.bucket_dir(m.group(1))
        if not os.path.isdir(d):
            return self.error_json(404, "The specified bucket does not exist.")
        prefix = self.query.get("prefix", [""])[0]
        after = self.query.get("pageToken", [""])[0]
        size = int(self.query.get("maxResults", [self.state.args.page_size])[0])
        names = sorted((urllib.parse.unquote(f) for f in os.listdir(d) if not f.endswith(".uploading")),
                       key=lambda s: s.encode("utf-8"))
        names = [n for n in names if n.startswith(prefix) and (not after or n.encode() > after.encode())]
        page = names[:size]
        out = {"kind": "storage#objects",
               "items": [self.meta(bucket, n, os.path.join(d, urllib.parse.quote(n, safe=""))) for n in page]}
        if len(names) > size:
            out["nextPageToken"] = page[-1]
        self.reply_json(200, out)

    def upload(self, m):
        if not self.check_auth():
            return
        bucket = urllib.parse.unquote(m.group(1))
        if self.query.get("uploadType", [""])[0] != "media":
            return self.error_json(400, "only uploadType=media is supported by this fake")
        name = self.query.get("name", [""])[0]
        if not name:
            return self.error_json(400, "Required parameter: name")
        d = self.bucket_dir(m.group(1))
        if not os.path.isdir(d):
            return self.error_json(404, "The specified bucket does not exist.")
        path = os.path.join(d, urllib.parse.quote(name, safe=""))
        tmp = path + ".uploading"
        with open(tmp, "wb") as f:
            f.write(self.body)
        os.rename(tmp, path)
        self.reply_json(200, self.meta(bucket, name, path))


def add_args(p):
    p.add_argument("--dir", required=True)
    p.add_argument("--page-size", type=int, default=1000)


if __name__ == "__main__":
    fakelib.main(Handler, "fake Cloud Storage JSON API", add_args)
