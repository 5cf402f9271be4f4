#include "ip_emit.h"
#include "ip_diag.h"
#include "ip_doc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const format_names[IP_FORMAT_COUNT] = {
	[IP_FORMAT_YAML] = "yaml", [IP_FORMAT_JSON] = "json", [IP_FORMAT_JSONL] = "jsonl",
	[IP_FORMAT_MD] = "md",     [IP_FORMAT_HTML] = "html", [IP_FORMAT_TABLE] = "table",
	[IP_FORMAT_CSV] = "csv",   [IP_FORMAT_PDF] = "pdf",
};

const char *ip_format_name(enum ip_format f)
{
	return f < IP_FORMAT_COUNT ? format_names[f] : NULL;
}

bool ip_format_parse(const char *name, enum ip_format *f)
{
	for (size_t i = 0; i < IP_FORMAT_COUNT; i++)
		if (!strcmp(name, format_names[i])) {
			*f = (enum ip_format)i;
			return true;
		}
	return false;
}

/* ---- YAML --------------------------------------------------------------- */

/* The escape of the character at p in a double-quoted YAML scalar, into
 * esc, with *len its bytes in s; NULL when it may stand as it is. Escaped
 * are the C0 and C1 controls, DEL and the characters YAML does not allow
 * (U+FFFE, U+FFFF), and NEL, LS, PS and the BOM, which YAML reads as line
 * breaks or drops. */
static const char *yaml_escape(const unsigned char *p, size_t *len, char esc[8])
{
	*len = 1;
	switch (*p) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\n': return "\\n";
	case '\t': return "\\t";
	case '\r': return "\\r";
	}
	if (*p < 0x20 || *p == 0x7F) {
		snprintf(esc, 8, "\\x%02X", *p);
		return esc;
	}
	*len = p[0] == 0xC2 ? 2 : p[0] == 0xE2 || p[0] == 0xEF ? 3 : 1;
	if (p[0] == 0xC2 && p[1] == 0x85)
		return "\\N";
	if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
		snprintf(esc, 8, "\\x%02X", p[1]);
		return esc;
	}
	if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
		return p[2] == 0xA8 ? "\\L" : "\\P";
	if (p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
		return "\\uFEFF";
	if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
		return p[2] == 0xBE ? "\\uFFFE" : "\\uFFFF";
	*len = 1;
	return NULL;
}

static bool has_char_needing_escape(const unsigned char *s)
{
	char esc[8];
	size_t len;
	for (; *s; s++)
		if (*s != '"' && *s != '\\' && yaml_escape(s, &len, esc))
			return true;
	return false;
}

/* Can s be written as a plain scalar in block context and read back as
 * the very same string? */
static bool plain_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || !ip_yaml_resolves_to_string(s))
		return false;
	if (strchr("[]{}#&*!|>'\"%@`,", s[0]))
		return false;
	if (strchr("-?:", s[0]) && (n == 1 || s[1] == ' '))
		return false;
	if (!strncmp(s, "---", 3) || !strncmp(s, "...", 3))
		return false;
	if (s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':')
		return false;
	if (strstr(s, ": ") || strstr(s, " #"))
		return false;
	return !has_char_needing_escape((const unsigned char *)s);
}

static void emit_double_quoted(struct ip_buf *b, const char *s)
{
	ip_buf_add(b, "\"", 1);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		char esc[8];
		size_t len;
		const char *e = yaml_escape(p, &len, esc);
		if (e)
			ip_buf_puts(b, e);
		else
			ip_buf_add(b, (const char *)p, len);
		p += len;
	}
	ip_buf_add(b, "\"", 1);
}

/* s as a YAML scalar: plain where it reads back as the same string,
 * double-quoted otherwise. */
static void emit_yaml_string(struct ip_buf *b, const char *s)
{
	if (plain_ok(s))
		ip_buf_puts(b, s);
	else
		emit_double_quoted(b, s);
}

void ip_format_real(double d, char out[40])
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, 40, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
}

void ip_format_amount(double d, char out[40])
{
	if (d == (double)(long long)d && d > -1e15 && d < 1e15)
		snprintf(out, 40, "%lld", (long long)d);
	else
		snprintf(out, 40, "%.2f", d);
}

/* Always with a '.' or an exponent, so that it reads back as a float. */
static void emit_real(struct ip_buf *b, double d)
{
	char tmp[40];
	ip_format_real(d, tmp);
	if (!strpbrk(tmp, ".eE"))
		strcat(tmp, ".0");
	ip_buf_puts(b, tmp);
}

static void emit_yaml_scalar(struct ip_buf *b, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: emit_yaml_string(b, json_string_value(v)); break;
	case JSON_INTEGER: ip_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
	case JSON_REAL: emit_real(b, json_real_value(v)); break;
	case JSON_TRUE: ip_buf_puts(b, "true"); break;
	case JSON_FALSE: ip_buf_puts(b, "false"); break;
	case JSON_NULL: ip_buf_puts(b, "null"); break;
	case JSON_OBJECT: ip_buf_puts(b, "{}"); break;
	case JSON_ARRAY: ip_buf_puts(b, "[]"); break;
	}
}

static bool is_block(const json_t *v)
{
	return (json_is_object(v) && json_object_size(v)) ||
	       (json_is_array(v) && json_array_size(v));
}

static void indent(struct ip_buf *b, int n)
{
	for (int i = 0; i < n; i++)
		ip_buf_add(b, " ", 1);
}

static void emit_yaml_node(struct ip_buf *b, const json_t *v, int ind);

/* YAML allows implicit ("key: value") keys of at most 1024 characters, and
 * libyaml refuses longer ones; a longer key is written as an explicit key,
 * "? key" with ": value" on the next line, which reads back the same. The
 * limit counts characters, the check bytes, which are never fewer. */
#define YAML_IMPLICIT_KEY_MAX 1024

static void emit_yaml_key(struct ip_buf *b, const char *key, int ind)
{
	struct ip_buf k = {0};
	emit_yaml_string(&k, key);
	if (k.len < YAML_IMPLICIT_KEY_MAX) {
		ip_buf_add(b, k.s, k.len);
	} else {
		ip_buf_add(b, "? ", 2);
		ip_buf_add(b, k.s, k.len);
		ip_buf_add(b, "\n", 1);
		indent(b, ind);
	}
	ip_buf_add(b, ":", 1);
	ip_buf_free(&k);
}

/* A block mapping; the first line's indentation is already written when
 * "inline_first" (the mapping is an item of a sequence: "- key: value"). */
static void emit_yaml_map(struct ip_buf *b, const json_t *obj, int ind,
                          bool inline_first)
{
	const char *key;
	const json_t *val;
	bool first = true;
	json_object_foreach((json_t *)obj, key, val) {
		if (!(first && inline_first))
			indent(b, ind);
		first = false;
		emit_yaml_key(b, key, ind);
		if (is_block(val)) {
			ip_buf_add(b, "\n", 1);
			emit_yaml_node(b, val, ind + 2);
		} else {
			ip_buf_add(b, " ", 1);
			emit_yaml_scalar(b, val);
			ip_buf_add(b, "\n", 1);
		}
	}
}

static void emit_yaml_seq(struct ip_buf *b, const json_t *arr, int ind)
{
	size_t i;
	const json_t *val;
	json_array_foreach((json_t *)arr, i, val) {
		indent(b, ind);
		if (json_is_object(val) && json_object_size(val)) {
			ip_buf_add(b, "- ", 2);
			emit_yaml_map(b, val, ind + 2, true);
		} else if (is_block(val)) {
			ip_buf_add(b, "-\n", 2);
			emit_yaml_seq(b, val, ind + 2);
		} else {
			ip_buf_add(b, "- ", 2);
			emit_yaml_scalar(b, val);
			ip_buf_add(b, "\n", 1);
		}
	}
}

static void emit_yaml_node(struct ip_buf *b, const json_t *v, int ind)
{
	if (json_is_object(v) && json_object_size(v))
		emit_yaml_map(b, v, ind, false);
	else if (json_is_array(v) && json_array_size(v))
		emit_yaml_seq(b, v, ind);
	else {
		indent(b, ind);
		emit_yaml_scalar(b, v);
		ip_buf_add(b, "\n", 1);
	}
}

/* ---- JSON --------------------------------------------------------------- */

static int buf_dump_cb(const char *s, size_t n, void *data)
{
	ip_buf_add(data, s, n);
	return 0;
}

/* The fewest significant digits, from at least, that every real in v needs
 * to read back as itself. jansson writes all reals of a document with one
 * precision; 15 writes the decimals a case holds (amounts in cents, scores
 * of two decimals) as they were read, 0.67 and not 0.67000000000000004, and
 * a real that 15 digits would change raises it for the whole document, as
 * far as the 17 that every double needs. */
static int json_precision(const json_t *v, int at_least)
{
	if (at_least >= 17)
		return 17;
	if (json_is_real(v)) {
		char tmp[40];
		for (int prec = at_least; prec < 17; prec++) {
			snprintf(tmp, sizeof tmp, "%.*g", prec, json_real_value(v));
			if (strtod(tmp, NULL) == json_real_value(v))
				return prec;
		}
		return 17;
	}
	if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v) && at_least < 17; i++)
			at_least = json_precision(json_array_get(v, i), at_least);
	} else if (json_is_object(v)) {
		const char *key;
		json_t *item;
		json_object_foreach((json_t *)v, key, item) {
			at_least = json_precision(item, at_least);
			if (at_least >= 17)
				break;
		}
	}
	return at_least;
}

void ip_emit(struct ip_buf *b, const json_t *v, enum ip_format f)
{
	if (f == IP_FORMAT_YAML) {
		emit_yaml_node(b, v, 0);
		return;
	}
	size_t flags = JSON_ENCODE_ANY | JSON_REAL_PRECISION(json_precision(v, 15)) |
	               (f == IP_FORMAT_JSON ? JSON_INDENT(2) : JSON_COMPACT);
	if (json_dump_callback(v, buf_dump_cb, b, flags))
		ip_oom();
	ip_buf_add(b, "\n", 1);
}
