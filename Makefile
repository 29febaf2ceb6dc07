# dvcbot -- build, run, test, fuzz, bench.
#
#   make            build build/dvcbot (optimised)
#   make run        install missing deps, build, start private Redis + dvcbot
#   make test       install missing deps, build (also under ASan+UBSan), run all suites
#   make fuzz       libFuzzer targets (clang), FUZZ_SECONDS each (default 30)
#   make bench      benchmarks against baselines (tests/bench)
#   make soak       long fault and hostile-input runs, one under valgrind (tests/soak)

CC       ?= cc
PKGS     := libwebsockets hiredis libpcre2-8 jansson libuv libcrypto
WARN     := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
INC      := -I. -Icommon
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CFLAGS_REL  := -O2 -g $(WARN) $(INC)
CFLAGS_ASAN := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined $(WARN) $(INC)

LIB_SRC  := $(wildcard common/*.c intents/*.c store/*.c channels/*.c bot/*.c bot/dialogs/*.c)
LIB_SRC  := $(filter-out bot/main.c,$(LIB_SRC))
HDRS     := $(wildcard common/*.h intents/*.h store/*.h channels/*.h bot/*.h bot/dialogs/*.h)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

REL_OBJ  := $(LIB_SRC:%.c=build/obj/%.o)
ASAN_OBJ := $(LIB_SRC:%.c=build/asan/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 30
# make V=1 shows the full command lines
Q := $(if $(V),,@)

.PHONY: all asan unit deps run test fuzz fuzz-build bench soak clean check-config

all: build/dvcbot

deps:
	@scripts/install-deps.sh

build/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_REL) $(PKG_CFLAGS) -c $< -o $@

build/asan/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC/ASAN $<")
	$(Q)$(CC) $(CFLAGS_ASAN) $(PKG_CFLAGS) -c $< -o $@

build/dvcbot: build/obj/bot/main.o $(REL_OBJ)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS_REL) -o $@ $^ $(PKG_LIBS)

build/asan/dvcbot: build/asan/obj/bot/main.o $(ASAN_OBJ)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS_ASAN) -o $@ $^ $(PKG_LIBS)

build/asan/tests/%: tests/unit/%.c tests/unit/t.h $(ASAN_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS_ASAN) $(PKG_CFLAGS) -Itests/unit -o $@ $< $(ASAN_OBJ) $(PKG_LIBS)

asan: build/asan/dvcbot $(UNIT_BIN)

run: deps build/dvcbot
	@scripts/run.sh

test: deps
	@$(MAKE) --no-print-directory all asan
	@tests/run-all.sh

check-config: build/dvcbot
	build/dvcbot check-config

# libFuzzer: the targets fuzz the pure floors (codecs, intents), so they link
# common/, intents/ and channels/ compiled by clang, nothing with I/O.
# FUZZ_EXTRA_<target> adds the few self-contained bot/ files a target needs.
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer,address,undefined $(WARN) $(INC)
FUZZ_LIB_SRC := $(wildcard common/*.c intents/*.c channels/*.c)
FUZZ_EXTRA_fuzz_config := bot/config.c
FUZZ_EXTRA_fuzz_messages := bot/messages.c
.SECONDEXPANSION:
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRC) $$(FUZZ_EXTRA_$$*) $(HDRS)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_CFLAGS) $(PKG_CFLAGS) -o $@ $< $(FUZZ_LIB_SRC) $(FUZZ_EXTRA_$*) $(PKG_LIBS)

fuzz-build: deps $(FUZZ_BIN)

fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: deps all
	@tests/bench/run.sh

# valgrind wants a build without ASan: -O0 -g, objects of their own
CFLAGS_DBG := -O0 -g $(WARN) $(INC)
DBG_OBJ  := $(LIB_SRC:%.c=build/debug/obj/%.o)
build/debug/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC/DBG  $<")
	$(Q)$(CC) $(CFLAGS_DBG) $(PKG_CFLAGS) -c $< -o $@

build/debug/dvcbot: build/debug/obj/bot/main.o $(DBG_OBJ)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS_DBG) -o $@ $^ $(PKG_LIBS)

soak: deps
	@$(MAKE) --no-print-directory all asan build/debug/dvcbot
	@tests/soak/run.sh

clean:
	rm -rf build
