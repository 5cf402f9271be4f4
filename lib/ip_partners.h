/* ip_partners.h — the partner directory: who a centre refers to, what each
 * partner offers, the fields it may receive (its profile) and the age key
 * packages for it are encrypted to. share/integplan/partners.yaml, or the
 * file a repository's config names under "partners".
 *
 * Layer: storage. */
#ifndef IP_PARTNERS_H
#define IP_PARTNERS_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_repo.h"

/* Load and check the directory: path if given, else the repository's
 * (repo may be NULL), else the site's. 0 with *out set (caller decrefs),
 * else 65 or 66 with every problem reported. */
int ip_partners_load(const char *path, const struct ip_repo *repo,
                     const struct ip_limits *lim, json_t **out);

/* The partner with this id (borrowed), or NULL. */
json_t *ip_partner(const json_t *dir, const char *id);
/* Report an unknown partner with a did-you-mean or the list; 64. */
int ip_partner_unknown(const json_t *dir, const char *id);

/* The partner to send referrals to: in the directory, with a profile
 * (the fields it may receive), offering every service asked for. 0 with
 * *partner set (borrowed), else 64 with every problem reported. */
int ip_partner_to_refer(const json_t *dir, const char *to, const json_t *services,
                        json_t **partner);

/* ip-refer partners: one line a partner (id, country, kind, whether it has
 * a key, organisation), or the whole directory as data in format f. */
void ip_partners_print(const json_t *dir, bool as_data, enum ip_format f);

#endif
