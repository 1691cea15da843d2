#include "slave/sshclient.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "core/number.h"

#define PIECE (64 * 1024)

int
sw_ssh_parse_master(const char *master, char **user, char **host,
	unsigned *port, struct sw_err *e)
{
	const char *at, *colon, *h;
	uint64_t p = 22;
	int ret = -1;

	*user = *host = NULL;
	at = strchr(master, '@');
	if (at == NULL || at == master) {
		sw_err_set(e, "invalid master '%s': expected user@host[:port]", master);
		goto out;
	}
	h = at + 1;
	colon = strchr(h, ':');
	if (colon != NULL && sw_parse_u64(colon + 1, 1, 65535, &p, e) < 0) {
		sw_err_prefix(e, "invalid port in master '%s'", master);
		goto out;
	}
	if ((colon ? colon : h + strlen(h)) == h) {
		sw_err_set(e, "invalid master '%s': no host", master);
		goto out;
	}
	*user = strndup(master, (size_t)(at - master));
	*host = colon ? strndup(h, (size_t)(colon - h)) : strdup(h);
	if (*user == NULL || *host == NULL) {
		sw_err_sys(e, "cannot parse master '%s'", master);
		goto out;
	}
	*port = (unsigned)p;
	ret = 0;
out:
	if (ret < 0) {
		free(*user);
		free(*host);
		*user = *host = NULL;
	}
	return ret;
}

static bool
stopped(const struct sw_ssh_io *io)
{
	return io->stop != NULL && *io->stop != 0;
}

/* Host key against known_hosts only. */
static enum sw_ssh_result
check_host(ssh_session s, const struct sw_ssh_conf *c, const char *where,
	struct sw_err *e)
{
	switch (ssh_session_is_known_server(s)) {
	case SSH_KNOWN_HOSTS_OK:
		return SW_SSH_OK;
	case SSH_KNOWN_HOSTS_CHANGED:
		sw_err_set(e, "the host key of '%s' changed: it is not the one in "
			"'%s' (someone may be in the middle; if the master's key was "
			"replaced, remove the old line)", where, c->known_hosts);
		return SW_SSH_FATAL;
	case SSH_KNOWN_HOSTS_OTHER:
		sw_err_set(e, "the host key of '%s' is of another type than the "
			"one in '%s' (someone may be in the middle)", where,
			c->known_hosts);
		return SW_SSH_FATAL;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		if (!c->accept_new_host_key) {
			sw_err_set(e, "unknown host '%s': its key is not in '%s' "
				"(add it, or run once with --accept-new-host-key)", where,
				c->known_hosts);
			return SW_SSH_FATAL;
		}
		if (ssh_session_update_known_hosts(s) != SSH_OK) {
			sw_err_set(e, "cannot add the host key of '%s' to '%s': %s",
				where, c->known_hosts, ssh_get_error(s));
			return SW_SSH_FATAL;
		}
		return SW_SSH_OK;
	case SSH_KNOWN_HOSTS_ERROR:
		break;
	}
	sw_err_set(e, "cannot check the host key of '%s' against '%s': %s", where,
		c->known_hosts, ssh_get_error(s));
	return SW_SSH_FATAL;
}

static enum sw_ssh_result
login(ssh_session s, const struct sw_ssh_conf *c, const char *where,
	struct sw_err *e)
{
	ssh_key key = NULL;
	enum sw_ssh_result ret = SW_SSH_FATAL;
	int r;

	if (ssh_pki_import_privkey_file(c->identity, NULL, NULL, NULL, &key) !=
	    SSH_OK) {
		sw_err_set(e, "cannot read the identity '%s' (a private key without "
			"a passphrase)", c->identity);
		goto out;
	}
	r = ssh_userauth_publickey(s, NULL, key);
	if (r == SSH_AUTH_SUCCESS) {
		ret = SW_SSH_OK;
	} else if (r == SSH_AUTH_ERROR) {
		sw_err_set(e, "cannot log in to '%s': %s", where, ssh_get_error(s));
		ret = SW_SSH_NETWORK;
	} else {
		sw_err_set(e, "'%s' refused the key '%s' (is it in the master's "
			"authorized_keys?)", where, c->identity);
	}
out:
	ssh_key_free(key);
	return ret;
}

/* Appends to a capped buffer; out of room is an error only if strict. */
static int
keep(struct sw_buf *b, const char *p, size_t n, bool strict)
{
	if (b == NULL)
		return 0;
	if (b->cap != 0 && b->len + n > b->cap) {
		if (strict)
			return -1;
		n = b->cap - b->len;
	}
	return sw_buf_add(b, p, n);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads what is there of stdout and stderr without waiting. */
static enum sw_ssh_result
drain(ssh_channel ch, const struct sw_ssh_io *io, char *piece, bool *moved,
	const char *command, struct sw_err *e)
{
	int is_err, n;

	for (is_err = 0; is_err <= 1; is_err++) {
		while ((n = ssh_channel_read_nonblocking(ch, piece, PIECE, is_err)) > 0) {
			*moved = true;
			if (is_err) {
				if (keep(io->err_buf, piece, (size_t)n, false) < 0) {
					sw_err_sys(e, "cannot keep the messages of '%s'",
						command);
					return SW_SSH_FATAL;
				}
			} else if (io->out >= 0) {
				if (write_all(io->out, piece, (size_t)n) < 0) {
					sw_err_sys(e, "cannot write the output of '%s'", command);
					return SW_SSH_FATAL;
				}
			} else if (keep(io->out_buf, piece, (size_t)n, true) < 0) {
				sw_err_set(e, "the master said more than %zu bytes to '%s'",
					io->out_buf->cap, command);
				return SW_SSH_NETWORK;
			}
		}
		if (n == SSH_ERROR) {
			sw_err_set(e, "the connection broke during '%s'", command);
			return SW_SSH_NETWORK;
		}
	}
	return SW_SSH_OK;
}

static enum sw_ssh_result
stream(ssh_channel ch, ssh_session s, const struct sw_ssh_conf *c,
	const struct sw_ssh_io *io, const char *command, struct sw_err *e)
{
	char *piece = malloc(PIECE);
	unsigned idle = c->idle_timeout_s ? c->idle_timeout_s : 300;
	bool in_open = io->in >= 0, moved, eof;
	time_t last = time(NULL);
	enum sw_ssh_result ret = SW_SSH_NETWORK;

	if (piece == NULL) {
		sw_err_sys(e, "cannot run '%s'", command);
		goto out;
	}
	if (!in_open && ssh_channel_send_eof(ch) != SSH_OK) {
		sw_err_set(e, "the connection broke during '%s': %s", command,
			ssh_get_error(s));
		goto out;
	}
	for (;;) {
		moved = false;
		if (stopped(io)) {
			sw_err_set(e, "'%s' stopped", command);
			ret = SW_SSH_STOPPED;
			goto out;
		}
		if (in_open) {
			ssize_t n = read(io->in, piece, PIECE);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				sw_err_sys(e, "cannot read the input of '%s'", command);
				ret = SW_SSH_FATAL;
				goto out;
			}
			if (n == 0) {
				in_open = false;
				if (ssh_channel_send_eof(ch) != SSH_OK) {
					sw_err_set(e, "the connection broke during '%s': %s",
						command, ssh_get_error(s));
					goto out;
				}
			} else if (ssh_channel_write(ch, piece, (uint32_t)n) != n) {
				sw_err_set(e, "the connection broke during '%s': %s",
					command, ssh_get_error(s));
				goto out;
			}
			moved = true;
		} else {
			/* wait up to a second for output, then look at everything */
			int r = ssh_channel_poll_timeout(ch, 1000, 0);

			if (r == SSH_ERROR) {
				sw_err_set(e, "the connection broke during '%s': %s",
					command, ssh_get_error(s));
				goto out;
			}
		}
		/* what came before the EOF is buffered by then: drain it all */
		eof = !in_open && ssh_channel_is_eof(ch);
		ret = drain(ch, io, piece, &moved, command, e);
		if (ret != SW_SSH_OK)
			goto out;
		ret = SW_SSH_NETWORK;
		if (eof)
			break;
		if (moved)
			last = time(NULL);
		else if (time(NULL) - last > (time_t)idle) {
			sw_err_set(e, "'%s': nothing moved for %u s", command, idle);
			goto out;
		}
	}
	ret = SW_SSH_OK;
out:
	free(piece);
	return ret;
}

void
sw_ssh_close(struct sw_ssh *h)
{
	if (h->s == NULL)
		return;
	if (ssh_is_connected(h->s))
		ssh_disconnect(h->s);
	ssh_free(h->s);
	h->s = NULL;
}

/* A fresh connection in h->s, host key checked, logged in. */
static enum sw_ssh_result
connect_master(struct sw_ssh *h, struct sw_err *e)
{
	const struct sw_ssh_conf *c = h->c;
	char *user = NULL, *host = NULL;
	unsigned port;
	long timeout = c->connect_timeout_s ? (long)c->connect_timeout_s : 30;
	int no = 0, fd;
	enum sw_ssh_result ret = SW_SSH_FATAL;

	sw_ssh_close(h);
	if (sw_ssh_parse_master(c->master, &user, &host, &port, e) < 0)
		goto out;
	snprintf(h->where, sizeof(h->where), "%s@%s:%u", user, host, port);
	h->s = ssh_new();
	if (h->s == NULL) {
		sw_err_set(e, "cannot start an ssh session");
		goto out;
	}
	if (ssh_options_set(h->s, SSH_OPTIONS_PROCESS_CONFIG, &no) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_HOST, host) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_PORT, &port) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_USER, user) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_KNOWNHOSTS, c->known_hosts) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, c->known_hosts) < 0 ||
	    ssh_options_set(h->s, SSH_OPTIONS_TIMEOUT, &timeout) < 0) {
		sw_err_set(e, "cannot set the ssh options for '%s': %s", h->where,
			ssh_get_error(h->s));
		goto out;
	}
	ret = SW_SSH_NETWORK;
	if (ssh_connect(h->s) != SSH_OK) {
		sw_err_set(e, "cannot connect to '%s': %s", h->where,
			ssh_get_error(h->s));
		goto out;
	}
	/* a build the slave starts later must not hold the master's socket */
	fd = ssh_get_fd(h->s);
	if (fd < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		sw_err_sys(e, "cannot keep the connection to '%s' from builds",
			h->where);
		ret = SW_SSH_FATAL;
		goto out;
	}
	ret = check_host(h->s, c, h->where, e);
	if (ret != SW_SSH_OK)
		goto out;
	ret = login(h->s, c, h->where, e);
	h->opened = time(NULL);
out:
	if (ret != SW_SSH_OK)
		sw_ssh_close(h);
	free(user);
	free(host);
	return ret;
}

/*
 * An open session channel in *ch: on the kept connection if it is fresh
 * enough and still opens one, else on a new connection.
 */
static enum sw_ssh_result
open_channel(struct sw_ssh *h, ssh_channel *ch, struct sw_err *e)
{
	bool fresh = false;
	enum sw_ssh_result ret;

	*ch = NULL;
	if (h->s != NULL && (!ssh_is_connected(h->s) ||
	    time(NULL) - h->opened > SW_SSH_REUSE_S))
		sw_ssh_close(h);
	for (;;) {
		if (h->s == NULL) {
			ret = connect_master(h, e);
			if (ret != SW_SSH_OK)
				return ret;
			fresh = true;
		}
		*ch = ssh_channel_new(h->s);
		if (*ch != NULL && ssh_channel_open_session(*ch) == SSH_OK)
			return SW_SSH_OK;
		if (fresh) {
			sw_err_set(e, "cannot open a channel to '%s': %s", h->where,
				ssh_get_error(h->s));
			break;
		}
		/* the kept connection is gone: nothing was sent, try a new one */
		if (*ch != NULL)
			ssh_channel_free(*ch);
		*ch = NULL;
		sw_ssh_close(h);
	}
	if (*ch != NULL)
		ssh_channel_free(*ch);
	*ch = NULL;
	return SW_SSH_NETWORK;
}

enum sw_ssh_result
sw_ssh_run(struct sw_ssh *h, const char *command, const struct sw_ssh_io *io,
	int *status, struct sw_err *e)
{
	ssh_channel ch = NULL;
	int st;
	enum sw_ssh_result ret;

	*status = -1;
	if (stopped(io)) {
		sw_err_set(e, "'%s' stopped", command);
		ret = SW_SSH_STOPPED;
		goto out;
	}
	ret = open_channel(h, &ch, e);
	if (ret != SW_SSH_OK)
		goto out;
	ret = SW_SSH_NETWORK;
	if (ssh_channel_request_exec(ch, command) != SSH_OK) {
		sw_err_set(e, "cannot run '%s' on '%s': %s", command, h->where,
			ssh_get_error(h->s));
		goto out;
	}
	ret = stream(ch, h->s, h->c, io, command, e);
	if (ret != SW_SSH_OK)
		goto out;
	st = ssh_channel_get_exit_status(ch);
	if (st < 0) {
		sw_err_set(e, "'%s' on '%s' ended without an exit status", command,
			h->where);
		ret = SW_SSH_NETWORK;
		goto out;
	}
	*status = st;
	ret = SW_SSH_OK;
out:
	if (ch != NULL) {
		if (ret == SW_SSH_OK)
			ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	if (ret != SW_SSH_OK)
		sw_ssh_close(h);
	return ret;
}
