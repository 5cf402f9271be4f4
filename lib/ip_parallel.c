#include "ip_parallel.h"
#include "ip_mem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct batch {
	size_t n;
	atomic_size_t next;
	ip_item_fn item;
	void (*done)(void);
	void *ctx;
};

static void *take_items(void *arg)
{
	struct batch *b = arg;
	size_t i;
	while ((i = atomic_fetch_add(&b->next, 1)) < b->n)
		b->item(i, b->ctx);
	if (b->done)
		b->done();
	return NULL;
}

void ip_parallel(size_t n, int threads, ip_item_fn item, void (*done)(void), void *ctx)
{
	struct batch b = {n, 0, item, done, ctx};
	size_t extra = threads > 1 ? (size_t)threads - 1 : 0;
	if (extra >= n)
		extra = n ? n - 1 : 0;  /* no thread without an item to take */
	pthread_t *tids = ip_xcalloc(extra ? extra : 1, sizeof *tids);
	size_t started = 0;
	while (started < extra && pthread_create(&tids[started], NULL, take_items, &b) == 0)
		started++;
	take_items(&b);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
}
