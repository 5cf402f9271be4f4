#include "ip_assess.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_schema.h"
#include "ip_vocab.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Check a value at a schema path, reporting at the option's name. */
static bool valid(struct ip_answers *a, const char *path, json_t **v, const char *option)
{
	struct ip_where w = {NULL, 0, 0, option};
	int problems = ip_field_validate(path, v, &w);
	a->problems += problems;
	return problems == 0;
}

static void bad(struct ip_answers *a, const char *option, const char *fmt, const char *arg)
{
	ip_error(&(struct ip_where){NULL, 0, 0, option}, fmt, arg);
	a->problems++;
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

static void add_vulnerability(struct ip_answers *a, const char *arg, const char *label)
{
	json_t *v = json_string(arg);
	if (valid(a, "assessments.vulnerabilities", &v, label))
		json_array_append(list_at(a->assessment, "vulnerabilities"), v);
	json_decref(v);
}

static void add_need(struct ip_answers *a, const char *arg, const char *label)
{
	const char *prio;
	char *cat = split(arg, &prio);
	json_t *need = json_pack("{s:s}", "category", cat);
	if (prio)
		json_object_set_new(need, "priority", json_string(prio));
	if (valid(a, "assessments.needs", &need, label))
		json_array_append(list_at(a->assessment, "needs"), need);
	json_decref(need);
	free(cat);
}

static void add_occupation(struct ip_answers *a, const char *arg, const char *label)
{
	const char *years;
	char *isco = split(arg, &years);
	if (!all_digits(isco, 1, 4))
		bad(a, label, "'%s' is not an ISCO-08 code (1 to 4 digits)", isco);
	else if (years && !all_digits(years, 1, 2))
		bad(a, label, "'%s' is not a number of years (0 to 99)", years);
	else {
		json_t *occ = json_pack("{s:s}", "isco", isco);
		if (years)
			json_object_set_new(occ, "years", json_integer(atoi(years)));
		json_array_append_new(list_at(object_at(a->assessment, "skills"), "occupations"), occ);
	}
	free(isco);
}

static void add_language(struct ip_answers *a, const char *arg, const char *label)
{
	static const char *const cefr[] = {"A1", "A2", "B1", "B2", "C1", "C2", NULL};
	const char *level;
	char *code = split(arg, &level);
	bool level_ok = !level;
	for (const char *const *c = cefr; level && *c; c++)
		level_ok |= !strcmp(level, *c);
	json_t *lang = json_pack("{s:s}", "code", code);
	if (!level_ok)
		bad(a, label, "'%s' is not a CEFR level (A1, A2, B1, B2, C1, C2)", level);
	else if (level)
		json_object_set_new(lang, "level", json_string(level));
	if (level_ok && valid(a, "assessments.skills.languages", &lang, label))
		json_array_append(list_at(object_at(a->assessment, "skills"), "languages"), lang);
	json_decref(lang);
	free(code);
}

static void set_text(struct ip_answers *a, json_t *obj, const char *key, const char *path,
                     const char *arg, const char *option)
{
	json_t *v = json_string(arg);
	if (valid(a, path, &v, option))
		json_object_set(obj, key, v);
	json_decref(v);
}

static void add_household(struct ip_answers *a, const char *arg, const char *label)
{
	const char *rest, *sex = NULL;
	char *relation = split(arg, &rest);
	char *birth = rest ? split(rest, &sex) : NULL;
	json_t *member = json_pack("{s:s}", "relation", relation);
	if (birth && *birth)
		json_object_set_new(member, "birth_date", json_string(birth));
	if (sex)
		json_object_set_new(member, "sex", json_string(sex));
	if (valid(a, "household", &member, label))
		json_array_append(a->household, member);
	json_decref(member);
	free(relation);
	free(birth);
}

static void set_entrepreneurial(struct ip_answers *a, const char *arg, const char *label)
{
	if (strcmp(arg, "yes") && strcmp(arg, "no"))
		bad(a, label, "'%s' is not yes or no", arg);
	else
		json_object_set_new(object_at(a->assessment, "skills"), "entrepreneurial",
		                    json_boolean(!strcmp(arg, "yes")));
}

static void set_education(struct ip_answers *a, const char *arg, const char *label)
{
	if (strncmp(arg, "isced-", 6) || !all_digits(arg + 6, 1, 1) || arg[6] == '9')
		bad(a, label, "'%s' is not an ISCED 2011 level (isced-0 to isced-8)", arg);
	else
		json_object_set_new(object_at(a->assessment, "skills"), "education", json_string(arg));
}

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
void ip_answers_defaults(struct ip_answers *a, json_t *into, const char *today,
                         const char *actor)
{
	const char *const keys[] = {"date", "by", "side"};
	const char *const dflt[] = {today, ip_actor(actor), "host"};
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(a->assessment, keys[i]);
		if (!json_object_get(into, keys[i]))
			json_object_set_new(into, keys[i], v ? json_copy(v) : json_string(dflt[i]));
	}
}

int ip_answers_load(struct ip_answers *a, const char *path, const struct ip_limits *lim,
                    const char *today, const char *actor)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL},
		         "expected one assessment, found %zu documents", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	/* date, by and side may come from the options or their defaults */
	if (!rc)
		ip_answers_defaults(a, docs.v[0].root, today, actor);
	if (!rc && ip_validate(&docs.v[0], ip_schema_lookup("assessments"), N_("an assessment")))
		rc = IP_EXIT_DATAERR;
	if (!rc) {
		/* the file first, then the options given on the command line */
		json_t *options = a->assessment;
		a->assessment = json_deep_copy(docs.v[0].root);
		merge_into(a->assessment, options);
		json_decref(options);
	}
	ip_docs_free(&docs);
	return rc;
}

/* A person under 18 on the day of the assessment is a minor, whatever the
 * options say: the rules for minors must not depend on someone ticking it. */
static void add_minor(json_t *c, json_t *assessment)
{
	const char *birth = json_string_value(json_object_get(json_object_get(c, "person"),
	                                                      "birth_date"));
	const char *date = ip_str(assessment, "date");
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

static bool add_members(const struct ip_answers *a, json_t *c)
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

/* A vulnerability recorded for a day its entry does not cover (one of the
 * recast directive's before 12 June 2026) is kept, with a warning. */
static void warn_dated(const struct ip_assess *x, const char *name, const json_t *assessment)
{
	if (x->quiet)
		return;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(assessment, "vulnerabilities"), i, v)
		ip_vocab_warn_dated(&(struct ip_where){name, 0, 0, NULL}, "vulnerability",
		                    json_string_value(v), ip_str(assessment, "date"));
}

static void say_rules(const struct ip_assess *x, const char *name, const json_t *fired,
                      const json_t *assessment)
{
	if (x->quiet)
		return;
	size_t i;
	json_t *rule;
	json_array_foreach((json_t *)fired, i, rule) {
		const char *note = ip_str(rule, "note");
		if (note)
			ip_inform(&(struct ip_where){name, 0, 0, NULL}, "rule %s fired: %s",
			          ip_str(rule, "id"), note);
		else
			ip_inform(&(struct ip_where){name, 0, 0, NULL}, "rule %s fired",
			          ip_str(rule, "id"));
	}
	ip_inform(&(struct ip_where){name, 0, 0, NULL}, "priority %s",
	          ip_str(assessment, "priority"));
}

bool ip_answers_any(const struct ip_answers *a)
{
	const char *key;
	json_t *v;
	json_object_foreach(a->assessment, key, v)
		if (strcmp(key, "date") && strcmp(key, "by") && strcmp(key, "side"))
			return true;
	return false;
}

/* The item of list whose category is cat, or NULL. */
static json_t *with_category(json_t *list, const char *cat)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
		if (ip_str(item, "category") && !strcmp(ip_str(item, "category"), cat))
			return item;
	return NULL;
}

/* A need of the same category is replaced, a list item there already is
 * not added twice, a mapping merges, anything else replaces. */
static void amend_into(json_t *into, const json_t *from)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)from, key, v) {
		json_t *have = json_object_get(into, key);
		if (json_is_array(have) && json_is_array(v)) {
			size_t i;
			json_t *item;
			json_array_foreach(v, i, item) {
				const char *cat = ip_str(item, "category");
				json_t *old = cat ? with_category(have, cat) : NULL;
				if (old)
					json_object_update(old, item);
				else if (!has_member(have, item))
					json_array_append(have, item);
			}
		} else if (json_is_object(have) && json_is_object(v)) {
			amend_into(have, v);
		} else {
			json_object_set(into, key, v);
		}
	}
}

/* The latest assessment of a side, or NULL. */
static json_t *latest_of(json_t *list, const char *side)
{
	for (size_t i = json_array_size(list); i-- > 0;) {
		json_t *a = json_array_get(list, i);
		const char *s = ip_str(a, "side");
		if (!strcmp(s ? s : "host", side))
			return a;
	}
	return NULL;
}

/* --amend: the answers go into the side's latest assessment, which keeps
 * its date and counsellor; the rules judge it again. */
static int amend(struct ip_assess *x, json_t *c, const char *name, const char **what)
{
	const char *side = ip_str(x->answers->assessment, "side");
	json_t *list = json_object_get(c, "assessments");
	json_t *latest = latest_of(list, side ? side : "host");
	if (!latest) {
		ip_error(&(struct ip_where){name, 0, 0, "assessments"}, "no assessment of the %s "
		         "side to amend", side ? side : "host");
		return IP_EXIT_DATAERR;
	}
	json_t *answers = json_deep_copy(x->answers->assessment), *before = json_deep_copy(latest);
	static const char *const keep[] = {"date", "by", "side", "priority", "recommended", "rules"};
	for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
		json_object_del(answers, keep[i]);
	amend_into(latest, answers);
	for (size_t i = 3; i < sizeof keep / sizeof *keep; i++)
		json_object_del(latest, keep[i]);
	add_minor(c, latest);
	drop_empty_lists(latest);
	json_t *fired = ip_rules_apply(x->rules, latest);
	bool changed = !json_equal(before, latest);
	bool members = add_members(x->answers, c);
	if (changed) {
		say_rules(x, name, fired, latest);
		snprintf(x->summary, sizeof x->summary, "assessment of %s amended (%s side, "
		         "priority %s)", ip_str(latest, "date"), ip_str(latest, "side"),
		         ip_str(latest, "priority"));
	} else if (members) {
		snprintf(x->summary, sizeof x->summary, "household member added");
	}
	*what = changed || members ? x->summary : NULL;
	json_decref(fired);
	json_decref(answers);
	json_decref(before);
	return IP_EXIT_OK;
}

int ip_assess_apply(struct ip_assess *x, json_t *c, const char *name, const char **what)
{
	if (x->amend)
		return amend(x, c, name, what);
	if (!ip_answers_any(x->answers)) {  /* household members only */
		*what = add_members(x->answers, c) ? "household member added" : NULL;
		return IP_EXIT_OK;
	}
	const struct ip_answers *a = x->answers;
	char *summary = x->summary;
	size_t size = sizeof x->summary;
	json_t *assessment = json_deep_copy(a->assessment);
	add_minor(c, assessment);
	drop_empty_lists(assessment);
	json_t *fired = ip_rules_apply(x->rules, assessment);
	json_t *list = list_at(c, "assessments");
	json_t *latest = json_array_get(list, json_array_size(list) - 1);
	bool same = latest && json_equal(latest, assessment);
	bool members = add_members(a, c);
	if (!same) {
		json_array_append(list, assessment);
		say_rules(x, name, fired, assessment);
		warn_dated(x, name, assessment);
	}
	if (!same)
		ip_case_advance(c, "assessed", ip_str(assessment, "date"));
	if (!same)
		snprintf(summary, size, "assessment added (%s side, priority %s)",
		         ip_str(assessment, "side"),
		         ip_str(assessment, "priority"));
	else if (members)
		snprintf(summary, size, "household member added");
	*what = !same || members ? summary : NULL;
	json_decref(fired);
	json_decref(assessment);
	return IP_EXIT_OK;
}


void ip_answers_init(struct ip_answers *a)
{
	*a = (struct ip_answers){json_object(), json_array(), 0};
}

void ip_answers_free(struct ip_answers *a)
{
	json_decref(a->assessment);
	json_decref(a->household);
}

/* The answers given as text, by kind. */
static const struct {
	const char *kind;
	void (*add)(struct ip_answers *a, const char *text, const char *label);
} answer_kinds[] = {
	{"vulnerability", add_vulnerability}, {"need", add_need},
	{"education", set_education}, {"occupation", add_occupation},
	{"language", add_language}, {"entrepreneurial", set_entrepreneurial},
	{"household", add_household},
};

/* Answers that are a field of the assessment as they are written. */
static const struct {
	const char *kind, *path;
} text_kinds[] = {
	{"risk", "assessments.risk.level"}, {"note", "assessments.note"},
	{"readiness", "assessments.readiness"}, {"side", "assessments.side"},
	{"by", "assessments.by"}, {"date", "assessments.date"},
};

int ip_answers_add(struct ip_answers *a, const char *kind, const char *text,
                   const char *label)
{
	int before = a->problems;
	for (size_t i = 0; i < sizeof answer_kinds / sizeof *answer_kinds; i++)
		if (!strcmp(answer_kinds[i].kind, kind))
			answer_kinds[i].add(a, text, label);
	for (size_t i = 0; i < sizeof text_kinds / sizeof *text_kinds; i++)
		if (!strcmp(text_kinds[i].kind, kind)) {
			json_t *obj = strcmp(kind, "risk") ? a->assessment
			                                   : object_at(a->assessment, "risk");
			const char *key = strrchr(text_kinds[i].path, '.') + 1;
			set_text(a, obj, key, text_kinds[i].path, text, label);
		}
	return a->problems - before;
}
