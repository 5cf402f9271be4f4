# IntegPlan — build, test, install.  See README.md.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
LOCALEDIR   ?= $(DATADIR)/locale

CC      ?= cc
CFLAGS  ?= -O2 -g
PKG_CONFIG ?= pkg-config
DEP_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1 jansson nettle libsodium icu-uc icu-i18n pangocairo cairo-pdf fontconfig 2>/dev/null)
DEP_LIBS   := $(shell $(PKG_CONFIG) --libs yaml-0.1 jansson nettle libsodium icu-uc icu-i18n pangocairo cairo-pdf fontconfig 2>/dev/null) -lpthread -lm
# make check SANITIZE=1: everything built with AddressSanitizer and UBSan
# (into its own tree, so a plain build is never mixed with it).
ifeq ($(SANITIZE),1)
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += $(SAN_FLAGS)
endif
ALL_CFLAGS  = $(SAN_FLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Ilib \
              -DIP_DATADIR='"$(DATADIR)/integplan"' -DIP_LOCALEDIR='"$(LOCALEDIR)"' \
              $(DEP_CFLAGS) $(CFLAGS)
LDLIBS     += $(DEP_LIBS)

CMDS    = ip-assess ip-case ip-check ip-intake ip-merge ip-plan ip-refer ip-report
LIBSRC  = $(wildcard lib/*.c)
LIBOBJ  = $(LIBSRC:.c=.o)
HEADERS = $(wildcard lib/*.h)
BINS    = $(addprefix bin/,$(CMDS))
MANS    = man/ip-assess.1 man/ip-case.1 man/ip-check.1 man/ip-intake.1 man/ip-merge.1 man/ip-plan.1 man/ip-refer.1 \
          man/ip-report.1 \
          man/ip-case.5 man/integplan.7

# Message catalogues: po/LANG.po is compiled to share/locale beside bin/,
# where the commands look first (lib/ip_i18n.c), and installed to LOCALEDIR.
LINGUAS = de
CATALOGS = $(LINGUAS:%=share/locale/%/LC_MESSAGES/integplan.mo)

# The shell completions come from the commands' own option tables
# (--completion-helper), so they cannot miss an option.
COMPLETIONS = completions/integplan.bash completions/_integplan $(CMDS:%=completions/%.fish)

all: $(BINS) $(CATALOGS) completions/.generated

completions/.generated: $(BINS) completions/generate.sh
	sh completions/generate.sh bin completions
	@touch $@

share/locale/%/LC_MESSAGES/integplan.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt -c -o $@ $<

# make pot: the template of every message (xgettext); make po: merge it
# into po/LANG.po. tests/0190-i18n.bats fails when a message is missing.
XGETTEXT_FLAGS = --from-code=UTF-8 --add-comments=TRANSLATORS --no-location --sort-output \
	-k_ -kN_ -kip_error:2 -kip_error:5 -kip_warn:2 -kip_warn:5 -kip_inform:2 -kip_inform:5 -kproblem:3 -kcomplain:2 -kip_doc_problem:4 -kgap:3 -kyerr:3 -kbad:3 -krefuse:4 -krefuse_option:2 \
	--flag=ip_error:2:c-format --flag=ip_error:5:c-format --flag=ip_warn:2:c-format --flag=ip_warn:5:c-format --flag=ip_inform:2:c-format --flag=ip_inform:5:c-format --flag=problem:3:c-format --flag=complain:2:c-format --flag=ip_doc_problem:4:c-format \
	--flag=gap:3:c-format --flag=yerr:3:c-format --flag=bad:3:c-format --flag=refuse:4:c-format --flag=refuse_option:2:c-format \
	--package-name=IntegPlan --msgid-bugs-address="the IntegPlan issue tracker"
POT ?= po/integplan.pot
pot:
	xgettext $(XGETTEXT_FLAGS) -o $(POT) lib/*.c cmd/*.c
	@# no creation date: an unchanged source gives an unchanged template
	sed -i '/^"POT-Creation-Date: /d' $(POT)
po: pot
	for l in $(LINGUAS); do msgmerge -q --update --backup=none --no-location --sort-output po/$$l.po $(POT) || exit 1; done

lib/libintegplan.a: $(LIBOBJ)
	$(AR) rcs $@ $(LIBOBJ)

lib/%.o: lib/%.c $(HEADERS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

bin/%: cmd/%.c lib/libintegplan.a $(HEADERS)
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) -o $@ $< lib/libintegplan.a $(LDFLAGS) $(LDLIBS)

tests/signtool: tests/signtool.c lib/libintegplan.a $(HEADERS)
	$(CC) $(ALL_CFLAGS) -o $@ tests/signtool.c lib/libintegplan.a $(LDFLAGS) $(LDLIBS)

UNIT_SRC = tests/unit.c tests/unit_domain.c
tests/unit: $(UNIT_SRC) tests/unit.h lib/libintegplan.a $(HEADERS)
	$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_SRC) lib/libintegplan.a $(LDFLAGS) $(LDLIBS)

# Fuzz targets (tests/fuzz/TARGET.c): built with libFuzzer for make fuzz,
# and with replay.c for make check, which runs every seed and every input
# a fuzzer ever found through them.
FUZZ_TARGETS = yaml json case onepass rows mustache package cache
FUZZ_SECONDS ?= 60
FUZZ_CC     ?= clang
FUZZ_COMMON  = tests/fuzz/common.c tests/fuzz/doc_oracle.c
FUZZ_HEADERS = tests/fuzz/fuzz.h tests/fuzz/doc_oracle.h
FUZZ_DEFS    = -Itests/fuzz -DFUZZ_SRCDIR='"$(CURDIR)"'
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ilib -g -O1 \
               -DIP_DATADIR='"$(DATADIR)/integplan"' $(DEP_CFLAGS) $(FUZZ_DEFS)
FUZZ_LIBOBJ  = $(LIBSRC:lib/%.c=fuzz-build/lib/%.o)
REPLAYS      = $(FUZZ_TARGETS:%=tests/fuzz/bin/%)

tests/fuzz/bin/%: tests/fuzz/%.c tests/fuzz/replay.c $(FUZZ_COMMON) $(FUZZ_HEADERS) lib/libintegplan.a
	@mkdir -p tests/fuzz/bin
	$(CC) $(ALL_CFLAGS) $(FUZZ_DEFS) -o $@ $< tests/fuzz/replay.c $(FUZZ_COMMON) \
	  lib/libintegplan.a $(LDFLAGS) $(LDLIBS)

fuzz-build/lib/%.o: lib/%.c $(HEADERS)
	@mkdir -p fuzz-build/lib
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

fuzz-build/bin/%: tests/fuzz/%.c $(FUZZ_COMMON) $(FUZZ_HEADERS) $(FUZZ_LIBOBJ)
	@mkdir -p fuzz-build/bin
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_COMMON) \
	  $(FUZZ_LIBOBJ) $(LDLIBS)

# make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="yaml json"]
fuzz:
	@sh tools/deps.sh hardening
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=fuzz-build/bin/%)
	@sh tools/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# LD_PRELOAD fault injection for tests/0110-faults.bats
tests/faultshim.so: tests/faultshim.c
	$(CC) -std=c11 -Wall -Wextra $(CFLAGS) -fPIC -shared -o $@ $< -ldl

# make demo with every command under valgrind's memcheck (never on a
# sanitizer build: the two cannot run together)
valgrind:
	@sh tools/deps.sh hardening
	@$(MAKE) --no-print-directory SANITIZE= build-flags
	@$(MAKE) --no-print-directory SANITIZE= all
	@sh tools/valgrind.sh

tools/ip-readall: %: %.c
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

# the generator digests the plans it writes as ip-plan approve does
tools/ip-benchgen: tools/ip-benchgen.c lib/libintegplan.a $(HEADERS)
	$(CC) $(ALL_CFLAGS) -o $@ $< lib/libintegplan.a $(LDFLAGS) $(LDLIBS)

# The published JSON Schemas, generated from the one schema in the code
# (tests/0160-schema.bats fails when they are out of date).
SCHEMAS = case referral-package referral-response transfer-package report-partial
schema: bin/ip-check
	@for s in $(SCHEMAS); do \
		IP_SHARE=share/integplan bin/ip-check --json-schema=$$s >share/integplan/schema/$$s.schema.json || exit 1; \
	done

deps:
	@sh tools/deps.sh

# A tree built with other SANITIZE flags is cleaned first, so a plain
# build never links sanitized objects or the other way round.
build-flags:
	@if [ -f .build-flags ] && [ "$$(cat .build-flags)" != "$(SANITIZE)" ]; then \
		$(MAKE) --no-print-directory clean; fi
	@echo "$(SANITIZE)" >.build-flags

# make check </dev/null: unit tests of lib/ and every tests/*.bats; last line "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory build-flags
	@$(MAKE) --no-print-directory all tests/unit tests/signtool $(REPLAYS) tests/faultshim.so \
	  tools/ip-benchgen
	@sh tests/run.sh </dev/null

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all tools/ip-benchgen tools/ip-readall
	@sh tools/bench.sh

# Every shell script; tests/0050-install-docs.bats runs the same.
SH_SCRIPTS   = tools/*.sh completions/generate.sh tests/run.sh tests/bad/generate.sh share/integplan/git/pre-commit \
               share/integplan/git/post-checkout \
               share/integplan/examples/*.sh
BASH_SCRIPTS = completions/integplan.bash .ci/run tests/helper.bash
lint: completions/.generated
	mandoc -Tlint -Wwarning $(MANS)
	shellcheck -s sh $(SH_SCRIPTS)
	shellcheck -s bash $(BASH_SCRIPTS)

install: all
	install -d -m 755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/integplan $(DESTDIR)$(BASHCOMPDIR) \
	  $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	for l in $(LINGUAS); do \
		install -d -m 755 $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 644 share/locale/$$l/LC_MESSAGES/integplan.mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ || exit 1; \
	done
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7
	cp -R share/integplan/. $(DESTDIR)$(DATADIR)/integplan/
	mkdir -p $(DESTDIR)$(DATADIR)/integplan/templates
	cp -R share/templates/. $(DESTDIR)$(DATADIR)/integplan/templates/
	for c in $(CMDS); do install -m 644 completions/integplan.bash $(DESTDIR)$(BASHCOMPDIR)/$$c; done
	install -m 644 completions/_integplan $(DESTDIR)$(ZSHCOMPDIR)/_integplan
	for c in $(CMDS); do install -m 644 completions/$$c.fish $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; done

uninstall:
	for c in $(CMDS); do rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(MANDIR)/man1/$$c.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/$$c $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; done
	rm -f $(DESTDIR)$(MANDIR)/man5/ip-case.5 $(DESTDIR)$(MANDIR)/man7/integplan.7 \
	  $(DESTDIR)$(ZSHCOMPDIR)/_integplan
	rm -rf $(DESTDIR)$(DATADIR)/integplan
	for l in $(LINGUAS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/integplan.mo; done

clean:
	rm -rf bin share/locale lib/*.o $(COMPLETIONS) completions/.generated lib/libintegplan.a tests/unit tests/signtool tests/faultshim.so tests/fuzz/bin fuzz-build/lib fuzz-build/bin .build-flags tools/ip-benchgen tools/ip-readall demo bench.out valgrind.out

.PHONY: all deps build-flags check demo bench fuzz valgrind lint install uninstall clean schema pot po
