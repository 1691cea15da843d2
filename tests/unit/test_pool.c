/* pool: publish, link, unlink and prune, each staged in a transaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mkpkg.h"
#include "repo/pool.h"

#define PKG "foo-1-1-x86_64.pkg.tar.zst"

static void
begin(struct sw_txn *t)
{
	struct sw_err e;

	assert_int_equal(sw_txn_begin(t, tpath(3, "journal"), &e), 0);
}

static void
commit(struct sw_txn *t)
{
	struct sw_err e;

	if (sw_txn_commit(t, &e) < 0)
		fail_msg("%s", e.msg);
}

static void
test_publish_link_prune(void **state)
{
	struct sw_txn t;
	struct sw_err e;
	struct sw_buf dir = SW_BUF_INIT;
	char target[256], *a, *b;
	size_t alen, blen;
	ssize_t n;
	int pruned;

	(void)state;
	mkdir(tpath(0, "in"), 0755);
	mkdir(tpath(0, "repos"), 0755);
	tu_write(tpath(0, "in/" PKG), "package bytes", 13);
	tu_write(tpath(0, "in/" PKG ".sig"), "\x88sig", 4);

	begin(&t);
	assert_int_equal(sw_pool_publish(&t, tpath(1, "repos"), tpath(0, "in/" PKG), &e), 0);
	assert_int_equal(sw_pool_link(&t, tpath(1, "repos"), "extra-staging", "x86_64",
		PKG, &e), 0);
	assert_false(tu_exists(tpath(2, "repos/pool/" PKG)));
	commit(&t);
	a = read_bytes(tpath(0, "in/" PKG), &alen);
	b = read_bytes(tpath(0, "repos/pool/" PKG), &blen);
	assert_true(alen == blen && memcmp(a, b, alen) == 0);
	free(a);
	free(b);
	assert_true(tu_exists(tpath(2, "repos/pool/" PKG ".sig")));
	n = readlink(tpath(0, "repos/extra-staging/os/x86_64/" PKG), target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "../../../pool/" PKG);
	n = readlink(tpath(0, "repos/extra-staging/os/x86_64/" PKG ".sig"), target,
		sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	assert_string_equal(target, "../../../pool/" PKG ".sig");
	/* the link resolves to the pool file */
	a = read_bytes(tpath(0, "repos/pool/" PKG), &alen);
	free(a);
	assert_int_equal(sw_pool_repo_dir(&dir, tpath(1, "repos"), "extra-staging",
		"x86_64", &e), 0);
	assert_string_equal(dir.data, tpath(0, "repos/extra-staging/os/x86_64"));

	/* published once */
	begin(&t);
	assert_int_equal(sw_pool_publish(&t, tpath(1, "repos"), tpath(0, "in/" PKG), &e), -1);
	assert_non_null(strstr(e.msg, "already in the pool"));
	/* promotion: link into testing, unlink from staging */
	assert_int_equal(sw_pool_link(&t, tpath(1, "repos"), "extra-testing", "x86_64",
		PKG, &e), 0);
	assert_int_equal(sw_pool_unlink(&t, tpath(1, "repos"), "extra-staging", "x86_64",
		PKG, &e), 0);
	commit(&t);
	assert_false(tu_exists(tpath(2, "repos/extra-staging/os/x86_64/" PKG)));
	assert_false(tu_exists(tpath(2, "repos/extra-staging/os/x86_64/" PKG ".sig")));
	assert_true(tu_exists(tpath(2, "repos/extra-testing/os/x86_64/" PKG ".sig")));

	begin(&t);
	assert_int_equal(sw_pool_prune(&t, tpath(1, "repos"), PKG, &pruned, &e), 0);
	assert_int_equal(pruned, 0);
	assert_int_equal(sw_pool_unlink(&t, tpath(1, "repos"), "extra-testing", "x86_64",
		PKG, &e), 0);
	commit(&t);
	begin(&t);
	assert_int_equal(sw_pool_prune(&t, tpath(1, "repos"), PKG, &pruned, &e), 0);
	assert_int_equal(pruned, 1);
	commit(&t);
	assert_false(tu_exists(tpath(2, "repos/pool/" PKG)));
	assert_false(tu_exists(tpath(2, "repos/pool/" PKG ".sig")));
	sw_buf_release(&dir);
}

static void
test_refusals(void **state)
{
	struct sw_txn t;
	struct sw_err e;
	int pruned;

	(void)state;
	mkdir(tpath(0, "repos"), 0755);
	tu_write(tpath(0, PKG), "bytes", 5);
	begin(&t);
	assert_int_equal(sw_pool_publish(&t, tpath(1, "repos"), tpath(0, PKG), &e), -1);
	assert_non_null(strstr(e.msg, "no signature beside it"));
	tu_write(tpath(0, PKG ".sig"), "-----BEGIN PGP SIGNATURE-----", 29);
	assert_int_equal(sw_pool_publish(&t, tpath(1, "repos"), tpath(0, PKG), &e), -1);
	assert_non_null(strstr(e.msg, "armored"));
	assert_int_equal(sw_pool_publish(&t, tpath(1, "repos"), tpath(0, PKG ".sig"), &e), -1);
	assert_non_null(strstr(e.msg, "is a signature"));
	assert_int_equal(sw_pool_link(&t, tpath(1, "repos"), "../etc", "x86_64", PKG, &e), -1);
	assert_non_null(strstr(e.msg, "invalid repository name '../etc'"));
	assert_int_equal(sw_pool_link(&t, tpath(1, "repos"), "core", "x/86", PKG, &e), -1);
	assert_int_equal(sw_pool_unlink(&t, tpath(1, "repos"), "core", "x86_64",
		"../../etc/passwd", &e), -1);
	assert_int_equal(sw_pool_prune(&t, tpath(1, "repos"), "passwd", &pruned, &e), -1);
	assert_int_equal(t.count, 0);
	sw_txn_abort(&t);
	/* a symlinked source is not followed */
	unlink(tpath(0, PKG));
	assert_int_equal(symlink("/etc/passwd", tpath(0, PKG)), 0);
	tu_write(tpath(0, PKG ".sig"), "\x88sig", 4);
	begin(&t);
	assert_int_equal(sw_pool_publish(&t, tpath(1, "repos"), tpath(0, PKG), &e), -1);
	assert_non_null(strstr(e.msg, "cannot open"));
	sw_txn_abort(&t);
	assert_false(tu_exists(tpath(2, "repos/pool/" PKG)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_publish_link_prune, tdir_setup, tdir_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, tdir_setup, tdir_teardown),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
