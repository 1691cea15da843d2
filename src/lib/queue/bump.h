/*
 * bump: the farm's own pkgrel bumps. A rebuild of a version that is
 * published already (an update-once, a changed customization, a rebuild
 * asked for by hand) must carry a version of its own, or pacman would never
 * take it; the farm gives it one without touching git.
 *
 * The count lives in the build's id: its revision is "<mod-commit>+<n>"
 * (names.h), so the build list shows it and every rebuild has package
 * states of its own. What was published lives in
 *
 *   <state_dir>/published, one line per (pkgbase, repository), the last
 *   build return-assignment accepted:
 *   <src-commit> <revision> <build-meta line of the build (8 fields)>
 *
 * whose version is what the PKGBUILD declared (without the bump) and whose
 * revision carries the bump it was built with. Held under build-list.lock,
 * read whole, written whole (atomically or in a txn), missing file = empty,
 * a malformed line = an error naming file and line, each key once.
 *
 * The rule (sw_bump_next): an entry queued at version V of (pkgbase, repo)
 * gets bump n + 1 when the published build is at V with bump n, else 0
 * (the count starts again with every new upstream pkgver or pkgrel). A
 * pkgrel that has a sub-release already ("2.1") cannot take one: makepkg
 * allows a single '.' in pkgrel. get-sources hands out the PKGBUILD with
 * pkgrel=<pkgrel>.<n>; return-assignment expects sw_bump_version of it,
 * which pacman orders after <pkgrel> and before <pkgrel + 1>.
 */
#ifndef SW_BUMP_H
#define SW_BUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/names.h"
#include "core/txn.h"
#include "queue/buildlist.h"
#include "queue/buildmeta.h"

struct sw_published {
	struct sw_id id;                   /* its revision carries the bump */
	struct sw_buildmeta_entry meta;    /* pkgbase and repo are id's */
};

struct sw_publist {
	struct sw_published *v;
	size_t n, alloc;
};

int sw_publist_read(const char *path, struct sw_publist *l, struct sw_err *e);
int sw_publist_write(const char *path, const struct sw_publist *l,
	struct sw_txn *t, struct sw_err *e);
void sw_publist_release(struct sw_publist *l);
long sw_publist_find(const struct sw_publist *l, const char *pkgbase,
	const char *repo);
/* Records id (built from meta) as the published build of its key: copies. */
int sw_publist_record(struct sw_publist *l, const struct sw_id *id,
	const struct sw_buildmeta_entry *meta, struct sw_err *e);

/*
 * The bump for (pkgbase, repo) queued at version: *bump as the rule says.
 * Returns 0; 1 when a bump is due but the pkgrel cannot take one (or the
 * count would pass SW_BUMP_MAX): *bump is 0 and e says why.
 */
int sw_bump_next(const struct sw_publist *l, const char *pkgbase,
	const char *repo, const char *version, unsigned *bump, struct sw_err *e);
/*
 * Puts the published build of (pkgbase, repo) back onto l, last, as the
 * farm's next bump of its version, at its published commits, and its
 * build-meta line (as published) into m: what modify-package-state --bump
 * and the farm's own rebuilds (rebuilds.h) queue. *id gets the new id, ver
 * the version it is built as. 0 queued; 1 refused, e says why (never
 * published, on l already, its pkgrel cannot take a bump); -1 error. On
 * anything but 0, l and m are unchanged.
 */
int sw_bump_queue(const struct sw_publist *pub, const char *pkgbase,
	const char *repo, struct sw_build_list *l, struct sw_buildmeta *m,
	struct sw_id *id, char *ver, size_t size, struct sw_err *e);
/* May version take a bump (its pkgrel has no '.')? */
bool sw_bump_possible(const char *version);
/* "[epoch:]pkgver-pkgrel" + n -> "[epoch:]pkgver-pkgrel.n"; n 0: unchanged. */
int sw_bump_version(const char *version, unsigned bump, char *out,
	size_t size, struct sw_err *e);
/* The pkgrel of version with the bump: "2.3" for ("1.0-2", 3). */
int sw_bump_pkgrel(const char *version, unsigned bump, char *out,
	size_t size, struct sw_err *e);

#endif
