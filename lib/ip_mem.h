/* ip_mem.h — memory that cannot fail: on exhaustion the process says so
 * and exits 70, so no caller has a NULL to forget (a NULL from
 * json_object() would silently drop a field from a case about to be
 * written).
 *
 * Layer: base. */
#ifndef IP_MEM_H
#define IP_MEM_H

#include <stddef.h>

/* Memory that cannot fail: on exhaustion, report and exit 70. */
void *ip_xmalloc(size_t n);
void *ip_xcalloc(size_t n, size_t size);
void *ip_xrealloc(void *p, size_t n);
char *ip_xstrdup(const char *s);
char *ip_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ip_oom(void) __attribute__((noreturn));

#endif
