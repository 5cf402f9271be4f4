#include "ip_walk.h"
#include "ip_buf.h"
#include "ip_diag.h"
#include "ip_exit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool case_file_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") ||
	               !strcmp(dot, ".json"));
}

static int skip_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Names in byte order, as C compares them: the same in every locale, so
 * a walk gives the same order wherever it runs (alphasort would collate
 * by the user's locale, and slowly). */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* A case file is a regular file where it is named: a link may lead out of
 * the repository, to a file nobody means to share or change. (A pipe, as
 * <(...) gives, is read.) */
static int refuse_link(const char *path)
{
	ip_error(&(struct ip_where){path, 0, 0, NULL}, "is a symbolic link; a case file "
	         "must be a regular file (a link may lead out of the repository)");
	return IP_EXIT_DATAERR;
}

/* The type of path: type, the directory entry's, where the file system
 * gives it (no stat per file); lstat otherwise: links are not followed. */
static unsigned char entry_type(const char *path, unsigned char type)
{
	struct stat st;
	if (type == DT_UNKNOWN && lstat(path, &st) == 0)
		type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
	return type;
}

static int cannot_read_dir(const char *dir)
{
	ip_error(&(struct ip_where){dir, 0, 0, NULL}, "cannot read directory: %s",
	         strerror(errno));
	return IP_EXIT_NOINPUT;
}

/* dir and a slash in b, for the names under it; returns the length */
static size_t dir_prefix(struct ip_buf *b, const char *dir)
{
	ip_buf_puts(b, strcmp(dir, "/") ? dir : "");
	ip_buf_puts(b, "/");
	return b->len;
}

/* What a walk does with what it finds: fn on each case file; a link
 * named like one refused at once, or, in an unsorted walk, gathered in
 * links and refused after it in sorted order, so that the messages do not
 * follow the file system's order. */
struct walker {
	ip_input_fn fn;
	void *ctx;
	struct ip_paths *links;  /* NULL: a sorted walk */
};

static int walk(const struct walker *w, const char *dir);

/* One entry of a directory: its name after the directory's prefix (base
 * bytes) in path. */
static int visit(const struct walker *w, struct ip_buf *path, size_t base, const char *name,
                 unsigned char d_type)
{
	path->len = base;
	ip_buf_puts(path, name);
	unsigned char type = entry_type(path->s, d_type);
	if (type == DT_DIR)
		return walk(w, path->s);
	if (type == DT_REG && case_file_name(name))
		return w->fn(path->s, w->ctx);
	if (type == DT_LNK && case_file_name(name)) {
		if (!w->links)
			return refuse_link(path->s);
		ip_paths_add(path->s, w->links);
	}
	return IP_EXIT_OK;
}

/* A directory's entries in byte order. One buffer for their paths: the
 * callback copies what it keeps, so a walk allocates nothing per file of
 * its own. */
static int walk_sorted(const struct walker *w, const char *dir)
{
	struct dirent **list;
	int n = scandir(dir, &list, skip_hidden, by_name);
	if (n < 0)
		return cannot_read_dir(dir);
	int rc = IP_EXIT_OK;
	struct ip_buf path = {0};
	size_t base = dir_prefix(&path, dir);
	for (int i = 0; i < n; i++) {
		rc = ip_exit_merge(rc, visit(w, &path, base, list[i]->d_name, list[i]->d_type));
		free(list[i]);
	}
	ip_buf_free(&path);
	free(list);
	return rc;
}

/* A directory's entries as it lists them: no listing is held while fn
 * keeps the paths (scandir's copy of a directory of 300,000 cases beside
 * the caller's). */
static int walk_unsorted(const struct walker *w, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return cannot_read_dir(dir);
	int rc = IP_EXIT_OK;
	struct ip_buf path = {0};
	size_t base = dir_prefix(&path, dir);
	struct dirent *e;
	while ((errno = 0, e = readdir(d)))
		if (skip_hidden(e))
			rc = ip_exit_merge(rc, visit(w, &path, base, e->d_name, e->d_type));
	if (errno)
		rc = ip_exit_merge(rc, cannot_read_dir(dir));
	closedir(d);
	ip_buf_free(&path);
	return rc;
}

static int walk(const struct walker *w, const char *dir)
{
	return w->links ? walk_unsorted(w, dir) : walk_sorted(w, dir);
}

/* A directory's case files to fn: sorted, or as in->unsorted asks. */
static int walk_dir(const char *dir, const struct ip_inputs *in, ip_input_fn fn, void *ctx)
{
	struct ip_paths links = {0};
	struct walker w = {fn, ctx, in->unsorted ? &links : NULL};
	int rc = walk(&w, dir);
	ip_paths_sort(&links);
	for (size_t i = 0; i < links.n; i++)
		rc = ip_exit_merge(rc, refuse_link(links.v[i]));
	ip_paths_free(&links);
	return rc;
}

static int one_input(const char *path, const struct ip_inputs *in, ip_input_fn fn, void *ctx)
{
	struct stat st, lst;
	bool named = strcmp(path, "-") != 0;
	if (named && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (in->recurse)
			return walk_dir(path, in, fn, ctx);
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "is a directory");
		return IP_EXIT_USAGE;
	}
	if (named && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return refuse_link(path);
	return fn(path, ctx);
}

/* A path list is read a bounded entry at a time: /dev/zero, a binary file
 * or a runaway pipe given as --files-from must not grow without end. */
#define PATH_ENTRY_MAX 4096       /* bytes of one path (PATH_MAX) */
#define PATH_LIST_MAX 100000000   /* entries of one list, empty ones included */

/* The next entry of a path list into buf: its length, -1 at the end, or
 * -2 as soon as it is longer than PATH_ENTRY_MAX. */
static long next_entry(FILE *f, int delim, char buf[PATH_ENTRY_MAX + 1])
{
	long len = 0;
	int c;
	while ((c = getc_unlocked(f)) != EOF && c != delim) {
		if (len == PATH_ENTRY_MAX)
			return -2;
		buf[len++] = (char)c;
	}
	if (c == EOF && len == 0)
		return -1;
	buf[len] = '\0';
	return len;
}

static int files_from(const struct ip_inputs *in, ip_input_fn fn, void *ctx)
{
	bool is_stdin = !strcmp(in->files_from, "-");
	FILE *f = is_stdin ? stdin : fopen(in->files_from, "re");
	if (!f) {
		ip_error(&(struct ip_where){in->files_from, 0, 0, NULL},
		         "cannot open: %s", strerror(errno));
		return IP_EXIT_NOINPUT;
	}
	int rc = IP_EXIT_OK;
	char *entry = ip_xmalloc(PATH_ENTRY_MAX + 1);
	long len, n = 0;
	while ((len = next_entry(f, in->null ? '\0' : '\n', entry)) != -1) {
		struct ip_where w = {in->files_from, in->null ? 0 : (int)n + 1, 0, NULL};
		if (len == -2)
			ip_error(&w, "a path longer than %d bytes: not a list of paths",
			         PATH_ENTRY_MAX);
		else if (++n > PATH_LIST_MAX)
			ip_error(&(struct ip_where){in->files_from, 0, 0, NULL}, "more than %d "
			         "entries: not a list of paths", PATH_LIST_MAX);
		if (len == -2 || n > PATH_LIST_MAX) {
			rc = ip_exit_merge(rc, IP_EXIT_DATAERR);
			break;
		}
		if (len > 0)
			rc = ip_exit_merge(rc, one_input(entry, in, fn, ctx));
	}
	if (ferror(f)) {
		ip_error(&(struct ip_where){in->files_from, 0, 0, NULL},
		         "cannot read: %s", strerror(errno));
		rc = ip_exit_merge(rc, IP_EXIT_IOERR);
	}
	free(entry);
	if (!is_stdin)
		fclose(f);
	return rc;
}

int ip_walk(const char *dir, ip_input_fn fn, void *ctx)
{
	return walk(&(struct walker){fn, ctx, NULL}, dir);
}

int ip_inputs_walk(const struct ip_inputs *in, ip_input_fn fn, void *ctx)
{
	int rc = IP_EXIT_OK;
	for (int i = 0; i < in->n; i++)
		rc = ip_exit_merge(rc, one_input(in->operands[i], in, fn, ctx));
	if (in->files_from)
		rc = ip_exit_merge(rc, files_from(in, fn, ctx));
	return rc;
}

int ip_paths_add(const char *path, void *paths)
{
	struct ip_paths *p = paths;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->v = ip_xrealloc(p->v, p->cap * sizeof *p->v);
	}
	p->v[p->n++] = ip_arena_strdup(&p->text, path);
	return IP_EXIT_OK;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list of paths is often sorted already (a sorted --files-from): a
 * check is a comparison per path, a sort of a sorted list many more. */
static bool sorted(const struct ip_paths *p)
{
	for (size_t i = 1; i < p->n; i++)
		if (strcmp(p->v[i - 1], p->v[i]) > 0)
			return false;
	return true;
}

void ip_paths_sort(struct ip_paths *p)
{
	if (!sorted(p))
		qsort(p->v, p->n, sizeof *p->v, by_path);
}

void ip_paths_free(struct ip_paths *p)
{
	ip_arena_free(&p->text);
	free(p->v);
	*p = (struct ip_paths){0};
}
