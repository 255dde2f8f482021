#!/bin/sh
# bench/run.sh: afp's benchmarks (`make bench`, issue 6). Every figure is
# set beside a baseline measured in the same run, on the same lighttpd, so
# the ratios mean something on a noisy machine. Writes bench/RESULTS.md
# and prints it. Never part of `make check`.
#
# Environment: BUILD (build dir with afp.cgi, afp-refresher and bench/),
# BENCH_SECONDS (per wrk measurement, default 5), BENCH_CONNECTIONS and
# BENCH_THREADS (wrk -c/-t, default 2/2), BENCH_REPEAT (refresher runs
# per size, the median counts, default 3), BENCH_ROUNDS (afp credential
# runs alternating with the baseline's, default 3), BENCH_OUT (default
# bench/RESULTS.md).
#
# How requests are authenticated: with auth = remote_user, lighttpd's
# mod_setenv sets REMOTE_USER=alice for every request. That is the
# cheapest way to reach the CGI's remote_user path, and it keeps the cost
# of the server's own password check (mod_auth) out of the comparison with
# the hello-world CGI, which runs under the same setting. With auth = pam,
# wrk sends HTTP Basic and afp.cgi checks it through PAM, played by
# pam_wrapper and pam_matrix (preloaded, as in the tests).

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/lib.sh
. "$BENCH_DIR/../tests/lib.sh"

SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNECTIONS:-2}
THREADS=${BENCH_THREADS:-2}
REPEAT=${BENCH_REPEAT:-3}
ROUNDS=${BENCH_ROUNDS:-3}
OUT=${BENCH_OUT:-$BENCH_DIR/RESULTS.md}
HELLO=$BUILD/bench/hello
STUB=$BUILD/bench/sts_stub
BASELINE=$BUILD/bench/curl_baseline
FLOOR=$BUILD/bench/write_floor
SPAWN=$BUILD/bench/spawn
SBXCOST=$BUILD/bench/sandbox_cost
FAULTCOST=$BUILD/bench/fault_cost
MD=$T_TMP/results.md
KV=$T_TMP/values
USER_PW=alice:bench-password
: >"$KV"

die() {
	echo "bench: $*" >&2
	exit 1
}

note() {
	echo "# $*" >&2
}

# Tools first, and loudly: a benchmark that skips a part reports nothing.
need_tools() {
	local _t _missing=''
	for _t in wrk lighttpd valgrind callgrind_annotate strip curl base64; do
		command -v "$_t" >/dev/null 2>&1 || _missing="$_missing $_t"
	done
	[ -x /usr/bin/time ] || _missing="$_missing /usr/bin/time"
	[ -z "$_missing" ] && return 0
	die "missing:$_missing. Install them with:
    apt-get install -y wrk lighttpd valgrind time binutils curl coreutils libpam-wrapper libnss-wrapper"
}

# put KEY VALUE / get KEY: the figures, for the tables and the targets.
put() {
	echo "$1 $2" >>"$KV"
}

get() {
	awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "n/a" : v) }' "$KV"
}

# calc EXPR: awk arithmetic with two decimals ("n/a" when an input is).
calc() {
	case $* in
	*n/a*) echo n/a ;;
	*) awk "BEGIN { printf \"%.2f\", $* }" ;;
	esac
}

# calc3 EXPR: the same with three decimals, for what a verdict is taken
# from (two would round 0.896 up to a pass).
calc3() {
	case $* in
	*n/a*) echo n/a ;;
	*) awk "BEGIN { printf \"%.3f\", $* }" ;;
	esac
}

# holds EXPR: 0 when the awk condition is true.
holds() {
	case $* in
	*n/a*) return 1 ;;
	esac
	awk "BEGIN { exit !($*) }"
}

md() {
	printf '%s\n' "$@" >>"$MD"
}

# median: of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a";
	    else if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# gen_accounts DIR ROLES ACCOUNTS: ROLES roles spread evenly over
# ACCOUNTS accounts, one file per account. Every role allows bob; alice
# is allowed every (ROLES/10)th role, so 10 roles in all, the last of
# them the last role of the last file (the one the credential requests
# ask for). All share one session (no {user}).
gen_accounts() {
	mkdir -p "$1"
	awk -v dir="$1" -v nr="$2" -v na="$3" 'BEGIN {
		per = nr / na; step = nr / 10
		for (a = 0; a < na; a++) {
			f = sprintf("%s/a%04d.conf", dir, a)
			printf "[account a%04d]\nid = %012d\n\n", a, 100000000000 + a > f
			for (k = 0; k < per; k++) {
				i = a * per + k
				u = (i % step == step - 1) ? "alice bob" : "bob"
				printf "[role a%04d/r%05d]\nsession_name = afp-bench\nallow_users = %s\n\n", a, i, u > f
			}
			close(f)
		}
	}'
}

# target_role ROLES ACCOUNTS: the role alice asks for.
target_role() {
	printf 'a%04d/r%05d' $(($2 - 1)) $(($1 - 1))
}

# bench_conf NAME AUTH ROLES ACCOUNTS: $T_TMP/NAME/afp.conf over its own
# accounts.d and cache, with the stub as STS. Sets BC (its path).
bench_conf() {
	local _d=$T_TMP/$1
	mkdir -p "$_d"
	mkdir -m 0750 "$_d/cache"
	gen_accounts "$_d/accounts.d" "$3" "$4"
	install -m 0600 /dev/null "$_d/secrets.conf"
	printf '%s\n' '[source]' 'access_key_id = AKIABENCHBENCHBENCH1' \
	    'secret_access_key = benchbenchbenchbenchbenchbenchbenchbench' \
	    >"$_d/secrets.conf"
	{
		echo '[afp]'
		echo "cache_dir    = $_d/cache"
		echo "accounts_dir = $_d/accounts.d"
		echo "secrets_file = $_d/secrets.conf"
		echo "auth         = $2"
		echo 'pam_service  = afp'
		echo "web_user     = $(id -u)"
		echo 'region       = us-east-1'
		echo 'concurrency  = 8'
		echo 'log          = stderr'
		echo "sts_endpoint = $STS_URL"
	} >"$_d/afp.conf"
	BC=$_d/afp.conf
}

# refresh_one CONF ROLE: the one cache entry the CGI benchmarks read, and
# status.json for /status.
refresh_one() {
	# shellcheck disable=SC2086
	env $NSS_ENV "$REFRESHER" -c "$1" -r "$2" -f \
	    >>"$T_TMP/refresh.log" 2>&1 ||
	    die "afp-refresher -r $2 failed: $(tail -5 "$T_TMP/refresh.log")"
}

# start_stub: the STS stand-in; sets STS_URL and STUB_PID.
start_stub() {
	"$STUB" "$T_TMP/stub.port" >"$T_TMP/stub.out" 2>&1 &
	STUB_PID=$!
	T_PIDS="$STUB_PID $T_PIDS"
	wait_until "$STUB_PID" 50 -s "$T_TMP/stub.port" || die "sts_stub did not start"
	STS_URL=http://127.0.0.1:$(cat "$T_TMP/stub.port")
}

# bench_server NAME CONF [NAME=VALUE...]: lighttpd on 127.0.0.1 serving
# afp.cgi through the shipped conf/lighttpd-afp.conf, the hello-world CGI
# and $T_TMP/static.json, with AFP_CONFIG=CONF and the NAME=VALUEs in
# every CGI's environment. Sets AFP, HELLO_URL, STATIC_URL, SRV_PID and
# SRV_LOG (the CGIs' stderr).
bench_server() {
	local _d=$T_TMP/srv-$1 _conf=$2 _env _kv _try=0 _port
	shift 2
	mkdir -p "$_d/afp" "$_d/hello" "$_d/www"
	cp "$CGI" "$_d/afp/afp.cgi"
	cp "$HELLO" "$_d/hello/hello.cgi"
	[ ! -f "$T_TMP/static.json" ] || cp "$T_TMP/static.json" "$_d/www/"
	echo ready >"$_d/www/ready.txt"
	sed "s#\"/usr/lib/cgi-bin/afp/\"#\"$_d/afp/\"#" \
	    "$TOP/conf/lighttpd-afp.conf" >"$_d/afp.conf"
	grep -qF "\"$_d/afp/\"" "$_d/afp.conf" ||
	    die "conf/lighttpd-afp.conf no longer aliases /usr/lib/cgi-bin/afp/"
	_env="\"AFP_CONFIG\" => \"$_conf\""
	for _kv in "$@"; do
		_env="$_env, \"${_kv%%=*}\" => \"${_kv#*=}\""
	done
	SRV_LOG=$_d/cgi.log
	while [ "$_try" -lt 3 ]; do
		_try=$((_try + 1))
		_port=$(free_port) || break
		{
			echo 'server.modules = ("mod_setenv")'
			echo 'server.bind = "127.0.0.1"'
			echo "server.port = $_port"
			echo "server.document-root = \"$_d/www\""
			echo "server.errorlog = \"$_d/error.log\""
			echo "server.breakagelog = \"$SRV_LOG\""
			echo "include \"$_d/afp.conf\""
			# shellcheck disable=SC2016
			echo '$HTTP["url"] =~ "^/cgi-bin/hello/" {'
			echo "	alias.url += (\"/cgi-bin/hello/\" => \"$_d/hello/\")"
			echo '	cgi.assign = ("/hello.cgi" => "")'
			echo '}'
			echo "setenv.add-environment = ($_env)"
		} >"$_d/lighttpd.conf"
		lighttpd -tt -f "$_d/lighttpd.conf" >"$_d/check.log" 2>&1 ||
		    die "lighttpd rejects $_d/lighttpd.conf: $(cat "$_d/check.log")"
		lighttpd -D -f "$_d/lighttpd.conf" >>"$_d/stdout.log" 2>&1 &
		SRV_PID=$!
		T_PIDS="$SRV_PID $T_PIDS"
		AFP=http://127.0.0.1:$_port/cgi-bin/afp/afp.cgi
		HELLO_URL=http://127.0.0.1:$_port/cgi-bin/hello/hello.cgi
		STATIC_URL=http://127.0.0.1:$_port/static.json
		wait_http "http://127.0.0.1:$_port/ready.txt" "$SRV_PID" 50 &&
		    return 0
		stop_pid "$SRV_PID"
	done
	die "lighttpd did not start: $(tail -5 "$_d/error.log" "$_d/stdout.log")"
}

stop_server() {
	stop_pid "$SRV_PID"
}

# expect_200 URL [HEADER]: the benchmark measures answers, not errors.
expect_200() {
	local _code
	if [ $# -gt 1 ]; then
		_code=$(curl -s -o "$T_TMP/body" -w '%{http_code}' -H "$2" "$1")
	else
		_code=$(curl -s -o "$T_TMP/body" -w '%{http_code}' "$1")
	fi
	[ "$_code" = 200 ] ||
	    die "$1 answers $_code: $(head -c 300 "$T_TMP/body"); CGI log: $(tail -3 "$SRV_LOG")"
}

# lat_ms PERCENT FILE: a latency percentile of wrk --latency, in ms.
lat_ms() {
	awk -v p="$1" '$1 == p {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
		if (f < 0) { print "n/a"; exit }
		printf "%.2f\n", v * f; exit
	}' "$2"
}

# measure KEY URL [HEADER]: wrk for SECS seconds; puts KEY.rps, KEY.p50,
# KEY.p99. Any error or non-2xx answer voids the run.
measure() {
	local _k=$1 _url=$2 _o=$T_TMP/wrk.out _bad
	if [ $# -gt 2 ]; then expect_200 "$_url" "$3"; else expect_200 "$_url"; fi
	note "wrk $_k ($SECS s)"
	if [ $# -gt 2 ]; then
		wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency -H "$3" "$_url" >"$_o" 2>&1
	else
		wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "$_url" >"$_o" 2>&1
	fi || die "wrk failed: $(cat "$_o")"
	_bad=$(awk '/Non-2xx|Socket errors/ { print }' "$_o")
	[ -z "$_bad" ] || die "wrk $_k: $_bad"
	put "$_k.rps" "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$_o")"
	put "$_k.p50" "$(lat_ms 50% "$_o")"
	put "$_k.p99" "$(lat_ms 99% "$_o")"
}

# mean_of KEY N: KEY.rps, .p50 and .p99 as the means of KEY1 ... KEYN, and
# KEY.runs listing each run's req/s.
mean_of() {
	local _f _i _sum _runs
	for _f in rps p50 p99; do
		_i=1 _sum=0 _runs=
		while [ "$_i" -le "$2" ]; do
			_sum="$_sum + $(get "$1$_i.$_f")"
			_runs="$_runs${_runs:+,_}$(get "$1$_i.$_f")"
			_i=$((_i + 1))
		done
		put "$1.$_f" "$(calc "($_sum) / $2")"
		[ "$_f" != rps ] || put "$1.runs" "$_runs"
	done
}

# row LABEL KEY BASEKEY: a table row with throughput relative to BASEKEY.
row() {
	md "| $1 | $(get "$2.rps") | $(get "$2.p50") | $(get "$2.p99") | $(calc "$(get "$2.rps") / $(get "$3.rps")") |"
}

# cgi_env CONF PATH_INFO: a CGI environment as NAME=VALUE words (no value
# has a space), as lighttpd would pass it with REMOTE_USER=alice.
cgi_env() {
	echo "AFP_CONFIG=$1 GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET" \
	    "SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=127.0.0.1 SERVER_PORT=80" \
	    "SCRIPT_NAME=/cgi-bin/afp/afp.cgi PATH_INFO=$2 QUERY_STRING=" \
	    "REMOTE_ADDR=127.0.0.1 REQUEST_URI=/cgi-bin/afp/afp.cgi$2" \
	    "REMOTE_USER=alice"
}

# instr KEY PROGRAM CONF PATH_INFO [NAME=VALUE...]: instructions of one
# request (callgrind, whole process: loader, libc and all). Puts KEY.ir
# and KEY.status (the answer's status); keeps the profile as $T_TMP/KEY.cg.
# INSTR_AUTH, when set, is the Authorization header (it has a space).
# Under valgrind the CGI does everything but the seal (lib/sandbox.h),
# which is one system call.
instr() {
	local _k=$1 _p=$2 _c=$3 _pi=$4 _st
	shift 4
	# shellcheck disable=SC2046
	env -i $(cgi_env "$_c" "$_pi") "$@" \
	    ${INSTR_AUTH:+"HTTP_AUTHORIZATION=$INSTR_AUTH"} \
	    /usr/bin/valgrind --tool=callgrind \
	    --callgrind-out-file="$T_TMP/$_k.cg" "$_p" \
	    >"$T_TMP/$_k.out" 2>"$T_TMP/$_k.vg" </dev/null
	put "$_k.ir" "$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$T_TMP/$_k.vg")"
	_st=$(tr -d '\r' <"$T_TMP/$_k.out" | sed -n 's/^Status: *\([0-9]*\).*/\1/p')
	put "$_k.status" "${_st:-200}"
}

# profile KEY: the top 15 functions of $T_TMP/KEY.cg, inclusive.
profile() {
	callgrind_annotate --inclusive=yes "$T_TMP/$1.cg" 2>/dev/null |
	    awk '/file:function/ { on = 1; next }
		on && /^-+$/ { next }
		on && /\?\?\?:|\(below main\)/ { next }
		on && NF { print; if (++n == 15) exit }' |
	    sed 's/ \[[^]]*\]$//; s#[^ ]*/\([^/ ]*:\)#\1#'
}

# rss KEY CMD...: max RSS (KiB) of CMD by GNU time -v.
rss() {
	local _k=$1
	shift
	/usr/bin/time -v -o "$T_TMP/$_k.time" "$@" >/dev/null 2>>"$T_TMP/rss.err" </dev/null
	put "$_k.rss" "$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$T_TMP/$_k.time")"
}

# ldstat KEY PROGRAM CONF PATH_INFO: LD_DEBUG=statistics, the least of 21
# runs (preemption only ever adds cycles): startup cycles in the loader,
# relocations; and the libraries.
ldstat() {
	local _k=$1 _p=$2 _i=0
	: >"$T_TMP/$_k.cycles"
	while [ "$_i" -lt 21 ]; do
		# shellcheck disable=SC2046
		env -i $(cgi_env "$3" "$4") LD_DEBUG=statistics "$_p" \
		    2>"$T_TMP/$_k.ld" >/dev/null </dev/null
		sed -n 's/.*total startup time in dynamic loader: *\([0-9]*\) cycles.*/\1/p' \
		    "$T_TMP/$_k.ld" >>"$T_TMP/$_k.cycles"
		_i=$((_i + 1))
	done
	put "$_k.cycles" "$(sort -n "$T_TMP/$_k.cycles" | head -1)"
	# At start-up: a sealed CGI exits without the loader's last words.
	put "$_k.relocs" "$(sed -n 's/^[^a-z]*number of relocations: *//p' "$T_TMP/$_k.ld" | head -1)"
	put "$_k.libs" "$(ldd "$_p" | grep -c '=>\|ld-linux')"
}

# spawn_ms KEY PROGRAM CONF PATH_INFO: one run of PROGRAM outside any web
# server, mean of 300 (bench/spawn), median of 3. Puts KEY.spawn.
spawn_ms() {
	local _k=$1 _p=$2 _i=0
	: >"$T_TMP/$_k.spawn"
	while [ "$_i" -lt 3 ]; do
		# shellcheck disable=SC2046
		"$SPAWN" 300 "$_p" $(cgi_env "$3" "$4") >"$T_TMP/$_k.sp" ||
		    die "spawn $_p failed"
		sed -n 's/^ms //p' "$T_TMP/$_k.sp" >>"$T_TMP/$_k.spawn"
		_i=$((_i + 1))
	done
	put "$_k.spawn" "$(median <"$T_TMP/$_k.spawn")"
}

# faults KEY PROGRAM CONF PATH_INFO: minor page faults of one run, exec
# included (GNU time), median of 21. Puts KEY.faults.
faults() {
	local _k=$1 _p=$2 _i=0
	: >"$T_TMP/$_k.pf"
	while [ "$_i" -lt 21 ]; do
		# shellcheck disable=SC2046
		env -i $(cgi_env "$3" "$4") /usr/bin/time -f '%R' \
		    -o "$T_TMP/$_k.pf1" "$_p" >/dev/null 2>&1 </dev/null
		tail -1 "$T_TMP/$_k.pf1" >>"$T_TMP/$_k.pf"
		_i=$((_i + 1))
	done
	put "$_k.faults" "$(median <"$T_TMP/$_k.pf")"
}

# now_ms: wall clock in milliseconds.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# ---------------------------------------------------------------------

need_tools
need_built "$CGI" "$REFRESHER" "$HELLO" "$STUB" "$BASELINE" "$FLOOR" "$SPAWN" \
    "$SBXCOST" "$FAULTCOST"
need_wrappers
afp_users "$USER_PW" bob
BASIC="Authorization: Basic $(printf '%s' "$USER_PW" | base64 -w0)"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
start_stub

note "configurations: 10, 1,000 and 10,000 roles"
bench_conf ru10 remote_user 10 10
RU10=$BC
bench_conf ru1k remote_user 1000 100
RU1K=$BC
bench_conf ru10k remote_user 10000 1000
RU10K=$BC
refresh_one "$RU10" "$(target_role 10 10)"
refresh_one "$RU1K" "$(target_role 1000 100)"
refresh_one "$RU10K" "$(target_role 10000 1000)"
# The PAM configuration reads the same accounts and cache.
sed 's/^auth *=.*/auth         = pam/' "$RU10" >"$T_TMP/ru10/pam.conf"
PAM10=$T_TMP/ru10/pam.conf
CREDS10=/account/$(target_role 10 10)/credentials
CREDS1K=/account/$(target_role 1000 100)/credentials
CREDS10K=/account/$(target_role 10000 1000)/credentials

# 1. remote_user under lighttpd.
bench_server ru "$RU10" REMOTE_USER=alice
expect_200 "$AFP$CREDS10"
size=$(wc -c <"$T_TMP/body")
head -c "$size" /dev/zero | tr '\0' x >"$T_TMP/static.json"
cp "$T_TMP/static.json" "$T_TMP/srv-ru/www/"
put static.size "$size"
measure static "$STATIC_URL"
# The machine's load drifts: runs of the baseline and of afp's credentials
# alternate, starting and ending with the baseline, and the ratio uses the
# means (ROUNDS afp runs between ROUNDS + 1 baseline runs).
i=1
measure hello1 "$HELLO_URL"
while [ "$i" -le "$ROUNDS" ]; do
	measure "creds$i" "$AFP$CREDS10"
	i=$((i + 1))
	measure "hello$i" "$HELLO_URL"
done
mean_of hello $((ROUNDS + 1))
mean_of creds "$ROUNDS"
measure account "$AFP/account"
measure status "$AFP/status"
stop_server
# web_user by name instead of uid: one NSS user lookup per request.
sed "s/^web_user *=.*/web_user     = $(id -un)/" "$RU10" >"$T_TMP/ru10/byname.conf"
BYNAME=$T_TMP/ru10/byname.conf

# 2. PAM through pam_wrapper; the hello-world CGI gets the same preload.
# shellcheck disable=SC2086
bench_server pam "$PAM10" $WRAP_ENV
measure pam_hello "$HELLO_URL"
measure pam_creds "$AFP$CREDS10" "$BASIC"
measure pam_account "$AFP/account" "$BASIC"
stop_server

# 3. Configuration size.
for n in 10 1k 10k; do
	case $n in
	10) c=$RU10 p=$CREDS10 ;;
	1k) c=$RU1K p=$CREDS1K ;;
	10k) c=$RU10K p=$CREDS10K ;;
	esac
	bench_server "s$n" "$c" REMOTE_USER=alice
	measure "s$n.creds" "$AFP$p"
	measure "s$n.account" "$AFP/account"
	stop_server
	instr "s$n.creds" "$CGI" "$c" "$p"
	instr "s$n.account" "$CGI" "$c" /account
done

# 4. The refresher against the stub, and plain libcurl.
for n in 10 100 1000; do
	bench_conf "r$n" remote_user "$n" $((n < 100 ? n : n / 10))
	i=0
	: >"$T_TMP/r$n.ref" && : >"$T_TMP/r$n.base" && : >"$T_TMP/r$n.cpu"
	: >"$T_TMP/r$n.floor"
	while [ "$i" -lt "$REPEAT" ]; do
		note "refresher, $n roles, run $((i + 1))"
		: >"$T_TMP/r$n.err"
		# The refresher's flush (syncfs) must not pay for what the
		# benchmarks before it left unwritten.
		sync
		t0=$(now_ms)
		# shellcheck disable=SC2086
		/usr/bin/time -f '%U %S' -o "$T_TMP/r$n.time" \
		    env $NSS_ENV "$REFRESHER" -c "$BC" -f -v >/dev/null \
		    2>"$T_TMP/r$n.err" || die "refresher ($n roles) failed: $(tail -5 "$T_TMP/r$n.err")"
		t1=$(now_ms)
		echo $((t1 - t0)) >>"$T_TMP/r$n.ref"
		awk '{ printf "%.0f\n", ($1 + $2) * 1000 }' "$T_TMP/r$n.time" \
		    >>"$T_TMP/r$n.cpu"
		put "r$n.ref.conns" "$(sed -n 's/.* \([0-9]*\) connections for.*/\1/p' "$T_TMP/r$n.err")"
		t0=$(now_ms)
		AWS_ACCESS_KEY_ID=AKIABENCHBENCHBENCH1 \
		    AWS_SECRET_ACCESS_KEY=benchbenchbenchbenchbenchbenchbenchbench \
		    "$BASELINE" "$STS_URL" "$n" 8 >"$T_TMP/r$n.bout" 2>&1 ||
		    die "curl_baseline ($n) failed: $(cat "$T_TMP/r$n.bout")"
		t1=$(now_ms)
		echo $((t1 - t0)) >>"$T_TMP/r$n.base"
		put "r$n.base.conns" "$(sed -n 's/.*connections \([0-9]*\).*/\1/p' "$T_TMP/r$n.bout")"
		# The same number of entries of the same size, written the
		# refresher's way and nothing else, on the same file system.
		rm -rf "$T_TMP/floor" && mkdir -m 0750 "$T_TMP/floor" && sync
		"$FLOOR" "$T_TMP/floor" "$n" \
		    "$(stat -c %s "$(dirname "$BC")/cache/a0000/r00000.json")" \
		    $((n < 100 ? 1 : 10)) >"$T_TMP/r$n.fout" 2>&1 ||
		    die "write_floor ($n) failed: $(cat "$T_TMP/r$n.fout")"
		sed -n 's/^ms //p' "$T_TMP/r$n.fout" >>"$T_TMP/r$n.floor"
		i=$((i + 1))
	done
	put "r$n.floor.ms" "$(median <"$T_TMP/r$n.floor")"
	put "r$n.ref.ms" "$(median <"$T_TMP/r$n.ref")"
	put "r$n.ref.cpu" "$(median <"$T_TMP/r$n.cpu")"
	put "r$n.base.ms" "$(median <"$T_TMP/r$n.base")"
	put "r$n.requests" $((2 * n))
	[ "$n" != 1000 ] || R1000=$BC
done

# 5. Resources.
note "resources"
# shellcheck disable=SC2046
rss cgi env -i $(cgi_env "$RU10" "$CREDS10") "$CGI"
# shellcheck disable=SC2046
rss cgi10k env -i $(cgi_env "$RU10K" "$CREDS10K") "$CGI"
rss hello "$HELLO"
# shellcheck disable=SC2086
rss refresh env $NSS_ENV "$REFRESHER" -c "$R1000" -f
for b in "$CGI" "$REFRESHER" "$HELLO"; do
	k=$(basename "$b")
	strip -o "$T_TMP/$k.stripped" "$b"
	put "$k.size" "$(wc -c <"$b")"
	put "$k.stripped" "$(wc -c <"$T_TMP/$k.stripped")"
done
instr hello "$HELLO" "$RU10" /
instr status "$CGI" "$RU10" /status
# shellcheck disable=SC2086
INSTR_AUTH=${BASIC#Authorization: } instr pam.creds "$CGI" "$PAM10" \
    "$CREDS10" $WRAP_ENV
ldstat hello "$HELLO" "$RU10" /
ldstat cgi "$CGI" "$RU10" "$CREDS10"
spawn_ms hello "$HELLO" "$RU10" /
spawn_ms cgi "$CGI" "$RU10" "$CREDS10"
spawn_ms byname "$CGI" "$BYNAME" "$CREDS10"
"$SBXCOST" 500 >"$T_TMP/sbx" || die "sandbox_cost failed"
put sandbox.ms "$(sed -n 's/^ms //p' "$T_TMP/sbx")"
put sandbox.attach "$(sed -n 's/^attach_ms //p' "$T_TMP/sbx")"
faults hello "$HELLO" "$RU10" /
faults cgi "$CGI" "$RU10" "$CREDS10"
faults byname "$CGI" "$BYNAME" "$CREDS10"
libc=$(ldd "$HELLO" | awk '$1 ~ /^libc\.so/ { print $3 }')
"$FAULTCOST" "$libc" >"$T_TMP/fc" || die "fault_cost $libc failed"
put fault.file "$(sed -n 's/^file_us //p' "$T_TMP/fc")"
put fault.anon "$(sed -n 's/^anon_us //p' "$T_TMP/fc")"

stop_pid "$STUB_PID"
put stub.summary "$(tr ' ' _ <"$T_TMP/stub.out")"
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------
# RESULTS.md

: >"$MD"
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)
rev=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$TOP" status --porcelain -- lib cgi refresher 2>/dev/null)" ] ||
    rev="$rev (with uncommitted changes)"
md "# afp benchmark results" "" \
    "Written by \`make bench\` (bench/run.sh); numbers from one run." "" \
    "- date: $(date -u '+%Y-%m-%d %H:%M UTC')" \
    "- machine: ${cpu:-unknown CPU}, $(nproc) cores, Linux $(uname -r)" \
    "- load average (1, 5, 15 min): $LOAD_START at the start, $LOAD_END at the end" \
    "- source: $rev; $(${CC:-cc} --version 2>/dev/null | head -1)" \
    "- $(lighttpd -v 2>&1 | head -1); wrk $SECS s per figure, $CONNS connections, $THREADS threads, keep-alive, 127.0.0.1" \
    "- the credentials request is \`/account/$(target_role 10 10)/credentials\` (alice's role)"
md "" "## 1. CGI under lighttpd, auth = remote_user" "" \
    "lighttpd's mod_setenv sets \`REMOTE_USER=alice\` for every request (for" \
    "both CGIs), so no password check is measured here. The static file has" \
    "the size of afp's credentials answer ($(get static.size) bytes). Runs of" \
    "the hello-world CGI and of afp's credentials alternate ($((ROUNDS + 1)) and" \
    "$ROUNDS runs, the baseline first and last); their rows are the means." "" \
    "| request | req/s | p50 ms | p99 ms | req/s ÷ hello-world |" \
    "|---|---:|---:|---:|---:|"
row "static file, same size" static hello
row "hello-world C CGI (mean)" hello hello
row "afp \`.../credentials\` (mean)" creds hello
row "afp \`/account\`" account hello
row "afp \`/status\`" status hello
md "" "Each run, req/s: hello-world $(get hello.runs | tr _ ' '); afp credentials" \
    "$(get creds.runs | tr _ ' ')."
md "" "afp.conf names \`web_user\` by uid, as install.sh writes it; by name," \
    "each request makes an NSS user lookup (section 5 has its cost)."

md "" "## 2. auth = pam (pam_wrapper + pam_matrix)" "" \
    "wrk sends HTTP Basic; afp.cgi checks it with PAM. pam_wrapper and" \
    "nss_wrapper are preloaded into every CGI of this server, the hello-world" \
    "one too, so the last column isolates afp's own work, PAM included." "" \
    "| request | req/s | p50 ms | p99 ms | req/s ÷ hello-world (preloaded) |" \
    "|---|---:|---:|---:|---:|"
row "hello-world C CGI, wrappers preloaded" pam_hello pam_hello
row "afp \`.../credentials\`, PAM" pam_creds pam_hello
row "afp \`/account\`, PAM" pam_account pam_hello
md "" "PAM against remote_user, afp credentials: $(calc "$(get pam_creds.rps) / $(get creds.rps)") × the throughput;" \
    "the preload alone costs the hello-world CGI $(calc "$(get pam_hello.rps) / $(get hello.rps)") × its throughput."

md "" "## 3. Configuration size" "" \
    "alice is allowed 10 roles in each configuration; the credential request" \
    "asks for the last role of the last accounts.d file. Instructions are" \
    "callgrind counts of one request (whole process, loader included)," \
    "which the machine's load does not disturb." "" \
    "| roles | accounts | credentials req/s | p50 ms | instructions | \`/account\` req/s | p50 ms | instructions |" \
    "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in 10 1k 10k; do
	case $n in
	10) r=10 a=10 ;;
	1k) r=1,000 a=100 ;;
	10k) r=10,000 a=1,000 ;;
	esac
	md "| $r | $a | $(get "s$n.creds.rps") | $(get "s$n.creds.p50") | $(get "s$n.creds.ir") | $(get "s$n.account.rps") | $(get "s$n.account.p50") | $(get "s$n.account.ir") |"
done
creds_t=$(calc3 "$(get s10.creds.rps) / $(get s10k.creds.rps)")
acct_t=$(calc3 "$(get s10.account.rps) / $(get s10k.account.rps)")
creds_i=$(calc "$(get s10k.creds.ir) / $(get s10.creds.ir)")
acct_i=$(calc "$(get s10k.account.ir) / $(get s10.account.ir)")
md "" "10,000 roles ÷ 10 roles, time per request (inverse throughput): credentials" \
    "$creds_t ×, \`/account\` $acct_t ×. Instructions: credentials $creds_i ×," \
    "\`/account\` $acct_i ×."

md "" "## 4. Refresher against a local STS stand-in" "" \
    "\`bench/sts_stub\` answers AssumeRole and GetCallerIdentity from memory" \
    "(one epoll loop, keep-alive, no signature check). A refresh of N roles" \
    "makes 2N requests. The baseline (\`bench/curl_baseline\`) makes the same" \
    "2N POSTs, signed with afp's own SigV4 code, over one libcurl multi handle" \
    "with the same 8 connections, and drops the answers unparsed. Wall time of" \
    "the whole process (start-up included), median of $REPEAT runs; \`--force\`," \
    "so every role is fetched and every cache file written durably." \
    "\`bench/write_floor\` writes the same number of files of an entry's size" \
    "with afp's own cache code (temp files, syncfs, renames, syncfs) and" \
    "does nothing else: the disk's share of a refresh. \`sync\` runs before" \
    "each, so neither flushes what earlier benchmarks left unwritten." "" \
    "| roles | requests | refresher ms | refresher CPU ms | baseline ms | refresher ÷ baseline | write floor ms | refresher ÷ (baseline + floor) | refresher connections | baseline connections |" \
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in 10 100 1000; do
	md "| $n | $(get "r$n.requests") | $(get "r$n.ref.ms") | $(get "r$n.ref.cpu") | $(get "r$n.base.ms") | $(calc "$(get "r$n.ref.ms") / $(get "r$n.base.ms")") | $(get "r$n.floor.ms") | $(calc "$(get "r$n.ref.ms") / ($(get "r$n.base.ms") + $(get "r$n.floor.ms"))") | $(get "r$n.ref.conns") | $(get "r$n.base.conns") |"
done
md "" "Refresher CPU ms is user + system time (GNU time); wall time well above" \
    "it is time spent waiting, on the network or on the disk (fsync)." \
    "" "The stub's own count for the whole run: $(get stub.summary | tr _ ' ')."

md "" "## 5. Resources" "" \
    "| measure | afp | baseline |" "|---|---:|---:|"
md "| max RSS, one credentials request (KiB) | $(get cgi.rss) (10,000 roles: $(get cgi10k.rss)) | $(get hello.rss) (hello-world) |"
md "| max RSS, refresh of 1,000 roles (KiB) | $(get refresh.rss) | |"
md "| afp.cgi size, stripped (bytes) | $(get afp.cgi.stripped) (unstripped $(get afp.cgi.size)) | $(get hello.stripped) (hello-world) |"
md "| afp-refresher size, stripped (bytes) | $(get afp-refresher.stripped) (unstripped $(get afp-refresher.size)) | |"
md "| instructions, credentials request, remote_user | $(get s10.creds.ir) | $(get hello.ir) (hello-world) |"
md "| instructions, credentials request, PAM | $(get pam.creds.ir) | |"
md "| instructions, \`/status\` | $(get status.ir) | |"
md "| one credentials request outside a server (posix_spawn to exit, ms) | $(get cgi.spawn) | $(get hello.spawn) (hello-world) |"
md "| of which the sandbox (ms per process; bench/sandbox_cost) | $(get sandbox.attach) to enter, $(get sandbox.ms) spawn to reaping | |"
md "| the same request, \`web_user\` by name (ms) | $(get byname.spawn) | |"
md "| minor page faults, one credentials request (exec included, median of 21) | $(get cgi.faults) (\`web_user\` by name: $(get byname.faults)) | $(get hello.faults) (hello-world) |"
md "| one page fault on this machine (µs; bench/fault_cost) | $(get fault.file) file-backed, $(get fault.anon) anonymous | |"
md "| dynamic loader start-up, cycles (least of 21) | $(get cgi.cycles) | $(get hello.cycles) |"
md "| relocations | $(get cgi.relocs) | $(get hello.relocs) |"
md "| shared objects loaded (ldd) | $(get cgi.libs) | $(get hello.libs) |"
md "" "Answer status under callgrind (200 expected): credentials $(get s10.creds.status)," \
    "10,000 roles $(get s10k.creds.status), PAM $(get pam.creds.status), /status $(get status.status)."
md "" "Where a credentials request spends its instructions at 10,000 roles" \
    "(callgrind, inclusive, top functions):" "" '```'
profile s10k.creds >>"$MD"
md '```'

# Targets.
t_tput=$(calc3 "$(get creds.rps) / $(get hello.rps)")
t_ref=$(calc3 "$(get r1000.ref.ms) / $(get r1000.base.ms)")
verdict() {
	if holds "$1"; then echo PASS; else echo MISS; fi
}
md "" "## Targets" "" "| target | figure | verdict |" "|---|---|---|"
md "| credentials throughput ≥ 90 % of hello-world | $(awk "BEGIN { printf \"%.1f\", $t_tput * 100 }") % | $(verdict "$t_tput >= 0.9") |"
md "| credentials at 10,000 roles ≤ 1.2 × 10 roles | $creds_t × (instructions $creds_i ×) | $(verdict "$creds_t <= 1.2") |"
md "| \`/account\` at 10,000 roles ≤ 1.2 × 10 roles | $acct_t × (instructions $acct_i ×) | $(verdict "$acct_t <= 1.2") |"
md "| refresher ≤ 2 × baseline at 1,000 roles | $t_ref × | $(verdict "$t_ref <= 2") |"
md "| refresher connections ≪ requests (≤ 1 %) at 1,000 roles | $(get r1000.ref.conns) for $(get r1000.requests) | $(verdict "$(get r1000.ref.conns) * 100 <= $(get r1000.requests)") |"
md "| CGI max RSS < 4 MiB | $(get cgi.rss) KiB | $(verdict "$(get cgi.rss) < 4096") |"
md "| stripped afp.cgi < 200 KiB | $(calc "$(get afp.cgi.stripped) / 1024") KiB | $(verdict "$(get afp.cgi.stripped) < 204800") |"

cp "$MD" "$OUT"
cat "$MD"
note "written to $OUT"
