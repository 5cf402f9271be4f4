#!/usr/bin/env bats
# ip-report outcomes: the follow-ups due in a period, their surveys' scores
# at 3, 6 and 12 months, sustainability and change since the baseline;
# goldens, merge of halves, refusals; the flags a survey puts on due.

load helper
bats_require_minimum_version 1.5.0

setup_file() {
	outcomes_fixture "$BATS_FILE_TMPDIR/fixture"
}

setup() {
	export IP_NOW=2027-03-01
	cp -R "$BATS_FILE_TMPDIR/fixture" "$BATS_TEST_TMPDIR/repo"
	cd "$BATS_TEST_TMPDIR/repo" || return 1
}

# A command's CSV with LF line ends, for assert_line.
csv_of() {
	"$@" | tr -d '\r'
}

@test "outcomes of 2026 and 2027, exact, as worked out by hand" {
	run csv_of ip-report outcomes -q --period 2026 --protection none -f csv
	assert_success
	# 3 months (due in 2026 for all eight): seven done, six surveyed; the
	# composites 0.08, 0.52 (three), 0.95 (two): median 0.52, five of six
	# at 0.50 or more, one flagged; against a baseline: +0.02, +0.08, +0.45
	assert_line "3,8,7,6,0.52,83.3 %,16.7 %,0.08,100.0 %"
	# 6 months (the six of February): two done, without a survey
	assert_line "6,6,2,0,,,,,"
	# the economic scores at 3 months: 0 (one), 0.35 (three), 0.95 (two)
	assert_line "3 months,0–0.24,1"
	assert_line "3 months,0.25–0.49,3"
	# 12 months (all eight due in 2027): two surveyed, 0.95 (+0.45) and 0.52 (+0.52)
	run csv_of ip-report outcomes -q --period 2027 --protection none -f csv --by sex
	assert_success
	assert_line "12,8,2,2,0.52,100.0 %,0.0 %,0.45,100.0 %"
	assert_line "female,12,4,1,1,0.95,100.0 %,0.0 %,0.45,100.0 %"
	assert_line "male,12,4,1,1,0.52,100.0 %,0.0 %,0.52,100.0 %"
	# a follow-up done after the period's end is not done in it
	run csv_of ip-report outcomes -q --period 2026-Q2 --protection none -f csv
	assert_line "3,6,6,5,0.52,80.0 %,20.0 %,0.08,100.0 %"
}

@test "outcomes in every format (golden), protected, the same on every run" {
	for f in table csv md html json; do
		ip-report outcomes -q --period 2026 -f "$f" >"out.$f"
		diff -u "$GOLDEN/report-outcomes.$f" "out.$f" || return 1
	done
	ip-report outcomes -q --period 2026 --by country -f csv --protection none >exact.csv
	diff -u "$GOLDEN/report-outcomes-exact.csv" exact.csv
	LC_ALL=de_DE.UTF-8 LANGUAGE=de ip-report outcomes -q --period 2026 -f csv >de.csv
	diff -u "$GOLDEN/report-outcomes.de.csv" de.csv
}

@test "outcomes: the merge of two halves equals the report of the whole" {
	halves_merge_to_whole 3 "outcomes --period 2026" "outcomes --period 2027 --by sex" \
		"outcomes --period 2026 --by vulnerability"
}

@test "outcomes merge: only the same survey, and parts that add up" {
	ip-report outcomes -q --period 2026 -f json >all.json
	cp -R . ../other && (cd ../other && sed -i 's/^repository: .*/repository: 0000000000000/' .integplan/config.yaml)
	# another site's survey with another threshold: not the same report
	cp -R "$ROOT/share/integplan" ../site
	sed -i 's/^threshold: 0.5$/threshold: 0.6/' ../site/surveys/rss.yaml
	(cd ../other && IP_SHARE=../site ip-report outcomes -q --period 2026 -f json >../other.json)
	run ip-report merge -f json all.json ../other.json
	assert_failure 65
	assert_output --partial "other.json: survey: differs from the first partial's"
	(cd ../other && ip-report outcomes -q --period 2026 -f json >../other.json)
	ip-report merge -q -f json all.json ../other.json >/dev/null
	cp all.json forged.json
	forge forged.json 'd["outcomes"]["3"]["done"] = 9'
	run ip-report merge -f json forged.json ../other.json
	assert_failure 65
	assert_output "ip-report: forged.json: outcomes.3: 9 is more than the follow-ups due (8): the parts do not add up"
	cp all.json forged.json
	forge forged.json 'd["outcomes"]["3"]["composite"]["250"] = 1; d["outcomes"]["x"] = {}'
	run ip-report merge -f json forged.json ../other.json
	assert_failure 65
	assert_line "ip-report: forged.json: outcomes.3: '250' is not a score in hundredths (0 to 100) with a count"
	assert_line "ip-report: forged.json: outcomes.3: 7 is more than the surveys (6): the parts do not add up"
	assert_line "ip-report: forged.json: outcomes.x: not a number of months after arrival"
	cp all.json forged.json
	forge forged.json 'd["outcomes"]["3"]["opinion"] = 1'
	run ip-report merge -f json forged.json
	assert_failure 65
	assert_output "ip-report: forged.json: outcomes.3: unknown count 'opinion'"
}

@test "outcomes: a missing or bad period, two --by fields, an unknown survey are usage errors (64)" {
	run ip-report outcomes
	assert_failure 64
	assert_output "ip-report: --period: the outcomes report needs --period YYYY, YYYY-QN or YYYY-MM"
	run ip-report outcomes --period 2026-13
	assert_failure 64
	assert_output "ip-report: --period: '2026-13' is not a period (2026, 2026-Q3, 2026-07)"
	run ip-report outcomes --period 2026 --by sex,country
	assert_failure 64
	assert_output "ip-report: --by: outcomes break down by one field"
	run ip-report outcomes --period 2026 --by sx
	assert_failure 64
	assert_output "ip-report: --by: no field 'sx'; did you mean 'sex'?"
	run ip-report outcomes --period 2026 --survey rs
	assert_failure 64
	assert_output "ip-report: no survey 'rs'; did you mean 'rss'?"
}

@test "due: a flagged survey puts the case before its counsellor, a later one takes it off" {
	# the second case was flagged at 3 months, but not at 12: not on the list
	run csv_of ip-report due -q --within 1d -f csv
	assert_success
	refute_output --partial "flagged"
	# a wish to re-migrate and a low composite at 6 months: due at once
	third=$(sed -n 3p opened.txt)
	id=$(basename "$third" .yaml)
	IP_NOW=2027-03-01T09:00:00Z ip-plan follow-up -q -i --date 2027-03-01 --survey rss \
		--answers "$ROOT/tests/answers/low.yaml" "$third" >/dev/null
	run csv_of ip-report due -q --within 1d --counsellor "A. Berger" -f csv
	assert_success
	assert_line "2027-03-01,A. Berger,$id,\"survey rss of 2027-03-01 flagged: remigration, low-composite (composite 0.08)\""
	# doing well again at 12 months
	IP_NOW=2027-03-02T09:00:00Z ip-plan follow-up -q -i --date 2027-03-02 --survey rss \
		--answers "$ROOT/tests/answers/high.yaml" "$third" >/dev/null
	IP_NOW=2027-03-02 run csv_of ip-report due -q --within 1d -f csv
	refute_output --partial "flagged"
}
