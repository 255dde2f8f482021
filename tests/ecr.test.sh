#!/bin/sh
# ECR: moto (authentication on) -> afp-refresher calls GetAuthorizationToken
# with each role's credentials in every region of ecr_regions -> cache ->
# afp.cgi under lighttpd (PAM through the cwrap wrappers) ->
# /account/{a}/{r}/ecr/credentials?region=R. The answer's user name and
# password log in to a registry stand-in that accepts exactly the
# credentials the refresher stored; every error status is checked too.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

# The interpreter itself, not a version manager's shim in front of it:
# this test runs python often, and a shim can cost a second a call.
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') || {
	not_ok "no working $PYTHON"
	exit 1
}

need_built "$REFRESHER" "$CGI"
need_cmd curl lighttpd
need_py boto3 moto
need_wrappers

ACCT=123456789012
PW_ALICE='alice-Pw-ecr-4kQ'
PW_BOB='bob-Pw-ecr-9zX'

moto_prepare builder plain private

# --- configuration -------------------------------------------------------
afp_dirs
afp_conf afp.conf pam accounts.d "ecr_endpoint = $MOTO_URL"
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/builder]
session_name = afp-builder
allow_users  = alice
ecr_regions  = us-east-1 eu-west-1

[role prod/plain]
session_name = afp-plain
allow_users  = alice

[role prod/private]
session_name = afp-private
allow_users  = bob
ecr_regions  = us-east-1
EOF

afp_users alice:"$PW_ALICE" bob:"$PW_BOB"

# --- refresher -----------------------------------------------------------
refresh_ok
ENTRY=$CACHE/prod/builder.json
expect_mode "$ENTRY" 640 "cache prod/builder.json, mode 0640"
for r in us-east-1 eu-west-1; do
	check "the entry holds an ECR token for $r" \
	    test -n "$(json_get "$ENTRY" "ecr.$r.token")"
done
check "no ECR token for a region the role does not list" \
    test -z "$(json_get "$ENTRY" ecr.ap-south-1.token)"
check "no ECR token for a role without ecr_regions" \
    test -z "$(json_get "$CACHE/prod/plain.json" ecr)"

# What the refresher stored, decoded here and nowhere else: the registry
# stand-in accepts exactly this.
cred_of() {
	"$PYTHON" -c 'import base64, json, sys
e = json.load(open(sys.argv[1], encoding="utf-8"))
print(base64.b64decode(e["ecr"][sys.argv[2]]["token"], validate=True).decode())' \
	    "$ENTRY" "$1"
}
(umask 077 && cred_of us-east-1 >"$T_TMP/registry.cred")
check "the stored us-east-1 token decodes to AWS:<password>" \
    grep -q '^AWS:..*' "$T_TMP/registry.cred"

# --- a registry stand-in ---------------------------------------------------
# GET /v2/ as a Docker registry answers it: 200 for the right Basic
# credentials, else 401 with a Basic challenge (what docker login probes).
cat >"$T_TMP/registry.py" <<'EOF'
import base64, http.server, sys

want = open(sys.argv[2], encoding="ascii").read().rstrip("\n")

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        ok = False
        if auth.startswith("Basic "):
            try:
                ok = base64.b64decode(auth[6:], validate=True).decode() == want
            except ValueError:
                ok = False
        if self.path == "/v2/" and ok:
            self.send_response(200)
            body = b"{}"
        else:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="registry"')
            body = b'{"errors":[{"code":"UNAUTHORIZED"}]}'
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
REG_PORT=$(free_port)
"$PYTHON" "$T_TMP/registry.py" "$REG_PORT" "$T_TMP/registry.cred" \
    >"$T_TMP/registry.log" 2>&1 &
REG_PID=$!
T_PIDS="$REG_PID $T_PIDS"
REG=http://127.0.0.1:$REG_PORT
wait_http "$REG/v2/" "$REG_PID" 100 || {
	not_ok "registry stand-in did not start"
	sed 's/^/# /' "$T_TMP/registry.log"
	exit 1
}
# reg_code USER PASSWORD: the stand-in's status for these credentials.
reg_code() {
	curl -s -m 10 -o /dev/null -w '%{http_code}' -u "$1:$2" "$REG/v2/"
}

# --- the CGI under lighttpd ------------------------------------------------
serve_afp

# check_answer REGION: the answer in h.body has exactly DESIGN.md §4's
# shape, agrees with the cache entry and with itself; prints what is wrong.
check_answer() {
	"$PYTHON" - "$T_TMP/h.body" "$ENTRY" "$1" <<'EOF'
import base64, datetime, json, sys
from urllib.parse import urlsplit

d = json.load(open(sys.argv[1], encoding="utf-8"))
e = json.load(open(sys.argv[2], encoding="utf-8"))["ecr"][sys.argv[3]]
region = sys.argv[3]
assert sorted(d) == ["size", "values"], sorted(d)
assert d["size"] == 1 and len(d["values"]) == 1, d["size"]
v = d["values"][0]
assert sorted(v) == sorted(["authorizationToken", "expirationDate",
    "proxyEndpoint", "proxyEndpointDomain", "username", "password"]), sorted(v)
assert all(isinstance(x, str) for x in v.values()), "non-string value"
assert v["authorizationToken"] == e["token"], "token is not the cached one"
assert base64.b64decode(v["authorizationToken"], validate=True).decode() == \
    v["username"] + ":" + v["password"], "token is not username:password"
assert v["username"] == "AWS", "username"
assert v["password"], "empty password"
assert v["proxyEndpoint"] == e["endpoint"], "proxyEndpoint is not the cached one"
u = urlsplit(v["proxyEndpoint"])
assert u.scheme == "https", "proxyEndpoint scheme"
assert v["proxyEndpointDomain"] == u.netloc, "proxyEndpointDomain"
assert "." + region + "." in v["proxyEndpointDomain"], "region not in domain"
assert v["expirationDate"] == e["expires"], "expirationDate"
exp = datetime.datetime.strptime(v["expirationDate"], "%Y-%m-%dT%H:%M:%SZ")
assert exp > datetime.datetime.utcnow(), "expired"
EOF
}

for r in us-east-1 eu-west-1; do
	http alice "$PW_ALICE" "/account/prod/builder/ecr/credentials?region=$r"
	expect_eq "$H_CODE" 200 "ECR credentials for $r: 200"
	expect_eq "$(header Content-Type)" application/json "ECR $r: JSON"
	expect_eq "$(header Cache-Control)" no-store "ECR $r: Cache-Control: no-store"
	if out=$(check_answer "$r" 2>&1); then
		ok "ECR $r: the §4 shape, the cached token, user:password, domain, expiry"
	else
		not_ok "ECR $r: answer checks"
		echo "$out" | tail -n 3 | sed 's/^/# /'
	fi
	cp "$T_TMP/h.body" "$T_TMP/ecr-$r.json"
done

# The answer's credentials log in; anything else does not.
# value FILE KEY: a member of the answer's single values item.
value() {
	"$PYTHON" -c 'import json, sys
print(json.load(open(sys.argv[1], encoding="utf-8"))["values"][0][sys.argv[2]])' \
	    "$1" "$2" 2>/dev/null
}
U=$(value "$T_TMP/ecr-us-east-1.json" username)
P=$(value "$T_TMP/ecr-us-east-1.json" password)
check "the answer has a user name and a password" test -n "$U" -a -n "$P"
expect_eq "$(reg_code "$U" "$P")" 200 "registry login with the answer's username and password"
expect_eq "$(reg_code "$U" "${P}x")" 401 "registry login with a wrong password: 401"
expect_eq "$(reg_code "$U" "")" 401 "registry login without a password: 401"
expect_eq "$(reg_code aws "$P")" 401 "registry login with the wrong user name: 401"
expect_eq "$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$REG/v2/")" 401 \
    "registry without credentials: 401"

# --- errors ------------------------------------------------------------------
# fails STATUS DESC USER PASSWORD PATH: the status and a JSON error body
# {"status","message"} with a message.
fails() {
	http "$3" "$4" "$5"
	expect_eq "$H_CODE" "$1" "$2: $1"
	if "$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["message", "status"] and d["status"] == sys.argv[2]
assert d["message"]' "$T_TMP/h.body" "$1" 2>/dev/null; then
		ok "$2: error body"
	else
		not_ok "$2: error body"
		sed 's/^/# body: /' "$T_TMP/h.body"
	fi
}
E=/account/prod/builder/ecr/credentials
fails 404 "region not in ecr_regions" alice "$PW_ALICE" "$E?region=ap-south-9"
expect_eq "$(json_get "$T_TMP/h.body" message)" \
    "region not configured for this role" "unconfigured region: says so"
fails 404 "role without ecr_regions" alice "$PW_ALICE" \
    "/account/prod/plain/ecr/credentials?region=us-east-1"
fails 400 "no region" alice "$PW_ALICE" "$E"
fails 400 "empty region" alice "$PW_ALICE" "$E?region="
fails 400 "upper-case region" alice "$PW_ALICE" "$E?region=US-EAST-1"
expect_eq "$(json_get "$T_TMP/h.body" message)" "region must be like us-east-1" \
    "malformed region: says what a region looks like"
fails 400 "region with a slash" alice "$PW_ALICE" "$E?region=us-east-1%2F.."
fails 400 "region too long" alice "$PW_ALICE" \
    "$E?region=a23456789012345678901234567890123"
fails 400 "region given twice" alice "$PW_ALICE" \
    "$E?region=us-east-1&region=eu-west-1"
fails 403 "role the user may not use" alice "$PW_ALICE" \
    "/account/prod/private/ecr/credentials?region=us-east-1"
fails 403 "role that does not exist" alice "$PW_ALICE" \
    "/account/prod/nosuch/ecr/credentials?region=us-east-1"
fails 401 "wrong password" alice "$PW_BOB" "$E?region=us-east-1"
http bob "$PW_BOB" "/account/prod/private/ecr/credentials?region=us-east-1"
expect_eq "$H_CODE" 200 "bob on the role he may use: 200"
http alice "$PW_ALICE" "$E?region=us-east-1" --data ""
expect_eq "$H_CODE" 405 "POST: 405"

# A configured region without a token, and an expired token: 503. The
# entry is edited as root, as the refresher would leave it.
edit_entry() {
	"$PYTHON" -c 'import json, sys
p = sys.argv[1]
e = json.load(open(p, encoding="utf-8"))
if sys.argv[2] == "drop":
    del e["ecr"]["eu-west-1"]
else:
    e["ecr"]["us-east-1"]["expires"] = "2020-01-01T00:00:00Z"
open(p, "w", encoding="utf-8").write(json.dumps(e))' "$ENTRY" "$1"
}
cp "$ENTRY" "$T_TMP/entry.saved"
edit_entry drop
fails 503 "configured region without a token" alice "$PW_ALICE" "$E?region=eu-west-1"
http alice "$PW_ALICE" "$E?region=us-east-1"
expect_eq "$H_CODE" 200 "the other region still answers"
edit_entry expire
fails 503 "expired ECR token" alice "$PW_ALICE" "$E?region=us-east-1"
cp "$T_TMP/entry.saved" "$ENTRY"
http alice "$PW_ALICE" "$E?region=us-east-1"
expect_eq "$H_CODE" 200 "restored entry answers again"

# --- no secret in any log --------------------------------------------------
logs_free_of "$CGI_LOG $LIGHTTPD_LOG $T_TMP/refresher.err $T_TMP/refresher.out" \
    "$P" "no ECR password" "$(json_get "$ENTRY" ecr.eu-west-1.token)" "no ECR token" \
    "$PW_ALICE" "no password of alice"

t_done
