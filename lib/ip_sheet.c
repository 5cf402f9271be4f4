#include "ip_sheet.h"
#include "ip_buf.h"
#include "ip_mem.h"
#include "ip_schema.h"
#include "ip_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- what the package carries, in words ------------------------------------ */

static const json_t *package_measures(const json_t *pkg)
{
	return json_object_get(json_object_get(json_object_get(pkg, "case"), "plan"), "measures");
}

static const json_t *sheet_words(const struct ip_words *x)
{
	return json_object_get(x->strings, "sheet");
}

/* One value of the field at path, as people read it. */
static char *value_words(const struct ip_words *x, const char *path, const json_t *v)
{
	const struct ip_field *f = ip_schema_lookup(path);
	if (f && f->type == IP_T_ARRAY) /* an item of the list */
		f = f->item;
	const char *s = json_string_value(v);
	if (json_is_boolean(v)) {
		const char *word = json_is_true(v) ? "yes" : "no";
		const char *own = ip_str(sheet_words(x), word);
		return ip_xstrdup(own ? own : word);
	}
	if (!s) {
		char *text = ip_json_text(v, JSON_ENCODE_ANY | JSON_COMPACT);
		return text ? text : ip_xstrdup("");
	}
	json_t *w = NULL;
	switch (f ? f->type : IP_T_STRING) {
	case IP_T_DATE: w = ip_words_date(x, s); break;
	case IP_T_ENUM: w = json_string(ip_words_label(x, f->vocab, s)); break;
	case IP_T_COUNTRY: w = ip_words_code(x, IP_CODES_COUNTRY, s); break;
	case IP_T_REGION: w = ip_words_code(x, IP_CODES_REGION, s); break;
	case IP_T_LANGUAGE: w = ip_words_code(x, IP_CODES_LANGUAGE, s); break;
	case IP_T_CURRENCY: w = ip_words_code(x, IP_CODES_CURRENCY, s); break;
	case IP_T_PROGRAMME: w = ip_words_programme(s); break;
	default: w = json_incref((json_t *)v);
	}
	char *text = ip_xstrdup(json_string_value(w) ? json_string_value(w) : s);
	json_decref(w);
	return text;
}

/* The words of v at path appended to b: a list's items joined with commas,
 * a mapping's values with a middle dot, each after its label if it has
 * one. */
static void add_words(const struct ip_words *x, struct ip_buf *b, const char *path,
                      const json_t *v)
{
	size_t i;
	const char *key;
	json_t *item;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			ip_buf_puts(b, i ? ip_words_comma(x) : "");
			add_words(x, b, path, item);
		}
	} else if (json_is_object(v)) {
		bool first = true;
		json_object_foreach((json_t *)v, key, item) {
			char *sub = ip_xasprintf("%s.%s", path, key);
			const char *label = ip_str(json_object_get(sheet_words(x), "fields"), sub);
			ip_buf_puts(b, first ? "" : " · ");
			if (label)
				ip_buf_printf(b, "%s: ", label);
			add_words(x, b, sub, item);
			first = false;
			free(sub);
		}
	} else {
		char *text = value_words(x, path, v);
		ip_buf_puts(b, text);
		free(text);
	}
}

/* A row of the sheet: the field's label and its words. */
static void add_row(const struct ip_words *x, json_t *rows, const char *path, const json_t *v)
{
	const char *label = ip_str(json_object_get(sheet_words(x), "fields"), path);
	struct ip_buf b = {0};
	ip_buf_puts(&b, "");
	add_words(x, &b, path, v);
	json_array_append_new(rows, json_pack("{s:s, s:s}", "label", label ? label : path,
	                                      "value", b.s));
	ip_buf_free(&b);
}

/* The rows of the package's case: a row per field, a list of mappings
 * (needs) in one row, the plan's measures apart. */
static void add_rows(const struct ip_words *x, json_t *rows, const char *path, const json_t *v)
{
	const char *key;
	json_t *item;
	if (!strcmp(path, "plan"))
		return;
	bool mapping = json_is_object(v);
	/* an assessment is a mapping in a list: its fields are the rows */
	if (json_is_array(v) && json_array_size(v) == 1 && json_is_object(json_array_get(v, 0)) &&
	    !strcmp(path, "assessments")) {
		v = json_array_get(v, 0);
		mapping = true;
	}
	if (!mapping || (*path && ip_str(json_object_get(sheet_words(x), "fields"), path))) {
		add_row(x, rows, path, v);
		return;
	}
	json_object_foreach((json_t *)v, key, item) {
		char *sub = *path ? ip_xasprintf("%s.%s", path, key) : ip_xstrdup(key);
		add_rows(x, rows, sub, item);
		free(sub);
	}
}

static json_t *measures_view(const struct ip_words *x, const json_t *pkg)
{
	json_t *list = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(package_measures(pkg), i, m) {
		json_t *v = json_pack("{s:O}", "id", json_object_get(m, "id"));
		ip_words_set_label(v, "category", x, "measure", ip_str(m, "category"));
		ip_words_set_label(v, "dimension", x, "dimension", ip_str(m, "dimension"));
		json_object_set_new(v, "due", ip_words_due(x, json_object_get(pkg, "case"), ip_str(m, "due")));
		if (json_object_get(m, "budget"))
			json_object_set_new(v, "budget", ip_words_budget(json_object_get(m, "budget")));
		json_array_append_new(list, v);
	}
	return list;
}

/* What a partner decides, and how it went: the moves that are the
 * partner's (not revoked) and the successes, in the order the sheet and
 * its form offer them. */
static const char *const decisions[] = {"accepted", "rejected", "done", NULL};
static const char *const outcomes[] = {"successful", "not-successful", NULL};

/* The ids of a vocabulary, or the given ones: all a choice offers. */
static json_t *choice_ids(const char *vocab, const char *const only[])
{
	json_t *ids = json_array();
	size_t i;
	json_t *e;
	if (only) {
		for (i = 0; only[i]; i++)
			json_array_append_new(ids, json_string(only[i]));
	} else {
		json_array_foreach(ip_vocab_entries(vocab), i, e)
			json_array_append(ids, json_object_get(e, "id"));
	}
	return ids;
}

/* A choice as the sheet prints it: each id with its label. */
static json_t *choices(const struct ip_words *x, const char *vocab, const char *const only[])
{
	json_t *ids = choice_ids(vocab, only), *list = json_array(), *id;
	size_t i;
	json_array_foreach(ids, i, id)
		json_array_append_new(list, json_pack("{s:O, s:s}", "id", id, "label",
		                                      ip_words_label(x, vocab,
		                                                     json_string_value(id))));
	json_decref(ids);
	return list;
}

/* ---- the form to return -------------------------------------------------- */

/* "key: value", and a hint as a comment from column 18; a hint too long
 * for a line of 78 goes on comment lines of its own above the key, broken
 * between its choices. */
static void form_line(struct ip_buf *b, const char *key, const char *value, const char *hint)
{
	if (hint && strlen(hint) > 78 - 19) {
		size_t width = 0;
		ip_buf_puts(b, "#");
		for (const char *h = hint; *h;) {
			size_t word = strcspn(h, " "); /* a choice, then " | " */
			if (width && width + 3 + word > 68) {
				ip_buf_puts(b, " |\n#  ");
				width = 0;
			} else if (width) {
				ip_buf_puts(b, " |");
				width += 2;
			}
			ip_buf_printf(b, " %.*s", (int)word, h);
			width += word + 1;
			h += word;
			h += strspn(h, " |");
		}
		ip_buf_puts(b, "\n");
		hint = NULL;
	}
	size_t start = b->len;
	ip_buf_printf(b, "%s:", key);
	if (value)
		ip_buf_printf(b, " %s", value);
	if (hint) {
		size_t used = b->len - start;
		ip_buf_printf(b, "%*s# %s", used < 17 ? (int)(17 - used) : 1, "", hint);
	}
	ip_buf_puts(b, "\n");
}

/* A choice as the form's hint: "accepted | rejected | done". */
static char *ids_joined(const char *vocab, const char *const only[])
{
	json_t *ids = choice_ids(vocab, only), *id;
	struct ip_buf b = {0};
	size_t i;
	ip_buf_puts(&b, "");
	json_array_foreach(ids, i, id)
		ip_buf_printf(&b, "%s%s", i ? " | " : "", json_string_value(id));
	json_decref(ids);
	return b.s;
}

/* The response form, blank but for what the centre knows: the referral,
 * the partner and the measures. YAML, as ip-refer receive --from-form
 * reads it. */
static char *form_text(const json_t *pkg)
{
	struct ip_buf b = {0};
	char *reasons = ids_joined("referral-reason", NULL);
	char *statuses = ids_joined("measure-status", NULL);
	char *decided = ids_joined("referral-status", decisions);
	char *went = ids_joined("referral-success", outcomes);
	form_line(&b, "schema", IP_FORM_SCHEMA, NULL);
	const json_t *ref = json_object_get(pkg, "referral");
	form_line(&b, "referral", ip_str(ref, "id"), NULL);
	form_line(&b, "from", ip_str(ref, "to"), NULL);
	form_line(&b, "status", NULL, decided);
	form_line(&b, "date", NULL, "YYYY-MM-DD");
	form_line(&b, "by", NULL, "name");
	form_line(&b, "reason", NULL, reasons);
	form_line(&b, "success", NULL, went);
	form_line(&b, "arrived", NULL, "YYYY-MM-DD");
	size_t i;
	json_t *m;
	const json_t *measures = package_measures(pkg);
	if (json_array_size(measures))
		ip_buf_puts(&b, "measures:\n");
	json_array_foreach(measures, i, m) {
		ip_buf_printf(&b, "  - id: %s\n", ip_str(m, "id"));
		ip_buf_printf(&b, "    status: %-8s # %s\n", ip_str(m, "status") ? ip_str(m, "status")
		                                                              : "open", statuses);
		ip_buf_puts(&b, "    date:            # YYYY-MM-DD\n");
	}
	form_line(&b, "note", NULL, NULL);
	free(reasons);
	free(statuses);
	free(decided);
	free(went);
	return b.s;
}

/* ---- the view ---------------------------------------------------------------- */

static json_t *referral_view(const struct ip_words *x, const json_t *pkg,
                             const json_t *partner)
{
	const json_t *ref = json_object_get(pkg, "referral");
	json_t *v = json_pack("{s:O, s:O, s:O, s:O, s:o, s:o}", "id", json_object_get(ref, "id"),
	                      "from", json_object_get(ref, "from"), "to",
	                      json_object_get(ref, "to"), "organisation",
	                      json_object_get(partner, "organisation"), "date",
	                      ip_words_date(x, ip_str(ref, "date")), "services",
	                      ip_words_labels(x, "measure", json_object_get(ref, "services")));
	ip_words_contact(v, "", partner);
	/* where the answer goes: the referring centre, as the directory has it */
	const json_t *centre = ip_find_id(json_object_get(x->d->directory, "partners"),
	                                  ip_str(ref, "from"));
	if (centre) {
		json_object_set(v, "from_organisation", json_object_get(centre, "organisation"));
		ip_words_contact(v, "from_", centre);
	}
	return v;
}

static json_t *sheet_view(const struct ip_words *x, const json_t *pkg, const json_t *partner)
{
	json_t *rows = json_array();
	add_rows(x, rows, "", json_object_get(pkg, "case"));
	char *form = form_text(pkg);
	json_t *v = json_pack("{s:s, s:O, s:O, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}",
	                      "lang", x->d->lang, "t", x->strings, "dir",
	                      json_object_get(x->strings, "dir"), "today",
	                      ip_words_date(x, x->d->today), "referral",
	                      referral_view(x, pkg, partner), "fields", rows, "measures",
	                      measures_view(x, pkg), "decisions",
	                      choices(x, "referral-status", decisions), "outcomes",
	                      choices(x, "referral-success", outcomes), "reasons",
	                      choices(x, "referral-reason", NULL), "measure_statuses",
	                      choices(x, "measure-status", NULL), "form", form);
	free(form);
	return v;
}

int ip_sheet_render(struct ip_words *x, const json_t *pkg, const json_t *partner,
                    struct ip_buf *out)
{
	json_t *view = sheet_view(x, pkg, partner);
	int rc = ip_words_render(x, "sheet", view, out);
	json_decref(view);
	return rc;
}
