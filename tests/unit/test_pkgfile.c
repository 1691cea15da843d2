/* pkgfile: every compression, .PKGINFO/.BUILDINFO, the file list, sums, and every refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "mkpkg.h"
#include "repo/pkgfile.h"

static const struct mk_entry files[] = {
	{ ".BUILDINFO", "format = 2\npkgname = foo\nbuildenv = a\nbuildenv = b\n" },
	{ ".MTREE", "junk" },
	{ ".INSTALL", "post_install() { :; }\n" },
	{ "usr", NULL },
	{ "usr/bin", NULL },
	{ "usr/bin/foo", "#!/bin/sh\n" },
	{ "usr/share/foo/b", "b" },
	{ "usr/share/foo/a", "a" },
	{ "usr/share/foo/a", "again" },
	{ "etc/.hidden", "kept: only top-level dotfiles go" },
};

static void
sha256_of(const char *path, char out[65])
{
	unsigned char d[32];
	unsigned n = 0, i;
	size_t len;
	char *data = read_bytes(path, &len);

	EVP_Digest(data, len, d, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	free(data);
}

static void
test_compressions(void **state)
{
	static const char *const comps[] = { "zst", "gz", "xz", "bz2", "" };
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		struct sw_pkgfile p;
		struct sw_err e;
		struct stat st;
		char name[128], want[65];
		const char *path;

		snprintf(name, sizeof(name), "foo-1.0-1-x86_64.pkg.tar%s%s",
			comps[i][0] ? "." : "", comps[i]);
		path = tpath(0, name);
		mk_pkg(path, comps[i], pkginfo("foo", "1:1.0-1",
			"license = MIT\nlicense = GPL\ndepend = a\ndepend = b>=2\n"),
			-1, files, sizeof(files) / sizeof(files[0]));
		if (sw_pkgfile_read(path, &p, &e) < 0)
			fail_msg("%s: %s", comps[i], e.msg);
		assert_string_equal(p.pkgname, "foo");
		assert_string_equal(p.version, "1:1.0-1");
		assert_string_equal(p.arch, "x86_64");
		assert_string_equal(p.pkgbase, "foo");
		assert_string_equal(sw_pkgfile_get(&p, "license"), "MIT");
		assert_int_equal(p.info_keys.n, 13);
		assert_string_equal(p.info_keys.v[10], "license");
		assert_string_equal(p.info_values.v[10], "GPL");
		assert_string_equal(p.info_values.v[11], "a");
		assert_int_equal(p.build_keys.n, 4);
		assert_string_equal(p.build_values.v[3], "b");
		/* sorted, unique, dirs with '/', no top-level dotfiles */
		assert_int_equal(p.files.n, 6);
		assert_string_equal(p.files.v[0], "etc/.hidden");
		assert_string_equal(p.files.v[1], "usr/");
		assert_string_equal(p.files.v[2], "usr/bin/");
		assert_string_equal(p.files.v[3], "usr/bin/foo");
		assert_string_equal(p.files.v[4], "usr/share/foo/a");
		assert_string_equal(p.files.v[5], "usr/share/foo/b");
		assert_null(p.files.v[6]);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(p.csize, (uint64_t)st.st_size);
		sha256_of(path, want);
		assert_string_equal(p.sha256, want);
		assert_int_equal(strlen(p.md5), 32);
		assert_int_equal(sw_pkgfile_check_name(&p, name, &e), -1);
		assert_non_null(strstr(e.msg, "holds foo 1:1.0-1 x86_64"));
		sw_pkgfile_release(&p);
	}
}

static void
test_check_name(void **state)
{
	struct sw_pkgfile p;
	struct sw_err e;
	const char *path = tpath(0, "bar-2-3-any.pkg.tar.zst");

	(void)state;
	mk_pkg(path, "zst", "pkgname = bar\npkgver = 2-3\narch = any\npkgdesc = \n",
		-1, NULL, 0);
	if (sw_pkgfile_read(path, &p, &e) < 0)
		fail_msg("%s", e.msg);
	assert_null(p.pkgbase);
	assert_string_equal(sw_pkgfile_get(&p, "pkgdesc"), "");
	assert_int_equal(p.files.n, 0);
	assert_int_equal(sw_pkgfile_check_name(&p, path, &e), 0);
	assert_int_equal(sw_pkgfile_check_name(&p, "bar-2-3-any.pkg.tar.zst.sig", &e), -1);
	assert_non_null(strstr(e.msg, "is a signature"));
	assert_int_equal(sw_pkgfile_check_name(&p, "bar-2-4-any.pkg.tar.zst", &e), -1);
	assert_int_equal(sw_pkgfile_check_name(&p, "bar.tar", &e), -1);
	assert_non_null(strstr(e.msg, "invalid package file name 'bar.tar'"));
	sw_pkgfile_release(&p);
}

/* refused(info, len, pattern): a package with this .PKGINFO is refused. */
static void
refused(const char *info, long len, const char *pattern)
{
	struct sw_pkgfile p;
	struct sw_err e;
	const char *path = tpath(0, "x-1-1-x86_64.pkg.tar.gz");

	mk_pkg(path, "gz", info, len, files + 3, 3);
	if (sw_pkgfile_read(path, &p, &e) == 0)
		fail_msg("accepted: %s", pattern);
	if (strstr(e.msg, pattern) == NULL || strstr(e.msg, path) == NULL)
		fail_msg("'%s' does not say '%s'", e.msg, pattern);
	assert_int_equal(p.files.n, 0);
	sw_pkgfile_release(&p);
}

static void
test_bad_pkginfo(void **state)
{
	char *longline;

	(void)state;
	refused(NULL, 0, "no .PKGINFO in the archive");
	refused("pkgname = x\0\npkgver = 1-1\narch = x86_64\n", 40, "NUL byte");
	refused("pkgname = x\npkgver = 1-1\narch = x86_64", -1, "does not end with a newline");
	refused("pkgname = x\npkgdesc\npkgver = 1-1\narch = x86_64\n", -1,
		"line 2: key without a value: 'pkgdesc'");
	refused("pkgname = x\npkgdesc =\n", -1, "key without a value");
	refused("pkgname = x\npkg name = y\n", -1, "line 2: invalid key 'pkg name'");
	refused("pkgname = x\npkgname = y\n", -1, "line 2: 'pkgname' is given twice");
	refused("pkgname = ../x\npkgver = 1-1\narch = x86_64\n", -1,
		".PKGINFO: invalid pkgname '../x'");
	refused("pkgname = x\narch = x86_64\n", -1, ".PKGINFO: missing version");
	refused("pkgname = x\npkgver = 1-1\n", -1, ".PKGINFO: missing arch");
	refused("pkgname = x\npkgver = 1-1\narch = x86_64\nsize = 12k\n", -1,
		".PKGINFO size");
	longline = malloc(SW_PKGINFO_LINE_MAX + 64);
	memset(longline, 'a', SW_PKGINFO_LINE_MAX + 63);
	memcpy(longline, "url = ", 6);
	longline[SW_PKGINFO_LINE_MAX + 62] = '\n';
	longline[SW_PKGINFO_LINE_MAX + 63] = '\0';
	refused(longline, -1, "line 1 is longer than");
	free(longline);
}

static void
test_bad_archives(void **state)
{
	struct sw_pkgfile p;
	struct sw_err e;
	const char *path = tpath(0, "y-1-1-x86_64.pkg.tar.zst");
	size_t len;
	char *data;
	struct mk_entry nl[] = { { "usr/a\nb", "x" } };

	(void)state;
	mk_pkg(path, "zst", pkginfo("y", "1-1", NULL), -1, files, 6);
	data = read_bytes(path, &len);
	tu_write(path, data, len / 2);
	assert_int_equal(sw_pkgfile_read(path, &p, &e), -1);
	if (strstr(e.msg, "corrupt or truncated archive") == NULL)
		fail_msg("%s", e.msg);
	tu_write(path, "not an archive at all, just some text\n", 38);
	assert_int_equal(sw_pkgfile_read(path, &p, &e), -1);
	if (strstr(e.msg, "corrupt or truncated archive") == NULL)
		fail_msg("%s", e.msg);
	free(data);

	unlink(path);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(sw_pkgfile_read(path, &p, &e), -1);
	assert_non_null(strstr(e.msg, "cannot open"));
	unlink(path);
	assert_int_equal(sw_pkgfile_read(tdir, &p, &e), -1);

	mk_pkg(path, "zst", pkginfo("y", "1-1", NULL), -1, nl, 1);
	assert_int_equal(sw_pkgfile_read(path, &p, &e), -1);
	assert_non_null(strstr(e.msg, "holds a newline"));
	sw_pkgfile_release(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_compressions, tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_check_name, tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_bad_pkginfo, tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_bad_archives, tdir_setup, tdir_teardown),
	};

	return cmocka_run_group_tests_name("pkgfile", tests, NULL, NULL);
}
