/* ip_caseview.h — one case as a person reads it: a page of who, where the
 * case stands, consent, the latest assessment, the plan, referrals and
 * dates, in the user's language (vocabulary labels, country names); and
 * its history one line per entry. Every value is shown with its
 * invisible characters escaped: the page is for a terminal.
 *
 * Layer: domain. */
#ifndef IP_CASEVIEW_H
#define IP_CASEVIEW_H

#include <jansson.h>

#include "ip_buf.h"

/* The page of case c, in lang's labels ("de", "en"). */
void ip_caseview_page(const json_t *c, const char *lang, struct ip_buf *out);

/* The history of case c: "AT  BY  CMD  WHAT", one line per entry. */
void ip_caseview_log(const json_t *c, struct ip_buf *out);

#endif
