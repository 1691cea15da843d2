#include "source/tarout.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/names.h"

int
sw_tarout_open(struct sw_tarout *t, int fd, int64_t mtime, struct sw_err *e)
{
	t->a = archive_write_new();
	t->mtime = mtime;
	t->closed = false;
	/* our own descriptor: closing it first cuts a stream short (release) */
	t->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (t->a == NULL || t->fd < 0) {
		sw_err_sys(e, "cannot write a tar");
		sw_tarout_release(t);
		return -1;
	}
	if (archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(t->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(t->a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(t->a, t->fd) != ARCHIVE_OK) {
		sw_err_set(e, "cannot write a tar: %s", archive_error_string(t->a));
		sw_tarout_release(t);
		return -1;
	}
	return 0;
}

static int
add(struct sw_tarout *t, const char *path, mode_t type, mode_t perm,
	const char *link, const void *data, size_t len, struct sw_err *e)
{
	struct archive_entry *ae = NULL;
	int ret = -1;

	if (t->a == NULL || t->closed)
		return sw_err_set(e, "cannot add '%s': the tar is not open", path);
	if (sw_name_check(SW_NAME_TREEPATH, path, e) < 0 || strcmp(path, ".") == 0)
		return sw_err_prefix(e, "cannot add to the tar");
	if (link != NULL && !sw_name_link_inside(path, link))
		return sw_err_set(e, "cannot add '%s': its target '%.64s' leaves the "
			"tree", path, link);
	ae = archive_entry_new();
	if (ae == NULL)
		return sw_err_sys(e, "cannot add '%s'", path);
	archive_entry_set_pathname(ae, path);
	archive_entry_set_filetype(ae, type);
	archive_entry_set_perm(ae, perm);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_uname(ae, "root");
	archive_entry_set_gname(ae, "root");
	archive_entry_set_mtime(ae, (time_t)t->mtime, 0);
	archive_entry_set_size(ae, type == AE_IFREG ? (la_int64_t)len : 0);
	if (link != NULL)
		archive_entry_set_symlink(ae, link);
	if (archive_write_header(t->a, ae) != ARCHIVE_OK) {
		sw_err_set(e, "cannot write '%s': %s", path, archive_error_string(t->a));
		goto out;
	}
	if (type == AE_IFREG && len > 0 &&
	    archive_write_data(t->a, data, len) != (la_ssize_t)len) {
		sw_err_set(e, "cannot write '%s': %s", path, archive_error_string(t->a));
		goto out;
	}
	ret = 0;
out:
	archive_entry_free(ae);
	return ret;
}

int
sw_tarout_dir(struct sw_tarout *t, const char *path, struct sw_err *e)
{
	return add(t, path, AE_IFDIR, 0755, NULL, NULL, 0, e);
}

int
sw_tarout_file(struct sw_tarout *t, const char *path, bool executable,
	const void *data, size_t len, struct sw_err *e)
{
	return add(t, path, AE_IFREG, executable ? 0755 : 0644, NULL, data, len, e);
}

int
sw_tarout_symlink(struct sw_tarout *t, const char *path, const char *target,
	struct sw_err *e)
{
	return add(t, path, AE_IFLNK, 0777, target, NULL, 0, e);
}

int
sw_tarout_close(struct sw_tarout *t, struct sw_err *e)
{
	if (t->a == NULL || t->closed)
		return sw_err_set(e, "the tar is not open");
	t->closed = true;
	if (archive_write_close(t->a) != ARCHIVE_OK)
		return sw_err_set(e, "cannot finish the tar: %s",
			archive_error_string(t->a));
	if (close(t->fd) < 0) {
		t->fd = -1;
		return sw_err_sys(e, "cannot finish the tar");
	}
	t->fd = -1;
	return 0;
}

void
sw_tarout_release(struct sw_tarout *t)
{
	/* not closed: the descriptor goes first, so no end of archive is written */
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->a != NULL)
		archive_write_free(t->a);
	t->a = NULL;
}
