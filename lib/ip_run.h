/* ip_run.h — what a run over many cases was asked for, however it was
 * asked (a command's options, a test, another library function): where the
 * paths come from besides the operands, the limits, the output format,
 * who acts and how much to say. ip_edit and ip_scan take it.
 *
 * Layer: storage. */
#ifndef IP_RUN_H
#define IP_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_progress.h"
#include "ip_walk.h"

struct ip_run {
	const char *files_from; /* more input paths, or NULL */
	bool null;              /* path lists read and printed end in NUL */
	struct ip_limits lim;
	enum ip_format format;
	const char *actor;      /* NULL: ip_actor's default */
	bool quiet;
	enum ip_progress_mode progress;
};

/* The inputs of a run: operands and run->files_from. */
static inline struct ip_inputs ip_run_inputs(const struct ip_run *run, char **operands,
                                             int n, bool recurse)
{
	return (struct ip_inputs){.operands = operands, .n = n, .files_from = run->files_from,
	                          .null = run->null, .recurse = recurse};
}

/* A path for the next command of a pipeline: newline or NUL. */
static inline void ip_run_print_path(const struct ip_run *run, const char *path)
{
	fputs(path, stdout);
	putchar(run->null ? '\0' : '\n');
}

#endif
