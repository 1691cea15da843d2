/* get-sources: stream the build directory of an assignment as a tar. */
#include <time.h>
#include <unistd.h>

#include "queue/slavecall.h"
#include "source/sources.h"

/* exit status: 0 ok, 1 busy, 2 not yours (the sources results), and */
enum { EXIT_FAIL = 10, EXIT_USAGE = 64 };

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
	"  -c, --config FILE   master configuration\n"
	"  -v, --verbose       say more\n"
	"  -q, --quiet         say only what went wrong\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"Exit status: 0 the tar is written, 1 busy (retry soon), 2 not on the\n"
	"build list or not this slave's, 10 failed, 64 usage.\n";

static const struct sw_slavecall_exit exits[] = {
	{ SW_SOURCES_BUSY, SW_LOG_INFO, "busy: %s" },
	{ SW_SOURCES_NOT_YOURS, SW_LOG_ERROR, "%s" },
};

static const struct sw_slavecall_spec spec = {
	.cli = {
		.prog = "get-sources",
		.usage = usage_text,
		.min_operands = 4,
		.max_operands = 4,
		.operands = "expected PKGBASE SRC MOD REPO",
		.usage_status = EXIT_USAGE,
	},
	.operands = SW_SLAVECALL_ID,
	.exits = exits,
	.nexits = sizeof(exits) / sizeof(exits[0]),
	.fail_status = EXIT_FAIL,
};

int
main(int argc, char **argv)
{
	struct sw_slavecall c;
	struct sw_err e;
	int status;

	status = sw_slavecall_start(&c, &spec, argc, argv);
	if (status >= 0)
		return status;
	if (isatty(STDOUT_FILENO)) {
		sw_error("standard output is a terminal: redirect the tar");
		return EXIT_USAGE;
	}
	if (sw_slavecall_open(&c, &e) < 0)
		return sw_slavecall_finish(&c, -1, &e);
	return sw_slavecall_finish(&c, (int)sw_sources_write(&c.conf, &c.id,
		c.slave, STDOUT_FILENO, (int64_t)time(NULL), &e), &e);
}
