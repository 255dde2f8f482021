#!/bin/sh
# The README's quick start (make demo): afp against moto, everything on
# 127.0.0.1 and under one temp dir, nothing installed.
#
#   moto (plays AWS) <- afp-refresher -> cache <- afp.cgi under lighttpd <- curl
#
# The user "demo" (password "demo") logs in through PAM: pam_wrapper gives
# the CGI a private PAM stack (pam_matrix over a small password file) and
# nss_wrapper a private passwd/group, so the demo needs no system accounts.
# It stops everything at the end; DEMO_KEEP=1 keeps the servers running
# until Ctrl-C. Needs the binaries built (make demo builds them first).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

REFRESHER=$BUILD/afp-refresher
CGI=$BUILD/afp.cgi
for b in "$REFRESHER" "$CGI"; do
	if [ ! -x "$b" ]; then
		echo "demo: ${b#"$TOP"/} missing; run make first (make demo does)" >&2
		exit 1
	fi
done
need_cmd curl lighttpd
need_py boto3 moto
need_wrappers

say() {
	printf '\n== %s\n' "$*"
}

say "starting moto on 127.0.0.1 with IAM user afp-base and roles admin, readonly"
moto_prepare admin readonly
echo "moto: $MOTO_URL"

afp_dirs
afp_conf afp.conf pam accounts.d
cat >"$C/accounts.d/demo.conf" <<EOF
[account demo]
id = 123456789012

[role demo/admin]
type         = assume_role
session_name = afp-{user}
allow_users  = demo

[role demo/readonly]
type         = assume_role
session_name = afp-readonly
allow_users  = demo
EOF
afp_users demo:demo
say "config in $C"
sed 's/^/    /' "$C/afp.conf" "$C/accounts.d/demo.conf"

say "afp-refresher -c $C/afp.conf -v"
# shellcheck disable=SC2086
if ! env $NSS_ENV "$REFRESHER" -c "$C/afp.conf" -v 2>&1; then
	echo "demo: the refresher failed" >&2
	exit 1
fi
say "cache"
(cd "$T_TMP/cache" && find . -type f | sort | sed 's/^/    /')

serve_afp
say "afp.cgi is at $AFP_URL (user demo, password demo)"

say "curl -u demo:demo $AFP_URL/account"
curl -s -u demo:demo "$AFP_URL/account"
echo

say "curl -u demo:demo $AFP_URL/account/demo/admin   (secrets not shown here)"
curl -s -u demo:demo -o "$T_TMP/admin.json" "$AFP_URL/account/demo/admin"
"$PYTHON" -c 'import json, sys
c = json.load(open(sys.argv[1]))["credentials"]
def mask(s):
    return "(%d characters, not shown)" % len(s)
print("    access_key    ", c["access_key"])
print("    secret_key    ", mask(c["secret_key"]))
print("    session_token ", mask(c["session_token"]))
print("    expiration    ", c["expiration"])' "$T_TMP/admin.json" || {
	echo "demo: unexpected answer:" >&2
	exit 1
}

say "the credentials work: sts get-caller-identity against moto says"
printf '    '
creds_identity "$T_TMP/admin.json"

say "a wrong password gets"
curl -s -u demo:wrong -w ' (HTTP %{http_code})\n' "$AFP_URL/account"

if [ "${DEMO_KEEP:-0}" = 1 ]; then
	trap 'exit 0' INT
	say "servers keep running; try:"
	echo "    curl -u demo:demo $AFP_URL/account"
	echo "    curl -u demo:demo $AFP_URL/account/demo/readonly"
	echo "    curl $AFP_URL/status"
	echo "press Ctrl-C to stop"
	wait "$LIGHTTPD_PID"
fi
say "stopping moto and lighttpd"
