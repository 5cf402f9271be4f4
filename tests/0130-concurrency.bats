#!/usr/bin/env bats
# Concurrency: ten processes change one case at once (four assessments,
# four plan changes, a referral update and a partner's response received).
# Each waits for the case's lock; none loses another's change: the history
# holds exactly what the same commands run one after another leave, and
# the case is valid.

load helper

setup_file() {
	cd "$BATS_FILE_TMPDIR" || return 1
	ip-intake -q --init --centre BY-MUC --state DE-BY repo
	cd repo
	local c
	c=$(open_mariam --planned-departure 2027-02-01)
	ip-assess -q -i --need housing:high --entrepreneurial yes "$c" >/dev/null
	ip-plan new -q -i --template business-startup "$c" >/dev/null
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$c" >../p1.jsonl
	ip-refer send -q --to AF-KBL-PH --service individual-counselling --no-encrypt "$c" >/dev/null
	cd ..
	ip-intake -q --init --centre AF-KBL-PH partner
	exchange_keys repo partner
	cd partner
	local pc
	pc=$(ip-intake --from-referral ../p1.jsonl)
	ip-refer update -q -i --status accepted "$pc" >/dev/null
	ip-plan arrival -q -i --date 2026-11-21 "$pc" >/dev/null
	ip-refer respond -q --no-encrypt "$pc" >../resp.json
}

CASE=cases/BY-MUC-2026-NMVPY.yaml

# The ten changes; with "&" they run at once. Each has its own actor, so
# every history entry names who made it.
changes() {
	# The helper's one-second lock timeout is for tests that expect a
	# refusal; here ten processes queue for one lock, and on a loaded
	# machine (sanitizers, CI) the last may wait many seconds.
	local IP_LOCK_TIMEOUT=120
	export IP_LOCK_TIMEOUT
	local bg=$1 i needs=(income:high medical:medium education:low documents:high)
	for i in 1 2 3 4; do
		IP_ACTOR=assessor$i ip-assess -q -i --need "${needs[i - 1]}" "$CASE" >/dev/null &
		[ "$bg" = "&" ] || wait $!
		IP_ACTOR=planner$i ip-plan set -q -i --measure "M$i" --owner "Owner $i" "$CASE" >/dev/null &
		[ "$bg" = "&" ] || wait $!
	done
	IP_ACTOR=referrer ip-refer update -q -i --referral BY-MUC-R-38WD6SE6 --status revoked \
		"$CASE" >/dev/null &
	[ "$bg" = "&" ] || wait $!
	IP_ACTOR=receiver ip-refer receive -q ../resp.json >/dev/null &
	[ "$bg" = "&" ] || wait $!
}

# The history entries of the case, sorted: actor and what.
history_of() {
	awk '/^history:/ { h = 1; next } /^[a-z]/ { h = 0 }
		h && /^  - / { who = "" } h && /by:/ { who = $0 } h && /what:/ { print who " |" $0 }' "$1" |
		sort
}

@test "ten processes on one case at once lose no change" {
	cd "$BATS_FILE_TMPDIR"
	rm -rf one-by-one && cp -a repo one-by-one
	(cd one-by-one && changes "")
	local expected i pid failed
	expected=$(history_of one-by-one/$CASE)
	[ "$(grep -c . <<<"$expected")" -gt 10 ]
	for i in 1 2 3 4 5; do
		rm -rf at-once && cp -a repo at-once
		cd at-once
		changes "&"
		failed=0
		for pid in $(jobs -p); do wait "$pid" || failed=$((failed + 1)); done
		[ "$failed" -eq 0 ]
		ip-check -q "$CASE"
		cd ..
		run history_of at-once/$CASE
		assert_output "$expected"
		[ -z "$(find at-once -name '.*.tmp*')" ]
	done
}
