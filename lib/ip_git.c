#include "ip_git.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_share.h"
#include "ip_write.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define DRIVER "ip-merge %O %A %B %P"

static const char attributes[] =
	"# IntegPlan: case files merge field by field (ip-merge(1))\n"
	"cases/*.yaml merge=integplan\n"
	"cases/*.yml merge=integplan\n"
	"cases/*.json merge=integplan\n";

/* Run git in dir with the given arguments (NULL-terminated, without "git"
 * and "-C dir"); its standard output is discarded. */
static int run_git(const char *dir, const char *const *args)
{
	size_t nargs = 0;
	while (args[nargs])
		nargs++;
	const char **argv = ip_xcalloc(nargs + 4, sizeof *argv);
	argv[0] = "git";
	argv[1] = "-C";
	argv[2] = dir;
	size_t n = 3;
	while (*args)
		argv[n++] = *args++;
	argv[n] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int err = posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	int rc = 0, status;
	if (err) {
		ip_error(&(struct ip_where){dir, 0, 0, NULL}, "cannot run git: %s", strerror(err));
		rc = IP_EXIT_CANTCREAT;
	}
	while (!rc && waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			rc = IP_EXIT_CANTCREAT;
	if (!rc && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		ip_error(&(struct ip_where){dir, 0, 0, NULL}, "git %s failed", argv[3]);
		rc = IP_EXIT_CANTCREAT;
	}
	free(argv);
	return rc;
}

int ip_git_purge(const char *dir, const char *const *paths, size_t n)
{
	/* every version of the files goes from every commit; filter-repo also
	 * expires the reflogs and prunes, so nothing reachable keeps them */
	const char **args = ip_xcalloc(2 * n + 4, sizeof *args);
	size_t k = 0;
	args[k++] = "filter-repo";
	args[k++] = "--force";
	args[k++] = "--invert-paths";
	for (size_t i = 0; i < n; i++) {
		args[k++] = "--path";
		args[k++] = paths[i];
	}
	int rc = run_git(dir, args);
	free(args);
	if (rc)
		ip_error(&(struct ip_where){dir, 0, 0, NULL}, "the history still holds the erased "
		         "cases (is git-filter-repo installed?)");
	return rc;
}

int ip_git_commit(const char *dir, const char *const *paths, size_t n, const char *message)
{
	const char **add = ip_xcalloc(n + 3, sizeof *add);
	add[0] = "add";
	add[1] = "--";
	for (size_t i = 0; i < n; i++)
		add[i + 2] = paths[i];
	int rc = run_git(dir, add);
	free(add);
	const char *const commit[] = {"commit", "-q", "-m", message, NULL};
	return rc ? rc : run_git(dir, commit);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* .gitattributes: written when absent; an existing one that does not name
 * the driver is left to its owner, with a warning. */
static int write_attributes(const char *dir)
{
	char *path = ip_xasprintf("%s/.gitattributes", dir);
	char *buf = NULL;
	size_t len;
	int rc = 0;
	if (!exists(path)) {
		rc = ip_write_file(path, attributes, sizeof attributes - 1, true);
	} else if (ip_read_all(path, 1u << 20, &buf, &len) == 0 &&
	           !memmem(buf, len, "merge=integplan", 15)) {
		ip_warn(&(struct ip_where){path, 0, 0, NULL}, "does not select the case merge "
		        "driver; add: cases/*.yaml merge=integplan");
	}
	free(buf);
	free(path);
	return rc;
}

/* A hook from the share directory, unless the repository has its own. */
static int install_hook(const char *dir, const char *name, const char *from)
{
	char *hook = ip_xasprintf("%s/.git/hooks/%s", dir, name);
	char *src = ip_xasprintf("%s/git/%s", ip_share_dir(), from);
	char *buf = NULL;
	size_t len;
	int rc = 0;
	if (!exists(hook)) {
		char *hooks = ip_xasprintf("%s/.git/hooks", dir);
		rc = ip_mkdir_private(hooks);
		free(hooks);
		if (!rc)
			rc = ip_read_all(src, 1u << 20, &buf, &len);
		if (!rc)
			rc = ip_write_file(hook, buf, len, true);
		if (!rc && chmod(hook, 0700) != 0) {
			ip_error(&(struct ip_where){hook, 0, 0, NULL}, "cannot make it executable: %s",
			         strerror(errno));
			rc = IP_EXIT_IOERR;
		}
	}
	free(buf);
	free(src);
	free(hook);
	return rc;
}

/* What the post-checkout hook does, for the checkout of a clone, which
 * happened before the hook was there. */
static int make_cases_private(const char *dir)
{
	char *cases = ip_xasprintf("%s/cases", dir);
	DIR *d = opendir(cases);
	int rc = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *path = ip_xasprintf("%s/%s", cases, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) != 0600 &&
		    chmod(path, 0600) != 0) {
			ip_error(&(struct ip_where){path, 0, 0, NULL}, "cannot make it private: %s",
			         strerror(errno));
			rc = IP_EXIT_IOERR;
		}
		free(path);
	}
	if (d)
		closedir(d);
	free(cases);
	return rc;
}

int ip_git_setup(const char *dir)
{
	char *dotgit = ip_xasprintf("%s/.git", dir);
	int rc = 0;
	if (!exists(dotgit))
		rc = run_git(dir, (const char *[]){"init", "-q", NULL});
	/* git's objects hold every case: private like the cases themselves. */
	struct stat st;
	if (!rc && stat(dotgit, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 077) &&
	    chmod(dotgit, 0700) != 0) {
		ip_error(&(struct ip_where){dotgit, 0, 0, NULL}, "cannot make it private: %s",
		         strerror(errno));
		rc = IP_EXIT_IOERR;
	}
	free(dotgit);
	if (!rc)
		rc = run_git(dir, (const char *[]){"config", "merge.integplan.name",
		                                   "IntegPlan case files, field by field", NULL});
	if (!rc)
		rc = run_git(dir, (const char *[]){"config", "merge.integplan.driver", DRIVER, NULL});
	if (!rc)
		rc = write_attributes(dir);
	/* pre-commit: ip-check on the staged cases; after a checkout or a merge
	 * (which write files as the umask says): case files private again. */
	if (!rc)
		rc = install_hook(dir, "pre-commit", "pre-commit");
	if (!rc)
		rc = install_hook(dir, "post-checkout", "post-checkout");
	if (!rc)
		rc = install_hook(dir, "post-merge", "post-checkout");
	if (!rc)
		rc = make_cases_private(dir);
	return rc;
}
