/* ip_sheet.h — a referral as a page for a partner centre that does not
 * run IntegPlan: what the package carries (the partner's profile, in the
 * words of the partner's language), the measures asked for, a response
 * part to fill in, and the response form the referring centre enters with
 * ip-refer receive --from-form.
 *
 * Layer: domain. */
#ifndef IP_SHEET_H
#define IP_SHEET_H

#include <jansson.h>

#include "ip_words.h"

/* Render package pkg (ip_refer_sheet) for partner in the words x through
 * the templates sheet.FMT.mustache into out: 0, or 65/66 with the problem
 * reported. */
int ip_sheet_render(struct ip_words *x, const json_t *pkg, const json_t *partner,
                    struct ip_buf *out);

#endif
