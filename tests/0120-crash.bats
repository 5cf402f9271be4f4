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
		(cd work && ip-check -q)
		# the next run over the same cases
		(cd work && batch)
		run versions
		assert_output "0 old, 300 new"
		[ -z "$(find work/cases -name '.*.tmp*')" ]
	done
	echo "30 kills: $stale left temp files, $mixed left a mix of old and new" >&3
}
