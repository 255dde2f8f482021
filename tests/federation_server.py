#!/usr/bin/env python3
"""A stand-in for the AWS console federation endpoint, for afp's tests.

usage: federation_server.py MOTO_URL LOG_FILE PORT_FILE [PARENT_PID]

Serves on 127.0.0.1 (a port the kernel picks, written to PORT_FILE once
listening) until killed or until PARENT_PID is gone.

GET /federation?Action=getSigninToken&Session=JSON[&SessionDuration=N]
    Session must be a JSON object with exactly the string keys sessionId,
    sessionKey and sessionToken. The credentials must work: the stand-in
    calls sts GetCallerIdentity with them against moto, which checks the
    signature (so sessionKey must belong to sessionId) and the session
    token. SessionDuration, when present, must be 900-43200. The answer is
    {"SigninToken": "<random>"}, a token with '+', '/' and '=' in it so
    that callers must encode it.
GET /federation?Action=login&Issuer=U&Destination=U&SigninToken=T
    200 with a page naming nothing secret when T is a token handed out in
    the last 15 minutes, else 400.
Anything else is 400.

Each answered request appends one JSON line to LOG_FILE:
    {"action": "getSigninToken", "access_key": ..., "session_duration":
     N or null, "arn": ..., "secret_sha256": ..., "token_sha256": ...,
     "signin_token": ...}
    {"action": "login", "signin_token": ..., "access_key": ...}
The secret key and session token appear only as SHA-256 digests, so the
test can compare them with what the CGI answers without writing them down.
"""

import base64
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from serve import serve

TOKEN_TTL = 900
SESSION_KEYS = {"sessionId", "sessionKey", "sessionToken"}


class State:
    def __init__(self, moto_url, log_file):
        self.moto_url = moto_url
        self.log_file = log_file
        self.lock = threading.Lock()
        self.tokens = {}  # signin token -> (access key id, issued at)

    def log(self, record):
        with self.lock:
            with open(self.log_file, "a", encoding="utf-8") as f:
                f.write(json.dumps(record, sort_keys=True) + "\n")


def sha256(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def caller_arn(moto_url, session):
    import boto3
    from botocore.config import Config

    sts = boto3.session.Session().client(
        "sts",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id=session["sessionId"],
        aws_secret_access_key=session["sessionKey"],
        aws_session_token=session["sessionToken"],
        config=Config(retries={"max_attempts": 1}),
    )
    return sts.get_caller_identity()["Arn"]


class Handler(BaseHTTPRequestHandler):
    server_version = "federation-stand-in"

    def log_message(self, fmt, *args):
        # The request line carries secrets: never print it.
        pass

    def answer(self, status, body, ctype="application/json"):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def refuse(self, why):
        self.answer(400, json.dumps({"error": why}))

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path != "/federation":
            return self.refuse("unknown path")
        try:
            pairs = urllib.parse.parse_qsl(query, keep_blank_values=True,
                                           strict_parsing=True,
                                           errors="strict")
        except ValueError:
            return self.refuse("malformed query")
        params = dict(pairs)
        if len(params) != len(pairs):
            return self.refuse("a parameter given twice")
        action = params.get("Action")
        if action == "getSigninToken":
            return self.get_signin_token(params)
        if action == "login":
            return self.login(params)
        return self.refuse("unknown Action")

    def get_signin_token(self, params):
        state = self.server.state
        if not set(params) <= {"Action", "Session", "SessionDuration"}:
            return self.refuse("unexpected parameter")
        duration = params.get("SessionDuration")
        if duration is not None:
            if not duration.isdigit() or not 900 <= int(duration) <= 43200:
                return self.refuse("bad SessionDuration")
            duration = int(duration)
        try:
            session = json.loads(params["Session"])
        except (KeyError, ValueError):
            return self.refuse("Session missing or not JSON")
        if (not isinstance(session, dict) or set(session) != SESSION_KEYS or
                not all(isinstance(v, str) and v for v in session.values())):
            return self.refuse("Session must hold exactly sessionId, "
                               "sessionKey and sessionToken")
        try:
            arn = caller_arn(state.moto_url, session)
        except Exception as e:  # any failure means the credentials do not work
            return self.refuse("credentials refused: %s" % type(e).__name__)
        token = base64.b64encode(os.urandom(96)).decode("ascii")
        with state.lock:
            state.tokens[token] = (session["sessionId"], time.time())
        state.log({
            "action": "getSigninToken",
            "access_key": session["sessionId"],
            "session_duration": duration,
            "arn": arn,
            "secret_sha256": sha256(session["sessionKey"]),
            "token_sha256": sha256(session["sessionToken"]),
            "signin_token": token,
        })
        self.answer(200, json.dumps({"SigninToken": token}))

    def login(self, params):
        state = self.server.state
        if set(params) != {"Action", "Issuer", "Destination", "SigninToken"}:
            return self.refuse("login needs Issuer, Destination, SigninToken")
        with state.lock:
            issued = state.tokens.get(params["SigninToken"])
        if issued is None or time.time() - issued[1] > TOKEN_TTL:
            return self.refuse("unknown or expired SigninToken")
        state.log({"action": "login", "signin_token": params["SigninToken"],
                   "access_key": issued[0]})
        self.answer(200, "<!DOCTYPE html><title>console</title><p>signed in</p>\n",
                    "text/html; charset=utf-8")


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state = State(argv[1], argv[2])
    serve(server, argv[3], int(argv[4]) if len(argv) == 5 else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
