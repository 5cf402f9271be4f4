/* ip_plandoc.h — a case's plan as a document for the returnee and both
 * counsellors: the plan's data, labelled in one language, rendered
 * through the Mustache templates in templates/plan/.
 *
 * Layer: domain. */
#ifndef IP_PLANDOC_H
#define IP_PLANDOC_H

#include <jansson.h>

#include "ip_doc.h"
#include "ip_emit.h"

struct ip_plandoc {
	const char *lang;       /* "de", "en", ...; falls back to English */
	const char *format;     /* "md" or "html" */
	const char *dir;        /* the templates (NULL: ip_templates_dir()/plan) */
	const char *today;
	struct ip_limits lim;
};

/* Render case c's plan into out. Returns 0, or 65/66 with the problem
 * reported (a template or strings file missing or broken). */
int ip_plandoc_render(const struct ip_plandoc *d, const json_t *c, struct ip_buf *out);

#endif
