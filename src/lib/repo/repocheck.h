/*
 * repocheck: does a repository database agree with the files beside it?
 *
 * sw_repocheck compares a database loaded with its files archive (repodb.h)
 * with its directory and appends one line per difference to problems;
 * none means they agree:
 *   - an entry's package file is missing, is not a regular file (symlinks,
 *     as into the pool, are followed) or differs in size from %CSIZE%;
 *     with sums, its sha256 differs from %SHA256SUM%;
 *   - an entry's %PGPSIG% and the .sig beside the package differ, or only
 *     one of them is there;
 *   - a package file or signature lies beside the database but no entry
 *     names it;
 *   - an archive's .sig does not verify (or is not by key, when key is
 *     given; s NULL skips verification), key is given and a .sig is missing,
 *     or the <name>.db / <name>.files link or its .sig link does not lead to
 *     the archive and its signature (a stale .sig link is a difference).
 * Returns -1 only when the check itself cannot run (an unreadable
 * directory, no memory). Reads only; the caller holds the database's lock
 * (repodb.h) so that it sees one consistent state.
 */
#ifndef SW_REPOCHECK_H
#define SW_REPOCHECK_H

#include <stdbool.h>

#include "core/err.h"
#include "repo/repodb.h"
#include "repo/sign.h"
#include "core/strvec.h"

int sw_repocheck(const struct sw_repodb *db, struct sw_sign *s,
	const char *key, bool sums, struct sw_strvec *problems, struct sw_err *e);

#endif
