#include "ip_i18n.h"
#include "ip_diag.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef IP_LOCALEDIR
#define IP_LOCALEDIR "/usr/local/share/locale"
#endif

/* <prefix>/share/locale for a binary in <prefix>/bin, if it holds our
 * catalogue in some language; else NULL. The caller frees. */
static char *locale_beside_binary(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (int up = 0; up < 2; up++) {       /* .../bin/ip-x -> ... */
		char *slash = strrchr(exe, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
	}
	char *dir = ip_xasprintf("%s/share/locale", exe);
	char *probe = ip_xasprintf("%s/de/LC_MESSAGES/" IP_TEXTDOMAIN ".mo", dir);
	int ok = access(probe, R_OK) == 0;
	free(probe);
	if (ok)
		return dir;
	free(dir);
	return NULL;
}

void ip_i18n_init(void)
{
	setlocale(LC_CTYPE, "");
	setlocale(LC_MESSAGES, "");
	const char *env = getenv("IP_LOCALEDIR");
	char *found = env && *env ? NULL : locale_beside_binary();
	bindtextdomain(IP_TEXTDOMAIN, env && *env ? env : found ? found : IP_LOCALEDIR);
	bind_textdomain_codeset(IP_TEXTDOMAIN, "UTF-8");
	textdomain(IP_TEXTDOMAIN);
	free(found);
}

const char *ip_i18n_lang(void)
{
	/* the catalogue says which language it is in: a message only it has */
	/* TRANSLATORS: the language code of this translation (de, fr, ...) */
	const char *lang = gettext("en");
	return strcmp(lang, "en") ? lang : "en";
}
