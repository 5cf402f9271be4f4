#!/usr/bin/env bats
# ip-report: each report on a fixed repository (golden), merge, CSV
# safety, the cache; the protection of what it shows is 0085-protection.

load helper
bats_require_minimum_version 1.5.0

setup_file() {
	report_fixture "$BATS_FILE_TMPDIR/fixture"
}

setup() {
	export IP_NOW=2027-01-15
	cp -R "$BATS_FILE_TMPDIR/fixture" "$BATS_TEST_TMPDIR/repo"
	cd "$BATS_TEST_TMPDIR/repo" || return 1
}

@test "summary in every format (golden), the same on every run" {
	for f in table csv md html json; do
		ip-report summary -q --by country,sex -f "$f" >"out.$f"
		diff -u "$GOLDEN/report-summary.$f" "out.$f" || return 1
	done
	run ip-report summary -q --by country,sex -f table --protection none
	assert_success
	assert_line --regexp '^AF +Afghanistan +female +1$'
}

@test "kpi and indicators (golden)" {
	ip-report kpi -q -f table >kpi.txt
	diff -u "$GOLDEN/report-kpi.txt" kpi.txt
	for f in csv md html json; do
		ip-report kpi -q -f "$f" >"kpi.$f"
		diff -u "$GOLDEN/report-kpi.$f" "kpi.$f" || return 1
		ip-report indicators -q --period 2026-Q4 -f "$f" >"ind.$f"
		diff -u "$GOLDEN/report-indicators-protected.$f" "ind.$f" || return 1
	done
	ip-report indicators -q --period 2026-Q4 -f csv --protection none >ind.csv
	diff -u "$GOLDEN/report-indicators.csv" ind.csv
	run ip-report indicators --period 2026-Q5
	assert_failure 64
	assert_output "ip-report: --period: '2026-Q5' is not a period (2026, 2026-Q3, 2026-07)"
	run ip-report indicators
	assert_failure 64
}

# The total of the first table titled $2 in CSV file $1.
total_of() {
	awk -v t="$2" 'index($0, t) == 1 { on = 1 } on && /^total,/ { gsub(/\r/, ""); split($0, f, ","); print f[2]; exit }' "$1"
}

@test "indicators of a past period are the same after later edits" {
	ip-report indicators -q --period 2026-Q4 -f csv >before.csv
	ip-report indicators -q --period 2026-Q4 -f csv --protection none >before-exact.csv
	# a quarter later: a host-side measure begun, a new assessment with a
	# vulnerability, a departure, a new case, a measure done
	export IP_NOW=2027-03-01
	ip-plan set -q -i --measure M1 --status in-progress "$(sed -n 2p opened.txt)" >/dev/null
	ip-assess -q -i --vulnerability single-parent "$(sed -n 3p opened.txt)" >/dev/null
	ip-plan departure -q -i --date 2027-02-10 "$(sed -n 7p opened.txt)" >/dev/null
	ip-plan set -q -i --measure M4 --status done "$(sed -n 1p opened.txt)" >/dev/null
	ip-intake -q --given Neu --family Person --birth-date 1990-01-01 --sex male \
		--nationality AF --return-country AF >/dev/null
	ip-report indicators -q --period 2026-Q4 -f csv >after.csv
	ip-report indicators -q --period 2026-Q4 -f csv --protection none >after-exact.csv
	cmp before.csv after.csv
	cmp before-exact.csv after-exact.csv
	# the later quarter has the later departure
	ip-report indicators -q --period 2027-Q1 -f csv --protection none >q1.csv
	[ "$(total_of q1.csv 'Voluntary returns 2027-Q1 by sex')" = 1 ]
}

@test "a return known only by the partner's arrival counts as a voluntary return" {
	ip-report indicators -q --period 2026-Q4 -f csv --protection none >before.csv
	[ "$(total_of before.csv 'Voluntary returns 2026-Q4 by sex')" = 6 ]
	ip-plan arrival -q -i --date 2026-12-20 "$(sed -n 8p opened.txt)" >/dev/null
	ip-report indicators -q --period 2026-Q4 -f csv --protection none >after.csv
	[ "$(total_of after.csv 'Voluntary returns 2026-Q4 by sex')" = 7 ]
}

@test "indicator definitions are data, checked when they load; partials of other definitions do not merge" {
	mkdir share
	cp -R "$ROOT/share/integplan/." share/
	sed -i -e 's/^    when: after-arrival$/    when: someday/' -e 's/^breakdowns: \[sex, age, vulnerability\]$/breakdowns: [sex, shoe-size]/' share/indicators.yaml
	run env IP_SHARE=share ip-report indicators -q --period 2026
	assert_failure 65
	assert_line --partial "share/indicators.yaml:25:19: breakdowns[1]: 'shoe-size' is not sex, age or vulnerability"
	assert_line --partial "indicators[2].when: 'someday' is not departure or after-arrival"
	cp "$ROOT/share/integplan/indicators.yaml" share/
	ip-report indicators -q --period 2026 -f json >ours.json
	sed -i 's/^    title: {de: Freiwillige Rückkehrende, en: Voluntary returns}$/    title: {de: Rückkehrende, en: Returnees}/' share/indicators.yaml
	run env IP_SHARE=share ip-report merge -f csv ours.json
	assert_failure 65
	assert_output --partial "ours.json: definitions: the partials were counted by other indicator definitions"
}

@test "merge of two halves equals the report of the whole, medians included" {
	mkdir half1 half2
	ls cases/*.yaml | head -5 | xargs -I{} cp {} half1/
	ls cases/*.yaml | tail -n +6 | xargs -I{} cp {} half2/
	for args in "summary --by country,sex" "kpi" "indicators --period 2026"; do
		# shellcheck disable=SC2086
		ip-report $args -q -f json >whole.json
		# shellcheck disable=SC2086
		ip-report $args -q -f json half1 >p1.json
		# shellcheck disable=SC2086
		ip-report $args -q -f json half2 >p2.json
		ip-report merge -q -f json p1.json p2.json >merged.json
		# the same counts; the sources say where they came from
		diff -u <(counts_of whole.json) <(counts_of merged.json) || return 1
		[ "$(grep -c '"selection"' merged.json)" -eq 2 ]
	done
	ip-report merge -q -f table p1.json p2.json >/dev/null
	ip-report summary -q -f json >s.json
	run ip-report merge s.json p1.json
	assert_failure 65
	assert_output --partial "p1.json: report: differs from the first partial's"
}

@test "merge: each source once, only partials as made, parts that add up, counts in range" {
	ip-report summary -q --by country -f json >all.json
	ip-report summary -q --by country -f json cases >sel.json
	# the same partial twice, and a selection beside all the cases
	run ip-report merge -f json all.json all.json
	assert_failure 65
	assert_output --partial "all.json: sources: counts cases of repository"
	assert_output --partial "that all.json counts already"
	run ip-report merge -f json all.json sel.json
	assert_failure 65
	# a Land's merge, then the same Land's own partial again
	cp -R . ../other && (cd ../other && sed -i 's/^repository: .*/repository: 0000000000000/' .integplan/config.yaml &&
		ip-report summary -q --by country -f json >../other.json)
	ip-report merge -q -f json all.json ../other.json >land.json
	run ip-report merge -f json land.json all.json
	assert_failure 65
	assert_output --partial "all.json: sources: counts cases of repository"
	# altered after it was made
	sed 's/"cases": 12/"cases": 13/' all.json >altered.json
	run ip-report merge -f json altered.json ../other.json
	assert_failure 65
	assert_output "ip-report: altered.json: digest: the digest does not match: the partial was altered or damaged after it was made"
	# forged with a fitting digest: groups that do not add up, counts near 2^63
	cp all.json forged.json
	forge forged.json 'd["cases"] += 1'
	run ip-report merge -f json forged.json ../other.json
	assert_failure 65
	assert_output "ip-report: forged.json: groups: these add up to 12, not to the cases (13)"
	cp all.json huge.json
	forge huge.json 'd["cases"] = 2**62; d["groups"]["AF"] = 2**62'
	run ip-report merge -f json huge.json ../other.json
	assert_failure 65
	assert_output --partial "huge.json: cases: a count of 4611686018427387904 is out of range (at most 1000000000000)"
	ip-report kpi -q -f json >kpi.json
	forge kpi.json 'd["counts"]["closed"] = d["cases"] + 5'
	run ip-report merge -f json kpi.json
	assert_failure 65
	assert_output --partial "kpi.json: counts.open: these add up to"
	ip-report indicators -q --period 2026 -f json >ind.json
	forge ind.json 'd["indicators"]["voluntary_returns"]["sex"]["female"] = 99'
	run ip-report merge -f json ind.json
	assert_failure 65
	assert_output --partial "ind.json: indicators.voluntary_returns.sex: these add up to"
	# two clones, in other places, of a repository made before there were
	# ids: still one source
	for d in old1 old2; do
		cp -R . "$BATS_TEST_TMPDIR/$d"
		sed -i '/^repository: /d' "$BATS_TEST_TMPDIR/$d/.integplan/config.yaml"
		(cd "$BATS_TEST_TMPDIR/$d" && ip-report summary -q --by country -f json >"../$d.json")
	done
	run ip-report merge -f json "$BATS_TEST_TMPDIR/old1.json" "$BATS_TEST_TMPDIR/old2.json"
	assert_failure 65
	assert_output --partial "old2.json: sources: counts cases of repository"
	# cases outside any repository
	mkdir -p "$BATS_TEST_TMPDIR/loose" && cp cases/*.yaml "$BATS_TEST_TMPDIR/loose/"
	(cd "$BATS_TEST_TMPDIR/loose" && ip-report summary -q --by country -f json . >../loose.json)
	run ip-report merge -f json "$BATS_TEST_TMPDIR/loose.json"
	assert_failure 65
	assert_output --partial "sources: the partial names no repository it comes from"
}

@test "a filter no case matches is a warning and exit 1, not a quiet empty report" {
	run ip-report summary -q --where country=Afghanistan
	assert_failure 1
	assert_line "ip-report: --where: warning: no case has country=Afghanistan"
	run ip-report summary -q --where country=AG
	assert_failure 1
	assert_line "ip-report: --where: warning: no case has country=AG; did you mean 'AF'?"
	run ip-report due -q --counsellor 'A Berger'
	assert_failure 1
	assert_output "ip-report: --counsellor: warning: no case has an owner or counsellor 'A Berger'; did you mean 'A. Berger'?"
	run ip-report summary -q --where country=AF
	assert_success
}

@test "excel-de writes decimal commas; missing figures are empty; the key figures get no chart; two fields get grouped bars" {
	ip-report kpi -q -f csv --csv-dialect excel-de --protection none >de.csv
	grep -q $'^closure rate;8,3 %;12\r$' de.csv
	grep -q $'^referrals accepted;;0\r$' de.csv
	ip-report kpi -q -f csv --protection none >en.csv
	grep -q $'^closure rate,8.3 %,12\r$' en.csv
	ip-report kpi -q -f html --protection none >kpi.html
	# one chart: the outcomes, not the key figures' mixed values
	[ "$(grep -c '<svg' kpi.html)" -eq 1 ]
	ip-report summary -q --by country,sex -f html --protection none >s.html
	# a heading per country, a bar per sex, each sex in its own colour
	grep -q '<text x="0" y="16" class="g">AF · Afghanistan</text>' s.html
	grep -q '>female</text><rect [^>]* class="c0"/>' s.html
	grep -q '>male</text><rect [^>]* class="c1"/>' s.html
	[ "$(grep -c 'class="g"' s.html)" -eq "$(ip-report summary -q --by country -f csv --protection none | grep -c '^[A-Z][A-Z],')" ]
}

@test "a chart label longer than its room is cut, and whole in its title" {
	c=$(ip-intake --given Ana --family Long --birth-date 1990-01-01 --sex female \
		--nationality SY --return-country SY)
	ip-assess -q -i --vulnerability single-parent "$c"
	LANGUAGE=de ip-report summary -q --by vulnerability -f html --protection none >v.html
	# 29 characters and an ellipsis; the whole label in the title
	grep -q '<title>alleinerziehend mit minderjährigen Kindern</title>alleinerziehend mit minderjäh…</text>' v.html
	# a short one is as it is
	grep -q '>minderjährig</text>' v.html
}

@test "a name like =HYPERLINK(...) comes out inert in CSV; excel-de has ;, a BOM and CRLF" {
	path=$(ip-intake --given '=HYPERLINK("http://x")' --family '+1;-2' --birth-date 1990-01-01 \
		--sex male --nationality SY --return-country SY)
	run ip-report export -q -f csv --fields id,given,family "$path"
	assert_success
	assert_line --partial "\"'=HYPERLINK(\"\"http://x\"\")\",\"'+1;-2\""
	ip-report export -q -f csv --csv-dialect excel-de --fields given,family "$path" >de.csv
	head -c 3 de.csv | od -An -tx1 | grep -q 'ef bb bf'
	grep -q $'given;family\r$' de.csv
	grep -q "\"'+1;-2\"" de.csv
}

@test "export: one row per case, personal data; --pseudonymise drops names, coarsens birth dates, hashes ids" {
	run ip-report export -q -f csv
	assert_success
	[ "${#lines[@]}" -eq 13 ]
	assert_line --partial 'id,status,centre,state,country,region,sex,birth_date'
	assert_output --partial 'Mariam'
	run --separate-stderr ip-report export -f csv
	assert_equal "${stderr_lines[1]}" "ip-report: export: personal data: handle it like the case files"
	run ip-report export -q -f csv --pseudonymise
	assert_failure 64
	head -c 32 /dev/urandom >key
	ip-report export -q -f jsonl --pseudonymise --key-file key >a1.jsonl
	ip-report export -q -f jsonl --pseudonymise --key-file key >a2.jsonl
	cmp a1.jsonl a2.jsonl
	! grep -q 'Mariam\|Ahmadi\|Berger' a1.jsonl || return 1
	grep -q '"birth_date":"1991-Q2"' a1.jsonl
	! grep -q 'BY-MUC-2026' a1.jsonl || return 1
	head -c 32 /dev/urandom >other
	ip-report export -q -f jsonl --pseudonymise --key-file other >b.jsonl
	! cmp -s a1.jsonl b.jsonl || return 1
	run ip-report export --pseudonymise --key-file key --fields id,given
	assert_failure 64
}

@test "export: --anonymise is k-anonymous where the plain columns are not, and says what it did" {
	# the plain columns: several people alone with their country and sex
	ip-report export -q -f csv --fields country,sex | tail -n +2 | sort | uniq -c | awk '$1 < 5' | grep -q .
	run --separate-stderr ip-report export -f csv --anonymise
	assert_success
	assert_equal "${lines[0]}" $'age,sex,country,state,status,outcome,opened,departed,arrived,closed\r'
	[ "${#lines[@]}" -gt 1 ]
	# every combination shown is shared by 5 rows or more
	! printf '%s\n' "${lines[@]:1}" | sort | uniq -c | awk '$1 < 5' | grep -q . || return 1
	# twelve people of eleven countries: only their sex is left to show
	assert_equal "${stderr_lines[1]}" "ip-report: export: anonymous, 5-anonymous over its 10 columns; of 12 rows, 0 have dates as months, 0 as years, 0 also no age, 0 also no country or Land, 0 only whether events happened, 12 no status or events; 0 left out"
	assert_line $'*,female,*,*,*,*,*,*,*,*\r'
	! grep -q 'BY-MUC-2026\|Mariam\|AF-KAB' <<<"$output" || return 1
	# a smaller k keeps more detail; still no row alone
	run ip-report export -q -f csv --anonymise --k 2 --fields sex,status
	! printf '%s\n' "${lines[@]:1}" | sort | uniq -c | awk '$1 < 2' | grep -q . || return 1
	assert_line $'male,assessed\r'
	assert_line $'male,*\r'
	run ip-report export -q --anonymise --fields id
	assert_failure 64
	assert_output "ip-report: --fields: 'id' is not a column of an anonymous export (age, sex, country, state, status, outcome, opened, departed, arrived, closed)"
	run ip-report export -q --anonymise --key-file key
	assert_failure 64
	run ip-report export -q --k 3
	assert_failure 64
	run ip-report export -q --fields record_key
	assert_failure 64
}

@test "due: one line per item falling due, by owner; nothing at all when nothing is due" {
	run bash -c "ip-report due -q -f csv --within 30d | tr -d '\r'"
	assert_success
	assert_line 'due,owner,case,what'
	assert_output --partial 'programme-application'
	run ip-report due -q -f csv --within 30d --counsellor 'Weiß, Lena'
	assert_success
	assert_output --partial 'M1 skills-analysis'
	refute_output --partial 'A. Berger'
	run env IP_NOW=2020-01-01 ip-report due -q -f csv
	assert_success
	assert_output ""
	run ip-report due --within soon
	assert_failure 64
}

@test "the cache: a warm run reads no case; an edit in the same second is noticed" {
	run ip-report summary --by status -f csv
	assert_line "ip-report: 12 cases: 12 read, 0 from the cache"
	[ "$(mode_of .integplan/cache/report.tsv)" = 600 ]
	run ip-report summary --by status -f csv
	assert_line "ip-report: 12 cases: 0 read, 12 from the cache"
	# same size, and the mtime of the cache itself: racy, so read again
	f=$(ls cases/*.yaml | head -2 | tail -1)
	sed -i 's/^status: assessed$/status: departed/' "$f"
	touch -r .integplan/cache/report.tsv "$f"
	run ip-report summary --by status -f table --protection none
	assert_line "ip-report: 12 cases: 1 read, 11 from the cache"
	assert_line --regexp '^departed +4$'
}

@test "a walk in subdirectories: the report as of the same files in one; the cache and the messages about links in path order" {
	ip-report summary -q --by status -f csv --no-cache >flat.csv
	# '-' sorts before '/': a/ is walked before a-b/, but its paths sort after
	mkdir cases/a cases/a-b
	local files=(cases/*.yaml)
	mv "${files[0]}" "${files[1]}" cases/a/
	mv "${files[2]}" cases/a-b/
	run ip-report summary -q --by status -f csv --no-cache
	assert_success
	assert_output "$(cat flat.csv)"
	run ip-report summary --by status -f csv
	assert_line "ip-report: 12 cases: 12 read, 0 from the cache"
	tail -n +2 .integplan/cache/report.tsv | cut -f1 >paths
	LC_ALL=C sort -c paths
	assert_equal "$(wc -l <paths)" 12
	# links named like cases: refused, whatever the order of the directory
	ln -s "../a-b/$(basename "${files[2]}")" cases/a/z.yaml
	ln -s "a-b/$(basename "${files[2]}")" cases/b.yaml
	ln -s "a-b/$(basename "${files[2]}")" cases/0.yaml
	run ip-report summary -q --by status -f csv
	assert_failure 65
	assert_equal "$(grep -c 'is a symbolic link' <<<"$output")" 3
	grep -o '^ip-report: cases/[^:]*' <<<"$output" >refused
	printf 'ip-report: %s\n' cases/0.yaml cases/a/z.yaml cases/b.yaml | diff - refused
	assert_line "$(sed -n 2p flat.csv)"
}

@test "the count of cases read is singular for one, in English and German" {
	local f=(cases/*.yaml)
	run ip-report summary --by status -f csv --no-cache "${f[0]}"
	assert_success
	assert_line "ip-report: 1 case: 1 read, 0 from the cache"
	run env LANGUAGE=de LANG=C.UTF-8 ip-report summary --by status -f csv --no-cache "${f[0]}"
	assert_line "ip-report: 1 Fall: 1 gelesen, 0 aus dem Cache"
}

@test "the count says how many cases could not be read, apart from those read" {
	local f=(cases/*.yaml)
	printf 'schema: integplan/case/1\nid: [\n' >cases/broken.yaml
	run --separate-stderr ip-report summary --by status -f csv --no-cache "${f[0]}" "${f[1]}" \
		cases/broken.yaml cases/missing.yaml
	assert_failure 66
	[[ "$stderr" == *"ip-report: 4 cases: 2 read, 0 from the cache, 2 could not be read"* ]]
	rm cases/broken.yaml
	ip-report summary -q >/dev/null  # the cache, of every case
	printf 'schema: integplan/case/1\nid: [\n' >cases/broken.yaml
	run --separate-stderr ip-report summary --by status -f csv
	assert_failure 65
	[[ "$stderr" == *"ip-report: 13 cases: 0 read, 12 from the cache, 1 could not be read"* ]]
	run --separate-stderr env LANGUAGE=de LANG=C.UTF-8 ip-report summary --by status -f csv \
		cases/broken.yaml
	assert_failure 65
	[[ "$stderr" == *"ip-report: 1 Fall: 0 gelesen, 0 aus dem Cache, 1 konnte nicht gelesen werden"* ]]
}

# A report run that says it read what is given, leaving the cache a run
# from nothing writes.
same_as_rebuilt() {
	run ip-report summary --by status -f csv
	assert_line "ip-report: $1"
	cp .integplan/cache/report.tsv kept.tsv
	rm .integplan/cache/report.tsv
	ip-report summary -q --by status -f csv >/dev/null
	cmp kept.tsv .integplan/cache/report.tsv
}

@test "the cache: written only when it differs, and then as a rebuild would write it (chunks of 2048 files)" {
	rm -f cases/*.yaml
	"$ROOT/tools/ip-benchgen" 5000 cases >/dev/null
	cache=.integplan/cache/report.tsv
	ip-report summary -q --by status -f csv >first.csv
	# unchanged: the cache is not written again, not even to a temp file
	before=$(stat -c '%i %Y.%y' "$cache")
	sleep 0.01
	run ip-report summary --by status -f csv
	assert_line "ip-report: 5000 cases: 0 read, 5000 from the cache"
	[ "$(stat -c '%i %Y.%y' "$cache")" = "$before" ]
	# a file touched in the last chunk: the new cache equals one built anew
	last=$(ls cases/*.yaml | sort | tail -1)
	touch -d '2026-01-01 00:00:00' "$last"
	same_as_rebuilt "5000 cases: 1 read, 4999 from the cache"
	# a file gone in the middle, none changed: the same
	rm "$(ls cases/*.yaml | sort | sed -n 3000p)"
	same_as_rebuilt "4999 cases: 0 read, 4999 from the cache"
	[ "$(wc -l <"$cache")" = 5000 ]
}

# The cache as a report reads it: the entries of its changes, and its own
# for the files the changes do not name, in path order.
merged_view() {
	awk -F '\t' 'FNR == 1 { next }
		FILENAME == ARGV[1] { changed[$1] = 1; print; next }
		!($1 in changed)' "$1.changes" "$1" | LC_ALL=C sort -t "$(printf '\t')" -k1,1
}

@test "the cache: a large one keeps what changed beside it, folded in when that grows or a file is gone" {
	rm -f cases/*.yaml
	"$ROOT/tools/ip-benchgen" 9000 cases >/dev/null
	cache=.integplan/cache/report.tsv
	ip-report summary -q --by status -f csv >first.csv
	[ "$(stat -c %s "$cache")" -ge $((4 << 20)) ]
	before=$(stat -c '%i %Y.%y' "$cache")
	# 1 %: read again, their entries in the changes; the cache as it was
	ls cases/*.yaml | LC_ALL=C sort | awk 'NR % 100 == 0' | xargs touch -d '2026-01-01 00:00'
	run ip-report summary --by status -f csv
	assert_line "ip-report: 9000 cases: 90 read, 8910 from the cache"
	[ "$(stat -c '%i %Y.%y' "$cache")" = "$before" ]
	[ "$(tail -n +2 "$cache.changes" | wc -l)" = 90 ]
	[ "$(stat -c %a "$cache.changes")" = 600 ]
	ip-report summary -q --by status -f csv | cmp - first.csv
	# what it reads is what a rebuild writes
	merged_view "$cache" >merged.tsv
	mv .integplan/cache kept
	ip-report summary -q --by status -f csv >/dev/null
	tail -n +2 "$cache" | cmp - merged.tsv
	rm -r .integplan/cache
	mv kept .integplan/cache
	# unchanged: nothing written, the changes not either
	changes=$(stat -c '%i %Y.%y' "$cache.changes")
	run ip-report summary --by status -f csv
	assert_line "ip-report: 9000 cases: 0 read, 9000 from the cache"
	[ "$(stat -c '%i %Y.%y' "$cache.changes")" = "$changes" ]
	[ "$(stat -c '%i %Y.%y' "$cache")" = "$before" ]
	# changes of another version: ignored, and written anew
	sed -i '1s/^integplan-report-cache 1/integplan-report-cache 0/' "$cache.changes"
	run ip-report summary --by status -f csv
	assert_line "ip-report: ./$cache.changes: warning: not a report cache of this version; ignored and rebuilt"
	assert_line "ip-report: 9000 cases: 90 read, 8910 from the cache"
	[ "$(tail -n +2 "$cache.changes" | wc -l)" = 90 ]
	# more than an eighth of the cache changed: folded in, the changes gone
	ls cases/*.yaml | LC_ALL=C sort | awk 'NR % 7 == 0' | xargs touch -d '2026-01-02 00:00'
	same_as_rebuilt "9000 cases: 1285 read, 7715 from the cache"
	[ ! -e "$cache.changes" ]
	# a few changed, then a file gone: folded in, the file's entry gone
	ls cases/*.yaml | LC_ALL=C sort | awk 'NR % 100 == 1' | xargs touch -d '2026-01-03 00:00'
	ip-report summary -q --by status -f csv >/dev/null
	[ -e "$cache.changes" ]
	gone=$(ls cases/*.yaml | LC_ALL=C sort | sed -n 4500p)
	rm "$gone"
	same_as_rebuilt "8999 cases: 0 read, 8999 from the cache"
	[ ! -e "$cache.changes" ]
	! grep -q "^$gone	" "$cache" || return 1
}

@test "the cache: a damaged or foreign cache is ignored and rebuilt; --no-cache skips it" {
	ip-report summary -q -f csv >/dev/null
	printf 'integplan-report-cache 0 id\nnonsense\n' >.integplan/cache/report.tsv
	run ip-report summary --by country -f csv
	assert_line "ip-report: ./.integplan/cache/report.tsv: warning: not a report cache of this version; ignored and rebuilt"
	assert_line "ip-report: 12 cases: 12 read, 0 from the cache"
	head -1 .integplan/cache/report.tsv | grep -q '^integplan-report-cache 1 '
	sed -i '3s/\t.*//' .integplan/cache/report.tsv
	run ip-report summary --by country -f csv
	assert_success
	assert_line --partial "from the cache"
	ip-report summary -q --by country -f csv --no-cache >nc.csv
	ip-report summary -q --by country -f csv >c.csv
	cmp nc.csv c.csv
	# a directory in its place: the report, and what is wrong with the cache
	rm .integplan/cache/report.tsv
	mkdir .integplan/cache/report.tsv
	run --separate-stderr ip-report summary -q --by country -f csv
	assert_failure 74
	assert_output "$(cat c.csv)"
	[ "$stderr" = "ip-report: ./.integplan/cache/report.tsv: cannot replace: Is a directory" ]
}

@test "threads give the same answer as one" {
	ip-report summary -q --by country,status -f json -j 1 --no-cache >one.json
	ip-report summary -q --by country,status -f json -j 4 --no-cache >four.json
	cmp one.json four.json
}

@test "usage: unknown report or field with a did-you-mean, bad options (64); a bad case (65)" {
	run ip-report sumary
	assert_failure 64
	assert_output "ip-report: no report 'sumary'; did you mean 'summary'?"
	run ip-report summary --by contry
	assert_failure 64
	assert_output "ip-report: --by: no field 'contry'; did you mean 'country'?"
	run ip-report summary --where country
	assert_failure 64
	run ip-report summary -f yaml
	assert_failure 64
	run ip-report summary -q "$FIXTURES/unknown-field.yaml"
	assert_failure 65
	run ip-report merge
	assert_failure 64
}

@test "ISO codes loaded in threads: the same report, and a broken file said the same way" {
	ip-report summary -q --no-cache -j 1 --by country,sex -f csv >one.csv
	ip-report summary -q --no-cache -j 2 --by country,sex -f csv >two.csv
	cmp one.csv two.csv
	mkdir ../codes
	for f in iso_3166-1 iso_3166-2 iso_639-3 iso_4217; do
		cp "/usr/share/iso-codes/json/$f.json" ../codes/
	done
	printf '{"3166-2": [' >../codes/iso_3166-2.json
	printf '{"list": []}' >../codes/iso_639-3.json
	for j in 1 2; do
		run env IP_ISO_CODES="$PWD/../codes" ip-report summary -q --no-cache -j "$j"
		assert_failure 66
		assert_equal "${#lines[@]}" 2
		assert_line --index 0 --regexp "codes/iso_3166-2\.json:1:[0-9]+: cannot read the ISO codes .*: '\]' expected near end of file$"
		assert_line --index 1 --regexp "codes/iso_639-3\.json: cannot read the ISO codes .*: no list in file$"
	done
}
