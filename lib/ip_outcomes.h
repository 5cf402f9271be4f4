/* ip_outcomes.h — the outcome report (ip-report outcomes): how the people
 * a centre helped are doing 3, 6 and 12 months after arrival, from the
 * follow-up surveys their cases keep (ip_survey.h).
 *
 * A follow-up counts in a period when it falls due in it: due, done by
 * the period's end, surveyed by then with the report's survey. Its slot is
 * its months after arrival. Each slot of a partial holds, with the cell
 * keys of every count in the same shape (ip_ckm.h):
 *
 *   due, done, surveyed, flagged   counts of follow-ups
 *   composite                      {hundredths: count}, the composites
 *   scores                         {dimension: {hundredths: count}}
 *   change                         {hundredths: count}, composite minus
 *                                  the baseline's, where there was one
 *
 * Histograms of exact scores, not shares, so that partials add up and the
 * threshold is applied when the tables are made.
 *
 * Layer: domain. */
#ifndef IP_OUTCOMES_H
#define IP_OUTCOMES_H

#include <jansson.h>
#include <stdint.h>

#include "ip_protect.h"

/* Count one case's outcomes fact (ip_facts.h) into slots ({slot: {...}})
 * and its cell keys into kslots: the follow-ups due from..to, done and
 * surveyed with survey by to. */
void ip_outcomes_count(json_t *slots, json_t *kslots, const char *fact, const char *survey,
                       const char *from, const char *to, uint32_t rkey);

/* The partial's record of the survey it counts: id, threshold and its
 * dimensions with their titles (a new value). */
json_t *ip_outcomes_survey(const json_t *definition);

/* The tables of an outcomes partial, protected by pr: the follow-ups and
 * their sustainability per slot (and per group of its "by" field), then
 * the composite and each dimension's scores in bands, per slot. */
json_t *ip_outcomes_tables(const json_t *partial, const struct ip_protect *pr);

#endif
