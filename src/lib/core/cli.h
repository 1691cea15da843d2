/*
 * cli: the options every program takes, parsed the same way everywhere.
 *
 *   -c, --config FILE   -h, --help   -V, --version   -v, --verbose   -q, --quiet
 *
 * A program passes its own extra options (getopt_long syntax) and a callback
 * that handles them. sw_cli_parse never prints and never exits: it returns
 * what the command should do.
 *
 * Most commands call sw_cli_start instead, first thing in main(), with a
 * struct sw_cli_spec naming the program, its usage text (which stays in the
 * command, next to its man page), its extra options and how many operands
 * it takes. It is the one place besides the log module where the library
 * prints, and it prints only what a command would: the usage on stdout for
 * -h, "PROG (slipway) VERSION" for -V, and "PROG: what is wrong" plus the
 * usage on stderr for a bad option or operand count. It then returns the
 * status main() returns; or, when the command is to run, it starts the log
 * (sw_log_init) and returns -1. Checks that sw_cli_start cannot make (a
 * missing action, a bad sub-command) report through sw_cli_usage_error, so
 * that every usage error of a program looks the same.
 */
#ifndef SW_CLI_H
#define SW_CLI_H

#include <getopt.h>

#include "core/err.h"

enum sw_cli_action {
	SW_CLI_RUN,
	SW_CLI_HELP,
	SW_CLI_VERSION,
	SW_CLI_USAGE,   /* bad options: e->msg says which */
};

struct sw_cli {
	const char *config;  /* -c, or NULL */
	int verbosity;       /* -1 quiet, 0, +1 per -v */
	int first_operand;   /* index into argv */
};

/* fn returns 0, or -1 with a message in e for a bad option argument. */
typedef int (*sw_cli_option_fn)(int opt, const char *arg, void *ctx,
	struct sw_err *e);

enum sw_cli_action sw_cli_parse(int argc, char **argv, const char *extra_short,
	const struct option *extra_long, sw_cli_option_fn fn, void *ctx,
	struct sw_cli *cli, struct sw_err *e);

/* The usage lines of the options every master program takes, as listed. */
#define SW_CLI_USAGE_CONFIG \
	"  -c, --config FILE   master configuration\n"
#define SW_CLI_USAGE_COMMON \
	"  -v, --verbose       say more\n" \
	"  -q, --quiet         say only what went wrong\n" \
	"  -h, --help          show this help\n" \
	"  -V, --version       show the version\n"

struct sw_cli_spec {
	const char *prog;       /* "get-sources": the log's and messages' name */
	const char *usage;      /* printed whole for -h and after a usage error */
	/* the extra options, as sw_cli_parse takes them; NULL: none */
	const char *extra_short;
	const struct option *extra_long;
	sw_cli_option_fn fn;
	void *ctx;
	int min_operands;
	int max_operands;       /* -1: no limit */
	/*
	 * The message for a wrong operand count ("expected PKGBASE SRC MOD
	 * REPO"). NULL, only with min_operands 0: "unexpected argument 'ARG'",
	 * naming the first operand too many.
	 */
	const char *operands;
	int usage_status;       /* the exit status of a usage error (64, 2) */
};

/*
 * Parses argv by spec into cli and checks the operand count. Returns -1
 * when the program is to run (the log is started), else the status for
 * main() to return: 0 after -h or -V (usage_status if stdout cannot take
 * them), usage_status after a usage error.
 */
int sw_cli_start(const struct sw_cli_spec *spec, int argc, char **argv,
	struct sw_cli *cli);

/* Prints "PROG: MESSAGE\n" and the usage on stderr; returns usage_status. */
int sw_cli_usage_error(const struct sw_cli_spec *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "0.1.0" */
const char *sw_version(void);

#endif
