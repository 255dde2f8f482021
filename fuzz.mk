# libFuzzer targets (fuzz/fuzz_*.c), built with clang into $(FUZZ_BUILD).
#   make fuzz FUZZ_SECONDS=N   fuzz every target for N seconds
#   make fuzz-regress          run every target once over its committed corpus
# The library is rebuilt here with the fuzzer's coverage hooks and
# ASan+UBSan; no other build variable (BUILD, SAN, OPT) is used.

ifndef AFP_FUZZ_MK
AFP_FUZZ_MK := 1

FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = conf sts cache ecr signin callback route query basic \
               duration imds sigv4 catalog

FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -DAFP_VERSION=\"$(VERSION)\" \
               -Ilib -Ifuzz -O1 -g -fno-omit-frame-pointer $(WARN) $(FUZZ_SAN) \
               $(shell $(PKG_CONFIG) --cflags inih libcurl libxml-2.0 libcrypto)
FUZZ_LIBS    = $(shell $(PKG_CONFIG) --libs inih libcurl libxml-2.0 libcrypto) -lpam
FUZZ_LIB_SRC = $(LIB_COMMON) $(LIB_CGI) $(LIB_REF) fuzz/util.c

fuzz_obj = $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(1))
FUZZ_BINS = $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_TARGETS))

# The library gets the coverage hooks but no main; only targets link libFuzzer.
$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libafp-fuzz.a: $(call fuzz_obj,$(FUZZ_LIB_SRC))
	rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz/fuzz_%.o $(FUZZ_BUILD)/libafp-fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	sh fuzz/run.sh fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	sh fuzz/run.sh regress $(FUZZ_BUILD) 0 $(FUZZ_TARGETS)

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

.PHONY: fuzz fuzz-build fuzz-regress fuzz-clean

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

endif
