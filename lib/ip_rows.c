#include "ip_rows.h"
#include "ip_codes.h"
#include "ip_csv.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_fold.h"
#include "ip_i18n.h"
#include "ip_schema.h"
#include "ip_text.h"
#include "ip_vocab.h"

#include <stdio.h>
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
	{"entered", "entered", "person.entered", "DATE", false, false, N_("the day the person entered Germany, YYYY-MM-DD (the length of stay some programmes go by)")},
	{"phone", "phone", "person.contact.phone", "NUMBER", false, false, N_("telephone number")},
	{"email", "email", "person.contact.email", "ADDRESS", false, false, N_("e-mail address")},
	{"programmes", "programme", "programmes", "ID", true, false, N_("programme id, like REAG-GARP-2")},
	{"consent", "consent", "consent", "PURPOSE[:RECIPIENT]", true, false, N_("consent given today, like referral:AF-KBL-PH")},
	{"counsellor", "counsellor", "counsellors.host", "NAME", false, false, N_("counsellor in Germany")},
	{"opened", "opened", "opened", "DATE", false, false, N_("the day the case was opened, for a case from before (default: today)")},
	{"consent_date", "consent-date", "consent.given", "DATE", false, false, N_("the day the consent was given (default: the day opened)")},
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
	/* a case from before: opened, and consent given, on their own days */
	const char *opened = json_string_value(json_object_get(row, "opened"));
	const char *given_on = json_string_value(json_object_get(row, "consent_date"));
	if (!given_on)
		given_on = opened ? opened : today;
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
				                      ? consent_entry(json_string_value(spec), given_on)
				                      : json_incref(spec));
			problems += check_field(f, &list, &w);
			set_path(c, f->path, list);
		} else if (!strcmp(f->name, "consent_date")) {
			json_t *copy = json_deep_copy(v);  /* checked; used above */
			problems += check_field(f, &copy, &w);
			json_decref(copy);
		} else {
			json_t *copy = json_deep_copy(v);
			problems += check_field(f, &copy, &w);
			if (!strcmp(f->name, "opened"))
				set_path(c, "status_dates.intake", json_incref(copy));
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
	const struct ip_import *im;
	const json_t *map;     /* the map the header was read with, or NULL */
};

/* ---- values as spreadsheets write them ------------------------------------ */

/* Without the white space around it (a no-break space too: Excel keeps
 * them), a new string. */
static char *trimmed(const char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		else if (!strncmp(s, "\xC2\xA0", 2))
			s += 2;
		else
			break;
	}
	size_t n = strlen(s);
	for (;;) {
		if (n && strchr(" \t\r\n", s[n - 1]))
			n--;
		else if (n >= 2 && !strncmp(s + n - 2, "\xC2\xA0", 2))
			n -= 2;
		else
			break;
	}
	return ip_xasprintf("%.*s", (int)n, s);
}

/* "12.04.1991" or "1.2.1991" (German) as 1991-04-12; anything else as
 * it is, for the schema to judge. */
static char *iso_date(const char *s)
{
	unsigned d, m, y;
	int end = 0;
	if (sscanf(s, "%2u.%2u.%4u%n", &d, &m, &y, &end) == 3 && !s[end] && end >= 8 &&
	    y >= 1000)
		return ip_xasprintf("%04u-%02u-%02u", y, m, d);
	return ip_xstrdup(s);
}

/* What the map says a value of field means, or NULL. */
static const char *mapped_value(const json_t *map, const char *field, const char *value)
{
	char *want = NULL;  /* folded once, and only for a field the map has words for */
	const char *to = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(map, "values"), i, v) {
		if (strcmp(ip_str(v, "field"), field) || (!want && !(want = ip_fold(value))))
			continue;
		char *from = ip_fold(ip_str(v, "from"));
		if (from && !strcmp(from, want))
			to = ip_str(v, "to");
		free(from);
		if (to)
			break;
	}
	free(want);
	return to;
}

/* A consent "Beratung und Falldokumentation" or "Vermittlung an
 * Partner:AF-KBL-PH": its purpose by its label. */
static char *consent_by_label(const char *spec)
{
	const char *colon = strchr(spec, ':');
	char *purpose = ip_xasprintf("%.*s", colon ? (int)(colon - spec) : (int)strlen(spec),
	                             spec);
	const char *id = ip_vocab_id_of("consent-purpose", purpose);
	char *out = ip_xasprintf("%s%s", id ? id : purpose, colon ? colon : "");
	free(purpose);
	return out;
}

/* A country or language written by its name ("Syrien", "Afghanistan",
 * "Paschtu") where the field holds a code: the code, or NULL. */
static const char *code_by_name(const struct ip_field *sf, const char *value)
{
	if (sf && sf->type == IP_T_ARRAY)
		sf = sf->item;
	enum ip_codeset set = !sf ? IP_CODES_N
	                    : sf->type == IP_T_COUNTRY ? IP_CODES_COUNTRY
	                    : sf->type == IP_T_LANGUAGE ? IP_CODES_LANGUAGE : IP_CODES_N;
	if (set == IP_CODES_N || ip_code_known(set, value))
		return NULL;
	return ip_code_of_name(set, value);
}

/* One value of field f as written in a file: trimmed, composed (NFC), in
 * the map's words translated, a German date made ISO, a vocabulary label
 * in German or English made its id, a country or language name its code.
 * A new string. */
static char *clean_value(const struct rows *in, const struct ip_intake_field *f,
                         const char *value)
{
	char *t = trimmed(value), *c = ip_nfc(t);
	if (c) {
		free(t);
		t = c;
	}
	const char *to = mapped_value(in->map, f->name, t);
	if (to) {
		free(t);
		return ip_xstrdup(to);
	}
	const struct ip_field *sf = ip_schema_lookup(f->path);
	const char *id = sf && sf->type == IP_T_ENUM ? ip_vocab_id_of(sf->vocab, t)
	               : code_by_name(sf, t);
	char *out = id ? ip_xstrdup(id)
	          : sf && sf->type == IP_T_DATE ? iso_date(t)
	          : !strcmp(f->name, "consent") ? consent_by_label(t) : ip_xstrdup(t);
	free(t);
	return out;
}


/* A cell's values (several, separated by ';', for a repeatable field),
 * cleaned; an empty one is no value. */
static void split_cell(const struct rows *in, json_t *row, const struct ip_intake_field *f,
                       const char *cell)
{
	char *copy = ip_xstrdup(cell), *save = NULL;
	for (char *v = f->multi ? strtok_r(copy, ";", &save) : copy; v;
	     v = f->multi ? strtok_r(NULL, ";", &save) : NULL) {
		char *clean = clean_value(in, f, v);
		if (*clean)
			ip_row_add(row, f, clean);
		free(clean);
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

/* ---- the header ----------------------------------------------------------- */

/* The field a header names: its own name, or a column of map, whatever
 * the case, diacritics or spacing. */
static const struct ip_intake_field *field_of(const json_t *map, const char *header)
{
	const struct ip_intake_field *f = ip_intake_field_named(header);
	char *want = f ? NULL : ip_fold(header);
	size_t i;
	json_t *col;
	json_array_foreach(want ? json_object_get(map, "columns") : NULL, i, col) {
		char *h = ip_fold(ip_str(col, "header"));
		if (h && !strcmp(h, want))
			f = ip_intake_field_named(ip_str(col, "field"));
		free(h);
		if (f)
			break;
	}
	free(want);
	return f;
}

/* How many columns of the header map knows, or 0 when one of them is
 * neither a field nor a column of it. */
static size_t columns_known(const json_t *map, const struct ip_csv_record *head)
{
	size_t by_map = 0;
	for (size_t i = 0; i < head->n; i++) {
		if (ip_intake_field_named(head->fields[i]))
			continue;
		if (!field_of(map, head->fields[i]))
			return 0;
		by_map++;
	}
	return by_map;
}

/* The map to read the header with: --map's, else the one that knows all
 * its columns that are not field names, and most of them. */
static void choose_map(struct rows *in, const char *name, const struct ip_csv_record *head)
{
	size_t best = 0, i;
	json_t *map;
	json_array_foreach(in->im->maps, i, map) {
		size_t n = columns_known(map, head);
		if (in->im->map_given || n > best) {
			in->map = map;
			best = n;
		}
	}
	if (in->map && best && !in->im->map_given && !in->im->quiet)
		ip_inform(&(struct ip_where){name, head->line, 0, NULL}, "columns read with the "
		          "import map %s (%s)", ip_str(in->map, "name"),
		          ip_str(json_object_get(in->map, "title"), "en"));
	else if (!best && !in->im->map_given)
		in->map = NULL;
}

/* The columns of a CSV header, or NULL (reported) if any is unknown or a
 * field is there twice. */
static const struct ip_intake_field **csv_columns(struct rows *in, const char *name,
                                               struct ip_csv_record *head)
{
	const struct ip_intake_field **cols = ip_xcalloc(head->n, sizeof *cols);
	bool ok = true;
	for (size_t i = 0; i < head->n; i++) {
		char *t = trimmed(head->fields[i]), *c = ip_nfc(t);
		free(head->fields[i]);
		head->fields[i] = c ? c : ip_xstrdup(t);
		free(t);
	}
	choose_map(in, name, head);
	for (size_t i = 0; i < head->n; i++) {
		struct ip_where w = {name, head->line, 0, head->fields[i]};
		if (!(cols[i] = field_of(in->map, head->fields[i]))) {
			ip_error(&w, "unknown column (see ip-intake --list-fields and --list-maps, "
			         "or give --map FILE)");
			ok = false;
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (cols[j] == cols[i]) {
				ip_error(&w, "column %zu is %s too, as column %zu '%s' is: which one "
				         "holds it?", i + 1, cols[i]->name, j + 1, head->fields[j]);
				ok = false;
				break;
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
	csv.separator = in->im->delimiter ? in->im->delimiter : ip_csv_sniff(buf, len);
	if (ip_csv_next(&csv, &head) != 1) {
		ip_error(&(struct ip_where){name, 1, 0, NULL}, "no header row");
		return IP_EXIT_DATAERR;
	}
	const struct ip_intake_field **cols = csv_columns(in, name, &head);
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
					split_cell(in, row, cols[i], rec.fields[i]);
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
			split_cell(in, row, f, json_string_value(v));
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
                 const struct ip_import *im, ip_row_fn fn, void *ctx)
{
	struct ip_buf text = {0};
	const char *read_as;
	int rc = ip_text_decode(name, buf, len, im->encoding, &text, &read_as);
	if (!rc && !im->encoding && strcmp(read_as, "UTF-8") && !im->quiet)
		ip_inform(&(struct ip_where){name, 0, 0, NULL}, "read as %s, not UTF-8 "
		          "(--encoding says otherwise)", read_as);
	struct rows in = {fn, ctx, im, NULL};
	const char *t = text.s ? text.s : "";
	if (!rc)
		rc = looks_like_jsonl(path, t, text.len) ? from_jsonl(&in, name, t, text.len)
		                                         : from_csv(&in, name, t, text.len);
	ip_buf_free(&text);
	return rc;
}

int ip_import_map_check(struct ip_doc *doc)
{
	int problems = ip_validate(doc, &ip_import_schema, N_("an import map"));
	static const char *const lists[] = {"columns", "values"};
	for (size_t k = 0; !problems && k < 2; k++) {
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(doc->root, lists[k]), i, e) {
			const char *field = ip_str(e, "field");
			if (ip_intake_field_named(field))
				continue;
			char path[48];
			snprintf(path, sizeof path, "%s[%zu].field", lists[k], i);
			struct ip_where w = ip_doc_where(doc, path);
			w.path = path;
			ip_error(&w, "unknown field '%s' (see ip-intake --list-fields)", field);
			problems++;
		}
	}
	return problems;
}
