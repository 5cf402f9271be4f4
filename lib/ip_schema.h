/* ip_schema.h — case schema v1, in this one place: the field table drives
 * validation, the canonical key order and the documentation (ip-case(5)).
 *
 * Layer: data. */
#ifndef IP_SCHEMA_H
#define IP_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_doc.h"

enum ip_type {
	IP_T_STRING,
	IP_T_DATE,      /* YYYY-MM-DD */
	IP_T_DATETIME,  /* YYYY-MM-DDTHH:MM:SSZ */
	IP_T_DUE,       /* a date, or relative: departure+60d */
	IP_T_YEARS,     /* a whole number from 0 to 100 */
	IP_T_AMOUNT,    /* a number from 0 to 1,000,000 */
	IP_T_SCORE,     /* a number from 0 to 1 */
	IP_T_BOOLEAN,
	IP_T_ENUM,      /* an id of a vocabulary in vocabularies.yaml */
	IP_T_PROGRAMME, /* an id in programmes.yaml */
	IP_T_COUNTRY,
	IP_T_REGION,
	IP_T_LANGUAGE,
	IP_T_CURRENCY,
	IP_T_CASE_ID,
	IP_T_CENTRE_ID,  /* BY-MUC: A-Z, 0-9 and single hyphens */
	IP_T_REFERRAL_ID,/* BY-MUC-R-7K3Q9ABX */
	IP_T_CONST,     /* exactly the string in .vocab */
	IP_T_COUNT,     /* a whole number, 0 or more */
	IP_T_COUNTS,    /* a mapping of any keys to counts or to such mappings */
	IP_T_OBJECT,
	IP_T_ARRAY,
};

#define IP_REQUIRED 1u
#define IP_PARTIAL 2u  /* an object holding a selection: no field of it is required */
#define IP_ASCENDING 8u /* a list of numbers, each larger than the one before */
#define IP_UNIQUE 16u   /* a list whose items (their "id", for mappings) differ */
#define IP_FREE_TEXT 4u /* a string that may hold lines, tabs and any character
                         * (notes); every other one holds no invisible one */
#define IP_PAST 32u     /* the day of something that happened: not after today */

#define IP_CASE_SCHEMA "integplan/case/1"
#define IP_PACKAGE_SCHEMA "integplan/referral/1"
#define IP_RESPONSE_SCHEMA "integplan/referral-response/2"
#define IP_TRANSFER_SCHEMA "integplan/transfer/1"
#define IP_FORM_SCHEMA "integplan/response-form/1"
#define IP_REPORT_SCHEMA "integplan/report/1"

struct ip_field {
	const char *name;
	enum ip_type type;
	unsigned flags;
	const char *vocab;               /* IP_T_ENUM: vocabulary; IP_T_CONST: value */
	const struct ip_field *fields;   /* IP_T_OBJECT: children, name NULL ends */
	const struct ip_field *item;     /* IP_T_ARRAY: the items */
};

/* The root of a case file. */
extern const struct ip_field ip_case_schema;
/* The root of an erased case: a tombstone (a case with "erased"). */
extern const struct ip_field ip_tombstone_schema;
/* The root of an assessment rules file. */
extern const struct ip_field ip_rules_schema;
/* programmes.yaml, plans.yaml and a plan template. */
extern const struct ip_field ip_programmes_schema;
extern const struct ip_field ip_plans_schema;
extern const struct ip_field ip_template_schema;
/* reports.yaml */
extern const struct ip_field ip_reports_schema;
extern const struct ip_field ip_indicators_schema;
/* partners.yaml, a referral package, a partner's response (and the form a
 * partner without IntegPlan fills in) and a case transferred to another
 * centre. */
extern const struct ip_field ip_partners_schema;
extern const struct ip_field ip_package_schema;
extern const struct ip_field ip_response_schema;
extern const struct ip_field ip_form_schema;
extern const struct ip_field ip_transfer_schema;
/* A follow-up survey (share/integplan/surveys/NAME.yaml). */
extern const struct ip_field ip_survey_schema;
/* An import map: spreadsheet columns to intake fields. */
extern const struct ip_field ip_import_schema;
/* How names are compared to find one person twice. */
extern const struct ip_field ip_matching_schema;
/* A report partial (ip-report -f json), which partials of other
 * repositories can be merged with. */
extern const struct ip_field ip_report_schema;

/* Check a document against a schema (what names it in messages: "a
 * case"); like ip_case_validate without the rules across fields. */
int ip_validate(struct ip_doc *doc, const struct ip_field *schema, const char *what);

/* Check one value (a field given on the command line or in a CSV column)
 * against the schema field at path; problems are reported at w, whose
 * path names the value. Returns the number of problems; *v may be
 * replaced like in ip_case_validate. */
int ip_field_validate(const char *path, json_t **v, const struct ip_where *w);

/* Load a YAML or JSON file of one document and check it against schema
 * (what names it in messages). 0 with *out set, else 65 or 66. */
int ip_load_checked(const char *path, const struct ip_field *schema, const char *what,
                    const struct ip_limits *lim, json_t **out);
/* The same, and then more checks of what the schema cannot say (how its
 * entries refer to each other): more(doc, ctx) returns its number of
 * problems, each reported. It runs even when the schema found some, so
 * that every problem of the file is named at once. */
int ip_load_checked_more(const char *path, const struct ip_field *schema, const char *what,
                         const struct ip_limits *lim,
                         int (*more)(const struct ip_doc *doc, void *ctx), void *ctx,
                         json_t **out);

/* The verdicts of validation on one scalar, without a message; the one
 * home of what a field takes, for the tree (ip_validate) and for the one
 * pass over a file (ip_onepass.h). Text: a string, or the literal text of
 * a plain scalar in a text field; today (YYYY-MM-DD) for IP_PAST. A
 * scalar: a number or boolean for a field of such a type. */
bool ip_schema_text_ok(const struct ip_field *f, const char *s, const char *today);
bool ip_schema_scalar_ok(const struct ip_field *f, const struct ip_plain *v);
/* Is the field's value text (a string, a date, an id, a code ...)? */
bool ip_schema_is_text(const struct ip_field *f);

/* A copy of a value with object keys in the schema's order, then any
 * x- extension keys in byte order. schema NULL: keys keep their order. */
json_t *ip_canonical(const json_t *v, const struct ip_field *schema);

/* The value at a dotted path of a case ("person.birth_date",
 * "centre.id"), or NULL. A path the case schema does not have is a bug: a
 * debug build (without NDEBUG) says so and aborts. */
json_t *ip_get(const json_t *c, const char *path);
/* The same, when the value is text. */
const char *ip_get_str(const json_t *c, const char *path);

/* The schema field at a dotted path ("person.birth_date"), or NULL. */
const struct ip_field *ip_schema_lookup(const char *path);

/* The same, but a list is the list itself, not its items. */
const struct ip_field *ip_schema_field(const char *path);

/* The field name of an object field, or NULL (obj NULL or no such field). */
const struct ip_field *ip_schema_child(const struct ip_field *obj, const char *name);
/* The same for the len bytes at name (a key as the parser gives it, with
 * its length; a NUL among them matches no field), looked for first from
 * field *next on: a case's keys mostly come in the schema's order, so the
 * field after the one found last is mostly the one. *next (0 at first,
 * then only ever set here) becomes the index after the field found. */
const struct ip_field *ip_schema_child_after(const struct ip_field *obj, const char *name,
                                             size_t len, size_t *next);
/* Short description of a type, for messages and ip-case(5). */
const char *ip_type_noun(const struct ip_field *f);

#endif
