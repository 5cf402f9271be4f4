#include "ip_due.h"
#include "ip_doc.h"
#include "ip_diag.h"
#include "ip_grammar.h"
#include "ip_i18n.h"
#include "ip_mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool ip_due_within(const char *today, const char *within, char due_by[11])
{
	size_t digits = strspn(within, "0123456789");
	return digits && digits <= 4 && within[digits] && strchr("dwm", within[digits]) &&
	       !within[digits + 1] && ip_date_add(today, atoi(within), within[digits], due_by);
}

/* An owner or counsellor the repository has, for --counsellor's check. */
static void remember(struct ip_due *r, const char *name)
{
	if (!r->owners)
		r->owners = json_object();
	if (*name && json_object_size(r->owners) < 256)
		json_object_set_new(r->owners, name, json_true());
}

int ip_due_unmatched(const struct ip_due *r)
{
	if (!r->counsellor || json_object_get(r->owners, r->counsellor))
		return 0;
	const char *cands[256];
	size_t n = 0;
	const char *k;
	json_t *v;
	json_object_foreach(r->owners, k, v)
		cands[n++] = k;
	ip_warn(&(struct ip_where){NULL, 0, 0, "--counsellor"}, "no case has an owner or "
	        "counsellor '%s'%s", r->counsellor, ip_did_you_mean(ip_nearest(r->counsellor,
	        cands, n)));
	return 1;
}

void ip_due_add(struct ip_due *r, char *f[IP_NFACTS])
{
	const char *cursor = f[IP_F_DUE];
	char item[768], id[64];
	char *parts[4];
	int np;
	ip_facts_value(f[IP_F_ID], id, sizeof id);
	char counsellor[128];
	if (f[IP_F_COUNSELLOR])
		remember(r, ip_facts_value(f[IP_F_COUNSELLOR], counsellor, sizeof counsellor));
	while (ip_facts_next(&cursor, item, sizeof item, parts, 4, &np)) {
		if (np >= 3)
			remember(r, parts[2]);
		if (np < 4 || strcmp(parts[1], r->due_by) > 0)
			continue;
		if (r->counsellor && strcmp(parts[2], r->counsellor))
			continue;
		json_array_append_new(r->items, json_pack("[s, s, s, s]", parts[1],
		                                          *parts[2] ? parts[2] : "none", id, parts[3]));
	}
}

static int by_row(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	for (size_t i = 0; i < 4; i++) {
		int c = strcmp(json_string_value(json_array_get(x, i)),
		               json_string_value(json_array_get(y, i)));
		if (c)
			return c;
	}
	return 0;
}

json_t *ip_due_rows(const struct ip_due *d)
{
	return ip_json_sorted(d->items, by_row);
}

void ip_due_render(const struct ip_due *d, enum ip_format f, enum ip_csv_dialect dialect,
                   struct ip_buf *out)
{
	json_t *rows = ip_due_rows(d);
	if (!json_array_size(rows)) {
		json_decref(rows);
		return;  /* nothing due: nothing at all, so cron sends no mail */
	}
	if (f == IP_FORMAT_JSON || f == IP_FORMAT_JSONL) {
		size_t i;
		json_t *row;
		json_array_foreach(rows, i, row) {
			json_t *obj = json_pack("{s:O, s:O, s:O, s:O}", "due", json_array_get(row, 0),
			                        "owner", json_array_get(row, 1), "case",
			                        json_array_get(row, 2), "what", json_array_get(row, 3));
			ip_emit(out, obj, IP_FORMAT_JSONL);
			json_decref(obj);
		}
		json_decref(rows);
		return;
	}
	char title[64];
	snprintf(title, sizeof title, _("Due by %s"), d->due_by);
	json_t *t = json_pack("{s:s, s:[s, s, s, s], s:o}", "title", title, "columns", _("due"),
	                      _("owner"), _("case"), _("what"), "rows", rows);
	json_t *tables = json_pack("[o]", t);
	ip_tables_render(tables, ip_table_format_of(f), dialect, title, out);
	json_decref(tables);
}
