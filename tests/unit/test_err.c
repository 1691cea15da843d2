/* err: messages into a caller-owned buffer, -1 always, NULL discards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"

static void
test_set(void **state)
{
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_err_set(&e, "cannot open '%s'", "x"), -1);
	assert_string_equal(e.msg, "cannot open 'x'");
	assert_int_equal(sw_err_set(&e, "%d %s", 42, "y"), -1);
	assert_string_equal(e.msg, "42 y");
}

static void
test_sys_appends_strerror_and_keeps_errno(void **state)
{
	struct sw_err e;
	char want[SW_ERR_MAX];

	(void)state;
	snprintf(want, sizeof(want), "cannot open 'x': %s", strerror(ENOENT));
	errno = ENOENT;
	assert_int_equal(sw_err_sys(&e, "cannot open '%s'", "x"), -1);
	assert_string_equal(e.msg, want);
	assert_int_equal(errno, ENOENT);
}

static void
test_prefix(void **state)
{
	struct sw_err e;

	(void)state;
	sw_err_set(&e, "invalid pkgname '../x'");
	assert_int_equal(sw_err_prefix(&e, "%s:%d", "build-list", 3), -1);
	assert_string_equal(e.msg, "build-list:3: invalid pkgname '../x'");
}

static void
test_null_discards(void **state)
{
	(void)state;
	errno = EACCES;
	assert_int_equal(sw_err_set(NULL, "x %s", "y"), -1);
	assert_int_equal(sw_err_sys(NULL, "x"), -1);
	assert_int_equal(sw_err_prefix(NULL, "x"), -1);
	assert_int_equal(errno, EACCES);
}

static void
test_truncates_long_messages(void **state)
{
	static char big[3 * SW_ERR_MAX];
	struct sw_err e;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	sw_err_set(&e, "%s", big);
	assert_int_equal(strlen(e.msg), SW_ERR_MAX - 1);

	errno = EIO;
	sw_err_sys(&e, "%s", big);
	assert_int_equal(strlen(e.msg), SW_ERR_MAX - 1);

	sw_err_prefix(&e, "%s", big);
	assert_int_equal(strlen(e.msg), SW_ERR_MAX - 1);

	/* a long message keeps its beginning when a prefix is put in front */
	sw_err_set(&e, "%s", big);
	sw_err_prefix(&e, "ctx");
	assert_memory_equal(e.msg, "ctx: aaa", 8);
	assert_int_equal(strlen(e.msg), SW_ERR_MAX - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_sys_appends_strerror_and_keeps_errno),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_null_discards),
		cmocka_unit_test(test_truncates_long_messages),
	};

	return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
