# dvcbot -- build, run, test, fuzz, bench.
#
#   make              build build/dvcbot (optimised)
#   make deps         install the missing Debian packages (and the browser-test npm modules)
#   make run          install what running needs, build, start a private Redis, Kannel + dvcbot
#   make deb          build/dvcbot_<version>_amd64.deb (debian/, dpkg tools)
#   make test-deb     build, inspect, install, start, probe and remove the .deb (changes the host)
#   make test         deps, then `make check` (CI runs this: the README's test command)
#   make check        build (also under ASan+UBSan), run every check and suite; installs nothing
#   make unit         only the C unit suites (ASan+UBSan)
#   make check-layers the floors of docs/architecture.md, on includes and on the link graph
#   make check-generated  regenerated files equal the committed ones (fold table, intent model)
#   make lint         cppcheck over the C sources
#   make fuzz         libFuzzer targets (clang), FUZZ_SECONDS each (default 30)
#   make bench        benchmarks against baselines (tests/bench)
#   make train        refit the intent model config/intents-model.tsv (dvcbot train) on TRAIN_CORPORA
#   make accuracy     intent precision/recall and confusions on every labelled corpus (scripts/accuracy.py)
#   make accuracy-catalogue  top-1/top-3 of the procedure question set (sample and real catalogue)
#   make soak         long fault and hostile-input runs, one under valgrind (tests/soak)
#
# The floors are archives, built bottom-up; a unit suite links only its floor
# and the floors below (UNIT_FLOORS_<suite>). CPPFLAGS, CFLAGS and LDFLAGS from
# the environment are honoured; WERROR=0 turns warnings back into warnings.

PKGS     := libwebsockets hiredis libpcre2-8 jansson libuv libcrypto libqrencode
WERROR   ?= 1
WARN     := -std=c11 -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
            -Wformat=2 $(if $(filter 1,$(WERROR)),-Werror)
GEN      := build/gen
DVC_CPPFLAGS := -I. -I$(GEN) -D_GNU_SOURCE
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
DEPFLAGS := -MMD -MP

REL_CFLAGS  := -O2 -g
ASAN_CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
DBG_CFLAGS  := -O0 -g
COMPILE = $(CC) $(DVC_CPPFLAGS) $(CPPFLAGS) $(WARN) $(PKG_CFLAGS) $(DEPFLAGS)

# Floors, bottom-up. The bot/ sub-folders are floors of their own (docs/architecture.md).
FLOORS   := common intents catalogue channels store \
            bot/app bot/conv bot/ussd bot/sms bot/outbox bot/http bot/cmd
floor_src = $(filter-out bot/main.c,$(wildcard $(1)/*.c $(1)/*/*.c))
lib_name  = lib$(subst /,_,$(1)).a
# link order: top floor first
reverse_list = $(if $(1),$(call reverse_list,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
LINK_FLOORS := $(call reverse_list,$(FLOORS))

LIB_SRC  := $(foreach f,$(FLOORS),$(call floor_src,$(f)))
# Generated sources: (file compiled, object path as if it lived in its floor)
LUA_SRC  := $(sort $(wildcard store/lua/*.lua))
LUA_GEN  := $(GEN)/store/store_lua.c $(GEN)/store/store_lua.h
floor_gen = $(if $(filter store,$(2)),build/$(1)/obj/store/store_lua.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_SECONDS ?= 30

# Which floors each unit suite links (its floor and those below, nothing else).
CODEC := channels common
UNIT_FLOORS_test_agency_codec := $(CODEC)
UNIT_FLOORS_test_chat_codec   := $(CODEC)
UNIT_FLOORS_test_msisdn       := $(CODEC)
UNIT_FLOORS_test_sms_codec    := $(CODEC)
UNIT_FLOORS_test_ussd_codec   := $(CODEC)
UNIT_FLOORS_test_ws_codec     := $(CODEC)
UNIT_FLOORS_test_vietqr       := $(CODEC)
UNIT_FLOORS_test_push_codec   := $(CODEC)
UNIT_FLOORS_test_utf8         := common
UNIT_FLOORS_test_buf          := common
UNIT_FLOORS_test_strs         := common
UNIT_FLOORS_test_http_gate    := bot/http common
UNIT_FLOORS_test_form         := common
UNIT_FLOORS_test_catalogue    := catalogue intents common
UNIT_FLOORS_test_catalogue_cases := catalogue intents common
UNIT_FLOORS_test_catalogue_vocab := catalogue intents common
UNIT_FLOORS_test_corpus       := intents common
UNIT_FLOORS_test_intents      := intents common
UNIT_FLOORS_test_model        := intents common
UNIT_FLOORS_test_normalize    := intents common
UNIT_FLOORS_test_store        := store common
UNIT_FLOORS_test_store_scripts := store common
UNIT_FLOORS_test_store_url    := store common
UNIT_FLOORS_test_store_sms    := store common
UNIT_FLOORS_test_ratelimit    := store common
UNIT_FLOORS_test_sesscodec    := store common
UNIT_FLOORS_test_store_pushq  := store common
UNIT_FLOORS_test_outbox_stream := store common
UNIT_FLOORS_test_config       := bot/app channels intents store common
UNIT_FLOORS_test_conv         := bot/conv bot/app catalogue channels store intents common
UNIT_FLOORS_test_agent_hub    := bot/conv bot/app catalogue channels store intents common
UNIT_FLOORS_test_ussd_screen  := bot/ussd bot/conv bot/app catalogue channels store intents common
# the fuzz targets: pure floors only
FUZZ_FLOORS := bot/app catalogue channels intents common

# make V=1 shows the full command lines
Q := $(if $(V),,@)
say = @$(if $(V),,echo "  $(1)	$(2)")

.PHONY: all asan unit deps run test check check-layers check-generated check-headers lint \
        fuzz fuzz-build fuzz-replay bench soak clean check-config pkg-check accuracy train \
        accuracy-catalogue
.PHONY: deb test-deb

all: build/dvcbot

# [web] the pages' browser library (Chart.js, web/package.json, installed by
# scripts/install-deps.sh): copied to web/vendor/, served as /vendor/NAME, no CDN.
# Without web/node_modules the statistics page shows its tables only.
all: web/vendor/chart.umd.js
web/vendor/chart.umd.js: $(wildcard web/node_modules/chart.js/dist/chart.umd.js)
	@if [ -f web/node_modules/chart.js/dist/chart.umd.js ]; then mkdir -p web/vendor && \
	  cp web/node_modules/chart.js/dist/chart.umd.js $@; \
	  else echo "web: no web/node_modules (make deps): /thong-ke shows tables only"; fi

deps:
	@scripts/install-deps.sh run test

# A missing -dev package is named, not discovered as "hiredis/hiredis.h: No such file".
pkg-check:
	@pkg-config --exists --print-errors $(PKGS) || \
	  { echo "dvcbot: missing libraries above; run 'make deps' (scripts/install-deps.sh)" >&2; exit 1; }

# --- generated: the store's Lua scripts (text + SHA1), every build kind -----
# one run writes both files (and rewrites one only when its text changes)
$(LUA_GEN) &: scripts/embed-lua.py $(LUA_SRC) $(wildcard store/*.h)
	$(call say,GEN,$(GEN)/store/store_lua.[ch])
	$(Q)python3 scripts/embed-lua.py --out $(GEN)/store/store_lua $(sort $(wildcard store/*.h)) $(LUA_SRC)

# --- one object tree per build kind: rel, asan, debug ------------------------
define floor_lib
build/$(1)/lib/$(call lib_name,$(2)): $(patsubst %.c,build/$(1)/obj/%.o,$(call floor_src,$(2))) $(call floor_gen,$(1),$(2))
	@mkdir -p $$(dir $$@)
	$$(call say,AR,$$@)
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^
endef
define build_kind
build/$(1)/obj/%.o: %.c | pkg-check $(LUA_GEN)
	@mkdir -p $$(dir $$@)
	$$(call say,CC/$(1),$$<)
	$$(Q)$$(COMPILE) $(2) $$(CFLAGS) -c $$< -o $$@
build/$(1)/obj/store/store_lua.o: $(GEN)/store/store_lua.c | pkg-check
	@mkdir -p $$(dir $$@)
	$$(call say,CC/$(1),$$<)
	$$(Q)$$(COMPILE) $(2) $$(CFLAGS) -c $$< -o $$@
$(foreach f,$(FLOORS),$(call floor_lib,$(1),$(f))
)
build/$(1)/dvcbot: build/$(1)/obj/bot/main.o $(foreach f,$(LINK_FLOORS),build/$(1)/lib/$(call lib_name,$(f)))
	$$(call say,LINK,$$@)
	$$(Q)$$(CC) $(2) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$< -Wl,--start-group $$(filter %.a,$$^) -Wl,--end-group $$(PKG_LIBS)
-include $(patsubst %.c,build/$(1)/obj/%.d,$(LIB_SRC) bot/main.c store/store_lua.c)
endef
$(eval $(call build_kind,rel,$(REL_CFLAGS)))
$(eval $(call build_kind,asan,$(ASAN_CFLAGS)))
$(eval $(call build_kind,debug,$(DBG_CFLAGS)))

build/dvcbot: build/rel/dvcbot
	$(Q)cp $< $@

# [ops] `dvcbot version`: git describe, rewritten only when it changes (so no rebuild otherwise)
VERSION_H := $(GEN)/bot/cmd/version.h
$(VERSION_H): FORCE
	@mkdir -p $(dir $@)
	@v='#define DVC_VERSION "'"$$(scripts/version.sh)"'"'; \
	  [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" >$@
$(foreach k,rel asan debug,build/$(k)/obj/bot/cmd/cmd_help.o): $(VERSION_H)
.PHONY: FORCE
FORCE:

.SECONDEXPANSION:
# keep every intermediate object (unit and fuzz objects come from pattern chains)
.SECONDARY:
# unit suites: each links only the archives of UNIT_FLOORS_<suite>
build/asan/tests/%: build/asan/obj/tests/unit/%.o \
		$$(foreach f,$$(UNIT_FLOORS_$$*),build/asan/lib/$$(call lib_name,$$(f)))
	@mkdir -p $(dir $@)
	$(if $(UNIT_FLOORS_$*),,$(error tests/unit/$*.c: add UNIT_FLOORS_$* to the Makefile))
	$(call say,LINK,$@)
	$(Q)$(CC) $(ASAN_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(filter %.a,$^) $(PKG_LIBS)
-include $(UNIT_SRC:tests/unit/%.c=build/asan/obj/tests/unit/%.d)

asan: build/asan/dvcbot $(UNIT_BIN)

# [ops] make run installs only what running needs; make test (make deps) adds the test tools
run:
	@scripts/install-deps.sh run
	@$(MAKE) --no-print-directory -j2 build/dvcbot web/vendor/chart.umd.js
	@CATALOGUE='$(CATALOGUE)' scripts/run.sh

# [ops] the Debian package (debian/rules: dpkg tools only); test-deb changes the host (not in make test)
deb: build/dvcbot
	@command -v dpkg-gencontrol >/dev/null || { echo "deb: needs dpkg-dev (apt-get install dpkg-dev)" >&2; exit 1; }
	@debian/rules binary DEB_VERSION=$$(scripts/version.sh --deb)
	@ls build/deb/dvcbot_*_amd64.deb

test-deb:
	@scripts/test-deb.sh

test: deps
	@DVC_REQUIRE_E2E=1 $(MAKE) --no-print-directory check

check: all asan fuzz-build check-layers check-generated lint
	@tests/run-all.sh

unit: $(UNIT_BIN)
	@tests/run-all.sh unit

check-layers: build/rel/dvcbot
	@python3 scripts/check-layers.py build/rel

check-generated: build/dvcbot
	@python3 scripts/gen-fold-table.py > build/fold_table.h.new && \
	  cmp -s build/fold_table.h.new common/fold_table.h || \
	  { echo "check-generated: common/fold_table.h differs from scripts/gen-fold-table.py output" >&2; exit 1; }
	@echo "check-generated: common/fold_table.h is current"
	@build/dvcbot train --out build/intents-model.tsv.new $(TRAIN_CORPORA) && \
	  cmp -s build/intents-model.tsv.new config/intents-model.tsv || \
	  { echo "check-generated: config/intents-model.tsv differs from a retraining (make train)" >&2; exit 1; }
	@echo "check-generated: config/intents-model.tsv is current"

# every header compiles on its own (git's check-headers)
check-headers:
	$(Q)for h in $(filter-out common/fold_table.h,$(wildcard $(addsuffix /*.h,$(FLOORS)) bot/conv/dialogs/*.h)); do \
	  echo "#include \"$$h\"" | $(CC) $(DVC_CPPFLAGS) $(WARN) $(PKG_CFLAGS) -x c -fsyntax-only - || \
	  { echo "check-headers: $$h does not compile alone" >&2; exit 1; }; done
	@echo "check-headers: every header compiles alone"

lint: $(LUA_GEN)
	@command -v cppcheck >/dev/null || { echo "lint: skipped, cppcheck is not installed (make deps)"; exit 0; }; \
	  cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr -I. -I$(GEN) -D_GNU_SOURCE \
	  --suppress=missingIncludeSystem --suppress=varFuncNullUB --enable=warning,portability \
	  $(LIB_SRC) bot/main.c

check-config: build/dvcbot
	build/dvcbot check-config

# every tests/corpus/*.tsv, the shared corpus and ../shared/eval/*.tsv ("skipped" when absent)
accuracy: build/dvcbot
	@python3 scripts/accuracy.py

# The intent model is data fitted on these corpora (never on tests/corpus/heldout.tsv or ../shared/eval).
TRAIN_CORPORA := tests/corpus/intents.tsv tests/corpus/citizens.tsv tests/corpus/complaints.tsv
train: build/dvcbot
	build/dvcbot train --out config/intents-model.tsv $(TRAIN_CORPORA)

# --- libFuzzer ----------------------------------------------------------------
# The fuzz objects are built once (clang, fuzzer-no-link) into archives of the
# pure floors; each target links its own file against them. `make check`
# replays every seed corpus once (-runs=0): each seed is a regression test.
FUZZ_CC     ?= clang
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined
build/fuzz/obj/%.o: %.c | pkg-check
	@mkdir -p $(dir $@)
	$(call say,CC/FUZZ,$<)
	$(Q)$(FUZZ_CC) $(DVC_CPPFLAGS) $(CPPFLAGS) $(WARN) $(PKG_CFLAGS) $(DEPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/libfuzzfloors.a: $(patsubst %.c,build/fuzz/obj/%.o,$(foreach f,$(FUZZ_FLOORS),$(call floor_src,$(f))))
	$(Q)rm -f $@ && $(AR) rcs $@ $^
build/fuzz/%: build/fuzz/obj/tests/fuzz/%.o build/fuzz/libfuzzfloors.a
	$(call say,FUZZ,$@)
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
# the pure files of the store floor: its url parser, the session codec
build/fuzz/fuzz_store_url: build/fuzz/obj/store/redis_url.o
# (its object before the archive: it needs common/utf8)
build/fuzz/fuzz_sesscodec: build/fuzz/obj/tests/fuzz/fuzz_sesscodec.o build/fuzz/obj/store/sesscodec.o \
	build/fuzz/libfuzzfloors.a
	$(call say,FUZZ,$@)
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
# the USSD route's lists read from any stored bytes (pure: jansson, no flow)
build/fuzz/fuzz_ussd_route: build/fuzz/obj/tests/fuzz/fuzz_ussd_route.o build/fuzz/obj/store/sesscodec.o \
	build/fuzz/obj/bot/ussd/ussd_route.o build/fuzz/libfuzzfloors.a
	$(call say,FUZZ,$@)
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
# the typed-answer readers of the dialogs (pure: messages, replies, jansson;
# their objects before the archive: they need common/strs and common/utf8)
build/fuzz/fuzz_dialog_answer: build/fuzz/obj/tests/fuzz/fuzz_dialog_answer.o \
	build/fuzz/obj/bot/conv/dialogs/dialog_answer.o build/fuzz/obj/bot/conv/dialogs/dialog_say.o \
	build/fuzz/libfuzzfloors.a
	$(call say,FUZZ,$@)
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
# the request scanner of the HTTP gate (pure: no lws, no I/O)
build/fuzz/fuzz_http_gate: build/fuzz/obj/bot/http/http_gate_scan.o
-include $(patsubst %.c,build/fuzz/obj/%.d,$(FUZZ_SRC) store/redis_url.c store/sesscodec.c \
	bot/ussd/ussd_route.c \
	bot/conv/dialogs/dialog_answer.c bot/conv/dialogs/dialog_say.c bot/http/http_gate_scan.c \
	$(foreach f,$(FUZZ_FLOORS),$(call floor_src,$(f))))

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

# --- bench, soak --------------------------------------------------------------
build/bench/catalogue_bench: build/rel/obj/tests/bench/catalogue_bench.o \
		build/rel/lib/libcatalogue.a build/rel/lib/libintents.a build/rel/lib/libcommon.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(REL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# the WebSocket load client (C, epoll, no library): tests/bench/ws_load.c
build/bench/ws_load: tests/bench/ws_load.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(REL_CFLAGS) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ $<

# top-1 / top-3 of the procedure question sets on the sample and (when present) the real catalogue
REAL_CATALOGUE ?= ../shared/data/catalogue-real.json
PROC_QUESTIONS := procedure-questions procedure-questions-heldout procedure-questions-2 procedure-questions-heldout-2 \
                  procedure-questions-3 procedure-questions-heldout-3 procedure-questions-heldout-4 procedure-questions-4 \
                  procedure-questions-5 procedure-questions-6
accuracy-catalogue: build/dvcbot
	@for f in $(PROC_QUESTIONS); do echo "$$f:"; \
	  build/dvcbot catalogue eval tests/corpus/$$f.tsv --expect sample --quiet; \
	  if [ -f $(REAL_CATALOGUE) ]; then build/dvcbot catalogue eval tests/corpus/$$f.tsv --expect real --catalogue $(REAL_CATALOGUE) --quiet; \
	  else echo "accuracy-catalogue: real catalogue: skipped ($(REAL_CATALOGUE) absent)"; fi; done

bench: deps all build/bench/catalogue_bench build/bench/ws_load
	@tests/bench/run.sh

soak: deps
	@$(MAKE) --no-print-directory all asan build/debug/dvcbot
	@tests/soak/run.sh

clean:
	rm -rf build
