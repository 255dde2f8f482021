#!/bin/sh
# End to end: moto (AWS, authentication on) -> afp-refresher -> cache ->
# afp.cgi under lighttpd with PAM through pam_wrapper/pam_matrix and users
# and groups through nss_wrapper -> curl -> the returned credentials used
# against moto again.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$REFRESHER" "$CGI"
need_cmd curl lighttpd base64 stat
need_py boto3 moto
need_wrappers

ACCT=123456789012
# Distinct passwords, one of them UTF-8, so the log checks cannot match
# by accident.
PW_ALICE='alice-Pw-7f3kQ'
PW_BOB='bøb-pässwörd-€9'
PW_CAROL='carol-pw-91xZ'
PW_WRONG='wrong-pw-zz1Q'

moto_prepare admin

# --- configuration -------------------------------------------------------
afp_dirs
afp_conf afp.conf pam accounts.d
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/admin]
type         = assume_role
session_name = afp-{user}
allow_users  = alice

[role prod/fed]
type         = federation_token
session_name = fed-{user}
allow_groups = ops

[role prod/sess]
type         = session_token
allow_users  = alice bob
EOF

afp_users alice:"$PW_ALICE" bob:"$PW_BOB" carol:"$PW_CAROL"
nss_group ops 2000 bob

# --- refresher -----------------------------------------------------------
# shellcheck disable=SC2086
env $NSS_ENV "$REFRESHER" -c "$C/afp.conf" -n -v \
    >"$T_TMP/dry.out" 2>"$T_TMP/dry.err"
rc=$?
expect_eq "$rc" 0 "refresher --dry-run exits 0"
expect_eq "$(find "$CACHE" -name '*.json' | wc -l)" 0 "dry run writes no cache entry"

refresh_ok

# Per-user entries for roles whose session_name has {user}: admin for
# alice (allow_users), fed for bob (member of ops); sess is shared.
expect_mode "$CACHE/prod/admin/alice.json" 640 "cache prod/admin/alice.json, mode 0640"
expect_mode "$CACHE/prod/fed/bob.json" 640 "cache prod/fed/bob.json, mode 0640"
expect_mode "$CACHE/prod/sess.json" 640 "cache prod/sess.json, mode 0640"
expect_mode "$CACHE/status.json" 640 "cache status.json, mode 0640"
check "no entry for users the role does not allow" \
    test ! -e "$CACHE/prod/admin/bob.json" -a ! -e "$CACHE/prod/admin/carol.json" \
    -a ! -e "$CACHE/prod/fed/alice.json" -a ! -e "$CACHE/prod/fed/carol.json"

# Nothing is due an hour before expiry; -f -r renews just the one role.
sums() {
	cksum <"$CACHE/prod/admin/alice.json"
	cksum <"$CACHE/prod/fed/bob.json"
}
before_admin=$(cksum <"$CACHE/prod/admin/alice.json")
before=$(sums 2>/dev/null)
run_refresher
expect_eq "$?" 0 "second refresher run (nothing due) exits 0"
check "second run leaves fresh entries alone" test "$(sums 2>/dev/null)" = "$before"
run_refresher -f -r prod/admin
expect_eq "$?" 0 "refresher -f -r prod/admin exits 0"
check "-f -r prod/admin renews prod/admin" \
    test "$(cksum <"$CACHE/prod/admin/alice.json")" != "$before_admin"
check "-f -r prod/admin leaves prod/fed alone" \
    test "$(cksum <"$CACHE/prod/fed/bob.json")" = "$(echo "$before" | sed -n 2p)"

# --- CGI under lighttpd ----------------------------------------------------
serve_afp

http "" "" /status
expect_eq "$H_CODE" 200 "/status answers 200 after a refresh"
expect_eq "$(json_get "$T_TMP/h.body" status)" 200 "/status says 200"
expect_eq "$(header Cache-Control)" no-store "answers carry Cache-Control: no-store"
expect_eq "$(header X-Content-Type-Options)" nosniff "answers carry X-Content-Type-Options: nosniff"

# /account lists what each user may use.
for u in alice bob carol; do
	case $u in
	alice) pw=$PW_ALICE want='{"prod":["admin","sess"]}' ;;
	bob) pw=$PW_BOB want='{"prod":["fed","sess"]}' ;;
	carol) pw=$PW_CAROL want='{}' ;;
	esac
	http "$u" "$pw" /account
	expect_eq "$H_CODE" 200 "/account as $u: 200"
	expect_eq "$(json_norm "$T_TMP/h.body")" "$want" "/account as $u: $want"
done

# Authorization matrix: every user and every role, a role that does not
# exist and an account that does not exist (403, so names cannot be probed).
for u in alice bob carol; do
	for r in prod/admin prod/fed prod/sess prod/nosuch nope/admin; do
		case $u:$r in
		alice:prod/admin | alice:prod/sess | bob:prod/fed | bob:prod/sess)
			want=200 ;;
		*) want=403 ;;
		esac
		case $u in
		alice) pw=$PW_ALICE ;;
		bob) pw=$PW_BOB ;;
		carol) pw=$PW_CAROL ;;
		esac
		http "$u" "$pw" "/account/$r"
		expect_eq "$H_CODE" "$want" "$u on $r: $want"
	done
done

# Every request is logged with its user (DESIGN.md §4). Log lines written
# after the answer can be lost under lighttpd (see start_lighttpd).
logged() {
	grep -E -- "$2([^/A-Za-z0-9]|\$)" "$CGI_LOG" | grep -qF -- "$1"
}
check "the CGI logged carol refused on prod/fed" logged carol /account/prod/fed
check "the CGI logged bob refused on prod/nosuch" logged bob /account/prod/nosuch
check "the CGI logged alice granted prod/sess" logged alice /account/prod/sess

# Authentication failures.
http "" "" /account
expect_eq "$H_CODE" 401 "no credentials: 401"
expect_eq "$(header WWW-Authenticate)" 'Basic realm="afp"' "401 asks for Basic auth"
http alice "$PW_WRONG" /account/prod/admin
expect_eq "$H_CODE" 401 "wrong password: 401"
http bob "$PW_ALICE" /account/prod/sess
expect_eq "$H_CODE" 401 "another user's password: 401"
http mallory "$PW_WRONG" /account
expect_eq "$H_CODE" 401 "unknown user: 401"

# Malformed paths. lighttpd 1.4.69 folds "/prod/.." to "/" and decodes %2F
# into "/" before setting PATH_INFO, so the CGI never sees those through it;
# the binary is run directly with the PATH_INFO another server could pass.
# A name with bytes outside the allowed set does get through lighttpd.
http alice "$PW_ALICE" /account/caf%C3%A9/admin
expect_eq "$H_CODE" 400 "non-ASCII account name through lighttpd: 400"
# shellcheck disable=SC2086
cgi_run "$CGI" alice "$PW_ALICE" /account/prod/.. AFP_CONFIG="$C/afp.conf" $WRAP_ENV
expect_eq "$H_CODE" 400 "PATH_INFO /account/prod/.. (CGI run directly): 400"
# shellcheck disable=SC2086
cgi_run "$CGI" alice "$PW_ALICE" /account/a%2Fb/x AFP_CONFIG="$C/afp.conf" $WRAP_ENV
expect_eq "$H_CODE" 400 "PATH_INFO /account/a%2Fb/x (CGI run directly): 400"
# shellcheck disable=SC2086
cgi_run "$CGI" alice "$PW_ALICE" /account/prod/admin AFP_CONFIG="$C/afp.conf" $WRAP_ENV
expect_eq "$H_CODE" 200 "the same direct run with a good path: 200"

# --- the credentials work against moto ------------------------------------
# Served secrets go to files and variables only, never to the output.
http alice "$PW_ALICE" /account/prod/admin
cp "$T_TMP/h.body" "$T_TMP/admin.json"
A_KEY=$(json_get "$T_TMP/admin.json" credentials.access_key)
A_SECRET=$(json_get "$T_TMP/admin.json" credentials.secret_key)
A_TOKEN=$(json_get "$T_TMP/admin.json" credentials.session_token)
check "prod/admin credentials have key, secret and token" \
    test -n "$A_KEY" -a -n "$A_SECRET" -a -n "$A_TOKEN"
check "prod/admin credentials have an expiration" \
    test -n "$(json_get "$T_TMP/admin.json" credentials.expiration)"
expect_eq "$(creds_identity "$T_TMP/admin.json")" \
    "arn:aws:sts::$ACCT:assumed-role/admin/afp-alice" \
    "prod/admin credentials for alice work against moto as afp-alice"
expect_caller_identity alice "$PW_ALICE" prod/admin \
    "arn:aws:sts::$ACCT:assumed-role/admin/afp-alice" "caller-identity of prod/admin for alice"

# tests/moto_server.py makes moto's GetFederationToken and GetSessionToken
# credentials real, so these are checked against moto the same way.
http bob "$PW_BOB" /account/prod/fed
cp "$T_TMP/h.body" "$T_TMP/fed.json"
F_TOKEN=$(json_get "$T_TMP/fed.json" credentials.session_token)
check "prod/fed serves a session token" test -n "$F_TOKEN"
expect_eq "$(creds_identity "$T_TMP/fed.json")" \
    "arn:aws:sts::$ACCT:federated-user/fed-bob" \
    "prod/fed credentials for bob work against moto as fed-bob"
expect_caller_identity bob "$PW_BOB" prod/fed \
    "arn:aws:sts::$ACCT:federated-user/fed-bob" "caller-identity of prod/fed for bob"

http bob "$PW_BOB" /account/prod/sess
cp "$T_TMP/h.body" "$T_TMP/sess.json"
S_TOKEN=$(json_get "$T_TMP/sess.json" credentials.session_token)
expect_eq "$(creds_identity "$T_TMP/sess.json")" \
    "arn:aws:iam::$ACCT:user/afp-base" \
    "prod/sess credentials work against moto as the base user"
expect_caller_identity alice "$PW_ALICE" prod/sess \
    "arn:aws:iam::$ACCT:user/afp-base" "caller-identity of prod/sess is the base user"

# --- no secret in any log --------------------------------------------------
set -- "$BASE_SECRET" "no base secret key" "$A_SECRET" "no served secret key" \
    "$A_TOKEN" "no served session token"
# Without a token the checks above already failed.
[ -z "$F_TOKEN" ] || set -- "$@" "$F_TOKEN" "no federation session token"
[ -z "$S_TOKEN" ] || set -- "$@" "$S_TOKEN" "no GetSessionToken session token"
logs_free_of "$CGI_LOG $LIGHTTPD_LOG $T_TMP/refresher.err $T_TMP/refresher.out $T_TMP/dry.err" \
    "$@" "$PW_ALICE" "no password of alice" "$PW_BOB" "no UTF-8 password of bob" \
    "$PW_WRONG" "no wrong password"

t_done
