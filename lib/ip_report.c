#include "ip_report.h"
#include "ip_buf.h"
#include "ip_partial.h"
#include "ip_budget.h"
#include "ip_case.h"
#include "ip_csv.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_i18n.h"
#include "ip_outcomes.h"
#include "ip_period.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 32

const char *const ip_report_fields[] = {
	/* marked: report tables show them in the user's language */
	N_("status"), N_("outcome"), N_("centre"), N_("state"), N_("country"), N_("region"),
	N_("sex"), N_("age"), N_("vulnerability"), N_("programme"), N_("measure"),
	N_("referral"), N_("year"), N_("quarter"), N_("month"), N_("departure-year"),
	N_("departure-quarter"), N_("departure-month"), N_("counsellor"), NULL};
const size_t ip_report_nfields = sizeof ip_report_fields / sizeof *ip_report_fields - 1;

bool ip_report_field_known(const char *field)
{
	for (const char *const *f = ip_report_fields; *f; f++)
		if (!strcmp(*f, field))
			return true;
	return false;
}

struct ip_report {
	struct ip_report_query q;
	char from[11], to[11];  /* indicators, outcomes, budget: the period */
	json_t *partial;
	json_t *groups;         /* summary: key -> count */
	json_t *counts;         /* kpi: name -> count */
	json_t *hist;           /* kpi: name -> {days -> count} */
	json_t *indicators;     /* indicators: name -> {total, sex, age, vulnerability} */
	json_t *outcomes;       /* outcomes: slot -> {due, done, ...} (ip_outcomes.h);
	                         * by a field: groups is value -> slot -> ... */
	json_t *budget;         /* budget: cell -> {approved, paid} (ip_budget.h) */
	json_int_t cases;
	/* The cell keys: for every count above, the sum of its cases' record
	 * keys modulo 2^32, in the same shape (ip_ckm.h). */
	json_t *kgroups, *kcounts, *khist, *kindicators, *koutcomes, *kbudget;
	uint32_t kcases;
	uint32_t rkey;          /* the record key of the case being counted */
	json_t *where_seen;     /* per --where: the values its field has */
	json_t *source;         /* {centre, repository}, or NULL */
	bool selection;         /* the source's cases are a selection ... */
	uint64_t ids;           /* ... named by the sum of their ids' hashes */
	struct ip_buf key;      /* summary: the group being counted, reused */
};

/* ---- values of a field -------------------------------------------------- */

struct values {
	char buf[MAX_VALUES][96];
	size_t n;
};

static void add_value(struct values *v, const char *s)
{
	if (v->n == MAX_VALUES)
		return;
	/* copied, cut at the buffer's size: for every case and field of a
	 * report, so not by snprintf */
	char *out = v->buf[v->n++];
	size_t len = strnlen(*s ? s : "none", sizeof v->buf[0] - 1);
	memcpy(out, *s ? s : "none", len);
	out[len] = '\0';
}

static void add_list(struct values *v, const char *field)
{
	const char *cursor = field;
	char item[96];
	char *parts[1];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, 1, &np))
		add_value(v, parts[0]);
	if (!v->n)
		add_value(v, "none");
}

static void add_period(struct values *v, const char *date, const char *unit)
{
	char s[24];
	/* an erased case keeps its year only */
	if (!*date || (strcmp(unit, "year") && strlen(date) < 7))
		snprintf(s, sizeof s, "none");
	else
		ip_period_of(date, unit, s);
	add_value(v, s);
}

static void age_band(const struct ip_report *r, char *f[], struct values *v)
{
	char s[16];
	add_value(v, ip_facts_age_band(r->q.age_bands, f, s));
}

static void values_of(const struct ip_report *r, const char *field, char *f[],
                      struct values *v)
{
	static const struct { const char *name; enum ip_fact fact; } scalars[] = {
		{"status", IP_F_STATUS}, {"outcome", IP_F_OUTCOME}, {"centre", IP_F_CENTRE},
		{"state", IP_F_STATE}, {"country", IP_F_COUNTRY}, {"region", IP_F_REGION},
		{"sex", IP_F_SEX}, {"counsellor", IP_F_COUNSELLOR}};
	static const struct { const char *name; enum ip_fact fact; } lists[] = {
		{"vulnerability", IP_F_VULNS}, {"programme", IP_F_PROGRAMMES},
		{"measure", IP_F_MEASURES}, {"referral", IP_F_REFERRALS}};
	char buf[96];
	v->n = 0;
	for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++)
		if (!strcmp(field, scalars[i].name)) {
			add_value(v, ip_facts_value(f[scalars[i].fact], buf, sizeof buf));
			return;
		}
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
		if (!strcmp(field, lists[i].name)) {
			add_list(v, f[lists[i].fact]);
			return;
		}
	if (!strcmp(field, "age"))
		age_band(r, f, v);
	else if (!strncmp(field, "departure-", 10))
		add_period(v, f[IP_F_DEPARTED], field + 10);
	else
		add_period(v, f[IP_F_OPENED], field);
}

/* Does the case pass the filters? Every value of a --where field is kept
 * (up to a bound), so that a value no case has can be named afterwards. */
static bool matches(struct ip_report *r, char *f[])
{
	bool pass = !((r->q.since && strcmp(f[IP_F_OPENED], r->q.since) < 0) ||
	              (r->q.until && strcmp(f[IP_F_OPENED], r->q.until) > 0));
	size_t i;
	json_t *w;
	json_array_foreach(r->q.where, i, w) {
		struct values v;
		const char *want = json_string_value(json_array_get(w, 1));
		json_t *seen = json_array_get(r->where_seen, i);
		values_of(r, json_string_value(json_array_get(w, 0)), f, &v);
		bool any = false;
		for (size_t k = 0; k < v.n; k++) {
			any |= !strcmp(v.buf[k], want);
			if (json_object_size(seen) < 256)
				json_object_set_new(seen, v.buf[k], json_true());
		}
		pass = pass && any;
	}
	return pass;
}

int ip_report_unmatched(const struct ip_report *r)
{
	int unmatched = 0;
	size_t i;
	json_t *w;
	json_array_foreach(r->q.where, i, w) {
		const char *field = json_string_value(json_array_get(w, 0));
		const char *want = json_string_value(json_array_get(w, 1));
		const json_t *seen = json_array_get(r->where_seen, i);
		if (json_object_get(seen, want))
			continue;
		const char *cands[256];
		size_t n = 0;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)seen, k, v)
			cands[n++] = k;
		ip_warn(&(struct ip_where){NULL, 0, 0, "--where"}, "no case has %s=%s%s", field, want,
		        ip_did_you_mean(ip_nearest(want, cands, n)));
		unmatched++;
	}
	return unmatched;
}

/* ---- counting ----------------------------------------------------------- */


/* One more at name: the count and its cell key. */
static void tally(json_t *counts, json_t *keys, const char *name, uint32_t rkey)
{
	ip_partial_count(counts, name, 1);
	ip_partial_add_key(keys, name, rkey);
}

/* Count the case in every combination of its values of the fields. */
static void count_groups(struct ip_report *r, char *f[], size_t depth, struct ip_buf *key)
{
	size_t nby = json_array_size(r->q.by);
	if (depth == nby) {
		tally(r->groups, r->kgroups, key->s ? key->s : "", r->rkey);
		return;
	}
	struct values v;
	values_of(r, json_string_value(json_array_get(r->q.by, depth)), f, &v);
	size_t len = key->len;
	for (size_t i = 0; i < v.n; i++) {
		if (depth)
			ip_buf_puts(key, IP_PARTIAL_KEY_SEP);
		ip_buf_puts(key, v.buf[i]);
		count_groups(r, f, depth + 1, key);
		key->len = len;
		if (key->s)
			key->s[len] = '\0';
	}
}

static void add_hist(struct ip_report *r, const char *name, long days)
{
	json_t *h = json_object_get(r->hist, name);
	if (!h)
		json_object_set_new(r->hist, name, h = json_object());
	char key[24];
	snprintf(key, sizeof key, "%ld", days);
	ip_partial_count(h, key, 1);
	ip_partial_add_key(r->khist, name, r->rkey);  /* one key per histogram: its basis */
}

static void count_referrals(struct ip_report *r, const char *list)
{
	const char *cursor = list;
	char item[96];
	char *parts[1];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, 1, &np)) {
		const char *s = parts[0];
		tally(r->counts, r->kcounts, "referrals", r->rkey);
		if (strcmp(s, "pending"))
			tally(r->counts, r->kcounts, "referrals_answered", r->rkey);
		if (!strcmp(s, "accepted") || !strcmp(s, "done") || !strcmp(s, "revoked"))
			tally(r->counts, r->kcounts, "referrals_accepted", r->rkey);
	}
}

static void count_follow_ups(struct ip_report *r, const char *list)
{
	const char *cursor = list;
	char item[96];
	char *parts[2];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, 2, &np)) {
		const char *due = parts[0], *done = np > 1 ? parts[1] : "";
		if (!*due || strcmp(due, r->q.today) > 0)
			continue;  /* not due yet */
		tally(r->counts, r->kcounts, "follow_ups_due", r->rkey);
		if (*done && strcmp(done, due) <= 0)
			tally(r->counts, r->kcounts, "follow_ups_on_time", r->rkey);
	}
}

static void count_overdue(struct ip_report *r, const char *list)
{
	const char *cursor = list;
	char item[512];
	char *parts[4];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, 4, &np))
		if (!strcmp(parts[0], "measure") && np > 1 && strcmp(parts[1], r->q.today) < 0)
			tally(r->counts, r->kcounts, "measures_overdue", r->rkey);
}

static void count_kpi(struct ip_report *r, char *f[])
{
	tally(r->counts, r->kcounts, "cases", r->rkey);
	bool closed = !strcmp(f[IP_F_STATUS], "closed");
	tally(r->counts, r->kcounts, closed ? "closed" : "open", r->rkey);
	if (closed && *f[IP_F_OUTCOME]) {
		char key[64];
		snprintf(key, sizeof key, "outcome:%s", f[IP_F_OUTCOME]);
		tally(r->counts, r->kcounts, key, r->rkey);
	}
	if (*f[IP_F_DEPARTED])
		add_hist(r, "intake_to_departure", ip_days_between(f[IP_F_OPENED], f[IP_F_DEPARTED]));
	if (*f[IP_F_ARRIVED] && *f[IP_F_AGREED] && strcmp(f[IP_F_AGREED], f[IP_F_ARRIVED]) >= 0)
		add_hist(r, "arrival_to_plan", ip_days_between(f[IP_F_ARRIVED], f[IP_F_AGREED]));
	count_referrals(r, f[IP_F_REFERRALS]);
	count_follow_ups(r, f[IP_F_FOLLOW_UPS]);
	count_overdue(r, f[IP_F_DUE]);
}

/* The vulnerabilities of the latest assessment dated by the day to. */
static void vulnerabilities_by(const char *assessed, const char *to, struct values *v)
{
	const char *cursor = assessed;
	char item[160], latest[11] = "";
	char *parts[2];
	int np;
	v->n = 0;
	while (ip_facts_next(&cursor, item, sizeof item, parts, 2, &np))
		if (strcmp(parts[0], to) <= 0 && strcmp(parts[0], latest) > 0)
			snprintf(latest, sizeof latest, "%s", parts[0]);
	cursor = assessed;
	while (*latest && ip_facts_next(&cursor, item, sizeof item, parts, 2, &np))
		if (!strcmp(parts[0], latest) && np > 1 && *parts[1])
			add_value(v, parts[1]);
	if (!v->n)
		add_value(v, "none");
}

static void count_indicator(struct ip_report *r, const json_t *def, char *f[])
{
	const char *name = ip_str(def, "id");
	json_t *ind = json_object_get(r->indicators, name);
	json_t *kind = json_object_get(r->kindicators, name);
	tally(ind, kind, "total", r->rkey);
	size_t b;
	json_t *breakdown;
	json_array_foreach(json_object_get(r->q.indicators, "breakdowns"), b, breakdown) {
		const char *by_name = json_string_value(breakdown);
		struct values v;
		json_t *by = json_object_get(ind, by_name);
		json_t *kby = json_object_get(kind, by_name);
		if (!strcmp(by_name, "vulnerability"))
			vulnerabilities_by(f[IP_F_ASSESSED], r->to, &v);
		else
			values_of(r, by_name, f, &v);
		for (size_t i = 0; i < v.n; i++)
			tally(by, kby, v.buf[i], r->rkey);
	}
}

/* Was a measure of side begun by the day by? One from before measures
 * recorded the day (started empty) counts. */
static bool begun_by(const char *assisted, const char *side, const char *by)
{
	const char *cursor = assisted;
	char item[64];
	char *parts[2];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, 2, &np))
		if (!strcmp(parts[0], side) && (np < 2 || !*parts[1] || strcmp(parts[1], by) <= 0))
			return true;
	return false;
}

/* Each indicator of the definitions, from the dates the case records as
 * of the period's end: reporting a past period again gives the same. */
static void count_indicators(struct ip_report *r, char *f[])
{
	size_t i;
	json_t *def;
	json_array_foreach(json_object_get(r->q.indicators, "indicators"), i, def) {
		const char *side = ip_str(def, "assisted");
		if (!strcmp(ip_str(def, "when"), "departure")) {
			/* a return the partner reported by its arrival is a return too */
			const char *left = *f[IP_F_DEPARTED] ? f[IP_F_DEPARTED] : f[IP_F_ARRIVED];
			if (!ip_period_within(left, r->from, r->to) ||
			    (side && !begun_by(f[IP_F_ASSISTED], side, left)))
				continue;
		} else if (!*f[IP_F_ARRIVED] || strcmp(f[IP_F_ARRIVED], r->to) > 0 ||
		           (*f[IP_F_CLOSED] && strcmp(f[IP_F_CLOSED], r->from) < 0) ||
		           (side && !begun_by(f[IP_F_ASSISTED], side, r->to))) {
			continue;
		}
		count_indicator(r, def, f);
	}
}

/* The follow-ups due in the period, in all and in each group of the case. */
static void count_outcomes(struct ip_report *r, char *f[])
{
	const char *survey = ip_str(r->q.survey, "id");
	ip_outcomes_count(r->outcomes, r->koutcomes, f[IP_F_OUTCOMES], survey, r->from, r->to,
	                  r->rkey);
	const char *by = json_string_value(json_array_get(r->q.by, 0));
	if (!by)
		return;
	struct values v;
	if (!strcmp(by, "vulnerability"))
		vulnerabilities_by(f[IP_F_ASSESSED], r->to, &v);
	else
		values_of(r, by, f, &v);
	for (size_t i = 0; i < v.n; i++) {
		json_t *group = json_object_get(r->groups, v.buf[i]);
		if (!group) {
			json_object_set_new(r->groups, v.buf[i], group = json_object());
			json_object_set_new(r->kgroups, v.buf[i], json_object());
		}
		ip_outcomes_count(group, json_object_get(r->kgroups, v.buf[i]), f[IP_F_OUTCOMES],
		                  survey, r->from, r->to, r->rkey);
	}
}

void ip_report_add(struct ip_report *r, char *fields[IP_NFACTS])
{
	if (!matches(r, fields))
		return;
	r->cases++;
	/* a case id as 64 bits, for the sum naming a selection */
	r->ids += ip_mix64(ip_fnv1a(fields[IP_F_ID], IP_FNV_BASIS));
	r->rkey = (uint32_t)strtoul(fields[IP_F_RKEY], NULL, 10);
	r->kcases += r->rkey;
	if (!strcmp(r->q.kind, "summary")) {
		r->key.len = 0;
		if (r->key.s)
			r->key.s[0] = '\0';
		count_groups(r, fields, 0, &r->key);
	} else if (!strcmp(r->q.kind, "kpi")) {
		count_kpi(r, fields);
	} else if (!strcmp(r->q.kind, "outcomes")) {
		count_outcomes(r, fields);
	} else if (!strcmp(r->q.kind, "budget")) {
		ip_budget_count(r->budget, r->kbudget, fields[IP_F_BUDGETS], fields[IP_F_AGREED],
		                json_string_value(json_array_get(r->q.by, 0)), r->from, r->to,
		                r->rkey);
	} else {
		count_indicators(r, fields);
	}
}

/* ---- partials ----------------------------------------------------------- */

static json_t *filter_of(const struct ip_report_query *q)
{
	json_t *f = json_object();
	if (q->since)
		json_object_set_new(f, "since", json_string(q->since));
	if (q->until)
		json_object_set_new(f, "until", json_string(q->until));
	if (json_array_size(q->where))
		json_object_set(f, "where", q->where);
	return f;
}

struct ip_report *ip_report_new(const struct ip_report_query *q)
{
	struct ip_report *r = ip_xcalloc(1, sizeof *r);
	r->q = *q;
	r->partial = json_pack("{s:s, s:s, s:o}", "schema", IP_REPORT_SCHEMA, "report", q->kind,
	                       "filter", filter_of(q));
	r->groups = json_object();
	r->counts = json_object();
	r->hist = json_object();
	r->indicators = json_object();
	r->kgroups = json_object();
	r->kcounts = json_object();
	r->khist = json_object();
	r->kindicators = json_object();
	r->outcomes = json_object();
	r->koutcomes = json_object();
	r->budget = json_object();
	r->kbudget = json_object();
	r->where_seen = json_array();
	for (size_t i = 0; i < json_array_size(q->where); i++)
		json_array_append_new(r->where_seen, json_object());
	if (!strcmp(q->kind, "budget"))
		ip_period_range(q->period, r->from, r->to);
	if (!strcmp(q->kind, "outcomes")) {
		ip_period_range(q->period, r->from, r->to);
		json_object_set_new(r->partial, "survey", ip_outcomes_survey(q->survey));
	}
	if (!strcmp(q->kind, "indicators")) {
		ip_period_range(q->period, r->from, r->to);
		size_t i;
		json_t *def;
		json_array_foreach(json_object_get(q->indicators, "indicators"), i, def) {
			json_t *counts = json_pack("{s:i}", "total", 0);
			size_t b;
			json_t *by;
			json_array_foreach(json_object_get(q->indicators, "breakdowns"), b, by)
				json_object_set_new(counts, json_string_value(by), json_object());
			json_object_set_new(r->indicators, ip_str(def, "id"), json_deep_copy(counts));
			json_object_set_new(r->kindicators, ip_str(def, "id"), counts);
		}
		if (q->indicators) {
			char digest[IP_DIGEST_SIZE];
			ip_digest_json(q->indicators, digest);
			json_object_set_new(r->partial, "definitions", json_string(digest));
		}
	}
	return r;
}


void ip_report_source(struct ip_report *r, const char *centre, const char *repository,
                       bool selection)
{
	json_decref(r->source);
	r->source = json_pack("{s:s, s:s}", "centre", centre, "repository", repository);
	r->selection = selection;
}


json_t *ip_report_finish(struct ip_report *r)
{
	json_t *p = r->partial;
	if (r->source) {
		json_t *src = json_copy(r->source);
		if (r->selection)
			json_object_set_new(src, "selection", json_sprintf("%016llx",
			                    (unsigned long long)r->ids));
		json_object_set_new(p, "sources", json_pack("[o]", src));
	}
	json_object_set_new(p, "cases", json_integer(r->cases));
	json_t *keys = json_pack("{s:I}", "cases", (json_int_t)r->kcases);
	if (!strcmp(r->q.kind, "summary")) {
		json_object_set(p, "by", r->q.by);
		json_object_set_new(p, "groups", ip_partial_sorted(r->groups));
		json_object_set_new(keys, "groups", ip_partial_sorted(r->kgroups));
	} else if (!strcmp(r->q.kind, "kpi")) {
		json_object_set_new(p, "today", json_string(r->q.today));
		json_object_set_new(p, "counts", ip_partial_sorted(r->counts));
		json_object_set_new(p, "histograms", ip_partial_sorted(r->hist));
		json_object_set_new(keys, "counts", ip_partial_sorted(r->kcounts));
		json_object_set_new(keys, "histograms", ip_partial_sorted(r->khist));
	} else if (!strcmp(r->q.kind, "outcomes")) {
		json_object_set_new(p, "period", json_string(r->q.period));
		json_object_set_new(p, "outcomes", ip_partial_sorted(r->outcomes));
		json_object_set_new(keys, "outcomes", ip_partial_sorted(r->koutcomes));
		if (json_array_size(r->q.by)) {
			json_object_set(p, "by", r->q.by);
			json_object_set_new(p, "groups", ip_partial_sorted(r->groups));
			json_object_set_new(keys, "groups", ip_partial_sorted(r->kgroups));
		}
	} else if (!strcmp(r->q.kind, "budget")) {
		json_object_set_new(p, "period", json_string(r->q.period));
		json_object_set(p, "by", r->q.by);
		json_object_set_new(p, "budget", ip_partial_sorted(r->budget));
		json_object_set_new(keys, "budget", ip_partial_sorted(r->kbudget));
	} else {
		json_object_set_new(p, "period", json_string(r->q.period));
		json_object_set_new(p, "indicators", ip_partial_sorted(r->indicators));
		json_object_set_new(keys, "indicators", ip_partial_sorted(r->kindicators));
	}
	json_object_set_new(p, "keys", keys);
	json_decref(r->groups);
	json_decref(r->counts);
	json_decref(r->hist);
	json_decref(r->indicators);
	json_decref(r->kgroups);
	json_decref(r->kcounts);
	json_decref(r->khist);
	json_decref(r->kindicators);
	json_decref(r->outcomes);
	json_decref(r->koutcomes);
	json_decref(r->budget);
	json_decref(r->kbudget);
	json_decref(r->where_seen);
	json_decref(r->source);
	ip_buf_free(&r->key);
	free(r);
	ip_partial_seal(p);
	return p;
}


int ip_report_by(struct ip_report_query *q, const char *fields, const char *label)
{
	int problems = 0;
	q->by = ip_csv_list(fields);
	size_t i;
	json_t *f;
	json_array_foreach(q->by, i, f)
		if (!ip_report_field_known(json_string_value(f))) {
			const char *near = ip_nearest(json_string_value(f),
			                              (const char **)ip_report_fields, ip_report_nfields);
			ip_error(&(struct ip_where){NULL, 0, 0, label}, "no field '%s'%s",
			         json_string_value(f), ip_did_you_mean(near));
			problems++;
		}
	return problems;
}

int ip_report_where(struct ip_report_query *q, const char *text, const char *label)
{
	const char *eq = strchr(text, '=');
	char *field = eq ? ip_xasprintf("%.*s", (int)(eq - text), text) : NULL;
	bool known = eq && ip_report_field_known(field);
	if (!known)
		ip_error(&(struct ip_where){NULL, 0, 0, label}, "'%s' is not FIELD=VALUE with a "
		         "field of --by", text);
	else
		json_array_append_new(q->where, json_pack("[s, s]", field, eq + 1));
	free(field);
	return !known;
}
