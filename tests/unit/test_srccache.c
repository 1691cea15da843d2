/* srccache: source names as makepkg gives them, store, link, poison, trim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <sys/stat.h>
#include <time.h>
#include <utime.h>

#include "slave/srccache.h"

/* sha256("data\n") and md5("data\n") */
#define SHA "6667b2d1aab6a00caa5aee5af8ad9f1465e567abf1c209d15727d57b3e8f6e5f"
#define MD5 "6137cde4893c59f76f005a8123d8e8e6"

static const char srcinfo[] =
	"pkgbase = p\n"
	"\tpkgver = 1\n\tpkgrel = 1\n\tarch = x86_64\n"
	"\tsource = https://example.org/dl/data-1.tar.gz\n"
	"\tsource = renamed.txt::http://example.org/x?y=1\n"
	"\tsource = local.patch\n"
	"\tsource = git+https://example.org/repo.git#tag=v1\n"
	"\tsource = gopher://example.org/g\n"
	"\tsource = ../escape::https://example.org/e\n"
	"\tsha256sums = " SHA "\n"
	"\tsha256sums = SKIP\n"
	"\tsha256sums = SKIP\n"
	"\tsha256sums = SKIP\n"
	"\tsha256sums = SKIP\n"
	"\tsha256sums = SKIP\n"
	"\tmd5sums = " MD5 "\n"
	"\tmd5sums = not-hex\n"
	"\tsource_x86_64 = https://example.org/arch.bin\n"
	"\tsha256sums_x86_64 = " SHA "\n"
	"\tsource_i686 = https://example.org/other.bin\n"
	"\tsha256sums_i686 = " SHA "\n"
	"\npkgname = p\n";

struct fx {
	char *dir, *work, *srcdest;
	struct sw_srcinfo si;
	struct sw_srccache sc;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct sw_err e;

	x->dir = tu_tmpdir();
	x->work = tu_path(x->dir, "work");
	x->srcdest = tu_path(x->dir, "srcdest");
	assert_int_equal(mkdir(x->work, 0755), 0);
	assert_int_equal(mkdir(x->srcdest, 0755), 0);
	sw_srcinfo_init(&x->si);
	assert_int_equal(sw_srcinfo_parse(&x->si, srcinfo, sizeof(srcinfo) - 1,
		"test", &e), 0);
	assert_int_equal(sw_srccache_init(&x->sc, x->work, &e), 0);
	assert_int_equal(sw_srccache_sources(&x->sc, &x->si, "x86_64", &e), 0);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	sw_srccache_release(&x->sc);
	sw_srcinfo_release(&x->si);
	tu_rmrf(x->dir);
	free(x->dir);
	free(x->work);
	free(x->srcdest);
	free(x);
	return 0;
}

static void
test_names(void **state)
{
	struct fx *x = *state;

	/* local files, other protocols and unsafe names are makepkg's business */
	assert_int_equal(x->sc.n, 4);
	assert_string_equal(x->sc.v[0].name, "data-1.tar.gz");
	assert_string_equal(x->sc.v[0].sums[SW_SUM_SHA256], SHA);
	assert_string_equal(x->sc.v[0].sums[SW_SUM_MD5], MD5);
	assert_false(x->sc.v[0].git);
	assert_string_equal(x->sc.v[1].name, "renamed.txt");
	assert_null(x->sc.v[1].sums[SW_SUM_SHA256]);      /* SKIP */
	assert_null(x->sc.v[1].sums[SW_SUM_MD5]);         /* not hex */
	assert_string_equal(x->sc.v[2].name, "repo");
	assert_true(x->sc.v[2].git);
	assert_string_equal(x->sc.v[2].url, "git+https://example.org/repo.git");
	assert_string_equal(x->sc.v[3].name, "arch.bin");  /* only our arch */
}

static char *
sd(struct fx *x, const char *name)
{
	return tu_path(x->srcdest, name);
}

static void
test_store_then_link(void **state)
{
	struct fx *x = *state;
	struct sw_err e;
	struct stat st;
	char *p = sd(x, "data-1.tar.gz"), *c = tu_path(x->work,
		"sources/files/sha256/" SHA), *m = tu_path(x->work,
		"sources/files/md5/" MD5);

	tu_write_str(p, "data\n");
	assert_int_equal(sw_srccache_store(&x->sc, x->srcdest, &e), 0);
	assert_int_equal(stat(c, &st), 0);
	assert_int_equal(st.st_nlink, 3);     /* srcdest, sha256, md5 */
	assert_int_equal(st.st_mode & 0777, 0444);
	assert_int_equal(access(m, F_OK), 0);
	/* a fresh srcdest: the file comes back as a hard link */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(sw_srccache_link(&x->sc, x->srcdest, true, &e), 0);
	assert_true(x->sc.v[0].linked);
	assert_int_equal(stat(p, &st), 0);
	/* srcdest's data-1.tar.gz and arch.bin (same sha256), sha256, md5 */
	assert_int_equal(st.st_nlink, 4);
	/* an unchanged link is left alone by store */
	assert_int_equal(sw_srccache_store(&x->sc, x->srcdest, &e), 0);
	assert_int_equal(access(c, F_OK), 0);
	/* link(files = false): a straw that downloads afresh gets nothing */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(sw_srccache_link(&x->sc, x->srcdest, false, &e), 0);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	free(c);
	free(m);
}

static void
test_wrong_content_not_stored(void **state)
{
	struct fx *x = *state;
	struct sw_err e;
	char *p = sd(x, "data-1.tar.gz"), *c = tu_path(x->work,
		"sources/files/sha256/" SHA);

	tu_write_str(p, "forged\n");
	assert_int_equal(sw_srccache_store(&x->sc, x->srcdest, &e), 0);
	assert_int_equal(access(c, F_OK), -1);
	/* a link in srcdest is not followed either */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(sw_srccache_store(&x->sc, x->srcdest, &e), 0);
	assert_int_equal(access(c, F_OK), -1);
	free(p);
	free(c);
}

static void
test_write_through_link_drops_entry(void **state)
{
	struct fx *x = *state;
	struct sw_err e;
	char *p = sd(x, "data-1.tar.gz"), *c = tu_path(x->work,
		"sources/files/sha256/" SHA), *m = tu_path(x->work,
		"sources/files/md5/" MD5);
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	tu_write_str(p, "data\n");
	assert_int_equal(sw_srccache_store(&x->sc, x->srcdest, &e), 0);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(sw_srccache_link(&x->sc, x->srcdest, true, &e), 0);
	nanosleep(&pause, NULL);
	/* what a PKGBUILD could do to the inode it was handed */
	assert_int_equal(chmod(p, 0644), 0);
	tu_write_str(p, "poison\n");
	assert_int_equal(sw_srccache_store(&x->sc, x->srcdest, &e), 0);
	assert_int_equal(access(c, F_OK), -1);
	assert_int_equal(access(m, F_OK), -1);
	free(p);
	free(c);
	free(m);
}

static void
test_git_mirror_moves(void **state)
{
	struct fx *x = *state;
	struct sw_err e;
	char *p = sd(x, "repo"), *head = sd(x, "repo/HEAD");

	assert_int_equal(mkdir(p, 0755), 0);
	tu_write_str(head, "ref: refs/heads/main\n");
	assert_int_equal(sw_srccache_store(&x->sc, x->srcdest, &e), 0);
	assert_int_equal(access(p, F_OK), -1);      /* moved into the cache */
	assert_int_equal(sw_srccache_link(&x->sc, x->srcdest, true, &e), 0);
	assert_int_equal(access(head, F_OK), 0);    /* and back for a build */
	free(p);
	free(head);
}

static void
test_trim_by_age(void **state)
{
	struct fx *x = *state;
	struct sw_err e;
	struct timespec old[2] = { { 0, 0 }, { 0, 0 } };
	char *p = sd(x, "data-1.tar.gz"), *c = tu_path(x->work,
		"sources/files/sha256/" SHA);

	tu_write_str(p, "data\n");
	assert_int_equal(sw_srccache_store(&x->sc, x->srcdest, &e), 0);
	assert_int_equal(sw_srccache_trim(&x->sc, 1, &e), 0);
	assert_int_equal(access(c, F_OK), 0);       /* used today: kept */
	old[0].tv_sec = old[1].tv_sec = time(NULL) - 3 * 86400;
	assert_int_equal(utimensat(AT_FDCWD, c, old, 0), 0);
	assert_int_equal(sw_srccache_trim(&x->sc, 2, &e), 0);
	assert_int_equal(access(c, F_OK), -1);
	free(p);
	free(c);
}

#define F(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		F(test_names),
		F(test_store_then_link),
		F(test_wrong_content_not_stored),
		F(test_write_through_link_drops_entry),
		F(test_git_mirror_moves),
		F(test_trim_by_age),
	};

	return cmocka_run_group_tests_name("srccache", tests, NULL, NULL);
}
