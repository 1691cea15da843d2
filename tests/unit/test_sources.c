/* sources: the build directory of an assignment as a tar, only for its holder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <time.h>

#include "mkpkg.h"
#include "testgit.h"
#include "core/config.h"
#include "queue/pkgstate.h"
#include "queue/statedir.h"
#include "source/gitsrc.h"
#include "source/sources.h"

#define Z "0000000000000000000000000000000000000000"

static struct sw_master_conf conf;
static struct sw_id id;

/*
 * An upstream repository with core/foo, fetched into the state's mirror;
 * foo on the build list at that commit, with its build-meta; a lease of
 * slave alpha.
 */
static int
setup(void **state)
{
	const char *cf = "[master]\nstate_dir = state\nrepo_dir = repos\n"
		"arch = x86_64\n[source up]\nurl = up\nlayout = repo/pkgbase\n"
		"[repository core]\nstaging = core-staging\n"
		"testing = core-testing\n[slave alpha]\n"
		"key = 0123456789ABCDEF0123456789ABCDEF01234567\n[slave beta]\n"
		"key = 0123456789ABCDEF0123456789ABCDEF01234567\n";
	struct sw_locked l = { "alpha", 0, 0, "building" };
	struct sw_statedir sd;
	struct sw_gitsrc *g = NULL;
	struct sw_buf b = SW_BUF_INIT;
	char commit[SW_COMMIT_MAX + 1];
	struct sw_err e;

	tdir_setup(state);
	tu_git_init(tpath(0, "up"));
	tu_put(tpath(0, "up"), "core/foo/PKGBUILD", "pkgname=foo\n");
	tu_put(tpath(0, "up"), "core/foo/foo.install", "post_install() { :; }\n");
	tu_commit(tpath(0, "up"), "one");
	tu_write(tpath(0, "master.conf"), cf, strlen(cf));
	memset(&conf, 0, sizeof(conf));
	if (sw_master_conf_load(tpath(0, "master.conf"), &conf, &e) < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(sw_statedir_open(&sd, conf.state_dir, &e), 0);
	sw_statedir_release(&sd);
	assert_int_equal(sw_gitsrc_mirror_path(&b, conf.state_dir, "up", NULL,
		&e), 0);
	assert_int_equal(sw_gitsrc_open(&g, b.data, true, &e), 0);
	if (sw_gitsrc_fetch(g, tpath(0, "up"), "main", commit, &e) < 0)
		fail_msg("%s", e.msg);
	sw_gitsrc_close(g);
	assert_int_equal(sw_id_from_fields(&id, "foo", commit, Z, "core", &e), 0);
	sw_buf_reset(&b);
	assert_int_equal(sw_buf_addf(&b, "foo %s %s core\n", commit, Z), 0);
	tu_write(tpath(0, "state/build-list"), b.data, b.len);
	tu_write_str(tpath(0, "state/build-meta"),
		"foo core up core/foo - 1-1 foo -\n");
	l.lease_start = l.heartbeat = (int64_t)time(NULL);
	assert_int_equal(sw_pkgstate_write_locked(conf.state_dir, &id, &l, NULL,
		&e), 0);
	sw_buf_release(&b);
	return 0;
}

static int
teardown(void **state)
{
	sw_master_conf_release(&conf);
	return tdir_teardown(state);
}

/* Runs sw_sources_write into a file; *names gets its members, one a line. */
static enum sw_sources_result
sources(const struct sw_id *which, const char *slave, struct sw_buf *names,
	struct sw_err *e)
{
	int fd = open(tpath(1, "out.tar"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	enum sw_sources_result r;
	struct archive *a;
	struct archive_entry *ae;

	assert_true(fd >= 0);
	r = sw_sources_write(&conf, which, slave, fd, (int64_t)time(NULL), e);
	close(fd);
	sw_buf_reset(names);
	if (r != SW_SOURCES_OK)
		return r;
	a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_filename(a, tpath(1, "out.tar"),
		10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK)
		sw_buf_addf(names, "%s\n", archive_entry_pathname(ae));
	archive_read_free(a);
	return r;
}

static void
test_holder_and_admin(void **state)
{
	struct sw_buf names = SW_BUF_INIT;
	struct sw_err e;

	(void)state;
	if (sources(&id, "alpha", &names, &e) != SW_SOURCES_OK)
		fail_msg("%s", e.msg);
	assert_string_equal(names.data, "PKGBUILD\nfoo.install\n");
	assert_int_equal(sources(&id, NULL, &names, &e), SW_SOURCES_OK);
	assert_string_equal(names.data, "PKGBUILD\nfoo.install\n");
	sw_buf_release(&names);
}

static void
test_not_yours(void **state)
{
	struct sw_buf names = SW_BUF_INIT;
	struct sw_id other = id;
	struct sw_err e;
	size_t len;
	char *s;

	(void)state;
	/* another slave; an id not exactly on the list, even for an admin */
	assert_int_equal(sources(&id, "beta", &names, &e), SW_SOURCES_NOT_YOURS);
	memcpy(other.src, Z, sizeof(Z));
	assert_int_equal(sources(&other, NULL, &names, &e), SW_SOURCES_NOT_YOURS);
	/* and nothing was written for them */
	s = read_bytes(tpath(1, "out.tar"), &len);
	assert_int_equal(len, 0);
	free(s);
	sw_buf_release(&names);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_holder_and_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_yours, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
