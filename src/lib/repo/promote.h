/*
 * promote: db-update. Packages move staging -> testing -> stable along each
 * line ([repository NAME]: its staging, testing and stable repositories),
 * and the deletion list is applied, so that every repository stays
 * installable (DESIGN.md §6).
 *
 * Call order: sw_promote_run does everything: it takes build-list.lock,
 * then package-db.lock (lock.h order), loads the state and every database
 * of every line, plans (sw_promote_plan_make, promote_plan.c), checks
 * (promote_check.c) and, unless dry_run, applies (promote_apply.c), then
 * drops the locks. The caller releases the plan with sw_promote_plan_release,
 * also after an error; it holds what was planned (and, after a refusal, the
 * reason in e).
 *
 * The plan:
 *   - staging -> testing: the largest set of `done` units (a unit: one
 *     pkgbase revision with all its split and debug packages) closed under
 *     run-time dependencies with respect to what is pending: a unit stays
 *     if a package it depends on (through pkgname or provides; a version
 *     constraint is not looked at) is built by an entry of the build list
 *     (build-meta's pkgnames) or by a `done` unit that stays. A fixed point.
 *     Dependencies nothing of ours provides are the system's: they hold
 *     nothing. Debug packages never hold their unit; on a line with debug
 *     repositories (debug = yes) they move between those, with their unit.
 *   - testing -> stable: units marked `tested` or named in stabilize, never
 *     `faulty`, unless a package they depend on is provided by something
 *     that stays behind (build list, staging, or testing), or a package
 *     left in a stable repository would lose the last provider of one of
 *     its dependencies. A fixed point too.
 *   - named units (unstage, stabilize) that the closure holds are refused
 *     (SW_PROMOTE_REFUSED) unless force; a name that is not in the stage
 *     it would leave is refused.
 *   - deletions: every deletion-list entry leaves every repository of its
 *     line (entries whose %BASE% is the pkgbase), with its state files,
 *     links and `sonames` lines (queue/sonames.h), and leaves the list; one that nothing of ours holds is dropped
 *     with a note; one whose removal would take the last provider of a
 *     dependency of a package that stays is held (the note says by whom).
 *
 * Checks, before anything moves (each its own result; nothing moves):
 *   SW_PROMOTE_MISSING    a moving file or .sig is not in the pool, or the
 *                         signature is not a good one by a slave's key
 *   SW_PROMOTE_DUPLICATE  a pkgname moves twice into one repository, or a
 *                         repository of the line has its version with
 *                         other contents (%SHA256SUM%)
 *   SW_PROMOTE_BACKWARDS  a move would replace a newer version (vercmp.h)
 *   SW_PROMOTE_SPLIT      a unit's state file and its source database do
 *                         not name the same packages (one is missing)
 *
 * Applying, in one transaction (txn.h) journaled under package-db.lock, in
 * steps marked in the journal (sw_txn_step): "link" the new links, "write"
 * every changed database once (signed again with repo_key when set),
 * "unlink" the links that go, "state" the package states, the deletion
 * list and `lastupdate`. A kill -9 before the journal is written leaves
 * everything as it was; after, the next holder of the lock finishes the
 * move; the order of the steps means a reader never sees a database that
 * names a missing file, even while the journal is being applied.
 * Pool files stay: sw_promote_cleanup removes those no repository links
 * to that are older than keep_days.
 *
 * Errors: SW_PROMOTE_ERROR with e set; the library never prints, the plan
 * says what happened (moves, deletions, held units and why).
 */
#ifndef SW_PROMOTE_H
#define SW_PROMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"

enum sw_promote_result {
	SW_PROMOTE_ERROR = -1,
	SW_PROMOTE_OK = 0,
	SW_PROMOTE_BUSY = 1,        /* a lock was not free (without wait) */
	SW_PROMOTE_REFUSED = 2,     /* a named move that cannot be made */
	SW_PROMOTE_MISSING = 3,
	SW_PROMOTE_DUPLICATE = 4,
	SW_PROMOTE_BACKWARDS = 5,
	SW_PROMOTE_SPLIT = 6,
};

struct sw_promote_opts {
	bool dry_run;
	bool wait;                  /* for the locks; else busy at once */
	bool force;                 /* named moves even if they break installability */
	struct sw_strvec stabilize; /* pkgbases or ids: testing -> stable */
	struct sw_strvec unstage;   /* pkgbases or ids: staging -> testing */
};

enum sw_promote_kind {
	SW_PROMOTE_MOVE,            /* from -> to */
	SW_PROMOTE_DELETE,          /* from every repository of the line */
	SW_PROMOTE_HOLD,            /* stays where it is: why */
	SW_PROMOTE_DROP,            /* a deletion of nothing: why */
};

struct sw_promote_item {
	enum sw_promote_kind kind;
	struct sw_id id;            /* DELETE, DROP: pkgbase and repo only */
	char from[SW_REPO_MAX + 1];
	char to[SW_REPO_MAX + 1];
	struct sw_strvec files;     /* MOVE, DELETE: the package files */
	char why[512];              /* HOLD, DROP */
};

struct sw_promote_plan {
	struct sw_promote_item *v;
	size_t n, alloc;
	int64_t now;
	bool applied;
};

void sw_promote_plan_init(struct sw_promote_plan *p);
void sw_promote_plan_release(struct sw_promote_plan *p);

enum sw_promote_result sw_promote_run(const struct sw_master_conf *c,
	const struct sw_promote_opts *o, int64_t now, struct sw_promote_plan *plan,
	struct sw_err *e);

/*
 * --cleanup: removes pool files (and .sig) that no repository links to and
 * whose mtime is older than keep_days, under package-db.lock; *removed
 * gets their names.
 */
enum sw_promote_result sw_promote_cleanup(const struct sw_master_conf *c,
	bool wait, bool dry_run, int64_t now, struct sw_strvec *removed,
	struct sw_err *e);

#endif
