#!/usr/bin/env bats
# ip-plan render -f pdf: the plan as A4 pages, read back with pdftotext and
# looked at with pdftoppm (poppler-utils).

load helper
bats_require_minimum_version 1.5.0

setup() {
	need_tool pdftotext poppler-utils
	make_repo
	open_mariam --planned-departure 2027-02-01 >/dev/null
	ip-assess -q -i --need housing:high --entrepreneurial yes "$CASE" >/dev/null
	ip-plan new -q -i --template business-startup "$CASE" >/dev/null
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$CASE" >/dev/null
	ip-plan approve -q -i --side host --by "A. Berger" "$CASE" >/dev/null
}

# The text of a PDF as pdftotext reads it, without the direction marks it
# puts around right-to-left lines.
text_of() {
	pdftotext "$1" - | perl -CSD -pe 's/[\x{202A}-\x{202E}]//g'
}

# Per mille of a page's pixels that are ink, not paper: ink_of_page PDF PAGE
# [X Y W H] (pixels at 30 dpi, 248 x 351 for A4).
ink_of_page() {
	local crop=()
	[ $# -eq 6 ] && crop=(-x "$3" -y "$4" -W "$5" -H "$6")
	pdftoppm -r 30 -gray -f "$2" -l "$2" "${crop[@]}" "$1" | python3 -c '
import sys
data = sys.stdin.buffer.read()
fields, pos = [], 0
while len(fields) < 4:                      # P5 width height maxval
    while data[pos:pos + 1].isspace():
        pos += 1
    end = pos
    while not data[end:end + 1].isspace():
        end += 1
    fields.append(data[pos:end]); pos = end
pixels = data[pos + 1:]
print(sum(1 for p in pixels if p < 160) * 1000 // len(pixels))'
}

@test "pdf: A4 pages that hold the returnee, the measures in date order, the partner's contact and lines to sign" {
	ip-plan render -q -f pdf "$CASE" >plan.pdf
	[ "$(head -c 5 plan.pdf)" = "%PDF-" ]
	run pdfinfo plan.pdf
	assert_line --regexp '^Page size: +595\.2[0-9]* x 841\.8[0-9]* pts \(A4\)$'
	assert_line --regexp '^Pages: +2$'
	assert_line --regexp '^Title: +Return and reintegration plan: BY-MUC-2026-NMVPY$'
	run text_of plan.pdf
	assert_line "Mariam Ahmadi"
	assert_line "Afghanistan (Region Kābul)"
	assert_line "e-mail: kabul@advice.example.org"
	assert_line "phone: +93 20 000 0000"
	assert_line --partial "Beratungszentrum Kabul (sample), Afghanistan"
	assert_line "Signatures"
	assert_line --partial "BY-MUC-2026-NMVPY · Made on 21 November 2026 · 1/2"
	assert_line --partial "· 2/2"
	# M3 (7 December) before M1 (21 December) before M2 (18 January)
	[ "$(grep -o '• M[1-6]' <<<"$output" | tr -d '• \n')" = "M3M1M2M4M5M6" ]
	assert_line "7 December 2026 (8 weeks before departure)"
	assert_output --partial "due 1 May 2027 (3 months after arrival)"
	refute_output --partial "departure-"
	for page in 1 2; do
		ink=$(ink_of_page plan.pdf "$page")
		echo "page $page: $ink per mille ink"
		[ "$ink" -ge 5 ] && [ "$ink" -le 400 ]
	done
}

@test "pdf: the same plan gives the same bytes; --out-dir writes ID.LANG.pdf, private" {
	ip-plan render -q -f pdf "$CASE" >one.pdf
	ip-plan render -q -f pdf "$CASE" >two.pdf
	cmp one.pdf two.pdf
	run ip-plan render -q -f pdf --lang de --out-dir docs "$CASE"
	assert_success
	assert_output "docs/BY-MUC-2026-NMVPY.de.pdf"
	[ "$(mode_of docs/BY-MUC-2026-NMVPY.de.pdf)" = 600 ]
	run text_of docs/BY-MUC-2026-NMVPY.de.pdf
	assert_line "Rückkehr- und Reintegrationsplan"
	assert_line "Unterschriften"
}

@test "pdf: several plans in one run: each its PDF, the draft translation warned about once" {
	other=$(ip-intake --given Sami --family Noor --birth-date 2001-01-01 --sex male \
		--nationality IQ --return-country IQ)
	ip-plan new -q -i --template housing "$other" >/dev/null
	run --separate-stderr ip-plan render --lang prs -f pdf --out-dir docs "$CASE" "$other"
	assert_success
	[ "$(grep -c 'draft translation' <<<"$stderr")" = 1 ]
	for pdf in docs/*.prs.pdf; do
		[ "$(ink_of_page "$pdf" 1)" -ge 5 ]
	done
	[ "$(find docs -name '*.prs.pdf' | wc -l)" = 2 ]
}

@test "pdf: in every shipped language, with the returnee, the measures and the partner's contact" {
	for lang in en de prs pbu ckb kmr fra arb tur rus sqi srp; do
		ip-plan render -q --lang "$lang" -f pdf "$CASE" >"plan.$lang.pdf"
		text=$(text_of "plan.$lang.pdf")
		for want in "Mariam Ahmadi" BY-MUC-2026-NMVPY kabul@advice.example.org \
			"+93 20 000 0000" M1 M2 M3 M4 M5 M6 "A. Berger"; do
			grep -qF -- "$want" <<<"$text" || { echo "$lang: no $want"; return 1; }
		done
		# the language's own words, not English
		if [ "$lang" != en ]; then
			! grep -q "Place, date" <<<"$text" || { echo "$lang: English left"; return 1; }
		fi
		[ "$(ink_of_page "plan.$lang.pdf" 1)" -ge 5 ]
	done
	grep -q "Date d'arrivée\|Plan de retour" <<<"$(text_of plan.fra.pdf | tr '\n' ' ')"
	grep -q "Geri dönüş ve yeniden entegrasyon planı" <<<"$(text_of plan.tur.pdf | tr '\n' ' ')"
	grep -qx "План возвращения и реинтеграции" <<<"$(text_of plan.rus.pdf)"
}

@test "pdf: Arabic script is shaped text in an Arabic font, not boxes; the page is right to left" {
	ip-plan render -q --lang prs -f pdf "$CASE" >prs.pdf
	ip-plan render -q --lang arb -f pdf "$CASE" >arb.pdf
	run pdffonts prs.pdf
	assert_output --partial "NotoSansArabic-Regular"
	assert_output --partial "NotoSansArabic-Bold"
	run text_of prs.pdf
	assert_line "شخص"
	assert_line "دوسیه"
	assert_line "عزیمت"
	run text_of arb.pdf
	assert_line "المغادرة"
	assert_line "الخطة"
	# right to left: the title and the labels stand at the right edge
	ip-plan render -q --lang en -f pdf "$CASE" >en.pdf
	for pdf in prs.pdf en.pdf; do
		left=$(ink_of_page "$pdf" 1 20 18 60 80)
		right=$(ink_of_page "$pdf" 1 168 18 60 80)
		echo "$pdf: ink at the left $left, at the right $right"
		if [ "$pdf" = prs.pdf ]; then [ "$right" -gt $((2 * left)) ]; else [ "$left" -gt $((2 * right)) ]; fi
	done
}

@test "pdf: words with & and an apostrophe stand as they are, in the text, the foot and the title" {
	cp -R "$ROOT/share/templates/plan" tmpl
	sed -i -e "s/^title: .*/title: \"Plan d'aide \& retour\"/" -e 's/^generated: .*/generated: "Fait <le>"/' \
		tmpl/strings.en.yaml
	ip-plan render -q --templates tmpl -f pdf "$CASE" >plan.pdf
	run pdfinfo plan.pdf
	assert_line --regexp "^Title: +Plan d'aide & retour: BY-MUC-2026-NMVPY\$"
	run text_of plan.pdf
	assert_line "Plan d'aide & retour"
	assert_line --partial "BY-MUC-2026-NMVPY · Fait <le> 21 November 2026 · 1/2"
}

@test "pdf: a value's line breaks never start a block; markup in it is text" {
	ip-plan set -q -i --measure M1 --note $'first line\n@h1 injected <b>bold</b> &amp;' "$CASE" >/dev/null
	ip-plan render -q -f pdf "$CASE" >plan.pdf
	run text_of plan.pdf
	assert_line "first line"
	assert_line "@h1 injected <b>bold</b> &amp;"
}

@test "pdf: a page description the renderer cannot read is refused with its line (65)" {
	cp -R "$ROOT/share/templates/plan" tmpl
	printf '@h1 {{t.title}}\n@p <b>not closed\n' >tmpl/plan.pdf.mustache
	run --separate-stderr ip-plan render --templates tmpl -q -f pdf "$CASE"
	assert_failure 65
	[ -z "$output" ]
	[[ "$stderr" == "ip-plan: tmpl/plan.pdf.mustache:2: bad markup: "* ]]
	printf '@h1 {{t.title}}\n@table x\n' >tmpl/plan.pdf.mustache
	run --separate-stderr ip-plan render --templates tmpl -q -f pdf "$CASE"
	assert_failure 65
	[ "$stderr" = "ip-plan: tmpl/plan.pdf.mustache:2: unknown block '@table' (h1, h2, dl, li, p, sign, foot)" ]
	printf 'words first\n' >tmpl/plan.pdf.mustache
	run --separate-stderr ip-plan render --templates tmpl -q -f pdf "$CASE"
	assert_failure 65
	[ "$stderr" = "ip-plan: tmpl/plan.pdf.mustache:1: text before the first @block" ]
}

@test "pdf: not written to a terminal (64); a case without a plan is exit 1 and no PDF" {
	need_tool script bsdutils
	run script -qec "ip-plan render -f pdf $CASE" /dev/null
	assert_failure 64
	assert_output --partial "ip-plan: -f pdf: a PDF is not for a terminal; redirect standard output to a file"
	bare=$(ip-intake --given Sami --family Noor --birth-date 2001-01-01 --sex male \
		--nationality IQ --return-country IQ)
	run --separate-stderr ip-plan render -f pdf "$bare"
	assert_failure 1
	[ -z "$output" ]
}
