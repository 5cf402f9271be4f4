/* ip-refer — referrals to partner centres in the country of return: send
 * (with consent, only the fields the partner receives, encrypted to its
 * key), update along the state machine, respond on the partner's side and
 * receive the response on the host side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip_age.h"
#include "ip_case.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_edit.h"
#include "ip_exchange.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_partners.h"
#include "ip_refer.h"
#include "ip_referral.h"
#include "ip_repo.h"
#include "ip_schema.h"
#include "ip_sheet.h"
#include "ip_vocab.h"
#include "ip_write.h"

enum sub { SEND, UPDATE, RESPOND, RECEIVE, SHEET, PARTNERS, KEY, NSUB };
/* Packages and responses are JSON; the rest writes case data. */
#define PACKAGES (1u << IP_FORMAT_JSON | 1u << IP_FORMAT_JSONL)
static const struct ip_sub subs[NSUB] = {
	{"send", N_("Refer cases to a partner"), PACKAGES},
	{"update", N_("Change the state of a referral"), IP_FORMATS_DATA},
	{"respond", N_("Answer a referral (partner side)"), PACKAGES},
	{"receive", N_("Merge a partner's response (host side)"), IP_FORMATS_DATA},
	{"sheet", N_("A referral as a page for a partner without IntegPlan"),
	 IP_FORMATS_DOC | 1u << IP_FORMAT_PDF},
	{"partners", N_("List the partner directory"), IP_FORMATS_DATA},
	{"key", N_("The centre's public signing key, for partner directories"),
	 IP_FORMATS_DATA},
};
#undef PACKAGES
#define ONLY(s) IP_SUB(s)

struct refer {
	struct ip_cli cli;
	enum sub sub;
	const char *to, *out, *results_path, *partners_path, *referral, *status;
	const char *success, *reason, *note, *date, *identity, *list, *lang;
	bool no_encrypt, in_place, from_form;
	json_t *services;      /* --service values */
	json_t *directory, *partner;
	struct ip_repo repo;
	bool have_repo;
	char today[11];
	struct ip_exchange x;  /* send, respond, receive */
	struct ip_sign_key key;/* send, respond: the centre's signing key */
};

static int take_service(const struct ip_optarg *o)
{
	json_array_append(((struct refer *)o->state)->services, o->value);
	return 0;
}

#define FLAG(m) IP_FLAG(struct refer, m)
#define STRING(m) IP_STRING(struct refer, m)

static const struct ip_opt options[] = {
	{"to", 0, "PARTNER", N_("send, sheet: the partner (see ip-refer partners)"), 1,
	 ONLY(SEND) | ONLY(SHEET), ONLY(SEND) | ONLY(SHEET), STRING(to),
	 .complete = IP_COMPLETE_PARTNER},
	{"service", 0, "MEASURE", N_("send: a service asked for; repeatable (default: the "
	 "plan's return-side measures the partner offers)"), 1, ONLY(SEND),
	 .field = "referrals.services", .call = take_service, .flags = IP_OPT_MANY},
	{"out", 0, "DIR", N_("send, respond: one file per package in DIR instead of JSON Lines "
	 "on standard output"), 1, ONLY(SEND) | ONLY(RESPOND), STRING(out),
	 .complete = IP_COMPLETE_DIR},
	{"results", 0, "FILE", N_("send, receive: a JSON Lines result per input"), 1,
	 ONLY(SEND) | ONLY(RECEIVE), STRING(results_path), .complete = IP_COMPLETE_FILE},
	{"no-encrypt", 0, NULL, N_("send, respond: plain text, also to a recipient without an "
	 "age key (with a warning)"), 1, ONLY(SEND) | ONLY(RESPOND), FLAG(no_encrypt)},
	{"partners", 0, "FILE", N_("The partner directory (default: the repository's, else "
	 "the site's partners.yaml)"), 1, ONLY(SEND) | ONLY(RESPOND) | ONLY(RECEIVE) |
	 ONLY(SHEET) | ONLY(PARTNERS),
	 STRING(partners_path), .complete = IP_COMPLETE_FILE},
	{"referral", 0, "REF", N_("update, respond, sheet: the referral (default: the case's "
	 "only open one)"), 2, ONLY(UPDATE) | ONLY(RESPOND) | ONLY(SHEET), STRING(referral)},
	{"status", 0, "STATUS", N_("update: accepted, rejected, done or revoked"), 2,
	 ONLY(UPDATE), ONLY(UPDATE), STRING(status), .field = "referrals.status"},
	{"success", 0, "SUCCESS", N_("update: with done, successful or not-successful"), 2,
	 ONLY(UPDATE), STRING(success), .field = "referrals.success"},
	{"reason", 0, "REASON", N_("update: why (rejected, revoked, not-successful; see --list "
	 "referral-reason)"), 2, ONLY(UPDATE), STRING(reason), .field = "referrals.reason"},
	{"note", 0, "TEXT", N_("update: a note kept in the case; respond: a note for the "
	 "referring centre"), 2, ONLY(UPDATE) | ONLY(RESPOND), STRING(note),
	 .field = "referrals.note"},
	{"date", 0, "DATE", N_("update: the day of the change (default: today)"), 2,
	 ONLY(UPDATE), STRING(date), .field = "referrals.date"},
	{"identity", 0, "KEYFILE", N_("receive: the age key to decrypt with"), 3,
	 ONLY(RECEIVE), STRING(identity), .complete = IP_COMPLETE_FILE},
	{"from-form", 0, NULL, N_("receive: the files are response forms a partner without "
	 "IntegPlan filled in from a referral sheet"), 3, ONLY(RECEIVE), FLAG(from_form)},
	{"lang", 0, "LANG", N_("sheet: the page's language (fra, prs, ar, ...; default: that "
	 "of the messages)"), 3, ONLY(SHEET), STRING(lang)},
	{"in-place", 'i', NULL, N_("update: write the cases back instead of printing them"), 3,
	 ONLY(UPDATE), FLAG(in_place)},
	{"list", 0, "VOCABULARY", N_("List a vocabulary (referral-status, referral-reason, "
	 "measures, ...)"), 4, 0, STRING(list), .complete = IP_COMPLETE_VOCABULARIES,
	 .flags = IP_OPT_ALONE},
	{0}};

static const struct ip_command command = {
	"ip-refer", "SUBCOMMAND [FILE...]",
	N_("Referrals of IntegPlan cases to partner centres.\v"
	"Subcommands: send --to PARTNER CASE..., update --status STATUS CASE..., "
	"respond CASE... (partner side), receive RESPONSE... (host side), sheet --to PARTNER "
	"CASE, partners. "
	"Exit status: 0 done, 64 usage, 65 bad data (also a tampered, stale or replayed "
	"package), 66 missing input, 73 cannot create (or encrypt), 74 I/O error, 75 a "
	"case is locked, 77 no consent, or a package for another key."),
	subs, NSUB, N_("subcommand"),
	options, IP_COMPLETE_CASES, IP_FORMATS_DATA, 5, NULL,
};

static int load_directory(struct refer *r)
{
	return ip_partners_load(r->partners_path, r->have_repo ? &r->repo : NULL,
	                        &r->cli.lim, &r->directory);
}

/* What send needs before any case is touched: a partner to refer to, and
 * a key to encrypt to unless plain text is asked for. */
static int prepare_send(struct refer *r)
{
	int rc = load_directory(r);
	if (!rc)
		rc = ip_partner_to_refer(r->directory, r->to, r->services, &r->partner);
	return rc ? rc : ip_exchange_keyless(r->partner, r->no_encrypt, r->cli.quiet);
}

/* What leaves is signed with the repository's key. */
static int load_key(struct refer *r)
{
	if (!r->have_repo) {
		ip_error(NULL, "ip-refer %s uses the case repository's signing key: run it in one "
		         "(-C DIR)", subs[r->sub].name);
		return IP_EXIT_NOINPUT;
	}
	r->x.key = &r->key;
	return ip_repo_signing_key(&r->repo, &r->key);
}

/* ip-refer key: the public key a partner puts in its directory. */
static int print_key(struct refer *r)
{
	int rc = load_key(r);
	if (!rc)
		printf("%s\n", r->key.public);
	return rc;
}

static int run_send(struct refer *r, char **operands, int n)
{
	int rc = prepare_send(r);
	if (!rc)
		rc = load_key(r);
	if (rc)
		return rc;
	rc = ip_exchange_send(&r->x, r->partner, r->services, operands, n);
	if (!r->cli.quiet)
		fprintf(stderr, _("%s: %zu sent to %s%s, %zu already open, %zu failed\n"),
		        ip_progname(), r->x.sent, r->to, r->x.recipient ? _(" (encrypted)") : "",
		        r->x.open, r->x.failed);
	return rc;
}

/* ---- update ------------------------------------------------------------- */

static int apply_update(json_t *c, const char *name, const char **what, void *ctx)
{
	struct ip_update *u = ctx;
	return ip_refer_update(u, c, name, what);
}

/* ---- partners ----------------------------------------------------------- */

static int list_partners(struct refer *r)
{
	int rc = load_directory(r);
	if (!rc)
		ip_partners_print(r->directory, r->cli.format_given, r->cli.format);
	return rc;
}

/* ---- sheet --------------------------------------------------------------- */

struct sheet {
	struct refer *r;
	struct ip_docopts doc;
	struct ip_words words;
	size_t cases;
};

static int sheet_one(const char *path, void *ctx)
{
	struct sheet *s = ctx;
	struct ip_docs docs = {0};
	json_t *pkg = NULL;
	int rc = ip_case_load(path, &s->r->cli.lim, &docs);
	if (!rc && ++s->cases > 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "one sheet at a time on standard "
		         "output");
		rc = IP_EXIT_USAGE;
	}
	if (!rc)
		rc = ip_refer_sheet(docs.v[0].root, s->r->partner, s->r->referral, s->r->today, path,
		                    &pkg);
	struct ip_buf out = {0};
	if (!rc)
		rc = ip_sheet_render(&s->words, pkg, s->r->partner, &out);
	if (!rc)
		fwrite(out.s, 1, out.len, stdout);
	ip_buf_free(&out);
	json_decref(pkg);
	ip_docs_free(&docs);
	return rc;
}

/* ip-refer sheet: the referral on a page, in the partner's language. */
static int run_sheet(struct refer *r, char **operands, int n)
{
	struct sheet s = {r, {.lang = r->lang ? r->lang : ip_i18n_lang(), .today = r->today,
	                      .quiet = r->cli.quiet, .lim = r->cli.lim,
	                      .format = r->cli.format_given ? ip_format_name(r->cli.format)
	                                                    : "md"}, {0}, 0};
	int rc = ip_docopts_check(&s.doc, false);
	if (!rc)
		rc = load_directory(r);
	if (!rc)
		rc = ip_partner_to_refer(r->directory, r->to, r->services, &r->partner);
	s.doc.directory = r->directory; /* the referring centre's own contact */
	if (!rc)
		rc = ip_words_open(&s.words, &s.doc);
	if (!rc)
		rc = ip_inputs_each(&r->cli, operands, n, true, sheet_one, &s);
	ip_words_close(&s.words);
	return rc;
}

/* ---- main --------------------------------------------------------------- */

static int run_update(struct refer *r, char **operands, int n)
{
	struct ip_update u = {.referral = r->referral, .status = r->status,
	                      .success = r->success, .reason = r->reason, .note = r->note,
	                      .date = r->date ? r->date : r->today, .today = r->today,
	                      .actor = r->cli.actor};
	struct ip_edit e = {.run = ip_cli_run(&r->cli), .in_place = r->in_place,
	                    .cmd = "ip-refer update", .apply = apply_update, .ctx = &u};
	return ip_edit_run(&e, operands, n);
}

static int run_respond(struct refer *r, char **operands, int n)
{
	int rc = load_directory(r);
	if (!rc)
		rc = load_key(r);
	return rc ? rc : ip_exchange_respond(&r->x, r->directory, r->referral, r->note,
	                                     operands, n);
}

static int run_receive(struct refer *r, char **operands, int n)
{
	if (r->from_form)
		return ip_exchange_receive_forms(&r->x, &r->repo, operands, n);
	int rc = load_directory(r);
	return rc ? rc : ip_exchange_receive(&r->x, &r->repo, r->directory, r->identity,
	                                     operands, n);
}

static int run(struct refer *r, char **operands, int n)
{
	r->x.run = ip_cli_run(&r->cli);
	r->x.out = r->out;
	r->x.no_encrypt = r->no_encrypt;
	r->x.results_path = r->results_path;
	r->x.today = r->today;
	if (r->sub == PARTNERS)
		return list_partners(r);
	if (r->sub == KEY)
		return print_key(r);
	if (n == 0 && !r->cli.files_from) {
		ip_error(NULL, "no %s given (a file, or - for standard input)",
		         r->sub != RECEIVE ? _("case") : r->from_form ? _("response form")
		                                                     : _("response package"));
		return IP_EXIT_USAGE;
	}
	switch (r->sub) {
	case SEND: return run_send(r, operands, n);
	case RESPOND: return run_respond(r, operands, n);
	case RECEIVE: return run_receive(r, operands, n);
	case SHEET: return run_sheet(r, operands, n);
	default: return run_update(r, operands, n);
	}
}

/* The repository, when there is one: its partner directory and limits;
 * receive needs it. */
static int find_repo(struct refer *r)
{
	int rc = ip_repo_find(r->cli.dir, false, &r->repo);
	r->have_repo = rc == IP_EXIT_OK;
	if (rc && rc != IP_EXIT_NOINPUT) /* one there that cannot be read */
		return rc;
	if (r->have_repo)
		ip_cli_use_limits(&r->cli, &r->repo.lim);
	if (r->sub == RECEIVE && !r->have_repo)
		return ip_repo_find(r->cli.dir, true, &r->repo);
	return IP_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct refer r = {0};
	struct ip_args args;
	ip_diag_init(argv);
	ip_cli_init(&r.cli);
	r.services = json_array();
	ip_exchange_init(&r.x);
	ip_date_str(ip_now(), r.today);
	int rc = ip_command_parse(&command, &r, &r.cli, argc, argv, &args);
	r.sub = (enum sub)args.sub;
	if (!rc && !r.cli.format_given && (r.sub == SEND || r.sub == RESPOND))
		r.cli.format = IP_FORMAT_JSONL;
	if (!rc && !r.list)
		rc = find_repo(&r);
	if (!rc)
		rc = r.list ? ip_vocab_print(r.list) : run(&r, argv + args.first, args.n);
	r.x.results_path = r.results_path;
	rc = ip_exit_merge(rc, ip_exchange_finish(&r.x));
	json_decref(r.services);
	json_decref(r.directory);
	if (r.have_repo)
		ip_repo_free(&r.repo);
	ip_sign_key_forget(&r.key);
	return ip_finish(rc);
}
