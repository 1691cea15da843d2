/*
 * session: what build-packages does, assignment after assignment, for
 * months unattended (DESIGN.md §5, §7).
 *
 * sw_session_run takes the lock of c->work_dir (<work_dir>/lock, flock,
 * never unlinked: several slaves may run on one machine, each with a work
 * directory of its own; a second one on the same directory is an error),
 * then
 *   0. uploads what an earlier run built and could not hand back
 *      (<work_dir>/results/<pkgbase>.<repo>/, see below);
 *   1. get-assignment over SSH (sshclient.h);
 *   2. get-sources into a fresh <work_dir>/src (extracted from
 *      <work_dir>/sources.tar: regular files and directories only, relative
 *      names without "..", modes 0644/0755; anything else refuses the whole
 *      tar);
 *   3. sw_build_run (build.h) into a fresh results/<pkgbase>.<repo>.new,
 *      renamed to results/<pkgbase>.<repo> when the build is over, with a
 *      file "assignment" ("<pkgbase> <src> <mod> <repo> ok|error") written
 *      last: a directory without it is an unfinished build and is removed;
 *   4. return-assignment (or return-assignment ... ERROR with the logs,
 *      each sent as <straw>.log.gz) with a tar of that directory, streamed
 *      from <work_dir>/upload.tar; the directory goes once the master has
 *      answered.
 * The build's tick (build.h) pings the master with the phase when it
 * changes and every o->ping_interval_s seconds; a ping answered 2 (the
 * assignment is no longer ours: reclaimed, superseded, built elsewhere)
 * aborts the build at once and drops its result.
 *
 * Waiting: get-assignment's 1 (busy) is retried after 1-3 s, 2 (nothing
 * ready) and 4 (at our limit) after about o->poll_s, 3 (nothing pending)
 * ends the run, or waits o->poll_s with o->wait. A network or SSH failure
 * is retried after a delay that doubles from 1 s up to o->backoff_max_s,
 * each with +-50% jitter so that slaves do not march in step; a built
 * result is kept on disk and its upload retried for as long as it takes
 * (nothing built is lost because the master was away; once the master says
 * the assignment is not ours any more, it is dropped). A host key, login
 * or protocol refusal (slave-connect's 42, a usage error) is fatal.
 *
 * Stopping: when *o->stop becomes nonzero (SIGTERM, SIGINT in the
 * command), the current step stops (a build is aborted, a transfer cut),
 * the assignment in hand is given back (`ping ... giveback`, ping(1)) and
 * its result dropped, and the run returns SW_SESSION_STOPPED.
 *
 * Logs: one line per step with the package id through core/log.h. The
 * library never prints otherwise. What kill -9 leaves: the lock is gone
 * with the process; src/, sources.tar, upload.tar and results/<...>.new are
 * scratch, removed at the next start; a finished results/<...> is uploaded
 * at the next start; the lease on the master runs out after lease_timeout.
 */
#ifndef SW_SESSION_H
#define SW_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "slave/build.h"

#define SW_PHASE_UPLOADING "uploading"

struct sw_session_opts {
	uint64_t count;              /* assignments to take; 0: no limit */
	bool stop_on_failure;        /* -x: a failed build ends the run */
	bool wait;                   /* --wait: "nothing pending" waits */
	bool accept_new_host_key;
	unsigned ping_interval_s;    /* 0: 60 */
	unsigned poll_s;             /* 0: 60 */
	unsigned backoff_max_s;      /* 0: 300 */
	const volatile sig_atomic_t *stop;
};

enum sw_session_result {
	SW_SESSION_ERROR = -1,       /* fatal: e says why */
	SW_SESSION_DONE = 0,         /* nothing pending, or count reached */
	SW_SESSION_FAILED = 1,       /* stop_on_failure and a build failed */
	SW_SESSION_STOPPED = 2,      /* *o->stop: the assignment was given back */
};

enum sw_session_result sw_session_run(const struct sw_slave_conf *c,
	const struct sw_session_opts *o, struct sw_err *e);

/*
 * -l DIR: builds the PKGBUILD directory dir with c's sandbox and straws, no
 * master involved, under the work directory's lock. The packages and their
 * signatures (or, when every straw failed, the logs) are moved into dir,
 * where makepkg would leave them. The build's id is dir's base name.
 */
enum sw_build_result sw_session_local(const struct sw_slave_conf *c,
	const char *dir, const volatile sig_atomic_t *stop, struct sw_err *e);

#endif
