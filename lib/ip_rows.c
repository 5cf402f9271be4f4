#include "ip_rows.h"
#include "ip_csv.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_schema.h"

#include <stdlib.h>
#include <string.h>

/* The fields a new case takes, as options, CSV columns and JSON keys. */
const struct ip_intake_field ip_intake_fields[] = {
	{"given", "given", "person.given", "NAME", false, true, N_("given name(s)")},
	{"family", "family", "person.family", "NAME", false, true, N_("family name")},
	{"birth_date", "birth-date", "person.birth_date", "DATE", false, true, N_("birth date, YYYY-MM-DD")},
	{"sex", "sex", "person.sex", "SEX", false, true, N_("sex: female, male, diverse or unknown")},
	{"nationality", "nationality", "person.nationality", "CC", true, true, N_("nationality, ISO 3166-1 code (XK: Kosovo)")},
	{"return_country", "return-country", "return.country", "CC", false, true, N_("country of return, ISO 3166-1 code")},
	{"return_region", "return-region", "return.region", "REGION", false, false, N_("region of return, ISO 3166-2 code like AF-KAB")},
	{"planned_departure", "planned-departure", "return.planned_departure", "DATE", false, false, N_("planned departure, YYYY-MM-DD")},
	{"languages", "language", "person.languages", "CODE", true, false, N_("language, ISO 639-3 code like prs or deu")},
	{"residence_status", "residence-status", "person.residence_status", "STATUS", false, false, N_("residence status (see --list residence-status)")},
	{"phone", "phone", "person.contact.phone", "NUMBER", false, false, N_("telephone number")},
	{"email", "email", "person.contact.email", "ADDRESS", false, false, N_("e-mail address")},
	{"programmes", "programme", "programmes", "ID", true, false, N_("programme id, like REAG-GARP-2")},
	{"consent", "consent", "consent", "PURPOSE[:RECIPIENT]", true, false, N_("consent given today, like referral:AF-KBL-PH")},
	{"counsellor", "counsellor", "counsellors.host", "NAME", false, false, N_("counsellor in Germany")},
	{NULL, NULL, NULL, NULL, false, false, NULL},
};
_Static_assert(sizeof ip_intake_fields / sizeof *ip_intake_fields == IP_INTAKE_NFIELDS + 1,
               "IP_INTAKE_NFIELDS counts the fields");


const struct ip_intake_field *ip_intake_field_named(const char *name)
{
	for (const struct ip_intake_field *f = ip_intake_fields; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

void ip_row_add(json_t *row, const struct ip_intake_field *f, const char *value)
{
	if (!f->multi) {
		json_object_set_new(row, f->name, json_string(value));
		return;
	}
	json_t *list = json_object_get(row, f->name);
	if (!list) {
		list = json_array();
		json_object_set_new(row, f->name, list);
	}
	json_array_append_new(list, json_string(value));
}

/* ---- building a case ---------------------------------------------------- */

static void set_path(json_t *root, const char *path, json_t *value)
{
	char *copy = ip_xstrdup(path);
	char *dot, *part = copy;
	json_t *obj = root;
	while ((dot = strchr(part, '.'))) {
		*dot = '\0';
		json_t *next = json_object_get(obj, part);
		if (!next) {
			next = json_object();
			json_object_set_new(obj, part, next);
		}
		obj = next;
		part = dot + 1;
	}
	json_object_set_new(obj, part, value);
	free(copy);
}

/* "referral:AF-KBL-PH" -> {purpose, recipient, given: today} */
static json_t *consent_entry(const char *spec, const char *today)
{
	const char *colon = strchr(spec, ':');
	json_t *c = json_object();
	if (colon) {
		json_object_set_new(c, "purpose", json_stringn(spec, (size_t)(colon - spec)));
		json_object_set_new(c, "recipient", json_string(colon + 1));
	} else {
		json_object_set_new(c, "purpose", json_string(spec));
	}
	json_object_set_new(c, "given", json_string(today));
	return c;
}

/* Check one value, or each value of a list, at the row's or option's name. */
static int check_field(const struct ip_intake_field *f, json_t **v, const struct ip_where *w)
{
	if (!json_is_array(*v))
		return ip_field_validate(f->path, v, w);
	int problems = 0;
	for (size_t i = 0; i < json_array_size(*v); i++) {
		json_t *item = json_incref(json_array_get(*v, i));
		problems += ip_field_validate(f->path, &item, w);
		json_array_set_new(*v, i, item);
	}
	return problems;
}

int ip_row_fill(json_t *c, const json_t *row, const char *today, const char *file,
                int line, bool options)
{
	int problems = 0;
	for (const struct ip_intake_field *f = ip_intake_fields; f->name; f++) {
		json_t *v = json_object_get(row, f->name);
		char *label = options ? ip_xasprintf("--%s", f->option) : ip_xstrdup(f->name);
		struct ip_where w = {file, line, 0, label};
		if (!v || (json_is_array(v) && !json_array_size(v))) {
			if (f->required) {
				ip_error(&w, "missing (required)");
				problems++;
			}
		} else if (!strcmp(f->name, "consent") && json_is_array(v)) {
			json_t *list = json_array();
			size_t i;
			json_t *spec;
			json_array_foreach(v, i, spec)
				json_array_append_new(list, json_is_string(spec)
				                      ? consent_entry(json_string_value(spec), today)
				                      : json_incref(spec));
			problems += check_field(f, &list, &w);
			set_path(c, f->path, list);
		} else {
			json_t *copy = json_deep_copy(v);
			problems += check_field(f, &copy, &w);
			set_path(c, f->path, copy);
		}
		free(label);
	}
	return problems;
}

/* ---- rows from a file --------------------------------------------------- */

struct rows {
	ip_row_fn fn;
	void *ctx;
};


static void split_cell(json_t *row, const struct ip_intake_field *f, const char *cell)
{
	if (!f->multi) {
		ip_row_add(row, f, cell);
		return;
	}
	char *copy = ip_xstrdup(cell), *save = NULL;
	for (char *v = strtok_r(copy, ";", &save); v; v = strtok_r(NULL, ";", &save)) {
		while (*v == ' ')
			v++;
		size_t n = strlen(v);
		while (n && v[n - 1] == ' ')
			v[--n] = '\0';
		if (*v)
			ip_row_add(row, f, v);
	}
	free(copy);
}

/* The status of a batch: a bad row is skipped and makes it 65, but the
 * other rows are still opened; any graver failure stops the batch. */
static bool row_failed(int rc, int *status)
{
	*status = ip_exit_merge(*status, rc);
	return rc != IP_EXIT_OK && rc != IP_EXIT_DATAERR;
}

/* The columns of a CSV header, or NULL (reported) if any is unknown. */
static const struct ip_intake_field **csv_columns(const char *name,
                                               const struct ip_csv_record *head)
{
	const struct ip_intake_field **cols = ip_xcalloc(head->n, sizeof *cols);
	bool ok = true;
	for (size_t i = 0; i < head->n; i++) {
		if (!(cols[i] = ip_intake_field_named(head->fields[i]))) {
			ip_error(&(struct ip_where){name, head->line, 0, head->fields[i]},
			         "unknown column (see ip-intake --list-fields)");
			ok = false;
		}
	}
	if (!ok) {
		free(cols);
		return NULL;
	}
	return cols;
}

static int from_csv(struct rows *in, const char *name, const char *buf, size_t len)
{
	struct ip_csv csv;
	struct ip_csv_record head, rec;
	ip_csv_init(&csv, buf, len);
	if (ip_csv_next(&csv, &head) != 1) {
		ip_error(&(struct ip_where){name, 1, 0, NULL}, "no header row");
		return IP_EXIT_DATAERR;
	}
	const struct ip_intake_field **cols = csv_columns(name, &head);
	int status = cols ? IP_EXIT_OK : IP_EXIT_DATAERR, more;
	while (cols && (more = ip_csv_next(&csv, &rec)) != 0) {
		if (more < 0) {
			ip_error(&(struct ip_where){name, rec.line, 0, NULL},
			         "quoted field is not closed");
			status = IP_EXIT_DATAERR;
			break;
		}
		json_t *row = json_object();
		int rc;
		if (rec.n != head.n) {
			ip_error(&(struct ip_where){name, rec.line, 0, NULL},
			         "%zu fields, but the header has %zu", rec.n, head.n);
			rc = IP_EXIT_DATAERR;
		} else {
			for (size_t i = 0; i < rec.n; i++)
				if (*rec.fields[i])
					split_cell(row, cols[i], rec.fields[i]);
			rc = in->fn(row, name, rec.line, in->ctx);
		}
		json_decref(row);
		ip_csv_record_free(&rec);
		if (row_failed(rc, &status))
			break;
	}
	free(cols);
	ip_csv_record_free(&head);
	return status;
}

/* One JSON object a line, keys as the CSV columns; values are strings, or
 * lists of strings for the repeatable fields. */
static int jsonl_row(struct rows *in, const char *name, int line, const char *text,
                     size_t len)
{
	json_error_t err;
	json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!json_is_object(obj)) {
		ip_error(&(struct ip_where){name, line, obj ? 0 : err.column, NULL},
		         "%s", obj ? "expected a JSON object" : err.text);
		json_decref(obj);
		return IP_EXIT_DATAERR;
	}
	json_t *row = json_object();
	const char *key;
	json_t *v;
	int rc = IP_EXIT_OK;
	json_object_foreach(obj, key, v) {
		const struct ip_intake_field *f = ip_intake_field_named(key);
		if (!f) {
			ip_error(&(struct ip_where){name, line, 0, key},
			         "unknown field (see ip-intake --list-fields)");
			rc = IP_EXIT_DATAERR;
		} else if (json_is_string(v)) {
			split_cell(row, f, json_string_value(v));
		} else if (json_is_array(v) && f->multi) {
			json_object_set(row, key, v);
		} else if (!json_is_null(v)) {
			json_object_set(row, key, v); /* the schema check names the type */
		}
	}
	if (!rc)
		rc = in->fn(row, name, line, in->ctx);
	json_decref(row);
	json_decref(obj);
	return rc;
}

static int from_jsonl(struct rows *in, const char *name, const char *buf, size_t len)
{
	int status = IP_EXIT_OK, line = 0;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		line++;
		size_t n = (size_t)(eol - p);
		if (n && p[n - 1] == '\r')
			n--;
		size_t spaces = 0; /* within the line: buf need not end in a NUL */
		while (spaces < n && (p[spaces] == ' ' || p[spaces] == '\t'))
			spaces++;
		bool blank = spaces == n;
		if (!blank && row_failed(jsonl_row(in, name, line, p, n), &status))
			break;
		p = eol + 1;
	}
	return status;
}

static bool looks_like_jsonl(const char *path, const char *buf, size_t len)
{
	const char *dot = strrchr(path, '.');
	if (dot && (!strcmp(dot, ".jsonl") || !strcmp(dot, ".json") || !strcmp(dot, ".ndjson")))
		return true;
	if (dot && !strcmp(dot, ".csv"))
		return false;
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", buf[i]))
		i++;
	return i < len && buf[i] == '{';
}

int ip_rows_read(const char *path, const char *name, const char *buf, size_t len,
                 ip_row_fn fn, void *ctx)
{
	int line, col;
	if (!ip_utf8_valid(buf, len, &line, &col)) {
		ip_error(&(struct ip_where){name, line, col, NULL},
		         "invalid UTF-8 or a NUL byte (save the file as UTF-8)");
		return IP_EXIT_DATAERR;
	}
	struct rows in = {fn, ctx};
	return looks_like_jsonl(path, buf, len) ? from_jsonl(&in, name, buf, len)
	                                        : from_csv(&in, name, buf, len);
}
