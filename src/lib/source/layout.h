/*
 * layout: where a source keeps its package directories (DESIGN.md §4), and
 * which of our repositories each package is built for.
 *
 *   repo/pkgbase   <upstream-repo>/<pkgbase>/PKGBUILD
 *   pkgbase        <pkgbase>/PKGBUILD; the upstream repository is the
 *                  source's `repository =`
 *   svntogit       <pkgbase>/repos/<upstream-repo>-<arch>/PKGBUILD, where
 *                  <arch> is the master's arch or "any"
 *   per-package    PKGBUILD at the top of the package's own repository
 *
 * Routing: packages of upstream repository U go to the [repository X]
 * whose `from` lists U (the first such section), else to U itself if it
 * has a [repository U] section, else nowhere (not followed). A line
 * "<pkgbase> <repository>" of the customizations' repository-overrides
 * sends that package to that repository instead, from any upstream
 * repository, followed or not; an override naming a repository without a
 * section is ignored. All functions are pure; names are checked with
 * names.h and anything refused means "not a package".
 */
#ifndef SW_LAYOUT_H
#define SW_LAYOUT_H

#include "core/config.h"
#include "source/custom.h"
#include "core/names.h"

/*
 * The pkgbase whose directory holds path (a file path from a tree diff):
 * 0 and pkgbase set (SW_PKGNAME_MAX + 1 bytes), or 1 if path lies outside
 * any package directory. per-package sources have no paths: always 1.
 */
int sw_layout_pkgbase_of(int layout, const char *path, char *pkgbase);

/* svntogit: the upstream repository of "<repo>-<arch>" (or "-any"), or 1. */
int sw_layout_svntogit_repo(const char *dirname, const char *arch, char *repo);

/* Our repository for packages of upstream repository up, or NULL. */
const char *sw_route(const struct sw_master_conf *c, const char *up);
/* The same for one package, with the overrides (may be NULL) applied. */
const char *sw_route_pkg(const struct sw_master_conf *c,
	const struct sw_custom_list *overrides, const char *pkgbase,
	const char *up);

#endif
