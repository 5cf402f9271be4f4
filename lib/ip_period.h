/* ip_period.h — the periods reports count in: a year (2026), a quarter
 * (2026-Q3) or a month (2026-07), their first and last days, and the
 * period of a unit a day falls in.
 *
 * Layer: data. */
#ifndef IP_PERIOD_H
#define IP_PERIOD_H

#include <stdbool.h>

/* The units of periods, longest first, ended by NULL. */
extern const char *const ip_period_units[];
bool ip_period_unit_known(const char *unit);

/* A period's first and last day; false if it is not one. */
bool ip_period_range(const char *period, char from[11], char to[11]);

/* The period of unit ("year", "quarter" or "month") that the day date
 * (YYYY-MM-DD) falls in. */
void ip_period_of(const char *date, const char *unit, char out[24]);

/* Is the day date (YYYY-MM-DD; empty: none) from..to? */
bool ip_period_within(const char *date, const char *from, const char *to);

/* The unit a period is one of ("year", "quarter", "month"), or NULL. */
const char *ip_period_unit(const char *period);

#endif
