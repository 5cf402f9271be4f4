#include "ip_outcomes.h"
#include "ip_digest.h"
#include "ip_doc.h"
#include "ip_facts.h"
#include "ip_i18n.h"
#include "ip_mem.h"
#include "ip_partial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the parts of an item of the outcomes fact */
enum { SLOT, DUE, DONE, SURVEY, DATE, COMPOSITE, FLAGS, SCORES, MAX_PARTS = 24 };

/* ---- counting ------------------------------------------------------------- */

/* One more at key of counts, and the case's record key at key of keys. */
static void tally(json_t *counts, json_t *keys, const char *key, uint32_t rkey)
{
	ip_partial_count(counts, key, 1);
	ip_partial_add_key(keys, key, rkey);
}

/* A score of the fact in hundredths, 0 to 100; false for none. */
static bool hundredths(const char *s, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 100)
		return false;
	*out = v;
	return true;
}

static void tally_score(json_t *hist, json_t *khist, long score, uint32_t rkey)
{
	char bin[24];
	snprintf(bin, sizeof bin, "%ld", score);
	tally(hist, khist, bin, rkey);
}

/* The baseline's composite and date, if the case has one with a composite. */
static bool baseline_of(const char *fact, long *composite, char date[11])
{
	const char *cursor = fact;
	char item[1024];
	char *parts[MAX_PARTS];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, MAX_PARTS, &np))
		if (np > COMPOSITE && !strcmp(parts[SLOT], "baseline") &&
		    hundredths(parts[COMPOSITE], composite)) {
			snprintf(date, 11, "%s", parts[DATE]);
			return true;
		}
	return false;
}

/* A survey taken at a follow-up: its scores, flags and change. */
static void count_survey(json_t *slot, json_t *kslot, char **parts, int np,
                         const char *baseline_date, const long *baseline, uint32_t rkey)
{
	tally(slot, kslot, "surveyed", rkey);
	if (np > FLAGS && *parts[FLAGS])
		tally(slot, kslot, "flagged", rkey);
	long composite, score;
	if (np > COMPOSITE && hundredths(parts[COMPOSITE], &composite)) {
		tally_score(ip_partial_child(slot, "composite"),
		            ip_partial_child(kslot, "composite"), composite, rkey);
		if (baseline && strcmp(baseline_date, parts[DATE]) <= 0)
			tally_score(ip_partial_child(slot, "change"),
			            ip_partial_child(kslot, "change"), composite - *baseline, rkey);
	}
	for (int i = SCORES; i < np; i++) {
		char *eq = strrchr(parts[i], '=');
		if (!eq || !hundredths(eq + 1, &score))
			continue;
		*eq = '\0';
		tally_score(ip_partial_child(ip_partial_child(slot, "scores"), parts[i]),
		            ip_partial_child(ip_partial_child(kslot, "scores"), parts[i]), score,
		            rkey);
	}
}

void ip_outcomes_count(json_t *slots, json_t *kslots, const char *fact, const char *survey,
                       const char *from, const char *to, uint32_t rkey)
{
	long baseline;
	char baseline_date[11];
	bool has_baseline = baseline_of(fact, &baseline, baseline_date);
	const char *cursor = fact;
	char item[1024];
	char *parts[MAX_PARTS];
	int np;
	while (ip_facts_next(&cursor, item, sizeof item, parts, MAX_PARTS, &np)) {
		if (np <= DONE || !*parts[SLOT] || !strcmp(parts[SLOT], "baseline") ||
		    strcmp(parts[DUE], from) < 0 || strcmp(parts[DUE], to) > 0)
			continue;
		json_t *slot = ip_partial_child(slots, parts[SLOT]);
		json_t *kslot = ip_partial_child(kslots, parts[SLOT]);
		tally(slot, kslot, "due", rkey);
		if (!*parts[DONE] || strcmp(parts[DONE], to) > 0)
			continue;
		tally(slot, kslot, "done", rkey);
		if (np > DATE && !strcmp(parts[SURVEY], survey) && strcmp(parts[DATE], to) <= 0)
			count_survey(slot, kslot, parts, np, baseline_date,
			             has_baseline ? &baseline : NULL, rkey);
	}
}

json_t *ip_outcomes_survey(const json_t *definition)
{
	json_t *dims = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(definition, "dimensions"), i, d)
		json_array_append_new(dims, json_pack("{s:s, s:O}", "id", ip_str(d, "id"), "title",
		                                      json_object_get(d, "title")));
	char digest[IP_DIGEST_SIZE];
	ip_digest_json(definition, digest);
	return json_pack("{s:s, s:O, s:o, s:s}", "id", ip_str(definition, "id"), "threshold",
	                 json_object_get(definition, "threshold"), "dimensions", dims,
	                 "digest", digest);
}

/* ---- tables --------------------------------------------------------------- */

/* A histogram's counts from lo to hi (inclusive) and their cell key. */
struct span {
	json_int_t n;
	uint32_t key;
};

static struct span span_of(const json_t *hist, const json_t *khist, long lo, long hi)
{
	struct span s = {0, 0};
	const char *bin;
	json_t *v;
	json_object_foreach((json_t *)hist, bin, v) {
		long at = atol(bin);
		if (at < lo || at > hi)
			continue;
		s.n += json_integer_value(v);
		s.key += (uint32_t)json_integer_value(json_object_get(khist, bin));
	}
	return s;
}

static json_int_t shown_span(const struct ip_protect *pr, struct span s)
{
	json_t *key = json_integer(s.key);
	json_int_t n = ip_protect_count(pr, s.n, key);
	json_decref(key);
	return n;
}

static json_int_t shown(const struct ip_protect *pr, const json_t *slot, const json_t *kslot,
                        const char *name)
{
	return ip_protect_count(pr, json_integer_value(json_object_get(slot, name)),
	                        json_object_get(kslot, name));
}

/* The median of a histogram of hundredths as a score (a number, shown
 * with two decimals), "" when withheld below its base. */
static json_t *median(const struct ip_protect *pr, const json_t *hist, json_int_t base)
{
	long m;
	if (!base || ip_protect_withheld(pr, base) || !ip_partial_percentile(hist, 0.5, &m))
		return json_string("");
	return json_real((double)m / 100.0);
}

/* The slots of a partial in the order of their months. */
static int by_months(const void *a, const void *b)
{
	long x = atol(*(const char *const *)a), y = atol(*(const char *const *)b);
	return (x > y) - (x < y);
}

static const char **slots_in_order(const json_t *slots, size_t *n)
{
	*n = json_object_size(slots);
	const char **names = ip_xcalloc(*n ? *n : 1, sizeof *names);
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)slots, k, v)
		names[i++] = k;
	qsort(names, *n, sizeof *names, by_months);
	return names;
}

/* One row of the sustainability table: [label,] months, due, done,
 * surveyed, median composite, share sustainable, share flagged, median
 * change since the baseline, share improved. Left out when its due count
 * is shown as 0. */
static void sustainability_row(json_t *rows, const char *label, const char *months,
                               const json_t *slot, const json_t *kslot, long threshold,
                               const struct ip_protect *pr)
{
	json_int_t due = shown(pr, slot, kslot, "due");
	if (pr->ptable && !due)
		return;
	json_int_t done = shown(pr, slot, kslot, "done"), surveyed = shown(pr, slot, kslot,
	                                                                   "surveyed");
	const json_t *comp = json_object_get(slot, "composite");
	const json_t *kcomp = json_object_get(kslot, "composite");
	const json_t *change = json_object_get(slot, "change");
	const json_t *kchange = json_object_get(kslot, "change");
	json_int_t scored = shown_span(pr, span_of(comp, kcomp, 0, 100));
	json_int_t compared = shown_span(pr, span_of(change, kchange, -100, 100));
	json_t *row = json_array();
	if (label)
		json_array_append_new(row, json_string(label));
	json_array_append_new(row, json_integer(atol(months)));
	json_array_append_new(row, json_integer(due));
	json_array_append_new(row, json_integer(done));
	json_array_append_new(row, json_integer(surveyed));
	json_array_append_new(row, median(pr, comp, scored));
	json_array_append_new(row, ip_protect_rate(pr, shown_span(pr, span_of(comp, kcomp,
	                      threshold, 100)), scored));
	json_array_append_new(row, ip_protect_rate(pr, shown(pr, slot, kslot, "flagged"),
	                                           surveyed));
	json_array_append_new(row, median(pr, change, compared));
	json_array_append_new(row, ip_protect_rate(pr, shown_span(pr, span_of(change, kchange,
	                      1, 100)), compared));
	json_array_append_new(rows, row);
}

static void sustainability_rows(json_t *rows, const char *label, const json_t *slots,
                                const json_t *kslots, long threshold,
                                const struct ip_protect *pr)
{
	size_t n;
	const char **names = slots_in_order(slots, &n);
	for (size_t i = 0; i < n; i++)
		sustainability_row(rows, label, names[i], json_object_get(slots, names[i]),
		                   json_object_get(kslots, names[i]), threshold, pr);
	free(names);
}

static json_t *sustainability_columns(const char *by, long threshold)
{
	json_t *cols = json_array();
	if (by)
		json_array_append_new(cols, json_string(_(by)));
	char sustainable[64];
	snprintf(sustainable, sizeof sustainable, _("composite at least %.2f"),
	         (double)threshold / 100.0);
	const char *names[] = {_("months after arrival"), _("follow-ups due"), _("done"),
	                       _("surveyed"), _("median composite"), sustainable,
	                       _("flagged"), _("median change since baseline"),
	                       _("improved since baseline")};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		json_array_append_new(cols, json_string(names[i]));
	return cols;
}

static const char *title_in_language(const json_t *title)
{
	const char *own = ip_str(title, ip_i18n_lang());
	return own ? own : ip_str(title, "en");
}

/* The scores of one histogram per slot in four bands: a grouped chart,
 * a heading per slot and a bar per band. */
static json_t *band_table(const char *title, const json_t *slots, const json_t *kslots,
                          const char *dimension, const struct ip_protect *pr)
{
	static const long lo[] = {0, 25, 50, 75}, hi[] = {24, 49, 74, 100};
	static const char *const bands[] = {"0–0.24", "0.25–0.49", "0.50–0.74", "0.75–1"};
	json_t *t = json_pack("{s:s, s:[s, s, s], s:[], s:i}", "title", title, "columns",
	                      _("after arrival"), _("score"), _("surveyed"), "rows", "group", 1);
	size_t n;
	const char **names = slots_in_order(slots, &n);
	for (size_t i = 0; i < n; i++) {
		const json_t *slot = json_object_get(slots, names[i]);
		const json_t *kslot = json_object_get(kslots, names[i]);
		const json_t *hist = dimension ? json_object_get(json_object_get(slot, "scores"),
		                                                 dimension)
		                               : json_object_get(slot, "composite");
		const json_t *khist = dimension ? json_object_get(json_object_get(kslot, "scores"),
		                                                  dimension)
		                                : json_object_get(kslot, "composite");
		if (!json_object_size(hist))
			continue;  /* no scores at this slot: no bars of nothing */
		long months = atol(names[i]);
		char when[64];
		snprintf(when, sizeof when, ngettext("%ld month", "%ld months", (unsigned long)months),
		         months);
		for (size_t b = 0; b < 4; b++) {
			json_t *count = json_integer(shown_span(pr, span_of(hist, khist, lo[b], hi[b])));
			if (!ip_protect_hidden_zero(pr, count))
				json_array_append_new(json_object_get(t, "rows"), json_pack("[s, s, o]", when,
				                                                            bands[b], count));
		}
	}
	free(names);
	return t;
}

json_t *ip_outcomes_tables(const json_t *p, const struct ip_protect *pr)
{
	const json_t *survey = json_object_get(p, "survey");
	const json_t *slots = json_object_get(p, "outcomes");
	const json_t *keys = json_object_get(p, "keys");
	const json_t *kslots = json_object_get(keys, "outcomes");
	long threshold = (long)(json_number_value(json_object_get(survey, "threshold")) * 100 +
	                        0.5);
	const char *period = ip_str(p, "period");
	json_t *tables = json_array();
	char title[256];
	snprintf(title, sizeof title, _("Follow-ups and sustainable reintegration %s (survey %s)"),
	         period, ip_str(survey, "id"));
	json_t *t = json_pack("{s:s, s:o, s:[], s:b}", "title", title, "columns",
	                      sustainability_columns(NULL, threshold), "rows", "chart", 0);
	sustainability_rows(json_object_get(t, "rows"), NULL, slots, kslots, threshold, pr);
	json_array_append_new(tables, t);
	const char *by = json_string_value(json_array_get(json_object_get(p, "by"), 0));
	if (by) {
		snprintf(title, sizeof title, _("Follow-ups and sustainable reintegration %s by %s"),
		         period, _(by));
		t = json_pack("{s:s, s:o, s:[], s:b}", "title", title, "columns",
		              sustainability_columns(by, threshold), "rows", "chart", 0);
		const char *value;
		json_t *group;
		json_object_foreach(json_object_get(p, "groups"), value, group)
			sustainability_rows(json_object_get(t, "rows"), value, group,
			                    json_object_get(json_object_get(keys, "groups"), value),
			                    threshold, pr);
		json_array_append_new(tables, t);
	}
	snprintf(title, sizeof title, _("Composite score %s"), period);
	json_array_append_new(tables, band_table(title, slots, kslots, NULL, pr));
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(survey, "dimensions"), i, d) {
		snprintf(title, sizeof title, _("Score %s: %s"), period,
		         title_in_language(json_object_get(d, "title")));
		json_array_append_new(tables, band_table(title, slots, kslots, ip_str(d, "id"), pr));
	}
	return tables;
}
