/* ip_figures.h — the tables a reader of a report sees: the counts of a
 * partial (ip_partial.h) perturbed by the Cell Key Method (ip_ckm.h),
 * rates and durations withheld below their minimum base, codes beside
 * their names, under a title that says whose cases, which period and
 * when; rendered as text, CSV, Markdown or HTML (ip_table.h).
 *
 * Layer: domain. */
#ifndef IP_FIGURES_H
#define IP_FIGURES_H

#include <jansson.h>

#include "ip_protect.h"
#include "ip_schema.h"
#include "ip_table.h"

/* The tables of a partial, protected by pr. */
json_t *ip_figures_tables(const json_t *partial, const struct ip_protect *pr);

/* A partial as the report a reader sees: JSON as it is (exact: a partial
 * is case data), else its protected tables as text, CSV, Markdown or an
 * HTML page. */
void ip_figures_render(const json_t *partial, enum ip_format f, enum ip_csv_dialect dialect,
                       const struct ip_protect *pr, struct ip_buf *out);

#endif
