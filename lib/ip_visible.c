#include "ip_visible.h"

#include <stdio.h>
#include <string.h>

/* The code point of the UTF-8 sequence at s and its length; a malformed
 * byte counts as itself, one byte long (input is checked elsewhere). */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
	uint32_t v = n == 4 ? s[0] & 0x07u : n == 3 ? s[0] & 0x0Fu : s[0] & 0x1Fu;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = s[0];
			return 1;
		}
		v = v << 6 | (s[i] & 0x3Fu);
	}
	*cp = n == 1 ? s[0] : v;
	return n;
}

static bool invisible(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F ||
	       (cp >= 0x80 && cp <= 0x9F) ||      /* C1 controls */
	       cp == 0x061C ||                    /* Arabic letter mark */
	       cp == 0x200B ||                    /* zero-width space */
	       cp == 0x200E || cp == 0x200F ||    /* left-to-right, right-to-left mark */
	       (cp >= 0x2028 && cp <= 0x202E) ||  /* separators, embeddings, overrides */
	       (cp >= 0x2060 && cp <= 0x2064) ||  /* word joiner, invisible operators */
	       (cp >= 0x2066 && cp <= 0x2069) ||  /* isolates */
	       cp == 0xFEFF ||                    /* byte-order mark */
	       (cp >= 0xFFF9 && cp <= 0xFFFB);    /* interlinear annotation */
}

size_t ip_invisible_at(const char *s, uint32_t *cp)
{
	size_t n = decode((const unsigned char *)s, cp);
	return invisible(*cp) ? n : 0;
}

bool ip_invisible_find(const char *s, bool lines, uint32_t *cp)
{
	/* most text is printable ASCII: skip it a byte at a time, decode the rest */
	for (const char *p = s; *p;) {
		if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7F) {
			p++;
			continue;
		}
		size_t n = ip_invisible_at(p, cp);
		if (n && !(lines && (*cp == '\n' || *cp == '\t')))
			return true;
		p += n ? n : decode((const unsigned char *)p, cp);
	}
	return false;
}

void ip_visible_escape(uint32_t cp, char out[12])
{
	static const char named[] = "\aa\bb\ff\nn\rr\tt\vv";
	const char *c = cp && cp < 0x20 ? strchr(named, (int)cp) : NULL;
	if (cp == 0x1B)
		snprintf(out, 12, "\\e");
	else if (c && (c - named) % 2 == 0)
		snprintf(out, 12, "\\%c", c[1]);
	else if (cp < 0x100)
		snprintf(out, 12, "\\x%02X", (unsigned)cp);
	else
		snprintf(out, 12, "\\u%04X", (unsigned)cp);
}

void ip_visible_add(struct ip_buf *out, const char *s, size_t len, bool lines)
{
	const char *end = s + len, *run = s;
	while (s < end) {
		uint32_t cp;
		size_t n = *s ? ip_invisible_at(s, &cp) : 1;
		if (!*s)
			cp = 0;
		if (n && !(lines && (cp == '\n' || cp == '\t')) && s + n <= end) {
			char esc[12];
			ip_buf_add(out, run, (size_t)(s - run));
			ip_visible_escape(cp, esc);
			ip_buf_puts(out, esc);
			s += n;
			run = s;
		} else {
			uint32_t any;
			s += n ? n : decode((const unsigned char *)s, &any);
		}
	}
	if (s > end)
		s = end;
	ip_buf_add(out, run, (size_t)(s - run));
}
