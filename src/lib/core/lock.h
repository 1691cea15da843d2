/*
 * lock: flock(2) on files that are never unlinked.
 *
 * The master's locks live in <state_dir>/locks/: build-list.lock guards the
 * build list, the deletion list, revisions/ and package-states/;
 * package-db.lock guards the repositories. Lock order: build-list before
 * package-db; nobody takes them the other way round.
 * A lock is held through the open descriptor; the kernel drops it when the
 * process dies, so kill -9 never leaves a stale lock. A child forked while
 * the lock is held shares the descriptor, and with it the lock, until it
 * execs (the descriptor is O_CLOEXEC) or exits. Lock files are created
 * on first use and never deleted (deleting one would let two processes hold
 * "the" lock on different inodes).
 */
#ifndef SW_LOCK_H
#define SW_LOCK_H

#include "core/err.h"

enum sw_lock_result {
	SW_LOCK_ERROR = -1,
	SW_LOCK_OK = 0,
	SW_LOCK_BUSY = 1, /* another process holds it (after the timeout) */
};

#define SW_LOCK_WAIT_FOREVER (-1)

/*
 * Takes an exclusive lock on path, creating the file if needed.
 * timeout_ms: 0 tries once, SW_LOCK_WAIT_FOREVER blocks, else waits that long
 * in flock(2), so the lock passes to a waiter as soon as it is free; for that
 * wait, SIGALRM and the ITIMER_REAL timer are borrowed (and restored).
 * On SW_LOCK_OK *fd holds the lock; release it with sw_lock_release.
 * For the benchmarks (bench/scale.c): with SLIPWAY_LOCK_TIMES set in the
 * environment, each call writes one line to stderr, "slipway-lock: 'PATH'
 * taken after N us" (or "not taken"), N the time from the first try on.
 */
enum sw_lock_result sw_lock_take(const char *path, int timeout_ms, int *fd,
	struct sw_err *e);
void sw_lock_release(int *fd);

#endif
