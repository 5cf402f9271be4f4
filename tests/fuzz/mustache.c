/* mustache.c — fuzz the Mustache renderer: a template, then a NUL, then
 * JSON data. Every partial name renders the template itself, so partials
 * recurse as deep as the renderer lets them. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ip_mustache.h"

static const char *partial(const char *name, void *ctx)
{
	(void)name;
	return ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	char *text = fuzz_string(data, size);
	size_t tlen = strlen(text);
	json_t *view = tlen < size ? json_loadb(text + tlen + 1, size - tlen - 1, 0, NULL) : NULL;
	if (!view)
		view = json_pack("{s:s, s:[{s:s}, {s:s}], s:b}", "name", "<b>&\"'", "items",
		                 "x", "1", "x", "2", "flag", 1);
	struct ip_buf out = {0};
	const char *error = NULL;
	int line = 0;
	ip_mustache_render(text, view, partial, text, &out, &error, &line);
	ip_buf_free(&out);
	json_decref(view);
	free(text);
	return 0;
}
