/* ip-assess — record an assessment on cases: vulnerabilities, needs,
 * skills, risk and readiness; rules derive a priority and measures. */
#include <ctype.h>
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
#include "ip_rules.h"
#include "ip_schema.h"
#include "ip_vocab.h"

enum {
	OPT_VULNERABILITY = 0x200, OPT_NEED, OPT_EDUCATION, OPT_OCCUPATION,
	OPT_LANGUAGE, OPT_ENTREPRENEURIAL, OPT_RISK, OPT_NOTE, OPT_READINESS,
	OPT_SIDE, OPT_BY, OPT_DATE, OPT_HOUSEHOLD, OPT_FROM, OPT_RULES, OPT_LIST,
};

struct assess {
	struct ip_cli cli;
	bool in_place;
	const char *from, *rules_path, *list;
	json_t *answers;    /* the assessment the options describe */
	json_t *household;  /* members to add to the case */
	int bad_options;    /* problems found in option values */
	struct ip_rules *rules;
	char today[11];
};

/* ---- options into an assessment ----------------------------------------- */

/* Check a value at a schema path, reporting at the option's name. */
static bool valid(struct assess *a, const char *path, json_t **v, const char *option)
{
	struct ip_where w = {NULL, 0, 0, option};
	int problems = ip_field_validate(path, v, &w);
	a->bad_options += problems;
	return problems == 0;
}

static void bad(struct assess *a, const char *option, const char *fmt, const char *arg)
{
	ip_error(&(struct ip_where){NULL, 0, 0, option}, fmt, arg);
	a->bad_options++;
}

/* parent[key] as a mapping or list of that type, made empty if it is not. */
static json_t *child(json_t *parent, const char *key, json_type type)
{
	json_t *v = json_object_get(parent, key);
	if (!v || json_typeof(v) != type) {
		v = type == JSON_OBJECT ? json_object() : json_array();
		json_object_set_new(parent, key, v);
	}
	return v;
}

#define object_at(parent, key) child(parent, key, JSON_OBJECT)
#define list_at(parent, key) child(parent, key, JSON_ARRAY)

/* Split "A:B" at the first colon; *rest is NULL without one. */
static char *split(const char *arg, const char **rest)
{
	const char *colon = strchr(arg, ':');
	*rest = colon ? colon + 1 : NULL;
	return colon ? ip_xasprintf("%.*s", (int)(colon - arg), arg) : ip_xstrdup(arg);
}

static bool all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n >= min && n <= max;
}

static void add_vulnerability(struct assess *a, const char *arg)
{
	json_t *v = json_string(arg);
	if (valid(a, "assessments.vulnerabilities", &v, "--vulnerability"))
		json_array_append(list_at(a->answers, "vulnerabilities"), v);
	json_decref(v);
}

static void add_need(struct assess *a, const char *arg)
{
	const char *prio;
	char *cat = split(arg, &prio);
	json_t *need = json_pack("{s:s}", "category", cat);
	if (prio)
		json_object_set_new(need, "priority", json_string(prio));
	if (valid(a, "assessments.needs", &need, "--need"))
		json_array_append(list_at(a->answers, "needs"), need);
	json_decref(need);
	free(cat);
}

static void add_occupation(struct assess *a, const char *arg)
{
	const char *years;
	char *isco = split(arg, &years);
	if (!all_digits(isco, 1, 4))
		bad(a, "--occupation", "'%s' is not an ISCO-08 code (1 to 4 digits)", isco);
	else if (years && !all_digits(years, 1, 2))
		bad(a, "--occupation", "'%s' is not a number of years (0 to 99)", years);
	else {
		json_t *occ = json_pack("{s:s}", "isco", isco);
		if (years)
			json_object_set_new(occ, "years", json_integer(atoi(years)));
		json_array_append_new(list_at(object_at(a->answers, "skills"), "occupations"), occ);
	}
	free(isco);
}

static void add_language(struct assess *a, const char *arg)
{
	static const char *const cefr[] = {"A1", "A2", "B1", "B2", "C1", "C2", NULL};
	const char *level;
	char *code = split(arg, &level);
	bool level_ok = !level;
	for (const char *const *c = cefr; level && *c; c++)
		level_ok |= !strcmp(level, *c);
	json_t *lang = json_pack("{s:s}", "code", code);
	if (!level_ok)
		bad(a, "--language", "'%s' is not a CEFR level (A1, A2, B1, B2, C1, C2)", level);
	else if (level)
		json_object_set_new(lang, "level", json_string(level));
	if (level_ok && valid(a, "assessments.skills.languages", &lang, "--language"))
		json_array_append(list_at(object_at(a->answers, "skills"), "languages"), lang);
	json_decref(lang);
	free(code);
}

static void set_text(struct assess *a, json_t *obj, const char *key, const char *path,
                     const char *arg, const char *option)
{
	json_t *v = json_string(arg);
	if (valid(a, path, &v, option))
		json_object_set(obj, key, v);
	json_decref(v);
}

static void add_household(struct assess *a, const char *arg)
{
	const char *rest, *sex = NULL;
	char *relation = split(arg, &rest);
	char *birth = rest ? split(rest, &sex) : NULL;
	json_t *member = json_pack("{s:s}", "relation", relation);
	if (birth && *birth)
		json_object_set_new(member, "birth_date", json_string(birth));
	if (sex)
		json_object_set_new(member, "sex", json_string(sex));
	if (valid(a, "household", &member, "--household"))
		json_array_append(a->household, member);
	json_decref(member);
	free(relation);
	free(birth);
}

static void set_entrepreneurial(struct assess *a, const char *arg)
{
	if (strcmp(arg, "yes") && strcmp(arg, "no"))
		bad(a, "--entrepreneurial", "'%s' is not yes or no", arg);
	else
		json_object_set_new(object_at(a->answers, "skills"), "entrepreneurial",
		                    json_boolean(!strcmp(arg, "yes")));
}

static void set_education(struct assess *a, const char *arg)
{
	if (strncmp(arg, "isced-", 6) || !all_digits(arg + 6, 1, 1) || arg[6] == '9')
		bad(a, "--education", "'%s' is not an ISCED 2011 level (isced-0 to isced-8)", arg);
	else
		json_object_set_new(object_at(a->answers, "skills"), "education", json_string(arg));
}

static const struct argp_option options[] = {
	{"vulnerability", OPT_VULNERABILITY, "ID", 0, N_("A vulnerability (Art. 21 "
	 "Reception Directive; see --list vulnerability); repeatable"), 1},
	{"need", OPT_NEED, "ID[:PRIORITY]", 0, N_("A need, with low, medium, high or "
	 "urgent; repeatable"), 1},
	{"education", OPT_EDUCATION, "isced-N", 0, N_("Highest education, ISCED 2011 level 0 to 8"), 1},
	{"occupation", OPT_OCCUPATION, "ISCO08[:YEARS]", 0, N_("An occupation and years "
	 "of experience; repeatable"), 1},
	{"language", OPT_LANGUAGE, "CODE[:CEFR]", 0, N_("A language (ISO 639-3) and "
	 "level A1 to C2; repeatable"), 1},
	{"entrepreneurial", OPT_ENTREPRENEURIAL, "yes|no", 0, N_("Wants to start a business"), 1},
	{"risk", OPT_RISK, "LEVEL", 0, N_("Risk in the return region: low, medium or high"), 1},
	{"note", OPT_NOTE, "TEXT", 0, N_("A note on the assessment (the risk, say)"), 1},
	{"readiness", OPT_READINESS, "TEXT", 0, N_("Readiness to return, in words"), 1},
	{"household", OPT_HOUSEHOLD, "RELATION[:BIRTH_DATE[:SEX]]", 0, N_("A family "
	 "member to add to the household; repeatable"), 1},
	{"side", OPT_SIDE, "host|return", 0, N_("Who assesses: the counselling centre "
	 "in Germany (default) or the partner in the country of return"), 2},
	{"by", OPT_BY, "NAME", 0, N_("The assessing counsellor (default: the actor)"), 2},
	{"date", OPT_DATE, "DATE", 0, N_("Date of the assessment (default: today)"), 2},
	{"from", OPT_FROM, "FILE", 0, N_("Answers from a YAML or JSON file with the "
	 "fields of an assessment (see ip-case(5)); options add to them"), 2},
	{"rules", OPT_RULES, "FILE", 0, N_("Rules file (default: the site's rules/assess.yaml)"), 2},
	{"in-place", 'i', NULL, 0, N_("Write the cases back instead of printing them; "
	 "prints their paths"), 2},
	{"list", OPT_LIST, "VOCABULARY", 0, N_("List a vocabulary (vulnerabilities, "
	 "needs, measures, ...)"), 3},
	{0}};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct assess *a = state->input;
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &a->cli; break;
	case OPT_VULNERABILITY: add_vulnerability(a, arg); break;
	case OPT_NEED: add_need(a, arg); break;
	case OPT_EDUCATION: set_education(a, arg); break;
	case OPT_OCCUPATION: add_occupation(a, arg); break;
	case OPT_LANGUAGE: add_language(a, arg); break;
	case OPT_ENTREPRENEURIAL: set_entrepreneurial(a, arg); break;
	case OPT_RISK:
		set_text(a, object_at(a->answers, "risk"), "level", "assessments.risk.level",
		         arg, "--risk");
		break;
	case OPT_NOTE:
		set_text(a, a->answers, "note", "assessments.note", arg, "--note");
		break;
	case OPT_READINESS:
		set_text(a, a->answers, "readiness", "assessments.readiness", arg, "--readiness");
		break;
	case OPT_HOUSEHOLD: add_household(a, arg); break;
	case OPT_SIDE: set_text(a, a->answers, "side", "assessments.side", arg, "--side"); break;
	case OPT_BY: set_text(a, a->answers, "by", "assessments.by", arg, "--by"); break;
	case OPT_DATE: set_text(a, a->answers, "date", "assessments.date", arg, "--date"); break;
	case OPT_FROM: a->from = arg; break;
	case OPT_RULES: a->rules_path = arg; break;
	case OPT_LIST: a->list = arg; break;
	case 'i': a->in_place = true; break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* ---- answers from a file ------------------------------------------------ */

/* Merge two assessments: lists append, mappings merge, the rest replaces. */
static void merge_into(json_t *into, const json_t *from)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)from, key, v) {
		json_t *have = json_object_get(into, key);
		if (json_is_array(have) && json_is_array(v))
			json_array_extend(have, v);
		else if (json_is_object(have) && json_is_object(v))
			merge_into(have, v);
		else
			json_object_set(into, key, v);
	}
}

/* Today, the actor and the host side, where nothing else says. */
static void fill_defaults(const struct assess *a, json_t *answers)
{
	const char *const keys[] = {"date", "by", "side"};
	const char *const dflt[] = {a->today, ip_actor(a->cli.actor), "host"};
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(a->answers, keys[i]);
		if (!json_object_get(answers, keys[i]))
			json_object_set_new(answers, keys[i], v ? json_copy(v) : json_string(dflt[i]));
	}
}

static int load_answers(struct assess *a)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(a->from, IP_SYNTAX_AUTO, &a->cli.lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){a->from, 0, 0, NULL},
		         "expected one assessment, found %zu documents", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	/* date, by and side may come from the options or their defaults */
	if (!rc)
		fill_defaults(a, docs.v[0].root);
	if (!rc && ip_validate(&docs.v[0], ip_schema_lookup("assessments"), N_("an assessment")))
		rc = IP_EXIT_DATAERR;
	if (!rc) {
		/* the file first, then the options given on the command line */
		json_t *options = a->answers;
		a->answers = json_deep_copy(docs.v[0].root);
		merge_into(a->answers, options);
		json_decref(options);
	}
	ip_docs_free(&docs);
	return rc;
}

/* ---- the change to each case -------------------------------------------- */

/* A person under 18 on the day of the assessment is a minor, whatever the
 * options say: the rules for minors must not depend on someone ticking it. */
static void add_minor(json_t *c, json_t *assessment)
{
	const char *birth = json_string_value(json_object_get(json_object_get(c, "person"),
	                                                      "birth_date"));
	const char *date = json_string_value(json_object_get(assessment, "date"));
	int age = birth && date ? ip_years_between(birth, date) : -1;
	json_t *v = list_at(assessment, "vulnerabilities");
	size_t i;
	json_t *id;
	json_array_foreach(v, i, id)
		if (!strcmp(json_string_value(id), "minor") ||
		    !strcmp(json_string_value(id), "unaccompanied-minor"))
			return;
	if (age >= 0 && age < 18)
		json_array_append_new(v, json_string("minor"));
}

static void drop_empty_lists(json_t *obj)
{
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(obj, tmp, key, v)
		if (json_is_array(v) && !json_array_size(v))
			json_object_del(obj, key);
}

static bool has_member(const json_t *household, const json_t *member)
{
	size_t i;
	json_t *m;
	json_array_foreach((json_t *)household, i, m)
		if (json_equal(m, (json_t *)member))
			return true;
	return false;
}

static bool add_members(struct assess *a, json_t *c)
{
	bool added = false;
	size_t i;
	json_t *m;
	json_array_foreach(a->household, i, m) {
		json_t *hh = list_at(c, "household");
		if (!has_member(hh, m)) {
			json_array_append(hh, m);
			added = true;
		}
	}
	return added;
}

static void say_rules(const struct assess *a, const char *name, const json_t *fired,
                      const json_t *assessment)
{
	if (a->cli.quiet)
		return;
	size_t i;
	json_t *rule;
	json_array_foreach((json_t *)fired, i, rule) {
		fprintf(stderr, _("%s: %s: rule %s fired"), ip_progname(), name,
		        json_string_value(json_object_get(rule, "id")));
		const char *note = json_string_value(json_object_get(rule, "note"));
		if (note)
			fprintf(stderr, ": %s", note);
		fputc('\n', stderr);
	}
	fprintf(stderr, _("%s: %s: priority %s\n"), ip_progname(), name,
	        json_string_value(json_object_get(assessment, "priority")));
}

static int apply(json_t *c, const char *name, const char **what, void *ctx)
{
	static char summary[160];
	struct assess *a = ctx;
	json_t *assessment = json_deep_copy(a->answers);
	add_minor(c, assessment);
	drop_empty_lists(assessment);
	json_t *fired = ip_rules_apply(a->rules, assessment);
	json_t *list = list_at(c, "assessments");
	json_t *latest = json_array_get(list, json_array_size(list) - 1);
	bool same = latest && json_equal(latest, assessment);
	bool members = add_members(a, c);
	if (!same) {
		json_array_append(list, assessment);
		say_rules(a, name, fired, assessment);
	}
	const char *status = json_string_value(json_object_get(c, "status"));
	if (!same && status && !strcmp(status, "intake"))
		json_object_set_new(c, "status", json_string("assessed"));
	if (!same)
		snprintf(summary, sizeof summary, "assessment added (%s side, priority %s)",
		         json_string_value(json_object_get(assessment, "side")),
		         json_string_value(json_object_get(assessment, "priority")));
	else if (members)
		snprintf(summary, sizeof summary, "household member added");
	*what = !same || members ? summary : NULL;
	json_decref(fired);
	json_decref(assessment);
	return IP_EXIT_OK;
}

/* ---- main --------------------------------------------------------------- */

static int prepare(struct assess *a)
{
	if (a->from) {
		int rc = load_answers(a);
		if (rc)
			return rc;
	}
	fill_defaults(a, a->answers);
	return ip_rules_load(a->rules_path, &a->cli.lim, &a->rules);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {{&ip_cli_argp, 0, N_("Common options:"), 4}, {0}};
	static const struct argp argp = {options, parse_opt, "[CASE...]",
		N_("Record an assessment on IntegPlan cases: vulnerabilities, needs, skills, "
		"risk and readiness. Rules derive a priority and recommended measures.\v"
		"CASEs are case files or directories; - is a case on standard input. "
		"Without -i the changed cases are printed. Exit status: 0 done, 64 usage, "
		"65 bad data, 66 missing input, 74 I/O error, 75 a case is locked."),
		children, NULL, NULL};
	struct assess a = {0};
	int first;
	ip_diag_init(argv);
	ip_cli_init(&a.cli);
	a.answers = json_object();
	a.household = json_array();
	ip_date_str(ip_now(), a.today);
	if (ip_argp_status(argp_parse(&argp, argc, argv, 0, &first, &a)))
		return IP_EXIT_USAGE;

	int rc;
	if (a.list) {
		rc = ip_vocab_print(a.list);
	} else if (a.bad_options) {
		rc = IP_EXIT_USAGE;
	} else if (first == argc && !a.cli.files_from) {
		ip_error(NULL, "no case given (a file, a directory, or - for standard input)");
		rc = IP_EXIT_USAGE;
	} else if (!(rc = prepare(&a))) {
		struct ip_edit e = {.cli = &a.cli, .in_place = a.in_place, .cmd = "ip-assess",
		                    .apply = apply, .ctx = &a};
		rc = ip_edit_run(&e, argv + first, argc - first);
	}
	ip_rules_free(a.rules);
	json_decref(a.answers);
	json_decref(a.household);
	return ip_finish(rc);
}
