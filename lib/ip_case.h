/* ip_case.h — a case: the actor and the audit history, how its status
 * moves, the rules across its fields, and loading one valid case. Ids,
 * dates and the clock are in ip_grammar.h, which comes with it.
 *
 * Layer: domain. */
#ifndef IP_CASE_H
#define IP_CASE_H

#include <jansson.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>

#include "ip_doc.h"
#include "ip_grammar.h"
#include "ip_schema.h"

/* --actor, else $IP_ACTOR, else the login name, else the user id. */
const char *ip_actor(const char *option);

/* Move the case's status forward to "to" (never back: the case-status
 * vocabulary lists the statuses in order), recording in status_dates the
 * day it got there (date; NULL: none known). */
void ip_case_advance(json_t *c, const char *to, const char *date);

/* Append {at, by, cmd, what} to the case's history. */
void ip_history_add(json_t *c, const char *actor, const char *cmd,
                    const char *what);

/* Check a case document: every problem is reported, with its position;
 * the schema (plain scalars in fields typed as strings are taken as their
 * literal text, in place), then the rules across fields (the id fits the
 * centre and the file name, the region the country, only a closed case
 * has an outcome, ids are unique) and conflicts a merge left. Returns the
 * number of problems. */
int ip_case_validate(struct ip_doc *doc);
/* Does consent to purpose name its recipient (referral, follow-up,
 * transfer)? */
bool ip_consent_needs_recipient(const char *purpose);

/* The case's record key (ip_grammar.h); for a case from before record
 * keys, one derived from its id. */
uint32_t ip_case_record_key(const json_t *c);

/* Load exactly one valid case from path ("-": standard input): 0 with
 * docs holding it, else 65 (reported), 66 or 74. The caller frees docs. */
int ip_case_load(const char *path, const struct ip_limits *lim, struct ip_docs *docs);

#endif
