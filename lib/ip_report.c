#include "ip_report.h"
#include "ip_case.h"
#include "ip_csv.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_table.h"
#include "ip_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	int age = ip_years_between(f[IP_F_BIRTH], f[IP_F_OPENED]);
	size_t n = json_array_size(r->q.age_bands);
	char s[16] = "unknown";
	for (size_t i = 0; age >= 0 && i < n; i++) {
		int lo = (int)json_integer_value(json_array_get(r->q.age_bands, i));
		int hi = i + 1 < n ? (int)json_integer_value(json_array_get(r->q.age_bands, i + 1)) : -1;
		if (age >= lo && (hi < 0 || age < hi)) {
			if (hi < 0)
				snprintf(s, sizeof s, "%d+", lo);
			else
				snprintf(s, sizeof s, "%d-%d", lo, hi - 1);
		}
	}
	add_value(v, s);
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

static bool matches(const struct ip_report *r, char *f[])
{
	if ((r->q.since && strcmp(f[IP_F_OPENED], r->q.since) < 0) ||
	    (r->q.until && strcmp(f[IP_F_OPENED], r->q.until) > 0))
		return false;
	size_t i;
	json_t *w;
	json_array_foreach(r->q.where, i, w) {
		struct values v;
		const char *want = json_string_value(json_array_get(w, 1));
		values_of(r, json_string_value(json_array_get(w, 0)), f, &v);
		bool any = false;
		for (size_t k = 0; k < v.n; k++)
			any |= !strcmp(v.buf[k], want);
		if (!any)
			return false;
	}
	return true;
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

/* Count the case in every combination of its values of the fields. */
static void count_groups(struct ip_report *r, char *f[], size_t depth, struct ip_buf *key)
{
	size_t nby = json_array_size(r->q.by);
	if (depth == nby) {
		bump(r->groups, key->s ? key->s : "", 1);
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
}

static bool has_item(const char *list, const char *want)
{
	const char *cursor = list;
	char item[96];
	char *parts[1];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, 1, &np))
		if (!strcmp(parts[0], want))
			return true;
	return false;
}

static void count_referrals(struct ip_report *r, const char *list)
{
	const char *cursor = list;
	char item[96];
	char *parts[1];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, 1, &np)) {
		const char *s = parts[0];
		bump(r->counts, "referrals", 1);
		if (strcmp(s, "pending"))
			bump(r->counts, "referrals_answered", 1);
		if (!strcmp(s, "accepted") || !strcmp(s, "done") || !strcmp(s, "revoked"))
			bump(r->counts, "referrals_accepted", 1);
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
		bump(r->counts, "follow_ups_due", 1);
		if (*done && strcmp(done, due) <= 0)
			bump(r->counts, "follow_ups_on_time", 1);
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
			bump(r->counts, "measures_overdue", 1);
}

static void count_kpi(struct ip_report *r, char *f[])
{
	bump(r->counts, "cases", 1);
	bool closed = !strcmp(f[IP_F_STATUS], "closed");
	bump(r->counts, closed ? "closed" : "open", 1);
	if (closed && *f[IP_F_OUTCOME]) {
		char key[64];
		snprintf(key, sizeof key, "outcome:%s", f[IP_F_OUTCOME]);
		bump(r->counts, key, 1);
	}
	if (*f[IP_F_DEPARTED])
		add_hist(r, "intake_to_departure", ip_days_between(f[IP_F_OPENED], f[IP_F_DEPARTED]));
	if (*f[IP_F_ARRIVED] && *f[IP_F_AGREED] && strcmp(f[IP_F_AGREED], f[IP_F_ARRIVED]) >= 0)
		add_hist(r, "arrival_to_plan", ip_days_between(f[IP_F_ARRIVED], f[IP_F_AGREED]));
	count_referrals(r, f[IP_F_REFERRALS]);
	count_follow_ups(r, f[IP_F_FOLLOW_UPS]);
	count_overdue(r, f[IP_F_DUE]);
}

static void count_indicator(struct ip_report *r, const char *name, char *f[])
{
	json_t *ind = json_object_get(r->indicators, name);
	bump(ind, "total", 1);
	static const char *const breakdowns[] = {"sex", "age", "vulnerability"};
	for (size_t b = 0; b < 3; b++) {
		struct values v;
		json_t *by = json_object_get(ind, breakdowns[b]);
		values_of(r, breakdowns[b], f, &v);
		for (size_t i = 0; i < v.n; i++)
			bump(by, v.buf[i], 1);
	}
}

static bool within(const char *date, const char *from, const char *to)
{
	return *date && strcmp(date, from) >= 0 && strcmp(date, to) <= 0;
}

static void count_indicators(struct ip_report *r, char *f[])
{
	if (within(f[IP_F_DEPARTED], r->from, r->to)) {
		count_indicator(r, "voluntary_returns", f);
		if (has_item(f[IP_F_ASSISTED], "host"))
			count_indicator(r, "assisted_before_departure", f);
	}
	/* assisted after arrival while the case was open during the period */
	if (has_item(f[IP_F_ASSISTED], "return") && *f[IP_F_ARRIVED] &&
	    strcmp(f[IP_F_ARRIVED], r->to) <= 0 &&
	    (!*f[IP_F_CLOSED] || strcmp(f[IP_F_CLOSED], r->from) >= 0))
		count_indicator(r, "reintegration_assistance", f);
}

void ip_report_add(struct ip_report *r, char *fields[IP_NFACTS])
{
	if (!matches(r, fields))
		return;
	r->cases++;
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
	if (!strcmp(q->kind, "indicators")) {
		ip_report_period(q->period, r->from, r->to);
		static const char *const names[] = {"voluntary_returns", "assisted_before_departure",
		                                    "reintegration_assistance"};
		for (size_t i = 0; i < 3; i++)
			json_object_set_new(r->indicators, names[i],
			                    json_pack("{s:i, s:{}, s:{}, s:{}}", "total", 0, "sex",
			                              "age", "vulnerability"));
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

json_t *ip_report_finish(struct ip_report *r)
{
	json_t *p = r->partial;
	json_object_set_new(p, "cases", json_integer(r->cases));
	if (!strcmp(r->q.kind, "summary")) {
		json_object_set(p, "by", r->q.by);
		json_object_set_new(p, "groups", sorted(r->groups));
	} else if (!strcmp(r->q.kind, "kpi")) {
		json_object_set_new(p, "today", json_string(r->q.today));
		json_object_set_new(p, "counts", sorted(r->counts));
		json_object_set_new(p, "histograms", sorted(r->hist));
	} else {
		json_object_set_new(p, "period", json_string(r->q.period));
		json_object_set_new(p, "indicators", sorted(r->indicators));
	}
	json_decref(r->groups);
	json_decref(r->counts);
	json_decref(r->hist);
	json_decref(r->indicators);
	free(r);
	return p;
}

/* Add the numbers of from into into, recursively. */
static void add_numbers(json_t *into, const json_t *from)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)from, k, v) {
		json_t *have = json_object_get(into, k);
		if (json_is_integer(v))
			bump(into, k, json_integer_value(v));
		else if (json_is_object(v) && json_is_object(have))
			add_numbers(have, v);
		else if (json_is_object(v))
			json_object_set_new(into, k, json_deep_copy(v));
	}
}

int ip_report_merge(json_t *into, const json_t *part, const char *name)
{
	static const char *const same[] = {"schema", "report", "filter", "by", "period", "today"};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		const json_t *a = json_object_get(into, same[i]), *b = json_object_get(part, same[i]);
		if ((a || b) && !(a && b && json_equal((json_t *)a, (json_t *)b))) {
			ip_error(&(struct ip_where){name, 0, 0, same[i]}, "differs from the first "
			         "partial's: only the same report over the same fields, filters and "
			         "period can be merged");
			return IP_EXIT_DATAERR;
		}
	}
	static const char *const parts[] = {"groups", "counts", "histograms", "indicators"};
	bump(into, "cases", json_integer_value(json_object_get(part, "cases")));
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		const json_t *from = json_object_get(part, parts[i]);
		json_t *to = json_object_get(into, parts[i]);
		if (from && to)
			add_numbers(to, from);
	}
	static const char *const sortable[] = {"groups", "counts", "histograms", "indicators"};
	for (size_t i = 0; i < 4; i++)
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

static json_t *summary_tables(const json_t *p, int min_cell)
{
	const json_t *by = json_object_get(p, "by");
	json_t *cols = json_array();
	struct ip_buf title = {0};
	size_t i;
	json_t *f;
	ip_buf_puts(&title, _("Cases"));
	json_array_foreach((json_t *)by, i, f) {
		json_array_append_new(cols, json_string(_(json_string_value(f))));
		ip_buf_printf(&title, "%s%s", i ? ", " : _(" by "), _(json_string_value(f)));
	}
	json_array_append_new(cols, json_string(_("cases")));
	json_t *t = table(title.s, cols);
	ip_buf_free(&title);
	const char *key;
	json_t *count;
	json_object_foreach(json_object_get(p, "groups"), key, count) {
		json_t *row = json_array();
		const char *s = key;
		for (size_t k = 0; k < json_array_size(by); k++) {
			size_t len = strcspn(s, KEY_SEP);
			json_array_append_new(row, shown(json_string_value(json_array_get(by, k)), s,
			                                 len));
			s += len + (s[len] != '\0');
		}
		json_array_append(row, count);
		json_array_append_new(json_object_get(t, "rows"), row);
	}
	/* the total counts cases; with list fields a case is in several groups */
	json_t *total = json_array();
	json_array_append_new(total, json_string(_("total")));
	for (size_t k = 1; k < json_array_size(by); k++)
		json_array_append_new(total, json_string(""));
	json_array_append(total, json_object_get(p, "cases"));
	json_object_set_new(t, "total", total);
	ip_table_suppress(t, min_cell);
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

static json_int_t count_at(const json_t *counts, const char *name)
{
	return json_integer_value(json_object_get(counts, name));
}

/* A row: what, the value, and the number of cases or items it rests on. */
static void kpi_row(json_t *t, const char *what, json_t *value, json_int_t basis, int min_cell)
{
	if (min_cell > 0 && basis > 0 && basis < min_cell) {
		json_decref(value);
		value = json_sprintf("<%d", min_cell);
	}
	json_t *row = json_pack("[s, o, I]", what, value, (json_int_t)basis);
	json_array_append_new(json_object_get(t, "rows"), row);
}

static json_t *rate(json_int_t part, json_int_t whole)
{
	return whole ? json_sprintf("%.1f %%", 100.0 * (double)part / (double)whole)
	             : json_string("-");
}

static void kpi_days(json_t *t, const json_t *hist, const char *what, int min_cell)
{
	json_int_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)hist, k, v)
		n += json_integer_value(v);
	long median, p90;
	bool ok = percentile(hist, 0.5, &median) && percentile(hist, 0.9, &p90);
	char label[128];
	snprintf(label, sizeof label, _("days from %s: median"), _(what));
	kpi_row(t, label, ok ? json_integer(median) : json_string("-"), n, min_cell);
	snprintf(label, sizeof label, _("days from %s: 90th percentile"), _(what));
	kpi_row(t, label, ok ? json_integer(p90) : json_string("-"), n, min_cell);
}

static json_t *kpi_tables(const json_t *p, int min_cell)
{
	const json_t *c = json_object_get(p, "counts");
	const json_t *h = json_object_get(p, "histograms");
	json_t *t = table(_("Key figures"), json_pack("[s, s, s]", _("indicator"), _("value"), _("based on")));
	json_int_t cases = count_at(c, "cases");
	kpi_row(t, _("open caseload"), json_integer(count_at(c, "open")), count_at(c, "open"), min_cell);
	kpi_row(t, _("closure rate"), rate(count_at(c, "closed"), cases), cases, min_cell);
	kpi_days(t, json_object_get(h, "intake_to_departure"), N_("intake to departure"), min_cell);
	kpi_days(t, json_object_get(h, "arrival_to_plan"), N_("arrival to an agreed plan"), min_cell);
	kpi_row(t, _("referrals per case"), cases ? json_sprintf("%.2f", (double)count_at(c, "referrals") /
	                                                            (double)cases)
	                                       : json_string("-"), cases, min_cell);
	kpi_row(t, _("referrals accepted"), rate(count_at(c, "referrals_accepted"),
	                                      count_at(c, "referrals_answered")),
	        count_at(c, "referrals_answered"), min_cell);
	kpi_row(t, _("follow-ups done on time"), rate(count_at(c, "follow_ups_on_time"),
	                                           count_at(c, "follow_ups_due")),
	        count_at(c, "follow_ups_due"), min_cell);
	kpi_row(t, _("overdue measures"), json_integer(count_at(c, "measures_overdue")),
	        count_at(c, "measures_overdue"), min_cell);
	json_t *outcomes = table(_("Closed cases by outcome"), json_pack("[s, s]", _("outcome"), _("cases")));
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)c, k, v)
		if (!strncmp(k, "outcome:", 8))
			json_array_append_new(json_object_get(outcomes, "rows"),
			                      json_pack("[o, O]", shown("outcome", k + 8, strlen(k + 8)),
			                                v));
	json_object_set_new(outcomes, "total", json_pack("[s, I]", _("total"),
	                                                 (json_int_t)count_at(c, "closed")));
	ip_table_suppress(outcomes, min_cell);
	return json_pack("[o, o]", t, outcomes);
}

static json_t *indicator_tables(const json_t *p, int min_cell)
{
	static const struct { const char *id, *title; } names[] = {
		{"voluntary_returns", N_("Voluntary returns")},
		{"assisted_before_departure", N_("Returnees assisted before departure")},
		{"reintegration_assistance", N_("Returnees who received reintegration assistance")}};
	static const char *const breakdowns[] = {"sex", "age", "vulnerability"};
	const char *period = ip_str(p, "period");
	json_t *tables = json_array();
	for (size_t i = 0; i < 3; i++) {
		const json_t *ind = json_object_get(json_object_get(p, "indicators"), names[i].id);
		for (size_t b = 0; b < 3; b++) {
			char title[160];
			snprintf(title, sizeof title, _("%s %s by %s"), _(names[i].title), period,
			         _(breakdowns[b]));
			json_t *t = table(title, json_pack("[s, s]", _(breakdowns[b]), _("returnees")));
			const char *k;
			json_t *v;
			json_object_foreach(json_object_get(ind, breakdowns[b]), k, v)
				json_array_append_new(json_object_get(t, "rows"),
				                      json_pack("[o, O]", shown(breakdowns[b], k,
				                                                strlen(k)), v));
			json_object_set_new(t, "total", json_pack("[s, O]", _("total"),
			                                          json_object_get(ind, "total")));
			ip_table_suppress(t, min_cell);
			json_array_append_new(tables, t);
		}
	}
	return tables;
}

json_t *ip_report_tables(const json_t *partial, int min_cell)
{
	const char *kind = ip_str(partial, "report");
	if (!strcmp(kind, "summary"))
		return summary_tables(partial, min_cell);
	if (!strcmp(kind, "kpi"))
		return kpi_tables(partial, min_cell);
	return indicator_tables(partial, min_cell);
}

int ip_report_merge_files(char **paths, int n, const struct ip_limits *lim,
                          json_t **merged)
{
	int rc = IP_EXIT_OK;
	*merged = NULL;
	for (int i = 0; i < n && !rc; i++) {
		struct ip_docs docs = {0};
		rc = ip_docs_load(paths[i], IP_SYNTAX_JSON, lim, &docs);
		const json_t *part = rc ? NULL : docs.v[0].root;
		const char *schema = ip_str(part, "schema");
		if (!rc && (!json_is_object(part) || strcmp(schema ? schema : "", IP_REPORT_SCHEMA))) {
			ip_error(&(struct ip_where){paths[i], 0, 0, NULL}, "not a report partial "
			         "(ip-report summary|kpi|indicators -f json)");
			rc = IP_EXIT_DATAERR;
		}
		if (!rc && ip_validate(&docs.v[0], &ip_report_schema, N_("a report partial")))
			rc = IP_EXIT_DATAERR;
		if (!rc && !*merged)
			*merged = json_deep_copy(part);
		else if (!rc)
			rc = ip_report_merge(*merged, part, paths[i]);
		ip_docs_free(&docs);
	}
	if (rc) {
		json_decref(*merged);
		*merged = NULL;
	}
	return rc;
}

void ip_report_render(const json_t *partial, enum ip_format f, enum ip_csv_dialect dialect,
                      int min_cell, struct ip_buf *out)
{
	if (f == IP_FORMAT_JSON) {
		ip_emit(out, partial, IP_FORMAT_JSON);
		return;
	}
	char title[160];
	const char *kind = ip_str(partial, "report");
	snprintf(title, sizeof title, _("IntegPlan %s (%lld cases)"), _(kind),
	         (long long)json_integer_value(json_object_get(partial, "cases")));
	json_t *tables = ip_report_tables(partial, min_cell);
	ip_tables_render(tables, ip_table_format_of(f), dialect, title, out);
	json_decref(tables);
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
