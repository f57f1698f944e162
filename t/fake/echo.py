#!/usr/bin/env python3
"""echo: a trivial fake for the HTTP client's own tests (t/unit/http.c via t/t5000-http-*.sh).

Routes (any method unless said):
    /echo[/...]          200, JSON {"method", "path", "query", "auth" (the Authorization header), "body"}
    /auth/echo[/...]     the same, but a bearer token from --token/--tokens-file is required (else 401)
    GET /bytes/N         200, N bytes: "0123456789abcdef\\n" repeated, cut at N
    /status/N            status N with a Google-style JSON error body ("status N")
    GET /redirect?to=URL 302 to URL (for the redirect rules)
Plus everything in fakelib (faults, log, idle exit, /_faults).
"""
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402


class Handler(fakelib.FakeHandler):
    routes = [
        ("*", r"/echo(/.*)?", "echo"),
        ("*", r"/auth/echo(/.*)?", "auth_echo"),
        ("GET", r"/bytes/(\d+)", "nbytes"),
        ("*", r"/status/(\d+)", "status"),
        ("GET", r"/redirect", "redirect"),
    ]

    def auth_echo(self, m):
        if self.check_auth():
            self.echo(m)

    def echo(self, m):
        self.reply_json(200, {
            "method": self.command,
            "path": self.path_only,
            "query": {k: v[0] for k, v in self.query.items()},
            "auth": self.headers.get("Authorization"),
            "body": self.body.decode("utf-8", "replace"),
        })

    def nbytes(self, m):
        n = int(m.group(1))
        unit = b"0123456789abcdef\n"
        data = (unit * (n // len(unit) + 1))[:n]
        self.reply(200, data, "application/octet-stream")

    def status(self, m):
        self.error_json(int(m.group(1)), "status %s" % m.group(1))

    def redirect(self, m):
        to = self.query.get("to", [""])[0]
        self.reply(302, b"", "text/plain", {"Location": to})


if __name__ == "__main__":
    fakelib.main(Handler, "echo fake for the HTTP client tests")
