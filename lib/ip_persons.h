/* ip_persons.h — who has a case in a repository, to find repeat returns
 * (~15 % of returns) and one person opened twice: the same person, or
 * perhaps the same (ip_match). Kept as an index in
 * .integplan/cache/persons.tsv (ignored by git), brought up to date by
 * each case file's size and modification time, so a repository of
 * 100,000 cases is not read again for every intake. The index holds no
 * names, only keyed hashes (HMAC-SHA256) of each person's exact and near
 * key under a secret of this clone (.integplan/cache/persons.key, 0600),
 * which a dictionary of names cannot confirm; every hit is confirmed
 * against the case file itself.
 *
 * An intake holds the index's lock from its first check to its last
 * write (ip_persons_free), so parallel intakes of one person open one
 * case: the others wait for it, then find it.
 *
 * Layer: storage. */
#ifndef IP_PERSONS_H
#define IP_PERSONS_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_repo.h"

struct ip_persons;

/* Read the index and the case files that changed since (a broken or
 * missing index is rebuilt), holding the index's lock when lock is true.
 * 0; 75 when another run holds the lock past $IP_LOCK_TIMEOUT; 65 or 66
 * when the rules of matching names are bad or missing; 73 when the cache
 * is a symbolic link. */
int ip_persons_load(const struct ip_repo *repo, bool lock, struct ip_persons **out);
/* The id of an existing case of the same person as case c, or NULL. */
const char *ip_persons_find(struct ip_persons *p, const json_t *c);
/* The other cases whose person may be the one of case c, a new array of
 * {"case": id, "why": reasons in words}, in id order; empty when none. */
json_t *ip_persons_near(struct ip_persons *p, const json_t *c);
/* Every pair of cases whose persons are or may be one and that no link
 * between them explains (a repeat return, a transfer, a person checked to
 * be another): a new array of {"cases": [id, id], "why": words}, sorted. */
json_t *ip_persons_pairs(struct ip_persons *p);
/* Count case c (opened in this run) in. */
void ip_persons_add(struct ip_persons *p, const json_t *c);
/* Write the index back if it changed, with the cases this run opened that
 * are written now; a failure is only a warning. */
void ip_persons_save(struct ip_persons *p);
/* Let go, and of the lock. */
void ip_persons_free(struct ip_persons *p);

#endif
