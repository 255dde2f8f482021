#!/bin/sh
# fuzz/run.sh MODE BUILD SECONDS TARGET...: run the libFuzzer targets.
#   fuzz     each target for SECONDS on a scratch copy of its corpus (the
#            committed corpus never grows); crash inputs go to
#            $FUZZ_CRASHES/<name>/ (default BUILD/crashes)
#   regress  each target once over every file of its committed corpus
# Prints "fuzz <name>: <execs> execs, <crashes> crashes" per target and a
# total line; exits 1 when any target crashed or failed to run.
set -u
mode=$1
build=$2
seconds=$3
shift 3
top=$(cd "$(dirname "$0")/.." && pwd)
crashes=${FUZZ_CRASHES:-$build/crashes}
# tmpfs when there is one: the targets write files for every input.
base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
work=$(mktemp -d "$base/afp-fuzz-run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Longest input worth trying, a little past each parser's own cap.
max_len() {
	case $1 in
	duration) echo 64 ;;
	imds) echo 512 ;;
	callback) echo 4096 ;;
	ecr|signin) echo 8192 ;;
	query|basic|route) echo 10000 ;;
	*) echo 16384 ;;
	esac
}

total_execs=0
total_crashes=0
failed=0
for t in "$@"; do
	bin=$build/fuzz_$t
	corpus=$top/fuzz/corpus/$t
	dict=$top/fuzz/dict/$t.dict
	log=$work/$t.log
	# The targets' scratch files, and what a crashing one leaves behind.
	mkdir -p "$work/$t.tmp" || exit 1
	export TMPDIR="$work/$t.tmp"
	if [ ! -x "$bin" ] || [ ! -d "$corpus" ] || [ ! -f "$dict" ]; then
		echo "fuzz $t: missing binary, corpus or dictionary"
		failed=1
		continue
	fi
	if [ "$mode" = regress ]; then
		# Named files run once each, without mutation.
		find "$corpus" -type f | sort >"$work/$t.files"
		n=$(wc -l <"$work/$t.files")
		# shellcheck disable=SC2046
		"$bin" -dict="$dict" -artifact_prefix="$work/" \
		    $(cat "$work/$t.files") >"$log" 2>&1
		rc=$?
		c=0
		[ $rc -eq 0 ] || c=1
		echo "fuzz-regress $t: $n inputs, $c crashes"
		total_execs=$((total_execs + n))
	else
		mkdir -p "$crashes/$t" "$work/$t.corpus" || exit 1
		cp "$corpus"/* "$work/$t.corpus"/ 2>/dev/null
		before=$(find "$crashes/$t" -type f | wc -l)
		"$bin" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
		    -dict="$dict" -timeout=10 -rss_limit_mb=2048 \
		    -print_final_stats=1 -artifact_prefix="$crashes/$t/" \
		    "$work/$t.corpus" >"$log" 2>&1
		rc=$?
		after=$(find "$crashes/$t" -type f | wc -l)
		c=$((after - before))
		[ $rc -ne 0 ] && [ $c -eq 0 ] && c=1
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		    tail -n 1)
		n=${n:-0}
		echo "fuzz $t: $n execs, $c crashes"
		total_execs=$((total_execs + n))
	fi
	if [ $c -ne 0 ]; then
		failed=1
		total_crashes=$((total_crashes + c))
		# The sanitizer's report, for the log of whoever ran this.
		grep -E '^(==[0-9]+==|SUMMARY|.*invariant broken|artifact_prefix|Test unit written|.*runtime error)' \
		    "$log" | head -n 20 | sed 's/^/#   /'
	fi
done
if [ "$mode" = regress ]; then
	echo "fuzz-regress total: $total_execs inputs, $total_crashes crashes"
else
	echo "fuzz total: $total_execs execs, $total_crashes crashes"
fi
[ $failed -eq 0 ]
