/*
 * A package file as return-assignment and repo-db read it (pkgfile.h).
 * The first byte picks what the rest is: a whole file (any compression
 * libarchive knows), the .PKGINFO of a package otherwise well formed, or
 * its .BUILDINFO.
 */
#include <stdlib.h>

#include "repo/pkgfile.h"
#include "fuzz.h"

static const char pkginfo[] =
	"pkgname = foo\npkgbase = foo\npkgver = 1-1\narch = x86_64\n"
	"size = 1\nbuilddate = 1\n";
static const char buildinfo[] = "format = 2\npkgname = foo\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_pkgfile p;
	struct sw_err e = {{0}};
	struct fuzz_member m[3] = {
		{ ".PKGINFO", pkginfo, sizeof(pkginfo) - 1 },
		{ ".BUILDINFO", buildinfo, sizeof(buildinfo) - 1 },
		{ "usr/bin/foo", "x", 1 },
	};
	const char *path;
	void *tar = NULL;
	size_t len;

	if (size == 0)
		return 0;
	if (data[0] % 3 == 0) {
		path = fuzz_file("foo-1-1-x86_64.pkg.tar", data + 1, size - 1);
	} else {
		m[data[0] % 3 - 1].data = data + 1;
		m[data[0] % 3 - 1].size = size - 1;
		fuzz_tar(m, 3, 0, &tar, &len);
		path = fuzz_file("foo-1-1-x86_64.pkg.tar", tar, len);
	}
	sw_pkgfile_init(&p);
	if (sw_pkgfile_read(path, &p, &e) == 0) {
		if (p.pkgname == NULL || p.version == NULL || p.arch == NULL)
			abort();
		(void)sw_pkgfile_check_name(&p, path, &e);
	}
	sw_pkgfile_release(&p);
	free(tar);
	return 0;
}
