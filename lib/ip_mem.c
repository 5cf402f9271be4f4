#include "ip_mem.h"
#include "ip_exit.h"

#include <errno.h>
#include <libintl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ip_oom(void)
{
	/* glibc's name of the program: ip_diag_init makes argv[0] the same */
	fprintf(stderr, "%s: %s\n", program_invocation_short_name,
	        dgettext("integplan", "out of memory"));
	exit(IP_EXIT_SOFTWARE);
}

void *ip_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		ip_oom();
	return p;
}

void *ip_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		ip_oom();
	return p;
}

void *ip_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		ip_oom();
	return p;
}

char *ip_xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		ip_oom();
	return p;
}

char *ip_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		ip_oom();
	return s;
}

