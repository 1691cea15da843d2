/*
 * pkgadmin: what a sysadmin changes by hand (modify-package-state).
 *
 *   block REASON   a build-list entry is not handed out (a `blocked` state:
 *                  time, who, reason)
 *   unblock        ... is again
 *   unbreak        its failures are forgotten (`broken` goes): it is handed
 *                  out again at once, retries and all
 *   tested         a package in a testing repository may go to stable
 *                  (`tested`, with the package files of `testing`; `faulty`
 *                  goes)
 *   faulty         ... may not (`faulty`; `tested` goes); db-update reads
 *                  both
 *   bump           a published build (bump.h) goes back onto the build list,
 *                  last, at the same commits as the farm's next bump of its
 *                  version: "<mod>+<n>", built with pkgrel "<pkgrel>.<n>"
 *
 * A target is a pkgbase or a full id (<pkgbase>.<commit>.<commit>.<repo>).
 * For block, unblock and unbreak it names an entry of the build list; for
 * tested and faulty an id in a testing state; for bump the last published
 * build of a pkgbase, which must not be on the build list (a pending build
 * is built anyway) and whose pkgrel must have no sub-release yet. A pkgbase that names more
 * than one (in two repositories) must be given as an id. Every target is
 * resolved and checked first: one the action cannot apply to (not on the
 * list, not blocked, not broken, already blocked, not in testing, already
 * so marked) refuses the whole call, and nothing changes. Otherwise all
 * changes commit in one transaction, under build-list.lock (and, for tested
 * and faulty, package-db.lock as well, in that order); *changes gets one
 * line per change ("blocked 'foo.<src>.<mod>.core': reason").
 */
#ifndef SW_PKGADMIN_H
#define SW_PKGADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "core/strvec.h"

enum sw_admin_action {
	SW_ADMIN_BLOCK,
	SW_ADMIN_UNBLOCK,
	SW_ADMIN_UNBREAK,
	SW_ADMIN_TESTED,
	SW_ADMIN_FAULTY,
	SW_ADMIN_BUMP,
};

enum sw_admin_result {
	SW_ADMIN_ERROR = -1,
	SW_ADMIN_OK = 0,
	SW_ADMIN_BUSY = 1,      /* a lock was not had in time */
	SW_ADMIN_REFUSED = 2,   /* a target the action cannot apply to */
};

#define SW_ADMIN_LOCK_TIMEOUT_MS 30000

/* reason: for block only; who: the user, as recorded in `blocked`. */
enum sw_admin_result sw_admin_apply(const struct sw_master_conf *c,
	enum sw_admin_action action, const char *reason, const char *who,
	char *const *targets, size_t n, int64_t now, struct sw_strvec *changes,
	struct sw_err *e);

#endif
