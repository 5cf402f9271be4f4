/* ip_visible.h — characters a reader cannot see: control characters (C0,
 * DEL, C1), the bidirectional controls that reorder what follows them, and
 * the invisible ones that make two equal-looking names differ (zero-width
 * space, word joiner, byte-order mark, line and paragraph separators).
 * Names, ids and vocabulary values may not hold them; free text keeps
 * them, and every output meant for a terminal, a spreadsheet or Markdown,
 * and every message that echoes a value, shows them escaped: "\e", "\n",
 * "\x07", "\u202E". The zero-width (non-)joiner stays: Persian and other
 * scripts write words with it.
 *
 * Layer: base. */
#ifndef IP_VISIBLE_H
#define IP_VISIBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip_buf.h"

/* The length in bytes of the invisible character at s (of UTF-8 text),
 * its code point in *cp; 0 when the character at s is visible. */
size_t ip_invisible_at(const char *s, uint32_t *cp);

/* The first invisible character of s, as its code point in *cp; with
 * lines, a newline or a tab does not count. false when there is none. */
bool ip_invisible_find(const char *s, bool lines, uint32_t *cp);

/* Append len bytes of s to out with each invisible character escaped;
 * with lines, newlines and tabs stay as they are. */
void ip_visible_add(struct ip_buf *out, const char *s, size_t len, bool lines);

/* "\e", "\n", "\x07" or "\u202E": how ip_visible_add shows cp. */
void ip_visible_escape(uint32_t cp, char out[12]);

#endif
