#!/usr/bin/env python3
"""A fast stand-in for AWS STS, for afp's crash and concurrency tests.

usage: sts_fast.py LOG_FILE PORT_FILE [--token-len N] [--parent-pid PID]

moto needs tens of milliseconds per call; these tests make thousands of
calls, so this server answers from memory. It checks no signature: the
tests here are about what the refresher does with its cache, not about
SigV4 (moto's tests cover that).

Serves HTTP/1.1 with keep-alive on 127.0.0.1 (a port the kernel picks,
written to PORT_FILE once listening) until killed or until PARENT_PID is
gone.

POST with a form body (the STS query protocol):
    Action=AssumeRole (RoleArn, RoleSessionName), GetFederationToken
    (Name), GetSessionToken: fresh credentials every time, a new access
    key id, secret key and session token of --token-len characters,
    expiring in an hour.
    Action=GetCallerIdentity: the identity of the access key id named in
    the Authorization header's Credential=; InvalidClientTokenId when this
    server never issued that key.
Anything else gets an STS error document (400).

Every issue appends one JSON line to LOG_FILE before the answer is sent:
    {"key": ..., "secret_sha256": ..., "token_sha256": ..., "arn": ...,
     "expiration": ...}
Secret key and session token appear only as SHA-256 digests, so a test can
check a triple it reads back without writing the secrets down.
"""

import argparse
import hashlib
import json
import re
import secrets
import string
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from serve import serve

ACCOUNT = "123456789012"
NS = "https://sts.amazonaws.com/doc/2011-06-15/"
KEY_CHARS = string.ascii_uppercase + string.digits
SECRET_CHARS = string.ascii_letters + string.digits + "+/"
CREDENTIAL = re.compile(r"Credential=([A-Z0-9]{16,128})/")


class State:
    def __init__(self, log_file, token_len):
        self.log_file = open(log_file, "a", encoding="utf-8")
        self.token_len = token_len
        self.lock = threading.Lock()
        self.serial = 0
        self.arns = {}  # access key id -> (arn, user id)

    def issue(self, arn, user_id):
        with self.lock:
            self.serial += 1
            # The serial keeps keys unique; the random tail keeps them
            # from looking alike.
            key = "ASIA%08d%s" % (
                self.serial,
                "".join(secrets.choice(KEY_CHARS) for _ in range(8)),
            )
        secret = "".join(secrets.choice(SECRET_CHARS) for _ in range(40))
        token = "".join(secrets.choice(SECRET_CHARS) for _ in range(self.token_len))
        expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        record = {
            "key": key,
            "secret_sha256": hashlib.sha256(secret.encode()).hexdigest(),
            "token_sha256": hashlib.sha256(token.encode()).hexdigest(),
            "arn": arn,
            "expiration": expiration,
        }
        with self.lock:
            self.arns[key] = (arn, user_id)
            self.log_file.write(json.dumps(record, sort_keys=True) + "\n")
            self.log_file.flush()
        return key, secret, token, expiration

    def identity(self, key):
        with self.lock:
            return self.arns.get(key)


def credentials_xml(key, secret, token, expiration):
    return (
        "<Credentials><AccessKeyId>%s</AccessKeyId>"
        "<SecretAccessKey>%s</SecretAccessKey>"
        "<SessionToken>%s</SessionToken>"
        "<Expiration>%s</Expiration></Credentials>" % (key, secret, token, expiration)
    )


def error_xml(code, message):
    return (
        '<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code>'
        "<Message>%s</Message></Error><RequestId>fast-1</RequestId>"
        "</ErrorResponse>" % (NS, code, message)
    )


def response_xml(action, result):
    return (
        '<%sResponse xmlns="%s"><%sResult>%s</%sResult>'
        "<ResponseMetadata><RequestId>fast-1</RequestId></ResponseMetadata>"
        "</%sResponse>" % (action, NS, action, result, action, action)
    )


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sts-fast"
    # One segment per answer: headers and body written apart meet the
    # client's delayed ACK on a kept-alive connection.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        state = self.server.state
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(n).decode("utf-8", "replace"))
        action = form.get("Action", [""])[0]
        if action == "AssumeRole":
            role = form.get("RoleArn", [""])[0].rsplit("/", 1)[-1]
            session = form.get("RoleSessionName", [""])[0]
            arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role, session)
            uid = "AROA%s:%s" % (role.upper()[:12], session)
            creds = state.issue(arn, uid)
            user = "<AssumedRoleUser><Arn>%s</Arn><AssumedRoleId>%s</AssumedRoleId></AssumedRoleUser>" % (
                arn,
                uid,
            )
            self.answer(200, response_xml(action, credentials_xml(*creds) + user))
        elif action == "GetFederationToken":
            name = form.get("Name", [""])[0]
            arn = "arn:aws:sts::%s:federated-user/%s" % (ACCOUNT, name)
            uid = "%s:%s" % (ACCOUNT, name)
            creds = state.issue(arn, uid)
            user = "<FederatedUser><Arn>%s</Arn><FederatedUserId>%s</FederatedUserId></FederatedUser>" % (arn, uid)
            self.answer(200, response_xml(action, credentials_xml(*creds) + user))
        elif action == "GetSessionToken":
            arn = "arn:aws:iam::%s:user/afp-base" % ACCOUNT
            creds = state.issue(arn, "AIDAAFPBASE")
            self.answer(200, response_xml(action, credentials_xml(*creds)))
        elif action == "GetCallerIdentity":
            m = CREDENTIAL.search(self.headers.get("Authorization") or "")
            who = state.identity(m.group(1)) if m else None
            if who is None:
                self.answer(403, error_xml("InvalidClientTokenId", "unknown key"))
                return
            self.answer(
                200,
                response_xml(
                    action,
                    "<Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account>" % (who[0], who[1], ACCOUNT),
                ),
            )
        else:
            self.answer(400, error_xml("InvalidAction", "unknown action"))


class Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops the SYNs of a refresher
    # opening 8 connections at once, and each retry costs a second.
    request_queue_size = 128
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log_file")
    ap.add_argument("port_file")
    ap.add_argument("--token-len", type=int, default=400)
    ap.add_argument("--parent-pid", type=int)
    args = ap.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(args.log_file, args.token_len)
    serve(server, args.port_file, args.parent_pid)


if __name__ == "__main__":
    main()
