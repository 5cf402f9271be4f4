#include "ip_persons.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_grammar.h"
#include "ip_match.h"
#include "ip_onepass.h"
#include "ip_write.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_HEADER "integplan-persons 3"
#define KEY_BYTES 32

/* What the index keeps of a person: keyed hashes only. exact and near
 * are ip_match's keys; birth, swapped and year tell, within the persons
 * of one near key, which may match without reading their cases: the birth
 * date, the date with day and month swapped, and (for a 1 January) the
 * near key itself, so two dates match when birth equals birth or swapped,
 * or when either year is the one of the near key. "-" for an erased case. */
struct keys {
	char exact[33], near[33];
	char birth[17], swapped[17], year[17];
};

struct entry {
	char *name;          /* its file in cases/; NULL: opened in this run, not written yet */
	char *id;
	long long mtime, size;
	struct keys k;
	json_t *person;      /* of a case opened in this run, else NULL */
};

struct ip_persons {
	const struct ip_repo *repo;
	struct ip_match *match;
	char *cache;              /* the cache directory; NULL: none to keep */
	struct ip_lock lock;
	bool locked, dirty;
	uint8_t key[KEY_BYTES];
	char key_check[33];       /* names the key in the index's header */
	struct entry *v;          /* the persons */
	size_t n, cap;
	json_t *by_exact;         /* exact hash -> index in v */
	json_t *by_near;          /* near hash -> [index in v] */
	/* The keys of the person last asked about: an intake asks find,
	 * near and add of one case in turn, and folding, transliterating and
	 * hashing a person is the costly part. Held, so the address is not
	 * another person's later. */
	json_t *asked;
	struct keys asked_keys;
};

/* ---- the secret and the lock -------------------------------------------- */

static bool from_hex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned byte;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return false;
		out[i] = (uint8_t)byte;
	}
	return hex[2 * n] == '\n' || hex[2 * n] == '\0';
}

/* A new key file, made private from the start. Written in place, not
 * renamed into it: a crash that leaves half a key makes the next run
 * make another and rebuild the index, which is only a cache. */
static bool write_key(const char *path, const char *text, size_t n)
{
	unlink(path);  /* one that is not a key */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok)
		unlink(path);
	return ok;
}

/* This clone's secret: read from the cache, or made (0600) when there is
 * none or it is not one; without a cache, one for this run. */
static void take_key(struct ip_persons *p)
{
	char *path = p->cache ? ip_xasprintf("%s/persons.key", p->cache) : NULL;
	char text[2 * KEY_BYTES + 2] = "";
	FILE *f = path ? fopen(path, "re") : NULL;
	bool have = f && fgets(text, sizeof text, f) && strlen(text) >= 2 * KEY_BYTES &&
	            from_hex(text, p->key, KEY_BYTES);
	if (f)
		fclose(f);
	if (!have) {
		while (getrandom(p->key, sizeof p->key, 0) != (ssize_t)sizeof p->key)
			;
		ip_hex(p->key, KEY_BYTES, text);
		text[2 * KEY_BYTES] = '\n';
		if (path && !write_key(path, text, 2 * KEY_BYTES + 1))
			ip_warn(NULL, "the key of the index of persons was not saved");
	}
	ip_keyed_hash(p->key, sizeof p->key, INDEX_HEADER, p->key_check);
	free(path);
}

/* The index's lock file, made when missing, then locked. */
static int take_lock(struct ip_persons *p)
{
	char *path = ip_xasprintf("%s/persons.lock", p->cache);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	int rc = ip_lock_acquire(path, &p->lock);
	p->locked = rc == IP_EXIT_OK;
	free(path);
	return rc;
}

/* ---- keys --------------------------------------------------------------- */

static void short_hash(const struct ip_persons *p, const char *what, const char *s,
                       char out[17])
{
	char *text = ip_xasprintf("%s\x1f%s", what, s);
	char full[33];
	ip_keyed_hash(p->key, sizeof p->key, text, full);
	memcpy(out, full, 16);
	out[16] = '\0';
	free(text);
}

static void person_keys(const struct ip_persons *p, const json_t *person, struct keys *k)
{
	char *exact = ip_match_exact_key(person), *near = ip_match_near_key(p->match, person);
	ip_keyed_hash(p->key, sizeof p->key, exact, k->exact);
	ip_keyed_hash(p->key, sizeof p->key, near, k->near);
	const char *birth = ip_str(person, "birth_date") ? ip_str(person, "birth_date") : "";
	char swapped[11];
	ip_match_swapped(birth, swapped);
	short_hash(p, "birth", birth, k->birth);
	short_hash(p, "birth", swapped, k->swapped);
	if (ip_match_year_only(birth))
		short_hash(p, "year", k->near, k->year);
	else
		short_hash(p, "day", birth, k->year);
	free(exact);
	free(near);
}

/* The keys of the person of case c (see asked). */
static const struct keys *keys_of(struct ip_persons *p, const json_t *c)
{
	json_t *person = json_object_get(c, "person");
	if (person != p->asked) {
		json_decref(p->asked);
		p->asked = json_incref(person);
		person_keys(p, person, &p->asked_keys);
	}
	return &p->asked_keys;
}

static void erased_keys(struct keys *k)
{
	strcpy(k->exact, "-");
	strcpy(k->near, "-");
	strcpy(k->birth, "-");
	strcpy(k->swapped, "-");
	strcpy(k->year, "-");
}

/* May persons a and b of one near key match by their birth dates?
 * year_only is the year hash a 1 January has under that near key. */
static bool births_may_match(const struct keys *a, const struct keys *b, const char *year_only)
{
	return !strcmp(a->birth, b->birth) || !strcmp(a->birth, b->swapped) ||
	       !strcmp(a->year, year_only) || !strcmp(b->year, year_only);
}

/* ---- the index ---------------------------------------------------------- */

static struct entry *new_entry(struct ip_persons *p)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->v = ip_xrealloc(p->v, p->cap * sizeof *p->v);
	}
	struct entry *e = &p->v[p->n++];
	memset(e, 0, sizeof *e);
	return e;
}

static void free_entry(struct entry *e)
{
	free(e->name);
	free(e->id);
	json_decref(e->person);
}

static char *index_path(const struct ip_persons *p)
{
	return ip_xasprintf("%s/persons.tsv", p->cache);
}

/* One line of the index into e; false when it is not one. */
static bool parse_line(char *line, struct entry *e)
{
	char *f[9];
	size_t n = 0;
	for (char *s = line, *tab; n < 9; s = tab + 1) {
		f[n++] = s;
		if (!(tab = strchr(s, n < 9 ? '\t' : '\n')))
			break;
		*tab = '\0';
	}
	if (n != 9 || !*f[0] || strlen(f[3]) > 32 || strlen(f[4]) > 32 || strlen(f[5]) > 16 ||
	    strlen(f[6]) > 16 || strlen(f[7]) > 16 || !ip_case_id_valid(f[8]))
		return false;
	char *end1, *end2;
	e->mtime = strtoll(f[1], &end1, 10);
	e->size = strtoll(f[2], &end2, 10);
	if (*end1 || *end2)
		return false;
	e->name = ip_xstrdup(f[0]);
	e->id = ip_xstrdup(f[8]);
	strcpy(e->k.exact, f[3]);
	strcpy(e->k.near, f[4]);
	strcpy(e->k.birth, f[5]);
	strcpy(e->k.swapped, f[6]);
	strcpy(e->k.year, f[7]);
	return true;
}

/* The entries of the index, unless it was made with another key. */
static void read_index(struct ip_persons *p)
{
	char *path = index_path(p);
	FILE *f = fopen(path, "re");
	free(path);
	if (!f)
		return;
	char line[1024], header[sizeof INDEX_HEADER + 34];
	snprintf(header, sizeof header, INDEX_HEADER " %s\n", p->key_check);
	if (fgets(line, sizeof line, f) && !strcmp(line, header)) {
		while (fgets(line, sizeof line, f)) {
			struct entry *e = new_entry(p);
			if (!parse_line(line, e))
				p->n--;
		}
	}
	fclose(f);
}

static long long mtime_ns(const struct stat *st)
{
	return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static bool is_case_name(const char *n)
{
	const char *dot = strrchr(n, '.');
	return n[0] != '.' && dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".json"));
}

/* The case in file name of cases/, or NULL when it cannot be read; the
 * caller lets go of it. */
static json_t *read_case(const struct ip_persons *p, const char *name)
{
	/* what an entry and a pair are made of; the rest is checked, not
	 * built (an erased case is read the careful way) */
	static const char *const person[] = {"id", "person", "links", "erased", NULL};
	static const struct ip_onepass_keys person_only = {true, person};
	const struct ip_limits *lim = &p->repo->lim;
	char *path = ip_xasprintf("%s/%s", p->repo->cases, name);
	char *buf;
	size_t len;
	json_t *c = NULL;
	/* the one pass where it is sure (a repository's first index reads
	 * every case), else the careful way: a broken case is ip-check's
	 * business, and has a person here if it has one at all */
	if (ip_read_all(path, lim->max_bytes, &buf, &len) == 0) {
		if (!ip_onepass_enabled() ||
		    !ip_onepass_case(path, buf, len, lim, &person_only, &c, NULL)) {
			struct ip_docs docs = {0};
			if (ip_docs_parse(ip_input_name(path), buf, len, IP_SYNTAX_AUTO, lim, &docs) == 0 &&
			    docs.n == 1)
				c = json_incref(docs.v[0].root);
			ip_docs_free(&docs);
		}
		free(buf);
	}
	free(path);
	return c;
}

/* The entry of file name as it is now: the old one (taken out of old)
 * when the file did not change, else made from the case. */
static void refresh(struct ip_persons *p, struct entry *old, const json_t *old_names,
                    const char *name)
{
	char *path = ip_xasprintf("%s/%s", p->repo->cases, name);
	struct stat st;
	bool regular = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	if (!regular)
		return;
	json_t *at = json_object_get(old_names, name);
	struct entry *had = at ? &old[json_integer_value(at)] : NULL;
	if (had && had->name && had->mtime == mtime_ns(&st) && had->size == (long long)st.st_size) {
		*new_entry(p) = *had;
		had->name = had->id = NULL;  /* moved */
		return;
	}
	p->dirty = true;
	json_t *c = read_case(p, name);
	const char *id = ip_str(c, "id");
	if (id) {
		struct entry *e = new_entry(p);
		e->name = ip_xstrdup(name);
		e->id = ip_xstrdup(id);
		e->mtime = mtime_ns(&st);
		e->size = (long long)st.st_size;
		if (json_object_get(c, "erased"))  /* no person to find */
			erased_keys(&e->k);
		else
			person_keys(p, json_object_get(c, "person"), &e->k);
	}
	json_decref(c);
}

/* The entries of the files of cases/ now, from the index read (p->v). */
static void scan_cases(struct ip_persons *p)
{
	struct entry *old = p->v;
	size_t old_n = p->n;
	json_t *old_names = json_object();
	for (size_t i = 0; i < old_n; i++)
		json_object_set_new(old_names, old[i].name, json_integer((json_int_t)i));
	p->v = NULL;
	p->n = p->cap = 0;
	DIR *d = opendir(p->repo->cases);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (is_case_name(e->d_name))
			refresh(p, old, old_names, e->d_name);
	if (d)
		closedir(d);
	if (p->n != old_n)
		p->dirty = true; /* files came or went */
	for (size_t i = 0; i < old_n; i++)
		free_entry(&old[i]);
	free(old);
	json_decref(old_names);
}

static void index_entry(struct ip_persons *p, size_t i)
{
	const struct keys *k = &p->v[i].k;
	if (!strcmp(k->exact, "-"))
		return;
	json_object_set_new(p->by_exact, k->exact, json_integer((json_int_t)i));
	json_t *group = json_object_get(p->by_near, k->near);
	if (!group)
		json_object_set_new(p->by_near, k->near, group = json_array());
	json_array_append_new(group, json_integer((json_int_t)i));
}

int ip_persons_load(const struct ip_repo *repo, bool lock, struct ip_persons **out)
{
	struct ip_persons *p = ip_xcalloc(1, sizeof *p);
	p->repo = repo;
	p->lock.fd = -1;
	p->by_exact = json_object();
	p->by_near = json_object();
	*out = p;
	int rc = ip_repo_cache_dir(repo, &p->cache);
	if (!rc && lock && p->cache)
		rc = take_lock(p);
	if (!rc)
		rc = ip_match_load(NULL, &repo->lim, &p->match);
	if (rc)
		return rc;
	take_key(p);
	if (p->cache)
		read_index(p);
	scan_cases(p);
	for (size_t i = 0; i < p->n; i++)
		index_entry(p, i);
	return IP_EXIT_OK;
}

/* ---- finding ------------------------------------------------------------ */

/* The person of entry e: kept (opened in this run), else read from its
 * file; *c holds what to let go of. NULL for an erased or unreadable one. */
static const json_t *person_of(const struct ip_persons *p, const struct entry *e, json_t **c)
{
	*c = NULL;
	if (!e->name)
		return e->person;
	*c = read_case(p, e->name);
	return json_object_get(*c, "erased") ? NULL : json_object_get(*c, "person");
}

static struct entry *entry_at(const struct ip_persons *p, const json_t *index)
{
	return &p->v[json_integer_value(index)];
}

const char *ip_persons_find(struct ip_persons *p, const json_t *c)
{
	json_t *hit = json_object_get(p->by_exact, keys_of(p, c)->exact);
	if (!hit)
		return NULL;
	const struct entry *e = entry_at(p, hit);
	/* opened in this run, or confirmed by the file */
	if (!e->name)
		return e->id;
	json_t *other;
	const json_t *person = person_of(p, e, &other);
	struct ip_match_why why = ip_match_compare(p->match, person,
	                                           json_object_get(c, "person"));
	json_decref(other);
	return person && ip_match_same(&why) ? e->id : NULL;
}

static int by_case(const void *a, const void *b)
{
	return strcmp(ip_str(*(json_t *const *)a, "case"), ip_str(*(json_t *const *)b, "case"));
}

static json_t *reasons(const struct ip_match_why *why)
{
	struct ip_buf words = {0};
	ip_match_explain(why, &words);
	json_t *s = json_string(words.s ? words.s : "");
	ip_buf_free(&words);
	return s;
}

json_t *ip_persons_near(struct ip_persons *p, const json_t *c)
{
	const struct keys *k = keys_of(p, c);
	const json_t *person = json_object_get(c, "person");
	char year_only[17];
	short_hash(p, "year", k->near, year_only);
	json_t *found = json_array();
	size_t i;
	json_t *at;
	json_array_foreach(json_object_get(p->by_near, k->near), i, at) {
		const struct entry *e = entry_at(p, at);
		if (!births_may_match(k, &e->k, year_only))
			continue;
		json_t *other;
		const json_t *theirs = person_of(p, e, &other);
		struct ip_match_why why = ip_match_compare(p->match, theirs, person);
		if (theirs && ip_match_near(&why))
			json_array_append_new(found, json_pack("{s:s, s:o}", "case", e->id,
			                                       "why", reasons(&why)));
		json_decref(other);
	}
	json_t *sorted = ip_json_sorted(found, by_case);
	json_decref(found);
	return sorted;
}

void ip_persons_add(struct ip_persons *p, const json_t *c)
{
	struct entry *e = new_entry(p);
	e->id = ip_xstrdup(ip_str(c, "id"));
	e->person = json_incref(json_object_get(c, "person"));
	e->k = *keys_of(p, c);
	index_entry(p, p->n - 1);
}

/* ---- a whole repository ------------------------------------------------- */

/* Does case c link to case id in a way that says who they are? */
static bool links_to(const json_t *c, const char *id)
{
	static const char *const known[] = {"repeat-return", "transferred", "not-same-person"};
	size_t i;
	json_t *link;
	json_array_foreach(json_object_get(c, "links"), i, link) {
		if (strcmp(ip_str(link, "case") ? ip_str(link, "case") : "", id))
			continue;
		for (size_t k = 0; k < sizeof known / sizeof *known; k++)
			if (ip_str(link, "relation") && !strcmp(ip_str(link, "relation"), known[k]))
				return true;
	}
	return false;
}

static int by_cases(const void *a, const void *b)
{
	const json_t *x = json_object_get(*(json_t *const *)a, "cases");
	const json_t *y = json_object_get(*(json_t *const *)b, "cases");
	int d = strcmp(json_string_value(json_array_get(x, 0)), json_string_value(json_array_get(y, 0)));
	return d ? d : strcmp(json_string_value(json_array_get(x, 1)),
	                      json_string_value(json_array_get(y, 1)));
}

/* Case i of a group, read once. */
static json_t *group_case(const struct ip_persons *p, const json_t *group, json_t **cases,
                          size_t i)
{
	if (!cases[i])
		cases[i] = read_case(p, entry_at(p, json_array_get(group, i))->name);
	return cases[i];
}

/* Cases a and b as a pair, unless a link explains them or they do not
 * match after all. */
static void add_pair(const struct ip_persons *p, const json_t *a, const json_t *b,
                     json_t *pairs)
{
	const char *x = ip_str(a, "id"), *y = ip_str(b, "id");
	if (!x || !y || json_object_get(a, "erased") || json_object_get(b, "erased") ||
	    links_to(a, y) || links_to(b, x))
		return;
	struct ip_match_why why = ip_match_compare(p->match, json_object_get(a, "person"),
	                                           json_object_get(b, "person"));
	if (!ip_match_same(&why) && !ip_match_near(&why))
		return;
	bool order = strcmp(x, y) < 0;
	json_array_append_new(pairs, json_pack("{s:[ss], s:o}", "cases", order ? x : y,
	                                       order ? y : x, "why", reasons(&why)));
}

/* The pairs within one group of cases that share a near key; only the
 * cases whose birth dates may match are read. */
static void group_pairs(struct ip_persons *p, const char *near, const json_t *group,
                        json_t *pairs)
{
	char year_only[17];
	short_hash(p, "year", near, year_only);
	size_t n = json_array_size(group);
	json_t **cases = ip_xcalloc(n, sizeof *cases);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const struct entry *a = entry_at(p, json_array_get(group, i));
			const struct entry *b = entry_at(p, json_array_get(group, j));
			if (a->name && b->name && births_may_match(&a->k, &b->k, year_only))
				add_pair(p, group_case(p, group, cases, i), group_case(p, group, cases, j),
				         pairs);
		}
	for (size_t i = 0; i < n; i++)
		json_decref(cases[i]);
	free(cases);
}

json_t *ip_persons_pairs(struct ip_persons *p)
{
	json_t *pairs = json_array();
	const char *near;
	json_t *group;
	json_object_foreach(p->by_near, near, group)
		if (json_array_size(group) > 1)
			group_pairs(p, near, group, pairs);
	json_t *sorted = ip_json_sorted(pairs, by_cases);
	json_decref(pairs);
	return sorted;
}

/* ---- keeping ------------------------------------------------------------ */

/* The cases this run opened, once written: in the index as they are, so
 * the next run need not read them. */
static void take_added(struct ip_persons *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct entry *e = &p->v[i];
		if (e->name)
			continue;
		char *path = ip_repo_case_path(p->repo, e->id);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			e->name = ip_xstrdup(strrchr(path, '/') + 1);
			e->mtime = mtime_ns(&st);
			e->size = (long long)st.st_size;
			p->dirty = true;
		}
		free(path);
	}
}

static int by_name(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a, *y = *(const struct entry *const *)b;
	return strcmp(x->name, y->name);
}

void ip_persons_save(struct ip_persons *p)
{
	take_added(p);
	if (!p->dirty || !p->cache)
		return;
	char *path = index_path(p);
	struct ip_buf b = {0};
	ip_buf_printf(&b, INDEX_HEADER " %s\n", p->key_check);
	/* in name order, so that the file is the same for the same cases */
	const struct entry **sorted = ip_xcalloc(p->n + 1, sizeof *sorted);
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].name)
			sorted[n++] = &p->v[i];
	qsort(sorted, n, sizeof *sorted, by_name);
	for (size_t i = 0; i < n; i++) {
		const struct entry *e = sorted[i];
		ip_buf_printf(&b, "%s\t%lld\t%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", e->name, e->mtime,
		              e->size, e->k.exact, e->k.near, e->k.birth, e->k.swapped, e->k.year,
		              e->id);
	}
	if (ip_write_file(path, b.s, b.len, false))
		ip_warn(NULL, "the index of persons was not saved; the next run reads all cases");
	p->dirty = false;
	free(sorted);
	ip_buf_free(&b);
	free(path);
}

void ip_persons_free(struct ip_persons *p)
{
	if (!p)
		return;
	if (p->locked)
		ip_lock_release(&p->lock);
	ip_match_free(p->match);
	for (size_t i = 0; i < p->n; i++)
		free_entry(&p->v[i]);
	free(p->v);
	json_decref(p->by_exact);
	json_decref(p->by_near);
	json_decref(p->asked);
	free(p->cache);
	explicit_bzero(p->key, sizeof p->key);
	free(p);
}
