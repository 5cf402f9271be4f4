/* ip_budget.h — the budget report (ip-report budget): what the
 * programmes were committed to and what they paid, by programme, currency
 * and period, from the budgets and payments cases keep (ip_plan.h).
 *
 * A budget counts as approved on the day its plan was agreed (both sides'
 * approvals in force); a plan not agreed has committed nothing yet. A
 * payment counts on its day. Each cell of a partial (programme, currency
 * and a period of the report's unit, or "total" for the whole period)
 * holds, for "approved" and for "paid":
 *
 *   cases    the cases with an amount in the cell
 *   cents    the sum of their amounts, in cents
 *   largest  the largest amount one case has in the cell, in cents
 *
 * with the cell key of each set of cases in keys.budget (ip_ckm.h).
 * Partials add up cases and cents and keep the larger largest; a merge
 * checks them (ip_partial.h).
 *
 * Layer: domain. */
#ifndef IP_BUDGET_H
#define IP_BUDGET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ip_protect.h"

/* Count one case's budgets fact (ip_facts.h) into cells and its record key
 * into kcells: the budgets of a plan agreed on the day agreed (empty: not
 * agreed) and the payments, each from..to, in periods of unit. */
void ip_budget_count(json_t *cells, json_t *kcells, const char *fact, const char *agreed,
                     const char *unit, const char *from, const char *to, uint32_t rkey);

/* The table of a budget partial, protected by pr. */
json_t *ip_budget_tables(const json_t *partial, const struct ip_protect *pr);

#endif
