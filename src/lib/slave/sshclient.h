/*
 * sshclient: the slave's only way to the master, one command per SSH
 * channel over a connection kept between commands, with libssh
 * (DESIGN.md §5).
 *
 * sw_ssh_run runs command on h's connection, connecting first when there
 * is none, when it broke, or when it is older than SW_SSH_REUSE_S seconds:
 * sshd's children outlive a stopped listener, so a kept connection would
 * not notice that an administrator shut the master's door, and a NAT box
 * may drop an idle one without a word. Connecting goes to c->master
 * ("user@host[:port]"; port 22 by default), checks the server's host key
 * against c->known_hosts and nothing else (no ~/.ssh/config, no system
 * file, no agent), and logs in with the private key c->identity (no
 * passphrase; key authentication only). A kept connection that cannot
 * open a channel is dropped and a fresh one tried once, before anything
 * is sent. Then one session channel, exec command, and streams:
 *   io->in   (a descriptor, read to its end in 64 KiB pieces; -1: nothing)
 *            to the command's stdin, then sends EOF;
 *   stdout   to io->out (a descriptor) or into io->out_buf (capped by its
 *            cap: a master that says more is a protocol error);
 *   stderr   into io->err_buf (if non-NULL; kept to its cap, the rest
 *            dropped), for the log.
 * Nothing is held whole in memory: an upload of gigabytes goes through a
 * 64 KiB buffer. Then it reads the remote exit status back and closes the
 * channel. Any result but SW_SSH_OK drops the connection, so the next
 * call starts afresh (a master that was restarted is simply found again).
 * The connection's socket is close-on-exec: builds never inherit it.
 * sw_ssh_close ends it (a no-op without one).
 *
 * Host keys: a key that is in known_hosts is accepted; a changed one, or
 * one of another type than the one known, is SW_SSH_FATAL, always; an
 * unknown host (or a missing known_hosts) is SW_SSH_FATAL unless
 * c->accept_new_host_key, which appends the key to known_hosts (trust on
 * first use, asked for explicitly) and goes on.
 *
 * Results: SW_SSH_OK means the command ran and *status holds its exit
 * status (whatever it is). SW_SSH_NETWORK is a failure that may go away
 * (refused, reset, timed out, a command killed before it said how it
 * ended): the caller backs off and retries. SW_SSH_FATAL will not go away
 * by retrying (host key, identity file, authentication refused).
 * SW_SSH_STOPPED: *io->stop became nonzero (a signal): the connection is
 * dropped at once, the command on the master sees its stdin cut short.
 * e says what happened for everything but SW_SSH_OK.
 *
 * Timeouts: connecting waits c->connect_timeout_s; once connected, c->idle_timeout_s
 * seconds in which nothing moves either way is SW_SSH_NETWORK.
 * A kill -9 leaves only the half-done command on the master, which sees a
 * broken channel.
 */
#ifndef SW_SSHCLIENT_H
#define SW_SSHCLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"

struct sw_ssh_conf {
	const char *master;          /* user@host[:port] */
	const char *identity;        /* private key file */
	const char *known_hosts;
	bool accept_new_host_key;
	unsigned connect_timeout_s;  /* 0: 30 */
	unsigned idle_timeout_s;     /* 0: 300 */
};

struct sw_ssh_io {
	int in;                      /* -1: empty stdin */
	int out;                     /* -1: stdout into out_buf */
	struct sw_buf *out_buf;      /* with out == -1; NULL: stdout dropped */
	struct sw_buf *err_buf;      /* NULL: stderr dropped */
	/* non-NULL: checked between pieces; nonzero stops the command */
	const volatile sig_atomic_t *stop;
};

enum sw_ssh_result {
	SW_SSH_FATAL = -2,
	SW_SSH_NETWORK = -1,
	SW_SSH_OK = 0,
	SW_SSH_STOPPED = 1,
};

/* Splits "user@host[:port]"; *user and *host are malloc'ed (free them). */
int sw_ssh_parse_master(const char *master, char **user, char **host,
	unsigned *port, struct sw_err *e);

#define SW_SSH_REUSE_S 60

struct ssh_session_struct;           /* libssh's */

struct sw_ssh {
	const struct sw_ssh_conf *c;
	struct ssh_session_struct *s;    /* NULL: not connected */
	time_t opened;                   /* when s connected */
	char where[300];                 /* "user@host:port", for messages */
};

#define SW_SSH_INIT(conf) { (conf), NULL, 0, "" }

enum sw_ssh_result sw_ssh_run(struct sw_ssh *h, const char *command,
	const struct sw_ssh_io *io, int *status, struct sw_err *e);
void sw_ssh_close(struct sw_ssh *h);

#endif
