/* faultshim.c — an LD_PRELOAD library that makes one kind of call fail,
 * to prove the commands survive full disks, I/O errors, interrupted calls
 * and exhausted memory (tests/0110-faults.bats sweeps it over every call).
 *
 *   IP_FAULT=KIND:N:ERRNO    the Nth call of KIND fails with ERRNO
 *   IP_FAULT=KIND:N+:ERRNO   that call and every later one (a full disk)
 *   IP_FAULT_COUNT=FILE      count the calls of each kind, "KIND COUNT" lines
 *
 * KIND is open (open, openat), write, fsync (fsync, fdatasync, syncfs),
 * rename (rename, renameat, link) or malloc (malloc, calloc, realloc);
 * ERRNO is ENOSPC, EIO, EINTR, ENOMEM or EDQUOT, or KILL: the process
 * is killed with SIGKILL at that call, as a crash or power loss would stop
 * it (tests/0120-crash.bats, every writer). Only the process itself
 * is affected: children (age) start without the shim. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

enum kind { K_OPEN, K_WRITE, K_FSYNC, K_RENAME, K_MALLOC, K_N };
static const char *const kind_names[K_N] = {"open", "write", "fsync", "rename", "malloc"};

static unsigned long calls[K_N];
static int fault_kind = -1, fault_errno;
static unsigned long fault_at;
static int fault_onward;
static char count_file[4096];

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

__attribute__((constructor)) static void shim_init(void)
{
	const char *spec = getenv("IP_FAULT");
	const char *count = getenv("IP_FAULT_COUNT");
	if (count)
		snprintf(count_file, sizeof count_file, "%s", count);
	if (spec) {
		char kind[16], err[16], n[24];
		if (sscanf(spec, "%15[a-z]:%23[0-9+]:%15[A-Z]", kind, n, err) == 3) {
			for (int k = 0; k < K_N; k++)
				if (!strcmp(kind, kind_names[k]))
					fault_kind = k;
			fault_at = strtoul(n, NULL, 10);
			fault_onward = strchr(n, '+') != NULL;
			fault_errno = !strcmp(err, "ENOSPC") ? ENOSPC : !strcmp(err, "EIO") ? EIO
			            : !strcmp(err, "EINTR") ? EINTR : !strcmp(err, "EDQUOT") ? EDQUOT
			            : !strcmp(err, "KILL") ? -1 : ENOMEM;
		}
	}
	unsetenv("LD_PRELOAD");
	unsetenv("IP_FAULT");
	unsetenv("IP_FAULT_COUNT");
}

__attribute__((destructor)) static void shim_report(void)
{
	if (!*count_file)
		return;
	int fd = open(count_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	char line[64];
	for (int k = 0; k < K_N; k++) {
		int n = snprintf(line, sizeof line, "%s %lu\n", kind_names[k], calls[k]);
		if (write(fd, line, (size_t)n) < 0)
			break;
	}
	close(fd);
}

/* Count a call of kind k; true when it is to fail (errno is then set). */
static int fails(enum kind k)
{
	unsigned long n = ++calls[k];
	if ((int)k != fault_kind || n < fault_at || (n > fault_at && !fault_onward))
		return 0;
	if (fault_errno < 0)
		raise(SIGKILL);
	errno = fault_errno;
	return 1;
}

#define NEXT(name) static __typeof__(name) *next_##name; \
	if (!next_##name) next_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

int open(const char *path, int flags, ...)
{
	NEXT(open);
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	return fails(K_OPEN) ? -1 : next_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	NEXT(open64);
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	return fails(K_OPEN) ? -1 : next_open64(path, flags, mode);
}

int openat(int dir, const char *path, int flags, ...)
{
	NEXT(openat);
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
	va_end(ap);
	return fails(K_OPEN) ? -1 : next_openat(dir, path, flags, mode);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	NEXT(write);
	return fails(K_WRITE) ? -1 : next_write(fd, buf, n);
}

int fsync(int fd)
{
	NEXT(fsync);
	return fails(K_FSYNC) ? -1 : next_fsync(fd);
}

int fdatasync(int fd)
{
	NEXT(fdatasync);
	return fails(K_FSYNC) ? -1 : next_fdatasync(fd);
}

int syncfs(int fd)
{
	NEXT(syncfs);
	return fails(K_FSYNC) ? -1 : next_syncfs(fd);
}

int rename(const char *from, const char *to)
{
	NEXT(rename);
	return fails(K_RENAME) ? -1 : next_rename(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
	NEXT(renameat);
	return fails(K_RENAME) ? -1 : next_renameat(fd1, from, fd2, to);
}

int link(const char *from, const char *to)
{
	NEXT(link);
	return fails(K_RENAME) ? -1 : next_link(from, to);
}

/* Not through dlsym, which allocates itself. */
void *malloc(size_t n)
{
	return fails(K_MALLOC) ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	return fails(K_MALLOC) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return fails(K_MALLOC) ? NULL : __libc_realloc(p, n);
}
