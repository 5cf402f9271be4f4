#!/usr/bin/env bats
# ip-merge, the three-way merge driver, on its own and inside real git:
# ip-intake --init --git, two clones of one repository editing one case,
# git pull merging cleanly or keeping a conflict that ip-check points at.

bats_require_minimum_version 1.5.0
load helper

export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=t@example.org
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=t@example.org
export GIT_CONFIG_NOSYSTEM=1 HOME="$BATS_TMPDIR"

CASE=cases/BY-MUC-2026-NMVPY.yaml

# A repository with one case that has a plan and a pending referral.
planned_case() {
	make_repo
	open_mariam >/dev/null
	ip-assess -q -i --need housing:high --entrepreneurial yes "$CASE" >/dev/null
	ip-plan new -q -i --template business-startup "$CASE" >/dev/null
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$CASE" >/dev/null
}

# base.yaml, ours.yaml and theirs.yaml: three copies of the case.
three_copies() {
	planned_case
	cp "$CASE" base.yaml
	cp "$CASE" ours.yaml
	cp "$CASE" theirs.yaml
}

@test "ip-merge: the plan changed on one side and a referral on the other merge cleanly" {
	three_copies
	IP_NOW=2026-11-22T10:00:00Z IP_ACTOR=host ip-plan set -q -i --measure M1 \
		--owner "Owner H" ours.yaml >/dev/null
	IP_NOW=2026-11-22T11:00:00Z IP_ACTOR=partner ip-refer update -q -i \
		--status accepted theirs.yaml >/dev/null
	run --separate-stderr ip-merge base.yaml ours.yaml theirs.yaml "$CASE"
	assert_success
	assert_equal "$stderr" ""
	ip-check -q ours.yaml
	grep -q 'owner: Owner H' ours.yaml
	grep -q 'status: accepted' ours.yaml
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

@test "ip-intake --init --git: attributes, ignore, merge driver, hook; a second run changes nothing" {
	cd "$BATS_TEST_TMPDIR"
	ip-intake -q --init --git --centre BY-MUC repo
	[ "$(mode_of repo/.git)" = 700 ]
	grep -qx 'cases/\*.yaml merge=integplan' repo/.gitattributes
	grep -qx '.integplan/cache/' repo/.gitignore
	[ -x repo/.git/hooks/pre-commit ]
	[ -x repo/.git/hooks/post-checkout ]
	[ -x repo/.git/hooks/post-merge ]
	run git -C repo config merge.integplan.driver
	assert_output 'ip-merge %O %A %B %P'
	before=$(cd repo && find . -path ./.git/index -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
	run ip-intake --init --git repo
	assert_success
	assert_output "ip-intake: set up git for the case repository in repo"
	after=$(cd repo && find . -path ./.git/index -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
	assert_equal "$after" "$before"
	run ip-intake --git
	assert_failure 64
}

# origin.git, with the planned case committed; clones "host" and "partner",
# each set up with ip-intake --init --git (git never clones config or hooks).
two_clones() {
	planned_case
	ip-intake -q --init --git .
	git add -A && git commit -qm "case opened and planned"
	cd ..
	git clone -q --bare repo origin.git
	git clone -q origin.git host
	git clone -q origin.git partner
	ip-intake -q --init --git host
	ip-intake -q --init --git partner
}

@test "git pull: the host's plan change and the partner's referral update merge cleanly" {
	two_clones
	(cd host && IP_ACTOR=host ip-plan set -q -i --measure M1 --owner "Owner H" "$CASE" >/dev/null &&
		git commit -qam "M1 owner" && git push -q)
	cd partner
	IP_ACTOR=partner ip-refer update -q -i --status accepted "$CASE" >/dev/null
	git commit -qam "referral accepted"
	run git pull -q --no-rebase --no-edit
	assert_success
	[ -z "$(git status --porcelain)" ]
	ip-check -q "$CASE"
	# git wrote the merged file and the clone's checkout with the umask's
	# modes; the hooks and --init --git made them private again.
	[ "$(mode_of "$CASE")" = 600 ]
	[ "$(mode_of ../host/$CASE)" = 600 ]
	grep -q 'owner: Owner H' "$CASE"
	grep -q 'status: accepted' "$CASE"
}

@test "git pull: one field changed on both sides is a conflict that ip-check and the hook refuse" {
	two_clones
	(cd host && IP_ACTOR=host ip-plan set -q -i --measure M1 --owner "Owner H" "$CASE" >/dev/null &&
		git commit -qam "M1 owner H" && git push -q)
	cd partner
	IP_ACTOR=partner ip-plan set -q -i --measure M1 --owner "Owner P" "$CASE" >/dev/null
	git commit -qam "M1 owner P"
	run git pull -q --no-rebase --no-edit
	assert_failure
	assert_output --partial "CONFLICT (content): Merge conflict in $CASE"
	assert_output --partial "plan.measures[0].owner: merge conflict: ours 'Owner P', theirs 'Owner H'"
	run ip-check "$CASE"
	assert_failure 1
	assert_output --partial "plan.measures[0].owner: merge conflict"
	# Marking it resolved without resolving it: the hook refuses the commit.
	git add "$CASE"
	run git commit -qm merged
	assert_failure
	assert_output --partial "merge conflict"
	sed -i '/^x-merge-conflicts:/,$d' "$CASE"
	git add "$CASE"
	git commit -qm merged
	ip-check -q "$CASE"
}

@test "the hook installed by --init --git refuses an invalid case" {
	cd "$BATS_TEST_TMPDIR"
	ip-intake -q --init --git --centre BY-MUC repo
	cd repo
	path=$(open_mariam)
	sed -i 's/^status: intake$/status: intak/' "$path"
	git add "$path"
	run git commit -qm broken
	assert_failure
	assert_output --partial "status: unknown case-status 'intak'"
	[ -z "$(git log --oneline 2>/dev/null)" ]
}
