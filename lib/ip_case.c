#include "ip_case.h"
#include "ip_codes.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_merge.h"
#include "ip_schema.h"
#include "ip_vocab.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* The login name, looked up once: getlogin(3) reads utmp and may ask NSS,
 * too slow to repeat for every case of a batch. */
static const char *login_name(void)
{
	static char name[64];
	if (*name)
		return name;
	const char *login = getlogin();
	struct passwd *pw = login && *login ? NULL : getpwuid(getuid());
	if (login && *login)
		snprintf(name, sizeof name, "%s", login);
	else if (pw && pw->pw_name)
		snprintf(name, sizeof name, "%s", pw->pw_name);
	else
		snprintf(name, sizeof name, "uid-%u", (unsigned)getuid());
	return name;
}

const char *ip_actor(const char *option)
{
	if (option && *option)
		return option;
	const char *env = getenv("IP_ACTOR");
	if (env && *env)
		return env;
	return login_name();
}

void ip_history_add(json_t *c, const char *actor, const char *cmd,
                    const char *what)
{
	char at[21];
	ip_datetime_str(ip_now(), at);
	json_t *history = json_object_get(c, "history");
	if (!json_is_array(history)) {
		history = json_array();
		json_object_set_new(c, "history", history);
	}
	json_array_append_new(history, json_pack("{s:s, s:s, s:s, s:s}", "at", at,
	                                          "by", actor, "cmd", cmd, "what", what));
}

/* Status moves forward only: the case-status vocabulary is in order. */
void ip_case_advance(json_t *c, const char *to, const char *date)
{
	const char *status = ip_str(c, "status");
	long at = -1, want = -1;
	size_t i;
	json_t *e;
	json_array_foreach(ip_vocab_entries("case-status"), i, e) {
		if (status && !strcmp(ip_str(e, "id"), status))
			at = (long)i;
		if (!strcmp(ip_str(e, "id"), to))
			want = (long)i;
	}
	if (at >= want)
		return;
	json_object_set_new(c, "status", json_string(to));
	json_t *dates = json_object_get(c, "status_dates");
	if (!json_is_object(dates))
		json_object_set_new(c, "status_dates", dates = json_object());
	if (date && !json_object_get(dates, to))
		json_object_set_new(dates, to, json_string(date));
}

/* ---- rules across fields ------------------------------------------------ */

struct relations {
	struct ip_doc *doc;
	int problems;
};

#define problem(c, path, ...) ip_doc_problem((c)->doc, &(c)->problems, path, __VA_ARGS__)

static void check_unique_ids(struct relations *c, json_t *list, const char *path)
{
	json_t *seen = json_object();
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		const char *id = ip_str(item, "id");
		if (!id)
			continue;
		if (json_object_get(seen, id)) {
			char *cp = ip_xasprintf("%s[%zu].id", path, i);
			problem(c, cp, "duplicate id '%s' in %s", id, path);
			free(cp);
		}
		json_object_set_new(seen, id, json_true());
	}
	json_decref(seen);
}

/* A case in a repository's cases/ directory is named after its id, so
 * that ids stay unique and a path can be found from an id. */
static void check_file_name(struct relations *c, const char *id)
{
	const char *file = c->doc->file;
	const char *base = strrchr(file, '/');
	if (!base)
		return;
	size_t dir_len = (size_t)(base - file);
	if (!(dir_len == 5 && !strncmp(file, "cases", 5)) &&
	    !(dir_len > 5 && !strncmp(base - 6, "/cases", 6)))
		return;
	base++;
	const char *dot = strrchr(base, '.');
	if (!dot || (size_t)(dot - base) != strlen(id) || strncmp(base, id, strlen(id)))
		problem(c, "id", "id '%s' does not match the file name '%s'", id, base);
}

static void check_relations(struct relations *c, json_t *root)
{
	const char *id = ip_str(root, "id");
	const char *centre = ip_get_str(root, "centre.id");
	if (id && ip_case_id_valid(id)) {
		check_file_name(c, id);
		if (centre && !ip_case_id_of(id, centre))
			problem(c, "id", "id '%s' does not start with the centre id '%s'",
			        id, centre);
	}
	if (centre && !ip_centre_id_valid(centre))
		problem(c, "centre.id", "'%s' is not a valid centre id (A-Z, 0-9 and '-', "
		        "like BY-MUC)", centre);
	const char *state = ip_get_str(root, "centre.state");
	/* (an unknown code was reported already) */
	if (state && ip_code_known(IP_CODES_REGION, state) && strncmp(state, "DE-", 3))
		problem(c, "centre.state", "'%s' is not a German Land (DE-XX)", state);
	const char *country = ip_get_str(root, "return.country");
	const char *region = ip_get_str(root, "return.region");
	if (country && region && (strncmp(region, country, 2) || region[2] != '-'))
		problem(c, "return.region", "region '%s' is not in the return country '%s'",
		        region, country);
	const char *status = ip_str(root, "status");
	const char *outcome = ip_str(root, "outcome");
	if (status && !strcmp(status, "closed") && !outcome)
		problem(c, "status", "a closed case needs an outcome");
	if (status && strcmp(status, "closed") && outcome)
		problem(c, "outcome", "only a closed case has an outcome (status is '%s')",
		        status);
	check_unique_ids(c, json_object_get(json_object_get(root, "plan"), "measures"),
	                 "plan.measures");
	check_unique_ids(c, json_object_get(root, "referrals"), "referrals");
	const json_t *key = json_object_get(root, "record_key");
	if (json_is_integer(key) && json_integer_value(key) > (json_int_t)UINT32_MAX)
		problem(c, "record_key", "record key %lld is out of range (0 to 4294967295)",
		        (long long)json_integer_value(key));
}

/* ---- consent -------------------------------------------------------------- */

bool ip_consent_needs_recipient(const char *purpose)
{
	return !strcmp(purpose, "referral") || !strcmp(purpose, "follow-up") ||
	       !strcmp(purpose, "transfer");
}

/* A consent names its recipient as a country or a centre id; what goes to
 * someone (a referral, follow-up, transfer) names one. "kabul" or a path
 * would match no partner and only fail when the data should leave. */
static void check_consent(struct relations *c, json_t *root)
{
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(root, "consent"), i, k) {
		const char *purpose = ip_str(k, "purpose"), *to = ip_str(k, "recipient");
		char path[48];
		snprintf(path, sizeof path, "consent[%zu].recipient", i);
		if (to && *to && !ip_code_known(IP_CODES_COUNTRY, to) && !ip_centre_id_valid(to))
			problem(c, path, "'%s' is neither a country code nor a partner's id (like "
			        "AF-KBL-PH)", to);
		else if (!to && purpose && ip_consent_needs_recipient(purpose))
			problem(c, path, "consent to %s names its recipient: %s:PARTNER or "
			        "%s:COUNTRY", purpose, purpose, purpose);
	}
}

/* ---- plausible dates ------------------------------------------------------ */

/* a on or before b when both are given, else the problem at path: fmt
 * (marked N_) names b first, then a. */
static void in_order(struct relations *c, const char *path, const char *a, const char *b,
                     const char *fmt)
{
	if (a && b && strcmp(a, b) > 0)
		problem(c, path, fmt, b, a);
}

/* Dates that cannot be so, across fields: a birth after today or after
 * the case was opened, a closing before the opening, an arrival before
 * the departure, a follow-up before the arrival or without one. Checked
 * with every write, and by ip-check in files written before. */
static void check_dates(struct relations *c, json_t *root)
{
	char today[11];
	ip_date_str(ip_now(), today);
	const char *opened = ip_str(root, "opened"), *closed = ip_str(root, "closed");
	const char *birth = ip_get_str(root, "person.birth_date");
	const char *departed = ip_get_str(root, "return.departed");
	const char *arrived = ip_get_str(root, "return.arrived");
	if (birth && strcmp(birth, today) > 0)
		problem(c, "person.birth_date", "%s is in the future (today is %s)", birth, today);
	else
		in_order(c, "person.birth_date", birth, opened,
		         N_("the case was opened on %s, before this birth date (%s)"));
	in_order(c, "closed", opened, closed, N_("closed on %s, before the case was opened (%s)"));
	in_order(c, "return.arrived", departed, arrived,
	         N_("arrived on %s, before the departure (%s)"));
	size_t i;
	json_t *f;
	json_array_foreach(ip_get(root, "plan.follow_ups"), i, f) {
		const char *done = ip_str(f, "done");
		char path[48];
		snprintf(path, sizeof path, "plan.follow_ups[%zu].done", i);
		if (done && !arrived)
			problem(c, path, "a follow-up done on %s, but no arrival is recorded: "
			        "follow-ups come after the return", done);
		else
			in_order(c, path, arrived, done,
			         N_("a follow-up done on %s, before the arrival (%s)"));
	}
}

uint32_t ip_case_record_key(const json_t *c)
{
	const json_t *key = json_object_get(c, "record_key");
	if (json_is_integer(key))
		return (uint32_t)json_integer_value(key);
	/* a case from before record keys: one derived from its id, until a
	 * command next writes it and gives it its own */
	const char *id = ip_str(c, "id");
	return (uint32_t)(ip_mix64(ip_fnv1a(id ? id : "", IP_FNV_BASIS)) >> 32);
}

int ip_case_validate(struct ip_doc *doc)
{
	if (json_object_get(doc->root, "erased")) {  /* a tombstone: ip-case erase */
		int problems = ip_validate(doc, &ip_tombstone_schema, N_("an erased case"));
		struct relations c = {doc, 0};
		const char *id = ip_str(doc->root, "id");
		if (id && ip_case_id_valid(id))
			check_file_name(&c, id);
		return problems + c.problems;
	}
	int problems = ip_validate(doc, &ip_case_schema, N_("a case"));
	if (json_is_object(doc->root)) {
		struct relations c = {doc, 0};
		check_relations(&c, doc->root);
		check_consent(&c, doc->root);
		check_dates(&c, doc->root);
		problems += c.problems + ip_merge_report(doc);
	}
	return problems;
}

int ip_case_load(const char *path, const struct ip_limits *lim, struct ip_docs *docs)
{
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, lim, docs);
	if (!rc && docs->n != 1) {
		ip_error(&(struct ip_where){docs->n ? docs->v[0].file : path, 0, 0, NULL},
		         "expected one case in the file, found %zu documents", docs->n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && ip_case_validate(&docs->v[0]))
		rc = IP_EXIT_DATAERR;
	return rc;
}
