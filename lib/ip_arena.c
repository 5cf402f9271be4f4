#include "ip_arena.h"
#include "ip_mem.h"

#include <stdlib.h>
#include <string.h>

/* 1 MiB holds about 25,000 paths of a repository's depth. */
#define BLOCK_SIZE ((size_t)1 << 20)

struct ip_arena_block {
	struct ip_arena_block *next;
	size_t used, size;
	char data[];
};

char *ip_arena_strdup(struct ip_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	struct ip_arena_block *b = a->head;
	if (!b || b->size - b->used < n) {
		size_t size = n > BLOCK_SIZE ? n : BLOCK_SIZE;
		b = ip_xmalloc(sizeof *b + size);
		*b = (struct ip_arena_block){a->head, 0, size};
		a->head = b;
	}
	char *copy = memcpy(b->data + b->used, s, n);
	b->used += n;
	return copy;
}

void ip_arena_free(struct ip_arena *a)
{
	while (a->head) {
		struct ip_arena_block *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}
