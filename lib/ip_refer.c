#include "ip_refer.h"
#include "ip_buf.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_plan.h"
#include "ip_referral.h"
#include "ip_schema.h"
#include "ip_survey.h"
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
	if (!ip_consent_to(c, "referral", r->partner, r->today, why, sizeof why)) {
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
	json_t *left_out = json_array(); /* health data without its own consent */
	json_t *pkg = ip_referral_package(c, r->partner, ref, ip_get_str(c, "centre.id"),
	                                  r->today, left_out);
	if (json_array_size(left_out) && !r->quiet) {
		struct ip_buf what = {0};
		size_t i;
		json_t *f;
		json_array_foreach(left_out, i, f)
			ip_buf_printf(&what, "%s%s", i ? ", " : "", json_string_value(f));
		ip_inform(&(struct ip_where){name, 0, 0, NULL}, "left out %s: no consent to sharing "
		          "health data with %s (ip-case consent --give health-data:%s)", what.s, to,
		          to);
		ip_buf_free(&what);
	}
	json_decref(left_out);
	json_t *list = json_object_get(c, "referrals");
	if (!list)
		json_object_set_new(c, "referrals", list = json_array());
	json_array_append(list, ref);
	ip_case_advance(c, "referred", r->today);
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
		if (received ? ip_str(ref, "from") != NULL : ip_referral_is_open(ref))
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

/* ---- respond (partner side) --------------------------------------------- */

/* A note for the referring centre: kept in the case, tied to the referral,
 * so that it travels with this response and every later one. */
static void add_note(json_t *c, const char *by, const char *text, const char *referral)
{
	char now[21];
	ip_datetime_str(ip_now(), now);
	json_t *notes = json_object_get(c, "notes");
	if (!notes)
		json_object_set_new(c, "notes", notes = json_array());
	json_t *n = json_pack("{s:s, s:s, s:s}", "at", now, "by", by, "text", text);
	if (referral)
		json_object_set_new(n, "referral", json_string(referral));
	json_array_append_new(notes, n);
}

int ip_refer_respond(struct ip_respond *r, json_t *c, const char *name, const char **what)
{
	json_t *ref = ip_refer_pick(c, r->referral, true, name);
	if (!ref)
		return IP_EXIT_DATAERR;
	struct ip_where w = {name, 0, 0, "referrals"};
	const char *id = ip_str(ref, "id"), *from = ip_str(ref, "from");
	if (!from) {
		ip_error(&w, "referral %s was made here, not received: the partner responds to "
		         "it", id);
		return IP_EXIT_DATAERR;
	}
	/* the ids name the response's file: never one that leaves --out */
	if (!ip_referral_id_valid(id) || !ip_centre_id_valid(from)) {
		ip_error(&w, "referral '%s' from '%s' does not have a valid referral and centre "
		         "id; nothing sent", id, from);
		return IP_EXIT_DATAERR;
	}
	if (r->note)
		add_note(c, ip_actor(r->actor), r->note, id);
	json_int_t seq = json_integer_value(json_object_get(ref, "seq")) + 1;
	json_object_set_new(ref, "seq", json_integer(seq));
	r->response = ip_referral_response(c, ref, r->today);
	snprintf(r->summary, sizeof r->summary, "response %lld to referral %s for %s%s",
	         (long long)seq, id, from, r->note ? ", with a note" : "");
	*what = r->summary;
	return IP_EXIT_OK;
}

/* ---- receive (referring side) -------------------------------------------- */

/* The field of a response form that a field of the response made from it
 * came from (ip_refer_form_response): a partner who filled in the form
 * reads "arrived", not "response.arrived". The form adds at most one step,
 * its decision, and keeps its measures in their order. */
static const char *form_field(const char *path, char *buf, size_t n)
{
	static const struct { const char *response, *form; } fields[] = {
		{"response.from", "from"}, {"response.date", "date"},
		{"response.seq", "referral"}, {"response.steps", "status"},
		{"response.arrived", "arrived"}, {"response.notes", "note"},
		{"response.measures", "measures"},
	};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		size_t len = strlen(fields[i].response);
		if (strncmp(path, fields[i].response, len) || (path[len] && path[len] != '[' &&
		                                                path[len] != '.'))
			continue;
		/* a measure keeps its index and field; the rest is the form's one field */
		const char *rest = !strcmp(fields[i].form, "measures") ? path + len : "";
		snprintf(buf, n, "%s%s", fields[i].form, rest);
		return buf;
	}
	return path;
}

/* Where a field of the response is in what was read, for a message: its
 * line and column when the document is at hand, and its name as the sender
 * wrote it. */
static struct ip_where where_in(const struct ip_receive *r, const char *path, char *buf,
                                size_t n)
{
	const char *field = r->from_form ? form_field(path, buf, n) : path;
	if (!r->source)
		return (struct ip_where){r->package, 0, 0, field};
	struct ip_where w = ip_doc_where(r->source, field);
	w.file = r->package;
	return w;
}

/* The response's steps must continue the referral's own: the same steps
 * first, then any new ones. */
static int check_continues(const struct ip_receive *r, const json_t *ref,
                           const json_t *steps)
{
	const json_t *have = json_object_get(ref, "steps");
	const char *id = ip_str(ref, "id");
	char buf[80];
	struct ip_where w = where_in(r, "response.steps", buf, sizeof buf);
	if (json_array_size(steps) < json_array_size(have)) {
		ip_error(&w, "stale response: it has %zu of referral %s's %zu steps; nothing "
		         "changed", json_array_size(steps), id, json_array_size(have));
		return IP_EXIT_DATAERR;
	}
	for (size_t i = 0; i < json_array_size(have); i++) {
		const char *here = ip_str(json_array_get(have, i), "status");
		const char *there = ip_str(json_array_get(steps, i), "status");
		if (strcmp(here, there)) {
			ip_error(&w, "the response contradicts referral %s: step %zu is %s here, "
			         "%s in the response; nothing changed", id, i + 1, here, there);
			return IP_EXIT_DATAERR;
		}
	}
	return IP_EXIT_OK;
}

/* A sequence number above the last one received: anything else was
 * received already (a replay) or is not a sequence number at all. */
static int check_seq(const struct ip_receive *r, const json_t *ref, const json_t *body)
{
	json_int_t seq = json_integer_value(json_object_get(body, "seq"));
	json_int_t had = json_integer_value(json_object_get(ref, "seq"));
	char buf[80];
	struct ip_where w = where_in(r, "response.seq", buf, sizeof buf);
	if (seq < 1 || seq > IP_RESPONSE_SEQ_MAX) {
		ip_error(&w, "response number %lld is out of range (1 to %d); nothing changed",
		         (long long)seq, IP_RESPONSE_SEQ_MAX);
		return IP_EXIT_DATAERR;
	}
	if (seq <= had) {
		ip_error(&w, "replayed response: response %lld to referral %s was received "
		         "already (the last one received is %lld); nothing changed",
		         (long long)seq, ip_str(ref, "id"), (long long)had);
		return IP_EXIT_DATAERR;
	}
	return IP_EXIT_OK;
}

/* An arrival the partner reports: not in the future, not before the
 * departure the case knows, not another than the case has. */
static int check_arrival(const struct ip_receive *r, const json_t *c)
{
	const char *arrived = ip_str(json_object_get(r->response, "response"), "arrived");
	const char *departed = ip_get_str(c, "return.departed");
	const char *had = ip_get_str(c, "return.arrived");
	char buf[80];
	struct ip_where w = where_in(r, "response.arrived", buf, sizeof buf);
	if (!arrived)
		return IP_EXIT_OK;
	if (strcmp(arrived, r->today) > 0)
		ip_error(&w, "an arrival on %s is in the future (today is %s); nothing changed",
		         arrived, r->today);
	else if (departed && strcmp(arrived, departed) < 0)
		ip_error(&w, "an arrival on %s is before the departure on %s; nothing changed",
		         arrived, departed);
	else if (had && strcmp(arrived, had))
		ip_error(&w, "the response contradicts the case: arrival on %s, the case has %s; "
		         "nothing changed", arrived, had);
	else
		return IP_EXIT_OK;
	return IP_EXIT_DATAERR;
}

/* A date the partner gives for something it did for this referral: not
 * before the referral was made, not after today. */
static bool plausible_date(const struct ip_receive *r, const json_t *ref, const char *date,
                           const char *path)
{
	const char *made = ip_str(ref, "date");
	char buf[80];
	struct ip_where w = where_in(r, path, buf, sizeof buf);
	if (strcmp(date, r->today) > 0)
		ip_error(&w, "%s is in the future (today is %s)", date, r->today);
	else if (made && strcmp(date, made) < 0)
		ip_error(&w, "%s is before referral %s was made (%s)", date, ip_str(ref, "id"),
		         made);
	else
		return true;
	return false;
}

/* The partner reports on the measures it carries out, and no others. */
static size_t check_measures(const struct ip_receive *r, const json_t *c, const json_t *ref)
{
	const json_t *plan = json_object_get(c, "plan");
	const json_t *list = json_object_get(json_object_get(r->response, "response"),
	                                     "measures");
	size_t i, bad = 0;
	json_t *m;
	json_array_foreach(list, i, m) {
		char path[64];
		snprintf(path, sizeof path, "response.measures[%zu]", i);
		const json_t *mine = ip_plan_measure(plan, ip_str(m, "id"));
		char buf[80];
		struct ip_where w = where_in(r, path, buf, sizeof buf);
		if (!mine)
			ip_warn(&w, "the case has no measure %s (any longer); its status is not taken",
			        ip_str(m, "id"));
		else if (strcmp(ip_str(mine, "side"), "return")) {
			ip_error(&w, "measure %s is a host-side measure: not the partner's to report "
			         "on", ip_str(m, "id"));
			bad++;
		}
		size_t at = strlen(path);
		strcat(path, ".date");
		if (ip_str(m, "date") && !plausible_date(r, ref, ip_str(m, "date"), path))
			bad++;
		strcpy(path + at, ".started");
		if (ip_str(m, "started") && !plausible_date(r, ref, ip_str(m, "started"), path))
			bad++;
	}
	return bad;
}

/* Follow-ups are done after the return; a date must say so. */
static size_t check_follow_ups(const struct ip_receive *r, const json_t *c,
                               const json_t *ref)
{
	const json_t *body = json_object_get(r->response, "response");
	const char *back = ip_str(body, "arrived") ? ip_str(body, "arrived")
	                 : ip_get_str(c, "return.arrived") ? ip_get_str(c, "return.arrived")
	                 : ip_get_str(c, "return.departed");
	size_t i, bad = 0;
	json_t *f;
	json_array_foreach(json_object_get(body, "follow_ups"), i, f) {
		char path[64];
		snprintf(path, sizeof path, "response.follow_ups[%zu].done", i);
		const char *done = ip_str(f, "done");
		char buf[80];
		struct ip_where w = where_in(r, path, buf, sizeof buf);
		if (!done) {
			ip_error(&w, "a follow-up without the date it was done");
			bad++;
		} else if (!back) {
			ip_error(&w, "a follow-up done on %s, but neither the departure nor the arrival "
			         "is known", done);
			bad++;
		} else if (strcmp(done, back) < 0) {
			ip_error(&w, "a follow-up done on %s, before the return (%s)", done, back);
			bad++;
		} else if (!plausible_date(r, ref, done, path)) {
			bad++;
		}
	}
	return bad;
}

/* A partner's survey, scored here by this centre's definition: the partner
 * sends the answers, never the scores. A new record, or NULL with the
 * problems reported: no consent to follow-up by this partner on its day,
 * an implausible day, a survey this centre does not have, answers it does
 * not know. */
static json_t *score_reported(const struct ip_receive *r, const json_t *c,
                              const json_t *ref, const json_t *s, const char *path)
{
	char buf[80];
	struct ip_where w = where_in(r, path, buf, sizeof buf);
	const char *id = ip_str(s, "id"), *date = ip_str(s, "date");
	char *at = ip_xasprintf("%s.date", path);
	bool plausible = plausible_date(r, ref, date, at);
	free(at);
	if (!plausible)
		return NULL;
	/* consent to follow-up by this partner (or its country), on that day */
	json_t *partner = json_pack("{s:s, s:s}", "id", ip_str(ref, "to"), "country",
	                            ip_get_str(c, "return.country") ?
	                            ip_get_str(c, "return.country") : "");
	char why[300];
	bool consented = ip_consent_to(c, "follow-up", partner, date, why, sizeof why);
	json_decref(partner);
	if (!consented) {
		ip_error(&w, "a survey of %s without consent to follow-up on that day: not "
		         "taken (%s)", date, why);
		return NULL;
	}
	json_t *survey = NULL;
	struct ip_limits lim = IP_LIMITS_DEFAULT;
	if (ip_survey_load(id, &lim, &survey)) {
		ip_error(&w, "survey '%s' is not one of this centre's", id);
		return NULL;
	}
	/* the answers as the mapping a counsellor would give, at the survey */
	json_t *given = json_object();
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(s, "answers"), i, a)
		json_object_set(given, ip_str(a, "question"), json_object_get(a, "answer"));
	char *file = ip_xstrdup(w.file ? w.file : r->package);
	struct ip_doc doc = {file, given, NULL, w.line, w.col};
	json_t *record = NULL;
	if (ip_survey_take(survey, &doc, date, ip_str(s, "by"), &record))
		record = NULL;
	free(file);
	json_decref(given);
	json_decref(survey);
	return record;
}

/* The surveys of the follow-ups reported, scored: one item per follow-up
 * (null without a survey) in *scored; the number of problems. */
static size_t score_follow_ups(const struct ip_receive *r, const json_t *c,
                               const json_t *ref, json_t **scored)
{
	const json_t *body = json_object_get(r->response, "response");
	size_t i, bad = 0;
	json_t *f;
	*scored = json_array();
	json_array_foreach(json_object_get(body, "follow_ups"), i, f) {
		const json_t *s = json_object_get(f, "survey");
		json_t *record = NULL;
		if (s) {
			char path[64];
			snprintf(path, sizeof path, "response.follow_ups[%zu].survey", i);
			record = score_reported(r, c, ref, s, path);
			bad += !record;
		}
		json_array_append_new(*scored, record ? record : json_null());
	}
	return bad;
}

static size_t check_notes(const struct ip_receive *r)
{
	const json_t *body = json_object_get(r->response, "response");
	size_t i, bad = 0;
	json_t *n;
	json_array_foreach(json_object_get(body, "notes"), i, n) {
		char path[64];
		snprintf(path, sizeof path, "response.notes[%zu].at", i);
		/* a datetime's first ten characters are its date */
		if (strncmp(ip_str(n, "at"), r->today, 10) > 0) {
			char buf[80];
			struct ip_where w = where_in(r, path, buf, sizeof buf);
			ip_error(&w, "a note written in the future (%s; today is %s)", ip_str(n, "at"),
			         r->today);
			bad++;
		}
	}
	return bad;
}

/* What a response brought, for the summary. */
struct took {
	const char *arrived;
	size_t steps, measures, follow_ups, surveys, notes;
	char measure_list[80];
};

/* Measures the partner carries out: their status comes back by id, with
 * the date it was set; news older than the case's own is not taken. */
static void take_measures(json_t *c, const json_t *body, struct took *t)
{
	json_t *plan = json_object_get(c, "plan");
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(body, "measures"), i, m) {
		json_t *mine = ip_plan_measure(plan, ip_str(m, "id"));
		const char *date = ip_str(m, "date"), *had = ip_str(mine, "status_date");
		if (!mine || !strcmp(ip_str(m, "status"), ip_str(mine, "status") ?
		                     ip_str(mine, "status") : "") ||
		    (had && (!date || strcmp(date, had) < 0)))
			continue;
		json_object_set(mine, "status", json_object_get(m, "status"));
		if (date)
			json_object_set(mine, "status_date", json_object_get(m, "date"));
		/* the day it was begun: the partner's, else the day of this news */
		const char *started = ip_str(m, "started") ? ip_str(m, "started") : date;
		if (ip_measure_begun(mine) && started && !json_object_get(mine, "started"))
			json_object_set_new(mine, "started", json_string(started));
		size_t len = strlen(t->measure_list);
		snprintf(t->measure_list + len, sizeof t->measure_list - len, "%s%s %s",
		         len ? ", " : "", ip_str(m, "id"), ip_str(m, "status"));
		t->measures++;
	}
}

/* A follow-up done: the case's open one due the same, else a new one;
 * with the survey taken then, as scored here (scored). */
static void take_follow_ups(json_t *c, const json_t *body, const json_t *scored,
                            struct took *t)
{
	if (!json_array_size(json_object_get(body, "follow_ups")))
		return;
	json_t *plan = ip_plan_of(c);
	json_t *mine = json_object_get(plan, "follow_ups");
	if (!mine)
		json_object_set_new(plan, "follow_ups", mine = json_array());
	size_t i, j;
	json_t *f, *g;
	json_array_foreach(json_object_get(body, "follow_ups"), i, f) {
		json_t *match = NULL;
		json_array_foreach(mine, j, g)
			if (!strcmp(ip_str(g, "due"), ip_str(f, "due")) && !match)
				match = g;
		if (match && ip_str(match, "done"))
			continue; /* done here already: the case's own record stands */
		if (!match)
			json_array_append_new(mine, match = json_pack("{s:O}", "due",
			                                              json_object_get(f, "due")));
		const char *keys[] = {"done", "by", "note"};
		for (size_t k = 0; k < 3; k++)
			if (json_object_get(f, keys[k]))
				json_object_set(match, keys[k], json_object_get(f, keys[k]));
		if (json_is_object(json_array_get(scored, i))) {
			json_object_set(match, "survey", json_array_get(scored, i));
			t->surveys++;
		}
		t->follow_ups++;
	}
}

static bool have_note(const json_t *c, const char *at, const char *by, const char *text)
{
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(c, "notes"), i, n)
		if (!strcmp(ip_str(n, "at"), at) && !strcmp(ip_str(n, "by"), by) &&
		    !strcmp(ip_str(n, "text"), text))
			return true;
	return false;
}

/* The partner's notes for this referral: each once, by the partner. */
static void take_notes(json_t *c, const json_t *body, struct took *t)
{
	const char *from = ip_str(body, "from"), *id = ip_str(body, "referral");
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(body, "notes"), i, n) {
		if (have_note(c, ip_str(n, "at"), from, ip_str(n, "text")))
			continue;
		json_t *notes = json_object_get(c, "notes");
		if (!notes)
			json_object_set_new(c, "notes", notes = json_array());
		json_array_append_new(notes, json_pack("{s:O, s:s, s:O, s:s}", "at",
		                      json_object_get(n, "at"), "by", from, "text",
		                      json_object_get(n, "text"), "referral", id));
		t->notes++;
	}
}

/* "response 2 of AF-KBL-PH to referral R: accepted; arrival 2026-11-02; ..." */
static void took_summary(struct ip_receive *r, const json_t *body, const json_t *ref,
                         const struct took *t)
{
	struct ip_buf b = {0};
	ip_buf_printf(&b, "response %lld of %s to referral %s: %s",
	              (long long)json_integer_value(json_object_get(body, "seq")),
	              ip_str(body, "from"), ip_str(body, "referral"), ip_str(ref, "status"));
	if (t->steps)
		ip_buf_printf(&b, " (%zu new step%s)", t->steps, t->steps == 1 ? "" : "s");
	if (t->arrived)
		ip_buf_printf(&b, "; arrival %s", t->arrived);
	if (t->measures)
		ip_buf_printf(&b, "; %s", t->measure_list);
	if (t->follow_ups)
		ip_buf_printf(&b, "; %zu follow-up%s done", t->follow_ups,
		              t->follow_ups == 1 ? "" : "s");
	if (t->surveys)
		ip_buf_printf(&b, " (%zu survey%s scored here)", t->surveys,
		              t->surveys == 1 ? "" : "s");
	if (t->notes)
		ip_buf_printf(&b, "; %zu note%s", t->notes, t->notes == 1 ? "" : "s");
	if (!t->steps && !t->arrived && !t->measures && !t->follow_ups && !t->notes)
		ip_buf_puts(&b, "; nothing new");
	snprintf(r->summary, sizeof r->summary, "%s", b.s);
	ip_buf_free(&b);
}

int ip_refer_receive(struct ip_receive *r, json_t *c, const char *name, const char **what)
{
	const json_t *body = json_object_get(r->response, "response");
	const char *id = ip_str(body, "referral"), *from = ip_str(body, "from");
	json_t *ref = ip_referral_find(c, id);
	char buf[80];
	struct ip_where w = where_in(r, "response.from", buf, sizeof buf);
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
	int rc = check_seq(r, ref, body);
	if (!rc && strcmp(ip_str(body, "date"), r->today) > 0) {
		w = where_in(r, "response.date", buf, sizeof buf);
		ip_error(&w, "a response dated %s is from the future (today is %s); nothing "
		         "changed", ip_str(body, "date"), r->today);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc)
		rc = check_continues(r, ref, steps);
	/* every problem of what the partner reports, not just the first */
	json_t *scored = NULL;
	if (!rc && (check_arrival(r, c) != IP_EXIT_OK) + check_measures(r, c, ref) +
	           check_follow_ups(r, c, ref) + score_follow_ups(r, c, ref, &scored) +
	           check_notes(r))
		rc = IP_EXIT_DATAERR;
	for (size_t i = had; !rc && i < json_array_size(steps); i++) {
		char path[64];
		snprintf(path, sizeof path, "response.steps[%zu]", i);
		w = where_in(r, path, buf, sizeof buf);
		rc = ip_referral_step(ref, json_array_get(steps, i), IP_SIDE_PARTNER, r->today, &w);
	}
	if (rc) {
		json_decref(scored);
		return rc;
	}
	struct took t = {.steps = json_array_size(steps) - had};
	const char *arrived = ip_str(body, "arrived");
	json_t *ret = json_object_get(c, "return");
	if (arrived && !ip_str(ret, "arrived")) {
		json_object_set_new(ret, "arrived", json_string(arrived));
		ip_case_advance(c, "arrived", arrived);
		t.arrived = arrived;
	}
	take_measures(c, body, &t);
	take_follow_ups(c, body, scored, &t);
	json_decref(scored);
	take_notes(c, body, &t);
	json_object_set(ref, "seq", json_object_get(body, "seq"));
	r->news = t.steps || t.arrived || t.measures || t.follow_ups || t.notes;
	took_summary(r, body, ref, &t);
	/* a measure the partner cancelled changes what was agreed */
	ip_plan_settle(c, r->today, name, r->summary, sizeof r->summary);
	*what = r->summary;
	return IP_EXIT_OK;
}

/* ---- for partners without IntegPlan: the sheet and its form ------------- */

/* The open referral of c to partner to (the one named id, if given). */
static json_t *open_referral_to(const json_t *c, const char *to, const char *id,
                                const char *name)
{
	size_t i;
	json_t *ref, *found = NULL;
	json_array_foreach(json_object_get(c, "referrals"), i, ref) {
		if (!ip_str(ref, "from") && !strcmp(ip_str(ref, "to"), to) && ip_referral_is_open(ref) &&
		    (!id || !strcmp(ip_str(ref, "id"), id)))
			found = ref;
	}
	if (!found && id)
		ip_error(&(struct ip_where){name, 0, 0, "referrals"}, "no open referral %s to %s",
		         id, to);
	else if (!found)
		ip_error(&(struct ip_where){name, 0, 0, "referrals"}, "no open referral to %s "
		         "(ip-refer send --to %s makes one)", to, to);
	return found;
}

int ip_refer_sheet(const json_t *c, const json_t *partner, const char *id, const char *today,
                   const char *name, json_t **pkg)
{
	const char *to = ip_str(partner, "id");
	char why[300];
	*pkg = NULL;
	if (!ip_consent_to(c, "referral", partner, today, why, sizeof why)) {
		ip_error(&(struct ip_where){name, 0, 0, "consent"}, "%s; no sheet made", why);
		return IP_EXIT_NOPERM;
	}
	json_t *ref = open_referral_to(c, to, id, name);
	if (!ref)
		return IP_EXIT_DATAERR;
	/* what the package carried, rebuilt on a copy: the case stays as it is */
	json_t *copy = json_deep_copy(ref);
	*pkg = ip_referral_package(c, partner, copy, ip_get_str(c, "centre.id"), today, NULL);
	json_decref(copy);
	return IP_EXIT_OK;
}

/* The step a form reports, unless it is where the referral stands. */
static json_t *form_step(const json_t *form, const json_t *ref)
{
	const json_t *steps = json_object_get(ref, "steps");
	const json_t *last = json_array_get(steps, json_array_size(steps) - 1);
	const char *status = ip_str(form, "status");
	if (last && !strcmp(ip_str(last, "status"), status) &&
	    same_text(ip_str(last, "success"), ip_str(form, "success")) &&
	    same_text(ip_str(last, "reason"), ip_str(form, "reason")))
		return NULL;
	json_t *step = json_pack("{s:s, s:O, s:O}", "status", status, "date",
	                         json_object_get(form, "date"), "by", json_object_get(form, "by"));
	static const char *const extra[] = {"success", "reason"};
	for (size_t i = 0; i < 2; i++)
		if (ip_str(form, extra[i]))
			json_object_set(step, extra[i], json_object_get(form, extra[i]));
	return step;
}

/* The measures a form reports, without the empty dates of the blank. */
static json_t *form_measures(const json_t *form)
{
	json_t *list = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(form, "measures"), i, m) {
		json_t *one = json_pack("{s:O, s:O}", "id", json_object_get(m, "id"), "status",
		                        json_object_get(m, "status"));
		if (ip_str(m, "date"))
			json_object_set(one, "date", json_object_get(m, "date"));
		json_array_append_new(list, one);
	}
	return list;
}

json_t *ip_refer_form_response(const json_t *form, const json_t *ref, const char *centre)
{
	json_t *steps = json_deep_copy(json_object_get(ref, "steps"));
	if (!steps)
		steps = json_array();
	json_t *step = form_step(form, ref);
	if (step)
		json_array_append_new(steps, step);
	json_int_t seq = json_integer_value(json_object_get(ref, "seq")) + 1;
	json_t *body = json_pack("{s:O, s:O, s:s, s:O, s:I, s:o}", "referral",
	                         json_object_get(form, "referral"), "from",
	                         json_object_get(form, "from"), "to", centre, "date",
	                         json_object_get(form, "date"), "seq", seq, "steps", steps);
	if (ip_str(form, "arrived"))
		json_object_set(body, "arrived", json_object_get(form, "arrived"));
	json_t *measures = form_measures(form);
	if (json_array_size(measures))
		json_object_set(body, "measures", measures);
	json_decref(measures);
	if (ip_str(form, "note")) {
		char at[32];
		snprintf(at, sizeof at, "%sT00:00:00Z", ip_str(form, "date"));
		json_object_set_new(body, "notes", json_pack("[{s:s, s:O}]", "at", at, "text",
		                                             json_object_get(form, "note")));
	}
	return json_pack("{s:s, s:o}", "schema", IP_RESPONSE_SCHEMA, "response", body);
}
