#include "ip_pos.h"
#include "ip_arena.h"
#include "ip_diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct child {
	int line, col;
	char *plain;
};

struct ip_posrec {
	const json_t *node;
	size_t n, cap;
	struct child *child;
};

struct ip_posmap {
	struct ip_posrec **slot; /* open addressing by node address */
	size_t cap, n;
	struct child root;
	bool has_root;
};

struct ip_posmap *ip_posmap_new(void)
{
	struct ip_posmap *m = ip_scratch_calloc(1, sizeof *m);
	m->cap = 64;
	m->slot = ip_scratch_calloc(m->cap, sizeof *m->slot);
	return m;
}

void ip_posmap_free(struct ip_posmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		struct ip_posrec *r = m->slot[i];
		if (!r)
			continue;
		for (size_t k = 0; k < r->n; k++)
			ip_scratch_free(r->child[k].plain);
		ip_scratch_free(r->child);
		ip_scratch_free(r);
	}
	ip_scratch_free(m->root.plain);
	ip_scratch_free(m->slot);
	ip_scratch_free(m);
}

static size_t hash_ptr(const void *p, size_t cap)
{
	uintptr_t x = (uintptr_t)p;
	x ^= x >> 17;
	x *= 0x9E3779B97F4A7C15ull;
	return (size_t)(x >> 7) & (cap - 1);
}

static struct ip_posrec *find(const struct ip_posmap *m, const json_t *c)
{
	for (size_t i = hash_ptr(c, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slot[i])
			return NULL;
		if (m->slot[i]->node == c)
			return m->slot[i];
	}
}

static void insert(struct ip_posmap *m, struct ip_posrec *r)
{
	size_t i = hash_ptr(r->node, m->cap);
	while (m->slot[i])
		i = (i + 1) & (m->cap - 1);
	m->slot[i] = r;
	m->n++;
}

static void grow(struct ip_posmap *m)
{
	struct ip_posrec **old = m->slot;
	size_t old_cap = m->cap;
	m->cap *= 2;
	m->slot = ip_scratch_calloc(m->cap, sizeof *m->slot);
	m->n = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			insert(m, old[i]);
	ip_scratch_free(old);
}

void ip_pos_root(struct ip_posmap *m, int line, int col, const char *plain)
{
	m->root = (struct child){line, col, plain ? ip_scratch_strdup(plain) : NULL};
	m->has_root = true;
}

struct ip_posrec *ip_pos_container(struct ip_posmap *m, const json_t *c)
{
	if (2 * (m->n + 1) > m->cap)
		grow(m);
	struct ip_posrec *r = ip_scratch_calloc(1, sizeof *r);
	r->node = c;
	insert(m, r);
	return r;
}

void ip_pos_child(struct ip_posrec *r, int line, int col, const char *plain)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->child = ip_scratch_realloc(r->child, r->cap * sizeof *r->child);
	}
	r->child[r->n++] = (struct child){line, col, plain ? ip_scratch_strdup(plain) : NULL};
}

int ip_pos_child_line(const struct ip_posmap *m, const json_t *c, size_t i)
{
	const struct ip_posrec *r = find(m, c);
	return r && i < r->n ? r->child[i].line : 0;
}

/* The index of key among an object's keys, in document order. */
static size_t key_index(const json_t *obj, const char *key)
{
	size_t i = 0;
	for (void *it = json_object_iter((json_t *)obj); it;
	     it = json_object_iter_next((json_t *)obj, it), i++)
		if (!strcmp(json_object_iter_key(it), key))
			return i;
	return (size_t)-1;
}

bool ip_pos_find(const struct ip_posmap *m, const json_t *root, const char *path,
                 int *line, int *col, const char **plain)
{
	const struct child *at = m->has_root ? &m->root : NULL;
	bool exact = true; /* "at" is the position of "node" itself */
	const json_t *node = root;
	const char *p = path ? path : "";
	char key[256];
	while (*p) {
		size_t index;
		const json_t *next;
		if (*p == '[') {
			char *end;
			index = strtoul(p + 1, &end, 10);
			p = *end == ']' ? end + 1 : end;
			next = json_array_get(node, index);
		} else {
			if (*p == '.')
				p++;
			size_t n = strcspn(p, ".[");
			if (n >= sizeof key) {
				exact = false;
				break;
			}
			memcpy(key, p, n);
			key[n] = '\0';
			p += n;
			next = json_object_get(node, key);
			index = next ? key_index(node, key) : (size_t)-1;
		}
		if (!next) {
			exact = false; /* the path leaves the document: its nearest ancestor */
			break;
		}
		const struct ip_posrec *r = find(m, node);
		exact = r && index < r->n;
		if (exact)
			at = &r->child[index];
		node = next;
	}
	if (plain)
		*plain = exact && at ? at->plain : NULL;
	if (!at)
		return false;
	*line = at->line;
	*col = at->col;
	return true;
}
