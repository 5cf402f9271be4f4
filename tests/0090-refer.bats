#!/usr/bin/env bats
# ip-refer: consent, minimised and sealed packages, encryption, the state
# machine, batches, and the round trip between a centre and its partner.

load helper
bats_require_minimum_version 1.5.0

setup() {
	make_repo
	case_path=$(open_mariam --planned-departure 2027-02-01 --consent counselling \
		--phone "+49 170 0000000")
	ip-assess -q -i --need housing:high --vulnerability single-parent \
		--note "SECRET assessment note" --entrepreneurial yes "$case_path" >/dev/null
	ip-plan new -q -i --template business-startup "$case_path" >/dev/null
	ip-plan set -q -i --measure M5 --note "SECRET measure note" "$case_path" >/dev/null
}

# age keys for the partner and the centre, and a directory naming them.
with_keys() {
	need_tool age age
	age-keygen -o "$BATS_TEST_TMPDIR/partner.key" 2>/dev/null
	age-keygen -o "$BATS_TEST_TMPDIR/centre.key" 2>/dev/null
	age-keygen -o "$BATS_TEST_TMPDIR/other.key" 2>/dev/null
	local pk ck
	pk=$(age-keygen -y "$BATS_TEST_TMPDIR/partner.key")
	ck=$(age-keygen -y "$BATS_TEST_TMPDIR/centre.key")
	sed -e "s/^  - id: AF-KBL-PH\$/&\n    age: $pk/" -e "s/^  - id: BY-MUC\$/&\n    age: $ck/" \
		"$ROOT/share/integplan/partners.yaml" >"$BATS_TEST_TMPDIR/partners.yaml"
}

# The referral sent, opened at the partner and accepted there; the test
# goes on in the partner's repository, with its case in $pcase.
accepted_at_partner() {
	ip-refer send -q --to AF-KBL-PH --no-encrypt "$case_path" >"$BATS_TEST_TMPDIR/pkg.jsonl"
	partner_repo
	cd "$BATS_TEST_TMPDIR/partner" || return 1
	pcase=$(ip-intake --from-referral "$BATS_TEST_TMPDIR/pkg.jsonl")
	ip-refer update -q -i --status accepted "$pcase" >/dev/null
}

# The repository of the partner AF-KBL-PH beside the centre's.
partner_repo() {
	ip-intake -q --init --centre AF-KBL-PH "$BATS_TEST_TMPDIR/partner"
	exchange_keys "$BATS_TEST_TMPDIR/repo" "$BATS_TEST_TMPDIR/partner"
}

@test "send: one package on standard output; the case records the referral and what was shared" {
	run ip-refer send --to AF-KBL-PH "$case_path"
	assert_failure 64
	assert_output "ip-refer: AF-KBL-PH has no age key in the partner directory: nothing sent (add its key, or send plain text with --no-encrypt)"
	! grep -q '^referrals:' "$case_path" || return 1
	run --separate-stderr ip-refer send --to AF-KBL-PH --no-encrypt "$case_path"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[ "$stderr" = "ip-refer: warning: AF-KBL-PH has no age key: the packages leave as plain text, with special categories of personal data (assessments.needs.category, assessments.needs.priority, plan.measures)
ip-refer: 1 sent to AF-KBL-PH, 0 already open, 0 failed" ]
	echo "$output" >"$BATS_TEST_TMPDIR/pkg.jsonl"
	grep -q '"schema":"integplan/referral/1"' "$BATS_TEST_TMPDIR/pkg.jsonl"
	grep -q '"referral":{"id":"BY-MUC-R-NMVPYQR4","from":"BY-MUC","to":"AF-KBL-PH"' \
		"$BATS_TEST_TMPDIR/pkg.jsonl"
	grep -q '"services":\["business-startup"\]' "$BATS_TEST_TMPDIR/pkg.jsonl"
	grep -q '"given":"Mariam"' "$BATS_TEST_TMPDIR/pkg.jsonl"
	grep -q '"digest":"sha256:[0-9a-f]\{64\}"' "$BATS_TEST_TMPDIR/pkg.jsonl"
	# what never leaves
	! grep -q 'SECRET' "$BATS_TEST_TMPDIR/pkg.jsonl" || return 1
	! grep -q 'BY-MUC-2026-NMVPY"' "$BATS_TEST_TMPDIR/pkg.jsonl" || return 1
	! grep -q -e '"history"' -e '"consent"' -e '"notes"' -e 'A. Berger' -e '"owner"' \
		-e '"vulnerabilities"' -e '"residence_status"' "$BATS_TEST_TMPDIR/pkg.jsonl" || return 1
	# only the return side of the plan
	! grep -q 'skills-analysis' "$BATS_TEST_TMPDIR/pkg.jsonl" || return 1
	grep -q '"category":"airport-pickup"' "$BATS_TEST_TMPDIR/pkg.jsonl"
	# the record
	grep -qx 'status: referred' "$case_path"
	grep -qx '  - id: BY-MUC-R-NMVPYQR4' "$case_path"
	grep -qx '    status: pending' "$case_path"
	grep -qx '      - person.contact.phone' "$case_path"
	grep -qx '      - plan.measures' "$case_path"
	grep -qx '    what: referral BY-MUC-R-NMVPYQR4 sent to AF-KBL-PH (15 fields)' "$case_path"
	run ip-check -q "$case_path"
	assert_success
}

@test "send: no consent, withdrawn consent and consent for the country" {
	other=$(ip-intake --given Ahmad --family Rahimi --birth-date 1990-06-30 --sex male \
		--nationality AF --return-country AF --consent counselling)
	before=$(sha256sum "$other")
	run ip-refer send --to AF-KBL-PH --no-encrypt --service job-placement "$other"
	assert_failure 77
	assert_line "ip-refer: $other: consent: no consent to referral to AF-KBL-PH (record it with ip-case consent --give referral:AF-KBL-PH, or for the country: referral:AF); nothing sent"
	[ "$(sha256sum "$other")" = "$before" ]

	sed -i 's/^    recipient: AF-KBL-PH$/&\n    withdrawn: 2026-11-20/' "$case_path"
	before=$(sha256sum "$case_path")
	run ip-refer send --to AF-KBL-PH --no-encrypt "$case_path"
	assert_failure 77
	assert_line "ip-refer: $case_path: consent: consent to referral to AF-KBL-PH was withdrawn on 2026-11-20; nothing sent"
	[ "$(sha256sum "$case_path")" = "$before" ]

	sed -i 's/^    recipient: AF-KBL-PH$/    recipient: AF/; /withdrawn: 2026-11-20/d' "$case_path"
	run ip-refer send -q --to AF-KBL-PH --no-encrypt "$case_path"
	assert_success
	run ip-refer send --to XK-PRN-PH --no-encrypt --service job-placement "$case_path"
	assert_failure 77
	assert_line --partial "no consent to referral to XK-PRN-PH or its country XK (consent covers AF)"
}

@test "send: unknown partner, a service it does not offer, a partner without a profile" {
	run ip-refer send --to AF-KBL-P "$case_path"
	assert_failure 64
	assert_output "ip-refer: --to: unknown partner 'AF-KBL-P'; did you mean 'AF-KBL-PH'?"
	run ip-refer send --to AF-KBL-PH --service housing "$case_path"
	assert_failure 64
	assert_output "ip-refer: --service: AF-KBL-PH does not offer 'housing'"
	run ip-refer send --to BY-MUC "$case_path"
	assert_failure 64
	assert_output --partial "BY-MUC takes no referrals"
	run ip-refer send "$case_path"
	assert_failure 64
	run ip-refer send --to AF-KBL-PH --status done "$case_path"
	assert_failure 64
	assert_output "ip-refer: --status is not an option of ip-refer send"
	run ip-refer sned --to AF-KBL-PH "$case_path"
	assert_failure 64
	assert_output "ip-refer: no subcommand 'sned'; did you mean 'send'?"
	run ip-refer
	assert_failure 64
	assert_output "ip-refer: no subcommand (send, update, respond, receive, sheet, partners or key)"
	grep -qx 'status: planned\|status: assessed\|status: intake' "$case_path"
	! grep -q '^referrals:' "$case_path" || return 1
}

@test "send: again while the referral is open sends nothing and says so" {
	ip-refer send -q --to AF-KBL-PH --no-encrypt "$case_path" >/dev/null
	before=$(sha256sum "$case_path")
	run --separate-stderr ip-refer send --to AF-KBL-PH --no-encrypt "$case_path"
	assert_success
	[ -z "$output" ]
	[[ "$stderr" == *"warning: referral BY-MUC-R-NMVPYQR4 to AF-KBL-PH is still pending; no second one sent"* ]]
	[ "$(sha256sum "$case_path")" = "$before" ]
	# another service is another referral
	run ip-refer send -q --to AF-KBL-PH --service job-placement --no-encrypt "$case_path"
	assert_success
	[ "$(grep -c '^  - id: BY-MUC-R-' "$case_path")" -eq 2 ]
}

@test "send: a batch from find -print0 tries every case and writes a result per case" {
	good2=$(ip-intake --given Arben --family Krasniqi --birth-date 1984-09-03 --sex male \
		--nationality AF --return-country AF --consent referral:AF)
	noconsent=$(ip-intake --given Zeynep --family Yilmaz --birth-date 1979-12-24 \
		--sex female --nationality AF --return-country AF)
	printf 'schema: integplan/case/1\nid: nonsense\n' >cases/broken.yaml
	run --separate-stderr sh -c "find cases -name '*.yaml' -print0 | sort -z |
		ip-refer send --to AF-KBL-PH --service business-startup --no-encrypt --null \
		--files-from=- --out '$BATS_TEST_TMPDIR/out' --results '$BATS_TEST_TMPDIR/results.jsonl'"
	assert_failure 77
	[ -z "$output" ]
	[[ "$stderr" == *"ip-refer: 2 sent to AF-KBL-PH, 0 already open, 2 failed"* ]]
	run cat "$BATS_TEST_TMPDIR/results.jsonl"
	assert_line --index 0 --regexp '^\{"input":"cases/BY-MUC-2026-[A-Z0-9]{5}.yaml","status":"(sent|failed)"'
	[ "$(grep -c '"status":"sent"' "$BATS_TEST_TMPDIR/results.jsonl")" -eq 2 ]
	grep -q "{\"input\":\"$noconsent\",\"status\":\"failed\",\"exit\":77,\"error\":\"no consent to referral to AF-KBL-PH" \
		"$BATS_TEST_TMPDIR/results.jsonl"
	grep -q '{"input":"cases/broken.yaml","status":"failed","exit":65,' "$BATS_TEST_TMPDIR/results.jsonl"
	[ "$(ls "$BATS_TEST_TMPDIR/out" | wc -l)" -eq 2 ]
	[ "$(mode_of "$BATS_TEST_TMPDIR/out")" = 700 ]
	for f in "$BATS_TEST_TMPDIR"/out/*.json; do
		[ "$(mode_of "$f")" = 600 ]
		ref=$(basename "$f" .json)
		grep -q "\"id\": \"$ref\"" "$f"
	done
	grep -q '^  - id: BY-MUC-R-' "$good2"
	! grep -q '^referrals:' "$noconsent" || return 1
}

@test "send: packages for a partner with a key are encrypted; plain text needs --no-encrypt" {
	with_keys
	run --separate-stderr ip-refer send --partners "$BATS_TEST_TMPDIR/partners.yaml" \
		--to AF-KBL-PH "$case_path"
	assert_success
	assert_line --index 0 -- '-----BEGIN AGE ENCRYPTED FILE-----'
	! grep -q Mariam <<<"$output" || return 1
	echo "$output" >"$BATS_TEST_TMPDIR/pkg.age"
	age -d -i "$BATS_TEST_TMPDIR/partner.key" "$BATS_TEST_TMPDIR/pkg.age" | grep -q '"given":"Mariam"'
	! age -d -i "$BATS_TEST_TMPDIR/other.key" "$BATS_TEST_TMPDIR/pkg.age" 2>/dev/null || return 1
	run ip-refer send -q --partners "$BATS_TEST_TMPDIR/partners.yaml" --to AF-KBL-PH \
		--service job-placement --no-encrypt "$case_path"
	assert_success
	assert_output --partial '"given":"Mariam"'
}

@test "a partner opens a stream of several age files one after another (chunks, several runs)" {
	with_keys
	partner_repo
	second=$(ip-intake --given Omar --family Noor --birth-date 1985-03-03 --sex male \
		--nationality AF --return-country AF --consent referral:AF-KBL-PH)
	ip-plan new -q -i --template business-startup "$second" >/dev/null
	ip-refer send -q --partners "$BATS_TEST_TMPDIR/partners.yaml" --to AF-KBL-PH "$case_path" \
		>"$BATS_TEST_TMPDIR/stream.age"
	ip-refer send -q --partners "$BATS_TEST_TMPDIR/partners.yaml" --to AF-KBL-PH "$second" \
		>>"$BATS_TEST_TMPDIR/stream.age"
	[ "$(grep -c 'BEGIN AGE ENCRYPTED FILE' "$BATS_TEST_TMPDIR/stream.age")" -eq 2 ]
	cd "$BATS_TEST_TMPDIR/partner"
	run ip-intake --from-referral "$BATS_TEST_TMPDIR/stream.age" --identity "$BATS_TEST_TMPDIR/partner.key"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
}

@test "a partner opens a case from a package: the referral linked, nothing else of the centre's" {
	with_keys
	partner_repo
	ip-refer send -q --partners "$BATS_TEST_TMPDIR/partners.yaml" --to AF-KBL-PH \
		--out "$BATS_TEST_TMPDIR/out" "$case_path"
	pkg=$(echo "$BATS_TEST_TMPDIR"/out/*.json.age)
	cd "$BATS_TEST_TMPDIR/partner"
	run ip-intake --from-referral "$pkg"
	assert_failure 77
	assert_output "ip-intake: $pkg: a referral package is encrypted: give --identity KEYFILE (the key made with age-keygen)"
	run ip-intake --from-referral "$pkg" --identity "$BATS_TEST_TMPDIR/other.key"
	assert_failure 77
	assert_output --partial "not encrypted for this key"
	[ -z "$(ls cases)" ]
	run ip-intake --from-referral "$pkg" --identity "$BATS_TEST_TMPDIR/partner.key"
	assert_success
	partner_case=$output
	[[ "$partner_case" == cases/AF-KBL-PH-2026-*.yaml ]]
	[ "$(mode_of "$partner_case")" = 600 ]
	grep -qx '    from: BY-MUC' "$partner_case"
	grep -qx '  - id: BY-MUC-R-NMVPYQR4' "$partner_case"
	grep -qx '    what: case opened from referral BY-MUC-R-NMVPYQR4 of BY-MUC' "$partner_case"
	# of the assessment, what this partner may see (its needs and skills),
	# not the vulnerabilities or the notes
	! grep -q -e SECRET -e 'A. Berger' -e 'BY-MUC-2026-' -e single-parent -e vulnerabilities \
		"$partner_case" || return 1
	grep -qx '        priority: high' "$partner_case"
	run ip-check -q "$partner_case"
	assert_success
	# the same package again opens nothing
	run --separate-stderr ip-intake --from-referral "$pkg" --identity "$BATS_TEST_TMPDIR/partner.key"
	assert_success
	[[ "$stderr" == *"warning: referral BY-MUC-R-NMVPYQR4 has a case already: $partner_case"* ]]
	[ "$(ls cases | wc -l)" -eq 1 ]
	# the same package twice in one file, and plain: one case, once
	age -d -i "$BATS_TEST_TMPDIR/partner.key" "$pkg" | tr -d '\n' >"$BATS_TEST_TMPDIR/twice.jsonl"
	printf '\n' >>"$BATS_TEST_TMPDIR/twice.jsonl"
	cat "$BATS_TEST_TMPDIR/twice.jsonl" "$BATS_TEST_TMPDIR/twice.jsonl" >"$BATS_TEST_TMPDIR/both.jsonl"
	rm "$partner_case"
	run --separate-stderr ip-intake --from-referral "$BATS_TEST_TMPDIR/both.jsonl"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[[ "$stderr" == *"referral BY-MUC-R-NMVPYQR4 is in the file twice; one case opened"* ]]
}

@test "a tampered package, a damaged one and one for another partner are refused" {
	partner_repo
	ip-refer send -q --to AF-KBL-PH --no-encrypt "$case_path" >"$BATS_TEST_TMPDIR/pkg.jsonl"
	sed 's/"given":"Mariam"/"given":"Maria"/' "$BATS_TEST_TMPDIR/pkg.jsonl" >"$BATS_TEST_TMPDIR/tampered.jsonl"
	cd "$BATS_TEST_TMPDIR/partner"
	run ip-intake --from-referral "$BATS_TEST_TMPDIR/tampered.jsonl"
	assert_failure 65
	assert_output --regexp "^ip-intake: $BATS_TEST_TMPDIR/tampered.jsonl:1:[0-9]+: digest: the digest does not match the content: a referral package was altered or damaged on the way; ask for it again\$"
	echo '{"a": 1}' >"$BATS_TEST_TMPDIR/other.json"
	run ip-intake --from-referral "$BATS_TEST_TMPDIR/other.json"
	assert_failure 65
	assert_line --partial "missing required field 'schema'"
	refute_output --partial "does not match"
	head -c 200 "$BATS_TEST_TMPDIR/pkg.jsonl" >"$BATS_TEST_TMPDIR/cut.jsonl"
	run ip-intake --from-referral "$BATS_TEST_TMPDIR/cut.jsonl"
	assert_failure 65
	[ -z "$(ls cases)" ]
	cd "$BATS_TEST_TMPDIR"
	ip-intake -q --init --centre XK-PRN-PH other
	exchange_keys "$BATS_TEST_TMPDIR/repo" "$BATS_TEST_TMPDIR/partner" other
	cd other
	run ip-intake --from-referral "$BATS_TEST_TMPDIR/pkg.jsonl"
	assert_failure 65
	assert_output --regexp "referral.to: the package is for AF-KBL-PH; this repository is XK-PRN-PH \(a package for another partner\); nothing opened\$"
	[ -z "$(ls cases)" ]
}

@test "a tampered encrypted package is refused" {
	with_keys
	partner_repo
	ip-refer send -q --partners "$BATS_TEST_TMPDIR/partners.yaml" --to AF-KBL-PH \
		"$case_path" >"$BATS_TEST_TMPDIR/pkg.age"
	# change one character of the armoured body
	awk 'NR == 3 { $0 = (substr($0, 1, 1) == "A" ? "B" : "A") substr($0, 2) } { print }' \
		"$BATS_TEST_TMPDIR/pkg.age" >"$BATS_TEST_TMPDIR/bad.age"
	cd "$BATS_TEST_TMPDIR/partner"
	run ip-intake --from-referral "$BATS_TEST_TMPDIR/bad.age" --identity "$BATS_TEST_TMPDIR/partner.key"
	assert_failure
	[ "$status" -eq 65 ] || [ "$status" -eq 77 ]
	[ -z "$(ls cases)" ]
}

@test "update: each side its own moves; the centre withdraws, also while pending" {
	ip-refer send -q --to AF-KBL-PH --no-encrypt "$case_path" >"$BATS_TEST_TMPDIR/pkg.jsonl"
	cp "$case_path" "$BATS_TEST_TMPDIR/sent.yaml"
	before=$(sha256sum "$case_path")
	run ip-refer update -i --status accepted "$case_path"
	assert_failure 65
	assert_output "ip-refer: $case_path: referrals: referral BY-MUC-R-NMVPYQR4: only the partner moves it to accepted; the referring centre may withdraw it (revoked)"
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-refer update -i --status revoked --reason no-longer-needed "$case_path"
	assert_success
	grep -qx '    status: revoked' "$case_path"
	grep -qx '    what: "referral BY-MUC-R-NMVPYQR4: pending -> revoked"' "$case_path"
	# the partner's case of it
	partner_repo
	cd "$BATS_TEST_TMPDIR/partner"
	pcase=$(ip-intake --from-referral "$BATS_TEST_TMPDIR/pkg.jsonl")
	run ip-refer update -i --status revoked "$pcase"
	assert_failure 65
	assert_output "ip-refer: $pcase: referrals: referral BY-MUC-R-NMVPYQR4: only the referring centre withdraws it (revoked); the partner accepts, rejects or reports done"
}

@test "update: the state machine, with the allowed moves named" {
	ip-refer send -q --to AF-KBL-PH --no-encrypt "$case_path" >"$BATS_TEST_TMPDIR/pkg.jsonl"
	partner_repo
	cd "$BATS_TEST_TMPDIR/partner"
	case_path=$(ip-intake --from-referral "$BATS_TEST_TMPDIR/pkg.jsonl")
	run ip-refer update -i --status done "$case_path"
	assert_failure 65
	assert_output "ip-refer: $case_path: referrals: referral BY-MUC-R-NMVPYQR4 cannot go from pending to done (next from pending: accepted, rejected or revoked)"
	run ip-refer update -i --status accepted "$case_path"
	assert_success
	assert_output "$case_path"
	before=$(sha256sum "$case_path")
	run ip-refer update -i --status accepted "$case_path"
	assert_success
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-refer update -i --status done "$case_path"
	assert_failure 65
	assert_output --partial "done needs its success (successful or not-successful)"
	run ip-refer update -i --status done --success not-successful "$case_path"
	assert_failure 65
	assert_output --partial "not-successful needs a reason"
	run ip-refer update -i --status done --success not-successful --reason client-refused \
		--note "moved to another city" "$case_path"
	assert_success
	grep -qx '    status: done' "$case_path"
	grep -qx '    success: not-successful' "$case_path"
	grep -qx '    reason: client-refused' "$case_path"
	grep -qx '    what: "referral BY-MUC-R-NMVPYQR4: accepted -> done"' "$case_path"
	run ip-refer update -i --status done --success successful --referral BY-MUC-R-NMVPYQR4 "$case_path"
	assert_failure 65
	assert_output --partial "referral BY-MUC-R-NMVPYQR4 is done already (not-successful); a recorded step is not changed"
	before=$(sha256sum "$case_path")
	run ip-refer update -i --status done --referral BY-MUC-R-NMVPYQR4 --note "moved to another city" "$case_path"
	assert_success
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-refer update -i --status revoked --referral BY-MUC-R-NMVPYQR4 "$case_path"
	assert_failure 65
	assert_output --partial "(next from done: none: it is final)"
	run ip-refer update -i --status accepted --referral BY-MUC-R-AAAAAAAA "$case_path"
	assert_failure 65
	assert_output "ip-refer: $case_path: referrals: no referral 'BY-MUC-R-AAAAAAAA' in this case"
	run ip-refer update -i --status maybe "$case_path"
	assert_failure 64
	assert_output --partial "unknown referral-status 'maybe'"
	run ip-refer update --status accepted
	assert_failure 64
}

@test "round trip: centre sends encrypted, partner opens, accepts, responds; the centre receives once" {
	with_keys
	partner_repo
	export IP_RANDOM_SEED=7
	# the centre
	ip-refer send -q --partners "$BATS_TEST_TMPDIR/partners.yaml" --to AF-KBL-PH \
		--out "$BATS_TEST_TMPDIR/outbox" "$case_path"
	pkg=$(echo "$BATS_TEST_TMPDIR"/outbox/*.json.age)
	ref=$(basename "$pkg" .json.age)
	! grep -q Mariam "$pkg" || return 1
	# the partner accepts and says so
	export IP_NOW=2027-02-01T09:00:00Z
	cd "$BATS_TEST_TMPDIR/partner"
	pcase=$(ip-intake --from-referral "$pkg" --identity "$BATS_TEST_TMPDIR/partner.key")
	ip-refer update -q -i --status accepted "$pcase" >/dev/null
	run ip-refer respond --partners "$BATS_TEST_TMPDIR/partners.yaml" \
		--out "$BATS_TEST_TMPDIR/inbox" --note "accepted, we expect her" "$pcase"
	assert_success
	assert_output "$BATS_TEST_TMPDIR/inbox/$ref.response-1.json.age"
	resp1=$output
	grep -qx '    seq: 1' "$pcase"
	grep -qx "    referral: $ref" "$pcase"
	# the centre
	cd "$BATS_TEST_TMPDIR/repo"
	run ip-refer receive --identity "$BATS_TEST_TMPDIR/centre.key" "$resp1"
	assert_success
	assert_line --index 0 "ip-refer: $resp1: took response 1 of AF-KBL-PH to referral $ref: accepted (1 new step); 1 note"
	assert_line --index 1 "$case_path"
	grep -qx '    status: accepted' "$case_path"
	grep -qx '    text: accepted, we expect her' "$case_path"
	# replayed
	before=$(sha256sum "$case_path")
	run ip-refer receive --identity "$BATS_TEST_TMPDIR/centre.key" "$resp1"
	assert_failure 65
	assert_output --partial "response.seq: replayed response: response 1 to referral $ref was received already (the last one received is 1); nothing changed"
	[ "$(sha256sum "$case_path")" = "$before" ]
	# after the return: news without a change of the referral's status
	export IP_NOW=2027-02-10T09:00:00Z
	cd "$BATS_TEST_TMPDIR/partner"
	ip-plan arrival -q -i --date 2027-02-03 "$pcase" >/dev/null
	ip-plan set -q -i --measure M4 --status done --date 2027-02-08 "$pcase" >/dev/null
	run ip-refer respond --partners "$BATS_TEST_TMPDIR/partners.yaml" \
		--out "$BATS_TEST_TMPDIR/inbox" --note "arrived, first meeting done" "$pcase"
	assert_success
	assert_output "$BATS_TEST_TMPDIR/inbox/$ref.response-2.json.age"
	resp2=$output
	[ -e "$resp1" ]
	age -d -i "$BATS_TEST_TMPDIR/centre.key" "$resp2" >"$BATS_TEST_TMPDIR/resp.json"
	grep -q '"seq": 2' "$BATS_TEST_TMPDIR/resp.json"
	grep -q '"arrived": "2027-02-03"' "$BATS_TEST_TMPDIR/resp.json"
	! grep -q -e Mariam -e AF-KBL-PH-2026 -e '"history"' "$BATS_TEST_TMPDIR/resp.json" || return 1
	cd "$BATS_TEST_TMPDIR/repo"
	run ip-refer receive --identity "$BATS_TEST_TMPDIR/centre.key" "$resp2"
	assert_success
	assert_line --index 0 "ip-refer: $resp2: took response 2 of AF-KBL-PH to referral $ref: accepted; arrival 2027-02-03; M4 done; 1 note"
	grep -qx '  arrived: 2027-02-03' "$case_path"
	grep -qx 'status: arrived' "$case_path"
	grep -qx '    text: arrived, first meeting done' "$case_path"
	[ "$(grep -c 'text: accepted, we expect her' "$case_path")" = 1 ]
	awk '/id: M4/ { m = 1 } m && /status:/ { print; exit }' "$case_path" | grep -q done
	awk '/id: M4/ { m = 1 } m && /status_date:/ { print; exit }' "$case_path" | grep -q 2027-02-08
	run ip-check -q "$case_path"
	assert_success
	# the partner closes it; the centre meanwhile revoked: a contradiction
	cd "$BATS_TEST_TMPDIR/partner"
	ip-refer update -q -i --status done --success successful "$pcase" >/dev/null
	resp3=$(ip-refer respond --partners "$BATS_TEST_TMPDIR/partners.yaml" --out "$BATS_TEST_TMPDIR/inbox" "$pcase")
	cd "$BATS_TEST_TMPDIR/repo"
	cp "$case_path" "$BATS_TEST_TMPDIR/kept.yaml"
	ip-refer update -q -i --status revoked --reason other "$case_path" >/dev/null
	before=$(sha256sum "$case_path")
	run ip-refer receive --identity "$BATS_TEST_TMPDIR/centre.key" "$resp3"
	assert_failure 65
	assert_output --partial "the response contradicts referral $ref: step 2 is revoked here, done in the response; nothing changed"
	[ "$(sha256sum "$case_path")" = "$before" ]
	# without the revocation it goes through
	cp "$BATS_TEST_TMPDIR/kept.yaml" "$case_path"
	run ip-refer receive --identity "$BATS_TEST_TMPDIR/centre.key" "$resp3"
	assert_success
	grep -qx '    success: successful' "$case_path"
}

@test "receive: a response lost on the way loses nothing; an older one after a newer one is a replay" {
	accepted_at_partner
	ip-refer respond -q --no-encrypt --note "first" "$pcase" >"$BATS_TEST_TMPDIR/r1.json"
	ip-plan arrival -q -i "$pcase" >/dev/null
	ip-plan set -q -i --measure M4 --status in-progress "$pcase" >/dev/null
	ip-refer respond -q --no-encrypt --note "second" "$pcase" >"$BATS_TEST_TMPDIR/r2.json"
	ip-refer respond -q --no-encrypt "$pcase" >"$BATS_TEST_TMPDIR/r3.json"
	cd "$BATS_TEST_TMPDIR/repo"
	# 1 and 2 never arrive; 3 carries everything
	run ip-refer receive "$BATS_TEST_TMPDIR/r3.json"
	assert_success
	assert_line --index 0 --partial "took response 3 of AF-KBL-PH to referral BY-MUC-R-NMVPYQR4: accepted (1 new step); arrival 2026-11-21; M4 in-progress; 2 notes"
	grep -qx '    text: first' "$case_path"
	grep -qx '    text: second' "$case_path"
	grep -qx '    seq: 3' "$case_path"
	before=$(sha256sum "$case_path")
	run ip-refer receive "$BATS_TEST_TMPDIR/r2.json"
	assert_failure 65
	assert_output --partial "replayed response: response 2 to referral BY-MUC-R-NMVPYQR4 was received already (the last one received is 3); nothing changed"
	[ "$(sha256sum "$case_path")" = "$before" ]
	# the centre's own later news on a measure is not overwritten by older news
	export IP_NOW=2026-11-25T09:00:00Z
	ip-plan set -q -i --measure M4 --status done --date 2026-11-24 "$case_path" >/dev/null
	cd "$BATS_TEST_TMPDIR/partner"
	ip-plan set -q -i --measure M4 --status cancelled --date 2026-11-23 "$pcase" >/dev/null
	ip-refer respond -q --no-encrypt "$pcase" >"$BATS_TEST_TMPDIR/r4.json"
	cd "$BATS_TEST_TMPDIR/repo"
	run ip-refer receive "$BATS_TEST_TMPDIR/r4.json"
	assert_success
	assert_line --index 0 --partial "took response 4 of AF-KBL-PH to referral BY-MUC-R-NMVPYQR4: accepted; nothing new"
	awk '/id: M4/ { m = 1 } m && /status:/ { print; exit }' "$case_path" | grep -q done
}

@test "receive: the partner reports no host-side measure, no follow-up before the return, nothing dated ahead" {
	accepted_at_partner
	cp "$pcase" "$BATS_TEST_TMPDIR/pcase.yaml"
	cd "$BATS_TEST_TMPDIR/repo"
	before=$(sha256sum "$case_path")
	cd "$BATS_TEST_TMPDIR/partner"
	# the partner's case edited by hand: its measure renamed after a host-side one
	sed -i 's/^    - id: M4$/    - id: M1/' "$pcase"
	ip-refer respond -q --no-encrypt "$pcase" >"$BATS_TEST_TMPDIR/host.json"
	# a follow-up done for a person who has not left: the partner's own
	# case is not valid so (the bad-input corpus forges such a response)
	cp "$BATS_TEST_TMPDIR/pcase.yaml" "$pcase"
	sed -i '0,/^    - due: arrival+3m$/s//    - due: arrival+3m\n      done: 2026-11-21/' "$pcase"
	run ip-refer respond -q --no-encrypt "$pcase"
	assert_failure 65
	assert_line --partial "plan.follow_ups[0].done: a follow-up done on 2026-11-21, but no arrival is recorded"
	# a partner whose clock runs ahead: a response and a note from the future
	cp "$BATS_TEST_TMPDIR/pcase.yaml" "$pcase"
	IP_NOW=2027-01-01T00:00:00Z ip-refer respond -q --no-encrypt --note later "$pcase" >"$BATS_TEST_TMPDIR/ahead.json"
	# ... and one dated today that brings the note (its own case could not
	# hold it: signed as the partner would)
	python3 -c 'import json, sys
p = json.load(open(sys.argv[1])); p["response"]["date"] = "2026-11-21"; print(json.dumps(p))' \
		"$BATS_TEST_TMPDIR/ahead.json" >"$BATS_TEST_TMPDIR/note.json"
	"$ROOT/tests/signtool" "$BATS_TEST_TMPDIR/partner/.integplan/signing.key" "$BATS_TEST_TMPDIR/note.json"
	cd "$BATS_TEST_TMPDIR/repo"
	run ip-refer receive "$BATS_TEST_TMPDIR/host.json"
	assert_failure 65
	assert_output --partial "response.measures[0]: measure M1 is a host-side measure: not the partner's to report on"
	run ip-refer receive "$BATS_TEST_TMPDIR/ahead.json"
	assert_failure 65
	assert_output --partial "response.date: a response dated 2027-01-01 is from the future (today is 2026-11-21); nothing changed"
	run ip-refer receive "$BATS_TEST_TMPDIR/note.json"
	assert_failure 65
	assert_output --partial "response.notes[0].at: a note written in the future (2027-01-01T00:00:00Z; today is 2026-11-21)"
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "send and respond take case files, not standard input: they write the case" {
	accepted_at_partner
	run ip-refer respond --no-encrypt - <"$pcase"
	assert_failure 64
	assert_output "ip-refer: standard input cannot be changed in place: ip-refer respond records what it does in the case file itself; give the file"
}

@test "send and respond that cannot write their output record nothing; a retry sends" {
	with_keys
	accepted_at_partner
	cd "$BATS_TEST_TMPDIR/repo"
	ip-refer update -q -i --status revoked --reason other "$case_path" >/dev/null
	before=$(sha256sum "$case_path")
	# a partner key that looks right but whose checksum is wrong: nothing
	# can be encrypted to it (encryption needs no age process, so a missing
	# age tool is no failure here)
	pk=$(awk '/^    age: /{print $2; exit}' "$BATS_TEST_TMPDIR/partners.yaml")
	bad=${pk:0:20}$([ "${pk:20:1}" = q ] && echo p || echo q)${pk:21}
	sed "s/$pk/$bad/" "$BATS_TEST_TMPDIR/partners.yaml" >"$BATS_TEST_TMPDIR/bad-key.yaml"
	run env IP_AGE=/nonexistent/age ip-refer send --partners "$BATS_TEST_TMPDIR/bad-key.yaml" \
		--to AF-KBL-PH "$case_path"
	assert_failure 73
	assert_output --partial "cannot encrypt to $bad: not a valid age recipient"
	[ "$(sha256sum "$case_path")" = "$before" ]
	# standard output full
	run bash -c 'ip-refer send --no-encrypt --to AF-KBL-PH "$0" >/dev/full' "$case_path"
	assert_failure 74
	assert_output --partial "cannot write to standard output"
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-refer send -q --no-encrypt --to AF-KBL-PH "$case_path"
	assert_success
	assert_output --partial '"schema":"integplan/referral/1"'
	# the partner's response, the same
	cd "$BATS_TEST_TMPDIR/partner"
	before=$(sha256sum "$pcase")
	run bash -c 'ip-refer respond --no-encrypt "$0" >/dev/full' "$pcase"
	assert_failure 74
	[ "$(sha256sum "$pcase")" = "$before" ]
	! grep -q 'seq:' "$pcase" || return 1
}

@test "receive: an unknown referral, a response for another centre, a move backwards" {
	accepted_at_partner
	ip-refer respond -q --no-encrypt "$pcase" >"$BATS_TEST_TMPDIR/resp.json"
	cd "$BATS_TEST_TMPDIR/repo"
	sed 's/BY-MUC-R-NMVPYQR4/BY-MUC-R-ZZZZZZZZ/' "$BATS_TEST_TMPDIR/resp.json" >"$BATS_TEST_TMPDIR/unknown.json"
	run ip-refer receive "$BATS_TEST_TMPDIR/unknown.json"
	assert_failure 65
	assert_output --partial "the digest does not match"
	run ip-refer receive -C "$BATS_TEST_TMPDIR/partner" "$BATS_TEST_TMPDIR/resp.json"
	assert_failure 65
	assert_output --partial "response.to: the response is for centre BY-MUC; this repository is AF-KBL-PH"
	run ip-refer receive --results "$BATS_TEST_TMPDIR/results.jsonl" "$BATS_TEST_TMPDIR/resp.json"
	assert_success
	grep -q '"status":"received","referral":"BY-MUC-R-NMVPYQR4"' "$BATS_TEST_TMPDIR/results.jsonl"
	# a referral the centre withdrew cannot be moved back by a later response
	ip-refer update -q -i --status revoked --reason no-longer-needed "$case_path" >/dev/null
	run ip-refer receive "$BATS_TEST_TMPDIR/resp.json"
	assert_failure 65
}

@test "receive: an arrival in the future or before the departure is refused, nothing changed" {
	ip-plan departure -q -i --date 2026-11-20 "$case_path" >/dev/null
	accepted_at_partner
	ip-plan arrival -q -i --date 2026-11-19 "$pcase" >/dev/null
	ip-refer respond -q --no-encrypt "$pcase" >"$BATS_TEST_TMPDIR/early.json"
	# an arrival no case can hold, in a response signed as the partner would
	python3 -c 'import json, sys
p = json.load(open(sys.argv[1])); p["response"]["arrived"] = "2099-01-01"; print(json.dumps(p))' \
		"$BATS_TEST_TMPDIR/early.json" >"$BATS_TEST_TMPDIR/late.json"
	"$ROOT/tests/signtool" "$BATS_TEST_TMPDIR/partner/.integplan/signing.key" "$BATS_TEST_TMPDIR/late.json"
	cd "$BATS_TEST_TMPDIR/repo"
	before=$(sha256sum "$case_path")
	run ip-refer receive "$BATS_TEST_TMPDIR/early.json"
	assert_failure 65
	# where in the response: the signed package is one line of JSON
	assert_output "ip-refer: $BATS_TEST_TMPDIR/early.json:1:223: response.arrived: an arrival on 2026-11-19 is before the departure on 2026-11-20; nothing changed"
	run ip-refer receive "$BATS_TEST_TMPDIR/late.json"
	assert_failure 65
	assert_output --partial "response.arrived: an arrival on 2099-01-01 is in the future (today is 2026-11-21); nothing changed"
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "respond: a centre without an age key gets nothing unless --no-encrypt" {
	accepted_at_partner
	run ip-refer respond --out outbox "$pcase"
	assert_failure 64
	assert_output "ip-refer: $pcase: BY-MUC has no age key in the partner directory: nothing sent (add its key, or send plain text with --no-encrypt)"
	[ -z "$(ls outbox)" ]
	run ip-refer respond --no-encrypt --out outbox "$pcase"
	assert_success
	assert_output "outbox/BY-MUC-R-NMVPYQR4.response-1.json"
}

@test "respond: a referral id that would leave --out is refused, nothing written" {
	accepted_at_partner
	sed -i 's|^  - id: BY-MUC-R-NMVPYQR4$|  - id: ../../escaped|' "$pcase"
	run ip-refer respond --no-encrypt --out outbox "$pcase"
	assert_failure 65
	assert_output --partial "referral '../../escaped' from 'BY-MUC' does not have a valid referral and centre id; nothing sent"
	[ ! -e "$BATS_TEST_TMPDIR/escaped.response-1.json" ]
	[ -z "$(ls outbox)" ]
}

@test "receive: unsigned, forged and unknown-signer responses are refused, nothing changed" {
	accepted_at_partner
	ip-refer respond -q --no-encrypt "$pcase" >"$BATS_TEST_TMPDIR/resp.json"
	grep -q '"signature":{"by":"AF-KBL-PH","key":"ed25519:' "$BATS_TEST_TMPDIR/resp.json"
	# a made-up answer from another machine that claims to be AF-KBL-PH
	ip-intake -q --init --centre AF-KBL-PH "$BATS_TEST_TMPDIR/mallory"
	cp "$pcase" "$BATS_TEST_TMPDIR/mallory/cases/"
	ip-refer -C "$BATS_TEST_TMPDIR/mallory" respond -q --no-encrypt --note "rejected, send no more" \
		"$BATS_TEST_TMPDIR/mallory/$pcase" >"$BATS_TEST_TMPDIR/forged.json"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); del d["signature"]; print(json.dumps(d))' \
		"$BATS_TEST_TMPDIR/resp.json" >"$BATS_TEST_TMPDIR/unsigned.json"
	cd "$BATS_TEST_TMPDIR/repo"
	before=$(sha256sum "$case_path")
	run ip-refer receive "$BATS_TEST_TMPDIR/forged.json"
	assert_failure 65
	assert_output --partial "signature: the signature does not match: a referral response was altered, or not signed by AF-KBL-PH's key in the partner directory; nothing taken"
	run ip-refer receive "$BATS_TEST_TMPDIR/unsigned.json"
	assert_failure 65
	assert_output --partial "signature: a referral response is not signed: nothing from it is taken"
	run ip-refer receive --partners "$ROOT/share/integplan/partners.yaml" "$BATS_TEST_TMPDIR/resp.json"
	assert_failure 77
	assert_output --partial "the partner directory has no signing key for AF-KBL-PH, so a referral response cannot be trusted; nothing taken"
	[ "$(sha256sum "$case_path")" = "$before" ]
	run ip-refer receive "$BATS_TEST_TMPDIR/resp.json"
	assert_success
}

@test "a partner opens no unsigned package, nor one from a centre whose key it lacks" {
	ip-refer send -q --to AF-KBL-PH --no-encrypt "$case_path" >"$BATS_TEST_TMPDIR/pkg.jsonl"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); del d["signature"]; print(json.dumps(d))' \
		"$BATS_TEST_TMPDIR/pkg.jsonl" >"$BATS_TEST_TMPDIR/unsigned.json"
	ip-intake -q --init --centre AF-KBL-PH "$BATS_TEST_TMPDIR/partner"
	cd "$BATS_TEST_TMPDIR/partner"
	run ip-intake --from-referral "$BATS_TEST_TMPDIR/pkg.jsonl"
	assert_failure 77
	assert_output --partial "signature: the partner directory has no signing key for BY-MUC, so a referral package cannot be trusted; nothing taken"
	exchange_keys "$BATS_TEST_TMPDIR/repo" "$BATS_TEST_TMPDIR/partner"
	run ip-intake --from-referral "$BATS_TEST_TMPDIR/unsigned.json"
	assert_failure 65
	assert_output --partial "signature: a referral package is not signed: nothing from it is taken"
	[ -z "$(ls cases)" ]
	run ip-intake --from-referral "$BATS_TEST_TMPDIR/pkg.jsonl"
	assert_success
}

@test "key: the centre's public signing key; the secret stays private and out of git" {
	run ip-refer key
	assert_success
	assert_output --regexp '^ed25519:[A-Za-z0-9+/]{43}=$'
	key=$output
	[ "$(stat -c %a .integplan/signing.key)" = 600 ]
	grep -qx '.integplan/signing.key' .gitignore
	run ip-refer key
	assert_output "$key"
	rm .integplan/signing.key
	run ip-refer key
	assert_success
	[ "$output" != "$key" ]
	run ip-refer -C "$BATS_TEST_TMPDIR" key
	assert_failure 66
}

@test "the partner directory: listed, a site's own from the config, and refused when unsafe" {
	run ip-refer partners
	assert_success
	assert_line --regexp '^AF-KBL-PH +AF ngo +- +Beratungszentrum Kabul \(sample\)$'
	sed 's/^      - assessments.skills$/      - notes/' "$ROOT/share/integplan/partners.yaml" >own.yaml
	printf 'partners: own.yaml\n' >>.integplan/config.yaml
	run ip-refer partners
	assert_failure 65
	assert_output --regexp "own.yaml:[0-9]+:[0-9]+: partners\[0\].profile\[12\]: 'notes' cannot be in a profile: notes never leave the centre"
	sed -i 's/^      - notes$/      - assessments.note/; s/^      - person.family$/      - person.famly/' own.yaml
	run ip-refer partners
	assert_failure 65
	assert_output --partial "'assessments.note' cannot be in a profile: notes never leave the centre"
	assert_output --partial "'person.famly' is not a field of a case"
	assert_output --partial "missing 'person.family': a partner opens its case from these fields"
	run ip-refer partners --partners "$ROOT/share/integplan/partners.yaml" -f json
	assert_success
	assert_output --partial '"schema": "integplan/partners/1"'
}

@test "a partner's survey comes back as its answers; the centre scores it by its own definition" {
	ip-case consent -q -i --give follow-up:AF-KBL-PH "$case_path" >/dev/null
	accepted_at_partner
	ip-plan arrival -q -i "$pcase" >/dev/null
	ip-case consent -q -i --give follow-up:AF-KBL-PH "$pcase" >/dev/null
	ip-plan follow-up -q -i --by "N. Karimi" --survey rss \
		--answers "$ROOT/tests/answers/mid.yaml" "$pcase" >/dev/null
	ip-refer respond -q --no-encrypt "$pcase" >"$BATS_TEST_TMPDIR/resp.json"
	# the answers travel, the partner's scores do not
	grep -q '"answer": *"irregular"' "$BATS_TEST_TMPDIR/resp.json"
	! grep -q -e composite -e '"scores"' "$BATS_TEST_TMPDIR/resp.json" || return 1
	cp "$BATS_TEST_TMPDIR/resp.json" "$BATS_TEST_TMPDIR/forged.json"
	cd "$BATS_TEST_TMPDIR/repo"
	cp "$case_path" "$BATS_TEST_TMPDIR/before.yaml"
	run ip-refer receive "$BATS_TEST_TMPDIR/resp.json"
	assert_success
	assert_line --index 0 --partial "1 follow-up done (1 survey scored here)"
	run ip-check -q --print -f json "$case_path"
	[ "$(jq -c '.plan.follow_ups[0].survey | [.id, .by, .composite]' <<<"$output")" = '["rss","N. Karimi",0.52]' ]
	# a centre that weighs the economic dimension double scores by its own:
	# (2 * 0.35 + 0.6 + 0.6) / 4 = 0.475, 0.48
	cp "$BATS_TEST_TMPDIR/before.yaml" "$case_path"
	cp -R "$ROOT/share/integplan" site
	sed -i 's/^  - {id: economic, title: {en: economic, de: wirtschaftlich}, weight: 1}$/  - {id: economic, title: {en: economic, de: wirtschaftlich}, weight: 2}/' site/surveys/rss.yaml
	IP_SHARE=site ip-refer receive -q "$BATS_TEST_TMPDIR/resp.json" >/dev/null
	run ip-check -q --print -f json "$case_path"
	[ "$(jq -c '.plan.follow_ups[0].survey.composite' <<<"$output")" = 0.48 ]
}

@test "receive: a partner's survey without consent, of a survey or answer unknown here, is refused" {
	accepted_at_partner
	ip-plan arrival -q -i "$pcase" >/dev/null
	ip-case consent -q -i --give follow-up:AF-KBL-PH "$pcase" >/dev/null
	ip-plan follow-up -q -i --survey rss --answers "$ROOT/tests/answers/mid.yaml" \
		"$pcase" >/dev/null
	ip-refer respond -q --no-encrypt "$pcase" >"$BATS_TEST_TMPDIR/resp.json"
	# the person consented to follow-up at the partner, not at the centre
	cd "$BATS_TEST_TMPDIR/repo"
	before=$(sha256sum "$case_path")
	run ip-refer receive "$BATS_TEST_TMPDIR/resp.json"
	assert_failure 65
	assert_output --partial "response.follow_ups[0].survey: a survey of 2026-11-21 without consent to follow-up on that day: not taken"
	[ "$(sha256sum "$case_path")" = "$before" ]
	# consent to follow-up by another partner is not consent to this one's
	ip-case consent -q -i --give follow-up:IQ-BGD-IOM "$case_path" >/dev/null
	run ip-refer receive "$BATS_TEST_TMPDIR/resp.json"
	assert_failure 65
	assert_output --partial "not taken (no consent to follow-up to AF-KBL-PH or its country AF (consent covers IQ-BGD-IOM))"
	ip-case consent -q -i --give follow-up:AF-KBL-PH "$case_path" >/dev/null
	before=$(sha256sum "$case_path")
	# forged as the partner would sign them: a survey this centre lacks, an answer it does not know
	python3 -c 'import json, sys
p = json.load(open(sys.argv[1])); s = p["response"]["follow_ups"][0]["survey"]
s["id"] = sys.argv[2]
if sys.argv[2] == "rss": s["answers"][4]["answer"] = "sometimes"
print(json.dumps(p))' "$BATS_TEST_TMPDIR/resp.json" ../rss >"$BATS_TEST_TMPDIR/unknown.json"
	python3 -c 'import json, sys
p = json.load(open(sys.argv[1])); s = p["response"]["follow_ups"][0]["survey"]
s["answers"][4]["answer"] = "sometimes"
print(json.dumps(p))' "$BATS_TEST_TMPDIR/resp.json" >"$BATS_TEST_TMPDIR/answer.json"
	for f in unknown answer; do
		"$ROOT/tests/signtool" "$BATS_TEST_TMPDIR/partner/.integplan/signing.key" "$BATS_TEST_TMPDIR/$f.json"
	done
	run ip-refer receive "$BATS_TEST_TMPDIR/unknown.json"
	assert_failure 65
	assert_output --partial "response.follow_ups[0].survey: survey '../rss' is not one of this centre's"
	run ip-refer receive "$BATS_TEST_TMPDIR/answer.json"
	assert_failure 65
	assert_output --partial "employment: unknown answer 'sometimes' (one of: regular, irregular, none)"
	[ "$(sha256sum "$case_path")" = "$before" ]
}
