/*
 * sonames: the soname index of each repository line, what exact soname
 * tracking (issue #12) compares when a library changes.
 *
 *   <state_dir>/sonames, one line per published package:
 *   <repository> <pkgbase> <pkgname> <provides> <needs>
 *
 * provides and needs are comma-separated sonames (names.h), sorted, or
 * "-": what the package's ELF files declare as DT_SONAME, and the
 * DT_NEEDED they do not provide themselves (repo/elfdeps.h). The
 * repository is the stable one of the line. return-assignment replaces
 * the lines of a pkgbase (and of a pkgname that moved to it) when it
 * accepts a build of it, in its
 * transaction. Held under build-list.lock, read whole, written whole
 * (atomically or in a txn), missing file = empty, a malformed line = an
 * error naming file and line; a pkgname is in a repository once.
 */
#ifndef SW_SONAMES_H
#define SW_SONAMES_H

#include <stddef.h>

#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"
#include "core/txn.h"

struct sw_soname_ent {
	char pkgname[SW_PKGNAME_MAX + 1];
	char repo[SW_REPO_MAX + 1];
	char pkgbase[SW_PKGNAME_MAX + 1];
	struct sw_strvec provides, needs;
};

struct sw_sonames {
	struct sw_soname_ent *v;
	size_t n, alloc;
};

int sw_sonames_read(const char *path, struct sw_sonames *s, struct sw_err *e);
int sw_sonames_write(const char *path, const struct sw_sonames *s,
	struct sw_txn *t, struct sw_err *e);
void sw_sonames_release(struct sw_sonames *s);
/*
 * The lines of (repo, pkgbase) become ents[0..n) (whose repo and pkgbase
 * must be those; their strvecs are taken over and emptied, also on
 * failure).
 */
int sw_sonames_replace(struct sw_sonames *s, const char *repo,
	const char *pkgbase, struct sw_soname_ent *ents, size_t n,
	struct sw_err *e);

/*
 * What a new build of (repo, pkgbase), whose lines will be ents[0..n),
 * breaks in s (call it before sw_sonames_replace): a soname breaks when
 * the pkgbase's lines in s provide it, ents do not, and no other pkgbase
 * of repo provides it. Every other pkgbase of repo one of whose lines
 * needs a broken soname comes back once, with the first such soname (in
 * byte order) as old and, as new, what replaced it: the first soname ents
 * provide and the old lines did not whose name up to ".so" is old's
 * ("libfoo.so.1" -> "libfoo.so.2"), else "" (dropped). A pkgbase that did
 * not link against a broken soname never comes back. The order is build
 * order among them: one that needs a soname another provides comes after
 * it (deps lists those, by index into out; in a cycle, by pkgbase), then
 * by pkgbase. Release out with sw_soname_breaks_release, also on failure.
 */
struct sw_soname_break {
	char pkgbase[SW_PKGNAME_MAX + 1];
	char old[SW_FILENAME_MAX + 1];
	char new[SW_FILENAME_MAX + 1];
	size_t *deps;            /* earlier entries of out it needs */
	size_t ndeps;
};

struct sw_soname_breaks {
	struct sw_soname_break *v;
	size_t n;
};

int sw_sonames_breaks(const struct sw_sonames *s, const char *repo,
	const char *pkgbase, const struct sw_soname_ent *ents, size_t n,
	struct sw_soname_breaks *out, struct sw_err *e);
void sw_soname_breaks_release(struct sw_soname_breaks *b);

#endif
