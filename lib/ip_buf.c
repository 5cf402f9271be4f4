#include "ip_buf.h"
#include "ip_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes and the NUL after them. */
static void reserve(struct ip_buf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (b->len + n + 1 > cap)
		cap *= 2;
	b->s = ip_xrealloc(b->s, cap);
	b->cap = cap;
}

void ip_buf_add(struct ip_buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void ip_buf_puts(struct ip_buf *b, const char *s)
{
	ip_buf_add(b, s, strlen(s));
}

/* Formatted straight into the buffer's free room, and a second time only
 * when it did not fit: a text longer than a small stack buffer used to be
 * formatted twice and copied (a sixth of a run rewriting the report
 * cache). */
void ip_buf_printf(struct ip_buf *b, const char *fmt, ...)
{
	va_list ap;
	reserve(b, 0);  /* allocated, even for an empty text, as ip_buf_add does */
	size_t room = b->cap - b->len;
	va_start(ap, fmt);
	int n = vsnprintf(b->s + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		ip_oom();
	if ((size_t)n >= room) {
		reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void ip_buf_put_number(struct ip_buf *b, long long n, int width, char end)
{
	char text[24];
	char *p = text + sizeof text;
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	if (end)
		*--p = end;
	char *last = p;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u || last - p < width);
	if (n < 0)
		*--p = '-';
	ip_buf_add(b, p, (size_t)(text + sizeof text - p));
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
