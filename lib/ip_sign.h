/* ip_sign.h — Ed25519 signatures (libsodium, in-process) of the documents
 * that travel between a centre and its partners. A document is signed over
 * its canonical JSON (keys sorted, no spaces) without its "signature",
 * which then holds {by, key, value}: who signed, the public key and the
 * signature, both in base64. The verifier trusts only the key its own
 * partner directory holds for the signer, never the one a document brings.
 *
 * Layer: data. */
#ifndef IP_SIGN_H
#define IP_SIGN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ip_buf.h"

/* "ed25519:" and the base64 of a 32-byte public key. */
#define IP_SIGN_PUBLIC_MAX 64

struct ip_sign_key {
	uint8_t secret[64];                 /* libsodium's secret key */
	char public[IP_SIGN_PUBLIC_MAX];    /* its public half, as text */
};

/* A new key: its file's text into secret_text (to be written 0600), the
 * public key into key->public. */
void ip_sign_keygen(struct ip_sign_key *key, struct ip_buf *secret_text);

/* Read a key file: 0, or 65 (not a key) / 66 / 74 with the problem said. */
int ip_sign_key_load(const char *path, struct ip_sign_key *key);

/* Wipe a key from memory once it is no longer needed. */
void ip_sign_key_forget(struct ip_sign_key *key);

/* Is text a public key as ip_sign_keygen writes it? */
bool ip_sign_public_valid(const char *text);

/* Sign doc (an object) as signer. */
void ip_sign_doc(json_t *doc, const struct ip_sign_key *key, const char *signer);

enum ip_sign_check {
	IP_SIGN_OK,
	IP_SIGN_MISSING,   /* no signature */
	IP_SIGN_SIGNER,    /* signed by someone else than signer */
	IP_SIGN_BAD,       /* the signature does not match the content and key */
};
/* Check doc's signature as signer's, with the public key the verifier
 * holds for signer. */
enum ip_sign_check ip_sign_verify(const json_t *doc, const char *signer, const char *public);

#endif
