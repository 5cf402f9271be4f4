#include "ip_persons.h"
#include "ip_digest.h"
#include "ip_doc.h"
#include "ip_diag.h"
#include "ip_emit.h"
#include "ip_write.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INDEX_HEADER "integplan-persons 1"

struct ip_persons {
	const struct ip_repo *repo;
	json_t *files;   /* file name -> [mtime_ns, size, hash, id] */
	json_t *by_hash; /* hash -> [file name or null, id] */
	bool dirty;
};

/* The person of a case as one string; the caller frees. */
static char *person_key(const json_t *c)
{
	json_t *p = json_object_get(c, "person");
	const char *parts[4] = {
		ip_str(p, "given"),
		ip_str(p, "family"),
		ip_str(p, "birth_date"),
		json_string_value(json_array_get(json_object_get(p, "nationality"), 0)),
	};
	struct ip_buf b = {0};
	for (int i = 0; i < 4; i++) {
		for (const char *s = parts[i] ? parts[i] : ""; *s; s++) {
			char ch = *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s;
			ip_buf_add(&b, &ch, 1);
		}
		ip_buf_add(&b, "\x1f", 1);
	}
	return b.s;
}

/* FNV-1a, 64 bits, as 16 hex digits: enough to tell 300,000 people apart
 * by chance only once in billions of repositories, and every hit is
 * checked against the case anyway. */
static void person_hash(const json_t *c, char out[17])
{
	char *key = person_key(c);
	snprintf(out, 17, "%016" PRIx64, ip_fnv1a(key, IP_FNV_BASIS));
	free(key);
}

static char *index_path(const struct ip_repo *r)
{
	return ip_xasprintf("%s/.integplan/cache/persons.tsv", r->dir);
}

static void read_index(struct ip_persons *p)
{
	char *path = index_path(p->repo);
	FILE *f = fopen(path, "re");
	free(path);
	if (!f)
		return;
	char line[1024], name[512], hash[17], id[64];
	long long mtime, size;
	if (fgets(line, sizeof line, f) && !strcmp(line, INDEX_HEADER "\n")) {
		while (fgets(line, sizeof line, f)) {
			if (sscanf(line, "%511[^\t]\t%lld\t%lld\t%16[0-9a-f]\t%63[^\n]", name,
			           &mtime, &size, hash, id) == 5)
				json_object_set_new(p->files, name,
				                    json_pack("[IIss]", (json_int_t)mtime,
				                              (json_int_t)size, hash, id));
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

/* Bring one file's entry up to date: reuse it if the file did not change. */
static void refresh(struct ip_persons *p, json_t *fresh, const char *name)
{
	char *path = ip_xasprintf("%s/%s", p->repo->cases, name);
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		free(path);
		return;
	}
	json_t *old = json_object_get(p->files, name);
	if (old && json_integer_value(json_array_get(old, 0)) == mtime_ns(&st) &&
	    json_integer_value(json_array_get(old, 1)) == (json_int_t)st.st_size) {
		json_object_set(fresh, name, old);
		free(path);
		return;
	}
	p->dirty = true;
	struct ip_docs docs = {0};
	/* a broken case is ip-check's business; it just has no person here */
	if (ip_docs_load(path, IP_SYNTAX_AUTO, &p->repo->lim, &docs) == 0 && docs.n == 1) {
		const char *id = ip_str(docs.v[0].root, "id");
		char hash[17] = "-";  /* an erased case has no person to find */
		if (!json_object_get(docs.v[0].root, "erased"))
			person_hash(docs.v[0].root, hash);
		if (id)
			json_object_set_new(fresh, name, json_pack("[IIss]", (json_int_t)mtime_ns(&st),
			                                           (json_int_t)st.st_size, hash, id));
	}
	ip_docs_free(&docs);
	free(path);
}

struct ip_persons *ip_persons_load(const struct ip_repo *repo)
{
	struct ip_persons *p = ip_xcalloc(1, sizeof *p);
	p->repo = repo;
	p->files = json_object();
	p->by_hash = json_object();
	read_index(p);
	json_t *fresh = json_object();
	DIR *d = opendir(repo->cases);
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
	const char *name;
	json_t *entry;
	json_object_foreach(p->files, name, entry)
		json_object_set_new(p->by_hash, json_string_value(json_array_get(entry, 2)),
		                    json_pack("[ss]", name, json_string_value(json_array_get(entry, 3))));
	return p;
}

/* Is the case in file name (in cases/) of the same person as c? */
static bool same_person(const struct ip_persons *p, const char *name, const json_t *c)
{
	char *path = ip_xasprintf("%s/%s", p->repo->cases, name);
	struct ip_docs docs = {0};
	bool same = false;
	if (ip_docs_load(path, IP_SYNTAX_AUTO, &p->repo->lim, &docs) == 0 && docs.n == 1) {
		char *a = person_key(docs.v[0].root), *b = person_key(c);
		same = !strcmp(a, b);
		free(a);
		free(b);
	}
	ip_docs_free(&docs);
	free(path);
	return same;
}

const char *ip_persons_find(struct ip_persons *p, const json_t *c)
{
	char hash[17];
	person_hash(c, hash);
	json_t *hit = json_object_get(p->by_hash, hash);
	if (!hit)
		return NULL;
	const char *name = json_string_value(json_array_get(hit, 0));
	/* opened in this run (no file yet), or confirmed by the file */
	if (!name || same_person(p, name, c))
		return json_string_value(json_array_get(hit, 1));
	return NULL;
}

void ip_persons_add(struct ip_persons *p, const json_t *c)
{
	char hash[17];
	person_hash(c, hash);
	json_object_set_new(p->by_hash, hash, json_pack("[ns]",
	                    ip_str(c, "id")));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void ip_persons_save(struct ip_persons *p)
{
	if (!p->dirty)
		return;
	char *dir = ip_xasprintf("%s/.integplan/cache", p->repo->dir);
	char *path = index_path(p->repo);
	struct ip_buf b = {0};
	ip_buf_puts(&b, INDEX_HEADER "\n");
	/* in name order, so that the file is the same for the same cases */
	const char **names = ip_xcalloc(json_object_size(p->files), sizeof *names);
	size_t n = 0;
	const char *name;
	json_t *entry;
	json_object_foreach(p->files, name, entry)
		names[n++] = name;
	qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		entry = json_object_get(p->files, names[i]);
		ip_buf_printf(&b, "%s\t%lld\t%lld\t%s\t%s\n", names[i],
		              (long long)json_integer_value(json_array_get(entry, 0)),
		              (long long)json_integer_value(json_array_get(entry, 1)),
		              json_string_value(json_array_get(entry, 2)),
		              json_string_value(json_array_get(entry, 3)));
	}
	if (ip_mkdir_private(dir) || ip_write_file(path, b.s, b.len, false))
		ip_warn(NULL, "the index of persons was not saved; the next run reads all cases");
	free(names);
	ip_buf_free(&b);
	free(path);
	free(dir);
}

void ip_persons_free(struct ip_persons *p)
{
	if (!p)
		return;
	json_decref(p->files);
	json_decref(p->by_hash);
	free(p);
}
