#include "ip_match.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_fold.h"
#include "ip_i18n.h"
#include "ip_mem.h"
#include "ip_schema.h"
#include "ip_share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One rule of "sounds": from (without its anchors) becomes to. */
struct sound {
	char *from, *to;
	size_t from_len;
	bool at_start, at_end;
};

struct ip_match {
	struct sound *sounds;
	size_t n;
};

/* ---- the rules ---------------------------------------------------------- */

static bool letters_only(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return false;
	return true;
}

/* Is the rule's from "^letters$" with both anchors optional, its to
 * letters or nothing? A rule of other characters could never apply to a
 * folded word, and one with an empty from would apply everywhere. */
static int check_sound(struct ip_doc *doc, size_t i, const json_t *rule)
{
	const char *from = ip_str(rule, "from"), *to = ip_str(rule, "to") ? ip_str(rule, "to") : "";
	size_t n = strlen(from);
	const char *core = from + (n && from[0] == '^');
	size_t core_len = strlen(core) - (n > 1 && from[n - 1] == '$');
	const char *field = NULL;
	if (core_len == 0 || core_len > 16 || !letters_only(core, core_len))
		field = "from";
	else if (strlen(to) > 16 || !letters_only(to, strlen(to)))
		field = "to";
	if (!field)
		return 0;
	char path[48];
	snprintf(path, sizeof path, "sounds[%zu].%s", i, field);
	struct ip_where w = ip_doc_where(doc, path);
	w.path = path;
	if (!strcmp(field, "from"))
		ip_error(&w, "'%s' is not a rule: 1 to 16 letters a-z, '^' before them for the "
		         "start of a word, '$' after them for its end", from);
	else
		ip_error(&w, "'%s' is not what a sound becomes: up to 16 letters a-z, or \"\"", to);
	return 1;
}

static void take_sound(struct sound *s, const json_t *rule)
{
	const char *from = ip_str(rule, "from");
	size_t n = strlen(from);
	s->at_start = from[0] == '^';
	s->at_end = n > 1 && from[n - 1] == '$';
	s->from_len = n - s->at_start - s->at_end;
	s->from = ip_xasprintf("%.*s", (int)s->from_len, from + s->at_start);
	s->to = ip_xstrdup(ip_str(rule, "to") ? ip_str(rule, "to") : "");
}

int ip_match_load(const char *path, const struct ip_limits *lim, struct ip_match **out)
{
	char *file = path ? ip_xstrdup(path) : ip_share_path("matching.yaml");
	struct ip_docs docs = {0};
	int rc = ip_docs_load(file, IP_SYNTAX_AUTO, lim, &docs);
	if (!rc && docs.n != 1) {
		ip_error(&(struct ip_where){file, 0, 0, NULL}, "expected the rules of matching "
		         "names, found %zu documents", docs.n);
		rc = IP_EXIT_DATAERR;
	}
	int problems = rc ? 0 : ip_validate(&docs.v[0], &ip_matching_schema,
	                                    N_("the rules of matching names"));
	json_t *sounds = rc ? NULL : json_object_get(docs.v[0].root, "sounds");
	size_t i;
	json_t *rule;
	json_array_foreach(problems ? NULL : sounds, i, rule)
		problems += check_sound(&docs.v[0], i, rule);
	if (!rc && problems)
		rc = IP_EXIT_DATAERR;
	if (!rc) {
		struct ip_match *m = ip_xcalloc(1, sizeof *m);
		m->sounds = ip_xcalloc(json_array_size(sounds) + 1, sizeof *m->sounds);
		json_array_foreach(sounds, i, rule)
			take_sound(&m->sounds[m->n++], rule);
		*out = m;
	}
	ip_docs_free(&docs);
	free(file);
	return rc;
}

void ip_match_free(struct ip_match *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->sounds[i].from);
		free(m->sounds[i].to);
	}
	free(m->sounds);
	free(m);
}

/* ---- names by sound ----------------------------------------------------- */

/* A word as the rules see it: letters a-z. A longer one is no name's
 * word: it stands for itself (name_sound). */
#define WORD_MAX 64

struct word {
	char s[WORD_MAX * 4 + 1];
	size_t len;
};

/* The word with every place the rule applies rewritten; a rewrite that
 * would not fit stops (a rule makes at most 16 letters of one). */
static void apply_sound(const struct sound *s, struct word *w)
{
	struct word out = {.len = 0};
	size_t to_len = strlen(s->to);
	for (size_t i = 0; i < w->len;) {
		bool fits = i + s->from_len <= w->len && !memcmp(w->s + i, s->from, s->from_len) &&
		            (!s->at_start || i == 0) && (!s->at_end || i + s->from_len == w->len);
		if (fits && out.len + to_len < sizeof out.s - 1) {
			memcpy(out.s + out.len, s->to, to_len);
			out.len += to_len;
			i += s->from_len;
		} else if (out.len < sizeof out.s - 1) {
			out.s[out.len++] = w->s[i++];
		} else {
			break;
		}
	}
	*w = out;
}

static bool is_vowel(char c)
{
	return strchr("aeiouyw", c) != NULL;
}

/* A word's consonants, a new string: its first letter (any vowel as "a",
 * y as j, w as v), then every letter but vowels, w and y, a doubled letter
 * once (a digit as often as it stands). */
static char *skeleton(const struct word *w)
{
	char out[sizeof w->s];
	size_t n = 0;
	char first = w->s[0];
	out[n++] = strchr("aeiou", first) ? 'a' : first == 'y' ? 'j' : first == 'w' ? 'v' : first;
	for (size_t i = 1; i < w->len; i++)
		if (!is_vowel(w->s[i]) && (w->s[i] != w->s[i - 1] || w->s[i] <= '9'))
			out[n++] = w->s[i];
	return ip_xasprintf("%.*s", (int)n, out);
}

static int cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Digits count as letters: no name has them, but a record that numbers
 * its persons ("Person 12") is told apart by them. */
static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The next word of a folded Latin name from *p on: its letters, an
 * apostrophe (an ayn or hamza written ' or `) left out; any other
 * character that is not a letter ends it. */
static bool next_word(const char **p, struct word *w, const char **start)
{
	const char *s = *p;
	while (*s && !is_letter(*s))
		s++;
	*start = s;
	w->len = 0;
	for (; *s && (is_letter(*s) || *s == '\'' || *s == '`'); s++)
		if (is_letter(*s) && w->len < WORD_MAX)
			w->s[w->len++] = *s;
	*p = s;
	return w->len > 0;
}

/* The sound of a name of several words: each word's skeleton after the
 * rules, sorted, so that given and family name may come in any order. */
static void name_sound(const struct ip_match *m, const char *latin, struct ip_buf *out)
{
	char *words[16];
	size_t n = 0;
	struct word w;
	const char *start;
	for (const char *p = latin; n < 16 && next_word(&p, &w, &start);) {
		if (p - start > WORD_MAX) {
			words[n++] = ip_xasprintf("%.*s", (int)(p - start), start);
			continue;
		}
		for (size_t r = 0; w.len && r < m->n; r++)
			apply_sound(&m->sounds[r], &w);
		if (!w.len)
			continue;
		words[n++] = skeleton(&w);
	}
	qsort(words, n, sizeof *words, cmp_strings);
	for (size_t i = 0; i < n; i++) {
		if (i)
			ip_buf_puts(out, " ");
		ip_buf_puts(out, words[i]);
		free(words[i]);
	}
}

/* given and family as one string; the caller frees. */
static char *whole_name(const json_t *person)
{
	const char *given = ip_str(person, "given"), *family = ip_str(person, "family");
	return ip_xasprintf("%s %s", given ? given : "", family ? family : "");
}

static char *sound_of(const struct ip_match *m, const json_t *person)
{
	char *name = whole_name(person);
	char *latin = ip_fold_latin(name);
	struct ip_buf out = {0};
	ip_buf_puts(&out, "");
	if (latin)
		name_sound(m, latin, &out);
	free(latin);
	free(name);
	return out.s;
}

/* ---- keys --------------------------------------------------------------- */

static const char *first_nationality(const json_t *person)
{
	return json_string_value(json_array_get(json_object_get(person, "nationality"), 0));
}

static void add_part(struct ip_buf *b, const char *s)
{
	ip_buf_puts(b, s ? s : "");
	ip_buf_add(b, "\x1f", 1);
}

char *ip_match_exact_key(const json_t *person)
{
	struct ip_buf b = {0};
	static const char *const names[] = {"given", "family"};
	for (size_t i = 0; i < 2; i++) {
		const char *s = ip_str(person, names[i]);
		char *folded = s ? ip_fold(s) : NULL;
		add_part(&b, folded ? folded : s);
		free(folded);
	}
	add_part(&b, ip_str(person, "birth_date"));
	add_part(&b, first_nationality(person));
	return b.s;
}

char *ip_match_near_key(const struct ip_match *m, const json_t *person)
{
	struct ip_buf b = {0};
	char *sound = sound_of(m, person);
	const char *birth = ip_str(person, "birth_date");
	add_part(&b, sound);
	ip_buf_printf(&b, "%.4s", birth ? birth : "");
	ip_buf_add(&b, "\x1f", 1);
	add_part(&b, first_nationality(person));
	free(sound);
	return b.s;
}

/* ---- comparing ---------------------------------------------------------- */

static bool same_folded(const char *a, const char *b, char *(*fold)(const char *))
{
	char *fa = fold(a ? a : ""), *fb = fold(b ? b : "");
	bool same = fa && fb && !strcmp(fa, fb);
	free(fa);
	free(fb);
	return same;
}

static enum ip_match_name compare_names(const struct ip_match *m, const json_t *a,
                                        const json_t *b)
{
	if (same_folded(ip_str(a, "given"), ip_str(b, "given"), ip_fold) &&
	    same_folded(ip_str(a, "family"), ip_str(b, "family"), ip_fold))
		return IP_NAME_SAME;
	char *wa = whole_name(a), *wb = whole_name(b);
	bool script = same_folded(wa, wb, ip_fold_latin);
	free(wa);
	free(wb);
	if (script)
		return IP_NAME_SCRIPT;
	char *sa = sound_of(m, a), *sb = sound_of(m, b);
	bool sound = *sa && !strcmp(sa, sb);
	free(sa);
	free(sb);
	return sound ? IP_NAME_SOUND : IP_NAME_DIFFERENT;
}

bool ip_match_year_only(const char *birth)
{
	return birth && strlen(birth) == 10 && !strcmp(birth + 4, "-01-01");
}

void ip_match_swapped(const char *birth, char out[11])
{
	if (birth && strlen(birth) == 10)
		snprintf(out, 11, "%.5s%.2s-%.2s", birth, birth + 8, birth + 5);
	else
		snprintf(out, 11, "%s", birth ? birth : "");
}

static enum ip_match_birth compare_births(const char *a, const char *b)
{
	if (!a || !b)
		return IP_BIRTH_DIFFERENT;
	if (!strcmp(a, b))
		return IP_BIRTH_SAME;
	char swapped[11];
	ip_match_swapped(b, swapped);
	if (strlen(a) != 10 || strlen(b) != 10 || strncmp(a, b, 4))
		return IP_BIRTH_DIFFERENT;
	if (!strcmp(a, swapped))
		return IP_BIRTH_SWAPPED;
	return ip_match_year_only(a) || ip_match_year_only(b) ? IP_BIRTH_YEAR : IP_BIRTH_DIFFERENT;
}

/* A nationality in common, or none known of either (stateless). */
static bool share_nationality(const json_t *a, const json_t *b)
{
	const json_t *na = json_object_get(a, "nationality"), *nb = json_object_get(b, "nationality");
	if (!json_array_size(na) && !json_array_size(nb))
		return true;
	size_t i, j;
	json_t *x, *y;
	json_array_foreach(na, i, x)
		json_array_foreach(nb, j, y)
			if (json_equal(x, y))
				return true;
	return false;
}

struct ip_match_why ip_match_compare(const struct ip_match *m, const json_t *a,
                                     const json_t *b)
{
	struct ip_match_why why = {
		compare_names(m, a, b),
		compare_births(ip_str(a, "birth_date"), ip_str(b, "birth_date")),
		share_nationality(a, b),
	};
	return why;
}

bool ip_match_same(const struct ip_match_why *why)
{
	return why->name == IP_NAME_SAME && why->birth == IP_BIRTH_SAME && why->nationality;
}

bool ip_match_near(const struct ip_match_why *why)
{
	return why->name != IP_NAME_DIFFERENT && why->birth != IP_BIRTH_DIFFERENT &&
	       why->nationality && !ip_match_same(why);
}

void ip_match_explain(const struct ip_match_why *why, struct ip_buf *out)
{
	static const char *const names[] = {
		[IP_NAME_SOUND] = N_("names sound alike"),
		[IP_NAME_SCRIPT] = N_("same name in another script"),
		[IP_NAME_SAME] = N_("same name"),
	};
	static const char *const births[] = {
		[IP_BIRTH_YEAR] = N_("same year of birth, 1 January standing for an unknown day"),
		[IP_BIRTH_SWAPPED] = N_("birth day and month swapped"),
		[IP_BIRTH_SAME] = N_("same birth date"),
	};
	const char *parts[3] = {
		why->name ? _(names[why->name]) : NULL,
		why->birth ? _(births[why->birth]) : NULL,
		why->nationality ? _("same nationality") : NULL,
	};
	const char *sep = "";
	for (size_t i = 0; i < 3; i++) {
		if (!parts[i])
			continue;
		ip_buf_printf(out, "%s%s", sep, parts[i]);
		sep = ", ";
	}
}
