/* get-assignment: hand one buildable package to the calling slave. */
#include <stdio.h>
#include <time.h>

#include "queue/assign.h"
#include "queue/slavecall.h"

static const char usage_text[] =
	"usage: get-assignment [options]\n"
	"\n"
	"Hands the calling slave (SLIPWAY_SLAVE, set by slave-connect) one\n"
	"package to build and prints \"<pkgbase> <src-commit> <mod-commit> <repo>\".\n"
	"Without SLIPWAY_SLAVE: a dry run that prints what would be handed out.\n"
	"\n"
	"Options:\n"
	SW_CLI_USAGE_CONFIG
	SW_CLI_USAGE_COMMON
	"\n"
	"Exit status: 0 an assignment, 1 busy (retry soon), 2 nothing ready now,\n"
	"3 nothing pending, 4 the slave is at max_assignments, 10 failed,\n"
	"64 usage.\n";

static const struct sw_slavecall_exit exits[] = {
	{ SW_ASSIGN_BUSY, SW_LOG_INFO, "busy: %s" },
	{ SW_ASSIGN_NOT_READY, SW_LOG_INFO, "%s" },
	{ SW_ASSIGN_NOTHING, SW_LOG_INFO, "%s" },
	{ SW_ASSIGN_AT_LIMIT, SW_LOG_INFO, "%s" },
};

static int
work(struct sw_slavecall *c, struct sw_err *e)
{
	struct sw_id id;
	enum sw_assign_result r;

	r = sw_assign_get(&c->conf, c->slave, (int64_t)time(NULL),
		SW_ASSIGN_LOCK_TIMEOUT_MS, &id, e);
	if (r != SW_ASSIGN_OK)
		return (int)r;
	printf("%s %s %s %s\n", id.pkgbase, id.src, id.mod, id.repo);
	if (c->slave == NULL)
		sw_info("dry run: nothing was assigned");
	if (fflush(stdout) != 0)
		return sw_err_sys(e, "cannot write the assignment");
	return 0;
}

static const struct sw_slavecall_spec spec = {
	.prog = "get-assignment",
	.usage = usage_text,
	.args = "",
	SW_SLAVECALL_EXITS(exits),
	/* while not sane nothing is handed out: the slave asks again later */
	.not_sane = SW_ASSIGN_NOT_READY,
	.work = work,
};

int
main(int argc, char **argv)
{
	return sw_slavecall_main(&spec, argc, argv);
}
