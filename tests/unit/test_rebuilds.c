/* rebuilds: the reasons file, stale lines, and queueing the farm's rebuilds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue/rebuilds.h"
#include "testutil.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define C3 "3333333333333333333333333333333333333333"

static void
mkid(struct sw_id *id, const char *pkgbase, const char *mod, const char *repo)
{
	struct sw_err e;

	assert_int_equal(sw_id_from_fields(id, pkgbase, C1, mod, repo, &e), 0);
}

/* pkgbase published in repo at version with bump, build-depending on deps. */
static void
publish(struct sw_publist *l, const char *pkgbase, const char *repo,
	const char *version, unsigned bump, const char *deps)
{
	struct sw_buildmeta_entry m;
	struct sw_id id;
	struct sw_err e;

	memset(&m, 0, sizeof(m));
	sw_strvec_init(&m.pkgnames);
	sw_strvec_init(&m.deps);
	snprintf(m.pkgbase, sizeof(m.pkgbase), "%s", pkgbase);
	snprintf(m.repo, sizeof(m.repo), "%s", repo);
	snprintf(m.source, sizeof(m.source), "up");
	snprintf(m.path, sizeof(m.path), "%s", pkgbase);
	snprintf(m.version, sizeof(m.version), "%s", version);
	assert_int_equal(sw_strvec_push(&m.pkgnames, pkgbase), 0);
	assert_int_equal(sw_strvec_split(&m.deps, deps), 0);
	mkid(&id, pkgbase, C2, repo);
	assert_int_equal(sw_id_set_bump(&id, bump, &e), 0);
	assert_int_equal(sw_publist_record(l, &id, &m, &e), 0);
	sw_buildmeta_entry_release(&m);
}

static void
test_file(void **state)
{
	char *p = tu_path(*state, "rebuilds"), *text;
	struct sw_rebuilds r = { NULL, 0, 0 }, back;
	struct sw_build_list l = { NULL, 0, 0 };
	struct sw_id a, b, a2;
	struct sw_err e;

	mkid(&a, "prog-a", C2 "+1", "core");
	mkid(&b, "prog-b", C2 "+3", "core");
	mkid(&a2, "prog-a", C3, "core");
	assert_int_equal(sw_rebuilds_read(p, &back, &e), 0);
	assert_int_equal(back.n, 0);
	assert_int_equal(sw_rebuilds_set(&r, &a, "rebuild: libhc.so.1 -> "
		"libhc.so.2 by hc 2-1", &e), 0);
	assert_int_equal(sw_rebuilds_set(&r, &b, "rebuild: x", &e), 0);
	assert_int_equal(sw_rebuilds_set(&r, &b, "", &e), -1);
	assert_int_equal(sw_rebuilds_set(&r, &b, "two\nlines", &e), -1);
	{
		/* the longest reason return-assignment writes fits: two sonames
		 * of 255 bytes, a pkgbase of 128, a version of 160 */
		char longest[1100];

		memset(longest, 'x', sizeof(longest));
		longest[SW_REBUILD_REASON_MAX] = '\0';
		assert_true(strlen("rebuild:  ->  by  ") + 2 * 255 + 128 + 160 <=
			SW_REBUILD_REASON_MAX);
		assert_int_equal(sw_rebuilds_set(&r, &b, longest, &e), 0);
		longest[SW_REBUILD_REASON_MAX] = 'x';
		longest[SW_REBUILD_REASON_MAX + 1] = '\0';
		assert_int_equal(sw_rebuilds_set(&r, &b, longest, &e), -1);
		tu_assert_contains(e.msg, "rebuild reason longer than");
	}
	assert_int_equal(sw_rebuilds_set(&r, &b, "rebuild: x", &e), 0);
	/* only b is on the list: a's line is stale and is not written */
	assert_int_equal(sw_buildlist_append(&l, &b, &e), 0);
	assert_int_equal(sw_rebuilds_write(p, &r, &l, NULL, &e), 0);
	text = tu_read(p);
	assert_string_equal(text, "prog-b " C1 " " C2 "+3 core rebuild: x\n");
	free(text);
	assert_int_equal(sw_buildlist_append(&l, &a, &e), 0);
	assert_int_equal(sw_rebuilds_write(p, &r, &l, NULL, &e), 0);
	assert_int_equal(sw_rebuilds_read(p, &back, &e), 0);
	assert_int_equal(back.n, 2);
	assert_string_equal(sw_rebuilds_reason(&back, &a),
		"rebuild: libhc.so.1 -> libhc.so.2 by hc 2-1");
	/* the reason belongs to that id only, not to a new revision */
	assert_null(sw_rebuilds_reason(&back, &a2));
	sw_rebuilds_release(&back);
	tu_write_str(p, "prog-a " C1 " " C2 " core x\nprog-a " C1 " " C3
		" core y\n");
	assert_int_equal(sw_rebuilds_read(p, &back, &e), -1);
	tu_assert_contains(e.msg, ":2: 'prog-a' in 'core' is listed twice");
	tu_write_str(p, "prog-a " C1 " nothex core x\n");
	assert_int_equal(sw_rebuilds_read(p, &back, &e), -1);
	tu_assert_contains(e.msg, ":1: ");
	tu_write_str(p, "prog-a " C1 " " C2 " core\n");
	assert_int_equal(sw_rebuilds_read(p, &back, &e), -1);
	tu_assert_contains(e.msg, ":1: expected 5 fields");
	sw_rebuilds_release(&r);
	sw_buildlist_release(&l);
	free(p);
}

static void
test_queue(void **state)
{
	struct sw_publist pub = { NULL, 0, 0 };
	struct sw_deletion_list del = { NULL, 0, 0 };
	struct sw_build_list l = { NULL, 0, 0 };
	struct sw_buildmeta m = { NULL, 0, 0 };
	struct sw_rebuilds r = { NULL, 0, 0 };
	struct sw_strvec notes = SW_STRVEC_INIT;
	struct sw_id pend, want;
	struct sw_err e;
	static const size_t on_mid[] = { 0 };
	const struct sw_rebuild_req req[] = {
		{ "mid", "rebuild: libhc.so.1 -> libhc.so.2 by hc 2-1", NULL, 0 },
		{ "prog", "rebuild: libhc.so.1 -> libhc.so.2 by hc 2-1", on_mid, 1 },
		{ "gone", "rebuild: g", NULL, 0 },
		{ "pending", "rebuild: p", NULL, 0 },
		{ "never", "rebuild: n", NULL, 0 },
		{ "subrel", "rebuild: s", NULL, 0 },
	};

	(void)state;
	publish(&pub, "mid", "core", "1-1", 0, "");
	publish(&pub, "prog", "core", "1.0-2", 2, "tool mid");
	publish(&pub, "gone", "core", "1-1", 0, "");
	publish(&pub, "pending", "core", "1-1", 0, "");
	publish(&pub, "subrel", "core", "1-1.5", 0, "");
	assert_int_equal(sw_deletionlist_append(&del, "gone", "core", &e), 0);
	mkid(&pend, "pending", C3, "core");
	assert_int_equal(sw_buildlist_append(&l, &pend, &e), 0);
	{
		struct sw_buildmeta_entry x;

		memset(&x, 0, sizeof(x));
		sw_strvec_init(&x.pkgnames);
		sw_strvec_init(&x.deps);
		snprintf(x.pkgbase, sizeof(x.pkgbase), "pending");
		snprintf(x.repo, sizeof(x.repo), "core");
		snprintf(x.source, sizeof(x.source), "up");
		snprintf(x.path, sizeof(x.path), "pending");
		snprintf(x.version, sizeof(x.version), "1-2");
		assert_int_equal(sw_strvec_push(&x.pkgnames, "pending"), 0);
		assert_int_equal(sw_buildmeta_add(&m, &x, &e), 0);
	}
	assert_int_equal(sw_rebuilds_queue("core", req, 6, &pub, &del, &l, &m, &r,
		&notes, &e), 0);
	/* mid and prog, in that order, after what was there */
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[1].pkgbase, "mid");
	assert_string_equal(l.v[2].pkgbase, "prog");
	mkid(&want, "prog", C2 "+3", "core");
	assert_string_equal(l.v[2].mod, want.mod);
	assert_int_equal(sw_id_bump(&l.v[1]), 1);
	/* prog waits for mid (on the list); its published "tool" is not */
	assert_int_equal(m.n, 3);
	assert_string_equal(m.v[2].pkgbase, "prog");
	assert_int_equal(m.v[2].deps.n, 1);
	assert_string_equal(m.v[2].deps.v[0], "mid");
	assert_string_equal(m.v[2].version, "1.0-2");
	assert_string_equal(sw_rebuilds_reason(&r, &l.v[2]),
		"rebuild: libhc.so.1 -> libhc.so.2 by hc 2-1");
	assert_null(sw_rebuilds_reason(&r, &pend));
	assert_int_equal(r.n, 2);
	assert_int_equal(notes.n, 6);
	tu_assert_contains(notes.v[1], "built as 1.0-2.3: rebuild: libhc.so.1");
	tu_assert_contains(notes.v[2], "'gone' in 'core' is not rebuilt "
		"(rebuild: g): it is on the deletion list");
	tu_assert_contains(notes.v[3], "on the build list already");
	tu_assert_contains(notes.v[4], "is not published");
	tu_assert_contains(notes.v[5], "cannot bump it");
	sw_strvec_release(&notes);
	/* again: everything is on the list or refused; nothing twice */
	assert_int_equal(sw_rebuilds_queue("core", req, 2, &pub, &del, &l, &m, &r,
		&notes, &e), 0);
	assert_int_equal(l.n, 3);
	sw_strvec_release(&notes);
	sw_publist_release(&pub);
	sw_deletionlist_release(&del);
	sw_buildlist_release(&l);
	sw_buildmeta_release(&m);
	sw_rebuilds_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file, tu_setup_tmpdir,
			tu_teardown_tmpdir),
		cmocka_unit_test(test_queue),
	};

	return cmocka_run_group_tests_name("rebuilds", tests, NULL, NULL);
}
