#include "ip_export.h"
#include "ip_csv.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_i18n.h"

#include <nettle/hmac.h>
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

bool ip_export_key(struct ip_export *r, const char *key_file)
{
	char *buf = NULL;
	size_t len = 0;
	if (ip_read_all(key_file, 4096, &buf, &len))
		return false;
	if (len < 16) {
		ip_error(&(struct ip_where){key_file, 0, 0, NULL}, "a key needs at least 16 "
		         "bytes (make one: head -c 32 /dev/urandom >%s)", key_file);
		free(buf);
		return false;
	}
	r->key_len = len > sizeof r->key ? sizeof r->key : len;
	memcpy(r->key, buf, r->key_len);
	free(buf);
	return true;
}

int ip_export_columns(struct ip_export *r, const char *asked_list, const char *label)
{
	int problems = 0;
	struct ip_where w = {NULL, 0, 0, label};
	r->columns = json_array();
	json_t *asked = asked_list ? ip_csv_list(asked_list) : NULL;
	for (size_t i = 0; !asked && export_default[i]; i++)
		if (!(r->anonymise && personal(export_default[i])))
			json_array_append_new(r->columns, json_string(export_default[i]));
	size_t i;
	json_t *f;
	json_array_foreach(asked, i, f) {
		const char *name = json_string_value(f);
		int k = fact_index(name);
		if (k < 0 || k == IP_F_DUE || k == IP_F_FOLLOW_UPS) {
			ip_error(&w, "no export field '%s'", name);
			problems++;
		} else if (r->anonymise && personal(name)) {
			ip_error(&w, "'%s' identifies a person; --anonymise drops it", name);
			problems++;
		} else {
			json_array_append(r->columns, f);
		}
	}
	json_decref(asked);
	return problems;
}

static void keyed_hash(const struct ip_export *r, const char *id, char out[33])
{
	struct hmac_sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	hmac_sha256_set_key(&ctx, r->key_len, r->key);
	hmac_sha256_update(&ctx, strlen(id), (const uint8_t *)id);
	hmac_sha256_digest(&ctx, sizeof digest, digest);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static const char *export_value(const struct ip_export *r, int k, char *f[], char *buf,
                                size_t n)
{
	ip_facts_value(f[k], buf, n);
	if (r->anonymise && k == IP_F_ID) {
		char hash[33];
		keyed_hash(r, buf, hash);
		snprintf(buf, n, "%s", hash);
	} else if (r->anonymise && k == IP_F_BIRTH && strlen(buf) == 10) {
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

void ip_export_row(struct ip_export *r, char *f[IP_NFACTS])
{
	enum ip_format fmt = r->format;
	char sep = r->dialect == IP_CSV_EXCEL_DE ? ';' : ',';
	json_t *obj = fmt == IP_FORMAT_CSV ? NULL : json_object();
	size_t i;
	json_t *name;
	char buf[1024];
	json_array_foreach(r->columns, i, name) {
		int k = fact_index(json_string_value(name));
		const char *v = export_value(r, k, f, buf, sizeof buf);
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
	if (r->format == IP_FORMAT_JSON)
		ip_buf_puts(&r->out, r->rows ? "\n]\n" : "[]\n");
	if (r->out.len)
		fwrite(r->out.s, 1, r->out.len, r->stream);
	r->out.len = 0;
}

void ip_export_free(struct ip_export *r)
{
	json_decref(r->columns);
	ip_buf_free(&r->out);
}
