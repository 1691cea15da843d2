/*
 * updaterun: the work directory of assembled package directories
 * (updaterun_stages.h).
 */

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "source/updaterun_stages.h"

static int
mat_fn(const char *rel, enum sw_gitobj type, bool exec, const char *data,
	size_t len, void *arg, struct sw_err *e)
{
	int dfd = *(int *)arg, fd;
	char *target;

	switch (type) {
	case SW_GIT_TREE:
		/* the walk names each path once: one that exists is an attack */
		if (mkdirat(dfd, rel, 0755) < 0)
			return sw_err_sys(e, "cannot create '%s'", rel);
		return 0;
	case SW_GIT_LINK:
		if (memchr(data, '\0', len) != NULL || len == 0)
			return sw_err_set(e, "bad symbolic link '%s'", rel);
		target = strndup(data, len);
		if (target == NULL || symlinkat(target, dfd, rel) < 0) {
			free(target);
			return sw_err_sys(e, "cannot create '%s'", rel);
		}
		free(target);
		return 0;
	case SW_GIT_BLOB:
		fd = openat(dfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			O_CLOEXEC, exec ? 0755 : 0644);
		if (fd < 0 || sw_write_all(fd, data, len) < 0) {
			sw_err_sys(e, "cannot write '%s'", rel);
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (close(fd) < 0)
			return sw_err_sys(e, "cannot write '%s'", rel);
		return 0;
	default:
		return 0;
	}
}

static int
make_workdir(struct run *r, struct sw_err *e)
{
	const char *tmp = getenv("TMPDIR");

	if (r->workdir[0])
		return 0;
	/* a tmpfs unless told otherwise: thousands of small files come and go */
	if (tmp == NULL || tmp[0] != '/')
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	if ((size_t)snprintf(r->workdir, sizeof(r->workdir),
	    "%s/slipway-updates.XXXXXX", tmp) >= sizeof(r->workdir) ||
	    mkdtemp(r->workdir) == NULL) {
		r->workdir[0] = '\0';
		return sw_err_sys(e, "cannot create a work directory in '%s'", tmp);
	}
	/* the sandbox may run as nobody: it may pass, not list (introspect.h) */
	if (chmod(r->workdir, 0711) < 0)
		return sw_err_sys(e, "cannot open up '%s'", r->workdir);
	return 0;
}

static int
rm_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void
sw_ur_remove_workdir(struct run *r)
{
	if (r->workdir[0])
		nftw(r->workdir, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
	r->workdir[0] = '\0';
}

/* Writes the assembled directory of j into the work directory. */
int
sw_ur_materialize(struct run *r, struct job *j, struct sw_err *e)
{
	struct sw_gitsrc_dir up = { sw_ur_repo_of(r, j->src, j->pp), j->commit, j->path };
	struct sw_gitsrc_dir cu = { r->cu.g, j->mod, j->custom };
	int dfd, ret;

	if (make_workdir(r, e) < 0)
		return -1;
	if ((size_t)snprintf(j->dir, sizeof(j->dir), "%.4000s/%u", r->workdir,
	    r->nwork++) >= sizeof(j->dir))
		return sw_err_set(e, "work directory path too long");
	if (mkdir(j->dir, 0755) < 0)
		return sw_err_sys(e, "cannot create '%s'", j->dir);
	dfd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return sw_err_sys(e, "cannot open '%s'", j->dir);
	ret = sw_gitsrc_walk(&up, j->custom[0] ? &cu : NULL, DIR_CAP, mat_fn, &dfd, e);
	close(dfd);
	return ret;
}
