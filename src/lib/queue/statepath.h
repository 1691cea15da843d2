/*
 * statepath: the one place that names the files and directories of the
 * master's state directory (DESIGN.md §3). No other file spells one of
 * these names: a module that reads or writes state asks for its path here,
 * by enum, and builds names below a directory (an id, a slave, a source)
 * with sw_name_path (core/names.h).
 *
 *   build-list              pending builds in build order (buildlist.h)
 *   deletion-list           packages removed upstream (buildlist.h)
 *   build-meta              what is known of each entry (buildmeta.h)
 *   pkgbuild-errors         PKGBUILDs that could not be read (updates.h)
 *   lastupdate              when db-update last changed something (promote.h)
 *   package-states/         <id>.<state> (pkgstate.h)
 *   leases/                 <slave>: the ids a slave holds (assign.h)
 *   revisions/              <source>: last processed commit (updaterun)
 *   loops/                  dependency cycles of the last update run
 *   cache/srcinfo-1/        introspection results by tree id (introspect.h)
 *   logs/                   build logs returned by slaves (returns.h)
 *   git/                    <source>.git mirrors (gitsrc.h)
 *   locks/                  the lock files (never unlinked) and journals:
 *     build-list.lock, package-db.lock   statedir.h (taken in this order)
 *     build-list.journal, package-db.journal
 *     git-fetch.lock        held by get-package-updates for a whole run
 *   not-sane                the mark of sanity-check (sanity.h)
 *   status-memory           build-master-status's counters (ops/status.h)
 *   published               the last accepted build of each pkgbase and
 *                           repository, with its farm bump (bump.h)
 *   sonames                 what each published package's ELF files
 *                           provide and need (sonames.h)
 *   rebuilds                why the farm queued an entry by itself: a
 *                           soname it links against changed, a trigger,
 *                           a schedule (rebuilds.h)
 *   rebuild-triggers        the customizations' name-based rebuild
 *                           triggers, as last recorded (triggers.h)
 *   schedules               scheduled rebuilds (`.slipway/schedule`) and
 *                           when each was last queued (schedule.h)
 *   move-together           what a library's new build waits for in
 *                           db-update: the rebuilds its soname change
 *                           queued (together.h)
 *   source-configs          each [source] as the last get-package-updates
 *                           run saw it (updaterun_fetch.c)
 *   repository-routes       each [repository]'s from = as that run saw it
 *
 * sw_statepath fills out with <state_dir>/<name>; it fails (-1 with e) only
 * when memory runs out. sw_statepath_name is the name relative to the state
 * directory, for messages. Directories marked created are made by
 * sw_statedir_open (statedir.h); others by the module that writes them.
 * Pure functions: no locks, nothing on disk.
 */
#ifndef SW_STATEPATH_H
#define SW_STATEPATH_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/err.h"

enum sw_statepath {
	SW_PATH_BUILD_LIST,
	SW_PATH_DELETION_LIST,
	SW_PATH_BUILD_META,
	SW_PATH_PKGBUILD_ERRORS,
	SW_PATH_LASTUPDATE,
	SW_PATH_PACKAGE_STATES,
	SW_PATH_LEASES,
	SW_PATH_REVISIONS,
	SW_PATH_LOOPS,
	SW_PATH_CACHE,
	SW_PATH_SRCINFO_CACHE,
	SW_PATH_LOGS,
	SW_PATH_GIT,
	SW_PATH_LOCKS,
	SW_PATH_BUILD_LIST_LOCK,
	SW_PATH_PACKAGE_DB_LOCK,
	SW_PATH_BUILD_LIST_JOURNAL,
	SW_PATH_PACKAGE_DB_JOURNAL,
	SW_PATH_GIT_FETCH_LOCK,
	SW_PATH_NOT_SANE,
	SW_PATH_STATUS_MEMORY,
	SW_PATH_PUBLISHED,
	SW_PATH_SONAMES,
	SW_PATH_REBUILDS,
	SW_PATH_REBUILD_TRIGGERS,
	SW_PATH_SCHEDULES,
	SW_PATH_MOVE_TOGETHER,
	SW_PATH_SOURCE_CONFIGS,
	SW_PATH_REPOSITORY_ROUTES,
	SW_PATH_COUNT
};

/* "build-list", "locks/git-fetch.lock", ...: relative to the state directory. */
const char *sw_statepath_name(enum sw_statepath p);
/* Is p a directory that sw_statedir_open creates? */
bool sw_statepath_created(enum sw_statepath p);
/* out = <state_dir>/<name of p> */
int sw_statepath(struct sw_buf *out, const char *state_dir,
	enum sw_statepath p, struct sw_err *e);

#endif
