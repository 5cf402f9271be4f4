#include "ip_planedit.h"
#include "ip_buf.h"
#include "ip_referral.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_plan.h"
#include "ip_schema.h"
#include "ip_vocab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void place_programme(const struct ip_plan_edit *p, json_t *m)
{
	if (!p->programme)
		return;
	bool application = !strcmp(ip_str(m, "category"),
	                           "programme-application");
	json_t *budget = json_object_get(m, "budget");
	if (application || !budget)
		json_object_set_new(m, "programme", json_string(p->programme));
	else
		json_object_set_new(budget, "programme", json_string(p->programme));
}

static const char *today_or_date(const struct ip_plan_edit *p)
{
	return p->date ? p->date : p->today;
}

/* The plan may have changed: approvals of terms it no longer has are
 * withdrawn, visibly (the one rule of ip_plan.h). */
static const char *after_change(struct ip_plan_edit *p, json_t *c, const char *name,
                                const char *what)
{
	snprintf(p->summary, sizeof p->summary, "%s", what);
	ip_plan_settle(c, p->today, name, p->summary, sizeof p->summary);
	return p->summary;
}

/* The owner a measure gets by default: the counsellor of its side. */
static void default_owner(const json_t *c, json_t *m)
{
	const char *who = ip_str(json_object_get(c, "counsellors"), ip_str(m, "side"));
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

static int apply_new(struct ip_plan_edit *p, json_t *c, const char *name, const char **what)
{
	char summary[160];
	json_t *plan = ip_plan_of(c);
	size_t have = json_array_size(json_object_get(plan, "measures"));
	const char *current = ip_str(plan, "template");
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
		json_object_set_new(plan, "follow_ups", follow_ups(p->template, p->lim));
	snprintf(summary, sizeof summary, "plan from template %s (%zu measures)",
	         p->template_name, json_array_size(measures));
	*what = after_change(p, c, name, summary);
	return IP_EXIT_OK;
}

/* The measure the options describe, with the defaults of its category. */
static json_t *measure_from_options(const struct ip_plan_edit *p, const json_t *c)
{
	json_t *m = json_deep_copy(p->fields);
	const char *cat = ip_str(m, "category");
	size_t i;
	json_t *e;
	json_array_foreach(ip_vocab_entries("measure"), i, e) {
		if (strcmp(ip_str(e, "id"), cat))
			continue;
		if (!json_object_get(m, "dimension") && ip_str(e, "dimension"))
			json_object_set(m, "dimension", json_object_get(e, "dimension"));
		if (ip_str(e, "side"))
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

static int apply_add(struct ip_plan_edit *p, json_t *c, const char *name, const char **what)
{
	char summary[160];
	json_t *plan = ip_plan_of(c);
	json_t *m = measure_from_options(p, c);
	const json_t *twin = same_measure(plan, m);
	if (twin) {
		if (!p->quiet)
			ip_warn(&(struct ip_where){name, 0, 0, NULL}, "the plan has this measure "
			        "already (%s); nothing added", ip_str(twin, "id"));
		json_decref(m);
		return IP_EXIT_OK;
	}
	if (!p->quiet)
		ip_vocab_warn_dated(&(struct ip_where){name, 0, 0, NULL}, "measure",
		                    ip_str(m, "category"), p->today);
	char *id = ip_plan_next_id(plan);
	json_t *list = json_object_get(plan, "measures");
	if (!list)
		json_object_set_new(plan, "measures", list = json_array());
	json_object_set_new(m, "id", json_string(id));
	json_array_append_new(list, m);
	snprintf(summary, sizeof summary, "measure %s added (%s, %s side)", id,
	         ip_str(m, "category"), ip_str(m, "side"));
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

static int apply_set(struct ip_plan_edit *p, json_t *c, const char *name, const char **what)
{
	char summary[160];
	json_t *plan = ip_plan_of(c);
	json_t *m = ip_plan_measure(plan, p->measure);
	if (!m)
		return unknown_measure(plan, name, p->measure);
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
	/* a status says since when: the date of the change; a measure begun
	 * keeps the day it was begun */
	if (!json_equal(json_object_get(before, "status"), json_object_get(m, "status"))) {
		json_object_set_new(m, "status_date", json_string(today_or_date(p)));
		if (ip_measure_begun(m) && !json_object_get(m, "started"))
			json_object_set_new(m, "started", json_string(today_or_date(p)));
	}
	bool same = json_equal(before, m);
	json_decref(before);
	if (same)
		return IP_EXIT_OK;
	snprintf(summary, sizeof summary, "measure %s changed", p->measure);
	*what = after_change(p, c, name, summary);
	return IP_EXIT_OK;
}

static int apply_approve(struct ip_plan_edit *p, json_t *c, const char *name,
                         const char **what)
{
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
	const char *by = p->by ? p->by : ip_actor(p->actor);
	/* approvals of terms the plan no longer has are over, in the file too */
	char stale[240];
	size_t over = ip_plan_withdraw(plan, today_or_date(p), stale, sizeof stale);
	char digest[IP_DIGEST_SIZE];
	ip_plan_digest(plan, digest);
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "side", p->side, "by", by,
	                                      "date", today_or_date(p), "measures_digest",
	                                      digest));
	bool agreed = ip_plan_agreed(plan);
	if (agreed)
		ip_case_advance(c, "planned", today_or_date(p));
	snprintf(p->summary, sizeof p->summary, "plan approved by the %s side (%s)%s%s%s%s", p->side,
	         by, agreed ? "; the plan is agreed" : "", over ? "; approvals of earlier terms "
	         "withdrawn (" : "", over ? stale : "", over ? ")" : "");
	*what = p->summary;
	return IP_EXIT_OK;
}

static json_t *object_at(json_t *parent, const char *key)
{
	json_t *v = json_object_get(parent, key);
	if (!json_is_object(v))
		json_object_set_new(parent, key, v = json_object());
	return v;
}

static int apply_travel(struct ip_plan_edit *p, json_t *c, const char *name,
                        const char **what)
{
	json_t *ret = object_at(c, "return");
	bool arrival = p->change == IP_PLAN_ARRIVAL;
	const char *key = arrival ? "arrived" : p->planned ? "planned_departure" : "departed";
	const char *date = today_or_date(p);
	const char *departed = ip_str(ret, "departed");
	if (arrival && departed && strcmp(date, departed) < 0) {
		ip_error(&(struct ip_where){name, 0, 0, "return.arrived"}, "arrival %s is before "
		         "the departure on %s", date, departed);
		return IP_EXIT_DATAERR;
	}
	const char *had = ip_str(ret, key);
	if (had && !strcmp(had, date))
		return IP_EXIT_OK;
	json_object_set_new(ret, key, json_string(date));
	if (!p->planned)
		ip_case_advance(c, arrival ? "arrived" : "departed", date);
	char summary[160];
	snprintf(summary, sizeof summary, "%s %s", arrival ? "arrived"
	         : p->planned ? "departure planned for" : "departed", date);
	*what = after_change(p, c, name, summary);
	return IP_EXIT_OK;
}

/* "survey rss, composite 0.62, flagged: remigration", for the history. */
static void survey_summary(const json_t *taken, struct ip_buf *out)
{
	ip_buf_printf(out, "survey %s", ip_str(taken, "id"));
	const json_t *composite = json_object_get(taken, "composite");
	if (composite)
		ip_buf_printf(out, ", composite %.2f", json_number_value(composite));
	const json_t *flags = json_object_get(taken, "flags");
	if (json_array_size(flags)) {
		char *list = ip_ids_joined(flags, " ");
		ip_buf_printf(out, ", flagged: %s", list);
		free(list);
	}
}

/* The history's summary of a change, from what was built in b. */
static const char *summarised(struct ip_plan_edit *p, struct ip_buf *b)
{
	snprintf(p->summary, sizeof p->summary, "%s", b->s);
	ip_buf_free(b);
	return p->summary;
}

/* A survey is asked only with the person's consent to follow-up. */
static int survey_consented(const struct ip_plan_edit *p, const json_t *c, const char *name)
{
	if (!p->survey || ip_consent_in_force(c, "follow-up", today_or_date(p)))
		return IP_EXIT_OK;
	ip_error(&(struct ip_where){name, 0, 0, "consent"}, "no consent to follow-up: a "
	         "survey is not recorded without it (ip-case consent --give follow-up:PARTNER)");
	return IP_EXIT_NOPERM;
}

static int apply_baseline(struct ip_plan_edit *p, json_t *c, const char **what)
{
	if (json_equal(json_object_get(c, "baseline"), (json_t *)p->survey))
		return IP_EXIT_OK;
	json_object_set_new(c, "baseline", json_deep_copy(p->survey));
	struct ip_buf b = {0};
	ip_buf_puts(&b, "baseline: ");
	survey_summary(p->survey, &b);
	*what = summarised(p, &b);
	return IP_EXIT_OK;
}

static int apply_follow_up(struct ip_plan_edit *p, json_t *c, const char *name,
                           const char **what)
{
	int rc = survey_consented(p, c, name);
	if (rc)
		return rc;
	if (p->baseline)
		return apply_baseline(p, c, what);
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(ip_plan_of(c), "follow_ups"), i, f) {
		if (json_object_get(f, "done"))
			continue;
		json_object_set_new(f, "done", json_string(today_or_date(p)));
		json_object_set_new(f, "by", json_string(p->by ? p->by : ip_actor(p->actor)));
		if (json_object_get(p->fields, "note"))
			json_object_set(f, "note", json_object_get(p->fields, "note"));
		struct ip_buf b = {0};
		ip_buf_printf(&b, "follow-up %zu (due %s) done", i + 1, ip_str(f, "due"));
		if (p->survey) {
			json_object_set_new(f, "survey", json_deep_copy(p->survey));
			ip_buf_puts(&b, "; ");
			survey_summary(p->survey, &b);
		}
		*what = summarised(p, &b);
		return IP_EXIT_OK;
	}
	ip_error(&(struct ip_where){name, 0, 0, "plan.follow_ups"}, "no follow-up is open");
	return IP_EXIT_DATAERR;
}

/* A payment from measure p->measure's budget: its amount (--amount), day
 * and reference, checked against the schema. The same payment twice is
 * one payment. */
static int apply_pay(struct ip_plan_edit *p, json_t *c, const char *name, const char **what)
{
	json_t *plan = ip_plan_of(c);
	json_t *m = ip_plan_measure(plan, p->measure);
	if (!m)
		return unknown_measure(plan, name, p->measure);
	json_t *budget = json_object_get(m, "budget");
	const char *status = ip_str(m, "status");
	bool cancelled = status && !strcmp(status, "cancelled");
	size_t index = 0;
	while (json_array_get(json_object_get(plan, "measures"), index) != m)
		index++;
	if (!budget || cancelled) {
		char *at = ip_xasprintf("plan.measures[%zu]", index);
		struct ip_where w = {name, 0, 0, at};
		if (!budget)
			ip_error(&w, "%s has no budget to pay from (give it one: ip-plan set "
			         "--amount N)", p->measure);
		else
			ip_error(&w, "%s is cancelled: nothing is paid from its budget", p->measure);
		free(at);
		return IP_EXIT_DATAERR;
	}
	json_t *payment = json_pack("{s:s, s:O}", "date", today_or_date(p), "amount",
	                            json_object_get(json_object_get(p->fields, "budget"), "amount"));
	if (p->reference)
		json_object_set_new(payment, "reference", json_string(p->reference));
	/* a payment's day is past or today, its reference one line of text */
	char *at = ip_xasprintf("plan.measures[%zu].budget.paid", index);
	int bad = ip_field_validate("plan.measures.budget.paid", &payment,
	                            &(struct ip_where){name, 0, 0, at});
	free(at);
	if (bad) {
		json_decref(payment);
		return IP_EXIT_DATAERR;
	}
	json_t *paid = json_object_get(budget, "paid");
	size_t i;
	json_t *earlier;
	json_array_foreach(paid, i, earlier)
		if (json_equal(earlier, payment)) {
			json_decref(payment);
			return IP_EXIT_OK;
		}
	if (!paid)
		json_object_set_new(budget, "paid", paid = json_array());
	json_array_append_new(paid, payment);
	char amount[40];
	ip_format_amount(json_number_value(json_object_get(payment, "amount")), amount);
	snprintf(p->summary, sizeof p->summary, "payment of %s %s from the budget of %s%s%s",
	         amount, ip_str(budget, "currency"), p->measure, p->reference ? ": " : "",
	         p->reference ? p->reference : "");
	*what = p->summary;
	return IP_EXIT_OK;
}

int ip_plan_edit(struct ip_plan_edit *p, json_t *c, const char *name, const char **what)
{
	switch (p->change) {
	case IP_PLAN_NEW: return apply_new(p, c, name, what);
	case IP_PLAN_ADD: return apply_add(p, c, name, what);
	case IP_PLAN_SET: return apply_set(p, c, name, what);
	case IP_PLAN_APPROVE: return apply_approve(p, c, name, what);
	case IP_PLAN_FOLLOW_UP: return apply_follow_up(p, c, name, what);
	case IP_PLAN_PAY: return apply_pay(p, c, name, what);
	default: return apply_travel(p, c, name, what);
	}
}

/* Where a checked field goes: into the budget or the measure, appended to
 * a list or set. */
static void keep_field(struct ip_plan_edit *e, const char *field, bool list, json_t *v)
{
	json_t *into = e->fields;
	const char *key = field;
	if (!strncmp(field, "budget.", 7)) {
		key = field + 7;
		into = json_object_get(e->fields, "budget");
		if (!into)
			json_object_set_new(e->fields, "budget", into = json_object());
	}
	json_t *have = json_object_get(into, key);
	if (list && !have)
		json_object_set_new(into, key, have = json_array());
	if (list)
		json_array_append(have, v);
	else
		json_object_set(into, key, v);
}

/* An amount is a finite number; a whole one is kept as an integer. */
static json_t *amount_of(const char *text, const char *label)
{
	char *end;
	double n = strtod(text, &end);
	if (end == text || *end || !isfinite(n)) {
		ip_error(&(struct ip_where){NULL, 0, 0, label}, "'%s' is not a number", text);
		return NULL;
	}
	return fabs(n) < 1e15 && n == floor(n) ? json_integer((json_int_t)n) : json_real(n);
}

int ip_plan_edit_field(struct ip_plan_edit *e, const char *field, const char *text,
                       const char *label)
{
	bool amount = !strcmp(field, "budget.amount");
	json_t *v = amount ? amount_of(text, label) : json_string(text);
	if (!v && !amount)
		ip_error(&(struct ip_where){NULL, 0, 0, label}, "%s", _("not valid UTF-8 text"));
	if (!v)
		return 1;
	char *path = ip_xasprintf("plan.measures.%s", field);
	const struct ip_field *f = ip_schema_field(path);
	int bad = ip_field_validate(path, &v, &(struct ip_where){NULL, 0, 0, label});
	if (!bad)
		keep_field(e, field, f && f->type == IP_T_ARRAY, v);
	json_decref(v);
	free(path);
	return bad;
}
