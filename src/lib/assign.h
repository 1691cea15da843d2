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
 * sw_assign_get does the whole of get-assignment on the master's state:
 * it maps build-list and build-meta, takes build-list.lock (statedir.h),
 * reads package-states/ with one readdir and only the locked files (and,
 * when no plain entry is ready, the broken files), reclaims leases whose
 * heartbeat is older than lease_timeout (logging each), and then:
 *   - a slave holding max_assignments leases: with max_assignments 1 it gets
 *     the same assignment back (its heartbeat refreshed: a slave that lost
 *     the answer or restarted resumes), with more it is at its limit (its
 *     builders cannot be told apart, so none gets a lease twice);
 *   - else the choice above, written as a new `locked` state (slave, lease
 *     start, heartbeat, phase "assigned").
 * All changes (reclaims and the new lease) commit in one transaction
 * (txn.h) before the lock is released: a kill -9 leaves the old state or
 * the new one. slave NULL is a dry run for an administrator: the same
 * choice, nothing written, nothing reclaimed.
 * Only the lines it acts on are fully checked with names.h; every line is
 * checked for its shape (fields, lengths) and every pkgbase and repository
 * name, so a malformed file is still an error naming file and line.
 */
#ifndef SW_ASSIGN_H
#define SW_ASSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "names.h"

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
	const uint8_t *flags;   /* SW_AF_* of each entry */
	void *ctx;
	/*
	 * The entries (indices, never i itself) that entry i build-depends on
	 * and that are on the list. *v stays valid until the next call.
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

/*
 * get-assignment for slave (NULL: dry run) at time now. On SW_ASSIGN_OK
 * *out is the assignment. Waits at most lock_timeout_ms for the lock.
 */
enum sw_assign_result sw_assign_get(const struct sw_master_conf *c,
	const char *slave, int64_t now, int lock_timeout_ms, struct sw_id *out,
	struct sw_err *e);

#endif
