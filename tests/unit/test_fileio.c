/* fileio: reading untrusted files, atomic replace, mkdir -p. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "core/fileio.h"

static void
test_read(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "f");
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	tu_write(p, "hello\0world\n", 12);
	assert_int_equal(sw_buf_addstr(&b, ">"), 0);
	assert_int_equal(sw_file_read(p, 1024, &b, &e), 0);
	assert_int_equal(b.len, 13); /* appended, NULs kept */
	assert_memory_equal(b.data, ">hello\0world\n", 14);
	assert_int_equal(b.cap, 0); /* the caller's cap is back */
	sw_buf_release(&b);

	/* empty file */
	tu_write(p, "", 0);
	assert_int_equal(sw_file_read(p, 1024, &b, &e), 0);
	assert_int_equal(b.len, 0);
	sw_buf_release(&b);
	free(p);
}

static void
test_read_absent(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "missing"), *q = tu_path(dir, "no/such/file");
	struct sw_buf b = SW_BUF_INIT;

	assert_int_equal(sw_buf_addstr(&b, "keep"), 0);
	assert_int_equal(sw_file_read(p, 1024, &b, NULL), 1);
	assert_int_equal(sw_file_read(q, 1024, &b, NULL), 1);
	assert_string_equal(b.data, "keep");
	sw_buf_release(&b);
	free(p);
	free(q);
}

static void
test_read_cap(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "f");
	struct sw_buf b;
	struct sw_err e;

	sw_buf_init(&b, 7);
	tu_write(p, "0123456789", 10);
	/* exactly the cap */
	assert_int_equal(sw_file_read(p, 10, &b, &e), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(b.cap, 7); /* the caller's cap is restored */
	sw_buf_reset(&b);
	/* one byte over */
	assert_int_equal(sw_file_read(p, 9, &b, &e), -1);
	tu_assert_contains(e.msg, "cannot read '");
	tu_assert_contains(e.msg, "larger than 9 bytes");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 7);
	sw_buf_release(&b);
	free(p);
}

static void
test_read_refuses_symlink(void **state)
{
	const char *dir = *state;
	char *target = tu_path(dir, "target"), *link = tu_path(dir, "link");
	char *dlink = tu_path(dir, "dlink");
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	tu_write_str(target, "secret\n");
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(sw_file_read(link, 1024, &b, &e), -1);
	tu_assert_contains(e.msg, "cannot open '");
	tu_assert_contains(e.msg, "/link'");
	assert_int_equal(b.len, 0);

	/* a dangling symlink is not "absent" either */
	assert_int_equal(symlink("/nonexistent/slipway", dlink), 0);
	assert_int_equal(sw_file_read(dlink, 1024, &b, &e), -1);
	assert_int_equal(b.len, 0);
	sw_buf_release(&b);
	free(target);
	free(link);
	free(dlink);
}

static void
test_read_refuses_fifo_dir_device(void **state)
{
	const char *dir = *state;
	char *fifo = tu_path(dir, "fifo");
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	/* a FIFO with no writer must neither block nor be read */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(sw_file_read(fifo, 1024, &b, &e), -1);
	tu_assert_contains(e.msg, "not a regular file");
	assert_int_equal(sw_file_read(dir, 1024, &b, &e), -1);
	tu_assert_contains(e.msg, "not a regular file");
	assert_int_equal(sw_file_read("/dev/zero", 1024, &b, &e), -1);
	assert_string_equal(e.msg, "cannot read '/dev/zero': not a regular file");
	assert_int_equal(b.len, 0);
	sw_buf_release(&b);
	free(fifo);
}

static void
test_atomic_commit(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "state"), *s;
	struct sw_atomic a = SW_ATOMIC_INIT;
	struct sw_err e;
	struct stat st;
	ino_t old;

	tu_write_str(p, "old\n");
	assert_int_equal(lstat(p, &st), 0);
	old = st.st_ino;

	assert_int_equal(sw_atomic_begin(&a, p, 0640, &e), 0);
	assert_true(a.fd >= 0);
	assert_non_null(a.tmp);
	/* the temp file sits next to the target */
	assert_int_equal(strncmp(a.tmp, p, strlen(p)), 0);
	assert_int_equal(strncmp(a.tmp + strlen(p), ".tmp.", 5), 0);
	assert_true(tu_exists(a.tmp));
	assert_int_equal(sw_atomic_write(&a, "new ", 4, &e), 0);
	assert_int_equal(sw_atomic_write(&a, "content\n", 8, &e), 0);
	/* nothing visible before commit */
	s = tu_read(p);
	assert_string_equal(s, "old\n");
	free(s);
	assert_int_equal(sw_atomic_commit(&a, &e), 0);
	assert_int_equal(a.fd, -1);
	assert_null(a.tmp);
	assert_null(a.path);

	s = tu_read(p);
	assert_string_equal(s, "new content\n");
	free(s);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_not_equal(st.st_ino, old); /* replaced, not rewritten */
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(tu_count_entries(dir), 1);

	/* rollback after commit does nothing */
	sw_atomic_rollback(&a);
	sw_atomic_rollback(&a);
	assert_int_equal(tu_count_entries(dir), 1);
	free(p);
}

static void
test_atomic_rollback(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "state"), *q = tu_path(dir, "fresh"), *s;
	struct sw_atomic a = SW_ATOMIC_INIT;
	struct sw_err e;

	/* rollback of a struct that never began is harmless */
	sw_atomic_rollback(&a);

	tu_write_str(p, "old\n");
	assert_int_equal(sw_atomic_begin(&a, p, 0644, &e), 0);
	assert_int_equal(sw_atomic_write(&a, "half", 4, &e), 0);
	sw_atomic_rollback(&a);
	assert_int_equal(a.fd, -1);
	assert_null(a.tmp);
	sw_atomic_rollback(&a); /* twice */
	s = tu_read(p);
	assert_string_equal(s, "old\n");
	free(s);
	assert_int_equal(tu_count_entries(dir), 1);

	/* a target that did not exist stays absent */
	assert_int_equal(sw_atomic_begin(&a, q, 0644, &e), 0);
	assert_int_equal(sw_atomic_write(&a, "x", 1, &e), 0);
	sw_atomic_rollback(&a);
	assert_false(tu_exists(q));
	assert_int_equal(tu_count_entries(dir), 1);
	free(p);
	free(q);
}

static void
test_atomic_begin_fails(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "no/such/dir/file");
	struct sw_atomic a = SW_ATOMIC_INIT;
	struct sw_err e;

	assert_int_equal(sw_atomic_begin(&a, p, 0644, &e), -1);
	tu_assert_contains(e.msg, "cannot create a temporary file for '");
	tu_assert_contains(e.msg, "No such file or directory");
	assert_int_equal(a.fd, -1);
	assert_null(a.tmp);
	assert_null(a.path);
	sw_atomic_rollback(&a);
	free(p);
}

static void
test_atomic_commit_fails(void **state)
{
	const char *dir = *state;
	char *sub = tu_path(dir, "sub"), *inner = tu_path(sub, "x");
	struct sw_atomic a = SW_ATOMIC_INIT;
	struct sw_err e;

	/* renaming a file over a non-empty directory fails: tmp is removed */
	assert_int_equal(mkdir(sub, 0755), 0);
	tu_write_str(inner, "x");
	assert_int_equal(sw_atomic_begin(&a, sub, 0644, &e), 0);
	assert_int_equal(sw_atomic_write(&a, "data", 4, &e), 0);
	assert_int_equal(sw_atomic_commit(&a, &e), -1);
	tu_assert_contains(e.msg, "cannot rename '");
	assert_null(a.tmp);
	assert_int_equal(a.fd, -1);
	assert_int_equal(tu_count_entries(dir), 1);
	free(sub);
	free(inner);
}

static void
test_file_replace(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "list"), *s;
	struct sw_err e;
	struct stat st;

	assert_int_equal(sw_file_replace(p, "a\nb\n", 4, 0600, &e), 0);
	s = tu_read(p);
	assert_string_equal(s, "a\nb\n");
	free(s);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(sw_file_replace(p, "", 0, 0644, &e), 0);
	s = tu_read(p);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(tu_count_entries(dir), 1);
	free(p);
}

static void
test_remove_and_fsync_parent(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "f"), *sub = tu_path(dir, "sub");
	char *missing = tu_path(dir, "no/such/f");
	struct sw_err e;

	tu_write_str(p, "x");
	assert_int_equal(sw_fsync_parent(p, &e), 0);
	assert_int_equal(sw_file_remove(p, &e), 0);
	assert_false(tu_exists(p));
	assert_int_equal(sw_file_remove(p, &e), 0); /* absent: fine */
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(sw_file_remove(sub, &e), -1);
	tu_assert_contains(e.msg, "cannot remove '");
	assert_int_equal(sw_fsync_parent(missing, &e), -1);
	tu_assert_contains(e.msg, "cannot open directory '");
	free(p);
	free(sub);
	free(missing);
}

static void
test_mkdir_p(void **state)
{
	const char *dir = *state;
	char *deep = tu_path(dir, "a/b/c"), *slash = tu_path(dir, "x//y/z/");
	char *file = tu_path(dir, "file"), *under = tu_path(dir, "file/sub");
	struct sw_err e;
	struct stat st;

	assert_int_equal(sw_mkdir_p(deep, 0750, &e), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(sw_mkdir_p(deep, 0750, &e), 0); /* exists: fine */
	assert_int_equal(sw_mkdir_p(dir, 0750, &e), 0);
	assert_int_equal(sw_mkdir_p(slash, 0755, &e), 0);
	free(slash);
	slash = tu_path(dir, "x/y/z");
	assert_int_equal(stat(slash, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	/* a file in the way is an error, at the end as in the middle */
	tu_write_str(file, "x");
	assert_int_equal(sw_mkdir_p(under, 0755, &e), -1);
	tu_assert_contains(e.msg, "cannot create directory '");
	assert_int_equal(sw_mkdir_p(file, 0755, &e), -1);
	tu_assert_contains(e.msg, "cannot create directory '");
	/* nothing to create */
	assert_int_equal(sw_mkdir_p("", 0755, &e), -1);
	free(deep);
	free(slash);
	free(file);
	free(under);
}

static void
test_write_all(void **state)
{
	char buf[16];
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(sw_write_all(p[1], "abcdef", 6), 0);
	assert_int_equal(sw_write_all(p[1], "", 0), 0);
	assert_int_equal(read(p[0], buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "abcdef", 6);
	assert_int_equal(sw_write_all(p[0], "x", 1), -1); /* read end */
	close(p[0]);
	close(p[1]);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_read),
		T(test_read_absent),
		T(test_read_cap),
		T(test_read_refuses_symlink),
		T(test_read_refuses_fifo_dir_device),
		T(test_atomic_commit),
		T(test_atomic_rollback),
		T(test_atomic_begin_fails),
		T(test_atomic_commit_fails),
		T(test_file_replace),
		T(test_remove_and_fsync_parent),
		T(test_mkdir_p),
		cmocka_unit_test(test_write_all),
	};

	return cmocka_run_group_tests_name("fileio", tests, NULL, NULL);
}
