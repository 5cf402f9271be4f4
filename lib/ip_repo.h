/* ip_repo.h — a case repository: a directory with .integplan/config.yaml
 * and the case files under cases/. Found from -C DIR, else $IP_DIR, else
 * by walking up from the working directory; where its referrals are.
 *
 * Layer: storage. */
#ifndef IP_REPO_H
#define IP_REPO_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_doc.h"
#include "ip_sign.h"

struct ip_repo {
	char *dir;          /* as given or found: ".", "..", "/srv/cases" */
	char *cases;        /* dir/cases */
	json_t *config;
	const char *centre; /* centre.id of the config */
	const char *state;  /* centre.state, or NULL */
	char *id;           /* the config's repository id, or NULL: ip_repo_id */
	struct ip_limits lim;
};

/* 0, or 66 when no repository is found (with a message when required),
 * 65 for a bad config. Limits in the config replace the defaults in
 * r->lim. */
int ip_repo_find(const char *option_dir, bool required, struct ip_repo *r);
void ip_repo_free(struct ip_repo *r);
/* The repository id, which its clones share: the config's, else derived
 * from the centre and the oldest case (made on the first call). */
const char *ip_repo_id(struct ip_repo *r);

/* The cache directory (.integplan/cache, made 0700, ignored by git): 0
 * with *dir set, or NULL when it cannot be made (reported); 73 when it
 * is a symbolic link, reported. The caller frees *dir. */
int ip_repo_cache_dir(const struct ip_repo *r, char **dir);
/* The report cache's path (.integplan/cache/report.tsv, the directory made
 * 0700): 0 with *path set, or NULL when the directory cannot be made
 * (reported; the run goes on without a cache); 73 when it is a symbolic
 * link, reported. The caller frees *path. */
int ip_repo_report_cache(const struct ip_repo *r, char **path);

/* Make a repository in dir (created 0700 if missing). 0, 73 or 64. */
/* Is dir a case repository (has .integplan/config.yaml)? */
bool ip_repo_exists(const char *dir);
int ip_repo_init(const char *dir, const char *centre, const char *state);

/* dir/cases/<id>.yaml; the id must be valid. The caller frees. */
/* ip-intake --init [--git]: a checked centre id and Land, a new repository
 * in dir (or, with git, a clone that is one already: *cloned), and git's
 * merge driver and hooks when git. 0, 64 for a bad centre or Land, else
 * the error of making it. */
int ip_repo_make(const char *dir, const char *centre, const char *state, bool git,
                 bool *cloned);

/* The centre's signing key (.integplan/signing.key, or the file the
 * config names under signing_key), made (0600) when there is none yet.
 * 0, or the status of reading or writing it. */
int ip_repo_signing_key(const struct ip_repo *r, struct ip_sign_key *key);

char *ip_repo_case_path(const struct ip_repo *r, const char *id);

/* Where the referral ids of repository r are: one read of every case
 * file, not a parse, so that a batch of responses costs one pass over the
 * repository, not one per response. *index = {id: [paths]}, a new value;
 * returns 0, or 74/77 when a case file could not be read (reported; then
 * *index is NULL). */
int ip_repo_referrals(const struct ip_repo *r, const struct ip_limits *lim, json_t **index);

/* The case file holding referral id, by the index: 0 with *path set
 * (caller frees), 65 when two cases claim it, 74/77 when one of them
 * cannot be read, else 66. */
int ip_repo_referral_case(const json_t *index, const struct ip_limits *lim, const char *id,
                     char **path);

#endif
