/*
 * gitsrc: the bare git mirrors of the PKGBUILD sources, through libgit2.
 *
 * Where mirrors live (sw_gitsrc_mirror_path): <state_dir>/git/<source>.git
 * for a source, <state_dir>/git/<source>/<pkgbase>.git for each package of
 * a per-package source, <state_dir>/git/@customizations.git for the
 * customization repository ('@' cannot start a source name).
 *
 * Calls: sw_gitsrc_open (creating an empty bare mirror if asked), then
 * sw_gitsrc_fetch (a branch, or the remote's HEAD, into refs/slipway/head;
 * returns the commit) and the readers, all of which take a commit id in
 * hex: sw_gitsrc_lookup (what is at a path), sw_gitsrc_list (a directory),
 * sw_gitsrc_read (a blob, capped), sw_gitsrc_diff (paths that differ
 * between two commits: a libgit2 tree diff that only descends into trees
 * whose ids differ) and sw_gitsrc_walk (every entry of a package directory
 * with a customization directory applied: what get-sources streams and
 * what introspection reads). sw_gitsrc_close frees everything.
 *
 * Nothing is ever pruned: a commit once fetched stays readable, so ids on
 * the build list keep working after upstream moves on or force-pushes.
 * Fetching writes objects with fsync before the ref moves; a kill -9 leaves
 * the previous ref. Two fetches into one mirror must not run at once (the
 * caller serializes them); readers need no lock, objects are only added.
 * Local paths owned by another user are fetched (libgit2's owner check is
 * off: a mirror never checks out or runs anything from the remote).
 */
#ifndef SW_GITSRC_H
#define SW_GITSRC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/names.h"

struct sw_gitsrc;

enum sw_gitobj {
	SW_GIT_NONE = 0,
	SW_GIT_TREE,
	SW_GIT_BLOB,        /* mode 0644 or 0755 */
	SW_GIT_LINK,        /* a symlink; its blob holds the target */
	SW_GIT_OTHER,       /* a submodule commit */
};

#define SW_CUSTOMIZATIONS "@customizations"

/* source NULL: the customization repository; pkgbase: per-package sources. */
int sw_gitsrc_mirror_path(struct sw_buf *out, const char *state_dir,
	const char *source, const char *pkgbase, struct sw_err *e);

/* 0 open; 1 absent (and !create); -1 error. */
int sw_gitsrc_open(struct sw_gitsrc **g, const char *path, bool create,
	struct sw_err *e);
void sw_gitsrc_close(struct sw_gitsrc *g);

/*
 * What a fetch reports as objects arrive (libgit2's transfer progress): a
 * first fetch over the network can take minutes, and a terminal should
 * show it. fn may be called often; it must be quick and must not fail.
 */
typedef void (*sw_gitsrc_progress_fn)(void *arg, size_t received,
	size_t total);
void sw_gitsrc_set_progress(struct sw_gitsrc *g, sw_gitsrc_progress_fn fn,
	void *arg);

/* branch NULL: the remote's HEAD. commit gets SW_COMMIT_MAX + 1 bytes. */
int sw_gitsrc_fetch(struct sw_gitsrc *g, const char *url, const char *branch,
	char *commit, struct sw_err *e);
/* The last fetched commit: 0, or 1 if there is none. */
int sw_gitsrc_head(struct sw_gitsrc *g, char *commit, struct sw_err *e);

/*
 * What is at path ("." is the root) in commit: *type (SW_GIT_NONE if
 * nothing) and, if id is not NULL, its id in hex. 0, or -1 on error
 * (an unknown commit is an error).
 */
int sw_gitsrc_lookup(struct sw_gitsrc *g, const char *commit, const char *path,
	enum sw_gitobj *type, char *id, struct sw_err *e);

typedef int (*sw_gitsrc_list_fn)(const char *name, enum sw_gitobj type,
	const char *id, void *arg);
/* Every entry of the directory path, in git order. 1 if it is not a directory. */
int sw_gitsrc_list(struct sw_gitsrc *g, const char *commit, const char *path,
	sw_gitsrc_list_fn fn, void *arg, struct sw_err *e);

/* Appends the blob at path to out. 0, 1 absent (or not a blob), -1 error or over cap. */
int sw_gitsrc_read(struct sw_gitsrc *g, const char *commit, const char *path,
	size_t cap, struct sw_buf *out, struct sw_err *e);

/* fn(path) for every file path that differs; old NULL: the empty tree. */
typedef int (*sw_gitsrc_diff_fn)(const char *path, void *arg);
int sw_gitsrc_diff(struct sw_gitsrc *g, const char *old, const char *new_,
	sw_gitsrc_diff_fn fn, void *arg, struct sw_err *e);

struct sw_gitsrc_dir {
	struct sw_gitsrc *g;
	const char *commit;
	const char *path;          /* a directory in that commit ("." = root) */
};

/*
 * sw_gitsrc_walk hands fn every entry below up, in git order, directories
 * before what they contain; relpath is relative to up (checked as a tree
 * path by names.h: an invalid name fails the walk). custom (may be NULL):
 * its top-level PKGBUILD is appended to up's (after a newline if up's does
 * not end in one), and its .slipway/PKGBUILD.prepend (custom.h) put at the
 * top of it (and not handed out itself); any other entry replaces up's
 * entry of the same name (two directories are merged); entries only in
 * custom are added.
 * Blobs come with their data (a symlink's data is its target). Submodules
 * are skipped. The data of all blobs together may not exceed cap bytes.
 * fn returns 0 to go on, -1 to stop (with its message in e).
 */
typedef int (*sw_gitsrc_walk_fn)(const char *relpath, enum sw_gitobj type,
	bool executable, const char *data, size_t len, void *arg,
	struct sw_err *e);
int sw_gitsrc_walk(const struct sw_gitsrc_dir *up,
	const struct sw_gitsrc_dir *custom, size_t cap, sw_gitsrc_walk_fn fn,
	void *arg, struct sw_err *e);

#endif
