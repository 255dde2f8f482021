# afp — AWS Federation Proxy. See README.md.

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr
PKG_CONFIG ?= pkg-config
VERSION  = 0.1.0
SYSCONFDIR ?= /etc

WARN     = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wno-unused-parameter
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
SECTIONS = -ffunction-sections -fdata-sections
OPT      ?= -O2 -g
SAN      ?=
CFLAGS   ?=
CFLAGS_ALL = -std=c11 -Ilib -Itests -D_GNU_SOURCE -DAFP_VERSION=\"$(VERSION)\" -DAFP_CONFIG_PATH=\"$(SYSCONFDIR)/afp/afp.conf\" $(OPT) $(WARN) $(HARDEN) $(SECTIONS) $(SAN) $(CFLAGS) \
           $(shell $(PKG_CONFIG) --cflags json-c inih libcurl libxml-2.0 libcrypto)
LDFLAGS_ALL = -pie -Wl,-z,relro,-z,now -Wl,--as-needed -Wl,--gc-sections $(SAN) $(LDFLAGS)

# inih is linked statically into the CGI: one shared object less to load
# on every request.
LIBS_CGI = -l:libinih.a
LIBS_REF = $(shell $(PKG_CONFIG) --libs libcurl libxml-2.0 libcrypto inih)

# Modules both programs use, and those only one of them needs: the CGI must
# not load libcrypto, libcurl or libxml2 (DESIGN.md §7).
LIB_COMMON = lib/err.c lib/fmt.c lib/buf.c lib/strlist.c lib/enc.c lib/tm.c lib/log.c lib/creds.c \
             lib/json.c lib/conf.c lib/cache.c lib/authz.c lib/signin.c \
             lib/catalog.c
LIB_CGI    = lib/auth.c lib/route.c lib/reply.c lib/sha256.c lib/imds.c lib/sandbox.c
LIB_REF    = lib/sigv4.c lib/awsreq.c lib/sts.c lib/net.c lib/source.c lib/ecr.c

CGI_SRC  = cgi/main.c cgi/scope.c cgi/console.c cgi/ecr.c cgi/imds.c cgi/html.c
REF_SRC  = refresher/main.c refresher/refresh.c refresher/console.c refresher/ecr.c

UNIT_TESTS = test_enc test_json test_conf test_sigv4 test_sts test_cache test_route test_source test_ecr test_signin test_sha256 test_imds test_html test_sandbox \
             test_auth test_authz test_net test_catalog test_fmt test_log

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

all: $(BUILD)/afp.cgi $(BUILD)/afp-refresher

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(BUILD)/libafp-common.a: $(call obj,$(LIB_COMMON))
	rm -f $@ && $(AR) rcs $@ $^
$(BUILD)/libafp-cgi.a: $(call obj,$(LIB_CGI))
	rm -f $@ && $(AR) rcs $@ $^
$(BUILD)/libafp-ref.a: $(call obj,$(LIB_REF))
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/afp.cgi: $(call obj,$(CGI_SRC)) $(BUILD)/libafp-cgi.a $(BUILD)/libafp-common.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_CGI)

$(BUILD)/afp-refresher: $(call obj,$(REF_SRC)) $(BUILD)/libafp-ref.a $(BUILD)/libafp-common.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_REF)

# Unit tests link every library; --as-needed keeps what each one uses.
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libafp-cgi.a $(BUILD)/libafp-ref.a $(BUILD)/libafp-common.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_REF) $(shell $(PKG_CONFIG) --libs json-c) -lpam

tests: $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))

check: all tests
	BUILD=$(BUILD) tests/run.sh

check-asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" check

# Valgrind over the CGI and refresher integration tests (VALGRIND_TESTS
# picks them; default: cgi e2e refresher imds).
VALGRIND_TESTS ?=
check-valgrind: all
	BUILD=$(BUILD) sh tests/valgrind.sh $(VALGRIND_TESTS)

# The long crash-consistency run: 200 rounds of kill -9.
crash: all
	BUILD=$(BUILD) sh tests/crash_long.sh

deps:
	sh tests/deps.sh

demo: all
	sh tests/demo.sh

install: all
	BUILD=$(BUILD) PREFIX=$(PREFIX) ./install.sh

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all tests check check-asan check-valgrind crash deps demo install clean
.SECONDARY:

include bench.mk
include fuzz.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
