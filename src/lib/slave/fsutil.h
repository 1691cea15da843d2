/*
 * fsutil: the directory chores of a build: removing a scratch tree,
 * copying a PKGBUILD directory, moving a result across file systems.
 *
 * None of these follows a symbolic link: a tree is removed without leaving
 * it (nftw FTW_PHYS), a copy recreates links as links and refuses devices,
 * FIFOs and sockets, and a move opens its source with O_NOFOLLOW. Errors:
 * -1 with the path that failed. No locks; a kill -9 leaves a partly
 * removed or copied tree, which the caller's next run removes again.
 */
#ifndef SW_FSUTIL_H
#define SW_FSUTIL_H

#include "core/err.h"

/* rm -rf path; a missing path is not an error. */
int sw_fs_remove_tree(const char *path, struct sw_err *e);
/* Copies the tree at from to to (which must not exist), modes kept. */
int sw_fs_copy_tree(const char *from, const char *to, struct sw_err *e);
/* rename(2), or a copy and an unlink across file systems; to is fsynced. */
int sw_fs_move(const char *from, const char *to, struct sw_err *e);

#endif
