#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int
sw_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
sw_file_read(const char *path, size_t cap, struct sw_buf *out,
	struct sw_err *e)
{
	struct stat st;
	size_t keep = out->cap, start = out->len;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return sw_err_sys(e, "cannot open '%s'", path);
	}
	if (fstat(fd, &st) < 0) {
		sw_err_sys(e, "cannot stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		sw_err_set(e, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > cap) {
		sw_err_set(e, "cannot read '%s': larger than %zu bytes", path, cap);
		goto out;
	}
	/* room for the whole file and the read that sees its end: one read(2) */
	out->cap = 0;
	if (sw_buf_grow_mapped(out, (size_t)st.st_size + 1) < 0) {
		sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	out->cap = start + cap;
	if (sw_buf_read_fd(out, fd) < 0) {
		if (errno == EFBIG)
			sw_err_set(e, "cannot read '%s': larger than %zu bytes",
				path, cap);
		else
			sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	ret = 0;
out:
	out->cap = keep;
	close(fd);
	return ret;
}

int
sw_file_map(const char *path, size_t cap, bool whole, struct sw_map *m,
	struct sw_err *e)
{
	struct stat st;
	void *p;
	int fd, ret = -1;

	*m = (struct sw_map)SW_MAP_INIT;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return sw_err_sys(e, "cannot open '%s'", path);
	}
	if (fstat(fd, &st) < 0) {
		sw_err_sys(e, "cannot stat '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		sw_err_set(e, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > cap) {
		sw_err_set(e, "cannot read '%s': larger than %zu bytes", path, cap);
		goto out;
	}
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	if (st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ,
			MAP_PRIVATE | (whole ? MAP_POPULATE : 0), fd, 0);
		if (p == MAP_FAILED) {
			sw_err_sys(e, "cannot map '%s'", path);
			goto out;
		}
		m->addr = p;
		m->data = p;
		m->len = (size_t)st.st_size;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

int
sw_file_map_current(const char *path, const struct sw_map *m, struct sw_err *e)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return m->dev == 0 && m->ino == 0;
		return sw_err_sys(e, "cannot stat '%s'", path);
	}
	return st.st_dev == m->dev && st.st_ino == m->ino;
}

void
sw_file_unmap(struct sw_map *m)
{
	if (m->addr != NULL)
		munmap(m->addr, m->len);
	*m = (struct sw_map)SW_MAP_INIT;
}

static int
fsync_dir(const char *dir, struct sw_err *e)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sw_err_sys(e, "cannot open directory '%s'", dir);
	if (fsync(fd) < 0 && errno != EINVAL) {
		sw_err_sys(e, "cannot fsync directory '%s'", dir);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
sw_fsync_parent(const char *path, struct sw_err *e)
{
	char *copy = strdup(path);
	int r;

	if (copy == NULL)
		return sw_err_sys(e, "cannot fsync directory of '%s'", path);
	r = fsync_dir(dirname(copy), e);
	free(copy);
	return r;
}

int
sw_atomic_begin(struct sw_atomic *a, const char *path, mode_t mode,
	struct sw_err *e)
{
	size_t n = strlen(path) + sizeof(".tmp.XXXXXX");

	a->fd = -1;
	a->tmp = NULL;
	a->path = strdup(path);
	if (a->path == NULL || (a->tmp = malloc(n)) == NULL)
		goto fail;
	memcpy(a->tmp, path, strlen(path));
	memcpy(a->tmp + strlen(path), ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	a->fd = mkostemp(a->tmp, O_CLOEXEC);
	if (a->fd < 0)
		goto fail;
	if (fchmod(a->fd, mode) < 0) {
		sw_err_sys(e, "cannot set mode of '%s'", a->tmp);
		sw_atomic_rollback(a);
		return -1;
	}
	return 0;
fail:
	sw_err_sys(e, "cannot create a temporary file for '%s'", path);
	free(a->path);
	free(a->tmp);
	a->path = a->tmp = NULL;
	return -1;
}

int
sw_atomic_write(struct sw_atomic *a, const void *p, size_t n, struct sw_err *e)
{
	if (sw_write_all(a->fd, p, n) < 0)
		return sw_err_sys(e, "cannot write '%s'", a->tmp);
	return 0;
}

int
sw_atomic_commit(struct sw_atomic *a, struct sw_err *e)
{
	int ret = -1;

	if (fsync(a->fd) < 0) {
		sw_err_sys(e, "cannot fsync '%s'", a->tmp);
		goto out;
	}
	if (close(a->fd) < 0) {
		a->fd = -1;
		sw_err_sys(e, "cannot close '%s'", a->tmp);
		goto out;
	}
	a->fd = -1;
	if (rename(a->tmp, a->path) < 0) {
		sw_err_sys(e, "cannot rename '%s' to '%s'", a->tmp, a->path);
		goto out;
	}
	free(a->tmp);
	a->tmp = NULL;
	ret = sw_fsync_parent(a->path, e);
out:
	sw_atomic_rollback(a);
	return ret;
}

void
sw_atomic_rollback(struct sw_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	if (a->tmp != NULL)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
}

int
sw_file_replace(const char *path, const void *p, size_t n, mode_t mode,
	struct sw_err *e)
{
	struct sw_atomic a = SW_ATOMIC_INIT;

	if (sw_atomic_begin(&a, path, mode, e) < 0)
		return -1;
	if (sw_atomic_write(&a, p, n, e) < 0) {
		sw_atomic_rollback(&a);
		return -1;
	}
	return sw_atomic_commit(&a, e);
}

int
sw_file_remove(const char *path, struct sw_err *e)
{
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return 0;
		return sw_err_sys(e, "cannot remove '%s'", path);
	}
	return sw_fsync_parent(path, e);
}

int
sw_mkdir_p(const char *path, mode_t mode, struct sw_err *e)
{
	char *copy = NULL, *p;
	struct stat st;
	int ret = -1;

	if (path[0] == '\0') {
		errno = ENOENT;
		return sw_err_sys(e, "cannot create directory ''");
	}
	copy = strdup(path);
	if (copy == NULL)
		return sw_err_sys(e, "cannot create directory '%s'", path);
	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			sw_err_sys(e, "cannot create directory '%s'", copy);
			goto out;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	/* EEXIST is success only if what exists is a directory */
	if (stat(copy, &st) < 0) {
		sw_err_sys(e, "cannot create directory '%s'", copy);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		errno = EEXIST;
		sw_err_sys(e, "cannot create directory '%s'", copy);
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}
