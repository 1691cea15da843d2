/* number: digits only, bounded, K/M/G/T suffixes, errors that quote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/number.h"

static void
expect_u64(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
	struct sw_err e;
	uint64_t v = 12345;

	if (sw_parse_u64(s, min, max, &v, &e) < 0)
		fail_msg("'%s' refused: %s", s, e.msg);
	assert_int_equal(v, want);
}

static void
refuse_u64(const char *s, uint64_t min, uint64_t max, const char *msg)
{
	struct sw_err e;
	uint64_t v = 12345;

	if (sw_parse_u64(s, min, max, &v, &e) == 0)
		fail_msg("'%s' accepted as %llu", s, (unsigned long long)v);
	assert_int_equal(v, 12345); /* untouched */
	if (msg != NULL)
		assert_string_equal(e.msg, msg);
}

static void
expect_size(const char *s, uint64_t want)
{
	struct sw_err e;
	uint64_t v = 12345;

	if (sw_parse_size(s, 0, UINT64_MAX, &v, &e) < 0)
		fail_msg("'%s' refused: %s", s, e.msg);
	assert_int_equal(v, want);
}

static void
refuse_size(const char *s, uint64_t min, uint64_t max)
{
	struct sw_err e;
	uint64_t v = 12345;

	if (sw_parse_size(s, min, max, &v, &e) == 0)
		fail_msg("'%s' accepted as %llu", s, (unsigned long long)v);
	assert_int_equal(v, 12345);
	assert_non_null(strstr(e.msg, "number '"));
}

static void
test_u64(void **state)
{
	(void)state;
	expect_u64("0", 0, 10, 0);
	expect_u64("10", 0, 10, 10);
	expect_u64("007", 0, 10, 7);
	expect_u64("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
	expect_u64("4294967296", 0, UINT64_MAX, 4294967296ULL);
}

static void
test_u64_range(void **state)
{
	(void)state;
	refuse_u64("11", 0, 10, "number '11' out of range 0..10");
	refuse_u64("9", 10, 20, "number '9' out of range 10..20");
	expect_u64("10", 10, 20, 10);
	expect_u64("20", 10, 20, 20);
	refuse_u64("21", 10, 20, NULL);
}

static void
test_u64_malformed(void **state)
{
	(void)state;
	refuse_u64("18446744073709551616", 0, UINT64_MAX,
		"invalid number '18446744073709551616': expected digits only");
	refuse_u64("99999999999999999999999", 0, UINT64_MAX, NULL);
	refuse_u64("", 0, 10, "invalid number '': expected digits only");
	refuse_u64("-1", 0, 10, NULL);
	refuse_u64("+1", 0, 10, NULL);
	refuse_u64(" 1", 0, 10, NULL);
	refuse_u64("1 ", 0, 10, NULL);
	refuse_u64("1\n", 0, 10, "invalid number '1\\x0a': expected digits only");
	refuse_u64("0x10", 0, 100, NULL);
	refuse_u64("1e3", 0, 10000, NULL);
	refuse_u64("1.0", 0, 10, NULL);
	refuse_u64("1K", 0, 10000, NULL); /* no suffix for plain numbers */
	refuse_u64("\xff", 0, 10, "invalid number '\\xff': expected digits only");
}

static void
test_size_suffixes(void **state)
{
	(void)state;
	expect_size("0", 0);
	expect_size("1024", 1024);
	expect_size("1K", 1024);
	expect_size("3M", 3ULL << 20);
	expect_size("4G", 4ULL << 30);
	expect_size("2T", 2ULL << 40);
	expect_size("0K", 0);
	expect_size("16777215T", 16777215ULL << 40);
	expect_size("18446744073709551615", UINT64_MAX);
}

static void
test_size_malformed(void **state)
{
	(void)state;
	refuse_size("4g", 0, UINT64_MAX);  /* suffixes are upper case */
	refuse_size("4k", 0, UINT64_MAX);
	refuse_size("4P", 0, UINT64_MAX);
	refuse_size("4KB", 0, UINT64_MAX);
	refuse_size("4 G", 0, UINT64_MAX);
	refuse_size("G", 0, UINT64_MAX);
	refuse_size("", 0, UINT64_MAX);
	refuse_size("-1", 0, UINT64_MAX);
	refuse_size("-1G", 0, UINT64_MAX);
	refuse_size(" 1", 0, UINT64_MAX);
	refuse_size("1 ", 0, UINT64_MAX);
	refuse_size("1.5G", 0, UINT64_MAX);
	refuse_size("KK", 0, UINT64_MAX);
	refuse_size("1KK", 0, UINT64_MAX);
	/* overflow by the shift and by the digits */
	refuse_size("16777216T", 0, UINT64_MAX);
	refuse_size("18014398509481984K", 0, UINT64_MAX);
	refuse_size("18446744073709551616", 0, UINT64_MAX);
	/* the range applies after the suffix */
	refuse_size("2T", 1024, 1ULL << 40);
	refuse_size("1023", 1024, 1ULL << 40);
}

static void
test_time(void **state)
{
	struct sw_err e;
	int64_t t = 5;

	(void)state;
	assert_int_equal(sw_parse_time("0", &t, &e), 0);
	assert_int_equal(t, 0);
	assert_int_equal(sw_parse_time("1700000000", &t, &e), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(sw_parse_time("9223372036854775807", &t, &e), 0);
	assert_true(t == INT64_MAX);
	t = 5;
	assert_int_equal(sw_parse_time("9223372036854775808", &t, &e), -1);
	assert_int_equal(sw_parse_time("-1", &t, &e), -1);
	assert_int_equal(sw_parse_time("", &t, &e), -1);
	assert_int_equal(sw_parse_time("1700000000 ", &t, &e), -1);
	assert_int_equal(t, 5);
	assert_int_equal(sw_parse_time("x", &t, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_u64_range),
		cmocka_unit_test(test_u64_malformed),
		cmocka_unit_test(test_size_suffixes),
		cmocka_unit_test(test_size_malformed),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests_name("number", tests, NULL, NULL);
}
