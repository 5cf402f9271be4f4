#include "ip_caseview.h"
#include "ip_codes.h"
#include "ip_doc.h"
#include "ip_i18n.h"
#include "ip_plan.h"
#include "ip_visible.h"
#include "ip_vocab.h"

#include <string.h>

/* A value as the terminal shows it: invisible characters escaped. */
static void put(struct ip_buf *out, const char *s)
{
	ip_visible_add(out, s ? s : "", s ? strlen(s) : 0, false);
}

/* A label of the page, padded to one column. */
static void label(struct ip_buf *out, const char *text)
{
	size_t chars = 0;
	for (const char *p = text; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	ip_buf_printf(out, "  %s%*s", text, chars < 20 ? (int)(20 - chars) : 1, "");
}

static void heading(struct ip_buf *out, const char *text)
{
	ip_buf_printf(out, "\n%s\n", text);
}

/* A vocabulary id in the language's words; English keeps the id. */
static const char *word(const char *vocab, const char *id, const char *lang)
{
	return !id ? "" : strcmp(lang, "en") ? ip_vocab_label(vocab, id, lang) : id;
}

/* "AF (Afghanistan)" */
static void code(struct ip_buf *out, enum ip_codeset set, const char *value)
{
	const char *name = value ? ip_code_name(set, value) : NULL;
	put(out, value ? value : "—");
	if (name) {
		ip_buf_puts(out, " (");
		put(out, name);
		ip_buf_puts(out, ")");
	}
}

static void list_of(struct ip_buf *out, const json_t *list, const char *vocab,
                    const char *lang)
{
	size_t i;
	json_t *v;
	json_array_foreach((json_t *)list, i, v) {
		ip_buf_puts(out, i ? ", " : "");
		put(out, vocab ? word(vocab, json_string_value(v), lang) : json_string_value(v));
	}
	if (!json_array_size(list))
		ip_buf_puts(out, "—");
}

static void who(const json_t *c, const char *lang, struct ip_buf *out)
{
	const json_t *p = json_object_get(c, "person");
	put(out, ip_str(c, "id"));
	ip_buf_puts(out, "  ");
	put(out, ip_str(p, "given"));
	ip_buf_puts(out, " ");
	put(out, ip_str(p, "family"));
	ip_buf_puts(out, "\n");
	label(out, _("born"));
	put(out, ip_str(p, "birth_date"));
	ip_buf_puts(out, ", ");
	put(out, word("sex", ip_str(p, "sex"), lang));
	ip_buf_puts(out, "\n");
	label(out, _("nationality"));
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(p, "nationality"), i, n) {
		ip_buf_puts(out, i ? ", " : "");
		code(out, IP_CODES_COUNTRY, json_string_value(n));
	}
	ip_buf_puts(out, "\n");
	label(out, _("languages"));
	list_of(out, json_object_get(p, "languages"), NULL, lang);
	ip_buf_puts(out, "\n");
	const json_t *contact = json_object_get(p, "contact");
	static const char *const ways[] = {"phone", "email", "address"};
	for (i = 0; i < 3; i++)
		if (ip_str(contact, ways[i])) {
			label(out, _(ways[i]));
			put(out, ip_str(contact, ways[i]));
			ip_buf_puts(out, "\n");
		}
}

static void standing(const json_t *c, const char *lang, struct ip_buf *out)
{
	const json_t *ret = json_object_get(c, "return"), *cs = json_object_get(c, "counsellors");
	label(out, _("status"));
	put(out, word("case-status", ip_str(c, "status"), lang));
	if (ip_str(c, "outcome")) {
		ip_buf_puts(out, ": ");
		put(out, word("closure-outcome", ip_str(c, "outcome"), lang));
	}
	ip_buf_printf(out, _(" (opened %s"), ip_str(c, "opened"));
	if (ip_str(c, "closed"))
		ip_buf_printf(out, _(", closed %s"), ip_str(c, "closed"));
	ip_buf_puts(out, ")\n");
	label(out, _("counsellors"));
	ip_buf_printf(out, "%s ", _("host:"));
	put(out, ip_str(cs, "host") ? ip_str(cs, "host") : "—");
	ip_buf_printf(out, "; %s ", _("return:"));
	put(out, ip_str(cs, "return") ? ip_str(cs, "return") : "—");
	ip_buf_puts(out, "\n");
	label(out, _("return to"));
	code(out, IP_CODES_COUNTRY, ip_str(ret, "country"));
	if (ip_str(ret, "region")) {
		ip_buf_puts(out, ", ");
		code(out, IP_CODES_REGION, ip_str(ret, "region"));
	}
	ip_buf_puts(out, "\n");
	static const char *const days[] = {N_("planned departure"), N_("departed"),
	                                   N_("arrived")};
	static const char *const keys[] = {"planned_departure", "departed", "arrived"};
	for (size_t i = 0; i < 3; i++)
		if (ip_str(ret, keys[i])) {
			label(out, _(days[i]));
			ip_buf_printf(out, "%s\n", ip_str(ret, keys[i]));
		}
	label(out, _("programmes"));
	list_of(out, json_object_get(c, "programmes"), NULL, lang);
	ip_buf_puts(out, "\n");
}

static void consent(const json_t *c, const char *lang, struct ip_buf *out)
{
	heading(out, _("Consent"));
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(c, "consent"), i, k) {
		ip_buf_puts(out, "  ");
		put(out, word("consent-purpose", ip_str(k, "purpose"), lang));
		if (ip_str(k, "recipient")) {
			ip_buf_puts(out, " → ");
			put(out, ip_str(k, "recipient"));
		}
		ip_buf_printf(out, _(": given %s"), ip_str(k, "given"));
		if (ip_str(k, "withdrawn"))
			ip_buf_printf(out, _(", withdrawn %s"), ip_str(k, "withdrawn"));
		ip_buf_puts(out, "\n");
	}
	if (!json_array_size(json_object_get(c, "consent")))
		ip_buf_printf(out, "  %s\n", _("none recorded"));
}

static void assessment(const json_t *c, const char *lang, struct ip_buf *out)
{
	const json_t *all = json_object_get(c, "assessments");
	const json_t *a = json_array_get(all, json_array_size(all) - 1);
	if (!a)
		return;
	heading(out, _("Latest assessment"));
	label(out, _("date"));
	put(out, ip_str(a, "date"));
	ip_buf_puts(out, ", ");
	put(out, ip_str(a, "by"));
	if (ip_str(a, "side")) {
		ip_buf_puts(out, " (");
		put(out, word("side", ip_str(a, "side"), lang));
		ip_buf_puts(out, ")");
	}
	ip_buf_puts(out, "\n");
	label(out, _("vulnerabilities"));
	list_of(out, json_object_get(a, "vulnerabilities"), "vulnerability", lang);
	ip_buf_puts(out, "\n");
	label(out, _("needs"));
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(a, "needs"), i, n) {
		ip_buf_puts(out, i ? ", " : "");
		put(out, word("need", ip_str(n, "category"), lang));
		if (ip_str(n, "priority")) {
			ip_buf_puts(out, " (");
			put(out, word("priority", ip_str(n, "priority"), lang));
			ip_buf_puts(out, ")");
		}
	}
	if (!json_array_size(json_object_get(a, "needs")))
		ip_buf_puts(out, "—");
	ip_buf_puts(out, "\n");
}

static void plan(const json_t *c, const char *lang, struct ip_buf *out)
{
	const json_t *p = json_object_get(c, "plan");
	if (!p)
		return;
	heading(out, _("Plan"));
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(p, "measures"), i, m) {
		ip_buf_puts(out, "  ");
		put(out, ip_str(m, "id"));
		ip_buf_puts(out, "  ");
		put(out, word("measure", ip_str(m, "category"), lang));
		ip_buf_puts(out, "; ");
		put(out, word("side", ip_str(m, "side"), lang));
		if (ip_str(m, "due"))
			ip_buf_printf(out, _("; due %s"), ip_str(m, "due"));
		ip_buf_puts(out, "; ");
		put(out, word("measure-status", ip_str(m, "status") ? ip_str(m, "status") : "open",
		              lang));
		if (ip_str(m, "owner")) {
			ip_buf_puts(out, "; ");
			put(out, ip_str(m, "owner"));
		}
		ip_buf_puts(out, "\n");
	}
	json_t *a;
	json_array_foreach(json_object_get(p, "approvals"), i, a) {
		label(out, _("approved"));
		put(out, word("side", ip_str(a, "side"), lang));
		ip_buf_puts(out, ": ");
		put(out, ip_str(a, "by"));
		ip_buf_printf(out, ", %s", ip_str(a, "date"));
		if (ip_str(a, "withdrawn"))
			ip_buf_printf(out, _(" (withdrawn %s)"), ip_str(a, "withdrawn"));
		else if (!ip_plan_approval_holds(p, a))
			ip_buf_printf(out, "%s", _(" (for other measures: counts as withdrawn)"));
		ip_buf_puts(out, "\n");
	}
}

static void referrals(const json_t *c, const char *lang, struct ip_buf *out)
{
	const json_t *refs = json_object_get(c, "referrals");
	if (!json_array_size(refs))
		return;
	heading(out, _("Referrals"));
	size_t i;
	json_t *r;
	json_array_foreach((json_t *)refs, i, r) {
		ip_buf_puts(out, "  ");
		put(out, ip_str(r, "id"));
		ip_buf_puts(out, " → ");
		put(out, ip_str(r, "to"));
		ip_buf_puts(out, ": ");
		put(out, word("referral-status", ip_str(r, "status"), lang));
		const char *day = ip_str(r, "updated") ? ip_str(r, "updated") : ip_str(r, "date");
		if (day)
			ip_buf_printf(out, _(" since %s"), day);
		ip_buf_puts(out, "\n");
	}
}

/* What an erased case still says. */
static void tombstone(const json_t *c, const char *lang, struct ip_buf *out)
{
	put(out, ip_str(c, "id"));
	ip_buf_printf(out, _("  (erased %s)\n"), ip_str(c, "erased"));
	label(out, _("status"));
	put(out, word("case-status", ip_str(c, "status"), lang));
	ip_buf_puts(out, ": ");
	put(out, word("closure-outcome", ip_str(c, "outcome"), lang));
	ip_buf_printf(out, _(" (opened %lld, closed %lld)\n"),
	              (long long)json_integer_value(json_object_get(c, "opened_year")),
	              (long long)json_integer_value(json_object_get(c, "closed_year")));
}

void ip_caseview_page(const json_t *c, const char *lang, struct ip_buf *out)
{
	if (json_object_get(c, "erased")) {
		tombstone(c, lang, out);
		return;
	}
	who(c, lang, out);
	standing(c, lang, out);
	consent(c, lang, out);
	assessment(c, lang, out);
	plan(c, lang, out);
	referrals(c, lang, out);
	size_t notes = json_array_size(json_object_get(c, "notes"));
	size_t history = json_array_size(json_object_get(c, "history"));
	ip_buf_printf(out, "\n%s\n", _("Notes and history"));
	ip_buf_printf(out, ngettext("  %zu note", "  %zu notes", notes), notes);
	ip_buf_printf(out, ngettext("; %zu history entry (ip-case log)\n",
	                            "; %zu history entries (ip-case log)\n", history), history);
}

void ip_caseview_log(const json_t *c, struct ip_buf *out)
{
	size_t i;
	json_t *h;
	static const char *const fields[] = {"at", "by", "cmd", "what"};
	json_array_foreach(json_object_get(c, "history"), i, h) {
		for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
			ip_buf_puts(out, f ? "  " : "");
			put(out, ip_str(h, fields[f]));
		}
		ip_buf_puts(out, "\n");
	}
}
