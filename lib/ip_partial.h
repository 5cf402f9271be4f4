/* ip_partial.h — a report partial (ip_report.h): the exact counts of a
 * report with their cell keys, as JSON. Counting into one, sealing it with
 * its digest, and adding up partials from other repositories after
 * checking that they can be trusted: their schema, digest, sources, range
 * and that their parts add up to their wholes.
 *
 * Layer: domain. */
#ifndef IP_PARTIAL_H
#define IP_PARTIAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ip_doc.h"

/* The values of a summary group's key are joined by the unit separator. */
#define IP_PARTIAL_KEY_SEP "\x1f"
/* The period of a budget row for the whole of the report's period. */
#define IP_PARTIAL_TOTAL "total"

/* The object at key of obj, made (empty) when it has none. */
json_t *ip_partial_child(json_t *obj, const char *key);
/* Add by to the count at key of obj (0 when it has none). */
void ip_partial_count(json_t *obj, const char *key, json_int_t by);
/* Add a record key to the cell key at name: a sum modulo 2^32 (ip_ckm.h). */
void ip_partial_add_key(json_t *keys, const char *name, uint32_t rkey);
/* A copy of an object with its keys sorted, recursively. */
json_t *ip_partial_sorted(const json_t *obj);
/* The smallest value of a histogram ({"value": count}, values whole
 * numbers) with at least share of the counts at or below it, exact
 * (nearest rank); false for an empty one. */
bool ip_partial_percentile(const json_t *hist, double share, long *out);
/* Set the partial's digest, over all of it but the digest itself. */
void ip_partial_seal(json_t *partial);

/* Load the partials at paths (JSON, each checked against the report
 * schema and trusted only when its digest matches, no source is counted
 * twice, every count is in range and its parts add up) and add them up:
 * 0 with *merged a new, sealed value, else 65, 66 or 74 with the problem
 * reported, naming the file. */
int ip_partial_merge_files(char **paths, int n, const struct ip_limits *lim,
                           json_t **merged);

#endif
