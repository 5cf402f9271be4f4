#!/usr/bin/env bats
# The HTML report and a rendered plan open in a real browser: headless
# Chromium takes a screenshot of each, which must not be blank. Skipped
# when Chromium is not installed (apt-get install chromium), except in CI.

load helper

chromium_bin() {
	command -v chromium || command -v chromium-browser || command -v google-chrome
}

screenshot() { # HTML PNG
	"$(chromium_bin)" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size=1000,1400 --screenshot="$2" "file://$1" >/dev/null 2>&1
	[ -s "$2" ]
}

setup() {
	chromium_bin >/dev/null || need_tool chromium chromium
}

@test "a rendered plan in German, in headless Chromium, is not blank" {
	make_repo
	c=$(open_mariam --planned-departure 2027-02-01)
	ip-assess -q -i --need housing:high --entrepreneurial yes "$c" >/dev/null
	ip-plan new -q -i --template business-startup "$c" >/dev/null
	ip-plan render --lang de -f html "$c" >"$BATS_TEST_TMPDIR/plan.html"
	screenshot "$BATS_TEST_TMPDIR/plan.html" "$BATS_TEST_TMPDIR/plan.png"
	run python3 "$ROOT/tests/screenshot-blank.py" "$BATS_TEST_TMPDIR/plan.png"
	assert_success
	# and an empty page is blank, so the check can fail
	printf '<!doctype html><title>x</title>' >"$BATS_TEST_TMPDIR/empty.html"
	screenshot "$BATS_TEST_TMPDIR/empty.html" "$BATS_TEST_TMPDIR/empty.png"
	run python3 "$ROOT/tests/screenshot-blank.py" "$BATS_TEST_TMPDIR/empty.png"
	assert_failure 1
}

@test "a plan in Dari (right to left) and a referral sheet in French, in headless Chromium, are not blank" {
	make_repo
	c=$(open_mariam --planned-departure 2027-02-01)
	ip-assess -q -i --need housing:high --entrepreneurial yes "$c" >/dev/null
	ip-plan new -q -i --template business-startup "$c" >/dev/null
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$c" >/dev/null
	ip-plan render -q --lang prs -f html "$c" >"$BATS_TEST_TMPDIR/plan.prs.html"
	ip-refer sheet -q --to AF-KBL-PH --lang fra -f html "$c" >"$BATS_TEST_TMPDIR/sheet.html"
	for page in plan.prs sheet; do
		screenshot "$BATS_TEST_TMPDIR/$page.html" "$BATS_TEST_TMPDIR/$page.png"
		run python3 "$ROOT/tests/screenshot-blank.py" "$BATS_TEST_TMPDIR/$page.png"
		assert_success
	done
}

@test "the HTML report, in headless Chromium, is not blank" {
	cd "$BATS_TEST_TMPDIR"
	ip-intake -q --init --centre BY-MUC repo
	"$ROOT/tools/ip-benchgen" 200 repo/cases >/dev/null
	ip-report -C repo -q summary --by country,sex -f html >report.html
	screenshot "$BATS_TEST_TMPDIR/report.html" report.png
	run python3 "$ROOT/tests/screenshot-blank.py" report.png
	assert_success
}
