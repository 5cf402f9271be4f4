/* replay.c — run files through a fuzz target without libFuzzer: every
 * seed and every input that once found a bug, under make check (and its
 * sanitizers). Directories are read file by file. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "ip_doc.h"

static int run_file(const char *path)
{
	char *buf;
	size_t len;
	if (ip_read_all(path, (size_t)1 << 28, &buf, &len)) {
		fprintf(stdout, "replay: cannot read %s\n", path);
		return 1;
	}
	/* exactly len bytes, no NUL after them, as libFuzzer passes them: a
	 * read past the end shows under ASan here too */
	uint8_t *exact = ip_xmalloc(len ? len : 1);
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path, size_t *count)
{
	struct stat st;
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		++*count;
		return run_file(path);
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, by_name), bad = 0;
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			char *sub = ip_xasprintf("%s/%s", path, names[i]->d_name);
			bad |= run_path(sub, count);
			free(sub);
		}
		free(names[i]);
	}
	free(n >= 0 ? names : NULL);
	return bad;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int bad = 0;
	fuzz_setup();
	for (int i = 1; i < argc; i++)
		bad |= run_path(argv[i], &count);
	printf("%zu inputs\n", count);
	return bad;
}
