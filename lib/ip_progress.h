/* ip_progress.h — progress of a long run on standard error: shown when
 * standard error is a terminal (--progress forces it, --no-progress stops
 * it), so cron and pipelines stay silent. On a terminal the line is
 * redrawn at most ten times a second and erased at the end; when forced
 * elsewhere, only the final count is written, as one line.
 *
 * Layer: base. */
#ifndef IP_PROGRESS_H
#define IP_PROGRESS_H
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* --progress and --no-progress of struct ip_cli. */
enum ip_progress_mode { IP_PROGRESS_AUTO, IP_PROGRESS_ON, IP_PROGRESS_OFF };

struct ip_progress {
	bool on, tty, drawn;
	const char *what;   /* "cases read" */
	size_t done, total; /* total 0: not known in advance */
	struct timespec start, last;
};

void ip_progress_begin(struct ip_progress *p, enum ip_progress_mode mode,
                       const char *what, size_t total);
void ip_progress_add(struct ip_progress *p, size_t n);
void ip_progress_end(struct ip_progress *p);
#endif
