/* ip_assess.h — an assessment: the answers a counsellor gives (as option
 * text or a file), and how they are added to a case: a person under 18 is a
 * minor whatever was ticked, the rules derive a priority and measures, the
 * same assessment twice is recorded once, and the first assessment moves
 * the case from intake to assessed.
 *
 * Layer: domain. */
#ifndef IP_ASSESS_H
#define IP_ASSESS_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_doc.h"
#include "ip_rules.h"

struct ip_answers {
	json_t *assessment; /* the fields of the assessment */
	json_t *household;  /* members to add to the case */
	int problems;       /* answers refused (reported) */
};

void ip_answers_init(struct ip_answers *a);
void ip_answers_free(struct ip_answers *a);

/* One answer, as a counsellor writes it: kind is vulnerability, need
 * (ID[:PRIORITY]), education (isced-N), occupation (ISCO08[:YEARS]),
 * language (CODE[:CEFR]), entrepreneurial (yes|no), risk, note, readiness,
 * household (RELATION[:BIRTH_DATE[:SEX]]), side, by or date. A bad one is
 * reported at label and counted in a->problems; returns the problems. */
int ip_answers_add(struct ip_answers *a, const char *kind, const char *text,
                   const char *label);

/* Answers from a YAML or JSON file of one assessment; the answers given so
 * far are added to them. Then today, actor and the host side fill date, by
 * and side where nothing says. 0, or the exit status. */
int ip_answers_load(struct ip_answers *a, const char *path, const struct ip_limits *lim,
                    const char *today, const char *actor);
void ip_answers_defaults(struct ip_answers *a, json_t *into, const char *today,
                         const char *actor);

/* Whether the answers say anything of the person (not only who assesses,
 * when, and household members): an assessment without is none. */
bool ip_answers_any(const struct ip_answers *a);

struct ip_assess {
	const struct ip_answers *answers;
	const struct ip_rules *rules;
	bool quiet;              /* say nothing of the rules that fired */
	bool amend;              /* change the side's latest assessment, not add one */
	char summary[160];
};

/* Add the assessment to case c (file name), or with amend merge the
 * answers into the latest assessment of that side (65 when there is
 * none), the rules applied again; *what is the history's summary, NULL
 * when the case has it already. */
int ip_assess_apply(struct ip_assess *x, json_t *c, const char *name, const char **what);

#endif
