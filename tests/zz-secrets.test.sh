#!/bin/sh
# Runs last (tests/run.sh runs *.test.sh in name order). A whole
# deployment in miniature: moto (STS and ECR, authentication on), the
# console federation stand-in, afp-refresher (verbose, forced, dry run,
# failing), afp.cgi under lighttpd with PAM, every endpoint for people and
# machines, wrong passwords and malformed headers. Every byte any of them
# printed or logged (and this test's own output) is then searched for
# every secret used: base and served secret keys, session tokens, sign-in
# tokens, ECR tokens and passwords, the IMDS key and tokens, the users'
# passwords and their Basic headers, whole and by their last 24
# characters. 0 hits expected. Not searched: the answers themselves, which
# carry credentials by design, and the federation stand-in's own record,
# which plays AWS's side.
# shellcheck disable=SC2086
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$REFRESHER" "$CGI"
need_cmd curl lighttpd base64
need_py boto3 moto
need_wrappers

ACCT=123456789012
PW_ALICE='alice-Zz-secret-pw-5Tq'
PW_BOB='bøb-Zz-pässwörd-€7Lm'
PW_WRONG='wrong-Zz-guess-pw-3Kd'
A=/account/prod

run_all() {
	moto_prepare -n 1 admin box
	FED_LOG=$T_TMP/federation.record
	"$PYTHON" "$T_DIR/federation_server.py" "$MOTO_URL" "$FED_LOG" \
	    "$T_TMP/fed.port" "$$" >>"$T_TMP/fed.err" 2>&1 &
	FED_PID=$!
	T_PIDS="$FED_PID $T_PIDS"
	if ! wait_until "$FED_PID" 100 -s "$T_TMP/fed.port"; then
		not_ok "federation stand-in did not start"
		return
	fi
	afp_dirs
	afp_conf afp.conf pam accounts.d "ecr_endpoint = $MOTO_URL" \
	    "signin_endpoint = http://127.0.0.1:$(cat "$T_TMP/fed.port")/federation" \
	    'imds_v1 = no'
	cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/admin]
type         = assume_role
session_name = afp-{user}
allow_users  = alice bob
console      = yes
ecr_regions  = us-east-1

[role prod/fed]
type         = federation_token
session_name = fed-{user}
allow_groups = ops
console      = yes

[role prod/sess]
type         = session_token
allow_users  = alice

[role prod/box]
type         = assume_role
session_name = afp-box
machines     = 127.0.0.1
EOF
	afp_users alice:"$PW_ALICE" bob:"$PW_BOB"
	nss_group ops 2000 bob

	# --- refresher: dry run, real run, forced run ----------------------
	run_refresher -n
	refresh_ok
	run_refresher -f
	expect_eq "$?" 0 "forced refresh exits 0"
	# --- the CGI: every endpoint ------------------------------------------
	serve_afp
	for u in alice bob; do
		if [ "$u" = alice ]; then pw=$PW_ALICE; else pw=$PW_BOB; fi
		http "$u" "$pw" /account
		expect_eq "$H_CODE" 200 "$u: /account"
		http "$u" "$pw" /account -H 'Accept: text/html'
		expect_eq "$H_CODE" 200 "$u: /account as HTML"
		for p in "" /credentials "/credentials?format=shell" /consoleurl \
		    /console /caller-identity "/ecr/credentials?region=us-east-1" \
		    /container-credentials; do
			http "$u" "$pw" "$A/admin$p"
			case $p in
			/console) want=302 ;;
			*) want=200 ;;
			esac
			expect_eq "$H_CODE" "$want" "$u: $A/admin$p"
			cp "$T_TMP/h.body" "$T_TMP/answer.$u.$(echo "$p" | tr -c '[:lower:]' _)"
		done
	done
	http bob "$PW_BOB" "$A/fed"
	expect_eq "$H_CODE" 200 "bob: $A/fed (group ops)"
	http alice "$PW_ALICE" "$A/sess/credentials"
	expect_eq "$H_CODE" 200 "alice: $A/sess/credentials"
	http alice "$PW_WRONG" "$A/admin"
	expect_eq "$H_CODE" 401 "a wrong password: 401"
	http bob "$PW_ALICE" "$A/admin"
	expect_eq "$H_CODE" 401 "alice's password for bob: 401"
	http "" "" "$A/admin" -H "Authorization: Basic $(printf 'alice:%s' \
	    "$PW_WRONG" | base64 -w0)x"
	expect_eq "$H_CODE" 401 "a malformed Basic header: 401"
	http "" "" "$A/admin" -H "Authorization: Bearer $PW_WRONG"
	expect_eq "$H_CODE" 401 "a Bearer header: 401"
	http alice "$PW_ALICE" "$A/fed"
	expect_eq "$H_CODE" 403 "alice: $A/fed not allowed: 403"
	http "" "" /status
	expect_eq "$H_CODE" 200 "/status"

	# Instance metadata, IMDSv2 only.
	http "" "" /latest/api/token -X PUT \
	    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300'
	expect_eq "$H_CODE" 200 "PUT /latest/api/token"
	IMDS_TOKEN=$(cat "$T_TMP/h.body")
	http "" "" /latest/meta-data/iam/security-credentials/box \
	    -H "X-aws-ec2-metadata-token: $IMDS_TOKEN"
	expect_eq "$H_CODE" 200 "metadata credentials with the token"
	http "" "" /latest/meta-data/iam/security-credentials/box \
	    -H "X-aws-ec2-metadata-token: ${IMDS_TOKEN}x"
	expect_eq "$H_CODE" 401 "metadata credentials with a bad token: 401"

	# --- a refresh with a wrong base secret key ---------------------------
	sed "s|^secret_access_key *=.*|secret_access_key = $WRONG_BASE|" \
	    "$C/secrets.conf" >"$C/wrong-secrets.conf"
	chmod 0600 "$C/wrong-secrets.conf"
	sed "s|^secrets_file .*|secrets_file = $C/wrong-secrets.conf|" \
	    "$C/afp.conf" >"$C/wrong.conf"
	env $NSS_ENV "$REFRESHER" -c "$C/wrong.conf" -v -f \
	    >>"$T_TMP/refresher.out" 2>>"$T_TMP/refresher.err"
	expect_eq "$?" 1 "a wrong base secret key: the refresher exits 1"

	http "" "" /status
	expect_eq "$H_CODE" 503 "/status after the failed refresh: 503"
	stop_all
}

WRONG_BASE=wrong-base-Zz-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
{ run_all; } >"$T_TMP/self.out" 2>&1
cat "$T_TMP/self.out"

# --- the secrets ----------------------------------------------------------
{
	echo "$BASE_SECRET"
	echo "$WRONG_BASE"
	echo "$PW_ALICE"
	echo "$PW_BOB"
	echo "$PW_WRONG"
	for up in "alice:$PW_ALICE" "bob:$PW_BOB" "alice:$PW_WRONG" "bob:$PW_ALICE"; do
		printf '%s' "$up" | base64 -w0
		echo
	done
	echo "${IMDS_TOKEN:-}"
} >"$T_TMP/secrets.list"
# Every secret the cache holds and every one the answers carried.
"$PYTHON" - "$CACHE" "$T_TMP" >>"$T_TMP/secrets.list" <<'EOF'
import base64, glob, json, os, sys

cache, tmp = sys.argv[1], sys.argv[2]
SECRET_KEYS = {"secret_access_key", "session_token", "signin_token", "token",
               "secret_key", "SecretAccessKey", "Token", "authorizationToken",
               "password"}

def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k in SECRET_KEYS and isinstance(x, str):
                print(x)
                if k in ("token", "authorizationToken"):
                    # ECR: base64 of "AWS:<password>".
                    try:
                        print(base64.b64decode(x).decode().split(":", 1)[1])
                    except Exception:
                        pass
            else:
                walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)

for f in glob.glob(os.path.join(cache, "**", "*.json"), recursive=True):
    walk(json.load(open(f, encoding="utf-8")))
for f in glob.glob(os.path.join(tmp, "answer.*")):
    try:
        walk(json.load(open(f, encoding="utf-8")))
    except ValueError:
        pass
key = os.path.join(cache, "imds.key")
if os.path.exists(key):
    print(open(key).read().strip())
EOF
sort -u "$T_TMP/secrets.list" | grep -v '^$' >"$T_TMP/secrets.uniq"
nsec=$(wc -l <"$T_TMP/secrets.uniq")
# 2 base keys, 3 passwords, 4 Basic headers, the IMDS token and key; a
# secret key and a session token for each of the 5 entries (admin/alice,
# admin/bob, fed/bob, sess, box); sign-in tokens of admin/alice, admin/bob
# and fed/bob; one ECR token and password (moto gives both users the same).
check "collected the secrets to look for ($nsec >= 26)" test "$nsec" -ge 26

LOGS="$T_TMP/self.out $T_TMP/moto.log $T_TMP/moto_setup.err $T_TMP/fed.err \
$T_TMP/refresher.out $T_TMP/refresher.err $T_TMP/lighttpd/error.log \
$T_TMP/lighttpd/cgi.log $T_TMP/lighttpd/stdout.log $T_TMP/lighttpd/check.log"
# search: per log, how many secrets it holds whole or by their last 24
# characters; names the log and the line number of the secret in
# secrets.uniq, never the secret.
cat >"$T_TMP/scan.py" <<'EOF'
import sys

secrets = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
needles = []
for i, s in enumerate(secrets, 1):
    needles.append((i, s))
    if len(s) >= 32:
        needles.append((i, s[-24:]))
for path in sys.argv[2:]:
    try:
        data = open(path, encoding="utf-8", errors="replace").read()
    except FileNotFoundError:
        print("MISSING %s" % path)
        continue
    hits = sorted({i for i, n in needles if n in data})
    print("%s %d bytes %d hits%s" % (path, len(data), len(hits),
          (" (secrets.uniq lines %s)" % hits) if hits else ""))
EOF
"$PYTHON" "$T_TMP/scan.py" "$T_TMP/secrets.uniq" $LOGS >"$T_TMP/scan.out"
while read -r f rest; do
	n=${f#"$T_TMP"/}
	case $rest in
	'') not_ok "$n: scan gave no answer" ;;
	*' 0 hits') ok "$n: none of the $nsec secrets (${rest%% bytes*} bytes)" ;;
	*) not_ok "$n: $rest" ;;
	esac
done <"$T_TMP/scan.out"
check "every log was there to search" sh -c "! grep -q '^MISSING' '$T_TMP/scan.out'" ||
    sed -n 's/^MISSING/# missing/p' "$T_TMP/scan.out"
check "the CGI logged requests (its log is not empty)" test -s "$T_TMP/lighttpd/cgi.log"
check "the refresher logged its runs" test -s "$T_TMP/refresher.err"
# The search itself finds a secret that is there, even cut short.
tail -n 1 "$T_TMP/secrets.uniq" | sed 's/^.*\(.\{30\}\)$/x\1y/' >"$T_TMP/planted.log"
"$PYTHON" "$T_TMP/scan.py" "$T_TMP/secrets.uniq" "$T_TMP/planted.log" \
    >"$T_TMP/scan.planted"
check "the search finds a planted secret's last 30 characters" \
    grep -q ' [1-9][0-9]* hits' "$T_TMP/scan.planted"
t_done
