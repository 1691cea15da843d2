/* pkgadmin: block, unblock, unbreak, tested, faulty; a refusal changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "queue/pkgadmin.h"
#include "queue/pkgstate.h"
#include "queue/statedir.h"
#include "testutil.h"

#define C1 "1111111111111111111111111111111111111111"
#define Z  "0000000000000000000000000000000000000000"

struct fx {
	char *dir;
	struct sw_master_conf conf;
	struct sw_strvec changes;
};

static const struct sw_id foo = { "foo", C1, Z, "extra" };
static const struct sw_id bar = { "bar", C1, Z, "extra" };
static const struct sw_id old = { "old", C1, Z, "extra" };

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct sw_statedir sd;
	struct sw_attempt a = { 1700000000, "alpha", "plain", "-" };
	struct sw_strvec files = SW_STRVEC_INIT;
	struct sw_err e;
	char path[4200];
	const char *list = "foo " C1 " " Z " extra\nbar " C1 " " Z " extra\n";

	assert_non_null(x);
	x->dir = tu_tmpdir();
	x->conf.state_dir = x->dir;
	sw_strvec_init(&x->changes);
	assert_int_equal(sw_statedir_open(&sd, x->dir, &e), 0);
	sw_statedir_release(&sd);
	snprintf(path, sizeof(path), "%s/build-list", x->dir);
	tu_write(path, list, strlen(list));
	assert_int_equal(sw_pkgstate_add_broken(x->dir, &bar, &a, NULL, &e), 0);
	assert_int_equal(sw_strvec_push(&files, "old-1-1-x86_64.pkg.tar.zst"), 0);
	assert_int_equal(sw_pkgstate_write_files(x->dir, &old, SW_STATE_TESTING,
		&files, NULL, &e), 0);
	sw_strvec_release(&files);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	sw_strvec_release(&x->changes);
	tu_rmrf(x->dir);
	free(x->dir);
	free(x);
	return 0;
}

static enum sw_admin_result
apply(struct fx *x, enum sw_admin_action act, const char *target,
	struct sw_err *e)
{
	char *t[] = { (char *)target };

	sw_strvec_release(&x->changes);
	return sw_admin_apply(&x->conf, act, act == SW_ADMIN_BLOCK ? "broken "
		"upstream" : NULL, "root", t, 1, 1700000100, &x->changes, e);
}

static void
test_block_and_unblock(void **state)
{
	struct fx *x = *state;
	struct sw_blocked b;
	struct sw_err e;

	assert_int_equal(apply(x, SW_ADMIN_UNBLOCK, "foo", &e), SW_ADMIN_REFUSED);
	assert_int_equal(apply(x, SW_ADMIN_BLOCK, "foo", &e), SW_ADMIN_OK);
	assert_int_equal(x->changes.n, 1);
	assert_non_null(strstr(x->changes.v[0], "blocked 'foo."));
	assert_int_equal(sw_pkgstate_read_blocked(x->dir, &foo, &b, &e), 0);
	assert_string_equal(b.who, "root");
	assert_string_equal(b.reason, "broken upstream");
	/* twice is refused */
	assert_int_equal(apply(x, SW_ADMIN_BLOCK, "foo", &e), SW_ADMIN_REFUSED);
	assert_int_equal(apply(x, SW_ADMIN_UNBLOCK, "foo", &e), SW_ADMIN_OK);
	assert_int_equal(sw_pkgstate_exists(x->dir, &foo, SW_STATE_BLOCKED, &e), 0);
	/* not on the list */
	assert_int_equal(apply(x, SW_ADMIN_BLOCK, "nosuch", &e), SW_ADMIN_REFUSED);
}

static void
test_unbreak(void **state)
{
	struct fx *x = *state;
	struct sw_err e;

	assert_int_equal(apply(x, SW_ADMIN_UNBREAK, "foo", &e), SW_ADMIN_REFUSED);
	assert_int_equal(sw_pkgstate_exists(x->dir, &bar, SW_STATE_BROKEN, &e), 1);
	assert_int_equal(apply(x, SW_ADMIN_UNBREAK, "bar", &e), SW_ADMIN_OK);
	assert_int_equal(sw_pkgstate_exists(x->dir, &bar, SW_STATE_BROKEN, &e), 0);
}

/* several targets: one that cannot be changed refuses them all */
static void
test_all_or_nothing(void **state)
{
	struct fx *x = *state;
	char *t[] = { "foo", "nosuch" };
	struct sw_err e;

	assert_int_equal(sw_admin_apply(&x->conf, SW_ADMIN_BLOCK, "why", "root", t,
		2, 1700000100, &x->changes, &e), SW_ADMIN_REFUSED);
	assert_non_null(strstr(e.msg, "nosuch"));
	assert_int_equal(sw_pkgstate_exists(x->dir, &foo, SW_STATE_BLOCKED, &e), 0);
}

static void
test_tested_and_faulty(void **state)
{
	struct fx *x = *state;
	struct sw_err e;

	/* on the build list, not in testing */
	assert_int_equal(apply(x, SW_ADMIN_TESTED, "foo", &e), SW_ADMIN_REFUSED);
	assert_int_equal(apply(x, SW_ADMIN_TESTED, "old", &e), SW_ADMIN_OK);
	assert_int_equal(sw_pkgstate_exists(x->dir, &old, SW_STATE_TESTED, &e), 1);
	assert_int_equal(apply(x, SW_ADMIN_TESTED, "old", &e), SW_ADMIN_REFUSED);
	assert_int_equal(apply(x, SW_ADMIN_FAULTY, "old", &e), SW_ADMIN_OK);
	assert_int_equal(sw_pkgstate_exists(x->dir, &old, SW_STATE_TESTED, &e), 0);
	assert_int_equal(sw_pkgstate_exists(x->dir, &old, SW_STATE_FAULTY, &e), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_block_and_unblock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbreak, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tested_and_faulty, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
