/* ip_defdir.h — a directory of definitions a site may add to, one
 * NAME.yaml each (plan templates, surveys): their names, which names can
 * only mean such a file, and the message for a name there is none of.
 *
 * Layer: data. */
#ifndef IP_DEFDIR_H
#define IP_DEFDIR_H

#include <jansson.h>
#include <stdbool.h>

/* The names of the definitions in dir, sorted. */
json_t *ip_defdir_names(const char *dir);
/* A name that can only mean a file of such a directory: a-z, 0-9, '-'
 * and '_', not starting with '.'. */
bool ip_defdir_name_plain(const char *name);
/* For a name dir does not have: near (its format: the name, the nearest
 * name) when one is near, else all (the name, the names there are, or
 * "none"); both untranslated. Returns 64. */
int ip_defdir_unknown(const char *name, const char *dir, const char *near,
                      const char *all);

#endif
