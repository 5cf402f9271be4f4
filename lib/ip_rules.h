/* ip_rules.h — assessment rules (share/integplan/rules/assess.yaml): from
 * an assessment's answers, a priority and recommended measures, saying
 * which rules fired.
 *
 * Layer: domain. */
#ifndef IP_RULES_H
#define IP_RULES_H

#include <jansson.h>

#include "ip_doc.h"

struct ip_rules;

/* Load and check a rules file (NULL: the site's assess.yaml); problems are
 * reported with their positions. 0, 65 or 66. */
int ip_rules_load(const char *path, const struct ip_limits *lim,
                  struct ip_rules **out);
void ip_rules_free(struct ip_rules *r);

/* Evaluate the rules on an assessment and record the outcome in it:
 * priority, recommended, rules. Returns the fired rules (a new array of
 * the rule objects, in file order). */
json_t *ip_rules_apply(const struct ip_rules *r, json_t *assessment);

#endif
