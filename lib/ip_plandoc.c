#include "ip_plandoc.h"
#include "ip_codes.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_grammar.h"
#include "ip_i18n.h"
#include "ip_mustache.h"
#include "ip_pdf.h"
#include "ip_plan.h"
#include "ip_schema.h"
#include "ip_share.h"
#include "ip_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ctx {
	const struct ip_plandoc *d;
	char *dir;
	json_t *partials; /* name -> text, kept until the render ends */
	json_t *strings;  /* the words of the document's language */
};

/* ---- words and dates in the document's language ---------------------------- */

/* pattern with each {name} replaced by the value of that name in vars
 * (NULL-terminated name, value pairs), a new string. */
static char *fill(const char *pattern, const char *const vars[])
{
	struct ip_buf b = {0};
	ip_buf_puts(&b, "");
	for (const char *p = pattern; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		const char *value = NULL;
		for (size_t i = 0; close && vars[i]; i += 2)
			if (strlen(vars[i]) == (size_t)(close - p - 1) && !strncmp(p + 1, vars[i], close - p - 1))
				value = vars[i + 1];
		if (value) {
			ip_buf_puts(&b, value);
			p = close + 1;
		} else {
			ip_buf_add(&b, p++, 1);
		}
	}
	return b.s;
}

/* An ISO date in the document's words: "21. Dezember 2026". */
static json_t *date_words(const struct ctx *x, const char *iso)
{
	int y, m, d;
	const json_t *months = json_object_get(x->strings, "months");
	if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 ||
	    json_array_size(months) != 12 || !ip_str(x->strings, "date"))
		return json_string(iso ? iso : "");
	char day[4], year[8];
	snprintf(day, sizeof day, "%d", d);
	snprintf(year, sizeof year, "%d", y);
	const char *vars[] = {"d", day, "month", json_string_value(json_array_get(months, m - 1)),
	                      "y", year, NULL};
	char *text = fill(ip_str(x->strings, "date"), vars);
	json_t *v = json_string(text);
	free(text);
	return v;
}

static void set_date(const struct ctx *x, json_t *obj, const char *key, const char *iso)
{
	if (iso)
		json_object_set_new(obj, key, date_words(x, iso));
}

/* Which form of a counted word n takes: one and other (English, German,
 * the default), or one, few and many as Russian and Serbian count (1
 * неделю, 2 недели, 5 недель; 21 like 1, 12 to 14 like 5). */
static size_t plural_form(const char *rule, int n)
{
	if (rule && !strcmp(rule, "slavic")) {
		int last = n % 10, two = n % 100;
		return last == 1 && two != 11 ? 0 : last >= 2 && last <= 4 && (two < 12 || two > 14) ? 1 : 2;
	}
	return n == 1 ? 0 : 1;
}

/* A due rule in words: "departure-42d" is "6 weeks before departure". */
static char *rule_words(const struct ctx *x, const char *rule)
{
	struct ip_due_rule r;
	if (!ip_due_rule_parse(rule, &r))
		return ip_xstrdup(rule);
	int n = abs(r.amount);
	char unit = r.unit;
	if (unit == 'd' && n && n % 7 == 0) {
		n /= 7;
		unit = 'w';
	}
	const json_t *forms = json_object_get(json_object_get(x->strings, "units"),
	                                      (char[]){unit, '\0'});
	size_t form = plural_form(ip_str(x->strings, "plurals"), n);
	if (form >= json_array_size(forms))
		form = json_array_size(forms) - 1;
	const char *unit_word = json_string_value(json_array_get(forms, form));
	/* a language whose words for the event change with the phrase names
	 * it for "on the day of" apart (events_on) */
	const json_t *events = json_object_get(x->strings, n == 0 && json_object_get(x->strings,
	                                       "events_on") ? "events_on" : "events");
	const char *event_word = ip_str(events, r.event);
	const char *pattern = ip_str(x->strings, n == 0 ? "due_on" : r.amount < 0
	                                                    ? "due_before" : "due_after");
	if (!unit_word || !event_word || !pattern)
		return ip_xstrdup(rule);
	char count[16];
	snprintf(count, sizeof count, "%d", n);
	const char *vars[] = {"n", count, "unit", unit_word, "event", event_word, NULL};
	return fill(pattern, vars);
}

static json_t *due_of(const struct ctx *x, const json_t *c, const char *due)
{
	char date[11];
	json_t *v = json_object();
	if (!due)
		return v;
	bool resolved = ip_due_date(c, due, date);
	if (resolved)
		json_object_set_new(v, "date", date_words(x, date));
	if (ip_due_relative_valid(due)) {
		char *words = rule_words(x, due);
		json_object_set_new(v, resolved ? "rule" : "date", json_string(words));
		free(words);
	}
	return v;
}

/* ---- labels ------------------------------------------------------------- */

/* The label of a vocabulary id in the document's language: the strings
 * file's labels first (languages vocabularies.yaml has no labels in),
 * then the vocabulary's, else English, else the id itself. */
static const char *label(const struct ctx *x, const char *vocab, const char *id)
{
	const char *own = ip_str(json_object_get(json_object_get(x->strings, "labels"), vocab), id);
	return own ? own : ip_vocab_label(vocab, id, x->d->lang);
}

static void set_label(json_t *obj, const char *key, const struct ctx *x, const char *vocab,
                      const char *id)
{
	if (id)
		json_object_set_new(obj, key, json_string(label(x, vocab, id)));
}

static json_t *labels(const struct ctx *x, const char *vocab, const json_t *ids)
{
	struct ip_buf b = {0};
	size_t i;
	json_t *id;
	json_array_foreach((json_t *)ids, i, id)
		ip_buf_printf(&b, "%s%s", i ? ", " : "", label(x, vocab, json_string_value(id)));
	json_t *s = json_string(b.s ? b.s : "");
	ip_buf_free(&b);
	return s;
}

/* A programme by its name ("REAG/GARP 2.0"), else its id. */
static json_t *programme_name(const char *id)
{
	const json_t *p = ip_programme(id);
	return json_string(ip_str(p, "name") ? ip_str(p, "name") : id);
}

/* A code's name in the document's language (iso-codes' catalogue of the
 * strings' iso_locale), else the code. */
static json_t *code_name(const struct ctx *x, enum ip_codeset set, const char *code)
{
	const char *name = ip_code_name_in(set, code, ip_str(x->strings, "iso_locale"));
	return json_string(name ? name : code);
}

/* ---- the data the templates see ----------------------------------------- */

static json_t *measure_view(const struct ctx *x, const json_t *c, const json_t *m)
{
	json_t *v = json_pack("{s:O}", "id", json_object_get(m, "id"));
	set_label(v, "category", x, "measure", ip_str(m, "category"));
	set_label(v, "dimension", x, "dimension", ip_str(m, "dimension"));
	set_label(v, "status", x, "measure-status",
	          ip_str(m, "status") ? ip_str(m, "status") : "open");
	if (ip_str(m, "owner"))
		json_object_set(v, "owner", json_object_get(m, "owner"));
	if (ip_str(m, "due"))
		json_object_set_new(v, "due", due_of(x, c, ip_str(m, "due")));
	const json_t *b = json_object_get(m, "budget");
	if (b) {
		char amount[40];
		ip_format_amount(json_number_value(json_object_get(b, "amount")), amount);
		json_t *bv = json_pack("{s:s, s:O}", "amount", amount, "currency",
		                       json_object_get(b, "currency"));
		if (ip_str(b, "programme"))
			json_object_set_new(bv, "programme", programme_name(ip_str(b, "programme")));
		json_object_set_new(v, "budget", bv);
	}
	if (ip_str(m, "programme"))
		json_object_set_new(v, "programme", programme_name(ip_str(m, "programme")));
	if (json_array_size(json_object_get(m, "addresses")))
		json_object_set_new(v, "addresses", labels(x, "need", json_object_get(m, "addresses")));
	if (ip_str(m, "note"))
		json_object_set(v, "note", json_object_get(m, "note"));
	return v;
}

/* Where a measure stands in time: its date when it has one; else its
 * rule's event (opening, departure, arrival) and days from it, after every
 * dated measure; else last. */
struct when {
	const json_t *m;
	char date[11];
	int event, days;
};

static void when_of(const json_t *c, const json_t *m, struct when *w)
{
	const char *due = ip_str(m, "due");
	struct ip_due_rule r;
	w->m = m;
	w->date[0] = '\0';
	w->event = 3;
	w->days = 0;
	if (!due || ip_due_date(c, due, w->date) || !ip_due_rule_parse(due, &r))
		return;
	static const char *const events[] = {"opened", "departure", "arrival"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(r.event, events[i]))
			w->event = i;
	w->days = r.amount * (r.unit == 'y' ? 365 : r.unit == 'm' ? 30 : r.unit == 'w' ? 7 : 1);
}

static int by_when(const void *pa, const void *pb)
{
	const struct when *a = pa, *b = pb;
	if (*a->date != *b->date && (!*a->date || !*b->date))
		return *a->date ? -1 : 1;
	int d = *a->date ? strcmp(a->date, b->date)
	                 : a->event != b->event ? a->event - b->event : a->days - b->days;
	return d ? d : strcmp(ip_str(a->m, "id"), ip_str(b->m, "id"));
}

static void add_measures(const struct ctx *x, const json_t *c, json_t *view)
{
	const json_t *measures = json_object_get(json_object_get(c, "plan"), "measures");
	size_t n = json_array_size(measures), i;
	struct when *order = ip_xcalloc(n + 1, sizeof *order);
	for (i = 0; i < n; i++)
		when_of(c, json_array_get(measures, i), &order[i]);
	qsort(order, n, sizeof *order, by_when);
	json_t *host = json_array(), *ret = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(strcmp(ip_str(order[i].m, "side"), "host") ? ret : host,
		                      measure_view(x, c, order[i].m));
	free(order);
	json_object_set_new(view, "host_measures", host);
	json_object_set_new(view, "return_measures", ret);
}

static json_t *needs_view(const struct ctx *x, const json_t *c)
{
	const json_t *list = json_object_get(c, "assessments");
	const json_t *latest = json_array_get(list, json_array_size(list) - 1);
	json_t *needs = json_array();
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(latest, "needs"), i, n) {
		json_t *v = json_object();
		set_label(v, "need", x, "need", ip_str(n, "category"));
		set_label(v, "priority", x, "priority", ip_str(n, "priority"));
		json_array_append_new(needs, v);
	}
	return needs;
}

static json_t *follow_ups_view(const struct ctx *x, const json_t *c)
{
	json_t *list = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "follow_ups"), i, f) {
		json_t *v = json_pack("{s:o}", "due", due_of(x, c, ip_str(f, "due")));
		set_date(x, v, "done", ip_str(f, "done"));
		json_array_append_new(list, v);
	}
	return list;
}

/* The approvals that hold, and those the plan's changes since withdrew. */
static void add_approvals(const struct ctx *x, const json_t *c, json_t *view)
{
	json_t *holding = json_array(), *withdrawn = json_array();
	size_t i;
	json_t *a;
	const json_t *plan = json_object_get(c, "plan");
	json_array_foreach(json_object_get(plan, "approvals"), i, a) {
		json_t *v = json_pack("{s:O}", "by", json_object_get(a, "by"));
		set_date(x, v, "date", ip_str(a, "date"));
		set_label(v, "side", x, "side", ip_str(a, "side"));
		json_array_append_new(ip_plan_approval_holds(plan, a) ? holding : withdrawn, v);
	}
	json_object_set_new(view, "approvals", holding);
	json_object_set_new(view, "withdrawn", withdrawn);
}

/* The partner centres the case is referred to, with their contact. */
static json_t *partners_view(const struct ctx *x, const json_t *c)
{
	json_t *list = json_array(), *seen = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(c, "referrals"), i, r) {
		const char *to = ip_str(r, "to");
		const json_t *p = to ? ip_find_id(json_object_get(x->d->directory, "partners"), to)
		                     : NULL;
		if (!p || json_object_get(seen, to))
			continue;
		json_object_set_new(seen, to, json_true());
		const json_t *contact = json_object_get(p, "contact");
		json_t *v = json_pack("{s:O, s:o}", "organisation", json_object_get(p, "organisation"),
		                      "country", code_name(x, IP_CODES_COUNTRY, ip_str(p, "country")));
		static const char *const ways[] = {"email", "phone"};
		for (size_t k = 0; k < 2; k++)
			if (ip_str(contact, ways[k]))
				json_object_set(v, ways[k], json_object_get(contact, ways[k]));
		json_array_append_new(list, v);
	}
	json_decref(seen);
	return list;
}

static json_t *person_view(const struct ctx *x, const json_t *c)
{
	const json_t *p = json_object_get(c, "person");
	const json_t *r = json_object_get(c, "return");
	json_t *v = json_pack("{s:O, s:O, s:O, s:o}", "given", json_object_get(p, "given"),
	                      "family", json_object_get(p, "family"), "id",
	                      json_object_get(c, "id"), "country",
	                      code_name(x, IP_CODES_COUNTRY, ip_str(r, "country")));
	if (ip_str(r, "region"))
		json_object_set_new(v, "region", code_name(x, IP_CODES_REGION, ip_str(r, "region")));
	const char *const keys[] = {"planned_departure", "departed", "arrived"};
	for (size_t i = 0; i < 3; i++)
		set_date(x, v, keys[i], ip_str(r, keys[i]));
	const json_t *counsellors = json_object_get(c, "counsellors");
	if (ip_str(counsellors, "host"))
		json_object_set(v, "host_counsellor", json_object_get(counsellors, "host"));
	if (ip_str(counsellors, "return"))
		json_object_set(v, "return_counsellor", json_object_get(counsellors, "return"));
	return v;
}

static json_t *view_of(const struct ctx *x, const json_t *c, const json_t *tmpl)
{
	const json_t *plan = json_object_get(c, "plan");
	json_t *v = json_pack("{s:s, s:O, s:o, s:O, s:o, s:o, s:o, s:o, s:b}",
	                      "lang", x->d->lang, "t", x->strings,
	                      "today", date_words(x, x->d->today),
	                      "dir", json_object_get(x->strings, "dir"),
	                      "case", person_view(x, c), "needs", needs_view(x, c),
	                      "follow_ups", follow_ups_view(x, c),
	                      "partners", partners_view(x, c),
	                      "agreed", ip_plan_agreed(plan));
	add_measures(x, c, v);
	add_approvals(x, c, v);
	const json_t *title = json_object_get(tmpl, "title");
	const char *own = ip_str(json_object_get(json_object_get(x->strings, "labels"), "template"),
	                         ip_get_str(c, "plan.template") ? ip_get_str(c, "plan.template") : "");
	const char *name = own ? own : ip_str(title, x->d->lang) ? ip_str(title, x->d->lang)
	                                                         : ip_str(title, "en");
	if (name)
		json_object_set_new(v, "template", json_string(name));
	return v;
}

/* ---- files -------------------------------------------------------------- */

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

static int read_text(const struct ip_plandoc *d, const char *path, char **text)
{
	size_t len;
	return ip_read_all(path, d->lim.max_bytes, text, &len);
}

/* A translation not yet reviewed by a native speaker says so: the
 * returnee signs what it says. */
static void say_if_draft(const struct ctx *x, const char *path)
{
	const json_t *t = json_object_get(x->strings, "translation");
	if (t && !json_is_true(json_object_get(t, "reviewed")) && !x->d->quiet)
		ip_warn(&(struct ip_where){path, 0, 0, NULL}, "a draft translation (%s) that no "
		        "native speaker has reviewed yet: have the document checked before it is "
		        "signed", ip_str(t, "made") ? ip_str(t, "made") : _("how it was made is not said"));
}

/* A problem of a strings file at path. */
static int bad_word(struct ip_doc *doc, const char *path, const char *what)
{
	struct ip_where w = ip_doc_where(doc, path);
	w.path = path;
	ip_error(&w, "%s", _(what));
	return 1;
}

/* Every value of a strings file is words: a string, a list of strings or
 * a mapping of such (to three levels: labels.measure.id). */
static int check_words(struct ip_doc *doc, const json_t *v, const char *path, int depth)
{
	if (json_is_string(v))
		return 0;
	int problems = 0;
	char sub[256];
	size_t i;
	json_t *item;
	const char *key;
	if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			snprintf(sub, sizeof sub, "%s[%zu]", path, i);
			if (!json_is_string(item))
				problems += bad_word(doc, sub, N_("not words: a string is expected"));
		}
		return problems;
	}
	if (!json_is_object(v) || depth >= 3)
		return bad_word(doc, path, N_("not words: a string, a list of strings or a mapping "
		                              "of them is expected"));
	json_object_foreach((json_t *)v, key, item) {
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
		if (strcmp(sub, "translation.reviewed"))
			problems += check_words(doc, item, sub, depth + 1);
	}
	return problems;
}

/* A strings file: words only; dir ltr or rtl; twelve months; whether a
 * native speaker reviewed the translation, true or false. */
static int check_strings(struct ip_doc *doc)
{
	const json_t *root = doc->root;
	if (!json_is_object(root))
		return bad_word(doc, "", N_("expected a mapping of words"));
	int problems = check_words(doc, root, "", 0);
	const char *dir = ip_str(root, "dir");
	if (!dir || (strcmp(dir, "ltr") && strcmp(dir, "rtl")))
		problems += bad_word(doc, "dir", N_("the writing direction is ltr or rtl"));
	const json_t *months = json_object_get(root, "months");
	if (months && json_array_size(months) != 12)
		problems += bad_word(doc, "months", N_("twelve month names are expected"));
	const json_t *reviewed = json_object_get(json_object_get(root, "translation"), "reviewed");
	if (reviewed && !json_is_boolean(reviewed))
		problems += bad_word(doc, "translation.reviewed", N_("true or false is expected"));
	return problems;
}

/* The strings of the language (strings.LANG.yaml), else English's. */
static int load_strings(struct ctx *x)
{
	char *path = ip_xasprintf("%s/strings.%s.yaml", x->dir, x->d->lang);
	if (!readable(path)) {
		if (strcmp(x->d->lang, "en"))
			ip_warn(NULL, "no plan document strings for language '%s'; using English",
			        x->d->lang);
		free(path);
		path = ip_xasprintf("%s/strings.en.yaml", x->dir);
	}
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_YAML, &x->d->lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "expected one mapping of words, found "
		         "%zu documents", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && check_strings(&docs.v[0]))
		rc = IP_EXIT_DATAERR;
	if (!rc) {
		x->strings = json_incref(docs.v[0].root);
		say_if_draft(x, path);
	}
	ip_docs_free(&docs);
	free(path);
	return rc;
}

/* plan.LANG.FMT.mustache when a site wrote one, else plan.FMT.mustache. */
static int load_template(struct ctx *x, char **text, char **name)
{
	*name = ip_xasprintf("%s/plan.%s.%s.mustache", x->dir, x->d->lang, x->d->format);
	if (!readable(*name)) {
		free(*name);
		*name = ip_xasprintf("%s/plan.%s.mustache", x->dir, x->d->format);
	}
	return read_text(x->d, *name, text);
}

static const char *partial(const char *name, void *ctx)
{
	struct ctx *x = ctx;
	json_t *have = json_object_get(x->partials, name);
	if (have)
		return json_string_value(have);
	if (name[strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_.")] != '\0' ||
	    name[0] == '.')
		return NULL;
	char *path = ip_xasprintf("%s/%s.mustache", x->dir, name);
	char *text = NULL;
	size_t len;
	if (readable(path) && !ip_read_all(path, x->d->lim.max_bytes, &text, &len))
		json_object_set_new(x->partials, name, json_stringn(text, len));
	free(text);
	free(path);
	return ip_str(x->partials, name);
}

static bool template_exists(const char *name)
{
	json_t *names = ip_plan_template_names();
	size_t i;
	json_t *n;
	bool found = false;
	json_array_foreach(names, i, n)
		found |= !strcmp(json_string_value(n), name);
	json_decref(names);
	return found;
}

/* A value in a page description never starts a block: each line break in
 * it is followed by a space (a line that starts with @ is a new block, one
 * that starts with a space continues the one above); tabs, which part a
 * term from its definition, become spaces. */
static void values_on_one_line(json_t *v)
{
	size_t i;
	const char *key;
	json_t *item;
	if (json_is_object(v)) {
		json_object_foreach(v, key, item)
			values_on_one_line(item);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			values_on_one_line(item);
	} else if (json_is_string(v) && strpbrk(json_string_value(v), "\n\t")) {
		struct ip_buf b = {0};
		ip_buf_puts(&b, "");
		for (const char *s = json_string_value(v); *s; s++) {
			if (*s == '\n')
				ip_buf_puts(&b, "\n ");
			else
				ip_buf_add(&b, *s == '\t' ? " " : s, 1);
		}
		json_string_set(v, b.s);
		ip_buf_free(&b);
	}
}

/* The page description the template wrote, laid out as PDF pages. */
static int lay_out_pdf(const struct ip_plandoc *d, const char *name, const struct ip_buf *page,
                       struct ip_buf *out)
{
	int line;
	char *message;
	if (!ip_pdf_render(page->s, d->today, out, &line, &message))
		return 0;
	ip_error(&(struct ip_where){name, line, 0, NULL}, "%s", message);
	free(message);
	return IP_EXIT_DATAERR;
}

static int render_view(struct ctx *x, const char *text, const char *name, json_t *view,
                       struct ip_buf *out)
{
	bool pdf = !strcmp(x->d->format, "pdf");
	struct ip_buf page = {0};
	const char *error;
	int line, rc = 0;
	if (pdf)
		values_on_one_line(view);
	if (ip_mustache_render(text, view, partial, x, pdf ? &page : out, &error, &line)) {
		ip_error(&(struct ip_where){name, line, 0, NULL}, "%s", _(error));
		rc = IP_EXIT_DATAERR;
	} else if (pdf) {
		rc = lay_out_pdf(x->d, name, &page, out);
	}
	ip_buf_free(&page);
	return rc;
}

int ip_plandoc_render(const struct ip_plandoc *d, const char *file, const json_t *c,
                      struct ip_buf *out)
{
	if (!json_array_size(ip_get(c, "plan.measures"))) {
		ip_error(&(struct ip_where){file, 0, 0, NULL}, "has no plan to render (ip-plan new "
		         "--template NAME makes one)");
		return IP_EXIT_PROBLEMS;
	}
	struct ctx x = {d, d->dir ? ip_xstrdup(d->dir)
	                          : ip_xasprintf("%s/plan", ip_templates_dir()), json_object(), NULL};
	json_t *tmpl = NULL;
	char *text = NULL, *name = NULL;
	const char *template_name = ip_get_str(c, "plan.template");
	int rc = load_strings(&x);
	if (!rc)
		rc = load_template(&x, &text, &name);
	/* the template's title names the plan; a plan without one still renders */
	if (!rc && template_name && template_exists(template_name) &&
	    ip_plan_template_load(template_name, &d->lim, &tmpl))
		tmpl = NULL;
	if (!rc) {
		json_t *view = view_of(&x, c, tmpl);
		rc = render_view(&x, text, name, view, out);
		json_decref(view);
	}
	json_decref(x.strings);
	json_decref(tmpl);
	json_decref(x.partials);
	free(text);
	free(name);
	free(x.dir);
	return rc;
}
