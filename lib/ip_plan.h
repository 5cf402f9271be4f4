/* ip_plan.h — the integrated plan: templates and the schedule every plan
 * follows (data under share/), measures, approvals, due dates, and the
 * gaps ip-plan check finds.
 *
 * Layer: domain. */
#ifndef IP_PLAN_H
#define IP_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ip_arena.h"
#include "ip_digest.h"
#include "ip_doc.h"
#include "ip_rules.h"

/* The date a due value names for case c: the value itself when it is a
 * date, else relative to the case's opening, its departure (departed,
 * else planned_departure) or arrival (arrived, else the departure).
 * false when that event has no date yet. */
bool ip_due_date(const json_t *c, const char *due, char out[11]);
/* The same with the case's dates given: those a due value may count from. */
struct ip_case_dates {
	const char *opened, *planned_departure, *departed, *arrived;
};
bool ip_due_resolve(const struct ip_case_dates *d, const char *due, char out[11]);

/* share/integplan/plans.yaml (agree_by, assistance_ends, follow_ups),
 * loaded and checked once: 0, or the status of the problem reported (65,
 * 66, 74). A command loads it before it changes any case, so that a file
 * it cannot read stops the command instead of leaving out follow-ups. */
int ip_plan_settings_load(const struct ip_limits *lim);
/* The settings (borrowed); NULL when they could not be loaded. */
const json_t *ip_plan_settings(const struct ip_limits *lim);

/* Load and check plan template name (templates/plans/NAME.yaml, or a
 * path with a '/'). 0 with *out set (caller decrefs), else 64 for an
 * unknown name (the known ones suggested), 65 or 66. */
int ip_plan_template_load(const char *name, const struct ip_limits *lim, json_t **out);
/* The names of the templates, sorted (a new array). */
json_t *ip_plan_template_names(void);
/* ip-plan templates: each template's name and its German and English title. */
int ip_plan_templates_print(void);

/* The case's plan, made when it has none. */
json_t *ip_plan_of(json_t *c);
/* Is measure m begun: in progress or done? */
bool ip_measure_begun(const json_t *m);
/* The next free measure id ("M7"); the caller frees. */
char *ip_plan_next_id(const json_t *plan);
/* The measure with this id, or NULL. */
json_t *ip_plan_measure(const json_t *plan, const char *id);
/* A measure as the plan's terms and the reports read it, and an approval:
 * read from their trees (ip_measure_read, ip_approval_read) or gathered
 * by the one pass from a case's events (ip_onepass.h), so that both give
 * the same digest and the same facts. Text points into the tree or the
 * pass's memory; NULL when not given, given as null or not text. */
enum ip_term {  /* in the sorted order of their keys */
	IP_TERM_BUDGET, IP_TERM_CANCELLED, IP_TERM_CATEGORY, IP_TERM_DIMENSION, IP_TERM_DUE,
	IP_TERM_PROGRAMME, IP_TERM_SIDE, IP_NTERMS
};
struct ip_payment_facts {
	double amount;
	const char *date;
};
struct ip_measure_facts {
	const char *id, *status, *category, *dimension, *due, *programme, *side, *started, *owner;
	unsigned nulls;            /* gathered: 1 << IP_TERM_* for a term given as null */
	const json_t *tree;        /* the measure read, whose terms are digested
	                            * as they are written; NULL: gathered */
	bool budget;               /* a budget is given (as null too) */
	const char *budget_programme, *budget_currency;
	bool amount_integer;       /* the amount as written: amount_i, else amount */
	long long amount_i;
	double amount;
	struct ip_payment_facts *paid;
	size_t npaid;
};
struct ip_approval_facts {
	const char *side, *date, *digest;
	bool withdrawn;            /* given, whatever its value */
};
/* Measure m of a plan's tree into *out; its payments only with an arena to
 * put them in (a NULL one: the terms only). */
void ip_measure_read(const json_t *m, struct ip_arena *a, struct ip_measure_facts *out);
void ip_approval_read(const json_t *a, struct ip_approval_facts *out);
/* The digest of the terms of measures m[0..n) (as ip_plan_digest), and the
 * day they were agreed by approvals a[0..na) (as ip_plan_agreed_on). */
void ip_plan_digest_of(const struct ip_measure_facts *m, size_t n, char out[IP_DIGEST_SIZE]);
const char *ip_plan_agreed_of(const struct ip_measure_facts *m, size_t n,
                              const struct ip_approval_facts *a, size_t na);
/* How many approvals a[0..na), not withdrawn, were given to other terms
 * than those of measures m[0..n) (as ip_plan_stale). */
size_t ip_plan_stale_of(const struct ip_measure_facts *m, size_t n,
                        const struct ip_approval_facts *a, size_t na);
/* Is the measure in force (not cancelled), begun (in progress or done)? */
bool ip_measure_facts_in_force(const struct ip_measure_facts *m);
bool ip_measure_facts_begun(const struct ip_measure_facts *m);

/* Approvals bind to what was approved. An approval records the digest of
 * the plan's terms when it was given: each measure's category, dimension,
 * side, due date as written, budget and programme, and whether it is
 * cancelled; so adding or removing a measure, or changing any of these,
 * withdraws it, while a measure's progress (open, in progress, done), its
 * owner, note or the payments from its budget do not. The one rule holds wherever the plan changes:
 * ip-plan, receive, a merge, a hand edit. */
void ip_plan_digest(const json_t *plan, char out[IP_DIGEST_SIZE]);
/* Is approval a of plan in force: not withdrawn, and given to its terms? */
bool ip_plan_approval_holds(const json_t *plan, const json_t *a);
/* The approval in force for a side, or NULL. */
json_t *ip_plan_approval(const json_t *plan, const char *side);
/* Both sides have approved the plan's terms and nothing withdrew it. */
bool ip_plan_agreed(const json_t *plan);
/* The day the plan was agreed (the later approval in force), or NULL when
 * it is not: one digest of the terms for all its approvals. */
const char *ip_plan_agreed_on(const json_t *plan);
/* The approvals not marked withdrawn that no longer match the plan's
 * terms: fn (if any) is called with each and its index; returns how many. */
size_t ip_plan_stale(const json_t *plan, void (*fn)(size_t i, const json_t *a, void *ctx),
                     void *ctx);
/* The plan changed: mark the stale approvals withdrawn on date and say so
 * in summary ("host: A. Berger"); returns how many there were. */
size_t ip_plan_withdraw(json_t *plan, const char *date, char *summary, size_t size);
/* After any change of case c (file name): withdraw the stale approvals on
 * date, warn that both sides must approve again, and add "; approvals
 * withdrawn (...)" to the change's summary. Returns how many. */
size_t ip_plan_settle(json_t *c, const char *date, const char *name, char *summary,
                      size_t size);

/* Report each gap of case c's plan, as of today, to fn with the field path
 * it is about. rules: the assessment rules whose "require" a plan must
 * meet. The programmes' caps and eligibility rules are those valid on
 * as_of, else on the day of the case's programme application
 * (ip_application_day). Returns the number of gaps. */
typedef void (*ip_gap_fn)(const char *path, const char *message, void *ctx);
size_t ip_plan_gaps(const json_t *c, const struct ip_rules *rules,
                    const struct ip_limits *lim, const char *today, const char *as_of,
                    ip_gap_fn fn, void *ctx);

#endif
