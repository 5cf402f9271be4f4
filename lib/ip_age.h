/* ip_age.h — encryption to a partner's public key in age's format
 * (age-encryption.org/v1, X25519 recipients), written in this process with
 * libsodium so that a batch costs no process per package; decryption with
 * the age tool (Debian's age package), the way git uses gpg: the tool is
 * run with the data on a pipe, nothing plain is written to disk. $IP_AGE
 * names another binary.
 *
 * Layer: data. */
#ifndef IP_AGE_H
#define IP_AGE_H

#include <stdbool.h>
#include <stddef.h>

#include "ip_emit.h"

/* Does the text start like an age file (binary or ASCII armour)? */
bool ip_age_encrypted(const char *buf, size_t len);

/* Encrypt to recipient (age1..., its bech32 checksum verified),
 * ASCII-armoured, into out. 0, or 73 with the problem reported (a key that
 * is not a valid recipient); out is then as it was. */
int ip_age_encrypt(const char *recipient, const char *in, size_t len, struct ip_buf *out);

/* Decrypt with the identity file (age-keygen's key); name is the input in
 * messages. 0; 77 when the file is not for this key; 65 when it is
 * damaged or altered; 74 when age cannot run. */
int ip_age_decrypt(const char *identity, const char *name, const char *in, size_t len,
                   struct ip_buf *out);

#endif
