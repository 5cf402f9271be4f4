/* ip_git.h — a case repository kept in git: the merge driver for case
 * files, the attributes that select it, and the pre-commit hook.
 *
 * Layer: storage. */
#ifndef IP_GIT_H
#define IP_GIT_H

#include <stddef.h>

/* Make dir a git repository set up for IntegPlan, or finish the set-up of
 * one (a fresh clone has .gitattributes, but git never clones its config
 * or hooks). Adds only what is missing, so a second run changes nothing.
 * Returns 0, 73 (git missing or failing) or 74. */
int ip_git_setup(const char *dir);

/* Remove every version of paths (relative to dir, a git work tree) from
 * the whole history with git-filter-repo, the work tree's files included.
 * Clones made before still hold the old versions. 0 or 73. */
int ip_git_purge(const char *dir, const char *const *paths, size_t n);
/* Commit what the work tree has at paths, with message. 0 or 73. */
int ip_git_commit(const char *dir, const char *const *paths, size_t n, const char *message);
#endif
