#!/usr/bin/env python3
"""oauth: a fake Google OAuth 2.0 token endpoint for the service-account JWT-bearer flow (apis.md §3.2).

    POST /token   form grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT
                  → 200 {"access_token": "ya29.fake-…", "expires_in": N, "token_type": "Bearer"}
                  → 400 {"error": "invalid_grant", "error_description": why} when the JWT is wrong

The JWT is checked: three base64url parts; header alg RS256, typ JWT; claims iss, scope, aud, iat, exp
present; aud is this endpoint's own URL (http://127.0.0.1:PORT/token); exp - iat <= 3600; iat within
300 s of now; iss among --client-email (if given); scope contains --require-scope (if given); and, with
--public-key PEM (repeatable), the RS256 signature verifies with one of them (openssl dgst -sha256 -verify).
Every token issued is appended to --tokens-file, which the other fakes read (--tokens-file) to accept it.

Options (besides fakelib's): --tokens-file FILE, --public-key PEM, --client-email EMAIL,
--require-scope SCOPE, --expires-in N (default 3599).
Control: GET /_issued → {"count": tokens issued so far}; POST /_expires_in with a JSON number changes
the expires_in of the tokens issued from then on.
"""
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakelib  # noqa: E402

ISSUED = {"count": 0}


def b64url_decode(s):
    s += "=" * (-len(s) % 4)
    return base64.urlsafe_b64decode(s.encode("ascii"))


class Handler(fakelib.FakeHandler):
    routes = [("POST", r"/token", "token")]

    def refuse(self, why):
        self.reply_json(400, {"error": "invalid_grant", "error_description": why})

    def token(self, m):
        args = self.state.args
        form = fakelib.parse_body(self.headers, self.body) or {}
        if not isinstance(form, dict) or form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self.reply_json(400, {"error": "unsupported_grant_type",
                                         "error_description": "Invalid grant_type"})
        jwt = form.get("assertion", "")
        parts = jwt.split(".")
        if len(parts) != 3:
            return self.refuse("Invalid JWT: not three parts")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            sig = b64url_decode(parts[2])
        except (ValueError, UnicodeDecodeError):
            return self.refuse("Invalid JWT: bad base64url or JSON")
        if header.get("alg") != "RS256" or header.get("typ") != "JWT":
            return self.refuse("Invalid JWT header")
        for k in ("iss", "scope", "aud", "iat", "exp"):
            if k not in claims:
                return self.refuse("Invalid JWT: no %s claim" % k)
        port = self.server.server_address[1]
        if claims["aud"] != "http://127.0.0.1:%d/token" % port:
            return self.refuse("Invalid JWT audience")
        now = time.time()
        if not isinstance(claims["iat"], int) or not isinstance(claims["exp"], int):
            return self.refuse("Invalid JWT: iat and exp must be integers")
        if claims["exp"] - claims["iat"] > 3600 or claims["exp"] <= claims["iat"]:
            return self.refuse("Invalid JWT: exp must be within an hour of iat")
        if abs(claims["iat"] - now) > 300:
            return self.refuse("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe")
        if args.client_email and claims["iss"] not in args.client_email:
            return self.refuse("Invalid JWT: unknown issuer")
        if args.require_scope and args.require_scope not in claims["scope"].split():
            return self.refuse("Invalid JWT: scope does not include " + args.require_scope)
        if args.public_key and not self.verified(parts[0] + "." + parts[1], sig, args.public_key):
            return self.refuse("Invalid JWT Signature.")
        token = "ya29.fake-" + secrets.token_hex(16)
        if args.tokens_file:
            with open(args.tokens_file, "a") as f:
                f.write(token + "\n")
        ISSUED["count"] += 1
        self.reply_json(200, {"access_token": token, "expires_in": args.expires_in, "token_type": "Bearer"})

    def verified(self, signing_input, sig, keys):
        with tempfile.TemporaryDirectory() as d:
            data, sigf = os.path.join(d, "data"), os.path.join(d, "sig")
            with open(data, "wb") as f:
                f.write(signing_input.encode("ascii"))
            with open(sigf, "wb") as f:
                f.write(sig)
            for k in keys:
                r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", k, "-signature", sigf, data],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if r.returncode == 0:
                    return True
        return False

    def control(self, path):
        if path == "/_issued":
            return self.reply_json(200, dict(ISSUED))
        if path == "/_expires_in" and self.command == "POST" and isinstance(self.json_body, int):
            self.state.args.expires_in = self.json_body
            return self.reply_json(200, self.json_body)
        return super().control(path)


def add_args(p):
    p.add_argument("--public-key", action="append")
    p.add_argument("--client-email", action="append")
    p.add_argument("--require-scope")
    p.add_argument("--expires-in", type=int, default=3599)


def setup(args, state):
    # The token endpoint itself needs no bearer token: its tokens file is for the others.
    state.tokens = set()
    args.token = None
    state.auth_required = lambda: False


if __name__ == "__main__":
    fakelib.main(Handler, "fake Google OAuth token endpoint", add_args, setup)
