/* ping: the slave building an assignment is alive; extend its lease. */
#include <time.h>

#include "queue/lease.h"
#include "queue/slavecall.h"

/* exit status: 0 ok, 1 busy, 2 not yours (the lease results), and */
enum { EXIT_FAIL = 10, EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: ping [options] PKGBASE SRC MOD REPO PHASE\n"
	"\n"
	"Refreshes the heartbeat of the calling slave's (SLIPWAY_SLAVE) lease on\n"
	"the assignment and records the phase it is in.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE   master configuration\n"
	"  -v, --verbose       say more\n"
	"  -q, --quiet         say only what went wrong\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"Exit status: 0 the lease is extended, 1 busy (retry soon), 2 the\n"
	"assignment is no longer this slave's (stop building it), 10 failed,\n"
	"64 usage.\n";

static const struct sw_slavecall_exit exits[] = {
	{ SW_LEASE_BUSY, SW_LOG_INFO, "busy: %s" },
	{ SW_LEASE_NOT_YOURS, SW_LOG_ERROR, "%s: stop building it" },
};

static const struct sw_slavecall_spec spec = {
	.cli = {
		.prog = "ping",
		.usage = usage_text,
		.min_operands = 5,
		.max_operands = 5,
		.operands = "expected PKGBASE SRC MOD REPO PHASE",
		.usage_status = EXIT_USAGE,
	},
	.operands = SW_SLAVECALL_ID | SW_SLAVECALL_PHASE,
	.slave_only = "pings",
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
	if (sw_slavecall_open(&c, &e) < 0)
		return sw_slavecall_finish(&c, -1, &e);
	return sw_slavecall_finish(&c, (int)sw_lease_ping(&c.conf, &c.id, c.slave,
		c.op[4], (int64_t)time(NULL), &e), &e);
}
