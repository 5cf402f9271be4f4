#include "ip_plandoc.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_grammar.h"
#include "ip_plan.h"
#include "ip_schema.h"
#include "ip_vocab.h"

#include <stdlib.h>
#include <string.h>

/* ---- the data the templates see ----------------------------------------- */

static json_t *measure_view(const struct ip_words *x, const json_t *c, const json_t *m)
{
	json_t *v = json_pack("{s:O}", "id", json_object_get(m, "id"));
	ip_words_set_label(v, "category", x, "measure", ip_str(m, "category"));
	ip_words_set_label(v, "dimension", x, "dimension", ip_str(m, "dimension"));
	ip_words_set_label(v, "status", x, "measure-status",
	          ip_str(m, "status") ? ip_str(m, "status") : "open");
	if (ip_str(m, "owner"))
		json_object_set(v, "owner", json_object_get(m, "owner"));
	if (ip_str(m, "due"))
		json_object_set_new(v, "due", ip_words_due(x, c, ip_str(m, "due")));
	if (json_object_get(m, "budget"))
		json_object_set_new(v, "budget", ip_words_budget(json_object_get(m, "budget")));
	if (ip_str(m, "programme"))
		json_object_set_new(v, "programme", ip_words_programme(ip_str(m, "programme")));
	if (json_array_size(json_object_get(m, "addresses")))
		json_object_set_new(v, "addresses", ip_words_labels(x, "need", json_object_get(m, "addresses")));
	if (ip_str(m, "note"))
		json_object_set(v, "note", json_object_get(m, "note"));
	return v;
}

/* Where a measure stands in time: its date when it has one; else its
 * rule's event (opening, departure, arrival) and days from it, after every
 * dated measure; else last. */
struct when {
	const json_t *m;
	char date[11];
	int event, days;
};

static void when_of(const json_t *c, const json_t *m, struct when *w)
{
	const char *due = ip_str(m, "due");
	struct ip_due_rule r;
	w->m = m;
	w->date[0] = '\0';
	w->event = 3;
	w->days = 0;
	if (!due || ip_due_date(c, due, w->date) || !ip_due_rule_parse(due, &r))
		return;
	static const char *const events[] = {"opened", "departure", "arrival"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(r.event, events[i]))
			w->event = i;
	w->days = r.amount * (r.unit == 'y' ? 365 : r.unit == 'm' ? 30 : r.unit == 'w' ? 7 : 1);
}

static int by_when(const void *pa, const void *pb)
{
	const struct when *a = pa, *b = pb;
	if (*a->date != *b->date && (!*a->date || !*b->date))
		return *a->date ? -1 : 1;
	int d = *a->date ? strcmp(a->date, b->date)
	                 : a->event != b->event ? a->event - b->event : a->days - b->days;
	return d ? d : strcmp(ip_str(a->m, "id"), ip_str(b->m, "id"));
}

static void add_measures(const struct ip_words *x, const json_t *c, json_t *view)
{
	const json_t *measures = json_object_get(json_object_get(c, "plan"), "measures");
	size_t n = json_array_size(measures), i;
	struct when *order = ip_xcalloc(n + 1, sizeof *order);
	for (i = 0; i < n; i++)
		when_of(c, json_array_get(measures, i), &order[i]);
	qsort(order, n, sizeof *order, by_when);
	json_t *host = json_array(), *ret = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(strcmp(ip_str(order[i].m, "side"), "host") ? ret : host,
		                      measure_view(x, c, order[i].m));
	free(order);
	json_object_set_new(view, "host_measures", host);
	json_object_set_new(view, "return_measures", ret);
}

static json_t *needs_view(const struct ip_words *x, const json_t *c)
{
	const json_t *list = json_object_get(c, "assessments");
	const json_t *latest = json_array_get(list, json_array_size(list) - 1);
	json_t *needs = json_array();
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(latest, "needs"), i, n) {
		json_t *v = json_object();
		ip_words_set_label(v, "need", x, "need", ip_str(n, "category"));
		ip_words_set_label(v, "priority", x, "priority", ip_str(n, "priority"));
		json_array_append_new(needs, v);
	}
	return needs;
}

static json_t *follow_ups_view(const struct ip_words *x, const json_t *c)
{
	json_t *list = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "follow_ups"), i, f) {
		json_t *v = json_pack("{s:o}", "due", ip_words_due(x, c, ip_str(f, "due")));
		ip_words_set_date(x, v, "done", ip_str(f, "done"));
		json_array_append_new(list, v);
	}
	return list;
}

/* The approvals that hold, and those the plan's changes since withdrew. */
static void add_approvals(const struct ip_words *x, const json_t *c, json_t *view)
{
	json_t *holding = json_array(), *withdrawn = json_array();
	size_t i;
	json_t *a;
	const json_t *plan = json_object_get(c, "plan");
	json_array_foreach(json_object_get(plan, "approvals"), i, a) {
		json_t *v = json_pack("{s:O}", "by", json_object_get(a, "by"));
		ip_words_set_date(x, v, "date", ip_str(a, "date"));
		ip_words_set_label(v, "side", x, "side", ip_str(a, "side"));
		json_array_append_new(ip_plan_approval_holds(plan, a) ? holding : withdrawn, v);
	}
	json_object_set_new(view, "approvals", holding);
	json_object_set_new(view, "withdrawn", withdrawn);
}

/* The partner centres the case is referred to, with their contact. */
static json_t *partners_view(const struct ip_words *x, const json_t *c)
{
	json_t *list = json_array(), *seen = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(c, "referrals"), i, r) {
		const char *to = ip_str(r, "to");
		const json_t *p = to ? ip_find_id(json_object_get(x->d->directory, "partners"), to)
		                     : NULL;
		if (!p || json_object_get(seen, to))
			continue;
		json_object_set_new(seen, to, json_true());
		json_t *v = json_pack("{s:O, s:o}", "organisation", json_object_get(p, "organisation"),
		                      "country", ip_words_code(x, IP_CODES_COUNTRY, ip_str(p, "country")));
		ip_words_contact(v, "", p);
		json_array_append_new(list, v);
	}
	json_decref(seen);
	return list;
}

static json_t *person_view(const struct ip_words *x, const json_t *c)
{
	const json_t *p = json_object_get(c, "person");
	const json_t *r = json_object_get(c, "return");
	json_t *v = json_pack("{s:O, s:O, s:O, s:o}", "given", json_object_get(p, "given"),
	                      "family", json_object_get(p, "family"), "id",
	                      json_object_get(c, "id"), "country",
	                      ip_words_code(x, IP_CODES_COUNTRY, ip_str(r, "country")));
	if (ip_str(r, "region"))
		json_object_set_new(v, "region", ip_words_code(x, IP_CODES_REGION, ip_str(r, "region")));
	const char *const keys[] = {"planned_departure", "departed", "arrived"};
	for (size_t i = 0; i < 3; i++)
		ip_words_set_date(x, v, keys[i], ip_str(r, keys[i]));
	const json_t *counsellors = json_object_get(c, "counsellors");
	if (ip_str(counsellors, "host"))
		json_object_set(v, "host_counsellor", json_object_get(counsellors, "host"));
	if (ip_str(counsellors, "return"))
		json_object_set(v, "return_counsellor", json_object_get(counsellors, "return"));
	return v;
}

static json_t *view_of(const struct ip_words *x, const json_t *c, const json_t *tmpl)
{
	const json_t *plan = json_object_get(c, "plan");
	json_t *v = json_pack("{s:s, s:O, s:o, s:O, s:o, s:o, s:o, s:o, s:b}",
	                      "lang", x->d->lang, "t", x->strings,
	                      "today", ip_words_date(x, x->d->today),
	                      "dir", json_object_get(x->strings, "dir"),
	                      "case", person_view(x, c), "needs", needs_view(x, c),
	                      "follow_ups", follow_ups_view(x, c),
	                      "partners", partners_view(x, c),
	                      "agreed", ip_plan_agreed(plan));
	add_measures(x, c, v);
	add_approvals(x, c, v);
	const json_t *title = json_object_get(tmpl, "title");
	const char *own = ip_str(json_object_get(json_object_get(x->strings, "labels"), "template"),
	                         ip_get_str(c, "plan.template") ? ip_get_str(c, "plan.template") : "");
	const char *name = own ? own : ip_str(title, x->d->lang) ? ip_str(title, x->d->lang)
	                                                         : ip_str(title, "en");
	if (name)
		json_object_set_new(v, "template", json_string(name));
	return v;
}

static bool template_exists(const char *name)
{
	json_t *names = ip_plan_template_names();
	size_t i;
	json_t *n;
	bool found = false;
	json_array_foreach(names, i, n)
		found |= !strcmp(json_string_value(n), name);
	json_decref(names);
	return found;
}

int ip_plandoc_render(struct ip_words *x, const char *file, const json_t *c,
                      struct ip_buf *out)
{
	if (!json_array_size(ip_get(c, "plan.measures"))) {
		ip_error(&(struct ip_where){file, 0, 0, NULL}, "has no plan to render (ip-plan new "
		         "--template NAME makes one)");
		return IP_EXIT_PROBLEMS;
	}
	json_t *tmpl = NULL;
	const char *template_name = ip_get_str(c, "plan.template");
	/* the template's title names the plan; a plan without one still renders */
	if (template_name && template_exists(template_name) &&
	    ip_plan_template_load(template_name, &x->d->lim, &tmpl))
		tmpl = NULL;
	json_t *view = view_of(x, c, tmpl);
	int rc = ip_words_render(x, "plan", view, out);
	json_decref(view);
	json_decref(tmpl);
	return rc;
}
