#!/usr/bin/env bats
# Man pages, completions (ip-check, ip-intake), the git hook, make install.

load helper

@test "every man page is mandoc -Tlint clean" {
	need_tool mandoc mandoc
	run mandoc -Tlint -Wwarning "$ROOT"/man/*.[1-8]
	assert_success
	assert_output ""
}

@test "examples render as they are typed: a directory operand '.' is not punctuation" {
	# mandoc takes a lone trailing "." for a full stop and joins it to the
	# word before; a command needs it escaped (\&.)
	mandoc -Tascii "$ROOT/man/ip-merge.1" | grep -q 'ip-intake --init --git \.$'
	run grep -n '^\.Dl .* \.$' "$ROOT"/man/*.[1-7]
	assert_failure
}

@test "shellcheck is clean on every shell script (make lint)" {
	need_tool shellcheck shellcheck
	run make -s -C "$ROOT" lint
	assert_success
}

@test "every exit code of the enum is in integplan(7)" {
	for code in $(sed -n 's/.*= \([0-9][0-9]*\),.*/\1/p' "$ROOT/lib/ip_exit.h"); do
		grep -qx ".It $code" "$ROOT/man/integplan.7"
	done
}

complete_bash() { # WORDS...: what bash completes for the last word
	# shellcheck disable=SC1091
	source "$ROOT/completions/integplan.bash"
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	case $1 in
	ip-assess) _ip_assess ;;
	ip-check) _ip_check ;;
	ip-intake) _ip_intake ;;
	ip-merge) _ip_merge ;;
	ip-plan) _ip_plan ;;
	ip-refer) _ip_refer ;;
	ip-report) _ip_report ;;
	esac
	printf '%s\n' "${COMPREPLY[@]}"
}

@test "bash completes options, formats and vocabulary values" {
	run complete_bash ip-check --pr
	assert_output "$(printf -- '--print\n--progress')"
	run complete_bash ip-check -f j
	assert_line json
	assert_line jsonl
	run complete_bash ip-intake --sex ''
	assert_output "$(printf 'female\nmale\ndiverse\nunknown')"
	run complete_bash ip-intake --consent re
	assert_line referral
	assert_line reporting
	run complete_bash ip-intake --list vul
	assert_output vulnerability
	run complete_bash ip-intake --allow
	assert_output --allow-duplicate
	run complete_bash ip-assess --vulnerability unacc
	assert_output unaccompanied-minor
	run complete_bash ip-assess --side ''
	assert_output "$(printf 'host\nreturn')"
}

@test "bash completes ip-refer: subcommands, partner ids, referral states" {
	run complete_bash ip-refer re
	assert_output "$(printf 'respond\nreceive')"
	run complete_bash ip-refer send --to AF-K
	assert_output AF-KBL-PH
	run complete_bash ip-refer update --status ''
	assert_output "$(printf 'pending\naccepted\nrejected\ndone\nrevoked')"
	run complete_bash ip-refer send --no-
	assert_output "$(printf -- '--no-encrypt\n--no-progress')"
	run complete_bash ip-refer receive --id
	assert_output --identity
}

@test "bash completes ip-merge options and ip-intake --git" {
	run complete_bash ip-merge --st
	assert_output --stdout
	run complete_bash ip-merge -f ''
	assert_line json
	run complete_bash ip-intake --gi
	assert_output "$(printf -- '--git\n--given')"
}

@test "bash offers a subcommand's own options, after options and their arguments" {
	run complete_bash ip-plan -C . add --cat
	assert_output --category
	run complete_bash ip-plan set --
	assert_line --measure
	refute_line --template
	run complete_bash ip-plan --list
	refute_line --category
	run complete_bash ip-plan ''
	assert_line follow-up
	run complete_bash ip-plan add --addresses hous
	assert_output housing
	run complete_bash ip-plan add --programme REAG
	assert_output REAG-GARP-2
	run complete_bash ip-report summary --by dep
	assert_line departure-year
	run complete_bash ip-check --json-schema referral-r
	assert_output referral-response
}

@test "fish completes a subcommand's own options and vocabulary values" {
	need_tool fish fish
	run fish -c "source '$ROOT/completions/ip-plan.fish'; complete -C 'ip-plan add --ca'"
	assert_output --partial --category
	run fish -c "source '$ROOT/completions/ip-plan.fish'; complete -C 'ip-plan set --ca'"
	refute_output --partial --category
	run fish -c "source '$ROOT/completions/ip-refer.fish'; complete -C 'ip-refer update --status '"
	assert_line --partial pending
	assert_line --partial revoked
}

@test "every option and subcommand of every command is in bash, zsh, fish and its man page" {
	missing=
	for bin in "$ROOT"/bin/ip-*; do
		cmd=${bin##*/}
		fn=_${cmd//-/_}
		bash_fn=$(sed -n "/^$fn() {/,/^}/p" "$ROOT/completions/integplan.bash")
		zsh_part=$(sed -n "/^$cmd)/,/^	;;/p" "$ROOT/completions/_integplan")
		[ -n "$bash_fn" ] && [ -n "$zsh_part" ] || missing="$missing $cmd"
		while IFS=$(printf '\t') read -r kind name short _; do
			case $kind in
			sub)
				grep -q "'$name:" <<<"$zsh_part" || missing="$missing $cmd:$name(zsh)"
				grep -q -- "-a $name " "$ROOT/completions/$cmd.fish" || missing="$missing $cmd:$name(fish)"
				grep -qw -- "$name" <<<"$bash_fn" || missing="$missing $cmd:$name(bash)"
				grep -q "Cm $name" "$ROOT/man/$cmd.1" || missing="$missing $cmd:$name(man)"
				;;
			opt)
				grep -q -- "--$name\b" <<<"$bash_fn" || missing="$missing $cmd:--$name(bash)"
				grep -q -- "--$name[=[]" <<<"$zsh_part" || missing="$missing $cmd:--$name(zsh)"
				grep -q -- "-l $name " "$ROOT/completions/$cmd.fish" || missing="$missing $cmd:--$name(fish)"
				case $name in help | usage | version) continue ;; esac
				grep -qE -- "(Fl |, )-$name( |$)" "$ROOT/man/$cmd.1" ||
					missing="$missing $cmd:--$name(man)"
				if [ "$short" != - ]; then
					grep -qE "Fl $short( |$)" "$ROOT/man/$cmd.1" || missing="$missing $cmd:-$short(man)"
				fi
				;;
			esac
		done < <("$bin" --completion-helper)
	done
	[ -z "$missing" ] || { echo "missing:$missing"; false; }
}

@test "--completion-helper: vocabularies, programmes, report fields; anything else is a usage error" {
	run ip-intake --completion-helper=vocabularies
	assert_success
	assert_line measure
	run ip-plan --completion-helper=programmes
	assert_line REAG-GARP-2
	run ip-report --completion-helper=report-fields
	assert_line counsellor
	run ip-check --completion-helper=nonsense
	assert_failure 64
	assert_output --partial "'nonsense' is not spec"
}

@test "the layers of lib/ hold: nothing includes upward, no include cycle" {
	run sh "$ROOT/tools/layers.sh"
	assert_success
	assert_output ""
	# and the check can fail: an upward include and a cycle in a copy
	cd "$BATS_TEST_TMPDIR"
	mkdir -p lt/lib lt/tools
	cp "$ROOT/tools/layers.sh" lt/tools/
	printf '/* a\n *\n * Layer: base. */\n#include "ip_b.h"\n' >lt/lib/ip_a.h
	printf '/* b\n *\n * Layer: domain. */\n#include "ip_c.h"\n' >lt/lib/ip_b.h
	printf '/* c\n *\n * Layer: domain. */\n#include "ip_b.h"\n' >lt/lib/ip_c.h
	printf '#include "ip_d.h"\n' >lt/lib/ip_c.c
	run sh lt/tools/layers.sh
	assert_failure 1
	assert_line "lib/ip_a.h: includes ip_b.h upward (ip_a is base, ip_b is domain)"
	assert_line "include cycle:"
	assert_line "lib/ip_c.c: includes ip_d.h, which has no layer"
}

@test "bash completes case files for ip-check" {
	cd "$BATS_TEST_TMPDIR"
	touch a.yaml b.json c.txt
	run complete_bash ip-check ''
	assert_line a.yaml
	assert_line b.json
	refute_line c.txt
}

@test "the zsh completion parses" {
	need_tool zsh zsh
	zsh -n "$ROOT/completions/_integplan"
}

@test "the fish completions parse" {
	need_tool fish fish
	for f in "$ROOT"/completions/*.fish; do
		fish -n "$f"
	done
}

@test "every command has a completion in each shell and a man page" {
	cmds=$(sed -n 's/^CMDS *= *//p' "$ROOT/Makefile")
	[ -n "$cmds" ]
	for cmd in $cmds; do
		grep -q "complete -F _${cmd//-/_} $cmd" "$ROOT/completions/integplan.bash"
		grep -q "^#compdef.* $cmd" "$ROOT/completions/_integplan"
		[ -f "$ROOT/man/$cmd.1" ]
		[ -f "$ROOT/completions/$cmd.fish" ]
	done
}

@test "the pre-commit hook refuses an invalid staged case and lets a valid one pass" {
	need_tool git git
	make_repo
	git init -q .
	git config user.email t@example.org
	git config user.name tester
	cp "$ROOT/share/integplan/git/pre-commit" .git/hooks/pre-commit
	path=$(open_mariam)
	git add "$path"
	git commit -qm ok
	sed -i 's/^status: intake$/status: intak/' "$path"
	git add "$path"
	run git commit -qm broken
	assert_failure
	assert_output --partial "status: unknown case-status 'intak'; did you mean 'intake'?"
	assert_output --partial "pre-commit: fix the case files above"
}

@test "make install into a DESTDIR gives working commands; uninstall removes them" {
	dest="$BATS_TEST_TMPDIR/dest"
	make -s -C "$ROOT" install DESTDIR="$dest" PREFIX=/usr >/dev/null
	[ -x "$dest/usr/bin/ip-check" ]
	[ -f "$dest/usr/share/man/man5/ip-case.5" ]
	[ -f "$dest/usr/share/integplan/vocabularies.yaml" ]
	[ -f "$dest/usr/share/bash-completion/completions/ip-intake" ]
	[ -f "$dest/usr/share/zsh/site-functions/_integplan" ]
	[ -f "$dest/usr/share/fish/vendor_completions.d/ip-check.fish" ]
	[ -f "$dest/usr/share/locale/de/LC_MESSAGES/integplan.mo" ]
	# The installed command finds its data beside its own bin/.
	cd "$BATS_TEST_TMPDIR"
	"$dest/usr/bin/ip-intake" -q --init --centre BY-MUC repo
	run "$dest/usr/bin/ip-intake" -C repo --list sex
	assert_line --partial female
	# ... and its German messages beside it too (<prefix>/share/locale)
	run env LANGUAGE=de "$dest/usr/bin/ip-check" nothere.yaml
	assert_failure 66
	assert_line --partial "kann nicht öffnen"
	make -s -C "$ROOT" uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null
	[ -z "$(find "$dest" -type f)" ]
}
