/* ip_arena.h — strings that live as long as a run, packed into large
 * blocks: one allocation per block rather than per string, and nothing
 * freed one by one, so that hundreds of thousands of paths leave no holes
 * in the heap for later per-file allocations to fall into.
 *
 * Layer: base. */
#ifndef IP_ARENA_H
#define IP_ARENA_H

#include <stddef.h>

struct ip_arena_block;

struct ip_arena {
	struct ip_arena_block *head;
};

/* A copy of s in the arena, valid until ip_arena_free. */
char *ip_arena_strdup(struct ip_arena *a, const char *s);
void ip_arena_free(struct ip_arena *a);

#endif
