/*
 * pkgdump: records of the PKGBUILD reader parsed with caps, makepkg's lint
 * rules, and the .SRCINFO built from a record (makepkg's order and
 * whitespace rules). Records are written by hand here, as the reader would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/pkgdump.h"

/* Appends each argument and its NUL; the list ends with NULL. */
static void
toks(struct sw_buf *b, ...)
{
	const char *t;
	va_list ap;

	va_start(ap, b);
	while ((t = va_arg(ap, const char *)) != NULL)
		assert_int_equal(sw_buf_add(b, t, strlen(t) + 1), 0);
	va_end(ap);
}

/* A minimal valid package: pkgname foo, 1-1, arch any, package(). */
static void
base(struct sw_buf *b)
{
	toks(b, "V", "pkgname", "s", "1", "foo", "V", "pkgbase", "s", "1", "foo",
		"V", "pkgver", "s", "1", "1", "V", "pkgrel", "s", "1", "1",
		"V", "arch", "a", "1", "any", "H", "package", NULL);
}

static char *
srcinfo_of(struct sw_buf *b)
{
	struct sw_pkgdump d;
	struct sw_srcinfo s;
	struct sw_buf out = SW_BUF_INIT;
	struct sw_err e;
	char *text;

	if (sw_pkgdump_parse(&d, b->data, b->len, &e) < 0)
		fail_msg("parse: %s", e.msg);
	if (sw_pkgdump_lint(&d, &e) < 0)
		fail_msg("lint: %s", e.msg);
	assert_int_equal(sw_pkgdump_srcinfo(&d, &s, &e), 0);
	assert_int_equal(sw_srcinfo_print(&s, &out, &e), 0);
	text = sw_buf_detach(&out, NULL);
	sw_srcinfo_release(&s);
	sw_pkgdump_release(&d);
	return text;
}

static void
test_simple(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	char *t;

	(void)state;
	base(&b);
	toks(&b, "V", "depends", "a", "2", "glibc", "zlib>=1", "V", "epoch", "s", "1",
		"0", "P", "foo", "D", NULL);
	t = srcinfo_of(&b);
	assert_string_equal(t, "pkgbase = foo\n\tpkgver = 1\n\tpkgrel = 1\n"
		"\tepoch = 0\n\tarch = any\n\tdepends = glibc\n\tdepends = zlib>=1\n"
		"\npkgname = foo\n");
	free(t);
	sw_buf_release(&b);
}

static void
test_order_arch_and_overrides(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	char *t;

	(void)state;
	toks(&b, "V", "pkgname", "a", "2", "s-a", "s-b", "V", "pkgbase", "s", "1", "s",
		"V", "pkgver", "s", "1", "2", "V", "pkgrel", "s", "1", "1",
		/* in the record's order; printed in makepkg's */
		"V", "source", "a", "1", "src.tar", "V", "arch", "a", "3", "x86_64",
		"i686", "x86_64", "V", "pkgdesc", "s", "1", "  lots   of\tspace ",
		"V", "depends_x86_64", "a", "1", "d64", "V", "makedepends", "a", "1", "m",
		"H", "package_s-a", "H", "package_s-b",
		"P", "s-a", "F", "depends", "(", "O", "depends", "0",
		"P", "s-b", "F", "pkgdesc", "\"", "O", "pkgdesc", "1", "B\nside",
		"O", "depends_x86_64", "2", "d64", "more", "D", NULL);
	t = srcinfo_of(&b);
	assert_string_equal(t, "pkgbase = s\n\tpkgdesc = lots of space\n"
		"\tpkgver = 2\n\tpkgrel = 1\n\tarch = x86_64\n\tarch = i686\n"
		"\tarch = x86_64\n\tmakedepends = m\n\tsource = src.tar\n"
		"\tdepends_x86_64 = d64\n\tdepends_x86_64 = d64\n"
		"\npkgname = s-a\n\tdepends = \n"
		"\npkgname = s-b\n\tpkgdesc = B side\n\tdepends_x86_64 = d64\n"
		"\tdepends_x86_64 = more\n");
	free(t);
	sw_buf_release(&b);
}

static void
test_normalize(void **state)
{
	char out[64];

	(void)state;
	sw_pkgdump_normalize("  a  b\t\tc\n", out);
	assert_string_equal(out, "a b c");
	sw_pkgdump_normalize(" ", out);
	assert_string_equal(out, "");
	sw_pkgdump_normalize("", out);
	assert_string_equal(out, "");
	sw_pkgdump_normalize("x", out);
	assert_string_equal(out, "x");
	sw_pkgdump_normalize("\v\fx\r", out);
	assert_string_equal(out, "x");
}

static void
lint_fails(const char *const *extra, size_t n, const char *msg)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_pkgdump d;
	struct sw_err e;
	size_t i;

	base(&b);
	for (i = 0; i < n; i++)
		assert_int_equal(sw_buf_add(&b, extra[i], strlen(extra[i]) + 1), 0);
	if (sw_pkgdump_parse(&d, b.data, b.len, &e) < 0)
		fail_msg("parse: %s", e.msg);
	if (sw_pkgdump_lint(&d, &e) == 0)
		fail_msg("lint passed, expected '%s'", msg);
	if (strstr(e.msg, msg) == NULL)
		fail_msg("'%s' does not contain '%s'", e.msg, msg);
	sw_pkgdump_release(&d);
	sw_buf_release(&b);
}

#define LINT_FAILS(msg, ...) do { \
	static const char *const x_[] = { __VA_ARGS__ }; \
	lint_fails(x_, sizeof(x_) / sizeof(x_[0]), msg); \
} while (0)

static void
test_lint(void **state)
{
	(void)state;
	LINT_FAILS("depends should be an array", "V", "depends", "s", "1", "x", "D");
	LINT_FAILS("pkgdesc should not be an array", "V", "pkgdesc", "a", "1", "x", "D");
	LINT_FAILS("depends is not allowed to be empty", "V", "depends", "a", "1", "",
		"D");
	LINT_FAILS("depends contains invalid characters: ' '", "V", "depends", "a", "1",
		"has space", "D");
	LINT_FAILS("pkgver in makedepends is not allowed to be empty", "V",
		"makedepends", "a", "1", "foo>=", "D");
	LINT_FAILS("pkgrel in conflicts must be of the form", "V", "conflicts", "a", "1",
		"foo<1-x", "D");
	LINT_FAILS("provides array cannot contain comparison", "V", "provides", "a", "1",
		"foo>1", "D");
	LINT_FAILS("optdepends contains invalid characters: ': '", "V", "optdepends", "a",
		"1", "foo:no space", "D");
	LINT_FAILS("options array contains unknown option '!fast'", "V", "options", "a",
		"1", "!fast", "D");
	LINT_FAILS("backup entry should not contain leading slash", "V", "backup", "a",
		"1", "/etc/x", "D");
	LINT_FAILS("install file (x.install) does not exist", "M", "install",
		"x.install", "D");
	LINT_FAILS("epoch must be an integer", "V", "epoch", "s", "1", "1a", "D");
	LINT_FAILS("Conflicting package() and package_foo() functions", "H",
		"package_foo", "D");
	LINT_FAILS("makedepends can not be set inside a package function", "P", "foo",
		"F", "makedepends", "(", "D");
	LINT_FAILS("depends should be an array", "P", "foo", "F", "depends", "x", "D");
	LINT_FAILS("url should not be an array", "P", "foo", "F", "url", "(", "D");
	LINT_FAILS("pkgdesc can not be architecture specific: pkgdesc_any", "V",
		"pkgdesc_any", "s", "1", "x", "D");
	LINT_FAILS("Can not provide architecture specific variables for the 'any' "
		"architecture: depends_any", "V", "depends_any", "a", "1", "x", "D");
}

static void
test_lint_basics(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_pkgdump d;
	struct sw_err e;

	(void)state;
	toks(&b, "V", "pkgname", "a", "2", "-bad", "ok", "V", "pkgver", "s", "1", "1.0",
		"V", "pkgrel", "s", "1", "1", "H", "package_-bad", "H", "package_ok", "D",
		NULL);
	assert_int_equal(sw_pkgdump_parse(&d, b.data, b.len, &e), 0);
	assert_int_equal(sw_pkgdump_lint(&d, &e), -1);
	assert_non_null(strstr(e.msg, "pkgname is not allowed to start with a hyphen"));
	sw_pkgdump_release(&d);
	sw_buf_reset(&b);
	toks(&b, "V", "pkgname", "s", "1", "a", "V", "pkgver", "s", "1", "1-2",
		"V", "pkgrel", "s", "1", "1", "D", NULL);
	assert_int_equal(sw_pkgdump_parse(&d, b.data, b.len, &e), 0);
	assert_int_equal(sw_pkgdump_lint(&d, &e), -1);
	assert_non_null(strstr(e.msg, "pkgver is not allowed to contain"));
	sw_pkgdump_release(&d);
	sw_buf_reset(&b);
	toks(&b, "V", "pkgname", "a", "2", "a", "b", "V", "pkgver", "s", "1", "1",
		"V", "pkgrel", "s", "1", "1", "H", "package_a", "D", NULL);
	assert_int_equal(sw_pkgdump_parse(&d, b.data, b.len, &e), 0);
	assert_int_equal(sw_pkgdump_lint(&d, &e), -1);
	assert_non_null(strstr(e.msg, "Missing package_b() function for split package"));
	sw_pkgdump_release(&d);
	sw_buf_reset(&b);
	toks(&b, "V", "pkgname", "s", "1", "a", "V", "pkgver", "s", "1", "1",
		"V", "pkgrel", "s", "1", "1", "V", "arch", "a", "2", "any", "x86_64",
		"D", NULL);
	assert_int_equal(sw_pkgdump_parse(&d, b.data, b.len, &e), 0);
	assert_int_equal(sw_pkgdump_lint(&d, &e), -1);
	assert_non_null(strstr(e.msg, "Can not use 'any' architecture with other"));
	sw_pkgdump_release(&d);
	sw_buf_release(&b);
}

static void
parse_fails(const char *data, size_t len, const char *msg)
{
	struct sw_pkgdump d;
	struct sw_err e;

	if (sw_pkgdump_parse(&d, data, len, &e) == 0)
		fail_msg("parsed, expected '%s'", msg);
	if (strstr(e.msg, msg) == NULL)
		fail_msg("'%s' does not contain '%s'", e.msg, msg);
	assert_int_equal(d.nvars, 0);
}

#define PF(lit, msg) parse_fails(lit, sizeof(lit) - 1, msg)

/* A PKGBUILD can write anything into its own record. */
static void
test_hostile_records(void **state)
{
	static const char many[] = "V\0x\0a\0" "65536\0";
	char *big;
	size_t i;

	(void)state;
	PF("V\0x\0a\0" "2\0only-one\0", "truncated record");
	PF("V\0x\0z\0" "0\0", "bad variable kind");
	PF("V\0x\0a\0-1\0", "");
	PF("V\0x\0a\0" "99999999\0", "");
	PF("O\0x\0" "0\0", "attribute outside a package");
	PF("F\0x\0(\0", "assignment outside a package");
	PF("Q\0", "unknown token");
	PF("D\0V\0x\0s\0" "0\0", "after the end");
	PF("D", "truncated record");
	/* more tokens than the cap */
	big = malloc(sizeof(many) + 2 * 70000);
	assert_non_null(big);
	memcpy(big, many, sizeof(many) - 1);
	for (i = 0; i < 70000; i++)
		memcpy(big + sizeof(many) - 1 + 2 * i, "x", 2);
	parse_fails(big, sizeof(many) - 1 + 2 * 70000, "truncated record");
	free(big);
	parse_fails("x", SW_PKGDUMP_MAX_SIZE + 1, "larger than");
}

static void
test_not_done(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_pkgdump d;
	struct sw_srcinfo s;
	struct sw_err e;

	(void)state;
	base(&b);
	assert_int_equal(sw_pkgdump_parse(&d, b.data, b.len, &e), 0);
	assert_false(d.done);
	assert_int_equal(sw_pkgdump_srcinfo(&d, &s, &e), -1);
	assert_non_null(strstr(e.msg, "did not finish"));
	sw_pkgdump_release(&d);
	sw_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_order_arch_and_overrides),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_lint),
		cmocka_unit_test(test_lint_basics),
		cmocka_unit_test(test_hostile_records),
		cmocka_unit_test(test_not_done),
	};

	return cmocka_run_group_tests_name("pkgdump", tests, NULL, NULL);
}
