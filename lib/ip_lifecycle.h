/* ip_lifecycle.h — the life of a case after intake: corrections of its
 * person, contacts, counsellors and planned departure; consent given later
 * or withdrawn (withdrawing a referral consent withdraws the open
 * referrals to that recipient); closing with an outcome and reopening;
 * erasure; a transfer to another centre in Germany, and the case the
 * receiving centre opens from it. Each is a change for ip_edit, recorded
 * in the case's history.
 *
 * Layer: domain. */
#ifndef IP_LIFECYCLE_H
#define IP_LIFECYCLE_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_doc.h"

enum ip_lifecycle_change { IP_LIFE_SET, IP_LIFE_CONSENT, IP_LIFE_CLOSE, IP_LIFE_REOPEN,
                           IP_LIFE_ERASE, IP_LIFE_TRANSFER };

struct ip_lifecycle {
	enum ip_lifecycle_change change;
	json_t *fields;          /* set: {"person.family": value, ...}, each checked */
	json_t *give, *withdraw; /* consent: [{purpose, recipient?}, ...] */
	const char *outcome;     /* close */
	const char *reason;      /* reopen */
	const char *date;        /* consent, close, transfer: the day (NULL: today) */
	const char *today;
	const json_t *directory; /* the partner directory: where partners are */
	const json_t *to;        /* transfer: the receiving centre's entry of it */
	json_t *package;         /* transfer: what leaves, sealed (the caller signs
	                          * it and lets go of it); NULL when nothing does */
	bool quiet;
};

void ip_lifecycle_init(struct ip_lifecycle *l);
void ip_lifecycle_free(struct ip_lifecycle *l);

/* Is recipient one consent can name: a country, or a partner of
 * directory? */
bool ip_lifecycle_recipient_known(const json_t *directory, const char *recipient);

/* "referral:AF-KBL-PH", "health-data" as {purpose, recipient?} into list;
 * the purpose a consent-purpose, the recipient a partner of the directory
 * or a country code. Problems are reported at label; returns their
 * number. */
int ip_lifecycle_consent_arg(const struct ip_lifecycle *l, json_t *list, const char *text,
                             const char *label);

/* Apply the change to case c (read from name): 0 with *what a summary for
 * the history (NULL: nothing to change), else 65 with the problem
 * reported. */
int ip_lifecycle_apply(struct ip_lifecycle *l, json_t *c, const char *name,
                       const char **what);

/* A transfer package (ip_transfer_schema, sealed and signed) checked as
 * the receiving centre must before opening its case: for this centre,
 * from a counselling centre of directory, the case the sender's own and
 * still open, under an id of this centre, with no referral open. Each
 * problem is reported at its place; returns their number. */
int ip_lifecycle_transfer_check(const struct ip_doc *pkg, const json_t *directory,
                                const char *centre);

/* The case the receiving centre opens from a checked transfer package:
 * everything the sender had, its history included, under the package's
 * id and this centre (state: its Land, or NULL), opened today, linked to
 * the sender's case; the sender's counsellor stays behind. A new value. */
json_t *ip_lifecycle_transferred(const json_t *pkg, const char *state, const char *today);

#endif
