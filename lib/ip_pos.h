/* ip_pos.h — where the nodes of a document are in its source: a side table
 * keyed by container (mapping or sequence) that holds the position of each
 * child in document order. One record per container and no path strings,
 * so keeping positions costs little; paths are resolved only when a
 * problem is reported.
 *
 * Layer: data. */
#ifndef IP_POS_H
#define IP_POS_H

#include <jansson.h>
#include <stdbool.h>

struct ip_posmap;
struct ip_posrec;

struct ip_posmap *ip_posmap_new(void);
void ip_posmap_free(struct ip_posmap *m);

/* The position of the root value (and its literal text, if a plain
 * scalar that did not resolve to a string). */
void ip_pos_root(struct ip_posmap *m, int line, int col, const char *plain);
/* Start the record of a container; its children are added in order. */
struct ip_posrec *ip_pos_container(struct ip_posmap *m, const json_t *c);
void ip_pos_child(struct ip_posrec *rec, int line, int col, const char *plain);
/* The line of child i of a container, or 0. */
int ip_pos_child_line(const struct ip_posmap *m, const json_t *c, size_t i);

/* The position of the node at a field path ("a.b[2].c") under root, or of
 * its nearest ancestor that has one. *plain (may be NULL) is set to the
 * literal text of the node itself, or NULL. False if nothing is known. */
bool ip_pos_find(const struct ip_posmap *m, const json_t *root, const char *path,
                 int *line, int *col, const char **plain);

#endif
