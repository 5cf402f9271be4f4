/* ip_emit.h — the one canonical writer for YAML, JSON and JSON Lines.
 * Keys come out in the order of the value's objects: put them in the
 * schema's order first (ip_schema_canonical).
 *
 * Layer: data. */
#ifndef IP_EMIT_H
#define IP_EMIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ip_buf.h"

/* ip_emit writes the first three; documents (ip-plan render) the others. */
enum ip_format { IP_FORMAT_YAML, IP_FORMAT_JSON, IP_FORMAT_JSONL, IP_FORMAT_MD,
                 IP_FORMAT_HTML, IP_FORMAT_TABLE, IP_FORMAT_CSV, IP_FORMAT_PDF,
                 IP_FORMAT_COUNT };
#define IP_FORMATS_DATA (1u << IP_FORMAT_YAML | 1u << IP_FORMAT_JSON | 1u << IP_FORMAT_JSONL)
#define IP_FORMATS_DOC (1u << IP_FORMAT_MD | 1u << IP_FORMAT_HTML)
#define IP_FORMATS_REPORT (1u << IP_FORMAT_JSON | 1u << IP_FORMAT_JSONL | IP_FORMATS_DOC | \
                           1u << IP_FORMAT_TABLE | 1u << IP_FORMAT_CSV)

/* "yaml", "json", "jsonl", "md", "html", "table", "csv" or "pdf"; false
 * for anything else. */
bool ip_format_parse(const char *name, enum ip_format *f);
/* The name -f gives format f ("yaml"); NULL past the last. */
const char *ip_format_name(enum ip_format f);

/* The shortest text that reads back as the same double ("1.21", "1e+20"). */
void ip_format_real(double d, char out[40]);

/* An amount of money as people write it: "1000", "12.50". */
void ip_format_amount(double d, char out[40]);

/* Append one document, ending in a newline. */
void ip_emit(struct ip_buf *b, const json_t *v, enum ip_format f);

#endif
