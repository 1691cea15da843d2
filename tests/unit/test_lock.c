/* lock: flock on files that are never unlinked; busy is not failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "core/lock.h"

/* Exit codes of a child that tried the lock. */
enum { CHILD_OK = 10, CHILD_BUSY = 11, CHILD_ERROR = 12 };

/* Runs sw_lock_take(path, timeout_ms) in a child; returns its verdict. */
static int
take_in_child(const char *path, int timeout_ms)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;
		enum sw_lock_result r = sw_lock_take(path, timeout_ms, &fd, NULL);

		_exit(r == SW_LOCK_OK ? CHILD_OK :
			r == SW_LOCK_BUSY ? CHILD_BUSY : CHILD_ERROR);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_take_release(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "build-list.lock");
	struct sw_err e;
	int fd = 123;

	assert_int_equal(sw_lock_take(p, 0, &fd, &e), SW_LOCK_OK);
	assert_true(fd >= 0);
	assert_true(tu_exists(p)); /* created on first use */
	sw_lock_release(&fd);
	assert_int_equal(fd, -1);
	sw_lock_release(&fd); /* twice: harmless */
	assert_int_equal(fd, -1);
	/* never unlinked */
	assert_true(tu_exists(p));
	/* and free again */
	assert_int_equal(take_in_child(p, 0), CHILD_OK);
	free(p);
}

static void
test_busy_from_other_process(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "l.lock");
	struct sw_err e;
	int fd;

	assert_int_equal(sw_lock_take(p, 0, &fd, &e), SW_LOCK_OK);
	assert_int_equal(take_in_child(p, 0), CHILD_BUSY);
	/* a timeout waits, then still reports busy (not an error) */
	assert_int_equal(take_in_child(p, 50), CHILD_BUSY);
	sw_lock_release(&fd);
	assert_int_equal(take_in_child(p, 0), CHILD_OK);
	assert_int_equal(take_in_child(p, 50), CHILD_OK);
	assert_true(tu_exists(p));
	free(p);
}

static void
test_busy_message(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "l.lock");
	struct sw_err e;
	int fd, fd2 = 7;

	assert_int_equal(sw_lock_take(p, 0, &fd, &e), SW_LOCK_OK);
	/* flock belongs to the open file: a second open in this process conflicts */
	assert_int_equal(sw_lock_take(p, 0, &fd2, &e), SW_LOCK_BUSY);
	assert_int_equal(fd2, -1);
	tu_assert_contains(e.msg, "l.lock' is locked by another process");
	sw_lock_release(&fd);
	free(p);
}

static void
test_wait_forever_waits_for_release(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "l.lock");
	struct pollfd pfd;
	int fd, pipefd[2], status;
	char c;
	pid_t pid;

	assert_int_equal(sw_lock_take(p, 0, &fd, NULL), SW_LOCK_OK);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int cfd;

		/* the inherited copy of our descriptor would hold the lock too */
		close(fd);
		close(pipefd[0]);
		alarm(10); /* a broken lock must fail the test, not hang it */
		if (sw_lock_take(p, SW_LOCK_WAIT_FOREVER, &cfd, NULL) != SW_LOCK_OK)
			_exit(CHILD_ERROR);
		if (write(pipefd[1], "y", 1) != 1)
			_exit(CHILD_ERROR);
		_exit(CHILD_OK);
	}
	close(pipefd[1]);
	/* while we hold it, the child cannot get it */
	pfd = (struct pollfd){ pipefd[0], POLLIN, 0 };
	assert_int_equal(poll(&pfd, 1, 100), 0);
	sw_lock_release(&fd);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), CHILD_OK);
	close(pipefd[0]);
	free(p);
}

static void
test_holder_killed(void **state)
{
	const char *dir = *state;
	char *p = tu_path(dir, "l.lock");
	int status, ready[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		close(ready[0]);
		alarm(10);
		if (sw_lock_take(p, 0, &fd, NULL) != SW_LOCK_OK)
			_exit(CHILD_ERROR);
		if (write(ready[1], "y", 1) != 1)
			_exit(CHILD_ERROR);
		pause();
		_exit(CHILD_ERROR);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_int_equal(take_in_child(p, 0), CHILD_BUSY);
	/* kill -9 leaves no stale lock */
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(take_in_child(p, 0), CHILD_OK);
	assert_true(tu_exists(p));
	free(p);
}

static void
test_errors(void **state)
{
	const char *dir = *state;
	char *missing = tu_path(dir, "no/such/dir.lock");
	char *target = tu_path(dir, "target"), *link = tu_path(dir, "link.lock");
	struct sw_err e;
	int fd = 5;

	assert_int_equal(sw_lock_take(missing, 0, &fd, &e), SW_LOCK_ERROR);
	assert_int_equal(fd, -1);
	tu_assert_contains(e.msg, "cannot open lock '");
	tu_assert_contains(e.msg, "No such file or directory");
	/* a symlink planted as the lock file is refused, not followed */
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(sw_lock_take(link, 0, &fd, &e), SW_LOCK_ERROR);
	tu_assert_contains(e.msg, "cannot open lock '");
	assert_false(tu_exists(target));
	free(missing);
	free(target);
	free(link);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_take_release),
		T(test_busy_from_other_process),
		T(test_busy_message),
		T(test_wait_forever_waits_for_release),
		T(test_holder_killed),
		T(test_errors),
	};

	return cmocka_run_group_tests_name("lock", tests, NULL, NULL);
}
