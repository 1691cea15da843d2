/*
 * statedir: the master's state directory (DESIGN.md §3) and its two locks.
 *
 * sw_statedir_open creates the layout if needed (package-states, revisions,
 * loops, cache, logs, git, locks). sw_statedir_lock takes one of the two
 * flocks and then finishes any transaction (txn.h) that a crashed holder
 * left in that lock's journal, so whoever holds a lock sees a consistent
 * state. Lock order: build-list before package-db; taking build-list while
 * holding package-db is refused. Changes made under a lock go into a
 * sw_txn begun with sw_statedir_txn_begin (the lock's journal). A change
 * of both the state and the repositories (return-assignment publishing a
 * build) is made by a holder of both locks and journaled under
 * package-db.lock; taking build-list.lock finishes such a journal too
 * (taking and dropping package-db.lock for it, in order), so a holder of
 * build-list.lock alone never sees half of one.
 * Release with sw_statedir_release (drops any lock still held).
 */
#ifndef SW_STATEDIR_H
#define SW_STATEDIR_H

#include "core/buf.h"
#include "core/err.h"
#include "core/lock.h"
#include "core/txn.h"
#include "queue/statepath.h"

enum sw_master_lock {
	SW_LOCK_BUILD_LIST = 0,
	SW_LOCK_PACKAGE_DB = 1,
};

struct sw_statedir {
	char *dir;
	int fd[2];
};

int sw_statedir_open(struct sw_statedir *sd, const char *state_dir,
	struct sw_err *e);
void sw_statedir_release(struct sw_statedir *sd);

enum sw_lock_result sw_statedir_lock(struct sw_statedir *sd,
	enum sw_master_lock which, int timeout_ms, struct sw_err *e);
void sw_statedir_unlock(struct sw_statedir *sd, enum sw_master_lock which);

/* <state_dir>/<name of p> (statepath.h) */
int sw_statedir_path(const struct sw_statedir *sd, enum sw_statepath p,
	struct sw_buf *out, struct sw_err *e);
/* A transaction journaled under the given lock, which the caller holds. */
int sw_statedir_txn_begin(const struct sw_statedir *sd,
	enum sw_master_lock which, struct sw_txn *t, struct sw_err *e);

#endif
