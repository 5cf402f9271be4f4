#include "ip_intake.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_lifecycle.h"
#include "ip_partners.h"
#include "ip_persons.h"
#include "ip_progress.h"
#include "ip_referral.h"
#include "ip_rows.h"
#include "ip_schema.h"
#include "ip_share.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *new_case(struct ip_intake *in, const char *id)
{
	json_t *c = json_pack("{s:s, s:s, s:s, s:{s:s}, s:s}", "schema", IP_CASE_SCHEMA,
	                      "id", id, "status", "intake", "status_dates", "intake", in->today,
	                      "opened", in->today);
	json_t *centre = json_pack("{s:s}", "id", in->centre);
	if (in->state)
		json_object_set_new(centre, "state", json_string(in->state));
	json_object_set_new(c, "centre", centre);
	json_object_set_new(c, "record_key", json_integer(ip_record_key_new(id)));
	return c;
}

/* ---- repeat returns ----------------------------------------------------- */

/* A person who has a case already, skipped (--skip-existing): the row of
 * an import run before. */
#define SKIPPED (-1)

/* The index of persons, loaded (and locked) once for the run: 0, or why
 * not (reported once). */
static int persons_ready(struct ip_intake *in)
{
	if (!in->persons && !in->persons_rc)
		in->persons_rc = ip_persons_load(in->repo, true, &in->persons);
	return in->persons_rc;
}

static bool said_not_same(const struct ip_intake *in, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(in->not_duplicate_of, i, v)
		if (!strcmp(json_string_value(v), id))
			return true;
	return false;
}

static void add_link(json_t *c, const char *id, const char *relation)
{
	json_t *links = json_object_get(c, "links");
	if (!links)
		json_object_set_new(c, "links", links = json_array());
	json_array_append_new(links, json_pack("{s:s, s:s}", "case", id, "relation", relation));
}

/* The cases whose person may be the one of case c: each said to be
 * another person (--not-duplicate-of) or a repeat return
 * (--allow-duplicate) is linked as such; any other is listed with why it
 * matches, and the case is refused (65). */
static int check_near(struct ip_intake *in, json_t *c, const struct ip_where *w)
{
	json_t *near = ip_persons_near(in->persons, c);
	struct ip_where ww = *w;
	ww.path = NULL;
	int rc = IP_EXIT_OK;
	size_t i;
	json_t *hit;
	json_array_foreach(near, i, hit) {
		const char *id = ip_str(hit, "case");
		if (said_not_same(in, id)) {
			add_link(c, id, "not-same-person");
		} else if (in->allow_duplicate) {
			add_link(c, id, "repeat-return");
		} else {
			ip_error(&ww, "this person may have a case already: %s (%s); "
			         "--not-duplicate-of %s if not, --allow-duplicate for a repeat return",
			         id, ip_str(hit, "why"), id);
			rc = IP_EXIT_DATAERR;
		}
	}
	json_decref(near);
	return rc;
}

/* 0, SKIPPED, or 65 when the person has a case already, or may have, and
 * that is not allowed; 75 when another run holds the index of persons. */
static int check_repeat(struct ip_intake *in, json_t *c, const struct ip_where *w)
{
	if (!in->repo)
		return IP_EXIT_OK;
	int rc = persons_ready(in);
	if (rc)
		return rc;
	const char *earlier = ip_persons_find(in->persons, c);
	if (earlier && in->skip_existing) {
		in->skipped++;
		return SKIPPED;
	}
	if (earlier && !in->allow_duplicate) {
		struct ip_where ww = *w;
		ww.path = NULL;
		ip_error(&ww, "this person has a case already: %s (a repeat return? "
		         "--allow-duplicate opens a linked case)", earlier);
		return IP_EXIT_DATAERR;
	}
	if (earlier)
		add_link(c, earlier, "repeat-return");
	else if ((rc = check_near(in, c, w)))
		return rc;
	ip_persons_add(in->persons, c);
	return IP_EXIT_OK;
}

/* ---- opening ------------------------------------------------------------ */

/* A random id not used in the repository nor earlier in this run (five
 * base32 characters collide by chance within a large batch). */
static char *fresh_id(struct ip_intake *in)
{
	int year = atoi(in->today);
	for (;;) {
		char *id = ip_case_id_new(in->centre, year);
		bool taken = json_object_get(in->issued, id) != NULL;
		if (!taken && in->repo) {
			char *path = ip_repo_case_path(in->repo, id);
			taken = access(path, F_OK) == 0;
			free(path);
		}
		if (!taken) {
			json_object_set_new(in->issued, id, json_true());
			return id;
		}
		free(id);
	}
}

/* Print the case, or add it to the batch; 0, or 73/74 when the
 * repository cannot take it. */
static int emit_case(struct ip_intake *in, json_t *c)
{
	int rc = IP_EXIT_OK;
	json_t *canon = ip_canonical(c, &ip_case_schema);
	struct ip_buf out = {0};
	if (in->to_stdout && in->format == IP_FORMAT_YAML && in->opened)
		ip_buf_puts(&out, "---\n");
	ip_emit(&out, canon, in->to_stdout ? in->format : IP_FORMAT_YAML);
	json_decref(canon);
	rc = ip_doc_fits(in->to_stdout ? "-" : ip_str(c, "id"), c, out.len, &in->lim);
	if (rc) {
		ip_buf_free(&out);
		return rc;
	}
	if (in->to_stdout) {
		fwrite(out.s, 1, out.len, stdout);
	} else {
		char *path = ip_repo_case_path(in->repo, ip_str(c, "id"));
		rc = ip_batch_add(in->batch, path, out.s, out.len, IP_WRITE_CREATE);
		free(path);
	}
	ip_buf_free(&out);
	if (!rc)
		in->opened++;
	return rc;
}

/* The partner directory: the consent recipients, the senders' signing
 * keys, this centre's profile. */
static int load_directory(struct ip_intake *in)
{
	return in->directory ? IP_EXIT_OK
	                     : ip_partners_load(NULL, in->repo, &in->lim, &in->directory);
}

/* Each consent's recipient is a country or a partner of the directory. */
static int check_recipients(struct ip_intake *in, const json_t *c, const struct ip_where *w)
{
	int rc = IP_EXIT_OK;
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(c, "consent"), i, k) {
		const char *to = ip_str(k, "recipient");
		int loaded = to ? load_directory(in) : IP_EXIT_OK;
		if (loaded)
			return loaded;
		if (!to || ip_lifecycle_recipient_known(in->directory, to))
			continue;
		char path[48];
		snprintf(path, sizeof path, "consent[%zu].recipient", i);
		struct ip_where ww = {w->file ? w->file : "<options>", w->line, 0, path};
		ip_error(&ww, "'%s' is neither a partner of the directory (ip-refer partners) nor "
		         "a country code", to);
		rc = IP_EXIT_DATAERR;
	}
	return rc;
}

/* Open one case from a row of fields; reports at file:line. */
int ip_intake_row(struct ip_intake *in, json_t *row, const char *file, int line,
                     bool options)
{
	char *id = fresh_id(in);
	json_t *c = new_case(in, id);
	struct ip_where w = {file, line, 0, NULL};
	int rc = IP_EXIT_OK;
	if (ip_row_fill(c, row, in->today, file, line, options)) {
		rc = IP_EXIT_DATAERR;
	} else {
		struct ip_doc doc = {(char *)(file ? file : "<options>"), c, NULL, line, 0};
		if (ip_case_validate(&doc))
			rc = IP_EXIT_DATAERR;
	}
	if (!rc)
		rc = check_recipients(in, c, &w);
	if (!rc)
		rc = check_repeat(in, c, &w);
	if (!rc) {
		ip_history_add(c, ip_actor(in->actor), "ip-intake", "case opened");
		rc = emit_case(in, c);
	}
	json_decref(c);
	free(id);
	return rc == SKIPPED ? IP_EXIT_OK : rc;
}

/* A package carries only what this centre's profile in its partner
 * directory lets it receive, and nothing that never leaves a centre. */

static int what_it_may_carry(struct ip_intake *in, const struct ip_doc *pkg)
{
	int rc = load_directory(in);
	if (rc)
		return rc;
	const json_t *profile = json_object_get(ip_partner(in->directory, in->centre), "profile");
	if (!profile) {
		ip_error(&(struct ip_where){pkg->file, 0, 0, NULL}, "%s has no profile in the "
		         "partner directory, so what a package may carry is not known; nothing "
		         "opened", in->centre);
		return IP_EXIT_DATAERR;
	}
	return ip_package_check_case(pkg, profile, in->centre) ? IP_EXIT_DATAERR : IP_EXIT_OK;
}

int ip_intake_referral(struct ip_intake *in, const struct ip_doc *pkg)
{
	const json_t *ref = json_object_get(pkg->root, "referral");
	const char *rid = ip_str(ref, "id");
	const char *to = ip_str(ref, "to");
	if (strcmp(to, in->centre)) {
		struct ip_where w = ip_doc_where(pkg, "referral.to");
		w.path = "referral.to";
		ip_error(&w, "the package is for %s; this repository is %s (a package for "
		         "another partner); nothing opened", to, in->centre);
		return IP_EXIT_DATAERR;
	}
	if (json_object_get(in->issued, rid)) {
		ip_warn(&(struct ip_where){pkg->file, 0, 0, NULL}, "referral %s is in the file "
		        "twice; one case opened", rid);
		return IP_EXIT_OK;
	}
	int rc = what_it_may_carry(in, pkg);
	if (rc)
		return rc;
	char *had = NULL;
	rc = in->referrals ? IP_EXIT_OK : ip_repo_referrals(in->repo, &in->lim, &in->referrals);
	if (!rc)
		rc = ip_repo_referral_case(in->referrals, &in->lim, rid, &had);
	if (rc != IP_EXIT_NOINPUT) {
		if (!rc && !in->quiet)
			ip_warn(&(struct ip_where){pkg->file, 0, 0, NULL}, "referral %s has a case "
			        "already: %s", rid, had);
		free(had);
		return rc;
	}
	char *id = fresh_id(in);
	json_t *c = ip_referral_intake(pkg->root, in->centre, id, in->today);
	struct ip_doc doc = {pkg->file, c, NULL, 0, 0};
	struct ip_where w = {pkg->file, 0, 0, NULL};
	rc = ip_case_validate(&doc) ? IP_EXIT_DATAERR : check_repeat(in, c, &w);
	if (!rc) {
		char *what = ip_xasprintf("case opened from referral %s of %s", rid,
		                          ip_str(ref, "from"));
		ip_history_add(c, ip_actor(in->actor), "ip-intake", what);
		free(what);
		rc = emit_case(in, c);
	}
	if (!rc) /* the same referral twice in one file opens one case */
		json_object_set_new(in->issued, rid, json_true());
	json_decref(c);
	free(id);
	return rc;
}

/* ---- transfers ------------------------------------------------------------ */

/* The case the package names has a case here already: opened from this
 * same transfer (0, nothing to do), or another under a colliding id (65). */
static int opened_before(struct ip_intake *in, const struct ip_doc *pkg, const char *path)
{
	const json_t *t = json_object_get(pkg->root, "transfer");
	struct ip_docs docs = {0};
	int rc = ip_case_load(path, &in->lim, &docs);
	bool same = false;
	size_t i;
	json_t *link;
	json_array_foreach(rc ? NULL : json_object_get(docs.v[0].root, "links"), i, link)
		same |= !strcmp(ip_str(link, "case"), ip_str(t, "case")) &&
		        !strcmp(ip_str(link, "relation"), "transferred");
	ip_docs_free(&docs);
	struct ip_where w = {pkg->file, 0, 0, NULL};
	if (!rc && same && !in->quiet)
		ip_warn(&w, "the transfer of %s was opened already: %s", ip_str(t, "case"), path);
	else if (!rc && !same) {
		ip_error(&w, "case id %s is taken in this repository: ask %s to reopen the case and "
		         "transfer it again (it gets another id); nothing opened", ip_str(t, "id"),
		         ip_str(t, "from"));
		rc = IP_EXIT_DATAERR;
	}
	return rc;
}

static int open_transfer(struct ip_intake *in, const struct ip_doc *pkg)
{
	const json_t *t = json_object_get(pkg->root, "transfer");
	if (ip_lifecycle_transfer_check(pkg, in->directory, in->centre))
		return IP_EXIT_DATAERR;
	const char *id = ip_str(t, "id");
	char *path = ip_repo_case_path(in->repo, id);
	int rc = IP_EXIT_OK;
	if (access(path, F_OK) == 0 || json_object_get(in->issued, id)) {
		rc = json_object_get(in->issued, id) ? IP_EXIT_OK : opened_before(in, pkg, path);
		free(path);
		return rc;
	}
	free(path);
	json_t *c = ip_lifecycle_transferred(pkg->root, in->state, in->today);
	struct ip_doc doc = {pkg->file, c, NULL, 0, 0};
	struct ip_where w = {pkg->file, 0, 0, NULL};
	rc = ip_case_validate(&doc) ? IP_EXIT_DATAERR : check_repeat(in, c, &w);
	if (!rc) {
		char *what = ip_xasprintf("case opened from the transfer of %s by %s",
		                          ip_str(t, "case"), ip_str(t, "from"));
		ip_history_add(c, ip_actor(in->actor), "ip-intake", what);
		free(what);
		rc = emit_case(in, c);
	}
	if (!rc) {
		json_object_set_new(in->issued, id, json_true());
		if (!in->quiet)
			ip_inform(&w, "%s of %s opened as %s; its counsellor here is set with ip-case "
			          "set --counsellor", ip_str(t, "case"), ip_str(t, "from"), id);
	}
	json_decref(c);
	return rc;
}

/* Open a case from each package of a file of this schema: loaded, checked
 * and verified (the directory holds the senders' signing keys and this
 * centre's profile), then given to open_one. */
static int each_package(struct ip_intake *in, const char *path, const char *identity,
                        const struct ip_field *schema, const char *what,
                        int (*open_one)(struct ip_intake *, const struct ip_doc *))
{
	struct ip_docs docs = {0};
	int rc = load_directory(in);
	if (!rc)
		rc = ip_package_load(path, identity, in->directory, schema, what, &in->lim, &docs);
	for (size_t i = 0; !rc && i < docs.n; i++)
		rc = ip_exit_merge(rc, open_one(in, &docs.v[i]));
	ip_docs_free(&docs);
	return rc;
}

int ip_intake_transfers(struct ip_intake *in, const char *path, const char *identity)
{
	return each_package(in, path, identity, &ip_transfer_schema, N_("a transfer package"),
	                    open_transfer);
}


void ip_intake_init(struct ip_intake *in)
{
	in->issued = json_object();
	in->not_duplicate_of = json_array();
}

void ip_intake_finish(struct ip_intake *in)
{
	if (in->persons && !in->persons_rc)
		ip_persons_save(in->persons);
	ip_persons_free(in->persons);
	json_decref(in->issued);
	json_decref(in->maps);
	json_decref(in->not_duplicate_of);
	json_decref(in->referrals);
	json_decref(in->directory);
}

struct rows {
	struct ip_intake *in;
	struct ip_progress progress;
};

static int open_row(json_t *row, const char *file, int line, void *ctx)
{
	struct rows *r = ctx;
	int rc = ip_intake_row(r->in, row, file, line, false);
	ip_progress_add(&r->progress, 1);
	return rc;
}

int ip_intake_file(struct ip_intake *in, const char *path, enum ip_progress_mode progress)
{
	char *buf;
	size_t len;
	/* A batch file may be large: 1 KiB a row is generous. */
	int rc = ip_read_all(path, (size_t)1 << 30, &buf, &len);
	if (rc)
		return rc;
	struct rows r = {in, {0}};
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	ip_progress_begin(&r.progress, progress, _("rows read"), 0);
	rc = ip_rows_read(path, name, buf, len, &in->import, open_row, &r);
	ip_progress_end(&r.progress);
	free(buf);
	return rc;
}

int ip_intake_packages(struct ip_intake *in, const char *path, const char *identity)
{
	return each_package(in, path, identity, &ip_package_schema, N_("a referral package"),
	                    ip_intake_referral);
}

/* ---- import maps ----------------------------------------------------------- */

/* One map file, checked, with its name (the file's, without .yaml). */
static int load_map(struct ip_intake *in, const char *path)
{
	struct ip_docs docs = {0};
	int rc = ip_docs_load(path, IP_SYNTAX_AUTO, &in->lim, &docs);
	if (!rc && (docs.n != 1 || ip_import_map_check(&docs.v[0])))
		rc = IP_EXIT_DATAERR;
	if (!rc) {
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		size_t n = strlen(base);
		if (n > 5 && !strcmp(base + n - 5, ".yaml"))
			n -= 5;
		json_t *map = json_deep_copy(docs.v[0].root);
		json_object_set_new(map, "name", json_stringn(base, n));
		json_array_append_new(in->maps, map);
	}
	ip_docs_free(&docs);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int ip_intake_maps(struct ip_intake *in, const char *path)
{
	in->maps = json_array();
	in->import.maps = in->maps;
	in->import.map_given = path != NULL;
	if (path)
		return load_map(in, path);
	char *dir = ip_share_path("import");
	DIR *d = opendir(dir);
	int rc = IP_EXIT_OK;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] != '.' && len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) {
			names = ip_xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = ip_xasprintf("%s/%s", dir, e->d_name);
		}
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof *names, by_name);  /* the same choice on every system */
	for (size_t i = 0; i < n; i++) {
		rc = ip_exit_merge(rc, load_map(in, names[i]));
		free(names[i]);
	}
	free(names);
	free(dir);
	return rc;
}

int ip_intake_print_maps(struct ip_intake *in)
{
	int rc = ip_intake_maps(in, NULL);
	const char *lang = ip_i18n_lang();
	size_t i;
	json_t *map;
	json_array_foreach(in->maps, i, map) {
		const json_t *title = json_object_get(map, "title");
		const char *t = ip_str(title, lang) ? ip_str(title, lang) : ip_str(title, "en");
		printf("%-10s %s\n", ip_str(map, "name"), t);
		size_t k;
		json_t *col;
		json_array_foreach(json_object_get(map, "columns"), k, col)
			printf("  %-28s %s\n", ip_str(col, "header"), ip_str(col, "field"));
	}
	return rc;
}
