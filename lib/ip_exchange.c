#include "ip_exchange.h"
#include "ip_age.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_edit.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_partners.h"
#include "ip_referral.h"
#include "ip_schema.h"
#include "ip_vocab.h"
#include "ip_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ip_exchange_init(struct ip_exchange *x)
{
	x->pending = json_object();
}

/* One line of --results: {input, referral, status, [exit, error]}. */
static void result(struct ip_exchange *r, const char *input, const char *ref,
                   const char *status, int rc, const char *error)
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

/* Encrypted when there is a key; the text itself otherwise. */
static int seal_text(const struct ip_exchange *r, const char *text, size_t len,
                     struct ip_buf *out)
{
	if (r->recipient)
		return ip_age_encrypt(r->recipient, text, len, out);
	ip_buf_add(out, text, len);
	return IP_EXIT_OK;
}

/* Put out what must have left before the cases that record it are
 * written: all of it, flushed, or the chunk is not written. */
static int put_out(const struct ip_buf *b)
{
	if (b->len && (fwrite(b->s, 1, b->len, stdout) != b->len || fflush(stdout) != 0)) {
		ip_error(NULL, "cannot write to standard output: %s; nothing recorded",
		         strerror(errno));
		return IP_EXIT_IOERR;
	}
	return IP_EXIT_OK;
}

static char *json_text(const json_t *v, enum ip_format f)
{
	struct ip_buf b = {0};
	ip_emit(&b, v, f);
	return b.s;
}

/* The age key for a centre or partner of the directory, unless refused. */
static const char *key_for(const struct ip_exchange *r, const json_t *partner)
{
	return r->no_encrypt ? NULL : ip_str(partner, "age");
}

/* The case records the referral; its package waits in r->pending until
 * the case is written. */
static int apply_send(json_t *c, const char *name, const char **what, void *ctx)
{
	struct ip_exchange *r = ctx;
	struct ip_send *s = &r->send;
	ip_send_clear(s);
	int rc = ip_refer_send(s, c, name, what);
	if (s->open)
		json_object_set_new(r->pending, name, json_pack("{s:s}", "open", s->open));
	if (s->package) {
		ip_sign_doc(s->package, r->key,
		            ip_str(json_object_get(s->package, "referral"), "from"));
		char *text = json_text(s->package, r->out ? IP_FORMAT_JSON : IP_FORMAT_JSONL);
		json_object_set_new(r->pending, name, json_pack("{s:s, s:s}", "sent", s->sent,
		                                               "text", text));
		free(text);
	}
	return rc;
}

/* The package lands in --out with the case that records it. */
static int send_also_write(const char *path, struct ip_batch *batch, void *ctx)
{
	struct ip_exchange *r = ctx;
	const json_t *p = json_object_get(r->pending, path);
	const char *text = ip_str(p, "text");
	if (!text)
		return IP_EXIT_OK;
	struct ip_buf out = {0};
	int rc = seal_text(r, text, strlen(text), &out);
	if (!rc) {
		char *file = ip_xasprintf("%s/%s.json%s", r->out, ip_str(p, "sent"),
		                          r->recipient ? ".age" : "");
		rc = ip_batch_add(batch, file, out.s, out.len, IP_WRITE_CREATE);
		free(file);
	}
	ip_buf_free(&out);
	return rc;
}

/* Standard output gets the chunk's packages before their cases record
 * them: one encryption (one age process) for all of them. */
static int send_before_commit(char *const *paths, const int *status, size_t n, void *ctx)
{
	struct ip_exchange *r = ctx;
	struct ip_buf plain = {0}, out = {0};
	for (size_t i = 0; i < n; i++)
		if (!status[i])
			ip_buf_puts(&plain, ip_str(json_object_get(r->pending, paths[i]), "text") ?
			            ip_str(json_object_get(r->pending, paths[i]), "text") : "");
	int rc = plain.len ? seal_text(r, plain.s, plain.len, &out) : IP_EXIT_OK;
	if (!rc)
		rc = put_out(&out);
	ip_buf_free(&plain);
	ip_buf_free(&out);
	return rc;
}

static void send_outcome(const char *path, int status, const char *error, void *ctx)
{
	struct ip_exchange *r = ctx;
	const json_t *p = json_object_get(r->pending, path);
	const char *sent = ip_str(p, "sent"), *open = ip_str(p, "open");
	if (status) {
		r->failed++;
		result(r, path, NULL, "failed", status, error);
	} else if (sent) {
		r->sent++;
		result(r, path, sent, "sent", 0, NULL);
	} else if (open) {
		r->open++;
		result(r, path, open, "open", 0, NULL);
	}
	json_object_del(r->pending, path);
}

/* What leaves with the cases that record it: each case is changed in
 * place, always; each document it makes lands in --out with its case, or
 * all of them on standard output before the cases are written. */
struct outgoing {
	const char *cmd;
	ip_edit_fn apply;
	void (*outcome)(const char *path, int status, const char *error, void *ctx);
	int (*also_write)(const char *path, struct ip_batch *batch, void *ctx);
	int (*before_commit)(char *const *paths, const int *status, size_t n, void *ctx);
};

static int send_out(struct ip_exchange *r, const struct outgoing *o, char **operands, int n)
{
	int rc = r->out ? ip_mkdir_private(r->out) : IP_EXIT_OK;
	if (rc)
		return rc;
	struct ip_edit e = {.run = r->run, .in_place = true, .cmd = o->cmd, .apply = o->apply,
	                    .ctx = r, .outcome = o->outcome, .no_paths = true,
	                    .also_write = r->out ? o->also_write : NULL,
	                    .before_commit = r->out ? NULL : o->before_commit};
	return ip_edit_run(&e, operands, n);
}

static const struct outgoing referrals = {"ip-refer send", apply_send, send_outcome,
                                          send_also_write, send_before_commit};

int ip_exchange_send(struct ip_exchange *r, const json_t *partner, json_t *services,
                     char **operands, int n)
{
	r->recipient = key_for(r, partner);
	r->send = (struct ip_send){.partner = partner, .services = services,
	                           .today = r->today, .quiet = r->run.quiet};
	int rc = send_out(r, &referrals, operands, n);
	ip_send_clear(&r->send);
	return rc;
}

/* The case closes here; the package with all of it waits in r->pending,
 * signed, until the change is written. */
static int apply_transfer(json_t *c, const char *name, const char **what, void *ctx)
{
	struct ip_exchange *r = ctx;
	int rc = ip_lifecycle_apply(r->life, c, name, what);
	json_t *pkg = r->life->package;
	if (!rc && pkg) {
		const json_t *t = json_object_get(pkg, "transfer");
		ip_sign_doc(pkg, r->key, ip_str(t, "from"));
		char *text = json_text(pkg, r->out ? IP_FORMAT_JSON : IP_FORMAT_JSONL);
		char *file = ip_xasprintf("%s.transfer", ip_str(t, "case"));
		json_object_set_new(r->pending, name, json_pack("{s:s, s:s}", "sent", file,
		                                               "text", text));
		free(file);
		free(text);
	}
	json_decref(pkg);
	r->life->package = NULL;
	return rc;
}

int ip_exchange_transfer(struct ip_exchange *r, struct ip_lifecycle *life, char **operands,
                         int n)
{
	static const struct outgoing transfers = {"ip-case transfer", apply_transfer,
	                                          send_outcome, send_also_write,
	                                          send_before_commit};
	r->life = life;
	r->recipient = key_for(r, life->to);
	return send_out(r, &transfers, operands, n);
}

/* A recipient without a key gets nothing unless plain text is asked for. */
static int no_key(const char *file, const char *id)
{
	ip_error(&(struct ip_where){file, 0, 0, NULL}, "%s has no age key in the partner "
	         "directory: nothing sent (add its key, or send plain text with --no-encrypt)", id);
	return IP_EXIT_USAGE;
}

/* The partner's case records the response (its number, the note); the
 * response waits in r->pending, signed, until the case is written. */
static int apply_respond(json_t *c, const char *name, const char **what, void *ctx)
{
	struct ip_exchange *r = ctx;
	struct ip_respond x = {.referral = r->referral, .note = r->note, .today = r->today,
	                       .actor = r->run.actor};
	int rc = ip_refer_respond(&x, c, name, what);
	if (rc)
		return rc;
	const json_t *body = json_object_get(x.response, "response");
	const char *to = ip_str(body, "to");
	/* the referring centre's key, unless plain text is asked for */
	const char *recipient = key_for(r, ip_partner(r->directory, to));
	if (!recipient && !r->no_encrypt)
		rc = no_key(name, to);
	if (!rc) {
		ip_sign_doc(x.response, r->key, ip_str(body, "from"));
		char *text = json_text(x.response, r->out ? IP_FORMAT_JSON : IP_FORMAT_JSONL);
		json_t *p = json_pack("{s:s, s:O}", "text", text, "referral",
		                      json_object_get(body, "referral"));
		json_object_set_new(p, "seq", json_copy(json_object_get(body, "seq")));
		if (recipient)
			json_object_set_new(p, "recipient", json_string(recipient));
		json_object_set_new(r->pending, name, p);
		free(text);
		snprintf(r->what, sizeof r->what, "%s", *what);
		*what = r->what;
	}
	json_decref(x.response);
	return rc;
}

/* Encrypted to the pending item's recipient, when it has one. */
static int seal_pending(const json_t *p, struct ip_buf *out)
{
	const char *text = ip_str(p, "text"), *recipient = ip_str(p, "recipient");
	if (recipient)
		return ip_age_encrypt(recipient, text, strlen(text), out);
	ip_buf_add(out, text, strlen(text));
	return IP_EXIT_OK;
}

/* DIR/REF.response-SEQ.json[.age]: the sequence number makes it unique. */
static char *response_file(const struct ip_exchange *r, const json_t *p)
{
	return ip_xasprintf("%s/%s.response-%lld.json%s", r->out, ip_str(p, "referral"),
	                    (long long)json_integer_value(json_object_get(p, "seq")),
	                    ip_str(p, "recipient") ? ".age" : "");
}

/* The response lands in --out with the case that records it. */
static int respond_also_write(const char *path, struct ip_batch *batch, void *ctx)
{
	struct ip_exchange *r = ctx;
	const json_t *p = json_object_get(r->pending, path);
	if (!p)
		return IP_EXIT_OK;
	struct ip_buf out = {0};
	int rc = seal_pending(p, &out);
	if (!rc) {
		char *file = response_file(r, p);
		rc = ip_batch_add(batch, file, out.s, out.len, IP_WRITE_CREATE);
		free(file);
	}
	ip_buf_free(&out);
	return rc;
}

/* Standard output gets the chunk's responses before their cases record
 * them: those for one centre together, sealed once (one age process). */
static int respond_before_commit(char *const *paths, const int *status, size_t n,
                                 void *ctx)
{
	struct ip_exchange *r = ctx;
	json_t *by_recipient = json_object();
	for (size_t i = 0; i < n; i++) {
		const json_t *p = json_object_get(r->pending, paths[i]);
		if (status[i] || !p)
			continue;
		const char *key = ip_str(p, "recipient") ? ip_str(p, "recipient") : "";
		json_t *texts = json_object_get(by_recipient, key);
		if (!texts)
			json_object_set_new(by_recipient, key, texts = json_array());
		json_array_append(texts, json_object_get(p, "text"));
	}
	int rc = IP_EXIT_OK;
	const char *key;
	json_t *texts;
	json_object_foreach(by_recipient, key, texts) {
		struct ip_buf plain = {0}, out = {0};
		size_t i;
		json_t *t;
		json_array_foreach(texts, i, t)
			ip_buf_puts(&plain, json_string_value(t));
		rc = *key ? ip_age_encrypt(key, plain.s, plain.len, &out)
		          : (ip_buf_add(&out, plain.s, plain.len), IP_EXIT_OK);
		if (!rc)
			rc = put_out(&out);
		ip_buf_free(&plain);
		ip_buf_free(&out);
		if (rc)
			break;
	}
	json_decref(by_recipient);
	return rc;
}

/* Once the case holds the response: the name of its file. */
static void respond_outcome(const char *path, int status, const char *error, void *ctx)
{
	struct ip_exchange *r = ctx;
	(void)error;
	const json_t *p = json_object_get(r->pending, path);
	if (!status && p && r->out) {
		char *file = response_file(r, p);
		ip_run_print_path(&r->run, file);
		free(file);
	}
	r->failed += status != 0;
	json_object_del(r->pending, path);
}

int ip_exchange_respond(struct ip_exchange *r, const json_t *directory,
                        const char *referral, const char *note, char **operands, int n)
{
	static const struct outgoing responses = {"ip-refer respond", apply_respond,
	                                          respond_outcome, respond_also_write,
	                                          respond_before_commit};
	r->directory = directory;
	r->referral = referral;
	r->note = note;
	return send_out(r, &responses, operands, n);
}

static int apply_receive(json_t *c, const char *name, const char **what, void *ctx)
{
	return ip_refer_receive(ctx, c, name, what);
}

/* The case that holds referral id, which doc names at field (a response's
 * response.referral, a form's referral): 0 with *path, or 65 / the index's
 * failure with the problem reported. */
static int case_of_referral(struct ip_exchange *r, const struct ip_doc *doc, const char *field,
                            const char *id, char **path)
{
	int rc = r->referrals ? IP_EXIT_OK
	                      : ip_repo_referrals(r->repo, &r->run.lim, &r->referrals);
	if (!rc)
		rc = ip_repo_referral_case(r->referrals, &r->run.lim, id, path);
	if (rc == IP_EXIT_NOINPUT) {
		struct ip_where w = ip_doc_where(doc, field);
		ip_error(&w, "unknown referral %s: no case in %s has it", id, r->repo->cases);
		return IP_EXIT_DATAERR;
	}
	return rc;
}

/* One response: find its case, merge it in place. */
static int receive_response(struct ip_exchange *r, const struct ip_doc *doc)
{
	const json_t *body = json_object_get(doc->root, "response");
	const char *id = ip_str(body, "referral"), *to = ip_str(body, "to");
	if (strcmp(to, r->repo->centre)) {
		struct ip_where w = ip_doc_where(doc, "response.to");
		w.path = "response.to";
		ip_error(&w, "the response is for centre %s; this repository is %s", to,
		         r->repo->centre);
		return IP_EXIT_DATAERR;
	}
	char *path = NULL;
	int rc = case_of_referral(r, doc, "response.referral", id, &path);
	if (rc)
		return rc;
	struct ip_receive x = {.response = doc->root, .package = doc->file, .source = doc,
	                       .today = r->today};
	struct ip_edit e = {.run = r->run, .in_place = true,
	                    .cmd = "ip-refer receive", .apply = apply_receive, .ctx = &x};
	rc = ip_edit_run(&e, &path, 1);
	if (!rc && !r->run.quiet)
		ip_inform(&(struct ip_where){doc->file, 0, 0, NULL}, "took %s", x.summary);
	free(path);
	return rc;
}

static int receive_one(const char *path, void *ctx)
{
	struct ip_exchange *r = ctx;
	struct ip_docs docs = {0};
	ip_diag_clear();
	int rc = ip_package_load(path, r->identity, r->directory, &ip_response_schema,
	                         N_("a referral response"),
	                         &r->run.lim, &docs);
	if (rc)
		result(r, path, NULL, "failed", rc, ip_diag_first());
	for (size_t i = 0; !rc && i < docs.n; i++) {
		ip_diag_clear();
		int one = receive_response(r, &docs.v[i]);
		const char *id = ip_str(json_object_get(docs.v[i].root, "response"), "referral");
		result(r, path, id, one ? "failed" : "received", one, ip_diag_first());
		r->received += !one;
		rc = ip_exit_merge(rc, one);
	}
	ip_docs_free(&docs);
	return rc;
}

int ip_exchange_receive(struct ip_exchange *r, const struct ip_repo *repo,
                        const json_t *directory, const char *identity, char **operands,
                        int n)
{
	r->repo = repo;
	r->directory = directory;
	r->identity = identity;
	/* Case paths go to stdout as the cases change; the inputs are packages. */
	struct ip_inputs in = ip_run_inputs(&r->run, operands, n, false);
	return ip_inputs_walk(&in, receive_one, r);
}

/* ---- a response form, entered by the centre for a partner ---------------- */

struct form_entry {
	const struct ip_doc *form;
	const char *centre, *today, *actor;
	char summary[400];
};

/* The form stands for a response to the referral as the case has it now;
 * that response is checked and taken like one the partner signed. */
static int apply_form(json_t *c, const char *name, const char **what, void *ctx)
{
	struct form_entry *f = ctx;
	const json_t *form = f->form->root;
	json_t *ref = ip_referral_find(c, ip_str(form, "referral"));
	if (!ref) {
		struct ip_where w = ip_doc_where(f->form, "referral");
		ip_error(&w, "referral %s is no longer in %s; nothing changed",
		         ip_str(form, "referral"), name);
		return IP_EXIT_DATAERR;
	}
	json_t *response = ip_refer_form_response(form, ref, f->centre);
	struct ip_receive x = {.response = response, .package = f->form->file,
	                       .source = f->form, .from_form = true, .today = f->today};
	const char *took;
	/* a form entered twice is no second response: taken on a copy, which
	 * becomes the case only when it brought something new */
	json_t *taken = json_deep_copy(c);
	int rc = ip_refer_receive(&x, taken, name, &took);
	if (!rc && !x.news) {
		snprintf(f->summary, sizeof f->summary, "nothing new for referral %s",
		         ip_str(form, "referral"));
	} else if (!rc) {
		json_object_clear(c);
		json_object_update(c, taken);
		snprintf(f->summary, sizeof f->summary, "entered by %s for %s from a response form: "
		         "%s", f->actor, ip_str(form, "from"), took);
		*what = f->summary;
	}
	json_decref(taken);
	json_decref(response);
	return rc;
}

static int receive_form(const char *path, void *ctx)
{
	struct ip_exchange *r = ctx;
	struct ip_docs docs = {0};
	ip_diag_clear();
	int rc = ip_docs_load(path, IP_SYNTAX_YAML, &r->run.lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "a response form is one document; "
		         "found %zu", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	const char *schema = rc ? NULL : ip_str(docs.v[0].root, "schema");
	if (schema && !strcmp(schema, IP_RESPONSE_SCHEMA)) { /* the usual mix-up */
		struct ip_where w = ip_doc_where(&docs.v[0], "schema");
		ip_error(&w, "a signed response, not a response form: receive it without "
		         "--from-form");
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && ip_validate(&docs.v[0], &ip_form_schema, N_("a response form")))
		rc = IP_EXIT_DATAERR;
	char *case_path = NULL;
	const char *id = rc ? NULL : ip_str(docs.v[0].root, "referral");
	if (!rc)
		rc = case_of_referral(r, &docs.v[0], "referral", id, &case_path);
	if (!rc) {
		struct form_entry f = {&docs.v[0], r->repo->centre, r->today, ip_actor(r->run.actor),
		                       ""};
		struct ip_edit e = {.run = r->run, .in_place = true, .cmd = "ip-refer receive",
		                    .apply = apply_form, .ctx = &f};
		rc = ip_edit_run(&e, &case_path, 1);
		if (!rc && !r->run.quiet)
			ip_inform(&(struct ip_where){docs.v[0].file, 0, 0, NULL}, "took %s", f.summary);
	}
	result(r, path, id, rc ? "failed" : "received", rc, ip_diag_first());
	r->received += !rc;
	free(case_path);
	ip_docs_free(&docs);
	return rc;
}

int ip_exchange_receive_forms(struct ip_exchange *r, const struct ip_repo *repo,
                              char **operands, int n)
{
	r->repo = repo;
	struct ip_inputs in = ip_run_inputs(&r->run, operands, n, false);
	return ip_inputs_walk(&in, receive_form, r);
}

int ip_exchange_finish(struct ip_exchange *r)
{
	int rc = IP_EXIT_OK;
	if (r->results_path)
		rc = ip_write_file(r->results_path, r->results.s ? r->results.s : "",
		                   r->results.len, false);
	json_decref(r->pending);
	json_decref(r->referrals);
	ip_buf_free(&r->results);
	return rc;
}

int ip_exchange_keyless(const json_t *partner, bool no_encrypt, bool quiet)
{
	const char *id = ip_str(partner, "id");
	if (ip_str(partner, "age"))
		return IP_EXIT_OK;
	if (!no_encrypt)
		return no_key(NULL, id);
	if (quiet)
		return IP_EXIT_OK;
	json_t *special = ip_referral_special(json_object_get(partner, "profile"));
	char *list = ip_ids_joined(special, ", ");
	ip_warn(NULL, "%s has no age key: the packages leave as plain text, with special "
	        "categories of personal data (%s)", id, list);
	free(list);
	json_decref(special);
	return IP_EXIT_OK;
}
