/* ip_rows.h — the fields a new case takes (as ip-intake options, CSV
 * columns and JSON Lines keys), and the rows of an intake file: CSV with a
 * header row, or one JSON object a line.
 *
 * Layer: domain. */
#ifndef IP_ROWS_H
#define IP_ROWS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ip_doc.h"

struct ip_intake_field {
	const char *name;   /* CSV column and JSON Lines key */
	const char *option; /* command-line option */
	const char *path;   /* where it goes in the case */
	const char *arg;    /* the option's argument, for --help */
	bool multi;         /* repeatable; ';' separates values in a CSV cell */
	bool required;
	const char *help;
};

/* The fields, ended by one whose name is NULL. */
extern const struct ip_intake_field ip_intake_fields[];
#define IP_INTAKE_NFIELDS 18

const struct ip_intake_field *ip_intake_field_named(const char *name);

/* Add a value of field f to row {name: string or [string]}. */
void ip_row_add(json_t *row, const struct ip_intake_field *f, const char *value);

/* Check each value of row and place it in case c (consent specs
 * "PURPOSE[:RECIPIENT]" given on today). Problems are reported at
 * file:line under the field's name, or its option when options. Returns
 * the number of problems. */
int ip_row_fill(json_t *c, const json_t *row, const char *today, const char *file,
                int line, bool options);

/* Called with each row of a file; returns an exit status. */
typedef int (*ip_row_fn)(json_t *row, const char *file, int line, void *ctx);

/* How an intake file is read: what ip-intake --encoding, --delimiter and
 * --map say. */
struct ip_import {
	const char *encoding;  /* NULL: detect it (ip_text.h) */
	char delimiter;        /* 0: the header's (ip_csv_sniff) */
	const json_t *maps;    /* checked import maps to read a header with */
	bool map_given;        /* --map: maps holds the one to use */
	bool quiet;
};

/* Call fn on each row of an intake file held in buf (in any encoding
 * ip_text reads): JSON Lines when its name ends in .jsonl, .ndjson or
 * .json or it starts with '{', else CSV with its header's separator. A
 * header names fields, or columns of the map that knows them all. Values
 * are trimmed and composed (NFC); German dates (12.04.1991) become ISO,
 * vocabulary labels in German or English their ids, and the map's own
 * words what it says. A bad row (reported at its line) is skipped and
 * makes the result 65; any graver status from fn stops the reading. */
int ip_rows_read(const char *path, const char *name, const char *buf, size_t len,
                 const struct ip_import *im, ip_row_fn fn, void *ctx);

/* Check an import map loaded into doc: the schema, and the fields it
 * names. Returns the number of problems, each reported at its place. */
int ip_import_map_check(struct ip_doc *doc);

#endif
