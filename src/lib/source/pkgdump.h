/*
 * pkgdump: what the sandboxed PKGBUILD reader reports about one PKGBUILD,
 * checked the way makepkg's lint_pkgbuild checks it, and turned into the
 * .SRCINFO that `makepkg --printsrcinfo` (pacman 6.0.2) prints.
 *
 * The reader (the bash program in introspect.c) sources the PKGBUILD in a
 * subshell and writes a record of NUL-terminated tokens:
 *
 *   V name kind count value...   a variable of the pkgbase section: every
 *                                schema variable that is set, and
 *                                <name>_<arch> for each arch of arch=();
 *                                kind 's' scalar, 'a' array, 'A' assoc
 *   H name                       the function exists (package, build,
 *                                package_<pkgname>)
 *   P pkgname                    a package section starts
 *   F name form                  its package function assigns name
 *                                ("  name=" or "  name+=" in `declare -f`);
 *                                form is the byte after '=' ('(' = array)
 *   O name count value...        an attribute of the package section, in
 *                                makepkg's order: the pkgbase value with the
 *                                function's assignments evaluated on top
 *   M kind file                  install/changelog file that does not exist
 *   D                            the reader got to the end
 *
 * The PKGBUILD can write anything into its own record, so parsing is
 * bounded (SW_PKGDUMP_MAX_TOKENS, SW_PKGDUMP_MAX_SIZE) and any malformed
 * record is an error, never a crash. Whitespace in values is normalized
 * when the .SRCINFO is built, as makepkg does (runs of blanks to one
 * space, one leading and trailing space removed; ASCII whitespace only, as
 * under the C locale).
 *
 * Call order: sw_pkgdump_parse, sw_pkgdump_lint (0: makepkg would print
 * a .SRCINFO; -1: the first lint error, in makepkg's words),
 * sw_pkgdump_srcinfo. Release with sw_pkgdump_release.
 */
#ifndef SW_PKGDUMP_H
#define SW_PKGDUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "source/srcinfo.h"
#include "core/strvec.h"

#define SW_PKGDUMP_MAX_SIZE (1024 * 1024)
#define SW_PKGDUMP_MAX_TOKENS 65536

struct sw_pkgdump_var {
	char *name;
	char kind;                  /* 's', 'a', 'A' */
	struct sw_strvec values;
};

struct sw_pkgdump_assign {
	char *name;
	char form;                  /* '(' array form, else scalar */
};

struct sw_pkgdump_pkg {
	char *name;
	struct sw_pkgdump_assign *assigns;
	size_t nassigns, aassigns;
	struct sw_pkgdump_var *attrs;   /* O tokens; kind unused */
	size_t nattrs, aattrs;
};

struct sw_pkgdump {
	struct sw_pkgdump_var *vars;
	size_t nvars, avars;
	struct sw_strvec funcs;
	struct sw_pkgdump_pkg *pkgs;
	size_t npkgs, apkgs;
	struct sw_strvec missing;   /* "install\0file" pairs: kind, file */
	bool done;
};

void sw_pkgdump_init(struct sw_pkgdump *d);
void sw_pkgdump_release(struct sw_pkgdump *d);

/* tokens: len bytes of NUL-terminated tokens (a record without its frame). */
int sw_pkgdump_parse(struct sw_pkgdump *d, const char *tokens, size_t len,
	struct sw_err *e);
int sw_pkgdump_lint(const struct sw_pkgdump *d, struct sw_err *e);
int sw_pkgdump_srcinfo(const struct sw_pkgdump *d, struct sw_srcinfo *s,
	struct sw_err *e);

/* Whitespace normalization of srcinfo_write_attr, into out (size >= strlen(in)+1). */
void sw_pkgdump_normalize(const char *in, char *out);

#endif
