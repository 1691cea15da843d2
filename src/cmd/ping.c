/* ping: the slave building an assignment is alive; extend its lease. */
#include <time.h>

#include "queue/lease.h"
#include "queue/slavecall.h"

static const char usage_text[] =
	"usage: ping [options] PKGBASE SRC MOD REPO PHASE\n"
	"\n"
	"Refreshes the heartbeat of the calling slave's (SLIPWAY_SLAVE) lease on\n"
	"the assignment and records the phase it is in.\n"
	"\n"
	"Options:\n"
	SW_CLI_USAGE_CONFIG
	SW_CLI_USAGE_COMMON
	"\n"
	"Exit status: 0 the lease is extended, 1 busy (retry soon), 2 the\n"
	"assignment is no longer this slave's (stop building it), 10 failed,\n"
	"64 usage.\n";

static const struct sw_slavecall_exit exits[] = {
	{ SW_LEASE_BUSY, SW_LOG_INFO, "busy: %s" },
	{ SW_LEASE_NOT_YOURS, SW_LOG_ERROR, "%s: stop building it" },
};

static int
work(struct sw_slavecall *c, struct sw_err *e)
{
	return (int)sw_lease_ping(&c->conf, &c->id, c->slave, c->op[4],
		(int64_t)time(NULL), e);
}

static const struct sw_slavecall_spec spec = {
	.prog = "ping",
	.usage = usage_text,
	.args = "PKGBASE SRC MOD REPO PHASE",
	.operands = SW_SLAVECALL_ID | SW_SLAVECALL_PHASE,
	.slave_only = "pings",
	SW_SLAVECALL_EXITS(exits),
	.work = work,
};

int
main(int argc, char **argv)
{
	return sw_slavecall_main(&spec, argc, argv);
}
