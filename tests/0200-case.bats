#!/usr/bin/env bats
# ip-case: a readable page and the history of a case, finding cases,
# corrections, consent given later and withdrawn, closing and reopening;
# each refusal.

load helper
bats_require_minimum_version 1.5.0

setup() {
	planned_case
}

@test "show: one page of the case, in English and in German" {
	run ip-case show "$CASE"
	assert_success
	assert_line "BY-MUC-2026-NMVPY  Mariam Ahmadi"
	assert_line --regexp '^  nationality +AF \(Afghanistan\)$'
	assert_line --regexp '^  status +referred \(opened 2026-11-21\)$'
	assert_line --regexp '^  referral → AF-KBL-PH: given 2026-11-21$'
	assert_line --regexp '^  M4  airport-pickup; return; due arrival\+0d; open$'
	assert_line --regexp '^  BY-MUC-R-[0-9A-Z]{8} → AF-KBL-PH: pending since 2026-11-21$'
	LANGUAGE=de run ip-case show "$CASE"
	assert_success
	assert_line --regexp '^  Status +vermittelt \(eröffnet 2026-11-21\)$'
	assert_line --regexp '^  Staatsangehörigkeit +AF \(Afghanistan\)$'
	# a page is for a terminal: no format of data
	run ip-case show -f json "$CASE"
	assert_failure 64
	assert_output "ip-case: -f: ip-case show writes table, not json"
}

@test "log: the history a line per entry, or as data" {
	run ip-case log "$CASE"
	assert_success
	assert_line --index 0 "2026-11-21T09:14:03Z  tester  ip-intake  case opened"
	[ "${#lines[@]}" -eq 4 ]
	ip-case log -f jsonl "$CASE" | python3 -c 'import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 4 and rows[0]["cmd"] == "ip-intake", rows'
	run ip-case log cases/none.yaml
	assert_failure 66
}

@test "find: by name in any case and form, id, status and counsellor; paths for a pipeline" {
	other=$(ip-intake --given 'ÏSSATOU' --family ' Diallo' --birth-date 1988-01-01 \
		--sex female --nationality GM --return-country GM 2>/dev/null ||
		ip-intake --given 'ÏSSATOU' --family Diallo --birth-date 1988-01-01 --sex female \
			--nationality GM --return-country GM)
	# NFD and lower case find the capitals with a diaeresis
	run ip-case find --name "$(printf 'i\xcc\x88ssatou diallo')"
	assert_success
	assert_output "$other"
	run ip-case find --name issatou
	assert_output "$other"
	run ip-case find --name AHMADI
	assert_output "$CASE"
	run ip-case find --status referred --counsellor 'A. Berger'
	assert_output "$CASE"
	run ip-case find --id BY-MUC-2026
	assert_line "$CASE"
	assert_line "$other"
	ip-case find -0 --name mariam | od -c | grep -q '\\0'
	run ip-case find --name nobody
	assert_failure 1
	assert_output ""
	run ip-case find
	assert_failure 64
	assert_output "ip-case: ip-case find: nothing to find by (--name, --id, --status, --counsellor)"
}

@test "set: corrections, each checked as at intake and in the history" {
	run ip-case set -i --family Ahmady --phone '+49 89 1234' --return-counsellor 'N. Karimi' \
		--nationality AF --nationality IR "$CASE"
	assert_success
	assert_output "$CASE"
	run ip-case log "$CASE"
	assert_line --partial "ip-case  corrected person.family; corrected person.contact.phone; corrected counsellors.return; corrected person.nationality"
	grep -q '^  family: Ahmady$' "$CASE"
	grep -q '^    - IR$' "$CASE"
	ip-check -q "$CASE"
	# the same again changes nothing
	before=$(sha256sum "$CASE")
	ip-case set -q -i --family Ahmady "$CASE" >/dev/null
	[ "$(sha256sum "$CASE")" = "$before" ]
	run ip-case set -i --birth-date 2030-01-01 "$CASE"
	assert_failure 65
	assert_output "ip-case: $CASE: person.birth_date: 2030-01-01 is in the future (today is 2026-11-21)"
	run ip-case set -i --planned-departure 2026-01-01 "$CASE"
	assert_failure 65
	assert_output --partial "return.planned_departure: 2026-01-01 has passed"
	run ip-case set -i --sex woman "$CASE"
	assert_failure 64
	assert_output --partial "--sex: unknown sex 'woman'"
	run ip-case set -i --family $'Ahm\u200bady' "$CASE"
	assert_failure 64
	run ip-case set -i "$CASE"
	assert_failure 64
	assert_output --partial "nothing to correct"
	[ "$(sha256sum "$CASE")" = "$before" ]
}

@test "consent: given later, withdrawn; a referral consent withdraws the open referrals to that recipient" {
	run ip-case consent -i --give health-data --give follow-up:AF "$CASE"
	assert_success
	grep -q 'purpose: health-data' "$CASE"
	# given again: nothing changes
	before=$(sha256sum "$CASE")
	ip-case consent -q -i --give health-data "$CASE" >/dev/null
	[ "$(sha256sum "$CASE")" = "$before" ]
	run ip-case consent -i --withdraw referral:AF-KBL-PH "$CASE"
	assert_success
	run ip-case show "$CASE"
	assert_line --regexp '^  referral → AF-KBL-PH: given 2026-11-21, withdrawn 2026-11-21$'
	assert_line --regexp '→ AF-KBL-PH: revoked since 2026-11-21$'
	run ip-case log "$CASE"
	assert_line --regexp 'withdrew consent referral:AF-KBL-PH; withdrew referral BY-MUC-R-[0-9A-Z]{8} to AF-KBL-PH$'
	# and sending needs consent again, which ip-case gives
	run ip-refer send --to AF-KBL-PH --no-encrypt "$CASE"
	assert_failure 77
	assert_output --partial "was withdrawn on 2026-11-21"
	ip-case consent -q -i --give referral:AF "$CASE" >/dev/null
	ip-check -q "$CASE"
}

@test "consent: unknown purposes and recipients, nothing in force, dates ahead are refused" {
	before=$(sha256sum "$CASE")
	run ip-case consent -i --give referral:kabul "$CASE"
	assert_failure 64
	assert_output "ip-case: --give: 'kabul' is neither a partner of the directory (ip-refer partners) nor a country code"
	run ip-case consent -i --give referral:../../x "$CASE"
	assert_failure 64
	run ip-case consent -i --give refferal:AF "$CASE"
	assert_failure 64
	assert_output "ip-case: --give: unknown consent purpose 'refferal'; did you mean 'referral'? (see --list consent-purpose)"
	run ip-case consent -i --give referral "$CASE"
	assert_failure 64
	assert_output "ip-case: --give: referral needs its recipient: referral:PARTNER or referral:COUNTRY"
	run ip-case consent -i --withdraw health-data "$CASE"
	assert_failure 65
	assert_output "ip-case: $CASE: consent: no consent to health-data in force on 2026-11-21: nothing to withdraw"
	run ip-case consent -i --give health-data --date 2026-12-24 "$CASE"
	assert_failure 65
	run ip-case consent -i "$CASE"
	assert_failure 64
	[ "$(sha256sum "$CASE")" = "$before" ]
}

@test "close and reopen: the outcome, the day, the status before; the closure rate moves" {
	before=$(ip-report kpi -q -f csv --protection none | grep '^closure rate')
	run ip-case close -i --outcome completed "$CASE"
	assert_success
	grep -q '^status: closed$' "$CASE"
	grep -q '^outcome: completed$' "$CASE"
	grep -q '^closed: 2026-11-21$' "$CASE"
	after=$(ip-report kpi -q -f csv --protection none | grep '^closure rate')
	[ "$before" != "$after" ]
	[[ "$after" == "closure rate,100.0 %,1"* ]]
	# closed so already: nothing; closed otherwise: reopen first
	snapshot=$(sha256sum "$CASE")
	ip-case close -q -i --outcome completed "$CASE" >/dev/null
	[ "$(sha256sum "$CASE")" = "$snapshot" ]
	run ip-case close -i --outcome deceased "$CASE"
	assert_failure 65
	assert_output "ip-case: $CASE: status: closed already (completed, on 2026-11-21): reopen it first to close it otherwise"
	run ip-case reopen -i --reason 'came back for counselling' "$CASE"
	assert_success
	grep -q '^status: referred$' "$CASE"
	! grep -q '^outcome:' "$CASE" || return 1
	run ip-case log "$CASE"
	assert_line --partial "ip-case  reopened: came back for counselling"
	run ip-case reopen -i --reason again "$CASE"
	assert_failure 65
	assert_output "ip-case: $CASE: status: is referred, not closed: nothing to reopen"
	run ip-case close -i --outcome completed --date 2026-11-01 "$CASE"
	assert_failure 65
	assert_output --partial "2026-11-01 is before the case was opened (2026-11-21)"
	run ip-case close -i --outcome flew "$CASE"
	assert_failure 64
	run ip-case close -i "$CASE"
	assert_failure 64
	run ip-case reopen -i "$CASE"
	assert_failure 64
	ip-check -q "$CASE"
}

@test "a pipeline: find, then close every case it found" {
	run sh -c "ip-case find -0 --status referred --counsellor 'A. Berger' |
		ip-case close -i -0 --files-from=- --outcome completed"
	assert_success
	grep -q '^status: closed$' "$CASE"
	run ip-case find --status closed
	assert_output "$CASE"
}

@test "plausible dates across fields: a birth ahead is refused at intake, and ip-check finds the rest in files" {
	run ip-intake --given A --family B --birth-date 2030-01-01 --sex male --nationality SY \
		--return-country SY
	assert_failure 65
	assert_output "ip-intake: <options>: person.birth_date: 2030-01-01 is in the future (today is 2026-11-21)"
	sed -i 's/^opened: 2026-11-21$/opened: 2026-11-21\nclosed: 2026-11-20/; s/^status: referred$/status: closed\noutcome: completed/' "$CASE"
	run ip-check -q "$CASE"
	assert_failure 1
	assert_output --partial "closed: closed on 2026-11-20, before the case was opened (2026-11-21)"
}

@test "nothing that happened is dated ahead: refused when written, found by ip-check in files, fine on its day" {
	before=$(sha256sum "$CASE")
	run ip-plan departure -i --date 2026-12-01 "$CASE"
	assert_failure 65
	assert_line "ip-plan: $CASE: return.departed: 2026-12-01 is after today (2026-11-21): what happened cannot be dated ahead"
	assert_line "ip-plan: $CASE: the changed case would not be valid; nothing changed"
	run ip-plan approve -i --side host --date 2027-01-01 "$CASE"
	assert_failure 65
	assert_line --partial "2027-01-01 is after today (2026-11-21): what happened cannot be dated ahead"
	[ "$(sha256sum "$CASE")" = "$before" ]
	# a plan's due dates and a planned departure lie ahead, as they should
	ip-plan departure -q -i --planned --date 2027-02-01 "$CASE" >/dev/null
	# a file with a typo in the year
	sed -i 's/^  intake: 2026-11-21$/  intake: 2062-11-21/; s/^    given: 2026-11-21$/    given: 2026-12-21/' "$CASE"
	run ip-check -q "$CASE"
	assert_failure 1
	assert_line --regexp "^ip-check: $CASE:[0-9]+:[0-9]+: status_dates.intake: 2062-11-21 is after today \(2026-11-21\): what happened cannot be dated ahead\$"
	assert_line --regexp "^ip-check: $CASE:[0-9]+:[0-9]+: consent\[0\].given: 2026-12-21 is after today \(2026-11-21\): what happened cannot be dated ahead\$"
	# the same file, read on a later day
	IP_NOW=2062-11-22T00:00:00Z ip-check -q "$CASE"
}

@test "health data leaves only with its own consent: send leaves it out and says so until ip-case consent gives it" {
	iq=$(ip-intake --given Ali --family Hassan --birth-date 1985-03-03 --sex male \
		--nationality IQ --return-country IQ --return-region IQ-BG --consent referral:IQ-BGD-IOM)
	ip-assess -q -i --vulnerability serious-illness --need medical:urgent --need housing:high "$iq" >/dev/null
	ip-plan new -q -i --template arrival-support "$iq" >/dev/null 2>&1 ||
		ip-plan add -q -i --category medical-care --side return --due arrival+7d "$iq" >/dev/null
	run --separate-stderr ip-refer send --to IQ-BGD-IOM --no-encrypt "$iq"
	assert_success
	[[ "$stderr" == *"ip-refer: $iq: left out assessments.vulnerabilities, assessments.needs (medical, psychosocial): no consent to sharing health data with IQ-BGD-IOM (ip-case consent --give health-data:IQ-BGD-IOM)"* ]]
	[[ "$output" != *serious-illness* ]]
	[[ "$output" != *'"medical"'* ]]
	[[ "$output" == *'"housing"'* ]]
	# with the consent, the next referral carries them
	ip-case consent -q -i --give health-data:IQ-BGD-IOM "$iq" >/dev/null
	ip-case consent -q -i --withdraw referral:IQ-BGD-IOM "$iq" >/dev/null
	ip-case consent -q -i --give referral:IQ-BGD-IOM "$iq" >/dev/null
	run --separate-stderr ip-refer send --to IQ-BGD-IOM --no-encrypt "$iq"
	assert_success
	[[ "$stderr" != *"left out"* ]]
	[[ "$output" == *serious-illness* ]]
}

@test "retention lists the cases closed longer than retention_years; erase keeps only what reports need, and reports stay as they were" {
	old=$(IP_NOW=2014-03-01T10:00:00Z ip-intake --given Olga --family Old --birth-date 1970-01-01 \
		--sex female --nationality RS --return-country RS)
	IP_NOW=2014-09-01T10:00:00Z ip-case close -q -i --outcome completed "$old" >/dev/null
	ip-case close -q -i --outcome withdrawn "$CASE" >/dev/null
	run --separate-stderr ip-case retention
	assert_success
	assert_output "$old"
	[ "$stderr" = "ip-case: 1 case closed on or before 2016-11-21 (10 years ago): due for erasure (ip-case erase)" ]
	printf 'retention_years: 15\n' >>.integplan/config.yaml
	run ip-case retention -q
	assert_failure 1
	sed -i 's/^retention_years: 15$/retention_years: 0/' .integplan/config.yaml
	run ip-case retention -q
	assert_failure 65
	sed -i '/^retention_years:/d' .integplan/config.yaml
	before=$(ip-report summary -q --by year,outcome,country -f csv --protection none | grep -v '^RS\|country')
	# an open case is closed first
	open=$(ip-intake --given Ana --family Open --birth-date 1990-01-01 --sex female \
		--nationality SY --return-country SY)
	run ip-case erase -i "$open"
	assert_failure 65
	assert_output "ip-case: $open: status: is intake: close it first (ip-case close --outcome ...), then erase it"
	ip-report summary -q >/dev/null  # a cache that names Olga
	grep -q Olga .integplan/cache/report.tsv
	# and changes beside it, as a large repository's cache keeps them
	cp .integplan/cache/report.tsv .integplan/cache/report.tsv.changes
	run ip-case erase -i "$old"
	assert_success
	! grep -q -e Olga -e 1970-01-01 -e RS "$old" || return 1
	grep -q '^erased: 2026-11-21$' "$old"
	grep -q '^opened_year: 2014$' "$old"
	ip-check -q
	[ ! -e .integplan/cache/report.tsv ] || ! grep -q Olga .integplan/cache/report.tsv || return 1
	! grep -rq Olga .integplan/cache || return 1
	# the counts by year and outcome are what they were (the country is gone)
	run ip-report summary -q --by year,outcome -f csv --protection none
	assert_line --regexp "^2014,completed,1.?$"
	run ip-case show "$old"
	assert_line --index 0 "${old#cases/}" || assert_line --index 0 --partial "(erased 2026-11-21)"
	run ip-case set -i --phone 1 "$old"
	assert_failure 65
	assert_output --partial "the case was erased on 2026-11-21: nothing of it is left to change"
	# a second erase changes nothing
	snapshot=$(sha256sum "$old")
	ip-case erase -q -i "$old" >/dev/null
	[ "$(sha256sum "$old")" = "$snapshot" ]
	run ip-case retention -q
	assert_failure 1
}

@test "erase --purge-history: the name is in no reachable git object afterwards, and the tombstone is committed" {
	need_tool git-filter-repo git-filter-repo
	export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org
	export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
	ip-intake -q --init --git .
	git add -A && git commit -qm cases
	ip-case set -q -i --phone '+49 89 555' "$CASE" >/dev/null
	git commit -qam "a phone"
	ip-case close -q -i --outcome completed "$CASE" >/dev/null
	git commit -qam closed
	objects() { git rev-list --all --objects | cut -d' ' -f1 | git cat-file --batch; }
	objects | grep -q Ahmadi
	run ip-case erase --purge-history "$CASE"
	assert_failure 64
	run --separate-stderr ip-case erase -i --purge-history "$CASE"
	assert_success
	[[ "$stderr" == *"every clone and backup made before still holds them"* ]]
	run bash -c "git rev-list --all --objects | cut -d' ' -f1 | git cat-file --batch | grep -a -c -e Ahmadi -e 'Mariam' -e '89 555'"
	assert_output 0
	git log --oneline | grep -q 'their history purged'
	git ls-files --error-unmatch "$CASE"
	grep -q '^erased: ' "$CASE"
	[ -z "$(git status --porcelain -- cases)" ]
	ip-check -q
	# a second run changes nothing, the history included
	head=$(git rev-parse HEAD)
	ip-case erase -q -i --purge-history "$CASE" >/dev/null
	[ "$(git rev-parse HEAD)" = "$head" ]
}

@test "find over the repository reads the report cache: an unchanged case is not read again" {
	ip-case find --name mariam >/dev/null
	grep -q 'BY-MUC-2026-NMVPY' .integplan/cache/report.tsv
	run --separate-stderr ip-report summary
	[[ "$stderr" == *"0 read, 1 from the cache"* ]]
	# a change is seen at once
	ip-case set -q -i --family Karimi "$CASE" >/dev/null
	run ip-case find --name karimi
	assert_output "$CASE"
}
