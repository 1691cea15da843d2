/* run: children without a shell, explicit env and fds, caps and timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <time.h>

#include "core/run.h"

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* sw_child_init + argv from a NULL-terminated list */
static void
child(struct sw_child *c, const char *path, const char *const *args)
{
	size_t i;

	sw_child_init(c, path);
	for (i = 0; args && args[i]; i++)
		assert_int_equal(sw_strvec_push(&c->argv, args[i]), 0);
}

static int
sh(const char *script, int *status, struct sw_buf *out, struct sw_err *e)
{
	const char *const args[] = { "sh", "-c", script, NULL };
	struct sw_child c;
	int r;

	child(&c, "/bin/sh", args);
	r = out ? sw_child_capture(&c, out, status, e) : sw_child_run(&c, status, e);
	sw_child_release(&c);
	return r;
}

static void
test_exit_status(void **state)
{
	struct sw_child c;
	struct sw_err e;
	int status = -1;

	(void)state;
	sw_child_init(&c, "/bin/true"); /* argv defaults to the path */
	assert_int_equal(sw_child_run(&c, &status, &e), 0);
	assert_int_equal(status, 0);
	assert_false(c.timed_out);
	assert_int_equal(c.pid, -1);
	sw_child_release(&c);

	assert_int_equal(sh("exit 3", &status, NULL, &e), 0);
	assert_int_equal(status, 3);
	assert_int_equal(sh("exit 127", &status, NULL, &e), 0);
	assert_int_equal(status, 127); /* a real 127 is just a status */
	assert_int_equal(sh("kill -TERM $$", &status, NULL, &e), 0);
	assert_int_equal(status, 128 + 15);
}

static void
test_start_then_wait(void **state)
{
	const char *const args[] = { "sh", "-c", "exit 7", NULL };
	struct sw_child c;
	struct sw_err e;
	int status;

	(void)state;
	child(&c, "/bin/sh", args);
	assert_int_equal(sw_child_start(&c, &e), 0);
	assert_true(c.pid > 0);
	assert_int_equal(sw_child_wait(&c, &status, &e), 0);
	assert_int_equal(status, 7);
	assert_int_equal(c.pid, -1);
	sw_child_release(&c);
}

static void
test_cannot_execute(void **state)
{
	const char *dir = *state;
	char *plain = tu_path(dir, "not-executable");
	struct sw_child c;
	struct sw_err e;
	int status = -5;

	sw_child_init(&c, "/nonexistent/slipway-prog");
	assert_int_equal(sw_child_run(&c, &status, &e), -1);
	assert_string_equal(e.msg, "cannot execute '/nonexistent/slipway-prog': "
		"No such file or directory");
	assert_int_equal(status, -5); /* no status 127 */
	assert_int_equal(c.pid, -1);
	sw_child_release(&c);

	/* no PATH search */
	sw_child_init(&c, "true");
	assert_int_equal(sw_child_run(&c, &status, &e), -1);
	assert_string_equal(e.msg, "cannot execute 'true': No such file or directory");
	sw_child_release(&c);

	tu_write_str(plain, "#!/bin/sh\nexit 0\n");
	sw_child_init(&c, plain);
	assert_int_equal(sw_child_run(&c, &status, &e), -1);
	tu_assert_contains(e.msg, "Permission denied");
	sw_child_release(&c);

	/* a working directory that does not exist */
	sw_child_init(&c, "/bin/true");
	c.dir = "/nonexistent/dir";
	assert_int_equal(sw_child_run(&c, &status, &e), -1);
	tu_assert_contains(e.msg, "No such file or directory");
	sw_child_release(&c);
	free(plain);
}

static void
test_capture(void **state)
{
	const char *const echo[] = { "echo", "a  b", "$(id)", "`id`;", "*", NULL };
	struct sw_buf out = SW_BUF_INIT;
	struct sw_child c;
	struct sw_err e;
	int status;

	(void)state;
	assert_int_equal(sh("printf hello; printf ' world'; exit 2", &status, &out,
		&e), 0);
	assert_string_equal(out.data, "hello world");
	assert_int_equal(status, 2);
	sw_buf_reset(&out);

	/* bytes, NULs included */
	assert_int_equal(sh("printf 'a\\000b'", &status, &out, &e), 0);
	assert_int_equal(out.len, 3);
	assert_memory_equal(out.data, "a\0b", 3);
	sw_buf_reset(&out);

	/* arguments reach the program as they are: no shell in between */
	child(&c, "/bin/echo", echo);
	assert_int_equal(sw_child_capture(&c, &out, &status, &e), 0);
	assert_string_equal(out.data, "a  b $(id) `id`; *\n");
	sw_child_release(&c);
	sw_buf_reset(&out);

	/* more than a pipe holds */
	assert_int_equal(sh("head -c 1000000 /dev/zero", &status, &out, &e), 0);
	assert_int_equal(status, 0);
	assert_int_equal(out.len, 1000000);
	sw_buf_release(&out);
}

static void
test_capture_cap(void **state)
{
	const char *const yes[] = { "yes", NULL };
	struct sw_buf out;
	struct sw_child c;
	struct sw_err e;
	int status;
	long start;

	(void)state;
	sw_buf_init(&out, 100);
	assert_int_equal(sh("head -c 100 /dev/zero", &status, &out, &e), 0);
	assert_int_equal(out.len, 100); /* exactly the cap */
	sw_buf_reset(&out);

	assert_int_equal(sh("head -c 1000 /dev/zero", &status, &out, &e), -1);
	assert_string_equal(e.msg, "'/bin/sh' wrote more than 100 bytes");
	assert_true(out.len <= 100);
	sw_buf_reset(&out);

	/* a child that never stops writing is killed */
	start = now_ms();
	child(&c, "/usr/bin/yes", yes);
	assert_int_equal(sw_child_capture(&c, &out, &status, &e), -1);
	assert_string_equal(e.msg, "'/usr/bin/yes' wrote more than 100 bytes");
	assert_int_equal(status, 128 + 9);
	assert_true(now_ms() - start < 10000);
	sw_child_release(&c);
	sw_buf_release(&out);
}

static void
test_timeout(void **state)
{
	const char *const args[] = { "sleep", "30", NULL };
	struct sw_buf out = SW_BUF_INIT;
	struct sw_child c;
	struct sw_err e;
	int status;
	long start;

	(void)state;
	start = now_ms();
	child(&c, "/bin/sleep", args);
	c.timeout_ms = 200;
	assert_int_equal(sw_child_run(&c, &status, &e), 0);
	assert_true(c.timed_out);
	assert_int_equal(status, 128 + 9);
	assert_true(now_ms() - start < 10000);
	sw_child_release(&c);

	/* the whole group: a grandchild holding stdout open dies too */
	start = now_ms();
	{
		const char *const sh_args[] = { "sh", "-c",
			"sleep 30 & echo started; exec sleep 30", NULL };

		child(&c, "/bin/sh", sh_args);
	}
	c.timeout_ms = 200;
	assert_int_equal(sw_child_capture(&c, &out, &status, &e), 0);
	assert_true(c.timed_out);
	assert_string_equal(out.data, "started\n");
	assert_true(now_ms() - start < 10000);
	sw_child_release(&c);
	sw_buf_release(&out);

	/* a quick child is not marked */
	sw_child_init(&c, "/bin/true");
	c.timeout_ms = 10000;
	assert_int_equal(sw_child_run(&c, &status, &e), 0);
	assert_false(c.timed_out);
	assert_int_equal(status, 0);
	sw_child_release(&c);
}

static void
test_env_allowlist(void **state)
{
	const char *const names[] = { "SW_TEST_KEEP", "SW_TEST_UNSET", "SW_TEST_EMPTY",
		NULL };
	const char *const none[] = { NULL };
	struct sw_buf out = SW_BUF_INIT;
	struct sw_child c;
	struct sw_err e;
	int status;

	(void)state;
	assert_int_equal(setenv("SW_TEST_KEEP", "yes it is", 1), 0);
	assert_int_equal(setenv("SW_TEST_DROP", "secret", 1), 0);
	assert_int_equal(setenv("SW_TEST_EMPTY", "", 1), 0);
	unsetenv("SW_TEST_UNSET");

	sw_child_init(&c, "/usr/bin/env");
	assert_int_equal(sw_env_allow(&c.env, names), 0);
	assert_int_equal(sw_strvec_push(&c.env, "EXTRA=1"), 0);
	assert_int_equal(sw_child_capture(&c, &out, &status, &e), 0);
	assert_int_equal(status, 0);
	assert_string_equal(out.data, "SW_TEST_KEEP=yes it is\nSW_TEST_EMPTY=\nEXTRA=1\n");
	sw_child_release(&c);
	sw_buf_reset(&out);

	/* nothing allowed, nothing inherited (not even PATH or HOME) */
	sw_child_init(&c, "/usr/bin/env");
	assert_int_equal(sw_env_allow(&c.env, none), 0);
	assert_int_equal(sw_child_capture(&c, &out, &status, &e), 0);
	assert_string_equal(out.data, "");
	sw_child_release(&c);
	sw_buf_release(&out);
	unsetenv("SW_TEST_KEEP");
	unsetenv("SW_TEST_DROP");
	unsetenv("SW_TEST_EMPTY");
}

static void
test_dir_and_fds(void **state)
{
	const char *dir = *state;
	char *in = tu_path(dir, "in"), *err = tu_path(dir, "err"), *s, want[4096];
	const char *const cat[] = { "cat", NULL };
	const char *const pwd[] = { "pwd", NULL };
	const char *const both[] = { "sh", "-c", "echo out; echo err >&2", NULL };
	struct sw_buf out = SW_BUF_INIT;
	struct sw_child c;
	struct sw_err e;
	int status, fd;

	child(&c, "/bin/pwd", pwd);
	c.dir = dir;
	assert_int_equal(sw_child_capture(&c, &out, &status, &e), 0);
	snprintf(want, sizeof(want), "%s\n", dir);
	assert_string_equal(out.data, want);
	sw_child_release(&c);
	sw_buf_reset(&out);

	/* stdin from a descriptor, and /dev/null by default */
	tu_write_str(in, "line one\nline two\n");
	fd = open(in, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	child(&c, "/bin/cat", cat);
	c.in = fd;
	assert_int_equal(sw_child_capture(&c, &out, &status, &e), 0);
	assert_string_equal(out.data, "line one\nline two\n");
	sw_child_release(&c);
	close(fd);
	sw_buf_reset(&out);
	child(&c, "/bin/cat", cat);
	assert_int_equal(sw_child_capture(&c, &out, &status, &e), 0);
	assert_string_equal(out.data, "");
	assert_int_equal(status, 0);
	sw_child_release(&c);

	/* stderr to a descriptor of ours; stdout elsewhere stays apart */
	fd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	child(&c, "/bin/sh", both);
	c.err = fd;
	sw_buf_reset(&out);
	assert_int_equal(sw_child_capture(&c, &out, &status, &e), 0);
	assert_string_equal(out.data, "out\n");
	sw_child_release(&c);
	close(fd);
	s = tu_read(err);
	assert_string_equal(s, "err\n");
	free(s);
	sw_buf_release(&out);
	free(in);
	free(err);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_start_then_wait),
		T(test_cannot_execute),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_capture_cap),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_env_allowlist),
		T(test_dir_and_fds),
	};

	return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
