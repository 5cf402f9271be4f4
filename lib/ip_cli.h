/* ip_cli.h — what every command shares: the common options (one argp
 * child), the input loop over operands, "-", --files-from and -0, and the
 * way a command ends. */
#ifndef IP_CLI_H
#define IP_CLI_H

#include <argp.h>
#include <stdbool.h>

#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_progress.h"

struct ip_cli {
	const char *dir;        /* -C: the case repository */
	const char *actor;      /* --actor */
	const char *files_from; /* --files-from: a list of paths, "-" is stdin */
	bool null;              /* -0: path lists are NUL-separated */
	bool quiet;             /* -q */
	enum ip_format format;  /* -f */
	bool format_given;
	unsigned formats;       /* the formats the command writes (a mask of
	                         * 1 << IP_FORMAT_...; IP_FORMATS_DATA by default) */
	struct ip_limits lim;   /* limits in force: defaults, repository, option */
	size_t max_file_size;   /* --max-file-size, 0 when not given */
	enum ip_progress_mode progress; /* --progress, --no-progress */
};

/* The common options, as an argp child. Its input is a struct ip_cli *:
 * set state->child_inputs[0] in the parent's ARGP_KEY_INIT. */
extern const struct argp ip_cli_argp;

void ip_cli_init(struct ip_cli *cli);
/* Take a repository's limits; --max-file-size still wins. */
void ip_cli_use_limits(struct ip_cli *cli, const struct ip_limits *lim);

/* Call fn on each input: every operand ("-" is standard input), then every
 * path in --files-from. Directories are walked (sorted; hidden names
 * skipped; *.yaml, *.yml and *.json) when recurse, refused otherwise.
 * Returns the worst status of fn and of the walk. */
typedef int (*ip_input_fn)(const char *path, void *ctx);
int ip_inputs_each(const struct ip_cli *cli, char **operands, int n,
                   bool recurse, ip_input_fn fn, void *ctx);

/* The index of subcommand name among names, or n after reporting "no
 * KIND 'name'" with a did-you-mean. */
size_t ip_subcommand(const char *kind, const char *name, const char *const *names, size_t n);

/* The exit status for what argp_parse returned: 0, 64 for a usage error
 * (argp has said what), or exit 70 when argp ran out of memory. */
int ip_argp_status(error_t e);

/* Print a path for the next command of a pipeline: newline or NUL. */
void ip_print_path(const struct ip_cli *cli, const char *path);

#endif
