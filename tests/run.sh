#!/bin/sh
# Runs every test and ends with "N passed, N failed". Unit tests are C
# binaries under $BUILD/tests; integration tests are tests/*.test.sh.
# Both print one "ok - ..." or "not ok - ..." line per check.
set -u
BUILD=${BUILD:-build}
export BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$(mktemp) || exit 1
tally=$(mktemp) || exit 1
AFP_SWEEP=$(mktemp -d) || exit 1
export AFP_SWEEP
trap 'rm -rf "$out" "$tally" "$tally.passed" "$tally.failed" "$AFP_SWEEP"' EXIT
crashed=0

run_one() {
	name=$1
	shift
	echo "# $name"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	cat "$out" >>"$AFP_SWEEP/output"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
		echo "not ok - $name exited with status $rc without reporting a failure"
		crashed=$((crashed + 1))
	fi
	grep -c '^ok' "$out" >>"$tally.passed"
	grep -c '^not ok' "$out" >>"$tally.failed"
}

: >"$tally.passed"
: >"$tally.failed"
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for t in tests/*.test.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t")" sh "$t"
done
# Last: every secret any test used, in everything the suite printed.
run_one sweep sh -c '"$1" tests/sweep.py selftest && "$1" tests/sweep.py search "$2"' \
    sweep "${PYTHON:-python3}" "$AFP_SWEEP"
passed=$(awk '{s += $1} END {print s + 0}' "$tally.passed")
failed=$(awk '{s += $1} END {print s + 0}' "$tally.failed")
failed=$((failed + crashed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
