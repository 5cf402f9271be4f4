#include "ip_codes.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"

#include <jansson.h>
#include <stdlib.h>

static const struct {
	const char *file, *list, *key, *noun, *domain;
} sources[IP_CODES_N] = {
	[IP_CODES_COUNTRY] = {"iso_3166-1.json", "3166-1", "alpha_2", N_("country code"),
	                      "iso_3166-1"},
	[IP_CODES_REGION] = {"iso_3166-2.json", "3166-2", "code", N_("region code"),
	                     "iso_3166-2"},
	[IP_CODES_LANGUAGE] = {"iso_639-3.json", "639-3", "alpha_3", N_("language code"),
	                       "iso_639-3"},
	[IP_CODES_CURRENCY] = {"iso_4217.json", "4217", "alpha_3", N_("currency code"),
	                       "iso_4217"},
};

static json_t *sets[IP_CODES_N]; /* code -> English name */

static json_t *load_set(enum ip_codeset set)
{
	const char *dir = getenv("IP_ISO_CODES");
	if (!dir || !*dir)
		dir = "/usr/share/iso-codes/json";
	char *path = ip_xasprintf("%s/%s", dir, sources[set].file);
	json_error_t err;
	json_t *doc = json_load_file(path, 0, &err);
	json_t *list = json_object_get(doc, sources[set].list);
	if (!json_is_array(list)) {
		ip_error(&(struct ip_where){path, err.line, err.column, NULL},
		         "cannot read the ISO codes (install Debian's iso-codes "
		         "or set IP_ISO_CODES): %s", doc ? _("no list in file") : err.text);
		exit(IP_EXIT_NOINPUT);
	}
	json_t *codes = json_object();
	size_t i;
	json_t *entry;
	json_array_foreach(list, i, entry) {
		const char *code = json_string_value(json_object_get(entry, sources[set].key));
		json_t *name = json_object_get(entry, "name");
		if (code)
			json_object_set(codes, code, name ? name : json_null());
	}
	if (set == IP_CODES_COUNTRY)
		json_object_set_new(codes, "XK", json_string("Kosovo"));
	json_decref(doc);
	free(path);
	return codes;
}

static json_t *get_set(enum ip_codeset set)
{
	if (!sets[set])
		sets[set] = load_set(set);
	return sets[set];
}

bool ip_code_known(enum ip_codeset set, const char *code)
{
	return json_object_get(get_set(set), code) != NULL;
}

const char *ip_code_name(enum ip_codeset set, const char *code)
{
	const char *name = json_string_value(json_object_get(get_set(set), code));
	if (!name)
		return NULL;
	/* iso-codes' own translations, as Debian ships them */
	return dgettext(sources[set].domain, name);
}

const char *ip_codeset_noun(enum ip_codeset set)
{
	return _(sources[set].noun);
}
