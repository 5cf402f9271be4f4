#include "ip_i18n.h"
#include "ip_share.h"

#include <locale.h>
#include <stdlib.h>

#ifndef IP_LOCALEDIR
#define IP_LOCALEDIR "/usr/local/share/locale"
#endif

void ip_i18n_init(void)
{
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	const char *env = getenv("IP_LOCALEDIR");
	/* any language's catalogue: the directory is enough */
	char *found = env && *env ? NULL : ip_beside_binary("share/locale", ".");
	bindtextdomain(IP_TEXTDOMAIN, env && *env ? env : found ? found : IP_LOCALEDIR);
	bind_textdomain_codeset(IP_TEXTDOMAIN, "UTF-8");
	textdomain(IP_TEXTDOMAIN);
	free(found);
}

const char *ip_i18n_lang(void)
{
	/* without a catalogue gettext gives back "en" itself */
	/* TRANSLATORS: the language code of this translation (de, fr, ...) */
	return gettext("en");
}
