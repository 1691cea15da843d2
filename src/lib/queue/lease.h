/*
 * lease: who may work on an assignment (DESIGN.md §5).
 *
 * A lease is the `locked` state of an id (pkgstate.h) written by
 * get-assignment. It belongs to the slave named in it while the id is on
 * the build list (exactly: pkgbase, both commits and repository) and its
 * heartbeat is at most lease_timeout seconds old; an expired lease is no
 * one's until get-assignment reclaims it. ping, get-sources and
 * return-assignment act only for the holder.
 *
 * The calling slave reaches the master programs as SLIPWAY_SLAVE, set by
 * slave-connect; sw_lease_slave checks it with names.h and against the
 * [slave NAME] sections. A program run by hand without it acts as an
 * administrator (slave NULL).
 *
 * sw_lease_check reads only; the caller holds build-list.lock
 * (statedir.h) so that what it learns stays true while it acts on it.
 * sw_lease_ping takes the lock itself and rewrites the one `locked` file
 * atomically: a kill -9 leaves the old heartbeat or the new one.
 * The phase SW_LEASE_GIVEBACK is not recorded: a slave that stops (SIGTERM)
 * hands its assignment back with it, and sw_lease_giveback removes the
 * `locked` file at once (one unlink, under the lock), so that get-assignment
 * can hand the entry out again without waiting for lease_timeout.
 */
#ifndef SW_LEASE_H
#define SW_LEASE_H

#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "core/names.h"
#include "queue/pkgstate.h"
#include "queue/statedir.h"

enum sw_lease_result {
	SW_LEASE_ERROR = -1,
	SW_LEASE_OK = 0,
	SW_LEASE_BUSY = 1,       /* build-list.lock not had in time */
	SW_LEASE_NOT_YOURS = 2,  /* outdated, expired, or another slave's */
};

#define SW_LEASE_LOCK_TIMEOUT_MS 10000

/*
 * *slave: SLIPWAY_SLAVE, or NULL when it is not set. -1 when it is set
 * but invalid or has no [slave NAME] section. *sc (if sc non-NULL) is its
 * section, or NULL.
 */
int sw_lease_slave(const struct sw_master_conf *c, const char **slave,
	const struct sw_slave_entry_conf **sc, struct sw_err *e);

/* Is id on the build list at <state_dir>/build-list, exactly? 1, 0 or -1. */
int sw_lease_on_list(const char *state_dir, const struct sw_id *id,
	struct sw_err *e);

/*
 * Does slave hold the lease of id at time now? SW_LEASE_OK with the
 * lease in *out (if non-NULL), or SW_LEASE_NOT_YOURS with the reason in e.
 */
enum sw_lease_result sw_lease_check(const struct sw_master_conf *c,
	const struct sw_id *id, const char *slave, int64_t now,
	struct sw_locked *out, struct sw_err *e);

#define SW_LEASE_GIVEBACK "giveback"

/* ping: the holder's heartbeat becomes now and its phase phase. */
enum sw_lease_result sw_lease_ping(const struct sw_master_conf *c,
	const struct sw_id *id, const char *slave, const char *phase,
	int64_t now, struct sw_err *e);

/* ping ... giveback: the holder lets go of its lease now. */
enum sw_lease_result sw_lease_giveback(const struct sw_master_conf *c,
	const struct sw_id *id, const char *slave, int64_t now,
	struct sw_err *e);

#endif
