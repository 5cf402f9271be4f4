#include "ip_budget.h"
#include "ip_facts.h"
#include "ip_i18n.h"
#include "ip_mem.h"
#include "ip_partial.h"
#include "ip_period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the parts of an item of the budgets fact */
enum { KIND, PROGRAMME, CURRENCY, CENTS, DATE, MAX_PARTS };

/* ---- counting ------------------------------------------------------------- */

/* A case's amount for a set of a cell, added up before it is counted: the
 * case is one of the cell's cases however many budgets it has there. */
static void add_own(json_t *own, const char *programme, const char *currency,
                    const char *period, const char *set, json_int_t cents)
{
	char *cell = ip_xasprintf("%s" IP_PARTIAL_KEY_SEP "%s" IP_PARTIAL_KEY_SEP "%s",
	                          *programme ? programme : "none", currency, period);
	ip_partial_count(ip_partial_child(own, cell), set, cents);
	free(cell);
}

static bool cents_of(const char *s, json_int_t *out)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 0)
		return false;
	*out = v;
	return true;
}

/* The case's amounts in the period, by cell and set. */
static json_t *own_amounts(const char *fact, const char *agreed, const char *unit,
                           const char *from, const char *to)
{
	json_t *own = json_object();
	const char *cursor = fact;
	char item[512], period[24];
	char *parts[MAX_PARTS];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, MAX_PARTS, &np)) {
		json_int_t cents;
		if (np <= CENTS || !cents_of(parts[CENTS], &cents))
			continue;
		bool paid = !strcmp(parts[KIND], "p");
		const char *day = paid ? (np > DATE ? parts[DATE] : "") : agreed;
		if (!ip_period_within(day, from, to))
			continue;
		const char *set = paid ? "paid" : "approved";
		ip_period_of(day, unit, period);
		add_own(own, parts[PROGRAMME], parts[CURRENCY], period, set, cents);
		add_own(own, parts[PROGRAMME], parts[CURRENCY], IP_PARTIAL_TOTAL, set, cents);
	}
	return own;
}

void ip_budget_count(json_t *cells, json_t *kcells, const char *fact, const char *agreed,
                     const char *unit, const char *from, const char *to, uint32_t rkey)
{
	json_t *own = own_amounts(fact, agreed, unit, from, to);
	const char *cell, *set;
	json_t *sets, *cents;
	json_object_foreach(own, cell, sets) {
		json_object_foreach(sets, set, cents) {
			json_t *into = ip_partial_child(ip_partial_child(cells, cell), set);
			json_int_t amount = json_integer_value(cents);
			ip_partial_count(into, "cases", 1);
			ip_partial_count(into, "cents", amount);
			if (amount > json_integer_value(json_object_get(into, "largest")))
				json_object_set_new(into, "largest", json_integer(amount));
			ip_partial_add_key(ip_partial_child(kcells, cell), set, rkey);
		}
	}
	json_decref(own);
}

/* ---- tables --------------------------------------------------------------- */

static json_int_t number(const json_t *set, const char *name)
{
	return json_integer_value(json_object_get(set, name));
}

/* The cases of a set and what they amount to, as shown. */
static void set_cells(json_t *row, const json_t *set, const json_t *key,
                      const struct ip_protect *pr, json_int_t *shown_cases)
{
	*shown_cases = ip_protect_count(pr, number(set, "cases"), key);
	json_array_append_new(row, json_integer(*shown_cases));
	json_array_append_new(row, ip_protect_amount(pr, number(set, "cents"),
	                                             number(set, "largest"), *shown_cases,
	                                             (uint32_t)json_integer_value(key)));
}

static void budget_row(json_t *rows, const char *cell, const json_t *v, const json_t *kv,
                       const struct ip_protect *pr)
{
	json_t *row = json_array();
	const char *s = cell;
	for (int part = 0; part < 3; part++) {
		size_t len = strcspn(s, IP_PARTIAL_KEY_SEP);
		bool total = part == 2 && !strcmp(s, IP_PARTIAL_TOTAL);
		json_array_append_new(row, total ? json_string(_("total"))
		                                 : json_stringn(s, len));
		s += len + (s[len] != '\0');
	}
	json_int_t approved, paid;
	set_cells(row, json_object_get(v, "approved"), json_object_get(kv, "approved"), pr,
	          &approved);
	set_cells(row, json_object_get(v, "paid"), json_object_get(kv, "paid"), pr, &paid);
	if (pr->ptable && !approved && !paid)
		json_decref(row);  /* shown as nothing: a row would say someone is in it */
	else
		json_array_append_new(rows, row);
}

/* Is the report's period one of its unit, so that its total is its one
 * period again? */
static bool one_period(const json_t *p)
{
	const char *unit = json_string_value(json_array_get(json_object_get(p, "by"), 0));
	const char *period = ip_str(p, "period");
	char from[11], to[11], same[24];
	if (!unit || !period || !ip_period_range(period, from, to))
		return false;
	ip_period_of(from, unit, same);
	return !strcmp(same, period);
}

json_t *ip_budget_tables(const json_t *p, const struct ip_protect *pr)
{
	char title[256];
	snprintf(title, sizeof title, _("Budgets %s: approved and paid, by programme"),
	         ip_str(p, "period"));
	json_t *t = json_pack("{s:s, s:[s, s, s, s, s, s, s], s:[], s:b}", "title", title,
	                      "columns", _("programme"), _("currency"), _("period"),
	                      _("cases approved"), _("amount approved"), _("cases paid"),
	                      _("amount paid"),
	                      "rows", "chart", 0);
	const json_t *kcells = json_object_get(json_object_get(p, "keys"), "budget");
	bool one = one_period(p);
	const char *cell;
	json_t *v;
	json_object_foreach(json_object_get(p, "budget"), cell, v) {
		size_t len = strlen(cell);
		size_t total = strlen(IP_PARTIAL_TOTAL);
		if (one && len >= total && !strcmp(cell + len - total, IP_PARTIAL_TOTAL))
			continue;
		budget_row(json_object_get(t, "rows"), cell, v, json_object_get(kcells, cell), pr);
	}
	return json_pack("[o]", t);
}
