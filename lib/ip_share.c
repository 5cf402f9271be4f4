#include "ip_share.h"
#include "ip_mem.h"

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
