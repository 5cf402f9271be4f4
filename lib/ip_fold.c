#include "ip_fold.h"
#include "ip_mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utrans.h>
#include <unicode/ustring.h>

/* UTF-8 to UTF-16 and back, in buffers from ip_mem. */
static UChar *to_utf16(const char *s, int32_t *len)
{
	UErrorCode err = U_ZERO_ERROR;
	u_strFromUTF8(NULL, 0, len, s, -1, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		return NULL;
	UChar *u = ip_xmalloc(((size_t)*len + 1) * sizeof *u);
	err = U_ZERO_ERROR;
	u_strFromUTF8(u, *len + 1, NULL, s, -1, &err);
	if (U_FAILURE(err)) {
		free(u);
		return NULL;
	}
	return u;
}

static char *to_utf8(const UChar *u, int32_t len)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t n = 0;
	u_strToUTF8(NULL, 0, &n, u, len, &err);
	char *s = ip_xmalloc((size_t)n + 1);
	err = U_ZERO_ERROR;
	u_strToUTF8(s, n + 1, NULL, u, len, &err);
	return s;
}

/* u in a normal form of ICU's: NFKD (compatibility forms and every
 * diacritic a combining mark) for folding, NFC for storing. */
static UChar *normalized(const UNormalizer2 *form, const UChar *u, int32_t len,
                         int32_t *out_len)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t cap = unorm2_normalize(form, u, len, NULL, 0, &err) + 1;
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		return NULL;
	err = U_ZERO_ERROR;
	UChar *d = ip_xmalloc((size_t)cap * sizeof *d);
	*out_len = unorm2_normalize(form, u, len, d, cap, &err);
	if (U_FAILURE(err)) {
		free(d);
		return NULL;
	}
	return d;
}

static UChar *decomposed(const UChar *u, int32_t len, int32_t *out_len)
{
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *nfkd = unorm2_getNFKDInstance(&err);
	return U_FAILURE(err) ? NULL : normalized(nfkd, u, len, out_len);
}

/* Drop the marks and what no one sees, fold the case, make every run of
 * white space one space, trim. */
static int32_t strip_and_fold(UChar *d, int32_t n)
{
	int32_t out = 0;
	bool space = true;  /* at the start: drop leading spaces */
	for (int32_t i = 0; i < n;) {
		UChar32 c;
		U16_NEXT(d, i, n, c);
		int8_t type = u_charType(c);
		if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK ||
		    type == U_FORMAT_CHAR || type == U_CONTROL_CHAR) {
			if (c == '\t' || c == '\n' || c == '\r')
				c = ' ';
			else
				continue;
		}
		if (u_isUWhiteSpace(c)) {
			if (!space)
				d[out++] = ' ';
			space = true;
			continue;
		}
		space = false;
		c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
		U16_APPEND_UNSAFE(d, out, c);
	}
	if (out > 0 && d[out - 1] == ' ')
		out--;
	return out;
}

char *ip_fold(const char *s)
{
	int32_t len, dlen;
	UChar *u = to_utf16(s, &len);
	UChar *d = u ? decomposed(u, len, &dlen) : NULL;
	free(u);
	if (!d)
		return NULL;
	char *folded = to_utf8(d, strip_and_fold(d, dlen));
	free(d);
	return folded;
}

char *ip_nfc(const char *s)
{
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
	int32_t len, clen;
	UChar *u = U_FAILURE(err) ? NULL : to_utf16(s, &len);
	UChar *c = u ? normalized(nfc, u, len, &clen) : NULL;
	free(u);
	if (!c)
		return NULL;
	char *composed = to_utf8(c, clen);
	free(c);
	return composed;
}

/* ---- other scripts in Latin letters ------------------------------------- */

static UTransliterator *to_latin;

static void close_to_latin(void)
{
	utrans_close(to_latin);
	to_latin = NULL;
}

/* ICU's transform from any script to Latin, then to plain ASCII letters
 * (its data ships with libicu); opened once, NULL when ICU has no such
 * transform. */
static UTransliterator *latin_transliterator(void)
{
	static bool tried;
	if (tried)
		return to_latin;
	tried = true;
	UErrorCode err = U_ZERO_ERROR;
	UChar id[32];
	u_uastrcpy(id, "Any-Latin; Latin-ASCII");
	to_latin = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
	if (U_FAILURE(err))
		to_latin = NULL;
	else
		atexit(close_to_latin);
	return to_latin;
}

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* u (len code units, room for cap) transliterated in place; the new
 * length, or -1 when it does not fit. */
static int32_t transliterate(UTransliterator *t, UChar *u, int32_t len, int32_t cap)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t limit = len;
	utrans_transUChars(t, u, &len, cap, 0, &limit, &err);
	return U_FAILURE(err) ? -1 : len;
}

char *ip_fold_latin(const char *s)
{
	char *folded = ip_fold(s);
	if (!folded || is_ascii(folded))
		return folded;
	UTransliterator *t = latin_transliterator();
	int32_t len;
	UChar *u = t ? to_utf16(folded, &len) : NULL;
	if (!u)
		return folded;
	/* a letter becomes at most a few: "щ" is "shch" */
	int32_t cap = len * 4 + 16;
	UChar *room = ip_xmalloc((size_t)cap * sizeof *room);
	memcpy(room, u, (size_t)len * sizeof *u);
	free(u);
	int32_t n = transliterate(t, room, len, cap);
	if (n >= 0) {
		char *latin = to_utf8(room, n);
		free(folded);
		folded = ip_fold(latin);  /* Latin-ASCII leaves capitals of its own */
		free(latin);
	}
	free(room);
	return folded;
}
