# safecomm: a plain Makefile. `make` builds the server (and the web UI once
# web/package.json exists); `make test` runs every suite under ASan/UBSan.

CC ?= cc
PKGS := libmicrohttpd jansson libsodium xlsxwriter libzip expat sqlite3 libpq libmagic pangocairo \
        icu-uc
WARN := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm
CFLAGS ?= -O2 -g
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# The platform (src/*.c) and the domain modules (src/mod/: the list in
# src/mod/modules.c, one folder per module).
SRCS := $(wildcard src/*.c src/mod/*.c src/mod/*/*.c)
HDRS := $(wildcard src/*.h src/mod/*/*.h)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
MIGRATIONS := $(sort $(wildcard migrations/*/*.sql))
GEN := build/gen/migrations.c

OBJS := $(patsubst src/%.c,build/obj/%.o,$(SRCS)) build/obj/migrations.o
ASAN_LIB_OBJS := $(patsubst src/%.c,build/asan/%.o,$(LIB_SRCS)) build/asan/migrations.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,build/test/%,$(UNIT_SRCS))

# libFuzzer targets (tests/fuzz/fuzz_*.c): clang, against the library built
# again with coverage for the fuzzer and ASan/UBSan (build/fuzz/obj).
FUZZ_CC := clang
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_LIB_OBJS := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIB_SRCS)) build/fuzz/obj/migrations.o
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 30

.PHONY: all run test bench clean setup format format-check cppcheck layers unit blackbox blackbox-sqlite \
        blackbox-pg web fuzz fuzz-short

all: build/safecomm web

build/safecomm: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(PKG_LIBS)

build/asan/safecomm: build/asan/main.o build/asan/libsafecomm.a
	$(CC) $(SAN) -g -o $@ $^ $(PKG_LIBS)

build/asan/libsafecomm.a: $(ASAN_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

build/obj/%.o: src/%.c $(HDRS) | build/obj
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Isrc -c -o $@ $<

build/asan/%.o: src/%.c $(HDRS) | build/asan
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -Isrc -c -o $@ $<

build/obj/migrations.o: $(GEN) src/migrations.h | build/obj
	$(CC) $(WARN) $(CFLAGS) -Isrc -c -o $@ $<

build/asan/migrations.o: $(GEN) src/migrations.h | build/asan
	$(CC) $(WARN) -O1 -g $(SAN) -Isrc -c -o $@ $<

$(GEN): $(MIGRATIONS) scripts/embed-migrations.sh | build/gen
	sh scripts/embed-migrations.sh $@ $(MIGRATIONS)

build/test/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(HDRS) build/asan/libsafecomm.a | build/test
	$(CC) $(WARN) -Wno-missing-prototypes -O1 -g $(SAN) $(PKG_CFLAGS) -Isrc -Itests/unit \
	    -o $@ $< build/asan/libsafecomm.a $(PKG_LIBS)

build/bench/sqlite-writes: bench/sqlite-writes.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -o $@ $< -lsqlite3 -lpthread

build/test/mkxlsx: tests/tools/mkxlsx.c | build/test
	$(CC) $(WARN) -O2 -o $@ $< -lxlsxwriter -lcsv

build/fuzz/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -Isrc -c -o $@ $<

build/fuzz/obj/migrations.o: $(GEN) src/migrations.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(WARN) -O1 -g $(FUZZ_SAN) -Isrc -c -o $@ $<

build/fuzz/libsafecomm.a: $(FUZZ_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(HDRS) build/fuzz/libsafecomm.a
	$(FUZZ_CC) $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer $(PKG_CFLAGS) -Isrc -Itests/fuzz \
	    -o $@ $< build/fuzz/libsafecomm.a $(PKG_LIBS)

build/obj build/asan build/gen build/test:
	mkdir -p $@

# The web UI, when it exists (issue: the web console). `npm ci` runs when
# package-lock.json is newer than the installed tree, and the Vite build (with
# .gz copies for the server) when a source is newer than web/dist/index.html.
web:
	@if [ -f web/package.json ]; then \
	    scripts/setup.sh web && cd web \
	    && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; } \
	    && if [ ! -f dist/index.html ] || [ -n "$$(find index.html vite.config.js package.json \
	            package-lock.json src public scripts -newer dist/index.html 2>/dev/null | head -n 1)" ]; \
	        then npm run build; else echo "web: web/dist is up to date"; fi; fi

# Browser tests of the UI (tests/browser/run.mjs): Debian's chromium, headless,
# against build/safecomm on a demo database. Ends with "N passed, N failed".
.PHONY: browser
browser: build/safecomm web
	@scripts/setup.sh browser
	node tests/browser/run.mjs

setup:
	@scripts/setup.sh build

run: setup all
	@mkdir -p var
	@if [ ! -f var/safecomm.db ]; then \
	    SAFECOMM_ADMIN_PASSWORD="$${SAFECOMM_ADMIN_PASSWORD:-Safecomm-Demo-2025}" \
	    build/safecomm demo --db var/safecomm.db; fi
	@echo "safecomm: http://127.0.0.1:8080/"
	@echo "登录：admin / $${SAFECOMM_ADMIN_PASSWORD:-Safecomm-Demo-2025}（演示用户 county、town、village、unit 同一密码）"
	build/safecomm serve --db var/safecomm.db --listen 127.0.0.1:8080

format:
	clang-format -i $(SRCS) $(HDRS) tests/unit/*.c tests/unit/*.h tests/tools/*.c bench/*.c \
	    tests/fuzz/*.c tests/fuzz/*.h

format-check:
	@clang-format --dry-run -Werror $(SRCS) $(HDRS) tests/unit/*.c tests/unit/*.h \
	    tests/tools/*.c bench/*.c tests/fuzz/*.c tests/fuzz/*.h && echo "format: 1 passed, 0 failed"

# The platform's includes have no cycle, include no module header and name no
# module (docs/architecture.md).
layers:
	@scripts/check-layers.sh

cppcheck: $(GEN)
	@cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
	    --inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE -Isrc src/ \
	    && echo "cppcheck: 1 passed, 0 failed"

unit: $(UNIT_BINS)
	@scripts/run-unit.sh $(UNIT_BINS)

# Fuzzing (docs/reliability.md): `make fuzz` builds the targets;
# `make fuzz-short` runs each for FUZZ_SECONDS (30) from its seed corpus and
# ends with "fuzz: N passed, N failed".
fuzz: $(FUZZ_BINS)

fuzz-short: fuzz
	@scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# The black-box suite twice: on SQLite, then on PostgreSQL in a throwaway
# cluster (scripts/pg-test-server.sh) that this target starts and stops. Each
# run prints its own "N passed, N failed".
blackbox: build/asan/safecomm build/test/mkxlsx
	@s1=0; s2=0; \
	echo "== black-box suite on SQLite"; \
	$(MAKE) --no-print-directory blackbox-sqlite || s1=1; \
	echo "== black-box suite on PostgreSQL"; \
	$(MAKE) --no-print-directory blackbox-pg || s2=1; \
	[ $$s1 -eq 0 ] && [ $$s2 -eq 0 ]

blackbox-sqlite: build/asan/safecomm build/test/mkxlsx
	SAFECOMM_BIN=build/asan/safecomm node tests/blackbox/run.js $(BB_FILTER)

blackbox-pg: build/asan/safecomm build/test/mkxlsx
	@dir=$$(mktemp -d /tmp/safecomm-pg-XXXXXX); \
	port=$$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'); \
	uri=$$(scripts/pg-test-server.sh start $$dir $$port) || { rm -rf $$dir; exit 1; }; \
	SAFECOMM_BIN=build/asan/safecomm SAFECOMM_TEST_BACKEND=pg SAFECOMM_TEST_PG=$$uri \
	    SAFECOMM_TEST_PG_DIR=$$dir node tests/blackbox/run.js $(BB_FILTER); rc=$$?; \
	scripts/pg-test-server.sh stop $$dir $$port; exit $$rc

# Every suite runs even when an earlier one fails; the exit status says
# whether all passed.
test:
	@scripts/setup.sh test browser
	$(MAKE) --no-print-directory build/safecomm
	@rc=0; for t in format-check cppcheck layers unit fuzz-short blackbox browser; do \
	    $(MAKE) --no-print-directory $$t || { rc=1; echo "make $$t: FAILED"; }; \
	done; exit $$rc

bench: setup build/safecomm
	bench/all.sh

clean:
	rm -rf build
