/* repocheck: a database that agrees with its directory, and each way it can differ. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mkpkg.h"
#include "repo/repocheck.h"
#include "repo/repodb.h"

static const struct mk_entry files[] = {
	{ "usr", NULL },
	{ "usr/bin", NULL },
	{ "usr/bin/tool", "#!/bin/sh\n" },
};

/* A database "core" in tdir with the packages named, written. */
static void
make_db(struct sw_repodb *db, const char *const *names, size_t n)
{
	struct sw_txn t;
	struct sw_err e;
	char path[512];
	size_t i;

	if (sw_repodb_load(db, tpath(3, "core.db.tar.gz"), true, &e) < 0)
		fail_msg("%s", e.msg);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s-1-1-x86_64.pkg.tar.zst", tdir,
			names[i]);
		mk_pkg(path, "zst", pkginfo(names[i], "1-1", NULL), -1, files, 3);
		if (sw_repodb_add(db, path, NULL, NULL, &e) < 0)
			fail_msg("%s", e.msg);
	}
	if (sw_txn_begin(&t, tpath(2, "journal"), &e) < 0 ||
	    sw_repodb_stage(db, &t, NULL, NULL, &e) < 0 ||
	    sw_txn_commit(&t, &e) < 0)
		fail_msg("%s", e.msg);
}

/* problems holds exactly one line, containing want */
static void
one_problem(const struct sw_repodb *db, bool sums, const char *want)
{
	struct sw_strvec pv = SW_STRVEC_INIT;
	struct sw_err e;

	assert_int_equal(sw_repocheck(db, NULL, NULL, sums, &pv, &e), 0);
	if (pv.n != 1 || strstr(pv.v[0], want) == NULL)
		fail_msg("%zu problems, first '%s'; expected '%s'", pv.n,
			pv.n ? pv.v[0] : "", want);
	sw_strvec_release(&pv);
}

static void
no_problem(const struct sw_repodb *db, bool sums)
{
	struct sw_strvec pv = SW_STRVEC_INIT;
	struct sw_err e;

	assert_int_equal(sw_repocheck(db, NULL, NULL, sums, &pv, &e), 0);
	if (pv.n != 0)
		fail_msg("unexpected: %s", pv.v[0]);
	sw_strvec_release(&pv);
}

static void
test_missing_and_resized(void **state)
{
	const char *const names[] = { "a", "b" };
	struct sw_repodb db;
	size_t len;
	char *data;

	(void)state;
	make_db(&db, names, 2);
	no_problem(&db, true);
	data = read_bytes(tpath(0, "a-1-1-x86_64.pkg.tar.zst"), &len);
	assert_int_equal(unlink(tpath(0, "a-1-1-x86_64.pkg.tar.zst")), 0);
	one_problem(&db, false, "'a-1-1-x86_64.pkg.tar.zst' is missing");
	tu_write(tpath(0, "a-1-1-x86_64.pkg.tar.zst"), data, len - 1);
	one_problem(&db, false, "a-1-1-x86_64.pkg.tar.zst");
	/* the same size, other bytes: only the sums tell */
	data[len - 1] ^= 0x55;
	tu_write(tpath(0, "a-1-1-x86_64.pkg.tar.zst"), data, len);
	no_problem(&db, false);
	one_problem(&db, true, "a-1-1-x86_64.pkg.tar.zst");
	free(data);
	sw_repodb_release(&db);
}

/* a package that is a link into a pool is followed */
static void
test_links_are_followed(void **state)
{
	const char *const names[] = { "p" };
	struct sw_repodb db;

	(void)state;
	make_db(&db, names, 1);
	assert_int_equal(mkdir(tpath(0, "pool"), 0755), 0);
	assert_int_equal(rename(tpath(0, "p-1-1-x86_64.pkg.tar.zst"),
		tpath(1, "pool/p-1-1-x86_64.pkg.tar.zst")), 0);
	assert_int_equal(symlink("pool/p-1-1-x86_64.pkg.tar.zst",
		tpath(0, "p-1-1-x86_64.pkg.tar.zst")), 0);
	no_problem(&db, true);
	/* a dangling link is a missing file */
	assert_int_equal(unlink(tpath(1, "pool/p-1-1-x86_64.pkg.tar.zst")), 0);
	one_problem(&db, false, "p-1-1-x86_64.pkg.tar.zst");
	sw_repodb_release(&db);
}

/* the <name>.db link must lead to the archive */
static void
test_db_link(void **state)
{
	const char *const names[] = { "q" };
	struct sw_repodb db;

	(void)state;
	make_db(&db, names, 1);
	assert_int_equal(unlink(tpath(0, "core.db")), 0);
	assert_int_equal(symlink("elsewhere.db.tar.gz", tpath(0, "core.db")), 0);
	one_problem(&db, false, "core.db");
	sw_repodb_release(&db);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tdir_setup, tdir_teardown)
	const struct CMUnitTest tests[] = {
		T(test_missing_and_resized),
		T(test_links_are_followed),
		T(test_db_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
