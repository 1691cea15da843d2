/* introspect: the cache by git tree (no sandbox). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "source/introspect.h"
#include "testutil.h"

#define T1 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define T2 "ab00000000000000000000000000000000000000"
#define CT "cccccccccccccccccccccccccccccccccccccccc"

static void
test_cache_key(void **state)
{
	char key[SW_CACHE_KEY_MAX + 1];
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_introspect_cache_key(key, T1, NULL, "x86_64", &e), 0);
	assert_string_equal(key, T1 ".-.x86_64");
	assert_int_equal(sw_introspect_cache_key(key, T1, CT, "any", &e), 0);
	assert_string_equal(key, T1 "." CT ".any");
	assert_int_equal(sw_introspect_cache_key(key, "../x", NULL, "x86_64", &e),
		-1);
	assert_int_equal(sw_introspect_cache_key(key, T1, NULL, "x/y", &e), -1);
}

static void
parse(struct sw_srcinfo *s, const char *ver)
{
	char text[256];
	struct sw_err e;

	snprintf(text, sizeof(text), "pkgbase = p\n\tpkgver = %s\n\tpkgrel = 1\n"
		"\tarch = any\n\npkgname = p\n", ver);
	sw_srcinfo_init(s);
	assert_int_equal(sw_srcinfo_parse(s, text, strlen(text), "test", &e), 0);
}

static char *
printed(const struct sw_srcinfo *s)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	assert_int_equal(sw_srcinfo_print(s, &b, &e), 0);
	return sw_buf_detach(&b, NULL);
}

/* put, get in the same run and after reopening; a miss; a torn record */
static void
test_cache_round_trip(void **state)
{
	const char *dir = *state;
	struct sw_cache *c = NULL;
	struct sw_srcinfo a, b, got;
	char k1[SW_CACHE_KEY_MAX + 1], k2[SW_CACHE_KEY_MAX + 1], path[4200];
	char *x, *y;
	struct sw_err e;
	int fd;

	parse(&a, "1");
	parse(&b, "2");
	assert_int_equal(sw_introspect_cache_key(k1, T1, NULL, "x86_64", &e), 0);
	assert_int_equal(sw_introspect_cache_key(k2, T2, NULL, "x86_64", &e), 0);
	assert_int_equal(sw_introspect_cache_open(&c, dir, &e), 0);
	sw_srcinfo_init(&got);
	assert_int_equal(sw_introspect_cache_get(c, k1, &got, &e), 1);
	assert_int_equal(sw_introspect_cache_put(c, k1, &a, &e), 0);
	assert_int_equal(sw_introspect_cache_put(c, k2, &b, &e), 0);
	assert_int_equal(sw_introspect_cache_get(c, k1, &got, &e), 0);
	x = printed(&a);
	y = printed(&got);
	assert_string_equal(x, y);
	free(y);
	sw_srcinfo_release(&got);
	sw_introspect_cache_close(c);
	/* a bucket per first two digits of the tree; a torn record after T2's */
	snprintf(path, sizeof(path), "%s/cache/srcinfo-1/aa", dir);
	assert_int_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/cache/srcinfo-1/ab", dir);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	{
		const char *torn = "@@ " T2 ".-.x86_64 999\npkgbase";

		assert_int_equal(write(fd, torn, strlen(torn)), (ssize_t)strlen(torn));
	}
	close(fd);
	assert_int_equal(sw_introspect_cache_open(&c, dir, &e), 0);
	sw_srcinfo_init(&got);
	assert_int_equal(sw_introspect_cache_get(c, k1, &got, &e), 0);
	y = printed(&got);
	assert_string_equal(x, y);
	free(y);
	sw_srcinfo_release(&got);
	sw_srcinfo_init(&got);
	assert_int_equal(sw_introspect_cache_get(c, k2, &got, &e), 0);
	assert_non_null(y = printed(&got));
	assert_non_null(strstr(y, "pkgver = 2"));
	free(y);
	sw_srcinfo_release(&got);
	sw_introspect_cache_close(c);
	free(x);
	sw_srcinfo_release(&a);
	sw_srcinfo_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_key),
		cmocka_unit_test_setup_teardown(test_cache_round_trip,
			tu_setup_tmpdir, tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
