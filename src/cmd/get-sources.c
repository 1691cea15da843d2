/* get-sources: stream the build directory of an assignment as a tar. */
#include <time.h>
#include <unistd.h>

#include "queue/slavecall.h"
#include "source/sources.h"

static const char usage_text[] =
	"usage: get-sources [options] PKGBASE SRC MOD REPO\n"
	"\n"
	"Writes to standard output a tar of the build directory of the\n"
	"assignment: the PKGBUILD directory at the source commit, with the\n"
	"customizations at the mod commit applied, read from the git mirrors.\n"
	"Only for the slave holding the lease (SLIPWAY_SLAVE); without\n"
	"SLIPWAY_SLAVE, for an administrator, for any id on the build list.\n"
	"\n"
	"Options:\n"
	SW_CLI_USAGE_CONFIG
	SW_CLI_USAGE_COMMON
	"\n"
	"Exit status: 0 the tar is written, 1 busy (retry soon), 2 not on the\n"
	"build list or not this slave's, 10 failed, 64 usage.\n";

static const struct sw_slavecall_exit exits[] = {
	{ SW_SOURCES_BUSY, SW_LOG_INFO, "busy: %s" },
	{ SW_SOURCES_NOT_YOURS, SW_LOG_ERROR, "%s" },
};

static int
check(const struct sw_slavecall *c)
{
	(void)c;
	if (isatty(STDOUT_FILENO)) {
		sw_error("standard output is a terminal: redirect the tar");
		return SW_SLAVECALL_USAGE;
	}
	return -1;
}

static int
work(struct sw_slavecall *c, struct sw_err *e)
{
	return (int)sw_sources_write(&c->conf, &c->id, c->slave, STDOUT_FILENO,
		(int64_t)time(NULL), e);
}

static const struct sw_slavecall_spec spec = {
	.prog = "get-sources",
	.usage = usage_text,
	.args = "PKGBASE SRC MOD REPO",
	.operands = SW_SLAVECALL_ID,
	SW_SLAVECALL_EXITS(exits),
	.check = check,
	.work = work,
};

int
main(int argc, char **argv)
{
	return sw_slavecall_main(&spec, argc, argv);
}
