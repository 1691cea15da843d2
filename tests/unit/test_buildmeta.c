/* buildmeta: round trip, and malformed lines named by file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue/buildmeta.h"
#include "core/fileio.h"

static char path[64];

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/sw-meta.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void
put(const char *s, size_t n)
{
	struct sw_err e;

	assert_int_equal(sw_file_replace(path, s, n, 0644, &e), 0);
}

static void
test_round_trip(void **state)
{
	struct sw_buildmeta m, r;
	struct sw_buildmeta_entry ent;
	struct sw_err e;

	(void)state;
	memset(&m, 0, sizeof(m));
	memset(&ent, 0, sizeof(ent));
	snprintf(ent.pkgbase, sizeof(ent.pkgbase), "python-foo");
	snprintf(ent.repo, sizeof(ent.repo), "extra");
	snprintf(ent.source, sizeof(ent.source), "upstream");
	snprintf(ent.path, sizeof(ent.path), "extra/python-foo");
	snprintf(ent.version, sizeof(ent.version), "1:2.0-1");
	sw_strvec_init(&ent.pkgnames);
	sw_strvec_init(&ent.deps);
	sw_strvec_push(&ent.pkgnames, "python-foo");
	sw_strvec_push(&ent.pkgnames, "python-foo-docs");
	sw_strvec_push(&ent.deps, "python");
	assert_int_equal(sw_buildmeta_add(&m, &ent, &e), 0);
	assert_int_equal(ent.pkgnames.n, 0);
	memset(&ent, 0, sizeof(ent));
	snprintf(ent.pkgbase, sizeof(ent.pkgbase), "yay");
	snprintf(ent.repo, sizeof(ent.repo), "community");
	snprintf(ent.source, sizeof(ent.source), "aur");
	snprintf(ent.path, sizeof(ent.path), ".");
	snprintf(ent.custom, sizeof(ent.custom), "community/yay");
	snprintf(ent.version, sizeof(ent.version), "12.0.5-1");
	sw_strvec_init(&ent.pkgnames);
	sw_strvec_init(&ent.deps);
	sw_strvec_push(&ent.pkgnames, "yay");
	assert_int_equal(sw_buildmeta_add(&m, &ent, &e), 0);
	/* the same key again is refused */
	memset(&ent, 0, sizeof(ent));
	snprintf(ent.pkgbase, sizeof(ent.pkgbase), "yay");
	snprintf(ent.repo, sizeof(ent.repo), "community");
	snprintf(ent.source, sizeof(ent.source), "aur");
	snprintf(ent.path, sizeof(ent.path), ".");
	snprintf(ent.version, sizeof(ent.version), "1-1");
	sw_strvec_init(&ent.pkgnames);
	sw_strvec_init(&ent.deps);
	sw_strvec_push(&ent.pkgnames, "yay");
	assert_int_equal(sw_buildmeta_add(&m, &ent, &e), -1);
	assert_int_equal(sw_buildmeta_write(path, &m, NULL, &e), 0);
	assert_int_equal(sw_buildmeta_read(path, &r, &e), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].version, "1:2.0-1");
	assert_int_equal(r.v[0].pkgnames.n, 2);
	assert_string_equal(r.v[0].pkgnames.v[1], "python-foo-docs");
	assert_string_equal(r.v[0].deps.v[0], "python");
	assert_string_equal(r.v[0].custom, "");
	assert_string_equal(r.v[1].custom, "community/yay");
	assert_int_equal(r.v[1].deps.n, 0);
	assert_int_equal(sw_buildmeta_find(&r, "yay", "community"), 1);
	sw_buildmeta_remove(&r, 0);
	assert_int_equal(sw_buildmeta_find(&r, "yay", "community"), 0);
	sw_buildmeta_release(&r);
	sw_buildmeta_release(&m);
}

static void
expect_error(const char *content, size_t len, const char *what)
{
	struct sw_buildmeta m;
	struct sw_err e;
	char where[96];

	put(content, len);
	assert_int_equal(sw_buildmeta_read(path, &m, &e), -1);
	snprintf(where, sizeof(where), "%s:", path);
	if (strstr(e.msg, where) == NULL || strstr(e.msg, what) == NULL)
		fail_msg("message '%s' lacks '%s' or '%s'", e.msg, where, what);
	assert_int_equal(m.n, 0);
}

#define GOOD "foo extra up extra/foo - 1.0-1 foo -\n"

static void
test_malformed(void **state)
{
	(void)state;
	expect_error(GOOD "bar extra up extra/bar - 1.0-1 bar", sizeof(GOOD) - 1 + 34,
		":2: truncated");
	expect_error(GOOD GOOD, 2 * strlen(GOOD), ":2: 'foo' in 'extra' is listed twice");
	expect_error("foo extra up ../etc - 1.0-1 foo -\n", 35, ":1: invalid tree path");
	expect_error("foo extra up /etc - 1.0-1 foo -\n", 33, ":1: invalid tree path");
	expect_error("foo extra up extra/foo - 1.0 foo -\n", 35, ":1: invalid version");
	expect_error("foo extra up extra/foo - 1.0-1 , -\n", 35, ":1: invalid pkgname");
	expect_error("foo extra up extra/foo - 1.0-1 foo, -\n", 38, ":1: list ends in ','");
	expect_error("foo extra up extra/foo - 1.0-1 foo\n", 35, ":1: expected 8 fields");
	expect_error("foo extra up extra/foo - 1.0-1 foo - x\n", 39, ":1: more than 8 fields");
	expect_error("foo extra up extra/f\0o - 1.0-1 foo -\n", 37, ":1: NUL byte");
	expect_error("Foo extra up extra/foo - 1.0-1 foo -\n", 37, ":1: invalid pkgbase");
}

static void
test_missing_is_empty(void **state)
{
	struct sw_buildmeta m;
	struct sw_err e;

	(void)state;
	unlink(path);
	assert_int_equal(sw_buildmeta_read(path, &m, &e), 0);
	assert_int_equal(m.n, 0);
}

/* one entry read or moved without the others being parsed */
static void
test_lookup_and_move(void **state)
{
	static const char d[] = "foo core up foo - 1-1 foo -\n"
		"foo extra up foo - 2-1 foo,foo-docs bar\n"
		"broken extra\n"
		"nopkg extra up nopkg - 1-1 - -\n";
	struct sw_buildmeta_entry ent;
	struct sw_buildmeta m;
	struct sw_err e;

	(void)state;
	put(d, sizeof(d) - 1);
	assert_int_equal(sw_buildmeta_lookup(path, "foo", "extra", &ent, &e), 1);
	assert_string_equal(ent.version, "2-1");
	assert_int_equal(ent.pkgnames.n, 2);
	assert_string_equal(ent.pkgnames.v[1], "foo-docs");
	assert_int_equal(ent.deps.n, 1);
	sw_buildmeta_entry_release(&ent);
	assert_int_equal(sw_buildmeta_lookup(path, "bar", "extra", &ent, &e), 0);
	/* its own line is checked, with its number */
	assert_int_equal(sw_buildmeta_lookup(path, "broken", "extra", &ent, &e), -1);
	assert_non_null(strstr(e.msg, ":3: expected 8 fields"));
	assert_int_equal(sw_buildmeta_lookup(path, "nopkg", "extra", &ent, &e), -1);
	assert_non_null(strstr(e.msg, ":4: "));
	assert_non_null(strstr(e.msg, "'-'"));
	/* moved last, then out; the broken line stays as it was */
	assert_int_equal(sw_buildmeta_move(path, "foo", "core", true, NULL, &e), 0);
	assert_int_equal(sw_buildmeta_move(path, "nopkg", "extra", false, NULL,
		&e), 0);
	assert_int_equal(sw_buildmeta_move(path, "broken", "extra", false, NULL,
		&e), 0);
	assert_int_equal(sw_buildmeta_move(path, "broken", "extra", false, NULL,
		&e), 1);
	assert_int_equal(sw_buildmeta_read(path, &m, &e), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.v[0].repo, "extra");
	assert_string_equal(m.v[1].repo, "core");
	sw_buildmeta_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_and_move, setup, teardown),
	};

	return cmocka_run_group_tests_name("buildmeta", tests, NULL, NULL);
}
