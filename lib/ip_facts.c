#include "ip_facts.h"
#include "ip_case.h"
#include "ip_plan.h"
#include "ip_vocab.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ip_facts_of and what it calls read none of these: tests/0230-onepass.bats
 * holds reports built without them to the reports of whole cases. */
const char *const ip_facts_unread[] = {"schema", "status_dates", "household", "consent",
                                       "links", "notes", "history", NULL};

const char *const ip_fact_names[IP_NFACTS] = {
	"id", "status", "centre", "state", "country", "region", "sex", "birth_date",
	"opened", "planned_departure", "departed", "arrived", "closed", "outcome",
	"agreed", "counsellor", "given", "family", "vulnerabilities", "programmes",
	"measures", "assisted", "referrals", "due", "follow_ups", "assessed", "outcomes",
	"budgets", "record_key"};

/* s escaped: the text between characters to escape goes in one piece. */
static void put(struct ip_buf *b, const char *s)
{
	while (s && *s) {
		size_t plain = strcspn(s, "\t\n\\;|");
		ip_buf_add(b, s, plain);
		s += plain;
		switch (*s) {
		case '\0': return;
		case '\t': ip_buf_add(b, "\\t", 2); break;
		case '\n': ip_buf_add(b, "\\n", 2); break;
		default:
			ip_buf_add(b, "\\", 1);
			ip_buf_add(b, s, 1);
		}
		s++;
	}
}

/* A list item separator: nothing before the first item. */
static void sep(struct ip_buf *b, size_t *n)
{
	if ((*n)++)
		ip_buf_add(b, ";", 1);
}

static void put_strings(struct ip_buf *b, const json_t *list)
{
	size_t n = 0, i;
	json_t *v;
	json_array_foreach((json_t *)list, i, v) {
		sep(b, &n);
		put(b, json_string_value(v));
	}
}

static bool in_force(const json_t *m)
{
	const char *s = ip_str(m, "status");
	return !s || strcmp(s, "cancelled");
}


static const json_t *latest_assessment(const json_t *c)
{
	const json_t *list = json_object_get(c, "assessments");
	return json_array_get(list, json_array_size(list) - 1);
}


static void put_programmes(struct ip_buf *b, const json_t *c, const json_t *measures)
{
	json_t *ids = json_array();
	size_t i, n = 0;
	json_t *v;
	json_array_foreach(json_object_get(c, "programmes"), i, v)
		json_array_append(ids, v);
	json_array_foreach((json_t *)measures, i, v) {
		const char *p = ip_str(json_object_get(v, "budget"), "programme");
		if (p && in_force(v) && !ip_ids_have(ids, p))
			json_array_append_new(ids, json_string(p));
	}
	json_array_foreach(ids, i, v) {
		sep(b, &n);
		put(b, json_string_value(v));
	}
	json_decref(ids);
}

static void put_measures(struct ip_buf *b, const json_t *measures)
{
	size_t i, n = 0;
	json_t *m;
	json_array_foreach((json_t *)measures, i, m)
		if (in_force(m)) {
			sep(b, &n);
			put(b, ip_str(m, "category"));
		}
}

static void put_assisted(struct ip_buf *b, const json_t *measures)
{
	size_t i, n = 0;
	json_t *m;
	json_array_foreach((json_t *)measures, i, m) {
		if (!ip_measure_begun(m))
			continue;
		sep(b, &n);
		put(b, ip_str(m, "side"));
		ip_buf_add(b, "|", 1);
		put(b, ip_str(m, "started"));
	}
}

/* Every assessment's date with each of its vulnerabilities. */
static void put_assessed(struct ip_buf *b, const json_t *c)
{
	size_t i, j, n = 0;
	json_t *a, *v;
	json_array_foreach(json_object_get(c, "assessments"), i, a) {
		const json_t *vulns = json_object_get(a, "vulnerabilities");
		if (!json_array_size(vulns)) {
			sep(b, &n);
			put(b, ip_str(a, "date"));
			ip_buf_add(b, "|", 1);
		}
		json_array_foreach(vulns, j, v) {
			sep(b, &n);
			put(b, ip_str(a, "date"));
			ip_buf_add(b, "|", 1);
			put(b, json_string_value(v));
		}
	}
}

static void put_item(struct ip_buf *b, size_t *n, const char *kind, const char *due,
                     const char *owner, const char *what)
{
	sep(b, n);
	put(b, kind);
	ip_buf_add(b, "|", 1);
	put(b, due);
	ip_buf_add(b, "|", 1);
	put(b, owner ? owner : "");
	ip_buf_add(b, "|", 1);
	put(b, what);
}

/* The survey taken last (the baseline before a follow-up of the same day),
 * or NULL. */
static const json_t *latest_survey(const json_t *c)
{
	const json_t *latest = json_object_get(c, "baseline");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "follow_ups"), i, v) {
		const json_t *s = json_object_get(v, "survey");
		if (s && (!latest || strcmp(ip_str(s, "date"), ip_str(latest, "date")) >= 0))
			latest = s;
	}
	return latest;
}

/* The flags of the survey taken last put the case before its counsellor
 * (a later survey without them takes it off again). */
static void put_flagged(struct ip_buf *b, size_t *n, const json_t *c)
{
	const json_t *s = latest_survey(c);
	const json_t *flags = json_object_get(s, "flags");
	if (!json_array_size(flags))
		return;
	const json_t *counsellors = json_object_get(c, "counsellors");
	const char *owner = ip_str(counsellors, "return");
	struct ip_buf what = {0};
	ip_buf_printf(&what, "survey %s of %s flagged:", ip_str(s, "id"), ip_str(s, "date"));
	size_t i;
	json_t *f;
	json_array_foreach(flags, i, f)
		ip_buf_printf(&what, "%s %s", i ? "," : "", json_string_value(f));
	const json_t *composite = json_object_get(s, "composite");
	if (composite)
		ip_buf_printf(&what, " (composite %.2f)", json_number_value(composite));
	put_item(b, n, "flag", ip_str(s, "date"), owner ? owner : ip_str(counsellors, "host"),
	         what.s);
	ip_buf_free(&what);
}

/* Every open measure, follow-up and unanswered referral with a due date,
 * and the flags of the survey taken last. */
static void put_due(struct ip_buf *b, const json_t *c, int referral_days)
{
	const json_t *plan = json_object_get(c, "plan");
	const json_t *counsellors = json_object_get(c, "counsellors");
	size_t i, n = 0;
	json_t *v;
	char due[11], what[256];
	json_array_foreach(json_object_get(plan, "measures"), i, v) {
		const char *s = ip_str(v, "status");
		if (!in_force(v) || (s && !strcmp(s, "done")) || !ip_due_date(c, ip_str(v, "due"), due))
			continue;
		const char *owner = ip_str(v, "owner");
		snprintf(what, sizeof what, "%s %s", ip_str(v, "id"), ip_str(v, "category"));
		put_item(b, &n, "measure", due, owner ? owner : ip_str(counsellors, ip_str(v, "side")),
		         what);
	}
	json_array_foreach(json_object_get(plan, "follow_ups"), i, v) {
		if (json_object_get(v, "done") || !ip_due_date(c, ip_str(v, "due"), due))
			continue;
		const char *owner = ip_str(counsellors, "return");
		snprintf(what, sizeof what, "follow-up %zu (%s)", i + 1, ip_str(v, "due"));
		put_item(b, &n, "follow-up", due, owner ? owner : ip_str(counsellors, "host"), what);
	}
	json_array_foreach(json_object_get(c, "referrals"), i, v) {
		const char *sent = ip_str(v, "date");
		if (strcmp(ip_str(v, "status"), "pending") || !sent ||
		    !ip_date_add(sent, referral_days, 'd', due))
			continue;
		snprintf(what, sizeof what, "referral %s to %s without an answer", ip_str(v, "id"),
		         ip_str(v, "to"));
		put_item(b, &n, "referral", due, ip_str(counsellors, "host"), what);
	}
	put_flagged(b, &n, c);
}

static void put_follow_ups(struct ip_buf *b, const json_t *c)
{
	size_t i, n = 0;
	json_t *v;
	char due[11];
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "follow_ups"), i, v) {
		sep(b, &n);
		put(b, ip_due_date(c, ip_str(v, "due"), due) ? due : "");
		ip_buf_add(b, "|", 1);
		put(b, ip_str(v, "done"));
	}
}

/* x to the nearest whole number, halves away from zero. */
static long nearest(double x)
{
	return (long)(x + (x < 0 ? -0.5 : 0.5));
}

/* A score in hundredths, as reports count them. */
static void put_hundredths(struct ip_buf *b, const json_t *score)
{
	ip_buf_put_number(b, nearest(json_number_value(score) * 100), 0, '\0');
}

/* survey|date|composite|flags|dimension=score... of a survey taken. */
static void put_survey(struct ip_buf *b, const json_t *s)
{
	put(b, ip_str(s, "id"));
	ip_buf_add(b, "|", 1);
	put(b, ip_str(s, "date"));
	ip_buf_add(b, "|", 1);
	if (json_object_get(s, "composite"))
		put_hundredths(b, json_object_get(s, "composite"));
	ip_buf_add(b, "|", 1);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(s, "flags"), i, v) {
		if (i)
			ip_buf_add(b, " ", 1);
		put(b, json_string_value(v));
	}
	json_array_foreach(json_object_get(s, "scores"), i, v) {
		ip_buf_add(b, "|", 1);
		put(b, ip_str(v, "dimension"));
		ip_buf_add(b, "=", 1);
		put_hundredths(b, json_object_get(v, "score"));
	}
}

/* The months from arrival to a follow-up's due day, to the nearest: the
 * slot (3, 6, 12) an outcome report counts it in. */
static void put_slot(struct ip_buf *b, const char *arrived, const char *due)
{
	if (!arrived || !*due)
		return;
	long days = ip_days_between(arrived, due);
	if (days >= 0)
		ip_buf_put_number(b, nearest((double)days / 30.436875), 0, '\0');
}

static void put_outcomes(struct ip_buf *b, const json_t *c)
{
	const char *arrived = ip_str(json_object_get(c, "return"), "arrived");
	const json_t *baseline = json_object_get(c, "baseline");
	size_t i, n = 0;
	json_t *v;
	char due[11];
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "follow_ups"), i, v) {
		sep(b, &n);
		if (!ip_due_date(c, ip_str(v, "due"), due))
			*due = '\0';
		put_slot(b, arrived, due);
		ip_buf_add(b, "|", 1);
		ip_buf_puts(b, due);
		ip_buf_add(b, "|", 1);
		put(b, ip_str(v, "done"));
		if (json_object_get(v, "survey")) {
			ip_buf_add(b, "|", 1);
			put_survey(b, json_object_get(v, "survey"));
		}
	}
	if (baseline) {
		sep(b, &n);
		ip_buf_puts(b, "baseline|||");
		put_survey(b, baseline);
	}
}

/* An amount in cents: sums of them are exact, whatever the partials add. */
static long long cents_of(const json_t *amount)
{
	return llround(json_number_value(amount) * 100.0);
}

static void put_budget_item(struct ip_buf *b, size_t *n, char kind, const char *programme,
                            const char *currency, const json_t *amount)
{
	sep(b, n);
	char head[2] = {kind, '|'};
	ip_buf_add(b, head, 2);
	put(b, programme);
	ip_buf_add(b, "|", 1);
	put(b, currency);
	ip_buf_add(b, "|", 1);
	ip_buf_put_number(b, cents_of(amount), 0, '\0');
}

/* Each budget of a measure in force, and each payment made from any (a
 * measure cancelled after a payment was still paid). */
static void put_budgets(struct ip_buf *b, const json_t *measures)
{
	size_t i, j, n = 0;
	json_t *m, *pay;
	json_array_foreach((json_t *)measures, i, m) {
		const json_t *budget = json_object_get(m, "budget");
		if (!budget)
			continue;
		/* the payer, as caps and rules read it; a measure's own
		 * programme is what it applies to, not who pays */
		const char *programme = ip_str(budget, "programme");
		const char *currency = ip_str(budget, "currency");
		if (in_force(m))
			put_budget_item(b, &n, 'a', programme, currency, json_object_get(budget,
			                                                                 "amount"));
		json_array_foreach(json_object_get(budget, "paid"), j, pay) {
			put_budget_item(b, &n, 'p', programme, currency, json_object_get(pay, "amount"));
			ip_buf_add(b, "|", 1);
			put(b, ip_str(pay, "date"));
		}
	}
}

void ip_facts_of(const json_t *c, int referral_days, struct ip_buf *out)
{
	const json_t *centre = json_object_get(c, "centre");
	const json_t *person = json_object_get(c, "person");
	const json_t *ret = json_object_get(c, "return");
	const json_t *plan = json_object_get(c, "plan");
	const json_t *measures = json_object_get(plan, "measures");
	const json_t *counsellors = json_object_get(c, "counsellors");
	/* an erased case keeps only the years it was opened and closed */
	char opened_year[12] = "", closed_year[12] = "";
	if (json_object_get(c, "erased")) {
		snprintf(opened_year, sizeof opened_year, "%lld",
		         (long long)json_integer_value(json_object_get(c, "opened_year")));
		snprintf(closed_year, sizeof closed_year, "%lld",
		         (long long)json_integer_value(json_object_get(c, "closed_year")));
	}
	const char *opened = *opened_year ? opened_year : ip_str(c, "opened");
	const char *closed = *closed_year ? closed_year : ip_str(c, "closed");
	const char *const scalars[] = {
		ip_str(c, "id"), ip_str(c, "status"), ip_str(centre, "id"), ip_str(centre, "state"),
		ip_str(ret, "country"), ip_str(ret, "region"), ip_str(person, "sex"),
		ip_str(person, "birth_date"), opened, ip_str(ret, "planned_departure"),
		ip_str(ret, "departed"), ip_str(ret, "arrived"), closed,
		ip_str(c, "outcome"), ip_plan_agreed_on(plan),
		ip_str(counsellors, "host"), ip_str(person, "given"),
		ip_str(person, "family")};
	for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++) {
		put(out, scalars[i]);
		ip_buf_add(out, "\t", 1);
	}
	put_strings(out, json_object_get(latest_assessment(c), "vulnerabilities"));
	ip_buf_add(out, "\t", 1);
	put_programmes(out, c, measures);
	ip_buf_add(out, "\t", 1);
	put_measures(out, measures);
	ip_buf_add(out, "\t", 1);
	put_assisted(out, measures);
	ip_buf_add(out, "\t", 1);
	size_t i, n = 0;
	json_t *r;
	json_array_foreach(json_object_get(c, "referrals"), i, r) {
		sep(out, &n);
		put(out, ip_str(r, "status"));
	}
	ip_buf_add(out, "\t", 1);
	put_due(out, c, referral_days);
	ip_buf_add(out, "\t", 1);
	put_follow_ups(out, c);
	ip_buf_add(out, "\t", 1);
	put_assessed(out, c);
	ip_buf_add(out, "\t", 1);
	put_outcomes(out, c);
	ip_buf_add(out, "\t", 1);
	put_budgets(out, measures);
	ip_buf_add(out, "\t", 1);
	ip_buf_put_number(out, (long long)ip_case_record_key(c), 0, '\n');
}

const char *ip_facts_age_band(const json_t *bands, char *const f[IP_NFACTS], char out[16])
{
	int age = ip_years_between(f[IP_F_BIRTH], f[IP_F_OPENED]);
	size_t n = json_array_size(bands);
	snprintf(out, 16, "unknown");
	for (size_t i = 0; age >= 0 && i < n; i++) {
		int lo = (int)json_integer_value(json_array_get(bands, i));
		int hi = i + 1 < n ? (int)json_integer_value(json_array_get(bands, i + 1)) : -1;
		if (age >= lo && hi < 0)
			snprintf(out, 16, "%d+", lo);
		else if (age >= lo && age < hi)
			snprintf(out, 16, "%d-%d", lo, hi - 1);
	}
	return out;
}

bool ip_facts_split(char *line, char *fields[IP_NFACTS])
{
	int n = 0;
	fields[n++] = line;
	/* A warm report splits one line per case and does little else, so not
	 * a byte at a time: most lines have no escape at all, and then every
	 * tab is a separator, found by strchr; else from tab or backslash to
	 * the next with strcspn. */
	if (!strchr(line, '\\')) {
		for (char *p = strchr(line, '\t'); p; p = strchr(p, '\t')) {
			if (n == IP_NFACTS)
				return false;
			*p++ = '\0';
			fields[n++] = p;
		}
		return n == IP_NFACTS;
	}
	for (char *p = line + strcspn(line, "\t\\"); *p; p += strcspn(p, "\t\\")) {
		if (*p == '\\') {
			p += p[1] ? 2 : 1;  /* an escaped character, never a separator */
			continue;
		}
		if (n == IP_NFACTS)
			return false;
		*p++ = '\0';
		fields[n++] = p;
	}
	return n == IP_NFACTS;
}

/* Copy s up to an unescaped stop character (or the end) into buf,
 * unescaping; returns where it stopped. */
static const char *unescape(const char *s, const char *stops, char *buf, size_t n)
{
	size_t k = 0;
	for (; *s && !strchr(stops, *s); s++) {
		char ch = *s;
		if (ch == '\\' && s[1]) {
			ch = *++s;
			ch = ch == 't' ? '\t' : ch == 'n' ? '\n' : ch;
		}
		if (k + 1 < n)
			buf[k++] = ch;
	}
	if (n)
		buf[k] = '\0';
	return s;
}

const char *ip_facts_value(const char *field, char *buf, size_t n)
{
	unescape(field, "", buf, n);
	return buf;
}

bool ip_facts_next(const char **cursor, char *buf, size_t n, char **parts,
                   int maxparts, int *nparts)
{
	const char *s = *cursor;
	if (!s || !*s)
		return false;
	/* the raw item, then its parts, each unescaped into buf */
	size_t used = 0;
	*nparts = 0;
	for (;;) {
		char *part = buf + used;
		const char *end = unescape(s, ";|", part, n - used);
		if (*nparts < maxparts)
			parts[(*nparts)++] = part;
		used += strlen(part) + 1;
		if (used >= n)
			used = n - 1;
		s = end;
		if (*s != '|')
			break;
		s++;
	}
	*cursor = *s == ';' ? s + 1 : s;
	return true;
}
