/* common.c — fuzz_setup and helpers of fuzz.h. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip_diag.h"

#ifndef FUZZ_SRCDIR
#define FUZZ_SRCDIR "."
#endif

void fuzz_setup(void)
{
	static int done;
	if (done++)
		return;
	setenv("IP_SHARE", FUZZ_SRCDIR "/share/integplan", 0);
	setenv("IP_TEMPLATES", FUZZ_SRCDIR "/share/templates", 0);
	setenv("IP_NOW", "2026-11-21T09:14:03Z", 0);
	setenv("IP_ACTOR", "fuzzer", 0);
	/* Only the FILE: the sanitizers and libFuzzer still report on fd 2. */
	FILE *null = getenv("FUZZ_VERBOSE") ? NULL : fopen("/dev/null", "w");
	if (null)
		stderr = null;
}

char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = ip_xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
