#include "slave/pkgset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "core/names.h"

int
sw_pkgset_check(const char *dir, const char *pkgbase,
	const struct sw_pkginfo *p, const char *arch, struct sw_strvec *files,
	struct sw_err *e)
{
	struct sw_strvec seen = SW_STRVEC_INIT;
	struct sw_pkgfile_name pf;
	struct sw_err ignore;
	struct dirent *de;
	struct stat st;
	DIR *d;
	size_t i;
	int ret = -1;

	if ((d = opendir(dir)) == NULL)
		return sw_err_sys(e, "cannot read '%s'", dir);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			sw_err_sys(e, "cannot read '%s/%s'", dir, de->d_name);
			goto out;
		}
		if (!S_ISREG(st.st_mode) ||
		    sw_name_parse_pkgfile(de->d_name, &pf, &ignore) < 0 || pf.sig) {
			sw_err_set(e, "the build made '%s', which is not a package "
				"file", de->d_name);
			ret = 1;
			goto out;
		}
		if ((!sw_strvec_contains(&p->pkgnames, pf.pkgname) &&
		    !sw_name_is_debug(pf.pkgname, pkgbase)) ||
		    strcmp(pf.version, p->version) != 0 ||
		    (strcmp(pf.arch, arch) != 0 && strcmp(pf.arch, "any") != 0)) {
			sw_err_set(e, "the build made '%s', which is not a package "
				"this PKGBUILD builds for %s (version %s)", de->d_name,
				arch, p->version);
			ret = 1;
			goto out;
		}
		if (sw_strvec_contains(&seen, pf.pkgname)) {
			sw_err_set(e, "the build made package '%s' twice ('%s')",
				pf.pkgname, de->d_name);
			ret = 1;
			goto out;
		}
		if (sw_strvec_push(&seen, pf.pkgname) < 0 ||
		    sw_strvec_push(files, de->d_name) < 0) {
			sw_err_sys(e, "cannot read '%s'", dir);
			goto out;
		}
	}
	if (errno != 0) {
		sw_err_sys(e, "cannot read '%s'", dir);
		goto out;
	}
	for (i = 0; i < p->pkgnames.n; i++)
		if (!sw_strvec_contains(&seen, p->pkgnames.v[i])) {
			sw_err_set(e, "the build did not make package '%s'",
				p->pkgnames.v[i]);
			ret = 1;
			goto out;
		}
	ret = 0;
out:
	closedir(d);
	sw_strvec_release(&seen);
	return ret;
}
