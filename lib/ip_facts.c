#include "ip_facts.h"
#include "ip_case.h"
#include "ip_plan.h"
#include "ip_vocab.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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

static void put_texts(struct ip_buf *b, const struct ip_texts *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++) {
		sep(b, &n);
		put(b, t->v[i]);
	}
}

static bool texts_have(const struct ip_texts *t, const char *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i] && !strcmp(t->v[i], s))
			return true;
	return false;
}

/* The budget's programme of measure m, when it is in force and pays. */
static const char *paying(const struct ip_measure_facts *m)
{
	return m->budget && ip_measure_facts_in_force(m) ? m->budget_programme : NULL;
}

/* The programmes listed, then those paying a measure in force. */
static void put_programmes(struct ip_buf *b, const struct ip_case_facts *f)
{
	size_t n = f->programmes.n;
	put_texts(b, &f->programmes);
	for (size_t i = 0; i < f->nmeasures; i++) {
		const char *p = paying(&f->measures[i]);
		bool before = p && texts_have(&f->programmes, p);
		for (size_t j = 0; p && !before && j < i; j++)
			before = paying(&f->measures[j]) && !strcmp(paying(&f->measures[j]), p);
		if (!p || before)
			continue;
		sep(b, &n);
		put(b, p);
	}
}

static void put_measures(struct ip_buf *b, const struct ip_case_facts *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nmeasures; i++)
		if (ip_measure_facts_in_force(&f->measures[i])) {
			sep(b, &n);
			put(b, f->measures[i].category);
		}
}

static void put_assisted(struct ip_buf *b, const struct ip_case_facts *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nmeasures; i++) {
		const struct ip_measure_facts *m = &f->measures[i];
		if (!ip_measure_facts_begun(m))
			continue;
		sep(b, &n);
		put(b, m->side);
		ip_buf_add(b, "|", 1);
		put(b, m->started);
	}
}

/* Every assessment's date with each of its vulnerabilities. */
static void put_assessed(struct ip_buf *b, const struct ip_case_facts *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nassessments; i++) {
		const struct ip_assessment_facts *a = &f->assessments[i];
		if (!a->vulnerabilities.n) {
			sep(b, &n);
			put(b, a->date);
			ip_buf_add(b, "|", 1);
		}
		for (size_t j = 0; j < a->vulnerabilities.n; j++) {
			sep(b, &n);
			put(b, a->date);
			ip_buf_add(b, "|", 1);
			put(b, a->vulnerabilities.v[j]);
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
static const struct ip_survey_facts *latest_survey(const struct ip_case_facts *f)
{
	const struct ip_survey_facts *latest = f->baseline;
	for (size_t i = 0; i < f->nfollow_ups; i++) {
		const struct ip_survey_facts *s = f->follow_ups[i].survey;
		if (s && (!latest || strcmp(s->date, latest->date) >= 0))
			latest = s;
	}
	return latest;
}

/* Who sees what is due on a side (the return counsellor, else the host). */
static const char *return_owner(const struct ip_case_facts *f)
{
	return f->returning ? f->returning : f->host;
}

/* The flags of the survey taken last put the case before its counsellor
 * (a later survey without them takes it off again). */
static void put_flagged(struct ip_buf *b, size_t *n, const struct ip_case_facts *f)
{
	const struct ip_survey_facts *s = latest_survey(f);
	if (!s || !s->flags.n)
		return;
	struct ip_buf what = {0};
	ip_buf_printf(&what, "survey %s of %s flagged:", s->id, s->date);
	for (size_t i = 0; i < s->flags.n; i++)
		ip_buf_printf(&what, "%s %s", i ? "," : "", s->flags.v[i]);
	if (s->composite_given)
		ip_buf_printf(&what, " (composite %.2f)", s->composite);
	put_item(b, n, "flag", s->date, return_owner(f), what.s);
	ip_buf_free(&what);
}

static const struct ip_case_dates *dates_of(const struct ip_case_facts *f,
                                            struct ip_case_dates *d)
{
	*d = (struct ip_case_dates){f->opened, f->planned_departure, f->departed, f->arrived};
	return d;
}

/* The counsellor of a side ("host", "return"), or NULL. */
static const char *counsellor(const struct ip_case_facts *f, const char *side)
{
	return !side ? NULL : !strcmp(side, "host") ? f->host
	       : !strcmp(side, "return") ? f->returning : NULL;
}

/* Every open measure, follow-up and unanswered referral with a due date,
 * and the flags of the survey taken last. */
static void put_due(struct ip_buf *b, const struct ip_case_facts *f, int referral_days)
{
	struct ip_case_dates d;
	size_t n = 0;
	char due[11], what[256];
	dates_of(f, &d);
	for (size_t i = 0; i < f->nmeasures; i++) {
		const struct ip_measure_facts *m = &f->measures[i];
		if (!ip_measure_facts_in_force(m) || (m->status && !strcmp(m->status, "done")) ||
		    !ip_due_resolve(&d, m->due, due))
			continue;
		snprintf(what, sizeof what, "%s %s", m->id, m->category);
		put_item(b, &n, "measure", due, m->owner ? m->owner : counsellor(f, m->side), what);
	}
	for (size_t i = 0; i < f->nfollow_ups; i++) {
		const struct ip_follow_up_facts *u = &f->follow_ups[i];
		if (u->done_given || !ip_due_resolve(&d, u->due, due))
			continue;
		snprintf(what, sizeof what, "follow-up %zu (%s)", i + 1, u->due);
		put_item(b, &n, "follow-up", due, return_owner(f), what);
	}
	for (size_t i = 0; i < f->nreferrals; i++) {
		const struct ip_referral_facts *r = &f->referrals[i];
		if (strcmp(r->status, "pending") || !r->date ||
		    !ip_date_add(r->date, referral_days, 'd', due))
			continue;
		snprintf(what, sizeof what, "referral %s to %s without an answer", r->id, r->to);
		put_item(b, &n, "referral", due, f->host, what);
	}
	put_flagged(b, &n, f);
}

static void put_follow_ups(struct ip_buf *b, const struct ip_case_facts *f)
{
	struct ip_case_dates d;
	size_t n = 0;
	char due[11];
	dates_of(f, &d);
	for (size_t i = 0; i < f->nfollow_ups; i++) {
		sep(b, &n);
		put(b, ip_due_resolve(&d, f->follow_ups[i].due, due) ? due : "");
		ip_buf_add(b, "|", 1);
		put(b, f->follow_ups[i].done);
	}
}

/* x to the nearest whole number, halves away from zero. */
static long nearest(double x)
{
	return (long)(x + (x < 0 ? -0.5 : 0.5));
}

/* A score in hundredths, as reports count them. */
static void put_hundredths(struct ip_buf *b, double score)
{
	ip_buf_put_number(b, nearest(score * 100), 0, '\0');
}

/* survey|date|composite|flags|dimension=score... of a survey taken. */
static void put_survey(struct ip_buf *b, const struct ip_survey_facts *s)
{
	put(b, s->id);
	ip_buf_add(b, "|", 1);
	put(b, s->date);
	ip_buf_add(b, "|", 1);
	if (s->composite_given)
		put_hundredths(b, s->composite);
	ip_buf_add(b, "|", 1);
	for (size_t i = 0; i < s->flags.n; i++) {
		if (i)
			ip_buf_add(b, " ", 1);
		put(b, s->flags.v[i]);
	}
	for (size_t i = 0; i < s->nscores; i++) {
		ip_buf_add(b, "|", 1);
		put(b, s->scores[i].dimension);
		ip_buf_add(b, "=", 1);
		put_hundredths(b, s->scores[i].score);
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

static void put_outcomes(struct ip_buf *b, const struct ip_case_facts *f)
{
	struct ip_case_dates d;
	size_t n = 0;
	char due[11];
	dates_of(f, &d);
	for (size_t i = 0; i < f->nfollow_ups; i++) {
		const struct ip_follow_up_facts *u = &f->follow_ups[i];
		sep(b, &n);
		if (!ip_due_resolve(&d, u->due, due))
			*due = '\0';
		put_slot(b, f->arrived, due);
		ip_buf_add(b, "|", 1);
		ip_buf_puts(b, due);
		ip_buf_add(b, "|", 1);
		put(b, u->done);
		if (u->survey) {
			ip_buf_add(b, "|", 1);
			put_survey(b, u->survey);
		}
	}
	if (f->baseline) {
		sep(b, &n);
		ip_buf_puts(b, "baseline|||");
		put_survey(b, f->baseline);
	}
}

static void put_budget_item(struct ip_buf *b, size_t *n, char kind,
                            const struct ip_measure_facts *m, double amount)
{
	sep(b, n);
	char head[2] = {kind, '|'};
	ip_buf_add(b, head, 2);
	put(b, m->budget_programme);
	ip_buf_add(b, "|", 1);
	put(b, m->budget_currency);
	ip_buf_add(b, "|", 1);
	/* an amount in cents: sums of them are exact, whatever the partials add */
	ip_buf_put_number(b, llround(amount * 100.0), 0, '\0');
}

/* Each budget of a measure in force, and each payment made from any (a
 * measure cancelled after a payment was still paid). The programme is the
 * budget's, the payer, as caps and rules read it; a measure's own
 * programme is what it applies to, not who pays. */
static void put_budgets(struct ip_buf *b, const struct ip_case_facts *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->nmeasures; i++) {
		const struct ip_measure_facts *m = &f->measures[i];
		if (!m->budget)
			continue;
		if (ip_measure_facts_in_force(m))
			put_budget_item(b, &n, 'a', m, m->amount);
		for (size_t j = 0; j < m->npaid; j++) {
			put_budget_item(b, &n, 'p', m, m->paid[j].amount);
			ip_buf_add(b, "|", 1);
			put(b, m->paid[j].date);
		}
	}
}

void ip_facts_of(const struct ip_case_facts *f, int referral_days, struct ip_buf *out)
{
	/* an erased case keeps only the years it was opened and closed */
	char opened_year[24] = "", closed_year[24] = "";
	if (f->erased) {
		snprintf(opened_year, sizeof opened_year, "%lld", f->opened_year);
		snprintf(closed_year, sizeof closed_year, "%lld", f->closed_year);
	}
	const char *const scalars[] = {
		f->id, f->status, f->centre, f->state, f->country, f->region, f->sex, f->birth,
		f->erased ? opened_year : f->opened, f->planned_departure, f->departed,
		f->arrived, f->erased ? closed_year : f->closed, f->outcome,
		ip_plan_agreed_of(f->measures, f->nmeasures, f->approvals, f->napprovals),
		f->host, f->given, f->family};
	for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++) {
		put(out, scalars[i]);
		ip_buf_add(out, "\t", 1);
	}
	if (f->nassessments)
		put_texts(out, &f->assessments[f->nassessments - 1].vulnerabilities);
	ip_buf_add(out, "\t", 1);
	put_programmes(out, f);
	ip_buf_add(out, "\t", 1);
	put_measures(out, f);
	ip_buf_add(out, "\t", 1);
	put_assisted(out, f);
	ip_buf_add(out, "\t", 1);
	size_t n = 0;
	for (size_t i = 0; i < f->nreferrals; i++) {
		sep(out, &n);
		put(out, f->referrals[i].status);
	}
	ip_buf_add(out, "\t", 1);
	put_due(out, f, referral_days);
	ip_buf_add(out, "\t", 1);
	put_follow_ups(out, f);
	ip_buf_add(out, "\t", 1);
	put_assessed(out, f);
	ip_buf_add(out, "\t", 1);
	put_outcomes(out, f);
	ip_buf_add(out, "\t", 1);
	put_budgets(out, f);
	ip_buf_add(out, "\t", 1);
	uint32_t key = ip_case_record_key_of(f->record_key_given, f->record_key, f->id);
	ip_buf_put_number(out, (long long)key, 0, '\n');
}

/* ---- the facts of a tree ------------------------------------------------- */

/* The strings of list l (non-strings as NULL). */
static void read_texts(const json_t *l, struct ip_arena *a, struct ip_texts *out)
{
	out->n = json_array_size(l);
	out->v = out->n ? ip_arena_alloc(a, out->n * sizeof *out->v) : NULL;
	for (size_t i = 0; i < out->n; i++)
		out->v[i] = json_string_value(json_array_get(l, i));
}

/* A survey taken, or NULL when s is none (or null). */
static struct ip_survey_facts *read_survey(const json_t *s, struct ip_arena *a)
{
	if (!json_is_object(s))
		return NULL;
	struct ip_survey_facts *out = ip_arena_alloc(a, sizeof *out);
	const json_t *composite = json_object_get(s, "composite");
	const json_t *scores = json_object_get(s, "scores");
	*out = (struct ip_survey_facts){.id = ip_str(s, "id"), .date = ip_str(s, "date"),
	                                .composite_given = composite != NULL,
	                                .composite = json_number_value(composite)};
	read_texts(json_object_get(s, "flags"), a, &out->flags);
	out->nscores = json_array_size(scores);
	out->scores = out->nscores ? ip_arena_alloc(a, out->nscores * sizeof *out->scores) : NULL;
	for (size_t i = 0; i < out->nscores; i++) {
		const json_t *v = json_array_get(scores, i);
		out->scores[i] = (struct ip_score_facts){
			ip_str(v, "dimension"), json_number_value(json_object_get(v, "score"))};
	}
	return out;
}

/* n items of list l, each of size bytes, in the arena (NULL: none). */
static void *items(const json_t *l, size_t size, struct ip_arena *a, size_t *n)
{
	*n = json_array_size(l);
	return *n ? ip_arena_alloc(a, *n * size) : NULL;
}

static void read_lists(const json_t *c, struct ip_arena *a, struct ip_case_facts *f)
{
	const json_t *plan = json_object_get(c, "plan");
	const json_t *l = json_object_get(c, "assessments");
	f->assessments = items(l, sizeof *f->assessments, a, &f->nassessments);
	for (size_t i = 0; i < f->nassessments; i++) {
		const json_t *v = json_array_get(l, i);
		f->assessments[i].date = ip_str(v, "date");
		read_texts(json_object_get(v, "vulnerabilities"), a,
		           &f->assessments[i].vulnerabilities);
	}
	l = json_object_get(plan, "measures");
	f->measures = items(l, sizeof *f->measures, a, &f->nmeasures);
	for (size_t i = 0; i < f->nmeasures; i++)
		ip_measure_read(json_array_get(l, i), a, &f->measures[i]);
	l = json_object_get(plan, "approvals");
	f->approvals = items(l, sizeof *f->approvals, a, &f->napprovals);
	for (size_t i = 0; i < f->napprovals; i++)
		ip_approval_read(json_array_get(l, i), &f->approvals[i]);
	l = json_object_get(plan, "follow_ups");
	f->follow_ups = items(l, sizeof *f->follow_ups, a, &f->nfollow_ups);
	for (size_t i = 0; i < f->nfollow_ups; i++) {
		const json_t *v = json_array_get(l, i);
		f->follow_ups[i] = (struct ip_follow_up_facts){
			ip_str(v, "due"), ip_str(v, "done"), json_object_get(v, "done") != NULL,
			read_survey(json_object_get(v, "survey"), a)};
	}
	l = json_object_get(c, "referrals");
	f->referrals = items(l, sizeof *f->referrals, a, &f->nreferrals);
	for (size_t i = 0; i < f->nreferrals; i++) {
		const json_t *v = json_array_get(l, i);
		f->referrals[i] = (struct ip_referral_facts){ip_str(v, "id"), ip_str(v, "status"),
		                                             ip_str(v, "date"), ip_str(v, "to")};
	}
}

void ip_facts_read(const json_t *c, struct ip_arena *a, struct ip_case_facts *f)
{
	const json_t *centre = json_object_get(c, "centre");
	const json_t *counsellors = json_object_get(c, "counsellors");
	const json_t *person = json_object_get(c, "person");
	const json_t *ret = json_object_get(c, "return");
	const json_t *key = json_object_get(c, "record_key");
	*f = (struct ip_case_facts){
		.erased = json_object_get(c, "erased") != NULL,
		.opened_year = json_integer_value(json_object_get(c, "opened_year")),
		.closed_year = json_integer_value(json_object_get(c, "closed_year")),
		.id = ip_str(c, "id"), .status = ip_str(c, "status"),
		.outcome = ip_str(c, "outcome"), .opened = ip_str(c, "opened"),
		.closed = ip_str(c, "closed"),
		.centre = ip_str(centre, "id"), .state = ip_str(centre, "state"),
		.host = ip_str(counsellors, "host"), .returning = ip_str(counsellors, "return"),
		.sex = ip_str(person, "sex"), .birth = ip_str(person, "birth_date"),
		.given = ip_str(person, "given"), .family = ip_str(person, "family"),
		.country = ip_str(ret, "country"), .region = ip_str(ret, "region"),
		.planned_departure = ip_str(ret, "planned_departure"),
		.departed = ip_str(ret, "departed"), .arrived = ip_str(ret, "arrived"),
		.record_key_given = json_is_integer(key), .record_key = json_integer_value(key),
		.baseline = read_survey(json_object_get(c, "baseline"), a)};
	read_texts(json_object_get(c, "programmes"), a, &f->programmes);
	read_lists(c, a, f);
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
