#!/bin/sh
# afp.cgi run directly, as a web server runs it, over a cache this test
# writes itself (no AWS): remote_user authentication, group_pattern,
# per-user entries, missing/expired/corrupt entries, the web_user check,
# AFP_CONFIG under setgid, headers and bodies of every status, methods,
# the request log and /status.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$CGI" "$REFRESHER"
need_cmd stat base64 date head
need_wrappers

# --- configuration -------------------------------------------------------
afp_dirs
# conf NAME [EXTRA-LINE...]: an afp.conf for remote_user over this cache.
conf() {
	local _f=$C/$1 _l
	shift
	{
		echo '[afp]'
		echo "cache_dir    = $CACHE"
		echo "accounts_dir = $C/accounts.d"
		echo 'auth         = remote_user'
		echo 'log          = stderr'
		echo 'group_pattern = aws-{account}-{role}'
		for _l in "$@"; do
			echo "$_l"
		done
	} >"$_f"
}
conf afp.conf "web_user = $(id -un)"
conf userenv.conf "web_user = $(id -un)" 'user_env = AUTH_USER'
conf trust.conf 'web_user = daemon'
conf uid.conf "web_user = $(id -u)"
conf uidother.conf "web_user = $(id -u daemon)"
CONF=$C/afp.conf
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = 123456789012

[account dev]
id = 210987654321

[role prod/admin]
session_name = afp-admin
allow_users  = alice

[role prod/read]
allow_users  = alice bob

[role prod/gone]
session_name = afp-gone
allow_users  = alice

[role prod/old]
session_name = afp-old
allow_users  = alice

[role prod/broken]
session_name = afp-broken
allow_users  = alice

[role prod/notoken]
session_name = afp-notoken
allow_users  = alice

[role dev/deploy]
session_name = afp-deploy
EOF

afp_users alice bob carol dave
nss_group aws-dev-deploy 2001 carol
nss_group aws-dev-other 2002 dave
nss_group aws-prod-nosuch 2003 dave

# --- the cache ---------------------------------------------------------------
FUT=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
PAST=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rnd() {
	head -c 30 /dev/urandom | base64 | tr -d '/+=\n'
}
# entry PATH NAME EXPIRATION [notoken]: a cache entry as the refresher
# writes it (lib/cache.c cache_encode), 0640; keys and secrets are random
# and tagged with NAME so a mix-up shows. Prints nothing; sets E_KEY,
# E_SECRET, E_TOKEN.
entry() {
	local _p=$CACHE/$1 _tok=''
	(umask 027 && mkdir -p "$(dirname "$_p")")
	E_KEY=ASIA$(rnd | tr '[:lower:]' '[:upper:]' | cut -c1-12)
	E_SECRET=secret-$2-$(rnd)
	E_TOKEN=token-$2-$(rnd)$(rnd)
	[ "${4:-}" = notoken ] || _tok="\"session_token\":\"$E_TOKEN\","
	printf '{"version":1,"access_key_id":"%s","secret_access_key":"%s",%s"expiration":"%s","last_updated":"%s","identity":{"account":"123456789012","arn":"arn:aws:sts::123456789012:assumed-role/%s","user_id":"AROA:%s"}}\n' \
	    "$E_KEY" "$E_SECRET" "$_tok" "$3" "$NOW" "$2" "$2" >"$_p"
	chmod 0640 "$_p"
	echo "$E_SECRET" >>"$T_TMP/secrets.list"
	echo "$E_TOKEN" >>"$T_TMP/secrets.list"
}
# The credentials answer the CGI must give for the entry just written, as
# json_norm prints it.
want_creds() {
	printf '{"credentials":{"access_key":"%s","expiration":"%s","secret_key":"%s","session_token":"%s"}}' \
	    "$E_KEY" "$1" "$E_SECRET" "$E_TOKEN"
}
entry prod/admin.json admin "$FUT"
WANT_ADMIN=$(want_creds "$FUT")
ADMIN_SECRET=$E_SECRET
ADMIN_TOKEN=$E_TOKEN
entry prod/read/alice.json read-alice "$FUT"
WANT_READ_ALICE=$(want_creds "$FUT")
entry prod/read/bob.json read-bob "$FUT"
WANT_READ_BOB=$(want_creds "$FUT")
# A shared entry for a per-user role must never be served.
entry prod/read.json read-shared "$FUT"
entry prod/old.json old "$PAST"
entry prod/broken.json broken "$FUT"
# Truncated in the middle of the secret key.
head -c 80 "$CACHE/prod/broken.json" >"$T_TMP/broken" &&
    cat "$T_TMP/broken" >"$CACHE/prod/broken.json"
entry prod/notoken.json notoken "$FUT" notoken
entry dev/deploy.json deploy "$FUT"
WANT_DEPLOY=$(want_creds "$FUT")

# status END_EPOCH OK: status.json as the refresher writes it, with an
# error naming an account, role and user that /status must not repeat.
status() {
	printf '{"version":1,"ok":%s,"start":%s,"end":%s,"entries":5,"refreshed":4,"failed":1,"errors":[{"role":"prod/admin","user":"alice","error":"STS: AccessDenied: afp-base may not assume prod admin"}]}\n' \
	    "$2" "$(($1 - 3))" "$1" >"$CACHE/status.json"
	chmod 0640 "$CACHE/status.json"
}
status "$(date +%s)" true

N_RUNS=0
# cgi METHOD PATH [NAME=VALUE...]: run the CGI as a web server would, with
# the nss_wrapper users and groups. Sets H_CODE from the Status header (200
# without one) and H_LEN from the output's size after the header block; the
# headers go to h.head, the body to h.body, stderr to h.err (and all.err).
cgi() {
	local _m=$1 _pi=$2
	shift 2
	# shellcheck disable=SC2086
	env -i $NSS_ENV GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD="$_m" \
	    SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=127.0.0.1 SERVER_PORT=80 \
	    SCRIPT_NAME=/cgi-bin/afp.cgi PATH_INFO="$_pi" QUERY_STRING= \
	    REMOTE_ADDR=127.0.0.9 REQUEST_URI="/cgi-bin/afp.cgi$_pi" \
	    AFP_CONFIG="$CONF" "$@" "${CGI_BIN:-$CGI}" \
	    >"$T_TMP/cgi.out" 2>"$T_TMP/h.err" </dev/null
	CGI_RC=$?
	N_RUNS=$((N_RUNS + 1))
	cat "$T_TMP/h.err" >>"$T_TMP/all.err"
	tr -d '\r' <"$T_TMP/cgi.out" | sed '/^$/q' >"$T_TMP/h.head"
	tr -d '\r' <"$T_TMP/cgi.out" | sed '1,/^$/d' >"$T_TMP/h.body"
	# The body byte for byte: sed would add a newline to the last line.
	H_LEN=$(($(wc -c <"$T_TMP/cgi.out") - $(sed '/^\r\{0,1\}$/q' "$T_TMP/cgi.out" | wc -c)))
	H_CODE=$(sed -n 's/^Status: *\([0-9][0-9][0-9]\).*/\1/p' "$T_TMP/h.head")
	[ -n "$H_CODE" ] || H_CODE=200
}
body() {
	cat "$T_TMP/h.body"
}
show() {
	sed 's/^/# head: /' "$T_TMP/h.head"
	sed 's/^/# body: /' "$T_TMP/h.body"
	sed 's/^/# err: /' "$T_TMP/h.err"
}
# error_body CODE DESC: {"status":"CODE","message":"<text>"} and nothing else.
error_body() {
	if "$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["message", "status"], d
assert d["status"] == sys.argv[2], d
assert isinstance(d["message"], str) and d["message"], d' "$T_TMP/h.body" "$1" 2>/dev/null; then
		ok "$2"
	else
		not_ok "$2"
		show
	fi
}

# --- remote_user authentication ---------------------------------------------
cgi GET /account/prod/admin REMOTE_USER=alice
expect_eq "$H_CODE" 200 "alice on prod/admin: 200"
expect_eq "$(json_norm "$T_TMP/h.body")" "$WANT_ADMIN" "alice on prod/admin: the entry's credentials, exactly"
expect_eq "$CGI_RC" 0 "a 200 answer exits 0"
cgi GET /account/prod/admin/credentials REMOTE_USER=alice
expect_eq "$(json_norm "$T_TMP/h.body")" "$WANT_ADMIN" "/credentials: the same answer"
cgi GET /account/prod/admin
expect_eq "$H_CODE" 401 "no REMOTE_USER: 401"
cgi GET /account/prod/admin REMOTE_USER=
expect_eq "$H_CODE" 401 "empty REMOTE_USER: 401"
check "empty REMOTE_USER: no credentials in the body" \
    test "$(grep -cF "$ADMIN_SECRET" "$T_TMP/h.body")" = 0
for u in '../x' 'a b' 'alice/../bob' '.alice' "$(printf 'a%.0s' $(seq 65))"; do
	cgi GET /account REMOTE_USER="$u"
	expect_eq "$H_CODE" 401 "REMOTE_USER '$(echo "$u" | cut -c1-20)' ($(printf %s "$u" | wc -c) chars) refused: 401"
done
long64=$(printf 'a%.0s' $(seq 64))
cgi GET /account REMOTE_USER="$long64"
expect_eq "$H_CODE" 200 "REMOTE_USER of 64 characters accepted: 200"
expect_eq "$(body)" '{}' "REMOTE_USER of 64 characters: no role"

# user_env names the variable; REMOTE_USER then means nothing.
CONF=$C/userenv.conf
cgi GET /account/prod/admin AUTH_USER=alice
expect_eq "$H_CODE" 200 "user_env = AUTH_USER: AUTH_USER=alice gets 200"
expect_eq "$(json_norm "$T_TMP/h.body")" "$WANT_ADMIN" "user_env = AUTH_USER: alice's credentials"
cgi GET /account/prod/admin REMOTE_USER=alice
expect_eq "$H_CODE" 401 "user_env = AUTH_USER: REMOTE_USER alone is 401"
CONF=$C/afp.conf

# With remote_user the Authorization header is not a way in.
cgi GET /account/prod/admin \
    HTTP_AUTHORIZATION="Basic $(printf 'alice:pw-Zq81xx' | base64 -w0)"
expect_eq "$H_CODE" 401 "remote_user ignores an Authorization header: 401"

# --- /account and group_pattern ----------------------------------------------
# accounts_and_groups WHEN: the same answers with and without the catalog.
accounts_and_groups() {
	for u in alice bob carol dave; do
		case $u in
		alice) want='{"prod":["admin","broken","gone","notoken","old","read"]}' ;;
		bob) want='{"prod":["read"]}' ;;
		carol) want='{"dev":["deploy"]}' ;;
		dave) want='{}' ;;
		esac
		cgi GET /account REMOTE_USER=$u
		expect_eq "$H_CODE/$(body)" "200/$want" "$1: /account as $u: $want"
	done
	cgi GET /account REMOTE_USER=zed
	expect_eq "$H_CODE/$(body)" "200/{}" "$1: /account for a user NSS does not know: {}"
	cgi GET /account/dev/deploy REMOTE_USER=carol
	expect_eq "$H_CODE" 200 "$1: carol in aws-dev-deploy (group_pattern) on dev/deploy: 200"
	expect_eq "$(json_norm "$T_TMP/h.body")" "$WANT_DEPLOY" "$1: carol on dev/deploy: the entry's credentials"
	cgi GET /account/dev/deploy REMOTE_USER=dave
	expect_eq "$H_CODE" 403 "$1: dave in aws-dev-other on dev/deploy: 403"
	cgi GET /account/prod/admin REMOTE_USER=carol
	expect_eq "$H_CODE" 403 "$1: carol on prod/admin: 403"
	cgi GET /account/prod/read REMOTE_USER=bob
	expect_eq "$H_CODE:$(json_norm "$T_TMP/h.body")" "200:$WANT_READ_BOB" \
	    "$1: bob on the per-user prod/read: his own entry"
}
accounts_and_groups "no catalog"
cgi GET /account/prod/nosuch REMOTE_USER=dave
expect_eq "$H_CODE" 403 "dave in aws-prod-nosuch on the missing role prod/nosuch: 403"

# --- per-user entries ------------------------------------------------------------
cgi GET /account/prod/read REMOTE_USER=alice
expect_eq "$(json_norm "$T_TMP/h.body")" "$WANT_READ_ALICE" "alice on prod/read: prod/read/alice.json"
cgi GET /account/prod/read REMOTE_USER=bob
expect_eq "$(json_norm "$T_TMP/h.body")" "$WANT_READ_BOB" "bob on prod/read: prod/read/bob.json"
mv "$CACHE/prod/read/alice.json" "$T_TMP/alice.json"
cgi GET /account/prod/read REMOTE_USER=alice
expect_eq "$H_CODE" 503 "alice's per-user entry missing: 503, not bob's or the shared one"
check "alice's per-user entry missing: no credentials in the body" \
    test "$(grep -c secret "$T_TMP/h.body")" = 0
mv "$T_TMP/alice.json" "$CACHE/prod/read/alice.json"

# --- missing, expired, corrupt entries -------------------------------------------
cgi GET /account/prod/gone REMOTE_USER=alice
expect_eq "$H_CODE" 503 "missing entry: 503"
cgi GET /account/prod/old REMOTE_USER=alice
expect_eq "$H_CODE" 503 "expired entry: 503"
check "expired entry: no credentials in the body" \
    test "$(grep -c secret "$T_TMP/h.body")" = 0
cgi GET /account/prod/broken REMOTE_USER=alice
expect_eq "$H_CODE" 500 "truncated entry: 500"
expect_eq "$CGI_RC" 0 "truncated entry: the CGI exits normally (no crash)"
expect_eq "$(body)" '{"status":"500","message":"internal error"}' \
    "truncated entry: body says internal error and nothing more"
check "truncated entry: the log has the detail" grep -q 'status=500.*cache entry' "$T_TMP/h.err"
cgi GET /account/prod/notoken REMOTE_USER=alice
expect_eq "$H_CODE/$(body)" '500/{"status":"500","message":"internal error"}' \
    "entry without a session token: 500 internal error"

# --- trust: real uid must be web_user's -------------------------------------
CONF=$C/trust.conf
cgi GET /account/prod/admin REMOTE_USER=alice
expect_eq "$H_CODE" 500 "web_user = daemon, run by $(id -un): 500"
expect_eq "$(body)" '{"status":"500","message":"internal error"}' \
    "web_user mismatch: the body carries no data"
cgi GET /status
expect_eq "$H_CODE" 500 "web_user mismatch: /status is 500 too"
# A uid instead of a name: compared without a user lookup.
CONF=$C/uid.conf
cgi GET /account/prod/admin REMOTE_USER=alice
expect_eq "$H_CODE" 200 "web_user = $(id -u) (our uid, as a number): 200"
CONF=$C/uidother.conf
cgi GET /account/prod/admin REMOTE_USER=alice
expect_eq "$H_CODE/$(body)" '500/{"status":"500","message":"internal error"}' \
    "web_user = $(id -u daemon) (daemon's uid), run by $(id -un): 500, no data"
check "uid mismatch: the log names both uids" \
    grep -q "real uid $(id -u) is not web_user $(id -u daemon)'s" "$T_TMP/h.err"
CONF=$C/afp.conf

# --- AFP_CONFIG is ignored when running setgid ------------------------------------
# Run as root, a setgid binary of another group changes the effective gid,
# so the kernel sets AT_SECURE. The CGI must then read the compiled-in
# /etc/afp/afp.conf (absent here: 500), never AFP_CONFIG.
if [ "$(id -u)" != 0 ]; then
	not_ok "the AFP_CONFIG/setgid test needs root"
	t_done
fi
if [ -n "${AFP_VALGRIND:-}" ]; then
	diag "setgid copies skipped: under valgrind \$CGI is a wrapper script, which cannot run setgid (privilege.test.sh covers it)"
elif [ -e /etc/afp/afp.conf ]; then
	not_ok "/etc/afp/afp.conf exists: the setgid test cannot tell it from AFP_CONFIG (remove it or run elsewhere)"
else
	mkdir "$T_TMP/sg"
	cp "$CGI" "$T_TMP/sg/afp.cgi"
	SG_GROUP=$(getent group nogroup >/dev/null && echo nogroup || echo daemon)
	chgrp "$SG_GROUP" "$T_TMP/sg/afp.cgi"
	chmod 0755 "$T_TMP/sg/afp.cgi"
	# Without preloads: the loader drops LD_PRELOAD under AT_SECURE, and
	# alice is in allow_users, so NSS groups are not needed.
	NSS_ENV_SAVE=$NSS_ENV
	NSS_ENV=
	CGI_BIN=$T_TMP/sg/afp.cgi
	cgi GET /account/prod/admin REMOTE_USER=alice
	expect_eq "$H_CODE" 200 "copy without setgid honours AFP_CONFIG: 200"
	expect_eq "$(json_norm "$T_TMP/h.body")" "$WANT_ADMIN" "copy without setgid: the entry's credentials"
	expect_eq "$(env -i LD_SHOW_AUXV=1 REQUEST_METHOD=GET PATH_INFO=/status \
	    "$CGI_BIN" 2>/dev/null | grep -c '^AT_SECURE: *0$')" 1 \
	    "the copy without setgid runs with AT_SECURE 0"
	chmod 2755 "$T_TMP/sg/afp.cgi"
	if [ "$(stat -c %A "$T_TMP/sg/afp.cgi" | cut -c7)" != s ]; then
		not_ok "could not make the copy setgid $SG_GROUP"
	else
		# The premise: the loader runs the copy in secure mode, so it
		# drops LD_SHOW_AUXV (which prints AT_SECURE: 0 otherwise).
		expect_eq "$(env -i LD_SHOW_AUXV=1 REQUEST_METHOD=GET PATH_INFO=/status \
		    "$CGI_BIN" 2>/dev/null | grep -c '^AT_SECURE')" 0 \
		    "the setgid copy runs with AT_SECURE (LD_SHOW_AUXV dropped)"
		cgi GET /account/prod/admin REMOTE_USER=alice
		# Without its config it logs to syslog, not to stderr.
		N_RUNS=$((N_RUNS - 1))
		expect_eq "$H_CODE" 500 "setgid $SG_GROUP copy ignores AFP_CONFIG (no /etc/afp/afp.conf): 500"
		check "setgid copy: no credentials in the body" \
		    test "$(grep -cF "$ADMIN_SECRET" "$T_TMP/h.body")" = 0
		[ "$H_CODE" = 500 ] || diag "nosuid mount? $(findmnt -T "$T_TMP" -o OPTIONS -n 2>/dev/null)"
	fi
	unset CGI_BIN
	NSS_ENV=$NSS_ENV_SAVE
fi

# --- headers and bodies of every status ---------------------------------------------
# std CODE DESC: the Status line and the headers every answer carries.
std() {
	expect_eq "$H_CODE" "$1" "$2: status $1"
	expect_eq "$(header Cache-Control)" no-store "$2: Cache-Control: no-store"
	expect_eq "$(header X-Content-Type-Options)" nosniff "$2: X-Content-Type-Options: nosniff"
	expect_eq "$(header Content-Type)" application/json "$2: Content-Type: application/json"
	expect_eq "$(header Content-Length)" "$H_LEN" "$2: Content-Length matches the body"
}
cgi GET /account/prod/admin REMOTE_USER=alice
std 200 "200 credentials"
cgi GET /status
std 200 "200 /status"
error_body 200 "/status: {\"status\":\"200\",\"message\":...}"
cgi GET /account
std 401 "401"
expect_eq "$(header WWW-Authenticate)" 'Basic realm="afp"' "401: WWW-Authenticate: Basic realm=\"afp\""
error_body 401 "401: error body with status 401"
cgi GET /account/prod/admin REMOTE_USER=bob
std 403 "403"
error_body 403 "403: error body with status 403"
cgi GET /nowhere REMOTE_USER=alice
std 404 "404"
error_body 404 "404: error body with status 404"
cgi GET /account/prod/admin/extra/more REMOTE_USER=alice
expect_eq "$H_CODE" 404 "unknown path under a role: 404"
cgi GET /account/prod/.. REMOTE_USER=alice
std 400 "400 dot segment"
error_body 400 "400: error body with status 400"
cgi GET /account/prod/gone REMOTE_USER=alice
std 503 "503"
error_body 503 "503: error body with status 503"
cgi GET /account/prod/broken REMOTE_USER=alice
std 500 "500"
for h in WWW-Authenticate Allow; do
	expect_eq "$(header $h)" "" "500: no $h header"
done

# --- methods ------------------------------------------------------------------
for m in POST PUT DELETE; do
	for p in /account/prod/admin /account /status; do
		cgi $m $p REMOTE_USER=alice
		expect_eq "$H_CODE" 405 "$m $p: 405"
		check "$m $p: no credentials in the body" \
		    test "$(grep -cF "$ADMIN_SECRET" "$T_TMP/h.body")" = 0
	done
done
cgi DELETE /account/prod/admin REMOTE_USER=alice
std 405 "405"
expect_eq "$(header Allow)" "GET, HEAD" "405: Allow: GET, HEAD"
error_body 405 "405: error body with status 405"
for p in /account/prod/admin /account /status /account/prod/gone /nowhere; do
	cgi GET $p REMOTE_USER=alice
	get_len=$(header Content-Length)
	get_code=$H_CODE
	cgi HEAD $p REMOTE_USER=alice
	expect_eq "$H_CODE $(header Content-Length)" "$get_code $get_len" \
	    "HEAD $p: same status and Content-Length as GET ($get_code, $get_len)"
	expect_eq "$H_LEN" 0 "HEAD $p: no body"
done

# --- the request log -----------------------------------------------------------------
# One line per request with user, address, path and status.
logline() {
	local _n
	_n=$(grep -c 'user=' "$T_TMP/h.err")
	if [ "$_n" = 1 ] && grep -qE -- "$1" "$T_TMP/h.err"; then
		ok "$2"
	else
		not_ok "$2"
		sed 's/^/# err: /' "$T_TMP/h.err"
	fi
}
cgi GET /account/prod/admin REMOTE_USER=alice
logline 'user=alice addr=127\.0\.0\.9 path=/account/prod/admin status=200$' "log: one line for alice's 200"
cgi GET /account/prod/admin REMOTE_USER=bob REMOTE_ADDR=2001:db8::7
logline 'user=bob addr=2001:db8::7 path=/account/prod/admin status=403' "log: one line for bob's 403 from an IPv6 address"
cgi GET /account/prod/gone/credentials REMOTE_USER=alice
logline 'user=alice addr=127\.0\.0\.9 path=/account/prod/gone/credentials status=503' "log: one line for a 503"
cgi GET /account
logline 'user=- addr=127\.0\.0\.9 path=/account status=401' "log: one line for a 401 without a user"
cgi PUT /status
logline 'user=- addr=127\.0\.0\.9 path=/status status=405' "log: one line for a 405"
cgi GET /account/prod/broken REMOTE_USER=alice
logline 'user=alice addr=127\.0\.0\.9 path=/account/prod/broken status=500' "log: one line for a 500"
cgi GET /account/prod/admin REMOTE_USER=alice REMOTE_ADDR='1.2.3.4 injected=x'
logline 'user=alice addr=- path=/account/prod/admin status=200' "log: a malformed REMOTE_ADDR is logged as -"

# --- /status ----------------------------------------------------------------------
now=$(date +%s)
status "$now" true
cgi GET /status
expect_eq "$H_CODE/$(body)" '200/{"status":"200","message":"OK"}' "/status fresh and ok: 200 OK"
status "$((now - 2000))" true
cgi GET /status
expect_eq "$H_CODE" 200 "/status ended 2000 s ago (limit 2x15m+5m = 2100 s): 200"
status_503() {
	cgi GET /status
	expect_eq "$H_CODE" 503 "/status $1: 503"
	error_body 503 "/status $1: error body with status 503"
	if grep -qwE 'prod|admin|alice|dev|deploy|AccessDenied' "$T_TMP/h.body"; then
		not_ok "/status $1: the body names no account, role or user"
		show
	else
		ok "/status $1: the body names no account, role or user"
	fi
}
status "$((now - 2200))" true
status_503 "ended 2200 s ago"
status "$((now + 1000))" true
status_503 "ending 1000 s in the future"
status "$now" false
status_503 "ok:false"
rm "$CACHE/status.json"
status_503 "without status.json"
printf '{"version":1,"ok":true,"end":' >"$CACHE/status.json"
status_503 "with a truncated status.json"
status "$now" true
cgi GET /status HTTP_AUTHORIZATION="Basic Zm9vOmJhcg=="
expect_eq "$H_CODE" 200 "/status needs no authentication"

# --- with the refresher's catalog ---------------------------------------------
# So far there was no catalog and the CGI read all of accounts.d. A
# refresher run writes one before it asks AWS for anything, so a run that
# cannot reach STS (nobody listens on the port) still writes it; it keeps
# the cache entries as they are.
catalog_write "$CONF" prod/admin
check "a refresher run that cannot reach STS writes the catalog" \
    test -f "$CACHE/catalog"
expect_mode "$CACHE/catalog" 640 "the catalog is 0640"
check "the catalog names alice's role and its file" \
    grep -qx 'u alice prod/admin' "$CACHE/catalog"
check "the catalog names the group_pattern group" \
    grep -qx 'g aws-dev-deploy dev/deploy' "$CACHE/catalog"
accounts_and_groups "catalog"

# A file no request needs is not read: a broken one changes nothing until
# the catalog is gone and the CGI reads every file again.
printf '[role prod/oops\n' >"$C/accounts.d/zz-broken.conf"
cgi GET /account/prod/admin REMOTE_USER=alice
expect_eq "$H_CODE" 200 "catalog: a broken file the request does not need is not read"
mv "$CACHE/catalog" "$T_TMP/catalog.saved"
cgi GET /account/prod/admin REMOTE_USER=alice
expect_eq "$H_CODE" 500 "no catalog: the broken file is read and refused (500)"
rm "$C/accounts.d/zz-broken.conf"
mv "$T_TMP/catalog.saved" "$CACHE/catalog"

# The catalog is only a hint: what it names is checked against the files.
cp "$C/accounts.d/test.conf" "$T_TMP/test.conf.saved"
sed -i '/^\[role prod\/admin\]/,/^$/s/^allow_users  = alice$/allow_users  = bob/' \
    "$C/accounts.d/test.conf"
cgi GET /account/prod/admin REMOTE_USER=alice
expect_eq "$H_CODE" 403 "catalog still naming alice on prod/admin: the file decides, 403"
cgi GET /account REMOTE_USER=alice
expect_eq "$(body)" '{"prod":["broken","gone","notoken","old","read"]}' \
    "catalog still naming alice on prod/admin: /account leaves it out"
cp "$T_TMP/test.conf.saved" "$C/accounts.d/test.conf"

# A role in a new file (a name that needs percent-encoding) is found once a
# refresher run has catalogued it.
cat >"$C/accounts.d/new %role.conf" <<EOF
[role dev/new]
session_name = afp-new
allow_users  = alice
EOF
entry dev/new.json new "$FUT"
WANT_NEW=$(want_creds "$FUT")
cgi GET /account/dev/new REMOTE_USER=alice
expect_eq "$H_CODE" 403 "a role the catalog does not know yet: 403"
catalog_write "$CONF" prod/admin
check "the catalog names the new file, percent-encoded" \
    grep -qx 'r dev/new new%20%25role.conf' "$CACHE/catalog"
cgi GET /account/dev/new REMOTE_USER=alice
expect_eq "$H_CODE:$(json_norm "$T_TMP/h.body")" "200:$WANT_NEW" \
    "after the next run: alice on dev/new gets its entry"
ALL_ALICE='{"dev":["new"],"prod":["admin","broken","gone","notoken","old","read"]}'
cgi GET /account REMOTE_USER=alice
expect_eq "$(body)" "$ALL_ALICE" "after the next run: /account lists dev/new"

# A damaged catalog is set aside with a warning and every file is read;
# one naming a file outside accounts_dir is refused.
printf 'afp-catalog 9\nu alice dev/new\n' >"$CACHE/catalog"
cgi GET /account REMOTE_USER=alice
expect_eq "$H_CODE:$(body)" "200:$ALL_ALICE" \
    "a catalog with a wrong header: the whole configuration is read"
check "a catalog with a wrong header: a warning in the log" \
    grep -q 'catalog: malformed data; reading all of accounts_dir' "$T_TMP/h.err"
printf 'afp-catalog 1\nu alice dev/../x\n' >"$CACHE/catalog"
cgi GET /account REMOTE_USER=alice
expect_eq "$H_CODE:$(body)" "200:$ALL_ALICE" \
    "a catalog naming a bad role: the whole configuration is read"
printf 'afp-catalog 1\na prod ..%%2Fafp.conf\nr prod/admin ..%%2Fafp.conf\nu alice prod/admin\n' >"$CACHE/catalog"
cgi GET /account/prod/admin REMOTE_USER=alice
expect_eq "$H_CODE" 500 "a catalog naming a file outside accounts_dir: 500"
check "a catalog naming a file outside accounts_dir: refused by name" \
    grep -q 'not a configuration file name' "$T_TMP/h.err"
rm "$CACHE/catalog" "$C/accounts.d/new %role.conf"

# --- no secret in the log ---------------------------------------------------------
nsec=$(grep -c . "$T_TMP/secrets.list")
check "secrets to look for: $nsec" test "$nsec" -ge 16
if grep -qF -f "$T_TMP/secrets.list" "$T_TMP/all.err"; then
	not_ok "no secret key or session token in the CGI's log"
else
	ok "no secret key or session token in the CGI's log"
fi
expect_no_secret "$T_TMP/all.err" "$ADMIN_SECRET" "no secret key of prod/admin in the log"
expect_no_secret "$T_TMP/all.err" "$ADMIN_TOKEN" "no session token of prod/admin in the log"
expect_no_secret "$T_TMP/all.err" "pw-Zq81xx" "no Authorization password in the log"
expect_no_secret "$T_TMP/all.err" "$(printf 'alice:pw-Zq81xx' | base64 -w0)" \
    "no Authorization header in the log"
expect_eq "$(grep -c 'user=' "$T_TMP/all.err")" "$N_RUNS" "the log has one request line per run ($N_RUNS runs)"

t_done
