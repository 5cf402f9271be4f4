#include "ip_refer.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_plan.h"
#include "ip_referral.h"
#include "ip_schema.h"
#include "ip_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The services to refer for: the options', else the plan's return-side
 * measures the partner offers. */
static json_t *services_for(const struct ip_send *r, const json_t *c)
{
	if (json_array_size(r->services))
		return json_incref(r->services);
	json_t *offered = json_object_get(r->partner, "services"), *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "measures"), i, m) {
		const char *cat = ip_str(m, "category");
		const char *status = ip_str(m, "status");
		if (!strcmp(ip_str(m, "side"), "return") && ip_ids_have(offered, cat) &&
		    !ip_ids_have(out, cat) && !(status && !strcmp(status, "cancelled")))
			json_array_append_new(out, json_string(cat));
	}
	return out;
}

int ip_refer_send(struct ip_send *r, json_t *c, const char *name, const char **what)
{
	const char *to = ip_str(r->partner, "id");
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
		if (!r->quiet)
			ip_warn(&(struct ip_where){name, 0, 0, NULL}, "referral %s to %s is still "
			        "%s; no second one sent", ip_str(open, "id"), to, ip_str(open, "status"));
		r->open = ip_str(open, "id");
		json_decref(services);
		return IP_EXIT_OK;
	}
	char *id = ip_referral_id_new(ip_get_str(c, "centre.id"));
	while (ip_referral_find(c, id)) {
		free(id);
		id = ip_referral_id_new(ip_get_str(c, "centre.id"));
	}
	json_t *ref = json_pack("{s:s, s:s, s:o, s:s, s:s}", "id", id, "to", to,
	                        "services", services, "date", r->today, "status", "pending");
	json_t *pkg = ip_referral_package(c, r->partner, ref,
	                                  ip_get_str(c, "centre.id"));
	json_t *list = json_object_get(c, "referrals");
	if (!list)
		json_object_set_new(c, "referrals", list = json_array());
	json_array_append(list, ref);
	ip_case_advance(c, "referred");
	r->package = pkg;
	r->sent = id;
	snprintf(r->summary, sizeof r->summary, "referral %s sent to %s (%zu fields)", id, to,
	         json_array_size(json_object_get(ref, "fields")));
	*what = r->summary;
	json_decref(ref);
	return IP_EXIT_OK;
}

void ip_send_clear(struct ip_send *s)
{
	json_decref(s->package);
	free(s->sent);
	s->package = NULL;
	s->sent = NULL;
	s->open = NULL;
}

/* The referral an update or response is about: the one named, else the
 * case's only open one (update) or only received one (respond). */
json_t *ip_refer_pick(const json_t *c, const char *id, bool received, const char *name)
{
	struct ip_where w = {name, 0, 0, "referrals"};
	if (id) {
		json_t *ref = ip_referral_find(c, id);
		if (!ref)
			ip_error(&w, "no referral '%s' in this case", id);
		return ref;
	}
	json_t *only = NULL;
	size_t i, open = 0;
	json_t *ref;
	const char *kind = received ? _("received referral") : _("open referral");
	json_array_foreach(json_object_get(c, "referrals"), i, ref) {
		const char *s = ip_str(ref, "status");
		if (received ? ip_str(ref, "from") != NULL
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
static int same_status(struct ip_update *r, json_t *ref, const char *name,
                       const char **what)
{
	const char *id = ip_str(ref, "id");
	if ((r->success && !same_text(r->success, ip_str(ref, "success"))) ||
	    (r->reason && !same_text(r->reason, ip_str(ref, "reason")))) {
		ip_error(&(struct ip_where){name, 0, 0, "referrals"}, "referral %s is %s "
		         "already (%s); a recorded step is not changed", id, ip_str(ref, "status"),
		         ip_str(ref, "success") ? ip_str(ref, "success")
		         : ip_str(ref, "reason") ? ip_str(ref, "reason") : _("no success or reason"));
		return IP_EXIT_DATAERR;
	}
	if (!r->note || same_text(r->note, ip_str(ref, "note")))
		return IP_EXIT_OK;
	json_object_set_new(ref, "note", json_string(r->note));
	snprintf(r->summary, sizeof r->summary, "referral %s: note", id);
	*what = r->summary;
	return IP_EXIT_OK;
}

int ip_refer_update(struct ip_update *r, json_t *c, const char *name, const char **what)
{
	json_t *ref = ip_refer_pick(c, r->referral, false, name);
	if (!ref)
		return IP_EXIT_DATAERR;
	const char *from = ip_str(ref, "status");
	if (!strcmp(from, r->status))
		return same_status(r, ref, name, what);
	char *old = ip_xstrdup(from);
	json_t *step = json_pack("{s:s, s:s, s:s}", "status", r->status, "date",
	                         r->date, "by", ip_actor(r->actor));
	if (r->success)
		json_object_set_new(step, "success", json_string(r->success));
	if (r->reason)
		json_object_set_new(step, "reason", json_string(r->reason));
	/* a referral received here is the partner's to move; one made here the
	 * centre's */
	enum ip_side side = ip_str(ref, "from") ? IP_SIDE_PARTNER : IP_SIDE_CENTRE;
	int rc = ip_referral_step(ref, step, side, r->today,
	                          &(struct ip_where){name, 0, 0, "referrals"});
	if (!rc && r->note)
		json_object_set_new(ref, "note", json_string(r->note));
	snprintf(r->summary, sizeof r->summary, "referral %s: %s -> %s", ip_str(ref, "id"), old,
	         r->status);
	*what = r->summary;
	json_decref(step);
	free(old);
	return rc;
}

/* The response's steps must continue the referral's own: the same steps
 * first, then at least one new one. */
static int check_continues(const json_t *ref, const json_t *steps, const char *pkg)
{
	const json_t *have = json_object_get(ref, "steps");
	const char *id = ip_str(ref, "id");
	struct ip_where w = {pkg, 0, 0, "response.steps"};
	for (size_t i = 0; i < json_array_size(have); i++) {
		const char *here = ip_str(json_array_get(have, i), "status");
		const char *there = ip_str(json_array_get(steps, i), "status");
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
		json_t *mine = ip_plan_measure(plan, ip_str(m, "id"));
		if (mine && !strcmp(ip_str(mine, "side"), "return"))
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

/* An arrival the partner reports: not in the future, not before the
 * departure the case knows. */
static int check_arrival(const struct ip_receive *r, const json_t *c)
{
	const char *arrived = ip_str(json_object_get(r->response, "response"), "arrived");
	const char *departed = ip_get_str(c, "return.departed");
	struct ip_where w = {r->package, 0, 0, "response.arrived"};
	if (arrived && strcmp(arrived, r->today) > 0)
		ip_error(&w, "an arrival on %s is in the future (today is %s); nothing changed",
		         arrived, r->today);
	else if (arrived && departed && strcmp(arrived, departed) < 0)
		ip_error(&w, "an arrival on %s is before the departure on %s; nothing changed",
		         arrived, departed);
	else
		return IP_EXIT_OK;
	return IP_EXIT_DATAERR;
}

int ip_refer_receive(struct ip_receive *r, json_t *c, const char *name, const char **what)
{
	const json_t *body = json_object_get(r->response, "response");
	const char *id = ip_str(body, "referral"), *from = ip_str(body, "from");
	json_t *ref = ip_referral_find(c, id);
	struct ip_where w = {r->package, 0, 0, "response.from"};
	if (!ref) { /* changed since the repository was indexed */
		ip_error(&w, "referral %s is no longer in %s; nothing changed", id, name);
		return IP_EXIT_DATAERR;
	}
	if (strcmp(ip_str(ref, "to"), from)) {
		ip_error(&w, "the response comes from %s, but referral %s went to %s (in %s)",
		         from, id, ip_str(ref, "to"), name);
		return IP_EXIT_DATAERR;
	}
	const json_t *steps = json_object_get(body, "steps");
	size_t had = json_array_size(json_object_get(ref, "steps"));
	int rc = check_continues(ref, steps, r->package);
	if (!rc)
		rc = check_arrival(r, c);
	for (size_t i = had; !rc && i < json_array_size(steps); i++) {
		char *path = ip_xasprintf("response.steps[%zu]", i);
		rc = ip_referral_step(ref, json_array_get(steps, i), IP_SIDE_PARTNER, r->today,
		                      &(struct ip_where){r->package, 0, 0, path});
		free(path);
	}
	if (rc)
		return rc;
	const char *arrived = ip_str(body, "arrived");
	json_t *ret = json_object_get(c, "return");
	if (arrived && !ip_str(ret, "arrived")) {
		json_object_set_new(ret, "arrived", json_string(arrived));
		ip_case_advance(c, "arrived");
	}
	merge_measures(c, body);
	if (ip_str(body, "note"))
		add_note(c, from, ip_str(body, "note"));
	snprintf(r->summary, sizeof r->summary, "response of %s to referral %s received: %s", from,
	         id, ip_str(ref, "status"));
	*what = r->summary;
	return IP_EXIT_OK;
}

