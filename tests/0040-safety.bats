#!/usr/bin/env bats
# Writes: private modes, no writing through symlinks, nothing half-written,
# no temp files left, old files intact when a write cannot happen.

load helper

# Run a command as an unprivileged user (root ignores directory modes),
# from a copy of the built commands and their data in the test's $work:
# the checkout may be where only root can enter (/root), and nobody could
# not even start them there.
as_nobody() {
	if [ "$(id -u)" != 0 ]; then
		"$@"
		return
	fi
	local tree=${work:?}/.tree
	if [ ! -d "$tree" ]; then
		mkdir -p "$tree" && cp -R "$ROOT/bin" "$ROOT/share" "$tree/" && chmod -R a+rX "$tree"
	fi
	setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$tree/bin:$PATH" "$@"
}

@test "a write into a read-only cases/ fails with 73 and leaves the old files intact" {
	work=$(mktemp -d /tmp/ip-safety.XXXXXX)
	chmod 755 "$work"
	cd "$work"
	ip-intake -q --init --centre BY-MUC repo
	cd repo
	old=$(open_mariam)
	before=$(sha256sum "$old")
	[ "$(id -u)" = 0 ] && chown -R 65534:65534 "$work/repo"
	chmod 500 cases
	run as_nobody ip-intake --given A --family B --birth-date 1990-01-01 --sex male \
		--nationality AF --return-country AF
	assert_failure 73
	assert_output --partial "cannot create a file here: Permission denied"
	[ "$(sha256sum "$old")" = "$before" ]
	[ "$(ls -A cases | wc -l)" = 1 ]
	chmod 700 cases
	rm -rf "$work"
}

@test "a batch into a read-only cases/ writes nothing" {
	work=$(mktemp -d /tmp/ip-safety.XXXXXX)
	chmod 755 "$work"
	cd "$work"
	ip-intake -q --init --centre BY-MUC repo
	[ "$(id -u)" = 0 ] && chown -R 65534:65534 "$work/repo"
	chmod 500 repo/cases
	cp "$ROOT/share/integplan/examples/sample-cases.csv" . && chmod 644 sample-cases.csv
	run as_nobody ip-intake -C repo --from sample-cases.csv
	assert_failure 73
	[ -z "$(ls -A repo/cases)" ]
	chmod 700 repo/cases
	rm -rf "$work"
}

@test "an existing file is never replaced by a new case" {
	make_repo
	# The id the seeded generator gives first is taken already.
	echo 'precious' >cases/BY-MUC-2026-NMVPY.yaml
	run open_mariam
	assert_success
	refute_output "cases/BY-MUC-2026-NMVPY.yaml"
	[ "$(cat cases/BY-MUC-2026-NMVPY.yaml)" = precious ]
}

@test "--init does not write through a symlink" {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p target/.integplan repo/.integplan
	ln -s "$BATS_TEST_TMPDIR/target/config.yaml" repo/.integplan/config.yaml
	run ip-intake --init --centre BY-MUC repo
	assert_failure
	[ ! -e target/config.yaml ]
}

@test "no temp file is left behind, after success or failure" {
	make_repo
	ip-intake --from "$ROOT/share/integplan/examples/sample-cases.csv" >/dev/null
	run open_mariam
	assert_failure 65
	run ip-intake --given A --family B --birth-date 1990-02-30 --sex male --nationality AF --return-country AF
	assert_failure 65
	[ -z "$(find . -name '.*.tmp*')" ]
}

@test "a closed stdout in a batch is an I/O error; the cases are written all the same" {
	make_repo
	run bash -c 'ip-intake --from "$0" >/dev/full' "$ROOT/share/integplan/examples/sample-cases.csv"
	assert_failure 74
	[ "$(ls cases | wc -l)" = 12 ]
	run ip-check -q
	assert_success
}

@test "case files of a batch are all 0600 and valid" {
	make_repo
	ip-intake --from "$ROOT/share/integplan/examples/sample-cases.csv" >/dev/null
	[ -z "$(find cases -type f ! -perm 600)" ]
}
