/* sandbox: backend command lines, the /usr merge, waiting with a tick hook. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "slave/deproot.h"
#include "slave/pkgset.h"
#include "slave/sandbox.h"

static char *
joined(const struct sw_strvec *v)
{
	struct sw_buf b = SW_BUF_INIT;
	size_t i;

	for (i = 0; i < v->n; i++)
		assert_int_equal(sw_buf_addf(&b, "%s%s", i ? " " : "", v->v[i]), 0);
	return sw_buf_detach(&b, NULL);
}

static const struct sw_sandbox dirs = {
	.startdir = "/w/build/start", .builddir = "/w/build/build",
	.srcdest = "/w/build/srcdest", .pkgdest = "/w/build/pkgdest",
	.farm_usr = NULL, .makepkg_conf = NULL, .cpu_s = 60,
	.mem_bytes = 1 << 30, .nproc = 100,
};

static void
test_command_template(void **state)
{
	struct sw_strvec a = SW_STRVEC_INIT;
	struct sw_err e;
	char *s;

	(void)state;
	assert_int_equal(sw_sandbox_command(&a, "/usr/bin/b  {builddir} "
		"--out={outdir}/x {nocheck} {srcdest} {makepkg_conf} $(reboot) ;",
		&dirs, false, &e), 0);
	s = joined(&a);
	assert_string_equal(s, "/usr/bin/b /w/build/start --out=/w/build/pkgdest/x "
		"/w/build/srcdest /etc/makepkg.conf $(reboot) ;");
	free(s);
	sw_strvec_release(&a);
	/* {nocheck} is a word of its own for the nocheck straw */
	assert_int_equal(sw_sandbox_command(&a, "/b {nocheck} x{nocheck}",
		&dirs, true, &e), 0);
	s = joined(&a);
	assert_string_equal(s, "/b --nocheck x{nocheck}");
	free(s);
	sw_strvec_release(&a);
}

static void
test_command_needs_absolute_program(void **state)
{
	struct sw_strvec a = SW_STRVEC_INIT;
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_sandbox_command(&a, "makepkg {builddir}", &dirs, false,
		&e), -1);
	assert_non_null(strstr(e.msg, "absolute path"));
	assert_int_equal(sw_sandbox_command(&a, "   ", &dirs, false, &e), -1);
	sw_strvec_release(&a);
}

static void
test_devtools(void **state)
{
	struct sw_strvec a = SW_STRVEC_INIT;
	struct sw_err e;
	char *s;

	(void)state;
	assert_int_equal(sw_sandbox_devtools(&a, "/usr/bin/makechrootpkg",
		"/var/lib/archbuild/x", true, &e), 0);
	s = joined(&a);
	assert_string_equal(s, "/usr/bin/makechrootpkg -c -r /var/lib/archbuild/x "
		"-- --noconfirm --holdver --nocheck");
	free(s);
	sw_strvec_release(&a);
}

/* the argument right after the first occurrence of flag+value pair, or NULL */
static bool
has_seq(const struct sw_strvec *a, const char *x, const char *y, const char *z)
{
	size_t i;

	for (i = 0; i + 2 < a->n; i++)
		if (strcmp(a->v[i], x) == 0 && strcmp(a->v[i + 1], y) == 0 &&
		    (z == NULL || strcmp(a->v[i + 2], z) == 0))
			return true;
	return false;
}

static void
test_bwrap_network_only_for_download(void **state)
{
	const char *const cmd[] = { "/usr/bin/makepkg", "--nodeps", NULL };
	struct sw_strvec a = SW_STRVEC_INIT;
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_sandbox_bwrap(&a, "/usr/bin/bwrap", &dirs, false, cmd,
		&e), 0);
	assert_true(sw_strvec_contains(&a, "--unshare-all"));
	assert_false(sw_strvec_contains(&a, "--share-net"));
	assert_true(has_seq(&a, "--uid", SW_SANDBOX_UID, NULL));
	assert_true(has_seq(&a, "--ro-bind", "/usr", "/usr"));
	assert_true(has_seq(&a, "--bind", "/w/build/build", "/build"));
	assert_true(sw_strvec_contains(&a, "--cpu=60"));
	assert_true(sw_strvec_contains(&a, "--as=1073741824"));
	assert_true(sw_strvec_contains(&a, "--nproc=100"));
	assert_string_equal(a.v[a.n - 1], "--nodeps");
	sw_strvec_release(&a);
	assert_int_equal(sw_sandbox_bwrap(&a, "/usr/bin/bwrap", &dirs, true, cmd,
		&e), 0);
	assert_true(sw_strvec_contains(&a, "--share-net"));
	assert_false(sw_strvec_contains(&a, SW_SANDBOX_SETTINGS));
	assert_false(sw_strvec_contains(&a, SW_SANDBOX_LOG));
	sw_strvec_release(&a);
}

/* The sandbox of a package's settings and its after-build hooks. */
static void
test_bwrap_settings(void **state)
{
	const char *const cmd[] = { SW_SANDBOX_SETTINGS "/on-success",
		SW_SANDBOX_LOG, NULL };
	struct sw_sandbox d = dirs;
	struct sw_strvec a = SW_STRVEC_INIT;
	struct sw_err e;
	size_t i;

	(void)state;
	d.settings = "/w/build/settings";
	assert_int_equal(sw_sandbox_bwrap(&a, "/usr/bin/bwrap", &d, false, cmd,
		&e), 0);
	assert_true(has_seq(&a, "--ro-bind", "/w/build/settings",
		SW_SANDBOX_SETTINGS));
	assert_true(has_seq(&a, "--bind", "/w/build/start", "/startdir"));
	/* no log bound without d.log: /build.log is only the argument */
	for (i = 0; i + 1 < a.n; i++)
		assert_string_not_equal(a.v[i], SW_SANDBOX_LOG);
	sw_strvec_release(&a);
	/* the hooks: every build directory read-only, the log beside them */
	d.readonly = true;
	d.log = "/w/build/straw.log";
	assert_int_equal(sw_sandbox_bwrap(&a, "/usr/bin/bwrap", &d, false, cmd,
		&e), 0);
	assert_true(has_seq(&a, "--ro-bind", "/w/build/start", "/startdir"));
	assert_true(has_seq(&a, "--ro-bind", "/w/build/build", "/build"));
	assert_true(has_seq(&a, "--ro-bind", "/w/build/srcdest", "/srcdest"));
	assert_true(has_seq(&a, "--ro-bind", "/w/build/pkgdest", "/pkgdest"));
	assert_false(has_seq(&a, "--bind", "/w/build/pkgdest", "/pkgdest"));
	assert_true(has_seq(&a, "--ro-bind", "/w/build/straw.log", SW_SANDBOX_LOG));
	assert_string_equal(a.v[a.n - 1], SW_SANDBOX_LOG);
	sw_strvec_release(&a);
}

static void
mk(const char *dir, const char *rel, bool isdir)
{
	char *p = tu_path(dir, rel);

	if (isdir)
		assert_int_equal(mkdir(p, 0755), 0);
	else
		tu_write_str(p, rel);
	free(p);
}

static void
test_usr_merge(void **state)
{
	const char *t = *state;
	struct sw_strvec a = SW_STRVEC_INIT;
	struct sw_err e;
	char *host = tu_path(t, "host"), *farm = tu_path(t, "farm"), *p;

	mk(t, "host", true);
	mk(t, "host/bin", true);
	mk(t, "host/bin/sh", false);
	mk(t, "host/lib", true);
	mk(t, "host/lib/libc.so", false);
	mk(t, "host/lib/libz.so", false);
	mk(t, "host/share", true);
	mk(t, "farm", true);
	mk(t, "farm/lib", true);
	mk(t, "farm/lib/libfoo.so.1", false);
	mk(t, "farm/lib/libz.so", false);
	mk(t, "farm/include", true);
	p = tu_path(t, "farm/lib/libfoo.so");
	assert_int_equal(symlink("libfoo.so.1", p), 0);
	free(p);
	assert_int_equal(sw_sandbox_usr_merge(&a, host, farm, "/usr", &e), 0);
	/* a directory only one side has is one bind */
	p = tu_path(host, "bin");
	assert_true(has_seq(&a, "--ro-bind", p, "/usr/bin"));
	free(p);
	p = tu_path(farm, "include");
	assert_true(has_seq(&a, "--ro-bind", p, "/usr/include"));
	free(p);
	/* both have lib: a directory of binds, the farm winning libz.so */
	assert_true(has_seq(&a, "--dir", "/usr/lib", NULL));
	p = tu_path(farm, "lib/libz.so");
	assert_true(has_seq(&a, "--ro-bind", p, "/usr/lib/libz.so"));
	free(p);
	p = tu_path(host, "lib/libz.so");
	assert_false(sw_strvec_contains(&a, p));
	free(p);
	p = tu_path(host, "lib/libc.so");
	assert_true(has_seq(&a, "--ro-bind", p, "/usr/lib/libc.so"));
	free(p);
	assert_true(has_seq(&a, "--symlink", "libfoo.so.1", "/usr/lib/libfoo.so"));
	sw_strvec_release(&a);
	free(host);
	free(farm);
}

static int
stop_at_third(void *arg, const char *phase)
{
	int *n = arg;

	assert_string_equal(phase, "building");
	return ++*n >= 3;
}

static void
test_wait_abort_and_deadline(void **state)
{
	struct sw_build_hooks h = { stop_at_third, NULL };
	struct sw_child c;
	struct sw_err e;
	int n = 0, status;

	(void)state;
	h.arg = &n;
	sw_child_init(&c, "/bin/sleep");
	assert_int_equal(sw_strvec_push(&c.argv, "sleep"), 0);
	assert_int_equal(sw_strvec_push(&c.argv, "600"), 0);
	assert_int_equal(sw_child_start(&c, &e), 0);
	assert_int_equal(sw_sandbox_wait(&c, 0, &h, "building", &status, &e), 2);
	assert_int_equal(n, 3);
	assert_int_equal(status, 128 + 9);
	sw_child_release(&c);
	/* a deadline already passed: killed at once */
	sw_child_init(&c, "/bin/sleep");
	assert_int_equal(sw_strvec_push(&c.argv, "sleep"), 0);
	assert_int_equal(sw_strvec_push(&c.argv, "600"), 0);
	assert_int_equal(sw_child_start(&c, &e), 0);
	assert_int_equal(sw_sandbox_wait(&c, sw_sandbox_now_ms() - 1, NULL,
		"building", &status, &e), 1);
	sw_child_release(&c);
	/* a child that exits: its status */
	sw_child_init(&c, "/bin/false");
	assert_int_equal(sw_child_start(&c, &e), 0);
	assert_int_equal(sw_sandbox_wait(&c, 0, NULL, "building", &status, &e), 0);
	assert_int_equal(status, 1);
	sw_child_release(&c);
}

static void
test_pacman_errors(void **state)
{
	struct sw_strvec missing = SW_STRVEC_INIT;
	char other[64];

	(void)state;
	assert_int_equal(sw_deproot_parse_errors(
		"warning: x\nerror: target not found: libfoo\n"
		"error: target not found: bar\nerror: target not found: libfoo\n",
		&missing, other, sizeof(other)), 0);
	assert_int_equal(missing.n, 2);
	assert_string_equal(missing.v[0], "libfoo");
	assert_string_equal(missing.v[1], "bar");
	assert_string_equal(other, "");
	sw_strvec_release(&missing);
	assert_int_equal(sw_deproot_parse_errors(
		"error: failed to prepare transaction (could not satisfy dependencies)\n"
		":: unable to satisfy dependency 'ghost' required by libbar\n",
		&missing, other, sizeof(other)), 0);
	assert_int_equal(missing.n, 0);
	assert_string_equal(other, "unable to satisfy dependency 'ghost' required by libbar");
	/* cut to size, never past it */
	assert_int_equal(sw_deproot_parse_errors("error: 0123456789\n", &missing,
		other, 5), 0);
	assert_string_equal(other, "0123");
	sw_strvec_release(&missing);
}

static void
pkginfo(struct sw_pkginfo *p, const char *version, const char *names)
{
	sw_pkginfo_init(p);
	snprintf(p->version, sizeof(p->version), "%s", version);
	assert_int_equal(sw_strvec_split(&p->pkgnames, names), 0);
}

static void
test_pkgset(void **state)
{
	const char *t = *state;
	struct sw_strvec files = SW_STRVEC_INIT;
	struct sw_pkginfo p;
	struct sw_err e;
	char *f;

	pkginfo(&p, "1:2.0-3", "a b");
	mk(t, "a-1:2.0-3-x86_64.pkg.tar.zst", false);
	assert_int_equal(sw_pkgset_check(t, "ab", &p, "x86_64", &files, &e), 1);
	assert_non_null(strstr(e.msg, "did not make package 'b'"));
	mk(t, "b-1:2.0-3-any.pkg.tar.zst", false);
	sw_strvec_release(&files);
	assert_int_equal(sw_pkgset_check(t, "ab", &p, "x86_64", &files, &e), 0);
	assert_int_equal(files.n, 2);
	/* makepkg's debug package of pkgbase ab is taken too */
	mk(t, "ab-debug-1:2.0-3-x86_64.pkg.tar.zst", false);
	sw_strvec_release(&files);
	assert_int_equal(sw_pkgset_check(t, "ab", &p, "x86_64", &files, &e), 0);
	assert_int_equal(files.n, 3);
	assert_true(sw_strvec_contains(&files, "ab-debug-1:2.0-3-x86_64.pkg.tar.zst"));
	/* another version of a, an unknown package, a wrong arch, a signature,
	 * the debug package of another pkgbase or of another version */
	const char *const bad[] = { "a-1:2.0-4-x86_64.pkg.tar.zst",
		"c-1:2.0-3-x86_64.pkg.tar.zst", "b-1:2.0-3-i686.pkg.tar.zst",
		"a-1:2.0-3-x86_64.pkg.tar.zst.sig", "notes.txt",
		"a-debug-1:2.0-3-x86_64.pkg.tar.zst",
		"ab-debug-1:2.0-4-x86_64.pkg.tar.zst", NULL };
	for (size_t i = 0; bad[i]; i++) {
		f = tu_path(t, bad[i]);
		tu_write_str(f, "x");
		sw_strvec_release(&files);
		assert_int_equal(sw_pkgset_check(t, "ab", &p, "x86_64", &files, &e), 1);
		assert_non_null(strstr(e.msg, bad[i]));
		unlink(f);
		free(f);
	}
	/* a second package file of one pkgname */
	mk(t, "a-1:2.0-3-x86_64.pkg.tar.xz", false);
	sw_strvec_release(&files);
	assert_int_equal(sw_pkgset_check(t, "ab", &p, "x86_64", &files, &e), 1);
	assert_non_null(strstr(e.msg, "twice"));
	sw_strvec_release(&files);
	sw_pkginfo_release(&p);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_template),
		cmocka_unit_test(test_command_needs_absolute_program),
		cmocka_unit_test(test_devtools),
		cmocka_unit_test(test_bwrap_network_only_for_download),
		cmocka_unit_test(test_bwrap_settings),
		T(test_usr_merge),
		cmocka_unit_test(test_wait_abort_and_deadline),
		cmocka_unit_test(test_pacman_errors),
		T(test_pkgset),
	};

	return cmocka_run_group_tests_name("sandbox", tests, NULL, NULL);
}
