/* ip-refer — referrals to partner centres in the country of return: send
 * (with consent, only the fields the partner receives, encrypted to its
 * key), update along the state machine, respond on the partner's side and
 * receive the response on the host side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ip_age.h"
#include "ip_case.h"
#include "ip_cli.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_edit.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_partners.h"
#include "ip_plan.h"
#include "ip_referral.h"
#include "ip_repo.h"
#include "ip_schema.h"
#include "ip_vocab.h"
#include "ip_write.h"

enum sub { SEND, UPDATE, RESPOND, RECEIVE, PARTNERS, NSUB };
static const char *const sub_names[NSUB] = {"send", "update", "respond", "receive",
	"partners"};
#define ONLY(s) (1u << (s))

enum {
	OPT_TO = 0x200, OPT_SERVICE, OPT_OUT, OPT_RESULTS, OPT_NO_ENCRYPT, OPT_PARTNERS,
	OPT_REFERRAL, OPT_STATUS, OPT_SUCCESS, OPT_REASON, OPT_NOTE, OPT_DATE,
	OPT_IDENTITY, OPT_LIST, OPT_IN_PLACE = 'i',
};

/* Which subcommands take each option: a mistaken option is an error. */
static const struct { int key; unsigned subs; } option_subs[] = {
	{OPT_TO, ONLY(SEND)}, {OPT_SERVICE, ONLY(SEND)},
	{OPT_OUT, ONLY(SEND) | ONLY(RESPOND)},
	{OPT_RESULTS, ONLY(SEND) | ONLY(RECEIVE)},
	{OPT_NO_ENCRYPT, ONLY(SEND) | ONLY(RESPOND)},
	{OPT_PARTNERS, ONLY(SEND) | ONLY(RESPOND) | ONLY(PARTNERS)},
	{OPT_REFERRAL, ONLY(UPDATE) | ONLY(RESPOND)},
	{OPT_STATUS, ONLY(UPDATE)}, {OPT_SUCCESS, ONLY(UPDATE)}, {OPT_REASON, ONLY(UPDATE)},
	{OPT_NOTE, ONLY(UPDATE) | ONLY(RESPOND)}, {OPT_DATE, ONLY(UPDATE)},
	{OPT_IDENTITY, ONLY(RECEIVE)}, {OPT_IN_PLACE, ONLY(UPDATE)},
};

struct refer {
	struct ip_cli cli;
	enum sub sub;
	unsigned given;        /* options given, by option_bit */
	int bad_options;
	const char *to, *out, *results_path, *partners_path, *referral, *status;
	const char *success, *reason, *note, *date, *identity, *list;
	bool no_encrypt, in_place;
	json_t *services;      /* --service values */
	json_t *directory, *partner;
	const char *recipient; /* age key the output is encrypted to, or NULL */
	struct ip_repo repo;
	bool have_repo;
	char today[11];
	json_t *pending;       /* per case path: what this run did with it */
	struct ip_buf stream;  /* packages or responses for standard output */
	struct ip_buf results; /* JSON Lines for --results */
	size_t sent, open, failed, received;
	json_t *referrals;      /* receive: where the repository's referral ids are */
	const json_t *response; /* receive: the response being merged */
	const char *package;    /* receive: its file */
};

static const struct argp_option options[] = {
	{"to", OPT_TO, "PARTNER", 0, N_("send: the partner (see ip-refer partners)"), 1},
	{"service", OPT_SERVICE, "MEASURE", 0, N_("send: a service asked for; repeatable "
	 "(default: the plan's return-side measures the partner offers)"), 1},
	{"out", OPT_OUT, "DIR", 0, N_("send, respond: one file per package in DIR instead of "
	 "JSON Lines on standard output"), 1},
	{"results", OPT_RESULTS, "FILE", 0, N_("send, receive: a JSON Lines result per input"), 1},
	{"no-encrypt", OPT_NO_ENCRYPT, NULL, 0, N_("send, respond: plain text even to a "
	 "partner that has an age key"), 1},
	{"partners", OPT_PARTNERS, "FILE", 0, N_("The partner directory (default: the "
	 "repository's, else the site's partners.yaml)"), 1},
	{"referral", OPT_REFERRAL, "REF", 0, N_("update, respond: the referral (default: the "
	 "case's only open one)"), 2},
	{"status", OPT_STATUS, "STATUS", 0, N_("update: accepted, rejected, done or revoked"), 2},
	{"success", OPT_SUCCESS, "SUCCESS", 0, N_("update: with done, successful or "
	 "not-successful"), 2},
	{"reason", OPT_REASON, "REASON", 0, N_("update: why (rejected, revoked, "
	 "not-successful; see --list referral-reason)"), 2},
	{"note", OPT_NOTE, "TEXT", 0, N_("update: a note kept in the case; respond: a note "
	 "for the referring centre"), 2},
	{"date", OPT_DATE, "DATE", 0, N_("update: the day of the change (default: today)"), 2},
	{"identity", OPT_IDENTITY, "KEYFILE", 0, N_("receive: the age key to decrypt with"), 3},
	{"in-place", 'i', NULL, 0, N_("update: write the cases back instead of printing them"), 3},
	{"list", OPT_LIST, "VOCABULARY", 0, N_("List a vocabulary (referral-status, "
	 "referral-reason, measures, ...)"), 4},
	{0}};

/* ---- options ------------------------------------------------------------ */

static int option_bit(int key)
{
	return key == OPT_IN_PLACE ? OPT_LIST - OPT_TO : key - OPT_TO;
}

static const char *option_name(int key)
{
	for (const struct argp_option *o = options; o->name; o++)
		if (o->key == key)
			return o->name;
	return "?";
}

/* An option's value checked against the case schema at path. */
static void check_value(struct refer *r, const char *path, const char *arg, int key)
{
	char *label = ip_xasprintf("--%s", option_name(key));
	json_t *v = json_string(arg);
	r->bad_options += ip_field_validate(path, &v, &(struct ip_where){NULL, 0, 0, label});
	json_decref(v);
	free(label);
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct refer *r = state->input;
	if ((key >= OPT_TO && key < OPT_LIST) || key == OPT_IN_PLACE)
		r->given |= 1u << option_bit(key);
	switch (key) {
	case ARGP_KEY_INIT: state->child_inputs[0] = &r->cli; break;
	case OPT_TO: r->to = arg; break;
	case OPT_SERVICE:
		check_value(r, "referrals.services", arg, key);
		json_array_append_new(r->services, json_string(arg));
		break;
	case OPT_OUT: r->out = arg; break;
	case OPT_RESULTS: r->results_path = arg; break;
	case OPT_NO_ENCRYPT: r->no_encrypt = true; break;
	case OPT_PARTNERS: r->partners_path = arg; break;
	case OPT_REFERRAL: r->referral = arg; break;
	case OPT_STATUS: r->status = arg; check_value(r, "referrals.status", arg, key); break;
	case OPT_SUCCESS: r->success = arg; check_value(r, "referrals.success", arg, key); break;
	case OPT_REASON: r->reason = arg; check_value(r, "referrals.reason", arg, key); break;
	case OPT_NOTE: r->note = arg; check_value(r, "referrals.note", arg, key); break;
	case OPT_DATE: r->date = arg; check_value(r, "referrals.date", arg, key); break;
	case OPT_IDENTITY: r->identity = arg; break;
	case OPT_LIST: r->list = arg; break;
	case OPT_IN_PLACE: r->in_place = true; break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The subcommand, and no option it does not take. */
static int check_usage(struct refer *r, int argc, char **argv, int *first)
{
	if (r->list)
		return 0;
	if (*first >= argc) {
		ip_error(NULL, "no subcommand (send, update, respond, receive or partners)");
		return IP_EXIT_USAGE;
	}
	const char *name = argv[(*first)++];
	r->sub = ip_subcommand(N_("subcommand"), name, sub_names, NSUB);
	if (r->sub == NSUB)
		return IP_EXIT_USAGE;
	int rc = r->bad_options ? IP_EXIT_USAGE : 0;
	for (size_t i = 0; i < sizeof option_subs / sizeof *option_subs; i++) {
		int key = option_subs[i].key;
		if ((r->given >> option_bit(key) & 1) && !(option_subs[i].subs & ONLY(r->sub))) {
			ip_error(NULL, "--%s is not an option of ip-refer %s", option_name(key), name);
			rc = IP_EXIT_USAGE;
		}
	}
	if (r->sub == SEND && !r->to) {
		ip_error(NULL, "ip-refer send needs --to PARTNER (see ip-refer partners)");
		rc = IP_EXIT_USAGE;
	}
	if (r->sub == UPDATE && !r->status) {
		ip_error(NULL, "ip-refer update needs --status (accepted, rejected, done or "
		         "revoked)");
		rc = IP_EXIT_USAGE;
	}
	bool packages = r->sub == SEND || r->sub == RESPOND;
	if (r->cli.format_given && packages && r->cli.format != IP_FORMAT_JSON &&
	    r->cli.format != IP_FORMAT_JSONL) {
		ip_error(NULL, "-f: packages are JSON (json or jsonl)");
		rc = IP_EXIT_USAGE;
	}
	return rc;
}

static const char *str_at(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* ---- results ------------------------------------------------------------ */

/* One line of --results: {input, referral, status, [exit, error]}. */
static void result(struct refer *r, const char *input, const char *ref, const char *status,
                   int rc, const char *error)
{
	if (!r->results_path)
		return;
	json_t *line = json_pack("{s:s, s:s}", "input", input, "status", status);
	if (ref)
		json_object_set_new(line, "referral", json_string(ref));
	if (rc) {
		json_object_set_new(line, "exit", json_integer(rc));
		json_object_set_new(line, "error", json_string(error));
	}
	ip_emit(&r->results, line, IP_FORMAT_JSONL);
	json_decref(line);
}

static int write_results(struct refer *r)
{
	if (!r->results_path)
		return IP_EXIT_OK;
	return ip_write_file(r->results_path, r->results.s ? r->results.s : "",
	                     r->results.len, false);
}

/* ---- output: packages and responses ------------------------------------- */

/* Encrypted when there is a key; the text itself otherwise. */
static int seal_text(const struct refer *r, const char *text, size_t len, struct ip_buf *out)
{
	if (r->recipient)
		return ip_age_encrypt(r->recipient, text, len, out);
	ip_buf_add(out, text, len);
	return IP_EXIT_OK;
}

/* Standard output gets every package of the run at once: one encryption
 * (one age process) for the whole batch. */
static int flush_stream(struct refer *r)
{
	if (!r->stream.len)
		return IP_EXIT_OK;
	struct ip_buf out = {0};
	int rc = seal_text(r, r->stream.s, r->stream.len, &out);
	if (!rc)
		fwrite(out.s, 1, out.len, stdout);
	ip_buf_free(&out);
	return rc;
}

static char *json_text(const json_t *v, enum ip_format f)
{
	struct ip_buf b = {0};
	ip_emit(&b, v, f);
	return b.s;
}

/* The age key for a centre or partner of the directory, unless refused. */
static const char *key_for(const struct refer *r, const json_t *partner)
{
	return r->no_encrypt ? NULL : str_at(partner, "age");
}

/* ---- send --------------------------------------------------------------- */

/* The services to refer for: the options', else the plan's return-side
 * measures the partner offers. */
static json_t *services_for(const struct refer *r, const json_t *c)
{
	if (json_array_size(r->services))
		return json_incref(r->services);
	json_t *offered = json_object_get(r->partner, "services"), *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "measures"), i, m) {
		const char *cat = str_at(m, "category");
		const char *status = str_at(m, "status");
		if (!strcmp(str_at(m, "side"), "return") && ip_ids_have(offered, cat) &&
		    !ip_ids_have(out, cat) && !(status && !strcmp(status, "cancelled")))
			json_array_append_new(out, json_string(cat));
	}
	return out;
}

static int apply_send(json_t *c, const char *name, const char **what, void *ctx)
{
	static char summary[300];
	struct refer *r = ctx;
	const char *to = str_at(r->partner, "id");
	char why[300];
	if (!ip_referral_consent(c, r->partner, r->today, why, sizeof why)) {
		ip_error(&(struct ip_where){name, 0, 0, "consent"}, "%s; nothing sent", why);
		return IP_EXIT_NOPERM;
	}
	json_t *services = services_for(r, c);
	if (!json_array_size(services)) {
		ip_error(&(struct ip_where){name, 0, 0, "plan.measures"}, "nothing to refer "
		         "for: the plan has no return-side measure %s offers; give --service", to);
		json_decref(services);
		return IP_EXIT_DATAERR;
	}
	json_t *open = ip_referral_open(c, to, services);
	if (open) {
		if (!r->cli.quiet)
			ip_warn(&(struct ip_where){name, 0, 0, NULL}, "referral %s to %s is still "
			        "%s; no second one sent", str_at(open, "id"), to, str_at(open, "status"));
		json_object_set_new(r->pending, name, json_pack("{s:O}", "open",
		                                               json_object_get(open, "id")));
		json_decref(services);
		return IP_EXIT_OK;
	}
	char *id = ip_referral_id_new(str_at(json_object_get(c, "centre"), "id"));
	while (ip_referral_find(c, id)) {
		free(id);
		id = ip_referral_id_new(str_at(json_object_get(c, "centre"), "id"));
	}
	json_t *ref = json_pack("{s:s, s:s, s:o, s:s, s:s}", "id", id, "to", to,
	                        "services", services, "date", r->today, "status", "pending");
	json_t *pkg = ip_referral_package(c, r->partner, ref,
	                                  str_at(json_object_get(c, "centre"), "id"));
	json_t *list = json_object_get(c, "referrals");
	if (!list)
		json_object_set_new(c, "referrals", list = json_array());
	json_array_append(list, ref);
	ip_case_advance(c, "referred");
	char *text = json_text(pkg, r->out ? IP_FORMAT_JSON : IP_FORMAT_JSONL);
	json_object_set_new(r->pending, name, json_pack("{s:s, s:s}", "sent", id, "text", text));
	snprintf(summary, sizeof summary, "referral %s sent to %s (%zu fields)", id, to,
	         json_array_size(json_object_get(ref, "fields")));
	*what = summary;
	free(text);
	free(id);
	json_decref(ref);
	json_decref(pkg);
	return IP_EXIT_OK;
}

/* The package lands in --out with the case that records it. */
static int send_also_write(const char *path, struct ip_batch *batch, void *ctx)
{
	struct refer *r = ctx;
	const json_t *p = json_object_get(r->pending, path);
	const char *text = str_at(p, "text");
	if (!text)
		return IP_EXIT_OK;
	struct ip_buf out = {0};
	int rc = seal_text(r, text, strlen(text), &out);
	if (!rc) {
		char *file = ip_xasprintf("%s/%s.json%s", r->out, str_at(p, "sent"),
		                          r->recipient ? ".age" : "");
		rc = ip_batch_add(batch, file, out.s, out.len, IP_WRITE_CREATE);
		free(file);
	}
	ip_buf_free(&out);
	return rc;
}

static void send_outcome(const char *path, int status, const char *error, void *ctx)
{
	struct refer *r = ctx;
	const json_t *p = json_object_get(r->pending, path);
	const char *sent = str_at(p, "sent"), *open = str_at(p, "open");
	if (status) {
		r->failed++;
		result(r, path, NULL, "failed", status, error);
	} else if (sent) {
		r->sent++;
		if (!r->out)
			ip_buf_puts(&r->stream, str_at(p, "text"));
		result(r, path, sent, "sent", 0, NULL);
	} else if (open) {
		r->open++;
		result(r, path, open, "open", 0, NULL);
	}
	json_object_del(r->pending, path);
}

static int load_directory(struct refer *r)
{
	return ip_partners_load(r->partners_path, r->have_repo ? &r->repo : NULL,
	                        &r->cli.lim, &r->directory);
}

/* What send needs before any case is touched. */
static int prepare_send(struct refer *r)
{
	int rc = load_directory(r);
	if (rc)
		return rc;
	r->partner = ip_partner(r->directory, r->to);
	if (!r->partner)
		return ip_partner_unknown(r->directory, r->to);
	if (!json_object_get(r->partner, "profile")) {
		ip_error(NULL, "%s takes no referrals: its directory entry has no profile "
		         "(the fields it receives)", r->to);
		return IP_EXIT_USAGE;
	}
	json_t *offered = json_object_get(r->partner, "services");
	size_t i;
	json_t *s;
	json_array_foreach(r->services, i, s) {
		if (ip_ids_have(offered, json_string_value(s)))
			continue;
		ip_error(&(struct ip_where){NULL, 0, 0, "--service"}, "%s does not offer '%s'",
		         r->to, json_string_value(s));
		rc = IP_EXIT_USAGE;
	}
	r->recipient = key_for(r, r->partner);
	if (!rc && r->out)
		rc = ip_mkdir_private(r->out);
	return rc;
}

static int run_send(struct refer *r, char **operands, int n)
{
	int rc = prepare_send(r);
	if (rc)
		return rc;
	/* The case records the referral, always; the output is the packages. */
	struct ip_edit e = {.cli = &r->cli, .in_place = true, .cmd = "ip-refer send",
	                    .apply = apply_send, .ctx = r, .outcome = send_outcome,
	                    .also_write = r->out ? send_also_write : NULL, .no_paths = true};
	rc = ip_edit_run(&e, operands, n);
	rc = ip_exit_merge(rc, flush_stream(r));
	if (!r->cli.quiet)
		fprintf(stderr, _("%s: %zu sent to %s%s, %zu already open, %zu failed\n"),
		        ip_progname(), r->sent, r->to, r->recipient ? _(" (encrypted)") : "",
		        r->open, r->failed);
	return rc;
}

/* ---- update ------------------------------------------------------------- */

/* The referral an update or response is about: the one named, else the
 * case's only open one (update) or only received one (respond). */
static json_t *pick_referral(const struct refer *r, const json_t *c, const char *name)
{
	struct ip_where w = {name, 0, 0, "referrals"};
	if (r->referral) {
		json_t *ref = ip_referral_find(c, r->referral);
		if (!ref)
			ip_error(&w, "no referral '%s' in this case", r->referral);
		return ref;
	}
	json_t *only = NULL;
	size_t i, open = 0;
	json_t *ref;
	const char *kind = r->sub == RESPOND ? _("received referral") : _("open referral");
	json_array_foreach(json_object_get(c, "referrals"), i, ref) {
		const char *s = str_at(ref, "status");
		if (r->sub == RESPOND ? str_at(ref, "from") != NULL
		                      : !strcmp(s, "pending") || !strcmp(s, "accepted"))
			only = ref, open++;
	}
	if (open > 1)
		ip_error(&w, "the case has more than one %s; name one with --referral REF", kind);
	else if (!open)
		ip_error(&w, "the case has no %s", kind);
	return open == 1 ? only : NULL;
}

static bool same_text(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* An update to the status the referral has: nothing to do, or only its
 * note; a different success or reason would rewrite a step: refused. */
static int same_status(const struct refer *r, json_t *ref, const char *name,
                       const char **what)
{
	static char summary[160];
	const char *id = str_at(ref, "id");
	if ((r->success && !same_text(r->success, str_at(ref, "success"))) ||
	    (r->reason && !same_text(r->reason, str_at(ref, "reason")))) {
		ip_error(&(struct ip_where){name, 0, 0, "referrals"}, "referral %s is %s "
		         "already (%s); a recorded step is not changed", id, str_at(ref, "status"),
		         str_at(ref, "success") ? str_at(ref, "success")
		         : str_at(ref, "reason") ? str_at(ref, "reason") : _("no success or reason"));
		return IP_EXIT_DATAERR;
	}
	if (!r->note || same_text(r->note, str_at(ref, "note")))
		return IP_EXIT_OK;
	json_object_set_new(ref, "note", json_string(r->note));
	snprintf(summary, sizeof summary, "referral %s: note", id);
	*what = summary;
	return IP_EXIT_OK;
}

static int apply_update(json_t *c, const char *name, const char **what, void *ctx)
{
	static char summary[200];
	struct refer *r = ctx;
	json_t *ref = pick_referral(r, c, name);
	if (!ref)
		return IP_EXIT_DATAERR;
	const char *from = str_at(ref, "status");
	if (!strcmp(from, r->status))
		return same_status(r, ref, name, what);
	char *old = ip_xstrdup(from);
	json_t *step = json_pack("{s:s, s:s, s:s}", "status", r->status, "date",
	                         r->date ? r->date : r->today, "by", ip_actor(r->cli.actor));
	if (r->success)
		json_object_set_new(step, "success", json_string(r->success));
	if (r->reason)
		json_object_set_new(step, "reason", json_string(r->reason));
	int rc = ip_referral_step(ref, step, &(struct ip_where){name, 0, 0, "referrals"});
	if (!rc && r->note)
		json_object_set_new(ref, "note", json_string(r->note));
	snprintf(summary, sizeof summary, "referral %s: %s -> %s", str_at(ref, "id"), old,
	         r->status);
	*what = summary;
	json_decref(step);
	free(old);
	return rc;
}

/* ---- respond (the partner's side) --------------------------------------- */

static int respond_one(const char *path, void *ctx)
{
	struct refer *r = ctx;
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, &r->cli.lim, &docs);
	if (!rc && (docs.n != 1 || ip_case_validate(&docs.v[0]))) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "not one valid case; nothing sent");
		rc = IP_EXIT_DATAERR;
	}
	const json_t *c = rc ? NULL : docs.v[0].root;
	json_t *ref = c ? pick_referral(r, c, docs.v[0].file) : NULL;
	if (c && !ref)
		rc = IP_EXIT_DATAERR;
	if (ref && !str_at(ref, "from")) {
		ip_error(&(struct ip_where){docs.v[0].file, 0, 0, "referrals"}, "referral %s was "
		         "made here, not received: the partner responds to it", str_at(ref, "id"));
		rc = IP_EXIT_DATAERR;
	}
	if (!rc) {
		json_t *resp = ip_referral_response(c, ref, r->today, r->note);
		const json_t *centre = ip_partner(r->directory, str_at(ref, "from"));
		r->recipient = key_for(r, centre);
		if (!centre && !r->cli.quiet)
			ip_warn(&(struct ip_where){docs.v[0].file, 0, 0, NULL}, "%s is not in the "
			        "partner directory: the response is not encrypted", str_at(ref, "from"));
		char *text = json_text(resp, r->out ? IP_FORMAT_JSON : IP_FORMAT_JSONL);
		if (r->out) {
			struct ip_buf out = {0};
			rc = seal_text(r, text, strlen(text), &out);
			char *file = ip_xasprintf("%s/%s.response-%zu.json%s", r->out,
			                          str_at(ref, "id"), json_array_size(json_object_get(
			                          ref, "steps")), r->recipient ? ".age" : "");
			if (!rc)
				rc = ip_write_file(file, out.s, out.len, false);
			if (!rc)
				ip_print_path(&r->cli, file);
			free(file);
			ip_buf_free(&out);
		} else {
			/* Several responses may go to several centres: one at a time. */
			struct ip_buf one = {0};
			rc = seal_text(r, text, strlen(text), &one);
			if (!rc)
				fwrite(one.s, 1, one.len, stdout);
			ip_buf_free(&one);
		}
		free(text);
		json_decref(resp);
	}
	ip_docs_free(&docs);
	return rc;
}

static int run_respond(struct refer *r, char **operands, int n)
{
	int rc = load_directory(r);
	if (!rc && r->out)
		rc = ip_mkdir_private(r->out);
	return rc ? rc : ip_inputs_each(&r->cli, operands, n, true, respond_one, r);
}

/* ---- receive (the host side) -------------------------------------------- */

/* The response's steps must continue the referral's own: the same steps
 * first, then at least one new one. */
static int check_continues(const json_t *ref, const json_t *steps, const char *pkg)
{
	const json_t *have = json_object_get(ref, "steps");
	const char *id = str_at(ref, "id");
	struct ip_where w = {pkg, 0, 0, "response.steps"};
	for (size_t i = 0; i < json_array_size(have); i++) {
		const char *here = str_at(json_array_get(have, i), "status");
		const char *there = str_at(json_array_get(steps, i), "status");
		if (!there || strcmp(here, there)) {
			ip_error(&w, "stale response: it does not continue referral %s (step %zu is "
			         "%s here, %s in the response); nothing changed", id, i + 1, here,
			         there ? there : "missing");
			return IP_EXIT_DATAERR;
		}
	}
	if (json_array_size(steps) <= json_array_size(have)) {
		ip_error(&w, "replayed or stale response: referral %s has all %zu of its steps "
		         "already; nothing changed", id, json_array_size(steps));
		return IP_EXIT_DATAERR;
	}
	return IP_EXIT_OK;
}

/* Measures the partner carries out: their status comes back by id. */
static void merge_measures(json_t *c, const json_t *body)
{
	json_t *plan = json_object_get(c, "plan");
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(body, "measures"), i, m) {
		json_t *mine = ip_plan_measure(plan, str_at(m, "id"));
		if (mine && !strcmp(str_at(mine, "side"), "return"))
			json_object_set(mine, "status", json_object_get(m, "status"));
	}
}

/* The partner's note for the centre becomes a note of the case, by it. */
static void add_note(json_t *c, const char *partner, const char *text)
{
	char now[21];
	ip_datetime_str(ip_now(), now);
	json_t *notes = json_object_get(c, "notes");
	if (!notes)
		json_object_set_new(c, "notes", notes = json_array());
	json_array_append_new(notes, json_pack("{s:s, s:s, s:s}", "at", now, "by", partner,
	                                       "text", text));
}

static int apply_receive(json_t *c, const char *name, const char **what, void *ctx)
{
	static char summary[200];
	struct refer *r = ctx;
	const json_t *body = json_object_get(r->response, "response");
	const char *id = str_at(body, "referral"), *from = str_at(body, "from");
	json_t *ref = ip_referral_find(c, id);
	struct ip_where w = {r->package, 0, 0, "response.from"};
	if (!ref) { /* changed since the repository was indexed */
		ip_error(&w, "referral %s is no longer in %s; nothing changed", id, name);
		return IP_EXIT_DATAERR;
	}
	if (strcmp(str_at(ref, "to"), from)) {
		ip_error(&w, "the response comes from %s, but referral %s went to %s (in %s)",
		         from, id, str_at(ref, "to"), name);
		return IP_EXIT_DATAERR;
	}
	const json_t *steps = json_object_get(body, "steps");
	size_t had = json_array_size(json_object_get(ref, "steps"));
	int rc = check_continues(ref, steps, r->package);
	for (size_t i = had; !rc && i < json_array_size(steps); i++) {
		char *path = ip_xasprintf("response.steps[%zu]", i);
		rc = ip_referral_step(ref, json_array_get(steps, i),
		                      &(struct ip_where){r->package, 0, 0, path});
		free(path);
	}
	if (rc)
		return rc;
	const char *arrived = str_at(body, "arrived");
	json_t *ret = json_object_get(c, "return");
	if (arrived && !str_at(ret, "arrived")) {
		json_object_set_new(ret, "arrived", json_string(arrived));
		ip_case_advance(c, "arrived");
	}
	merge_measures(c, body);
	if (str_at(body, "note"))
		add_note(c, from, str_at(body, "note"));
	snprintf(summary, sizeof summary, "response of %s to referral %s received: %s", from,
	         id, str_at(ref, "status"));
	*what = summary;
	return IP_EXIT_OK;
}

/* One response: find its case, merge it in place. */
static int receive_response(struct refer *r, const struct ip_doc *doc)
{
	const json_t *body = json_object_get(doc->root, "response");
	const char *id = str_at(body, "referral"), *to = str_at(body, "to");
	if (strcmp(to, r->repo.centre)) {
		struct ip_where w = ip_doc_where(doc, "response.to");
		w.path = "response.to";
		ip_error(&w, "the response is for centre %s; this repository is %s", to,
		         r->repo.centre);
		return IP_EXIT_DATAERR;
	}
	char *path = NULL;
	int rc = r->referrals ? IP_EXIT_OK
	                      : ip_referral_index(&r->repo, &r->cli.lim, &r->referrals);
	if (!rc)
		rc = ip_referral_case(r->referrals, &r->cli.lim, id, &path);
	if (rc == IP_EXIT_NOINPUT) {
		ip_error(&(struct ip_where){doc->file, 0, 0, "response.referral"}, "unknown "
		         "referral %s: no case in %s has it", id, r->repo.cases);
		return IP_EXIT_DATAERR;
	}
	if (rc)
		return rc;
	r->response = doc->root;
	r->package = doc->file;
	struct ip_edit e = {.cli = &r->cli, .in_place = true, .cmd = "ip-refer receive",
	                    .apply = apply_receive, .ctx = r};
	rc = ip_edit_run(&e, &path, 1);
	free(path);
	return rc;
}

static int receive_one(const char *path, void *ctx)
{
	struct refer *r = ctx;
	struct ip_docs docs = {0};
	ip_diag_clear();
	int rc = ip_package_load(path, r->identity, &ip_response_schema, N_("a referral response"),
	                         &r->cli.lim, &docs);
	if (rc)
		result(r, path, NULL, "failed", rc, ip_diag_first());
	for (size_t i = 0; !rc && i < docs.n; i++) {
		ip_diag_clear();
		int one = receive_response(r, &docs.v[i]);
		const char *id = str_at(json_object_get(docs.v[i].root, "response"), "referral");
		result(r, path, id, one ? "failed" : "received", one, ip_diag_first());
		r->received += !one;
		rc = ip_exit_merge(rc, one);
	}
	ip_docs_free(&docs);
	return rc;
}

static int run_receive(struct refer *r, char **operands, int n)
{
	/* Case paths go to stdout as the cases change; the inputs are packages. */
	return ip_inputs_each(&r->cli, operands, n, false, receive_one, r);
}

/* ---- partners ----------------------------------------------------------- */

static int list_partners(struct refer *r)
{
	int rc = load_directory(r);
	if (rc)
		return rc;
	if (r->cli.format_given) {
		struct ip_buf b = {0};
		ip_emit(&b, r->directory, r->cli.format);
		fwrite(b.s, 1, b.len, stdout);
		ip_buf_free(&b);
		return IP_EXIT_OK;
	}
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(r->directory, "partners"), i, p)
		printf("%-12s %-2s %-18s %-4s %s\n", str_at(p, "id"), str_at(p, "country"),
		       str_at(p, "kind"), str_at(p, "age") ? "age" : "-", str_at(p, "organisation"));
	return IP_EXIT_OK;
}

/* ---- main --------------------------------------------------------------- */

static int run(struct refer *r, char **operands, int n)
{
	if (r->sub == PARTNERS)
		return list_partners(r);
	if (n == 0 && !r->cli.files_from) {
		ip_error(NULL, "no %s given (a file, or - for standard input)",
		         r->sub == RECEIVE ? _("response package") : _("case"));
		return IP_EXIT_USAGE;
	}
	switch (r->sub) {
	case SEND: return run_send(r, operands, n);
	case RESPOND: return run_respond(r, operands, n);
	case RECEIVE: return run_receive(r, operands, n);
	default: break;
	}
	struct ip_edit e = {.cli = &r->cli, .in_place = r->in_place, .cmd = "ip-refer update",
	                    .apply = apply_update, .ctx = r};
	return ip_edit_run(&e, operands, n);
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {{&ip_cli_argp, 0, N_("Common options:"), 5}, {0}};
	static const struct argp argp = {options, parse_opt, "SUBCOMMAND [FILE...]",
		N_("Referrals of IntegPlan cases to partner centres.\v"
		"Subcommands: send --to PARTNER CASE..., update --status STATUS CASE..., "
		"respond CASE... (partner side), receive RESPONSE... (host side), partners. "
		"Exit status: 0 done, 64 usage, 65 bad data (also a tampered, stale or replayed "
		"package), 66 missing input, 73 cannot create (or encrypt), 74 I/O error, 75 a "
		"case is locked, 77 no consent, or a package for another key."),
		children, NULL, NULL};
	struct refer r = {0};
	int first;
	ip_diag_init(argv);
	ip_cli_init(&r.cli);
	r.services = json_array();
	r.pending = json_object();
	ip_date_str(ip_now(), r.today);
	int rc = ip_argp_status(argp_parse(&argp, argc, argv, 0, &first, &r));
	if (!rc)
		rc = check_usage(&r, argc, argv, &first);
	if (!rc && !r.cli.format_given && (r.sub == SEND || r.sub == RESPOND))
		r.cli.format = IP_FORMAT_JSONL;
	if (!rc && !r.list) {
		r.have_repo = ip_repo_find(r.cli.dir, false, &r.repo) == IP_EXIT_OK;
		if (r.have_repo)
			ip_cli_use_limits(&r.cli, &r.repo.lim);
		if (r.sub == RECEIVE && !r.have_repo)
			rc = ip_repo_find(r.cli.dir, true, &r.repo);
	}
	if (!rc)
		rc = r.list ? ip_vocab_print(r.list) : run(&r, argv + first, argc - first);
	rc = ip_exit_merge(rc, write_results(&r));
	json_decref(r.services);
	json_decref(r.pending);
	json_decref(r.directory);
	json_decref(r.referrals);
	ip_buf_free(&r.stream);
	ip_buf_free(&r.results);
	if (r.have_repo)
		ip_repo_free(&r.repo);
	return ip_finish(rc);
}
