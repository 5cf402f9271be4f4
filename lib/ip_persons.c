#include "ip_persons.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_match.h"
#include "ip_write.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_HEADER "integplan-persons 2"
#define KEY_BYTES 32

struct ip_persons {
	const struct ip_repo *repo;
	struct ip_match *match;
	char *cache;              /* the cache directory; NULL: none to keep */
	struct ip_lock lock;
	bool locked, dirty;
	uint8_t key[KEY_BYTES];
	char key_check[33];       /* names the key in the index's header */
	json_t *files;            /* file name -> [mtime_ns, size, exact, near, id] */
	json_t *by_exact;         /* exact hash -> [file name or null, id] */
	json_t *by_near;          /* near hash -> [[file name or null, id, person or null]] */
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
		for (int i = 0; i < KEY_BYTES; i++)
			snprintf(text + 2 * i, 3, "%02x", p->key[i]);
		text[2 * KEY_BYTES] = '\n';
		if (path && ip_write_file(path, text, 2 * KEY_BYTES + 1, false))
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

/* ---- the index ---------------------------------------------------------- */

static void hashes(const struct ip_persons *p, const json_t *c, char exact[33], char near[33])
{
	const json_t *person = json_object_get(c, "person");
	char *e = ip_match_exact_key(person), *n = ip_match_near_key(p->match, person);
	ip_keyed_hash(p->key, sizeof p->key, e, exact);
	ip_keyed_hash(p->key, sizeof p->key, n, near);
	free(e);
	free(n);
}

static char *index_path(const struct ip_persons *p)
{
	return ip_xasprintf("%s/persons.tsv", p->cache);
}

/* The entries of the index, unless it was made with another key. */
static void read_index(struct ip_persons *p)
{
	char *path = index_path(p);
	FILE *f = fopen(path, "re");
	free(path);
	if (!f)
		return;
	char line[1024], name[512], exact[33], near[33], id[64];
	char header[sizeof INDEX_HEADER + 34];
	snprintf(header, sizeof header, INDEX_HEADER " %s\n", p->key_check);
	long long mtime, size;
	if (fgets(line, sizeof line, f) && !strcmp(line, header)) {
		while (fgets(line, sizeof line, f)) {
			if (sscanf(line, "%511[^\t]\t%lld\t%lld\t%32[0-9a-f-]\t%32[0-9a-f-]\t%63[^\n]",
			           name, &mtime, &size, exact, near, id) == 6)
				json_object_set_new(p->files, name,
				                    json_pack("[IIsss]", (json_int_t)mtime,
				                              (json_int_t)size, exact, near, id));
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
	char *path = ip_xasprintf("%s/%s", p->repo->cases, name);
	struct ip_docs docs = {0};
	json_t *c = NULL;
	/* a broken case is ip-check's business; it just has no person here */
	if (ip_docs_load(path, IP_SYNTAX_AUTO, &p->repo->lim, &docs) == 0 && docs.n == 1)
		c = json_incref(docs.v[0].root);
	ip_docs_free(&docs);
	free(path);
	return c;
}

/* Bring one file's entry up to date: reuse it if the file did not change. */
static void refresh(struct ip_persons *p, json_t *fresh, const char *name)
{
	char *path = ip_xasprintf("%s/%s", p->repo->cases, name);
	struct stat st;
	bool regular = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	if (!regular)
		return;
	json_t *old = json_object_get(p->files, name);
	if (old && json_integer_value(json_array_get(old, 0)) == mtime_ns(&st) &&
	    json_integer_value(json_array_get(old, 1)) == (json_int_t)st.st_size) {
		json_object_set(fresh, name, old);
		return;
	}
	p->dirty = true;
	json_t *c = read_case(p, name);
	const char *id = ip_str(c, "id");
	char exact[33] = "-", near[33] = "-";  /* an erased case has no person to find */
	if (id && !json_object_get(c, "erased"))
		hashes(p, c, exact, near);
	if (id)
		json_object_set_new(fresh, name, json_pack("[IIsss]", (json_int_t)mtime_ns(&st),
		                                           (json_int_t)st.st_size, exact, near, id));
	json_decref(c);
}

static void scan_cases(struct ip_persons *p)
{
	json_t *fresh = json_object();
	DIR *d = opendir(p->repo->cases);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (is_case_name(e->d_name))
			refresh(p, fresh, e->d_name);
	if (d)
		closedir(d);
	if (json_object_size(fresh) != json_object_size(p->files))
		p->dirty = true; /* files went away */
	json_decref(p->files);
	p->files = fresh;
}

static void add_near(struct ip_persons *p, const char *near, json_t *entry)
{
	json_t *list = json_object_get(p->by_near, near);
	if (!list)
		json_object_set_new(p->by_near, near, list = json_array());
	json_array_append_new(list, entry);
}

static void build_lookups(struct ip_persons *p)
{
	const char *name;
	json_t *entry;
	json_object_foreach(p->files, name, entry) {
		const char *exact = json_string_value(json_array_get(entry, 2));
		const char *near = json_string_value(json_array_get(entry, 3));
		json_t *id = json_array_get(entry, 4);
		if (!strcmp(exact, "-"))
			continue;
		json_object_set_new(p->by_exact, exact, json_pack("[sO]", name, id));
		add_near(p, near, json_pack("[sOn]", name, id));
	}
}

int ip_persons_load(const struct ip_repo *repo, bool lock, struct ip_persons **out)
{
	struct ip_persons *p = ip_xcalloc(1, sizeof *p);
	p->repo = repo;
	p->lock.fd = -1;
	p->files = json_object();
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
	build_lookups(p);
	return IP_EXIT_OK;
}

/* ---- finding ------------------------------------------------------------ */

/* The person of an entry of by_near or by_exact: kept in it (opened in this
 * run), else read from its file; c_out holds what to let go of. */
static const json_t *entry_person(const struct ip_persons *p, const json_t *entry,
                                  json_t **c_out)
{
	*c_out = NULL;
	const char *name = json_string_value(json_array_get(entry, 0));
	if (!name)
		return json_array_get(entry, 2);
	*c_out = read_case(p, name);
	return json_object_get(*c_out, "erased") ? NULL : json_object_get(*c_out, "person");
}

const char *ip_persons_find(struct ip_persons *p, const json_t *c)
{
	char exact[33], near[33];
	hashes(p, c, exact, near);
	json_t *hit = json_object_get(p->by_exact, exact);
	if (!hit)
		return NULL;
	/* opened in this run (no file yet), or confirmed by the file */
	if (!json_string_value(json_array_get(hit, 0)))
		return json_string_value(json_array_get(hit, 1));
	json_t *other;
	const json_t *person = entry_person(p, hit, &other);
	struct ip_match_why why = ip_match_compare(p->match, person,
	                                           json_object_get(c, "person"));
	json_decref(other);
	return person && ip_match_same(&why) ? json_string_value(json_array_get(hit, 1)) : NULL;
}

static int by_case(const void *a, const void *b)
{
	return strcmp(ip_str(*(json_t *const *)a, "case"), ip_str(*(json_t *const *)b, "case"));
}

/* The array's items sorted in place by key. */
static void sort_by(json_t *array, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(array), i;
	json_t **items = ip_xcalloc(n + 1, sizeof *items);
	for (i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(array, i));
	qsort(items, n, sizeof *items, cmp);
	json_array_clear(array);
	for (i = 0; i < n; i++)
		json_array_append_new(array, items[i]);
	free(items);
}

json_t *ip_persons_near(struct ip_persons *p, const json_t *c)
{
	char exact[33], near[33];
	hashes(p, c, exact, near);
	json_t *found = json_array();
	size_t i;
	json_t *entry;
	json_array_foreach(json_object_get(p->by_near, near), i, entry) {
		json_t *other;
		const json_t *person = entry_person(p, entry, &other);
		struct ip_match_why why = ip_match_compare(p->match, person,
		                                           json_object_get(c, "person"));
		if (person && ip_match_near(&why)) {
			struct ip_buf words = {0};
			ip_match_explain(&why, &words);
			json_array_append_new(found, json_pack("{s:O, s:s}", "case",
			                                       json_array_get(entry, 1), "why", words.s));
			ip_buf_free(&words);
		}
		json_decref(other);
	}
	sort_by(found, by_case);
	return found;
}

void ip_persons_add(struct ip_persons *p, const json_t *c)
{
	char exact[33], near[33];
	hashes(p, c, exact, near);
	json_t *id = json_object_get(c, "id");
	json_object_set_new(p->by_exact, exact, json_pack("[nO]", id));
	add_near(p, near, json_pack("[nOO]", id, json_object_get(c, "person")));
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

/* The pairs within one group of cases that share a near key. */
static void group_pairs(struct ip_persons *p, const json_t *group, json_t *pairs)
{
	size_t n = json_array_size(group);
	json_t **cases = ip_xcalloc(n, sizeof *cases);
	for (size_t i = 0; i < n; i++)
		cases[i] = read_case(p, json_string_value(json_array_get(json_array_get(group, i), 0)));
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const char *a = ip_str(cases[i], "id"), *b = ip_str(cases[j], "id");
			if (!a || !b || links_to(cases[i], b) || links_to(cases[j], a))
				continue;
			struct ip_match_why why = ip_match_compare(
				p->match, json_object_get(cases[i], "person"),
				json_object_get(cases[j], "person"));
			if (!ip_match_same(&why) && !ip_match_near(&why))
				continue;
			struct ip_buf words = {0};
			ip_match_explain(&why, &words);
			bool order = strcmp(a, b) < 0;
			json_array_append_new(pairs, json_pack("{s:[ss], s:s}", "cases", order ? a : b,
			                                       order ? b : a, "why", words.s));
			ip_buf_free(&words);
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
			group_pairs(p, group, pairs);
	sort_by(pairs, by_cases);
	return pairs;
}

/* ---- keeping ------------------------------------------------------------ */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void ip_persons_save(struct ip_persons *p)
{
	if (!p->dirty || !p->cache)
		return;
	char *path = index_path(p);
	struct ip_buf b = {0};
	ip_buf_printf(&b, INDEX_HEADER " %s\n", p->key_check);
	/* in name order, so that the file is the same for the same cases */
	const char **names = ip_xcalloc(json_object_size(p->files) + 1, sizeof *names);
	size_t n = 0;
	const char *name;
	json_t *entry;
	json_object_foreach(p->files, name, entry)
		names[n++] = name;
	qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		entry = json_object_get(p->files, names[i]);
		ip_buf_printf(&b, "%s\t%lld\t%lld\t%s\t%s\t%s\n", names[i],
		              (long long)json_integer_value(json_array_get(entry, 0)),
		              (long long)json_integer_value(json_array_get(entry, 1)),
		              json_string_value(json_array_get(entry, 2)),
		              json_string_value(json_array_get(entry, 3)),
		              json_string_value(json_array_get(entry, 4)));
	}
	if (ip_write_file(path, b.s, b.len, false))
		ip_warn(NULL, "the index of persons was not saved; the next run reads all cases");
	p->dirty = false;
	free(names);
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
	json_decref(p->files);
	json_decref(p->by_exact);
	json_decref(p->by_near);
	free(p->cache);
	explicit_bzero(p->key, sizeof p->key);
	free(p);
}
