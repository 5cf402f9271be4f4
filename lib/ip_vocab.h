/* ip_vocab.h — the vocabularies (share/integplan/vocabularies.yaml) and
 * programme ids (share/integplan/programmes.yaml), loaded once.
 *
 * Layer: data. */
#ifndef IP_VOCAB_H
#define IP_VOCAB_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_diag.h"

bool ip_vocab_has(const char *vocab, const char *id);
/* The id closest to a mistyped one, or NULL. */
const char *ip_vocab_suggest(const char *vocab, const char *id);
/* The entries [{id, de, en}, ...] of a vocabulary (borrowed), or NULL. */
json_t *ip_vocab_entries(const char *vocab);
/* The label of an id in a language ("de", "en", ...), else its English
 * label, else the id itself (borrowed; "" for NULL). */
const char *ip_vocab_label(const char *vocab, const char *id, const char *lang);
/* The id whose id, German or English label is text, whatever its case
 * and diacritics ("Weiblich" is female), or NULL (borrowed). */
const char *ip_vocab_id_of(const char *vocab, const char *text);
/* The names of all vocabularies, in file order (borrowed object). */
json_t *ip_vocab_all(void);

/* Print a vocabulary, one id a line with its German and English labels;
 * a plural ("vulnerabilities", "needs") names it too. 0, or 64 with the
 * vocabularies listed when there is none of that name. */
int ip_vocab_print(const char *name);

/* Does a list of ids (strings) hold id? */
bool ip_ids_have(const json_t *list, const char *id);
/* Does a list of ids hold any of the ids of another? */
bool ip_ids_any(const json_t *list, const json_t *ids);
/* The strings of a list joined by sep (a new string; "" for none). */
char *ip_ids_joined(const json_t *list, const char *sep);
/* The mapping of a list whose "id" is id (borrowed), or NULL. */
json_t *ip_find_id(const json_t *list, const char *id);
/* Report "WHAT 'id'" at w, with the nearest id of the list of mappings
 * as a did-you-mean, else the ids that holder has. */
void ip_unknown_id(const struct ip_where *w, const char *what, const char *id,
                   const json_t *list, const char *holder);

/* Does entry (any mapping with valid_from / valid_to) apply on day? */
bool ip_valid_on(const json_t *entry, const char *day);
/* "valid 2024-07-01 to 2025-06-30", "valid from 2024-01-01", ... or
 * nothing for an entry valid on every day, appended to out. */
struct ip_buf;
void ip_validity_say(const json_t *entry, struct ip_buf *out);
/* Warn at w when the entry id of vocab is recorded for a day it is not
 * valid on (a vulnerability of the recast directive before it applied, a
 * partner kind that was renamed): the id stays valid for old cases. */
void ip_vocab_warn_dated(const struct ip_where *w, const char *vocab, const char *id,
                         const char *day);

bool ip_programme_known(const char *id);
/* The programmes of programmes.yaml (borrowed). */
json_t *ip_programmes(void);
/* A programme's entry in programmes.yaml (borrowed), or NULL. */
json_t *ip_programme(const char *id);
const char *ip_programme_suggest(const char *id);

#endif
