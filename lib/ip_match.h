/* ip_match.h — may two records be one person? Around 15 % of returns are
 * repeat returns, and the same person is written many ways: "Krasniqi "
 * and "Krasniqi", Arbën and Arben, ÏSSATOU and Issatou, Ahmadi and Ahmady,
 * Mohammad and Muhammad, محمد in one file and Mohammad in another, the
 * birth day and month swapped, 1 January for a birth date nobody knew.
 *
 * A person is the case's given and family name, birth date and
 * nationalities. Two persons are the same when their folded names
 * (ip_fold), birth dates and first nationalities are equal: an intake
 * refuses the second. They are perhaps the same (a near match, listed as a
 * candidate with its reasons) when their names sound alike by the rules of
 * share/integplan/matching.yaml, their birth dates are equal, swapped or
 * of one year with one of them 1 January, and they share a nationality.
 *
 * Layer: domain. */
#ifndef IP_MATCH_H
#define IP_MATCH_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_buf.h"
#include "ip_doc.h"

struct ip_match;

/* The rules of share/integplan/matching.yaml (or of path), checked; 0, or
 * 65/66 with every problem at its place. */
int ip_match_load(const char *path, const struct ip_limits *lim, struct ip_match **out);
void ip_match_free(struct ip_match *m);

/* The person of case c (its "person"), as keys an index can hold: the
 * same person has the same exact key; a person who may be the same has
 * the same near key (names by sound, birth year, first nationality). New
 * strings, "" for parts a case lacks. */
char *ip_match_exact_key(const json_t *person);
char *ip_match_near_key(const struct ip_match *m, const json_t *person);

/* Registrations write 1 January when only the year of birth is known. */
bool ip_match_year_only(const char *birth);
/* birth (YYYY-MM-DD) with day and month swapped, "YYYY-DD-MM" (not always
 * a date); birth itself when it is not YYYY-MM-DD. */
void ip_match_swapped(const char *birth, char out[11]);

/* How two persons compare. */
enum ip_match_name { IP_NAME_DIFFERENT, IP_NAME_SOUND, IP_NAME_SCRIPT, IP_NAME_SAME };
enum ip_match_birth { IP_BIRTH_DIFFERENT, IP_BIRTH_YEAR, IP_BIRTH_SWAPPED, IP_BIRTH_SAME };

struct ip_match_why {
	enum ip_match_name name;
	enum ip_match_birth birth;
	bool nationality;          /* a nationality in common */
};

struct ip_match_why ip_match_compare(const struct ip_match *m, const json_t *a,
                                     const json_t *b);
/* The same person by the exact key; perhaps the same person. */
bool ip_match_same(const struct ip_match_why *why);
bool ip_match_near(const struct ip_match_why *why);
/* The reasons in words ("names sound alike, birth day and month
 * swapped, same nationality"), in the user's language. */
void ip_match_explain(const struct ip_match_why *why, struct ip_buf *out);

#endif
