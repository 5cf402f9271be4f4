/* ip_merge.h — three-way merge of case files, field by field. Lists whose
 * items have an identity (measures and referrals by id, assessments by
 * date, author and side, consent by purpose, recipient and date, history
 * and notes by the whole entry) merge item by item, so two sides adding or
 * changing different items never conflict. A field both sides changed
 * differently keeps our value and is recorded, with base, ours and theirs,
 * under x-merge-conflicts, where validation reports it until someone
 * resolves it by hand. The audit is kept: the history is the union of
 * both sides' (an entry deleted on one side stays); a consent record or a
 * referral's step deleted on one side, and a status that ends up before
 * the base's (departed back to intake), are conflicts, never silent.
 * Approvals are not merged into force: one given to other measures than
 * the merged plan has counts as withdrawn (ip_plan.h).
 *
 * Layer: domain. */
#ifndef IP_MERGE_H
#define IP_MERGE_H
#include <jansson.h>
#include "ip_doc.h"
#include "ip_schema.h"

#define IP_MERGE_CONFLICTS "x-merge-conflicts"

/* Merge ours and theirs, both descended from base (NULL: the file is new
 * on both sides). Returns the merged case (a new reference) and the number
 * of new conflicts in *conflicts. */
json_t *ip_merge3(const json_t *base, const json_t *ours, const json_t *theirs,
                  size_t *conflicts);
/* Report every recorded conflict of a case document at the field it is
 * about. Returns the number reported. */
int ip_merge_report(struct ip_doc *doc);
#endif
