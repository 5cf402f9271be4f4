#include "ip_case.h"
#include "ip_arena.h"
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
#include <stdarg.h>
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

/* Each rule reads the case's core (ip_case.h), so that the tree a command
 * holds and the one pass of a report over many files (ip_onepass.h) are
 * held to the same rules, written once. */
struct relations {
	const struct ip_case_core *k;
	struct ip_doc *doc;  /* NULL: problems are only counted */
	const char *file;
	int problems;
};

static void problem(struct relations *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct relations *c, const char *path, const char *fmt, ...)
{
	c->problems++;
	if (!c->doc)
		return;
	char *text;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&text, _(fmt), ap) < 0)
		ip_oom();
	va_end(ap);
	int ignored = 0;
	ip_doc_problem(c->doc, &ignored, path, "%s", text);
	free(text);
}

static void check_unique_ids(struct relations *c, const struct ip_case_list *list,
                             const char *path)
{
	for (size_t i = 0; i < list->n; i++) {
		const struct ip_case_item *it = &list->v[i];
		for (size_t j = 0; it->a && j < i; j++) {
			if (list->v[j].a && !strcmp(list->v[j].a, it->a)) {
				char *cp = ip_xasprintf("%s[%zu].id", path, it->index);
				problem(c, cp, "duplicate id '%s' in %s", it->a, path);
				free(cp);
				break;
			}
		}
	}
}

/* A case in a repository's cases/ directory is named after its id, so
 * that ids stay unique and a path can be found from an id. */
static void check_file_name(struct relations *c, const char *id)
{
	const char *file = c->file;
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

static void check_relations(struct relations *c)
{
	const struct ip_case_core *k = c->k;
	if (k->id && ip_case_id_valid(k->id)) {
		check_file_name(c, k->id);
		if (k->centre && !ip_case_id_of(k->id, k->centre))
			problem(c, "id", "id '%s' does not start with the centre id '%s'",
			        k->id, k->centre);
	}
	if (k->centre && !ip_centre_id_valid(k->centre))
		problem(c, "centre.id", "'%s' is not a valid centre id (A-Z, 0-9 and '-', "
		        "like BY-MUC)", k->centre);
	/* (an unknown code was reported already) */
	if (k->state && ip_code_known(IP_CODES_REGION, k->state) && strncmp(k->state, "DE-", 3))
		problem(c, "centre.state", "'%s' is not a German Land (DE-XX)", k->state);
	if (k->country && k->region &&
	    (strncmp(k->region, k->country, 2) || k->region[2] != '-'))
		problem(c, "return.region", "region '%s' is not in the return country '%s'",
		        k->region, k->country);
	if (k->status && !strcmp(k->status, "closed") && !k->outcome)
		problem(c, "status", "a closed case needs an outcome");
	if (k->status && strcmp(k->status, "closed") && k->outcome)
		problem(c, "outcome", "only a closed case has an outcome (status is '%s')",
		        k->status);
	check_unique_ids(c, &k->measures, "plan.measures");
	check_unique_ids(c, &k->referrals, "referrals");
	if (k->record_key > (long long)UINT32_MAX)
		problem(c, "record_key", "record key %lld is out of range (0 to 4294967295)",
		        k->record_key);
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
static void check_consent(struct relations *c)
{
	for (size_t i = 0; i < c->k->consents.n; i++) {
		const struct ip_case_item *it = &c->k->consents.v[i];
		const char *purpose = it->a, *to = it->b;
		bool unknown = to && *to && !ip_code_known(IP_CODES_COUNTRY, to) &&
		               !ip_centre_id_valid(to);
		bool unnamed = !to && purpose && ip_consent_needs_recipient(purpose);
		if (!unknown && !unnamed)
			continue;  /* a report asks this of every case: no path made */
		char path[48];
		snprintf(path, sizeof path, "consent[%zu].recipient", it->index);
		if (unknown)
			problem(c, path, "'%s' is neither a country code nor a partner's id (like "
			        "AF-KBL-PH)", to);
		else
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
static void check_dates(struct relations *c)
{
	const struct ip_case_core *k = c->k;
	char today[11];
	ip_date_str(ip_now(), today);
	if (k->birth && strcmp(k->birth, today) > 0)
		problem(c, "person.birth_date", "%s is in the future (today is %s)", k->birth,
		        today);
	else
		in_order(c, "person.birth_date", k->birth, k->opened,
		         N_("the case was opened on %s, before this birth date (%s)"));
	in_order(c, "closed", k->opened, k->closed,
	         N_("closed on %s, before the case was opened (%s)"));
	in_order(c, "return.arrived", k->departed, k->arrived,
	         N_("arrived on %s, before the departure (%s)"));
	for (size_t i = 0; i < k->follow_ups.n; i++) {
		const char *done = k->follow_ups.v[i].a;
		char path[48];
		snprintf(path, sizeof path, "plan.follow_ups[%zu].done", k->follow_ups.v[i].index);
		if (done && !k->arrived)
			problem(c, path, "a follow-up done on %s, but no arrival is recorded: "
			        "follow-ups come after the return", done);
		else
			in_order(c, path, k->arrived, done,
			         N_("a follow-up done on %s, before the arrival (%s)"));
	}
}

int ip_case_rules(const struct ip_case_core *k, struct ip_doc *doc, const char *file)
{
	struct relations c = {k, doc, file, 0};
	if (k->erased) {
		if (k->id && ip_case_id_valid(k->id))
			check_file_name(&c, k->id);
		return c.problems;
	}
	check_relations(&c);
	check_consent(&c);
	check_dates(&c);
	return c.problems;
}

/* ---- the core, from a tree ------------------------------------------------ */

void ip_case_list_add(struct ip_case_list *l, size_t index, const char *a, const char *b)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = ip_scratch_realloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = (struct ip_case_item){index, a, b};
}

static void list_of(struct ip_case_list *l, const json_t *list, const char *a,
                    const char *b)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
		ip_case_list_add(l, i, ip_str(item, a), b ? ip_str(item, b) : NULL);
}

static void core_of(const json_t *root, struct ip_case_core *k)
{
	*k = (struct ip_case_core){0};
	k->erased = json_object_get(root, "erased") != NULL;
	k->id = ip_str(root, "id");
	if (k->erased)
		return;
	k->centre = ip_get_str(root, "centre.id");
	k->state = ip_get_str(root, "centre.state");
	k->country = ip_get_str(root, "return.country");
	k->region = ip_get_str(root, "return.region");
	k->status = ip_str(root, "status");
	k->outcome = ip_str(root, "outcome");
	k->opened = ip_str(root, "opened");
	k->closed = ip_str(root, "closed");
	k->birth = ip_get_str(root, "person.birth_date");
	k->departed = ip_get_str(root, "return.departed");
	k->arrived = ip_get_str(root, "return.arrived");
	const json_t *key = json_object_get(root, "record_key");
	k->record_key = json_is_integer(key) ? (long long)json_integer_value(key) : 0;
	list_of(&k->measures, ip_get(root, "plan.measures"), "id", NULL);
	list_of(&k->referrals, json_object_get(root, "referrals"), "id", NULL);
	list_of(&k->consents, json_object_get(root, "consent"), "purpose", "recipient");
	list_of(&k->follow_ups, ip_get(root, "plan.follow_ups"), "done", NULL);
}

void ip_case_core_free(struct ip_case_core *k)
{
	ip_scratch_free(k->measures.v);
	ip_scratch_free(k->referrals.v);
	ip_scratch_free(k->consents.v);
	ip_scratch_free(k->follow_ups.v);
}

uint32_t ip_case_record_key(const json_t *c)
{
	const json_t *key = json_object_get(c, "record_key");
	return ip_case_record_key_of(json_is_integer(key), json_integer_value(key), ip_str(c, "id"));
}

uint32_t ip_case_record_key_of(bool given, long long key, const char *id)
{
	if (given)
		return (uint32_t)key;
	/* a case from before record keys: one derived from its id, until a
	 * command next writes it and gives it its own */
	return (uint32_t)(ip_mix64(ip_fnv1a(id ? id : "", IP_FNV_BASIS)) >> 32);
}

int ip_case_validate(struct ip_doc *doc)
{
	bool erased = json_object_get(doc->root, "erased") != NULL;
	/* a tombstone (ip-case erase) has a schema of its own */
	int problems = erased ? ip_validate(doc, &ip_tombstone_schema, N_("an erased case"))
	                      : ip_validate(doc, &ip_case_schema, N_("a case"));
	if (erased || json_is_object(doc->root)) {
		struct ip_case_core k;
		core_of(doc->root, &k);
		problems += ip_case_rules(&k, doc, doc->file);
		ip_case_core_free(&k);
		if (!erased)
			problems += ip_merge_report(doc);
	}
	return problems;
}

int ip_case_parse(const char *file, const char *buf, size_t len,
                  const struct ip_limits *lim, struct ip_docs *docs)
{
	int rc = ip_docs_parse(file, buf, len, IP_SYNTAX_AUTO, lim, docs);
	if (!rc && docs->n != 1) {
		ip_error(&(struct ip_where){file, 0, 0, NULL},
		         "expected one case in the file, found %zu documents", docs->n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && ip_case_validate(&docs->v[0]))
		rc = IP_EXIT_DATAERR;
	return rc;
}

int ip_case_load(const char *path, const struct ip_limits *lim, struct ip_docs *docs)
{
	char *buf;
	size_t len;
	int rc = ip_read_scratch(path, lim->max_bytes, &buf, &len, NULL);
	if (rc)
		return rc;
	rc = ip_case_parse(ip_input_name(path), buf, len, lim, docs);
	ip_scratch_free(buf);
	return rc;
}

void ip_case_warm_up(int threads)
{
	static bool done;
	if (done)
		return;
	done = true;
	ip_codes_load_all(threads);  /* first: it sets jansson's hash seed */
	ip_vocab_all();
	ip_programmes();
}
