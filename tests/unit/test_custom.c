/* custom: the customization lists, parsed with warnings, and what changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "source/custom.h"

#define PARSE(l, text, kind, w) \
	assert_int_equal(sw_custom_parse(l, text, sizeof(text) - 1, kind, "list", w, \
		NULL), 0)

static void
test_names(void **state)
{
	struct sw_custom_list l;
	struct sw_strvec w = SW_STRVEC_INIT;

	(void)state;
	PARSE(&l, "# a comment\n\nzlib\n  glibc   # trailing\nBAD!\nfoo 2024-01-01 again\n"
		"zlib\tsecond\r\n", SW_CUSTOM_NAMES, &w);
	assert_int_equal(l.n, 4);
	assert_true(sw_custom_has(&l, "glibc"));
	assert_true(sw_custom_has(&l, "zlib"));
	assert_false(sw_custom_has(&l, "BAD!"));
	assert_false(sw_custom_has(&l, "zli"));
	assert_string_equal(sw_custom_find(&l, "foo")->rest, "2024-01-01 again");
	assert_string_equal(sw_custom_find(&l, "zlib")->rest, "");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.v[0], "list:5: skipped: invalid pkgbase 'BAD!'");
	sw_custom_release(&l);
	sw_custom_release(&l);
	sw_strvec_release(&w);
}

static void
test_overrides(void **state)
{
	struct sw_custom_list l;
	struct sw_strvec w = SW_STRVEC_INIT;

	(void)state;
	PARSE(&l, "wine extra\nlonely\nthree words here\nbad Repo!\n", SW_CUSTOM_REPOS, &w);
	assert_int_equal(l.n, 1);
	assert_string_equal(sw_custom_find(&l, "wine")->rest, "extra");
	assert_int_equal(w.n, 3);
	sw_custom_release(&l);
	sw_strvec_release(&w);
}

static void
test_triggers(void **state)
{
	struct sw_custom_list l;
	struct sw_strvec w = SW_STRVEC_INIT;

	(void)state;
	PARSE(&l, "vlc ffmpeg x264 # comment\nalone\nmpv Bad!\n", SW_CUSTOM_PKGNAMES,
		&w);
	assert_int_equal(l.n, 1);
	assert_string_equal(sw_custom_find(&l, "vlc")->rest, "ffmpeg x264");
	assert_int_equal(w.n, 2);
	assert_non_null(strstr(w.v[0], ":2: skipped: expected 'alone <pkgname>...'"));
	assert_non_null(strstr(w.v[1], ":3: skipped: invalid pkgname 'Bad!'"));
	sw_custom_release(&l);
	sw_strvec_release(&w);
}

static void
test_bounds(void **state)
{
	struct sw_custom_list l;
	struct sw_err e;
	char line[SW_CUSTOM_LINE_MAX + 10];

	(void)state;
	assert_int_equal(sw_custom_parse(&l, "a\0b\n", 4, SW_CUSTOM_NAMES, "x", NULL,
		&e), -1);
	assert_non_null(strstr(e.msg, "x:1: NUL byte"));
	memset(line, 'a', sizeof(line));
	assert_int_equal(sw_custom_parse(&l, line, sizeof(line), SW_CUSTOM_NAMES, "x",
		NULL, &e), -1);
	assert_non_null(strstr(e.msg, "line longer than"));
	assert_int_equal(sw_custom_parse(&l, "x", SW_CUSTOM_MAX_SIZE + 1,
		SW_CUSTOM_NAMES, "x", NULL, &e), -1);
	assert_int_equal(l.n, 0);
}

static void
test_changed(void **state)
{
	struct sw_custom_list a, b;
	struct sw_strvec out = SW_STRVEC_INIT;
	struct sw_err e;

	(void)state;
	PARSE(&a, "keep\ngone\nfoo 1\n", SW_CUSTOM_NAMES, NULL);
	PARSE(&b, "keep\nnew\nfoo 2\n", SW_CUSTOM_NAMES, NULL);
	assert_int_equal(sw_custom_changed(&a, &b, false, &out, &e), 0);
	assert_int_equal(out.n, 3);
	assert_true(sw_strvec_contains(&out, "gone"));
	assert_true(sw_strvec_contains(&out, "new"));
	assert_true(sw_strvec_contains(&out, "foo"));
	sw_strvec_release(&out);
	/* only new lines: what update-once acts on */
	assert_int_equal(sw_custom_changed(&a, &b, true, &out, &e), 0);
	assert_int_equal(out.n, 2);
	assert_false(sw_strvec_contains(&out, "gone"));
	sw_strvec_release(&out);
	/* from nothing */
	sw_custom_release(&a);
	assert_int_equal(sw_custom_changed(&a, &b, true, &out, &e), 0);
	assert_int_equal(out.n, 3);
	sw_strvec_release(&out);
	sw_custom_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_changed),
	};

	return cmocka_run_group_tests_name("custom", tests, NULL, NULL);
}
