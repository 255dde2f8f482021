# Benchmarks (bench/run.sh): make bench [BENCH_SECONDS=N]
#   Writes bench/RESULTS.md and prints it. Needs wrk, lighttpd, valgrind,
#   GNU time and the cwrap wrappers; run.sh names the apt-get command for
#   whatever is missing. Timings are never part of `make check`.

ifndef AFP_BENCH_MK
AFP_BENCH_MK := 1

BENCH_SECONDS ?= 5
BENCH_BINS = $(BUILD)/bench/hello $(BUILD)/bench/sts_stub \
             $(BUILD)/bench/curl_baseline $(BUILD)/bench/write_floor \
             $(BUILD)/bench/spawn $(BUILD)/bench/sandbox_cost \
             $(BUILD)/bench/fault_cost

# The baseline CGI is built and linked like afp.cgi (PIE, relro, now).
$(BUILD)/bench/hello: $(BUILD)/bench/hello.o
	$(CC) $(LDFLAGS_ALL) -o $@ $^

$(BUILD)/bench/sts_stub: $(BUILD)/bench/sts_stub.o
	$(CC) $(LDFLAGS_ALL) -o $@ $^

# Signs with afp's own SigV4 code, so only what the refresher adds differs.
$(BUILD)/bench/curl_baseline: $(BUILD)/bench/curl_baseline.o \
    $(BUILD)/libafp-ref.a $(BUILD)/libafp-common.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_REF)

# The refresher's disk work alone, with afp's own cache code.
$(BUILD)/bench/write_floor: $(BUILD)/bench/write_floor.o $(BUILD)/libafp-common.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_CGI)

$(BUILD)/bench/spawn: $(BUILD)/bench/spawn.o
	$(CC) $(LDFLAGS_ALL) -o $@ $^

$(BUILD)/bench/fault_cost: $(BUILD)/bench/fault_cost.o
	$(CC) $(LDFLAGS_ALL) -o $@ $^

# afp's own sandbox code, as the CGI enters it.
$(BUILD)/bench/sandbox_cost: $(BUILD)/bench/sandbox_cost.o $(BUILD)/libafp-cgi.a \
    $(BUILD)/libafp-common.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^

bench-build: all $(BENCH_BINS)

bench: bench-build
	BUILD=$(BUILD) CC=$(CC) BENCH_SECONDS=$(BENCH_SECONDS) sh bench/run.sh

.PHONY: bench bench-build

endif
