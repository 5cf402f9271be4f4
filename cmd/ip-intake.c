/* ip-intake — make a case repository; open cases from options or from a
 * CSV or JSON Lines file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ip_case.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_persons.h"
#include "ip_referral.h"
#include "ip_repo.h"
#include "ip_rows.h"
#include "ip_schema.h"
#include "ip_vocab.h"
#include "ip_write.h"
#include "ip_git.h"

enum {
	OPT_INIT = 0x200, OPT_GIT, OPT_CENTRE, OPT_STATE, OPT_STDOUT, OPT_FROM,
	OPT_LIST_FIELDS, OPT_LIST, OPT_ALLOW_DUPLICATE, OPT_FROM_REFERRAL, OPT_IDENTITY,
	OPT_FIELD = 0x300 /* + index into ip_intake_fields[] */
};

struct intake {
	struct ip_cli cli;
	bool init, git, to_stdout, allow_duplicate, list_fields;
	const char *list, *centre, *state, *from, *from_referral, *identity;
	json_t *given;          /* fields from options: name -> string or [string] */
	struct ip_repo repo;
	bool have_repo;
	struct ip_persons *persons; /* who has a case, for repeat returns */
	json_t *issued;         /* ids given out by this run: cases, referrals opened */
	json_t *referrals;      /* where the repository's referral ids are */
	char today[11];
	struct ip_batch *batch;
	size_t opened;
	struct ip_progress progress; /* rows of --from */
};

/* ---- building a case ---------------------------------------------------- */

static json_t *new_case(struct intake *in, const char *id)
{
	json_t *c = json_pack("{s:s, s:s, s:s, s:s}", "schema", IP_CASE_SCHEMA,
	                      "id", id, "status", "intake", "opened", in->today);
	json_t *centre = json_pack("{s:s}", "id", in->centre);
	if (in->state)
		json_object_set_new(centre, "state", json_string(in->state));
	json_object_set_new(c, "centre", centre);
	return c;
}

/* ---- repeat returns ----------------------------------------------------- */

/* 0, or 65 when the person has a case already and that is not allowed. */
static int check_repeat(struct intake *in, json_t *c, const struct ip_where *w)
{
	if (!in->have_repo)
		return IP_EXIT_OK;
	if (!in->persons)
		in->persons = ip_persons_load(&in->repo);
	const char *earlier = ip_persons_find(in->persons, c);
	if (earlier && !in->allow_duplicate) {
		struct ip_where ww = *w;
		ww.path = NULL;
		ip_error(&ww, "this person has a case already: %s (a repeat return? "
		         "--allow-duplicate opens a linked case)", earlier);
		return IP_EXIT_DATAERR;
	}
	if (earlier)
		json_object_set_new(c, "links", json_pack("[{s:s, s:s}]", "case", earlier,
		                                          "relation", "repeat-return"));
	ip_persons_add(in->persons, c);
	return IP_EXIT_OK;
}

/* ---- opening ------------------------------------------------------------ */

/* A random id not used in the repository nor earlier in this run (five
 * base32 characters collide by chance within a large batch). */
static char *fresh_id(struct intake *in)
{
	int year = atoi(in->today);
	for (;;) {
		char *id = ip_case_id_new(in->centre, year);
		bool taken = json_object_get(in->issued, id) != NULL;
		if (!taken && in->have_repo) {
			char *path = ip_repo_case_path(&in->repo, id);
			taken = access(path, F_OK) == 0;
			free(path);
		}
		if (!taken) {
			json_object_set_new(in->issued, id, json_true());
			return id;
		}
		free(id);
	}
}

/* Print the case, or add it to the batch; 0, or 73/74 when the
 * repository cannot take it. */
static int emit_case(struct intake *in, json_t *c)
{
	int rc = IP_EXIT_OK;
	json_t *canon = ip_canonical(c, &ip_case_schema);
	struct ip_buf out = {0};
	if (in->to_stdout && in->cli.format == IP_FORMAT_YAML && in->opened)
		ip_buf_puts(&out, "---\n");
	ip_emit(&out, canon, in->to_stdout ? in->cli.format : IP_FORMAT_YAML);
	json_decref(canon);
	if (in->to_stdout) {
		fwrite(out.s, 1, out.len, stdout);
	} else {
		char *path = ip_repo_case_path(&in->repo, json_string_value(json_object_get(c, "id")));
		rc = ip_batch_add(in->batch, path, out.s, out.len, IP_WRITE_CREATE);
		free(path);
	}
	ip_buf_free(&out);
	if (!rc)
		in->opened++;
	return rc;
}

/* Open one case from a row of fields; reports at file:line. */
static int open_case(struct intake *in, json_t *row, const char *file, int line,
                     bool options)
{
	char *id = fresh_id(in);
	json_t *c = new_case(in, id);
	struct ip_where w = {file, line, 0, NULL};
	int rc = IP_EXIT_OK;
	if (ip_row_fill(c, row, in->today, file, line, options)) {
		rc = IP_EXIT_DATAERR;
	} else {
		struct ip_doc doc = {(char *)(file ? file : "<options>"), c, NULL, line, 0};
		if (ip_case_validate(&doc))
			rc = IP_EXIT_DATAERR;
	}
	if (!rc)
		rc = check_repeat(in, c, &w);
	if (!rc) {
		ip_history_add(c, ip_actor(in->cli.actor), "ip-intake", "case opened");
		rc = emit_case(in, c);
	}
	json_decref(c);
	free(id);
	return rc;
}

/* ---- rows from a file --------------------------------------------------- */

static int open_row(json_t *row, const char *file, int line, void *ctx)
{
	struct intake *in = ctx;
	int rc = open_case(in, row, file, line, false);
	ip_progress_add(&in->progress, 1);
	return rc;
}

static int from_file(struct intake *in)
{
	char *buf;
	size_t len;
	/* A batch file may be large: 1 KiB a row is generous. */
	int rc = ip_read_all(in->from, (size_t)1 << 30, &buf, &len);
	if (rc)
		return rc;
	const char *name = strcmp(in->from, "-") ? in->from : "<stdin>";
	ip_progress_begin(&in->progress, in->cli.progress, _("rows read"), 0);
	rc = ip_rows_read(in->from, name, buf, len, open_row, in);
	ip_progress_end(&in->progress);
	free(buf);
	return rc;
}

/* ---- referral packages (the partner's side) ----------------------------- */

/* One package: for this centre, not opened before, a valid case. */
static int open_referred(struct intake *in, const struct ip_doc *pkg)
{
	const json_t *ref = json_object_get(pkg->root, "referral");
	const char *rid = json_string_value(json_object_get(ref, "id"));
	const char *to = json_string_value(json_object_get(ref, "to"));
	if (strcmp(to, in->centre)) {
		struct ip_where w = ip_doc_where(pkg, "referral.to");
		w.path = "referral.to";
		ip_error(&w, "the package is for %s; this repository is %s (a package for "
		         "another partner); nothing opened", to, in->centre);
		return IP_EXIT_DATAERR;
	}
	if (json_object_get(in->issued, rid)) {
		ip_warn(&(struct ip_where){pkg->file, 0, 0, NULL}, "referral %s is in the file "
		        "twice; one case opened", rid);
		return IP_EXIT_OK;
	}
	char *had = NULL;
	int rc = in->referrals ? IP_EXIT_OK
	                       : ip_referral_index(&in->repo, &in->cli.lim, &in->referrals);
	if (!rc)
		rc = ip_referral_case(in->referrals, &in->cli.lim, rid, &had);
	if (rc != IP_EXIT_NOINPUT) {
		if (!rc && !in->cli.quiet)
			ip_warn(&(struct ip_where){pkg->file, 0, 0, NULL}, "referral %s has a case "
			        "already: %s", rid, had);
		free(had);
		return rc;
	}
	char *id = fresh_id(in);
	json_t *c = ip_referral_intake(pkg->root, in->centre, id, in->today);
	struct ip_doc doc = {pkg->file, c, NULL, 0, 0};
	struct ip_where w = {pkg->file, 0, 0, NULL};
	rc = ip_case_validate(&doc) ? IP_EXIT_DATAERR : check_repeat(in, c, &w);
	if (!rc) {
		char *what = ip_xasprintf("case opened from referral %s of %s", rid,
		                          json_string_value(json_object_get(ref, "from")));
		ip_history_add(c, ip_actor(in->cli.actor), "ip-intake", what);
		free(what);
		rc = emit_case(in, c);
	}
	if (!rc) /* the same referral twice in one file opens one case */
		json_object_set_new(in->issued, rid, json_true());
	json_decref(c);
	free(id);
	return rc;
}

static int from_referral(struct intake *in)
{
	struct ip_docs docs = {0};
	int rc = ip_package_load(in->from_referral, in->identity, &ip_package_schema,
	                         N_("a referral package"), &in->cli.lim, &docs);
	for (size_t i = 0; !rc && i < docs.n; i++)
		rc = ip_exit_merge(rc, open_referred(in, &docs.v[i]));
	ip_docs_free(&docs);
	return rc;
}

/* ---- listings ----------------------------------------------------------- */

static void list_fields(void)
{
	for (const struct ip_intake_field *f = ip_intake_fields; f->name; f++)
		printf("%-18s %-9s %s%s\n", f->name, f->required ? _("required") : _("optional"),
		       _(f->help), f->multi ? _(" (several: separate with ;)") : "");
}

/* ---- options ------------------------------------------------------------ */

static const struct argp_option head_options[] = {
	{"init", OPT_INIT, NULL, 0, N_("Make a case repository in DIR (default: .)"), 1},
	{"git", OPT_GIT, NULL, 0, N_("With --init: keep it in git, with the merge driver "
	 "and the pre-commit hook (in a clone: set these up)"), 1},
	{"centre", OPT_CENTRE, "ID", 0, N_("Centre id, like BY-MUC (with --init, or "
	 "overriding the repository's)"), 1},
	{"state", OPT_STATE, "DE-XX", 0, N_("Land of the centre (ISO 3166-2)"), 1},
	{0}};

static const struct argp_option tail_options[] = {
	{"allow-duplicate", OPT_ALLOW_DUPLICATE, NULL, 0,
	 N_("Open a case for a person who has one, linked to it as a repeat return"), 3},
	{"stdout", OPT_STDOUT, NULL, 0, N_("Print the case instead of writing it"), 3},
	{"from", OPT_FROM, "FILE", 0, N_("Open one case per row of a CSV or JSON Lines "
	 "FILE (- for standard input)"), 3},
	{"from-referral", OPT_FROM_REFERRAL, "PACKAGE", 0, N_("Open a case from a referral "
	 "package a centre sent (one per package; - for standard input)"), 3},
	{"identity", OPT_IDENTITY, "KEYFILE", 0, N_("With --from-referral: the age key to "
	 "decrypt the package with"), 3},
	{"list-fields", OPT_LIST_FIELDS, NULL, 0, N_("List the fields of --from files"), 4},
	{"list", OPT_LIST, "VOCABULARY", 0, N_("List a vocabulary (sex, consent-purpose, "
	 "residence-status, ...)"), 4},
	{0}};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct intake *in = state->input;
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &in->cli; break;
	case OPT_INIT: in->init = true; break;
	case OPT_GIT: in->git = true; break;
	case OPT_CENTRE: in->centre = arg; break;
	case OPT_STATE: in->state = arg; break;
	case OPT_STDOUT: in->to_stdout = true; break;
	case OPT_FROM: in->from = arg; break;
	case OPT_LIST_FIELDS: in->list_fields = true; break;
	case OPT_LIST: in->list = arg; break;
	case OPT_ALLOW_DUPLICATE: in->allow_duplicate = true; break;
	case OPT_FROM_REFERRAL: in->from_referral = arg; break;
	case OPT_IDENTITY: in->identity = arg; break;
	case ARGP_KEY_ARG:
		if (!in->init || state->arg_num > 0)
			argp_error(state, _("unexpected operand '%s'"), arg);
		in->cli.dir = arg;
		break;
	default:
		if (key >= OPT_FIELD && key < OPT_FIELD + (int)IP_INTAKE_NFIELDS) {
			ip_row_add(in->given, &ip_intake_fields[key - OPT_FIELD], arg);
			break;
		}
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int do_init(struct intake *in)
{
	const char *dir = in->cli.dir ? in->cli.dir : ".";
	const char *centre = in->centre ? in->centre : "LOCAL";
	if (!ip_centre_id_valid(centre)) {
		ip_error(&(struct ip_where){NULL, 0, 0, "--centre"}, "'%s' is not a valid "
		         "centre id (A-Z, 0-9 and '-', like BY-MUC)", centre);
		return IP_EXIT_USAGE;
	}
	if (in->state) {
		json_t *v = json_string(in->state);
		struct ip_where w = {NULL, 0, 0, "--state"};
		int bad = ip_field_validate("centre.state", &v, &w);
		json_decref(v);
		if (bad)
			return IP_EXIT_USAGE;
	}
	/* A clone already is a case repository; --git then sets up what git
	 * does not clone (its config and hooks). */
	bool cloned = in->git && ip_repo_exists(dir);
	int rc = cloned ? 0 : ip_repo_init(dir, centre, in->state);
	if (!rc && in->git)
		rc = ip_git_setup(dir);
	if (!rc && !in->cli.quiet)
		fprintf(stderr, cloned ? _("%s: set up git for the case repository in %s\n")
		        : _("%s: made a case repository in %s (centre %s)\n"),
		        ip_progname(), dir, centre);
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
	in->have_repo = rc == IP_EXIT_OK;
	if (!in->have_repo && !(in->to_stdout && in->centre))
		return rc ? rc : IP_EXIT_NOINPUT;
	if (in->have_repo) {
		in->centre = in->centre ? in->centre : in->repo.centre;
		in->state = in->state ? in->state : in->repo.state;
		ip_cli_use_limits(&in->cli, &in->repo.lim);
	}
	if (!ip_centre_id_valid(in->centre)) {
		ip_error(&(struct ip_where){NULL, 0, 0, "--centre"}, "'%s' is not a valid "
		         "centre id", in->centre);
		return IP_EXIT_USAGE;
	}
	return IP_EXIT_OK;
}

#define COUNT(a) (sizeof a / sizeof *a - 1)

/* The options: the fixed ones, and one per case field, from fields[]. */
static struct argp_option *all_options(void)
{
	static struct argp_option opts[COUNT(head_options) + IP_INTAKE_NFIELDS + COUNT(tail_options) + 1];
	size_t n = 0;
	for (size_t i = 0; i < COUNT(head_options); i++)
		opts[n++] = head_options[i];
	for (size_t i = 0; i < IP_INTAKE_NFIELDS; i++) {
		const struct ip_intake_field *f = &ip_intake_fields[i];
		char *doc = f->multi ? ip_xasprintf(_("%s (repeatable)"), _(f->help))
		                     : ip_xstrdup(_(f->help));
		doc[0] = (char)(doc[0] >= 'a' && doc[0] <= 'z' ? doc[0] - 32 : doc[0]);
		opts[n++] = (struct argp_option){f->option, OPT_FIELD + (int)i, f->arg, 0, doc, 2};
	}
	for (size_t i = 0; i < COUNT(tail_options); i++)
		opts[n++] = tail_options[i];
	opts[n] = (struct argp_option){0};
	return opts;
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {{&ip_cli_argp, 0, N_("Common options:"), 5}, {0}};
	ip_diag_init(argv);     /* first: the options' help is translated */
	struct argp argp = {all_options(), parse_opt, "\n--init [--git] [DIR]",
		N_("Open IntegPlan cases: one from options, or one per row of a CSV or "
		"JSON Lines file. Prints the path of each new case file.\v"
		"Exit status: 0 opened, 64 usage, 65 a bad row or a repeat return, "
		"66 no repository, 73 cannot create, 74 I/O error."),
		children, NULL, NULL};
	struct intake in = {0};
	ip_cli_init(&in.cli);
	in.given = json_object();
	in.issued = json_object();
	if (ip_argp_status(argp_parse(&argp, argc, argv, 0, NULL, &in)))
		return IP_EXIT_USAGE;
	ip_date_str(ip_now(), in.today);

	int rc;
	if (in.list_fields) {
		list_fields();
		rc = IP_EXIT_OK;
	} else if (in.list) {
		rc = ip_vocab_print(in.list);
	} else if (in.git && !in.init) {
		ip_error(NULL, "--git goes with --init");
		rc = IP_EXIT_USAGE;
	} else if (in.init) {
		rc = do_init(&in);
	} else if (in.from_referral && (in.from || json_object_size(in.given))) {
		ip_error(NULL, "--from-referral opens cases from the package alone; drop the "
		         "other case fields");
		rc = IP_EXIT_USAGE;
	} else if (in.identity && !in.from_referral) {
		ip_error(NULL, "--identity goes with --from-referral");
		rc = IP_EXIT_USAGE;
	} else if (in.from_referral) {
		if (!(rc = ip_repo_find(in.cli.dir, true, &in.repo))) {
			in.have_repo = true;
			in.centre = in.repo.centre;
			ip_cli_use_limits(&in.cli, &in.repo.lim);
			in.batch = ip_batch_new();
			rc = from_referral(&in);
			rc = ip_exit_merge(rc, ip_batch_commit(in.batch, print_placed, &in.cli));
		}
	} else if (!in.from && !json_object_size(in.given)) {
		ip_error(NULL, "nothing to do: give the case's fields as options, --from FILE, "
		         "or --init (see ip-intake --help)");
		rc = IP_EXIT_USAGE;
	} else if (in.from && json_object_size(in.given)) {
		ip_error(NULL, "give case fields either as options or with --from, not both");
		rc = IP_EXIT_USAGE;
	} else if (!(rc = setup(&in))) {
		in.batch = ip_batch_new();
		rc = in.from ? from_file(&in) : open_case(&in, in.given, NULL, 0, true);
		int committed = ip_batch_commit(in.batch, print_placed, &in.cli);
		rc = ip_exit_merge(rc, committed);
	}
	json_decref(in.given);
	if (in.persons) {
		ip_persons_save(in.persons);
		ip_persons_free(in.persons);
	}
	json_decref(in.issued);
	json_decref(in.referrals);
	if (in.have_repo)
		ip_repo_free(&in.repo);
	return ip_finish(rc);
}
