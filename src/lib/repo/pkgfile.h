/*
 * pkgfile: what a package file (.pkg.tar, .pkg.tar.{zst,xz,gz,bz2}) holds.
 *
 * sw_pkgfile_read opens the file (O_NOFOLLOW|O_CLOEXEC, regular files only)
 * and reads it once from start to end with libarchive. On the way it
 *   - parses .PKGINFO and .BUILDINFO ("key = value" lines, '#' comments):
 *     every key in file order, repeated keys kept in order;
 *   - lists the files as repo-add's %FILES% does: sorted bytewise, unique,
 *     directories ending in '/', nothing whose path starts with '.';
 *   - computes md5 and sha256 of the whole file and counts its size.
 * Values are kept exactly as written; repodb normalizes blanks as repo-add
 * does. An empty value ("pkgdesc = ", which makepkg writes for an unset
 * pkgdesc) is a value; a line without " = " is a key without a value.
 *
 * Errors (-1, a message naming the file): not a regular file, a corrupt or
 * truncated archive, no .PKGINFO, a .PKGINFO or .BUILDINFO with a NUL byte,
 * a line over SW_PKGINFO_LINE_MAX, no final newline, a key without a value,
 * a duplicate single-valued key (pkgname, pkgver, arch, ...), a missing or
 * invalid pkgname, pkgver or arch (names.h), a size or builddate that is
 * not a number, a file name holding a newline, more than
 * SW_PKGFILE_MAX_ENTRIES entries.
 *
 * Ownership: everything hangs off struct sw_pkgfile; release it with
 * sw_pkgfile_release, also after a failed read. Reads only: no locks, and
 * a kill -9 leaves nothing behind.
 */
#ifndef SW_PKGFILE_H
#define SW_PKGFILE_H

#include <stdint.h>

#include "core/err.h"
#include "core/strvec.h"

#define SW_PKGINFO_MAX (4 * 1024 * 1024)      /* .PKGINFO, .BUILDINFO */
#define SW_PKGINFO_LINE_MAX (64 * 1024)
#define SW_PKGFILE_MAX_ENTRIES 1000000
#define SW_PKGFILE_MAX_LISTING (512 * 1024 * 1024) /* bytes of file names */

struct sw_pkgfile {
	struct sw_strvec info_keys, info_values;   /* .PKGINFO, in order */
	struct sw_strvec build_keys, build_values; /* .BUILDINFO; empty if none */
	struct sw_strvec files;                    /* the %FILES% list */
	uint64_t csize;                            /* bytes of the file */
	char md5[33];                              /* lowercase hex */
	char sha256[65];
	/* the validated fields, pointing into info_values */
	const char *pkgname, *pkgbase, *version, *arch; /* pkgbase may be NULL */
};

struct archive;
/*
 * Lets the libarchive reader a read what a package file may be: a tar,
 * plain or compressed as makepkg writes it (gzip, xz, bzip2, zstd).
 */
void sw_pkgfile_formats(struct archive *a);

void sw_pkgfile_init(struct sw_pkgfile *p);
int sw_pkgfile_read(const char *path, struct sw_pkgfile *p, struct sw_err *e);
void sw_pkgfile_release(struct sw_pkgfile *p);

/* The first .PKGINFO value of key, or NULL. */
const char *sw_pkgfile_get(const struct sw_pkgfile *p, const char *key);

/*
 * The package's own name, version and arch must be those of its file name
 * (the last path component of file): "'foo-1-1-x86_64.pkg.tar.zst' holds
 * bar 1-1 x86_64".
 */
int sw_pkgfile_check_name(const struct sw_pkgfile *p, const char *file,
	struct sw_err *e);

#endif
