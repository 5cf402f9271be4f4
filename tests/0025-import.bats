#!/usr/bin/env bats
# ip-intake --from with what Excel and LibreOffice write: encodings,
# separators, German and English headers (import maps), German dates and
# labels, historic cases, names trimmed and composed; each refusal.

load helper
bats_require_minimum_version 1.5.0

setup() {
	make_repo
}

# A German Excel export ("CSV (Trennzeichen-getrennt)"): Windows-1252,
# ';', German headers, dates as 12.04.1991, German labels.
german_export() {
	printf '%s\r\n' \
		'Vorname;Nachname;Geburtsdatum;Geschlecht;Staatsangehörigkeit;Rückkehrland;Sprache;Aufenthaltsstatus;Aufnahmedatum;Einwilligung' \
		'  Arbën ;Krasniqi ;3.9.1984;männlich;XK;XK;"sqi;deu";Duldung;15.03.2024;"Beratung und Falldokumentation;referral:XK-PRN-PH"' \
		'Zeynep;Çelik;24.12.1979;weiblich;TR;TR;tur;Aufenthaltserlaubnis;;counselling' \
		'Ama;Mensah;02.11.1987;w;GH;GH;eng;;01.02.2025;' |
		iconv -f UTF-8 -t WINDOWS-1252
}

@test "a German Excel export: Windows-1252, semicolons, German headers, dates and labels, in one command" {
	german_export >export.csv
	run --separate-stderr ip-intake --from export.csv
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[ "$stderr" = "ip-intake: export.csv: read as WINDOWS-1252, not UTF-8 (--encoding says otherwise)
ip-intake: export.csv:1: columns read with the import map de (German spreadsheet export (Excel, LibreOffice))" ]
	arben=${lines[0]}
	grep -qx '  given: Arbën' "$arben"
	grep -qx '  family: Krasniqi' "$arben"
	grep -qx '  birth_date: 1984-09-03' "$arben"
	grep -qx '  sex: male' "$arben"
	grep -qx '  residence_status: tolerated' "$arben"
	grep -qx '    - deu' "$arben"
	grep -qx '    recipient: XK-PRN-PH' "$arben"
	# a case from before: opened and consent on the day the sheet says
	grep -qx 'opened: 2024-03-15' "$arben"
	grep -qx '  intake: 2024-03-15' "$arben"
	[ "$(grep -c '    given: 2024-03-15' "$arben")" -eq 2 ]
	grep -qx '  family: Çelik' "${lines[1]}"
	grep -qx '  residence_status: residence-permit' "${lines[1]}"
	grep -qx 'opened: 2026-11-21' "${lines[1]}"
	grep -qx '  sex: female' "${lines[2]}"
	grep -qx '  birth_date: 1987-11-02' "${lines[2]}"
	ip-check -q
}

@test "UTF-8 with a byte order mark and commas; UTF-16 with tabs; --encoding and --delimiter override" {
	printf '\xEF\xBB\xBFgiven,family,birth_date,sex,nationality,return_country\r\nLayla,Hassan,1995-07-19,female,SY,SY\r\n' >bom.csv
	run --separate-stderr ip-intake --from bom.csv
	assert_success
	[ -z "$stderr" ]
	grep -qx '  given: Layla' "$output"
	printf 'First name\tLast name\tDate of birth\tSex\tNationality\tCountry of return\nAhmad\tRahimi\t30.6.2009\tMale\tAF\tAF\n' |
		iconv -f UTF-8 -t UTF-16 >unicode.txt
	run --separate-stderr ip-intake --from unicode.txt
	assert_success
	[ "$stderr" = "ip-intake: unicode.txt: read as UTF-16LE, not UTF-8 (--encoding says otherwise)
ip-intake: unicode.txt:1: columns read with the import map en (English spreadsheet export)" ]
	grep -qx '  birth_date: 2009-06-30' "$output"
	# Latin-1, said so, with a comma in a quoted field and a separator named
	printf 'given;family;birth_date;sex;nationality;return_country\nJosé;"Núñez, Ruiz";1980-01-01;male;CO;CO\n' |
		iconv -f UTF-8 -t ISO-8859-1 >latin1.csv
	run --separate-stderr ip-intake --encoding ISO-8859-1 --delimiter ';' --from latin1.csv
	assert_success
	[ -z "$stderr" ]
	grep -qx '  family: Núñez, Ruiz' "$output"
}

@test "names are stored trimmed and composed: the same person typed otherwise is one person" {
	printf 'given,family,birth_date,sex,nationality,return_country\n Arbe\xcc\x88n  ,"Krasniqi ",1984-09-03,male,XK,XK\n' >nfd.csv
	path=$(ip-intake -q --from nfd.csv)
	grep -qx '  given: Arbën' "$path"
	grep -qx '  family: Krasniqi' "$path"
	run ip-intake -q --given Arbën --family Krasniqi --birth-date 1984-09-03 --sex male \
		--nationality XK --return-country XK
	assert_failure 65
	assert_output "ip-intake: <options>: this person has a case already: ${path#cases/}" ||
		assert_output --partial "this person has a case already"
}

@test "refused: a column twice, an unknown one, a byte not of the encoding, an unknown encoding or separator; nothing written" {
	printf 'Vorname,given,family\nA,B,C\n' >twice.csv
	run ip-intake --from twice.csv
	assert_failure 65
	assert_line "ip-intake: twice.csv:1: given: column 2 is given too, as column 1 'Vorname' is: which one holds it?"
	printf 'given,family,Geburtsort\n' >unknown.csv
	run ip-intake --from unknown.csv
	assert_failure 65
	assert_output "ip-intake: unknown.csv:1: Geburtsort: unknown column (see ip-intake --list-fields and --list-maps, or give --map FILE)"
	# 0x81 is no character of Windows-1252
	printf 'given,family\nA\x81,B\n' >bad.csv
	run ip-intake --from bad.csv
	assert_failure 65
	assert_output "ip-intake: bad.csv:2: byte 15 is not WINDOWS-1252 (give the file's encoding with --encoding, or save it as UTF-8)"
	run ip-intake --encoding KLINGON --from bad.csv
	assert_failure 64
	assert_output "ip-intake: --encoding: unknown encoding 'KLINGON' (iconv --list names those there are)"
	run ip-intake --delimiter '|' --from bad.csv
	assert_failure 64
	assert_output "ip-intake: --delimiter: '|' is not a separator: use , ; or tab"
	run ip-intake --delimiter ';' --given A
	assert_failure 64
	assert_output "ip-intake: --encoding, --delimiter and --map go with --from"
	printf 'given,family,birth_date,sex,nationality,return_country,opened\nA,B,1990-01-01,female,SY,SY,01.01.2027\n' >ahead.csv
	run ip-intake --from ahead.csv
	assert_failure 65
	assert_output --partial "opened: 2027-01-01 is after today (2026-11-21): what happened cannot be dated ahead"
	[ -z "$(ls cases)" ]
}

@test "--map FILE: a site's own columns and words, checked with positions; --list-maps" {
	cat >ours.yaml <<'YAML'
schema: integplan/import/1
title: {en: our own sheet}
columns:
  - {header: Name, field: family}
  - {header: Rufname, field: given}
  - {header: geb., field: birth_date}
  - {header: G, field: sex}
  - {header: StA, field: nationality}
  - {header: Ziel, field: return_country}
values:
  - {field: nationality, from: afghanisch, to: AF}
  - {field: return_country, from: Afghanistan, to: AF}
  - {field: sex, from: w, to: female}
YAML
	printf 'Name;Rufname;geb.;G;StA;Ziel\nAhmadi;Mariam;12.04.1991;w;afghanisch;Afghanistan\n' >sheet.csv
	run --separate-stderr ip-intake --map ours.yaml --from sheet.csv
	assert_success
	grep -qx '    - AF' "$output"
	grep -qx '  country: AF' "$output"
	sed -i 's/field: sex/field: gender/' ours.yaml
	run ip-intake --map ours.yaml --from sheet.csv
	assert_failure 65
	assert_output "ip-intake: ours.yaml:7:24: columns[3].field: unknown field 'gender' (see ip-intake --list-fields)"
	run ip-intake --list-maps
	assert_success
	assert_line "de         German spreadsheet export (Excel, LibreOffice)"
	assert_line --regexp '^  Geburtsdatum +birth_date$'
	LANGUAGE=de run ip-intake --list-maps
	assert_line "de         Deutscher Tabellen-Export (Excel, LibreOffice)"
}

@test "--skip-existing: an import that stopped half-way is run again; nothing is made twice" {
	german_export >export.csv
	# the first run took only the first row (the rest of the sheet was lost)
	head -2 export.csv >half.csv
	ip-intake -q --from half.csv >/dev/null
	run --separate-stderr ip-intake --skip-existing --from export.csv
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	[ "${stderr_lines[2]}" = "ip-intake: 2 opened, 1 skipped: the person has a case already" ]
	[ "$(ls cases | wc -l)" -eq 3 ]
	run --separate-stderr ip-intake --skip-existing --from export.csv
	assert_success
	[ -z "$output" ]
	[ "${stderr_lines[2]}" = "ip-intake: 0 opened, 3 skipped: the persons have cases already" ]
	[ "$(ls cases | wc -l)" -eq 3 ]
	# without it, each row is a repeat return, refused
	run ip-intake -q --from export.csv
	assert_failure 65
	[ "$(grep -c 'this person has a case already' <<<"$output")" -eq 3 ]
	[ "$(ls cases | wc -l)" -eq 3 ]
	run ip-intake --skip-existing --allow-duplicate --from export.csv
	assert_failure 64
}

@test "countries and languages by their German or English names, as iso-codes writes them; an ambiguous name refused" {
	printf '%s\r\n' \
		'Vorname;Nachname;Geburtsdatum;Geschlecht;Staatsangehörigkeit;Rückkehrland;Sprache' \
		'Nour;Haddad;1.2.1995;weiblich;Syrien;Syrian Arab Republic;Arabisch' \
		'Leyla;Aziz;5.6.1992;weiblich;Iran;Irak;Zentralkurdisch' \
		'Vlora;Hoxha;7.8.1989;weiblich;kosovo;Türkei;Albanisch' \
		'Ji-woo;Kim;9.10.1991;weiblich;Korea;Russische Föderation;Koreanisch' |
		iconv -f UTF-8 -t WINDOWS-1252 >names.csv
	run --separate-stderr ip-intake --stdout -f jsonl --from names.csv
	assert_failure 65
	[ "$(jq -c '[.person.nationality[0], .return.country, .person.languages[0]]' <<<"$output")" = '["SY","SY","ara"]
["IR","IQ","ckb"]
["XK","TR","sqi"]' ]
	grep -qx "ip-intake: names.csv:5: nationality: unknown country code 'Korea'" <<<"$stderr"
}
