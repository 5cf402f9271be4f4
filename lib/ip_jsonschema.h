/* ip_jsonschema.h — the case schema of ip_schema.h published as JSON
 * Schema (draft 2020-12), so other tools can check what IntegPlan writes.
 * It is generated, never written by hand: share/integplan/schema/ holds
 * its output, and a test compares the two.
 *
 * Layer: data. */
#ifndef IP_JSONSCHEMA_H
#define IP_JSONSCHEMA_H
#include <jansson.h>

/* The documents with a published schema: "case", "referral-package",
 * "referral-response", "report-partial"; NULL-terminated. */
extern const char *const ip_jsonschema_names[];
/* The JSON Schema of one of them (a new value), or NULL for another name.
 * Vocabularies and programmes are enumerated as the share directory has
 * them. What a schema cannot say is left to ip-check: that dates and
 * codes exist (2026-02-30, ISO lists) and the rules across fields. */
json_t *ip_jsonschema(const char *name);
#endif
