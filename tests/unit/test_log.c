/* log: levels from -v/-q, messages on stderr prefixed with the program. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <poll.h>

#include "core/log.h"

/* stderr goes into a file (not a terminal) until stop_capture. */
struct capture {
	char *path;
	int saved;
};

static void
start_capture(struct capture *cap, const char *dir)
{
	int fd;

	cap->path = tu_path(dir, "stderr");
	fd = open(cap->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	fflush(stderr);
	cap->saved = dup(STDERR_FILENO);
	assert_true(cap->saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

/* Restores stderr; returns what was written (free it). */
static char *
stop_capture(struct capture *cap)
{
	char *s;

	fflush(stderr);
	assert_int_equal(dup2(cap->saved, STDERR_FILENO), STDERR_FILENO);
	close(cap->saved);
	s = tu_read(cap->path);
	assert_non_null(s);
	free(cap->path);
	return s;
}

/* Must run first: the level is process-wide state. */
static void
test_before_init(void **state)
{
	struct capture cap;
	char *s;

	start_capture(&cap, *state);
	sw_info("no init yet");
	sw_debug("hidden");
	s = stop_capture(&cap);
	assert_string_equal(s, "slipway: no init yet\n");
	free(s);
}

static void
test_levels_default(void **state)
{
	struct capture cap;
	char *s;

	start_capture(&cap, *state);
	sw_log_init("tprog", 0);
	sw_error("cannot open '%s'", "x");
	sw_warn("lease of '%s' reclaimed", "foo");
	sw_info("%d packages", 3);
	sw_debug("not shown");
	s = stop_capture(&cap);
	assert_string_equal(s, "tprog: error: cannot open 'x'\n"
		"tprog: warning: lease of 'foo' reclaimed\n"
		"tprog: 3 packages\n");
	free(s);
}

static void
test_levels_verbose_quiet(void **state)
{
	struct capture cap;
	char *s;

	start_capture(&cap, *state);
	sw_log_init("v", 1);
	sw_debug("d1");
	sw_log_init("v", 5); /* more -v than levels: still fine */
	sw_debug("d2");
	sw_log_init("q", -1);
	sw_info("hidden by -q");
	sw_debug("hidden by -q");
	sw_warn("w");
	sw_error("e");
	sw_log_init("q", -10);
	sw_error("still shown");
	s = stop_capture(&cap);
	assert_string_equal(s, "v: debug: d1\nv: debug: d2\n"
		"q: warning: w\nq: error: e\nq: error: still shown\n");
	free(s);
}

static void
test_message_is_data(void **state)
{
	struct capture cap;
	char *s, *big;

	start_capture(&cap, *state);
	sw_log_init("t", 0);
	sw_info("%s", "%n%s%x"); /* format characters in data stay data */
	big = malloc(10000);
	assert_non_null(big);
	memset(big, 'x', 9999);
	big[9999] = '\0';
	sw_info("%s", big); /* cut, not overflowing */
	free(big);
	s = stop_capture(&cap);
	assert_memory_equal(s, "t: %n%s%x\nt: xxx", 16);
	assert_true(strlen(s) < 2100);
	assert_int_equal(s[strlen(s) - 1], '\n');
	free(s);
}

/* With a terminal on stderr the same text appears (and syslog is off). */
static void
test_terminal(void **state)
{
	struct pollfd p;
	char buf[256];
	int master, slave, saved;
	ssize_t n;
	size_t got = 0;

	(void)state;
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		skip();
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(slave, STDERR_FILENO), STDERR_FILENO);
	sw_log_init("tty", 0);
	sw_info("on a terminal");
	fflush(stderr);
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(slave);
	/* the terminal turns "\n" into "\r\n" */
	while (got < strlen("tty: on a terminal\r\n")) {
		p = (struct pollfd){ master, POLLIN, 0 };
		if (poll(&p, 1, 5000) != 1)
			break;
		n = read(master, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	assert_string_equal(buf, "tty: on a terminal\r\n");
	close(master);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_before_init),
		T(test_levels_default),
		T(test_levels_verbose_quiet),
		T(test_message_is_data),
		cmocka_unit_test(test_terminal),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
