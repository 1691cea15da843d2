/* vercmp: pacman's own ordering cases (from pacman's vercmp test list). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/vercmp.h"

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

static void
expect(const char *a, const char *b, int want)
{
	if (sign(sw_vercmp(a, b)) != want || sign(sw_vercmp(b, a)) != -want)
		fail_msg("vercmp('%s', '%s') != %d", a, b, want);
}

static void
test_equal(void **state)
{
	(void)state;
	expect("1.5.0", "1.5.0", 0);
	expect("1.5.1", "1.5.1", 0);
	expect("1.5-1", "1.5-1", 0);
	expect("1:1.5", "1:1.5", 0);
}

static void
test_numeric(void **state)
{
	(void)state;
	expect("1.5.0", "1.5.1", -1);
	expect("1.5.1", "1.5.2", -1);
	expect("1.5", "1.5.1", -1);
	expect("1.9", "1.10", -1);
	expect("1.0001", "1.1", 0);
	expect("2", "10", -1);
}

static void
test_alpha(void **state)
{
	(void)state;
	/* alpha < beta < pre < rc < release */
	expect("1.5a", "1.5", -1);
	expect("1.5b", "1.5a", 1);
	expect("1.5alpha", "1.5beta", -1);
	expect("1.5beta", "1.5pre", -1);
	expect("1.5pre", "1.5rc", -1);
	expect("1.5rc", "1.5", -1);
	expect("1.5rc1", "1.5", -1);
	/* a numeric segment is newer than an alphabetic one */
	expect("1.1.a", "1.1.1", -1);
	expect("1.a1", "1.1", -1);
	expect("1.5.b", "1.5", 1);  /* but an extra dotted segment is newer */
}

static void
test_pkgrel(void **state)
{
	(void)state;
	expect("1.5-1", "1.5-2", -1);
	expect("1.5-1", "1.5", 0);      /* a missing pkgrel matches any */
	expect("1.5-1", "1.5.1-1", -1);
	expect("1.5-1.1", "1.5-1", 1);
	expect("1.5-10", "1.5-9", 1);
}

static void
test_epoch(void **state)
{
	(void)state;
	expect("0:1.0", "1.0", 0);
	expect("1:1.0", "1.0", 1);
	expect("1:1.0", "2.0", 1);
	expect("2:1.0", "1:9.0", 1);
	expect("1:1.0-1", "1:1.0-2", -1);
	expect("1:0.1", "9999", 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_alpha),
		cmocka_unit_test(test_pkgrel),
		cmocka_unit_test(test_epoch),
	};

	return cmocka_run_group_tests_name("vercmp", tests, NULL, NULL);
}
