/* ip_due.h — what falls due (ip-report due): every open measure, referral
 * answer and follow-up with a due date up to a day, overdue ones included,
 * by due date, owner and case.
 *
 * Layer: domain. */
#ifndef IP_DUE_H
#define IP_DUE_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_emit.h"
#include "ip_facts.h"
#include "ip_table.h"

struct ip_due {
	char due_by[11];          /* the last day that counts */
	const char *counsellor;   /* only what this owner has; NULL: all */
	json_t *items;            /* [[due, owner, case, what], ...] */
	json_t *owners;           /* every owner and counsellor seen (a set) */
};

/* The day a time like 14d, 2w or 1m from today ends; false if within is
 * not such a time. */
bool ip_due_within(const char *today, const char *within, char due_by[11]);

/* Add what falls due of one case's facts. */
void ip_due_add(struct ip_due *d, char *facts[IP_NFACTS]);

/* Warn when --counsellor names no owner or counsellor of any case (with
 * the nearest one that is); returns 1 then, else 0. */
int ip_due_unmatched(const struct ip_due *d);

/* The items sorted by due date, owner, case and what (a new value). */
json_t *ip_due_rows(const struct ip_due *d);

/* The list as JSON Lines (json, jsonl) or one table; nothing at all when
 * nothing is due, so a cron job sends no mail. */
void ip_due_render(const struct ip_due *d, enum ip_format f, enum ip_csv_dialect dialect,
                   struct ip_buf *out);

#endif
