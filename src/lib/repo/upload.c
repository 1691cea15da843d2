#include "repo/upload.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/names.h"

/* Tar headers and padding on top of the data: 1 MiB is plenty for 256 members. */
#define STREAM_SLACK (1024 * 1024)

void
sw_upload_init(struct sw_upload *u)
{
	u->dir = NULL;
	u->dirfd = -1;
	sw_strvec_init(&u->files);
	u->bytes = 0;
}

void
sw_upload_release(struct sw_upload *u)
{
	size_t i;

	if (u->dirfd >= 0) {
		for (i = 0; i < u->files.n; i++)
			unlinkat(u->dirfd, u->files.v[i], 0);
		close(u->dirfd);
	}
	if (u->dir != NULL)
		rmdir(u->dir);
	free(u->dir);
	sw_strvec_release(&u->files);
	sw_upload_init(u);
}

int
sw_upload_path(const struct sw_upload *u, const char *name, struct sw_buf *out,
	struct sw_err *e)
{
	sw_buf_reset(out);
	if (u->dir == NULL || strchr(name, '/') != NULL ||
	    !sw_strvec_contains(&u->files, name))
		return sw_err_set(e, "'%s' is not in the upload", name);
	if (sw_buf_addf(out, "%s/%s", u->dir, name) < 0)
		return sw_err_sys(e, "cannot build path for '%s'", name);
	return 0;
}

/* The stream from the slave, counted as it comes. */
struct stream {
	int fd;
	uint64_t bytes, max;
	bool too_big;
	char block[64 * 1024];
};

static la_ssize_t
stream_read(struct archive *a, void *arg, const void **buf)
{
	struct stream *s = arg;
	ssize_t n;

	do
		n = read(s->fd, s->block, sizeof(s->block));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read error: %s", strerror(errno));
		return -1;
	}
	s->bytes += (uint64_t)n;
	if (s->bytes > s->max) {
		s->too_big = true;
		archive_set_error(a, EFBIG, "upload larger than allowed");
		return -1;
	}
	*buf = s->block;
	return n;
}

/* Is name acceptable for this kind of upload? (names.h decides) */
static int
check_name(enum sw_upload_kind kind, const char *name, struct sw_err *e)
{
	size_t len = strlen(name), sl = strlen(SW_UPLOAD_LOG_SUFFIX);
	char q[96];

	if (strchr(name, '/') != NULL) {
		sw_name_quote(name, len, q, sizeof(q));
		return sw_err_set(e, "member '%s' has a path: only plain file names "
			"are accepted", q);
	}
	if (kind == SW_UPLOAD_PACKAGES)
		return sw_name_check(SW_NAME_PKGFILE, name, e);
	if (len <= sl || strcmp(name + len - sl, SW_UPLOAD_LOG_SUFFIX) != 0) {
		sw_name_quote(name, len, q, sizeof(q));
		return sw_err_set(e, "member '%s' is not a '<straw>%s' log", q,
			SW_UPLOAD_LOG_SUFFIX);
	}
	return sw_name_check_mem(SW_NAME_PHASE, name, len - sl, e);
}

static const char *
type_name(mode_t t)
{
	switch (t) {
	case AE_IFDIR: return "a directory";
	case AE_IFLNK: return "a symbolic link";
	case AE_IFCHR: return "a character device";
	case AE_IFBLK: return "a block device";
	case AE_IFIFO: return "a FIFO";
	case AE_IFSOCK: return "a socket";
	default: return "not a regular file";
	}
}

/* Checks one header; 0, or -1 (invalid) with e set. */
static int
check_member(struct sw_upload *u, struct archive_entry *ae,
	enum sw_upload_kind kind, uint64_t max_size, const char **name,
	struct sw_err *e)
{
	const char *n = archive_entry_pathname(ae);
	char q[96];

	if (n == NULL || n[0] == '\0')
		return sw_err_set(e, "a member has no name");
	sw_name_quote(n, strlen(n), q, sizeof(q));
	if (archive_entry_hardlink(ae) != NULL)
		return sw_err_set(e, "member '%s' is a hard link", q);
	if (archive_entry_filetype(ae) != AE_IFREG)
		return sw_err_set(e, "member '%s' is %s", q,
			type_name(archive_entry_filetype(ae)));
	if (archive_entry_sparse_count(ae) > 0)
		return sw_err_set(e, "member '%s' is a sparse file", q);
	if (check_name(kind, n, e) < 0)
		return sw_err_prefix(e, "refused upload");
	if (sw_strvec_contains(&u->files, n))
		return sw_err_set(e, "member '%s' is there twice", q);
	if (u->files.n >= SW_UPLOAD_MEMBERS_MAX)
		return sw_err_set(e, "more than %d members", SW_UPLOAD_MEMBERS_MAX);
	if (!archive_entry_size_is_set(ae) || archive_entry_size(ae) < 0 ||
	    (uint64_t)archive_entry_size(ae) > max_size - u->bytes)
		return sw_err_set(e, "member '%s' would take the upload past %llu "
			"bytes", q, (unsigned long long)max_size);
	*name = n;
	return 0;
}

/*
 * Copies the member's data into the staging directory. 1: invalid (the
 * data disagrees with its header or the cap), 0 ok, -1 our error.
 */
static int
stage_member(struct sw_upload *u, struct archive *a, const char *name,
	enum sw_upload_kind kind, uint64_t max_size, struct sw_err *e)
{
	char block[64 * 1024];
	uint64_t got = 0;
	la_ssize_t n;
	int fd, ret = -1;

	if (sw_strvec_push(&u->files, name) < 0)
		return sw_err_sys(e, "cannot stage '%s'", name);
	fd = openat(u->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		O_CLOEXEC, 0600);
	if (fd < 0) {
		sw_err_sys(e, "cannot stage '%s' in '%s'", name, u->dir);
		return -1;
	}
	while ((n = archive_read_data(a, block, sizeof(block))) > 0) {
		if (kind == SW_UPLOAD_LOGS && got == 0 &&
		    (n < 2 || (unsigned char)block[0] != 0x1f ||
		    (unsigned char)block[1] != 0x8b)) {
			sw_err_set(e, "member '%s' is not gzip data", name);
			ret = 1;
			goto out;
		}
		got += (uint64_t)n;
		if (got > max_size - u->bytes) {
			sw_err_set(e, "member '%s' takes the upload past %llu bytes",
				name, (unsigned long long)max_size);
			ret = 1;
			goto out;
		}
		if (sw_write_all(fd, block, (size_t)n) < 0) {
			sw_err_sys(e, "cannot write '%s/%s'", u->dir, name);
			goto out;
		}
	}
	if (n < 0) {
		sw_err_set(e, "cannot read member '%s': %s", name,
			archive_error_string(a));
		ret = 1;
		goto out;
	}
	if (kind == SW_UPLOAD_LOGS && got == 0) {
		sw_err_set(e, "member '%s' is empty", name);
		ret = 1;
		goto out;
	}
	u->bytes += got;
	ret = 0;
out:
	if (close(fd) < 0 && ret == 0)
		ret = sw_err_sys(e, "cannot write '%s/%s'", u->dir, name);
	return ret;
}

enum sw_upload_result
sw_upload_read(struct sw_upload *u, int fd, const char *parent,
	enum sw_upload_kind kind, uint64_t max_size, struct sw_err *e)
{
	struct archive *a = NULL;
	struct archive_entry *ae;
	struct stream *s = NULL;
	struct sw_buf dir = SW_BUF_INIT;
	enum sw_upload_result ret = SW_UPLOAD_ERROR;
	int r;

	sw_upload_release(u);
	s = calloc(1, sizeof(*s));
	if (s == NULL || sw_buf_addf(&dir, "%s/.upload-XXXXXX", parent) < 0) {
		sw_err_sys(e, "cannot take an upload");
		goto out;
	}
	s->fd = fd;
	s->max = max_size > UINT64_MAX - STREAM_SLACK ? UINT64_MAX :
		max_size + STREAM_SLACK;
	if (sw_mkdir_p(parent, 0755, e) < 0)
		goto out;
	if (mkdtemp(dir.data) == NULL) {
		sw_err_sys(e, "cannot make a staging directory in '%s'", parent);
		goto out;
	}
	u->dir = sw_buf_detach(&dir, NULL);
	u->dirfd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (u->dirfd < 0) {
		sw_err_sys(e, "cannot open '%s'", u->dir);
		goto out;
	}
	a = archive_read_new();
	if (a == NULL) {
		sw_err_sys(e, "cannot read the upload");
		goto out;
	}
	/* a plain tar, nothing else: no filters, no other formats */
	archive_read_support_format_tar(a);
	if (archive_read_open(a, s, NULL, stream_read, NULL) != ARCHIVE_OK) {
		sw_err_set(e, "refused upload: %s", archive_error_string(a));
		ret = SW_UPLOAD_INVALID;
		goto out;
	}
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		const char *name = NULL;
		int st;

		if (check_member(u, ae, kind, max_size, &name, e) < 0) {
			ret = SW_UPLOAD_INVALID;
			goto out;
		}
		st = stage_member(u, a, name, kind, max_size, e);
		if (st != 0) {
			if (st > 0) {
				sw_err_prefix(e, "refused upload");
				ret = SW_UPLOAD_INVALID;
			}
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		sw_err_set(e, "refused upload: %s", s->too_big ?
			"larger than max_upload_size" : archive_error_string(a));
		ret = SW_UPLOAD_INVALID;
		goto out;
	}
	if (u->files.n == 0) {
		sw_err_set(e, "refused upload: no files in it");
		ret = SW_UPLOAD_INVALID;
		goto out;
	}
	ret = SW_UPLOAD_OK;
out:
	if (a != NULL)
		archive_read_free(a);
	free(s);
	sw_buf_release(&dir);
	return ret;
}
