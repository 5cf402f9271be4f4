#include "ip_text.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"

#include <errno.h>
#include <stdbool.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t lines_in(const char *s, size_t n)
{
	size_t lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines;
}

/* in (from encoding from) as UTF-8 appended to out. */
static int convert(const char *name, const char *from, const char *in, size_t len,
                   struct ip_buf *out)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1) {
		ip_error(&(struct ip_where){NULL, 0, 0, "--encoding"}, "unknown encoding '%s' "
		         "(iconv --list names those there are)", from);
		return IP_EXIT_USAGE;
	}
	/* a byte of Windows-1252 is at most 3 bytes of UTF-8, and so are two
	 * of UTF-16 */
	size_t cap = 3 * len + 16, left = cap, in_left = len;
	char *text = ip_xmalloc(cap), *dst = text;
	char *src = (char *)in;
	int rc = IP_EXIT_OK;
	if (iconv(cd, &src, &in_left, &dst, &left) == (size_t)-1 ||
	    iconv(cd, NULL, NULL, &dst, &left) == (size_t)-1) {
		struct ip_where w = {name, (int)lines_in(text, (size_t)(dst - text)), 0, NULL};
		if (errno == EINVAL)
			ip_error(&w, "the file ends inside a character of %s (give the file's "
			         "encoding with --encoding, or save it as UTF-8)", from);
		else
			ip_error(&w, "byte %zu is not %s (give the file's encoding with --encoding, "
			         "or save it as UTF-8)", len - in_left + 1, from);
		rc = IP_EXIT_DATAERR;
	}
	if (!rc)
		ip_buf_add(out, text, (size_t)(dst - text));
	free(text);
	iconv_close(cd);
	return rc;
}

static bool starts(const char *buf, size_t len, const char *bom, size_t n)
{
	return len >= n && !memcmp(buf, bom, n);
}

/* What the bytes say they are: a byte order mark, else UTF-8 when they
 * are (*valid: checked so already), else what German Excel writes.
 * *skip: the bytes of the mark. */
static const char *detect(const char *buf, size_t len, size_t *skip, bool *valid)
{
	int line, col;
	*skip = 0;
	if (starts(buf, len, "\xEF\xBB\xBF", 3)) {
		*skip = 3;
		return "UTF-8";
	}
	if (starts(buf, len, "\xFF\xFE", 2) || starts(buf, len, "\xFE\xFF", 2)) {
		*skip = 2;
		return buf[0] == '\xFF' ? "UTF-16LE" : "UTF-16BE";
	}
	*valid = ip_utf8_valid(buf, len, &line, &col);
	return *valid ? "UTF-8" : "WINDOWS-1252";
}

int ip_text_decode(const char *name, const char *buf, size_t len, const char *encoding,
                   struct ip_buf *out, const char **read_as)
{
	size_t skip = 0;
	bool valid = false;  /* UTF-8 without a NUL, known already */
	const char *from = encoding;
	if (!from)
		from = detect(buf, len, &skip, &valid);
	else if (!strcasecmp(from, "UTF-8") || !strcasecmp(from, "UTF8"))
		skip = starts(buf, len, "\xEF\xBB\xBF", 3) ? 3 : 0;
	*read_as = from;
	int rc = IP_EXIT_OK;
	if (!strcasecmp(from, "UTF-8") || !strcasecmp(from, "UTF8"))
		ip_buf_add(out, buf + skip, len - skip);
	else
		rc = convert(name, from, buf + skip, len - skip, out);
	int line, col;
	if (!rc && !valid && !ip_utf8_valid(out->s ? out->s : "", out->len, &line, &col)) {
		ip_error(&(struct ip_where){name, line, col, NULL},
		         "invalid UTF-8 or a NUL byte (give the file's encoding with --encoding, "
		         "or save it as UTF-8)");
		rc = IP_EXIT_DATAERR;
	}
	return rc;
}
