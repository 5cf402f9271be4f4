#include "ip_digest.h"
#include "ip_mem.h"

#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The canonical text is jansson's own (compact, keys sorted), written here
 * without jansson's per-piece callbacks and per-object key arrays: a
 * report computes a plan's digest for every case it reads. A value this
 * writer does not spell exactly as jansson does (a real number, an object
 * with a key with a NUL in it or with many keys, a deep value) is written
 * by jansson, in its place. tests/unit.c compares the two. */
enum { CANON_DEPTH = 32, CANON_KEYS = 64 };

struct ip_canon {
	struct sha256_ctx sha;
	size_t used;
	uint8_t buf[2048];
};

static void canon_put(struct ip_canon *c, const void *text, size_t n)
{
	if (c->used + n > sizeof c->buf) {
		sha256_update(&c->sha, c->used, c->buf);
		c->used = 0;
		if (n > sizeof c->buf) {
			sha256_update(&c->sha, n, text);
			return;
		}
	}
	memcpy(c->buf + c->used, text, n);
	c->used += n;
}

static void canon_char(struct ip_canon *c, char ch)
{
	canon_put(c, &ch, 1);
}

static int put_jansson_piece(const char *text, size_t n, void *c)
{
	canon_put(c, text, n);
	return 0;
}

/* v as jansson writes it: the same text it has inside a larger value */
static void canon_by_jansson(struct ip_canon *c, const json_t *v)
{
	if (json_dump_callback(v, put_jansson_piece, c,
	                       JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY))
		ip_oom();
}

/* As jansson escapes: '"', '\\' and control characters, the usual ones
 * by letter, the others as \u00XX in capitals; the rest as it is. */
static void canon_string(struct ip_canon *c, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;
	canon_char(c, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		canon_put(c, s + run, i - run);
		run = i + 1;
		char esc[6] = {'\\', (char)ch, 0, 0, 0, 0};
		size_t len = 2;
		switch (ch) {
		case '"': case '\\': break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			len = 6;
		}
		canon_put(c, esc, len);
	}
	canon_put(c, s + run, n - run);
	canon_char(c, '"');
}

/* A member of an object, kept with its key so that sorting needs no
 * lookup again. */
struct member {
	const char *key;
	size_t len;
	const json_t *value;
};

static int compare_members(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->key, ((const struct member *)b)->key);
}

static void canon_value(struct ip_canon *c, const json_t *v, int depth);

/* An object as jansson writes it, but its member skip (NULL: all): a
 * copy without it, key by key (json_copy would lose a key with a NUL) */
static void canon_object_by_jansson(struct ip_canon *c, const json_t *v, const char *skip)
{
	if (!skip || !json_object_get(v, skip)) {
		canon_by_jansson(c, v);
		return;
	}
	json_t *copy = json_object(), *value;
	const char *key;
	size_t key_len;
	json_object_keylen_foreach((json_t *)v, key, key_len, value)
		if (key_len != strlen(skip) || memcmp(key, skip, key_len))
			json_object_setn(copy, key, key_len, value);
	canon_by_jansson(c, copy);
	json_decref(copy);
}

/* An object, but its member skip (NULL: all) */
static void canon_object(struct ip_canon *c, const json_t *v, int depth, const char *skip)
{
	struct member members[CANON_KEYS];
	size_t n = 0, key_len;
	const char *key;
	json_t *value;
	bool spelt_here = json_object_size(v) <= CANON_KEYS;
	json_object_keylen_foreach((json_t *)v, key, key_len, value) {
		if (!spelt_here || strlen(key) != key_len) {
			spelt_here = false;
			break;
		}
		if (!skip || strcmp(key, skip))
			members[n++] = (struct member){key, key_len, value};
	}
	if (!spelt_here) {
		canon_object_by_jansson(c, v, skip);
		return;
	}
	qsort(members, n, sizeof *members, compare_members);
	canon_char(c, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			canon_char(c, ',');
		canon_string(c, members[i].key, members[i].len);
		canon_char(c, ':');
		canon_value(c, members[i].value, depth + 1);
	}
	canon_char(c, '}');
}

static void canon_value(struct ip_canon *c, const json_t *v, int depth)
{
	if (depth > CANON_DEPTH) {
		canon_by_jansson(c, v);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		canon_object(c, v, depth, NULL);
		return;
	case JSON_ARRAY:
		canon_char(c, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				canon_char(c, ',');
			canon_value(c, json_array_get(v, i), depth + 1);
		}
		canon_char(c, ']');
		return;
	case JSON_STRING:
		canon_string(c, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		ip_canon_number(c, true, json_integer_value(v), 0);
		return;
	case JSON_TRUE: canon_put(c, "true", 4); return;
	case JSON_FALSE: canon_put(c, "false", 5); return;
	case JSON_NULL: canon_put(c, "null", 4); return;
	default: /* a real: jansson's own spelling of it */
		canon_by_jansson(c, v);
	}
}

/* The digest of what was written, into out */
static void canon_finish(struct ip_canon *c, char out[IP_DIGEST_SIZE])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_update(&c->sha, c->used, c->buf);
	sha256_digest(&c->sha, sizeof d, d);
	memcpy(out, "sha256:", 7);
	ip_hex(d, sizeof d, out + 7);
}

void ip_hex(const uint8_t *bytes, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

void ip_digest_json(const json_t *v, char out[IP_DIGEST_SIZE])
{
	struct ip_canon c = {.used = 0};
	sha256_init(&c.sha);
	canon_value(&c, v, 0);
	canon_finish(&c, out);
}

struct ip_canon *ip_canon_begin(void)
{
	struct ip_canon *c = ip_xmalloc(sizeof *c);
	c->used = 0;
	sha256_init(&c->sha);
	return c;
}

void ip_canon_text(struct ip_canon *c, const char *text)
{
	canon_put(c, text, strlen(text));
}

void ip_canon_key(struct ip_canon *c, const char *key)
{
	canon_string(c, key, strlen(key));
	canon_char(c, ':');
}

void ip_canon_value(struct ip_canon *c, const json_t *v, const char *skip)
{
	if (json_is_object(v))
		canon_object(c, v, 0, skip);
	else
		canon_value(c, v, 0);
}

void ip_canon_string(struct ip_canon *c, const char *s)
{
	canon_string(c, s, strlen(s));
}

void ip_canon_number(struct ip_canon *c, bool integer, long long i, double d)
{
	if (integer) {
		char num[24];
		int n = snprintf(num, sizeof num, "%lld", i);
		canon_put(c, num, (size_t)n);
		return;
	}
	/* a real: jansson's own spelling of it */
	json_t *real = json_real(d);
	if (!real)
		ip_oom();
	canon_by_jansson(c, real);
	json_decref(real);
}

void ip_canon_end(struct ip_canon *c, char out[IP_DIGEST_SIZE])
{
	canon_finish(c, out);
	free(c);
}

uint64_t ip_fnv1a(const char *s, uint64_t basis)
{
	uint64_t h = basis;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		h = (h ^ *c) * 0x100000001b3ull;
	return h;
}

uint64_t ip_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

void ip_keyed_hash(const uint8_t *key, size_t key_len, const char *s, char out[33])
{
	struct hmac_sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	hmac_sha256_set_key(&ctx, key_len, key);
	hmac_sha256_update(&ctx, strlen(s), (const uint8_t *)s);
	hmac_sha256_digest(&ctx, sizeof digest, digest);
	ip_hex(digest, 16, out);
}
