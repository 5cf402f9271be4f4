#include "ip_progress.h"
#include "ip_diag.h"
#include "ip_i18n.h"

#include <stdio.h>
#include <unistd.h>

/* A run shorter than this shows nothing on a terminal. */
#define QUIET_START_MS 500
#define REDRAW_MS 100

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

void ip_progress_begin(struct ip_progress *p, enum ip_progress_mode mode,
                       const char *what, size_t total)
{
	*p = (struct ip_progress){0};
	p->tty = isatty(STDERR_FILENO);
	p->on = mode == IP_PROGRESS_ON || (mode == IP_PROGRESS_AUTO && p->tty);
	p->what = what;
	p->total = total;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

static void draw(struct ip_progress *p, const char *end)
{
	fprintf(stderr, "%s%s: %s: ", p->tty ? "\r" : "", ip_progname(), p->what);
	if (p->total)
		fprintf(stderr, _("%zu of %zu (%zu%%)"), p->done, p->total,
		        p->done * 100 / p->total);
	else
		fprintf(stderr, "%zu", p->done);
	fputs(end, stderr);
	fflush(stderr);
	p->drawn = true;
}

void ip_progress_add(struct ip_progress *p, size_t n)
{
	p->done += n;
	if (!p->on || !p->tty)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (ms_between(&p->start, &now) < QUIET_START_MS || ms_between(&p->last, &now) < REDRAW_MS)
		return;
	p->last = now;
	draw(p, "\033[K");
}

void ip_progress_end(struct ip_progress *p)
{
	if (!p->on)
		return;
	if (p->tty && p->drawn)
		fputs("\r\033[K", stderr); /* the summary line takes its place */
	else if (!p->tty)
		draw(p, "\n");
	p->on = false;
}
