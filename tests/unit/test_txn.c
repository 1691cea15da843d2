/* txn and statedir: all-or-nothing changes, recovery after a crash, lock order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "queue/buildlist.h"
#include "core/fileio.h"
#include "queue/pkgstate.h"
#include "queue/statedir.h"
#include "core/txn.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sw-txn.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char *argv[] = { "rm", "-rf", dir, NULL };
	pid_t pid = fork();

	(void)state;
	if (pid == 0) {
		execv("/bin/rm", argv);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	return 0;
}

static char *
slurp(const char *path)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err e;

	if (sw_file_read(path, 1 << 20, &b, &e) != 0)
		return NULL;
	return sw_buf_detach(&b, NULL);
}

static void
put(const char *path, const char *s)
{
	struct sw_err e;

	assert_int_equal(sw_file_replace(path, s, strlen(s), 0644, &e), 0);
}

/* names in the scratch dir */
static const char *
p(const char *name)
{
	static char buf[8][128];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* temp files left in the scratch dir */
static int
count_tmp(void)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	assert_non_null(dp);
	while ((d = readdir(dp)) != NULL)
		n += strstr(d->d_name, ".tmp.") != NULL;
	closedir(dp);
	return n;
}

static void
test_commit_applies_everything(void **state)
{
	struct sw_txn t;
	struct sw_err e;
	char *s;

	(void)state;
	put(p("a"), "old a\n");
	put(p("gone"), "x\n");
	assert_int_equal(sw_txn_begin(&t, p("journal"), &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("a"), "new a\n", 6, 0644, &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("b"), "new b\n", 6, 0600, &e), 0);
	assert_int_equal(sw_txn_symlink(&t, "b", p("link"), &e), 0);
	assert_int_equal(sw_txn_remove(&t, p("gone"), &e), 0);
	/* nothing visible before commit */
	s = slurp(p("a"));
	assert_string_equal(s, "old a\n");
	free(s);
	assert_int_equal(access(p("b"), F_OK), -1);
	assert_int_equal(sw_txn_commit(&t, &e), 0);
	s = slurp(p("a"));
	assert_string_equal(s, "new a\n");
	free(s);
	s = slurp(p("link"));
	assert_null(s); /* sw_file_read does not follow links */
	{
		char target[16] = { 0 };

		assert_int_equal(readlink(p("link"), target, sizeof(target) - 1), 1);
		assert_string_equal(target, "b");
	}
	{
		struct stat st;

		assert_int_equal(stat(p("b"), &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	assert_int_equal(access(p("gone"), F_OK), -1);
	assert_int_equal(access(p("journal"), F_OK), -1);
	assert_int_equal(count_tmp(), 0);
}

static void
test_abort_changes_nothing(void **state)
{
	struct sw_txn t;
	struct sw_err e;
	char *s;

	(void)state;
	put(p("a"), "old\n");
	assert_int_equal(sw_txn_begin(&t, p("journal"), &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("a"), "new\n", 4, 0644, &e), 0);
	assert_int_equal(sw_txn_symlink(&t, "x", p("l"), &e), 0);
	sw_txn_abort(&t);
	s = slurp(p("a"));
	assert_string_equal(s, "old\n");
	free(s);
	assert_int_equal(access(p("l"), F_OK), -1);
	assert_int_equal(count_tmp(), 0);
}

/* A child stages and journals, then dies before applying: recover finishes. */
static void
test_recover_after_crash(void **state)
{
	struct sw_err e;
	pid_t pid;
	char *s;

	(void)state;
	put(p("a"), "old a\n");
	put(p("b"), "old b\n");
	pid = fork();
	if (pid == 0) {
		struct sw_txn t;

		if (sw_txn_begin(&t, p("journal"), &e) < 0 ||
		    sw_txn_replace(&t, p("a"), "new a\n", 6, 0644, &e) < 0 ||
		    sw_txn_replace(&t, p("b"), "new b\n", 6, 0644, &e) < 0)
			_exit(1);
		/* what commit does first: the journal, atomically; then "crash" */
		if (sw_file_replace(t.journal, t.ops.data, t.ops.len, 0644, &e) < 0)
			_exit(1);
		_exit(0);
	}
	{
		int st;

		waitpid(pid, &st, 0);
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	s = slurp(p("a"));
	assert_string_equal(s, "old a\n");
	free(s);
	assert_int_equal(sw_txn_recover(p("journal"), &e), 0);
	s = slurp(p("a"));
	assert_string_equal(s, "new a\n");
	free(s);
	s = slurp(p("b"));
	assert_string_equal(s, "new b\n");
	free(s);
	assert_int_equal(access(p("journal"), F_OK), -1);
	/* recovering again is a no-op */
	assert_int_equal(sw_txn_recover(p("journal"), &e), 0);
}

/* Recovery halfway: the first rename happened, the second did not. */
static void
test_recover_is_idempotent(void **state)
{
	struct sw_txn t;
	struct sw_err e;
	char *s;
	const char *first_tmp;

	(void)state;
	put(p("a"), "old a\n");
	put(p("b"), "old b\n");
	assert_int_equal(sw_txn_begin(&t, p("journal"), &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("a"), "new a\n", 6, 0644, &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("b"), "new b\n", 6, 0644, &e), 0);
	assert_int_equal(sw_file_replace(t.journal, t.ops.data, t.ops.len, 0644, &e), 0);
	first_tmp = t.ops.data + 2; /* "R\0<tmp>\0<path>\0..." */
	assert_int_equal(rename(first_tmp, p("a")), 0);
	assert_int_equal(sw_txn_recover(p("journal"), &e), 0);
	s = slurp(p("a"));
	assert_string_equal(s, "new a\n");
	free(s);
	s = slurp(p("b"));
	assert_string_equal(s, "new b\n");
	free(s);
	free(t.journal);
	sw_buf_release(&t.ops);
}

static void
test_corrupt_journal_is_an_error(void **state)
{
	struct sw_err e;
	char *s;

	(void)state;
	put(p("a"), "old\n");
	put(p("journal"), "X\0garbage");
	assert_int_equal(sw_txn_recover(p("journal"), &e), -1);
	assert_non_null(strstr(e.msg, "journal"));
	s = slurp(p("a"));
	assert_string_equal(s, "old\n");
	free(s);
}

static void
test_statedir_lock_recovers_and_orders(void **state)
{
	struct sw_statedir sd;
	struct sw_txn t;
	struct sw_err e;
	struct sw_build_list l;
	struct sw_id id;
	struct sw_buf path = SW_BUF_INIT;

	(void)state;
	assert_int_equal(sw_statedir_open(&sd, p("state"), &e), 0);
	/* txn needs its lock */
	assert_int_equal(sw_statedir_txn_begin(&sd, SW_LOCK_BUILD_LIST, &t, &e), -1);
	assert_int_equal(sw_statedir_lock(&sd, SW_LOCK_PACKAGE_DB, 0, &e), SW_LOCK_OK);
	/* build-list after package-db is refused */
	assert_int_equal(sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, 0, &e), SW_LOCK_ERROR);
	assert_non_null(strstr(e.msg, "lock order"));
	sw_statedir_unlock(&sd, SW_LOCK_PACKAGE_DB);
	assert_int_equal(sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, 0, &e), SW_LOCK_OK);
	assert_int_equal(sw_statedir_txn_begin(&sd, SW_LOCK_BUILD_LIST, &t, &e), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(sw_id_from_fields(&id, "foo",
		"1111111111111111111111111111111111111111",
		"2222222222222222222222222222222222222222", "extra", &e), 0);
	assert_int_equal(sw_buildlist_append(&l, &id, &e), 0);
	assert_int_equal(sw_statedir_path(&sd, SW_PATH_BUILD_LIST, &path, &e), 0);
	assert_int_equal(sw_buildlist_write(path.data, &l, &t, &e), 0);
	{
		struct sw_locked lk = { "alpha", 10, 20, "build" };

		assert_int_equal(sw_pkgstate_write_locked(sd.dir, &id, &lk, &t, &e), 0);
	}
	/* "crash": journal written, nothing applied, lock dropped */
	assert_int_equal(sw_file_replace(t.journal, t.ops.data, t.ops.len, 0644, &e), 0);
	free(t.journal);
	sw_buf_release(&t.ops);
	sw_buildlist_release(&l);
	sw_statedir_unlock(&sd, SW_LOCK_BUILD_LIST);
	assert_int_equal(access(path.data, F_OK), -1);
	/* the next holder sees the finished transaction */
	assert_int_equal(sw_statedir_lock(&sd, SW_LOCK_BUILD_LIST, 0, &e), SW_LOCK_OK);
	assert_int_equal(sw_buildlist_read(path.data, &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].pkgbase, "foo");
	assert_int_equal(sw_pkgstate_exists(sd.dir, &id, SW_STATE_LOCKED, &e), 1);
	sw_buildlist_release(&l);
	sw_buf_release(&path);
	sw_statedir_release(&sd);
}

/*
 * Injected failure while applying: the second target is a non-empty
 * directory, so its rename fails. Commit fails, the journal stays, and
 * once the obstacle is gone recovery finishes every change.
 */
static void
test_failure_while_applying_is_finished_by_recovery(void **state)
{
	struct sw_txn t;
	struct sw_err e;
	char *s;

	(void)state;
	put(p("a"), "old a\n");
	assert_int_equal(mkdir(p("b"), 0755), 0);
	put(p("b/inside"), "x\n");
	assert_int_equal(sw_txn_begin(&t, p("journal"), &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("a"), "new a\n", 6, 0644, &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("b"), "new b\n", 6, 0644, &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("c"), "new c\n", 6, 0644, &e), 0);
	assert_int_equal(sw_txn_commit(&t, &e), -1);
	assert_true(e.msg[0] != '\0');
	sw_txn_abort(&t);
	assert_int_equal(access(p("journal"), F_OK), 0);
	/* still blocked: recovery fails too and keeps the journal */
	assert_int_equal(sw_txn_recover(p("journal"), &e), -1);
	assert_int_equal(access(p("journal"), F_OK), 0);
	assert_int_equal(unlink(p("b/inside")), 0);
	assert_int_equal(rmdir(p("b")), 0);
	assert_int_equal(sw_txn_recover(p("journal"), &e), 0);
	s = slurp(p("a"));
	assert_string_equal(s, "new a\n");
	free(s);
	s = slurp(p("b"));
	assert_string_equal(s, "new b\n");
	free(s);
	s = slurp(p("c"));
	assert_string_equal(s, "new c\n");
	free(s);
	assert_int_equal(access(p("journal"), F_OK), -1);
	assert_int_equal(count_tmp(), 0);
}

/*
 * Injected failure before the journal: its path is taken by a directory.
 * Commit fails and nothing changes.
 */
static void
test_failure_before_the_journal_changes_nothing(void **state)
{
	struct sw_txn t;
	struct sw_err e;
	char *s;

	(void)state;
	put(p("a"), "old a\n");
	assert_int_equal(mkdir(p("journal"), 0755), 0);
	put(p("journal/x"), "x\n");
	assert_int_equal(sw_txn_begin(&t, p("journal"), &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("a"), "new a\n", 6, 0644, &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("b"), "new b\n", 6, 0644, &e), 0);
	assert_int_equal(sw_txn_commit(&t, &e), -1);
	sw_txn_abort(&t);
	s = slurp(p("a"));
	assert_string_equal(s, "old a\n");
	free(s);
	assert_int_equal(access(p("b"), F_OK), -1);
	assert_int_equal(count_tmp(), 0);
}

/* Steps are marks: they apply nothing, and recovery passes over them. */
static void
test_steps(void **state)
{
	struct sw_txn t;
	struct sw_err e;
	char *s;
	int status;
	pid_t pid;

	(void)state;
	put(p("a"), "old\n");
	put(p("b"), "old\n");
	assert_int_equal(sw_txn_begin(&t, p("journal"), &e), 0);
	assert_int_equal(sw_txn_step(&t, "first", &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("a"), "new\n", 4, 0644, &e), 0);
	assert_int_equal(sw_txn_step(&t, "second", &e), 0);
	assert_int_equal(sw_txn_replace(&t, p("b"), "new\n", 4, 0644, &e), 0);
	assert_int_equal(sw_txn_commit(&t, &e), 0);
	s = slurp(p("b"));
	assert_string_equal(s, "new\n");
	free(s);
	assert_int_equal(access(p("journal"), F_OK), -1);
#ifdef SW_TEST_HOOKS
	/* the test build kills a commit at the step named: a before, b after */
	put(p("a"), "old\n");
	put(p("b"), "old\n");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("SLIPWAY_TEST_KILL_STEP", "second", 1);
		if (sw_txn_begin(&t, p("journal"), &e) < 0 ||
		    sw_txn_replace(&t, p("a"), "new\n", 4, 0644, &e) < 0 ||
		    sw_txn_step(&t, "second", &e) < 0 ||
		    sw_txn_replace(&t, p("b"), "new\n", 4, 0644, &e) < 0)
			_exit(1);
		sw_txn_commit(&t, &e);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	s = slurp(p("a"));
	assert_string_equal(s, "new\n");
	free(s);
	s = slurp(p("b"));
	assert_string_equal(s, "old\n");
	free(s);
	assert_int_equal(sw_txn_recover(p("journal"), &e), 0);
	s = slurp(p("b"));
	assert_string_equal(s, "new\n");
	free(s);
#else
	(void)status;
	(void)pid;
#endif
}

/*
 * The test build's counted kill points: 1 before the journal, 2 before the
 * first change, 3 before the second, 4 after the last; a kill at each
 * leaves the old state or one that recovery completes.
 */
static void
test_kill_points(void **state)
{
#ifdef SW_TEST_HOOKS
	static const char *const want_a[] = { "old\n", "old\n", "new\n", "new\n" };
	struct sw_txn t;
	struct sw_err e;
	char *s, at[8];
	int status, k;
	pid_t pid;

	(void)state;
	for (k = 1; k <= 5; k++) {
		put(p("a"), "old\n");
		put(p("b"), "old\n");
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			snprintf(at, sizeof(at), "%d", k);
			setenv("SLIPWAY_TEST_KILL_POINT", at, 1);
			if (sw_txn_begin(&t, p("journal"), &e) < 0 ||
			    sw_txn_replace(&t, p("a"), "new\n", 4, 0644, &e) < 0 ||
			    sw_txn_replace(&t, p("b"), "new\n", 4, 0644, &e) < 0)
				_exit(1);
			_exit(sw_txn_commit(&t, &e) < 0 ? 1 : 0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (k == 5) {
			/* four points only: the fifth is never reached */
			assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
			break;
		}
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		s = slurp(p("a"));
		assert_string_equal(s, want_a[k - 1]);
		free(s);
		assert_int_equal(access(p("journal"), F_OK), k == 1 ? -1 : 0);
		assert_int_equal(sw_txn_recover(p("journal"), &e), 0);
		s = slurp(p("b"));
		assert_string_equal(s, k == 1 ? "old\n" : "new\n");
		free(s);
		assert_int_equal(access(p("journal"), F_OK), -1);
	}
#else
	(void)state;
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_applies_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_after_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_is_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_journal_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statedir_lock_recovers_and_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_while_applying_is_finished_by_recovery,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_before_the_journal_changes_nothing,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_points, setup, teardown),
	};

	return cmocka_run_group_tests_name("txn", tests, NULL, NULL);
}
