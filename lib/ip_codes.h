/* ip_codes.h — ISO codes from Debian's iso-codes JSON files (never
 * retyped): countries (3166-1 alpha-2, plus XK for Kosovo, which the EU
 * and IOM use), regions (3166-2), languages (639-3), currencies (4217).
 * The directory is $IP_ISO_CODES, else /usr/share/iso-codes/json.
 *
 * Layer: data. */
#ifndef IP_CODES_H
#define IP_CODES_H

#include <stdbool.h>

enum ip_codeset {
	IP_CODES_COUNTRY,
	IP_CODES_REGION,
	IP_CODES_LANGUAGE,
	IP_CODES_CURRENCY,
	IP_CODES_N
};

/* Is code in the set? Loads the set on first use; a missing iso-codes
 * file is reported and ends the program (exit 66). */
bool ip_code_known(enum ip_codeset set, const char *code);
/* Load every set now, parsing the large ones in up to threads threads:
 * for a run that is about to read many cases in threads, which must not
 * load lazily at once. Ends the program as ip_code_known does. */
void ip_codes_load_all(int threads);
/* The name of a code in the user's language, from iso-codes' own
 * translations (English where there is none); NULL for an unknown code. */
const char *ip_code_name(enum ip_codeset set, const char *code);
/* The name of a code in the language of locale ("de", "fa", "ar": the
 * name of iso-codes' catalogue there), English when it has none; NULL
 * for an unknown code. For documents in a language not the user's. */
const char *ip_code_name_in(enum ip_codeset set, const char *code, const char *locale);
/* The code a name stands for, as a spreadsheet writes it: the English
 * name or its German translation in iso-codes' catalogue ("Syrien",
 * "Syrian Arab Republic"; "Paschtu"), case, diacritics and spacing
 * ignored; NULL when no name of the set is it. */
const char *ip_code_of_name(enum ip_codeset set, const char *name);
/* Human word for the set, for messages: "country code", ... */
const char *ip_codeset_noun(enum ip_codeset set);

#endif
