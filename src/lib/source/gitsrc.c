#include "source/gitsrc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "queue/statepath.h"
#include "source/custom.h"
#include "source/gitsrc_int.h"

int
sw_gitsrc_fail(struct sw_err *e, const char *fmt, const char *subject)
{
	const git_error *ge = git_error_last();
	char msg[SW_ERR_MAX / 2];

	snprintf(msg, sizeof(msg), fmt, subject);
	return sw_err_set(e, "%s: %s", msg, ge && ge->message ? ge->message :
		"unknown libgit2 error");
}

int
sw_gitsrc_mirror_path(struct sw_buf *out, const char *state_dir,
	const char *source, const char *pkgbase, struct sw_err *e)
{
	struct sw_buf dir = SW_BUF_INIT;
	int ret = -1;

	sw_buf_reset(out);
	if (sw_statepath(&dir, state_dir, SW_PATH_GIT, e) < 0)
		goto out;
	if (source == NULL) {
		if (sw_buf_addf(out, "%s/%s.git", dir.data, SW_CUSTOMIZATIONS) < 0)
			sw_err_sys(e, "cannot build a mirror path");
		else
			ret = 0;
		goto out;
	}
	if (pkgbase == NULL) {
		ret = sw_name_path(out, dir.data, SW_NAME_SOURCE, source, ".git", e);
		goto out;
	}
	if (sw_name_path(out, dir.data, SW_NAME_SOURCE, source, "", e) < 0)
		goto out;
	sw_buf_reset(&dir);
	if (sw_buf_addstr(&dir, out->data) < 0) {
		sw_err_sys(e, "cannot build a mirror path");
		goto out;
	}
	ret = sw_name_path(out, dir.data, SW_NAME_PKGBASE, pkgbase, ".git", e);
out:
	sw_buf_release(&dir);
	return ret;
}

int
sw_gitsrc_open(struct sw_gitsrc **gp, const char *path, bool create,
	struct sw_err *e)
{
	struct sw_gitsrc *g = NULL;
	int r, ret = -1;

	*gp = NULL;
	if (git_libgit2_init() < 0)
		return sw_gitsrc_fail(e, "cannot initialize libgit2 for '%s'", path);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	/*
	 * Keep big trees in libgit2's object cache (its default is 4 KiB):
	 * a repository directory of 3,000 packages is a 100 KiB tree that
	 * every lookup below it would inflate again.
	 */
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
		(size_t)4 << 20);
	g = calloc(1, sizeof(*g));
	if (g == NULL || (g->path = strdup(path)) == NULL) {
		sw_err_sys(e, "cannot open '%s'", path);
		goto out;
	}
	r = git_repository_open_bare(&g->repo, path);
	if (r == GIT_ENOTFOUND && !create) {
		ret = 1;
		goto out;
	}
	if (r == GIT_ENOTFOUND) {
		char *slash = strrchr(g->path, '/');

		if (slash != NULL && slash != g->path) {
			*slash = '\0';
			r = sw_mkdir_p(g->path, 0755, e);
			*slash = '/';
			if (r < 0)
				goto out;
		}
		r = git_repository_init(&g->repo, path, 1);
	}
	if (r < 0) {
		sw_gitsrc_fail(e, "cannot open git mirror '%s'", path);
		goto out;
	}
	*gp = g;
	g = NULL;
	ret = 0;
out:
	if (g != NULL) {
		git_repository_free(g->repo);
		free(g->path);
		free(g);
	}
	if (ret != 0)
		git_libgit2_shutdown();
	return ret;
}

void
sw_gitsrc_close(struct sw_gitsrc *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < TREE_CACHE; i++)
		git_tree_free(g->cache[i].tree);
	git_repository_free(g->repo);
	free(g->path);
	free(g);
	git_libgit2_shutdown();
}

static int
parse_oid(git_oid *oid, const char *hex, struct sw_err *e)
{
	if (sw_name_check(SW_NAME_COMMIT, hex, e) < 0)
		return -1;
	if (strlen(hex) != GIT_OID_HEXSZ || git_oid_fromstr(oid, hex) < 0)
		return sw_err_set(e, "unsupported object id '%s'", hex);
	return 0;
}

/* The root tree of commit (borrowed: owned by the cache). */
static int
root_tree(struct sw_gitsrc *g, const char *commit, git_tree **tree,
	struct sw_err *e)
{
	git_commit *c = NULL;
	git_oid oid;
	size_t i;

	if (parse_oid(&oid, commit, e) < 0)
		return -1;
	for (i = 0; i < TREE_CACHE; i++)
		if (g->cache[i].tree != NULL && git_oid_equal(&g->cache[i].commit, &oid)) {
			*tree = g->cache[i].tree;
			return 0;
		}
	if (git_commit_lookup(&c, g->repo, &oid) < 0)
		return sw_gitsrc_fail(e, "cannot read commit %s", commit);
	i = g->next++ % TREE_CACHE;
	git_tree_free(g->cache[i].tree);
	g->cache[i].tree = NULL;
	if (git_commit_tree(&g->cache[i].tree, c) < 0) {
		git_commit_free(c);
		return sw_gitsrc_fail(e, "cannot read the tree of commit %s", commit);
	}
	git_commit_free(c);
	g->cache[i].commit = oid;
	*tree = g->cache[i].tree;
	return 0;
}

static bool
is_root(const char *path)
{
	return path == NULL || path[0] == '\0' || strcmp(path, ".") == 0;
}

static enum sw_gitobj
entry_kind(const git_tree_entry *ent)
{
	switch (git_tree_entry_filemode(ent)) {
	case GIT_FILEMODE_TREE:
		return SW_GIT_TREE;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		return SW_GIT_BLOB;
	case GIT_FILEMODE_LINK:
		return SW_GIT_LINK;
	default:
		return SW_GIT_OTHER;
	}
}

/* The entry at path (owned by the caller), or NULL with *absent set. */
static int
entry_at(struct sw_gitsrc *g, const char *commit, const char *path,
	git_tree_entry **ent, git_tree **root, struct sw_err *e)
{
	int r;

	*ent = NULL;
	if (root_tree(g, commit, root, e) < 0)
		return -1;
	if (is_root(path))
		return 0;
	r = git_tree_entry_bypath(ent, *root, path);
	if (r == GIT_ENOTFOUND) {
		*ent = NULL;
		return 1;
	}
	if (r < 0)
		return sw_gitsrc_fail(e, "cannot look up '%s'", path);
	return 0;
}

int
sw_gitsrc_lookup(struct sw_gitsrc *g, const char *commit, const char *path,
	enum sw_gitobj *type, char *id, struct sw_err *e)
{
	git_tree_entry *ent = NULL;
	git_tree *root;
	int r;

	*type = SW_GIT_NONE;
	r = entry_at(g, commit, path, &ent, &root, e);
	if (r < 0)
		return -1;
	if (r == 1)
		return 0;
	*type = ent ? entry_kind(ent) : SW_GIT_TREE;
	if (id != NULL)
		git_oid_tostr(id, SW_COMMIT_MAX + 1,
			ent ? git_tree_entry_id(ent) : git_tree_id(root));
	git_tree_entry_free(ent);
	return 0;
}

/* The tree at path (owned by the caller); 1 if it is not a tree. */
static int
tree_at(struct sw_gitsrc *g, const char *commit, const char *path,
	git_tree **tree, struct sw_err *e)
{
	git_tree_entry *ent = NULL;
	git_tree *root;
	int r;

	*tree = NULL;
	r = entry_at(g, commit, path, &ent, &root, e);
	if (r != 0)
		return r;
	if (ent == NULL)
		return git_tree_dup(tree, root) < 0 ?
			sw_gitsrc_fail(e, "cannot read '%s'", ".") : 0;
	if (entry_kind(ent) != SW_GIT_TREE) {
		git_tree_entry_free(ent);
		return 1;
	}
	r = git_tree_lookup(tree, g->repo, git_tree_entry_id(ent));
	git_tree_entry_free(ent);
	return r < 0 ? sw_gitsrc_fail(e, "cannot read directory '%s'", path) : 0;
}

int
sw_gitsrc_list(struct sw_gitsrc *g, const char *commit, const char *path,
	sw_gitsrc_list_fn fn, void *arg, struct sw_err *e)
{
	git_tree *t = NULL;
	char id[SW_COMMIT_MAX + 1];
	size_t i, n;
	int r;

	r = tree_at(g, commit, path, &t, e);
	if (r != 0)
		return r;
	n = git_tree_entrycount(t);
	for (i = 0; i < n; i++) {
		const git_tree_entry *ent = git_tree_entry_byindex(t, i);

		git_oid_tostr(id, sizeof(id), git_tree_entry_id(ent));
		if (fn(git_tree_entry_name(ent), entry_kind(ent), id, arg) < 0) {
			r = -1;
			break;
		}
	}
	git_tree_free(t);
	return r;
}

static int
read_blob(git_repository *repo, const git_oid *id, size_t cap, size_t *used,
	struct sw_buf *out, const char *what, struct sw_err *e)
{
	git_blob *b = NULL;
	git_object_size_t size;
	int ret = -1;

	if (git_blob_lookup(&b, repo, id) < 0)
		return sw_gitsrc_fail(e, "cannot read '%s'", what);
	size = git_blob_rawsize(b);
	if (size > (git_object_size_t)(cap - *used)) {
		sw_err_set(e, "'%s' is too large (more than %zu bytes)", what, cap);
		goto out;
	}
	if (sw_buf_add(out, git_blob_rawcontent(b), (size_t)size) < 0) {
		sw_err_sys(e, "cannot read '%s'", what);
		goto out;
	}
	*used += (size_t)size;
	ret = 0;
out:
	git_blob_free(b);
	return ret;
}

int
sw_gitsrc_read(struct sw_gitsrc *g, const char *commit, const char *path,
	size_t cap, struct sw_buf *out, struct sw_err *e)
{
	git_tree_entry *ent = NULL;
	git_tree *root;
	size_t used = 0;
	int r;

	r = entry_at(g, commit, path, &ent, &root, e);
	if (r != 0)
		return r;
	if (ent == NULL || entry_kind(ent) != SW_GIT_BLOB) {
		git_tree_entry_free(ent);
		return 1;
	}
	r = read_blob(g->repo, git_tree_entry_id(ent), cap, &used, out, path, e);
	git_tree_entry_free(ent);
	return r;
}

int
sw_gitsrc_diff(struct sw_gitsrc *g, const char *old, const char *new_,
	sw_gitsrc_diff_fn fn, void *arg, struct sw_err *e)
{
	git_diff_options opts;
	git_diff *diff = NULL;
	git_tree *a = NULL, *b;
	size_t i, n;
	int ret = -1;

	if (old != NULL && root_tree(g, old, &a, e) < 0)
		return -1;
	if (root_tree(g, new_, &b, e) < 0)
		return -1;
	/* root_tree may have evicted a: look it up again */
	if (old != NULL && root_tree(g, old, &a, e) < 0)
		return -1;
	if (git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION) < 0)
		return sw_gitsrc_fail(e, "cannot compare commits in '%s'", g->path);
	opts.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, g->repo, a, b, &opts) < 0)
		return sw_gitsrc_fail(e, "cannot compare commits in '%s'", g->path);
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (fn(d->new_file.path ? d->new_file.path : d->old_file.path, arg) < 0)
			goto out;
	}
	ret = 0;
out:
	git_diff_free(diff);
	return ret;
}

int
sw_gitsrc_head(struct sw_gitsrc *g, char *commit, struct sw_err *e)
{
	git_oid oid;
	int r = git_reference_name_to_id(&oid, g->repo, HEAD_REF);

	if (r == GIT_ENOTFOUND)
		return 1;
	if (r < 0)
		return sw_gitsrc_fail(e, "cannot read the fetched head of '%s'", g->path);
	git_oid_tostr(commit, SW_COMMIT_MAX + 1, &oid);
	return 0;
}

void
sw_gitsrc_set_progress(struct sw_gitsrc *g, sw_gitsrc_progress_fn fn,
	void *arg)
{
	g->progress = fn;
	g->progress_arg = arg;
}

static int
transfer_progress(const git_indexer_progress *stats, void *payload)
{
	struct sw_gitsrc *g = payload;

	g->progress(g->progress_arg, stats->received_objects,
		stats->total_objects);
	return 0;
}

/* "/path" or "file:///path": the path; else NULL. */
static const char *
local_path(const char *url)
{
	if (url[0] == '/')
		return url;
	if (strncmp(url, "file://", 7) == 0 && url[7] == '/')
		return url + 7;
	return NULL;
}

int
sw_gitsrc_fetch(struct sw_gitsrc *g, const char *url, const char *branch,
	char *commit, struct sw_err *e)
{
	git_fetch_options fo;
	git_remote_create_options ro;
	git_remote *remote = NULL;
	git_strarray refspecs;
	char spec[512], *specp = spec;
	git_object *obj = NULL;
	const char *local = local_path(url);
	git_oid oid;
	int ret = -1;

	if (branch != NULL) {
		char ref[300];

		snprintf(ref, sizeof(ref), "refs/heads/%s", branch);
		if (strlen(branch) > 200 || !git_reference_is_valid_name(ref)) {
			sw_err_set(e, "invalid branch name '%s'", branch);
			goto out;
		}
		snprintf(spec, sizeof(spec), "+%s:%s", ref, HEAD_REF);
	} else
		snprintf(spec, sizeof(spec), "+HEAD:%s", HEAD_REF);
	/* then fetch as usual: nothing is left to transfer */
	if (local != NULL && git_reference_name_to_id(&oid, g->repo, HEAD_REF) ==
	    GIT_ENOTFOUND && sw_gitsrc_seed_local(g, local, branch, e) < 0)
		goto out;
	if (git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION) < 0) {
		sw_gitsrc_fail(e, "cannot fetch '%s'", url);
		goto out;
	}
	refspecs.strings = &specp;
	refspecs.count = 1;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.prune = GIT_FETCH_NO_PRUNE;
	fo.update_fetchhead = 0;
	if (g->progress != NULL) {
		fo.callbacks.transfer_progress = transfer_progress;
		fo.callbacks.payload = g;
	}
	/*
	 * No insteadOf rewriting: the URL is the configured one (and
	 * libgit2 1.5 leaks a regex match per config entry on that path).
	 */
	if (git_remote_create_options_init(&ro,
	    GIT_REMOTE_CREATE_OPTIONS_VERSION) < 0) {
		sw_gitsrc_fail(e, "cannot fetch '%s'", url);
		goto out;
	}
	ro.repository = g->repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
		GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (git_remote_create_with_opts(&remote, url, &ro) < 0 ||
	    git_remote_fetch(remote, &refspecs, &fo, NULL) < 0) {
		sw_gitsrc_fail(e, "cannot fetch '%s'", url);
		goto out;
	}
	if (git_reference_name_to_id(&oid, g->repo, HEAD_REF) < 0) {
		sw_gitsrc_fail(e, "cannot fetch '%s'", url);
		goto out;
	}
	/* the head must be a commit */
	if (git_object_lookup(&obj, g->repo, &oid, GIT_OBJECT_COMMIT) < 0) {
		sw_gitsrc_fail(e, "'%s' did not give a commit", url);
		goto out;
	}
	git_oid_tostr(commit, SW_COMMIT_MAX + 1, &oid);
	ret = 0;
out:
	git_object_free(obj);
	git_remote_free(remote);
	return ret;
}

/* ---- walking a package directory with customizations ---------------------- */

struct walk {
	size_t cap, used;
	sw_gitsrc_walk_fn fn;
	void *arg;
	struct sw_err *e;
	struct sw_buf path;
	struct sw_buf data;
	struct sw_buf prepend;     /* the customization's PKGBUILD.prepend */
	bool has_prepend;
};

/* Where the customization keeps the text put at the top of the PKGBUILD. */
#define PREPEND_PATH SW_CUSTOM_SETTINGS "/" SW_CUSTOM_PREPEND

static int walk_trees(struct walk *w, git_repository *ra, const git_tree *ta,
	git_repository *rb, const git_tree *tb, bool top);

/* w->path is "<prefix>/<name>" for the duration of fn. */
static int
push_name(struct walk *w, const char *name, size_t *keep)
{
	*keep = w->path.len;
	if ((w->path.len && sw_buf_addch(&w->path, '/') < 0) ||
	    sw_buf_addstr(&w->path, name) < 0)
		return sw_err_sys(w->e, "cannot walk the package directory");
	return sw_name_check(SW_NAME_TREEPATH, w->path.data, w->e);
}

/* One entry of repo (a), or a merge of a and b when both are trees. */
static int
walk_entry(struct walk *w, git_repository *ra, const git_tree_entry *a,
	git_repository *rb, const git_tree_entry *b)
{
	enum sw_gitobj kind = entry_kind(a);
	git_tree *ta = NULL, *tb = NULL;
	size_t keep;
	int ret = -1;

	if (push_name(w, git_tree_entry_name(a), &keep) < 0)
		goto out;
	/* already at the top of the PKGBUILD: not handed out again */
	if (kind == SW_GIT_OTHER || (w->has_prepend &&
	    strcmp(w->path.data, PREPEND_PATH) == 0)) {
		ret = 0;
		goto out;
	}
	if (kind == SW_GIT_TREE) {
		if (git_tree_lookup(&ta, ra, git_tree_entry_id(a)) < 0 ||
		    (b != NULL && git_tree_lookup(&tb, rb, git_tree_entry_id(b)) < 0)) {
			sw_gitsrc_fail(w->e, "cannot read directory '%s'", w->path.data);
			goto out;
		}
		if (w->fn(w->path.data, SW_GIT_TREE, false, NULL, 0, w->arg, w->e) < 0 ||
		    walk_trees(w, ra, ta, rb, tb, false) < 0)
			goto out;
		ret = 0;
		goto out;
	}
	sw_buf_reset(&w->data);
	if (read_blob(ra, git_tree_entry_id(a), w->cap, &w->used, &w->data,
	    w->path.data, w->e) < 0)
		goto out;
	ret = w->fn(w->path.data, kind,
		git_tree_entry_filemode(a) == GIT_FILEMODE_BLOB_EXECUTABLE,
		w->data.data, w->data.len, w->arg, w->e);
out:
	git_tree_free(ta);
	git_tree_free(tb);
	sw_buf_truncate(&w->path, keep);
	return ret;
}

/* A newline at the end of b, unless it is empty or has one. */
static int
end_line(struct sw_buf *b)
{
	return b->len > 0 && b->data[b->len - 1] != '\n' ?
		sw_buf_addch(b, '\n') : 0;
}

/*
 * The top-level PKGBUILD: the customization's PKGBUILD.prepend, upstream's,
 * then the customization's; a or b may be NULL (each a blob when not).
 */
static int
walk_pkgbuild(struct walk *w, git_repository *ra, const git_tree_entry *a,
	git_repository *rb, const git_tree_entry *b)
{
	const git_tree_entry *mode = a != NULL ? a : b;
	size_t keep;
	int ret = -1;

	if (push_name(w, "PKGBUILD", &keep) < 0)
		goto out;
	sw_buf_reset(&w->data);
	if (w->has_prepend && (sw_buf_add(&w->data, w->prepend.data,
	    w->prepend.len) < 0 || end_line(&w->data) < 0))
		goto nomem;
	if (a != NULL && (read_blob(ra, git_tree_entry_id(a), w->cap, &w->used,
	    &w->data, "PKGBUILD", w->e) < 0))
		goto out;
	if (b != NULL && a != NULL && end_line(&w->data) < 0)
		goto nomem;
	if (b != NULL && read_blob(rb, git_tree_entry_id(b), w->cap, &w->used,
	    &w->data, "customized PKGBUILD", w->e) < 0)
		goto out;
	ret = w->fn(w->path.data, SW_GIT_BLOB,
		git_tree_entry_filemode(mode) == GIT_FILEMODE_BLOB_EXECUTABLE,
		w->data.data, w->data.len, w->arg, w->e);
	goto out;
nomem:
	sw_err_sys(w->e, "cannot read PKGBUILD");
out:
	sw_buf_truncate(&w->path, keep);
	return ret;
}

/* The customization's PKGBUILD.prepend, if its directory has one. */
static int
read_prepend(struct walk *w, git_repository *rb, const git_tree *tb)
{
	git_tree_entry *ent = NULL;
	int r, ret = -1;

	r = git_tree_entry_bypath(&ent, tb, PREPEND_PATH);
	if (r == GIT_ENOTFOUND)
		return 0;
	if (r < 0)
		return sw_gitsrc_fail(w->e, "cannot read '%s'", PREPEND_PATH);
	if (entry_kind(ent) != SW_GIT_BLOB) {
		sw_err_set(w->e, "'%s' in the customization is not a file",
			PREPEND_PATH);
		goto out;
	}
	if (read_blob(rb, git_tree_entry_id(ent), w->cap, &w->used, &w->prepend,
	    PREPEND_PATH, w->e) < 0)
		goto out;
	w->has_prepend = true;
	ret = 0;
out:
	git_tree_entry_free(ent);
	return ret;
}

/*
 * git fsck refuses a tree with two entries of one name, but a fetch takes
 * it; a symlink "sub" and a directory "sub" would have fn write through
 * the link. In a well-formed tree every name finds its own entry.
 */
static int
check_names(struct walk *w, const git_tree *t)
{
	size_t i, n = t ? git_tree_entrycount(t) : 0;

	for (i = 0; i < n; i++) {
		const git_tree_entry *x = git_tree_entry_byindex(t, i);

		if (git_tree_entry_byname(t, git_tree_entry_name(x)) != x)
			return sw_err_set(w->e, "directory '%s' has two entries "
				"named '%s', or is out of order", w->path.len ?
				w->path.data : ".", git_tree_entry_name(x));
	}
	return 0;
}

static int
walk_trees(struct walk *w, git_repository *ra, const git_tree *ta,
	git_repository *rb, const git_tree *tb, bool top)
{
	size_t i, n = git_tree_entrycount(ta);

	if (check_names(w, ta) < 0 || check_names(w, tb) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const git_tree_entry *a = git_tree_entry_byindex(ta, i);
		const git_tree_entry *b = tb ?
			git_tree_entry_byname(tb, git_tree_entry_name(a)) : NULL;
		bool pkgbuild = top && entry_kind(a) == SW_GIT_BLOB &&
			strcmp(git_tree_entry_name(a), "PKGBUILD") == 0;
		int r;

		if (pkgbuild && (b == NULL || entry_kind(b) == SW_GIT_BLOB))
			r = walk_pkgbuild(w, ra, a, rb, b);
		else if (b == NULL)
			r = walk_entry(w, ra, a, NULL, NULL);
		else if (entry_kind(a) == SW_GIT_TREE && entry_kind(b) == SW_GIT_TREE)
			r = walk_entry(w, ra, a, rb, b);
		else
			r = walk_entry(w, rb, b, NULL, NULL);
		if (r < 0)
			return -1;
	}
	n = tb ? git_tree_entrycount(tb) : 0;
	for (i = 0; i < n; i++) {
		const git_tree_entry *b = git_tree_entry_byindex(tb, i);
		bool pkgbuild = top && entry_kind(b) == SW_GIT_BLOB &&
			strcmp(git_tree_entry_name(b), "PKGBUILD") == 0;

		if (git_tree_entry_byname(ta, git_tree_entry_name(b)) != NULL)
			continue;
		if ((pkgbuild ? walk_pkgbuild(w, NULL, NULL, rb, b) :
		    walk_entry(w, rb, b, NULL, NULL)) < 0)
			return -1;
	}
	return 0;
}

int
sw_gitsrc_walk(const struct sw_gitsrc_dir *up,
	const struct sw_gitsrc_dir *custom, size_t cap, sw_gitsrc_walk_fn fn,
	void *arg, struct sw_err *e)
{
	struct walk w = { cap, 0, fn, arg, e, SW_BUF_INIT, SW_BUF_INIT,
		SW_BUF_INIT, false };
	git_tree *ta = NULL, *tb = NULL;
	int r, ret = -1;

	r = tree_at(up->g, up->commit, up->path, &ta, e);
	if (r != 0) {
		if (r == 1)
			sw_err_set(e, "'%s' is not a directory", up->path);
		goto out;
	}
	if (custom != NULL) {
		r = tree_at(custom->g, custom->commit, custom->path, &tb, e);
		if (r < 0 || (tb != NULL && read_prepend(&w, custom->g->repo, tb) < 0))
			goto out;
	}
	ret = walk_trees(&w, up->g->repo, ta, custom ? custom->g->repo : NULL, tb,
		true);
out:
	git_tree_free(ta);
	git_tree_free(tb);
	sw_buf_release(&w.path);
	sw_buf_release(&w.data);
	sw_buf_release(&w.prepend);
	return ret;
}

