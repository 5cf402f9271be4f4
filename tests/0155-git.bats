#!/usr/bin/env bats
# The case repository in real git: ip-intake --init --git, two clones of one
# repository editing one case, git pull merging cleanly through ip-merge or
# keeping a conflict that ip-check and the pre-commit hook point at.

bats_require_minimum_version 1.5.0
load helper

export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=t@example.org
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=t@example.org
export GIT_CONFIG_NOSYSTEM=1 HOME="$BATS_TMPDIR"

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
	IP_ACTOR=partner ip-refer update -q -i --status revoked --reason no-longer-needed \
		"$CASE" >/dev/null
	git commit -qam "referral withdrawn"
	run git pull -q --no-rebase --no-edit
	assert_success
	[ -z "$(git status --porcelain)" ]
	ip-check -q "$CASE"
	# git wrote the merged file and the clone's checkout with the umask's
	# modes; the hooks and --init --git made them private again.
	[ "$(mode_of "$CASE")" = 600 ]
	[ "$(mode_of ../host/$CASE)" = 600 ]
	grep -q 'owner: Owner H' "$CASE"
	grep -q 'status: revoked' "$CASE"
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
