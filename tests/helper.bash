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
unset IP_DIR IP_SHARE IP_LOCALEDIR
# English messages, whatever the locale of the one running the tests
export LC_ALL=C.UTF-8
unset LANGUAGE LANG LC_MESSAGES

# A tool a test needs (chromium, pdftotext, ...): the test is skipped
# without it, except where IP_REQUIRE_TOOLS is set (CI: .ci/run), where a
# missing tool fails it, so that nothing CI should look at goes unseen.
need_tool() { # COMMAND PACKAGE
	command -v "$1" >/dev/null && return 0
	[ -z "${IP_REQUIRE_TOOLS:-}" ] || fail "$1 is not installed ($2; tools/deps.sh installs it)"
	skip "$1 is not installed ($2; tools/deps.sh installs it)"
}

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

# The repository of the report tests, made in $1 and entered: the twelve
# sample cases, assessed and planned; some departed and arrived, one plan
# agreed, one case closed. Each event is recorded on its day (nothing is
# dated ahead of its today); the tests then run on 2027-01-15.
report_fixture() {
	ip-intake -q --init --centre BY-MUC --state DE-BY "$1"
	cd "$1" || return 1
	ip-intake -q --from "$ROOT/share/integplan/examples/sample-cases.csv" >opened.txt
	ip-assess -q -i --files-from=opened.txt --need documents >/dev/null
	ip-plan new -q -i --files-from=opened.txt --template employment >/dev/null
	first=$(head -1 opened.txt)
	ip-plan set -q -i --measure M3 --status "done" "$first" >/dev/null
	ip-plan set -q -i --measure M1 --status "done" "$first" >/dev/null
	IP_NOW=2026-12-05T09:00:00Z ip-plan approve -q -i --side host --date 2026-12-05 "$first" >/dev/null
	head -6 opened.txt | IP_NOW=2026-12-10T09:00:00Z \
		ip-plan departure -q -i --files-from=- --date 2026-12-10 >/dev/null
	head -3 opened.txt | IP_NOW=2026-12-11T09:00:00Z \
		ip-plan arrival -q -i --files-from=- --date 2026-12-11 >/dev/null
	IP_NOW=2026-12-29T09:00:00Z ip-plan approve -q -i --side return --by "N. Karimi" \
		--date 2026-12-29 "$first" >/dev/null
	sed -i 's/^status: .*/status: closed/; s/^opened: \(.*\)/opened: \1\noutcome: completed\nclosed: 2027-01-10/' \
		"$(sed -n 12p opened.txt)"
	IP_NOW=2027-01-15T09:00:00Z ip-check -q
}

# Repositories that exchange packages know each other's signing keys: one
# partner directory (the site's, each repository's centre with its sign:
# key from ip-refer key) beside the first, named in every one's config.
# REPO...
exchange_keys() {
	local dir repo centre key
	dir="$(cd "$(dirname "$1")" && pwd)/signed-partners.yaml"
	cp "$ROOT/share/integplan/partners.yaml" "$dir"
	for repo in "$@"; do
		centre=$(sed -n 's/^  id: //p' "$repo/.integplan/config.yaml")
		key=$(ip-refer -C "$repo" key)
		sed -i "s|^  - id: $centre\$|&\n    sign: $key|" "$dir"
		grep -q '^partners:' "$repo/.integplan/config.yaml" ||
			printf 'partners: %s\n' "$dir" >>"$repo/.integplan/config.yaml"
	done
}

# The repository of the outcome tests, made in $1 and entered: eight cases
# that arrived in 2026 (six on 2 February, two on 1 July), with consent to
# follow-up but the last; baselines, and surveys at 3 and 12 months whose
# scores tests/answers/*.yaml state. The tests run on 2027-03-01.
outcomes_fixture() {
	local s="$ROOT/tests/answers"
	ip-intake -q --init --centre BY-MUC --state DE-BY "$1"
	cd "$1" || return 1
	cat >people.csv <<'CSV'
given,family,birth_date,sex,nationality,return_country,consent,counsellor
Mariam,Ahmadi,1991-04-12,female,AF,AF,counselling;follow-up:AF-KBL-PH,A. Berger
Ahmad,Rahimi,1988-06-30,male,AF,AF,counselling;follow-up:AF-KBL-PH,A. Berger
Layla,Hassan,1979-01-15,female,IQ,IQ,counselling;follow-up:IQ-BGD-IOM,A. Berger
Omar,Jabbar,1995-09-02,male,IQ,IQ,counselling;follow-up:IQ-BGD-IOM,A. Berger
Farid,Nazari,2001-03-21,male,AF,AF,counselling;follow-up:AF-KBL-PH,A. Berger
Zahra,Karimi,1984-11-11,female,AF,AF,counselling;follow-up:AF-KBL-PH,A. Berger
Karim,Aziz,1990-05-05,male,IQ,IQ,counselling;follow-up:IQ-BGD-IOM,A. Berger
Nadia,Sultani,1998-08-08,female,AF,AF,counselling,A. Berger
CSV
	IP_NOW=2026-01-10T09:00:00Z ip-intake -q --from people.csv >opened.txt
	IP_NOW=2026-01-12T09:00:00Z ip-plan new -q -i --files-from=opened.txt --template employment >/dev/null
	mapfile -t c <opened.txt
	local day=2026-01-20
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --baseline --date $day --survey rss-baseline --answers "$s/baseline-mid.yaml" "${c[0]}" "${c[2]}" >/dev/null
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --baseline --date $day --survey rss-baseline --answers "$s/baseline-low.yaml" "${c[1]}" >/dev/null
	printf '%s\n' "${c[@]:0:6}" | IP_NOW=2026-02-02T09:00:00Z ip-plan arrival -q -i --files-from=- --date 2026-02-02 >/dev/null
	printf '%s\n' "${c[@]:6:2}" | IP_NOW=2026-07-01T09:00:00Z ip-plan arrival -q -i --files-from=- --date 2026-07-01 >/dev/null
	day=2026-05-04
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --date $day --survey rss --answers "$s/mid.yaml" "${c[0]}" "${c[3]}" >/dev/null
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --date $day --survey rss --answers "$s/low.yaml" "${c[1]}" >/dev/null
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --date $day --survey rss --answers "$s/high.yaml" "${c[2]}" "${c[4]}" >/dev/null
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --date $day "${c[5]}" >/dev/null
	day=2026-08-03
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --date $day "${c[0]}" "${c[1]}" >/dev/null
	day=2026-10-02
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --date $day --survey rss --answers "$s/mid.yaml" "${c[6]}" >/dev/null
	day=2027-02-03
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --date $day --survey rss --answers "$s/high.yaml" "${c[0]}" >/dev/null
	IP_NOW=${day}T09:00:00Z ip-plan follow-up -q -i --date $day --survey rss --answers "$s/mid.yaml" "${c[1]}" >/dev/null
	IP_NOW=2027-03-01T09:00:00Z ip-check -q
}

# A repository of budgets approved and paid in 2026 (tests/0220): the
# twelve sample cases with the employment plan (M4: 1,000 EUR of
# REAG-GARP-2); two more budgets of StarthilfePlus, one of the Land, one
# in AFN without a programme; eleven plans agreed on 2026-03-20 (the
# twelfth never); 600 EUR paid from M4 of the first ten on 2026-05-04,
# 400 more from the first four on 2026-08-04, 300 from StarthilfePlus on
# 2026-11-02.
budget_fixture() {
	ip-intake -q --init --centre BY-MUC --state DE-BY "$1"
	cd "$1" || return 1
	IP_NOW=2026-01-05T09:00:00Z ip-intake -q --from "$ROOT/share/integplan/examples/sample-cases.csv" >opened.txt
	IP_NOW=2026-01-06T09:00:00Z ip-plan new -q -i --files-from=opened.txt --template employment >/dev/null
	mapfile -t c <opened.txt
	local add=(ip-plan add -q -i --dimension social --side return)
	IP_NOW=2026-01-07T09:00:00Z "${add[@]}" --category social-protection --amount 300 \
		--programme STARTHILFEPLUS "${c[0]}" "${c[1]}" >/dev/null
	IP_NOW=2026-01-07T09:00:00Z "${add[@]}" --category legal-services --amount 250 \
		--programme LAND "${c[2]}" >/dev/null
	IP_NOW=2026-01-07T09:00:00Z "${add[@]}" --category community-project --amount 20000 \
		--currency AFN "${c[3]}" >/dev/null
	printf '%s\n' "${c[@]:0:11}" | IP_NOW=2026-02-10T09:00:00Z \
		ip-plan approve -q -i --side host --date 2026-02-10 --files-from=- >/dev/null
	printf '%s\n' "${c[@]:0:11}" | IP_NOW=2026-03-20T09:00:00Z \
		ip-plan approve -q -i --side return --by "N. Karimi" --date 2026-03-20 --files-from=- >/dev/null
	printf '%s\n' "${c[@]:0:10}" | IP_NOW=2026-05-04T09:00:00Z \
		ip-plan pay -q -i --measure M4 --amount 600 --date 2026-05-04 --files-from=- >/dev/null
	printf '%s\n' "${c[@]:0:4}" | IP_NOW=2026-08-04T09:00:00Z \
		ip-plan pay -q -i --measure M4 --amount 400 --date 2026-08-04 --files-from=- >/dev/null
	IP_NOW=2026-11-02T09:00:00Z ip-plan pay -q -i --measure M5 --amount 300 --date 2026-11-02 \
		"${c[0]}" >/dev/null
	IP_NOW=2026-11-21T09:00:00Z ip-check -q
}

# In a repository: split its cases in two halves (N in the first), and
# check for each ip-report command line (a report and its options, one
# word each) that the merge of the halves' partials counts what the whole's
# partial does and renders the same CSV.
halves_merge_to_whole() {
	local n=$1 args files=(cases/*.yaml)
	shift
	mkdir half1 half2
	cp "${files[@]:0:n}" half1/
	cp "${files[@]:n}" half2/
	for args in "$@"; do
		# shellcheck disable=SC2086
		ip-report $args -q -f json >whole.json
		# shellcheck disable=SC2086
		ip-report $args -q -f json half1 >p1.json
		# shellcheck disable=SC2086
		ip-report $args -q -f json half2 >p2.json
		ip-report merge -q -f json p1.json p2.json >merged.json
		diff -u <(counts_of whole.json) <(counts_of merged.json) || return 1
		# shellcheck disable=SC2086
		ip-report $args -q -f csv >whole.csv
		ip-report merge -q -f csv p1.json p2.json >merged.csv
		diff -u whole.csv merged.csv || return 1
	done
}

# A partial without its sources and digest, keys sorted: what it counts.
counts_of() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
d.pop("sources"); d.pop("digest")
print(json.dumps(d, indent=1, sort_keys=True))' "$1"
}

# Edit a partial with a Python expression on d, and give it the digest a
# forger would compute.
forge() {
	python3 -c 'import json, re, sys, hashlib
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
d.pop("digest", None)
text = json.dumps(d, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
# jansson escapes a control character in upper case hex (a key separator)
text = re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m.group(1).upper(), text)
d["digest"] = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
json.dump(d, open(sys.argv[1], "w"), indent=2)' "$1" "$2"
}
