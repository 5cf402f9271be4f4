/* ip_partners.h — the partner directory: who a centre refers to, what each
 * partner offers, the fields it may receive (its profile) and the age key
 * packages for it are encrypted to. share/integplan/partners.yaml, or the
 * file a repository's config names under "partners".
 *
 * Layer: storage. */
#ifndef IP_PARTNERS_H
#define IP_PARTNERS_H

#include <jansson.h>

#include "ip_doc.h"
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

/* Fields that never leave a centre, whatever a profile says: a reason
 * when path is one of them, else NULL. */
const char *ip_profile_forbidden(const char *path);

#endif
