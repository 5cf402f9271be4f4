#include "ip_walk.h"
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

/* A case file is a regular file where it is named: a link may lead out of
 * the repository, to a file nobody means to share or change. (A pipe, as
 * <(...) gives, is read.) */
static int refuse_link(const char *path)
{
	ip_error(&(struct ip_where){path, 0, 0, NULL}, "is a symbolic link; a case file "
	         "must be a regular file (a link may lead out of the repository)");
	return IP_EXIT_DATAERR;
}

static int walk(const char *dir, ip_input_fn fn, void *ctx)
{
	struct dirent **list;
	int n = scandir(dir, &list, skip_hidden, alphasort);
	if (n < 0) {
		ip_error(&(struct ip_where){dir, 0, 0, NULL}, "cannot read directory: %s",
		         strerror(errno));
		return IP_EXIT_NOINPUT;
	}
	int rc = IP_EXIT_OK;
	for (int i = 0; i < n; i++) {
		char *path = strcmp(dir, "/") ? ip_xasprintf("%s/%s", dir, list[i]->d_name)
		                              : ip_xasprintf("/%s", list[i]->d_name);
		/* the type from the directory entry where the file system gives it
		 * (no stat per file); lstat otherwise: links are not followed */
		unsigned char type = list[i]->d_type;
		struct stat st;
		if (type == DT_UNKNOWN && lstat(path, &st) == 0)
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		if (type == DT_DIR)
			rc = ip_exit_merge(rc, walk(path, fn, ctx));
		else if (type == DT_REG && case_file_name(list[i]->d_name))
			rc = ip_exit_merge(rc, fn(path, ctx));
		else if (type == DT_LNK && case_file_name(list[i]->d_name))
			rc = ip_exit_merge(rc, refuse_link(path));
		free(path);
		free(list[i]);
	}
	free(list);
	return rc;
}

static int one_input(const char *path, bool recurse, ip_input_fn fn, void *ctx)
{
	struct stat st, lst;
	bool named = strcmp(path, "-") != 0;
	if (named && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (recurse)
			return walk(path, fn, ctx);
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "is a directory");
		return IP_EXIT_USAGE;
	}
	if (named && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) &&
	    stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return refuse_link(path);
	return fn(path, ctx);
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
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getdelim(&line, &cap, in->null ? '\0' : '\n', f)) > 0) {
		if (line[len - 1] == (in->null ? '\0' : '\n'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		rc = ip_exit_merge(rc, one_input(line, in->recurse, fn, ctx));
	}
	if (ferror(f)) {
		ip_error(&(struct ip_where){in->files_from, 0, 0, NULL},
		         "cannot read: %s", strerror(errno));
		rc = ip_exit_merge(rc, IP_EXIT_IOERR);
	}
	free(line);
	if (!is_stdin)
		fclose(f);
	return rc;
}

int ip_walk(const char *dir, ip_input_fn fn, void *ctx)
{
	return walk(dir, fn, ctx);
}

int ip_inputs_walk(const struct ip_inputs *in, ip_input_fn fn, void *ctx)
{
	int rc = IP_EXIT_OK;
	for (int i = 0; i < in->n; i++)
		rc = ip_exit_merge(rc, one_input(in->operands[i], in->recurse, fn, ctx));
	if (in->files_from)
		rc = ip_exit_merge(rc, files_from(in, fn, ctx));
	return rc;
}
