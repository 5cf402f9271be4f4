#!/usr/bin/env bats
# ip-assess: assessments, rules, filter and in-place use, refusals.

load helper

setup() {
	make_repo
	case_path=$(open_mariam)
}

@test "-i records an assessment, sets status assessed, says which rules fired, prints the path" {
	run ip-assess -i --vulnerability serious-illness --need housing:high --entrepreneurial yes \
		--language deu:B1 --occupation 7411:5 --education isced-3 --risk medium "$case_path"
	assert_success
	assert_line "$case_path"
	assert_line "ip-assess: $case_path: rule serious-illness-medical fired: check medical escort and the cover of medical costs after arrival"
	assert_line "ip-assess: $case_path: rule housing-need fired"
	assert_line "ip-assess: $case_path: priority high"
	grep -qx 'status: assessed' "$case_path"
	diff -u "$GOLDEN/assess-mariam.yaml" "$case_path"
	run ip-check -q "$case_path"
	assert_success
}

@test "a second run of the same assessment changes nothing" {
	ip-assess -q -i --vulnerability serious-illness --need housing:high "$case_path" >/dev/null
	before=$(sha256sum "$case_path")
	run ip-assess -q -i --vulnerability serious-illness --need housing:high "$case_path"
	assert_success
	assert_output "$case_path"
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "without -i the changed case is printed and the file stays as it was" {
	before=$(sha256sum "$case_path")
	run ip-assess -q --need documents "$case_path"
	assert_success
	assert_line "status: assessed"
	assert_line "      - documents"
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "a filter: ip-intake --stdout | ip-assess - | ip-check -" {
	run bash -c 'ip-intake --stdout --centre BY-MUC --given Sami --family Noor --birth-date 2001-01-01 --sex male --nationality IQ --return-country IQ | ip-assess -q --need income - | ip-check -q --print -f jsonl -'
	assert_success
	assert_output --partial '"status":"assessed"'
	assert_output --partial '"rules":["income-need"]'
}

@test "a person under 18 on the day is assessed as a minor" {
	path=$(ip-intake --given Ahmad --family Rahimi --birth-date 2009-06-30 --sex male --nationality AF --return-country AF)
	run ip-assess -i --need education "$path"
	assert_success
	assert_line "ip-assess: $path: rule single-parent-children fired"
	ip-check -q --print -f jsonl "$path" | grep -q '"vulnerabilities":\["minor"\]'
}

@test "a re-assessment after arrival adds one; the latest is current, none is overwritten" {
	ip-assess -q -i --need housing:high "$case_path" >/dev/null
	export IP_NOW=2027-03-02T09:00:00Z
	ip-assess -q -i --side return --by "N. Karimi" --date 2027-03-01 --need income:urgent "$case_path" >/dev/null
	run ip-check -q --print -f jsonl "$case_path"
	assert_output --partial '"assessments":[{"date":"2026-11-21","by":"tester","side":"host","needs":[{"category":"housing","priority":"high"}]'
	assert_output --partial '{"date":"2027-03-01","by":"N. Karimi","side":"return","needs":[{"category":"income","priority":"urgent"}],"priority":"urgent"'
	[ "$(grep -c 'cmd: ip-assess' "$case_path")" = 2 ]
}

@test "--from reads answers from YAML; options add to them" {
	cat >answers.yaml <<'YAML'
vulnerabilities: [pregnant]
needs:
  - {category: medical, priority: high}
skills: {entrepreneurial: false}
readiness: wants to leave in spring
YAML
	run ip-assess -q -i --from answers.yaml --need housing "$case_path"
	assert_success
	run ip-check -q --print -f jsonl "$case_path"
	assert_output --partial '"vulnerabilities":["pregnant"],"needs":[{"category":"medical","priority":"high"},{"category":"housing"}]'
	assert_output --partial '"readiness":"wants to leave in spring"'
	assert_output --partial '"rules":["pregnancy","housing-need"]'
}

@test "--from: a wrong answers file is refused with positions; nothing changes" {
	printf 'needs:\n  - {category: hosing}\nvulnerabilites: [minor]\n' >answers.yaml
	before=$(sha256sum "$case_path")
	run ip-assess -i --from answers.yaml "$case_path"
	assert_failure 65
	assert_line "ip-assess: answers.yaml:2:16: needs[0].category: unknown need 'hosing'; did you mean 'housing'?"
	assert_line "ip-assess: answers.yaml:3:17: vulnerabilites: unknown field 'vulnerabilites'; did you mean 'vulnerabilities'?"
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "--rules takes a site's own rules; a bad rules file is refused with positions" {
	cat >rules.yaml <<'YAML'
schema: integplan/rules/1
rules:
  - id: everyone-gets-counselling
    when: {side: host}
    priority: medium
    recommend: [individual-counselling]
YAML
	run ip-assess -i --rules rules.yaml --risk low "$case_path"
	assert_success
	assert_line "ip-assess: $case_path: rule everyone-gets-counselling fired"
	printf 'schema: integplan/rules/1\nrules:\n  - id: x\n    when: {vulnerability: [minr]}\n    recommend: [housng]\n' >bad.yaml
	run ip-assess -i --rules bad.yaml --risk low "$case_path"
	assert_failure 65
	assert_line "ip-assess: bad.yaml:4:28: rules[0].when.vulnerability[0]: unknown vulnerability 'minr'; did you mean 'minor'?"
	assert_line "ip-assess: bad.yaml:5:17: rules[0].recommend[0]: unknown measure 'housng'; did you mean 'housing'?"
}

@test "each bad option is named, with a did-you-mean; nothing changes (64)" {
	before=$(sha256sum "$case_path")
	run ip-assess -i --vulnerability minr --need hosing:hihg --education 9 --occupation x \
		--language PRS:Z9 --risk extreme --side germany --date 2026-13-01 --entrepreneurial maybe "$case_path"
	assert_failure 64
	assert_line "ip-assess: --vulnerability: unknown vulnerability 'minr'; did you mean 'minor'?"
	assert_line "ip-assess: --need.category: unknown need 'hosing'; did you mean 'housing'?"
	assert_line "ip-assess: --need.priority: unknown priority 'hihg'; did you mean 'high'?"
	assert_line "ip-assess: --education: '9' is not an ISCED 2011 level (isced-0 to isced-8)"
	assert_line "ip-assess: --occupation: 'x' is not an ISCO-08 code (1 to 4 digits)"
	assert_line "ip-assess: --language: 'Z9' is not a CEFR level (A1, A2, B1, B2, C1, C2)"
	assert_line "ip-assess: --risk: unknown level 'extreme' (see ip-intake --list level)"
	assert_line "ip-assess: --side: unknown side 'germany' (see ip-intake --list side)"
	assert_line "ip-assess: --date: '2026-13-01' is not a valid date (YYYY-MM-DD)"
	assert_line "ip-assess: --entrepreneurial: 'maybe' is not yes or no"
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "an invalid case is refused (65) and left alone" {
	sed -i 's/^status: intake$/status: intak/' "$case_path"
	before=$(sha256sum "$case_path")
	run ip-assess -i --need housing "$case_path"
	assert_failure 65
	assert_line --partial "status: unknown case-status 'intak'"
	assert_line "ip-assess: $case_path: not a valid case (see above); nothing changed"
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "standard input cannot be changed in place; no case is a usage error" {
	run ip-assess -i --need housing - <"$case_path"
	assert_failure 64
	assert_output "ip-assess: standard input cannot be changed in place (drop -i)"
	run ip-assess --need housing
	assert_failure 64
}

@test "a batch in place over the sample cases, from a NUL-separated list" {
	ip-intake --from "$ROOT/share/integplan/examples/sample-cases.csv" --allow-duplicate >/dev/null
	n=$(find cases -name "*.yaml" -print0 | ip-assess -q -i -0 --files-from=- --need documents | tr -cd '\0' | wc -c)
	[ "$n" = 13 ]
	[ "$(grep -l 'cmd: ip-assess' cases/*.yaml | wc -l)" = 13 ]
	run ip-check -q
	assert_success
	[ -z "$(find cases -name '.*.tmp*')" ]
}

@test "the same case named twice in one run is changed twice, not locked against itself" {
	run ip-assess -q -i --need housing "$case_path" "./$case_path"
	assert_success
	[ "${#lines[@]}" = 2 ]
	[ "$(grep -c 'cmd: ip-assess' "$case_path")" = 1 ]
	run ip-assess -q -i --need housing "$case_path"
	assert_success
}

@test "a case locked by another process is busy (75) and unchanged" {
	need_tool flock util-linux
	before=$(sha256sum "$case_path")
	flock "$case_path" sleep 3 &
	sleep 0.5
	run env IP_LOCK_TIMEOUT=0.5 ip-assess -i --need housing "$case_path"
	assert_failure 75
	assert_output --partial "case is locked by another process"
	[ "$(sha256sum "$case_path")" = "$before" ]
	wait
}

@test "--household adds a family member once" {
	ip-assess -q -i --household child:2019-02-01:male "$case_path" >/dev/null
	ip-assess -q -i --household child:2019-02-01:male "$case_path" >/dev/null
	[ "$(grep -c 'relation: child' "$case_path")" = 1 ]
	run ip-assess --household cousin "$case_path"
	assert_failure 64
	assert_output "ip-assess: --household.relation: unknown relation 'cousin' (see ip-intake --list relation)"
}

@test "--list shows a vocabulary, plural or not" {
	run ip-assess --list vulnerabilities
	assert_success
	assert_line --regexp '^trafficking-victim +Opfer von Menschenhandel \| victim of trafficking$'
	run ip-assess --list needs
	assert_line --partial 'psychosocial'
}

@test "an assessment without answers is a usage error; --amend changes the side's latest instead of adding one" {
	ip-assess -q -i --need housing:high "$case_path" >/dev/null
	before=$(sha256sum "$case_path")
	run ip-assess -i "$case_path"
	assert_failure 64
	assert_output "ip-assess: nothing to record (--vulnerability, --need, --education, ..., or --from FILE): an assessment without answers would hide the last one"
	run ip-assess -i --side return --by someone "$case_path"
	assert_failure 64
	[ "$(sha256sum "$case_path")" = "$before" ]
	# an answer given later joins the latest assessment: the needs stay
	run ip-assess -i --amend --need income:medium --need housing:urgent --vulnerability serious-illness "$case_path"
	assert_success
	[ "$(grep -c '^  - date:' "$case_path")" -eq 1 ]
	ip-check -q --print -f jsonl "$case_path" | python3 -c 'import json, sys
a = json.loads(sys.stdin.read())["assessments"][-1]
needs = {n["category"]: n["priority"] for n in a["needs"]}
assert needs == {"housing": "urgent", "income": "medium"}, needs
assert a["vulnerabilities"] == ["serious-illness"], a
assert a["priority"] == "urgent" and "medical-care" in a["recommended"], a'
	run ip-case log "$case_path"
	assert_line --partial "ip-assess  assessment of 2026-11-21 amended (host side, priority urgent)"
	# the same again changes nothing; a side with no assessment has nothing to amend
	before=$(sha256sum "$case_path")
	ip-assess -q -i --amend --need income:medium "$case_path" >/dev/null
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-assess -i --amend --side return --need income:low "$case_path"
	assert_failure 65
	assert_output "ip-assess: $case_path: assessments: no assessment of the return side to amend"
	# household members alone add no assessment
	run ip-assess -i --household child:2015-01-01:male "$case_path"
	assert_success
	[ "$(grep -c '^  - date:' "$case_path")" -eq 1 ]
}
