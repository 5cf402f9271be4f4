/* ip_text.h — text files as spreadsheets write them, made UTF-8: with or
 * without a byte order mark, UTF-16 with one (Excel's "Unicode text"), or
 * Windows-1252 (German Excel's "CSV (Trennzeichen-getrennt)") when the
 * bytes are not UTF-8; any other encoding iconv knows when named. The
 * conversion is glibc's iconv.
 *
 * Layer: data. */
#ifndef IP_TEXT_H
#define IP_TEXT_H

#include <stddef.h>

#include "ip_buf.h"

/* The text of buf (name for messages) as UTF-8 in out, without a byte
 * order mark. encoding: the one to read (NULL: detect). *read_as is set
 * to what was read: "UTF-8", "UTF-16LE", "UTF-16BE", "WINDOWS-1252" or
 * the encoding given. 0, 64 for an encoding iconv does not know, or 65
 * (reported at the line of the first byte that is not of the encoding, or
 * a NUL). */
int ip_text_decode(const char *name, const char *buf, size_t len, const char *encoding,
                   struct ip_buf *out, const char **read_as);

#endif
