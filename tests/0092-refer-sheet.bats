#!/usr/bin/env bats
# ip-refer sheet and receive --from-form: a referral on paper for a partner
# without IntegPlan, and its filled-in answer entered by the centre.

load helper
bats_require_minimum_version 1.5.0

REF=BY-MUC-R-NMVPYQR4

setup() {
	make_repo
	open_mariam --planned-departure 2027-02-01 >/dev/null
	ip-assess -q -i --vulnerability serious-illness --need housing:high \
		--entrepreneurial yes "$CASE" >/dev/null
	ip-plan new -q -i --template business-startup "$CASE" >/dev/null
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$CASE" >package.json
}

# The response form a sheet prints, as the partner would fill it in.
blank_form() {
	ip-refer sheet -q --to AF-KBL-PH --lang en "$CASE" | sed -n '/^```yaml$/,/^```$/p' | sed '1d;$d'
}

@test "sheet: exactly what the package carries, in the partner's words, with a response part and its form (golden)" {
	run ip-refer sheet -q --to AF-KBL-PH --lang fra "$CASE"
	assert_success
	diff -u "$GOLDEN/sheet-mariam.fra.md" - <<<"$output"
	ip-refer sheet -q --to AF-KBL-PH --lang fra -f html "$CASE" >sheet.html
	diff -u "$GOLDEN/sheet-mariam.fra.html" sheet.html
	# the package's fields and nothing else: not the case id, the
	# counsellor, the consent or the vulnerability (no health-data consent)
	for field in $(jq -r '.referral.fields[]' package.json); do echo "$field"; done >fields
	grep -qx person.given fields
	refute_output --partial "BY-MUC-2026-NMVPY"
	refute_output --partial "Berger"
	refute_output --partial "serious"
	refute_output --partial "maladie"
	assert_line "- **Nationalité:** Afghanistan"
	assert_line "- **Langues:** dari, allemand"
	assert_line "referral: $REF"
}

@test "sheet: PDFs in French and Pashto, right-to-left pages in Dari and Sorani, Kurmanji in its words" {
	need_tool pdftotext poppler-utils
	ip-refer sheet -q --to AF-KBL-PH --lang fra -f pdf "$CASE" >sheet.pdf
	run pdftotext sheet.pdf -
	assert_line --partial "Orientation pour un soutien au retour"
	assert_line --partial "Mariam"
	assert_output --partial "Votre réponse"
	assert_line --partial "referral: $REF"
	assert_line --partial "kabul@advice.example.org"
	assert_output --partial "☐ acceptée"
	run ip-refer sheet -q --to AF-KBL-PH --lang prs -f html "$CASE"
	assert_success
	assert_line '<html lang="prs" dir="rtl">'
	assert_line '<h1>ارجاع برای حمایت بازگشت و ادغام مجدد</h1>'
	# the form stays left to right, as it is typed
	assert_output --partial "pre { background: #f4f4f4; padding: .8em; overflow-x: auto; direction: ltr;"
	# Sorani and Pashto right to left, Kurmanji left to right, all in their words
	run ip-refer sheet -q --to AF-KBL-PH --lang ckb -f html "$CASE"
	assert_line '<html lang="ckb" dir="rtl">'
	assert_output --partial '<h2>وەڵامی ئێوە</h2>'
	ip-refer sheet -q --to AF-KBL-PH --lang pbu -f pdf "$CASE" >sheet.pbu.pdf
	run pdftotext sheet.pbu.pdf -
	assert_output --partial "BY-MUC-R-NMVPYQR4"
	assert_output --partial "Mariam"
	run ip-refer sheet -q --to AF-KBL-PH --lang kmr "$CASE"
	assert_line "- **Dîroka jidayikbûnê:** 12 Nîsan 1991"
	refute_output --partial "Date of birth"
}

@test "sheet: no consent (77), no open referral (65), an unknown partner or language (64), one case at a time" {
	run ip-refer sheet --to AF-KBL-PH --lang 'x/../y' "$CASE"
	assert_failure 64
	run ip-refer sheet --to NO-SUCH "$CASE"
	assert_failure 64
	run ip-refer sheet "$CASE"
	assert_failure 64
	other=$(ip-intake --given Sami --family Noor --birth-date 2001-01-01 --sex male \
		--nationality AF --return-country AF --consent referral:AF-KBL-PH)
	run --separate-stderr ip-refer sheet --to AF-KBL-PH "$other"
	assert_failure 65
	[ "$stderr" = "ip-refer: $other: referrals: no open referral to AF-KBL-PH (ip-refer send --to AF-KBL-PH makes one)" ]
	run ip-refer sheet -q --to AF-KBL-PH "$CASE" "$CASE"
	assert_failure 64
	ip-case consent -q -i --withdraw referral:AF-KBL-PH "$CASE" >/dev/null
	run --separate-stderr ip-refer sheet --to AF-KBL-PH "$CASE"
	assert_failure 77
	[ -z "$output" ]
	[[ "$stderr" == *"no sheet made"* ]]
}

@test "receive --from-form: the filled-in form is taken like a response, entered by the centre for the partner; again, nothing changes" {
	blank_form | sed -e 's/^status: .*/status: accepted/' -e 's/^date: .*/date: 2026-11-21/' \
		-e 's/^by: .*/by: Farid Noori/' -e 's/^note:.*/note: We call her after arrival./' \
		-e '/id: M5/{n;s/status: open/status: in-progress/}' >form.yaml
	run --separate-stderr ip-refer receive --from-form form.yaml
	assert_success
	assert_output "$CASE"
	[[ "$stderr" == *"took entered by tester for AF-KBL-PH from a response form: response 1 of AF-KBL-PH to referral $REF: accepted (1 new step); M5 in-progress; 1 note"* ]]
	run ip-check -q --print -f json "$CASE"
	[ "$(jq -r '.referrals[0].status' <<<"$output")" = accepted ]
	[ "$(jq -r '.referrals[0].steps[-1].by' <<<"$output")" = "Farid Noori" ]
	[ "$(jq -r '.plan.measures[] | select(.id == "M5") | .status' <<<"$output")" = in-progress ]
	[ "$(jq -r '.history[-1].what' <<<"$output")" = "entered by tester for AF-KBL-PH from a response form: response 1 of AF-KBL-PH to referral $REF: accepted (1 new step); M5 in-progress; 1 note" ]
	before=$(sha256sum "$CASE")
	run ip-refer receive -q --from-form form.yaml
	assert_success
	[ "$(sha256sum "$CASE")" = "$before" ]
	ip-check -q "$CASE"
}

@test "receive --from-form: a bad form is refused with every problem's position; one for another partner, an unknown referral or a later day changes nothing (65)" {
	printf 'schema: integplan/response-form/1\nreferral: %s\nfrom: AF-KBL-PH\nstatus: maybe\ndate: 2026-13-01\nby:\nmeasures:\n  - id: M4\n    status: finished\n' "$REF" >bad.yaml
	before=$(sha256sum "$CASE")
	run ip-refer receive --from-form bad.yaml
	assert_failure 65
	assert_line "ip-refer: bad.yaml:4:9: status: unknown referral-status 'maybe' (see ip-intake --list referral-status)"
	assert_line "ip-refer: bad.yaml:5:7: date: '2026-13-01' is not a valid date (YYYY-MM-DD)"
	assert_line "ip-refer: bad.yaml:6:4: by: missing value (expected a string)"
	assert_line "ip-refer: bad.yaml:9:13: measures[0].status: unknown measure-status 'finished' (see ip-intake --list measure-status)"
	blank_form | sed -e 's/^status: .*/status: accepted/' -e 's/^date: .*/date: 2026-11-21/' \
		-e 's/^by: .*/by: Farid Noori/' >good.yaml
	# problems the case finds are named by the form's own fields, where they are
	sed 's/^from: .*/from: XK-PRN-PH/' good.yaml >other.yaml
	run ip-refer receive --from-form other.yaml
	assert_failure 65
	assert_output "ip-refer: other.yaml:3:7: from: the response comes from XK-PRN-PH, but referral $REF went to AF-KBL-PH (in $CASE)"
	sed "s/^referral: .*/referral: BY-MUC-R-AAAAAAAA/" good.yaml >unknown.yaml
	run ip-refer receive --from-form unknown.yaml
	assert_failure 65
	assert_output "ip-refer: unknown.yaml:2:11: referral: unknown referral BY-MUC-R-AAAAAAAA: no case in cases has it"
	sed 's/^date: .*/date: 2027-01-01/' good.yaml >later.yaml
	run ip-refer receive --from-form later.yaml
	assert_failure 65
	assert_output "ip-refer: later.yaml:5:7: date: a response dated 2027-01-01 is from the future (today is 2026-11-21); nothing changed"
	sed -e 's/^status: .*/status: done/' -e 's/^arrived:.*/arrived: 2099-01-01/' \
		-e '/id: M4/{n;n;s/date:.*/date: 2030-01-01/}' good.yaml >late.yaml
	run ip-refer receive --from-form late.yaml
	assert_failure 65
	assert_line "ip-refer: late.yaml:11:10: arrived: an arrival on 2099-01-01 is in the future (today is 2026-11-21); nothing changed"
	assert_line "ip-refer: late.yaml:15:11: measures[0].date: 2030-01-01 is in the future (today is 2026-11-21)"
	sed -e 's/^status: .*/status: done/' good.yaml >unsaid.yaml
	run ip-refer receive --from-form unsaid.yaml
	assert_failure 65
	assert_line --partial "ip-refer: unsaid.yaml:4:9: status: referral $REF"
	[ "$(sha256sum "$CASE")" = "$before" ]
	# a signed response given as a form, and no form at all
	printf '{"schema": "integplan/referral-response/2", "response": {}}\n' >response.json
	run ip-refer receive --from-form response.json
	assert_failure 65
	assert_output "ip-refer: response.json:1:12: schema: a signed response, not a response form: receive it without --from-form"
	run ip-refer receive --from-form
	assert_failure 64
	assert_output "ip-refer: no response form given (a file, or - for standard input)"
}
