#!/usr/bin/env bats
# Crash consistency: an in-place batch over 300 generated cases is killed
# with SIGKILL at random moments, 30 times over. After each kill every
# case file is valid and is exactly its old or its new version; the temp
# files the killed run left are removed by the next run over the same
# cases, which then leaves every case at its new version.

load helper

setup_file() {
	cd "$BATS_FILE_TMPDIR" || return 1
	ip-intake -q --init --centre BY-MUC old
	"$ROOT/tools/ip-benchgen" 300 old/cases
	(cd old && find cases -name '*.yaml' | sort >../list)
	cp -a old new
	(cd new && batch)
	(cd old/cases && sha256sum -- *.yaml) >old.sums
	(cd new/cases && sha256sum -- *.yaml) >new.sums
}

# The batch: one in-place change to every case; a second run changes nothing.
batch() {
	ip-plan set -q -i --measure M1 --owner "Crash Test" --files-from=../list >/dev/null 2>&1
}

# How many cases are at their old and at their new version; fails if any
# is neither.
versions() {
	(cd work/cases && sha256sum -- *.yaml) | awk '
		FILENAME == ARGV[1] { old[$2] = $1; next }
		FILENAME == ARGV[2] { new[$2] = $1; next }
		$1 == old[$2] { o++; next }
		$1 == new[$2] { n++; next }
		{ print "neither old nor new: " $2; bad = 1 }
		END { printf "%d old, %d new\n", o, n; exit bad }' old.sums new.sums -
}

@test "the batch changes every case, and a second run changes nothing" {
	cd "$BATS_FILE_TMPDIR"
	run awk 'NR == FNR { old[$2] = $1; next } $1 == old[$2]' old.sums new.sums
	assert_output ""
	rm -rf work && cp -a new work
	(cd work && batch)
	run versions
	assert_success
	assert_output "0 old, 300 new"
}

@test "SIGKILL at random moments: every case old or new and valid; the next run cleans up" {
	cd "$BATS_FILE_TMPDIR"
	local i pid stale=0 mixed=0 temps
	for ((i = 0; i < 30; i++)); do
		rm -rf work && cp -a old work
		(cd work && exec ip-plan set -q -i --measure M1 --owner "Crash Test" \
			--files-from=../list >/dev/null 2>&1) &
		pid=$!
		sleep "$(printf '0.%03d' $((RANDOM % 400)))"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" || true
		run versions
		assert_success
		[[ $output == "0 old, 300 new" || $output == "300 old, 0 new" ]] || mixed=$((mixed + 1))
		temps=$(find work -name '.*.tmp*' | wc -l)
		[ "$temps" -eq 0 ] || stale=$((stale + 1))
		# the cases are valid; temp files left are reported
		run ip-check -q -C work
		if [ "$temps" -eq 0 ]; then assert_success; else assert_failure 1; fi
		[[ ! "$output" =~ \.yaml:[0-9]+: ]]  # no case problem, which has a position
		# the next run over the same cases
		(cd work && batch)
		run versions
		assert_output "0 old, 300 new"
		[ -z "$(find work/cases -name '.*.tmp*')" ]
	done
	echo "30 kills: $stale left temp files, $mixed left a mix of old and new" >&3
}

# Run a writer under the fault shim, killed with SIGKILL at its first
# rename: its temp files are written and not yet in place, as a crash or
# power loss would leave them. Prints nothing; the kill is checked.
killed_at_rename() {
	local status=0
	LD_PRELOAD="$ROOT/tests/faultshim.so" IP_FAULT=rename:1:KILL "$@" >/dev/null 2>&1 ||
		status=$?
	[ "$status" -eq 137 ] || { echo "not killed: exit $status from $*"; return 1; }
}

# The temp files under the working directory (and $1, when given).
temps() {
	find . "$@" -name '.*.tmp*' | sort
}

@test "every writer killed between its temp files and the rename: ip-check reports them, the next run of its kind removes them" {
	[ -f "$ROOT/.build-flags" ] && [ "$(cat "$ROOT/.build-flags")" = 1 ] &&
		skip "the shim cannot interpose under AddressSanitizer"
	make_repo
	# each writer, killed, then the same kind of write again
	killed_at_rename ip-intake -q --from "$ROOT/share/integplan/examples/sample-cases.csv"
	[ "$(temps | wc -l)" -eq 12 ]
	run ip-check -q
	assert_failure 1
	assert_line --regexp "^ip-check: \./cases/\.BY-MUC-2026-[0-9A-Z]{5}\.yaml\.tmp-[0-9]+: a temp file a killed writer left"
	ip-intake -q --from "$ROOT/share/integplan/examples/sample-cases.csv" >opened.txt
	[ -z "$(temps)" ]
	ip-check -q

	killed_at_rename ip-assess -q -i --need documents --files-from=opened.txt
	[ -n "$(temps)" ]
	ip-assess -q -i --need documents --files-from=opened.txt >/dev/null
	[ -z "$(temps)" ]

	killed_at_rename ip-report summary -q --by country
	[ -n "$(temps ./.integplan)" ]
	run ip-check -q
	assert_failure 1
	assert_output --partial ".integplan/cache/"
	ip-report summary -q --by country >/dev/null
	[ -z "$(temps)" ]

	c=$(open_mariam --planned-departure 2027-02-01 --allow-duplicate)
	ip-assess -q -i --need housing:high --entrepreneurial yes "$c" >/dev/null
	ip-plan new -q -i --template business-startup "$c" >/dev/null
	mkdir -p ../out
	killed_at_rename ip-plan render -f html --out-dir ../out "$c"
	[ -n "$(temps ../out)" ]
	ip-plan render -q -f html --out-dir ../out "$c" >/dev/null
	[ -z "$(temps ../out)" ]

	ip-intake -q --init --centre AF-KBL-PH ../partner
	exchange_keys . ../partner
	mkdir -p ../outbox
	killed_at_rename ip-refer send -q --to AF-KBL-PH --no-encrypt --out ../outbox "$c"
	[ -n "$(temps ../outbox)" ]
	ip-refer send -q --to AF-KBL-PH --no-encrypt --out ../outbox "$c" >/dev/null
	[ -z "$(temps ../outbox)" ]
	ip-check -q

	pkg=$(ls "$PWD"/../outbox/*)
	cd ../partner
	killed_at_rename ip-intake --from-referral "$pkg"
	[ -n "$(temps)" ]
	ip-intake -q --from-referral "$pkg" >/dev/null
	[ -z "$(temps)" ]
	ip-check -q
}
