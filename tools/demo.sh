#!/bin/sh
# make demo: a case repository with a dozen varied sample cases (umlauts,
# Arabic and Cyrillic script, a minor, Kosovo), opened and validated by the
# pipeline, then one repeat return and one refusal. Leaves it in demo/.
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/bin:$PATH"
export IP_ACTOR="${IP_ACTOR:-demo}"
step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }
refused() { # COMMAND...: it must fail
	if "$@"; then
		echo "demo: expected a refusal" >&2
		exit 1
	fi
}

rm -rf demo
step "a repository for the Munich return counselling centre" \
	"ip-intake --init --centre BY-MUC --state DE-BY demo"
ip-intake --init --centre BY-MUC --state DE-BY demo

step "open the sample cases of a spreadsheet export, one per row" \
	"ip-intake -C demo --from share/integplan/examples/sample-cases.csv"
ip-intake -C demo --from share/integplan/examples/sample-cases.csv | tee demo/opened.txt

step "validate the whole repository" "ip-check -C demo"
ip-check -C demo

step "assess every case: all need documents (quietly)" \
	"ip-assess -q -i --files-from=demo/opened.txt --need documents"
ip-assess -q -i --files-from=demo/opened.txt --need documents >/dev/null

step "Mariam is a single parent with a housing need who wants to start a business" \
	"grep -l 'given: Mariam' demo/cases/*.yaml | ip-assess -i --files-from=- --vulnerability single-parent ..."
grep -l 'given: Mariam' demo/cases/*.yaml |
	ip-assess -i --files-from=- --vulnerability single-parent --need housing:high \
		--entrepreneurial yes --language deu:B1

step "Ahmad is 17: assessed as a minor, the rules for minors fire (a dry run, nothing written)" \
	"grep -l 'given: Ahmad$' demo/cases/*.yaml | ip-assess --files-from=- --need education >/dev/null"
grep -l 'given: Ahmad$' demo/cases/*.yaml | ip-assess --files-from=- --need education >/dev/null

step "the Iraqi case, as JSON for jq" \
	"grep -l 'given: محمد' demo/cases/*.yaml | ip-check -q --print -f json --files-from=-"
grep -l 'given: محمد' demo/cases/*.yaml | ip-check -q --print -f json --files-from=-

step "Mariam returns a second time: refused with her existing case ..." \
	"ip-intake -C demo --given Mariam --family Ahmadi --birth-date 1991-04-12 ..."
refused ip-intake -C demo --given Mariam --family Ahmadi --birth-date 1991-04-12 \
	--sex female --nationality AF --return-country AF
step "... and opened, linked to it, when the counsellor says so" \
	"ip-intake -C demo ... --allow-duplicate | ip-check --files-from=-"
ip-intake -C demo --given Mariam --family Ahmadi --birth-date 1991-04-12 --sex female \
	--nationality AF --return-country AF --return-region AF-KAB --allow-duplicate |
	ip-check --files-from=-

step "a mistyped case is refused, every problem named, nothing written" \
	"ip-intake -C demo --given Ola --family Nordmann --birth-date 1980-02-30 --sex m --nationality no --return-country NO"
refused ip-intake -C demo --given Ola --family Nordmann --birth-date 1980-02-30 --sex m \
	--nationality no --return-country NO

printf '\nThe repository is in demo/: %s case files, all valid.\n' "$(find demo/cases -name '*.yaml' | wc -l)"
ip-check -q -C demo
