/* ip-intake — make a case repository; open cases from options or from a
 * CSV or JSON Lines file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip_case.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_intake.h"
#include "ip_referral.h"
#include "ip_repo.h"
#include "ip_rows.h"
#include "ip_schema.h"
#include "ip_vocab.h"
#include "ip_visible.h"
#include "ip_write.h"

struct intake {
	struct ip_cli cli;
	bool init, git, to_stdout, allow_duplicate, skip_existing, list_fields, list_maps;
	const char *list, *centre, *state, *from, *from_referral, *from_transfer, *identity;
	const char *encoding, *delimiter, *map;  /* how --from is read */
	json_t *given;          /* fields from options: name -> string or [string] */
	struct ip_repo repo;
	struct ip_intake open;  /* opening cases */
};

/* ---- options ------------------------------------------------------------ */

/* A case field given as an option: checked when the case is filled. */
static int take_field(const struct ip_optarg *o)
{
	struct intake *in = o->state;
	for (const struct ip_intake_field *f = ip_intake_fields; f->name; f++)
		if (!strcmp(f->option, o->opt->name))
			ip_row_add(in->given, f, o->arg);
	return 0;
}

/* --not-duplicate-of: a case id (checked as links.case) whose person is
 * another. */
static int take_other_person(const struct ip_optarg *o)
{
	struct intake *in = o->state;
	json_array_append_new(in->open.not_duplicate_of, json_string(o->arg));
	return 0;
}

#define FLAG(m) IP_FLAG(struct intake, m)
#define STRING(m) IP_STRING(struct intake, m)

static const struct ip_opt head_options[] = {
	{"init", 0, NULL, N_("Make a case repository in DIR (default: .)"), 1, 0, FLAG(init)},
	{"git", 0, NULL, N_("With --init: keep it in git, with the merge driver and the "
	 "pre-commit hook (in a clone: set these up)"), 1, 0, FLAG(git)},
	{"centre", 0, "ID", N_("Centre id, like BY-MUC (with --init, or overriding the "
	 "repository's)"), 1, 0, STRING(centre)},
	{"state", 0, "DE-XX", N_("Land of the centre (ISO 3166-2)"), 1, 0, STRING(state)},
	{0}};

static const struct ip_opt tail_options[] = {
	{"allow-duplicate", 0, NULL, N_("Open a case for a person who has one, linked to it "
	 "as a repeat return"), 3, 0, FLAG(allow_duplicate)},
	{"not-duplicate-of", 0, "ID", N_("The person is not the one of case ID, which "
	 "matched by name and birth date: open the case, linked as another person "
	 "(repeatable)"), 3, 0, .field = "links.case", .call = take_other_person,
	 .flags = IP_OPT_MANY},
	{"skip-existing", 0, NULL, N_("Skip a row whose person has a case already (a re-run "
	 "of an import that stopped half-way), and count it"), 3, 0, FLAG(skip_existing)},
	{"stdout", 0, NULL, N_("Print the case instead of writing it"), 3, 0, FLAG(to_stdout)},
	{"from", 0, "FILE", N_("Open one case per row of a CSV or JSON Lines FILE (- for "
	 "standard input)"), 3, 0, STRING(from), .complete = IP_COMPLETE_FILE},
	{"encoding", 0, "NAME", N_("With --from: the file's encoding (default: UTF-8, with or "
	 "without a byte order mark, UTF-16 with one, else Windows-1252)"), 3, 0,
	 STRING(encoding)},
	{"delimiter", 0, "CHAR", N_("With --from: the CSV separator, one of , ; or tab "
	 "(default: the header's)"), 3, 0, STRING(delimiter), .complete = IP_COMPLETE_WORDS,
	 .values = ", ; tab"},
	{"map", 0, "FILE", N_("With --from: the import map of the file's columns (default: "
	 "the site's map that knows the header, see --list-maps)"), 3, 0, STRING(map),
	 .complete = IP_COMPLETE_FILE},
	{"from-referral", 0, "PACKAGE", N_("Open a case from a referral package a centre "
	 "sent (one per package; - for standard input)"), 3, 0, STRING(from_referral),
	 .complete = IP_COMPLETE_FILE},
	{"from-transfer", 0, "PACKAGE", N_("Open a case another centre transferred with "
	 "ip-case transfer (one per package; - for standard input)"), 3, 0,
	 STRING(from_transfer), .complete = IP_COMPLETE_FILE},
	{"identity", 0, "KEYFILE", N_("With --from-referral or --from-transfer: the age key to "
	 "decrypt the package with"), 3, 0, STRING(identity), .complete = IP_COMPLETE_FILE},
	{"list-fields", 0, NULL, N_("List the fields of --from files"), 4, 0, FLAG(list_fields)},
	{"list-maps", 0, NULL, N_("List the import maps: spreadsheet headers and the fields "
	 "they hold"), 4, 0, FLAG(list_maps)},
	{"list", 0, "VOCABULARY", N_("List a vocabulary (sex, consent-purpose, "
	 "residence-status, ...)"), 4, 0, STRING(list), .complete = IP_COMPLETE_VOCABULARIES},
	{0}};

/* The options: the fixed ones, and one per case field of ip_intake_fields;
 * a field completes with the values of its place in the case. */
static const struct ip_opt *all_options(void)
{
	enum { HEAD = sizeof head_options / sizeof *head_options - 1,
	       TAIL = sizeof tail_options / sizeof *tail_options - 1 };
	static struct ip_opt opts[HEAD + IP_INTAKE_NFIELDS + TAIL + 1];
	size_t n = 0;
	for (size_t i = 0; i < HEAD; i++)
		opts[n++] = head_options[i];
	for (const struct ip_intake_field *f = ip_intake_fields; f->name; f++) {
		char *doc = f->multi ? ip_xasprintf(_("%s (repeatable)"), _(f->help))
		                     : ip_xstrdup(_(f->help));
		doc[0] = (char)(doc[0] >= 'a' && doc[0] <= 'z' ? doc[0] - 32 : doc[0]);
		bool consent = !strcmp(f->name, "consent");
		opts[n++] = (struct ip_opt){f->option, 0, f->arg, doc, 2, 0, .call = take_field,
			.field = f->path, .flags = IP_OPT_CHECK_LATER | (f->multi ? IP_OPT_MANY : 0),
			.complete = consent ? IP_COMPLETE_VOCAB : IP_COMPLETE_NONE,
			.values = consent ? "consent-purpose" : NULL};
	}
	for (size_t i = 0; i < TAIL; i++)
		opts[n++] = tail_options[i];
	opts[n] = (struct ip_opt){0};
	return opts;
}

/* --init takes the repository's directory as its one operand. */
static error_t parse_operand(int key, char *arg, struct argp_state *state, void *input)
{
	struct intake *in = input;
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	if (!in->init || state->arg_num > 0) {
		struct ip_buf shown = {0};
		ip_visible_add(&shown, arg, strlen(arg), false);
		argp_error(state, _("unexpected operand '%s'"), shown.s ? shown.s : "");
		ip_buf_free(&shown);
	}
	in->cli.dir = arg;
	return 0;
}

static void list_fields(void)
{
	for (const struct ip_intake_field *f = ip_intake_fields; f->name; f++)
		printf("%-18s %-9s %s%s\n", f->name, f->required ? _("required") : _("optional"),
		       _(f->help), f->multi ? _(" (several: separate with ;)") : "");
}

/* ---- running ------------------------------------------------------------ */

static int do_init(struct intake *in)
{
	const char *dir = in->cli.dir ? in->cli.dir : ".";
	const char *centre = in->centre ? in->centre : "LOCAL";
	bool cloned;
	int rc = ip_repo_make(dir, centre, in->state, in->git, &cloned);
	if (!rc && !in->cli.quiet && cloned)
		ip_inform(NULL, "set up git for the case repository in %s", dir);
	else if (!rc && !in->cli.quiet)
		ip_inform(NULL, "made a case repository in %s (centre %s)", dir, centre);
	return rc;
}

static void print_placed(const char *path, void *ctx)
{
	ip_print_path(ctx, path);
}

/* Find the repository and centre to open cases in. */
static int setup(struct intake *in)
{
	/* --stdout with --centre needs no repository, but uses one if there. */
	bool required = !(in->to_stdout && in->centre);
	int rc = ip_repo_find(in->cli.dir, required, &in->repo);
	bool have_repo = rc == IP_EXIT_OK;
	if (!have_repo && !(in->to_stdout && in->centre))
		return rc ? rc : IP_EXIT_NOINPUT;
	if (have_repo) {
		in->centre = in->centre ? in->centre : in->repo.centre;
		in->state = in->state ? in->state : in->repo.state;
		ip_cli_use_limits(&in->cli, &in->repo.lim);
		in->open.repo = &in->repo;
	}
	if (!ip_centre_id_valid(in->centre)) {
		ip_error(&(struct ip_where){NULL, 0, 0, "--centre"}, "'%s' is not a valid "
		         "centre id", in->centre);
		return IP_EXIT_USAGE;
	}
	return IP_EXIT_OK;
}

/* What opening a case takes from the options; after setup. */
static void prepare_open(struct intake *in, const char *today)
{
	struct ip_intake *o = &in->open;
	o->centre = in->centre;
	o->state = in->state;
	o->today = today;
	o->actor = in->cli.actor;
	o->allow_duplicate = in->allow_duplicate;
	o->skip_existing = in->skip_existing;
	o->quiet = in->cli.quiet;
	o->lim = in->cli.lim;
	o->to_stdout = in->to_stdout;
	o->format = in->cli.format;
	o->batch = ip_batch_new();
}

/* How --from is read: the encoding, the separator, the import maps. */
static int prepare_import(struct intake *in)
{
	struct ip_import *im = &in->open.import;
	const char *d = in->delimiter;
	im->encoding = in->encoding;
	im->quiet = in->cli.quiet;
	in->open.lim = in->cli.lim;
	static const struct { const char *name; char separator; } separators[] = {
		{",", ','}, {";", ';'}, {"tab", '\t'}, {"\\t", '\t'}, {"\t", '\t'}};
	for (size_t i = 0; d && i < sizeof separators / sizeof *separators; i++)
		if (!strcmp(d, separators[i].name))
			im->delimiter = separators[i].separator;
	if (d && !im->delimiter) {
		ip_error(&(struct ip_where){NULL, 0, 0, "--delimiter"}, "'%s' is not a "
		         "separator: use , ; or tab", d);
		return IP_EXIT_USAGE;
	}
	return ip_intake_maps(&in->open, in->map);
}

/* Check what the options ask for, then do it. */
static int run(struct intake *in, const char *today)
{
	bool fields = json_object_size(in->given) > 0;
	int rc;
	if (in->list_fields) {
		list_fields();
		return IP_EXIT_OK;
	}
	if (in->list_maps) {
		in->open.lim = in->cli.lim;
		return ip_intake_print_maps(&in->open);
	}
	if (in->list)
		return ip_vocab_print(in->list);
	if (in->git && !in->init) {
		ip_error(NULL, "--git goes with --init");
		return IP_EXIT_USAGE;
	}
	if (in->init)
		return do_init(in);
	const char *package = in->from_referral ? in->from_referral : in->from_transfer;
	if (in->from_referral && in->from_transfer) {
		ip_error(NULL, "--from-referral and --from-transfer: one kind of package at a time");
		return IP_EXIT_USAGE;
	}
	if (package && (in->from || fields)) {
		ip_error(NULL, "%s opens cases from the package alone; drop the other case fields",
		         in->from_referral ? "--from-referral" : "--from-transfer");
		return IP_EXIT_USAGE;
	}
	if (in->identity && !package) {
		ip_error(NULL, "--identity goes with --from-referral or --from-transfer");
		return IP_EXIT_USAGE;
	}
	if (package) {
		if ((rc = ip_repo_find(in->cli.dir, true, &in->repo)))
			return rc;
		in->centre = in->repo.centre;
		in->state = in->repo.state;
		in->open.repo = &in->repo;
		ip_cli_use_limits(&in->cli, &in->repo.lim);
		prepare_open(in, today);
		rc = in->from_referral ? ip_intake_packages(&in->open, package, in->identity)
		                       : ip_intake_transfers(&in->open, package, in->identity);
		return ip_exit_merge(rc, ip_batch_commit(in->open.batch, print_placed, &in->cli));
	}
	if (!in->from && !fields) {
		ip_error(NULL, "nothing to do: give the case's fields as options, --from FILE, "
		         "or --init (see ip-intake --help)");
		return IP_EXIT_USAGE;
	}
	if (in->skip_existing && in->allow_duplicate) {
		ip_error(NULL, "--skip-existing or --allow-duplicate: a person with a case is "
		         "either skipped or opened again");
		return IP_EXIT_USAGE;
	}
	if (!in->from && (in->encoding || in->delimiter || in->map)) {
		ip_error(NULL, "--encoding, --delimiter and --map go with --from");
		return IP_EXIT_USAGE;
	}
	if (in->from && fields) {
		ip_error(NULL, "give case fields either as options or with --from, not both");
		return IP_EXIT_USAGE;
	}
	if ((rc = setup(in)) || (in->from && (rc = prepare_import(in))))
		return rc;
	prepare_open(in, today);
	rc = in->from ? ip_intake_file(&in->open, in->from, in->cli.progress)
	             : ip_intake_row(&in->open, in->given, NULL, 0, true);
	if (in->skip_existing && !in->cli.quiet)
		ip_inform(NULL, ngettext("%zu opened, %zu skipped: the person has a case already",
		                         "%zu opened, %zu skipped: the persons have cases already",
		                         in->open.skipped), in->open.opened, in->open.skipped);
	return ip_exit_merge(rc, ip_batch_commit(in->open.batch, print_placed, &in->cli));
}

int main(int argc, char **argv)
{
	struct intake in = {0};
	struct ip_args args;
	char today[11];
	ip_diag_init(argv);     /* first: the options' help is translated */
	const struct ip_command command = {
		"ip-intake", "\n--init [--git] [DIR]",
		N_("Open IntegPlan cases: one from options, or one per row of a CSV or "
		"JSON Lines file. Prints the path of each new case file.\v"
		"Exit status: 0 opened, 64 usage, 65 a bad row, or a person who has or may "
		"have a case, 66 no repository, 73 cannot create, 74 I/O error, 75 the index of "
		"persons locked, 77 a package for another key or from a centre without a "
		"signing key."),
		.opts = all_options(), .operands = IP_COMPLETE_DIR, .formats = IP_FORMATS_DATA,
		.common_group = 5, .parse_other = parse_operand,
	};
	ip_cli_init(&in.cli);
	ip_intake_init(&in.open);
	in.given = json_object();
	int rc = ip_command_parse(&command, &in, &in.cli, argc, argv, &args);
	ip_date_str(ip_now(), today);
	if (!rc)
		rc = run(&in, today);
	json_decref(in.given);
	ip_intake_finish(&in.open);
	if (in.open.repo)
		ip_repo_free(&in.repo);
	return ip_finish(rc);
}
