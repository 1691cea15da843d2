/*
 * assign: which build-list entry a slave gets next (get-assignment), and the
 * leases that say who builds what.
 *
 * Two layers. sw_assign_choose is the policy alone, over a view of the build
 * list that the caller fills (unit tests fill it by hand):
 *   1. the first entry in build order that is not locked, blocked or broken
 *      and none of whose build-dependencies is on the list;
 *   2. else a broken entry that still has retries left (failures <=
 *      broken_retries) and has waited broken_retry_delay * 2^(failures-1)
 *      since its last failure, fewest failures first, then build order;
 *   3. else, when only dependency cycles remain, a member of a cycle none of
 *      whose members is locked, whose other dependencies are off the list:
 *      the one most other members depend on (breaking most cycles), then
 *      the one that failed least, then build order.
 * Otherwise it tells "nothing ready now" (something can still become ready:
 * it is locked, waits for a locked entry, or waits for its retry delay) from
 * "nothing pending" (everything left is locked, blocked, out of retries, or
 * depends on such an entry).
 *
 * sw_assign_get does the whole of get-assignment on the master's state.
 * It maps build-list and build-meta (before the lock; under it, it checks
 * that they were not replaced), takes build-list.lock (statedir.h), and
 * then:
 *   - a slave holding max_assignments leases: with max_assignments 1 it
 *     gets the same assignment back, its heartbeat refreshed (a slave that
 *     lost the answer or restarted resumes); with more it is at its limit
 *     (its builders cannot be told apart, so none gets a lease twice);
 *   - else the choice above, written as a new `locked` state (slave, lease
 *     start, heartbeat, phase "assigned").
 * Leases whose heartbeat is older than lease_timeout are reclaimed (and
 * logged) as the choice meets them: all of them whenever step 1 finds
 * nothing. Reclaims and the new lease commit in one transaction (txn.h)
 * before the lock is released: a kill -9 leaves the old state or the new.
 * slave NULL is a dry run for an administrator: the same choice, nothing
 * written, nothing reclaimed.
 *
 * Cost: step 1 looks at the state files of the entries it passes with
 * fstatat(2) (a fresh lease is told by its mtime, an old one is read),
 * since listing package-states/ costs more than the whole rest of a call on
 * a directory of thousands of files; after SW_ASSIGN_STAT_MAX entries, and
 * for steps 2 and 3, it reads package-states/ with one readdir instead and
 * opens only the locked and broken files. A slave's own leases are found
 * through <state_dir>/leases/<slave>, an index of the ids get-assignment
 * gave it, written (renamed into place, not fsynced: it is a hint) before
 * each new lease and checked against the lease files on every read: an
 * entry whose lease is gone, or another's, is dropped, so other programs
 * that end leases need not touch it, and a crash leaves only such an entry
 * or an older index (then a slave that asks again after the crash gets a
 * new assignment while its old lease runs out). Only get-assignment
 * creates leases.
 * Only the lines it acts on are fully checked with names.h; every line is
 * checked for its shape (fields, lengths) and every pkgbase and repository
 * name, so a malformed file is still an error naming file and line.
 */
#ifndef SW_ASSIGN_H
#define SW_ASSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "core/names.h"

enum sw_assign_result {
	SW_ASSIGN_ERROR = -1,
	SW_ASSIGN_OK = 0,        /* an assignment */
	SW_ASSIGN_BUSY = 1,      /* build-list.lock not had in time */
	SW_ASSIGN_NOT_READY = 2, /* nothing ready now */
	SW_ASSIGN_NOTHING = 3,   /* nothing pending */
	SW_ASSIGN_AT_LIMIT = 4,  /* the slave holds max_assignments leases */
};

/* What the chooser needs to know of each build-list entry. */
#define SW_AF_LOCKED 1u
#define SW_AF_BLOCKED 2u
#define SW_AF_BROKEN 4u

struct sw_assign_view {
	size_t n;               /* entries, in build order */
	void *ctx;
	/*
	 * The SW_AF_* of entry i. Step 1 asks in build order and stops at its
	 * pick, so a view may find them out one by one.
	 */
	int (*flags)(void *ctx, size_t i, unsigned *f, struct sw_err *e);
	/* Called once before steps 2 and 3, which look at every entry. */
	int (*all)(void *ctx, struct sw_err *e);
	/*
	 * The entries (indices, never i itself) that entry i build-depends on
	 * and that are on the list; *v stays valid until the next call.
	 * 0, or 1 when nothing is known about them (the entry is never handed
	 * out), or -1.
	 */
	int (*deps)(void *ctx, size_t i, const size_t **v, size_t *n,
		struct sw_err *e);
	/* For a broken entry: how often it failed, and when it last did. */
	int (*broken)(void *ctx, size_t i, uint64_t *failures, int64_t *last,
		struct sw_err *e);
};

struct sw_assign_policy {
	int64_t now;
	uint64_t broken_retries;
	uint64_t broken_retry_delay;
};

/*
 * SW_ASSIGN_OK with *pick, SW_ASSIGN_NOT_READY, SW_ASSIGN_NOTHING or
 * SW_ASSIGN_ERROR (from a callback, or no memory).
 */
enum sw_assign_result sw_assign_choose(const struct sw_assign_view *v,
	const struct sw_assign_policy *p, size_t *pick, struct sw_err *e);

/* May a broken entry with these failures be retried at p->now? */
bool sw_assign_retry_ready(const struct sw_assign_policy *p, uint64_t failures,
	int64_t last);

#define SW_ASSIGN_LOCK_TIMEOUT_MS 10000
#define SW_ASSIGN_STAT_MAX 256

/*
 * get-assignment for slave (NULL: dry run) at time now. On SW_ASSIGN_OK
 * *out is the assignment. Waits at most lock_timeout_ms for the lock.
 */
enum sw_assign_result sw_assign_get(const struct sw_master_conf *c,
	const char *slave, int64_t now, int lock_timeout_ms, struct sw_id *out,
	struct sw_err *e);

#endif
