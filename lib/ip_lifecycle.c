#include "ip_lifecycle.h"
#include "ip_case.h"
#include "ip_codes.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_referral.h"
#include "ip_vocab.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a change did, for the history: "corrected person.family". */
static _Thread_local char summary[400];

void ip_lifecycle_init(struct ip_lifecycle *l)
{
	l->fields = json_object();
	l->give = json_array();
	l->withdraw = json_array();
}

void ip_lifecycle_free(struct ip_lifecycle *l)
{
	json_decref(l->fields);
	json_decref(l->give);
	json_decref(l->withdraw);
}

/* Add a part to the summary: "gave consent referral:AF-KBL-PH; withdrew ...". */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	size_t len = strlen(summary);
	if (len && len + 2 < sizeof summary) {
		strcpy(summary + len, "; ");
		len += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(summary + len, sizeof summary - len, fmt, ap);
	va_end(ap);
}

/* ---- consent ------------------------------------------------------------ */

/* A partner's country, from the directory; NULL for one it does not list. */
static const char *partner_country(const json_t *dir, const char *id)
{
	return ip_str(ip_find_id(json_object_get(dir, "partners"), id), "country");
}

bool ip_lifecycle_recipient_known(const json_t *directory, const char *recipient)
{
	return ip_code_known(IP_CODES_COUNTRY, recipient) ||
	       ip_find_id(json_object_get(directory, "partners"), recipient);
}

/* A counselling centre in Germany of the directory, or DE for any. */
static bool is_centre(const json_t *dir, const char *recipient)
{
	const json_t *p = ip_find_id(json_object_get(dir, "partners"), recipient);
	return recipient && (!strcmp(recipient, "DE") ||
	                     (p && !strcmp(ip_str(p, "kind"), "counselling-centre")));
}

int ip_lifecycle_consent_arg(const struct ip_lifecycle *l, json_t *list, const char *text,
                             const char *label)
{
	const char *colon = strchr(text, ':');
	char *purpose = colon ? ip_xasprintf("%.*s", (int)(colon - text), text)
	                      : ip_xstrdup(text);
	const char *recipient = colon ? colon + 1 : NULL;
	int bad = 0;
	struct ip_where w = {NULL, 0, 0, label};
	if (!ip_vocab_has("consent-purpose", purpose)) {
		const char *near = ip_vocab_suggest("consent-purpose", purpose);
		ip_error(&w, "unknown consent purpose '%s'%s (see --list consent-purpose)", purpose,
		         ip_did_you_mean(near));
		bad++;
	} else if (recipient && !ip_lifecycle_recipient_known(l->directory, recipient)) {
		ip_error(&w, "'%s' is neither a partner of the directory (ip-refer partners) nor "
		         "a country code", recipient);
		bad++;
	} else if (!recipient && ip_consent_needs_recipient(purpose)) {
		ip_error(&w, "%s needs its recipient: %s:PARTNER or %s:COUNTRY", purpose, purpose,
		         purpose);
		bad++;
	} else if (!strcmp(purpose, "transfer") && !is_centre(l->directory, recipient)) {
		ip_error(&w, "transfer needs a counselling centre of the partner directory as its "
		         "recipient (transfer:CENTRE), or DE for any of them");
		bad++;
	}
	if (!bad) {
		json_t *k = json_pack("{s:s}", "purpose", purpose);
		if (recipient)
			json_object_set_new(k, "recipient", json_string(recipient));
		json_array_append_new(list, k);
	}
	free(purpose);
	return bad;
}

static bool in_force(const json_t *k, const char *day)
{
	const char *given = ip_str(k, "given"), *withdrawn = ip_str(k, "withdrawn");
	return given && strcmp(given, day) <= 0 && !(withdrawn && strcmp(withdrawn, day) <= 0);
}

/* Does consent entry k fall under the request want {purpose, recipient?}?
 * Without a recipient, every recipient of that purpose does. */
static bool covers(const json_t *want, const json_t *k)
{
	const char *r = ip_str(want, "recipient"), *kr = ip_str(k, "recipient");
	return !strcmp(ip_str(want, "purpose"), ip_str(k, "purpose")) &&
	       (!r || (kr && !strcmp(r, kr)));
}

static void give(json_t *c, const json_t *want, const char *day)
{
	json_t *list = json_object_get(c, "consent");
	size_t i;
	json_t *k;
	const char *r = ip_str(want, "recipient");
	json_array_foreach(list, i, k)
		if (covers(want, k) && !ip_str(k, "recipient") == !r && in_force(k, day))
			return;  /* in force already */
	if (!list)
		json_object_set_new(c, "consent", list = json_array());
	json_t *entry = json_deep_copy(want);
	json_object_set_new(entry, "given", json_string(day));
	json_array_append_new(list, entry);
	say("gave consent %s%s%s", ip_str(want, "purpose"), r ? ":" : "", r ? r : "");
}

/* Withdrawing a referral consent withdraws what it allowed: the open
 * referrals this centre made to that recipient (a partner, or every
 * partner in that country), as the referring centre's own move. */
static int revoke_referrals(struct ip_lifecycle *l, json_t *c, const char *name,
                            const char *recipient, const char *day)
{
	const char *centre = ip_str(json_object_get(c, "centre"), "id");
	size_t i;
	json_t *ref;
	json_array_foreach(json_object_get(c, "referrals"), i, ref) {
		const char *to = ip_str(ref, "to"), *from = ip_str(ref, "from");
		bool ours = !from || (centre && !strcmp(from, centre));
		bool open = ip_referral_is_open(ref);
		const char *country = partner_country(l->directory, to);
		bool theirs = !recipient || !strcmp(to, recipient) ||
		              (country && !strcmp(country, recipient));
		if (!ours || !open || !theirs)
			continue;
		json_t *step = json_pack("{s:s, s:s, s:s}", "status", "revoked", "date", day,
		                         "reason", "client-refused");
		char path[48];
		snprintf(path, sizeof path, "referrals[%zu]", i);
		int rc = ip_referral_step(ref, step, IP_SIDE_CENTRE, l->today,
		                          &(struct ip_where){name, 0, 0, path});
		json_decref(step);
		if (rc)
			return rc;
		say("withdrew referral %s to %s", ip_str(ref, "id"), to);
	}
	return IP_EXIT_OK;
}

static int withdraw(struct ip_lifecycle *l, json_t *c, const char *name, const json_t *want,
                    const char *day)
{
	size_t i, n = 0;
	json_t *k;
	json_array_foreach(json_object_get(c, "consent"), i, k) {
		/* (in force on the day: given by then, so never withdrawn before) */
		if (!covers(want, k) || !in_force(k, day))
			continue;
		json_object_set_new(k, "withdrawn", json_string(day));
		n++;
	}
	const char *r = ip_str(want, "recipient"), *purpose = ip_str(want, "purpose");
	if (!n) {
		ip_error(&(struct ip_where){name, 0, 0, "consent"}, "no consent to %s%s%s in force "
		         "on %s: nothing to withdraw", purpose, r ? ":" : "", r ? r : "", day);
		return IP_EXIT_DATAERR;
	}
	say("withdrew consent %s%s%s", purpose, r ? ":" : "", r ? r : "");
	return strcmp(purpose, "referral") ? IP_EXIT_OK : revoke_referrals(l, c, name, r, day);
}

/* ---- dates --------------------------------------------------------------- */

/* A day for an event of case c: not after today, not before it opened. */
static int plausible_day(const struct ip_lifecycle *l, const json_t *c, const char *name,
                         const char *label, const char *day)
{
	const char *opened = ip_str(c, "opened");
	if (strcmp(day, l->today) > 0)
		ip_error(&(struct ip_where){name, 0, 0, label}, "%s is in the future (today is %s)",
		         day, l->today);
	else if (opened && strcmp(day, opened) < 0)
		ip_error(&(struct ip_where){name, 0, 0, label}, "%s is before the case was opened "
		         "(%s)", day, opened);
	else
		return IP_EXIT_OK;
	return IP_EXIT_DATAERR;
}

/* ---- corrections ---------------------------------------------------------- */

/* The object at a dotted path's parent, made where missing. */
static json_t *parent_of(json_t *c, const char *path, const char **leaf)
{
	json_t *obj = c;
	const char *part = path, *dot;
	while ((dot = strchr(part, '.'))) {
		char *key = ip_xasprintf("%.*s", (int)(dot - part), part);
		json_t *next = json_object_get(obj, key);
		if (!json_is_object(next))
			json_object_set_new(obj, key, next = json_object());
		free(key);
		obj = next;
		part = dot + 1;
	}
	*leaf = part;
	return obj;
}

/* Values no correction may take: a birth in the future, a planned
 * departure that has passed. */
static int implausible(const struct ip_lifecycle *l, const char *name, const char *path,
                       const json_t *v)
{
	const char *day = json_string_value(v);
	if (!strcmp(path, "person.birth_date") && day && strcmp(day, l->today) > 0)
		ip_error(&(struct ip_where){name, 0, 0, path}, "%s is in the future (today is %s)",
		         day, l->today);
	else if (!strcmp(path, "return.planned_departure") && day && strcmp(day, l->today) < 0)
		ip_error(&(struct ip_where){name, 0, 0, path}, "%s has passed (today is %s): a "
		         "departure that happened is recorded with ip-plan departure", day,
		         l->today);
	else
		return 0;
	return 1;
}

static int correct(struct ip_lifecycle *l, json_t *c, const char *name)
{
	const char *path;
	json_t *v;
	int bad = 0;
	json_object_foreach(l->fields, path, v) {
		if (implausible(l, name, path, v)) {
			bad++;
			continue;
		}
		const char *leaf;
		json_t *obj = parent_of(c, path, &leaf);
		if (json_equal(json_object_get(obj, leaf), v))
			continue;
		json_object_set(obj, leaf, v);
		say("corrected %s", path);
	}
	return bad ? IP_EXIT_DATAERR : IP_EXIT_OK;
}

/* ---- closing and reopening ------------------------------------------------ */

static int close_case(struct ip_lifecycle *l, json_t *c, const char *name)
{
	const char *day = l->date ? l->date : l->today, *outcome = ip_str(c, "outcome");
	if (!strcmp(ip_str(c, "status"), "closed")) {
		if (outcome && !strcmp(outcome, l->outcome))
			return IP_EXIT_OK;  /* closed so already */
		ip_error(&(struct ip_where){name, 0, 0, "status"}, "closed already (%s, on %s): "
		         "reopen it first to close it otherwise", outcome ? outcome : "?",
		         ip_str(c, "closed") ? ip_str(c, "closed") : "?");
		return IP_EXIT_DATAERR;
	}
	if (plausible_day(l, c, name, "--date", day))
		return IP_EXIT_DATAERR;
	ip_case_advance(c, "closed", day);
	json_object_set_new(c, "outcome", json_string(l->outcome));
	json_object_set_new(c, "closed", json_string(day));
	say("closed: %s", l->outcome);
	return IP_EXIT_OK;
}

/* The status a closed case had: the furthest it got before closing, by
 * the days it reached each. */
static const char *status_before_closing(const json_t *c)
{
	const json_t *dates = json_object_get(c, "status_dates");
	const char *best = "intake";
	size_t i;
	json_t *e;
	json_array_foreach(ip_vocab_entries("case-status"), i, e) {
		const char *id = ip_str(e, "id");
		if (strcmp(id, "closed") && json_object_get(dates, id))
			best = id;
	}
	const json_t *ret = json_object_get(c, "return");
	if (!json_object_get(dates, best) || !strcmp(best, "intake")) {
		/* a case from before status_dates: what its dates say */
		if (ip_str(ret, "arrived"))
			best = "arrived";
		else if (ip_str(ret, "departed"))
			best = "departed";
		else if (json_object_get(c, "plan"))
			best = "planned";
		else if (json_array_size(json_object_get(c, "assessments")))
			best = "assessed";
	}
	return best;
}

static int reopen_case(struct ip_lifecycle *l, json_t *c, const char *name)
{
	if (strcmp(ip_str(c, "status"), "closed")) {
		ip_error(&(struct ip_where){name, 0, 0, "status"}, "is %s, not closed: nothing to "
		         "reopen", ip_str(c, "status"));
		return IP_EXIT_DATAERR;
	}
	json_object_set_new(c, "status", json_string(status_before_closing(c)));
	json_object_del(c, "outcome");
	json_object_del(c, "closed");
	json_object_del(json_object_get(c, "status_dates"), "closed");
	say("reopened: %s", l->reason);
	return IP_EXIT_OK;
}

/* ---- erasure -------------------------------------------------------------- */

/* A closed case becomes its tombstone: the id, the centre, the status and
 * outcome, the years it was opened and closed and its record key, so the
 * reports of past years stay as they were; nothing of the person, the
 * plan, the referrals, consent, notes or history. */
static int erase(struct ip_lifecycle *l, json_t *c, const char *name)
{
	if (json_object_get(c, "erased"))
		return IP_EXIT_OK;  /* erased already */
	if (strcmp(ip_str(c, "status"), "closed")) {
		ip_error(&(struct ip_where){name, 0, 0, "status"}, "is %s: close it first "
		         "(ip-case close --outcome ...), then erase it", ip_str(c, "status"));
		return IP_EXIT_DATAERR;
	}
	const char *opened = ip_str(c, "opened"), *closed = ip_str(c, "closed");
	json_t *tomb = json_pack("{s:O, s:O, s:O, s:O, s:I, s:{s:O}, s:s, s:I, s:I}",
	                         "schema", json_object_get(c, "schema"),
	                         "id", json_object_get(c, "id"),
	                         "status", json_object_get(c, "status"),
	                         "outcome", json_object_get(c, "outcome"),
	                         "record_key", (json_int_t)ip_case_record_key(c),
	                         "centre", "id", json_object_get(json_object_get(c, "centre"), "id"),
	                         "erased", l->today,
	                         "opened_year", (json_int_t)atoi(opened ? opened : l->today),
	                         "closed_year", (json_int_t)atoi(closed ? closed : l->today));
	const json_t *state = json_object_get(json_object_get(c, "centre"), "state");
	if (state)
		json_object_set(json_object_get(tomb, "centre"), "state", (json_t *)state);
	json_object_clear(c);
	json_object_update(c, tomb);
	json_decref(tomb);
	say("erased: only what reports need is kept");
	return IP_EXIT_OK;
}

/* ---- transfer ------------------------------------------------------------- */

/* A field that may be missing, as text to compare. */
static const char *or_empty(const char *text)
{
	return text ? text : "";
}

/* The id a case closed as transferred has at centre, or NULL. */
static const char *transferred_to(const json_t *c, const char *centre)
{
	size_t i;
	json_t *link;
	json_array_foreach(json_object_get(c, "links"), i, link) {
		const char *id = ip_str(link, "case");
		if (!strcmp(or_empty(ip_str(link, "relation")), "transferred") && ip_case_id_of(id, centre))
			return id;
	}
	return NULL;
}

/* A referral still open (pending or accepted): its index, or -1. */
static long open_referral(const json_t *c)
{
	size_t i;
	json_t *ref;
	json_array_foreach(json_object_get(c, "referrals"), i, ref)
		if (ip_referral_is_open(ref))
			return (long)i;
	return -1;
}

/* May case c leave for l->to? A closed case only once (closed as
 * transferred there: nothing to do), with consent, no open referral (its
 * partner answers the centre that sent it) and a plausible day. */
static int may_transfer(struct ip_lifecycle *l, const json_t *c, const char *name,
                        const char *day)
{
	const char *to = ip_str(l->to, "id");
	struct ip_where w = {name, 0, 0, "status"};
	if (!strcmp(ip_str(c, "status"), "closed")) {
		const char *as = transferred_to(c, to);
		if (!as) {
			ip_error(&w, "closed already (%s, on %s): reopen it first to transfer it",
			         ip_str(c, "outcome"), ip_str(c, "closed"));
			return IP_EXIT_DATAERR;
		}
		if (!l->quiet)
			ip_warn(&w, "transferred to %s already (as %s, on %s): nothing sent; reopen "
			        "it to send it again", to, as, ip_str(c, "closed"));
		return IP_EXIT_OK;
	}
	char why[300];
	long open = open_referral(c);
	if (!ip_consent_to(c, "transfer", l->to, day, why, sizeof why)) {
		ip_error(&(struct ip_where){name, 0, 0, "consent"}, "%s; nothing sent", why);
		return IP_EXIT_NOPERM;
	}
	if (open >= 0) {
		char path[32];
		snprintf(path, sizeof path, "referrals[%ld]", open);
		const json_t *ref = json_array_get(json_object_get(c, "referrals"), (size_t)open);
		ip_error(&(struct ip_where){name, 0, 0, path}, "referral %s to %s is open and "
		         "cannot move with the case (its partner answers this centre): withdraw it "
		         "(ip-refer update --status revoked) or wait for its end; nothing sent",
		         ip_str(ref, "id"), ip_str(ref, "to"));
		return IP_EXIT_DATAERR;
	}
	return plausible_day(l, c, name, "--date", day);
}

/* The case leaves whole for l->to, under an id there; this centre closes
 * its copy as transferred, linked to that id. */
static int transfer(struct ip_lifecycle *l, json_t *c, const char *name)
{
	const char *day = l->date ? l->date : l->today, *to = ip_str(l->to, "id");
	int rc = may_transfer(l, c, name, day);
	if (rc || !strcmp(ip_str(c, "status"), "closed"))
		return rc;
	char *id = ip_case_id_new(to, atoi(day));
	l->package = json_pack("{s:s, s:{s:s, s:O, s:s, s:s, s:s}, s:o}", "schema",
	                       IP_TRANSFER_SCHEMA, "transfer", "id", id, "case",
	                       json_object_get(c, "id"), "from", ip_get_str(c, "centre.id"),
	                       "to", to, "date", day, "case", json_deep_copy(c));
	ip_package_seal(l->package);
	ip_case_advance(c, "closed", day);
	json_object_set_new(c, "outcome", json_string("transferred"));
	json_object_set_new(c, "closed", json_string(day));
	json_t *links = json_object_get(c, "links");
	if (!links)
		json_object_set_new(c, "links", links = json_array());
	json_array_append_new(links, json_pack("{s:s, s:s}", "case", id, "relation",
	                                       "transferred"));
	say("transferred to %s as %s", to, id);
	free(id);
	return IP_EXIT_OK;
}

/* A problem of a received transfer package at path. */
static void refuse(const struct ip_doc *pkg, const char *path, int *problems,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void refuse(const struct ip_doc *pkg, const char *path, int *problems,
                   const char *fmt, ...)
{
	struct ip_where w = ip_doc_where(pkg, path);
	w.path = path;
	char text[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, _(fmt), ap);
	va_end(ap);
	ip_error(&w, "%s; nothing opened", text);
	(*problems)++;
}

int ip_lifecycle_transfer_check(const struct ip_doc *pkg, const json_t *directory,
                                const char *centre)
{
	const json_t *t = json_object_get(pkg->root, "transfer");
	const json_t *c = json_object_get(pkg->root, "case");
	const char *from = ip_str(t, "from"), *to = ip_str(t, "to"), *id = ip_str(t, "id");
	const json_t *sender = ip_find_id(json_object_get(directory, "partners"), from);
	int problems = 0;
	if (strcmp(to, centre))
		refuse(pkg, "transfer.to", &problems, "the case is transferred to %s; this "
		       "repository is %s", to, centre);
	else if (!ip_case_id_of(id, centre))
		refuse(pkg, "transfer.id", &problems, "'%s' is not an id of a case of %s", id,
		       centre);
	if (strcmp(or_empty(ip_str(sender, "kind")), "counselling-centre"))
		refuse(pkg, "transfer.from", &problems, "%s is not a counselling centre of the "
		       "partner directory: only a centre transfers its cases", from);
	if (strcmp(or_empty(ip_str(c, "id")), ip_str(t, "case")))
		refuse(pkg, "case.id", &problems, "the case is %s, not %s the transfer names",
		       ip_str(c, "id"), ip_str(t, "case"));
	else if (!ip_case_id_of(ip_str(c, "id"), from) ||
	         strcmp(or_empty(ip_get_str(c, "centre.id")), from))
		refuse(pkg, "case.centre.id", &problems, "the case is not one of %s, which sent it",
		       from);
	if (!strcmp(or_empty(ip_str(c, "status")), "closed"))
		refuse(pkg, "case.status", &problems, "a closed case is not transferred");
	long open = open_referral(c);
	if (open >= 0) {
		char path[40];
		snprintf(path, sizeof path, "case.referrals[%ld]", open);
		refuse(pkg, path, &problems, "an open referral does not move with a case");
	}
	return problems;
}

json_t *ip_lifecycle_transferred(const json_t *pkg, const char *state, const char *today)
{
	const json_t *t = json_object_get(pkg, "transfer");
	const char *id = ip_str(t, "id");
	json_t *c = json_deep_copy(json_object_get(pkg, "case"));
	json_object_set(c, "id", json_object_get(t, "id"));
	json_t *centre = json_pack("{s:O}", "id", json_object_get(t, "to"));
	if (state)
		json_object_set_new(centre, "state", json_string(state));
	json_object_set_new(c, "centre", centre);
	json_object_set_new(c, "record_key", json_integer(ip_record_key_new(id)));
	json_object_set_new(c, "opened", json_string(today));
	json_t *counsellors = json_object_get(c, "counsellors");
	json_object_del(counsellors, "host");
	if (counsellors && !json_object_size(counsellors))
		json_object_del(c, "counsellors");
	json_t *links = json_object_get(c, "links");
	if (!links)
		json_object_set_new(c, "links", links = json_array());
	json_array_append_new(links, json_pack("{s:O, s:s}", "case", json_object_get(t, "case"),
	                                       "relation", "transferred"));
	return c;
}

/* ---- the change ------------------------------------------------------------ */

static int consent(struct ip_lifecycle *l, json_t *c, const char *name)
{
	const char *day = l->date ? l->date : l->today;
	if (strcmp(day, l->today) > 0) {
		ip_error(&(struct ip_where){name, 0, 0, "--date"}, "%s is in the future (today is "
		         "%s)", day, l->today);
		return IP_EXIT_DATAERR;
	}
	size_t i;
	json_t *want;
	int rc = IP_EXIT_OK;
	json_array_foreach(l->give, i, want)
		give(c, want, day);
	json_array_foreach(l->withdraw, i, want)
		if (!rc)
			rc = withdraw(l, c, name, want, day);
	return rc;
}

int ip_lifecycle_apply(struct ip_lifecycle *l, json_t *c, const char *name,
                       const char **what)
{
	summary[0] = '\0';
	if (json_object_get(c, "erased") && l->change != IP_LIFE_ERASE) {
		ip_error(&(struct ip_where){name, 0, 0, "erased"}, "the case was erased on %s: "
		         "nothing of it is left to change", ip_str(c, "erased"));
		return IP_EXIT_DATAERR;
	}
	int rc = l->change == IP_LIFE_SET ? correct(l, c, name)
	       : l->change == IP_LIFE_CONSENT ? consent(l, c, name)
	       : l->change == IP_LIFE_CLOSE ? close_case(l, c, name)
	       : l->change == IP_LIFE_REOPEN ? reopen_case(l, c, name)
	       : l->change == IP_LIFE_ERASE ? erase(l, c, name)
	                                    : transfer(l, c, name);
	*what = !rc && summary[0] ? summary : NULL;
	return rc;
}
