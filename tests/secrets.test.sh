#!/bin/sh
# Secrets at rest. (a) The refresher refuses a secrets.conf that others
# could read or swap (modes, owner, symlink, FIFO, directory) and a cache
# directory that others could read or write, with a message naming the
# file and the reason, and writes no entry then (refresher.test.sh has
# 0644, a cache dir of mode 0755, owned by nobody, or a symlink). (b) Under
# strace, every file the refresher creates in the cache is born with its
# final mode under a temp name, is never chmod'ed, and reaches its name by
# a rename within its directory: no secret file exists, even for a moment,
# with a looser mode than its final one.
# shellcheck disable=SC2086,SC2317
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$REFRESHER"
need_cmd strace stat find
need_py boto3 moto
need_wrappers
if [ "$(id -u)" -ne 0 ]; then
	not_ok "secrets test needs root (files owned by nobody)"
	t_done
fi

ACCT=123456789012
moto_prepare admin ops
afp_dirs
afp_conf afp.conf remote_user accounts.d
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = $ACCT

[role prod/admin]
type         = assume_role
session_name = afp-admin
allow_users  = alice

[role prod/ops]
type         = assume_role
session_name = afp-{user}
allow_users  = alice bob

[role prod/sess]
type         = session_token
allow_users  = alice
EOF
afp_users alice bob
SECRETS=$C/secrets.conf
cp "$SECRETS" "$T_TMP/secrets.good"
# LeakSanitizer cannot work under ptrace: the ASan build's traced runs
# leave leak checking to the untraced ones.
TRACE_ENV="ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0"

# ref [-c CONF] [ARG...]: the refresher with the test's users; sets RC,
# keeps stderr in r.err and adds all output to all.log.
ref() {
	env $NSS_ENV "$REFRESHER" -c "$C/afp.conf" -v "$@" \
	    >"$T_TMP/r.out" 2>"$T_TMP/r.err"
	RC=$?
	cat "$T_TMP/r.out" "$T_TMP/r.err" >>"$T_TMP/all.log"
}

no_entries() {
	[ -z "$(find "$CACHE" -name '*.json' ! -name status.json)" ]
}

# refused DESC GREP-PATTERN: the run failed, said why, and wrote no entry.
refused() {
	ref -f
	expect_eq "$RC" 1 "$1: exit 1"
	if grep -qE -- "$2" "$T_TMP/r.err"; then
		ok "$1: the message says why"
	else
		not_ok "$1: the message says why"
		diag "wanted /$2/ in:"
		sed 's/^/# /' "$T_TMP/r.err" | tail -5
	fi
	check "$1: no cache entry written" no_entries
}

# --- (a) secrets.conf ------------------------------------------------------
for m in 0640 0604 0620 0602 0660 0644 0606; do
	chmod "$m" "$SECRETS"
	refused "secrets.conf mode $m" \
	    "$SECRETS.*mode $m gives group or others access"
done
chmod 0600 "$SECRETS"
chown nobody "$SECRETS"
refused "secrets.conf owned by nobody" \
    "$SECRETS.*owned by uid $(id -u nobody), not root"
chown root "$SECRETS"
mv "$SECRETS" "$T_TMP/secrets.real"
ln -s "$T_TMP/secrets.real" "$SECRETS"
refused "secrets.conf is a symlink to a 0600 file" "$SECRETS.*symbolic link"
rm "$SECRETS"
mkfifo -m 0600 "$SECRETS"
# A FIFO must not make the refresher wait for a writer.
timeout 20 env $NSS_ENV "$REFRESHER" -c "$C/afp.conf" -f \
    >"$T_TMP/r.out" 2>"$T_TMP/r.err"
expect_eq "$?" 1 "secrets.conf is a FIFO: exit 1 at once (no wait for a writer)"
check "secrets.conf is a FIFO: the message says so" \
    grep -q "$SECRETS.*not a regular file" "$T_TMP/r.err"
cat "$T_TMP/r.out" "$T_TMP/r.err" >>"$T_TMP/all.log"
rm "$SECRETS"
mkdir -m 0700 "$SECRETS"
refused "secrets.conf is a directory" "$SECRETS.*not a regular file"
rmdir "$SECRETS"
mv "$T_TMP/secrets.real" "$SECRETS"
chmod 0400 "$SECRETS"
ref -n
expect_eq "$RC" 0 "secrets.conf root 0400 accepted (dry run)"
chmod 0600 "$SECRETS"

# --- (a) the cache directory -------------------------------------------------
for m in 0770 0760 0751 0754 0757 0705 0777; do
	chmod "$m" "$CACHE"
	refused "cache dir mode $m" "$CACHE.*mode $m lets others in"
done
chmod 0750 "$CACHE"
chown nobody:nogroup "$CACHE"
refused "cache dir owned by nobody:nogroup" \
    "$CACHE.*owned by uid $(id -u nobody), want root"
chown root:root "$CACHE"
rm -rf "$CACHE"
: >"$CACHE"
chmod 0640 "$CACHE"
refused "cache dir is a regular file" "$CACHE.*not a directory"
rm "$CACHE"
mkdir -m 0750 "$T_TMP/cache.real"
ln -s "$T_TMP/cache.real" "$CACHE"
refused "cache dir is a symlink to a 0750 directory" "$CACHE.*symlink"
check "cache dir symlink: nothing written through it" \
    test -z "$(find "$T_TMP/cache.real" -name '*.json')"
rm "$CACHE"

# --- (b) files are born with their final mode -------------------------------
# traced NAME [ARG...]: the refresher under strace -f; the log names every
# call that creates, renames, or changes the mode or owner of a file.
traced() {
	local _n=$1
	shift
	# -ff: a file per thread (the refresher writes entries from several),
	# so no call is split over two lines by another thread's.
	env $NSS_ENV $TRACE_ENV strace -ff -qq -o "$T_TMP/strace.$_n" \
	    -e trace=open,openat,openat2,creat,mkdir,mkdirat,chmod,fchmod,fchmodat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,chown,fchown,fchownat,lchown \
	    "$REFRESHER" -c "$C/afp.conf" -v "$@" >"$T_TMP/r.out" 2>"$T_TMP/r.err"
	RC=$?
	cat "$T_TMP/strace.$_n".* >"$T_TMP/strace.$_n" && rm -f "$T_TMP/strace.$_n".*
	cat "$T_TMP/r.out" "$T_TMP/r.err" >>"$T_TMP/all.log"
}

# audit NAME: checks the strace log against the rules; prints one line per
# breach and, last, "creates=N renames=N mkdirs=N".
cat >"$T_TMP/audit.py" <<'EOF'
import os, re, sys

log, cache = sys.argv[1], os.path.realpath(sys.argv[2])
bad = []
creates = renames = mkdirs = 0
call = re.compile(r'^(?:\d+ +)?(\w+)\((.*)\) += (-?\d+|\?)')
string = re.compile(r'"((?:[^"\\]|\\.)*)"')

def inside(p):
    return p == cache or p.startswith(cache + "/")

def temp_of(final):
    d, b = os.path.split(final)
    return re.compile(re.escape(d + "/." + b) + r"\.tmp\.[0-9a-f]{16}$")

for line in open(log, encoding="utf-8", errors="replace"):
    m = call.match(line)
    if not m:
        continue
    name, args, rv = m.groups()
    paths = string.findall(args)
    ok = rv not in ("?",) and not rv.startswith("-")
    if name in ("chmod", "fchmod", "fchmodat"):
        bad.append("mode changed after creation: " + line.strip())
        continue
    if name in ("link", "linkat", "symlink", "symlinkat") and ok:
        bad.append("link made: " + line.strip())
        continue
    if name in ("open", "openat", "creat") and paths and inside(paths[0]):
        if name != "creat" and "O_CREAT" not in args:
            continue
        mode = re.search(r", (0[0-7]+)$", args)
        if mode is None:
            bad.append("create without a mode: " + line.strip())
            continue
        mode = int(mode.group(1), 8)
        p = paths[0]
        if os.path.basename(p) == ".lock":
            if mode & ~0o600:
                bad.append("lock born 0%o: %s" % (mode, line.strip()))
            continue
        if "O_EXCL" not in args or "O_NOFOLLOW" not in args:
            bad.append("create without O_EXCL|O_NOFOLLOW: " + line.strip())
        if not re.search(r"/\.[^/]+\.tmp\.[0-9a-f]{16}$", p):
            bad.append("created under its final name: " + line.strip())
        if mode & ~0o640:
            bad.append("born 0%o, looser than 0640: %s" % (mode, line.strip()))
        if ok:
            creates += 1
    elif name in ("mkdir", "mkdirat") and paths and inside(paths[-1]):
        mode = re.search(r", (0[0-7]+)$", args)
        if mode is None or int(mode.group(1), 8) & ~0o750:
            bad.append("directory born looser than 0750: " + line.strip())
        if ok:
            mkdirs += 1
    elif name.startswith("rename") and any(inside(p) for p in paths):
        if len(paths) != 2 or not temp_of(paths[1]).match(paths[0]):
            bad.append("rename not from its temp name in the same directory: "
                       + line.strip())
        elif ok:
            renames += 1
    elif name in ("chown", "fchown", "fchownat", "lchown"):
        # Only the group may change (to the cache directory's), never
        # the owner: -1 as the uid.
        if not re.search(r", -1, \d+\)?$", args):
            bad.append("owner changed: " + line.strip())
for b in bad:
    print(b)
print("creates=%d renames=%d mkdirs=%d" % (creates, renames, mkdirs))
EOF

audit() {
	"$PYTHON" "$T_TMP/audit.py" "$T_TMP/strace.$1" "$CACHE" >"$T_TMP/audit.$1"
	AUDIT_BAD=$(grep -vc '^creates=' "$T_TMP/audit.$1")
	AUDIT_SUM=$(grep '^creates=' "$T_TMP/audit.$1")
	if [ "$AUDIT_BAD" -ne 0 ]; then
		sed 's/^/# /' "$T_TMP/audit.$1" | head -20
	fi
}

# A first run makes the cache directory, .lock, imds.key, the catalog,
# status.json, the directories and the four entries.
traced first -f
expect_eq "$RC" 0 "first run under strace: exit 0"
[ "$RC" = 0 ] || sed 's/^/# /' "$T_TMP/r.err" | tail -20
audit first
expect_eq "$AUDIT_BAD" 0 "first run: every created file born 0640 or tighter, no chmod, renames from temp names in place"
# 4 entries + status.json + imds.key + catalog; prod and prod/ops (the
# cache dir itself is made by mkdir too).
expect_eq "$AUDIT_SUM" "creates=7 renames=7 mkdirs=3" \
    "first run: 7 files created and renamed, 3 directories made"
# A forced second run replaces every entry and status.json.
traced second -f
expect_eq "$RC" 0 "second run under strace: exit 0"
audit second
expect_eq "$AUDIT_BAD" 0 "second run: same rules"
expect_eq "$AUDIT_SUM" "creates=5 renames=5 mkdirs=0" \
    "second run: 4 entries and status.json replaced through temp files"
check "the audit catches a chmod" sh -c "echo '1 fchmod(5</x>, 0644) = 0' >'$T_TMP/strace.fake' &&
    '$PYTHON' '$T_TMP/audit.py' '$T_TMP/strace.fake' '$CACHE' | grep 'mode changed' >/dev/null"
check "the audit catches a loose create" sh -c "echo '1 openat(AT_FDCWD, \"$CACHE/.a.json.tmp.0123456789abcdef\", O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW, 0644) = 3' >'$T_TMP/strace.fake' &&
    '$PYTHON' '$T_TMP/audit.py' '$T_TMP/strace.fake' '$CACHE' | grep 'looser than 0640' >/dev/null"
check "the audit catches a rename across directories" sh -c "echo '1 rename(\"$CACHE/.a.json.tmp.0123456789abcdef\", \"$CACHE/b/a.json\") = 0' >'$T_TMP/strace.fake' &&
    '$PYTHON' '$T_TMP/audit.py' '$T_TMP/strace.fake' '$CACHE' | grep 'rename not' >/dev/null"

# The modes they ended with, and no temp file left.
check "the cache directory exists" test -d "$CACHE" -a ! -L "$CACHE"
bad_modes=$(find "$CACHE" \( -type f ! -name .lock ! -perm 0640 \) -o \
    \( -name .lock ! -perm 0600 \) -o \( -type d ! -perm 0750 \))
expect_eq "$bad_modes" "" "files 0640, .lock 0600, directories 0750"
expect_eq "$(find "$CACHE" -name '*.tmp.*')" "" "no temp file left"
expect_eq "$(find "$CACHE" -type f | wc -l)" 8 "8 files in the cache"

logs_free_of "$T_TMP/all.log $T_TMP/strace.first $T_TMP/strace.second" \
    "$BASE_SECRET" "no base secret key" \
    "$(json_get "$CACHE/prod/admin.json" secret_access_key)" "no served secret key" \
    "$(json_get "$CACHE/prod/admin.json" session_token)" "no session token"
t_done
