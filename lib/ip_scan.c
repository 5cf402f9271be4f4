#include "ip_scan.h"
#include "ip_arena.h"
#include "ip_buf.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_mem.h"
#include "ip_onepass.h"
#include "ip_parallel.h"
#include "ip_schema.h"
#include "ip_write.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files per chunk: the memory a run needs grows with this, not with the
 * repository. */
#define CHUNK 2048
#define CACHE_MAGIC "integplan-report-cache 1"

/* ---- the cache, read alongside the sorted paths ------------------------- */

/* A cache of this size or more is not written again for a few changed
 * files: what differs from it goes to a second file beside it, the
 * changes (its name and ".changes"), written whole each time, small. A
 * cache of 300,000 cases is 150 MB, and a run with 1 % of them changed
 * copied and synced all of it; with the changes it writes 1.5 MB and
 * takes 0.86 of the time (paired runs). A smaller cache is written whole,
 * one file to look at: at 10 MB its fsync took 7 ms. */
#define CHANGES_FROM ((off_t)4 << 20)
/* The changes are folded into the cache when they pass this fraction of
 * it, so a warm run never reads much twice. */
#define FOLD_AT 8

struct stamp {
	long long size, mtime_s, mtime_ns, ctime_s, ctime_ns, ino;
};

struct reader {
	FILE *f;
	char *line;
	size_t cap;
	off_t size;                /* the file's, when opened */
	off_t start, end;          /* the current entry's bytes in the file */
	off_t header_end, used_end; /* the header's end; the end of the last hit */
	bool ok;
	size_t n;                  /* entries read: the current one is n - 1 */
	size_t skipped;            /* entries passed over: files gone or changed */
	size_t gone;               /* entries passed over whose file was not read */
	bool used, seen, eof;      /* the current entry was a hit; its file was
	                            * read; the end was reached */
	struct timespec written;
	const char *path, *facts;  /* the current entry */
	struct stamp st;
};

static struct stamp stamp_of(const struct stat *st)
{
	return (struct stamp){st->st_size, st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
	                      st->st_ctim.tv_sec, st->st_ctim.tv_nsec, (long long)st->st_ino};
}

/* The cache's first line: the facts it holds and what they were computed
 * with (the days a referral may wait), so that a cache of other facts or
 * settings is rebuilt, not believed. */
static char *header(int referral_days)
{
	struct ip_buf b = {0};
	ip_buf_puts(&b, CACHE_MAGIC);
	for (int i = 0; i < IP_NFACTS; i++)
		ip_buf_printf(&b, "%c%s", i ? ',' : ' ', ip_fact_names[i]);
	ip_buf_printf(&b, " referral_days=%d\n", referral_days);
	return b.s;
}

/* A cache number at *p, ended by the character end; false if there is
 * none. Read in place: a warm run reads one line per case, and sscanf's
 * generality was a tenth of it. */
static bool cache_number(char **p, char end, long long *v)
{
	char *q = *p;
	const char *fits = q + 18;  /* eighteen digits cannot overflow */
	long long n = 0;
	if (*q < '0' || *q > '9')
		return false;
	/* only the digits after the eighteenth are checked: a check on every
	 * digit cost a fifth of this function */
	for (; q < fits && *q >= '0' && *q <= '9'; q++)
		n = n * 10 + (*q - '0');
	for (; *q >= '0' && *q <= '9'; q++) {
		if (n > (LLONG_MAX - (*q - '0')) / 10)
			return false;
		n = n * 10 + (*q - '0');
	}
	if (*q != end)
		return false;
	*v = n;
	*p = q + 1;
	return true;
}

/* Read the next entry; false at the end or on a damaged line. */
static bool next_entry(struct reader *r)
{
	ssize_t len = r->ok ? getline(&r->line, &r->cap, r->f) : -1;
	if (len <= 0) {
		r->eof = r->ok;
		r->ok = false;
		return false;
	}
	r->start = r->end;
	r->end += len;
	r->used = r->seen = false;
	char *tab = strchr(r->line, '\t');
	char *p = tab ? tab + 1 : NULL;
	struct stamp *s = &r->st;
	if (!p || !cache_number(&p, '\t', &s->size) || !cache_number(&p, '.', &s->mtime_s) ||
	    !cache_number(&p, '\t', &s->mtime_ns) || !cache_number(&p, '.', &s->ctime_s) ||
	    !cache_number(&p, '\t', &s->ctime_ns) || !cache_number(&p, '\t', &s->ino) ||
	    r->line[len - 1] != '\n') {
		r->ok = false;
		return false;
	}
	*tab = '\0';
	r->path = r->line;
	r->facts = p;
	r->n++;
	return true;
}

static void reader_open(struct reader *r, const char *cache, int referral_days, bool quiet)
{
	*r = (struct reader){0};
	if (!cache || !(r->f = fopen(cache, "re")))
		return;
	struct stat st;
	if (fstat(fileno(r->f), &st) != 0 || !S_ISREG(st.st_mode)) {
		/* a directory in its place is no cache of another version:
		 * writing the cache says what is wrong */
		fclose(r->f);
		r->f = NULL;
		return;
	}
	char *want = header(referral_days);
	ssize_t len = 0;
	r->ok = (len = getline(&r->line, &r->cap, r->f)) > 0 && !strcmp(r->line, want);
	r->end = r->header_end = r->used_end = len > 0 ? len : 0;
	if (r->ok) {
		r->written = st.st_mtim;
		r->size = st.st_size;
		next_entry(r);
	} else if (!quiet) {
		ip_warn(&(struct ip_where){cache, 0, 0, NULL},
		        "not a report cache of this version; ignored and rebuilt");
	}
	free(want);
}

/* Back to the first entry of a cache whose header was sound (only such a
 * cache keeps changes beside it); false if it cannot be. */
static bool reader_rewind(struct reader *r)
{
	if (!r->f || fseeko(r->f, r->header_end, SEEK_SET) != 0)
		return false;
	r->end = r->header_end;
	r->n = 0;
	r->ok = true;
	r->eof = false;
	next_entry(r);
	return true;
}

static void reader_advance(struct reader *r)
{
	r->skipped += !r->used;
	r->gone += !r->seen;
	next_entry(r);
}

static bool before(long long s1, long long ns1, struct timespec t)
{
	return s1 < t.tv_sec || (s1 == t.tv_sec && ns1 < t.tv_nsec);
}

/* The cached facts of path if its entry matches st, else NULL. */
static const char *reader_lookup(struct reader *r, const char *path, const struct stat *st)
{
	while (r->ok && strcmp(r->path, path) < 0)
		reader_advance(r);
	if (!r->ok || strcmp(r->path, path))
		return NULL;
	r->seen = true;
	struct stamp now = stamp_of(st);
	/* racy: changed in the tick the cache was written, maybe after it */
	if (memcmp(&now, &r->st, sizeof now) || !before(now.mtime_s, now.mtime_ns, r->written))
		return NULL;
	r->used = true;
	r->used_end = r->end;
	return r->facts;
}

/* The current entry as the file has it, path and all (the tab after the
 * path is back): a hit is written again as it was read, not formatted
 * again. */
static void put_entry(struct ip_buf *b, const struct reader *r)
{
	size_t at = b->len;
	ip_buf_add(b, r->line, (size_t)(r->end - r->start));  /* getline's */
	b->s[at + strlen(r->line)] = '\t';
}

/* A copy of the current entry (put_entry), *facts_copy pointing into it:
 * in a block of its size, as a chunk's hits are held at once (a buffer's
 * first 4 KiB each made a warm run a tenth slower). */
static char *reader_entry(const struct reader *r, const char *facts, char **facts_copy)
{
	size_t len = (size_t)(r->end - r->start);
	struct ip_buf b = {.s = ip_xmalloc(len + 1), .cap = len + 1};
	put_entry(&b, r);
	*facts_copy = b.s + (facts - r->line);
	return b.s;
}

/* Read to the end, counting what was passed over (skipped, gone). */
static void reader_finish(struct reader *r)
{
	while (r->ok)
		reader_advance(r);
}

/* Did the run use every entry of a sound cache, and nothing else? Then
 * writing it again would change nothing. */
static bool reader_all_used(struct reader *r)
{
	reader_finish(r);
	return r->eof && !r->skipped;
}

static void reader_close(struct reader *r)
{
	if (r->f)
		fclose(r->f);
	free(r->line);
}

/* ---- the new cache, written only when it differs ------------------------ */

/* While every file so far was a hit and no entry was passed over, the new
 * cache would begin exactly as the old one does, up to its last hit: so
 * nothing is written until the first difference, and then that prefix is
 * copied as it is. A warm run over an unchanged repository writes nothing
 * (formatting and writing every entry again was a sixth of it). */
struct writer {
	const char *cache;      /* NULL: no cache */
	struct ip_stream out;
	off_t entries;          /* bytes written after the header */
	bool open;
};

static void writer_write(struct writer *w, const char *data, size_t len)
{
	ip_stream_write(&w->out, data, len);
	w->entries += (off_t)len;
}

/* The old cache's bytes from its first entry to end; false when they
 * cannot be read again. */
static bool copy_prefix(struct writer *w, struct reader *r, off_t end)
{
	char buf[1 << 16];
	for (off_t at = r->header_end; at < end && !w->out.failed;) {
		size_t want = end - at < (off_t)sizeof buf ? (size_t)(end - at) : sizeof buf;
		ssize_t got = pread(fileno(r->f), buf, want, at);
		if (got <= 0)
			return false;
		writer_write(w, buf, (size_t)got);
		at += got;
	}
	return true;
}

/* Start the new cache, once: the header, then the old one's entries up to
 * clean_end (all hits). A cache that cannot be written or copied is not
 * written this run (w->cache NULL); the report does not depend on it. */
static void writer_start(struct writer *w, struct reader *r, int referral_days,
                         off_t clean_end)
{
	if (w->open || !w->cache)
		return;
	if (ip_stream_open(&w->out, w->cache) != 0) {
		w->cache = NULL;
		return;
	}
	char *h = header(referral_days);
	ip_stream_write(&w->out, h, strlen(h));
	free(h);
	if (r->f && !copy_prefix(w, r, clean_end)) {
		ip_stream_abort(&w->out);
		w->cache = NULL;
		return;
	}
	w->open = true;
}

/* ---- the cache and its changes ------------------------------------------ */

struct cache {
	const char *path;
	char *changes_path;
	struct reader base, changes;
	struct writer w;         /* the whole cache, or only the changes */
	bool to_changes;         /* the cache is kept; what differs goes to the
	                          * changes */
	unsigned char *base_hits; /* per entry of the cache: a hit this run */
	size_t base_hits_size;
};

static void cache_open(struct cache *c, const char *path, int referral_days, bool quiet)
{
	*c = (struct cache){.path = path};
	reader_open(&c->base, path, referral_days, quiet);
	c->changes_path = path ? ip_xasprintf("%s.changes", path) : NULL;
	reader_open(&c->changes, c->changes_path, referral_days, quiet);
	c->to_changes = c->base.ok && c->base.size >= CHANGES_FROM;
	c->w.cache = c->to_changes ? c->changes_path : path;
}

static void mark_base_hit(struct cache *c, size_t entry)
{
	if (entry / 8 >= c->base_hits_size) {
		size_t size = c->base_hits_size ? c->base_hits_size : 1024;
		while (entry / 8 >= size)
			size *= 2;
		c->base_hits = ip_xrealloc(c->base_hits, size);
		memset(c->base_hits + c->base_hits_size, 0, size - c->base_hits_size);
		c->base_hits_size = size;
	}
	c->base_hits[entry / 8] |= (unsigned char)(1u << (entry % 8));
}

static bool was_base_hit(const struct cache *c, size_t entry)
{
	return entry / 8 < c->base_hits_size && (c->base_hits[entry / 8] >> (entry % 8) & 1);
}

/* The cached facts of a file, from the changes first, else from the
 * cache: NULL, or a copy of the entry in *entry. */
static char *cache_lookup(struct cache *c, const char *path, const struct stat *st,
                          char **entry, bool *in_changes)
{
	const char *base = reader_lookup(&c->base, path, st);
	if (base && c->to_changes)
		mark_base_hit(c, c->base.n - 1);
	const char *changed = reader_lookup(&c->changes, path, st);
	char *facts = NULL;
	*entry = NULL;
	*in_changes = changed != NULL;
	if (changed)
		*entry = reader_entry(&c->changes, changed, &facts);
	else if (base)
		*entry = reader_entry(&c->base, base, &facts);
	return facts;
}

/* Is this chunk the first difference from what is written? new: files
 * read again; from_changes: hits from the changes, which belong in a
 * whole cache. */
static bool cache_differs(const struct cache *c, size_t new, bool from_changes)
{
	if (c->to_changes)
		return new || c->changes.skipped;
	return new || c->base.skipped || from_changes;
}

static void cache_start(struct cache *c, int referral_days, off_t clean_end)
{
	writer_start(&c->w, c->to_changes ? &c->changes : &c->base, referral_days, clean_end);
}

static off_t cache_clean_end(const struct cache *c)
{
	return c->to_changes ? c->changes.used_end : c->base.used_end;
}

/* Fold the changes into the cache: its entries this run read (the others
 * are of files changed or gone), and those of the changes, in path
 * order; then the changes are removed. An entry of the changes that was
 * racy there (its file changed in the tick they were written) is left
 * out, or the later cache would believe it. */
static int cache_fold(struct cache *c, int referral_days)
{
	struct reader changes;
	struct ip_stream out;
	reader_open(&changes, c->changes_path, referral_days, true);
	if (!reader_rewind(&c->base) || ip_stream_open(&out, c->path) != 0) {
		reader_close(&changes);
		return IP_EXIT_OK;  /* the report does not depend on the cache */
	}
	struct ip_buf b = {0};
	char *h = header(referral_days);
	ip_buf_puts(&b, h);
	free(h);
	while (c->base.ok || changes.ok) {
		int order = !changes.ok ? -1 : !c->base.ok ? 1 : strcmp(c->base.path, changes.path);
		if (order < 0 && was_base_hit(c, c->base.n - 1))
			put_entry(&b, &c->base);
		if (order >= 0 && before(changes.st.mtime_s, changes.st.mtime_ns, changes.written))
			put_entry(&b, &changes);
		if (order <= 0)
			next_entry(&c->base);
		if (order >= 0)
			next_entry(&changes);
		if (b.len >= 1 << 16) {
			ip_stream_write(&out, b.s, b.len);
			b.len = 0;
		}
	}
	ip_stream_write(&out, b.s, b.len);
	ip_buf_free(&b);
	/* a damaged cache or changes: what could be read, and no more */
	int rc = ip_stream_commit(&out);
	if (!rc)
		unlink(c->changes_path);
	reader_close(&changes);
	return rc;
}

/* Write what the run found different: the whole cache, or the changes
 * and, when they have grown or a file the cache names is gone, the cache
 * with them folded in. */
static int cache_close(struct cache *c, int referral_days)
{
	int rc = IP_EXIT_OK;
	struct reader *kept = c->to_changes ? &c->changes : &c->base;
	/* a warm run over an unchanged repository leaves the cache as it is;
	 * one whose files are all there but fewer (some gone) writes the hits;
	 * files that could not be read have no entry and are read next time */
	bool all_used = reader_all_used(kept);
	if (!c->w.open && (kept->f || !c->to_changes) && !all_used)
		cache_start(c, referral_days, kept->used_end);
	off_t changes_size = c->w.open ? c->w.entries : c->changes.size;
	if (c->w.open && c->to_changes && !c->w.entries) {
		ip_stream_abort(&c->w.out);  /* nothing changed after all */
		unlink(c->changes_path);
	} else if (c->w.open) {
		rc = ip_stream_commit(&c->w.out);
	}
	if (!c->to_changes) {
		/* its hits are in the cache now (they made it differ) */
		if (c->changes.f && !rc)
			unlink(c->changes_path);
	} else if (!rc) {
		reader_finish(&c->base);
		if (c->base.gone || !c->base.eof || changes_size * FOLD_AT > c->base.size)
			rc = cache_fold(c, referral_days);
	}
	reader_close(&c->base);
	reader_close(&c->changes);
	free(c->changes_path);
	free(c->base_hits);
	return rc;
}

void ip_scan_cache_remove(const char *cache)
{
	char *changes = ip_xasprintf("%s.changes", cache);
	unlink(cache);
	unlink(changes);
	free(changes);
}

/* ---- parsing in threads ------------------------------------------------- */

struct slot {
	const char *path;
	struct stat st;
	bool stat_ok;
	char *facts;   /* the facts line, '\n' included */
	char *entry;   /* a hit: its whole cache entry, facts pointing into it */
	bool in_changes; /* the hit was in the cache's changes */
	int rc;
	struct ip_buf messages;  /* what reading it said, printed in order */
};

struct chunk {
	struct ip_scan *s;
	struct slot *slots;
};

/* A thread writes each file's facts in one buffer it keeps, and the line
 * is copied out at its length: a buffer per file held 4 KiB for a line of
 * a few hundred bytes, 8 MiB for a chunk of 2,048 (massif, the peak of a
 * report over 20,000 cases), more than the rest of the heap. */
static _Thread_local struct ip_buf facts_line;
/* The lists of a tree's facts (ip_facts_read): reset for every file. */
static _Thread_local struct ip_arena facts_arena;

static char *facts_line_of(const struct ip_scan *s, const struct ip_case_facts *f)
{
	facts_line.len = 0;
	ip_buf_add(&facts_line, "", 0);
	ip_facts_of(f, s->referral_days, &facts_line);
	return memcpy(ip_xmalloc(facts_line.len + 1), facts_line.s, facts_line.len + 1);
}

static char *facts_of_tree(const struct ip_scan *s, const json_t *c)
{
	struct ip_case_facts f;
	ip_arena_reset(&facts_arena);
	ip_facts_read(c, &facts_arena, &f);
	return facts_line_of(s, &f);
}

/* The file read once: one pass over its events (ip_onepass.h); where
 * that is not sure, the careful way over the same text, which says what
 * is wrong. */
static void parse_slot(struct ip_scan *s, struct slot *sl)
{
	struct ip_docs docs = {0};
	char *buf;
	size_t len;
	const char *name = ip_input_name(sl->path);
	/* the text and the tree live in the thread's scratch: the facts line
	 * does not */
	ip_scratch_begin();
	ip_diag_capture(&sl->messages);
	sl->rc = ip_read_scratch(sl->path, s->run.lim.max_bytes, &buf, &len, NULL);
	if (!sl->rc) {
		struct ip_case_facts f;
		if (s->onepass && ip_onepass_case(name, buf, len, &s->run.lim, NULL, NULL, &f)) {
			sl->facts = facts_line_of(s, &f);
		} else if (!(sl->rc = ip_case_parse(name, buf, len, &s->run.lim, &docs))) {
			sl->facts = facts_of_tree(s, docs.v[0].root);
		}
		ip_scratch_free(buf);
	}
	ip_docs_free(&docs);
	ip_diag_capture(NULL);
	ip_scratch_end();
}

static void parse_item(size_t i, void *ctx)
{
	struct chunk *c = ctx;
	if (!c->slots[i].facts)
		parse_slot(c->s, &c->slots[i]);
}

/* What a thread kept for the files it read. */
static void thread_done(void)
{
	ip_buf_free(&facts_line);
	ip_arena_free(&facts_arena);
	ip_scratch_release();
	ip_onepass_release();
}

/* ---- the run ------------------------------------------------------------ */

static bool cacheable(const struct slot *sl)
{
	return sl->stat_ok && sl->facts && !strpbrk(sl->path, "\t\n");
}

/* path, size, mtime, ctime, inode and the facts line, tab-separated;
 * read back by next_entry */
static void write_entry(struct ip_buf *out, const struct slot *sl)
{
	struct stamp st = stamp_of(&sl->st);
	ip_buf_puts(out, sl->path);
	ip_buf_add(out, "\t", 1);
	ip_buf_put_number(out, st.size, 0, '\t');
	ip_buf_put_number(out, st.mtime_s, 0, '.');
	ip_buf_put_number(out, st.mtime_ns, 9, '\t');
	ip_buf_put_number(out, st.ctime_s, 0, '.');
	ip_buf_put_number(out, st.ctime_ns, 9, '\t');
	ip_buf_put_number(out, st.ino, 0, '\t');
	ip_buf_puts(out, sl->facts);
}

static int run_chunk(struct ip_scan *s, struct cache *c, char **paths, size_t n)
{
	struct slot *slots = ip_xcalloc(n, sizeof *slots);
	int rc = IP_EXIT_OK;
	size_t to_parse = 0;
	bool from_changes = false;
	off_t clean_end = cache_clean_end(c);
	for (size_t i = 0; i < n; i++) {
		struct slot *sl = &slots[i];
		sl->path = paths[i];
		/* the stamp is only for the cache: with none (--no-cache, or
		 * no repository) a file is not stat'ed before it is read */
		sl->stat_ok = s->cache && strcmp(sl->path, "-") && lstat(sl->path, &sl->st) == 0 &&
		              S_ISREG(sl->st.st_mode);
		if (sl->stat_ok)
			sl->facts = cache_lookup(c, sl->path, &sl->st, &sl->entry, &sl->in_changes);
		from_changes |= sl->in_changes;
		to_parse += !sl->facts;
	}
	if (to_parse) {
		ip_case_warm_up(s->threads);
		ip_parallel(n, s->threads, parse_item, thread_done, &(struct chunk){s, slots});
	}
	if (cache_differs(c, to_parse, from_changes)) /* the first difference */
		cache_start(c, s->referral_days, clean_end);
	bool write = c->w.open;
	struct ip_buf entries = {0};  /* one write per chunk */
	size_t failed = 0;            /* of those parsed: an entry of the cache never fails */
	for (size_t i = 0; i < n; i++) {
		struct slot *sl = &slots[i];
		char *fields[IP_NFACTS];
		s->files++;
		ip_diag_flush(&sl->messages);
		if (sl->rc || !sl->facts) {
			failed++;
			rc = ip_exit_merge(rc, sl->rc ? sl->rc : IP_EXIT_DATAERR);
		} else {
			/* the changes hold what differs from the cache */
			if (write && sl->entry && (!c->to_changes || sl->in_changes))
				ip_buf_puts(&entries, sl->entry);
			else if (write && !sl->entry && cacheable(sl))
				write_entry(&entries, sl);
			sl->facts[strcspn(sl->facts, "\n")] = '\0';
			if (ip_facts_split(sl->facts, fields))
				s->fn(fields, s->ctx);
		}
		free(sl->entry ? sl->entry : sl->facts);
	}
	if (entries.len)
		writer_write(&c->w, entries.s, entries.len);
	ip_buf_free(&entries);
	s->parsed += to_parse - failed;
	s->failed += failed;
	s->cached += n - to_parse;
	free(slots);
	return rc;
}

int ip_scan_run(struct ip_scan *s, char **operands, int n)
{
	struct ip_paths p = {0};
	s->onepass = ip_onepass_enabled();
	struct ip_inputs in = ip_run_inputs(&s->run, operands, n, true);
	in.unsorted = true;  /* sorted here, whole: the cache's order */
	int rc = ip_inputs_walk(&in, ip_paths_add, &p);
	ip_paths_sort(&p);
	struct cache c;
	cache_open(&c, s->cache, s->referral_days, s->run.quiet);
	struct ip_progress progress;
	ip_progress_begin(&progress, s->run.progress, _("cases read"), p.n);
	for (size_t i = 0; i < p.n; i += CHUNK) {
		size_t n_chunk = p.n - i < CHUNK ? p.n - i : CHUNK;
		rc = ip_exit_merge(rc, run_chunk(s, &c, p.v + i, n_chunk));
		ip_progress_add(&progress, n_chunk);
	}
	ip_progress_end(&progress);
	rc = ip_exit_merge(rc, cache_close(&c, s->referral_days));
	ip_paths_free(&p);
	return rc;
}
