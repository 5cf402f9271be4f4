#include "ip_buf.h"
#include "ip_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ip_buf_add(struct ip_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->s = ip_xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void ip_buf_puts(struct ip_buf *b, const char *s)
{
	ip_buf_add(b, s, strlen(s));
}

void ip_buf_printf(struct ip_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		ip_oom();
	if ((size_t)n < sizeof small) {
		ip_buf_add(b, small, (size_t)n);
		return;
	}
	char *big = ip_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ip_buf_add(b, big, (size_t)n);
	free(big);
}

void ip_buf_free(struct ip_buf *b)
{
	free(b->s);
	*b = (struct ip_buf){0};
}

static int add_json(const char *text, size_t n, void *b)
{
	ip_buf_add(b, text, n);
	return 0;
}

char *ip_json_text(const json_t *v, size_t flags)
{
	struct ip_buf b = {0};
	if (json_dump_callback(v, add_json, &b, flags)) {
		ip_buf_free(&b);
		return NULL;
	}
	if (!b.s)
		ip_buf_add(&b, "", 0);
	return b.s;
}
