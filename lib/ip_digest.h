/* ip_digest.h — the SHA-256 of a JSON value in one canonical spelling
 * (compact, keys sorted), so that the same content always has the same
 * digest whatever order or layout it was written in; and one fast 64-bit
 * hash for telling strings apart (never for secrets); and a keyed hash for
 * what must not be told from its hash without the key.
 *
 * Layer: base. */
#ifndef IP_DIGEST_H
#define IP_DIGEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "sha256:" and 64 hex digits, with its terminating NUL. */
#define IP_DIGEST_SIZE 72

void ip_digest_json(const json_t *v, char out[IP_DIGEST_SIZE]);

/* The same digest for a value written piece by piece, one that is not a
 * JSON value in memory (a plan's agreed terms, made of parts of its
 * measures): the caller writes the punctuation, the keys in sorted order
 * and the values, exactly as the canonical text has them. */
struct ip_canon;
struct ip_canon *ip_canon_begin(void);
/* Text as it is: punctuation ("{", ",", "}", "{}"). */
void ip_canon_text(struct ip_canon *c, const char *text);
/* A key, quoted and escaped as the canonical text has it, and its ':'. */
void ip_canon_key(struct ip_canon *c, const char *key);
/* v in its canonical text; an object without its key skip (NULL: all). */
void ip_canon_value(struct ip_canon *c, const json_t *v, const char *skip);
/* A string, quoted and escaped; a number as jansson holds it (integer:
 * i, else the real d), spelt as its canonical text has it. */
void ip_canon_string(struct ip_canon *c, const char *s);
void ip_canon_number(struct ip_canon *c, bool integer, long long i, double d);
/* The digest into out, and c freed. */
void ip_canon_end(struct ip_canon *c, char out[IP_DIGEST_SIZE]);

/* The n bytes at bytes as 2n lower-case hex digits and a NUL, into out. */
void ip_hex(const uint8_t *bytes, size_t n, char *out);

/* FNV-1a over s, from basis (IP_FNV_BASIS: the standard one). */
#define IP_FNV_BASIS 0xcbf29ce484222325ull
uint64_t ip_fnv1a(const char *s, uint64_t basis);
/* h with its bits mixed (MurmurHash3's finaliser), so that similar strings
 * give unrelated values in every bit. */
uint64_t ip_mix64(uint64_t h);

/* HMAC-SHA256 of s under key, its first 128 bits as 32 hex digits: a
 * dictionary of names cannot confirm a hash without the key. */
void ip_keyed_hash(const uint8_t *key, size_t key_len, const char *s, char out[33]);

#endif
