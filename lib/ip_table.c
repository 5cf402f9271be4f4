#include "ip_table.h"
#include "ip_visible.h"
#include "ip_doc.h"
#include "ip_i18n.h"

#include <stdio.h>
#include <string.h>

/* ---- suppression -------------------------------------------------------- */

static json_t *count_cell(json_t *row)
{
	return json_array_get(row, json_array_size(row) - 1);
}

static bool small(const json_t *cell, int min_cell)
{
	return json_is_integer(cell) && json_integer_value(cell) > 0 &&
	       json_integer_value(cell) < min_cell;
}

static void hide(json_t *row, int min_cell)
{
	json_array_set_new(row, json_array_size(row) - 1, json_sprintf("<%d", min_cell));
}

size_t ip_table_suppress(json_t *table, int min_cell)
{
	if (min_cell <= 0)
		return 0;
	json_t *rows = json_object_get(table, "rows");
	json_t *total = json_object_get(table, "total");
	size_t hidden = 0, i;
	json_t *row;
	json_array_foreach(rows, i, row)
		if (small(count_cell(row), min_cell)) {
			hide(row, min_cell);
			hidden++;
		}
	/* One hidden cell and a total: the total minus the others gives it. */
	if (hidden == 1 && total) {
		json_t *smallest = NULL;
		json_array_foreach(rows, i, row) {
			json_t *c = count_cell(row);
			if (json_is_integer(c) && (!smallest || json_integer_value(c) <
			                                         json_integer_value(count_cell(smallest))))
				smallest = row;
		}
		if (smallest) {
			hide(smallest, min_cell);
			hidden++;
		} else if (json_is_integer(count_cell(total))) {
			hide(total, min_cell);  /* a table of one row is its total */
			hidden++;
		}
	}
	if (total && small(count_cell(total), min_cell)) {
		hide(total, min_cell);
		hidden++;
	}
	return hidden;
}

/* ---- cells -------------------------------------------------------------- */

static const char *cell_text(const json_t *cell, char buf[40])
{
	if (json_is_string(cell))
		return json_string_value(cell);
	if (json_is_integer(cell))
		snprintf(buf, 40, "%lld", (long long)json_integer_value(cell));
	else if (json_is_real(cell))
		snprintf(buf, 40, "%.2f", json_real_value(cell));  /* scores: hundredths */
	else
		snprintf(buf, 40, "%s", "");
	return buf;
}

void ip_csv_field(struct ip_buf *out, const char *text, char sep)
{
	/* a spreadsheet keeps a cell's lines and tabs; nothing else unseen */
	struct ip_buf shown = {0};
	ip_visible_add(&shown, text, strlen(text), true);
	const char *s = shown.s ? shown.s : "";
	bool inert = s[0] && strchr("=+-@\t\r\n", s[0]);
	bool quote = inert || strchr(s, sep) || strchr(s, '"') || strchr(s, '\n') ||
	             strchr(s, '\r');
	if (quote)
		ip_buf_add(out, "\"", 1);
	if (inert)
		ip_buf_add(out, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			ip_buf_add(out, "\"", 1);
		ip_buf_add(out, p, 1);
	}
	if (quote)
		ip_buf_add(out, "\"", 1);
	ip_buf_free(&shown);
}

/* Display width of UTF-8 text: one column per character. */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* ---- formats ------------------------------------------------------------ */

/* Every row of a table, the total last. */
static json_t *all_rows(const json_t *t)
{
	json_t *rows = json_copy(json_object_get(t, "rows"));
	if (json_object_get(t, "total"))
		json_array_append(rows, json_object_get(t, "total"));
	return rows;
}

static void render_text(const json_t *t, struct ip_buf *out)
{
	const json_t *cols = json_object_get(t, "columns");
	size_t ncols = json_array_size(cols), w[16] = {0};
	json_t *rows = all_rows(t);
	char buf[40];
	size_t i, r;
	json_t *row;
	for (i = 0; i < ncols && i < 16; i++)
		w[i] = width(json_string_value(json_array_get(cols, i)));
	json_array_foreach(rows, r, row)
		for (i = 0; i < ncols && i < 16; i++) {
			size_t cw = width(cell_text(json_array_get(row, i), buf));
			w[i] = cw > w[i] ? cw : w[i];
		}
	ip_buf_printf(out, "%s\n", ip_str(t, "title"));
	for (r = 0; r <= json_array_size(rows); r++) {
		const json_t *line = r == 0 ? cols : json_array_get(rows, r - 1);
		for (i = 0; i < ncols && i < 16; i++) {
			const json_t *cell = json_array_get(line, i);
			const char *s = cell_text(cell, buf);
			size_t pad = w[i] - width(s);
			bool right = r > 0 && !json_is_string(cell);
			ip_buf_printf(out, "%s%*s%s%*s", i ? "  " : "", right ? (int)pad : 0, "", s,
			              right || i + 1 == ncols ? 0 : (int)pad, "");
		}
		ip_buf_puts(out, "\n");
	}
	json_decref(rows);
}

/* A decimal number ("8.3 %", "0.06") with a comma for German Excel: true
 * with the copy in out, else false (the text is no such number). */
static bool decimal(const char *s, char out[40])
{
	size_t digits = strspn(s + (*s == '-'), "0123456789");
	const char *dot = s + (*s == '-') + digits;
	if (!digits || *dot != '.' || strlen(s) >= 40)
		return false;
	size_t frac = strspn(dot + 1, "0123456789");
	const char *rest = dot + 1 + frac;
	if (!frac || (*rest && strcmp(rest, " %")))
		return false;
	strcpy(out, s);
	out[dot - s] = ',';
	return true;
}

static void render_csv(const json_t *t, enum ip_csv_dialect d, struct ip_buf *out)
{
	char sep = d == IP_CSV_EXCEL_DE ? ';' : ',';
	const char *eol = "\r\n";
	json_t *rows = all_rows(t);
	char buf[40];
	json_array_insert(rows, 0, json_object_get(t, "columns"));
	size_t r, i;
	json_t *row, *cell;
	json_array_foreach(rows, r, row) {
		json_array_foreach(row, i, cell) {
			if (i)
				ip_buf_add(out, &sep, 1);
			const char *s = cell_text(cell, buf);
			char local[40];
			if (d == IP_CSV_EXCEL_DE && decimal(s, local))
				s = local;
			if (json_is_string(cell))
				ip_csv_field(out, s, sep);
			else
				ip_buf_puts(out, s);
		}
		ip_buf_puts(out, eol);
	}
	json_decref(rows);
}

static void md_cell(struct ip_buf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("|\\*_`<>[]", *s))
			ip_buf_add(out, "\\", 1);
		ip_buf_add(out, *s == '\n' ? " " : s, 1);
	}
}

static void render_md(const json_t *t, struct ip_buf *out)
{
	const json_t *cols = json_object_get(t, "columns");
	json_t *rows = all_rows(t);
	char buf[40];
	size_t r, i;
	json_t *row, *cell;
	ip_buf_puts(out, "## ");
	md_cell(out, ip_str(t, "title"));
	ip_buf_puts(out, "\n\n|");
	json_array_foreach(cols, i, cell) {
		ip_buf_puts(out, " ");
		md_cell(out, json_string_value(cell));
		ip_buf_puts(out, " |");
	}
	ip_buf_puts(out, "\n|");
	json_array_foreach(cols, i, cell)
		ip_buf_puts(out, i + 1 == json_array_size(cols) ? " ---: |" : " --- |");
	ip_buf_puts(out, "\n");
	json_array_foreach(rows, r, row) {
		ip_buf_puts(out, "|");
		json_array_foreach(row, i, cell) {
			ip_buf_puts(out, " ");
			md_cell(out, cell_text(cell, buf));
			ip_buf_puts(out, " |");
		}
		ip_buf_puts(out, "\n");
	}
	ip_buf_puts(out, "\n");
	json_decref(rows);
}

static void html_text(struct ip_buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': ip_buf_puts(out, "&amp;"); break;
		case '<': ip_buf_puts(out, "&lt;"); break;
		case '>': ip_buf_puts(out, "&gt;"); break;
		case '"': ip_buf_puts(out, "&quot;"); break;
		case '\'': ip_buf_puts(out, "&#39;"); break;
		default: ip_buf_add(out, s, 1);
		}
	}
}

/* Cells from..to-1 of a row, joined as a chart labels them ("AF · male"). */
static void chart_text(const json_t *row, size_t from, size_t to, struct ip_buf *out)
{
	char buf[40];
	for (size_t i = from; i < to; i++) {
		if (i > from)
			ip_buf_puts(out, " · ");
		ip_buf_puts(out, cell_text(json_array_get(row, i), buf));
	}
}

/* A chart's label has the room of about 30 characters before the bars
 * begin: a longer one is cut with an ellipsis and given whole as the
 * text's title, which a browser shows on hover and a screen reader reads. */
#define LABEL_ROOM 30

static void chart_label(const json_t *row, size_t from, size_t to, struct ip_buf *out)
{
	struct ip_buf text = {0};
	chart_text(row, from, to, &text);
	const char *s = text.s ? text.s : "";
	size_t chars = 0, cut = 0;
	for (size_t i = 0; s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == LABEL_ROOM)
			cut = i;
	if (chars > LABEL_ROOM) {
		ip_buf_puts(out, "<title>");
		html_text(out, s);
		ip_buf_puts(out, "</title>");
		text.s[cut] = '\0';
		html_text(out, s);
		ip_buf_puts(out, "…");
	} else {
		html_text(out, s);
	}
	ip_buf_free(&text);
}

/* The first g cells of two rows are the same group. */
static bool same_group(const json_t *a, const json_t *b, size_t g)
{
	for (size_t i = 0; i < g; i++)
		if (!a || !json_equal(json_array_get(a, i), json_array_get(b, i)))
			return false;
	return true;
}

/* The colour of a bar in a grouped chart: one per value of the last field,
 * in the order of first appearance, so a value has its colour in every
 * group. seen collects the values' labels. */
static size_t bar_colour(json_t *seen, const json_t *row, size_t g)
{
	struct ip_buf label = {0};
	chart_text(row, g, json_array_size(row) - 1, &label);
	size_t i;
	json_t *v;
	json_array_foreach(seen, i, v)
		if (!strcmp(json_string_value(v), label.s ? label.s : ""))
			break;
	if (i == json_array_size(seen))
		json_array_append_new(seen, json_string(label.s ? label.s : ""));
	ip_buf_free(&label);
	return i % 6;
}

static json_int_t chart_max(const json_t *rows)
{
	json_int_t max = 0;
	size_t i;
	json_t *row;
	json_array_foreach((json_t *)rows, i, row) {
		const json_t *c = count_cell(row);
		if (json_is_integer(c) && json_integer_value(c) > max)
			max = json_integer_value(c);
	}
	return max;
}

/* How many lines a chart has: a bar per row, and a heading per group. */
static size_t chart_lines(const json_t *rows, size_t g)
{
	size_t lines = 0, i;
	const json_t *prev = NULL;
	json_t *row;
	json_array_foreach((json_t *)rows, i, row) {
		lines += 1 + (g && !same_group(prev, row, g));
		prev = row;
	}
	return lines;
}

/* A horizontal bar per row with a shown count, the count just after it;
 * none for a table whose figures are of different kinds ("chart": false,
 * the key figures). A table counted by several fields ("group": the number
 * of leading columns that name a group) has grouped bars: a heading per
 * group, then a bar per value of the last field, each value in its colour. */
static void render_svg(const json_t *t, struct ip_buf *out)
{
	const json_t *rows = json_object_get(t, "rows");
	json_int_t max = chart_max(rows);
	if (json_is_false(json_object_get(t, "chart")) || !max)
		return;
	size_t g = (size_t)json_integer_value(json_object_get(t, "group"));
	size_t h = 22 * chart_lines(rows, g) + 4, y = 0, i;
	char buf[40];
	json_t *row, *seen = json_array();
	const json_t *prev = NULL;
	ip_buf_printf(out, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 640 %zu\" "
	              "width=\"640\" height=\"%zu\" xmlns=\"http://www.w3.org/2000/svg\">\n", h, h);
	json_array_foreach((json_t *)rows, i, row) {
		if (g && !same_group(prev, row, g)) {
			ip_buf_printf(out, "<text x=\"0\" y=\"%zu\" class=\"g\">", y + 16);
			chart_label(row, 0, g, out);
			ip_buf_puts(out, "</text>\n");
			y += 22;
		}
		prev = row;
		const json_t *c = count_cell(row);
		ip_buf_printf(out, "<text x=\"%d\" y=\"%zu\">", g ? 14 : 0, y + 16);
		chart_label(row, g, json_array_size(row) - 1, out);
		ip_buf_puts(out, "</text>");
		double wbar = 0;
		if (json_is_integer(c)) {
			wbar = 360.0 * (double)json_integer_value(c) / (double)max;
			ip_buf_printf(out, "<rect x=\"220\" y=\"%zu\" width=\"%.1f\" height=\"16\" "
			              "class=\"c%zu\"/>", y + 4, wbar, g ? bar_colour(seen, row, g) : 0);
		}
		ip_buf_printf(out, "<text x=\"%.1f\" y=\"%zu\">", 226 + wbar, y + 16);
		html_text(out, cell_text(c, buf));
		ip_buf_puts(out, "</text>\n");
		y += 22;
	}
	json_decref(seen);
	ip_buf_puts(out, "</svg>\n");
}

static void render_html_table(const json_t *t, struct ip_buf *out)
{
	const json_t *cols = json_object_get(t, "columns");
	char buf[40];
	size_t r, i;
	json_t *row, *cell;
	ip_buf_puts(out, "<section>\n<h2>");
	html_text(out, ip_str(t, "title"));
	ip_buf_puts(out, "</h2>\n");
	render_svg(t, out);
	ip_buf_puts(out, "<table>\n<thead><tr>");
	json_array_foreach((json_t *)cols, i, cell) {
		ip_buf_puts(out, "<th>");
		html_text(out, json_string_value(cell));
		ip_buf_puts(out, "</th>");
	}
	ip_buf_puts(out, "</tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(t, "rows"), r, row) {
		ip_buf_puts(out, "<tr>");
		json_array_foreach(row, i, cell) {
			ip_buf_puts(out, json_is_string(cell) ? "<td>" : "<td class=\"n\">");
			html_text(out, cell_text(cell, buf));
			ip_buf_puts(out, "</td>");
		}
		ip_buf_puts(out, "</tr>\n");
	}
	ip_buf_puts(out, "</tbody>\n");
	if ((row = json_object_get(t, "total"))) {
		ip_buf_puts(out, "<tfoot><tr>");
		json_array_foreach(row, i, cell) {
			ip_buf_puts(out, json_is_string(cell) && i == 0 ? "<th>" : "<td class=\"n\">");
			html_text(out, cell_text(cell, buf));
			ip_buf_puts(out, json_is_string(cell) && i == 0 ? "</th>" : "</td>");
		}
		ip_buf_puts(out, "</tr></tfoot>\n");
	}
	ip_buf_puts(out, "</table>\n</section>\n");
}

/* the page's language is the labels': the user's */
static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
static const char html_style[] =
	"</title>\n<style>\n"
	"body { font: 15px/1.45 system-ui, sans-serif; max-width: 60em; margin: 2em auto; "
	"padding: 0 1em; color: #222; }\n"
	"h1 { font-size: 1.5em; border-bottom: 2px solid #2a5d84; }\n"
	"h2 { font-size: 1.15em; color: #2a5d84; margin-top: 1.8em; }\n"
	"table { border-collapse: collapse; margin: .5em 0; }\n"
	"th, td { padding: .2em .8em; border-bottom: 1px solid #ddd; text-align: start; }\n"
	"td.n { text-align: end; font-variant-numeric: tabular-nums; }\n"
	"tfoot th, tfoot td { font-weight: 600; border-top: 2px solid #999; }\n"
	"svg.chart { display: block; max-width: 100%; height: auto; font-size: 12px; }\n"
	"svg.chart rect.c0 { fill: #2a5d84; } svg.chart rect.c1 { fill: #c8702a; }\n"
	"svg.chart rect.c2 { fill: #4a8c5c; } svg.chart rect.c3 { fill: #8a5a9e; }\n"
	"svg.chart rect.c4 { fill: #b8424a; } svg.chart rect.c5 { fill: #6f7d8c; }\n"
	"svg.chart text.g { font-weight: 600; }\n"
	"</style>\n</head>\n<body>\n<h1>";

/* A copy of v with every string's invisible characters escaped, newlines
 * too: a table on a terminal or in Markdown or HTML shows them all. */
static json_t *visible_copy(const json_t *v)
{
	if (json_is_string(v)) {
		struct ip_buf shown = {0};
		ip_visible_add(&shown, json_string_value(v), json_string_length(v), false);
		json_t *s = json_string(shown.s ? shown.s : "");
		ip_buf_free(&shown);
		return s;
	}
	json_t *copy = json_is_array(v) ? json_array() : json_is_object(v) ? json_object() : NULL;
	size_t i;
	const char *k;
	json_t *child;
	if (json_is_array(v))
		json_array_foreach((json_t *)v, i, child)
			json_array_append_new(copy, visible_copy(child));
	else if (json_is_object(v))
		json_object_foreach((json_t *)v, k, child)
			json_object_set_new(copy, k, visible_copy(child));
	return copy ? copy : json_incref((json_t *)v);
}

static void render_all(const json_t *tables, enum ip_table_format f,
                       enum ip_csv_dialect dialect, const char *title, struct ip_buf *out);

void ip_tables_render(const json_t *tables, enum ip_table_format f,
                      enum ip_csv_dialect dialect, const char *title,
                      struct ip_buf *out)
{
	if (f == IP_TABLE_CSV) { /* ip_csv_field shows each cell's invisible characters */
		render_all(tables, f, dialect, title, out);
		return;
	}
	json_t *shown = visible_copy(tables);
	struct ip_buf shown_title = {0};
	if (title)
		ip_visible_add(&shown_title, title, strlen(title), false);
	render_all(shown, f, dialect, title ? (shown_title.s ? shown_title.s : "") : NULL, out);
	json_decref(shown);
	ip_buf_free(&shown_title);
}

static void render_all(const json_t *tables, enum ip_table_format f,
                       enum ip_csv_dialect dialect, const char *title, struct ip_buf *out)
{
	size_t i;
	json_t *t;
	if (f == IP_TABLE_CSV && dialect == IP_CSV_EXCEL_DE)
		ip_buf_puts(out, "\xEF\xBB\xBF");  /* the BOM German Excel needs for UTF-8 */
	if (f == IP_TABLE_HTML) {
		ip_buf_printf(out, html_head, ip_i18n_lang());
		html_text(out, title);
		ip_buf_puts(out, html_style);
		html_text(out, title);
		ip_buf_puts(out, "</h1>\n");
	} else if (title && json_array_size(tables) == 1 &&
	           !strcmp(title, ip_str(json_array_get(tables, 0), "title") ?
	                          ip_str(json_array_get(tables, 0), "title") : "")) {
		/* one table that is the page: its own title says it */
	} else if (title && f == IP_TABLE_MD) {
		ip_buf_puts(out, "# ");
		md_cell(out, title);
		ip_buf_puts(out, "\n\n");
	} else if (title && f == IP_TABLE_TEXT) {
		ip_buf_printf(out, "%s\n\n", title);
	}
	json_array_foreach((json_t *)tables, i, t) {
		if (i && (f == IP_TABLE_TEXT || f == IP_TABLE_CSV))
			ip_buf_puts(out, f == IP_TABLE_CSV ? "\r\n"
			                                   : "\n");
		/* several tables in one CSV: each says what it is */
		if (f == IP_TABLE_CSV && json_array_size(tables) > 1) {
			ip_csv_field(out, ip_str(t, "title"),
			             dialect == IP_CSV_EXCEL_DE ? ';' : ',');
			ip_buf_puts(out, "\r\n");
		}
		switch (f) {
		case IP_TABLE_TEXT: render_text(t, out); break;
		case IP_TABLE_CSV: render_csv(t, dialect, out); break;
		case IP_TABLE_MD: render_md(t, out); break;
		case IP_TABLE_HTML: render_html_table(t, out); break;
		}
	}
	if (f == IP_TABLE_HTML)
		ip_buf_puts(out, "</body>\n</html>\n");
}

enum ip_table_format ip_table_format_of(enum ip_format f)
{
	return f == IP_FORMAT_CSV ? IP_TABLE_CSV : f == IP_FORMAT_MD ? IP_TABLE_MD
	     : f == IP_FORMAT_HTML ? IP_TABLE_HTML : IP_TABLE_TEXT;
}
