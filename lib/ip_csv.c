#include "ip_csv.h"
#include "ip_diag.h"
#include "ip_emit.h"

#include <stdlib.h>
#include <string.h>

void ip_csv_init(struct ip_csv *c, const char *buf, size_t len)
{
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
		buf += 3;
		len -= 3;
	}
	*c = (struct ip_csv){buf, buf + len, 1, ','};
}

char ip_csv_sniff(const char *buf, size_t len)
{
	static const char candidates[] = {',', ';', '\t'};
	size_t count[sizeof candidates] = {0};
	bool quoted = false;
	for (size_t i = 0; i < len && (quoted || (buf[i] != '\n' && buf[i] != '\r')); i++) {
		if (buf[i] == '"')
			quoted = !quoted;
		for (size_t k = 0; !quoted && k < sizeof candidates; k++)
			count[k] += buf[i] == candidates[k];
	}
	size_t best = 0;
	for (size_t k = 1; k < sizeof candidates; k++)
		if (count[k] > count[best])
			best = k;
	return candidates[best];
}

static void push_field(struct ip_csv_record *rec, struct ip_buf *field)
{
	rec->fields = ip_xrealloc(rec->fields, (rec->n + 1) * sizeof *rec->fields);
	rec->fields[rec->n++] = field->s ? field->s : ip_xstrdup("");
	*field = (struct ip_buf){0};
}

void ip_csv_record_free(struct ip_csv_record *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		free(rec->fields[i]);
	free(rec->fields);
	*rec = (struct ip_csv_record){0};
}

int ip_csv_next(struct ip_csv *c, struct ip_csv_record *rec)
{
	*rec = (struct ip_csv_record){.line = c->line};
	/* blank lines between records carry nothing */
	while (c->p < c->end && (*c->p == '\n' || *c->p == '\r')) {
		if (*c->p == '\n')
			c->line++;
		c->p++;
	}
	rec->line = c->line;
	if (c->p >= c->end)
		return 0;
	struct ip_buf field = {0};
	bool quoted = false;
	for (;;) {
		if (c->p >= c->end) {
			if (quoted) {
				ip_buf_free(&field);
				ip_csv_record_free(rec);
				return -1;
			}
			push_field(rec, &field);
			return 1;
		}
		char ch = *c->p++;
		if (quoted) {
			if (ch == '"' && c->p < c->end && *c->p == '"') {
				ip_buf_add(&field, "\"", 1);
				c->p++;
			} else if (ch == '"') {
				quoted = false;
			} else {
				if (ch == '\n')
					c->line++;
				ip_buf_add(&field, &ch, 1);
			}
		} else if (ch == '"' && field.len == 0) {
			quoted = true;
		} else if (ch == c->separator) {
			push_field(rec, &field);
		} else if (ch == '\n' || (ch == '\r' && (c->p >= c->end || *c->p == '\n'))) {
			if (ch == '\r')
				c->p++;
			c->line++;
			push_field(rec, &field);
			return 1;
		} else {
			ip_buf_add(&field, &ch, 1);
		}
	}
}

json_t *ip_csv_list(const char *s)
{
	json_t *list = json_array();
	while (s && *s) {
		size_t n = strcspn(s, ",");
		json_array_append_new(list, json_stringn(s, n));
		s += n + (s[n] == ',');
	}
	return list;
}
