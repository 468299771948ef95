# libfcp build.  Sources are discovered by directory so that adding a module
# never means editing this file:
#   src/<layer>/*.c          -> libfcp.a / libfcp.so
#   cmd/<tool>/*.c           -> build/<tool>        (one executable per directory)
#   tests/unit/*_test.c      -> build/tests/<name>  (one executable per file)
#   fuzz/fuzz_*.c            -> build-fuzz/<name>   (libFuzzer, clang-14)
#   bench/bench_*.c          -> build/bench/<name>
# BLAKE3 is compiled from the sources Debian installs (librust-blake3-dev); it
# is never copied into this repository.

PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
BUILD     ?= build
VERSION   := 0.1.0

BLAKE3_DIR ?= $(firstword $(wildcard /usr/share/cargo/registry/blake3-*/c))
ifeq ($(BLAKE3_DIR),)
$(error BLAKE3 C sources not found: run scripts/install-deps.sh (needs librust-blake3-dev))
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter
OPT     ?= -O2 -g
CFLAGS  ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) -fPIC $(WARN) -Iinclude -Isrc -I$(BLAKE3_DIR) $(CFLAGS)
LDLIBS  := -lsodium -lsqlite3 -lm -lpthread -lseccomp -lcurl -ljansson \
           -lngtcp2 -lngtcp2_crypto_gnutls -lgnutls
# Quiet by default; `make V=1` shows full command lines.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif
TEST_LDLIBS := $(LDLIBS)

LIB_SRCS  := $(sort $(wildcard src/*/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)

# BLAKE3: portable + dispatch + the x86-64 SysV assembly kernels (runtime dispatch).
B3_C      := blake3.c blake3_dispatch.c blake3_portable.c
B3_ASM    := blake3_sse2_x86-64_unix.S blake3_sse41_x86-64_unix.S \
             blake3_avx2_x86-64_unix.S blake3_avx512_x86-64_unix.S
ifeq ($(shell uname -m),x86_64)
B3_SRCS   := $(B3_C) $(B3_ASM)
B3_FLAGS  :=
else
B3_SRCS   := $(B3_C)
B3_FLAGS  := -DBLAKE3_NO_SSE2 -DBLAKE3_NO_SSE41 -DBLAKE3_NO_AVX2 -DBLAKE3_NO_AVX512
endif
B3_OBJS   := $(addprefix $(BUILD)/blake3/,$(addsuffix .o,$(B3_SRCS)))

TOOLS     := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard cmd/*/*.c)))))
TOOL_BINS := $(TOOLS:%=$(BUILD)/%)
TEST_SRCS := $(sort $(wildcard tests/unit/*_test.c))
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(wildcard tests/support/*.c)
BENCH_SRCS:= $(sort $(wildcard bench/bench_*.c))
BENCH_BINS:= $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
HDRS      := $(wildcard include/fcp/*.h src/*/*.h cmd/*/*.h tests/support/*.h)

.PHONY: all lib tools tests check check-asan unit fuzz fuzz-smoke bench install clean demo demo-connectors
all: lib tools

lib: $(BUILD)/libfcp.a $(BUILD)/libfcp.so $(BUILD)/libfcp-connector.a
tools: $(TOOL_BINS)

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(dir $<) -c $< -o $@

$(BUILD)/blake3/%.c.o: $(BLAKE3_DIR)/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) -std=c11 $(OPT) -fPIC $(B3_FLAGS) $(filter -fsanitize% -fno-omit%,$(CFLAGS)) -c $< -o $@

$(BUILD)/blake3/%.S.o: $(BLAKE3_DIR)/%.S
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) -fPIC -c $< -o $@

$(BUILD)/libfcp.a: $(LIB_OBJS) $(B3_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

# The connector SDK on its own (src/connector/): a connector links
# -lfcp-connector -lfcp (libfcp-connector.pc says so).
CONN_OBJS := $(filter $(BUILD)/src/connector/%,$(LIB_OBJS))
$(BUILD)/libfcp-connector.a: $(CONN_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)ar rcs $@ $^

$(BUILD)/libfcp.so: $(LIB_OBJS) $(B3_OBJS)
	$(call say,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,libfcp.so.0 $(CFLAGS) -o $@ $^ $(LDLIBS)

# One executable per cmd/<tool>/ directory.
define TOOL_RULE
$(BUILD)/$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/$(1)/*.c)) $(BUILD)/libfcp.a
	$$(call say,LD,$$@)
	$(Q)$$(CC) $$(ALL_CFLAGS) -Icmd/$(1) -o $$@ $$(filter %.o,$$^) $(BUILD)/libfcp.a $$(TEST_LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call TOOL_RULE,$(t))))

$(BUILD)/tests/%: tests/unit/%.c $(TEST_SUPPORT) $(BUILD)/libfcp.a $(HDRS)
	@mkdir -p $(dir $@)
	$(call say,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/support -o $@ $< $(TEST_SUPPORT) $(BUILD)/libfcp.a $(TEST_LDLIBS)

$(BUILD)/bench/%: bench/%.c $(wildcard bench/*.h) $(BUILD)/libfcp.a
	@mkdir -p $(dir $@)
	$(call say,BENCH,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ibench -o $@ $< $(BUILD)/libfcp.a $(TEST_LDLIBS)

tests: $(TEST_BINS) $(TOOL_BINS) $(BUILD)/libfcp-connector.a

# The test command README shows.  Runs unit tests, vector tests, golden
# conformance checks and interop tests; ends with "N passed, N failed".
check: tests
	@BUILD=$(BUILD) scripts/run-tests.sh

unit: tests
	@BUILD=$(BUILD) FCP_SKIP_INTEROP=1 scripts/run-tests.sh

check-asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g" \
	  CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" check

# libFuzzer targets, built with clang-14 (ASan + UBSan).
FUZZ_CC    ?= clang-14
FUZZ_SRCS  := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BINS  := $(FUZZ_SRCS:fuzz/%.c=build-fuzz/%)
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1
fuzz:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) OPT="-O1 -g" \
	  CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" build-fuzz/libfcp.a
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) fuzz-bins

fuzz-bins: $(FUZZ_BINS)
build-fuzz/fuzz_%: fuzz/fuzz_%.c build-fuzz/libfcp.a
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE $(FUZZ_FLAGS) -Iinclude -Isrc -o $@ $< build-fuzz/libfcp.a $(LDLIBS)

FUZZ_SECONDS ?= 20
fuzz-smoke: fuzz
	@scripts/fuzz-smoke.sh $(FUZZ_SECONDS)

bench: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$b"; $$b || exit 1; done

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/fcp $(DESTDIR)$(PREFIX)/bin \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 0644 $(BUILD)/libfcp.a $(BUILD)/libfcp-connector.a $(DESTDIR)$(PREFIX)/lib/
	install -m 0755 $(BUILD)/libfcp.so $(DESTDIR)$(PREFIX)/lib/libfcp.so.$(VERSION)
	ln -sf libfcp.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libfcp.so.0
	ln -sf libfcp.so.0 $(DESTDIR)$(PREFIX)/lib/libfcp.so
	install -m 0644 include/fcp/*.h $(DESTDIR)$(PREFIX)/include/fcp/
	install -m 0755 $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' libfcp.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libfcp.pc
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' libfcp-connector.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libfcp-connector.pc
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 docs/man/fcpd.8 $(DESTDIR)$(PREFIX)/share/man/man8/

clean:
	rm -rf build build-asan build-fuzz

# A scripted local mesh of three fcpd nodes on loopback (scripts/demo.sh).
demo: $(BUILD)/fcp $(BUILD)/fcpd
	@FCP_BUILD=$(BUILD) scripts/demo.sh

# An agent's call through FCP end to end: the http connector, a credential,
# a token, a local HTTPS API, receipt, audit, revocation (scripts/demo-connectors.sh).
demo-connectors: $(BUILD)/fcp $(BUILD)/fcpd $(BUILD)/connector-http $(BUILD)/libfcp.a
	@FCP_BUILD=$(BUILD) scripts/demo-connectors.sh
