#include "ip_figures.h"
#include "ip_budget.h"
#include "ip_ckm.h"
#include "ip_codes.h"
#include "ip_grammar.h"
#include "ip_i18n.h"
#include "ip_outcomes.h"
#include "ip_partial.h"
#include "ip_vocab.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tables ------------------------------------------------------------- */

static json_t *table(const char *title, json_t *columns)
{
	return json_pack("{s:s, s:o, s:[]}", "title", title, "columns", columns, "rows");
}

/* A value of a field as a row shows it: in German (or another catalogue's
 * language) the vocabulary's label; English keeps the ids, which are
 * English words and what scripts reading the CSV compare. */
static json_t *shown(const char *field, const char *value, size_t len)
{
	static const struct { const char *field, *vocab; } vocabs[] = {
		{"status", "case-status"}, {"outcome", "closure-outcome"}, {"sex", "sex"},
		{"vulnerability", "vulnerability"}, {"measure", "measure"}};
	const char *lang = ip_i18n_lang();
	char *id = ip_xasprintf("%.*s", (int)len, value);
	const char *label = id;
	if (strcmp(lang, "en")) {
		for (size_t i = 0; i < sizeof vocabs / sizeof *vocabs; i++)
			if (!strcmp(vocabs[i].field, field))
				label = ip_vocab_label(vocabs[i].vocab, id, lang);
		if (!strcmp(id, "none"))
			label = _("none");
	}
	json_t *s = json_string(label);
	free(id);
	return s;
}

/* The code set of a field whose codes have names (country, region). */
static int named_field(const char *field)
{
	return !strcmp(field, "country") ? IP_CODES_COUNTRY
	     : !strcmp(field, "region") ? IP_CODES_REGION : -1;
}

/* The name of a code beside it, in the user's language; "" for none. */
static json_t *code_name(int set, const char *value, size_t len)
{
	char *code = ip_xasprintf("%.*s", (int)len, value);
	const char *name = ip_code_name((enum ip_codeset)set, code);
	json_t *s = json_string(name ? name : "");
	free(code);
	return s;
}

static json_t *summary_tables(const json_t *p, const struct ip_protect *pr)
{
	const json_t *by = json_object_get(p, "by");
	const json_t *keys = json_object_get(p, "keys");
	json_t *cols = json_array();
	struct ip_buf title = {0};
	size_t i, blanks = 0;
	json_t *f;
	ip_buf_puts(&title, _("Cases"));
	json_array_foreach((json_t *)by, i, f) {
		json_array_append_new(cols, json_string(_(json_string_value(f))));
		if (named_field(json_string_value(f)) >= 0) {
			json_array_append_new(cols, json_string(_("name")));
			blanks++;
		}
		ip_buf_printf(&title, "%s%s", i ? ", " : _(" by "), _(json_string_value(f)));
	}
	json_array_append_new(cols, json_string(_("cases")));
	json_t *t = table(title.s, cols);
	ip_buf_free(&title);
	size_t nby = json_array_size(by);
	if (nby > 1) { /* grouped bars: the columns before the last field's */
		const char *last = json_string_value(json_array_get(by, nby - 1));
		json_object_set_new(t, "group", json_integer((json_int_t)(json_array_size(cols) -
		                    2 - (named_field(last) >= 0))));
	}
	const char *key;
	json_t *count;
	json_object_foreach(json_object_get(p, "groups"), key, count) {
		json_t *n = ip_protect_cell(pr, count, json_object_get(json_object_get(keys, "groups"),
		                                                  key));
		if (ip_protect_hidden_zero(pr, n))
			continue;
		json_t *row = json_array();
		const char *s = key;
		for (size_t k = 0; k < json_array_size(by); k++) {
			const char *field = json_string_value(json_array_get(by, k));
			size_t len = strcspn(s, IP_PARTIAL_KEY_SEP);
			json_array_append_new(row, shown(field, s, len));
			if (named_field(field) >= 0)
				json_array_append_new(row, code_name(named_field(field), s, len));
			s += len + (s[len] != '\0');
		}
		json_array_append_new(row, n);
		json_array_append_new(json_object_get(t, "rows"), row);
	}
	/* the total counts cases; with list fields a case is in several groups */
	json_t *total = json_array();
	json_array_append_new(total, json_string(_("total")));
	for (size_t k = 1; k < json_array_size(by) + blanks; k++)
		json_array_append_new(total, json_string(""));
	json_array_append_new(total, ip_protect_cell(pr, json_object_get(p, "cases"),
	                                        json_object_get(keys, "cases")));
	json_object_set_new(t, "total", total);
	return json_pack("[o]", t);
}

/* A KPI's inputs as shown: each count perturbed by its own cell key. */
struct kpi {
	const struct ip_protect *pr;
	const json_t *counts, *keys;
};

static json_int_t kpi_count(const struct kpi *k, const char *name)
{
	return ip_protect_count(k->pr, json_integer_value(json_object_get(k->counts, name)),
	                   json_object_get(k->keys, name));
}

/* A row: what, the value, and the (shown) number it rests on. */
static void kpi_row(json_t *t, const char *what, json_t *value, json_int_t basis)
{
	json_t *row = json_pack("[s, o, I]", what, value, (json_int_t)basis);
	json_array_append_new(json_object_get(t, "rows"), row);
}

static void kpi_days(json_t *t, const struct kpi *k, const json_t *hist, const json_t *key,
                     const char *what)
{
	json_int_t n = 0;
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)hist, name, v)
		n += json_integer_value(v);
	json_int_t base = ip_protect_count(k->pr, n, key);
	long median, p90;
	bool ok = !ip_protect_withheld(k->pr, base) && ip_partial_percentile(hist, 0.5, &median) &&
	          ip_partial_percentile(hist, 0.9, &p90);
	char label[128];
	snprintf(label, sizeof label, _("days from %s: median"), _(what));
	kpi_row(t, label, ok ? json_integer(median) : json_string(""), base);
	snprintf(label, sizeof label, _("days from %s: 90th percentile"), _(what));
	kpi_row(t, label, ok ? json_integer(p90) : json_string(""), base);
}

static json_t *kpi_tables(const json_t *p, const struct ip_protect *pr)
{
	const json_t *keys = json_object_get(p, "keys");
	struct kpi k = {pr, json_object_get(p, "counts"), json_object_get(keys, "counts")};
	const json_t *h = json_object_get(p, "histograms");
	const json_t *hk = json_object_get(keys, "histograms");
	json_t *t = table(_("Key figures"), json_pack("[s, s, s]", _("indicator"), _("value"),
	                                              _("based on")));
	/* rates, days and counts: no one scale to draw them on */
	json_object_set_new(t, "chart", json_false());
	json_int_t cases = kpi_count(&k, "cases"), open = kpi_count(&k, "open");
	json_int_t referrals = kpi_count(&k, "referrals");
	json_int_t answered = kpi_count(&k, "referrals_answered");
	json_int_t due = kpi_count(&k, "follow_ups_due");
	json_int_t overdue = kpi_count(&k, "measures_overdue");
	kpi_row(t, _("open caseload"), json_integer(open), open);
	kpi_row(t, _("closure rate"), ip_protect_rate(pr, kpi_count(&k, "closed"), cases), cases);
	kpi_days(t, &k, json_object_get(h, "intake_to_departure"),
	         json_object_get(hk, "intake_to_departure"), N_("intake to departure"));
	kpi_days(t, &k, json_object_get(h, "arrival_to_plan"),
	         json_object_get(hk, "arrival_to_plan"), N_("arrival to an agreed plan"));
	kpi_row(t, _("referrals per case"), cases && !ip_protect_withheld(pr, cases)
	        ? json_sprintf("%.2f", (double)referrals / (double)cases) : json_string(""),
	        cases);
	kpi_row(t, _("referrals accepted"), ip_protect_rate(pr, kpi_count(&k, "referrals_accepted"),
	                                         answered), answered);
	kpi_row(t, _("follow-ups done on time"), ip_protect_rate(pr, kpi_count(&k, "follow_ups_on_time"),
	                                              due), due);
	kpi_row(t, _("overdue measures"), json_integer(overdue), overdue);
	json_t *outcomes = table(_("Closed cases by outcome"), json_pack("[s, s]", _("outcome"),
	                                                                 _("cases")));
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)k.counts, name, v) {
		if (strncmp(name, "outcome:", 8))
			continue;
		json_t *n = json_integer(kpi_count(&k, name));
		if (!ip_protect_hidden_zero(pr, n))
			json_array_append_new(json_object_get(outcomes, "rows"),
			                      json_pack("[o, o]", shown("outcome", name + 8,
			                                strlen(name + 8)), n));
	}
	json_object_set_new(outcomes, "total", json_pack("[s, I]", _("total"),
	                                                 kpi_count(&k, "closed")));
	return json_pack("[o, o]", t, outcomes);
}

/* An indicator's title in the user's language (German or English). */
static const char *title_of(const json_t *def)
{
	const json_t *title = json_object_get(def, "title");
	const char *de = ip_str(title, "de");
	return !strcmp(ip_i18n_lang(), "de") && de ? de : ip_str(title, "en");
}

static json_t *indicator_tables(const json_t *p, const struct ip_protect *pr)
{
	const char *period = ip_str(p, "period");
	const json_t *keys = json_object_get(json_object_get(p, "keys"), "indicators");
	const json_t *defs = pr->indicators;
	json_t *tables = json_array();
	size_t i, b;
	json_t *def, *breakdown;
	json_array_foreach(json_object_get(defs, "indicators"), i, def) {
		const json_t *ind = json_object_get(json_object_get(p, "indicators"), ip_str(def, "id"));
		const json_t *kind = json_object_get(keys, ip_str(def, "id"));
		json_array_foreach(json_object_get(defs, "breakdowns"), b, breakdown) {
			const char *by = json_string_value(breakdown);
			char title[200];
			snprintf(title, sizeof title, _("%s %s by %s"), title_of(def), period, _(by));
			json_t *t = table(title, json_pack("[s, s]", _(by), _("returnees")));
			const json_t *kby = json_object_get(kind, by);
			const char *k;
			json_t *v;
			json_object_foreach(json_object_get(ind, by), k, v) {
				json_t *n = ip_protect_cell(pr, v, json_object_get(kby, k));
				if (!ip_protect_hidden_zero(pr, n))
					json_array_append_new(json_object_get(t, "rows"),
					                      json_pack("[o, o]", shown(by, k, strlen(k)), n));
			}
			json_object_set_new(t, "total", json_pack("[s, o]", _("total"),
			                    ip_protect_cell(pr, json_object_get(ind, "total"),
			                               json_object_get(kind, "total"))));
			json_array_append_new(tables, t);
		}
	}
	return tables;
}

json_t *ip_figures_tables(const json_t *partial, const struct ip_protect *pr)
{
	const char *kind = ip_str(partial, "report");
	json_t *tables = !strcmp(kind, "summary") ? summary_tables(partial, pr)
	               : !strcmp(kind, "kpi") ? kpi_tables(partial, pr)
	               : !strcmp(kind, "outcomes") ? ip_outcomes_tables(partial, pr)
	               : !strcmp(kind, "budget") ? ip_budget_tables(partial, pr)
	               : indicator_tables(partial, pr);
	if (!pr->ptable) /* exact counts: every file says it is not for publication */
		json_array_insert_new(tables, 0, json_pack("{s:s, s:[s], s:[[s]]}", "title",
		                      _("NOT FOR PUBLICATION"), "columns", _("notice"), "rows",
		                      _("exact counts (--protection none), for internal use only: "
		                        "they may point at a person")));
	return tables;
}

/* The reports' names, marked for the catalogues: the title is in the
 * reader's language. */
static const char *report_name(const char *kind)
{
	static const char *const names[] = {N_("summary"), N_("kpi"), N_("indicators"),
	                                    N_("outcomes"), N_("budget")};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(kind, names[i]))
			return _(names[i]);
	return kind;
}

/* What a reader must know first: the report, whose cases (the centres of
 * its sources), which period, how many (as shown) and when it was made. */
static char *report_title(const json_t *p, const struct ip_protect *pr)
{
	struct ip_buf who = {0}, when = {0};
	json_t *centres = json_array();  /* each once, in the sources' order */
	size_t i;
	json_t *src;
	json_array_foreach(json_object_get(p, "sources"), i, src)
		if (!ip_ids_have(centres, ip_str(src, "centre"))) {
			json_array_append_new(centres, json_string(ip_str(src, "centre")));
			ip_buf_printf(&who, "%s%s", who.len ? ", " : "", ip_str(src, "centre"));
		}
	json_decref(centres);
	const json_t *filter = json_object_get(p, "filter");
	if (ip_str(p, "period"))
		ip_buf_printf(&when, _(", period %s"), ip_str(p, "period"));
	if (ip_str(filter, "since") || ip_str(filter, "until"))
		ip_buf_printf(&when, _(", cases opened %s to %s"), ip_str(filter, "since") ?
		              ip_str(filter, "since") : "…", ip_str(filter, "until") ?
		              ip_str(filter, "until") : "…");
	char made[11];
	ip_date_str(ip_now(), made);
	json_int_t cases = ip_protect_count(pr, json_integer_value(json_object_get(p, "cases")),
	                               json_object_get(json_object_get(p, "keys"), "cases"));
	char *title = ip_xasprintf(_("IntegPlan %s: %s%s (%lld cases), made %s%s"),
	                           report_name(ip_str(p, "report")), who.s ? who.s : _("no repository"),
	                           when.s ? when.s : "", (long long)cases, made,
	                           pr->ptable ? "" : _(" — NOT FOR PUBLICATION"));
	ip_buf_free(&who);
	ip_buf_free(&when);
	return title;
}

void ip_figures_render(const json_t *partial, enum ip_format f, enum ip_csv_dialect dialect,
                      const struct ip_protect *pr, struct ip_buf *out)
{
	if (f == IP_FORMAT_JSON) {
		ip_emit(out, partial, IP_FORMAT_JSON);
		return;
	}
	char *title = report_title(partial, pr);
	json_t *tables = ip_figures_tables(partial, pr);
	ip_tables_render(tables, ip_table_format_of(f), dialect, title, out);
	json_decref(tables);
	free(title);
}