/* lease: whose an assignment is, exactly; ping refreshes only the holder's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#include "queue/lease.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define C3 "3333333333333333333333333333333333333333"

struct fx {
	char *dir;
	struct sw_master_conf c;
	struct sw_slave_entry_conf slaves[1];
	struct sw_id id;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	static char path[] = "master.conf";
	char *ps;

	assert_non_null(x);
	x->dir = tu_tmpdir();
	x->c.path = path;
	x->c.state_dir = x->dir;
	x->c.lease_timeout = 600;
	snprintf(x->slaves[0].sec.name, sizeof(x->slaves[0].sec.name), "alpha");
	x->c.slaves = x->slaves;
	x->c.nslaves = 1;
	assert_int_equal(sw_id_from_fields(&x->id, "foo", C1, C2, "core", NULL), 0);
	ps = tu_path(x->dir, "package-states");
	assert_int_equal(mkdir(ps, 0755), 0);
	free(ps);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	tu_rmrf(x->dir);
	free(x->dir);
	free(x);
	return 0;
}

static void
put(struct fx *x, const char *name, const char *content)
{
	char *p = tu_path(x->dir, name);

	tu_write_str(p, content);
	free(p);
}

#define LOCKED "package-states/foo." C1 "." C2 ".core.locked"

static void
test_on_list_exactly(void **state)
{
	struct fx *x = *state;
	struct sw_err e;

	assert_int_equal(sw_lease_on_list(x->dir, &x->id, &e), 0);  /* no list */
	put(x, "build-list", "xfoo " C1 " " C2 " core\n");
	assert_int_equal(sw_lease_on_list(x->dir, &x->id, &e), 0);
	put(x, "build-list", "foo " C1 " " C2 " core-staging\n");
	assert_int_equal(sw_lease_on_list(x->dir, &x->id, &e), 0);
	put(x, "build-list", "foo " C3 " " C2 " core\n");
	assert_int_equal(sw_lease_on_list(x->dir, &x->id, &e), 0);
	put(x, "build-list", "bar " C1 " " C2 " core\nfoo " C1 " " C2 " core\n");
	assert_int_equal(sw_lease_on_list(x->dir, &x->id, &e), 1);
	put(x, "build-list", "foo " C1 " " C2 " core\n");
	assert_int_equal(sw_lease_on_list(x->dir, &x->id, &e), 1);
}

static void
test_check_and_ping(void **state)
{
	struct fx *x = *state;
	struct sw_locked l;
	struct sw_err e;
	char *s, *p;

	put(x, "build-list", "foo " C1 " " C2 " core\n");
	assert_int_equal(sw_lease_check(&x->c, &x->id, "alpha", 1000, &l, &e),
		SW_LEASE_NOT_YOURS);
	tu_assert_contains(e.msg, "not assigned to anyone");
	put(x, LOCKED, "beta 900 900 building\n");
	assert_int_equal(sw_lease_check(&x->c, &x->id, "alpha", 1000, &l, &e),
		SW_LEASE_NOT_YOURS);
	tu_assert_contains(e.msg, "assigned to slave 'beta', not 'alpha'");
	put(x, LOCKED, "alpha 900 900 assigned\n");
	assert_int_equal(sw_lease_check(&x->c, &x->id, "alpha", 1500, &l, &e),
		SW_LEASE_OK);
	assert_int_equal(l.heartbeat, 900);
	assert_int_equal(sw_lease_ping(&x->c, &x->id, "alpha", "building", 1500, &e),
		SW_LEASE_OK);
	p = tu_path(x->dir, LOCKED);
	s = tu_read(p);
	assert_string_equal(s, "alpha 900 1500 building\n");
	free(s);
	/* 601 s after the last heartbeat the lease is no one's */
	assert_int_equal(sw_lease_ping(&x->c, &x->id, "alpha", "building", 2101, &e),
		SW_LEASE_NOT_YOURS);
	tu_assert_contains(e.msg, "expired");
	s = tu_read(p);
	assert_string_equal(s, "alpha 900 1500 building\n");
	free(s);
	assert_int_equal(sw_lease_ping(&x->c, &x->id, "alpha", "../x", 1600, &e),
		SW_LEASE_ERROR);
	free(p);
}

static void
test_giveback(void **state)
{
	struct fx *x = *state;
	struct sw_err e;
	char *p, *s;

	put(x, "build-list", "foo " C1 " " C2 " core\n");
	put(x, LOCKED, "beta 900 900 building\n");
	p = tu_path(x->dir, LOCKED);
	/* only the holder gives back; another's lease stays */
	assert_int_equal(sw_lease_giveback(&x->c, &x->id, "alpha", 1000, &e),
		SW_LEASE_NOT_YOURS);
	tu_assert_contains(e.msg, "assigned to slave 'beta', not 'alpha'");
	s = tu_read(p);
	assert_string_equal(s, "beta 900 900 building\n");
	free(s);
	put(x, LOCKED, "alpha 900 900 building\n");
	assert_int_equal(sw_lease_giveback(&x->c, &x->id, "alpha", 1000, &e),
		SW_LEASE_OK);
	assert_int_equal(access(p, F_OK), -1);
	/* twice: it is no one's now */
	assert_int_equal(sw_lease_giveback(&x->c, &x->id, "alpha", 1000, &e),
		SW_LEASE_NOT_YOURS);
	tu_assert_contains(e.msg, "not assigned to anyone");
	free(p);
}

static void
test_slave_from_env(void **state)
{
	struct fx *x = *state;
	const struct sw_slave_entry_conf *sc;
	const char *slave;
	struct sw_err e;

	unsetenv("SLIPWAY_SLAVE");
	assert_int_equal(sw_lease_slave(&x->c, &slave, &sc, &e), 0);
	assert_null(slave);
	setenv("SLIPWAY_SLAVE", "alpha", 1);
	assert_int_equal(sw_lease_slave(&x->c, &slave, &sc, &e), 0);
	assert_string_equal(slave, "alpha");
	assert_ptr_equal(sc, &x->slaves[0]);
	setenv("SLIPWAY_SLAVE", "beta", 1);
	assert_int_equal(sw_lease_slave(&x->c, &slave, &sc, &e), -1);
	tu_assert_contains(e.msg, "no [slave beta] section");
	setenv("SLIPWAY_SLAVE", "a;b", 1);
	assert_int_equal(sw_lease_slave(&x->c, &slave, &sc, &e), -1);
	tu_assert_contains(e.msg, "invalid slave name");
	unsetenv("SLIPWAY_SLAVE");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_on_list_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_and_ping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_giveback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slave_from_env, setup, teardown),
	};

	return cmocka_run_group_tests_name("lease", tests, NULL, NULL);
}
