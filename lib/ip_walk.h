/* ip_walk.h — the inputs of a run: operands ("-" is standard input), a
 * list of paths read from a file, and the directories among them walked
 * for case files. Knows nothing of options: a command fills struct
 * ip_inputs from its own.
 *
 * Layer: base. */
#ifndef IP_WALK_H
#define IP_WALK_H

#include <stdbool.h>

typedef int (*ip_input_fn)(const char *path, void *ctx);

struct ip_inputs {
	char **operands;
	int n;
	const char *files_from; /* a file of paths ("-" is standard input), or NULL */
	bool null;              /* its paths are NUL-terminated, not lines */
	bool recurse;           /* walk directories; else a directory is refused */
};

/* Call fn on each input: every operand, then every path of files_from.
 * Returns the worst status of fn and of the walk. */
int ip_inputs_walk(const struct ip_inputs *in, ip_input_fn fn, void *ctx);

/* Call fn on every case file under dir (*.yaml, *.yml, *.json), in sorted
 * order, skipping hidden names; a symbolic link named like a case file is
 * refused (65), never followed. */
int ip_walk(const char *dir, ip_input_fn fn, void *ctx);

#endif
