/*
 * session_int: what session.c and session_local.c share; not for other
 * modules. struct sess is one run of build-packages (sw_session_run) or
 * one local build (sw_session_local): sw_sess_init, then
 * sw_sess_open_work_dir (which takes <work_dir>/lock and clears the
 * scratch files an earlier run left), and sw_sess_release at the end.
 */
#ifndef SW_SESSION_INT_H
#define SW_SESSION_INT_H

#include <stdbool.h>
#include <time.h>

#include "core/buf.h"
#include "core/names.h"
#include "slave/session.h"
#include "slave/sshclient.h"

/* the file written last into a finished result directory */
#define ASSIGNMENT_FILE "assignment"

struct sess {
	const struct sw_slave_conf *c;
	const struct sw_session_opts *o;
	struct sw_ssh_conf ssh;
	struct sw_ssh conn;              /* to the master, kept (sshclient.h) */
	unsigned backoff;                /* the next network delay, s; 0: 1 */
	struct sw_buf src, sources_tar, upload_tar, results;
	/* the assignment in hand */
	struct sw_id id;
	char args[SW_ID_MAX + 8];        /* "<pkgbase> <src> <mod> <repo>" */
	char key[SW_PKGNAME_MAX + SW_REPO_MAX + 2]; /* "<pkgbase>.<repo>" */
	char phase[33];                  /* the last phase sent */
	time_t last_ping;
	bool lost;                       /* ping said: not ours any more */
	struct sw_sign sign;             /* kept from build to build */
};

void sw_sess_init(struct sess *s, const struct sw_slave_conf *c,
	const struct sw_session_opts *o);
void sw_sess_release(struct sess *s);
int sw_sess_open_work_dir(struct sess *s, int *lock_fd, struct sw_err *e);

#endif
