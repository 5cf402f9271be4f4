/* ip_refer.h — the steps a referral takes on a case: sent to a partner
 * (with consent, for the services the partner offers, never twice while
 * one is open), moved along the state machine by an update, answered by
 * the partner (numbered responses that carry all it knows), and each
 * answer received (it must continue the referral's steps and be newer than
 * the last one received; the arrival, the status of return-side measures,
 * follow-ups and notes come with it).
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

struct ip_respond {
	const char *referral;    /* NULL: the case's only received one */
	const char *note;        /* for the referring centre, or NULL */
	const char *today, *actor;
	json_t *response;        /* the response made (a new value) */
	char summary[200];
};

/* The partner's response to a referral it received: the next sequence
 * number and the note are recorded in case c, the response (unsigned) is
 * r->response. 65 when the case has no such referral or its ids are not
 * valid ones (they name the response's file). */
int ip_refer_respond(struct ip_respond *r, json_t *c, const char *name, const char **what);

/* Responses a referral may have: more would be a forged number. */
#define IP_RESPONSE_SEQ_MAX 1000000

struct ip_receive {
	const json_t *response;  /* a checked response document */
	const char *package;     /* its file, for messages */
	const struct ip_doc *source; /* the document it was read from, for positions */
	bool from_form;          /* made from a response form: problems name its fields */
	const char *today;       /* nothing it says may happen after */
	char summary[300];        /* what it took */
	bool news;               /* it took a step, arrival, measure, follow-up or note */
};

/* Merge a partner's response into case c (file name): its new steps, the
 * arrival, each return-side measure's status unless the case's is newer,
 * the follow-ups done and the notes not seen yet; then its sequence number
 * is the referral's. 0, or 65 when it is a replay (a sequence number seen
 * already), contradicts the case (other steps, another arrival), is from
 * another partner, makes a move that is not the partner's or the machine
 * does not allow, or gives an implausible date. */
int ip_refer_receive(struct ip_receive *r, json_t *c, const char *name, const char **what);

/* For a partner without IntegPlan: the package of case c's open referral
 * to partner (the one named id, if given), as ip-refer send made it, for
 * printing on a referral sheet. 0 with *pkg (a new value); 77 without
 * consent to the referral; 65 when no referral to the partner is open. */
int ip_refer_sheet(const json_t *c, const json_t *partner, const char *id, const char *today,
                   const char *name, json_t **pkg);

/* The response a filled-in response form (ip_form_schema, checked) stands
 * for, to referral ref of centre: the referral's steps and the form's
 * decision if it is a new one, the next sequence number, the arrival, the
 * measures and the note. A new value, to be received like any response. */
json_t *ip_refer_form_response(const json_t *form, const json_t *ref, const char *centre);

#endif
