#!/bin/sh
# Run the unit tests of lib/ and every tests/*.bats (TAP), show their
# output, and end with one line: "N passed, N failed[, N skipped]".
cd "$(dirname "$0")/.." || exit 2
# English messages whatever the caller's locale; tests/0190-i18n.bats sets
# German where it means to.
LC_ALL=C.UTF-8
export LC_ALL
unset LANGUAGE LANG LC_MESSAGES
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT INT TERM

./tests/unit >"$out" 2>&1
unit_rc=$?
cat "$out"
bats --tap tests/*.bats >>"$out" 2>&1
bats_rc=$?
sed -n '/^# unit tests end/,$p' "$out" | sed 1d

passed=$(grep -c '^ok ' "$out")
skipped=$(grep -c '^ok .* # skip' "$out")
failed=$(grep -c '^not ok ' "$out")
passed=$((passed - skipped))
# A runner that died without a TAP line for its failure still fails.
if [ "$failed" -eq 0 ] && { [ "$unit_rc" -ne 0 ] || [ "$bats_rc" -ne 0 ]; }; then
	failed=1
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
