#include "ip_vocab.h"
#include "ip_fold.h"
#include "ip_diag.h"
#include "ip_emit.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_share.h"
#include "ip_buf.h"
#include "ip_digest.h"
#include "ip_mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *vocabs;     /* name -> [{id, de, en}] */
static json_t *programmes; /* [{id, ...}] */

/* Every vocabulary's ids in one open-addressed table, by the hash of the
 * id: checking a case asks for every enumerated field's value (24 a case).
 * callgrind: about 150 instructions a lookup, where two jansson lookups
 * (the vocabulary, then the id) took 380. */
struct vocab_id {
	uint64_t hash;          /* of id; 0: an empty slot */
	const char *vocab, *id; /* borrowed from vocabs */
};
static struct vocab_id *vocab_ids;
static size_t vocab_ids_mask;  /* the table's size, a power of two, less 1 */

static uint64_t id_hash(const char *id)
{
	uint64_t h = ip_fnv1a(id, IP_FNV_BASIS);
	return h ? h : 1;
}

/* Whether a and b are the same text: compared in place, as a call to
 * strcmp cost more than the compare of the short ids (twice a lookup). */
static bool same_text(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void vocab_ids_add(const char *vocab, const char *id)
{
	uint64_t h = id_hash(id);
	size_t i = (size_t)h & vocab_ids_mask;
	while (vocab_ids[i].hash)
		i = (i + 1) & vocab_ids_mask;
	vocab_ids[i] = (struct vocab_id){h, vocab, id};
}

/* The table, at most half full so that a miss ends soon. */
static void vocab_ids_build(void)
{
	size_t n = 0, size = 16;
	const char *name;
	json_t *list;
	json_object_foreach(vocabs, name, list)
		n += json_array_size(list);
	while (size < 2 * n)
		size *= 2;
	vocab_ids = ip_xcalloc(size, sizeof *vocab_ids);
	vocab_ids_mask = size - 1;
	json_object_foreach(vocabs, name, list) {
		size_t i;
		json_t *e;
		json_array_foreach(list, i, e)
			if (ip_str(e, "id"))
				vocab_ids_add(name, ip_str(e, "id"));
	}
}

/* An entry's fields: its id, dates and source, what a measure is, and its
 * labels by language code. Anything else is a slip, most often a label
 * with a comma in a flow mapping, which YAML splits into a field without
 * a value: the label would be cut short in every document. */
static int entry_fields(const struct ip_doc *doc, const char *key, size_t i, const json_t *e)
{
	static const char *const known[] = {"id", "valid_from", "valid_to", "source", "read",
	                                    "dimension", "side"};
	int problems = 0;
	const char *field;
	json_t *v;
	json_object_foreach((json_t *)e, field, v) {
		bool ok = strlen(field) >= 2 && strlen(field) <= 3 &&
		          strspn(field, "abcdefghijklmnopqrstuvwxyz") == strlen(field);
		for (size_t k = 0; !ok && k < sizeof known / sizeof *known; k++)
			ok = !strcmp(field, known[k]);
		if (ok && json_is_string(v))
			continue;
		char *at = ip_xasprintf("%s[%zu].%s", key, i, field);
		struct ip_where w = ip_doc_where(doc, at);
		w.path = at;
		if (!ok)
			ip_error(&w, "unknown field (a label is named by its language's code; a label "
			         "with a comma needs quotes)");
		else
			ip_error(&w, "expected text");
		problems++;
		free(at);
	}
	return problems;
}

/* What the lookups here rely on, and all they rely on: each entry of a
 * list is a mapping with a text id, and no id is there twice (a site that
 * gives one twice would count two things as one). Every problem is
 * reported at its place; the count is returned. (The rest of
 * programmes.yaml is checked against its schema where it is read:
 * ip_plan_settings_load.) A vocabulary's entries (vocabulary) have only
 * the fields one may have. */
static int require_ids(const struct ip_doc *doc, const char *key, const json_t *list,
                       bool vocabulary)
{
	int problems = 0;
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		char *at = ip_xasprintf("%s[%zu].id", key, i);
		const char *id = json_string_value(json_object_get(e, "id"));
		struct ip_where w = ip_doc_where(doc, at);
		w.path = at;
		for (size_t j = 0; id && j < i; j++)
			if (!strcmp(id, ip_str(json_array_get(list, j), "id") ?
			                ip_str(json_array_get(list, j), "id") : "")) {
				ip_error(&w, "'%s' is here twice (first as item %zu)", id, j);
				problems++;
				break;
			}
		if (!id) {
			ip_error(&w, "missing or not text; every entry needs an id");
			problems++;
		}
		if (vocabulary)
			problems += entry_fields(doc, key, i, e);
		free(at);
	}
	return problems;
}

/* A share file's top-level mapping, its lists' ids checked (lists: the
 * name of one list, or NULL for every list of the mapping); a missing or
 * broken file is fatal, since no case can be checked without it. */
static json_t *load_share(const char *name, const char *lists)
{
	char *path = ip_share_path(name);
	struct ip_docs docs = {0};
	struct ip_limits lim = IP_LIMITS_DEFAULT;
	int rc = ip_docs_load(path, IP_SYNTAX_YAML, &lim, &docs);
	if (rc || docs.n != 1 || !json_is_object(docs.v[0].root)) {
		if (!rc)
			ip_error(&(struct ip_where){path, 0, 0, NULL},
			         "expected one mapping (set IP_SHARE to the data directory)");
		exit(rc ? rc : IP_EXIT_DATAERR);
	}
	json_t *root = docs.v[0].root;
	int problems = 0;
	const char *key;
	json_t *list;
	json_object_foreach(root, key, list)
		if (json_is_array(list) && (!lists || !strcmp(key, lists)))
			problems += require_ids(&docs.v[0], key, list, !lists);
	if (problems)
		exit(IP_EXIT_DATAERR);
	json_incref(root);
	ip_docs_free(&docs);
	free(path);
	return root;
}

json_t *ip_vocab_all(void)
{
	if (!vocabs) {
		vocabs = load_share("vocabularies.yaml", NULL);
		json_object_del(vocabs, "schema");
		vocab_ids_build();
	}
	return vocabs;
}

json_t *ip_vocab_entries(const char *vocab)
{
	json_t *v = json_object_get(ip_vocab_all(), vocab);
	return json_is_array(v) ? v : NULL;
}

const char *ip_vocab_label(const char *vocab, const char *id, const char *lang)
{
	size_t i;
	json_t *e;
	if (!id)
		return "";
	json_array_foreach(ip_vocab_entries(vocab), i, e) {
		if (strcmp(ip_str(e, "id"), id))
			continue;
		const char *l = json_string_value(json_object_get(e, lang));
		const char *en = ip_str(e, "en");
		return l ? l : en ? en : id;
	}
	return id;
}

const char *ip_vocab_id_of(const char *vocab, const char *text)
{
	size_t i;
	json_t *e;
	json_array_foreach(ip_vocab_entries(vocab), i, e)  /* the id itself: most cells */
		if (!strcmp(ip_str(e, "id"), text))
			return ip_str(e, "id");
	char *want = ip_fold(text);
	const char *found = NULL;
	static const char *const forms[] = {"id", "de", "en"};
	json_array_foreach(want ? ip_vocab_entries(vocab) : NULL, i, e) {
		for (size_t k = 0; !found && k < sizeof forms / sizeof *forms; k++) {
			const char *form = ip_str(e, forms[k]);
			char *folded = form ? ip_fold(form) : NULL;
			if (folded && !strcmp(folded, want))
				found = ip_str(e, "id");
			free(folded);
		}
		if (found)
			break;
	}
	free(want);
	return found;
}

static bool list_has(json_t *list, const char *id)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		const char *eid = ip_str(e, "id");
		if (eid && !strcmp(eid, id))
			return true;
	}
	return false;
}

static const char *list_suggest(json_t *list, const char *id)
{
	size_t n = json_array_size(list);
	const char **ids = ip_xcalloc(n, sizeof *ids);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *eid = ip_str(json_array_get(list, i), "id");
		if (eid)
			ids[k++] = eid;
	}
	const char *best = ip_nearest(id, ids, k);
	free(ids);
	return best;
}

bool ip_vocab_has(const char *vocab, const char *id)
{
	ip_vocab_all();
	uint64_t h = id_hash(id);
	for (size_t i = (size_t)h & vocab_ids_mask; vocab_ids[i].hash; i = (i + 1) & vocab_ids_mask)
		if (vocab_ids[i].hash == h && same_text(vocab_ids[i].id, id) &&
		    same_text(vocab_ids[i].vocab, vocab))
			return true;
	return false;
}

const char *ip_vocab_suggest(const char *vocab, const char *id)
{
	return list_suggest(ip_vocab_entries(vocab), id);
}

/* "needs" -> "need", "vulnerabilities" -> "vulnerability" */
static char *singular(const char *name)
{
	size_t n = strlen(name);
	if (n > 3 && !strcmp(name + n - 3, "ies"))
		return ip_xasprintf("%.*sy", (int)(n - 3), name);
	if (n > 1 && name[n - 1] == 's')
		return ip_xasprintf("%.*s", (int)(n - 1), name);
	return ip_xstrdup(name);
}

int ip_vocab_print(const char *name)
{
	json_t *entries = ip_vocab_entries(name);
	if (!entries) {
		char *one = singular(name);
		entries = ip_vocab_entries(one);
		free(one);
	}
	if (!entries) {
		ip_error(NULL, "no vocabulary '%s'; there are:", name);
		const char *key;
		json_t *v;
		json_object_foreach(ip_vocab_all(), key, v)
			fprintf(stderr, "  %s\n", key);
		return IP_EXIT_USAGE;
	}
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e) {
		struct ip_buf valid = {0};
		ip_validity_say(e, &valid);
		printf("%-28s %s | %s%s%s%s\n", ip_str(e, "id"), ip_str(e, "de"), ip_str(e, "en"),
		       valid.s ? " (" : "", valid.s ? valid.s : "", valid.s ? ")" : "");
		ip_buf_free(&valid);
	}
	return IP_EXIT_OK;
}

json_t *ip_programmes(void)
{
	if (!programmes) {
		json_t *root = load_share("programmes.yaml", "programmes");
		programmes = json_incref(json_object_get(root, "programmes"));
		json_decref(root);
		if (!json_is_array(programmes))
			programmes = json_array();
	}
	return programmes;
}

bool ip_programme_known(const char *id)
{
	return list_has(ip_programmes(), id);
}

json_t *ip_programme(const char *id)
{
	size_t i;
	json_t *p;
	json_array_foreach(ip_programmes(), i, p)
		if (!strcmp(ip_str(p, "id"), id))
			return p;
	return NULL;
}

const char *ip_programme_suggest(const char *id)
{
	return list_suggest(ip_programmes(), id);
}

json_t *ip_find_id(const json_t *list, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach((json_t *)list, i, v) {
		const char *have = ip_str(v, "id");
		if (have && !strcmp(have, id))
			return v;
	}
	return NULL;
}

void ip_unknown_id(const struct ip_where *w, const char *what, const char *id,
                   const json_t *list, const char *holder)
{
	size_t n = json_array_size(list);
	const char **ids = ip_xcalloc(n ? n : 1, sizeof *ids);
	struct ip_buf all = {0};
	for (size_t i = 0; i < n; i++) {
		ids[i] = ip_str(json_array_get(list, i), "id");
		ip_buf_printf(&all, "%s%s", i ? ", " : "", ids[i] ? ids[i] : "?");
	}
	const char *near = ip_nearest(id, ids, n);
	if (near)
		ip_error(w, "%s '%s'; did you mean '%s'?", _(what), id, near);
	else
		ip_error(w, "%s '%s' (%s has %s)", _(what), id, _(holder), n ? all.s : _("none"));
	ip_buf_free(&all);
	free(ids);
}

bool ip_ids_have(const json_t *list, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach((json_t *)list, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), id))
			return true;
	return false;
}

bool ip_ids_any(const json_t *list, const json_t *ids)
{
	size_t i;
	json_t *v;
	json_array_foreach((json_t *)ids, i, v)
		if (json_is_string(v) && ip_ids_have(list, json_string_value(v)))
			return true;
	return false;
}

char *ip_ids_joined(const json_t *list, const char *sep)
{
	struct ip_buf b = {0};
	size_t i;
	json_t *v;
	ip_buf_add(&b, "", 0);
	json_array_foreach((json_t *)list, i, v)
		ip_buf_printf(&b, "%s%s", i ? sep : "", json_string_value(v));
	return b.s;
}

/* ---- entries valid from and to a day ------------------------------------ */

bool ip_valid_on(const json_t *entry, const char *day)
{
	const char *from = ip_str(entry, "valid_from"), *to = ip_str(entry, "valid_to");
	return (!from || strcmp(day, from) >= 0) && (!to || strcmp(day, to) <= 0);
}

void ip_validity_say(const json_t *entry, struct ip_buf *out)
{
	const char *from = ip_str(entry, "valid_from"), *to = ip_str(entry, "valid_to");
	if (from && to)
		ip_buf_printf(out, _("valid %s to %s"), from, to);
	else if (from)
		ip_buf_printf(out, _("valid from %s"), from);
	else if (to)
		ip_buf_printf(out, _("valid until %s"), to);
}

void ip_vocab_warn_dated(const struct ip_where *w, const char *vocab, const char *id,
                         const char *day)
{
	const json_t *e = id && day ? ip_find_id(ip_vocab_entries(vocab), id) : NULL;
	if (!e || ip_valid_on(e, day))
		return;
	struct ip_buf valid = {0};
	ip_validity_say(e, &valid);
	const char *source = ip_str(e, "source");
	if (source)
		ip_warn(w, "%s '%s' is %s, not on %s; source: %s", vocab, id, valid.s, day, source);
	else
		ip_warn(w, "%s '%s' is %s, not on %s", vocab, id, valid.s, day);
	ip_buf_free(&valid);
}
