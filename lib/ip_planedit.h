/* ip_planedit.h — how a plan is changed: made from a template, a measure
 * added (with its category's dimension and side, the side's counsellor as
 * owner, EUR as currency) or changed, approved by a side (both: the plan is
 * agreed and the case planned), the departure and arrival recorded, a
 * follow-up done, with a survey taken then (or as the baseline; only with
 * consent to follow-up, else 77), a payment from a measure's budget recorded
 * (paying withdraws no approval). Any change to the measures withdraws the approvals given
 * before: both sides must approve again. A change that changes nothing is
 * no change, so a second run of the same command is a no-op.
 *
 * Layer: domain. */
#ifndef IP_PLANEDIT_H
#define IP_PLANEDIT_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_doc.h"

enum ip_plan_change {
	IP_PLAN_NEW, IP_PLAN_ADD, IP_PLAN_SET, IP_PLAN_APPROVE, IP_PLAN_DEPARTURE,
	IP_PLAN_ARRIVAL, IP_PLAN_FOLLOW_UP, IP_PLAN_PAY,
};

struct ip_plan_edit {
	enum ip_plan_change change;
	const char *template_name;   /* new */
	const json_t *template;      /* new: the loaded template */
	bool replace;                /* new: a plan the case has may be replaced */
	json_t *fields;              /* add, set: measure fields (checked);
	                              * follow-up: its note */
	const char *programme;       /* add, set: programme paying, or applied to */
	const char *measure;         /* set, pay: the measure's id */
	const char *reference;       /* pay: the payment's reference (a voucher) */
	const char *side;            /* add, approve */
	const char *by;              /* approve, follow-up; NULL: the actor */
	const char *date;            /* approve, travel, follow-up, pay; NULL: today */
	const json_t *survey;        /* follow-up: the record of a survey taken
	                              * (ip_survey_take), or NULL */
	bool baseline;               /* follow-up: the survey is the baseline; no
	                              * follow-up is done */
	bool planned;                /* departure: the planned date */
	const char *today, *actor;
	bool quiet;
	const struct ip_limits *lim;
	char summary[400];
};

/* A measure field given as text ("category", "budget.amount",
 * "addresses", ...): an amount must be a finite number; each is checked
 * against the schema at plan.measures.<field> and kept in e->fields (a list
 * field gains an item). A problem is reported at label; returns their
 * number. */
int ip_plan_edit_field(struct ip_plan_edit *e, const char *field, const char *text,
                       const char *label);

/* Make the change to case c (read from file name). 0 with *what set to the
 * history's summary, or left NULL when nothing changed; else 65 with the
 * problem reported. */
int ip_plan_edit(struct ip_plan_edit *e, json_t *c, const char *name, const char **what);

#endif
