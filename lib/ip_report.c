#include "ip_report.h"
#include "ip_case.h"
#include "ip_ckm.h"
#include "ip_codes.h"
#include "ip_csv.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_table.h"
#include "ip_vocab.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No repository has this many cases: a larger count is a forged or
 * damaged partial, and no sum of partials comes near overflowing. */
#define COUNT_MAX 1000000000000LL

/* Keys of a summary group join their values with the unit separator. */
#define KEY_SEP "\x1f"
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
	char from[11], to[11];  /* indicators: the period */
	json_t *partial;
	json_t *groups;         /* summary: key -> count */
	json_t *counts;         /* kpi: name -> count */
	json_t *hist;           /* kpi: name -> {days -> count} */
	json_t *indicators;     /* indicators: name -> {total, sex, age, vulnerability} */
	json_int_t cases;
	/* The cell keys: for every count above, the sum of its cases' record
	 * keys modulo 2^32, in the same shape (ip_ckm.h). */
	json_t *kgroups, *kcounts, *khist, *kindicators;
	uint32_t kcases;
	uint32_t rkey;          /* the record key of the case being counted */
	json_t *where_seen;     /* per --where: the values its field has */
	json_t *source;         /* {centre, repository}, or NULL */
	bool selection;         /* the source's cases are a selection ... */
	uint64_t ids;           /* ... named by the sum of their ids' hashes */
};

/* ---- values of a field -------------------------------------------------- */

struct values {
	char buf[MAX_VALUES][96];
	size_t n;
};

static void add_value(struct values *v, const char *s)
{
	if (v->n < MAX_VALUES)
		snprintf(v->buf[v->n++], sizeof v->buf[0], "%s", *s ? s : "none");
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

static void add_period(struct values *v, const char *date, char unit)
{
	char s[24];
	if (!*date)
		snprintf(s, sizeof s, "none");
	else if (unit == 'y')
		snprintf(s, sizeof s, "%.4s", date);
	else if (unit == 'q')
		snprintf(s, sizeof s, "%.4s-Q%d", date, (atoi(date + 5) + 2) / 3);
	else
		snprintf(s, sizeof s, "%.7s", date);
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
		add_period(v, f[IP_F_DEPARTED], field[10]);
	else
		add_period(v, f[IP_F_OPENED], field[0]);
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

static void bump(json_t *obj, const char *key, json_int_t by)
{
	json_t *c = json_object_get(obj, key);
	if (c)
		json_integer_set(c, json_integer_value(c) + by);
	else
		json_object_set_new(obj, key, json_integer(by));
}

/* The cell key of a count: its cases' record keys, summed modulo 2^32. */
static void add_key(json_t *keys, const char *name, uint32_t rkey)
{
	uint32_t sum = (uint32_t)json_integer_value(json_object_get(keys, name)) + rkey;
	json_object_set_new(keys, name, json_integer(sum));
}

/* One more at name: the count and its cell key. */
static void tally(json_t *counts, json_t *keys, const char *name, uint32_t rkey)
{
	bump(counts, name, 1);
	add_key(keys, name, rkey);
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
			ip_buf_puts(key, KEY_SEP);
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
	bump(h, key, 1);
	add_key(r->khist, name, r->rkey);  /* one key per histogram: its basis */
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

static bool within(const char *date, const char *from, const char *to)
{
	return *date && strcmp(date, from) >= 0 && strcmp(date, to) <= 0;
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
			if (!within(left, r->from, r->to) ||
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
		struct ip_buf key = {0};
		count_groups(r, fields, 0, &key);
		ip_buf_free(&key);
	} else if (!strcmp(r->q.kind, "kpi")) {
		count_kpi(r, fields);
	} else {
		count_indicators(r, fields);
	}
}

/* ---- partials ----------------------------------------------------------- */

bool ip_report_period(const char *p, char from[11], char to[11])
{
	size_t n = strlen(p);
	char first[11];
	int months;
	if (n == 4 && strspn(p, "0123456789") == 4) {
		snprintf(first, sizeof first, "%s-01-01", p);
		months = 12;
	} else if (n == 7 && p[4] == '-' && p[5] == 'Q' && p[6] >= '1' && p[6] <= '4' &&
	           strspn(p, "0123456789") == 4) {
		snprintf(first, sizeof first, "%.4s-%02d-01", p, (p[6] - '1') * 3 + 1);
		months = 3;
	} else if (n == 7 && p[4] == '-') {
		snprintf(first, sizeof first, "%s-01", p);
		months = 1;
	} else {
		return false;
	}
	char next[11];
	if (!ip_date_valid(first) || !ip_date_add(first, months, 'm', next))
		return false;
	memcpy(from, first, 11);
	return ip_date_add(next, -1, 'd', to);
}

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
	r->where_seen = json_array();
	for (size_t i = 0; i < json_array_size(q->where); i++)
		json_array_append_new(r->where_seen, json_object());
	if (!strcmp(q->kind, "indicators")) {
		ip_report_period(q->period, r->from, r->to);
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

static int by_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of an object with its keys sorted, so partials are deterministic. */
static json_t *sorted(const json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = ip_xcalloc(n ? n : 1, sizeof *keys);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof *keys, by_key);
	json_t *out = json_object();
	for (i = 0; i < n; i++) {
		json_t *val = json_object_get(obj, keys[i]);
		json_object_set_new(out, keys[i], json_is_object(val) ? sorted(val) : json_copy(val));
	}
	free(keys);
	return out;
}

void ip_report_source(struct ip_report *r, const char *centre, const char *repository,
                       bool selection)
{
	json_decref(r->source);
	r->source = json_pack("{s:s, s:s}", "centre", centre, "repository", repository);
	r->selection = selection;
}

/* The digest of a partial: over all of it but the digest itself. */
static void partial_digest(const json_t *p, char out[IP_DIGEST_SIZE])
{
	json_t *copy = json_copy((json_t *)p);
	json_object_del(copy, "digest");
	ip_digest_json(copy, out);
	json_decref(copy);
}

static void seal(json_t *p)
{
	char digest[IP_DIGEST_SIZE];
	partial_digest(p, digest);
	json_object_set_new(p, "digest", json_string(digest));
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
		json_object_set_new(p, "groups", sorted(r->groups));
		json_object_set_new(keys, "groups", sorted(r->kgroups));
	} else if (!strcmp(r->q.kind, "kpi")) {
		json_object_set_new(p, "today", json_string(r->q.today));
		json_object_set_new(p, "counts", sorted(r->counts));
		json_object_set_new(p, "histograms", sorted(r->hist));
		json_object_set_new(keys, "counts", sorted(r->kcounts));
		json_object_set_new(keys, "histograms", sorted(r->khist));
	} else {
		json_object_set_new(p, "period", json_string(r->q.period));
		json_object_set_new(p, "indicators", sorted(r->indicators));
		json_object_set_new(keys, "indicators", sorted(r->kindicators));
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
	json_decref(r->where_seen);
	json_decref(r->source);
	free(r);
	seal(p);
	return p;
}

/* Add the numbers of from into into, recursively: counts as they are,
 * cell keys (keys) as sums modulo 2^32, so that merged partials have the
 * keys one repository of all their cases would have. */
static void add_numbers(json_t *into, const json_t *from, bool keys)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)from, k, v) {
		json_t *have = json_object_get(into, k);
		if (json_is_integer(v) && keys)
			add_key(into, k, (uint32_t)json_integer_value(v));
		else if (json_is_integer(v))
			bump(into, k, json_integer_value(v));
		else if (json_is_object(v) && json_is_object(have))
			add_numbers(have, v, keys);
		else if (json_is_object(v))
			json_object_set_new(into, k, json_deep_copy(v));
	}
}

/* Only the same report over the same fields, filters and period adds up. */
static int same_report(const json_t *into, const json_t *part, const char *name)
{
	static const char *const same[] = {"schema", "report", "filter", "by", "period", "today",
	                                   "definitions"};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		const json_t *a = json_object_get(into, same[i]), *b = json_object_get(part, same[i]);
		if ((a || b) && !(a && b && json_equal((json_t *)a, (json_t *)b))) {
			ip_error(&(struct ip_where){name, 0, 0, same[i]}, "differs from the first "
			         "partial's: only the same report over the same fields, filters and "
			         "period can be merged");
			return IP_EXIT_DATAERR;
		}
	}
	return IP_EXIT_OK;
}

int ip_report_merge(json_t *into, const json_t *part, const char *name)
{
	if (same_report(into, part, name))
		return IP_EXIT_DATAERR;
	static const char *const parts[] = {"groups", "counts", "histograms", "indicators"};
	bump(into, "cases", json_integer_value(json_object_get(part, "cases")));
	if (json_integer_value(json_object_get(into, "cases")) > COUNT_MAX) {
		ip_error(&(struct ip_where){name, 0, 0, "cases"}, "the merged partials count more "
		         "than %lld cases: one of them is not a real partial", (long long)COUNT_MAX);
		return IP_EXIT_DATAERR;
	}
	json_array_extend(json_object_get(into, "sources"), json_object_get(part, "sources"));
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		const json_t *from = json_object_get(part, parts[i]);
		json_t *to = json_object_get(into, parts[i]);
		if (from && to)
			add_numbers(to, from, false);
	}
	add_numbers(json_object_get(into, "keys"), json_object_get(part, "keys"), true);
	static const char *const sortable[] = {"groups", "counts", "histograms", "indicators",
	                                       "keys"};
	for (size_t i = 0; i < sizeof sortable / sizeof *sortable; i++)
		if (json_object_get(into, sortable[i]))
			json_object_set_new(into, sortable[i], sorted(json_object_get(into, sortable[i])));
	return IP_EXIT_OK;
}

/* ---- tables ------------------------------------------------------------- */

static json_t *table(const char *title, json_t *columns)
{
	return json_pack("{s:s, s:o, s:[]}", "title", title, "columns", columns, "rows");
}

/* A value of a field as a row shows it: in German (or another catalogue's
 * language) the vocabulary's label; English keeps the ids, which are
 * English words and what scripts reading the CSV compare. */
static json_t *shown(const char *field, const char *value, size_t len)
{
	static const struct { const char *field, *vocab; } vocabs[] = {
		{"status", "case-status"}, {"outcome", "closure-outcome"}, {"sex", "sex"},
		{"vulnerability", "vulnerability"}, {"measure", "measure"}};
	const char *lang = ip_i18n_lang();
	char *id = ip_xasprintf("%.*s", (int)len, value);
	const char *label = id;
	if (strcmp(lang, "en")) {
		for (size_t i = 0; i < sizeof vocabs / sizeof *vocabs; i++)
			if (!strcmp(vocabs[i].field, field))
				label = ip_vocab_label(vocabs[i].vocab, id, lang);
		if (!strcmp(id, "none"))
			label = _("none");
	}
	json_t *s = json_string(label);
	free(id);
	return s;
}

/* ---- protection ----------------------------------------------------------- */

/* The count a table shows: perturbed by its cell key (ip_ckm.h), or exact
 * when there is no protection. */
static json_int_t shown_count(const struct ip_protect *pr, json_int_t n, const json_t *key)
{
	return pr->ptable ? ip_ptable_apply(pr->ptable, n, (uint32_t)json_integer_value(key))
	                  : n;
}

static json_t *count_cell(const struct ip_protect *pr, const json_t *n, const json_t *key)
{
	return json_integer(shown_count(pr, json_integer_value(n), key));
}

/* A row whose count is shown as 0 is left out: a 0 may stand for a small
 * count, and a row that is there would say someone is in it. Dropped with
 * its count (which it then frees) unless the table is unprotected. */
static bool hidden_zero(const struct ip_protect *pr, json_t *count)
{
	if (!pr->ptable || json_integer_value(count) != 0)
		return false;
	json_decref(count);
	return true;
}

/* A figure resting on a (shown) base: withheld, as an empty cell, when the
 * base is below min_base. */
static bool withheld(const struct ip_protect *pr, json_int_t base)
{
	return pr->ptable && base < pr->min_base;
}

/* The code set of a field whose codes have names (country, region). */
static int named_field(const char *field)
{
	return !strcmp(field, "country") ? IP_CODES_COUNTRY
	     : !strcmp(field, "region") ? IP_CODES_REGION : -1;
}

/* The name of a code beside it, in the user's language; "" for none. */
static json_t *code_name(int set, const char *value, size_t len)
{
	char *code = ip_xasprintf("%.*s", (int)len, value);
	const char *name = ip_code_name((enum ip_codeset)set, code);
	json_t *s = json_string(name ? name : "");
	free(code);
	return s;
}

static json_t *summary_tables(const json_t *p, const struct ip_protect *pr)
{
	const json_t *by = json_object_get(p, "by");
	const json_t *keys = json_object_get(p, "keys");
	json_t *cols = json_array();
	struct ip_buf title = {0};
	size_t i, blanks = 0;
	json_t *f;
	ip_buf_puts(&title, _("Cases"));
	json_array_foreach((json_t *)by, i, f) {
		json_array_append_new(cols, json_string(_(json_string_value(f))));
		if (named_field(json_string_value(f)) >= 0) {
			json_array_append_new(cols, json_string(_("name")));
			blanks++;
		}
		ip_buf_printf(&title, "%s%s", i ? ", " : _(" by "), _(json_string_value(f)));
	}
	json_array_append_new(cols, json_string(_("cases")));
	json_t *t = table(title.s, cols);
	ip_buf_free(&title);
	const char *key;
	json_t *count;
	json_object_foreach(json_object_get(p, "groups"), key, count) {
		json_t *n = count_cell(pr, count, json_object_get(json_object_get(keys, "groups"),
		                                                  key));
		if (hidden_zero(pr, n))
			continue;
		json_t *row = json_array();
		const char *s = key;
		for (size_t k = 0; k < json_array_size(by); k++) {
			const char *field = json_string_value(json_array_get(by, k));
			size_t len = strcspn(s, KEY_SEP);
			json_array_append_new(row, shown(field, s, len));
			if (named_field(field) >= 0)
				json_array_append_new(row, code_name(named_field(field), s, len));
			s += len + (s[len] != '\0');
		}
		json_array_append_new(row, n);
		json_array_append_new(json_object_get(t, "rows"), row);
	}
	/* the total counts cases; with list fields a case is in several groups */
	json_t *total = json_array();
	json_array_append_new(total, json_string(_("total")));
	for (size_t k = 1; k < json_array_size(by) + blanks; k++)
		json_array_append_new(total, json_string(""));
	json_array_append_new(total, count_cell(pr, json_object_get(p, "cases"),
	                                        json_object_get(keys, "cases")));
	json_object_set_new(t, "total", total);
	return json_pack("[o]", t);
}

struct bin { long days; json_int_t n; };

static int by_days(const void *a, const void *b)
{
	long x = ((const struct bin *)a)->days, y = ((const struct bin *)b)->days;
	return (x > y) - (x < y);
}

/* The smallest value with at least share of the counts at or below it:
 * exact, from the histogram (nearest rank). */
static bool percentile(const json_t *hist, double share, long *out)
{
	size_t nbins = json_object_size(hist), i = 0;
	struct bin *bins = ip_xcalloc(nbins ? nbins : 1, sizeof *bins);
	json_int_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)hist, k, v) {
		bins[i++] = (struct bin){atol(k), json_integer_value(v)};
		n += json_integer_value(v);
	}
	qsort(bins, nbins, sizeof *bins, by_days);
	json_int_t rank = (json_int_t)(share * (double)n);
	if ((double)rank < share * (double)n)
		rank++;  /* the ceiling, without floating-point rounding up */
	json_int_t seen = 0;
	bool found = false;
	for (i = 0; i < nbins && !found; i++) {
		seen += bins[i].n;
		if (seen >= (rank < 1 ? 1 : rank)) {
			*out = bins[i].days;
			found = true;
		}
	}
	free(bins);
	return found;
}

/* A KPI's inputs as shown: each count perturbed by its own cell key. */
struct kpi {
	const struct ip_protect *pr;
	const json_t *counts, *keys;
};

static json_int_t kpi_count(const struct kpi *k, const char *name)
{
	return shown_count(k->pr, json_integer_value(json_object_get(k->counts, name)),
	                   json_object_get(k->keys, name));
}

/* A row: what, the value, and the (shown) number it rests on. */
static void kpi_row(json_t *t, const char *what, json_t *value, json_int_t basis)
{
	json_t *row = json_pack("[s, o, I]", what, value, (json_int_t)basis);
	json_array_append_new(json_object_get(t, "rows"), row);
}

/* part of whole as a percentage, from shown counts; empty when withheld.
 * Perturbed apart, a part may come out above its whole: at most 100 %. */
static json_t *rate(const struct ip_protect *pr, json_int_t part, json_int_t whole)
{
	if (!whole || withheld(pr, whole))
		return json_string("");
	if (part > whole)
		part = whole;
	return json_sprintf("%.1f %%", 100.0 * (double)part / (double)whole);
}

static void kpi_days(json_t *t, const struct kpi *k, const json_t *hist, const json_t *key,
                     const char *what)
{
	json_int_t n = 0;
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)hist, name, v)
		n += json_integer_value(v);
	json_int_t base = shown_count(k->pr, n, key);
	long median, p90;
	bool ok = !withheld(k->pr, base) && percentile(hist, 0.5, &median) &&
	          percentile(hist, 0.9, &p90);
	char label[128];
	snprintf(label, sizeof label, _("days from %s: median"), _(what));
	kpi_row(t, label, ok ? json_integer(median) : json_string(""), base);
	snprintf(label, sizeof label, _("days from %s: 90th percentile"), _(what));
	kpi_row(t, label, ok ? json_integer(p90) : json_string(""), base);
}

static json_t *kpi_tables(const json_t *p, const struct ip_protect *pr)
{
	const json_t *keys = json_object_get(p, "keys");
	struct kpi k = {pr, json_object_get(p, "counts"), json_object_get(keys, "counts")};
	const json_t *h = json_object_get(p, "histograms");
	const json_t *hk = json_object_get(keys, "histograms");
	json_t *t = table(_("Key figures"), json_pack("[s, s, s]", _("indicator"), _("value"),
	                                              _("based on")));
	/* rates, days and counts: no one scale to draw them on */
	json_object_set_new(t, "chart", json_false());
	json_int_t cases = kpi_count(&k, "cases"), open = kpi_count(&k, "open");
	json_int_t referrals = kpi_count(&k, "referrals");
	json_int_t answered = kpi_count(&k, "referrals_answered");
	json_int_t due = kpi_count(&k, "follow_ups_due");
	json_int_t overdue = kpi_count(&k, "measures_overdue");
	kpi_row(t, _("open caseload"), json_integer(open), open);
	kpi_row(t, _("closure rate"), rate(pr, kpi_count(&k, "closed"), cases), cases);
	kpi_days(t, &k, json_object_get(h, "intake_to_departure"),
	         json_object_get(hk, "intake_to_departure"), N_("intake to departure"));
	kpi_days(t, &k, json_object_get(h, "arrival_to_plan"),
	         json_object_get(hk, "arrival_to_plan"), N_("arrival to an agreed plan"));
	kpi_row(t, _("referrals per case"), cases && !withheld(pr, cases)
	        ? json_sprintf("%.2f", (double)referrals / (double)cases) : json_string(""),
	        cases);
	kpi_row(t, _("referrals accepted"), rate(pr, kpi_count(&k, "referrals_accepted"),
	                                         answered), answered);
	kpi_row(t, _("follow-ups done on time"), rate(pr, kpi_count(&k, "follow_ups_on_time"),
	                                              due), due);
	kpi_row(t, _("overdue measures"), json_integer(overdue), overdue);
	json_t *outcomes = table(_("Closed cases by outcome"), json_pack("[s, s]", _("outcome"),
	                                                                 _("cases")));
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)k.counts, name, v) {
		if (strncmp(name, "outcome:", 8))
			continue;
		json_t *n = json_integer(kpi_count(&k, name));
		if (!hidden_zero(pr, n))
			json_array_append_new(json_object_get(outcomes, "rows"),
			                      json_pack("[o, o]", shown("outcome", name + 8,
			                                strlen(name + 8)), n));
	}
	json_object_set_new(outcomes, "total", json_pack("[s, I]", _("total"),
	                                                 kpi_count(&k, "closed")));
	return json_pack("[o, o]", t, outcomes);
}

/* An indicator's title in the user's language (German or English). */
static const char *title_of(const json_t *def)
{
	const json_t *title = json_object_get(def, "title");
	const char *de = ip_str(title, "de");
	return !strcmp(ip_i18n_lang(), "de") && de ? de : ip_str(title, "en");
}

static json_t *indicator_tables(const json_t *p, const struct ip_protect *pr)
{
	const char *period = ip_str(p, "period");
	const json_t *keys = json_object_get(json_object_get(p, "keys"), "indicators");
	const json_t *defs = pr->indicators;
	json_t *tables = json_array();
	size_t i, b;
	json_t *def, *breakdown;
	json_array_foreach(json_object_get(defs, "indicators"), i, def) {
		const json_t *ind = json_object_get(json_object_get(p, "indicators"), ip_str(def, "id"));
		const json_t *kind = json_object_get(keys, ip_str(def, "id"));
		json_array_foreach(json_object_get(defs, "breakdowns"), b, breakdown) {
			const char *by = json_string_value(breakdown);
			char title[200];
			snprintf(title, sizeof title, _("%s %s by %s"), title_of(def), period, _(by));
			json_t *t = table(title, json_pack("[s, s]", _(by), _("returnees")));
			const json_t *kby = json_object_get(kind, by);
			const char *k;
			json_t *v;
			json_object_foreach(json_object_get(ind, by), k, v) {
				json_t *n = count_cell(pr, v, json_object_get(kby, k));
				if (!hidden_zero(pr, n))
					json_array_append_new(json_object_get(t, "rows"),
					                      json_pack("[o, o]", shown(by, k, strlen(k)), n));
			}
			json_object_set_new(t, "total", json_pack("[s, o]", _("total"),
			                    count_cell(pr, json_object_get(ind, "total"),
			                               json_object_get(kind, "total"))));
			json_array_append_new(tables, t);
		}
	}
	return tables;
}

json_t *ip_report_tables(const json_t *partial, const struct ip_protect *pr)
{
	const char *kind = ip_str(partial, "report");
	json_t *tables = !strcmp(kind, "summary") ? summary_tables(partial, pr)
	               : !strcmp(kind, "kpi") ? kpi_tables(partial, pr)
	               : indicator_tables(partial, pr);
	if (!pr->ptable) /* exact counts: every file says it is not for publication */
		json_array_insert_new(tables, 0, json_pack("{s:s, s:[s], s:[[s]]}", "title",
		                      _("NOT FOR PUBLICATION"), "columns", _("notice"), "rows",
		                      _("exact counts (--protection none), for internal use only: "
		                        "they may point at a person")));
	return tables;
}

/* ---- indicator definitions ---------------------------------------------- */

struct defs_check {
	const struct ip_doc *doc;
	int problems;
};

#define problem(c, path, ...) ip_doc_problem((c)->doc, &(c)->problems, path, __VA_ARGS__)

static void check_definition(struct defs_check *c, const json_t *def, size_t i, json_t *ids)
{
	char path[64];
	const char *id = ip_str(def, "id"), *when = ip_str(def, "when");
	snprintf(path, sizeof path, "indicators[%zu].id", i);
	if (!*id || strspn(id, "abcdefghijklmnopqrstuvwxyz_") != strlen(id) || strlen(id) > 40)
		problem(c, path, "'%s' is not an indicator id (a-z and _, at most 40)", id);
	else if (json_object_get(ids, id))
		problem(c, path, "indicator '%s' is defined twice", id);
	json_object_set_new(ids, id, json_true());
	snprintf(path, sizeof path, "indicators[%zu].when", i);
	if (strcmp(when, "departure") && strcmp(when, "after-arrival"))
		problem(c, path, "'%s' is not departure or after-arrival", when);
}

int ip_indicators_load(const char *path, const struct ip_limits *lim, json_t **defs)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_YAML, lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "expected one document of "
		         "indicator definitions, found %zu", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && ip_validate(&docs.v[0], &ip_indicators_schema, N_("indicator definitions")))
		rc = IP_EXIT_DATAERR;
	const json_t *root = rc ? NULL : docs.v[0].root;
	struct defs_check c = {rc ? NULL : &docs.v[0], 0};
	json_t *ids = json_object();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(root, "breakdowns"), i, v) {
		char at[48];
		snprintf(at, sizeof at, "breakdowns[%zu]", i);
		const char *by = json_string_value(v);
		if (strcmp(by, "sex") && strcmp(by, "age") && strcmp(by, "vulnerability"))
			problem(&c, at, "'%s' is not sex, age or vulnerability", by);
	}
	json_array_foreach(json_object_get(root, "indicators"), i, v)
		check_definition(&c, v, i, ids);
	if (!rc && json_array_size(json_object_get(root, "indicators")) > 16)
		problem(&c, "indicators", "at most 16 indicators");
	json_decref(ids);
	if (!rc && c.problems)
		rc = IP_EXIT_DATAERR;
	*defs = rc ? NULL : json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	return rc;
}

#undef problem

/* ---- trusting partials --------------------------------------------------- */

static int out_of_range(const json_t *v, const char *path, const char *name)
{
	int bad = 0;
	if (json_is_integer(v) && json_integer_value(v) > COUNT_MAX) {
		ip_error(&(struct ip_where){name, 0, 0, path}, "a count of %lld is out of range "
		         "(at most %lld)", (long long)json_integer_value(v), (long long)COUNT_MAX);
		return 1;
	}
	const char *k;
	json_t *child;
	json_object_foreach((json_t *)v, k, child) {
		char *sub = *path ? ip_xasprintf("%s.%s", path, k) : ip_xstrdup(k);
		bad += out_of_range(child, sub, name);
		free(sub);
	}
	return bad;
}

/* A cell key is below 2^32. */
static int bad_keys(const json_t *v, const char *path, const char *name)
{
	int bad = 0;
	if (json_is_integer(v) && json_integer_value(v) > (json_int_t)UINT32_MAX) {
		ip_error(&(struct ip_where){name, 0, 0, path}, "a cell key of %lld is out of "
		         "range (0 to 4294967295)", (long long)json_integer_value(v));
		return 1;
	}
	const char *k;
	json_t *child;
	json_object_foreach((json_t *)v, k, child) {
		char *sub = ip_xasprintf("%s.%s", path, k);
		bad += bad_keys(child, sub, name);
		free(sub);
	}
	return bad;
}

static json_int_t sum_of(const json_t *obj)
{
	json_int_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v)
		n += json_integer_value(v);
	return n;
}

static json_int_t count_of(const json_t *p, const char *name)
{
	return json_integer_value(json_object_get(json_object_get(p, "counts"), name));
}

/* part <= whole, else a problem at path. */
static int at_most(const char *name, const char *path, json_int_t part, const char *of,
                   json_int_t whole)
{
	if (part <= whole)
		return 0;
	ip_error(&(struct ip_where){name, 0, 0, path}, "%lld is more than %s (%lld): the parts "
	         "do not add up", (long long)part, of, (long long)whole);
	return 1;
}

static int exactly(const char *name, const char *path, json_int_t part, const char *of,
                   json_int_t whole)
{
	if (part == whole)
		return 0;
	ip_error(&(struct ip_where){name, 0, 0, path}, "these add up to %lld, not to %s (%lld)",
	         (long long)part, of, (long long)whole);
	return 1;
}

static bool list_field(const char *field)
{
	static const char *const lists[] = {"vulnerability", "programme", "measure", "referral"};
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
		if (!strcmp(field, lists[i]))
			return true;
	return false;
}

/* Every case is in one group per value of a list field, at least one. */
static int summary_adds_up(const json_t *p, const char *name, json_int_t cases)
{
	bool scalars = true;
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(p, "by"), i, f)
		scalars = scalars && !list_field(json_string_value(f));
	json_int_t grouped = sum_of(json_object_get(p, "groups"));
	if (scalars)
		return exactly(name, "groups", grouped, _("the cases"), cases);
	return at_most(name, "cases", cases, _("the cases in the groups"), grouped);
}

static int kpi_adds_up(const json_t *p, const char *name, json_int_t cases)
{
	json_int_t closed = count_of(p, "closed"), outcomes = 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(p, "counts"), k, v)
		if (!strncmp(k, "outcome:", 8))
			outcomes += json_integer_value(v);
	int bad = exactly(name, "counts.cases", count_of(p, "cases"), _("the cases"), cases) +
	          exactly(name, "counts.open", count_of(p, "open") + closed, _("the cases"),
	                  cases) +
	          at_most(name, "counts", outcomes, _("the closed cases"), closed) +
	          at_most(name, "counts.referrals_answered", count_of(p, "referrals_answered"),
	                  _("the referrals"), count_of(p, "referrals")) +
	          at_most(name, "counts.referrals_accepted", count_of(p, "referrals_accepted"),
	                  _("the referrals answered"), count_of(p, "referrals_answered")) +
	          at_most(name, "counts.follow_ups_on_time", count_of(p, "follow_ups_on_time"),
	                  _("the follow-ups due"), count_of(p, "follow_ups_due"));
	json_object_foreach(json_object_get(p, "histograms"), k, v) {
		char *path = ip_xasprintf("histograms.%s", k);
		bad += at_most(name, path, sum_of(v), _("the cases"), cases);
		free(path);
	}
	return bad;
}

static int indicators_adds_up(const json_t *p, const char *name, json_int_t cases)
{
	int bad = 0;
	const char *k;
	json_t *ind;
	json_object_foreach(json_object_get(p, "indicators"), k, ind) {
		json_int_t total = json_integer_value(json_object_get(ind, "total"));
		char *path = ip_xasprintf("indicators.%s", k);
		bad += at_most(name, path, total, _("the cases"), cases);
		static const char *const exact[] = {"sex", "age"};
		for (size_t i = 0; i < 2; i++) {
			if (!json_object_get(ind, exact[i]))
				continue;
			char *sub = ip_xasprintf("%s.%s", path, exact[i]);
			bad += exactly(name, sub, sum_of(json_object_get(ind, exact[i])),
			               _("the indicator's total"), total);
			free(sub);
		}
		char *vulns = ip_xasprintf("%s.vulnerability", path);
		if (json_object_get(ind, "vulnerability"))
			bad += at_most(name, vulns, total, _("the cases by vulnerability"),
			               sum_of(json_object_get(ind, "vulnerability")));
		free(vulns);
		free(path);
	}
	return bad;
}

/* The parts of a partial must add up to its wholes, as counting makes them. */
static int adds_up(const json_t *p, const char *name)
{
	json_int_t cases = json_integer_value(json_object_get(p, "cases"));
	const char *kind = ip_str(p, "report");
	if (!strcmp(kind, "summary"))
		return summary_adds_up(p, name, cases);
	if (!strcmp(kind, "kpi"))
		return kpi_adds_up(p, name, cases);
	if (!strcmp(kind, "indicators"))
		return indicators_adds_up(p, name, cases);
	ip_error(&(struct ip_where){name, 0, 0, "report"}, "unknown report '%s' (summary, kpi "
	         "or indicators)", kind);
	return 1;
}

static int check_digest(const json_t *p, const char *name)
{
	char digest[IP_DIGEST_SIZE];
	partial_digest(p, digest);
	if (!strcmp(digest, ip_str(p, "digest")))
		return 0;
	ip_error(&(struct ip_where){name, 0, 0, "digest"}, "the digest does not match: the "
	         "partial was altered or damaged after it was made");
	return 1;
}

/* Each source once: a repository's cases, or two different selections of
 * them, but never the same selection twice or a selection beside all of
 * them. seen: "centre/repository" -> [[selection or "", file], ...]. */
static int check_sources(const json_t *p, const char *name, json_t *seen)
{
	int bad = 0;
	size_t i;
	json_t *src;
	if (!json_array_size(json_object_get(p, "sources"))) {
		ip_error(&(struct ip_where){name, 0, 0, "sources"}, "the partial names no "
		         "repository it comes from (made from case files outside one): it "
		         "cannot be merged");
		return 1;
	}
	json_array_foreach(json_object_get(p, "sources"), i, src) {
		const char *repo = ip_str(src, "repository"), *sel = ip_str(src, "selection");
		char *key = ip_xasprintf("%s/%s", ip_str(src, "centre"), repo);
		json_t *had = json_object_get(seen, key);
		size_t j;
		json_t *h;
		json_array_foreach(had, j, h) {
			const char *other = json_string_value(json_array_get(h, 0));
			if (*other && sel && strcmp(other, sel))
				continue;
			ip_error(&(struct ip_where){name, 0, 0, "sources"}, "counts cases of "
			         "repository %s of %s that %s counts already", repo,
			         ip_str(src, "centre"), json_string_value(json_array_get(h, 1)));
			bad++;
			break;
		}
		if (!had)
			json_object_set_new(seen, key, had = json_array());
		json_array_append_new(had, json_pack("[s, s]", sel ? sel : "", name));
		free(key);
	}
	return bad;
}

static int by_source(const void *a, const void *b)
{
	char *x = json_dumps(*(json_t *const *)a, JSON_COMPACT | JSON_SORT_KEYS);
	char *y = json_dumps(*(json_t *const *)b, JSON_COMPACT | JSON_SORT_KEYS);
	int c = strcmp(x ? x : "", y ? y : "");
	free(x);
	free(y);
	return c;
}

/* The sources of a merge in one order, whatever the order of its files. */
static void sort_sources(json_t *p)
{
	json_object_set_new(p, "sources", ip_json_sorted(json_object_get(p, "sources"),
	                                                 by_source));
}

/* Load one partial and check it: its schema, that it is the same report
 * as the first, its digest, its sources against those merged so far, its
 * range and that its parts add up. */
static int load_partial(const char *path, const struct ip_limits *lim, const json_t *first,
                        json_t *seen, struct ip_docs *docs)
{
	int rc = ip_docs_load(path, IP_SYNTAX_JSON, lim, docs);
	const json_t *part = rc ? NULL : docs->v[0].root;
	const char *schema = ip_str(part, "schema");
	if (!rc && (!json_is_object(part) || strcmp(schema ? schema : "", IP_REPORT_SCHEMA))) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "not a report partial "
		         "(ip-report summary|kpi|indicators -f json)");
		return IP_EXIT_DATAERR;
	}
	if (!rc && ip_validate(&docs->v[0], &ip_report_schema, N_("a report partial")))
		return IP_EXIT_DATAERR;
	if (!rc && first && same_report(first, part, path))
		return IP_EXIT_DATAERR;
	if (!rc && (check_digest(part, path) || check_sources(part, path, seen) +
	            out_of_range(part, "", path) + bad_keys(json_object_get(part, "keys"),
	            "keys", path) || adds_up(part, path)))
		rc = IP_EXIT_DATAERR;
	return rc;
}

int ip_report_merge_files(char **paths, int n, const struct ip_limits *lim,
                          json_t **merged)
{
	int rc = IP_EXIT_OK;
	json_t *seen = json_object();
	*merged = NULL;
	for (int i = 0; i < n && !rc; i++) {
		struct ip_docs docs = {0};
		rc = load_partial(paths[i], lim, *merged, seen, &docs);
		const json_t *part = rc ? NULL : docs.v[0].root;
		if (!rc && !*merged)
			*merged = json_deep_copy(part);
		else if (!rc)
			rc = ip_report_merge(*merged, part, paths[i]);
		ip_docs_free(&docs);
	}
	json_decref(seen);
	if (!rc) {
		sort_sources(*merged);
		seal(*merged);
	} else {
		json_decref(*merged);
		*merged = NULL;
	}
	return rc;
}

/* What a reader must know first: the report, whose cases (the centres of
 * its sources), which period, how many (as shown) and when it was made. */
static char *report_title(const json_t *p, const struct ip_protect *pr)
{
	struct ip_buf who = {0}, when = {0};
	json_t *centres = json_array();  /* each once, in the sources' order */
	size_t i;
	json_t *src;
	json_array_foreach(json_object_get(p, "sources"), i, src)
		if (!ip_ids_have(centres, ip_str(src, "centre"))) {
			json_array_append_new(centres, json_string(ip_str(src, "centre")));
			ip_buf_printf(&who, "%s%s", who.len ? ", " : "", ip_str(src, "centre"));
		}
	json_decref(centres);
	const json_t *filter = json_object_get(p, "filter");
	if (ip_str(p, "period"))
		ip_buf_printf(&when, _(", period %s"), ip_str(p, "period"));
	if (ip_str(filter, "since") || ip_str(filter, "until"))
		ip_buf_printf(&when, _(", cases opened %s to %s"), ip_str(filter, "since") ?
		              ip_str(filter, "since") : "…", ip_str(filter, "until") ?
		              ip_str(filter, "until") : "…");
	char made[11];
	ip_date_str(ip_now(), made);
	json_int_t cases = shown_count(pr, json_integer_value(json_object_get(p, "cases")),
	                               json_object_get(json_object_get(p, "keys"), "cases"));
	char *title = ip_xasprintf(_("IntegPlan %s: %s%s (%lld cases), made %s%s"),
	                           _(ip_str(p, "report")), who.s ? who.s : _("no repository"),
	                           when.s ? when.s : "", (long long)cases, made,
	                           pr->ptable ? "" : _(" — NOT FOR PUBLICATION"));
	ip_buf_free(&who);
	ip_buf_free(&when);
	return title;
}

void ip_report_render(const json_t *partial, enum ip_format f, enum ip_csv_dialect dialect,
                      const struct ip_protect *pr, struct ip_buf *out)
{
	if (f == IP_FORMAT_JSON) {
		ip_emit(out, partial, IP_FORMAT_JSON);
		return;
	}
	char *title = report_title(partial, pr);
	json_t *tables = ip_report_tables(partial, pr);
	ip_tables_render(tables, ip_table_format_of(f), dialect, title, out);
	json_decref(tables);
	free(title);
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
