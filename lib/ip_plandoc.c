#include "ip_plandoc.h"
#include "ip_schema.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_mustache.h"
#include "ip_plan.h"
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
};

/* ---- labels ------------------------------------------------------------- */

/* The label of a vocabulary id in the document's language, else English,
 * else the id itself. */
static const char *label(const struct ip_plandoc *d, const char *vocab, const char *id)
{
	return ip_vocab_label(vocab, id, d->lang);
}

static void set_label(json_t *obj, const char *key, const struct ip_plandoc *d,
                      const char *vocab, const char *id)
{
	if (id)
		json_object_set_new(obj, key, json_string(label(d, vocab, id)));
}

static json_t *labels(const struct ip_plandoc *d, const char *vocab, const json_t *ids)
{
	struct ip_buf b = {0};
	size_t i;
	json_t *id;
	json_array_foreach((json_t *)ids, i, id)
		ip_buf_printf(&b, "%s%s", i ? ", " : "", label(d, vocab, json_string_value(id)));
	json_t *s = json_string(b.s ? b.s : "");
	ip_buf_free(&b);
	return s;
}

/* ---- the data the templates see ----------------------------------------- */

static json_t *due_of(const json_t *c, const char *due)
{
	char date[11];
	json_t *v = json_object();
	if (!due)
		return v;
	bool resolved = ip_due_date(c, due, date);
	json_object_set_new(v, "date", json_string(resolved ? date : due));
	if (resolved && strcmp(date, due))
		json_object_set_new(v, "rule", json_string(due));
	return v;
}

static json_t *measure_view(const struct ip_plandoc *d, const json_t *c, const json_t *m)
{
	json_t *v = json_pack("{s:O}", "id", json_object_get(m, "id"));
	set_label(v, "category", d, "measure", ip_str(m, "category"));
	set_label(v, "dimension", d, "dimension", ip_str(m, "dimension"));
	set_label(v, "status", d, "measure-status",
	          ip_str(m, "status") ? ip_str(m, "status") : "open");
	if (ip_str(m, "owner"))
		json_object_set(v, "owner", json_object_get(m, "owner"));
	if (ip_str(m, "due"))
		json_object_set_new(v, "due", due_of(c, ip_str(m, "due")));
	const json_t *b = json_object_get(m, "budget");
	if (b) {
		char amount[40];
		ip_format_amount(json_number_value(json_object_get(b, "amount")), amount);
		json_t *bv = json_pack("{s:s, s:O}", "amount", amount, "currency",
		                       json_object_get(b, "currency"));
		if (ip_str(b, "programme"))
			json_object_set(bv, "programme", json_object_get(b, "programme"));
		json_object_set_new(v, "budget", bv);
	}
	if (ip_str(m, "programme"))
		json_object_set(v, "programme", json_object_get(m, "programme"));
	if (json_array_size(json_object_get(m, "addresses")))
		json_object_set_new(v, "addresses", labels(d, "need", json_object_get(m, "addresses")));
	if (ip_str(m, "note"))
		json_object_set(v, "note", json_object_get(m, "note"));
	return v;
}

static void add_measures(const struct ip_plandoc *d, const json_t *c, json_t *view)
{
	json_t *host = json_array(), *ret = json_array();
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "measures"), i, m)
		json_array_append_new(strcmp(ip_str(m, "side"), "host") ? ret : host,
		                      measure_view(d, c, m));
	json_object_set_new(view, "host_measures", host);
	json_object_set_new(view, "return_measures", ret);
}

static json_t *needs_view(const struct ip_plandoc *d, const json_t *c)
{
	const json_t *list = json_object_get(c, "assessments");
	const json_t *latest = json_array_get(list, json_array_size(list) - 1);
	json_t *needs = json_array();
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(latest, "needs"), i, n) {
		json_t *v = json_object();
		set_label(v, "need", d, "need", ip_str(n, "category"));
		set_label(v, "priority", d, "priority", ip_str(n, "priority"));
		json_array_append_new(needs, v);
	}
	return needs;
}

static json_t *follow_ups_view(const json_t *c)
{
	json_t *list = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(json_object_get(c, "plan"), "follow_ups"), i, f) {
		json_t *v = json_pack("{s:o}", "due", due_of(c, ip_str(f, "due")));
		if (ip_str(f, "done"))
			json_object_set(v, "done", json_object_get(f, "done"));
		json_array_append_new(list, v);
	}
	return list;
}

static json_t *approvals_view(const struct ip_plandoc *d, const json_t *c)
{
	json_t *list = json_array();
	size_t i;
	json_t *a;
	const json_t *plan = json_object_get(c, "plan");
	json_array_foreach(json_object_get(plan, "approvals"), i, a) {
		if (!ip_plan_approval_holds(plan, a))
			continue;
		json_t *v = json_pack("{s:O, s:O}", "by", json_object_get(a, "by"), "date",
		                      json_object_get(a, "date"));
		set_label(v, "side", d, "side", ip_str(a, "side"));
		json_array_append_new(list, v);
	}
	return list;
}

static json_t *person_view(const json_t *c)
{
	const json_t *p = json_object_get(c, "person");
	const json_t *r = json_object_get(c, "return");
	json_t *v = json_pack("{s:O, s:O, s:O, s:O}", "given", json_object_get(p, "given"),
	                      "family", json_object_get(p, "family"), "id",
	                      json_object_get(c, "id"), "country", json_object_get(r, "country"));
	const char *const keys[] = {"region", "planned_departure", "departed", "arrived"};
	for (size_t i = 0; i < 4; i++)
		if (ip_str(r, keys[i]))
			json_object_set(v, keys[i], json_object_get(r, keys[i]));
	const json_t *counsellors = json_object_get(c, "counsellors");
	if (ip_str(counsellors, "host"))
		json_object_set(v, "host_counsellor", json_object_get(counsellors, "host"));
	if (ip_str(counsellors, "return"))
		json_object_set(v, "return_counsellor", json_object_get(counsellors, "return"));
	return v;
}

static json_t *view_of(const struct ip_plandoc *d, const json_t *c, json_t *strings,
                       const json_t *tmpl)
{
	const json_t *plan = json_object_get(c, "plan");
	json_t *v = json_pack("{s:s, s:O, s:s, s:O, s:o, s:o, s:o, s:o, s:b}",
	                      "lang", d->lang, "t", strings, "today", d->today,
	                      "dir", json_object_get(strings, "dir"),
	                      "case", person_view(c), "needs", needs_view(d, c),
	                      "follow_ups", follow_ups_view(c),
	                      "approvals", approvals_view(d, c),
	                      "agreed", ip_plan_agreed(plan));
	add_measures(d, c, v);
	const json_t *title = json_object_get(tmpl, "title");
	if (ip_str(title, d->lang) || ip_str(title, "en"))
		json_object_set_new(v, "template", json_string(ip_str(title, d->lang)
		                                               ? ip_str(title, d->lang)
		                                               : ip_str(title, "en")));
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

/* The strings of the language (strings.LANG.yaml), else English's. */
static int load_strings(struct ctx *x, json_t **out)
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
	if (!rc && (docs.n != 1 || !json_is_object(docs.v[0].root) ||
	            !ip_str(docs.v[0].root, "dir"))) {
		ip_error(&(struct ip_where){path, 0, 0, NULL},
		         "expected a mapping of strings with 'dir: ltr' or 'dir: rtl'");
		rc = IP_EXIT_DATAERR;
	}
	if (!rc)
		*out = json_incref(docs.v[0].root);
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

int ip_plandoc_render(const struct ip_plandoc *d, const json_t *c, struct ip_buf *out)
{
	struct ctx x = {d, d->dir ? ip_xstrdup(d->dir)
	                          : ip_xasprintf("%s/plan", ip_templates_dir()), json_object()};
	json_t *strings = NULL, *tmpl = NULL;
	char *text = NULL, *name = NULL;
	const char *template_name = ip_get_str(c, "plan.template");
	int rc = load_strings(&x, &strings);
	if (!rc)
		rc = load_template(&x, &text, &name);
	/* the template's title names the plan; a plan without one still renders */
	if (!rc && template_name && template_exists(template_name) &&
	    ip_plan_template_load(template_name, &d->lim, &tmpl))
		tmpl = NULL;
	if (!rc) {
		json_t *view = view_of(d, c, strings, tmpl);
		const char *error;
		int line;
		if (ip_mustache_render(text, view, partial, &x, out, &error, &line)) {
			ip_error(&(struct ip_where){name, line, 0, NULL}, "%s", _(error));
			rc = IP_EXIT_DATAERR;
		}
		json_decref(view);
	}
	json_decref(strings);
	json_decref(tmpl);
	json_decref(x.partials);
	free(text);
	free(name);
	free(x.dir);
	return rc;
}
