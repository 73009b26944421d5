# modeldeck -- build, run, test.  `make run` and `make test` install missing Debian packages
# first (see mk/deps.sh); everything else assumes they are there.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BUILD      ?= build
NPROC      := $(shell nproc 2>/dev/null || echo 1)
# the builds below run one job per core, unless make was given its own -j
JOBS        = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))
DEMO_DB    ?= $(BUILD)/demo.db
CC         ?= cc
PKG_CONFIG ?= pkg-config

PKGS      := ncursesw sqlite3 libcurl jansson libcrypto
# libcurl's headers only: core/http.c loads the library when a command first calls out
LINK_PKGS := ncursesw sqlite3 jansson libcrypto
OPTFLAGS  ?= -O2 -g -flto=auto -ffat-lto-objects
WARNFLAGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
             -Wno-format-nonliteral -Wvla -Wpointer-arith
ifeq ($(WERROR),1)
WARNFLAGS += -Werror
endif
ifeq ($(SANITIZE),1)
OPTFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDSAN     := -fsanitize=address,undefined
endif

# Recursive (=) so pkg-config runs only when something is compiled, not for `make deps`.
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(LINK_PKGS))
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check)
CHECK_CFLAGS += $(shell $(PKG_CONFIG) --cflags openssl)
CHECK_LIBS   += $(shell $(PKG_CONFIG) --libs openssl)

CPPFLAGS += -D_GNU_SOURCE -DMD_VERSION='"$(VERSION)"' -Icore
CFLAGS   += -std=c17 $(OPTFLAGS) $(WARNFLAGS) -MMD -MP
LDLIBS   += $(PKG_LIBS) -lm -lpthread -ldl

CORE_SRC := $(sort $(wildcard core/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TUI_SRC  := $(sort $(wildcard tui/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/policy_default.o
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o) $(TUI_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/theme_dark.o
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)

LIB  := $(BUILD)/libmodeldeck.a
BIN  := $(BUILD)/modeldeck
UNIT := $(BUILD)/tests/unit-tests

.PHONY: FORCE all run test check-unit check-cli check-reference check-e2e check-fuzz deps deps-test \
        deps-bench deps-fuzz sanitize install clean bench format fuzz release check-release

all: $(BIN) $(LIB)

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -c $< -o $@

# The synthetic scoring logs of the bench and of the release build's training run.
$(BUILD)/tools/gen_data: bench/gen_data.c
	@mkdir -p $(@D)
	$(CC) -O2 -o $@ $< -lm

# Shipped data compiled into the library.
$(BUILD)/tools/embed: mk/embed.c
	@mkdir -p $(@D)
	$(CC) -O2 -o $@ $<

$(BUILD)/gen/policy_default.c: data/policy.default.json $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(BUILD)/tools/embed md_policy_default_json $< $@

$(BUILD)/gen/policy_default.o: $(BUILD)/gen/policy_default.c
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/gen/theme_dark.c: themes/dark.json $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(BUILD)/tools/embed md_theme_dark_json $< $@

$(BUILD)/gen/theme_dark.o: $(BUILD)/gen/theme_dark.c
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# The console finds installed themes here; a stamp holding PREFIX rebuilds it when
# `make install PREFIX=...` names another place than the build did.
$(BUILD)/tui/theme.o: CPPFLAGS += -DMD_SHARE_DIR='"$(PREFIX)/share/modeldeck"'
$(BUILD)/tui/theme.o: $(BUILD)/prefix.stamp
$(BUILD)/prefix.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' >$@
FORCE:
$(BUILD)/cli/%.o $(BUILD)/tui/%.o: CPPFLAGS += -Itui

$(LIB): $(CORE_OBJ)
	@rm -f $@
	$(if $(Q),@echo "  AR      $@")
	$(Q)gcc-ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(OPTFLAGS) $(LDSAN) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(UNIT): $(UNIT_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(OPTFLAGS) $(LDSAN) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(LIB) $(CHECK_LIBS) $(LDLIBS)

# The release binary, build/release/modeldeck, which `make install` installs and `make bench`
# measures: profile-guided (GCC). It is compiled once instrumented, run over a synthetic scoring
# log of its own by mk/pgo-train.sh, and compiled again in the same place with the profile that
# run leaves, which tells the compiler which way the reading's branches go and which code is hot
# (about 3% off an ingest's CPU). A source newer than the binary, or another PREFIX, builds it
# all again. `make` builds without a profile: the tests and `make run` use that build.
RELEASE := build/release
RELEASE_SRC = $(wildcard core/* cli/* tui/* themes/* data/* mk/*) bench/gen_data.c Makefile

release: deps
	@if [ -x $(RELEASE)/modeldeck ] && [ -z "$$(find $(RELEASE_SRC) -newer $(RELEASE)/modeldeck)" ] \
	  && [ "$$(cat $(RELEASE)/prefix.stamp 2>/dev/null)" = '$(PREFIX)' ]; \
	then echo "release: $(RELEASE)/modeldeck is up to date"; exit 0; fi; \
	set -e; rm -rf $(RELEASE); \
	$(MAKE) --no-print-directory $(JOBS) BUILD=$(RELEASE) \
	  OPTFLAGS="$(OPTFLAGS) -fprofile-generate -fprofile-update=atomic" \
	  $(RELEASE)/modeldeck $(RELEASE)/tools/gen_data; \
	echo "  TRAIN   $(RELEASE)/modeldeck (mk/pgo-train.sh)"; \
	sh mk/pgo-train.sh $(RELEASE); \
	find $(RELEASE) \( -name '*.o' -o -name '*.a' -o -name modeldeck \) -type f -exec rm -f {} +; \
	$(MAKE) --no-print-directory $(JOBS) BUILD=$(RELEASE) \
	  OPTFLAGS="$(OPTFLAGS) -fprofile-use -fprofile-partial-training -Wno-missing-profile" \
	  $(RELEASE)/modeldeck

# The release binary through the CLI tests and the reference suite.
check-release: release
	MODELDECK_BIN=$(abspath $(RELEASE)/modeldeck) sh tests/cli/run.sh
	MODELDECK_BIN=$(abspath $(RELEASE)/modeldeck) sh tests/reference/run.sh

deps:
	@sh mk/deps.sh build

deps-test:
	@sh mk/deps.sh test

# The console on the demo portfolio, built on first use; MODELDECK_USER picks who you are in it
# (demo: admin, olga: operator, ann, bob: approvers, ada: analyst, vic: viewer, oncall: both).
run: deps
	@$(MAKE) --no-print-directory $(JOBS) all
	@test -f $(DEMO_DB) || MODELDECK_USER=demo ./$(BIN) --db $(DEMO_DB) demo
	@MODELDECK_USER=$${MODELDECK_USER:-oncall} ./$(BIN) --db $(DEMO_DB)

# The suites side by side, one process per core (tests/unit/run.sh); `./build/tests/unit-tests
# NAME` runs one.
check-unit: $(UNIT)
	sh tests/unit/run.sh ./$(UNIT)

check-cli: $(BIN)
	MODELDECK_BIN=$(abspath $(BIN)) sh tests/cli/run.sh

check-reference: $(BIN)
	MODELDECK_BIN=$(abspath $(BIN)) sh tests/reference/run.sh

check-e2e: $(BIN)
	MODELDECK_BIN=$(abspath $(BIN)) sh tests/e2e/run.sh

# The fuzz targets (tests/fuzz/README.md): replayed over their corpus by `make test`, built with
# the project's compiler and a small main instead of libFuzzer.
FUZZ_TARGETS := number time csv jsonl text
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz-%)
FUZZ_COMMON  := tests/fuzz/fuzz_util.c

$(BUILD)/tests/fuzz-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_COMMON) tests/fuzz/fuzz.h \
                       tests/fuzz/fuzz_file.h $(LIB)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CPPFLAGS) -Itests/fuzz $(PKG_CFLAGS) $(CFLAGS) $(LDSAN) $(LDFLAGS) -o $@ \
	  $< tests/fuzz/replay.c $(FUZZ_COMMON) $(LIB) $(LDLIBS)

check-fuzz: $(FUZZ_REPLAY)
	@for t in $(FUZZ_TARGETS); do ./$(BUILD)/tests/fuzz-$$t tests/fuzz/corpus/$$t || exit 1; done

test: deps-test
	@$(MAKE) --no-print-directory $(JOBS) all $(UNIT) $(FUZZ_REPLAY)
	@$(MAKE) --no-print-directory check-unit check-fuzz check-cli check-reference check-e2e

sanitize: deps-test
	@$(MAKE) --no-print-directory $(JOBS) BUILD=build/san SANITIZE=1 all \
	  build/san/tests/unit-tests $(FUZZ_TARGETS:%=build/san/tests/fuzz-%)
	@# (the CLI's test of two writers at once with 300 versions each, not 1000, and the console's
	@# long audit chain of 200,000 rows, not 600,000: their point here is memory errors, and the
	@# plain pass runs them in full)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  CK_TIMEOUT_MULTIPLIER=4 CLI_CONCURRENCY_N=300 E2E_AUDIT_ROWS=200000 \
	  $(MAKE) --no-print-directory BUILD=build/san SANITIZE=1 check-unit check-fuzz check-cli \
	  check-reference check-e2e

# Fuzzing with libFuzzer (clang): each target FUZZ_SECONDS (default 60) from its corpus, the
# library built with coverage, ASan and UBSan into build/fuzz. New inputs go to
# build/fuzz/corpus/TARGET; an input that breaks a property is saved as build/fuzz/crash-*.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
fuzz: deps-fuzz
	@$(MAKE) --no-print-directory $(JOBS) BUILD=build/fuzz CC=clang \
	  OPTFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" build/fuzz/libmodeldeck.a
	@set -e; for t in $(FUZZ_TARGETS); do \
	  clang $(CPPFLAGS) -Itests/fuzz $(PKG_CFLAGS) -std=c17 $(FUZZ_FLAGS) -fsanitize=fuzzer \
	    -o build/fuzz/fuzz-$$t tests/fuzz/fuzz_$$t.c $(FUZZ_COMMON) build/fuzz/libmodeldeck.a \
	    $(LDLIBS); \
	  mkdir -p build/fuzz/corpus/$$t; \
	done
	@# the targets side by side, one per core; each one's report whole when it ends
	@printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(NPROC) -I{} sh -c 'cd build/fuzz && \
	  if ./fuzz-{} -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
	    corpus/{} ../../tests/fuzz/corpus/{} 2>fuzz-{}.log; then \
	    echo "fuzz: {} for $(FUZZ_SECONDS) s: $$(grep -h stat::number_of_executed_units fuzz-{}.log)"; \
	  else tail -n 40 fuzz-{}.log; echo "fuzz: {} broke a property (build/fuzz/fuzz-{}.log)"; \
	    exit 1; fi'


deps-fuzz:
	@sh mk/deps.sh fuzz

GEN_CONSOLE := $(BUILD)/bench/gen_console

# The console bench's store generator drives the engine itself, so it links the library.
$(GEN_CONSOLE): bench/gen_console.c $(LIB)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

HASH_FLOOR := $(BUILD)/bench/hash_floor

# The files' SHA-256 alone, through the engine's hasher: the floor under baseline + ingest.
$(HASH_FLOOR): bench/hash_floor.c $(LIB)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench: deps-bench
	@$(MAKE) --no-print-directory release
	@$(MAKE) --no-print-directory all $(GEN_CONSOLE) $(HASH_FLOOR)
	MODELDECK_BIN=$(abspath $(RELEASE)/modeldeck) GEN_CONSOLE=$(abspath $(GEN_CONSOLE)) \
	  HASH_FLOOR=$(abspath $(HASH_FLOOR)) \
	  BENCH_DIR=$(BUILD)/bench CC="$(CC)" bash bench/run.sh

deps-bench:
	@sh mk/deps.sh bench

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/modeldeck/themes
	install -m 0755 $(RELEASE)/modeldeck $(DESTDIR)$(PREFIX)/bin/modeldeck
	install -m 0644 docs/modeldeck.1 $(DESTDIR)$(PREFIX)/share/man/man1/modeldeck.1
	for t in themes/*.json; do [ -f "$$t" ] && install -m 0644 "$$t" \
	  $(DESTDIR)$(PREFIX)/share/modeldeck/themes/ || true; done

format:
	clang-format -i core/*.[ch] cli/*.[ch] tui/*.[ch] tests/unit/*.[ch]

clean:
	rm -rf $(BUILD) build/san build/fuzz $(RELEASE)

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
