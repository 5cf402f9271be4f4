/* ip-check — validate case files; print them in canonical form; convert
 * any YAML or JSON document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ip_arena.h"
#include "ip_case.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_jsonschema.h"
#include "ip_onepass.h"
#include "ip_parallel.h"
#include "ip_persons.h"
#include "ip_plan.h"
#include "ip_repo.h"
#include "ip_schema.h"
#include "ip_walk.h"
#include "ip_write.h"

/* What became of the files checked. */
struct tally {
	size_t files, valid, invalid, unreadable;
};

struct check {
	struct ip_cli cli;
	bool print, no_schema, duplicates;
	bool onepass;            /* ip_onepass_enabled() */
	bool warm;               /* all that checking loads is loaded (ip_case_warm_up) */
	int jobs;
	const char *json_schema; /* --json-schema: print this one */
	struct tally n;
	size_t printed, temps;
};

#define FLAG(m) IP_FLAG(struct check, m)
#define INT(m, least, most) IP_INT(struct check, m, least, most)
#define STRING(m) IP_STRING(struct check, m)

static const struct ip_opt options[] = {
	{"print", 0, NULL, N_("Print valid cases in canonical form"), 0, 0,
	 FLAG(print)},
	{"no-schema", 0, NULL, N_("Read any YAML or JSON document; check syntax only (with "
	 "--print: convert)"), 0, 0, FLAG(no_schema)},
	{"duplicates", 0, NULL, N_("Sweep the repository for cases whose persons are or may "
	 "be one, and print each pair with why"), 0, 0, FLAG(duplicates)},
	{"jobs", 'j', "N", N_("Check with N threads (default: the online CPUs); with --print "
	 "or --no-schema, one"), 0, 0, INT(jobs, 1, 256)},
	{"json-schema", 0, "DOCUMENT", N_("Print the JSON Schema of a case, referral-package, "
	 "referral-response, transfer-package or report-partial"), 0, 0, STRING(json_schema),
	 .complete = IP_COMPLETE_WORDS,
	 .values = "case referral-package referral-response transfer-package report-partial"},
	{0}};

static const struct ip_command command = {
	"ip-check", "[PATH...]",
	N_("Validate IntegPlan case files.\v"
	"PATHs are case files or directories (searched for *.yaml, *.yml and "
	"*.json); - is a case on standard input. Without PATHs, the cases/ "
	"directory of the case repository, and temp files killed writers left "
	"there. Exit status: 0 all valid, 1 some invalid, a temp file left or (with "
	"--duplicates) a pair found, 65 some could not be parsed or bad rules of matching "
	"names, 66 missing input, 73 the cache a symbolic link."),
	.opts = options, .operands = IP_COMPLETE_CASES, .formats = IP_FORMATS_DATA,
};

/* A repository directory the group or others may list or enter shows who
 * has a case (the ids in the file names) even when the files are private. */
static void warn_if_dir_shared(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0 && (st.st_mode & 077))
		ip_warn(&(struct ip_where){dir, 0, 0, NULL}, "directory open to %s (it lists "
		        "who has a case: chmod 700)", st.st_mode & 007 ? _("others") : _("the group"));
}

/* mode: the file's, as it was read (0: standard input) */
static void warn_if_shared(const char *path, unsigned mode)
{
	if (mode & 077)
		ip_warn(&(struct ip_where){path, 0, 0, NULL}, "readable or writable by %s "
		        "(case files hold special-category data: chmod 600)",
		        mode & 007 ? _("others") : _("the group"));
}

/* A temp file a killed writer left holds case data outside any case
 * file: a problem until the next write in its directory removes it. */
static void temp_left(const char *path, void *ctx)
{
	struct check *c = ctx;
	ip_error(&(struct ip_where){path, 0, 0, NULL}, "a temp file a killed writer left "
	         "(the next write in this directory removes it)");
	c->temps++;
}

/* The directories of a repository that writers put temp files in. */
static void find_temps(struct check *c, const struct ip_repo *repo)
{
	static const char *const dirs[] = {"", "/cases", "/.integplan", "/.integplan/cache"};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		char *dir = ip_xasprintf("%s%s", repo->dir, dirs[i]);
		ip_temps_left(dir, temp_left, c);
		free(dir);
	}
}

static void print_doc(struct check *c, const json_t *v, bool several)
{
	struct ip_buf out = {0};
	enum ip_format f = c->cli.format;
	/* Several documents as JSON: one value per line, like a JSON Lines file. */
	if (f == IP_FORMAT_JSON && several)
		f = IP_FORMAT_JSONL;
	if (f == IP_FORMAT_YAML && c->printed)
		ip_buf_puts(&out, "---\n");
	ip_emit(&out, v, f);
	fwrite(out.s, 1, out.len, stdout);
	ip_buf_free(&out);
	c->printed++;
}

/* A valid case whose approvals were given to other terms than its plan
 * has now (a hand edit, a merge): they count as withdrawn; say so. */
static void stale_approval(size_t i, const json_t *a, void *ctx)
{
	const struct ip_doc *doc = ctx;
	char path[48];
	snprintf(path, sizeof path, "plan.approvals[%zu]", i);
	struct ip_where w = ip_doc_where(doc, path);
	w.path = path;
	ip_warn(&w, "the %s side's approval (%s, %s) no longer matches the plan's measures: it "
	        "counts as withdrawn", ip_str(a, "side"), ip_str(a, "by"), ip_str(a, "date"));
}

/* A case the one pass (ip_onepass.h) finds valid, whose approvals all
 * match its plan; false: read it the careful way, which says what is
 * wrong and where. */
static bool valid_in_one_pass(struct check *c, const char *name, const char *buf,
                              size_t len)
{
	/* stale approvals are told by the measures and approvals the pass
	 * gathers: the case is checked, not built */
	struct ip_case_facts f;
	if (c->print || c->no_schema || !c->onepass)
		return false;
	if (c->cli.quiet)  /* no warning to give: nothing gathered */
		return ip_onepass_case(name, buf, len, &c->cli.lim, NULL, NULL, NULL);
	return ip_onepass_case(name, buf, len, &c->cli.lim, NULL, NULL, &f) &&
	       !ip_plan_stale_of(f.measures, f.nmeasures, f.approvals, f.napprovals);
}

/* The text of one file checked, counted in t; c is only read (and
 * printed to, with --print). */
static int check_text(struct check *c, const char *path, const char *buf, size_t len,
                      unsigned mode, struct tally *t)
{
	struct ip_docs docs = {0};
	const char *name = ip_input_name(path);
	if (valid_in_one_pass(c, name, buf, len)) {
		warn_if_shared(path, mode);
		t->valid++;
		return IP_EXIT_OK;
	}
	int rc = ip_docs_parse(name, buf, len, IP_SYNTAX_AUTO, &c->cli.lim, &docs);
	if (rc) {
		t->unreadable++;
		ip_docs_free(&docs);
		return rc;
	}
	if (c->no_schema) {
		for (size_t i = 0; c->print && i < docs.n; i++)
			print_doc(c, docs.v[i].root, docs.n > 1);
		t->valid++;
		ip_docs_free(&docs);
		return IP_EXIT_OK;
	}
	warn_if_shared(path, mode);
	int problems = 0;
	if (docs.n == 0) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "empty file (no case in it)");
		problems++;
	} else if (docs.n != 1) {
		ip_error(&(struct ip_where){docs.n ? docs.v[1].file : path, 0, 0, NULL},
		         "expected one case in the file, found %zu documents", docs.n);
		problems++;
	} else {
		problems = ip_case_validate(&docs.v[0]);
	}
	if (problems) {
		t->invalid++;
		rc = IP_EXIT_PROBLEMS;
	} else {
		t->valid++;
		if (!c->cli.quiet)
			ip_plan_stale(json_object_get(docs.v[0].root, "plan"), stale_approval,
			              &docs.v[0]);
		if (c->print) {
			json_t *canon = ip_canonical(docs.v[0].root, &ip_case_schema);
			print_doc(c, canon, false);
			json_decref(canon);
		}
	}
	ip_docs_free(&docs);
	return rc;
}

/* Check one file, counted in t. Its text and its trees live in the
 * thread's scratch and go with it, once nothing is left to load lazily
 * (which must outlive the file). */
static int check_file(struct check *c, const char *path, struct tally *t)
{
	char *buf;
	size_t len;
	unsigned mode;
	t->files++;
	if (c->warm)
		ip_scratch_begin();
	int rc = ip_read_scratch(path, c->cli.lim.max_bytes, &buf, &len, &mode);
	if (rc) {
		t->unreadable++;
	} else {
		rc = check_text(c, path, buf, len, mode, t);
		ip_scratch_free(buf);
	}
	ip_scratch_end();
	return rc;
}

static int check_one(const char *path, void *ctx)
{
	struct check *c = ctx;
	/* one file (a hook's) loads only what it needs; from a second on,
	 * everything is loaded first, and the files' trees live in scratch */
	if (c->n.files == 1 && !c->warm) {
		ip_case_warm_up(1);
		c->warm = true;
	}
	return check_file(c, path, &c->n);
}

/* ---- many files in threads ---------------------------------------------- */

/* A file checked by some thread: its verdict and what it said. */
struct slot {
	int rc;
	struct tally n;
	struct ip_buf messages;
};

struct batch {
	struct check *c;
	char **paths;
	struct slot *slots;
};

static void check_item(size_t i, void *ctx)
{
	struct batch *b = ctx;
	ip_diag_capture(&b->slots[i].messages);
	b->slots[i].rc = check_file(b->c, b->paths[i], &b->slots[i].n);
	ip_diag_capture(NULL);
}

/* What a thread kept for the files it checked. */
static void thread_done(void)
{
	ip_scratch_release();
	ip_onepass_release();
}

/* Files at a time: the messages kept wait for their turn in memory. */
#define BATCH 1024

/* The files in threads, each file's messages printed in the files' order:
 * the same output as one thread gives, on every run. */
static int check_all(struct check *c, char **operands, int n)
{
	struct ip_paths p = {0};
	int rc = ip_inputs_each(&c->cli, operands, n, true, ip_paths_add, &p);
	/* One file (a hook's) is checked here, loading only what it needs as
	 * it needs it; more are checked once everything is loaded, so that
	 * nothing loaded lazily can end the run inside a thread whose
	 * messages wait to be printed. */
	if (p.n == 1)
		rc = ip_exit_merge(rc, check_one(p.v[0], c));
	else if (p.n > 1) {
		ip_case_warm_up(c->jobs);
		c->warm = true;
	}
	for (size_t at = 0; p.n > 1 && at < p.n; at += BATCH) {
		size_t k = p.n - at < BATCH ? p.n - at : BATCH;
		struct batch b = {c, p.v + at, ip_xcalloc(k, sizeof *b.slots)};
		ip_parallel(k, c->jobs, check_item, thread_done, &b);
		for (size_t i = 0; i < k; i++) {
			struct slot *sl = &b.slots[i];
			ip_diag_flush(&sl->messages);
			c->n.files += sl->n.files;
			c->n.valid += sl->n.valid;
			c->n.invalid += sl->n.invalid;
			c->n.unreadable += sl->n.unreadable;
			rc = ip_exit_merge(rc, sl->rc);
		}
		free(b.slots);
	}
	ip_paths_free(&p);
	return rc;
}

/* Verdicts only, on more than one thread: in threads; else one by one
 * (what --print and --no-schema print comes in the files' order). */
static int check_inputs(struct check *c, char **operands, int n)
{
	if (c->jobs > 1 && !c->print && !c->no_schema)
		return check_all(c, operands, n);
	int rc = ip_inputs_each(&c->cli, operands, n, true, check_one, c);
	thread_done();
	return rc;
}

/* The JSON Schema of a document, as JSON unless -f says otherwise. */
static int print_json_schema(struct check *c)
{
	json_t *s = ip_jsonschema(c->json_schema);
	if (!s) {
		size_t n = 0;
		while (ip_jsonschema_names[n])
			n++;
		const char *hint = ip_nearest(c->json_schema, ip_jsonschema_names, n);
		ip_error(&(struct ip_where){NULL, 0, 0, "--json-schema"}, "no schema '%s'%s "
		         "(case, referral-package, referral-response, transfer-package, "
		         "report-partial)",
		         c->json_schema, ip_did_you_mean(hint));
		return IP_EXIT_USAGE;
	}
	if (!c->cli.format_given)
		c->cli.format = IP_FORMAT_JSON;
	print_doc(c, s, false);
	json_decref(s);
	return IP_EXIT_OK;
}

/* --duplicates: every pair of cases of the repository whose persons are
 * or may be one and that no link explains; 1 when there is one. */
static int sweep_duplicates(struct check *c, const struct ip_repo *repo)
{
	struct ip_persons *persons;
	int rc = ip_persons_load(repo, false, &persons);
	json_t *pairs = rc ? NULL : ip_persons_pairs(persons);
	if (!rc)
		ip_persons_save(persons);
	ip_persons_free(persons);
	size_t n = json_array_size(pairs), i;
	json_t *pair;
	if (c->cli.format == IP_FORMAT_JSONL)
		json_array_foreach(pairs, i, pair)
			print_doc(c, pair, true);
	else if (pairs)
		print_doc(c, pairs, false);
	json_decref(pairs);
	if (!rc && !c->cli.quiet)
		ip_inform(NULL, ngettext("%zu pair of cases may be one person",
		                         "%zu pairs of cases may be one person each", n), n);
	return rc ? rc : n ? IP_EXIT_PROBLEMS : IP_EXIT_OK;
}

static void summary(const struct check *c)
{
	fprintf(stderr, ngettext("%s: %zu file: %zu valid", "%s: %zu files: %zu valid",
	                         c->n.files), ip_progname(), c->n.files, c->n.valid);
	if (c->n.invalid)
		fprintf(stderr, _(", %zu invalid"), c->n.invalid);
	if (c->n.unreadable)
		fprintf(stderr, _(", %zu unreadable"), c->n.unreadable);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct check c = {.onepass = ip_onepass_enabled(), .jobs = cpus > 0 ? (int)cpus : 1};
	struct ip_args args;
	ip_diag_init(argv);
	ip_cli_init(&c.cli);
	if (ip_command_parse(&command, &c, &c.cli, argc, argv, &args))
		return IP_EXIT_USAGE;

	int rc;
	char **operands = argv + args.first;
	int n = args.n;
	if (c.json_schema && (n || c.cli.files_from)) {
		ip_error(NULL, "--json-schema prints a schema and checks no files; drop the paths");
		return IP_EXIT_USAGE;
	}
	if (c.json_schema)
		return ip_finish(print_json_schema(&c));
	if (c.duplicates && (n || c.cli.files_from || c.print || c.no_schema)) {
		ip_error(NULL, "--duplicates sweeps the whole repository; drop the paths and "
		         "other options");
		return IP_EXIT_USAGE;
	}
	if (n == 0 && !c.cli.files_from) {
		struct ip_repo repo;
		if ((rc = ip_repo_find(c.cli.dir, true, &repo)))
			return rc;
		ip_cli_use_limits(&c.cli, &repo.lim);
		warn_if_dir_shared(repo.dir);
		warn_if_dir_shared(repo.cases);
		if (c.duplicates) {
			rc = sweep_duplicates(&c, &repo);
			ip_repo_free(&repo);
			return ip_finish(rc);
		}
		rc = check_inputs(&c, &repo.cases, 1);
		find_temps(&c, &repo);
		ip_repo_free(&repo);
	} else {
		rc = check_inputs(&c, operands, n);
		for (int i = 0; i < n; i++) {
			struct stat st;
			if (stat(operands[i], &st) == 0 && S_ISDIR(st.st_mode))
				ip_temps_left(operands[i], temp_left, &c);
		}
	}
	if (c.temps)
		rc = ip_exit_merge(rc, IP_EXIT_PROBLEMS);
	if (!c.cli.quiet)
		summary(&c);
	return ip_finish(rc);
}
