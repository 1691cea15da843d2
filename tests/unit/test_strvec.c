/* strvec: v never NULL, v[n] == NULL, private copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/strvec.h"

static void
test_empty_is_terminated(void **state)
{
	struct sw_strvec a = SW_STRVEC_INIT, b;

	(void)state;
	sw_strvec_init(&b);
	assert_non_null(a.v);
	assert_null(a.v[0]);
	assert_int_equal(a.n, 0);
	assert_non_null(b.v);
	assert_null(b.v[0]);
	assert_false(sw_strvec_contains(&a, ""));
	sw_strvec_release(&a);
	sw_strvec_release(&b);
	assert_non_null(a.v);
	assert_null(a.v[0]);
}

static void
test_push_copies_and_terminates(void **state)
{
	struct sw_strvec sv = SW_STRVEC_INIT;
	char word[8] = "abc";
	size_t i;

	(void)state;
	assert_int_equal(sw_strvec_push(&sv, word), 0);
	word[0] = 'X'; /* the vector holds its own copy */
	assert_string_equal(sv.v[0], "abc");
	assert_null(sv.v[1]);
	assert_int_equal(sw_strvec_pushf(&sv, "%s=%d", "N", 7), 0);
	assert_string_equal(sv.v[1], "N=7");
	assert_null(sv.v[2]);
	/* many pushes: grows, stays terminated after every one */
	for (i = 2; i < 100; i++) {
		assert_int_equal(sw_strvec_pushf(&sv, "%zu", i), 0);
		assert_int_equal(sv.n, i + 1);
		assert_null(sv.v[sv.n]);
	}
	assert_string_equal(sv.v[99], "99");
	assert_true(sw_strvec_contains(&sv, "N=7"));
	assert_true(sw_strvec_contains(&sv, "50"));
	assert_false(sw_strvec_contains(&sv, "5O"));
	assert_false(sw_strvec_contains(&sv, "ab"));
	sw_strvec_release(&sv);
	assert_int_equal(sv.n, 0);
	assert_null(sv.v[0]);
}

static void
test_split(void **state)
{
	struct sw_strvec sv = SW_STRVEC_INIT;

	(void)state;
	assert_int_equal(sw_strvec_split(&sv, "  plain \t clean\tfull  "), 0);
	assert_int_equal(sv.n, 3);
	assert_string_equal(sv.v[0], "plain");
	assert_string_equal(sv.v[1], "clean");
	assert_string_equal(sv.v[2], "full");
	assert_null(sv.v[3]);

	/* appends to what is there */
	assert_int_equal(sw_strvec_split(&sv, "more"), 0);
	assert_int_equal(sv.n, 4);
	assert_string_equal(sv.v[3], "more");
	assert_null(sv.v[4]);

	/* only blanks split: a newline stays inside a word */
	assert_int_equal(sw_strvec_split(&sv, "a\nb"), 0);
	assert_int_equal(sv.n, 5);
	assert_string_equal(sv.v[4], "a\nb");
	sw_strvec_release(&sv);
}

static void
test_split_nothing(void **state)
{
	struct sw_strvec sv = SW_STRVEC_INIT;

	(void)state;
	assert_int_equal(sw_strvec_split(&sv, ""), 0);
	assert_int_equal(sw_strvec_split(&sv, " \t  \t"), 0);
	assert_int_equal(sv.n, 0);
	assert_non_null(sv.v);
	assert_null(sv.v[0]);
	sw_strvec_release(&sv);
}

static void
test_add_list(void **state)
{
	struct sw_strvec sv = SW_STRVEC_INIT;
	struct sw_buf b = SW_BUF_INIT;

	(void)state;
	assert_int_equal(sw_strvec_add_list(&b, &sv), 0);
	assert_string_equal(b.data, "-");
	assert_int_equal(sw_strvec_push(&sv, "libhc.so.1"), 0);
	assert_int_equal(sw_buf_addch(&b, ' '), 0);
	assert_int_equal(sw_strvec_add_list(&b, &sv), 0);
	assert_int_equal(sw_strvec_push(&sv, "libc.so.6"), 0);
	assert_int_equal(sw_buf_addch(&b, ' '), 0);
	assert_int_equal(sw_strvec_add_list(&b, &sv), 0);
	assert_string_equal(b.data, "- libhc.so.1 libhc.so.1,libc.so.6");
	sw_strvec_release(&sv);
	sw_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_terminated),
		cmocka_unit_test(test_push_copies_and_terminates),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_nothing),
		cmocka_unit_test(test_add_list),
	};

	return cmocka_run_group_tests_name("strvec", tests, NULL, NULL);
}
