/* sanity: the not-sane mark, and the gate that refuses while it is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "queue/sanity.h"

static void
test_no_mark_passes(void **state)
{
	struct sw_err e;

	assert_int_equal(sw_sanity_gate(*state, &e), SW_SANITY_OK);
	assert_int_equal(sw_sanity_clear(*state, &e), 0);
}

static void
test_mark_refuses_and_says_why(void **state)
{
	struct sw_strvec p = SW_STRVEC_INIT, back = SW_STRVEC_INIT;
	struct sw_err e;
	int64_t since;

	assert_int_equal(sw_strvec_push(&p, "first problem"), 0);
	assert_int_equal(sw_strvec_push(&p, "second\nwith a newline"), 0);
	assert_int_equal(sw_sanity_mark(*state, &p, 1700000000, &e), 0);
	assert_int_equal(sw_sanity_gate(*state, &e), SW_SANITY_NOT_SANE);
	assert_non_null(strstr(e.msg, "not sane since 2023-11-14 22:13:20 UTC: "
		"first problem (and 1 more)"));
	assert_non_null(strstr(e.msg, "run 'sanity-check'"));
	assert_int_equal(sw_sanity_read(*state, &since, &back, &e), 0);
	assert_int_equal(since, 1700000000);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[1], "second with a newline");
	assert_int_equal(sw_sanity_clear(*state, &e), 0);
	assert_int_equal(sw_sanity_gate(*state, &e), SW_SANITY_OK);
	sw_strvec_release(&p);
	sw_strvec_release(&back);
}

static void
test_empty_mark_refused(void **state)
{
	struct sw_strvec p = SW_STRVEC_INIT;
	struct sw_err e;

	assert_int_equal(sw_sanity_mark(*state, &p, 1, &e), -1);
	assert_int_equal(sw_sanity_gate(*state, &e), SW_SANITY_OK);
}

static void
test_garbage_mark_is_an_error(void **state)
{
	char *p = tu_path(*state, "not-sane");
	struct sw_err e;
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs("not a time\nx\n", f);
	fclose(f);
	assert_int_equal(sw_sanity_gate(*state, &e), SW_SANITY_ERROR);
	assert_non_null(strstr(e.msg, "line 1"));
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_mark_passes,
			tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_mark_refuses_and_says_why,
			tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_empty_mark_refused,
			tu_setup_tmpdir, tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_garbage_mark_is_an_error,
			tu_setup_tmpdir, tu_teardown_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
