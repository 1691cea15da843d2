/* ping: the slave building an assignment is alive; extend its lease. */
#include <string.h>
#include <time.h>

#include "core/cli.h"
#include "core/config.h"
#include "queue/lease.h"
#include "core/log.h"
#include "core/names.h"

enum { EXIT_OK = 0, EXIT_BUSY = 1, EXIT_NOT_YOURS = 2, EXIT_FAIL = 10,
	EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: ping [options] PKGBASE SRC MOD REPO PHASE\n"
	"\n"
	"Refreshes the heartbeat of the calling slave's (SLIPWAY_SLAVE) lease on\n"
	"the assignment and records the phase it is in. The phase \"giveback\"\n"
	"hands the assignment back instead: the lease ends at once.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE   master configuration\n"
	"  -v, --verbose       say more\n"
	"  -q, --quiet         say only what went wrong\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"Exit status: 0 the lease is extended (or given back), 1 busy (retry\n"
	"soon), 2 the assignment is no longer this slave's (stop building it),\n"
	"10 failed, 64 usage.\n";

static const struct sw_cli_spec spec = {
	.prog = "ping",
	.usage = usage_text,
	.min_operands = 5,
	.max_operands = 5,
	.operands = "expected PKGBASE SRC MOD REPO PHASE",
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
	enum sw_lease_result r;
	int status, rc = EXIT_FAIL;

	memset(&conf, 0, sizeof(conf));
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	op = argv + cli.first_operand;
	if (sw_id_from_fields(&id, op[0], op[1], op[2], op[3], &e) < 0 ||
	    sw_name_check(SW_NAME_PHASE, op[4], &e) < 0 ||
	    sw_master_conf_locate_load(cli.config, &conf, &e) < 0 ||
	    sw_lease_slave(&conf, &slave, NULL, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	if (slave == NULL) {
		sw_error("no SLIPWAY_SLAVE: only a slave pings (through "
			"slave-connect)");
		goto out;
	}
	if (strcmp(op[4], SW_LEASE_GIVEBACK) == 0)
		r = sw_lease_giveback(&conf, &id, slave, (int64_t)time(NULL), &e);
	else
		r = sw_lease_ping(&conf, &id, slave, op[4], (int64_t)time(NULL), &e);
	switch (r) {
	case SW_LEASE_OK:
		if (strcmp(op[4], SW_LEASE_GIVEBACK) == 0)
			sw_info("slave '%s' gave back '%s %s %s %s'", slave, op[0],
				op[1], op[2], op[3]);
		rc = EXIT_OK;
		break;
	case SW_LEASE_BUSY:
		sw_info("busy: %s", e.msg);
		rc = EXIT_BUSY;
		break;
	case SW_LEASE_NOT_YOURS:
		sw_error("%s: stop building it", e.msg);
		rc = EXIT_NOT_YOURS;
		break;
	case SW_LEASE_ERROR:
		sw_error("%s", e.msg);
		break;
	}
out:
	sw_master_conf_release(&conf);
	return rc;
}
