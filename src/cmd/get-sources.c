/* get-sources: stream the build directory of an assignment as a tar. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/config.h"
#include "queue/lease.h"
#include "core/log.h"
#include "core/names.h"
#include "source/sources.h"

enum { EXIT_OK = 0, EXIT_BUSY = 1, EXIT_NOT_YOURS = 2, EXIT_FAIL = 10,
	EXIT_USAGE = 64 };

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

static const struct sw_cli_spec spec = {
	.prog = "get-sources",
	.usage = usage_text,
	.min_operands = 4,
	.max_operands = 4,
	.operands = "expected PKGBASE SRC MOD REPO",
	.usage_status = EXIT_USAGE,
};

int
main(int argc, char **argv)
{
	struct sw_master_conf conf;
	struct sw_cli cli;
	struct sw_err e;
	struct sw_id id;
	const char *slave;
	char **op;
	int status, rc = EXIT_FAIL;

	memset(&conf, 0, sizeof(conf));
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	op = argv + cli.first_operand;
	if (isatty(STDOUT_FILENO)) {
		sw_error("standard output is a terminal: redirect the tar");
		return EXIT_USAGE;
	}
	if (sw_id_from_fields(&id, op[0], op[1], op[2], op[3], &e) < 0 ||
	    sw_master_conf_locate_load(cli.config, &conf, &e) < 0 ||
	    sw_lease_slave(&conf, &slave, NULL, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	switch (sw_sources_write(&conf, &id, slave, STDOUT_FILENO,
	    (int64_t)time(NULL), &e)) {
	case SW_SOURCES_OK:
		rc = EXIT_OK;
		break;
	case SW_SOURCES_BUSY:
		sw_info("busy: %s", e.msg);
		rc = EXIT_BUSY;
		break;
	case SW_SOURCES_NOT_YOURS:
		sw_error("%s", e.msg);
		rc = EXIT_NOT_YOURS;
		break;
	case SW_SOURCES_ERROR:
		sw_error("%s", e.msg);
		break;
	}
out:
	sw_master_conf_release(&conf);
	return rc;
}
