#include "slave/worktar.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/names.h"
#include "core/strvec.h"
#include "repo/upload.h"

/* Is a tar member's name one we extract? (a relative path without "..") */
static int
check_member(struct archive_entry *ae, char *name, size_t size, struct sw_err *e)
{
	const char *p = archive_entry_pathname(ae);
	mode_t type = archive_entry_filetype(ae);
	size_t len;
	char q[96];

	if (p == NULL)
		return sw_err_set(e, "a member without a name");
	len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		len--;
	if (len >= size) {
		sw_name_quote(p, strlen(p), q, sizeof(q));
		return sw_err_set(e, "member '%s': name too long", q);
	}
	memcpy(name, p, len);
	name[len] = '\0';
	if (sw_name_check(SW_NAME_TREEPATH, name, e) < 0)
		return sw_err_prefix(e, "member");
	if (type == AE_IFLNK) {
		const char *t = archive_entry_symlink(ae);

		if (t == NULL || !sw_name_link_inside(name, t)) {
			sw_name_quote(name, len, q, sizeof(q));
			return sw_err_set(e, "member '%s': a symlink that leaves the "
				"tree", q);
		}
		return 0;
	}
	if (type != AE_IFREG && type != AE_IFDIR) {
		sw_name_quote(name, len, q, sizeof(q));
		return sw_err_set(e, "member '%s' is not a regular file, a "
			"directory or a symlink", q);
	}
	return 0;
}

int
sw_worktar_extract(const char *path, const char *dir, struct sw_err *e)
{
	struct archive *a = archive_read_new(), *w = archive_write_disk_new();
	struct archive_entry *ae;
	struct sw_buf full = SW_BUF_INIT;
	char name[4096];
	int r, ret = -1;

	if (a == NULL || w == NULL) {
		sw_err_sys(e, "cannot read the sources");
		goto out;
	}
	archive_read_support_format_tar(a);
	/* names are checked above; the full path given to it is absolute;
	 * nothing is written through a symlink of the tree */
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_PERM |
		ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
		ARCHIVE_EXTRACT_NO_OVERWRITE);
	if (archive_read_open_filename(a, path, 64 * 1024) != ARCHIVE_OK) {
		sw_err_set(e, "cannot read '%s': %s", path, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		bool is_dir = archive_entry_filetype(ae) == AE_IFDIR;

		if (check_member(ae, name, sizeof(name), e) < 0) {
			sw_err_prefix(e, "refusing the sources");
			goto out;
		}
		sw_buf_reset(&full);
		if (sw_buf_addf(&full, "%s/%s", dir, name) < 0) {
			sw_err_sys(e, "cannot extract '%s'", name);
			goto out;
		}
		archive_entry_set_pathname(ae, full.data);
		archive_entry_set_perm(ae, is_dir ||
			(archive_entry_perm(ae) & 0111) ? 0755 : 0644);
		archive_entry_set_uid(ae, getuid());
		archive_entry_set_gid(ae, getgid());
		if (archive_write_header(w, ae) != ARCHIVE_OK) {
			/* a directory that a file's path made already is fine */
			struct stat st;

			if (!(is_dir && stat(full.data, &st) == 0 && S_ISDIR(st.st_mode))) {
				sw_err_set(e, "cannot extract '%s': %s", name,
					archive_error_string(w));
				goto out;
			}
			continue;
		}
		if (!is_dir) {
			const void *buf;
			size_t len;
			la_int64_t off;

			while ((r = archive_read_data_block(a, &buf, &len, &off)) ==
			    ARCHIVE_OK) {
				if (archive_write_data_block(w, buf, len, off) != ARCHIVE_OK) {
					sw_err_set(e, "cannot extract '%s': %s", name,
						archive_error_string(w));
					goto out;
				}
			}
			if (r != ARCHIVE_EOF) {
				sw_err_set(e, "cannot read '%s' from the sources: %s", name,
					archive_error_string(a));
				goto out;
			}
		}
		if (archive_write_finish_entry(w) != ARCHIVE_OK) {
			sw_err_set(e, "cannot extract '%s': %s", name,
				archive_error_string(w));
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		sw_err_set(e, "cannot read the sources: %s", archive_error_string(a));
		goto out;
	}
	if (archive_write_close(w) != ARCHIVE_OK) {
		sw_err_set(e, "cannot extract the sources: %s", archive_error_string(w));
		goto out;
	}
	ret = 0;
out:
	archive_read_free(a);
	archive_write_free(w);
	sw_buf_release(&full);
	return ret;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
sw_worktar_list(const char *dir, const char *skip, struct sw_strvec *names,
	struct sw_err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = -1;

	if (d == NULL)
		return sw_err_sys(e, "cannot read '%s'", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (skip != NULL && strcmp(de->d_name, skip) == 0))
			continue;
		if (sw_strvec_push(names, de->d_name) < 0) {
			sw_err_sys(e, "cannot read '%s'", dir);
			goto out;
		}
	}
	qsort(names->v, names->n, sizeof(char *), cmp_names);
	ret = 0;
out:
	closedir(d);
	return ret;
}

/*
 * The name a result file goes back under: packages and signatures as they
 * are, a log "<id>.<straw>.log.gz" as "<straw>.log.gz" (return-assignment
 * stores it under a name of its own).
 */
static const char *
member_name(const char *f, bool error)
{
	size_t sl = strlen(SW_UPLOAD_LOG_SUFFIX), n = strlen(f);
	const char *p;

	if (!error || n <= sl)
		return f;
	for (p = f + n - sl; p > f && p[-1] != '.'; p--)
		;
	return p;
}

int
sw_worktar_results(const char *dir, const char *skip, bool error,
	const char *tar, size_t *nfiles, struct sw_err *e)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	struct sw_strvec names = SW_STRVEC_INIT;
	struct sw_buf path = SW_BUF_INIT;
	char *piece = malloc(64 * 1024);
	int out = -1, in = -1, ret = -1;
	size_t i;

	*nfiles = 0;
	if (a == NULL || ae == NULL || piece == NULL) {
		sw_err_sys(e, "cannot make the upload");
		goto out;
	}
	if (sw_worktar_list(dir, skip, &names, e) < 0)
		goto out;
	out = open(tar, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		sw_err_sys(e, "cannot create '%s'", tar);
		goto out;
	}
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, out) != ARCHIVE_OK) {
		sw_err_set(e, "cannot write '%s': %s", tar,
			archive_error_string(a));
		goto out;
	}
	for (i = 0; i < names.n; i++) {
		struct stat st;
		ssize_t n;

		if (error != has_suffix(names.v[i], SW_UPLOAD_LOG_SUFFIX))
			continue;
		sw_buf_reset(&path);
		if (sw_buf_addf(&path, "%s/%s", dir, names.v[i]) < 0) {
			sw_err_sys(e, "cannot upload '%s'", names.v[i]);
			goto out;
		}
		in = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode)) {
			sw_err_sys(e, "cannot upload '%s'", path.data);
			goto out;
		}
		archive_entry_clear(ae);
		archive_entry_set_pathname(ae, member_name(names.v[i], error));
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, st.st_size);
		archive_entry_set_mtime(ae, st.st_mtime, 0);
		if (archive_write_header(a, ae) != ARCHIVE_OK) {
			sw_err_set(e, "cannot write '%s': %s", tar,
				archive_error_string(a));
			goto out;
		}
		while ((n = read(in, piece, 64 * 1024)) > 0) {
			if (archive_write_data(a, piece, (size_t)n) != n) {
				sw_err_set(e, "cannot write '%s': %s", tar,
					archive_error_string(a));
				goto out;
			}
		}
		if (n < 0) {
			sw_err_sys(e, "cannot read '%s'", path.data);
			goto out;
		}
		close(in);
		in = -1;
		(*nfiles)++;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		sw_err_set(e, "cannot write '%s': %s", tar,
			archive_error_string(a));
		goto out;
	}
	if (close(out) < 0) {
		out = -1;
		sw_err_sys(e, "cannot write '%s'", tar);
		goto out;
	}
	out = -1;
	ret = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	archive_write_free(a);
	archive_entry_free(ae);
	sw_strvec_release(&names);
	sw_buf_release(&path);
	free(piece);
	return ret;
}
