#include "ip_edit.h"
#include "ip_case.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_exit.h"
#include "ip_i18n.h"
#include "ip_schema.h"
#include "ip_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* In-place changes are written in chunks: each holds its cases' locks
 * until its one sync pass is done; the chunk size bounds open files. */
#define CHUNK 256

struct chunk {
	struct ip_batch *batch;
	struct ip_lock locks[CHUNK];
	char *paths[CHUNK];   /* in input order, changed, unchanged or failed */
	int status[CHUNK];    /* each one's own status */
	char *error[CHUNK];   /* and its first error, if it failed */
	size_t nlocks, npaths;
};

struct run {
	struct ip_edit *e;
	struct chunk chunk;
	size_t printed;
	struct ip_progress progress;
};

static void chunk_reset(struct chunk *k)
{
	k->batch = NULL;
	k->nlocks = k->npaths = 0;
}

/* Commit the chunk, release its locks, then print its paths in order. */
static int chunk_flush(struct run *r)
{
	struct chunk *k = &r->chunk;
	int rc = IP_EXIT_OK;
	if (k->batch && r->e->before_commit)
		rc = r->e->before_commit(k->paths, k->status, k->npaths, r->e->ctx);
	if (rc && k->batch)
		ip_batch_abort(k->batch);
	else if (k->batch)
		rc = ip_batch_commit(k->batch, NULL, NULL);
	for (size_t i = 0; i < k->nlocks; i++)
		ip_lock_release(&k->locks[i]);
	for (size_t i = 0; i < k->npaths; i++) {
		int status = k->status[i] ? k->status[i] : rc;
		if (!status && !r->e->no_paths)
			ip_run_print_path(&r->e->run, k->paths[i]);
		if (r->e->outcome)
			r->e->outcome(k->paths[i], status, k->error[i] ? k->error[i]
			              : ip_diag_first(), r->e->ctx);
		free(k->paths[i]);
		free(k->error[i]);
	}
	chunk_reset(k);
	return rc;
}

static char *canonical_text(const json_t *c)
{
	json_t *canon = ip_canonical(c, &ip_case_schema);
	struct ip_buf b = {0};
	ip_emit(&b, canon, IP_FORMAT_YAML);
	json_decref(canon);
	return b.s;
}

/* Apply the change to a loaded, valid case; returns the status, with
 * *after the new canonical text when the case changed. */
static int change(struct ip_edit *e, struct ip_doc *doc, char **after)
{
	const char *what = NULL;
	char *before = canonical_text(doc->root);
	int rc = e->apply(doc->root, doc->file, &what, e->ctx);
	if (!rc && what) {
		ip_history_add(doc->root, ip_actor(e->run.actor), e->cmd, what);
		/* a case from before record keys gets its own with its next change */
		if (!json_object_get(doc->root, "record_key"))
			json_object_set_new(doc->root, "record_key",
			                    json_integer(ip_record_key_new(ip_str(doc->root, "id"))));
		/* A bug or an odd combination must not reach the file. */
		struct ip_doc result = {doc->file, doc->root, NULL, 0, 0};
		if (ip_case_validate(&result)) {
			ip_error(&(struct ip_where){doc->file, 0, 0, NULL},
			         "the changed case would not be valid; nothing changed");
			rc = IP_EXIT_DATAERR;
		}
	}
	if (!rc) {
		*after = canonical_text(doc->root);
		rc = ip_doc_fits(doc->file, doc->root, strlen(*after), &e->run.lim);
	}
	if (rc) {
		free(*after);
		*after = NULL;
	} else {
		if (!what || !strcmp(*after, before)) {
			free(*after);
			*after = NULL;
		}
	}
	free(before);
	return rc;
}

static int load_valid(const struct ip_edit *e, const char *path, struct ip_docs *docs)
{
	int rc = ip_case_load(path, &e->run.lim, docs);
	/* one document that is not a valid case: its problems are above */
	if (rc == IP_EXIT_DATAERR && docs->n == 1)
		ip_error(&(struct ip_where){docs->v[0].file, 0, 0, NULL},
		         "not a valid case (see above); nothing changed");
	return rc;
}

static void print_case(struct run *r, const json_t *c)
{
	json_t *canon = ip_canonical(c, &ip_case_schema);
	struct ip_buf b = {0};
	if (r->e->run.format == IP_FORMAT_YAML && r->printed++)
		ip_buf_puts(&b, "---\n");
	ip_emit(&b, canon, r->e->run.format);
	fwrite(b.s, 1, b.len, stdout);
	ip_buf_free(&b);
	json_decref(canon);
}

/* A filter: read, change, print. */
static int edit_to_stdout(struct run *r, const char *path)
{
	struct ip_docs docs = {0};
	char *after = NULL;
	int rc = load_valid(r->e, path, &docs);
	if (!rc)
		rc = change(r->e, &docs.v[0], &after);
	if (!rc) {
		print_case(r, docs.v[0].root);
		if (after)
			r->e->changed++;
		else
			r->e->unchanged++;
	}
	free(after);
	ip_docs_free(&docs);
	return rc;
}

/* Is the file at path one whose lock this chunk holds already (named
 * twice, or under two names)? Then the chunk must be written first. */
static bool held(const struct chunk *k, const char *path)
{
	struct stat st, h;
	if (stat(path, &st) != 0)
		return false;
	for (size_t i = 0; i < k->nlocks; i++)
		if (fstat(k->locks[i].fd, &h) == 0 && h.st_dev == st.st_dev &&
		    h.st_ino == st.st_ino)
			return true;
	return false;
}

static int chunk_add(struct run *r, const char *path, int status)
{
	struct chunk *k = &r->chunk;
	k->paths[k->npaths] = ip_xstrdup(path);
	k->error[k->npaths] = status ? ip_xstrdup(ip_diag_first()) : NULL;
	k->status[k->npaths++] = status;
	return k->npaths == CHUNK ? chunk_flush(r) : IP_EXIT_OK;
}

/* Lock, read, change; the new text joins the chunk's batch (lock kept). */
static int change_locked(struct run *r, const char *path)
{
	struct chunk *k = &r->chunk;
	struct ip_lock lock;
	int rc = ip_lock_acquire(path, &lock);
	if (rc)
		return rc;
	struct ip_docs docs = {0};
	char *after = NULL;
	rc = load_valid(r->e, path, &docs);
	if (!rc)
		rc = change(r->e, &docs.v[0], &after);
	if (!rc && after) {
		if (!k->batch)
			k->batch = ip_batch_new();
		size_t mark = ip_batch_size(k->batch);
		rc = ip_batch_add(k->batch, path, after, strlen(after), 0);
		if (!rc && r->e->also_write)
			rc = r->e->also_write(path, k->batch, r->e->ctx);
		if (rc) /* the case and what goes with it land together or not at all */
			ip_batch_rewind(k->batch, mark);
	}
	ip_docs_free(&docs);
	if (rc || !after)
		ip_lock_release(&lock);
	else
		k->locks[k->nlocks++] = lock;
	if (!rc && after)
		r->e->changed++;
	else if (!rc)
		r->e->unchanged++;
	free(after);
	return rc;
}

/* In place: the change is written with the chunk. */
static int edit_in_place(struct run *r, const char *path)
{
	int rc = IP_EXIT_USAGE;
	/* send and respond (no_paths) have no -i: they always write the case */
	if (!strcmp(path, "-") && r->e->no_paths)
		ip_error(NULL, "standard input cannot be changed in place: %s records what it "
		         "does in the case file itself; give the file", r->e->cmd);
	else if (!strcmp(path, "-"))
		ip_error(NULL, "standard input cannot be changed in place (drop -i)");
	else if (!(rc = held(&r->chunk, path) ? chunk_flush(r) : IP_EXIT_OK))
		rc = change_locked(r, path);
	return ip_exit_merge(rc, chunk_add(r, path, rc));
}

static int edit_one(const char *path, void *ctx)
{
	struct run *r = ctx;
	ip_diag_clear();
	int rc = r->e->in_place ? edit_in_place(r, path) : edit_to_stdout(r, path);
	if (rc)
		r->e->failed++;
	ip_progress_add(&r->progress, 1);
	if (!r->e->in_place && r->e->outcome)
		r->e->outcome(path, rc, ip_diag_first(), r->e->ctx);
	return rc;
}

int ip_edit_run(struct ip_edit *e, char **operands, int n)
{
	struct run r = {.e = e};
	chunk_reset(&r.chunk);
	ip_progress_begin(&r.progress, e->run.progress, _("cases done"), 0);
	struct ip_inputs in = ip_run_inputs(&e->run, operands, n, true);
	int rc = ip_inputs_walk(&in, edit_one, &r);
	rc = ip_exit_merge(rc, chunk_flush(&r));
	ip_progress_end(&r.progress);
	return rc;
}
