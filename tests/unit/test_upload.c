/*
 * upload: what a slave's tar may hold; everything else is refused, and
 * nothing is ever written outside the staging directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>

#include "repo/upload.h"

#define PKG "foo-1.0-1-x86_64.pkg.tar.zst"

struct member {
	const char *name;
	mode_t type;          /* AE_IFREG ... */
	const char *data;     /* NULL: "data" */
	const char *link;     /* symlink target or hard link source */
	int64_t size;         /* -1: strlen(data) */
};

/* Writes a tar of the members to <dir>/in.tar; returns an fd open on it. */
static int
make_tar(const char *dir, const struct member *m, size_t n, bool gzip)
{
	struct archive *a = archive_write_new();
	char *path = tu_path(dir, "in.tar");
	size_t i;
	int fd;

	assert_non_null(a);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (gzip)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		const char *data = m[i].data ? m[i].data : "data";
		int64_t size = m[i].size >= 0 ? m[i].size : (int64_t)strlen(data);

		archive_entry_set_pathname(ae, m[i].name);
		archive_entry_set_filetype(ae, m[i].type ? m[i].type : AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		if (m[i].type == AE_IFLNK)
			archive_entry_set_symlink(ae, m[i].link);
		if (m[i].type == AE_IFCHR)
			archive_entry_set_rdev(ae, 0x0103);
		if (m[i].type == 0 && m[i].link != NULL)
			archive_entry_set_hardlink(ae, m[i].link);
		archive_entry_set_size(ae, (m[i].type == 0 || m[i].type == AE_IFREG) &&
			m[i].link == NULL ? size : 0);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if ((m[i].type == 0 || m[i].type == AE_IFREG) && m[i].link == NULL)
			archive_write_data(a, data, strlen(data));
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	free(path);
	return fd;
}

static enum sw_upload_result
try(const char *dir, const struct member *m, size_t n, enum sw_upload_kind kind,
	uint64_t max, struct sw_upload *u, struct sw_err *e)
{
	char *parent = tu_path(dir, "parent");
	int fd = make_tar(dir, m, n, false);
	enum sw_upload_result r;

	r = sw_upload_read(u, fd, parent, kind, max, e);
	close(fd);
	free(parent);
	return r;
}

/*
 * A refusal, with a message, nothing left in parent, and no <dir>/x: the
 * file test_paths' absolute member names (a path of this test's own, so
 * that a /tmp/x of someone else's cannot fail it).
 */
static void
refused(const char *dir, const struct member *m, size_t n,
	enum sw_upload_kind kind, uint64_t max, const char *why)
{
	struct sw_upload u;
	struct sw_err e;
	char *parent = tu_path(dir, "parent");
	char *outside = tu_path(dir, "x");

	sw_upload_init(&u);
	if (try(dir, m, n, kind, max, &u, &e) != SW_UPLOAD_INVALID)
		fail_msg("'%s' was not refused", m[0].name);
	tu_assert_contains(e.msg, why);
	sw_upload_release(&u);
	assert_int_equal(tu_count_entries(parent), 0);
	assert_false(tu_exists(outside));
	free(outside);
	free(parent);
}

static void
test_good(void **state)
{
	const char *dir = *state;
	struct member m[] = {
		{ PKG, 0, "package bytes", NULL, -1 },
		{ PKG ".sig", 0, "signature", NULL, -1 },
	};
	struct sw_upload u;
	struct sw_buf p = SW_BUF_INIT;
	struct sw_err e;
	struct stat st;
	char *s, *staged;

	sw_upload_init(&u);
	assert_int_equal(try(dir, m, 2, SW_UPLOAD_PACKAGES, 1024, &u, &e),
		SW_UPLOAD_OK);
	assert_int_equal(u.files.n, 2);
	assert_string_equal(u.files.v[0], PKG);
	assert_int_equal(u.bytes, strlen("package bytes") + strlen("signature"));
	assert_int_equal(stat(u.dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(sw_upload_path(&u, PKG, &p, &e), 0);
	s = tu_read(p.data);
	assert_string_equal(s, "package bytes");
	free(s);
	assert_int_equal(sw_upload_path(&u, "../x", &p, &e), -1);
	assert_int_equal(sw_upload_path(&u, "other", &p, &e), -1);
	staged = strdup(u.dir);
	sw_upload_release(&u);
	assert_false(tu_exists(staged));
	free(staged);
	sw_buf_release(&p);
}

static void
test_paths(void **state)
{
	const char *dir = *state;
	struct member dots[] = { { "../x", 0, NULL, NULL, -1 } };
	char *outside = tu_path(dir, "x");
	struct member abs[] = { { outside, 0, NULL, NULL, -1 } };
	struct member sub[] = { { "sub/" PKG, 0, NULL, NULL, -1 } };
	struct member dot[] = { { "./" PKG, 0, NULL, NULL, -1 } };
	struct member longp[] = { { "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x"
		"/y/z/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/" PKG, 0, NULL, NULL,
		-1 } };

	refused(dir, dots, 1, SW_UPLOAD_PACKAGES, 1024, "has a path");
	refused(dir, abs, 1, SW_UPLOAD_PACKAGES, 1024, "has a path");
	refused(dir, sub, 1, SW_UPLOAD_PACKAGES, 1024, "has a path");
	refused(dir, dot, 1, SW_UPLOAD_PACKAGES, 1024, "has a path");
	refused(dir, longp, 1, SW_UPLOAD_PACKAGES, 1024, "has a path");
	free(outside);
}

static void
test_types(void **state)
{
	const char *dir = *state;
	struct member sl[] = { { PKG, AE_IFLNK, NULL, "/etc/passwd", -1 } };
	struct member hl[] = { { PKG, 0, NULL, NULL, -1 },
		{ "bar-1-1-x86_64.pkg.tar.zst", 0, NULL, PKG, -1 } };
	struct member d[] = { { PKG, AE_IFDIR, NULL, NULL, -1 } };
	struct member c[] = { { PKG, AE_IFCHR, NULL, NULL, -1 } };
	struct member f[] = { { PKG, AE_IFIFO, NULL, NULL, -1 } };

	refused(dir, sl, 1, SW_UPLOAD_PACKAGES, 1024, "symbolic link");
	refused(dir, hl, 2, SW_UPLOAD_PACKAGES, 1024, "hard link");
	refused(dir, d, 1, SW_UPLOAD_PACKAGES, 1024, "directory");
	refused(dir, c, 1, SW_UPLOAD_PACKAGES, 1024, "character device");
	refused(dir, f, 1, SW_UPLOAD_PACKAGES, 1024, "FIFO");
}

static void
test_names(void **state)
{
	const char *dir = *state;
	struct member bad[] = { { "README", 0, NULL, NULL, -1 } };
	struct member nl[] = { { "foo\n-1.0-1-x86_64.pkg.tar.zst", 0, NULL, NULL, -1 } };
	struct member twice[] = { { PKG, 0, NULL, NULL, -1 }, { PKG, 0, NULL, NULL, -1 } };
	struct member log[] = { { PKG, 0, NULL, NULL, -1 } };

	refused(dir, bad, 1, SW_UPLOAD_PACKAGES, 1024, "invalid package file name 'README'");
	refused(dir, nl, 1, SW_UPLOAD_PACKAGES, 1024, "\\x0a");
	refused(dir, twice, 2, SW_UPLOAD_PACKAGES, 1024, "there twice");
	refused(dir, log, 1, SW_UPLOAD_LOGS, 1024, "is not a '<straw>.log.gz' log");
}

static void
test_sizes(void **state)
{
	const char *dir = *state;
	char big[2048];
	struct member one[] = { { PKG, 0, big, NULL, -1 } };
	struct member two[] = { { PKG, 0, big + 1448, NULL, -1 },
		{ PKG ".sig", 0, big + 1448, NULL, -1 } };
	struct sw_upload u;
	struct sw_err e;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused(dir, one, 1, SW_UPLOAD_PACKAGES, 1024, "past 1024 bytes");
	/* 599 + 599 > 1024: the second member goes over */
	refused(dir, two, 2, SW_UPLOAD_PACKAGES, 1024, "past 1024 bytes");
	sw_upload_init(&u);
	assert_int_equal(try(dir, two, 2, SW_UPLOAD_PACKAGES, 2000, &u, &e),
		SW_UPLOAD_OK);
	sw_upload_release(&u);
}

static void
test_not_a_plain_tar(void **state)
{
	const char *dir = *state;
	struct member m[] = { { PKG, 0, NULL, NULL, -1 } };
	struct sw_upload u;
	struct sw_err e;
	char *parent = tu_path(dir, "parent");
	char *junk = tu_path(dir, "junk");
	int fd;

	sw_upload_init(&u);
	fd = make_tar(dir, m, 1, true);
	assert_int_equal(sw_upload_read(&u, fd, parent, SW_UPLOAD_PACKAGES, 4096, &e),
		SW_UPLOAD_INVALID);
	close(fd);
	tu_write_str(junk, "this is not a tar at all, not even close to one");
	fd = open(junk, O_RDONLY | O_CLOEXEC);
	assert_int_equal(sw_upload_read(&u, fd, parent, SW_UPLOAD_PACKAGES, 4096, &e),
		SW_UPLOAD_INVALID);
	close(fd);
	tu_write_str(junk, "");
	fd = open(junk, O_RDONLY | O_CLOEXEC);
	assert_int_equal(sw_upload_read(&u, fd, parent, SW_UPLOAD_PACKAGES, 4096, &e),
		SW_UPLOAD_INVALID);
	close(fd);
	sw_upload_release(&u);
	assert_int_equal(tu_count_entries(parent), 0);
	free(parent);
	free(junk);
}

static void
test_truncated(void **state)
{
	const char *dir = *state;
	char data[3000];
	struct member m[] = { { PKG, 0, data, NULL, -1 } };
	struct sw_upload u;
	struct sw_err e;
	char *parent = tu_path(dir, "parent");
	char *path = tu_path(dir, "in.tar");
	int fd;

	memset(data, 'y', sizeof(data) - 1);
	data[sizeof(data) - 1] = '\0';
	close(make_tar(dir, m, 1, false));
	assert_int_equal(truncate(path, 2048), 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	sw_upload_init(&u);
	assert_int_equal(sw_upload_read(&u, fd, parent, SW_UPLOAD_PACKAGES, 1 << 20,
		&e), SW_UPLOAD_INVALID);
	close(fd);
	sw_upload_release(&u);
	assert_int_equal(tu_count_entries(parent), 0);
	free(parent);
	free(path);
}

static void
test_many(void **state)
{
	const char *dir = *state;
	struct member m[SW_UPLOAD_MEMBERS_MAX + 1];
	char names[SW_UPLOAD_MEMBERS_MAX + 1][64];
	size_t i;

	for (i = 0; i <= SW_UPLOAD_MEMBERS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "p%zu-1-1-any.pkg.tar.zst", i);
		m[i] = (struct member){ names[i], 0, "x", NULL, -1 };
	}
	refused(dir, m, SW_UPLOAD_MEMBERS_MAX + 1, SW_UPLOAD_PACKAGES, 1 << 20,
		"more than 256 members");
}

static void
test_logs(void **state)
{
	const char *dir = *state;
	struct member good[] = { { "plain.log.gz", 0, "\x1f\x8b\x08rest", NULL, -1 },
		{ "clean_2.log.gz", 0, "\x1f\x8bmore", NULL, -1 } };
	struct member notgz[] = { { "plain.log.gz", 0, "plain text", NULL, -1 } };
	struct member empty[] = { { "plain.log.gz", 0, "", NULL, -1 } };
	struct member name[] = { { "Plain.log.gz", 0, "\x1f\x8b", NULL, -1 } };
	struct member bare[] = { { ".log.gz", 0, "\x1f\x8b", NULL, -1 } };
	struct sw_upload u;
	struct sw_err e;

	sw_upload_init(&u);
	assert_int_equal(try(dir, good, 2, SW_UPLOAD_LOGS, 1024, &u, &e),
		SW_UPLOAD_OK);
	assert_int_equal(u.files.n, 2);
	sw_upload_release(&u);
	refused(dir, notgz, 1, SW_UPLOAD_LOGS, 1024, "not gzip");
	refused(dir, empty, 1, SW_UPLOAD_LOGS, 1024, "empty");
	refused(dir, name, 1, SW_UPLOAD_LOGS, 1024, "invalid phase");
	refused(dir, bare, 1, SW_UPLOAD_LOGS, 1024, "is not a");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good, tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_paths, tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_types, tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_names, tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_sizes, tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_not_a_plain_tar, tu_setup_tmpdir,
			tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_truncated, tu_setup_tmpdir,
			tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_many, tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_logs, tu_setup_tmpdir, tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests_name("upload", tests, NULL, NULL);
}
