/* return-assignment: take built packages (or the logs of a failed build) back. */
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "queue/slavecall.h"
#include "repo/returns.h"

/* exit status: 0 taken, 1-5 the refusals of returns.h, and */
enum { EXIT_FAIL = 10, EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: return-assignment [options] PKGBASE SRC MOD REPO [ERROR]\n"
	"\n"
	"Reads a tar on standard input from the calling slave (SLIPWAY_SLAVE):\n"
	"the packages it built with their detached signatures, which go into\n"
	"the staging repository; or, with ERROR, the <straw>.log.gz logs of a\n"
	"failed build, which make the package a broken one.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE   master configuration\n"
	"  -v, --verbose       say more\n"
	"  -q, --quiet         say only what went wrong\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"Exit status: 0 taken, 1 busy (retry soon), 2 outdated or not yours,\n"
	"3 signature, 4 wrong package set, 5 invalid upload, 10 failed, 64 usage.\n";

static const struct sw_slavecall_exit exits[] = {
	{ SW_RETURN_BUSY, SW_LOG_ERROR, "refused: %s" },
	{ SW_RETURN_NOT_YOURS, SW_LOG_ERROR, "refused: %s" },
	{ SW_RETURN_SIGNATURE, SW_LOG_ERROR, "refused: %s" },
	{ SW_RETURN_PACKAGE_SET, SW_LOG_ERROR, "refused: %s" },
	{ SW_RETURN_INVALID, SW_LOG_ERROR, "refused: %s" },
};

static const struct sw_slavecall_spec spec = {
	.cli = {
		.prog = "return-assignment",
		.usage = usage_text,
		.min_operands = 4,
		.max_operands = 5,
		.operands = "expected PKGBASE SRC MOD REPO [ERROR]",
		.usage_status = EXIT_USAGE,
	},
	.operands = SW_SLAVECALL_ID,
	.slave_only = "returns what it built",
	.exits = exits,
	.nexits = sizeof(exits) / sizeof(exits[0]),
	.fail_status = EXIT_FAIL,
};

int
main(int argc, char **argv)
{
	struct sw_slavecall c;
	struct sw_err e;
	bool failed;
	int status;
	enum sw_return_result r;

	status = sw_slavecall_start(&c, &spec, argc, argv);
	if (status >= 0)
		return status;
	failed = c.nop == 5;
	if (failed && strcmp(c.op[4], "ERROR") != 0)
		return sw_cli_usage_error(&spec.cli, "%s", spec.cli.operands);
	if (sw_slavecall_open(&c, &e) < 0)
		return sw_slavecall_finish(&c, -1, &e);
	r = failed ? sw_return_failure(&c.conf, &c.id, c.slave, STDIN_FILENO,
		(int64_t)time(NULL), &e) :
		sw_return_packages(&c.conf, &c.id, c.slave, STDIN_FILENO,
		(int64_t)time(NULL), &e);
	return sw_slavecall_finish(&c, (int)r, &e);
}
