#!/usr/bin/env bats
# I/O faults and exhausted memory: tests/faultshim.so (LD_PRELOAD) makes
# the Nth open, write, fsync, rename or malloc fail, swept over N for each
# writing command. After every run: the exit status is 0 or the documented
# one (74 I/O, 73 cannot create, 70 out of memory) with a message; every
# file of the repository is its old or its new version, never a mix; a
# run that says 0 did all its work; no temp file is left; every case is
# valid.

load helper
bats_require_minimum_version 1.5.0

SHIM="$ROOT/tests/faultshim.so"
CASE=cases/BY-MUC-2026-NMVPY.yaml

setup_file() {
	[ -f "$ROOT/.build-flags" ] && [ "$(cat "$ROOT/.build-flags")" = 1 ] && return 0
	cd "$BATS_FILE_TMPDIR" || return 1
	ip-intake -q --init --centre BY-MUC --state DE-BY s0
	cd s0
	open_mariam --planned-departure 2027-02-01 >/dev/null
	cd ..
	cp -a s0 s1 && (cd s1 && ip-assess -q -i --need housing:high --vulnerability single-parent \
		--entrepreneurial yes "$CASE" >/dev/null)
	cp -a s1 s2 && (cd s2 && ip-plan new -q -i --template business-startup "$CASE" >/dev/null)
	cp -a s2 s3 && (cd s3 && ip-refer send -q --to AF-KBL-PH --no-encrypt "$CASE" >../pkg.jsonl)
	ip-intake -q --init --centre AF-KBL-PH partner
	exchange_keys s3 partner
	(cd partner && pcase=$(ip-intake --from-referral ../pkg.jsonl) &&
		ip-refer update -q -i --status accepted "$pcase" >/dev/null &&
		ip-refer respond -q --no-encrypt "$pcase" >../resp.json)
}

setup() {
	[ -f "$ROOT/.build-flags" ] && [ "$(cat "$ROOT/.build-flags")" = 1 ] &&
		skip "the shim cannot interpose under AddressSanitizer (make check runs it)"
	[ -f "$SHIM" ] || skip "tests/faultshim.so is not built"
	cd "$BATS_FILE_TMPDIR" || return 1
}

# Every file but the caches is its version in old or in new.
same_as_old_or_new() {
	local work=$1 old=$2 new=$3 f
	for f in $( { (cd "$old" && find . -type f); (cd "$new" && find . -type f);
		(cd "$work" && find . -type f); } | grep -v '^\./\.integplan/cache/' | sort -u); do
		if [ -e "$work/$f" ]; then
			cmp -s "$work/$f" "$old/$f" || cmp -s "$work/$f" "$new/$f" || {
				echo "$f is neither the old nor the new version"; return 1; }
		else
			[ ! -e "$old/$f" ] || [ ! -e "$new/$f" ] || { echo "$f is gone"; return 1; }
		fi
	done
}

# Every file but the caches is its new version.
same_as_new() {
	local work=$1 new=$2
	diff -r -x cache "$work" "$new" >/dev/null || { echo "exit 0 but not all done"; return 1; }
}

# The calls to fail: 1..20, then 20 more spread to the last.
points() {
	local count=$1 i
	for ((i = 1; i <= count && i <= 20; i++)); do echo "$i"; done
	if ((count > 20)); then
		for ((i = 1; i <= 20; i++)); do echo $((20 + (count - 20) * i / 20)); done
	fi
}

# sweep STATE COMMAND...: run COMMAND in a copy of STATE with each fault.
sweep() {
	local state=$1
	shift
	rm -rf new counts && cp -a "$state" new
	(cd new && LD_PRELOAD="$SHIM" IP_FAULT_COUNT="$BATS_FILE_TMPDIR/counts" "$@" \
		>/dev/null 2>&1) || { echo "the command fails without faults"; return 1; }
	local kind count n spec rc runs=0
	while read -r kind count; do
		for spec in $(case $kind in
			open) echo EIO ;; write) echo ENOSPC+ EINTR ;; fsync) echo EIO ;;
			rename) echo EIO ;; malloc) echo ENOMEM+ ;; esac); do
			local err=${spec%+} onward=${spec#"${spec%+}"}
			for n in $(points "$count"); do
				rm -rf work && cp -a "$state" work
				rc=0
				(cd work && LD_PRELOAD="$SHIM" IP_FAULT="$kind:$n$onward:$err" "$@" \
					>/dev/null 2>../stderr) || rc=$?
				runs=$((runs + 1))
				local what="$kind:$n$onward:$err (of $count) exit $rc: $(head -c 300 stderr)"
				case $rc in
				0) same_as_new work new || { echo "$what"; return 1; } ;;
				70) [ "$kind" = malloc ] && grep -q 'out of memory' stderr ||
					{ echo "$what"; return 1; } ;;
				73 | 74) [ "$kind" != malloc ] || { echo "$what"; return 1; } ;;
				*) echo "undocumented exit: $what"; return 1 ;;
				esac
				if [ "$rc" != 0 ]; then
					grep -qE "^ip-[a-z]+: " stderr || { echo "no message: $what"; return 1; }
				fi
				[ "$err" != EINTR ] || [ "$rc" = 0 ] || { echo "EINTR not retried: $what"; return 1; }
				same_as_old_or_new work "$state" new || { echo "$what"; return 1; }
				[ -z "$(find work -name '.*.tmp*')" ] || { echo "temp file left: $what"; return 1; }
				(cd work && ip-check -q) || { echo "invalid case after $what"; return 1; }
			done
		done
	done <"$BATS_FILE_TMPDIR/counts"
	echo "$runs runs" >&3
}

@test "faults: ip-intake opening a case" {
	run sweep s0 ip-intake --given Amina --family Haidari --birth-date 1988-03-01 \
		--sex female --nationality AF --return-country AF
	assert_success
}

@test "faults: ip-assess -i" {
	run sweep s0 ip-assess -i --need housing:high --vulnerability single-parent "$CASE"
	assert_success
}

@test "faults: ip-plan new -i" {
	run sweep s1 ip-plan new -i --template business-startup "$CASE"
	assert_success
}

@test "faults: ip-refer send --out" {
	run sweep s2 ip-refer send --to AF-KBL-PH --no-encrypt --out outbox "$CASE"
	assert_success
}

@test "faults: ip-refer update -i" {
	run sweep s3 ip-refer update -i --status revoked --reason other "$CASE"
	assert_success
}

@test "faults: ip-refer receive" {
	run sweep s3 ip-refer receive ../resp.json
	assert_success
}

@test "faults: ip-report writing its cache" {
	run sweep s2 ip-report summary --by status
	assert_success
}
