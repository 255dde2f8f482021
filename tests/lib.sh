# tests/lib.sh: shared helpers for tests/*.test.sh and tests/demo.sh.
# POSIX sh (tests/run.sh runs tests with sh, which is dash on Debian).
#
# Sourcing it makes a private temp dir ($T_TMP), clears AWS and proxy
# variables so nothing outside the test leaks in, and arranges for
# everything started through it to be stopped on exit. Checks print one
# "ok - ..." or "not ok - ..." line each; other output starts with "#".
# Call ok/not_ok from the main shell, not inside $(...) or a pipeline,
# or the failure count is lost; end a test with t_done.

set -u

T_DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$T_DIR/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$TOP/$BUILD ;;
esac
REFRESHER=$BUILD/afp-refresher
CGI=$BUILD/afp.cgi
PYTHON=${PYTHON:-python3}
# pyenv's shim costs a second per call: resolve the interpreter once.
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)' 2>/dev/null || echo "$PYTHON")
T_PASS=0
T_FAIL=0
T_PIDS=

# Base credentials must come from the test's secrets.conf, the endpoint
# from its config, and 127.0.0.1 must never go through a proxy.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
	AWS_ACCESS_KEY AWS_SECRET_KEY AWS_PROFILE AWS_DEFAULT_PROFILE \
	AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE AWS_ENDPOINT_URL \
	AWS_ENDPOINT_URL_STS AWS_EC2_METADATA_SERVICE_ENDPOINT \
	http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
	AFP_CONFIG
export AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok - $*"
}

not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok - $*"
}

diag() {
	echo "# $*"
}

# check DESC COMMAND...: ok when COMMAND succeeds; returns its status.
check() {
	local _desc=$1
	shift
	if "$@"; then
		ok "$_desc"
	else
		not_ok "$_desc"
		return 1
	fi
}

# expect_eq GOT WANT DESC
expect_eq() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3"
		diag "got:  '$1'"
		diag "want: '$2'"
	fi
}

# expect_eq_quiet GOT WANT DESC: for secrets; never prints the values.
expect_eq_quiet() {
	if [ -n "$2" ] && [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3"; fi
}

# expect_mode FILE MODE DESC (MODE in octal as stat prints it, e.g. 640)
expect_mode() {
	if [ -f "$1" ] && [ ! -L "$1" ]; then
		expect_eq "$(stat -c %a "$1")" "$2" "$3"
	else
		not_ok "$3"
		diag "$1 is not a regular file"
	fi
}

# expect_no_secret FILE SECRET DESC: the log exists and lacks the secret.
expect_no_secret() {
	if [ ! -f "$1" ]; then
		not_ok "$3"
		diag "$1 does not exist"
	elif [ -z "$2" ]; then
		not_ok "$3"
		diag "empty secret: the test lost the value it should look for"
	elif grep -qF -- "$2" "$1"; then
		not_ok "$3"
		diag "found in $1"
	else
		ok "$3"
	fi
}

# Print the summary and exit non-zero when a check failed.
t_done() {
	diag "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ] || exit 1
	exit 0
}

# need_cmd NAME...: a missing tool is a failure, never a silent skip.
need_cmd() {
	local _c
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 && continue
		not_ok "missing $_c"
		exit 1
	done
}

# need_py MODULE...: modules the test's python3 must have.
need_py() {
	local _m
	need_cmd "$PYTHON"
	for _m in "$@"; do
		"$PYTHON" -c "import $_m" >/dev/null 2>&1 && continue
		not_ok "missing python module $_m ($PYTHON)"
		exit 1
	done
}

# need_built PROGRAM...: the built binaries ($REFRESHER, $CGI) must exist.
need_built() {
	local _b
	for _b in "$@"; do
		[ -x "$_b" ] && continue
		not_ok "${_b#"$TOP"/} missing"
		exit 1
	done
}

# need_file PATH DESC
need_file() {
	[ -e "$1" ] && return 0
	not_ok "$2 missing"
	exit 1
}

# Locate cwrap's preload libraries and pam_matrix; sets PAM_WRAPPER_LIB,
# NSS_WRAPPER_LIB and PAM_MATRIX or fails the test.
need_wrappers() {
	local _ma _libdir _mods
	_ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
	    gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
	_libdir=/usr/lib/$_ma
	PAM_WRAPPER_LIB=$(pkg-config --libs-only-other pam_wrapper 2>/dev/null |
	    tr -d ' ')
	[ -n "$PAM_WRAPPER_LIB" ] || PAM_WRAPPER_LIB=$_libdir/libpam_wrapper.so
	NSS_WRAPPER_LIB=$(pkg-config --libs-only-other nss_wrapper 2>/dev/null |
	    tr -d ' ')
	[ -n "$NSS_WRAPPER_LIB" ] || NSS_WRAPPER_LIB=$_libdir/libnss_wrapper.so
	_mods=$(pkg-config --variable=modules pam_wrapper 2>/dev/null)
	PAM_MATRIX=${_mods:-$_libdir/pam_wrapper}/pam_matrix.so
	PAM_DENY=$_libdir/security/pam_deny.so
	need_file "$PAM_WRAPPER_LIB" "libpam_wrapper.so (libpam-wrapper)"
	need_file "$NSS_WRAPPER_LIB" "libnss_wrapper.so (libnss-wrapper)"
	need_file "$PAM_MATRIX" "pam_matrix.so (libpam-wrapper)"
	need_file "$PAM_DENY" "pam_deny.so (libpam-modules)"
}

# Print a TCP port that is free on 127.0.0.1 right now. Another process
# may take it before we bind, so start_* retry with a new port.
free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_http URL PID TRIES: poll every 0.1 s while PID lives; 0 when URL
# answers.
wait_http() {
	local _n=0
	while [ "$_n" -lt "$3" ]; do
		kill -0 "$2" 2>/dev/null || return 1
		curl -s -o /dev/null -m 2 "$1" && return 0
		sleep 0.1
		_n=$((_n + 1))
	done
	return 1
}

# wait_until PID TRIES TEST-ARG...: poll test(1) with TEST-ARGs every 0.1 s
# while PID lives; 0 once it holds.
wait_until() {
	local _pid="$1" _max="$2" _n=0
	shift 2
	until test "$@"; do
		[ "$_n" -lt "$_max" ] && kill -0 "$_pid" 2>/dev/null || return 1
		sleep 0.1
		_n=$((_n + 1))
	done
}

# stop_pid PID: TERM, up to 5 s, then KILL; reaps it.
stop_pid() {
	kill -0 "$1" 2>/dev/null || {
		wait "$1" 2>/dev/null
		return 0
	}
	kill "$1" 2>/dev/null
	local _n=0
	while [ "$_n" -lt 50 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		_n=$((_n + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# Stop everything started through this file, newest first.
stop_all() {
	local _p
	for _p in $T_PIDS; do
		stop_pid "$_p"
	done
	T_PIDS=
}

t_cleanup() {
	local _rc=$?
	trap - EXIT
	stop_all
	# tests/run.sh searches every test's secrets in all output and logs.
	[ -z "${AFP_SWEEP:-}" ] ||
	    "$PYTHON" "$T_DIR/sweep.py" harvest "$T_TMP" "$AFP_SWEEP"
	# pam_wrapper makes /tmp/pam.* for every PAM transaction and removes
	# it at exit; a sandboxed afp.cgi may not, so the test does.
	find /tmp -maxdepth 1 -name 'pam.?*' -user "$(id -u)" \
	    -newer "$T_TMP/.start" -exec rm -rf {} + 2>/dev/null
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "# kept $T_TMP" >&2
	else
		rm -rf "$T_TMP"
	fi
	exit "$_rc"
}

T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/afp-test.XXXXXX") || {
	not_ok "mktemp failed"
	exit 1
}
: >"$T_TMP/.start"
trap t_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# Paths end up in lighttpd's config and in env(1) word lists.
case $T_TMP in
*[!A-Za-z0-9/._-]*)
	not_ok "temp dir $T_TMP has characters the tests cannot quote"
	exit 1
	;;
esac

# start_moto [N]: moto on 127.0.0.1 with INITIAL_NO_AUTH_ACTION_COUNT=N
# (unset: never authenticate), through tests/moto_server.py so that
# GetFederationToken and GetSessionToken credentials work like AWS's.
# Sets MOTO_URL and MOTO_PID.
start_moto() {
	local _try=0
	need_file "$T_DIR/moto_server.py" "tests/moto_server.py"
	while [ "$_try" -lt 3 ]; do
		_try=$((_try + 1))
		MOTO_PORT=$(free_port) || break
		MOTO_URL=http://127.0.0.1:$MOTO_PORT
		if [ $# -gt 0 ]; then
			INITIAL_NO_AUTH_ACTION_COUNT=$1 "$PYTHON" \
			    "$T_DIR/moto_server.py" -H 127.0.0.1 -p "$MOTO_PORT" \
			    >>"$T_TMP/moto.log" 2>&1 &
		else
			"$PYTHON" "$T_DIR/moto_server.py" -H 127.0.0.1 \
			    -p "$MOTO_PORT" >>"$T_TMP/moto.log" 2>&1 &
		fi
		MOTO_PID=$!
		T_PIDS="$MOTO_PID $T_PIDS"
		# /moto-api/ is moto's dashboard: it does not count as an AWS
		# request, so it does not use up the unauthenticated ones.
		wait_http "$MOTO_URL/moto-api/" "$MOTO_PID" 300 && return 0
		stop_pid "$MOTO_PID"
	done
	not_ok "moto did not start (see below)"
	sed 's/^/# /' "$T_TMP/moto.log" | tail -20
	exit 1
}

# moto_prepare [-n EXTRA] ROLE...: start moto armed to authenticate after
# exactly the setup calls (and EXTRA more the test makes itself), create
# afp-base with its key in $T_TMP/secrets.conf and the roles. Sets
# MOTO_URL, BASE_KEY_ID and BASE_SECRET.
moto_prepare() {
	local _args='' _r _n _made _extra=0
	if [ "${1:-}" = -n ]; then
		_extra=$2
		shift 2
	fi
	for _r in "$@"; do
		_args="$_args --role $_r"
	done
	# shellcheck disable=SC2086
	_n=$("$PYTHON" "$T_DIR/moto_setup.py" --count-only $_args) || {
		not_ok "moto_setup.py --count-only failed"
		exit 1
	}
	start_moto $((_n + _extra))
	# shellcheck disable=SC2086
	_made=$("$PYTHON" "$T_DIR/moto_setup.py" --endpoint "$MOTO_URL" \
	    --secrets "$T_TMP/secrets.conf" $_args 2>"$T_TMP/moto_setup.err")
	if [ "$_made" != "$_n" ]; then
		not_ok "moto setup made $_n unauthenticated calls (made '$_made')"
		sed 's/^/# /' "$T_TMP/moto_setup.err" | tail -20
		exit 1
	fi
	BASE_KEY_ID=$(sed -n 's/^access_key_id *= *//p' "$T_TMP/secrets.conf")
	BASE_SECRET=$(sed -n 's/^secret_access_key *= *//p' "$T_TMP/secrets.conf")
}

# aws_as KEY SECRET TOKEN ARGS...: run aws_call.py against moto with these
# credentials (TOKEN may be empty).
aws_as() {
	local _k=$1 _s=$2 _t=$3
	shift 3
	AWS_ACCESS_KEY_ID=$_k AWS_SECRET_ACCESS_KEY=$_s AWS_SESSION_TOKEN=$_t \
	    "$PYTHON" "$T_DIR/aws_call.py" "$MOTO_URL" "$@"
}

# creds_identity FILE: the ARN moto names for the credentials in FILE, an
# answer of /account/{a}/{r}.
creds_identity() {
	aws_as "$(json_get "$1" credentials.access_key)" \
	    "$(json_get "$1" credentials.secret_key)" \
	    "$(json_get "$1" credentials.session_token)" identity
}

# expect_caller_identity USER PASSWORD ROLE ARN DESC: USER's
# /account/ROLE/caller-identity names ARN.
expect_caller_identity() {
	http "$1" "$2" "/account/$3/caller-identity"
	expect_eq "$(json_get "$T_TMP/h.body" arn)" "$4" "$5"
}

# json_get FILE KEY[.KEY...]: a string prints as is, anything else as
# compact JSON; fails when the file is not JSON or the key is missing.
json_get() {
	"$PYTHON" -c 'import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
for k in sys.argv[2].split("."):
    v = v[k]
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True, separators=(",", ":")))' \
	    "$1" "$2" 2>/dev/null
}

# json_norm FILE: canonical JSON (sorted keys, no spaces), or "invalid JSON".
json_norm() {
	"$PYTHON" -c 'import json, sys
print(json.dumps(json.load(open(sys.argv[1], encoding="utf-8")), sort_keys=True, separators=(",", ":"), ensure_ascii=False))' \
	    "$1" 2>/dev/null || echo "invalid JSON"
}

# PAM through pam_wrapper: pam_service NAME writes $T_TMP/pam.d/NAME over
# pam_matrix with the passdb $T_TMP/passdb (pam_user adds to it). Sets
# WRAP_ENV: the variables a process needs to use these services and the
# users and groups of nss_init/nss_user/nss_group, as NAME=VALUE words
# for env(1) (no value contains a space: LD_PRELOAD separates with ':').
pam_service() {
	mkdir -p "$T_TMP/pam.d"
	: >>"$T_TMP/passdb"
	printf '%s\n' \
	    "auth required $PAM_MATRIX passdb=$T_TMP/passdb" \
	    "account required $PAM_MATRIX passdb=$T_TMP/passdb" \
	    >"$T_TMP/pam.d/$1"
	# pam_wrapper complains on stderr when "other" is missing.
	printf '%s\n' "auth required $PAM_DENY" "account required $PAM_DENY" \
	    >"$T_TMP/pam.d/other"
}

# pam_user USER PASSWORD SERVICE: pam_matrix's account check wants the
# service to match, so a user listed under another service authenticates
# but fails pam_acct_mgmt.
pam_user() {
	printf '%s:%s:%s\n' "$1" "$2" "$3" >>"$T_TMP/passdb"
}

# nss_init: passwd and group files for nss_wrapper holding the current
# user (the CGI compares its real uid with web_user) and root.
nss_init() {
	local _u _uid _g _gid
	_u=$(id -un)
	_uid=$(id -u)
	_g=$(id -gn)
	_gid=$(id -g)
	mkdir -p "$T_TMP/nss"
	printf '%s:x:%s:%s::/:/bin/false\n' "$_u" "$_uid" "$_gid" \
	    >"$T_TMP/nss/passwd"
	printf '%s:x:%s:\n' "$_g" "$_gid" >"$T_TMP/nss/group"
	if [ "$_uid" != 0 ]; then
		echo "root:x:0:0::/root:/bin/false" >>"$T_TMP/nss/passwd"
		echo "root:x:0:" >>"$T_TMP/nss/group"
	fi
}

# nss_user NAME UID: a user with a primary group of the same name and id.
nss_user() {
	printf '%s:x:%s:%s::/nonexistent:/bin/false\n' "$1" "$2" "$2" \
	    >>"$T_TMP/nss/passwd"
	printf '%s:x:%s:\n' "$1" "$2" >>"$T_TMP/nss/group"
}

# nss_group NAME GID MEMBER,MEMBER...
nss_group() {
	printf '%s:x:%s:%s\n' "$1" "$2" "$3" >>"$T_TMP/nss/group"
}

# Call after need_wrappers, pam_service and nss_init. Under ASan: ASan must
# not insist on coming first in the library list when the wrappers are
# preloaded, and the wrappers must not dlopen libpam/libc with
# RTLD_DEEPBIND, which ASan refuses. pam_wrapper 1.1.4 reads
# UID_WRAPPER_DISABLE_DEEPBIND (an upstream slip), later ones
# PAM_WRAPPER_DISABLE_DEEPBIND.
wrap_env() {
	local _san
	_san="ASAN_OPTIONS=verify_asan_link_order=0 NSS_WRAPPER_DISABLE_DEEPBIND=1"
	WRAP_ENV="LD_PRELOAD=$PAM_WRAPPER_LIB:$NSS_WRAPPER_LIB PAM_WRAPPER=1"
	WRAP_ENV="$WRAP_ENV PAM_WRAPPER_SERVICE_DIR=$T_TMP/pam.d"
	WRAP_ENV="$WRAP_ENV NSS_WRAPPER_PASSWD=$T_TMP/nss/passwd"
	WRAP_ENV="$WRAP_ENV NSS_WRAPPER_GROUP=$T_TMP/nss/group"
	WRAP_ENV="$WRAP_ENV $_san UID_WRAPPER_DISABLE_DEEPBIND=1"
	WRAP_ENV="$WRAP_ENV PAM_WRAPPER_DISABLE_DEEPBIND=1"
	NSS_ENV="LD_PRELOAD=$NSS_WRAPPER_LIB"
	NSS_ENV="$NSS_ENV NSS_WRAPPER_PASSWD=$T_TMP/nss/passwd"
	NSS_ENV="$NSS_ENV NSS_WRAPPER_GROUP=$T_TMP/nss/group"
	NSS_ENV="$NSS_ENV $_san"
}

# start_lighttpd CGI [NAME=VALUE...]: serve CGI on 127.0.0.1 through the
# shipped snippet conf/lighttpd-afp.conf, with its install path
# /usr/lib/cgi-bin/afp/ replaced by a directory of the test's, so the URL
# is the documented /cgi-bin/afp/afp.cgi. lighttpd's mod_cgi builds the
# CGI's environment from scratch (the server's own environment does not
# reach it, PATH included), so the NAME=VALUE pairs go in with mod_setenv's
# setenv.add-environment, which 1.4.69 applies to CGI requests. The
# Authorization header reaches the CGI as HTTP_AUTHORIZATION because no
# mod_auth is loaded. Running as root needs no server.username; the CGI
# then runs as root too. The CGI's stderr goes to server.breakagelog
# (without it, to lighttpd's own stderr, not to the error log). Once a
# CGI's answer is complete (Content-Length bytes, or stdout closed),
# lighttpd kills the CGI with SIGTERM, so whatever it writes to stderr
# after its answer may be lost. Sets AFP_URL, LIGHTTPD_PID, LIGHTTPD_LOG
# (the server's error log) and CGI_LOG.
start_lighttpd() {
	local _cgi=$1 _d=$T_TMP/lighttpd _env='' _kv _try=0
	shift
	need_file "$TOP/conf/lighttpd-afp.conf" "conf/lighttpd-afp.conf"
	mkdir -p "$_d/www" "$_d/cgi"
	cp "$_cgi" "$_d/cgi/afp.cgi" && chmod 0755 "$_d/cgi/afp.cgi"
	echo ready >"$_d/www/ready.txt"
	LIGHTTPD_LOG=$_d/error.log
	CGI_LOG=$_d/cgi.log
	: >"$LIGHTTPD_LOG"
	: >"$CGI_LOG"
	sed "s#\"/usr/lib/cgi-bin/afp/\"#\"$_d/cgi/\"#" \
	    "$TOP/conf/lighttpd-afp.conf" >"$_d/afp.conf"
	grep -qF "\"$_d/cgi/\"" "$_d/afp.conf" || {
		not_ok "conf/lighttpd-afp.conf no longer aliases /usr/lib/cgi-bin/afp/"
		exit 1
	}
	for _kv in "$@"; do
		case $_kv in
		*'"'* | *'\'* | *"
"*)
			not_ok "start_lighttpd: cannot quote $_kv"
			exit 1
			;;
		esac
		_env="$_env${_env:+, }\"${_kv%%=*}\" => \"${_kv#*=}\""
	done
	while [ "$_try" -lt 3 ]; do
		_try=$((_try + 1))
		LIGHTTPD_PORT=$(free_port) || break
		{
			echo 'server.modules = ("mod_setenv")'
			echo 'server.bind = "127.0.0.1"'
			echo "server.port = $LIGHTTPD_PORT"
			echo "server.document-root = \"$_d/www\""
			echo "server.errorlog = \"$LIGHTTPD_LOG\""
			echo "server.breakagelog = \"$CGI_LOG\""
			echo "include \"$_d/afp.conf\""
			[ -z "$_env" ] || echo "setenv.add-environment = ($_env)"
		} >"$_d/lighttpd.conf"
		lighttpd -tt -f "$_d/lighttpd.conf" >"$_d/check.log" 2>&1 || {
			not_ok "lighttpd rejects its test config"
			sed 's/^/# /' "$_d/check.log"
			exit 1
		}
		lighttpd -D -f "$_d/lighttpd.conf" >>"$_d/stdout.log" 2>&1 &
		LIGHTTPD_PID=$!
		T_PIDS="$LIGHTTPD_PID $T_PIDS"
		AFP_URL=http://127.0.0.1:$LIGHTTPD_PORT/cgi-bin/afp/afp.cgi
		wait_http "http://127.0.0.1:$LIGHTTPD_PORT/ready.txt" \
		    "$LIGHTTPD_PID" 50 && return 0
		stop_pid "$LIGHTTPD_PID"
	done
	not_ok "lighttpd did not start"
	sed 's/^/# /' "$LIGHTTPD_LOG" "$_d/stdout.log" | tail -20
	exit 1
}

# serve_afp: start_lighttpd with $CGI, $C/afp.conf and the users of
# afp_users.
serve_afp() {
	# shellcheck disable=SC2086
	start_lighttpd "$CGI" AFP_CONFIG="$C/afp.conf" $WRAP_ENV
}

# afp_dirs: C=$T_TMP/etc with accounts.d, CACHE=$T_TMP/cache (0750);
# moto_prepare's secrets.conf moves into $C.
afp_dirs() {
	C=$T_TMP/etc
	CACHE=$T_TMP/cache
	mkdir -p "$C/accounts.d"
	mkdir -m 0750 "$CACHE"
	[ ! -f "$T_TMP/secrets.conf" ] || mv "$T_TMP/secrets.conf" "$C/secrets.conf"
}

# afp_conf NAME AUTH ACCOUNTS [LINE...]: writes $C/NAME, an afp.conf over
# $CACHE and $C/ACCOUNTS for web user $(id -un) and PAM service afp; once
# moto runs (MOTO_URL set) also with the base keys, region and STS
# endpoint. The LINEs go at the end.
afp_conf() {
	local _f="$C/$1" _auth="$2" _a="$C/$3" _l
	shift 3
	{
		echo '[afp]'
		echo "cache_dir    = $CACHE"
		echo "accounts_dir = $_a"
		[ -z "${MOTO_URL:-}" ] || echo "secrets_file = $C/secrets.conf"
		echo "auth         = $_auth"
		echo 'pam_service  = afp'
		echo "web_user     = $(id -un)"
		[ -z "${MOTO_URL:-}" ] || echo 'region       = us-east-1'
		echo 'log          = stderr'
		[ -z "${MOTO_URL:-}" ] || echo "sts_endpoint = $MOTO_URL"
		for _l in "$@"; do
			echo "$_l"
		done
	} >"$_f"
}

# afp_users USER[:PASSWORD]...: nss_init and the users, with uids from 1001
# in order; a user with a password also logs in through PAM service afp.
# Ends with wrap_env; nss_group may add groups after.
afp_users() {
	local _u _uid=1001
	for _u in "$@"; do
		case $_u in
		*:*) pam_service afp ;;
		*) continue ;;
		esac
		pam_user "${_u%%:*}" "${_u#*:}" afp
	done
	nss_init
	for _u in "$@"; do
		nss_user "${_u%%:*}" "$_uid"
		_uid=$((_uid + 1))
	done
	wrap_env
}

# run_refresher [ARG...]: $REFRESHER -c $C/afp.conf -v ARG... with the
# users of afp_users, appending to $T_TMP/refresher.out and .err.
# shellcheck disable=SC2120
run_refresher() {
	# shellcheck disable=SC2086
	env $NSS_ENV "$REFRESHER" -c "$C/afp.conf" -v "$@" \
	    >>"$T_TMP/refresher.out" 2>>"$T_TMP/refresher.err"
}

# catalog_write CONF ACCOUNT/ROLE: an afp-refresher run over CONF for the
# catalog it writes before it asks AWS for anything. STS is a port nobody
# listens on, so the run asks for nothing and changes no cache entry; it
# refreshes one role only, to end quickly.
catalog_write() {
	# shellcheck disable=SC2086
	env -i $NSS_ENV AWS_ENDPOINT_URL_STS="http://127.0.0.1:$(free_port)" \
	    AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE \
	    AWS_SECRET_ACCESS_KEY=catalog-run-not-a-secret \
	    "$REFRESHER" -c "$1" -r "$2" \
	    >>"$T_TMP/catalog.out" 2>>"$T_TMP/catalog.err"
}

# refresh_ok: run_refresher, check that it exits 0 (else show the end of
# its log) and return its status.
refresh_ok() {
	local _rc
	run_refresher
	_rc=$?
	expect_eq "$_rc" 0 "refresher exits 0"
	[ "$_rc" = 0 ] || sed 's/^/# /' "$T_TMP/refresher.err" | tail -20
	return "$_rc"
}

# logs_free_of "FILE..." SECRET DESC [SECRET DESC...]: expect_no_secret
# for every file, then every pair; each DESC starts with the file's path
# under $T_TMP.
logs_free_of() {
	local _files="$1" _f _n _a _s=''
	shift
	for _f in $_files; do
		_n=${_f#"$T_TMP"/}
		for _a; do
			if [ -z "$_s" ]; then
				_s=x$_a
			else
				expect_no_secret "$_f" "${_s#x}" "$_n: $_a"
				_s=''
			fi
		done
	done
}

# http USER PASSWORD PATH [CURL-ARG...]: request $AFP_URL$PATH (USER ""
# sends no credentials). Sets H_CODE ("000" when curl failed); the body is
# in $T_TMP/h.body, the headers in $T_TMP/h.head. --path-as-is keeps
# "/../" from being folded by curl itself.
http() {
	local _u=$1 _pw=$2 _path=$3
	shift 3
	rm -f "$T_TMP/h.body" "$T_TMP/h.head"
	if [ -n "$_u" ]; then
		set -- -u "$_u:$_pw" "$@"
	fi
	H_CODE=$(curl -s -m 20 --path-as-is -o "$T_TMP/h.body" \
	    -D "$T_TMP/h.head" -w '%{http_code}' "$@" "$AFP_URL$_path") ||
	    H_CODE=000
}

# header NAME: the value of NAME in the last response's headers.
header() {
	tr -d '\r' <"$T_TMP/h.head" | sed -n "s/^$1: *//Ip" | head -n 1
}

# cgi_run CGI USER PASSWORD PATH_INFO [NAME=VALUE...]: run the CGI binary
# directly as a web server would, for paths a server rewrites before the
# CGI sees them. Sets H_CODE from its Status header (200 without one); the
# body is in $T_TMP/h.body.
cgi_run() {
	local _cgi=$1 _u=$2 _pw=$3 _pi=$4 _auth
	shift 4
	_auth=$(printf '%s:%s' "$_u" "$_pw" | base64 -w0)
	env -i "$@" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=127.0.0.1 SERVER_PORT=80 \
	    SCRIPT_NAME=/cgi-bin/afp.cgi PATH_INFO="$_pi" QUERY_STRING= \
	    REMOTE_ADDR=127.0.0.1 REQUEST_URI="/cgi-bin/afp.cgi$_pi" \
	    HTTP_AUTHORIZATION="Basic $_auth" "$_cgi" \
	    >"$T_TMP/cgi.out" 2>>"$T_TMP/cgi.err" </dev/null
	tr -d '\r' <"$T_TMP/cgi.out" | sed '/^$/q' >"$T_TMP/h.head"
	tr -d '\r' <"$T_TMP/cgi.out" | sed '1,/^$/d' >"$T_TMP/h.body"
	H_CODE=$(sed -n 's/^Status: *\([0-9][0-9][0-9]\).*/\1/Ip' "$T_TMP/h.head")
	[ -n "$H_CODE" ] || H_CODE=200
}
