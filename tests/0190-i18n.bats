#!/usr/bin/env bats
# German and English: messages, --help and report labels follow the locale
# (LANGUAGE=de, or LANG=de_DE.UTF-8); data never does. The catalogue
# po/de.po covers every message of the sources.

load helper

bats_require_minimum_version 1.5.0

# German for one command: the locale the user would have, with LANGUAGE
# naming the language (glibc ignores LANGUAGE only in the C locale).
de() {
	LC_ALL=C.UTF-8 LANGUAGE=de "$@"
}

@test "errors come in German with the same positions, fields and exit status" {
	make_repo
	open_mariam >/dev/null
	sed -i '/^  family:/d' "$CASE"
	run --separate-stderr de ip-check "$CASE"
	assert_failure 1
	[[ "$stderr" =~ ip-check:\ $CASE:[0-9]+:[0-9]+:\ person.family:\ Pflichtfeld\ \'family\'\ fehlt ]]
	sed -i 's/^  sex: female/  sex: femal/' "$CASE"
	run --separate-stderr de ip-check "$CASE"
	[[ "$stderr" == *": person.sex: unbekannt: sex 'femal'; meinten Sie 'female'?"* ]]
	[[ "$stderr" == *"ip-check: 1 Datei: 0 gültig, 1 ungültig"* ]]
	run --separate-stderr ip-check "$CASE"
	assert_failure 1
	[[ "$stderr" == *"missing required field 'family'"* ]]
	[[ "$stderr" == *"ip-check: 1 file: 0 valid, 1 invalid"* ]]
	# the C library's part of a message is German too, and so are plurals
	run --separate-stderr de ip-check nothere.yaml "$CASE" cases
	assert_failure 66
	[[ "$stderr" == *"nothere.yaml: kann nicht öffnen: "* ]]
	[[ "$stderr" == *"3 Dateien: "* ]]
}

@test "usage errors and did-you-mean in German; exit codes stay" {
	make_repo
	run --separate-stderr de ip-report sumary
	assert_failure 64
	[ "$stderr" = "ip-report: Bericht 'sumary' gibt es nicht; meinten Sie 'summary'?" ]
	run --separate-stderr ip-report sumary
	[ "$stderr" = "ip-report: no report 'sumary'; did you mean 'summary'?" ]
	run --separate-stderr de ip-check -f xml
	assert_failure 64
	[ "$stderr" = "ip-check: -f: unbekanntes Format 'xml' (yaml, json oder jsonl verwenden)" ]
	run --separate-stderr de ip-check --bogus
	assert_failure 64
	[[ "$stderr" == *"»ip-check --help« oder »ip-check --usage«"* ]]
}

@test "--help is German for every command, English without the catalogue's language" {
	cd "$BATS_TEST_TMPDIR"
	for cmd in ip-assess ip-check ip-intake ip-merge ip-plan ip-refer ip-report; do
		de "$cmd" --help >de.txt
		"$cmd" --help >en.txt
		grep -q '^Aufruf: ' de.txt || { echo "$cmd: no German usage"; return 1; }
		grep -q 'Gemeinsame Optionen:' de.txt || { echo "$cmd: no German group"; return 1; }
		grep -q 'Exit-Status' de.txt || { echo "$cmd: no German exit status"; return 1; }
		grep -q '^Usage: ' en.txt || { echo "$cmd: no English usage"; return 1; }
		# the options are the same, only their words differ
		diff <(grep -o -- '--[a-z][a-z-]*[a-z]' de.txt | sort -u) \
			<(grep -o -- '--[a-z][a-z-]*[a-z]' en.txt | sort -u)
	done
	de ip-intake --help >de.txt
	grep -q -- '--family=NAME *Familienname' de.txt
	grep -q -- '--nationality=CC *Staatsangehörigkeit' de.txt
	# a language without a catalogue falls back to English
	LC_ALL=C.UTF-8 LANGUAGE=fr ip-plan --help | grep -q '^Usage: '
}

@test "LANG=de_DE.UTF-8 alone gives German" {
	locale -a | grep -qix 'de_DE\.utf-\{0,1\}8' || skip "no de_DE.UTF-8 locale (tools/deps.sh makes it)"
	run --separate-stderr env -u LC_ALL LANG=de_DE.UTF-8 ip-check nothere.yaml
	assert_failure 66
	[[ "$stderr" == *"kann nicht öffnen: Datei oder Verzeichnis nicht gefunden"* ]]
	env -u LC_ALL LANG=de_DE.UTF-8 ip-report --help | grep -q '^Aufruf: '
}

@test "report labels in German (golden), numbers and CSV the same as in English" {
	report_fixture "$BATS_TEST_TMPDIR/fixture"
	export IP_NOW=2027-01-15
	de ip-report summary -q --by country,sex -f table >summary.txt
	diff -u "$GOLDEN/report-summary.de.table" summary.txt
	de ip-report kpi -q -f table >kpi.txt
	diff -u "$GOLDEN/report-kpi.de.txt" kpi.txt
	de ip-report indicators -q --period 2026 -f csv --csv-dialect excel-de >ind.csv
	diff -u "$GOLDEN/report-indicators.de.csv" ind.csv
	# the HTML page says its language
	de ip-report summary -q --by sex -f html | grep -q '<html lang="de">'
	ip-report summary -q --by sex -f html | grep -q '<html lang="en">'
	# machine output does not depend on the language
	diff <(de ip-report summary -q --by country -f json) <(ip-report summary -q --by country -f json)
	diff <(de ip-report export -q -f csv) <(ip-report export -q -f csv)
}

@test "case files are the same bytes whatever the language of the counsellor" {
	top=$BATS_TEST_TMPDIR
	mkdir "$top/en" "$top/de"
	# make_repo makes the repository in $BATS_TEST_TMPDIR
	(BATS_TEST_TMPDIR=$top/en && planned_case &&
		ip-plan set -q -i --measure M2 --amount 1250.5 "$CASE" >/dev/null)
	(BATS_TEST_TMPDIR=$top/de && export LANGUAGE=de && planned_case &&
		ip-plan set -q -i --measure M2 --amount 1250.5 "$CASE" >/dev/null)
	diff -r "$top/en/repo/cases" "$top/de/repo/cases"
	# (and the German run did speak German)
	run --separate-stderr de ip-check "$top/de/repo/$CASE"
	[ "$stderr" = "ip-check: 1 Datei: 1 gültig" ]
	grep -q 'amount: 1250.5' "$top/en/repo/$CASE"
}

@test "ip-plan render writes the document in the language of the messages" {
	planned_case
	de ip-plan render "$CASE" >de.md
	ip-plan render --lang de "$CASE" >de-explicit.md
	ip-plan render "$CASE" >en.md
	cmp de.md de-explicit.md
	! cmp -s de.md en.md || return 1
	de ip-plan render --lang en "$CASE" | cmp - en.md
}

@test "the German catalogue translates every message of the sources" {
	command -v xgettext >/dev/null || skip "xgettext missing (gettext package)"
	make -s -C "$ROOT" pot POT="$BATS_TEST_TMPDIR/now.pot"
	# every message in the sources has a translation ...
	run msgcmp "$ROOT/po/de.po" "$BATS_TEST_TMPDIR/now.pot"
	assert_success
	# ... none of them fuzzy or empty, and each keeps the format directives
	run msgfmt -c --statistics -o /dev/null "$ROOT/po/de.po"
	assert_success
	assert_output --regexp '^[0-9]+ translated messages\.$'
	# the committed template is the sources' (make pot)
	diff <(grep -v '^"POT-Creation-Date' "$ROOT/po/integplan.pot") \
		<(grep -v '^"POT-Creation-Date' "$BATS_TEST_TMPDIR/now.pot")
}
