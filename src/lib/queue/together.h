/*
 * together: a library and the rebuilds its soname change queued move
 * together (issue #12). When return-assignment accepts a build of a
 * library that breaks a soname published packages of its line link
 * against (sonames.h), each such package gets a line here; db-update
 * then lets the library into testing, and into stable, only beside a
 * newer build of every package it names, so that no repository ever
 * holds libfoo.so.2 while a package beside it still needs libfoo.so.1.
 *
 *   <state_dir>/move-together, one line per (repository, library, pkgbase):
 *   <repository> <library-pkgbase> <pkgbase> <version>
 *
 * version: the published build of pkgbase that links against the old
 * soname (bump included); a build newer than it (vercmp) is its rebuild.
 * return-assignment adds lines (one that is there keeps its version: the
 * oldest build still counts), db-update drops a library's lines when it
 * reaches stable or is deleted. Both under build-list.lock, in their
 * transaction. Read whole, written whole, missing file = empty, a
 * malformed line (bad name or version, a key twice) = an error naming
 * file and line.
 */
#ifndef SW_TOGETHER_H
#define SW_TOGETHER_H

#include <stddef.h>

#include "core/err.h"
#include "core/names.h"
#include "core/txn.h"

struct sw_together_ent {
	char repo[SW_REPO_MAX + 1];
	char lib[SW_PKGNAME_MAX + 1];
	char pkgbase[SW_PKGNAME_MAX + 1];
	char version[SW_VERSION_MAX + 1];
};

struct sw_together {
	struct sw_together_ent *v;
	size_t n, alloc;
};

int sw_together_read(const char *path, struct sw_together *t,
	struct sw_err *e);
int sw_together_write(const char *path, const struct sw_together *t,
	struct sw_txn *txn, struct sw_err *e);
void sw_together_release(struct sw_together *t);
/* Adds the line (checked) unless its key is there. */
int sw_together_add(struct sw_together *t, const char *repo, const char *lib,
	const char *pkgbase, const char *version, struct sw_err *e);
/* Drops every line of library lib in repo. */
void sw_together_drop(struct sw_together *t, const char *repo,
	const char *lib);

#endif
