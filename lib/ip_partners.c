#include "ip_partners.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_referral.h"
#include "ip_schema.h"
#include "ip_share.h"
#include "ip_sign.h"
#include "ip_vocab.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A partner opens a case from a package, so these must reach it. */
static const char *const needed[] = {"person.given", "person.family", "person.birth_date",
	"person.sex", "person.nationality", "return.country", NULL};

/* A field inside a list's items needs the fields each item requires
 * (household.sex needs household.relation), or the partner's case would
 * not be valid. Assessments are exempt: intake fills their date and by. */
static const char *missing_sibling(const json_t *profile, const char *path)
{
	static char need[128];
	const char *dot = strrchr(path, '.');
	if (!dot || (size_t)(dot - path) >= sizeof need / 2)
		return NULL;
	snprintf(need, sizeof need, "%.*s", (int)(dot - path), path);
	const struct ip_field *list = ip_schema_field(need);
	if (!list || list->type != IP_T_ARRAY || list->item->type != IP_T_OBJECT ||
	    !strcmp(need, "assessments"))
		return NULL;
	size_t n = strlen(need);
	for (const struct ip_field *k = list->item->fields; k->name; k++) {
		snprintf(need + n, sizeof need - n, ".%s", k->name);
		if ((k->flags & IP_REQUIRED) && !ip_profile_covers(profile, need))
			return need;
	}
	return NULL;
}

static int check_profile(struct ip_doc *doc, size_t at, const json_t *profile)
{
	int problems = 0;
	size_t i;
	json_t *v;
	json_array_foreach(profile, i, v) {
		const char *path = json_string_value(v);
		char *where = ip_xasprintf("partners[%zu].profile[%zu]", at, i);
		struct ip_where w = ip_doc_where(doc, where);
		const char *why = ip_profile_forbidden(path);
		if (why) {
			ip_error(&w, "'%s' cannot be in a profile: %s", path, why);
			problems++;
		} else if (!ip_schema_lookup(path)) {
			ip_error(&w, "'%s' is not a field of a case (see ip-case(5))", path);
			problems++;
		} else if ((why = missing_sibling(profile, path))) {
			ip_error(&w, "'%s' needs '%s' in the profile too (a case requires it)",
			         path, why);
			problems++;
		}
		free(where);
	}
	for (const char *const *n = needed; *n; n++) {
		bool covered = false;
		json_array_foreach(profile, i, v)
			covered |= ip_path_within(*n, json_string_value(v));
		if (!covered) {
			char *where = ip_xasprintf("partners[%zu].profile", at);
			struct ip_where w = ip_doc_where(doc, where);
			ip_error(&w, "missing '%s': a partner opens its case from these fields "
			         "(person.given, person.family, person.birth_date, person.sex, "
			         "person.nationality, return.country)", *n);
			problems++;
			free(where);
		}
	}
	return problems;
}

/* age's X25519 recipients: "age1" and 58 lower-case bech32 characters. */
static bool age_recipient_valid(const char *s)
{
	static const char bech32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	if (strncmp(s, "age1", 4) || strlen(s) != 62)
		return false;
	for (const char *c = s + 4; *c; c++)
		if (!strchr(bech32, *c))
			return false;
	return true;
}

static int check_directory(struct ip_doc *doc)
{
	int problems = 0;
	json_t *seen = json_object();
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(doc->root, "partners"), i, p) {
		const char *id = ip_str(p, "id");
		const char *age = ip_str(p, "age");
		char *where = ip_xasprintf("partners[%zu]", i);
		struct ip_where w = ip_doc_where(doc, where);
		if (id && !ip_centre_id_valid(id)) {
			ip_error(&w, "'%s' is not a valid partner id (A-Z, 0-9 and '-', like "
			         "AF-KBL-PH)", id);
			problems++;
		} else if (id && json_object_get(seen, id)) {
			ip_error(&w, "duplicate partner id '%s'", id);
			problems++;
		}
		if (age && !age_recipient_valid(age)) {
			ip_error(&w, "'%s' is not an age recipient (age1..., from age-keygen)", age);
			problems++;
		}
		const char *sign = ip_str(p, "sign");
		if (sign && !ip_sign_public_valid(sign)) {
			ip_error(&w, "'%s' is not a signing key (ed25519:..., from ip-refer key)", sign);
			problems++;
		}
		if (id)
			json_object_set_new(seen, id, json_true());
		if (json_object_get(p, "profile"))
			problems += check_profile(doc, i, json_object_get(p, "profile"));
		free(where);
	}
	json_decref(seen);
	return problems;
}

/* The directory's file: the option, the repository's config (relative to
 * the repository), or the site's. */
static char *directory_path(const char *path, const struct ip_repo *repo)
{
	if (path)
		return ip_xstrdup(path);
	const char *own = repo ? ip_str(repo->config, "partners")
	                       : NULL;
	if (own)
		return own[0] == '/' ? ip_xstrdup(own) : ip_xasprintf("%s/%s", repo->dir, own);
	return ip_share_path("partners.yaml");
}

int ip_partners_load(const char *path, const struct ip_repo *repo,
                     const struct ip_limits *lim, json_t **out)
{
	char *file = directory_path(path, repo);
	struct ip_docs docs = {0};
	int rc = ip_docs_load(file, IP_SYNTAX_AUTO, lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){file, 0, 0, NULL}, "expected a partner directory, "
		         "found %zu documents", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && (ip_validate(&docs.v[0], &ip_partners_schema, N_("a partner directory")) ||
	            check_directory(&docs.v[0])))
		rc = IP_EXIT_DATAERR;
	if (!rc)
		*out = json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	free(file);
	return rc;
}

json_t *ip_partner(const json_t *dir, const char *id)
{
	return ip_find_id(json_object_get(dir, "partners"), id);
}

int ip_partner_unknown(const json_t *dir, const char *id)
{
	ip_unknown_id(&(struct ip_where){NULL, 0, 0, "--to"}, N_("unknown partner"), id,
	              json_object_get(dir, "partners"), N_("the directory"));
	return IP_EXIT_USAGE;
}

int ip_partner_to_refer(const json_t *dir, const char *to, const json_t *services,
                        json_t **partner)
{
	*partner = ip_partner(dir, to);
	if (!*partner)
		return ip_partner_unknown(dir, to);
	if (!json_object_get(*partner, "profile")) {
		ip_error(NULL, "%s takes no referrals: its directory entry has no profile "
		         "(the fields it receives)", to);
		return IP_EXIT_USAGE;
	}
	int rc = IP_EXIT_OK;
	json_t *offered = json_object_get(*partner, "services");
	size_t i;
	json_t *s;
	json_array_foreach((json_t *)services, i, s) {
		if (ip_ids_have(offered, json_string_value(s)))
			continue;
		ip_error(&(struct ip_where){NULL, 0, 0, "--service"}, "%s does not offer '%s'",
		         to, json_string_value(s));
		rc = IP_EXIT_USAGE;
	}
	return rc;
}

void ip_partners_print(const json_t *dir, bool as_data, enum ip_format f)
{
	if (as_data) {
		struct ip_buf b = {0};
		ip_emit(&b, dir, f);
		fwrite(b.s, 1, b.len, stdout);
		ip_buf_free(&b);
		return;
	}
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(dir, "partners"), i, p)
		printf("%-12s %-2s %-18s %-4s %s\n", ip_str(p, "id"), ip_str(p, "country"),
		       ip_str(p, "kind"), ip_str(p, "age") ? "age" : "-", ip_str(p, "organisation"));
}
