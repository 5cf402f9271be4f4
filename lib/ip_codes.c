#include "ip_codes.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_fold.h"
#include "ip_i18n.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *file, *list, *key, *noun, *domain;
} sources[IP_CODES_N] = {
	[IP_CODES_COUNTRY] = {"iso_3166-1.json", "3166-1", "alpha_2", N_("country code"),
	                      "iso_3166-1"},
	[IP_CODES_REGION] = {"iso_3166-2.json", "3166-2", "code", N_("region code"),
	                     "iso_3166-2"},
	[IP_CODES_LANGUAGE] = {"iso_639-3.json", "639-3", "alpha_3", N_("language code"),
	                       "iso_639-3"},
	[IP_CODES_CURRENCY] = {"iso_4217.json", "4217", "alpha_3", N_("currency code"),
	                       "iso_4217"},
};

static json_t *sets[IP_CODES_N]; /* code -> English name */

/* The largest iso-codes file read (iso_639-3.json is 0.9 MB). */
#define ISO_CODES_MAX (64u << 20)
/* A file smaller than this is parsed in the calling thread: a thread
 * would cost more than it saves. */
#define ISO_CODES_SMALL (128u << 10)

/* One set on its way in: read (in the calling thread, which reports a
 * file that cannot be read), parsed (in any thread, saying nothing), then
 * judged (in the calling thread again, in the sets' order), so that the
 * messages are the same however many threads parse. */
struct load {
	enum ip_codeset set;
	char *path, *text;
	size_t len;
	json_t *codes;      /* code -> English name; NULL when the file is broken */
	bool no_list;       /* parsed, but without the set's list */
	json_error_t err;
};

/* 0, or the exit status of a file that cannot be read (reported). Read
 * whole, to be parsed from memory: json_load_file reads a character at a
 * time, a tenth of loading the codes. */
static int read_source(struct load *l, enum ip_codeset set)
{
	const char *dir = getenv("IP_ISO_CODES");
	if (!dir || !*dir)
		dir = "/usr/share/iso-codes/json";
	*l = (struct load){.set = set, .path = ip_xasprintf("%s/%s", dir, sources[set].file)};
	int rc = ip_read_all(l->path, ISO_CODES_MAX, &l->text, &l->len);
	if (rc) {  /* exits as a missing file or an I/O error, with a hint */
		ip_error(&(struct ip_where){l->path, 0, 0, NULL}, "cannot read the ISO codes "
		         "(install Debian's iso-codes or set IP_ISO_CODES)");
		free(l->path);
	}
	return rc;
}

/* The set's list of entries (the caller lets go of it), or NULL with
 * l->err or l->no_list saying why. The text is let go of either way. */
static json_t *parse_list(struct load *l)
{
	json_t *doc = json_loadb(l->text, l->len, 0, &l->err);
	json_t *list = json_incref(json_object_get(doc, sources[l->set].list));
	if (!json_is_array(list)) {
		json_decref(list);
		list = NULL;
	}
	l->no_list = doc && !list;
	json_decref(doc);
	free(l->text);
	l->text = NULL;
	return list;
}

/* The codes of a list read by jansson: code -> English name (null when
 * an entry has none); NULL when the file is broken or has no such list. */
static json_t *codes_of_tree(struct load *l)
{
	json_t *list = parse_list(l);
	if (!list)
		return NULL;
	json_t *codes = json_object();
	size_t i;
	json_t *entry;
	json_array_foreach(list, i, entry) {
		const char *code = json_string_value(json_object_get(entry, sources[l->set].key));
		json_t *name = json_object_get(entry, "name");
		if (code)
			json_object_set(codes, code, name ? name : json_null());
	}
	json_decref(list);
	return codes;
}

/* ---- the files' own shape, read without a tree ---------------------------
 *
 * iso-codes' files are one object holding one list of flat objects whose
 * values are strings without escapes. Building jansson's tree of all 1.4
 * MB of them was nearly all of a small command's time (0.1 s) and of a
 * report's misses. Read in that shape they need no tree; anything else
 * (an escape, a number, another key, a nesting, a trailing comma) and the
 * reading gives up, jansson reads the file as before and says what is
 * wrong with it. So both ways give the same codes, or jansson decides. */
struct scan {
	const char *p, *end;
};

/* Past JSON's white space. */
static void scan_space(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\t' || *s->p == '\r'))
		s->p++;
}

/* Whether ch comes next after white space (taken if it does). */
static bool scan_take(struct scan *s, char ch)
{
	scan_space(s);
	if (s->p == s->end || *s->p != ch)
		return false;
	s->p++;
	return true;
}

/* A string without escapes or control characters, into *str (not
 * terminated) and *len. The text is known to be UTF-8 and without NUL. */
static bool scan_string(struct scan *s, const char **str, size_t *len)
{
	if (!scan_take(s, '"'))
		return false;
	const char *start = s->p;
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' || (unsigned char)*s->p < 0x20)
			return false;
		s->p++;
	}
	if (s->p == s->end)
		return false;
	*str = start;
	*len = (size_t)(s->p++ - start);
	return true;
}

static bool same_word(const char *str, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(str, word, len);
}

/* One entry, {"key": "value", ...}: its code and name (the last of each,
 * as jansson keeps them), or NULL where it has none. */
static bool scan_entry(struct scan *s, const char *code_key, const char **code,
                       size_t *code_len, const char **name, size_t *name_len)
{
	*code = *name = NULL;
	if (!scan_take(s, '{'))
		return false;
	if (scan_take(s, '}'))
		return true;
	do {
		const char *key, *value;
		size_t key_len, value_len;
		if (!scan_string(s, &key, &key_len) || !scan_take(s, ':') ||
		    !scan_string(s, &value, &value_len))
			return false;
		if (same_word(key, key_len, code_key)) {
			*code = value;
			*code_len = value_len;
		} else if (same_word(key, key_len, "name")) {
			*name = value;
			*name_len = value_len;
		}
	} while (scan_take(s, ','));
	return scan_take(s, '}');
}

static void set_code(json_t *codes, const char *code, size_t code_len, const char *name,
                     size_t name_len)
{
	json_object_setn_new_nocheck(codes, code, code_len,
	                             name ? json_stringn_nocheck(name, name_len) : json_null());
}

/* The codes of a file in iso-codes' shape, as codes_of_tree gives them;
 * NULL when it is not in that shape. */
static json_t *codes_of_plain_text(const struct load *l)
{
	int line, col;
	struct scan s = {l->text, l->text + l->len};
	const char *list, *code, *name;
	size_t list_len, code_len = 0, name_len = 0;
	if (!ip_utf8_valid(l->text, l->len, &line, &col) || !scan_take(&s, '{') ||
	    !scan_string(&s, &list, &list_len) || !same_word(list, list_len, sources[l->set].list) ||
	    !scan_take(&s, ':') || !scan_take(&s, '['))
		return NULL;
	json_t *codes = json_object();
	bool whole = scan_take(&s, ']'), more = !whole;
	while (more && scan_entry(&s, sources[l->set].key, &code, &code_len, &name, &name_len)) {
		if (code)
			set_code(codes, code, code_len, name, name_len);
		more = scan_take(&s, ',');
		whole = !more && scan_take(&s, ']');
	}
	whole = whole && scan_take(&s, '}');
	scan_space(&s);
	if (!whole || s.p != s.end) {
		json_decref(codes);
		return NULL;
	}
	return codes;
}

static void *parse_source(void *arg)
{
	struct load *l = arg;
	json_t *codes = codes_of_plain_text(l);
	if (codes) {
		free(l->text);
		l->text = NULL;
	} else {
		codes = codes_of_tree(l);
	}
	if (codes && l->set == IP_CODES_COUNTRY)
		json_object_set_new(codes, "XK", json_string("Kosovo"));
	l->codes = codes;
	return NULL;
}

/* The parsed set in its place, or the problem reported: 0 or 66. */
static int finish_load(struct load *l)
{
	int rc = IP_EXIT_OK;
	if (l->codes)
		sets[l->set] = l->codes;
	else {
		ip_error(&(struct ip_where){l->path, l->err.line, l->err.column, NULL},
		         "cannot read the ISO codes (install Debian's iso-codes "
		         "or set IP_ISO_CODES): %s", l->no_list ? _("no list in file") : l->err.text);
		rc = IP_EXIT_NOINPUT;
	}
	free(l->path);
	return rc;
}

/* The set's whole list, for what the code sets do not keep; a file that
 * cannot be loaded ends the program. */
static json_t *read_list(enum ip_codeset set)
{
	struct load l;
	int rc = read_source(&l, set);
	if (rc)
		exit(rc);
	json_t *list = parse_list(&l);
	if (!list)
		exit(finish_load(&l));
	free(l.path);
	return list;
}

/* A set that cannot be loaded ends the program. */
static json_t *get_set(enum ip_codeset set)
{
	if (!sets[set]) {
		struct load l;
		int rc = read_source(&l, set);
		if (!rc) {
			parse_source(&l);
			rc = finish_load(&l);
		}
		if (rc)
			exit(rc);
	}
	return sets[set];
}

void ip_codes_load_all(int threads)
{
	struct load loads[IP_CODES_N];
	pthread_t tids[IP_CODES_N];
	bool started[IP_CODES_N] = {0};
	size_t n = 0;
	for (int set = 0; set < IP_CODES_N; set++) {
		if (sets[set])
			continue;
		int rc = read_source(&loads[n], (enum ip_codeset)set);
		if (rc)
			exit(rc);
		n++;
	}
	/* the largest files (regions, languages) each in a thread of its own
	 * while there are threads to spare; the rest in this one. Parsing is
	 * most of loading, and jansson may parse in several threads once its
	 * hash seed is set. */
	json_object_seed(0);
	int running = 0;
	for (size_t i = n; i-- > 0;)
		if (running + 1 < threads && loads[i].len > ISO_CODES_SMALL &&
		    pthread_create(&tids[i], NULL, parse_source, &loads[i]) == 0) {
			started[i] = true;
			running++;
		}
	for (size_t i = 0; i < n; i++)
		if (!started[i])
			parse_source(&loads[i]);
	int rc = IP_EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		if (started[i])
			pthread_join(tids[i], NULL);
		int one = finish_load(&loads[i]);
		rc = rc ? rc : one;
	}
	if (rc)
		exit(rc);
}

bool ip_code_known(enum ip_codeset set, const char *code)
{
	return json_object_get(get_set(set), code) != NULL;
}

const char *ip_code_name(enum ip_codeset set, const char *code)
{
	const char *name = json_string_value(json_object_get(get_set(set), code));
	if (!name)
		return NULL;
	/* iso-codes' own translations, as Debian ships them */
	return dgettext(sources[set].domain, name);
}

const char *ip_codeset_noun(enum ip_codeset set)
{
	return _(sources[set].noun);
}

/* ---- codes by name ------------------------------------------------------- */

/* The 32-bit number at off of a catalogue of size n, in its byte order;
 * false when it is not inside. */
static bool get32(const unsigned char *b, size_t n, size_t off, bool swapped, uint32_t *v)
{
	if (off > n || n - off < 4)
		return false;
	uint32_t x = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 | (uint32_t)b[off + 2] << 16 |
	             (uint32_t)b[off + 3] << 24;
	*v = swapped ? __builtin_bswap32(x) : x;
	return true;
}

/* String i of the table at table: inside the file and NUL-terminated. */
static const char *catalogue_string(const unsigned char *b, size_t n, uint32_t table,
                                    uint32_t i, bool swapped)
{
	uint32_t len, off;
	size_t at = (size_t)table + (size_t)i * 8;
	if (!get32(b, n, at, swapped, &len) || !get32(b, n, at + 4, swapped, &off) ||
	    (size_t)off + len >= n || b[(size_t)off + len] != '\0')
		return NULL;
	return (const char *)b + off;
}

/* The translations of a gettext catalogue (.mo): original -> translated,
 * every offset checked; empty when the file is missing or not one. */
static json_t *read_catalogue(const char *path)
{
	json_t *map = json_object();
	char *text = NULL;
	size_t n = 0;
	/* no catalogue for the language: English names only, quietly */
	if (access(path, R_OK) != 0 || ip_read_all(path, 16u << 20, &text, &n))
		return map;
	const unsigned char *b = (const unsigned char *)text;
	uint32_t magic = 0, count, orig, trans;
	bool swapped = false;
	if (get32(b, n, 0, false, &magic) && magic != 0x950412de)
		swapped = magic == 0xde120495;
	bool ok = (magic == 0x950412de || swapped) && get32(b, n, 8, swapped, &count) &&
	          get32(b, n, 12, swapped, &orig) && get32(b, n, 16, swapped, &trans);
	for (uint32_t i = 0; ok && i < count; i++) {
		const char *o = catalogue_string(b, n, orig, i, swapped);
		const char *t = catalogue_string(b, n, trans, i, swapped);
		if (!o || !t)
			break;
		if (*o && *t)
			json_object_set_new(map, o, json_string(t));
	}
	free(text);
	return map;
}

/* Name a stands for code in index, unless another code has it too:
 * then it stands for none (null). */
static void add_name(json_t *index, const char *name, const char *code)
{
	char *folded = ip_fold(name);
	json_t *had = folded ? json_object_get(index, folded) : NULL;
	if (folded && !had)
		json_object_set_new(index, folded, json_string(code));
	else if (had && json_is_string(had) && strcmp(json_string_value(had), code))
		json_object_set_new(index, folded, json_null());
	free(folded);
}

/* A name and its German translation, and each before ", " ("Iran,
 * Islamic Republic of": "Iran"). */
static void add_forms(json_t *index, json_t *german, const char *name, const char *code)
{
	const char *forms[2] = {name, json_string_value(json_object_get(german, name))};
	for (size_t k = 0; k < 2 && forms[k]; k++) {
		add_name(index, forms[k], code);
		const char *comma = strstr(forms[k], ", ");
		if (comma) {
			char *head = ip_xasprintf("%.*s", (int)(comma - forms[k]), forms[k]);
			add_name(index, head, code);
			free(head);
		}
	}
}

/* The iso-codes catalogue of set in locale ("de", "fa", "ar"), read once. */
static json_t *catalogue_in(enum ip_codeset set, const char *locale)
{
	static json_t *read[IP_CODES_N]; /* locale -> catalogue, kept like sets */
	if (!read[set])
		read[set] = json_object();
	json_t *cat = json_object_get(read[set], locale);
	if (!cat) {
		/* a locale is letters, '_' and '@' (sr@latin): never a path */
		static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_@";
		bool plain = *locale && strspn(locale, allowed) == strlen(locale);
		char *path = plain ? ip_xasprintf("/usr/share/locale/%s/LC_MESSAGES/%s.mo", locale,
		                                  sources[set].domain) : NULL;
		cat = path ? read_catalogue(path) : json_object();
		json_object_set_new(read[set], locale, cat);
		free(path);
	}
	return cat;
}

const char *ip_code_name_in(enum ip_codeset set, const char *code, const char *locale)
{
	const char *name = json_string_value(json_object_get(get_set(set), code));
	if (!name || !locale || !strcmp(locale, "en"))
		return name;
	const char *translated = json_string_value(json_object_get(catalogue_in(set, locale), name));
	return translated ? translated : name;
}

/* folded name -> code (null: several), for every English name of the set
 * (name, common and official name) and its German translation in
 * iso-codes' catalogue. */
static json_t *names_index(enum ip_codeset set)
{
	json_t *german = catalogue_in(set, "de");
	json_t *list = read_list(set), *index = json_object();
	static const char *const kinds[] = {"name", "common_name", "official_name"};
	size_t i;
	json_t *entry;
	json_array_foreach(list, i, entry) {
		const char *code = json_string_value(json_object_get(entry, sources[set].key));
		for (size_t k = 0; code && k < 3; k++) {
			const char *name = json_string_value(json_object_get(entry, kinds[k]));
			if (name)
				add_forms(index, german, name, code);
		}
	}
	if (set == IP_CODES_COUNTRY)
		add_name(index, "Kosovo", "XK");
	json_decref(list);
	return index;
}

static json_t *by_name[IP_CODES_N]; /* kept, like sets */

const char *ip_code_of_name(enum ip_codeset set, const char *name)
{
	if (!by_name[set])
		by_name[set] = names_index(set);
	char *folded = ip_fold(name);
	const char *code = folded ? json_string_value(json_object_get(by_name[set], folded)) : NULL;
	free(folded);
	return code;
}
