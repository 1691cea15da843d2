/*
 * sanitycheck: sanity-check, every invariant of DESIGN.md §3 and every
 * repository database against the pool and the files on disk.
 *
 * sw_sanitycheck_run takes build-list.lock and package-db.lock (in that
 * order, which also finishes any interrupted transaction), reads the farm
 * (farm.h) and appends one line per violation to problems:
 *   - a state file whose id is not where its state says: locked, broken
 *     or blocked off the build list; tested or faulty without testing;
 *     done and testing of one id; done or testing naming package files
 *     that are not in its staging or testing database;
 *   - a build-list entry without build-meta, or build-meta without entry;
 *   - a lease held by a slave the configuration does not know;
 *   - every database (repocheck.h, with sha256 sums and, with repo_key,
 *     signatures): entries whose file or signature is missing or differs,
 *     files no entry names; a package file in a repository that is not a
 *     link into pool/; a pool file without its signature, or linked from
 *     no repository;
 *   - temp files (*.tmp.*, .upload-*) older than SW_SANITY_STALE seconds
 *     under state_dir (but git/) and repo_dir: a write that was killed.
 * With repair it first fixes what is safe, under the same locks, and then
 * checks again; each fix appends a line to repairs:
 *   - removes stale temp files and upload directories;
 *   - removes orphaned state files (the first group above, when none of a
 *     done/testing file's packages is in its database);
 *   - links <repo>/os/<arch>/<file>{,.sig} to pool/ for every file a
 *     database names whose link is missing and whose pool file is there
 *     (in one transaction, journaled under package-db.lock).
 * It never removes a package file, and never a file a database names.
 *
 * Then, with the locks still held, it marks the master not sane with the
 * problems (queue/sanity.h), or clears the mark when there are none.
 * Returns SW_FARM_OK (problems may be non-empty), SW_FARM_BUSY when a lock
 * is not had in time, SW_FARM_ERROR with e when the check cannot run. A
 * kill -9 leaves each repair done or not (each is atomic) and the mark as
 * it was or as it is now.
 */
#ifndef SW_SANITYCHECK_H
#define SW_SANITYCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "core/strvec.h"
#include "ops/farm.h"

#define SW_SANITY_STALE 3600

struct sw_sanitycheck_opts {
	bool repair;
	int64_t now;
	int lock_timeout_ms;
};

enum sw_farm_result sw_sanitycheck_run(const struct sw_master_conf *c,
	const struct sw_sanitycheck_opts *o, struct sw_strvec *problems,
	struct sw_strvec *repairs, struct sw_err *e);

#endif
