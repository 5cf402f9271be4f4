#!/usr/bin/env bats
# ip-intake: repositories, one case from options, many from CSV and JSON Lines.

load helper

@test "--init makes a private repository with config, cases/ and .gitignore" {
	cd "$BATS_TEST_TMPDIR"
	run ip-intake --init --centre BY-MUC --state DE-BY repo
	assert_success
	assert_output "ip-intake: made a case repository in repo (centre BY-MUC)"
	[ "$(mode_of repo)" = 700 ]
	[ "$(mode_of repo/cases)" = 700 ]
	[ "$(mode_of repo/.integplan/config.yaml)" = 600 ]
	grep -qx 'id: BY-MUC' <(sed 's/^ *//' repo/.integplan/config.yaml)
	grep -q '.integplan/cache/' repo/.gitignore
}

@test "--init twice is refused (73) and changes nothing" {
	make_repo
	before=$(cat .integplan/config.yaml)
	run ip-intake --init --centre BE-X .
	assert_failure 73
	assert_output --partial "already a case repository"
	[ "$(cat .integplan/config.yaml)" = "$before" ]
}

@test "--init refuses a bad centre id or Land (64)" {
	cd "$BATS_TEST_TMPDIR"
	run ip-intake --init --centre 'by/muc' r
	assert_failure 64
	run ip-intake --init --centre BY-MUC --state BY r
	assert_failure 64
	assert_output --partial "--state: unknown region code 'BY'"
	[ ! -e r ]
}

@test "a case from options: written 0600 under cases/, its path printed" {
	make_repo
	run open_mariam
	assert_success
	assert_output "cases/BY-MUC-2026-NMVPY.yaml"
	[ "$(mode_of cases/BY-MUC-2026-NMVPY.yaml)" = 600 ]
	diff -u "$GOLDEN/intake-mariam.yaml" cases/BY-MUC-2026-NMVPY.yaml
	run ip-check -q
	assert_success
}

@test "new files are 0600 and directories 0700 whatever the umask" {
	cd "$BATS_TEST_TMPDIR"
	umask 000
	ip-intake -q --init --centre BY-MUC repo
	cd repo
	path=$(open_mariam)
	[ "$(mode_of "$path")" = 600 ]
	[ "$(mode_of cases)" = 700 ]
}

@test "the history records time, actor, command and what happened" {
	make_repo
	path=$(IP_ACTOR= open_mariam --actor aberger)
	run ip-check -q --print -f jsonl "$path"
	assert_output --partial '"history":[{"at":"2026-11-21T09:14:03Z","by":"aberger","cmd":"ip-intake","what":"case opened"}]'
}

@test "SOURCE_DATE_EPOCH pins the clock too" {
	make_repo
	path=$(IP_NOW= SOURCE_DATE_EPOCH=1767225600 open_mariam)
	grep -q 'opened: 2026-01-01' "$path"
	grep -q 'at: 2026-01-01T00:00:00Z' "$path"
}

@test "an unreadable IP_NOW is a usage error" {
	make_repo
	run env IP_NOW=yesterday ip-intake --given A --family B --birth-date 1990-01-01 --sex male --nationality AF --return-country AF
	assert_failure 64
	assert_output --partial "IP_NOW: 'yesterday' is not a date"
}

@test "-0 prints the path NUL-terminated, to chain into the next command" {
	make_repo
	open_mariam -0 | ip-check -q -0 --files-from=-
	[ "$(open_mariam --allow-duplicate -0 | tr '\0' '\n' | wc -l)" = 1 ]
}

@test "--stdout prints the case (golden) and writes nothing" {
	cd "$BATS_TEST_TMPDIR"
	run open_mariam --stdout --centre BY-MUC --state DE-BY
	assert_success
	diff -u "$GOLDEN/intake-mariam.yaml" <(printf '%s\n' "$output")
	[ ! -e cases ]
}

@test "--stdout -f json chains into ip-check -" {
	make_repo
	open_mariam --stdout -f json | ip-check -q -
	[ -z "$(ls cases)" ]
}

@test "each bad option is reported at its name; nothing is written (65)" {
	make_repo
	run ip-intake --given X --family Y --birth-date 1991-02-30 --sex f --nationality no \
		--return-country AF --language PRS --consent refferal --programme REAG
	assert_failure 65
	assert_line "ip-intake: --birth-date: '1991-02-30' is not a valid date (YYYY-MM-DD)"
	assert_line "ip-intake: --sex: unknown sex 'f'; did you mean 'female'?"
	assert_line "ip-intake: --nationality: unknown country code 'no'; did you mean 'NO'?"
	assert_line "ip-intake: --language: unknown language code 'PRS'; did you mean 'prs'?"
	assert_line "ip-intake: --consent.purpose: unknown consent-purpose 'refferal'; did you mean 'referral'?"
	assert_line --partial "ip-intake: --programme: unknown programme 'REAG'"
	[ -z "$(ls cases)" ]
}

@test "a missing required field is named" {
	make_repo
	run ip-intake --given X --birth-date 1990-01-01 --sex male --nationality AF
	assert_failure 65
	assert_line "ip-intake: --family: missing (required)"
	assert_line "ip-intake: --return-country: missing (required)"
}

@test "a region outside the return country is refused" {
	make_repo
	run ip-intake --given X --family Y --birth-date 1990-01-01 --sex male --nationality IQ \
		--return-country IQ --return-region TR-34
	assert_failure 65
	assert_output --partial "return.region: region 'TR-34' is not in the return country 'IQ'"
}

@test "NO (Norway) and XK (Kosovo) are accepted as nationality and country" {
	make_repo
	run ip-intake --given Arben --family Krasniqi --birth-date 1984-09-03 --sex male \
		--nationality XK --nationality NO --return-country XK
	assert_success
	run ip-check -q --print -f jsonl "$output"
	assert_output --partial '"nationality":["XK","NO"]'
}

@test "a repeat return is refused with the existing id (65); --allow-duplicate links it" {
	make_repo
	first=$(open_mariam)
	run ip-intake --given MARIAM --family ahmadi --birth-date 1991-04-12 --sex female \
		--nationality AF --return-country AF
	assert_failure 65
	assert_output "ip-intake: this person has a case already: BY-MUC-2026-NMVPY (a repeat return? --allow-duplicate opens a linked case)"
	[ "$(ls cases | wc -l)" = 1 ]
	second=$(open_mariam --allow-duplicate)
	[ "$second" != "$first" ]
	grep -A2 '^links:' "$second" | grep -q 'case: BY-MUC-2026-NMVPY'
	grep -A2 '^links:' "$second" | grep -q 'relation: repeat-return'
}

@test "the person index: private, ignored by git, and following edits, deletions and damage" {
	make_repo
	first=$(open_mariam)
	open_mariam --allow-duplicate >/dev/null
	[ "$(mode_of .integplan/cache/persons.tsv)" = 600 ]
	[ "$(mode_of .integplan/cache)" = 700 ]
	grep -qx '.integplan/cache/' .gitignore
	run grep -c -e Mariam -e Ahmadi -e 1991-04-12 .integplan/cache/persons.tsv
	assert_output 0
	# a corrected name in the case file is seen at the next intake
	rm "$(ls cases/*.yaml | grep -v "$first")"
	sed -i 's/^  family: Ahmadi$/  family: Ahmadi-Noori/' "$first"
	run ip-intake --given Mariam --family Ahmadi --birth-date 1991-04-12 --sex female \
		--nationality AF --return-country AF
	assert_success
	run ip-intake --given Mariam --family Ahmadi-Noori --birth-date 1991-04-12 --sex female \
		--nationality AF --return-country AF
	assert_failure 65
	# a damaged index is rebuilt from the cases
	echo garbage >.integplan/cache/persons.tsv
	run ip-intake --given Mariam --family Ahmadi-Noori --birth-date 1991-04-12 --sex female \
		--nationality AF --return-country AF
	assert_failure 65
	assert_output --partial "this person has a case already"
	# a deleted case no longer counts
	rm "$first"
	run ip-intake --given Mariam --family Ahmadi-Noori --birth-date 1991-04-12 --sex female \
		--nationality AF --return-country AF
	assert_success
}

@test "no repository: exit 66 with advice" {
	cd "$BATS_TEST_TMPDIR"
	run open_mariam
	assert_failure 66
	assert_output --partial "no case repository here or above"
}

@test "-C and IP_DIR name the repository; it is also found from a subdirectory" {
	make_repo
	mkdir -p deep/er && cd deep/er
	run open_mariam
	assert_success
	assert_output "../../cases/BY-MUC-2026-NMVPY.yaml"
	cd "$BATS_TEST_TMPDIR"
	run open_mariam --allow-duplicate -C repo
	assert_output --regexp '^repo/cases/BY-MUC-2026-[0-9A-Z]{5}\.yaml$'
	IP_DIR="$BATS_TEST_TMPDIR/repo" run open_mariam --allow-duplicate
	assert_success
	assert_output --regexp "^$BATS_TEST_TMPDIR/repo/cases/BY-MUC-2026-[0-9A-Z]{5}\.yaml\$"
	[ "$(ls repo/cases | wc -l)" = 3 ]
}

@test "--from CSV opens the sample cases: umlauts, Arabic script, Cyrillic, a minor, Kosovo" {
	make_repo
	run ip-intake --from "$ROOT/share/integplan/examples/sample-cases.csv"
	assert_success
	[ "${#lines[@]}" = 12 ]
	run ip-check
	assert_output "ip-check: 12 files: 12 valid"
	grep -l 'given: محمد' cases/*.yaml
	grep -l 'family: Петровић' cases/*.yaml
	grep -l 'host: Weiß, Lena' cases/*.yaml
	grep -l 'country: XK' cases/*.yaml
}

@test "--from: a bad row is reported as FILE:ROW: field, skipped; good rows are written (65)" {
	make_repo
	cat >rows.csv <<'CSV'
given,family,birth_date,sex,nationality,return_country,languages
Ama,Mensah,1987-11-02,female,GH,GH,eng;twi
Kofi,Mensah,1987-13-02,male,GH,GH,eng
"Doe, Jane",Doe,1970-01-01,female,NG,NG,
CSV
	run ip-intake --from rows.csv
	assert_failure 65
	assert_line "ip-intake: rows.csv:3: birth_date: '1987-13-02' is not a valid date (YYYY-MM-DD)"
	[ "$(ls cases | wc -l)" = 2 ]
	grep -l 'given: Doe, Jane' cases/*.yaml
}

@test "--from: an unknown column stops before anything is written" {
	make_repo
	printf 'given,familyname\nA,B\n' >rows.csv
	run ip-intake --from rows.csv
	assert_failure 65
	assert_output "ip-intake: rows.csv:1: familyname: unknown column (see ip-intake --list-fields and --list-maps, or give --map FILE)"
	[ -z "$(ls cases)" ]
}

@test "--from: JSON Lines, from standard input" {
	make_repo
	run ip-intake --from - <<'JSONL'
{"given": "Lamin", "family": "Jallow", "birth_date": "2001-05-21", "sex": "male", "nationality": ["GM"], "return_country": "GM", "languages": ["eng", "mnk"]}
{"given": "Aïssatou", "family": "Diop", "birth_date": "1993-08-14", "sex": "female", "nationality": "SN", "return_country": "SN", "bogus": 1}

{"given": "Erion", "family": "Hoxha", "birth_date": 1960, "sex": "male", "nationality": "AL", "return_country": "AL"}
JSONL
	assert_failure 65
	assert_line "ip-intake: <stdin>:2: bogus: unknown field (see ip-intake --list-fields)"
	assert_line "ip-intake: <stdin>:4: birth_date: expected a date (YYYY-MM-DD), found a number"
	[ "$(ls cases | wc -l)" = 1 ]
}

@test "--from: the same person twice in one file is a repeat return" {
	make_repo
	printf 'given,family,birth_date,sex,nationality,return_country\nA,B,1990-01-01,male,AF,AF\nA,B,1990-01-01,male,AF,AF\n' >rows.csv
	run ip-intake --from rows.csv
	assert_failure 65
	assert_line --partial "rows.csv:3: this person has a case already"
	[ "$(ls cases | wc -l)" = 1 ]
}

@test "--from: 2,000 rows in one run, one process, all valid" {
	make_repo
	{
		echo given,family,birth_date,sex,nationality,return_country
		for i in $(seq 1 2000); do echo "G$i,F$i,1990-01-01,female,AF,AF"; done
	} >rows.csv
	run ip-intake --from rows.csv
	assert_success
	[ "${#lines[@]}" = 2000 ]
	[ "$(ls cases | wc -l)" = 2000 ]
	run ip-check -q
	assert_success
}

@test "no fields, no --from and no --init is a usage error" {
	make_repo
	run ip-intake
	assert_failure 64
	assert_output --partial "ip-intake: nothing to do"
	run ip-intake --bogus
	assert_failure 64
	assert_line "ip-intake: unrecognized option '--bogus'"
}

@test "options and --from together are a usage error" {
	make_repo
	run ip-intake --given A --from rows.csv
	assert_failure 64
}

@test "--list-fields and --list show the fields and vocabularies" {
	run ip-intake --list-fields
	assert_success
	assert_line --regexp '^birth_date +required +birth date, YYYY-MM-DD$'
	run ip-intake --list sex
	assert_line --regexp '^female +weiblich \| female$'
	run ip-intake --list vulnerability
	assert_line --partial 'unaccompanied-minor'
	run ip-intake --list nothing
	assert_failure 64
	assert_output --partial "no vocabulary 'nothing'"
}

@test "--help and --version" {
	run ip-intake --help
	assert_success
	assert_output --partial "--from=FILE"
	run ip-intake --version
	assert_output "integplan 0.1.0"
}

@test "a field option that is not UTF-8 is refused at the option (64), nothing opened" {
	make_repo
	run ip-intake --given Mariam --family Ahmadi --birth-date 1991-04-12 --sex $'\xff' \
		--nationality AF --return-country AF
	assert_failure 64
	assert_output "ip-intake: --sex: not valid UTF-8 text"
	[ -z "$(ls cases)" ]
}

@test "consent recipients at intake: a partner of the directory or a country; free text, paths and a missing one refused" {
	make_repo
	opts=(--given Ana --family Neu --birth-date 1990-01-01 --sex female --nationality SY --return-country SY)
	run ip-intake "${opts[@]}" --consent referral:kabul
	assert_failure 65
	assert_output "ip-intake: <options>: consent[0].recipient: 'kabul' is neither a country code nor a partner's id (like AF-KBL-PH)"
	run ip-intake "${opts[@]}" --consent referral:../../x
	assert_failure 65
	assert_output --partial "'../../x' is neither a country code nor a partner's id"
	run ip-intake "${opts[@]}" --consent referral:AF-KBL-XX
	assert_failure 65
	assert_output "ip-intake: <options>: consent[0].recipient: 'AF-KBL-XX' is neither a partner of the directory (ip-refer partners) nor a country code"
	run ip-intake "${opts[@]}" --consent referral
	assert_failure 65
	assert_output "ip-intake: <options>: consent[0].recipient: consent to referral names its recipient: referral:PARTNER or referral:COUNTRY"
	[ -z "$(ls cases)" ]
	ip-intake -q "${opts[@]}" --consent referral:AF-KBL-PH --consent follow-up:SY --consent counselling >/dev/null
	# ip-check finds a recipient written by hand
	f=$(ls cases/*.yaml)
	sed -i 's/recipient: AF-KBL-PH/recipient: kabul/' "$f"
	run ip-check -q "$f"
	assert_failure 1
	assert_output --partial "consent[0].recipient: 'kabul' is neither a country code nor a partner's id (like AF-KBL-PH)"
}
