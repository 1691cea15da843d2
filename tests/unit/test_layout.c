/* layout: package directories of changed paths, svntogit names, routing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "source/layout.h"

static void
expect_pb(int layout, const char *path, const char *want)
{
	char pb[SW_PKGNAME_MAX + 1];
	int r = sw_layout_pkgbase_of(layout, path, pb);

	if (want == NULL) {
		if (r != 1)
			fail_msg("'%s' gave '%s'", path, pb);
		return;
	}
	if (r != 0)
		fail_msg("'%s' gave nothing, expected '%s'", path, want);
	assert_string_equal(pb, want);
}

static void
test_pkgbase_of(void **state)
{
	(void)state;
	expect_pb(SW_LAYOUT_REPO_PKGBASE, "core/glibc/PKGBUILD", "glibc");
	expect_pb(SW_LAYOUT_REPO_PKGBASE, "extra/foo/keys/pgp/A.asc", "foo");
	expect_pb(SW_LAYOUT_REPO_PKGBASE, "core/glibc", NULL);
	expect_pb(SW_LAYOUT_REPO_PKGBASE, "README", NULL);
	expect_pb(SW_LAYOUT_REPO_PKGBASE, "core/Bad Name/PKGBUILD", NULL);
	expect_pb(SW_LAYOUT_PKGBASE, "foo/PKGBUILD", "foo");
	expect_pb(SW_LAYOUT_PKGBASE, ".github/workflows/x.yml", NULL);
	expect_pb(SW_LAYOUT_PKGBASE, "LICENSE", NULL);
	expect_pb(SW_LAYOUT_SVNTOGIT, "foo/repos/core-x86_64/PKGBUILD", "foo");
	expect_pb(SW_LAYOUT_SVNTOGIT, "foo/trunk/PKGBUILD", NULL);
	expect_pb(SW_LAYOUT_SVNTOGIT, "foo/repos/PKGBUILD", NULL);
	expect_pb(SW_LAYOUT_PER_PACKAGE, "PKGBUILD", NULL);
}

static void
test_svntogit(void **state)
{
	char repo[SW_REPO_MAX + 1];

	(void)state;
	assert_int_equal(sw_layout_svntogit_repo("core-x86_64", "x86_64", repo), 0);
	assert_string_equal(repo, "core");
	assert_int_equal(sw_layout_svntogit_repo("community-testing-any", "x86_64",
		repo), 0);
	assert_string_equal(repo, "community-testing");
	assert_int_equal(sw_layout_svntogit_repo("core-i686", "x86_64", repo), 1);
	assert_int_equal(sw_layout_svntogit_repo("core", "x86_64", repo), 1);
	assert_int_equal(sw_layout_svntogit_repo("-x86_64", "x86_64", repo), 1);
	assert_int_equal(sw_layout_svntogit_repo("Core-x86_64", "x86_64", repo), 1);
}

static void
test_route(void **state)
{
	struct sw_repo_conf repos[3];
	struct sw_master_conf c;
	struct sw_custom_list ov;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(repos, 0, sizeof(repos));
	snprintf(repos[0].sec.name, sizeof(repos[0].sec.name), "core");
	snprintf(repos[1].sec.name, sizeof(repos[1].sec.name), "extra");
	snprintf(repos[2].sec.name, sizeof(repos[2].sec.name), "community");
	repos[0].staging = "core-staging";
	repos[0].testing = "core-testing";
	repos[1].staging = "extra-staging";
	repos[1].testing = "extra-testing";
	repos[2].staging = "community-staging";
	repos[2].testing = "community-testing";
	sw_strvec_init(&repos[0].from);
	sw_strvec_init(&repos[1].from);
	sw_strvec_init(&repos[2].from);
	assert_int_equal(sw_strvec_push(&repos[2].from, "multilib"), 0);
	c.repos = repos;
	c.nrepos = 3;
	assert_string_equal(sw_route(&c, "core"), "core");
	assert_string_equal(sw_route(&c, "multilib"), "community");
	assert_null(sw_route(&c, "testing"));
	assert_null(sw_route(&c, "core-staging"));   /* only stable names */
	assert_int_equal(sw_custom_parse(&ov, "wine extra\nfoo nowhere\n", 23,
		SW_CUSTOM_REPOS, "o", NULL, NULL), 0);
	assert_string_equal(sw_route_pkg(&c, &ov, "wine", "multilib"), "extra");
	assert_string_equal(sw_route_pkg(&c, &ov, "wine", "testing"), "extra");
	assert_string_equal(sw_route_pkg(&c, &ov, "foo", "core"), "core");
	assert_string_equal(sw_route_pkg(&c, NULL, "wine", "multilib"), "community");
	sw_custom_release(&ov);
	sw_strvec_release(&repos[2].from);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkgbase_of),
		cmocka_unit_test(test_svntogit),
		cmocka_unit_test(test_route),
	};

	return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
