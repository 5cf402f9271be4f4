/* ip_share.h — where the data a site may change lives (vocabularies,
 * programmes, templates): $IP_SHARE, else share/integplan beside the
 * running binary's bin/ (an uninstalled build or any install prefix),
 * else the DATADIR compiled in.
 *
 * Layer: base. */
#ifndef IP_SHARE_H
#define IP_SHARE_H

const char *ip_share_dir(void);
/* <prefix>/dir for the running binary's <prefix>/bin, when <prefix>/dir/probe
 * is readable, else NULL; the caller frees. The data directory and the
 * message catalogues are found this way. */
char *ip_beside_binary(const char *dir, const char *probe);
/* ip_share_dir()/name; the caller frees. */
char *ip_share_path(const char *name);

/* Where the templates are (plans/NAME.yaml, plan/ documents):
 * $IP_TEMPLATES, else templates/ in the data directory, else
 * share/templates beside it in a source tree. */
const char *ip_templates_dir(void);

#endif
