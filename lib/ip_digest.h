/* ip_digest.h — the SHA-256 of a JSON value in one canonical spelling
 * (compact, keys sorted), so that the same content always has the same
 * digest whatever order or layout it was written in.
 *
 * Layer: base. */
#ifndef IP_DIGEST_H
#define IP_DIGEST_H

#include <jansson.h>

/* "sha256:" and 64 hex digits, with its terminating NUL. */
#define IP_DIGEST_SIZE 72

void ip_digest_json(const json_t *v, char out[IP_DIGEST_SIZE]);

#endif
