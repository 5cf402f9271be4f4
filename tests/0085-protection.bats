#!/usr/bin/env bats
# The Cell Key Method protecting what ip-report shows: the attacks that
# undid the small-cell suppression it replaced, tried again on the report
# fixture (twelve cases, most of them alone in their country), and the
# perturbation table checked when it loads.

load helper

setup_file() {
	report_fixture "$BATS_FILE_TMPDIR/fixture"
}

setup() {
	export IP_NOW=2027-01-15
	cp -R "$BATS_FILE_TMPDIR/fixture" "$BATS_TEST_TMPDIR/repo"
	cd "$BATS_TEST_TMPDIR/repo" || return 1
}

# The count of the row whose first cells are $2 (comma-separated; a
# country's name column left out) in CSV file $1, or 0 when it is not there.
count_of() {
	awk -F, -v want="$2" '{ gsub(/\r/, "") } $2 == "name" { skip = 1; next }
		{ key = $1; for (i = 2; i < NF; i++) if (!(skip && i == 2)) key = key "," $i
		  if (key == want) { print $NF; found = 1 } }
		END { if (!found) print 0 }' "$1"
}

@test "no count from 1 to the threshold in any table, total or 'based on'" {
	for by in country sex status age vulnerability programme measure year country,sex; do
		ip-report summary -q --by "$by" -f csv >s.csv
		tail -n +2 s.csv | awk -F, '{ gsub(/\r/, ""); print $NF }' >counts
		! grep -qxE '[12]' counts || { echo "--by $by"; cat s.csv; return 1; }
	done
	ip-report kpi -q -f csv >k.csv
	! awk -F, '{ gsub(/\r/, ""); print $NF }' k.csv | grep -qxE '[12]' || return 1
	ip-report indicators -q --period 2026 -f csv >i.csv
	! awk -F, '{ gsub(/\r/, ""); print $NF }' i.csv | grep -qxE '[12]' || return 1
	# the exact counts have them: what is protected is there to protect
	ip-report summary -q --by country --protection none -f csv >exact.csv
	grep -q $',1\r$' exact.csv
}

@test "the same cases give the same count in every table, every run" {
	ip-report summary -q --by country -f csv >by-country.csv
	ip-report summary -q --by sex --where country=AF -f csv >af.csv
	[ "$(count_of by-country.csv AF)" = "$(count_of af.csv total)" ]
	ip-report summary -q --by country -f csv >again.csv
	cmp by-country.csv again.csv
	# rows shown as 0 are left out: a row that is there says someone is in it
	ip-report summary -q --by country -f csv --protection none >exact.csv
	[ "$(wc -l <by-country.csv)" -lt "$(wc -l <exact.csv)" ]
	! grep -q ',0\r$' by-country.csv || return 1
}

@test "attack: one field's table minus the other's rows does not give a hidden cell" {
	ip-report summary -q --by country -f csv >c.csv
	ip-report summary -q --by country,sex -f csv >cs.csv
	ip-report summary -q --by country,sex -f csv --protection none >exact.csv
	wrong=0
	for c in AF AL GH GM IQ NG RS SN SY TR XK; do
		guess=$(($(count_of c.csv "$c") - $(count_of cs.csv "$c,male")))
		[ "$guess" = "$(count_of exact.csv "$c,female")" ] || wrong=$((wrong + 1))
	done
	# the inference is wrong for most countries of this fixture
	[ "$wrong" -ge 3 ]
}

@test "attack: a total minus the shown rows does not give the people in the rows left out" {
	ip-report summary -q --by country -f csv >c.csv
	ip-report summary -q --by country -f csv --protection none >exact.csv
	total=$(count_of c.csv total)
	shown=$(tail -n +2 c.csv | grep -v '^total' | awk -F, '{ gsub(/\r/, ""); n += $NF } END { print n + 0 }')
	# the true number of people in the countries the protected table leaves out
	left_out=$(for c in $(tail -n +2 exact.csv | cut -d, -f1 | grep -v '^total'); do
		grep -q "^$c," c.csv || count_of exact.csv "$c"; done | awk '{ n += $1 } END { print n + 0 }')
	[ "$left_out" -gt 0 ]
	[ "$((total - shown))" != "$left_out" ]
}

@test "attack: a rate and its base do not give the count the outcome table protects" {
	case=$(ls cases/*.yaml | head -1)
	sed -i -e 's/^status: .*/status: closed/' -e 's/^opened: \(.*\)$/opened: \1\noutcome: completed\nclosed: 2027-01-10/' "$case"
	ip-check -q "$case"
	ip-report kpi -q -f csv >k.csv
	closed_shown=$(awk -F, '/^total,/ { gsub(/\r/, ""); print $2 }' k.csv)
	rate=$(awk -F, '/^closure rate,/ { print $2 }' k.csv | tr -d ' %')
	base=$(awk -F, '/^closure rate,/ { gsub(/\r/, ""); print $3 }' k.csv)
	# the rate is the shown closed count over the shown base, nothing finer
	[ "$(awk -v c="$closed_shown" -v b="$base" 'BEGIN { printf "%.1f", 100 * c / b }')" = "$rate" ]
	[ "$closed_shown" != 1 ]
}

@test "attack: reports a day apart are refused; whole months only" {
	run ip-report summary -q --by country,sex --until 2026-11-20
	assert_failure 64
	assert_output "ip-report: --until: 2026-11-20 is not the last day of a month: a protected report takes whole months (or --protection none, for internal use)"
	run ip-report summary -q --by country --since 2026-11-02
	assert_failure 64
	run ip-report summary -q --by country --since 2026-11-01 --until 2026-11-30
	assert_success
	run ip-report summary -q --by country --until 2026-11-20 --protection none
	assert_success
	assert_output --partial "NOT FOR PUBLICATION"
}

@test "attack: a Land subtracting its own exact partial from the federal report" {
	ip-report summary -q --by country -f json >land1.json
	cp -R . ../land2
	(cd ../land2 && sed -i 's/^repository: .*/repository: 0000000000000/' .integplan/config.yaml &&
		ip-report summary -q --by country -f json >../land2.json)
	ip-report merge -q -f csv land1.json ../land2.json >federal.csv
	ip-report summary -q --by country -f csv --protection none >own.csv
	wrong=0
	for c in AF AL GH GM IQ NG RS SN SY TR XK; do
		other=$(($(count_of federal.csv "$c") - $(count_of own.csv "$c")))
		[ "$other" = "$(count_of own.csv "$c")" ] || wrong=$((wrong + 1))
	done
	[ "$wrong" -ge 3 ]
}

@test "--protection none: exact counts, and every format says not for publication" {
	for f in table csv md html; do
		ip-report summary -q --by country --protection none -f "$f" >out
		grep -q "NOT FOR PUBLICATION" out || return 1
	done
	run ip-report summary --protection nothing
	assert_failure 64
	assert_output "ip-report: --protection: 'nothing' is not cell-key or none"
}

@test "a site's perturbation table is checked when it loads, every problem at its line" {
	mkdir share
	cp -R "$ROOT/share/integplan/." share/
	cat >share/ptable.yaml <<-'EOF'
	schema: integplan/ptable/1
	deviation: 2
	threshold: 2
	rows:
	  - count: 0
	    perturbations:
	      - {value: 1, to: 1}
	  - count: 1
	    perturbations:
	      - {value: 1, to: 0.5}
	      - {value: 2, to: 0.9}
	EOF
	run env IP_SHARE=share ip-report summary -q
	assert_failure 65
	assert_line "ip-report: share/ptable.yaml:7:17: rows[0].perturbations[0].value: a count of 0 is published as 0: zero stays zero"
	assert_line "ip-report: share/ptable.yaml:10:17: rows[1].perturbations[0].value: 1 + 1 publishes 2, which the threshold (2) forbids"
	assert_line "ip-report: share/ptable.yaml:7:24: rows[0].perturbations[0].to: the perturbations of count 0 average 1.0000, not 0: published totals would drift"
	assert_line "ip-report: share/ptable.yaml:11:24: rows[1].perturbations[1].to: the last perturbation must reach 1 (the keys from 0 to 1)"
	# the shipped table is what tools/ptable.py makes
	python3 "$ROOT/tools/ptable.py" | cmp - "$ROOT/share/integplan/ptable.yaml"
}
