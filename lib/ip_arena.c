#include "ip_arena.h"
#include "ip_mem.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 1 MiB holds about 25,000 paths of a repository's depth, or the parse of
 * a dozen typical case files. */
#define BLOCK_SIZE ((size_t)1 << 20)
#define ALIGN alignof(max_align_t)

struct ip_arena_block {
	struct ip_arena_block *next;
	size_t used, size;
	alignas(max_align_t) char data[];
};

static size_t round_up(size_t n)
{
	return (n + ALIGN - 1) & ~(ALIGN - 1);
}

static void *take(struct ip_arena *a, size_t n, size_t align)
{
	struct ip_arena_block *b = a->head;
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
	if (!b || at > b->size || b->size - at < n) {
		size_t size = n > BLOCK_SIZE ? round_up(n) : BLOCK_SIZE;
		b = ip_xmalloc(sizeof *b + size);
		*b = (struct ip_arena_block){a->head, 0, size};
		a->head = b;
		at = 0;
	}
	b->used = at + n;
	return b->data + at;
}

void *ip_arena_alloc(struct ip_arena *a, size_t n)
{
	return take(a, n ? n : 1, ALIGN);
}

char *ip_arena_strdup(struct ip_arena *a, const char *s)
{
	return ip_arena_strndup(a, s, strlen(s));
}

char *ip_arena_strndup(struct ip_arena *a, const char *s, size_t len)
{
	char *copy = take(a, len + 1, 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

bool ip_arena_owns(const struct ip_arena *a, const void *p)
{
	uintptr_t at = (uintptr_t)p;
	for (const struct ip_arena_block *b = a->head; b; b = b->next)
		if (at >= (uintptr_t)b->data && at < (uintptr_t)b->data + b->size)
			return true;
	return false;
}

void ip_arena_reset(struct ip_arena *a)
{
	if (!a->head)
		return;
	struct ip_arena_block *older = a->head->next;
	a->head->next = NULL;
	a->head->used = 0;
	struct ip_arena old = {older};
	ip_arena_free(&old);
}

void ip_arena_free(struct ip_arena *a)
{
	while (a->head) {
		struct ip_arena_block *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}

/* ---- a thread's scratch -------------------------------------------------- */

/* AddressSanitizer (gcc says so one way, clang another) must see each
 * object's own lifetime: there the scratch is the heap. */
#if defined(__SANITIZE_ADDRESS__)
#define SCRATCH_USABLE false
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCRATCH_USABLE false
#endif
#endif
#ifndef SCRATCH_USABLE
#define SCRATCH_USABLE true
#endif

static _Thread_local struct ip_arena scratch;
static _Thread_local bool scratch_open;

/* Each piece remembers its size, for realloc. */
struct piece {
	alignas(max_align_t) size_t size;
};

void ip_scratch_begin(void)
{
	scratch_open = SCRATCH_USABLE;
}

void ip_scratch_end(void)
{
	scratch_open = false;
	ip_arena_reset(&scratch);
}

void ip_scratch_release(void)
{
	scratch_open = false;
	ip_arena_free(&scratch);
}

void *ip_scratch_malloc(size_t n)
{
	if (!scratch_open)
		return ip_xmalloc(n);
	struct piece *p = ip_arena_alloc(&scratch, sizeof *p + n);
	p->size = n;
	return p + 1;
}

void *ip_scratch_calloc(size_t n, size_t size)
{
	if (!scratch_open)
		return ip_xcalloc(n, size);
	if (size && n > SIZE_MAX / size)
		ip_oom();
	return memset(ip_scratch_malloc(n * size), 0, n * size);
}

static bool in_scratch(const void *p)
{
	return scratch.head && ip_arena_owns(&scratch, p);
}

void *ip_scratch_realloc(void *p, size_t n)
{
	if (!p)
		return ip_scratch_malloc(n);
	if (!in_scratch(p))
		return ip_xrealloc(p, n);
	size_t had = ((struct piece *)p - 1)->size;
	if (n <= had)
		return p;
	return memcpy(ip_scratch_malloc(n), p, had);
}

char *ip_scratch_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(ip_scratch_malloc(n), s, n);
}

bool ip_scratch_in_use(void)
{
	return scratch_open;
}

void ip_scratch_free(void *p)
{
	if (p && !in_scratch(p))
		free(p);
}
