#!/bin/sh
# Console sign-in end to end: moto (authentication on) -> afp-refresher ->
# a federation stand-in (tests/federation_server.py, which checks every
# Session against moto) -> cache -> afp.cgi under lighttpd -> the login URL
# taken apart with urllib and followed back to the stand-in. Covers the
# SessionDuration rule, callbackurl validation, /consoleurl, /console and
# the renewal of sign-in tokens.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$REFRESHER" "$CGI"
need_cmd curl lighttpd
need_py boto3 moto
need_wrappers

ACCT=123456789012
PW_ALICE='alice-Pw-c0ns0le'
PW_BOB='bob-Pw-c0ns0le'
DEST='https://console.aws.amazon.com/ec2/home?region=us-east-1&x=a%20b#Instances:'

moto_prepare admin plain

# --- the federation stand-in ----------------------------------------------
FED_LOG=$T_TMP/federation.log
: >"$FED_LOG"
"$PYTHON" "$T_DIR/federation_server.py" "$MOTO_URL" "$FED_LOG" \
    "$T_TMP/fed.port" "$$" >>"$T_TMP/fed.err" 2>&1 &
FED_PID=$!
T_PIDS="$FED_PID $T_PIDS"
if ! wait_until "$FED_PID" 100 -s "$T_TMP/fed.port"; then
	not_ok "federation stand-in did not start"
	sed 's/^/# /' "$T_TMP/fed.err" | tail -20
	exit 1
fi
FED_URL=http://127.0.0.1:$(cat "$T_TMP/fed.port")/federation

# --- configuration ----------------------------------------------------------
afp_dirs
afp_conf afp.conf pam accounts.d "signin_endpoint = $FED_URL" \
    'callback_allow = https://allowed.example/ https://intranet.example.com'
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/admin]
type         = assume_role
duration     = 2h
session_name = afp-{user}
allow_users  = alice bob
console      = yes
console_destination = $DEST

[role prod/fed]
type         = federation_token
duration     = 1h
session_name = fed-shared
allow_users  = alice
policy       = {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}
console      = yes

[role prod/plain]
type         = assume_role
session_name = afp-plain
allow_users  = alice
EOF

afp_users alice:"$PW_ALICE" bob:"$PW_BOB"

# Python helpers: the stand-in's log, the CGI's answers, the login URL.
cat >"$T_TMP/check.py" <<'EOF'
import datetime, hashlib, json, os, sys, urllib.parse

def records(log, akid=None):
    out = []
    for line in open(log, encoding="utf-8"):
        r = json.loads(line)
        if r["action"] == "getSigninToken" and akid in (None, r["access_key"]):
            out.append(r)
    return out

def sha(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()

def main(cmd, *a):
    if cmd == "count":		# LOG [AKID...]: the total, then per key
        print(" ".join(str(len(records(a[0], k))) for k in [None] + list(a[1:])))
    elif cmd == "duration":	# LOG AKID: of the newest record
        d = records(a[0], a[1])[-1]["session_duration"]
        print("none" if d is None else d)
    elif cmd == "creds":	# ROLE_JSON LOG ARN: the newest record carried these
        c = json.load(open(a[0], encoding="utf-8"))["credentials"]
        rs = records(a[1], c["access_key"])
        if not rs:
            print("no getSigninToken for the key the CGI answers"); return
        r = rs[-1]
        if r["secret_sha256"] != sha(c["secret_key"]):
            print("sessionKey differs from the cached secret key")
        elif r["token_sha256"] != sha(c["session_token"]):
            print("sessionToken differs from the cached session token")
        elif r["arn"] != a[2]:
            print("caller %s, want %s" % (r["arn"], a[2]))
        else:
            print("ok")
    elif cmd == "key":		# ROLE_JSON...: the access key ids
        print(" ".join(json.load(open(f, encoding="utf-8"))["credentials"]["access_key"]
                       for f in a))
    elif cmd == "url":		# ROLE_JSON: console_url or "none"
        print(json.load(open(a[0], encoding="utf-8")).get("console_url", "none"))
    elif cmd == "login":	# URL|@ROLE_JSON LOG AKID ENDPOINT ISSUER DESTINATION
        url, log, akid, endpoint, issuer, dest = a
        if url.startswith("@"):
            url = json.load(open(url[1:], encoding="utf-8")).get("console_url", "")
        p = urllib.parse.urlsplit(url)
        if "%s://%s%s" % (p.scheme, p.netloc, p.path) != endpoint or p.fragment:
            print("not the endpoint: %s" % url.split("?")[0]); return
        for kv in p.query.split("&"):
            k, _, v = kv.partition("=")
            if v.strip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%"):
                print("%s is not fully percent-encoded" % k); return
        q = urllib.parse.parse_qsl(p.query, keep_blank_values=True,
                                   strict_parsing=True, errors="strict")
        want = [("Action", "login"), ("Issuer", issuer),
                ("Destination", dest)]
        if q[:3] != want:
            print("parameters %s, want %s" % (q[:3], want)); return
        rs = records(log, akid)
        if len(q) != 4 or q[3][0] != "SigninToken" or not rs:
            print("no SigninToken, or none issued for the key"); return
        if q[3][1] != rs[-1]["signin_token"]:
            print("SigninToken is not the newest one issued for the key"); return
        print("ok")
    elif cmd == "logins":	# LOG AKID: logins the stand-in accepted
        n = 0
        for line in open(a[0], encoding="utf-8"):
            r = json.loads(line)
            n += r["action"] == "login" and r["access_key"] == a[1]
        print(n)
    elif cmd == "setexp":	# CACHE_FILE SECONDS: signin_expires = now + SECONDS
        e = json.load(open(a[0], encoding="utf-8"))
        t = datetime.datetime.now(datetime.timezone.utc) + \
            datetime.timedelta(seconds=int(a[1]))
        e["signin_expires"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        with open(a[0], "w", encoding="utf-8") as f:
            f.write(json.dumps(e, separators=(",", ":")) + "\n")
    elif cmd == "signin":	# CACHE_FILE: the stored sign-in token
        print(json.load(open(a[0], encoding="utf-8")).get("signin_token", "none"))
    else:
        raise SystemExit("unknown command " + cmd)

main(*sys.argv[1:])
EOF
ck() {
	"$PYTHON" "$T_TMP/check.py" "$@" 2>>"$T_TMP/check.err"
}

# --- first refresher run: one sign-in token per console entry -------------
refresh_ok
sed 's/^/# stand-in: /' "$T_TMP/fed.err" | tail -5

serve_afp

# role USER PASSWORD ROLE FILE [QUERY]: /account/prod/ROLE's answer into FILE.
role() {
	http "$1" "$2" "/account/prod/$3${5:+?$5}"
	cp "$T_TMP/h.body" "$4"
}
role alice "$PW_ALICE" admin "$T_TMP/admin-alice.json"
expect_eq "$H_CODE" 200 "alice: /account/prod/admin 200"
role bob "$PW_BOB" admin "$T_TMP/admin-bob.json"
expect_eq "$H_CODE" 200 "bob: /account/prod/admin 200"
role alice "$PW_ALICE" fed "$T_TMP/fed.json"
expect_eq "$H_CODE" 200 "alice: /account/prod/fed 200"
role alice "$PW_ALICE" plain "$T_TMP/plain.json"
expect_eq "$H_CODE" 200 "alice: /account/prod/plain 200"
# shellcheck disable=SC2046
set -- $(ck key "$T_TMP/admin-alice.json" "$T_TMP/admin-bob.json" \
    "$T_TMP/fed.json" "$T_TMP/plain.json")
K_ALICE=${1:-none} K_BOB=${2:-none} K_FED=${3:-none} K_PLAIN=${4:-none}
check "four distinct access keys" \
    test "$(printf '%s\n' "$@" | sort -u | wc -l)" = 4 -a "$#" = 4

# Total, then per key: admin/alice, admin/bob, fed, plain.
expect_eq "$(ck count "$FED_LOG" "$K_ALICE" "$K_BOB" "$K_FED" "$K_PLAIN")" "3 1 1 1 0" \
    "one getSigninToken for each console entry's current key, none for plain"
expect_eq "$(ck creds "$T_TMP/admin-alice.json" "$FED_LOG" \
    "arn:aws:sts::$ACCT:assumed-role/admin/afp-alice")" ok \
    "admin/alice: the Session carried exactly the cached credentials"
expect_eq "$(ck creds "$T_TMP/admin-bob.json" "$FED_LOG" \
    "arn:aws:sts::$ACCT:assumed-role/admin/afp-bob")" ok \
    "admin/bob: the Session carried exactly the cached credentials"
expect_eq "$(ck creds "$T_TMP/fed.json" "$FED_LOG" \
    "arn:aws:sts::$ACCT:federated-user/fed-shared")" ok \
    "fed: the Session carried exactly the cached credentials"
expect_eq "$(ck duration "$FED_LOG" "$K_ALICE")" 7200 \
    "assume_role with long-term base keys: SessionDuration = the role's 2h"
expect_eq "$(ck duration "$FED_LOG" "$K_FED")" none \
    "federation_token: no SessionDuration"

# --- console_url, /consoleurl, /console ------------------------------------
SELF=$AFP_URL
URL_ALICE=$(ck url "$T_TMP/admin-alice.json")
expect_eq "$(ck login "$URL_ALICE" "$FED_LOG" "$K_ALICE" "$FED_URL" "$SELF" "$DEST")" ok \
    "admin/alice console_url: endpoint, Action, Issuer (own URL), Destination, SigninToken"
expect_eq "$(ck login "@$T_TMP/admin-bob.json" "$FED_LOG" "$K_BOB" \
    "$FED_URL" "$SELF" "$DEST")" ok "admin/bob console_url carries bob's token"
expect_eq "$(ck login "@$T_TMP/fed.json" "$FED_LOG" "$K_FED" "$FED_URL" \
    "$SELF" "https://console.aws.amazon.com/")" ok \
    "fed console_url: the partition's default Destination"
expect_eq "$(ck url "$T_TMP/plain.json")" none "no console_url for a role without console"

role alice "$PW_ALICE" admin "$T_TMP/cb.json" 'callbackurl=https%3A%2F%2Fallowed.example%2Fx'
expect_eq "$H_CODE" 200 "callbackurl=https://allowed.example/x: 200"
expect_eq "$(ck login "@$T_TMP/cb.json" "$FED_LOG" "$K_ALICE" "$FED_URL" \
    "https://allowed.example/x" "$DEST")" ok "callbackurl becomes the Issuer"
role alice "$PW_ALICE" admin "$T_TMP/cb.json" \
    'callbackurl=https%3A%2F%2Fintranet.example.com%2Fapp%3Fa%3D1%26b%3D%2F'
expect_eq "$(ck login "@$T_TMP/cb.json" "$FED_LOG" "$K_ALICE" "$FED_URL" \
    "https://intranet.example.com/app?a=1&b=/" "$DEST")" ok \
    "callbackurl under a prefix without '/', with its own query, encoded as a value"

http alice "$PW_ALICE" /account/prod/admin/consoleurl
expect_eq "$H_CODE" 200 "/consoleurl 200"
expect_eq "$(header Content-Type)" "text/plain; charset=utf-8" "/consoleurl is text/plain"
expect_eq "$(cat "$T_TMP/h.body")" "$URL_ALICE" "/consoleurl: the same URL as console_url"
expect_eq "$(tail -c 1 "$T_TMP/h.body" | od -An -c | tr -d ' ')" '\n' \
    "/consoleurl ends with a newline"
http alice "$PW_ALICE" '/account/prod/admin/consoleurl?callbackurl=https%3A%2F%2Fallowed.example%2Fx'
expect_eq "$(ck login "$(cat "$T_TMP/h.body")" "$FED_LOG" "$K_ALICE" "$FED_URL" \
    "https://allowed.example/x" "$DEST")" ok "/consoleurl honours callbackurl"

http alice "$PW_ALICE" /account/prod/admin/console
expect_eq "$H_CODE" 302 "/console 302"
LOC=$(header Location)
expect_eq "$LOC" "$URL_ALICE" "/console: Location is the sign-in URL"
expect_eq "$(header Cache-Control)" no-store "/console: Cache-Control: no-store"
code=$(curl -s -m 20 -o /dev/null -w '%{http_code}' "$LOC")
expect_eq "$code" 200 "following Location: the stand-in accepts the sign-in token"
expect_eq "$(ck logins "$FED_LOG" "$K_ALICE")" 1 "the login was for admin/alice's credentials"
http alice "$PW_ALICE" '/account/prod/admin/console?callbackurl=https%3A%2F%2Fallowed.example%2Fx'
expect_eq "$H_CODE" 302 "/console with callbackurl 302"
expect_eq "$(ck login "$(header Location)" "$FED_LOG" "$K_ALICE" "$FED_URL" \
    "https://allowed.example/x" "$DEST")" ok "/console honours callbackurl"

# --- callbackurl that must be refused -----------------------------------------
LONG=https%3A%2F%2Fallowed.example%2F$(printf '%2100s' '' | tr ' ' a)
for cb in 'javascript%3Aalert(1)' 'ftp%3A%2F%2Fx' '%2Fx' 'https%3A%2F%2Fa%20b' \
    'https%3A%2F%2Fallowed.example%2Fa+b' \
    'https%3A%2F%2Fallowed.example%2Fx%0d%0aSet-Cookie%3A%20a%3Db' \
    'https%3A%2F%2Fnot-allowed.example%2Fx' \
    'https%3A%2F%2Fintranet.example.com.evil.com%2F' \
    'https%3A%2F%2Fallowed.example%40evil.com%2F' \
    'https%3A%2F%2Fallowed.example%2F..%2F..%2Fx' \
    'https%3A%2F%2Fallowed.example%2Fx&callbackurl=https%3A%2F%2Fallowed.example%2Fy' \
    '' "$LONG"; do
	for p in '' /consoleurl /console; do
		http alice "$PW_ALICE" "/account/prod/admin$p?callbackurl=$cb"
		what="$(printf '%.60s' "$cb")"
		expect_eq "$H_CODE" 400 "callbackurl=$what on /account/prod/admin$p: 400"
		if [ -n "$(header Location)" ] || grep -q 'signin\|SigninToken' "$T_TMP/h.body"; then
			not_ok "refused callbackurl=$what on $p leaks a sign-in URL"
		fi
	done
done
http alice "$PW_ALICE" '/account/prod/admin?callbackurl=https%3A%2F%2Fnot-allowed.example%2F'
expect_eq "$(json_get "$T_TMP/h.body" message)" \
    "callbackurl must be an absolute http(s) URL allowed by callback_allow" \
    "a refused callbackurl says why"

# --- roles without console, users without the role ------------------------------
for p in /consoleurl /console; do
	http alice "$PW_ALICE" "/account/prod/plain$p"
	expect_eq "$H_CODE" 404 "role without console: $p 404"
	expect_eq "$(json_get "$T_TMP/h.body" message)" "no console sign-in for this role" \
	    "role without console: $p says so"
	http bob "$PW_BOB" "/account/prod/fed$p"
	expect_eq "$H_CODE" 403 "bob may not use prod/fed: $p 403"
	http bob "$PW_BOB" "/account/prod/nosuch$p"
	expect_eq "$H_CODE" 403 "unknown role: $p 403"
done

# --- renewal -----------------------------------------------------------------
TOK_ALICE=$(ck signin "$CACHE/prod/admin/alice.json")
run_refresher
expect_eq "$?" 0 "second refresher run exits 0"
expect_eq "$(ck count "$FED_LOG")" 3 "a run right after fetches no new sign-in token"
expect_eq_quiet "$(ck signin "$CACHE/prod/admin/alice.json")" "$TOK_ALICE" \
    "the stored token is kept"

# Fetched 11 minutes ago (valid 4 more): due at 10 minutes.
ck setexp "$CACHE/prod/admin/alice.json" 240
run_refresher
expect_eq "$?" 0 "refresher run with an old token exits 0"
expect_eq "$(ck count "$FED_LOG" "$K_ALICE" "$K_BOB" "$K_FED")" "4 2 1 1" \
    "exactly one new getSigninToken, for admin/alice"
check "the stored token changed" \
    test "$(ck signin "$CACHE/prod/admin/alice.json")" != "$TOK_ALICE"
role alice "$PW_ALICE" admin "$T_TMP/admin-alice2.json"
expect_eq "$(ck key "$T_TMP/admin-alice2.json")" "$K_ALICE" \
    "the credentials stay the same across the token renewal"
expect_eq "$(ck login "@$T_TMP/admin-alice2.json" "$FED_LOG" "$K_ALICE" \
    "$FED_URL" "$SELF" "$DEST")" ok "console_url carries the renewed token"
expect_eq "$(ck duration "$FED_LOG" "$K_ALICE")" 7200 "the renewal sends SessionDuration too"

# An expired token: credentials still answered, console paths 503, next run renews.
ck setexp "$CACHE/prod/fed.json" -60
role alice "$PW_ALICE" fed "$T_TMP/fed2.json"
expect_eq "$H_CODE" 200 "expired sign-in token: /account/prod/fed still 200"
expect_eq "$(ck url "$T_TMP/fed2.json")" none "expired sign-in token: no console_url"
expect_eq "$(ck key "$T_TMP/fed2.json")" "$K_FED" "expired sign-in token: the credentials are answered"
for p in /consoleurl /console; do
	http alice "$PW_ALICE" "/account/prod/fed$p"
	expect_eq "$H_CODE" 503 "expired sign-in token: $p 503"
done
run_refresher
expect_eq "$(ck count "$FED_LOG" "$K_FED")" "5 2" "an expired token is renewed, only that one"
http alice "$PW_ALICE" /account/prod/fed/consoleurl
expect_eq "$H_CODE" 200 "renewed: /consoleurl 200 again"

# --- nothing secret in the logs ------------------------------------------------
SECRET_ALICE=$(json_get "$T_TMP/admin-alice.json" credentials.secret_key)
expect_no_secret "$T_TMP/refresher.err" "$SECRET_ALICE" "refresher log has no secret key"
expect_no_secret "$CGI_LOG" "$(ck signin "$CACHE/prod/admin/alice.json")" \
    "CGI log has no sign-in token"
expect_no_secret "$T_TMP/refresher.err" "$(ck signin "$CACHE/prod/admin/alice.json")" \
    "refresher log has no sign-in token"

t_done
