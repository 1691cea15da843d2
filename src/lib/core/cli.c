#include "core/cli.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

static const struct option common_long[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
};

#define NCOMMON (sizeof(common_long) / sizeof(common_long[0]))
#define MAX_OPTIONS 32

const char *
sw_version(void)
{
	return SW_VERSION;
}

enum sw_cli_action
sw_cli_parse(int argc, char **argv, const char *extra_short,
	const struct option *extra_long, sw_cli_option_fn fn, void *ctx,
	struct sw_cli *cli, struct sw_err *e)
{
	struct option longopts[MAX_OPTIONS + 1];
	char shortopts[64];
	size_t n = 0;
	int c, at;

	memset(cli, 0, sizeof(*cli));
	memcpy(longopts, common_long, sizeof(common_long));
	n = NCOMMON;
	while (extra_long && extra_long[n - NCOMMON].name && n < MAX_OPTIONS) {
		longopts[n] = extra_long[n - NCOMMON];
		n++;
	}
	memset(&longopts[n], 0, sizeof(longopts[n]));
	snprintf(shortopts, sizeof(shortopts), "+:c:hVvq%s",
		extra_short ? extra_short : "");
	opterr = 0;
	optind = 0; /* not 1: glibc then also drops the rest of a previous "-hq" */
	for (;;) {
		at = optind > 0 ? optind : 1; /* the word getopt is in */
		c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'c':
			cli->config = optarg;
			break;
		case 'h':
			return SW_CLI_HELP;
		case 'V':
			return SW_CLI_VERSION;
		case 'v':
			cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1;
			break;
		case 'q':
			cli->verbosity = -1;
			break;
		case ':':
			if (strncmp(argv[at], "--", 2) == 0)
				sw_err_set(e, "option '%s' needs an argument", argv[at]);
			else
				sw_err_set(e, "option '-%c' needs an argument", optopt);
			return SW_CLI_USAGE;
		case '?':
			/* optopt: 0 for an unknown long option, else the option */
			if (strncmp(argv[at], "--", 2) != 0)
				sw_err_set(e, "unknown option '-%c'", optopt);
			else if (optopt == 0)
				sw_err_set(e, "unknown option '%s'", argv[at]);
			else
				sw_err_set(e, "option '%.*s' takes no argument",
					(int)strcspn(argv[at], "="), argv[at]);
			return SW_CLI_USAGE;
		default:
			if (fn == NULL || fn(c, optarg, ctx, e) < 0) {
				if (fn == NULL)
					sw_err_set(e, "unknown option '-%c'", c);
				return SW_CLI_USAGE;
			}
			break;
		}
	}
	cli->first_operand = optind;
	return SW_CLI_RUN;
}

int
sw_cli_usage_error(const struct sw_cli_spec *spec, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", spec->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", spec->usage);
	return spec->usage_status;
}

int
sw_cli_start(const struct sw_cli_spec *spec, int argc, char **argv,
	struct sw_cli *cli)
{
	struct sw_err e = { "" }; /* a callback may refuse without a message */
	int written = 0, n;
	bool many;

	switch (sw_cli_parse(argc, argv, spec->extra_short, spec->extra_long,
	    spec->fn, spec->ctx, cli, &e)) {
	case SW_CLI_HELP:
		written = fputs(spec->usage, stdout);
		break;
	case SW_CLI_VERSION:
		written = printf("%s (slipway) %s\n", spec->prog, sw_version());
		break;
	case SW_CLI_USAGE:
		return sw_cli_usage_error(spec, "%s", e.msg);
	case SW_CLI_RUN:
		n = argc - cli->first_operand;
		many = spec->max_operands >= 0 && n > spec->max_operands;
		if (many && spec->operands == NULL)
			return sw_cli_usage_error(spec, "unexpected argument '%s'",
				argv[cli->first_operand + spec->max_operands]);
		if (many || n < spec->min_operands)
			return sw_cli_usage_error(spec, "%s", spec->operands);
		sw_log_init(spec->prog, cli->verbosity);
		return -1;
	}
	/* "prog -h >/dev/full" must not look like it worked */
	return written >= 0 && fflush(stdout) == 0 ? 0 : spec->usage_status;
}
