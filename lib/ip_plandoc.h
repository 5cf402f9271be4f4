/* ip_plandoc.h — a case's plan as a document for the returnee and both
 * counsellors: the plan's data in the words of one language (ip_words),
 * rendered through the templates plan.FMT.mustache.
 *
 * Layer: domain. */
#ifndef IP_PLANDOC_H
#define IP_PLANDOC_H

#include <jansson.h>

#include "ip_words.h"

/* Render case c's plan (of file) into out in the words x: measures in
 * date order, dates, due rules, countries, regions and programmes in words
 * of the document's language, the partner centres with their contact,
 * approvals (those the plan's changes withdrew said so), lines to sign.
 * Returns 0; 1 when the case has no plan; 65/66 with the problem reported
 * (a template missing or broken). */
int ip_plandoc_render(struct ip_words *x, const char *file, const json_t *c,
                      struct ip_buf *out);

#endif
