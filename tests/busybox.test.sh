#!/bin/sh
# afp.cgi under busybox httpd, configured from the shipped
# conf/busybox-httpd.conf: moto (AWS, signatures checked) -> afp-refresher
# -> cache -> busybox httpd with its own Basic auth (auth = remote_user) ->
# curl and boto3 -> the credentials used against moto. Also pins what
# busybox 1.35 does differently from lighttpd: it keeps the Authorization
# header to itself (auth = pam cannot work behind it), answers a %2F in the
# path with its own 404, and passes REQUEST_URI already percent-decoded.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$REFRESHER" "$CGI"
need_cmd busybox curl openssl base64
need_py boto3 moto
need_wrappers
SNIPPET=$TOP/conf/busybox-httpd.conf
need_file "$SNIPPET" "conf/busybox-httpd.conf"

ACCT=123456789012
PW_ALICE='alice-Bb-pw-2mK'
PW_BOB='bob-Bb-pw-6tW'
PW_WRONG='wrong-Bb-pw-9qP'

moto_prepare admin

afp_dirs
# The same install with auth = remote_user or pam.
afp_conf afp.conf remote_user accounts.d
afp_conf pam.conf pam accounts.d
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/admin]
type         = assume_role
session_name = afp-{user}
allow_users  = alice
EOF

afp_users alice:"$PW_ALICE" bob

refresh_ok || t_done

# --- busybox httpd -----------------------------------------------------------------
# The shipped file with the placeholder hashes replaced: alice's SHA-512
# crypt, bob's MD5 crypt as busybox makes it. Every other line is used as
# shipped.
B=$T_TMP/busybox
mkdir -p "$B/www/cgi-bin"
H_ALICE=$(printf '%s' "$PW_ALICE" | openssl passwd -6 -stdin)
H_BOB=$(busybox httpd -m "$PW_BOB")
sed -e "s|^\(/cgi-bin/afp.cgi/account:alice:\).*|\1$H_ALICE|" \
    -e "s|^\(/cgi-bin/afp.cgi/account:bob:\).*|\1$H_BOB|" \
    "$SNIPPET" >"$B/httpd.conf"
check "the snippet's user lines took the test's hashes" \
    test "$(grep -c '^/cgi-bin/afp.cgi/account:[a-z]*:\$[0-9]\$[^$]*\$..........' "$B/httpd.conf")" = 2
# busybox hands its own environment to CGIs; a wrapper adds the test's
# (config path, cwrap preloads) and runs the CGI under test. afp-pam.cgi
# is the same install with auth = pam, at a path busybox does not guard.
# cgi_wrapper NAME CONFIG
cgi_wrapper() {
	{
		echo '#!/bin/sh'
		echo "exec env AFP_CONFIG=$2 $WRAP_ENV $CGI"
	} >"$B/www/cgi-bin/$1"
	chmod 0755 "$B/www/cgi-bin/$1"
}
cgi_wrapper afp.cgi "$C/afp.conf"
cgi_wrapper afp-pam.cgi "$C/pam.conf"
echo ready >"$B/www/ready.txt"
BB_LOG=$B/httpd.log
: >"$BB_LOG"
try=0
while :; do
	try=$((try + 1))
	BB_PORT=$(free_port)
	# As conf/busybox-httpd.conf says, minus -u (the test is its own web
	# user); the CGI's stderr (its log) goes to busybox's.
	env - PATH=/usr/sbin:/usr/bin:/sbin:/bin busybox httpd -f \
	    -p "127.0.0.1:$BB_PORT" -h "$B/www" -c "$B/httpd.conf" -r afp \
	    2>>"$BB_LOG" &
	BB_PID=$!
	T_PIDS="$BB_PID $T_PIDS"
	wait_http "http://127.0.0.1:$BB_PORT/ready.txt" "$BB_PID" 50 && break
	stop_pid "$BB_PID"
	if [ "$try" -ge 3 ]; then
		not_ok "busybox httpd did not start"
		sed 's/^/# /' "$BB_LOG" | tail -20
		exit 1
	fi
done
AFP_URL=http://127.0.0.1:$BB_PORT/cgi-bin/afp.cgi

# --- auth = remote_user through busybox's Basic auth ---------------------------------
http "" "" /status
expect_eq "$H_CODE" 200 "/status without credentials: 200"
expect_eq "$(json_get "$T_TMP/h.body" status)" 200 "/status says 200"
expect_eq "$(header Cache-Control)" no-store "the CGI's headers pass through busybox"

http "" "" /account
expect_eq "$H_CODE" 401 "/account without credentials: 401"
expect_eq "$(header WWW-Authenticate)" 'Basic realm="afp"' "busybox asks for Basic auth, realm afp"
http alice "$PW_WRONG" /account
expect_eq "$H_CODE" 401 "/account with a wrong password: 401"
http alice "$PW_WRONG" /account/prod/admin/credentials
expect_eq "$H_CODE" 401 "credentials with a wrong password: 401"
http bob "$PW_ALICE" /account
expect_eq "$H_CODE" 401 "another user's password: 401"

http alice "$PW_ALICE" /account
expect_eq "$H_CODE" 200 "/account as alice (SHA-512 crypt): 200"
expect_eq "$(json_norm "$T_TMP/h.body")" '{"prod":["admin"]}' "/account as alice lists prod/admin"
http bob "$PW_BOB" /account
expect_eq "$H_CODE" 200 "/account as bob (MD5 crypt): 200"
expect_eq "$(json_norm "$T_TMP/h.body")" '{}' "/account as bob lists nothing"
http bob "$PW_BOB" /account/prod/admin
expect_eq "$H_CODE" 403 "prod/admin for bob: 403"
http alice "$PW_ALICE" /account/prod/nosuch
expect_eq "$H_CODE" 403 "a role that does not exist: 403"
http alice "$PW_ALICE" /account/nope
expect_eq "$H_CODE" 404 "an unknown path under /account: 404"
http alice "$PW_ALICE" /account/prod/admin -X DELETE
expect_eq "$H_CODE" 405 "DELETE on a role: 405 (busybox passes other methods to CGIs)"
http alice "$PW_ALICE" /account/prod/admin -I
expect_eq "$H_CODE" 200 "HEAD on a role: 200"
# curl -I writes the headers where the body would go.
if grep -q '[{}]' "$T_TMP/h.body"; then
	not_ok "HEAD has no body"
else
	ok "HEAD has no body"
fi

http alice "$PW_ALICE" /account/prod/admin/credentials
cp "$T_TMP/h.body" "$T_TMP/creds.json"
expect_eq "$H_CODE" 200 "prod/admin credentials for alice: 200"
A_SECRET=$(json_get "$T_TMP/creds.json" credentials.secret_key)
A_TOKEN=$(json_get "$T_TMP/creds.json" credentials.session_token)
expect_eq "$(creds_identity "$T_TMP/creds.json")" \
    "arn:aws:sts::$ACCT:assumed-role/admin/afp-alice" \
    "the credentials work against moto as afp-alice"
expect_caller_identity alice "$PW_ALICE" prod/admin \
    "arn:aws:sts::$ACCT:assumed-role/admin/afp-alice" "caller-identity through busybox"

# busybox's Basic auth also serves the container-credentials clients.
AUTH=$(printf 'alice:%s' "$PW_ALICE" | base64 -w0)
env AWS_CONTAINER_CREDENTIALS_FULL_URI="$AFP_URL/account/prod/admin/container-credentials" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="Basic $AUTH" \
    AWS_CONFIG_FILE="$T_TMP/no-config" AWS_SHARED_CREDENTIALS_FILE="$T_TMP/no-creds" \
    "$PYTHON" -c 'import sys, boto3
s = boto3.session.Session()
print(s.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1").get_caller_identity()["Arn"])' \
    "$MOTO_URL" >"$T_TMP/boto.out" 2>"$T_TMP/boto.err"
expect_eq "$(cat "$T_TMP/boto.out")" "arn:aws:sts::$ACCT:assumed-role/admin/afp-alice" \
    "boto3 with container credentials through busybox: afp-alice"

# The CGI logs every request, with the user busybox authenticated.
check "the CGI logged alice's request for prod/admin" \
    grep -q 'user=alice .*path=/account/prod/admin/credentials status=200' "$BB_LOG"
check "the CGI logged bob refused on prod/admin" \
    grep -q 'user=bob .*path=/account/prod/admin status=403' "$BB_LOG"

# --- paths -------------------------------------------------------------------------
http alice "$PW_ALICE" /account/caf%C3%A9/admin
expect_eq "$H_CODE" 400 "a non-ASCII account name: 400"
# busybox answers an encoded slash itself (libbb percent_decode_in_place,
# strict), before the CGI or its auth: the CGI never sees a%2Fb.
n_before=$(grep -c 'path=' "$BB_LOG")
http alice "$PW_ALICE" /account/a%2Fb/admin
expect_eq "$H_CODE" 404 "a%2Fb: 404 from busybox itself"
expect_eq "$(grep -c 'path=' "$BB_LOG")" "$n_before" "a%2Fb never reaches the CGI"
# busybox sets REQUEST_URI to the decoded path: %2561 arrives as %61, which
# is no valid name and must not be decoded a second time into "a".
http alice "$PW_ALICE" /account/prod/%2561dmin
expect_eq "$H_CODE" 400 "a double-encoded name (%2561dmin) is not decoded twice: 400"
# Likewise %3F arrives as a literal '?', which must not end the path.
http alice "$PW_ALICE" '/account/prod/admin%3Fx'
expect_eq "$H_CODE" 400 "an encoded '?' in a name (admin%3Fx): 400"
http alice "$PW_ALICE" /account/prod/adm%69n
expect_eq "$H_CODE" 200 "a percent-encoded letter in a name (adm%69n): 200"

# --- auth = pam behind busybox ---------------------------------------------------------
# busybox consumes "Authorization: Basic" even where no line of its config
# guards the path, so the CGI gets no HTTP_AUTHORIZATION: auth = pam
# cannot work behind busybox httpd (conf/busybox-httpd.conf says so).
AFP_URL=http://127.0.0.1:$BB_PORT/cgi-bin/afp-pam.cgi
http "" "" /status
expect_eq "$H_CODE" 200 "auth = pam install: /status: 200"
http alice "$PW_ALICE" /account
expect_eq "$H_CODE" 401 "auth = pam behind busybox: a correct password still gets 401"
expect_eq "$(json_get "$T_TMP/h.body" status)" 401 "that 401 comes from the CGI"
check "the CGI saw no Basic credentials" grep -q 'no Basic credentials' "$BB_LOG"

# --- no secret in any log ------------------------------------------------------------
logs_free_of "$BB_LOG $T_TMP/refresher.err $T_TMP/boto.err" \
    "$A_SECRET" "no served secret key" "$A_TOKEN" "no served session token" \
    "$PW_ALICE" "no password of alice" "$PW_BOB" "no password of bob"

t_done
