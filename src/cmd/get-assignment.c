/* get-assignment: hand one buildable package to the calling slave. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "queue/assign.h"
#include "core/cli.h"
#include "core/config.h"
#include "queue/lease.h"
#include "queue/sanity.h"
#include "core/log.h"

enum { EXIT_OK = 0, EXIT_BUSY = 1, EXIT_NOT_READY = 2, EXIT_NOTHING = 3,
	EXIT_LIMIT = 4, EXIT_FAIL = 10, EXIT_USAGE = 64 };

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

static const struct sw_cli_spec spec = {
	.prog = "get-assignment",
	.usage = usage_text,
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
	enum sw_assign_result r;
	int status, rc = EXIT_FAIL;

	memset(&conf, 0, sizeof(conf));
	status = sw_cli_start(&spec, argc, argv, &cli);
	if (status >= 0)
		return status;
	if (sw_master_conf_locate_load(cli.config, &conf, &e) < 0 ||
	    sw_lease_slave(&conf, &slave, NULL, &e) < 0) {
		sw_error("%s", e.msg);
		goto out;
	}
	/* while not sane, nothing is handed out: the slave asks again later */
	switch (sw_sanity_gate(conf.state_dir, &e)) {
	case SW_SANITY_OK:
		break;
	case SW_SANITY_NOT_SANE:
		sw_error("%s", e.msg);
		rc = EXIT_NOT_READY;
		goto out;
	default:
		sw_error("%s", e.msg);
		goto out;
	}
	r = sw_assign_get(&conf, slave, (int64_t)time(NULL),
		SW_ASSIGN_LOCK_TIMEOUT_MS, &id, &e);
	switch (r) {
	case SW_ASSIGN_OK:
		printf("%s %s %s %s\n", id.pkgbase, id.src, id.mod, id.repo);
		if (slave == NULL)
			sw_info("dry run: nothing was assigned");
		rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
		break;
	case SW_ASSIGN_BUSY:
		sw_info("busy: %s", e.msg);
		rc = EXIT_BUSY;
		break;
	case SW_ASSIGN_NOT_READY:
	case SW_ASSIGN_NOTHING:
	case SW_ASSIGN_AT_LIMIT:
		sw_info("%s", e.msg);
		rc = r == SW_ASSIGN_NOT_READY ? EXIT_NOT_READY :
			r == SW_ASSIGN_NOTHING ? EXIT_NOTHING : EXIT_LIMIT;
		break;
	case SW_ASSIGN_ERROR:
		sw_error("%s", e.msg);
		break;
	}
out:
	sw_master_conf_release(&conf);
	return rc;
}
