#!/bin/sh
# Detect missing build and test dependencies; install them with apt-get when we
# can (root, or sudo), otherwise print the exact command and exit 2.
# "deps.sh hardening" adds what make fuzz and make valgrind need.
missing=""
need() { missing="$missing $1"; }

command -v pkg-config >/dev/null 2>&1 || need pkg-config
command -v cc >/dev/null 2>&1 || need gcc
command -v make >/dev/null 2>&1 || need make
if command -v pkg-config >/dev/null 2>&1; then
	pkg-config --exists yaml-0.1 || need libyaml-dev
	pkg-config --exists jansson || need libjansson-dev
	pkg-config --exists nettle || need nettle-dev
	# Packages and responses between centres are signed with Ed25519.
	pkg-config --exists libsodium || need libsodium-dev
	# Names are compared Unicode-normalised, without diacritics (ip-case find).
	pkg-config --exists icu-uc || need libicu-dev
	# Plan documents as PDF: Pango shapes Arabic script and orders
	# bidirectional text, Cairo writes the pages.
	pkg-config --exists pangocairo || need libpango1.0-dev
	pkg-config --exists cairo-pdf || need libcairo2-dev
	pkg-config --exists fontconfig || need libfontconfig-dev
else
	need libyaml-dev; need libjansson-dev; need nettle-dev; need libsodium-dev
	need libicu-dev; need libpango1.0-dev; need libcairo2-dev; need libfontconfig-dev
fi
# The PDF's fonts: Noto for Latin, Cyrillic and Arabic script, and Noto
# Sans Mono for the response form of a referral sheet; the tests
# read the PDFs back with pdftotext and look at their pages with pdftoppm.
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need fonts-noto-core
[ -f /usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf ] || need fonts-noto-mono
command -v pdftotext >/dev/null 2>&1 || need poppler-utils
command -v bats >/dev/null 2>&1 || need bats
[ -f /usr/lib/bats/bats-support/load.bash ] || need bats-support
[ -f /usr/lib/bats/bats-assert/load.bash ] || need bats-assert
[ -f /usr/share/iso-codes/json/iso_3166-1.json ] || need iso-codes
command -v mandoc >/dev/null 2>&1 || need mandoc
# ip-refer encrypts packages to partners with age, as git signs with gpg.
command -v age >/dev/null 2>&1 || need age
# The tests run real git (merges between clones, the hook), parse the zsh
# and fish completions, lint the shell scripts and validate outputs against
# the published JSON Schemas.
command -v git >/dev/null 2>&1 || need git
# ip-case erase --purge-history rewrites a repository's history
command -v git-filter-repo >/dev/null 2>&1 || need git-filter-repo
command -v zsh >/dev/null 2>&1 || need zsh
command -v fish >/dev/null 2>&1 || need fish
command -v shellcheck >/dev/null 2>&1 || need shellcheck
[ -d /usr/lib/python3/dist-packages/jsonschema ] || need python3-jsonschema
# the tests read JSON outputs with jq
command -v jq >/dev/null 2>&1 || need jq
# The message catalogues are compiled with msgfmt; tests/0190-i18n.bats
# checks them with xgettext and msgcmp, and runs under LANG=de_DE.UTF-8,
# whose definition the locales package has.
command -v msgfmt >/dev/null 2>&1 || need gettext
[ -f /usr/share/i18n/locales/de_DE ] || need locales
# tests/0180-browser.bats opens the HTML the commands write in headless
# Chromium and looks at the screenshot.
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
	need chromium
if [ "${1:-}" = hardening ]; then
	command -v clang >/dev/null 2>&1 || need clang
	# libFuzzer's runtime comes in its own package
	ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 ||
		need libclang-rt-dev
	command -v valgrind >/dev/null 2>&1 || need valgrind
fi

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}
# Make the German locale when it is missing and we may; without it the
# test of LANG=de_DE.UTF-8 is skipped (LANGUAGE=de is tested regardless).
german_locale() {
	locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\{0,1\}8' && return 0
	{ [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; } || return 0
	as_root localedef -i de_DE -f UTF-8 de_DE.UTF-8 >/dev/null 2>&1 ||
		echo "integplan: could not make the de_DE.UTF-8 locale; its test is skipped" >&2
}

if [ -z "$missing" ]; then
	german_locale
	exit 0
fi
packages=${missing# }
if [ "$(id -u)" != 0 ] && ! { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
	echo "integplan: missing build dependencies: $packages" >&2
	echo "integplan: install them with: sudo apt-get update && sudo apt-get install -y $packages" >&2
	exit 2
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "integplan: missing build dependencies: $packages (no apt-get here; install them by hand)" >&2
	exit 2
fi
echo "integplan: installing: $packages" >&2
# shellcheck disable=SC2086 # the package list is split on purpose
if ! { as_root apt-get update -qq >&2 &&
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages >&2; }; then
	echo "integplan: installing failed; run: sudo apt-get update && sudo apt-get install -y $packages" >&2
	exit 2
fi
german_locale
