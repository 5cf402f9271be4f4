/* ip_pdf.h — a document as paginated A4 PDF, laid out with Pango (Arabic
 * script shaped, mixed directions ordered by the Unicode bidirectional
 * algorithm) and written by Cairo in Debian's Noto fonts.
 *
 * The document comes as a page description that a Mustache template
 * writes, one block per line:
 *
 *   @meta title TEXT      the PDF's title; also "@meta dir rtl" (a page
 *                         for right-to-left script: mirrored, right
 *                         aligned) and "@meta footer TEXT" (the foot of
 *                         every page, with {page} and {pages})
 *   @h1 MARKUP            the document's title
 *   @h2 MARKUP            a heading, never alone at the foot of a page
 *   @dl TERM<TAB>MARKUP   a term and its definition side by side
 *   @li MARKUP            an item of a list
 *   @p MARKUP             a paragraph
 *   @sign MARKUP          a line to sign on with MARKUP below it;
 *                         consecutive ones stand side by side
 *   @foot MARKUP          small print
 *
 * A line that does not start with @ continues the block above it on a
 * new line, less one leading space (a value's own line breaks are followed
 * by one, so a value never starts a block); blank lines are ignored. MARKUP is Pango markup (<b>, <i>,
 * <s>, <span foreground=...>) with values escaped as for HTML; so are the
 * title and the footer.
 *
 * Layer: data. */
#ifndef IP_PDF_H
#define IP_PDF_H

#include "ip_buf.h"

/* The fonts the documents of a run are laid out in: found once, kept
 * while open. Closing frees them with Cairo's and fontconfig's state, so
 * that a run holds none of it afterwards and no leak checker sees it. */
struct ip_pdf_fonts;
struct ip_pdf_fonts *ip_pdf_fonts_open(void);
void ip_pdf_fonts_close(struct ip_pdf_fonts *fonts);

/* Lay out page_text in fonts and write the PDF into out; created
 * ("2026-11-21" or a full ISO time) is its creation date, so the same
 * input gives the same bytes. Returns 0, or -1 with *line the line of
 * page_text at fault (0: none) and *message a new string saying what is
 * wrong. */
int ip_pdf_render(struct ip_pdf_fonts *fonts, const char *page_text, const char *created,
                  struct ip_buf *out, int *line, char **message);

#endif
