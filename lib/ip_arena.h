/* ip_arena.h — memory in large blocks, given out in order and never freed
 * one piece at a time: one allocation per block rather than per string or
 * node, so that hundreds of thousands of paths or a file's parse leave no
 * holes in the heap for later allocations to fall into.
 *
 * Two uses: the strings of a run (ip_arena_strdup), and each thread's
 * scratch for the file it is reading (ip_scratch_*), which the next file
 * reuses.
 *
 * Layer: base. */
#ifndef IP_ARENA_H
#define IP_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct ip_arena_block;

struct ip_arena {
	struct ip_arena_block *head; /* the block given out from; older ones after */
};

/* n bytes aligned for any object, valid until ip_arena_reset or _free. */
void *ip_arena_alloc(struct ip_arena *a, size_t n);
/* A copy of s in the arena. */
char *ip_arena_strdup(struct ip_arena *a, const char *s);
/* A copy of the len bytes at s, with a NUL after them. */
char *ip_arena_strndup(struct ip_arena *a, const char *s, size_t len);
/* Whether p was given out by a. */
bool ip_arena_owns(const struct ip_arena *a, const void *p);
/* Forget everything given out; the newest block is kept for reuse. */
void ip_arena_reset(struct ip_arena *a);
void ip_arena_free(struct ip_arena *a);

/* The calling thread's scratch. Between ip_scratch_begin and
 * ip_scratch_end every allocation through ip_scratch_malloc (jansson's,
 * set by ip_diag_init, and the position table's) comes from the thread's
 * arena, and freeing it costs nothing; ip_scratch_end gives it all back at
 * once. Outside that window, and in a build with AddressSanitizer (which
 * must see every object's own lifetime), they are malloc and free.
 *
 * Nothing allocated in the window may outlive it: the caller makes sure
 * that whatever is loaded lazily and kept (vocabularies, codes) is loaded
 * before, and that the window's values are freed by the same thread. */
void ip_scratch_begin(void);
void ip_scratch_end(void);
/* At the end of a thread that used its scratch: the blocks are freed. */
void ip_scratch_release(void);
void *ip_scratch_malloc(size_t n);
void *ip_scratch_calloc(size_t n, size_t size);
void *ip_scratch_realloc(void *p, size_t n);
char *ip_scratch_strdup(const char *s);
void ip_scratch_free(void *p);
/* Whether allocations come from the scratch now: then what was allocated
 * in the window need not be freed piece by piece. */
bool ip_scratch_in_use(void);

#endif
