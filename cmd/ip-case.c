/* ip-case — the life of a case after intake: a readable page and its
 * history, finding cases, corrections, consent given later or withdrawn,
 * closing and reopening, a transfer to another centre, and its end: what
 * is due for deletion, erasure. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ip_case.h"
#include "ip_caseview.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_edit.h"
#include "ip_emit.h"
#include "ip_exchange.h"
#include "ip_exit.h"
#include "ip_fold.h"
#include "ip_git.h"
#include "ip_i18n.h"
#include "ip_lifecycle.h"
#include "ip_partners.h"
#include "ip_persons.h"
#include "ip_repo.h"
#include "ip_scan.h"
#include "ip_schema.h"
#include "ip_share.h"
#include "ip_vocab.h"
#include "ip_write.h"

/* The changes come first, in the order of enum ip_lifecycle_change. */
enum sub { SET, CONSENT, CLOSE, REOPEN, ERASE, TRANSFER, SHOW, LOG, FIND, RETENTION, NSUB };
#define TEXT (1u << IP_FORMAT_TABLE)
static const struct ip_sub subs[NSUB] = {
	{"set", N_("Correct person data, contacts, counsellors, the planned departure"),
	 IP_FORMATS_DATA},
	{"consent", N_("Give or withdraw consent"), IP_FORMATS_DATA},
	{"close", N_("Close a case with its outcome"), IP_FORMATS_DATA},
	{"reopen", N_("Reopen a closed case"), IP_FORMATS_DATA},
	{"erase", N_("Erase a closed case down to what reports need"), IP_FORMATS_DATA},
	{"transfer", N_("Send a case to another centre and close it here"),
	 1u << IP_FORMAT_JSONL},
	{"show", N_("One readable page of a case"), TEXT},
	{"log", N_("The history of a case, a line per entry"), TEXT | 1u << IP_FORMAT_JSON |
	 1u << IP_FORMAT_JSONL},
	{"find", N_("The paths of the cases that match"), TEXT},
	{"retention", N_("The closed cases kept longer than the retention period"), TEXT},
};
#undef TEXT
#define ONLY(s) IP_SUB(s)
#define EDITS (ONLY(SET) | ONLY(CONSENT) | ONLY(CLOSE) | ONLY(REOPEN) | ONLY(ERASE))

struct cases {
	struct ip_cli cli;
	enum sub sub;
	bool in_place, purge_history, no_encrypt;
	json_t *erasing;         /* erase: the paths of the cases changed ... */
	json_t *erased;          /* ... and of those of them now in place */
	const char *list, *partners_path;
	const char *to, *out;    /* transfer */
	struct ip_sign_key key;  /* transfer: the centre's signing key */
	struct ip_lifecycle life;
	const char *name, *id, *status, *counsellor; /* find */
	char *closed_by;         /* retention: closed on or before this day */
	json_t *give_args, *withdraw_args; /* consent: as given, checked later */
	char *name_folded;
	struct ip_repo repo;
	bool have_repo;
	json_t *directory;
	char today[11];
	size_t shown, found;
};

/* ---- options ------------------------------------------------------------ */

/* A corrected value, checked against its case field already. */
static int set_field(const struct ip_optarg *a)
{
	struct cases *k = a->state;
	if (!a->value)
		return 0;
	if (a->opt->flags & IP_OPT_MANY) {
		json_t *list = json_object_get(k->life.fields, a->opt->field);
		if (!list)
			json_object_set_new(k->life.fields, a->opt->field, list = json_array());
		json_array_append(list, a->value);
	} else {
		json_object_set(k->life.fields, a->opt->field, a->value);
	}
	return 0;
}

/* --give and --withdraw are checked once the directory is loaded. */
static int consent_arg(const struct ip_optarg *a)
{
	struct cases *k = a->state;
	json_t **list = a->opt->name[0] == 'g' ? &k->give_args : &k->withdraw_args;
	if (!*list)
		*list = json_array();
	json_array_append_new(*list, json_string(a->arg));
	return 0;
}

#define FLAG(m) IP_FLAG(struct cases, m)
#define STRING(m) IP_STRING(struct cases, m)
#define DATE(m) IP_DATE(struct cases, m)
#define CORRECT(path) .field = path, .call = set_field

static const struct ip_opt options[] = {
	{"given", 0, "NAME", N_("set: given name(s)"), 1, ONLY(SET), CORRECT("person.given")},
	{"family", 0, "NAME", N_("set: family name"), 1, ONLY(SET), CORRECT("person.family")},
	{"birth-date", 0, "DATE", N_("set: date of birth"), 1, ONLY(SET),
	 CORRECT("person.birth_date")},
	{"sex", 0, "SEX", N_("set: sex (see --list sex)"), 1, ONLY(SET), CORRECT("person.sex")},
	{"nationality", 0, "CC", N_("set: a nationality (ISO 3166); repeatable, replaces "
	 "them all"), 1, ONLY(SET), CORRECT("person.nationality"), .flags = IP_OPT_MANY},
	{"language", 0, "LANG", N_("set: a language spoken (ISO 639-3); repeatable, "
	 "replaces them all"), 1, ONLY(SET), CORRECT("person.languages"),
	 .flags = IP_OPT_MANY},
	{"residence-status", 0, "STATUS", N_("set: residence status"), 1, ONLY(SET),
	 CORRECT("person.residence_status")},
	{"entered", 0, "DATE", N_("set: the day the person entered Germany"), 1, ONLY(SET),
	 CORRECT("person.entered")},
	{"phone", 0, "NUMBER", N_("set: phone"), 1, ONLY(SET), CORRECT("person.contact.phone")},
	{"email", 0, "ADDRESS", N_("set: e-mail"), 1, ONLY(SET), CORRECT("person.contact.email")},
	{"address", 0, "TEXT", N_("set: postal address"), 1, ONLY(SET),
	 CORRECT("person.contact.address")},
	{"counsellor", 0, "NAME", N_("set, find: the counsellor in Germany"), 1,
	 ONLY(SET) | ONLY(FIND), CORRECT("counsellors.host")},
	{"return-counsellor", 0, "NAME", N_("set: the partner's counsellor in the country of "
	 "return"), 1, ONLY(SET), CORRECT("counsellors.return")},
	{"planned-departure", 0, "DATE", N_("set: the planned departure"), 1, ONLY(SET),
	 CORRECT("return.planned_departure")},
	{"region", 0, "CODE", N_("set: the region of return (ISO 3166-2)"), 1, ONLY(SET),
	 CORRECT("return.region")},
	{"give", 0, "PURPOSE[:RECIPIENT]", N_("consent: consent given (referral:AF-KBL-PH, "
	 "health-data); repeatable"), 2, ONLY(CONSENT), .call = consent_arg,
	 .flags = IP_OPT_MANY, .complete = IP_COMPLETE_VOCAB, .values = "consent-purpose"},
	{"withdraw", 0, "PURPOSE[:RECIPIENT]", N_("consent: consent withdrawn; a referral "
	 "consent withdraws the open referrals to that recipient; repeatable"), 2,
	 ONLY(CONSENT), .call = consent_arg, .flags = IP_OPT_MANY,
	 .complete = IP_COMPLETE_VOCAB, .values = "consent-purpose"},
	{"outcome", 0, "OUTCOME", N_("close: the outcome (see --list closure-outcome)"), 2,
	 ONLY(CLOSE), ONLY(CLOSE), STRING(life.outcome), .field = "outcome"},
	{"reason", 0, "TEXT", N_("reopen: why the case is reopened"), 2, ONLY(REOPEN),
	 ONLY(REOPEN), STRING(life.reason)},
	{"to", 0, "CENTRE", N_("transfer: the counselling centre the case moves to (see "
	 "ip-refer partners)"), 2, ONLY(TRANSFER), ONLY(TRANSFER), STRING(to),
	 .complete = IP_COMPLETE_PARTNER},
	{"out", 0, "DIR", N_("transfer: one file per case in DIR instead of JSON Lines on "
	 "standard output"), 2, ONLY(TRANSFER), STRING(out), .complete = IP_COMPLETE_DIR},
	{"no-encrypt", 0, NULL, N_("transfer: send plain text to a centre without an age key "
	 "(with a warning)"), 2, ONLY(TRANSFER), FLAG(no_encrypt)},
	{"date", 0, "DATE", N_("consent, close, transfer: the day (default: today)"), 2,
	 ONLY(CONSENT) | ONLY(CLOSE) | ONLY(TRANSFER), DATE(life.date)},
	{"partners", 0, "FILE", N_("consent, transfer: the partner directory recipients are "
	 "checked against (default: the repository's)"), 2, ONLY(CONSENT) | ONLY(TRANSFER),
	 STRING(partners_path), .complete = IP_COMPLETE_FILE},
	{"name", 0, "TEXT", N_("find: part of the name, in any case, with or without "
	 "diacritics"), 3, ONLY(FIND), STRING(name)},
	{"id", 0, "PREFIX", N_("find: the start of the case id"), 3, ONLY(FIND), STRING(id)},
	{"status", 0, "STATUS", N_("find: the case status"), 3, ONLY(FIND), STRING(status),
	 .field = "status"},
	{"purge-history", 0, NULL, N_("erase: also remove every earlier version of the cases "
	 "from the git history (git-filter-repo); every clone must then be made anew"), 3,
	 ONLY(ERASE), FLAG(purge_history)},
	{"in-place", 'i', NULL, N_("Write the cases back instead of printing them; prints "
	 "their paths"), 4, EDITS, FLAG(in_place)},
	{"list", 0, "VOCABULARY", N_("List a vocabulary (closure-outcome, consent-purpose, "
	 "...)"), 4, 0, STRING(list), .complete = IP_COMPLETE_VOCABULARIES,
	 .flags = IP_OPT_ALONE},
	{0}};

static const struct ip_command command = {
	"ip-case", "SUBCOMMAND [CASE...]",
	N_("The life of IntegPlan cases after intake.\v"
	"Subcommands: set (corrections), consent --give|--withdraw, close --outcome, "
	"reopen --reason, erase, transfer --to CENTRE, show, log, find, retention. CASEs are "
	"case files or directories; - is a case on standard input; find searches the "
	"repository without them. Changes print the cases unless -i; transfer writes them "
	"and prints the packages. Exit status: 0 done (find: some case matched), 1 find or "
	"retention found none, 64 usage, 65 bad data, 66 missing input, 73 cannot create "
	"(or encrypt), 74 I/O error, 75 a case is locked, 77 no consent to the transfer."),
	subs, NSUB, N_("subcommand"),
	options, IP_COMPLETE_CASES, IP_FORMATS_DATA | 1u << IP_FORMAT_TABLE, 5, NULL,
};

/* ---- reading: show, log, find ------------------------------------------- */

static int show_one(const char *path, void *ctx)
{
	struct cases *k = ctx;
	struct ip_docs docs = {0};
	int rc = ip_case_load(path, &k->cli.lim, &docs);
	if (!rc) {
		struct ip_buf out = {0};
		if (k->shown++)
			ip_buf_puts(&out, "\n");
		if (k->sub == SHOW)
			ip_caseview_page(docs.v[0].root, ip_i18n_lang(), &out);
		else if (k->cli.format == IP_FORMAT_TABLE)
			ip_caseview_log(docs.v[0].root, &out);
		else if (k->cli.format == IP_FORMAT_JSON)
			ip_emit(&out, json_object_get(docs.v[0].root, "history"), k->cli.format);
		else  /* JSON Lines: an entry a line */
			for (size_t i = 0; i < json_array_size(json_object_get(docs.v[0].root,
			                                                       "history")); i++)
				ip_emit(&out, json_array_get(json_object_get(docs.v[0].root, "history"), i),
				        IP_FORMAT_JSONL);
		fwrite(out.s ? out.s : "", 1, out.len, stdout);
		ip_buf_free(&out);
	}
	ip_docs_free(&docs);
	return rc;
}

/* Does "given family", folded, hold the folded --name? */
static bool name_matches(const struct cases *k, const char *given, const char *family)
{
	char *whole = ip_xasprintf("%s %s", given ? given : "", family ? family : "");
	char *folded = ip_fold(whole);
	bool hit = folded && strstr(folded, k->name_folded);
	free(folded);
	free(whole);
	return hit;
}

static bool counsellor_matches(const struct cases *k, const json_t *c)
{
	const char *host = ip_get_str(c, "counsellors.host");
	return host && !strcmp(host, k->counsellor);
}

static int find_one(const char *path, void *ctx)
{
	struct cases *k = ctx;
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, &k->cli.lim, &docs);
	const json_t *c = !rc && docs.n == 1 ? docs.v[0].root : NULL;
	const char *id = ip_str(c, "id"), *status = ip_str(c, "status");
	bool hit = c && (!k->id || (id && !strncmp(id, k->id, strlen(k->id)))) &&
	           (!k->status || (status && !strcmp(status, k->status))) &&
	           (!k->counsellor || counsellor_matches(k, c)) &&
	           (!k->name_folded || name_matches(k, ip_get_str(c, "person.given"),
	                                            ip_get_str(c, "person.family")));
	if (hit) {
		k->found++;
		ip_print_path(&k->cli, path);
	}
	ip_docs_free(&docs);
	return rc;
}

/* The repository's cases by their facts (ip_scan.h): from the report
 * cache where a file is unchanged, so a search of 100,000 cases reads only
 * those that changed since the last report or search. */
static void found_facts(char *f[IP_NFACTS], void *ctx)
{
	struct cases *k = ctx;
	if ((k->id && strncmp(f[IP_F_ID], k->id, strlen(k->id))) ||
	    (k->status && strcmp(f[IP_F_STATUS], k->status)) ||
	    (k->counsellor && strcmp(f[IP_F_COUNSELLOR], k->counsellor)))
		return;
	if (k->name_folded && !name_matches(k, f[IP_F_GIVEN], f[IP_F_FAMILY]))
		return;
	char *path = ip_repo_case_path(&k->repo, f[IP_F_ID]);
	if (access(path, F_OK) != 0) {  /* a case kept as JSON */
		strcpy(path + strlen(path) - strlen("yaml"), "json");
	}
	k->found++;
	ip_print_path(&k->cli, path);
	free(path);
}

static int find_in_repo(struct cases *k)
{
	int rc = ip_repo_find(k->cli.dir, true, &k->repo);
	if (rc)
		return rc;
	k->have_repo = true;
	ip_cli_use_limits(&k->cli, &k->repo.lim);
	json_t *settings = NULL;
	char *path = ip_share_path("reports.yaml");
	rc = ip_load_checked(path, &ip_reports_schema, N_("the report settings"), &k->cli.lim,
	                     &settings);
	free(path);
	char *cache = NULL;
	if (!rc)
		rc = ip_repo_report_cache(&k->repo, &cache);
	struct ip_scan s = {.run = ip_cli_run(&k->cli), .cache = cache, .threads = 1,
	                    .fn = found_facts, .ctx = k};
	s.referral_days = (int)json_integer_value(json_object_get(settings,
	                                                          "referral_answer_days"));
	s.run.quiet = true;
	if (!rc)
		rc = ip_scan_run(&s, &k->repo.cases, 1);
	json_decref(settings);
	free(cache);
	return rc;
}

static int run_find(struct cases *k, char **operands, int n)
{
	const json_t *counsellor = json_object_get(k->life.fields, "counsellors.host");
	k->counsellor = json_string_value(counsellor);
	if (k->name && !(k->name_folded = ip_fold(k->name))) {
		ip_error(&(struct ip_where){NULL, 0, 0, "--name"}, "not valid UTF-8 text");
		return IP_EXIT_USAGE;
	}
	if (!k->name && !k->id && !k->status && !k->counsellor) {
		ip_error(NULL, "ip-case find: nothing to find by (--name, --id, --status, "
		         "--counsellor)");
		return IP_EXIT_USAGE;
	}
	int rc = n == 0 && !k->cli.files_from ? find_in_repo(k)
	         : ip_inputs_each(&k->cli, operands, n, true, find_one, k);
	return rc ? rc : k->found ? IP_EXIT_OK : IP_EXIT_PROBLEMS;
}

/* ---- retention ------------------------------------------------------------ */

/* How long a closed case is kept: the config's retention_years (ip-case(1)
 * says why 10 by default), 1 to 100. */
static int retention_years(const struct cases *k, int *years)
{
	const json_t *v = json_object_get(k->repo.config, "retention_years");
	*years = v ? (int)json_integer_value(v) : 10;
	if (v && (!json_is_integer(v) || *years < 1 || *years > 100)) {
		ip_error(&(struct ip_where){".integplan/config.yaml", 0, 0, "retention_years"},
		         "not a whole number of years from 1 to 100");
		return IP_EXIT_DATAERR;
	}
	return IP_EXIT_OK;
}

static int due_one(const char *path, void *ctx)
{
	struct cases *k = ctx;
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, &k->cli.lim, &docs);
	const json_t *c = !rc && docs.n == 1 ? docs.v[0].root : NULL;
	const char *closed = ip_str(c, "closed");
	if (c && closed && !json_object_get(c, "erased") && strcmp(closed, k->closed_by) <= 0) {
		k->found++;
		ip_print_path(&k->cli, path);
	}
	ip_docs_free(&docs);
	return rc;
}

/* The closed cases whose day of closing is retention_years or more ago. */
static int run_retention(struct cases *k, char **operands, int n)
{
	int rc = ip_repo_find(k->cli.dir, true, &k->repo), years = 10;
	if (rc)
		return rc;
	k->have_repo = true;
	ip_cli_use_limits(&k->cli, &k->repo.lim);
	if ((rc = retention_years(k, &years)))
		return rc;
	k->closed_by = ip_xasprintf("%04d%s", atoi(k->today) - years, k->today + 4);
	rc = n || k->cli.files_from ? ip_inputs_each(&k->cli, operands, n, true, due_one, k)
	                            : ip_inputs_each(&k->cli, &k->repo.cases, 1, true, due_one, k);
	if (!k->cli.quiet)
		ip_inform(NULL, ngettext("%zu case closed on or before %s (%d years ago): due for "
		                         "erasure (ip-case erase)", "%zu cases closed on or before "
		                         "%s (%d years ago): due for erasure (ip-case erase)",
		                         k->found), k->found, k->closed_by, years);
	return rc ? rc : k->found ? IP_EXIT_OK : IP_EXIT_PROBLEMS;
}

/* ---- erasure --------------------------------------------------------------- */

/* A case erased now (not one erased before) that is in place. */
static void erased_one(const char *path, int status, const char *error, void *ctx)
{
	struct cases *k = ctx;
	(void)error;
	if (!status && json_object_get(k->erasing, path))
		json_array_append_new(k->erased, json_string(path));
}

/* A path of a case file relative to the repository's directory, for git;
 * NULL when the file is not inside it. */
static char *within_repo(const struct cases *k, const char *path)
{
	char *top = realpath(k->repo.dir, NULL), *file = realpath(path, NULL), *rel = NULL;
	size_t n = top ? strlen(top) : 0;
	if (top && file && !strncmp(file, top, n) && file[n] == '/')
		rel = ip_xstrdup(file + n + 1);
	free(top);
	free(file);
	return rel;
}

/* After erasing: no cache or index still names the person, and with
 * --purge-history no commit still holds the old file. */
static int after_erasure(struct cases *k)
{
	if (!json_array_size(k->erased) || !k->in_place || !k->have_repo)
		return IP_EXIT_OK;
	char *cache = ip_xasprintf("%s/.integplan/cache/report.tsv", k->repo.dir);
	ip_scan_cache_remove(cache);  /* rebuilt by the next report, without the erased */
	free(cache);
	struct ip_persons *persons;
	if (ip_persons_load(&k->repo, true, &persons) == IP_EXIT_OK)
		ip_persons_save(persons);
	ip_persons_free(persons);
	if (!k->purge_history)
		return IP_EXIT_OK;
	size_t n = json_array_size(k->erased), i;
	const char **rel = ip_xcalloc(n, sizeof *rel);
	int rc = IP_EXIT_OK;
	for (i = 0; i < n && !rc; i++)
		if (!(rel[i] = within_repo(k, json_string_value(json_array_get(k->erased, i))))) {
			ip_error(&(struct ip_where){json_string_value(json_array_get(k->erased, i)),
			         0, 0, NULL}, "not in the repository's git work tree: its history is "
			         "not purged");
			rc = IP_EXIT_USAGE;
		}
	/* filter-repo takes the files from the work tree too: the tombstones
	 * are kept aside, put back and committed */
	char **text = ip_xcalloc(n, sizeof *text);
	size_t *len = ip_xcalloc(n, sizeof *len);
	for (i = 0; i < n && !rc; i++)
		rc = ip_read_all(json_string_value(json_array_get(k->erased, i)), k->cli.lim.max_bytes,
		                 &text[i], &len[i]);
	char *message = ip_xasprintf("erase %zu case(s); their history purged", n);
	if (!rc)
		rc = ip_git_purge(k->repo.dir, rel, n);
	/* (a directory left empty went with the files) */
	if (!rc)
		rc = ip_mkdir_private(k->repo.cases);
	for (i = 0; i < n && !rc; i++)
		rc = ip_write_file(json_string_value(json_array_get(k->erased, i)), text[i], len[i],
		                   false);
	if (!rc)
		rc = ip_git_commit(k->repo.dir, rel, n, message);
	for (i = 0; i < n; i++)
		free(text[i]);
	free(text);
	free(len);
	if (!rc && !k->cli.quiet)
		ip_inform(NULL, "the erased cases are gone from this repository's history; every "
		          "clone and backup made before still holds them: make each clone anew "
		          "(git clone) and replace the backups");
	free(message);
	for (i = 0; i < n; i++)
		free((char *)rel[i]);
	free(rel);
	return rc;
}

/* ---- changes ------------------------------------------------------------ */

static int apply(json_t *c, const char *name, const char **what, void *ctx)
{
	struct cases *k = ctx;
	int rc = ip_lifecycle_apply(&k->life, c, name, what);
	if (!rc && *what && k->sub == ERASE)
		json_object_set_new(k->erasing, name, json_true());
	return rc;
}

/* Consent recipients are partners of the directory or countries. */
static int prepare_consent(struct cases *k)
{
	if (!json_array_size(k->give_args) && !json_array_size(k->withdraw_args)) {
		ip_error(NULL, "ip-case consent: nothing to record (--give or --withdraw)");
		return IP_EXIT_USAGE;
	}
	k->have_repo = !ip_repo_find(k->cli.dir, false, &k->repo);
	int rc = ip_partners_load(k->partners_path, k->have_repo ? &k->repo : NULL, &k->cli.lim,
	                          &k->directory);
	if (rc)
		return rc;
	k->life.directory = k->directory;
	int bad = 0;
	size_t i;
	json_t *v;
	json_array_foreach(k->give_args, i, v)
		bad += ip_lifecycle_consent_arg(&k->life, k->life.give, json_string_value(v),
		                                "--give");
	json_array_foreach(k->withdraw_args, i, v)
		bad += ip_lifecycle_consent_arg(&k->life, k->life.withdraw, json_string_value(v),
		                                "--withdraw");
	return bad ? IP_EXIT_USAGE : IP_EXIT_OK;
}

static int run_change(struct cases *k, char **operands, int n)
{
	int rc = IP_EXIT_OK;
	if (k->sub == SET && !json_object_size(k->life.fields)) {
		ip_error(NULL, "ip-case set: nothing to correct (--family, --phone, --counsellor, "
		         "...)");
		return IP_EXIT_USAGE;
	}
	if (k->sub == CONSENT)
		rc = prepare_consent(k);
	if (rc)
		return rc;
	if (k->sub == ERASE && k->purge_history && !k->in_place) {
		ip_error(NULL, "--purge-history rewrites the repository's history: it needs -i");
		return IP_EXIT_USAGE;
	}
	if (k->sub == ERASE)
		k->have_repo = !ip_repo_find(k->cli.dir, k->purge_history, &k->repo);
	if (k->sub == ERASE && k->purge_history && !k->have_repo)
		return IP_EXIT_NOINPUT;
	k->life.change = (enum ip_lifecycle_change)k->sub;
	k->life.today = k->today;
	k->life.quiet = k->cli.quiet;
	struct ip_edit e = {.run = ip_cli_run(&k->cli), .in_place = k->in_place,
	                    .cmd = "ip-case", .apply = apply, .ctx = k,
	                    .outcome = k->sub == ERASE ? erased_one : NULL};
	k->erased = json_array();
	k->erasing = json_object();
	rc = ip_edit_run(&e, operands, n);
	return ip_exit_merge(rc, after_erasure(k));
}

/* ---- transfer ------------------------------------------------------------- */

/* The centre of --to: a counselling centre of the directory, not this
 * one, with an age key unless plain text is asked for. */
static int receiving_centre(struct cases *k)
{
	const json_t *to = ip_partner(k->directory, k->to);
	if (!to)
		return ip_partner_unknown(k->directory, k->to);
	struct ip_where w = {NULL, 0, 0, "--to"};
	if (strcmp(ip_str(to, "kind"), "counselling-centre")) {
		ip_error(&w, "%s is a partner abroad (%s), not a counselling centre: a case moves "
		         "only to another centre in Germany", k->to, ip_str(to, "kind"));
		return IP_EXIT_USAGE;
	}
	if (!strcmp(k->to, k->repo.centre)) {
		ip_error(&w, "%s is this repository's own centre", k->to);
		return IP_EXIT_USAGE;
	}
	if (!ip_str(to, "age") && !k->no_encrypt) {
		ip_error(&w, "%s has no age key in the partner directory: nothing sent (add its "
		         "key, or send plain text with --no-encrypt)", k->to);
		return IP_EXIT_USAGE;
	}
	if (!ip_str(to, "age") && !k->cli.quiet)
		ip_warn(&w, "%s has no age key: each case leaves as plain text, whole, with its "
		        "special categories of personal data", k->to);
	k->life.to = to;
	return IP_EXIT_OK;
}

/* Each case leaves whole, signed with this centre's key, and is closed
 * here as transferred in the same batch. */
static int run_transfer(struct cases *k, char **operands, int n)
{
	int rc = ip_repo_find(k->cli.dir, true, &k->repo);
	if (rc)
		return rc;
	k->have_repo = true;
	ip_cli_use_limits(&k->cli, &k->repo.lim);
	rc = ip_partners_load(k->partners_path, &k->repo, &k->cli.lim, &k->directory);
	if (!rc)
		rc = receiving_centre(k);
	if (!rc)
		rc = ip_repo_signing_key(&k->repo, &k->key);
	if (rc)
		return rc;
	struct ip_exchange x = {.run = ip_cli_run(&k->cli), .out = k->out,
	                        .no_encrypt = k->no_encrypt, .today = k->today, .key = &k->key};
	ip_exchange_init(&x);
	k->life.change = IP_LIFE_TRANSFER;
	k->life.today = k->today;
	k->life.quiet = k->cli.quiet;
	rc = ip_exchange_transfer(&x, &k->life, operands, n);
	if (!k->cli.quiet && x.recipient)
		ip_inform(NULL, "%zu transferred to %s (encrypted), %zu failed", x.sent, k->to,
		          x.failed);
	else if (!k->cli.quiet)
		ip_inform(NULL, "%zu transferred to %s, %zu failed", x.sent, k->to, x.failed);
	return ip_exit_merge(rc, ip_exchange_finish(&x));
}

static int run(struct cases *k, char **operands, int n)
{
	if (k->sub == FIND)
		return run_find(k, operands, n);
	if (k->sub == RETENTION)
		return run_retention(k, operands, n);
	if (n == 0 && !k->cli.files_from) {
		ip_error(NULL, "no case given (a file, a directory, or - for standard input)");
		return IP_EXIT_USAGE;
	}
	if (k->sub == TRANSFER)
		return run_transfer(k, operands, n);
	if (k->sub == SHOW || k->sub == LOG) {
		if (k->sub == LOG && !k->cli.format_given)
			k->cli.format = IP_FORMAT_TABLE;
		return ip_inputs_each(&k->cli, operands, n, true, show_one, k);
	}
	return run_change(k, operands, n);
}

int main(int argc, char **argv)
{
	struct cases k = {0};
	struct ip_args args;
	ip_diag_init(argv);
	ip_cli_init(&k.cli);
	ip_lifecycle_init(&k.life);
	ip_date_str(ip_now(), k.today);
	int rc = ip_command_parse(&command, &k, &k.cli, argc, argv, &args);
	k.sub = (enum sub)args.sub;
	if (!rc)
		rc = k.list ? ip_vocab_print(k.list) : run(&k, argv + args.first, args.n);
	ip_lifecycle_free(&k.life);
	json_decref(k.directory);
	json_decref(k.erased);
	json_decref(k.give_args);
	json_decref(k.withdraw_args);
	free(k.closed_by);
	json_decref(k.erasing);
	free(k.name_folded);
	ip_sign_key_forget(&k.key);
	if (k.have_repo)
		ip_repo_free(&k.repo);
	return ip_finish(rc);
}
