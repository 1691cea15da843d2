#include "source/gitsrc_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"

/*
 * libgit2 fetches from a local path by building a pack of everything the
 * mirror lacks: on a first fetch of a big history that is minutes of CPU
 * (406,000 commits: over 6 minutes) where `git clone --local` takes a
 * second. So a first fetch from a local repository does what git clone
 * does: it links (or, across filesystems, copies) the pack files and loose
 * objects into the mirror and points the head at the branch it read from
 * the source; the ordinary fetch that follows then has nothing to send.
 * Objects are immutable and named by their hash, so linking shares nothing that can change; each file lands under its final name by
 * rename after fsync, and the head moves last, so a kill -9 leaves at most
 * extra objects that the next run links again (EEXIST) or uses.
 */

#define HEX "0123456789abcdef"

/* An object file git writes: a pack or its index, or a loose object. */
static bool
object_file(bool pack, const char *name)
{
	size_t h;

	if (!pack) {
		h = strspn(name, HEX);
		return (h == 38 || h == 62) && name[h] == '\0';
	}
	if (strncmp(name, "pack-", 5) != 0)
		return false;
	h = strspn(name + 5, HEX);
	return (h == 40 || h == 64) && (strcmp(name + 5 + h, ".pack") == 0 ||
		strcmp(name + 5 + h, ".idx") == 0);
}

/*
 * Links src to dst, or copies it through a temp file; 0 also if dst
 * exists. Only a regular file: link(2) would link a symlink itself.
 */
static int
link_or_copy(const char *src, const char *dst, struct sw_err *e)
{
	struct sw_buf tmp = SW_BUF_INIT;
	char buf[65536];
	struct stat st;
	ssize_t n;
	int in = -1, out = -1, ret = -1;

	if (lstat(src, &st) < 0 || !S_ISREG(st.st_mode))
		return sw_err_set(e, "cannot copy '%s': not a regular file", src);
	if (link(src, dst) == 0 || errno == EEXIST)
		return 0;
	if (sw_buf_addf(&tmp, "%s.tmp.%ld", dst, (long)getpid()) < 0) {
		sw_err_sys(e, "cannot copy '%s'", src);
		goto out;
	}
	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	out = in < 0 ? -1 : open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC |
		O_NOFOLLOW | O_CLOEXEC, 0444);
	if (in < 0 || out < 0) {
		sw_err_sys(e, "cannot copy '%s' to '%s'", src, tmp.data);
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (sw_write_all(out, buf, (size_t)n) < 0)
			break;
	if (n != 0 || fsync(out) < 0 || close(out) < 0) {
		out = -1;
		sw_err_sys(e, "cannot copy '%s' to '%s'", src, tmp.data);
		goto out;
	}
	out = -1;
	if (rename(tmp.data, dst) < 0) {
		sw_err_sys(e, "cannot rename '%s'", tmp.data);
		goto out;
	}
	ret = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (ret < 0 && tmp.len > 0)
		unlink(tmp.data);
	sw_buf_release(&tmp);
	return ret;
}

/*
 * Every object file of <from>/<sub> into <to>/<sub> (sub "pack" or a
 * two-hex-digit loose directory), packs before their indexes (an index
 * makes a pack visible), then fsyncs <to>/<sub>.
 */
static int
seed_dir(const char *from, const char *to, const char *sub, struct sw_err *e)
{
	struct sw_buf s = SW_BUF_INIT, d = SW_BUF_INIT;
	bool pack = strcmp(sub, "pack") == 0;
	struct dirent *de;
	DIR *dir = NULL;
	int pass, ret = -1;

	if (sw_buf_addf(&s, "%s/%s", from, sub) < 0 ||
	    sw_buf_addf(&d, "%s/%s", to, sub) < 0) {
		sw_err_sys(e, "cannot copy objects from '%s'", from);
		goto out;
	}
	if (sw_mkdir_p(d.data, 0755, e) < 0)
		goto out;
	for (pass = 0; pass < (pack ? 2 : 1); pass++) {
		if ((dir = opendir(s.data)) == NULL) {
			sw_err_sys(e, "cannot read '%s'", s.data);
			goto out;
		}
		while ((de = readdir(dir)) != NULL) {
			size_t n = strlen(de->d_name);
			size_t sl = s.len, dl = d.len;

			if (!object_file(pack, de->d_name) ||
			    (pack && (strcmp(de->d_name + n - 4, ".idx") == 0) !=
			    (pass == 1)))
				continue;
			if (sw_buf_addf(&s, "/%s", de->d_name) < 0 ||
			    sw_buf_addf(&d, "/%s", de->d_name) < 0) {
				sw_err_sys(e, "cannot copy objects from '%s'", from);
				goto out;
			}
			if (link_or_copy(s.data, d.data, e) < 0)
				goto out;
			sw_buf_truncate(&s, sl);
			sw_buf_truncate(&d, dl);
		}
		closedir(dir);
		dir = NULL;
	}
	if (sw_buf_addstr(&d, "/x") < 0) {
		sw_err_sys(e, "cannot copy objects from '%s'", from);
		goto out;
	}
	ret = sw_fsync_parent(d.data, e);
out:
	if (dir != NULL)
		closedir(dir);
	sw_buf_release(&s);
	sw_buf_release(&d);
	return ret;
}

int
sw_gitsrc_seed_local(struct sw_gitsrc *g, const char *path, const char *branch,
	struct sw_err *e)
{
	git_repository *src = NULL;
	git_reference *ref = NULL;
	git_object *obj = NULL;
	git_odb *odb = NULL;
	struct sw_buf from = SW_BUF_INIT, to = SW_BUF_INIT, ref_name = SW_BUF_INIT;
	struct dirent *de;
	struct stat st;
	DIR *dir = NULL;
	git_oid oid;
	int ret = -1;

	if (git_repository_open_ext(&src, path, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL) < 0 || (branch != NULL ?
	    sw_buf_addf(&ref_name, "refs/heads/%s", branch) :
	    sw_buf_addstr(&ref_name, "HEAD")) < 0 ||
	    git_reference_name_to_id(&oid, src, ref_name.data) < 0 ||
	    sw_buf_addf(&from, "%sobjects", git_repository_commondir(src)) < 0 ||
	    sw_buf_addf(&to, "%sobjects", git_repository_commondir(g->repo)) < 0) {
		ret = 1;
		goto out;
	}
	/* objects behind alternates are not all in objects/: fetch instead */
	if (sw_buf_addstr(&from, "/info/alternates") < 0) {
		sw_err_sys(e, "cannot read '%s'", path);
		goto out;
	}
	if (lstat(from.data, &st) == 0) {
		ret = 1;
		goto out;
	}
	sw_buf_truncate(&from, from.len - strlen("/info/alternates"));
	if ((dir = opendir(from.data)) == NULL) {
		ret = 1;
		goto out;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, "pack") != 0 && (strlen(de->d_name) != 2 ||
		    strspn(de->d_name, HEX) != 2))
			continue;
		if (seed_dir(from.data, to.data, de->d_name, e) < 0)
			goto out;
	}
	if (git_repository_odb(&odb, g->repo) < 0 || git_odb_refresh(odb) < 0 ||
	    git_object_lookup(&obj, g->repo, &oid, GIT_OBJECT_COMMIT) < 0) {
		sw_gitsrc_fail(e, "cannot read the head of '%s' after copying its objects",
			path);
		goto out;
	}
	if (git_reference_create(&ref, g->repo, HEAD_REF, &oid, 1,
	    "slipway: first fetch, objects linked") < 0) {
		sw_gitsrc_fail(e, "cannot set the head of '%s'", g->path);
		goto out;
	}
	ret = 0;
out:
	if (dir != NULL)
		closedir(dir);
	git_reference_free(ref);
	git_object_free(obj);
	git_odb_free(odb);
	git_repository_free(src);
	sw_buf_release(&from);
	sw_buf_release(&to);
	sw_buf_release(&ref_name);
	return ret;
}

