/* ip_report.h — the figures of ip-report from the facts of cases: counts
 * by any fields (summary), key performance indicators (kpi), the
 * funders' indicators for a period, the outcomes of the follow-ups due
 * in one (ip_outcomes.h) and the budgets approved and paid in one
 * (ip_budget.h). Each report is first a *partial*: exact
 * counts and histograms, as JSON, that partials of other repositories can
 * be added to (ip-report merge) before it is made into tables, whose
 * counts the Cell Key Method perturbs (ip_figures.h). Partials are
 * checked and added up in ip_partial.h.
 *
 * Layer: domain. */
#ifndef IP_REPORT_H
#define IP_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ip_doc.h"
#include "ip_facts.h"
#include "ip_schema.h"
#include "ip_table.h"

struct ip_report_query {
	const char *kind;    /* "summary", "kpi", "indicators", "outcomes" or
	                      * "budget" */
	json_t *by;          /* summary: the fields to count by; budget: the
	                      * unit of its periods */
	const char *since, *until; /* intake dates, inclusive; NULL: open */
	json_t *where;       /* [[field, value], ...]: a case matches any value */
	const char *today;
	const char *period;  /* indicators, outcomes, budget: YYYY, YYYY-QN or
	                      * YYYY-MM */
	json_t *age_bands;   /* lower bounds of the age bands, ascending */
	const json_t *indicators; /* indicators: the definitions (indicators.yaml) */
	const json_t *survey;     /* outcomes: the survey counted (ip_survey.h) */
};

/* The fields summary, --where and export know, for usage and completion;
 * ended by NULL, ip_report_nfields of them. */
extern const char *const ip_report_fields[];
extern const size_t ip_report_nfields;
bool ip_report_field_known(const char *field);

/* The fields to count by, comma-separated; each unknown one is reported
 * at label (with a did-you-mean). Returns the number of problems. */
int ip_report_by(struct ip_report_query *q, const char *fields, const char *label);
/* A filter FIELD=VALUE added to q->where; 1 (reported at label) when it is
 * not one. */
int ip_report_where(struct ip_report_query *q, const char *text, const char *label);

struct ip_report;
struct ip_report *ip_report_new(const struct ip_report_query *q);
void ip_report_add(struct ip_report *r, char *fields[IP_NFACTS]);
/* Where the cases come from: a centre's repository (its id), all of its
 * cases or a selection of them. A partial without a source (cases outside
 * any repository) cannot be merged. */
void ip_report_source(struct ip_report *r, const char *centre, const char *repository,
                      bool selection);
/* Warn about each --where value that no case of the run had (with the
 * nearest one that some case has); returns how many. */
int ip_report_unmatched(const struct ip_report *r);
/* The partial (a new value); frees the report. */
json_t *ip_report_finish(struct ip_report *r);

#endif
