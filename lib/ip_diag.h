/* ip_diag.h — one error reporter: "prog: FILE:LINE:COL: path: message".
 *
 * Layer: base. */
#ifndef IP_DIAG_H
#define IP_DIAG_H

#include <stdarg.h>
#include <stddef.h>

#include "ip_mem.h"

/* Where a problem is; any part may be absent (NULL or 0). */
struct ip_where {
	const char *file;
	int line, col;
	const char *path;
};

/* Name the program after argv[0]'s last part, and shorten argv[0] itself:
 * getopt and argp print it in their messages ("ip-check: unrecognized
 * option", not "/usr/local/bin/ip-check: ..."). Also makes jansson
 * allocate with ip_xmalloc. */
void ip_diag_init(char **argv);
const char *ip_progname(void);

/* Report a problem on stderr; the message starts lower case, problem first.
 * fmt is the English message: it is translated here (gettext), so call
 * sites pass the literal and xgettext finds it (keyword ip_error:2). */
void ip_error(const struct ip_where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ip_verror(const struct ip_where *w, const char *fmt, va_list ap);
/* The message of the first error reported since ip_diag_clear (without
 * where), for results files; "" when there was none. */
void ip_diag_clear(void);
const char *ip_diag_first(void);
/* Same with a "warning: " marker; does not change any exit status. */
void ip_warn(const struct ip_where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Say what was done, when it is news a user would ask for ("took ...");
 * no marker, no exit status. */
void ip_inform(const struct ip_where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Until ip_diag_capture(NULL), the calling thread's messages are added to
 * into instead of written to stderr: a run that reads files in threads
 * keeps each file's messages with it and prints them in the files' order,
 * the same on every run. A program that ends (exit) while its messages
 * are kept loses them: load what may fail before capturing. */
struct ip_buf;
void ip_diag_capture(struct ip_buf *into);
/* Write messages kept by ip_diag_capture to stderr, and let go of them. */
void ip_diag_flush(struct ip_buf *kept);

/* For "did you mean": the candidate closest to word by edit distance, if
 * it is close enough to be a likely typo; else NULL. */
const char *ip_nearest(const char *word, const char *const *cands, size_t n);
/* "; did you mean 'near'?" in the user's language, or "" when near is NULL;
 * valid until the next call on the thread. */
const char *ip_did_you_mean(const char *near);

/* Flush stdout and report a write error (full disk, closed pipe): returns
 * the exit status to use, 74 on failure, else status unchanged. */
int ip_finish(int status);

#endif
