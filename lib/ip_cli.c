#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *argp_program_version = "integplan 0.1.0";
const char *argp_program_bug_address = "the IntegPlan issue tracker"; /* see ip_cli_init */

/* argp looks these words of its help up in the program's text domain (its
 * default options' texts in libc's), so they are marked for our catalogue. */
static const char *const argp_words[] __attribute__((unused)) = {
	N_("Usage:"), N_("  or: "), N_(" [OPTION...]"),
	N_("Try `%s --help' or `%s --usage' for more information.\n"),
	N_("Mandatory or optional arguments to long options are also mandatory or optional "
	   "for any corresponding short options."),
	N_("Report bugs to %s.\n"),
};

enum { OPT_ACTOR = 0x100, OPT_FILES_FROM, OPT_MAX_FILE_SIZE, OPT_PROGRESS, OPT_NO_PROGRESS };

static const struct argp_option options[] = {
	{"directory", 'C', "DIR", 0, N_("Use the case repository in DIR"), -1},
	{"actor", OPT_ACTOR, "NAME", 0, N_("Name recorded in the history "
	 "(default: $IP_ACTOR, else the login name)"), -1},
	{"files-from", OPT_FILES_FROM, "FILE", 0, N_("Read input paths from FILE "
	 "(- for standard input), one per line"), -1},
	{"null", '0', NULL, 0, N_("Paths read and printed are NUL-terminated"), -1},
	{"format", 'f', "FMT", 0, N_("Output format: yaml, json or jsonl (ip-plan "
	 "render: md or html; ip-report: table, csv, json, md or html)"), -1},
	{"quiet", 'q', NULL, 0, N_("No summary line"), -1},
	{"max-file-size", OPT_MAX_FILE_SIZE, "BYTES", 0,
	 N_("Refuse input files larger than BYTES (default 1048576)"), -1},
	{"progress", OPT_PROGRESS, NULL, 0, N_("Show the progress of long runs on standard "
	 "error (default: when it is a terminal)"), -1},
	{"no-progress", OPT_NO_PROGRESS, NULL, 0, N_("Never show progress"), -1},
	{0}};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct ip_cli *cli = state->input;
	char *end;
	switch (key) {
	case 'C': cli->dir = arg; break;
	case OPT_ACTOR: cli->actor = arg; break;
	case OPT_FILES_FROM: cli->files_from = arg; break;
	case '0': cli->null = true; break;
	case 'q': cli->quiet = true; break;
	case OPT_PROGRESS: cli->progress = IP_PROGRESS_ON; break;
	case OPT_NO_PROGRESS: cli->progress = IP_PROGRESS_OFF; break;
	case 'f':
		if (!ip_format_parse(arg, &cli->format) || !(cli->formats & 1u << cli->format))
			argp_error(state, _("unknown format '%s' (use %s)"), arg,
			           cli->formats == IP_FORMATS_REPORT ? _("table, csv, json, jsonl, md or html")
			           : cli->formats & IP_FORMATS_DOC ? _("yaml, json, jsonl, md or html")
			                                            : _("yaml, json or jsonl"));
		cli->format_given = true;
		break;
	case OPT_MAX_FILE_SIZE:
		errno = 0;
		cli->max_file_size = strtoull(arg, &end, 10);
		cli->lim.max_bytes = cli->max_file_size;
		if (errno || *end || cli->max_file_size == 0)
			argp_error(state, _("--max-file-size: '%s' is not a number of bytes"), arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp ip_cli_argp = {options, parse_opt, NULL, NULL, NULL, NULL, NULL};

void ip_cli_init(struct ip_cli *cli)
{
	*cli = (struct ip_cli){.lim = IP_LIMITS_DEFAULT, .formats = IP_FORMATS_DATA};
	argp_program_bug_address = _("the IntegPlan issue tracker");
}

void ip_cli_use_limits(struct ip_cli *cli, const struct ip_limits *lim)
{
	cli->lim = *lim;
	if (cli->max_file_size)
		cli->lim.max_bytes = cli->max_file_size;
}

static bool case_file_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") ||
	               !strcmp(dot, ".json"));
}

static int skip_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* A case file is a regular file where it is named: a link may lead out of
 * the repository, to a file nobody means to share or change. (A pipe, as
 * <(...) gives, is read.) */
static int refuse_link(const char *path)
{
	ip_error(&(struct ip_where){path, 0, 0, NULL}, "is a symbolic link; a case file "
	         "must be a regular file (a link may lead out of the repository)");
	return IP_EXIT_DATAERR;
}

static int walk(const char *dir, ip_input_fn fn, void *ctx)
{
	struct dirent **list;
	int n = scandir(dir, &list, skip_hidden, alphasort);
	if (n < 0) {
		ip_error(&(struct ip_where){dir, 0, 0, NULL}, "cannot read directory: %s",
		         strerror(errno));
		return IP_EXIT_NOINPUT;
	}
	int rc = IP_EXIT_OK;
	for (int i = 0; i < n; i++) {
		char *path = strcmp(dir, "/") ? ip_xasprintf("%s/%s", dir, list[i]->d_name)
		                              : ip_xasprintf("/%s", list[i]->d_name);
		/* the type from the directory entry where the file system gives it
		 * (no stat per file); lstat otherwise: links are not followed */
		unsigned char type = list[i]->d_type;
		struct stat st;
		if (type == DT_UNKNOWN && lstat(path, &st) == 0)
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		if (type == DT_DIR)
			rc = ip_exit_merge(rc, walk(path, fn, ctx));
		else if (type == DT_REG && case_file_name(list[i]->d_name))
			rc = ip_exit_merge(rc, fn(path, ctx));
		else if (type == DT_LNK && case_file_name(list[i]->d_name))
			rc = ip_exit_merge(rc, refuse_link(path));
		free(path);
		free(list[i]);
	}
	free(list);
	return rc;
}

static int one_input(const char *path, bool recurse, ip_input_fn fn, void *ctx)
{
	struct stat st, lst;
	bool named = strcmp(path, "-") != 0;
	if (named && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (recurse)
			return walk(path, fn, ctx);
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "is a directory");
		return IP_EXIT_USAGE;
	}
	if (named && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return refuse_link(path);
	return fn(path, ctx);
}

static int files_from(const struct ip_cli *cli, bool recurse, ip_input_fn fn,
                      void *ctx)
{
	bool is_stdin = !strcmp(cli->files_from, "-");
	FILE *f = is_stdin ? stdin : fopen(cli->files_from, "re");
	if (!f) {
		ip_error(&(struct ip_where){cli->files_from, 0, 0, NULL},
		         "cannot open: %s", strerror(errno));
		return IP_EXIT_NOINPUT;
	}
	int rc = IP_EXIT_OK;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getdelim(&line, &cap, cli->null ? '\0' : '\n', f)) > 0) {
		if (line[len - 1] == (cli->null ? '\0' : '\n'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		rc = ip_exit_merge(rc, one_input(line, recurse, fn, ctx));
	}
	if (ferror(f)) {
		ip_error(&(struct ip_where){cli->files_from, 0, 0, NULL},
		         "cannot read: %s", strerror(errno));
		rc = ip_exit_merge(rc, IP_EXIT_IOERR);
	}
	free(line);
	if (!is_stdin)
		fclose(f);
	return rc;
}

int ip_inputs_each(const struct ip_cli *cli, char **operands, int n,
                   bool recurse, ip_input_fn fn, void *ctx)
{
	int rc = IP_EXIT_OK;
	for (int i = 0; i < n; i++)
		rc = ip_exit_merge(rc, one_input(operands[i], recurse, fn, ctx));
	if (cli->files_from)
		rc = ip_exit_merge(rc, files_from(cli, recurse, fn, ctx));
	return rc;
}

void ip_print_path(const struct ip_cli *cli, const char *path)
{
	fputs(path, stdout);
	putchar(cli->null ? '\0' : '\n');
}

size_t ip_subcommand(const char *kind, const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	const char *near = ip_nearest(name, names, n);
	ip_error(NULL, "no %s '%s'%s", _(kind), name, ip_did_you_mean(near));
	return n;
}

int ip_argp_status(error_t e)
{
	if (e == ENOMEM)
		ip_oom();
	return e ? IP_EXIT_USAGE : IP_EXIT_OK;
}
