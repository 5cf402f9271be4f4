/* ip_words.h — a document for people in one language: its words (the
 * strings files of share/templates/plan/, a language's over English's),
 * dates, due rules, vocabulary labels and the names of countries, regions
 * and languages in that language; and a view rendered through the
 * document's Mustache template as Markdown, HTML or PDF. The plan
 * (ip_plandoc) and the referral sheet (ip_sheet) are such documents.
 *
 * Layer: domain. */
#ifndef IP_WORDS_H
#define IP_WORDS_H

#include <jansson.h>
#include <stdbool.h>

#include "ip_codes.h"
#include "ip_doc.h"
#include "ip_emit.h"
#include "ip_pdf.h"

/* How a document is rendered. */
struct ip_docopts {
	const char *lang;       /* "de", "en", "prs", ...; falls back to English */
	const char *format;     /* "md", "html" or "pdf" */
	const char *dir;        /* templates and strings (NULL: ip_templates_dir()/plan) */
	const char *today;
	const json_t *directory; /* the partner directory: the partners' contacts */
	bool quiet;              /* no warning of a draft translation */
	struct ip_limits lim;
};

/* d's language is a language code and a PDF does not go to a terminal
 * (unless to_files): 0, or 64 with the problem reported. */
int ip_docopts_check(const struct ip_docopts *d, bool to_files);

/* The words of one language and what rendering in it needs, for all the
 * documents of a run: strings, templates and fonts are read once. */
struct ip_words {
	const struct ip_docopts *d;
	char *dir;
	json_t *partials;  /* name -> text */
	json_t *templates; /* path -> text */
	json_t *strings;   /* the words of the document's language */
	struct ip_pdf_fonts *fonts; /* once a PDF is made */
};

/* Load the words of d->lang (a strings file is checked with positions; one
 * no native speaker reviewed is warned about once, unless d->quiet): 0,
 * or 65/66 with the problem reported. Close it whatever it returns. */
int ip_words_open(struct ip_words *x, const struct ip_docopts *d);
void ip_words_close(struct ip_words *x);

/* pattern with each {name} replaced by its value in vars (name, value
 * pairs, NULL-terminated): a new string. */
char *ip_words_fill(const char *pattern, const char *const vars[]);
/* An ISO date in words ("21. Dezember 2026"); set_date sets obj.key to it
 * when iso is not NULL. */
json_t *ip_words_date(const struct ip_words *x, const char *iso);
void ip_words_set_date(const struct ip_words *x, json_t *obj, const char *key, const char *iso);
/* A due date of case c: {date, rule} in words ("7 December 2026", "8 weeks
 * before departure"); only the rule's words as date when c has no date. */
json_t *ip_words_due(const struct ip_words *x, const json_t *c, const char *due);
/* A vocabulary id's label: the strings' labels, the vocabulary's in the
 * language, English's, or the id. */
const char *ip_words_label(const struct ip_words *x, const char *vocab, const char *id);
void ip_words_set_label(json_t *obj, const char *key, const struct ip_words *x,
                        const char *vocab, const char *id);
/* The e-mail and telephone of a partner directory entry set as
 * PREFIXemail and PREFIXphone of v ("email", "from_email"). */
void ip_words_contact(json_t *v, const char *prefix, const json_t *entry);
/* The language's comma between the items of a list: ", ", in Arabic
 * script "، ". */
const char *ip_words_comma(const struct ip_words *x);
/* Labels of ids, joined with the language's commas. */
json_t *ip_words_labels(const struct ip_words *x, const char *vocab, const json_t *ids);
/* A measure's budget as a document shows it: {amount ("1000"), currency,
 * programme's name if it names one}. */
json_t *ip_words_budget(const json_t *budget);
/* A programme's name ("REAG/GARP 2.0"), else its id. */
json_t *ip_words_programme(const char *id);
/* A code's name from iso-codes' catalogue of the language, else the code. */
json_t *ip_words_code(const struct ip_words *x, enum ip_codeset set, const char *code);

/* Render view (the words are view.t) through template KIND.FMT.mustache
 * (KIND.LANG.FMT.mustache where a site wrote one): 0, or 65/66 with the
 * problem reported at the template's line. */
int ip_words_render(struct ip_words *x, const char *kind, json_t *view, struct ip_buf *out);

#endif
