/*
 * cli: the options every program takes, parsed the same way everywhere.
 *
 *   -c, --config FILE   -h, --help   -V, --version   -v, --verbose   -q, --quiet
 *
 * A program passes its own extra options (getopt_long syntax) and a callback
 * that handles them. sw_cli_parse never prints and never exits: it returns
 * what the command should do, and the command prints its usage or version
 * (so that the text stays next to the program and its man page).
 */
#ifndef SW_CLI_H
#define SW_CLI_H

#include <getopt.h>

#include "err.h"

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

/* "0.1.0" */
const char *sw_version(void);

#endif
