#!/bin/sh
# Faults on the AWS side: afp-refresher -f against tests/fault_server.py,
# a stand-in for STS that throttles, fails, hangs, trickles, resets,
# truncates, bombs and lies. For every case: retried or not as DESIGN.md
# §5 says (counted at the peer), the number of attempts, a bounded run
# time, exit status 1 (not a signal), the status.json entry, the
# still-valid cached entries untouched, and for the hostile bodies a
# bounded peak RSS. The cases run in parallel, each with its own cache
# and its own path on the one peer (the path names the case).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh" || exit 1

TIME=/usr/bin/time
need_built "$REFRESHER"
need_cmd cmp stat find date awk ldd od "$TIME" "$PYTHON"

# MAX_ATTEMPTS and BACKOFF_MS of refresher/job.h: the expectations below
# follow them, and must be revisited when they change.
MAX_ATTEMPTS=$(sed -n 's/^#define MAX_ATTEMPTS[[:space:]]*\([0-9]*\)$/\1/p' \
    "$TOP/refresher/job.h")
BACKOFF_MS=$(sed -n 's/^#define BACKOFF_MS[[:space:]]*\([0-9]*\)$/\1/p' \
    "$TOP/refresher/job.h")
expect_eq "$MAX_ATTEMPTS/$BACKOFF_MS" 4/200 \
    "refresher/job.h: MAX_ATTEMPTS 4, BACKOFF_MS 200 (what this test expects)"

TIMEOUT=2
# Worst case of the full-jitter backoff between 4 attempts: 200+400+800 ms.
BACKOFF_SUM=1400
# What 3 retries may add at the peer beyond the backoff: a request's own
# round trip (the reset case sleeps 200 ms before its RST) under load;
# and how much later than its arrival a loaded peer may log a request.
SPAN_SLACK=3000
LOG_SLACK=1000
# A hostile body must not cost memory: the refresher reads at most 64 KiB.
RSS_MAX_KB=65536
BASE_SECRET=BASESECRETx$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')

# --- the peer --------------------------------------------------------------
"$PYTHON" "$T_DIR/fault_server.py" "$T_TMP/peer.log" "$T_TMP/peer.port" $$ \
    >"$T_TMP/peer.err" 2>&1 &
PEER_PID=$!
T_PIDS="$PEER_PID $T_PIDS"
wait_until "$PEER_PID" 100 -s "$T_TMP/peer.port" || {
	not_ok "fault_server.py did not start"
	sed 's/^/# /' "$T_TMP/peer.err"
	exit 1
}
PEER=http://127.0.0.1:$(cat "$T_TMP/peer.port")
CLOSED=$(free_port)

# --- configuration -----------------------------------------------------------
C=$T_TMP/etc
mkdir -p "$C/accounts.d" "$T_TMP/c" "$T_TMP/run"
(umask 077 && printf '[source]\naccess_key_id = AKIAFAULTTESTBASE001\nsecret_access_key = %s\n' \
    "$BASE_SECRET" >"$C/secrets.conf")
cat >"$C/accounts.d/test.conf" <<EOF
[account prod]
id = 123456789012

[role prod/admin]
type         = assume_role
session_name = afp-admin
allow_users  = alice

[role prod/ops]
type         = assume_role
session_name = afp-ops
allow_users  = alice
EOF
ENTRIES='prod/admin.json prod/ops.json'
ROLES='arn:aws:iam::123456789012:role/admin arn:aws:iam::123456789012:role/ops'

# conf NAME ENDPOINT: $C/NAME.conf over the cache $T_TMP/c/NAME.
conf() {
	cat >"$C/$1.conf" <<EOF
[afp]
cache_dir    = $T_TMP/c/$1
accounts_dir = $C/accounts.d
secrets_file = $C/secrets.conf
auth         = remote_user
web_user     = $(id -un)
region       = us-east-1
log          = stderr
timeout      = ${TIMEOUT}s
concurrency  = 2
sts_endpoint = $2
EOF
}

# refresh NAME [ARG...]: run the refresher on NAME's config under time(1);
# $T_TMP/run/NAME/ gets out, err, rc, ms (wall time) and rss (peak KiB).
refresh() {
	local _n="$1" _d="$T_TMP/run/$1" _t0 _t1
	shift
	mkdir -p "$_d"
	_t0=$(date +%s%N)
	"$TIME" -f %M -o "$_d/time" "$REFRESHER" -c "$C/$_n.conf" -v "$@" \
	    >"$_d/out" 2>"$_d/err"
	echo $? >"$_d/rc"
	_t1=$(date +%s%N)
	echo $(((_t1 - _t0) / 1000000)) >"$_d/ms"
	tail -n 1 "$_d/time" >"$_d/rss"
}

# listing DIR: every cache file but .lock with inode, mtime (ns) and mode.
listing() {
	(cd "$1" && find . -type f ! -name .lock ! -name status.json \
	    -printf '%p %i %T@ %m\n' | sort)
}

# --- a good run fills the cache -----------------------------------------------
conf base "$PEER/good"
refresh base
expect_eq "$(cat "$T_TMP/run/base/rc")" 0 "good run: exit 0"
for e in $ENTRIES; do
	check "good run: $e written" test -s "$T_TMP/c/base/$e"
done
expect_eq "$(grep -c '"case": "good"' "$T_TMP/peer.log")" 4 \
    "good run: 2 AssumeRole and 2 GetCallerIdentity at the peer"
[ "$(cat "$T_TMP/run/base/rc")" = 0 ] || {
	sed 's/^/# /' "$T_TMP/run/base/err" | tail -20
	exit 1
}
GOOD_RSS=$(cat "$T_TMP/run/base/rss")
GOOD_MS=$(cat "$T_TMP/run/base/ms")
diag "good run: $GOOD_MS ms, peak RSS $GOOD_RSS KiB"
# What a run may cost besides its requests and their timeouts, with up to
# 10 runs (and whatever else the machine does) sharing its CPUs: several
# times the good run's own time (ASan makes that 10x), plus slack. Loose
# on purpose: the attempts are counted at the peer and the backoff is
# measured there; this bound catches a run that hangs.
OVERHEAD=$((10000 + 5 * GOOD_MS))

# --- the cases ------------------------------------------------------------------
# NAME  ATTEMPTS (per role, at the peer; GetCallerIdentity's for id-*)
# SPEED (fast: no timeout involved; slow: every attempt times out)
# PATTERN (grep -E on each status.json error)
CASES='
throttling      4 fast ^STS: Throttling: Rate exceeded
http429         4 fast ^STS: HTTP429
http500         4 fast ^STS: InternalFailure: The request processing has failed
http503         4 fast ^STS: HTTP503
refused         4 fast ^STS: network error: .*\(HTTP 0, 4 attempts\)$
reset           4 fast ^STS: network error: .*(reset|Recv failure).*4 attempts\)$
truncated-body  4 fast ^STS: network error: .*4 attempts\)$
timeout         4 slow ^STS: network error: .*timed out.*4 attempts\)$
trickle         4 slow ^STS: network error: .*timed out.*4 attempts\)$
truncated-xml   1 fast ^STS: malformed data \(HTTP 200, 1 attempts\)$
malformed-xml   1 fast ^STS: malformed data \(HTTP 200, 1 attempts\)$
bomb            1 fast ^STS: malformed data \(HTTP 200, 1 attempts\)$
bomb-utf16      1 fast ^STS: malformed data \(HTTP 200, 1 attempts\)$
huge            1 fast ^STS: input exceeds its size limit.*1 attempts\)$
huge-chunked    1 fast ^STS: input exceeds its size limit.*1 attempts\)$
html            1 fast ^STS: malformed data \(HTTP 200, 1 attempts\)$
expired-token   1 fast ^STS: ExpiredToken: The security token included in the request is expired
invalid-token   1 fast ^STS: InvalidClientTokenId: The security token included in the request is invalid\.
access-denied   1 fast ^STS: AccessDenied: User: .* is not authorized to perform: sts:AssumeRole
bad-signature   1 fast ^STS: SignatureDoesNotMatch: The request signature we calculated
past-expiration 1 fast ^STS returned credentials that have already expired
bad-expiration  1 fast ^STS: malformed data \(HTTP 200, 1 attempts\)$
id-http503      4 fast ^GetCallerIdentity: HTTP503
id-access-denied 1 fast ^GetCallerIdentity: AccessDenied: User:
id-malformed-xml 1 fast ^GetCallerIdentity: malformed data \(HTTP 200, 1 attempts\)$
'
NAMES=$(echo "$CASES" | awk 'NF { print $1 }')

for n in $NAMES; do
	cp -a "$T_TMP/c/base" "$T_TMP/c/$n"
	listing "$T_TMP/c/$n" >"$T_TMP/run/$n.before"
	if [ "$n" = refused ]; then
		conf "$n" "http://127.0.0.1:$CLOSED"
	else
		conf "$n" "$PEER/$n"
	fi
done

# The slow cases (mostly waiting) start first and run throughout; the
# others follow in waves of 8, so that no more than 10 runs share the CPUs.
saved_pids=$T_PIDS
started=$(date +%s)
slow=
for n in $(echo "$CASES" | awk '$3 == "slow" { print $1 }'); do
	refresh "$n" -f &
	slow="$slow $!"
	T_PIDS="$! $T_PIDS"
done
wave=
inwave=0
for n in $(echo "$CASES" | awk '$3 == "fast" { print $1 }'); do
	refresh "$n" -f &
	wave="$wave $!"
	T_PIDS="$! $T_PIDS"
	inwave=$((inwave + 1))
	[ "$inwave" -lt 8 ] && continue
	for p in $wave; do
		wait "$p"
	done
	wave=
	inwave=0
done
for p in $wave $slow; do
	wait "$p"
done
T_PIDS=$saved_pids
diag "all $(echo "$NAMES" | wc -l) cases ran in $(($(date +%s) - started)) s"

# shellcheck disable=SC2086
# One python for every status.json and the peer's log: per case the
# status fields and errors; per case, action and role the number of
# requests and the span (ms) from the first one's arrival to the last's;
# per streamed body the bytes the refresher took before hanging up.
"$PYTHON" -c 'import collections, json, os, sys
top = sys.argv[1]
for n in sys.argv[3:]:
    with open(os.path.join(top, "run", n, "status"), "w") as out:
        try:
            s = json.load(open(os.path.join(top, "c", n, "status.json")))
            out.write("ok %s\nfailed %s\nrefreshed %s\n" % (s["ok"], s["failed"], s["refreshed"]))
            for e in s["errors"]:
                out.write("err %s %s\n" % (e["role"], e["error"]))
        except Exception as e:
            out.write("unreadable %s\n" % type(e).__name__)
times = collections.defaultdict(list)
sent = open(os.path.join(top, "sent"), "w")
for line in open(sys.argv[2]):
    r = json.loads(line)
    if "sent" in r:
        sent.write("%s %d %s\n" % (r["case"], r["sent"], r["complete"]))
        continue
    times[(r["case"], r["action"], r["role_arn"] or "-")].append(r["t"])
for (case, action, role), ts in sorted(times.items()):
    print(case, action, role, len(ts), int((ts[-1] - ts[0]) * 1000))' \
    "$T_TMP" "$T_TMP/peer.log" $NAMES >"$T_TMP/requests"

# requests CASE ACTION ROLE: how many the peer saw.
requests() {
	awk -v c="$1" -v a="$2" -v r="$3" \
	    '$1 == c && $2 == a && $3 == r { n = $4 } END { print n + 0 }' \
	    "$T_TMP/requests"
}

# spans CASE ACTION: the span of each role's retried requests (ms).
spans() {
	awk -v c="$1" -v a="$2" '$1 == c && $2 == a && $4 > 1 { print $5 }' \
	    "$T_TMP/requests"
}

# within DESC VALUE LO HI: ok when LO <= VALUE < HI.
within() {
	if [ "$2" -ge "$3" ] 2>/dev/null && [ "$2" -lt "$4" ]; then
		ok "$1 $2 ms within [$3, $4)"
	else
		not_ok "$1 '$2' ms within [$3, $4)"
	fi
}

table=$T_TMP/table
: >"$table"
echo "$CASES" | awk NF >"$T_TMP/cases"
while read -r n attempts speed pattern; do
	d=$T_TMP/run/$n
	rc=$(cat "$d/rc")
	ms=$(cat "$d/ms")
	rss=$(cat "$d/rss")
	# --- exit status: 1, and a normal end (not a sanitizer's exit 1)
	expect_eq "$rc" 1 "$n: exit status 1"
	check "$n: the run ends normally (2 entries, 2 failed)" \
	    grep -q '2 entries, 2 failed$' "$d/err" || sed 's/^/# /' "$d/err" | tail -5
	check "$n: no sanitizer report" \
	    test -z "$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$d/err")"
	# --- attempts, counted at the peer
	got=''
	for role in $ROLES; do
		case $n in
		refused)
			got="$got 0"
			;;
		id-*)
			got="$got $(requests "$n" AssumeRole "$role")+$(requests "$n" GetCallerIdentity -)"
			;;
		*)
			got="$got $(requests "$n" AssumeRole "$role")"
			;;
		esac
	done
	case $n in
	refused) want=' 0 0' ;;
	# GetCallerIdentity carries no role: both roles' requests are counted together.
	id-*) want=" 1+$((attempts * 2)) 1+$((attempts * 2))" ;;
	*) want=" $attempts $attempts" ;;
	esac
	expect_eq "$got" "$want" "$n: requests per role at the peer"
	[ "$n" = refused ] || expect_eq "$(awk -v c="$n" '$1 == c && $2 != "AssumeRole" && $2 != "GetCallerIdentity"' "$T_TMP/requests")" "" \
	    "$n: no other action reached the peer"
	if [ "$n" != refused ] && [ "${n#id-}" = "$n" ]; then
		expect_eq "$(requests "$n" GetCallerIdentity -)" 0 \
		    "$n: failed credentials are never used (no GetCallerIdentity)"
	fi
	# --- bounded time: the whole run, and at the peer the span of the
	# retries (attempts, their timeouts and the backoff between them).
	lo=0
	hi=$OVERHEAD
	[ "$attempts" -eq 1 ] || hi=$((hi + BACKOFF_SUM))
	if [ "$speed" = slow ]; then
		lo=$((attempts * TIMEOUT * 1000 - 100))
		hi=$((hi + attempts * TIMEOUT * 1000))
	fi
	within "$n: run time" "$ms" "$lo" "$hi"
	action=AssumeRole
	[ "${n#id-}" = "$n" ] || action=GetCallerIdentity
	span=''
	if [ "$attempts" -gt 1 ] && [ "$n" != refused ]; then
		lo=0
		hi=$((BACKOFF_SUM + SPAN_SLACK))
		if [ "$speed" = slow ]; then
			lo=$(((attempts - 1) * TIMEOUT * 1000 - LOG_SLACK))
			hi=$((hi + (attempts - 1) * TIMEOUT * 1000))
		fi
		for span in $(spans "$n" "$action"); do
			within "$n: first to last $action at the peer" "$span" "$lo" "$hi"
		done
		span=$(spans "$n" "$action" | tr '\n' ' ')
	fi
	# --- status.json
	s=$d/status
	expect_eq "$(sed -n 's/^ok //p; s/^failed //p; s/^refreshed //p' "$s" | tr '\n' ' ')" \
	    "False 2 0 " "$n: status.json ok false, 2 failed, 0 refreshed"
	errs=$(grep -c '^err ' "$s")/$(grep '^err ' "$s" | cut -d' ' -f3- |
	    grep -cE -- "$pattern")
	expect_eq "$errs" 2/2 "$n: status.json names both roles with the error /$pattern/"
	[ "$errs" = 2/2 ] || sed 's/^/# /' "$s"
	# --- the still-valid entries
	for e in $ENTRIES; do
		check "$n: $e byte-identical" cmp -s "$T_TMP/c/base/$e" "$T_TMP/c/$n/$e"
	done
	listing "$T_TMP/c/$n" >"$d/after"
	check "$n: no entry replaced, added or removed (inode, mtime, mode)" \
	    cmp -s "$T_TMP/run/$n.before" "$d/after"
	expect_eq "$(find "$T_TMP/c/$n" -name '.*.tmp.*' | wc -l)" 0 "$n: no temp file left"
	# --- memory, for the bodies meant to exhaust it
	case $n in
	huge*)
		# 2 streams; the refresher reads 64 KiB, the rest fills socket buffers.
		expect_eq "$(awk -v c="$n" '$1 == c && $2 < 16777216 && $3 == "False"' \
		    "$T_TMP/sent" | wc -l)" 2 \
		    "$n: the refresher hung up before 16 MiB of the 100 MiB ($(awk -v c="$n" '$1 == c { printf "%s ", $2 }' "$T_TMP/sent")bytes sent)"
		;;
	esac
	case $n in
	bomb* | huge*)
		if [ "$rss" -gt 0 ] 2>/dev/null && [ "$rss" -lt "$((GOOD_RSS + RSS_MAX_KB / 4))" ]; then
			ok "$n: peak RSS $rss KiB, under the good run's $GOOD_RSS KiB + 16 MiB"
		else
			not_ok "$n: peak RSS '$rss' KiB, under the good run's $GOOD_RSS KiB + 16 MiB"
		fi
		;;
	esac
	printf '%s|%s|%s|%s|%s|%s\n' "$n" "$got" "$span" "$ms" "$rc" "$rss" >>"$table"
done <"$T_TMP/cases"

# Without sanitizers the refresher itself must stay small whatever the peer
# sends; ASan's shadow memory makes the absolute number meaningless.
if ldd "$REFRESHER" | grep -q libasan; then
	diag "ASan build: the absolute RSS bound ($RSS_MAX_KB KiB) is not checked"
else
	for n in bomb bomb-utf16 huge huge-chunked; do
		rss=$(cat "$T_TMP/run/$n/rss")
		if [ "$rss" -lt "$RSS_MAX_KB" ] 2>/dev/null; then
			ok "$n: peak RSS $rss KiB < $RSS_MAX_KB KiB"
		else
			not_ok "$n: peak RSS '$rss' KiB < $RSS_MAX_KB KiB"
		fi
	done
fi

# --- the checks can fail: a good forced run does replace the entries --------------
conf throttling "$PEER/good"
refresh throttling -f
expect_eq "$(cat "$T_TMP/run/throttling/rc")" 0 "control: a good forced run exits 0"
for e in $ENTRIES; do
	if cmp -s "$T_TMP/c/base/$e" "$T_TMP/c/throttling/$e"; then
		not_ok "control: a good forced run rewrites $e"
	else
		ok "control: a good forced run rewrites $e"
	fi
done
listing "$T_TMP/c/throttling" >"$T_TMP/run/control.after"
if cmp -s "$T_TMP/run/throttling.before" "$T_TMP/run/control.after"; then
	not_ok "control: the listing check sees the new inodes"
else
	ok "control: the listing check sees the new inodes"
fi

# --- no secret in any output --------------------------------------------------------
# Every secret the peer issues starts with SECRETx or TOKENx.
cat "$T_TMP"/run/*/out "$T_TMP"/run/*/err >"$T_TMP/all.log"
check "the good run's entries hold peer-issued secrets (the search below can hit)" \
    grep -q '"SECRETx' "$T_TMP/c/base/prod/admin.json"
expect_no_secret "$T_TMP/all.log" "$BASE_SECRET" "no base secret key in any refresher output"
expect_no_secret "$T_TMP/all.log" SECRETx "no issued secret key in any refresher output"
expect_no_secret "$T_TMP/all.log" TOKENx "no issued session token in any refresher output"

diag "case | requests per role | first to last retry (ms) | run ms | exit | peak RSS KiB"
sed 's/^/# /' "$table"
t_done
