/* ip-readall — the I/O baseline of make bench: walk DIR and read every file
 * whole, as the commands must, doing nothing with the bytes. Usage:
 * ip-readall DIR; prints the number of files and bytes. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ip-readall DIR\n");
		return 64;
	}
	DIR *d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 66;
	}
	static char buf[1 << 16];
	char path[4096];
	unsigned long files = 0, bytes = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t r;
		while ((r = read(fd, buf, sizeof buf)) > 0)
			bytes += (unsigned long)r;
		close(fd);
		files++;
	}
	closedir(d);
	printf("%lu files, %lu bytes\n", files, bytes);
	return 0;
}
