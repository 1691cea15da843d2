/*
 * srccache: the slave's source cache, <work_dir>/sources, so that a
 * rebuild downloads nothing it already has.
 *
 *   files/sha256/<hex>      a source file, stored once under its sha256
 *   files/<algo>/<sum>      hard links to it under every checksum a
 *                           PKGBUILD declared for it (md5 sha1 sha224
 *                           sha384 sha512 b2)
 *   git/<sha256 of the URL> a git+ source's bare mirror, as makepkg keeps
 *                           it in SRCDEST, fetched in place
 *
 * sw_srccache_sources reads the sources of a .SRCINFO for one arch: local
 * files, unnamed or unsafe file names and protocols other than http(s),
 * ftp and git are left to makepkg. Then, around one build attempt in a
 * fresh SRCDEST: sw_srccache_link hard-links every cached file whose
 * declared checksum matches into SRCDEST and moves cached git mirrors in;
 * sw_srccache_store (after the attempt, success or not) hashes each file
 * SRCDEST holds for a source with checksums and stores it only if every
 * declared checksum matches, moves git mirrors back, and drops a cached
 * file whose inode was changed during the attempt (a PKGBUILD writing
 * through the hard link: its ctime moved). sw_srccache_trim removes what
 * was not used for `days` days (every use touches the entry).
 *
 * The caller holds the work directory's lock. A kill -9 leaves at worst a
 * git mirror in the attempt's SRCDEST (fetched again next time) or a
 * partly written link set (each link is one link(2) of a complete file).
 * Errors: -1 with e set; a file that does not match its checksums is not
 * an error, it is just not stored.
 */
#ifndef SW_SRCCACHE_H
#define SW_SRCCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "core/err.h"
#include "source/srcinfo.h"

enum sw_srccache_algo {
	SW_SUM_MD5, SW_SUM_SHA1, SW_SUM_SHA224, SW_SUM_SHA256, SW_SUM_SHA384,
	SW_SUM_SHA512, SW_SUM_B2, SW_SUM_N
};

struct sw_srcent {
	char *name;              /* the file or directory name in SRCDEST */
	char *url;               /* git: without the fragment and query */
	bool git;
	char *sums[SW_SUM_N];    /* lower-case hex, NULL: not declared or SKIP */
	/* set by sw_srccache_link for files that came from the cache */
	bool linked;
	dev_t dev;
	ino_t ino;
	struct timespec ctime;
};

struct sw_srccache {
	char *dir;               /* <work_dir>/sources */
	struct sw_srcent *v;
	size_t n;
};

int sw_srccache_init(struct sw_srccache *sc, const char *work_dir,
	struct sw_err *e);
void sw_srccache_release(struct sw_srccache *sc);

/* Replaces sc's entry list with the sources of s for arch. */
int sw_srccache_sources(struct sw_srccache *sc, const struct sw_srcinfo *s,
	const char *arch, struct sw_err *e);

/* files: also link cached files (not for straws that download afresh). */
int sw_srccache_link(struct sw_srccache *sc, const char *srcdest, bool files,
	struct sw_err *e);
int sw_srccache_store(struct sw_srccache *sc, const char *srcdest,
	struct sw_err *e);
int sw_srccache_trim(const struct sw_srccache *sc, unsigned days,
	struct sw_err *e);

/* The name of algo as in "<algo>sums" ("sha256", "b2"). */
const char *sw_srccache_algo_name(enum sw_srccache_algo a);

#endif
