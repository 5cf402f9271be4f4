/* ip_grammar.h — the grammar of the values every layer checks: case,
 * centre and referral ids, dates, due dates relative to a case's events,
 * and the clock they are compared with.
 *
 * Layer: data. */
#ifndef IP_GRAMMAR_H
#define IP_GRAMMAR_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* <centre>-<year>-<5 Crockford base32>, e.g. BY-MUC-2026-7K3Q9. Only
 * A-Z, 0-9 and '-', so an id can never name a path outside cases/. */
bool ip_case_id_valid(const char *id);
/* Does id name a case of centre (its id, '-', the year and the code)? */
bool ip_case_id_of(const char *id, const char *centre);
/* A case's record key for the Cell Key Method of ip-report: 32 random
 * bits, made once with the case and never shown. With $IP_RANDOM_SEED, one
 * derived from the case id, so that seeded ids stay what they were. */
uint32_t ip_record_key_new(const char *case_id);
bool ip_centre_id_valid(const char *centre);
/* A new random id; random from getrandom(2), or from $IP_RANDOM_SEED
 * (reproducible demos and tests). The caller frees. */
char *ip_case_id_new(const char *centre, int year);
/* A referral id: <centre>-R-<8 Crockford base32>, e.g. BY-MUC-R-7K3Q9ABX;
 * unique enough to find its case in any repository that has it. */
char *ip_referral_id_new(const char *centre);
bool ip_referral_id_valid(const char *id);
/* A repository's id: 13 Crockford base32 characters (64 bits), made once
 * with the repository and kept in its config (clones share it); report
 * partials name their source by it. */
char *ip_repository_id_new(void);
bool ip_repository_id_valid(const char *id);

/* YYYY-MM-DD naming a real calendar day. */
bool ip_date_valid(const char *s);
/* YYYY-MM-DDTHH:MM:SSZ, a real UTC time. */
bool ip_datetime_valid(const char *s);
/* "departure+60d", "arrival+3m", "opened+2w": a due date relative to an
 * event of the case. */
bool ip_due_relative_valid(const char *s);
/* Such a due date taken apart: "departure-42d" is departure, -42, 'd'. */
struct ip_due_rule {
	const char *event;  /* "opened", "departure" or "arrival" */
	int amount;         /* negative: before the event */
	char unit;          /* d, w, m or y */
};
bool ip_due_rule_parse(const char *s, struct ip_due_rule *r);

/* Now, or the time pinned by $IP_NOW (ISO 8601 date or UTC time) or
 * $SOURCE_DATE_EPOCH. An unreadable pin is reported and exits 64. */
time_t ip_now(void);
void ip_date_str(time_t t, char out[11]);
void ip_datetime_str(time_t t, char out[21]);
/* date plus n days, weeks, months or years (unit d, w, m, y; n may be
 * negative); a month from the 31st ends on the month's last day. */
bool ip_date_add(const char *date, int n, char unit, char out[11]);
/* Days from one YYYY-MM-DD date to another (negative if earlier); 0 if
 * either is not a date. */
long ip_days_between(const char *from, const char *to);
/* Whole years between two YYYY-MM-DD dates (age on a day); -1 if bad. */
int ip_years_between(const char *from, const char *to);

#endif
