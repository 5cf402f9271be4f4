#include "ip_defdir.h"
#include "ip_buf.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_mem.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *ip_defdir_names(const char *dir)
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

bool ip_defdir_name_plain(const char *name)
{
	return *name && name[0] != '.' &&
	       name[strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_")] == '\0';
}

int ip_defdir_unknown(const char *name, const char *dir, const char *near,
                      const char *all)
{
	json_t *names = ip_defdir_names(dir);
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
