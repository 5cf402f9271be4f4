#include "ip_merge.h"
#include "ip_buf.h"
#include "ip_diag.h"
#include "ip_i18n.h"
#include "ip_vocab.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* How the items of a list of mappings are told apart across versions. */
struct list_identity {
	const char *list;  /* the list's field name */
	const char *keys;  /* fields naming an item, comma-separated; "": the whole item */
	const char *order; /* a log kept in this field's order, or NULL */
};

/* Lists of mappings not named here (household, budgets' parts) have no
 * identity: a list both sides changed is one conflicting value. Logs are
 * merged as sets of entries: an entry is its identity. */
static const struct list_identity identities[] = {
	{"measures", "id", NULL},
	{"referrals", "id", NULL},
	{"assessments", "date,by,side", "date"},
	{"consent", "purpose,recipient,given", NULL},
	{"approvals", "side,by,date", NULL},
	{"follow_ups", "due", NULL},
	{"needs", "category", NULL},
	{"occupations", "isco", NULL},
	{"languages", "code", NULL},
	{"links", "", NULL},
	{"notes", "", "at"},
	{"history", "", "at"},
	{"steps", "", "date"},
	{"paid", "", "date"},  /* payments: each one kept, in the order of their days */
	{IP_MERGE_CONFLICTS, "", NULL},
};

/* Lists of scalars (nationalities, programmes, services) are sets. */
static const struct list_identity scalar_set = {"", "", NULL};

struct merge {
	json_t *conflicts; /* the records of this merge */
};

static bool same(const json_t *a, const json_t *b)
{
	return a == b || (a && b && json_equal(a, b));
}

static json_t *copy(const json_t *v)
{
	return v ? json_deep_copy(v) : NULL;
}

static json_t *merge_value(struct merge *m, const char *path, const char *name,
                           const struct ip_field *f, const json_t *b,
                           const json_t *o, const json_t *t);

/* Both sides changed one value differently: keep ours (theirs when we
 * deleted it, so no change is lost) and record all three. */
static json_t *conflict(struct merge *m, const char *path, const json_t *b,
                        const json_t *o, const json_t *t)
{
	json_t *rec = json_pack("{ss}", "field", path);
	if (b)
		json_object_set_new(rec, "base", copy(b));
	if (o)
		json_object_set_new(rec, "ours", copy(o));
	if (t)
		json_object_set_new(rec, "theirs", copy(t));
	json_array_append_new(m->conflicts, rec);
	return copy(o ? o : t);
}

static const json_t *get(const json_t *obj, const char *key)
{
	return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

static void merge_member(struct merge *m, json_t *out, const char *path,
                         const struct ip_field *f, const char *key,
                         const json_t *b, const json_t *o, const json_t *t)
{
	char *cp = ip_path_key(path, key);
	json_t *v = merge_value(m, cp, key, ip_schema_child(f, key), get(b, key),
	                        get(o, key), get(t, key));
	if (v)
		json_object_set_new(out, key, v);
	free(cp);
}

static json_t *merge_object(struct merge *m, const char *path, const struct ip_field *f,
                            const json_t *b, const json_t *o, const json_t *t)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v)
		merge_member(m, out, path, f, key, b, o, t);
	json_object_foreach((json_t *)t, key, v)
		if (!json_object_get(o, key))
			merge_member(m, out, path, f, key, b, o, t);
	return out;
}

/* ---- lists by identity --------------------------------------------------- */

static char *dump(const json_t *v)
{
	char *s = ip_json_text(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!s)
		ip_oom();
	return s;
}

/* The identity of an item as text: its key fields, or all of it. */
static char *identity_text(const json_t *item, const struct list_identity *id)
{
	if (!*id->keys)
		return dump(item);
	json_t *parts = json_array();
	char *keys = ip_xstrdup(id->keys), *save = NULL;
	for (char *k = strtok_r(keys, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		const json_t *v = get(item, k);
		json_array_append_new(parts, v ? copy(v) : json_null());
	}
	free(keys);
	char *s = dump(parts);
	json_decref(parts);
	return s;
}

struct keyed {
	char *key; /* identity, then "#n" for its nth repetition in the list */
	const json_t *item;
};

struct side {
	struct keyed *v;
	size_t n;
};

static void side_index(struct side *s, const json_t *list, const struct list_identity *id)
{
	size_t n = json_array_size(list);
	s->v = ip_xcalloc(n ? n : 1, sizeof *s->v);
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		const json_t *item = json_array_get(list, i);
		char *text = identity_text(item, id);
		size_t seen = 0;
		for (size_t j = 0; j < i; j++)
			seen += !strncmp(s->v[j].key, text, strlen(text)) &&
			        s->v[j].key[strlen(text)] == '#';
		s->v[i].key = ip_xasprintf("%s#%zu", text, seen);
		s->v[i].item = item;
		free(text);
	}
}

static const json_t *side_find(const struct side *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].key, key))
			return s->v[i].item;
	return NULL;
}

static void side_free(struct side *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].key);
	free(s->v);
}

/* One item across the three versions, and where it stands in the result. */
struct triple {
	const json_t *b, *o, *t;
	size_t rank;
};

static const char *order_of(const struct triple *x, const char *field)
{
	const json_t *v = get(x->o ? x->o : x->t, field);
	return json_is_string(v) ? json_string_value(v) : "";
}

static int cmp_triple(const void *pa, const void *pb, void *field)
{
	const struct triple *a = pa, *b = pb;
	int c = strcmp(order_of(a, field), order_of(b, field));
	return c ? c : (a->rank > b->rank) - (a->rank < b->rank);
}

static const struct list_identity *identity_of(const char *name, const json_t *o,
                                               const json_t *t)
{
	bool scalars = true, mappings = true;
	const json_t *lists[] = {o, t};
	for (size_t l = 0; l < 2; l++) {
		size_t i;
		json_t *item;
		json_array_foreach(lists[l], i, item) {
			scalars = scalars && !json_is_object(item) && !json_is_array(item);
			mappings = mappings && json_is_object(item);
		}
	}
	if (scalars)
		return &scalar_set;
	for (size_t i = 0; mappings && name && i < sizeof identities / sizeof *identities; i++)
		if (!strcmp(identities[i].list, name))
			return &identities[i];
	return NULL;
}

/* Both sides added an item under one numbered id (each took the next
 * measure number, M7): two different items, so theirs gets the next free
 * number. Only for ids of a prefix and a number; others stay a clash. */
static json_t *renumbered(const json_t *item, const json_t *o, const json_t *t,
                          long *next)
{
	const char *id = json_string_value(get(item, "id"));
	size_t prefix = id ? strcspn(id, "0123456789") : 0;
	if (!id || !id[prefix] || id[prefix + strspn(id + prefix, "0123456789")])
		return NULL;
	if (*next == 0) {
		const json_t *lists[] = {o, t};
		for (size_t l = 0; l < 2; l++) {
			size_t i;
			json_t *other;
			json_array_foreach(lists[l], i, other) {
				const char *oid = json_string_value(get(other, "id"));
				if (oid && !strncmp(oid, id, prefix) && oid[prefix] >= '0' &&
				    oid[prefix] <= '9' && atol(oid + prefix) >= *next)
					*next = atol(oid + prefix) + 1;
			}
		}
	}
	json_t *copy_ = copy(item);
	char *nid = ip_xasprintf("%.*s%ld", (int)prefix, id, (*next)++);
	json_object_set_new(copy_, "id", json_string(nid));
	free(nid);
	return copy_;
}

static bool added_on_both(const struct list_identity *id, const json_t *b,
                          const json_t *o, const json_t *t)
{
	return !b && o && t && !strcmp(id->keys, "id") && !json_equal(o, t);
}

/* Ours in our order, then what only theirs has; a log is then put in the
 * order of its field (stable, so entries of one moment keep theirs). */
static json_t *merge_list(struct merge *m, const char *path, const struct list_identity *id,
                          const struct ip_field *item_f, const json_t *b,
                          const json_t *o, const json_t *t)
{
	struct side sb, so, st;
	side_index(&sb, b, id);
	side_index(&so, o, id);
	side_index(&st, t, id);
	struct triple *x = ip_xcalloc(so.n + st.n + 1, sizeof *x);
	json_t *owned = json_array(); /* renumbered items of theirs */
	size_t n = 0;
	long next = 0;
	bool theirs_added = false;
	for (size_t i = 0; i < so.n; i++, n++) {
		const char *k = so.v[i].key;
		const json_t *bi = side_find(&sb, k), *ti = side_find(&st, k);
		json_t *moved = added_on_both(id, bi, so.v[i].item, ti)
		                ? renumbered(ti, o, t, &next) : NULL;
		x[n] = (struct triple){bi, so.v[i].item, moved ? NULL : ti, n};
		if (moved) {
			json_array_append_new(owned, moved);
			n++;
			x[n] = (struct triple){NULL, NULL, moved, n};
			theirs_added = true;
		}
	}
	for (size_t i = 0; i < st.n; i++) {
		if (side_find(&so, st.v[i].key))
			continue;
		x[n] = (struct triple){side_find(&sb, st.v[i].key), NULL, st.v[i].item, n};
		theirs_added = true;
		n++;
	}
	if (id->order && theirs_added)
		qsort_r(x, n, sizeof *x, cmp_triple, (void *)id->order);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		char *cp = ip_path_index(path, json_array_size(out));
		json_t *v = merge_value(m, cp, NULL, item_f, x[i].b, x[i].o, x[i].t);
		if (v)
			json_array_append_new(out, v);
		free(cp);
	}
	json_decref(owned);
	free(x);
	side_free(&sb);
	side_free(&so);
	side_free(&st);
	return out;
}

/* Lists whose entries the audit keeps (below, after the merge). */
static bool audited(const char *name)
{
	return name && (!strcmp(name, "history") || !strcmp(name, "consent") ||
	                !strcmp(name, "steps"));
}

static json_t *merge_present(struct merge *m, const char *path, const char *name,
                             const struct ip_field *f, const json_t *b,
                             const json_t *o, const json_t *t);

/* A value absent on a side is NULL; the result NULL means absent. */
static json_t *merge_value(struct merge *m, const char *path, const char *name,
                           const struct ip_field *f, const json_t *b,
                           const json_t *o, const json_t *t)
{
	if (!(json_is_array(b) && audited(name) && (!o || !t)))
		return merge_present(m, path, name, f, b, o, t);
	/* a side that cut an audited list cut its entries: merged entry by
	 * entry, for the audit to put back */
	json_t *none = json_array();
	json_t *v = merge_present(m, path, name, f, b, o ? o : none, t ? t : none);
	json_decref(none);
	return v;
}

static json_t *merge_present(struct merge *m, const char *path, const char *name,
                             const struct ip_field *f, const json_t *b,
                             const json_t *o, const json_t *t)
{
	if (same(o, t) || same(b, t))
		return copy(o);
	if (same(b, o))
		return copy(t);
	if (json_is_object(o) && json_is_object(t))
		return merge_object(m, path, f, json_is_object(b) ? b : NULL, o, t);
	if (json_is_array(o) && json_is_array(t)) {
		const struct list_identity *id = identity_of(name, o, t);
		if (id)
			return merge_list(m, path, id, f && f->type == IP_T_ARRAY ? f->item : NULL,
			                  json_is_array(b) ? b : NULL, o, t);
	}
	return conflict(m, path, b, o, t);
}

/* ---- the audit ----------------------------------------------------------- */

/* Whatever route the merge took to its result (one side's value taken
 * whole, or item by item), what the base recorded must still be there. */

/* The status's place in the case-status vocabulary (in order), or -1. */
static long status_rank(const json_t *c)
{
	const json_t *status = get(c, "status");
	size_t i;
	json_t *e;
	json_array_foreach(ip_vocab_entries("case-status"), i, e)
		if (json_is_string(status) && !strcmp(ip_str(e, "id"), json_string_value(status)))
			return (long)i;
	return -1;
}

static bool conflict_at(const struct merge *m, const char *path)
{
	size_t i;
	json_t *rec;
	json_array_foreach(m->conflicts, i, rec)
		if (json_is_string(get(rec, "field")) &&
		    !strcmp(json_string_value(get(rec, "field")), path))
			return true;
	return false;
}

/* A status moved back (departed to intake) is a conflict: a case does not
 * go back by itself. */
static void audit_status(struct merge *m, const json_t *b, const json_t *o, const json_t *t,
                         const json_t *out)
{
	long was = status_rank(b), now = status_rank(out);
	if (was >= 0 && now >= 0 && now < was && !conflict_at(m, "status"))
		json_decref(conflict(m, "status", get(b, "status"), get(o, "status"),
		                     get(t, "status")));
}

/* The entry of list with the identity of item (NULL: the whole entry). */
static const json_t *find_entry(const json_t *list, const json_t *item,
                                const struct list_identity *id)
{
	char *want = identity_text(item, id);
	const json_t *found = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		char *have = identity_text(e, id);
		if (!found && !strcmp(have, want))
			found = e;
		free(have);
	}
	free(want);
	return found;
}

/* Put entry back into list before the first entry that is later by field
 * (NULL: at the end); returns its index. */
static size_t restore(json_t *list, const json_t *entry, const char *field)
{
	size_t i, at = json_array_size(list);
	json_t *e;
	const char *when = field ? json_string_value(get(entry, field)) : NULL;
	json_array_foreach(list, i, e) {
		const char *other = field ? json_string_value(get(e, field)) : NULL;
		if (when && other && strcmp(other, when) > 0) {
			at = i;
			break;
		}
	}
	json_array_insert_new(list, at, copy(entry));
	return at;
}

/* Each entry of the base's list that the result lost is put back; unless
 * it is a log of its own (history), the loss is a conflict at the entry. */
static void audit_list(struct merge *m, json_t *parent, const char *path, const char *key,
                       const json_t *b, const json_t *o, const json_t *t, bool conflicting)
{
	const struct list_identity *id = identity_of(key, get(b, key), get(b, key));
	json_t *list = json_object_get(parent, key);
	size_t i;
	json_t *e;
	json_array_foreach(get(b, key), i, e) {
		if (!id || find_entry(list, e, id))
			continue;
		if (!json_is_array(list))
			json_object_set_new(parent, key, list = json_array());
		size_t at = restore(list, e, id->order);
		if (!conflicting)
			continue;
		char *field = ip_path_key(path, key);
		char *cp = ip_path_index(field, at);
		json_decref(conflict(m, cp, e, find_entry(get(o, key), e, id),
		                     find_entry(get(t, key), e, id)));
		free(cp);
		free(field);
	}
}

/* A referral's steps, by referral id. */
static void audit_steps(struct merge *m, json_t *out, const json_t *b, const json_t *o,
                        const json_t *t)
{
	size_t i;
	json_t *ref;
	json_array_foreach(get(b, "referrals"), i, ref) {
		const char *id = json_string_value(get(ref, "id"));
		json_t *now = NULL;
		size_t j, at = 0;
		json_t *r;
		json_array_foreach(json_object_get(out, "referrals"), j, r)
			if (id && json_is_string(get(r, "id")) &&
			    !strcmp(json_string_value(get(r, "id")), id) && !now)
				now = r, at = j;
		if (!json_is_object(now))
			continue; /* the referral itself is gone: merge_list's concern */
		const json_t *ours = NULL, *theirs = NULL;
		json_array_foreach(get(o, "referrals"), j, r)
			if (json_equal(get(r, "id"), get(ref, "id")))
				ours = r;
		json_array_foreach(get(t, "referrals"), j, r)
			if (json_equal(get(r, "id"), get(ref, "id")))
				theirs = r;
		char *path = ip_path_index("referrals", at);
		audit_list(m, now, path, "steps", ref, ours, theirs, true);
		free(path);
	}
}

static void audit(struct merge *m, json_t *out, const json_t *b, const json_t *o,
                  const json_t *t)
{
	if (!json_is_object(out) || !json_is_object(b))
		return;
	audit_status(m, b, o, t, out);
	audit_list(m, out, "", "consent", b, o, t, true);
	audit_steps(m, out, b, o, t);
	audit_list(m, out, "", "history", b, o, t, false);
}

json_t *ip_merge3(const json_t *base, const json_t *ours, const json_t *theirs,
                  size_t *conflicts)
{
	struct merge m = {json_array()};
	json_t *out = merge_value(&m, "", NULL, &ip_case_schema, base, ours, theirs);
	audit(&m, out, base, ours, theirs);
	*conflicts = json_array_size(m.conflicts);
	if (!out)
		out = json_object();
	if (*conflicts && json_is_object(out)) {
		json_t *recorded = json_object_get(out, IP_MERGE_CONFLICTS);
		if (!json_is_array(recorded)) {
			recorded = json_array();
			json_object_set_new(out, IP_MERGE_CONFLICTS, recorded);
		}
		json_array_extend(recorded, m.conflicts);
	}
	json_decref(m.conflicts);
	return out;
}

/* ---- reporting ----------------------------------------------------------- */

/* A value for a message: 'text', or compact JSON; long ones shortened. */
static char *describe(const json_t *v, const char *absent)
{
	if (!v)
		return ip_xstrdup(absent);
	char *s = json_is_string(v) ? ip_xasprintf("'%s'", json_string_value(v)) : dump(v);
	if (strlen(s) > 60)
		strcpy(s + 57, "...");
	return s;
}

int ip_merge_report(struct ip_doc *doc)
{
	const json_t *recs = get(doc->root, IP_MERGE_CONFLICTS);
	if (!recs)
		return 0;
	if (!json_is_array(recs)) {
		struct ip_where w = ip_doc_where(doc, IP_MERGE_CONFLICTS);
		ip_error(&w, "expected a list of merge conflicts");
		return 1;
	}
	int problems = 0;
	size_t i;
	json_t *rec;
	json_array_foreach(recs, i, rec) {
		const char *field = json_string_value(get(rec, "field"));
		char *at = ip_path_index(IP_MERGE_CONFLICTS, i);
		struct ip_where w = ip_doc_where(doc, field ? field : at);
		char *ours = describe(get(rec, "ours"), _("deleted it"));
		char *theirs = describe(get(rec, "theirs"), _("deleted it"));
		char *base = describe(get(rec, "base"), _("absent"));
		ip_error(&w, "merge conflict: ours %s, theirs %s (base %s); keep one, then "
		         "delete %s", ours, theirs, base, at);
		free(ours);
		free(theirs);
		free(base);
		free(at);
		problems++;
	}
	return problems;
}
