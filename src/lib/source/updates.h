/*
 * updates: what one get-package-updates run does to the master's state,
 * given what changed; no git, no sandbox, so it can be tested on its own.
 *
 * The caller holds build-list.lock, has read the build list, deletion
 * list, build-meta and the list of unreadable PKGBUILDs (all changed in
 * memory here) and has begun a transaction for the package-state changes.
 * Then:
 *
 * 1. sw_updates_merge applies the actions, removals before queues (a move
 *    between repositories is a delete plus an add, in that order):
 *      REMOVE  gone upstream or moved away: off the build list, onto the
 *              deletion list
 *      DROP    blacklisted, or builds nothing for our arch: off the build
 *              list; onto the deletion list only if it was built (it was
 *              not on the build list, or it has done/testing/tested states)
 *      FAIL    its PKGBUILD could not be read: off the build list, into the
 *              failure list with the reason
 *      QUEUE   new or changed: off the deletion list and the failure list;
 *              onto the build list, or its revisions updated if it is there;
 *              at a version published already (u->published), its revision
 *              carries the farm's next bump (bump.h)
 *    An entry that leaves the list, or whose id changes, loses its locked
 *    and broken states (a new revision resets failures); a blocked state
 *    moves to the new id. Blocks for build-manually are recomputed for
 *    every queued entry and every pkgbase in `recheck`: listed means
 *    blocked ("build-manually", by "get-package-updates"), not listed means
 *    such a block is lifted (blocks by others are left alone).
 *
 * 2. sw_updates_order puts the build list in build order: an entry comes
 *    after every entry it build-depends on (its info->deps, resolved to
 *    entries through pkgname, else provides, else groups), cycles are
 *    strongly connected components kept together; inside one, the entry
 *    that most others of the cycle depend on goes first, then the one that
 *    failed least often (broken attempts), then the previous order. The
 *    previous order breaks all other ties, so an unchanged list keeps its
 *    order. build-meta is rebuilt in the same order with each entry's deps
 *    (pkgbases on the list it build-depends on). Entries without info or
 *    build-meta are dropped with a warning: nothing could be said about them.
 *    Cycles come back as sw_upd_loops; sw_updates_loop_text formats one.
 *
 * Everything reported to people goes into `warnings` (one sentence each).
 */
#ifndef SW_UPDATES_H
#define SW_UPDATES_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/bump.h"
#include "source/custom.h"
#include "core/err.h"
#include "core/names.h"
#include "queue/pkgstate.h"
#include "source/srcinfo.h"
#include "core/strvec.h"
#include "core/txn.h"

#define SW_UPDATES_WHO "get-package-updates"
#define SW_UPDATES_REASON "build-manually"

enum sw_upd_kind {
	SW_UPD_REMOVE,
	SW_UPD_DROP,
	SW_UPD_FAIL,
	SW_UPD_QUEUE,
};

struct sw_upd_action {
	enum sw_upd_kind kind;
	/* meta.pkgbase and meta.repo always; the rest for QUEUE (deps: order) */
	struct sw_buildmeta_entry meta;
	char src[SW_COMMIT_MAX + 1], mod[SW_COMMIT_MAX + 1];   /* QUEUE */
	char message[SW_REASON_MAX + 1];                       /* FAIL */
};

/* An action with empty strvecs; release with sw_upd_action_release. */
void sw_upd_action_init(struct sw_upd_action *a, enum sw_upd_kind kind,
	const char *pkgbase, const char *repo);
void sw_upd_action_release(struct sw_upd_action *a);

/* state/pkgbuild-errors: "<pkgbase> <repository> <reason ...>" per line. */
struct sw_failure {
	char pkgbase[SW_PKGNAME_MAX + 1];
	char repo[SW_REPO_MAX + 1];
	char message[SW_REASON_MAX + 1];
};

struct sw_failures {
	struct sw_failure *v;
	size_t n, alloc;
};

int sw_failures_read(const char *path, struct sw_failures *f, struct sw_err *e);
int sw_failures_write(const char *path, const struct sw_failures *f,
	struct sw_txn *t, struct sw_err *e);
void sw_failures_release(struct sw_failures *f);

struct sw_updates {
	const char *state_dir;
	struct sw_build_list *list;
	struct sw_deletion_list *del;
	struct sw_buildmeta *meta;
	struct sw_failures *failures;
	const struct sw_custom_list *build_manually;  /* NULL: empty */
	const struct sw_strvec *recheck;              /* NULL: none */
	const struct sw_publist *published;           /* NULL: none (bump.h) */
	int64_t now;
	struct sw_txn *txn;
	struct sw_strvec warnings;
	/* counts for the report */
	size_t queued, updated, removed, deleted, failed, blocked, unblocked,
		bumped;
};

/* Zeroes the counts and initializes warnings; the pointers are the caller's. */
void sw_updates_init(struct sw_updates *u);
void sw_updates_release(struct sw_updates *u);

/* Takes over the strvecs of QUEUE actions' meta. */
int sw_updates_merge(struct sw_updates *u, struct sw_upd_action *acts,
	size_t n, struct sw_err *e);

struct sw_upd_loop {
	size_t *members;           /* indices into the ordered build list */
	size_t n;
	struct sw_strvec *deps;    /* per member: pkgbases of the loop it needs */
};

struct sw_upd_loops {
	struct sw_upd_loop *v;
	size_t n;
};

void sw_upd_loops_release(struct sw_upd_loops *l);

/*
 * info[i] describes u->list->v[i] (NULL: unknown). The list, build-meta
 * and info are reordered together.
 */
int sw_updates_order(struct sw_updates *u, struct sw_pkginfo **info,
	struct sw_upd_loops *loops, struct sw_err *e);

/*
 * The file for a loop: its name (the id of its first member, which is
 * built first) and its text: one line per member in build order,
 * "<id> <pkgbase>,... " naming the members of the loop it build-depends on.
 */
int sw_updates_loop_text(const struct sw_updates *u,
	const struct sw_upd_loop *loop, char *name, size_t size,
	struct sw_buf *text, struct sw_err *e);

#endif
