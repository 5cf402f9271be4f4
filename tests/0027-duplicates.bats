#!/usr/bin/env bats
# One person, one case: the repeat-return check with names as records
# really write them (spaces, capitals, diacritics, NFD, invisible
# characters, transliteration variants, Arabic and Cyrillic script), birth
# dates swapped or known only by year; candidates, --not-duplicate-of,
# --allow-duplicate; ip-check --duplicates; the private, locked index.

load helper
bats_require_minimum_version 1.5.0

setup() {
	make_repo
}

# person GIVEN FAMILY BIRTH NATIONALITY [option...]: open a case.
person() {
	local given=$1 family=$2 birth=$3 nationality=$4
	shift 4
	ip-intake --given "$given" --family "$family" --birth-date "$birth" --sex male \
		--nationality "$nationality" --return-country "$nationality" "$@"
}

@test "the same person however the name is written: spaces, capitals, diacritics, NFD; a zero-width space refused" {
	run person Arbën Krasniqi 1993-07-14 XK
	assert_success
	first=$(basename "$output" .yaml)
	nfd=$(printf 'Arbe\xcc\x88n')
	for variant in "Arben|Krasniqi " "ARBËN|KRASNIQI" "$nfd|Krasniqi" " arbën |krasniqi"; do
		run person "${variant%%|*}" "${variant#*|}" 1993-07-14 XK
		assert_failure 65
		assert_output "ip-intake: this person has a case already: $first (a repeat return? --allow-duplicate opens a linked case)"
	done
	# a zero-width space does not get in at all
	run person Arbën "$(printf 'Kras\xe2\x80\x8bniqi')" 1993-07-14 XK
	assert_failure 65
	assert_output --partial "holds an invisible or control character (\u200B)"
	run person ÏSSATOU "Diallo " 1990-03-02 GN
	assert_success
	run person Issatou Diallo 1990-03-02 GN
	assert_failure 65
	[ "$(ls cases | wc -l)" -eq 2 ]
}

@test "a near match is listed with why and refused: Ahmadi/Ahmady, Mohammad/Muhammad, Arabic script, Cyrillic, swapped day and month, a year-only birth date" {
	run person Mohammad Ahmadi 1988-05-06 AF
	assert_success
	mohammad=$(basename "$output" .yaml)
	run person Muhammad Ahmady 1988-05-06 AF
	assert_failure 65
	assert_output "ip-intake: this person may have a case already: $mohammad (names sound alike, same birth date, same nationality); --not-duplicate-of $mohammad if not, --allow-duplicate for a repeat return"
	run person 'محمد' 'احمدی' 1988-05-06 AF
	assert_failure 65
	assert_output --partial "may have a case already: $mohammad (names sound alike, same birth date"
	run person Mohammad Ahmadi 1988-06-05 AF
	assert_failure 65
	assert_output --partial "(same name, birth day and month swapped, same nationality)"
	run person Mohamed Ahmadi 1988-01-01 AF
	assert_failure 65
	assert_output --partial "(names sound alike, same year of birth, 1 January standing for an unknown day, same nationality)"
	run person Sergey Ivanov 1979-11-30 RU
	assert_success
	run person 'Сергей' 'Иванов' 1979-11-30 RU
	assert_failure 65
	assert_output --partial "(names sound alike, same birth date, same nationality)"
	# not near: another day, another nationality, another name
	run person Mohammad Ahmadi 1988-05-07 AF
	assert_success
	run person Mohammad Ahmadi 1988-05-06 IR
	assert_success
	run person Mahmoud Karimi 1988-05-06 AF
	assert_success
	[ "$(ls cases | wc -l)" -eq 5 ]
}

@test "--not-duplicate-of opens the case linked as another person; --allow-duplicate links a repeat return; a bad id is refused" {
	mohammad=$(basename "$(person Mohammad Ahmadi 1988-05-06 AF)" .yaml)
	run person Muhammad Ahmady 1988-05-06 AF --not-duplicate-of "$mohammad"
	assert_success
	grep -A1 -x "  - case: $mohammad" "$output" | grep -qx '    relation: not-same-person'
	run person Mohammed Ahmadi 1988-05-06 AF --allow-duplicate
	assert_success
	grep -A1 -x "  - case: $mohammad" "$output" | grep -qx '    relation: repeat-return'
	run person Muhammad Ahmady 1988-05-06 AF --not-duplicate-of '../../etc/passwd'
	assert_failure 64
	assert_output "ip-intake: --not-duplicate-of: '../../etc/passwd' is not a valid case id (centre, year and five code characters, like BY-MUC-2026-7K3Q9)"
}

@test "an import file with near matches: each row with its candidates, the others opened" {
	person Mohammad Ahmadi 1988-05-06 AF >/dev/null
	printf '%s\n' given,family,birth_date,sex,nationality,return_country \
		Muhammad,Ahmady,1988-05-06,male,AF,AF \
		Zeynep,Yilmaz,1979-12-24,female,TR,TR \
		Zeynep,Yılmaz,1979-24-12,female,TR,TR \
		Zaynab,Yilmaz,1979-12-24,female,TR,TR >rows.csv
	run --separate-stderr ip-intake --from rows.csv
	assert_failure 65
	[ "${#lines[@]}" -eq 1 ]
	[ "$(grep -c 'may have a case already' <<<"$stderr")" -eq 2 ]
	grep -q '^ip-intake: rows.csv:2: this person may have a case already' <<<"$stderr"
	grep -q '^ip-intake: rows.csv:5: this person may have a case already.*names sound alike, same birth date' <<<"$stderr"
	# 24 is no month: the row is refused as a bad date, not matched
	grep -q '^ip-intake: rows.csv:4:.*birth_date' <<<"$stderr"
}

@test "ip-check --duplicates: pairs with why, in every format; linked pairs are not listed; paths refused" {
	a=$(basename "$(person Mohammad Ahmadi 1988-05-06 AF)" .yaml)
	b=$(basename "$(person Muhammad Ahmady 1988-05-06 AF --not-duplicate-of "$a")" .yaml)
	run --separate-stderr ip-check --duplicates
	assert_success
	assert_output "[]"
	[ "$stderr" = "ip-check: 0 pairs of cases may be one person each" ]
	# a hand edit, a merge: the same person twice, not linked
	sed -e "s/^id: $a/id: BY-MUC-2026-22222/" "cases/$a.yaml" >cases/BY-MUC-2026-22222.yaml
	sed -e "s/^id: $a/id: BY-MUC-2026-33333/" -e 's/birth_date: 1988-05-06/birth_date: 1988-06-05/' \
		"cases/$a.yaml" >cases/BY-MUC-2026-33333.yaml
	chmod 600 cases/*.yaml
	# one JSON line per pair, the smaller id first
	pair() {
		if [[ $1 < $2 ]]; then x=$1 y=$2; else x=$2 y=$1; fi
		printf '{"cases":["%s","%s"],"why":"%s"}\n' "$x" "$y" "$3"
	}
	expected=$({
		pair "$a" BY-MUC-2026-22222 "same name, same birth date, same nationality"
		pair "$a" BY-MUC-2026-33333 "same name, birth day and month swapped, same nationality"
		pair "$b" BY-MUC-2026-22222 "names sound alike, same birth date, same nationality"
		pair "$b" BY-MUC-2026-33333 "names sound alike, birth day and month swapped, same nationality"
		pair BY-MUC-2026-22222 BY-MUC-2026-33333 "same name, birth day and month swapped, same nationality"
	} | LC_ALL=C sort)
	run --separate-stderr ip-check --duplicates -f jsonl
	assert_failure 1
	[ "$stderr" = "ip-check: 5 pairs of cases may be one person each" ]
	[ "$output" = "$expected" ]
	run ip-check --duplicates -q -f yaml
	assert_failure 1
	assert_line "  why: same name, same birth date, same nationality"
	run ip-check --duplicates cases
	assert_failure 64
	assert_output "ip-check: --duplicates sweeps the whole repository; drop the paths and other options"
}

@test "ten parallel intakes of one person make one case; the others find it" {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		(rc=0; IP_LOCK_TIMEOUT=60 person Arben Krasniqi 1993-07-14 XK >"out.$i" 2>"err.$i" ||
		 rc=$?; echo $rc >"rc.$i") &
	done
	wait
	[ "$(ls cases | wc -l)" -eq 1 ]
	[ "$(cat rc.* | grep -cx 0)" -eq 1 ]
	[ "$(cat rc.* | grep -cx 65)" -eq 9 ]
	[ "$(cat err.* | grep -c 'this person has a case already')" -eq 9 ]
}

@test "four parallel imports of the same 12 rows make 12 cases" {
	{
		echo given,family,birth_date,sex,nationality,return_country
		for i in $(seq 1 12); do echo "Person $i,Test,1990-02-$((i + 10)),female,AF,AF"; done
	} >rows.csv
	for i in 1 2 3 4; do
		(rc=0; IP_LOCK_TIMEOUT=60 ip-intake -q --from rows.csv >"out.$i" 2>"err.$i" ||
		 rc=$?; echo $rc >"rc.$i") &
	done
	wait
	[ "$(ls cases | wc -l)" -eq 12 ]
	[ "$(cat rc.* | grep -cx 0)" -eq 1 ]
	[ "$(cat rc.* | grep -cx 65)" -eq 3 ]
	[ "$(cat err.* | grep -c 'this person has a case already')" -eq 36 ]
}

@test "the index of persons holds keyed hashes under a private key of this clone, no names; a lock held too long is 75" {
	person Mohammad Ahmadi 1988-05-06 AF >/dev/null
	person Zeynep Yilmaz 1979-12-24 TR >/dev/null
	index=.integplan/cache/persons.tsv
	key=.integplan/cache/persons.key
	[ "$(stat -c %a "$key")" = 600 ]
	[ "$(stat -c %a "$index")" = 600 ] || [ "$(stat -c %a .integplan/cache)" = 700 ]
	grep -qE '^[0-9a-f]{64}$' "$key"
	! grep -qi 'ahmadi\|mohammad\|1988' "$index" || return 1
	first=$(cut -f4,5 "$index" | tail -1)
	grep -qE '^[0-9a-f]{32}	[0-9a-f]{32}$' <<<"$first"
	# another clone's key: other hashes for the same person
	cp -r . ../clone
	rm ../clone/$key ../clone/$index
	(cd ../clone && ip-check --duplicates -q) || true
	[ "$(cut -f4,5 ../clone/$index | tail -1)" != "$first" ]
	git check-ignore -q "$key" 2>/dev/null || grep -qx '.integplan/cache/' .gitignore
	# someone holds the index: wait, then give up
	flock .integplan/cache/persons.lock sleep 3 &
	sleep 0.3
	run env IP_LOCK_TIMEOUT=1 ip-intake --given Ama --family Mensah --birth-date 1987-11-02 \
		--sex female --nationality GH --return-country GH
	assert_failure 75
	wait
	[ "$(ls cases | wc -l)" -eq 2 ]
}

@test "the site's rules of matching names are checked with positions" {
	mkdir -p ../site
	cp -r "$ROOT/share/integplan/." ../site/
	printf 'schema: integplan/matching/1\nsource: test\nsounds:\n  - {from: Kh, to: h}\n' \
		>../site/matching.yaml
	run env IP_SHARE=../site ip-intake --given A --family B --birth-date 1990-01-02 --sex male \
		--nationality AF --return-country AF
	assert_failure 65
	assert_output --partial "ip-intake: ../site/matching.yaml:4:12: sounds[0].from: 'Kh' is not a rule"
	[ "$(ls cases | wc -l)" -eq 0 ]
}
