#include "ip_pdf.h"
#include "ip_i18n.h"
#include "ip_mem.h"

#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A4 in points, margins of 2 cm and a foot line below the text. */
#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 56.7
#define TEXT_W (PAGE_W - 2 * MARGIN)
#define TEXT_BOTTOM (PAGE_H - 70.0)
#define FOOT_Y (PAGE_H - 42.0)
/* Noto Sans has no Arabic letters: Pango falls back to the next family. */
#define FONTS "Noto Sans, Noto Sans Arabic"

enum kind { K_H1, K_H2, K_DL, K_LI, K_P, K_SIGN, K_FOOT };
static const char *const kind_names[] = {"h1", "h2", "dl", "li", "p", "sign", "foot"};

struct block {
	enum kind kind;
	int line;
	struct ip_buf term; /* dl only */
	struct ip_buf text;
};

struct pdf {
	struct block *blocks;
	size_t n, cap;
	char *title, *footer;
	bool rtl;
	/* while laying out */
	PangoFontMap *fonts;
	cairo_t *cr;
	bool drawing; /* the first pass only counts the pages */
	double y;
	int page, pages;
};

/* ---- the page description ------------------------------------------------ */

static int fail(char **message, char *what)
{
	*message = what;
	return -1;
}

static int take_meta(struct pdf *p, const char *rest)
{
	size_t key = strcspn(rest, " ");
	const char *value = rest + key + strspn(rest + key, " ");
	if (key == 5 && !strncmp(rest, "title", 5)) {
		free(p->title);
		p->title = ip_xstrdup(value);
	} else if (key == 6 && !strncmp(rest, "footer", 6)) {
		free(p->footer);
		p->footer = ip_xstrdup(value);
	} else if (key == 3 && !strncmp(rest, "dir", 3) && (!strcmp(value, "rtl") ||
	                                                   !strcmp(value, "ltr"))) {
		p->rtl = !strcmp(value, "rtl");
	} else {
		return -1;
	}
	return 0;
}

static struct block *new_block(struct pdf *p, enum kind kind, int line)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 32;
		p->blocks = ip_xrealloc(p->blocks, p->cap * sizeof *p->blocks);
	}
	struct block *b = &p->blocks[p->n++];
	*b = (struct block){kind, line, {0}, {0}};
	ip_buf_puts(&b->term, "");
	ip_buf_puts(&b->text, "");
	return b;
}

/* "@kind rest" starts a block; false when kind is none of ours. */
static bool start_block(struct pdf *p, const char *s, size_t len, int line)
{
	size_t word = strcspn(s + 1, " \t");
	if (word + 1 > len)
		word = len - 1;
	for (size_t k = 0; k < sizeof kind_names / sizeof *kind_names; k++) {
		if (strlen(kind_names[k]) != word || strncmp(s + 1, kind_names[k], word))
			continue;
		struct block *b = new_block(p, (enum kind)k, line);
		const char *rest = s + 1 + word, *end = s + len;
		rest += rest < end && *rest == ' ';
		const char *tab = b->kind == K_DL ? memchr(rest, '\t', (size_t)(end - rest)) : NULL;
		if (tab) {
			ip_buf_add(&b->term, rest, (size_t)(tab - rest));
			rest = tab + 1;
		}
		ip_buf_add(&b->text, rest, (size_t)(end - rest));
		return true;
	}
	return false;
}

static int parse_line(struct pdf *p, const char *s, size_t len, int line, char **message)
{
	if (strspn(s, " \t") >= len)
		return 0;
	if (len > 6 && !strncmp(s, "@meta ", 6)) {
		char *rest = ip_xasprintf("%.*s", (int)(len - 6), s + 6);
		int rc = take_meta(p, rest);
		free(rest);
		if (rc)
			return fail(message, ip_xstrdup(_("unknown @meta line (title, dir "
			                                               "ltr|rtl, footer)")));
		return 0;
	}
	if (*s == '@') {
		if (!start_block(p, s, len, line))
			return fail(message, ip_xasprintf(_("unknown block '%.*s' (h1, h2, dl, "
			            "li, p, sign, foot)"), (int)strcspn(s, " \t\n"), s));
		return 0;
	}
	if (!p->n)
		return fail(message, ip_xstrdup(_("text before the first @block")));
	size_t marker = *s == ' '; /* a value's line: the space after its break */
	ip_buf_puts(&p->blocks[p->n - 1].text, "\n");
	ip_buf_add(&p->blocks[p->n - 1].text, s + marker, len - marker);
	return 0;
}

/* Markup that Pango cannot read is the template's fault: found before any
 * page is laid out, with its line. */
static int check_markup(const char *markup, int line, int *line_at, char **message)
{
	GError *err = NULL;
	if (pango_parse_markup(markup, -1, 0, NULL, NULL, NULL, &err))
		return 0;
	char *what = ip_xasprintf(_("bad markup: %s"), err->message);
	g_error_free(err);
	*line_at = line;
	return fail(message, what);
}

static int parse(struct pdf *p, const char *text, int *line, char **message)
{
	int at = 1;
	for (const char *s = text; *s; at++) {
		size_t len = strcspn(s, "\n");
		if (parse_line(p, s, len, at, message)) {
			*line = at;
			return -1;
		}
		s += len + (s[len] == '\n');
	}
	if ((p->footer && check_markup(p->footer, 0, line, message)) ||
	    (p->title && check_markup(p->title, 0, line, message)))
		return -1;
	for (size_t i = 0; i < p->n; i++)
		if (check_markup(p->blocks[i].term.s, p->blocks[i].line, line, message) ||
		    check_markup(p->blocks[i].text.s, p->blocks[i].line, line, message))
			return -1;
	return 0;
}

/* ---- laying out ------------------------------------------------------------ */

enum colour { TEXT, ACCENT, GREY };

struct style {
	double size;
	bool bold;
	enum colour colour;
	double before, after;
};

static const struct style styles[] = {
	[K_H1] = {18, true, TEXT, 0, 4},    [K_H2] = {12.5, true, ACCENT, 14, 4},
	[K_DL] = {10, false, TEXT, 0, 3},   [K_LI] = {10, false, TEXT, 0, 4},
	[K_P] = {10, false, TEXT, 2, 6},    [K_SIGN] = {9.5, false, TEXT, 40, 0},
	[K_FOOT] = {8.5, false, GREY, 14, 0},
};

/* A list item's text starts this far from the bullet's edge. */
#define ITEM_INDENT 14.0

static PangoLayout *new_layout(const struct pdf *p, const struct style *st, double width)
{
	PangoContext *context = pango_font_map_create_context(p->fonts);
	pango_cairo_update_context(p->cr, context);
	pango_context_set_base_dir(context, p->rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
	PangoLayout *layout = pango_layout_new(context);
	g_object_unref(context);
	PangoFontDescription *font = pango_font_description_from_string(FONTS);
	pango_font_description_set_size(font, (gint)(st->size * PANGO_SCALE));
	pango_font_description_set_weight(font, st->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(layout, font);
	pango_font_description_free(font);
	/* every paragraph in the document's direction, whatever its first letter */
	pango_layout_set_auto_dir(layout, FALSE);
	pango_layout_set_alignment(layout, p->rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
	pango_layout_set_line_spacing(layout, 1.25f);
	return layout;
}

/* The left edge of a box that starts at offset from the start of a line
 * (the left margin, or the right one on a right-to-left page). */
static double left_of(const struct pdf *p, double offset, double width)
{
	return p->rtl ? MARGIN + TEXT_W - offset - width : MARGIN + offset;
}

static double height_of(PangoLayout *layout)
{
	PangoRectangle logical;
	pango_layout_get_extents(layout, NULL, &logical);
	return (double)logical.height / PANGO_SCALE;
}

static void set_colour(const struct pdf *p, enum colour colour)
{
	if (colour == ACCENT)
		cairo_set_source_rgb(p->cr, 0.165, 0.365, 0.518);
	else if (colour == GREY)
		cairo_set_source_rgb(p->cr, 0.45, 0.45, 0.45);
	else
		cairo_set_source_rgb(p->cr, 0.13, 0.13, 0.13);
}

static void foot_of_page(struct pdf *p)
{
	if (!p->footer)
		return;
	char page[16], pages[16];
	snprintf(page, sizeof page, "%d", p->page);
	snprintf(pages, sizeof pages, "%d", p->pages);
	struct ip_buf b = {0};
	ip_buf_puts(&b, "");
	for (const char *s = p->footer; *s;) {
		if (!strncmp(s, "{page}", 6))
			ip_buf_puts(&b, page), s += 6;
		else if (!strncmp(s, "{pages}", 7))
			ip_buf_puts(&b, pages), s += 7;
		else
			ip_buf_add(&b, s++, 1);
	}
	PangoLayout *layout = new_layout(p, &styles[K_FOOT], TEXT_W);
	pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
	pango_layout_set_markup(layout, b.s, -1);
	set_colour(p, styles[K_FOOT].colour);
	cairo_move_to(p->cr, MARGIN, FOOT_Y);
	pango_cairo_show_layout(p->cr, layout);
	g_object_unref(layout);
	ip_buf_free(&b);
}

static void next_page(struct pdf *p)
{
	if (p->drawing) {
		foot_of_page(p);
		cairo_show_page(p->cr);
	}
	p->page++;
	p->y = MARGIN;
}

/* Room for height more points on this page, or a new one. */
static void room_for(struct pdf *p, double height)
{
	if (p->y + height > TEXT_BOTTOM && p->y > MARGIN)
		next_page(p);
}

static void draw_layout(struct pdf *p, PangoLayout *layout, double x, double y,
                        enum colour colour)
{
	if (!p->drawing)
		return;
	set_colour(p, colour);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, layout);
}

/* A layout line by line, so a long paragraph runs on to the next page. */
static void flow(struct pdf *p, PangoLayout *layout, double x, enum colour colour)
{
	PangoLayoutIter *it = pango_layout_get_iter(layout);
	do {
		PangoRectangle logical;
		pango_layout_iter_get_line_extents(it, NULL, &logical);
		double height = (double)logical.height / PANGO_SCALE;
		double baseline = (double)(pango_layout_iter_get_baseline(it) - logical.y) / PANGO_SCALE;
		room_for(p, height);
		if (p->drawing) {
			set_colour(p, colour);
			cairo_move_to(p->cr, x + (double)logical.x / PANGO_SCALE, p->y + baseline);
			pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
		}
		p->y += height;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

static void rule_below(struct pdf *p, double offset, double width, double weight, bool accent)
{
	if (p->drawing) {
		set_colour(p, accent ? ACCENT : TEXT);
		cairo_set_line_width(p->cr, weight);
		cairo_move_to(p->cr, left_of(p, offset, width), p->y);
		cairo_line_to(p->cr, left_of(p, offset, width) + width, p->y);
		cairo_stroke(p->cr);
	}
}

static void draw_bullet(struct pdf *p)
{
	PangoLayout *bullet = new_layout(p, &styles[K_LI], ITEM_INDENT);
	pango_layout_set_text(bullet, "•", -1);
	draw_layout(p, bullet, left_of(p, 2, ITEM_INDENT), p->y, TEXT);
	g_object_unref(bullet);
}

/* A heading, paragraph or list item. */
static void lay_text(struct pdf *p, const struct block *b)
{
	const struct style *st = &styles[b->kind];
	double indent = b->kind == K_LI ? ITEM_INDENT : 0;
	PangoLayout *layout = new_layout(p, st, TEXT_W - indent);
	pango_layout_set_markup(layout, b->text.s, -1);
	double height = height_of(layout);
	p->y += st->before;
	if (b->kind == K_H1 || b->kind == K_H2)
		room_for(p, height + 90); /* never a heading alone at the foot of a page */
	else if (height < (TEXT_BOTTOM - MARGIN) / 3)
		room_for(p, height); /* a short block on one page; only a long one runs on */
	else
		room_for(p, 3 * st->size);
	if (b->kind == K_LI)
		draw_bullet(p);
	flow(p, layout, left_of(p, indent, TEXT_W - indent), st->colour);
	g_object_unref(layout);
	if (b->kind == K_H1) {
		p->y += 3;
		rule_below(p, 0, TEXT_W, 1.5, true);
		p->y += 8;
	}
	p->y += st->after;
}

/* A term and its definition side by side, kept on one page. */
static void lay_definition(struct pdf *p, const struct block *b)
{
	const double term_w = TEXT_W * 0.3, gap = 10, def_w = TEXT_W - term_w - gap;
	const struct style *st = &styles[K_DL];
	struct style bold = *st;
	bold.bold = true;
	PangoLayout *term = new_layout(p, &bold, term_w);
	PangoLayout *def = new_layout(p, st, def_w);
	pango_layout_set_markup(term, b->term.s, -1);
	pango_layout_set_markup(def, b->text.s, -1);
	double height = height_of(term) > height_of(def) ? height_of(term) : height_of(def);
	room_for(p, height);
	draw_layout(p, term, left_of(p, 0, term_w), p->y, TEXT);
	draw_layout(p, def, left_of(p, term_w + gap, def_w), p->y, TEXT);
	p->y += height + st->after;
	g_object_unref(term);
	g_object_unref(def);
}

/* Consecutive @sign blocks from *i: a row of lines to sign, kept together. */
static void lay_signatures(struct pdf *p, size_t *i)
{
	size_t first = *i, n = 0;
	while (first + n < p->n && p->blocks[first + n].kind == K_SIGN)
		n++;
	const double gap = 20, width = (TEXT_W - gap * (double)(n - 1)) / (double)n;
	PangoLayout **cells = ip_xcalloc(n, sizeof *cells);
	double height = 0;
	for (size_t k = 0; k < n; k++) {
		cells[k] = new_layout(p, &styles[K_SIGN], width);
		pango_layout_set_markup(cells[k], p->blocks[first + k].text.s, -1);
		if (height_of(cells[k]) > height)
			height = height_of(cells[k]);
	}
	room_for(p, styles[K_SIGN].before + 4 + height);
	p->y += styles[K_SIGN].before;
	for (size_t k = 0; k < n; k++)
		rule_below(p, (double)k * (width + gap), width, 0.8, false);
	p->y += 4;
	for (size_t k = 0; k < n; k++) {
		draw_layout(p, cells[k], left_of(p, (double)k * (width + gap), width), p->y, TEXT);
		g_object_unref(cells[k]);
	}
	free(cells);
	p->y += height + 8;
	*i = first + n - 1;
}

static void lay_out(struct pdf *p)
{
	p->page = 1;
	p->y = MARGIN;
	for (size_t i = 0; i < p->n; i++) {
		switch (p->blocks[i].kind) {
		case K_DL: lay_definition(p, &p->blocks[i]); break;
		case K_SIGN: lay_signatures(p, &i); break;
		default: lay_text(p, &p->blocks[i]);
		}
	}
	if (p->drawing) {
		foot_of_page(p);
		cairo_show_page(p->cr);
	}
}

/* ---- writing ---------------------------------------------------------------- */

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int length)
{
	ip_buf_add(closure, (const char *)data, length);
	return CAIRO_STATUS_SUCCESS;
}

static void free_pdf(struct pdf *p)
{
	for (size_t i = 0; i < p->n; i++) {
		ip_buf_free(&p->blocks[i].term);
		ip_buf_free(&p->blocks[i].text);
	}
	free(p->blocks);
	free(p->title);
	free(p->footer);
}

/* A font map of our own, not Pango's default one, so that what it loads
 * can be freed. */
struct ip_pdf_fonts {
	PangoFontMap *map;
};

struct ip_pdf_fonts *ip_pdf_fonts_open(void)
{
	struct ip_pdf_fonts *fonts = ip_xcalloc(1, sizeof *fonts);
	fonts->map = pango_cairo_font_map_new();
	return fonts;
}

/* Pango sets fontconfig up in a thread of its own, which holds the first
 * font map until it ends: the map can outlive our unref for a moment
 * (long enough under valgrind). Cairo's and fontconfig's static data may
 * be reset only when nothing uses them (cairo asserts otherwise), so wait
 * for the map to be finalised, up to a second, and leave the data alone
 * when it is not. */
static bool map_finalised(GWeakRef *map)
{
	for (int tries = 0; tries < 1000; tries++) {
		GObject *still = g_weak_ref_get(map);
		if (!still)
			return true;
		g_object_unref(still);
		g_usleep(1000);
	}
	return false;
}

void ip_pdf_fonts_close(struct ip_pdf_fonts *fonts)
{
	if (!fonts)
		return;
	GWeakRef map;
	g_weak_ref_init(&map, fonts->map);
	g_object_unref(fonts->map);
	free(fonts);
	bool finalised = map_finalised(&map);
	g_weak_ref_clear(&map);
	if (finalised) {
		cairo_debug_reset_static_data();
		FcFini();
	}
}

int ip_pdf_render(struct ip_pdf_fonts *fonts, const char *page_text, const char *created,
                  struct ip_buf *out, int *line, char **message)
{
	struct pdf p = {.fonts = fonts->map};
	*line = 0;
	*message = NULL;
	int rc = parse(&p, page_text, line, message);
	if (rc) {
		free_pdf(&p);
		return rc;
	}
	cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(to_buf, out, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, created);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "IntegPlan");
	char *title = NULL; /* as text: the template escaped it as markup */
	if (p.title && pango_parse_markup(p.title, -1, 0, NULL, &title, NULL, NULL))
		cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
	g_free(title);
	p.cr = cairo_create(surface);
	lay_out(&p); /* counts the pages for "{page} of {pages}" */
	p.pages = p.page;
	p.drawing = true;
	lay_out(&p);
	cairo_destroy(p.cr);
	cairo_surface_finish(surface);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		*message = ip_xasprintf(_("cannot write the PDF: %s"),
		                        cairo_status_to_string(cairo_surface_status(surface)));
		rc = -1;
	}
	cairo_surface_destroy(surface);
	free_pdf(&p);
	return rc;
}
