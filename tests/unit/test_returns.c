/*
 * returns: every refusal of return-assignment leaves the master's state as
 * it was: not the caller's lease, an unacceptable upload, a missing or bad
 * signature, a package set that is not the PKGBUILD's, and logs that are
 * not logs. With a real scratch key for the slave.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <time.h>

#include "mkpkg.h"
#include "core/config.h"
#include "core/run.h"
#include "queue/pkgstate.h"
#include "queue/statedir.h"
#include "repo/returns.h"
#include "repo/sign.h"

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define Z  "0000000000000000000000000000000000000000"
#define LIST "foo " C1 " " Z " extra\n"
#define META "foo extra up foo - 1-1 foo -\n"
#define PKG "foo-1-1-x86_64.pkg.tar.zst"

static char fpr[SW_FPR_MAX + 1];
static struct sw_master_conf conf;
static const struct sw_id id = { "foo", C1, Z, "extra" };

static void
run(const char *prog, const char *const *args)
{
	struct sw_child c;
	struct sw_err e;
	int status, i;

	sw_child_init(&c, prog);
	for (i = 0; args[i]; i++)
		sw_strvec_push(&c.argv, args[i]);
	if (sw_child_run(&c, &status, &e) < 0 || status != 0)
		fail_msg("%s %s failed", prog, args[1]);
	sw_child_release(&c);
}

static int
group_setup(void **state)
{
	struct sw_child c;
	struct sw_buf out = SW_BUF_INIT, cf = SW_BUF_INIT;
	struct sw_err e;
	const char *home;
	char *p;
	int status;

	tdir_setup(state);
	home = tpath(0, "gpg");
	mkdir(home, 0700);
	{
		const char *gen[] = { "gpg", "--homedir", home, "--batch",
			"--pinentry-mode", "loopback", "--passphrase", "",
			"--quick-gen-key", "slave <s@example.org>", "ed25519", "sign",
			"never", NULL };

		run("/usr/bin/gpg", gen);
	}
	sw_child_init(&c, "/usr/bin/gpg");
	sw_strvec_push(&c.argv, "gpg");
	sw_strvec_push(&c.argv, "--homedir");
	sw_strvec_push(&c.argv, home);
	sw_strvec_push(&c.argv, "--with-colons");
	sw_strvec_push(&c.argv, "--list-secret-keys");
	if (sw_child_capture(&c, &out, &status, &e) < 0 || status != 0)
		fail_msg("cannot list keys");
	p = strstr(out.data, "\nfpr:::::::::");
	assert_non_null(p);
	memcpy(fpr, p + 13, 40);
	sw_child_release(&c);
	sw_buf_release(&out);
	assert_int_equal(sw_buf_addf(&cf, "[master]\nstate_dir = state\n"
		"repo_dir = repos\narch = x86_64\ngnupg_home = gpg\n"
		"[repository extra]\nstaging = extra-staging\n"
		"testing = extra-testing\n[slave alpha]\nkey = %s\n"
		"[slave beta]\nkey = %s\n", fpr, fpr), 0);
	tu_write(tpath(0, "master.conf"), cf.data, cf.len);
	sw_buf_release(&cf);
	memset(&conf, 0, sizeof(conf));
	if (sw_master_conf_load(tpath(0, "master.conf"), &conf, &e) < 0)
		fail_msg("%s", e.msg);
	return 0;
}

static int
group_teardown(void **state)
{
	const char *kill[] = { "gpgconf", "--homedir", tpath(0, "gpg"), "--kill",
		"all", NULL };

	run("/usr/bin/gpgconf", kill);
	sw_master_conf_release(&conf);
	return tdir_teardown(state);
}

/* A fresh state: foo on the list, its build-meta, alpha's lease. */
static int
setup(void **state)
{
	struct sw_statedir sd;
	struct sw_locked l = { "alpha", 0, 0, "building" };
	struct sw_err e;

	(void)state;
	tu_rmrf(tpath(0, "state"));
	tu_rmrf(tpath(0, "repos"));
	mkdir(tpath(0, "repos"), 0755);
	assert_int_equal(sw_statedir_open(&sd, tpath(0, "state"), &e), 0);
	sw_statedir_release(&sd);
	tu_write(tpath(0, "state/build-list"), LIST, strlen(LIST));
	tu_write(tpath(0, "state/build-meta"), META, strlen(META));
	l.lease_start = l.heartbeat = (int64_t)time(NULL);
	assert_int_equal(sw_pkgstate_write_locked(tpath(0, "state"), &id, &l,
		NULL, &e), 0);
	return 0;
}

struct member {
	const char *name;
	const char *data;      /* NULL with link: a symlink */
	const char *link;
	size_t len;
};

/* A tar of the members; an fd open on it. */
static int
tar_of(const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	size_t i;
	int fd;

	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, tpath(1, "up.tar")),
		ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		size_t len = m[i].data ? m[i].len : 0;

		archive_entry_set_pathname(ae, m[i].name);
		archive_entry_set_filetype(ae, m[i].link ? AE_IFLNK : AE_IFREG);
		if (m[i].link)
			archive_entry_set_symlink(ae, m[i].link);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_size(ae, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (len)
			archive_write_data(a, m[i].data, len);
		archive_entry_free(ae);
	}
	archive_write_close(a);
	archive_write_free(a);
	fd = open(tpath(1, "up.tar"), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* A package file for name-1-1 and its signature by the slave's key. */
static void
package(const char *name, char **data, size_t *len, struct sw_buf *sig)
{
	struct sw_sign s;
	struct sw_err e;
	char file[128];

	snprintf(file, sizeof(file), "%s-1-1-x86_64.pkg.tar.zst", name);
	mk_pkg(tpath(2, file), "zst", pkginfo(name, "1-1", NULL), -1, NULL, 0);
	*data = read_bytes(tpath(2, file), len);
	assert_int_equal(sw_sign_init(&s, tpath(3, "gpg"), &e), 0);
	if (sw_sign_detached(&s, fpr, *data, *len, sig, &e) < 0)
		fail_msg("%s", e.msg);
	sw_sign_release(&s);
}

/* The refusal want, and the state exactly as setup left it. */
static void
refused(enum sw_return_result got, enum sw_return_result want,
	const struct sw_err *e)
{
	size_t len;
	char *s;

	if (got != want)
		fail_msg("result %d, expected %d: %s", (int)got, (int)want, e->msg);
	assert_true(e->msg[0] != '\0');
	s = read_bytes(tpath(0, "state/build-list"), &len);
	assert_string_equal(s, LIST);
	free(s);
	assert_int_equal(sw_pkgstate_exists(tpath(0, "state"), &id,
		SW_STATE_LOCKED, NULL), 1);
	assert_int_equal(sw_pkgstate_exists(tpath(0, "state"), &id,
		SW_STATE_DONE, NULL), 0);
	assert_int_equal(sw_pkgstate_exists(tpath(0, "state"), &id,
		SW_STATE_BROKEN, NULL), 0);
}

static enum sw_return_result
ret(const struct sw_id *which, const char *slave, const struct member *m,
	size_t n, bool failure, struct sw_err *e)
{
	int fd = tar_of(m, n);
	enum sw_return_result r = failure ?
		sw_return_failure(&conf, which, slave, fd, (int64_t)time(NULL), e) :
		sw_return_packages(&conf, which, slave, fd, (int64_t)time(NULL), e);

	close(fd);
	return r;
}

static void
test_not_yours(void **state)
{
	const struct member m[] = { { "x.log.gz", "x", NULL, 1 } };
	const struct sw_id other = { "foo", C2, Z, "extra" };
	struct sw_err e;

	(void)state;
	refused(ret(&id, "beta", m, 1, false, &e), SW_RETURN_NOT_YOURS, &e);
	refused(ret(&other, "alpha", m, 1, false, &e), SW_RETURN_NOT_YOURS, &e);
	refused(ret(&id, "beta", m, 1, true, &e), SW_RETURN_NOT_YOURS, &e);
}

static void
test_invalid_upload(void **state)
{
	const struct member link[] = { { PKG, NULL, "/etc/passwd", 0 } };
	const struct member path[] = { { "../" PKG, "x", NULL, 1 } };
	const struct member other[] = { { "notes.txt", "x", NULL, 1 } };
	const struct member logs[] = { { PKG, "x", NULL, 1 } };
	struct sw_err e;
	int fd;

	(void)state;
	refused(ret(&id, "alpha", link, 1, false, &e), SW_RETURN_INVALID, &e);
	refused(ret(&id, "alpha", path, 1, false, &e), SW_RETURN_INVALID, &e);
	refused(ret(&id, "alpha", other, 1, false, &e), SW_RETURN_INVALID, &e);
	/* ERROR takes logs only */
	refused(ret(&id, "alpha", logs, 1, true, &e), SW_RETURN_INVALID, &e);
	/* not a tar at all */
	tu_write(tpath(1, "junk"), "not a tar", 9);
	fd = open(tpath(1, "junk"), O_RDONLY);
	assert_true(fd >= 0);
	refused(sw_return_packages(&conf, &id, "alpha", fd, (int64_t)time(NULL),
		&e), SW_RETURN_INVALID, &e);
	close(fd);
}

static void
test_signature(void **state)
{
	struct sw_buf sig = SW_BUF_INIT;
	struct member m[2];
	struct sw_err e;
	char *data;
	size_t len;

	(void)state;
	package("foo", &data, &len, &sig);
	m[0] = (struct member){ PKG, data, NULL, len };
	/* no signature */
	refused(ret(&id, "alpha", m, 1, false, &e), SW_RETURN_SIGNATURE, &e);
	/* a signature of other data */
	data[len / 2] ^= 1;
	m[1] = (struct member){ PKG ".sig", sig.data, NULL, sig.len };
	refused(ret(&id, "alpha", m, 2, false, &e), SW_RETURN_SIGNATURE, &e);
	/* not a signature */
	data[len / 2] ^= 1;
	m[1] = (struct member){ PKG ".sig", "-----BEGIN PGP", NULL, 14 };
	refused(ret(&id, "alpha", m, 2, false, &e), SW_RETURN_SIGNATURE, &e);
	free(data);
	sw_buf_release(&sig);
}

static void
test_package_set(void **state)
{
	struct sw_buf sig = SW_BUF_INIT;
	struct member m[2];
	struct sw_err e;
	char *data;
	size_t len;

	(void)state;
	/* well signed, but not what foo's PKGBUILD builds */
	package("bar", &data, &len, &sig);
	m[0] = (struct member){ "bar-1-1-x86_64.pkg.tar.zst", data, NULL, len };
	m[1] = (struct member){ "bar-1-1-x86_64.pkg.tar.zst.sig", sig.data, NULL,
		sig.len };
	refused(ret(&id, "alpha", m, 2, false, &e), SW_RETURN_PACKAGE_SET, &e);
	free(data);
	sw_buf_release(&sig);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_not_yours, setup),
		cmocka_unit_test_setup(test_invalid_upload, setup),
		cmocka_unit_test_setup(test_signature, setup),
		cmocka_unit_test_setup(test_package_set, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
