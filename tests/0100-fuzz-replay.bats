#!/usr/bin/env bats
# Every seed of the fuzz targets and every input a fuzzer ever found a
# problem with (tests/fuzz/regress/TARGET/) goes through the target again,
# built without libFuzzer (and under make check SANITIZE=1 with ASan and
# UBSan): a fixed bug stays fixed. make fuzz does the fuzzing itself.

load helper

setup_file() {
	export SEEDS="$BATS_FILE_TMPDIR/seeds"
	sh "$ROOT/tools/fuzz-seeds.sh" "$SEEDS"
}

replay() {
	local t=$1
	run "$ROOT/tests/fuzz/bin/$t" "$SEEDS/$t" "$ROOT/tests/fuzz/regress/$t"
	assert_success
	assert_output --regexp '^[0-9]+ inputs$'
	# at least the seeds ran
	[ "${output% inputs}" -ge "$(ls "$SEEDS/$t" | wc -l)" ]
}

@test "fuzz replay: YAML reader" { replay yaml; }
@test "fuzz replay: JSON reader" { replay json; }
@test "fuzz replay: case validator" { replay case; }
@test "fuzz replay: the one pass against the careful way" { replay onepass; }
@test "fuzz replay: intake rows" { replay rows; }
@test "fuzz replay: Mustache renderer" { replay mustache; }
@test "fuzz replay: referral packages and responses" { replay package; }
@test "fuzz replay: report cache reader" { replay cache; }

@test "every fuzz target has a replay test and a regression folder" {
	for t in $(sed -n 's/^FUZZ_TARGETS *= *//p' "$ROOT/Makefile"); do
		[ -f "$ROOT/tests/fuzz/$t.c" ]
		[ -d "$ROOT/tests/fuzz/regress/$t" ]
		grep -q "replay $t;" "$BATS_TEST_FILENAME"
	done
}
