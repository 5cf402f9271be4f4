#include "ip_partial.h"
#include "ip_buf.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_codes.h"
#include "ip_period.h"
#include "ip_vocab.h"
#include "ip_schema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No repository has this many cases: a larger count is a forged or
 * damaged partial, and no sum of partials comes near overflowing. */
#define COUNT_MAX 1000000000000LL

/* ---- counting ------------------------------------------------------------ */

json_t *ip_partial_child(json_t *obj, const char *key)
{
	json_t *c = json_object_get(obj, key);
	if (!c)
		json_object_set_new(obj, key, c = json_object());
	return c;
}

void ip_partial_count(json_t *obj, const char *key, json_int_t by)
{
	json_t *c = json_object_get(obj, key);
	if (c)
		json_integer_set(c, json_integer_value(c) + by);
	else
		json_object_set_new(obj, key, json_integer(by));
}

/* The cell key of a count: its cases' record keys, summed modulo 2^32. */
void ip_partial_add_key(json_t *keys, const char *name, uint32_t rkey)
{
	json_t *key = json_object_get(keys, name);
	uint32_t sum = (uint32_t)json_integer_value(key) + rkey;
	if (json_is_integer(key))  /* set in place: no value made per case */
		json_integer_set(key, sum);
	else
		json_object_set_new(keys, name, json_integer(sum));
}

static int by_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A copy of an object with its keys sorted, so partials are deterministic. */
json_t *ip_partial_sorted(const json_t *obj)
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
		json_object_set_new(out, keys[i], json_is_object(val) ? ip_partial_sorted(val) : json_copy(val));
	}
	free(keys);
	return out;
}
/* The digest of a partial: over all of it but the digest itself. */
static void partial_digest(const json_t *p, char out[IP_DIGEST_SIZE])
{
	json_t *copy = json_copy((json_t *)p);
	json_object_del(copy, "digest");
	ip_digest_json(copy, out);
	json_decref(copy);
}

void ip_partial_seal(json_t *p)
{
	char digest[IP_DIGEST_SIZE];
	partial_digest(p, digest);
	json_object_set_new(p, "digest", json_string(digest));
}
/* Add the numbers of from into into, recursively: counts as they are,
 * cell keys (keys) as sums modulo 2^32, so that merged partials have the
 * keys one repository of all their cases would have; a budget's largest
 * amount of one case is the larger of the two (a case is in one
 * repository). */
static void add_numbers(json_t *into, const json_t *from, bool keys)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)from, k, v) {
		json_t *have = json_object_get(into, k);
		if (json_is_integer(v) && keys)
			ip_partial_add_key(into, k, (uint32_t)json_integer_value(v));
		else if (json_is_integer(v) && !strcmp(k, "largest")) {
			if (json_integer_value(v) > json_integer_value(have))
				json_object_set_new(into, k, json_integer(json_integer_value(v)));
		}
		else if (json_is_integer(v))
			ip_partial_count(into, k, json_integer_value(v));
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
	                                   "definitions", "survey"};
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

static int add_partial(json_t *into, const json_t *part, const char *name)
{
	if (same_report(into, part, name))
		return IP_EXIT_DATAERR;
	static const char *const parts[] = {"groups", "counts", "histograms", "indicators",
	                                    "outcomes", "budget"};
	ip_partial_count(into, "cases", json_integer_value(json_object_get(part, "cases")));
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
	                                       "outcomes", "budget", "keys"};
	for (size_t i = 0; i < sizeof sortable / sizeof *sortable; i++)
		if (json_object_get(into, sortable[i]))
			json_object_set_new(into, sortable[i], ip_partial_sorted(json_object_get(into, sortable[i])));
	return IP_EXIT_OK;
}

/* ---- histograms ---------------------------------------------------------- */

struct bin { long value; json_int_t n; };

static int by_value(const void *a, const void *b)
{
	long x = ((const struct bin *)a)->value, y = ((const struct bin *)b)->value;
	return (x > y) - (x < y);
}

bool ip_partial_percentile(const json_t *hist, double share, long *out)
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
	qsort(bins, nbins, sizeof *bins, by_value);
	json_int_t rank = (json_int_t)(share * (double)n);
	if ((double)rank < share * (double)n)
		rank++;  /* the ceiling, without floating-point rounding up */
	json_int_t seen = 0;
	bool found = false;
	for (i = 0; i < nbins && !found; i++) {
		seen += bins[i].n;
		if (seen >= (rank < 1 ? 1 : rank)) {
			*out = bins[i].value;
			found = true;
		}
	}
	free(bins);
	return found;
}

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

/* The sum of a histogram of hundredths, each bin checked to be from lo to
 * hi; *bad counts the bins that are not. */
static json_int_t bins_sum(const json_t *hist, long lo, long hi, const char *name,
                           const char *path, int *bad)
{
	const char *bin;
	json_t *v;
	json_object_foreach((json_t *)hist, bin, v) {
		char *end;
		long at = strtol(bin, &end, 10);
		if (!*bin || *end || at < lo || at > hi || !json_is_integer(v)) {
			ip_error(&(struct ip_where){name, 0, 0, path}, "'%s' is not a score in "
			         "hundredths (%ld to %ld) with a count", bin, lo, hi);
			++*bad;
		}
	}
	return sum_of(hist);
}

/* One slot of an outcomes partial: each stage at most the one before. */
static int slot_adds_up(const json_t *slot, const char *name, const char *path)
{
	static const char *const known[] = {"due", "done", "surveyed", "flagged", "composite",
	                                    "scores", "change"};
	int bad = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)slot, k, v) {
		size_t i = 0;
		while (i < sizeof known / sizeof *known && strcmp(k, known[i]))
			i++;
		if (i == sizeof known / sizeof *known) {
			ip_error(&(struct ip_where){name, 0, 0, path}, "unknown count '%s'", k);
			bad++;
		}
	}
	json_int_t due = json_integer_value(json_object_get(slot, "due"));
	json_int_t done = json_integer_value(json_object_get(slot, "done"));
	json_int_t surveyed = json_integer_value(json_object_get(slot, "surveyed"));
	json_int_t scored = bins_sum(json_object_get(slot, "composite"), 0, 100, name, path, &bad);
	json_int_t compared = bins_sum(json_object_get(slot, "change"), -100, 100, name, path,
	                               &bad);
	bad += at_most(name, path, done, _("the follow-ups due"), due) +
	       at_most(name, path, surveyed, _("the follow-ups done"), done) +
	       at_most(name, path, json_integer_value(json_object_get(slot, "flagged")),
	               _("the surveys"), surveyed) +
	       at_most(name, path, scored, _("the surveys"), surveyed) +
	       at_most(name, path, compared, _("the composite scores"), scored);
	json_object_foreach(json_object_get(slot, "scores"), k, v)
		bad += at_most(name, path, bins_sum(v, 0, 100, name, path, &bad), _("the surveys"),
		               surveyed);
	return bad;
}

/* A slot is a number of months after arrival. */
static int slots_add_up(const json_t *slots, const char *name, const char *path)
{
	int bad = 0;
	const char *k;
	json_t *slot;
	json_object_foreach((json_t *)slots, k, slot) {
		char *sub = ip_xasprintf("%s.%s", path, k);
		if (strspn(k, "0123456789") != strlen(k) || !*k || strlen(k) > 3) {
			ip_error(&(struct ip_where){name, 0, 0, sub}, "not a number of months after "
			         "arrival");
			bad++;
		} else {
			bad += slot_adds_up(slot, name, sub);
		}
		free(sub);
	}
	return bad;
}

static int outcomes_adds_up(const json_t *p, const char *name)
{
	int bad = slots_add_up(json_object_get(p, "outcomes"), name, "outcomes");
	const char *k;
	json_t *group;
	json_object_foreach(json_object_get(p, "groups"), k, group) {
		char *path = ip_xasprintf("groups.%s", k);
		bad += slots_add_up(group, name, path);
		free(path);
	}
	if (!json_object_get(p, "survey") || !ip_str(p, "period")) {
		ip_error(&(struct ip_where){name, 0, 0, "survey"}, "an outcomes partial names its "
		         "survey and period");
		bad++;
	}
	return bad;
}

/* A budget partial (ip_budget.h): each cell a programme this site knows
 * (or none), a currency and a period of the unit within the period, its
 * sets known and possible, the periods adding up to the total. */
static const char *const budget_sets[] = {"approved", "paid"};

static json_int_t number(const json_t *set, const char *name)
{
	return json_integer_value(json_object_get(set, name));
}

static int problem(const char *name, const char *path, const char *what)
{
	ip_error(&(struct ip_where){name, 0, 0, path}, "%s", what);
	return 1;
}

/* One set of a cell: known counts, the largest amount at most the sum and
 * the sum at most the largest amount for every case. */
static int set_adds_up(const json_t *set, const char *name, const char *path)
{
	int bad = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)set, k, v)
		if (strcmp(k, "cases") && strcmp(k, "cents") && strcmp(k, "largest")) {
			ip_error(&(struct ip_where){name, 0, 0, path}, "unknown count '%s'", k);
			bad++;
		}
	json_int_t cases = number(set, "cases"), cents = number(set, "cents");
	json_int_t largest = number(set, "largest");
	if (largest > cents)
		bad += problem(name, path, _("the largest amount is more than the sum: the parts "
		                             "do not add up"));
	else if (cases ? (cents + cases - 1) / cases > largest : cents > 0)
		bad += problem(name, path, _("the sum is more than the largest amount for every "
		                             "case: the parts do not add up"));
	return bad;
}

/* The period of a cell: one of the report's unit within its period. */
static bool period_fits(const char *period, const char *unit, const char *from,
                        const char *to)
{
	char first[11], last[11], same[24];
	if (!ip_period_range(period, first, last))
		return false;
	ip_period_of(first, unit, same);
	return !strcmp(same, period) && strcmp(first, from) >= 0 && strcmp(last, to) <= 0;
}

/* A cell's key: a programme this site knows (or none), a currency and a
 * period of the unit; the period is returned. */
static const char *cell_fits(const char *cell, const char *unit, const char *from,
                             const char *to, const char *name)
{
	char programme[64], currency[8];
	const char *sep1 = strstr(cell, IP_PARTIAL_KEY_SEP);
	const char *sep2 = sep1 ? strstr(sep1 + 1, IP_PARTIAL_KEY_SEP) : NULL;
	bool ok = sep2 && sep1 - cell < (long)sizeof programme && sep2 - sep1 - 1 < (long)sizeof
	          currency;
	if (ok) {
		snprintf(programme, sizeof programme, "%.*s", (int)(sep1 - cell), cell);
		snprintf(currency, sizeof currency, "%.*s", (int)(sep2 - sep1 - 1), sep1 + 1);
		ok = (!strcmp(programme, "none") || ip_programme_known(programme)) &&
		     ip_code_known(IP_CODES_CURRENCY, currency) &&
		     (!strcmp(sep2 + 1, IP_PARTIAL_TOTAL) || period_fits(sep2 + 1, unit, from, to));
	}
	if (!ok) {
		ip_error(&(struct ip_where){name, 0, 0, "budget"}, "'%s' is not a programme, a "
		         "currency and a %s of the period", cell, unit);
		return NULL;
	}
	return sep2 + 1;
}

/* The periods of a programme's amounts in a currency add up to its total. */
static int periods_add_up(const json_t *cells, const char *total_cell, const char *name)
{
	size_t stem = strlen(total_cell) - strlen(IP_PARTIAL_TOTAL);
	const json_t *total = json_object_get(cells, total_cell);
	int bad = 0;
	for (size_t s = 0; s < 2; s++) {
		json_int_t cents = 0, cases = 0, most = 0;
		const char *cell;
		json_t *v;
		json_object_foreach((json_t *)cells, cell, v) {
			const json_t *set = json_object_get(v, budget_sets[s]);
			if (strncmp(cell, total_cell, stem) || !strcmp(cell + stem, IP_PARTIAL_TOTAL))
				continue;
			cents += number(set, "cents");
			cases += number(set, "cases");
			if (number(set, "cases") > most)
				most = number(set, "cases");
		}
		const json_t *whole = json_object_get(total, budget_sets[s]);
		char *path = ip_xasprintf("budget.%s.%s", total_cell, budget_sets[s]);
		if (cents != number(whole, "cents") || cases < number(whole, "cases") ||
		    most > number(whole, "cases"))
			bad += problem(name, path, _("the periods do not add up to the total"));
		free(path);
	}
	return bad;
}

static int budget_adds_up(const json_t *p, const char *name)
{
	const char *unit = json_string_value(json_array_get(json_object_get(p, "by"), 0));
	char from[11], to[11];
	if (!unit || !ip_period_unit_known(unit) || !ip_str(p, "period") ||
	    !ip_period_range(ip_str(p, "period"), from, to))
		return problem(name, "by", _("a budget partial names its period and the unit "
		                             "(year, quarter or month) of its rows"));
	const json_t *cells = json_object_get(p, "budget");
	int bad = 0;
	const char *cell;
	json_t *v;
	json_object_foreach((json_t *)cells, cell, v) {
		const char *period = cell_fits(cell, unit, from, to, name);
		if (!period) {
			bad++;
			continue;
		}
		char *total = ip_xasprintf("%.*s%s", (int)(period - cell), cell, IP_PARTIAL_TOTAL);
		if (!json_object_get(cells, total))
			bad += problem(name, "budget", _("a period without its total"));
		else if (!strcmp(period, IP_PARTIAL_TOTAL))
			bad += periods_add_up(cells, cell, name);
		free(total);
		const char *set_name;
		json_t *set;
		json_object_foreach(v, set_name, set) {
			char *path = ip_xasprintf("budget.%s.%s", cell, set_name);
			bool known = !strcmp(set_name, budget_sets[0]) || !strcmp(set_name, budget_sets[1]);
			bad += known ? set_adds_up(set, name, path)
			             : problem(name, path, _("a cell holds only approved and paid"));
			free(path);
		}
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
	if (!strcmp(kind, "outcomes"))
		return outcomes_adds_up(p, name);
	if (!strcmp(kind, "budget"))
		return budget_adds_up(p, name);
	ip_error(&(struct ip_where){name, 0, 0, "report"}, "unknown report '%s' (summary, kpi, "
	         "indicators, outcomes or budget)", kind);
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
	char *x = ip_json_text(*(json_t *const *)a, JSON_COMPACT | JSON_SORT_KEYS);
	char *y = ip_json_text(*(json_t *const *)b, JSON_COMPACT | JSON_SORT_KEYS);
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
		         "(ip-report summary|kpi|indicators|outcomes|budget -f json)");
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

int ip_partial_merge_files(char **paths, int n, const struct ip_limits *lim,
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
			rc = add_partial(*merged, part, paths[i]);
		ip_docs_free(&docs);
	}
	json_decref(seen);
	if (!rc) {
		sort_sources(*merged);
		ip_partial_seal(*merged);
	} else {
		json_decref(*merged);
		*merged = NULL;
	}
	return rc;
}
