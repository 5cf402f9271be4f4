/* ip_facts.h — the fields reports need from a case, as one line of text:
 * what the report cache keeps per file, and what ip-report aggregates. A
 * line is tab-separated; list fields hold their items separated by ';',
 * the parts of an item by '|'. Tabs, newlines, ';', '|' and '\' inside a
 * value are escaped with '\'.
 *
 * Layer: domain. */
#ifndef IP_FACTS_H
#define IP_FACTS_H

#include <jansson.h>
#include <stddef.h>

#include "ip_arena.h"
#include "ip_emit.h"
#include "ip_plan.h"

enum ip_fact {
	IP_F_ID, IP_F_STATUS, IP_F_CENTRE, IP_F_STATE, IP_F_COUNTRY, IP_F_REGION, IP_F_SEX,
	IP_F_BIRTH,
	IP_F_OPENED, IP_F_PLANNED, IP_F_DEPARTED, IP_F_ARRIVED, IP_F_CLOSED, IP_F_OUTCOME,
	IP_F_AGREED,       /* the day the plan was agreed, or empty */
	IP_F_COUNSELLOR,   /* host counsellor */
	IP_F_GIVEN, IP_F_FAMILY,
	IP_F_VULNS,        /* vulnerabilities of the latest assessment */
	IP_F_PROGRAMMES,   /* listed, or paying a measure */
	IP_F_MEASURES,     /* categories of measures in force */
	IP_F_ASSISTED,     /* side|started of each measure begun (in progress or
	                    * done); started empty for one from before the date */
	IP_F_REFERRALS,    /* status of each referral */
	IP_F_DUE,          /* kind|due|owner|what of each open item with a due date */
	IP_F_FOLLOW_UPS,   /* due|done of each follow-up */
	IP_F_ASSESSED,     /* date|vulnerability of every assessment ("date|" for
	                    * one without any): the latest as of a period's end */
	IP_F_OUTCOMES,     /* each survey's slot|due|done|survey|date|composite|
	                    * flags|dimension=score...: a follow-up's slot is its
	                    * months after arrival (empty without an arrival),
	                    * the baseline's "baseline"; scores in hundredths,
	                    * flags separated by spaces; a follow-up without a
	                    * survey ends at done */
	IP_F_BUDGETS,      /* a|programme|currency|cents of each budget of a
	                    * measure in force, p|programme|currency|cents|date
	                    * of each payment from any measure's budget; the
	                    * programme the budget's (empty without one) */
	IP_F_RKEY,         /* the record key, in decimal (never shown) */
	IP_NFACTS
};

/* The age band ("25-34", "60+", "unknown") of a case at intake, from the
 * lower bounds of bands (ascending); out has room for 16 bytes. */
const char *ip_facts_age_band(const json_t *bands, char *const facts[IP_NFACTS],
                              char out[16]);

/* Names of the facts, for the cache header and messages. */
extern const char *const ip_fact_names[IP_NFACTS];

/* What a case's facts line is made of, and all ip_facts_of reads: filled
 * from a case's tree (ip_facts_read) or by the one pass from its events
 * (ip_onepass.h), which tests/0230-onepass.bats holds to the same lines.
 * Text points into the tree or the pass's memory; NULL when not given or
 * given as null. A list is v[0..n). */
struct ip_texts {
	const char **v;
	size_t n;
};
struct ip_score_facts {
	const char *dimension;
	double score;
};
struct ip_survey_facts {
	const char *id, *date;
	bool composite_given;   /* given, as null too (then 0) */
	double composite;
	struct ip_texts flags;
	struct ip_score_facts *scores;
	size_t nscores;
};
struct ip_follow_up_facts {
	const char *due, *done;
	bool done_given;        /* given, as null too */
	struct ip_survey_facts *survey;  /* NULL: none */
};
struct ip_assessment_facts {
	const char *date;
	struct ip_texts vulnerabilities;
};
struct ip_referral_facts {
	const char *id, *status, *date, *to;
};
struct ip_case_facts {
	bool erased;            /* a tombstone: the years below, no dates */
	long long opened_year, closed_year;
	const char *id, *status, *outcome, *opened, *closed;
	const char *centre, *state, *host, *returning;  /* counsellors: host, return */
	const char *sex, *birth, *given, *family;
	const char *country, *region, *planned_departure, *departed, *arrived;
	bool record_key_given;  /* as a whole number */
	long long record_key;
	struct ip_texts programmes;
	struct ip_assessment_facts *assessments;
	size_t nassessments;
	struct ip_measure_facts *measures;
	size_t nmeasures;
	struct ip_approval_facts *approvals;
	size_t napprovals;
	struct ip_follow_up_facts *follow_ups;
	size_t nfollow_ups;
	struct ip_survey_facts *baseline;  /* NULL: none */
	struct ip_referral_facts *referrals;
	size_t nreferrals;
};

/* The facts of case c (a valid case), its lists in arena a. */
void ip_facts_read(const json_t *c, struct ip_arena *a, struct ip_case_facts *out);

/* Append the facts line of a case to out, with '\n'. referral_days: the
 * days a referral may wait for an answer. */
void ip_facts_of(const struct ip_case_facts *f, int referral_days, struct ip_buf *out);

/* Split a facts line (its '\n' removed) in place into its fields; false if
 * it has the wrong number of fields. */
bool ip_facts_split(char *line, char *fields[IP_NFACTS]);

/* Unescape the next item of a list field: *cursor moves past it. Returns
 * false at the end. The item is copied into buf (size n), parts split at
 * unescaped '|' into parts[0..*nparts). */
bool ip_facts_next(const char **cursor, char *buf, size_t n, char **parts,
                   int maxparts, int *nparts);

/* A value with its escapes removed, into buf. */
const char *ip_facts_value(const char *field, char *buf, size_t n);

#endif
