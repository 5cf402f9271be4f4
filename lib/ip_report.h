/* ip_report.h — the figures of ip-report from the facts of cases: counts
 * by any fields (summary), key performance indicators (kpi) and the
 * funders' indicators for a period. Each report is first a *partial*: exact
 * counts and histograms, as JSON, that partials of other repositories can
 * be added to (ip-report merge) before it is made into tables, whose
 * counts the Cell Key Method perturbs (ip_ckm.h).
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
	const char *kind;    /* "summary", "kpi" or "indicators" */
	json_t *by;          /* summary: the fields to count by */
	const char *since, *until; /* intake dates, inclusive; NULL: open */
	json_t *where;       /* [[field, value], ...]: a case matches any value */
	const char *today;
	const char *period;  /* indicators: YYYY, YYYY-QN or YYYY-MM */
	json_t *age_bands;   /* lower bounds of the age bands, ascending */
	const json_t *indicators; /* indicators: the definitions (indicators.yaml) */
};

/* The fields summary, --where and export know, for usage and completion;
 * ended by NULL, ip_report_nfields of them. */
extern const char *const ip_report_fields[];
extern const size_t ip_report_nfields;
bool ip_report_field_known(const char *field);
/* A period's first and last day; false if it is not one. */
bool ip_report_period(const char *period, char from[11], char to[11]);

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

/* Add partial part (from file name) to into; 65 with a message when they
 * are not the same report over the same fields, filters and period. */
int ip_report_merge(json_t *into, const json_t *part, const char *name);

/* Load the partials at paths (JSON, each checked against the report
 * schema) and add them up: 0 with *merged a new value, else 65, 66 or 74
 * with the problem reported. */
int ip_report_merge_files(char **paths, int n, const struct ip_limits *lim,
                          json_t **merged);

/* How the tables of a report are protected before anyone sees them. */
struct ip_protect {
	const struct ip_ptable *ptable; /* the Cell Key Method (ip_ckm.h); NULL: no
	                                 * protection, exact counts, every table
	                                 * marked not for publication */
	int min_base;                   /* a rate, median or percentile whose
	                                 * (shown) base is smaller is withheld */
	const json_t *indicators;       /* the definitions, for their titles */
};

/* Load and check the indicator definitions at path (the schema, then each
 * "when", breakdown and id, every problem at its place): 0 with *defs a
 * new value, else 65 or 66. */
int ip_indicators_load(const char *path, const struct ip_limits *lim, json_t **defs);

/* The tables of a partial, protected by pr. */
json_t *ip_report_tables(const json_t *partial, const struct ip_protect *pr);

/* A partial as the report a reader sees: JSON as it is (exact: a partial
 * is case data), else its protected tables as text, CSV, Markdown or an
 * HTML page. */
void ip_report_render(const json_t *partial, enum ip_format f, enum ip_csv_dialect dialect,
                      const struct ip_protect *pr, struct ip_buf *out);

#endif
