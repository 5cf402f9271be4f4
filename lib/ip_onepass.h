/* ip_onepass.h — a case read in one pass over libyaml's events, for the
 * commands that read many cases (ip-report, ip-check): each scalar is
 * checked as it arrives against the field of the case schema it belongs
 * to (ip_schema_text_ok, ip_schema_scalar_ok), the rules across fields run
 * over what the pass gathered (ip_case_rules), and, when asked, the case's
 * value is built as it goes: no position table, no walk over a tree
 * afterwards, no path strings.
 *
 * The pass answers "valid" only where ip_case_load would: anything it
 * does not take on itself (an anchor, an alias, a tag, several documents,
 * JSON, a merge conflict, an erased case) and every problem make it
 * answer "not sure", and the caller parses the same text the careful way
 * (ip_case_parse), which gives the verdict and every message with its
 * position, exactly as before. tests/0230-onepass.bats holds the two to
 * the same verdicts and reports.
 *
 * Layer: domain. */
#ifndef IP_ONEPASS_H
#define IP_ONEPASS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ip_doc.h"
#include "ip_facts.h"

/* Is the one pass used? Not with IP_READER=tree in the environment: the
 * tests and make bench compare the two ways. */
bool ip_onepass_enabled(void);
/* $IP_READER is unset, "tree" or "onepass": 0, else 64 (reported), so
 * that a misspelt "tree" does not compare the one pass with itself. */
int ip_reader_check(void);

/* Which keys of the root a tree holds: all but those in keys, or with
 * only set, only those (keys NULL-terminated). */
struct ip_onepass_keys {
	bool only;
	const char *const *keys;
};

/* Check the case in buf (len bytes; file names it, as in cases/ID.yaml).
 * true: valid, and with tree non-NULL *tree holds its value (as
 * ip_case_load gives it: plain scalars in text fields as their text),
 * with the keys of the root that built says (NULL: all); the others are
 * checked all the same. With facts non-NULL, *facts holds what
 * ip_facts_read would read of that value, with no value built; it lives
 * until the thread's next call. false: not sure; *tree is untouched and
 * *facts means nothing.
 * What validation loads lazily (vocabularies, codes, programmes) must be
 * loaded before threads call this. */
bool ip_onepass_case(const char *file, const char *buf, size_t len,
                     const struct ip_limits *lim, const struct ip_onepass_keys *built,
                     json_t **tree, struct ip_case_facts *facts);

/* At the end of a thread that used the pass: its memory is freed. */
void ip_onepass_release(void);

#endif
