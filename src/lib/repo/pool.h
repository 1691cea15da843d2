/*
 * pool: the published tree of DESIGN.md §6, under repo_dir.
 *
 *   <repo_dir>/pool/<file>, <file>.sig           every package file once
 *   <repo_dir>/<repo>/os/<arch>/<file>{,.sig}    -> ../../../pool/<file>{,.sig}
 *   <repo_dir>/<repo>/os/<arch>/<repo>.db.tar.gz and the rest (repodb.h)
 *
 * Every package file comes with its signature: publish refuses one without,
 * and link and unlink always handle both. File names are checked with
 * names.h; every path is built with sw_name_path.
 *
 * Each helper stages its change into a transaction (txn.h) journaled under
 * package-db.lock, which the caller holds: nothing changes before
 * sw_txn_commit. A kill -9 leaves the old tree plus stray *.tmp.* files, or,
 * once the journal is written, the new tree after recovery.
 * Adding a package to a repository: sw_pool_publish (if it is new),
 * sw_pool_link, add it to the database (repodb.h), commit. Taking it out:
 * remove it from the database, sw_pool_unlink, commit; then, in a new
 * transaction, sw_pool_prune drops the pool file once no repository
 * links to it any more.
 */
#ifndef SW_POOL_H
#define SW_POOL_H

#include "core/buf.h"
#include "core/err.h"
#include "core/txn.h"

/* "<repo_dir>/<repo>/os/<arch>" (checked names). */
int sw_pool_repo_dir(struct sw_buf *out, const char *repo_dir,
	const char *repo, const char *arch, struct sw_err *e);

/*
 * Copies the package file src and src.sig (opened O_NOFOLLOW, the .sig
 * checked as sign.h does) into pool/ under the same name. A file of that
 * name already in the pool is an error: a version is published once.
 */
int sw_pool_publish(struct sw_txn *t, const char *repo_dir, const char *src,
	struct sw_err *e);

/* <repo>/os/<arch>/<file>{,.sig} become links into the pool. */
int sw_pool_link(struct sw_txn *t, const char *repo_dir, const char *repo,
	const char *arch, const char *file, struct sw_err *e);
/* ... and go away again. */
int sw_pool_unlink(struct sw_txn *t, const char *repo_dir, const char *repo,
	const char *arch, const char *file, struct sw_err *e);

/*
 * Stages the removal of pool/<file>{,.sig} if no <repo>/os/<arch>/<file>
 * links to it on disk now; *pruned tells whether it did.
 */
int sw_pool_prune(struct sw_txn *t, const char *repo_dir, const char *file,
	int *pruned, struct sw_err *e);

#endif
