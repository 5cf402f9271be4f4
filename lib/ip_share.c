#include "ip_share.h"
#include "ip_mem.h"
#include "ip_buf.h"
#include "ip_diag.h"
#include "ip_exit.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef IP_DATADIR
#define IP_DATADIR "/usr/local/share/integplan"
#endif

static char *found;

char *ip_beside_binary(const char *dir, const char *probe)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 2; up++) {       /* .../bin/ip-x -> ... */
		char *slash = strrchr(exe, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
	}
	char *path = ip_xasprintf("%s/%s", exe, dir);
	char *file = ip_xasprintf("%s/%s", path, probe);
	int ok = access(file, R_OK) == 0;
	free(file);
	if (ok)
		return path;
	free(path);
	return NULL;
}

const char *ip_share_dir(void)
{
	if (found)
		return found;
	const char *env = getenv("IP_SHARE");
	if (env && *env)
		found = ip_xstrdup(env);
	else if (!(found = ip_beside_binary("share/integplan", "vocabularies.yaml")))
		found = ip_xstrdup(IP_DATADIR);
	return found;
}

char *ip_share_path(const char *name)
{
	return ip_xasprintf("%s/%s", ip_share_dir(), name);
}

const char *ip_templates_dir(void)
{
	static char *dir;
	if (dir)
		return dir;
	const char *env = getenv("IP_TEMPLATES");
	if (env && *env)
		return dir = ip_xstrdup(env);
	/* installed: <datadir>/integplan/templates; a source tree keeps them
	 * in share/templates beside share/integplan */
	dir = ip_share_path("templates");
	if (access(dir, R_OK) != 0) {
		free(dir);
		dir = ip_xasprintf("%s/../templates", ip_share_dir());
	}
	return dir;
}

/* ---- directories of definitions ------------------------------------------ */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *ip_share_names(const char *dir)
{
	DIR *d = opendir(dir);
	char **found = NULL;
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		found = ip_xrealloc(found, (n + 1) * sizeof *found);
		found[n++] = ip_xasprintf("%.*s", (int)(len - 5), e->d_name);
	}
	if (d)
		closedir(d);
	qsort(found, n, sizeof *found, by_name);
	json_t *names = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(names, json_string(found[i]));
		free(found[i]);
	}
	free(found);
	return names;
}

bool ip_share_name_plain(const char *name)
{
	return *name && name[0] != '.' &&
	       name[strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_")] == '\0';
}

int ip_share_unknown(const char *name, const char *dir, const char *near,
                     const char *all)
{
	json_t *names = ip_share_names(dir);
	size_t n = json_array_size(names);
	const char **cands = ip_xcalloc(n ? n : 1, sizeof *cands);
	struct ip_buf list = {0};
	for (size_t i = 0; i < n; i++) {
		cands[i] = json_string_value(json_array_get(names, i));
		ip_buf_printf(&list, "%s%s", i ? ", " : "", cands[i]);
	}
	const char *nearest = ip_nearest(name, cands, n);
	if (nearest)
		ip_error(NULL, near, name, nearest);
	else
		ip_error(NULL, all, name, n ? list.s : "none");
	ip_buf_free(&list);
	free(cands);
	json_decref(names);
	return IP_EXIT_USAGE;
}
