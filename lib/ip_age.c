#include "ip_age.h"
#include "ip_diag.h"
#include "ip_exit.h"
#include "ip_i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
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

int ip_age_encrypt(const char *recipient, const char *in, size_t len, struct ip_buf *out)
{
	char *argv[] = {(char *)age_binary(), "--armor", "--recipient", (char *)recipient, NULL};
	struct child ch;
	if (!start(argv, &ch)) {
		ip_error(NULL, "cannot run %s to encrypt: %s (install Debian's age package)",
		         argv[0], strerror(errno));
		return IP_EXIT_CANTCREAT;
	}
	struct ip_buf err = {0};
	size_t had = out->len;
	int status = run(&ch, in, len, out, &err);
	int rc = IP_EXIT_OK;
	if (status != 0) {
		ip_error(NULL, "cannot encrypt to %s: %s", recipient, age_message(&err));
		out->len = had;
		if (out->s)
			out->s[had] = '\0';
		rc = IP_EXIT_CANTCREAT;
	}
	ip_buf_free(&err);
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
