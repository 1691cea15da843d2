/* buildlist: build and deletion lists; round trips and malformed files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "queue/buildlist.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define C64 "3333333333333333333333333333333333333333333333333333333333333333"

static void
add(struct sw_build_list *l, const char *pkgbase, const char *src,
	const char *mod, const char *repo)
{
	struct sw_id id;
	struct sw_err e;

	if (sw_id_from_fields(&id, pkgbase, src, mod, repo, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(sw_buildlist_append(l, &id, &e), 0);
}

/* Writes content to <dir>/build-list and expects reading it to fail with msg. */
static void
refuse(const char *dir, const char *content, size_t len, const char *msg)
{
	char *p = tu_path(dir, "build-list");
	struct sw_build_list l;
	struct sw_err e;
	char want[SW_ERR_MAX];

	tu_write(p, content, len);
	memset(&l, 'X', sizeof(l));
	if (sw_buildlist_read(p, &l, &e) == 0)
		fail_msg("accepted: '%s'", content);
	snprintf(want, sizeof(want), "%s/build-list:%s", dir, msg);
	assert_string_equal(e.msg, want);
	/* nothing half-read is handed back */
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	free(p);
}

#define REFUSE(dir, lit, msg) refuse(dir, lit, sizeof(lit) - 1, msg)

static void
test_missing_is_empty(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "build-list");
	struct sw_build_list l;
	struct sw_deletion_list d;
	struct sw_err e;

	assert_int_equal(sw_buildlist_read(p, &l, &e), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(sw_deletionlist_read(p, &d, &e), 0);
	assert_int_equal(d.n, 0);
	sw_buildlist_release(&l);
	sw_deletionlist_release(&d);
	assert_false(tu_exists(p)); /* reading creates nothing */
	free(p);
}

static void
test_round_trip(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "build-list"), *text;
	struct sw_build_list l = { 0 }, r;
	struct sw_err e;

	add(&l, "foo", C1, C2, "core");
	add(&l, "python3.11-bar", C64, C1, "extra-testing");
	add(&l, "foo", C2, C2, "extra"); /* same pkgbase, other repository */
	assert_int_equal(sw_buildlist_write(p, &l, NULL, &e), 0);
	text = tu_read(p);
	assert_string_equal(text,
		"foo " C1 " " C2 " core\n"
		"python3.11-bar " C64 " " C1 " extra-testing\n"
		"foo " C2 " " C2 " extra\n");
	free(text);
	assert_int_equal(tu_count_entries(dir), 1); /* no temp files left */

	assert_int_equal(sw_buildlist_read(p, &r, &e), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[1].pkgbase, "python3.11-bar");
	assert_string_equal(r.v[1].src, C64);
	assert_string_equal(r.v[1].mod, C1);
	assert_string_equal(r.v[1].repo, "extra-testing");
	assert_int_equal(sw_buildlist_find(&r, "foo", "extra"), 2);
	assert_int_equal(sw_buildlist_find(&r, "foo", "core"), 0);
	assert_int_equal(sw_buildlist_find(&r, "foo", "community"), -1);
	assert_int_equal(sw_buildlist_find(&r, "python3", "extra-testing"), -1);
	sw_buildlist_release(&r);

	/* an empty list is an empty file */
	sw_buildlist_release(&l);
	assert_int_equal(sw_buildlist_write(p, &l, NULL, &e), 0);
	text = tu_read(p);
	assert_string_equal(text, "");
	free(text);
	assert_int_equal(sw_buildlist_read(p, &r, &e), 0);
	assert_int_equal(r.n, 0);
	sw_buildlist_release(&r);
	free(p);
}

static void
test_remove_keeps_order(void **state)
{
	struct sw_build_list l = { 0 };

	(void)state;
	add(&l, "a", C1, C1, "core");
	add(&l, "b", C1, C1, "core");
	add(&l, "c", C1, C1, "core");
	add(&l, "d", C1, C1, "core");
	sw_buildlist_remove(&l, 1);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].pkgbase, "a");
	assert_string_equal(l.v[1].pkgbase, "c");
	assert_string_equal(l.v[2].pkgbase, "d");
	sw_buildlist_remove(&l, 2);
	sw_buildlist_remove(&l, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].pkgbase, "c");
	sw_buildlist_release(&l);
	assert_int_equal(l.n, 0);
}

static void
test_many(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "build-list"), name[32];
	struct sw_build_list l = { 0 }, r;
	struct sw_err e;
	size_t i;

	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "pkg%zu", i);
		add(&l, name, C1, C2, "extra");
	}
	assert_int_equal(sw_buildlist_write(p, &l, NULL, &e), 0);
	assert_int_equal(sw_buildlist_read(p, &r, &e), 0);
	assert_int_equal(r.n, 5000);
	assert_string_equal(r.v[4999].pkgbase, "pkg4999");
	assert_int_equal(sw_buildlist_find(&r, "pkg2500", "extra"), 2500);
	sw_buildlist_release(&l);
	sw_buildlist_release(&r);
	free(p);
}

static void
test_malformed(void **state)
{
	const char *dir = *state;
	char line[600];

	REFUSE(dir, "foo " C1 " " C2 " core\nbar " C1 " " C2 " core",
		"2: truncated line (no newline at the end)");
	REFUSE(dir, "foo " C1 " " C2 "\n", "1: expected 4 fields, found 3");
	REFUSE(dir, "foo " C1 " " C2 " core extra\n", "1: more than 4 fields");
	REFUSE(dir, "foo  " C1 " " C2 " core\n", "1: empty field 2");
	REFUSE(dir, "\n", "1: expected 4 fields, found 1");
	REFUSE(dir, "foo " C1 " " C2 " co\0re\n", "1: NUL byte in line");
	REFUSE(dir, "foo " C1 " HEAD core\n", "1: invalid revision 'HEAD'");
	REFUSE(dir, "foo " C1 " " C2 " core\nfoo " C1 " 12345 core\n",
		"2: invalid revision '12345'");
	REFUSE(dir, "foo " C1 " " C2 " core\n../x " C1 " " C2 " core\n",
		"2: invalid pkgbase '../x'");
	REFUSE(dir, "foo " C1 " " C2 " co.re\n", "1: invalid repository name 'co.re'");
	REFUSE(dir, "foo " C1 " " C2 " core\r\n",
		"1: invalid repository name 'core\\x0d'");
	REFUSE(dir, "foo\t" C1 " " C2 " core\n", "1: expected 4 fields, found 3");

	/* an overlong field within the line limit */
	snprintf(line, sizeof(line), "%0129d " C1 " " C2 " core\n", 0);
	{
		char *p = tu_path(dir, "build-list");
		struct sw_build_list l;
		struct sw_err e;

		tu_write_str(p, line);
		assert_int_equal(sw_buildlist_read(p, &l, &e), -1);
		tu_assert_contains(e.msg, "build-list:1: invalid pkgbase '0000");
		/* quoted, cut short */
		assert_string_equal(e.msg + strlen(e.msg) - 5, "0...'");
		assert_true(strlen(e.msg) < strlen(p) + 120);
		free(p);
	}

	/* a line far longer than any valid entry */
	memset(line, 'a', sizeof(line));
	memcpy(line + sizeof(line) - 2, "\n", 2);
	refuse(dir, line, strlen(line), "1: line longer than 336 bytes");
}

static void
test_duplicate(void **state)
{
	const char *dir = *state;

	REFUSE(dir, "foo " C1 " " C2 " core\nbar " C1 " " C2 " core\n"
		"foo " C2 " " C2 " core\n", "3: 'foo' in 'core' is listed twice");
	REFUSE(dir, "foo " C1 " " C2 " core\nfoo " C1 " " C2 " core\n",
		"2: 'foo' in 'core' is listed twice");
}

static void
test_write_refuses_duplicate(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "build-list"), *text;
	struct sw_build_list l = { 0 };
	struct sw_err e;

	tu_write_str(p, "old " C1 " " C1 " core\n");
	add(&l, "foo", C1, C2, "core");
	add(&l, "foo", C2, C2, "core");
	/* what could not be read back must not be written */
	assert_int_equal(sw_buildlist_write(p, &l, NULL, &e), -1);
	tu_assert_contains(e.msg, "'foo' in 'core' is listed twice");
	text = tu_read(p);
	assert_string_equal(text, "old " C1 " " C1 " core\n");
	free(text);
	assert_int_equal(tu_count_entries(dir), 1);
	sw_buildlist_release(&l);
	free(p);
}

/* one line moved or taken out, the others copied as they are */
static void
test_move(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "build-list"), *text;
	struct sw_err e;

	tu_write_str(p, "foo " C1 " " C2 " core\nfoo " C1 " " C2 " extra\n"
		"bar " C1 " " C2 " core\n");
	assert_int_equal(sw_buildlist_move(p, "foo", "core", true, NULL, &e), 0);
	assert_int_equal(sw_buildlist_move(p, "foo", "extra", false, NULL, &e), 0);
	assert_int_equal(sw_buildlist_move(p, "foo", "extra", false, NULL, &e), 1);
	text = tu_read(p);
	assert_string_equal(text, "bar " C1 " " C2 " core\nfoo " C1 " " C2
		" core\n");
	free(text);
	/* a symlink is refused as the reader refuses it */
	free(p);
	p = tu_path(dir, "link");
	assert_int_equal(symlink("build-list", p), 0);
	assert_int_equal(sw_buildlist_move(p, "foo", "core", false, NULL, &e), -1);
	tu_assert_contains(e.msg, "cannot open '");
	free(p);
}

static void
test_not_a_regular_file(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "build-list"), *t = tu_path(dir, "elsewhere");
	char *missing = tu_path(dir, "no/such/build-list");
	struct sw_build_list l = { 0 };
	struct sw_err e;

	tu_write_str(t, "foo " C1 " " C2 " core\n");
	assert_int_equal(symlink(t, p), 0);
	assert_int_equal(sw_buildlist_read(p, &l, &e), -1);
	tu_assert_contains(e.msg, "cannot open '");
	assert_int_equal(sw_buildlist_write(missing, &l, NULL, &e), -1);
	tu_assert_contains(e.msg, "cannot create a temporary file for '");
	free(p);
	free(t);
	free(missing);
}

static void
test_deletion_round_trip(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "deletion-list"), *text;
	struct sw_deletion_list d = { 0 }, r;
	struct sw_err e;

	assert_int_equal(sw_deletionlist_append(&d, "foo", "core", &e), 0);
	assert_int_equal(sw_deletionlist_append(&d, "bar.baz", "extra", &e), 0);
	assert_int_equal(sw_deletionlist_append(&d, "foo", "extra", &e), 0);
	assert_int_equal(sw_deletionlist_write(p, &d, NULL, &e), 0);
	text = tu_read(p);
	assert_string_equal(text, "foo core\nbar.baz extra\nfoo extra\n");
	free(text);
	assert_int_equal(sw_deletionlist_read(p, &r, &e), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[1].pkgbase, "bar.baz");
	assert_string_equal(r.v[1].repo, "extra");
	assert_int_equal(sw_deletionlist_find(&r, "foo", "extra"), 2);
	assert_int_equal(sw_deletionlist_find(&r, "bar", "extra"), -1);
	sw_deletionlist_remove(&r, 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0].pkgbase, "bar.baz");
	sw_deletionlist_release(&r);
	sw_deletionlist_release(&d);
	free(p);
}

static void
test_deletion_append_refuses(void **state)
{
	struct sw_deletion_list d = { 0 };
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_deletionlist_append(&d, "foo", "core", &e), 0);
	assert_int_equal(sw_deletionlist_append(&d, "foo", "core", &e), -1);
	assert_string_equal(e.msg, "'foo' in 'core' is listed twice");
	assert_int_equal(sw_deletionlist_append(&d, "../foo", "core", &e), -1);
	assert_string_equal(e.msg, "invalid pkgbase '../foo'");
	assert_int_equal(sw_deletionlist_append(&d, "foo", "a/b", &e), -1);
	assert_string_equal(e.msg, "invalid repository name 'a/b'");
	assert_int_equal(d.n, 1);
	sw_deletionlist_release(&d);
}

static void
test_deletion_malformed(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "deletion-list");
	struct sw_deletion_list d;
	struct sw_err e;
	char want[SW_ERR_MAX];
	size_t i;
	static const struct {
		const char *content, *msg;
	} cases[] = {
		{ "foo core\nbar core", "2: truncated line (no newline at the end)" },
		{ "foo\n", "1: expected 2 fields, found 1" },
		{ "foo core x\n", "1: more than 2 fields" },
		{ "foo core\nbar extra\nfoo core\n", "3: 'foo' in 'core' is listed twice" },
		{ "$(id) core\n", "1: invalid pkgbase '$(id)'" },
		{ "foo Core\n", "1: invalid repository name 'Core'" },
	};

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tu_write_str(p, cases[i].content);
		if (sw_deletionlist_read(p, &d, &e) == 0)
			fail_msg("accepted: '%s'", cases[i].content);
		snprintf(want, sizeof(want), "%s:%s", p, cases[i].msg);
		assert_string_equal(e.msg, want);
		assert_int_equal(d.n, 0);
		assert_null(d.v);
	}
	tu_write(p, "foo\0 core\n", 10);
	assert_int_equal(sw_deletionlist_read(p, &d, &e), -1);
	tu_assert_contains(e.msg, "deletion-list:1: NUL byte in line");
	free(p);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_missing_is_empty),
		T(test_round_trip),
		cmocka_unit_test(test_remove_keeps_order),
		T(test_many),
		T(test_malformed),
		T(test_duplicate),
		T(test_write_refuses_duplicate),
		T(test_not_a_regular_file),
		T(test_move),
		T(test_deletion_round_trip),
		cmocka_unit_test(test_deletion_append_refuses),
		T(test_deletion_malformed),
	};

	return cmocka_run_group_tests_name("buildlist", tests, NULL, NULL);
}
