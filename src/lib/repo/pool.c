#include "repo/pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/names.h"
#include "repo/sign.h"

/* Only package files (not signatures) go through these helpers. */
static int
check_pkgfile(const char *file, struct sw_err *e)
{
	struct sw_pkgfile_name fn;

	if (sw_name_parse_pkgfile(file, &fn, e) < 0)
		return -1;
	if (fn.sig)
		return sw_err_set(e, "'%s' is a signature, not a package", file);
	return 0;
}

int
sw_pool_repo_dir(struct sw_buf *out, const char *repo_dir, const char *repo,
	const char *arch, struct sw_err *e)
{
	struct sw_buf top = SW_BUF_INIT;
	int ret = -1;

	if (sw_name_path(&top, repo_dir, SW_NAME_REPO, repo, "", e) < 0)
		goto out;
	if (sw_buf_addstr(&top, "/os") < 0) {
		sw_err_sys(e, "cannot build path for '%s'", repo);
		goto out;
	}
	ret = sw_name_path(out, top.data, SW_NAME_ARCH, arch, "", e);
out:
	sw_buf_release(&top);
	return ret;
}

/* Copies src into a fresh temp file beside dest, fsynced; *tmp names it. */
static int
copy_beside(const char *src, const char *dest, char **tmp, struct sw_err *e)
{
	char block[64 * 1024];
	struct stat st;
	int in = -1, out = -1, ret = -1;
	ssize_t n;

	*tmp = NULL;
	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (in < 0) {
		sw_err_sys(e, "cannot open '%s'", src);
		goto out;
	}
	if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
		sw_err_set(e, "cannot publish '%s': not a regular file", src);
		goto out;
	}
	if (asprintf(tmp, "%s.tmp.XXXXXX", dest) < 0) {
		*tmp = NULL;
		sw_err_sys(e, "cannot publish '%s'", src);
		goto out;
	}
	out = mkostemp(*tmp, O_CLOEXEC);
	if (out < 0) {
		sw_err_sys(e, "cannot create a temporary file for '%s'", dest);
		free(*tmp);
		*tmp = NULL;
		goto out;
	}
	while ((n = read(in, block, sizeof(block))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sw_write_all(out, block, (size_t)n) < 0) {
			sw_err_sys(e, "cannot copy '%s' to '%s'", src, *tmp);
			goto out;
		}
	}
	if (fchmod(out, 0644) < 0 || fsync(out) < 0) {
		sw_err_sys(e, "cannot write '%s'", *tmp);
		goto out;
	}
	ret = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && ret == 0)
		ret = sw_err_sys(e, "cannot write '%s'", *tmp);
	if (ret < 0 && *tmp != NULL) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return ret;
}

int
sw_pool_publish(struct sw_txn *t, const char *repo_dir, const char *src,
	struct sw_err *e)
{
	struct sw_buf pool = SW_BUF_INIT, dest = SW_BUF_INIT, sig = SW_BUF_INIT;
	struct sw_buf path = SW_BUF_INIT;
	const char *file = strrchr(src, '/');
	char *tmp = NULL;
	struct stat st;
	int r, ret = -1;

	file = file ? file + 1 : src;
	if (check_pkgfile(file, e) < 0)
		goto out;
	if (sw_buf_addf(&pool, "%s/pool", repo_dir) < 0 ||
	    sw_buf_addf(&path, "%s.sig", src) < 0) {
		sw_err_sys(e, "cannot publish '%s'", file);
		goto out;
	}
	if (sw_mkdir_p(pool.data, 0755, e) < 0 ||
	    sw_name_path(&dest, pool.data, SW_NAME_PKGFILE, file, "", e) < 0)
		goto out;
	if (lstat(dest.data, &st) == 0) {
		sw_err_set(e, "cannot publish '%s': already in the pool", file);
		goto out;
	}
	r = sw_sig_read(path.data, &sig, e);
	if (r != 0) {
		if (r == 1)
			sw_err_set(e, "cannot publish '%s': no signature beside it", src);
		goto out;
	}
	if (copy_beside(src, dest.data, &tmp, e) < 0)
		goto out;
	if (sw_txn_rename(t, tmp, dest.data, e) < 0) {
		unlink(tmp);
		goto out;
	}
	if (sw_name_path(&dest, pool.data, SW_NAME_PKGFILE, file, ".sig", e) < 0 ||
	    sw_txn_replace(t, dest.data, sig.data, sig.len, 0644, e) < 0)
		goto out;
	ret = 0;
out:
	free(tmp);
	sw_buf_release(&pool);
	sw_buf_release(&dest);
	sw_buf_release(&sig);
	sw_buf_release(&path);
	return ret;
}

/* Links (or with link false, unlinks) <file> and <file>.sig. */
static int
link_pair(struct sw_txn *t, const char *repo_dir, const char *repo,
	const char *arch, const char *file, bool link, struct sw_err *e)
{
	static const char *const suffix[] = { "", ".sig" };
	struct sw_buf dir = SW_BUF_INIT, path = SW_BUF_INIT, target = SW_BUF_INIT;
	int i, ret = -1;

	if (check_pkgfile(file, e) < 0 ||
	    sw_pool_repo_dir(&dir, repo_dir, repo, arch, e) < 0 ||
	    (link && sw_mkdir_p(dir.data, 0755, e) < 0))
		goto out;
	for (i = 0; i < 2; i++) {
		if (sw_name_path(&path, dir.data, SW_NAME_PKGFILE, file, suffix[i], e) < 0 ||
		    sw_name_path(&target, "../../../pool", SW_NAME_PKGFILE, file,
		    suffix[i], e) < 0)
			goto out;
		if ((link ? sw_txn_symlink(t, target.data, path.data, e) :
		    sw_txn_remove(t, path.data, e)) < 0)
			goto out;
	}
	ret = 0;
out:
	sw_buf_release(&dir);
	sw_buf_release(&path);
	sw_buf_release(&target);
	return ret;
}

int
sw_pool_link(struct sw_txn *t, const char *repo_dir, const char *repo,
	const char *arch, const char *file, struct sw_err *e)
{
	return link_pair(t, repo_dir, repo, arch, file, true, e);
}

int
sw_pool_unlink(struct sw_txn *t, const char *repo_dir, const char *repo,
	const char *arch, const char *file, struct sw_err *e)
{
	return link_pair(t, repo_dir, repo, arch, file, false, e);
}

/* Does <repo_dir>/<repo>/os/<any arch>/<file> exist? */
static int
linked_from(const char *repo_dir, const char *repo, const char *file,
	bool *found, struct sw_err *e)
{
	struct sw_buf os = SW_BUF_INIT, dir = SW_BUF_INIT, path = SW_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int ret = -1;

	if (sw_name_path(&os, repo_dir, SW_NAME_REPO, repo, "", e) < 0)
		goto out;
	if (sw_buf_addstr(&os, "/os") < 0) {
		sw_err_sys(e, "cannot build path for '%s'", repo);
		goto out;
	}
	d = opendir(os.data);
	if (d == NULL) {
		ret = errno == ENOENT || errno == ENOTDIR ? 0 :
			sw_err_sys(e, "cannot read directory '%s'", os.data);
		goto out;
	}
	while (!*found && (de = readdir(d)) != NULL) {
		if (!sw_name_valid(SW_NAME_ARCH, de->d_name))
			continue;
		if (sw_pool_repo_dir(&dir, repo_dir, repo, de->d_name, e) < 0 ||
		    sw_name_path(&path, dir.data, SW_NAME_PKGFILE, file, "", e) < 0)
			goto out;
		*found = lstat(path.data, &st) == 0;
	}
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buf_release(&os);
	sw_buf_release(&dir);
	sw_buf_release(&path);
	return ret;
}

int
sw_pool_prune(struct sw_txn *t, const char *repo_dir, const char *file,
	int *pruned, struct sw_err *e)
{
	struct sw_buf pool = SW_BUF_INIT, path = SW_BUF_INIT;
	struct dirent *de;
	bool found = false;
	DIR *d = NULL;
	int ret = -1;

	*pruned = 0;
	if (check_pkgfile(file, e) < 0)
		goto out;
	d = opendir(repo_dir);
	if (d == NULL) {
		sw_err_sys(e, "cannot read directory '%s'", repo_dir);
		goto out;
	}
	while (!found && (de = readdir(d)) != NULL)
		if (sw_name_valid(SW_NAME_REPO, de->d_name) &&
		    strcmp(de->d_name, "pool") != 0 &&
		    linked_from(repo_dir, de->d_name, file, &found, e) < 0)
			goto out;
	if (found) {
		ret = 0;
		goto out;
	}
	if (sw_buf_addf(&pool, "%s/pool", repo_dir) < 0) {
		sw_err_sys(e, "cannot prune '%s'", file);
		goto out;
	}
	if (sw_name_path(&path, pool.data, SW_NAME_PKGFILE, file, "", e) < 0 ||
	    sw_txn_remove(t, path.data, e) < 0 ||
	    sw_name_path(&path, pool.data, SW_NAME_PKGFILE, file, ".sig", e) < 0 ||
	    sw_txn_remove(t, path.data, e) < 0)
		goto out;
	*pruned = 1;
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buf_release(&pool);
	sw_buf_release(&path);
	return ret;
}
