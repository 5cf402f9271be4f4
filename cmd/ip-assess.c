/* ip-assess — record an assessment on cases: vulnerabilities, needs,
 * skills, risk and readiness; rules derive a priority and measures. */
#include <stdio.h>
#include <stdlib.h>

#include "ip_assess.h"
#include "ip_case.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_edit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_rules.h"
#include "ip_vocab.h"

struct assess {
	struct ip_cli cli;
	bool in_place, amend;
	const char *from, *rules_path, *list;
	struct ip_answers answers; /* the assessment the options describe */
	struct ip_rules *rules;
	char today[11];
};

/* Every answer option adds the answer of its name. */
static int answer(const struct ip_optarg *o)
{
	struct assess *a = o->state;
	char *label = ip_xasprintf("--%s", o->opt->name);
	ip_answers_add(&a->answers, o->opt->name, o->arg, label);
	free(label);
	return 0; /* counted in the answers: --list still works */
}

#define ANSWER .call = answer
#define FLAG(m) IP_FLAG(struct assess, m)
#define STRING(m) IP_STRING(struct assess, m)

static const struct ip_opt options[] = {
	{"vulnerability", 0, "ID", N_("A vulnerability (Art. 21 Reception Directive; see "
	 "--list vulnerability); repeatable"), 1, 0, ANSWER, .complete = IP_COMPLETE_VOCAB,
	 .values = "vulnerability", .flags = IP_OPT_MANY},
	{"need", 0, "ID[:PRIORITY]", N_("A need, with low, medium, high or urgent; "
	 "repeatable"), 1, 0, ANSWER, .complete = IP_COMPLETE_VOCAB, .values = "need",
	 .flags = IP_OPT_MANY},
	{"education", 0, "isced-N", N_("Highest education, ISCED 2011 level 0 to 8"), 1, 0,
	 ANSWER, .complete = IP_COMPLETE_WORDS, .values = "isced-0 isced-1 isced-2 isced-3 "
	 "isced-4 isced-5 isced-6 isced-7 isced-8"},
	{"occupation", 0, "ISCO08[:YEARS]", N_("An occupation and years of experience; "
	 "repeatable"), 1, 0, ANSWER, .flags = IP_OPT_MANY},
	{"language", 0, "CODE[:CEFR]", N_("A language (ISO 639-3) and level A1 to C2; "
	 "repeatable"), 1, 0, ANSWER, .flags = IP_OPT_MANY},
	{"entrepreneurial", 0, "yes|no", N_("Wants to start a business"), 1, 0, ANSWER,
	 .complete = IP_COMPLETE_WORDS, .values = "yes no"},
	{"risk", 0, "LEVEL", N_("Risk in the return region: low, medium or high"), 1, 0, ANSWER,
	 .complete = IP_COMPLETE_VOCAB, .values = "level"},
	{"note", 0, "TEXT", N_("A note on the assessment (the risk, say)"), 1, 0, ANSWER},
	{"readiness", 0, "TEXT", N_("Readiness to return, in words"), 1, 0, ANSWER},
	{"household", 0, "RELATION[:BIRTH_DATE[:SEX]]", N_("A family member to add to the "
	 "household; repeatable"), 1, 0, ANSWER, .complete = IP_COMPLETE_VOCAB,
	 .values = "relation", .flags = IP_OPT_MANY},
	{"side", 0, "host|return", N_("Who assesses: the counselling centre in Germany "
	 "(default) or the partner in the country of return"), 2, 0, ANSWER,
	 .complete = IP_COMPLETE_VOCAB, .values = "side"},
	{"by", 0, "NAME", N_("The assessing counsellor (default: the actor)"), 2, 0, ANSWER},
	{"date", 0, "DATE", N_("Date of the assessment (default: today)"), 2, 0, ANSWER},
	{"from", 0, "FILE", N_("Answers from a YAML or JSON file with the fields of an "
	 "assessment (see ip-case(5)); options add to them"), 2, 0, STRING(from),
	 .complete = IP_COMPLETE_FILE},
	{"rules", 0, "FILE", N_("Rules file (default: the site's rules/assess.yaml)"), 2, 0,
	 STRING(rules_path), .complete = IP_COMPLETE_FILE},
	{"amend", 0, NULL, N_("Change the latest assessment of the side instead of adding "
	 "one (a correction, or an answer given later)"), 2, 0, FLAG(amend)},
	{"in-place", 'i', NULL, N_("Write the cases back instead of printing them; prints "
	 "their paths"), 2, 0, FLAG(in_place)},
	{"list", 0, "VOCABULARY", N_("List a vocabulary (vulnerabilities, needs, measures, "
	 "...)"), 3, 0, STRING(list), .complete = IP_COMPLETE_VOCABULARIES},
	{0}};

static const struct ip_command command = {
	"ip-assess", "[CASE...]",
	N_("Record an assessment on IntegPlan cases: vulnerabilities, needs, skills, "
	"risk and readiness. Rules derive a priority and recommended measures.\v"
	"CASEs are case files or directories; - is a case on standard input. "
	"Without -i the changed cases are printed. Exit status: 0 done, 64 usage, "
	"65 bad data, 66 missing input, 74 I/O error, 75 a case is locked."),
	.opts = options, .operands = IP_COMPLETE_CASES, .formats = IP_FORMATS_DATA,
	.common_group = 4,
};

static int apply(json_t *c, const char *name, const char **what, void *ctx)
{
	return ip_assess_apply(ctx, c, name, what);
}

static int prepare(struct assess *a)
{
	if (a->from) {
		int rc = ip_answers_load(&a->answers, a->from, &a->cli.lim, a->today, a->cli.actor);
		if (rc)
			return rc;
	}
	ip_answers_defaults(&a->answers, a->answers.assessment, a->today, a->cli.actor);
	return ip_rules_load(a->rules_path, &a->cli.lim, &a->rules);
}

int main(int argc, char **argv)
{
	struct assess a = {0};
	struct ip_args args;
	ip_diag_init(argv);
	ip_cli_init(&a.cli);
	ip_answers_init(&a.answers);
	ip_date_str(ip_now(), a.today);
	int rc = ip_command_parse(&command, &a, &a.cli, argc, argv, &args);
	if (rc)
		rc = IP_EXIT_USAGE;
	else if (a.list)
		rc = ip_vocab_print(a.list);
	else if (a.answers.problems)
		rc = IP_EXIT_USAGE;
	else if (!args.n && !a.cli.files_from) {
		ip_error(NULL, "no case given (a file, a directory, or - for standard input)");
		rc = IP_EXIT_USAGE;
	} else if (!a.from && !ip_answers_any(&a.answers) && !json_array_size(a.answers.household)) {
		ip_error(NULL, "nothing to record (--vulnerability, --need, --education, ..., or "
		         "--from FILE): an assessment without answers would hide the last one");
		rc = IP_EXIT_USAGE;
	} else if (!(rc = prepare(&a))) {
		struct ip_assess x = {&a.answers, a.rules, a.cli.quiet, a.amend, ""};
		struct ip_edit e = {.run = ip_cli_run(&a.cli), .in_place = a.in_place,
		                    .cmd = "ip-assess", .apply = apply, .ctx = &x};
		rc = ip_edit_run(&e, argv + args.first, args.n);
	}
	ip_rules_free(a.rules);
	ip_answers_free(&a.answers);
	return ip_finish(rc);
}
