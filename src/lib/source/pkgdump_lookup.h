/*
 * pkgdump_lookup: what pkgdump.c (parsing, .SRCINFO) and pkgdump_lint.c
 * (makepkg's lint rules) share: lookups in a parsed dump. Private to
 * pkgdump*.c. Pointers returned point into the dump; NULL: not set.
 */
#ifndef SW_PKGDUMP_LOOKUP_H
#define SW_PKGDUMP_LOOKUP_H

#include <stdbool.h>

#include "source/pkgdump.h"

/* Is s one of the NULL-terminated list? */
bool sw_pkgdump_in_list(const char *const *list, const char *s);
/* The pkgbase-level variable name. */
const struct sw_pkgdump_var *sw_pkgdump_get_var(const struct sw_pkgdump *d,
	const char *name);
/* Its value when it is a string. */
const char *sw_pkgdump_scalar(const struct sw_pkgdump *d, const char *name);
/* The arch array (never NULL: empty when unset). */
const struct sw_strvec *sw_pkgdump_archs(const struct sw_pkgdump *d);
/* [[:space:]] in the C locale. */
bool sw_pkgdump_is_space(char c);

#endif
