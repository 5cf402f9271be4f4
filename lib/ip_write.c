#include "ip_write.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void report(const char *path, const char *what, int err)
{
	ip_error(&(struct ip_where){path, 0, 0, NULL}, "%s: %s", _(what), strerror(err));
}

/* ---- names -------------------------------------------------------------- */

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ip_xstrdup(".");
	if (slash == path)
		return ip_xstrdup("/");
	char *d = ip_xstrdup(path);
	d[slash - path] = '\0';
	return d;
}

/* The name a killed writer of older versions left beside path: the lock
 * holder of path removes it (ip_lock_acquire). */
static char *temp_name(const char *path)
{
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *tmp = ip_xasprintf("%s/.%s.tmp", dir, base);
	free(dir);
	return tmp;
}

/* ---- temp files killed writers left --------------------------------------- */

/* Is name the ".NAME.tmp" an older version left of a file it writes (a
 * case, a package, a document, the cache)? A user's own ".notes.tmp" in an
 * output directory is not. */
static bool legacy_temp(const char *name, size_t len)
{
	static const char *const kinds[] = {".yaml.tmp", ".json.tmp", ".age.tmp", ".jsonl.tmp",
	                                    ".html.tmp", ".md.tmp", ".tsv.tmp"};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		size_t k = strlen(kinds[i]);
		if (len > k + 1 && !strcmp(name + len - k, kinds[i]))
			return true;
	}
	return false;
}

/* The writer that made a temp file: ".NAME.tmp-PID" or ".NAME.tmp-PID-N"
 * gives its process id; 0 when the name is not such a temp file, -1 for
 * the ".NAME.tmp" of older versions. */
static long temp_owner(const char *name)
{
	size_t len = strlen(name);
	if (name[0] != '.' || len < 6)
		return 0;
	if (legacy_temp(name, len))
		return -1;
	const char *t = NULL;
	for (const char *p = strstr(name, ".tmp-"); p; p = strstr(p + 1, ".tmp-"))
		t = p;
	if (!t || t == name)
		return 0;
	char *end;
	long pid = strtol(t + 5, &end, 10);
	if (pid <= 0 || (*end == '-' && !(end[1] >= '0' && end[1] <= '9')))
		return 0;
	if (*end == '-')
		strtoul(end + 1, &end, 10);
	return *end ? 0 : pid;
}

/* A temp file is left over when the process that made it is gone (on this
 * machine: kill(2) with signal 0 finds no such process), or, with an older
 * version's name, when it is an hour old: no writer takes that long. */
#define LEGACY_TEMP_AGE 3600

bool ip_temp_left_over(const char *dir, const char *name)
{
	long pid = temp_owner(name);
	if (pid > 0)
		return pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
	struct stat st;
	char *path = pid < 0 ? ip_xasprintf("%s/%s", dir, name) : NULL;
	bool old = path && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	           time(NULL) - st.st_mtime > LEGACY_TEMP_AGE;
	free(path);
	return old;
}

int ip_temps_left(const char *dir, void (*each)(const char *path, void *ctx), void *ctx)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] == '.' && ip_temp_left_over(dir, e->d_name)) {
			char *path = ip_xasprintf("%s/%s", dir, e->d_name);
			each(path, ctx);
			free(path);
			n++;
		}
	if (d)
		closedir(d);
	return n;
}

static void remove_left(const char *path, void *ctx)
{
	(void)ctx;
	unlink(path);
}

/* Before the first temp file of this run in a directory, remove those that
 * writers killed there left (SIGKILL, a crash, power loss): every writer
 * cleans up after its kind, at the price of one listing per directory. */
#define SWEPT_MAX 32
static void sweep(const char *dir)
{
	static char *swept[SWEPT_MAX];
	static size_t nswept;
	for (size_t i = 0; i < nswept; i++)
		if (!strcmp(swept[i], dir))
			return;
	if (nswept < SWEPT_MAX)
		swept[nswept++] = ip_xstrdup(dir);
	ip_temps_left(dir, remove_left, NULL);
}

/* ---- locks -------------------------------------------------------------- */

/* How long a writer waits for a case another process has locked. */
#define LOCK_TIMEOUT_DEFAULT 10.0
#define LOCK_TIMEOUT_MAX 3600.0

/* $IP_LOCK_TIMEOUT as seconds; -1 when it is not a number from 0 to an
 * hour (NaN, an infinity and a negative wait are not waits). */
static double lock_timeout_of(const char *env)
{
	if (!env || !*env)
		return LOCK_TIMEOUT_DEFAULT;
	char *end;
	errno = 0;
	double t = strtod(env, &end);
	bool digits = strspn(env, "0123456789.") == strlen(env);
	return digits && !*end && !errno && t >= 0 && t <= LOCK_TIMEOUT_MAX ? t : -1;
}

int ip_lock_timeout_check(void)
{
	const char *env = getenv("IP_LOCK_TIMEOUT");
	if (lock_timeout_of(env) >= 0)
		return IP_EXIT_OK;
	ip_error(NULL, "IP_LOCK_TIMEOUT: '%s' is not a number of seconds from 0 to 3600", env);
	return IP_EXIT_USAGE;
}

static double lock_timeout(void)
{
	double t = lock_timeout_of(getenv("IP_LOCK_TIMEOUT"));
	return t >= 0 ? t : LOCK_TIMEOUT_DEFAULT;
}

/* Whoever holds a file's lock owns its temp name: a temp file there now
 * was left by a writer that was killed (SIGKILL, a crash, power loss)
 * between writing it and renaming it. The next run cleans up. */
static void remove_stale_temp(const char *path)
{
	char *tmp = temp_name(path);
	unlink(tmp);
	free(tmp);
}

int ip_lock_acquire(const char *path, struct ip_lock *lk)
{
	struct timespec pause = {0, 20 * 1000 * 1000};
	double waited = 0, limit = lock_timeout();
	for (;;) {
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;
			if (e == ELOOP) {
				ip_error(&(struct ip_where){path, 0, 0, NULL},
				         "is a symbolic link; refusing to write through it");
				return IP_EXIT_CANTCREAT;
			}
			report(path, N_("cannot open"), e);
			return e == ENOENT ? IP_EXIT_NOINPUT : IP_EXIT_IOERR;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* Another writer may have renamed a new file over the one we
			 * opened while we waited: lock the file the path names now. */
			struct stat a, b;
			if (fstat(fd, &a) == 0 && lstat(path, &b) == 0 &&
			    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
				lk->fd = fd;
				remove_stale_temp(path);
				return IP_EXIT_OK;
			}
			close(fd);
			continue;
		}
		int e = errno;
		close(fd);
		if (e != EWOULDBLOCK && e != EINTR) {
			report(path, N_("cannot lock"), e);
			return IP_EXIT_IOERR;
		}
		if (waited >= limit) {
			ip_error(&(struct ip_where){path, 0, 0, NULL},
			         "case is locked by another process (waited %.0f s)", waited);
			return IP_EXIT_BUSY;
		}
		nanosleep(&pause, NULL);
		waited += 0.02;
	}
}

void ip_lock_release(struct ip_lock *lk)
{
	if (lk->fd >= 0)
		close(lk->fd);
	lk->fd = -1;
}

/* ---- temp files, removed even when we are interrupted ------------------- */

#define MAX_PENDING 65536
static char *pending[MAX_PENDING];  /* temp files not yet renamed */
static volatile sig_atomic_t npending;
static int handlers_set;

static void remove_pending(void)
{
	for (sig_atomic_t i = 0; i < npending; i++)
		if (pending[i])
			unlink(pending[i]);
}

static void on_signal(int sig)
{
	remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void set_handlers(void)
{
	if (handlers_set++)
		return;
	/* exit() on any path (out of memory, say) leaves no temp file either */
	atexit(remove_pending);
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		struct sigaction sa = {0}, old;
		sigaction(sigs[i], NULL, &old);
		if (old.sa_handler == SIG_IGN)
			continue;
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

struct pending_file {
	char *path, *tmp;
	int slot;
	bool create_only;
};

struct ip_batch {
	struct pending_file *v;
	size_t n;
};

static int claim_slot(char *tmp)
{
	for (int i = 0; i < MAX_PENDING; i++) {
		if (i >= npending) {
			pending[i] = tmp;
			npending = i + 1;
			return i;
		}
		if (!pending[i]) {
			pending[i] = tmp;
			return i;
		}
	}
	return -1;
}

static void release_slot(int slot)
{
	if (slot >= 0)
		pending[slot] = NULL;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		report(dir, N_("cannot sync directory"), e);
		return IP_EXIT_IOERR;
	}
	close(fd);
	return IP_EXIT_OK;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

struct ip_batch *ip_batch_new(void)
{
	set_handlers();
	return ip_xcalloc(1, sizeof(struct ip_batch));
}

/* The temp file beside path: ".NAME.tmp-PID", then ".NAME.tmp-PID-N"
 * while taken (this process writes path twice): a name of this process
 * alone, which says whose it is, so the next writer can tell a temp file
 * a killed writer left. 0, or errno. */
static int open_temp(const char *path, char **tmp, int *fd)
{
	static unsigned long serial;
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	sweep(dir);
	*tmp = ip_xasprintf("%s/.%s.tmp-%ld", dir, base, (long)getpid());
	while ((*fd = open(*tmp, flags, 0600)) < 0 && errno == EEXIST) {
		free(*tmp);
		*tmp = ip_xasprintf("%s/.%s.tmp-%ld-%lu", dir, base, (long)getpid(), ++serial);
	}
	free(dir);
	return *fd < 0 ? errno : 0;
}

/* A temp file beside path, registered for removal on signals: the
 * existing file's mode, or 0600 for a new one. 0, 73 or 74. */
/* A directory written into must be one, not a link to one: a link would
 * send case data where the repository's modes and backups do not reach
 * (a cache or outbox pointing elsewhere), as a linked case file would. */
static bool linked_dir(const char *path)
{
	char *dir = dir_of(path);
	struct stat st;
	bool linked = lstat(dir, &st) == 0 && S_ISLNK(st.st_mode);
	if (linked)
		ip_error(&(struct ip_where){dir, 0, 0, NULL},
		         "is a symbolic link; refusing to write through it");
	free(dir);
	return linked;
}

static int make_temp(const char *path, unsigned how, char **tmp, int *slot, int *fd)
{
	struct stat st;
	if (linked_dir(path))
		return IP_EXIT_CANTCREAT;
	bool exists = lstat(path, &st) == 0;
	if (exists && S_ISLNK(st.st_mode)) {
		ip_error(&(struct ip_where){path, 0, 0, NULL},
		         "is a symbolic link; refusing to write through it");
		return IP_EXIT_CANTCREAT;
	}
	if (exists && (how & IP_WRITE_CREATE)) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "already exists");
		return IP_EXIT_CANTCREAT;
	}
	int e = open_temp(path, tmp, fd);
	if (e) {
		report(path, N_("cannot create a file here"), e);
		free(*tmp);
		return IP_EXIT_CANTCREAT;
	}
	*slot = claim_slot(*tmp);
	/* An existing file keeps its mode; a new one is private whatever the umask. */
	if (fchmod(*fd, exists ? (st.st_mode & 07777) : 0600) != 0) {
		report(path, N_("cannot write"), errno);
		close(*fd);
		unlink(*tmp);
		release_slot(*slot);
		free(*tmp);
		return IP_EXIT_IOERR;
	}
	return IP_EXIT_OK;
}

int ip_batch_add(struct ip_batch *b, const char *path, const char *data,
                 size_t len, unsigned how)
{
	char *tmp;
	int slot, fd;
	int rc = make_temp(path, how, &tmp, &slot, &fd);
	if (rc)
		return rc;
	if (write_all(fd, data, len) != 0 || close(fd) != 0) {
		int e = errno;
		report(path, N_("cannot write"), e);
		unlink(tmp);
		release_slot(slot);
		free(tmp);
		return IP_EXIT_IOERR;
	}
	b->v = ip_xrealloc(b->v, (b->n + 1) * sizeof *b->v);
	b->v[b->n++] = (struct pending_file){ip_xstrdup(path), tmp, slot,
	                                     (how & IP_WRITE_CREATE) != 0};
	return IP_EXIT_OK;
}

static void drop(struct pending_file *p, bool unlink_tmp)
{
	if (unlink_tmp)
		unlink(p->tmp);
	release_slot(p->slot);
	free(p->tmp);
	free(p->path);
}

size_t ip_batch_size(const struct ip_batch *b)
{
	return b->n;
}

void ip_batch_rewind(struct ip_batch *b, size_t n)
{
	while (b->n > n)
		drop(&b->v[--b->n], true);
}

void ip_batch_abort(struct ip_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		drop(&b->v[i], true);
	free(b->v);
	free(b);
}

/* Make every temp file durable: one fsync for a single file, one syncfs
 * for a batch (one pass over the file system instead of one per file). */
static int sync_temps(struct ip_batch *b)
{
	if (b->n == 0)
		return IP_EXIT_OK;
	int fd = open(b->v[0].tmp, O_RDONLY | O_CLOEXEC);
	int rc = fd < 0 ? -1 : b->n == 1 ? fsync(fd) : syncfs(fd);
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (rc != 0) {
		report(b->v[0].path, N_("cannot sync to disk"), e);
		return IP_EXIT_IOERR;
	}
	return IP_EXIT_OK;
}

static int place(struct pending_file *p)
{
	if (p->create_only) {
		/* link(2) never replaces: a file created meanwhile is kept. */
		if (link(p->tmp, p->path) != 0) {
			int e = errno;
			if (e == EEXIST)
				ip_error(&(struct ip_where){p->path, 0, 0, NULL}, "already exists");
			else
				report(p->path, N_("cannot create"), e);
			return e == EEXIST ? IP_EXIT_CANTCREAT : IP_EXIT_IOERR;
		}
		unlink(p->tmp);
		return IP_EXIT_OK;
	}
	if (rename(p->tmp, p->path) != 0) {
		report(p->path, N_("cannot replace"), errno);
		return IP_EXIT_IOERR;
	}
	return IP_EXIT_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int sync_dirs(struct ip_batch *b)
{
	char **dirs = ip_xcalloc(b->n, sizeof *dirs);
	for (size_t i = 0; i < b->n; i++)
		dirs[i] = dir_of(b->v[i].path);
	qsort(dirs, b->n, sizeof *dirs, cmp_str);
	int rc = IP_EXIT_OK;
	for (size_t i = 0; i < b->n; i++) {
		if (i == 0 || strcmp(dirs[i], dirs[i - 1]))
			rc = ip_exit_merge(rc, fsync_dir(dirs[i]));
	}
	for (size_t i = 0; i < b->n; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

int ip_batch_commit(struct ip_batch *b,
                    void (*placed)(const char *path, void *ctx), void *ctx)
{
	int rc = sync_temps(b);
	if (rc) {
		ip_batch_abort(b);
		return rc;
	}
	bool *ok = ip_xcalloc(b->n, sizeof *ok);
	for (size_t i = 0; i < b->n; i++) {
		int r = place(&b->v[i]);
		rc = ip_exit_merge(rc, r);
		ok[i] = r == IP_EXIT_OK;
	}
	rc = ip_exit_merge(rc, sync_dirs(b));
	for (size_t i = 0; i < b->n; i++) {
		/* reported only once the renames are durable */
		if (ok[i] && placed && !rc)
			placed(b->v[i].path, ctx);
		drop(&b->v[i], !ok[i]);
	}
	free(ok);
	free(b->v);
	free(b);
	return rc;
}

int ip_write_file(const char *path, const char *data, size_t len,
                  bool create_only)
{
	struct ip_batch *b = ip_batch_new();
	int rc = ip_batch_add(b, path, data, len, create_only ? IP_WRITE_CREATE : 0);
	if (rc) {
		ip_batch_abort(b);
		return rc;
	}
	return ip_batch_commit(b, NULL, NULL);
}

int ip_mkdir_private(const char *path)
{
	if (mkdir(path, 0700) == 0) {
		if (chmod(path, 0700) != 0) {
			report(path, N_("cannot set mode"), errno);
			return IP_EXIT_CANTCREAT;
		}
		return IP_EXIT_OK;
	}
	struct stat st;
	if (errno == EEXIST && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		ip_error(&(struct ip_where){path, 0, 0, NULL},
		         "is a symbolic link; refusing to write through it");
		return IP_EXIT_CANTCREAT;
	}
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return IP_EXIT_OK;
	report(path, N_("cannot create directory"), errno);
	return IP_EXIT_CANTCREAT;
}

/* ---- streams ------------------------------------------------------------ */

int ip_stream_open(struct ip_stream *s, const char *path)
{
	set_handlers();
	s->path = ip_xstrdup(path);
	s->failed = false;
	int rc = make_temp(path, 0, &s->tmp, &s->slot, &s->fd);
	if (rc) {
		free(s->path);
		s->path = NULL;
	}
	return rc;
}

void ip_stream_write(struct ip_stream *s, const char *data, size_t len)
{
	if (!s->failed && write_all(s->fd, data, len) != 0) {
		report(s->path, N_("cannot write"), errno);
		s->failed = true;
	}
}

static void stream_end(struct ip_stream *s, bool keep)
{
	if (!keep)
		unlink(s->tmp);
	release_slot(s->slot);
	free(s->tmp);
	free(s->path);
	s->path = NULL;
}

void ip_stream_abort(struct ip_stream *s)
{
	if (!s->path)
		return;
	close(s->fd);
	stream_end(s, false);
}

int ip_stream_commit(struct ip_stream *s)
{
	int rc = s->failed ? IP_EXIT_IOERR : IP_EXIT_OK;
	if (!rc && fsync(s->fd) != 0) {
		report(s->path, N_("cannot sync to disk"), errno);
		rc = IP_EXIT_IOERR;
	}
	if (close(s->fd) != 0 && !rc) {
		report(s->path, N_("cannot write"), errno);
		rc = IP_EXIT_IOERR;
	}
	if (!rc && rename(s->tmp, s->path) != 0) {
		report(s->path, N_("cannot replace"), errno);
		rc = IP_EXIT_IOERR;
	}
	char *dir = rc ? NULL : dir_of(s->path);
	if (dir) {
		rc = fsync_dir(dir);
		free(dir);
	}
	stream_end(s, !rc);
	return rc;
}
