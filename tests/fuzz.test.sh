# The libFuzzer targets (fuzz/, fuzz.mk): build them with clang, run each
# once over its committed corpus (crash inputs found earlier stay fixed),
# then fuzz each for a few seconds. `make fuzz FUZZ_SECONDS=N` is the long
# run. Needs clang and libclang-rt-14-dev; without them this fails.
. "$(dirname "$0")/lib.sh" || exit 1

FUZZ_BRIEF=${FUZZ_BRIEF:-2}
FB=$TOP/build-fuzz

need_cmd clang make

# libFuzzer's runtime comes with libclang-rt-*-dev, not with clang itself.
printf 'int LLVMFuzzerTestOneInput(const unsigned char *p, unsigned long n);\n%s\n' \
    'int LLVMFuzzerTestOneInput(const unsigned char *p, unsigned long n) { return p == 0 && n > 0; }' \
    >"$T_TMP/probe.c"
if clang -fsanitize=fuzzer,address,undefined -o "$T_TMP/probe" "$T_TMP/probe.c" \
    >"$T_TMP/probe.log" 2>&1 && "$T_TMP/probe" -runs=10 >>"$T_TMP/probe.log" 2>&1; then
	ok "clang links and runs a libFuzzer target"
else
	not_ok "clang links and runs a libFuzzer target (install libclang-rt-14-dev)"
	sed 's/^/# /' "$T_TMP/probe.log" | tail -n 5
	t_done
fi

# Its own build: nothing from the caller's make (BUILD, SAN) leaks in.
if (cd "$TOP" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -f Makefile -f fuzz.mk -j2 FUZZ_BUILD="$FB" fuzz-build) \
    >"$T_TMP/build.log" 2>&1; then
	ok "fuzz targets build (clang, -fsanitize=fuzzer,address,undefined)"
else
	not_ok "fuzz targets build"
	tail -n 20 "$T_TMP/build.log" | sed 's/^/# /'
	t_done
fi

targets=
for f in "$TOP"/fuzz/fuzz_*.c; do
	t=${f##*/fuzz_}
	targets="$targets ${t%.c}"
done
diag "targets:$targets"

# report FILE PREFIX UNIT: one ok/not ok per "PREFIX name: N UNIT, C crashes".
report() {
	local _t _n _c _seen
	for _t in $targets; do
		_seen=$(grep "^$2 $_t: " "$1")
		_n=$(echo "$_seen" | sed -n "s/^$2 $_t: \([0-9]*\) $3.*/\1/p")
		_c=$(echo "$_seen" | sed -n 's/.*, \([0-9]*\) crashes$/\1/p')
		if [ -n "$_n" ] && [ "$_n" -gt 0 ] && [ "$_c" = 0 ]; then
			ok "$2 $_t: $_n $3, 0 crashes"
		else
			not_ok "$2 $_t: ${_seen:-no result}"
		fi
	done
}

(cd "$TOP" && sh fuzz/run.sh regress "$FB" 0 $targets) >"$T_TMP/regress.log" 2>&1
sed 's/^/# /' "$T_TMP/regress.log"
report "$T_TMP/regress.log" fuzz-regress inputs

(cd "$TOP" && sh fuzz/run.sh fuzz "$FB" "$FUZZ_BRIEF" $targets) >"$T_TMP/fuzz.log" 2>&1
sed 's/^/# /' "$T_TMP/fuzz.log"
report "$T_TMP/fuzz.log" fuzz execs

t_done
