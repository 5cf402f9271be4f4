/* ip_ckm.h — the Cell Key Method, as the German Statistical Offices
 * protected the 2022 census: every case has a random record key (32 bits,
 * ip_grammar.h); a cell's key is the sum of its cases' keys modulo 2^32,
 * read as a number from 0 to 1; the perturbation table says, for the
 * cell's true count and its key, by how much the published count differs.
 * The same cases always give the same cell key, so a cell has the same
 * published count in every table, every report and every run, and
 * comparing tables does not average the noise away.
 *
 * The table is data (share/integplan/ptable.yaml, made by tools/ptable.py)
 * and is checked when it is loaded: each row's perturbations stay within
 * the deviation, never publish a count from 1 to the threshold or below 0,
 * leave 0 at 0, cover the keys from 0 to 1 in order, and average 0.
 *
 * Layer: data. */
#ifndef IP_CKM_H
#define IP_CKM_H

#include <jansson.h>
#include <stdint.h>

#include "ip_doc.h"

#define IP_PTABLE_ROWS 64
#define IP_PTABLE_VALUES 32

struct ip_ptable {
	int deviation;   /* no published count differs by more */
	int threshold;   /* no published count from 1 to this */
	size_t nrows;    /* rows for counts 0 .. nrows - 1; the last serves
	                  * every larger count */
	struct ip_ptable_row {
		size_t n;
		int value[IP_PTABLE_VALUES];
		double to[IP_PTABLE_VALUES]; /* the keys below to[i] give value[i] */
	} row[IP_PTABLE_ROWS];
};

/* Load and check the table at path: 0, or 65/66/74 with every problem
 * reported at its place. */
int ip_ptable_load(const char *path, const struct ip_limits *lim, struct ip_ptable *t);

/* The published count of a cell: its true count, perturbed by its key. */
json_int_t ip_ptable_apply(const struct ip_ptable *t, json_int_t count, uint32_t key);

#endif
