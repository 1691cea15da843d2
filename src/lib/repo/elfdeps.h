/*
 * elfdeps: the sonames a package's ELF files provide (DT_SONAME) and need
 * (DT_NEEDED), read with libelf: what exact soname tracking (issue #12)
 * compares when a library changes.
 *
 * sw_elfdeps_mem reads one ELF image in memory: 0 with *soname (or "" when
 * it has none) and the DT_NEEDED entries appended to needed; 1 when the
 * bytes are not an ELF file with a dynamic section (a script, data, a
 * static binary: nothing to say); -1 with e when they claim to be ELF and
 * are malformed (a cut file, a string table offset out of range, a name
 * names.h refuses as a soname).
 *
 * sw_elfdeps_pkg reads a package file (.pkg.tar[.zst|.xz|.gz|.bz2]) once
 * with libarchive and applies sw_elfdeps_mem to every regular member that
 * starts with the ELF magic (at most SW_ELFDEPS_FILE_MAX bytes each;
 * larger ones are an error). provides: the sonames of its files; needs:
 * what they need that the package does not provide itself. Both come back
 * sorted and unique. Opened with O_NOFOLLOW|O_CLOEXEC, regular files only.
 * Reads only: no locks, nothing on disk; release the strvecs as usual (also
 * after a failure).
 */
#ifndef SW_ELFDEPS_H
#define SW_ELFDEPS_H

#include <stddef.h>

#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"

#define SW_ELFDEPS_FILE_MAX ((size_t)1 << 30)

int sw_elfdeps_mem(void *image, size_t len, char *soname, size_t size,
	struct sw_strvec *needed, struct sw_err *e);

int sw_elfdeps_pkg(const char *path, struct sw_strvec *provides,
	struct sw_strvec *needs, struct sw_err *e);

#endif
