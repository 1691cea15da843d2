/*
 * vercmp: pacman's own version order, through libalpm's alpm_pkg_vercmp.
 * Never sort -V and never a hand-written copy: epoch, pkgrel and
 * alpha/beta/rc segments must order exactly as pacman orders them.
 * Returns <0, 0 or >0 like strcmp. Both arguments must be non-NULL.
 */
#ifndef SW_VERCMP_H
#define SW_VERCMP_H

int sw_vercmp(const char *a, const char *b);

#endif
