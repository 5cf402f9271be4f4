#!/bin/sh
# make fuzz: run each fuzz target (fuzz-build/bin/TARGET, built with
# libFuzzer, ASan and UBSan) for SECONDS, from its seeds, the inputs of
# earlier findings (tests/fuzz/regress/TARGET) and the corpus it grew in
# earlier runs (fuzz-build/corpus/TARGET). Prints one line per target;
# exits 1 when any target found a crash, leak or hang, and names the input
# it saved (move it to tests/fuzz/regress/TARGET/ with the fix).
set -u
secs=${1:?usage: fuzz.sh SECONDS TARGET...}
shift
cd "$(dirname "$0")/.." || exit 2
rm -rf fuzz-build/seeds
sh tools/fuzz-seeds.sh fuzz-build/seeds || exit 2
found=0
for t in "$@"; do
	mkdir -p "fuzz-build/corpus/$t" "fuzz-build/artifacts" "tests/fuzz/regress/$t"
	log="fuzz-build/$t.log"
	# -timeout: an input taking 10 s is a hang; -rss_limit_mb: so is 2 GB.
	"fuzz-build/bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="fuzz-build/artifacts/$t-" \
		"fuzz-build/corpus/$t" "fuzz-build/seeds/$t" "tests/fuzz/regress/$t" \
		>"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	took=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log")
	corpus=$(find "fuzz-build/corpus/$t" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $t: ${took:-?} s, ${runs:-?} runs, corpus $corpus, nothing found"
	else
		found=1
		echo "fuzz $t: FOUND a problem (exit $rc) after ${runs:-?} runs; see $log"
		grep -m1 -E 'ERROR: |runtime error|SUMMARY' "$log" | sed 's/^/  /'
		find fuzz-build/artifacts -name "$t-*" 2>/dev/null | sort | sed 's/^/  input: /'
	fi
done
exit "$found"
