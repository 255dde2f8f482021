#!/bin/sh
# The installed, setgid CGI as a local attacker meets it. As root: build a
# CGI whose compiled-in config path lies in a temporary root, install it
# there with install.sh (setgid afp), then run it as www-data and as other
# users and show that it ignores AFP_CONFIG, LD_PRELOAD and the cwrap
# variables (AT_SECURE), that only it can read the cache, and that a real
# uid other than web_user gets 500. A non-setgid copy of the same binary,
# run the same way, honours those variables: the checks can fail.
# shellcheck disable=SC2086
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

if [ "$(id -u)" -ne 0 ]; then
	not_ok "privilege test needs root (setgid install, other users)"
	t_done
fi
need_cmd setpriv make cc stat strace
need_wrappers
for u in www-data nobody; do
	getent passwd "$u" >/dev/null || { not_ok "user $u missing"; t_done; }
done

# www-data and group afp must reach the temporary root.
chmod 0711 "$T_TMP"
ROOT=$T_TMP/root
mkdir -m 0755 "$ROOT"
B=$T_TMP/build
# A plain build: the flags of an enclosing `make check-asan` (in MAKEFLAGS
# and, as command-line variables, in the environment) stay out
# (LeakSanitizer cannot trace a setgid process).
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SAN -u OPT make -C "$TOP" -j2 BUILD="$B" \
    SYSCONFDIR="$ROOT/etc" "$B/afp.cgi" >"$T_TMP/make.log" 2>&1; then
	not_ok "build of a CGI configured under $ROOT"
	tail -20 "$T_TMP/make.log" | sed 's/^/# /'
	t_done
fi
cp "$BUILD/afp-refresher" "$B/afp-refresher" 2>/dev/null || cp /bin/true "$B/afp-refresher"
check "install.sh into the temporary root" sh -c "cd '$TOP' &&
    DESTDIR='$ROOT' BUILD='$B' PREFIX=/usr sh ./install.sh >'$T_TMP/install.log' 2>&1" ||
    sed 's/^/# /' "$T_TMP/install.log"
ICGI=$ROOT/usr/lib/cgi-bin/afp/afp.cgi
expect_eq "$(stat -c '%U:%G %a' "$ICGI" 2>/dev/null)" "root:afp 2755" \
    "installed CGI is root:afp 2755"

# The configuration the compiled-in path names: remote_user, one role.
E=$ROOT/etc/afp
CACHE=$ROOT/var/cache/afp
cat >"$E/afp.conf" <<EOF
[afp]
cache_dir    = $CACHE
accounts_dir = $E/accounts.d
auth         = remote_user
pam_service  = afp-privilege-test-none
web_user     = www-data
log          = stderr
EOF
cat >"$E/accounts.d/test.conf" <<EOF
[account prod]
id = 123456789012

[role prod/admin]
type         = assume_role
session_name = afp-admin
allow_users  = alice
EOF
chown root:afp "$E/accounts.d/test.conf"
chmod 0640 "$E/accounts.d/test.conf"
rnd() {
	head -c 30 /dev/urandom | base64 | tr -d '/+=\n'
}
FUT=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# entry DIR KEY SECRET TOKEN: prod/admin.json as the refresher writes it.
entry() {
	(umask 027 && mkdir -p "$1/prod")
	printf '{"version":1,"access_key_id":"%s","secret_access_key":"%s","session_token":"%s","expiration":"%s","last_updated":"%s"}\n' \
	    "$2" "$3" "$4" "$FUT" "$NOW" >"$1/prod/admin.json"
	chmod 0640 "$1/prod/admin.json"
}
KEY=ASIAREAL$(rnd | tr '[:lower:]' '[:upper:]' | cut -c1-8)
SECRET=real-secret-$(rnd)
TOKEN=real-token-$(rnd)
entry "$CACHE" "$KEY" "$SECRET" "$TOKEN"
chgrp -R afp "$CACHE"

# An attacker's configuration and cache, readable by everyone.
EVIL=$T_TMP/evil
mkdir -m 0755 "$EVIL" "$EVIL/accounts.d"
sed -e "s|^cache_dir .*|cache_dir    = $EVIL/cache|" \
    -e "s|^accounts_dir .*|accounts_dir = $EVIL/accounts.d|" \
    "$E/afp.conf" >"$EVIL/afp.conf"
cp "$E/accounts.d/test.conf" "$EVIL/accounts.d/"
mkdir -m 0755 "$EVIL/cache"
FORGED=ASIAFORGED$(rnd | tr '[:lower:]' '[:upper:]' | cut -c1-6)
entry "$EVIL/cache" "$FORGED" "forged-secret-$(rnd)" "forged-token-$(rnd)"
chmod -R a+rX "$EVIL"

# A preload that leaves a mark when the dynamic loader honours it.
MARK=$T_TMP/marks
mkdir -m 0777 "$MARK"
printf '%s\n' '#include <fcntl.h>' '#include <unistd.h>' \
    "__attribute__((constructor)) static void mark(void) { close(open(\"$MARK/preloaded\", O_WRONLY | O_CREAT, 0644)); }" \
    >"$T_TMP/mark.c"
check "build the marking preload" cc -shared -fPIC -o "$EVIL/mark.so" "$T_TMP/mark.c"
chmod 0755 "$EVIL/mark.so"

# The control: the same binary without setgid, where www-data may run it.
PLAIN=$T_TMP/plain
mkdir -m 0755 "$PLAIN"
cp "$ICGI" "$PLAIN/afp.cgi"
chmod 0755 "$PLAIN/afp.cgi"
# A hard link (made by root) lets other users reach the setgid binary past
# its 0750 directory, as a local attacker would need to.
OPEN=$T_TMP/open
mkdir -m 0755 "$OPEN"
ln "$ICGI" "$OPEN/afp.cgi"

# as USER:GROUP CGI PATH_INFO [NAME=VALUE...]: run CGI as that real user
# and group with a web server's environment plus the pairs. Sets H_CODE
# (000 when it could not run), the body in h.body, stderr in cgi.err.
# (Under make check-asan a preloaded library would otherwise make the ASan
# runtime refuse to start.)
as() {
	local _ug=$1 _cgi=$2 _pi=$3
	shift 3
	rm -f "$MARK/preloaded"
	setpriv --reuid="${_ug%:*}" --regid="${_ug#*:}" --clear-groups \
	    env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=127.0.0.1 SERVER_PORT=80 \
	    SCRIPT_NAME=/cgi-bin/afp/afp.cgi PATH_INFO="$_pi" QUERY_STRING= \
	    REQUEST_URI="/cgi-bin/afp/afp.cgi$_pi" REMOTE_ADDR=127.0.0.1 \
	    REMOTE_USER=alice \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	    "$@" "$_cgi" >"$T_TMP/cgi.out" 2>"$T_TMP/cgi.err" </dev/null
	if [ $? -ge 126 ]; then
		H_CODE=000
	else
		H_CODE=$(tr -d '\r' <"$T_TMP/cgi.out" |
		    sed -n 's/^Status: *\([0-9][0-9][0-9]\).*/\1/Ip' | head -n 1)
		[ -n "$H_CODE" ] || H_CODE=200
	fi
	tr -d '\r' <"$T_TMP/cgi.out" | sed '1,/^$/d' >"$T_TMP/h.body"
	cat "$T_TMP/cgi.err" >>"$T_TMP/all.log"
}
akid() {
	json_get "$T_TMP/h.body" credentials.access_key
}

# --- the setgid CGI as the web server runs it ---------------------------
as www-data:www-data "$ICGI" /account/prod/admin
expect_eq "$H_CODE" 200 "www-data: 200 from the setgid CGI"
expect_eq "$(akid)" "$KEY" "www-data: the credentials of the real cache"
# The web user itself cannot read what the CGI serves.
for f in "$CACHE/prod/admin.json" "$CACHE/prod" "$E/afp.conf"; do
	setpriv --reuid=www-data --regid=www-data --clear-groups \
	    cat "$f" >"$T_TMP/cat.out" 2>"$T_TMP/cat.err"
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q 'Permission denied' "$T_TMP/cat.err" &&
	    [ ! -s "$T_TMP/cat.out" ]; then
		ok "www-data cannot read ${f#"$ROOT"} (EACCES)"
	else
		not_ok "www-data cannot read ${f#"$ROOT"} (EACCES)"
	fi
done
setpriv --reuid=www-data --regid=www-data --clear-groups ls "$CACHE" \
    >/dev/null 2>&1
expect_eq "$?" 2 "www-data cannot list the cache directory"

# --- overrides, setgid and not ---------------------------------------------
as www-data:www-data "$ICGI" /account/prod/admin AFP_CONFIG="$EVIL/afp.conf"
expect_eq "$(akid)" "$KEY" "setgid: AFP_CONFIG ignored (real credentials)"
as www-data:www-data "$PLAIN/afp.cgi" /account/prod/admin \
    AFP_CONFIG="$EVIL/afp.conf"
expect_eq "$(akid)" "$FORGED" "control, not setgid: AFP_CONFIG honoured"

as www-data:www-data "$ICGI" /account/prod/admin LD_PRELOAD="$EVIL/mark.so"
expect_eq "$H_CODE:$(test -e "$MARK/preloaded" && echo ran)" 200: \
    "setgid: LD_PRELOAD ignored"
as www-data:www-data "$PLAIN/afp.cgi" /account/prod/admin \
    LD_PRELOAD="$EVIL/mark.so"
expect_eq "$(test -e "$MARK/preloaded" && echo ran)" ran \
    "control, not setgid: LD_PRELOAD honoured"

# nss_wrapper claiming that www-data is nobody: nobody would pass the
# real-uid check if the loader took the preload.
mkdir -m 0755 "$EVIL/nss"
echo "www-data:x:$(id -u nobody):$(id -g nobody)::/:/bin/false" >"$EVIL/nss/passwd"
echo "nogroup:x:$(id -g nobody):" >"$EVIL/nss/group"
chmod 0644 "$EVIL/nss/passwd" "$EVIL/nss/group"
NSS_FORGE="LD_PRELOAD=$NSS_WRAPPER_LIB NSS_WRAPPER_PASSWD=$EVIL/nss/passwd NSS_WRAPPER_GROUP=$EVIL/nss/group"
as nobody:nogroup "$OPEN/afp.cgi" /account/prod/admin $NSS_FORGE
expect_eq "$H_CODE" 500 "setgid, run by nobody with nss_wrapper naming nobody www-data: 500"
check "setgid, forged NSS: no credentials" test ! -s "$T_TMP/h.body" -o \
    -z "$(akid)"
as nobody:nogroup "$PLAIN/afp.cgi" /account/prod/admin $NSS_FORGE \
    AFP_CONFIG="$EVIL/afp.conf"
expect_eq "$H_CODE:$(akid)" "200:$FORGED" \
    "control, not setgid: the forged NSS passes the real-uid check"

# pam_wrapper with a service that lets anyone in.
mkdir -m 0755 "$EVIL/pam.d"
printf '%s\n' 'auth sufficient pam_permit.so' 'account sufficient pam_permit.so' \
    >"$EVIL/pam.d/afp-privilege-test-none"
chmod 0644 "$EVIL/pam.d/afp-privilege-test-none"
sed -i 's/^auth .*/auth         = pam/' "$E/afp.conf" "$EVIL/afp.conf"
BASIC="HTTP_AUTHORIZATION=Basic $(printf 'alice:guess' | base64 -w0)"
PAM_FORGE="LD_PRELOAD=$PAM_WRAPPER_LIB PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$EVIL/pam.d"
as www-data:www-data "$ICGI" /account/prod/admin "$BASIC" $PAM_FORGE
expect_eq "$H_CODE" 401 "setgid: pam_wrapper variables ignored, a guessed password gets 401"
as www-data:www-data "$PLAIN/afp.cgi" /account/prod/admin "$BASIC" $PAM_FORGE \
    AFP_CONFIG="$EVIL/afp.conf"
expect_eq "$H_CODE" 200 "control, not setgid: pam_wrapper lets the guess in"
sed -i 's/^auth .*/auth         = remote_user/' "$E/afp.conf" "$EVIL/afp.conf"

# --- other real users -----------------------------------------------------
as nobody:nogroup "$ICGI" /account/prod/admin
expect_eq "$H_CODE" 000 "nobody cannot run the CGI in its 0750 directory"
as nobody:nogroup "$OPEN/afp.cgi" /account/prod/admin
expect_eq "$H_CODE" 500 "nobody, through a hard link: 500"
check "nobody: the log names the refused real uid" \
    grep -q "real uid $(id -u nobody) is not web_user www-data" "$T_TMP/cgi.err"
check "nobody: no credentials in the answer" sh -c "! grep -q '$KEY' '$T_TMP/h.body'"
as 0:0 "$OPEN/afp.cgi" /account/prod/admin
expect_eq "$H_CODE" 500 "root as real uid (not web_user): 500"
as www-data:www-data "$OPEN/afp.cgi" /account/prod/admin
expect_eq "$H_CODE" 200 "www-data through the same hard link: 200"

# --- the sandbox: after PAM and the cache read -----------------------------
# The same binary as root through pam_wrapper: strace shows PAM reading its
# password database, then the cache read, then the seal (seccomp's strict
# mode), after which the process only writes and exits.
pam_service afp-sbx
pam_user alice 'alice-Sbx-pw-4r' afp-sbx
nss_init
wrap_env
sed -e 's/^auth .*/auth         = pam/' -e 's/^pam_service .*/pam_service  = afp-sbx/' \
    -e "s/^web_user .*/web_user     = $(id -un)/" "$E/afp.conf" >"$T_TMP/sbx.conf"
strace -f -qq -o "$T_TMP/sbx.trace" \
    env -i $WRAP_ENV AFP_CONFIG="$T_TMP/sbx.conf" GATEWAY_INTERFACE=CGI/1.1 \
    REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/afp/afp.cgi \
    PATH_INFO=/account/prod/admin REQUEST_URI=/cgi-bin/afp/afp.cgi/account/prod/admin \
    REMOTE_ADDR=127.0.0.1 \
    HTTP_AUTHORIZATION="Basic $(printf 'alice:alice-Sbx-pw-4r' | base64 -w0)" \
    "$PLAIN/afp.cgi" >"$T_TMP/sbx.out" 2>"$T_TMP/sbx.err"
check "sandboxed answer under strace: 200 with the entry's key" \
    grep -q "$KEY" "$T_TMP/sbx.out"
line_of() {
	grep -n "$1" "$T_TMP/sbx.trace" | sed -n "${2}p" | cut -d: -f1
}
L_PAM=$(line_of "openat(.*$T_TMP/passdb\"" '$')
L_CACHE=$(line_of "openat(.*$CACHE/prod/admin.json\"" 1)
L_SBX=$(line_of 'SECCOMP_MODE_STRICT' 1)
if [ -n "$L_PAM" ] && [ -n "$L_SBX" ] && [ -n "$L_CACHE" ] &&
    [ "$L_PAM" -lt "$L_CACHE" ] && [ "$L_CACHE" -lt "$L_SBX" ]; then
	ok "PAM's last read, then the cache read, then the seal"
else
	not_ok "PAM's last read, then the cache read, then the seal"
	diag "trace lines: PAM '$L_PAM', cache '$L_CACHE', seal '$L_SBX'"
fi
# strace -f prefixes each line with the pid.
sed -n "$((${L_SBX:-0} + 1)),\$p" "$T_TMP/sbx.trace" |
    sed 's/^[0-9]* *//' | grep -v '^+++ exited' >"$T_TMP/sbx.after"
check "after the seal: writes, then exit(0), nothing else" \
    awk '/^write\(/ { w++; next } /^exit\(0\)/ { e++; next } { bad++ }
	END { exit !(w >= 1 && e == 1 && bad == 0) }' "$T_TMP/sbx.after"
cat "$T_TMP/sbx.err" >>"$T_TMP/all.log"

logs_free_of "$T_TMP/all.log" "$SECRET" "no real secret key in the CGI's logs" \
    "$TOKEN" "no real session token in a log"
t_done
