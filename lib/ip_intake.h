/* ip_intake.h — how a row of fields, a partner's referral package or a
 * case another centre transferred becomes a new case: a fresh id no case of the repository (nor this run)
 * has, the row's fields checked and placed, the whole case valid, one
 * person one case (a repeat return only when allowed, and then linked;
 * a person who may have a case already refused with the candidates),
 * "case opened" in its history; then printed or added to the batch of new
 * files.
 *
 * Layer: storage. */
#ifndef IP_INTAKE_H
#define IP_INTAKE_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_progress.h"
#include "ip_repo.h"
#include "ip_rows.h"
#include "ip_write.h"

struct ip_persons;

struct ip_intake {
	/* Given by the caller: */
	const char *centre, *state;  /* of the new cases */
	const char *today, *actor;
	bool allow_duplicate;        /* a repeat return opens a linked case */
	bool skip_existing;          /* a person with a case is skipped, not refused */
	json_t *not_duplicate_of;    /* ids of cases of other persons, said so */
	bool quiet;
	struct ip_limits lim;
	const struct ip_repo *repo;  /* NULL: no repository (to_stdout) */
	bool to_stdout;              /* print the cases in format, else batch them */
	enum ip_format format;
	struct ip_batch *batch;
	struct ip_import import;     /* how --from files are read (maps: below) */
	/* Kept by the run: */
	json_t *maps;                /* the import maps loaded (ip_intake_maps) */
	struct ip_persons *persons;  /* who has a case, for repeat returns */
	int persons_rc;              /* why there is no index of persons */
	json_t *issued;              /* ids given out: cases, referrals opened */
	json_t *referrals;           /* where the repository's referral ids are */
	json_t *directory;           /* the partner directory: this centre's profile */
	size_t opened, skipped;
};

void ip_intake_init(struct ip_intake *in);
/* Save what the run learnt of persons; let go of everything. */
void ip_intake_finish(struct ip_intake *in);

/* Open one case from a row {field: string or [string]} (ip_rows); problems
 * are reported at file:line, under the option names when options. */
int ip_intake_row(struct ip_intake *in, json_t *row, const char *file, int line,
                  bool options);

/* Open one case from a referral package meant for in->centre, unless a
 * case has that referral already. */
int ip_intake_referral(struct ip_intake *in, const struct ip_doc *pkg);

/* Open a case from each transfer package of a file (decrypted with
 * identity when it is encrypted), signed by the centre it comes from, once:
 * checked as ip_lifecycle_transfer_check says, a valid case, one person one
 * case. A package opened before is 0 with a warning. */
int ip_intake_transfers(struct ip_intake *in, const char *path, const char *identity);

/* The import maps a --from file's header is read with: the file path (a
 * map the user gives, used whatever the header), else every map of the
 * site's import/ directory. Each is checked; 0, or 65/66 with every
 * problem reported. */
int ip_intake_maps(struct ip_intake *in, const char *path);

/* ip-intake --list-maps: each map of the site, its title and headers. */
int ip_intake_print_maps(struct ip_intake *in);

/* Open one case per row of a CSV or JSON Lines file ("-": standard
 * input); a bad row is reported and skipped (65 at the end), showing
 * progress as asked. */
int ip_intake_file(struct ip_intake *in, const char *path, enum ip_progress_mode progress);

/* Open a case from each package of a file (decrypted with identity when it
 * is encrypted). */
int ip_intake_packages(struct ip_intake *in, const char *path, const char *identity);

#endif
