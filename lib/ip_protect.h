/* ip_protect.h — how the figures of a report are protected before anyone
 * sees them: every count perturbed by its cell key (the Cell Key Method,
 * ip_ckm.h), a row shown as 0 left out, and a rate, median or percentile
 * withheld when the (shown) count it rests on is below a minimum base.
 *
 * Layer: domain. */
#ifndef IP_PROTECT_H
#define IP_PROTECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ip_ckm.h"

/* How the tables of a report are protected before anyone sees them. */
struct ip_protect {
	const struct ip_ptable *ptable; /* the Cell Key Method (ip_ckm.h); NULL: no
	                                 * protection, exact counts, every table
	                                 * marked not for publication */
	int min_base;                   /* a rate, median or percentile whose
	                                 * (shown) base is smaller is withheld */
	const json_t *indicators;       /* the definitions, for their titles */
	double amount_noise;            /* an amount is moved by up to this share of
	                                 * the largest one case has in it ... */
	double dominance;               /* ... and withheld when one case has more
	                                 * than this share of it */
};

/* What a site that does not say gets (reports.yaml). */
#define IP_PROTECT_AMOUNT_NOISE 0.5
#define IP_PROTECT_DOMINANCE 0.8

/* The count n as a table shows it: perturbed by its cell key, or exact
 * when there is no protection. */
json_int_t ip_protect_count(const struct ip_protect *pr, json_int_t n, const json_t *key);
/* The same as a cell (a new value). */
json_t *ip_protect_cell(const struct ip_protect *pr, const json_t *n, const json_t *key);

/* A row whose count is shown as 0 is left out: a 0 may stand for a small
 * count, and a row that is there would say someone is in it. True, and
 * count freed, when the row is to be dropped (never when unprotected). */
bool ip_protect_hidden_zero(const struct ip_protect *pr, json_t *count);

/* Is a figure resting on a (shown) base withheld? */
bool ip_protect_withheld(const struct ip_protect *pr, json_int_t base);

/* part of whole as a percentage ("42.0 %"), from shown counts; "" when
 * withheld or whole is 0. Perturbed apart, a part may come out above its
 * whole: at most 100 %. */
json_t *ip_protect_rate(const struct ip_protect *pr, json_int_t part, json_int_t whole);

/* An amount in cents as a table shows it, in whole units: exact when
 * there is no protection; else withheld ("") when the (shown) count of
 * cases it rests on is below the minimum base or one case has more than
 * the dominance share of it, and otherwise moved by the cell key of those
 * cases: up or down by half to all of amount_noise times the largest
 * amount of one case (never below 0). The same cases always move it alike, so
 * a difference of two tables shows no case's amount, nor averages out. */
json_t *ip_protect_amount(const struct ip_protect *pr, json_int_t cents, json_int_t largest,
                          json_int_t shown_cases, uint32_t key);

#endif
