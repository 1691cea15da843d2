/* sshclient: the master's address, and failures told apart (network or fatal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "slave/sshclient.h"

static void
test_parse_master(void **state)
{
	char *user, *host;
	unsigned port;
	struct sw_err e;

	(void)state;
	assert_int_equal(sw_ssh_parse_master("slipway@farm.example.org", &user,
		&host, &port, &e), 0);
	assert_string_equal(user, "slipway");
	assert_string_equal(host, "farm.example.org");
	assert_int_equal(port, 22);
	free(user);
	free(host);
	assert_int_equal(sw_ssh_parse_master("a@127.0.0.1:2222", &user, &host,
		&port, &e), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 2222);
	free(user);
	free(host);
	assert_int_equal(sw_ssh_parse_master("farm", &user, &host, &port, &e), -1);
	tu_assert_contains(e.msg, "expected user@host[:port]");
	assert_null(user);
	assert_int_equal(sw_ssh_parse_master("@farm", &user, &host, &port, &e), -1);
	assert_int_equal(sw_ssh_parse_master("a@", &user, &host, &port, &e), -1);
	tu_assert_contains(e.msg, "no host");
	assert_int_equal(sw_ssh_parse_master("a@:22", &user, &host, &port, &e), -1);
	assert_int_equal(sw_ssh_parse_master("a@h:0", &user, &host, &port, &e), -1);
	tu_assert_contains(e.msg, "invalid port");
	assert_int_equal(sw_ssh_parse_master("a@h:65536", &user, &host, &port, &e), -1);
	assert_int_equal(sw_ssh_parse_master("a@h:22x", &user, &host, &port, &e), -1);
}

/* Nothing listens on the port: a network failure, to be retried. */
static void
test_refused_is_network(void **state)
{
	struct sw_ssh_conf c = { "a@127.0.0.1:1", "/nonexistent/key",
		"/nonexistent/known_hosts", false, 5, 5 };
	struct sw_ssh_io io = { -1, -1, NULL, NULL, NULL };
	struct sw_ssh h = SW_SSH_INIT(&c);
	struct sw_err e;
	int status;

	(void)state;
	assert_int_equal(sw_ssh_run(&h, "get-assignment", &io, &status, &e),
		SW_SSH_NETWORK);
	tu_assert_contains(e.msg, "cannot connect to 'a@127.0.0.1:1'");
	assert_null(h.s);
	assert_int_equal(status, -1);
}

/* A bad address will not get better by retrying. */
static void
test_bad_master_is_fatal(void **state)
{
	struct sw_ssh_conf c = { "nobody", "/k", "/kh", false, 5, 5 };
	struct sw_ssh_io io = { -1, -1, NULL, NULL, NULL };
	struct sw_ssh h = SW_SSH_INIT(&c);
	struct sw_err e;
	int status;

	(void)state;
	assert_int_equal(sw_ssh_run(&h, "get-assignment", &io, &status, &e),
		SW_SSH_FATAL);
}

/* Told to stop before it starts: nothing is sent. */
static void
test_stop(void **state)
{
	struct sw_ssh_conf c = { "a@127.0.0.1:1", "/k", "/kh", false, 5, 5 };
	static volatile sig_atomic_t stop = 1;
	struct sw_ssh_io io = { -1, -1, NULL, NULL, &stop };
	struct sw_ssh h = SW_SSH_INIT(&c);
	struct sw_err e;
	int status;

	(void)state;
	assert_int_equal(sw_ssh_run(&h, "get-assignment", &io, &status, &e),
		SW_SSH_STOPPED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_master),
		cmocka_unit_test(test_refused_is_network),
		cmocka_unit_test(test_bad_master_is_fatal),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests_name("sshclient", tests, NULL, NULL);
}
