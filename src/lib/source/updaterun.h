/*
 * updaterun: one run of get-package-updates (DESIGN.md §3, §4).
 *
 *  1. Fetch every [source] (each package of a per-package source) and the
 *     [customizations] into their mirrors (gitsrc.h), under
 *     locks/git-fetch.lock, taken before build-list.lock and held until
 *     the run ends, so that runs never overlap.
 *  2. Compare the fetched heads with state/revisions/. If nothing moved
 *     (and no --retry, and no [source] or [repository] was taken out of
 *     the configuration: a revisions/ file without a section, a
 *     build-list entry of a repository without one), stop: the cache is
 *     not opened, nothing is spawned.
 *  3. Find the pkgbases concerned: paths of a libgit2 tree diff between the
 *     recorded and the fetched commit (everything on a first run), package
 *     directories of the customizations that changed, pkgbases whose lines
 *     changed in blacklist, repository-overrides, update-once (new lines
 *     only) or build-manually. For each, compare what the old and the new
 *     revisions hold (layout.h routes it to our repositories): any change
 *     of the package directory or its customization directory (their git
 *     tree ids) re-queues it; a package gone (or moved to another
 *     repository) is removed; a blacklisted one is dropped.
 *  4. Read the new and changed packages: the cache (introspect.h), else the
 *     directory's .SRCINFO (unless a customization appends to its PKGBUILD),
 *     else the assembled directory in the sandbox, one batch per source.
 *     Entries of the build list that this run does not touch are read the
 *     same way (from the cache, normally) so that the order can be computed.
 *  5. Take build-list.lock (-b waits; else busy is SW_RUN_BUSY). If another
 *     run moved state/revisions meanwhile, let go and start again from 3.
 *     Merge (updates.h) and write build-list, deletion-list, build-meta,
 *     pkgbuild-errors, loops/ and revisions/ in one transaction, with the
 *     package-state changes. Entries of removed sections leave the list
 *     and what a removed source published goes onto the deletion list,
 *     in the same transaction, and so do rebuild-triggers (queue/
 *     triggers.h) and, when the customizations moved, schedules (queue/
 *     schedule.h). A kill at any point leaves the previous state or the
 *     new one.
 *  6. After 5, or after 2 stopped the run: the scheduled rebuilds that
 *     are due (schedule.h) are queued, in a transaction of their own.
 *
 * Ids: <pkgbase>.<source-commit>.<mod-commit>.<repository>; the mod commit
 * is the head of the customization repository when the package was
 * queued, or 40 zeros when there is no customization repository.
 * Revisions: revisions/<source> holds "<commit>" (per-package sources:
 * "<pkgbase> <commit>" per line); revisions/@customizations "<commit>".
 */
#ifndef SW_UPDATERUN_H
#define SW_UPDATERUN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/err.h"
#include "source/introspect.h"
#include "core/strvec.h"

struct sw_updaterun_opts {
	bool wait;                  /* wait for locks instead of giving up */
	bool retry;                 /* read the packages of pkgbuild-errors again */
	struct sw_introspect_opts introspect;
	/*
	 * NULL, or told how each fetch goes: what ("source 'x'") and objects
	 * received of total, as they arrive (gitsrc.h)
	 */
	void (*progress)(void *arg, const char *what, size_t received,
		size_t total);
	void *progress_arg;
};

struct sw_updaterun_report {
	bool nothing_new;           /* step 2 stopped the run */
	bool partial;               /* some package or source failed */
	size_t fetched, read, cached, queued, updated, removed, deleted, failed,
		blocked, unblocked, loops, listed;
	size_t bumped;              /* queued at a published version: bumped */
	size_t scheduled;           /* queued by a .slipway/schedule */
	struct sw_strvec messages;  /* one sentence each: warnings, errors */
};

enum sw_updaterun_result {
	SW_RUN_ERROR = -1,
	SW_RUN_OK = 0,
	SW_RUN_BUSY = 1,
};

void sw_updaterun_report_init(struct sw_updaterun_report *r);
void sw_updaterun_report_release(struct sw_updaterun_report *r);

enum sw_updaterun_result sw_updaterun(const struct sw_master_conf *c,
	const struct sw_updaterun_opts *o, struct sw_updaterun_report *r,
	struct sw_err *e);

#endif
