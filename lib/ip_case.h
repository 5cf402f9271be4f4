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
/* What the rules across a case's fields read, whether from its tree or
 * gathered in one pass over its file (ip_onepass.h). Text is borrowed;
 * the lists are in the thread's scratch (ip_arena.h). */
struct ip_case_item {
	size_t index;     /* in its list in the file */
	const char *a, *b;
};
struct ip_case_list {
	struct ip_case_item *v;
	size_t n, cap;
};
struct ip_case_core {
	bool erased;      /* a tombstone: only its id is read */
	const char *id, *centre, *state, *country, *region, *status, *outcome;
	const char *opened, *closed, *birth, *departed, *arrived;
	long long record_key;
	struct ip_case_list measures;   /* a: plan.measures[].id */
	struct ip_case_list referrals;  /* a: referrals[].id */
	struct ip_case_list consents;   /* a: consent[].purpose, b: .recipient */
	struct ip_case_list follow_ups; /* a: plan.follow_ups[].done */
};
void ip_case_list_add(struct ip_case_list *l, size_t index, const char *a, const char *b);
void ip_case_core_free(struct ip_case_core *k);

/* The rules across fields (run whatever the schema found): each
 * problem reported at its path in doc, or only counted when doc is NULL.
 * file: the file's name, which a case's id must match. Returns the number
 * of problems. */
int ip_case_rules(const struct ip_case_core *k, struct ip_doc *doc, const char *file);

/* Does consent to purpose name its recipient (referral, follow-up,
 * transfer)? */
bool ip_consent_needs_recipient(const char *purpose);

/* The case's record key (ip_grammar.h); for a case from before record
 * keys, one derived from its id. */
uint32_t ip_case_record_key(const json_t *c);
/* The same from the key, if given as a whole number, and the id. */
uint32_t ip_case_record_key_of(bool given, long long key, const char *id);

/* Load exactly one valid case from path ("-": standard input): 0 with
 * docs holding it, else 65 (reported), 66 or 74. The caller frees docs. */
int ip_case_load(const char *path, const struct ip_limits *lim, struct ip_docs *docs);
/* The same, of a file's text already read (file names it in messages). */
int ip_case_parse(const char *file, const char *buf, size_t len,
                  const struct ip_limits *lim, struct ip_docs *docs);

/* Load now everything reading a case loads on first use (ISO codes, the
 * large ones parsed in up to threads threads; vocabularies; programmes):
 * before threads read cases and share them. Once per run. */
void ip_case_warm_up(int threads);

#endif
