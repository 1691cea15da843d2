/*
 * worktar: what get-sources sends unpacks on the slave, symlinks inside
 * the tree included; a member that would leave the tree, or be written
 * through a symlink, refuses the tar.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>

#include "core/names.h"
#include "slave/worktar.h"
#include "source/tarout.h"

/* A tar of raw members, as a hostile master could send: libarchive's own
 * writer, none of tarout's checks. Each member: type, name, link target. */
struct raw {
	mode_t type;
	const char *name, *link;
};

static void
write_raw(const char *path, const struct raw *m, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();
	size_t i;

	assert_non_null(a);
	assert_non_null(ae);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		archive_entry_clear(ae);
		archive_entry_set_pathname(ae, m[i].name);
		archive_entry_set_filetype(ae, m[i].type);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, m[i].type == AE_IFREG ? 2 : 0);
		if (m[i].link != NULL)
			archive_entry_set_symlink(ae, m[i].link);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (m[i].type == AE_IFREG)
			assert_int_equal(archive_write_data(a, "x\n", 2), 2);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_entry_free(ae);
	archive_write_free(a);
}

static void
test_symlinks_unpack(void **state)
{
	const char *dir = *state;
	char *tar = tu_path(dir, "src.tar"), *out = tu_path(dir, "out");
	char *link = tu_path(dir, "out/b/common.install");
	struct sw_tarout t;
	struct sw_err e;
	char target[64], *content;
	ssize_t n;
	int fd;

	fd = open(tar, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(sw_tarout_open(&t, fd, 1700000000, &e), 0);
	assert_int_equal(sw_tarout_dir(&t, "a", &e), 0);
	assert_int_equal(sw_tarout_file(&t, "a/common.install", false, "x\n", 2,
		&e), 0);
	assert_int_equal(sw_tarout_dir(&t, "b", &e), 0);
	assert_int_equal(sw_tarout_symlink(&t, "b/common.install",
		"../a/common.install", &e), 0);
	assert_int_equal(sw_tarout_close(&t, &e), 0);
	sw_tarout_release(&t);
	close(fd);

	assert_int_equal(mkdir(out, 0755), 0);
	if (sw_worktar_extract(tar, out, &e) < 0)
		fail_msg("%s", e.msg);
	n = readlink(link, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "../a/common.install");
	/* and it leads to the file of the tree */
	content = tu_read(link);
	assert_string_equal(content, "x\n");
	free(content);
	free(tar);
	free(out);
	free(link);
}

/* Extracts members into a fresh directory: -1 and e's message. */
static int
extract(const char *dir, const char *name, const struct raw *m, size_t n,
	struct sw_err *e)
{
	char *tar = tu_path(dir, "raw.tar"), *out = tu_path(dir, name);
	int r;

	write_raw(tar, m, n);
	assert_int_equal(mkdir(out, 0755), 0);
	r = sw_worktar_extract(tar, out, e);
	free(tar);
	free(out);
	return r;
}

static void
test_symlinks_refused(void **state)
{
	const char *dir = *state;
	const struct raw up[] = { { AE_IFLNK, "l", "../outside" } };
	const struct raw abs[] = { { AE_IFLNK, "l", "/etc/passwd" } };
	/* "x/up" -> ".." is inside; "y" -> "x/up/../z" is lexically inside
	 * but names the tree's parent's z */
	const struct raw chain[] = {
		{ AE_IFDIR, "x", NULL },
		{ AE_IFLNK, "x/up", ".." },
		{ AE_IFLNK, "y", "x/up/../z" },
	};
	/* a file written through a link of the tree */
	const struct raw via[] = {
		{ AE_IFDIR, "sub", NULL },
		{ AE_IFLNK, "l", "sub" },
		{ AE_IFREG, "l/f", NULL },
	};
	struct sw_err e;
	char *outside;

	assert_int_equal(extract(dir, "o1", up, 1, &e), -1);
	tu_assert_contains(e.msg, "a symlink that leaves the tree");
	assert_int_equal(extract(dir, "o2", abs, 1, &e), -1);
	tu_assert_contains(e.msg, "a symlink that leaves the tree");
	assert_int_equal(extract(dir, "o3", chain, 3, &e), -1);
	tu_assert_contains(e.msg, "member 'y'");
	assert_int_equal(extract(dir, "o4", via, 3, &e), -1);
	tu_assert_contains(e.msg, "l/f");
	outside = tu_path(dir, "o4/sub/f");
	assert_false(tu_exists(outside));
	free(outside);
}

static void
test_link_rule(void **state)
{
	static const struct { const char *path, *target; bool inside; } c[] = {
		{ "l", "PKGBUILD", true }, { "a/l", "../PKGBUILD", true },
		{ "a/b/l", "../../c/d", true }, { "a/l", "./../x", true },
		{ "l", ".", true }, { "l", "..", false }, { "a/l", "../../x", false },
		{ "a/l", "b/../../x", false }, { "a/l", "b/../c", false },
		{ "l", "", false }, { "l", "a//b", false }, { "l", "a/", false },
		{ "l", "/x", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (sw_name_link_inside(c[i].path, c[i].target) != c[i].inside)
			fail_msg("%s -> %s", c[i].path, c[i].target);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_symlinks_unpack,
			tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_symlinks_refused,
			tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test(test_link_rule),
	};

	return cmocka_run_group_tests_name("worktar", tests, NULL, NULL);
}
