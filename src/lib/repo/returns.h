/*
 * returns: what return-assignment does with what a slave hands back
 * (DESIGN.md §5): built packages into the staging repository, or the logs
 * of a failed build into a broken attempt.
 *
 * Both read the tar on fd with upload.h into a staging directory (packages:
 * under repo_dir, on the filesystem of pool/; logs: under state_dir/logs)
 * before taking any lock, check it there, and only then take
 * build-list.lock (and, for packages, package-db.lock, in that order),
 * check the lease again and commit every change in one transaction (txn.h):
 * a kill -9 leaves the old state and repositories or the new ones. On any
 * refusal nothing changes but a log line (and the staging directory,
 * removed again).
 *
 * sw_return_packages accepts the upload only if
 *   - slave holds the lease of id (lease.h);
 *   - the tar is acceptable to upload.h (regular files with package or
 *     signature names, no paths, links or devices, within max_upload_size);
 *   - every package has its ".sig" and every ".sig" its package;
 *   - each signature verifies with gpgme as made by the slave's key
 *     ([slave NAME] key): a step of its own, before any package is parsed;
 *   - each package reads (pkgfile.h), and its .PKGINFO name, version and
 *     arch are those of its file name;
 *   - its pkgbase is id's, its arch the master's or "any", its version the
 *     one build-meta has for the assigned commits (with the farm bump of
 *     id's revision: pkgrel "<pkgrel>.<n>", bump.h), and the pkgnames are
 *     exactly build-meta's (plus, optionally, "<pkgbase>-debug", the debug
 *     package makepkg's debug option makes);
 *   - no file of it is in pool/ already (a version is published once).
 * Then, in one transaction journaled under package-db.lock: each package
 * and its signature go into pool/ and are linked into
 * <staging>/os/<arch>/ (a debug package: into the line's debug staging
 * repository, <staging>-debug, when its [repository] has debug = yes; else
 * it is dropped with a log line and not published), the staging databases
 * are rewritten through repodb.h (signed with repo_key if set), the entry
 * leaves the build list and build-meta into `published` (bump.h) as the
 * last build of its line, the sonames its ELF files provide and need
 * (elfdeps.h, read before any lock; a malformed ELF file refuses the
 * upload; debug packages are not read) replace its lines in `sonames`
 * (sonames.h), and every other published package of the line that needs
 * a soname the build no longer provides (and no other pkgbase does) is
 * queued as the farm's next bump of its published build, with its reason
 * (rebuilds.h: "rebuild: libfoo.so.1 -> libfoo.so.2 by foo 2.0-1"), once,
 * after everything on the build list;
 * `done` lists the package files, `locked` (and any
 * `broken` or `blocked`) of id go, and so do the states of older revisions
 * of the same pkgbase in the same repository: their `done` packages are
 * unlinked from staging and taken out of its databases where the new build
 * did not replace them (their pool files are pruned right after, when no
 * repository links to them any more).
 *
 * sw_return_failure (return-assignment ... ERROR) stores the tar's
 * "<straw>.log.gz" logs as <state_dir>/logs/<pkgbase>.<repo>.<time>.
 * <straw>.log.gz, appends an attempt (time, slave, straw of the last log,
 * its file) to `broken`, drops `locked` and moves the entry (and its
 * build-meta line) behind all others, in one transaction.
 */
#ifndef SW_RETURNS_H
#define SW_RETURNS_H

#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "core/names.h"

enum sw_return_result {
	SW_RETURN_ERROR = -1,       /* our side failed */
	SW_RETURN_OK = 0,
	SW_RETURN_BUSY = 1,         /* a lock was not had in time */
	SW_RETURN_NOT_YOURS = 2,    /* outdated, expired or another's */
	SW_RETURN_SIGNATURE = 3,    /* missing, bad, or not the slave's key */
	SW_RETURN_PACKAGE_SET = 4,  /* not what the PKGBUILD builds */
	SW_RETURN_INVALID = 5,      /* not an acceptable upload */
};

#define SW_RETURN_LOCK_TIMEOUT_MS 30000

enum sw_return_result sw_return_packages(const struct sw_master_conf *c,
	const struct sw_id *id, const char *slave, int fd, int64_t now,
	struct sw_err *e);

enum sw_return_result sw_return_failure(const struct sw_master_conf *c,
	const struct sw_id *id, const char *slave, int fd, int64_t now,
	struct sw_err *e);

#endif
