#include "ip_sign.h"
#include "ip_diag.h"
#include "ip_doc.h"
#include "ip_exit.h"
#include "ip_mem.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUBLIC_PREFIX "ed25519:"
#define SECRET_PREFIX "ed25519-secret:"
#define B64 sodium_base64_VARIANT_ORIGINAL

static void sodium_ready(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "%s: libsodium cannot start\n", ip_progname());
		exit(IP_EXIT_SOFTWARE);
	}
}

static void public_text(const uint8_t pk[crypto_sign_PUBLICKEYBYTES], char out[IP_SIGN_PUBLIC_MAX])
{
	strcpy(out, PUBLIC_PREFIX);
	sodium_bin2base64(out + strlen(PUBLIC_PREFIX), IP_SIGN_PUBLIC_MAX - strlen(PUBLIC_PREFIX),
	                  pk, crypto_sign_PUBLICKEYBYTES, B64);
}

/* The key of a 32-byte seed. */
static void key_of_seed(struct ip_sign_key *key, const uint8_t seed[crypto_sign_SEEDBYTES])
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	crypto_sign_seed_keypair(pk, key->secret, seed);
	public_text(pk, key->public);
}

void ip_sign_keygen(struct ip_sign_key *key, struct ip_buf *secret_text)
{
	sodium_ready();
	uint8_t seed[crypto_sign_SEEDBYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_sign_SEEDBYTES, B64)];
	randombytes_buf(seed, sizeof seed);
	key_of_seed(key, seed);
	sodium_bin2base64(b64, sizeof b64, seed, sizeof seed, B64);
	ip_buf_printf(secret_text, "# IntegPlan signing key of this centre: keep it here, never "
	              "send it.\n# Its public half for partner directories: %s\n%s%s\n",
	              key->public, SECRET_PREFIX, b64);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(b64, sizeof b64);
}

int ip_sign_key_load(const char *path, struct ip_sign_key *key)
{
	char *buf;
	size_t len;
	int rc = ip_read_all(path, 4096, &buf, &len);
	if (rc)
		return rc;
	sodium_ready();
	const char *line = strstr(buf, SECRET_PREFIX);
	uint8_t seed[crypto_sign_SEEDBYTES];
	size_t n = 0;
	const char *b64 = line ? line + strlen(SECRET_PREFIX) : NULL;
	if (!b64 || sodium_base642bin(seed, sizeof seed, b64, strcspn(b64, "\n"), NULL, &n, NULL,
	                              B64) || n != sizeof seed) {
		ip_error(&(struct ip_where){path, 0, 0, NULL}, "not a signing key (a line "
		         "ed25519-secret:BASE64 of 32 bytes)");
		rc = IP_EXIT_DATAERR;
	} else {
		key_of_seed(key, seed);
	}
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(buf, len);
	free(buf);
	return rc;
}

void ip_sign_key_forget(struct ip_sign_key *key)
{
	sodium_memzero(key, sizeof *key);
}

/* The key of a public key's text, if it is one. */
static bool public_key(const char *text, uint8_t pk[crypto_sign_PUBLICKEYBYTES])
{
	size_t n = 0, skip = strlen(PUBLIC_PREFIX);
	sodium_ready();
	return text && !strncmp(text, PUBLIC_PREFIX, skip) &&
	       !sodium_base642bin(pk, crypto_sign_PUBLICKEYBYTES, text + skip, strlen(text + skip),
	                          NULL, &n, NULL, B64) && n == crypto_sign_PUBLICKEYBYTES;
}

bool ip_sign_public_valid(const char *text)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	return public_key(text, pk);
}

/* What is signed: the canonical JSON of doc without its signature. */
static char *signed_text(const json_t *doc)
{
	json_t *copy = json_copy((json_t *)doc);
	json_object_del(copy, "signature");
	char *text = ip_json_text(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (!text)
		ip_oom();
	return text;
}

void ip_sign_doc(json_t *doc, const struct ip_sign_key *key, const char *signer)
{
	sodium_ready();
	char *text = signed_text(doc);
	uint8_t sig[crypto_sign_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, B64)];
	crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text), key->secret);
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, B64);
	json_object_set_new(doc, "signature", json_pack("{s:s, s:s, s:s}", "by", signer,
	                                                "key", key->public, "value", b64));
	free(text);
}

enum ip_sign_check ip_sign_verify(const json_t *doc, const char *signer, const char *public)
{
	const json_t *s = json_object_get(doc, "signature");
	const char *by = ip_str(s, "by"), *value = ip_str(s, "value");
	if (!by || !value)
		return IP_SIGN_MISSING;
	if (strcmp(by, signer))
		return IP_SIGN_SIGNER;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	size_t nsig = 0;
	if (!public_key(public, pk) ||
	    sodium_base642bin(sig, sizeof sig, value, strlen(value), NULL, &nsig, NULL, B64) ||
	    nsig != sizeof sig)
		return IP_SIGN_BAD;
	char *text = signed_text(doc);
	int bad = crypto_sign_verify_detached(sig, (const uint8_t *)text, strlen(text), pk);
	free(text);
	return bad ? IP_SIGN_BAD : IP_SIGN_OK;
}
