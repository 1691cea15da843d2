/* bump: the published list, the count rule and the bumped versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vercmp.h"
#include "queue/bump.h"
#include "testutil.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"

static void
entry(struct sw_buildmeta_entry *m, const char *pkgbase, const char *repo,
	const char *version)
{
	memset(m, 0, sizeof(*m));
	sw_strvec_init(&m->pkgnames);
	sw_strvec_init(&m->deps);
	snprintf(m->pkgbase, sizeof(m->pkgbase), "%s", pkgbase);
	snprintf(m->repo, sizeof(m->repo), "%s", repo);
	snprintf(m->source, sizeof(m->source), "up");
	snprintf(m->path, sizeof(m->path), "%s/%s", repo, pkgbase);
	snprintf(m->version, sizeof(m->version), "%s", version);
	assert_int_equal(sw_strvec_push(&m->pkgnames, pkgbase), 0);
}

/* Records pkgbase in repo at version, built with bump. */
static void
record(struct sw_publist *l, const char *pkgbase, const char *repo,
	const char *version, unsigned bump)
{
	struct sw_buildmeta_entry m;
	struct sw_id id;
	struct sw_err e;

	entry(&m, pkgbase, repo, version);
	assert_int_equal(sw_id_from_fields(&id, pkgbase, C1, C2, repo, &e), 0);
	assert_int_equal(sw_id_set_bump(&id, bump, &e), 0);
	assert_int_equal(sw_publist_record(l, &id, &m, &e), 0);
	sw_buildmeta_entry_release(&m);
}

static unsigned
next(const struct sw_publist *l, const char *pkgbase, const char *repo,
	const char *version, int want_r)
{
	struct sw_err e;
	unsigned b = 77;

	assert_int_equal(sw_bump_next(l, pkgbase, repo, version, &b, &e), want_r);
	return b;
}

static void
test_rule(void **state)
{
	struct sw_publist l = { NULL, 0, 0 };

	(void)state;
	/* never published: no bump */
	assert_int_equal(next(&l, "foo", "core", "1.0-2", 0), 0);
	record(&l, "foo", "core", "1.0-2", 0);
	/* the same version again: bump 1, then (once 2.1 is out) 2 */
	assert_int_equal(next(&l, "foo", "core", "1.0-2", 0), 1);
	record(&l, "foo", "core", "1.0-2", 1);
	assert_int_equal(l.n, 1);
	assert_int_equal(next(&l, "foo", "core", "1.0-2", 0), 2);
	/* another repository line counts on its own */
	assert_int_equal(next(&l, "foo", "extra", "1.0-2", 0), 0);
	/* upstream moves pkgrel or pkgver (or epoch): the count starts again */
	assert_int_equal(next(&l, "foo", "core", "1.0-3", 0), 0);
	assert_int_equal(next(&l, "foo", "core", "1.1-2", 0), 0);
	assert_int_equal(next(&l, "foo", "core", "1:1.0-2", 0), 0);
	record(&l, "foo", "core", "1.0-3", 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(next(&l, "foo", "core", "1.0-3", 0), 1);
	/* a pkgrel with a sub-release cannot take a bump */
	record(&l, "bar", "core", "1.0-2.1", 0);
	assert_int_equal(next(&l, "bar", "core", "1.0-2.1", 1), 0);
	/* nor can a count past the last */
	record(&l, "baz", "core", "3-1", SW_BUMP_MAX);
	assert_int_equal(next(&l, "baz", "core", "3-1", 1), 0);
	sw_publist_release(&l);
}

static void
expect_version(const char *v, unsigned bump, const char *want)
{
	char out[SW_VERSION_MAX + 1];
	struct sw_err e;

	assert_int_equal(sw_bump_version(v, bump, out, sizeof(out), &e), 0);
	assert_string_equal(out, want);
}

static void
test_versions(void **state)
{
	char out[SW_VERSION_MAX + 1];
	struct sw_err e;

	(void)state;
	expect_version("1.0-2", 0, "1.0-2");
	expect_version("1.0-2", 1, "1.0-2.1");
	expect_version("2:1.0-rc1-17", 3, "2:1.0-rc1-17.3");
	expect_version("1.0-2.1", 0, "1.0-2.1");
	assert_int_equal(sw_bump_version("1.0-2.1", 1, out, sizeof(out), &e), -1);
	assert_int_equal(sw_bump_pkgrel("1:2-5", 4, out, sizeof(out), &e), 0);
	assert_string_equal(out, "5.4");
	assert_true(sw_bump_possible("1-1"));
	assert_false(sw_bump_possible("1-1.1"));
	/* pacman's order: after the pkgrel, before the next one */
	assert_true(sw_vercmp("1.0-2", "1.0-2.1") < 0);
	assert_true(sw_vercmp("1.0-2.1", "1.0-2.2") < 0);
	assert_true(sw_vercmp("1.0-2.9", "1.0-2.10") < 0);
	assert_true(sw_vercmp("1.0-2.10", "1.0-3") < 0);
	assert_true(sw_vercmp("1.0-2.9999", "1.0-3") < 0);
	assert_true(sw_vercmp("1:1.0-2.1", "1:1.0-3") < 0);
}

static void
test_round_trip(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "published"), *text;
	struct sw_publist l = { NULL, 0, 0 }, r = { NULL, 0, 0 };
	struct sw_err e;
	long i;

	/* absent: empty */
	assert_int_equal(sw_publist_read(p, &r, &e), 0);
	assert_int_equal(r.n, 0);
	record(&l, "foo", "core", "1.0-2", 3);
	record(&l, "bar", "extra", "1:2-1", 0);
	assert_int_equal(sw_publist_write(p, &l, NULL, &e), 0);
	text = tu_read(p);
	assert_string_equal(text,
		C1 " " C2 "+3 foo core up core/foo - 1.0-2 foo -\n"
		C1 " " C2 " bar extra up extra/bar - 1:2-1 bar -\n");
	free(text);
	assert_int_equal(sw_publist_read(p, &r, &e), 0);
	assert_int_equal(r.n, 2);
	i = sw_publist_find(&r, "foo", "core");
	assert_int_equal(i, 0);
	assert_int_equal(sw_id_bump(&r.v[i].id), 3);
	assert_string_equal(r.v[i].meta.version, "1.0-2");
	assert_int_equal(sw_publist_find(&r, "foo", "extra"), -1);
	sw_publist_release(&r);
	sw_publist_release(&l);
	free(p);
}

static void
refuse(const char *dir, const char *content, const char *msg)
{
	char *p = tu_path(dir, "published"), want[SW_ERR_MAX];
	struct sw_publist l;
	struct sw_err e;

	tu_write_str(p, content);
	if (sw_publist_read(p, &l, &e) == 0)
		fail_msg("accepted: '%s'", content);
	snprintf(want, sizeof(want), "%s:%s", p, msg);
	assert_string_equal(e.msg, want);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	free(p);
}

static void
test_malformed(void **state)
{
	const char *dir = *state;

	refuse(dir, C1 " " C2 " foo core up core/foo - 1.0-2 foo\n",
		"1: expected 10 fields, found 9");
	refuse(dir, C1 " " C2 "+0 foo core up core/foo - 1.0-2 foo -\n",
		"1: invalid revision '" C2 "+0'");
	refuse(dir, C1 "+1 " C2 " foo core up core/foo - 1.0-2 foo -\n",
		"1: invalid commit id '" C1 "+1'");
	refuse(dir, C1 " " C2 " foo core up core/foo - 1.0 foo -\n",
		"1: invalid version '1.0'");
	refuse(dir, C1 " " C2 " foo core up core/foo - 1-1 foo -\n"
		C1 " " C2 "+1 foo core up core/foo - 1-1 foo -\n",
		"2: 'foo' in 'core' is listed twice");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_versions),
		cmocka_unit_test_setup_teardown(test_round_trip, tu_setup_tmpdir,
			tu_teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_malformed, tu_setup_tmpdir,
			tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests_name("bump", tests, NULL, NULL);
}
