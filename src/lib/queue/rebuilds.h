/*
 * rebuilds: the builds the farm queues by itself, for what a PKGBUILD
 * cannot show: a library a published package links against dropped or
 * changed the soname it needs (sonames.h), a package it names as a
 * rebuild trigger has a new build (triggers.h), its schedule is due
 * (schedule.h), and why.
 *
 *   <state_dir>/rebuilds, one line per build-list entry so queued:
 *   <pkgbase> <source-commit> <revision> <repository> <reason ...>
 *
 * The first four fields are the entry's id (as on the build list); the
 * reason is one line of text, such as "rebuild: libfoo.so.1 -> libfoo.so.2
 * by foo 2.0-1". A line whose id is not on the build list any more (the
 * entry was built, or get-package-updates gave it a new revision) is
 * stale: readers ignore it and every writer drops it. Held under
 * build-list.lock, read whole, written whole (atomically or in a txn),
 * missing file = empty, a malformed line = an error naming file and line,
 * each (pkgbase, repository) once.
 *
 * sw_rebuilds_queue puts each request back onto the build list as the
 * farm's next bump of its published build (bump.h, sw_bump_queue), last,
 * in the order given, with its reason; its build-meta deps are the
 * published ones and the requests it waits for, those on the list. A
 * request is left out, with one line in notes saying why, when its
 * pkgbase is on the deletion list, on the build list already (that build
 * comes after the library's and links against it), never published, or
 * its pkgrel cannot take a bump; so every pkgbase is queued once. The
 * caller holds build-list.lock and writes l, m and r in one transaction.
 */
#ifndef SW_REBUILDS_H
#define SW_REBUILDS_H

#include <stddef.h>

#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"
#include "core/txn.h"
#include "queue/buildlist.h"
#include "queue/buildmeta.h"
#include "queue/bump.h"

#define SW_REBUILD_REASON_MAX 1024    /* two sonames, a pkgbase, a version */

struct sw_rebuild {
	struct sw_id id;
	char reason[SW_REBUILD_REASON_MAX + 1];
};

struct sw_rebuilds {
	struct sw_rebuild *v;
	size_t n, alloc;
};

int sw_rebuilds_read(const char *path, struct sw_rebuilds *r,
	struct sw_err *e);
/* Writes the lines whose id is on l (the others are stale). */
int sw_rebuilds_write(const char *path, const struct sw_rebuilds *r,
	const struct sw_build_list *l, struct sw_txn *t, struct sw_err *e);
void sw_rebuilds_release(struct sw_rebuilds *r);
/* The reason of the entry with exactly this id, or NULL. */
const char *sw_rebuilds_reason(const struct sw_rebuilds *r,
	const struct sw_id *id);
/* id's reason becomes reason (checked), replacing its key's line. */
int sw_rebuilds_set(struct sw_rebuilds *r, const struct sw_id *id,
	const char *reason, struct sw_err *e);

struct sw_rebuild_req {
	const char *pkgbase;
	const char *reason;
	const size_t *deps;         /* earlier requests it waits for */
	size_t ndeps;
};

int sw_rebuilds_queue(const char *repo, const struct sw_rebuild_req *req,
	size_t n, const struct sw_publist *pub,
	const struct sw_deletion_list *del, struct sw_build_list *l,
	struct sw_buildmeta *m, struct sw_rebuilds *r, struct sw_strvec *notes,
	struct sw_err *e);

#endif
