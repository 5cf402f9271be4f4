#include "ip_plan.h"
#include "ip_programme.h"
#include "ip_digest.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_schema.h"
#include "ip_defdir.h"
#include "ip_share.h"
#include "ip_vocab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- due dates ---------------------------------------------------------- */

static const char *departure_of(const json_t *c)
{
	const json_t *ret = json_object_get(c, "return");
	const char *d = ip_str(ret, "departed");
	return d ? d : ip_str(ret, "planned_departure");
}

bool ip_due_resolve(const struct ip_case_dates *d, const char *due, char out[11])
{
	if (!due)
		return false;
	if (ip_date_valid(due)) {
		memcpy(out, due, 11);
		return true;
	}
	struct ip_due_rule r;
	if (!ip_due_rule_parse(due, &r))
		return false;
	const char *departure = d->departed ? d->departed : d->planned_departure;
	const char *event = !strcmp(r.event, "opened") ? d->opened
	                  : !strcmp(r.event, "departure") ? departure
	                  : d->arrived ? d->arrived : departure;
	return event && ip_date_add(event, r.amount, r.unit, out);
}

bool ip_due_date(const json_t *c, const char *due, char out[11])
{
	const json_t *ret = json_object_get(c, "return");
	const struct ip_case_dates d = {ip_str(c, "opened"), ip_str(ret, "planned_departure"),
	                                ip_str(ret, "departed"), ip_str(ret, "arrived")};
	return ip_due_resolve(&d, due, out);
}

/* ---- data under share/ -------------------------------------------------- */

static json_t *settings;
static int settings_status = -1;  /* not loaded yet */

int ip_plan_settings_load(const struct ip_limits *lim)
{
	if (settings_status < 0) {
		char *path = ip_share_path("plans.yaml");
		settings_status = ip_load_checked(path, &ip_plans_schema, N_("the plan schedule"),
		                                  lim, &settings);
		if (settings_status)
			settings = NULL;
		free(path);
		/* The programmes' caps and rules are read here: all of
		 * programmes.yaml is checked, not only its ids (ip_vocab). */
		if (!settings_status)
			settings_status = ip_programmes_load(lim);
	}
	return settings_status;
}

const json_t *ip_plan_settings(const struct ip_limits *lim)
{
	ip_plan_settings_load(lim);
	return settings;
}

json_t *ip_plan_template_names(void)
{
	char *dir = ip_xasprintf("%s/plans", ip_templates_dir());
	json_t *names = ip_defdir_names(dir);
	free(dir);
	return names;
}

static int unknown_template(const char *name)
{
	char *dir = ip_xasprintf("%s/plans", ip_templates_dir());
	int rc = ip_defdir_unknown(name, dir, N_("no plan template '%s'; did you mean '%s'?"),
	                          N_("no plan template '%s' (there are: %s)"));
	free(dir);
	return rc;
}

int ip_plan_template_load(const char *name, const struct ip_limits *lim, json_t **out)
{
	if (!strchr(name, '/') && !ip_defdir_name_plain(name))
		return unknown_template(name);
	char *path = strchr(name, '/') ? ip_xstrdup(name)
	           : ip_xasprintf("%s/plans/%s.yaml", ip_templates_dir(), name);
	FILE *probe = strchr(name, '/') ? NULL : fopen(path, "r");
	int rc;
	if (!strchr(name, '/') && !probe)
		rc = unknown_template(name);
	else
		rc = ip_load_checked(path, &ip_template_schema, N_("a plan template"), lim, out);
	if (probe)
		fclose(probe);
	free(path);
	return rc;
}

/* ---- measures and approvals --------------------------------------------- */

json_t *ip_plan_of(json_t *c)
{
	json_t *plan = json_object_get(c, "plan");
	if (!json_is_object(plan)) {
		plan = json_object();
		json_object_set_new(c, "plan", plan);
	}
	return plan;
}

static bool begun(const char *status)
{
	return status && (!strcmp(status, "in-progress") || !strcmp(status, "done"));
}

bool ip_measure_begun(const json_t *m)
{
	return begun(ip_str(m, "status"));
}

char *ip_plan_next_id(const json_t *plan)
{
	long max = 0;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(plan, "measures"), i, m) {
		const char *id = ip_str(m, "id");
		if (id && id[0] == 'M' && id[1] && !id[1 + strspn(id + 1, "0123456789")]) {
			long n = strtol(id + 1, NULL, 10);
			if (n > max)
				max = n;
		}
	}
	return ip_xasprintf("M%ld", max + 1);
}

json_t *ip_plan_measure(const json_t *plan, const char *id)
{
	return ip_find_id(json_object_get(plan, "measures"), id);
}

bool ip_measure_facts_begun(const struct ip_measure_facts *m)
{
	return begun(m->status);
}

bool ip_measure_facts_in_force(const struct ip_measure_facts *m)
{
	return !m->status || strcmp(m->status, "cancelled");
}

/* A number as jansson holds it: the amount as written */
static void read_amount(const json_t *v, bool *integer, long long *i, double *d)
{
	*integer = json_is_integer(v);
	*i = *integer ? (long long)json_integer_value(v) : 0;
	*d = json_number_value(v);
}

void ip_measure_read(const json_t *m, struct ip_arena *a, struct ip_measure_facts *out)
{
	/* its terms are digested from the tree */
	*out = (struct ip_measure_facts){
		.id = ip_str(m, "id"), .status = ip_str(m, "status"),
		.category = ip_str(m, "category"), .dimension = ip_str(m, "dimension"),
		.due = ip_str(m, "due"), .programme = ip_str(m, "programme"),
		.side = ip_str(m, "side"), .started = ip_str(m, "started"),
		.owner = ip_str(m, "owner"), .tree = m};
	const json_t *budget = json_object_get(m, "budget");
	if (!budget)
		return;
	out->budget = true;
	out->budget_programme = ip_str(budget, "programme");
	out->budget_currency = ip_str(budget, "currency");
	read_amount(json_object_get(budget, "amount"), &out->amount_integer, &out->amount_i,
	            &out->amount);
	const json_t *paid = json_object_get(budget, "paid");
	if (!a || !json_array_size(paid))
		return;
	out->npaid = json_array_size(paid);
	out->paid = ip_arena_alloc(a, out->npaid * sizeof *out->paid);
	for (size_t i = 0; i < out->npaid; i++) {
		const json_t *pay = json_array_get(paid, i);
		out->paid[i] = (struct ip_payment_facts){
			json_number_value(json_object_get(pay, "amount")), ip_str(pay, "date")};
	}
}

void ip_approval_read(const json_t *a, struct ip_approval_facts *out)
{
	*out = (struct ip_approval_facts){ip_str(a, "side"), ip_str(a, "date"),
	                                  ip_str(a, "measures_digest"),
	                                  json_object_get(a, "withdrawn") != NULL};
}

/* A measure of the plan and where it stands: of two with one id, the
 * later is the one the terms hold (as a later key replaces an earlier). */
struct term {
	const char *id;
	size_t at;
};

static int by_id_then_place(const void *a, const void *b)
{
	const struct term *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* The keys of the terms, by enum ip_term, and where a gathered measure
 * holds the text terms. */
static const char *const term_keys[IP_NTERMS] = {
	"budget", "cancelled", "category", "dimension", "due", "programme", "side"};
static const char *const *term_text(const struct ip_measure_facts *m, enum ip_term t)
{
	switch (t) {
	case IP_TERM_CATEGORY: return &m->category;
	case IP_TERM_DIMENSION: return &m->dimension;
	case IP_TERM_DUE: return &m->due;
	case IP_TERM_PROGRAMME: return &m->programme;
	case IP_TERM_SIDE: return &m->side;
	default: return NULL;
	}
}

static bool term_given(const struct ip_measure_facts *m, enum ip_term t)
{
	if (t == IP_TERM_CANCELLED)
		return !ip_measure_facts_in_force(m);
	if (m->tree)
		return json_object_get(m->tree, term_keys[t]) != NULL;
	if (t == IP_TERM_BUDGET)
		return m->budget;
	return *term_text(m, t) || m->nulls & 1u << t;
}

/* A budget gathered from events: it holds only what the schema gives a
 * budget (the one pass leaves any other key, and a null in it, to the
 * tree), so its members are written here in their sorted order. Its
 * payments are not terms. */
static void canon_budget(struct ip_canon *c, const struct ip_measure_facts *m)
{
	if (m->nulls & 1u << IP_TERM_BUDGET) {
		ip_canon_text(c, "null");
		return;
	}
	ip_canon_text(c, "{");
	ip_canon_key(c, "amount");
	ip_canon_number(c, m->amount_integer, m->amount_i, m->amount);
	if (m->budget_currency) {
		ip_canon_text(c, ",");
		ip_canon_key(c, "currency");
		ip_canon_string(c, m->budget_currency);
	}
	if (m->budget_programme) {
		ip_canon_text(c, ",");
		ip_canon_key(c, "programme");
		ip_canon_string(c, m->budget_programme);
	}
	ip_canon_text(c, "}");
}

/* The value of term t of measure m, given. */
static void canon_term(struct ip_canon *c, const struct ip_measure_facts *m, enum ip_term t)
{
	if (t == IP_TERM_CANCELLED) {
		ip_canon_text(c, "true");
	} else if (m->tree) {
		/* what was paid from a budget is not a term: paying does not
		 * withdraw the approvals */
		ip_canon_value(c, json_object_get(m->tree, term_keys[t]),
		               t == IP_TERM_BUDGET ? "paid" : NULL);
	} else if (t == IP_TERM_BUDGET) {
		canon_budget(c, m);
	} else if (*term_text(m, t)) {
		ip_canon_string(c, *term_text(m, t));
	} else {
		ip_canon_text(c, "null");
	}
}

/* The terms of measure m: an object of those given, in sorted order. */
static void canon_terms(struct ip_canon *c, const struct ip_measure_facts *m)
{
	const char *sep = "{";
	for (enum ip_term t = 0; t < IP_NTERMS; t++) {
		if (!term_given(m, t))
			continue;
		ip_canon_text(c, sep);
		ip_canon_key(c, term_keys[t]);
		canon_term(c, m, t);
		sep = ",";
	}
	ip_canon_text(c, *sep == '{' ? "{}" : "}");
}

/* What an approval agrees to, per measure id: the measure's category,
 * dimension, side, due date as written (a relative one stays agreed when
 * the departure moves), budget and programme, and whether it is
 * cancelled. Its progress (open, in progress, done), owner, note, the date
 * of its status, the needs it addresses and the payments made from its
 * budget are not terms. The terms are an object, measure id to the
 * measure's terms, digested as its canonical text; that text is written
 * here as it is read from the measures, with no object built: a report
 * digests the plan of every case it reads. */
void ip_plan_digest_of(const struct ip_measure_facts *m, size_t n, char out[IP_DIGEST_SIZE])
{
	struct term *terms = ip_xcalloc(n ? n : 1, sizeof *terms);
	for (size_t i = 0; i < n; i++)
		terms[i] = (struct term){m[i].id ? m[i].id : "", i};
	qsort(terms, n, sizeof *terms, by_id_then_place);
	struct ip_canon *c = ip_canon_begin();
	const char *sep = "{";
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && !strcmp(terms[i].id, terms[i + 1].id))
			continue;  /* replaced by the later one */
		ip_canon_text(c, sep);
		ip_canon_key(c, terms[i].id);
		canon_terms(c, &m[terms[i].at]);
		sep = ",";
	}
	ip_canon_text(c, *sep == '{' ? "{}" : "}");
	ip_canon_end(c, out);
	free(terms);
}

/* The measures of a plan's tree, their terms only, in an array of *n
 * (the caller frees): how the jansson API reaches the terms above. */
static struct ip_measure_facts *plan_measures(const json_t *plan, size_t *n)
{
	const json_t *measures = json_object_get(plan, "measures");
	*n = json_array_size(measures);
	struct ip_measure_facts *m = ip_xcalloc(*n ? *n : 1, sizeof *m);
	for (size_t i = 0; i < *n; i++)
		ip_measure_read(json_array_get(measures, i), NULL, &m[i]);
	return m;
}

void ip_plan_digest(const json_t *plan, char out[IP_DIGEST_SIZE])
{
	size_t n;
	struct ip_measure_facts *m = plan_measures(plan, &n);
	ip_plan_digest_of(m, n, out);
	free(m);
}

/* In force: not withdrawn, and given to the measures the plan has now. */
static bool holds(const json_t *a, const char *digest)
{
	const char *agreed = ip_str(a, "measures_digest");
	return !json_object_get(a, "withdrawn") && agreed && !strcmp(agreed, digest);
}

bool ip_plan_approval_holds(const json_t *plan, const json_t *a)
{
	char digest[IP_DIGEST_SIZE];
	ip_plan_digest(plan, digest);
	return holds(a, digest);
}

json_t *ip_plan_approval(const json_t *plan, const char *side)
{
	char digest[IP_DIGEST_SIZE];
	ip_plan_digest(plan, digest);
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(plan, "approvals"), i, a)
		if (!strcmp(ip_str(a, "side"), side) && holds(a, digest))
			return a;
	return NULL;
}

/* Whether approvals from both sides hold the terms digested in digest,
 * with *latest the date of the last of them. With digest NULL: whether
 * they could (given, not withdrawn, with a digest): a plan not approved by
 * both sides needs no digest, and a report asks this of every case. */
static bool both_sides(const struct ip_approval_facts *a, size_t n, const char *digest,
                       const char **latest)
{
	bool host = false, ret = false;
	*latest = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!a[i].side || !a[i].date || a[i].withdrawn || !a[i].digest ||
		    (digest && strcmp(a[i].digest, digest)))
			continue;
		host |= !strcmp(a[i].side, "host");
		ret |= !strcmp(a[i].side, "return");
		if (!*latest || strcmp(a[i].date, *latest) > 0)
			*latest = a[i].date;
	}
	return host && ret;
}

const char *ip_plan_agreed_of(const struct ip_measure_facts *m, size_t n,
                              const struct ip_approval_facts *a, size_t na)
{
	const char *latest;
	if (!both_sides(a, na, NULL, &latest))
		return NULL;
	char digest[IP_DIGEST_SIZE];
	ip_plan_digest_of(m, n, digest);
	return both_sides(a, na, digest, &latest) ? latest : NULL;
}

const char *ip_plan_agreed_on(const json_t *plan)
{
	const json_t *approvals = json_object_get(plan, "approvals");
	size_t na = json_array_size(approvals), n;
	struct ip_approval_facts *a = ip_xcalloc(na ? na : 1, sizeof *a);
	for (size_t i = 0; i < na; i++)
		ip_approval_read(json_array_get(approvals, i), &a[i]);
	struct ip_measure_facts *m = plan_measures(plan, &n);
	const char *agreed = ip_plan_agreed_of(m, n, a, na);
	free(a);
	free(m);
	return agreed;
}

bool ip_plan_agreed(const json_t *plan)
{
	return ip_plan_agreed_on(plan) != NULL;
}

/* Is approval a, not withdrawn, given to terms other than those of
 * measures m[0..n)? *digest holds their digest once one was needed ("":
 * not yet): a plan without approvals in force needs none, and a check of
 * a repository asks this of every case. */
static bool stale(const struct ip_approval_facts *a, const struct ip_measure_facts *m,
                  size_t n, char digest[IP_DIGEST_SIZE])
{
	if (a->withdrawn)
		return false;
	if (!*digest)
		ip_plan_digest_of(m, n, digest);
	return !a->digest || strcmp(a->digest, digest);
}

size_t ip_plan_stale_of(const struct ip_measure_facts *m, size_t n,
                        const struct ip_approval_facts *a, size_t na)
{
	char digest[IP_DIGEST_SIZE] = "";
	size_t count = 0;
	for (size_t i = 0; i < na; i++)
		count += stale(&a[i], m, n, digest);
	return count;
}

size_t ip_plan_stale(const json_t *plan, void (*fn)(size_t i, const json_t *a, void *ctx),
                     void *ctx)
{
	size_t n, count = 0, i;
	struct ip_measure_facts *m = plan_measures(plan, &n);
	char digest[IP_DIGEST_SIZE] = "";
	json_t *a;
	json_array_foreach(json_object_get(plan, "approvals"), i, a) {
		struct ip_approval_facts read;
		ip_approval_read(a, &read);
		if (!stale(&read, m, n, digest))
			continue;
		if (fn)
			fn(i, a, ctx);
		count++;
	}
	free(m);
	return count;
}

struct withdrawal {
	const char *date;
	char *summary;
	size_t size, used, n;
};

static void withdraw_one(size_t i, const json_t *a, void *ctx)
{
	struct withdrawal *w = ctx;
	(void)i;
	json_object_set_new((json_t *)a, "withdrawn", json_string(w->date));
	int k = snprintf(w->summary + w->used, w->size - w->used, "%s%s: %s", w->n++ ? ", " : "",
	                 ip_str(a, "side"), ip_str(a, "by"));
	if (k > 0 && (size_t)k < w->size - w->used)
		w->used += (size_t)k;
}

size_t ip_plan_withdraw(json_t *plan, const char *date, char *summary, size_t size)
{
	struct withdrawal w = {date, summary, size, 0, 0};
	if (size)
		*summary = '\0';
	return ip_plan_stale(plan, withdraw_one, &w);
}

size_t ip_plan_settle(json_t *c, const char *date, const char *name, char *summary,
                      size_t size)
{
	char withdrawn[240];
	size_t n = ip_plan_withdraw(json_object_get(c, "plan"), date, withdrawn, sizeof withdrawn);
	if (!n)
		return 0;
	ip_warn(&(struct ip_where){name, 0, 0, NULL}, "the plan changed: approvals "
	        "withdrawn (%s); both sides must approve again", withdrawn);
	size_t len = strlen(summary);
	if (len < size)
		snprintf(summary + len, size - len, "; approvals withdrawn (%s)", withdrawn);
	return n;
}

/* ---- gaps --------------------------------------------------------------- */

struct gaps {
	const json_t *c, *plan;
	const char *today;
	const char *day;   /* the programmes' rules are those of this day */
	bool *excluded;    /* measures a rule excludes: no reduced amount for them */
	ip_gap_fn fn;
	void *ctx;
	size_t n;
};

static void gap(struct gaps *g, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void gap(struct gaps *g, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		ip_oom();
	va_end(ap);
	g->fn(path, msg, g->ctx);
	free(msg);
	g->n++;
}

static bool in_force(const json_t *m)
{
	const char *status = ip_str(m, "status");
	return !status || strcmp(status, "cancelled");
}

static bool pending(const json_t *m)
{
	const char *status = ip_str(m, "status");
	return in_force(m) && !(status && !strcmp(status, "done"));
}

static bool has_measure(const json_t *plan, const char *category)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(plan, "measures"), i, m)
		if (in_force(m) && !strcmp(ip_str(m, "category"), category))
			return true;
	return false;
}

static bool need_addressed(const json_t *plan, const char *need)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(plan, "measures"), i, m)
		if (in_force(m) && ip_ids_have(json_object_get(m, "addresses"), need))
			return true;
	return false;
}

static void check_needs(struct gaps *g, const json_t *a, size_t ai)
{
	size_t i;
	json_t *need;
	json_array_foreach(json_object_get(a, "needs"), i, need) {
		const char *cat = ip_str(need, "category");
		if (need_addressed(g->plan, cat))
			continue;
		char path[96];
		snprintf(path, sizeof path, "assessments[%zu].needs[%zu]", ai, i);
		const char *prio = ip_str(need, "priority");
		if (prio)
			gap(g, path, "need '%s' (%s) has no measure addressing it", cat, prio);
		else
			gap(g, path, "need '%s' has no measure addressing it", cat);
	}
}

/* The index of the first vulnerability of a that a rule's condition names. */
static long vulnerability_index(const json_t *a, const json_t *rule)
{
	const json_t *want = json_object_get(json_object_get(rule, "when"), "vulnerability");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(a, "vulnerabilities"), i, v)
		if (ip_ids_have(want, json_string_value(v)))
			return (long)i;
	return -1;
}

static void check_required(struct gaps *g, const struct ip_rules *rules, const json_t *a,
                           size_t ai)
{
	json_t *copy = json_deep_copy(a);
	json_t *fired = ip_rules_apply(rules, copy);
	size_t i, k;
	json_t *rule, *m;
	json_array_foreach(fired, i, rule) {
		long vi = vulnerability_index(a, rule);
		char path[96];
		if (vi >= 0)
			snprintf(path, sizeof path, "assessments[%zu].vulnerabilities[%ld]", ai, vi);
		else
			snprintf(path, sizeof path, "assessments[%zu]", ai);
		json_array_foreach(json_object_get(rule, "require"), k, m)
			if (!has_measure(g->plan, json_string_value(m)))
				gap(g, path, "rule %s requires a %s measure; the plan has none",
				    ip_str(rule, "id"), json_string_value(m));
	}
	json_decref(fired);
	json_decref(copy);
}

/* ---- budgets against the programmes' caps ------------------------------- */

struct household { int adults, minors; };

static bool is_minor(const json_t *member, const char *on, bool child)
{
	const char *birth = ip_str(member, "birth_date");
	int age = birth && on ? ip_years_between(birth, on) : -1;
	return age >= 0 ? age < 18 : child;
}

static struct household returning(const json_t *c, const char *on)
{
	struct household h = {0, 0};
	*(is_minor(json_object_get(c, "person"), on, false) ? &h.minors : &h.adults) += 1;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(c, "household"), i, m) {
		if (json_is_false(json_object_get(m, "returning")))
			continue;
		bool child = !strcmp(ip_str(m, "relation"), "child");
		*(is_minor(m, on, child) ? &h.minors : &h.adults) += 1;
	}
	return h;
}

static double number_at(const json_t *obj, const char *key, bool *present)
{
	const json_t *v = json_object_get(obj, key);
	*present = json_is_number(v);
	return *present ? json_number_value(v) : 0;
}

/* The cap's limit for the household, and which part of it binds. */
static double cap_limit(const json_t *cap, struct household h, const char **which)
{
	bool adult, minor, person, family;
	double per_adult = number_at(cap, "per_adult", &adult);
	double per_minor = number_at(cap, "per_minor", &minor);
	double per_person = number_at(cap, "per_person", &person);
	double fam = number_at(cap, "family", &family);
	double limit = -1;
	if (adult || minor) {
		limit = per_adult * h.adults + per_minor * h.minors;
		*which = N_("per adult and minor");
	}
	if (person && (limit < 0 || per_person * (h.adults + h.minors) < limit)) {
		limit = per_person * (h.adults + h.minors);
		*which = N_("per person");
	}
	if (family && (limit < 0 || fam < limit)) {
		limit = fam;
		*which = N_("family cap");
	}
	bool whole;
	double per_case = number_at(cap, "per_case", &whole);
	if (whole && (limit < 0 || per_case < limit)) {
		limit = per_case;
		*which = N_("per case");
	}
	return limit;
}

/* Does measure m, in force, have a budget that programme pays, for one of
 * the categories (any, for NULL)? */
static bool pays_for(const json_t *m, const char *programme, const json_t *categories)
{
	const char *payer = ip_str(json_object_get(m, "budget"), "programme");
	return in_force(m) && payer && !strcmp(payer, programme) &&
	       (!categories || ip_ids_have(categories, ip_str(m, "category")));
}

/* The payments made from a budget, summed. */
static double paid_total(const json_t *budget)
{
	double sum = 0;
	size_t i;
	json_t *payment;
	json_array_foreach(json_object_get(budget, "paid"), i, payment)
		sum += json_number_value(json_object_get(payment, "amount"));
	return sum;
}

/* Payments over a measure's approved budget, or in more instalments than
 * its programme pays in. */
static void check_payments(struct gaps *g)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(g->plan, "measures"), i, m) {
		const json_t *b = json_object_get(m, "budget");
		size_t n = json_array_size(json_object_get(b, "paid"));
		if (!n)
			continue;
		char path[96], paid[40], planned[40];
		snprintf(path, sizeof path, "plan.measures[%zu].budget.paid", i);
		double sum = paid_total(b);
		ip_format_amount(sum, paid);
		ip_format_amount(json_number_value(json_object_get(b, "amount")), planned);
		if (sum > json_number_value(json_object_get(b, "amount")))
			gap(g, path, ngettext("%s: %s %s paid in %zu payment, over the approved "
			                      "budget of %s %s", "%s: %s %s paid in %zu payments, over "
			                      "the approved budget of %s %s", n),
			    ip_str(m, "id"), paid, ip_str(b, "currency"), n, planned,
			    ip_str(b, "currency"));
		const char *payer = ip_str(b, "programme");
		const json_t *instalments = json_object_get(payer ? ip_programme(payer) : NULL,
		                                            "instalments");
		if (json_is_integer(instalments) && (json_int_t)n > json_integer_value(instalments))
			gap(g, path, "%s: %zu payments, but %s pays in %d instalments", ip_str(m, "id"),
			    n, payer, (int)json_integer_value(instalments));
	}
}

/* The budgets programme pays for the categories, in currency; the path of
 * the last one counted is left in last. A budget in another currency
 * cannot be added: it is reported (what: the cap or rule it is for). */
static double budgets_total(struct gaps *g, const char *programme, const json_t *categories,
                            const char *currency, const char *what, char last[96])
{
	double total = 0;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(g->plan, "measures"), i, m) {
		const json_t *b = json_object_get(m, "budget");
		if (!pays_for(m, programme, categories))
			continue;
		if (strcmp(ip_str(b, "currency"), currency)) {
			snprintf(last, 96, "plan.measures[%zu].budget.currency", i);
			gap(g, last, "%s %s: the budget is in %s, the cap in %s (convert it to check)",
			    programme, what, ip_str(b, "currency"), currency);
			continue;
		}
		/* what was paid counts when it is more than was planned */
		double planned = json_number_value(json_object_get(b, "amount"));
		double paid = paid_total(b);
		total += paid > planned ? paid : planned;
		snprintf(last, 96, "plan.measures[%zu].budget.amount", i);
	}
	return total;
}

/* "for 3 adults and 2 minors" */
static void household_say(struct household h, char out[96])
{
	char adults[40], minors[40];
	snprintf(adults, sizeof adults, ngettext("for %d adult", "for %d adults", h.adults),
	         h.adults);
	snprintf(minors, sizeof minors, ngettext("and %d minor", "and %d minors", h.minors),
	         h.minors);
	snprintf(out, 96, "%s %s", adults, minors);
}

static void check_cap(struct gaps *g, const char *programme, const json_t *cap,
                      struct household h)
{
	const char *currency = ip_str(cap, "currency");
	char last[96] = "";
	double total = budgets_total(g, programme, json_object_get(cap, "categories"), currency,
	                             ip_str(cap, "id"), last);
	const char *which = "";
	double limit = cap_limit(cap, h, &which);
	if (limit < 0 || total <= limit)
		return;
	char tot[40], lim[40], who[96];
	ip_format_amount(total, tot);
	ip_format_amount(limit, lim);
	household_say(h, who);
	struct ip_buf disputed = {0};
	size_t i;
	json_t *m;
	/* the sources' disagreement matters only where the family cap binds */
	json_array_foreach(strcmp(which, "family cap") ? NULL : json_object_get(cap, "disputed"), i, m) {
		char a[40];
		ip_format_amount(json_number_value(m), a);
		ip_buf_printf(&disputed, "%s%s", i ? ", " : _("; the sources disagree: "), a);
	}
	gap(g, last, "%s %s budgets total %s %s, over the cap of %s %s (%s, %s%s)", programme,
	    ip_str(cap, "id"), tot, currency, lim, currency, _(which), who,
	    disputed.s ? disputed.s : "");
	ip_buf_free(&disputed);
}

/* The programmes the measures' budgets name, each once, in plan order. */
static json_t *paying_programmes(const json_t *plan)
{
	json_t *ids = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(plan, "measures"), i, m) {
		const char *p = ip_str(json_object_get(m, "budget"), "programme");
		if (p && in_force(m) && !ip_ids_have(ids, p))
			json_array_append_new(ids, json_string(p));
	}
	return ids;
}

/* Who returns, counted as adults and minors on the day of departure (or
 * today, before one is planned): what caps and reduced amounts are for. */
static struct household returning_on_departure(const struct gaps *g)
{
	const char *on = departure_of(g->c) ? departure_of(g->c) : g->today;
	return returning(g->c, on);
}

/* "rule R, valid ..., applied on DAY: its note; source: URL, read DATE" */
static void rule_say(const struct gaps *g, const json_t *rule, struct ip_buf *out)
{
	ip_buf_printf(out, _("rule %s"), ip_str(rule, "id"));
	struct ip_buf valid = {0};
	ip_validity_say(rule, &valid);
	if (valid.s)
		ip_buf_printf(out, ", %s", valid.s);
	ip_buf_free(&valid);
	ip_buf_printf(out, _(", applied on %s"), g->day);
	if (ip_str(rule, "note"))
		ip_buf_printf(out, ": %s", ip_str(rule, "note"));
	ip_buf_printf(out, "; ");
	ip_source_say(rule, out);
}

/* A programme paid for a measure, or listed by the case, on a day it did
 * not run (it ended, or had not begun): the case is checked against the
 * rules of that day, which do not know it. */
static void check_programme_days(struct gaps *g, const json_t *ids)
{
	size_t i, k;
	json_t *id, *m;
	json_array_foreach(ids, i, id) {
		const json_t *p = ip_programme(json_string_value(id));
		if (!p || ip_valid_on(p, g->day))
			continue;
		struct ip_buf when = {0};
		ip_validity_say(p, &when);
		json_array_foreach(json_object_get(g->plan, "measures"), k, m) {
			if (!pays_for(m, json_string_value(id), NULL))
				continue;
			char path[96];
			snprintf(path, sizeof path, "plan.measures[%zu].budget.programme", k);
			gap(g, path, "%s is paid by %s, which did not run on %s (%s)", ip_str(m, "id"),
			    json_string_value(id), g->day, when.s ? when.s : "");
		}
		ip_buf_free(&when);
	}
}

/* A rule that excludes the person: each measure it covers is named. */
static void rule_excludes(struct gaps *g, const json_t *rule, const char *why)
{
	const char *programme = ip_str(rule, "programme");
	const json_t *cats = json_object_get(rule, "categories");
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(g->plan, "measures"), i, m) {
		if (!pays_for(m, programme, cats))
			continue;
		g->excluded[i] = true;
		char path[96];
		snprintf(path, sizeof path, "plan.measures[%zu].budget.programme", i);
		gap(g, path, "%s (%s) is paid by %s, which this person is not eligible for (%s)",
		    ip_str(m, "id"), ip_str(m, "category"), programme, why);
	}
	long k = -1;
	const json_t *listed = json_object_get(g->c, "programmes");
	for (size_t j = 0; !cats && j < json_array_size(listed); j++)
		if (!strcmp(json_string_value(json_array_get(listed, j)), programme))
			k = (long)j;
	if (k >= 0) {
		char path[48];
		snprintf(path, sizeof path, "programmes[%ld]", k);
		gap(g, path, "the case lists %s, which this person is not eligible for (%s)",
		    programme, why);
	}
}

/* A rule that allows a reduced amount only: over it when the rule gives
 * the amount, else each budget named, for the amount to be confirmed. */
static void rule_reduces(struct gaps *g, const json_t *rule, const char *why)
{
	const char *programme = ip_str(rule, "programme");
	const json_t *cats = json_object_get(rule, "categories");
	const char *which = "";
	struct household h = returning_on_departure(g);
	double limit = cap_limit(rule, h, &which);
	if (limit >= 0) {
		const char *currency = ip_str(rule, "currency") ? ip_str(rule, "currency") : "EUR";
		char last[96] = "", tot[40], lim[40], who[96];
		double total = budgets_total(g, programme, cats, currency, ip_str(rule, "id"), last);
		if (total <= limit)
			return;
		ip_format_amount(total, tot);
		ip_format_amount(limit, lim);
		household_say(h, who);
		gap(g, last, "%s budgets total %s %s, over the reduced amount of %s %s this person "
		    "is eligible for (%s, %s; %s)", programme, tot, currency, lim, currency,
		    _(which), who, why);
		return;
	}
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(g->plan, "measures"), i, m) {
		if (!pays_for(m, programme, cats) || g->excluded[i])
			continue;
		char path[96];
		snprintf(path, sizeof path, "plan.measures[%zu].budget.amount", i);
		gap(g, path, "%s (%s) is paid by %s at a reduced amount only for this person, which "
		    "programmes.yaml does not record: confirm it before it is paid (%s)",
		    ip_str(m, "id"), ip_str(m, "category"), programme, why);
	}
}

static bool rule_concerns(const struct gaps *g, const json_t *rule)
{
	const char *programme = ip_str(rule, "programme");
	const json_t *cats = json_object_get(rule, "categories");
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(g->plan, "measures"), i, m)
		if (pays_for(m, programme, cats))
			return true;
	return !cats && ip_ids_have(json_object_get(g->c, "programmes"), programme);
}

/* Apply rule when its effect is effect ("excluded" first, so that a
 * measure one rule excludes is not also named for a reduced amount). */
static void check_rule(struct gaps *g, const json_t *rule, const char *effect)
{
	if (strcmp(ip_str(rule, "effect"), effect) || !rule_concerns(g, rule))
		return;
	enum ip_applies applies = ip_rule_applies(rule, g->c, g->day);
	if (applies == IP_APPLIES_NO)
		return;
	struct ip_buf why = {0};
	rule_say(g, rule, &why);
	if (applies == IP_APPLIES_UNKNOWN)
		gap(g, "person", "cannot tell whether the budgets %s pays are allowed: the day the "
		    "person entered Germany (person.entered) is not recorded (%s)",
		    ip_str(rule, "programme"), why.s);
	else if (!strcmp(ip_str(rule, "effect"), "excluded"))
		rule_excludes(g, rule, why.s);
	else
		rule_reduces(g, rule, why.s);
	ip_buf_free(&why);
}

static void check_budgets(struct gaps *g)
{
	struct household h = returning_on_departure(g);
	json_t *ids = paying_programmes(g->plan);
	size_t i, k;
	json_t *id, *cap, *rule;
	check_programme_days(g, ids);
	json_array_foreach(ids, i, id) {
		const json_t *p = ip_programme(json_string_value(id));
		json_array_foreach(json_object_get(p, "caps"), k, cap)
			if (ip_valid_on(cap, g->day))
				check_cap(g, json_string_value(id), cap, h);
	}
	json_decref(ids);
	json_t *rules = ip_eligibility_on(g->day);
	g->excluded = ip_xcalloc(json_array_size(json_object_get(g->plan, "measures")) + 1,
	                         sizeof *g->excluded);
	json_array_foreach(rules, i, rule)
		check_rule(g, rule, "excluded");
	json_array_foreach(rules, i, rule)
		check_rule(g, rule, "reduced");
	free(g->excluded);
	g->excluded = NULL;
	json_decref(rules);
}

/* ---- dates -------------------------------------------------------------- */

static void check_measure_dates(struct gaps *g, const char *end, const char *end_rule)
{
	const char *departure = departure_of(g->c);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(g->plan, "measures"), i, m) {
		char due[11], path[96];
		if (!pending(m) || !ip_due_date(g->c, ip_str(m, "due"), due))
			continue;
		snprintf(path, sizeof path, "plan.measures[%zu].due", i);
		const char *side = ip_str(m, "side");
		if (departure && !strcmp(side, "return") && strcmp(due, departure) < 0)
			gap(g, path, "%s is due %s, before the departure on %s: a return-side "
			    "measure cannot start before the person is there", ip_str(m, "id"), due,
			    departure);
		else if (departure && !strcmp(side, "host") && strcmp(due, departure) > 0)
			gap(g, path, "%s is due %s, after the departure on %s: a host-side "
			    "measure must be done before it", ip_str(m, "id"), due, departure);
		if (end && strcmp(due, end) > 0)
			gap(g, path, "%s is due %s, after the end of assistance on %s (%s)",
			    ip_str(m, "id"), due, end, end_rule);
	}
}

/* Is programme id used by the case: listed, paying a measure, or named
 * by one? */
static bool uses_programme(const json_t *c, const json_t *plan, const char *id)
{
	if (ip_ids_have(json_object_get(c, "programmes"), id))
		return true;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(plan, "measures"), i, m) {
		const char *pays = ip_str(json_object_get(m, "budget"), "programme");
		if (in_force(m) && ((pays && !strcmp(pays, id)) ||
		                    (ip_str(m, "programme") && !strcmp(ip_str(m, "programme"), id))))
			return true;
	}
	return false;
}

static long application_index(const json_t *plan, const char *id)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(plan, "measures"), i, m)
		if (in_force(m) && !strcmp(ip_str(m, "category"), "programme-application") &&
		    ip_str(m, "programme") && !strcmp(ip_str(m, "programme"), id))
			return (long)i;
	return -1;
}

static void check_application(struct gaps *g, const json_t *p)
{
	const char *id = ip_str(p, "id");
	const json_t *weeks = json_object_get(p, "apply_weeks_before_departure");
	if (!json_is_integer(weeks) || !uses_programme(g->c, g->plan, id))
		return;
	int w = (int)json_integer_value(weeks);
	long i = application_index(g->plan, id);
	if (i < 0) {
		gap(g, "plan.measures", "%s is used but the plan has no programme-application "
		    "measure for it (apply at least %d weeks before departure)", id, w);
		return;
	}
	const json_t *m = json_array_get(json_object_get(g->plan, "measures"), (size_t)i);
	const char *departure = departure_of(g->c);
	char due[11], latest[11], path[96];
	if (!pending(m) || !departure || !ip_due_date(g->c, ip_str(m, "due"), due) ||
	    !ip_date_add(departure, -w, 'w', latest) || strcmp(due, latest) <= 0)
		return;
	snprintf(path, sizeof path, "plan.measures[%ld].due", i);
	gap(g, path, "the %s application (%s) is due %s, later than %d weeks before the "
	    "departure on %s (%s at the latest)", id, ip_str(m, "id"), due, w, departure, latest);
}

static void check_applications(struct gaps *g)
{
	size_t i;
	json_t *p;
	json_array_foreach(ip_programmes(), i, p)
		check_application(g, p);
}

static void stale_gap(size_t i, const json_t *a, void *ctx)
{
	char path[48];
	snprintf(path, sizeof path, "plan.approvals[%zu]", i);
	gap(ctx, path, "the %s side's approval (%s, %s) was given to other terms than the "
	    "plan has now (a measure added, removed, cancelled or changed since): it counts "
	    "as withdrawn", ip_str(a, "side"), ip_str(a, "by"), ip_str(a, "date"));
}

static void check_approvals(struct gaps *g, const char *agree_by, const char *agree_rule)
{
	ip_plan_stale(g->plan, stale_gap, g);
	const char *arrived = ip_str(json_object_get(g->c, "return"), "arrived");
	bool late = arrived && agree_by && strcmp(g->today, agree_by) > 0;
	static const char *const sides[] = {"host", "return"};
	for (size_t i = 0; i < 2; i++) {
		if (ip_plan_approval(g->plan, sides[i]))
			continue;
		if (late)
			gap(g, "plan.approvals", "not approved by the %s side; the plan was to be "
			    "agreed by %s (%s)", sides[i], agree_by, agree_rule);
		else
			gap(g, "plan.approvals", "not approved by the %s side", sides[i]);
	}
}

size_t ip_plan_gaps(const json_t *c, const struct ip_rules *rules,
                    const struct ip_limits *lim, const char *today, const char *as_of,
                    ip_gap_fn fn, void *ctx)
{
	const json_t *plan = json_object_get(c, "plan");
	char day[11];
	if (as_of)
		snprintf(day, sizeof day, "%s", as_of);
	else
		ip_application_day(c, today, day);
	struct gaps g = {c, plan, today, day, NULL, fn, ctx, 0};
	if (!json_array_size(json_object_get(plan, "measures"))) {
		gap(&g, "plan", "no plan yet (ip-plan new CASE --template NAME)");
		return g.n;
	}
	const json_t *list = json_object_get(c, "assessments");
	size_t ai = json_array_size(list);
	if (ai) {
		const json_t *latest = json_array_get(list, ai - 1);
		check_needs(&g, latest, ai - 1);
		if (rules)
			check_required(&g, rules, latest, ai - 1);
	}
	check_budgets(&g);
	check_payments(&g);
	const json_t *settings = ip_plan_settings(lim);
	const char *end_rule = ip_str(settings, "assistance_ends");
	const char *agree_rule = ip_str(settings, "agree_by");
	char end[11], agree_by[11];
	bool has_end = ip_due_date(c, end_rule, end);
	bool has_agree = ip_due_date(c, agree_rule, agree_by);
	check_measure_dates(&g, has_end ? end : NULL, end_rule);
	check_applications(&g);
	check_approvals(&g, has_agree ? agree_by : NULL, agree_rule);
	return g.n;
}

int ip_plan_templates_print(void)
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
		       ip_str(title, "de") ? ip_str(title, "de") : "", ip_str(title, "en"));
		json_decref(t);
	}
	json_decref(names);
	return IP_EXIT_OK;
}
