# tdtools — build, test, install.  See README for the two commands a newcomer runs.
.SUFFIXES:
.SECONDARY:

VERSION   = 0.1.0
PREFIX    = /usr/local
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
DESTDIR   =

CC        = cc
CFLAGS    = -O2 -g
CPPFLAGS  =
LDFLAGS   =
SANITIZE  =

# Debian packages the build, the tests and the tools need (make deps).
DEPS_PKGS = build-essential pkg-config libjansson-dev libssl-dev libcurl4-openssl-dev \
            libarchive-dev libpcre2-dev jq mandoc perl clang libclang-rt-14-dev valgrind \
            gnuplot-nox time python3

WARN      = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
DEFS      = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DTDTOOLS_VERSION='"$(VERSION)"'
INCS      = -Ilib -Icmd/common
LIBS      = -ljansson -lpcre2-8 -lcurl -larchive -lcrypto -lm

# A sanitizer build lives beside the normal one, so the two never mix objects.
OUT       = build/normal
SANFLAGS  =
BIN       = bin
OUT_1     = build/san
BIN_1     = build/san/bin
SANFLAGS_1 = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
O         = $(OUT$(SANITIZE:%=_%))
B         = $(BIN$(SANITIZE:%=_%))
SF        = $(SANFLAGS$(SANITIZE:%=_%))

ALL_CFLAGS  = $(WARN) $(DEFS) $(INCS) $(CPPFLAGS) $(CFLAGS) $(SF) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SF)

LIB_SRC   = $(sort $(wildcard lib/*/*.c))
CLI_SRC   = $(sort $(wildcard cmd/common/*.c))
CMD_SRC   = $(sort $(wildcard cmd/*.c))
UNIT_SRC  = $(sort $(wildcard t/unit/*.c))
LIB_OBJ   = $(LIB_SRC:%.c=$(O)/%.o)
CLI_OBJ   = $(CLI_SRC:%.c=$(O)/%.o)
TOOLS     = $(CMD_SRC:cmd/%.c=$(B)/%)
UNITS     = $(UNIT_SRC:t/unit/%.c=$(O)/unit/%)
MANS      = $(sort $(wildcard man/*.[1-8]))
TESTS     = $(sort $(wildcard t/t[0-9]*.sh))
# Test files run two at a time (each has its own scratch directory and loopback ports); PROVE_JOBS=1 for one.
PROVE_JOBS = 2

.PHONY: all check check-unit check-valgrind check-fuzz fuzz deps deps-check demo bench install uninstall lint clean

all: $(TOOLS) $(UNITS)

$(O)/libtd.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $(LIB_OBJ)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/%: $(O)/cmd/%.o $(CLI_OBJ) $(O)/libtd.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(CLI_OBJ) $(O)/libtd.a $(LIBS)

$(O)/unit/%: $(O)/t/unit/%.o $(O)/libtd.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(O)/libtd.a $(LIBS)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(CMD_SRC:%.c=$(O)/%.d) $(UNIT_SRC:%.c=$(O)/%.d)

# The whole suite: C unit tests (TAP) and the tool tests t/tNNNN-*.sh, under prove.
# TD_BIN tells the tests which build to run; CI=true turns a missing ../shared into a failure.
check: deps-check all
	TD_BIN=$(CURDIR)/$(B) TD_SANITIZE=$(SANITIZE) prove -j$(PROVE_JOBS) --exec '' $(PROVEFLAGS) $(UNITS) $(TESTS)

# The tool tests again with every tool run under valgrind (memcheck, leaks are errors).
check-valgrind: deps-check all
	TD_BIN=$(CURDIR)/$(B) TD_VALGRIND=1 prove -j$(PROVE_JOBS) --exec '' $(PROVEFLAGS) $(TESTS)

check-unit: all
	prove --exec '' $(UNITS)

# libFuzzer targets (t/fuzz/<name>.c, each defining LLVMFuzzerTestOneInput), built with clang and ASan/UBSan
# into build/fuzz/. `make fuzz FUZZ=name FUZZ_TIME=600` fuzzes one target; `make check-fuzz` runs every
# target briefly over its seed corpus (t/fuzz/corpus/<name>/) and the saved crashers (t/fuzz/crashers/).
FUZZ_SRC   = $(sort $(wildcard t/fuzz/*.c))
FUZZERS    = $(FUZZ_SRC:t/fuzz/%.c=build/fuzz/%)
FUZZ_CC    = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TIME  = 60
FUZZ_CHECK_RUNS = 20000
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=build/fuzz/obj/%.o) $(CLI_SRC:%.c=build/fuzz/obj/%.o)

build/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 $(DEFS) $(INCS) $(FUZZ_FLAGS) -c $< -o $@

build/fuzz/%: t/fuzz/%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 $(DEFS) $(INCS) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
		-o $@ $< $(FUZZ_LIB_OBJ) $(LIBS)

fuzz: $(FUZZERS)
	@test -n "$(FUZZ)" || { echo "usage: make fuzz FUZZ=<target> [FUZZ_TIME=seconds]; targets: $(FUZZ_SRC:t/fuzz/%.c=%)"; exit 64; }
	mkdir -p build/fuzz/corpus/$(FUZZ)
	build/fuzz/$(FUZZ) -max_total_time=$(FUZZ_TIME) build/fuzz/corpus/$(FUZZ) t/fuzz/corpus/$(FUZZ)

check-fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$${f##*/}; \
	  if [ -d t/fuzz/crashers/$$n ]; then $$f t/fuzz/crashers/$$n/* || exit 1; fi; \
	  mkdir -p build/fuzz/corpus/$$n; \
	  $$f -runs=$(FUZZ_CHECK_RUNS) build/fuzz/corpus/$$n t/fuzz/corpus/$$n >build/fuzz/$$n.log 2>&1 || \
	    { tail -40 build/fuzz/$$n.log; echo "check-fuzz: $$n failed"; exit 1; }; \
	  echo "$$n: $$(grep -E '^(#[0-9]+|Done)' build/fuzz/$$n.log | tail -1)"; \
	done

# man pages must be mandoc-lint clean.
lint:
	mandoc -T lint -W warning $(MANS)

deps:
	@missing=""; for p in $(DEPS_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all packages present"; exit 0; fi; \
	echo "deps: installing:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "deps: run as root: apt-get install -y$$missing" >&2; exit 1; fi; \
	$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing

# Runs make deps only when a package is missing, so check and demo stay quick.
deps-check:
	@for p in $(DEPS_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || { $(MAKE) --no-print-directory deps; exit $$?; }; \
	done

demo: deps-check all
	TD_BIN=$(CURDIR)/$(B) sh examples/demo/run.sh

bench: deps-check all
	TD_BIN=$(CURDIR)/$(B) sh t/bench/run.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	for t in $(TOOLS); do cp $$t $(DESTDIR)$(BINDIR)/ && chmod 755 $(DESTDIR)$(BINDIR)/$${t##*/}; done
	for m in $(MANS); do s=$${m##*.}; cp $$m $(DESTDIR)$(MANDIR)/man$$s/ && chmod 644 $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

uninstall:
	for t in $(TOOLS); do rm -f $(DESTDIR)$(BINDIR)/$${t##*/}; done
	for m in $(MANS); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

clean:
	rm -rf bin build t/trash
