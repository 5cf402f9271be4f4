/* ip_indicators.h — the funders' indicators as data: which measures count
 * as assistance before departure or after arrival, which breakdowns
 * (share/integplan/indicators.yaml, with their sources).
 *
 * Layer: domain. */
#ifndef IP_INDICATORS_H
#define IP_INDICATORS_H

#include <jansson.h>

#include "ip_doc.h"

/* Load and check the indicator definitions at path (the schema, then each
 * "when", breakdown and id, every problem at its place): 0 with *defs a
 * new value, else 65 or 66. */
int ip_indicators_load(const char *path, const struct ip_limits *lim, json_t **defs);

#endif
