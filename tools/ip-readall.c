/* ip-readall — the baselines of make bench: walk DIR and do the least a
 * command must do with each file, nothing with the result. Usage:
 *   ip-readall DIR           read every file whole
 *   ip-readall --lstat DIR   only lstat(2) each file
 *   ip-readall --parse DIR   parse each file with libyaml's event parser
 * Prints the number of files and bytes. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

static char buf[1 << 20];

/* Every event of a file, as a reader of the YAML must go through them. */
static void parse(const char *data, size_t len)
{
	yaml_parser_t p;
	yaml_event_t e;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &e))
			break;
		int done = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
		if (done)
			break;
	}
	yaml_parser_delete(&p);
}

static unsigned long do_file(const char *path, const char *mode)
{
	if (!strcmp(mode, "--lstat")) {
		struct stat st;
		return lstat(path, &st) == 0 ? (unsigned long)st.st_size : 0;
	}
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	size_t len = 0;
	ssize_t r;
	while (len < sizeof buf && (r = read(fd, buf + len, sizeof buf - len)) > 0)
		len += (size_t)r;
	close(fd);
	if (!strcmp(mode, "--parse"))
		parse(buf, len);
	return len;
}

int main(int argc, char **argv)
{
	const char *mode = argc == 3 ? argv[1] : "--read";
	if ((argc != 2 && argc != 3) ||
	    (argc == 3 && strcmp(mode, "--lstat") && strcmp(mode, "--parse"))) {
		fprintf(stderr, "usage: ip-readall [--lstat|--parse] DIR\n");
		return 64;
	}
	const char *dir = argv[argc - 1];
	DIR *d = opendir(dir);
	if (!d) {
		perror(dir);
		return 66;
	}
	char path[4096];
	unsigned long files = 0, bytes = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		bytes += do_file(path, mode);
		files++;
	}
	closedir(d);
	printf("%lu files, %lu bytes\n", files, bytes);
	return 0;
}
