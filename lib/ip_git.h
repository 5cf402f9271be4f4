/* ip_git.h — a case repository kept in git: the merge driver for case
 * files, the attributes that select it, and the pre-commit hook.
 *
 * Layer: storage. */
#ifndef IP_GIT_H
#define IP_GIT_H

/* Make dir a git repository set up for IntegPlan, or finish the set-up of
 * one (a fresh clone has .gitattributes, but git never clones its config
 * or hooks). Adds only what is missing, so a second run changes nothing.
 * Returns 0, 73 (git missing or failing) or 74. */
int ip_git_setup(const char *dir);
#endif
