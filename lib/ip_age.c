#include "ip_age.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sodium.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define ARMOUR "-----BEGIN AGE ENCRYPTED FILE-----"
#define BINARY "age-encryption.org/v1\n"

bool ip_age_encrypted(const char *buf, size_t len)
{
	while (len && strchr(" \t\r\n", *buf))
		buf++, len--;
	return (len >= strlen(ARMOUR) && !memcmp(buf, ARMOUR, strlen(ARMOUR))) ||
	       (len >= strlen(BINARY) && !memcmp(buf, BINARY, strlen(BINARY)));
}

static const char *age_binary(void)
{
	const char *own = getenv("IP_AGE");
	return own && *own ? own : "age";
}

struct child {
	pid_t pid;
	int in, out, err; /* our ends of its stdin, stdout, stderr */
};

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

/* Start age with argv; false with errno set when it cannot run. */
static bool start(char *const argv[], struct child *ch)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	bool ok = pipe2(pin, O_CLOEXEC) == 0 && pipe2(pout, O_CLOEXEC) == 0 &&
	          pipe2(perr, O_CLOEXEC) == 0;
	if (ok && posix_spawn_file_actions_init(&fa) == 0) {
		posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
		posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
		posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
		int e = posix_spawnp(&ch->pid, argv[0], &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		ok = e == 0;
		errno = e;
	}
	if (!ok) {
		int e = errno;
		close_pair(pin), close_pair(pout), close_pair(perr);
		errno = e;
		return false;
	}
	close(pin[0]), close(pout[1]), close(perr[1]);
	ch->in = pin[1], ch->out = pout[0], ch->err = perr[0];
	/* A blocking write of more than the pipe holds would wait for age,
	 * while age waits for us to read its output. */
	fcntl(ch->in, F_SETFL, fcntl(ch->in, F_GETFL) | O_NONBLOCK);
	return true;
}

/* Feed in, collect stdout and stderr, wait; the exit status, or -1. The
 * three pipes are served together, so neither side can block the other. */
static int run(struct child *ch, const char *in, size_t len, struct ip_buf *out,
               struct ip_buf *err)
{
	/* A reader that gave up must not kill us with SIGPIPE. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGPIPE, &ign, &old);
	size_t sent = 0;
	if (!len)
		close(ch->in), ch->in = -1;
	while (ch->out >= 0 || ch->err >= 0) {
		struct pollfd fds[3] = {{ch->in, POLLOUT, 0}, {ch->out, POLLIN, 0},
		                        {ch->err, POLLIN, 0}};
		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			break;
		if (ch->in >= 0 && fds[0].revents) {
			ssize_t n = write(ch->in, in + sent, len - sent > 65536 ? 65536 : len - sent);
			if (n > 0)
				sent += (size_t)n;
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				sent = len; /* it stopped reading; its status says why */
			if (sent == len)
				close(ch->in), ch->in = -1;
		}
		for (int i = 1; i < 3; i++) {
			int *fd = i == 1 ? &ch->out : &ch->err;
			if (*fd < 0 || !fds[i].revents)
				continue;
			char chunk[65536];
			ssize_t n = read(*fd, chunk, sizeof chunk);
			if (n > 0)
				ip_buf_add(i == 1 ? out : err, chunk, (size_t)n);
			else if (n == 0 || errno != EINTR)
				close(*fd), *fd = -1;
		}
	}
	if (ch->in >= 0)
		close(ch->in);
	if (ch->out >= 0)
		close(ch->out);
	if (ch->err >= 0)
		close(ch->err);
	int status;
	while (waitpid(ch->pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* age's own message, one line, without its "age: error: " prefix. */
static const char *age_message(struct ip_buf *err)
{
	if (!err->s)
		return _("no message");
	char *nl = strchr(err->s, '\n');
	if (nl)
		*nl = '\0';
	const char *m = strstr(err->s, "error: ");
	return m ? m + 7 : err->s;
}

/* ---- encryption, in this process ----------------------------------------
 *
 * age's format (age-encryption.org/v1) for its X25519 recipients, written
 * from its specification: a random file key wrapped for the recipient, a
 * header MAC, then the payload in 64 KiB ChaCha20-Poly1305 chunks. Done
 * here rather than by the age tool so that a batch of packages costs no
 * process per package; age decrypts what this writes (tests/unit.c checks
 * it for sizes around the chunk boundary). Decryption stays with the tool,
 * which holds the identity. */

#define FILE_KEY 16
#define CHUNK (64u * 1024u)
#define TAG crypto_aead_chacha20poly1305_ietf_ABYTES
#define B64_RAW sodium_base64_VARIANT_ORIGINAL_NO_PADDING

/* HKDF-SHA-256 (RFC 5869) for one block of output: all age derives. */
static void hkdf(const unsigned char *salt, size_t salt_len, const unsigned char *ikm,
                 size_t ikm_len, const char *info, unsigned char out[32])
{
	static const unsigned char no_salt[1];
	unsigned char prk[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	/* no salt is an empty key (RFC 5869 pads it with zeros as HMAC does);
	 * libsodium wants a pointer even for zero bytes */
	crypto_auth_hmacsha256_init(&st, salt ? salt : no_salt, salt ? salt_len : 0);
	crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);
	crypto_auth_hmacsha256_init(&st, prk, sizeof prk);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)info, strlen(info));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"\x01", 1);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(prk, sizeof prk);
	sodium_memzero(&st, sizeof st);
}

static uint32_t bech32_polymod(const unsigned char *v, size_t n)
{
	static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
	                                0x2a1462b3};
	uint32_t chk = 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t top = chk >> 25;
		chk = ((chk & 0x1ffffff) << 5) ^ v[i];
		for (int j = 0; j < 5; j++)
			if ((top >> j) & 1)
				chk ^= gen[j];
	}
	return chk;
}

/* The 32-byte X25519 public key an "age1..." recipient (bech32, its
 * checksum verified) stands for; false for anything else. */
static bool recipient_key(const char *recipient, unsigned char key[32])
{
	static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	size_t len = strlen(recipient);
	if (len != 62 || strncmp(recipient, "age1", 4))
		return false;
	/* hrp "age" expanded, a zero, then the 58 data characters */
	unsigned char v[3 + 1 + 3 + 58] = {3, 3, 3, 0, 'a' & 31, 'g' & 31, 'e' & 31};
	for (size_t i = 0; i < 58; i++) {
		const char *at = memchr(charset, recipient[4 + i], 32);
		if (!at || !recipient[4 + i])
			return false;
		v[7 + i] = (unsigned char)(at - charset);
	}
	if (bech32_polymod(v, sizeof v) != 1)
		return false;
	/* 52 groups of 5 bits: 256 bits of key and 4 of zero padding */
	uint32_t acc = 0;
	int bits = 0;
	size_t out = 0;
	for (size_t i = 0; i < 52; i++) {
		acc = (acc << 5) | v[7 + i];
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			key[out++] = (unsigned char)(acc >> bits);
		}
	}
	return out == 32 && (acc & ((1u << bits) - 1)) == 0;
}

static void put_b64(struct ip_buf *b, const unsigned char *bin, size_t len, int variant)
{
	size_t cap = sodium_base64_encoded_len(len, variant);
	char *text = ip_xmalloc(cap);
	sodium_bin2base64(text, cap, bin, len, variant);
	ip_buf_puts(b, text);
	free(text);
}

/* The header: one X25519 stanza wrapping file_key for the recipient, then
 * its MAC. False when the recipient's key makes no shared secret. */
static bool write_header(struct ip_buf *b, const unsigned char recipient[32],
                         const unsigned char file_key[FILE_KEY])
{
	unsigned char secret[32], share[32], shared[32], salt[64], wrap[32];
	unsigned char body[FILE_KEY + TAG], mac_key[32], mac[crypto_auth_hmacsha256_BYTES];
	static const unsigned char zero_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];
	randombytes_buf(secret, sizeof secret);
	bool ok = crypto_scalarmult_base(share, secret) == 0 &&
	          crypto_scalarmult(shared, secret, recipient) == 0;
	if (ok) {
		memcpy(salt, share, 32);
		memcpy(salt + 32, recipient, 32);
		hkdf(salt, sizeof salt, shared, sizeof shared, "age-encryption.org/v1/X25519", wrap);
		crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, file_key, FILE_KEY, NULL, 0,
		                                          NULL, zero_nonce, wrap);
		size_t from = b->len;
		ip_buf_puts(b, "age-encryption.org/v1\n-> X25519 ");
		put_b64(b, share, sizeof share, B64_RAW);
		ip_buf_puts(b, "\n");
		put_b64(b, body, sizeof body, B64_RAW); /* 43 characters: one short line */
		ip_buf_puts(b, "\n---");
		hkdf(NULL, 0, file_key, FILE_KEY, "header", mac_key);
		crypto_auth_hmacsha256(mac, (const unsigned char *)b->s + from, b->len - from,
		                       mac_key);
		ip_buf_puts(b, " ");
		put_b64(b, mac, sizeof mac, B64_RAW);
		ip_buf_puts(b, "\n");
	}
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(shared, sizeof shared);
	sodium_memzero(wrap, sizeof wrap);
	sodium_memzero(mac_key, sizeof mac_key);
	return ok;
}

/* The payload: a 16-byte nonce, then the text in 64 KiB chunks, each
 * sealed with its counter and, on the last one, the last-chunk flag. An
 * empty text is one empty last chunk. */
static void write_payload(struct ip_buf *b, const unsigned char file_key[FILE_KEY],
                          const char *in, size_t len)
{
	unsigned char nonce[16], key[32];
	randombytes_buf(nonce, sizeof nonce);
	hkdf(nonce, sizeof nonce, file_key, FILE_KEY, "payload", key);
	ip_buf_add(b, (const char *)nonce, sizeof nonce);
	unsigned char *sealed = ip_xmalloc(CHUNK + TAG);
	unsigned long long counter = 0;
	size_t at = 0;
	do {
		size_t n = len - at < CHUNK ? len - at : CHUNK;
		bool last = at + n == len;
		unsigned char chunk_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {0};
		for (int i = 0; i < 8; i++) /* an 11-byte big-endian counter */
			chunk_nonce[10 - i] = (unsigned char)(counter >> (8 * i));
		chunk_nonce[11] = last;
		unsigned long long sealed_len = 0;
		crypto_aead_chacha20poly1305_ietf_encrypt(sealed, &sealed_len,
		                                          (const unsigned char *)in + at, n, NULL, 0,
		                                          NULL, chunk_nonce, key);
		ip_buf_add(b, (const char *)sealed, (size_t)sealed_len);
		at += n;
		counter++;
	} while (at < len);
	free(sealed);
	sodium_memzero(key, sizeof key);
}

/* age's ASCII armour: the binary file in padded Base64, 64 columns. */
static void armour(struct ip_buf *out, const struct ip_buf *bin)
{
	ip_buf_puts(out, ARMOUR "\n");
	for (size_t at = 0; at < bin->len; at += 48) { /* 48 bytes: 64 characters */
		size_t n = bin->len - at < 48 ? bin->len - at : 48;
		put_b64(out, (const unsigned char *)bin->s + at, n, sodium_base64_VARIANT_ORIGINAL);
		ip_buf_puts(out, "\n");
	}
	ip_buf_puts(out, "-----END AGE ENCRYPTED FILE-----\n");
}

int ip_age_encrypt(const char *recipient, const char *in, size_t len, struct ip_buf *out)
{
	unsigned char key[32], file_key[FILE_KEY];
	if (sodium_init() < 0) {
		ip_error(NULL, "cannot encrypt: libsodium cannot start");
		return IP_EXIT_CANTCREAT;
	}
	if (!recipient_key(recipient, key)) {
		ip_error(NULL, "cannot encrypt to %s: not a valid age recipient (its checksum or "
		         "length is wrong)", recipient);
		return IP_EXIT_CANTCREAT;
	}
	randombytes_buf(file_key, sizeof file_key);
	struct ip_buf bin = {0};
	int rc = IP_EXIT_OK;
	if (write_header(&bin, key, file_key)) {
		write_payload(&bin, file_key, in, len);
		armour(out, &bin);
	} else {
		ip_error(NULL, "cannot encrypt to %s: the key makes no shared secret", recipient);
		rc = IP_EXIT_CANTCREAT;
	}
	sodium_memzero(file_key, sizeof file_key);
	if (bin.s)
		sodium_memzero(bin.s, bin.len);
	ip_buf_free(&bin);
	return rc;
}

static int decrypt_one(const char *identity, const char *name, const char *in, size_t len,
                       struct ip_buf *out)
{
	char *argv[] = {(char *)age_binary(), "--decrypt", "--identity", (char *)identity, NULL};
	struct child ch;
	if (!start(argv, &ch)) {
		ip_error(&(struct ip_where){name, 0, 0, NULL}, "cannot run %s to decrypt: %s "
		         "(install Debian's age package)", argv[0], strerror(errno));
		return IP_EXIT_IOERR;
	}
	struct ip_buf err = {0};
	int status = run(&ch, in, len, out, &err);
	int rc = IP_EXIT_OK;
	if (status != 0) {
		const char *m = age_message(&err);
		bool not_ours = strstr(m, "no identity matched") != NULL;
		bool no_key = strstr(m, "identity") != NULL && !not_ours;
		ip_error(&(struct ip_where){name, 0, 0, NULL}, "%s: %s",
		         not_ours ? _("not encrypted for this key")
		         : no_key ? _("cannot use the identity file")
		                  : _("cannot decrypt (damaged or altered?)"), m);
		rc = not_ours ? IP_EXIT_NOPERM : no_key ? IP_EXIT_USAGE : IP_EXIT_DATAERR;
		ip_buf_free(out);
	}
	ip_buf_free(&err);
	return rc;
}

#define ARMOUR_END "-----END AGE ENCRYPTED FILE-----"

int ip_age_decrypt(const char *identity, const char *name, const char *in, size_t len,
                   struct ip_buf *out)
{
	/* a missing identity is missing input, not a damaged package */
	if (access(identity, R_OK) != 0) {
		int e = errno;
		ip_error(&(struct ip_where){identity, 0, 0, NULL}, "cannot open the identity "
		         "file: %s", strerror(e));
		return e == ENOENT ? IP_EXIT_NOINPUT : e == EACCES ? IP_EXIT_NOPERM
		                                                   : IP_EXIT_IOERR;
	}
	/* Armoured files one after another (a run sealed chunk by chunk, or
	 * per recipient): each decrypted, the plain texts joined. */
	int rc = IP_EXIT_OK;
	const char *at = in, *stop = in + len;
	while (!rc && at < stop && ip_age_encrypted(at, (size_t)(stop - at))) {
		while (strchr(" \t\r\n", *at))
			at++; /* the line break between two files */
		const char *end = memmem(at, (size_t)(stop - at), ARMOUR_END, strlen(ARMOUR_END));
		if (!end || (end += strlen(ARMOUR_END)) >= stop || !memchr(end, '-', (size_t)(stop - end)))
			end = stop; /* the last (or binary) one: all that is left */
		struct ip_buf one = {0};
		rc = decrypt_one(identity, name, at, (size_t)(end - at), &one);
		if (!rc)
			ip_buf_add(out, one.s ? one.s : "", one.len);
		ip_buf_free(&one);
		at = end;
	}
	if (rc)
		ip_buf_free(out);
	return rc;
}
