/* ip_persons.h — who has a case in a repository, to find repeat returns
 * (~15 % of returns): the same given and family name (ASCII case ignored),
 * birth date and first nationality. Kept as an index in
 * .integplan/cache/persons.tsv (ignored by git), brought up to date by each
 * case file's size and modification time, so a repository of 100,000 cases
 * is not read again for every intake. The index holds only a hash of each
 * person and the case id, no names; a hit is confirmed against the case
 * file itself.
 *
 * Layer: storage. */
#ifndef IP_PERSONS_H
#define IP_PERSONS_H

#include <jansson.h>

#include "ip_repo.h"

struct ip_persons;

/* Read the index and the case files that changed since; never fails (a
 * broken or missing index is rebuilt). */
struct ip_persons *ip_persons_load(const struct ip_repo *repo);
/* The id of an existing case of the person of case c, or NULL. */
const char *ip_persons_find(struct ip_persons *p, const json_t *c);
/* Count case c (opened in this run) in. */
void ip_persons_add(struct ip_persons *p, const json_t *c);
/* Write the index back if it changed; a failure is only a warning. */
void ip_persons_save(struct ip_persons *p);
void ip_persons_free(struct ip_persons *p);

#endif
