#include "slave/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"

static int
rm_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	if (flag == FTW_DNR) {
		/* a directory the build made unreadable: open it up, then retry */
		if (chmod(path, 0700) < 0)
			return -1;
		return nftw(path, rm_fn, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -1 : 0;
	}
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int
sw_fs_remove_tree(const char *path, struct sw_err *e)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return sw_err_sys(e, "cannot remove '%s'", path);
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0)
			return sw_err_sys(e, "cannot remove '%s'", path);
		return 0;
	}
	if (nftw(path, rm_fn, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return sw_err_sys(e, "cannot remove '%s'", path);
	return 0;
}

static int
copy_fd(int in, int out)
{
	char block[65536];
	ssize_t n;

	while ((n = read(in, block, sizeof(block))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (sw_write_all(out, block, (size_t)n) < 0)
			return -1;
	}
	return 0;
}

static int
copy_file(const char *from, const char *to, mode_t mode, struct sw_err *e)
{
	int in = -1, out = -1, ret = -1;

	in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		sw_err_sys(e, "cannot read '%s'", from);
		goto out;
	}
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		mode & 07777);
	if (out < 0 || copy_fd(in, out) < 0 || fsync(out) < 0) {
		sw_err_sys(e, "cannot write '%s'", to);
		goto out;
	}
	ret = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && ret == 0)
		ret = sw_err_sys(e, "cannot write '%s'", to);
	return ret;
}

int
sw_fs_copy_tree(const char *from, const char *to, struct sw_err *e)
{
	struct sw_buf a = SW_BUF_INIT, b = SW_BUF_INIT;
	char target[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	ssize_t n;
	int ret = -1;

	if (lstat(from, &st) < 0 || !S_ISDIR(st.st_mode)) {
		sw_err_set(e, "cannot copy '%s': not a directory", from);
		goto out;
	}
	if (mkdir(to, (st.st_mode & 07777) | 0700) < 0) {
		sw_err_sys(e, "cannot create '%s'", to);
		goto out;
	}
	if ((d = opendir(from)) == NULL) {
		sw_err_sys(e, "cannot read '%s'", from);
		goto out;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sw_buf_reset(&a);
		sw_buf_reset(&b);
		if (sw_buf_addf(&a, "%s/%s", from, de->d_name) < 0 ||
		    sw_buf_addf(&b, "%s/%s", to, de->d_name) < 0) {
			sw_err_sys(e, "cannot copy '%s'", from);
			goto out;
		}
		if (lstat(a.data, &st) < 0) {
			sw_err_sys(e, "cannot copy '%s'", a.data);
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			if (sw_fs_copy_tree(a.data, b.data, e) < 0)
				goto out;
		} else if (S_ISREG(st.st_mode)) {
			if (copy_file(a.data, b.data, st.st_mode, e) < 0)
				goto out;
		} else if (S_ISLNK(st.st_mode)) {
			n = readlink(a.data, target, sizeof(target) - 1);
			if (n < 0) {
				sw_err_sys(e, "cannot copy '%s'", a.data);
				goto out;
			}
			target[n] = '\0';
			if (symlink(target, b.data) < 0) {
				sw_err_sys(e, "cannot create '%s'", b.data);
				goto out;
			}
		} else {
			sw_err_set(e, "cannot copy '%s': not a file, directory or "
				"link", a.data);
			goto out;
		}
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", from);
		goto out;
	}
	ret = 0;
out:
	if (d != NULL)
		closedir(d);
	sw_buf_release(&a);
	sw_buf_release(&b);
	return ret;
}

int
sw_fs_move(const char *from, const char *to, struct sw_err *e)
{
	struct stat st;

	if (rename(from, to) == 0)
		return sw_fsync_parent(to, e);
	if (errno != EXDEV)
		return sw_err_sys(e, "cannot move '%s' to '%s'", from, to);
	if (lstat(from, &st) < 0 || !S_ISREG(st.st_mode))
		return sw_err_set(e, "cannot move '%s': not a regular file", from);
	if (copy_file(from, to, st.st_mode, e) < 0) {
		unlink(to);
		return -1;
	}
	if (unlink(from) < 0)
		return sw_err_sys(e, "cannot remove '%s'", from);
	return sw_fsync_parent(to, e);
}
