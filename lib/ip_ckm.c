#include "ip_ckm.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PTABLE_SCHEMA "integplan/ptable/1"

struct load {
	const struct ip_doc *doc;
	int problems;
	struct ip_ptable *t;
};

#define problem(l, path, ...) ip_doc_problem((l)->doc, &(l)->problems, path, __VA_ARGS__)

/* A whole number from lo to hi at key of obj (path names it), else a
 * problem and lo. */
static int whole(struct load *l, const json_t *obj, const char *key, const char *path,
                 int lo, int hi)
{
	const json_t *v = json_object_get(obj, key);
	if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi)
		return (int)json_integer_value(v);
	problem(l, path, "expected a whole number from %d to %d", lo, hi);
	return lo;
}

/* One perturbation of row count: where the published count lands. */
static void check_value(struct load *l, int count, int value, bool last, const char *path)
{
	int shown = count + value;
	if (count == 0 && value != 0)
		problem(l, path, "a count of 0 is published as 0: zero stays zero");
	else if (shown < 0)
		problem(l, path, "%d + %d is below 0", count, value);
	else if (shown >= 1 && shown <= l->t->threshold)
		problem(l, path, "%d + %d publishes %d, which the threshold (%d) forbids", count,
		        value, shown, l->t->threshold);
	else if (last && count - l->t->deviation <= l->t->threshold && value < 0)
		problem(l, path, "the last row serves every larger count, so its count must be "
		        "above the threshold plus the deviation (%d)",
		        l->t->threshold + l->t->deviation);
}

static void load_row(struct load *l, const json_t *row, size_t i, bool last)
{
	char path[96];
	snprintf(path, sizeof path, "rows[%zu].count", i);
	int count = whole(l, row, "count", path, 0, IP_PTABLE_ROWS);
	if ((size_t)count != i)
		problem(l, path, "expected the row for count %zu (rows go 0, 1, 2, ...)", i);
	const json_t *list = json_object_get(row, "perturbations");
	snprintf(path, sizeof path, "rows[%zu].perturbations", i);
	if (!json_array_size(list) || json_array_size(list) > IP_PTABLE_VALUES) {
		problem(l, path, "expected a list of 1 to %d perturbations", IP_PTABLE_VALUES);
		return;
	}
	struct ip_ptable_row *r = &l->t->row[i];
	double before = 0, mean = 0;
	size_t k;
	json_t *p;
	json_array_foreach(list, k, p) {
		snprintf(path, sizeof path, "rows[%zu].perturbations[%zu].value", i, k);
		int value = whole(l, p, "value", path, -l->t->deviation, l->t->deviation);
		check_value(l, count, value, last, path);
		snprintf(path, sizeof path, "rows[%zu].perturbations[%zu].to", i, k);
		const json_t *to = json_object_get(p, "to");
		double upto = json_is_number(to) ? json_number_value(to) : -1;
		if (!(upto > before && upto <= 1))
			problem(l, path, "expected a number above the one before (%g) and at most 1",
			        before);
		r->value[k] = value;
		r->to[k] = upto;
		mean += (upto - before) * value;
		before = upto > before ? upto : before;
	}
	r->n = k;
	if (before != 1)
		problem(l, path, "the last perturbation must reach 1 (the keys from 0 to 1)");
	else if (fabs(mean) > 0.001)
		problem(l, path, "the perturbations of count %d average %.4f, not 0: published "
		        "totals would drift", count, mean);
}

static void load_table(struct load *l, const json_t *root)
{
	const char *schema = ip_str(root, "schema");
	if (!schema || strcmp(schema, PTABLE_SCHEMA))
		problem(l, "schema", "expected '%s'", PTABLE_SCHEMA);
	l->t->deviation = whole(l, root, "deviation", "deviation", 0, 20);
	l->t->threshold = whole(l, root, "threshold", "threshold", 0, 50);
	const json_t *rows = json_object_get(root, "rows");
	if (!json_array_size(rows) || json_array_size(rows) > IP_PTABLE_ROWS) {
		problem(l, "rows", "expected a list of 1 to %d rows", IP_PTABLE_ROWS);
		return;
	}
	l->t->nrows = json_array_size(rows);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		load_row(l, row, i, i + 1 == l->t->nrows);
}

int ip_ptable_load(const char *path, const struct ip_limits *lim, struct ip_ptable *t)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_YAML, lim, &docs);
	if (!rc && (docs.n != 1 || !json_is_object(docs.v[0].root))) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "expected one mapping (a "
		         "perturbation table)");
		rc = IP_EXIT_DATAERR;
	}
	if (!rc) {
		*t = (struct ip_ptable){0};
		struct load l = {&docs.v[0], 0, t};
		load_table(&l, docs.v[0].root);
		if (l.problems)
			rc = IP_EXIT_DATAERR;
	}
	ip_docs_free(&docs);
	return rc;
}

json_int_t ip_ptable_apply(const struct ip_ptable *t, json_int_t count, uint32_t key)
{
	if (count <= 0 || !t->nrows)
		return count;
	const struct ip_ptable_row *r = &t->row[(size_t)count < t->nrows ? (size_t)count
	                                                                 : t->nrows - 1];
	double at = (double)key / 4294967296.0;
	for (size_t i = 0; i < r->n; i++)
		if (at < r->to[i])
			return count + r->value[i];
	return count + r->value[r->n - 1];
}
