#include "ip_digest.h"
#include "ip_mem.h"

#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hash_json(const char *text, size_t n, void *ctx)
{
	sha256_update(ctx, n, (const uint8_t *)text);
	return 0;
}

void ip_digest_json(const json_t *v, char out[IP_DIGEST_SIZE])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	/* the text is hashed as it is written, never held */
	if (json_dump_callback(v, hash_json, &ctx,
	                       JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY))
		ip_oom();
	sha256_digest(&ctx, sizeof d, d);
	strcpy(out, "sha256:");
	for (size_t i = 0; i < sizeof d; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", d[i]);
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
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}
