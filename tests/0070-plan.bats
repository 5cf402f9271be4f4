#!/usr/bin/env bats
# ip-plan: plans from templates, measures, approvals, dates, gaps, documents.

load helper
bats_require_minimum_version 1.5.0

setup() {
	make_repo
	case_path=$(open_mariam --planned-departure 2027-02-01)
	ip-assess -q -i --vulnerability serious-illness --need housing:high \
		--entrepreneurial yes "$case_path" >/dev/null
}

# A case with a plan from the business start-up template.
with_plan() {
	ip-plan new -q -i --template business-startup "$case_path" >/dev/null
}

@test "new: a plan from a template, owners and follow-ups filled in, recorded in the history" {
	run ip-plan new -i --template business-startup "$case_path"
	assert_success
	assert_output "$case_path"
	diff -u "$GOLDEN/plan-mariam.yaml" "$case_path"
	run ip-check -q "$case_path"
	assert_success
}

@test "new: a second run changes nothing; another template needs --replace" {
	with_plan
	before=$(sha256sum "$case_path")
	run ip-plan new -i --template business-startup "$case_path"
	assert_success
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-plan new -i --template medical "$case_path"
	assert_failure 65
	assert_output "ip-plan: $case_path: plan: the case has a plan already (template business-startup, 7 measures): add to it with ip-plan add, or use --replace"
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-plan new -q -i --replace --template medical "$case_path"
	assert_success
	grep -qx '  template: medical' "$case_path"
	grep -qx '      category: medical-escort' "$case_path"
}

@test "new: an unknown template gets a did-you-mean; templates lists them all" {
	run ip-plan new -i --template busines-startup "$case_path"
	assert_failure 64
	assert_output "ip-plan: no plan template 'busines-startup'; did you mean 'business-startup'?"
	run ip-plan new -i --template ../../etc/passwd-like "$case_path"
	assert_failure 66
	run ip-plan new -i --template 'a b' "$case_path"
	assert_failure 64
	run ip-plan templates
	assert_success
	assert_line "business-startup         Existenzgründung | Business start-up"
	assert_line "family-with-children     Familie mit Kindern | Family with children"
	[ "${#lines[@]}" -eq 7 ]
	for t in $(ip-plan templates | cut -d' ' -f1); do
		ip-plan new -q --template "$t" "$case_path" | ip-check -q - || return 1
	done
}

@test "a broken plan template is refused with its position; the case is unchanged" {
	printf 'schema: integplan/plan-template/1\ntitle: {en: Broken}\nmeasures:\n  - {dimension: economic, category: busines-startup, side: host}\n' >broken.yaml
	before=$(sha256sum "$case_path")
	run ip-plan new -i --template ./broken.yaml "$case_path"
	assert_failure 65
	assert_output --partial "ip-plan: ./broken.yaml:4:37: measures[0].category: unknown measure 'busines-startup'; did you mean 'business-startup'?"
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "add: defaults from the vocabulary and the counsellor; the same measure is not added twice" {
	with_plan
	run ip-plan add -i --category skills-analysis --due departure-60d --note "before the training" "$case_path"
	assert_success
	ip-check -q --print -f jsonl "$case_path" |
		grep -q '{"id":"M8","dimension":"economic","category":"skills-analysis","side":"host","owner":"A. Berger","due":"departure-60d","status":"open","note":"before the training"}'
	before=$(sha256sum "$case_path")
	run ip-plan add -i --category skills-analysis --due departure-60d --note "before the training" "$case_path"
	assert_success
	assert_line "ip-plan: $case_path: warning: the plan has this measure already (M8); nothing added"
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-plan add -q --category cash-assistance --amount 250 --programme STARTHILFEPLUS "$case_path"
	assert_line '        amount: 250'
	assert_line '        currency: EUR'
	assert_line '        programme: STARTHILFEPLUS'
}

@test "add: each bad value is named with a did-you-mean; nothing changes (64)" {
	with_plan
	before=$(sha256sum "$case_path")
	run ip-plan add -i --category housng --due arival+3m --amount -5 --addresses hosing \
		--dimension socal --currency EURO "$case_path"
	assert_failure 64
	assert_line "ip-plan: --category: unknown measure 'housng'; did you mean 'housing'?"
	assert_line --partial "ip-plan: --due: 'arival+3m' is not"
	assert_line --partial "ip-plan: --amount: "
	assert_line "ip-plan: --addresses: unknown need 'hosing'; did you mean 'housing'?"
	assert_line "ip-plan: --dimension: unknown dimension 'socal'; did you mean 'social'?"
	assert_line --partial "ip-plan: --currency: "
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-plan add -i "$case_path"
	assert_failure 64
	assert_output "ip-plan: ip-plan add needs --category MEASURE"
}

@test "add: an amount that is not a finite number, a value that is not UTF-8: refused (64), no crash" {
	with_plan
	before=$(sha256sum "$case_path")
	for amount in nan inf -inf 1e999; do
		run ip-plan add -i --category housing --amount "$amount" "$case_path"
		assert_failure 64
		assert_output "ip-plan: --amount: '$amount' is not a number"
	done
	run ip-plan add -i --category housing --side $'\xff' "$case_path"
	assert_failure 64
	assert_output "ip-plan: --side: not valid UTF-8 text"
	run ip-plan set -i --measure M1 --note $'\xff' "$case_path"
	assert_failure 64
	assert_output "ip-plan: --note: not valid UTF-8 text"
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "set: changes a measure; an unknown id is named with the ones there are (65)" {
	with_plan
	run ip-plan set -i --measure M7 --status in-progress --amount 1200 --owner "N. Karimi" "$case_path"
	assert_success
	ip-check -q --print -f jsonl "$case_path" |
		grep -q '"id":"M7","dimension":"economic","category":"cash-assistance","side":"return","owner":"N. Karimi","due":"departure+0d","status":"in-progress","status_date":"2026-11-21","started":"2026-11-21","budget":{"amount":1200,"currency":"EUR","programme":"REAG-GARP-2"}'
	before=$(sha256sum "$case_path")
	run ip-plan set -i --measure M55 --status done "$case_path"
	assert_failure 65
	assert_output "ip-plan: $case_path: plan.measures: no measure 'M55'; did you mean 'M5'?"
	run ip-plan set -i --measure housing --status done "$case_path"
	assert_output "ip-plan: $case_path: plan.measures: no measure 'housing' (the plan has M1, M2, M3, M4, M5, M6, M7)"
	run ip-plan set -i --measure M5 --status don "$case_path"
	assert_failure 64
	assert_output "ip-plan: --status: unknown measure-status 'don'; did you mean 'done'?"
	run ip-plan set -i --measure M5 "$case_path"
	assert_failure 64
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "approve: both sides agree the plan and the case is planned; unknown side refused" {
	with_plan
	run ip-plan approve -i --side hots "$case_path"
	assert_failure 64
	assert_output "ip-plan: --side: unknown side 'hots'; did you mean 'host'?"
	run ip-plan approve -i --side host --by "A. Berger" "$case_path"
	assert_success
	grep -qx 'status: assessed' "$case_path"
	export IP_NOW=2026-11-25T10:00:00Z
	run ip-plan approve -i --side return --by "N. Karimi" --date 2026-11-25 "$case_path"
	assert_success
	grep -qx 'status: planned' "$case_path"
	grep -qx '    what: plan approved by the return side (N. Karimi); the plan is agreed' "$case_path"
	before=$(sha256sum "$case_path")
	run ip-plan approve -i --side return --by "N. Karimi" "$case_path"
	assert_success
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "a change after approval withdraws both approvals, visibly" {
	with_plan
	ip-plan approve -q -i --side host --by "A. Berger" "$case_path" >/dev/null
	ip-plan approve -q -i --side return --by "N. Karimi" "$case_path" >/dev/null
	run ip-plan set -i --measure M2 --due departure-21d "$case_path"
	assert_success
	assert_line "ip-plan: $case_path: warning: the plan changed: approvals withdrawn (host: A. Berger, return: N. Karimi); both sides must approve again"
	[ "$(grep -c '      withdrawn: 2026-11-21' "$case_path")" -eq 2 ]
	grep -qx '    what: "measure M2 changed; approvals withdrawn (host: A. Berger, return: N. Karimi)"' "$case_path"
	run ip-plan check -q "$case_path"
	assert_failure 1
	assert_line --partial "plan.approvals: not approved by the host side"
	assert_line --partial "plan.approvals: not approved by the return side"
}

@test "approvals bind to the measures: progress keeps them, a cancelled measure or a hand edit does not" {
	with_plan
	ip-plan approve -q -i --side host --by "A. Berger" "$case_path" >/dev/null
	ip-plan approve -q -i --side return --by "N. Karimi" "$case_path" >/dev/null
	grep -q '      measures_digest: sha256:' "$case_path"
	# progress, an owner, a note: still agreed
	run ip-plan set -i --measure M1 --status in-progress --owner "B. Weber" --note "started" "$case_path"
	assert_success
	refute_output --partial "withdrawn"
	! grep -q 'withdrawn:' "$case_path" || return 1
	ip-plan check -q "$case_path" | { ! grep -q plan.approvals; }
	# a departure moves relative due dates, not the terms agreed
	ip-plan departure -q -i --planned --date 2027-03-01 "$case_path" >/dev/null
	! grep -q 'withdrawn:' "$case_path" || return 1
	# a hand edit of an amount: the approvals count as withdrawn everywhere
	cp "$case_path" edited.yaml
	sed -i 's/^        amount: 1000$/        amount: 1500/' edited.yaml
	run ip-plan check -q edited.yaml
	assert_failure 1
	assert_line --partial "plan.approvals[0]: the host side's approval (A. Berger, 2026-11-21) was given to other terms than the plan has now"
	assert_line --partial "plan.approvals: not approved by the return side"
	run ip-check edited.yaml
	assert_success
	assert_line --partial "plan.approvals[1]: warning: the return side's approval (N. Karimi, 2026-11-21) no longer matches the plan's measures: it counts as withdrawn"
	run ip-plan render -q -f md edited.yaml
	assert_line "- ~~country of return: approved by N. Karimi, 21 November 2026~~ (approval withdrawn: the plan changed after it was given)"
	# approving again binds to what the plan is now
	ip-plan approve -q -i --side host --by "A. Berger" edited.yaml >/dev/null
	ip-plan approve -q -i --side return --by "N. Karimi" edited.yaml >/dev/null
	ip-plan check -q edited.yaml | { ! grep -q plan.approvals; }
	[ "$(grep -c '      withdrawn: 2026-11-21' edited.yaml)" -eq 2 ]
	# a cancelled measure changes what was agreed
	run ip-plan set -i --measure M2 --status cancelled "$case_path"
	assert_success
	assert_line "ip-plan: $case_path: warning: the plan changed: approvals withdrawn (host: A. Berger, return: N. Karimi); both sides must approve again"
}

@test "approve: a case without a plan has nothing to approve (65)" {
	run ip-plan approve -i --side host "$case_path"
	assert_failure 65
	assert_output "ip-plan: $case_path: plan: nothing to approve: the case has no plan (ip-plan new CASE --template NAME)"
}

@test "departure and arrival: dates recorded, status moves forward, arrival before departure refused" {
	with_plan
	run ip-plan departure -i --planned --date 2027-02-15 "$case_path"
	assert_success
	grep -qx '  planned_departure: 2027-02-15' "$case_path"
	# a departure is recorded once it happened
	export IP_NOW=2027-02-16T09:00:00Z
	ip-plan departure -q -i --date 2027-02-14 "$case_path" >/dev/null
	grep -qx 'status: departed' "$case_path"
	run ip-plan arrival -i --date 2027-02-13 "$case_path"
	assert_failure 65
	assert_output "ip-plan: $case_path: return.arrived: arrival 2027-02-13 is before the departure on 2027-02-14"
	ip-plan arrival -q -i --date 2027-02-15 "$case_path" >/dev/null
	grep -qx 'status: arrived' "$case_path"
	grep -qx '  arrived: 2027-02-15' "$case_path"
}

@test "follow-up: the earliest open one is done; none left is an error; none before the return" {
	with_plan
	export IP_NOW=2028-03-01T09:00:00Z
	# no follow-up for someone who has not returned
	run ip-plan follow-up -i --date 2027-05-02 "$case_path"
	assert_failure 65
	assert_line "ip-plan: $case_path: plan.follow_ups[0].done: a follow-up done on 2027-05-02, but no arrival is recorded: follow-ups come after the return"
	ip-plan departure -q -i --date 2027-02-14 "$case_path" >/dev/null
	ip-plan arrival -q -i --date 2027-02-15 "$case_path" >/dev/null
	run ip-plan follow-up -i --date 2027-02-01 "$case_path"
	assert_failure 65
	assert_line "ip-plan: $case_path: plan.follow_ups[0].done: a follow-up done on 2027-02-01, before the arrival (2027-02-15)"
	ip-plan follow-up -q -i --date 2027-05-02 --by "N. Karimi" --note "business running" "$case_path" >/dev/null
	ip-check -q --print -f jsonl "$case_path" |
		grep -q '"follow_ups":\[{"due":"arrival+3m","done":"2027-05-02","by":"N. Karimi","note":"business running"},{"due":"arrival+6m"}'
	ip-plan follow-up -q -i --date 2027-08-20 "$case_path" >/dev/null
	ip-plan follow-up -q -i --date 2028-02-20 "$case_path" >/dev/null
	run ip-plan follow-up -i "$case_path"
	assert_failure 65
	assert_output "ip-plan: $case_path: plan.follow_ups: no follow-up is open"
}

@test "check: every kind of gap, one a line with the case path (golden), exit 1" {
	with_plan
	ip-assess -q -i --household spouse:1988-01-01:male --household child:2019-02-01:male \
		--household child:2021-05-05:female --household parent:1960-03-03:female \
		--vulnerability serious-illness --need housing:high --need documents "$case_path" >/dev/null
	for args in "--category cash-assistance --amount 3000 --programme REAG-GARP-2 --addresses income" \
		"--category individual-counselling --due 2027-03-01" \
		"--category housing --due departure-7d --addresses housing" \
		"--category job-placement --due arrival+13m" \
		"--category travel-allowance --amount 150 --currency AFN --programme REAG-GARP-2" \
		"--category temporary-housing --amount 100 --programme EU-JRS" \
		"--category programme-application --programme EU-JRS --due departure-3w"; do
		# shellcheck disable=SC2086
		ip-plan add -q -i $args "$case_path" >/dev/null 2>&1 || return 1
	done
	ip-plan approve -q -i --side host --by "A. Berger" "$case_path" >/dev/null
	run ip-plan check -q "$case_path"
	assert_failure 1
	diff -u <(sed "s|CASE|$case_path|" "$GOLDEN/plan-check.txt") <(printf '%s\n' "${lines[@]}")
}

@test "check: a complete, agreed plan has no gaps (0, nothing printed)" {
	with_plan
	ip-plan add -q -i --category temporary-housing --due arrival+0d --addresses housing "$case_path" >/dev/null
	ip-plan add -q -i --category medical-care --due arrival+7d --addresses medical "$case_path" >/dev/null
	ip-plan approve -q -i --side host "$case_path" >/dev/null
	ip-plan approve -q -i --side return --by "N. Karimi" "$case_path" >/dev/null
	run ip-plan check -q "$case_path"
	assert_success
	assert_output ""
	run ip-plan check "$case_path"
	assert_output "ip-plan: 1 case: 0 gaps in 0"
}

@test "check: the caps are data: a site that corrects the family cap gets its own answer" {
	with_plan
	ip-assess -q -i --household spouse:1988-01-01:male --household parent:1960-03-03:female \
		--household child:2019-02-01:male --household child:2021-05-05:female "$case_path" >/dev/null
	ip-plan set -q -i --measure M7 --amount 3800 "$case_path" >/dev/null
	run ip-plan check -q "$case_path"
	assert_line --partial "REAG-GARP-2 start-up budgets total 3800 EUR, over the cap of 3500 EUR (family cap, for 3 adults and 2 minors; the sources disagree: 3500, 4000)"
	cp -R "$ROOT/share/integplan" site
	sed -i 's/family: 3500/family: 4000/' site/programmes.yaml
	run env IP_SHARE="$PWD/site" IP_TEMPLATES="$ROOT/share/templates" ip-plan check -q "$case_path"
	refute_output --partial "start-up budgets"
}

@test "check: a case without a plan, and an invalid case" {
	run ip-plan check "$case_path"
	assert_failure 1
	assert_line "$case_path:1:1: plan: no plan yet (ip-plan new CASE --template NAME)"
	run ip-plan check "$FIXTURES/unknown-field.yaml"
	assert_failure 65
}

@test "render: the plan in English, German, Dari, Pashto, Sorani, Kurmanji, French, Arabic, Turkish, Russian, Albanian and Serbian, markdown and HTML (golden)" {
	with_plan
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$case_path" >/dev/null
	ip-plan approve -q -i --side host --by "A. Berger" "$case_path" >/dev/null
	for lang in en de prs pbu ckb kmr fra arb tur rus sqi srp; do
		for fmt in md html; do
			ip-plan render -q --lang "$lang" -f "$fmt" "$case_path" >"out.$lang.$fmt"
			diff -u "$GOLDEN/plan-mariam.$lang.$fmt" "out.$lang.$fmt" || return 1
		done
	done
}

@test "render: a document to hand over: measures by date, dates and rules in words, names not codes, the partner's contact, lines to sign" {
	with_plan
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$case_path" >/dev/null
	run --separate-stderr ip-plan render --lang de "$case_path"
	assert_success
	# M3 (7 December) before M1 (21 December) before M2 (18 January)
	[ "$(grep -o '^- \*\*M[1-3]' <<<"$output" | sed 's/^- \*\*//' | tr '\n' ' ')" = "M3 M1 M2 " ]
	assert_line --partial "fällig 7. Dezember 2026 (8 Wochen vor der Ausreise)"
	assert_line "**Rückkehrland:** Afghanistan (Region Kābul)  "
	assert_line "**Ausreise:** 1. Februar 2027 (geplant)  "
	assert_line --partial "Antrag bei einem Förderprogramm: REAG/GARP 2.0"
	assert_line "**Partnerstelle im Rückkehrland:** Beratungszentrum Kabul (sample), Afghanistan  "
	assert_line "E-Mail: kabul@advice.example.org  "
	assert_line "## Unterschriften"
	refute_output --partial "departure-"
	refute_output --partial "REAG-GARP-2"
	# German is a translation no native speaker reviewed: said on stderr
	[[ "$stderr" == *"strings.de.yaml: warning: a draft translation (written from the English by the IntegPlan developers"* ]]
	# no departure known: the rule in words stands for the date
	sed -i '/planned_departure:/d' "$case_path"
	run ip-plan render -q --lang en "$case_path"
	assert_success
	assert_line --partial "**M1 skills analysis** (economic), due 6 weeks before departure"
	assert_line --partial "due on the day of arrival"
	# years too
	sed -i 's/due: arrival+12m/due: arrival+1y/' "$case_path"
	run ip-plan render -q --lang en "$case_path"
	assert_line "- 1 year after arrival: open"
}

@test "render: an approval the plan's changes withdrew is shown as withdrawn; no plan is exit 1, no empty page" {
	with_plan
	ip-plan approve -q -i --side host --by "A. Berger" "$case_path" >/dev/null
	ip-plan set -q -i --measure M1 --due 2026-12-28 "$case_path" >/dev/null
	run ip-plan render -q --lang en "$case_path"
	assert_success
	assert_line "- ~~host country (Germany): approved by A. Berger, 21 November 2026~~ (approval withdrawn: the plan changed after it was given)"
	assert_line "This plan is not yet agreed by both sides."
	bare=$(ip-intake --given Sami --family Noor --birth-date 2001-01-01 --sex male \
		--nationality IQ --return-country IQ)
	run --separate-stderr ip-plan render "$bare"
	assert_failure 1
	[ -z "$output" ]
	[ "$stderr" = "ip-plan: $bare: has no plan to render (ip-plan new --template NAME makes one)" ]
}

@test "render: a strings file with something other than words, a bad direction or a month short is refused with positions" {
	with_plan
	cp -R "$ROOT/share/templates/plan" tmpl
	printf 'dir: sideways\ntitle: [a, {b: c}]\nmonths: [Jan, Feb]\ntranslation: {reviewed: maybe}\n' \
		>tmpl/strings.xx.yaml
	run ip-plan render --templates tmpl --lang xx "$case_path"
	assert_failure 65
	assert_line "ip-plan: tmpl/strings.xx.yaml:2:12: title[1]: not words: a string is expected"
	assert_line "ip-plan: tmpl/strings.xx.yaml:1:6: dir: the writing direction is ltr or rtl"
	assert_line "ip-plan: tmpl/strings.xx.yaml:3:9: months: twelve month names are expected"
	assert_line "ip-plan: tmpl/strings.xx.yaml:4:25: translation.reviewed: true or false is expected"
}

@test "render: case data is escaped and never read as a template" {
	path=$(ip-intake --given '<script>alert(1)</script>' --family '{{t.title}} =cmd|x' \
		--birth-date 1990-01-01 --sex male --nationality SY --return-country SY)
	ip-plan new -q -i --template housing "$path" >/dev/null
	ip-plan set -q -i --measure M1 --note '{{#case}}x{{/case}} & "q"' "$path" >/dev/null
	run ip-plan render -f html "$path"
	assert_success
	assert_output --partial '<dd><bdi>&lt;script&gt;alert(1)&lt;/script&gt; {{t.title}} =cmd|x</bdi></dd>'
	assert_output --partial '<em>{{#case}}x{{/case}} &amp; &quot;q&quot;</em>'
	refute_output --partial '<script>'
}

@test "render: Dari is right to left, in its words and with iso-codes' Persian names; a draft says so" {
	with_plan
	run --separate-stderr ip-plan render --lang prs -f html "$case_path"
	assert_success
	assert_line '<html lang="prs" dir="rtl">'
	assert_line '<h1>پلان بازگشت و ادغام مجدد</h1>'
	assert_line '<dt>کشور بازگشت</dt><dd>افغانستان (منطقه Kābul)</dd>'
	assert_line '<dt>دوسیه</dt><dd><bdi>BY-MUC-2026-NMVPY</bdi></dd>'
	assert_output --partial '<time>7 دسمبر 2026</time> <span class="rule">(8 هفته پیش از عزیمت)</span>'
	[[ "$stderr" == *"strings.prs.yaml: warning: a draft translation"* ]]
}

@test "render: Pashto and Sorani are right to left, Kurmanji left to right, each with its months and iso-codes' names" {
	with_plan
	run --separate-stderr ip-plan render --lang pbu -f html "$case_path"
	assert_success
	assert_line '<html lang="pbu" dir="rtl">'
	assert_line '<dt>د راستنېدو هېواد</dt><dd>افغانستان (سیمه Kābul)</dd>'
	assert_output --partial '<time>7 دسمبر 2026</time> <span class="rule">(8 اونۍ د روانېدو نه مخکې)</span>'
	[[ "$stderr" == *"strings.pbu.yaml: warning: a draft translation"* ]]
	run ip-plan render -q --lang ckb -f html "$case_path"
	assert_line '<html lang="ckb" dir="rtl">'
	assert_line '<dt>وڵاتی گەڕانەوە</dt><dd>ئەفغانستان (ناوچە Kābul)</dd>'
	assert_output --partial '<time>1 شوبات 2027</time>'
	run ip-plan render -q --lang kmr -f html "$case_path"
	assert_line '<html lang="kmr" dir="ltr">'
	assert_line '<dt>Welatê vegerê</dt><dd>Efxanistan (Herêm Kābul)</dd>'
	assert_output --partial '<time>7 Kanûna pêşîn 2026</time> <span class="rule">(8 hefte berî çûyînê)</span>'
}

@test "render: counted words take the form their number needs (Russian: 2 недели, 6 недель, 3 месяца)" {
	with_plan
	run ip-plan render -q --lang rus "$case_path"
	assert_success
	assert_output --partial "(за 2 недели до выезда)"
	assert_output --partial "(за 6 недель до выезда)"
	assert_output --partial "(через 3 месяца после прибытия)"
	assert_output --partial "(через 12 месяцев после прибытия)"
}

@test "render: Arabic counts in its five forms; the dual says the number itself (أسبوعين, 3 أشهر, 12 شهرًا)" {
	with_plan
	run ip-plan render -q --lang arb "$case_path"
	assert_success
	assert_output --partial "(أسبوعين قبل المغادرة)"
	assert_output --partial "(6 أسابيع قبل المغادرة)"
	assert_output --partial "(3 أشهر بعد الوصول)"
	assert_output --partial "(12 شهرًا بعد الوصول)"
	refute_output --partial "2 أسبوعين"
}

@test "render: right-to-left languages get dir=rtl; unknown ones fall back to English" {
	with_plan
	cp -R "$ROOT/share/templates/plan" tmpl
	sed -e 's/^dir: ltr/dir: rtl/' -e 's/^title: .*/title: خطة العودة وإعادة الإدماج/' \
		tmpl/strings.en.yaml >tmpl/strings.ar.yaml
	run ip-plan render --templates tmpl --lang ar -f html "$case_path"
	assert_success
	assert_line '<html lang="ar" dir="rtl">'
	assert_line '<h1>خطة العودة وإعادة الإدماج</h1>'
	run ip-plan render --lang xx "$case_path"
	assert_success
	assert_line "ip-plan: warning: no document strings for language 'xx'; using English"
	assert_line "# Return and reintegration plan"
}

@test "render: several cases need --out-dir; the documents are private files" {
	with_plan
	other=$(ip-intake --given Sami --family Noor --birth-date 2001-01-01 --sex male \
		--nationality IQ --return-country IQ)
	ip-plan new -q -i --template housing "$other" >/dev/null
	run ip-plan render "$case_path" "$other"
	assert_failure 64
	run ip-plan render -q --out-dir docs --lang de "$case_path" "$other"
	assert_success
	assert_line "docs/BY-MUC-2026-NMVPY.de.md"
	[ "$(mode_of docs)" = 700 ]
	[ "$(mode_of docs/BY-MUC-2026-NMVPY.de.md)" = 600 ]
	run ip-plan render --lang 'de/../x' "$case_path"
	assert_failure 64
}

@test "usage: no subcommand, an unknown one, an option of another, a wrong format (64)" {
	run ip-plan
	assert_failure 64
	run ip-plan aprove "$case_path"
	assert_failure 64
	assert_output "ip-plan: no subcommand 'aprove'; did you mean 'approve'?"
	run ip-plan set --template medical --measure M1 --status done "$case_path"
	assert_failure 64
	assert_output "ip-plan: --template is not an option of ip-plan set"
	run ip-plan check -f html "$case_path"
	assert_failure 64
	run ip-plan render -f yaml "$case_path"
	assert_failure 64
	run ip-plan check
	assert_failure 64
	run ip-plan --list measures
	assert_success
	assert_line --partial "programme-application"
}

@test "a pipeline: intake --stdout | assess - | plan new - | plan check -" {
	run bash -c 'ip-intake --stdout --centre BY-MUC --given Sami --family Noor --birth-date 2001-01-01 --sex male --nationality IQ --return-country IQ --planned-departure 2027-03-01 | ip-assess -q --need income - | ip-plan new -q --template employment - | ip-plan check -q -'
	assert_failure 1
	assert_output "<stdin>:35:3: plan.approvals: not approved by the host side
<stdin>:35:3: plan.approvals: not approved by the return side"
}

@test "a batch in place from a NUL-separated list; a locked case is busy (75)" {
	other=$(ip-intake --given Sami --family Noor --birth-date 2001-01-01 --sex male \
		--nationality IQ --return-country IQ)
	run bash -c "printf '%s\0' '$case_path' '$other' | ip-plan new -i -0 --files-from=- --template housing | tr '\0' '\n'"
	assert_success
	assert_line "$case_path"
	assert_line "$other"
	grep -qx '  template: housing' "$other"
	flock "$other" sleep 3 &
	sleep 0.3
	run ip-plan add -i --category documents "$other"
	assert_failure 75
	wait
}
