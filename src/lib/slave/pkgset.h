/*
 * pkgset: does a build's output directory hold exactly the packages the
 * PKGBUILD builds for our arch?
 *
 * sw_pkgset_check reads dir (not following links) and wants, for every
 * pkgname of p (sw_srcinfo_info for arch), one regular file named
 * <pkgname>-<p->version>-<arch or any><.pkg.tar.*>, and nothing else: no
 * other file, no directory, no link, no second file of one pkgname. The
 * one exception is "<pkgbase>-debug" of the same version and arch, which
 * makepkg's debug option adds: it is taken too (the master publishes it
 * into the line's debug repositories, or drops it when the line has none).
 * 0: the file names are appended to files (in directory order); 1: the set
 * is wrong, e says what is extra or missing; -1: dir cannot be read.
 */
#ifndef SW_PKGSET_H
#define SW_PKGSET_H

#include "core/err.h"
#include "core/strvec.h"
#include "source/srcinfo.h"

int sw_pkgset_check(const char *dir, const char *pkgbase,
	const struct sw_pkginfo *p, const char *arch, struct sw_strvec *files,
	struct sw_err *e);

#endif
