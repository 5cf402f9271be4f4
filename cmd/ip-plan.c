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
#include "ip_plan.h"
#include "ip_plandoc.h"
#include "ip_rules.h"
#include "ip_schema.h"
#include "ip_vocab.h"
#include "ip_write.h"

enum sub { NEW, ADD, SET, APPROVE, DEPARTURE, ARRIVAL, FOLLOW_UP, CHECK, RENDER,
           TEMPLATES, NSUB };
static const char *const sub_names[NSUB] = {"new", "add", "set", "approve", "departure",
	"arrival", "follow-up", "check", "render", "templates"};
#define ONLY(s) (1u << (s))
#define EDITS (ONLY(NEW) | ONLY(ADD) | ONLY(SET) | ONLY(APPROVE) | ONLY(DEPARTURE) | \
               ONLY(ARRIVAL) | ONLY(FOLLOW_UP))

enum {
	OPT_TEMPLATE = 0x200, OPT_REPLACE, OPT_CATEGORY, OPT_DIMENSION, OPT_SIDE,
	OPT_OWNER, OPT_DUE, OPT_AMOUNT, OPT_CURRENCY, OPT_PROGRAMME, OPT_ADDRESSES,
	OPT_NOTE, OPT_MEASURE, OPT_STATUS, OPT_BY, OPT_DATE, OPT_PLANNED, OPT_RULES,
	OPT_LANG, OPT_TEMPLATES, OPT_OUT_DIR, OPT_LIST, OPT_IN_PLACE = 'i',
};

/* Which subcommands take each option: a mistaken option is an error, not
 * silently ignored. */
static const struct { int key; unsigned subs; } option_subs[] = {
	{OPT_TEMPLATE, ONLY(NEW)}, {OPT_REPLACE, ONLY(NEW)},
	{OPT_CATEGORY, ONLY(ADD)}, {OPT_DIMENSION, ONLY(ADD)},
	{OPT_SIDE, ONLY(ADD) | ONLY(APPROVE)},
	{OPT_OWNER, ONLY(ADD) | ONLY(SET)}, {OPT_DUE, ONLY(ADD) | ONLY(SET)},
	{OPT_AMOUNT, ONLY(ADD) | ONLY(SET)}, {OPT_CURRENCY, ONLY(ADD) | ONLY(SET)},
	{OPT_PROGRAMME, ONLY(ADD) | ONLY(SET)}, {OPT_ADDRESSES, ONLY(ADD) | ONLY(SET)},
	{OPT_NOTE, ONLY(ADD) | ONLY(SET) | ONLY(FOLLOW_UP)},
	{OPT_MEASURE, ONLY(SET)}, {OPT_STATUS, ONLY(SET)},
	{OPT_BY, ONLY(APPROVE) | ONLY(FOLLOW_UP)},
	{OPT_DATE, ONLY(APPROVE) | ONLY(DEPARTURE) | ONLY(ARRIVAL) | ONLY(FOLLOW_UP)},
	{OPT_PLANNED, ONLY(DEPARTURE)}, {OPT_RULES, ONLY(CHECK)},
	{OPT_LANG, ONLY(RENDER)}, {OPT_TEMPLATES, ONLY(RENDER)}, {OPT_OUT_DIR, ONLY(RENDER)},
	{OPT_IN_PLACE, EDITS},
};

struct plan {
	struct ip_cli cli;
	enum sub sub;
	bool in_place, replace, planned;
	const char *template_name, *measure_id, *rules_path, *list, *out_dir, *programme;
	const char *date, *by, *side;
	json_t *fields;     /* the measure fields the options give */
	json_t *template;
	struct ip_rules *rules;
	struct ip_plandoc doc;
	unsigned given;     /* which options were given (option_bit) */
	int bad_options;
	char today[11];
	size_t gaps, with_gaps, cases;
};

static const struct argp_option options[] = {
	{"template", OPT_TEMPLATE, "NAME", 0, N_("new: the plan template (see ip-plan templates)"), 1},
	{"replace", OPT_REPLACE, NULL, 0, N_("new: replace a plan the case has already"), 1},
	{"category", OPT_CATEGORY, "MEASURE", 0, N_("add: the measure (see --list measures)"), 2},
	{"dimension", OPT_DIMENSION, "DIM", 0, N_("add: economic, social, psychosocial or "
	 "travel (default: the measure's)"), 2},
	{"side", OPT_SIDE, "host|return", 0, N_("add: who carries the measure out; approve: "
	 "the side approving"), 2},
	{"owner", OPT_OWNER, "NAME", 0, N_("Who is responsible (default: the side's counsellor)"), 2},
	{"due", OPT_DUE, "DUE", 0, N_("Due date: YYYY-MM-DD, or relative like departure-14d, "
	 "arrival+3m"), 2},
	{"amount", OPT_AMOUNT, "N", 0, N_("Budget amount"), 2},
	{"currency", OPT_CURRENCY, "CODE", 0, N_("Budget currency, ISO 4217 (default EUR)"), 2},
	{"programme", OPT_PROGRAMME, "ID", 0, N_("Programme paying the budget (for a "
	 "programme-application: the programme applied to)"), 2},
	{"addresses", OPT_ADDRESSES, "NEED", 0, N_("A need the measure addresses; repeatable"), 2},
	{"note", OPT_NOTE, "TEXT", 0, N_("A note on the measure or follow-up"), 2},
	{"measure", OPT_MEASURE, "ID", 0, N_("set: the measure to change (M1, M2, ...)"), 2},
	{"status", OPT_STATUS, "STATUS", 0, N_("set: open, in-progress, done or cancelled"), 2},
	{"by", OPT_BY, "NAME", 0, N_("approve, follow-up: who (default: the actor)"), 3},
	{"date", OPT_DATE, "DATE", 0, N_("approve, departure, arrival, follow-up: the day "
	 "(default: today)"), 3},
	{"planned", OPT_PLANNED, NULL, 0, N_("departure: the planned date, not the day of departure"), 3},
	{"rules", OPT_RULES, "FILE", 0, N_("check: the rules whose required measures a plan "
	 "must have (default: the site's rules/assess.yaml)"), 3},
	{"lang", OPT_LANG, "LANG", 0, N_("render: the document's language (de, en, ...; "
	 "default: that of the messages, else en)"), 3},
	{"templates", OPT_TEMPLATES, "DIR", 0, N_("render: document templates and strings "
	 "from DIR"), 3},
	{"out-dir", OPT_OUT_DIR, "DIR", 0, N_("render: write ID.LANG.FORMAT files into DIR"), 3},
	{"in-place", 'i', NULL, 0, N_("Write the cases back instead of printing them; "
	 "prints their paths"), 3},
	{"list", OPT_LIST, "VOCABULARY", 0, N_("List a vocabulary (measures, needs, "
	 "dimensions, ...)"), 4},
	{0}};

/* ---- options ------------------------------------------------------------ */

static bool valid(struct plan *p, const char *path, json_t **v, const char *option)
{
	struct ip_where w = {NULL, 0, 0, option};
	int problems = ip_field_validate(path, v, &w);
	p->bad_options += problems;
	return problems == 0;
}

/* A measure field from an option, checked against the schema. */
static void set_field(struct plan *p, const char *key, json_t *v, const char *option)
{
	char *path = ip_xasprintf("plan.measures.%s", key);
	if (valid(p, path, &v, option))
		json_object_set(p->fields, key, v);
	json_decref(v);
	free(path);
}

static void set_budget(struct plan *p, const char *key, json_t *v, const char *option)
{
	char *path = ip_xasprintf("plan.measures.budget.%s", key);
	json_t *budget = json_object_get(p->fields, "budget");
	if (!budget)
		json_object_set_new(p->fields, "budget", budget = json_object());
	if (valid(p, path, &v, option))
		json_object_set(budget, key, v);
	json_decref(v);
	free(path);
}

static void set_amount(struct plan *p, const char *arg)
{
	char *end;
	double n = strtod(arg, &end);
	if (end == arg || *end) {
		ip_error(&(struct ip_where){NULL, 0, 0, "--amount"}, "'%s' is not a number", arg);
		p->bad_options++;
		return;
	}
	set_budget(p, "amount", n == (double)(json_int_t)n ? json_integer((json_int_t)n)
	                                                     : json_real(n), "--amount");
}

/* The programme goes into the budget, or for a programme-application into
 * the measure: which one is settled when the measure is known. */
static void set_programme(struct plan *p, const char *arg)
{
	json_t *v = json_string(arg);
	if (valid(p, "plan.measures.programme", &v, "--programme"))
		p->programme = arg;
	json_decref(v);
}

static void place_programme(const struct plan *p, json_t *m)
{
	if (!p->programme)
		return;
	bool application = !strcmp(json_string_value(json_object_get(m, "category")),
	                           "programme-application");
	json_t *budget = json_object_get(m, "budget");
	if (application || !budget)
		json_object_set_new(m, "programme", json_string(p->programme));
	else
		json_object_set_new(budget, "programme", json_string(p->programme));
}

static void add_need(struct plan *p, const char *arg)
{
	json_t *need = json_string(arg);
	if (valid(p, "plan.measures.addresses", &need, "--addresses")) {
		json_t *list = json_object_get(p->fields, "addresses");
		if (!list)
			json_object_set_new(p->fields, "addresses", list = json_array());
		json_array_append(list, need);
	}
	json_decref(need);
}

static void check_value(struct plan *p, const char *path, const char *arg, const char *option)
{
	json_t *v = json_string(arg);
	valid(p, path, &v, option);
	json_decref(v);
}

/* The bit of an option in plan.given. */
static int option_bit(int key)
{
	return key == OPT_IN_PLACE ? OPT_LIST - OPT_TEMPLATE : key - OPT_TEMPLATE;
}

static void remember(struct plan *p, int key)
{
	if ((key >= OPT_TEMPLATE && key < OPT_LIST) || key == OPT_IN_PLACE)
		p->given |= 1u << option_bit(key);
}

static const char *option_name(int key)
{
	for (const struct argp_option *o = options; o->name; o++)
		if (o->key == key)
			return o->name;
	return "?";
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct plan *p = state->input;
	remember(p, key);
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &p->cli; break;
	case OPT_TEMPLATE: p->template_name = arg; break;
	case OPT_REPLACE: p->replace = true; break;
	case OPT_CATEGORY: set_field(p, "category", json_string(arg), "--category"); break;
	case OPT_DIMENSION: set_field(p, "dimension", json_string(arg), "--dimension"); break;
	case OPT_SIDE: p->side = arg; check_value(p, "plan.measures.side", arg, "--side"); break;
	case OPT_OWNER: set_field(p, "owner", json_string(arg), "--owner"); break;
	case OPT_DUE: set_field(p, "due", json_string(arg), "--due"); break;
	case OPT_AMOUNT: set_amount(p, arg); break;
	case OPT_CURRENCY: set_budget(p, "currency", json_string(arg), "--currency"); break;
	case OPT_PROGRAMME: set_programme(p, arg); break;
	case OPT_ADDRESSES: add_need(p, arg); break;
	case OPT_NOTE: set_field(p, "note", json_string(arg), "--note"); break;
	case OPT_MEASURE: p->measure_id = arg; break;
	case OPT_STATUS: set_field(p, "status", json_string(arg), "--status"); break;
	case OPT_BY: p->by = arg; check_value(p, "plan.approvals.by", arg, "--by"); break;
	case OPT_DATE: p->date = arg; check_value(p, "plan.approvals.date", arg, "--date"); break;
	case OPT_PLANNED: p->planned = true; break;
	case OPT_RULES: p->rules_path = arg; break;
	case OPT_LANG: p->doc.lang = arg; break;
	case OPT_TEMPLATES: p->doc.dir = arg; break;
	case OPT_OUT_DIR: p->out_dir = arg; break;
	case OPT_LIST: p->list = arg; break;
	case OPT_IN_PLACE: p->in_place = true; break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The subcommand, and no option it does not take. */
static int check_usage(struct plan *p, int argc, char **argv, int *first)
{
	if (p->list)
		return 0;
	if (*first >= argc) {
		ip_error(NULL, "no subcommand (new, add, set, approve, departure, arrival, "
		         "follow-up, check, render or templates)");
		return IP_EXIT_USAGE;
	}
	const char *name = argv[(*first)++];
	p->sub = ip_subcommand(N_("subcommand"), name, sub_names, NSUB);
	if (p->sub == NSUB)
		return IP_EXIT_USAGE;
	int rc = 0;
	for (size_t i = 0; i < sizeof option_subs / sizeof *option_subs; i++) {
		int key = option_subs[i].key;
		if ((p->given >> option_bit(key) & 1) && !(option_subs[i].subs & ONLY(p->sub))) {
			ip_error(NULL, "--%s is not an option of ip-plan %s", option_name(key), name);
			rc = IP_EXIT_USAGE;
		}
	}
	if (p->cli.format_given && (p->cli.format >= IP_FORMAT_MD) != (p->sub == RENDER)) {
		ip_error(NULL, "-f: ip-plan %s writes %s", name,
		         p->sub == RENDER ? _("md or html") : _("yaml, json or jsonl"));
		rc = IP_EXIT_USAGE;
	}
	return rc ? rc : p->bad_options ? IP_EXIT_USAGE : 0;
}

/* ---- changes ------------------------------------------------------------ */

static const char *str_at(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static const char *today_or_date(const struct plan *p)
{
	return p->date ? p->date : p->today;
}

/* The plan changed: approvals given before no longer hold. */
static const char *after_change(struct plan *p, json_t *c, const char *name,
                                const char *what)
{
	static char summary[400];
	char withdrawn[240];
	if (!ip_plan_withdraw(ip_plan_of(c), p->today, withdrawn, sizeof withdrawn))
		return what;
	ip_warn(&(struct ip_where){name, 0, 0, NULL}, "the plan changed: approvals "
	        "withdrawn (%s); both sides must approve again", withdrawn);
	snprintf(summary, sizeof summary, "%s; approvals withdrawn (%s)", what, withdrawn);
	return summary;
}

/* The owner a measure gets by default: the counsellor of its side. */
static void default_owner(const json_t *c, json_t *m)
{
	const char *who = str_at(json_object_get(c, "counsellors"), str_at(m, "side"));
	if (who && !json_object_get(m, "owner"))
		json_object_set_new(m, "owner", json_string(who));
}

static json_t *follow_ups(const json_t *tmpl, const struct ip_limits *lim)
{
	const json_t *dues = json_object_get(tmpl, "follow_ups");
	if (!dues)
		dues = json_object_get(ip_plan_settings(lim), "follow_ups");
	json_t *list = json_array();
	size_t i;
	json_t *d;
	json_array_foreach((json_t *)dues, i, d)
		json_array_append_new(list, json_pack("{s:O}", "due", d));
	return list;
}

static int apply_new(struct plan *p, json_t *c, const char *name, const char **what)
{
	static char summary[160];
	json_t *plan = ip_plan_of(c);
	size_t have = json_array_size(json_object_get(plan, "measures"));
	const char *current = str_at(plan, "template");
	if (have && !p->replace) {
		if (current && !strcmp(current, p->template_name))
			return IP_EXIT_OK; /* made from this template already */
		ip_error(&(struct ip_where){name, 0, 0, "plan"}, "the case has a plan already "
		         "(%s%s, %zu measures): add to it with ip-plan add, or use --replace",
		         current ? _("template ") : _("no template"), current ? current : "", have);
		return IP_EXIT_DATAERR;
	}
	json_t *measures = json_array();
	size_t i;
	json_t *tm;
	json_array_foreach(json_object_get(p->template, "measures"), i, tm) {
		json_t *m = json_object();
		json_object_set_new(m, "id", json_sprintf("M%zu", i + 1));
		json_object_update(m, tm);
		if (!json_object_get(m, "status"))
			json_object_set_new(m, "status", json_string("open"));
		default_owner(c, m);
		json_array_append_new(measures, m);
	}
	if (have && json_equal(measures, json_object_get(plan, "measures")) && current &&
	    !strcmp(current, p->template_name)) {
		json_decref(measures);
		return IP_EXIT_OK;
	}
	json_object_set_new(plan, "template", json_string(p->template_name));
	json_object_set_new(plan, "measures", measures);
	if (!json_array_size(json_object_get(plan, "follow_ups")))
		json_object_set_new(plan, "follow_ups", follow_ups(p->template, &p->cli.lim));
	snprintf(summary, sizeof summary, "plan from template %s (%zu measures)",
	         p->template_name, json_array_size(measures));
	*what = after_change(p, c, name, summary);
	return IP_EXIT_OK;
}

/* The measure the options describe, with the defaults of its category. */
static json_t *measure_from_options(const struct plan *p, const json_t *c)
{
	json_t *m = json_deep_copy(p->fields);
	const char *cat = str_at(m, "category");
	size_t i;
	json_t *e;
	json_array_foreach(ip_vocab_entries("measure"), i, e) {
		if (strcmp(str_at(e, "id"), cat))
			continue;
		if (!json_object_get(m, "dimension") && str_at(e, "dimension"))
			json_object_set(m, "dimension", json_object_get(e, "dimension"));
		if (str_at(e, "side"))
			json_object_set(m, "side", json_object_get(e, "side"));
	}
	if (p->side)
		json_object_set_new(m, "side", json_string(p->side));
	json_t *budget = json_object_get(m, "budget");
	if (budget && !json_object_get(budget, "currency"))
		json_object_set_new(budget, "currency", json_string("EUR"));
	place_programme(p, m);
	if (!json_object_get(m, "status"))
		json_object_set_new(m, "status", json_string("open"));
	default_owner(c, m);
	return m;
}

/* A measure equal to m but for its id, or NULL. */
static const json_t *same_measure(const json_t *plan, const json_t *m)
{
	size_t i;
	json_t *have;
	json_array_foreach(json_object_get(plan, "measures"), i, have) {
		json_t *copy = json_copy(have);
		json_object_del(copy, "id");
		bool same = json_equal(copy, (json_t *)m);
		json_decref(copy);
		if (same)
			return have;
	}
	return NULL;
}

static int apply_add(struct plan *p, json_t *c, const char *name, const char **what)
{
	static char summary[160];
	json_t *plan = ip_plan_of(c);
	json_t *m = measure_from_options(p, c);
	const json_t *twin = same_measure(plan, m);
	if (twin) {
		if (!p->cli.quiet)
			ip_warn(&(struct ip_where){name, 0, 0, NULL}, "the plan has this measure "
			        "already (%s); nothing added", str_at(twin, "id"));
		json_decref(m);
		return IP_EXIT_OK;
	}
	char *id = ip_plan_next_id(plan);
	json_t *list = json_object_get(plan, "measures");
	if (!list)
		json_object_set_new(plan, "measures", list = json_array());
	json_object_set_new(m, "id", json_string(id));
	json_array_append_new(list, m);
	snprintf(summary, sizeof summary, "measure %s added (%s, %s side)", id,
	         str_at(m, "category"), str_at(m, "side"));
	free(id);
	*what = after_change(p, c, name, summary);
	return IP_EXIT_OK;
}

static int unknown_measure(const json_t *plan, const char *name, const char *id)
{
	ip_unknown_id(&(struct ip_where){name, 0, 0, "plan.measures"}, N_("no measure"), id,
	              json_object_get(plan, "measures"), N_("the plan"));
	return IP_EXIT_DATAERR;
}

static int apply_set(struct plan *p, json_t *c, const char *name, const char **what)
{
	static char summary[160];
	json_t *plan = ip_plan_of(c);
	json_t *m = ip_plan_measure(plan, p->measure_id);
	if (!m)
		return unknown_measure(plan, name, p->measure_id);
	json_t *before = json_deep_copy(m);
	const char *key;
	json_t *v;
	json_object_foreach(p->fields, key, v) {
		json_t *budget = json_object_get(m, "budget");
		if (!strcmp(key, "budget") && budget)
			json_object_update(budget, v);
		else
			json_object_set(m, key, v);
	}
	json_t *budget = json_object_get(m, "budget");
	if (budget && !json_object_get(budget, "currency"))
		json_object_set_new(budget, "currency", json_string("EUR"));
	place_programme(p, m);
	bool same = json_equal(before, m);
	json_decref(before);
	if (same)
		return IP_EXIT_OK;
	snprintf(summary, sizeof summary, "measure %s changed", p->measure_id);
	*what = after_change(p, c, name, summary);
	return IP_EXIT_OK;
}

static int apply_approve(struct plan *p, json_t *c, const char *name, const char **what)
{
	static char summary[200];
	json_t *plan = ip_plan_of(c);
	if (!json_array_size(json_object_get(plan, "measures"))) {
		ip_error(&(struct ip_where){name, 0, 0, "plan"}, "nothing to approve: the case "
		         "has no plan (ip-plan new CASE --template NAME)");
		return IP_EXIT_DATAERR;
	}
	if (ip_plan_approval(plan, p->side))
		return IP_EXIT_OK;
	json_t *list = json_object_get(plan, "approvals");
	if (!list)
		json_object_set_new(plan, "approvals", list = json_array());
	const char *by = p->by ? p->by : ip_actor(p->cli.actor);
	json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "side", p->side, "by", by,
	                                      "date", today_or_date(p)));
	bool agreed = ip_plan_agreed(plan);
	if (agreed)
		ip_case_advance(c, "planned");
	snprintf(summary, sizeof summary, "plan approved by the %s side (%s)%s", p->side, by,
	         agreed ? "; the plan is agreed" : "");
	*what = summary;
	return IP_EXIT_OK;
}

static json_t *object_at(json_t *parent, const char *key)
{
	json_t *v = json_object_get(parent, key);
	if (!json_is_object(v))
		json_object_set_new(parent, key, v = json_object());
	return v;
}

static int apply_travel(struct plan *p, json_t *c, const char *name, const char **what)
{
	static char summary[120];
	json_t *ret = object_at(c, "return");
	const char *key = p->sub == ARRIVAL ? "arrived" : p->planned ? "planned_departure"
	                                                               : "departed";
	const char *date = today_or_date(p);
	const char *departed = str_at(ret, "departed");
	if (p->sub == ARRIVAL && departed && strcmp(date, departed) < 0) {
		ip_error(&(struct ip_where){name, 0, 0, "return.arrived"}, "arrival %s is before "
		         "the departure on %s", date, departed);
		return IP_EXIT_DATAERR;
	}
	const char *had = str_at(ret, key);
	if (had && !strcmp(had, date))
		return IP_EXIT_OK;
	json_object_set_new(ret, key, json_string(date));
	if (!p->planned)
		ip_case_advance(c, p->sub == ARRIVAL ? "arrived" : "departed");
	snprintf(summary, sizeof summary, "%s %s", p->sub == ARRIVAL ? "arrived"
	         : p->planned ? "departure planned for" : "departed", date);
	*what = summary;
	return IP_EXIT_OK;
}

static int apply_follow_up(struct plan *p, json_t *c, const char *name, const char **what)
{
	static char summary[120];
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(ip_plan_of(c), "follow_ups"), i, f) {
		if (json_object_get(f, "done"))
			continue;
		json_object_set_new(f, "done", json_string(today_or_date(p)));
		json_object_set_new(f, "by", json_string(p->by ? p->by : ip_actor(p->cli.actor)));
		if (json_object_get(p->fields, "note"))
			json_object_set(f, "note", json_object_get(p->fields, "note"));
		snprintf(summary, sizeof summary, "follow-up %zu (due %s) done", i + 1,
		         str_at(f, "due"));
		*what = summary;
		return IP_EXIT_OK;
	}
	ip_error(&(struct ip_where){name, 0, 0, "plan.follow_ups"}, "no follow-up is open");
	return IP_EXIT_DATAERR;
}

static int apply(json_t *c, const char *name, const char **what, void *ctx)
{
	struct plan *p = ctx;
	switch (p->sub) {
	case NEW: return apply_new(p, c, name, what);
	case ADD: return apply_add(p, c, name, what);
	case SET: return apply_set(p, c, name, what);
	case APPROVE: return apply_approve(p, c, name, what);
	case FOLLOW_UP: return apply_follow_up(p, c, name, what);
	default: return apply_travel(p, c, name, what);
	}
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

/* Load one valid case; 0 with docs holding it, else the status. */
static int load_case(const struct plan *p, const char *path, struct ip_docs *docs)
{
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, &p->cli.lim, docs);
	if (!rc && docs->n != 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "expected one case in the file, "
		         "found %zu documents", docs->n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && ip_case_validate(&docs->v[0]))
		rc = IP_EXIT_DATAERR;
	return rc;
}

static int check_one(const char *path, void *ctx)
{
	struct plan *p = ctx;
	struct ip_docs docs = {0};
	int rc = load_case(p, path, &docs);
	p->cases++;
	if (!rc) {
		struct gap_ctx g = {p, &docs.v[0]};
		size_t n = ip_plan_gaps(docs.v[0].root, p->rules, &p->cli.lim, p->today,
		                        print_gap, &g);
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
	int rc = load_case(p, path, &docs);
	p->cases++;
	if (!rc && !p->out_dir && p->cases > 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "one document at a time on "
		         "standard output; use --out-dir DIR for several cases");
		rc = IP_EXIT_USAGE;
	}
	struct ip_buf out = {0};
	if (!rc)
		rc = ip_plandoc_render(&p->doc, docs.v[0].root, &out);
	if (!rc && p->out_dir) {
		char *file = ip_xasprintf("%s/%s.%s.%s", p->out_dir, str_at(docs.v[0].root, "id"),
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
	p->doc.format = p->cli.format == IP_FORMAT_HTML ? "html" : "md";
	p->doc.today = p->today;
	p->doc.lim = p->cli.lim;
	if (!p->doc.lang)
		p->doc.lang = ip_i18n_lang(); /* German messages, German documents */
	if (strspn(p->doc.lang, "abcdefghijklmnopqrstuvwxyz-") != strlen(p->doc.lang) ||
	    !*p->doc.lang) {
		ip_error(NULL, "--lang: '%s' is not a language code (de, en, ar, ...)", p->doc.lang);
		return IP_EXIT_USAGE;
	}
	int rc = p->out_dir ? ip_mkdir_private(p->out_dir) : 0;
	return rc ? rc : ip_inputs_each(&p->cli, operands, n, true, render_one, p);
}

static int list_templates(void)
{
	json_t *names = ip_plan_template_names();
	size_t i;
	json_t *n;
	struct ip_limits lim = IP_LIMITS_DEFAULT;
	json_array_foreach(names, i, n) {
		json_t *t = NULL;
		if (ip_plan_template_load(json_string_value(n), &lim, &t))
			continue;
		const json_t *title = json_object_get(t, "title");
		printf("%-24s %s | %s\n", json_string_value(n),
		       str_at(title, "de") ? str_at(title, "de") : "", str_at(title, "en"));
		json_decref(t);
	}
	json_decref(names);
	return IP_EXIT_OK;
}

/* What each change needs before any case is touched. */
static int prepare_edit(struct plan *p)
{
	const char *missing = p->sub == NEW && !p->template_name ? "--template NAME"
		: p->sub == ADD && !json_object_get(p->fields, "category") ? "--category MEASURE"
		: p->sub == SET && !p->measure_id ? "--measure ID"
		: p->sub == APPROVE && !p->side ? "--side host|return" : NULL;
	if (missing) {
		ip_error(NULL, "ip-plan %s needs %s", sub_names[p->sub], missing);
		return IP_EXIT_USAGE;
	}
	if (p->sub == SET && !json_object_size(p->fields) && !p->programme) {
		ip_error(NULL, "ip-plan set: nothing to set (--status, --due, --owner, --amount, ...)");
		return IP_EXIT_USAGE;
	}
	int rc = ip_plan_settings_load(&p->cli.lim);
	if (!rc && p->sub == NEW)
		rc = ip_plan_template_load(p->template_name, &p->cli.lim, &p->template);
	return rc;
}

static int run(struct plan *p, char **operands, int n)
{
	if (p->sub == TEMPLATES)
		return list_templates();
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
	struct ip_edit e = {.cli = &p->cli, .in_place = p->in_place, .cmd = "ip-plan",
	                    .apply = apply, .ctx = p};
	return ip_edit_run(&e, operands, n);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {{&ip_cli_argp, 0, N_("Common options:"), 5}, {0}};
	static const struct argp argp = {options, parse_opt, "SUBCOMMAND [CASE...]",
		N_("The integrated plan of IntegPlan cases.\v"
		"Subcommands: new --template NAME, add --category MEASURE, set --measure ID, "
		"approve --side SIDE, departure, arrival, follow-up, check, render, templates. "
		"CASEs are case files or directories; - is a case on standard input. Changes "
		"print the cases unless -i. Exit status: 0 done, 1 check found gaps, 64 usage, "
		"65 bad data, 66 missing input, 73 cannot create, 74 I/O error, 75 a case is locked."),
		children, NULL, NULL};
	struct plan p = {0};
	int first;
	ip_diag_init(argv);
	ip_cli_init(&p.cli);
	p.cli.formats = IP_FORMATS_DATA | IP_FORMATS_DOC;
	p.fields = json_object();
	ip_date_str(ip_now(), p.today);
	int rc = ip_argp_status(argp_parse(&argp, argc, argv, 0, &first, &p));
	if (!rc)
		rc = check_usage(&p, argc, argv, &first);
	if (!rc)
		rc = p.list ? ip_vocab_print(p.list) : run(&p, argv + first, argc - first);
	ip_rules_free(p.rules);
	json_decref(p.template);
	json_decref(p.fields);
	return ip_finish(rc);
}
