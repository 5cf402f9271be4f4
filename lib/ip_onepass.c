#include "ip_onepass.h"
#include "ip_arena.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_facts.h"
#include "ip_merge.h"
#include "ip_schema.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- what the rules across fields read ----------------------------------- */

/* Where a container is in a case, as far as ip_case_core and the facts
 * (ip_facts.h) read it. */
enum at {
	AT_OTHER, AT_ROOT, AT_CENTRE, AT_RETURN, AT_PERSON, AT_PLAN,
	AT_MEASURES, AT_MEASURE, AT_FOLLOW_UPS, AT_FOLLOW_UP,
	AT_REFERRALS, AT_REFERRAL, AT_CONSENTS, AT_CONSENT,
	AT_COUNSELLORS, AT_PROGRAMMES, AT_ASSESSMENTS, AT_ASSESSMENT, AT_VULNERABILITIES,
	AT_BUDGET, AT_PAID, AT_PAYMENT, AT_APPROVALS, AT_APPROVAL, AT_SURVEY, AT_FLAGS,
	AT_SCORES, AT_SCORE, AT_N
};

/* A key of the tables below, with its length: a key the parser gives
 * is compared by length first, most differ there. */
#define KEY(k) k, sizeof k - 1

/* A key of a mapping at one place leads to the next place (a place's
 * entries together, as struct range finds them). */
static const struct {
	enum at parent;
	const char *key;
	size_t len;
	enum at child;
} places[] = {
	{AT_ROOT, KEY("centre"), AT_CENTRE},
	{AT_ROOT, KEY("return"), AT_RETURN},
	{AT_ROOT, KEY("person"), AT_PERSON},
	{AT_ROOT, KEY("plan"), AT_PLAN},
	{AT_ROOT, KEY("referrals"), AT_REFERRALS},
	{AT_ROOT, KEY("consent"), AT_CONSENTS},
	{AT_ROOT, KEY("counsellors"), AT_COUNSELLORS},
	{AT_ROOT, KEY("programmes"), AT_PROGRAMMES},
	{AT_ROOT, KEY("assessments"), AT_ASSESSMENTS},
	{AT_ROOT, KEY("baseline"), AT_SURVEY},
	{AT_PLAN, KEY("measures"), AT_MEASURES},
	{AT_PLAN, KEY("follow_ups"), AT_FOLLOW_UPS},
	{AT_PLAN, KEY("approvals"), AT_APPROVALS},
	{AT_MEASURE, KEY("budget"), AT_BUDGET},
	{AT_BUDGET, KEY("paid"), AT_PAID},
	{AT_FOLLOW_UP, KEY("survey"), AT_SURVEY},
	{AT_ASSESSMENT, KEY("vulnerabilities"), AT_VULNERABILITIES},
	{AT_SURVEY, KEY("flags"), AT_FLAGS},
	{AT_SURVEY, KEY("scores"), AT_SCORES},
};

/* The items of a list at one place, and the core's list of them (none:
 * SIZE_MAX). */
static const struct {
	enum at list, item;
	size_t offset;
} lists[] = {
	{AT_MEASURES, AT_MEASURE, offsetof(struct ip_case_core, measures)},
	{AT_FOLLOW_UPS, AT_FOLLOW_UP, offsetof(struct ip_case_core, follow_ups)},
	{AT_REFERRALS, AT_REFERRAL, offsetof(struct ip_case_core, referrals)},
	{AT_CONSENTS, AT_CONSENT, offsetof(struct ip_case_core, consents)},
	{AT_ASSESSMENTS, AT_ASSESSMENT, SIZE_MAX},
	{AT_PAID, AT_PAYMENT, SIZE_MAX},
	{AT_APPROVALS, AT_APPROVAL, SIZE_MAX},
	{AT_SCORES, AT_SCORE, SIZE_MAX},
};

/* The text of a key at a place: a field of the core, or (in a list's
 * item) part a or b of the list's last item. */
enum part { PART_FIELD, PART_A, PART_B };
static const struct {
	enum at at;
	const char *key;
	size_t len;
	enum part part;
	size_t offset;
} texts[] = {
#define FIELD(at, key, member) {at, KEY(key), PART_FIELD, offsetof(struct ip_case_core, member)}
	FIELD(AT_ROOT, "id", id),
	FIELD(AT_ROOT, "status", status),
	FIELD(AT_ROOT, "outcome", outcome),
	FIELD(AT_ROOT, "opened", opened),
	FIELD(AT_ROOT, "closed", closed),
	FIELD(AT_CENTRE, "id", centre),
	FIELD(AT_CENTRE, "state", state),
	FIELD(AT_RETURN, "country", country),
	FIELD(AT_RETURN, "region", region),
	FIELD(AT_RETURN, "departed", departed),
	FIELD(AT_RETURN, "arrived", arrived),
	FIELD(AT_PERSON, "birth_date", birth),
#undef FIELD
	{AT_MEASURE, KEY("id"), PART_A, offsetof(struct ip_case_core, measures)},
	{AT_REFERRAL, KEY("id"), PART_A, offsetof(struct ip_case_core, referrals)},
	{AT_CONSENT, KEY("purpose"), PART_A, offsetof(struct ip_case_core, consents)},
	{AT_CONSENT, KEY("recipient"), PART_B, offsetof(struct ip_case_core, consents)},
	{AT_FOLLOW_UP, KEY("done"), PART_A, offsetof(struct ip_case_core, follow_ups)},
};

#define N(a) (sizeof(a) / sizeof *(a))

/* The facts' text of a key at a place: a member of the facts or of the
 * item being read (base). */
enum base {
	B_FACTS, B_MEASURE, B_PAYMENT, B_FOLLOW_UP, B_SURVEY, B_SCORE, B_ASSESSMENT,
	B_REFERRAL, B_APPROVAL
};
static const struct {
	enum at at;
	const char *key;
	size_t len;
	enum base base;
	size_t offset;
} fact_texts[] = {
#define CASE(at, key, member) {at, KEY(key), B_FACTS, offsetof(struct ip_case_facts, member)}
#define OF(at, key, base, type, member) {at, KEY(key), base, offsetof(type, member)}
#define MEASURE(at, key, member) OF(at, key, B_MEASURE, struct ip_measure_facts, member)
	CASE(AT_ROOT, "id", id),
	CASE(AT_ROOT, "status", status),
	CASE(AT_ROOT, "outcome", outcome),
	CASE(AT_ROOT, "opened", opened),
	CASE(AT_ROOT, "closed", closed),
	CASE(AT_CENTRE, "id", centre),
	CASE(AT_CENTRE, "state", state),
	CASE(AT_COUNSELLORS, "host", host),
	CASE(AT_COUNSELLORS, "return", returning),
	CASE(AT_PERSON, "sex", sex),
	CASE(AT_PERSON, "birth_date", birth),
	CASE(AT_PERSON, "given", given),
	CASE(AT_PERSON, "family", family),
	CASE(AT_RETURN, "country", country),
	CASE(AT_RETURN, "region", region),
	CASE(AT_RETURN, "planned_departure", planned_departure),
	CASE(AT_RETURN, "departed", departed),
	CASE(AT_RETURN, "arrived", arrived),
	MEASURE(AT_MEASURE, "id", id),
	MEASURE(AT_MEASURE, "status", status),
	MEASURE(AT_MEASURE, "category", category),
	MEASURE(AT_MEASURE, "dimension", dimension),
	MEASURE(AT_MEASURE, "due", due),
	MEASURE(AT_MEASURE, "programme", programme),
	MEASURE(AT_MEASURE, "side", side),
	MEASURE(AT_MEASURE, "started", started),
	MEASURE(AT_MEASURE, "owner", owner),
	MEASURE(AT_BUDGET, "programme", budget_programme),
	MEASURE(AT_BUDGET, "currency", budget_currency),
	OF(AT_PAYMENT, "date", B_PAYMENT, struct ip_payment_facts, date),
	OF(AT_FOLLOW_UP, "due", B_FOLLOW_UP, struct ip_follow_up_facts, due),
	OF(AT_FOLLOW_UP, "done", B_FOLLOW_UP, struct ip_follow_up_facts, done),
	OF(AT_SURVEY, "id", B_SURVEY, struct ip_survey_facts, id),
	OF(AT_SURVEY, "date", B_SURVEY, struct ip_survey_facts, date),
	OF(AT_SCORE, "dimension", B_SCORE, struct ip_score_facts, dimension),
	OF(AT_ASSESSMENT, "date", B_ASSESSMENT, struct ip_assessment_facts, date),
	OF(AT_REFERRAL, "id", B_REFERRAL, struct ip_referral_facts, id),
	OF(AT_REFERRAL, "status", B_REFERRAL, struct ip_referral_facts, status),
	OF(AT_REFERRAL, "date", B_REFERRAL, struct ip_referral_facts, date),
	OF(AT_REFERRAL, "to", B_REFERRAL, struct ip_referral_facts, to),
	OF(AT_APPROVAL, "side", B_APPROVAL, struct ip_approval_facts, side),
	OF(AT_APPROVAL, "date", B_APPROVAL, struct ip_approval_facts, date),
	OF(AT_APPROVAL, "measures_digest", B_APPROVAL, struct ip_approval_facts, digest),
#undef MEASURE
#undef OF
#undef CASE
};

/* A measure's terms the digest spells as null when given so. */
static const struct {
	const char *key;
	size_t len;
	enum ip_term term;
} null_terms[] = {
	{KEY("category"), IP_TERM_CATEGORY}, {KEY("dimension"), IP_TERM_DIMENSION},
	{KEY("due"), IP_TERM_DUE}, {KEY("programme"), IP_TERM_PROGRAMME},
	{KEY("side"), IP_TERM_SIDE}, {KEY("budget"), IP_TERM_BUDGET},
};

/* Whether key (klen bytes) is the len bytes at s: the lengths first, most
 * keys differ there, then the bytes in place (keys are short, and a call
 * to memcmp cost more than the compare). */
static bool same_key(const char *key, size_t klen, const char *s, size_t len)
{
	if (klen != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (key[i] != s[i])
			return false;
	return true;
}

/* Whether the key whose value comes next in frame top is the literal k. */
#define KEY_IS(top, k) same_key(KEY(k), (top)->key, (top)->key_len)

static struct ip_case_list *core_list(struct ip_case_core *k, size_t offset)
{
	return (struct ip_case_list *)((char *)k + offset);
}

_Static_assert(N(places) < 256 && N(texts) < 256 && N(fact_texts) < 256,
               "a range holds indexes of a byte");

/* The entries of places[], texts[] and fact_texts[] of each place (each
 * table keeps a place's entries together), so that a key is looked up
 * among a few: found once, not at every container. */
struct range {
	unsigned char places, places_end, texts, texts_end, fact_texts, fact_texts_end;
};
static struct range ranges[AT_N];
static pthread_once_t ranges_found = PTHREAD_ONCE_INIT;

/* The place of entry k of a table of n entries of size bytes, whose
 * place is the member at offset. */
static enum at place_at(const void *table, size_t size, size_t offset, size_t k)
{
	enum at at;
	memcpy(&at, (const char *)table + k * size + offset, sizeof at);
	return at;
}

/* The entries [*begin, *end) of place at in a table: all of them, as a
 * table keeps a place's entries together (a table that did not would
 * lose an entry, so that is a program error, not a slower lookup). */
static void range_in(const void *table, size_t n, size_t size, size_t offset, enum at at,
                     unsigned char *begin, unsigned char *end)
{
	size_t k = 0, all = 0;
	while (k < n && place_at(table, size, offset, k) != at)
		k++;
	*begin = (unsigned char)k;
	while (k < n && place_at(table, size, offset, k) == at)
		k++;
	*end = (unsigned char)k;
	for (k = 0; k < n; k++)
		all += place_at(table, size, offset, k) == at;
	if (all != (size_t)(*end - *begin))
		abort();
}

#define RANGE_IN(table, member, at, r, part) \
	range_in(table, N(table), sizeof *(table), \
	         (size_t)((const char *)&(table)[0].member - (const char *)&(table)[0]), at, \
	         &(r)->part, &(r)->part##_end)

static void find_ranges(void)
{
	for (enum at at = AT_ROOT; at < AT_N; at++) {
		RANGE_IN(places, parent, at, &ranges[at], places);
		RANGE_IN(texts, at, at, &ranges[at], texts);
		RANGE_IN(fact_texts, at, at, &ranges[at], fact_texts);
	}
}

/* ---- the pass ------------------------------------------------------------ */

/* A key given in a mapping that has no schema fields to mark it by. */
struct key {
	struct key *next;
	const char *s;
};

struct frame {
	const struct ip_field *f;  /* OBJECT, ARRAY or COUNTS; NULL: not checked */
	enum at at;
	bool mapping;
	int partial;               /* inside IP_PARTIAL objects: nothing is required */
	uint64_t seen;             /* the schema's fields given, by their index */
	size_t next_field;         /* the index after the field of the last key */
	struct key *keys;          /* other keys given (x-, counts, not checked) */
	const char *key;           /* the key whose value comes next; NULL: a key */
	size_t key_len;
	const struct ip_field *vf; /* the field of that value */
	bool checked;              /* whether that value is checked */
	bool left_out;             /* that value is not built (struct pass's built) */
	size_t items;              /* a list's items so far */
	const struct range *range; /* the place's entries of the tables */
	json_t *node;              /* the value being built, or NULL */
};

struct pass {
	const struct ip_limits *lim;
	struct frame *stack;
	int depth;
	size_t nodes;
	int documents;
	bool unsure, build;
	const struct ip_onepass_keys *built;  /* the keys of the root built; NULL: all */
	bool have_root;
	json_t *root;
	struct ip_case_core core;
	struct ip_case_facts *facts;  /* gathered when non-NULL, with the items being read: */
	struct ip_measure_facts *measure;
	struct ip_payment_facts *payment;
	struct ip_follow_up_facts *follow_up;
	struct ip_survey_facts *survey;
	struct ip_score_facts *score;
	struct ip_assessment_facts *assessment;
	struct ip_referral_facts *referral;
	struct ip_approval_facts *approval;
	char today[11];
};

/* The pass's frames, keys and gathered text: reset for every file. */
static _Thread_local struct ip_arena arena;

static const struct ip_field count_field = {"", IP_T_COUNT, 0, NULL, NULL, NULL};

bool ip_onepass_enabled(void)
{
	const char *reader = getenv("IP_READER");
	return !reader || strcmp(reader, "tree");
}

int ip_reader_check(void)
{
	const char *reader = getenv("IP_READER");
	if (!reader || !*reader || !strcmp(reader, "tree") || !strcmp(reader, "onepass"))
		return IP_EXIT_OK;
	ip_error(NULL, "IP_READER: '%s' is neither 'tree' nor 'onepass'", reader);
	return IP_EXIT_USAGE;
}

/* ---- what the pass gathers --------------------------------------------- */

/* Room for item n of the list at v (items of size bytes): its block in the
 * arena doubles at 4, 8, 16... items, the old one left to the next file. */
static void *grow(void *v, size_t n, size_t size)
{
	if (n && (n < 4 || n & (n - 1)))
		return v;
	void *w = ip_arena_alloc(&arena, (n ? 2 * n : 4) * size);
	if (n)
		memcpy(w, v, n * size);
	return w;
}

/* A new item, zeroed, at the end of list (n items): its address. */
#define PUSH(list, n) \
	((list) = grow((list), (n), sizeof *(list)), \
	 memset(&(list)[(n)], 0, sizeof *(list)), &(list)[(n)++])

static void *base_of(const struct pass *p, enum base b)
{
	switch (b) {
	case B_FACTS: return p->facts;
	case B_MEASURE: return p->measure;
	case B_PAYMENT: return p->payment;
	case B_FOLLOW_UP: return p->follow_up;
	case B_SURVEY: return p->survey;
	case B_SCORE: return p->score;
	case B_ASSESSMENT: return p->assessment;
	case B_REFERRAL: return p->referral;
	case B_APPROVAL: return p->approval;
	}
	return NULL;
}

/* The text s of key in the mapping of top, for the core and the facts:
 * copied once, as libyaml frees s with its event. */
static void gather_text(struct pass *p, const struct frame *top, const char *s, size_t slen)
{
	const char *key = top->key;
	size_t len = top->key_len;
	char *copy = NULL;
	for (size_t i = top->range->texts; i < top->range->texts_end; i++) {
		if (!same_key(texts[i].key, texts[i].len, key, len))
			continue;
		copy = ip_arena_strndup(&arena, s, slen);
		if (texts[i].part == PART_FIELD) {
			*(const char **)((char *)&p->core + texts[i].offset) = copy;
		} else {
			struct ip_case_list *l = core_list(&p->core, texts[i].offset);
			if (l->n)
				*(texts[i].part == PART_A ? &l->v[l->n - 1].a : &l->v[l->n - 1].b) = copy;
		}
		break;
	}
	for (size_t i = top->range->fact_texts; p->facts && i < top->range->fact_texts_end; i++) {
		if (!same_key(fact_texts[i].key, fact_texts[i].len, key, len))
			continue;
		void *base = base_of(p, fact_texts[i].base);
		if (base)
			*(const char **)((char *)base + fact_texts[i].offset) =
				copy ? copy : ip_arena_strndup(&arena, s, slen);
		return;
	}
}

/* A new item of a list of the facts at place item. */
static void facts_item(struct pass *p, enum at item)
{
	struct ip_case_facts *f = p->facts;
	switch (item) {
	case AT_MEASURE: p->measure = PUSH(f->measures, f->nmeasures); break;
	case AT_FOLLOW_UP: p->follow_up = PUSH(f->follow_ups, f->nfollow_ups); break;
	case AT_REFERRAL: p->referral = PUSH(f->referrals, f->nreferrals); break;
	case AT_ASSESSMENT: p->assessment = PUSH(f->assessments, f->nassessments); break;
	case AT_APPROVAL: p->approval = PUSH(f->approvals, f->napprovals); break;
	case AT_PAYMENT: p->payment = PUSH(p->measure->paid, p->measure->npaid); break;
	case AT_SCORE: p->score = PUSH(p->survey->scores, p->survey->nscores); break;
	default: break;
	}
}

/* A mapping begins at place at under parent: a survey taken, or a budget. */
static void facts_mapping(struct pass *p, enum at parent, enum at at)
{
	if (at == AT_SURVEY) {
		p->survey = ip_arena_alloc(&arena, sizeof *p->survey);
		*p->survey = (struct ip_survey_facts){0};
		*(parent == AT_FOLLOW_UP ? &p->follow_up->survey : &p->facts->baseline) = p->survey;
	} else if (at == AT_BUDGET) {
		p->measure->budget = true;
	}
}

/* A text item s of a list at place at: programmes, vulnerabilities and
 * flags are lists of texts. */
static void facts_list_text(struct pass *p, enum at at, const char *s, size_t len)
{
	struct ip_texts *t = at == AT_PROGRAMMES ? &p->facts->programmes
	                     : at == AT_VULNERABILITIES ? &p->assessment->vulnerabilities
	                     : at == AT_FLAGS ? &p->survey->flags : NULL;
	if (t)
		*PUSH(t->v, t->n) = ip_arena_strndup(&arena, s, len);
}

/* What the facts take of a value beyond its text: a number, or that a key
 * was given at all (as null too). */
static void facts_value(struct pass *p, const struct frame *top, const struct ip_plain *v)
{
	bool null = v->kind == IP_PLAIN_NULL;
	double d = v->kind == IP_PLAIN_INT ? (double)v->i : v->kind == IP_PLAIN_FLOAT ? v->d : 0;
	switch (top->at) {
	case AT_ROOT:
		if (v->kind == IP_PLAIN_INT && KEY_IS(top, "record_key")) {
			p->facts->record_key_given = true;
			p->facts->record_key = v->i;
		}
		break;
	case AT_MEASURE:
		for (size_t i = 0; null && i < N(null_terms); i++)
			if (same_key(null_terms[i].key, null_terms[i].len, top->key, top->key_len))
				p->measure->nulls |= 1u << null_terms[i].term;
		p->measure->budget |= null && KEY_IS(top, "budget");
		break;
	case AT_BUDGET:
		/* a null in a budget is digested as the tree has it */
		p->unsure |= null;
		if (KEY_IS(top, "amount")) {
			p->measure->amount_integer = v->kind == IP_PLAIN_INT;
			p->measure->amount_i = v->kind == IP_PLAIN_INT ? v->i : 0;
			p->measure->amount = d;
		}
		break;
	case AT_PAYMENT:
		if (KEY_IS(top, "amount"))
			p->payment->amount = d;
		break;
	case AT_FOLLOW_UP:
		p->follow_up->done_given |= KEY_IS(top, "done");
		break;
	case AT_SURVEY:
		if (KEY_IS(top, "composite")) {
			p->survey->composite_given = true;
			p->survey->composite = d;
		}
		break;
	case AT_SCORE:
		if (KEY_IS(top, "score"))
			p->score->score = d;
		break;
	case AT_APPROVAL:
		p->approval->withdrawn |= KEY_IS(top, "withdrawn");
		break;
	default:
		break;
	}
}

/* A key not marked by a schema field (s: the frame's copy, which lives as
 * long as the pass): false when given twice. */
static bool key_new(struct frame *top, const char *s)
{
	for (const struct key *k = top->keys; k; k = k->next)
		if (!strcmp(k->s, s))
			return false;
	struct key *k = ip_arena_alloc(&arena, sizeof *k);
	*k = (struct key){top->keys, s};
	top->keys = k;
	return true;
}

/* Whether key s of the root is one keys lists: the first characters
 * compared first, most keys differ there */
static bool listed(const struct ip_onepass_keys *keys, const char *s)
{
	for (const char *const *k = keys->keys; *k; k++)
		if (**k == *s && !strcmp(*k, s))
			return true;
	return false;
}

static void on_key(struct pass *p, struct frame *top, const char *s, size_t len)
{
	/* the schema's own name where there is one, else a copy: libyaml
	 * frees s with its event */
	top->key = NULL;
	top->key_len = len;
	top->vf = NULL;
	top->checked = false;
	top->left_out = top->at == AT_ROOT && p->built && listed(p->built, s) != p->built->only;
	if (!top->f || top->f->type == IP_T_COUNTS || (s[0] == 'x' && s[1] == '-')) {
		top->key = ip_arena_strndup(&arena, s, len);
		/* a merge's conflicts are reported by the careful way; a
		 * budget's own key is digested as the tree has it */
		if (!key_new(top, top->key) ||
		    (top->at == AT_ROOT && !strcmp(s, IP_MERGE_CONFLICTS)) ||
		    (top->at == AT_BUDGET && p->facts))
			p->unsure = true;
		top->vf = top->f && top->f->type == IP_T_COUNTS ? top->f : NULL;
		top->checked = top->vf != NULL;
		return;
	}
	/* an erased case has a schema of its own: the careful way's */
	const struct ip_field *cf = top->at == AT_ROOT && same_key(KEY("erased"), s, len)
	                            ? NULL : ip_schema_child_after(top->f, s, len, &top->next_field);
	size_t index = cf ? (size_t)(cf - top->f->fields) : 64;
	if (index >= 64 || top->seen & (UINT64_C(1) << index)) {
		p->unsure = true;  /* unknown, or given twice */
		return;
	}
	top->key = cf->name;
	top->seen |= UINT64_C(1) << index;
	top->vf = cf;
	top->checked = true;
}

/* The field the next value of top is checked against (*checked false: it
 * is not checked, under an x- key). */
static const struct ip_field *value_field(const struct frame *top, bool *checked)
{
	if (top->mapping) {
		*checked = top->checked;
		return top->vf;
	}
	*checked = top->f != NULL;
	return top->f ? top->f->item : NULL;
}

/* Text reaches the tree without jansson checking its UTF-8 again: the
 * whole file was checked before the parse, and what libyaml makes of
 * escapes is valid too (it refuses surrogates and code points past
 * U+10FFFF; a NUL makes the pass unsure). */
static void attach(struct pass *p, json_t *v)
{
	if (p->depth == 0) {
		p->root = v;
		p->have_root = true;
		return;
	}
	struct frame *top = &p->stack[p->depth - 1];
	if (v && top->mapping)
		json_object_setn_new_nocheck(top->node, top->key, top->key_len, v);
	else if (v)
		json_array_append_new(top->node, v);
	top->key = NULL;
	top->items++;
}

static json_t *plain_value(const struct ip_plain *v, const char *s, size_t len)
{
	switch (v->kind) {
	case IP_PLAIN_NULL: return json_null();
	case IP_PLAIN_BOOL: return json_boolean(v->b);
	case IP_PLAIN_INT: return json_integer(v->i);
	case IP_PLAIN_FLOAT: return json_real(v->d);
	default: return json_stringn_nocheck(s, len);
	}
}

/* Whether the next value under top (NULL: the root) is built: not when
 * the pass only checks, under a value not built, or under a key left out. */
static bool builds(const struct pass *p, const struct frame *top)
{
	if (!top)
		return p->build;
	return top->node && !(top->mapping && top->left_out);
}

/* A scalar value against field f; its value when building. */
static json_t *check_scalar(struct pass *p, bool build, const struct ip_field *f, bool checked,
                            const struct ip_plain *v, const char *s, size_t len)
{
	if (!checked || v->kind == IP_PLAIN_NULL) {
		if (checked && f->flags & IP_REQUIRED)
			p->unsure = true;
		return build ? plain_value(v, s, len) : NULL;
	}
	if (ip_schema_is_text(f)) {
		/* a plain scalar in a text field is its text: id: 0012 */
		if (!ip_schema_text_ok(f, s, p->today))
			p->unsure = true;
		return build ? json_stringn_nocheck(s, len) : NULL;
	}
	if (v->kind == IP_PLAIN_STRING || !ip_schema_scalar_ok(f, v))
		p->unsure = true;
	return build ? plain_value(v, s, len) : NULL;
}

static void on_scalar(struct pass *p, const yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	/* a NUL in a value comes only from the escape \0: libyaml refuses
	 * the byte itself, so only a double-quoted scalar can hold one */
	bool nul = ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
	           strlen(s) != ev->data.scalar.length;
	if (ev->data.scalar.tag || ev->data.scalar.anchor || nul ||
	    ++p->nodes > p->lim->max_nodes || p->depth == 0) {
		p->unsure = true;
		return;
	}
	struct frame *top = &p->stack[p->depth - 1];
	if (top->mapping && !top->key) {
		on_key(p, top, s, ev->data.scalar.length);
		return;
	}
	struct ip_plain v = {IP_PLAIN_STRING, false, 0, 0, NULL};
	if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		v = ip_yaml_plain(s);
	if (v.kind == IP_PLAIN_BAD) {
		p->unsure = true;
		return;
	}
	bool checked;
	const struct ip_field *f = value_field(top, &checked);
	if (checked && f->type == IP_T_COUNTS && top->f && top->f->type == IP_T_COUNTS)
		f = &count_field;  /* a count in a mapping of counts */
	json_t *value = check_scalar(p, builds(p, top), f, checked, &v, s, ev->data.scalar.length);
	bool text = checked && v.kind != IP_PLAIN_NULL && ip_schema_is_text(f);
	if (text && top->mapping)
		gather_text(p, top, s, ev->data.scalar.length);
	if (checked && top->at == AT_ROOT && v.kind == IP_PLAIN_INT && KEY_IS(top, "record_key"))
		p->core.record_key = v.i;
	/* an item is never optional (a null one says nothing) */
	if (checked && !top->mapping && v.kind == IP_PLAIN_NULL)
		p->unsure = true;
	if (checked && p->facts && top->mapping)
		facts_value(p, top, &v);
	else if (text && p->facts && top->at != AT_OTHER)
		facts_list_text(p, top->at, s, ev->data.scalar.length);
	attach(p, value);
}

/* Where a new container under top is, for the core and the facts: an
 * item of a list is added to them. */
static enum at place_of(struct pass *p, const struct frame *top, bool mapping)
{
	if (top->at == AT_OTHER)
		return AT_OTHER;
	if (top->mapping) {
		for (size_t i = top->range->places; i < top->range->places_end; i++) {
			if (!same_key(places[i].key, places[i].len, top->key, top->key_len))
				continue;
			if (p->facts && mapping)
				facts_mapping(p, top->at, places[i].child);
			return places[i].child;
		}
		return AT_OTHER;
	}
	for (size_t i = 0; i < N(lists); i++) {
		if (lists[i].list != top->at)
			continue;
		if (lists[i].offset != SIZE_MAX)
			ip_case_list_add(core_list(&p->core, lists[i].offset), top->items, NULL,
			                 NULL);
		if (p->facts)
			facts_item(p, lists[i].item);
		return lists[i].item;
	}
	return AT_OTHER;
}

static void on_start(struct pass *p, const yaml_event_t *ev, bool mapping)
{
	const void *tag = mapping ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
	const void *anchor = mapping ? ev->data.mapping_start.anchor
	                             : ev->data.sequence_start.anchor;
	if (tag || anchor || p->depth >= p->lim->max_depth || ++p->nodes > p->lim->max_nodes) {
		p->unsure = true;
		return;
	}
	struct frame fr = {.mapping = mapping};
	if (p->depth == 0) {
		fr.f = &ip_case_schema;
		fr.at = AT_ROOT;
		if (!mapping)
			p->unsure = true;
	} else {
		struct frame *top = &p->stack[p->depth - 1];
		bool checked;
		if (top->mapping && !top->key) {
			p->unsure = true;  /* a mapping or list as a key */
			return;
		}
		fr.f = value_field(top, &checked);
		fr.partial = top->partial;
		if (checked && !(mapping ? fr.f->type == IP_T_OBJECT || fr.f->type == IP_T_COUNTS
		                         : fr.f->type == IP_T_ARRAY && !(fr.f->flags &
		                                                        (IP_UNIQUE | IP_ASCENDING))))
			p->unsure = true;
		fr.f = checked ? fr.f : NULL;
		fr.at = place_of(p, top, mapping);
	}
	if (fr.f && fr.f->flags & IP_PARTIAL)
		fr.partial++;
	if (builds(p, p->depth ? &p->stack[p->depth - 1] : NULL))
		fr.node = mapping ? json_object() : json_array();
	fr.range = &ranges[fr.at];
	p->stack[p->depth++] = fr;
}

static void on_end(struct pass *p)
{
	struct frame fr = p->stack[--p->depth];
	if (fr.f && fr.f->type == IP_T_OBJECT && !fr.partial) {
		for (size_t i = 0; fr.f->fields[i].name; i++)
			if (fr.f->fields[i].flags & IP_REQUIRED &&
			    (i >= 64 || !(fr.seen & (UINT64_C(1) << i))))
				p->unsure = true;
	}
	if (fr.f && fr.f->type == IP_T_ARRAY && fr.f->flags & IP_REQUIRED && !fr.partial &&
	    fr.items == 0)
		p->unsure = true;
	attach(p, fr.node);
}

static void run(struct pass *p, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	if (!yaml_parser_initialize(&parser))
		ip_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (bool done = false; !done && !p->unsure;) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				ip_oom();
			p->unsure = true;
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT: p->unsure = ++p->documents > 1; break;
		case YAML_SCALAR_EVENT: on_scalar(p, &ev); break;
		case YAML_SEQUENCE_START_EVENT: on_start(p, &ev, false); break;
		case YAML_MAPPING_START_EVENT: on_start(p, &ev, true); break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: on_end(p); break;
		case YAML_ALIAS_EVENT: p->unsure = true; break;
		case YAML_STREAM_END_EVENT: done = true; break;
		default: break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
}

bool ip_onepass_case(const char *file, const char *buf, size_t len,
                     const struct ip_limits *lim, const struct ip_onepass_keys *built,
                     json_t **tree, struct ip_case_facts *facts)
{
	int line, col;
	if (!ip_utf8_valid(buf, len, &line, &col))
		return false;
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
		buf += 3;
		len -= 3;
	}
	if (ip_docs_sniff(file, buf, len) != IP_SYNTAX_YAML)
		return false;
	pthread_once(&ranges_found, find_ranges);
	ip_arena_reset(&arena);
	struct pass p = {.lim = lim, .build = tree != NULL, .built = built, .facts = facts};
	if (facts)
		*facts = (struct ip_case_facts){0};
	p.stack = ip_arena_alloc(&arena, ((size_t)lim->max_depth + 1) * sizeof *p.stack);
	ip_date_str(ip_now(), p.today);
	run(&p, buf, len);
	bool valid = !p.unsure && p.have_root && p.depth == 0 &&
	             !ip_case_rules(&p.core, NULL, file);
	while (p.depth > 0)
		json_decref(p.stack[--p.depth].node);
	ip_case_core_free(&p.core);
	if (valid && tree)
		*tree = p.root;
	else
		json_decref(p.root);
	return valid;
}

void ip_onepass_release(void)
{
	ip_arena_free(&arena);
}
