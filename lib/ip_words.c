#include "ip_words.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_grammar.h"
#include "ip_i18n.h"
#include "ip_mustache.h"
#include "ip_pdf.h"
#include "ip_plan.h"
#include "ip_share.h"
#include "ip_vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- words and dates in the document's language ---------------------------- */

/* pattern with each {name} replaced by the value of that name in vars
 * (NULL-terminated name, value pairs), a new string. */
char *ip_words_fill(const char *pattern, const char *const vars[])
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
json_t *ip_words_date(const struct ip_words *x, const char *iso)
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
	char *text = ip_words_fill(ip_str(x->strings, "date"), vars);
	json_t *v = json_string(text);
	free(text);
	return v;
}

void ip_words_set_date(const struct ip_words *x, json_t *obj, const char *key, const char *iso)
{
	if (iso)
		json_object_set_new(obj, key, ip_words_date(x, iso));
}

/* Which form of a counted word n takes: one and other (English, German,
 * the default); one, few and many as Russian and Serbian count (1
 * неделю, 2 недели, 5 недель; 21 like 1, 12 to 14 like 5); or Arabic's
 * one, two (the dual), few (3 to 10: أشهر), many (11 to 99: شهرًا) and
 * other (100, 0). */
static size_t plural_form(const char *rule, int n)
{
	int last = n % 10, two = n % 100;
	if (rule && !strcmp(rule, "slavic"))
		return last == 1 && two != 11 ? 0 : last >= 2 && last <= 4 && (two < 12 || two > 14) ? 1 : 2;
	if (rule && !strcmp(rule, "arabic"))
		return n == 1 ? 0 : n == 2 ? 1 : two >= 3 && two <= 10 ? 2 : two >= 11 ? 3 : 4;
	return n == 1 ? 0 : 1;
}

/* A due rule in words: "departure-42d" is "6 weeks before departure". */
static char *rule_words(const struct ip_words *x, const char *rule)
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
	/* a form that says the number itself (Arabic's dual, "=أسبوعين": two
	 * weeks) stands without it */
	bool says_number = *unit_word == '=';
	const char *vars[] = {"n", says_number ? "" : count, "unit", unit_word + says_number,
	                      "event", event_word, NULL};
	char *words = ip_words_fill(pattern, vars);
	if (says_number) { /* the number's place and its space go */
		char *gap = strstr(words, "  ");
		if (gap)
			memmove(gap, gap + 1, strlen(gap));
		else if (*words == ' ')
			memmove(words, words + 1, strlen(words));
	}
	return words;
}

json_t *ip_words_due(const struct ip_words *x, const json_t *c, const char *due)
{
	char date[11];
	json_t *v = json_object();
	if (!due)
		return v;
	bool resolved = ip_due_date(c, due, date);
	if (resolved)
		json_object_set_new(v, "date", ip_words_date(x, date));
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
const char *ip_words_label(const struct ip_words *x, const char *vocab, const char *id)
{
	const char *own = ip_str(json_object_get(json_object_get(x->strings, "labels"), vocab), id);
	return own ? own : ip_vocab_label(vocab, id, x->d->lang);
}

void ip_words_set_label(json_t *obj, const char *key, const struct ip_words *x, const char *vocab,
                      const char *id)
{
	if (id)
		json_object_set_new(obj, key, json_string(ip_words_label(x, vocab, id)));
}

void ip_words_contact(json_t *v, const char *prefix, const json_t *entry)
{
	const json_t *contact = json_object_get(entry, "contact");
	static const char *const ways[] = {"email", "phone"};
	for (size_t k = 0; k < 2; k++)
		if (ip_str(contact, ways[k])) {
			char key[32];
			snprintf(key, sizeof key, "%s%s", prefix, ways[k]);
			json_object_set(v, key, json_object_get(contact, ways[k]));
		}
}

const char *ip_words_comma(const struct ip_words *x)
{
	const char *comma = ip_str(x->strings, "comma");
	return comma ? comma : ", ";
}

json_t *ip_words_labels(const struct ip_words *x, const char *vocab, const json_t *ids)
{
	struct ip_buf b = {0};
	size_t i;
	json_t *id;
	json_array_foreach((json_t *)ids, i, id)
		ip_buf_printf(&b, "%s%s", i ? ip_words_comma(x) : "",
		              ip_words_label(x, vocab, json_string_value(id)));
	json_t *s = json_string(b.s ? b.s : "");
	ip_buf_free(&b);
	return s;
}

/* A programme by its name ("REAG/GARP 2.0"), else its id. */
json_t *ip_words_programme(const char *id)
{
	const json_t *p = ip_programme(id);
	return json_string(ip_str(p, "name") ? ip_str(p, "name") : id);
}

json_t *ip_words_budget(const json_t *budget)
{
	char amount[40];
	ip_format_amount(json_number_value(json_object_get(budget, "amount")), amount);
	json_t *v = json_pack("{s:s, s:O}", "amount", amount, "currency",
	                      json_object_get(budget, "currency"));
	if (ip_str(budget, "programme"))
		json_object_set_new(v, "programme", ip_words_programme(ip_str(budget, "programme")));
	return v;
}

/* A code's name in the document's language (iso-codes' catalogue of the
 * strings' iso_locale), else the code. */
json_t *ip_words_code(const struct ip_words *x, enum ip_codeset set, const char *code)
{
	const char *name = ip_code_name_in(set, code, ip_str(x->strings, "iso_locale"));
	return json_string(name ? name : code);
}

/* ---- files -------------------------------------------------------------- */

static bool readable(const char *path)
{
	return access(path, R_OK) == 0;
}

static int read_text(const struct ip_docopts *d, const char *path, char **text)
{
	size_t len;
	return ip_read_all(path, d->lim.max_bytes, text, &len);
}

/* A translation not yet reviewed by a native speaker says so: the
 * returnee signs what it says. */
static void say_if_draft(const struct ip_words *x, const char *path)
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

/* One strings file, checked; its words in *root. */
static int load_strings_file(const struct ip_words *x, const char *path, json_t **root)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_YAML, &x->d->lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "expected one mapping of words, found "
		         "%zu documents", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc && check_strings(&docs.v[0]))
		rc = IP_EXIT_DATAERR;
	if (!rc)
		*root = json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	return rc;
}

/* The words of the language (strings.LANG.yaml) over English's, so that a
 * word a language does not have yet is at least in English, never missing. */
static int load_strings(struct ip_words *x)
{
	char *path = ip_xasprintf("%s/strings.en.yaml", x->dir);
	int rc = load_strings_file(x, path, &x->strings);
	free(path);
	if (rc || !strcmp(x->d->lang, "en"))
		return rc;
	path = ip_xasprintf("%s/strings.%s.yaml", x->dir, x->d->lang);
	json_t *own = NULL;
	if (!readable(path))
		ip_warn(NULL, "no document strings for language '%s'; using English", x->d->lang);
	else
		rc = load_strings_file(x, path, &own);
	if (own) {
		/* whether it is a draft is the language's own say, not English's */
		json_object_del(x->strings, "translation");
		json_object_update_recursive(x->strings, own);
		say_if_draft(x, path);
	}
	json_decref(own);
	free(path);
	return rc;
}

/* KIND.LANG.FMT.mustache when a site wrote one, else KIND.FMT.mustache. */
static int load_template(struct ip_words *x, const char *kind, char **text, char **name)
{
	*name = ip_xasprintf("%s/%s.%s.%s.mustache", x->dir, kind, x->d->lang, x->d->format);
	if (!readable(*name)) {
		free(*name);
		*name = ip_xasprintf("%s/%s.%s.mustache", x->dir, kind, x->d->format);
	}
	const char *have = ip_str(x->templates, *name);
	if (have) { /* read once a run */
		*text = ip_xstrdup(have);
		return IP_EXIT_OK;
	}
	int rc = read_text(x->d, *name, text);
	if (!rc)
		json_object_set_new(x->templates, *name, json_string(*text));
	return rc;
}

static const char *partial(const char *name, void *ctx)
{
	struct ip_words *x = ctx;
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
static int lay_out_pdf(struct ip_words *x, const char *name, const struct ip_buf *page,
                       struct ip_buf *out)
{
	int line;
	char *message;
	if (!x->fonts)
		x->fonts = ip_pdf_fonts_open();
	if (!ip_pdf_render(x->fonts, page->s, x->d->today, out, &line, &message))
		return 0;
	ip_error(&(struct ip_where){name, line, 0, NULL}, "%s", message);
	free(message);
	return IP_EXIT_DATAERR;
}

static int render_view(struct ip_words *x, const char *text, const char *name, json_t *view,
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
		rc = lay_out_pdf(x, name, &page, out);
	}
	ip_buf_free(&page);
	return rc;
}

int ip_words_open(struct ip_words *x, const struct ip_docopts *d)
{
	*x = (struct ip_words){d, d->dir ? ip_xstrdup(d->dir)
	                                 : ip_xasprintf("%s/plan", ip_templates_dir()),
	                       json_object(), json_object(), NULL, NULL};
	return load_strings(x);
}

void ip_words_close(struct ip_words *x)
{
	json_decref(x->strings);
	json_decref(x->partials);
	json_decref(x->templates);
	ip_pdf_fonts_close(x->fonts);
	free(x->dir);
	*x = (struct ip_words){0};
}

int ip_words_render(struct ip_words *x, const char *kind, json_t *view, struct ip_buf *out)
{
	char *text = NULL, *name = NULL;
	int rc = load_template(x, kind, &text, &name);
	if (!rc)
		rc = render_view(x, text, name, view, out);
	free(text);
	free(name);
	return rc;
}

int ip_docopts_check(const struct ip_docopts *d, bool to_files)
{
	if (strspn(d->lang, "abcdefghijklmnopqrstuvwxyz-") != strlen(d->lang) || !*d->lang) {
		ip_error(NULL, "--lang: '%s' is not a language code (de, en, ar, ...)", d->lang);
		return IP_EXIT_USAGE;
	}
	if (!strcmp(d->format, "pdf") && !to_files && isatty(STDOUT_FILENO)) {
		ip_error(NULL, "-f pdf: a PDF is not for a terminal; redirect standard output to a "
		         "file");
		return IP_EXIT_USAGE;
	}
	return IP_EXIT_OK;
}
