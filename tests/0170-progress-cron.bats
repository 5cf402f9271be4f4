#!/usr/bin/env bats
# Progress of long runs (--progress, --no-progress, silent when standard
# error is not a terminal) and the cron and systemd examples.

bats_require_minimum_version 1.5.0
load helper

EXAMPLES="$ROOT/share/integplan/examples"

bench_repo() { # N: a repository of N generated cases
	cd "$BATS_TEST_TMPDIR"
	ip-intake -q --init --centre BY-MUC repo
	"$ROOT/tools/ip-benchgen" "$1" repo/cases >/dev/null
	cd repo
}

@test "progress: silent when standard error is not a terminal, one final line with --progress" {
	bench_repo 300
	run --separate-stderr ip-report -q --no-cache summary --by country -f json
	assert_success
	assert_equal "$stderr" ""
	run --separate-stderr ip-report -q --no-cache --progress summary --by country -f json
	assert_success
	assert_equal "$stderr" "ip-report: cases read: 300 of 300 (100%)"
	run --separate-stderr ip-report -q --no-cache --progress --no-progress summary -f json
	assert_equal "$stderr" ""
}

@test "progress: intake from a file and a batch change count their rows and cases" {
	make_repo
	run --separate-stderr ip-intake -q --progress --from "$ROOT/share/integplan/examples/sample-cases.csv"
	assert_success
	rows=$(($(wc -l <"$ROOT/share/integplan/examples/sample-cases.csv") - 1))
	assert_equal "$stderr" "ip-intake: rows read: $rows"
	run --separate-stderr ip-assess -q -i --progress --need housing:high cases
	assert_success
	assert_equal "$stderr" "ip-assess: cases done: $rows"
}

@test "progress on a terminal: redrawn in place and erased; none for a short run" {
	need_tool script bsdutils
	bench_repo 50
	run script -qec "ip-report -q --no-cache summary -f json >/dev/null" /dev/null
	assert_success
	assert_output ""
}

@test "the cron script writes the due list and last quarter's indicators, silently and privately" {
	make_repo
	open_mariam --planned-departure 2026-12-01 >/dev/null
	export IP_DIR=$PWD IP_REPORTS=$BATS_TEST_TMPDIR/reports
	run --separate-stderr sh "$EXAMPLES/integplan-reports.sh" due
	assert_success
	assert_equal "$stderr" ""
	assert_output ""
	f=$(find "$IP_REPORTS" -name 'due-*.csv')
	[ "$(mode_of "$f")" = 600 ]
	[ "$(mode_of "$IP_REPORTS")" = 700 ]
	[ ! -s "$f" ] || head -n 1 "$f" | grep -qx 'due,owner,case,what'
	run --separate-stderr sh "$EXAMPLES/integplan-reports.sh" indicators
	assert_success
	assert_equal "$stderr" ""
	ls "$IP_REPORTS"/indicators-[0-9][0-9][0-9][0-9]-Q[1-4].csv
	[ -z "$(find "$IP_REPORTS" -name '.*')" ]
	run sh "$EXAMPLES/integplan-reports.sh" weekly
	assert_failure 64
	IP_DIR=/nonexistent run sh "$EXAMPLES/integplan-reports.sh" due
	assert_failure
	assert_output --partial "ip-report:"
	# a failed report leaves no temp file behind
	[ -z "$(find "$IP_REPORTS" -name '.*')" ]
}

@test "the crontab and the systemd units call the script" {
	grep -Ev '^(#|$|[A-Z_]+=)' "$EXAMPLES/crontab" | while read -r m h dom mon dow cmd; do
		[ -n "$cmd" ]
		[[ $cmd == *integplan-reports.sh\ due || $cmd == *integplan-reports.sh\ indicators ]]
	done
	for unit in due indicators; do
		grep -qx "ExecStart=/usr/share/integplan/examples/integplan-reports.sh $unit" \
			"$EXAMPLES/integplan-$unit.service"
		grep -q '^OnCalendar=' "$EXAMPLES/integplan-$unit.timer"
	done
	if command -v systemd-analyze >/dev/null; then
		systemd-analyze calendar '*-*-* 05:30' '*-01,04,07,10-01 06:15' >/dev/null
	fi
}
