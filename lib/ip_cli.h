/* ip_cli.h — the command line: every option of a command declared once, in
 * a table of struct ip_opt, from which come the argp options and --help,
 * the check that an option belongs to the subcommand given, and the shell
 * completions (--completion-helper, read by completions/generate.sh). The
 * common options are such a table too; the input loop over operands, "-",
 * --files-from and -0, and the way a command ends.
 *
 * Layer: command line. */
#ifndef IP_CLI_H
#define IP_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_progress.h"
#include "ip_run.h"
#include "ip_walk.h"

struct ip_cli {
	const char *dir;        /* -C: the case repository */
	const char *actor;      /* --actor */
	const char *files_from; /* --files-from: a list of paths, "-" is stdin */
	bool null;              /* -0: path lists are NUL-separated */
	bool quiet;             /* -q */
	enum ip_format format;  /* -f */
	bool format_given;
	const char *format_name; /* -f as given, checked once the subcommand is known */
	unsigned formats;       /* the formats the command writes (a mask of
	                         * 1 << IP_FORMAT_...; IP_FORMATS_DATA by default) */
	struct ip_limits lim;   /* limits in force: defaults, repository, option */
	size_t max_file_size;   /* --max-file-size, 0 when not given */
	enum ip_progress_mode progress; /* --progress, --no-progress */
};

/* How the shells complete an option's argument or a command's operands. */
enum ip_complete {
	IP_COMPLETE_NONE,        /* free text: nothing to offer */
	IP_COMPLETE_FILE,
	IP_COMPLETE_DIR,
	IP_COMPLETE_CASES,       /* *.yaml, *.yml, *.json and directories */
	IP_COMPLETE_WORDS,       /* the words of .values */
	IP_COMPLETE_VOCAB,       /* the ids of the vocabulary .values */
	IP_COMPLETE_VOCABULARIES,/* the names of the vocabularies */
	IP_COMPLETE_PROGRAMME,   /* programme ids (programmes.yaml) */
	IP_COMPLETE_PARTNER,     /* partner ids (ip-refer partners) */
	IP_COMPLETE_TEMPLATE,    /* plan templates (ip-plan templates) */
	IP_COMPLETE_FORMAT,      /* the formats the command writes */
	IP_COMPLETE_REPORT_FIELDS, /* the fields ip-report counts by */
};

/* Where an option's value goes in the command's state. */
enum ip_store {
	IP_STORE_NONE,   /* only .call, or only remembered as given */
	IP_STORE_FLAG,   /* the bool at .offset becomes true */
	IP_STORE_STRING, /* the const char * at .offset is the argument */
	IP_STORE_INT,    /* the int at .offset: a whole number from .min to .max */
	IP_STORE_DATE,   /* the const char * at .offset: a date, YYYY-MM-DD */
};

/* The subcommand bit of index s, for ip_opt.subs. */
#define IP_SUB(s) (1u << (s))

/* IP_OPT_ALONE: the option is a whole request by itself (--list): no
 * subcommand is needed with it. */
#define IP_OPT_ALONE 1u

/* IP_OPT_MANY: repeatable; each one adds a value. */
#define IP_OPT_MANY 2u
/* IP_OPT_CHECK_LATER: .field only says what the value is (for completion);
 * the command checks it where it is used. */
#define IP_OPT_CHECK_LATER 4u

/* An option's argument as its .call sees it. */
struct ip_optarg {
	void *state;             /* the command's state */
	const struct ip_opt *opt;
	const char *arg;
	json_t *value;           /* arg checked against opt->field, else NULL */
	struct argp_state *argp; /* for argp_error */
};
/* Returns the number of problems it reported. */
typedef int (*ip_opt_fn)(const struct ip_optarg *a);

struct ip_opt {
	const char *name;        /* the long name */
	int key;                 /* a short option letter, or 0 */
	const char *arg;         /* the argument's name; NULL: a flag */
	const char *help;        /* N_(): translated when shown */
	int group;               /* --help groups options by this */
	unsigned subs;           /* the subcommands that take it (IP_SUB); 0: all */
	unsigned needed;         /* the subcommands that cannot do without it */
	enum ip_store store;
	size_t offset;           /* IP_STORE_*: offsetof the command's state */
	/* The argument is a value of this case field ("plan.measures.side"),
	 * checked against the schema; a bad one is reported and not stored. */
	const char *field;
	ip_opt_fn call;          /* then this, if set */
	enum ip_complete complete; /* IP_COMPLETE_NONE: from .field, else none */
	const char *values;      /* IP_COMPLETE_WORDS: words; _VOCAB: its name */
	unsigned flags;          /* IP_OPT_ALONE, _MANY, _CHECK_LATER */
	long min, max;           /* IP_STORE_INT: the smallest and largest value */
};

/* Where a value goes, in an ip_opt initialiser: a flag or a string member
 * of the command's state type. */
#define IP_FLAG(type, member) .store = IP_STORE_FLAG, .offset = offsetof(type, member)
#define IP_STRING(type, member) .store = IP_STORE_STRING, .offset = offsetof(type, member)
#define IP_INT(type, member, least, most) .store = IP_STORE_INT, \
                                          .offset = offsetof(type, member), \
                                          .min = (least), .max = (most)
#define IP_DATE(type, member) .store = IP_STORE_DATE, .offset = offsetof(type, member)

struct ip_sub {
	const char *name;
	const char *help;        /* N_(): one line, for completions */
	unsigned formats;        /* the formats -f takes here; 0: the command's */
};

/* A command: its options and subcommands, and what its operands are. */
struct ip_command {
	const char *name;              /* "ip-plan" */
	const char *args;              /* argp's args_doc */
	const char *doc;               /* argp's doc (N_) */
	const struct ip_sub *subs;     /* NULL: the command has none */
	size_t nsubs;
	const char *sub_kind;          /* N_("subcommand"), N_("report") */
	const struct ip_opt *opts;     /* ended by one whose name is NULL */
	enum ip_complete operands;
	unsigned formats;              /* the formats -f takes */
	int common_group;              /* --help group of the common options */
	/* Optional: keys the table has none for (ARGP_KEY_ARG, ARGP_KEY_END). */
	error_t (*parse_other)(int key, char *arg, struct argp_state *argp, void *state);
};

/* What the command line gave besides the options' values. */
struct ip_args {
	size_t sub;            /* the subcommand's index; nsubs when none */
	int first;             /* argv index of the first operand */
	int n;                 /* the number of operands */
	uint64_t given;        /* bit i: opts[i] was given */
	bool alone;            /* an IP_OPT_ALONE option was given */
};

/* A table has at most this many options and subcommands. */
#define IP_OPTS_MAX 64
#define IP_SUBS_MAX 32

/* Parse argv by cmd's table into state (and the common options into cli,
 * which the command has initialised with ip_cli_init), pick the
 * subcommand and refuse options it does not take. Returns 0, or 64 with
 * every problem reported. */
int ip_command_parse(const struct ip_command *cmd, void *state, struct ip_cli *cli,
                     int argc, char **argv, struct ip_args *args);

/* Was the option named name given? */
bool ip_opt_given(const struct ip_command *cmd, const struct ip_args *args,
                  const char *name);

/* The common options, with their own table. */
extern const struct ip_opt ip_cli_opts[];

void ip_cli_init(struct ip_cli *cli);
/* Take a repository's limits; --max-file-size still wins. */
void ip_cli_use_limits(struct ip_cli *cli, const struct ip_limits *lim);
/* What a run over cases takes from the command line (ip_edit, ip_scan). */
struct ip_run ip_cli_run(const struct ip_cli *cli);

/* Call fn on each input: every operand ("-" is standard input), then every
 * path in --files-from. Directories are walked (ip_walk) when recurse,
 * refused otherwise. Returns the worst status of fn and of the walk. */
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

/* --completion-helper: print cmd's options, subcommands and operands for
 * completions/generate.sh, one tab-separated line each. "vocabularies"
 * and "programmes" print those ids instead, for completing at the shell. */
int ip_complete_print(const struct ip_command *cmd, const char *what);

#endif
