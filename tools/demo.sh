#!/bin/sh
# make demo: a case repository with a dozen varied sample cases (umlauts,
# Arabic and Cyrillic script, a minor, Kosovo), opened and validated by the
# pipeline, then one repeat return and one refusal. Leaves it in demo/.
set -eu
cd "$(dirname "$0")/.."
# IP_BIN: where the commands are (tools/valgrind.sh puts wrappers there)
PATH="${IP_BIN:-$PWD/bin}:$PATH"
export IP_ACTOR="${IP_ACTOR:-demo}"
step() { printf '\n== %s\n$ %s\n' "$1" "$2"; }
refused() { # COMMAND...: it must fail
	if "$@"; then
		echo "demo: expected a refusal" >&2
		exit 1
	fi
}

rm -rf demo
step "a repository for the Munich return counselling centre" \
	"ip-intake --init --centre BY-MUC --state DE-BY demo"
ip-intake --init --centre BY-MUC --state DE-BY demo

step "open the sample cases of a spreadsheet export, one per row" \
	"ip-intake -C demo --from share/integplan/examples/sample-cases.csv"
ip-intake -C demo --from share/integplan/examples/sample-cases.csv | tee demo/opened.txt

step "and a German Excel export as it is: Windows-1252, semicolons, German headers, dates and labels" \
	"ip-intake -C demo --from share/integplan/examples/excel-export-de.csv"
ip-intake -C demo --from share/integplan/examples/excel-export-de.csv | tee -a demo/opened.txt

step "validate the whole repository" "ip-check -C demo"
ip-check -C demo

step "assess every case: all need documents (quietly)" \
	"ip-assess -q -i --files-from=demo/opened.txt --need documents"
ip-assess -q -i --files-from=demo/opened.txt --need documents >/dev/null

step "Mariam is a single parent with a housing need who wants to start a business" \
	"grep -l 'given: Mariam' demo/cases/*.yaml | ip-assess -i --files-from=- --vulnerability single-parent ..."
grep -l 'given: Mariam' demo/cases/*.yaml |
	ip-assess -i --files-from=- --vulnerability single-parent --need housing:high \
		--entrepreneurial yes --language deu:B1

step "Ahmad is 17: assessed as a minor, the rules for minors fire (a dry run, nothing written)" \
	"grep -l 'given: Ahmad$' demo/cases/*.yaml | ip-assess --files-from=- --need education >/dev/null"
grep -l 'given: Ahmad$' demo/cases/*.yaml | ip-assess --files-from=- --need education >/dev/null

step "a plan for every case: an employment plan (quietly)" \
	"ip-plan new -q -i --files-from=demo/opened.txt --template employment"
ip-plan new -q -i --files-from=demo/opened.txt --template employment >/dev/null

step "Mariam's plan is a business start-up instead, with housing; both sides approve" \
	"ip-plan new -i --replace --template business-startup ...; ip-plan add ...; ip-plan approve ..."
mariam=$(grep -l 'given: Mariam' demo/cases/*.yaml)
ip-plan departure -q -i --planned --date 2027-02-01 "$mariam" >/dev/null
ip-plan new -q -i --replace --template business-startup "$mariam" >/dev/null
ip-plan add -q -i --category temporary-housing --addresses housing --due arrival+0d "$mariam" >/dev/null
ip-plan approve -i --side host --by "A. Berger" "$mariam"
ip-plan approve -i --side return --by "N. Karimi" "$mariam"

step "the gaps of all plans (needs without measures, missing approvals, ...)" \
	"ip-plan check demo/cases | cut -d: -f4- | sort | uniq -c | sort -rn"
if ip-plan check demo/cases >demo/gaps.txt; then
	echo "demo: expected gaps in the unapproved plans" >&2
	exit 1
fi
cut -d: -f4- demo/gaps.txt | sort | uniq -c | sort -rn

step "Mariam's plan has none" "ip-plan check $mariam"
ip-plan check "$mariam"

step "Zeynep returns to Türkiye; she entered Germany on 1 March 2024. Checked against the rules of 1 August 2024, the special rule for Türkiye (under six months' stay) takes her start-up payment; today it has ended" \
	"ip-case set -i --entered 2024-03-01 \$zeynep; ip-plan check --as-of 2024-08-01 \$zeynep"
zeynep=$(grep -l 'given: Zeynep' demo/cases/*.yaml)
ip-case set -q -i --entered 2024-03-01 "$zeynep" >/dev/null
if ip-plan check -q --as-of 2024-08-01 "$zeynep" >demo/zeynep-2024.txt; then
	echo "demo: expected the rule for Türkiye to apply" >&2
	exit 1
fi
grep 'not eligible' demo/zeynep-2024.txt | cut -d: -f4- | fold -s -w 100
if ip-plan check -q "$zeynep" | grep -q 'not eligible'; then
	echo "demo: the rule for Türkiye ended on 30 June 2025" >&2
	exit 1
fi

step "her plan as a document, in German (also demo/plan.de.html)" \
	"ip-plan render --lang de $mariam"
ip-plan render --lang de "$mariam"
ip-plan render --lang de -f html "$mariam" >demo/plan.de.html
step "... and in Dari, her language, right to left, as HTML and as A4 PDF to print and sign (demo/plan.prs.html, demo/plan.prs.pdf; the translation is a draft, and says so)" \
	"ip-plan render --lang prs -f pdf $mariam >demo/plan.prs.pdf"
ip-plan render --lang prs -f html "$mariam" >demo/plan.prs.html
ip-plan render -q --lang prs -f pdf "$mariam" >demo/plan.prs.pdf
if command -v pdfinfo >/dev/null; then
	pdfinfo demo/plan.prs.pdf | grep -E '^(Title|Pages|Page size):'
	pdffonts demo/plan.prs.pdf | sed -n '3,$p' | awk '{print $1}' | sed 's/^[A-Z]*+//' | sort -u
else
	ls -l demo/plan.prs.pdf
fi

step "a partner without an age key gets nothing: plain text needs --no-encrypt (exit 64)" \
	"ip-refer -C demo send --to AF-KBL-PH <Mariam's case>"
refused ip-refer -C demo send --to AF-KBL-PH "$mariam"

step "keys for the partners and for Munich; the directory names them, and Munich's signing key" \
	"age-keygen -o demo/keys/AF-KBL-PH.key; ...; ip-refer key >>demo/partners.yaml; partners: in the config"
mkdir -p demo/keys demo/partner-side
chmod 700 demo/keys
cp share/integplan/partners.yaml demo/partners.yaml
for p in AF-KBL-PH XK-PRN-PH GM-BJL-PH NG-LOS-PH IQ-BGD-IOM BY-MUC NW-CGN; do
	age-keygen -o "demo/keys/$p.key" 2>/dev/null
	sed -i "s/^  - id: $p\$/&\n    age: $(age-keygen -y "demo/keys/$p.key")/" demo/partners.yaml
done
sed -i "s|^  - id: BY-MUC\$|&\n    sign: $(ip-refer -C demo key)|" demo/partners.yaml
printf 'partners: partners.yaml\n' >>demo/.integplan/config.yaml
ip-refer -C demo partners

step "refer every case to the partner it consented to; one encrypted package each" \
	"grep -l 'recipient: \$p' demo/cases/*.yaml | ip-refer -C demo send --to \$p --files-from=- --out demo/outbox --results demo/sent.jsonl"
for p in AF-KBL-PH XK-PRN-PH GM-BJL-PH NG-LOS-PH IQ-BGD-IOM; do
	grep -l "recipient: $p" demo/cases/*.yaml |
		ip-refer -C demo send --to "$p" --files-from=- --out demo/outbox \
			--results "demo/sent-$p.jsonl"
done
cat demo/sent-*.jsonl
ls demo/outbox

step "a case without consent to a partner is refused, nothing sent (exit 77)" \
	"ip-refer -C demo send --to AF-KBL-PH <Ahmad's case>"
refused ip-refer -C demo send --to AF-KBL-PH --service job-placement "$(grep -l 'given: Ahmad$' demo/cases/*.yaml)"

step "Ahmad consents at his next appointment (ip-case consent); now the referral goes out" \
	"ip-case -C demo consent -i --give referral:AF-KBL-PH <Ahmad's case>; ip-refer send ..."
ahmad=$(grep -l 'given: Ahmad$' demo/cases/*.yaml)
ip-case -C demo consent -i --give referral:AF-KBL-PH "$ahmad"
ip-refer -C demo send --to AF-KBL-PH --service job-placement --out demo/outbox "$ahmad"

step "what left the centre for Mariam: only the fields of the partner's profile" \
	"grep -A20 '^referrals:' $mariam"
sed -n '/^referrals:/,/^history:/p' "$mariam" | sed '$d'

step "at the advice centre in Kabul: a repository of its own; the package opens a case there" \
	"ip-intake --init --centre AF-KBL-PH demo/partner-side/kabul; ip-intake --from-referral PACKAGE --identity KEY"
ip-intake --init --centre AF-KBL-PH demo/partner-side/kabul
# Kabul signs its answers; both sides read the one directory
sed -i "s|^  - id: AF-KBL-PH\$|&\n    sign: $(ip-refer -C demo/partner-side/kabul key)|" \
	demo/partners.yaml
printf 'partners: %s/demo/partners.yaml\n' "$PWD" >>demo/partner-side/kabul/.integplan/config.yaml
ref=$(sed -n 's/.*"status":"sent","referral":"\([^"]*\)".*/\1/p' demo/sent-AF-KBL-PH.jsonl |
	head -n 1)
package=demo/outbox/$ref.json.age
kabul_case=$(ip-intake -C demo/partner-side/kabul --from-referral "$package" \
	--identity demo/keys/AF-KBL-PH.key)
echo "$kabul_case"

step "Kabul accepts the referral and answers, encrypted to Munich's key" \
	"ip-refer update -i --status accepted CASE; ip-refer respond --out demo/inbox CASE"
ip-refer -C demo/partner-side/kabul update -i --status accepted "$kabul_case"
ip-refer -C demo/partner-side/kabul respond --partners demo/partners.yaml --out demo/inbox \
	--note "first meeting arranged" "$kabul_case"

step "Munich receives the answer into the same case; the same answer again is refused" \
	"ip-refer -C demo receive --identity demo/keys/BY-MUC.key demo/inbox/*"
ip-refer -C demo receive --identity demo/keys/BY-MUC.key demo/inbox/*
refused ip-refer -C demo receive --identity demo/keys/BY-MUC.key demo/inbox/*

step "Mariam arrives; Kabul reports progress without a change of the referral: response 2" \
	"ip-plan arrival -i CASE; ip-plan set -i --measure M4 --status 'done' CASE; ip-refer respond --note ..."
ip-plan -C demo/partner-side/kabul arrival -q -i "$kabul_case" >/dev/null
ip-plan -C demo/partner-side/kabul set -q -i --measure M4 --status 'done' "$kabul_case" >/dev/null
second=$(ip-refer -C demo/partner-side/kabul respond --partners demo/partners.yaml \
	--out demo/inbox --note "picked up at the airport" "$kabul_case")
echo "$second"

step "Munich takes the arrival, the measure and the note; the first answer is still there" \
	"ip-refer -C demo receive --identity demo/keys/BY-MUC.key RESPONSE-2"
ls demo/inbox
ip-refer -C demo receive --identity demo/keys/BY-MUC.key "$second"

step "the follow-up: Kabul's counsellor asks Mariam the reintegration survey; with her consent to follow-up, Munich records it and the library scores it" \
	"ip-case consent -i --give follow-up:AF-KBL-PH CASE; ip-plan follow-up -i --survey rss --answers ANSWERS CASE"
ip-case -C demo consent -q -i --give follow-up:AF-KBL-PH "$mariam" >/dev/null
cat >demo/inbox/mariam-follow-up.yaml <<'ANSWERS'
economic-satisfaction: neither
food-security: sometimes
borrowing: with-difficulty
debt: less
employment: irregular
housing: adequate
schooling: all
documents: all
health-care: limited
justice: limited
belonging: somewhat
support-network: several
safety: safe
distress: sometimes
remigration: "no"
ANSWERS
ip-plan -C demo follow-up -i --by "N. Karimi" --survey rss \
	--answers demo/inbox/mariam-follow-up.yaml "$mariam"
sed -n '/^        scores:/,/^        composite:/p' "$mariam"
ip-case -C demo log "$mariam" | tail -n 1

# the 3-month follow-up falls due in the year three months from now
outcome_year=$(date -u -d '+3 months' +%Y)
step "the outcome report of the follow-ups due in $outcome_year: Mariam's survey in the 3-month slot (exact counts, for the centre only; demo/outcomes.html is the protected page)" \
	"ip-report outcomes --period $outcome_year --protection none -f table; ip-report outcomes --period $outcome_year -f html"
ip-report -C demo outcomes -q --period "$outcome_year" --protection none -f table
ip-report -C demo outcomes -q --period "$outcome_year" -f html >demo/outcomes.html

this_year=$(date -u +%Y)
step "REAG/GARP pays Mariam's start-up payment (M7) before she leaves; the budget report of $this_year: what her agreed plan committed and what was paid (exact, for the centre; demo/budget.html is the protected page)" \
	"ip-plan pay -i --measure M7 --amount 1000 --reference REAG-2026-0042 \$mariam; ip-report budget --period $this_year --by quarter --protection none -f table"
ip-plan -C demo pay -q -i --measure M7 --amount 1000 --reference REAG-2026-0042 "$mariam" >/dev/null
ip-report -C demo budget -q --period "$this_year" --by quarter --protection none -f table
ip-report -C demo budget -q --period "$this_year" --by quarter -f html >demo/budget.html

step "Dakar does not run IntegPlan: with Aïssatou's consent her referral goes out as a page in French (demo/sheet.fra.pdf), the package kept as the record" \
	"ip-refer send --to SN-DKR-PH --no-encrypt CASE >demo/outbox/dakar.json; ip-refer sheet --to SN-DKR-PH --lang fra -f pdf CASE"
aissatou=$(grep -l 'given: Aïssatou' demo/cases/*.yaml)
ip-case -C demo consent -q -i --give referral:SN-DKR-PH "$aissatou" >/dev/null
ip-refer -C demo send -q --to SN-DKR-PH --service business-startup --no-encrypt \
	"$aissatou" >demo/outbox/dakar.json
ip-refer -C demo sheet -q --to SN-DKR-PH --lang fra -f pdf "$aissatou" >demo/sheet.fra.pdf
ip-refer -C demo sheet -q --to SN-DKR-PH --lang fra -f html "$aissatou" >demo/sheet.fra.html
ip-refer -C demo sheet -q --to SN-DKR-PH --lang fra "$aissatou" | sed -n '/^## La personne/,/^## Votre/p'

step "Dakar answers on the sheet's form; the centre enters it as Dakar's response" \
	"ip-refer receive --from-form demo/inbox/dakar-form.yaml"
# shellcheck disable=SC2016 # the backquotes are the Markdown fence, not a command
ip-refer -C demo sheet -q --to SN-DKR-PH --lang fra "$aissatou" |
	sed -n '/^```yaml$/,/^```$/p' | sed '1d;$d' |
	sed -e 's/^status: .*/status: accepted/' -e "s/^date: .*/date: $(date -u +%F)/" \
		-e 's/^by: .*/by: Awa Ndiaye/' -e 's/^note:.*/note: Premier entretien fixé./' \
		>demo/inbox/dakar-form.yaml
cat demo/inbox/dakar-form.yaml
ip-refer -C demo receive --from-form demo/inbox/dakar-form.yaml

step "the Iraqi case, as JSON for jq" \
	"grep -l 'given: محمد' demo/cases/*.yaml | ip-check -q --print -f json --files-from=-"
grep -l 'given: محمد' demo/cases/*.yaml | ip-check -q --print -f json --files-from=-

step "Mariam returns a second time: refused with her existing case ..." \
	"ip-intake -C demo --given Mariam --family Ahmadi --birth-date 1991-04-12 ..."
refused ip-intake -C demo --given Mariam --family Ahmadi --birth-date 1991-04-12 \
	--sex female --nationality AF --return-country AF
step "... and opened, linked to it, when the counsellor says so" \
	"ip-intake -C demo ... --allow-duplicate | ip-check --files-from=-"
ip-intake -C demo --given Mariam --family Ahmadi --birth-date 1991-04-12 --sex female \
	--nationality AF --return-country AF --return-region AF-KAB --allow-duplicate |
	ip-check --files-from=-

step "the Iraqi man again, in Latin letters on another list: perhaps the same person, listed with why, refused" \
	"ip-intake -C demo --given Mohammed --family Al-Jubouri --birth-date 1988-03-15 ..."
refused ip-intake -C demo --given Mohammed --family Al-Jubouri --birth-date 1988-03-15 \
	--sex male --nationality IQ --return-country IQ
iraqi=$(basename "$(grep -l 'given: محمد' demo/cases/*.yaml)" .yaml)
step "... the counsellor checks: another man; opened, linked as another person; no pair left in the repository" \
	"ip-intake -C demo ... --not-duplicate-of $iraqi; ip-check -C demo --duplicates"
ip-intake -C demo --given Mohammed --family Al-Jubouri --birth-date 1988-03-15 --sex male \
	--nationality IQ --return-country IQ --not-duplicate-of "$iraqi" | ip-check --files-from=-
ip-check -C demo --duplicates

step "a mistyped case is refused, every problem named, nothing written" \
	"ip-intake -C demo --given Ola --family Nordmann --birth-date 1980-02-30 --sex m --nationality no --return-country NO"
refused ip-intake -C demo --given Ola --family Nordmann --birth-date 1980-02-30 --sex m \
	--nationality no --return-country NO

step "Mariam's first case: one page, in German; her reintegration is completed, so it is closed" \
	"LANGUAGE=de ip-case show CASE; ip-case find --name mariam --status arrived | ip-case close -i --files-from=- --outcome completed"
LC_ALL=C.UTF-8 LANGUAGE=de ip-case -C demo show "$mariam"
ip-case -C demo find --name mariam --status arrived |
	ip-case -C demo close -i --files-from=- --outcome completed
ip-case -C demo log "$mariam" | tail -n 2

step "Zeynep moves to Cologne: with her consent the whole case goes to the centre there, signed and encrypted, and closes here as transferred" \
	"ip-case consent -i --give transfer:NW-CGN CASE; ip-case transfer --to NW-CGN --out demo/outbox CASE"
zeynep=$(grep -l 'given: Zeynep' demo/cases/*.yaml)
ip-case -C demo consent -q -i --give transfer:NW-CGN "$zeynep" >/dev/null
ip-case -C demo transfer --to NW-CGN --out demo/outbox "$zeynep"
grep -A1 '^outcome:\|^links:' "$zeynep"

step "in Cologne: a repository of its own opens the case once, history and all" \
	"ip-intake --init --centre NW-CGN demo/partner-side/cologne; ip-intake --from-transfer PACKAGE --identity KEY; ip-case log CASE"
ip-intake --init --centre NW-CGN --state DE-NW demo/partner-side/cologne
sed -i "s|^  - id: NW-CGN\$|&\n    sign: $(ip-refer -C demo/partner-side/cologne key)|" \
	demo/partners.yaml
printf 'partners: %s/demo/partners.yaml\n' "$PWD" >>demo/partner-side/cologne/.integplan/config.yaml
transfer=demo/outbox/$(basename "$zeynep" .yaml).transfer.json.age
cologne_case=$(ip-intake -C demo/partner-side/cologne --from-transfer "$transfer" \
	--identity demo/keys/NW-CGN.key)
ip-case -C demo/partner-side/cologne log "$cologne_case"
ip-check -C demo/partner-side/cologne

step "the caseload by return country (every count perturbed by the Cell Key Method)" \
	"ip-report -C demo summary --by country -f table"
ip-report -C demo summary --by country -f table

step "... and by status with exact counts, for internal use; the second run reads the cache" \
	"ip-report -C demo summary --by status --protection none -f table"
ip-report -C demo summary --by status --protection none -f table

step "what falls due in the next four weeks, by owner (the nightly cron job)" \
	"ip-report -C demo due --within 4w -f table"
ip-report -C demo -q due --within 4w -f table

step "the team's own key figures, exact (one closed case is below what a published table shows), in German" \
	"LANGUAGE=de ip-report -C demo kpi --protection none"
LC_ALL=C.UTF-8 LANGUAGE=de ip-report -C demo kpi --protection none

step "the repository goes into git: merge driver, hook; a colleague's clone" \
	"ip-intake --init --git demo; git clone demo COLLEAGUE; ip-intake --init --git COLLEAGUE"
export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@example.org
export GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@example.org
ip-intake --init --git demo
git -C demo add -A
git -C demo commit -qm "demo cases"
colleague=$(mktemp -d)
trap 'rm -rf "$colleague"' EXIT
git clone -q demo "$colleague/muc"
ip-intake --init --git "$colleague/muc"

step "the colleague changes who owns Mariam's first measure, Munich the second; the pull merges per field" \
	"ip-plan set -i --measure M1 --owner ... (clone); ip-plan set -i --measure M2 ... (demo); git pull"
ip-plan set -q -i --measure M1 --owner "K. Rahimi" "$colleague/muc/${mariam#demo/}" >/dev/null
git -C "$colleague/muc" commit -qam "Mariam: M1 to K. Rahimi"
ip-plan set -q -i --measure M2 --owner "B. Weber" "$mariam" >/dev/null
git -C demo commit -qam "Mariam: M2 to B. Weber"
git -C demo pull -q --no-rebase --no-edit "$colleague/muc"
git -C demo log --oneline --graph | head -n 4
grep -E "^      owner: (K. Rahimi|B. Weber)$" "$mariam"

printf '\nThe repository is in demo/: %s case files, all valid.\n' "$(find demo/cases -name '*.yaml' | wc -l)"
ip-check -q -C demo
