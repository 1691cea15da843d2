/* statedir and statepath: every state path named once, the layout made, locks checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/stat.h>

#include "queue/statedir.h"
#include "queue/statepath.h"
#include "testutil.h"

/* Every path has a name, relative, and no two share one. */
static void
test_every_path_named_once(void **state)
{
	int i, k;

	(void)state;
	for (i = 0; i < SW_PATH_COUNT; i++) {
		const char *n = sw_statepath_name((enum sw_statepath)i);

		assert_non_null(n);
		assert_true(n[0] != '\0' && n[0] != '/');
		assert_null(strstr(n, ".."));
		for (k = 0; k < i; k++)
			assert_string_not_equal(n,
				sw_statepath_name((enum sw_statepath)k));
	}
	assert_string_equal(sw_statepath_name(SW_PATH_BUILD_LIST), "build-list");
	assert_string_equal(sw_statepath_name(SW_PATH_BUILD_LIST_LOCK),
		"locks/build-list.lock");
}

static void
test_path_is_below_the_state_dir(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_statepath(&b, "/srv/state", SW_PATH_LEASES, &e), 0);
	assert_string_equal(b.data, "/srv/state/leases");
	/* the buffer is reset, not appended to */
	assert_int_equal(sw_statepath(&b, "/s", SW_PATH_SRCINFO_CACHE, &e), 0);
	assert_string_equal(b.data, "/s/cache/srcinfo-1");
	sw_buf_release(&b);
}

/* open makes exactly the directories marked created, and is idempotent */
static void
test_open_makes_the_layout(void **state)
{
	const char *dir = *state;
	struct sw_statedir sd;
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;
	struct stat st;
	int i, round;

	for (round = 0; round < 2; round++) {
		assert_int_equal(sw_statedir_open(&sd, dir, &e), 0);
		for (i = 0; i < SW_PATH_COUNT; i++) {
			assert_int_equal(sw_statedir_path(&sd, (enum sw_statepath)i,
				&b, &e), 0);
			if (sw_statepath_created((enum sw_statepath)i)) {
				assert_int_equal(stat(b.data, &st), 0);
				assert_true(S_ISDIR(st.st_mode));
			} else {
				assert_int_equal(stat(b.data, &st), -1);
			}
		}
		sw_statedir_release(&sd);
	}
	sw_buf_release(&b);
}

/* a lock is taken once; a journal needs its lock; the order is kept */
static void
test_locks_are_checked(void **state)
{
	const char *dir = *state;
	struct sw_statedir sd;
	struct sw_txn t;
	struct sw_err e;
	struct sw_buf b = SW_BUF_INIT;
	struct stat st;

	assert_int_equal(sw_statedir_open(&sd, dir, &e), 0);
	assert_int_equal(sw_statedir_txn_begin(&sd, SW_LOCK_BUILD_LIST, &t, &e), -1);
	assert_non_null(strstr(e.msg, "build-list.lock is not held"));
	assert_int_equal(sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, 0, &e),
		SW_LOCK_OK);
	assert_int_equal(sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, 0, &e),
		SW_LOCK_ERROR);
	assert_non_null(strstr(e.msg, "build-list.lock is already held"));
	assert_int_equal(sw_statedir_path(&sd, SW_PATH_BUILD_LIST_LOCK, &b, &e), 0);
	assert_int_equal(stat(b.data, &st), 0);
	sw_statedir_unlock(&sd, SW_LOCK_BUILD_LIST);
	assert_int_equal(sw_statedir_lock(&sd, SW_LOCK_PACKAGE_DB, 0, &e),
		SW_LOCK_OK);
	assert_int_equal(sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, 0, &e),
		SW_LOCK_ERROR);
	assert_non_null(strstr(e.msg, "lock order"));
	/* lock files stay when released */
	sw_statedir_release(&sd);
	assert_int_equal(stat(b.data, &st), 0);
	sw_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_path_named_once),
		cmocka_unit_test(test_path_is_below_the_state_dir),
		cmocka_unit_test_setup_teardown(test_open_makes_the_layout,
			tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_locks_are_checked,
			tu_setup_tmpdir, tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
