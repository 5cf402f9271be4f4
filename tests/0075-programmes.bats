#!/usr/bin/env bats
# ip-plan check against the programmes as they were: caps and rules of
# eligibility valid on the day of the application (or --as-of), each
# named with its source; programmes.yaml checked whole.

load helper
bats_require_minimum_version 1.5.0

setup() {
	make_repo
}

# A case of a person of nationality $1 returning to $2, opened on
# 2024-07-15, leaving on 2024-10-01; more intake options follow.
open_case() {
	local nationality=$1 country=$2
	shift 2
	ip-intake -q --given Test --family Person --birth-date 1990-03-03 --sex female \
		--nationality "$nationality" --return-country "$country" --opened 2024-07-15 \
		--counsellor "A. Berger" --planned-departure 2024-10-01 "$@"
}

# Add a measure paid by a programme: budget CASE CATEGORY AMOUNT PROGRAMME
budget() {
	ip-plan add -q -i --category "$2" --amount "$3" --programme "$4" "$1" >/dev/null
}

# The application to REAG/GARP 2.0, made on day $2.
applied() {
	ip-plan add -q -i --category programme-application --programme REAG-GARP-2 \
		--due departure-8w "$1" >/dev/null
	ip-plan set -q -i --measure M1 --status done --date "$2" "$1" >/dev/null
}

@test "Türkiye: under six months' stay, no start-up payment, StarthilfePlus or EURP (rule and source named)" {
	case_path=$(open_case TR TR --entered 2024-05-01)
	applied "$case_path" 2024-08-01
	budget "$case_path" travel-allowance 200 REAG-GARP-2
	budget "$case_path" cash-assistance 1000 REAG-GARP-2
	budget "$case_path" cash-assistance 800 STARTHILFEPLUS
	budget "$case_path" temporary-housing 300 EURP
	run ip-plan check -q "$case_path"
	assert_failure 1
	assert_line --partial "plan.measures[2].budget.programme: M3 (cash-assistance) is paid by REAG-GARP-2, which this person is not eligible for (rule turkiye-short-stay-start-up, valid 2024-07-01 to 2025-06-30, applied on 2024-08-01: under six months in Germany"
	assert_line --partial "M4 (cash-assistance) is paid by STARTHILFEPLUS, which this person is not eligible for (rule turkiye-short-stay-starthilfeplus"
	assert_line --partial "M5 (temporary-housing) is paid by EURP, which this person is not eligible for (rule turkiye-short-stay-eurp"
	assert_output --partial "source: https://www.returningfromgermany.de/de/reaggarp/sonderregelungen, read 2026-12-02)"
	# the travel allowance stays: the rule leaves travel and its allowance
	refute_output --partial "M2 (travel-allowance)"
	# a measure the rule excludes is not named again for a reduced amount
	refute_output --partial "M4 (cash-assistance) is paid by STARTHILFEPLUS at a reduced amount"
}

@test "Türkiye: six months' stay or more, the regular programmes (StarthilfePlus at its reduced amount)" {
	case_path=$(open_case TR TR --entered 2023-12-01)
	applied "$case_path" 2024-08-01
	budget "$case_path" cash-assistance 1000 REAG-GARP-2
	budget "$case_path" cash-assistance 800 STARTHILFEPLUS
	run ip-plan check -q "$case_path"
	refute_output --partial "not eligible"
	assert_line --partial "M3 (cash-assistance) is paid by STARTHILFEPLUS at a reduced amount only for this person, which programmes.yaml does not record: confirm it before it is paid (rule starthilfeplus-reduced"
}

@test "Türkiye: without the day of entry the rule cannot be decided, and check says what is missing" {
	case_path=$(open_case TR TR)
	applied "$case_path" 2024-08-01
	budget "$case_path" cash-assistance 1000 REAG-GARP-2
	run ip-plan check -q "$case_path"
	assert_failure 1
	assert_line --partial "person: cannot tell whether the budgets REAG-GARP-2 pays are allowed: the day the person entered Germany (person.entered) is not recorded (rule turkiye-short-stay-start-up"
}

@test "--as-of: the same plan before, during and after the Türkiye rule" {
	case_path=$(open_case TR TR --entered 2024-05-01)
	budget "$case_path" cash-assistance 1000 REAG-GARP-2
	run ip-plan check -q --as-of 2024-06-30 "$case_path"
	refute_output --partial "turkiye-short-stay"
	run ip-plan check -q --as-of 2024-07-01 "$case_path"
	assert_line --partial "M1 (cash-assistance) is paid by REAG-GARP-2, which this person is not eligible for (rule turkiye-short-stay-start-up, valid 2024-07-01 to 2025-06-30, applied on 2024-07-01"
	# six months after the entry, the stay is long enough
	run ip-plan check -q --as-of 2024-10-31 "$case_path"
	assert_output --partial "turkiye-short-stay-start-up"
	run ip-plan check -q --as-of 2024-11-01 "$case_path"
	refute_output --partial "turkiye-short-stay"
	# no extension after 30 June 2025 was found: the rule ends there
	later=$(open_case TR TR --entered 2025-05-01 --allow-duplicate)
	budget "$later" cash-assistance 1000 REAG-GARP-2
	run ip-plan check -q --as-of 2025-06-30 "$later"
	assert_output --partial "turkiye-short-stay-start-up, valid 2024-07-01 to 2025-06-30, applied on 2025-06-30"
	run ip-plan check -q --as-of 2025-07-01 "$later"
	refute_output --partial "turkiye-short-stay"
	# without --as-of and without an application, today's rules (2026-11-21)
	run ip-plan check -q "$case_path"
	refute_output --partial "turkiye-short-stay"
	run ip-plan check --as-of 2024-13-01 "$case_path"
	assert_failure 64
	assert_output --partial "--as-of"
}

@test "--as-of: a programme that had not begun, or had ended, on that day is named" {
	case_path=$(open_case AF AF --entered 2021-01-01)
	budget "$case_path" cash-assistance 1000 REAG-GARP-2
	budget "$case_path" business-startup 500 PERSPEKTIVE-HEIMAT
	run ip-plan check -q --as-of 2023-06-01 "$case_path"
	assert_line --partial "plan.measures[0].budget.programme: M1 is paid by REAG-GARP-2, which did not run on 2023-06-01 (valid from 2024-01-01)"
	refute_output --partial "M2 is paid by PERSPEKTIVE-HEIMAT"
	run ip-plan check -q --as-of 2024-06-01 "$case_path"
	assert_line --partial "plan.measures[1].budget.programme: M2 is paid by PERSPEKTIVE-HEIMAT, which did not run on 2024-06-01 (valid until 2023-10-31)"
	refute_output --partial "M1 is paid by REAG-GARP-2, which did not run"
	# the start-up cap of 2024 is not applied to a day before it
	ip-plan set -q -i --measure M1 --amount 1500 "$case_path" >/dev/null
	run ip-plan check -q --as-of 2024-06-01 "$case_path"
	assert_output --partial "REAG-GARP-2 start-up budgets total 1500 EUR, over the cap of 1000 EUR"
	run ip-plan check -q --as-of 2023-06-01 "$case_path"
	refute_output --partial "start-up budgets"
}

@test "StarthilfePlus: a reduced-amount nationality, the regular one, and none" {
	case_path=$(open_case NG NG --entered 2020-01-01)
	budget "$case_path" cash-assistance 800 STARTHILFEPLUS
	run ip-plan check -q "$case_path"
	assert_line --partial "plan.measures[0].budget.amount: M1 (cash-assistance) is paid by STARTHILFEPLUS at a reduced amount only for this person"
	assert_output --partial "source: https://returningfromgermany.de/de/programmes/starthilfe-plus, read 2026-12-02)"
	# a vulnerable person gets the regular amount
	ip-assess -q -i --vulnerability serious-illness "$case_path" >/dev/null
	run ip-plan check -q "$case_path"
	refute_output --partial "reduced amount"
	# Senegal: the regular amount
	other=$(open_case SN SN --entered 2020-01-01 --allow-duplicate)
	budget "$other" cash-assistance 800 STARTHILFEPLUS
	run ip-plan check -q "$other"
	refute_output --partial "STARTHILFEPLUS"
	# Afghanistan is not on the list: not eligible
	third=$(open_case AF AF --entered 2020-01-01 --allow-duplicate)
	budget "$third" cash-assistance 800 STARTHILFEPLUS
	budget "$third" housing 500 STARTHILFEPLUS
	run ip-plan check -q "$third"
	assert_line --partial "M1 (cash-assistance) is paid by STARTHILFEPLUS, which this person is not eligible for (rule starthilfeplus-nationality"
	assert_line --partial "M2 (housing) is paid by STARTHILFEPLUS, which this person is not eligible for (rule starthilfeplus-housing"
}

@test "REAG/GARP: a reduced travel allowance for a visa-free state; a site that records the amount gets it checked" {
	case_path=$(open_case RS RS --entered 2020-01-01)
	budget "$case_path" travel-allowance 200 REAG-GARP-2
	run ip-plan check -q "$case_path"
	assert_line --partial "plan.measures[0].budget.amount: M1 (travel-allowance) is paid by REAG-GARP-2 at a reduced amount only for this person, which programmes.yaml does not record: confirm it before it is paid (rule reag-travel-allowance-visa-free, valid from 2024-01-01, applied on 2026-11-21"
	cp -R "$ROOT/share/integplan" site
	sed -i '/id: reag-travel-allowance-visa-free/,/effect: reduced/s/effect: reduced/effect: reduced\n    per_adult: 50\n    per_minor: 25/' site/programmes.yaml
	run env IP_SHARE="$PWD/site" IP_TEMPLATES="$ROOT/share/templates" ip-plan check -q "$case_path"
	assert_line --partial "plan.measures[0].budget.amount: REAG-GARP-2 budgets total 200 EUR, over the reduced amount of 50 EUR this person is eligible for (per adult and minor, for 1 adult and 0 minors; rule reag-travel-allowance-visa-free"
	# an Afghan returnee gets the full allowance
	other=$(open_case AF AF --entered 2020-01-01 --allow-duplicate)
	budget "$other" travel-allowance 200 REAG-GARP-2
	run ip-plan check -q "$other"
	refute_output --partial "travel-allowance"
}

@test "caps: the travel allowance per person, medical costs per case" {
	case_path=$(open_case AF AF --entered 2020-01-01)
	ip-assess -q -i --household child:2019-02-01:male "$case_path" >/dev/null
	budget "$case_path" travel-allowance 400 REAG-GARP-2
	budget "$case_path" medical-care 2500 REAG-GARP-2
	budget "$case_path" onward-travel 400 REAG-GARP-2
	run ip-plan check -q "$case_path"
	assert_line --partial "plan.measures[0].budget.amount: REAG-GARP-2 travel-allowance budgets total 400 EUR, over the cap of 300 EUR (per adult and minor, for 1 adult and 1 minor)"
	assert_line --partial "plan.measures[1].budget.amount: REAG-GARP-2 medical-costs budgets total 2500 EUR, over the cap of 2000 EUR (per case, for 1 adult and 1 minor)"
	# onward travel after arrival is a service, not the travel allowance
	refute_output --partial "measures[2]"
}

@test "rules: an unaccompanied minor's plan needs a family assessment before departure" {
	case_path=$(open_case AF AF --entered 2020-01-01)
	ip-assess -q -i --vulnerability unaccompanied-minor "$case_path" >/dev/null
	ip-plan add -q -i --category family-reunification "$case_path" >/dev/null
	run ip-plan check -q "$case_path"
	assert_line --partial "rule unaccompanied-minor-family-first requires a family-assessment measure; the plan has none"
	ip-plan add -q -i --category family-assessment --due departure-28d "$case_path" >/dev/null
	run ip-plan check -q "$case_path"
	refute_output --partial "family-assessment"
}

@test "programmes.yaml: an unknown source, a rule that ends before it begins, an unknown effect: refused with positions (65)" {
	case_path=$(open_case AF AF --entered 2020-01-01)
	budget "$case_path" cash-assistance 1000 REAG-GARP-2
	cp -R "$ROOT/share/integplan" site
	sed -i -e '0,/source: rfg-reag-garp/s//source: rfg-nowhere/' \
		-e '/id: turkiye-short-stay-eurp/,/valid_to/s/valid_to: 2025-06-30/valid_to: 2024-06-30/' \
		-e '0,/effect: excluded/s//effect: forbidden/' site/programmes.yaml
	run --separate-stderr env IP_SHARE="$PWD/site" IP_TEMPLATES="$ROOT/share/templates" ip-plan check -q "$case_path"
	assert_failure 65
	[[ "$stderr" == *"site/programmes.yaml:"*"programmes[0].source: no source 'rfg-nowhere' in the list of sources"* ]]
	[[ "$stderr" == *"eligibility["*"].valid_to: ends before it begins (valid_from 2024-07-01)"* ]]
	[[ "$stderr" == *"effect: unknown eligibility-effect 'forbidden'"* ]]
}

@test "vocabularies: a dated entry recorded for a day it does not cover is kept, with a warning" {
	case_path=$(open_case AF AF --entered 2020-01-01)
	run ip-assess -i --date 2026-01-10 --vulnerability lgbti "$case_path"
	assert_success
	assert_line "ip-assess: $case_path: warning: vulnerability 'lgbti' is valid from 2026-06-12, not on 2026-01-10; source: https://eur-lex.europa.eu/eli/dir/2024/1346/oj, Art. 24"
	grep -q -- '- lgbti' "$case_path"
	run ip-assess -i --date 2026-06-12 --vulnerability lgbti --need housing "$case_path"
	refute_output --partial "warning"
}

@test "vocabularies: the recast directive's vulnerabilities, the new measures and partner kinds are listed" {
	run ip-assess --list vulnerabilities
	assert_success
	assert_line --regexp '^lgbti +LGBTI-Person \| LGBTI person \(valid from 2026-06-12\)$'
	assert_line --regexp '^post-traumatic-stress '
	run ip-plan --list measures
	assert_line --regexp '^travel-allowance +Reisebeihilfe \| travel allowance$'
	assert_line --regexp '^family-assessment '
	assert_line --regexp '^cash-for-work '
	run ip-intake --list partner-kind
	assert_line --regexp '^giz-advice-centre .* \(valid until 2023-10-31\)$'
	assert_line --regexp '^zme '
	assert_line --regexp '^eurp-partner '
}

@test "pay: a payment from a budget, recorded once; approvals stay; over the budget or the cap is a gap" {
	case_path=$(open_case AF AF --entered 2020-01-01)
	budget "$case_path" cash-assistance 1000 REAG-GARP-2
	ip-plan approve -q -i --side host "$case_path" >/dev/null
	ip-plan approve -q -i --side return --by "N. Karimi" "$case_path" >/dev/null
	run ip-plan pay -i --measure M1 --amount 600 --date 2026-11-01 --reference V-1 "$case_path"
	assert_success
	assert_output "$case_path"
	grep -q 'what: "payment of 600 EUR from the budget of M1: V-1"' "$case_path"
	before=$(sha256sum "$case_path")
	run ip-plan pay -i --measure M1 --amount 600 --date 2026-11-01 --reference V-1 "$case_path"
	assert_success
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-plan check -q "$case_path"
	assert_success
	run ip-plan pay -q -i --measure M1 --amount 500 --reference V-2 "$case_path"
	assert_success
	run ip-plan check -q "$case_path"
	assert_failure 1
	assert_line --partial "plan.measures[0].budget.paid: M1: 1100 EUR paid in 2 payments, over the approved budget of 1000 EUR"
	assert_line --partial "plan.measures[0].budget.amount: REAG-GARP-2 start-up budgets total 1100 EUR, over the cap of 1000 EUR"
	# paying is not a term of the plan: the approvals hold
	refute_output --partial "plan.approvals"
	ip-check -q "$case_path"
}

@test "pay: StarthilfePlus pays in two instalments; a third payment is named" {
	case_path=$(open_case SN SN --entered 2020-01-01)
	budget "$case_path" cash-assistance 800 STARTHILFEPLUS
	ip-plan pay -q -i --measure M1 --amount 400 --date 2026-01-10 "$case_path" >/dev/null
	ip-plan pay -q -i --measure M1 --amount 400 --date 2026-08-10 "$case_path" >/dev/null
	run ip-plan check -q "$case_path"
	refute_output --partial "payments"
	ip-plan pay -q -i --measure M1 --amount 10 --date 2026-09-10 "$case_path" >/dev/null
	run ip-plan check -q "$case_path"
	assert_line --partial "plan.measures[0].budget.paid: M1: 3 payments, but STARTHILFEPLUS pays in 2 instalments"
	assert_line --partial "M1: 810 EUR paid in 3 payments, over the approved budget of 800 EUR"
}

@test "pay: refused without an amount (64), for a day ahead, an unknown or cancelled measure, one without a budget, a reference with control characters (65); nothing changes" {
	case_path=$(open_case AF AF --entered 2020-01-01)
	budget "$case_path" cash-assistance 1000 REAG-GARP-2
	ip-plan add -q -i --category housing "$case_path" >/dev/null
	before=$(sha256sum "$case_path")
	run ip-plan pay -i --measure M1 "$case_path"
	assert_failure 64
	assert_output --partial "--amount"
	run ip-plan pay -i --measure M1 --amount 10 --date 2026-12-24 "$case_path"
	assert_failure 65
	assert_output "ip-plan: $case_path: plan.measures[0].budget.paid.date: 2026-12-24 is after today (2026-11-21): what happened cannot be dated ahead"
	run ip-plan pay -i --measure M9 --amount 10 "$case_path"
	assert_failure 65
	assert_output --partial "no measure 'M9'"
	run ip-plan pay -i --measure M2 --amount 10 "$case_path"
	assert_failure 65
	assert_output "ip-plan: $case_path: plan.measures[1]: M2 has no budget to pay from (give it one: ip-plan set --amount N)"
	run ip-plan pay -i --measure M1 --amount 10 --reference $'V\x1b[31m' "$case_path"
	assert_failure 65
	refute_output --partial $'\x1b'
	[ "$(sha256sum "$case_path")" = "$before" ]
	ip-plan set -q -i --measure M1 --status cancelled "$case_path" >/dev/null
	run ip-plan pay -i --measure M1 --amount 10 "$case_path"
	assert_failure 65
	assert_output "ip-plan: $case_path: plan.measures[0]: M1 is cancelled: nothing is paid from its budget"
}

@test "pay: payments recorded in two clones are all kept by ip-merge, in the order of their days" {
	case_path=$(open_case SN SN --entered 2020-01-01)
	budget "$case_path" cash-assistance 800 STARTHILFEPLUS
	cp "$case_path" base.yaml
	cp "$case_path" ours.yaml
	cp "$case_path" theirs.yaml
	ip-plan pay -q -i --measure M1 --amount 400 --date 2026-08-10 --reference B ours.yaml >/dev/null
	ip-plan pay -q -i --measure M1 --amount 400 --date 2026-01-10 --reference A theirs.yaml >/dev/null
	run ip-merge base.yaml ours.yaml theirs.yaml "$case_path"
	assert_success
	run grep -o 'reference: [AB]' ours.yaml
	assert_output "$(printf 'reference: A\nreference: B')"
	run ip-plan check -q ours.yaml
	refute_output --partial "paid"
}

@test "pay: the payments stay with the centre: a referral package carries the budget, not what was paid" {
	case_path=$(open_case AF AF --entered 2020-01-01 --consent referral:AF-KBL-PH)
	ip-plan add -q -i --category business-startup --amount 700 --programme EURP "$case_path" >/dev/null
	ip-plan pay -q -i --measure M1 --amount 300 --reference VOUCHER-77 "$case_path" >/dev/null
	run ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$case_path"
	assert_success
	[[ "$output" == *'"budget":{"amount":700,"currency":"EUR","programme":"EURP"}'* ]]
	refute_output --partial "VOUCHER-77"
	refute_output --partial '"paid"'
}

@test "vocabularies: an entry's field it cannot have (a label with a comma, unquoted) or without text is named where it is" {
	cp -R "$ROOT/share/integplan" site
	sed -i 's/en: "survivor of torture, rape or other serious violence",/en: survivor of torture, rape or other serious violence,/; s/^  - {id: elderly, de: ältere Person, en: elderly person,/  - {id: elderly, de: ältere Person, en: elderly person, fr: [âgé],/' site/vocabularies.yaml
	run env IP_SHARE="$PWD/site" ip-intake --list vulnerability
	assert_failure 65
	assert_line --regexp '^ip-intake: .*/site/vocabularies\.yaml:[0-9]+:[0-9]+: vulnerability\[9\]\.rape or other serious violence: unknown field \(a label is named by its language.s code; a label with a comma needs quotes\)$'
	assert_line --regexp '^ip-intake: .*/site/vocabularies\.yaml:[0-9]+:[0-9]+: vulnerability\[3\]\.fr: expected text$'
	# the shipped file has the whole label
	run ip-intake --list vulnerability
	assert_line --regexp '^violence-survivor .*\| survivor of torture, rape or other serious violence$'
}
