#!/bin/sh
# The CGI and refresher integration tests with both programs under
# valgrind's memcheck (make check-valgrind). A directory of wrapper scripts
# named afp.cgi and afp-refresher stands in for $BUILD: each execs valgrind
# on the real binary with a log per process. The tests must pass as they
# are, and every log must end with 0 errors and 0 bytes definitely lost
# (glibc's and PAM's "still reachable" memory is fine). AFP_VALGRIND=1
# tells a test that $CGI is a script (which cannot be made setgid).
#
#   BUILD=build tests/valgrind.sh [NAME...]   (NAME: tests/NAME.test.sh;
#                                             default: cgi e2e refresher imds)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BUILD=${BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$top/$BUILD ;;
esac
VALGRIND=$(command -v valgrind) || {
	echo "not ok - valgrind missing (apt-get install valgrind)"
	exit 1
}
for b in afp.cgi afp-refresher; do
	[ -x "$BUILD/$b" ] || {
		echo "not ok - $BUILD/$b missing: run make first"
		exit 1
	}
done
[ $# -gt 0 ] || set -- cgi e2e refresher imds

vg=$(mktemp -d "${TMPDIR:-/tmp}/afp-valgrind.XXXXXX") || exit 1
trap 'rm -rf "$vg"' EXIT
# The CGI may run as another user (lighttpd drops to its own when started
# as root with server.username): it must reach the wrapper and its log.
chmod 0755 "$vg"
mkdir -m 0755 "$vg/build"
mkdir -m 1777 "$vg/logs"

# lighttpd gives a CGI no PATH: absolute paths only. --vgdb=no: no FIFOs
# in /tmp (the sandboxed CGI could not remove them).
for b in afp.cgi afp-refresher; do
	cat >"$vg/build/$b" <<EOF
#!/bin/sh
exec $VALGRIND --vgdb=no --error-exitcode=99 --leak-check=full \\
    --show-leak-kinds=definite --errors-for-leak-kinds=definite \\
    --log-file=$vg/logs/$b.%p.log $BUILD/$b "\$@"
EOF
	chmod 0755 "$vg/build/$b"
done

# verdict LOG: "ok", "nosummary" (killed before valgrind could sum up), or
# "E errors, L bytes definitely lost".
verdict() {
	local _e _l
	_e=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$1" |
	    tr -d , | tail -n 1)
	_l=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$1" |
	    tr -d , | tail -n 1)
	if [ -z "$_e" ]; then
		echo nosummary
	elif [ "$_e" = 0 ] && [ "${_l:-0}" = 0 ]; then
		echo ok
	else
		echo "$_e errors, ${_l:-0} bytes definitely lost"
	fi
}

# The verdict must catch what it looks for: a program that leaks and one
# that reads uninitialized memory, run through the same wrapper.
printf '%s\n' '#include <stdlib.h>' \
    'int main(int c, char **v) { char *p = malloc(64); if (c > 1) return p[3] ? 3 : 4; p = NULL; return 0; }' \
    >"$vg/bad.c"
if ! cc -O0 -g -o "$vg/bad" "$vg/bad.c"; then
	echo "not ok - cannot build the valgrind self-check"
	exit 1
fi
sed "s#$BUILD/afp.cgi#$vg/bad#; s#afp.cgi\.%p#bad.%p#" "$vg/build/afp.cgi" >"$vg/bad.sh"
sh "$vg/bad.sh"
rc_leak=$?
sh "$vg/bad.sh" uninit
rc_uninit=$?
self=$(for l in "$vg"/logs/bad.*.log; do verdict "$l"; done | sort | tr '\n' '/')
rm -f "$vg"/logs/bad.*.log
case $self in
*ok/* | *nosummary*) self_ok=0 ;;
*'64 bytes definitely lost/'*'errors'*) self_ok=1 ;;
*) self_ok=0 ;;
esac
if [ "$self_ok" = 1 ] && [ "$rc_leak" = 99 ] && [ "$rc_uninit" = 99 ]; then
	echo "ok - valgrind self-check: a leak and an uninitialized read are caught (exit 99)"
else
	echo "not ok - valgrind self-check: got '$self', exit $rc_leak/$rc_uninit"
	exit 1
fi

out=$vg/out
passed=1
failed=0
procs=0
start=$(date +%s)
for name; do
	t=tests/$name.test.sh
	if [ ! -f "$t" ]; then
		echo "not ok - $t missing"
		failed=$((failed + 1))
		continue
	fi
	mkdir "$vg/logs/$name"
	echo "# $name under valgrind"
	t0=$(date +%s)
	BUILD=$vg/build AFP_VALGRIND=1 sh "$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok' "$out")
	f=$(grep -c '^not ok' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc without reporting a failure"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))

	# Every process of this test: its error count and definite leaks.
	n=0
	bad=0
	for log in "$vg"/logs/*.log; do
		[ -f "$log" ] || continue
		mv "$log" "$vg/logs/$name/"
		log=$vg/logs/$name/$(basename "$log")
		n=$((n + 1))
		v=$(verdict "$log")
		[ "$v" = ok ] && continue
		bad=$((bad + 1))
		echo "not ok - $name: $(basename "$log"): $v"
		sed 's/^/# /' "$log" | grep -v '^# ==[0-9]*== *$' | head -60
	done
	procs=$((procs + n))
	if [ "$n" -eq 0 ]; then
		echo "not ok - $name: no process ran under valgrind"
		failed=$((failed + 1))
	elif [ "$bad" -eq 0 ]; then
		echo "ok - $name: $n processes under valgrind, 0 errors, 0 bytes definitely lost ($(($(date +%s) - t0)) s)"
		passed=$((passed + 1))
	else
		failed=$((failed + bad))
	fi
done
echo "# valgrind: $procs processes in $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
