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
#define IP_INTAKE_NFIELDS 15

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

/* Call fn on each row of an intake file held in buf: JSON Lines when its
 * name ends in .jsonl, .ndjson or .json or it starts with '{', else CSV.
 * A bad row (reported at its line) is skipped and makes the result 65;
 * any graver status from fn stops the reading. */
int ip_rows_read(const char *path, const char *name, const char *buf, size_t len,
                 ip_row_fn fn, void *ctx);

#endif
