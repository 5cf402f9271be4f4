#!/usr/bin/env bats
# The one pass over a case's events (lib/ip_onepass.h) stands in for the
# careful way (a tree with positions, then validation) where many cases are
# read: ip-report and ip-check. IP_READER=tree makes them read every case
# the careful way; both ways must give the same verdicts, the same messages
# and the same reports, byte for byte. (tests/fuzz/onepass.c holds the two
# to it on every fuzz input, and that the pass is sure of every valid seed.)

load helper

# COMMAND...: the same status, output and messages both ways.
same_both_ways() {
	run "$@"
	local fast_status=$status fast_output=$output
	run env IP_READER=tree "$@"
	assert_equal "$status" "$fast_status"
	assert_equal "$output" "$fast_output"
}

# The report cache the one pass writes is the one the careful way writes;
# the one pass's is left in fast.tsv.
same_cache_both_ways() {
	ip-report summary -q >/dev/null
	cp .integplan/cache/report.tsv fast.tsv
	rm .integplan/cache/report.tsv
	IP_READER=tree ip-report summary -q >/dev/null
	cmp fast.tsv .integplan/cache/report.tsv
}

# DIR: generated cases (tools/ip-benchgen) in a repository there.
generated_repo() {
	cd "$BATS_TEST_TMPDIR" || return 1
	ip-intake -q --init --centre BY-MUC --state DE-BY "$1"
	"$ROOT/tools/ip-benchgen" 300 "$1/cases" >/dev/null
}

@test "ip-check: the same verdict and messages both ways for every fixture and bad input" {
	cd "$BATS_TEST_TMPDIR"
	local n=0
	for f in "$FIXTURES"/* "$ROOT"/tests/bad/*.yaml "$ROOT"/tests/bad/*.json \
		"$ROOT"/tests/fuzz/seeds/onepass/*; do
		same_both_ways ip-check "$f"
		same_both_ways ip-check -q "$f"
		n=$((n + 1))
	done
	[ "$n" -gt 60 ]
}

@test "a NUL comes only from a double-quoted escape, refused both ways; the same in single quotes is text" {
	generated_repo repo
	cd repo
	local f
	f=$(find cases -name '*.yaml' | sort | head -1)
	sed -i '0,/^  given: .*/s//  given: "Ma\\0riam"/' "$f"
	grep -q '^  given: "Ma\\0riam"$' "$f"
	same_both_ways ip-check "$f"
	assert_failure
	sed -i '0,/^  given: .*/s//  given: '"'"'Ma\\0riam'"'"'/' "$f"
	same_both_ways ip-check "$f"
	assert_success
	same_both_ways ip-report summary --by status -f csv --no-cache "$f"
	assert_success
}

@test "ip-check: the same verdicts both ways over a repository, valid and broken cases" {
	generated_repo repo
	cd repo
	same_both_ways ip-check -q
	assert_success
	# the generator approves its plans as ip-plan does: none is stale, until
	# a term changes; then both approvals are warned at their line both ways
	same_both_ways ip-check
	refute_output --partial "no longer matches"
	local changed
	changed=$(grep -l 'departure+30d' cases/*.yaml | head -1)
	sed -i '0,/departure+30d/s//departure+45d/' "$changed"
	same_both_ways ip-check
	assert_output --partial "$changed:"
	[ "$(grep -c 'no longer matches the plan' <<<"$output")" -ge 1 ]
	# in one thread too, where everything is loaded from the second file on
	same_both_ways ip-check -j 1
	assert_output --partial "$changed:"
	[ "$(grep -c 'no longer matches the plan' <<<"$output")" -ge 1 ]
	sed -i '0,/departure+45d/s//departure+30d/' "$changed"
	# broken in each way the pass leaves to the careful way, or refuses
	mapfile -t c < <(find cases -name '*.yaml' | sort | head -12)
	sed -i 's/^opened: .*/opened: 2026-02-30/' "${c[0]}"
	sed -i 's/^status: /statuss: /' "${c[1]}"
	sed -i '0,/^  given: \(.*\)/s//  given: \&g \1\n  x-again: *g/' "${c[2]}"
	sed -i 's/^status: .*/&\nstatus: open/' "${c[3]}"
	sed -i 's/^opened: .*/&\nx-merge-conflicts: [{field: status, ours: a, theirs: b}]/' "${c[4]}"
	sed -i 's/^  nationality: .*/  nationality: !!str AF/' "${c[5]}"
	sed -i 's/^  birth_date: .*/  birth_date: 2030-01-01/' "${c[6]}"
	sed -i 's/^  country: .*/  country: ZZ/' "${c[7]}"
	sed -i 's/^id: .*/id: BY-MUC-2026-AAAAA/' "${c[8]}"
	printf -- '---\nid: x\n' >>"${c[9]}"
	sed -i '0,/^  given: .*/s//  given: "Ma\\u200Briam"/' "${c[10]}"
	printf '\n' >"${c[11]}"
	same_both_ways ip-check -q
	assert_failure 65  # the duplicate key is bad YAML, the worst of them
	assert_output --partial "${c[0]}:4:9: opened: '2026-02-30' is not a valid date"
	assert_output --partial "${c[4]}:3:9: status: merge conflict"
	refute_output --partial "${c[2]}"
	refute_output --partial "${c[5]}"
	for f in "${c[@]}"; do
		same_both_ways ip-check "$f"
	done
	# in threads, each file's messages in the files' order: the same on
	# every run as with one thread (with many broken files, so that two
	# threads would interleave them)
	find cases -name '*.yaml' | sort | sed -n '20~3p' | xargs sed -i 's/^status: /statuss: /'
	run ip-check -j 1
	local one=$output one_status=$status
	[ "$(grep -c statuss <<<"$one")" -gt 80 ]
	assert_line "ip-check: 300 files: 196 valid, 103 invalid, 1 unreadable"
	for run in 1 2 3 4 5; do
		same_both_ways ip-check -j 2
		assert_equal "$status" "$one_status"
		assert_equal "$output" "$one"
	done
}

@test "ip-report: the same reports both ways, cold, from the cache, in threads" {
	generated_repo repo
	cd repo
	for report in "summary --by status" "summary --by return-country --by sex" \
		"outcomes --period 2025" "budget --period 2025 --by quarter"; do
		# shellcheck disable=SC2086 # a report and its options, one word each
		same_both_ways ip-report $report -f csv --no-cache -j 1
		assert_success
		# shellcheck disable=SC2086
		same_both_ways ip-report $report -f json --protection none --no-cache -j 2
	done
	same_cache_both_ways
}

@test "ip-report: the facts the one pass gathers are those the careful way reads, in every shape" {
	generated_repo repo
	cd repo
	mapfile -t c < <(grep -l '^  approvals:' cases/*.yaml | sort | head -5)
	[ "${#c[@]}" -eq 5 ]
	# terms the digest spells as the tree has them: a real amount, a due
	# and a programme given as null; approved again, then agreed both ways
	sed -i '0,/^        amount: .*/s//        amount: 512.5/' "${c[0]}"
	sed -i '0,/^      due: .*/s//      due: ~/' "${c[0]}"
	sed -i '0,/^      side: \(.*\)/s//      side: \1\n      programme: ~/' "${c[0]}"
	ip-plan approve -i --side host --by 'A. Berger' "${c[0]}"
	ip-plan approve -i --side return --by 'R. Haddad' "${c[0]}"
	# a budget given as null; one with a key of its own, which the one
	# pass leaves to the careful way
	sed -i '0,/^      budget:$/s//      budget: ~\n      x-budget:/' "${c[1]}"
	sed -i '0,/^        currency: \(.*\)/s//        currency: \1\n        x-note: by hand/' "${c[2]}"
	# surveys given as null, a follow-up done as null, a composite as
	# null, an approval withdrawn as null
	sed -i 's/^plan:/baseline: ~\nplan:/' "${c[3]}"
	sed -i 's/^  approvals:/  follow_ups:\n    - due: arrival+3m\n      done: ~\n      survey: ~\n    - due: arrival+6m\n      survey:\n        id: rss\n        date: 2020-01-02\n        by: R. Haddad\n        answers:\n          - question: q1\n            answer: a1\n        scores:\n          - dimension: economic\n            score: 0.25\n        composite: ~\n        flags:\n          - income\n  approvals:/' "${c[3]}"
	sed -i '0,/^      measures_digest: \(.*\)/s//      measures_digest: \1\n      withdrawn: ~/' "${c[4]}"
	same_both_ways ip-check -q "${c[@]}"
	assert_success
	for report in "summary --by status" "outcomes --period 2020" "budget --period 2018"; do
		# shellcheck disable=SC2086 # a report and its options, one word each
		same_both_ways ip-report $report -f csv --protection none --no-cache -j 1
		assert_success
	done
	same_cache_both_ways
	# the plan of the first is agreed (the facts' 15th field, after the
	# file's five), and the others' facts are what was changed
	local id
	id=$(basename "${c[0]}" .yaml)
	[ -n "$(awk -F '\t' -v id="$id" '$6 == id { print $20 }' fast.tsv)" ]
	id=$(basename "${c[1]}" .yaml)
	awk -F '\t' -v id="$id" '$6 == id { print $33 }' fast.tsv | grep -q '^a||'
	id=$(basename "${c[3]}" .yaml)
	run awk -F '\t' -v id="$id" '$6 == id { print $32 }' fast.tsv
	assert_output --regexp '^3\|[0-9-]+\|;6\|[0-9-]+\|\|rss\|2020-01-02\|[0-9]*\|income\|economic=25$'
}

@test "an item of a list given as null is refused both ways, where it is" {
	generated_repo repo
	cd repo
	local f
	f=$(find cases -name '*.yaml' | sort | head -1)
	sed -i 's/^programmes:/programmes:\n  - ~/' "$f"
	sed -i 's/^history:/referrals:\n  - ~\nhistory:/' "$f"
	same_both_ways ip-check "$f"
	assert_failure 1
	assert_output --partial "programmes[0]: missing value (expected"
	assert_output --partial "referrals[0]: missing value (expected a mapping)"
	same_both_ways ip-report summary --no-cache "$f"
	assert_failure 65
}

@test "ip-report: cases the one pass is not sure of are read the careful way, with every message" {
	generated_repo repo
	cd repo
	mapfile -t c < <(find cases -name '*.yaml' | sort | head -3)
	sed -i 's/^status: /statuss: /' "${c[0]}"
	sed -i '0,/^  given: \(.*\)/s//  given: \&g \1\n  x-again: *g/' "${c[1]}"
	sed -i 's/^  region: .*/  region: DE-BY/' "${c[2]}"
	same_both_ways ip-report summary --by status -f csv --no-cache -j 1
	assert_failure 65
	assert_output --partial "statuss"
	assert_output --partial "is not in the return country"
	# with threads, each file's messages are kept and printed in the files'
	# order: the same on every run, and the same as with one thread (with
	# many broken files, so that two threads would interleave them)
	find cases -name '*.yaml' | sort | sed -n '4~3p' | xargs sed -i 's/^status: /statuss: /'
	run ip-report summary --by status -f csv --no-cache -j 1
	local one=$output
	[ "$(grep -c statuss <<<"$one")" -gt 90 ]
	for run in 1 2 3 4 5; do
		same_both_ways ip-report summary --by status -f csv --no-cache -j 2
		assert_equal "$output" "$one"
	done
	# the anchored case is valid: counted both ways
	same_both_ways ip-report summary --by status -f csv --no-cache -j 1 --protection none
}

@test "the index of persons: the same both ways, from valid and broken cases" {
	generated_repo repo
	cd repo
	# a repeat return, and a case the one pass leaves to the careful way
	mapfile -t c < <(find cases -name '*.yaml' | sort | head -3)
	awk '/^person:/ { p = 1; print; next } p && /^[^ ]/ { p = 0 } p' "${c[0]}" >person
	awk 'BEGIN { while ((getline l <"person") > 0) block = block l "\n" }
		/^person:/ { printf "%s", block; skip = 1; next } skip && /^[^ ]/ { skip = 0 } !skip' \
		"${c[1]}" >again
	cat again >"${c[1]}"
	sed -i 's/^status: .*/status: nonsense/' "${c[2]}"
	same_both_ways ip-check --duplicates -q -f jsonl
	assert_failure 1
	local second=${c[1]#cases/}
	assert_output --partial "\"${second%.yaml}\"]"
	cp .integplan/cache/persons.tsv fast.tsv
	rm .integplan/cache/persons.tsv
	IP_READER=tree ip-check --duplicates -q >/dev/null || true
	cmp fast.tsv .integplan/cache/persons.tsv
	[ "$(wc -l <fast.tsv)" -eq 301 ]
}

@test "IP_READER: tree, onepass or unset; a misspelt value is a usage error (64)" {
	cd "$BATS_TEST_TMPDIR"
	IP_READER=onepass run ip-check -q "$FIXTURES/norway.yaml"
	assert_success
	IP_READER=tre run ip-check -q "$FIXTURES/norway.yaml"
	assert_failure 64
	assert_output --partial "IP_READER: 'tre' is neither 'tree' nor 'onepass'"
	IP_READER=tre run ip-report summary "$FIXTURES/norway.yaml"
	assert_failure 64
}

@test "-j and --k out of their range are usage errors (64) that name the range" {
	generated_repo repo
	cd repo
	run ip-check -j 0
	assert_failure 64
	assert_output --partial "ip-check: --jobs: '0' is not a whole number from 1 to 256"
	run ip-report summary -j 257
	assert_failure 64
	assert_output --partial "ip-report: --jobs: '257' is not a whole number from 1 to 256"
	run ip-report export --anonymise --k 1
	assert_failure 64
	assert_output --partial "ip-report: --k: '1' is not a whole number from 2 to 1000"
	run ip-check -j 1 -q
	assert_success
}
