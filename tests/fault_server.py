#!/usr/bin/env python3
"""A fault-injecting stand-in for AWS STS, for afp's tests.

usage: fault_server.py LOG_FILE PORT_FILE [PARENT_PID]

Serves on 127.0.0.1 (a port the kernel picks, written to PORT_FILE once
listening) until killed or until PARENT_PID is gone. It does not check
signatures: it stands in for STS's transport and answers, not its
authentication (moto covers that elsewhere).

The first segment of the request path chooses the case, so one peer
serves many refresher runs at once: point sts_endpoint at
http://127.0.0.1:PORT/<case>. POSTs in the query protocol are answered
(Action=AssumeRole, GetSessionToken, GetFederationToken,
GetCallerIdentity); anything else is 400. A case named "id-<case>"
answers the credentials calls well and applies <case> to
GetCallerIdentity only.

Cases:
  good             valid answers: credentials for the RoleArn asked for,
                   lasting DurationSeconds (default 3600); the identity
                   of the key that signed GetCallerIdentity
  throttling       400, ErrorResponse with Code Throttling
  http429          429 with an empty body
  http500          500, ErrorResponse with Code InternalFailure
  http503          503 with an HTML page (as a load balancer sends)
  reset            200 headers and part of the body, then a TCP RST
  truncated-body   Content-Length promises more than is sent, then close
  timeout          read the request, never answer
  trickle          200 headers, then the body at 1 byte/s, forever
  truncated-xml    200, a complete HTTP answer with half a document
  malformed-xml    200, a document with crossed tags
  bomb             200, a "billion laughs" entity expansion bomb
  bomb-utf16       the same bomb in UTF-16 with a byte order mark
  huge             200, Content-Length 100 MiB, streamed
  huge-chunked     200, 100 MiB chunked, streamed (no length up front)
  html             200, Content-Type text/html and an HTML page
  expired-token    400 ExpiredToken
  invalid-token    403 InvalidClientTokenId
  access-denied    403 AccessDenied
  bad-signature    403 SignatureDoesNotMatch
  past-expiration  200, valid credentials that expired an hour ago
  bad-expiration   200, credentials whose Expiration does not parse

Every request appends one JSON line to LOG_FILE when it arrives:
    {"t": <arrival, seconds since the epoch>, "case": ..., "action": ...,
     "role_arn": ... or null}
and a streamed 100 MiB body one more when it ends, saying how much of it
the client took (the kernel's socket buffers included) before hanging up:
    {"t": ..., "case": ..., "sent": <bytes>, "complete": true|false}
Issued secret keys start with "SECRETx" and session tokens with
"TOKENx", so a test can search logs for any of them with one pattern;
they are never written to LOG_FILE.
"""

import json
import secrets
import select
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from serve import serve

ACCOUNT = "123456789012"
NS = "https://sts.amazonaws.com/doc/2011-06-15/"
BIG = 100 * 1024 * 1024
HOLD_MAX = 120  # seconds a hanging or trickling answer lasts at most
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
RESULT = {
    "AssumeRole": "AssumeRoleResult",
    "GetSessionToken": "GetSessionTokenResult",
    "GetFederationToken": "GetFederationTokenResult",
    "GetCallerIdentity": "GetCallerIdentityResult",
}

# Codes, statuses and messages as STS sends them.
AWS_ERRORS = {
    "throttling": (400, "Sender", "Throttling", "Rate exceeded"),
    "http500": (500, "Receiver", "InternalFailure",
                "The request processing has failed because of an unknown "
                "error, exception or failure."),
    "expired-token": (400, "Sender", "ExpiredToken",
                      "The security token included in the request is "
                      "expired"),
    "invalid-token": (403, "Sender", "InvalidClientTokenId",
                      "The security token included in the request is "
                      "invalid."),
    "access-denied": (403, "Sender", "AccessDenied",
                      "User: arn:aws:iam::%s:user/afp-base is not "
                      "authorized to perform: sts:AssumeRole" % ACCOUNT),
    "bad-signature": (403, "Sender", "SignatureDoesNotMatch",
                      "The request signature we calculated does not match "
                      "the signature you provided. Check your AWS Secret "
                      "Access Key and signing method. Consult the service "
                      "documentation for details."),
}

BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n' +
        "".join(' <!ENTITY lol%d "%s">\n' % (i, ("&lol%s;" % ("" if i == 1
                else i - 1)) * 10) for i in range(1, 10)) +
        ']>\n<AssumeRoleResponse xmlns="%s"><AssumeRoleResult>'
        '<Credentials><AccessKeyId>&lol9;</AccessKeyId></Credentials>'
        '</AssumeRoleResult></AssumeRoleResponse>\n' % NS)


def rand(n, alphabet=ALNUM):
    return "".join(secrets.choice(alphabet) for _ in range(n))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class State:
    def __init__(self, log_file):
        self.log_file = log_file
        self.lock = threading.Lock()
        self.who = {}  # issued access key id -> (arn, user id)

    def log(self, record):
        with self.lock:
            with open(self.log_file, "a", encoding="utf-8") as f:
                f.write(json.dumps(record, sort_keys=True) + "\n")


def doc(action, inner):
    return ('<%sResponse xmlns="%s">\n  <%s>\n%s  </%s>\n'
            '  <ResponseMetadata>\n    <RequestId>%s</RequestId>\n'
            '  </ResponseMetadata>\n</%sResponse>\n' %
            (action, NS, RESULT[action], inner, RESULT[action],
             rand(8).lower() + "-" + rand(4).lower(), action))


def error_doc(kind, code, message):
    return ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n'
            '    <Code>%s</Code>\n    <Message>%s</Message>\n  </Error>\n'
            '  <RequestId>%s</RequestId>\n</ErrorResponse>\n' %
            (NS, kind, code, message, rand(12).lower()))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-sts"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="text/xml", close=False):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.send(400, error_doc("Sender", "InvalidAction", "POST only"))

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode(
            "utf-8", "replace"), keep_blank_values=True))
        case = self.path.lstrip("/").split("/", 1)[0] or "good"
        action = form.get("Action", "")
        self.server.state.log({
            "t": round(time.time(), 3), "case": case, "action": action,
            "role_arn": form.get("RoleArn")})
        if action not in RESULT:
            return self.send(400, error_doc("Sender", "InvalidAction",
                                            "Could not find operation"))
        if case.startswith("id-"):
            case = case[3:] if action == "GetCallerIdentity" else "good"
        try:
            self.fault(case, action, form)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    def good(self, action, form, expires=None):
        state = self.server.state
        if action == "GetCallerIdentity":
            akid = self.signer()
            with state.lock:
                arn, uid = state.who.get(akid, (
                    "arn:aws:iam::%s:user/afp-base" % ACCOUNT,
                    "AIDA" + rand(17)))
            return doc(action, "    <Arn>%s</Arn>\n    <UserId>%s</UserId>\n"
                       "    <Account>%s</Account>\n" % (arn, uid, ACCOUNT))
        duration = int(form.get("DurationSeconds") or 3600)
        akid = "ASIA" + rand(16)
        if expires is None:
            expires = iso(time.time() + duration)
        creds = ("    <Credentials>\n      <AccessKeyId>%s</AccessKeyId>\n"
                 "      <SecretAccessKey>SECRETx%s</SecretAccessKey>\n"
                 "      <SessionToken>TOKENx%s</SessionToken>\n"
                 "      <Expiration>%s</Expiration>\n    </Credentials>\n" %
                 (akid, rand(33, ALNUM.lower() + ALNUM),
                  rand(600, ALNUM.lower() + ALNUM + "+/"), expires))
        uid = "AROA" + rand(17)
        if action == "AssumeRole":
            role = form.get("RoleArn", "").rsplit("/", 1)[-1]
            name = form.get("RoleSessionName", "")
            arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role, name)
            uid += ":" + name
            creds += ("    <AssumedRoleUser>\n      <Arn>%s</Arn>\n"
                      "      <AssumedRoleId>%s</AssumedRoleId>\n"
                      "    </AssumedRoleUser>\n" % (arn, uid))
        elif action == "GetFederationToken":
            name = form.get("Name", "")
            arn = "arn:aws:sts::%s:federated-user/%s" % (ACCOUNT, name)
            uid = "%s:%s" % (ACCOUNT, name)
            creds += ("    <FederatedUser>\n      <Arn>%s</Arn>\n"
                      "      <FederatedUserId>%s</FederatedUserId>\n"
                      "    </FederatedUser>\n" % (arn, uid))
        else:
            arn = "arn:aws:iam::%s:user/afp-base" % ACCOUNT
        with self.server.state.lock:
            self.server.state.who[akid] = (arn, uid)
        return doc(action, creds)

    def signer(self):
        auth = self.headers.get("Authorization", "")
        cred = auth.partition("Credential=")[2]
        return cred.partition("/")[0]

    def fault(self, case, action, form):
        if case == "good":
            return self.send(200, self.good(action, form))
        if case in AWS_ERRORS:
            status, kind, code, msg = AWS_ERRORS[case]
            return self.send(status, error_doc(kind, code, msg))
        if case == "http429":
            return self.send(429, b"")
        if case == "http503":
            return self.send(503, "<html><body><h1>503 Service Unavailable"
                             "</h1>No server is available.</body></html>\n",
                             "text/html", close=True)
        if case == "past-expiration":
            return self.send(200, self.good(action, form,
                                            iso(time.time() - 3600)))
        if case == "bad-expiration":
            return self.send(200, self.good(action, form,
                                            "tomorrow at noon"))
        if case == "truncated-xml":
            body = self.good(action, form)
            return self.send(200, body[:len(body) // 2])
        if case == "malformed-xml":
            body = self.good(action, form).replace(
                "</%s>" % RESULT[action], "</Crossed>", 1)
            return self.send(200, body)
        if case == "bomb":
            return self.send(200, BOMB)
        if case == "bomb-utf16":
            return self.send(200, BOMB.replace('"1.0"?', '"1.0" encoding='
                                               '"UTF-16"?').encode("utf-16"))
        if case == "html":
            return self.send(200, "<!DOCTYPE html>\n<html><head><title>Sign"
                             " in</title></head><body><p>Please sign in to "
                             "continue.</p></body></html>\n",
                             "text/html; charset=utf-8")
        if case == "huge":
            return self.stream(chunked=False)
        if case == "huge-chunked":
            return self.stream(chunked=True)
        if case in ("reset", "truncated-body"):
            return self.cut(action, form, rst=case == "reset")
        if case == "timeout":
            return self.hang()
        if case == "trickle":
            return self.trickle(action, form)
        self.send(400, error_doc("Sender", "UnknownCase", "no such case"))

    def stream(self, chunked):
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(BIG))
        self.end_headers()
        head = '<AssumeRoleResponse xmlns="%s"><!-- ' % NS
        block = head + "x" * (65536 - len(head))
        sent = 0
        try:
            while sent < BIG:
                data = block.encode("ascii")
                block = "x" * 65536
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                else:
                    self.wfile.write(data)
                self.wfile.flush()
                sent += len(data)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        finally:
            self.server.state.log({
                "t": round(time.time(), 3),
                "case": self.path.lstrip("/").split("/", 1)[0],
                "sent": sent, "complete": sent >= BIG})

    def cut(self, action, form, rst):
        body = self.good(action, form).encode("utf-8")
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:len(body) // 3])
        self.wfile.flush()
        time.sleep(0.2)
        if rst:
            # SO_LINGER with a zero timeout: close() sends RST, not FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.connection.close()

    def gone(self, wait):
        """Wait up to wait seconds; True once the client has hung up."""
        r, _, _ = select.select([self.connection], [], [], wait)
        if not r:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def hang(self):
        self.close_connection = True
        end = time.time() + HOLD_MAX
        while time.time() < end and not self.gone(1):
            pass

    def trickle(self, action, form):
        body = self.good(action, form).encode("utf-8")
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()
        end = time.time() + HOLD_MAX
        i = 0
        while time.time() < end and not self.gone(1):
            self.wfile.write(body[i % len(body):i % len(body) + 1])
            self.wfile.flush()
            i += 1


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # every case of a test may connect at once


def main(argv):
    if len(argv) not in (3, 4):
        sys.stderr.write(__doc__)
        return 2
    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(argv[1])
    serve(server, argv[2], int(argv[3]) if len(argv) == 4 else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
