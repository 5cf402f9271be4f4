#!/usr/bin/env bats
# ip-case transfer and ip-intake --from-transfer: a case moves from one
# counselling centre in Germany to another, whole, signed and encrypted;
# the source closes as transferred, the receiving centre opens it once,
# history and all; each refusal on either side.

load helper
bats_require_minimum_version 1.5.0

CGN="$BATS_TEST_TMPDIR/cgn"

# Munich with Mariam's case, assessed and planned, consent to the transfer
# given; Cologne beside it; one partner directory with both centres'
# signing keys and Cologne's age key.
setup() {
	make_repo
	open_mariam --consent transfer:NW-CGN >/dev/null
	ip-assess -q -i --need housing:high --entrepreneurial yes "$CASE" >/dev/null
	ip-plan new -q -i --template business-startup "$CASE" >/dev/null
	ip-intake -q --init --centre NW-CGN --state DE-NW "$CGN"
	exchange_keys "$BATS_TEST_TMPDIR/repo" "$CGN"
	DIRECTORY="$BATS_TEST_TMPDIR/signed-partners.yaml"
	if command -v age >/dev/null; then
		age-keygen -o "$BATS_TEST_TMPDIR/cgn.key" 2>/dev/null
		sed -i "s|^  - id: NW-CGN\$|&\n    age: $(age-keygen -y "$BATS_TEST_TMPDIR/cgn.key")|" \
			"$DIRECTORY"
	fi
}

@test "transfer: the whole case leaves encrypted, Munich closes it as transferred, Cologne opens it once with its history" {
	need_tool age age
	run ip-case transfer --to NW-CGN --out "$BATS_TEST_TMPDIR/outbox" "$CASE"
	assert_success
	assert_output "ip-case: 1 transferred to NW-CGN (encrypted), 0 failed"
	pkg="$BATS_TEST_TMPDIR/outbox/BY-MUC-2026-NMVPY.transfer.json.age"
	[ "$(mode_of "$pkg")" = 600 ]
	! grep -q Mariam "$pkg" || return 1
	grep -qx 'status: closed' "$CASE"
	grep -qx 'outcome: transferred' "$CASE"
	grep -qx 'closed: 2026-11-21' "$CASE"
	new=$(sed -n 's/^  - case: \(NW-CGN-2026-.*\)$/\1/p' "$CASE")
	[ -n "$new" ]
	run ip-case log "$CASE"
	assert_line --regexp "  ip-case transfer  transferred to NW-CGN as $new\$"
	# a second run sends nothing and changes nothing
	before=$(sha256sum "$CASE")
	run ip-case transfer --to NW-CGN --out "$BATS_TEST_TMPDIR/outbox" "$CASE"
	assert_success
	assert_line "ip-case: $CASE: status: warning: transferred to NW-CGN already (as $new, on 2026-11-21): nothing sent; reopen it to send it again"
	[ "$(sha256sum "$CASE")" = "$before" ]
	# Cologne, a day later
	export IP_NOW=2026-11-22T10:00:00Z IP_ACTOR=koeln
	cd "$CGN"
	run --separate-stderr ip-intake --from-transfer "$pkg" --identity "$BATS_TEST_TMPDIR/cgn.key"
	assert_success
	assert_output "cases/$new.yaml"
	[ "$stderr" = "ip-intake: $pkg: BY-MUC-2026-NMVPY of BY-MUC opened as $new; its counsellor here is set with ip-case set --counsellor" ]
	got="cases/$new.yaml"
	grep -qx 'status: assessed' "$got"
	grep -qx 'opened: 2026-11-22' "$got"
	grep -qx '  id: NW-CGN' "$got"
	grep -qx '  state: DE-NW' "$got"
	grep -qx '  given: Mariam' "$got"
	grep -qx '  - case: BY-MUC-2026-NMVPY' "$got"
	grep -q 'category: housing' "$got"
	grep -q 'template: business-startup' "$got"
	! grep -q 'A. Berger' <(sed -n '/^counsellors:/,/^[a-z]/p' "$got") || return 1
	run ip-case log "$got"
	assert_line --index 0 "2026-11-21T09:14:03Z  tester  ip-intake  case opened"
	assert_line --regexp "^2026-11-22T10:00:00Z  koeln  ip-intake  case opened from the transfer of BY-MUC-2026-NMVPY by BY-MUC\$"
	ip-check -q "$got"
	# the same package again opens nothing
	before=$(sha256sum "$got")
	run ip-intake --from-transfer "$pkg" --identity "$BATS_TEST_TMPDIR/cgn.key"
	assert_success
	assert_output "ip-intake: $pkg: warning: the transfer of BY-MUC-2026-NMVPY was opened already: cases/$new.yaml"
	[ "$(ls cases | wc -l)" -eq 1 ]
	[ "$(sha256sum "$got")" = "$before" ]
	# the KPI of Munich counts the case closed as transferred
	cd "$BATS_TEST_TMPDIR/repo"
	ip-report kpi -q --protection none -f json | grep -q '"outcome:transferred": 1'
}

@test "transfer: standard output gets JSON Lines; plain text only with --no-encrypt and a warning" {
	sed -i '/^    age: /d' "$DIRECTORY"
	before=$(sha256sum "$CASE")
	run ip-case transfer --to NW-CGN "$CASE"
	assert_failure 64
	assert_output "ip-case: --to: NW-CGN has no age key in the partner directory: nothing sent (add its key, or send plain text with --no-encrypt)"
	[ "$(sha256sum "$CASE")" = "$before" ]
	run --separate-stderr ip-case transfer --to NW-CGN --no-encrypt "$CASE"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[ "$stderr" = "ip-case: --to: warning: NW-CGN has no age key: each case leaves as plain text, whole, with its special categories of personal data
ip-case: 1 transferred to NW-CGN, 0 failed" ]
	echo "$output" | python3 -c 'import json, sys
p = json.loads(sys.stdin.read())
assert p["schema"] == "integplan/transfer/1", p
assert p["transfer"]["from"] == "BY-MUC" and p["transfer"]["to"] == "NW-CGN"
assert p["case"]["person"]["given"] == "Mariam" and p["case"]["status"] == "assessed", p["case"]["status"]
assert p["signature"]["by"] == "BY-MUC" and p["digest"]'
}

@test "transfer refuses: no consent (77), an open referral, a closed case, a partner abroad, itself, an unknown centre; nothing written" {
	ip-case consent -q -i --withdraw transfer:NW-CGN "$CASE" >/dev/null
	before=$(sha256sum "$CASE")
	run ip-case transfer --to NW-CGN --no-encrypt "$CASE"
	assert_failure 77
	assert_line "ip-case: $CASE: consent: consent to transfer to NW-CGN was withdrawn on 2026-11-21; nothing sent"
	[ "$(sha256sum "$CASE")" = "$before" ]
	run ip-case consent --give transfer:AF-KBL-PH "$CASE"
	assert_failure 64
	assert_output "ip-case: --give: transfer needs a counselling centre of the partner directory as its recipient (transfer:CENTRE), or DE for any of them"
	ip-case consent -q -i --give transfer:DE "$CASE" >/dev/null
	ip-refer send -q --to AF-KBL-PH --service business-startup --no-encrypt "$CASE" >/dev/null
	run ip-case transfer --to NW-CGN --no-encrypt "$CASE"
	assert_failure 65
	assert_line --regexp "^ip-case: $CASE: referrals\[0\]: referral BY-MUC-R-[0-9A-Z]{8} to AF-KBL-PH is open and cannot move with the case \(its partner answers this centre\): withdraw it \(ip-refer update --status revoked\) or wait for its end; nothing sent\$"
	ip-refer update -q -i --status revoked "$CASE" >/dev/null
	ip-case close -q -i --outcome withdrawn "$CASE" >/dev/null
	run ip-case transfer --to NW-CGN --no-encrypt "$CASE"
	assert_failure 65
	assert_line "ip-case: $CASE: status: closed already (withdrawn, on 2026-11-21): reopen it first to transfer it"
	run ip-case transfer --to AF-KBL-PH "$CASE"
	assert_failure 64
	assert_output "ip-case: --to: AF-KBL-PH is a partner abroad (ngo), not a counselling centre: a case moves only to another centre in Germany"
	run ip-case transfer --to BY-MUC "$CASE"
	assert_failure 64
	assert_output "ip-case: --to: BY-MUC is this repository's own centre"
	run ip-case transfer --to NW-CGX "$CASE"
	assert_failure 64
	assert_output --partial "NW-CGN"
	run ip-case transfer "$CASE"
	assert_failure 64
	assert_output --partial "--to"
	run ip-case transfer --to NW-CGN --date 2030-01-01 --no-encrypt "$BATS_TEST_TMPDIR/none.yaml"
	assert_failure 66
}

@test "from-transfer refuses: a package for another centre, an altered, a forged and an unsigned one; nothing opened" {
	ip-case transfer -q --to NW-CGN --no-encrypt "$CASE" >"$BATS_TEST_TMPDIR/pkg.jsonl"
	pkg="$BATS_TEST_TMPDIR/pkg.jsonl"
	cd "$CGN"
	# for another centre: Munich cannot open its own transfer
	run ip-intake -C "$BATS_TEST_TMPDIR/repo" --from-transfer "$pkg"
	assert_failure 65
	assert_line --regexp "^ip-intake: $pkg:1:[0-9]+: transfer.to: the case is transferred to NW-CGN; this repository is BY-MUC; nothing opened\$"
	# altered on the way
	sed 's/"given":"Mariam"/"given":"Maryam"/' "$pkg" >altered.jsonl
	run ip-intake --from-transfer altered.jsonl
	assert_failure 65
	assert_output --partial "digest: the digest does not match the content: a transfer package was altered or damaged on the way"
	# resealed by someone without Munich's key
	python3 - "$pkg" >forged.jsonl <<'EOF'
import hashlib, json, sys
p = json.loads(open(sys.argv[1]).read())
p["case"]["person"]["given"] = "Maryam"
del p["digest"]
sig = p.pop("signature")
p["digest"] = "sha256:" + hashlib.sha256(json.dumps(p, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
p["signature"] = sig
print(json.dumps(p))
EOF
	run ip-intake --from-transfer forged.jsonl
	assert_failure 65
	assert_output --partial "signature: the signature does not match"
	python3 -c 'import json, sys
p = json.loads(open(sys.argv[1]).read()); del p["signature"]; print(json.dumps(p))' "$pkg" >unsigned.jsonl
	run ip-intake --from-transfer unsigned.jsonl
	assert_failure 65
	assert_output --partial "signature: a transfer package is not signed"
	[ "$(ls cases | wc -l)" -eq 0 ]
}

@test "from-transfer refuses a partner abroad as sender, a case of another centre, a closed case, a taken id" {
	# packages signed correctly by their sender, so that what is wrong
	# inside them is what gets refused
	ip-intake -q --init --centre AF-KBL-PH "$BATS_TEST_TMPDIR/kbl"
	exchange_keys "$BATS_TEST_TMPDIR/repo" "$CGN" "$BATS_TEST_TMPDIR/kbl"
	ip-case transfer -q --to NW-CGN --no-encrypt "$CASE" >"$BATS_TEST_TMPDIR/pkg.jsonl"
	cd "$CGN"
	# FILE SIGNER-REPO: a package changed by python, sealed and signed anew
	resign() {
		"$ROOT/tests/signtool" "$2/.integplan/signing.key" "$1"
	}
	python3 -c 'import json, sys
p = json.loads(open(sys.argv[1]).read())
p["transfer"]["from"] = "AF-KBL-PH"; print(json.dumps(p))' \
		"$BATS_TEST_TMPDIR/pkg.jsonl" >abroad.json
	resign abroad.json "$BATS_TEST_TMPDIR/kbl"
	run ip-intake --from-transfer abroad.json
	assert_failure 65
	assert_output --partial "transfer.from: AF-KBL-PH is not a counselling centre of the partner directory: only a centre transfers its cases; nothing opened"
	assert_output --partial "case.centre.id: the case is not one of AF-KBL-PH, which sent it; nothing opened"
	python3 -c 'import json, sys
p = json.loads(open(sys.argv[1]).read())
p["case"]["status"] = "closed"; p["case"]["outcome"] = "completed"; p["case"]["closed"] = "2026-11-21"
print(json.dumps(p))' "$BATS_TEST_TMPDIR/pkg.jsonl" >closed.json
	resign closed.json "$BATS_TEST_TMPDIR/repo"
	run ip-intake --from-transfer closed.json
	assert_failure 65
	assert_output --partial "case.status: a closed case is not transferred; nothing opened"
	# the id the sender chose is taken here by another case
	id=$(python3 -c 'import json, sys; print(json.loads(open(sys.argv[1]).read())["transfer"]["id"])' \
		"$BATS_TEST_TMPDIR/pkg.jsonl")
	sed "s/BY-MUC-2026-NMVPY/$id/; s/^  id: BY-MUC/  id: NW-CGN/; s/^links:.*//" "$BATS_TEST_TMPDIR/repo/$CASE" |
		grep -v 'relation: transferred\|^  - case: NW-CGN' >"cases/$id.yaml"
	run ip-intake --from-transfer "$BATS_TEST_TMPDIR/pkg.jsonl"
	assert_failure 65
	assert_output "ip-intake: $BATS_TEST_TMPDIR/pkg.jsonl: case id $id is taken in this repository: ask BY-MUC to reopen the case and transfer it again (it gets another id); nothing opened"
}
