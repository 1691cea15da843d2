/*
 * run: every child process goes through here, and never through a shell.
 *
 * Fill a struct sw_child: an absolute program path (execve, no PATH
 * search), argv, the whole environment (build it from an allowlist with
 * sw_env_allow: nothing is inherited by accident), a working directory and
 * the descriptors for stdin/stdout/stderr (-1: /dev/null). The child gets a
 * process group of its own so that a timeout kills everything it started.
 * A child may be asked to run as another uid and gid (uid != 0): when we
 * are root, it drops to them (and no supplementary groups) before execve,
 * so that per-user limits (RLIMIT_NPROC) count it apart from us; when we
 * are not root, the fields are ignored.
 * sw_child_run waits; sw_child_capture also collects stdout into a capped
 * buffer. A child that cannot be executed is an error ("cannot execute
 * '/usr/bin/bwrap': No such file"), not exit status 127.
 * Status: the exit code, or 128 + signal number; timed_out tells a timeout.
 * Release with sw_child_release (frees argv and env).
 */
#ifndef SW_RUN_H
#define SW_RUN_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/strvec.h"

struct sw_child {
	const char *path;
	struct sw_strvec argv;
	struct sw_strvec env;
	const char *dir;         /* NULL: stay */
	int in, out, err;        /* -1: /dev/null */
	unsigned timeout_ms;     /* 0: none */
	uid_t uid;               /* 0: ours; else, when we are root, the child's */
	gid_t gid;               /* with uid */
	pid_t pid;
	bool timed_out;
};

void sw_child_init(struct sw_child *c, const char *path);
void sw_child_release(struct sw_child *c);
/* Copies NAME=value for each listed name that is set in our environment. */
int sw_env_allow(struct sw_strvec *env, const char *const *names);

int sw_child_start(struct sw_child *c, struct sw_err *e);
int sw_child_wait(struct sw_child *c, int *status, struct sw_err *e);
int sw_child_run(struct sw_child *c, int *status, struct sw_err *e);
/* Kills the child's process group now (SIGKILL); reap it with sw_child_wait. */
void sw_child_kill(struct sw_child *c);
/* Runs with stdout into out (cap from out->cap; a child writing more is killed). */
int sw_child_capture(struct sw_child *c, struct sw_buf *out, int *status,
	struct sw_err *e);

#endif
