#!/usr/bin/env bats
# The published JSON Schemas (share/integplan/schema/): generated from the
# schema in the code, valid draft 2020-12, met by every fixture and golden
# output, and in agreement with ip-check on valid and invalid cases.

bats_require_minimum_version 1.5.0
load helper

SCHEMAS="$ROOT/share/integplan/schema"

need_jsonschema() {
	python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed"
}

validate() { # SCHEMA FILE...
	python3 "$ROOT/tests/jsonschema-check.py" "$SCHEMAS/$1.schema.json" "${@:2}"
}

@test "the published schemas are what ip-check --json-schema generates (make schema)" {
	for name in case referral-package referral-response transfer-package report-partial; do
		run ip-check --json-schema="$name"
		assert_success
		diff <(printf '%s\n' "$output") "$SCHEMAS/$name.schema.json"
	done
	run ip-check --json-schema=cases
	assert_failure 64
	assert_output "ip-check: --json-schema: no schema 'cases'; did you mean 'case'? (case, referral-package, referral-response, transfer-package, report-partial)"
	run ip-check --json-schema=case cases
	assert_failure 64
	assert_output "ip-check: --json-schema prints a schema and checks no files; drop the paths"
}

@test "every fixture and golden case meets the case schema" {
	need_jsonschema
	export IP_NOW=2026-12-02T12:00:00Z # the sketch's last day
	cd "$BATS_TEST_TMPDIR"
	n=0
	for f in "$GOLDEN"/{intake,assess,plan}-mariam.yaml "$GOLDEN"/sketch.{yaml,json} \
		"$FIXTURES"/{kosovo,norway,sketch}.yaml "$FIXTURES"/sketch.json; do
		n=$((n + 1))
		ip-check -q --print -f json "$f" >"$n-$(basename "$f").json" 2>/dev/null
	done
	run validate case ./*.json
	assert_success
	refute_output --partial invalid
	[ "${#lines[@]}" -eq 9 ]
}

@test "packages, responses and report partials meet their schemas" {
	need_jsonschema
	make_repo
	c=$(open_mariam --planned-departure 2027-02-01)
	ip-assess -q -i --need housing:high --entrepreneurial yes "$c" >/dev/null
	ip-plan new -q -i --template business-startup "$c" >/dev/null
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$c" >../package.json
	cd .. && ip-intake -q --init --centre AF-KBL-PH partner && exchange_keys repo partner &&
		cd partner
	pc=$(ip-intake --from-referral ../package.json)
	ip-refer update -q -i --status accepted "$pc" >/dev/null
	ip-refer respond -q --no-encrypt "$pc" >../response.json
	cd ..
	run validate referral-package package.json
	assert_success
	run validate referral-response response.json
	assert_success
	# a transfer to Cologne
	cd repo
	ip-case consent -q -i --give transfer:NW-CGN "$c" >/dev/null
	ip-refer update -q -i --status revoked "$c" >/dev/null
	ip-case transfer -q --to NW-CGN --no-encrypt "$c" >../transfer.json
	cd ..
	run validate transfer-package transfer.json
	assert_success
	ip-intake -q --init --centre BY-MUC bench
	"$ROOT/tools/ip-benchgen" 200 bench/cases >/dev/null
	ip-report -C bench summary --by country,sex -f json >summary.json
	ip-report -C bench kpi -f json >kpi.json
	ip-report -C bench indicators --period 2026 -f json >indicators.json
	run validate report-partial summary.json kpi.json indicators.json "$GOLDEN/report-summary.json"
	assert_success
	[ "${#lines[@]}" -eq 4 ]
}

# One mutation of a valid case per line: a Python assignment to the case c.
MUTATIONS='del c["person"]
c["status"] = "intak"
c["opened"] = "21.11.2026"
c["person"]["sex"] = 3
c["colour"] = "blue"
c["person"]["nationality"] = []
c["household"] = [{"relation": "spouse", "returning": "yes"}]
c["household"] = [{"relation": "cousin"}]
c["schema"] = "integplan/case/2"
c["return"]["country"] = "Afghanistan"
c["notes"] = [{"at": "2026-11-21", "by": "x", "text": "t"}]
c["person"]["given"] = ""
c["assessments"] = [{"date": "2026-11-21"}]
c["programmes"] = ["REAG"]
c["plan"] = {"measures": [{"id": "M1", "dimension": "economic", "category": "housing", "side": "host", "budget": {"amount": -5, "currency": "EUR"}}]}
c["plan"] = {"measures": [{"id": "M1", "dimension": "economic", "category": "housing", "side": "host", "due": "soon"}]}
c["person"]["languages"] = ["Dari"]
c["centre"] = {"state": "DE-BY"}
c["consent"] = [{"purpose": "referral", "given": "2026-11-21", "x-source": 1, "extra": True}]
c["links"] = [{"case": "BY-MUC-2026-0000I", "relation": "repeat-return"}]'

@test "ip-check and the JSON Schema agree on 60 valid and 20 invalid cases" {
	need_jsonschema
	cd "$BATS_TEST_TMPDIR"
	mkdir -p gen/cases && "$ROOT/tools/ip-benchgen" 60 gen/cases >/dev/null
	mkdir valid invalid
	for f in gen/cases/*.yaml; do
		id=$(basename "$f" .yaml)
		ip-check -q --print -f json "$f" >"valid/$id.json"
	done
	run validate case valid/*.json
	assert_success
	[ "${#lines[@]}" -eq 60 ]
	run ip-check -q valid
	assert_success
	# Each mutation of the first case in a directory of its own, so the file
	# keeps the name of the case's id.
	first=$(find valid -name '*.json' | sort | head -n 1)
	n=0
	while IFS= read -r mutation; do
		n=$((n + 1))
		mkdir "invalid/$n"
		python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(c, open(sys.argv[3], "w"), ensure_ascii=False)' "$first" "$mutation" "invalid/$n/${first#valid/}"
	done <<<"$MUTATIONS"
	[ "$n" -eq 20 ]
	for dir in invalid/*; do
		run ip-check -q "$dir"
		[ "$status" -eq 1 ] || { echo "ip-check accepts $dir: $(cat "$dir"/*)"; false; }
		run validate case "$dir"/*.json
		[ "$status" -eq 1 ] || { echo "the schema accepts $dir: $(cat "$dir"/*)"; false; }
	done
}
