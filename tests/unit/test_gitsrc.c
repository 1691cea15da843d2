/* gitsrc: mirror paths, fetch into a bare mirror, and reading it back (real git). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "source/gitsrc.h"
#include "testutil.h"
#include "testgit.h"

static void
test_mirror_paths(void **state)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_gitsrc_mirror_path(&b, "/s", "up", NULL, &e), 0);
	assert_string_equal(b.data, "/s/git/up.git");
	assert_int_equal(sw_gitsrc_mirror_path(&b, "/s", "aur", "yay", &e), 0);
	assert_string_equal(b.data, "/s/git/aur/yay.git");
	assert_int_equal(sw_gitsrc_mirror_path(&b, "/s", NULL, NULL, &e), 0);
	assert_string_equal(b.data, "/s/git/" SW_CUSTOMIZATIONS ".git");
	assert_int_equal(sw_gitsrc_mirror_path(&b, "/s", "../x", NULL, &e), -1);
	assert_int_equal(sw_gitsrc_mirror_path(&b, "/s", "aur", "a/b", &e), -1);
	sw_buf_release(&b);
}

struct seen {
	char names[8][64];
	int n;
};

static int
list_fn(const char *name, enum sw_gitobj type, const char *id, void *arg)
{
	struct seen *s = arg;

	(void)id;
	if (s->n < 8)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s%s", name,
			type == SW_GIT_TREE ? "/" : "");
	return 0;
}

static int
diff_fn(const char *path, void *arg)
{
	return list_fn(path, SW_GIT_BLOB, NULL, arg);
}

static int
walk_fn(const char *rel, enum sw_gitobj type, bool exec, const char *data,
	size_t len, void *arg, struct sw_err *e)
{
	struct seen *s = arg;

	(void)exec;
	(void)e;
	if (s->n < 8)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s=%.*s", rel,
			type == SW_GIT_BLOB ? (int)(len < 40 ? len : 40) : 0,
			type == SW_GIT_BLOB ? data : "");
	return 0;
}

static void
test_fetch_and_read(void **state)
{
	const char *dir = *state;
	char up[4200], cu[4200], mirror[4200], cmirror[4200];
	char c1[SW_COMMIT_MAX + 1], c2[SW_COMMIT_MAX + 1], head[SW_COMMIT_MAX + 1];
	char cc[SW_COMMIT_MAX + 1], id[SW_COMMIT_MAX + 1];
	struct sw_gitsrc *g = NULL, *gc = NULL;
	struct sw_buf b = SW_BUF_INIT;
	struct seen s;
	enum sw_gitobj t;
	struct sw_err e;

	snprintf(up, sizeof(up), "%s/up", dir);
	snprintf(cu, sizeof(cu), "%s/custom", dir);
	snprintf(mirror, sizeof(mirror), "%s/m.git", dir);
	snprintf(cmirror, sizeof(cmirror), "%s/c.git", dir);
	mkdir(up, 0755);
	mkdir(cu, 0755);
	tu_git_init(up);
	tu_git_init(cu);
	tu_put(up, "core/foo/PKGBUILD", "pkgname=foo\npkgrel=1\n");
	tu_put(up, "core/foo/foo.conf", "upstream\n");
	tu_put(up, "extra/bar/PKGBUILD", "pkgname=bar\n");
	tu_commit(up, "one");
	tu_put(cu, "core/foo/PKGBUILD", "pkgrel=2");
	tu_put(cu, "core/foo/foo.conf", "custom\n");
	tu_put(cu, "core/foo/added", "new\n");
	tu_commit(cu, "custom");

	assert_int_equal(sw_gitsrc_open(&g, mirror, false, &e), 1);
	assert_int_equal(sw_gitsrc_open(&g, mirror, true, &e), 0);
	assert_int_equal(sw_gitsrc_head(g, head, &e), 1);
	assert_int_equal(sw_gitsrc_fetch(g, up, "main", c1, &e), 0);
	assert_int_equal(sw_gitsrc_head(g, head, &e), 0);
	assert_string_equal(head, c1);
	tu_put(up, "extra/bar/PKGBUILD", "pkgname=bar\npkgrel=2\n");
	tu_commit(up, "two");
	assert_int_equal(sw_gitsrc_fetch(g, up, NULL, c2, &e), 0);
	assert_string_not_equal(c1, c2);

	/* lookup, list, read at either commit */
	assert_int_equal(sw_gitsrc_lookup(g, c1, "core/foo", &t, id, &e), 0);
	assert_int_equal(t, SW_GIT_TREE);
	assert_int_equal(sw_gitsrc_lookup(g, c1, "core/nosuch", &t, NULL, &e), 0);
	assert_int_equal(t, SW_GIT_NONE);
	memset(&s, 0, sizeof(s));
	assert_int_equal(sw_gitsrc_list(g, c1, ".", list_fn, &s, &e), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "core/");
	assert_int_equal(sw_gitsrc_list(g, c1, "core/foo/PKGBUILD", list_fn, &s,
		&e), 1);
	assert_int_equal(sw_gitsrc_read(g, c1, "extra/bar/PKGBUILD", 1024, &b,
		&e), 0);
	assert_string_equal(b.data, "pkgname=bar\n");
	sw_buf_reset(&b);
	assert_int_equal(sw_gitsrc_read(g, c2, "extra/bar/PKGBUILD", 4, &b, &e),
		-1);
	assert_int_equal(sw_gitsrc_read(g, c2, "core", 1024, &b, &e), 1);

	/* the diff names only what changed */
	memset(&s, 0, sizeof(s));
	assert_int_equal(sw_gitsrc_diff(g, c1, c2, diff_fn, &s, &e), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.names[0], "extra/bar/PKGBUILD");
	memset(&s, 0, sizeof(s));
	assert_int_equal(sw_gitsrc_diff(g, NULL, c1, diff_fn, &s, &e), 0);
	assert_int_equal(s.n, 3);

	/* walk with customizations: appended PKGBUILD, replaced and added files */
	assert_int_equal(sw_gitsrc_open(&gc, cmirror, true, &e), 0);
	assert_int_equal(sw_gitsrc_fetch(gc, cu, "main", cc, &e), 0);
	{
		struct sw_gitsrc_dir u = { g, c1, "core/foo" };
		struct sw_gitsrc_dir c = { gc, cc, "core/foo" };
		int i, found = 0;

		memset(&s, 0, sizeof(s));
		assert_int_equal(sw_gitsrc_walk(&u, &c, 1 << 20, walk_fn, &s, &e), 0);
		for (i = 0; i < s.n; i++) {
			found += strcmp(s.names[i],
				"PKGBUILD=pkgname=foo\npkgrel=1\npkgrel=2") == 0;
			found += strcmp(s.names[i], "foo.conf=custom\n") == 0;
			found += strcmp(s.names[i], "added=new\n") == 0;
		}
		assert_int_equal(found, 3);
		/* a cap smaller than the data fails the walk */
		memset(&s, 0, sizeof(s));
		assert_int_equal(sw_gitsrc_walk(&u, &c, 8, walk_fn, &s, &e), -1);
	}
	/* .slipway/PKGBUILD.prepend: at the top, and not handed out itself */
	tu_put(cu, "core/foo/.slipway/PKGBUILD.prepend", "_x=1");
	tu_put(cu, "core/foo/.slipway/nocheck", "");
	tu_commit(cu, "settings");
	assert_int_equal(sw_gitsrc_fetch(gc, cu, "main", cc, &e), 0);
	{
		struct sw_gitsrc_dir u = { g, c1, "core/foo" };
		struct sw_gitsrc_dir c = { gc, cc, "core/foo" };
		int i, found = 0, prepend = 0;

		memset(&s, 0, sizeof(s));
		assert_int_equal(sw_gitsrc_walk(&u, &c, 1 << 20, walk_fn, &s, &e), 0);
		for (i = 0; i < s.n; i++) {
			found += strcmp(s.names[i],
				"PKGBUILD=_x=1\npkgname=foo\npkgrel=1\npkgrel=2") == 0;
			found += strcmp(s.names[i], ".slipway=") == 0;
			found += strcmp(s.names[i], ".slipway/nocheck=") == 0;
			prepend += strstr(s.names[i], "PKGBUILD.prepend") != NULL;
		}
		assert_int_equal(s.n, 5);
		assert_int_equal(found, 3);
		assert_int_equal(prepend, 0);
		/* its bytes count against the cap as well */
		memset(&s, 0, sizeof(s));
		assert_int_equal(sw_gitsrc_walk(&u, &c, 3, walk_fn, &s, &e), -1);
		assert_non_null(strstr(e.msg, "PKGBUILD.prepend"));
	}
	assert_int_equal(sw_gitsrc_lookup(g, "0123456789012345678901234567890123456789",
		".", &t, NULL, &e), -1);
	sw_gitsrc_close(g);
	sw_gitsrc_close(gc);
	sw_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mirror_paths),
		cmocka_unit_test_setup_teardown(test_fetch_and_read, tu_setup_tmpdir,
			tu_teardown_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
