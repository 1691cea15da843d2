/* get-assignment: hand one buildable package to the calling slave. */
#include <stdio.h>
#include <time.h>

#include "queue/assign.h"
#include "queue/slavecall.h"

/* exit status: 0-4 the results of assign.h, and */
enum { EXIT_FAIL = 10, EXIT_USAGE = 64 };

static const char usage_text[] =
	"usage: get-assignment [options]\n"
	"\n"
	"Hands the calling slave (SLIPWAY_SLAVE, set by slave-connect) one\n"
	"package to build and prints \"<pkgbase> <src-commit> <mod-commit> <repo>\".\n"
	"Without SLIPWAY_SLAVE: a dry run that prints what would be handed out.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE   master configuration\n"
	"  -v, --verbose       say more\n"
	"  -q, --quiet         say only what went wrong\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
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

static const struct sw_slavecall_spec spec = {
	.cli = {
		.prog = "get-assignment",
		.usage = usage_text,
		.usage_status = EXIT_USAGE,
	},
	.exits = exits,
	.nexits = sizeof(exits) / sizeof(exits[0]),
	.fail_status = EXIT_FAIL,
};

int
main(int argc, char **argv)
{
	struct sw_slavecall c;
	struct sw_err e;
	struct sw_id id;
	enum sw_assign_result r;
	int status;

	status = sw_slavecall_start(&c, &spec, argc, argv);
	if (status >= 0)
		return status;
	if (sw_slavecall_open(&c, &e) < 0)
		return sw_slavecall_finish(&c, -1, &e);
	r = sw_assign_get(&c.conf, c.slave, (int64_t)time(NULL),
		SW_ASSIGN_LOCK_TIMEOUT_MS, &id, &e);
	if (r == SW_ASSIGN_OK) {
		printf("%s %s %s %s\n", id.pkgbase, id.src, id.mod, id.repo);
		if (c.slave == NULL)
			sw_info("dry run: nothing was assigned");
		if (fflush(stdout) != 0)
			r = sw_err_sys(&e, "cannot write the assignment");
	}
	return sw_slavecall_finish(&c, (int)r, &e);
}
