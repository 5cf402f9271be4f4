/* ip_mustache.h — Mustache templates over jansson values (no Mustache
 * library for C is packaged in Debian): variables, escaped and raw,
 * sections, inverted sections, comments, partials with indentation, set
 * delimiters and the standalone-line rules of the spec's core modules.
 * Data is only ever interpolated, never read as template text.
 *
 * Layer: data. */
#ifndef IP_MUSTACHE_H
#define IP_MUSTACHE_H

#include <jansson.h>

#include "ip_emit.h"

/* The text of partial "name", or NULL if there is none (renders as
 * nothing). The text must live until the render returns. */
typedef const char *(*ip_partial_fn)(const char *name, void *ctx);

/* Render template with data into out. Returns 0, or -1 with *error set
 * (a static English message, marked for translation: an unclosed section,
 * a mismatched close tag, a bad delimiter or partials nested too deep;
 * show it with _()) and *line where it was found. */
int ip_mustache_render(const char *template_text, const json_t *data,
                       ip_partial_fn partials, void *ctx, struct ip_buf *out,
                       const char **error, int *line);

#endif
