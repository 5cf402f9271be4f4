/* ip_table.h — report tables: small-cell suppression and output as an
 * aligned table, CSV, Markdown or one self-contained HTML page.
 *
 * A table is a JSON object {"title", "columns": [...], "rows": [[...]],
 * "total": [...] or absent}; cells are strings or numbers. Its last column
 * holds the counts that suppression protects.
 *
 * Layer: data. */
#ifndef IP_TABLE_H
#define IP_TABLE_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_emit.h"

enum ip_table_format { IP_TABLE_TEXT, IP_TABLE_CSV, IP_TABLE_MD, IP_TABLE_HTML };
enum ip_csv_dialect { IP_CSV_RFC4180, IP_CSV_EXCEL_DE };

/* Suppress small counts: a count from 1 to min_cell - 1 becomes "<min_cell".
 * Where the total would then reveal a suppressed cell (it is the only one),
 * the next smallest count is suppressed too; where every row is
 * suppressed, so is the total. min_cell 0 turns it off. Returns the number
 * of cells suppressed. */
size_t ip_table_suppress(json_t *table, int min_cell);

/* The table format of an output format: csv, md, html, else text. */
enum ip_table_format ip_table_format_of(enum ip_format f);

/* Render tables (an array) in a format; html: title is the page's. */
void ip_tables_render(const json_t *tables, enum ip_table_format f,
                      enum ip_csv_dialect dialect, const char *title,
                      struct ip_buf *out);

/* One CSV field: quoted where needed, and made inert where a spreadsheet
 * would read it as a formula (=, +, -, @, tab, CR, LF first get a '). */
void ip_csv_field(struct ip_buf *out, const char *s, char sep);

#endif
