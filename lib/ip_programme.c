#include "ip_programme.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_grammar.h"
#include "ip_i18n.h"
#include "ip_mem.h"
#include "ip_schema.h"
#include "ip_share.h"
#include "ip_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *loaded;          /* programmes.yaml, checked */
static int load_status = -1;    /* not loaded yet */

/* ---- loading: the schema, then what refers to what ---------------------- */

struct xref {
	const struct ip_doc *doc;
	const json_t *sources;
	int problems;
};

static void xref_error(struct xref *x, const char *path, const char *fmt, const char *arg)
{
	struct ip_where w = ip_doc_where(x->doc, path);
	w.path = path;
	ip_error(&w, fmt, arg);
	x->problems++;
}

/* An entry names a listed source and does not end before it begins. */
static void check_entry(struct xref *x, const json_t *e, const char *at)
{
	const char *source = ip_str(e, "source");
	char *path = ip_xasprintf("%s.source", at);
	if (source && !ip_find_id(x->sources, source))
		xref_error(x, path, "no source '%s' in the list of sources", source);
	free(path);
	const char *from = ip_str(e, "valid_from"), *to = ip_str(e, "valid_to");
	path = ip_xasprintf("%s.valid_to", at);
	if (from && to && strcmp(to, from) < 0)
		xref_error(x, path, "ends before it begins (valid_from %s)", from);
	free(path);
}

/* Every source a programme, cap or rule cites is in the list; no entry
 * ends before it begins. */
static int check_references(const struct ip_doc *doc, void *ctx)
{
	(void)ctx;
	struct xref x = {doc, json_object_get(doc->root, "sources"), 0};
	size_t i, k;
	json_t *p, *cap, *rule;
	json_array_foreach(json_object_get(doc->root, "programmes"), i, p) {
		char *at = ip_xasprintf("programmes[%zu]", i);
		check_entry(&x, p, at);
		free(at);
		json_array_foreach(json_object_get(p, "caps"), k, cap) {
			at = ip_xasprintf("programmes[%zu].caps[%zu]", i, k);
			check_entry(&x, cap, at);
			free(at);
		}
	}
	json_array_foreach(json_object_get(doc->root, "eligibility"), i, rule) {
		char *at = ip_xasprintf("eligibility[%zu]", i);
		check_entry(&x, rule, at);
		free(at);
	}
	return x.problems;
}

int ip_programmes_load(const struct ip_limits *lim)
{
	if (load_status >= 0)
		return load_status;
	char *path = ip_share_path("programmes.yaml");
	/* the references are looked at even when a field is wrong (they
	 * read only text), so that every problem of the file is named */
	load_status = ip_load_checked_more(path, &ip_programmes_schema, "programmes.yaml", lim,
	                                   check_references, NULL, &loaded);
	free(path);
	return load_status;
}

/* ---- dates and sources -------------------------------------------------- */

void ip_source_say(const json_t *entry, struct ip_buf *out)
{
	const char *id = ip_str(entry, "source");
	const json_t *s = id ? ip_find_id(json_object_get(loaded, "sources"), id) : NULL;
	if (s)
		ip_buf_printf(out, _("source: %s, read %s"), ip_str(s, "url"), ip_str(s, "read"));
	else if (id)
		ip_buf_printf(out, _("source: %s"), id);
}

/* ---- the day of the application ----------------------------------------- */

void ip_application_day(const json_t *c, const char *today, char out[11])
{
	snprintf(out, 11, "%s", today);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "measures"), i, m) {
		const char *status = ip_str(m, "status");
		if (strcmp(ip_str(m, "category"), "programme-application") || !status ||
		    (strcmp(status, "in-progress") && strcmp(status, "done")))
			continue;
		const char *day = ip_str(m, "started") ? ip_str(m, "started") : ip_str(m, "status_date");
		if (day && strcmp(day, out) < 0)
			snprintf(out, 11, "%s", day);
	}
}

/* ---- eligibility -------------------------------------------------------- */

/* Is id (which may be absent) one of list? */
static bool listed(const json_t *list, const char *id)
{
	return id && ip_ids_have(list, id);
}

static bool vulnerable(const json_t *c)
{
	const json_t *list = json_object_get(c, "assessments");
	const json_t *latest = json_array_get(list, json_array_size(list) - 1);
	return json_array_size(json_object_get(latest, "vulnerabilities")) > 0;
}

/* Under n months in Germany on day: unknown without the day of entry. */
static enum ip_applies stay_under(const json_t *c, int months, const char *day)
{
	const char *entered = ip_get_str(c, "person.entered");
	char limit[11];
	if (!entered || !ip_date_add(entered, months, 'm', limit))
		return IP_APPLIES_UNKNOWN;
	return strcmp(day, limit) < 0 ? IP_APPLIES_YES : IP_APPLIES_NO;
}

/* Every condition of cond holds: yes, no, or unknown when one cannot be
 * told and none fails. */
static enum ip_applies conditions_hold(const json_t *cond, const json_t *c, const char *day)
{
	const json_t *person = json_object_get(c, "person");
	const json_t *v;
	enum ip_applies result = IP_APPLIES_YES;
	if ((v = json_object_get(cond, "nationality")) &&
	    !ip_ids_any(v, json_object_get(person, "nationality")))
		return IP_APPLIES_NO;
	if ((v = json_object_get(cond, "return_country")) &&
	    !listed(v, ip_get_str(c, "return.country")))
		return IP_APPLIES_NO;
	if ((v = json_object_get(cond, "residence_status")) &&
	    !listed(v, ip_str(person, "residence_status")))
		return IP_APPLIES_NO;
	if ((v = json_object_get(cond, "vulnerable")) && json_is_true(v) != vulnerable(c))
		return IP_APPLIES_NO;
	if ((v = json_object_get(cond, "stay_months_under"))) {
		enum ip_applies stay = stay_under(c, (int)json_integer_value(v), day);
		if (stay == IP_APPLIES_NO)
			return IP_APPLIES_NO;
		if (stay == IP_APPLIES_UNKNOWN)
			result = IP_APPLIES_UNKNOWN;
	}
	return result;
}

enum ip_applies ip_rule_applies(const json_t *rule, const json_t *c, const char *day)
{
	const json_t *when = json_object_get(rule, "when");
	enum ip_applies applies = when ? conditions_hold(when, c, day) : IP_APPLIES_YES;
	if (applies == IP_APPLIES_NO)
		return IP_APPLIES_NO;
	size_t i;
	json_t *except;
	json_array_foreach(json_object_get(rule, "unless"), i, except) {
		enum ip_applies held = conditions_hold(except, c, day);
		if (held == IP_APPLIES_YES)
			return IP_APPLIES_NO;
		if (held == IP_APPLIES_UNKNOWN)
			applies = IP_APPLIES_UNKNOWN;
	}
	return applies;
}

json_t *ip_eligibility_on(const char *day)
{
	json_t *out = json_array();
	size_t i;
	json_t *rule;
	json_array_foreach(json_object_get(loaded, "eligibility"), i, rule)
		if (ip_valid_on(rule, day))
			json_array_append(out, rule);
	return out;
}
