/* ip-plan — the integrated plan of cases: from a template, measure by
 * measure, approved by both sides, checked for gaps, rendered for the
 * returnee and both counsellors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip_case.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_edit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_partners.h"
#include "ip_plan.h"
#include "ip_plandoc.h"
#include "ip_planedit.h"
#include "ip_repo.h"
#include "ip_rules.h"
#include "ip_schema.h"
#include "ip_survey.h"
#include "ip_vocab.h"
#include "ip_write.h"

/* The changes come first, in the order of enum ip_plan_change. */
enum sub { NEW, ADD, SET, APPROVE, DEPARTURE, ARRIVAL, FOLLOW_UP, PAY, CHECK, RENDER,
           TEMPLATES, NSUB };
#define DATA IP_FORMATS_DATA
static const struct ip_sub subs[NSUB] = {
	{"new", N_("A plan from a template"), DATA}, {"add", N_("Add a measure"), DATA},
	{"set", N_("Change a measure"), DATA}, {"approve", N_("Approve for one side"), DATA},
	{"departure", N_("Record the departure"), DATA},
	{"arrival", N_("Record the arrival"), DATA},
	{"follow-up", N_("Record a follow-up as done"), DATA},
	{"pay", N_("Record a payment from a measure's budget"), DATA},
	{"check", N_("Find the gaps of plans"), DATA},
	{"render", N_("The plan as a document"), IP_FORMATS_DOC | 1u << IP_FORMAT_PDF},
	{"templates", N_("List the plan templates"), DATA},
};
#undef DATA
#define ONLY(s) IP_SUB(s)
#define EDITS (ONLY(NEW) | ONLY(ADD) | ONLY(SET) | ONLY(APPROVE) | ONLY(DEPARTURE) | \
               ONLY(ARRIVAL) | ONLY(FOLLOW_UP) | ONLY(PAY))

struct plan {
	struct ip_cli cli;
	enum sub sub;
	bool in_place;
	const char *rules_path, *list, *out_dir;
	const char *as_of;         /* check: the day whose programme rules apply */
	const char *survey_name, *answers_path; /* follow-up */
	json_t *survey_taken;
	struct ip_plan_edit edit;  /* the change the options describe */
	json_t *template;
	struct ip_rules *rules;
	struct ip_docopts doc;
	struct ip_words words;     /* render: the document's language, for every case */
	char today[11];
	size_t gaps, with_gaps, cases;
};

/* ---- options ------------------------------------------------------------ */

/* A measure field given as text, checked and kept by the plan's rules. */
static int measure_field(const struct ip_optarg *o)
{
	struct plan *p = o->state;
	char *label = ip_xasprintf("--%s", o->opt->name);
	int bad = ip_plan_edit_field(&p->edit, o->opt->field + strlen("plan.measures."), o->arg,
	                             label);
	free(label);
	return bad;
}

#define FLAG(m) IP_FLAG(struct plan, m)
#define STRING(m) IP_STRING(struct plan, m)
#define FIELD(path) .field = path, .call = measure_field, .flags = IP_OPT_CHECK_LATER

static const struct ip_opt options[] = {
	{"template", 0, "NAME", N_("new: the plan template (see ip-plan templates)"), 1,
	 ONLY(NEW), ONLY(NEW), STRING(edit.template_name), .complete = IP_COMPLETE_TEMPLATE},
	{"replace", 0, NULL, N_("new: replace a plan the case has already"), 1, ONLY(NEW),
	 FLAG(edit.replace)},
	{"category", 0, "MEASURE", N_("add: the measure (see --list measures)"), 2, ONLY(ADD),
	 ONLY(ADD), FIELD("plan.measures.category")},
	{"dimension", 0, "DIM", N_("add: economic, social, psychosocial or travel (default: "
	 "the measure's)"), 2, ONLY(ADD), FIELD("plan.measures.dimension")},
	{"side", 0, "host|return", N_("add: who carries the measure out; approve: the side "
	 "approving"), 2, ONLY(ADD) | ONLY(APPROVE), ONLY(APPROVE), STRING(edit.side),
	 .field = "plan.measures.side"},
	{"owner", 0, "NAME", N_("Who is responsible (default: the side's counsellor)"), 2,
	 ONLY(ADD) | ONLY(SET), FIELD("plan.measures.owner")},
	{"due", 0, "DUE", N_("Due date: YYYY-MM-DD, or relative like departure-14d, "
	 "arrival+3m"), 2, ONLY(ADD) | ONLY(SET), FIELD("plan.measures.due")},
	{"amount", 0, "N", N_("Budget amount; pay: the amount paid"), 2,
	 ONLY(ADD) | ONLY(SET) | ONLY(PAY), ONLY(PAY), FIELD("plan.measures.budget.amount")},
	{"currency", 0, "CODE", N_("Budget currency, ISO 4217 (default EUR)"), 2,
	 ONLY(ADD) | ONLY(SET), FIELD("plan.measures.budget.currency")},
	{"programme", 0, "ID", N_("Programme paying the budget (for a programme-application: "
	 "the programme applied to)"), 2, ONLY(ADD) | ONLY(SET), STRING(edit.programme),
	 .field = "plan.measures.programme"},
	{"addresses", 0, "NEED", N_("A need the measure addresses; repeatable"), 2,
	 ONLY(ADD) | ONLY(SET), .field = "plan.measures.addresses", .call = measure_field,
	 .flags = IP_OPT_CHECK_LATER | IP_OPT_MANY},
	{"note", 0, "TEXT", N_("A note on the measure or follow-up"), 2,
	 ONLY(ADD) | ONLY(SET) | ONLY(FOLLOW_UP), FIELD("plan.measures.note")},
	{"measure", 0, "ID", N_("set: the measure to change (M1, M2, ...); pay: the measure "
	 "whose budget pays"), 2, ONLY(SET) | ONLY(PAY), ONLY(SET) | ONLY(PAY),
	 STRING(edit.measure)},
	{"reference", 0, "TEXT", N_("pay: the payment's reference (a voucher or transfer "
	 "number)"), 2, ONLY(PAY), STRING(edit.reference)},
	{"status", 0, "STATUS", N_("set: open, in-progress, done or cancelled"), 2, ONLY(SET),
	 FIELD("plan.measures.status")},
	{"by", 0, "NAME", N_("approve, follow-up: who (default: the actor)"), 3,
	 ONLY(APPROVE) | ONLY(FOLLOW_UP), STRING(edit.by), .field = "plan.approvals.by"},
	{"date", 0, "DATE", N_("set (a new status), approve, departure, arrival, follow-up, "
	 "pay: the day (default: today)"), 3, ONLY(SET) | ONLY(APPROVE) | ONLY(DEPARTURE) |
	 ONLY(ARRIVAL) | ONLY(FOLLOW_UP) | ONLY(PAY),
	 IP_DATE(struct plan, edit.date)},
	{"survey", 0, "NAME", N_("follow-up: the survey taken then (share/integplan/surveys/"
	 "NAME.yaml), with --answers"), 3, ONLY(FOLLOW_UP), STRING(survey_name),
	 .complete = IP_COMPLETE_WORDS, .values = "rss rss-baseline"},
	{"answers", 0, "FILE", N_("follow-up: the person's answers to the survey, a mapping "
	 "of question ids to answer ids (YAML or JSON; - for standard input), or a one-case "
	 "CSV row under a header of question ids (FILE.csv)"), 3,
	 ONLY(FOLLOW_UP), STRING(answers_path), .complete = IP_COMPLETE_FILE},
	{"baseline", 0, NULL, N_("follow-up: the survey is the baseline, before or just after "
	 "return; no follow-up is done"), 3, ONLY(FOLLOW_UP), FLAG(edit.baseline)},
	{"planned", 0, NULL, N_("departure: the planned date, not the day of departure"), 3,
	 ONLY(DEPARTURE), FLAG(edit.planned)},
	{"rules", 0, "FILE", N_("check: the rules whose required measures a plan must have "
	 "(default: the site's rules/assess.yaml)"), 3, ONLY(CHECK), STRING(rules_path),
	 .complete = IP_COMPLETE_FILE},
	{"as-of", 0, "DATE", N_("check: apply the programmes' caps and rules valid on DATE "
	 "(default: the day of the case's programme application, else today)"), 3,
	 ONLY(CHECK), IP_DATE(struct plan, as_of)},
	{"lang", 0, "LANG", N_("render: the document's language (de, en, ...; default: that "
	 "of the messages, else en)"), 3, ONLY(RENDER), STRING(doc.lang),
	 .complete = IP_COMPLETE_WORDS, .values = "de en"},
	{"templates", 0, "DIR", N_("render: document templates and strings from DIR"), 3,
	 ONLY(RENDER), STRING(doc.dir), .complete = IP_COMPLETE_DIR},
	{"out-dir", 0, "DIR", N_("render: write ID.LANG.FORMAT files into DIR"), 3,
	 ONLY(RENDER), STRING(out_dir), .complete = IP_COMPLETE_DIR},
	{"in-place", 'i', NULL, N_("Write the cases back instead of printing them; prints "
	 "their paths"), 3, EDITS, FLAG(in_place)},
	{"list", 0, "VOCABULARY", N_("List a vocabulary (measures, needs, dimensions, ...)"),
	 4, 0, STRING(list), .complete = IP_COMPLETE_VOCABULARIES, .flags = IP_OPT_ALONE},
	{0}};

static const struct ip_command command = {
	"ip-plan", "SUBCOMMAND [CASE...]",
	N_("The integrated plan of IntegPlan cases.\v"
	"Subcommands: new --template NAME, add --category MEASURE, set --measure ID, "
	"approve --side SIDE, departure, arrival, follow-up [--survey NAME --answers FILE], "
	"pay --measure ID --amount N, check, render, templates. "
	"CASEs are case files or directories; - is a case on standard input. Changes "
	"print the cases unless -i. Exit status: 0 done, 1 check found gaps, 64 usage, "
	"65 bad data, 66 missing input, 73 cannot create, 74 I/O error, 75 a case is locked, "
	"77 no consent to follow-up for a survey."),
	subs, NSUB, N_("subcommand"),
	options, IP_COMPLETE_CASES, IP_FORMATS_DATA | IP_FORMATS_DOC, 5, NULL,
};

static int apply(json_t *c, const char *name, const char **what, void *ctx)
{
	return ip_plan_edit(ctx, c, name, what);
}

/* ---- check and render: read only ---------------------------------------- */

struct gap_ctx {
	struct plan *p;
	const struct ip_doc *doc;
};

static void print_gap(const char *path, const char *message, void *ctx)
{
	struct gap_ctx *g = ctx;
	struct ip_where w = ip_doc_where(g->doc, path);
	printf("%s:%d:%d: %s: %s\n", g->doc->file, w.line, w.col, path, message);
}

static int check_one(const char *path, void *ctx)
{
	struct plan *p = ctx;
	struct ip_docs docs = {0};
	int rc = ip_case_load(path, &p->cli.lim, &docs);
	p->cases++;
	if (!rc) {
		struct gap_ctx g = {p, &docs.v[0]};
		size_t n = ip_plan_gaps(docs.v[0].root, p->rules, &p->cli.lim, p->today,
		                        p->as_of, print_gap, &g);
		p->gaps += n;
		p->with_gaps += n > 0;
		rc = n ? IP_EXIT_PROBLEMS : IP_EXIT_OK;
	}
	ip_docs_free(&docs);
	return rc;
}

static int render_one(const char *path, void *ctx)
{
	struct plan *p = ctx;
	struct ip_docs docs = {0};
	int rc = ip_case_load(path, &p->cli.lim, &docs);
	p->cases++;
	if (!rc && !p->out_dir && p->cases > 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "one document at a time on "
		         "standard output; use --out-dir DIR for several cases");
		rc = IP_EXIT_USAGE;
	}
	struct ip_buf out = {0};
	if (!rc)
		rc = ip_plandoc_render(&p->words, path, docs.v[0].root, &out);
	if (!rc && p->out_dir) {
		char *file = ip_xasprintf("%s/%s.%s.%s", p->out_dir, ip_str(docs.v[0].root, "id"),
		                          p->doc.lang, p->doc.format);
		rc = ip_write_file(file, out.s, out.len, false);
		if (!rc)
			ip_print_path(&p->cli, file);
		free(file);
	} else if (!rc) {
		fwrite(out.s, 1, out.len, stdout);
	}
	ip_buf_free(&out);
	ip_docs_free(&docs);
	return rc;
}

static int run_check(struct plan *p, char **operands, int n)
{
	int rc = ip_rules_load(p->rules_path, &p->cli.lim, &p->rules);
	if (!rc)
		rc = ip_plan_settings_load(&p->cli.lim);
	if (!rc)
		rc = ip_inputs_each(&p->cli, operands, n, true, check_one, p);
	if (!p->cli.quiet && p->cases) {
		fprintf(stderr, ngettext("%s: %zu case: ", "%s: %zu cases: ", p->cases),
		        ip_progname(), p->cases);
		fprintf(stderr, ngettext("%zu gap in %zu\n", "%zu gaps in %zu\n", p->gaps),
		        p->gaps, p->with_gaps);
	}
	return rc;
}

static int run_render(struct plan *p, char **operands, int n)
{
	p->doc.format = p->cli.format_given ? ip_format_name(p->cli.format) : "md";
	p->doc.today = p->today;
	p->doc.lim = p->cli.lim;
	if (!p->doc.lang)
		p->doc.lang = ip_i18n_lang(); /* German messages, German documents */
	int rc = ip_docopts_check(&p->doc, p->out_dir != NULL);
	if (rc)
		return rc;
	/* the partners' contacts: the repository's directory, else the site's */
	struct ip_repo repo;
	bool have_repo = ip_repo_find(p->cli.dir, false, &repo) == IP_EXIT_OK;
	json_t *directory = NULL;
	rc = ip_partners_load(NULL, have_repo ? &repo : NULL, &p->cli.lim, &directory);
	p->doc.directory = directory;
	p->doc.quiet = p->cli.quiet;
	if (!rc)
		rc = ip_words_open(&p->words, &p->doc);
	if (!rc && p->out_dir)
		rc = ip_mkdir_private(p->out_dir);
	if (!rc)
		rc = ip_inputs_each(&p->cli, operands, n, true, render_one, p);
	ip_words_close(&p->words);
	json_decref(directory);
	if (have_repo)
		ip_repo_free(&repo);
	return rc;
}

/* follow-up --survey: the answers taken once, scored, for the case. */
static int prepare_survey(struct plan *p)
{
	struct ip_plan_edit *e = &p->edit;
	if (!p->survey_name != !p->answers_path || (e->baseline && !p->survey_name)) {
		ip_error(NULL, "ip-plan follow-up: --survey and --answers go together, and "
		         "--baseline needs them");
		return IP_EXIT_USAGE;
	}
	if (!p->survey_name)
		return IP_EXIT_OK;
	json_t *survey = NULL;
	struct ip_docs answers = {0};
	int rc = ip_survey_load(p->survey_name, &p->cli.lim, &survey);
	if (!rc)
		rc = ip_survey_answers_load(p->answers_path, &p->cli.lim, &answers);
	if (!rc)
		rc = ip_survey_take(survey, &answers.v[0], e->date ? e->date : p->today,
		                    e->by ? e->by : ip_actor(p->cli.actor), &p->survey_taken);
	e->survey = p->survey_taken;
	ip_docs_free(&answers);
	json_decref(survey);
	return rc;
}

/* What each change needs before any case is touched. */
static int prepare_edit(struct plan *p)
{
	const struct ip_plan_edit *e = &p->edit;
	if (p->sub == SET && !json_object_size(e->fields) && !e->programme) {
		ip_error(NULL, "ip-plan set: nothing to set (--status, --due, --owner, --amount, ...)");
		return IP_EXIT_USAGE;
	}
	int rc = ip_plan_settings_load(&p->cli.lim);
	if (!rc && p->sub == NEW)
		rc = ip_plan_template_load(e->template_name, &p->cli.lim, &p->template);
	if (!rc && p->sub == FOLLOW_UP)
		rc = prepare_survey(p);
	return rc;
}

static int run(struct plan *p, char **operands, int n)
{
	if (p->sub == TEMPLATES)
		return ip_plan_templates_print();
	if (n == 0 && !p->cli.files_from) {
		ip_error(NULL, "no case given (a file, a directory, or - for standard input)");
		return IP_EXIT_USAGE;
	}
	if (p->sub == CHECK)
		return run_check(p, operands, n);
	if (p->sub == RENDER)
		return run_render(p, operands, n);
	int rc = prepare_edit(p);
	if (rc)
		return rc;
	struct ip_plan_edit *edit = &p->edit;
	edit->change = (enum ip_plan_change)p->sub;
	edit->template = p->template;
	edit->today = p->today;
	edit->actor = p->cli.actor;
	edit->quiet = p->cli.quiet;
	edit->lim = &p->cli.lim;
	struct ip_edit e = {.run = ip_cli_run(&p->cli), .in_place = p->in_place,
	                    .cmd = "ip-plan", .apply = apply, .ctx = edit};
	return ip_edit_run(&e, operands, n);
}

int main(int argc, char **argv)
{
	struct plan p = {0};
	struct ip_args args;
	ip_diag_init(argv);
	ip_cli_init(&p.cli);
	p.edit.fields = json_object();
	ip_date_str(ip_now(), p.today);
	int rc = ip_command_parse(&command, &p, &p.cli, argc, argv, &args);
	p.sub = (enum sub)args.sub;
	if (!rc)
		rc = p.list ? ip_vocab_print(p.list) : run(&p, argv + args.first, args.n);
	ip_rules_free(p.rules);
	json_decref(p.template);
	json_decref(p.edit.fields);
	json_decref(p.survey_taken);
	return ip_finish(rc);
}
