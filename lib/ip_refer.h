/* ip_refer.h — the steps a referral takes on a case: sent to a partner
 * (with consent, for the services the partner offers, never twice while
 * one is open), moved along the state machine by an update, answered by
 * the partner, and the answer received (it must continue the referral's
 * steps; arrival, the status of return-side measures and a note come with
 * it).
 *
 * Layer: domain. */
#ifndef IP_REFER_H
#define IP_REFER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ip_send {
	const json_t *partner;   /* its entry in the partner directory */
	json_t *services;        /* asked for; empty: the plan's return-side
	                          * measures the partner offers */
	const char *today;
	bool quiet;
	/* What happened: a new referral and its package, or one still open. */
	json_t *package;         /* a new value, or NULL */
	char *sent;              /* the new referral's id (malloc), or NULL */
	const char *open;        /* the open referral's id (borrowed), or NULL */
	char summary[300];
};

/* Send a referral of case c (file name): 0 with s->package set, or with
 * s->open when one is open already; 77 without consent, 65 when there is
 * nothing to refer for. Reset s->package, s->sent and s->open first. */
int ip_refer_send(struct ip_send *s, json_t *c, const char *name, const char **what);
void ip_send_clear(struct ip_send *s);

/* The referral an update or a response is about: the one named id, else
 * the case's only open one (received: its only received one). NULL after
 * reporting why at name. */
json_t *ip_refer_pick(const json_t *c, const char *id, bool received, const char *name);

struct ip_update {
	const char *referral;    /* NULL: the case's only open one */
	const char *status, *success, *reason, *note;
	const char *date;        /* of the step */
	const char *today, *actor;
	char summary[200];
};

/* Move a referral of case c to u->status. The status it has already
 * changes only the note; a different success or reason is refused. */
int ip_refer_update(struct ip_update *u, json_t *c, const char *name, const char **what);

struct ip_receive {
	const json_t *response;  /* a checked response document */
	const char *package;     /* its file, for messages */
	const char *today;       /* nothing it says may happen after */
	char summary[200];
};

/* Merge a partner's response into case c (file name): 0, or 65 when it is
 * stale, replayed, from another partner or not a step the machine allows. */
int ip_refer_receive(struct ip_receive *r, json_t *c, const char *name, const char **what);

#endif
