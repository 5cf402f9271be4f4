/* ip_i18n.h — messages in the user's language: gettext with the text
 * domain "integplan", its catalogue beside the binary (<prefix>/share/locale,
 * so a source tree and an installed tree both find theirs) or in
 * IP_LOCALEDIR.
 *
 * Only LC_CTYPE and LC_MESSAGES follow the environment: numbers, dates and
 * sorting stay in the C locale, so case files, CSV and JSON are the same
 * bytes whatever language the counsellor reads.
 *
 * Layer: base. */
#ifndef IP_I18N_H
#define IP_I18N_H

#include <libintl.h>

#define IP_TEXTDOMAIN "integplan"

/* A message to translate now. */
#define _(msgid) gettext(msgid)
/* A message to translate later (argp tables, static label tables): marks it
 * for xgettext only. */
#define N_(msgid) (msgid)

/* Set LC_CTYPE and LC_MESSAGES from the environment and bind the domain;
 * ip_diag_init calls it, so every command speaks the user's language. */
void ip_i18n_init(void);

/* The language messages are shown in: "de" when the German catalogue is in
 * use, else "en". ip-plan render takes it as its default --lang. */
const char *ip_i18n_lang(void);

#endif
