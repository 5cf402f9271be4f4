#include "ip_rules.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_schema.h"
#include "ip_share.h"
#include "ip_vocab.h"

#include <stdlib.h>
#include <string.h>

struct ip_rules {
	json_t *rules; /* the "rules" list of the file */
};

int ip_rules_load(const char *path, const struct ip_limits *lim,
                  struct ip_rules **out)
{
	char *own = path ? NULL : ip_share_path("rules/assess.yaml");
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path ? path : own, IP_SYNTAX_AUTO, lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){path ? path : own, 0, 0, NULL},
		         "expected one rules document, found %zu", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && ip_validate(&docs.v[0], &ip_rules_schema, N_("a rules file")))
		rc = IP_EXIT_DATAERR;
	if (!rc) {
		*out = ip_xcalloc(1, sizeof **out);
		(*out)->rules = json_incref(json_object_get(docs.v[0].root, "rules"));
	}
	ip_docs_free(&docs);
	free(own);
	return rc;
}

void ip_rules_free(struct ip_rules *r)
{
	if (!r)
		return;
	json_decref(r->rules);
	free(r);
}

/* Does any of the strings "have" appear in the condition list "want"? */
static bool any_of(const json_t *want, const json_t *have)
{
	size_t i;
	json_t *v;
	json_array_foreach((json_t *)have, i, v)
		if (json_is_string(v) && ip_ids_have(want, json_string_value(v)))
			return true;
	return false;
}

static json_t *need_categories(const json_t *a)
{
	json_t *cats = json_array();
	size_t i;
	json_t *need;
	json_array_foreach(json_object_get(a, "needs"), i, need)
		json_array_append(cats, json_object_get(need, "category"));
	return cats;
}

static bool fires(const json_t *when, const json_t *a, const json_t *needs)
{
	const json_t *c;
	if ((c = json_object_get(when, "vulnerability")) &&
	    !any_of(c, json_object_get(a, "vulnerabilities")))
		return false;
	if ((c = json_object_get(when, "need")) && !any_of(c, needs))
		return false;
	if ((c = json_object_get(when, "risk"))) {
		const json_t *level = json_object_get(json_object_get(a, "risk"), "level");
		if (!json_is_string(level) || !ip_ids_have(c, json_string_value(level)))
			return false;
	}
	if ((c = json_object_get(when, "entrepreneurial"))) {
		const json_t *e = json_object_get(json_object_get(a, "skills"), "entrepreneurial");
		if (!json_is_boolean(e) || json_is_true(e) != json_is_true(c))
			return false;
	}
	if ((c = json_object_get(when, "side"))) {
		const char *side = ip_str(a, "side");
		if (strcmp(side ? side : "host", json_string_value(c)))
			return false;
	}
	return true;
}

/* Rank of a priority id in the vocabulary's order (low .. urgent). */
static int rank(const char *priority)
{
	json_t *entries = ip_vocab_entries("priority");
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e)
		if (priority && !strcmp(ip_str(e, "id"), priority))
			return (int)i;
	return -1;
}

static void raise_priority(const char **best, const char *p)
{
	if (p && rank(p) > rank(*best))
		*best = p;
}

/* Append the ids of from that set does not hold yet. */
static void add_all(json_t *set, const json_t *from)
{
	size_t i;
	json_t *m;
	json_array_foreach((json_t *)from, i, m)
		if (!ip_ids_have(set, json_string_value(m)))
			json_array_append(set, m);
}

json_t *ip_rules_apply(const struct ip_rules *r, json_t *a)
{
	json_t *needs = need_categories(a);
	json_t *fired = json_array(), *ids = json_array(), *recommended = json_array();
	const char *priority = NULL;
	size_t i;
	json_t *rule, *need;
	json_array_foreach(json_object_get(a, "needs"), i, need)
		raise_priority(&priority, ip_str(need, "priority"));
	json_array_foreach(r->rules, i, rule) {
		if (!fires(json_object_get(rule, "when"), a, needs))
			continue;
		json_array_append(fired, rule);
		json_array_append(ids, json_object_get(rule, "id"));
		raise_priority(&priority, ip_str(rule, "priority"));
		add_all(recommended, json_object_get(rule, "require"));
		add_all(recommended, json_object_get(rule, "recommend"));
	}
	json_object_set_new(a, "priority", json_string(priority ? priority : "low"));
	if (json_array_size(recommended))
		json_object_set(a, "recommended", recommended);
	if (json_array_size(ids))
		json_object_set(a, "rules", ids);
	json_decref(recommended);
	json_decref(ids);
	json_decref(needs);
	return fired;
}
