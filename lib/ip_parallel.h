/* ip_parallel.h — the items 0..n-1 of a batch, each handed to a function
 * once, by up to a given number of threads (the calling thread is one of
 * them), in no particular order: for the commands that read many files.
 * What a thread says while it works is the item's to keep (ip_diag_capture)
 * and the caller's to print in order.
 *
 * Layer: base. */
#ifndef IP_PARALLEL_H
#define IP_PARALLEL_H

#include <stddef.h>

typedef void (*ip_item_fn)(size_t i, void *ctx);

/* item(i, ctx) for every i < n; then, in each thread that took part,
 * done() if it is not NULL (to let go of what the thread kept for its
 * items). Returns when every item is done. A thread that cannot be
 * started leaves its share to those that were. */
void ip_parallel(size_t n, int threads, ip_item_fn item, void (*done)(void), void *ctx);

#endif
