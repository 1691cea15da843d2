/*
 * triggers: the name-based rebuild triggers of the customizations
 * (custom.h, "rebuild-triggers"), for what ELF cannot see: a new build of a
 * listed package queues a farm bump of the pkgbases that list it.
 *
 *   <state_dir>/rebuild-triggers, one line per pkgbase:
 *   <pkgbase> <pkgname> [<pkgname>...]
 *
 * get-package-updates writes it from the customizations at the revision
 * it records (in its transaction); return-assignment reads it when it
 * accepts a build, and queues the pkgbases (in the same repository line)
 * one of whose triggers is a pkgname of the accepted build (rebuilds.h),
 * with the reason SW_TRIGGER_REASON "<pkgname> <version>". A build that
 * was itself queued for a trigger fires none: triggers never chain, so a
 * cycle of them cannot rebuild forever.
 * Held under build-list.lock, read whole, written whole (atomically or in
 * a txn), missing file = empty, a malformed line (a name names.h refuses,
 * a pkgbase twice) = an error naming file and line.
 */
#ifndef SW_TRIGGERS_H
#define SW_TRIGGERS_H

#include <stddef.h>

#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"
#include "core/txn.h"

#define SW_TRIGGER_REASON "rebuild: trigger "

struct sw_trigger {
	char pkgbase[SW_PKGNAME_MAX + 1];
	struct sw_strvec names;         /* pkgnames, each once */
};

struct sw_triggers {
	struct sw_trigger *v;
	size_t n, alloc;
};

int sw_triggers_read(const char *path, struct sw_triggers *t,
	struct sw_err *e);
int sw_triggers_write(const char *path, const struct sw_triggers *t,
	struct sw_txn *txn, struct sw_err *e);
void sw_triggers_release(struct sw_triggers *t);
/*
 * pkgbase's triggers gain the pkgnames in words (separated by blanks):
 * each is checked (names.h) and kept once; the pkgbase's entry is made
 * when it has none. -1 with e naming the bad word.
 */
int sw_triggers_add(struct sw_triggers *t, const char *pkgbase,
	const char *words, struct sw_err *e);
/*
 * Pushes onto out (once each) every pkgbase but pkgbase itself one of
 * whose triggers is pkgname.
 */
int sw_triggers_match(const struct sw_triggers *t, const char *pkgname,
	const char *pkgbase, struct sw_strvec *out, struct sw_err *e);

#endif
