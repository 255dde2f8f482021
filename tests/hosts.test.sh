#!/bin/sh
# allowed_hosts: with it set, a request whose Host header is not listed
# (with or without a port) gets 403 on every path, /status and the
# instance-metadata paths included, before any authentication; without it
# any Host works. afp.cgi is run directly (a missing Host header, as
# HTTP/1.0 allows) and under lighttpd with curl -H 'Host: ...'. No AWS:
# the cache entries are written here.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$CGI"
need_cmd curl lighttpd base64 date head
need_wrappers

PW_ALICE='alice-Host-pw-3vN'
afp_dirs
afp_conf open.conf pam accounts.d
afp_conf hosts.conf pam accounts.d 'allowed_hosts = afp.example.com 127.0.0.1 [::1]'
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = 123456789012

[role prod/admin]
session_name = afp-admin
allow_users  = alice
machines     = 127.0.0.1
EOF

afp_users alice:"$PW_ALICE"

# A cache entry as the refresher writes it, and a fresh status.json.
rnd() {
	head -c 30 /dev/urandom | base64 | tr -d '/+=\n'
}
KEY=ASIA$(rnd | tr '[:lower:]' '[:upper:]' | cut -c1-12)
SECRET=secret-$(rnd)
TOKEN=token-$(rnd)$(rnd)
FUT=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
(umask 027 && mkdir -p "$CACHE/prod")
printf '{"version":1,"access_key_id":"%s","secret_access_key":"%s","session_token":"%s","expiration":"%s","last_updated":"%s","identity":{"account":"123456789012","arn":"arn:aws:sts::123456789012:assumed-role/admin/afp-admin","user_id":"AROA:afp-admin"}}\n' \
    "$KEY" "$SECRET" "$TOKEN" "$FUT" "$NOW" >"$CACHE/prod/admin.json"
E=$(date +%s)
printf '{"version":1,"ok":true,"start":%s,"end":%s,"entries":1,"refreshed":1,"failed":0,"errors":[]}\n' \
    "$((E - 3))" "$E" >"$CACHE/status.json"
chmod 0640 "$CACHE/prod/admin.json" "$CACHE/status.json"

# refused DESC: the last answer is the allowed_hosts 403.
refused() {
	expect_eq "$H_CODE:$(json_get "$T_TMP/h.body" message)" \
	    "403:host not allowed" "$1: 403 host not allowed"
}
# passed DESC: the last answer is anything but the allowed_hosts 403.
passed() {
	if [ "$H_CODE:$(json_get "$T_TMP/h.body" message)" = "403:host not allowed" ]; then
		not_ok "$1: not refused for its Host"
	else
		ok "$1: not refused for its Host ($H_CODE)"
	fi
}

# --- the CGI run directly -------------------------------------------------------
# direct CONFIG HOST PATH: GET as alice; HOST "-" sends no Host header at all.
direct() {
	local _conf="$1" _host="$2" _path="$3"
	if [ "$_host" = - ]; then
		# shellcheck disable=SC2086
		cgi_run "$CGI" alice "$PW_ALICE" "$_path" AFP_CONFIG="$_conf" $WRAP_ENV
	else
		# shellcheck disable=SC2086
		cgi_run "$CGI" alice "$PW_ALICE" "$_path" AFP_CONFIG="$_conf" $WRAP_ENV \
		    HTTP_HOST="$_host"
	fi
}
HC=$C/hosts.conf
WANT=$(printf '{"credentials":{"access_key":"%s","expiration":"%s","secret_key":"%s","session_token":"%s"}}' \
    "$KEY" "$FUT" "$SECRET" "$TOKEN")

for h in afp.example.com afp.example.com:8080 AFP.Example.COM 127.0.0.1 \
    127.0.0.1:8080 '[::1]' '[::1]:8080'; do
	direct "$HC" "$h" /account/prod/admin
	expect_eq "$H_CODE" 200 "direct, Host $h: 200"
	expect_eq_quiet "$(json_norm "$T_TMP/h.body")" "$WANT" "direct, Host $h: the credentials"
done
for h in evil.example.com evil.example.com:8080 afp.example.com.evil.com \
    afp.example.com.evil.com:8080 xafp.example.com afp.example.co 127.0.0.10 \
    127.0.0.1.nip.io '[::2]:8080' '[::1' '' ; do
	direct "$HC" "$h" /account/prod/admin
	refused "direct, Host '$h'"
	check "direct, Host '$h': no credentials" test "$(grep -c "$SECRET" "$T_TMP/h.body")" = 0
done
direct "$HC" - /account/prod/admin
refused "direct, no Host header (HTTP/1.0)"
direct "$HC" - /status
refused "direct, no Host header: /status"
direct "$HC" 127.0.0.1 /status
expect_eq "$H_CODE" 200 "direct, Host 127.0.0.1: /status 200"
check "the refusal is logged, with the Host's length only" \
    grep -q 'Host not in allowed_hosts (16 bytes)' "$T_TMP/cgi.err"
check "a client's Host text never reaches the log" \
    sh -c "! grep -q 'evil.example.com' '$T_TMP/cgi.err'"

# Without allowed_hosts any Host, or none, works.
for h in evil.example.com afp.example.com.evil.com:8080 -; do
	direct "$C/open.conf" "$h" /account/prod/admin
	expect_eq "$H_CODE" 200 "no allowed_hosts, Host '$h': 200"
done

# --- through lighttpd, on every path --------------------------------------------------
# shellcheck disable=SC2086
start_lighttpd "$CGI" AFP_CONFIG="$HC" $WRAP_ENV
PORT=${AFP_URL#http://127.0.0.1:}
PORT=${PORT%%/*}
PATHS='/status /account /account/prod/admin /account/prod/admin/credentials
/account/prod/admin/caller-identity /account/prod/admin/container-credentials
/account/prod/admin/consoleurl /account/prod/admin/console
/account/prod/admin/ecr/credentials?region=us-east-1
/meta-data/iam/security-credentials/ /meta-data/iam/security-credentials/admin
/latest/meta-data/iam/security-credentials/
/latest/meta-data/iam/security-credentials/admin'
for p in $PATHS; do
	http alice "$PW_ALICE" "$p" -H 'Host: evil.example.com'
	refused "lighttpd GET $p, Host evil.example.com"
	http alice "$PW_ALICE" "$p" -H 'Host: afp.example.com.evil.com:8080'
	refused "lighttpd GET $p, Host afp.example.com.evil.com:8080"
	http alice "$PW_ALICE" "$p" -H "Host: 127.0.0.1:$PORT"
	passed "lighttpd GET $p, Host 127.0.0.1:$PORT"
done
TTL='X-aws-ec2-metadata-token-ttl-seconds: 60'
http "" "" /latest/api/token -X PUT -H "$TTL" -H 'Host: evil.example.com'
refused "lighttpd PUT /latest/api/token, Host evil.example.com"
http "" "" /latest/api/token -X PUT -H "$TTL" -H 'Host: afp.example.com'
passed "lighttpd PUT /latest/api/token, Host afp.example.com"
# The host check comes before authentication: no 401 invites a password.
http "" "" /account/prod/admin -H 'Host: evil.example.com'
refused "lighttpd, no credentials, Host evil.example.com"
check "that 403 asks for no password" test -z "$(header WWW-Authenticate)"

http alice "$PW_ALICE" /account/prod/admin -H 'Host: afp.example.com'
expect_eq "$H_CODE" 200 "lighttpd, Host afp.example.com: 200"
expect_eq_quiet "$(json_norm "$T_TMP/h.body")" "$WANT" "lighttpd, Host afp.example.com: the credentials"
http alice "$PW_ALICE" /account/prod/admin -H 'Host: afp.example.com:8080'
expect_eq "$H_CODE" 200 "lighttpd, Host afp.example.com:8080: 200"
http alice "$PW_ALICE" /account/prod/admin
expect_eq "$H_CODE" 200 "lighttpd, curl's own Host 127.0.0.1:$PORT: 200"
http "" "" /status -H 'Host: afp.example.com'
expect_eq "$H_CODE" 200 "lighttpd, Host afp.example.com: /status 200"
# HTTP/1.0 without a Host header: lighttpd passes no HTTP_HOST.
http "" "" /status --http1.0 -H 'Host:'
refused "lighttpd, HTTP/1.0 without Host: /status"
http alice "$PW_ALICE" /account/prod/admin --http1.0 -H 'Host:'
refused "lighttpd, HTTP/1.0 without Host: credentials"

# Requests the router refuses get the same 403 for a foreign Host: such a
# Host learns nothing, not even which paths exist.
http alice "$PW_ALICE" /nosuch -H 'Host: evil.example.com'
refused "lighttpd, unknown path, Host evil.example.com"
http alice "$PW_ALICE" /account/prod/admin -X DELETE -H 'Host: evil.example.com'
refused "lighttpd, wrong method, Host evil.example.com"
http alice "$PW_ALICE" /account/caf%C3%A9/admin -H 'Host: evil.example.com'
refused "lighttpd, malformed name, Host evil.example.com"

logs_free_of "$CGI_LOG $LIGHTTPD_LOG $T_TMP/cgi.err" \
    "$SECRET" "no secret key" "$TOKEN" "no session token" "$PW_ALICE" "no password"

t_done
