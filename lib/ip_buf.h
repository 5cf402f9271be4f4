/* ip_buf.h — a growing buffer of bytes, always NUL-terminated after its
 * len bytes once anything was added; memory from ip_mem.
 *
 * Layer: base. */
#ifndef IP_BUF_H
#define IP_BUF_H

#include <jansson.h>
#include <stddef.h>

struct ip_buf {
	char *s;
	size_t len, cap;
};

void ip_buf_add(struct ip_buf *b, const char *s, size_t n);
void ip_buf_puts(struct ip_buf *b, const char *s);
void ip_buf_printf(struct ip_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* n in decimal, at least width digits (leading zeros), then the character
 * end unless it is '\0'. By hand: the report cache and the facts write
 * numbers for every case, and printf's generality was most of that. */
void ip_buf_put_number(struct ip_buf *b, long long n, int width, char end);
void ip_buf_free(struct ip_buf *b);

/* The JSON text of v (flags as json_dumps's), to free(), or NULL when v
 * cannot be written with those flags. Unlike json_dumps's, the memory is
 * ip_mem's whatever allocator jansson was given (a thread's scratch). */
char *ip_json_text(const json_t *v, size_t flags);

#endif
