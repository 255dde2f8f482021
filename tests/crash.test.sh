#!/bin/sh
# Crash consistency and concurrency of the cache, against a fast STS
# stand-in (tests/sts_fast.py; moto is too slow for this many runs):
# - rounds of afp-refresher --force over 34 entries, each killed with
#   SIGKILL at a random moment: every entry stays the old or a new complete
#   entry (tests/crash_check.py rounds), and a later run leaves no temp file;
# - CGI requests from several loops while forced refreshes run back to
#   back: every answer is 200 with one issue's complete credentials;
# - a full disk (the cache on a 64 KiB tmpfs; needs root) and write,
#   fsync and rename failures injected with an LD_PRELOAD shim
#   (tests/shim/failwrite.c): the refresher fails, says why, and the old
#   entries stay as they were.
# AFP_CRASH_ROUNDS (default 40; 20 for a sanitizer build),
# AFP_CRASH_READERS (reader loops, default 5; 3), AFP_CRASH_REQUESTS (at
# least, per loop, default 60; 50), AFP_CRASH_RUNS (forced runs under the
# readers, default 10) and AFP_CRASH_SEED (the kill times) size it;
# tests/crash_long.sh runs the long version.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

need_built "$REFRESHER" "$CGI"
need_cmd awk cmp cp dd find od stat truncate cc
need_py json hashlib

# A sanitizer build starts each process several times slower: fewer runs
# unless asked for, so that check-asan stays bounded.
if grep -q __asan_init "$REFRESHER" "$CGI"; then
	ROUNDS=${AFP_CRASH_ROUNDS:-20}
	READERS=${AFP_CRASH_READERS:-3}
	REQUESTS=${AFP_CRASH_REQUESTS:-50}
else
	ROUNDS=${AFP_CRASH_ROUNDS:-40}
	READERS=${AFP_CRASH_READERS:-5}
	REQUESTS=${AFP_CRASH_REQUESTS:-60}
fi
RUNS=${AFP_CRASH_RUNS:-10}
SEED=${AFP_CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
CHECK=$T_DIR/crash_check.py
MOUNTED=

# The tmpfs must go before lib.sh removes $T_TMP.
# shellcheck disable=SC2317
crash_cleanup() {
	_rc=$?
	stop_all
	[ -z "$MOUNTED" ] || umount "$MOUNTED" 2>/dev/null || umount -l "$MOUNTED"
	(exit "$_rc")
	t_cleanup
}
trap crash_cleanup EXIT

# start_sts NAME TOKEN_LEN: a stand-in whose issues go to $T_TMP/NAME.issued;
# sets STS_URL.
start_sts() {
	local _pf="$T_TMP/$1.port" _pid
	"$PYTHON" "$T_DIR/sts_fast.py" "$T_TMP/$1.issued" "$_pf" \
	    --token-len "$2" --parent-pid $$ >>"$T_TMP/sts.log" 2>&1 &
	_pid=$!
	T_PIDS="$_pid $T_PIDS"
	wait_until "$_pid" 100 -s "$_pf" || {
		not_ok "tests/sts_fast.py did not start"
		sed 's/^/# /' "$T_TMP/sts.log" | tail -20
		exit 1
	}
	STS_URL=http://127.0.0.1:$(cat "$_pf")
}

# issued NAME: how many credentials stand-in NAME has handed out.
issued() {
	wc -l <"$T_TMP/$1.issued" | tr -d ' '
}

# conf NAME CACHE_DIR ACCOUNTS STS_URL: an afp.conf in $C over $C/ACCOUNTS.
conf() {
	local _cache="$CACHE"
	CACHE=$2
	afp_conf "$1" remote_user "$3" "secrets_file = $C/secrets.conf" \
	    'region = us-east-1' "sts_endpoint = $4" 'concurrency = 8' \
	    'timeout = 5s'
	CACHE=$_cache
}

# roles FILE ACCOUNT PREFIX COUNT: COUNT shared roles PREFIX01... for alice.
roles() {
	{
		printf '[account %s]\nid = 123456789012\n' "$2"
		awk -v a="$2" -v p="$3" -v n="$4" 'BEGIN {
			for (i = 1; i <= n; i++)
				printf "\n[role %s/%s%02d]\nsession_name = afp-%s%02d\nallow_users = alice\n",
				    a, p, i, p, i
		}'
	} >"$1"
}

# refresh CONF [ARG...]: one run with the NAME=VALUE words of $RUN_ENV in
# its environment, output appended to $T_TMP/NAME.out/.err and the last
# run's stderr in $T_TMP/last.err; sets RC.
RUN_ENV=
refresh() {
	local _c="$1" _n
	shift
	_n=$(basename "$_c" .conf)
	# shellcheck disable=SC2086
	env $RUN_ENV "$REFRESHER" -c "$_c" "$@" >>"$T_TMP/$_n.out" \
	    2>"$T_TMP/last.err"
	RC=$?
	cat "$T_TMP/last.err" >>"$T_TMP/$_n.err"
}

# temps DIR: how many temp files of cache writes are under DIR.
temps() {
	find "$1" -name '.*.tmp.*' | wc -l | tr -d ' '
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# check_fails DESC ARG...: crash_check.py ARG... must find a violation.
check_fails() {
	local _d="$1"
	shift
	if "$PYTHON" "$CHECK" "$@" >"$T_TMP/neg.out" 2>&1; then
		not_ok "$_d"
		sed 's/^/# /' "$T_TMP/neg.out" | tail -5
	elif grep -q '^# violation' "$T_TMP/neg.out"; then
		ok "$_d"
	else
		not_ok "$_d"
		sed 's/^/# /' "$T_TMP/neg.out" | tail -5
	fi
}

# field NAME FILE: a string field of a cache entry.
field() {
	sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$2"
}

# --- setup ---------------------------------------------------------------
afp_dirs
BASE_SECRET=fastbase$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
printf '[source]\naccess_key_id = AKIAFASTBASE00000001\nsecret_access_key = %s\n' \
    "$BASE_SECRET" >"$C/secrets.conf"
chmod 0600 "$C/secrets.conf"
start_sts main 400
MAIN_URL=$STS_URL
# 30 shared entries and 2 roles with per-user entries (alice, bob): 34.
roles "$C/accounts.d/crash.conf" prod r 30
printf '\n[role prod/pu%s]\nallow_users = alice bob\n' 1 2 \
    >>"$C/accounts.d/crash.conf"
conf afp.conf "$CACHE" accounts.d "$MAIN_URL"
CONF=$C/afp.conf
NENTRIES=34

# --- kill -9 at random moments -------------------------------------------
R=$T_TMP/rounds
mkdir -p "$R/0"
refresh "$CONF" --force
expect_eq "$RC" 0 "first run over $NENTRIES entries exits 0"
[ "$RC" = 0 ] || sed 's/^/# /' "$T_TMP/last.err" | tail -20
expect_eq "$(find "$CACHE" -name '*.json' ! -name status.json | wc -l | tr -d ' ')" \
    "$NENTRIES" "first run wrote $NENTRIES entries"

# When to kill: a quarter of the rounds at a random moment of a whole run
# (as long as one takes here), the rest a random 0-80 ms after the run
# starts writing (seen by polling), where a kill can tear something.
t0=$(now_ms)
refresh "$CONF" --force
refresh "$CONF" --force
refresh "$CONF" --force
RUN_MS=$((($(now_ms) - t0) / 3))
diag "a forced run takes about $RUN_MS ms; $ROUNDS rounds, seed $SEED"
awk -v seed="$SEED" -v n="$ROUNDS" -v d="$RUN_MS" 'BEGIN {
	srand(seed)
	for (i = 0; i < n; i++) {
		if (rand() < 0.25) {
			w = "run"
			ms = int(rand() * d)
		} else {
			w = "writes"
			ms = int(rand() * 80)
		}
		printf "%s %d.%03d\n", w, ms / 1000, ms % 1000
	}
}' >"$T_TMP/delays"

# writing DIR MARK: whether a cache file or temp file under DIR is newer
# than MARK (temp files come and go while find looks).
writing() {
	[ -n "$(find "$1" \( -name '*.json' -o -name '.*.tmp.*' \) \
	    -newer "$2" 2>/dev/null | head -n 1)" ]
}
cp -a "$CACHE" "$R/0/cache"
issued main >"$R/0/from"

t0=$(now_ms)
i=0
killed=0
finished=0
others=0
while read -r from delay; do
	i=$((i + 1))
	mkdir "$R/$i"
	issued main >"$R/$i/from"
	: >"$T_TMP/mark"
	"$REFRESHER" -c "$CONF" --force -q >>"$T_TMP/rounds.out" \
	    2>>"$T_TMP/rounds.err" &
	pid=$!
	if [ "$from" = writes ]; then
		while kill -0 "$pid" 2>/dev/null &&
		    ! writing "$CACHE" "$T_TMP/mark"; do
			sleep 0.005
		done
	fi
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	# dash reports a killed job on stderr ("Killed"); that is the point.
	wait "$pid" 2>/dev/null
	case $? in
	137) killed=$((killed + 1)) ;;
	0) finished=$((finished + 1)) ;;
	*) others=$((others + 1)) ;;
	esac
	cp -a "$CACHE" "$R/$i/cache"
done <"$T_TMP/delays"
diag "$killed runs killed, $finished finished before the kill, in $(($(now_ms) - t0)) ms"
expect_eq "$others" 0 "every round's run was either killed or exited 0"
expect_eq "$((killed + finished))" "$ROUNDS" "$ROUNDS rounds ran"
"$PYTHON" "$CHECK" rounds "$T_TMP/main.issued" "$R" >"$T_TMP/rounds.check"
rc=$?
grep '^#' "$T_TMP/rounds.check"
expect_eq "$rc" 0 "after every round every entry is the old or a new complete one"
summary=$(grep '^ROUNDS=' "$T_TMP/rounds.check")
expect_eq "${summary%% *}" "ROUNDS=$ROUNDS" "the check saw $ROUNDS rounds"
some=$(echo "$summary" | sed -n 's/.*CHANGED_SOME=\([0-9]*\).*/\1/p')
left=$(echo "$summary" | sed -n 's/.*TEMPS_LEFT=\([0-9]*\).*/\1/p')
# Where a kill lands is chance: only the long run (make crash, 200 rounds)
# is sure to catch writers mid-way, so only it insists.
if [ "$ROUNDS" -ge 100 ]; then
	check "some kills landed while entries were being written ($some rounds half done, $left left temp files)" \
	    [ "$((${some:-0} + ${left:-0}))" -gt 0 ]
else
	diag "kills that landed while entries were being written: $some rounds half done, $left left temp files"
fi
diag "$(temps "$CACHE") temp files left by the last round"
refresh "$CONF"
expect_eq "$RC" 0 "a normal run after the last round exits 0"
expect_eq "$(temps "$CACHE")" 0 "a normal run removes every temp file a killed run left"
echo "$summary killed=$killed finished=$finished seed=$SEED run_ms=$RUN_MS" \
    >"$T_TMP/rounds.summary"
# The check itself must see a torn, a mixed and a misplaced entry.
N=$T_TMP/neg
mkdir -p "$N/0" "$N/1"
cp -a "$R/$ROUNDS/cache" "$N/0/cache"
issued main >"$N/0/from"
issued main >"$N/1/from"
negative() {
	rm -rf "$N/1/cache"
	cp -a "$N/0/cache" "$N/1/cache"
}
negative
head -c 100 "$N/0/cache/prod/r01.json" >"$N/1/cache/prod/r01.json"
check_fails "the rounds check sees a torn entry" rounds "$T_TMP/main.issued" "$N"
negative
sed "s|$(field secret_access_key "$N/0/cache/prod/r01.json")|$(field secret_access_key "$N/0/cache/prod/r02.json")|" \
    "$N/0/cache/prod/r01.json" >"$N/1/cache/prod/r01.json"
check_fails "the rounds check sees a secret key of another issue" \
    rounds "$T_TMP/main.issued" "$N"
negative
cp "$N/0/cache/prod/r02.json" "$N/1/cache/prod/r01.json"
check_fails "the rounds check sees another role's entry" \
    rounds "$T_TMP/main.issued" "$N"
rm -rf "$N/0/cache" "$N/1/cache"
cp -a "$R/0/cache" "$N/0/cache"
cp -a "$R/$ROUNDS/cache" "$N/1/cache"
check_fails "the rounds check sees entries from before the round" \
    rounds "$T_TMP/main.issued" "$N"
rm -rf "$R" "$N"

# --- readers while refreshes run -----------------------------------------
OUT=$T_TMP/answers
mkdir "$OUT"
awk 'BEGIN { for (i = 1; i <= 30; i++) printf "r%02d\n", i
	print "pu1-alice"; print "pu2-alice" }' >"$T_TMP/rolenames"
l=0
while [ "$l" -lt "$READERS" ]; do
	l=$((l + 1))
	awk -v n="$REQUESTS" -v l="$l" '{ r[NR] = $0 } END {
		for (i = 0; i < n; i++) print r[(i * 7 + l * 5) % NR + 1]
	}' "$T_TMP/rolenames" >"$T_TMP/seq.$l"
done

# reader N: the CGI for each role of seq.N in turn, as lighttpd runs it,
# over and over until the forced runs are done, at least $REQUESTS times.
reader() {
	local _n=0 _role _p
	while :; do
		while read -r _role; do
			if [ "$_n" -ge "$REQUESTS" ] && [ -f "$T_TMP/loop.done" ]; then
				return 0
			fi
			_n=$((_n + 1))
			_p=/account/prod/${_role%-alice}/credentials
			env -i AFP_CONFIG="$CONF" REMOTE_USER=alice \
			    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
			    SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=127.0.0.1 \
			    SERVER_PORT=80 HTTP_HOST=127.0.0.1 \
			    REMOTE_ADDR=127.0.0.1 SCRIPT_NAME=/cgi-bin/afp.cgi \
			    PATH_INFO="$_p" QUERY_STRING= \
			    REQUEST_URI="/cgi-bin/afp.cgi$_p" "$CGI" \
			    >"$OUT/$1.$_n.$_role" 2>>"$T_TMP/readers.err" \
			    </dev/null
			echo "$1.$_n $?" >>"$OUT/rc.$1"
		done <"$T_TMP/seq.$1"
	done
}

# $RUNS forced runs back to back.
refresh_loop() {
	local _n=0
	while [ "$_n" -lt "$RUNS" ]; do
		"$REFRESHER" -c "$CONF" --force -q >>"$T_TMP/loop.out" \
		    2>>"$T_TMP/loop.err"
		echo "$?" >>"$T_TMP/loop.rc"
		_n=$((_n + 1))
	done
	: >"$T_TMP/loop.done"
}

refresh_loop &
LOOP_PID=$!
T_PIDS="$LOOP_PID $T_PIDS"
rpids=
l=0
t0=$(now_ms)
while [ "$l" -lt "$READERS" ]; do
	l=$((l + 1))
	reader "$l" &
	rpids="$rpids $!"
done
wait "$LOOP_PID"
for p in $rpids; do
	wait "$p"
done
read_ms=$(($(now_ms) - t0))
runs=$(wc -l <"$T_TMP/loop.rc" | tr -d ' ')
requests=$(cat "$OUT"/rc.* | wc -l | tr -d ' ')
diag "$requests requests in $read_ms ms during $runs forced runs"
expect_eq "$runs" "$RUNS" "$RUNS forced runs while the readers read"
expect_eq "$(grep -cv '^0$' "$T_TMP/loop.rc")" 0 "every forced run exited 0"
check "at least $((READERS * REQUESTS)) requests" \
    [ "$requests" -ge $((READERS * REQUESTS)) ]
"$PYTHON" "$CHECK" readers "$T_TMP/main.issued" "$OUT" \
    "$T_TMP/readers.err" "$T_TMP/loop.err" "$T_TMP/rounds.err" \
    "$T_TMP/afp.err" >"$T_TMP/readers.check"
rc=$?
grep '^#' "$T_TMP/readers.check"
expect_eq "$rc" 0 "every answer: 200, one issue's complete credentials, exit 0, no secret in a log"
summary=$(grep '^ANSWERS=' "$T_TMP/readers.check")
expect_eq "$(echo "$summary" | sed -n 's/^ANSWERS=\([0-9]*\).*/\1/p')" \
    "$requests" "the check saw every answer"
keys=$(echo "$summary" | sed -n 's/.*KEYS=\([0-9]*\).*/\1/p')
nroles=$(echo "$summary" | sed -n 's/.*ROLES=\([0-9]*\).*/\1/p')
check "readers saw entries change under them ($keys keys over $nroles entries)" \
    [ "${keys:-0}" -gt "${nroles:-0}" ]
echo "$summary runs=$runs ms=$read_ms" >"$T_TMP/readers.summary"
# The check itself must see a mixed answer and a 500.
mkdir "$N"
a=$(find "$OUT" -name '1.1.*')
sed "s|$(field session_token "$a")|$(field session_token "$(find "$OUT" -name '1.2.*')")|" \
    "$a" >"$N/${a##*/}"
check_fails "the readers check sees a session token of another issue" \
    readers "$T_TMP/main.issued" "$N"
rm -f "$N"/*
printf 'Status: 500 Internal Server Error\r\n\r\n{}' >"$N/${a##*/}"
check_fails "the readers check sees a 500" readers "$T_TMP/main.issued" "$N"
rm -rf "$OUT" "$N"

# --- a full disk ---------------------------------------------------------
# expect_cause FILE TEXT DESC: the run's log names the OS's reason.
expect_cause() {
	if grep -qF -- "$2" "$1"; then
		ok "$3"
	else
		not_ok "$3"
		sed 's/^/# log: /' "$1" | tail -8
	fi
}

# entries_after OLD_DIR NEW_DIR FROM WANT DESC: crash_check.py entries
# prints WANT ("new N old N") and finds nothing wrong.
entries_after() {
	local _got
	if _got=$("$PYTHON" "$CHECK" entries "$T_TMP/$ISSUED.issued" "$1" "$2" "$3") &&
	    [ "$(echo "$_got" | head -n 1)" = "$4" ]; then
		ok "$5"
	else
		not_ok "$5"
		echo "$_got" | sed 's/^/# /'
	fi
}

# failures: how many entries the last run said it could not write.
failures() {
	grep -c 'cannot write cache entry' "$T_TMP/last.err"
}

disk_test() {
	local _small="$T_TMP/small" _d _from
	if [ "$(id -u)" != 0 ]; then
		not_ok "full disk: mounting a tmpfs needs root (running as uid $(id -u)); CI runs as root"
		return
	fi
	mkdir "$_small"
	if ! mount -t tmpfs -o size=128k,mode=0750 tmpfs "$_small" 2>"$T_TMP/mount.err"; then
		not_ok "full disk: mount -t tmpfs failed: $(cat "$T_TMP/mount.err")"
		return
	fi
	MOUNTED=$_small
	_d=$_small/cache
	mkdir -m 0750 "$_d"
	# Entries of 6 KB: two pages each, so one free page fails mid-write.
	# 32 pages: the refresher stages every entry before it renames any.
	start_sts disk 6000
	ISSUED=disk
	mkdir "$C/disk.d"
	roles "$C/disk.d/disk.conf" disk d 5
	conf disk.conf "$_d" disk.d "$STS_URL"
	refresh "$C/disk.conf" --force
	expect_eq "$RC" 0 "full disk: a run on the empty tmpfs exits 0"
	cp -a "$_d" "$T_TMP/disk.good"
	check "full disk: entries take two pages" \
	    [ "$(stat -c %s "$_d/disk/d01.json")" -gt 4096 ]

	dd if=/dev/zero of="$_small/fill" bs=4096 2>/dev/null
	expect_eq "$(stat -f -c %a "$_small")" 0 "full disk: the tmpfs is full"
	_from=$(issued disk)
	refresh "$C/disk.conf" --force
	expect_eq "$RC" 1 "full disk: a forced run exits 1"
	expect_eq "$(failures)" 5 "full disk: the log names every entry it could not write"
	expect_cause "$T_TMP/last.err" "No space left on device" \
	    "full disk: the log says the disk is full"
	expect_cause "$T_TMP/last.err" "status.json" \
	    "full disk: the log says status.json could not be written"
	entries_after "$T_TMP/disk.good" "$_d" "$_from" "new 0 old 5" \
	    "full disk: every old entry is intact, no temp file left"
	check "full disk: status.json is the old one, whole" \
	    cmp -s "$_d/status.json" "$T_TMP/disk.good/status.json"

	truncate -s -4096 "$_small/fill"
	expect_eq "$(stat -f -c %a "$_small")" 1 "one page free"
	_from=$(issued disk)
	refresh "$C/disk.conf" --force
	expect_eq "$RC" 1 "one page free: a forced run exits 1 (each entry fails mid-write)"
	expect_eq "$(failures)" 5 "one page free: the log names every entry it could not write"
	entries_after "$T_TMP/disk.good" "$_d" "$_from" "new 0 old 5" \
	    "one page free: every old entry is intact, no temp file left"
	expect_eq "$(json_get "$_d/status.json" ok) $(json_get "$_d/status.json" failed)" \
	    "false 5" "one page free: status.json (one page) says 5 entries failed"

	rm -f "$_small/fill"
	_from=$(issued disk)
	refresh "$C/disk.conf" --force
	expect_eq "$RC" 0 "disk freed: a forced run exits 0"
	entries_after "$T_TMP/disk.good" "$_d" "$_from" "new 5 old 0" \
	    "disk freed: every entry renewed, no temp file left"
	umount "$_small" && MOUNTED=
}
t0=$(now_ms)
disk_test
diag "full disk: $(($(now_ms) - t0)) ms"

# --- failures injected with LD_PRELOAD -------------------------------------
shim_test() {
	local _so="$T_TMP/failwrite.so" _d _from _case _call _after _errno _new \
	    _old _failed _cause
	if ! cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -shared -fPIC \
	    -o "$_so" "$T_DIR/shim/failwrite.c" -ldl 2>"$T_TMP/cc.err"; then
		not_ok "shim: tests/shim/failwrite.c does not build"
		sed 's/^/# /' "$T_TMP/cc.err"
		return
	fi
	mkdir -m 0750 "$T_TMP/shim"
	_d=$(cd "$T_TMP/shim" && pwd -P)
	ISSUED=main
	mkdir "$C/shim.d"
	roles "$C/shim.d/shim.conf" shim s 5
	conf shim.conf "$_d" shim.d "$MAIN_URL"
	refresh "$C/shim.conf" --force
	expect_eq "$RC" 0 "shim: a run without failures exits 0"
	# CALL AFTER ERRNO NEW OLD FAILED: the refresher writes the five
	# entries step by step: five writes, one syncfs of the cache's file
	# system, five renames, one more syncfs; then status.json (write,
	# fsync, rename, directory fsync). The shim counts syncfs as fsync.
	# fsync 1: the entries are renamed into place but the second flush
	# fails, so they are new and counted as failed. rename 5: only
	# status.json fails.
	while read -r _call _after _errno _new _old _failed; do
		_case="$_call fails after $_after ($_errno)"
		rm -rf "$T_TMP/shim.before"
		cp -a "$_d" "$T_TMP/shim.before"
		_from=$(issued main)
		RUN_ENV="LD_PRELOAD=$_so FAILWRITE_DIR=$_d FAILWRITE_CALL=$_call"
		RUN_ENV="$RUN_ENV FAILWRITE_AFTER=$_after FAILWRITE_ERRNO=$_errno"
		RUN_ENV="$RUN_ENV ASAN_OPTIONS=verify_asan_link_order=0"
		refresh "$C/shim.conf" --force
		RUN_ENV=
		expect_eq "$RC" 1 "shim: $_case: exits 1"
		expect_eq "$(failures)" "$_failed" "shim: $_case: the log names the $_failed entries that failed"
		case $_errno in
		EIO) _cause="Input/output error" ;;
		*) _cause="No space left on device" ;;
		esac
		expect_cause "$T_TMP/last.err" "$_cause" "shim: $_case: the log says '$_cause'"
		entries_after "$T_TMP/shim.before" "$_d" "$_from" "new $_new old $_old" \
		    "shim: $_case: $_new entries new, $_old intact, no temp file left"
		check "shim: $_case: status.json is the old one, whole" \
		    cmp -s "$_d/status.json" "$T_TMP/shim.before/status.json"
		_from=$(issued main)
		refresh "$C/shim.conf" --force
		expect_eq "$RC" 0 "shim: $_case: the next run exits 0"
		entries_after "$T_TMP/shim.before" "$_d" "$_from" "new 5 old 0" \
		    "shim: $_case: the next run renews every entry, no temp file left"
	done <<EOF
write 0 EIO 0 5 5
write 2 ENOSPC 2 3 3
fsync 0 EIO 0 5 5
fsync 1 EIO 5 0 5
rename 1 ENOSPC 1 4 4
rename 5 EIO 5 0 0
EOF
}
t0=$(now_ms)
shim_test
diag "shim: $(($(now_ms) - t0)) ms"

logs_free_of "$(find "$T_TMP" -maxdepth 1 -name '*.err' -o -maxdepth 1 \
    -name '*.out' | sort | tr '\n' ' ')" "$BASE_SECRET" "base secret key"
sed 's/^/# /' "$T_TMP/rounds.summary" "$T_TMP/readers.summary"
t_done
