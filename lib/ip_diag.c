#include "ip_diag.h"
#include "ip_arena.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_mem.h"
#include "ip_visible.h"

#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* until ip_diag_init: the name the process was started by */
static const char *progname;

void ip_diag_init(char **argv)
{
	/* jansson's allocations cannot fail either: a NULL from json_object()
	 * would silently drop a field from a case about to be written; and a
	 * thread reading many files keeps each file's tree in its scratch */
	json_set_alloc_funcs(ip_scratch_malloc, ip_scratch_free);
	ip_i18n_init();
	if (!argv[0])
		return;
	char *slash = strrchr(argv[0], '/');
	if (slash)
		argv[0] = slash + 1;
	progname = argv[0];
}

const char *ip_progname(void)
{
	if (!progname)
		progname = program_invocation_short_name;
	return progname;
}

static void where_of(const struct ip_where *w, struct ip_buf *line)
{
	if (!w)
		return;
	if (w->file) {
		ip_buf_printf(line, "%s:", w->file);
		if (w->line > 0) {
			ip_buf_printf(line, "%d:", w->line);
			if (w->col > 0)
				ip_buf_printf(line, "%d:", w->col);
		}
		ip_buf_puts(line, " ");
	}
	if (w->path && *w->path)
		ip_buf_printf(line, "%s: ", w->path);
}

/* Where this thread's messages go instead of stderr, if anywhere. */
static _Thread_local struct ip_buf *capture;

void ip_diag_capture(struct ip_buf *into)
{
	capture = into;
}

void ip_diag_flush(struct ip_buf *kept)
{
	if (kept->len)
		fputs(kept->s, stderr);
	ip_buf_free(kept);
}

/* One message line: "ip-cmd: FILE:LINE:COL: path: [warning: ]text". A
 * value it echoes (a name, a file name, an option's argument) may hold
 * control characters: every invisible one is shown escaped, so no message
 * can retitle a terminal, clear it or fake another line (ip_visible.h). */
static void message(const struct ip_where *w, const char *prefix, const char *fmt,
                    va_list ap)
{
	struct ip_buf line = {0}, shown = {0};
	ip_buf_printf(&line, "%s: ", ip_progname());
	where_of(w, &line);
	ip_buf_puts(&line, prefix);
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n > 0) {
		char *text = ip_xmalloc((size_t)n + 1);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		ip_buf_puts(&line, text);
		free(text);
	}
	ip_visible_add(&shown, line.s, line.len, false);
	ip_buf_puts(&shown, "\n");
	if (capture)
		ip_buf_add(capture, shown.s, shown.len);
	else
		fputs(shown.s, stderr);
	ip_buf_free(&line);
	ip_buf_free(&shown);
}

/* Per thread: ip-report reads cases on several. */
static _Thread_local char first_error[512];

void ip_verror(const struct ip_where *w, const char *fmt, va_list ap)
{
	fmt = _(fmt);
	if (!first_error[0]) {
		va_list copy;
		va_copy(copy, ap);
		vsnprintf(first_error, sizeof first_error, fmt, copy);
		va_end(copy);
	}
	message(w, "", fmt, ap);
}

void ip_diag_clear(void)
{
	first_error[0] = '\0';
}

const char *ip_diag_first(void)
{
	return first_error;
}

void ip_error(const struct ip_where *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ip_verror(w, fmt, ap);
	va_end(ap);
}

void ip_warn(const struct ip_where *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message(w, _("warning: "), _(fmt), ap);
	va_end(ap);
}

void ip_inform(const struct ip_where *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message(w, "", _(fmt), ap);
	va_end(ap);
}

const char *ip_did_you_mean(const char *near)
{
	static _Thread_local char text[160];
	if (!near)
		return "";
	snprintf(text, sizeof text, _("; did you mean '%s'?"), near);
	return text;
}

int ip_finish(int status)
{
	/* A pipe reader that went away is the reader's choice, not our error. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno != EPIPE)
			fprintf(stderr, _("%s: cannot write to standard output: %s\n"),
			        ip_progname(), strerror(errno));
		return ip_exit_merge(status, IP_EXIT_IOERR);
	}
	return status;
}

/* Edits between two words: insertions, deletions, substitutions and
 * swaps of neighbours ("hihg" is one edit from "high"). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), w = lb + 1;
	size_t *d = ip_xmalloc((la + 1) * w * sizeof *d);
	for (size_t i = 0; i <= la; i++)
		d[i * w] = i;
	for (size_t j = 0; j <= lb; j++)
		d[j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[(i - 1) * w + j - 1] + (a[i - 1] != b[j - 1]);
			if (d[(i - 1) * w + j] + 1 < best)
				best = d[(i - 1) * w + j] + 1;
			if (d[i * w + j - 1] + 1 < best)
				best = d[i * w + j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[(i - 2) * w + j - 2] + 1 < best)
				best = d[(i - 2) * w + j - 2] + 1;
			d[i * w + j] = best;
		}
	}
	size_t dist = d[la * w + lb];
	free(d);
	return dist;
}

const char *ip_nearest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL, *prefixed = NULL;
	size_t best_d = (size_t)-1, nprefixed = 0, wlen = strlen(word);
	for (size_t i = 0; i < n; i++) {
		if (wlen && !strncasecmp(word, cands[i], wlen)) {
			prefixed = cands[i];
			nprefixed++;
		}
	}
	/* An abbreviation of exactly one candidate ("m" for "male"). */
	if (nprefixed == 1)
		return prefixed;
	for (size_t i = 0; i < n; i++) {
		if (!strcasecmp(word, cands[i]))
			return cands[i];
		size_t d = edit_distance(word, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	/* A third of the word, at least one and at most three edits. */
	size_t allowed = strlen(word) / 3;
	if (allowed < 1)
		allowed = 1;
	if (allowed > 3)
		allowed = 3;
	return best_d <= allowed ? best : NULL;
}
