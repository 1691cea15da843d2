/*
 * buildlist: the build list and the deletion list of DESIGN.md §3.
 *
 *   build-list      <pkgbase> <source-commit> <mod-commit> <repository>
 *   deletion-list   <pkgbase> <repository>
 *
 * One entry per line, in build order. Read a whole list into memory, change
 * it, write it back in one atomic replace, or stage it in a transaction
 * (t non-NULL) to commit with other changes. The caller holds build-list.lock
 * (lock.h) from read to write. A missing file is an empty list. A malformed
 * line is an error naming file and line; nothing is dropped. A pkgbase is on
 * the build list at most once per repository (a duplicate is an error).
 */
#ifndef SW_BUILDLIST_H
#define SW_BUILDLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/names.h"
#include "core/txn.h"

#define SW_LIST_MAX_SIZE (256 * 1024 * 1024)

struct sw_build_list {
	struct sw_id *v;
	size_t n, alloc;
};

struct sw_deletion {
	char pkgbase[SW_PKGNAME_MAX + 1];
	char repo[SW_REPO_MAX + 1];
};

struct sw_deletion_list {
	struct sw_deletion *v;
	size_t n, alloc;
};

int sw_buildlist_read(const char *path, struct sw_build_list *l,
	struct sw_err *e);
int sw_buildlist_write(const char *path, const struct sw_build_list *l,
	struct sw_txn *t, struct sw_err *e);
void sw_buildlist_release(struct sw_build_list *l);
/* Index of the entry for pkgbase in repo, or -1. */
long sw_buildlist_find(const struct sw_build_list *l, const char *pkgbase,
	const char *repo);
int sw_buildlist_append(struct sw_build_list *l, const struct sw_id *id,
	struct sw_err *e);
void sw_buildlist_remove(struct sw_build_list *l, size_t index);
/*
 * Takes the line of pkgbase in repo out of the build list at path (to_end:
 * puts it last), the other lines written back as they are, unparsed
 * (lines.h, sw_lines_move_keyed). 0; 1 if it is not listed; -1 with e.
 */
int sw_buildlist_move(const char *path, const char *pkgbase, const char *repo,
	bool to_end, struct sw_txn *t, struct sw_err *e);

int sw_deletionlist_read(const char *path, struct sw_deletion_list *l,
	struct sw_err *e);
int sw_deletionlist_write(const char *path, const struct sw_deletion_list *l,
	struct sw_txn *t, struct sw_err *e);
void sw_deletionlist_release(struct sw_deletion_list *l);
long sw_deletionlist_find(const struct sw_deletion_list *l, const char *pkgbase,
	const char *repo);
int sw_deletionlist_append(struct sw_deletion_list *l, const char *pkgbase,
	const char *repo, struct sw_err *e);
void sw_deletionlist_remove(struct sw_deletion_list *l, size_t index);

#endif
