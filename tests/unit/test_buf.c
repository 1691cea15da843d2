/* buf: never NULL, always NUL-terminated, a cap that refuses without change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"

/* A file (unlinked) holding n bytes of a repeating pattern, at offset 0. */
static int
pattern_fd(size_t n)
{
	FILE *f = tmpfile();
	size_t i;
	int fd;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		assert_int_not_equal(fputc('a' + (int)(i % 26), f), EOF);
	assert_int_equal(fflush(f), 0);
	fd = dup(fileno(f));
	fclose(f);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void
test_init_is_empty_string(void **state)
{
	struct sw_buf a = SW_BUF_INIT, b;

	(void)state;
	sw_buf_init(&b, 10);
	assert_non_null(a.data);
	assert_string_equal(a.data, "");
	assert_int_equal(a.len, 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.cap, 10);
	/* reset, truncate and release of a never-grown buffer are harmless */
	sw_buf_reset(&a);
	sw_buf_truncate(&a, 0);
	sw_buf_release(&a);
	sw_buf_release(&b);
	assert_string_equal(a.data, "");
	assert_string_equal(sw_buf_empty, "");
}

static void
test_add_and_nul_termination(void **state)
{
	struct sw_buf b = SW_BUF_INIT;

	(void)state;
	assert_int_equal(sw_buf_addstr(&b, "foo"), 0);
	assert_int_equal(sw_buf_addch(&b, '-'), 0);
	assert_int_equal(sw_buf_add(&b, "bar\0baz", 7), 0);
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.data, "foo-bar\0baz", 12); /* NUL at data[len] */
	assert_int_equal(sw_buf_add(&b, NULL, 0), 0);
	assert_int_equal(b.len, 11);
	sw_buf_release(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
}

static void
test_addf_grows(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	char *big;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(sw_buf_addf(&b, "%d,", i % 10), 0);
	assert_int_equal(b.len, 2000);
	assert_int_equal(strlen(b.data), 2000);
	assert_memory_equal(b.data, "0,1,2,", 6);
	assert_memory_equal(b.data + 1994, "7,8,9,", 7);

	big = malloc(100001);
	assert_non_null(big);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	sw_buf_reset(&b);
	assert_int_equal(sw_buf_addf(&b, "<%s>", big), 0);
	assert_int_equal(b.len, 100002);
	assert_int_equal(b.data[0], '<');
	assert_int_equal(b.data[100001], '>');
	assert_int_equal(b.data[100002], '\0');
	free(big);
	sw_buf_release(&b);
}

static void
test_cap_refuses_unchanged(void **state)
{
	struct sw_buf b;

	(void)state;
	sw_buf_init(&b, 8);
	assert_int_equal(sw_buf_addstr(&b, "12345"), 0);

	errno = 0;
	assert_int_equal(sw_buf_addstr(&b, "6789"), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "12345");

	errno = 0;
	assert_int_equal(sw_buf_addf(&b, "%s", "abcd"), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal(b.data, "12345");

	/* exactly up to the cap is fine, one more byte is not */
	assert_int_equal(sw_buf_addstr(&b, "678"), 0);
	assert_int_equal(b.len, 8);
	errno = 0;
	assert_int_equal(sw_buf_addch(&b, '9'), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal(b.data, "12345678");

	/* after reset the cap counts from zero again */
	sw_buf_reset(&b);
	assert_int_equal(sw_buf_addstr(&b, "abcdefgh"), 0);
	sw_buf_release(&b);
	assert_int_equal(b.cap, 8); /* release keeps the cap */
}

static void
test_grow_overflow(void **state)
{
	struct sw_buf b = SW_BUF_INIT;

	(void)state;
	assert_int_equal(sw_buf_addstr(&b, "keep"), 0);
	errno = 0;
	assert_int_equal(sw_buf_grow(&b, SIZE_MAX), -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(sw_buf_grow(&b, SIZE_MAX - 4), -1);
	assert_string_equal(b.data, "keep");
	sw_buf_release(&b);
}

static void
test_reset_truncate(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	size_t alloc;

	(void)state;
	assert_int_equal(sw_buf_addstr(&b, "hello world"), 0);
	alloc = b.alloc;
	sw_buf_truncate(&b, 5);
	assert_string_equal(b.data, "hello");
	sw_buf_truncate(&b, 50); /* longer: nothing happens */
	assert_string_equal(b.data, "hello");
	assert_int_equal(b.len, 5);
	sw_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(b.alloc, alloc);
	sw_buf_release(&b);
}

static void
test_read_fd(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	int fd = pattern_fd(100000);

	(void)state;
	assert_int_equal(sw_buf_addstr(&b, ">"), 0);
	assert_int_equal(sw_buf_read_fd(&b, fd), 0); /* appends */
	assert_int_equal(b.len, 100001);
	assert_int_equal(b.data[0], '>');
	assert_int_equal(b.data[1], 'a');
	assert_int_equal(b.data[100000], 'a' + (99999 % 26));
	assert_int_equal(b.data[100001], '\0');
	close(fd);
	sw_buf_release(&b);
}

static void
test_read_fd_cap(void **state)
{
	struct sw_buf b;
	int fd;

	(void)state;
	/* exactly the cap */
	sw_buf_init(&b, 1000);
	fd = pattern_fd(1000);
	assert_int_equal(sw_buf_read_fd(&b, fd), 0);
	assert_int_equal(b.len, 1000);
	close(fd);
	sw_buf_release(&b);

	/* one byte past the cap: EFBIG and the old content only */
	sw_buf_init(&b, 1000);
	assert_int_equal(sw_buf_addstr(&b, "old"), 0);
	fd = pattern_fd(998);
	errno = 0;
	assert_int_equal(sw_buf_read_fd(&b, fd), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "old");
	close(fd);

	/* far past the cap */
	fd = pattern_fd(100000);
	errno = 0;
	assert_int_equal(sw_buf_read_fd(&b, fd), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal(b.data, "old");
	close(fd);
	sw_buf_release(&b);
}

static void
test_read_fd_error(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	int p[2];

	(void)state;
	assert_int_equal(sw_buf_addstr(&b, "x"), 0);
	/* the write end of a pipe cannot be read */
	assert_int_equal(pipe(p), 0);
	errno = 0;
	assert_int_equal(sw_buf_read_fd(&b, p[1]), -1);
	assert_int_equal(errno, EBADF);
	assert_string_equal(b.data, "x");
	close(p[0]);
	close(p[1]);

	/* an empty pipe at EOF reads as nothing */
	assert_int_equal(pipe(p), 0);
	close(p[1]);
	assert_int_equal(sw_buf_read_fd(&b, p[0]), 0);
	assert_string_equal(b.data, "x");
	close(p[0]);
	sw_buf_release(&b);
}

static void
test_detach(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	size_t len = 99;
	char *s;

	(void)state;
	/* an empty buffer still hands out a string the caller can free */
	s = sw_buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);

	sw_buf_init(&b, 64);
	assert_int_equal(sw_buf_addstr(&b, "payload"), 0);
	s = sw_buf_detach(&b, &len);
	assert_string_equal(s, "payload");
	assert_int_equal(len, 7);
	/* the buffer is empty and usable again, with its cap */
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(b.cap, 64);
	assert_int_equal(sw_buf_addstr(&b, "again"), 0);
	assert_string_equal(s, "payload"); /* no sharing */
	free(s);
	s = sw_buf_detach(&b, NULL);
	assert_string_equal(s, "again");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty_string),
		cmocka_unit_test(test_add_and_nul_termination),
		cmocka_unit_test(test_addf_grows),
		cmocka_unit_test(test_cap_refuses_unchanged),
		cmocka_unit_test(test_grow_overflow),
		cmocka_unit_test(test_reset_truncate),
		cmocka_unit_test(test_read_fd),
		cmocka_unit_test(test_read_fd_cap),
		cmocka_unit_test(test_read_fd_error),
		cmocka_unit_test(test_detach),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
