/* ip_edit.h — the one way a command changes cases. For each input: lock it
 * (in place), read it, refuse it unless valid, apply the change, record it
 * in the history, check the result, then write it back in canonical form
 * (in place, in batches) or print it (a filter). A change that changes
 * nothing writes nothing, so a second run of the same command is a no-op.
 *
 * Layer: storage. */
#ifndef IP_EDIT_H
#define IP_EDIT_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_run.h"
#include "ip_write.h"

/* Change case c (read from file name); return 0 with *what set to a
 * one-line summary for the history, or NULL when there is nothing to
 * change; else an exit status, with the problems reported. */
typedef int (*ip_edit_fn)(json_t *c, const char *name, const char **what,
                          void *ctx);

struct ip_edit {
	struct ip_run run;    /* what the run was asked for */
	bool in_place;       /* -i: write back; else print to standard output */
	const char *cmd;     /* the command, for the history */
	ip_edit_fn apply;
	bool no_paths;       /* in place, print no paths: the output is other */
	void *ctx;
	size_t changed, unchanged, failed; /* counted by ip_edit_run */
	/* Optional. In place, when a changed case joins a batch: add the files
	 * that must land with it (0, 73 or 74). */
	int (*also_write)(const char *path, struct ip_batch *batch, void *ctx);
	/* Optional. In place, before a chunk of changed cases is committed: put
	 * out what must have left before the cases record it (standard output).
	 * paths and status are the chunk's inputs in order (status 0: its
	 * change, if any, joins the commit). A failure (its status) fails the
	 * whole chunk: none of its cases is written. */
	int (*before_commit)(char *const *paths, const int *status, size_t n, void *ctx);
	/* Optional. Each input's final status, in input order: 0 once its
	 * change is in place (or it needed none), else with the first error
	 * reported about it. */
	void (*outcome)(const char *path, int status, const char *error, void *ctx);
};

/* Run over the operands and --files-from; returns the worst status. */
int ip_edit_run(struct ip_edit *e, char **operands, int n);

#endif
