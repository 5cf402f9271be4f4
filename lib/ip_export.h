/* ip_export.h — one row per case from the facts of cases (ip-report
 * export): the columns asked for or the default ones, as CSV (RFC 4180 or
 * for German Excel), JSON or JSON Lines. Anonymised, a row has no names, a
 * birth date is its quarter and the id a keyed hash (HMAC-SHA256), so the
 * same key links the exports of two days and nothing else does.
 *
 * Layer: domain. */
#ifndef IP_EXPORT_H
#define IP_EXPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ip_buf.h"
#include "ip_emit.h"
#include "ip_facts.h"
#include "ip_table.h"

struct ip_export {
	json_t *columns;          /* fact names, in order */
	bool anonymise;
	uint8_t key[64];          /* of the id hashes */
	size_t key_len;
	enum ip_format format;    /* csv, json or jsonl */
	enum ip_csv_dialect dialect;
	size_t rows;
	struct ip_buf out;        /* rows not yet written */
	FILE *stream;             /* where they go, 64 KiB at a time */
};

/* The columns: those of asked (comma-separated), else the default ones;
 * with anonymise, never a name. Each problem is reported at label; returns
 * their number. */
int ip_export_columns(struct ip_export *x, const char *asked, const char *label);

/* The key of the id hashes from key_file: at least 16 bytes. */
bool ip_export_key(struct ip_export *x, const char *key_file);

void ip_export_header(struct ip_export *x);
void ip_export_row(struct ip_export *x, char *facts[IP_NFACTS]);
/* The end of the rows: the JSON array closed, everything written. */
void ip_export_end(struct ip_export *x);
void ip_export_free(struct ip_export *x);

#endif
