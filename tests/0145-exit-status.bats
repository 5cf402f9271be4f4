#!/usr/bin/env bats
# Every exit status a man page lists under EXIT STATUS happens, for a case
# the page names: a table of scenarios, one or more per command and code,
# each run in a fresh copy of a fixture. The first test fails when a page
# lists a code no scenario shows, or a scenario shows a code its page does
# not list; the second runs them all.

load helper
bats_require_minimum_version 1.5.0

# command code<TAB>shell, run in the repository "repo" of the fixture,
# where $CASE is a planned case with a pending referral to Kabul.
scenarios() {
	cat <<'EOF'
ip-case 0	ip-case show "$CASE" >/dev/null
ip-case 1	ip-case find --name nobody
ip-case 64	ip-case find
ip-case 65	ip-case reopen -q -i --reason mistake "$CASE"
ip-case 66	ip-case show ../missing.yaml
ip-case 73	read_only_cases ip-case close -q -i --outcome completed "$CASE"
ip-case 74	ip-case show "$CASE" >/dev/full
ip-case 75	flock "$CASE" sleep 3 & sleep 0.3; IP_LOCK_TIMEOUT=0 ip-case close -q -i --outcome completed "$CASE"
ip-case 77	ip-case transfer -q --to NW-CGN --no-encrypt "$CASE"
ip-check 0	ip-check -q
ip-check 1	ip-check -q ../invalid.yaml
ip-check 64	ip-check --bogus
ip-check 65	ip-check -q ../unparseable.json
ip-check 66	ip-check -q ../missing.yaml
ip-check 73	rm -rf .integplan/cache; ln -s .. .integplan/cache; ip-check -q --duplicates
ip-check 74	ip-check -q --print "$CASE" >/dev/full
ip-intake 0	ip-intake -q --given Ana --family Neu --birth-date 1990-01-01 --sex female --nationality SY --return-country SY
ip-intake 64	ip-intake --bogus
ip-intake 65	ip-intake -q --given '' --family Neu --birth-date 1990-01-01 --sex female --nationality SY --return-country SY
ip-intake 65	ip-intake -q --given Mariam --family Ahmadi --birth-date 1991-04-12 --sex female --nationality AF --return-country AF
ip-intake 66	ip-intake -q --from ../missing.csv
ip-intake 66	ip-intake -q --from-referral ../package.age --identity ../missing.key
ip-intake 73	ip-intake -q --init --centre BY-MUC /dev/null/repo
ip-intake 74	ip-intake --given Ana --family Neu --birth-date 1990-01-01 --sex female --nationality SY --return-country SY >/dev/full
ip-intake 75	mkdir -p .integplan/cache; : >.integplan/cache/persons.lock; flock .integplan/cache/persons.lock sleep 3 & sleep 0.3; IP_LOCK_TIMEOUT=0 ip-intake -q --given Ana --family Neu --birth-date 1990-01-01 --sex female --nationality SY --return-country SY
ip-intake 77	ip-intake -q --from-referral ../package.age
ip-assess 0	ip-assess -q -i --need income:low "$CASE"
ip-assess 64	ip-assess --bogus
ip-assess 65	ip-assess -q -i --need income:low ../invalid.yaml
ip-assess 65	ln -s "$(basename "$CASE")" cases/link.yaml; ip-assess -q -i --need income:low cases/link.yaml
ip-assess 66	ip-assess -q -i --need income:low ../missing.yaml
ip-assess 73	read_only_cases ip-assess -q -i --need income:low "$CASE"
ip-assess 74	ip-assess -q --need income:low "$CASE" >/dev/full
ip-assess 75	flock "$CASE" sleep 3 & sleep 0.3; IP_LOCK_TIMEOUT=0 ip-assess -q -i --need income:low "$CASE"
ip-plan 0	ip-plan templates >/dev/null
ip-plan 1	ip-plan check -q "$CASE"
ip-plan 64	ip-plan set -i "$CASE"
ip-plan 65	ip-plan set -q -i --measure M99 --status done "$CASE"
ip-plan 66	ip-plan check -q ../missing.yaml
ip-plan 73	ip-plan render -q -f html --out-dir /dev/null "$CASE"
ip-plan 73	mkdir ../out && ln -s out ../linked && ip-plan render -q -f html --out-dir ../linked "$CASE"
ip-plan 74	ip-plan render -q -f html "$CASE" >/dev/full
ip-plan 75	flock "$CASE" sleep 3 & sleep 0.3; IP_LOCK_TIMEOUT=0 ip-plan set -q -i --measure M1 --status done "$CASE"
ip-plan 77	printf 'employment: none\n' >../answers.yaml && ip-plan follow-up -q -i --survey rss --answers ../answers.yaml "$CASE"
ip-refer 0	ip-refer partners >/dev/null
ip-refer 64	ip-refer send --to XX-NON-PH "$CASE"
ip-refer 65	ip-refer receive -q ../unparseable.json
ip-refer 66	ip-refer receive -q ../missing.json
ip-refer 73	ip-refer send -q --to AF-KBL-PH --no-encrypt --out /dev/null "$CASE"
ip-refer 73	mkdir ../outbox && ln -s ../outbox ../linked && ip-refer send -q --to AF-KBL-PH --no-encrypt --out ../linked "$CASE"
ip-refer 74	ip-refer partners >/dev/full
ip-refer 75	flock "$CASE" sleep 3 & sleep 0.3; IP_LOCK_TIMEOUT=0 ip-refer send -q --to AF-KBL-PH --no-encrypt "$CASE"
ip-refer 77	ip-refer send -q --to GM-BJL-PH --no-encrypt "$CASE"
ip-merge 0	ip-merge -p "$CASE" "$CASE" "$CASE" >/dev/null
ip-merge 1	ip-merge -p ../base.yaml ../ours.yaml ../theirs.yaml >/dev/null
ip-merge 64	ip-merge "$CASE"
ip-merge 65	ip-merge -p "$CASE" ../empty.yaml "$CASE"
ip-merge 66	ip-merge -p "$CASE" ../missing.yaml "$CASE"
ip-merge 73	read_only_cases ip-merge "$CASE" "$CASE" "$CASE"
ip-merge 74	ip-merge -p "$CASE" "$CASE" "$CASE" >/dev/full
ip-report 0	ip-report summary -q -f csv >/dev/null
ip-report 1	ip-report summary -q --where country=AG -f csv
ip-report 64	ip-report summary --by nothing
ip-report 65	ip-report summary -q -f csv ../invalid.yaml
ip-report 66	ip-report export -q --pseudonymise --key-file ../missing.key
ip-report 73	mkdir ../elsewhere && rm -rf .integplan/cache && ln -s ../../elsewhere .integplan/cache && ip-report summary -q -f csv
ip-report 74	ip-report summary -q -f csv >/dev/full
EOF
}

setup_file() {
	local BATS_TEST_TMPDIR="$BATS_FILE_TMPDIR/made"
	mkdir -p "$BATS_TEST_TMPDIR"
	planned_case
	mkdir "$BATS_FILE_TMPDIR/fixture"
	mv "$BATS_TEST_TMPDIR/repo" "$BATS_FILE_TMPDIR/fixture/repo"
	cd "$BATS_FILE_TMPDIR/fixture/repo" || return 1
	sed 's/^status: .*/status: flying/' "$CASE" >../invalid.yaml
	printf '{"a": 1}@\n' >../unparseable.json
	: >../empty.yaml
	# two sides that change the same measure differently
	cp "$CASE" ../base.yaml
	ip-plan set -q --measure M1 --owner "C. Neu" ../base.yaml >../ours.yaml
	ip-plan set -q --measure M1 --owner "B. Weber" ../base.yaml >../theirs.yaml
	# a package encrypted to a key the repository does not have
	age-keygen -o ../other.key 2>/dev/null
	ip-intake -q --init --centre AF-KBL-PH ../partner
	ip-refer send -q --to AF-KBL-PH --no-encrypt "$CASE" |
		age -a -r "$(age-keygen -y ../other.key)" >../package.age
	chmod 600 ../*.yaml ../*.json
}

# The command, as an unprivileged user when we are root (who ignores
# directory modes), with cases/ read-only: nothing can be created there.
read_only_cases() {
	chmod 500 cases
	if [ "$(id -u)" = 0 ]; then
		chown -R 65534:65534 "$work"
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			env PATH="$work/tree/bin:$PATH" "$@"
	else
		"$@"
	fi
}

# The codes a man page lists under EXIT STATUS.
listed_codes() {
	awk '/^\.Sh EXIT STATUS/ { on = 1; next } /^\.Sh/ { on = 0 }
		on && /^\.It [0-9]+$/ { print $2 }' "$ROOT/man/$1.1" | sort -n | tr '\n' ' '
}

@test "every code a man page lists has a scenario, and every scenario's code is listed" {
	local page cmd want have bad=0
	for page in "$ROOT"/man/ip-*.1; do
		cmd=$(basename "$page" .1)
		want=$(listed_codes "$cmd")
		have=$(scenarios | awk -v c="$cmd" -F'\t' '{ split($1, w, " ") } w[1] == c { print w[2] }' |
			sort -nu | tr '\n' ' ')
		if [ "$want" != "$have" ]; then
			echo "$cmd: the page lists [$want], the scenarios show [$have]"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}

@test "each scenario exits with its code" {
	local what cmd code script rc bad=0 work
	# a copy of the commands and their data that an unprivileged user can
	# run, wherever the checkout is (read_only_cases)
	while IFS=$'\t' read -r what script; do
		cmd=${what% *}
		code=${what#* }
		work=$(mktemp -d /tmp/ip-exit.XXXXXX)
		chmod 755 "$work"
		cp -a "$BATS_FILE_TMPDIR/fixture/." "$work/"
		mkdir "$work/tree" && cp -R "$ROOT/bin" "$ROOT/share" "$work/tree/" &&
			chmod -R a+rX "$work/tree"
		cd "$work/repo"
		rc=0
		(eval "$script") >"$BATS_TEST_TMPDIR/out" 2>&1 || rc=$?
		wait
		cd "$BATS_TEST_TMPDIR"
		chmod -R u+w "$work" && rm -rf "$work"
		if [ "$rc" != "$code" ]; then
			echo "$cmd: '$script' exited $rc, not $code:"
			sed 's/^/    /' "$BATS_TEST_TMPDIR/out"
			bad=1
		fi
	done < <(scenarios)
	[ "$bad" -eq 0 ]
}
