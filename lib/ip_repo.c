#include "ip_repo.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_digest.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_git.h"
#include "ip_grammar.h"
#include "ip_referral.h"
#include "ip_schema.h"
#include "ip_sign.h"
#include "ip_vocab.h"
#include "ip_walk.h"
#include "ip_write.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIG ".integplan/config.yaml"
/* The centre's signing key, unless the config names another file. */
#define SIGNING_KEY ".integplan/signing.key"

static bool has_config(const char *dir)
{
	char *p = ip_xasprintf("%s/" CONFIG, dir);
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok;
}

bool ip_repo_exists(const char *dir)
{
	return has_config(dir);
}

/* Walk up from the working directory; stop at the root (a directory that
 * is its own parent). */
static char *walk_up(void)
{
	char *dir = ip_xstrdup(".");
	for (;;) {
		if (has_config(dir))
			return dir;
		char *parent = strcmp(dir, ".") ? ip_xasprintf("%s/..", dir)
		                                : ip_xstrdup("..");
		struct stat a, b;
		if (stat(dir, &a) != 0 || stat(parent, &b) != 0 ||
		    (a.st_dev == b.st_dev && a.st_ino == b.st_ino)) {
			free(parent);
			free(dir);
			return NULL;
		}
		free(dir);
		dir = parent;
	}
}

static size_t limit_or(json_t *limits, const char *key, size_t dflt)
{
	json_t *v = json_object_get(limits, key);
	return json_is_integer(v) && json_integer_value(v) > 0
	       ? (size_t)json_integer_value(v) : dflt;
}

/* The oldest case of a repository: the smallest case id among the files
 * in cases/ (ids sort by centre, year and a random code), or NULL. */
static char *first_case_id(const char *dir)
{
	char *cases = ip_xasprintf("%s/cases", dir);
	DIR *d = opendir(cases);
	char *first = NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.');
		if (!dot || (strcmp(dot, ".yaml") && strcmp(dot, ".json")))
			continue;
		char *id = ip_xasprintf("%.*s", (int)(dot - e->d_name), e->d_name);
		if (ip_case_id_valid(id) && (!first || strcmp(id, first) < 0)) {
			free(first);
			first = id;
		} else {
			free(id);
		}
	}
	if (d)
		closedir(d);
	free(cases);
	return first;
}

/* The config's repository id when it is one (NULL else; a bad one is
 * warned about at its place): the rest is derived when asked for. */
static char *config_id(const struct ip_repo *r, const struct ip_doc *config)
{
	const char *id = ip_str(r->config, "repository");
	if (id && ip_repository_id_valid(id))
		return ip_xstrdup(id);
	if (id) {
		struct ip_where w = ip_doc_where(config, "repository");
		ip_warn(&w, "'%s' is not a repository id (13 code characters); using one made "
		        "from the centre and its oldest case", id);
	}
	return NULL;
}

int ip_repo_cache_dir(const struct ip_repo *r, char **dir)
{
	*dir = NULL;
	char *path = ip_xasprintf("%s/.integplan/cache", r->dir);
	struct stat st;
	int rc = IP_EXIT_OK;
	/* a cache elsewhere could be read as this repository's */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "is a symbolic link; refusing to "
		         "read or write the cache through it");
		rc = IP_EXIT_CANTCREAT;
	} else if (ip_mkdir_private(path) == 0) {
		*dir = path;
		return IP_EXIT_OK;
	}
	free(path);
	return rc;
}

int ip_repo_report_cache(const struct ip_repo *r, char **path)
{
	char *dir;
	int rc = ip_repo_cache_dir(r, &dir);
	*path = dir ? ip_xasprintf("%s/report.tsv", dir) : NULL;
	free(dir);
	return rc;
}

/* A repository made before there were ids is named by its centre and its
 * oldest case, which its clones share wherever they are, so two clones'
 * reports are still one source; one without cases yet, by where it is.
 * Derived only when a report asks: it lists cases/. */
const char *ip_repo_id(struct ip_repo *r)
{
	if (r->id)
		return r->id;
	char *first = first_case_id(r->dir), *real = first ? NULL : realpath(r->dir, NULL);
	json_t *basis = first ? json_pack("[s?, s]", r->centre, first)
	                      : json_string(real ? real : r->dir);
	char digest[IP_DIGEST_SIZE];
	ip_digest_json(basis, digest);
	json_decref(basis);
	free(first);
	free(real);
	static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char code[14];
	for (int i = 0; i < 13; i++)
		code[i] = crockford[(unsigned char)digest[7 + i] % 32];
	code[13] = '\0';
	return r->id = ip_xstrdup(code);
}

static int load_config(struct ip_repo *r)
{
	char *path = ip_xasprintf("%s/" CONFIG, r->dir);
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_YAML, &r->lim, &docs);
	if (!rc && (docs.n != 1 || !json_is_object(docs.v[0].root))) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "expected one mapping");
		rc = IP_EXIT_DATAERR;
	}
	if (!rc) {
		r->config = json_incref(docs.v[0].root);
		json_t *centre = json_object_get(r->config, "centre");
		r->centre = ip_str(centre, "id");
		r->state = ip_str(centre, "state");
		if (!r->centre || !ip_centre_id_valid(r->centre)) {
			struct ip_where w = ip_doc_where(&docs.v[0], "centre.id");
			ip_error(&w, "missing or invalid centre id (like BY-MUC)");
			rc = IP_EXIT_DATAERR;
		}
		r->id = config_id(r, &docs.v[0]);
		json_t *limits = json_object_get(r->config, "limits");
		r->lim.max_bytes = limit_or(limits, "max_file_size", r->lim.max_bytes);
		r->lim.max_depth = (int)limit_or(limits, "max_depth", (size_t)r->lim.max_depth);
		r->lim.max_nodes = limit_or(limits, "max_nodes", r->lim.max_nodes);
	}
	ip_docs_free(&docs);
	free(path);
	return rc;
}

int ip_repo_find(const char *option_dir, bool required, struct ip_repo *r)
{
	*r = (struct ip_repo){.lim = IP_LIMITS_DEFAULT};
	const char *given = option_dir && *option_dir ? option_dir : getenv("IP_DIR");
	if (given && *given) {
		if (!has_config(given)) {
			ip_error(&(struct ip_where){given, 0, 0, NULL}, "not a case repository "
			         "(no %s; make one with ip-intake --init)", CONFIG);
			return IP_EXIT_NOINPUT;
		}
		r->dir = ip_xstrdup(given);
	} else if (!(r->dir = walk_up())) {
		if (!required)
			return IP_EXIT_NOINPUT;
		ip_error(NULL, "no case repository here or above (use -C DIR, set IP_DIR, "
		         "or make one with ip-intake --init)");
		return IP_EXIT_NOINPUT;
	}
	r->cases = strcmp(r->dir, ".") ? ip_xasprintf("%s/cases", r->dir)
	                               : ip_xstrdup("cases");
	int rc = load_config(r);
	if (rc)
		ip_repo_free(r);
	return rc;
}

void ip_repo_free(struct ip_repo *r)
{
	free(r->dir);
	free(r->cases);
	free(r->id);
	json_decref(r->config);
	*r = (struct ip_repo){0};
}

char *ip_repo_case_path(const struct ip_repo *r, const char *id)
{
	return ip_xasprintf("%s/%s.yaml", r->cases, id);
}

int ip_repo_init(const char *dir, const char *centre, const char *state)
{
	if (has_config(dir)) {
		ip_error(&(struct ip_where){dir, 0, 0, NULL}, "already a case repository");
		return IP_EXIT_CANTCREAT;
	}
	char *id = ip_repository_id_new();
	json_t *config = json_pack("{s:s, s:{s:s}, s:s, s:{s:I, s:i, s:I}}",
	                           "schema", "integplan/config/1",
	                           "centre", "id", centre, "repository", id,
	                           "limits", "max_file_size", (json_int_t)(1 << 20),
	                           "max_depth", 64, "max_nodes", (json_int_t)100000);
	if (state)
		json_object_set_new(json_object_get(config, "centre"), "state",
		                    json_string(state));
	struct ip_buf out = {0};
	ip_buf_puts(&out, "# IntegPlan case repository; see integplan(7).\n");
	ip_emit(&out, config, IP_FORMAT_YAML);
	json_decref(config);
	free(id);

	char *meta = ip_xasprintf("%s/.integplan", dir);
	char *cases = ip_xasprintf("%s/cases", dir);
	char *cfg = ip_xasprintf("%s/" CONFIG, dir);
	char *ignore = ip_xasprintf("%s/.gitignore", dir);
	static const char gitignore[] = "# report caches and temp files of IntegPlan, and the\n"
	                                "# signing key, which stays on this machine\n"
	                                ".integplan/cache/\n.*.tmp\n.*.tmp-*\n" SIGNING_KEY "\n";
	int rc = ip_mkdir_private(dir);
	if (!rc)
		rc = ip_mkdir_private(meta);
	if (!rc)
		rc = ip_mkdir_private(cases);
	if (!rc)
		rc = ip_write_file(cfg, out.s, out.len, true);
	if (!rc && access(ignore, F_OK) != 0)
		rc = ip_write_file(ignore, gitignore, sizeof gitignore - 1, true);
	if (!rc) {
		struct ip_repo made = {.dir = (char *)dir};
		struct ip_sign_key key;
		rc = ip_repo_signing_key(&made, &key);
		ip_sign_key_forget(&key);
	}
	ip_buf_free(&out);
	free(meta);
	free(cases);
	free(cfg);
	free(ignore);
	return rc;
}

int ip_repo_signing_key(const struct ip_repo *r, struct ip_sign_key *key)
{
	const char *own = r->config ? ip_str(r->config, "signing_key") : NULL;
	char *path = !own ? ip_xasprintf("%s/" SIGNING_KEY, r->dir)
	             : own[0] == '/' ? ip_xstrdup(own) : ip_xasprintf("%s/%s", r->dir, own);
	int rc;
	if (access(path, F_OK) == 0) {
		rc = ip_sign_key_load(path, key);
	} else {
		struct ip_buf text = {0};
		ip_sign_keygen(key, &text);
		rc = ip_write_file(path, text.s, text.len, true);
		explicit_bzero(text.s, text.len);
		ip_buf_free(&text);
	}
	free(path);
	return rc;
}

int ip_repo_make(const char *dir, const char *centre, const char *state, bool git,
                 bool *cloned)
{
	*cloned = false;
	if (!ip_centre_id_valid(centre)) {
		ip_error(&(struct ip_where){NULL, 0, 0, "--centre"}, "'%s' is not a valid "
		         "centre id (A-Z, 0-9 and '-', like BY-MUC)", centre);
		return IP_EXIT_USAGE;
	}
	if (state) {
		json_t *v = json_string(state);
		int bad = !v || ip_field_validate("centre.state", &v,
		                                  &(struct ip_where){NULL, 0, 0, "--state"});
		json_decref(v);
		if (bad)
			return IP_EXIT_USAGE;
	}
	/* A clone already is a case repository; git then sets up what git
	 * does not clone (its config and hooks). */
	*cloned = git && ip_repo_exists(dir);
	int rc = *cloned ? IP_EXIT_OK : ip_repo_init(dir, centre, state);
	return !rc && git ? ip_git_setup(dir) : rc;
}

/* ---- finding a referral's case ------------------------------------------ */

struct indexer {
	const struct ip_limits *lim;
	json_t *index;
};

static bool id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* Every referral id in the file's text, whatever field holds it: the
 * index is a guess that ip_repo_referral_case confirms by parsing. */
static int index_one(const char *path, void *ctx)
{
	struct indexer *x = ctx;
	char *buf;
	size_t len;
	int rc = ip_read_all(path, x->lim->max_bytes, &buf, &len);
	/* A file that cannot be read may hold the referral: not knowing is an
	 * error. One too large to be a case is ip-check's business. */
	if (rc)
		return rc == IP_EXIT_DATAERR ? IP_EXIT_OK : rc;
	for (char *p = buf; (p = memmem(p, len - (size_t)(p - buf), "-R-", 3)); p += 3) {
		char *start = p, *end = p + 3;
		while (start > buf && id_char(start[-1]))
			start--;
		while (end < buf + len && id_char(*end))
			end++;
		char *id = ip_xasprintf("%.*s", (int)(end - start), start);
		if (ip_referral_id_valid(id)) {
			json_t *paths = json_object_get(x->index, id);
			if (!paths)
				json_object_set_new(x->index, id, paths = json_array());
			if (!ip_ids_have(paths, path))
				json_array_append_new(paths, json_string(path));
		}
		free(id);
	}
	free(buf);
	return IP_EXIT_OK;
}

int ip_repo_referrals(const struct ip_repo *r, const struct ip_limits *lim, json_t **index)
{
	struct indexer x = {lim, json_object()};
	int rc = ip_walk(r->cases, index_one, &x);
	if (rc) {
		json_decref(x.index);
		x.index = NULL;
	}
	*index = x.index;
	return rc;
}

/* 0 when the case at path holds referral id, 66 when not, 74 or 77 when
 * it cannot be read. */
static int holds_referral(const char *path, const struct ip_limits *lim, const char *id)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, lim, &docs);
	if (rc == IP_EXIT_IOERR || rc == IP_EXIT_NOPERM)
		return rc;
	rc = !rc && docs.n == 1 && ip_referral_find(docs.v[0].root, id) ? IP_EXIT_OK
	                                                                  : IP_EXIT_NOINPUT;
	ip_docs_free(&docs);
	return rc;
}

int ip_repo_referral_case(const json_t *index, const struct ip_limits *lim, const char *id,
                     char **path)
{
	const char *found[2] = {NULL, NULL};
	size_t n = 0, i;
	json_t *p;
	json_array_foreach(json_object_get(index, id), i, p) {
		int rc = n < 2 ? holds_referral(json_string_value(p), lim, id) : IP_EXIT_NOINPUT;
		if (rc == IP_EXIT_OK)
			found[n++] = json_string_value(p);
		else if (rc != IP_EXIT_NOINPUT)
			return rc;
	}
	if (n == 2) {
		ip_error(NULL, "referral %s is in two cases, %s and %s; resolve that first",
		         id, found[0], found[1]);
		return IP_EXIT_DATAERR;
	}
	*path = n ? ip_xstrdup(found[0]) : NULL;
	return n ? IP_EXIT_OK : IP_EXIT_NOINPUT;
}
