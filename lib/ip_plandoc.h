/* ip_plandoc.h — a case's plan as a document for the returnee and both
 * counsellors: the plan's data, labelled in one language, rendered
 * through the Mustache templates in templates/plan/.
 *
 * Layer: domain. */
#ifndef IP_PLANDOC_H
#define IP_PLANDOC_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_doc.h"
#include "ip_emit.h"

struct ip_plandoc {
	const char *lang;       /* "de", "en", ...; falls back to English */
	const char *format;     /* "md", "html" or "pdf" */
	const char *dir;        /* the templates (NULL: ip_templates_dir()/plan) */
	const char *today;
	const json_t *directory; /* the partner directory: the partners' contacts */
	bool quiet;              /* no warning of a draft translation */
	struct ip_limits lim;
};

/* Render case c's plan (of file) into out: measures in date order, dates,
 * due rules, countries, regions and programmes in words of the document's
 * language, the partner centres with their contact, approvals (those the
 * plan's changes withdrew said so), lines to sign. Returns 0; 1 when the
 * case has no plan; 65/66 with the problem reported (a template or
 * strings file missing or broken). A strings file whose translation no
 * native speaker has reviewed is warned about. */
int ip_plandoc_render(const struct ip_plandoc *d, const char *file, const json_t *c,
                      struct ip_buf *out);

#endif
