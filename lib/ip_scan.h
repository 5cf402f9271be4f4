/* ip_scan.h — read many cases fast for reports: the facts of each case
 * (ip_facts), in sorted path order, parsed by N threads in chunks (memory
 * bounded by the chunk, not the repository), from a cache where a file is
 * unchanged.
 *
 * The cache (.integplan/cache/report.tsv) holds per file its path, size,
 * mtime, ctime and inode, and its facts line. Like git's index, an entry
 * counts only when all of these match the file and the file was last
 * changed before the cache was written (a change within the same timestamp
 * tick is read again: the racy-git rule). A cache with another header, or
 * a line that does not parse, is ignored from there on and rebuilt.
 *
 * A large cache is not written again for a few changed files: their
 * entries go to the changes beside it (report.tsv.changes), in the same
 * form, and are folded in when the changes pass an eighth of the cache, a
 * file the cache names is gone, or the cache is damaged.
 *
 * Layer: storage. */
#ifndef IP_SCAN_H
#define IP_SCAN_H

#include <stddef.h>

#include "ip_run.h"
#include "ip_facts.h"

typedef void (*ip_facts_fn)(char *fields[IP_NFACTS], void *ctx);

struct ip_scan {
	struct ip_run run;    /* what the run was asked for */
	const char *cache;    /* the cache file, or NULL for none */
	int threads;
	int referral_days;
	ip_facts_fn fn;
	void *ctx;
	size_t files, parsed, cached, failed;  /* counted by the run: read, from the cache, not read */
	bool onepass;         /* set by the run: ip_onepass_enabled() */
};

/* Call s->fn with the facts of every case of the operands (and
 * --files-from), in sorted order. Returns the worst status. */
int ip_scan_run(struct ip_scan *s, char **operands, int n);

/* Remove the cache at this path and its changes (after an erasure: no
 * cache may still name the person). */
void ip_scan_cache_remove(const char *cache);

#endif
