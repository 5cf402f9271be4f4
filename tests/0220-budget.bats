#!/usr/bin/env bats
# ip-report budget: what the programmes committed (budgets of agreed plans)
# and paid, by programme, currency and period; exact figures worked out by
# hand, goldens of the protected tables, amounts withheld and moved, the
# merge of halves, forged partials, refusals.

load helper
bats_require_minimum_version 1.5.0

setup_file() {
	budget_fixture "$BATS_FILE_TMPDIR/fixture"
}

setup() {
	export IP_NOW=2026-11-21T09:14:03Z
	cp -R "$BATS_FILE_TMPDIR/fixture" "$BATS_TEST_TMPDIR/repo"
	cd "$BATS_TEST_TMPDIR/repo" || return 1
	mapfile -t c <opened.txt
}

csv_of() {
	"$@" | tr -d '\r'
}

@test "budget of 2026 by quarter, exact, as worked out by hand" {
	run csv_of ip-report budget -q --period 2026 --by quarter --protection none -f csv
	assert_success
	# eleven plans agreed on 2026-03-20 with 1,000 EUR each: the twelfth,
	# not agreed, has committed nothing
	assert_line "REAG-GARP-2,EUR,2026-Q1,11,11000.00,0,0.00"
	# 600 EUR from ten in May, 400 more from four in August
	assert_line "REAG-GARP-2,EUR,2026-Q2,0,0.00,10,6000.00"
	assert_line "REAG-GARP-2,EUR,2026-Q3,0,0.00,4,1600.00"
	# the year: each case once, whatever it had in several quarters
	assert_line "REAG-GARP-2,EUR,total,11,11000.00,10,7600.00"
	assert_line "STARTHILFEPLUS,EUR,2026-Q1,2,600.00,0,0.00"
	assert_line "STARTHILFEPLUS,EUR,2026-Q4,0,0.00,1,300.00"
	assert_line "LAND,EUR,total,1,250.00,0,0.00"
	# a budget without a programme, in its own currency: never added to euros
	assert_line "none,AFN,2026-Q1,1,20000.00,0,0.00"
	# by month, within a quarter; the whole period as one row
	run csv_of ip-report budget -q --period 2026-Q2 --by month --protection none -f csv
	assert_line "REAG-GARP-2,EUR,2026-05,0,0.00,10,6000.00"
	refute_line --partial "2026-Q1"
	run csv_of ip-report budget -q --period 2026-Q3 --protection none -f csv
	assert_line "REAG-GARP-2,EUR,2026-Q3,0,0.00,4,1600.00"
	refute_line --partial "total"
	# the filters of every report
	run csv_of ip-report budget -q --period 2026 --protection none --where country=AF -f csv
	assert_success
	assert_line "REAG-GARP-2,EUR,2026,2,2000.00,2,2000.00"
	assert_line "STARTHILFEPLUS,EUR,2026,2,600.00,1,300.00"
	refute_line --partial "LAND"
}

@test "budget: a payment counts on its day, also from a measure cancelled since; a plan changed since it was agreed commits nothing until agreed again" {
	IP_NOW=2026-09-01T09:00:00Z ip-plan set -q -i --measure M4 --status cancelled \
		--date 2026-09-01 "${c[4]}" >/dev/null
	run csv_of ip-report budget -q --period 2026 --by quarter --protection none -f csv
	assert_line "REAG-GARP-2,EUR,2026-Q1,10,10000.00,0,0.00"
	assert_line "REAG-GARP-2,EUR,2026-Q2,0,0.00,10,6000.00"
	IP_NOW=2026-10-01T09:00:00Z ip-plan approve -q -i --side host --date 2026-10-01 "${c[4]}" >/dev/null
	IP_NOW=2026-10-02T09:00:00Z ip-plan approve -q -i --side return --by "N. Karimi" \
		--date 2026-10-02 "${c[4]}" >/dev/null
	run csv_of ip-report budget -q --period 2026 --by quarter --protection none -f csv
	# agreed again without M4's budget: nothing more to commit
	assert_line "REAG-GARP-2,EUR,2026-Q1,10,10000.00,0,0.00"
	refute_line --partial "REAG-GARP-2,EUR,2026-Q4"
}

@test "budget in every format (golden), protected, the same on every run" {
	for f in table csv md html json; do
		ip-report budget -q --period 2026 --by quarter -f "$f" >"out.$f"
		diff -u "$GOLDEN/report-budget.$f" "out.$f" || return 1
	done
	ip-report budget -q --period 2026 --by quarter -f csv --protection none >exact.csv
	diff -u "$GOLDEN/report-budget-exact.csv" exact.csv
	LC_ALL=de_DE.UTF-8 LANGUAGE=de ip-report budget -q --period 2026 --by quarter -f csv >de.csv
	diff -u "$GOLDEN/report-budget.de.csv" de.csv
	ip-report budget -q --period 2026 --by quarter -f csv >again.csv
	diff -u out.csv again.csv
}

@test "budget protected: counts perturbed, amounts withheld below the base or when one case dominates, else moved by less than the largest case's amount" {
	ip-report budget -q --period 2026 --by quarter -f json >p.json
	run csv_of ip-report budget -q --period 2026 --by quarter -f csv
	assert_success
	# four cases paid in the third quarter: fewer than min_base (10)
	assert_line --regexp '^REAG-GARP-2,EUR,2026-Q3,[0-9]+,,[0-9]+,$'
	# rows shown as nothing are left out (STARTHILFEPLUS's two and one)
	refute_line --partial "STARTHILFEPLUS"
	# each amount shown lies within amount_noise (0.5) times the largest of
	# one case from the true sum
	python3 - p.json <<'PY' || return 1
import csv, json, subprocess, sys
p = json.load(open(sys.argv[1]))
out = subprocess.run(["ip-report", "budget", "-q", "--period", "2026", "--by", "quarter",
                      "-f", "csv"], capture_output=True, text=True).stdout
shown = 0
for row in list(csv.reader(out.splitlines()))[1:]:
    cell = p["budget"]["\x1f".join(row[0:3] if row[2] != "total" else row[0:2] + ["total"])]
    for i, s in ((4, "approved"), (6, "paid")):
        if row[i]:
            true = cell[s]["cents"] / 100
            assert abs(int(row[i]) - true) <= 0.5 * cell[s]["largest"] / 100 + 1, row
            assert int(row[i]) != true, row
            shown += 1
assert shown >= 3, shown
PY
	# a site that withholds an amount one case has more than half of
	cp -R "$ROOT/share/integplan" ../site
	sed -i 's/^amount_noise: .*/amount_noise: 0.1/; s/^dominance: .*/dominance: 0.05/' ../site/reports.yaml
	run csv_of env IP_SHARE=../site ip-report budget -q --period 2026 --by quarter -f csv
	assert_line --regexp '^REAG-GARP-2,EUR,2026-Q1,[0-9]+,,0,$'
	sed -i 's/^amount_noise: .*/amount_noise: 2/' ../site/reports.yaml
	run env IP_SHARE=../site ip-report budget -q --period 2026
	assert_failure 65
	assert_output --partial "amount_noise: score 2 is out of range (0 to 1)"
}

@test "budget: the merge of two halves equals the report of the whole" {
	halves_merge_to_whole 5 "budget --period 2026 --by quarter" "budget --period 2026" \
		"budget --period 2026-Q2 --by month"
}

@test "budget merge: only the same period and unit, and parts that add up" {
	ip-report budget -q --period 2026 --by quarter -f json >all.json
	cp -R . ../other && (cd ../other && sed -i 's/^repository: .*/repository: 0000000000000/' .integplan/config.yaml)
	(cd ../other && ip-report budget -q --period 2026 --by month -f json >../other.json)
	run ip-report merge -f json all.json ../other.json
	assert_failure 65
	assert_output --partial "other.json: by: differs from the first partial's"
	cp all.json forged.json
	forge forged.json 'd["budget"]["REAG-GARP-2\x1fEUR\x1f2026-Q2"]["paid"]["largest"] = 10**9'
	run ip-report merge -f json forged.json
	assert_failure 65
	assert_output "ip-report: forged.json: budget.REAG-GARP-2\\x1FEUR\\x1F2026-Q2.paid: the largest amount is more than the sum: the parts do not add up"
	cp all.json forged.json
	forge forged.json 'd["budget"]["REAG-GARP-2\x1fEUR\x1f2026-Q2"]["paid"]["cents"] += 10**7'
	run ip-report merge -f json forged.json
	assert_failure 65
	assert_line "ip-report: forged.json: budget.REAG-GARP-2\\x1FEUR\\x1F2026-Q2.paid: the sum is more than the largest amount for every case: the parts do not add up"
	assert_line "ip-report: forged.json: budget.REAG-GARP-2\\x1FEUR\\x1Ftotal.paid: the periods do not add up to the total"
	cp all.json forged.json
	forge forged.json 'd["budget"]["XX\x1fEUR\x1f2026-Q2"] = {}; d["budget"]["LAND\x1fEURO\x1f2026-Q1"] = {}; d["budget"]["LAND\x1fEUR\x1f2027-Q1"] = {}; d["budget"]["LAND\x1fEUR\x1ftotal"]["spent"] = {}'
	run ip-report merge -f json forged.json
	assert_failure 65
	assert_line "ip-report: forged.json: budget: 'XX\\x1FEUR\\x1F2026-Q2' is not a programme, a currency and a quarter of the period"
	assert_line "ip-report: forged.json: budget: 'LAND\\x1FEURO\\x1F2026-Q1' is not a programme, a currency and a quarter of the period"
	assert_line "ip-report: forged.json: budget: 'LAND\\x1FEUR\\x1F2027-Q1' is not a programme, a currency and a quarter of the period"
	assert_line "ip-report: forged.json: budget.LAND\\x1FEUR\\x1Ftotal.spent: a cell holds only approved and paid"
	cp all.json forged.json
	forge forged.json 'd["by"] = ["decade"]'
	run ip-report merge -f json forged.json
	assert_failure 65
	assert_output "ip-report: forged.json: by: a budget partial names its period and the unit (year, quarter or month) of its rows"
}

@test "budget: refusals of the request" {
	run ip-report budget
	assert_failure 64
	assert_output "ip-report: --period: the budget report needs --period YYYY, YYYY-QN or YYYY-MM"
	run ip-report budget --period 2026 --by country
	assert_failure 64
	assert_output "ip-report: --by: 'country' is not year, quarter or month: a budget breaks its period down by time"
	run ip-report budget --period 2026-Q2 --by year
	assert_failure 64
	assert_output "ip-report: --by: year is longer than the --period"
	run ip-report budget --period 2026-13
	assert_failure 64
	run ip-report budget --period 2026 --since 2026-02-03
	assert_failure 64
	assert_output --partial "--since: 2026-02-03 is not the first day of a month"
}
