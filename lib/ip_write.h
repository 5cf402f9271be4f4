/* ip_write.h — safe writes. Every write is lock -> temp file in the same
 * directory -> fsync -> rename -> fsync of the directory, so a crash, a full
 * disk or a bad input leaves the old file intact.
 *
 * Layer: storage. */
#ifndef IP_WRITE_H
#define IP_WRITE_H

#include <stdbool.h>
#include <stddef.h>

/* An exclusive flock(2) on an existing case file, held across a
 * read-modify-write. The kernel drops it when a process dies, so there are
 * never stale locks. Waits up to $IP_LOCK_TIMEOUT seconds (default 10).
 * Taking it removes the ".NAME.tmp" a killed writer of an older version
 * left; temp files of this one are swept (ip_temps_left). */
struct ip_lock {
	int fd;
};

/* 0, or 64 with a message when $IP_LOCK_TIMEOUT is not a number of
 * seconds from 0 to 3600 (every command checks it before it starts). */
int ip_lock_timeout_check(void);

/* 0, or 66 (no such file), 73 (a symlink), 75 (still locked), 74. */
int ip_lock_acquire(const char *path, struct ip_lock *lk);
void ip_lock_release(struct ip_lock *lk);

/* A set of files written together: each add writes a temp file at once;
 * commit syncs them all in one pass, then renames them all into place and
 * syncs each directory once. */
struct ip_batch;

struct ip_batch *ip_batch_new(void);
/* How a file is written: */
#define IP_WRITE_CREATE 1u /* it must not exist yet (fails with 73 at commit
                            * if it does, leaving the other file alone) */
/* Returns 0, 73 or 74; on failure nothing of this file remains. */
int ip_batch_add(struct ip_batch *b, const char *path, const char *data,
                 size_t len, unsigned how);
/* Returns the worst status over all files; each failure is reported, and
 * placed (if not NULL) is called with each file now in place. Frees the
 * batch. */
int ip_batch_commit(struct ip_batch *b,
                    void (*placed)(const char *path, void *ctx), void *ctx);
/* How many files the batch holds; drop those added after the first n
 * (files that belong together, one of which failed). */
size_t ip_batch_size(const struct ip_batch *b);
void ip_batch_rewind(struct ip_batch *b, size_t n);
/* Drop every pending temp file; frees the batch. */
void ip_batch_abort(struct ip_batch *b);

/* One file: a batch of one. */
int ip_write_file(const char *path, const char *data, size_t len,
                  bool create_only);

/* A file written as it is made (a cache too big to hold in memory):
 * the same temp -> fsync -> rename -> fsync dir path as ip_write_file. */
struct ip_stream {
	char *path, *tmp;
	int fd, slot;
	bool failed;
};

/* 0, 73 or 74. */
int ip_stream_open(struct ip_stream *s, const char *path);
/* A write error is reported once and fails the commit. */
void ip_stream_write(struct ip_stream *s, const char *data, size_t len);
/* 0 or 74; the temp file is gone either way. */
int ip_stream_commit(struct ip_stream *s);
void ip_stream_abort(struct ip_stream *s);

/* Temp files that killed writers left: ".NAME.tmp-PID[-N]" of a process
 * that is gone, or an older version's ".NAME.tmp" an hour old. Every
 * writer removes those of a directory before its first temp file there;
 * ip_temps_left calls each with every one in dir (not below) and returns
 * how many. */
bool ip_temp_left_over(const char *dir, const char *name);
int ip_temps_left(const char *dir, void (*each)(const char *path, void *ctx), void *ctx);

/* mkdir with mode 0700 whatever the umask; an existing directory is fine.
 * Returns 0 or 73. */
int ip_mkdir_private(const char *path);

#endif
