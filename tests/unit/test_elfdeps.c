/*
 * elfdeps: DT_SONAME and DT_NEEDED of real ELF files (this test program and
 * the libelf it loaded), scripts and data that are no ELF, malformed ELF,
 * and a package of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/elfdeps.h"
#include "mkpkg.h"

/* The path of the loaded shared object whose name contains part. */
struct find {
	const char *part;
	char path[4096];
};

static int
find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find *f = arg;

	(void)size;
	if (info->dlpi_name == NULL || strstr(info->dlpi_name, f->part) == NULL)
		return 0;
	snprintf(f->path, sizeof(f->path), "%s", info->dlpi_name);
	return 1;
}

/* A file's bytes, through its symbolic links (sw_file_read follows none). */
static char *
bytes(const char *path, size_t *len)
{
	char *real = realpath(path, NULL), *b;

	assert_non_null(real);
	b = read_bytes(real, len);
	free(real);
	return b;
}

static char *
loaded(const char *part, size_t *len)
{
	struct find f = { part, "" };

	dl_iterate_phdr(find_cb, &f);
	if (f.path[0] == '\0')
		fail_msg("%s is not loaded", part);
	return bytes(f.path, len);
}

/* The dynamic section of img says soname and needs want_needed. */
static void
expect_dyn(char *img, size_t len, const char *want_soname,
	const char *want_needed)
{
	struct sw_strvec needed = SW_STRVEC_INIT;
	struct sw_err e;
	char soname[256];

	assert_int_equal(sw_elfdeps_mem(img, len, soname, sizeof(soname), &needed,
		&e), 0);
	assert_string_equal(soname, want_soname);
	assert_true(sw_strvec_contains(&needed, want_needed));
	assert_true(sw_strvec_contains(&needed, "libc.so.6"));
	free(img);
	sw_strvec_release(&needed);
}

static void
test_program(void **state)
{
	size_t len;
	char *img = bytes("/proc/self/exe", &len);

	(void)state;
	expect_dyn(img, len, "", "libelf.so.1");
}

static void
test_library(void **state)
{
	size_t len;
	char *img = loaded("libelf", &len);

	(void)state;
	expect_dyn(img, len, "libelf.so.1", "libc.so.6");
}

static void
test_not_elf(void **state)
{
	struct sw_strvec needed = SW_STRVEC_INIT;
	struct sw_err e;
	char soname[256], script[] = "#!/bin/sh\necho hi\n", tiny[] = "\177EL";

	(void)state;
	assert_int_equal(sw_elfdeps_mem(script, strlen(script), soname,
		sizeof(soname), &needed, &e), 1);
	assert_int_equal(sw_elfdeps_mem(tiny, 3, soname, sizeof(soname), &needed,
		&e), 1);
	assert_int_equal(needed.n, 0);
}

static void
test_malformed(void **state)
{
	struct sw_strvec needed = SW_STRVEC_INIT;
	struct sw_err e;
	char soname[256], bad[64];
	size_t len, k, cut;
	char *img = loaded("libelf", &len);
	int r;

	(void)state;
	/* the magic, then nonsense */
	memset(bad, 0xee, sizeof(bad));
	memcpy(bad, "\177ELF", 4);
	assert_int_equal(sw_elfdeps_mem(bad, sizeof(bad), soname, sizeof(soname),
		&needed, &e), -1);
	assert_non_null(strstr(e.msg, "malformed ELF file"));
	/* cut anywhere: an error or nothing found, never a crash or a name */
	for (k = 1; k < 64; k++) {
		cut = len * k / 64;
		r = sw_elfdeps_mem(img, cut, soname, sizeof(soname), &needed, &e);
		assert_true(r == -1 || r == 1 || r == 0);
	}
	sw_strvec_release(&needed);
	free(img);
}

struct bin_entry {
	const char *name;
	const char *data;   /* NULL: a directory */
	size_t len;
};

/* A zstd package of .PKGINFO and binary entries. */
static void
mk_bin_pkg(const char *path, const struct bin_entry *ents, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	const char *info = pkginfo("p", "1-1", NULL);
	size_t i;

	archive_write_add_filter_zstd(a);
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		fail_msg("cannot write %s", path);
	for (i = 0; i <= n; i++) {
		const char *name = i ? ents[i - 1].name : ".PKGINFO";
		const char *data = i ? ents[i - 1].data : info;
		size_t len = i ? ents[i - 1].len : strlen(info);

		archive_entry_clear(ae);
		archive_entry_set_pathname(ae, name);
		archive_entry_set_filetype(ae, data ? AE_IFREG : AE_IFDIR);
		archive_entry_set_perm(ae, data ? 0644 : 0755);
		archive_entry_set_size(ae, data ? (la_int64_t)len : 0);
		if (archive_write_header(a, ae) != ARCHIVE_OK ||
		    (data && len && archive_write_data(a, data, len) !=
		    (la_ssize_t)len))
			fail_msg("cannot write %s", path);
	}
	archive_write_close(a);
	archive_write_free(a);
	archive_entry_free(ae);
}

static void
test_package(void **state)
{
	struct sw_strvec prov = SW_STRVEC_INIT, needs = SW_STRVEC_INIT;
	struct sw_err e;
	size_t llen, plen;
	char *lib = loaded("libelf", &llen);
	char *prog = bytes("/proc/self/exe", &plen);
	const struct bin_entry ents[] = {
		{ "usr/", NULL, 0 },
		{ "usr/lib/", NULL, 0 },
		{ "usr/lib/libelf.so.1", lib, llen },
		{ "usr/bin/", NULL, 0 },
		{ "usr/bin/prog", prog, plen },
		{ "usr/bin/script", "#!/bin/sh\n", 10 },
		{ "usr/share/x", "\177EL", 3 },
	};
	size_t k;

	(void)state;
	mk_bin_pkg(tpath(0, "p-1-1-x86_64.pkg.tar.zst"), ents,
		sizeof(ents) / sizeof(*ents));
	assert_int_equal(sw_elfdeps_pkg(tpath(0, "p-1-1-x86_64.pkg.tar.zst"),
		&prov, &needs, &e), 0);
	assert_int_equal(prov.n, 1);
	assert_string_equal(prov.v[0], "libelf.so.1");
	/* what the package provides itself is no need of it */
	assert_false(sw_strvec_contains(&needs, "libelf.so.1"));
	assert_true(sw_strvec_contains(&needs, "libc.so.6"));
	for (k = 1; k < needs.n; k++)
		assert_true(strcmp(needs.v[k - 1], needs.v[k]) < 0);
	sw_strvec_release(&prov);
	sw_strvec_release(&needs);
	/* a cut package is an error naming it */
	{
		size_t n;
		char *b = read_bytes(tpath(0, "p-1-1-x86_64.pkg.tar.zst"), &n);

		tu_write(tpath(1, "cut-1-1-x86_64.pkg.tar.zst"), b, n / 2);
		free(b);
	}
	assert_int_equal(sw_elfdeps_pkg(tpath(1, "cut-1-1-x86_64.pkg.tar.zst"),
		&prov, &needs, &e), -1);
	assert_non_null(strstr(e.msg, "cut-1-1-x86_64.pkg.tar.zst"));
	sw_strvec_release(&prov);
	sw_strvec_release(&needs);
	free(lib);
	free(prog);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program),
		cmocka_unit_test(test_library),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test_setup_teardown(test_package, tdir_setup,
			tdir_teardown),
	};

	return cmocka_run_group_tests_name("elfdeps", tests, NULL, NULL);
}
