/* ip_walk.h — the inputs of a run: operands ("-" is standard input), a
 * list of paths read from a file, and the directories among them walked
 * for case files. Knows nothing of options: a command fills struct
 * ip_inputs from its own.
 *
 * Layer: base. */
#ifndef IP_WALK_H
#define IP_WALK_H

#include <stdbool.h>
#include <stddef.h>

#include "ip_arena.h"

typedef int (*ip_input_fn)(const char *path, void *ctx);

struct ip_inputs {
	char **operands;
	int n;
	const char *files_from; /* a file of paths ("-" is standard input), or NULL */
	bool null;              /* its paths are NUL-terminated, not lines */
	bool recurse;           /* walk directories; else a directory is refused */
	bool unsorted;          /* a directory's files as it lists them: the
	                         * caller sorts them, and no listing is held */
};

/* Call fn on each input: every operand, then every path of files_from.
 * Returns the worst status of fn and of the walk. */
int ip_inputs_walk(const struct ip_inputs *in, ip_input_fn fn, void *ctx);

/* The paths of a run, kept: for a run that reads them in threads. The
 * paths are packed in one arena, not allocated one by one, so that a
 * hundred thousand of them leave no holes in the heap. */
struct ip_paths {
	char **v;
	size_t n, cap;
	struct ip_arena text;
};

/* An ip_input_fn adding path to the struct ip_paths at paths. */
int ip_paths_add(const char *path, void *paths);
/* The paths in byte order (strcmp): the same in every locale. */
void ip_paths_sort(struct ip_paths *p);
void ip_paths_free(struct ip_paths *p);

/* Call fn on every case file under dir (*.yaml, *.yml, *.json), in sorted
 * order, skipping hidden names; a symbolic link named like a case file is
 * refused (65), never followed. */
int ip_walk(const char *dir, ip_input_fn fn, void *ctx);

#endif
