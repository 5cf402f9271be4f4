#include "ip_referral.h"
#include "ip_digest.h"
#include "ip_age.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_plan.h"
#include "ip_schema.h"
#include "ip_sign.h"
#include "ip_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- consent ------------------------------------------------------------ */

/* In force on today: given by then, not withdrawn by then. */
static bool in_force(const json_t *consent, const char *today)
{
	const char *given = ip_str(consent, "given");
	const char *withdrawn = ip_str(consent, "withdrawn");
	return given && strcmp(given, today) <= 0 && !(withdrawn && strcmp(withdrawn, today) <= 0);
}

bool ip_consent_in_force(const json_t *c, const char *purpose, const char *today)
{
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(c, "consent"), i, k)
		if (!strcmp(ip_str(k, "purpose"), purpose) && in_force(k, today))
			return true;
	return false;
}

bool ip_consent_to(const json_t *c, const char *purpose, const json_t *partner,
                   const char *today, char *why, size_t size)
{
	const char *id = ip_str(partner, "id"), *country = ip_str(partner, "country");
	const char *withdrawn = NULL;
	struct ip_buf others = {0};
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(c, "consent"), i, k) {
		const char *to = ip_str(k, "recipient");
		if (strcmp(ip_str(k, "purpose"), purpose))
			continue;
		if (!to || (strcmp(to, id) && strcmp(to, country))) {
			ip_buf_printf(&others, "%s%s", others.len ? ", " : "", to ? to : _("no recipient"));
			continue;
		}
		if (in_force(k, today)) {
			ip_buf_free(&others);
			return true;
		}
		withdrawn = ip_str(k, "withdrawn");
	}
	if (withdrawn)
		snprintf(why, size, _("consent to %s to %s was withdrawn on %s"), purpose, id,
		         withdrawn);
	else if (others.len)
		snprintf(why, size, _("no consent to %s to %s or its country %s (consent "
		         "covers %s)"), purpose, id, country, others.s);
	else
		snprintf(why, size, _("no consent to %s to %s (record it with ip-case "
		         "consent --give %s:%s, or for the country: %s:%s)"), purpose, id, purpose,
		         id, purpose, country);
	ip_buf_free(&others);
	return false;
}

/* ---- referrals in a case ------------------------------------------------ */

json_t *ip_referral_find(const json_t *c, const char *id)
{
	return ip_find_id(json_object_get(c, "referrals"), id);
}

bool ip_referral_is_open(const json_t *r)
{
	const char *s = ip_str(r, "status");
	return s && (!strcmp(s, "pending") || !strcmp(s, "accepted"));
}

json_t *ip_referral_open(const json_t *c, const char *partner, const json_t *services)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(c, "referrals"), i, r)
		if (!strcmp(ip_str(r, "to"), partner) && ip_referral_is_open(r) &&
		    ip_ids_any(services, json_object_get(r, "services")))
			return r;
	return NULL;
}

/* ---- the package -------------------------------------------------------- */

/* A copy of a value without what never leaves a centre, even inside a
 * field a profile names whole: notes, and x- extension keys (outside the
 * schema, so outside any profile). */
static json_t *shareable_copy(const json_t *v)
{
	if (json_is_array(v)) {
		json_t *out = json_array();
		size_t i;
		json_t *item;
		json_array_foreach((json_t *)v, i, item)
			json_array_append_new(out, shareable_copy(item));
		return out;
	}
	if (!json_is_object(v))
		return json_deep_copy(v);
	json_t *out = json_object();
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)v, key, val)
		if (strcmp(key, "note") && strcmp(key, "notes") && strncmp(key, "x-", 2))
			json_object_set_new(out, key, shareable_copy(val));
	return out;
}

/* Copy what is at a dotted path of src into dst, through mappings and
 * lists of mappings; true when anything was copied. */
static bool copy_path(const json_t *src, json_t *dst, const char *path)
{
	size_t n = strcspn(path, ".");
	json_t *v = json_object_getn(src, path, n);
	if (!v)
		return false;
	if (!path[n]) {
		json_object_setn_new(dst, path, n, shareable_copy(v));
		return true;
	}
	const char *rest = path + n + 1;
	json_t *d = json_object_getn(dst, path, n);
	bool fresh = !d, any = false;
	if (json_is_object(v)) {
		if (fresh)
			d = json_object();
		any = copy_path(v, d, rest);
	} else if (json_is_array(v)) {
		if (fresh) {
			d = json_array();
			for (size_t i = 0; i < json_array_size(v); i++)
				json_array_append_new(d, json_object());
		}
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item)
			if (json_is_object(item))
				any |= copy_path(item, json_array_get(d, i), rest);
	} else {
		return false;
	}
	if (fresh && any)
		json_object_setn_new(dst, path, n, d);
	else if (fresh)
		json_decref(d);
	return any;
}

/* Drop the empty mappings copy_path left in lists (items that had none
 * of the fields). */
static void prune(json_t *v)
{
	if (json_is_object(v)) {
		const char *key;
		json_t *val;
		json_object_foreach(v, key, val)
			prune(val);
	} else if (json_is_array(v)) {
		for (size_t i = json_array_size(v); i-- > 0;) {
			json_t *item = json_array_get(v, i);
			prune(item);
			if (json_is_object(item) && !json_object_size(item))
				json_array_remove(v, i);
		}
	}
}

/* What of a return-side measure travels: its plan, never its owner,
 * notes or the payments made from its budget (its due date goes made
 * absolute where the case knows it). */
static const char *const measure_keys[] = {"id", "dimension", "category", "side", "status",
	"budget", "programme", "addresses", "due", NULL};

/* The plan's return-side measures as the partner needs them. */
static json_t *return_measures(const json_t *c)
{
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "measures"), i, m) {
		if (strcmp(ip_str(m, "side"), "return"))
			continue;
		json_t *copy = json_object();
		for (const char *const *k = measure_keys; *k; k++)
			if (strcmp(*k, "due") && json_object_get(m, *k))
				json_object_set(copy, *k, json_object_get(m, *k));
		/* the budget as planned; the centre's payments and their
		 * references are its own books */
		json_t *budget = json_object_get(copy, "budget");
		if (json_object_get(budget, "paid")) {
			budget = json_copy(budget);
			json_object_del(budget, "paid");
			json_object_set_new(copy, "budget", budget);
		}
		char date[11];
		const char *due = ip_str(m, "due");
		if (due)
			json_object_set_new(copy, "due", json_string(ip_due_date(c, due, date)
			                                             ? date : due));
		json_array_append_new(out, copy);
	}
	return out;
}

static int cmp_json_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
	              json_string_value(*(json_t *const *)b));
}

static json_t *sorted_strings(json_t *list)
{
	size_t n = json_array_size(list);
	json_t **v = ip_xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	qsort(v, n, sizeof *v, cmp_json_str);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	json_decref(list);
	return out;
}

/* Whether case c has consent in force today to sharing health data with
 * partner (the purpose health-data, for the partner, its country or
 * anyone). */
static bool health_consent(const json_t *c, const json_t *partner, const char *today)
{
	const char *id = ip_str(partner, "id"), *country = ip_str(partner, "country");
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(c, "consent"), i, k) {
		const char *to = ip_str(k, "recipient");
		if (!strcmp(ip_str(k, "purpose"), "health-data") && in_force(k, today) &&
		    (!to || (id && !strcmp(to, id)) || (country && !strcmp(to, country))))
			return true;
	}
	return false;
}

/* Needs that are health data (Art. 9 GDPR), with the vulnerabilities. */
static bool health_need(const json_t *need)
{
	const char *cat = ip_str(need, "category");
	return cat && (!strcmp(cat, "medical") || !strcmp(cat, "psychosocial"));
}

/* A copy of case c without its health data: the assessments'
 * vulnerabilities and medical and psychosocial needs. What went that the
 * partner's profile would have had is named in left_out (if given), once
 * each. */
static json_t *without_health(const json_t *c, const json_t *profile, json_t *left_out)
{
	json_t *copy = json_deep_copy(c);
	bool vulns = false, needs = false;
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(copy, "assessments"), i, a) {
		vulns |= json_array_size(json_object_get(a, "vulnerabilities")) > 0;
		json_object_del(a, "vulnerabilities");
		json_t *list = json_object_get(a, "needs");
		for (size_t j = json_array_size(list); j-- > 0;)
			if (health_need(json_array_get(list, j))) {
				json_array_remove(list, j);
				needs = true;
			}
	}
	if (!left_out)
		return copy;
	if (vulns && ip_profile_covers(profile, "assessments.vulnerabilities"))
		json_array_append_new(left_out, json_string("assessments.vulnerabilities"));
	if (needs && ip_profile_covers(profile, "assessments.needs.category"))
		json_array_append_new(left_out, json_string("assessments.needs (medical, "
		                                            "psychosocial)"));
	return copy;
}

/* The follow-ups still to do, by when: the partner's counsellor does them
 * (and the surveys then), and reports each by its due. */
static json_t *open_follow_ups(const json_t *c)
{
	json_t *out = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "follow_ups"), i, f)
		if (!json_object_get(f, "done"))
			json_array_append_new(out, json_pack("{s:O}", "due", json_object_get(f, "due")));
	return out;
}

json_t *ip_referral_package(const json_t *case_, const json_t *partner, json_t *ref,
                            const char *from, const char *today, json_t *left_out)
{
	json_t *c = health_consent(case_, partner, today)
	          ? json_incref((json_t *)case_)
	          : without_health(case_, json_object_get(partner, "profile"), left_out);
	json_t *part = json_object(), *fields = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(partner, "profile"), i, p)
		if (copy_path(c, part, json_string_value(p)))
			json_array_append(fields, p);
	prune(part);
	json_t *measures = return_measures(c);
	json_t *follow_ups = open_follow_ups(c);
	if (json_array_size(measures) || json_array_size(follow_ups))
		json_object_set_new(part, "plan", json_object());
	if (json_array_size(measures)) {
		json_object_set(json_object_get(part, "plan"), "measures", measures);
		json_array_append_new(fields, json_string("plan.measures"));
	}
	if (json_array_size(follow_ups)) {
		json_object_set(json_object_get(part, "plan"), "follow_ups", follow_ups);
		json_array_append_new(fields, json_string("plan.follow_ups"));
	}
	json_decref(measures);
	json_decref(follow_ups);
	fields = sorted_strings(fields);
	json_object_set(ref, "fields", fields);
	json_t *pkg = json_pack("{s:s, s:{s:O, s:s, s:O, s:O, s:O, s:o}, s:o}",
	                        "schema", IP_PACKAGE_SCHEMA,
	                        "referral", "id", json_object_get(ref, "id"), "from", from,
	                        "to", json_object_get(ref, "to"),
	                        "date", json_object_get(ref, "date"),
	                        "services", json_object_get(ref, "services"), "fields", fields,
	                        "case", ip_canonical(part, &ip_case_schema));
	json_decref(part);
	json_decref(c);
	ip_package_seal(pkg);
	return pkg;
}

/* ---- what a profile and a package may hold ---------------------------- */

bool ip_path_within(const char *path, const char *top)
{
	size_t n = strlen(top);
	return !strncmp(path, top, n) && (path[n] == '\0' || path[n] == '.');
}

const char *ip_profile_forbidden(const char *path)
{
	static const struct { const char *top, *why; } never[] = {
		{"notes", N_("notes never leave the centre")},
		{"history", N_("the history never leaves the centre")},
		{"consent", N_("the consent record stays with the centre that holds it")},
		{"referrals", N_("other referrals are not the partner's business")},
		{"links", N_("links name other cases")},
		{"id", N_("the case id stays at the centre; the referral id links the case")},
		{"schema", N_("the package has its own schema")},
		{"plan", N_("the plan's return-side measures and when its follow-ups are due are "
		            "always sent; nothing else of it")},
		{"record_key", N_("the record key protects the centre's reports; it never "
		                  "leaves")},
	};
	for (size_t i = 0; i < sizeof never / sizeof *never; i++)
		if (ip_path_within(path, never[i].top))
			return _(never[i].why);
	const char *last = strrchr(path, '.');
	if (!strcmp(last ? last + 1 : path, "note"))
		return _("notes never leave the centre");
	return NULL;
}

bool ip_profile_covers(const json_t *profile, const char *path)
{
	size_t i;
	json_t *v;
	json_array_foreach(profile, i, v)
		if (ip_path_within(path, json_string_value(v)))
			return true;
	return false;
}

/* Case fields that hold special categories of personal data (GDPR Art. 9:
 * health, disability, what trafficking or violence did to a person), as
 * vulnerabilities, needs and the measures that answer them show. */
static const char *const special[] = {"assessments.vulnerabilities", "assessments.needs",
	"plan.measures", NULL};

json_t *ip_referral_special(const json_t *profile)
{
	json_t *out = json_array();
	for (const char *const *s = special; *s; s++) {
		if (!strcmp(*s, "plan.measures") || ip_profile_covers(profile, *s)) {
			json_array_append_new(out, json_string(*s));
			continue;
		}
		/* the profile may hold a part of it: assessments.needs.category */
		size_t i;
		json_t *p;
		json_array_foreach((json_t *)profile, i, p)
			if (ip_path_within(json_string_value(p), *s))
				json_array_append(out, p);
	}
	return out;
}

/* A key of a return-side measure a package carries. */
static bool measure_key(const char *key)
{
	for (const char *const *k = measure_keys; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

struct case_check {
	const struct ip_doc *pkg;
	const json_t *declared, *profile;
	const char *centre;
	int problems;
};

#define problem(x, at, ...) ip_doc_problem((x)->pkg, &(x)->problems, at, __VA_ARGS__)

/* A field of the package's case: never one that stays at a centre, and
 * only one both declared and in the receiving centre's profile. */
static void check_field(struct case_check *x, const char *path, const char *at)
{
	const char *why = ip_profile_forbidden(path);
	if (why)
		problem(x, at, "a package may not carry this: %s; nothing opened", why);
	else if (!ip_profile_covers(x->declared, path))
		problem(x, at, "not declared in referral.fields; nothing opened");
	else if (!ip_profile_covers(x->profile, path))
		problem(x, at, "not in the profile %s receives (partner directory); nothing "
		       "opened", x->centre);
}

static void check_node(struct case_check *x, const json_t *v, const char *path,
                       const char *at);

/* A list of mappings (assessments, household members). */
static bool mappings(const json_t *v)
{
	return json_is_array(v) && json_is_object(json_array_get(v, 0));
}

/* Each key of each item of a list the package carries is one allowed
 * (keep), or a problem (what it says). */
static void check_items(struct case_check *x, const json_t *list, const char *at,
                        bool (*keep)(const char *key), const char *what)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		const char *key;
		json_t *val;
		json_object_foreach((json_t *)item, key, val) {
			char *cp = ip_xasprintf("%s[%zu].%s", at, i, key);
			if (!keep(key))
				problem(x, cp, "%s", _(what));
			free(cp);
		}
	}
}

/* The follow-ups a package carries are their due dates only. */
static bool schedule_key(const char *key)
{
	return !strcmp(key, "due");
}

static void check_member(struct case_check *x, const char *key, const json_t *v,
                         const char *path, const char *at)
{
	char *p = ip_path_key(path, key), *a = ip_path_key(at, key);
	if (!strncmp(key, "x-", 2))
		problem(x, a, "extension fields never leave a centre; nothing opened");
	else if (!strcmp(p, "plan.measures"))
		check_items(x, v, a, measure_key, N_("a package carries a measure's plan, not "
		            "this; nothing opened"));
	else if (!strcmp(p, "plan.follow_ups"))
		check_items(x, v, a, schedule_key, N_("a package carries when a follow-up is due, "
		            "not this; nothing opened"));
	else if (!strcmp(p, "plan") && json_is_object(v))
		check_node(x, v, p, a);
	else if (ip_profile_forbidden(p) || !(json_is_object(v) || mappings(v)))
		check_field(x, p, a);
	else
		check_node(x, v, p, a);
	free(p);
	free(a);
}

/* Mappings are walked; a list of mappings by its items, at the list's
 * path; anything else is a field. */
static void check_node(struct case_check *x, const json_t *v, const char *path,
                       const char *at)
{
	if (mappings(v)) {
		size_t i;
		json_t *item;
		json_array_foreach((json_t *)v, i, item) {
			char *a = ip_path_index(at, i);
			check_node(x, item, path, a);
			free(a);
		}
		return;
	}
	if (!json_is_object(v)) {
		check_field(x, path, at);
		return;
	}
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)v, key, val)
		check_member(x, key, val, path, at);
}

int ip_package_check_case(const struct ip_doc *pkg, const json_t *profile,
                          const char *centre)
{
	const json_t *ref = json_object_get(pkg->root, "referral");
	struct case_check x = {pkg, json_object_get(ref, "fields"), profile, centre, 0};
	size_t i;
	json_t *f;
	json_array_foreach(x.declared, i, f) {
		const char *path = json_string_value(f);
		char *at = ip_xasprintf("referral.fields[%zu]", i);
		if (strcmp(path, "plan.measures") && strcmp(path, "plan.follow_ups"))
			check_field(&x, path, at);
		free(at);
	}
	check_node(&x, json_object_get(pkg->root, "case"), "", "case");
	return x.problems;
}

/* ---- digests ------------------------------------------------------------ */

static void digest_of(const json_t *pkg, char out[IP_DIGEST_SIZE])
{
	/* the digest covers the content; a signature covers the digest too */
	json_t *copy = json_copy((json_t *)pkg);
	json_object_del(copy, "digest");
	json_object_del(copy, "signature");
	ip_digest_json(copy, out);
	json_decref(copy);
}

void ip_package_seal(json_t *pkg)
{
	char d[IP_DIGEST_SIZE];
	digest_of(pkg, d);
	json_object_set_new(pkg, "digest", json_string(d));
}

bool ip_package_sealed(const json_t *pkg)
{
	char d[IP_DIGEST_SIZE];
	const char *have = ip_str(pkg, "digest");
	if (!have || !json_is_object(pkg))
		return false;
	digest_of(pkg, d);
	return !strcmp(have, d);
}

/* ---- the state machine -------------------------------------------------- */

/* Each move is one side's: the partner accepts, rejects and reports done;
 * the referring centre withdraws (revoked), also while the referral waits
 * for an answer. */
static const struct {
	const char *from, *to, *next;
	enum ip_side by;
} moves[] = {
	{"pending", "accepted", N_("accepted, rejected or revoked"), IP_SIDE_PARTNER},
	{"pending", "rejected", N_("accepted, rejected or revoked"), IP_SIDE_PARTNER},
	{"pending", "revoked", N_("accepted, rejected or revoked"), IP_SIDE_CENTRE},
	{"accepted", "done", N_("done or revoked"), IP_SIDE_PARTNER},
	{"accepted", "revoked", N_("done or revoked"), IP_SIDE_CENTRE},
};

enum ip_side ip_referral_mover(const char *from, const char *to)
{
	for (size_t i = 0; i < sizeof moves / sizeof *moves; i++)
		if (!strcmp(moves[i].from, from) && !strcmp(moves[i].to, to))
			return moves[i].by;
	return IP_SIDE_NONE;
}

const char *ip_referral_refuse(const char *from, const char *to)
{
	const char *next = NULL;
	for (size_t i = 0; i < sizeof moves / sizeof *moves; i++) {
		if (strcmp(moves[i].from, from))
			continue;
		if (!strcmp(moves[i].to, to))
			return NULL;
		next = moves[i].next;
	}
	return next ? _(next) : _("none: it is final");
}

static bool reason_allowed(const char *status, const char *success)
{
	return !strcmp(status, "rejected") || !strcmp(status, "revoked") ||
	       (success && !strcmp(success, "not-successful"));
}

/* The day of the referral's last step, else of the referral itself. */
static const char *last_day(const json_t *ref)
{
	const json_t *steps = json_object_get(ref, "steps");
	const char *day = ip_str(json_array_get(steps, json_array_size(steps) - 1), "date");
	return day ? day : ip_str(ref, "date");
}

int ip_referral_step(json_t *ref, const json_t *step, enum ip_side side, const char *today,
                     const struct ip_where *w)
{
	const char *id = ip_str(ref, "id"), *from = ip_str(ref, "status");
	const char *to = ip_str(step, "status"), *success = ip_str(step, "success");
	const char *reason = ip_str(step, "reason"), *date = ip_str(step, "date");
	const char *refused = ip_referral_refuse(from, to), *last = last_day(ref);
	enum ip_side mover = ip_referral_mover(from, to);
	bool bad = true;
	if (date && last && strcmp(date, last) < 0)
		ip_error(w, "referral %s: a step dated %s is before its last one (%s)", id, date,
		         last);
	else if (date && strcmp(date, today) > 0)
		ip_error(w, "referral %s: a step dated %s is in the future (today is %s)", id,
		         date, today);
	else if (refused)
		ip_error(w, "referral %s cannot go from %s to %s (next from %s: %s)", id, from,
		         to, from, refused);
	else if (mover != side && mover == IP_SIDE_PARTNER)
		ip_error(w, "referral %s: only the partner moves it to %s; the referring centre "
		         "may withdraw it (revoked)", id, to);
	else if (mover != side)
		ip_error(w, "referral %s: only the referring centre withdraws it (revoked); the "
		         "partner accepts, rejects or reports done", id);
	else if (!strcmp(to, "done") && !success)
		ip_error(w, "referral %s: done needs its success (successful or "
		         "not-successful)", id);
	else if (strcmp(to, "done") && success)
		ip_error(w, "referral %s: only done has a success (this step is %s)", id, to);
	else if (success && !strcmp(success, "not-successful") && !reason)
		ip_error(w, "referral %s: not-successful needs a reason (client-refused, "
		         "lack-of-capacity, no-longer-needed, client-unreachable, "
		         "receiver-unreachable, other)", id);
	else if (reason && !reason_allowed(to, success))
		ip_error(w, "referral %s: a reason belongs to rejected, revoked or "
		         "not-successful, not to %s", id, success ? success : to);
	else
		bad = false;
	if (bad)
		return IP_EXIT_DATAERR;
	json_t *steps = json_object_get(ref, "steps");
	if (!steps)
		json_object_set_new(ref, "steps", steps = json_array());
	json_array_append_new(steps, json_deep_copy(step));
	json_object_set(ref, "status", json_object_get(step, "status"));
	json_object_del(ref, "success");
	json_object_del(ref, "reason");
	if (success)
		json_object_set(ref, "success", json_object_get(step, "success"));
	if (reason)
		json_object_set(ref, "reason", json_object_get(step, "reason"));
	json_object_set(ref, "updated", json_object_get(step, "date"));
	return IP_EXIT_OK;
}

/* ---- the response ------------------------------------------------------- */

/* The return-side measures' status, each with the date it was set. */
static json_t *measure_news(const json_t *c)
{
	json_t *out = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "measures"), i, m) {
		if (strcmp(ip_str(m, "side"), "return") || !ip_str(m, "status"))
			continue;
		json_t *one = json_pack("{s:O, s:O}", "id", json_object_get(m, "id"), "status",
		                        json_object_get(m, "status"));
		if (ip_str(m, "status_date"))
			json_object_set(one, "date", json_object_get(m, "status_date"));
		if (ip_str(m, "started"))
			json_object_set(one, "started", json_object_get(m, "started"));
		json_array_append_new(out, one);
	}
	return out;
}

/* The follow-ups done, as the partner recorded them; a survey with its
 * answers, not the scores, which the centre works out itself. */
static json_t *follow_up_news(const json_t *c)
{
	json_t *out = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "follow_ups"), i, f) {
		if (!ip_str(f, "done"))
			continue;
		json_t *one = json_copy(f);
		const json_t *s = json_object_get(f, "survey");
		if (s)
			json_object_set_new(one, "survey", json_pack("{s:O, s:O, s:O, s:O}", "id",
			                    json_object_get(s, "id"), "date", json_object_get(s, "date"),
			                    "by", json_object_get(s, "by"), "answers",
			                    json_object_get(s, "answers")));
		json_array_append_new(out, one);
	}
	return out;
}

/* The notes the partner wrote for this referral. */
static json_t *note_news(const json_t *c, const char *referral)
{
	json_t *out = json_array();
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(c, "notes"), i, n) {
		const char *about = ip_str(n, "referral");
		if (about && !strcmp(about, referral))
			json_array_append_new(out, json_pack("{s:O, s:O}", "at", json_object_get(n, "at"),
			                                     "text", json_object_get(n, "text")));
	}
	return out;
}

static void set_unless_empty(json_t *obj, const char *key, json_t *list)
{
	if (json_array_size(list))
		json_object_set(obj, key, list);
	json_decref(list);
}

json_t *ip_referral_response(const json_t *c, const json_t *ref, const char *today)
{
	json_t *body = json_pack("{s:O, s:s, s:O, s:s, s:O}", "referral",
	                         json_object_get(ref, "id"), "from", ip_get_str(c, "centre.id"),
	                         "to", json_object_get(ref, "from"), "date", today, "seq",
	                         json_object_get(ref, "seq"));
	json_t *steps = json_object_get(ref, "steps");
	json_object_set_new(body, "steps", steps ? json_deep_copy(steps) : json_array());
	const char *arrived = ip_get_str(c, "return.arrived");
	if (arrived)
		json_object_set_new(body, "arrived", json_string(arrived));
	set_unless_empty(body, "measures", measure_news(c));
	set_unless_empty(body, "follow_ups", follow_up_news(c));
	set_unless_empty(body, "notes", note_news(c, ip_str(ref, "id")));
	json_t *resp = json_pack("{s:s, s:o}", "schema", IP_RESPONSE_SCHEMA, "response",
	                         ip_canonical(body, NULL));
	json_decref(body);
	ip_package_seal(resp);
	return resp;
}

json_t *ip_referral_intake(const json_t *pkg, const char *centre, const char *id,
                           const char *today)
{
	const json_t *in = json_object_get(pkg, "referral");
	json_t *c = json_deep_copy(json_object_get(pkg, "case"));
	json_object_set_new(c, "schema", json_string(IP_CASE_SCHEMA));
	json_object_set_new(c, "id", json_string(id));
	json_object_set_new(c, "status", json_string("intake"));
	json_object_set_new(c, "status_dates", json_pack("{s:s}", "intake", today));
	json_object_set_new(c, "opened", json_string(today));
	json_object_set_new(c, "centre", json_pack("{s:s}", "id", centre));
	json_object_set_new(c, "record_key", json_integer(ip_record_key_new(id)));
	json_t *ref = json_pack("{s:O, s:O, s:O, s:O, s:O, s:s, s:O}", "id",
	                        json_object_get(in, "id"), "from", json_object_get(in, "from"),
	                        "to", json_object_get(in, "to"), "services",
	                        json_object_get(in, "services"), "date",
	                        json_object_get(in, "date"), "status", "pending",
	                        "fields", json_object_get(in, "fields"));
	json_object_set_new(c, "referrals", json_pack("[o]", ref));
	/* An assessment shared in part still says when and by whom (here: the
	 * referring centre), as every assessment of a case must. */
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(c, "assessments"), i, a) {
		if (!json_object_get(a, "date"))
			json_object_set(a, "date", json_object_get(in, "date"));
		if (!json_object_get(a, "by"))
			json_object_set(a, "by", json_object_get(in, "from"));
	}
	return c;
}

/* ---- reading packages --------------------------------------------------- */

/* Packages of a batch travel in one file: allow many of them. */
#define PACKAGE_FILE_MAX ((size_t)1 << 28)

static int check_sealed(struct ip_docs *docs, const struct ip_field *schema,
                        const char *what)
{
	int rc = IP_EXIT_OK;
	for (size_t i = 0; i < docs->n; i++) {
		struct ip_doc *d = &docs->v[i];
		struct ip_where w = {d->file, 0, 0, NULL};
		/* Something else than a package (another file, another version) is
		 * named by the schema check, not mistaken for an altered package. */
		const char *kind = ip_str(d->root, "schema");
		bool ours = kind && !strcmp(kind, schema->fields[0].vocab) &&
		            json_object_get(d->root, "digest");
		if (ours && !ip_package_sealed(d->root)) {
			w = ip_doc_where(d, "digest");
			w.path = "digest";
			ip_error(&w, "the digest does not match the content: %s was altered or "
			         "damaged on the way; ask for it again", _(what));
			rc = IP_EXIT_DATAERR;
		} else if (ip_validate(d, schema, what)) {
			rc = IP_EXIT_DATAERR;
		}
	}
	return rc;
}

/* Who sent a document: the "from" of its referral, response or transfer. */
static const char *sender(const json_t *doc)
{
	static const char *const bodies[] = {"referral", "response", "transfer"};
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++)
		if (json_object_get(doc, bodies[i]))
			return ip_str(json_object_get(doc, bodies[i]), "from");
	return NULL;
}

/* Signed by the centre it comes from, with the key the directory holds
 * for it. */
static int check_signed(const struct ip_doc *d, const json_t *directory, const char *what)
{
	const char *signer = sender(d->root);
	const json_t *entry = ip_find_id(json_object_get(directory, "partners"), signer);
	const char *public = ip_str(entry, "sign");
	struct ip_where w = ip_doc_where(d, "signature");
	w.path = "signature";
	switch (ip_sign_verify(d->root, signer, public ? public : "")) {
	case IP_SIGN_OK:
		return IP_EXIT_OK;
	case IP_SIGN_MISSING:
		ip_error(&w, "%s is not signed: nothing from it is taken (the sender signs with "
		         "ip-refer; ask %s to send it again)", _(what), signer);
		return IP_EXIT_DATAERR;
	case IP_SIGN_SIGNER:
		ip_error(&w, "%s comes from %s but is signed by %s; nothing taken", _(what), signer,
		         ip_str(json_object_get(d->root, "signature"), "by"));
		return IP_EXIT_DATAERR;
	case IP_SIGN_BAD:
		break;
	}
	if (!public) {
		ip_error(&w, "the partner directory has no signing key for %s, so %s cannot be "
		         "trusted; nothing taken (add its key: sign: ed25519:...)", signer, _(what));
		return IP_EXIT_NOPERM;
	}
	ip_error(&w, "the signature does not match: %s was altered, or not signed by %s's "
	         "key in the partner directory; nothing taken", _(what), signer);
	return IP_EXIT_DATAERR;
}

/* A file may hold many documents, but each must fit in a case file: what
 * it brings would otherwise make a case no command can read back. */
static int check_sizes(const struct ip_docs *docs, const struct ip_limits *lim,
                       const char *what)
{
	int rc = IP_EXIT_OK;
	for (size_t i = 0; i < docs->n; i++) {
		size_t size = json_dumpb(docs->v[i].root, NULL, 0, JSON_COMPACT);
		if (size <= lim->max_bytes)
			continue;
		ip_error(&(struct ip_where){docs->v[i].file, 0, 0, NULL}, "%s of "
		         "%zu bytes is larger than a case file may be (the limit of %zu bytes; "
		         "raise it with --max-file-size)", _(what), size, lim->max_bytes);
		rc = IP_EXIT_DATAERR;
	}
	return rc;
}

int ip_package_load(const char *path, const char *identity, const json_t *directory,
                    const struct ip_field *schema, const char *what,
                    const struct ip_limits *lim, struct ip_docs *docs)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	char *buf;
	size_t len;
	int rc = ip_read_all(path, PACKAGE_FILE_MAX, &buf, &len);
	if (rc)
		return rc;
	struct ip_buf plain = {0};
	if (ip_age_encrypted(buf, len)) {
		if (!identity) {
			ip_error(&(struct ip_where){name, 0, 0, NULL}, "%s is encrypted: give "
			         "--identity KEYFILE (the key made with age-keygen)", _(what));
			rc = IP_EXIT_NOPERM;
		} else {
			rc = ip_age_decrypt(identity, name, buf, len, &plain);
		}
	}
	struct ip_limits many = *lim;
	many.max_bytes = PACKAGE_FILE_MAX;
	if (!rc)
		rc = plain.s ? ip_docs_parse(name, plain.s, plain.len, IP_SYNTAX_JSON, &many, docs)
		             : ip_docs_parse(name, buf, len, IP_SYNTAX_JSON, &many, docs);
	if (!rc)
		rc = check_sizes(docs, lim, what);
	if (!rc)
		rc = check_sealed(docs, schema, what);
	for (size_t i = 0; !rc && i < docs->n; i++)
		rc = check_signed(&docs->v[i], directory, what);
	ip_buf_free(&plain);
	free(buf);
	return rc;
}
