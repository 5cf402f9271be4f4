#!/usr/bin/env bats
# ip-merge, the three-way merge of case files (git's merge driver; inside
# real git in 0155-git.bats): lists by identity, conflicts kept with both
# values and reported at their line, canonical output, usage and bad input.

bats_require_minimum_version 1.5.0
load helper

# base.yaml, ours.yaml and theirs.yaml: three copies of the planned case,
# made on 21 November; each side edits them on the 22nd, and they merge on
# the 23rd.
three_copies() {
	planned_case
	cp "$CASE" base.yaml
	cp "$CASE" ours.yaml
	cp "$CASE" theirs.yaml
	export IP_NOW=2026-11-23T09:00:00Z
}

@test "ip-merge: the plan changed on one side and a referral on the other merge cleanly" {
	three_copies
	IP_NOW=2026-11-22T10:00:00Z IP_ACTOR=host ip-plan set -q -i --measure M1 \
		--owner "Owner H" ours.yaml >/dev/null
	IP_NOW=2026-11-22T11:00:00Z IP_ACTOR=partner ip-refer update -q -i \
		--status revoked --reason no-longer-needed theirs.yaml >/dev/null
	run --separate-stderr ip-merge base.yaml ours.yaml theirs.yaml "$CASE"
	assert_success
	assert_equal "$stderr" ""
	ip-check -q ours.yaml
	grep -q 'owner: Owner H' ours.yaml
	grep -q 'status: revoked' ours.yaml
	run grep -c 'by: host\|by: partner' ours.yaml
	assert_output 3 # two history entries and the referral's step
	refute grep -q x-merge-conflicts ours.yaml
}

@test "ip-merge: the result is canonical and stable" {
	three_copies
	ip-plan set -q -i --measure M1 --owner "Owner H" ours.yaml >/dev/null
	cp ours.yaml ours2.yaml
	ip-merge base.yaml ours.yaml base.yaml "$CASE"
	cmp ours.yaml ours2.yaml
	ip-merge base.yaml ours.yaml ours2.yaml "$CASE"
	cmp ours.yaml ours2.yaml
	ip-check -f yaml --print ours2.yaml | cmp - ours.yaml
}

@test "ip-merge: the same field changed differently keeps both values and ip-check points at it" {
	three_copies
	IP_ACTOR=host ip-plan set -q -i --measure M1 --owner "Owner H" ours.yaml >/dev/null
	IP_ACTOR=partner ip-plan set -q -i --measure M1 --owner "Owner P" theirs.yaml >/dev/null
	run --separate-stderr ip-merge base.yaml ours.yaml theirs.yaml "$CASE"
	assert_failure 1
	line=$(grep -n 'owner: Owner H' ours.yaml | cut -d: -f1)
	assert_equal "${stderr_lines[0]}" "ip-merge: $CASE:$line:14: plan.measures[0].owner: merge conflict: ours 'Owner H', theirs 'Owner P' (base 'A. Berger'); keep one, then delete x-merge-conflicts[0]"
	assert_equal "${stderr_lines[1]}" "ip-merge: $CASE: 1 conflict: both values are kept under x-merge-conflicts"
	grep -q '^x-merge-conflicts:' ours.yaml
	grep -q 'theirs: Owner P' ours.yaml
	run ip-check ours.yaml
	assert_failure 1
	assert_line "ip-check: ours.yaml:$line:14: plan.measures[0].owner: merge conflict: ours 'Owner H', theirs 'Owner P' (base 'A. Berger'); keep one, then delete x-merge-conflicts[0]"
	# Resolving: drop the record (our value stays).
	sed -i '/^x-merge-conflicts:/,$d' ours.yaml
	ip-check -q ours.yaml
}

@test "ip-merge: a measure added on each side and history from both are all kept" {
	three_copies
	IP_NOW=2026-11-22T10:00:00Z ip-plan add -q -i --category job-placement --side return \
		--dimension economic ours.yaml >/dev/null
	IP_NOW=2026-11-22T09:00:00Z ip-plan add -q -i --category psychosocial-counselling \
		--side host --dimension psychosocial theirs.yaml >/dev/null
	run ip-merge base.yaml ours.yaml theirs.yaml "$CASE"
	assert_success
	grep -q 'category: job-placement' ours.yaml
	grep -q 'category: psychosocial-counselling' ours.yaml
	# Both took the next number, M7: theirs becomes M8.
	grep -q 'id: M7' ours.yaml
	grep -q 'id: M8' ours.yaml
	# The history stays in time order: theirs (09:00) before ours (10:00).
	run grep -o 'at: 2026-11-22T..' ours.yaml
	assert_output "$(printf 'at: 2026-11-22T09\nat: 2026-11-22T10')"
}

@test "ip-merge: a field deleted on one side and changed on the other is a conflict" {
	three_copies
	sed -i '/^  region: AF-KAB$/d' ours.yaml
	sed -i 's/^  region: AF-KAB$/  region: AF-BAL/' theirs.yaml
	run --separate-stderr ip-merge -p base.yaml ours.yaml theirs.yaml "$CASE"
	assert_failure 1
	assert_output --partial '  region: AF-BAL'
	assert_equal "${stderr_lines[0]##*: return.region: }" "merge conflict: ours deleted it, theirs 'AF-BAL' (base 'AF-KAB'); keep one, then delete x-merge-conflicts[0]"
}

@test "ip-merge: both sides approve in one clone while the other raises a budget: not agreed" {
	three_copies
	ip-plan approve -q -i --side host --by "A. Berger" ours.yaml >/dev/null
	ip-plan approve -q -i --side return --by "N. Karimi" ours.yaml >/dev/null
	ip-plan set -q -i --measure M5 --amount 4000 theirs.yaml >/dev/null
	run --separate-stderr ip-merge base.yaml ours.yaml theirs.yaml "$CASE"
	assert_success
	assert_equal "$stderr" "ip-merge: $CASE: warning: the plan changed: approvals withdrawn (host: A. Berger, return: N. Karimi); both sides must approve again"
	grep -q 'amount: 4000' ours.yaml
	[ "$(grep -c '      withdrawn: 2026-11-23' ours.yaml)" -eq 2 ]
	grep -q 'what: "merged; approvals withdrawn (host: A. Berger, return: N. Karimi)"' ours.yaml
	run ip-plan check -q ours.yaml
	assert_failure 1
	assert_line --partial "plan.approvals: not approved by the host side"
	assert_line --partial "plan.approvals: not approved by the return side"
	# the same merge printed, without marking: the approvals still do not hold
	cp base.yaml ours2.yaml
	ip-plan approve -q -i --side host --by "A. Berger" ours2.yaml >/dev/null
	ip-plan approve -q -i --side return --by "N. Karimi" ours2.yaml >/dev/null
	sed -i 's/amount: 1000/amount: 4000/' ours2.yaml
	run ip-plan check -q ours2.yaml
	assert_failure 1
	assert_line --partial "the host side's approval (A. Berger, 2026-11-23) was given to other terms than the plan has now"
	run ip-check ours2.yaml
	assert_success
	assert_line --partial "plan.approvals[0]: warning: the host side's approval (A. Berger, 2026-11-23) no longer matches the plan's measures: it counts as withdrawn"
}

@test "ip-merge: the audit is kept: history from both, deleted consent and steps and a status moved back are conflicts" {
	three_copies
	# theirs: history, consent and the referral's step cut, the status set back
	ip-refer update -q -i --status revoked --reason other base.yaml >/dev/null
	cp base.yaml ours.yaml
	ip-plan set -q -i --measure M1 --owner "Owner H" ours.yaml >/dev/null
	cp base.yaml theirs.yaml
	sed -i -e '/^history:/,$d' -e '/^consent:/,/^[a-z]/{/^consent:/d;/^  /d}' \
		-e 's/^status: referred$/status: intake/' -e '/^    steps:$/,/^    [a-z]/{/^    steps:$/d;/^      /d}' theirs.yaml
	ip-check -q theirs.yaml
	run --separate-stderr ip-merge base.yaml ours.yaml theirs.yaml "$CASE"
	assert_failure 1
	# the history: all of the base's, and ours
	[ "$(grep -c '^  - at:' ours.yaml)" -eq "$(($(grep -c '^  - at:' base.yaml) + 1))" ]
	grep -q 'what: measure M1 changed' ours.yaml
	grep -q 'field: status' ours.yaml
	grep -q 'field: consent\[0\]' ours.yaml
	grep -q 'field: referrals\[0\].steps\[0\]' ours.yaml
	assert_equal "${stderr_lines[-1]}" "ip-merge: $CASE: 3 conflicts: both values are kept under x-merge-conflicts"
	run ip-check ours.yaml
	assert_failure 1
	assert_line --partial "status: merge conflict: ours 'referred', theirs 'intake' (base 'referred')"
}

@test "ip-merge: a file both sides added (empty base), JSON by its name, -p" {
	planned_case
	: >empty
	cp "$CASE" a.yaml
	ip-check -f json --print "$CASE" >b.json
	run ip-merge -p empty a.yaml b.json cases/BY-MUC-2026-NMVPY.json
	assert_success
	[ "${output:0:1}" = "{" ]
	cmp a.yaml "$CASE" # -p leaves OURS alone
}

@test "ip-merge: usage, missing and bad input" {
	three_copies
	run ip-merge base.yaml ours.yaml
	assert_failure 64
	assert_output --partial "expected BASE OURS THEIRS [NAME]"
	run ip-merge a b c d e
	assert_failure 64
	run ip-merge --files-from=- base.yaml ours.yaml theirs.yaml
	assert_failure 64
	run ip-merge base.yaml ours.yaml nothere.yaml
	assert_failure 66
	printf 'id: [\n' >bad.yaml
	cp ours.yaml before.yaml
	run ip-merge base.yaml ours.yaml bad.yaml
	assert_failure 65
	assert_output --partial "bad.yaml:2:1:"
	cmp ours.yaml before.yaml
	: >empty
	run ip-merge base.yaml ours.yaml empty cases/x.yaml
	assert_failure 65
	assert_output "ip-merge: cases/x.yaml: empty file on one side (nothing to merge it with)"
}
