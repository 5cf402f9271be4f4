#!/usr/bin/env bats
# ip-check: validation, canonical printing, conversion.

load helper

setup() {
	# the sketch's case was assessed on 28 November and its plan approved on
	# 2 December: read after that, nothing in it is dated ahead
	export IP_NOW=2026-12-02T12:00:00Z
	cd "$BATS_TEST_TMPDIR" || return 1
	cp "$FIXTURES"/* .
	chmod 600 ./*.yaml ./*.json
}

@test "a valid case passes, with a summary on stderr" {
	run ip-check sketch.yaml
	assert_success
	assert_output "ip-check: 1 file: 1 valid"
}

@test "-q drops the summary" {
	run ip-check -q sketch.yaml kosovo.yaml sketch.json
	assert_success
	assert_output ""
}

@test "Kosovo (XK) is a country, XK-PR a region" {
	run ip-check -q kosovo.yaml
	assert_success
}

@test "NO is Norway and 0012 in a string field stays the text 0012" {
	run ip-check -q --print -f json norway.yaml
	assert_success
	assert_line --partial '"given": "0012"'
	assert_line --partial '"country": "NO"'
}

@test "an unknown field is an error with a did-you-mean and a position" {
	run ip-check unknown-field.yaml
	assert_failure 1
	assert_line "ip-check: unknown-field.yaml:6:87: person.nationalty: unknown field 'nationalty'; did you mean 'nationality'?"
	assert_line "ip-check: unknown-field.yaml:6:9: person.nationality: missing required field 'nationality'"
	assert_line "ip-check: 1 file: 0 valid, 1 invalid"
}

@test "every problem of a file is reported, JSON with positions too" {
	run ip-check -q bad-json.json
	assert_failure 1
	assert_line "ip-check: bad-json.json:4:65: person.languages[0]: unknown language code 'xx1'"
	assert_line "ip-check: bad-json.json:5:40: return.region: region 'TR-34' is not in the return country 'IQ'"
}

@test "many problems in one file: each on its own line, lower case, problem first" {
	cat >many.yaml <<'YAML'
schema: integplan/case/2
id: ../../etc/passwd
status: plannd
opened: 2026-02-30
centre: {id: BY-MUC, state: BY}
person: {given: A, family: B, birth_date: 1991-04-12, sex: f, nationality: [no], languages: [PRS]}
return: {country: AF}
plan: {measures: [{id: M1, dimension: economic, category: housing, side: return, budget: {amount: -5, currency: EURO}}]}
YAML
	chmod 600 many.yaml
	run ip-check -q many.yaml
	assert_failure 1
	assert_line "ip-check: many.yaml:1:9: schema: unsupported value 'integplan/case/2' (expected 'integplan/case/1')"
	assert_line --partial "many.yaml:2:5: id: '../../etc/passwd' is not a valid case id"
	assert_line "ip-check: many.yaml:3:9: status: unknown case-status 'plannd'; did you mean 'planned'?"
	assert_line "ip-check: many.yaml:4:9: opened: '2026-02-30' is not a valid date (YYYY-MM-DD)"
	assert_line --partial "centre.state: unknown region code 'BY'"
	assert_line --partial "person.sex: unknown sex 'f'"
	assert_line "ip-check: many.yaml:6:77: person.nationality[0]: unknown country code 'no'; did you mean 'NO'?"
	assert_line --partial "person.languages[0]: unknown language code 'PRS'; did you mean 'prs'?"
	assert_line --partial "budget.amount: amount -5 is out of range"
	assert_line --partial "budget.currency: unknown currency code 'EURO'"
	[ "${#lines[@]}" -eq 10 ]
}

@test "--print writes the canonical form (golden), and reprinting it changes nothing" {
	run ip-check -q --print sketch.yaml
	assert_success
	diff -u "$GOLDEN/sketch.yaml" <(printf '%s\n' "$output")
	ip-check -q --print "$GOLDEN/sketch.yaml" | cmp - "$GOLDEN/sketch.yaml"
}

@test "-f json and -f jsonl print the same case (golden)" {
	ip-check -q --print -f json sketch.yaml | diff -u "$GOLDEN/sketch.json" -
	ip-check -q --print -f jsonl sketch.yaml | diff -u "$GOLDEN/sketch.jsonl" -
	# JSON back to YAML is the canonical YAML
	ip-check -q --print "$GOLDEN/sketch.json" | cmp - "$GOLDEN/sketch.yaml"
}

@test "x- extension keys are kept, after the schema's keys" {
	run ip-check -q --print sketch.yaml
	assert_equal "${lines[${#lines[@]}-5]}" "x-local:"
	assert_line "  note: kept as is"
}

@test "a case on standard input is -" {
	run ip-check -q --print - <sketch.yaml
	assert_success
	assert_line "id: BY-MUC-2026-7K3Q9"
}

@test "directories are searched, in order, and --files-from and -0 read path lists" {
	mkdir -p d/sub && cp sketch.yaml d/ && cp kosovo.yaml d/sub/ && echo 'not: a case' >d/notes.txt
	run ip-check d
	assert_success
	assert_output "ip-check: 2 files: 2 valid"
	printf 'sketch.yaml\nkosovo.yaml\n' >list
	run ip-check --files-from=list
	assert_output "ip-check: 2 files: 2 valid"
	run bash -c "printf 'sketch.yaml\0kosovo.yaml\0' | ip-check -0 --files-from=-"
	assert_output "ip-check: 2 files: 2 valid"
}

@test "without operands, the repository's cases/ are checked" {
	make_repo
	open_mariam >/dev/null
	run ip-check
	assert_success
	assert_output "ip-check: 1 file: 1 valid"
}

@test "no repository and no operand: exit 66 with advice" {
	cd "$BATS_TEST_TMPDIR"
	run ip-check
	assert_failure 66
	assert_output --partial "no case repository here or above"
}

@test "a missing file is exit 66" {
	run ip-check nothing.yaml
	assert_failure 66
	assert_line "ip-check: nothing.yaml: cannot open: No such file or directory"
}

@test "a directory read as a file (standard input, a file to merge) is exit 66" {
	mkdir "$BATS_TEST_TMPDIR/dir"
	run ip-check - <"$BATS_TEST_TMPDIR/dir"
	assert_failure 66
	assert_line "ip-check: <stdin>: is a directory"
	run ip-report merge "$BATS_TEST_TMPDIR/dir"
	assert_failure 66
	assert_line "ip-report: $BATS_TEST_TMPDIR/dir: is a directory"
}

@test "an unparsable file is exit 65, even beside invalid ones" {
	printf 'a: [1, 2\n' >broken.yaml
	run ip-check broken.yaml unknown-field.yaml
	assert_failure 65
	assert_line "ip-check: 2 files: 0 valid, 1 invalid, 1 unreadable"
}

@test "a case file readable by others gets a warning" {
	chmod 644 sketch.yaml
	run ip-check sketch.yaml
	assert_success
	assert_line --partial "sketch.yaml: warning: readable or writable by others"
}

@test "case files open to the group get a warning in a repository, checked in threads or one" {
	make_repo
	local a b
	a=$(open_mariam)
	b=$(open_mariam --given Amina)
	chmod 640 "$a"
	for jobs in 1 2; do
		run ip-check -q -j "$jobs"
		assert_success
		assert_output "ip-check: $a: warning: readable or writable by the group (case files hold special-category data: chmod 600)"
	done
	# the file judged is the file read: a case on standard input has no mode
	run ip-check - <"$b"
	assert_success
	refute_output --partial warning
}

@test "repository directories open to the group or others get a warning" {
	make_repo
	open_mariam >/dev/null
	run ip-check -q
	assert_success
	assert_output ""
	chmod 750 cases
	chmod 755 .
	run ip-check -q
	assert_success
	assert_line "ip-check: .: warning: directory open to others (it lists who has a case: chmod 700)"
	assert_line "ip-check: cases: warning: directory open to the group (it lists who has a case: chmod 700)"
}

@test "a case file named after another id is an error in cases/" {
	mkdir cases && cp sketch.yaml cases/BY-MUC-2026-00000.yaml
	run ip-check -q cases
	assert_failure 1
	assert_output --partial "id 'BY-MUC-2026-7K3Q9' does not match the file name 'BY-MUC-2026-00000.yaml'"
}

@test "a file of two documents is not one case" {
	printf -- '---\na: 1\n---\nb: 2\n' >two.yaml
	run ip-check -q two.yaml
	assert_failure 1
	assert_output --partial "expected one case in the file, found 2 documents"
}

@test "--no-schema converts any YAML; a stream becomes one JSON value per line" {
	printf -- '---\na: 1\n---\nb: [x, NO, 0012, "0012", ~]\n' >stream.yaml
	run ip-check -q --print --no-schema -f json stream.yaml
	assert_success
	assert_line --index 0 '{"a":1}'
	assert_line --index 1 '{"b":["x","NO",12,"0012",null]}'
}

@test "--no-schema accepts a BOM and CRLF line ends" {
	printf '\xef\xbb\xbfa: 1\r\nb: text\r\n' >bom.yaml
	run ip-check -q --print --no-schema -f jsonl bom.yaml
	assert_success
	assert_output '{"a":1,"b":"text"}'
}

@test "each subcommand's -f takes its own formats, and says which" {
	make_repo
	c=$(open_mariam)
	run ip-plan render -f docx "$c"
	assert_failure 64
	assert_output "ip-plan: -f: unknown format 'docx' (use md, html or pdf)"
	run ip-plan render -f yaml "$c"
	assert_failure 64
	assert_output "ip-plan: -f: ip-plan render writes md, html or pdf, not yaml"
	run ip-plan departure -i -f html --date 2026-12-01 "$c"
	assert_failure 64
	assert_output "ip-plan: -f: ip-plan departure writes yaml, json or jsonl, not html"
	local f
	for f in html md table; do
		run ip-report export -f "$f"
		assert_failure 64
		assert_output "ip-report: -f: ip-report export writes json, jsonl or csv, not $f"
	done
	run ip-report summary -f jsonl
	assert_failure 64
	assert_output "ip-report: -f: ip-report summary writes json, md, html, table or csv, not jsonl"
	run ip-refer send -f yaml --to AF-KBL-PH "$c"
	assert_failure 64
	assert_output "ip-refer: -f: ip-refer send writes json or jsonl, not yaml"
	ip-report export -q -f jsonl >/dev/null
	ip-report due -q -f jsonl >/dev/null
}

@test "an unknown format is a usage error (64)" {
	run ip-check -f xml sketch.yaml
	assert_failure 64
	assert_output --partial "unknown format 'xml'"
	run "$ROOT/bin/ip-check" --bogus
	assert_failure 64
	assert_line "ip-check: unrecognized option '--bogus'"
}

@test "a closed stdout is reported as an I/O error (74)" {
	run bash -c 'ip-check -q --print sketch.yaml >/dev/full'
	assert_failure 74
	assert_output --partial "cannot write to standard output"
}

@test "ISO codes written other than iso-codes writes them read the same, or are refused" {
	mkdir codes
	cp /usr/share/iso-codes/json/iso_*.json codes/
	# an escape is not the files' own shape: jansson reads it, the same
	printf '{"3166-1": [{"alpha_2": "\\u0041F", "name": "Afgh\\u00e4nistan"}]}' \
		>codes/iso_3166-1.json
	run env IP_ISO_CODES="$PWD/codes" ip-check -q sketch.yaml
	assert_success
	# so are numbers and other keys beside the list, at any depth
	printf '{"3166-1": [{"alpha_2": "AF", "numeric": 4}], "x": {"y": []}}\n' \
		>codes/iso_3166-1.json
	run env IP_ISO_CODES="$PWD/codes" ip-check -q sketch.yaml
	assert_success
	# entries without a comma between them, or a comma too many: broken
	printf '{"3166-1": [{"alpha_2": "AF"} {"alpha_2": "DE"}]}' >codes/iso_3166-1.json
	run env IP_ISO_CODES="$PWD/codes" ip-check -q sketch.yaml
	assert_failure 66
	assert_output --regexp "codes/iso_3166-1\.json:1:[0-9]+: cannot read the ISO codes "
	printf '{"3166-1": [{"alpha_2": "AF"},]}' >codes/iso_3166-1.json
	run env IP_ISO_CODES="$PWD/codes" ip-check -q sketch.yaml
	assert_failure 66
	assert_output --regexp "codes/iso_3166-1\.json:1:[0-9]+: cannot read the ISO codes "
	# a country the list does not have is not one
	printf '{"3166-1": [{"alpha_2": "DE", "name": "Germany"}]}' >codes/iso_3166-1.json
	run env IP_ISO_CODES="$PWD/codes" ip-check -q sketch.yaml
	assert_failure 1
	assert_output --partial "return.country: unknown country code 'AF'"
}

@test "ISO codes that are missing or broken: 66, and how to mend it" {
	run ip-check -q sketch.yaml
	assert_success
	mkdir codes
	run env IP_ISO_CODES="$PWD/codes" ip-check -q sketch.yaml
	assert_failure 66
	assert_line --index 0 --regexp "^ip-check: $PWD/codes/iso_[0-9-]+\.json: cannot open: No such file or directory\$"
	assert_line --index 1 --regexp "^ip-check: $PWD/codes/iso_[0-9-]+\.json: cannot read the ISO codes \(install Debian's iso-codes or set IP_ISO_CODES\)\$"
	# several files, in threads: loaded before, and said the same way
	run env IP_ISO_CODES="$PWD/codes" ip-check -q -j 2 sketch.yaml kosovo.yaml
	assert_failure 66
	assert_line --index 1 --regexp "cannot read the ISO codes \(install Debian's iso-codes or set IP_ISO_CODES\)\$"
	for f in iso_3166-1 iso_3166-2 iso_639-3 iso_4217; do
		printf '{"list": [' >"codes/$f.json"
	done
	run env IP_ISO_CODES="$PWD/codes" ip-check -q sketch.yaml
	assert_failure 66
	assert_output --regexp "codes/iso_[0-9-]+\.json:1:[0-9]+: cannot read the ISO codes \(install Debian's iso-codes or set IP_ISO_CODES\): "
}
