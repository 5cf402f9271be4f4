/* ip_programme.h — the programmes as they were on a day: programmes.yaml
 * checked whole (every source a rule names is listed, no rule ends before
 * it begins), what was valid when, and who is eligible for what.
 *
 * Layer: domain. */
#ifndef IP_PROGRAMME_H
#define IP_PROGRAMME_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_buf.h"
#include "ip_doc.h"
#include "ip_vocab.h"

/* Load share/integplan/programmes.yaml and check it against its schema
 * and its cross-references, reporting every problem at its place: 0, 65
 * or 66. Once a run; later calls return the first status. */
int ip_programmes_load(const struct ip_limits *lim);

/* "source: URL, read DATE" of an entry's source, appended to out. */
void ip_source_say(const json_t *entry, struct ip_buf *out);

/* The day a case's programme rules are taken from: the day its first
 * programme application was begun (the started day, else the status day,
 * of a programme-application measure in progress or done), else today. */
void ip_application_day(const json_t *c, const char *today, char out[11]);

/* Does an eligibility rule apply to case c on day? */
enum ip_applies { IP_APPLIES_NO, IP_APPLIES_YES, IP_APPLIES_UNKNOWN };
enum ip_applies ip_rule_applies(const json_t *rule, const json_t *c, const char *day);

/* The eligibility rules of programmes.yaml valid on day (borrowed items,
 * a new array). */
json_t *ip_eligibility_on(const char *day);

#endif
