/* ip_exchange.h — packages and responses on their way between a centre and
 * a partner. A referral is sent with the case that records it: a package
 * for --out lands in the same batch as its case, and standard output gets
 * every package of the run at once; each is encrypted to the recipient's
 * age key unless refused. A partner answers from its own case; the centre
 * receives the answer into the case that holds the referral, found through
 * the repository's referral index. Scripts get a JSON Lines result per
 * input.
 *
 * Layer: storage. */
#ifndef IP_EXCHANGE_H
#define IP_EXCHANGE_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_buf.h"
#include "ip_lifecycle.h"
#include "ip_refer.h"
#include "ip_repo.h"
#include "ip_run.h"
#include "ip_sign.h"

struct ip_exchange {
	/* Given by the caller: */
	struct ip_run run;           /* inputs, limits, format, actor, quiet */
	const char *out;             /* one file per package in this directory;
	                              * NULL: JSON Lines on standard output */
	bool no_encrypt;             /* plain text even to a key in the directory */
	const char *results_path;    /* --results, or NULL */
	const char *today;
	const struct ip_sign_key *key; /* send, respond: the centre's signing key */
	/* Kept by the run: */
	const char *recipient;       /* the age key of the output, or NULL */
	struct ip_send send;         /* send: the case at hand */
	json_t *pending;             /* send: per case path, what became of it */
	json_t *referrals;           /* receive: the repository's referral index */
	const struct ip_repo *repo;  /* receive: where the cases are */
	const char *identity;        /* receive: the age key to decrypt with */
	const json_t *directory;     /* respond: the partner directory */
	const char *referral, *note; /* respond */
	struct ip_lifecycle *life;   /* transfer: the change, with the centre */
	char what[300];              /* respond: the change, for the history */
	struct ip_buf results;       /* JSON Lines for results_path */
	size_t sent, open, failed, received;
};

void ip_exchange_init(struct ip_exchange *x);
/* Write the results file, if asked for, and let go of everything. */
int ip_exchange_finish(struct ip_exchange *x);

/* A partner without an age key in the directory gets nothing (64) unless
 * plain text is asked for; then, unless quiet, a warning names the special
 * categories of personal data its packages carry in clear. */
int ip_exchange_keyless(const json_t *partner, bool no_encrypt, bool quiet);

/* Send a referral of each case to partner (an entry of the directory) for
 * services (empty: the plan's return-side measures the partner offers).
 * Returns the worst status; x->sent, open and failed count the cases. */
int ip_exchange_send(struct ip_exchange *x, const json_t *partner, json_t *services,
                     char **operands, int n);

/* Transfer each case to the centre life->to (an entry of the directory,
 * a counselling centre in Germany): the whole case leaves, signed and
 * encrypted to that centre's key, in the same batch as the change that
 * closes it here as transferred. */
int ip_exchange_transfer(struct ip_exchange *x, struct ip_lifecycle *life, char **operands,
                         int n);

/* The partner's response to a referral it received (referral NULL: the
 * case's only one) of each case, with an optional note, encrypted to the
 * referring centre's key in directory. */
int ip_exchange_respond(struct ip_exchange *x, const json_t *directory,
                        const char *referral, const char *note, char **operands, int n);

/* Receive each response file (decrypted with identity when it is
 * encrypted, signed by the partner with the key directory holds for it)
 * into the case of repo that holds its referral. */
int ip_exchange_receive(struct ip_exchange *x, const struct ip_repo *repo,
                        const json_t *directory, const char *identity, char **operands,
                        int n);

/* ip-refer receive --from-form: each operand a response form (YAML) that
 * a partner without IntegPlan filled in from a referral sheet; checked
 * with positions, made the response it stands for, checked and taken like
 * a signed one, recorded in the history as entered by the actor for the
 * partner. The case paths go to standard output. */
int ip_exchange_receive_forms(struct ip_exchange *x, const struct ip_repo *repo,
                              char **operands, int n);

#endif
