#!/usr/bin/env bats
# Follow-up surveys: definitions as data, answers recorded at follow-ups
# with the scores the library works out, consent, refusals with positions.

load helper
bats_require_minimum_version 1.5.0

setup() {
	make_repo
	# consent to follow-up since the case was opened, before any survey
	case_path=$(IP_NOW=2026-04-01T09:00:00Z open_mariam --consent follow-up:AF-KBL-PH)
	ip-plan new -q -i --template business-startup "$case_path" >/dev/null
	ip-plan arrival -q -i --date 2026-05-04 "$case_path" >/dev/null
}

# Answers at 3 months: some work, debts, unsure whether to stay.
answers_3m() {
	cat >3m.yaml <<'EOF'
economic-satisfaction: dissatisfied
food-security: sometimes
borrowing: with-difficulty
debt: more
employment: irregular
housing: adequate
schooling: some
documents: all
health-care: limited
justice: limited
belonging: somewhat
support-network: one
safety: safe
distress: sometimes
remigration: undecided
EOF
}

# ... and at 12 months: regular work, no debts, settled.
answers_12m() {
	cat >12m.json <<'EOF'
{"economic-satisfaction": "satisfied", "food-security": "never", "borrowing": "yes",
 "debt": "no-debt", "employment": "regular", "housing": "good", "schooling": "all",
 "documents": "all", "health-care": "yes", "justice": "limited", "belonging": "strongly",
 "support-network": "several", "safety": "safe", "distress": "never", "remigration": "no"}
EOF
}

@test "follow-up --survey: answers at 3 and 12 months, scored as worked out by hand" {
	answers_3m
	run ip-plan follow-up -i --date 2026-08-04 --by "K. Rahimi" --survey rss \
		--answers 3m.yaml "$case_path"
	assert_success
	# economic (0.25 + 0.5 + 0.5 + 0 + 0.5) / 5 = 0.35
	# social (0.5 + 0.5 + 1 + 0.5 + 0.5) / 5 = 0.6
	# psychosocial (0.5 + 0.5 + 1 + 0.5 + 0.5) / 5 = 0.6
	# composite (0.35 + 0.6 + 0.6) / 3 = 0.51666... = 0.52
	run ip-check -q --print -f json "$case_path"
	assert_success
	first=$(jq -c '.plan.follow_ups[0].survey | {scores, composite, flags}' <<<"$output")
	[ "$first" = '{"scores":[{"dimension":"economic","score":0.35},{"dimension":"social","score":0.6},{"dimension":"psychosocial","score":0.6}],"composite":0.52,"flags":null}' ]
	[ "$(jq -r '.plan.follow_ups[0] | .done + " " + .by + " " + .survey.date' <<<"$output")" = "2026-08-04 K. Rahimi 2026-08-04" ]
	[ "$(jq -r '.history[-1].what' <<<"$output")" = "follow-up 1 (due arrival+3m) done; survey rss, composite 0.52" ]
	# 6 months: a follow-up without a survey
	ip-plan follow-up -q -i --date 2026-11-04 "$case_path" >/dev/null
	answers_12m
	IP_NOW=2027-05-10T10:00:00Z run ip-plan follow-up -i --date 2027-05-04 --survey rss \
		--answers 12m.json "$case_path"
	assert_success
	# economic (0.75 + 1 + 1 + 1 + 1) / 5 = 0.95; social (1 + 1 + 1 + 1 + 0.5) / 5 = 0.9
	# psychosocial 5 / 5 = 1; composite (0.95 + 0.9 + 1) / 3 = 0.95
	IP_NOW=2027-05-10T10:00:00Z run ip-check -q --print -f json "$case_path"
	[ "$(jq -c '.plan.follow_ups[2].survey | [.scores[].score, .composite]' <<<"$output")" = '[0.95,0.9,1,0.95]' ]
	[ "$(jq -c '.plan.follow_ups[1] | has("survey")' <<<"$output")" = false ]
	# the YAML holds the answers in the survey's order, two decimals
	grep -q '^            score: 0.35$' "$case_path"
	grep -q '^        composite: 0.52$' "$case_path"
}

@test "follow-up --survey: a wish to re-migrate and a low composite flag the case" {
	cat >low.yaml <<'EOF'
remigration: "yes"
employment: none
food-security: often
housing: poor
documents: some
support-network: nobody
distress: often
EOF
	run ip-plan follow-up -i --date 2026-08-04 --survey rss --answers low.yaml "$case_path"
	assert_success
	# economic 0, social (0 + 0.5) / 2 = 0.25, psychosocial 0; composite 0.08
	run ip-check -q --print -f json "$case_path"
	[ "$(jq -c '.plan.follow_ups[0].survey | [.composite, .flags]' <<<"$output")" = '[0.08,["remigration","low-composite"]]' ]
}

@test "follow-up --baseline: the short survey before return, kept once; a second run changes nothing" {
	printf 'employment: none\nfood-security: sometimes\nhousing: adequate\ndocuments: some\nsupport-network: one\nremigration: "no"\n' >base.yaml
	run ip-plan follow-up -i --baseline --date 2026-04-20 --survey rss-baseline \
		--answers base.yaml "$case_path"
	assert_success
	# economic (0 + 0.5) / 2 = 0.25, social 0.5, psychosocial (0.5 + 1) / 2 = 0.75
	run ip-check -q --print -f json "$case_path"
	[ "$(jq -c '.baseline | [.id, .date, .composite]' <<<"$output")" = '["rss-baseline","2026-04-20",0.5]' ]
	[ "$(jq -c '[.plan.follow_ups[] | has("done")] | any' <<<"$output")" = false ]
	before=$(sha256sum "$case_path")
	run ip-plan follow-up -i --baseline --date 2026-04-20 --survey rss-baseline \
		--answers base.yaml "$case_path"
	assert_success
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "follow-up --survey: without consent to follow-up nothing is recorded (77)" {
	other=$(ip-intake --given Ali --family Karimi --birth-date 1985-02-02 --sex male \
		--nationality AF --return-country AF)
	ip-plan new -q -i --template business-startup "$other" >/dev/null
	ip-plan arrival -q -i --date 2026-05-04 "$other" >/dev/null
	answers_3m
	before=$(sha256sum "$other")
	run ip-plan follow-up -i --date 2026-08-04 --survey rss --answers 3m.yaml "$other"
	assert_failure 77
	assert_output "ip-plan: $other: consent: no consent to follow-up: a survey is not recorded without it (ip-case consent --give follow-up:PARTNER)"
	[ "$(sha256sum "$other")" = "$before" ]
}

@test "follow-up --survey: bad answers are refused with every problem's position (65)" {
	printf 'employment: sometimes\nhousng: good\ndistress: [often]\n' >bad.yaml
	before=$(sha256sum "$case_path")
	run ip-plan follow-up -i --survey rss --answers bad.yaml "$case_path"
	assert_failure 65
	assert_line "ip-plan: bad.yaml:1:13: employment: unknown answer 'sometimes' (one of: regular, irregular, none)"
	assert_line "ip-plan: bad.yaml:2:9: housng: unknown question 'housng'; did you mean 'housing'?"
	assert_line "ip-plan: bad.yaml:3:11: distress: expected the id of an answer"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(sha256sum "$case_path")" = "$before" ]
	printf -- '- employment\n' >list.yaml
	run ip-plan follow-up -i --survey rss --answers list.yaml "$case_path"
	assert_failure 65
	assert_output "ip-plan: list.yaml:1:1: expected the answers: a mapping of question ids to answer ids"
}

@test "follow-up --survey: the answers as a one-case CSV row, as a spreadsheet saves them" {
	# German Excel: ';' and CRLF; an empty cell is a question not asked
	printf 'economic-satisfaction;food-security;borrowing;debt;employment;housing;schooling;documents;health-care;justice;belonging;support-network;safety;distress;remigration\r\n' >3m.csv
	printf 'dissatisfied;sometimes;with-difficulty;more;irregular;adequate;;all;limited;limited;somewhat;one;safe;sometimes;undecided\r\n' >>3m.csv
	run ip-plan follow-up -i --date 2026-08-04 --survey rss --answers 3m.csv "$case_path"
	assert_success
	run ip-check -q --print -f json "$case_path"
	# as the YAML answers at 3 months, without schooling: social (0.5 + 1 + 0.5 + 0.5) / 4
	[ "$(jq -c '.plan.follow_ups[0].survey | [.scores[].score, .composite]' <<<"$output")" = '[0.35,0.63,0.6,0.53]' ]
	[ "$(jq -r '[.plan.follow_ups[0].survey.answers[].question] | length' <<<"$output")" = 14 ]
}

@test "follow-up --survey: a bad CSV row is refused at its line (65)" {
	before=$(sha256sum "$case_path")
	printf 'employment,housing\nsometimes,good\n' >bad.csv
	run ip-plan follow-up -i --survey rss --answers bad.csv "$case_path"
	assert_failure 65
	assert_output "ip-plan: bad.csv:2: employment: unknown answer 'sometimes' (one of: regular, irregular, none)"
	printf 'employment,housing\nregular,good\nnone,poor\n' >two.csv
	run ip-plan follow-up -i --survey rss --answers two.csv "$case_path"
	assert_failure 65
	assert_output "ip-plan: two.csv:3: the answers of one survey are one row; this is a second"
	printf 'employment,housing\nregular,good,x\n' >wide.csv
	run ip-plan follow-up -i --survey rss --answers wide.csv "$case_path"
	assert_failure 65
	assert_output "ip-plan: wide.csv:2: 3 answers for 2 questions in the header"
	printf 'employment,employment\nregular,none\n' >twice.csv
	run ip-plan follow-up -i --survey rss --answers twice.csv "$case_path"
	assert_failure 65
	assert_output "ip-plan: twice.csv:1: employment: the question is in the header twice"
	printf 'employment\n' >header.csv
	run ip-plan follow-up -i --survey rss --answers header.csv "$case_path"
	assert_failure 65
	assert_output --partial "ip-plan: header.csv:2: expected a header of question ids and one row of answers"
	run ip-plan follow-up -i --survey rss --answers missing.csv "$case_path"
	assert_failure 66
	[ "$(sha256sum "$case_path")" = "$before" ]
}

@test "follow-up --survey: an unknown survey, or --survey without --answers, is a usage error (64)" {
	answers_3m
	run ip-plan follow-up -i --survey rs --answers 3m.yaml "$case_path"
	assert_failure 64
	assert_output "ip-plan: no survey 'rs'; did you mean 'rss'?"
	run ip-plan follow-up -i --survey ../rss --answers 3m.yaml "$case_path"
	assert_failure 64
	run ip-plan follow-up -i --survey rss "$case_path"
	assert_failure 64
	assert_output "ip-plan: ip-plan follow-up: --survey and --answers go together, and --baseline needs them"
	run ip-plan follow-up -i --baseline "$case_path"
	assert_failure 64
}

@test "survey definitions: a site's own is checked on load, problems at their positions (65)" {
	cp -R "$ROOT/share/integplan" site
	cat >site/surveys/own.yaml <<'EOF'
schema: integplan/survey/1
id: own
title: {en: Our follow-up}
source: {name: our own, edition: "2026", adapted: written here}
threshold: 0.4
flag_below: 0.6
dimensions:
  - {id: economic, title: {en: economic}, weight: 0}
  - {id: social, title: {en: social}}
questions:
  - id: work
    dimension: economy
    text: {en: Do you work?}
    answers:
      - {id: "yes", text: {en: "yes"}, score: 1.5}
      - {id: "no", text: {en: "no"}, flag: Re Migration}
EOF
	answers_3m
	run env IP_SHARE="$PWD/site" ip-plan follow-up -i --survey own --answers 3m.yaml "$case_path"
	assert_failure 65
	assert_line "ip-plan: $PWD/site/surveys/own.yaml:15:47: questions[0].answers[0].score: score 1.5 is out of range (0 to 1)"
	# the rules across fields are checked when the schema holds
	sed -i 's/score: 1.5/score: 1/' site/surveys/own.yaml
	run env IP_SHARE="$PWD/site" ip-plan follow-up -i --survey own --answers 3m.yaml "$case_path"
	assert_failure 65
	assert_line "ip-plan: $PWD/site/surveys/own.yaml:8:51: dimensions[0].weight: a weight must be more than 0"
	assert_line "ip-plan: $PWD/site/surveys/own.yaml:8:5: dimensions[0]: no question in dimension 'economic'"
	assert_line "ip-plan: $PWD/site/surveys/own.yaml:9:5: dimensions[1]: no question in dimension 'social'"
	assert_line "ip-plan: $PWD/site/surveys/own.yaml:12:16: questions[0].dimension: unknown dimension 'economy' (the survey's dimensions: economic, social)"
	assert_line "ip-plan: $PWD/site/surveys/own.yaml:16:44: questions[0].answers[1].flag: 'Re Migration' is not a flag name (a-z and '-', like remigration)"
	assert_line "ip-plan: $PWD/site/surveys/own.yaml:6:13: flag_below: flag_below is above the threshold of a sustainable reintegration"
	[ "${#lines[@]}" -eq 6 ]
}

@test "survey definitions: the shipped ones load and state their source" {
	for s in rss rss-baseline; do
		run ip-check -q --no-schema "$ROOT/share/integplan/surveys/$s.yaml"
		assert_success
		grep -q '^  name: IOM Reintegration Sustainability Survey$' "$ROOT/share/integplan/surveys/$s.yaml"
		grep -q '^  adapted: ' "$ROOT/share/integplan/surveys/$s.yaml"
	done
	[ "$(grep -c '^  - id: ' "$ROOT/share/integplan/surveys/rss.yaml")" -eq 15 ]
}
