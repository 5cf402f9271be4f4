/* ip_export.h — one row per case from the facts of cases (ip-report
 * export): the columns asked for or the default ones, as CSV (RFC 4180 or
 * for German Excel), JSON or JSON Lines. Three kinds:
 *  - personal: the facts as they are;
 *  - pseudonymous: no names, a birth date as its quarter and the id as a
 *    keyed hash (HMAC-SHA256), so the same key links the exports of two
 *    days; still personal data;
 *  - anonymous: only quasi-identifiers made coarse (an age band, months,
 *    the country), no id, no free text, and k-anonymous: every combination
 *    of values shown is shared by at least k rows; rows that would stand
 *    out are coarsened further (years, no age, no country) or left out.
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

enum ip_export_mode { IP_EXPORT_PERSONAL, IP_EXPORT_PSEUDONYMOUS, IP_EXPORT_ANONYMOUS };

struct ip_export {
	json_t *columns;          /* fact names (anonymous: its own), in order */
	enum ip_export_mode mode;
	int k;                    /* anonymous: the least rows sharing values */
	const json_t *age_bands;  /* anonymous: the bands of the age column */
	bool quiet;               /* no account of what was done on stderr */
	uint8_t key[64];          /* pseudonymous: of the id hashes */
	size_t key_len;
	json_t *held;             /* anonymous: the rows, until all are seen */
	enum ip_format format;    /* csv, json or jsonl */
	enum ip_csv_dialect dialect;
	size_t rows;
	struct ip_buf out;        /* rows not yet written */
	FILE *stream;             /* where they go, 64 KiB at a time */
};

/* The columns: those of asked (comma-separated), else the default ones;
 * pseudonymous, never a name; anonymous, only its coarse columns. Each
 * problem is reported at label; returns their number. */
int ip_export_columns(struct ip_export *x, const char *asked, const char *label);

/* The key of the id hashes from key_file: at least 16 bytes. 0, or 66
 * (no such file), 74 (unreadable) or 65 (too short), reported. */
int ip_export_key(struct ip_export *x, const char *key_file);

void ip_export_header(struct ip_export *x);
void ip_export_row(struct ip_export *x, char *facts[IP_NFACTS]);
/* The end of the rows: anonymous, the rows made k-anonymous and what was
 * done said on stderr; the JSON array closed, everything written. */
void ip_export_end(struct ip_export *x);
void ip_export_free(struct ip_export *x);

#endif
