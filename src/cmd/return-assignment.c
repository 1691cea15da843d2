/* return-assignment: take built packages (or the logs of a failed build) back. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/config.h"
#include "queue/lease.h"
#include "queue/sanity.h"
#include "core/log.h"
#include "core/names.h"
#include "repo/returns.h"

enum { EXIT_OK = 0, EXIT_FAIL = 10, EXIT_USAGE = 64 };

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

static const struct sw_cli_spec spec = {
	.prog = "return-assignment",
	.usage = usage_text,
	.min_operands = 4,
	.max_operands = 5,
	.operands = "expected PKGBASE SRC MOD REPO [ERROR]",
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
	bool failed;
	int status, rc = EXIT_FAIL;
	enum sw_return_result r;

	memset(&conf, 0, sizeof(conf));
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	op = argv + cli.first_operand;
	failed = argc - cli.first_operand == 5;
	if (failed && strcmp(op[4], "ERROR") != 0)
		return sw_cli_usage_error(&spec, "%s", spec.operands);
	if (sw_id_from_fields(&id, op[0], op[1], op[2], op[3], &e) < 0 ||
	    sw_master_conf_locate_load(cli.config, &conf, &e) < 0 ||
	    sw_lease_slave(&conf, &slave, NULL, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	if (slave == NULL) {
		sw_error("no SLIPWAY_SLAVE: only a slave returns what it built "
			"(through slave-connect)");
		goto out;
	}
	/* while not sane, nothing is published: the slave keeps its upload */
	switch (sw_sanity_gate(conf.state_dir, &e)) {
	case SW_SANITY_OK:
		break;
	case SW_SANITY_NOT_SANE:
		sw_error("refused: %s", e.msg);
		rc = (int)SW_RETURN_BUSY;
		goto out;
	default:
		sw_error("%s", e.msg);
		goto out;
	}
	r = failed ? sw_return_failure(&conf, &id, slave, STDIN_FILENO,
		(int64_t)time(NULL), &e) :
		sw_return_packages(&conf, &id, slave, STDIN_FILENO,
		(int64_t)time(NULL), &e);
	if (r == SW_RETURN_ERROR) {
		sw_error("%s", e.msg);
		goto out;
	}
	if (r != SW_RETURN_OK)
		sw_error("refused: %s", e.msg);
	rc = (int)r;
out:
	sw_master_conf_release(&conf);
	return rc;
}
