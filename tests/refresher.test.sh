#!/bin/sh
# afp-refresher against moto: the cache lock, failures that must leave
# valid entries alone, AWS errors, usage errors, the refresh window,
# --dry-run, file modes and temp files, the refusals of an open cache
# directory and a readable secrets file, and what the logs may say.
# The sunny path (per-user entries, the CGI over lighttpd) is e2e's.
# $ENTRIES is a word list on purpose; the helpers run through check.
# shellcheck disable=SC2086,SC2317
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$REFRESHER" "$CGI"
need_cmd stat cmp find base64
need_py boto3 moto

ACCT=123456789012

# moto_prepare plus one role, "locked", whose trust policy names a user
# other than afp-base: moto checks the trust of a role that exists, so its
# AssumeRole is refused with AccessDenied however often it is tried.
prepare_moto() {
	moto_prepare -n 1 admin ops
	"$PYTHON" -c 'import json, sys, boto3
from botocore.config import Config
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
    aws_access_key_id="setup", aws_secret_access_key="setup",
    config=Config(retries={"max_attempts": 1}))
iam.create_role(RoleName="locked", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::%s:user/someone-else" % sys.argv[2]}}]}))' \
	    "$MOTO_URL" "$ACCT" 2>>"$T_TMP/moto_setup.err" || {
		not_ok "moto setup could not create the role locked"
		sed 's/^/# /' "$T_TMP/moto_setup.err" | tail -20
		exit 1
	}
}

prepare_moto

# --- configuration -------------------------------------------------------
C=$T_TMP/etc
CACHE=$T_TMP/cache
mkdir -p "$C/accounts.d" "$C/accounts-bad.d"
# The cache directory does not exist yet: the first real run creates it.
mv "$T_TMP/secrets.conf" "$C/secrets.conf"
afp_conf afp.conf remote_user accounts.d
# Every entry is always due: credentials last 1h, refresh_before is 2h.
afp_conf window.conf remote_user accounts.d 'refresh_before = 2h'
afp_conf bad.conf remote_user accounts-bad.d
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/admin]
type         = assume_role
session_name = afp-admin
allow_users  = alice

[role prod/ops]
type         = assume_role
allow_users  = alice bob

[role prod/sess]
type         = session_token
allow_users  = alice
EOF
cp "$C/accounts.d/test.conf" "$C/accounts-bad.d/test.conf"
cat >"$C/accounts-bad.d/zz-locked.conf" <<EOF
[role prod/locked]
type         = assume_role
session_name = afp-locked
allow_users  = alice
EOF
CONF=$C/afp.conf
# The cache entries afp.conf makes: two shared, one role per user.
ENTRIES='prod/admin.json prod/ops/alice.json prod/ops/bob.json prod/sess.json'

# ref [NAME=VALUE...] -- ARG...: run the refresher; sets RC, keeps its
# stdout in r.out and stderr in r.err, and adds both to all.log, which is
# searched for secrets at the end.
ref() {
	local _env=''
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		_env="$_env $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	env $_env "$REFRESHER" "$@" >"$T_TMP/r.out" 2>"$T_TMP/r.err"
	RC=$?
	cat "$T_TMP/r.out" "$T_TMP/r.err" >>"$T_TMP/all.log"
}

# Show the last run's output when a check about it failed.
show_run() {
	sed 's/^/# out: /' "$T_TMP/r.out"
	sed 's/^/# err: /' "$T_TMP/r.err" | tail -20
}

# snapshot NAME: remember every file of the cache (but .lock) with its
# inode, mtime (ns) and mode, and a copy of its bytes.
listing() {
	(cd "$CACHE" && find . -type f ! -name .lock -printf '%p %i %T@ %m\n' |
	    sort)
}
snapshot() {
	rm -rf "$T_TMP/snap.$1"
	mkdir "$T_TMP/snap.$1"
	listing >"$T_TMP/snap.$1/list"
	cp -a "$CACHE" "$T_TMP/snap.$1/copy"
}
# same_bytes NAME [FILE...]: the files (default: all of the snapshot's)
# are byte-identical to the snapshot's copies.
same_bytes() {
	local _s=$T_TMP/snap.$1 _f
	shift
	# shellcheck disable=SC2046
	[ $# -gt 0 ] || set -- $(cut -d' ' -f1 "$_s/list")
	for _f in "$@"; do
		cmp -s "$CACHE/$_f" "$_s/copy/$_f" || {
			diag "$_f differs from snapshot"
			return 1
		}
	done
}
# same_stat NAME [FILE...]: same inode, mtime and mode (default: the whole
# listing, which also catches files added or removed).
same_stat() {
	local _s=$T_TMP/snap.$1 _f
	shift
	if [ $# -eq 0 ]; then
		listing | cmp -s - "$_s/list" && return 0
		listing | diff "$_s/list" - | sed 's/^/# /'
		return 1
	fi
	for _f in "$@"; do
		[ "$(grep -F "./${_f#./} " "$_s/list")" = \
		    "$(listing | grep -F "./${_f#./} ")" ] || {
			diag "$_f: inode, mtime or mode changed"
			return 1
		}
	done
}

# fields KEY FILE...: KEY of every JSON file, one a line, "(none)" when
# the file or key is missing (one python for all: it is slow to start).
fields() {
	"$PYTHON" -c 'import json, sys
for f in sys.argv[2:]:
    try:
        print(json.load(open(f))[sys.argv[1]])
    except Exception:
        print("(none)")' "$@"
}

# akids: the access key id of every entry, in ENTRIES order.
akids() {
	(cd "$CACHE" && fields access_key_id $ENTRIES)
}

# Every secret key and session token the cache has held, for the log check.
collect_secrets() {
	local _files
	_files=$(find "$CACHE" -name '*.json' ! -name status.json)
	{
		fields secret_access_key $_files
		fields session_token $_files
	} | grep -v '^(none)$' >>"$T_TMP/secrets.list"
}

# status_py EXPR: evaluate EXPR on status.json (as s) and print it.
status_py() {
	"$PYTHON" -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$CACHE/status.json" "$1" 2>/dev/null || echo "(unreadable)"
}

# /status through the CGI, run directly.
cgi_status() {
	cgi_run "$CGI" "" "" /status AFP_CONFIG="$CONF"
}

# --- usage and configuration errors: exit 2, nothing written --------------
printf '[afp]\ncache_dir = %s\nbogus_key = 1\n' "$CACHE" >"$C/broken.conf"
ref -- -c "$C/broken.conf"
expect_eq "$RC" 2 "config error: exit 2"
check "config error names file:line (broken.conf:3)" \
    grep -qF "$C/broken.conf:3" "$T_TMP/r.err" || show_run
ref -- -c "$CONF" -r nope/role
expect_eq "$RC" 2 "-r nope/role: exit 2"
check "-r nope/role: the message names the role" \
    grep -q 'nope/role.*no such role' "$T_TMP/r.err" || show_run
ref -- -c "$CONF" -r prod
expect_eq "$RC" 2 "-r prod (no role part): exit 2"
ref -- -c "$CONF" --bogus
expect_eq "$RC" 2 "unknown option: exit 2"
check "unknown option: usage message" grep -q '^usage: afp-refresher' "$T_TMP/r.err" ||
    show_run
ref -- -c "$CONF" extra-arg
expect_eq "$RC" 2 "stray argument: exit 2"
check "usage errors write nothing (no cache directory)" test ! -e "$CACHE"

# --- dry run on an empty cache -------------------------------------------
ref -- -c "$CONF" -n
expect_eq "$RC" 0 "--dry-run exits 0"
expect_eq "$(sort "$T_TMP/r.out" | tr '\n' ' ')" \
    "prod/admin: due prod/ops for alice: due prod/ops for bob: due prod/sess: due " \
    "--dry-run on an empty cache: every entry due"
check "--dry-run writes nothing (no cache directory)" test ! -e "$CACHE"

# --- first run, -v -------------------------------------------------------
ref -- -c "$CONF" -v
expect_eq "$RC" 0 "first run exits 0"
[ "$RC" = 0 ] || show_run
collect_secrets
check "-v logs where the base credentials come from, with the key id" \
    grep -qF "base credentials from $C/secrets.conf (key $BASE_KEY_ID)" "$T_TMP/r.err" ||
    show_run
expect_no_secret "$T_TMP/r.err" "$BASE_SECRET" "-v output has no base secret key"
expect_eq "$(status_py 's["ok"], s["entries"], s["refreshed"], s["failed"], s["errors"]')" \
    "(True, 4, 4, 0, [])" "status.json: ok, 4 entries, 4 refreshed"

# --- files ---------------------------------------------------------------
expect_eq "$(stat -c %a "$CACHE")" 750 "the missing cache directory is created 0750"
for e in $ENTRIES; do
	expect_mode "$CACHE/$e" 640 "$e mode 0640"
done
expect_mode "$CACHE/status.json" 640 "status.json mode 0640"
expect_mode "$CACHE/.lock" 600 ".lock mode 0600"
expect_eq "$(stat -c %a "$CACHE/prod")" 750 "directory prod mode 0750"
expect_eq "$(stat -c %a "$CACHE/prod/ops")" 750 "directory prod/ops mode 0750"
expect_eq "$(find "$CACHE" -name '.*.tmp.*' | wc -l)" 0 "no temp files left after a run"

# --- dry run on a fresh cache --------------------------------------------
snapshot fresh
ref -- -c "$CONF" --dry-run
expect_eq "$RC" 0 "--dry-run on a fresh cache exits 0"
expect_eq "$(sort "$T_TMP/r.out" | tr '\n' ' ')" \
    "prod/admin: fresh prod/ops for alice: fresh prod/ops for bob: fresh prod/sess: fresh " \
    "--dry-run on a fresh cache: every entry fresh"
rm "$CACHE/prod/sess.json"
ref -- -c "$CONF" -n -f
expect_eq "$(grep -c ': due$' "$T_TMP/r.out")/$(grep -c . "$T_TMP/r.out")" 4/4 \
    "--dry-run -f: every entry due"
ref -- -c "$CONF" -n -r prod/sess
expect_eq "$(cat "$T_TMP/r.out")" "prod/sess: due" "--dry-run -r prod/sess: only the missing entry, due"
check "--dry-run leaves status.json untouched" same_bytes fresh status.json
check "--dry-run leaves status.json's inode and mtime" same_stat fresh status.json
check "--dry-run does not recreate a missing entry" test ! -e "$CACHE/prod/sess.json"
ref -- -c "$CONF" -r prod/sess -q
expect_eq "$RC" 0 "-r prod/sess -q exits 0"
expect_eq "$(cat "$T_TMP/r.out" "$T_TMP/r.err")" "" "-q prints nothing on success"
check "-r prod/sess recreates the entry" test -f "$CACHE/prod/sess.json"
check "-r prod/sess leaves the other entries alone" \
    same_stat fresh prod/admin.json prod/ops/alice.json prod/ops/bob.json
collect_secrets

# --- the lock ------------------------------------------------------------
# Hold <cache>/.lock with flock(2) from another process, as a running
# refresher would; the refresher must step aside and touch nothing.
snapshot locked
rm "$CACHE/prod/sess.json"
"$PYTHON" -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
open(sys.argv[2], "w").close()
time.sleep(60)' "$CACHE/.lock" "$T_TMP/locked" &
LOCK_PID=$!
T_PIDS="$LOCK_PID $T_PIDS"
if wait_until "$LOCK_PID" 100 -e "$T_TMP/locked"; then
	ref -- -c "$CONF" -f
	expect_eq "$RC" 0 "another process holds .lock: exit 0"
	check "another process holds .lock: says another refresher is running" \
	    grep -q 'another refresher is running' "$T_TMP/r.err" || show_run
	check "locked run does not recreate the missing entry" \
	    test ! -e "$CACHE/prod/sess.json"
	check "locked run (-f) leaves every entry's inode and mtime" \
	    same_stat locked prod/admin.json prod/ops/alice.json prod/ops/bob.json
	check "locked run leaves status.json untouched" same_bytes locked status.json
	check "locked run leaves status.json's inode and mtime" same_stat locked status.json
	expect_eq "$(find "$CACHE" -name '.*.tmp.*' | wc -l)" 0 "locked run leaves no temp file"
else
	not_ok "could not take .lock from a helper process"
fi
stop_pid "$LOCK_PID"
ref -- -c "$CONF"
expect_eq "$RC" 0 "lock released: the next run exits 0"
check "lock released: the missing entry is written" test -f "$CACHE/prod/sess.json"
collect_secrets

# --- stale temp files ----------------------------------------------------
# What a killed run leaves: .NAME.tmp.XXXX next to the final name.
for d in . prod prod/ops; do
	(umask 027 && echo '{"secret":"x"}' >"$CACHE/$d/.stale.json.tmp.0123456789abcdef")
done
ref -- -c "$CONF"
expect_eq "$RC" 0 "run with stale temp files exits 0"
expect_eq "$(find "$CACHE" -name '.*.tmp.*' | wc -l)" 0 \
    "stale temp files (cache, prod, prod/ops) removed by the run"

# --- refresh window ------------------------------------------------------
before=$(akids)
ref -- -c "$C/window.conf"
expect_eq "$RC" 0 "refresh_before 2h > duration 1h: run exits 0"
w1=$(akids)
ref -- -c "$C/window.conf"
w2=$(akids)
collect_secrets
n=0
for i in 1 2 3 4; do
	a=$(echo "$before" | sed -n "${i}p")
	b=$(echo "$w1" | sed -n "${i}p")
	c=$(echo "$w2" | sed -n "${i}p")
	[ "$a" != "$b" ] && [ "$b" != "$c" ] && [ "$a" != "$c" ] && [ "$c" != "(none)" ] &&
	    n=$((n + 1))
done
expect_eq "$n" 4 "refresh_before 2h: each run issues new access key ids for all 4 entries"

# --- STS unreachable: a failed refresh keeps valid entries -----------------
CLOSED=$(free_port)
snapshot unreachable
ref AWS_ENDPOINT_URL_STS="http://127.0.0.1:$CLOSED" -- -c "$CONF" -f
expect_eq "$RC" 1 "STS unreachable (AWS_ENDPOINT_URL_STS wins over sts_endpoint): exit 1"
check "STS unreachable: every entry byte-identical" same_bytes unreachable $ENTRIES
check "STS unreachable: every entry keeps its inode and mtime" \
    same_stat unreachable $ENTRIES
expect_eq "$(find "$CACHE" -name '.*.tmp.*' | wc -l)" 0 "STS unreachable: no temp file left"
expect_eq "$(status_py 's["ok"], s["failed"], len(s["errors"])')" "(False, 4, 4)" \
    "STS unreachable: status.json ok:false, 4 failed, 4 errors"
expect_eq "$(status_py '" ".join(sorted(e["role"] + ("/" + e["user"] if "user" in e else "") for e in s["errors"]))')" \
    "prod/admin prod/ops/alice prod/ops/bob prod/sess" \
    "STS unreachable: one error per entry, naming the role (and user)"
expect_eq "$(status_py 'all(e["error"] for e in s["errors"])')" True \
    "STS unreachable: every error has a message"
cgi_status
expect_eq "$H_CODE" 503 "STS unreachable: /status answers 503"
ref -- -c "$CONF"
expect_eq "$RC" 0 "STS back: a normal run exits 0"
expect_eq "$(status_py 's["ok"]')" True "STS back: status.json ok:true"
cgi_status
expect_eq "$H_CODE" 200 "STS back: /status answers 200"
check "STS back: the normal run leaves the still-fresh entries alone" \
    same_stat unreachable $ENTRIES

# --- AWS errors are reported, not retried ---------------------------------
before=$(akids)
grep -c '" 403 ' "$T_TMP/moto.log" >"$T_TMP/403.before"
ref -- -c "$C/bad.conf" -f
collect_secrets
expect_eq "$RC" 1 "AssumeRole refused by moto: exit 1"
expect_eq "$(status_py '[e["role"] for e in s["errors"]]')" "['prod/locked']" \
    "AssumeRole refused: status.json has one error, for prod/locked"
check "AssumeRole refused: the error carries AWS's code AccessDenied" \
    test "$(status_py '"AccessDenied" in s["errors"][0]["error"]')" = True ||
    diag "status.json: $(cat "$CACHE/status.json")"
check "AssumeRole refused: the log names prod/locked and AccessDenied" \
    grep -q 'prod/locked.*AccessDenied' "$T_TMP/r.err"
check "AssumeRole refused: no entry for prod/locked" test ! -e "$CACHE/prod/locked.json"
expect_eq "$(status_py 's["refreshed"], s["failed"]')" "(4, 1)" \
    "AssumeRole refused: the other 4 entries refreshed in the same run"
after=$(akids)
n=0
for i in 1 2 3 4; do
	[ "$(echo "$before" | sed -n "${i}p")" != "$(echo "$after" | sed -n "${i}p")" ] &&
	    n=$((n + 1))
done
expect_eq "$n" 4 "AssumeRole refused: the other entries have new key ids"
# moto logs one line per request with its status: the only 403 of the run
# is the one AssumeRole, so it was not retried.
expect_eq "$(($(grep -c '" 403 ' "$T_TMP/moto.log") - $(cat "$T_TMP/403.before")))" 1 \
    "AccessDenied is not retried (one 403 in moto's log)"

# --- a user whose session name breaks STS rules ---------------------------
# "afp-" and 62 characters make a 66-character session name: an error for
# that user only, counted and logged like any other failed entry.
LONG=$(printf 'u%.0s' $(seq 62))
mkdir "$C/accounts-long.d"
sed "s/^allow_users  = alice bob\$/allow_users  = alice bob $LONG/" \
    "$C/accounts.d/test.conf" >"$C/accounts-long.d/test.conf"
afp_conf long.conf remote_user accounts-long.d
ref -- -c "$C/long.conf" -f -q
collect_secrets
expect_eq "$RC" 1 "user with an unusable session name: exit 1"
expect_eq "$(status_py '[(e["role"], e["user"], "session name" in e["error"]) for e in s["errors"]]')" \
    "[('prod/ops', '$LONG', True)]" \
    "unusable session name: status.json names the role and the user"
check "unusable session name: no entry written for that user" \
    test ! -e "$CACHE/prod/ops/$LONG.json"
expect_eq "$(status_py 's["entries"], s["refreshed"], s["failed"]')" "(5, 4, 1)" \
    "unusable session name, -f: status.json counts 4 refreshed, 1 failed"
check "unusable session name, -q: the error is logged, naming the user" \
    grep -q "error: .*$LONG" "$T_TMP/r.err" || show_run
ref -- -c "$C/long.conf"
expect_eq "$RC" 1 "unusable session name, nothing else due: exit 1"
expect_eq "$(status_py 's["entries"], s["refreshed"], s["failed"]')" "(5, 0, 1)" \
    "unusable session name, nothing else due: status.json counts 0 refreshed, 1 failed"

# --- a corrupt entry is due ---------------------------------------------------
ref -- -c "$CONF"
expect_eq "$RC" 0 "back to afp.conf: exit 0"
snapshot corrupt
head -c 50 "$CACHE/prod/admin.json" >"$T_TMP/trunc" &&
    cat "$T_TMP/trunc" >"$CACHE/prod/admin.json"
ref -- -c "$CONF"
collect_secrets
expect_eq "$RC" 0 "truncated prod/admin.json: the run exits 0"
check "truncated prod/admin.json: rewritten with a new key id" \
    test "$(json_get "$CACHE/prod/admin.json" access_key_id)" != \
    "$(json_get "$T_TMP/snap.corrupt/copy/prod/admin.json" access_key_id)" -a \
    -n "$(json_get "$CACHE/prod/admin.json" access_key_id)"
check "truncated prod/admin.json: the run says it was unreadable" \
    grep -q 'prod/admin.json: unreadable' "$T_TMP/r.err" || show_run
check "truncated prod/admin.json: the other entries left alone" \
    same_stat corrupt prod/ops/alice.json prod/ops/bob.json prod/sess.json

# --- refusals: open cache dir, readable secrets.conf ----------------------
snapshot refuse
chmod 0755 "$CACHE"
ref -- -c "$CONF" -f
expect_eq "$RC" 1 "cache dir mode 0755: exit 1"
check "cache dir mode 0755: the message names the mode" \
    grep -q "$CACHE.*0755" "$T_TMP/r.err" || show_run
chmod 0750 "$CACHE"
chown nobody "$CACHE"
ref -- -c "$CONF" -f
expect_eq "$RC" 1 "cache dir owned by nobody: exit 1"
check "cache dir owned by nobody: the message names the owner" \
    grep -q "$CACHE.*owned by uid $(id -u nobody)" "$T_TMP/r.err" || show_run
chown root "$CACHE"
ln -s "$CACHE" "$T_TMP/cache-link"
sed "s|^cache_dir .*|cache_dir    = $T_TMP/cache-link|" "$CONF" >"$C/link.conf"
ref -- -c "$C/link.conf" -f
expect_eq "$RC" 1 "cache dir is a symlink: exit 1"
check "cache dir is a symlink: the message says so" \
    grep -q "cache-link.*symlink" "$T_TMP/r.err" || show_run
check "open, foreign or symlinked cache dir: nothing written" same_stat refuse
chmod 0644 "$C/secrets.conf"
ref -- -c "$CONF" -f
expect_eq "$RC" 1 "secrets.conf mode 0644: exit 1"
check "secrets.conf mode 0644: the message names the file" \
    grep -qF "$C/secrets.conf" "$T_TMP/r.err" || show_run
check "secrets.conf mode 0644: no entry refreshed" same_stat refuse $ENTRIES
check "secrets.conf mode 0644: entries byte-identical" same_bytes refuse $ENTRIES
expect_eq "$(status_py 's["ok"], s["failed"]')" "(False, 4)" \
    "secrets.conf mode 0644: status.json reports the 4 entries failed"
chmod 0600 "$C/secrets.conf"

# --- no secret in any output -----------------------------------------------
collect_secrets
sort -u "$T_TMP/secrets.list" | grep -v '^$' >"$T_TMP/secrets.uniq"
nsec=$(wc -l <"$T_TMP/secrets.uniq")
check "collected the served secrets to look for ($nsec >= 20)" test "$nsec" -ge 20
expect_no_secret "$T_TMP/all.log" "$BASE_SECRET" "no base secret key in any refresher output"
if grep -qF -f "$T_TMP/secrets.uniq" "$T_TMP/all.log"; then
	not_ok "no served secret key or session token in any refresher output"
else
	ok "no served secret key or session token in any refresher output"
fi
expect_no_secret "$T_TMP/all.log" "$(json_get "$CACHE/prod/admin.json" session_token)" \
    "no current session token of prod/admin in any refresher output"

t_done
