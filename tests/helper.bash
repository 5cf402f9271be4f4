# Shared by every tests/*.bats: the built commands first on PATH, a pinned
# clock, actor and random ids (so outputs can be compared with golden
# files), and a fresh case repository per test.
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
# shellcheck disable=SC2034 # used by the tests that load this file
FIXTURES="$ROOT/tests/fixtures"
# shellcheck disable=SC2034
GOLDEN="$ROOT/tests/golden"
export PATH="$ROOT/bin:$PATH"
export IP_NOW=2026-11-21T09:14:03Z
export IP_ACTOR=tester
export IP_RANDOM_SEED=42
export IP_LOCK_TIMEOUT=1
unset IP_DIR IP_SHARE

# A repository in the test's own directory; the test runs inside it.
make_repo() {
	cd "$BATS_TEST_TMPDIR" || return 1
	ip-intake -q --init --centre BY-MUC --state DE-BY repo
	cd repo || return 1
}

# Open the case of DOMAIN.md's sketch; prints its path.
# shellcheck disable=SC2120 # the test files pass options; planned_case passes none
open_mariam() {
	ip-intake --given Mariam --family Ahmadi --birth-date 1991-04-12 --sex female \
		--nationality AF --return-country AF --return-region AF-KAB \
		--language prs --language deu --consent referral:AF-KBL-PH \
		--programme REAG-GARP-2 --counsellor "A. Berger" "$@"
}

# The case of DOMAIN.md's sketch in a new repository, with an assessment, a
# business start-up plan and a pending referral to Kabul. Its path is $CASE.
CASE=cases/BY-MUC-2026-NMVPY.yaml
planned_case() {
	make_repo
	open_mariam >/dev/null
	ip-assess -q -i --need housing:high --entrepreneurial yes "$CASE" >/dev/null
	ip-plan new -q -i --template business-startup "$CASE" >/dev/null
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$CASE" >/dev/null
}

# The octal mode of a file.
mode_of() {
	stat -c %a "$1"
}
