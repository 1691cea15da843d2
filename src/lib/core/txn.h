/*
 * txn: several file changes that happen all together or not at all.
 *
 * A rename is atomic for one file; a state change often touches several
 * (the build list, a package state, the deletion list; a database, its
 * links and the pool). A transaction stages every change first: new file
 * contents and new symlinks go to temp files beside their targets, fsynced.
 * sw_txn_commit then writes a journal (atomically) that lists every rename
 * and removal, applies them, fsyncs the directories and deletes the journal.
 * A crash before the journal exists leaves the old state (plus stray temp
 * files); after it, the next sw_txn_recover applies the rest, so readers
 * only ever see the old state or the new one. A transaction of a single
 * change needs no journal: its one rename (or removal) is atomic by itself.
 *
 * Who holds which lock: one journal per lock. The caller holds the lock from
 * sw_txn_begin to commit/abort, and must call sw_txn_recover right after
 * taking the lock and before reading anything it guards (statedir.h does).
 * A path may appear in one change of a transaction only.
 */
#ifndef SW_TXN_H
#define SW_TXN_H

#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

struct sw_txn {
	char *journal;        /* path of the journal file */
	struct sw_buf ops;    /* records: op '\0' from '\0' to '\0' */
	size_t count;
};

int sw_txn_begin(struct sw_txn *t, const char *journal, struct sw_err *e);
/* path gets data (mode) at commit. */
int sw_txn_replace(struct sw_txn *t, const char *path, const void *data,
	size_t len, mode_t mode, struct sw_err *e);
/* path becomes a symlink to target at commit. */
int sw_txn_symlink(struct sw_txn *t, const char *target, const char *path,
	struct sw_err *e);
/* path becomes a hard link to the file existing is now (same filesystem). */
int sw_txn_hardlink(struct sw_txn *t, const char *existing, const char *path,
	struct sw_err *e);
/* from (a file we made, already fsynced) is renamed to path at commit. */
int sw_txn_rename(struct sw_txn *t, const char *from, const char *path,
	struct sw_err *e);
/* path is removed at commit (missing is fine). */
int sw_txn_remove(struct sw_txn *t, const char *path, struct sw_err *e);
/*
 * Marks where a step of the transaction begins (name: ours, "[a-z]+"):
 * the changes staged after it are applied after those before it, as all
 * are, in order. Test builds only (-DSW_TEST_HOOKS, `make check`'s
 * sanitized build): applying the step named by $SLIPWAY_TEST_KILL_STEP
 * kills the process with SIGKILL, so that tests can crash a commit
 * between two steps. Release builds ignore the variable.
 *
 * The test build also counts kill points, across every commit of the
 * process: before the journal is written, before each change, and after
 * the last change (before the journal is removed); a commit of one change
 * has the points before and after it. SLIPWAY_TEST_KILL_POINT=N kills the
 * process with SIGKILL at the Nth, so that a test can crash a program at
 * every point in turn (N = 1, 2, ... until the program ends by itself).
 */
int sw_txn_step(struct sw_txn *t, const char *name, struct sw_err *e);
/* Applies everything; on error the journal stays for sw_txn_recover. */
int sw_txn_commit(struct sw_txn *t, struct sw_err *e);
/* Drops staged temp files; nothing changes. Safe after commit. */
void sw_txn_abort(struct sw_txn *t);

/* Finishes an interrupted commit, if its journal is there. */
int sw_txn_recover(const char *journal, struct sw_err *e);

#endif
