#include "ip_indicators.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_schema.h"

#include <stdio.h>
#include <string.h>

struct defs_check {
	const struct ip_doc *doc;
	int problems;
};

#define problem(c, path, ...) ip_doc_problem((c)->doc, &(c)->problems, path, __VA_ARGS__)

static void check_definition(struct defs_check *c, const json_t *def, size_t i, json_t *ids)
{
	char path[64];
	const char *id = ip_str(def, "id"), *when = ip_str(def, "when");
	snprintf(path, sizeof path, "indicators[%zu].id", i);
	if (!*id || strspn(id, "abcdefghijklmnopqrstuvwxyz_") != strlen(id) || strlen(id) > 40)
		problem(c, path, "'%s' is not an indicator id (a-z and _, at most 40)", id);
	else if (json_object_get(ids, id))
		problem(c, path, "indicator '%s' is defined twice", id);
	json_object_set_new(ids, id, json_true());
	snprintf(path, sizeof path, "indicators[%zu].when", i);
	if (strcmp(when, "departure") && strcmp(when, "after-arrival"))
		problem(c, path, "'%s' is not departure or after-arrival", when);
}

int ip_indicators_load(const char *path, const struct ip_limits *lim, json_t **defs)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_YAML, lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "expected one document of "
		         "indicator definitions, found %zu", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && ip_validate(&docs.v[0], &ip_indicators_schema, N_("indicator definitions")))
		rc = IP_EXIT_DATAERR;
	const json_t *root = rc ? NULL : docs.v[0].root;
	struct defs_check c = {rc ? NULL : &docs.v[0], 0};
	json_t *ids = json_object();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(root, "breakdowns"), i, v) {
		char at[48];
		snprintf(at, sizeof at, "breakdowns[%zu]", i);
		const char *by = json_string_value(v);
		if (strcmp(by, "sex") && strcmp(by, "age") && strcmp(by, "vulnerability"))
			problem(&c, at, "'%s' is not sex, age or vulnerability", by);
	}
	json_array_foreach(json_object_get(root, "indicators"), i, v)
		check_definition(&c, v, i, ids);
	if (!rc && json_array_size(json_object_get(root, "indicators")) > 16)
		problem(&c, "indicators", "at most 16 indicators");
	json_decref(ids);
	if (!rc && c.problems)
		rc = IP_EXIT_DATAERR;
	*defs = rc ? NULL : json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	return rc;
}

#undef problem