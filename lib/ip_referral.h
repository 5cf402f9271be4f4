/* ip_referral.h — referrals to partner centres: consent, the package that
 * leaves the centre (only the fields of the partner's profile), the state
 * machine both sides follow, and the response that comes back.
 *
 * Layer: domain. */
#ifndef IP_REFERRAL_H
#define IP_REFERRAL_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_doc.h"
#include "ip_schema.h"

/* The consent of case c to purpose (referral, transfer) for partner on
 * date today: true, or false with why saying what is missing. A consent
 * counts when its purpose is that one, its recipient is the partner or the
 * partner's country, it was given by today and not withdrawn by today. */
bool ip_consent_to(const json_t *c, const char *purpose, const json_t *partner,
                   const char *today, char *why, size_t size);

/* Whether c has a consent to purpose in force on today, to any recipient
 * (a survey taken at a follow-up, by whoever follows the person up). */
bool ip_consent_in_force(const json_t *c, const char *purpose, const char *today);

/* The referral of c with this id (borrowed), or NULL. */
json_t *ip_referral_find(const json_t *c, const char *id);

/* Whether referral r is open: pending or accepted. */
bool ip_referral_is_open(const json_t *r);

/* An open referral (pending or accepted) of c to partner for any of
 * services (borrowed), or NULL. */
json_t *ip_referral_open(const json_t *c, const char *partner, const json_t *services);

/* The package for referral ref (id, to, date, services) of case c to
 * partner, sent by centre from on day today: the fields of the partner's
 * profile, the plan's return-side measures (without notes or owners; due
 * dates made absolute where the case knows them), and a digest. Sets
 * ref.fields to the fields it holds. Health data (vulnerabilities, medical
 * and psychosocial needs) goes only with the case's consent to sharing it
 * with the partner (purpose health-data, in force today), whatever the
 * profile says; what stayed behind is appended to left_out, if given. A
 * new value. */
json_t *ip_referral_package(const json_t *c, const json_t *partner, json_t *ref,
                            const char *from, const char *today, json_t *left_out);

/* Fields that never leave a centre, whatever a profile says: a reason
 * when path is one of them, else NULL. */
const char *ip_profile_forbidden(const char *path);
/* Is path top itself or inside it ("person.given" within "person")? */
bool ip_path_within(const char *path, const char *top);
/* Does a profile (a list of paths) cover path? */
bool ip_profile_covers(const json_t *profile, const char *path);

/* The paths of a package to a partner with this profile that hold special
 * categories of personal data (health, vulnerabilities: GDPR Art. 9); the
 * plan's return-side measures always go. A new list. */
json_t *ip_referral_special(const json_t *profile);

/* Check what a received package's case holds against what it may hold:
 * every field declared in referral.fields and in profile (the receiving
 * centre's, from its partner directory), the return-side measures' plan
 * fields, and nothing that never leaves a centre (history, notes, consent,
 * approvals, links, extension fields). Each problem is reported at its
 * place in the package; returns their number. */
int ip_package_check_case(const struct ip_doc *pkg, const json_t *profile,
                          const char *centre);

/* Seal a package or response: digest = sha256 over its canonical JSON
 * without the digest. Check one: true when the digest matches. */
void ip_package_seal(json_t *pkg);
bool ip_package_sealed(const json_t *pkg);

/* The state machine (DOMAIN.md, after Primero): pending -> accepted,
 * rejected or revoked; accepted -> done or revoked. NULL when from -> to is
 * allowed, else what is (static text). */
const char *ip_referral_refuse(const char *from, const char *to);

/* Who makes a move: the partner accepts, rejects and reports done; the
 * referring centre withdraws (revoked). IP_SIDE_NONE: no such move. */
enum ip_side { IP_SIDE_NONE, IP_SIDE_CENTRE, IP_SIDE_PARTNER };
enum ip_side ip_referral_mover(const char *from, const char *to);

/* Apply one step {status, date, success, reason, by}, made by side, to
 * referral ref: checks its date (not before the referral's last step, not
 * after today), the transition, that it is side's move, and what the
 * status needs (done: success; not-successful: reason), appends it to
 * ref.steps and sets status, success, reason and updated. 0, or 65 with the
 * problem reported at w. */
int ip_referral_step(json_t *ref, const json_t *step, enum ip_side side, const char *today,
                     const struct ip_where *w);

/* The response number ref.seq of a partner to the referral ref of its
 * case c, from its centre to the referring one, on date today: all it
 * knows, not only what changed, so that a response lost on the way loses
 * nothing. The steps, the arrival, each return-side measure's status with
 * its date, the follow-ups done and the notes written for this referral.
 * A new value. */
json_t *ip_referral_response(const json_t *c, const json_t *ref, const char *today);

/* The partner's own case from a package: a new case id in its centre,
 * opened today, the package's fields, and the referral itself (with
 * "from", so the partner can update and respond to it). A new value. */
json_t *ip_referral_intake(const json_t *pkg, const char *centre, const char *id,
                           const char *today);

/* Read a package or response file ("-": stdin), decrypting with identity
 * when it is age-encrypted; each document of it (JSON Lines hold several)
 * is checked against schema, its digest and its signature, which must be
 * by the centre it comes from with the key directory (the receiver's
 * partner directory) holds for it. 0 with docs set; 65 bad, unsigned or
 * forged, 66 missing, 77 encrypted without an identity or for another key,
 * or from a sender whose signing key the directory lacks. */
int ip_package_load(const char *path, const char *identity, const json_t *directory,
                    const struct ip_field *schema, const char *what,
                    const struct ip_limits *lim, struct ip_docs *docs);

#endif
