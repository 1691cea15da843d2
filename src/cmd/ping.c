/* ping: the slave building an assignment is alive; extend its lease. */
#include <string.h>
#include <time.h>

#include "queue/lease.h"
#include "queue/slavecall.h"

static const char usage_text[] =
	"usage: ping [options] PKGBASE SRC MOD REPO PHASE\n"
	"\n"
	"Refreshes the heartbeat of the calling slave's (SLIPWAY_SLAVE) lease on\n"
	"the assignment and records the phase it is in. The phase \"giveback\"\n"
	"hands the assignment back instead: the lease ends at once.\n"
	"\n"
	"Options:\n"
	SW_CLI_USAGE_CONFIG
	SW_CLI_USAGE_COMMON
	"\n"
	"Exit status: 0 the lease is extended (or given back), 1 busy (retry\n"
	"soon), 2 the assignment is no longer this slave's (stop building it),\n"
	"10 failed, 64 usage.\n";

static const struct sw_slavecall_exit exits[] = {
	{ SW_LEASE_BUSY, SW_LOG_INFO, "busy: %s" },
	{ SW_LEASE_NOT_YOURS, SW_LOG_ERROR, "%s: stop building it" },
};

static int
work(struct sw_slavecall *c, struct sw_err *e)
{
	enum sw_lease_result r;

	if (strcmp(c->op[4], SW_LEASE_GIVEBACK) != 0)
		return (int)sw_lease_ping(&c->conf, &c->id, c->slave, c->op[4],
			(int64_t)time(NULL), e);
	r = sw_lease_giveback(&c->conf, &c->id, c->slave, (int64_t)time(NULL), e);
	if (r == SW_LEASE_OK)
		sw_info("slave '%s' gave back '%s %s %s %s'", c->slave, c->op[0],
			c->op[1], c->op[2], c->op[3]);
	return (int)r;
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
