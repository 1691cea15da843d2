/* cli: the common options, extra options through a callback, operands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <string.h>
#include <unistd.h>

#include "core/cli.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static enum sw_cli_action
parse(int argc, char **argv, struct sw_cli *cli, struct sw_err *e)
{
	memset(e, 0, sizeof(*e));
	return sw_cli_parse(argc, argv, NULL, NULL, NULL, NULL, cli, e);
}

static void
test_nothing(void **state)
{
	char *argv[] = { "prog", NULL };
	struct sw_cli cli;
	struct sw_err e;

	(void)state;
	assert_int_equal(parse(ARGC(argv), argv, &cli, &e), SW_CLI_RUN);
	assert_null(cli.config);
	assert_int_equal(cli.verbosity, 0);
	assert_int_equal(cli.first_operand, 1);
}

static void
test_config(void **state)
{
	char *a1[] = { "prog", "-c", "/etc/x.conf", NULL };
	char *a2[] = { "prog", "--config", "rel.conf", "op", NULL };
	char *a3[] = { "prog", "--config=eq.conf", NULL };
	char *a4[] = { "prog", "-cglued.conf", NULL };
	char *a5[] = { "prog", "-c", "first", "-c", "last", NULL };
	struct sw_cli cli;
	struct sw_err e;

	(void)state;
	assert_int_equal(parse(ARGC(a1), a1, &cli, &e), SW_CLI_RUN);
	assert_string_equal(cli.config, "/etc/x.conf");
	assert_int_equal(cli.first_operand, 3);
	assert_int_equal(parse(ARGC(a2), a2, &cli, &e), SW_CLI_RUN);
	assert_string_equal(cli.config, "rel.conf");
	assert_int_equal(cli.first_operand, 3);
	assert_int_equal(parse(ARGC(a3), a3, &cli, &e), SW_CLI_RUN);
	assert_string_equal(cli.config, "eq.conf");
	assert_int_equal(parse(ARGC(a4), a4, &cli, &e), SW_CLI_RUN);
	assert_string_equal(cli.config, "glued.conf");
	assert_int_equal(parse(ARGC(a5), a5, &cli, &e), SW_CLI_RUN);
	assert_string_equal(cli.config, "last");
}

static void
test_verbosity(void **state)
{
	char *vv[] = { "prog", "-v", "-v", NULL };
	char *vv2[] = { "prog", "-vv", "--verbose", NULL };
	char *q[] = { "prog", "-q", NULL };
	char *qv[] = { "prog", "--quiet", "-v", NULL };
	char *vq[] = { "prog", "-v", "-v", "-q", NULL };
	struct sw_cli cli;
	struct sw_err e;

	(void)state;
	assert_int_equal(parse(ARGC(vv), vv, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.verbosity, 2);
	assert_int_equal(parse(ARGC(vv2), vv2, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.verbosity, 3);
	assert_int_equal(parse(ARGC(q), q, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.verbosity, -1);
	assert_int_equal(parse(ARGC(qv), qv, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.verbosity, 1); /* the last word wins */
	assert_int_equal(parse(ARGC(vq), vq, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.verbosity, -1);
}

static void
test_help_version(void **state)
{
	char *h[] = { "prog", "-h", NULL };
	char *h2[] = { "prog", "-v", "--help", "--bogus", NULL };
	char *v[] = { "prog", "-V", NULL };
	char *v2[] = { "prog", "--version", NULL };
	struct sw_cli cli;
	struct sw_err e;

	(void)state;
	assert_int_equal(parse(ARGC(h), h, &cli, &e), SW_CLI_HELP);
	assert_int_equal(parse(ARGC(h2), h2, &cli, &e), SW_CLI_HELP);
	assert_int_equal(parse(ARGC(v), v, &cli, &e), SW_CLI_VERSION);
	assert_int_equal(parse(ARGC(v2), v2, &cli, &e), SW_CLI_VERSION);
	assert_string_equal(sw_version(), SW_VERSION);
}

static void
test_bad_options(void **state)
{
	char *x[] = { "prog", "-x", NULL };
	char *xl[] = { "prog", "--bogus", "-h", NULL };
	char *c[] = { "prog", "-c", NULL };
	char *cl[] = { "prog", "--config", NULL };
	char *vc[] = { "prog", "-vc", NULL };
	char *abbrev[] = { "prog", "--verb", NULL };
	char *noarg[] = { "prog", "--help=yes", NULL };
	char *vx[] = { "prog", "--config=a", "-xv", NULL };
	struct sw_cli cli;
	struct sw_err e;

	(void)state;
	assert_int_equal(parse(ARGC(x), x, &cli, &e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "unknown option '-x'");
	assert_int_equal(parse(ARGC(xl), xl, &cli, &e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "unknown option '--bogus'");
	assert_int_equal(parse(ARGC(c), c, &cli, &e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "option '-c' needs an argument");
	assert_int_equal(parse(ARGC(cl), cl, &cli, &e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "option '--config' needs an argument");
	assert_int_equal(parse(ARGC(vc), vc, &cli, &e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "option '-c' needs an argument");
	/* getopt_long's unique abbreviations are accepted */
	assert_int_equal(parse(ARGC(abbrev), abbrev, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.verbosity, 1);
	assert_int_equal(parse(ARGC(noarg), noarg, &cli, &e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "option '--help' takes no argument");
	assert_int_equal(parse(ARGC(vx), vx, &cli, &e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "unknown option '-x'");
	/* NULL for the error is fine */
	assert_int_equal(sw_cli_parse(ARGC(x), x, NULL, NULL, NULL, NULL, &cli, NULL),
		SW_CLI_USAGE);
}

static void
test_operands(void **state)
{
	char *a[] = { "prog", "-v", "pkg1", "-q", "pkg2", NULL };
	char *b[] = { "prog", "--", "-v", NULL };
	char *c[] = { "prog", "-", NULL };
	char *d[] = { "prog", "foo", "-c", "x", NULL };
	struct sw_cli cli;
	struct sw_err e;

	(void)state;
	/* options stop at the first operand: '-q' here is an operand */
	assert_int_equal(parse(ARGC(a), a, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.first_operand, 2);
	assert_int_equal(cli.verbosity, 1);
	assert_int_equal(parse(ARGC(b), b, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.first_operand, 2);
	assert_int_equal(cli.verbosity, 0);
	assert_string_equal(b[cli.first_operand], "-v");
	assert_int_equal(parse(ARGC(c), c, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.first_operand, 1);
	assert_int_equal(parse(ARGC(d), d, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.first_operand, 1);
	assert_null(cli.config);
}

struct extra {
	const char *name;
	int force;
	int calls;
};

static int
on_option(int opt, const char *arg, void *ctx, struct sw_err *e)
{
	struct extra *x = ctx;

	x->calls++;
	switch (opt) {
	case 'n':
		if (strcmp(arg, "bad") == 0)
			return sw_err_set(e, "invalid name '%s'", arg);
		x->name = arg;
		return 0;
	case 'f':
		x->force++;
		return 0;
	case 1000:
		x->force += 10;
		return 0;
	}
	return sw_err_set(e, "unexpected option %d", opt);
}

static const struct option extra_long[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "force", no_argument, NULL, 'f' },
	{ "long-only", no_argument, NULL, 1000 },
	{ NULL, 0, NULL, 0 },
};

static enum sw_cli_action
parse_extra(int argc, char **argv, struct extra *x, struct sw_cli *cli,
	struct sw_err *e)
{
	memset(x, 0, sizeof(*x));
	memset(e, 0, sizeof(*e));
	return sw_cli_parse(argc, argv, "n:f", extra_long, on_option, x, cli, e);
}

static void
test_extra_options(void **state)
{
	char *a[] = { "prog", "-v", "-n", "foo", "--force", "-f", "--long-only",
		"-c", "c.conf", "op", NULL };
	char *b[] = { "prog", "--name=bad", NULL };
	char *c[] = { "prog", "-n", NULL };
	char *d[] = { "prog", "-fvq", "--name", "x", NULL };
	struct extra x;
	struct sw_cli cli;
	struct sw_err e;

	(void)state;
	assert_int_equal(parse_extra(ARGC(a), a, &x, &cli, &e), SW_CLI_RUN);
	assert_string_equal(x.name, "foo");
	assert_int_equal(x.force, 12);
	assert_int_equal(x.calls, 4);
	assert_int_equal(cli.verbosity, 1);
	assert_string_equal(cli.config, "c.conf");
	assert_int_equal(cli.first_operand, 9);

	/* the callback's refusal is a usage error with its message */
	assert_int_equal(parse_extra(ARGC(b), b, &x, &cli, &e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "invalid name 'bad'");
	assert_int_equal(parse_extra(ARGC(c), c, &x, &cli, &e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "option '-n' needs an argument");
	assert_int_equal(x.calls, 0);
	assert_int_equal(parse_extra(ARGC(d), d, &x, &cli, &e), SW_CLI_RUN);
	assert_int_equal(x.force, 1);
	assert_int_equal(cli.verbosity, -1);
	assert_string_equal(x.name, "x");

	/* extra short options without a callback are unknown */
	assert_int_equal(sw_cli_parse(ARGC(d), d, "n:f", NULL, NULL, NULL, &cli,
		&e), SW_CLI_USAGE);
	assert_string_equal(e.msg, "unknown option '-f'");
}

/* A second parse in one process starts afresh (getopt keeps state). */
static void
test_parse_twice(void **state)
{
	char *first[] = { "prog", "-hq", NULL };
	char *second[] = { "prog", "op", NULL };
	char *third[] = { "prog", "-vcx", NULL };
	char *fourth[] = { "prog", "-v", NULL };
	struct sw_cli cli;
	struct sw_err e;

	(void)state;
	/* -h returns in the middle of "-hq" */
	assert_int_equal(parse(ARGC(first), first, &cli, &e), SW_CLI_HELP);
	assert_int_equal(parse(ARGC(second), second, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.verbosity, 0);
	assert_int_equal(cli.first_operand, 1);
	assert_int_equal(parse(ARGC(third), third, &cli, &e), SW_CLI_RUN);
	assert_string_equal(cli.config, "x");
	assert_int_equal(parse(ARGC(fourth), fourth, &cli, &e), SW_CLI_RUN);
	assert_int_equal(cli.verbosity, 1);
	assert_null(cli.config);
}

static const char usage[] = "usage: prog [options] A B [C]\n\nOptions: ...\n";

/* What sw_cli_start returned and printed. */
struct started {
	int status;
	char out[4096];
	char err[4096];
};

static void
slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, size - 1, f);
	assert_false(ferror(f));
	buf[n] = '\0';
	assert_int_equal(fclose(f), 0);
}

/* Sends stdout and stderr to temporary files until end_capture. */
struct capture {
	FILE *out, *err;
	int saved_out, saved_err;
};

static void
begin_capture(struct capture *c)
{
	c->out = tmpfile();
	c->err = tmpfile();
	assert_non_null(c->out);
	assert_non_null(c->err);
	assert_int_equal(fflush(stdout), 0);
	c->saved_out = dup(STDOUT_FILENO);
	c->saved_err = dup(STDERR_FILENO);
	assert_true(c->saved_out >= 0 && c->saved_err >= 0);
	assert_true(dup2(fileno(c->out), STDOUT_FILENO) >= 0);
	assert_true(dup2(fileno(c->err), STDERR_FILENO) >= 0);
}

static void
end_capture(struct capture *c, struct started *st)
{
	assert_int_equal(fflush(stdout), 0);
	assert_true(dup2(c->saved_out, STDOUT_FILENO) >= 0);
	assert_true(dup2(c->saved_err, STDERR_FILENO) >= 0);
	close(c->saved_out);
	close(c->saved_err);
	slurp(c->out, st->out, sizeof(st->out));
	slurp(c->err, st->err, sizeof(st->err));
}

static void
start(const struct sw_cli_spec *spec, int argc, char **argv, struct sw_cli *cli,
	struct started *st)
{
	struct capture c;

	begin_capture(&c);
	st->status = sw_cli_start(spec, argc, argv, cli);
	end_capture(&c, st);
}

/* st printed only "prog: <msg>\n" and the usage on stderr, and returned 64. */
static void
assert_usage_error(const struct started *st, const char *msg)
{
	char want[4096];

	snprintf(want, sizeof(want), "prog: %s\n%s", msg, usage);
	assert_int_equal(st->status, 64);
	assert_string_equal(st->out, "");
	assert_string_equal(st->err, want);
}

static const struct sw_cli_spec two_or_three = {
	.prog = "prog",
	.usage = usage,
	.min_operands = 2,
	.max_operands = 3,
	.operands = "expected A B [C]",
	.usage_status = 64,
};

static void
test_start_help_version(void **state)
{
	char *h[] = { "prog", "-h", NULL };
	char *v[] = { "prog", "-q", "--version", "extra", NULL };
	struct sw_cli cli;
	struct started st;

	(void)state;
	start(&two_or_three, ARGC(h), h, &cli, &st);
	assert_int_equal(st.status, 0);
	assert_string_equal(st.out, usage);
	assert_string_equal(st.err, "");
	/* -V wins over a wrong operand count */
	start(&two_or_three, ARGC(v), v, &cli, &st);
	assert_int_equal(st.status, 0);
	assert_string_equal(st.out, "prog (slipway) " SW_VERSION "\n");
	assert_string_equal(st.err, "");
}

/* A help that cannot be written is not a success. */
static void
test_start_help_unwritten(void **state)
{
	char *h[] = { "prog", "-h", NULL };
	struct sw_cli cli;
	int full = open("/dev/full", O_WRONLY | O_CLOEXEC), saved, status;

	(void)state;
	if (full < 0)
		skip();
	assert_int_equal(fflush(stdout), 0);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(full, STDOUT_FILENO) >= 0);
	status = sw_cli_start(&two_or_three, ARGC(h), h, &cli);
	__fpurge(stdout); /* what did not get out must not come later */
	clearerr(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	close(full);
	assert_int_equal(status, 64);
}

static void
test_start_bad_option(void **state)
{
	char *a[] = { "prog", "--bogus", "x", "y", NULL };
	char *b[] = { "prog", "-n", "bad", "x", "y", NULL };
	struct extra x = { NULL, 0, 0 };
	struct sw_cli_spec spec = two_or_three;
	struct sw_cli cli;
	struct started st;

	(void)state;
	start(&spec, ARGC(a), a, &cli, &st);
	assert_usage_error(&st, "unknown option '--bogus'");
	/* the program's own options, refused by its callback */
	spec.extra_short = "n:f";
	spec.extra_long = extra_long;
	spec.fn = on_option;
	spec.ctx = &x;
	start(&spec, ARGC(b), b, &cli, &st);
	assert_usage_error(&st, "invalid name 'bad'");
	assert_int_equal(x.calls, 1);
}

static void
test_start_operand_count(void **state)
{
	char *none[] = { "prog", NULL };
	char *one[] = { "prog", "-v", "a", NULL };
	char *four[] = { "prog", "a", "b", "c", "d", NULL };
	char *extra[] = { "prog", "a", "b", NULL };
	struct sw_cli_spec spec = two_or_three;
	struct sw_cli cli;
	struct started st;

	(void)state;
	start(&spec, ARGC(none), none, &cli, &st);
	assert_usage_error(&st, "expected A B [C]");
	start(&spec, ARGC(one), one, &cli, &st);
	assert_usage_error(&st, "expected A B [C]");
	start(&spec, ARGC(four), four, &cli, &st);
	assert_usage_error(&st, "expected A B [C]");
	/* no text: the first operand too many is named */
	spec.min_operands = 0;
	spec.max_operands = 1;
	spec.operands = NULL;
	start(&spec, ARGC(extra), extra, &cli, &st);
	assert_usage_error(&st, "unexpected argument 'b'");
	spec.max_operands = 0;
	start(&spec, ARGC(extra), extra, &cli, &st);
	assert_usage_error(&st, "unexpected argument 'a'");
	/* -1: any number */
	spec.max_operands = -1;
	start(&spec, ARGC(four), four, &cli, &st);
	assert_int_equal(st.status, -1);
}

static void
test_start_run(void **state)
{
	char *a[] = { "prog", "-v", "-c", "my.conf", "a", "b", "-h", NULL };
	struct sw_cli cli;
	struct started st;

	(void)state;
	start(&two_or_three, ARGC(a), a, &cli, &st);
	assert_int_equal(st.status, -1);
	assert_string_equal(st.out, "");
	assert_string_equal(st.err, "");
	assert_string_equal(cli.config, "my.conf");
	assert_int_equal(cli.verbosity, 1);
	assert_int_equal(cli.first_operand, 4);
}

/* A program's own checks after sw_cli_start, with its usage status. */
static void
test_usage_error(void **state)
{
	struct sw_cli_spec spec = two_or_three;
	struct capture c;
	struct started st;

	(void)state;
	spec.usage_status = 2;
	begin_capture(&c);
	st.status = sw_cli_usage_error(&spec, "no %s given", "action");
	end_capture(&c, &st);
	assert_int_equal(st.status, 2);
	assert_string_equal(st.out, "");
	assert_string_equal(st.err, "prog: no action given\nusage: prog [options] "
		"A B [C]\n\nOptions: ...\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_verbosity),
		cmocka_unit_test(test_help_version),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_operands),
		cmocka_unit_test(test_extra_options),
		cmocka_unit_test(test_parse_twice),
		cmocka_unit_test(test_start_help_version),
		cmocka_unit_test(test_start_help_unwritten),
		cmocka_unit_test(test_start_bad_option),
		cmocka_unit_test(test_start_operand_count),
		cmocka_unit_test(test_start_run),
		cmocka_unit_test(test_usage_error),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
