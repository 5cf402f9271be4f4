#include "ip_export.h"
#include "ip_csv.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_i18n.h"

#include <stdlib.h>
#include <string.h>

static const char *const export_default[] = {"id", "status", "centre", "state", "country",
	"region", "sex", "birth_date", "opened", "planned_departure", "departed", "arrived",
	"closed", "outcome", "agreed", "vulnerabilities", "programmes", "measures",
	"referrals", "counsellor", "given", "family", NULL};

static int fact_index(const char *name)
{
	/* the record key is never shown: it would let anyone undo the
	 * perturbation of the reports */
	for (int i = 0; i < IP_NFACTS; i++)
		if (i != IP_F_RKEY && !strcmp(ip_fact_names[i], name))
			return i;
	return -1;
}

static bool personal(const char *field)
{
	return !strcmp(field, "given") || !strcmp(field, "family") || !strcmp(field, "counsellor");
}

/* The columns of an anonymous export: every one a quasi-identifier made
 * coarse; nothing else (no id, region, vulnerabilities or free text). */
static const char *const anonymous_columns[] = {"age", "sex", "country", "state", "status",
	"outcome", "opened", "departed", "arrived", "closed", NULL};

static bool anonymous_column(const char *name)
{
	for (const char *const *c = anonymous_columns; *c; c++)
		if (!strcmp(*c, name))
			return true;
	return false;
}

int ip_export_key(struct ip_export *r, const char *key_file)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = ip_read_all(key_file, 4096, &buf, &len);
	if (rc)
		return rc;
	if (len < 16) {
		ip_error(&(struct ip_where){key_file, 0, 0, NULL}, "a key needs at least 16 "
		         "bytes (make one: head -c 32 /dev/urandom >%s)", key_file);
		free(buf);
		return IP_EXIT_DATAERR;
	}
	r->key_len = len > sizeof r->key ? sizeof r->key : len;
	memcpy(r->key, buf, r->key_len);
	free(buf);
	return IP_EXIT_OK;
}

/* Is name a column this kind of export has? Else reported at w. */
static bool column_ok(const struct ip_export *r, const char *name, const struct ip_where *w)
{
	if (r->mode == IP_EXPORT_ANONYMOUS && !anonymous_column(name)) {
		ip_error(w, "'%s' is not a column of an anonymous export (age, sex, country, "
		         "state, status, outcome, opened, departed, arrived, closed)", name);
		return false;
	}
	int k = fact_index(name);
	if (r->mode != IP_EXPORT_ANONYMOUS && (k < 0 || k == IP_F_DUE || k == IP_F_FOLLOW_UPS)) {
		ip_error(w, "no export field '%s'", name);
		return false;
	}
	if (r->mode == IP_EXPORT_PSEUDONYMOUS && personal(name)) {
		ip_error(w, "'%s' identifies a person; --pseudonymise drops it", name);
		return false;
	}
	return true;
}

int ip_export_columns(struct ip_export *r, const char *asked_list, const char *label)
{
	int problems = 0;
	struct ip_where w = {NULL, 0, 0, label};
	r->columns = json_array();
	json_t *asked = asked_list ? ip_csv_list(asked_list) : NULL;
	for (size_t i = 0; !asked && r->mode == IP_EXPORT_ANONYMOUS && anonymous_columns[i]; i++)
		json_array_append_new(r->columns, json_string(anonymous_columns[i]));
	for (size_t i = 0; !asked && r->mode != IP_EXPORT_ANONYMOUS && export_default[i]; i++)
		if (!(r->mode == IP_EXPORT_PSEUDONYMOUS && personal(export_default[i])))
			json_array_append_new(r->columns, json_string(export_default[i]));
	size_t i;
	json_t *f;
	json_array_foreach(asked, i, f) {
		if (column_ok(r, json_string_value(f), &w))
			json_array_append(r->columns, f);
		else
			problems++;
	}
	json_decref(asked);
	return problems;
}

static const char *export_value(const struct ip_export *r, int k, char *f[], char *buf,
                                size_t n)
{
	ip_facts_value(f[k], buf, n);
	if (r->mode == IP_EXPORT_PSEUDONYMOUS && k == IP_F_ID) {
		char hash[33];
		ip_keyed_hash(r->key, r->key_len, buf, hash);
		snprintf(buf, n, "%s", hash);
	} else if (r->mode == IP_EXPORT_PSEUDONYMOUS && k == IP_F_BIRTH && strlen(buf) == 10) {
		snprintf(buf, n, "%.4s-Q%d", f[k], (atoi(f[k] + 5) + 2) / 3);
	} else if (k >= IP_F_VULNS) {
		/* lists as "a;b" with no escapes */
		const char *cursor = f[k];
		char item[256];
		char *parts[1];
		int np;
		size_t used = 0;
		buf[0] = '\0';
		while (ip_facts_next(&cursor, item, sizeof item, parts, 1, &np) && used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ";" : "", parts[0]);
	}
	return buf;
}

/* ---- anonymous ------------------------------------------------------------ */

/* What an anonymous row starts from: its age band and the facts of its
 * columns, uncoarsened. */
static void hold(struct ip_export *r, char *f[IP_NFACTS])
{
	json_t *raw = json_object();
	char buf[128];
	size_t i;
	json_t *col;
	json_array_foreach(r->columns, i, col) {
		const char *name = json_string_value(col);
		const char *v = !strcmp(name, "age") ? ip_facts_age_band(r->age_bands, f, buf)
		              : ip_facts_value(f[fact_index(name)], buf, sizeof buf);
		json_object_set_new(raw, name, json_string(v));
	}
	if (!r->held)
		r->held = json_array();
	json_array_append_new(r->held, raw);
}

/* How coarse a row is shown, step by step: dates as months, then as
 * years; then without the age; without country and Land; with only
 * whether each event happened; without status, outcome and events at all;
 * left out. */
enum { MONTHS, YEARS, NO_AGE, NO_PLACE, NO_DATES, NO_STATUS, LEFT_OUT };

static bool is_date_column(const char *name)
{
	return !strcmp(name, "opened") || !strcmp(name, "departed") ||
	       !strcmp(name, "arrived") || !strcmp(name, "closed");
}

static bool is_status_column(const char *name)
{
	return !strcmp(name, "status") || !strcmp(name, "outcome") || is_date_column(name);
}

static void coarse(const char *name, const char *v, int level, char out[32])
{
	bool date = is_date_column(name);
	if ((is_status_column(name) && level >= NO_STATUS) ||
	    (date && *v && level >= NO_DATES) ||
	    (!strcmp(name, "age") && level >= NO_AGE) ||
	    ((!strcmp(name, "country") || !strcmp(name, "state")) && level >= NO_PLACE))
		snprintf(out, 32, "*");
	else if (date && *v)
		snprintf(out, 32, "%.*s", level >= YEARS ? 4 : 7, v);
	else
		snprintf(out, 32, "%s", v);
}

/* The values a row shows at level, joined: what k rows must share. */
static char *shown_key(const struct ip_export *r, const json_t *raw, int level)
{
	struct ip_buf b = {0};
	size_t i;
	json_t *col;
	json_array_foreach(r->columns, i, col) {
		char v[32];
		coarse(json_string_value(col), ip_str(raw, json_string_value(col)), level, v);
		ip_buf_printf(&b, "%s\x1f", v);
	}
	return b.s ? b.s : ip_xstrdup("");
}

/* Coarsen, step by step, the rows whose values fewer than k rows share;
 * leave out those that still stand out. */
static void make_k_anonymous(const struct ip_export *r, int *level, size_t n)
{
	for (int step = MONTHS; step < LEFT_OUT; step++) {
		json_t *counts = json_object();
		char **keys = ip_xcalloc(n ? n : 1, sizeof *keys);
		for (size_t i = 0; i < n; i++) {
			if (level[i] == LEFT_OUT)
				continue;
			keys[i] = shown_key(r, json_array_get(r->held, i), level[i]);
			json_t *c = json_object_get(counts, keys[i]);
			json_object_set_new(counts, keys[i], json_integer(json_integer_value(c) + 1));
		}
		for (size_t i = 0; i < n; i++) {
			if (keys[i] && level[i] == step &&
			    json_integer_value(json_object_get(counts, keys[i])) < r->k)
				level[i] = step + 1;
			free(keys[i]);
		}
		free(keys);
		json_decref(counts);
	}
}

static void write_row(struct ip_export *r, const json_t *values);

/* Say what was done: a reader of the file must know how coarse it is. */
static void account(const struct ip_export *r, const size_t *at, size_t n)
{
	if (r->quiet)
		return;
	ip_inform(NULL, "export: anonymous, %d-anonymous over its %zu columns; of %zu rows, "
	          "%zu have dates as months, %zu as years, %zu also no age, %zu also no "
	          "country or Land, %zu only whether events happened, %zu no status or "
	          "events; %zu left out", r->k, json_array_size(r->columns), n, at[MONTHS],
	          at[YEARS], at[NO_AGE], at[NO_PLACE], at[NO_DATES], at[NO_STATUS],
	          at[LEFT_OUT]);
}

static void write_anonymous(struct ip_export *r)
{
	size_t n = json_array_size(r->held);
	int *level = ip_xcalloc(n ? n : 1, sizeof *level);
	size_t at[LEFT_OUT + 1] = {0};
	make_k_anonymous(r, level, n);
	for (size_t i = 0; i < n; i++) {
		at[level[i]]++;
		if (level[i] == LEFT_OUT)
			continue;
		const json_t *raw = json_array_get(r->held, i);
		json_t *values = json_array();
		size_t c;
		json_t *col;
		json_array_foreach(r->columns, c, col) {
			char v[32];
			coarse(json_string_value(col), ip_str(raw, json_string_value(col)), level[i], v);
			json_array_append_new(values, json_string(v));
		}
		write_row(r, values);
		json_decref(values);
	}
	account(r, at, n);
	free(level);
}

/* ---- rows ------------------------------------------------------------------ */

void ip_export_row(struct ip_export *r, char *f[IP_NFACTS])
{
	if (r->mode == IP_EXPORT_ANONYMOUS) {
		hold(r, f);
		return;
	}
	json_t *values = json_array();
	size_t i;
	json_t *name;
	char buf[1024];
	json_array_foreach(r->columns, i, name)
		json_array_append_new(values, json_string(export_value(r,
		                      fact_index(json_string_value(name)), f, buf, sizeof buf)));
	write_row(r, values);
	json_decref(values);
}

/* One row of values, one per column, in the export's format. */
static void write_row(struct ip_export *r, const json_t *values)
{
	enum ip_format fmt = r->format;
	char sep = r->dialect == IP_CSV_EXCEL_DE ? ';' : ',';
	json_t *obj = fmt == IP_FORMAT_CSV ? NULL : json_object();
	size_t i;
	json_t *name;
	json_array_foreach(r->columns, i, name) {
		const char *v = json_string_value(json_array_get(values, i));
		if (obj) {
			json_object_set_new(obj, json_string_value(name), json_string(v));
			continue;
		}
		if (i)
			ip_buf_add(&r->out, &sep, 1);
		ip_csv_field(&r->out, v, sep);
	}
	if (obj) {
		if (fmt == IP_FORMAT_JSON)
			ip_buf_puts(&r->out, r->rows ? ",\n" : "[\n");
		ip_emit(&r->out, obj, IP_FORMAT_JSONL);
		if (fmt == IP_FORMAT_JSON)
			r->out.s[--r->out.len] = '\0';  /* the comma goes after it */
		json_decref(obj);
	} else {
		ip_buf_puts(&r->out, "\r\n");
	}
	r->rows++;
	/* stream: a large export never sits in memory */
	if (r->out.len > 65536) {
		fwrite(r->out.s, 1, r->out.len, r->stream);
		r->out.len = 0;
	}
}

void ip_export_header(struct ip_export *r)
{
	char sep = r->dialect == IP_CSV_EXCEL_DE ? ';' : ',';
	if (r->format != IP_FORMAT_CSV)
		return;
	if (r->dialect == IP_CSV_EXCEL_DE)
		ip_buf_puts(&r->out, "\xEF\xBB\xBF");
	size_t i;
	json_t *name;
	json_array_foreach(r->columns, i, name) {
		if (i)
			ip_buf_add(&r->out, &sep, 1);
		ip_buf_puts(&r->out, json_string_value(name));
	}
	ip_buf_puts(&r->out, "\r\n");
}


void ip_export_end(struct ip_export *r)
{
	if (r->mode == IP_EXPORT_ANONYMOUS)
		write_anonymous(r);
	else if (!r->quiet)
		ip_inform(NULL, "export: personal data%s: handle it like the case files",
		          r->mode == IP_EXPORT_PSEUDONYMOUS ? _(" (pseudonymous: the key links its "
		          "rows to the cases)") : "");
	if (r->format == IP_FORMAT_JSON)
		ip_buf_puts(&r->out, r->rows ? "\n]\n" : "[]\n");
	if (r->out.len)
		fwrite(r->out.s, 1, r->out.len, r->stream);
	r->out.len = 0;
}

void ip_export_free(struct ip_export *r)
{
	json_decref(r->columns);
	json_decref(r->held);
	ip_buf_free(&r->out);
}
