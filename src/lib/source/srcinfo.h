/*
 * srcinfo: the .SRCINFO format of `makepkg --printsrcinfo`, parsed, printed
 * and asked what get-package-updates needs to know.
 *
 * A .SRCINFO is a pkgbase section followed by one pkgname section per
 * package; a section is its name and a list of "key = value" attributes
 * in order (a key may repeat: one line per array element). Printing
 * writes makepkg's layout byte for byte:
 *
 *     pkgbase = NAME\n  \tkey = value\n ...  then per package
 *     \npkgname = NAME\n  \tkey = value\n ...
 *
 * Parsing takes text from outside (a .SRCINFO in git, the cache) and is
 * bounded: at most SW_SRCINFO_MAX_SIZE bytes, SW_SRCINFO_LINE_MAX per line,
 * SW_SRCINFO_MAX_ATTRS attributes per section and SW_SRCINFO_MAX_PKGS
 * packages; no NUL bytes. Blank lines and '#' comments are skipped.
 *
 * sw_srcinfo_info answers for one architecture: the version
 * ([epoch:]pkgver-pkgrel), the pkgnames built for it (arch contains it or
 * "any"), their provides and groups, and the build dependencies (depends,
 * makedepends, checkdepends of the pkgbase section with their _<arch>
 * variants, names without version constraints). The version and every
 * pkgname are checked with names.h; provides, groups and dependencies that
 * names.h would refuse are dropped (they can match no valid pkgname).
 *
 * Everything returned is owned by the struct: release with
 * sw_srcinfo_release / sw_pkginfo_release (both safe on a zeroed or
 * initialized struct, and twice).
 */
#ifndef SW_SRCINFO_H
#define SW_SRCINFO_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/names.h"
#include "core/strvec.h"

#define SW_SRCINFO_MAX_SIZE (4 * 1024 * 1024)
#define SW_SRCINFO_LINE_MAX (64 * 1024)
#define SW_SRCINFO_MAX_ATTRS 8192
#define SW_SRCINFO_MAX_PKGS 1024

struct sw_srcinfo_attr {
	char *key;
	char *value;
};

struct sw_srcinfo_section {
	char *name;
	struct sw_srcinfo_attr *v;
	size_t n, alloc;
};

struct sw_srcinfo {
	struct sw_srcinfo_section base;   /* name is the pkgbase */
	struct sw_srcinfo_section *pkgs;
	size_t npkgs, alloc;
};

void sw_srcinfo_init(struct sw_srcinfo *s);
void sw_srcinfo_release(struct sw_srcinfo *s);

/* what: names the text in messages ("'core/foo/.SRCINFO'"). */
int sw_srcinfo_parse(struct sw_srcinfo *s, const char *text, size_t len,
	const char *what, struct sw_err *e);
/* Appends the text to out. */
int sw_srcinfo_print(const struct sw_srcinfo *s, struct sw_buf *out,
	struct sw_err *e);

/* Building (pkgdump.c): the pkgbase name, a new package section, an attribute. */
int sw_srcinfo_set_base(struct sw_srcinfo *s, const char *pkgbase,
	struct sw_err *e);
struct sw_srcinfo_section *sw_srcinfo_add_pkg(struct sw_srcinfo *s,
	const char *pkgname, struct sw_err *e);
int sw_srcinfo_add(struct sw_srcinfo_section *sec, const char *key,
	const char *value, struct sw_err *e);

/* Does the section have key at all (an empty override counts)? */
int sw_srcinfo_has(const struct sw_srcinfo_section *sec, const char *key);

struct sw_pkginfo {
	char version[SW_VERSION_MAX + 1];
	struct sw_strvec pkgnames;  /* built for the arch, in .SRCINFO order */
	struct sw_strvec provides;  /* names only, without "=version" */
	struct sw_strvec groups;
	struct sw_strvec deps;      /* build dependencies, names only */
};

void sw_pkginfo_init(struct sw_pkginfo *p);
void sw_pkginfo_release(struct sw_pkginfo *p);

/*
 * Fills p for arch. Errors: no pkgbase, an invalid or missing version, an
 * invalid pkgname. Building nothing for arch is not an error: p->pkgnames
 * is empty.
 */
int sw_srcinfo_info(const struct sw_srcinfo *s, const char *arch,
	struct sw_pkginfo *p, struct sw_err *e);

#endif
