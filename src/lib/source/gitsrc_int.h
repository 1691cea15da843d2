/*
 * gitsrc internals, shared by gitsrc.c (mirrors, reads, fetch, walk) and
 * gitseed.c (the first fetch from a local repository). Not for use outside
 * source/gitsrc*.
 */
#ifndef SW_GITSRC_INT_H
#define SW_GITSRC_INT_H

#include <git2.h>

#include "core/err.h"
#include "source/gitsrc.h"

#define TREE_CACHE 8
#define HEAD_REF "refs/slipway/head"

struct sw_gitsrc {
	git_repository *repo;
	char *path;
	struct {
		git_oid commit;
		git_tree *tree;
	} cache[TREE_CACHE];
	size_t next;
	sw_gitsrc_progress_fn progress;
	void *progress_arg;
};

/* Sets e to fmt (with subject) and libgit2's last error; returns -1. */
int sw_gitsrc_fail(struct sw_err *e, const char *fmt, const char *subject);

/*
 * The first fetch from the local repository at path: links its objects
 * into g and points g's head at branch (NULL: its HEAD). 0 seeded, 1 not
 * possible here (no such branch, objects behind alternates, ...: an
 * ordinary fetch will do it or say why not), -1 error.
 */
int sw_gitsrc_seed_local(struct sw_gitsrc *g, const char *path,
	const char *branch, struct sw_err *e);

#endif
