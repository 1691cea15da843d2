/*
 * sources: what get-sources streams, the build directory of an assignment
 * at exactly its commits with the customizations applied, as a tar read
 * straight from the git mirrors (gitsrc.h): nothing is checked out on disk.
 *
 * Under build-list.lock (statedir.h), briefly: the id must be exactly on
 * the build list and, for a slave, its live lease (lease.h); its build-meta
 * line gives the source, the directory in that source's tree and the
 * customization directory. Then, without a lock (mirrors only ever gain
 * objects, and the commits of the id stay readable), the source's mirror is
 * read at the id's source commit and the customization mirror at its mod
 * commit, the customization directory applied as sw_gitsrc_walk does
 * (PKGBUILD appended, .slipway/PKGBUILD.prepend put at its top, other files
 * replaced or added, .slipway/ among them), and every entry goes
 * into the tar (tarout.h) relative to the build directory: "PKGBUILD",
 * "patches/fix.patch". Blob data is capped at SW_SOURCES_MAX bytes in all.
 * A top-level .SRCINFO in git is left out (it may not match the PKGBUILD,
 * say after a customization appended to it); in its place goes what the
 * master itself read of this directory, when the introspection cache holds
 * it (introspect.h), so that a slave need not read the PKGBUILD again.
 * When the id's revision carries a farm bump n (bump.h), the PKGBUILD ends
 * in "pkgrel=<pkgrel>.<n>" and the .SRCINFO says the same pkgrel.
 * A failure part-way ends the stream without an end-of-archive marker, so a
 * reader never takes a cut tree for a whole one. Reads only.
 */
#ifndef SW_SOURCES_H
#define SW_SOURCES_H

#include <stdint.h>

#include "core/config.h"
#include "core/err.h"
#include "core/names.h"

enum sw_sources_result {
	SW_SOURCES_ERROR = -1,
	SW_SOURCES_OK = 0,
	SW_SOURCES_BUSY = 1,        /* build-list.lock not had in time */
	SW_SOURCES_NOT_YOURS = 2,   /* not on the list, or not the slave's lease */
};

#define SW_SOURCES_MAX (256u * 1024 * 1024)
#define SW_SOURCES_LOCK_TIMEOUT_MS 10000
/* The mtime of every member: the same commits give the same bytes. */
#define SW_SOURCES_MTIME 0
/* The member that holds the master's reading of the PKGBUILD. */
#define SW_SOURCES_SRCINFO ".SRCINFO"

/* slave NULL: an administrator, no lease needed. The tar goes to fd. */
enum sw_sources_result sw_sources_write(const struct sw_master_conf *c,
	const struct sw_id *id, const char *slave, int fd, int64_t now,
	struct sw_err *e);

#endif
