/* return-assignment: take built packages (or the logs of a failed build) back. */
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "queue/slavecall.h"
#include "repo/returns.h"

static const char usage_text[] =
	"usage: return-assignment [options] PKGBASE SRC MOD REPO [ERROR]\n"
	"\n"
	"Reads a tar on standard input from the calling slave (SLIPWAY_SLAVE):\n"
	"the packages it built with their detached signatures, which go into\n"
	"the staging repository; or, with ERROR, the <straw>.log.gz logs of a\n"
	"failed build, which make the package a broken one.\n"
	"\n"
	"Options:\n"
	SW_CLI_USAGE_CONFIG
	SW_CLI_USAGE_COMMON
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

static int
check(const struct sw_slavecall *c)
{
	if (c->nop == 5 && strcmp(c->op[4], "ERROR") != 0)
		return sw_cli_usage_error(&c->cli_spec, "%s",
			c->cli_spec.operands);
	return -1;
}

/* With ERROR: the logs of a failed build. */
static int
work(struct sw_slavecall *c, struct sw_err *e)
{
	if (c->nop == 5)
		return (int)sw_return_failure(&c->conf, &c->id, c->slave,
			STDIN_FILENO, (int64_t)time(NULL), e);
	return (int)sw_return_packages(&c->conf, &c->id, c->slave, STDIN_FILENO,
		(int64_t)time(NULL), e);
}

static const struct sw_slavecall_spec spec = {
	.prog = "return-assignment",
	.usage = usage_text,
	.args = "PKGBASE SRC MOD REPO [ERROR]",
	.operands = SW_SLAVECALL_ID,
	.slave_only = "returns what it built",
	SW_SLAVECALL_EXITS(exits),
	/* while not sane nothing is published: the slave keeps its upload */
	.not_sane = SW_RETURN_BUSY,
	.check = check,
	.work = work,
};

int
main(int argc, char **argv)
{
	return sw_slavecall_main(&spec, argc, argv);
}
