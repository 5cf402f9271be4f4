#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_grammar.h"
#include "ip_i18n.h"
#include "ip_onepass.h"
#include "ip_schema.h"
#include "ip_visible.h"
#include "ip_write.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the common options ------------------------------------------------- */

/* The formats of a mask as words: "md or html". */
static const char *format_words(unsigned formats)
{
	static char words[96];
	size_t n = 0, left = 0, len = 0;
	for (size_t i = 0; i < IP_FORMAT_COUNT; i++)
		left += formats >> i & 1;
	words[0] = '\0';
	for (size_t i = 0; i < IP_FORMAT_COUNT; i++)
		if (formats >> i & 1) {
			n++;
			len += (size_t)snprintf(words + len, sizeof words - len, "%s%s",
			                        n == 1 ? "" : n == left ? _(" or ") : ", ",
			                        ip_format_name((enum ip_format)i));
		}
	return words;
}

/* -f is checked when the subcommand is known: each writes its own formats. */
static int take_format(const struct ip_optarg *a)
{
	struct ip_cli *cli = a->state;
	cli->format_name = a->arg;
	cli->format_given = true;
	return 0;
}

/* -f against the formats of the subcommand (or of the command): 0 or 64. */
static int check_format(const struct ip_command *cmd, struct ip_cli *cli,
                        const struct ip_args *args)
{
	bool sub = cmd->subs && args->sub < cmd->nsubs && !args->alone;
	if (sub && cmd->subs[args->sub].formats)
		cli->formats = cmd->subs[args->sub].formats;
	if (!cli->format_name)
		return IP_EXIT_OK;
	bool known = ip_format_parse(cli->format_name, &cli->format);
	if (known && cli->formats & 1u << cli->format)
		return IP_EXIT_OK;
	if (!known)
		ip_error(&(struct ip_where){NULL, 0, 0, "-f"}, "unknown format '%s' (use %s)",
		         cli->format_name, format_words(cli->formats));
	else if (sub)
		ip_error(&(struct ip_where){NULL, 0, 0, "-f"}, "%s %s writes %s, not %s", cmd->name,
		         cmd->subs[args->sub].name, format_words(cli->formats), cli->format_name);
	else
		ip_error(&(struct ip_where){NULL, 0, 0, "-f"}, "%s writes %s, not %s", cmd->name,
		         format_words(cli->formats), cli->format_name);
	return IP_EXIT_USAGE;
}

/* No case, package or partial comes near a gigabyte; the parser's memory
 * grows with the file. */
#define MAX_FILE_SIZE_LIMIT (1 << 30)

static int take_max_file_size(const struct ip_optarg *a)
{
	struct ip_cli *cli = a->state;
	char *end;
	errno = 0;
	/* strtoull takes "-1" as the largest number: digits only, 1 to 1 GiB */
	bool digits = *a->arg && strspn(a->arg, "0123456789") == strlen(a->arg);
	cli->max_file_size = strtoull(a->arg, &end, 10);
	cli->lim.max_bytes = cli->max_file_size;
	if (!digits || errno || *end || cli->max_file_size == 0 ||
	    cli->max_file_size > MAX_FILE_SIZE_LIMIT)
	{
		struct ip_buf shown = {0};
		ip_visible_add(&shown, a->arg, strlen(a->arg), false);
		argp_error(a->argp, _("--max-file-size: '%s' is not a number of bytes from 1 to "
		                      "%d"), shown.s ? shown.s : "", MAX_FILE_SIZE_LIMIT);
		ip_buf_free(&shown);
	}
	return 0;
}

static int take_progress(const struct ip_optarg *a)
{
	struct ip_cli *cli = a->state;
	cli->progress = a->opt->name[0] == 'n' ? IP_PROGRESS_OFF : IP_PROGRESS_ON;
	return 0;
}

#define FLAG(m) IP_FLAG(struct ip_cli, m)
#define STRING(m) IP_STRING(struct ip_cli, m)

const struct ip_opt ip_cli_opts[] = {
	{"directory", 'C', "DIR", N_("Use the case repository in DIR"), -1, 0,
	 STRING(dir), .complete = IP_COMPLETE_DIR},
	{"actor", 0, "NAME", N_("Name recorded in the history (default: $IP_ACTOR, else the "
	 "login name)"), -1, 0, STRING(actor)},
	{"files-from", 0, "FILE", N_("Read input paths from FILE (- for standard input), one "
	 "per line"), -1, 0, STRING(files_from), .complete = IP_COMPLETE_FILE},
	{"null", '0', NULL, N_("Paths read and printed are NUL-terminated"), -1, 0,
	 FLAG(null)},
	{"format", 'f', "FMT", N_("Output format"), -1, 0,
	 .call = take_format, .complete = IP_COMPLETE_FORMAT},
	{"quiet", 'q', NULL, N_("No summary line"), -1, 0, FLAG(quiet)},
	{"max-file-size", 0, "BYTES", N_("Refuse input files larger than BYTES (default "
	 "1048576)"), -1, 0, .call = take_max_file_size},
	{"progress", 0, NULL, N_("Show the progress of long runs on standard error "
	 "(default: when it is a terminal)"), -1, 0, .call = take_progress},
	{"no-progress", 0, NULL, N_("Never show progress"), -1, 0, .call = take_progress},
	{0}};

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

struct ip_run ip_cli_run(const struct ip_cli *cli)
{
	return (struct ip_run){cli->files_from, cli->null, cli->lim, cli->format, cli->actor,
	                       cli->quiet, cli->progress};
}

/* ---- from a table to argp ----------------------------------------------- */

/* Options without a short letter get keys from here up, by table index. */
#define KEY_BASE 0x1000
#define KEY_COMPLETE 0x0fff

static size_t opts_count(const struct ip_opt *opts)
{
	size_t n = 0;
	while (opts[n].name)
		n++;
	return n;
}

static int opt_key(const struct ip_opt *opts, size_t i)
{
	return opts[i].key ? opts[i].key : KEY_BASE + (int)i;
}

/* The argp options of a table (and the hidden --completion-helper when
 * helper); the caller frees. */
static struct argp_option *argp_options(const struct ip_opt *opts, bool helper)
{
	size_t n = opts_count(opts);
	struct argp_option *a = ip_xcalloc(n + 2, sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[i] = (struct argp_option){opts[i].name, opt_key(opts, i), opts[i].arg, 0,
		                            opts[i].help, opts[i].group};
	if (helper)
		a[n] = (struct argp_option){"completion-helper", KEY_COMPLETE, "WHAT",
		                            OPTION_HIDDEN | OPTION_ARG_OPTIONAL, NULL, 0};
	return a;
}

static long opt_index(const struct ip_opt *opts, int key)
{
	for (size_t i = 0; opts[i].name; i++)
		if (opt_key(opts, i) == key)
			return (long)i;
	return -1;
}

/* An option's argument refused, as "--name: what is wrong". */
static void refuse_option(const struct ip_opt *o, const char *fmt, ...)
{
	char *label = ip_xasprintf("--%s", o->name);
	va_list ap;
	va_start(ap, fmt);
	ip_verror(&(struct ip_where){NULL, 0, 0, label}, fmt, ap);
	va_end(ap);
	free(label);
}

static int take_int(const struct ip_opt *o, const char *arg, int *slot)
{
	char *end;
	errno = 0;
	long n = strtol(arg, &end, 10);
	if (end == arg || *end || errno || n < o->min || n > o->max) {
		refuse_option(o, "'%s' is not a whole number from %ld to %ld", arg, o->min, o->max);
		*slot = 0;
		return 1;
	}
	*slot = (int)n;
	return 0;
}

static int take_date(const struct ip_opt *o, const char *arg)
{
	if (ip_date_valid(arg))
		return 0;
	refuse_option(o, "'%s' is not a date (YYYY-MM-DD)", arg);
	return 1;
}

/* Check the argument against the option's case field, then store it or
 * call the option's function. Returns the problems reported. */
static int take(void *state, const struct ip_opt *o, const char *arg,
                struct argp_state *argp)
{
	json_t *value = NULL;
	int bad = 0;
	/* the value of a case field is text: UTF-8, whenever it is checked */
	if (o->field && !(value = json_string(arg))) {
		refuse_option(o, "%s", _("not valid UTF-8 text"));
		return 1;
	}
	if (value && !(o->flags & IP_OPT_CHECK_LATER)) {
		char *label = ip_xasprintf("--%s", o->name);
		bad = ip_field_validate(o->field, &value, &(struct ip_where){NULL, 0, 0, label});
		free(label);
	}
	void *slot = (char *)state + o->offset;
	if (o->store == IP_STORE_FLAG)
		*(bool *)slot = true;
	else if (o->store == IP_STORE_STRING || o->store == IP_STORE_DATE)
		*(const char **)slot = arg;
	else if (o->store == IP_STORE_INT)
		bad += take_int(o, arg, slot);
	if (o->store == IP_STORE_DATE)
		bad += take_date(o, arg);
	if (!bad && o->call)
		bad = o->call(&(struct ip_optarg){state, o, arg, value, argp});
	json_decref(value);
	return bad;
}

struct parse {
	const struct ip_command *cmd;
	void *state;
	struct ip_cli *cli;
	struct ip_args *args;
	int bad;
};

static error_t parse_common(int key, char *arg, struct argp_state *argp)
{
	struct parse *p = argp->input;
	long i = opt_index(ip_cli_opts, key);
	if (i < 0)
		return ARGP_ERR_UNKNOWN;
	p->bad += take(p->cli, &ip_cli_opts[i], arg, argp);
	return 0;
}

static error_t parse_command(int key, char *arg, struct argp_state *argp)
{
	struct parse *p = argp->input;
	if (key == ARGP_KEY_INIT) {
		argp->child_inputs[0] = p;
		return 0;
	}
	if (key == KEY_COMPLETE)
		exit(ip_finish(ip_complete_print(p->cmd, arg)));
	long i = opt_index(p->cmd->opts, key);
	if (i < 0)
		return p->cmd->parse_other ? p->cmd->parse_other(key, arg, argp, p->state)
		                           : ARGP_ERR_UNKNOWN;
	p->args->given |= (uint64_t)1 << i;
	p->args->alone |= (p->cmd->opts[i].flags & IP_OPT_ALONE) != 0;
	p->bad += take(p->state, &p->cmd->opts[i], arg, argp);
	return 0;
}

/* ---- the subcommand ----------------------------------------------------- */

static int pick_sub(const struct ip_command *cmd, int argc, char **argv,
                    struct ip_args *args)
{
	if (args->first >= argc) { /* "no subcommand (new, add or set)", from the table */
		struct ip_buf list = {0};
		for (size_t i = 0; i < cmd->nsubs; i++)
			ip_buf_printf(&list, "%s%s", !i ? "" : i + 1 < cmd->nsubs ? ", " : _(" or "),
			              cmd->subs[i].name);
		ip_error(NULL, "no %s (%s)", _(cmd->sub_kind), list.s);
		ip_buf_free(&list);
		return IP_EXIT_USAGE;
	}
	const char *names[IP_SUBS_MAX];
	for (size_t i = 0; i < cmd->nsubs; i++)
		names[i] = cmd->subs[i].name;
	args->sub = ip_subcommand(cmd->sub_kind, argv[args->first++], names, cmd->nsubs);
	return args->sub < cmd->nsubs ? IP_EXIT_OK : IP_EXIT_USAGE;
}

/* Every option given that the subcommand does not take is reported. */
static int refuse_others(const struct ip_command *cmd, const struct ip_args *args)
{
	int rc = IP_EXIT_OK;
	for (size_t i = 0; cmd->opts[i].name; i++) {
		unsigned subs = cmd->opts[i].subs;
		if ((args->given >> i & 1) && subs && !(subs & IP_SUB(args->sub))) {
			ip_error(NULL, "--%s is not an option of %s %s", cmd->opts[i].name, cmd->name,
			         cmd->subs[args->sub].name);
			rc = IP_EXIT_USAGE;
		}
	}
	return rc;
}

/* Every option the subcommand cannot do without and was not given. */
static int require_needed(const struct ip_command *cmd, const struct ip_args *args)
{
	int rc = IP_EXIT_OK;
	for (size_t i = 0; cmd->opts[i].name; i++) {
		const struct ip_opt *o = &cmd->opts[i];
		if ((o->needed & IP_SUB(args->sub)) && !(args->given >> i & 1)) {
			ip_error(NULL, "%s %s needs --%s %s", cmd->name, cmd->subs[args->sub].name,
			         o->name, o->arg ? o->arg : "");
			rc = IP_EXIT_USAGE;
		}
	}
	return rc;
}

/* The variables that steer every command, checked before it starts, as
 * its options are: 0 or 64. */
static int check_environment(void)
{
	int rc = ip_exit_merge(ip_lock_timeout_check(), ip_reader_check());
	const char *seed = getenv("IP_RANDOM_SEED");
	if (seed && *seed && (strspn(seed, "0123456789") != strlen(seed) || strlen(seed) > 19)) {
		ip_error(NULL, "IP_RANDOM_SEED: '%s' is not a whole number", seed);
		rc = IP_EXIT_USAGE;
	}
	return rc;
}

/* An option whose name holds an invisible character is none we know; argp
 * would echo it raw in "unrecognized option". Said here, escaped. */
static int invisible_option(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		uint32_t cp;
		size_t name = strcspn(argv[i], "=");
		char *opt = ip_xasprintf("%.*s", (int)name, argv[i]);
		bool bad = argv[i][0] == '-' && ip_invisible_find(opt, false, &cp);
		free(opt);
		if (bad) {
			ip_error(NULL, "unrecognized option '%s'", argv[i]);
			return IP_EXIT_USAGE;
		}
	}
	return IP_EXIT_OK;
}

int ip_command_parse(const struct ip_command *cmd, void *state, struct ip_cli *cli,
                     int argc, char **argv, struct ip_args *args)
{
	/* given has a bit per option and IP_SUB one per subcommand */
	if (opts_count(cmd->opts) > IP_OPTS_MAX || cmd->nsubs > IP_SUBS_MAX) {
		fprintf(stderr, "%s: bug: too many options or subcommands\n", ip_progname());
		abort();
	}
	*args = (struct ip_args){.sub = cmd->nsubs};
	cli->formats = cmd->formats;
	struct argp_option *common = argp_options(ip_cli_opts, false);
	/* -f's help names the formats of this command */
	static char format_help[120];
	snprintf(format_help, sizeof format_help, _("Output format: %s"),
	         format_words(cmd->formats));
	for (struct argp_option *o = common; o->name; o++)
		if (o->key == 'f')
			o->doc = format_help;
	struct argp_option *own = argp_options(cmd->opts, true);
	const struct argp common_argp = {common, parse_common, NULL, NULL, NULL, NULL, NULL};
	const struct argp_child children[] = {{&common_argp, 0, N_("Common options:"),
	                                       cmd->common_group}, {0}};
	const struct argp argp = {own, parse_command, cmd->args, cmd->doc, children, NULL, NULL};
	struct parse p = {cmd, state, cli, args, 0};
	int rc = invisible_option(argc, argv);
	if (!rc)
		rc = ip_argp_status(argp_parse(&argp, argc, argv, 0, &args->first, &p));
	free(common);
	free(own);
	if (!rc && cmd->subs && !args->alone) {
		rc = pick_sub(cmd, argc, argv, args);
		if (!rc)
			rc = ip_exit_merge(p.bad ? IP_EXIT_USAGE : 0, refuse_others(cmd, args));
		if (!rc)
			rc = require_needed(cmd, args);
	} else if (!rc && p.bad) {
		rc = IP_EXIT_USAGE;
	}
	args->n = argc - args->first;
	if (!rc)
		rc = check_format(cmd, cli, args);
	return rc ? rc : check_environment();
}

bool ip_opt_given(const struct ip_command *cmd, const struct ip_args *args,
                  const char *name)
{
	for (size_t i = 0; cmd->opts[i].name; i++)
		if (!strcmp(cmd->opts[i].name, name))
			return args->given >> i & 1;
	return false;
}

/* ---- inputs and outputs ------------------------------------------------- */

int ip_inputs_each(const struct ip_cli *cli, char **operands, int n,
                   bool recurse, ip_input_fn fn, void *ctx)
{
	struct ip_inputs in = {.operands = operands, .n = n, .files_from = cli->files_from,
	                       .null = cli->null, .recurse = recurse};
	return ip_inputs_walk(&in, fn, ctx);
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
