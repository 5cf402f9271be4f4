#!/usr/bin/env bats
# The bad-input corpus: tests/bad/NAME holds an input, NAME.expected the
# command that reads it, the exit status and the exact messages. Inputs
# too big or odd for git (100 MB, 10,000-deep nesting, a link out of the
# repository) are made by tests/bad/generate.sh. Then what people type in
# names (<script>, {{, =cmd|) in every output format, and a report cache
# of another version.

load helper
bats_require_minimum_version 1.5.0

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	ip-intake -q --init --centre AF-KBL-PH repo
	mkdir bad
	cp "$ROOT"/tests/bad/* bad/
	sh bad/generate.sh bad
	chmod 600 bad/*.yaml bad/*.json
	# hostile packages signed correctly by a centre the repository knows, so
	# that what is wrong inside them is what gets refused
	ip-intake -q --init --centre BY-MUC sender
	exchange_keys repo sender
	"$ROOT/tests/signtool" sender/.integplan/signing.key bad/package-*.json bad/response-*.json
	# the case whose referral to BY-MUC the hostile responses answer
	cp "$ROOT/tests/fixtures/referring-case.yaml" repo/cases/AF-KBL-PH-2026-DZ33G.yaml
	chmod 600 repo/cases/AF-KBL-PH-2026-DZ33G.yaml
}

@test "every input of tests/bad has its expected messages and exit status" {
	local expected input cmd want got rc failed=0 n=0
	for expected in bad/*.expected; do
		input=${expected%.expected}
		[ -e "$input" ] || { echo "no input for $expected"; failed=1; continue; }
		cmd=$(sed -n 's/^command: //p' "$expected")
		want=$(sed -n 's/^exit: //p' "$expected")
		rc=0
		# shellcheck disable=SC2086 # the command is words
		got=$($cmd "$input" 2>&1 >/dev/null) || rc=$?
		n=$((n + 1))
		if [ "$rc" != "$want" ] || [ "$got" != "$(sed 1,2d "$expected")" ]; then
			echo "$input: exit $rc (want $want):"
			echo "$got" | sed 's/^/  got:  /'
			sed 1,2d "$expected" | sed 's/^/  want: /'
			failed=1
		fi
	done
	[ "$n" -ge 19 ]
	[ "$failed" -eq 0 ]
}

@test "every input of tests/bad has an expectation" {
	local f
	for f in bad/*; do
		case $f in *.expected | */generate.sh) continue ;; esac
		[ -f "$f.expected" ] || { echo "no $f.expected"; false; }
	done
}

# A case whose names and notes hold markup, template tags and spreadsheet
# formulas.
hostile_case() {
	ip-intake -q --init --centre BY-MUC host
	cd host
	c=$(ip-intake --given '<script>alert(1)</script>' --family "=cmd|' /C calc'!A0" \
		--birth-date 1991-04-12 --sex female --nationality AF --return-country AF \
		--counsellor '@SUM(1){{#person}}{{given}}{{/person}}')
	ip-assess -q -i --need housing:high --entrepreneurial yes "$c" >/dev/null
	ip-plan new -q -i --template business-startup "$c" >/dev/null
	ip-plan set -q -i --measure M1 --note '<img src=x onerror=alert(1)> {{! x }}' "$c" >/dev/null
}

@test "<script>, {{ and =cmd| in names: data formats keep them exactly" {
	hostile_case
	local f
	for f in yaml json jsonl; do
		ip-assess -f "$f" --need income:low "$c" >"out.$f"
		ip-check -q "out.$f"
	done
	ip-assess -f json --need income:low "$c" | grep -qF '"given": "<script>alert(1)</script>"'
	ip-assess -f yaml --need income:low "$c" | grep -qF 'given: <script>alert(1)</script>'
	grep -qF '"family": "=cmd|'"'"' /C calc'"'"'!A0"' out.json
}

@test "<script>, {{ and =cmd| in names: documents escape markup and never run tags" {
	hostile_case
	run ip-plan render -f html "$c"
	assert_success
	refute_output --partial '<script>'
	refute_output --partial '<img'
	assert_output --partial '&lt;script&gt;alert(1)&lt;/script&gt;'
	assert_output --partial '{{#person}}{{given}}{{/person}}'
	run ip-plan render -f md "$c"
	assert_success
	refute_output --partial '<script>'
	assert_output --partial '&lt;img src=x onerror=alert(1)&gt; {{! x }}'
}

@test "<script>, {{ and =cmd| in names: CSV and tables neutralise formulas" {
	hostile_case
	for dialect in rfc4180 excel-de; do
		run ip-report export -q --fields given,family,counsellor --csv-dialect "$dialect" -f csv
		assert_success
		assert_output --partial "'=cmd|' /C calc'!A0"
		assert_output --partial "'@SUM(1){{#person}}"
		refute_output --regexp '(^|[,;])"?[=+@-]'
	done
	run ip-report export -q --fields given,family -f json
	assert_success
	assert_output --partial '"family":"=cmd|'"'"' /C calc'"'"'!A0"'
}

@test "a report cache of another version is ignored with a warning and rebuilt" {
	cd repo
	open_mariam >/dev/null
	ip-report summary -q >/dev/null
	cache=.integplan/cache/report.tsv
	sed -i '1s/^integplan-report-cache 1/integplan-report-cache 0/' "$cache"
	run --separate-stderr ip-report summary
	assert_success
	[ "${stderr_lines[0]}" = "ip-report: ./$cache: warning: not a report cache of this version; ignored and rebuilt" ]
	head -1 "$cache" | grep -q '^integplan-report-cache 1 '
}

@test "numbers in options and variables: NaN, infinities, negative sizes and runaway path lists are refused" {
	cd repo
	local v
	for v in nan inf -1 1e9 abc ''; do
		[ -z "$v" ] && continue
		IP_LOCK_TIMEOUT=$v run ip-check -q
		assert_failure 64
		assert_output "ip-check: IP_LOCK_TIMEOUT: '$v' is not a number of seconds from 0 to 3600"
	done
	IP_LOCK_TIMEOUT=0.5 run ip-check -q
	assert_success
	IP_RANDOM_SEED=-3 run ip-check -q
	assert_failure 64
	assert_output "ip-check: IP_RANDOM_SEED: '-3' is not a whole number"
	for v in -1 0 2000000000 1e3 ' 12'; do
		run ip-check -q --max-file-size="$v"
		assert_failure 64
		assert_line "ip-check: --max-file-size: '$v' is not a number of bytes from 1 to 1073741824"
	done
	c=cases/AF-KBL-PH-2026-DZ33G.yaml
	for v in nan inf -inf; do
		run ip-plan add -i --category cash-assistance --amount "$v" "$c"
		assert_failure 64
		assert_output "ip-plan: --amount: '$v' is not a number"
	done
	run ip-plan add -i --category cash-assistance --amount 1000000.5 "$c"
	assert_failure 64
	assert_output --partial "amount 1000000.5 is out of range (0 to 1000000)"
	# a required field given empty is not told to leave itself out
	run ip-intake --given '' --family B --birth-date 1990-01-01 --sex male \
		--nationality SY --return-country SY
	assert_failure 65
	assert_output "ip-intake: --given: empty value (the field is required)"
	# a list of paths with no end: refused at once, in either framing
	run timeout 20 ip-check -q --files-from=/dev/zero
	assert_failure 65
	assert_output "ip-check: /dev/zero:1: a path longer than 4096 bytes: not a list of paths"
	run timeout 60 ip-check -q -0 --files-from=/dev/zero
	assert_failure 65
	assert_output "ip-check: /dev/zero: more than 100000000 entries: not a list of paths"
}

# No byte of the C0 or C1 controls or of the bidirectional overrides in $1.
no_raw_controls() {
	! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$1" &&
		! grep -q $'\u202e\|\u200b\|\u0085' "$1"
}

@test "control and invisible characters: refused in names and vocabulary values, escaped in free text and in every message" {
	cd repo
	# a message echoing a value never sends it raw to the terminal
	run ip-intake --sex $'\e]2;PWNED\a' --given A --family B --birth-date 1990-01-01 \
		--nationality SY --return-country SY
	assert_failure 65
	assert_output "ip-intake: --sex: unknown sex '\\e]2;PWNED\\a' (see ip-intake --list sex)"
	run ip-check $'--\e[2Jbogus'
	assert_failure 64
	assert_output "ip-check: unrecognized option '--\\e[2Jbogus'"
	# names: refused, whichever the character and the way in
	local c
	for c in $'\e' $'\u0085' $'\u202e' $'\u200b' $'\ufeff' $'\t'; do
		run ip-intake --given "A${c}na" --family B --birth-date 1990-01-01 --sex male \
			--nationality SY --return-country SY
		assert_failure 65
		assert_output --regexp "^ip-intake: --given: holds an invisible or control character \((\\\\e|\\\\x85|\\\\u202E|\\\\u200B|\\\\uFEFF|\\\\t)\): only free text \(notes\) may$"
	done
	printf 'given,family,birth_date,sex,nationality,return_country\nA\342\200\256na,B,1990-01-01,male,SY,SY\n' >../rlo.csv
	run ip-intake -q --from ../rlo.csv
	assert_failure 65
	assert_output --partial "given: holds an invisible or control character (\\u202E)"
	# the zero-width non-joiner of Persian names stays
	run ip-intake -q --given $'Mohammad\u200cAli' --family B --birth-date 1990-01-01 --sex male \
		--nationality AF --return-country AF
	assert_success
	# free text keeps them; a document and every table show them escaped
	c=cases/AF-KBL-PH-2026-DZ33G.yaml
	sed -i 's/^notes:$/notes:\n  - at: 2026-11-20T10:00:00Z\n    by: tester\n    text: "call back \\e[31mred\\u202Eevil"/' "$c"
	grep -q '^notes:' "$c" || printf 'notes:\n  - at: 2026-11-20T10:00:00Z\n    by: tester\n    text: "call back \\e[31mred\\u202Eevil"\n' >>"$c"
	ip-check -q "$c"
	measure=$(sed -n 's/^    - id: \(M[0-9]*\)$/\1/p' "$c" | head -1)
	ip-plan set -q -i --measure "$measure" --note $'ring \e[5mnow\u202e' "$c"
	for f in md html; do
		ip-plan render -q -f "$f" "$c" >"doc.$f"
		no_raw_controls "doc.$f"
		grep -q 'ring \\e\[5mnow\\u202E' "doc.$f"
	done
	run ip-check -q --print -f json "$c"
	assert_success
}

@test "no write makes a file the readers refuse: intake, an edit and a merge stop first, naming the field" {
	cd repo
	# a CSV cell just under the limit opens a case; one over it does not
	awk 'BEGIN { print "given,family,birth_date,sex,nationality,return_country"
		printf "Ann,"; for (i = 0; i < 1048000; i++) printf "b"; print ",1990-01-01,male,SY,SY" }' >../long.csv
	c=$(ip-intake --from ../long.csv)
	ip-check -q "$c"
	awk 'BEGIN { print "given,family,birth_date,sex,nationality,return_country"
		printf "Ann,"; for (i = 0; i < 1049000; i++) printf "b"; print ",1990-01-01,male,SY,SY" }' >../longer.csv
	run ip-intake -q --from ../longer.csv
	assert_failure 65
	assert_output --regexp "person\.family: the result would be [0-9]+ bytes, more than the 1048576 every command reads \(this field holds 1049000\): nothing written"
	# the next change would take the case over the limit: refused, the case as it was
	before=$(sha256sum "$c")
	run ip-assess -i --need housing:high --need income:high --vulnerability single-parent "$c"
	assert_failure 65
	assert_output --partial "person.family: the result would be"
	[ "$(sha256sum "$c")" = "$before" ]
	ip-check -q "$c"
	# a merge whose result would be too large keeps ours: each side adds
	# over 100 bytes to a case 209 bytes under the limit
	cp "$c" ../base.yaml
	long=$(printf '%0100d' 0 | tr 0 n)
	sed -i "s/^  given: Ann\$/  given: Ann$long/" "$c"
	cp ../base.yaml ../theirs.yaml
	printf 'notes:\n  - at: 2026-11-20T10:00:00Z\n    by: tester\n    text: %s\n' "$long" >>../theirs.yaml
	ip-check -q "$c" ../theirs.yaml
	before=$(sha256sum "$c")
	run ip-merge ../base.yaml "$c" ../theirs.yaml "$c"
	assert_failure 65
	assert_output --partial "person.family: the result would be"
	[ "$(sha256sum "$c")" = "$before" ]
}

@test "a site's share/ files: age bands that do not ascend and ids given twice are refused at their place" {
	cd repo
	cp -R "$ROOT/share/integplan" ../site
	sed -i 's/^age_bands: .*/age_bands: [0, 25, 18, 35]/' ../site/reports.yaml
	grep -q '^age_bands: \[0, 25, 18, 35\]' ../site/reports.yaml
	run env IP_SHARE=../site ip-report summary -q --by age
	assert_failure 65
	assert_output --regexp "reports\.yaml:[0-9]+:[0-9]+: age_bands\[2\]: not larger than the one before: the list must ascend"
	cp "$ROOT/share/integplan/reports.yaml" ../site/
	# a vocabulary id twice: two things would count as one
	sed -i 's/^  - {id: male, de: männlich, en: male}$/&\n  - {id: male, de: Mann, en: man}/' ../site/vocabularies.yaml
	run env IP_SHARE=../site ip-check -q
	assert_failure 65
	assert_output --regexp "vocabularies\.yaml:[0-9]+:[0-9]+: sex\[2\]\.id: 'male' is here twice \(first as item 1\)"
	cp "$ROOT/share/integplan/vocabularies.yaml" ../site/
	# a programme twice
	sed -i '0,/^  - id: REAG-GARP-2$/s//&\n    name: again\n    source: x\n  - id: REAG-GARP-2/' ../site/programmes.yaml
	run env IP_SHARE=../site ip-check -q
	assert_failure 65
	assert_output --partial "'REAG-GARP-2' is here twice"
}

@test "a report cache made with other settings is rebuilt, not believed" {
	cd repo
	ip-report summary -q >/dev/null
	head -1 .integplan/cache/report.tsv | grep -q ' referral_days=14$'
	cp -R "$ROOT/share/integplan" ../site
	sed -i 's/^referral_answer_days: 14$/referral_answer_days: 3/' ../site/reports.yaml
	run --separate-stderr env IP_SHARE=../site ip-report summary
	assert_success
	[[ "$stderr" == *"1 read, 0 from the cache"* ]]
	head -1 .integplan/cache/report.tsv | grep -q ' referral_days=3$'
}
