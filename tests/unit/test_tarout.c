/* tarout: members written are read back as written; bad names are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>

#include "source/tarout.h"

static void
test_round_trip(void **state)
{
	const char *dir = *state;
	char *path = tu_path(dir, "out.tar");
	struct sw_tarout t;
	struct sw_err e;
	struct archive *a;
	struct archive_entry *ae;
	char buf[64];
	int fd, n = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(sw_tarout_open(&t, fd, 1700000000, &e), 0);
	assert_int_equal(sw_tarout_file(&t, "PKGBUILD", false, "pkgname=x\n", 10, &e), 0);
	assert_int_equal(sw_tarout_dir(&t, "patches", &e), 0);
	assert_int_equal(sw_tarout_file(&t, "patches/fix.sh", true, "#!/bin/sh\n", 10,
		&e), 0);
	assert_int_equal(sw_tarout_symlink(&t, "patches/link", "../PKGBUILD", &e), 0);
	assert_int_equal(sw_tarout_file(&t, "empty", false, "", 0, &e), 0);
	assert_int_equal(sw_tarout_close(&t, &e), 0);
	sw_tarout_release(&t);
	close(fd);

	a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, path, 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ae);

		assert_int_equal(archive_entry_uid(ae), 0);
		assert_int_equal(archive_entry_mtime(ae), 1700000000);
		if (strcmp(name, "PKGBUILD") == 0) {
			assert_int_equal(archive_entry_perm(ae), 0644);
			assert_int_equal(archive_read_data(a, buf, sizeof(buf)), 10);
			assert_memory_equal(buf, "pkgname=x\n", 10);
		} else if (strcmp(name, "patches/fix.sh") == 0) {
			assert_int_equal(archive_entry_perm(ae), 0755);
		} else if (strcmp(name, "patches/link") == 0) {
			assert_int_equal(archive_entry_filetype(ae), AE_IFLNK);
			assert_string_equal(archive_entry_symlink(ae), "../PKGBUILD");
		} else if (strcmp(name, "patches") == 0) {
			assert_int_equal(archive_entry_filetype(ae), AE_IFDIR);
		}
		n++;
	}
	assert_int_equal(n, 5);
	archive_read_free(a);
	free(path);
}

static void
test_refusals(void **state)
{
	const char *dir = *state;
	char *path = tu_path(dir, "out.tar");
	struct sw_tarout t;
	struct sw_err e;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_int_equal(sw_tarout_open(&t, fd, 0, &e), 0);
	assert_int_equal(sw_tarout_file(&t, "../x", false, "", 0, &e), -1);
	tu_assert_contains(e.msg, "invalid tree path");
	assert_int_equal(sw_tarout_file(&t, "/etc/passwd", false, "", 0, &e), -1);
	assert_int_equal(sw_tarout_file(&t, "a//b", false, "", 0, &e), -1);
	assert_int_equal(sw_tarout_file(&t, ".", false, "", 0, &e), -1);
	assert_int_equal(sw_tarout_symlink(&t, "l", "/etc/passwd", &e), -1);
	tu_assert_contains(e.msg, "leaves the tree");
	assert_int_equal(sw_tarout_symlink(&t, "l", "../outside", &e), -1);
	assert_int_equal(sw_tarout_symlink(&t, "a/l", "../../outside", &e), -1);
	/* lexically inside, but through a link "b" -> ".." it would not be */
	assert_int_equal(sw_tarout_symlink(&t, "a/l", "b/../../x", &e), -1);
	assert_int_equal(sw_tarout_symlink(&t, "a/l", "./../x", &e), 0);
	/* released without close: no end-of-archive marker */
	sw_tarout_release(&t);
	close(fd);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, tu_setup_tmpdir,
			tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_refusals, tu_setup_tmpdir,
			tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests_name("tarout", tests, NULL, NULL);
}
